/*
 * test_deploy_tasks.c -- /application/deploy-tasks/ (the seed's 发布任务,
 * API.md sections 5 and 6, issue 11): create, get, list with every
 * filter, PATCH, and the actions approve, reject, start, close, delegate;
 * every transition from every state, who may take each, the audit rows
 * they write, the mail to whoever must act next (captured by the SMTP
 * sink), bad input that changes nothing, and two people acting on one
 * task at once.
 */
#include <dirent.h>
#include <pthread.h>
#include <unistd.h>

#include "dtasklib.h"

/*
 * A body with every field: the example's deploy_source, a version given
 * as a number, a level in lower case, fields it may not set (status) or
 * that do not exist (extra).
 */
static const char *
body_full(long long app)
{
	return fmt("{\"application_id\": %lld, \"version\": 20180408120000, "
	    "\"description\": \"" HAN " release\", \"level\": \"s\", "
	    "\"deploy_source\": \"/data/app/20180408/root.war\", "
	    "\"planned_exec_time\": 1523177609, \"upgrade_checklist\": "
	    "\"" SQLI "\", \"upgrade_steps\": \"直接发布\", "
	    "\"rollback_steps\": null, \"status\": \"finished\", "
	    "\"extra\": 1}", app);
}

static void
expect_actions(json_object *o, const char *want)
{
	static const char *const keys[] = { "edit", "approve", "reject",
	    "start", "close", "delegate" };
	json_object	*a = jpath(o, "available_actions"), *v;
	char		 got[128] = "";
	size_t		 i;

	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(json_object_object_length(a), 6);
	for (i = 0; i < 6; i++) {
		ck_assert(json_object_object_get_ex(a, keys[i], &v) &&
		    json_object_is_type(v, json_type_boolean));
		if (json_object_get_boolean(v))
			snprintf(got + strlen(got), sizeof(got) - strlen(got),
			    "%s%s", *got ? "," : "", keys[i]);
	}
	ck_assert_msg(strcmp(got, want) == 0, "available_actions %s, not %s",
	    got, want);
}

START_TEST(create_get_every_field)
{
	struct resp	*r;
	long long	 app = dl_capp("dtc"), id, uid;
	const char	*tok = dl_user("dtcu", app, "view_app,deploy_app", &uid);
	char		*d;

	r = api("POST", "/application/deploy-tasks/", tok, body_full(app));
	ck_assert_msg(r->status == 201, "%s", r->body);
	id = jint(r->json, "id");
	ck_assert(json_object_is_type(jpath(r->json, "id"), json_type_int));
	ck_assert_int_eq(jint(r->json, "application_id"), app);
	ck_assert(strncmp(jstr(r->json, "application_name"), "dtc-", 4) == 0);
	ck_assert_str_eq(jstr(r->json, "version"), "20180408120000");
	ck_assert_str_eq(jstr(r->json, "description"), HAN " release");
	ck_assert_str_eq(jstr(r->json, "level"), "S");
	ck_assert_str_eq(jstr(r->json, "package_source"),
	    "/data/app/20180408/root.war");
	ck_assert_ptr_null(jpath(r->json, "deploy_source"));
	ck_assert_int_eq(jint(r->json, "planned_exec_time"), 1523177609);
	ck_assert_str_eq(jstr(r->json, "upgrade_checklist"), SQLI);
	ck_assert_str_eq(jstr(r->json, "upgrade_steps"), "直接发布");
	ck_assert(jnull(r->json, "rollback_steps"));
	ck_assert_str_eq(jstr(r->json, "status"), "wait_review");
	ck_assert_int_eq(jint(r->json, "creator.id"), uid);
	ck_assert(strncmp(jstr(r->json, "creator.username"), "dtcu-", 5) == 0);
	ck_assert_ptr_nonnull(jstr(r->json, "creator.name"));
	ck_assert_ptr_null(jpath(r->json, "creator.email"));
	ck_assert_int_eq(jint(r->json, "assignee.id"), uid);
	ck_assert(jnull(r->json, "reviewer"));
	expect_recent(r->json, "created_time");
	ck_assert(jnull(r->json, "approved_time"));
	ck_assert(jnull(r->json, "started_time"));
	ck_assert(jnull(r->json, "finished_time"));
	ck_assert_int_eq(json_object_array_length(jpath(r->json, "sub_tasks")),
	    0);
	ck_assert_ptr_null(jpath(r->json, "extra"));
	/* the creator may edit, close, delegate; not approve its own */
	expect_actions(r->json, "edit,close,delegate");
	resp_free(r);

	r = api("GET", fmt("/applications/deploy-tasks/%lld", id), tok, NULL);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_str_eq(jstr(r->json, "upgrade_checklist"), SQLI);
	ck_assert_str_eq(jstr(r->json, "description"), HAN " release");
	expect_actions(r->json, "edit,close,delegate");
	resp_free(r);
	r = api("GET", fmt("/application/deploy-tasks/%lld/", id),
	    admin_token(), NULL);
	expect_actions(r->json, "edit,approve,reject,close,delegate");
	resp_free(r);

	d = dl_last_audit(app);
	ck_assert_msg(d && strncmp(d, "add_deploy_task|created deploy task ",
	    36) == 0 && strstr(d, "level S"), "%s", d ? d : "(none)");
	free(d);
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM deploy_tasks WHERE "
	    "id = %lld AND status = 'wait_review' AND creator_id = %lld",
	    id, uid)), 1);
	expect_error(api("GET", "/application/deploy-tasks/999999999/",
	    admin_token(), NULL), 404, 10008, NULL);
}
END_TEST

START_TEST(create_refusals_change_nothing)
{
	static const struct field_spec f[] = {
		{ "application_id", 1, "int", 0, NULL },
		{ "version", 1, "object", 128, NULL },
		{ "description", 1, "string", 4096, NULL },
		{ "level", 1, "string", 0, "Z" },
		{ "package_source", 1, "string", 1024, NULL },
		{ "planned_exec_time", 1, "int", 0, NULL },
		{ "upgrade_checklist", 0, "string", 16384, NULL },
		{ "upgrade_steps", 0, "string", 16384, NULL },
		{ "rollback_steps", 0, "string", 16384, NULL },
	};
	long long	 app = dl_capp("dtr"), bare = dl_app(uniq("dtbare"));
	long long	 uid;
	const char	*viewer = dl_user("dtrv", app, "view_app", &uid);
	const char	*blind = dl_user("dtrb", bare, "deploy_app", NULL);

	bad_input_battery("POST", "/application/deploy-tasks/", admin_token(),
	    dl_body(app), f, NELEM(f), DT_TABLES);
	/* an application without deploy settings: 400/10002 on the field */
	refused_in_at(__FILE__, __LINE__, DT_TABLES, "POST",
	    "/application/deploy-tasks/", dl_body(bare), 400, 10002,
	    "application_id");
	refused_in_at(__FILE__, __LINE__, DT_TABLES, "POST",
	    "/application/deploy-tasks/", dl_body(999999999), 400, 10002,
	    "application_id");
	refused_in_at(__FILE__, __LINE__, DT_TABLES, "POST",
	    "/application/deploy-tasks/", fmt("{\"application_id\": %lld, "
	    "\"version\": \"v\", \"description\": \"d\", \"level\": \"A\", "
	    "\"package_source\": \"/x\", \"planned_exec_time\": -1}", app),
	    400, 10002, "planned_exec_time");
	refused_in_at(__FILE__, __LINE__, DT_TABLES, "POST",
	    "/application/deploy-tasks/", fmt("{\"application_id\": %lld, "
	    "\"version\": \"v\\u0001\", \"description\": \"d\", \"level\": "
	    "\"A\", \"package_source\": \"/x\", \"planned_exec_time\": 1}",
	    app), 400, 10002, "version");
	/* view_app without deploy_app: 403; an application it cannot see */
	{
		char *before = db_fingerprint(DT_TABLES);

		expect_error(api("POST", "/application/deploy-tasks/", viewer,
		    dl_body(app)), 403, 10007, NULL);
		expect_error(api("POST", "/application/deploy-tasks/", blind,
		    dl_body(app)), 400, 10002, "application_id");
		db_unchanged(before, DT_TABLES);
	}
}
END_TEST

START_TEST(list_and_filters)
{
	struct resp	*r;
	long long	 app = dl_capp("dtl"), other = dl_capp("dtlo");
	long long	 t1, t2, t3, uid;
	const char	*tok = dl_user("dtlu", app, "view_app,deploy_app", &uid);
	t1 = dl_task(tok, app);
	t2 = dl_task(admin_token(), app);
	t3 = dl_task(admin_token(), other);
	dl_ok(admin_token(), t1, "approve", NULL, "approved");
	r = api("GET", "/application/deploy-tasks/?page_size=1000",
	    admin_token(), NULL);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_int_eq(jint(r->json, "count"),
	    db_int("SELECT COUNT(*) FROM deploy_tasks"));
	ck_assert_int_eq(jint(r->json, "results.0.id"), t3);
	ck_assert_ptr_nonnull(jpath(r->json, "results.0.available_actions"));
	resp_free(r);
	/* by status: counted by row_counts */
	r = api("GET", "/application/deploy-tasks/?status=approved&page_size=1",
	    admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), db_int("SELECT COUNT(*) FROM "
	    "deploy_tasks WHERE status = 'approved'"));
	ck_assert_str_eq(jstr(r->json, "results.0.status"), "approved");
	resp_free(r);
	r = api("GET", fmt("/application/deploy-tasks/?application_id=%lld",
	    app), admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 2);
	ck_assert_int_eq(jint(r->json, "results.0.id"), t2);
	ck_assert_int_eq(jint(r->json, "results.1.id"), t1);
	resp_free(r);
	r = api("GET", fmt("/application/deploy-tasks/?application_id=%lld&"
	    "status=wait_review&level=a", app), admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	ck_assert_int_eq(jint(r->json, "results.0.id"), t2);
	resp_free(r);
	r = api("GET", fmt("/application/deploy-tasks/?application_id=%lld&"
	    "level=S", app), admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 0);
	resp_free(r);
	r = api("GET", "/application/deploy-tasks/?creator=DTLU-", admin_token(),
	    NULL);
	ck_assert_int_ge(jint(r->json, "count"), 1);
	ck_assert_int_eq(jint(r->json, "results.0.creator.id"), uid);
	resp_free(r);
	r = api("GET", "/application/deploy-tasks/?creator=%25_", admin_token(),
	    NULL);
	ck_assert_int_eq(jint(r->json, "count"), 0);
	resp_free(r);
	r = api("GET", fmt("/application/deploy-tasks/?application_id=%lld&"
	    "time__gt=2000-01-01&time__lt=2999-01-01", app), admin_token(),
	    NULL);
	ck_assert_int_eq(jint(r->json, "count"), 2);
	resp_free(r);
	r = api("GET", fmt("/application/deploy-tasks/?application_id=%lld&"
	    "time__gt=2999-01-01", app), admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 0);
	resp_free(r);
	/* a restricted caller sees its applications' tasks only */
	r = api("GET", "/application/deploy-tasks/?page_size=1000", tok, NULL);
	ck_assert_int_eq(jint(r->json, "count"), 2);
	ck_assert_int_eq(jint(r->json, "results.1.id"), t1);
	resp_free(r);
	r = api("GET", fmt("/application/deploy-tasks/?application_id=%lld",
	    other), tok, NULL);
	ck_assert_int_eq(jint(r->json, "count"), 0);
	resp_free(r);
	expect_error(api("GET", fmt("/application/deploy-tasks/%lld/", t3),
	    tok, NULL), 404, 10008, NULL);
	expect_error(api("GET", "/application/deploy-tasks/?status=done",
	    admin_token(), NULL), 400, 10002, "status");
	expect_error(api("GET", "/application/deploy-tasks/?level=Q",
	    admin_token(), NULL), 400, 10002, "level");
	expect_error(api("GET", "/application/deploy-tasks/?application_id=x",
	    admin_token(), NULL), 400, 10002, "application_id");
	expect_error(api("GET", "/application/deploy-tasks/?time__gt=soon",
	    admin_token(), NULL), 400, 10002, "time__gt");
	expect_error(api("GET", "/application/deploy-tasks/?page_size=1001",
	    admin_token(), NULL), 400, 10002, "page_size");
	r = api("GET", "/application/deploy-tasks/?page=999999", admin_token(),
	    NULL);
	ck_assert_int_eq(json_object_array_length(jpath(r->json, "results")), 0);
	ck_assert_int_eq(jint(r->json, "count"),
	    db_int("SELECT COUNT(*) FROM deploy_tasks"));
	resp_free(r);
}
END_TEST

/*
 * Every action in every state, as a superuser (who may take every action,
 * so only the state decides): the table of API.md section 5, written out
 * independently of the server's.
 */
static const char *const states[] = { "wait_review", "approved", "rejected",
    "running", "finished", "failed", "closed" };
static const struct {
	const char	*action;
	const char	*to[7];		/* per state: new status, NULL: 409 */
} table[] = {
	{ "approve", { "approved", NULL, NULL, NULL, NULL, NULL, NULL } },
	{ "reject", { "rejected", NULL, NULL, NULL, NULL, NULL, NULL } },
	{ "start", { NULL, "running", NULL, NULL, NULL, NULL, NULL } },
	{ "close", { "closed", "closed", NULL, "closed", NULL, NULL, NULL } },
	{ "delegate", { "wait_review", "approved", NULL, NULL, NULL, NULL,
	    NULL } },
	{ "edit", { "wait_review", NULL, NULL, NULL, NULL, NULL, NULL } },
};

START_TEST(every_transition_from_every_state)
{
	long long	 app = dl_capp("dtx"), id, uid;
	size_t		 a, s;
	struct resp	*r;
	char		*before, *d;
	const char	*op;

	(void)dl_user("dtxd", app, "view_app,deploy_app", &uid);
	for (a = 0; a < NELEM(table); a++)
		for (s = 0; s < 7; s++) {
			id = dl_task(admin_token(), app);
			dl_set_status(id, states[s]);
			before = db_fingerprint(DT_TABLES);
			if (strcmp(table[a].action, "edit") == 0)
				r = api("PATCH", fmt("/application/deploy-tasks/"
				    "%lld/", id), admin_token(),
				    "{\"version\": \"v2\"}");
			else if (strcmp(table[a].action, "delegate") == 0)
				r = dl_act(admin_token(), id, "delegate",
				    fmt("{\"user_id\": %lld}", uid));
			else
				r = dl_act(admin_token(), id, table[a].action,
				    NULL);
			if (table[a].to[s] == NULL) {
				ck_assert_msg(r->status == 409, "%s in %s: %ld %s",
				    table[a].action, states[s], r->status,
				    r->body);
				ck_assert_int_eq(jint(r->json, "error_code"),
				    10015);
				ck_assert_msg(strstr(jstr(r->json, "message"),
				    states[s]) != NULL, "%s", r->body);
				resp_free(r);
				db_unchanged(before, DT_TABLES);
				continue;
			}
			free(before);
			ck_assert_msg(r->status == 200, "%s in %s: %ld %s",
			    table[a].action, states[s], r->status, r->body);
			ck_assert_str_eq(jstr(r->json, "status"),
			    table[a].to[s]);
			ck_assert_str_eq(jstr(r->json, "message"), "success");
			resp_free(r);
			dl_expect_status(id, table[a].to[s]);
			op = strcmp(table[a].action, "edit") == 0 ? "update" :
			    table[a].action;
			d = dl_last_audit(app);
			ck_assert_msg(d != NULL && strncmp(d, op, strlen(op)) ==
			    0 && strstr(d, "_deploy_task|") != NULL &&
			    strstr(d, fmt("deploy task %lld ", id)) != NULL,
			    "%s", d ? d : "(none)");
			if (strcmp(table[a].to[s], states[s]) != 0)
				ck_assert_msg(strstr(d, fmt("status: \"%s\" -> "
				    "\"%s\"", states[s], table[a].to[s])), "%s",
				    d);
			free(d);
		}
}
END_TEST

/* The times and people an approved, started, closed task records. */
START_TEST(times_and_people)
{
	struct resp	*r;
	long long	 app = dl_capp("dtt"), id, rid;
	const char	*rev = dl_user("dttr", app, "view_app,"
			    "review_app_deploy_task", &rid);

	id = dl_task(admin_token(), app);
	dl_ok(rev, id, "approve", "", "approved");
	r = api("GET", fmt("/application/deploy-tasks/%lld/", id),
	    admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "reviewer.id"), rid);
	expect_recent(r->json, "approved_time");
	ck_assert(jnull(r->json, "started_time"));
	resp_free(r);
	dl_ok(admin_token(), id, "start", NULL, "running");
	dl_ok(admin_token(), id, "close", NULL, "closed");
	r = api("GET", fmt("/application/deploy-tasks/%lld/", id),
	    admin_token(), NULL);
	expect_recent(r->json, "started_time");
	expect_recent(r->json, "finished_time");
	expect_actions(r->json, "");
	resp_free(r);
}
END_TEST

/*
 * Who may do what (API.md section 6): deploy_app creates, starts (as the
 * assignee) and closes; review_app_deploy_task approves and rejects, but
 * never one's own task; a delegate may start; a superuser may approve its
 * own.
 */
START_TEST(who_may_act)
{
	long long	 app = dl_capp("dtw"), t, dep2_id, plain_id;
	const char	*dep = dl_user("dtwd", app, "view_app,deploy_app", NULL);
	const char	*rev = dl_user("dtwr", app, "view_app,"
			    "review_app_deploy_task", NULL);
	const char	*both = dl_user("dtwb", app, "view_app,deploy_app,"
			    "review_app_deploy_task", NULL);
	const char	*dep2 = dl_user("dtwe", app, "view_app,deploy_app",
			    &dep2_id);
	const char	*viewer = dl_user("dtwv", app, "view_app", &plain_id);
	const char	*stranger = dl_user("dtws", dl_capp("dtwo"), "view_app",
			    NULL);
	char		*before;
	struct resp	*r;

	t = dl_task(both, app);
	before = db_fingerprint(DT_TABLES);
	/* the creator may not approve its own task, even as a reviewer */
	expect_error(dl_act(both, t, "approve", NULL), 403, 10007, NULL);
	/* deploy_app alone does not approve or reject */
	expect_error(dl_act(dep, t, "approve", NULL), 403, 10007, NULL);
	expect_error(dl_act(dep, t, "reject", NULL), 403, 10007, NULL);
	/* only the creator edits */
	expect_error(api("PATCH", fmt("/application/deploy-tasks/%lld/", t),
	    rev, "{\"version\": \"x\"}"), 403, 10007, NULL);
	/* a viewer neither closes nor delegates */
	expect_error(dl_act(viewer, t, "close", NULL), 403, 10007, NULL);
	expect_error(dl_act(viewer, t, "delegate", fmt("{\"user_id\": %lld}",
	    dep2_id)), 403, 10007, NULL);
	/* no view_app: the task does not exist */
	expect_error(dl_act(stranger, t, "approve", NULL), 404, 10008, NULL);
	expect_error(api("GET", fmt("/application/deploy-tasks/%lld/", t),
	    stranger, NULL), 404, 10008, NULL);
	db_unchanged(before, DT_TABLES);

	r = api("GET", fmt("/application/deploy-tasks/%lld/", t), rev, NULL);
	expect_actions(r->json, "approve,reject,delegate");
	resp_free(r);
	r = api("GET", fmt("/application/deploy-tasks/%lld/", t), dep, NULL);
	expect_actions(r->json, "close");
	resp_free(r);
	dl_ok(rev, t, "approve", NULL, "approved");
	/* the reviewer is not the assignee: it may not start */
	before = db_fingerprint(DT_TABLES);
	expect_error(dl_act(rev, t, "start", NULL), 403, 10007, NULL);
	/* nor another deployer */
	expect_error(dl_act(dep2, t, "start", NULL), 403, 10007, NULL);
	/* delegating to someone who may not deploy: 10002 on user_id */
	expect_error(dl_act(rev, t, "delegate", fmt("{\"user_id\": %lld}",
	    plain_id)), 400, 10002, "user_id");
	expect_error(dl_act(rev, t, "delegate", "{\"user_id\": 999999999}"),
	    400, 10002, "user_id");
	db_unchanged(before, DT_TABLES);
	/* a reviewer delegates to dep2, who then starts it */
	dl_ok(rev, t, "delegate", fmt("{\"user_id\": %lld}", dep2_id),
	    "approved");
	r = api("GET", fmt("/application/deploy-tasks/%lld/", t), dep2, NULL);
	ck_assert_int_eq(jint(r->json, "assignee.id"), dep2_id);
	expect_actions(r->json, "start,close,delegate");
	resp_free(r);
	/* the creator is no longer the assignee */
	expect_error(dl_act(both, t, "start", NULL), 403, 10007, NULL);
	dl_ok(dep2, t, "start", NULL, "running");
	dl_ok(dep, t, "close", NULL, "closed");

	/* the creator closes its own; a reviewer rejects */
	t = dl_task(dep, app);
	dl_ok(rev, t, "reject", NULL, "rejected");
	t = dl_task(dep, app);
	dl_ok(dep, t, "close", NULL, "closed");
	/* a superuser approves its own task */
	t = dl_task(admin_token(), app);
	dl_ok(admin_token(), t, "approve", NULL, "approved");
}
END_TEST

START_TEST(patch_by_the_creator)
{
	static const struct field_spec f[] = {
		{ "version", 0, "object", 128, NULL },
		{ "description", 0, "string", 4096, NULL },
		{ "level", 0, "string", 0, "SS" },
		{ "package_source", 0, "string", 1024, NULL },
		{ "planned_exec_time", 0, "int", 0, NULL },
		{ "upgrade_checklist", 0, "string", 16384, NULL },
		{ "upgrade_steps", 0, "string", 16384, NULL },
		{ "rollback_steps", 0, "string", 16384, NULL },
	};
	long long	 app = dl_capp("dtp"), other = dl_capp("dtpo"), t;
	const char	*dep = dl_user("dtpd", app, "view_app,deploy_app", NULL);
	struct resp	*r;
	char		*d;

	t = dl_task(dep, app);
	bad_input_battery("PATCH", fmt("/application/deploy-tasks/%lld/", t),
	    admin_token(), "{\"version\": \"v9\"}", f, NELEM(f), DT_TABLES);
	r = api("PATCH", fmt("/application/deploy-tasks/%lld/", t), dep,
	    fmt("{\"version\": 42, \"rollback_steps\": \"" HAN "\", "
	    "\"deploy_source\": \"/new.war\", \"application_id\": %lld}",
	    other));
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_str_eq(jstr(r->json, "message"), "success");
	ck_assert_str_eq(jstr(r->json, "version"), "42");
	ck_assert_str_eq(jstr(r->json, "rollback_steps"), HAN);
	ck_assert_str_eq(jstr(r->json, "package_source"), "/new.war");
	ck_assert_int_eq(jint(r->json, "application_id"), app);
	ck_assert_str_eq(jstr(r->json, "status"), "wait_review");
	resp_free(r);
	d = dl_last_audit(app);
	ck_assert_msg(d && strstr(d, "update_deploy_task|updated deploy task")
	    && strstr(d, "version: \"v1\" -> \"42\"") &&
	    strstr(d, "rollback_steps: null -> \"" HAN "\"") &&
	    strstr(d, "package_source: \"/data/app.war\" -> \"/new.war\""),
	    "%s", d ? d : "(none)");
	free(d);
	refused_in_at(__FILE__, __LINE__, DT_TABLES, "PATCH",
	    "/application/deploy-tasks/999999999/", "{\"version\": \"x\"}",
	    404, 10008, NULL);
}
END_TEST

/* The bodies of start and delegate: bad input changes nothing. */
START_TEST(action_bodies_refusals)
{
	static const struct field_spec delegate[] = {
		{ "user_id", 1, "int", 0, NULL },
	};
	static const struct field_spec start[] = {
		{ "override_reason", 0, "string", 1024, NULL },
	};
	long long	 app = dl_capp("dtb"), t, uid;

	(void)dl_user("dtbd", app, "view_app,deploy_app", &uid);
	t = dl_task(admin_token(), app);
	bad_input_battery("POST", fmt("/application/deploy-tasks/%lld/actions/"
	    "delegate/", t), admin_token(), fmt("{\"user_id\": %lld}", uid),
	    delegate, NELEM(delegate), DT_TABLES);
	refused_in_at(__FILE__, __LINE__, DT_TABLES, "POST",
	    fmt("/application/deploy-tasks/%lld/actions/delegate/", t),
	    "{\"user_id\": 0}", 400, 10002, "user_id");
	dl_ok(admin_token(), t, "approve", NULL, "approved");
	bad_input_battery("POST", fmt("/application/deploy-tasks/%lld/actions/"
	    "start/", t), admin_token(), "{\"override_reason\": \"x\"}",
	    start, NELEM(start), DT_TABLES);
	/* approve, reject, close read no body, but a body must be JSON */
	refused_in_at(__FILE__, __LINE__, DT_TABLES, "POST",
	    fmt("/application/deploy-tasks/%lld/actions/close/", t), "{\"a\": ",
	    400, 10001, NULL);
	refused_in_at(__FILE__, __LINE__, DT_TABLES, "POST",
	    "/application/deploy-tasks/999999999/actions/approve/", NULL, 404,
	    10008, NULL);
	refused_in_at(__FILE__, __LINE__, DT_TABLES, "POST",
	    "/application/deploy-tasks/abc/actions/approve/", NULL, 404,
	    10008, NULL);
	dl_expect_status(t, "approved");
}
END_TEST

/* ---- two people at once ------------------------------------------------ */

struct racer {
	pthread_t	 t;
	const char	*tok;
	long long	 id;
	const char	*action;
	long		 status;
	int		 code;
};

static void *
race(void *arg)
{
	struct racer	*x = arg;
	char		 path[128];
	struct resp	*r;

	snprintf(path, sizeof(path), "/application/deploy-tasks/%lld/actions/"
	    "%s/", x->id, x->action);
	r = api("POST", path, x->tok, NULL);
	x->status = r->status;
	x->code = r->status != 200 && r->json != NULL && json_object_is_type(
	    jpath(r->json, "error_code"), json_type_int) ?
	    (int)jint(r->json, "error_code") : 0;
	resp_free(r);
	return NULL;
}

/*
 * Run actions a and b on task id at once as ta and tb; which succeeded,
 * as bits (1: a, 2: b).  Each that did not was told the state forbids it.
 */
static int
duel(long long id, const char *ta, const char *a, const char *tb,
    const char *b)
{
	struct racer	x[2] = { { .tok = ta, .id = id, .action = a },
			    { .tok = tb, .id = id, .action = b } };
	int		i, won = 0;

	for (i = 0; i < 2; i++)
		ck_assert_int_eq(pthread_create(&x[i].t, NULL, race, &x[i]), 0);
	for (i = 0; i < 2; i++)
		pthread_join(x[i].t, NULL);
	for (i = 0; i < 2; i++) {
		if (x[i].status == 200)
			won |= 1 << i;
		else
			ck_assert_msg(x[i].status == 409 && x[i].code == 10015,
			    "%s lost with %ld/%d", x[i].action, x[i].status,
			    x[i].code);
	}
	return won;
}

/* Audit rows of task id's transitions among ops ("'a', 'b'"). */
static long long
audited(long long id, const char *ops)
{
	return db_int(fmt("SELECT COUNT(*) FROM audit_log WHERE kind = 'app' "
	    "AND op_type IN (%s) AND op_detail LIKE '%% deploy task %lld %%'",
	    ops, id));
}

START_TEST(concurrent_actions_have_one_outcome)
{
	long long	 app = dl_capp("dtrace"), id;
	const char	*r1 = dl_user("dtr1", app, "view_app,"
			    "review_app_deploy_task", NULL);
	const char	*r2 = dl_user("dtr2", app, "view_app,"
			    "review_app_deploy_task,deploy_app", NULL);
	int		 i, won;

	for (i = 0; i < 15; i++) {
		/* two approvals: one approves, one is told it is approved */
		id = dl_task(admin_token(), app);
		won = duel(id, r1, "approve", r2, "approve");
		ck_assert_msg(won == 1 || won == 2, "approvals: %d", won);
		dl_expect_status(id, "approved");
		ck_assert_int_eq(audited(id, "'approve_deploy_task'"), 1);
		/* approve and reject: exactly one, and the state says which */
		id = dl_task(admin_token(), app);
		won = duel(id, r1, "approve", r2, "reject");
		ck_assert_msg(won == 1 || won == 2, "approve/reject: %d", won);
		dl_expect_status(id, won == 1 ? "approved" : "rejected");
		ck_assert_int_eq(audited(id, "'approve_deploy_task', "
		    "'reject_deploy_task'"), 1);
		/*
		 * approve and close: close is allowed after an approval, so
		 * the task ends closed either way; approve succeeded only if
		 * it came first, and the audit tells the same story.
		 */
		id = dl_task(admin_token(), app);
		won = duel(id, r1, "approve", r2, "close");
		ck_assert_msg(won == 2 || won == 3, "approve/close: %d", won);
		dl_expect_status(id, "closed");
		ck_assert_int_eq(audited(id, "'approve_deploy_task'"),
		    won == 3 ? 1 : 0);
		ck_assert_int_eq(audited(id, "'close_deploy_task'"), 1);
		ck_assert_int_eq(db_int(fmt("SELECT approved_time IS NOT NULL "
		    "FROM deploy_tasks WHERE id = %lld", id)), won == 3);
	}
}
END_TEST

/* ---- mail to whoever acts next ----------------------------------------- */

/* Wait up to 15 s for the count-th mail to addr; the newest, or NULL. */
static char *
mail_wait(const char *addr, int count)
{
	char	*m;
	int	 i, n;

	for (i = 0; i < 300; i++) {
		m = sink_mail(addr, &n);
		if (n >= count)
			return m;
		free(m);
		usleep(50000);
	}
	return NULL;
}

static int
mails_to(const char *addr)
{
	int	 n;

	free(sink_mail(addr, &n));
	return n;
}

#define expect_mail(addr, count, text1, text2) do {			\
	char *m_ = mail_wait((addr), (count));				\
									\
	ck_assert_msg(m_ != NULL, "no mail %d to %s", (count), (addr));	\
	ck_assert_msg(strstr(m_, (text1)) != NULL &&			\
	    strstr(m_, (text2)) != NULL, "mail to %s lacks %s/%s: %s",	\
	    (addr), (text1), (text2), m_);				\
	free(m_);							\
} while (0)

/* A user with perms on app and the address addr; its token. */
static const char *
mail_user(const char *prefix, long long app, const char *perms,
    const char *addr, long long *uid)
{
	const char *tok = dl_user(prefix, app, perms, uid);

	db_exec(fmt("UPDATE users SET email = '%s' WHERE id = %lld", addr,
	    *uid));
	return tok;
}

START_TEST(mail_goes_to_who_acts_next)
{
	long long	 app = dl_capp("dtm"), t, cid, r1id, r2id, did, xid, role;
	char		 ca[128], r1a[128], r2a[128], da[128], xa[128];
	const char	*c, *r1, *r2;

	snprintf(ca, sizeof(ca), "%s@example.com", uniq("creator"));
	snprintf(r1a, sizeof(r1a), "%s@example.com", uniq("rev1"));
	snprintf(r2a, sizeof(r2a), "%s@example.com", uniq("rev2"));
	snprintf(da, sizeof(da), "%s@example.com", uniq("deleg"));
	snprintf(xa, sizeof(xa), "%s@example.com", uniq("bystander"));
	c = mail_user("dtmc", app, "view_app,deploy_app", ca, &cid);
	r1 = mail_user("dtmr", app, "view_app,review_app_deploy_task", r1a,
	    &r1id);
	/* the second reviewer holds the grant through a role */
	r2 = mail_user("dtms", app, "view_app", r2a, &r2id);
	role = db_insert(fmt("INSERT INTO roles (name) VALUES ('%s')",
	    uniq("reviewers")));
	db_exec(fmt("INSERT INTO user_roles (user_id, role_id) VALUES (%lld, "
	    "%lld)", r2id, role));
	db_exec(fmt("INSERT INTO resource_grants VALUES ('role', %lld, "
	    "'application', %lld, 'review_app_deploy_task')", role, app));
	(void)mail_user("dtmd", app, "view_app,deploy_app", da, &did);
	(void)mail_user("dtmx", app, "view_app,deploy_app", xa, &xid);

	/* created: the reviewers, not the creator nor a mere deployer */
	t = dl_task(c, app);
	expect_mail(r1a, 1, fmt("Subject: [Hangar] Review deploy task %lld ",
	    t), "asks for your review");
	expect_mail(r2a, 1, fmt("deploy task %lld", t), "version:");
	/* approved: the creator */
	dl_ok(r1, t, "approve", NULL, "approved");
	expect_mail(ca, 1, fmt("Subject: [Hangar] Deploy task %lld ", t),
	    "approved your deploy task");
	/* delegated: the new assignee */
	dl_ok(r1, t, "delegate", fmt("{\"user_id\": %lld}", did), "approved");
	expect_mail(da, 1, fmt("Deploy task %lld ", t), "delegated this "
	    "deploy task to you");
	/* rejected: the creator */
	t = dl_task(c, app);
	dl_ok(r2, t, "reject", NULL, "rejected");
	expect_mail(ca, 2, fmt("Deploy task %lld ", t), "rejected your deploy "
	    "task");
	/* refused actions and those without mail send nothing */
	expect_error(dl_act(c, t, "approve", NULL), 403, 10007, NULL);
	t = dl_task(c, app);
	dl_ok(c, t, "close", NULL, "closed");
	usleep(1500000);
	ck_assert_int_eq(mails_to(ca), 2);
	ck_assert_int_eq(mails_to(da), 1);
	ck_assert_int_eq(mails_to(xa), 0);
	ck_assert_int_eq(mails_to(r1a), 3);
	ck_assert_int_eq(mails_to(r2a), 3);
}
END_TEST

/* ---- audit listing, authentication ------------------------------------ */

START_TEST(audit_listing_shows_transitions)
{
	struct resp	*r;
	long long	 app = dl_capp("dta"), id = dl_task(admin_token(), app);
	static const char *const ops[] = { "add_deploy_task",
	    "approve_deploy_task", "start_deploy_task", "close_deploy_task" };
	size_t		 i;

	dl_ok(admin_token(), id, "approve", NULL, "approved");
	dl_ok(admin_token(), id, "start", NULL, "running");
	dl_ok(admin_token(), id, "close", NULL, "closed");
	for (i = 0; i < NELEM(ops); i++) {
		r = api("GET", fmt("/audit/app-operations/?op_type=%s&"
		    "op_detail=deploy+task+%lld+", ops[i], id), admin_token(),
		    NULL);
		ck_assert_msg(r->status == 200, "%s", r->body);
		ck_assert_int_eq(jint(r->json, "count"), 1);
		ck_assert(strncmp(jstr(r->json, "results.0.app_name"), "dta-",
		    4) == 0);
		ck_assert_str_eq(jstr(r->json, "results.0.operator"), "admin");
		resp_free(r);
	}
	expect_error(api("GET", "/audit/app-operations/?op_type=eat_task",
	    admin_token(), NULL), 400, 10002, "op_type");
}
END_TEST

START_TEST(auth_required)
{
	static const struct call routes[] = {
		{ "GET", "/application/deploy-tasks/", NULL },
		{ "POST", "/application/deploy-tasks/", "{}" },
		{ "GET", "/application/deploy-tasks/%lld/", NULL },
		{ "PATCH", "/application/deploy-tasks/%lld/", "{}" },
		{ "POST", "/application/deploy-tasks/%lld/actions/approve/", NULL },
		{ "POST", "/application/deploy-tasks/%lld/actions/reject/", NULL },
		{ "POST", "/application/deploy-tasks/%lld/actions/start/", NULL },
		{ "POST", "/application/deploy-tasks/%lld/actions/close/", NULL },
		{ "POST", "/application/deploy-tasks/%lld/actions/delegate/",
		    "{\"user_id\": 1}" },
	};
	long long	 app = dl_capp("dtg"), id = dl_task(admin_token(), app);
	const char	*tok = user_token(uniq("dtplain"), 0, NULL);

	expect_all_refused(routes, NELEM(routes), id, NULL, 401, 10005,
	    DT_TABLES);
	/* without the application module's switch */
	expect_all_refused(routes, NELEM(routes), id, tok, 403, 10007,
	    DT_TABLES);
}
END_TEST

static TCase *
tc_deploy_tasks(void)
{
	TCase *tc = tcase_create("deploy_tasks");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, create_get_every_field);
	tcase_add_test(tc, create_refusals_change_nothing);
	tcase_add_test(tc, list_and_filters);
	tcase_add_test(tc, every_transition_from_every_state);
	tcase_add_test(tc, times_and_people);
	tcase_add_test(tc, who_may_act);
	tcase_add_test(tc, patch_by_the_creator);
	tcase_add_test(tc, action_bodies_refusals);
	tcase_add_test(tc, concurrent_actions_have_one_outcome);
	tcase_add_test(tc, mail_goes_to_who_acts_next);
	tcase_add_test(tc, audit_listing_shows_transitions);
	tcase_add_test(tc, auth_required);
	return tc;
}

int
main(void)
{
	static TCase *(*const cases[])(void) = { tc_deploy_tasks };

	return run_suite("deploy_tasks", cases, 1) ? 1 : 0;
}

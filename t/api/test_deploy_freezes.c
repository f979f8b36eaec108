/*
 * test_deploy_freezes.c -- /application/deploy-freezes/ (issue 11's change
 * freeze windows): superuser CRUD with every field, the listing and its
 * audit trail, bad input that changes nothing, and what a freeze does:
 * starting a covered task is 409 naming the freeze and its end, unless a
 * superuser overrides it with a reason (audited); creating and approving
 * stay open; windows in the past or future, other applications, a
 * production's applications and a parent's descendants.
 */
#include <time.h>

#include "dtasklib.h"

#define FZ_TABLES	"deploy_freezes,deploy_freeze_apps," \
			"deploy_freeze_productions,audit_log"

/* A freeze of the given window (Unix seconds) and lists; its id. */
static long long
mkfreeze(const char *name, long long starts, long long ends,
    const char *lists)
{
	return api_create("/application/deploy-freezes/", "{\"name\": \"%s\", "
	    "\"starts\": %lld, \"ends\": %lld%s%s}", name, starts, ends,
	    lists ? ", " : "", lists ? lists : "");
}

static void
rmfreeze(long long id)
{
	expect_status(api("DELETE", fmt("/application/deploy-freezes/%lld/",
	    id), admin_token(), NULL), 200);
}

/* An approved task of app, created and approved by the admin. */
static long long
approved_task(long long app)
{
	long long id = dl_task(admin_token(), app);

	dl_ok(admin_token(), id, "approve", NULL, "approved");
	return id;
}

START_TEST(crud_every_field)
{
	struct resp	*r;
	long long	 app = dl_app(uniq("fza")), prod, id;
	long long	 now = (long long)time(NULL);
	char		 name[128];
	char		*d;

	prod = api_create("/productions/", "{\"name\": \"%s\"}", uniq("fzp"));
	snprintf(name, sizeof(name), "%s-" HAN, uniq("freeze"));
	r = api_f("POST", "/applications/deploy-freezes", admin_token(),
	    "{\"name\": \"%s\", \"starts\": \"2030-01-01T00:00:00Z\", "
	    "\"ends\": %lld, \"reason\": \"" SQLI "\", \"applications\": "
	    "[{\"id\": %lld}], \"productions\": [%lld], \"extra\": 1}", name,
	    1893542400LL, app, prod);
	ck_assert_msg(r->status == 201, "%s", r->body);
	id = jint(r->json, "id");
	ck_assert_str_eq(jstr(r->json, "name"), name);
	ck_assert_int_eq(rfc3339_secs(jstr(r->json, "starts")), 1893456000LL);
	ck_assert_int_eq(rfc3339_secs(jstr(r->json, "ends")), 1893542400LL);
	ck_assert_str_eq(jstr(r->json, "reason"), SQLI);
	ck_assert_int_eq(jint(r->json, "applications.0.id"), app);
	ck_assert(strncmp(jstr(r->json, "applications.0.full_name"), "fza-",
	    4) == 0);
	ck_assert_int_eq(jint(r->json, "productions.0.id"), prod);
	ck_assert(strncmp(jstr(r->json, "productions.0.name"), "fzp-", 4) == 0);
	ck_assert(!json_object_get_boolean(jpath(r->json, "active")));
	ck_assert_str_eq(jstr(r->json, "creator"), "admin");
	expect_recent(r->json, "created_time");
	ck_assert_ptr_null(jpath(r->json, "extra"));
	resp_free(r);

	r = api("GET", fmt("/application/deploy-freezes/%lld/", id),
	    admin_token(), NULL);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_str_eq(jstr(r->json, "name"), name);
	resp_free(r);
	r = api("GET", fmt("/application/deploy-freezes/?name=%.*s",
	    (int)strlen(name) - 6, name), admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	ck_assert_int_eq(jint(r->json, "results.0.id"), id);
	resp_free(r);
	r = api("GET", "/application/deploy-freezes/?active=true&page_size=1000",
	    admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), db_int("SELECT COUNT(*) FROM "
	    "deploy_freezes WHERE starts <= UTC_TIMESTAMP() AND "
	    "ends > UTC_TIMESTAMP()"));
	resp_free(r);

	/* PATCH: into the present, lists emptied (every application) */
	r = api_f("PATCH", fmt("/application/deploy-freezes/%lld/", id),
	    admin_token(), "{\"starts\": %lld, \"ends\": %lld, "
	    "\"applications\": [], \"productions\": []}", now + 3600,
	    now + 7200);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_int_eq(json_object_array_length(jpath(r->json,
	    "applications")), 0);
	ck_assert_int_eq(json_object_array_length(jpath(r->json,
	    "productions")), 0);
	ck_assert_str_eq(jstr(r->json, "reason"), SQLI);
	resp_free(r);
	d = db_str(fmt("SELECT CONCAT(op_type, '|', op_detail) FROM audit_log "
	    "WHERE kind = 'deploy_freeze' AND target_id = %lld ORDER BY id DESC "
	    "LIMIT 1", id));
	ck_assert_msg(d && strncmp(d, "update|updated deploy freeze", 28) == 0 &&
	    strstr(d, "applications: ") && strstr(d, "-> null"), "%s", d);
	free(d);

	r = api("GET", fmt("/audit/deploy-freeze-operations/?freeze_name=%s",
	    name), admin_token(), NULL);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_int_eq(jint(r->json, "count"), 2);
	ck_assert_str_eq(jstr(r->json, "results.0.op_type"), "update");
	ck_assert_str_eq(jstr(r->json, "results.1.op_type"), "add");
	ck_assert_str_eq(jstr(r->json, "results.1.freeze_name"), name);
	resp_free(r);

	rmfreeze(id);
	expect_error(api("GET", fmt("/application/deploy-freezes/%lld/", id),
	    admin_token(), NULL), 404, 10008, NULL);
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM audit_log WHERE "
	    "kind = 'deploy_freeze' AND target_id = %lld AND op_type = "
	    "'delete'", id)), 1);
}
END_TEST

START_TEST(refusals_change_nothing)
{
	static const struct field_spec f[] = {
		{ "name", 1, "string", 128, NULL },
		{ "starts", 1, "bool", 0, NULL },
		{ "ends", 1, "bool", 0, NULL },
		{ "reason", 0, "string", 1024, NULL },
		{ "applications", 0, "array", 0, NULL },
		{ "productions", 0, "array", 0, NULL },
	};
	static const struct field_spec pf[] = {
		{ "name", 0, "string", 128, NULL },
		{ "starts", 0, "bool", 0, NULL },
		{ "ends", 0, "bool", 0, NULL },
		{ "reason", 0, "string", 1024, NULL },
	};
	static const struct call writes[] = {
		{ "POST", "/application/deploy-freezes/",
		    "{\"name\": \"x\", \"starts\": 1, \"ends\": 2}" },
		{ "PATCH", "/application/deploy-freezes/%lld/",
		    "{\"name\": \"y\"}" },
		{ "DELETE", "/application/deploy-freezes/%lld/", NULL },
	};
	const char	*taken = uniq("fztaken");
	long long	 id = mkfreeze(taken, 1893456000LL, 1893542400LL, NULL);
	long long	 app = dl_app(uniq("fzr"));
	const char	*user = dl_user("fzu", app, "view_app", NULL);
	const char	*good = "{\"name\": \"fresh\", \"starts\": 1893456000, "
			    "\"ends\": 1893542400}";
	const char	*path = fmt("/application/deploy-freezes/%lld/", id);
	struct resp	*r;

	bad_input_battery("POST", "/application/deploy-freezes/",
	    admin_token(), good, f, NELEM(f), FZ_TABLES);
	bad_input_battery("PATCH", path, admin_token(), "{\"reason\": \"r\"}",
	    pf, NELEM(pf), FZ_TABLES);
	refused_in_at(__FILE__, __LINE__, FZ_TABLES, "POST",
	    "/application/deploy-freezes/", "{\"name\": \"e\", \"starts\": "
	    "1893542400, \"ends\": 1893456000}", 400, 10002, "ends");
	refused_in_at(__FILE__, __LINE__, FZ_TABLES, "POST",
	    "/application/deploy-freezes/", "{\"name\": \"e\", \"starts\": "
	    "1893542400, \"ends\": 1893542400}", 400, 10002, "ends");
	refused_in_at(__FILE__, __LINE__, FZ_TABLES, "PATCH", path,
	    "{\"ends\": \"2029-12-31\"}", 400, 10002, "ends");
	refused_in_at(__FILE__, __LINE__, FZ_TABLES, "POST",
	    "/application/deploy-freezes/", "{\"name\": \"e\", \"starts\": 1, "
	    "\"ends\": 2, \"applications\": [999999999]}", 400, 10002,
	    "applications[0]");
	refused_in_at(__FILE__, __LINE__, FZ_TABLES, "PATCH", path,
	    "{\"productions\": [{\"id\": 999999999}]}", 400, 10002,
	    "productions[0]");
	refused_in_at(__FILE__, __LINE__, FZ_TABLES, "POST",
	    "/application/deploy-freezes/", "{\"name\": \"e\", \"starts\": "
	    "\"next week\", \"ends\": 2}", 400, 10002, "starts");
	refused_in_at(__FILE__, __LINE__, FZ_TABLES, "POST",
	    "/application/deploy-freezes/", fmt("{\"name\": \"%s\", "
	    "\"starts\": 1, \"ends\": 2}", taken), 409, 10010, NULL);
	refused_in_at(__FILE__, __LINE__, FZ_TABLES, "PATCH",
	    "/application/deploy-freezes/999999999/", "{\"name\": \"z\"}", 404,
	    10008, NULL);
	refused_in_at(__FILE__, __LINE__, FZ_TABLES, "DELETE",
	    "/application/deploy-freezes/999999999/", NULL, 404, 10008, NULL);
	/* superusers write; the application module reads */
	expect_all_refused(writes, NELEM(writes), id, user, 403, 10007,
	    FZ_TABLES);
	expect_all_refused(writes, NELEM(writes), id, NULL, 401, 10005,
	    FZ_TABLES);
	r = api("GET", path, user, NULL);
	ck_assert_msg(r->status == 200, "%s", r->body);
	resp_free(r);
	expect_error(api("GET", "/application/deploy-freezes/?active=maybe",
	    admin_token(), NULL), 400, 10002, "active");
	expect_error(api("GET", "/audit/deploy-freeze-operations/", user, NULL),
	    403, 10007, NULL);
	rmfreeze(id);
}
END_TEST

/* Start a task and expect the freeze's refusal; nothing changes. */
static void
expect_frozen(const char *tok, long long task, const char *freeze,
    const char *body)
{
	char		*before = db_fingerprint(DT_TABLES);
	struct resp	*r = dl_act(tok, task, "start", body);

	ck_assert_msg(r->status == 409, "start: %ld %s", r->status, r->body);
	ck_assert_int_eq(jint(r->json, "error_code"), 10015);
	ck_assert_msg(strstr(jstr(r->json, "message"), freeze) != NULL &&
	    strstr(jstr(r->json, "message"), "until ") != NULL, "%s", r->body);
	resp_free(r);
	db_unchanged(before, DT_TABLES);
	dl_expect_status(task, "approved");
}

START_TEST(freeze_blocks_start_of_covered_tasks)
{
	long long	 now = (long long)time(NULL);
	long long	 parent = dl_capp("fzparent"), child, other, f, t, t2;
	long long	 uid;
	const char	*fname = uniq("fzwin");
	const char	*dep;
	char		*d;
	struct resp	*r;

	child = api_create("/applications/", "{\"name\": \"%s\", "
	    "\"parent_app\": %lld}", uniq("fzchild"), parent);
	dl_configure(child);
	other = dl_capp("fzother");
	dep = dl_user("fzd", child, "view_app,deploy_app", &uid);
	/* the freeze covers the parent and so its child */
	f = mkfreeze(fname, now - 60, now + 3600, fmt("\"applications\": "
	    "[%lld], \"reason\": \"release week\"", parent));
	/* creating and approving stay open; the task is the deployer's */
	t = dl_task(dep, child);
	dl_ok(admin_token(), t, "approve", NULL, "approved");
	expect_frozen(dep, t, fname, NULL);
	/* only a superuser overrides, and only with a reason */
	expect_error(dl_act(dep, t, "start", "{\"override_reason\": \"x\"}"),
	    403, 10007, NULL);
	t2 = approved_task(parent);
	expect_frozen(admin_token(), t2, fname, NULL);
	expect_error(dl_act(admin_token(), t2, "start",
	    "{\"override_reason\": \"\"}"), 400, 10002, "override_reason");
	dl_ok(admin_token(), t2, "start", "{\"override_reason\": \"hotfix "
	    HAN "\"}", "running");
	d = dl_last_audit(parent);
	ck_assert_msg(d && strncmp(d, "start_deploy_task|started", 25) == 0 &&
	    strstr(d, fname) && strstr(d, "hotfix " HAN), "%s", d);
	free(d);
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM audit_log WHERE "
	    "kind = 'deploy_freeze' AND target_id = %lld AND op_type = "
	    "'override' AND op_detail LIKE '%%deploy task %lld %%hotfix%%'",
	    f, t2)), 1);
	/* another application is not frozen */
	dl_ok(admin_token(), approved_task(other), "start", NULL, "running");
	r = api("GET", fmt("/application/deploy-freezes/%lld/", f), dep, NULL);
	ck_assert(json_object_get_boolean(jpath(r->json, "active")));
	resp_free(r);
	/* moved to the future, it no longer applies */
	expect_status(api_f("PATCH", fmt("/application/deploy-freezes/%lld/",
	    f), admin_token(), "{\"starts\": %lld, \"ends\": %lld}",
	    now + 3600, now + 7200), 200);
	dl_ok(dep, t, "start", NULL, "running");
	rmfreeze(f);
}
END_TEST

START_TEST(freeze_by_production_and_for_everything)
{
	long long	 now = (long long)time(NULL);
	long long	 app = dl_capp("fzprodapp"), prod, f, t, t2;
	const char	*fname = uniq("fzprod");
	struct resp	*r;
	long		 st;

	prod = api_create("/productions/", "{\"name\": \"%s\"}", uniq("fzpp"));
	expect_status(api_f("POST", fmt("/productions/%lld/applications/",
	    prod), admin_token(), "[{\"id\": %lld}]", app), 200);
	f = mkfreeze(fname, now - 60, now + 600, fmt("\"productions\": "
	    "[%lld]", prod));
	t = approved_task(app);
	expect_frozen(admin_token(), t, fname, NULL);
	rmfreeze(f);
	/* a window that has ended */
	f = mkfreeze(uniq("fzpast"), now - 7200, now - 3600, NULL);
	t2 = approved_task(app);
	dl_ok(admin_token(), t2, "start", NULL, "running");
	rmfreeze(f);
	/*
	 * No lists: every application.  Removed before the checks so that
	 * a failure cannot leave the stack frozen for the tests after.
	 */
	f = mkfreeze(uniq("fzall"), now - 60, now + 600, NULL);
	r = dl_act(admin_token(), t, "start", NULL);
	st = r->status;
	resp_free(r);
	rmfreeze(f);
	ck_assert_int_eq(st, 409);
	dl_ok(admin_token(), t, "start", NULL, "running");
}
END_TEST

static TCase *
tc_freezes(void)
{
	TCase *tc = tcase_create("deploy_freezes");

	tcase_set_timeout(tc, 120);
	tcase_add_test(tc, crud_every_field);
	tcase_add_test(tc, refusals_change_nothing);
	tcase_add_test(tc, freeze_blocks_start_of_covered_tasks);
	tcase_add_test(tc, freeze_by_production_and_for_everything);
	return tc;
}

int
main(void)
{
	static TCase *(*const cases[])(void) = { tc_freezes };

	return run_suite("deploy_freezes", cases, 1) ? 1 : 0;
}

/*
 * reqlib.h -- what the resource request tests share (test_requests_hosts.c,
 * test_requests_domains.c, test_requests_ssl.c): users holding the
 * module's permissions, requests brought to a state, the scenarios every
 * kind goes through (every transition from every state, who may act,
 * the list and its filters, two people at once, mail, authentication),
 * each run for the file's kind.
 *
 * Header-only (static functions): the Makefile links each
 * t/api/test_NAME.c with client.o alone.
 */
#ifndef HG_TEST_REQLIB_H
#define HG_TEST_REQLIB_H

#include <dirent.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "authlib.h"

/* Every table a request writes (mails apart: the agent changes them). */
#define RQ_TABLES	"resource_requests,host_requests," \
	"host_request_log_users,host_request_hosts,domain_requests," \
	"domain_request_records,ssl_requests,resource_request_apps,audit_log"
#define SQLI		"'; DROP TABLE resource_requests; --"
#define HAN		"\345\274\240\344\270\211"	/* 张三 */
#define NELEM(t)	(sizeof(t) / sizeof((t)[0]))

/* A kind as the tests see it. */
struct kind {
	const char	*path;		/* "/resource-request/hosts/" */
	const char	*name;		/* resource_requests.kind */
	const char	*approve;	/* approve_host_req */
	const char	*other;		/* another kind's approve perm */
	/* a valid create body (fresh text each call) */
	const char	*(*body)(void);
	/* a valid finish body for request id, or NULL (no body) */
	const char	*(*finish)(long long id);
};

/*
 * A new user holding the module's switch and perms ("a,b" of the module
 * resource_request; NULL: the switch alone); its token.
 */
static UNUSED const char *
rq_user(const char *prefix, const char *perms, long long *uid)
{
	const char	*tok;
	long long	 id;
	char		 name[64], buf[256], *p, *save = NULL;

	snprintf(name, sizeof(name), "%s", uniq(prefix));
	tok = user_token(name, 0, &id);
	db_exec(fmt("INSERT IGNORE INTO module_grants VALUES ('user', %lld, "
	    "'resource_request', 'enable_resource_req')", id));
	if (perms != NULL) {
		snprintf(buf, sizeof(buf), "%s", perms);
		for (p = strtok_r(buf, ",", &save); p != NULL;
		    p = strtok_r(NULL, ",", &save))
			db_exec(fmt("INSERT IGNORE INTO module_grants VALUES "
			    "('user', %lld, 'resource_request', '%s')", id, p));
	}
	if (uid != NULL)
		*uid = id;
	return tok;
}

/* A request of kind k created as tok with body (NULL: k's); its id. */
static UNUSED long long
rq_new(const struct kind *k, const char *tok, const char *body)
{
	struct resp	*r = api("POST", k->path, tok, body ? body : k->body());
	long long	 id;

	ck_assert_msg(r->status == 201, "creating a %s request: %ld %s",
	    k->name, r->status, r->body);
	id = jint(r->json, "id");
	resp_free(r);
	return id;
}

/* POST .../{id}/actions/<action>/ as tok (body NULL: none). */
static UNUSED struct resp *
rq_do(const struct kind *k, const char *tok, long long id, const char *action,
    const char *body)
{
	return api("POST", fmt("%s%lld/actions/%s/", k->path, id, action), tok,
	    body);
}

/* Do action as tok: 200 with message success and the status want. */
#define rq_ok(k_, tok_, id_, action_, body_, want_) do {		\
	struct resp *r_ = rq_do((k_), (tok_), (id_), (action_), (body_)); \
									\
	ck_assert_msg(r_->status == 200, "%s %lld: %ld %s", (action_),	\
	    (long long)(id_), r_->status, r_->body);			\
	ck_assert_str_eq(jstr(r_->json, "status"), (want_));		\
	ck_assert_str_eq(jstr(r_->json, "message"), "success");	\
	resp_free(r_);							\
} while (0)

static UNUSED char *
rq_status(long long id)
{
	return db_str(fmt("SELECT status FROM resource_requests WHERE id = "
	    "%lld", id));
}

#define rq_expect_status(id, want) do {					\
	char *s_ = rq_status(id);					\
									\
	ck_assert_msg(s_ != NULL && strcmp(s_, (want)) == 0,		\
	    "request %lld is %s, not %s", (long long)(id),		\
	    s_ ? s_ : "gone", (want));					\
	free(s_);							\
} while (0)

/* Bring new request id to state (as the admin, through the API). */
static UNUSED void
rq_to(const struct kind *k, long long id, const char *state)
{
	const char *adm = admin_token();

	if (strcmp(state, "wait_review") == 0)
		return;
	if (strcmp(state, "rejected") == 0) {
		rq_ok(k, adm, id, "reject", NULL, "rejected");
		return;
	}
	if (strcmp(state, "closed") == 0) {
		rq_ok(k, adm, id, "close", NULL, "closed");
		return;
	}
	rq_ok(k, adm, id, "approve", NULL, "approved");
	if (strcmp(state, "finished") == 0)
		rq_ok(k, adm, id, "finish", k->finish ? k->finish(id) : NULL,
		    "finished");
}

/* Audit rows of request id with op_type op. */
static UNUSED long long
rq_audited(long long id, const char *op)
{
	return db_int(fmt("SELECT COUNT(*) FROM audit_log WHERE kind = "
	    "'request' AND target_id = %lld AND op_type = '%s'", id, op));
}

/* The available_actions that are true, "a,b". */
static UNUSED const char *
rq_actions(json_object *o)
{
	static const char *const keys[] = { "edit", "approve", "reject",
	    "close", "finish" };
	static char	 got[128];
	json_object	*a = jpath(o, "available_actions"), *v;
	size_t		 i;

	got[0] = '\0';
	ck_assert_ptr_nonnull(a);
	ck_assert_int_eq(json_object_object_length(a), 5);
	for (i = 0; i < NELEM(keys); i++) {
		ck_assert(json_object_object_get_ex(a, keys[i], &v) &&
		    json_object_is_type(v, json_type_boolean));
		if (json_object_get_boolean(v))
			snprintf(got + strlen(got), sizeof(got) - strlen(got),
			    "%s%s", *got ? "," : "", keys[i]);
	}
	return got;
}

/* ---- every transition from every state --------------------------------- */

static const char *const rq_states[] = { "wait_review", "approved",
    "rejected", "closed", "finished" };
/* The seed's code for "already <state>", 10015 where it has none. */
static UNUSED int
rq_code(const char *state)
{
	if (strcmp(state, "approved") == 0)
		return 30001;
	if (strcmp(state, "closed") == 0)
		return 30002;
	if (strcmp(state, "finished") == 0)
		return 30003;
	if (strcmp(state, "rejected") == 0)
		return 30004;
	return 10015;
}

static UNUSED void
rq_every_transition(const struct kind *k)
{
	static const struct {
		const char	*action;
		const char	*from;	/* states it is allowed in, ",a,b," */
		const char	*to;	/* NULL: unchanged */
		const char	*op;
	} acts[] = {
		{ "edit", ",wait_review,", NULL, "update_request" },
		{ "approve", ",wait_review,", "approved", "approve_request" },
		{ "reject", ",wait_review,", "rejected", "reject_request" },
		{ "close", ",wait_review,approved,", "closed", "close_request" },
		{ "finish", ",approved,", "finished", "finish_request" },
	};
	const char	*adm = admin_token();
	size_t		 s, a;

	for (s = 0; s < NELEM(rq_states); s++)
		for (a = 0; a < NELEM(acts); a++) {
			long long	 id = rq_new(k, adm, NULL);
			int		 ok;
			struct resp	*r;
			char		*before;

			rq_to(k, id, rq_states[s]);
			ok = strstr(acts[a].from, fmt(",%s,", rq_states[s])) !=
			    NULL;
			before = db_fingerprint(RQ_TABLES);
			if (strcmp(acts[a].action, "edit") == 0)
				r = api("PATCH", fmt("%s%lld/", k->path, id), adm,
				    "{\"purpose\": \"changed " HAN "\"}");
			else
				r = rq_do(k, adm, id, acts[a].action,
				    strcmp(acts[a].action, "finish") == 0 &&
				    k->finish ? k->finish(id) : NULL);
			if (!ok) {
				expect_error(r, 409, rq_code(rq_states[s]), NULL);
				db_unchanged(before, RQ_TABLES);
				rq_expect_status(id, rq_states[s]);
				continue;
			}
			free(before);
			ck_assert_msg(r->status == 200, "%s from %s: %ld %s",
			    acts[a].action, rq_states[s], r->status, r->body);
			ck_assert_str_eq(jstr(r->json, "message"), "success");
			ck_assert_str_eq(jstr(r->json, "status"), acts[a].to ?
			    acts[a].to : rq_states[s]);
			ck_assert_int_eq(jint(r->json, "id"), id);
			resp_free(r);
			rq_expect_status(id, acts[a].to ? acts[a].to :
			    rq_states[s]);
			ck_assert_int_eq(rq_audited(id, acts[a].op), 1);
		}
}

/* ---- who may act ------------------------------------------------------- */

static UNUSED void
rq_who_may_act(const struct kind *k)
{
	long long	 cid, id, oid;
	const char	*creator = rq_user("rqc", "create_resource_req", &cid);
	const char	*peer = rq_user("rqp", "create_resource_req", NULL);
	const char	*appr = rq_user("rqa", k->approve, NULL);
	const char	*alien = rq_user("rqo", fmt("create_resource_req,%s",
			    k->other), NULL);
	const char	*bare = user_token(uniq("rqn"), 0, NULL);
	const char	*sw = rq_user("rqs", NULL, NULL);
	struct resp	*r;
	char		*before;

	id = rq_new(k, creator, NULL);
	/* the creator: edit and close its own */
	r = api("GET", fmt("%s%lld/", k->path, id), creator, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(rq_actions(r->json), "edit,close");
	ck_assert_ptr_nonnull(jstr(r->json, "creator"));
	ck_assert(strncmp(jstr(r->json, "creator"), "rqc-", 4) == 0);
	resp_free(r);
	/* an approver sees it and may decide it, not edit it */
	r = api("GET", fmt("%s%lld/", k->path, id), appr, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(rq_actions(r->json), "approve,reject,close");
	resp_free(r);
	r = api("GET", fmt("%s%lld/", k->path, id), admin_token(), NULL);
	ck_assert_str_eq(rq_actions(r->json), "edit,approve,reject,close");
	resp_free(r);

	before = db_fingerprint(RQ_TABLES);
	/* another requester, another kind's approver: as if it did not exist */
	expect_error(api("GET", fmt("%s%lld/", k->path, id), peer, NULL), 404,
	    10008, NULL);
	expect_error(api("GET", fmt("%s%lld/", k->path, id), alien, NULL), 404,
	    10008, NULL);
	expect_error(rq_do(k, peer, id, "close", NULL), 404, 10008, NULL);
	expect_error(rq_do(k, alien, id, "approve", NULL), 404, 10008, NULL);
	expect_error(api("PATCH", fmt("%s%lld/", k->path, id), alien,
	    "{\"purpose\": \"x\"}"), 404, 10008, NULL);
	/* the creator may not decide its own */
	expect_error(rq_do(k, creator, id, "approve", NULL), 403, 10007, NULL);
	expect_error(rq_do(k, creator, id, "reject", NULL), 403, 10007, NULL);
	expect_error(rq_do(k, creator, id, "finish", k->finish ?
	    k->finish(id) : NULL), 403, 10007, NULL);
	/* an approver may not edit someone's request */
	expect_error(api("PATCH", fmt("%s%lld/", k->path, id), appr,
	    "{\"purpose\": \"x\"}"), 403, 10007, NULL);
	/* without the switch: every route 403, even a create */
	expect_error(api("GET", k->path, bare, NULL), 403, 10007, NULL);
	expect_error(api("GET", fmt("%s%lld/", k->path, id), bare, NULL), 403,
	    10007, NULL);
	expect_error(api("POST", k->path, bare, k->body()), 403, 10007, NULL);
	expect_error(rq_do(k, bare, id, "approve", NULL), 403, 10007, NULL);
	/* the switch without create_resource_req: no create */
	expect_error(api("POST", k->path, sw, k->body()), 403, 10007, NULL);
	expect_error(api("POST", k->path, appr, k->body()), 403, 10007, NULL);
	/* an unknown id */
	expect_error(api("GET", fmt("%s999999999/", k->path), admin_token(),
	    NULL), 404, 10008, NULL);
	expect_error(rq_do(k, admin_token(), 999999999, "approve", NULL), 404,
	    10008, NULL);
	db_unchanged(before, RQ_TABLES);

	/* the approver decides, the creator closes its own */
	rq_ok(k, appr, id, "approve", NULL, "approved");
	ck_assert_int_eq(db_int(fmt("SELECT reviewer_id IS NOT NULL FROM "
	    "resource_requests WHERE id = %lld", id)), 1);
	r = api("GET", fmt("%s%lld/", k->path, id), creator, NULL);
	ck_assert_str_eq(rq_actions(r->json), "close");
	ck_assert(strncmp(jstr(r->json, "reviewer"), "rqa-", 4) == 0);
	expect_recent(r->json, "decided_time");
	resp_free(r);
	rq_ok(k, creator, id, "close", NULL, "closed");
	r = api("GET", fmt("%s%lld/", k->path, id), creator, NULL);
	ck_assert_str_eq(rq_actions(r->json), "");
	expect_recent(r->json, "finished_time");
	resp_free(r);
	/* the approver finishes, the superuser does anything */
	oid = rq_new(k, creator, NULL);
	rq_ok(k, appr, oid, "approve", NULL, "approved");
	rq_ok(k, appr, oid, "finish", k->finish ? k->finish(oid) : NULL,
	    "finished");
	oid = rq_new(k, creator, NULL);
	r = api("PATCH", fmt("%s%lld/", k->path, oid), admin_token(),
	    "{\"purpose\": \"by the superuser\"}");
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_str_eq(jstr(r->json, "purpose"), "by the superuser");
	resp_free(r);
	rq_ok(k, admin_token(), oid, "reject", NULL, "rejected");
	/* the creator's PATCH */
	oid = rq_new(k, creator, NULL);
	r = api("PATCH", fmt("%s%lld/", k->path, oid), creator,
	    "{\"purpose\": \"" HAN " " SQLI "\", \"expect_delivery_days\": 3}");
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_str_eq(jstr(r->json, "purpose"), HAN " " SQLI);
	ck_assert_str_eq(jstr(r->json, "expect_delivery_days"), "3");
	ck_assert_str_eq(jstr(r->json, "message"), "success");
	expect_recent(r->json, "updated_time");
	resp_free(r);
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM audit_log WHERE "
	    "kind = 'request' AND target_id = %lld AND op_type = "
	    "'update_request' AND op_detail LIKE '%%expect_delivery_days: "
	    "\"7\" -> \"3\"%%'", oid)), 1);
}

/* ---- the list ---------------------------------------------------------- */

static UNUSED void
rq_list_filters(const struct kind *k)
{
	long long	 uid, a, b, c;
	const char	*me = rq_user("rql", "create_resource_req", &uid);
	const char	*peer = rq_user("rqm", "create_resource_req", NULL);
	const char	*appr = rq_user("rqv", k->approve, NULL);
	const char	*alien = rq_user("rqx", k->other, NULL);
	const char	*myname;
	struct resp	*r;
	long long	 total;

	a = rq_new(k, me, NULL);
	b = rq_new(k, me, NULL);
	c = rq_new(k, peer, NULL);
	rq_ok(k, appr, b, "approve", NULL, "approved");
	/* a requester sees its own, newest first */
	r = api("GET", k->path, me, NULL);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_int_eq(jint(r->json, "count"), 2);
	ck_assert_int_eq(jint(r->json, "results.0.id"), b);
	ck_assert_int_eq(jint(r->json, "results.1.id"), a);
	ck_assert_str_eq(jstr(r->json, "results.0.status"), "approved");
	ck_assert(jnull(r->json, "prev") && jnull(r->json, "next"));
	myname = strdup(jstr(r->json, "results.0.creator"));
	resp_free(r);
	r = api("GET", fmt("%s?status=approved", k->path), me, NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	ck_assert_int_eq(jint(r->json, "results.0.id"), b);
	resp_free(r);
	r = api("GET", fmt("%s?page_size=1&page=2", k->path), me, NULL);
	ck_assert_int_eq(jint(r->json, "count"), 2);
	ck_assert_int_eq(jint(r->json, "results.0.id"), a);
	ck_assert_ptr_nonnull(jstr(r->json, "prev"));
	resp_free(r);
	/* another kind's approver sees none of this kind but its own */
	r = api("GET", k->path, alien, NULL);
	ck_assert_int_eq(jint(r->json, "count"), 0);
	resp_free(r);
	/* an approver sees every one */
	total = db_int(fmt("SELECT COUNT(*) FROM resource_requests WHERE "
	    "kind = '%s'", k->name));
	r = api("GET", k->path, appr, NULL);
	ck_assert_int_eq(jint(r->json, "count"), total);
	ck_assert_int_eq(jint(r->json, "results.0.id"), c);
	resp_free(r);
	r = api("GET", fmt("%s?status=wait_review&page_size=1000", k->path),
	    appr, NULL);
	ck_assert_int_eq(jint(r->json, "count"), db_int(fmt("SELECT COUNT(*) "
	    "FROM resource_requests WHERE kind = '%s' AND status = "
	    "'wait_review'", k->name)));
	resp_free(r);
	/* creator: a substring, % and _ literal */
	r = api("GET", fmt("%s?creator=%s", k->path, myname + 1), appr, NULL);
	ck_assert_int_eq(jint(r->json, "count"), 2);
	resp_free(r);
	r = api("GET", fmt("%s?creator=rql%%25", k->path), appr, NULL);
	ck_assert_int_eq(jint(r->json, "count"), 0);
	resp_free(r);
	r = api("GET", fmt("%s?creator=%s&status=approved", k->path, myname),
	    appr, NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	resp_free(r);
	/* time bounds: inclusive, dates and Unix seconds */
	db_exec(fmt("UPDATE resource_requests SET created_time = "
	    "'2018-04-18 07:38:40' WHERE id = %lld", a));
	r = api("GET", fmt("%s?time__lt=2018-04-18&creator=%s", k->path,
	    myname), appr, NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	ck_assert_int_eq(jint(r->json, "results.0.id"), a);
	resp_free(r);
	r = api("GET", fmt("%s?time__gt=1524037120&creator=%s", k->path,
	    myname), me, NULL);
	ck_assert_int_eq(jint(r->json, "count"), 2);
	resp_free(r);
	r = api("GET", fmt("%s?time__gt=1524037121&creator=%s", k->path,
	    myname), me, NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	resp_free(r);
	r = api("GET", fmt("%s?time__gt=2018-04-19", k->path), me, NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	ck_assert_int_eq(jint(r->json, "results.0.id"), b);
	resp_free(r);
	/* bad filters */
	expect_error(api("GET", fmt("%s?status=done", k->path), me, NULL), 400,
	    10002, "status");
	expect_error(api("GET", fmt("%s?time__gt=yesterday", k->path), me,
	    NULL), 400, 10002, "time__gt");
	expect_error(api("GET", fmt("%s?page_size=1001", k->path), me, NULL),
	    400, 10002, NULL);
	free((char *)myname);
}

/* ---- two people at once ------------------------------------------------ */

struct racer {
	pthread_t		 t;
	const struct kind	*k;
	const char		*tok;
	long long		 id;
	const char		*action;
	const char		*body;
	long			 status;
	int			 code;
};

static UNUSED void *
rq_race(void *arg)
{
	struct racer	*x = arg;
	char		 path[160];
	struct resp	*r;

	snprintf(path, sizeof(path), "%s%lld/actions/%s/", x->k->path, x->id,
	    x->action);
	r = api("POST", path, x->tok, x->body);
	x->status = r->status;
	x->code = r->status != 200 && r->json != NULL && json_object_is_type(
	    jpath(r->json, "error_code"), json_type_int) ?
	    (int)jint(r->json, "error_code") : 0;
	resp_free(r);
	return NULL;
}

/* Run a and b at once on id; which succeeded, as bits (1: a, 2: b). */
static UNUSED int
rq_duel(const struct kind *k, long long id, const char *ta, const char *a,
    const char *tb, const char *b)
{
	struct racer	x[2] = {
		{ .k = k, .tok = ta, .id = id, .action = a },
		{ .k = k, .tok = tb, .id = id, .action = b } };
	int		i, won = 0;

	for (i = 0; i < 2; i++) {
		if (strcmp(x[i].action, "finish") == 0 && k->finish)
			x[i].body = strdup(k->finish(id));
		ck_assert_int_eq(pthread_create(&x[i].t, NULL, rq_race, &x[i]),
		    0);
	}
	for (i = 0; i < 2; i++)
		pthread_join(x[i].t, NULL);
	for (i = 0; i < 2; i++) {
		free((char *)x[i].body);
		if (x[i].status == 200)
			won |= 1 << i;
		else
			ck_assert_msg(x[i].status == 409 && x[i].code >= 30001 &&
			    x[i].code <= 30004, "%s lost with %ld/%d",
			    x[i].action, x[i].status, x[i].code);
	}
	return won;
}

static UNUSED void
rq_concurrent(const struct kind *k)
{
	const char	*r1 = rq_user("rqr1", k->approve, NULL);
	const char	*r2 = rq_user("rqr2", k->approve, NULL);
	long long	 id;
	int		 i, won;

	for (i = 0; i < 8; i++) {
		id = rq_new(k, admin_token(), NULL);
		won = rq_duel(k, id, r1, "approve", r2, "approve");
		ck_assert_msg(won == 1 || won == 2, "approvals: %d", won);
		rq_expect_status(id, "approved");
		ck_assert_int_eq(rq_audited(id, "approve_request"), 1);

		id = rq_new(k, admin_token(), NULL);
		won = rq_duel(k, id, r1, "approve", r2, "reject");
		ck_assert_msg(won == 1 || won == 2, "approve/reject: %d", won);
		rq_expect_status(id, won == 1 ? "approved" : "rejected");
		ck_assert_int_eq(rq_audited(id, "approve_request") +
		    rq_audited(id, "reject_request"), 1);

		/* finish and close of an approved one: exactly one ends it */
		id = rq_new(k, admin_token(), NULL);
		rq_ok(k, r1, id, "approve", NULL, "approved");
		won = rq_duel(k, id, r1, "finish", r2, "close");
		ck_assert_msg(won == 1 || won == 2, "finish/close: %d", won);
		rq_expect_status(id, won == 1 ? "finished" : "closed");
		ck_assert_int_eq(rq_audited(id, "finish_request") +
		    rq_audited(id, "close_request"), 1);
	}
}

/* ---- mail -------------------------------------------------------------- */

static UNUSED char *
rq_mail_wait(const char *addr, int count)
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

static UNUSED int
rq_mails_to(const char *addr)
{
	int n;

	free(sink_mail(addr, &n));
	return n;
}

#define rq_expect_mail(addr, count, text1, text2) do {			\
	char *m_ = rq_mail_wait((addr), (count));			\
									\
	ck_assert_msg(m_ != NULL, "no mail %d to %s", (count), (addr));	\
	ck_assert_msg(strstr(m_, (text1)) != NULL &&			\
	    strstr(m_, (text2)) != NULL, "mail to %s lacks %s/%s: %s",	\
	    (addr), (text1), (text2), m_);				\
	free(m_);							\
} while (0)

static UNUSED const char *
rq_mail_user(const char *prefix, const char *perms, char *addr, size_t len,
    long long *uid)
{
	const char *tok = rq_user(prefix, perms, uid);

	snprintf(addr, len, "%s@example.com", uniq(prefix));
	db_exec(fmt("UPDATE users SET email = '%s' WHERE id = %lld", addr,
	    *uid));
	return tok;
}

static UNUSED void
rq_mail(const struct kind *k)
{
	char		 ca[128], a1[128], a2[128], oa[128], na[128], sa[128];
	long long	 cid, a1id, a2id, oid, nid, sid, role, id;
	const char	*c, *ap;

	c = rq_mail_user("rqmc", "create_resource_req", ca, sizeof(ca), &cid);
	ap = rq_mail_user("rqma", k->approve, a1, sizeof(a1), &a1id);
	/* the second approver holds the permission through a role */
	(void)rq_mail_user("rqmr", NULL, a2, sizeof(a2), &a2id);
	role = db_insert(fmt("INSERT INTO roles (name) VALUES ('%s')",
	    uniq("approvers")));
	db_exec(fmt("INSERT INTO user_roles (user_id, role_id) VALUES (%lld, "
	    "%lld)", a2id, role));
	db_exec(fmt("INSERT INTO module_grants VALUES ('role', %lld, "
	    "'resource_request', '%s')", role, k->approve));
	/* another kind's approver, and one without the module's switch */
	(void)rq_mail_user("rqmo", k->other, oa, sizeof(oa), &oid);
	(void)rq_mail_user("rqmn", NULL, na, sizeof(na), &nid);
	/* a superuser may approve every kind: told too */
	(void)user_token(fmt("%s", uniq("rqms")), 1, &sid);
	snprintf(sa, sizeof(sa), "%s@example.com", uniq("rqms"));
	db_exec(fmt("UPDATE users SET email = '%s' WHERE id = %lld", sa, sid));
	db_exec(fmt("INSERT INTO module_grants VALUES ('user', %lld, "
	    "'resource_request', '%s')", nid, k->approve));
	db_exec(fmt("DELETE FROM module_grants WHERE subject_type = 'user' AND "
	    "subject_id = %lld AND perm = 'enable_resource_req'", nid));

	id = rq_new(k, c, NULL);
	rq_expect_mail(a1, 1, "Subject: [Hangar] Review ", fmt(" %lld ", id));
	rq_expect_mail(a2, 1, "asks for your review", fmt("%s%lld/", k->path,
	    id));
	rq_expect_mail(sa, 1, "Subject: [Hangar] Review ", fmt(" %lld ", id));
	rq_ok(k, ap, id, "approve", NULL, "approved");
	rq_expect_mail(ca, 1, fmt(" %lld is approved", id),
	    "approved your");
	rq_ok(k, ap, id, "finish", k->finish ? k->finish(id) : NULL,
	    "finished");
	rq_expect_mail(ca, 2, fmt(" %lld is finished", id), "finished your");
	id = rq_new(k, c, NULL);
	rq_expect_mail(a1, 2, "Subject: [Hangar] Review ", fmt(" %lld ", id));
	rq_ok(k, ap, id, "reject", NULL, "rejected");
	rq_expect_mail(ca, 3, fmt(" %lld is rejected", id), "rejected your");
	/* the creator closing its own hears nothing; refusals send nothing */
	id = rq_new(k, c, NULL);
	rq_ok(k, c, id, "close", NULL, "closed");
	expect_error(rq_do(k, ap, id, "approve", NULL), 409, 30002, NULL);
	usleep(1500000);
	ck_assert_int_eq(rq_mails_to(ca), 3);
	ck_assert_int_eq(rq_mails_to(a1), 3);
	ck_assert_int_eq(rq_mails_to(a2), 3);
	ck_assert_int_eq(rq_mails_to(sa), 3);
	ck_assert_int_eq(rq_mails_to(oa), 0);
	ck_assert_int_eq(rq_mails_to(na), 0);
}

/* ---- authentication ---------------------------------------------------- */

static UNUSED void
rq_auth_required(const struct kind *k)
{
	struct call	 routes[] = {
		{ "GET", NULL, NULL }, { "POST", NULL, "{}" },
		{ "GET", NULL, NULL }, { "PATCH", NULL, "{}" },
		{ "POST", NULL, NULL }, { "POST", NULL, NULL },
		{ "POST", NULL, NULL }, { "POST", NULL, NULL },
	};
	long long	 id = rq_new(k, admin_token(), NULL);

	routes[0].path = k->path;
	routes[1].path = k->path;
	routes[2].path = strdup(fmt("%s%%lld/", k->path));
	routes[3].path = routes[2].path;
	routes[4].path = strdup(fmt("%s%%lld/actions/approve/", k->path));
	routes[5].path = strdup(fmt("%s%%lld/actions/reject/", k->path));
	routes[6].path = strdup(fmt("%s%%lld/actions/close/", k->path));
	routes[7].path = strdup(fmt("%s%%lld/actions/finish/", k->path));
	expect_all_refused(routes, NELEM(routes), id, NULL, 401, 10005,
	    RQ_TABLES);
}

#endif

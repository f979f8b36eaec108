/*
 * dtasklib.h -- what the deploy task and deploy freeze tests share
 * (test_deploy_tasks.c, test_deploy_freezes.c): applications with and
 * without deploy settings, users holding per-application permissions,
 * tasks brought to a state, and reads of a task's row and audit.
 *
 * Header-only (static functions): the Makefile links each
 * t/api/test_NAME.c with client.o alone.
 */
#ifndef HG_TEST_DTASKLIB_H
#define HG_TEST_DTASKLIB_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authlib.h"

#define DT_TABLES	"deploy_tasks,audit_log"
#define SQLI		"'; DROP TABLE deploy_tasks; --"
#define HAN		"\345\274\240\344\270\211"	/* 张三 */
#define NELEM(t)	(sizeof(t) / sizeof((t)[0]))

/* A root application named name (admin); its id. */
static UNUSED long long
dl_app(const char *name)
{
	return api_create("/applications/", "{\"name\": \"%s\"}", name);
}

/* Give app deploy settings of its own, as deploy-settings would. */
static UNUSED void
dl_configure(long long app)
{
	db_exec(fmt("INSERT INTO deploy_configs (app_id, repo_type, repo_url, "
	    "deploy_path) VALUES (%lld, 'GIT', 'https://git.example.com/x.git', "
	    "'/srv/app')", app));
}

/* A configured application; its id. */
static UNUSED long long
dl_capp(const char *prefix)
{
	long long app = dl_app(uniq(prefix));

	dl_configure(app);
	return app;
}

/* Grant user uid perms ("a,b") on app, and the application module. */
static UNUSED void
dl_grant(long long uid, long long app, const char *perms)
{
	char	 buf[256], *p, *save = NULL;

	db_exec(fmt("INSERT IGNORE INTO module_grants VALUES ('user', %lld, "
	    "'application', 'enable_app_mgmt')", uid));
	snprintf(buf, sizeof(buf), "%s", perms);
	for (p = strtok_r(buf, ",", &save); p != NULL;
	    p = strtok_r(NULL, ",", &save))
		db_exec(fmt("INSERT IGNORE INTO resource_grants VALUES ('user', "
		    "%lld, 'application', %lld, '%s')", uid, app, p));
}

/* A new user with perms on app (granted before its first request). */
static UNUSED const char *
dl_user(const char *prefix, long long app, const char *perms, long long *uid)
{
	const char	*tok;
	long long	 id;
	char		 name[64];

	snprintf(name, sizeof(name), "%s", uniq(prefix));
	tok = user_token(name, 0, &id);
	if (perms != NULL)
		dl_grant(id, app, perms);
	if (uid != NULL)
		*uid = id;
	return tok;
}

/* A valid create body for app. */
static UNUSED const char *
dl_body(long long app)
{
	return fmt("{\"application_id\": %lld, \"version\": \"v1\", "
	    "\"description\": \"d\", \"level\": \"A\", \"package_source\": "
	    "\"/data/app.war\", \"planned_exec_time\": 1523177609}", app);
}

/* A task of app created as tok (201 required); its id. */
static UNUSED long long
dl_task(const char *tok, long long app)
{
	struct resp	*r = api("POST", "/application/deploy-tasks/", tok,
			    dl_body(app));
	long long	 id;

	ck_assert_msg(r->status == 201, "creating a task: %ld %s", r->status,
	    r->body);
	id = jint(r->json, "id");
	resp_free(r);
	return id;
}

/* POST .../deploy-tasks/{id}/actions/<action>/ as tok; the response. */
static UNUSED struct resp *
dl_act(const char *tok, long long id, const char *action, const char *body)
{
	return api("POST", fmt("/application/deploy-tasks/%lld/actions/%s/",
	    id, action), tok, body);
}

/* Do action as tok: it must answer 200; the new status is checked. */
#define dl_ok(tok_, id_, action_, body_, want_) do {		\
	struct resp *r_ = dl_act((tok_), (id_), (action_), (body_));	\
									\
	ck_assert_msg(r_->status == 200, "%s %lld: %ld %s", (action_),	\
	    (long long)(id_), r_->status, r_->body);			\
	ck_assert_str_eq(jstr(r_->json, "status"), (want_));		\
	ck_assert_str_eq(jstr(r_->json, "message"), "success");	\
	resp_free(r_);							\
} while (0)

/* The task's status in the database (freed by fmt's rotation: no). */
static UNUSED char *
dl_status(long long id)
{
	return db_str(fmt("SELECT status FROM deploy_tasks WHERE id = %lld",
	    id));
}

#define dl_expect_status(id, want) do {					\
	char *s_ = dl_status(id);					\
									\
	ck_assert_msg(s_ != NULL && strcmp(s_, (want)) == 0,		\
	    "task %lld is %s, not %s", (long long)(id), s_ ? s_ : "gone", \
	    (want));							\
	free(s_);							\
} while (0)

/* Force a task into a state (states no route reaches yet). */
static UNUSED void
dl_set_status(long long id, const char *status)
{
	db_exec(fmt("UPDATE deploy_tasks SET status = '%s' WHERE id = %lld",
	    status, id));
}

/* The newest app audit row's op_type and detail of app, "op|detail". */
static UNUSED char *
dl_last_audit(long long app)
{
	return db_str(fmt("SELECT CONCAT(op_type, '|', op_detail) FROM "
	    "audit_log WHERE kind = 'app' AND target_id = %lld ORDER BY id "
	    "DESC LIMIT 1", app));
}

#endif

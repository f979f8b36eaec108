/*
 * scripts.c -- /application/deploy-scripts/: the seed's 发布脚本 section.
 *
 * A deploy script is a bash or python program a deploy runs at one of
 * its lifecycle hooks, rendered first by its template engine (jinja or
 * none).  A jinja script's content must parse as a Jinja2 template when
 * it is saved (jinja.c asks the real Jinja2).  Names are unique (the
 * seed's 30001, 409); an unsupported language or engine is the seed's
 * 30002 / 30003 (400).  A script that hooks of a template or of an
 * application use cannot be deleted (409 naming them).
 */
#include <string.h>

#include "cmdb/cmdb.h"
#include "deploy/deploy.h"

#define E_NAME_TAKEN	30001
#define E_LANGUAGE	30002
#define E_ENGINE	30003
#define CONTENT_MAX	1048576

/* The Deploy script object. */
#define SCRIPT_COLS(X) \
	X(SC_ID,	"id",		 "s.id",		INT)	\
	X(SC_NAME,	"name",		 "s.name",		STR)	\
	X(SC_LANG,	"language",	 "s.language",		STR)	\
	X(SC_CONTENT,	"content",	 "s.content",		STR)	\
	X(SC_ENGINE,	"template_engine", "s.template_engine",	STR)	\
	X(SC_CREATOR,	"creator",	 "s.creator",		STR)	\
	X(SC_CREATED,	"created_time",	 "s.created_time",	TIME)	\
	X(SC_UPDATED,	"updated_time",	 "s.updated_time",	TIME)
enum { SCRIPT_COLS(HG_COL_ENUM) SC__MAX };
static const struct hg_col script_cols[] = { SCRIPT_COLS(HG_COL_DECL) };
#define SCRIPT_SELECT "SELECT " SCRIPT_COLS(HG_COL_SQL)

static const char *const languages[] = { "bash", "python", NULL };
static const char *const engines[] = { "jinja", "none", NULL };

/*
 * POST's body; PATCH takes the same fields, each optional.  The seed's
 * "creator" parameter is not read: the creator is the caller.
 */
enum { SF_NAME, SF_LANG, SF_CONTENT, SF_ENGINE, SF__MAX };
static const struct hg_field script_fields[SF__MAX] = {
	[SF_NAME] = { "name", HG_V_STR, HG_V_REQUIRED, 1, 128,
	    .f_check = hg_check_noctl, .f_col = "name" },
	[SF_LANG] = { "language", HG_V_ENUM, HG_V_REQUIRED, 0, 0, languages,
	    .f_col = "language", .f_code = E_LANGUAGE },
	[SF_CONTENT] = { "content", HG_V_STR, HG_V_REQUIRED, 1, CONTENT_MAX,
	    .f_col = "content" },
	[SF_ENGINE] = { "template_engine", HG_V_ENUM, 0, 0, 0, engines,
	    .f_col = "template_engine", .f_code = E_ENGINE },
};

/* GET /application/deploy-scripts/?name=&language=&creator=&content= */
enum { SQ_NAME, SQ_LANG, SQ_CREATOR, SQ_CONTENT, SQ__MAX };
static const struct hg_field list_q[SQ__MAX] = {
	[SQ_NAME] = { "name", HG_V_STR, 0, 0, 128 },
	[SQ_LANG] = { "language", HG_V_ENUM, 0, 0, 0, languages },
	[SQ_CREATOR] = { "creator", HG_V_STR, 0, 0, 64 },
	[SQ_CONTENT] = { "content", HG_V_STR, 0, 0, 1024 },
};

static json_object *
script_json(struct hg_req *r, struct hg_rows *rs, int i)
{
	return HG_ROW(r, script_cols, rs, i);
}

static int
script_load(struct hg_req *r, long long id, int lock, struct hg_rows **rs)
{
	return hg_sql_get(r, rs, "deploy script", id, lock ? SCRIPT_SELECT
	    HG_NOCOUNT " FROM deploy_scripts s WHERE s.id = ?i FOR UPDATE" :
	    SCRIPT_SELECT HG_NOCOUNT " FROM deploy_scripts s WHERE s.id = ?i");
}

static int
script_reply(struct hg_req *r, long long id, int status)
{
	struct hg_rows	*rs;
	int		 rc;

	if ((rc = script_load(r, id, 0, &rs)) != 0)
		return rc;
	return hg_reply(r, status, script_json(r, rs, 0));
}

static int
name_taken(struct hg_req *r, int rc)
{
	if (rc == HG_E_CONFLICT)
		return hg_fail_http(r, 409, E_NAME_TAKEN, "deploy script name "
		    "\"%s\" is taken", r->r_in[SF_NAME].s);
	return rc;
}

/*
 * Check the content a script will have (content, engine: after the
 * change) when its engine is jinja and either changed.
 */
static int
check_content(struct hg_req *r, const char *content, const char *engine)
{
	if (strcmp(engine, "jinja") != 0 ||
	    (!r->r_in[SF_CONTENT].present && !r->r_in[SF_ENGINE].present))
		return 0;
	return hg_jinja_check(r, "content", content);
}

/* GET /application/deploy-scripts/ */
static int
script_list(struct hg_req *r)
{
	const struct hg_val *q = r->r_qv;

	return hg_list(r, script_json, SCRIPT_SELECT "COUNT(*) OVER () FROM "
	    "deploy_scripts s WHERE s.name LIKE COALESCE(?s, '%') AND "
	    "s.language = COALESCE(?s, s.language) AND s.creator LIKE "
	    "COALESCE(?s, '%') AND s.content LIKE COALESCE(?s, '%') "
	    "ORDER BY s.id DESC LIMIT ?i OFFSET ?i", hg_like(r, &q[SQ_NAME]),
	    q[SQ_LANG].s, hg_like(r, &q[SQ_CREATOR]),
	    hg_like(r, &q[SQ_CONTENT]));
}

/* POST /application/deploy-scripts/ */
static int
script_create(struct hg_req *r)
{
	const struct hg_val	*v = r->r_in;
	const char		*engine = v[SF_ENGINE].present ?
	    v[SF_ENGINE].s : "jinja", *d = "";
	long long		 id;
	int			 rc;

	if ((rc = check_content(r, v[SF_CONTENT].s, engine)) != 0 ||
	    (rc = name_taken(r, hg_sql_exec(r, "INSERT INTO deploy_scripts "
	    "(name, language, template_engine, content, creator) VALUES (?s, "
	    "?s, ?s, ?s, ?s)", v[SF_NAME].s, v[SF_LANG].s, engine,
	    v[SF_CONTENT].s, r->r_user->u_username))) != 0)
		return rc;
	id = hg_sql_insert_id(r);
	hg_audit_change(r, &d, "language", NULL, v[SF_LANG].s);
	hg_audit_change(r, &d, "template_engine", NULL, engine);
	d = hg_printf(r->r_arena, "%s; content: %zu characters", d,
	    hg_utf8_len(v[SF_CONTENT].s));
	if ((rc = hg_audit(r, NULL, id, v[SF_NAME].s, "add", hg_printf(
	    r->r_arena, "created deploy script \"%s\" (id %lld): %s",
	    v[SF_NAME].s, id, d))) != 0)
		return rc;
	return script_reply(r, id, 201);
}

/* GET /application/deploy-scripts/{id}/ */
static int
script_get(struct hg_req *r)
{
	return script_reply(r, r->r_ids[0], 200);
}

/*
 * PATCH /application/deploy-scripts/{id}/.  The content is audited by
 * its length, not its text (it may be long): "content replaced".
 */
static int
script_patch(struct hg_req *r)
{
	const struct hg_val	*v = r->r_in;
	struct hg_rows		*old;
	const char		*d = "", *content, *engine;
	int			 rc;

	if ((rc = script_load(r, r->r_ids[0], 1, &old)) != 0)
		return rc;
	content = v[SF_CONTENT].present ? v[SF_CONTENT].s :
	    HG_CELL(old, 0, SC_CONTENT);
	engine = v[SF_ENGINE].present ? v[SF_ENGINE].s :
	    HG_CELL(old, 0, SC_ENGINE);
	if ((rc = check_content(r, content, engine)) != 0 ||
	    (rc = name_taken(r, hg_sql_patch(r, "deploy_scripts",
	    r->r_ids[0]))) != 0 ||
	    (rc = hg_sql_exec(r, "UPDATE deploy_scripts SET updated_time = "
	    "UTC_TIMESTAMP() WHERE id = ?i", r->r_ids[0])) != 0)
		return rc;
	hg_audit_changed(r, &d, "name", HG_CELL(old, 0, SC_NAME), &v[SF_NAME]);
	hg_audit_changed(r, &d, "language", HG_CELL(old, 0, SC_LANG),
	    &v[SF_LANG]);
	hg_audit_changed(r, &d, "template_engine", HG_CELL(old, 0, SC_ENGINE),
	    &v[SF_ENGINE]);
	if (v[SF_CONTENT].present &&
	    strcmp(v[SF_CONTENT].s, HG_CELL(old, 0, SC_CONTENT)) != 0)
		d = hg_printf(r->r_arena, "%s%scontent replaced (%zu -> %zu "
		    "characters)", d, *d != '\0' ? "; " : "",
		    hg_utf8_len(HG_CELL(old, 0, SC_CONTENT)),
		    hg_utf8_len(v[SF_CONTENT].s));
	if ((rc = hg_audit(r, NULL, r->r_ids[0], v[SF_NAME].present ?
	    v[SF_NAME].s : HG_CELL(old, 0, SC_NAME), "update", hg_printf(
	    r->r_arena, "updated deploy script \"%s\" (id %lld): %s",
	    HG_CELL(old, 0, SC_NAME), r->r_ids[0], *d != '\0' ? d :
	    "no change"))) != 0)
		return rc;
	return script_reply(r, r->r_ids[0], 200);
}

/*
 * The hooks that run script id, named: 'template "x" (pre_exec),
 * application "a.b" (post_exec)', the first ten; NULL when none.
 */
static int
script_users(struct hg_req *r, long long id, const char **users)
{
	struct hg_rows	*rs;
	int		 rc;

	if ((rc = hg_sql(r, &rs, "SELECT GROUP_CONCAT(u.who ORDER BY u.who "
	    "SEPARATOR ', '), (SELECT COUNT(*) FROM deploy_config_hooks WHERE "
	    "script_id = ?i) FROM (SELECT CONCAT(COALESCE(CONCAT('template \"', "
	    "t.name, '\"'), CONCAT('application \"', a.full_name, '\"')), ' (', "
	    "h.stage, ')') AS who FROM deploy_config_hooks h JOIN "
	    "deploy_configs c ON c.id = h.config_id LEFT JOIN deploy_templates "
	    "t ON t.id = c.template_id LEFT JOIN applications a ON a.id = "
	    "c.app_id WHERE h.script_id = ?i ORDER BY who LIMIT 10) u", id,
	    id)) != 0)
		return rc;
	*users = HG_CELL(rs, 0, 0) == NULL ? NULL : hg_atoll(HG_CELL(rs, 0,
	    1)) > 10 ? hg_printf(r->r_arena, "%s and %lld more", HG_CELL(rs, 0,
	    0), hg_atoll(HG_CELL(rs, 0, 1)) - 10) : HG_CELL(rs, 0, 0);
	return 0;
}

/* DELETE /application/deploy-scripts/{id}/: refused while a hook runs it. */
static int
script_delete(struct hg_req *r)
{
	struct hg_rows	*old;
	const char	*users;
	int		 rc;

	if ((rc = script_load(r, r->r_ids[0], 1, &old)) != 0 ||
	    (rc = script_users(r, r->r_ids[0], &users)) != 0)
		return rc;
	if (users != NULL)
		return hg_fail(r, HG_E_CONFLICT, "deploy script \"%s\" is used "
		    "by the lifecycle hooks of %s", HG_CELL(old, 0, SC_NAME),
		    users);
	if ((rc = hg_sql_exec(r, "DELETE FROM deploy_scripts WHERE id = ?i",
	    r->r_ids[0])) != 0 ||
	    (rc = hg_audit(r, NULL, r->r_ids[0], HG_CELL(old, 0, SC_NAME),
	    "delete", hg_printf(r->r_arena, "deleted deploy script \"%s\" "
	    "(id %lld, %s, %s)", HG_CELL(old, 0, SC_NAME), r->r_ids[0],
	    HG_CELL(old, 0, SC_LANG), HG_CELL(old, 0, SC_ENGINE)))) != 0)
		return rc;
	return hg_reply_ok(r);
}

/*
 * GET /application/deploy-scripts/{id}/applications/: the applications
 * whose deploys run it, through settings of their own or the template
 * they follow; only those the caller may view.
 */
static int
script_apps(struct hg_req *r)
{
	long long	uid = r->r_user->u_id;
	int		rc;

	if ((rc = script_load(r, r->r_ids[0], 0, NULL)) != 0)
		return rc;
	return hg_list(r, hg_app_json, "SELECT " HG_APP_COLS ", COUNT(*) OVER "
	    "() FROM applications a WHERE a.id IN (SELECT c.app_id FROM "
	    "deploy_config_hooks h JOIN deploy_configs c ON c.id = h.config_id "
	    "WHERE h.script_id = ?i AND c.app_id IS NOT NULL UNION SELECT "
	    "l.app_id FROM deploy_config_hooks h JOIN deploy_configs c ON "
	    "c.id = h.config_id JOIN deploy_template_apps l ON l.template_id = "
	    "c.template_id WHERE h.script_id = ?i) AND "
	    HG_VISIBLE_SQL("application", "view_app", "a.id")
	    " ORDER BY a.id DESC LIMIT ?i OFFSET ?i", uid, uid, r->r_ids[0],
	    r->r_ids[0], (long long)hg_visible_all(r, "application"), uid, uid);
}

#define BASE	"/applications/deploy-scripts"
#define READ	PERM_MODULE("deploy_template", "enable_deploy_template_mgmt")
#define WRITE	PERM_MODULE("deploy_template", "manage_deploy_script")
#define AUDITED	AUDIT("deploy_script")

const struct hg_route hg_routes_deploy_scripts[] = {
	ROUTE("GET", BASE, script_list, READ, QUERY(list_q), PAGED),
	ROUTE("POST", BASE, script_create, WRITE, BODY(script_fields), AUDITED),
	ROUTE("GET", BASE "/{id}", script_get, READ),
	ROUTE("PATCH", BASE "/{id}", script_patch, WRITE, PATCH(script_fields),
	    AUDITED),
	ROUTE("DELETE", BASE "/{id}", script_delete, WRITE, AUDITED),
	ROUTE("GET", BASE "/{id}/applications", script_apps, READ, PAGED),
	ROUTES_END
};

/*
 * templates.c -- /application/deploy-templates/: the seed's 发布模板
 * section.  A template is a named set of deploy settings (settings.c)
 * that applications follow (app_deploy.c has the model): its
 * "applications" are the applications that follow it.  Giving
 * "applications" sets that list whole: an application added follows the
 * template from now on (its own settings are dropped), one left out is
 * unlinked and keeps a copy of the template's values as its own (as
 * DELETE .../deploy-settings/template/ does by default).  Each needs
 * edit_app on it, and view_app (else it is refused like an id that does
 * not exist).  Names are unique (10010); a template applications follow
 * cannot be deleted (409 naming them).
 */
#include <string.h>

#include "cmdb/cmdb.h"
#include "deploy/deploy.h"

/* The Application deploy template object: a set (settings.c), then these. */
#define TPL_COLS(X) \
	X(TC_ID,	"id",		"t.id",			INT)	\
	X(TC_NAME,	"name",		"t.name",		STR)	\
	X(TC_CREATOR,	"creator",	"t.creator",		STR)	\
	X(TC_CREATED,	"created_time",	"t.created_time",	TIME)	\
	X(TC_APPS,	"applications",	"(SELECT JSON_ARRAYAGG(JSON_OBJECT(" \
	    "'id', l.app_id) ORDER BY l.app_id) FROM deploy_template_apps l " \
	    "WHERE l.template_id = t.id)", JSON)
enum { TC__BASE = HG_DC__MAX - 1, TPL_COLS(HG_COL_ENUM) TC__MAX };
#define TPL_SELECT "SELECT " HG_DSET_COLS TPL_COLS(HG_COL_SQL)
#define TPL_FROM " FROM deploy_templates t JOIN deploy_configs c ON " \
	"c.template_id = t.id LEFT JOIN credentials k ON k.id = c.credential_id"

/* POST's body: a name, its followers, the fields of a set. */
enum { TF_NAME, TF_APPS, TF__SET };
#define TPL_FIELDS(req)							\
	[TF_NAME] = { "name", HG_V_STR, HG_V_REQUIRED, 1, 128,		\
	    .f_check = hg_check_noctl },				\
	[TF_APPS] = { "applications", HG_V_IDS, HG_V_BAREID, 0, 1000,	\
	    .f_alias = { "applictions" } },				\
	HG_DSET_FIELDS(TF__SET, req)
static const struct hg_field tpl_fields[TF__SET + HG_DF__MAX] = {
	TPL_FIELDS(HG_V_REQUIRED),
};

/* GET /application/deploy-templates/?name=&creator= */
enum { TQ_NAME, TQ_CREATOR, TQ__MAX };
static const struct hg_field list_q[TQ__MAX] = {
	[TQ_NAME] = { "name", HG_V_STR, 0, 0, 128 },
	[TQ_CREATOR] = { "creator", HG_V_STR, 0, 0, 64 },
};

static json_object *
tpl_json(struct hg_req *r, struct hg_rows *rs, int i)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", hg_jint(HG_CELL(rs, i, TC_ID)));
	json_object_object_add(o, "name", hg_jstr(HG_CELL(rs, i, TC_NAME)));
	hg_dset_json(r, o, rs, i);
	json_object_object_add(o, "applications",
	    hg_jparse(HG_CELL(rs, i, TC_APPS)));
	json_object_object_add(o, "creator", hg_jstr(HG_CELL(rs, i,
	    TC_CREATOR)));
	json_object_object_add(o, "created_time", hg_jtime(r, HG_CELL(rs, i,
	    TC_CREATED)));
	json_object_object_add(o, "updated_time", hg_jtime(r, HG_CELL(rs, i,
	    HG_DC_UPDATED)));
	return o;
}

static int
tpl_reply(struct hg_req *r, long long id, int status)
{
	struct hg_rows	*rs;
	int		 rc;

	if ((rc = hg_sql_get(r, &rs, "deploy template", id, TPL_SELECT
	    HG_NOCOUNT TPL_FROM " WHERE t.id = ?i")) != 0)
		return rc;
	return hg_reply(r, status, tpl_json(r, rs, 0));
}

static int
name_taken(struct hg_req *r, int rc)
{
	if (rc == HG_E_CONFLICT)
		return hg_fail(r, rc, "deploy template name \"%s\" is taken",
		    r->r_in[TF_NAME].s);
	return rc;
}

/* GET /application/deploy-templates/ */
static int
tpl_list(struct hg_req *r)
{
	return hg_list(r, tpl_json, TPL_SELECT "COUNT(*) OVER ()" TPL_FROM
	    " WHERE t.name LIKE COALESCE(?s, '%') AND t.creator LIKE "
	    "COALESCE(?s, '%') ORDER BY t.id DESC LIMIT ?i OFFSET ?i",
	    hg_like(r, &r->r_qv[TQ_NAME]), hg_like(r, &r->r_qv[TQ_CREATOR]));
}

/*
 * Make the body's applications exactly the followers of template id
 * (called name): link the new ones, unlink (keeping a copy) the others.
 * *detail gets the change of the list.
 */
static int
set_followers(struct hg_req *r, long long id, const char *name,
    const char **detail)
{
	const struct hg_val	*v = &r->r_in[TF_APPS];
	struct hg_rows		*cur;
	struct hg_app		 a;
	const char		*was = "", *now = "", *field;
	size_t			 i;
	int			 rc, k;

	if ((rc = hg_sql(r, &cur, "SELECT app_id FROM deploy_template_apps "
	    "WHERE template_id = ?i ORDER BY app_id FOR UPDATE", id)) != 0)
		return rc;
	for (i = 0; i < v->nitems; i++) {
		field = hg_printf(r->r_arena, "applications[%zu]", i);
		if ((rc = hg_app_load(r, v->ids[i], &a, field)) != 0 ||
		    (rc = hg_app_viewable(r, v->ids[i], field)) != 0)
			return rc;
		if (hg_app_id_in(a.a_id, v->ids, i))
			continue;	/* named twice */
		now = hg_printf(r->r_arena, "%s%s%lld", now, *now ? ", " : "",
		    a.a_id);
		for (k = 0; k < cur->nrows; k++)
			if (hg_atoll(HG_CELL(cur, k, 0)) == a.a_id)
				break;
		if (k < cur->nrows)
			continue;	/* follows it already */
		if ((rc = hg_app_editable(r, &a, "make it follow a deploy "
		    "template")) != 0 ||
		    (rc = hg_deploy_follow(r, &a, id, name)) != 0)
			return rc;
	}
	for (k = 0; k < cur->nrows; k++) {
		long long app = hg_atoll(HG_CELL(cur, k, 0));

		was = hg_printf(r->r_arena, "%s%s%lld", was, *was ? ", " : "",
		    app);
		if (hg_app_id_in(app, v->ids, v->nitems))
			continue;
		if ((rc = hg_app_load(r, app, &a, NULL)) != 0 ||
		    (rc = hg_app_editable(r, &a, "unlink its deploy "
		    "template")) != 0 ||
		    (rc = hg_deploy_unfollow(r, &a, id, name, 0)) != 0)
			return rc;
	}
	hg_audit_change(r, detail, "applications", hg_printf(r->r_arena,
	    "[%s]", was), hg_printf(r->r_arena, "[%s]", now));
	return 0;
}

/* POST /application/deploy-templates/ */
static int
tpl_create(struct hg_req *r)
{
	const struct hg_val	*v = r->r_in;
	struct hg_downer	 o;
	const char		*d = "";
	long long		 id;
	int			 rc;

	if ((rc = name_taken(r, hg_sql_exec(r, "INSERT INTO deploy_templates "
	    "(name, creator) VALUES (?s, ?s)", v[TF_NAME].s,
	    r->r_user->u_username))) != 0)
		return rc;
	id = hg_sql_insert_id(r);
	o.o_template = id;
	o.o_app = 0;
	o.o_what = hg_printf(r->r_arena, "deploy template %lld", id);
	if ((rc = hg_dset_save(r, &o, &v[TF__SET], 0, &d)) != 0 ||
	    (v[TF_APPS].present && (rc = set_followers(r, id, v[TF_NAME].s,
	    &d)) != 0) ||
	    (rc = hg_audit(r, NULL, id, v[TF_NAME].s, "add", hg_printf(
	    r->r_arena, "created deploy template \"%s\" (id %lld): %s",
	    v[TF_NAME].s, id, d))) != 0)
		return rc;
	return tpl_reply(r, id, 201);
}

/* GET /application/deploy-templates/{id}/ */
static int
tpl_get(struct hg_req *r)
{
	return tpl_reply(r, r->r_ids[0], 200);
}

/* Template id locked: *name and *config (its set); 404 if none. */
static int
tpl_lock(struct hg_req *r, long long id, const char **name, long long *config)
{
	struct hg_rows	*rs;
	int		 rc;

	if ((rc = hg_sql_get(r, &rs, "deploy template", id, "SELECT t.name, "
	    "c.id FROM deploy_templates t JOIN deploy_configs c ON "
	    "c.template_id = t.id WHERE t.id = ?i FOR UPDATE")) != 0)
		return rc;
	*name = HG_CELL(rs, 0, 0);
	*config = hg_atoll(HG_CELL(rs, 0, 1));
	return 0;
}

/* PATCH /application/deploy-templates/{id}/ */
static int
tpl_patch(struct hg_req *r)
{
	const struct hg_val	*v = r->r_in;
	struct hg_downer	 o;
	const char		*name, *d = "";
	long long		 id = r->r_ids[0], config;
	int			 rc;

	if ((rc = tpl_lock(r, id, &name, &config)) != 0)
		return rc;
	if (v[TF_NAME].present) {
		if ((rc = name_taken(r, hg_sql_exec(r, "UPDATE deploy_templates "
		    "SET name = ?s WHERE id = ?i", v[TF_NAME].s, id))) != 0)
			return rc;
		hg_audit_change(r, &d, "name", name, v[TF_NAME].s);
	}
	o.o_template = id;
	o.o_app = 0;
	o.o_what = hg_printf(r->r_arena, "deploy template %lld", id);
	if ((rc = hg_dset_save(r, &o, &v[TF__SET], config, &d)) != 0 ||
	    (v[TF_APPS].present && (rc = set_followers(r, id,
	    v[TF_NAME].present ? v[TF_NAME].s : name, &d)) != 0) ||
	    (rc = hg_audit(r, NULL, id, v[TF_NAME].present ? v[TF_NAME].s :
	    name, "update", hg_printf(r->r_arena, "updated deploy template "
	    "\"%s\" (id %lld): %s", name, id, *d ? d : "no change"))) != 0)
		return rc;
	return tpl_reply(r, id, 200);
}

/* DELETE /application/deploy-templates/{id}/: refused while followed. */
static int
tpl_delete(struct hg_req *r)
{
	struct hg_rows	*rs;
	const char	*name;
	long long	 id = r->r_ids[0], config, n;
	int		 rc;

	if ((rc = tpl_lock(r, id, &name, &config)) != 0 ||
	    (rc = hg_sql(r, &rs, "SELECT GROUP_CONCAT(u.full_name ORDER BY "
	    "u.full_name SEPARATOR '\", \"'), (SELECT COUNT(*) FROM "
	    "deploy_template_apps WHERE template_id = ?i) FROM (SELECT "
	    "a.full_name FROM deploy_template_apps l JOIN applications a ON "
	    "a.id = l.app_id WHERE l.template_id = ?i ORDER BY a.full_name "
	    "LIMIT 10) u", id, id)) != 0)
		return rc;
	if ((n = hg_atoll(HG_CELL(rs, 0, 1))) > 0)
		return hg_fail(r, HG_E_CONFLICT, "deploy template \"%s\" is "
		    "followed by %lld application(s): \"%s\"%s", name, n,
		    HG_CELL(rs, 0, 0), n > 10 ? " and more" : "");
	if ((rc = hg_sql_exec(r, "DELETE FROM deploy_templates WHERE id = ?i",
	    id)) != 0 ||
	    (rc = hg_audit(r, NULL, id, name, "delete", hg_printf(r->r_arena,
	    "deleted deploy template \"%s\" (id %lld)", name, id))) != 0)
		return rc;
	return hg_reply_ok(r);
}

#define BASE	"/applications/deploy-templates"
#define READ	PERM_MODULE("deploy_template", "enable_deploy_template_mgmt")
#define WRITE	PERM_MODULE("deploy_template", "manage_deploy_template")
#define AUDITED	AUDIT("deploy_template")

const struct hg_route hg_routes_deploy_templates[] = {
	ROUTE("GET", BASE, tpl_list, READ, QUERY(list_q), PAGED),
	ROUTE("POST", BASE, tpl_create, WRITE, BODY(tpl_fields), AUDITED),
	ROUTE("GET", BASE "/{id}", tpl_get, READ),
	ROUTE("PATCH", BASE "/{id}", tpl_patch, WRITE, PATCH(tpl_fields),
	    AUDITED),
	ROUTE("DELETE", BASE "/{id}", tpl_delete, WRITE, AUDITED),
	ROUTES_END
};

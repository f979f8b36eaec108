/*
 * app_deploy.c -- /application/{id}/deploy-settings/ and .../template/:
 * the seed's 发布配置 section, an application's deploy settings.
 *
 * The model (hangar-api(7)): an application either has settings of its
 * own or follows one deploy template, or neither (unconfigured).
 * Following copies nothing: GET shows the template's values with
 * template {id, name}, and a change to the template is seen by every
 * application that follows it.  PATCH on an application that follows a
 * template is 409 (edit the template, or unlink first); PATCH on an
 * unconfigured one creates its own settings, which must then be complete.
 * Linking a template drops the application's own settings; unlinking
 * with clean false (the default) keeps a copy of the template's values as
 * the application's own, with clean true leaves it unconfigured.  Every
 * change is an application audit row of op_type change_deploy_setting.
 */
#include "cmdb/cmdb.h"
#include "deploy/deploy.h"

/* The Application Deploy Settings object: a set (settings.c), then these. */
#define APPSET_COLS(X) \
	X(AS_APP,	"application",	"a.id",		INT)	\
	X(AS_TID,	"template",	"t.id",		NONE)	\
	X(AS_TNAME,	"",		"t.name",	NONE)
enum { AS__BASE = HG_DC__MAX - 1, APPSET_COLS(HG_COL_ENUM) AS__MAX };
#define APPSET_SELECT "SELECT " HG_DSET_COLS APPSET_COLS(HG_COL_SQL) \
	HG_NOCOUNT " FROM applications a LEFT JOIN deploy_template_apps l " \
	"ON l.app_id = a.id LEFT JOIN deploy_templates t ON t.id = " \
	"l.template_id LEFT JOIN deploy_configs c ON c.app_id = a.id OR " \
	"(l.template_id IS NOT NULL AND c.template_id = l.template_id) " \
	"LEFT JOIN credentials k ON k.id = c.credential_id WHERE a.id = ?i"

/* PATCH's body: the fields of a set. */
static const struct hg_field set_fields[HG_DF__MAX] = {
	HG_DSET_FIELDS(0, 0),
};

/* POST .../template/ {"id"}; DELETE .../template/ {"id"?, "clean"?} */
enum { LF_ID, LF_CLEAN, LF__MAX };
static const struct hg_field link_fields[LF__MAX] = {
	[LF_ID] = { "id", HG_V_INT, HG_V_REQUIRED, 1, 1LL << 62 },
	[LF_CLEAN] = { "clean", HG_V_BOOL, 0 },
};
static const struct hg_field unlink_fields[LF__MAX] = {
	[LF_ID] = { "id", HG_V_INT, 0, 1, 1LL << 62 },
	[LF_CLEAN] = { "clean", HG_V_BOOL, 0 },
};

/* The settings of application id, as the route's answer. */
static int
settings_reply(struct hg_req *r, long long id)
{
	struct hg_rows	*rs;
	json_object	*o, *t = NULL;
	int		 rc;

	if ((rc = hg_sql_get(r, &rs, "application", id, APPSET_SELECT)) != 0)
		return rc;
	o = json_object_new_object();
	json_object_object_add(o, "application",
	    hg_jint(HG_CELL(rs, 0, AS_APP)));
	if (HG_CELL(rs, 0, AS_TID) != NULL) {
		t = json_object_new_object();
		json_object_object_add(t, "id", hg_jint(HG_CELL(rs, 0, AS_TID)));
		json_object_object_add(t, "name",
		    hg_jstr(HG_CELL(rs, 0, AS_TNAME)));
	}
	json_object_object_add(o, "template", t);
	hg_dset_json(r, o, rs, 0);
	json_object_object_add(o, "script_running_user",
	    hg_jstr(HG_CELL(rs, 0, HG_DC_RUSER)));
	json_object_object_add(o, "creator",
	    hg_jstr(HG_CELL(rs, 0, HG_DC_CREATOR)));
	json_object_object_add(o, "updated_time",
	    hg_jtime(r, HG_CELL(rs, 0, HG_DC_UPDATED)));
	return hg_reply(r, 200, o);
}

/* The template application a follows (locked): *tid 0 when none. */
static int
followed(struct hg_req *r, const struct hg_app *a, long long *tid,
    const char **tname, long long *tconfig)
{
	struct hg_rows	*rs;
	int		 rc;

	*tid = 0;
	if ((rc = hg_sql(r, &rs, "SELECT l.template_id, t.name, c.id FROM "
	    "deploy_template_apps l JOIN deploy_templates t ON t.id = "
	    "l.template_id JOIN deploy_configs c ON c.template_id = t.id "
	    "WHERE l.app_id = ?i FOR UPDATE", a->a_id)) != 0)
		return rc;
	if (rs->nrows == 0)
		return 0;
	*tid = hg_atoll(HG_CELL(rs, 0, 0));
	*tname = HG_CELL(rs, 0, 1);
	if (tconfig != NULL)
		*tconfig = hg_atoll(HG_CELL(rs, 0, 2));
	return 0;
}

static const char *
tpl_named(struct hg_req *r, const char *name, long long id)
{
	return hg_printf(r->r_arena, "%s (id %lld)", name, id);
}

int
hg_deploy_follow(struct hg_req *r, const struct hg_app *a, long long tid,
    const char *tname)
{
	long long	 cur;
	const char	*curname = NULL, *d = "";
	int		 rc;

	if ((rc = followed(r, a, &cur, &curname, NULL)) != 0)
		return rc;
	if (cur == tid)
		return 0;
	if ((rc = hg_sql_exec(r, "DELETE FROM deploy_configs WHERE app_id = "
	    "?i", a->a_id)) != 0)
		return rc;
	hg_audit_change(r, &d, "template", cur ? tpl_named(r, curname, cur) :
	    NULL, tpl_named(r, tname, tid));
	if (hg_sql_affected(r) > 0)
		d = hg_printf(r->r_arena, "%s; its own settings dropped", d);
	if ((rc = hg_sql_exec(r, "INSERT INTO deploy_template_apps (app_id, "
	    "template_id) VALUES (?i, ?i) ON DUPLICATE KEY UPDATE template_id "
	    "= VALUES(template_id), linked_time = UTC_TIMESTAMP()", a->a_id,
	    tid)) != 0)
		return rc;
	return hg_app_audit(r, a, "change_deploy_setting", "linked a deploy "
	    "template to", d);
}

int
hg_deploy_unfollow(struct hg_req *r, const struct hg_app *a, long long tid,
    const char *tname, int clean)
{
	struct hg_rows	*rs;
	const char	*d = "";
	int		 rc;

	if ((rc = hg_sql_exec(r, "DELETE FROM deploy_template_apps WHERE "
	    "app_id = ?i", a->a_id)) != 0)
		return rc;
	hg_audit_change(r, &d, "template", tpl_named(r, tname, tid), NULL);
	if (!clean) {
		struct hg_downer o = { 0, a->a_id, NULL };

		if ((rc = hg_sql(r, &rs, "SELECT id FROM deploy_configs WHERE "
		    "template_id = ?i", tid)) != 0 ||
		    (rc = hg_dset_copy(r, hg_atoll(HG_CELL(rs, 0, 0)), &o,
		    &d)) != 0)
			return rc;
		d = hg_printf(r->r_arena, "%s (kept as its own settings)", d);
	} else
		d = hg_printf(r->r_arena, "%s; left without deploy settings", d);
	return hg_app_audit(r, a, "change_deploy_setting", "unlinked the "
	    "deploy template of", d);
}

/* GET /application/{id}/deploy-settings/ */
static int
settings_get(struct hg_req *r)
{
	return settings_reply(r, r->r_ids[0]);
}

/* PATCH /application/{id}/deploy-settings/ */
static int
settings_patch(struct hg_req *r)
{
	struct hg_app	 a;
	struct hg_rows	*rs;
	long long	 tid;
	const char	*tname = NULL, *d = "";
	struct hg_downer o;
	int		 rc;

	if ((rc = hg_app_load(r, r->r_ids[0], &a, NULL)) != 0 ||
	    (rc = hg_sql(r, &rs, "SELECT id FROM applications WHERE id = ?i "
	    "FOR UPDATE", a.a_id)) != 0 ||
	    (rc = followed(r, &a, &tid, &tname, NULL)) != 0)
		return rc;
	if (tid != 0)
		return hg_fail(r, HG_E_CONFLICT, "application \"%s\" follows "
		    "deploy template \"%s\" (id %lld): edit the template, or "
		    "unlink it first", a.a_full, tname, tid);
	if ((rc = hg_sql(r, &rs, "SELECT id FROM deploy_configs WHERE app_id "
	    "= ?i FOR UPDATE", a.a_id)) != 0)
		return rc;
	o.o_template = 0;
	o.o_app = a.a_id;
	o.o_what = hg_printf(r->r_arena, "application %lld", a.a_id);
	if ((rc = hg_dset_save(r, &o, r->r_in, rs->nrows ? hg_atoll(HG_CELL(rs,
	    0, 0)) : 0, &d)) != 0 ||
	    (rc = hg_app_audit(r, &a, "change_deploy_setting", "changed the "
	    "deploy settings of", *d != '\0' ? d : "no change")) != 0)
		return rc;
	return settings_reply(r, a.a_id);
}

/* The template of a body's id (locked), or 10002 on field. */
static int
template_named(struct hg_req *r, long long id, const char *field,
    const char **name)
{
	struct hg_rows	*rs;
	int		 rc;

	if ((rc = hg_sql(r, &rs, "SELECT name FROM deploy_templates WHERE "
	    "id = ?i LOCK IN SHARE MODE", id)) != 0)
		return rc;
	if (rs->nrows == 0)
		return hg_invalid(r, field, hg_printf(r->r_arena,
		    "no deploy template with id %lld", id));
	*name = HG_CELL(rs, 0, 0);
	return 0;
}

/* POST /application/{id}/deploy-settings/template/ {"id": T} */
static int
template_link(struct hg_req *r)
{
	struct hg_app	 a;
	const char	*name = NULL;
	int		 rc;

	if ((rc = hg_app_load(r, r->r_ids[0], &a, NULL)) != 0 ||
	    (rc = template_named(r, r->r_in[LF_ID].i, "id", &name)) != 0 ||
	    (rc = hg_deploy_follow(r, &a, r->r_in[LF_ID].i, name)) != 0)
		return rc;
	return settings_reply(r, a.a_id);
}

/*
 * DELETE /application/{id}/deploy-settings/template/ {"id"?, "clean"?}:
 * "id", when given, must name the template the application follows.
 */
static int
template_unlink(struct hg_req *r)
{
	struct hg_app	 a;
	long long	 tid;
	const char	*tname = NULL;
	int		 rc;

	if ((rc = hg_app_load(r, r->r_ids[0], &a, NULL)) != 0 ||
	    (rc = followed(r, &a, &tid, &tname, NULL)) != 0)
		return rc;
	if (tid == 0)
		return hg_fail(r, HG_E_CONFLICT, "application \"%s\" follows no "
		    "deploy template", a.a_full);
	if (r->r_in[LF_ID].present && r->r_in[LF_ID].i != tid)
		return hg_invalid(r, "id", hg_printf(r->r_arena, "application "
		    "\"%s\" follows deploy template %lld, not %lld", a.a_full,
		    tid, r->r_in[LF_ID].i));
	if ((rc = hg_deploy_unfollow(r, &a, tid, tname,
	    r->r_in[LF_CLEAN].present && r->r_in[LF_CLEAN].i)) != 0)
		return rc;
	return settings_reply(r, a.a_id);
}

#define BASE	"/applications/{id}/deploy-settings"
#define VIEW	PERM_APP("view_app")
#define EDIT	PERM_APP("edit_app")

const struct hg_route hg_routes_app_deploy[] = {
	ROUTE("GET", BASE, settings_get, VIEW),
	ROUTE("PATCH", BASE, settings_patch, EDIT, PATCH(set_fields),
	    AUDIT("app"), SUCCESS),
	ROUTE("POST", BASE "/template", template_link, EDIT, BODY(link_fields),
	    AUDIT("app"), SUCCESS),
	ROUTE("DELETE", BASE "/template", template_unlink, EDIT,
	    BODY(unlink_fields), AUDIT("app"), SUCCESS),
	ROUTES_END
};

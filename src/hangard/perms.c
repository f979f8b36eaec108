/*
 * perms.c -- what the caller may do (API.md section 3).
 *
 * Effective permissions are the union of the user's own grants and every
 * one of its roles' grants, read from MySQL, or from what this worker read
 * since the last commit in this hangard (authcache.c), so a revoke takes
 * effect on the very next request.  Module permissions come with the
 * caller's lookup and are looked up in memory; a per-object check costs one
 * query unless a module-wide permission already implies it.
 *
 * A module permission counts only when its module's switch (enable_*) is
 * held too; module-wide application and host permissions imply the
 * per-object ones (view_app on every application, and so on).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hangard.h"

struct perm {
	const char	*p_name;
	const char	*p_gate;	/* switch that must be held too */
};

struct module {
	const char	*m_name;
	const char	*m_label;	/* the seed's Chinese name, accepted on input */
	struct perm	 m_perms[10];
};

static const struct module modules[] = {
	{ "resource_request", "资源申请", {
	    { "enable_resource_req", NULL },
	    { "approve_host_req", "enable_resource_req" },
	    { "approve_domain_req", "enable_resource_req" },
	    { "approve_ssl_cert_req", "enable_resource_req" },
	    { "create_resource_req", "enable_resource_req" } } },
	{ "application", "应用管理", {
	    { "enable_app_mgmt", NULL },
	    { "view_app", "enable_app_mgmt" },
	    { "create_app", "enable_app_mgmt" },
	    { "delete_app", "enable_app_mgmt" },
	    { "edit_app", "enable_app_mgmt" } } },
	{ "dns", "DNS管理", {
	    { "enable_dns_mgmt", NULL },
	    { "manage_dns_server", "enable_dns_mgmt" } } },
	{ "resource", "资源管理", {
	    { "enable_host_mgmt", NULL },
	    { "add_host", "enable_host_mgmt" },
	    { "edit_host", "enable_host_mgmt" },
	    { "delete_host", "enable_host_mgmt" },
	    { "manage_host", "enable_host_mgmt" },
	    { "enable_business_mgmt", NULL },
	    { "view_business", "enable_business_mgmt" },
	    { "add_business", "enable_business_mgmt" },
	    { "delete_business", "enable_business_mgmt" } } },
	{ "navigator", "导航管理", {
	    { "enable_navigator", NULL },
	    { "view_navigator", "enable_navigator" },
	    { "manage_navigator", "enable_navigator" } } },
	{ "common_tools", "常用工具", {
	    { "enable_common_tools", NULL },
	    { "enable_cdn_refresher", "enable_common_tools" },
	    { "enable_jumpserver_log_mgmt", "enable_common_tools" } } },
	{ "deploy_template", "发布模板", {
	    { "enable_deploy_template_mgmt", NULL },
	    { "manage_deploy_template", "enable_deploy_template_mgmt" },
	    { "manage_deploy_script", "enable_deploy_template_mgmt" },
	    { "manage_credential", "enable_deploy_template_mgmt" } } },
};
#define NMODULES (sizeof(modules) / sizeof(modules[0]))

/* Per-object permissions, and the module-wide ones that imply them. */
struct rperm {
	const char	*rp_name;
	const char	*rp_implied_by;	/* module perm meaning "on every object" */
	const char	*rp_implied_by2;
};

static const struct rperm app_perms[] = {
	{ "view_app", "view_app", NULL },
	{ "edit_app", "edit_app", NULL },
	{ "delete_app", "delete_app", NULL },
	{ "deploy_app", NULL, NULL },
	{ "review_app_deploy_task", NULL, NULL },
	{ "restart_app", NULL, NULL },
	{ "view_app_log", NULL, NULL },
	{ "view_app_monitor", NULL, NULL },
	{ NULL, NULL, NULL }
};

static const struct rperm host_perms[] = {
	{ "view_host", "manage_host", NULL },
	{ "edit_host", "manage_host", "edit_host" },
	{ "delete_host", "manage_host", "delete_host" },
	{ "init_host", "manage_host", NULL },
	{ "restart_host", "manage_host", NULL },
	{ "login_host", "manage_host", NULL },
	{ "deactivate_host", "manage_host", NULL },
	{ NULL, NULL, NULL }
};

struct rtype {
	const char		*rt_name;	/* resource_grants.resource_type */
	const char		*rt_module;
	const char		*rt_switch;
	const char		*rt_view;
	const struct rperm	*rt_perms;
};

static const struct rtype rtypes[] = {
	{ "application", "application", "enable_app_mgmt", "view_app", app_perms },
	{ "host", "resource", "enable_host_mgmt", "view_host", host_perms },
};

static const struct rtype *
rtype(const char *name)
{
	return strcmp(name, "host") == 0 ? &rtypes[1] : &rtypes[0];
}

/* ---- the tables, for the grant endpoints ---------------------------- */

const char *
hg_module_name(const char *name_or_label)
{
	size_t i;

	for (i = 0; i < NMODULES; i++)
		if (strcmp(modules[i].m_name, name_or_label) == 0 ||
		    strcmp(modules[i].m_label, name_or_label) == 0)
			return modules[i].m_name;
	return NULL;
}

static const struct module *
module(const char *name)
{
	size_t i;

	for (i = 0; i < NMODULES; i++)
		if (strcmp(modules[i].m_name, name) == 0)
			return &modules[i];
	return NULL;
}

/* The canonical spelling of perm in module, or NULL if it has none. */
const char *
hg_module_perm(const char *mod, const char *perm)
{
	const struct module	*m = module(mod);
	size_t			 k;

	for (k = 0; m != NULL && k < 10 && m->m_perms[k].p_name; k++)
		if (strcmp(m->m_perms[k].p_name, perm) == 0)
			return m->m_perms[k].p_name;
	return NULL;
}

const char *const *
hg_module_list(size_t *n)
{
	static const char	*names[NMODULES + 1];
	size_t			 i;

	for (i = 0; i < NMODULES; i++)
		names[i] = modules[i].m_name;
	*n = NMODULES;
	return names;
}

/* Every perm of module mod, NULL-terminated, into out (at least 11). */
void
hg_module_perms_of(const char *mod, const char **out)
{
	const struct module	*m = module(mod);
	size_t			 k = 0;

	for (; m != NULL && k < 10 && m->m_perms[k].p_name; k++)
		out[k] = m->m_perms[k].p_name;
	out[k] = NULL;
}

const char *
hg_resource_perm(const char *type, const char *perm)
{
	const struct rperm *p;

	for (p = rtype(type)->rt_perms; p->rp_name != NULL; p++)
		if (strcmp(p->rp_name, perm) == 0)
			return p->rp_name;
	return NULL;
}

void
hg_resource_perms_of(const char *type, const char **out)
{
	const struct rperm	*p;
	size_t			 k = 0;

	for (p = rtype(type)->rt_perms; p->rp_name != NULL; p++)
		out[k++] = p->rp_name;
	out[k] = NULL;
}

/* ---- effective module permissions ----------------------------------- */

/* Take the caller's module grants from a "module.perm,..." list. */
void
hg_perms_set(struct hg_req *r, struct hg_user *u, const char *csv)
{
	char	*s, *tok, *save = NULL;
	int	 n = 1;
	const char *p;

	for (p = csv; p != NULL && *p; p++)
		n += *p == ',';
	u->u_mperms = hg_alloc(r->r_arena, sizeof(char *) * (size_t)(n + 1));
	u->u_nmperms = 0;
	if (csv != NULL) {
		s = hg_strdup(r->r_arena, csv);
		for (tok = strtok_r(s, ",", &save); tok != NULL;
		    tok = strtok_r(NULL, ",", &save))
			u->u_mperms[u->u_nmperms++] = tok;
	}
	u->u_mloaded = 1;
}

/* Load the caller's granted module perms once per request. */
static int
load(struct hg_req *r)
{
	struct hg_user	*u = r->r_user;
	struct hg_rows	*rs;
	int		 rc, i;

	if (u->u_mloaded)
		return 0;
	if ((rc = hg_sql(r, &rs, "SELECT DISTINCT g.module, g.perm FROM "
	    "module_grants g WHERE " HG_SUBJECT_SQL, u->u_id, u->u_id)) != 0)
		return rc;
	u->u_mperms = hg_alloc(r->r_arena, sizeof(char *) * (size_t)(rs->nrows + 1));
	for (i = 0; i < rs->nrows; i++)
		u->u_mperms[i] = hg_printf(r->r_arena, "%s.%s",
		    HG_CELL(rs, i, 0), HG_CELL(rs, i, 1));
	u->u_nmperms = rs->nrows;
	u->u_mloaded = 1;
	return 0;
}

static int
granted(const struct hg_user *u, const char *mod, const char *perm)
{
	size_t	ml = strlen(mod);
	int	i;

	for (i = 0; i < u->u_nmperms; i++)
		if (strncmp(u->u_mperms[i], mod, ml) == 0 &&
		    u->u_mperms[i][ml] == '.' &&
		    strcmp(u->u_mperms[i] + ml + 1, perm) == 0)
			return 1;
	return 0;
}

static int
effective(const struct hg_user *u, const char *mod, const char *perm)
{
	const struct module	*m = module(mod);
	size_t			 k;

	if (m == NULL || !granted(u, mod, perm))
		return 0;
	for (k = 0; k < 10 && m->m_perms[k].p_name; k++)
		if (strcmp(m->m_perms[k].p_name, perm) == 0)
			return m->m_perms[k].p_gate == NULL ||
			    effective(u, mod, m->m_perms[k].p_gate);
	return 0;
}

/*
 * Does the caller hold module permission perm (with its switch)?  1 or 0;
 * -1 with the error set when the database failed.
 */
int
hg_perm_module(struct hg_req *r, const char *mod, const char *perm)
{
	if (r->r_user == NULL)
		return 0;
	if (r->r_user->u_superuser)
		return 1;
	if (load(r) != 0)
		return -1;
	return effective(r->r_user, mod, perm);
}

json_object *
hg_module_perms(struct hg_req *r)
{
	json_object	*out = json_object_new_object(), *m;
	size_t		 i, k;
	int		 all = r->r_user->u_superuser;

	if (!all && load(r) != 0)
		return out;
	for (i = 0; i < NMODULES; i++) {
		m = json_object_new_object();
		for (k = 0; k < 10 && modules[i].m_perms[k].p_name; k++)
			json_object_object_add(m, modules[i].m_perms[k].p_name,
			    json_object_new_boolean(all || effective(r->r_user,
			    modules[i].m_name, modules[i].m_perms[k].p_name)));
		json_object_object_add(out, modules[i].m_name, m);
	}
	return out;
}

/* ---- per-object permissions ------------------------------------------ */

/* Is perm on every object of type t implied by a module permission? */
static int
implied(struct hg_req *r, const struct rtype *t, const char *perm)
{
	const struct rperm *p;

	for (p = t->rt_perms; p->rp_name != NULL; p++)
		if (strcmp(p->rp_name, perm) == 0)
			return (p->rp_implied_by != NULL &&
			    hg_perm_module(r, t->rt_module, p->rp_implied_by) == 1) ||
			    (p->rp_implied_by2 != NULL &&
			    hg_perm_module(r, t->rt_module, p->rp_implied_by2) == 1);
	return 0;
}

/*
 * The caller's granted per-object perms on (type, id) as a comma list in
 * the arena ("" for none); NULL with the error set on database failure.
 */
static const char *
object_grants(struct hg_req *r, const char *type, long long id)
{
	struct hg_rows	*rs;

	if (hg_sql(r, &rs, "SELECT GROUP_CONCAT(DISTINCT g.perm) FROM "
	    "resource_grants g WHERE g.resource_type = ?s AND g.resource_id = ?i "
	    "AND " HG_SUBJECT_SQL, type, id, r->r_user->u_id,
	    r->r_user->u_id) != 0)
		return NULL;
	return HG_CELL(rs, 0, 0) ? HG_CELL(rs, 0, 0) : "";
}

static int
in_list(const char *csv, const char *word)
{
	size_t		 n = strlen(word);
	const char	*p = csv;

	while (csv != NULL && (p = strstr(p, word)) != NULL) {
		if ((p == csv || p[-1] == ',') && (p[n] == ',' || p[n] == '\0'))
			return 1;
		p += n;
	}
	return 0;
}

/* Does the caller hold perm on the object, given its grants list? */
static int
holds(struct hg_req *r, const struct rtype *t, const char *grants,
    const char *perm)
{
	return in_list(grants, perm) || implied(r, t, perm);
}

/*
 * Does the caller hold perm on object (type, id)?  1 or 0, with *visible
 * telling whether it may view the object at all; -1 (error set) when the
 * database failed.  The module's switch is needed for anything.
 */
static int
object_check(struct hg_req *r, const struct rtype *t, long long id,
    const char *perm, int *visible)
{
	const char	*grants = "";
	int		 rc;

	*visible = 1;
	if (r->r_user->u_superuser)
		return 1;
	if ((rc = hg_perm_module(r, t->rt_module, t->rt_switch)) <= 0) {
		*visible = 0;
		return rc;
	}
	if (!implied(r, t, t->rt_view) || !implied(r, t, perm)) {
		if ((grants = object_grants(r, t->rt_name, id)) == NULL)
			return -1;
	}
	*visible = holds(r, t, grants, t->rt_view);
	return *visible && holds(r, t, grants, perm);
}

/*
 * Check perm on object (type, id) for the caller: 0 when held; 10008 when
 * the caller may not even view the object (for them it does not exist);
 * 10007 when it may view it but not do this, or lacks the module switch.
 */
int
hg_perm_object(struct hg_req *r, const char *type, long long id,
    const char *perm)
{
	const struct rtype	*t = rtype(type);
	int			 visible, rc;

	if ((rc = object_check(r, t, id, perm, &visible)) < 0)
		return r->r_err;
	if (rc == 1)
		return 0;
	if (hg_perm_module(r, t->rt_module, t->rt_switch) != 1)
		return hg_fail(r, HG_E_PERM, "permission denied: %s.%s needed",
		    t->rt_module, t->rt_switch);
	if (!visible)
		return hg_fail(r, HG_E_NOTFOUND, "no %s with id %lld", type, id);
	return hg_fail(r, HG_E_PERM, "permission denied: %s on %s %lld needed",
	    perm, type, id);
}

/* 1 if the caller holds perm on (type, id), else 0 (errors count as no). */
int
hg_holds_object(struct hg_req *r, const char *type, long long id,
    const char *perm)
{
	int visible;

	return object_check(r, rtype(type), id, perm, &visible) == 1;
}

/* Does the caller see every object of the type (superuser or module-wide)? */
int
hg_visible_all(struct hg_req *r, const char *type)
{
	const struct rtype *t = rtype(type);

	return r->r_user->u_superuser || implied(r, t, t->rt_view);
}

/*
 * available_actions for one object, from the caller's grants on it (the
 * comma list HG_GRANTS_COL selects) and its module-wide permissions.
 */
json_object *
hg_object_actions(struct hg_req *r, const char *type, const char *grants)
{
	const struct rtype	*t = rtype(type);
	const struct rperm	*p;
	json_object		*o = json_object_new_object();
	int			 all = r->r_user->u_superuser;

	for (p = t->rt_perms; p->rp_name != NULL; p++)
		json_object_object_add(o, p->rp_name, json_object_new_boolean(all ||
		    holds(r, t, grants ? grants : "", p->rp_name)));
	return o;
}

/* ---- a restricted caller's visible objects, kept per worker ----------- */

/*
 * A restricted caller's list starts from its grants.  Working them out in
 * SQL for every page (a semi-join over user and role grants, a sort and a
 * count of every granted id) cost several times the page itself, so each
 * worker keeps the answer: the ids the caller may view, newest first, with
 * the caller's grants on each.  It is reused on the authentication cache's
 * terms (hg_cache_fresh): never after a commit anywhere in this hangard,
 * never longer than auth_cache_ttl.  At most VIS_SLOTS sets of VIS_MAX
 * ids are kept, a few megabytes at worst; a bigger set is used for its
 * request and dropped.
 */
#define VIS_SLOTS	8
#define VIS_MAX		20000		/* bigger sets are not kept (memory) */

struct vis {
	long long		 v_user;	/* 0: empty */
	const struct rtype	*v_type;
	struct hg_stamp		 v_stamp;
	struct hg_visible	 v_set;
	char			*v_buf;		/* the grants strings */
};

static struct vis	vis_slots[VIS_SLOTS];
static unsigned		vis_next;

static void
vis_clear(struct vis *v)
{
	free(v->v_set.v_ids);
	free(v->v_set.v_grants);
	free(v->v_buf);
	memset(v, 0, sizeof(*v));
}

/* Keep a copy of set in slot v; 0, or -1 when memory ran out. */
static int
vis_keep(struct vis *v, const struct hg_visible *set)
{
	size_t	i, len = 0, off = 0, l;

	for (i = 0; i < set->v_n; i++)
		len += strlen(set->v_grants[i]) + 1;
	v->v_set.v_ids = malloc(sizeof(long long) * (set->v_n + 1));
	v->v_set.v_grants = malloc(sizeof(char *) * (set->v_n + 1));
	v->v_buf = malloc(len + 1);
	if (v->v_set.v_ids == NULL || v->v_set.v_grants == NULL ||
	    v->v_buf == NULL)
		return -1;
	for (i = 0; i < set->v_n; i++) {
		l = strlen(set->v_grants[i]) + 1;
		memcpy(v->v_buf + off, set->v_grants[i], l);
		v->v_set.v_ids[i] = set->v_ids[i];
		v->v_set.v_grants[i] = v->v_buf + off;
		off += l;
	}
	v->v_set.v_n = set->v_n;
	return 0;
}

/*
 * The caller's grants (its own and its roles') on objects of type t, as a
 * set newest first; only the objects it may view through them when
 * view_only is set.  0, or the error code with the error set.
 */
static int
grants_query(struct hg_req *r, const struct rtype *t, int view_only,
    struct hg_visible **out)
{
	long long		 uid = r->r_user->u_id;
	struct hg_visible	*set;
	struct hg_rows		*rs;
	int			 rc, i;

	if ((rc = hg_sql(r, &rs, "SELECT g.resource_id, GROUP_CONCAT(DISTINCT "
	    "g.perm) FROM resource_grants g WHERE g.resource_type = ?s AND "
	    HG_SUBJECT_SQL " GROUP BY g.resource_id ORDER BY g.resource_id DESC",
	    t->rt_name, uid, uid)) != 0)
		return rc;
	set = hg_alloc(r->r_arena, sizeof(*set));
	set->v_ids = hg_alloc(r->r_arena, sizeof(long long) * (size_t)(rs->nrows + 1));
	set->v_grants = hg_alloc(r->r_arena, sizeof(char *) * (size_t)(rs->nrows + 1));
	set->v_n = 0;
	for (i = 0; i < rs->nrows; i++)
		if (!view_only || in_list(HG_CELL(rs, i, 1), t->rt_view)) {
			set->v_ids[set->v_n] = hg_atoll(HG_CELL(rs, i, 0));
			set->v_grants[set->v_n++] = HG_CELL(rs, i, 1);
		}
	*out = set;
	return 0;
}

/* Is every perm of type t implied by the caller's module permissions? */
static int
all_implied(struct hg_req *r, const struct rtype *t)
{
	const struct rperm *p;

	for (p = t->rt_perms; p->rp_name != NULL; p++)
		if (!implied(r, t, p->rp_name))
			return 0;
	return 1;
}

/*
 * The caller's grants on the objects of type, for their available_actions
 * (hg_visible_grants reads one object's): *out NULL when no grant can add
 * anything (a superuser, or module permissions that imply every perm, as
 * manage_host does); the visible set (kept by the worker) for a caller who
 * sees only granted objects; else, for one who sees them all through its
 * module permissions, every grant it holds besides.  0, or the error code
 * with the error set.
 */
int
hg_grants_of(struct hg_req *r, const char *type, const struct hg_visible **out)
{
	const struct rtype	*t = rtype(type);
	struct hg_visible	*set;
	int			 rc;

	*out = NULL;
	if (r->r_user->u_superuser || all_implied(r, t))
		return 0;
	if (!hg_visible_all(r, type))
		return hg_visible_set(r, type, out);
	if ((rc = grants_query(r, t, 0, &set)) != 0)
		return rc;
	*out = set;
	return 0;
}

/*
 * The objects of type the caller may view through its grants (for a
 * caller that does not see them all: !hg_visible_all), into *out; valid
 * until the request ends.  0, or the error code with the error set.
 */
int
hg_visible_set(struct hg_req *r, const char *type, const struct hg_visible **out)
{
	const struct rtype	*t = rtype(type);
	long long		 uid = r->r_user->u_id;
	struct hg_stamp		 st;
	struct hg_visible	*set;
	struct vis		*v;
	int			 rc, i;

	for (i = 0; i < VIS_SLOTS; i++) {
		v = &vis_slots[i];
		if (v->v_user == uid && v->v_type == t &&
		    hg_cache_fresh(&v->v_stamp, 0)) {
			*out = &v->v_set;
			return 0;
		}
	}
	hg_cache_stamp(&st);
	if ((rc = grants_query(r, t, 1, &set)) != 0)
		return rc;
	*out = set;
	/* Kept, if not too big, in the next slot in turn. */
	v = &vis_slots[vis_next++ % VIS_SLOTS];
	vis_clear(v);
	if (set->v_n > VIS_MAX || vis_keep(v, set) != 0) {
		vis_clear(v);
		return 0;
	}
	v->v_user = uid;
	v->v_type = t;
	v->v_stamp = st;
	return 0;
}

void
hg_visible_page(const struct hg_visible *vs, const struct hg_page *pg,
    struct hg_arg *p)
{
	size_t	i, at;

	for (i = 0; i < HG_GRANTED_PAGE; i++) {
		at = (size_t)pg->pg_offset + i;
		p[i] = hg_arg_i(i < (size_t)pg->pg_size && at < vs->v_n ?
		    vs->v_ids[at] : 0);
	}
}

/* The caller's grants on id from a visible set ("" when none or NULL). */
const char *
hg_visible_grants(const struct hg_visible *vs, long long id)
{
	size_t lo = 0, hi = vs != NULL ? vs->v_n : 0, mid;

	while (lo < hi) {		/* ids are in descending order */
		mid = lo + (hi - lo) / 2;
		if (vs->v_ids[mid] == id)
			return vs->v_grants[mid];
		if (vs->v_ids[mid] > id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return "";
}

/* ---- the route table's declarations ------------------------------------ */

int
hg_authorize(struct hg_req *r)
{
	const struct hg_perm	*p = &r->r_route->rt_perm;
	struct hg_user		*u = r->r_user;
	int			 rc;

	switch (p->p_kind) {
	case HG_P_UNSET:
		break;
	case HG_P_PUBLIC:
	case HG_P_LOGIN:
		return 0;
	case HG_P_SELF:
		if (u->u_superuser || (r->r_nparams > 0 && r->r_ids[0] == u->u_id))
			return 0;
		break;
	case HG_P_SUPER:
		if (u->u_superuser)
			return 0;
		break;
	case HG_P_MODULE:
		if ((rc = hg_perm_module(r, p->p_module, p->p_name)) < 0)
			return r->r_err;
		if (rc == 1)
			return 0;
		return hg_fail(r, HG_E_PERM, "permission denied: %s.%s needed",
		    p->p_module, p->p_name);
	case HG_P_APP:
		return hg_perm_object(r, "application", r->r_ids[0], p->p_name);
	case HG_P_HOST:
		return hg_perm_object(r, "host", r->r_ids[0], p->p_name);
	}
	return hg_fail(r, HG_E_PERM, NULL);
}

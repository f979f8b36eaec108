/*
 * operations.c -- /audit/...-operations/: the audit listings, of
 * operations (操作审计, audit_log) and of grants (授权审计, authz_audit).
 */
#include "hangard.h"

/*
 * The audit listings of applications, hosts, API tokens, credentials,
 * cloud accounts, deploy scripts and deploy templates: one query over
 * audit_log, filtered by kind.  Each kind names its target its own way
 * (app_name, hostname, token_name, credential_name, cloud_account_name,
 * script_name, template_name) and has its own set of op_type values.
 */
enum { AQ_OPERATOR, AQ_NAME, AQ_OPTYPE, AQ_DETAIL, AQ_GT, AQ_LT, AQ__MAX };

#define AUDIT_FIELDS(namekey, namemax, ops) {				\
	[AQ_OPERATOR] = { "operator", HG_V_STR, 0, 0, 64 },		\
	[AQ_NAME] = { namekey, HG_V_STR, 0, 0, namemax },		\
	[AQ_OPTYPE] = { "op_type", HG_V_ENUM, 0, 0, 0, ops },		\
	[AQ_DETAIL] = { "op_detail", HG_V_STR, 0, 0, 1024 },		\
	[AQ_GT] = { "op_time__gt", HG_V_TIME, 0 },			\
	[AQ_LT] = { "op_time__lt", HG_V_TIME, HG_V_UPPER },		\
}

static const char *const app_ops[] = { "add", "update", "delete",
	"attach_host", "deatach_host", "change_deploy_setting",
	/* deploy tasks (deploy/deploy_tasks.c's transitions) */
	"add_deploy_task", "update_deploy_task", "approve_deploy_task",
	"reject_deploy_task", "start_deploy_task", "close_deploy_task",
	"delegate_deploy_task", "finish_deploy_task", "fail_deploy_task",
	NULL };
/* Deploy freezes also record the task starts that overrode them. */
static const char *const freeze_ops[] = { "add", "update", "delete",
	"override", NULL };
static const char *const host_ops[] = { "add", "update", "delete",
	"attach_app", "deatach_app", "init", "start", "stop", "restart",
	"change_status", "change_zabbix_opts", NULL };
/*
 * API tokens, credentials, cloud accounts, deploy scripts and deploy
 * templates are added, updated, deleted.
 */
static const char *const token_ops[] = { "add", "update", "delete", NULL };

static const struct hg_field app_q[AQ__MAX] = AUDIT_FIELDS("app_name", 1024,
    app_ops);
static const struct hg_field freeze_q[AQ__MAX] = AUDIT_FIELDS("freeze_name",
    128, freeze_ops);
static const struct hg_field host_q[AQ__MAX] = AUDIT_FIELDS("hostname", 128,
    host_ops);
static const struct hg_field token_q[AQ__MAX] = AUDIT_FIELDS("token_name", 128,
    token_ops);
static const struct hg_field cred_q[AQ__MAX] = AUDIT_FIELDS("credential_name",
    128, token_ops);
static const struct hg_field cloud_q[AQ__MAX] = AUDIT_FIELDS(
    "cloud_account_name", 128, token_ops);
static const struct hg_field script_q[AQ__MAX] = AUDIT_FIELDS("script_name",
    128, token_ops);
static const struct hg_field template_q[AQ__MAX] = AUDIT_FIELDS(
    "template_name", 128, token_ops);

/*
 * A row of a listing: every kind names its target by its own key, so the
 * columns are declared once with the name key as a parameter.
 */
#define OP_COLS(X, namekey) \
	X(OC_ID,	"id",		"id",		INT)	\
	X(OC_NAME,	namekey,	"target_name",	STR)	\
	X(OC_OPTYPE,	"op_type",	"op_type",	STR)	\
	X(OC_DETAIL,	"op_detail",	"op_detail",	STR)	\
	X(OC_TIME,	"op_time",	"op_time",	TIME)	\
	X(OC_OPERATOR,	"operator",	"operator",	STR)
enum { OP_COLS(HG_COL_ENUM, "") OC__MAX };
#define OP_SELECT "SELECT " OP_COLS(HG_COL_SQL, "")

/* What a listing's route declares: its kind and how its rows read. */
struct audit_view {
	const char		*av_kind;	/* audit_log.kind */
	struct hg_col		 av_cols[OC__MAX];
};

static const struct audit_view app_view = { "app",
	{ OP_COLS(HG_COL_DECL, "app_name") } };
static const struct audit_view freeze_view = { "deploy_freeze",
	{ OP_COLS(HG_COL_DECL, "freeze_name") } };
static const struct audit_view host_view = { "host",
	{ OP_COLS(HG_COL_DECL, "hostname") } };
static const struct audit_view token_view = { "auth_token",
	{ OP_COLS(HG_COL_DECL, "token_name") } };
static const struct audit_view cred_view = { "credential",
	{ OP_COLS(HG_COL_DECL, "credential_name") } };
static const struct audit_view cloud_view = { "cloud_account",
	{ OP_COLS(HG_COL_DECL, "cloud_account_name") } };
static const struct audit_view script_view = { "deploy_script",
	{ OP_COLS(HG_COL_DECL, "script_name") } };
static const struct audit_view template_view = { "deploy_template",
	{ OP_COLS(HG_COL_DECL, "template_name") } };

static json_object *
op_json(struct hg_req *r, struct hg_rows *rs, int i)
{
	return hg_row_json(r, ARGOF(r, struct audit_view)->av_cols, OC__MAX,
	    rs, i);
}

/*
 * GET /audit/app-operations/, /audit/host-operations/,
 * .../auth-token-operations/, .../credential-operations/,
 * .../cloud-account-operations/, .../deploy-freeze-operations/: the
 * route's argument is the view.
 */
static int
ops_list(struct hg_req *r)
{
	const struct hg_val *v = r->r_qv;

	return hg_list(r, op_json, OP_SELECT "COUNT(*) OVER () FROM audit_log "
	    "WHERE kind = ?s AND operator LIKE COALESCE(?s, '%') "
	    "AND target_name LIKE COALESCE(?s, '%') "
	    "AND op_type = COALESCE(?s, op_type) "
	    "AND op_detail LIKE COALESCE(?s, '%') "
	    "AND op_time >= COALESCE(?s, op_time) "
	    "AND op_time <= COALESCE(?s, op_time) "
	    "ORDER BY id DESC LIMIT ?i OFFSET ?i",
	    ARGOF(r, struct audit_view)->av_kind, hg_like(r, &v[AQ_OPERATOR]),
	    hg_like(r, &v[AQ_NAME]), v[AQ_OPTYPE].s, hg_like(r, &v[AQ_DETAIL]),
	    hg_qtime(r, &v[AQ_GT]), hg_qtime(r, &v[AQ_LT]));
}

/* ---- grants: /audit/authorize-operations/modules|resources/ --------- */

static const char *const acts_q[] = { "enable", "disable", NULL };
static const char *const targets_q[] = { "user", "role", NULL };
static const char *const rtypes_q[] = { "host", "application", "business",
	NULL };

enum { GQ_OPERATOR, GQ_MODULE, GQ_RTYPE, GQ_RID, GQ_PERM, GQ_ACTION,
    GQ_TTYPE, GQ_TNAME, GQ_GT, GQ_LT, GQ__MAX };
static const struct hg_field grants_q[GQ__MAX] = {
	[GQ_OPERATOR] = { "operator", HG_V_STR, 0, 0, 64 },
	[GQ_MODULE] = { "module_name", HG_V_STR, 0, 0, 32 },
	[GQ_RTYPE] = { "resource_type", HG_V_ENUM, 0, 0, 0, rtypes_q },
	[GQ_RID] = { "resource_id", HG_V_INT, 0, 1, 9223372036854775807LL },
	[GQ_PERM] = { "perm_name", HG_V_STR, 0, 0, 64 },
	[GQ_ACTION] = { "action", HG_V_ENUM, 0, 0, 0, acts_q },
	[GQ_TTYPE] = { "authorized_target_type", HG_V_ENUM, 0, 0, 0,
	    targets_q },
	[GQ_TNAME] = { "authorized_target_name", HG_V_STR, 0, 0, 128 },
	[GQ_GT] = { "op_time__gt", HG_V_TIME, 0 },
	[GQ_LT] = { "op_time__lt", HG_V_TIME, HG_V_UPPER },
};

/*
 * A row of either listing: a module grant's shows its module, an object
 * grant's the object's type, its resource_id (the seed's data type) and
 * resource {id, name} (the seed's example; "host" for a host's name).
 * MOD, RTYPE, RES_ID and RES are the types of those columns in the
 * listing (NONE: not shown).
 */
#define GRANT_COLS(X, MOD, RTYPE, RES_ID, RES) \
	X(GC_ID,	"id",		"id",			INT)	\
	X(GC_OPERATOR,	"operator",	"operator",		STR)	\
	X(GC_MODULE,	"module_name",	"module_name",		MOD)	\
	X(GC_RTYPE,	"resource_type", "resource_type",	RTYPE)	\
	X(GC_RID,	"resource_id",	"resource_id",		RES_ID)	\
	X(GC_RES,	"resource",	"JSON_OBJECT('id', resource_id, " \
	    "IF(resource_type = 'host', 'host', 'name'), resource_name)", \
								RES)	\
	X(GC_PERM,	"perm_name",	"perm_name",		STR)	\
	X(GC_ACTION,	"action",	"action",		STR)	\
	X(GC_TTYPE,	"authorized_target_type", "target_type", STR)	\
	X(GC_TNAME,	"authorized_target_name", "target_name", STR)	\
	X(GC_TIME,	"op_time",	"op_time",		TIME)
enum { GRANT_COLS(HG_COL_ENUM, NONE, NONE, NONE, NONE) GC__MAX };
#define GRANT_SELECT "SELECT " GRANT_COLS(HG_COL_SQL, NONE, NONE, NONE, NONE)

/* What a listing's route declares: its scope and how its rows read. */
struct grant_view {
	const char	*gv_scope;	/* authz_audit.scope */
	struct hg_col	 gv_cols[GC__MAX];
};
static const struct grant_view module_view = { "module",
	{ GRANT_COLS(HG_COL_DECL, STR, NONE, NONE, NONE) } };
static const struct grant_view resource_view = { "resource",
	{ GRANT_COLS(HG_COL_DECL, NONE, STR, INT, JSON) } };

static json_object *
grant_json(struct hg_req *r, struct hg_rows *rs, int i)
{
	return hg_row_json(r, ARGOF(r, struct grant_view)->gv_cols, GC__MAX,
	    rs, i);
}

/* GET /audit/authorize-operations/modules/ and .../resources/ */
static int
grants_list(struct hg_req *r)
{
	const struct hg_val	*v = r->r_qv;
	const char		*rid = NULL;

	if (v[GQ_RID].present)
		rid = hg_printf(r->r_arena, "%lld", v[GQ_RID].i);
	return hg_list(r, grant_json, GRANT_SELECT "COUNT(*) OVER () "
	    "FROM authz_audit WHERE scope = ?s "
	    "AND operator LIKE COALESCE(?s, '%') "
	    "AND module_name LIKE COALESCE(?s, '%') "
	    "AND resource_type = COALESCE(?s, resource_type) "
	    "AND (?s IS NULL OR resource_id = ?s) "
	    "AND perm_name LIKE COALESCE(?s, '%') "
	    "AND action = COALESCE(?s, action) "
	    "AND target_type = COALESCE(?s, target_type) "
	    "AND target_name LIKE COALESCE(?s, '%') "
	    "AND op_time >= COALESCE(?s, op_time) "
	    "AND op_time <= COALESCE(?s, op_time) "
	    "ORDER BY id DESC LIMIT ?i OFFSET ?i",
	    ARGOF(r, struct grant_view)->gv_scope, hg_like(r, &v[GQ_OPERATOR]),
	    hg_like(r, &v[GQ_MODULE]), v[GQ_RTYPE].s, rid, rid,
	    hg_like(r, &v[GQ_PERM]), v[GQ_ACTION].s, v[GQ_TTYPE].s,
	    hg_like(r, &v[GQ_TNAME]), hg_qtime(r, &v[GQ_GT]),
	    hg_qtime(r, &v[GQ_LT]));
}

#define LIST(path, view, q) ROUTE("GET", path, ops_list, PERM_SUPER, \
	ARG(&view), QUERY(q), PAGED)

const struct hg_route hg_routes_audit[] = {
	LIST("/audit/app-operations", app_view, app_q),
	LIST("/audit/deploy-freeze-operations", freeze_view, freeze_q),
	LIST("/audit/host-operations", host_view, host_q),
	LIST("/audit/auth-token-operations", token_view, token_q),
	LIST("/audit/credential-operations", cred_view, cred_q),
	LIST("/audit/cloud-account-operations", cloud_view, cloud_q),
	LIST("/audit/deploy-script-operations", script_view, script_q),
	LIST("/audit/deploy-template-operations", template_view, template_q),
	ROUTE("GET", "/audit/authorize-operations/modules", grants_list,
	    PERM_SUPER, ARG(&module_view), QUERY(grants_q), PAGED),
	ROUTE("GET", "/audit/authorize-operations/resources", grants_list,
	    PERM_SUPER, ARG(&resource_view), QUERY(grants_q), PAGED),
	ROUTES_END
};

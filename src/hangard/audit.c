/*
 * audit.c -- writing the audit trail, and the audit listings that belong to
 * no other family.  Every audit row is written inside the request's
 * transaction, so a change and its record stand or fall together.
 */
#include "hangard.h"

int
hg_audit(struct hg_req *r, const char *kind, long long target_id,
    const char *target_name, const char *op_type, const char *detail)
{
	int rc;

	if ((rc = hg_db_exec(r->r_db, "INSERT INTO audit_log (kind, op_type, "
	    "target_id, target_name, op_detail, operator, op_time) VALUES "
	    "(?, ?, ?, ?, ?, ?, UTC_TIMESTAMP())", "ssisss", kind, op_type,
	    target_id, target_name ? target_name : "", detail,
	    r->r_user ? r->r_user->u_username : "")) != 0)
		return hg_fail(r, rc, NULL);
	return 0;
}

/* GET /audit/auth-token-operations/ */
enum { TA_OPERATOR, TA_OPTYPE, TA_GT, TA_LT, TA__MAX };
static const char *const token_ops[] = { "add", "update", "delete", NULL };
static const struct hg_field token_audit_q[TA__MAX] = {
	[TA_OPERATOR] = { "operator", HG_V_STR, 0, 0, 64 },
	[TA_OPTYPE] = { "op_type", HG_V_ENUM, 0, 0, 0, token_ops },
	[TA_GT] = { "op_time__gt", HG_V_TIME, 0 },
	[TA_LT] = { "op_time__lt", HG_V_TIME, HG_V_UPPER },
};

static json_object *
token_op_json(struct hg_req *r, struct hg_rows *rs, int i)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", hg_jint(HG_CELL(rs, i, 0)));
	json_object_object_add(o, "token_name", hg_jstr(HG_CELL(rs, i, 1)));
	json_object_object_add(o, "op_type", hg_jstr(HG_CELL(rs, i, 2)));
	json_object_object_add(o, "op_detail", hg_jstr(HG_CELL(rs, i, 3)));
	json_object_object_add(o, "op_time", hg_jtime(r, HG_CELL(rs, i, 4)));
	json_object_object_add(o, "operator", hg_jstr(HG_CELL(rs, i, 5)));
	return o;
}

static int
token_ops_list(struct hg_req *r)
{
	struct hg_val	v[TA__MAX];
	struct hg_page	pg;
	int		rc;

	if ((rc = hg_query(r, token_audit_q, TA__MAX, v)) != 0 ||
	    (rc = hg_page(r, &pg)) != 0)
		return rc;
	return hg_list(r, &pg, token_op_json,
	    "SELECT id, target_name, op_type, op_detail, op_time, operator, "
	    "COUNT(*) OVER () FROM audit_log WHERE kind = 'auth_token' "
	    "AND operator LIKE COALESCE(?, '%') AND op_type = COALESCE(?, op_type) "
	    "AND op_time >= COALESCE(?, op_time) AND op_time <= COALESCE(?, op_time) "
	    "ORDER BY id DESC LIMIT ? OFFSET ?", "ssss",
	    hg_like(r, &v[TA_OPERATOR]), v[TA_OPTYPE].s, hg_qtime(r, &v[TA_GT]),
	    hg_qtime(r, &v[TA_LT]));
}

const struct hg_route hg_routes_audit[] = {
	{ "GET", "/audit/auth-token-operations", token_ops_list, PERM_SUPER, 0 },
	{ NULL, NULL, NULL, PERM_PUBLIC, 0 }
};

/*
 * dns_audit.c -- GET /audit/dns-operations/: the DNS module's audit trail
 * (the seed's 获取DNS操作记录).  Superusers only, as every audit listing.
 *
 * servers.c, domains.c, records.c and import.c write audit_log rows of kinds
 * dns_server, dns_domain and dns_record; op_target is the kind without
 * its "dns_" (server, domain, record).  op_detail says what was done to
 * what, with each change as field: "old" -> "new".
 */
#include "dnsmod.h"

static const char *const ops[] = { "add", "update", "delete", "disable",
    "enable", "import", NULL };
static const char *const targets[] = { "server", "domain", "record", NULL };

enum { Q_OPERATOR, Q_OPTYPE, Q_TARGET, Q_DETAIL, Q_GT, Q_LT, Q__MAX };
static const struct hg_field list_q[Q__MAX] = {
	[Q_OPERATOR] = { "operator", HG_V_STR, 0, 0, 64 },
	[Q_OPTYPE] = { "op_type", HG_V_ENUM, 0, 0, 0, ops },
	[Q_TARGET] = { "op_target", HG_V_ENUM, 0, 0, 0, targets },
	[Q_DETAIL] = { "op_detail", HG_V_STR, 0, 0, 1024 },
	[Q_GT] = { "op_time__gt", HG_V_TIME, 0 },
	[Q_LT] = { "op_time__lt", HG_V_TIME, HG_V_UPPER },
};

#define OP_COLS(X) \
	X(OC_ID,	"id",		"id",			INT)	\
	X(OC_TARGET,	"op_target",	"SUBSTRING(kind, 5)",	STR)	\
	X(OC_NAME,	"target_name",	"target_name",		STR)	\
	X(OC_OPTYPE,	"op_type",	"op_type",		STR)	\
	X(OC_DETAIL,	"op_detail",	"op_detail",		STR)	\
	X(OC_TIME,	"op_time",	"op_time",		TIME)	\
	X(OC_OPERATOR,	"operator",	"operator",		STR)
enum { OP_COLS(HG_COL_ENUM) OC__MAX };
static const struct hg_col op_cols[] = { OP_COLS(HG_COL_DECL) };
#define OP_SELECT "SELECT " OP_COLS(HG_COL_SQL)

static json_object *
op_json(struct hg_req *r, struct hg_rows *rs, int i)
{
	return HG_ROW(r, op_cols, rs, i);
}

static int
dns_ops(struct hg_req *r)
{
	const struct hg_val	*v = r->r_qv;
	const char		*kind = v[Q_TARGET].s != NULL ?
	    hg_printf(r->r_arena, "dns_%s", v[Q_TARGET].s) : NULL;

	return hg_list(r, op_json, OP_SELECT "COUNT(*) OVER () FROM audit_log "
	    "WHERE kind IN ('dns_server', 'dns_domain', 'dns_record') "
	    "AND kind = COALESCE(?s, kind) "
	    "AND operator LIKE COALESCE(?s, '%') "
	    "AND op_type = COALESCE(?s, op_type) "
	    "AND op_detail LIKE COALESCE(?s, '%') "
	    "AND op_time >= COALESCE(?s, op_time) "
	    "AND op_time <= COALESCE(?s, op_time) "
	    "ORDER BY id DESC LIMIT ?i OFFSET ?i", kind,
	    hg_like(r, &v[Q_OPERATOR]), v[Q_OPTYPE].s,
	    hg_like(r, &v[Q_DETAIL]), hg_qtime(r, &v[Q_GT]),
	    hg_qtime(r, &v[Q_LT]));
}

const struct hg_route hg_routes_dns_audit[] = {
	ROUTE("GET", "/audit/dns-operations", dns_ops, PERM_SUPER,
	    QUERY(list_q), PAGED),
	ROUTES_END
};

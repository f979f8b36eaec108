/*
 * hosts.c -- the host inventory (the seed's 主机 list, 获取主机关联应用,
 * API.md section 4's create/get/PATCH/DELETE), whose changes the host
 * audit log (操作审计: 获取主机操作记录) records.  The body's fields and
 * its checks are host_input.c's.
 *
 * A host's addresses live in host_addresses; every read joins them to the
 * host in the same query (one row per address), so a page of hosts costs
 * one round trip.  Lists select the page's ids first in a derived table
 * over narrow indexes (sql/020_hosts.sql) and join rows and addresses to
 * those ids only, so a deep OFFSET walks an index instead of rows.  status
 * is set only at creation (raw or inited) and not written by PATCH: it
 * moves through init tasks, instances and change-status (API.md section
 * 6).
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cmdb/cmdb.h"
#include "hosts.h"

static const struct hg_col host_cols[] = { HOST_COLS(HG_COL_DECL) };
static const struct hg_col cloud_cols[] = { CLOUD_COLS(HG_COL_DECL) };
static const struct hg_col addr_cols[] = { ADDR_COLS(HG_COL_DECL) };

/*
 * The host of row *i with the addresses of its rows; *i moves past them;
 * available_actions from the caller's grants gs (hg_grants_of).  json-c
 * keeps a replaced key where it was, so cloud and ip_address stay in
 * their declared places.
 */
static json_object *
host_json(struct hg_req *r, struct hg_rows *rs, int *i,
    const struct hg_visible *gs)
{
	json_object	*o = HG_ROW(r, host_cols, rs, *i), *addrs;
	const char	*id = HG_CELL(rs, *i, HC_ID);

	json_object_object_add(o, "available_actions", hg_object_actions(r,
	    "host", hg_visible_grants(gs, hg_atoll(id))));

	json_object_object_add(o, host_cols[HC_CLOUD].c_name,
	    HG_CELL(rs, *i, HK_ACCOUNT) == NULL ? NULL :
	    HG_ROW(r, cloud_cols, rs, *i));
	addrs = json_object_new_array();
	for (; *i < rs->nrows && strcmp(HG_CELL(rs, *i, HC_ID), id) == 0; (*i)++)
		if (HG_CELL(rs, *i, HA_ID) != NULL)
			json_object_array_add(addrs,
			    HG_ROW(r, addr_cols, rs, *i));
	json_object_object_add(o, host_cols[HC_ADDRS].c_name, addrs);
	return o;
}

/*
 * Host id's rows, its addresses in order (the host and its addresses
 * locked when lock is set); 10008 when there is none.
 */
static int
host_load(struct hg_req *r, long long id, int lock, struct hg_rows **rs)
{
	return hg_sql_get(r, rs, "host", id, lock ? HOST_SELECT HG_NOCOUNT
	    " FROM hosts h " HOST_ADDRS "WHERE h.id = ?i ORDER BY a.id "
	    "FOR UPDATE" : HOST_SELECT HG_NOCOUNT " FROM hosts h " HOST_ADDRS
	    "WHERE h.id = ?i ORDER BY a.id");
}

/* ---- audit ------------------------------------------------------------ */

/*
 * A host's addresses (rows of host_load) as the audit reads them,
 * "10.0.0.1/24 PRIVATE, 10.0.0.2 PUBLIC network vpc-1 virtual owner LB";
 * NULL when it has none.
 */
static const char *
addrs_text(struct hg_req *r, struct hg_rows *rs)
{
	const char	*out = NULL, *s;
	int		 i;

	for (i = 0; i < rs->nrows; i++) {
		if (HG_CELL(rs, i, HA_ID) == NULL)
			continue;
		out = hg_printf(r->r_arena, "%s%s%s", out ? out : "",
		    out ? ", " : "", HG_CELL(rs, i, HA_ADDRESS));
		if ((s = HG_CELL(rs, i, HA_NETMASK)) != NULL && *s != '\0')
			out = hg_printf(r->r_arena, "%s/%s", out, s);
		out = hg_printf(r->r_arena, "%s %s", out,
		    HG_CELL(rs, i, HA_TYPE));
		if ((s = HG_CELL(rs, i, HA_NETWORK)) != NULL && *s != '\0')
			out = hg_printf(r->r_arena, "%s network %s", out, s);
		if ((s = HG_CELL(rs, i, HA_VIRTUAL)) != NULL &&
		    strcmp(s, "0") != 0)
			out = hg_printf(r->r_arena, "%s virtual", out);
		s = HG_CELL(rs, i, HA_OWNER);
		if (s == NULL || strcmp(s, "HOST") != 0)
			out = hg_printf(r->r_arena, "%s owner %s", out,
			    s ? s : "none");
	}
	return out;
}

/*
 * Append to *d each field of the host that differs between old and new
 * (rows of host_load; NULL for a host not yet created or deleted): the
 * object's columns but id and created_time, the cloud's as cloud.<key>
 * (null without a cloud), the addresses as one text (addrs_text).
 */
static void
host_changes(struct hg_req *r, const char **d, struct hg_rows *old,
    struct hg_rows *new)
{
	struct hg_rows	*rs[2] = { old, new };
	const char	*val[2], *name;
	int		 c, k;

	for (c = 0; c < HK__MAX; c++) {
		if (c == HC_ID || c == HC_CREATED || c == HC_CLOUD)
			continue;
		name = c < HC__MAX ? host_cols[c].c_name :
		    hg_printf(r->r_arena, "cloud.%s", cloud_cols[c].c_name);
		for (k = 0; k < 2; k++)
			if (rs[k] == NULL || (c >= HC__MAX &&
			    HG_CELL(rs[k], 0, HK_ACCOUNT) == NULL))
				val[k] = NULL;
			else if (c == HC_ADDRS)
				val[k] = addrs_text(r, rs[k]);
			else
				val[k] = HG_CELL(rs[k], 0, c);
		hg_audit_change(r, d, name, val[0], val[1]);
	}
}

/* ---- lists ------------------------------------------------------------ */

/* Row order of a page: host id descending, then address id. */
static int
row_cmp(const void *a, const void *b, void *arg)
{
	const struct hg_rows	*rs = arg;
	int			 i = *(const int *)a, k = *(const int *)b;
	long long		 x, y;

	x = hg_atoll(HG_CELL(rs, i, HC_ID));
	y = hg_atoll(HG_CELL(rs, k, HC_ID));
	if (x != y)
		return x < y ? 1 : -1;
	x = hg_atoll(HG_CELL(rs, i, HA_ID));
	y = hg_atoll(HG_CELL(rs, k, HA_ID));
	return x < y ? -1 : x > y;
}

/*
 * Put a page's rows in host_json's order.  Sorting a page here costs less
 * than MariaDB's temporary table for ORDER BY over the derived join.
 */
static void
rows_sort(struct hg_req *r, struct hg_rows *rs)
{
	int		 *ord, i;
	char		**cells;
	unsigned long	 *lens;

	if (rs->nrows < 2)
		return;
	ord = hg_alloc(r->r_arena, sizeof(*ord) * (size_t)rs->nrows);
	for (i = 0; i < rs->nrows; i++)
		ord[i] = i;
	qsort_r(ord, (size_t)rs->nrows, sizeof(*ord), row_cmp, rs);
	cells = hg_alloc(r->r_arena, sizeof(*cells) * (size_t)rs->nrows *
	    (size_t)rs->ncols);
	lens = hg_alloc(r->r_arena, sizeof(*lens) * (size_t)rs->nrows *
	    (size_t)rs->ncols);
	for (i = 0; i < rs->nrows; i++) {
		memcpy(&cells[i * rs->ncols], &rs->cells[ord[i] * rs->ncols],
		    sizeof(*cells) * (size_t)rs->ncols);
		memcpy(&lens[i * rs->ncols], &rs->lens[ord[i] * rs->ncols],
		    sizeof(*lens) * (size_t)rs->ncols);
	}
	rs->cells = cells;
	rs->lens = lens;
}

/* Reply with a page of host rows (ordered by rows_sort) and its count. */
static int
hosts_reply(struct hg_req *r, struct hg_rows *rs, long long count)
{
	const struct hg_visible	*gs;
	struct hg_rows		 none;
	json_object		*hosts;
	int			 rc, i;

	memset(&none, 0, sizeof(none));
	if ((rc = hg_grants_of(r, "host", &gs)) != 0 ||
	    (rc = hg_list_reply_count(r, r->r_page, &none, NULL, count)) != 0)
		return rc;
	rows_sort(r, rs);
	hosts = json_object_new_array_ext(rs->nrows);
	for (i = 0; i < rs->nrows; )
		json_object_array_add(hosts, host_json(r, rs, &i, gs));
	json_object_object_add(r->r_out, "results", hosts);
	return 0;
}

/*
 * Run a page query of hosts and reply with it: typed sql ending in the
 * derived table's "LIMIT ?i OFFSET ?i", the values before them following
 * sql (page_reply(r, count, limit, offset, sql, values...)).  count < 0
 * means the total is the query's last column (and, on a page past the
 * end, that of the same query's first page).
 */
#define page_reply(r, count, limit, offset, ...) page_run((r), (count), \
	(limit), (offset), HG_SQLV(__VA_ARGS__))
static int
page_run(struct hg_req *r, long long count, long long limit,
    long long offset, const char *sql, const struct hg_arg *args, int n)
{
	struct hg_rows	*rs;
	long long	 total;
	int		 rc;

	if ((rc = hg_page_query(r, limit, offset, &rs, &total, sql, args,
	    n)) != 0)
		return rc;
	return hosts_reply(r, rs, count < 0 ? total : count);
}

/*
 * The usual list of someone who sees only the hosts granted to it: the
 * page's ids come from its visible set (perms.c, kept by the worker), so
 * the database only fetches those hosts and their addresses.
 */
static int
host_list_granted(struct hg_req *r)
{
	const struct hg_visible	*vs;
	struct hg_arg		 p[HG_GRANTED_PAGE];
	struct hg_rows		*rs;
	int			 rc;

	if ((rc = hg_visible_set(r, "host", &vs)) != 0)
		return rc;
	hg_visible_page(vs, r->r_page, p);
	if ((rc = hg_sql_run(r, &rs, HOST_SELECT HG_NOCOUNT " FROM hosts h "
	    HOST_ADDRS "WHERE h.id IN (" HG_IN_GRANTED ")", p,
	    HG_GRANTED_PAGE)) != 0)
		return rc;
	return hosts_reply(r, rs, (long long)vs->v_n);
}

/*
 * GET /hosts/ for a caller who sees every host, unfiltered: counted by
 * row_counts (exact, kept by triggers), the page's ids taken from the
 * narrow hosts_order index.  A page in the far half of the list is walked
 * from the other end, so no page costs more than half an index scan.
 */
#define NEAR_PAGES	1000	/* offsets below this skip the count query */
#define HOST_JOIN "k JOIN hosts h ON h.id = k.id " HOST_ADDRS
static int
host_list_all(struct hg_req *r)
{
	const struct hg_page	*pg = r->r_page;
	struct hg_rows		*rs;
	long long		 count, end, start;
	int			 rc;

	if (pg->pg_offset < NEAR_PAGES)
		return page_reply(r, -1, pg->pg_size, pg->pg_offset,
		    HOST_SELECT "(SELECT n FROM row_counts WHERE tbl = 'hosts') "
		    "FROM (SELECT id FROM hosts FORCE INDEX (hosts_order) "
		    "ORDER BY id DESC LIMIT ?i OFFSET ?i) " HOST_JOIN);
	if ((rc = hg_sql(r, &rs, "SELECT n FROM row_counts WHERE "
	    "tbl = 'hosts'")) != 0)
		return rc;
	count = rs->nrows ? hg_atoll(HG_CELL(rs, 0, 0)) : 0;
	if (pg->pg_offset * 2 < count)
		return page_reply(r, count, pg->pg_size, pg->pg_offset,
		    HOST_SELECT "0 FROM (SELECT id FROM hosts FORCE INDEX "
		    "(hosts_order) ORDER BY id DESC LIMIT ?i OFFSET ?i) "
		    HOST_JOIN);
	if (pg->pg_offset >= count) {
		rs->nrows = 0;	/* a page past the end: no rows, the count */
		return hg_list_reply_count(r, pg, rs, NULL, count);
	}
	end = count - pg->pg_offset;
	start = end > pg->pg_size ? end - pg->pg_size : 0;
	return page_reply(r, count, end - start, start, HOST_SELECT "0 FROM "
	    "(SELECT id FROM hosts FORCE INDEX (hosts_order) ORDER BY id ASC "
	    "LIMIT ?i OFFSET ?i) " HOST_JOIN);
}

/*
 * GET /hosts/.  The page's ids come from a derived table over narrow
 * indexes (sql/020_hosts.sql); the rows and their addresses are joined to
 * those ids only.  Callers who see every host and filter nothing get
 * host_list_all; everyone else sees the hosts they may view.
 *
 * A name or ip substring of HG_SEARCH_MIN characters or more starts from
 * the substring index (search_bin, sql/080_search.sql): the hosts whose
 * windows begin with its first characters, each host once, then the
 * filters on those rows only (name_fold's LIKE stays the final check).
 * When that is the only filter, the caller sees every host and the name
 * fits in a window (or the filter is ip: the address's LIKE is checked on
 * the address rows), the index alone is the answer: page and count never
 * touch a host row but the page's.  A whole address matches through the
 * address index as before; shorter texts scan hosts_filter.
 */
#define HOST_FILTERS "WHERE name_fold LIKE COALESCE(LOWER(?s), '%') " \
	"AND host_type = COALESCE(?s, host_type) " \
	"AND status = COALESCE(?s, status) " \
	"AND os_status = COALESCE(?s, os_status) "
#define BY_NAME "(SELECT DISTINCT id AS sid FROM search_bin WHERE " \
	"field = 1 AND k LIKE LOWER(?s)) s "
#define BY_IP "(SELECT DISTINCT a.host_id AS sid FROM search_bin b JOIN " \
	"host_addresses a ON a.id = b.id WHERE b.field = 2 AND " \
	"b.k LIKE LOWER(CONVERT(?s USING ascii)) AND " \
	"a.address LIKE CONVERT(?s USING ascii)) s "
#define IP_IN "AND id IN (SELECT host_id FROM host_addresses WHERE " \
	"address LIKE CONVERT(?s USING ascii)) "
#define PAGE_OF_IDS(from) HOST_SELECT "k.total FROM (SELECT sid AS id, " \
	"COUNT(*) OVER () AS total FROM " from "ORDER BY sid DESC " \
	"LIMIT ?i OFFSET ?i) " HOST_JOIN
#define PAGE_OF(from, ip) HOST_SELECT "k.total FROM (SELECT id, " \
	"COUNT(*) OVER () AS total FROM " from HOST_FILTERS ip "AND " \
	HG_VISIBLE_SQL("host", "view_host", "id") " ORDER BY id DESC " \
	"LIMIT ?i OFFSET ?i) " HOST_JOIN
#define IDX "STRAIGHT_JOIN hosts ON hosts.id = s.sid "
static int
host_list(struct hg_req *r)
{
	static const char *const page_sql[3][2] = {	/* [driver][ip IN] */
		{ PAGE_OF("hosts ", ""), PAGE_OF("hosts ", IP_IN) },
		{ PAGE_OF(BY_NAME IDX, ""), PAGE_OF(BY_NAME IDX, IP_IN) },
		{ PAGE_OF(BY_IP IDX, ""), NULL },
	};
	const struct hg_val	*v = r->r_qv;
	struct hg_arg		 a[12];
	const char		*name, *ip = NULL, *ipw = NULL;
	long long		 uid = r->r_user->u_id, all;
	int			 i, n = 0, filtered = 0, others = 0, exact, x;
	enum { D_SCAN, D_NAME, D_IP } d = D_SCAN;

	all = hg_visible_all(r, "host");
	for (i = 0; i < HQ__MAX; i++) {
		filtered |= v[i].present;
		if (i != HQ_NAME && i != HQ_IP)
			others |= v[i].present;
	}
	if (!filtered && all)
		return host_list_all(r);
	if (!filtered && r->r_page->pg_size <= HG_GRANTED_PAGE)
		return host_list_granted(r);
	if (v[HQ_IP].present) {
		ip = hg_host_ip_pattern(r, &v[HQ_IP]);
		if (strchr(ip, '%') != NULL)	/* a substring, not an address */
			ipw = hg_like_window(r, &v[HQ_IP], &x);
	}
	if ((name = hg_like_window(r, &v[HQ_NAME], &exact)) != NULL) {
		d = D_NAME;
		a[n++] = HG_ARG(name);
	} else if (ipw != NULL) {
		d = D_IP;
		a[n++] = HG_ARG(ipw);
		a[n++] = HG_ARG(ip);
	}
	if (all && !others && (d == D_IP ? !v[HQ_NAME].present :
	    d == D_NAME && exact && ip == NULL))
		return page_run(r, -1, r->r_page->pg_size, r->r_page->pg_offset,
		    d == D_NAME ? PAGE_OF_IDS(BY_NAME) : PAGE_OF_IDS(BY_IP), a,
		    n);
	a[n++] = HG_ARG(hg_like(r, &v[HQ_NAME]));
	a[n++] = HG_ARG(v[HQ_TYPE].s);
	a[n++] = HG_ARG(v[HQ_STATUS].s);
	a[n++] = HG_ARG(v[HQ_OS_STATUS].s);
	if (ip != NULL && d != D_IP)
		a[n++] = HG_ARG(ip);
	a[n++] = HG_ARG(all);
	a[n++] = HG_ARG(uid);
	a[n++] = HG_ARG(uid);
	return page_run(r, -1, r->r_page->pg_size, r->r_page->pg_offset,
	    page_sql[d][ip != NULL && d != D_IP], a, n);
}

/*
 * GET /hosts/{id}/applications/: the applications with instances here, as
 * Application objects, those the caller may view.
 */
static int
host_apps(struct hg_req *r)
{
	long long	uid = r->r_user->u_id;
	int		rc;

	if ((rc = hg_sql_get(r, NULL, "host", r->r_ids[0],
	    "SELECT id FROM hosts WHERE id = ?i")) != 0)
		return rc;
	return hg_list(r, hg_app_json, "SELECT " HG_APP_COLS_WITH(HG_GRANTS_COL(
	    "application", "a.id")) ", COUNT(*) OVER () FROM app_instances i "
	    "JOIN applications a ON a.id = i.app_id WHERE i.host_id = ?i AND "
	    HG_VISIBLE_SQL("application", "view_app", "a.id") " ORDER BY a.id "
	    "DESC LIMIT ?i OFFSET ?i", uid, uid, r->r_ids[0],
	    (long long)hg_visible_all(r, "application"), uid, uid);
}

/* ---- one host --------------------------------------------------------- */

/*
 * Reply with host id as it is now, and audit its creation (old NULL) or
 * its update from old (its rows before).
 */
static int
host_reply(struct hg_req *r, long long id, int status, struct hg_rows *old)
{
	const struct hg_visible	*gs;
	struct hg_rows		*rs;
	const char		*d = "";
	int			 rc, i = 0;

	if ((rc = host_load(r, id, 0, &rs)) != 0 ||
	    (rc = hg_grants_of(r, "host", &gs)) != 0)
		return rc;
	host_changes(r, &d, old, rs);
	if ((rc = hg_audit(r, NULL, id, HG_CELL(rs, 0, HC_NAME), old == NULL ?
	    "add" : "update", hg_printf(r->r_arena, "%s host \"%s\": %s",
	    old == NULL ? "created" : "updated", HG_CELL(old ? old : rs, 0,
	    HC_NAME), *d != '\0' ? d : "nothing changed"))) != 0)
		return rc;
	return hg_reply(r, status, host_json(r, rs, &i, gs));
}

/*
 * Replace host's addresses with those of the body (fresh: a host just
 * created, with none to delete), ADDR_ROWS to a statement: each write of
 * an address also writes its windows (sql/080_search.sql), so round trips
 * saved here pay for them.
 */
#define ADDR_ROWS	8	/* 7 values a row, HG_DB_MAXPARAMS at most */
static int
addrs_store(struct hg_req *r, long long host, const struct host_in *in,
    int fresh)
{
	const struct host_addr	*ad;
	struct hg_arg		 a[ADDR_ROWS * 7];
	const char		*sql;
	size_t			 i, k;
	int			 rc, n;

	if (!fresh && (rc = hg_sql_exec(r, "DELETE FROM host_addresses WHERE "
	    "host_id = ?i", host)) != 0)
		return rc;
	for (i = 0; i < in->h_naddrs; i += k) {
		sql = "INSERT INTO host_addresses (host_id, owner, is_virtual, "
		    "addr_type, network, netmask, address) VALUES ";
		for (k = 0, n = 0; k < ADDR_ROWS && i + k < in->h_naddrs; k++) {
			ad = &in->h_addrs[i + k];
			sql = hg_printf(r->r_arena, "%s%s(?i, ?s, ?i, ?s, ?s, ?s, "
			    "?s)", sql, k ? ", " : "");
			a[n++] = HG_ARG(host);
			a[n++] = HG_ARG(ad->a_owner);
			a[n++] = HG_ARG(ad->a_virtual);
			a[n++] = HG_ARG(ad->a_type);
			a[n++] = HG_ARG(ad->a_network);
			a[n++] = HG_ARG(ad->a_netmask);
			a[n++] = HG_ARG(ad->a_address);
		}
		if ((rc = hg_sql_run(r, NULL, sql, a, n)) != 0)
			return rc;
	}
	return 0;
}

/* A duplicate name is the body's; anything else passes through. */
static int
name_taken(struct hg_req *r, int rc)
{
	if (rc == HG_E_CONFLICT)
		return hg_fail(r, rc, "host name \"%s\" is taken",
		    r->r_in[HF_NAME].s);
	return rc;
}

static const char *
opt_str(const struct hg_val *v, const char *dflt)
{
	return v->present && v->s != NULL ? v->s : dflt;
}

/*
 * POST /hosts/: raw, or inited when the body says so (an inventory
 * import, API.md section 6).
 */
static int
host_create(struct hg_req *r)
{
	const struct hg_val	*v = r->r_in;
	struct host_in		 in;
	long long		 id;
	int			 rc;

	if ((rc = hg_host_input(r, NULL, &in)) != 0 ||
	    (rc = name_taken(r, hg_sql_exec(r, "INSERT INTO hosts (name, "
	    "host_type, status, os_type, cpu, memory, location, description, "
	    "ssh_port, ssh_user, credential_id, cloud_account_id, "
	    "cloud_region, cloud_instance_id) VALUES (?s, ?s, ?s, ?s, ?i, ?i, "
	    "?s, ?s, ?i, ?s, ?s, ?s, ?s, ?s)", v[HF_NAME].s, v[HF_TYPE].s,
	    opt_str(&v[HF_STATUS], "raw"), opt_str(&v[HF_OS_TYPE], ""),
	    v[HF_CPU].i, v[HF_MEMORY].i,
	    opt_str(&v[HF_LOCATION], ""), opt_str(&v[HF_DESC], ""),
	    v[HF_SSH_PORT].present ? v[HF_SSH_PORT].i : 22LL,
	    opt_str(&v[HF_SSH_USER], "root"), in.h_cred, in.h_account,
	    in.h_region, in.h_instance))) != 0)
		return rc;
	id = hg_sql_insert_id(r);
	if ((rc = addrs_store(r, id, &in, 1)) != 0)
		return rc;
	return host_reply(r, id, 201, NULL);
}

/* GET /hosts/{id}/ */
static int
host_get(struct hg_req *r)
{
	const struct hg_visible	*gs;
	struct hg_rows		*rs;
	int			 rc, i = 0;

	if ((rc = host_load(r, r->r_ids[0], 0, &rs)) != 0 ||
	    (rc = hg_grants_of(r, "host", &gs)) != 0)
		return rc;
	return hg_reply(r, 200, host_json(r, rs, &i, gs));
}

/*
 * PATCH /hosts/{id}/: absent fields stay; the scalar fields are written by
 * their declared columns, a cloud given (or null) replaces the host's,
 * ip_address replaces the list.
 */
static int
host_patch(struct hg_req *r)
{
	const struct hg_val	*v = r->r_in;
	struct hg_rows		*old;
	struct host_in		 in;
	long long		 id = r->r_ids[0];
	int			 rc;

	if ((rc = host_load(r, id, 1, &old)) != 0 ||
	    (rc = hg_host_input(r, old, &in)) != 0 ||
	    (rc = name_taken(r, hg_sql_patch(r, "hosts", id))) != 0)
		return rc;
	if (v[HF_CLOUD].present && (rc = hg_sql_exec(r, "UPDATE hosts SET "
	    "cloud_account_id = ?s, cloud_region = ?s, cloud_instance_id = ?s "
	    "WHERE id = ?i", in.h_account, in.h_region, in.h_instance,
	    id)) != 0)
		return rc;
	if (v[HF_ADDRS].present && (rc = addrs_store(r, id, &in, 0)) != 0)
		return rc;
	return host_reply(r, id, 200, old);
}

/* DELETE /hosts/{id}/: 409 while application instances run on it. */
static int
host_delete(struct hg_req *r)
{
	struct hg_rows	*old;
	const char	*name, *d = "";
	long long	 n;
	int		 rc;

	if ((rc = host_load(r, r->r_ids[0], 1, &old)) != 0 ||
	    (rc = hg_sql_count(r, &n, "SELECT COUNT(*) FROM app_instances "
	    "WHERE host_id = ?i", r->r_ids[0])) != 0)
		return rc;
	name = HG_CELL(old, 0, HC_NAME);
	if (n > 0)
		return hg_fail(r, HG_E_CONFLICT, "host \"%s\" still has %lld "
		    "application instance%s", name, n, n == 1 ? "" : "s");
	if ((rc = hg_sql_exec(r, "DELETE FROM hosts WHERE id = ?i",
	    r->r_ids[0])) == HG_E_CONFLICT)
		return hg_fail(r, rc, "host is still referenced");
	if (rc != 0)
		return rc;
	host_changes(r, &d, old, NULL);
	if ((rc = hg_audit(r, NULL, r->r_ids[0], name, "delete",
	    hg_printf(r->r_arena, "deleted host \"%s\": %s", name, d))) != 0)
		return rc;
	return hg_reply_ok(r);
}

/*
 * Permissions of API.md section 6.  The list needs the resource module's
 * switch (it will show only the hosts the caller may view); routes on one
 * host check the per-host permission.
 */
const struct hg_route hg_routes_hosts[] = {
	ROUTE("GET", "/hosts", host_list,
	    PERM_MODULE("resource", "enable_host_mgmt"),
	    QUERY(hg_host_list_q), PAGED),
	ROUTE("POST", "/hosts", host_create,
	    PERM_MODULE("resource", "add_host"), BODY(hg_host_fields),
	    AUDIT("host")),
	ROUTE("GET", "/hosts/{id}", host_get, PERM_HOST("view_host")),
	ROUTE("PATCH", "/hosts/{id}", host_patch, PERM_HOST("edit_host"),
	    PATCH(hg_host_fields), AUDIT("host")),
	ROUTE("DELETE", "/hosts/{id}", host_delete, PERM_HOST("delete_host"),
	    AUDIT("host")),
	ROUTE("GET", "/hosts/{id}/applications", host_apps,
	    PERM_HOST("view_host"), PAGED),
	ROUTES_END
};

/*
 * hosts.c -- /resource-request/hosts/: host requests (the seed's 申请服务器,
 * API.md sections 5 and 6, issue 14): list, create, get, PATCH, approve,
 * reject, close, and finish with the hosts delivered.
 *
 * Output names are the data-type section's (purpose, expect_delivery_days,
 * expiration_type, expiration_days, users_with_log_perm, shipped_packages,
 * requested_hosts); input also takes the examples' spellings: expiration
 * ("never" or a number of days), login_users, shiped_packackages,
 * required_hosts with specs {cpu_core, mem, storage}.  shipped_packages is
 * kept as given; requested_hosts is normalized to
 * {name, cpu_cores, mem, storage, os, type}.
 */
#include <string.h>

#include "hangard.h"
#include "requests/requests.h"

static int	host_edit(struct hg_req *, long long);
static int	host_finish(struct hg_req *, long long, const char **);

static const struct rq_kind host_kind = {
	RQ_K_HOST, "host", "host request", "/resource-request/hosts/",
	"approve_host_req", host_edit, host_finish, NULL
};
static const struct rq_arg host_args[RQ_A__MAX] = RQ_ARGS(&host_kind);

/* ---- input ------------------------------------------------------------- */

static const char *const host_types[] = { "ALI_ECS", "PHY_HOST", "TECENT_CVM",
    "TECENT_CPM", "CLOUDSTACK", "CLOUDSTACK_OFFICE", NULL };
static const char *const exp_types[] = { "INFINITE", "FINITE", NULL };

/* "never", or a number of days. */
static const char *
check_expiration(const char *s)
{
	if (strcmp(s, "never") == 0)
		return NULL;
	return rq_check_days(s) == NULL ? NULL :
	    "must be \"never\" or a number of days from 1 to 3650";
}

#define BIG	(1LL << 40)
enum { SP_CPU, SP_MEM, SP_STORAGE, SP__MAX };
#define SPEC_FIELDS(req) \
	[SP_CPU] = { "cpu_cores", HG_V_INT, req, 1, 4096,		\
	    .f_alias = { "cpu_core" } },				\
	[SP_MEM] = { "mem", HG_V_INT, req, 1, BIG },			\
	[SP_STORAGE] = { "storage", HG_V_INT, req, 1, BIG }
/* the example's specs object */
static const struct hg_field spec_fields[SP__MAX] = { SPEC_FIELDS(0) };

/* one requested host: the sizes beside name, or in specs */
enum { RH_CPU, RH_MEM, RH_STORAGE, RH_NAME, RH_OS, RH_TYPE, RH_SPECS,
    RH__MAX };
static const struct hg_field rhost_fields[RH__MAX] = {
	SPEC_FIELDS(0),
	[RH_NAME] = { "name", HG_V_STR, HG_V_REQUIRED, 1, 128,
	    .f_check = hg_check_noctl },
	[RH_OS] = { "os", HG_V_STR, HG_V_NULLABLE, 0, 128,
	    .f_check = hg_check_noctl },
	[RH_TYPE] = { "type", HG_V_ENUM, HG_V_NULLABLE | HG_V_NOCASE, 0, 0,
	    host_types },
	[RH_SPECS] = { "specs", HG_V_OBJECT, 0, HG_SUB(spec_fields) },
};

enum { F_PURPOSE, F_DAYS, F_EXPIRATION, F_EXPTYPE, F_EXPDAYS, F_LOGUSERS,
    F_PACKAGES, F_RHOSTS, F__MAX };
static const struct hg_field host_fields[F__MAX] = {
	[F_PURPOSE] = { "purpose", HG_V_STR, HG_V_REQUIRED, 1, 4096 },
	[F_DAYS] = { "expect_delivery_days", HG_V_STR, HG_V_NUMTEXT, 1, 4,
	    .f_check = rq_check_days },
	[F_EXPIRATION] = { "expiration", HG_V_STR, HG_V_NUMTEXT, 1, 5,
	    .f_check = check_expiration },
	[F_EXPTYPE] = { "expiration_type", HG_V_ENUM, HG_V_NOCASE, 0, 0,
	    exp_types },
	[F_EXPDAYS] = { "expiration_days", HG_V_STR, HG_V_NUMTEXT |
	    HG_V_NULLABLE, 1, 4, .f_check = rq_check_days },
	[F_LOGUSERS] = { "users_with_log_perm", HG_V_IDS, HG_V_BAREID, 0, 100,
	    .f_alias = { "login_users" } },
	[F_PACKAGES] = { "shipped_packages", HG_V_ARRAY, 0, 0, 100,
	    .f_alias = { "shiped_packackages" } },
	[F_RHOSTS] = { "requested_hosts", HG_V_ARRAY, 0, 0, 100,
	    .f_alias = { "required_hosts" }, HG_SUB(rhost_fields) },
};

/* finish: the hosts delivered (existing hosts, linked) */
enum { FF_HOSTS, FF__MAX };
static const struct hg_field finish_fields[FF__MAX] = {
	[FF_HOSTS] = { "hosts", HG_V_IDS, HG_V_BAREID, 0, 1000 },
};

/* ---- writing ----------------------------------------------------------- */

/*
 * requested_hosts as stored: each item's sizes from beside its name, else
 * from its specs; 10002 on the first missing one.  *out: the JSON text.
 */
static int
rhosts_json(struct hg_req *r, const struct hg_val *v, const char **out)
{
	static const char *const names[] = { "cpu_cores", "mem", "storage" };
	json_object	*a = hg_own(r, json_object_new_array()), *o;
	size_t		 i;
	int		 s;

	for (i = 0; i < v->nitems; i++) {
		const struct hg_val *it = v->items[i];

		o = json_object_new_object();
		json_object_array_add(a, o);
		json_object_object_add(o, "name",
		    json_object_new_string(it[RH_NAME].s));
		for (s = 0; s < SP__MAX; s++) {
			const struct hg_val *x = &it[s];

			if (!x->present && it[RH_SPECS].present &&
			    it[RH_SPECS].sub != NULL)
				x = &it[RH_SPECS].sub[s];
			if (!x->present)
				return hg_invalid(r, hg_printf(r->r_arena,
				    "requested_hosts[%zu].%s", i, names[s]),
				    "is required (beside name or in specs)");
			json_object_object_add(o, names[s],
			    json_object_new_int64(x->i));
		}
		json_object_object_add(o, "os", it[RH_OS].present &&
		    !it[RH_OS].null ? json_object_new_string(it[RH_OS].s) :
		    NULL);
		json_object_object_add(o, "type", it[RH_TYPE].present &&
		    !it[RH_TYPE].null ? json_object_new_string(it[RH_TYPE].s) :
		    NULL);
	}
	*out = json_object_to_json_string_ext(a, JSON_C_TO_STRING_PLAIN);
	return 0;
}

/*
 * Write the body's host fields of request id: new (a create) or over
 * the stored ones (a PATCH: only what the body gives).  The expiration:
 * expiration_type wins, then the example's expiration ("never" or days),
 * then expiration_days alone (FINITE); FINITE needs its days, INFINITE
 * has none.
 */
static int
host_write(struct hg_req *r, long long id, int new)
{
	const struct hg_val	*v = r->r_in;
	struct hg_rows		*rs;
	const char		*type = "INFINITE", *days = NULL, *rhosts = "[]";
	const char		*packages = "[]";
	int			 rc, setexp;
	size_t			 i;

	if (!new) {
		if ((rc = hg_sql(r, &rs, "SELECT expiration_type, "
		    "expiration_days FROM host_requests WHERE request_id = ?i",
		    id)) != 0)
			return rc;
		if (rs->nrows == 1) {
			type = HG_CELL(rs, 0, 0);
			days = HG_CELL(rs, 0, 1);
		}
	}
	setexp = v[F_EXPTYPE].present || v[F_EXPIRATION].present ||
	    v[F_EXPDAYS].present;
	if (v[F_EXPDAYS].present)
		days = v[F_EXPDAYS].null ? NULL : v[F_EXPDAYS].s;
	if (v[F_EXPTYPE].present)
		type = v[F_EXPTYPE].s;
	else if (v[F_EXPIRATION].present) {
		if (strcmp(v[F_EXPIRATION].s, "never") == 0)
			type = "INFINITE";
		else {
			type = "FINITE";
			if (!v[F_EXPDAYS].present)
				days = v[F_EXPIRATION].s;
		}
	} else if (v[F_EXPDAYS].present && !v[F_EXPDAYS].null)
		type = "FINITE";
	if (setexp && strcmp(type, "FINITE") == 0 && days == NULL)
		return hg_invalid(r, "expiration_days", "is required when "
		    "expiration_type is FINITE");
	if (setexp && strcmp(type, "INFINITE") == 0) {
		if (v[F_EXPDAYS].present && !v[F_EXPDAYS].null)
			return hg_invalid(r, "expiration_days", "must be null "
			    "or absent when expiration_type is INFINITE");
		days = NULL;
	}
	if ((rc = rq_users_exist(r, "users_with_log_perm",
	    &v[F_LOGUSERS])) != 0)
		return rc;
	if (v[F_RHOSTS].present && (rc = rhosts_json(r, &v[F_RHOSTS],
	    &rhosts)) != 0)
		return rc;
	if (v[F_PACKAGES].present)
		packages = json_object_to_json_string_ext(v[F_PACKAGES].j,
		    JSON_C_TO_STRING_PLAIN);
	if (new)
		rc = hg_sql_exec(r, "INSERT INTO host_requests (request_id, "
		    "expiration_type, expiration_days, shipped_packages, "
		    "requested_hosts) VALUES (?i, ?s, ?s, ?s, ?s)", id, type,
		    days, packages, rhosts);
	else
		rc = hg_sql_exec(r, "UPDATE host_requests SET expiration_type = "
		    "?s, expiration_days = ?s, shipped_packages = IF(?i = 1, ?s, "
		    "shipped_packages), requested_hosts = IF(?i = 1, ?s, "
		    "requested_hosts) WHERE request_id = ?i", type, days,
		    (long long)v[F_PACKAGES].present, packages,
		    (long long)v[F_RHOSTS].present, rhosts, id);
	if (rc != 0)
		return rc;
	if (!v[F_LOGUSERS].present)
		return 0;
	if ((rc = hg_sql_exec(r, "DELETE FROM host_request_log_users WHERE "
	    "request_id = ?i", id)) != 0)
		return rc;
	for (i = 0; i < v[F_LOGUSERS].nitems; i++)
		if ((rc = hg_sql_exec(r, "INSERT IGNORE INTO "
		    "host_request_log_users (request_id, user_id) VALUES (?i, "
		    "?i)", id, v[F_LOGUSERS].ids[i])) != 0)
			return rc;
	return 0;
}

/* ---- handlers ---------------------------------------------------------- */

/* POST /resource-request/hosts/ */
static int
host_create(struct hg_req *r)
{
	long long	id;
	int		rc;

	if ((rc = rq_insert(r, &host_kind, r->r_in[F_PURPOSE].s,
	    r->r_in[F_DAYS].present ? r->r_in[F_DAYS].s : NULL, &id)) != 0 ||
	    (rc = host_write(r, id, 1)) != 0)
		return rc;
	return rq_created(r, &host_kind, id);
}

/* PATCH's own part (the core checked who and the state). */
static int
host_edit(struct hg_req *r, long long id)
{
	int rc;

	if ((rc = rq_patch_common(r, id, &r->r_in[F_PURPOSE],
	    &r->r_in[F_DAYS])) != 0)
		return rc;
	return host_write(r, id, 0);
}

/* finish: link the hosts delivered (each must exist). */
static int
host_finish(struct hg_req *r, long long id, const char **d)
{
	const struct hg_val	*h = &r->r_in[FF_HOSTS];
	struct hg_rows		*rs;
	const char		*names = "";
	size_t			 i;
	int			 rc;

	for (i = 0; h->present && i < h->nitems; i++) {
		if ((rc = hg_sql(r, &rs, "SELECT name FROM hosts WHERE id = ?i",
		    h->ids[i])) != 0)
			return rc;
		if (rs->nrows == 0)
			return hg_invalid(r, hg_printf(r->r_arena, "hosts[%zu]",
			    i), hg_printf(r->r_arena, "no host with id %lld",
			    h->ids[i]));
		if ((rc = hg_sql_exec(r, "INSERT IGNORE INTO host_request_hosts "
		    "(request_id, host_id) VALUES (?i, ?i)", id,
		    h->ids[i])) != 0)
			return rc;
		names = hg_printf(r->r_arena, "%s%s\"%s\"", names, i ? ", " :
		    "", HG_CELL(rs, 0, 0));
	}
	if (*names != '\0')
		*d = hg_printf(r->r_arena, "hosts: [%s]", names);
	return 0;
}

#define PATH		"/resource-request/hosts"
#define ACT(name, a)	ROUTE("POST", PATH "/{id}/actions/" name, rq_act, \
	RQ_VIEW, ARG(&host_args[a]), AUDIT("request"), SUCCESS)

/*
 * Every route needs the module's switch, create create_resource_req; the
 * rest (creator, approve_host_req) depends on the request and is the
 * transition table's (requests.c).
 */
const struct hg_route hg_routes_host_requests[] = {
	ROUTE("GET", PATH, rq_list, RQ_VIEW, ARG(&host_kind), QUERY(rq_list_q),
	    PAGED),
	ROUTE("POST", PATH, host_create, RQ_CREATE, BODY(host_fields),
	    AUDIT("request")),
	ROUTE("GET", PATH "/{id}", rq_get, RQ_VIEW, ARG(&host_kind)),
	ROUTE("PATCH", PATH "/{id}", rq_act, RQ_VIEW,
	    ARG(&host_args[RQ_EDIT]), PATCH(host_fields), AUDIT("request"),
	    SUCCESS),
	ACT("approve", RQ_APPROVE),
	ACT("reject", RQ_REJECT),
	ACT("close", RQ_CLOSE),
	ROUTE("POST", PATH "/{id}/actions/finish", rq_act, RQ_VIEW,
	    ARG(&host_args[RQ_FINISH]), BODY(finish_fields), AUDIT("request"),
	    SUCCESS),
	ROUTES_END
};

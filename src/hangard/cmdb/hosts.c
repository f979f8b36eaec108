/*
 * hosts.c -- the host inventory (the seed's 主机 list, 获取主机关联应用,
 * API.md section 4's create/get/PATCH/DELETE) and the host audit log
 * (操作审计: 获取主机操作记录).
 *
 * A host's addresses live in host_addresses; every read joins them to the
 * host in the same query (one row per address), so a page of hosts costs
 * one round trip.  Lists select the page's ids first in a derived table
 * over narrow indexes (sql/020_hosts.sql) and join rows and addresses to
 * those ids only, so a deep OFFSET walks an index instead of rows.  status
 * is not writable here: it moves through init tasks, instances and
 * change-status (API.md section 6).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cmdb/cmdb.h"

static const char *const host_types[] = { "ALI_ECS", "PHY_HOST", "TECENT_CVM",
	"TECENT_CPM", "CLOUDSTACK", "CLOUDSTACK_OFFICE", NULL };
static const char *const statuses[] = { "raw", "inited", "attached",
	"offline", NULL };
static const char *const os_statuses[] = { "unknown", "running", "stopped",
	"restarting", NULL };
static const char *const owners[] = { "HOST", "LB", NULL };
static const char *const addr_types[] = { "PRIVATE", "PUBLIC", NULL };

#define MAX_ADDRS	64

/*
 * The Host object's columns joined with its addresses: one row per address
 * (or one with NULL address columns for a host without any); host_json
 * wants them by host, then address id.  A list query ends with one more
 * column, the total.
 */
#define HOST_COLS "h.id, h.name, h.host_type, h.status, h.os_status, " \
	"h.os_type, h.cpu, h.memory, h.location, h.description, h.ssh_port, " \
	"h.ssh_user, h.credential_id, h.cloud_account_id, h.cloud_region, " \
	"h.cloud_instance_id, h.created_time, a.id, a.owner, a.is_virtual, " \
	"a.addr_type, a.network, a.netmask, a.address"
#define HOST_ADDRS "LEFT JOIN host_addresses a ON a.host_id = h.id "
enum { HC_ID, HC_NAME, HC_TYPE, HC_STATUS, HC_OS_STATUS, HC_OS_TYPE, HC_CPU,
	HC_MEMORY, HC_LOCATION, HC_DESC, HC_SSH_PORT, HC_SSH_USER, HC_CRED,
	HC_ACCOUNT, HC_REGION, HC_INSTANCE, HC_CREATED, HC_A_ID, HC_A_OWNER,
	HC_A_VIRTUAL, HC_A_TYPE, HC_A_NETWORK, HC_A_NETMASK, HC_A_ADDRESS };

static json_object *
addr_json(struct hg_rows *rs, int i)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", hg_jint(HG_CELL(rs, i, HC_A_ID)));
	json_object_object_add(o, "owner", hg_jstr(HG_CELL(rs, i, HC_A_OWNER)));
	json_object_object_add(o, "is_virtual",
	    hg_jbool(HG_CELL(rs, i, HC_A_VIRTUAL)));
	json_object_object_add(o, "addr_type",
	    hg_jstr(HG_CELL(rs, i, HC_A_TYPE)));
	json_object_object_add(o, "network",
	    hg_jstr(HG_CELL(rs, i, HC_A_NETWORK)));
	json_object_object_add(o, "netmask",
	    hg_jstr(HG_CELL(rs, i, HC_A_NETMASK)));
	json_object_object_add(o, "address",
	    hg_jstr(HG_CELL(rs, i, HC_A_ADDRESS)));
	return o;
}

/* The host of row *i with the addresses of its rows; *i moves past them. */
static json_object *
host_json(struct hg_req *r, struct hg_rows *rs, int *i)
{
	json_object	*o = json_object_new_object(), *cloud = NULL, *addrs;
	const char	*id = HG_CELL(rs, *i, HC_ID);
	int		 k = *i;

	json_object_object_add(o, "id", hg_jint(id));
	json_object_object_add(o, "name", hg_jstr(HG_CELL(rs, k, HC_NAME)));
	json_object_object_add(o, "host_type", hg_jstr(HG_CELL(rs, k, HC_TYPE)));
	json_object_object_add(o, "status", hg_jstr(HG_CELL(rs, k, HC_STATUS)));
	json_object_object_add(o, "os_status",
	    hg_jstr(HG_CELL(rs, k, HC_OS_STATUS)));
	json_object_object_add(o, "os_type", hg_jstr(HG_CELL(rs, k, HC_OS_TYPE)));
	json_object_object_add(o, "cpu", hg_jint(HG_CELL(rs, k, HC_CPU)));
	json_object_object_add(o, "memory", hg_jint(HG_CELL(rs, k, HC_MEMORY)));
	json_object_object_add(o, "location",
	    hg_jstr(HG_CELL(rs, k, HC_LOCATION)));
	addrs = json_object_new_array();
	for (; *i < rs->nrows && strcmp(HG_CELL(rs, *i, HC_ID), id) == 0; (*i)++)
		if (HG_CELL(rs, *i, HC_A_ID) != NULL)
			json_object_array_add(addrs, addr_json(rs, *i));
	json_object_object_add(o, "ip_address", addrs);
	json_object_object_add(o, "description", hg_jstr(HG_CELL(rs, k, HC_DESC)));
	json_object_object_add(o, "ssh_port", hg_jint(HG_CELL(rs, k, HC_SSH_PORT)));
	json_object_object_add(o, "ssh_user", hg_jstr(HG_CELL(rs, k, HC_SSH_USER)));
	json_object_object_add(o, "credential", hg_jint(HG_CELL(rs, k, HC_CRED)));
	if (HG_CELL(rs, k, HC_ACCOUNT) != NULL) {
		cloud = json_object_new_object();
		json_object_object_add(cloud, "account",
		    hg_jint(HG_CELL(rs, k, HC_ACCOUNT)));
		json_object_object_add(cloud, "region",
		    hg_jstr(HG_CELL(rs, k, HC_REGION)));
		json_object_object_add(cloud, "instance_id",
		    hg_jstr(HG_CELL(rs, k, HC_INSTANCE)));
	}
	json_object_object_add(o, "cloud", cloud);
	json_object_object_add(o, "created_time",
	    hg_jtime(r, HG_CELL(rs, k, HC_CREATED)));
	return o;
}

/*
 * Load host id as a Host object (owned by the request; the host and its
 * addresses locked when lock is set); 10008 when there is none.
 */
static int
host_load(struct hg_req *r, long long id, int lock, json_object **out)
{
	struct hg_rows	*rs;
	int		 rc, i = 0;

	rc = lock ? hg_db_query(r->r_db, r->r_arena, &rs, "SELECT " HOST_COLS
	    " FROM hosts h " HOST_ADDRS "WHERE h.id = ? ORDER BY a.id "
	    "FOR UPDATE", "i", id) :
	    hg_db_query(r->r_db, r->r_arena, &rs, "SELECT " HOST_COLS
	    " FROM hosts h " HOST_ADDRS "WHERE h.id = ? ORDER BY a.id", "i", id);
	if (rc != 0)
		return hg_fail(r, rc, NULL);
	if (rs->nrows == 0)
		return hg_fail(r, HG_E_NOTFOUND, "no host with id %lld", id);
	*out = hg_own(r, host_json(r, rs, &i));
	return 0;
}

/* o's string member key, "" when absent or null. */
static const char *
jstr_or(json_object *o, const char *key)
{
	json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    json_object_is_type(v, json_type_null))
		return "";
	return json_object_get_string(v);
}

/* ---- validation ------------------------------------------------------ */

/* Characters an address or part of one may hold (the ip filter). */
static const char *
check_ipchars(const char *s)
{
	for (; *s; s++)
		if (!isxdigit((unsigned char)*s) && *s != '.' && *s != ':')
			return "may contain only hex digits, '.' and ':'";
	return NULL;
}

/* A single IPv4 or IPv6 address. */
static const char *
check_address(const char *s)
{
	unsigned char buf[16];

	if (inet_pton(AF_INET, s, buf) == 1 || inet_pton(AF_INET6, s, buf) == 1)
		return NULL;
	return "must be an IPv4 or IPv6 address";
}

/* The canonical text of an address that check_address accepted. */
static const char *
canonical_address(struct hg_req *r, const char *s, int *v6)
{
	unsigned char	buf[16];
	char		out[INET6_ADDRSTRLEN];

	*v6 = inet_pton(AF_INET, s, buf) != 1;
	if (*v6)
		inet_pton(AF_INET6, s, buf);
	inet_ntop(*v6 ? AF_INET6 : AF_INET, buf, out, sizeof(out));
	return hg_strdup(r->r_arena, out);
}

/*
 * A netmask for an address of the given family: a prefix length (with or
 * without a leading '/') up to 32 or 128, or for IPv4 a dotted mask whose
 * bits are contiguous.  Returns the stored form (prefix as plain digits,
 * mask in dotted quad) or NULL with *why set.
 */
static const char *
netmask_form(struct hg_req *r, const char *s, int v6, const char **why)
{
	struct in_addr	 m;
	unsigned long	 n;
	uint32_t	 inv;
	char		*end;

	*why = NULL;
	if (*s == '\0')
		return s;
	if (strchr(s, '.') != NULL) {
		if (v6 || inet_pton(AF_INET, s, &m) != 1) {
			*why = v6 ? "must be a prefix length for an IPv6 address" :
			    "must be a dotted netmask or a prefix length";
			return NULL;
		}
		inv = ~ntohl(m.s_addr);
		if ((inv & (inv + 1)) != 0) {
			*why = "must be a contiguous netmask";
			return NULL;
		}
		return hg_strdup(r->r_arena, inet_ntoa(m));
	}
	if (*s == '/')
		s++;
	n = strtoul(s, &end, 10);
	if (!isdigit((unsigned char)*s) || *end != '\0' || strlen(s) > 3 ||
	    n > (v6 ? 128UL : 32UL)) {
		*why = v6 ? "must be a prefix length from 0 to 128" :
		    "must be a dotted netmask or a prefix length from 0 to 32";
		return NULL;
	}
	return hg_printf(r->r_arena, "%lu", n);
}

/* One validated address of an ip_address list. */
struct addr {
	const char	*a_address;
	const char	*a_netmask;
	const char	*a_network;
	const char	*a_type;
	const char	*a_owner;	/* NULL: SQL NULL */
	long long	 a_virtual;
};

enum { AF_ADDRESS, AF_NETMASK, AF_NETWORK, AF_TYPE, AF_OWNER, AF_VIRTUAL,
	AF__MAX };
static const struct hg_field addr_fields[AF__MAX] = {
	[AF_ADDRESS] = { "address", HG_V_STR, HG_V_REQUIRED, 1, 45,
	    .f_check = check_address },
	[AF_NETMASK] = { "netmask", HG_V_STR, 0, 0, 45 },
	[AF_NETWORK] = { "network", HG_V_STR, 0, 0, 128,
	    .f_check = hg_check_noctl },
	[AF_TYPE] = { "addr_type", HG_V_ENUM, 0, 0, 0, addr_types },
	[AF_OWNER] = { "owner", HG_V_ENUM, HG_V_NULLABLE, 0, 0, owners },
	[AF_VIRTUAL] = { "is_virtual", HG_V_BOOL, 0 },
};

/* 10002 naming "prefix.field" for the first field errors names. */
static int
nested_invalid(struct hg_req *r, const char *prefix, json_object *errors)
{
	struct json_object_iterator it = json_object_iter_begin(errors);

	return hg_invalid(r, hg_printf(r->r_arena, "%s.%s", prefix,
	    json_object_iter_peek_name(&it)),
	    json_object_get_string(json_object_iter_peek_value(&it)));
}

/* Validate an ip_address list (JSON null: empty) into a[], *n. */
static int
addrs_parse(struct hg_req *r, json_object *list, struct addr *a, size_t *n)
{
	struct hg_val	 v[AF__MAX];
	json_object	*item, *errors;
	const char	*field, *why;
	size_t		 i, k;
	int		 v6;

	*n = list == NULL ? 0 : json_object_array_length(list);
	for (i = 0; i < *n; i++) {
		field = hg_printf(r->r_arena, "ip_address[%zu]", i);
		item = json_object_array_get_idx(list, i);
		if (!json_object_is_type(item, json_type_object))
			return hg_invalid(r, field, "must be an object");
		if (hg_valid_body(r->r_arena, item, addr_fields, AF__MAX, v,
		    &errors) != 0)
			return nested_invalid(r, field, errors);
		a[i].a_address = canonical_address(r, v[AF_ADDRESS].s, &v6);
		a[i].a_netmask = netmask_form(r, v[AF_NETMASK].s ?
		    v[AF_NETMASK].s : "", v6, &why);
		if (why != NULL)
			return hg_invalid(r, hg_printf(r->r_arena, "%s.netmask",
			    field), why);
		a[i].a_network = v[AF_NETWORK].s ? v[AF_NETWORK].s : "";
		a[i].a_type = v[AF_TYPE].s ? v[AF_TYPE].s : "PRIVATE";
		a[i].a_owner = v[AF_OWNER].present ? v[AF_OWNER].s : "HOST";
		a[i].a_virtual = v[AF_VIRTUAL].i;
		for (k = 0; k < i; k++)
			if (strcmp(a[k].a_address, a[i].a_address) == 0)
				return hg_invalid(r, hg_printf(r->r_arena,
				    "%s.address", field), hg_printf(r->r_arena,
				    "%s is listed twice", a[i].a_address));
	}
	return 0;
}

static int
addrs_store(struct hg_req *r, long long host, const struct addr *a, size_t n)
{
	size_t	i;
	int	rc;

	if ((rc = hg_db_exec(r->r_db, "DELETE FROM host_addresses WHERE "
	    "host_id = ?", "i", host)) != 0)
		return hg_fail(r, rc, NULL);
	for (i = 0; i < n; i++)
		if ((rc = hg_db_exec(r->r_db, "INSERT INTO host_addresses "
		    "(host_id, owner, is_virtual, addr_type, network, netmask, "
		    "address) VALUES (?, ?, ?, ?, ?, ?, ?)", "isissss", host,
		    a[i].a_owner, a[i].a_virtual, a[i].a_type, a[i].a_network,
		    a[i].a_netmask, a[i].a_address)) != 0)
			return hg_fail(r, rc, NULL);
	return 0;
}

/* The cloud object: {"account", "region", "instance_id"}. */
enum { CF_ACCOUNT, CF_REGION, CF_INSTANCE, CF__MAX };
static const struct hg_field cloud_fields[CF__MAX] = {
	[CF_ACCOUNT] = { "account", HG_V_INT, HG_V_REQUIRED, 1, 1LL << 62 },
	[CF_REGION] = { "region", HG_V_STR, 0, 0, 64, .f_check = hg_check_noctl },
	[CF_INSTANCE] = { "instance_id", HG_V_STR, 0, 0, 128,
	    .f_check = hg_check_noctl },
};

/* The body of POST and PATCH; POST adds HG_V_REQUIRED to name, host_type. */
enum { HF_NAME, HF_TYPE, HF_OS_TYPE, HF_CPU, HF_MEMORY, HF_LOCATION, HF_DESC,
	HF_SSH_PORT, HF_SSH_USER, HF_CRED, HF_CLOUD, HF_ADDRS, HF_STATUS,
	HF_OS_STATUS, HF__MAX };
#define HOST_FIELDS(req) \
	[HF_NAME] = { "name", HG_V_STR, req, 1, 128, .f_check = hg_check_noctl }, \
	[HF_TYPE] = { "host_type", HG_V_ENUM, req, 0, 0, host_types }, \
	[HF_OS_TYPE] = { "os_type", HG_V_STR, 0, 0, 128, \
	    .f_check = hg_check_noctl }, \
	[HF_CPU] = { "cpu", HG_V_INT, 0, 0, 4096 }, \
	[HF_MEMORY] = { "memory", HG_V_INT, 0, 0, 1LL << 31 }, \
	[HF_LOCATION] = { "location", HG_V_STR, 0, 0, 255, \
	    .f_check = hg_check_noctl }, \
	[HF_DESC] = { "description", HG_V_STR, 0, 0, 1024 }, \
	[HF_SSH_PORT] = { "ssh_port", HG_V_INT, 0, 1, 65535 }, \
	[HF_SSH_USER] = { "ssh_user", HG_V_STR, 0, 1, 64, \
	    .f_check = hg_check_username }, \
	[HF_CRED] = { "credential", HG_V_INT, HG_V_NULLABLE, 1, 1LL << 62 }, \
	[HF_CLOUD] = { "cloud", HG_V_OBJECT, HG_V_NULLABLE }, \
	[HF_ADDRS] = { "ip_address", HG_V_ARRAY, HG_V_NULLABLE, 0, MAX_ADDRS, \
	    .f_alias = { "ip_adress" } }, \
	[HF_STATUS] = { "status", HG_V_ENUM, 0, 0, 0, statuses }, \
	[HF_OS_STATUS] = { "os_status", HG_V_ENUM, 0, 0, 0, os_statuses },
static const struct hg_field create_fields[HF__MAX] = {
	HOST_FIELDS(HG_V_REQUIRED)
};
static const struct hg_field patch_fields[HF__MAX] = {
	HOST_FIELDS(0)
};

/* A validated host body. */
struct hostin {
	struct hg_val	 h_v[HF__MAX];
	struct hg_val	 h_cloud[CF__MAX];
	struct addr	 h_addrs[MAX_ADDRS];
	size_t		 h_naddrs;
	const char	*h_cred;	/* credential id as text, NULL: none */
	const char	*h_account;	/* cloud account id as text, NULL: none */
};

/*
 * status and os_status may be sent (clients send back what they read) but
 * not changed: a value other than the current one is refused.
 */
static int
check_fixed(struct hg_req *r, const struct hg_val *v, const char *field,
    const char *current)
{
	if (v->present && strcmp(v->s, current) != 0)
		return hg_invalid(r, field, hg_printf(r->r_arena, "is %s and "
		    "changes only through init tasks, instances and "
		    "change-status", current));
	return 0;
}

/* Does sql (one id) find a row?  10002 on field with why when not. */
static int
ref_exists(struct hg_req *r, const char *sql, long long id, const char *field,
    const char *why)
{
	struct hg_rows	*rs;
	int		 rc;

	if ((rc = hg_db_query(r->r_db, r->r_arena, &rs, sql, "i", id)) != 0)
		return hg_fail(r, rc, NULL);
	if (rs->nrows == 0)
		return hg_invalid(r, field, hg_printf(r->r_arena, why, id));
	return 0;
}

/* Does the host as it is (old, NULL for none) refer to id at key(.sub)? */
static int
has_ref(json_object *old, const char *key, const char *sub, long long id)
{
	json_object *o = old ? json_object_object_get(old, key) : NULL;

	if (o != NULL && sub != NULL)
		o = json_object_object_get(o, sub);
	return o != NULL && json_object_get_int64(o) == id;
}

/*
 * A credential lets the agent log in with it, and a cloud account lets
 * host tasks start and stop instances in it: attaching one to a host takes
 * what managing it takes (API.md section 6: manage_credential; cloud
 * accounts, a superuser; mod NULL).  Checked before the object is looked
 * up, so a refusal tells nothing of which ids exist.
 */
static int
may_attach(struct hg_req *r, const char *mod, const char *perm,
    const char *what, long long id)
{
	int rc;

	if (r->r_user->u_superuser)
		return 0;
	if (mod == NULL)
		return hg_fail(r, HG_E_PERM, "permission denied: only a "
		    "superuser may attach %s %lld", what, id);
	if ((rc = hg_perm_module(r, mod, perm)) < 0)
		return r->r_err;
	return rc == 1 ? 0 : hg_fail(r, HG_E_PERM, "permission denied: %s.%s "
	    "needed to attach %s %lld", mod, perm, what, id);
}

/*
 * Validate a POST or PATCH body against the host as it is (old NULL for a
 * new host): fields, nested cloud and addresses, fixed statuses, that the
 * credential and cloud account exist and may be attached by the caller,
 * and that a PHY_HOST has no cloud.
 */
static int
host_input(struct hg_req *r, const struct hg_field *fields,
    json_object *old, struct hostin *in)
{
	struct hg_val	*v = in->h_v;
	json_object	*errors;
	const char	*type;
	int		 rc, cloud;

	if ((rc = hg_body(r, fields, HF__MAX, v)) != 0)
		return rc;
	memset(in->h_cloud, 0, sizeof(in->h_cloud));
	if (v[HF_CLOUD].present && !v[HF_CLOUD].null &&
	    hg_valid_body(r->r_arena, v[HF_CLOUD].j, cloud_fields, CF__MAX,
	    in->h_cloud, &errors) != 0)
		return nested_invalid(r, "cloud", errors);
	if ((rc = addrs_parse(r, v[HF_ADDRS].j, in->h_addrs,
	    &in->h_naddrs)) != 0)
		return rc;
	if ((rc = check_fixed(r, &v[HF_STATUS], "status",
	    old ? jstr_or(old, "status") : "raw")) != 0 ||
	    (rc = check_fixed(r, &v[HF_OS_STATUS], "os_status",
	    old ? jstr_or(old, "os_status") : "unknown")) != 0)
		return rc;
	in->h_cred = v[HF_CRED].present && !v[HF_CRED].null ?
	    hg_printf(r->r_arena, "%lld", v[HF_CRED].i) : NULL;
	if (in->h_cred != NULL && !has_ref(old, "credential", NULL,
	    v[HF_CRED].i) && (rc = may_attach(r, "deploy_template",
	    "manage_credential", "credential", v[HF_CRED].i)) != 0)
		return rc;
	if (in->h_cred != NULL && (rc = ref_exists(r, "SELECT id FROM "
	    "credentials WHERE id = ? AND kind = 'ssh_key'", v[HF_CRED].i,
	    "credential", "no SSH key credential with id %lld")) != 0)
		return rc;
	cloud = v[HF_CLOUD].present ? !v[HF_CLOUD].null :
	    old != NULL && json_object_object_get(old, "cloud") != NULL;
	in->h_account = v[HF_CLOUD].present && !v[HF_CLOUD].null ?
	    hg_printf(r->r_arena, "%lld", in->h_cloud[CF_ACCOUNT].i) : NULL;
	if (in->h_account != NULL && !has_ref(old, "cloud", "account",
	    in->h_cloud[CF_ACCOUNT].i) && (rc = may_attach(r, NULL, NULL,
	    "cloud account", in->h_cloud[CF_ACCOUNT].i)) != 0)
		return rc;
	if (in->h_account != NULL && (rc = ref_exists(r, "SELECT id FROM "
	    "cloud_accounts WHERE id = ?", in->h_cloud[CF_ACCOUNT].i,
	    "cloud.account", "no cloud account with id %lld")) != 0)
		return rc;
	type = v[HF_TYPE].s ? v[HF_TYPE].s : jstr_or(old, "host_type");
	if (cloud && strcmp(type, "PHY_HOST") == 0)
		return hg_invalid(r, "cloud", "must be null for a PHY_HOST");
	return 0;
}

/* ---- audit words ------------------------------------------------------ */

/* "[10.0.0.1/24 PRIVATE, 10.0.0.2 PUBLIC virtual owner LB]" or "none". */
static const char *
addrs_words(struct hg_req *r, json_object *list)
{
	json_object	*a;
	const char	*out = "", *s;
	size_t		 i;

	for (i = 0; i < json_object_array_length(list); i++) {
		a = json_object_array_get_idx(list, i);
		out = hg_printf(r->r_arena, "%s%s%s", out, i ? ", " : "",
		    jstr_or(a, "address"));
		if (*(s = jstr_or(a, "netmask")) != '\0')
			out = hg_printf(r->r_arena, "%s/%s", out, s);
		out = hg_printf(r->r_arena, "%s %s", out, jstr_or(a, "addr_type"));
		if (*(s = jstr_or(a, "network")) != '\0')
			out = hg_printf(r->r_arena, "%s network \"%s\"", out, s);
		if (json_object_get_boolean(json_object_object_get(a,
		    "is_virtual")))
			out = hg_printf(r->r_arena, "%s virtual", out);
		s = jstr_or(a, "owner");
		if (strcmp(s, "HOST") != 0)
			out = hg_printf(r->r_arena, "%s owner %s", out,
			    *s ? s : "none");
	}
	return *out ? hg_printf(r->r_arena, "[%s]", out) : "none";
}

/* The parts of a host an audit detail names, and how each reads. */
enum { W_WORD, W_TEXT, W_MB, W_CRED, W_CLOUD, W_ADDRS };
static const struct {
	const char	*w_key;
	int		 w_kind;
} words[] = {
	{ "name", W_TEXT },
	{ "host_type", W_WORD },
	{ "status", W_WORD },
	{ "os_type", W_TEXT },
	{ "cpu", W_WORD },
	{ "memory", W_MB },
	{ "location", W_TEXT },
	{ "ssh_port", W_WORD },
	{ "ssh_user", W_TEXT },
	{ "credential", W_CRED },
	{ "cloud", W_CLOUD },
	{ "ip_address", W_ADDRS },
	{ "description", W_TEXT },
};
#define NWORDS	(sizeof(words) / sizeof(words[0]))

/* How part w of Host object h reads. */
static const char *
word(struct hg_req *r, json_object *h, size_t w)
{
	json_object	*v = json_object_object_get(h, words[w].w_key);
	const char	*s = v ? json_object_get_string(v) : "";

	switch (words[w].w_kind) {
	case W_TEXT:
		return hg_printf(r->r_arena, "\"%s\"", s);
	case W_MB:
		return hg_printf(r->r_arena, "%s MB", s);
	case W_CRED:
		return v ? hg_printf(r->r_arena, "SSH key credential %s", s) :
		    "none";
	case W_CLOUD:
		return v ? hg_printf(r->r_arena, "account %s region \"%s\" "
		    "instance \"%s\"", jstr_or(v, "account"),
		    jstr_or(v, "region"), jstr_or(v, "instance_id")) : "none";
	case W_ADDRS:
		return addrs_words(r, v);
	default:
		return s;
	}
}

/* Every part of a host: "name "web-1", host_type ALI_ECS, ...". */
static const char *
host_words(struct hg_req *r, json_object *h)
{
	const char	*out = "";
	size_t		 w;

	for (w = 0; w < NWORDS; w++)
		out = hg_printf(r->r_arena, "%s%s%s %s", out, w ? ", " : "",
		    words[w].w_key, word(r, h, w));
	return out;
}

/* What changed, before and after: "cpu 4 -> 8; memory ...". */
static const char *
host_diff(struct hg_req *r, json_object *old, json_object *new)
{
	const char	*out = "", *a, *b;
	size_t		 w;

	for (w = 0; w < NWORDS; w++) {
		a = word(r, old, w);
		b = word(r, new, w);
		if (strcmp(a, b) != 0)
			out = hg_printf(r->r_arena, "%s%s%s %s -> %s", out,
			    *out ? "; " : "", words[w].w_key, a, b);
	}
	return *out ? out : "nothing changed";
}

/* ---- handlers --------------------------------------------------------- */

enum { HQ_NAME, HQ_TYPE, HQ_STATUS, HQ_OS_STATUS, HQ_IP, HQ__MAX };
static const struct hg_field list_q[HQ__MAX] = {
	[HQ_NAME] = { "name", HG_V_STR, 0, 0, 128 },
	[HQ_TYPE] = { "host_type", HG_V_ENUM, 0, 0, 0, host_types },
	[HQ_STATUS] = { "status", HG_V_ENUM, 0, 0, 0, statuses },
	[HQ_OS_STATUS] = { "os_status", HG_V_ENUM, 0, 0, 0, os_statuses },
	[HQ_IP] = { "ip", HG_V_STR, 0, 1, 45, .f_check = check_ipchars },
};

/*
 * The ip filter as a LIKE pattern: a whole address matches exactly (in its
 * canonical form, through the address index), anything else is a
 * substring of an address.
 */
static const char *
ip_pattern(struct hg_req *r, const struct hg_val *v)
{
	int v6;

	if (check_address(v->s) == NULL)
		return canonical_address(r, v->s, &v6);
	return hg_like(r, v);
}

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
	x = hg_atoll(HG_CELL(rs, i, HC_A_ID));
	y = hg_atoll(HG_CELL(rs, k, HC_A_ID));
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
hosts_reply(struct hg_req *r, const struct hg_page *pg, struct hg_rows *rs,
    long long count)
{
	struct hg_rows	 none;
	json_object	*hosts;
	int		 rc, i;

	memset(&none, 0, sizeof(none));
	if ((rc = hg_list_reply_count(r, pg, &none, NULL, count)) != 0)
		return rc;
	rows_sort(r, rs);
	hosts = json_object_new_array_ext(rs->nrows);
	for (i = 0; i < rs->nrows; )
		json_object_array_add(hosts, host_json(r, rs, &i));
	json_object_object_add(r->r_out, "results", hosts);
	return 0;
}

/*
 * Run a page query of hosts and reply with it.  Its parameters are fmt/...
 * then limit and offset (the derived table's page of ids); count < 0 means
 * the total is the query's last column (and, on a page past the end, that
 * of the same query's first page).
 */
static int
page_reply(struct hg_req *r, const struct hg_page *pg, long long count,
    long long limit, long long offset, const char *sql, const char *fmt, ...)
{
	struct hg_rows	*rs;
	long long	 total;
	va_list		 ap;
	int		 rc;

	va_start(ap, fmt);
	rc = hg_page_query_v0(r, limit, offset, &rs, &total, sql, fmt, ap);
	va_end(ap);
	if (rc != 0)
		return rc;
	return hosts_reply(r, pg, rs, count < 0 ? total : count);
}

/*
 * The usual list of someone who sees only the hosts granted to it: the
 * page's ids come from its visible set (perms.c, kept by the worker), so
 * the database only fetches those hosts and their addresses.
 */
static int
host_list_granted(struct hg_req *r, const struct hg_page *pg)
{
	const struct hg_visible	*vs;
	struct hg_param		 p[HG_GRANTED_PAGE];
	struct hg_rows		*rs;
	int			 rc;

	if ((rc = hg_visible_set(r, "host", &vs)) != 0)
		return rc;
	hg_visible_page(vs, pg, p);
	if ((rc = hg_db_run(r->r_db, r->r_arena, &rs, "SELECT " HOST_COLS
	    " FROM hosts h " HOST_ADDRS "WHERE h.id IN (" HG_IN_GRANTED ")",
	    p, HG_GRANTED_PAGE)) != 0)
		return hg_fail(r, rc, NULL);
	return hosts_reply(r, pg, rs, (long long)vs->v_n);
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
host_list_all(struct hg_req *r, const struct hg_page *pg)
{
	struct hg_rows	*rs;
	long long	 count, end, start;
	int		 rc;

	if (pg->pg_offset < NEAR_PAGES)
		return page_reply(r, pg, -1, pg->pg_size, pg->pg_offset,
		    "SELECT " HOST_COLS ", (SELECT n FROM row_counts WHERE "
		    "tbl = 'hosts') FROM (SELECT id FROM hosts FORCE INDEX "
		    "(hosts_order) ORDER BY id DESC LIMIT ? OFFSET ?) " HOST_JOIN,
		    NULL);
	if ((rc = hg_db_query(r->r_db, r->r_arena, &rs, "SELECT n FROM "
	    "row_counts WHERE tbl = 'hosts'", NULL)) != 0)
		return hg_fail(r, rc, NULL);
	count = rs->nrows ? hg_atoll(HG_CELL(rs, 0, 0)) : 0;
	if (pg->pg_offset * 2 < count)
		return page_reply(r, pg, count, pg->pg_size, pg->pg_offset,
		    "SELECT " HOST_COLS ", 0 FROM (SELECT id FROM hosts FORCE "
		    "INDEX (hosts_order) ORDER BY id DESC LIMIT ? OFFSET ?) "
		    HOST_JOIN, NULL);
	if (pg->pg_offset >= count) {
		rs->nrows = 0;	/* a page past the end: no rows, the count */
		return hg_list_reply_count(r, pg, rs, NULL, count);
	}
	end = count - pg->pg_offset;
	start = end > pg->pg_size ? end - pg->pg_size : 0;
	return page_reply(r, pg, count, end - start, start,
	    "SELECT " HOST_COLS ", 0 FROM (SELECT id FROM hosts FORCE INDEX "
	    "(hosts_order) ORDER BY id ASC LIMIT ? OFFSET ?) " HOST_JOIN, NULL);
}

/*
 * GET /hosts/.  The page's ids come from a derived table over narrow
 * indexes (sql/020_hosts.sql); the rows and their addresses are joined to
 * those ids only.  Callers who see every host and filter nothing get
 * host_list_all; everyone else sees the hosts they may view.
 */
#define HOST_FILTERS "WHERE name_fold LIKE COALESCE(LOWER(?), '%') " \
	"AND host_type = COALESCE(?, host_type) " \
	"AND status = COALESCE(?, status) " \
	"AND os_status = COALESCE(?, os_status) "
static int
host_list(struct hg_req *r)
{
	struct hg_val	 v[HQ__MAX];
	struct hg_page	 pg;
	long long	 uid = r->r_user->u_id, all;
	int		 rc, i, filtered = 0;

	if ((rc = hg_query(r, list_q, HQ__MAX, v)) != 0 ||
	    (rc = hg_page(r, &pg)) != 0)
		return rc;
	all = hg_visible_all(r, "host");
	for (i = 0; i < HQ__MAX; i++)
		filtered |= v[i].present;
	if (!filtered && all)
		return host_list_all(r, &pg);
	if (!filtered && pg.pg_size <= HG_GRANTED_PAGE)
		return host_list_granted(r, &pg);
	if (!v[HQ_IP].present)
		return page_reply(r, &pg, -1, pg.pg_size, pg.pg_offset,
		    "SELECT " HOST_COLS ", k.total FROM (SELECT id, "
		    "COUNT(*) OVER () AS total FROM hosts " HOST_FILTERS "AND "
		    HG_VISIBLE_SQL("host", "view_host", "id")
		    " ORDER BY id DESC LIMIT ? OFFSET ?) " HOST_JOIN, "ssssiii",
		    hg_like(r, &v[HQ_NAME]), v[HQ_TYPE].s, v[HQ_STATUS].s,
		    v[HQ_OS_STATUS].s, all, uid, uid);
	return page_reply(r, &pg, -1, pg.pg_size, pg.pg_offset,
	    "SELECT " HOST_COLS ", k.total FROM (SELECT id, "
	    "COUNT(*) OVER () AS total FROM hosts " HOST_FILTERS
	    "AND id IN (SELECT host_id FROM host_addresses "
	    "WHERE address LIKE CONVERT(? USING ascii)) AND "
	    HG_VISIBLE_SQL("host", "view_host", "id")
	    " ORDER BY id DESC LIMIT ? OFFSET ?) " HOST_JOIN, "sssssiii",
	    hg_like(r, &v[HQ_NAME]), v[HQ_TYPE].s, v[HQ_STATUS].s,
	    v[HQ_OS_STATUS].s, ip_pattern(r, &v[HQ_IP]), all, uid, uid);
}

/* Reply with host id as it is now, and audit its creation or update. */
static int
host_reply(struct hg_req *r, long long id, int status, json_object *old)
{
	json_object	*h;
	const char	*detail;
	int		 rc;

	if ((rc = host_load(r, id, 0, &h)) != 0)
		return rc;
	detail = old == NULL ? hg_printf(r->r_arena, "created host \"%s\": %s",
	    jstr_or(h, "name"), host_words(r, h)) :
	    hg_printf(r->r_arena, "updated host \"%s\": %s",
	    jstr_or(old, "name"), host_diff(r, old, h));
	if ((rc = hg_audit(r, "host", id, jstr_or(h, "name"),
	    old == NULL ? "add" : "update", detail)) != 0)
		return rc;
	return hg_reply(r, status, json_object_get(h));
}

static const char *
opt_str(const struct hg_val *v, const char *dflt)
{
	return v->present && v->s != NULL ? v->s : dflt;
}

/* POST /hosts/ */
static int
host_create(struct hg_req *r)
{
	struct hostin	*in = hg_alloc(r->r_arena, sizeof(*in));
	struct hg_val	*v = in->h_v, *c = in->h_cloud;
	long long	 id;
	int		 rc;

	if ((rc = host_input(r, create_fields, NULL, in)) != 0)
		return rc;
	rc = hg_db_exec(r->r_db, "INSERT INTO hosts (name, host_type, os_type, "
	    "cpu, memory, location, description, ssh_port, ssh_user, "
	    "credential_id, cloud_account_id, cloud_region, cloud_instance_id) "
	    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "sssiississsss",
	    v[HF_NAME].s, v[HF_TYPE].s, opt_str(&v[HF_OS_TYPE], ""),
	    v[HF_CPU].i, v[HF_MEMORY].i, opt_str(&v[HF_LOCATION], ""),
	    opt_str(&v[HF_DESC], ""),
	    v[HF_SSH_PORT].present ? v[HF_SSH_PORT].i : 22,
	    opt_str(&v[HF_SSH_USER], "root"), in->h_cred, in->h_account,
	    opt_str(&c[CF_REGION], ""), opt_str(&c[CF_INSTANCE], ""));
	if (rc == HG_E_CONFLICT)
		return hg_fail(r, rc, "host name \"%s\" is taken", v[HF_NAME].s);
	if (rc != 0)
		return hg_fail(r, rc, NULL);
	id = (long long)hg_db_insert_id(r->r_db);
	if ((rc = addrs_store(r, id, in->h_addrs, in->h_naddrs)) != 0)
		return rc;
	return host_reply(r, id, 201, NULL);
}

/* GET /hosts/{id}/ */
static int
host_get(struct hg_req *r)
{
	json_object	*h;
	int		 rc;

	if ((rc = host_load(r, r->r_ids[0], 0, &h)) != 0)
		return rc;
	return hg_reply(r, 200, json_object_get(h));
}

/* PATCH /hosts/{id}/: absent fields stay; ip_address replaces the list. */
static int
host_patch(struct hg_req *r)
{
	struct hostin	*in = hg_alloc(r->r_arena, sizeof(*in));
	struct hg_val	*v = in->h_v, *c = in->h_cloud;
	json_object	*old;
	long long	 id = r->r_ids[0];
	int		 rc, cloud;

	if ((rc = host_load(r, id, 1, &old)) != 0 ||
	    (rc = host_input(r, patch_fields, old, in)) != 0)
		return rc;
	cloud = v[HF_CLOUD].present;
	rc = hg_db_exec(r->r_db, "UPDATE hosts SET name = COALESCE(?, name), "
	    "host_type = COALESCE(?, host_type), "
	    "os_type = COALESCE(?, os_type), cpu = COALESCE(?, cpu), "
	    "memory = COALESCE(?, memory), location = COALESCE(?, location), "
	    "description = COALESCE(?, description), "
	    "ssh_port = COALESCE(?, ssh_port), "
	    "ssh_user = COALESCE(?, ssh_user), "
	    "credential_id = IF(?, ?, credential_id), "
	    "cloud_account_id = IF(?, ?, cloud_account_id), "
	    "cloud_region = IF(?, ?, cloud_region), "
	    "cloud_instance_id = IF(?, ?, cloud_instance_id) WHERE id = ?",
	    "sssssssssisisisisi", v[HF_NAME].s, v[HF_TYPE].s, v[HF_OS_TYPE].s,
	    v[HF_CPU].present ? hg_printf(r->r_arena, "%lld", v[HF_CPU].i) : NULL,
	    v[HF_MEMORY].present ? hg_printf(r->r_arena, "%lld",
	    v[HF_MEMORY].i) : NULL, v[HF_LOCATION].s, v[HF_DESC].s,
	    v[HF_SSH_PORT].present ? hg_printf(r->r_arena, "%lld",
	    v[HF_SSH_PORT].i) : NULL, v[HF_SSH_USER].s,
	    (long long)v[HF_CRED].present, in->h_cred,
	    (long long)cloud, in->h_account,
	    (long long)cloud, opt_str(&c[CF_REGION], ""),
	    (long long)cloud, opt_str(&c[CF_INSTANCE], ""), id);
	if (rc == HG_E_CONFLICT)
		return hg_fail(r, rc, "host name \"%s\" is taken", v[HF_NAME].s);
	if (rc != 0)
		return hg_fail(r, rc, NULL);
	if (v[HF_ADDRS].present &&
	    (rc = addrs_store(r, id, in->h_addrs, in->h_naddrs)) != 0)
		return rc;
	return host_reply(r, id, 200, old);
}

/* DELETE /hosts/{id}/: 409 while application instances run on it. */
static int
host_delete(struct hg_req *r)
{
	struct hg_rows	*rs;
	json_object	*old;
	const char	*name;
	long long	 n;
	int		 rc;

	if ((rc = host_load(r, r->r_ids[0], 1, &old)) != 0)
		return rc;
	if ((rc = hg_db_query(r->r_db, r->r_arena, &rs, "SELECT COUNT(*) FROM "
	    "app_instances WHERE host_id = ?", "i", r->r_ids[0])) != 0)
		return hg_fail(r, rc, NULL);
	name = jstr_or(old, "name");
	if ((n = hg_atoll(HG_CELL(rs, 0, 0))) > 0)
		return hg_fail(r, HG_E_CONFLICT, "host \"%s\" still has %lld "
		    "application instance%s", name, n,
		    n == 1 ? "" : "s");
	if ((rc = hg_db_exec(r->r_db, "DELETE FROM hosts WHERE id = ?", "i",
	    r->r_ids[0])) != 0)
		return hg_fail(r, rc, rc == HG_E_CONFLICT ?
		    "host is still referenced" : NULL);
	if ((rc = hg_audit(r, "host", r->r_ids[0], name, "delete",
	    hg_printf(r->r_arena, "deleted host \"%s\": %s", name,
	    host_words(r, old)))) != 0)
		return rc;
	return hg_reply_ok(r);
}

/*
 * GET /hosts/{id}/applications/: the applications with instances here, as
 * Application objects, those the caller may view.
 */
static int
host_apps(struct hg_req *r)
{
	struct hg_page	pg;
	long long	uid = r->r_user->u_id;
	int		rc;

	if ((rc = hg_exists(r, "SELECT id FROM hosts WHERE id = ?", r->r_ids[0],
	    "host")) != 0 || (rc = hg_page(r, &pg)) != 0)
		return rc;
	return hg_list_v0(r, &pg, hg_app_json, "SELECT "
	    HG_APP_COLS_WITH(HG_GRANTS_COL("application", "a.id")) ", "
	    "COUNT(*) OVER () FROM app_instances i "
	    "JOIN applications a ON a.id = i.app_id WHERE i.host_id = ? AND "
	    HG_VISIBLE_SQL("application", "view_app", "a.id")
	    " ORDER BY a.id DESC LIMIT ? OFFSET ?", "iiiiii", uid, uid,
	    r->r_ids[0], hg_visible_all(r, "application"), uid, uid);
}

/* ---- audit ------------------------------------------------------------ */


/*
 * Permissions of API.md section 6.  The list needs the resource module's
 * switch (it will show only the hosts the caller may view); routes on one
 * host check the per-host permission.
 */
const struct hg_route hg_routes_hosts[] = {
	ROUTE("GET", "/hosts", host_list, PERM_MODULE("resource", "enable_host_mgmt")),
	ROUTE("POST", "/hosts", host_create, PERM_MODULE("resource", "add_host"), AUDIT("host")),
	ROUTE("GET", "/hosts/{id}", host_get, PERM_HOST("view_host")),
	ROUTE("PATCH", "/hosts/{id}", host_patch, PERM_HOST("edit_host"), AUDIT("host")),
	ROUTE("DELETE", "/hosts/{id}", host_delete, PERM_HOST("delete_host"), AUDIT("host")),
	ROUTE("GET", "/hosts/{id}/applications", host_apps,
	    PERM_HOST("view_host")),
	ROUTES_END
};

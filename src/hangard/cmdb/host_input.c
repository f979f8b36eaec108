/*
 * host_input.c -- what the host routes take in: the fields of POST and
 * PATCH /hosts/ (with the nested cloud object and ip_address list, which
 * dispatch validates by declaration) and of GET /hosts/'s filters, and the
 * checks of a body that declared validation cannot make: an address's
 * canonical form, its netmask for its family, duplicates, statuses that
 * may be sent back but not changed, and a credential or cloud account that
 * must exist and that the caller may attach, or point somewhere else.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hosts.h"

#define MAX_ADDRS	64

static const char *const host_types[] = { "ALI_ECS", "PHY_HOST", "TECENT_CVM",
	"TECENT_CPM", "CLOUDSTACK", "CLOUDSTACK_OFFICE", NULL };
static const char *const statuses[] = { "raw", "inited", "attached",
	"offline", NULL };
/* What a new host may be recorded as (an inventory import), the first by
 * default. */
static const char *const new_statuses[] = { "raw", "inited", NULL };
static const char *const new_os_statuses[] = { "unknown", NULL };
static const char *const os_statuses[] = { "unknown", "running", "stopped",
	"restarting", NULL };
static const char *const owners[] = { "HOST", "LB", NULL };
static const char *const addr_types[] = { "PRIVATE", "PUBLIC", NULL };

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

/* One address of ip_address. */
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

/* The cloud object: {"account", "region", "instance_id"}. */
enum { CF_ACCOUNT, CF_REGION, CF_INSTANCE, CF__MAX };
static const struct hg_field cloud_fields[CF__MAX] = {
	[CF_ACCOUNT] = { "account", HG_V_INT, HG_V_REQUIRED, 1, 1LL << 62 },
	[CF_REGION] = { "region", HG_V_STR, 0, 0, 64, .f_check = hg_check_noctl },
	[CF_INSTANCE] = { "instance_id", HG_V_STR, 0, 0, 128,
	    .f_check = hg_check_noctl },
};

/*
 * POST's body; PATCH() makes every field optional.  The scalar fields
 * name the column a PATCH writes; cloud and ip_address are written by
 * hosts.c, status only by POST (raw or inited), os_status never (they move
 * through init tasks, instances and change-status, API.md section 6).
 */
const struct hg_field hg_host_fields[HF__MAX] = {
	[HF_NAME] = { "name", HG_V_STR, HG_V_REQUIRED, 1, 128,
	    .f_check = hg_check_noctl, .f_col = "name" },
	[HF_TYPE] = { "host_type", HG_V_ENUM, HG_V_REQUIRED, 0, 0, host_types,
	    .f_col = "host_type" },
	[HF_OS_TYPE] = { "os_type", HG_V_STR, 0, 0, 128,
	    .f_check = hg_check_noctl, .f_col = "os_type" },
	[HF_CPU] = { "cpu", HG_V_INT, 0, 0, 4096, .f_col = "cpu" },
	[HF_MEMORY] = { "memory", HG_V_INT, 0, 0, 1LL << 31,
	    .f_col = "memory" },
	[HF_LOCATION] = { "location", HG_V_STR, 0, 0, 255,
	    .f_check = hg_check_noctl, .f_col = "location" },
	[HF_DESC] = { "description", HG_V_STR, 0, 0, 1024,
	    .f_col = "description" },
	[HF_SSH_PORT] = { "ssh_port", HG_V_INT, 0, 1, 65535,
	    .f_col = "ssh_port" },
	[HF_SSH_USER] = { "ssh_user", HG_V_STR, 0, 1, 64,
	    .f_check = hg_check_username, .f_col = "ssh_user" },
	[HF_CRED] = { "credential", HG_V_INT, HG_V_NULLABLE, 1, 1LL << 62,
	    .f_col = "credential_id" },
	[HF_CLOUD] = { "cloud", HG_V_OBJECT, HG_V_NULLABLE,
	    HG_SUB(cloud_fields) },
	[HF_ADDRS] = { "ip_address", HG_V_ARRAY, HG_V_NULLABLE, 0, MAX_ADDRS,
	    .f_alias = { "ip_adress" }, HG_SUB(addr_fields) },
	[HF_STATUS] = { "status", HG_V_ENUM, 0, 0, 0, statuses },
	[HF_OS_STATUS] = { "os_status", HG_V_ENUM, 0, 0, 0, os_statuses },
};

const struct hg_field hg_host_list_q[HQ__MAX] = {
	[HQ_NAME] = { "name", HG_V_STR, 0, 0, 128 },
	[HQ_TYPE] = { "host_type", HG_V_ENUM, 0, 0, 0, host_types },
	[HQ_STATUS] = { "status", HG_V_ENUM, 0, 0, 0, statuses },
	[HQ_OS_STATUS] = { "os_status", HG_V_ENUM, 0, 0, 0, os_statuses },
	[HQ_IP] = { "ip", HG_V_STR, 0, 1, 45, .f_check = check_ipchars },
};

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
 * The ip filter as a LIKE pattern: a whole address matches exactly (in its
 * canonical form, through the address index), anything else is a
 * substring of an address.
 */
const char *
hg_host_ip_pattern(struct hg_req *r, const struct hg_val *v)
{
	int v6;

	if (check_address(v->s) == NULL)
		return canonical_address(r, v->s, &v6);
	return hg_like(r, v);
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

/*
 * The addresses of a validated ip_address (null or absent: none) as they
 * are stored: canonical, netmask in its family's form, defaults filled
 * in.  An address listed twice, in any spelling, is refused.
 */
static int
addrs_input(struct hg_req *r, const struct hg_val *list, struct host_in *in)
{
	const struct hg_val	*v;
	struct host_addr	*a;
	const char		*field, *why;
	size_t			 i, k;
	int			 v6;

	in->h_naddrs = list->nitems;
	in->h_addrs = hg_alloc(r->r_arena, sizeof(*in->h_addrs) *
	    (list->nitems + 1));
	for (i = 0; i < list->nitems; i++) {
		v = list->items[i];
		a = &in->h_addrs[i];
		field = hg_printf(r->r_arena, "ip_address[%zu]", i);
		a->a_address = canonical_address(r, v[AF_ADDRESS].s, &v6);
		a->a_netmask = netmask_form(r, v[AF_NETMASK].s ?
		    v[AF_NETMASK].s : "", v6, &why);
		if (why != NULL)
			return hg_invalid(r, hg_printf(r->r_arena, "%s.netmask",
			    field), why);
		a->a_network = v[AF_NETWORK].s ? v[AF_NETWORK].s : "";
		a->a_type = v[AF_TYPE].s ? v[AF_TYPE].s : "PRIVATE";
		a->a_owner = v[AF_OWNER].present ? v[AF_OWNER].s : "HOST";
		a->a_virtual = v[AF_VIRTUAL].i;
		for (k = 0; k < i; k++)
			if (strcmp(in->h_addrs[k].a_address, a->a_address) == 0)
				return hg_invalid(r, hg_printf(r->r_arena,
				    "%s.address", field), hg_printf(r->r_arena,
				    "%s is listed twice", a->a_address));
	}
	return 0;
}

/*
 * status and os_status may be sent (clients send back what they read) but
 * not changed: a value other than the current one is refused.  A new host
 * (current NULL) takes one of initial, the first when none is sent.
 */
static int
check_fixed(struct hg_req *r, const struct hg_val *v, const char *field,
    const char *current, const char *const *initial)
{
	const char *const *p;

	if (!v->present)
		return 0;
	if (current != NULL)
		return strcmp(v->s, current) == 0 ? 0 : hg_invalid(r, field,
		    hg_printf(r->r_arena, "is %s and changes only through init "
		    "tasks, instances and change-status", current));
	for (p = initial; *p != NULL; p++)
		if (strcmp(v->s, *p) == 0)
			return 0;
	return hg_invalid(r, field, initial[1] == NULL ? hg_printf(r->r_arena,
	    "is %s for a new host", initial[0]) : "must be raw or inited for "
	    "a new host (attached follows from instances)");
}

/* Does sql (?i, the id) find a row?  10002 on field with why when not. */
static int
ref_exists(struct hg_req *r, const char *sql, long long id, const char *field,
    const char *why)
{
	struct hg_rows	*rs;
	int		 rc;

	if ((rc = hg_sql(r, &rs, sql, id)) != 0)
		return rc;
	if (rs->nrows == 0)
		return hg_invalid(r, field, hg_printf(r->r_arena, why, id));
	return 0;
}

/* Does the host as it is (old, NULL for none) have id in column col? */
static int
has_ref(struct hg_rows *old, int col, long long id)
{
	return old != NULL && HG_CELL(old, 0, col) != NULL &&
	    hg_atoll(HG_CELL(old, 0, col)) == id;
}

/* Do a and b (either may be NULL) hold the same text? */
static int
same(const char *a, const char *b)
{
	return a == NULL || b == NULL ? a == b : strcmp(a, b) == 0;
}

/*
 * Do the body's addresses (in) differ from the host's (old) in what picks
 * the one the agent connects to: address, addr_type, owner, is_virtual,
 * order?  (netmask and network do not move it.)
 */
static int
addrs_moved(struct hg_rows *old, const struct host_in *in)
{
	const struct host_addr	*a;
	size_t			 k = 0;
	int			 i;

	for (i = 0; i < old->nrows; i++) {
		if (HG_CELL(old, i, HA_ID) == NULL)
			continue;
		if (k == in->h_naddrs)
			return 1;
		a = &in->h_addrs[k++];
		if (!same(a->a_address, HG_CELL(old, i, HA_ADDRESS)) ||
		    !same(a->a_type, HG_CELL(old, i, HA_TYPE)) ||
		    !same(a->a_owner, HG_CELL(old, i, HA_OWNER)) ||
		    a->a_virtual != hg_atoll(HG_CELL(old, i, HA_VIRTUAL)))
			return 1;
	}
	return k != in->h_naddrs;
}

/*
 * Where a host's credential is used is the address the agent connects to,
 * as ssh_user, on ssh_port: the first of them the body (in) changes on the
 * host as it is (old), or NULL.
 */
static const char *
ssh_moved(struct hg_req *r, struct hg_rows *old, const struct host_in *in)
{
	const struct hg_val *v = r->r_in;

	if (v[HF_ADDRS].present && addrs_moved(old, in))
		return "ip_address";
	if (v[HF_SSH_USER].present &&
	    !same(v[HF_SSH_USER].s, HG_CELL(old, 0, HC_SSH_USER)))
		return "ssh_user";
	if (v[HF_SSH_PORT].present &&
	    v[HF_SSH_PORT].i != hg_atoll(HG_CELL(old, 0, HC_SSH_PORT)))
		return "ssh_port";
	return NULL;
}

/*
 * Where a host's cloud account acts is its instance: cloud.region,
 * cloud.instance_id, and the product host_type names.  The first of them
 * the body (in) changes on the host as it is (old), or NULL.
 */
static const char *
cloud_moved(struct hg_req *r, struct hg_rows *old, const struct host_in *in)
{
	const struct hg_val *v = r->r_in;

	if (v[HF_CLOUD].sub != NULL &&
	    !same(in->h_region, HG_CELL(old, 0, HK_REGION)))
		return "cloud.region";
	if (v[HF_CLOUD].sub != NULL &&
	    !same(in->h_instance, HG_CELL(old, 0, HK_INSTANCE)))
		return "cloud.instance_id";
	if (v[HF_TYPE].present && !same(v[HF_TYPE].s, HG_CELL(old, 0, HC_TYPE)))
		return "host_type";
	return NULL;
}

/*
 * A credential lets the agent log in with it, and a cloud account lets
 * host tasks start and stop instances in it: attaching one to a host, or
 * changing where a host that keeps one uses it (ssh_moved, cloud_moved),
 * takes what managing it takes (API.md section 6: manage_credential;
 * cloud accounts, a superuser; mod NULL).  change names what the body
 * does with object id: "" attaches it, a field moves it, NULL leaves it
 * be.  This is the one place the rule is checked; before the object is
 * looked up, so a refusal tells nothing of which ids exist.
 */
static int
may_attach(struct hg_req *r, const char *mod, const char *perm,
    const char *what, long long id, const char *change)
{
	const char	*act;
	int		 rc;

	if (change == NULL || r->r_user->u_superuser)
		return 0;
	act = *change == '\0' ? hg_printf(r->r_arena, "attach %s %lld", what,
	    id) : hg_printf(r->r_arena, "change %s of a host using %s %lld",
	    change, what, id);
	if (mod == NULL)
		return hg_fail(r, HG_E_PERM, "permission denied: only a "
		    "superuser may %s", act);
	if ((rc = hg_perm_module(r, mod, perm)) < 0)
		return r->r_err;
	return rc == 1 ? 0 : hg_fail(r, HG_E_PERM, "permission denied: %s.%s "
	    "needed to %s", mod, perm, act);
}

/*
 * The id in column col of the host once the body is stored (given, the
 * body's value: absent, null (0) or id): 0 for none.
 */
static long long
ref_after(struct hg_rows *old, int col, int given, long long id)
{
	if (given)
		return id;
	return old != NULL && HG_CELL(old, 0, col) != NULL ?
	    hg_atoll(HG_CELL(old, 0, col)) : 0;
}

/*
 * Check a POST or PATCH body, which dispatch validated, against the host
 * as it is (old, its rows; NULL for a new host): addresses, fixed
 * statuses, that the credential and cloud account exist and that the
 * caller may attach them or change where the host uses them (may_attach),
 * and that a PHY_HOST has no cloud.  Fills *in with what the body's values
 * become when stored.
 */
int
hg_host_input(struct hg_req *r, struct hg_rows *old, struct host_in *in)
{
	const struct hg_val	*v = r->r_in, *c = v[HF_CLOUD].sub;
	const char		*type;
	long long		 cred, acct;
	int			 rc, cloud;

	memset(in, 0, sizeof(*in));
	if ((rc = addrs_input(r, &v[HF_ADDRS], in)) != 0 ||
	    (rc = check_fixed(r, &v[HF_STATUS], "status",
	    old ? HG_CELL(old, 0, HC_STATUS) : NULL, new_statuses)) != 0 ||
	    (rc = check_fixed(r, &v[HF_OS_STATUS], "os_status",
	    old ? HG_CELL(old, 0, HC_OS_STATUS) : NULL, new_os_statuses)) != 0)
		return rc;
	cred = ref_after(old, HC_CRED, v[HF_CRED].present,
	    v[HF_CRED].null ? 0 : v[HF_CRED].i);
	if (cred != 0 && (rc = may_attach(r, "deploy_template",
	    "manage_credential", "credential", cred, !has_ref(old, HC_CRED,
	    cred) ? "" : ssh_moved(r, old, in))) != 0)
		return rc;
	if (v[HF_CRED].present && !v[HF_CRED].null) {
		in->h_cred = hg_printf(r->r_arena, "%lld", v[HF_CRED].i);
		if ((rc = ref_exists(r, "SELECT id FROM credentials WHERE "
		    "id = ?i AND kind = 'ssh_key'", v[HF_CRED].i, "credential",
		    "no SSH key credential with id %lld")) != 0)
			return rc;
	}
	in->h_region = in->h_instance = "";
	if (c != NULL) {	/* given, not null */
		in->h_account = hg_printf(r->r_arena, "%lld", c[CF_ACCOUNT].i);
		in->h_region = c[CF_REGION].s ? c[CF_REGION].s : "";
		in->h_instance = c[CF_INSTANCE].s ? c[CF_INSTANCE].s : "";
	}
	acct = ref_after(old, HK_ACCOUNT, v[HF_CLOUD].present,
	    c != NULL ? c[CF_ACCOUNT].i : 0);
	if (acct != 0 && (rc = may_attach(r, NULL, NULL, "cloud account", acct,
	    !has_ref(old, HK_ACCOUNT, acct) ? "" : cloud_moved(r, old,
	    in))) != 0)
		return rc;
	if (c != NULL && (rc = ref_exists(r, "SELECT id FROM cloud_accounts "
	    "WHERE id = ?i AND provider IN ('ALIYUN', 'TENCENT', 'CLOUDSTACK')",
	    c[CF_ACCOUNT].i, "cloud.account",
	    "no cloud account with id %lld")) != 0)
		return rc;
	cloud = v[HF_CLOUD].present ? c != NULL :
	    old != NULL && HG_CELL(old, 0, HK_ACCOUNT) != NULL;
	type = v[HF_TYPE].present ? v[HF_TYPE].s :
	    old != NULL ? HG_CELL(old, 0, HC_TYPE) : "";
	if (cloud && strcmp(type, "PHY_HOST") == 0)
		return hg_invalid(r, "cloud", "must be null for a PHY_HOST");
	return 0;
}

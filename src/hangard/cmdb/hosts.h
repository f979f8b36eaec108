/*
 * hosts.h -- what the two files of the host family share, private to
 * them: hosts.c (the Host object, its lists, its writes and their audit,
 * the route table) and host_input.c (the fields of the body and of the
 * list's query, and the checks of a body that need the database or more
 * than one field).
 */
#ifndef HOSTS_H
#define HOSTS_H

#include "hangard.h"

/*
 * A host row joined with its addresses: one row per address, or one with
 * NULL address columns for a host without any.  The Host object's columns
 * come first, in the order of its keys; ip_address and cloud are selected
 * as NULL to hold their places and are rendered from the columns below
 * (hosts.c's host_json).
 */
#define HOST_COLS(X) \
	X(HC_ID,	"id",		"h.id",			INT)	\
	X(HC_NAME,	"name",		"h.name",		STR)	\
	X(HC_TYPE,	"host_type",	"h.host_type",		STR)	\
	X(HC_STATUS,	"status",	"h.status",		STR)	\
	X(HC_OS_STATUS,	"os_status",	"h.os_status",		STR)	\
	X(HC_OS_TYPE,	"os_type",	"h.os_type",		STR)	\
	X(HC_CPU,	"cpu",		"h.cpu",		INT)	\
	X(HC_MEMORY,	"memory",	"h.memory",		INT)	\
	X(HC_LOCATION,	"location",	"h.location",		STR)	\
	X(HC_ADDRS,	"ip_address",	"NULL",			JSON)	\
	X(HC_DESC,	"description",	"h.description",	STR)	\
	X(HC_SSH_PORT,	"ssh_port",	"h.ssh_port",		INT)	\
	X(HC_SSH_USER,	"ssh_user",	"h.ssh_user",		STR)	\
	X(HC_CRED,	"credential",	"h.credential_id",	INT)	\
	X(HC_CLOUD,	"cloud",	"NULL",			JSON)	\
	X(HC_CREATED,	"created_time",	"h.created_time",	TIME)
/* The cloud object, when the host has an account (null otherwise). */
#define CLOUD_COLS(X) \
	X(HK_ACCOUNT,	"account",	"h.cloud_account_id",	INT)	\
	X(HK_REGION,	"region",	"h.cloud_region",	STR)	\
	X(HK_INSTANCE,	"instance_id",	"h.cloud_instance_id",	STR)
/* One address of ip_address. */
#define ADDR_COLS(X) \
	X(HA_ID,	"id",		"a.id",			INT)	\
	X(HA_OWNER,	"owner",	"a.owner",		STR)	\
	X(HA_VIRTUAL,	"is_virtual",	"a.is_virtual",		BOOL)	\
	X(HA_TYPE,	"addr_type",	"a.addr_type",		STR)	\
	X(HA_NETWORK,	"network",	"a.network",		STR)	\
	X(HA_NETMASK,	"netmask",	"a.netmask",		STR)	\
	X(HA_ADDRESS,	"address",	"a.address",		STR)
/*
 * One row holds the three in turn, so their indices run on: a table of
 * the cloud's (or an address's) columns leaves the host's slots empty
 * (type NONE), and HG_ROW renders only its own.
 */
enum { HOST_COLS(HG_COL_ENUM) HC__MAX };
enum { HK__FIRST = HC__MAX - 1, CLOUD_COLS(HG_COL_ENUM) HK__MAX };
enum { HA__FIRST = HK__MAX - 1, ADDR_COLS(HG_COL_ENUM) HA__MAX };
#define HOST_SELECT "SELECT " HOST_COLS(HG_COL_SQL) CLOUD_COLS(HG_COL_SQL) \
	ADDR_COLS(HG_COL_SQL)
#define HOST_ADDRS "LEFT JOIN host_addresses a ON a.host_id = h.id "

/* The body of POST; PATCH takes the same fields, each optional. */
enum { HF_NAME, HF_TYPE, HF_OS_TYPE, HF_CPU, HF_MEMORY, HF_LOCATION, HF_DESC,
	HF_SSH_PORT, HF_SSH_USER, HF_CRED, HF_CLOUD, HF_ADDRS, HF_STATUS,
	HF_OS_STATUS, HF__MAX };
extern const struct hg_field hg_host_fields[HF__MAX];

/* GET /hosts/'s filters. */
enum { HQ_NAME, HQ_TYPE, HQ_STATUS, HQ_OS_STATUS, HQ_IP, HQ__MAX };
extern const struct hg_field hg_host_list_q[HQ__MAX];

/* One address of a body's ip_address, as it is stored. */
struct host_addr {
	const char	*a_address;	/* canonical text */
	const char	*a_netmask;	/* prefix length or dotted mask, or "" */
	const char	*a_network;
	const char	*a_type;
	const char	*a_owner;	/* NULL: SQL NULL */
	long long	 a_virtual;
};

/* What hg_host_input makes of a POST or PATCH body, beyond r_in. */
struct host_in {
	struct host_addr *h_addrs;	/* ip_address */
	size_t		  h_naddrs;
	const char	 *h_cred;	/* credential id as text, NULL: none */
	const char	 *h_account;	/* cloud account id as text, NULL: none */
	const char	 *h_region;	/* of the cloud given, "" if none */
	const char	 *h_instance;
};

int		 hg_host_input(struct hg_req *, struct hg_rows *old,
		    struct host_in *);
const char	*hg_host_ip_pattern(struct hg_req *, const struct hg_val *);

#endif

/*
 * zabbix.h -- a Zabbix 6.0 JSON-RPC client (api_jsonrpc.php over libcurl).
 *
 *	struct hg_zbx z;
 *	if ((rc = hg_zbx_open(&z, arena)) == 0)
 *		rc = hg_zbx_host_save(&z, NULL, "web-1", "10.0.0.5", groups,
 *		    templates, &hostid);
 *	hg_zbx_close(&z);
 *
 * hg_zbx_open logs in with zabbix_url/zabbix_user/zabbix_password from
 * hangar.conf; every call is bounded by zabbix_timeout.  In 6.0 the session
 * token travels in the body's "auth" member.  Functions return 0 or one of
 * the seed's module codes below; z_err then says why in words an operator
 * can read (Zabbix's own "data" text, never a credential).  Names are looked
 * up by exact match: host groups by name, templates by technical name
 * ("host") or visible name.  Hosts are not: once registered, a host is
 * known by the hostid Zabbix gave it (the caller keeps it), so that a
 * Zabbix host Hangar did not register is never changed or removed, whatever
 * the Hangar host is called.
 */
#ifndef HG_ZABBIX_H
#define HG_ZABBIX_H

#include <json-c/json.h>

#include "arena.h"

#define HG_ZBX_EFAIL		30001	/* Zabbix unreachable, or it refused */
#define HG_ZBX_ETEMPLATE	30002	/* a template does not exist */
#define HG_ZBX_EGROUP		30003	/* a host group does not exist */

struct hg_zbx {
	struct hg_arena	*z_arena;
	void		*z_curl;
	char		*z_auth;	/* session token; NULL before login */
	long long	 z_id;		/* id of the next request */
	char		 z_err[512];	/* why the last call failed */
};

/* Is Zabbix configured (zabbix_url set)? */
int	hg_zbx_configured(void);
/* Log in; HG_ZBX_EFAIL when not configured or the login is refused. */
int	hg_zbx_open(struct hg_zbx *, struct hg_arena *);
/* Log out (when logged in) and release the connection. */
void	hg_zbx_close(struct hg_zbx *);

/*
 * Resolve names (a JSON array of strings) to [{"groupid": "N"}] or
 * [{"templateid": "N"}] for host.create/host.update; the first name that
 * does not exist is HG_ZBX_EGROUP / HG_ZBX_ETEMPLATE.
 */
int	hg_zbx_groups(struct hg_zbx *, json_object *names, json_object **refs);
int	hg_zbx_templates(struct hg_zbx *, json_object *names,
	    json_object **refs);
/* The hostid of technical host name host, or NULL in *hostid if none. */
int	hg_zbx_host_id(struct hg_zbx *, const char *host, const char **hostid);
/*
 * Register a host with exactly these groups and templates (names).  hostid
 * is the one Hangar registered it as (NULL if none): when Zabbix still has
 * it, replace its groups and linked templates (its name and interfaces
 * stay).  Otherwise create technical host name host with one agent
 * interface on ip:10050 (none when ip is NULL) -- unless Zabbix already has
 * a host of that name, which Hangar did not register: that is HG_ZBX_EFAIL
 * and nothing changes.  *saved gets the hostid registered (in the arena).
 * groups must not be empty.
 */
int	hg_zbx_host_save(struct hg_zbx *, const char *hostid, const char *host,
	    const char *ip, json_object *groups, json_object *templates,
	    const char **saved);
/* Remove the host of this hostid; one Zabbix does not know (or NULL) is
 * not an error.  Nothing is looked up by name. */
int	hg_zbx_host_delete(struct hg_zbx *, const char *hostid);

/*
 * Reading replies: pure functions (no I/O) the client above is made of,
 * fuzzed by t/fuzz/fuzz_zabbix.c.  z is only used for z_arena and z_err;
 * nothing is assumed of a reply's shape, and Zabbix's text in z_err is one
 * line of well-formed UTF-8 whatever Zabbix sent.
 *
 * hg_zbx_reply: body[0..len) as the JSON-RPC 2.0 reply to request id of
 * method; *result gets its "result" (any type, owned by the arena).
 * Returns 0, or HG_ZBX_EFAIL with z_err set (Zabbix's error object, not
 * JSON-RPC, the reply to another request, no result).
 */
int	hg_zbx_reply(struct hg_zbx *, const char *method, long long id,
	    const char *body, size_t len, json_object **result);
/* user.login's result as the session token in *token (0), or HG_ZBX_EFAIL. */
int	hg_zbx_token(struct hg_zbx *, json_object *result, const char **token);
/*
 * In a .get result (an array of objects), the string idkey of the first
 * object whose string key equals name; NULL when none (or res is not an
 * array).  The string points into res.
 */
const char *hg_zbx_find(json_object *res, const char *key, const char *name,
	    const char *idkey);
/* host.create's result: *hostid gets hostids[0] (0), or HG_ZBX_EFAIL. */
int	hg_zbx_created(struct hg_zbx *, json_object *result, const char *host,
	    const char **hostid);

#endif

/*
 * router.c -- the one place a URL is bound to code.
 *
 * Every resource family's file exports one route table; hg_route_tables
 * lists them all.  Paths are matched segment by segment after
 * normalization (API.md section 1): no trailing slash, /application/ is
 * /applications/, /host/ is /hosts/.  A pattern segment {name} matches a
 * positive integer id; {name:s} matches any text.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hangard.h"

/*
 * One entry per resource family.  Declared weak so that a family still
 * being written leaves a NULL here instead of breaking the link.
 */
#define FAMILY(name) extern const struct hg_route name[] __attribute__((weak))
FAMILY(hg_routes_health);
FAMILY(hg_routes_auth);
FAMILY(hg_routes_users);
FAMILY(hg_routes_roles);
FAMILY(hg_routes_tokens);
FAMILY(hg_routes_audit);
FAMILY(hg_routes_applications);
FAMILY(hg_routes_productions);
FAMILY(hg_routes_hosts);
FAMILY(hg_routes_navigators);
FAMILY(hg_routes_authz);
FAMILY(hg_routes_host_tasks);
FAMILY(hg_routes_tasks);
FAMILY(hg_routes_credentials);
FAMILY(hg_routes_cloud_accounts);

const struct hg_route *const hg_route_tables[] = {
	hg_routes_health,
	hg_routes_auth,
	hg_routes_users,
	hg_routes_roles,
	hg_routes_tokens,
	hg_routes_audit,
	hg_routes_applications,
	hg_routes_productions,
	hg_routes_hosts,
	hg_routes_navigators,
	hg_routes_authz,
	hg_routes_host_tasks,
	hg_routes_tasks,
	hg_routes_credentials,
	hg_routes_cloud_accounts,
};
const size_t hg_route_ntables = sizeof(hg_route_tables) /
    sizeof(hg_route_tables[0]);

static const struct {
	const char *from, *to;
} aliases[] = {
	{ "/application/", "/applications/" },
	{ "/host/", "/hosts/" },
};

char *
hg_path_normalize(struct hg_arena *a, const char *uri)
{
	const char	*q = strchr(uri, '?');
	size_t		 len = q ? (size_t)(q - uri) : strlen(uri), i;
	char		*p = hg_strndup(a, uri, len), *t;

	/* Collapse repeated slashes and drop the trailing one. */
	for (t = p, i = 0; p[i] != '\0'; i++)
		if (!(p[i] == '/' && t > p && t[-1] == '/'))
			*t++ = p[i];
	*t = '\0';
	len = strlen(p);
	if (len > 1 && p[len - 1] == '/')
		p[--len] = '\0';
	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
		size_t fl = strlen(aliases[i].from);

		if (strncmp(p, aliases[i].from, fl) == 0 ||
		    (strncmp(p, aliases[i].from, fl - 1) == 0 && p[fl - 1] == '\0'))
			return hg_printf(a, "%.*s%s", (int)strlen(aliases[i].to) - 1,
			    aliases[i].to, p + fl - 1);
	}
	return p;
}

/* Does path match pattern?  Fills r's path parameters when it does. */
static int
match(struct hg_req *r, const char *pat, const char *path)
{
	int n = 0;

	for (;;) {
		const char *pe, *se;

		if (*pat == '\0' || *path == '\0')
			break;
		if (*pat++ != '/' || *path++ != '/')
			return 0;
		pe = strchrnul(pat, '/');
		se = strchrnul(path, '/');
		if (*pat == '{') {
			int		 text = pe - pat > 3 && pe[-3] == ':' &&
					     pe[-2] == 's';
			const char	*c;

			if (se == path || n == HG_MAXPARAMS || se - path > 255)
				return 0;
			if (!text) {
				if (se - path > 18)
					return 0;
				for (c = path; c < se; c++)
					if (!isdigit((unsigned char)*c))
						return 0;
			}
			r->r_params[n] = hg_strndup(r->r_arena, path,
			    (size_t)(se - path));
			r->r_ids[n] = text ? 0 : strtoll(r->r_params[n], NULL, 10);
			n++;
		} else if (pe - pat != se - path ||
		    strncmp(pat, path, (size_t)(pe - pat)) != 0)
			return 0;
		pat = pe;
		path = se;
	}
	if (*pat != '\0' || *path != '\0')
		return 0;
	r->r_nparams = n;
	return 1;
}

/*
 * Find the route for r's method and path.  On failure *status is 404 or
 * 405, and allow lists the methods the path does answer.
 */
const struct hg_route *
hg_route_find(struct hg_req *r, int *status, char *allow, size_t allowlen)
{
	const struct hg_route *const	*t;
	const struct hg_route		*rt;
	const char			*method = r->r_method;

	allow[0] = '\0';
	*status = 404;
	if (strcmp(method, "HEAD") == 0)
		method = "GET";
	for (t = hg_route_tables; t < hg_route_tables + hg_route_ntables; t++)
		for (rt = *t; rt != NULL && rt->rt_method != NULL; rt++) {
			if (!match(r, rt->rt_pattern, r->r_path))
				continue;
			if (strcmp(rt->rt_method, method) == 0)
				return rt;
			*status = 405;
			if (strstr(allow, rt->rt_method) == NULL) {
				size_t len = strlen(allow);

				snprintf(allow + len, allowlen - len, "%s%s",
				    len ? ", " : "", rt->rt_method);
			}
		}
	return NULL;
}

static const char *const kind_names[] = {
	[HG_P_UNSET] = "unset", [HG_P_PUBLIC] = "public", [HG_P_LOGIN] = "login",
	[HG_P_SUPER] = "superuser", [HG_P_SELF] = "self",
	[HG_P_MODULE] = "module", [HG_P_APP] = "application", [HG_P_HOST] = "host",
};

/*
 * Refuse a route table in which a route declares no permission, or names a
 * permission that does not exist: hangard will not start with one (and the
 * permission matrix test reads the same table through `hangard -R`).
 */
int
hg_routes_check(char *err, size_t errlen)
{
	const struct hg_route *const	*t;
	const struct hg_route		*rt;
	const struct hg_perm		*p;

	for (t = hg_route_tables; t < hg_route_tables + hg_route_ntables; t++)
		for (rt = *t; rt != NULL && rt->rt_method != NULL; rt++) {
			p = &rt->rt_perm;
			if (p->p_kind == HG_P_UNSET || rt->rt_fn == NULL) {
				snprintf(err, errlen, "route %s %s declares no "
				    "permission or handler", rt->rt_method,
				    rt->rt_pattern);
				return -1;
			}
			if ((p->p_kind == HG_P_MODULE &&
			    hg_module_perm(p->p_module, p->p_name) == NULL) ||
			    (p->p_kind == HG_P_APP &&
			    hg_resource_perm("application", p->p_name) == NULL) ||
			    (p->p_kind == HG_P_HOST &&
			    hg_resource_perm("host", p->p_name) == NULL)) {
				snprintf(err, errlen, "route %s %s names unknown "
				    "permission %s.%s", rt->rt_method,
				    rt->rt_pattern, p->p_module ? p->p_module : "",
				    p->p_name ? p->p_name : "");
				return -1;
			}
		}
	return 0;
}

/* `hangard -R`: one line per route: METHOD PATTERN KIND [MODULE PERM]. */
void
hg_routes_print(void)
{
	const struct hg_route *const	*t;
	const struct hg_route		*rt;

	for (t = hg_route_tables; t < hg_route_tables + hg_route_ntables; t++)
		for (rt = *t; rt != NULL && rt->rt_method != NULL; rt++)
			printf("%s\t%s\t%s\t%s\t%s\n", rt->rt_method, rt->rt_pattern,
			    kind_names[rt->rt_perm.p_kind],
			    rt->rt_perm.p_module ? rt->rt_perm.p_module : "-",
			    rt->rt_perm.p_name ? rt->rt_perm.p_name : "-");
}

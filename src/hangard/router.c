/*
 * router.c -- the one place a URL is bound to code.
 *
 * Every resource family's file exports one route table; hg_route_tables
 * lists them all.  Paths are matched segment by segment after
 * normalization (API.md section 1): no trailing slash, /application/ is
 * /applications/, /host/ is /hosts/.  A pattern segment {name} matches a
 * positive integer id; {name:s} matches any text.
 */
#include <stdio.h>
#include <string.h>

#include "hangard.h"
#include "path.h"

/* The one list of families (families.h), as route tables. */
#define HG_FAMILY(name) extern const struct hg_route hg_routes_##name[];
#include "families.h"
#undef HG_FAMILY

const struct hg_route *const hg_route_tables[] = {
#define HG_FAMILY(name) hg_routes_##name,
#include "families.h"
#undef HG_FAMILY
};
const char *const hg_route_families[] = {
#define HG_FAMILY(name) #name,
#include "families.h"
#undef HG_FAMILY
};
const size_t hg_route_ntables = sizeof(hg_route_tables) /
    sizeof(hg_route_tables[0]);

/* Does path match pattern?  Fills r's path parameters when it does. */
static int
match(struct hg_req *r, const char *pat, const char *path)
{
	return hg_path_match(r->r_arena, pat, path, r->r_params, r->r_ids,
	    &r->r_nparams);
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

static int
is_read(const char *method)
{
	return strcmp(method, "GET") == 0;
}

/* Why route rt is not well declared, or NULL. */
static const char *
route_wrong(const struct hg_route *rt)
{
	const struct hg_perm *p = &rt->rt_perm;

	if (p->p_kind == HG_P_UNSET || rt->rt_fn == NULL)
		return "declares no permission or handler";
	if ((p->p_kind == HG_P_MODULE &&
	    hg_module_perm(p->p_module, p->p_name) == NULL) ||
	    (p->p_kind == HG_P_APP &&
	    hg_resource_perm("application", p->p_name) == NULL) ||
	    (p->p_kind == HG_P_HOST &&
	    hg_resource_perm("host", p->p_name) == NULL))
		return "names an unknown permission";
	if (is_read(rt->rt_method) && (rt->rt_body != HG_B_NONE ||
	    rt->rt_audit != NULL))
		return "is a GET with a body or an audit";
	if ((rt->rt_body == HG_B_OBJECT || rt->rt_body == HG_B_ITEMS) &&
	    rt->rt_fields.fs_n == 0)
		return "declares a body without fields";
	if (rt->rt_optional && rt->rt_body != HG_B_OBJECT)
		return "is PATCH() without an object body";
	if (rt->rt_success && is_read(rt->rt_method))
		return "is a GET that says success";
	return NULL;
}

/*
 * Refuse a route table in which a route is not well declared (no
 * permission, an unknown one, a body on a GET, ...), a family without
 * routes, or a method and pattern declared twice: hangard will not start
 * with one (and the permission matrix test reads the same table through
 * `hangard -R`).
 */
int
hg_routes_check(char *err, size_t errlen)
{
	const struct hg_route	*rt, *o;
	const char		*why;
	size_t			 t, u;

	for (t = 0; t < hg_route_ntables; t++) {
		if (hg_route_tables[t][0].rt_method == NULL) {
			snprintf(err, errlen, "family %s has no routes",
			    hg_route_families[t]);
			return -1;
		}
		for (rt = hg_route_tables[t]; rt->rt_method != NULL; rt++) {
			if ((why = route_wrong(rt)) != NULL) {
				snprintf(err, errlen, "route %s %s %s",
				    rt->rt_method, rt->rt_pattern, why);
				return -1;
			}
			for (u = 0; u <= t; u++)
				for (o = hg_route_tables[u];
				    o->rt_method != NULL && o != rt; o++)
					if (strcmp(o->rt_method,
					    rt->rt_method) == 0 &&
					    strcmp(o->rt_pattern,
					    rt->rt_pattern) == 0) {
						snprintf(err, errlen, "route %s "
						    "%s is declared twice",
						    rt->rt_method,
						    rt->rt_pattern);
						return -1;
					}
		}
	}
	return 0;
}

/*
 * "name,email?,cloud{region,instance_id?}?,hosts[{id}]": the declared
 * fields, "?" after the optional ones, nested fields in braces.
 */
static void
print_fields(const struct hg_field *f, size_t n, int optional)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (f[i].f_name == NULL)
			continue;
		printf("%s%s", i ? "," : "", f[i].f_name);
		if (f[i].f_type == HG_V_IDS)
			printf(f[i].f_flags & HG_V_BAREID ? "[id|{id}]" : "[{id}]");
		else if (f[i].f_sub != NULL) {
			printf(f[i].f_type == HG_V_ARRAY ? "[{" : "{");
			print_fields(f[i].f_sub, f[i].f_nsub, 0);
			printf(f[i].f_type == HG_V_ARRAY ? "}]" : "}");
		}
		if (optional || !(f[i].f_flags & HG_V_REQUIRED))
			printf("?");
	}
}

/*
 * `hangard -R`: one line per route, tab-separated: METHOD PATTERN KIND
 * MODULE PERM, then the declarations: body (- none, ids, raw, {fields},
 * [{fields}]), query fields (with page,page_size when paged), audit kind.
 */
void
hg_routes_print(void)
{
	const struct hg_route	*rt;
	size_t			 t;

	for (t = 0; t < hg_route_ntables; t++)
		for (rt = hg_route_tables[t]; rt->rt_method != NULL; rt++) {
			printf("%s\t%s\t%s\t%s\t%s\tbody=", rt->rt_method,
			    rt->rt_pattern, kind_names[rt->rt_perm.p_kind],
			    rt->rt_perm.p_module ? rt->rt_perm.p_module : "-",
			    rt->rt_perm.p_name ? rt->rt_perm.p_name : "-");
			switch (rt->rt_body) {
			case HG_B_NONE:
				printf("-");
				break;
			case HG_B_IDS:
				printf("[{id}]");
				break;
			case HG_B_RAW:
				printf("raw");
				break;
			case HG_B_OBJECT:
			case HG_B_ITEMS:
				printf(rt->rt_body == HG_B_ITEMS ? "[{" : "{");
				print_fields(rt->rt_fields.fs_f,
				    rt->rt_fields.fs_n, rt->rt_optional);
				printf(rt->rt_body == HG_B_ITEMS ? "}]" : "}");
				break;
			}
			printf("\tquery=");
			print_fields(rt->rt_query.fs_f, rt->rt_query.fs_n, 1);
			if (rt->rt_paged)
				printf("%spage?,page_size?",
				    rt->rt_query.fs_n ? "," : "");
			else if (rt->rt_query.fs_n == 0)
				printf("-");
			printf("\taudit=%s\n", rt->rt_audit ? rt->rt_audit : "-");
		}
}

/*
 * test_matrix.c -- the permission matrix, driven by the route table itself
 * (`hangard -R` prints it; hangard refuses to start with a route that
 * declares no permission).  For every route that is not public:
 *
 *   - anonymous gets 401;
 *   - a user with no grants gets 403 (or 404 for an object it cannot see)
 *     and, for a mutation, nothing in the database changes;
 *   - a user holding exactly the route's permission (with its module's
 *     switch, and view on the object for per-object permissions) gets past
 *     authorization: neither 401 nor 403, nor 404 for the object.
 *
 * Fixtures are written straight into MariaDB (a fresh set per route, so a
 * DELETE that succeeds cannot disturb the next route), and tokens are made
 * the way hangard stores them: only the BLAKE2b hash of the value.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "client.h"

#define MAXROUTES	512

struct route {
	char	method[8];
	char	pattern[256];
	char	kind[16];
	char	module[32];
	char	perm[64];
};

static struct route	routes[MAXROUTES];
static int		nroutes;

static const char *fingerprint_tables =
    "users, roles, user_roles, auth_tokens, module_grants, resource_grants, "
    "authz_audit, audit_log, applications, hosts, host_addresses, productions, "
    "app_instances, app_dependencies, app_response_persons, "
    "external_navigators, tasks, task_hosts, credentials, cloud_accounts";

static void
load_routes(void)
{
	char	 cmd[1024], line[512];
	FILE	*p;

	snprintf(cmd, sizeof(cmd), "%s/hangard -R", getenv("HANGAR_BIN"));
	ck_assert_ptr_nonnull(p = popen(cmd, "r"));
	while (fgets(line, sizeof(line), p) != NULL && nroutes < MAXROUTES) {
		struct route *r = &routes[nroutes];

		if (sscanf(line, "%7s\t%255s\t%15s\t%31s\t%63s", r->method,
		    r->pattern, r->kind, r->module, r->perm) == 5)
			nroutes++;
	}
	ck_assert_msg(pclose(p) == 0, "hangard -R reports a route without a "
	    "valid permission");
	ck_assert_int_gt(nroutes, 50);
}

/* A user with an API token, made directly in the database. */
static long long
make_user(int super, char token[41])
{
	char		sql[512], hash[65];
	unsigned char	h[32], raw[20];
	long long	id;

	id = db_insert(hg_sql_user(uniq("mx"), super, sql, sizeof(sql)));
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(token, 41, raw, sizeof(raw));
	crypto_generichash(h, sizeof(h), (unsigned char *)token, 40, NULL, 0);
	sodium_bin2hex(hash, sizeof(hash), h, sizeof(h));
	snprintf(sql, sizeof(sql), "INSERT INTO auth_tokens (user_id, name, "
	    "prefix, token_hash) VALUES (%lld, 'matrix', '%.8s', '%s')", id,
	    token, hash);
	db_exec(sql);
	return id;
}

/* The module switch a module permission needs with it. */
static const char *
gate(const char *module, const char *perm)
{
	static const struct { const char *m, *s; } sw[] = {
		{ "application", "enable_app_mgmt" }, { "dns", "enable_dns_mgmt" },
		{ "navigator", "enable_navigator" },
		{ "common_tools", "enable_common_tools" },
		{ "resource_request", "enable_resource_req" },
		{ "deploy_template", "enable_deploy_template_mgmt" },
	};
	size_t i;

	if (strcmp(module, "resource") == 0)
		return strstr(perm, "business") ? "enable_business_mgmt" :
		    "enable_host_mgmt";
	for (i = 0; i < sizeof(sw) / sizeof(sw[0]); i++)
		if (strcmp(sw[i].m, module) == 0)
			return sw[i].s;
	return NULL;
}

static void
grant_module(long long uid, const char *module, const char *perm)
{
	char sql[512];

	snprintf(sql, sizeof(sql), "INSERT IGNORE INTO module_grants VALUES "
	    "('user', %lld, '%s', '%s')", uid, module, perm);
	db_exec(sql);
}

static void
grant_object(long long uid, const char *type, long long id, const char *perm)
{
	char sql[512];

	snprintf(sql, sizeof(sql), "INSERT IGNORE INTO resource_grants VALUES "
	    "('user', %lld, '%s', %lld, '%s')", uid, type, id, perm);
	db_exec(sql);
}

/* Fresh objects for one route. */
struct fixture {
	long long	user, role, app, host, production, task, navigator, token;
};

static void
make_fixture(struct fixture *f, long long token_owner)
{
	char		sql[512];
	const char	*n = uniq("mxobj");

	f->user = db_insert(hg_sql_user(n, 0, sql, sizeof(sql)));
	snprintf(sql, sizeof(sql), "INSERT INTO roles (name) VALUES ('%s')", n);
	f->role = db_insert(sql);
	snprintf(sql, sizeof(sql), "INSERT INTO applications (name, full_name) "
	    "VALUES ('%s', '%s')", n, n);
	f->app = db_insert(sql);
	snprintf(sql, sizeof(sql), "INSERT INTO hosts (name, host_type) VALUES "
	    "('%s', 'PHY_HOST')", n);
	f->host = db_insert(sql);
	snprintf(sql, sizeof(sql), "INSERT INTO productions (name) VALUES ('%s')",
	    n);
	f->production = db_insert(sql);
	f->task = db_insert("INSERT INTO tasks (kind, creator, opts) VALUES "
	    "('restart', 'admin', '{}')");
	snprintf(sql, sizeof(sql), "INSERT INTO external_navigators (name, url) "
	    "VALUES ('%s', 'http://example.invalid/')", n);
	f->navigator = db_insert(sql);
	snprintf(sql, sizeof(sql), "SELECT MAX(id) FROM auth_tokens WHERE "
	    "user_id = %lld", token_owner);
	f->token = db_int(sql);
}

/*
 * The object a route's first parameter names, when it is the segment right
 * after a family this test makes objects of ("/hosts/{id}/..."); else 1.
 */
static long long
primary_id(const char *pattern, const char *param, const struct fixture *f,
    long long self, int *primary)
{
	static const struct { const char *prefix; size_t off; } fam[] = {
		{ "/users/", offsetof(struct fixture, user) },
		{ "/roles/", offsetof(struct fixture, role) },
		{ "/applications/", offsetof(struct fixture, app) },
		{ "/hosts/", offsetof(struct fixture, host) },
		{ "/productions/", offsetof(struct fixture, production) },
		{ "/tasks/", offsetof(struct fixture, task) },
		{ "/external-navigators/", offsetof(struct fixture, navigator) },
		{ "/auth-tokens/", offsetof(struct fixture, token) },
	};
	size_t i, n;

	for (i = 0; i < sizeof(fam) / sizeof(fam[0]); i++) {
		n = strlen(fam[i].prefix);
		if (param != pattern + n || strncmp(pattern, fam[i].prefix, n) != 0)
			continue;
		*primary = 1;
		if (i == 0 && self)
			return self;
		return *(const long long *)((const char *)f + fam[i].off);
	}
	return 1;
}

/*
 * The route's path with its parameters filled in; *primary tells whether
 * the first parameter is an object this test created (so a 404 for it
 * means "hidden").
 */
static void
fill_path(const struct route *rt, const struct fixture *f, long long self,
    char *out, size_t len, int *primary)
{
	const char	*p = rt->pattern;
	size_t		 o = 0;
	int		 nparam = 0;

	*primary = 0;
	while (*p && o + 32 < len) {
		if (*p == '{') {
			long long id = 1;

			if (nparam == 0)
				id = primary_id(rt->pattern, p, f, self, primary);
			o += (size_t)snprintf(out + o, len - o, "%lld", id);
			p = strchr(p, '}') + 1;
			nparam++;
		} else
			out[o++] = *p++;
	}
	out[o] = '\0';
	if (nparam > 1)
		*primary = 0;
}

static int
mutation(const char *m)
{
	return strcmp(m, "GET") != 0;
}

static struct resp *
call(const struct route *rt, const char *path, const char *token)
{
	return api(rt->method, path, token, mutation(rt->method) ? "{}" : NULL);
}

/* Give uid exactly what rt needs; returns the id to use for {id} of users. */
static long long
give(const struct route *rt, long long uid, const struct fixture *f)
{
	const char *g;

	if (strcmp(rt->kind, "module") == 0) {
		grant_module(uid, rt->module, rt->perm);
		if ((g = gate(rt->module, rt->perm)) != NULL)
			grant_module(uid, rt->module, g);
	} else if (strcmp(rt->kind, "application") == 0) {
		grant_module(uid, "application", "enable_app_mgmt");
		grant_object(uid, "application", f->app, "view_app");
		grant_object(uid, "application", f->app, rt->perm);
	} else if (strcmp(rt->kind, "host") == 0) {
		grant_module(uid, "resource", "enable_host_mgmt");
		grant_object(uid, "host", f->host, "view_host");
		grant_object(uid, "host", f->host, rt->perm);
	} else if (strcmp(rt->kind, "self") == 0)
		return uid;
	return 0;
}

START_TEST(every_route_is_guarded)
{
	char		 path[512], nobody_tok[41], holder_tok[41], *before, *after;
	long long	 nobody, holder, self;
	struct fixture	 f;
	struct resp	*r;
	int		 i, primary, checked = 0;

	load_routes();
	for (i = 0; i < nroutes; i++) {
		const struct route *rt = &routes[i];

		if (strcmp(rt->kind, "public") == 0)
			continue;
		nobody = make_user(0, nobody_tok);
		holder = make_user(strcmp(rt->kind, "superuser") == 0, holder_tok);

		/* anonymous */
		make_fixture(&f, nobody);
		fill_path(rt, &f, 0, path, sizeof(path), &primary);
		expect_error(call(rt, path, NULL), 401, 10005, NULL);

		/* no grants */
		if (strcmp(rt->kind, "login") != 0) {
			before = db_fingerprint(fingerprint_tables);
			r = call(rt, path, nobody_tok);
			ck_assert_msg(r->status == 403 || r->status == 404,
			    "%s %s without grants: %ld %s", rt->method, path,
			    r->status, r->body);
			resp_free(r);
			after = db_fingerprint(fingerprint_tables);
			ck_assert_msg(strcmp(before, after) == 0, "%s %s refused "
			    "but changed the database", rt->method, path);
			free(before);
			free(after);
		}

		/* exactly the route's permission */
		make_fixture(&f, holder);
		self = give(rt, holder, &f);
		fill_path(rt, &f, self, path, sizeof(path), &primary);
		r = call(rt, path, holder_tok);
		ck_assert_msg(r->status != 401 && r->status != 403 &&
		    !(primary && r->status == 404), "%s %s holding %s %s.%s: %ld %s",
		    rt->method, path, rt->kind, rt->module, rt->perm, r->status,
		    r->body);
		resp_free(r);
		checked++;
	}
	ck_assert_int_gt(checked, 40);
}
END_TEST

/*
 * The agent works on tasks in the background (host status, task rows): it
 * is stopped while the matrix compares database fingerprints.
 */
static void
agent(const char *what)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), "%s %s-agent %s 0 %s >/dev/null 2>&1",
	    getenv("HANGAR_STACK"), what, getenv("HANGAR_DIR"),
	    getenv("HANGAR_BIN"));
	ck_assert_int_eq(system(cmd), 0);
}

static void
agent_stop(void)
{
	agent("stop");
}

static void
agent_start(void)
{
	agent("start");
}

static TCase *
tc_matrix(void)
{
	TCase *tc = tcase_create("matrix");

	tcase_add_unchecked_fixture(tc, agent_stop, agent_start);
	tcase_add_test(tc, every_route_is_guarded);
	tcase_set_timeout(tc, 600);
	return tc;
}

int
main(void)
{
	static TCase *(*const cases[])(void) = { tc_matrix };

	if (sodium_init() < 0)
		return 1;
	return run_suite("matrix", cases, 1) ? 1 : 0;
}

/*
 * test_authz.c -- authorization semantics (API.md section 3): grant
 * endpoints and their bodies, role inheritance, revocation on the next
 * request, module switches, module-wide implication, escalation attempts
 * refused and audited nowhere, and the audit listings.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "client.h"

static long long
new_app(void)
{
	char sql[256];
	const char *n = uniq("authz-app");

	snprintf(sql, sizeof(sql), "INSERT INTO applications (name, full_name) "
	    "VALUES ('%s', '%s')", n, n);
	return db_insert(sql);
}

static long long
new_host(void)
{
	char sql[256];

	snprintf(sql, sizeof(sql), "INSERT INTO hosts (name, host_type) VALUES "
	    "('%s', 'PHY_HOST')", uniq("authz-host"));
	return db_insert(sql);
}

static long long
new_role(void)
{
	struct resp	*r = api_f("POST", "/roles/", admin_token(),
			    "{\"name\": \"%s\"}", uniq("authz-role"));
	long long	 id;

	ck_assert_int_eq(r->status, 201);
	id = jint(r->json, "id");
	resp_free(r);
	return id;
}

static void
module_grant(const char *who, long long id, const char *module,
    const char *perms)
{
	char		 path[128];
	struct resp	*r;

	snprintf(path, sizeof(path), "/%s/%lld/system/perms/", who, id);
	r = api_f("POST", path, admin_token(), "{\"module_name\": \"%s\", "
	    "\"permissions\": {%s}}", module, perms);
	ck_assert_msg(r->status == 200, "%s: %ld %s", path, r->status, r->body);
	resp_free(r);
}

static void
app_grant(const char *token, const char *who, long long id, long long app,
    const char *perms, long http)
{
	char		 path[128];
	struct resp	*r;

	snprintf(path, sizeof(path), "/%s/%lld/application/perms/", who, id);
	r = api_f("POST", path, token, "{\"authorizations\": [{\"id\": %lld, "
	    "\"permission\": {%s}}]}", app, perms);
	ck_assert_msg(r->status == http, "%s: want %ld, got %ld %s", path, http,
	    r->status, r->body);
	resp_free(r);
}

static long
get_status(const char *path, const char *token)
{
	struct resp	*r = api("GET", path, token, NULL);
	long		 s = r->status;

	resp_free(r);
	return s;
}

START_TEST(module_switch_gates_the_module)
{
	long long	 uid;
	const char	*tok = user_token(uniq("sw"), 0, &uid);
	char		 path[64];

	snprintf(path, sizeof(path), "/users/%lld/system/perms/", uid);
	/* view_business without its switch counts for nothing */
	module_grant("users", uid, "resource", "\"view_business\": true");
	ck_assert_int_eq(get_status("/productions/", tok), 403);
	module_grant("users", uid, "resource", "\"enable_business_mgmt\": true");
	ck_assert_int_eq(get_status("/productions/", tok), 200);
	/* /auth/me reports the effective state */
	{
		struct resp *r = api("GET", "/auth/me/", tok, NULL);

		ck_assert(json_object_get_boolean(jpath(r->json,
		    "module_perms.resource.view_business")));
		ck_assert(!json_object_get_boolean(jpath(r->json,
		    "module_perms.resource.add_business")));
		resp_free(r);
	}
	module_grant("users", uid, "resource", "\"enable_business_mgmt\": false");
	ck_assert_int_eq(get_status("/productions/", tok), 403);
}
END_TEST

START_TEST(role_grants_are_inherited_and_revoked_next_request)
{
	long long	 uid, role = new_role(), app = new_app();
	const char	*tok = user_token(uniq("inh"), 0, &uid);
	char		 path[128], body[64];
	struct resp	*r;

	snprintf(path, sizeof(path), "/applications/%lld/", app);
	module_grant("roles", role, "application", "\"enable_app_mgmt\": true");
	app_grant(admin_token(), "roles", role, app, "\"view_app\": true", 200);
	/* not a member yet: the app does not exist for this user */
	ck_assert_int_eq(get_status(path, tok), 403);
	snprintf(body, sizeof(body), "[{\"id\": %lld}]", uid);
	snprintf(path, sizeof(path), "/roles/%lld/users/", role);
	expect_status(api("POST", path, admin_token(), body), 200);
	snprintf(path, sizeof(path), "/applications/%lld/", app);
	ck_assert_int_eq(get_status(path, tok), 200);
	/* revoke on the role: the very next request is refused */
	app_grant(admin_token(), "roles", role, app, "\"view_app\": false", 200);
	ck_assert_int_eq(get_status(path, tok), 404);
	app_grant(admin_token(), "roles", role, app, "\"view_app\": true", 200);
	ck_assert_int_eq(get_status(path, tok), 200);
	/* removing the user from the role ends it too */
	snprintf(path, sizeof(path), "/roles/%lld/users/", role);
	expect_status(api("DELETE", path, admin_token(), body), 200);
	snprintf(path, sizeof(path), "/applications/%lld/", app);
	ck_assert_int_eq(get_status(path, tok), 403);
	(void)r;
}
END_TEST

/* Ask enough times that every worker has the token cached. */
static void
warm(const char *path, const char *tok, long want)
{
	int i;

	for (i = 0; i < 24; i++)
		ck_assert_int_eq(get_status(path, tok), want);
}

/* Twelve requests in a row, whichever workers take them, all answer want. */
static void
every_worker(const char *path, const char *tok, long want)
{
	int i;

	for (i = 0; i < 12; i++)
		ck_assert_int_eq(get_status(path, tok), want);
}

/*
 * Each change of who a caller is or what it may do, made through the API
 * while every worker has the caller cached (authcache.c), holds from the
 * next request on every worker: a role's module grant revoked, the user
 * taken out of the role, the role deleted, the user's own grant revoked,
 * the user disabled.
 */
START_TEST(auth_changes_reach_every_warm_worker)
{
	long long	 uid, role = new_role();
	const char	*tok = user_token(uniq("aw"), 0, &uid);
	char		 path[64], body[64];

	module_grant("roles", role, "resource", "\"enable_business_mgmt\": "
	    "true, \"view_business\": true");
	snprintf(body, sizeof(body), "[{\"id\": %lld}]", uid);
	snprintf(path, sizeof(path), "/roles/%lld/users/", role);
	expect_status(api("POST", path, admin_token(), body), 200);
	warm("/productions/", tok, 200);
	module_grant("roles", role, "resource", "\"enable_business_mgmt\": "
	    "false");
	every_worker("/productions/", tok, 403);
	module_grant("roles", role, "resource", "\"enable_business_mgmt\": "
	    "true");
	warm("/productions/", tok, 200);
	expect_status(api("DELETE", path, admin_token(), body), 200);
	every_worker("/productions/", tok, 403);
	expect_status(api("POST", path, admin_token(), body), 200);
	warm("/productions/", tok, 200);
	expect_status(api("DELETE", path_of("/roles/%lld/", role),
	    admin_token(), NULL), 200);
	every_worker("/productions/", tok, 403);
	module_grant("users", uid, "resource", "\"enable_business_mgmt\": "
	    "true, \"view_business\": true");
	warm("/productions/", tok, 200);
	module_grant("users", uid, "resource", "\"view_business\": false");
	every_worker("/productions/", tok, 403);
	warm("/auth/me/", tok, 200);
	expect_status(api("POST", path_of("/users/%lld/actions/disable", uid),
	    admin_token(), NULL), 200);
	every_worker("/auth/me/", tok, 401);
}
END_TEST

START_TEST(module_wide_permission_implies_every_object)
{
	long long	 uid, app = new_app(), host = new_host();
	const char	*tok = user_token(uniq("impl"), 0, &uid);
	char		 path[128];

	snprintf(path, sizeof(path), "/applications/%lld/", app);
	module_grant("users", uid, "application", "\"enable_app_mgmt\": true");
	ck_assert_int_eq(get_status(path, tok), 404);
	module_grant("users", uid, "application", "\"view_app\": true");
	ck_assert_int_eq(get_status(path, tok), 200);
	snprintf(path, sizeof(path), "/hosts/%lld/", host);
	module_grant("users", uid, "resource", "\"enable_host_mgmt\": true");
	ck_assert_int_eq(get_status(path, tok), 404);
	module_grant("users", uid, "resource", "\"manage_host\": true");
	ck_assert_int_eq(get_status(path, tok), 200);
}
END_TEST

START_TEST(escalation_is_refused_and_not_audited)
{
	long long	 uid, other, app = new_app();
	const char	*tok = user_token(uniq("esc"), 0, &uid);
	char		 path[128], *before, *after;
	const char	*tables = "resource_grants, module_grants, authz_audit";

	user_token(uniq("esc-other"), 0, &other);
	module_grant("users", uid, "application", "\"enable_app_mgmt\": true");
	app_grant(admin_token(), "users", uid, app,
	    "\"view_app\": true, \"edit_app\": true", 200);
	before = db_fingerprint(tables);
	/* granting itself or another what it lacks there: 30002 */
	snprintf(path, sizeof(path), "/users/%lld/application/perms/", uid);
	expect_error(api_f("POST", path, tok, "{\"authorizations\": [{\"id\": "
	    "%lld, \"permission\": {\"delete_app\": true}}]}", app), 403, 30002,
	    NULL);
	snprintf(path, sizeof(path), "/users/%lld/application/perms/", other);
	expect_error(api_f("POST", path, tok, "{\"authorizations\": [{\"id\": "
	    "%lld, \"permission\": {\"view_app\": true, \"deploy_app\": true}}]}",
	    app), 403, 30002, NULL);
	/* module grants are the superuser's */
	snprintf(path, sizeof(path), "/users/%lld/system/perms/", uid);
	expect_error(api("POST", path, tok, "{\"module_name\": \"application\", "
	    "\"permissions\": {\"delete_app\": true}}"), 403, 10007, NULL);
	after = db_fingerprint(tables);
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	/* what it holds, it may pass on; that is audited */
	snprintf(path, sizeof(path), "/users/%lld/application/perms/", other);
	expect_status(api_f("POST", path, tok, "{\"authorizations\": [{\"id\": "
	    "%lld, \"permissions\": {\"view_app\": true}}]}", app), 200);
	snprintf(path, sizeof(path), "/audit/authorize-operations/resources/"
	    "?resource_id=%lld&perm_name=view_app&action=enable", app);
	{
		struct resp *r = api("GET", path, admin_token(), NULL);

		ck_assert_int_eq(r->status, 200);
		ck_assert_int_eq(jint(r->json, "count"), 2);
		ck_assert_str_eq(jstr(r->json, "results.0.resource_type"),
		    "application");
		ck_assert_int_eq(jint(r->json, "results.0.resource.id"), app);
		ck_assert_str_eq(jstr(r->json, "results.0.authorized_target_type"),
		    "user");
		ck_assert_str_eq(jstr(r->json, "results.0.operator"),
		    jstr(r->json, "results.0.operator"));
		resp_free(r);
	}
}
END_TEST

START_TEST(unknown_module_or_perm_is_30001)
{
	long long	 uid, app = new_app();
	char		 path[128], *before, *after;

	user_token(uniq("unk"), 0, &uid);
	before = db_fingerprint("module_grants, resource_grants, authz_audit");
	snprintf(path, sizeof(path), "/users/%lld/system/perms/", uid);
	expect_error(api("POST", path, admin_token(), "{\"module_name\": "
	    "\"nosuch\", \"permissions\": {\"x\": true}}"), 400, 30001, NULL);
	expect_error(api("POST", path, admin_token(), "{\"module_name\": "
	    "\"application\", \"permissions\": {\"restart_app\": true}}"), 400,
	    30001, NULL);
	expect_error(api("POST", path, admin_token(), "{\"module_name\": "
	    "\"application\", \"permissions\": {\"view_app\": \"yes\"}}"), 400,
	    10002, NULL);
	snprintf(path, sizeof(path), "/users/%lld/application/perms/", uid);
	expect_error(api_f("POST", path, admin_token(), "{\"authorizations\": "
	    "[{\"id\": %lld, \"permission\": {\"fly\": true}}]}", app), 400, 30001,
	    NULL);
	expect_error(api("POST", path, admin_token(), "{\"authorizations\": "
	    "[{\"id\": 999999999, \"permission\": {\"view_app\": true}}]}"), 400,
	    10002, NULL);
	expect_error(api("POST", path, admin_token(), "not json"), 400, 10001,
	    NULL);
	after = db_fingerprint("module_grants, resource_grants, authz_audit");
	ck_assert_str_eq(before, after);
	free(before);
	free(after);
	expect_error(api("POST", "/users/999999999/system/perms/", admin_token(),
	    "{\"module_name\": \"dns\", \"permissions\": {}}"), 404, 10008, NULL);
}
END_TEST

START_TEST(module_grants_read_back_and_chinese_labels)
{
	long long	 role = new_role();
	char		 path[128];
	struct resp	*r;
	int		 i, found = 0;

	snprintf(path, sizeof(path), "/roles/%lld/system/perms/", role);
	expect_status(api("POST", path, admin_token(), "[{\"module_name\": "
	    "\"DNS管理\", \"permissions\": {\"enable_dns_mgmt\": true, "
	    "\"manage_dns_server\": true}}, {\"module_name\": \"navigator\", "
	    "\"permission\": {\"view_navigator\": true}}]"), 200);
	r = api("GET", path, admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq((int)json_object_array_length(r->json), 7);
	for (i = 0; i < 7; i++) {
		json_object *e = json_object_array_get_idx(r->json, i);

		if (strcmp(jstr(e, "module_name"), "dns") == 0) {
			ck_assert(json_object_get_boolean(jpath(e,
			    "permissions.manage_dns_server")));
			found++;
		}
		if (strcmp(jstr(e, "module_name"), "navigator") == 0) {
			ck_assert(json_object_get_boolean(jpath(e,
			    "permissions.view_navigator")));
			ck_assert(!json_object_get_boolean(jpath(e,
			    "permissions.manage_navigator")));
			found++;
		}
	}
	ck_assert_int_eq(found, 2);
	resp_free(r);
	r = api("GET", "/audit/authorize-operations/modules/?module_name=dns"
	    "&authorized_target_type=role", admin_token(), NULL);
	ck_assert_int_ge(jint(r->json, "count"), 2);
	ck_assert_str_eq(jstr(r->json, "results.0.module_name"), "dns");
	ck_assert_str_eq(jstr(r->json, "results.0.action"), "enable");
	resp_free(r);
	expect_error(api("GET", "/audit/authorize-operations/modules/?action=maybe",
	    admin_token(), NULL), 400, 10002, "action");
}
END_TEST

START_TEST(object_views_and_patch)
{
	long long	 uid, role = new_role(), host = new_host();
	char		 path[128];
	struct resp	*r;

	user_token(uniq("view"), 0, &uid);
	snprintf(path, sizeof(path), "/hosts/%lld/authorization/users/", host);
	expect_status(api_f("PATCH", path, admin_token(), "[{\"user\": {\"id\": "
	    "%lld}, \"permission\": {\"view_host\": true, \"login_host\": true}, "
	    "\"action\": \"update\"}]", uid), 200);
	r = api("GET", path, admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	ck_assert_int_eq(jint(r->json, "results.0.user.id"), uid);
	ck_assert(json_object_get_boolean(jpath(r->json,
	    "results.0.permission.login_host")));
	ck_assert(!json_object_get_boolean(jpath(r->json,
	    "results.0.permission.delete_host")));
	resp_free(r);
	expect_status(api_f("PATCH", path, admin_token(), "[{\"user\": {\"id\": "
	    "%lld}, \"action\": \"delete\"}]", uid), 200);
	r = api("GET", path, admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 0);
	resp_free(r);
	snprintf(path, sizeof(path), "/hosts/%lld/authorization/roles/", host);
	expect_status(api_f("PATCH", path, admin_token(), "[{\"role\": {\"id\": "
	    "%lld}, \"permission\": {\"restart_host\": true}}]", role), 200);
	expect_error(api_f("PATCH", path, admin_token(), "[{\"role\": {\"id\": "
	    "%lld}, \"action\": \"explode\"}]", role), 400, 10002, NULL);
	r = api("GET", path, admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "results.0.role.id"), role);
	resp_free(r);
	/* the grant's audit row names the host by resource_id and resource */
	snprintf(path, sizeof(path), "/audit/authorize-operations/resources/"
	    "?resource_id=%lld&authorized_target_type=role", host);
	r = api("GET", path, admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	ck_assert_ptr_nonnull(jpath(r->json, "results.0.resource_id"));
	ck_assert_int_eq(jint(r->json, "results.0.resource_id"), host);
	ck_assert_int_eq(jint(r->json, "results.0.resource.id"), host);
	ck_assert_str_eq(jstr(r->json, "results.0.resource_type"), "host");
	ck_assert_str_eq(jstr(r->json, "results.0.perm_name"), "restart_host");
	resp_free(r);
	snprintf(path, sizeof(path), "/roles/%lld/host/perms/?hostname=authz-host",
	    role);
	r = api("GET", path, admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	ck_assert_int_eq(jint(r->json, "results.0.id"), host);
	ck_assert(json_object_get_boolean(jpath(r->json,
	    "results.0.permission.restart_host")));
	resp_free(r);
}
END_TEST

/*
 * A Host object's available_actions, in its list and its page: the
 * caller's grants on it, its own and its roles', and the module-wide
 * permissions; everything for a superuser.  What it says is what the
 * server then allows.
 */
static void
expect_actions(json_object *host, const char *want)
{
	static const char *const perms[] = { "view_host", "edit_host",
	    "delete_host", "init_host", "restart_host", "login_host",
	    "deactivate_host", NULL };
	json_object	*acts;
	char		 got[256] = "";
	int		 i;

	ck_assert_ptr_nonnull(acts = jpath(host, "available_actions"));
	ck_assert_int_eq(json_object_object_length(acts), 7);
	for (i = 0; perms[i] != NULL; i++)
		if (json_object_get_boolean(jpath(acts, perms[i]))) {
			if (*got != '\0')
				strcat(got, ",");
			strcat(got, perms[i]);
		}
	ck_assert_str_eq(got, want);
}

START_TEST(host_available_actions)
{
	long long	 uid, mid, host = new_host(), other = new_host();
	long long	 role = new_role();
	const char	*tok = user_token(uniq("acts"), 0, &uid);
	const char	*mtok = user_token(uniq("actm"), 0, &mid);
	char		 path[128], body[64];
	struct resp	*r;

	r = api("GET", path_of("/hosts/%lld/", host), admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	expect_actions(r->json, "view_host,edit_host,delete_host,init_host,"
	    "restart_host,login_host,deactivate_host");
	resp_free(r);

	/* its own view_host, a role's restart_host */
	module_grant("users", uid, "resource", "\"enable_host_mgmt\": true");
	snprintf(path, sizeof(path), "/users/%lld/host/perms/", uid);
	expect_status(api_f("POST", path, admin_token(), "{\"authorizations\": "
	    "[{\"id\": %lld, \"permission\": {\"view_host\": true}}]}", host),
	    200);
	snprintf(path, sizeof(path), "/roles/%lld/host/perms/", role);
	expect_status(api_f("POST", path, admin_token(), "{\"authorizations\": "
	    "[{\"id\": %lld, \"permission\": {\"restart_host\": true}}]}",
	    host), 200);
	snprintf(body, sizeof(body), "[{\"id\": %lld}]", uid);
	expect_status(api("POST", path_of("/roles/%lld/users/", role),
	    admin_token(), body), 200);
	r = api("GET", "/hosts/", tok, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	expect_actions(jpath(r->json, "results.0"), "view_host,restart_host");
	resp_free(r);
	r = api("GET", path_of("/hosts/%lld/", host), tok, NULL);
	expect_actions(r->json, "view_host,restart_host");
	resp_free(r);
	/* what it says: past the permission check for a restart (the raw
	 * host may still be refused for its status), not for an edit */
	r = api("POST", path_of("/hosts/%lld/actions/restart/", host), tok,
	    NULL);
	ck_assert_msg(r->status != 403 && r->status != 404, "%ld %s",
	    r->status, r->body);
	resp_free(r);
	expect_error(api("PATCH", path_of("/hosts/%lld/", host), tok,
	    "{\"cpu\": 2}"), 403, 10007, NULL);

	/* module-wide edit_host and view through manage_host, plus a grant */
	module_grant("users", mid, "resource", "\"enable_host_mgmt\": true, "
	    "\"edit_host\": true");
	snprintf(path, sizeof(path), "/users/%lld/host/perms/", mid);
	expect_status(api_f("POST", path, admin_token(), "{\"authorizations\": "
	    "[{\"id\": %lld, \"permission\": {\"view_host\": true, "
	    "\"login_host\": true}}]}", other), 200);
	r = api("GET", path_of("/hosts/%lld/", other), mtok, NULL);
	ck_assert_int_eq(r->status, 200);
	expect_actions(r->json, "view_host,edit_host,login_host");
	resp_free(r);
	module_grant("users", mid, "resource", "\"manage_host\": true");
	r = api("GET", "/hosts/?page_size=1", mtok, NULL);
	ck_assert_int_eq(jint(r->json, "count"),
	    db_int("SELECT COUNT(*) FROM hosts"));
	expect_actions(jpath(r->json, "results.0"), "view_host,edit_host,"
	    "delete_host,init_host,restart_host,login_host,deactivate_host");
	resp_free(r);
	r = api("GET", path_of("/hosts/%lld/", other), mtok, NULL);
	expect_actions(r->json, "view_host,edit_host,delete_host,init_host,"
	    "restart_host,login_host,deactivate_host");
	resp_free(r);
}
END_TEST

static TCase *
tc_authz(void)
{
	TCase *tc = tcase_create("authz");

	tcase_add_test(tc, module_switch_gates_the_module);
	tcase_add_test(tc, role_grants_are_inherited_and_revoked_next_request);
	tcase_add_test(tc, auth_changes_reach_every_warm_worker);
	tcase_add_test(tc, module_wide_permission_implies_every_object);
	tcase_add_test(tc, escalation_is_refused_and_not_audited);
	tcase_add_test(tc, unknown_module_or_perm_is_30001);
	tcase_add_test(tc, module_grants_read_back_and_chinese_labels);
	tcase_add_test(tc, object_views_and_patch);
	tcase_add_test(tc, host_available_actions);
	return tc;
}


int
main(void)
{
	static TCase *(*const cases[])(void) = { tc_authz };

	return run_suite("authz", cases, 1) ? 1 : 0;
}

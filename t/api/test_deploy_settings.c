/*
 * test_deploy_settings.c -- /application/{id}/deploy-settings/ and
 * .../template/ (the seed's 发布配置 section, issue 11).
 *
 * The model: an application has settings of its own, or follows one
 * template (GET shows the template's values with template {id, name}; a
 * change to the template is seen at once), or neither (enabled false,
 * null fields).  PATCH on a follower is 409; unlinking with clean false
 * keeps a copy, with clean true leaves it unconfigured.  Changes are
 * application audit rows (change_deploy_setting).  edit_app on the
 * application is what it takes.  Every refusal changes nothing.
 */
#include <unistd.h>

#include "deploylib.h"

#define SET	"/application/%lld/deploy-settings/"
#define LINK	"/application/%lld/deploy-settings/template/"

/*
 * The settings object of app: its keys (and "message" beside them in the
 * answer of a change) and the fields every case shares.
 */
static void
expect_settings(json_object *o, long long app, int enabled)
{
	ck_assert_int_eq(jkeys(o, NULL), 11 + (jpath(o, "message") != NULL));
	ck_assert_int_eq(jint(o, "application"), app);
	ck_assert_int_eq(jbool(o, "enabled"), enabled);
}

START_TEST(unconfigured_reads_as_disabled)
{
	long long	 app = mkapp(uniq("uncfg"));
	struct resp	*r;

	r = api("GET", path_of(SET, app), admin_token(), NULL);
	ck_assert_msg(r->status == 200, "%s", r->body);
	expect_settings(r->json, app, 0);
	ck_assert(jnull(r->json, "template"));
	ck_assert(jnull(r->json, "repository"));
	ck_assert(jnull(r->json, "deploy_path"));
	ck_assert(jnull(r->json, "timeout"));
	ck_assert(jnull(r->json, "keep_backups"));
	ck_assert(jnull(r->json, "lifecycle_hooks"));
	ck_assert(jnull(r->json, "script_running_user"));
	ck_assert(jnull(r->json, "creator"));
	ck_assert(jnull(r->json, "updated_time"));
	resp_free(r);
	/* the seed's spelling, no trailing slash */
	r = api("GET", fmt("/applications/%lld/deploy-settings", app),
	    admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	refused_key("GET", path_of(SET, 999999999LL), admin_token(), NULL, 404,
	    10008, NULL);
	refused_key("PATCH", path_of(SET, 999999999LL), admin_token(),
	    "{\"timeout\": 5}", 404, 10008, NULL);
	refused_key("POST", path_of(LINK, 999999999LL), admin_token(),
	    "{\"id\": 1}", 404, 10008, NULL);
}
END_TEST

START_TEST(own_settings_patch)
{
	const char	*tok = admin_token();
	long long	 app = mkapp(uniq("own-" NONASCII)), s, cred;
	char		 p[128];
	struct resp	*r;
	char		*d;

	snprintf(p, sizeof(p), SET, app);
	s = mkscript(uniq("own-hook"), "bash", NULL, "\"echo {{ v }}\"");
	/* the first PATCH must be complete */
	refused_key("PATCH", p, tok, "{\"deploy_path\": \"/srv/x\"}", 400,
	    10002, "repository.type");
	refused_key("PATCH", p, tok, "{\"repository\": " GITREPO "}", 400, 10002,
	    "deploy_path");
	refused_key("PATCH", p, tok, "{}", 400, 10002, "repository.type");
	r = api_f("PATCH", p, tok, "{\"repository\": {\"type\": \"FTP\", "
	    "\"url\": \"sftp://files.example.com/pkg\", \"credential\": "
	    "{\"type\": \"PASSWORD\", \"username\": \"ftp\", \"password\": "
	    "\"" MARK "ftp\"}}, \"deploy_path\": \"/srv/" NONASCII "\", "
	    "\"script_running_user\": \"work\", \"timeout\": 30, "
	    "\"lifecycle_hooks\": {\"global_pre_exec\": {\"running_user\": "
	    "\"root\", \"script\": {\"id\": %lld}}}}", s);
	ck_assert_msg(r->status == 200, "%s", r->body);
	expect_settings(r->json, app, 1);
	ck_assert_str_eq(jstr(r->json, "message"), "success");
	ck_assert(jnull(r->json, "template"));
	ck_assert_str_eq(jstr(r->json, "repository.type"), "FTP");
	ck_assert_str_eq(jstr(r->json, "repository.url"),
	    "sftp://files.example.com/pkg");
	ck_assert_str_eq(jstr(r->json, "repository.credential.password"),
	    "******");
	ck_assert_ptr_null(strstr(r->body, MARK));
	cred = jint(r->json, "repository.credential.id");
	ck_assert_str_eq(jstr(r->json, "deploy_path"), "/srv/" NONASCII);
	ck_assert_str_eq(jstr(r->json, "script_running_user"), "work");
	ck_assert_str_eq(jstr(r->json, "lifecycle_hooks.running_user"), "work");
	ck_assert_int_eq(jint(r->json, "timeout"), 30);
	ck_assert_int_eq(jint(r->json, "keep_backups"), 5);
	ck_assert_str_eq(jstr(r->json, "lifecycle_hooks.global_pre_exec."
	    "running_user"), "root");
	ck_assert_str_eq(jstr(r->json, "lifecycle_hooks.global_pre_exec.script."
	    "content"), "echo {{ v }}");
	ck_assert_str_eq(jstr(r->json, "creator"), "admin");
	expect_recent(r->json, "updated_time");
	resp_free(r);
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM credentials WHERE "
	    "id = %lld AND name LIKE 'application %lld repository %%'", cred,
	    app)), 1);
	d = last_audit("app", app, "change_deploy_setting");
	ck_assert_ptr_nonnull(strstr(d, "changed the deploy settings of "
	    "application"));
	ck_assert_ptr_nonnull(strstr(d, "repository.type: null -> \"FTP\""));
	ck_assert_ptr_null(strstr(d, MARK));
	free(d);
	/* later PATCHes change what they give */
	r = api("PATCH", p, tok, "{\"keep_backups\": 7, \"lifecycle_hooks\": "
	    "{\"running_user\": null}}");
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_int_eq(jint(r->json, "keep_backups"), 7);
	ck_assert_int_eq(jint(r->json, "timeout"), 30);
	ck_assert(jnull(r->json, "script_running_user"));
	ck_assert_int_eq(jint(r->json, "repository.credential.id"), cred);
	resp_free(r);
	r = api("GET", p, tok, NULL);
	ck_assert_int_eq(jint(r->json, "keep_backups"), 7);
	resp_free(r);
	/* shown in the application audit listing */
	r = api("GET", fmt("/audit/app-operations/?op_type=change_deploy_setting"
	    "&app_name=own-" NONASCII), tok, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_ge(jint(r->json, "count"), 2);
	resp_free(r);
	refused_key("PATCH", p, tok, "{\"repository\": {\"url\": "
	    "\"https://x.example.com/a\"}}", 400, 10002, "repository.url");
	refused_key("PATCH", p, tok, "{\"deploy_path\": \"/a/../b\"}", 400,
	    10002, "deploy_path");
	ck_assert(!in_logs(MARK));
}
END_TEST

START_TEST(follow_unlink_model)
{
	const char	*tok = admin_token(), *tname = uniq("model");
	long long	 app = mkapp(uniq("fm")), t, t2;
	char		 p[128], l[128];
	struct resp	*r;
	char		*d;

	snprintf(p, sizeof(p), SET, app);
	snprintf(l, sizeof(l), LINK, app);
	t = mktemplate(tname, "\"timeout\": 77");
	expect_status(api("PATCH", p, tok, "{\"repository\": " GITREPO ", "
	    "\"deploy_path\": \"/mine\"}"), 200);
	refused_key("POST", l, tok, "{\"id\": 999999999}", 400, 10002, "id");
	refused_key("POST", l, tok, "{}", 400, 10002, "id");
	refused_key("POST", l, tok, "{\"id\": \"1\"}", 400, 10002, "id");
	/* link: the template's values, own settings dropped */
	r = api_f("POST", l, tok, "{\"id\": %lld}", t);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_str_eq(jstr(r->json, "message"), "success");
	expect_settings(r->json, app, 1);
	ck_assert_int_eq(jint(r->json, "template.id"), t);
	ck_assert_str_eq(jstr(r->json, "template.name"), tname);
	ck_assert_str_eq(jstr(r->json, "deploy_path"), "/srv/app");
	ck_assert_int_eq(jint(r->json, "timeout"), 77);
	resp_free(r);
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM deploy_configs WHERE "
	    "app_id = %lld", app)), 0);
	/* linking again is no change */
	expect_status(api_f("POST", l, tok, "{\"id\": %lld}", t), 200);
	/* a change to the template is seen at once */
	expect_status(api("PATCH", path_of(TPLS "%lld/", t), tok,
	    "{\"timeout\": 88}"), 200);
	r = api("GET", p, tok, NULL);
	ck_assert_int_eq(jint(r->json, "timeout"), 88);
	ck_assert_int_eq(jint(r->json, "template.id"), t);
	resp_free(r);
	/* PATCH on a follower is 409 */
	refused_key("PATCH", p, tok, "{\"timeout\": 5}", 409, 10010, NULL);
	/* unlink with the wrong id: 400; clean false keeps a copy */
	refused_key("DELETE", l, tok, "{\"id\": 999999999}", 400, 10002, "id");
	r = api_f("DELETE", l, tok, "{\"id\": %lld}", t);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert(jnull(r->json, "template"));
	ck_assert(jbool(r->json, "enabled"));
	ck_assert_int_eq(jint(r->json, "timeout"), 88);
	ck_assert_str_eq(jstr(r->json, "deploy_path"), "/srv/app");
	resp_free(r);
	d = last_audit("app", app, "change_deploy_setting");
	ck_assert_ptr_nonnull(strstr(d, "kept as its own settings"));
	free(d);
	/* the copy is the application's own: the template no longer shows */
	expect_status(api("PATCH", path_of(TPLS "%lld/", t), tok,
	    "{\"timeout\": 99}"), 200);
	r = api("GET", p, tok, NULL);
	ck_assert_int_eq(jint(r->json, "timeout"), 88);
	resp_free(r);
	expect_status(api("PATCH", p, tok, "{\"timeout\": 5}"), 200);
	/* not following anything: unlink is 409 */
	refused_key("DELETE", l, tok, NULL, 409, 10010, NULL);
	/* switch templates, then unlink clean: unconfigured */
	t2 = mktemplate(uniq("model2"), NULL);
	expect_status(api_f("POST", l, tok, "{\"id\": %lld}", t), 200);
	expect_status(api_f("POST", l, tok, "{\"id\": %lld}", t2), 200);
	r = api("GET", p, tok, NULL);
	ck_assert_int_eq(jint(r->json, "template.id"), t2);
	resp_free(r);
	r = api("DELETE", l, tok, "{\"clean\": true}");
	ck_assert_msg(r->status == 200, "%s", r->body);
	expect_settings(r->json, app, 0);
	ck_assert(jnull(r->json, "repository"));
	ck_assert(jnull(r->json, "template"));
	resp_free(r);
	refused_key("DELETE", l, tok, "{\"clean\": \"yes\"}", 400, 10002,
	    "clean");
}
END_TEST

START_TEST(permissions)
{
	long long	 app = mkapp(uniq("pa")), t = mktemplate(uniq("pt"), NULL),
			 u1, u2, u3;
	const char	*none = user_token(uniq("snone"), 0, &u1);
	const char	*viewer = user_token(uniq("sview"), 0, &u2);
	const char	*editor = user_token(uniq("sedit"), 0, &u3);
	char		 p[128], l[128], body[64];
	struct resp	*r;

	snprintf(p, sizeof(p), SET, app);
	snprintf(l, sizeof(l), LINK, app);
	snprintf(body, sizeof(body), "{\"id\": %lld}", t);
	grant_module(u1, "application", "enable_app_mgmt");
	grant_module(u2, "application", "enable_app_mgmt");
	grant_app(u2, app, "view_app");
	grant_module(u3, "application", "enable_app_mgmt");
	grant_app(u3, app, "view_app");
	grant_app(u3, app, "edit_app");
	refused_key("GET", p, NULL, NULL, 401, 10005, NULL);
	refused_key("PATCH", p, NULL, "{\"timeout\": 5}", 401, 10005, NULL);
	refused_key("POST", l, NULL, body, 401, 10005, NULL);
	/* an application the caller may not view does not exist */
	refused_key("GET", p, none, NULL, 404, 10008, NULL);
	refused_key("PATCH", p, none, "{\"timeout\": 5}", 404, 10008, NULL);
	refused_key("POST", l, none, body, 404, 10008, NULL);
	refused_key("DELETE", l, none, NULL, 404, 10008, NULL);
	expect_status(api("GET", p, viewer, NULL), 200);
	refused_key("PATCH", p, viewer, "{\"timeout\": 5}", 403, 10007, NULL);
	refused_key("POST", l, viewer, body, 403, 10007, NULL);
	refused_key("DELETE", l, viewer, NULL, 403, 10007, NULL);
	r = api("PATCH", p, editor, "{\"repository\": " GITREPO ", "
	    "\"deploy_path\": \"/e\"}");
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_str_ne(jstr(r->json, "creator"), "admin");
	resp_free(r);
	expect_status(api("POST", l, editor, body), 200);
	expect_status(api("DELETE", l, editor, "{\"clean\": true}"), 200);
}
END_TEST

START_TEST(patch_bad_input)
{
	static const struct field_spec f[] = {
		{ "repository", 0, "object", 0, NULL },
		{ "deploy_path", 0, "string", 1024, NULL },
		{ "timeout", 0, "int", 0, NULL },
		{ "keep_backups", 0, "int", 0, NULL },
		{ "lifecycle_hooks", 0, "object", 0, NULL },
		{ "enabled", 0, "bool", 0, NULL },
		{ "script_running_user", 0, "string", 32, NULL },
	};
	long long	 app = mkapp(uniq("sbi"));
	char		 p[128];

	snprintf(p, sizeof(p), SET, app);
	expect_status(api("PATCH", p, admin_token(), "{\"repository\": " GITREPO
	    ", \"deploy_path\": \"/x\"}"), 200);
	bad_input_battery("PATCH", p, admin_token(), "{\"timeout\": 30}", f,
	    sizeof(f) / sizeof(f[0]), DTABLES);
}
END_TEST

START_TEST(link_bad_input)
{
	static const struct field_spec f[] = {
		{ "id", 1, "int", 0, NULL },
	};
	long long	 app = mkapp(uniq("lbi")), t = mktemplate(uniq("lbt"),
			     NULL);
	char		 p[128];

	snprintf(p, sizeof(p), LINK, app);
	bad_input_battery("POST", p, admin_token(), fmt("{\"id\": %lld}", t), f,
	    sizeof(f) / sizeof(f[0]), DTABLES);
}
END_TEST

static TCase *
tc_settings(void)
{
	TCase *tc = tcase_create("deploy_settings");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, unconfigured_reads_as_disabled);
	tcase_add_test(tc, own_settings_patch);
	tcase_add_test(tc, follow_unlink_model);
	tcase_add_test(tc, permissions);
	tcase_add_test(tc, patch_bad_input);
	tcase_add_test(tc, link_bad_input);
	return tc;
}

int
main(void)
{
	static TCase *(*const cases[])(void) = { tc_settings };

	return run_suite("deploy_settings", cases, 1) ? 1 : 0;
}

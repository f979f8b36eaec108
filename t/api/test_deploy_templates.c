/*
 * test_deploy_templates.c -- /application/deploy-templates/ (the seed's
 * 发布模板 section, issue 11): create, read, list with filters, PATCH and
 * delete; repositories (GIT, FTP) with URLs checked by scheme, inline
 * credentials stored as credentials of their own and never shown,
 * lifecycle hooks, the applications that follow a template, the seed's
 * typos accepted.  Every refusal changes nothing.
 */
#include <unistd.h>

#include "deploylib.h"

/* Every field of a template with the GIT repository of mktemplate. */
static void
expect_template(json_object *o, long long id, const char *name)
{
	ck_assert_int_eq(jkeys(o, NULL), 12);
	ck_assert_int_eq(jint(o, "id"), id);
	ck_assert_str_eq(jstr(o, "name"), name);
	ck_assert(jbool(o, "enabled"));
	ck_assert_int_eq(jkeys(o, "repository"), 4);
	ck_assert_str_eq(jstr(o, "repository.type"), "GIT");
	ck_assert_str_eq(jstr(o, "repository.url"),
	    "https://git.example.com/a.git");
	ck_assert_str_eq(jstr(o, "repository.branch"), "release");
	ck_assert_str_eq(jstr(o, "deploy_path"), "/srv/app");
	ck_assert_str_eq(jstr(o, "creator"), "admin");
	expect_recent(o, "created_time");
	expect_recent(o, "updated_time");
	ck_assert_int_eq(jkeys(o, "lifecycle_hooks"), 5);
}

START_TEST(create_every_field)
{
	const char	*name = uniq("tpl-" NONASCII " " SQLI);
	long long	 s1, s2, cred, a1, a2, id;
	struct resp	*r;
	char		*d;

	s1 = mkscript(uniq("pre"), "bash", NULL, "\"echo pre\"");
	s2 = mkscript(uniq("post"), "python", "none", "\"print(1)\"");
	cred = api_create("/application/repository-credentials/password/",
	    "{\"name\": \"%s\", \"username\": \"git\", \"password\": \""
	    MARK "c\"}", uniq("cred"));
	a1 = mkapp(uniq("app1"));
	a2 = mkapp(uniq("app2"));
	r = api_f("POST", TPLS, admin_token(), "{\"name\": \"%s\", "
	    "\"applications\": [{\"id\": %lld}, %lld], \"repository\": "
	    "{\"type\": \"GIT\", \"url\": \"https://git.example.com/a.git\", "
	    "\"branch\": \"release\", \"credential\": %lld}, \"deploy_path\": "
	    "\"/srv/app\", \"timeout\": 600, \"keep_backups\": 3, "
	    "\"lifecycle_hooks\": {\"running_user\": \"work\", "
	    "\"global_pre_exec\": null, \"pre_exec\": {\"script\": {\"id\": "
	    "%lld}}, \"post_exec\": {\"running_user\": \"root\", \"script\": "
	    "{\"id\": %lld}}, \"glboal_post_exec\": null}}", name, a1, a2, cred,
	    s1, s2);
	ck_assert_msg(r->status == 201, "%s", r->body);
	id = jint(r->json, "id");
	expect_template(r->json, id, name);
	ck_assert_int_eq(jint(r->json, "timeout"), 600);
	ck_assert_int_eq(jint(r->json, "keep_backups"), 3);
	ck_assert_int_eq(jint(r->json, "repository.credential.id"), cred);
	ck_assert_str_eq(jstr(r->json, "repository.credential.type"),
	    "PASSWORD");
	ck_assert_str_eq(jstr(r->json, "repository.credential.username"), "git");
	ck_assert_str_eq(jstr(r->json, "repository.credential.password"),
	    "******");
	ck_assert_ptr_null(strstr(r->body, MARK));
	ck_assert_str_eq(jstr(r->json, "lifecycle_hooks.running_user"), "work");
	ck_assert(jnull(r->json, "lifecycle_hooks.global_pre_exec"));
	ck_assert(jnull(r->json, "lifecycle_hooks.global_post_exec"));
	ck_assert_int_eq(jint(r->json, "lifecycle_hooks.pre_exec.script.id"), s1);
	ck_assert(jnull(r->json, "lifecycle_hooks.pre_exec.running_user"));
	ck_assert_str_eq(jstr(r->json, "lifecycle_hooks.pre_exec.script."
	    "content"), "echo pre");
	ck_assert_str_eq(jstr(r->json, "lifecycle_hooks.pre_exec.script."
	    "template_engine"), "jinja");
	ck_assert_str_eq(jstr(r->json, "lifecycle_hooks.post_exec.running_user"),
	    "root");
	ck_assert_str_eq(jstr(r->json, "lifecycle_hooks.post_exec.script."
	    "language"), "python");
	ck_assert_int_eq(jlen(r->json, "applications"), 2);
	ck_assert_int_eq(jint(r->json, "applications.0.id"), a1);
	ck_assert_int_eq(jint(r->json, "applications.1.id"), a2);
	resp_free(r);
	r = api("GET", path_of(TPLS "%lld/", id), admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	expect_template(r->json, id, name);
	ck_assert_int_eq(jint(r->json, "timeout"), 600);
	resp_free(r);
	d = last_audit("deploy_template", id, "add");
	ck_assert_ptr_nonnull(strstr(d, "created deploy template"));
	ck_assert_ptr_nonnull(strstr(d, "deploy_path: null -> \"/srv/app\""));
	ck_assert_ptr_nonnull(strstr(d, "lifecycle_hooks.post_exec: null -> "
	    "\"script"));
	free(d);
	/* the followers' audit rows */
	d = last_audit("app", a1, "change_deploy_setting");
	ck_assert_ptr_nonnull(strstr(d, "template: null -> \""));
	free(d);
	/* defaults */
	id = mktemplate(uniq("dflt"), NULL);
	r = api("GET", path_of(TPLS "%lld/", id), admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "timeout"), 120);
	ck_assert_int_eq(jint(r->json, "keep_backups"), 5);
	ck_assert(jnull(r->json, "repository.credential"));
	ck_assert(jnull(r->json, "lifecycle_hooks.running_user"));
	ck_assert(jnull(r->json, "lifecycle_hooks.pre_exec"));
	ck_assert_int_eq(jlen(r->json, "applications"), 0);
	resp_free(r);
}
END_TEST

START_TEST(inline_credentials_sealed)
{
	const char	*name = uniq("inl");
	long long	 id, cid;
	struct resp	*r;
	char		*sealed, *plain, *d;

	r = api_f("POST", TPLS, admin_token(), "{\"name\": \"%s\", "
	    "\"repository\": {\"type\": \"git\", \"url\": "
	    "\"git@git.example.com:team/app.git\", \"branch\": \"main\", "
	    "\"credential\": {\"type\": \"PASSWORD\", \"username\": \"deploy\", "
	    "\"password\": \"" MARK "p " NONASCII "\"}}, \"deploy_path\": "
	    "\"/srv/app\"}", name);
	ck_assert_msg(r->status == 201, "%s", r->body);
	id = jint(r->json, "id");
	ck_assert_str_eq(jstr(r->json, "repository.type"), "GIT");
	cid = jint(r->json, "repository.credential.id");
	ck_assert_int_gt(cid, 0);
	ck_assert_str_eq(jstr(r->json, "repository.credential.password"),
	    "******");
	ck_assert_str_eq(jstr(r->json, "repository.credential.username"),
	    "deploy");
	ck_assert_ptr_null(strstr(r->body, MARK));
	resp_free(r);
	/* a credential of its own, as /repository-credentials/ keeps it */
	sealed = db_str(fmt("SELECT secret FROM credentials WHERE id = %lld "
	    "AND kind = 'password'", cid));
	ck_assert_ptr_nonnull(sealed);
	ck_assert_ptr_null(strstr(sealed, MARK));
	plain = stack_unseal(sealed);
	ck_assert_str_eq(plain, MARK "p " NONASCII);
	free(plain);
	free(sealed);
	r = api("GET", path_of("/application/repository-credentials/password/"
	    "%lld/", cid), admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_str_eq(jstr(r->json, "password"), "******");
	ck_assert_str_eq(jstr(r->json, "name"), fmt("deploy template %lld "
	    "repository %.8s", id, jstr(r->json, "name") + strlen(fmt(
	    "deploy template %lld repository ", id))));
	resp_free(r);
	d = last_audit("credential", cid, "add");
	ck_assert_ptr_nonnull(strstr(d, "password replaced"));
	ck_assert_ptr_null(strstr(d, MARK));
	free(d);
	/* a credential in use cannot be deleted */
	refused_key("DELETE", path_of("/application/repository-credentials/"
	    "password/%lld/", cid), admin_token(), NULL, 409, 10010, NULL);
	/* an SSH key: checked by libssh; a named one keeps its name */
	refused_key("PATCH", path_of(TPLS "%lld/", id), admin_token(),
	    "{\"repository\": {\"credential\": {\"type\": \"SSH_PRIVATE_KEY\", "
	    "\"private_key\": \"" MARK "not a key\"}}}", 400, 10002,
	    "repository.credential.private_key");
	refused_key("PATCH", path_of(TPLS "%lld/", id), admin_token(),
	    "{\"repository\": {\"credential\": {\"type\": \"PASSWORD\"}}}", 400,
	    10002, "repository.credential.password");
	refused_key("PATCH", path_of(TPLS "%lld/", id), admin_token(),
	    "{\"repository\": {\"credential\": {\"password\": \"x\"}}}", 400,
	    10002, "repository.credential.type");
	refused_key("PATCH", path_of(TPLS "%lld/", id), admin_token(),
	    "{\"repository\": {\"credential\": 999999999}}", 400, 10002,
	    "repository.credential");
	refused_key("PATCH", path_of(TPLS "%lld/", id), admin_token(),
	    "{\"repository\": {\"credential\": \"1\"}}", 400, 10002,
	    "repository.credential");
	/* null removes it; the credential itself stays */
	r = api("PATCH", path_of(TPLS "%lld/", id), admin_token(),
	    "{\"repository\": {\"credential\": null}}");
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert(jnull(r->json, "repository.credential"));
	ck_assert_str_eq(jstr(r->json, "repository.url"),
	    "git@git.example.com:team/app.git");
	resp_free(r);
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM credentials WHERE "
	    "id = %lld", cid)), 1);
	ck_assert_int_eq(db_int("SELECT COUNT(*) FROM audit_log WHERE "
	    "op_detail LIKE '%" MARK "%'"), 0);
	ck_assert(!in_logs(MARK));
}
END_TEST

START_TEST(repository_urls_by_type)
{
	static const char *git_ok[] = { "http://g.example.com/a",
	    "https://g.example.com/a.git", "ssh://git@g.example.com/a.git",
	    "git://g.example.com/a", "git@g.example.com:a/b.git" };
	static const char *ftp_ok[] = { "ftp://f.example.com/pkg",
	    "ftps://f.example.com/pkg", "FTPES://f.example.com/pkg",
	    "sftp://u@f.example.com/pkg" };
	static const char *bad[] = { "f.example.com/pkg", "file:///etc/passwd",
	    "ftpes://", "ftpes:///pkg",
	    "https://", "https://a b", "javascript:alert(1)", "@host:x",
	    "git@:x" };
	const char	*tok = admin_token();
	long long	 id = mktemplate(uniq("urls"), NULL);
	char		 p[128];
	struct resp	*r;
	size_t		 i;

	snprintf(p, sizeof(p), TPLS "%lld/", id);
	for (i = 0; i < sizeof(git_ok) / sizeof(git_ok[0]); i++)
		expect_status(api_f("PATCH", p, tok, "{\"repository\": "
		    "{\"url\": \"%s\"}}", git_ok[i]), 200);
	for (i = 0; i < sizeof(ftp_ok) / sizeof(ftp_ok[0]); i++) {
		refused_key("PATCH", p, tok, fmt("{\"repository\": {\"url\": "
		    "\"%s\"}}", ftp_ok[i]), 400, 10002, "repository.url");
		r = api_f("PATCH", p, tok, "{\"repository\": {\"type\": \"FTP\", "
		    "\"url\": \"%s\"}}", ftp_ok[i]);
		ck_assert_msg(r->status == 200, "%s", r->body);
		ck_assert_str_eq(jstr(r->json, "repository.type"), "FTP");
		/* an FTP repository has no branch */
		ck_assert_int_eq(jkeys(r->json, "repository"), 3);
		resp_free(r);
		refused_key("PATCH", p, tok, "{\"repository\": {\"url\": "
		    "\"https://g.example.com/a\"}}", 400, 10002,
		    "repository.url");
		/* back to GIT needs a branch again */
		refused_key("PATCH", p, tok, "{\"repository\": {\"type\": "
		    "\"GIT\", \"url\": \"https://g.example.com/a\"}}", 400,
		    10002, "repository.branch");
		expect_status(api("PATCH", p, tok, "{\"repository\": {\"type\": "
		    "\"GIT\", \"url\": \"https://g.example.com/a\", \"branch\": "
		    "\"release/1.0\"}}"), 200);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		refused_key("PATCH", p, tok, fmt("{\"repository\": {\"url\": "
		    "\"%s\"}}", bad[i]), 400, 10002, "repository.url");
	refused_key("PATCH", p, tok, "{\"repository\": {\"type\": \"SVN\"}}", 400,
	    10002, "repository.type");
	refused_key("PATCH", p, tok, "{\"repository\": {\"branch\": \"a b\"}}",
	    400, 10002, "repository.branch");
	refused_key("PATCH", p, tok, "{\"repository\": {\"branch\": \"a..b\"}}",
	    400, 10002, "repository.branch");
	refused_key("PATCH", p, tok, "{\"repository\": \"https://x\"}", 400,
	    10002, "repository");
	/* POST: repository and its parts are required */
	refused_key("POST", TPLS, tok, "{\"name\": \"r1\", \"deploy_path\": "
	    "\"/a\"}", 400, 10002, "repository");
	refused_key("POST", TPLS, tok, "{\"name\": \"r1\", \"deploy_path\": "
	    "\"/a\", \"repository\": {\"type\": \"GIT\", \"branch\": \"m\"}}",
	    400, 10002, "repository.url");
	refused_key("POST", TPLS, tok, "{\"name\": \"r1\", \"deploy_path\": "
	    "\"/a\", \"repository\": {\"url\": \"ftp://f/x\"}}", 400, 10002,
	    "repository.type");
}
END_TEST

START_TEST(field_bounds)
{
	static const char *paths[] = { "srv/app", "/srv/../etc", "/srv/..",
	    "../x", "/a/\\u0001b" };
	static const char *users[] = { "Root", "1abc", "a b", "-x", "work;id",
	    "abcdefghijabcdefghijabcdefghijabc", "" };
	const char	*tok = admin_token();
	long long	 id = mktemplate(uniq("bounds"), NULL);
	char		 p[128];
	struct resp	*r;
	size_t		 i;

	snprintf(p, sizeof(p), TPLS "%lld/", id);
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		refused_key("PATCH", p, tok, fmt("{\"deploy_path\": \"%s\"}",
		    paths[i]), 400, 10002, "deploy_path");
	for (i = 0; i < sizeof(users) / sizeof(users[0]); i++) {
		refused_key("PATCH", p, tok, fmt("{\"lifecycle_hooks\": "
		    "{\"running_user\": \"%s\"}}", users[i]), 400, 10002,
		    "lifecycle_hooks.running_user");
		refused_key("PATCH", p, tok, fmt("{\"lifecycle_hooks\": "
		    "{\"pre_exec\": {\"running_user\": \"%s\", \"script\": 1}}}",
		    users[i]), 400, 10002,
		    "lifecycle_hooks.pre_exec.running_user");
	}
	refused_key("PATCH", p, tok, "{\"timeout\": 0}", 400, 10002, "timeout");
	refused_key("PATCH", p, tok, "{\"timeout\": 86401}", 400, 10002,
	    "timeout");
	refused_key("PATCH", p, tok, "{\"timeout\": \"60\"}", 400, 10002,
	    "timeout");
	refused_key("PATCH", p, tok, "{\"keep_backups\": 0}", 400, 10002,
	    "keep_backups");
	refused_key("PATCH", p, tok, "{\"keep_backups\": 101}", 400, 10002,
	    "keep_backups");
	refused_key("PATCH", p, tok, "{\"lifecycle_hooks\": {\"pre_exec\": "
	    "{\"script\": {\"id\": 999999999}}}}", 400, 10002,
	    "lifecycle_hooks.pre_exec.script");
	refused_key("PATCH", p, tok, "{\"lifecycle_hooks\": {\"post_exec\": "
	    "{\"running_user\": \"work\"}}}", 400, 10002,
	    "lifecycle_hooks.post_exec.script");
	refused_key("PATCH", p, tok, "{\"lifecycle_hooks\": {\"post_exec\": "
	    "{\"script\": {}}}}", 400, 10002,
	    "lifecycle_hooks.post_exec.script.id");
	refused_key("PATCH", p, tok, "{\"lifecycle_hooks\": [1]}", 400, 10002,
	    "lifecycle_hooks");
	refused_key("PATCH", p, tok, "{\"enabled\": \"yes\"}", 400, 10002,
	    "enabled");
	/* the bounds themselves are fine; POSIX names with _ - and a final $ */
	r = api("PATCH", p, tok, "{\"timeout\": 86400, \"keep_backups\": 100, "
	    "\"deploy_path\": \"/srv/a..b/" NONASCII "\", \"lifecycle_hooks\": "
	    "{\"running_user\": \"_svc-1$\"}}");
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_int_eq(jint(r->json, "timeout"), 86400);
	ck_assert_int_eq(jint(r->json, "keep_backups"), 100);
	ck_assert_str_eq(jstr(r->json, "deploy_path"), "/srv/a..b/" NONASCII);
	ck_assert_str_eq(jstr(r->json, "lifecycle_hooks.running_user"),
	    "_svc-1$");
	resp_free(r);
	expect_status(api("PATCH", p, tok, "{\"timeout\": 1, \"keep_backups\": "
	    "1}"), 200);
}
END_TEST

START_TEST(name_unique_and_list)
{
	const char	*tag = uniq("tl"), *tok = admin_token();
	long long	 a, b, uid;
	const char	*utok;
	struct resp	*r;

	a = mktemplate(fmt("%s-a", tag), NULL);
	b = mktemplate(fmt("%s-b" NONASCII, tag), NULL);
	refused_key("POST", TPLS, tok, fmt("{\"name\": \"%s-a\", \"repository\": "
	    GITREPO ", \"deploy_path\": \"/x\"}", tag), 409, 10010, NULL);
	refused_key("PATCH", path_of(TPLS "%lld/", b), tok, fmt("{\"name\": "
	    "\"%s-a\"}", tag), 409, 10010, NULL);
	r = api("GET", fmt(TPLS "?name=%s", tag), tok, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(jint(r->json, "count"), 2);
	ck_assert_int_eq(jint(r->json, "results.0.id"), b);
	ck_assert_int_eq(jint(r->json, "results.1.id"), a);
	expect_template(jpath(r->json, "results.1"), a, fmt("%s-a", tag));
	resp_free(r);
	r = api("GET", fmt(TPLS "?name=%s&creator=ADMIN&page_size=1", tag), tok,
	    NULL);
	ck_assert_int_eq(jint(r->json, "count"), 2);
	ck_assert_int_eq(jlen(r->json, "results"), 1);
	ck_assert_ptr_nonnull(jstr(r->json, "next"));
	resp_free(r);
	/* creator filter: one made by someone else */
	utok = user_token(uniq("tmaker"), 0, &uid);
	grant_module(uid, "deploy_template", "enable_deploy_template_mgmt");
	grant_module(uid, "deploy_template", "manage_deploy_template");
	r = api_f("POST", TPLS, utok, "{\"name\": \"%s-c\", \"repository\": "
	    GITREPO ", \"deploy_path\": \"/x\"}", tag);
	ck_assert_msg(r->status == 201, "%s", r->body);
	resp_free(r);
	r = api("GET", fmt(TPLS "?name=%s&creator=tmaker", tag), tok, NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	resp_free(r);
	r = api("GET", TPLS "?name=%25%27%3B", tok, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(jint(r->json, "count"), 0);
	resp_free(r);
	refused_key("GET", TPLS "999999999/", tok, NULL, 404, 10008, NULL);
	refused_key("PATCH", TPLS "999999999/", tok, "{\"timeout\": 5}", 404,
	    10008, NULL);
	refused_key("DELETE", TPLS "999999999/", tok, NULL, 404, 10008, NULL);
}
END_TEST

START_TEST(patch_overlays_and_audits)
{
	const char	*tok = admin_token();
	long long	 s = mkscript(uniq("hk"), "bash", NULL, "\"x\"");
	long long	 id = mktemplate(uniq("ov"), fmt("\"lifecycle_hooks\": "
	    "{\"pre_exec\": {\"script\": %lld}, \"post_exec\": {\"script\": "
	    "%lld}}", s, s));
	char		 p[128];
	struct resp	*r;
	char		*d;

	snprintf(p, sizeof(p), TPLS "%lld/", id);
	/* one repository key: the others stay */
	r = api("PATCH", p, tok, "{\"repository\": {\"branch\": \"hotfix\"}, "
	    "\"lifecyle_hooks\": {\"pre_exec\": null}, \"enabled\": false}");
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_str_eq(jstr(r->json, "repository.branch"), "hotfix");
	ck_assert_str_eq(jstr(r->json, "repository.url"),
	    "https://git.example.com/a.git");
	ck_assert(jnull(r->json, "lifecycle_hooks.pre_exec"));
	ck_assert_int_eq(jint(r->json, "lifecycle_hooks.post_exec.script.id"),
	    s);
	ck_assert(!jbool(r->json, "enabled"));
	ck_assert_str_eq(jstr(r->json, "deploy_path"), "/srv/app");
	resp_free(r);
	d = last_audit("deploy_template", id, "update");
	ck_assert_ptr_nonnull(strstr(d, "repository.branch: \"release\" -> "
	    "\"hotfix\""));
	ck_assert_ptr_nonnull(strstr(d, "enabled: \"true\" -> \"false\""));
	ck_assert_ptr_nonnull(strstr(d, fmt("lifecycle_hooks.pre_exec: \"script "
	    "%lld\" -> null", s)));
	free(d);
}
END_TEST

START_TEST(followers_and_delete)
{
	const char	*tok = admin_token(), *tname = uniq("fol");
	long long	 a1 = mkapp(uniq("f1")), a2 = mkapp(uniq("f2")), a3, id;
	struct resp	*r;
	char		*d;

	a3 = mkapp(uniq("f3"));
	/* a3 has settings of its own: following drops them */
	expect_status(api("PATCH", path_of("/application/%lld/deploy-settings/",
	    a3), tok, "{\"repository\": {\"type\": \"FTP\", \"url\": "
	    "\"ftp://f/x\"}, \"deploy_path\": \"/own\"}"), 200);
	id = mktemplate(tname, fmt("\"applictions\": [%lld, %lld, %lld]", a1,
	    a2, a3));
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM deploy_configs WHERE "
	    "app_id = %lld", a3)), 0);
	d = last_audit("app", a3, "change_deploy_setting");
	ck_assert_ptr_nonnull(strstr(d, "its own settings dropped"));
	free(d);
	/* deleting a followed template is refused, naming the followers */
	r = api("DELETE", path_of(TPLS "%lld/", id), tok, NULL);
	ck_assert_int_eq(r->status, 409);
	ck_assert_int_eq(jint(r->json, "error_code"), 10010);
	ck_assert_msg(strstr(jstr(r->json, "message"), "3 application(s)") &&
	    strstr(jstr(r->json, "message"), "f1"), "%s", r->body);
	resp_free(r);
	refused_key("DELETE", path_of(TPLS "%lld/", id), tok, NULL, 409, 10010,
	    NULL);
	/* the list set whole: a2 leaves (keeping a copy), a1 stays */
	r = api_f("PATCH", path_of(TPLS "%lld/", id), tok, "{\"applications\": "
	    "[{\"id\": %lld}, {\"id\": %lld}]}", a1, a1);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_int_eq(jlen(r->json, "applications"), 1);
	resp_free(r);
	r = api("GET", path_of("/application/%lld/deploy-settings/", a2), tok,
	    NULL);
	ck_assert(jnull(r->json, "template"));
	ck_assert_str_eq(jstr(r->json, "deploy_path"), "/srv/app");
	ck_assert(jbool(r->json, "enabled"));
	resp_free(r);
	/* unknown or invisible applications are refused alike */
	refused_key("PATCH", path_of(TPLS "%lld/", id), tok,
	    "{\"applications\": [999999999]}", 400, 10002, "applications[0]");
	refused_key("PATCH", path_of(TPLS "%lld/", id), tok,
	    "{\"applications\": [{\"id\": \"x\"}]}", 400, 10002,
	    "applications[0]");
	expect_status(api("PATCH", path_of(TPLS "%lld/", id), tok,
	    "{\"applications\": []}"), 200);
	expect_status(api("DELETE", path_of(TPLS "%lld/", id), tok, NULL), 200);
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM deploy_configs WHERE "
	    "template_id = %lld", id)), 0);
	d = last_audit("deploy_template", id, "delete");
	ck_assert_ptr_nonnull(strstr(d, tname));
	free(d);
	r = api("GET", fmt("/audit/deploy-template-operations/?template_name=%s",
	    tname), tok, NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(jint(r->json, "count"), 4);
	ck_assert_str_eq(jstr(r->json, "results.0.op_type"), "delete");
	resp_free(r);
}
END_TEST

START_TEST(permissions)
{
	long long	 id = mktemplate(uniq("perm"), NULL), u1, u2, u3, app;
	const char	*none = user_token(uniq("tnone"), 0, &u1);
	const char	*reader = user_token(uniq("treader"), 0, &u2);
	const char	*writer = user_token(uniq("twriter"), 0, &u3);
	char		 item[128];
	const char	*body = "{\"name\": \"pt\", \"repository\": " GITREPO
	    ", \"deploy_path\": \"/x\"}";
	const char	*tokens[3] = { NULL, none, reader };
	long		 http[3] = { 401, 403, 403 };
	int		 code[3] = { 10005, 10007, 10007 }, i;
	struct resp	*r;

	snprintf(item, sizeof(item), TPLS "%lld/", id);
	grant_module(u2, "deploy_template", "enable_deploy_template_mgmt");
	grant_module(u2, "deploy_template", "manage_deploy_script");
	grant_module(u3, "deploy_template", "enable_deploy_template_mgmt");
	grant_module(u3, "deploy_template", "manage_deploy_template");
	for (i = 0; i < 3; i++) {
		if (i < 2) {
			refused_key("GET", TPLS, tokens[i], NULL, http[i],
			    code[i], NULL);
			refused_key("GET", item, tokens[i], NULL, http[i],
			    code[i], NULL);
		}
		refused_key("POST", TPLS, tokens[i], body, http[i], code[i],
		    NULL);
		refused_key("PATCH", item, tokens[i], "{\"timeout\": 9}",
		    http[i], code[i], NULL);
		refused_key("DELETE", item, tokens[i], NULL, http[i], code[i],
		    NULL);
	}
	expect_status(api("GET", TPLS, reader, NULL), 200);
	expect_status(api("GET", item, reader, NULL), 200);
	expect_status(api("PATCH", item, writer, "{\"timeout\": 9}"), 200);
	/* applications: view_app or it does not exist; edit_app to link */
	app = mkapp(uniq("tapp"));
	refused_key("PATCH", item, writer, fmt("{\"applications\": [%lld]}",
	    app), 400, 10002, "applications[0]");
	grant_module(u3, "application", "enable_app_mgmt");
	grant_app(u3, app, "view_app");
	sleep(3);	/* the workers' auth cache (auth_cache_ttl) */
	refused_key("PATCH", item, writer, fmt("{\"applications\": [%lld]}",
	    app), 403, 10007, NULL);
	grant_app(u3, app, "edit_app");
	r = api_f("PATCH", item, writer, "{\"applications\": [%lld]}", app);
	ck_assert_msg(r->status == 200, "%s", r->body);
	resp_free(r);
	expect_status(api("PATCH", item, writer, "{\"applications\": []}"), 200);
	expect_status(api("DELETE", item, writer, NULL), 200);
}
END_TEST

START_TEST(create_bad_input)
{
	static const struct field_spec f[] = {
		{ "name", 1, "string", 128, NULL },
		{ "repository", 1, "object", 0, NULL },
		{ "deploy_path", 1, "string", 1024, NULL },
		{ "timeout", 0, "int", 0, NULL },
		{ "keep_backups", 0, "int", 0, NULL },
		{ "lifecycle_hooks", 0, "object", 0, NULL },
		{ "applications", 0, "array", 0, NULL },
		{ "enabled", 0, "bool", 0, NULL },
	};

	bad_input_battery("POST", TPLS, admin_token(), "{\"name\": \"tbi\", "
	    "\"repository\": " GITREPO ", \"deploy_path\": \"/x\"}", f,
	    sizeof(f) / sizeof(f[0]), DTABLES);
}
END_TEST

START_TEST(patch_bad_input)
{
	static const struct field_spec f[] = {
		{ "name", 0, "string", 128, NULL },
		{ "repository", 0, "object", 0, NULL },
		{ "deploy_path", 0, "string", 1024, NULL },
		{ "timeout", 0, "int", 0, NULL },
		{ "keep_backups", 0, "int", 0, NULL },
		{ "lifecycle_hooks", 0, "object", 0, NULL },
	};
	long long id = mktemplate(uniq("tpbi"), NULL);

	bad_input_battery("PATCH", path_of(TPLS "%lld/", id), admin_token(),
	    "{\"timeout\": 30}", f, sizeof(f) / sizeof(f[0]), DTABLES);
}
END_TEST

static TCase *
tc_templates(void)
{
	TCase *tc = tcase_create("deploy_templates");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, create_every_field);
	tcase_add_test(tc, inline_credentials_sealed);
	tcase_add_test(tc, repository_urls_by_type);
	tcase_add_test(tc, field_bounds);
	tcase_add_test(tc, name_unique_and_list);
	tcase_add_test(tc, patch_overlays_and_audits);
	tcase_add_test(tc, followers_and_delete);
	tcase_add_test(tc, permissions);
	tcase_add_test(tc, create_bad_input);
	tcase_add_test(tc, patch_bad_input);
	return tc;
}

int
main(void)
{
	static TCase *(*const cases[])(void) = { tc_templates };

	return run_suite("deploy_templates", cases, 1) ? 1 : 0;
}

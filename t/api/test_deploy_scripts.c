/*
 * test_deploy_scripts.c -- /application/deploy-scripts/ (the seed's 发布脚本
 * section, issue 11): create, read, list with filters, PATCH, delete, and
 * the applications that use a script.
 *
 * A jinja script must parse as a Jinja2 template (the real Jinja2, through
 * hangar-jinja-check): a syntax error is 400 naming the line, and the
 * workers that ran the checks keep no child and no descriptor.  Names are
 * unique (30001, 409); a language or engine outside the seed's is 30002 /
 * 30003 (400).  A script a hook uses cannot be deleted (409 naming who).
 * Every refusal changes nothing.
 */
#include <dirent.h>
#include <time.h>
#include <unistd.h>

#include "deploylib.h"

static void
expect_script(json_object *o, long long id, const char *name,
    const char *lang, const char *content, const char *engine)
{
	ck_assert_int_eq(jkeys(o, NULL), 8);
	ck_assert_int_eq(jint(o, "id"), id);
	ck_assert_str_eq(jstr(o, "name"), name);
	ck_assert_str_eq(jstr(o, "language"), lang);
	ck_assert_str_eq(jstr(o, "content"), content);
	ck_assert_str_eq(jstr(o, "template_engine"), engine);
	ck_assert_str_eq(jstr(o, "creator"), "admin");
	expect_recent(o, "created_time");
	expect_recent(o, "updated_time");
}

/* ---- create and read ------------------------------------------------- */

START_TEST(create_every_field)
{
	const char	*name = uniq("s-" NONASCII " " SQLI);
	struct resp	*r;
	long long	 id;
	char		*d;

	r = api_f("POST", SCRIPTS, admin_token(), "{\"name\": \"%s\", "
	    "\"language\": \"bash\", \"creator\": \"someone-else\", "
	    "\"content\": \"echo {{ version }} " NONASCII "\\n" SQLI "\"}", name);
	ck_assert_msg(r->status == 201, "%s", r->body);
	id = jint(r->json, "id");
	/* template_engine defaults to jinja; the creator is the caller */
	expect_script(r->json, id, name, "bash", "echo {{ version }} " NONASCII
	    "\n" SQLI, "jinja");
	resp_free(r);
	r = api("GET", path_of(SCRIPTS "%lld/", id), admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	expect_script(r->json, id, name, "bash", "echo {{ version }} " NONASCII
	    "\n" SQLI, "jinja");
	resp_free(r);
	/* without the trailing slash and with "applications" */
	r = api("GET", path_of("/applications/deploy-scripts/%lld", id),
	    admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	resp_free(r);
	d = last_audit("deploy_script", id, "add");
	ck_assert_ptr_nonnull(d);
	ck_assert_ptr_nonnull(strstr(d, "created deploy script"));
	ck_assert_ptr_nonnull(strstr(d, "language: null -> \"bash\""));
	free(d);
	/* python, engine none: no Jinja2 check (this is not a template) */
	r = api_f("POST", SCRIPTS, admin_token(), "{\"name\": \"%s\", "
	    "\"language\": \"python\", \"template_engine\": \"none\", "
	    "\"content\": \"print('{%%')\"}", uniq("py"));
	ck_assert_msg(r->status == 201, "%s", r->body);
	ck_assert_str_eq(jstr(r->json, "template_engine"), "none");
	ck_assert_str_eq(jstr(r->json, "content"), "print('{%')");
	resp_free(r);
	ck_assert_int_eq(db_int("SELECT COUNT(*) FROM users WHERE "
	    "username = 'admin'"), 1);
}
END_TEST

START_TEST(jinja_syntax_error_names_line)
{
	const char	*tok = admin_token();
	struct resp	*r;
	long long	 id;

	refused_key("POST", SCRIPTS, tok, "{\"name\": \"bad-jinja\", "
	    "\"language\": \"bash\", \"content\": \"a\\nb\\n{{ x }\"}", 400,
	    10002, "content");
	r = api("POST", SCRIPTS, tok, "{\"name\": \"bad-jinja\", \"language\": "
	    "\"bash\", \"content\": \"one\\ntwo\\n{% for x in y %}\\n\"}");
	ck_assert_int_eq(r->status, 400);
	ck_assert_msg(strstr(jstr(r->json, "errors.content"),
	    "not a valid Jinja2 template: line ") != NULL, "%s", r->body);
	resp_free(r);
	r = api("POST", SCRIPTS, tok, "{\"name\": \"bad-jinja\", \"language\": "
	    "\"bash\", \"content\": \"ok\\n\\n{{ x }\"}");
	ck_assert_int_eq(r->status, 400);
	ck_assert_msg(strstr(jstr(r->json, "errors.content"), "line 3: ") !=
	    NULL, "%s", r->body);
	resp_free(r);
	/* the same text is fine without an engine ... */
	id = mkscript(uniq("raw"), "bash", "none", "\"ok\\n\\n{{ x }\"");
	/* ... and switching it to jinja checks it */
	refused_key("PATCH", path_of(SCRIPTS "%lld/", id), tok,
	    "{\"template_engine\": \"jinja\"}", 400, 10002, "content");
	refused_key("PATCH", path_of(SCRIPTS "%lld/", id), tok,
	    "{\"template_engine\": \"jinja\", \"content\": \"{% if %}\"}", 400,
	    10002, "content");
	r = api("PATCH", path_of(SCRIPTS "%lld/", id), tok,
	    "{\"template_engine\": \"jinja\", \"content\": \"{% if a %}"
	    NONASCII "{% endif %}\"}");
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_str_eq(jstr(r->json, "template_engine"), "jinja");
	resp_free(r);
}
END_TEST

/*
 * Pipes process pid holds (the checker's stdin and stdout are pipes; a
 * worker's database and Redis connections are sockets); -1 if it is gone.
 */
static int
pipes_of(pid_t pid)
{
	char		 path[64], link[400], target[64];
	DIR		*d;
	struct dirent	*e;
	ssize_t		 len;
	int		 n = 0;

	snprintf(path, sizeof(path), "/proc/%d/fd", (int)pid);
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(link, sizeof(link), "%s/%s", path, e->d_name);
		if ((len = readlink(link, target, sizeof(target) - 1)) > 0) {
			target[len] = '\0';
			n += strncmp(target, "pipe:", 5) == 0;
		}
	}
	closedir(d);
	return n;
}

/* Children of pid (running or zombies). */
static int
children_of(pid_t pid)
{
	char	 path[128], *s = NULL;
	size_t	 len = 0;
	FILE	*f;
	int	 n = 0;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/children", (int)pid,
	    (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	if (getline(&s, &len, f) > 0)
		for (char *p = strtok(s, " \n"); p; p = strtok(NULL, " \n"))
			n++;
	free(s);
	fclose(f);
	return n;
}

/*
 * Checks leave nothing behind in the workers: no child (running or a
 * zombie) and no pipe to one.
 */
START_TEST(checks_leave_no_child_or_fd)
{
	pid_t		 master = hangard_master(), kids[HG_MAXKIDS];
	int		 before[HG_MAXKIDS], n, i, k, after;
	const char	*tok = admin_token();

	ck_assert_int_gt(master, 0);
	n = hangard_workers(master, kids);
	ck_assert_int_gt(n, 0);
	for (i = 0; i < n; i++)
		before[i] = pipes_of(kids[i]);
	for (k = 0; k < 4 * n; k++) {
		expect_status(api("POST", SCRIPTS, tok, "{\"name\": \"leak\", "
		    "\"language\": \"bash\", \"content\": \"{{ a }\"}"), 400);
		mkscript(uniq("leak"), "bash", NULL, "\"{{ a }}\"");
	}
	for (i = 0; i < n; i++) {
		if ((after = pipes_of(kids[i])) < 0 || before[i] < 0)
			continue;	/* recycled meanwhile */
		ck_assert_msg(after == before[i], "worker %d: %d pipes, was %d",
		    (int)kids[i], after, before[i]);
		ck_assert_int_eq(children_of(kids[i]), 0);
	}
}
END_TEST

/*
 * A checker that does not answer is killed at jinja_check_timeout (3000
 * ms on the test stack, whose checker hangs on HANGAR-TEST-HANG:
 * t/jinja-check-hang.sh): 503, nothing changed, no child left.
 */
START_TEST(hung_check_is_cut_off)
{
	pid_t		 master = hangard_master(), kids[HG_MAXKIDS];
	const char	*tok = admin_token();
	struct timespec	 t0, t1;
	double		 took;
	long long	 id = mkscript(uniq("hang"), "bash", NULL, "\"x\"");
	struct resp	*r;
	int		 n, i;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	refused_key("POST", SCRIPTS, tok, "{\"name\": \"hang\", \"language\": "
	    "\"bash\", \"content\": \"HANGAR-TEST-HANG {{ x }}\"}", 503, 10012,
	    NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	took = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;
	ck_assert_msg(took >= 2.9 && took < 15, "took %.1f s", took);
	refused_key("PATCH", path_of(SCRIPTS "%lld/", id), tok, "{\"content\": "
	    "\"HANGAR-TEST-HANG\"}", 503, 10012, NULL);
	r = api("PATCH", path_of(SCRIPTS "%lld/", id), tok, "{\"content\": "
	    "\"HANGAR-TEST-HANG\"}");
	ck_assert_msg(strstr(jstr(r->json, "message"), "did not finish within "
	    "3000 ms") != NULL, "%s", r->body);
	resp_free(r);
	n = hangard_workers(master, kids);
	for (i = 0; i < n; i++)
		ck_assert_int_eq(children_of(kids[i]), 0);
	/* the worker goes on serving */
	expect_status(api("GET", path_of(SCRIPTS "%lld/", id), tok, NULL), 200);
}
END_TEST

START_TEST(seed_codes_for_language_and_engine)
{
	const char *tok = admin_token();

	refused_key("POST", SCRIPTS, tok, "{\"name\": \"x\", \"language\": "
	    "\"perl\", \"content\": \"a\"}", 400, 30002, "language");
	refused_key("POST", SCRIPTS, tok, "{\"name\": \"x\", \"language\": "
	    "\"BASH\", \"content\": \"a\"}", 400, 30002, "language");
	refused_key("POST", SCRIPTS, tok, "{\"name\": \"x\", \"language\": 1, "
	    "\"content\": \"a\"}", 400, 30002, "language");
	refused_key("POST", SCRIPTS, tok, "{\"name\": \"x\", \"language\": "
	    "\"bash\", \"template_engine\": \"mako\", \"content\": \"a\"}", 400,
	    30003, "template_engine");
	/* missing is plain validation; two fields at once too */
	refused_key("POST", SCRIPTS, tok, "{\"name\": \"x\", \"content\": "
	    "\"a\"}", 400, 10002, "language");
	refused_key("POST", SCRIPTS, tok, "{\"language\": \"perl\", "
	    "\"content\": \"a\"}", 400, 10002, "name");
	refused_key("PATCH", path_of(SCRIPTS "%lld/", mkscript(uniq("e"),
	    "bash", NULL, "\"a\"")), tok, "{\"template_engine\": \"jinja2\"}",
	    400, 30003, "template_engine");
}
END_TEST

START_TEST(name_unique_30001)
{
	const char	*name = uniq("dup" NONASCII);
	long long	 b;

	mkscript(name, "bash", NULL, "\"a\"");
	refused_key("POST", SCRIPTS, admin_token(), fmt("{\"name\": \"%s\", "
	    "\"language\": \"python\", \"content\": \"b\"}", name), 409, 30001,
	    NULL);
	b = mkscript(uniq("dup"), "bash", NULL, "\"a\"");
	refused_key("PATCH", path_of(SCRIPTS "%lld/", b), admin_token(),
	    fmt("{\"name\": \"%s\"}", name), 409, 30001, NULL);
}
END_TEST

START_TEST(list_and_filters)
{
	const char	*tag = uniq("lst");
	struct resp	*r;
	long long	 a, b, c;

	a = mkscript(fmt("%s-a", tag), "bash", NULL, "\"echo alpha\"");
	b = mkscript(fmt("%s-b", tag), "python", "none", "\"print('beta')\"");
	c = mkscript(fmt("%s-c", tag), "bash", NULL, "\"echo " NONASCII "\"");
	r = api("GET", fmt(SCRIPTS "?name=%s", tag), admin_token(), NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(jint(r->json, "count"), 3);
	ck_assert_int_eq(jint(r->json, "results.0.id"), c);
	ck_assert_int_eq(jint(r->json, "results.2.id"), a);
	expect_script(jpath(r->json, "results.1"), b, fmt("%s-b", tag),
	    "python", "print('beta')", "none");
	resp_free(r);
	r = api("GET", fmt(SCRIPTS "?name=%s&language=bash", tag),
	    admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 2);
	resp_free(r);
	r = api("GET", fmt(SCRIPTS "?name=%s&content=ALPHA&creator=adm", tag),
	    admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	ck_assert_int_eq(jint(r->json, "results.0.id"), a);
	resp_free(r);
	r = api("GET", fmt(SCRIPTS "?name=%s&content=%%E5%%BC%%A0", tag),
	    admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	ck_assert_int_eq(jint(r->json, "results.0.id"), c);
	resp_free(r);
	r = api("GET", fmt(SCRIPTS "?name=%s&creator=nobody", tag),
	    admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 0);
	resp_free(r);
	r = api("GET", fmt(SCRIPTS "?name=%s&page_size=2&page=2", tag),
	    admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 3);
	ck_assert_int_eq(jlen(r->json, "results"), 1);
	ck_assert_ptr_nonnull(jstr(r->json, "prev"));
	resp_free(r);
	r = api("GET", SCRIPTS "?name=%25%5F&content=%27%3B%20DROP", admin_token(),
	    NULL);
	ck_assert_int_eq(r->status, 200);
	ck_assert_int_eq(jint(r->json, "count"), 0);
	resp_free(r);
	expect_error(api("GET", SCRIPTS "?language=perl", admin_token(), NULL),
	    400, 10002, "language");
	expect_error(api("GET", SCRIPTS "?page_size=1001", admin_token(), NULL),
	    400, 10002, NULL);
}
END_TEST

/* ---- change and delete ----------------------------------------------- */

START_TEST(patch_fields_and_audit)
{
	const char	*name = uniq("pat"), *name2 = uniq("pat2-" NONASCII);
	long long	 id = mkscript(name, "bash", NULL, "\"echo 1\"");
	struct resp	*r;
	char		*d;

	r = api_f("PATCH", path_of(SCRIPTS "%lld/", id), admin_token(),
	    "{\"name\": \"%s\", \"language\": \"python\", \"content\": "
	    "\"print({{ n }})\", \"id\": 5}", name2);
	ck_assert_msg(r->status == 200, "%s", r->body);
	expect_script(r->json, id, name2, "python", "print({{ n }})", "jinja");
	resp_free(r);
	d = last_audit("deploy_script", id, "update");
	ck_assert_ptr_nonnull(strstr(d, "language: \"bash\" -> \"python\""));
	ck_assert_ptr_nonnull(strstr(d, "content replaced (6 -> 14 characters)"));
	ck_assert_ptr_nonnull(strstr(d, "name: \""));
	free(d);
	/* an empty PATCH changes nothing and says so */
	r = api("PATCH", path_of(SCRIPTS "%lld/", id), admin_token(), "{}");
	ck_assert_int_eq(r->status, 200);
	expect_script(r->json, id, name2, "python", "print({{ n }})", "jinja");
	resp_free(r);
	d = last_audit("deploy_script", id, "update");
	ck_assert_ptr_nonnull(strstr(d, "no change"));
	free(d);
	refused_key("PATCH", path_of(SCRIPTS "%lld/", id), admin_token(),
	    "{\"content\": \"\"}", 400, 10002, "content");
	refused_key("PATCH", path_of(SCRIPTS "%lld/", id), admin_token(),
	    "{\"name\": null}", 400, 10002, "name");
}
END_TEST

START_TEST(unknown_ids_404)
{
	const char *tok = admin_token();

	refused_key("GET", SCRIPTS "999999999/", tok, NULL, 404, 10008, NULL);
	refused_key("PATCH", SCRIPTS "999999999/", tok, "{\"name\": \"x\"}",
	    404, 10008, NULL);
	refused_key("DELETE", SCRIPTS "999999999/", tok, NULL, 404, 10008,
	    NULL);
	refused_key("GET", SCRIPTS "999999999/applications/", tok, NULL, 404,
	    10008, NULL);
	refused_key("GET", SCRIPTS "abc/", tok, NULL, 404, 10008, NULL);
}
END_TEST

START_TEST(delete_and_in_use)
{
	const char	*tok = admin_token(), *tname = uniq("tpl-uses");
	long long	 id = mkscript(uniq("del"), "bash", NULL, "\"x\""), s, t, a;
	struct resp	*r;
	char		*d;

	expect_status(api("DELETE", path_of(SCRIPTS "%lld/", id), tok, NULL),
	    200);
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM deploy_scripts WHERE "
	    "id = %lld", id)), 0);
	d = last_audit("deploy_script", id, "delete");
	ck_assert_ptr_nonnull(strstr(d, "deleted deploy script"));
	free(d);
	refused_key("DELETE", path_of(SCRIPTS "%lld/", id), tok, NULL, 404,
	    10008, NULL);
	/* used by a template's hook, then by an application's own settings */
	s = mkscript(uniq("inuse"), "bash", NULL, "\"x\"");
	t = mktemplate(tname, fmt("\"lifecycle_hooks\": {\"pre_exec\": "
	    "{\"script\": {\"id\": %lld}}}", s));
	a = mkapp(uniq("app-uses"));
	expect_status(api_f("PATCH", path_of("/application/%lld/deploy-settings/",
	    a), tok, "{\"repository\": " GITREPO ", \"deploy_path\": \"/srv\", "
	    "\"lifecycle_hooks\": {\"post_exec\": {\"script\": %lld}}}", s), 200);
	refused_key("DELETE", path_of(SCRIPTS "%lld/", s), tok, NULL, 409, 10010,
	    NULL);
	r = api("DELETE", path_of(SCRIPTS "%lld/", s), tok, NULL);
	ck_assert_msg(strstr(jstr(r->json, "message"), tname) != NULL &&
	    strstr(jstr(r->json, "message"), "(pre_exec)") != NULL &&
	    strstr(jstr(r->json, "message"), "application \"app-uses") != NULL,
	    "%s", r->body);
	resp_free(r);
	expect_status(api("PATCH", path_of(TPLS "%lld/", t), tok,
	    "{\"lifecycle_hooks\": {\"pre_exec\": null}}"), 200);
	expect_status(api("PATCH", path_of("/application/%lld/deploy-settings/",
	    a), tok, "{\"lifecycle_hooks\": {\"post_exec\": null}}"), 200);
	expect_status(api("DELETE", path_of(SCRIPTS "%lld/", s), tok, NULL),
	    200);
}
END_TEST

START_TEST(applications_using_a_script)
{
	const char	*tok = admin_token();
	long long	 s = mkscript(uniq("used"), "bash", NULL, "\"x\""), t, own,
			 follower, other, uid;
	const char	*utok;
	struct resp	*r;

	own = mkapp(uniq("own"));
	follower = mkapp(uniq("follower"));
	other = mkapp(uniq("other"));
	expect_status(api_f("PATCH", path_of("/application/%lld/deploy-settings/",
	    own), tok, "{\"repository\": " GITREPO ", \"deploy_path\": \"/srv\", "
	    "\"lifecycle_hooks\": {\"global_pre_exec\": {\"script\": {\"id\": "
	    "%lld}}}}", s), 200);
	t = mktemplate(uniq("tpl"), fmt("\"applications\": [{\"id\": %lld}], "
	    "\"lifecycle_hooks\": {\"glboal_post_exec\": {\"running_user\": "
	    "\"work\", \"script\": {\"id\": %lld}}}", follower, s));
	(void)t;
	(void)other;
	r = api("GET", path_of(SCRIPTS "%lld/applications/", s), tok, NULL);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_int_eq(jint(r->json, "count"), 2);
	ck_assert_int_eq(jint(r->json, "results.0.id"), follower);
	ck_assert_int_eq(jint(r->json, "results.1.id"), own);
	ck_assert_ptr_nonnull(jstr(r->json, "results.0.full_name"));
	ck_assert_ptr_nonnull(jpath(r->json, "results.0.available_actions"));
	resp_free(r);
	/* a user sees only the applications it may view */
	utok = user_token(uniq("viewer"), 0, &uid);
	grant_module(uid, "deploy_template", "enable_deploy_template_mgmt");
	grant_module(uid, "application", "enable_app_mgmt");
	grant_app(uid, own, "view_app");
	r = api("GET", path_of(SCRIPTS "%lld/applications/", s), utok, NULL);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	ck_assert_int_eq(jint(r->json, "results.0.id"), own);
	resp_free(r);
}
END_TEST

/* ---- who may --------------------------------------------------------- */

START_TEST(permissions)
{
	long long	 id = mkscript(uniq("perm"), "bash", NULL, "\"x\""), u1,
			 u2, u3;
	const char	*none = user_token(uniq("none"), 0, &u1);
	const char	*reader = user_token(uniq("reader"), 0, &u2);
	const char	*writer = user_token(uniq("writer"), 0, &u3);
	const char	*body = "{\"name\": \"pp\", \"language\": \"bash\", "
	    "\"content\": \"x\"}";
	char		 item[128];
	const char	*tokens[3] = { NULL, none, reader };
	long		 http[3] = { 401, 403, 403 };
	int		 code[3] = { 10005, 10007, 10007 }, i;
	struct resp	*r;

	snprintf(item, sizeof(item), SCRIPTS "%lld/", id);
	grant_module(u2, "deploy_template", "enable_deploy_template_mgmt");
	/* manage_deploy_script without the module's switch is nothing */
	grant_module(u1, "deploy_template", "manage_deploy_script");
	grant_module(u3, "deploy_template", "enable_deploy_template_mgmt");
	grant_module(u3, "deploy_template", "manage_deploy_script");
	for (i = 0; i < 3; i++) {
		if (i < 2) {
			refused_key("GET", SCRIPTS, tokens[i], NULL, http[i],
			    code[i], NULL);
			refused_key("GET", item, tokens[i], NULL, http[i],
			    code[i], NULL);
			refused_key("GET", fmt("%sapplications/", item),
			    tokens[i], NULL, http[i], code[i], NULL);
		}
		refused_key("POST", SCRIPTS, tokens[i], body, http[i], code[i],
		    NULL);
		refused_key("PATCH", item, tokens[i], "{\"name\": \"q\"}",
		    http[i], code[i], NULL);
		refused_key("DELETE", item, tokens[i], NULL, http[i], code[i],
		    NULL);
	}
	expect_status(api("GET", SCRIPTS, reader, NULL), 200);
	expect_status(api("GET", item, reader, NULL), 200);
	r = api_f("POST", SCRIPTS, writer, "{\"name\": \"%s\", \"language\": "
	    "\"bash\", \"content\": \"x\"}", uniq("w"));
	ck_assert_msg(r->status == 201, "%s", r->body);
	ck_assert_str_ne(jstr(r->json, "creator"), "admin");
	resp_free(r);
	expect_status(api("PATCH", item, writer, "{\"content\": \"y\"}"), 200);
	expect_status(api("DELETE", item, writer, NULL), 200);
}
END_TEST

/* ---- bad input ------------------------------------------------------- */

START_TEST(create_bad_input)
{
	static const struct field_spec f[] = {
		{ "name", 1, "string", 128, NULL },
		{ "content", 1, "string", 0, NULL },
	};

	bad_input_battery("POST", SCRIPTS, admin_token(), "{\"name\": \"bi\", "
	    "\"language\": \"bash\", \"content\": \"echo\"}", f,
	    sizeof(f) / sizeof(f[0]), DTABLES);
	refused_key("POST", SCRIPTS, admin_token(), "{\"name\": \"a\\u0001b\", "
	    "\"language\": \"bash\", \"content\": \"echo\"}", 400, 10002, "name");
	refused_key("POST", SCRIPTS, admin_token(), "[]", 400, 10002, NULL);
}
END_TEST

START_TEST(patch_bad_input)
{
	static const struct field_spec f[] = {
		{ "name", 0, "string", 128, NULL },
		{ "content", 0, "string", 0, NULL },
	};
	long long id = mkscript(uniq("pbi"), "bash", NULL, "\"x\"");

	bad_input_battery("PATCH", path_of(SCRIPTS "%lld/", id), admin_token(),
	    "{\"name\": \"pbi2\"}", f, sizeof(f) / sizeof(f[0]), DTABLES);
}
END_TEST

START_TEST(audit_listing)
{
	const char	*name = uniq("aud");
	long long	 id = mkscript(name, "bash", NULL, "\"x\"");
	struct resp	*r;

	expect_status(api("DELETE", path_of(SCRIPTS "%lld/", id), admin_token(),
	    NULL), 200);
	r = api("GET", fmt("/audit/deploy-script-operations/?script_name=%s",
	    name), admin_token(), NULL);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_int_eq(jint(r->json, "count"), 2);
	ck_assert_str_eq(jstr(r->json, "results.0.op_type"), "delete");
	ck_assert_str_eq(jstr(r->json, "results.1.op_type"), "add");
	ck_assert_str_eq(jstr(r->json, "results.0.script_name"), name);
	ck_assert_str_eq(jstr(r->json, "results.0.operator"), "admin");
	resp_free(r);
	r = api("GET", fmt("/audit/deploy-script-operations/?script_name=%s&"
	    "op_type=add", name), admin_token(), NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	resp_free(r);
}
END_TEST

static TCase *
tc_scripts(void)
{
	TCase *tc = tcase_create("deploy_scripts");

	tcase_set_timeout(tc, 300);
	tcase_add_test(tc, create_every_field);
	tcase_add_test(tc, jinja_syntax_error_names_line);
	tcase_add_test(tc, checks_leave_no_child_or_fd);
	tcase_add_test(tc, hung_check_is_cut_off);
	tcase_add_test(tc, seed_codes_for_language_and_engine);
	tcase_add_test(tc, name_unique_30001);
	tcase_add_test(tc, list_and_filters);
	tcase_add_test(tc, patch_fields_and_audit);
	tcase_add_test(tc, unknown_ids_404);
	tcase_add_test(tc, delete_and_in_use);
	tcase_add_test(tc, applications_using_a_script);
	tcase_add_test(tc, permissions);
	tcase_add_test(tc, create_bad_input);
	tcase_add_test(tc, patch_bad_input);
	tcase_add_test(tc, audit_listing);
	return tc;
}

int
main(void)
{
	static TCase *(*const cases[])(void) = { tc_scripts };

	return run_suite("deploy_scripts", cases, 1) ? 1 : 0;
}

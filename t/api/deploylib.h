/*
 * deploylib.h -- what the deploy configuration tests share
 * (test_deploy_scripts.c, test_deploy_templates.c,
 * test_deploy_settings.c): making scripts, templates, applications and
 * users with grants, and refusals checked down to the errors key that
 * names a nested field ("repository.url", which jpath would split).
 *
 * Header-only (static functions), as authlib.h, which it includes.
 */
#ifndef HG_TEST_DEPLOYLIB_H
#define HG_TEST_DEPLOYLIB_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authlib.h"

/* Every table a deploy configuration request may change. */
#define DTABLES	"deploy_scripts,deploy_templates,deploy_configs," \
		"deploy_config_hooks,deploy_template_apps,credentials," \
		"audit_log,applications"
#define SCRIPTS	"/application/deploy-scripts/"
#define TPLS	"/application/deploy-templates/"
#define SQLI	"'; DROP TABLE users; --"
#define NONASCII "\xe5\xbc\xa0\xe4\xb8\x89"	/* 张三 */
/* Every secret these tests send contains MARK, so logs can be searched. */
#define MARK	"TOPSECRET-DEPLOY-"
#define GITREPO	"{\"type\": \"GIT\", \"url\": \"https://git.example.com/a.git\", " \
		"\"branch\": \"release\"}"

static UNUSED long long
mkscript(const char *name, const char *lang, const char *engine,
    const char *content_json)
{
	if (engine == NULL)
		return api_create(SCRIPTS, "{\"name\": \"%s\", \"language\": "
		    "\"%s\", \"content\": %s}", name, lang, content_json);
	return api_create(SCRIPTS, "{\"name\": \"%s\", \"language\": \"%s\", "
	    "\"template_engine\": \"%s\", \"content\": %s}", name, lang, engine,
	    content_json);
}

/* A template with a GIT repository, deploy_path /srv/app and extra fields. */
static UNUSED long long
mktemplate(const char *name, const char *extra)
{
	return api_create(TPLS, "{\"name\": \"%s\", \"repository\": " GITREPO
	    ", \"deploy_path\": \"/srv/app\"%s%s}", name, extra ? ", " : "",
	    extra ? extra : "");
}

static UNUSED long long
mkapp(const char *name)
{
	return api_create("/applications/", "{\"name\": \"%s\"}", name);
}

static UNUSED void
grant_module(long long uid, const char *module, const char *perm)
{
	db_exec(fmt("INSERT INTO module_grants VALUES ('user', %lld, '%s', "
	    "'%s')", uid, module, perm));
}

static UNUSED void
grant_app(long long uid, long long app, const char *perm)
{
	db_exec(fmt("INSERT INTO resource_grants VALUES ('user', %lld, "
	    "'application', %lld, '%s')", uid, app, perm));
}

/* Does the error body of r name key (exactly, dots and all) in errors? */
static UNUSED int
names_key(struct resp *r, const char *key)
{
	json_object *e;

	return r->json != NULL && json_object_object_get_ex(r->json, "errors",
	    &e) && json_object_object_get_ex(e, key, NULL);
}

/*
 * method path body as token must fail with http and code, errors naming
 * key when key is set, and the deploy tables must be unchanged.
 */
#define refused_key(method, path, token, body, http, code, key) \
	refused_key_at(__LINE__, method, path, token, body, http, code, key)
static UNUSED void
refused_key_at(int line, const char *method, const char *path,
    const char *token, const char *body, long http, int code,
    const char *key)
{
	char		*before = db_fingerprint(DTABLES), *after;
	struct resp	*r = api(method, path, token, body);

	ck_assert_msg(r->status == http && r->json != NULL &&
	    jint(r->json, "error_code") == code, "line %d: %s %s %s: want %ld "
	    "%d, got %ld %s", line, method, path, body ? body : "", http, code,
	    r->status, r->body);
	ck_assert_msg(key == NULL || names_key(r, key), "line %d: errors does "
	    "not name %s: %s", line, key, r->body);
	ck_assert_msg(jstr(r->json, "message") != NULL, "line %d: no message",
	    line);
	resp_free(r);
	after = db_fingerprint(DTABLES);
	ck_assert_msg(strcmp(before, after) == 0, "line %d: %s %s %s changed "
	    "the database", line, method, path, body ? body : "");
	free(before);
	free(after);
}

/* The last audit row of kind about target id: op_type and detail. */
static UNUSED char *
last_audit(const char *kind, long long id, const char *op)
{
	return db_str(fmt("SELECT op_detail FROM audit_log WHERE kind = '%s' "
	    "AND target_id = %lld AND op_type = '%s' ORDER BY id DESC LIMIT 1",
	    kind, id, op));
}

#endif

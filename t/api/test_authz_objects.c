/*
 * test_authz_objects.c -- permission checks on the objects a request BODY
 * names (issue 4's gaps), and the credential and cloud-account audit
 * listings.
 *
 * The route table checks the object of the path; these tests check that
 * the applications, hosts and productions named in bodies are checked
 * too: edit_app where another application's row changes, view_app where
 * one is merely referenced, view_host on the hosts of instances, and that
 * an object the caller may not view is refused byte for byte like one that
 * does not exist.  Every refusal leaves the tables as they were.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "authlib.h"

#define TABLES	"applications,app_dependencies,app_instances,hosts," \
		"productions,audit_log"
#define SQLI	"'; DROP TABLE users; --"
#define NONASCII "\xe5\xbc\xa0\xe4\xb8\x89"	/* 张三 */

#define unchanged(before)	db_unchanged((before), TABLES)

/* A root application written with SQL. */
static long long
mkapp(const char *name)
{
	return db_insert(fmt("INSERT INTO applications (name, full_name) VALUES "
	    "('%s', '%s')", sqlq(name), sqlq(name)));
}

static long long
mkhost(const char *name, const char *status)
{
	return db_insert(fmt("INSERT INTO hosts (name, host_type, status, "
	    "os_status) VALUES ('%s', 'ALI_ECS', '%s', 'stopped')", sqlq(name),
	    status));
}

static long long
mkprod(void)
{
	return db_insert(fmt("INSERT INTO productions (name) VALUES ('%s')",
	    sqlq(uniq("ao-prod"))));
}

/*
 * Grant (on) or revoke a module permission through the API: hangard's
 * authentication cache sees a commit, not hand-run SQL.
 */
static void
module_set(long long uid, const char *module, const char *perm, int on)
{
	struct resp *r;

	r = api_f("POST", fmt("/users/%lld/system/perms/", uid), admin_token(),
	    "{\"module_name\": \"%s\", \"permissions\": {\"%s\": %s}}", module,
	    perm, on ? "true" : "false");
	ck_assert_msg(r->status == 200, "%s", r->body);
	resp_free(r);
}

static void
grant_m(long long uid, const char *module, const char *perm)
{
	module_set(uid, module, perm, 1);
}

static void
grant_o(long long uid, const char *type, long long id, const char *perm)
{
	db_exec(fmt("INSERT IGNORE INTO resource_grants VALUES ('user', %lld, "
	    "'%s', %lld, '%s')", uid, type, id, perm));
}

/* A user with the application module's switch and no other grant. */
static const char *
app_user(long long *uid)
{
	const char *tok = user_token(uniq("ao-user"), 0, uid);

	grant_m(*uid, "application", "enable_app_mgmt");
	return tok;
}

/* An id no application (or host) has. */
static long long
missing_id(const char *table)
{
	return db_int(fmt("SELECT COALESCE(MAX(id), 0) + 100000 FROM %s",
	    table));
}

static long long
parent_of(long long app)
{
	return db_int(fmt("SELECT COALESCE(parent_id, 0) FROM applications "
	    "WHERE id = %lld", app));
}

/*
 * r is exactly the refusal of a body item that names nothing: 400, 10002,
 * errors naming field with why, and the message built from both.  Frees r.
 */
static void
expect_missing(struct resp *r, const char *field, const char *why)
{
	json_object	*errors, *v;
	char		 msg[512];

	ck_assert_msg(r->status == 400, "%ld %s", r->status, r->body);
	ck_assert_int_eq(jint(r->json, "error_code"), 10002);
	snprintf(msg, sizeof(msg), "validation failed: %s %s", field, why);
	ck_assert_str_eq(jstr(r->json, "message"), msg);
	ck_assert(json_object_object_get_ex(r->json, "errors", &errors));
	ck_assert_int_eq(json_object_object_length(errors), 1);
	ck_assert_msg(json_object_object_get_ex(errors, field, &v), "%s",
	    r->body);
	ck_assert_str_eq(json_object_get_string(v), why);
	resp_free(r);
}

static void
expect_no_app(struct resp *r, const char *field, long long id)
{
	expect_missing(r, field, fmt("no application with id %lld", id));
}

/* Two answers with the same status and the very same body; frees both. */
static void
expect_same(struct resp *a, struct resp *b)
{
	ck_assert_int_eq(a->status, b->status);
	ck_assert_str_eq(a->body, b->body);
	resp_free(a);
	resp_free(b);
}

/* ---- instances: the hosts a body names -------------------------------- */

START_TEST(instance_hidden_host_is_missing)
{
	long long	 uid, app = mkapp(uniq("ao-inst")), hv, hh, hm;
	const char	*tok = app_user(&uid);
	const char	*vname = uniq("ao-hv" SQLI NONASCII);
	const char	*hname = uniq("ao-hh" NONASCII);
	const char	*path;
	struct resp	*r, *m;
	char		*before, *s;

	hv = mkhost(vname, "inited");
	hh = mkhost(hname, "inited");
	hm = missing_id("hosts");
	grant_o(uid, "application", app, "view_app");
	grant_o(uid, "application", app, "edit_app");
	grant_m(uid, "resource", "enable_host_mgmt");
	grant_o(uid, "host", hv, "view_host");
	path = fmt("/applications/%lld/instances/", app);
	before = db_fingerprint(TABLES);
	/* by id, by name, and by both: hidden is exactly missing */
	r = api_f("POST", path, tok, "[{\"hostid\": %lld}]", hh);
	m = api_f("POST", path, tok, "[{\"hostid\": %lld}]", hm);
	ck_assert_str_eq(r->body, m->body);
	expect_missing(r, "[0].hostid", "no such host");
	expect_missing(m, "[0].hostid", "no such host");
	expect_same(api_f("POST", path, tok, "[{\"hostname\": \"%s\"}]", hname),
	    api("POST", path, tok, "[{\"hostname\": \"no-such-ao-host\"}]"));
	expect_missing(api_f("POST", path, tok, "[{\"hostname\": \"%s\"}]",
	    hname), "[0].hostname", "no such host");
	/* a wrong name beside a hidden id must not reveal the real name */
	expect_same(api_f("POST", path, tok, "[{\"hostid\": %lld, \"hostname\": "
	    "\"x\"}]", hh), api_f("POST", path, tok, "[{\"hostid\": %lld, "
	    "\"hostname\": \"x\"}]", hm));
	/* the hidden host second, after a good one: all or nothing */
	expect_missing(api_f("POST", path, tok, "[{\"hostid\": %lld}, "
	    "{\"hostid\": %lld}]", hv, hh), "[1].hostid", "no such host");
	/* view_host without the host module's switch counts for nothing */
	module_set(uid, "resource", "enable_host_mgmt", 0);
	expect_missing(api_f("POST", path, tok, "[{\"hostid\": %lld}]", hv),
	    "[0].hostid", "no such host");
	unchanged(before);
	grant_m(uid, "resource", "enable_host_mgmt");
	/* a host it may view: attached, its name exactly as stored */
	r = api_f("POST", path, tok, "[{\"hostid\": %lld}]", hv);
	ck_assert_msg(r->status == 201, "%s", r->body);
	ck_assert_int_eq(jlen(r->json, NULL), 1);
	ck_assert_int_eq(jkeys(r->json, "0"), 5);
	ck_assert_int_eq(jint(r->json, "0.id"), db_int(fmt("SELECT id FROM "
	    "app_instances WHERE app_id = %lld AND host_id = %lld", app, hv)));
	ck_assert_int_eq(jint(r->json, "0.hostid"), hv);
	ck_assert_str_eq(jstr(r->json, "0.hostname"), vname);
	ck_assert_str_eq(jstr(r->json, "0.status"), "stopped");
	ck_assert_str_eq(jstr(r->json, "0.version"), "");
	resp_free(r);
	s = db_str(fmt("SELECT status FROM hosts WHERE id = %lld", hv));
	ck_assert_str_eq(s, "attached");
	free(s);
	/* module-wide manage_host sees every host: by name too */
	grant_m(uid, "resource", "manage_host");
	r = api_f("POST", path, tok, "[{\"hostname\": \"%s\"}]", hname);
	ck_assert_msg(r->status == 201, "%s", r->body);
	ck_assert_int_eq(jint(r->json, "0.hostid"), hh);
	ck_assert_str_eq(jstr(r->json, "0.hostname"), hname);
	resp_free(r);
}
END_TEST

/* POST and DELETE [{"id": hidden}] and [{"id": missing}] to path: the same. */
static void
hidden_is_missing(const char *path, const char *tok, long long hidden,
    long long missing)
{
	long long	ids[2] = { hidden, missing };
	int		i;

	for (i = 0; i < 2; i++) {
		expect_no_app(api_f("POST", path, tok, "[{\"id\": %lld}]",
		    ids[i]), "[0].id", ids[i]);
		expect_no_app(api_f("DELETE", path, tok, "[{\"id\": %lld}]",
		    ids[i]), "[0].id", ids[i]);
	}
}

/* ---- child applications ------------------------------------------------ */

START_TEST(child_apps_need_edit_and_view)
{
	long long	 uid, p = mkapp(uniq("ao-p" NONASCII));
	long long	 ce = mkapp(uniq("ao-ce")), cv = mkapp(uniq("ao-cv"));
	long long	 ch = mkapp(uniq("ao-ch")), cm = missing_id("applications");
	const char	*tok = app_user(&uid), *path;
	struct resp	*r;
	char		*before;

	grant_o(uid, "application", p, "view_app");
	grant_o(uid, "application", p, "edit_app");
	grant_o(uid, "application", ce, "view_app");
	grant_o(uid, "application", ce, "edit_app");
	grant_o(uid, "application", cv, "view_app");
	path = fmt("/applications/%lld/child-apps/", p);
	before = db_fingerprint(TABLES);
	/* hidden is exactly missing, for POST and for DELETE */
	hidden_is_missing(path, tok, ch, cm);
	/* visible but not editable: its row would change */
	r = api_f("POST", path, tok, "[{\"id\": %lld}, {\"id\": %lld}]", ce, cv);
	ck_assert_str_eq(jstr(r->json, "message"), fmt("permission denied: "
	    "edit_app on application %lld needed to move it", cv));
	expect_error(r, 403, 10007, NULL);
	expect_no_app(api_f("PATCH", fmt("/applications/%lld/", p), tok,
	    "{\"child_apps\": [{\"id\": %lld}]}", ch), "child_apps[0]", ch);
	unchanged(before);
	/* editable: moved, with its audit row */
	r = api_f("POST", path, tok, "[{\"id\": %lld}]", ce);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_int_eq(jlen(r->json, NULL), 1);
	ck_assert_int_eq(jint(r->json, "0.id"), ce);
	ck_assert_int_eq(jint(r->json, "0.parent_app"), p);
	resp_free(r);
	ck_assert_int_eq(parent_of(ce), p);
	/* the admin puts the hidden and the view-only ones under p */
	expect_status(api_f("POST", path, admin_token(), "[{\"id\": %lld}, "
	    "{\"id\": %lld}]", ch, cv), 200);
	before = db_fingerprint(TABLES);
	/* detaching (by DELETE or by a PATCH that leaves them out) needs edit */
	r = api_f("DELETE", path, tok, "[{\"id\": %lld}]", cv);
	ck_assert_str_eq(jstr(r->json, "message"), fmt("permission denied: "
	    "edit_app on application %lld needed to detach it", cv));
	expect_error(r, 403, 10007, NULL);
	expect_error(api_f("DELETE", path, tok, "[{\"id\": %lld}]", ch), 403,
	    10007, NULL);
	r = api_f("PATCH", fmt("/applications/%lld/", p), tok,
	    "{\"child_apps\": [{\"id\": %lld}, {\"id\": %lld}]}", ce, cv);
	ck_assert_str_eq(jstr(r->json, "message"), fmt("permission denied: "
	    "edit_app on application %lld needed to detach it", ch));
	expect_error(r, 403, 10007, NULL);
	unchanged(before);
	/* children already there may be named (the object shows their ids) */
	r = api_f("PATCH", fmt("/applications/%lld/", p), tok,
	    "{\"child_apps\": [{\"id\": %lld}, {\"id\": %lld}, {\"id\": %lld}], "
	    "\"description\": \"%s\"}", ce, cv, ch, SQLI NONASCII);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_str_eq(jstr(r->json, "description"), SQLI NONASCII);
	ck_assert_int_eq(jlen(r->json, "child_apps"), 3);
	resp_free(r);
	ck_assert_int_eq(parent_of(ch), p);
	ck_assert_int_eq(parent_of(cv), p);
}
END_TEST

START_TEST(parent_app_needs_view)
{
	long long	 uid, a = mkapp(uniq("ao-a")), pv = mkapp(uniq("ao-pv"));
	long long	 ph = mkapp(uniq("ao-ph")), pm = missing_id("applications");
	const char	*tok = app_user(&uid), *name = uniq("ao-new" NONASCII);
	struct resp	*r;
	char		*before;

	grant_m(uid, "application", "create_app");
	grant_o(uid, "application", a, "view_app");
	grant_o(uid, "application", a, "edit_app");
	grant_o(uid, "application", pv, "view_app");
	before = db_fingerprint(TABLES);
	expect_no_app(api_f("POST", "/applications/", tok, "{\"name\": \"%s\", "
	    "\"parent_app\": %lld}", name, ph), "parent_app", ph);
	expect_no_app(api_f("POST", "/applications/", tok, "{\"name\": \"%s\", "
	    "\"parent_app\": %lld}", name, pm), "parent_app", pm);
	expect_no_app(api_f("PATCH", fmt("/applications/%lld/", a), tok,
	    "{\"parent_app\": %lld}", ph), "parent_app", ph);
	expect_no_app(api_f("PATCH", fmt("/applications/%lld/", a), tok,
	    "{\"parent_app\": %lld}", pm), "parent_app", pm);
	/* a new child of an application it may see: the hidden one as child */
	expect_no_app(api_f("POST", "/applications/", tok, "{\"name\": \"%s\", "
	    "\"child_apps\": [{\"id\": %lld}]}", name, ph), "child_apps[0]", ph);
	unchanged(before);
	/* a parent it may view (view is enough: the parent's row stays) */
	r = api_f("POST", "/applications/", tok, "{\"name\": \"%s\", "
	    "\"parent_app\": %lld}", name, pv);
	ck_assert_msg(r->status == 201, "%s", r->body);
	ck_assert_int_eq(jint(r->json, "parent_app"), pv);
	ck_assert_str_eq(jstr(r->json, "name"), name);
	resp_free(r);
	r = api_f("PATCH", fmt("/applications/%lld/", a), tok,
	    "{\"parent_app\": %lld}", pv);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_int_eq(jint(r->json, "parent_app"), pv);
	resp_free(r);
	/* under a hidden parent, sending the parent back unchanged is fine */
	expect_status(api_f("PATCH", fmt("/applications/%lld/", a),
	    admin_token(), "{\"parent_app\": %lld}", ph), 200);
	r = api_f("PATCH", fmt("/applications/%lld/", a), tok,
	    "{\"parent_app\": %lld, \"description\": \"kept\"}", ph);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_int_eq(jint(r->json, "parent_app"), ph);
	ck_assert_str_eq(jstr(r->json, "description"), "kept");
	resp_free(r);
}
END_TEST

/* ---- required applications --------------------------------------------- */

START_TEST(required_apps_need_view)
{
	long long	 uid, a = mkapp(uniq("ao-ra")), rv = mkapp(uniq("ao-rv"));
	long long	 rh = mkapp(uniq("ao-rh")), rm = missing_id("applications");
	const char	*tok = app_user(&uid), *path;
	struct resp	*r;
	char		*before;

	grant_o(uid, "application", a, "view_app");
	grant_o(uid, "application", a, "edit_app");
	grant_o(uid, "application", rv, "view_app");
	path = fmt("/applications/%lld/required-apps/", a);
	before = db_fingerprint(TABLES);
	hidden_is_missing(path, tok, rh, rm);
	expect_no_app(api_f("PATCH", fmt("/applications/%lld/", a), tok,
	    "{\"required_apps\": [{\"id\": %lld}, {\"id\": %lld}]}", rv, rh),
	    "required_apps[1]", rh);
	unchanged(before);
	/* view is enough to require it: its row does not change */
	r = api_f("POST", path, tok, "[{\"id\": %lld}]", rv);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_int_eq(jint(r->json, "0.id"), rv);
	resp_free(r);
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM app_dependencies "
	    "WHERE app_id = %lld AND required_id = %lld", a, rv)), 1);
	/* a dependency the admin made on a hidden one: named, it is known */
	expect_status(api_f("POST", path, admin_token(), "[{\"id\": %lld}]", rh),
	    200);
	expect_status(api_f("PATCH", fmt("/applications/%lld/", a), tok,
	    "{\"required_apps\": [{\"id\": %lld}, {\"id\": %lld}]}", rv, rh),
	    200);
	expect_status(api_f("DELETE", path, tok, "[{\"id\": %lld}]", rh), 200);
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM app_dependencies "
	    "WHERE app_id = %lld", a)), 1);
}
END_TEST

/* ---- productions --------------------------------------------------------- */

START_TEST(production_apps_need_edit_and_view)
{
	long long	 uid, prod = mkprod(), ae = mkapp(uniq("ao-pe"));
	long long	 av = mkapp(uniq("ao-pv")), ah = mkapp(uniq("ao-ph"));
	long long	 am = missing_id("applications");
	const char	*tok = app_user(&uid), *path;
	struct resp	*r;
	char		*before, *pname;

	grant_m(uid, "resource", "enable_business_mgmt");
	grant_m(uid, "resource", "add_business");
	grant_o(uid, "application", ae, "view_app");
	grant_o(uid, "application", ae, "edit_app");
	grant_o(uid, "application", av, "view_app");
	path = fmt("/productions/%lld/applications/", prod);
	before = db_fingerprint(TABLES);
	expect_no_app(api_f("POST", path, tok, "[{\"id\": %lld}]", ah), "[0].id",
	    ah);
	expect_no_app(api_f("POST", path, tok, "[{\"id\": %lld}]", am), "[0].id",
	    am);
	/* DELETE of one not in the production is ignored, unless hidden */
	expect_no_app(api_f("DELETE", path, tok, "[{\"id\": %lld}]", ah),
	    "[0].id", ah);
	expect_no_app(api_f("DELETE", path, tok, "[{\"id\": %lld}]", am),
	    "[0].id", am);
	r = api_f("POST", path, tok, "[{\"id\": %lld}, {\"id\": %lld}]", ae, av);
	pname = db_str(fmt("SELECT name FROM productions WHERE id = %lld", prod));
	ck_assert_str_eq(jstr(r->json, "message"), fmt("permission denied: "
	    "edit_app on application %lld needed to move it into production "
	    "\"%s\" (id %lld)", av, pname, prod));
	free(pname);
	expect_error(r, 403, 10007, NULL);
	unchanged(before);
	expect_status(api_f("POST", path, tok, "[{\"id\": %lld}]", ae), 200);
	ck_assert_int_eq(db_int(fmt("SELECT production_id FROM applications "
	    "WHERE id = %lld", ae)), prod);
	/* out again: the view-only one the admin put in stays */
	expect_status(api_f("POST", path, admin_token(), "[{\"id\": %lld}]", av),
	    200);
	before = db_fingerprint(TABLES);
	expect_error(api_f("DELETE", path, tok, "[{\"id\": %lld}]", av), 403,
	    10007, NULL);
	unchanged(before);
	expect_status(api_f("DELETE", path, tok, "[{\"id\": %lld}]", ae), 200);
	ck_assert_int_eq(db_int(fmt("SELECT production_id IS NULL FROM "
	    "applications WHERE id = %lld", ae)), 1);
}
END_TEST

START_TEST(production_field_needs_add_business)
{
	long long	 uid, prod = mkprod(), a = mkapp(uniq("ao-pf"));
	const char	*tok = app_user(&uid), *name = uniq("ao-pfn");
	struct resp	*r;
	char		*before;

	grant_m(uid, "application", "create_app");
	grant_o(uid, "application", a, "view_app");
	grant_o(uid, "application", a, "edit_app");
	before = db_fingerprint(TABLES);
	r = api_f("PATCH", fmt("/applications/%lld/", a), tok,
	    "{\"production\": %lld}", prod);
	ck_assert_str_eq(jstr(r->json, "message"), "permission denied: "
	    "resource.add_business needed to change the production of an "
	    "application");
	expect_error(r, 403, 10007, NULL);
	/* not even an unknown production is told apart */
	expect_error(api_f("PATCH", fmt("/applications/%lld/", a), tok,
	    "{\"production\": %lld}", missing_id("productions")), 403, 10007,
	    NULL);
	expect_error(api_f("POST", "/applications/", tok, "{\"name\": \"%s\", "
	    "\"production\": %lld}", name, prod), 403, 10007, NULL);
	/* the add_business it needs counts only with its switch */
	grant_m(uid, "resource", "add_business");
	expect_error(api_f("PATCH", fmt("/applications/%lld/", a), tok,
	    "{\"production\": %lld}", prod), 403, 10007, NULL);
	unchanged(before);
	/* sending the current value back changes nothing and needs nothing */
	expect_status(api_f("PATCH", fmt("/applications/%lld/", a), tok,
	    "{\"production\": null, \"description\": \"d\"}"), 200);
	grant_m(uid, "resource", "enable_business_mgmt");
	r = api_f("PATCH", fmt("/applications/%lld/", a), tok,
	    "{\"production\": %lld}", prod);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_int_eq(jint(r->json, "production"), prod);
	resp_free(r);
	r = api_f("POST", "/applications/", tok, "{\"name\": \"%s\", "
	    "\"production\": %lld}", name, prod);
	ck_assert_msg(r->status == 201, "%s", r->body);
	ck_assert_int_eq(jint(r->json, "production"), prod);
	resp_free(r);
}
END_TEST

/* ---- credential and cloud-account audit listings ------------------------- */

/* Every field of an audit row in a listing. */
static void
expect_op(json_object *o, long long id, const char *namekey, const char *name,
    const char *op, const char *detail)
{
	ck_assert_int_eq(jkeys(o, NULL), 6);
	ck_assert_int_eq(jint(o, "id"), id);
	ck_assert_str_eq(jstr(o, namekey), name);
	ck_assert_str_eq(jstr(o, "op_type"), op);
	ck_assert_str_eq(jstr(o, "op_detail"), detail);
	ck_assert_str_eq(jstr(o, "operator"), "admin");
	expect_recent(o, "op_time");
}

/* s %-encoded for a query string, in one of 4 rotating buffers. */
static const char *
urlenc(const char *s)
{
	static char	 buf[4][1536];
	static int	 n;
	char		*b = buf[n++ % 4], *p = b;

	for (; *s != '\0' && p < b + sizeof(buf[0]) - 4; s++) {
		if ((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') ||
		    (*s >= '0' && *s <= '9') || *s == '-' || *s == '_')
			*p++ = *s;
		else
			p += sprintf(p, "%%%02X", (unsigned char)*s);
	}
	*p = '\0';
	return b;
}

/* GET list?namekey=name&extra: 200, and its count. */
static long long
count_of(const char *list, const char *namekey, const char *name,
    const char *extra)
{
	struct resp	*r = api("GET", fmt("%s?%s=%s%s", list, namekey,
			    urlenc(name), extra), admin_token(), NULL);
	long long	 n;

	ck_assert_msg(r->status == 200, "%s", r->body);
	n = jint(r->json, "count");
	ck_assert_int_eq(jlen(r->json, "results"), n);
	resp_free(r);
	return n;
}

/*
 * One listing: the admin adds, updates and deletes one object named name
 * (unique, with SQL metacharacters and non-ASCII); the listing filtered by
 * that name shows exactly its three rows, newest first, every field; each
 * filter narrows as it should; refusals change nothing.
 */
static void
audit_listing(const char *list, const char *kind, const char *namekey,
    const char *name, const char *ops_path, const char *create_body,
    const char *patch_body)
{
	static const char *const ops[3] = { "add", "update", "delete" };
	struct resp	*r;
	long long	 uid, obj, ids[3];
	const char	*tok = user_token(uniq("ao-aud"), 0, &uid);
	char		*before, *detail[3];
	int		 k;

	r = api("POST", ops_path, admin_token(), create_body);
	ck_assert_msg(r->status == 201, "%s", r->body);
	obj = jint(r->json, "id");
	resp_free(r);
	expect_status(api("PATCH", fmt("%s%lld/", ops_path, obj), admin_token(),
	    patch_body), 200);
	expect_status(api("DELETE", fmt("%s%lld/", ops_path, obj), admin_token(),
	    NULL), 200);
	for (k = 0; k < 3; k++) {
		ids[k] = db_int(fmt("SELECT id FROM audit_log WHERE kind = '%s' "
		    "AND target_id = %lld AND op_type = '%s'", kind, obj, ops[k]));
		detail[k] = db_str(fmt("SELECT op_detail FROM audit_log WHERE "
		    "id = %lld", ids[k]));
		ck_assert_ptr_nonnull(strstr(detail[k], name));
	}
	r = api("GET", fmt("%s?%s=%s", list, namekey, urlenc(name)),
	    admin_token(), NULL);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_int_eq(jint(r->json, "count"), 3);
	ck_assert_int_eq(jlen(r->json, "results"), 3);
	ck_assert(jnull(r->json, "next") && jnull(r->json, "prev"));
	for (k = 0; k < 3; k++)
		expect_op(jpath(r->json, fmt("results.%d", 2 - k)), ids[k],
		    namekey, name, ops[k], detail[k]);
	resp_free(r);
	/* each filter, with the name to keep to these rows */
	ck_assert_int_eq(count_of(list, namekey, name, "&operator=ADM"), 3);
	ck_assert_int_eq(count_of(list, namekey, name, "&operator=nobody"), 0);
	ck_assert_int_eq(count_of(list, namekey, name, "&op_time__gt=2000-01-01"
	    "&op_time__lt=2999-12-31"), 3);
	ck_assert_int_eq(count_of(list, namekey, name, "&op_time__lt=2000-01-01"),
	    0);
	ck_assert_int_eq(count_of(list, namekey, name, "&op_time__gt=2999-01-01"),
	    0);
	for (k = 0; k < 3; k++) {
		r = api("GET", fmt("%s?%s=%s&op_type=%s", list, namekey,
		    urlenc(name), ops[k]), admin_token(), NULL);
		ck_assert_int_eq(jint(r->json, "count"), 1);
		ck_assert_int_eq(jint(r->json, "results.0.id"), ids[k]);
		resp_free(r);
		r = api("GET", fmt("%s?op_detail=%s", list, urlenc(detail[k])),
		    admin_token(), NULL);
		ck_assert_int_eq(jint(r->json, "count"), 1);
		ck_assert_int_eq(jint(r->json, "results.0.id"), ids[k]);
		resp_free(r);
		free(detail[k]);
	}
	/* % and _ are taken literally */
	ck_assert_int_eq(count_of(list, namekey, "ao-aud-obj%", ""), 0);
	/* who may: superusers only; bad filters are 400 */
	before = db_fingerprint("audit_log");
	expect_error(api("GET", list, NULL, NULL), 401, 10005, NULL);
	expect_error(api("GET", list, tok, NULL), 403, 10007, NULL);
	expect_error(api("GET", fmt("%s?op_type=bogus", list), admin_token(),
	    NULL), 400, 10002, "op_type");
	expect_error(api("GET", fmt("%s?op_time__gt=yesterday", list),
	    admin_token(), NULL), 400, 10002, "op_time__gt");
	expect_error(api("GET", fmt("%s?page_size=1001", list), admin_token(),
	    NULL), 400, 10002, NULL);
	db_unchanged(before, "audit_log");
}

START_TEST(credential_operations_listed)
{
	const char *name = uniq("ao-aud-obj" SQLI NONASCII);
	char body[512];

	snprintf(body, sizeof(body), "{\"name\": \"%s\", \"username\": \"u\", "
	    "\"password\": \"pw-secret-1\"}", name);
	audit_listing("/audit/credential-operations/", "credential",
	    "credential_name", name,
	    "/application/repository-credentials/password/", body,
	    "{\"username\": \"u2\"}");
}
END_TEST

START_TEST(cloud_account_operations_listed)
{
	const char *name = uniq("ao-aud-obj" SQLI NONASCII);
	char body[512];

	snprintf(body, sizeof(body), "{\"name\": \"%s\", \"provider\": "
	    "\"ALIYUN\", \"endpoint\": \"https://ecs.aliyuncs.com\", "
	    "\"access_key\": \"LTAI-ao\", \"secret\": \"s3cret\"}", name);
	audit_listing("/audit/cloud-account-operations/", "cloud_account",
	    "cloud_account_name", name, "/cloud-accounts/", body,
	    "{\"description\": \"d\"}");
}
END_TEST

static TCase *
tc_objects(void)
{
	TCase *tc = tcase_create("authz_objects");

	tcase_add_test(tc, instance_hidden_host_is_missing);
	tcase_add_test(tc, child_apps_need_edit_and_view);
	tcase_add_test(tc, parent_app_needs_view);
	tcase_add_test(tc, required_apps_need_view);
	tcase_add_test(tc, production_apps_need_edit_and_view);
	tcase_add_test(tc, production_field_needs_add_business);
	tcase_add_test(tc, credential_operations_listed);
	tcase_add_test(tc, cloud_account_operations_listed);
	tcase_set_timeout(tc, 120);
	return tc;
}

int
main(void)
{
	static TCase *(*const cases[])(void) = { tc_objects };

	return run_suite("authz_objects", cases, 1) ? 1 : 0;
}

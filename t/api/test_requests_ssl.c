/*
 * test_requests_ssl.c -- /resource-request/ssl-certificates/ (the seed's
 * 申请域名SSL证书, API.md sections 5 and 6, issue 14): create and get,
 * the domain and certificate_type filters, PATCH, and finish with the
 * issued certificate, checked against certificates made at run time by
 * t/mkcerts.sh (the openssl command): a matching one, a wildcard, a
 * mismatched one, an expired one, one with its private key; and every
 * scenario of reqlib.h for SSL requests.
 */
#include <sys/stat.h>

#include "reqlib.h"

static char	certdir[1024];
static char	dom[128];

/* Make the test certificates once per process (for dom). */
static void
certs(void)
{
	char	cmd[4096];

	if (*dom != '\0')
		return;
	snprintf(dom, sizeof(dom), "rq%d.example.test", (int)getpid());
	snprintf(certdir, sizeof(certdir), "%s/certs-%d", getenv("HANGAR_DIR"),
	    (int)getpid());
	snprintf(cmd, sizeof(cmd), "\"$(dirname \"$HANGAR_STACK\")/mkcerts.sh\" "
	    "'%s' '%s'", certdir, dom);
	ck_assert_msg(system(cmd) == 0, "%s failed", cmd);
}

/* The text of certdir/name (free it). */
static char *
pem(const char *name)
{
	char	 path[1200], *s;
	FILE	*f;
	long	 len;

	certs();
	snprintf(path, sizeof(path), "%s/%s", certdir, name);
	ck_assert_ptr_nonnull(f = fopen(path, "r"));
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	rewind(f);
	s = calloc(1, (size_t)len + 1);
	ck_assert_int_eq(fread(s, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	return s;
}

/* A finish body with the PEM text of certdir/name (free it). */
static char *
finish_with(const char *name)
{
	char		*p = pem(name), *out;
	json_object	*o = json_object_new_object();

	json_object_object_add(o, "certificate", json_object_new_string(p));
	out = strdup(json_object_to_json_string(o));
	json_object_put(o);
	free(p);
	return out;
}

static const char *
ssl_body(void)
{
	certs();
	return fmt("{\"domain\": \"www.%s\", \"certificate_type\": \"normal\", "
	    "\"expect_delivery_days\": \"7\", \"purpose\": \"shop\"}", dom);
}

/* A valid finish body (the matching chain), kept for the process. */
static const char *
ssl_finish(long long id)
{
	static char *body;

	(void)id;
	if (body == NULL)
		body = finish_with("match.pem");
	return body;
}

static const struct kind K = {
	"/resource-request/ssl-certificates/", "ssl", "approve_ssl_cert_req",
	"approve_host_req", ssl_body, ssl_finish
};

/* An approved request of domain d and type t; its id. */
static long long
approved(const char *d, const char *t)
{
	long long id = rq_new(&K, admin_token(), fmt("{\"domain\": \"%s\", "
	    "\"certificate_type\": \"%s\"}", d, t));

	rq_ok(&K, admin_token(), id, "approve", NULL, "approved");
	return id;
}

START_TEST(create_get_fields)
{
	long long	 uid, app, id;
	const char	*tok = rq_user("rqsc", "create_resource_req", &uid);
	struct resp	*r;

	certs();
	app = api_create("/applications/", "{\"name\": \"%s\"}", uniq("rqs"));
	r = api("POST", K.path, tok, fmt("{\"domian\": \"Example.COM.\", "
	    "\"certificate_type\": \"wizard\", \"associate_app\": [%lld], "
	    "\"expect_delivery_days\": 3, \"purpose\": \"" HAN "\"}", app));
	ck_assert_msg(r->status == 201, "%s", r->body);
	id = jint(r->json, "id");
	ck_assert_str_eq(jstr(r->json, "domain"), "example.com");
	ck_assert_ptr_null(jpath(r->json, "domian"));
	ck_assert_str_eq(jstr(r->json, "certificate_type"), "wizard");
	ck_assert_str_eq(jstr(r->json, "expect_delivery_days"), "3");
	ck_assert_str_eq(jstr(r->json, "purpose"), HAN);
	ck_assert_int_eq(jint(r->json, "associated_app.0"), app);
	ck_assert_str_eq(jstr(r->json, "status"), "wait_review");
	ck_assert(strncmp(jstr(r->json, "creator"), "rqsc-", 5) == 0);
	ck_assert(jnull(r->json, "certificate"));
	expect_recent(r->json, "created_time");
	ck_assert_ptr_null(jpath(r->json, "records"));
	resp_free(r);
	r = api("GET", fmt("%s%lld/", K.path, id), tok, NULL);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_str_eq(jstr(r->json, "domain"), "example.com");
	resp_free(r);
	/* a wildcard written out is taken for its domain */
	r = api("POST", K.path, tok, "{\"domain\": \"*.shop.example.com\", "
	    "\"certificate_type\": \"WIZARD\"}");
	ck_assert_msg(r->status == 201, "%s", r->body);
	ck_assert_str_eq(jstr(r->json, "domain"), "shop.example.com");
	ck_assert_str_eq(jstr(r->json, "expect_delivery_days"), "7");
	ck_assert_str_eq(jstr(r->json, "purpose"), "");
	resp_free(r);
}
END_TEST

START_TEST(create_refusals_change_nothing)
{
	static const struct field_spec f[] = {
		{ "domain", 1, "string", 256, NULL },
		{ "certificate_type", 1, "string", 0, "wildcard" },
		{ "associate_app", 0, "array", 0, NULL },
		{ "purpose", 0, "string", 4096, NULL },
		{ "expect_delivery_days", 0, "object", 4, "week" },
	};
	static const char *const bad[] = {
		"{\"domain\": \"*.example.com\", \"certificate_type\": \"normal\"}",
		"{\"domain\": \"localhost\", \"certificate_type\": \"normal\"}",
		"{\"domain\": \"" HAN ".com\", \"certificate_type\": \"normal\"}",
		"{\"domain\": \"" SQLI "\", \"certificate_type\": \"normal\"}",
		"{\"domain\": \"a..b\", \"certificate_type\": \"wizard\"}",
		"{\"domain\": \"*.*.b.com\", \"certificate_type\": \"wizard\"}",
	};
	char	*valid = strdup(ssl_body());
	size_t	 i;

	bad_input_battery("POST", K.path, admin_token(), valid, f, NELEM(f),
	    RQ_TABLES);
	free(valid);
	for (i = 0; i < NELEM(bad); i++)
		refused_in_at(__FILE__, __LINE__, RQ_TABLES, "POST", K.path,
		    bad[i], 400, 10002, "domain");
	refused_in_at(__FILE__, __LINE__, RQ_TABLES, "POST", K.path,
	    "{\"domain\": \"a.example.com\", \"certificate_type\": \"normal\", "
	    "\"associate_app\": [999999999]}", 400, 10002, "associate_app[0]");
}
END_TEST

START_TEST(patch_domain_and_type)
{
	long long	 id = rq_new(&K, admin_token(), NULL);
	char		*path = strdup(fmt("%s%lld/", K.path, id));
	struct resp	*r;

	r = api("PATCH", path, admin_token(), "{\"certificate_type\": "
	    "\"wizard\"}");
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_str_eq(jstr(r->json, "certificate_type"), "wizard");
	ck_assert_str_eq(jstr(r->json, "domain"), fmt("www.%s", dom));
	resp_free(r);
	r = api("PATCH", path, admin_token(), fmt("{\"domain\": \"*.%s\"}",
	    dom));
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_str_eq(jstr(r->json, "domain"), dom);
	resp_free(r);
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM audit_log WHERE "
	    "kind = 'request' AND target_id = %lld AND op_detail LIKE "
	    "'%%certificate_type: \"normal\" -> \"wizard\"%%'", id)), 1);
	/* back to normal with a wildcard name: refused, nothing changed */
	refused_in_at(__FILE__, __LINE__, RQ_TABLES, "PATCH", path,
	    fmt("{\"domain\": \"*.%s\", \"certificate_type\": \"normal\"}",
	    dom), 400, 10002, "domain");
	free(path);
}
END_TEST

/* finish as the admin with body: 400 naming certificate, nothing changed */
static void
finish_refused(long long id, char *body, const char *why)
{
	char		*before = db_fingerprint(RQ_TABLES);
	struct resp	*r = rq_do(&K, admin_token(), id, "finish", body);

	ck_assert_msg(r->status == 400 && strstr(r->body, why) != NULL,
	    "finish: %ld %s (wanted %s)", r->status, r->body, why);
	ck_assert_int_eq(jint(r->json, "error_code"), 10002);
	ck_assert_ptr_nonnull(jpath(r->json, "errors.certificate"));
	resp_free(r);
	db_unchanged(before, RQ_TABLES);
	rq_expect_status(id, "approved");
	free(body);
}

START_TEST(finish_checks_the_certificate)
{
	long long	 id, wid;
	struct resp	*r;
	char		*b;

	certs();
	id = approved(fmt("www.%s", dom), "normal");
	/* mismatched, expired, with its key, garbage, a lone CA, reversed */
	finish_refused(id, finish_with("other.pem"), "does not cover");
	finish_refused(id, finish_with("expired.pem"), "has expired");
	finish_refused(id, finish_with("withkey.pem"), "private key");
	finish_refused(id, strdup("{\"certificate\": \"hello\"}"),
	    "PEM certificate chain");
	finish_refused(id, finish_with("ca.pem"), "does not cover");
	b = pem("match.pem");
	{
		/* CA first, then the leaf: the chain goes the wrong way */
		char		*ca = pem("ca.pem"), *leaf = pem("leaf.pem");
		json_object	*o = json_object_new_object();

		char		*both;

		ck_assert_int_gt(asprintf(&both, "%s%s", ca, leaf), 0);
		json_object_object_add(o, "certificate",
		    json_object_new_string(both));
		free(both);
		finish_refused(id, strdup(json_object_to_json_string(o)),
		    "did not issue");
		json_object_put(o);
		free(ca);
		free(leaf);
	}
	free(b);
	finish_refused(id, strdup("{\"certificate\": \"-----BEGIN "
	    "CERTIFICATE-----\\nAAAA\\n-----END CERTIFICATE-----\\n\"}"),
	    "not a valid X.509 certificate");
	finish_refused(id, strdup("{\"certificate\": \"-----BEGIN RSA "
	    "PRIVATE KEY-----\\nAAAA\\n-----END RSA PRIVATE KEY-----\\n\"}"),
	    "private key");
	finish_refused(id, strdup("{\"certificate\": 12}"), "string");
	finish_refused(id, strdup("{}"), "required");

	/* the matching chain: stored and shown */
	r = rq_do(&K, admin_token(), id, "finish", ssl_finish(id));
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_str_eq(jstr(r->json, "status"), "finished");
	ck_assert(strstr(jstr(r->json, "certificate.subject"),
	    fmt("CN=www.%s", dom)) != NULL);
	ck_assert(strstr(jstr(r->json, "certificate.issuer"),
	    "CN=Hangar Test CA") != NULL);
	ck_assert_str_eq(jstr(r->json, "certificate.sans.0"), fmt("www.%s",
	    dom));
	ck_assert_str_eq(jstr(r->json, "certificate.sans.1"), dom);
	ck_assert(rfc3339_secs(jstr(r->json, "certificate.not_after")) >
	    (long long)time(NULL) + 20 * 86400);
	ck_assert_int_eq(strlen(jstr(r->json,
	    "certificate.fingerprint_sha256")), 64);
	resp_free(r);
	ck_assert_int_eq(db_int(fmt("SELECT cert_pem LIKE '-----BEGIN "
	    "CERTIFICATE-----%%' AND cert_pem NOT LIKE '%%PRIVATE%%' FROM "
	    "ssl_requests WHERE request_id = %lld", id)), 1);
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM audit_log WHERE "
	    "kind = 'request' AND target_id = %lld AND op_type = "
	    "'finish_request' AND op_detail LIKE '%%sha256 %%'", id)), 1);
	r = api("GET", fmt("%s%lld/", K.path, id), admin_token(), NULL);
	ck_assert(strstr(jstr(r->json, "certificate.subject"), dom) != NULL);
	resp_free(r);

	/* wildcard: a normal certificate does not do, the wildcard does */
	wid = approved(dom, "wizard");
	finish_refused(wid, finish_with("match.pem"), fmt("does not cover *.%s",
	    dom));
	b = finish_with("wild.pem");
	r = rq_do(&K, admin_token(), wid, "finish", b);
	free(b);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_str_eq(jstr(r->json, "certificate.sans.0"), fmt("*.%s", dom));
	resp_free(r);
	/* a wildcard certificate covers a normal request of one name */
	id = approved(fmt("shop.%s", dom), "normal");
	b = finish_with("wild.pem");
	r = rq_do(&K, admin_token(), id, "finish", b);
	free(b);
	ck_assert_msg(r->status == 200, "%s", r->body);
	resp_free(r);
}
END_TEST

START_TEST(list_domain_and_type)
{
	const char	*appr = rq_user("rqsl", "approve_ssl_cert_req", NULL);
	char		 d[128];
	long long	 a, b;
	struct resp	*r;

	snprintf(d, sizeof(d), "%s.example.org", uniq("lst"));
	a = rq_new(&K, admin_token(), fmt("{\"domain\": \"a.%s\", "
	    "\"certificate_type\": \"normal\"}", d));
	b = rq_new(&K, admin_token(), fmt("{\"domain\": \"%s\", "
	    "\"certificate_type\": \"wizard\"}", d));
	r = api("GET", fmt("%s?domain=%s", K.path, d), appr, NULL);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_int_eq(jint(r->json, "count"), 2);
	ck_assert_int_eq(jint(r->json, "results.0.id"), b);
	resp_free(r);
	r = api("GET", fmt("%s?domian=%s&certificate_type=normal", K.path, d),
	    appr, NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	ck_assert_int_eq(jint(r->json, "results.0.id"), a);
	resp_free(r);
	r = api("GET", fmt("%s?domain=%s&certificate_type=WIZARD&status="
	    "wait_review", K.path, d), appr, NULL);
	ck_assert_int_eq(jint(r->json, "count"), 1);
	ck_assert_int_eq(jint(r->json, "results.0.id"), b);
	resp_free(r);
	expect_error(api("GET", fmt("%s?certificate_type=star", K.path), appr,
	    NULL), 400, 10002, "certificate_type");
	rq_list_filters(&K);
}
END_TEST

START_TEST(every_transition)
{
	rq_every_transition(&K);
}
END_TEST

START_TEST(who_may_act)
{
	rq_who_may_act(&K);
}
END_TEST

START_TEST(concurrent_actions_have_one_outcome)
{
	rq_concurrent(&K);
}
END_TEST

START_TEST(mail_to_approvers_and_creator)
{
	rq_mail(&K);
}
END_TEST

START_TEST(auth_required)
{
	rq_auth_required(&K);
}
END_TEST

/* GET .../{id}/certificate/: the stored chain, for who may see the
 * request: its creator, an approver of SSL requests, a superuser; 404 for
 * anyone else, for another kind's approver, and before finish. */
START_TEST(certificate_download)
{
	long long	 cid, id;
	const char	*creator = rq_user("rqdc", "create_resource_req", &cid);
	const char	*peer = rq_user("rqdp", "create_resource_req", NULL);
	const char	*other = rq_user("rqdo", "approve_host_req", NULL);
	const char	*appr = rq_user("rqda", "approve_ssl_cert_req", NULL);
	const char	*toks[3];
	char		*want = pem("match.pem"), *before;
	struct resp	*r;
	size_t		 i;

	id = rq_new(&K, creator, NULL);
	expect_error(api("GET", fmt("%s%lld/certificate/", K.path, id),
	    creator, NULL), 404, 10008, NULL);
	rq_ok(&K, appr, id, "approve", NULL, "approved");
	rq_ok(&K, appr, id, "finish", ssl_finish(id), "finished");
	toks[0] = creator;
	toks[1] = appr;
	toks[2] = admin_token();
	for (i = 0; i < 3; i++) {
		r = api("GET", fmt("%s%lld/certificate/", K.path, id), toks[i],
		    NULL);
		ck_assert_msg(r->status == 200, "%zu: %ld %s", i, r->status,
		    r->body);
		ck_assert_int_eq(jint(r->json, "id"), id);
		ck_assert_str_eq(jstr(r->json, "domain"), fmt("www.%s", dom));
		ck_assert_int_eq(strlen(jstr(r->json, "fingerprint_sha256")),
		    64);
		/* the chain as given: every certificate of match.pem */
		ck_assert_ptr_nonnull(strstr(jstr(r->json, "pem"),
		    "-----BEGIN CERTIFICATE-----"));
		ck_assert_ptr_null(strstr(jstr(r->json, "pem"), "PRIVATE"));
		ck_assert_str_eq(jstr(r->json, "pem"), db_str(fmt("SELECT "
		    "cert_pem FROM ssl_requests WHERE request_id = %lld", id)));
		resp_free(r);
	}
	ck_assert_ptr_nonnull(strstr(want, "-----BEGIN CERTIFICATE-----"));
	free(want);
	before = db_fingerprint(RQ_TABLES);
	expect_error(api("GET", fmt("%s%lld/certificate/", K.path, id), peer,
	    NULL), 404, 10008, NULL);
	expect_error(api("GET", fmt("%s%lld/certificate/", K.path, id), other,
	    NULL), 404, 10008, NULL);
	expect_error(api("GET", fmt("%s%lld/certificate/", K.path, id), NULL,
	    NULL), 401, 10005, NULL);
	expect_error(api("GET", fmt("%s999999999/certificate/", K.path),
	    admin_token(), NULL), 404, 10008, NULL);
	/* a host request has no certificate route */
	expect_error(api("GET", fmt("/resource-request/hosts/%lld/"
	    "certificate/", id), admin_token(), NULL), 404, 10008, NULL);
	db_unchanged(before, RQ_TABLES);
}
END_TEST

static TCase *
tc_ssl(void)
{
	TCase *tc = tcase_create("ssl_requests");

	tcase_add_test(tc, create_get_fields);
	tcase_add_test(tc, create_refusals_change_nothing);
	tcase_add_test(tc, patch_domain_and_type);
	tcase_add_test(tc, finish_checks_the_certificate);
	tcase_add_test(tc, certificate_download);
	tcase_add_test(tc, list_domain_and_type);
	tcase_add_test(tc, every_transition);
	tcase_add_test(tc, who_may_act);
	tcase_add_test(tc, concurrent_actions_have_one_outcome);
	tcase_add_test(tc, mail_to_approvers_and_creator);
	tcase_add_test(tc, auth_required);
	return tc;
}

int
main(void)
{
	static TCase *(*const cases[])(void) = { tc_ssl };

	return run_suite("requests_ssl", cases, 1) ? 1 : 0;
}

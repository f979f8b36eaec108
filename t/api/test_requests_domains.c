/*
 * test_requests_domains.c -- /resource-request/domains/ (the seed's
 * 申请域名, API.md sections 5 and 6, issue 14): records in the seed's
 * spellings and the data-type names, names and values validated per type
 * (A, AAAA, CNAME, MX, NS, TXT), a CNAME beside another record refused,
 * associated applications, PATCH replacing the records, approval leaving
 * the records for the DNS module's apply job, finish by hand; and every
 * scenario of reqlib.h for domain requests.
 */
#include "reqlib.h"

static const char *
domain_body(void)
{
	return "{\"records\": [{\"record\": \"record-a.example.com\", "
	    "\"value\": \"10.10.10.10\", \"type\": \"A\"}]}";
}

static const struct kind K = {
	"/resource-request/domains/", "domain", "approve_domain_req",
	"approve_ssl_cert_req", domain_body, NULL
};

START_TEST(create_get_records)
{
	long long	 uid, app1, app2, id;
	const char	*tok = rq_user("rqdc", "create_resource_req", &uid);
	struct resp	*r;

	app1 = api_create("/applications/", "{\"name\": \"%s\"}", uniq("rqd"));
	app2 = api_create("/applications/", "{\"name\": \"%s\"}", uniq("rqd"));
	r = api("POST", K.path, tok, fmt("{\"associated_app\": [%lld, %lld], "
	    "\"purpose\": \"" HAN "\", \"records\": ["
	    "{\"record\": \"Record-A.Example.com.\", \"value\": \"10.10.10.10\", "
	    "\"type\": \"A\"}, "
	    "{\"name\": \"record-a.example.com\", \"value\": \"10.10.10.11\", "
	    "\"type\": \"a\", \"ttl\": 300}, "
	    "{\"name\": \"v6.example.com\", \"value\": \"2001:DB8::0:1\", "
	    "\"type\": \"AAAA\"}, "
	    "{\"name\": \"www.example.com\", \"value\": \"Record-A.example.com.\", "
	    "\"type\": \"CNAME\"}, "
	    "{\"name\": \"example.com\", \"value\": \"10 mx1.example.com.\", "
	    "\"type\": \"MX\"}, "
	    "{\"name\": \"sub.example.com\", \"value\": \"ns1.example.net\", "
	    "\"type\": \"NS\"}, "
	    "{\"name\": \"example.com\", \"value\": \"\\\"v=spf1 -all\\\"\", "
	    "\"type\": \"TXT\"}, "
	    "{\"name\": \"*.apps.example.com\", \"value\": \"10.0.0.1\", "
	    "\"type\": \"A\"}]}", app2, app1));
	ck_assert_msg(r->status == 201, "%s", r->body);
	id = jint(r->json, "id");
	ck_assert_str_eq(jstr(r->json, "status"), "wait_review");
	ck_assert(strncmp(jstr(r->json, "creator"), "rqdc-", 5) == 0);
	ck_assert_str_eq(jstr(r->json, "purpose"), HAN);
	ck_assert_int_eq(jint(r->json, "associated_app.0"), app1);
	ck_assert_int_eq(jint(r->json, "associated_app.1"), app2);
	ck_assert_int_eq(json_object_array_length(jpath(r->json, "records")),
	    8);
	ck_assert_str_eq(jstr(r->json, "records.0.name"),
	    "record-a.example.com");
	ck_assert_str_eq(jstr(r->json, "records.0.type"), "A");
	ck_assert_str_eq(jstr(r->json, "records.0.value"), "10.10.10.10");
	ck_assert(jnull(r->json, "records.0.ttl"));
	ck_assert_int_eq(jint(r->json, "records.1.ttl"), 300);
	ck_assert_str_eq(jstr(r->json, "records.2.value"), "2001:db8::1");
	ck_assert_str_eq(jstr(r->json, "records.3.value"),
	    "record-a.example.com");
	ck_assert_str_eq(jstr(r->json, "records.4.value"),
	    "10 mx1.example.com");
	ck_assert_str_eq(jstr(r->json, "records.5.type"), "NS");
	ck_assert_str_eq(jstr(r->json, "records.6.value"), "v=spf1 -all");
	ck_assert_str_eq(jstr(r->json, "records.7.name"), "*.apps.example.com");
	ck_assert_ptr_null(jpath(r->json, "records.0.record"));
	ck_assert_str_eq(jstr(r->json, "apply_status"), "none");
	ck_assert_str_eq(jstr(r->json, "apply_error"), "");
	ck_assert_ptr_null(jpath(r->json, "requested_hosts"));
	ck_assert_ptr_null(jpath(r->json, "certificate"));
	expect_recent(r->json, "created_time");
	ck_assert_str_eq(rq_actions(r->json), "edit,close");
	resp_free(r);
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM "
	    "domain_request_records WHERE request_id = %lld AND apply_status = "
	    "'pending'", id)), 8);

	r = api("GET", fmt("%s%lld", K.path, id), tok, NULL);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_int_eq(json_object_array_length(jpath(r->json, "records")),
	    8);
	resp_free(r);
	/* the seed's associate_app spelling, bare and object ids */
	r = api("POST", K.path, tok, fmt("{\"associate_app\": [{\"id\": %lld}],"
	    " \"records\": [{\"name\": \"t.example.com\", \"type\": \"TXT\", "
	    "\"value\": \"" HAN "\"}]}", app1));
	ck_assert_msg(r->status == 201, "%s", r->body);
	ck_assert_int_eq(jint(r->json, "associated_app.0"), app1);
	ck_assert_str_eq(jstr(r->json, "records.0.value"), HAN);
	resp_free(r);
}
END_TEST

START_TEST(records_refused_change_nothing)
{
	static const struct field_spec f[] = {
		{ "records", 1, "array", 0, NULL },
		{ "associated_app", 0, "array", 0, NULL },
		{ "purpose", 0, "string", 4096, NULL },
	};
	static const char *const bad[][3] = {
		{ "\"name\": \"www\", \"type\": \"A\", \"value\": \"10.0.0.1\"",
		    "records[0].name" },
		{ "\"name\": \"a..example.com\", \"type\": \"A\", \"value\": "
		    "\"10.0.0.1\"", "records[0].name" },
		{ "\"name\": \"-a.example.com\", \"type\": \"A\", \"value\": "
		    "\"10.0.0.1\"", "records[0].name" },
		{ "\"name\": \"a b.example.com\", \"type\": \"A\", \"value\": "
		    "\"10.0.0.1\"", "records[0].name" },
		{ "\"name\": \"" HAN ".example.com\", \"type\": \"A\", "
		    "\"value\": \"10.0.0.1\"", "records[0].name" },
		{ "\"name\": \"" SQLI "\", \"type\": \"A\", \"value\": "
		    "\"10.0.0.1\"", "records[0].name" },
		{ "\"name\": \"a.example.com\", \"type\": \"SRV\", \"value\": "
		    "\"10.0.0.1\"", "records[0].type" },
		{ "\"name\": \"a.example.com\", \"type\": \"A\", \"value\": "
		    "\"10.0.0.256\"", "records[0].value" },
		{ "\"name\": \"a.example.com\", \"type\": \"A\", \"value\": "
		    "\"::1\"", "records[0].value" },
		{ "\"name\": \"a.example.com\", \"type\": \"AAAA\", \"value\": "
		    "\"10.0.0.1\"", "records[0].value" },
		{ "\"name\": \"a.example.com\", \"type\": \"CNAME\", \"value\": "
		    "\"10.0.0.1 x\"", "records[0].value" },
		{ "\"name\": \"a.example.com\", \"type\": \"MX\", \"value\": "
		    "\"mx.example.com\"", "records[0].value" },
		{ "\"name\": \"a.example.com\", \"type\": \"MX\", \"value\": "
		    "\"70000 mx.example.com\"", "records[0].value" },
		{ "\"name\": \"a.example.com\", \"type\": \"NS\", \"value\": "
		    "\"*.example.com\"", "records[0].value" },
		{ "\"name\": \"a.example.com\", \"type\": \"TXT\", \"value\": "
		    "\"a\\u0001b\"", "records[0].value" },
		{ "\"name\": \"a.example.com\", \"type\": \"TXT\", \"value\": "
		    "\"\\\"\\\"\"", "records[0].value" },
		{ "\"name\": \"a.example.com\", \"type\": \"A\", \"value\": "
		    "\"10.0.0.1\", \"ttl\": 0", "records[0].ttl" },
		{ "\"name\": \"a.example.com\", \"type\": \"A\", \"value\": "
		    "\"10.0.0.1\", \"ttl\": \"60\"", "records[0].ttl" },
		{ "\"type\": \"A\", \"value\": \"10.0.0.1\"", "records[0].name" },
		{ "\"name\": \"a.example.com\", \"value\": \"10.0.0.1\"",
		    "records[0].type" },
		{ "\"name\": \"a.example.com\", \"type\": \"A\"",
		    "records[0].value" },
	};
	char	*big;
	size_t	 i;

	bad_input_battery("POST", K.path, admin_token(), domain_body(), f,
	    NELEM(f), RQ_TABLES);
	for (i = 0; i < NELEM(bad); i++)
		refused_in_at(__FILE__, __LINE__, RQ_TABLES, "POST", K.path,
		    fmt("{\"records\": [{%s}]}", bad[i][0]), 400, 10002,
		    bad[i][1]);
	/* none, a CNAME beside another record, the same record twice */
	refused_in_at(__FILE__, __LINE__, RQ_TABLES, "POST", K.path,
	    "{\"records\": []}", 400, 10002, "records");
	refused_in_at(__FILE__, __LINE__, RQ_TABLES, "POST", K.path,
	    "{\"records\": [{\"name\": \"w.example.com\", \"type\": \"A\", "
	    "\"value\": \"10.0.0.1\"}, {\"name\": \"W.example.com.\", \"type\": "
	    "\"CNAME\", \"value\": \"x.example.com\"}]}", 400, 10002,
	    "records[1]");
	refused_in_at(__FILE__, __LINE__, RQ_TABLES, "POST", K.path,
	    "{\"records\": [{\"name\": \"w.example.com\", \"type\": \"A\", "
	    "\"value\": \"10.0.0.1\"}, {\"name\": \"W.example.com\", \"type\": "
	    "\"A\", \"value\": \"10.0.0.1\"}]}", 400, 10002, "records[1]");
	refused_in_at(__FILE__, __LINE__, RQ_TABLES, "POST", K.path,
	    "{\"associated_app\": [999999999], \"records\": [{\"name\": "
	    "\"w.example.com\", \"type\": \"A\", \"value\": \"10.0.0.1\"}]}",
	    400, 10002, "associated_app[0]");
	refused_in_at(__FILE__, __LINE__, RQ_TABLES, "POST", K.path,
	    "{\"records\": [\"w.example.com A 10.0.0.1\"]}", 400, 10002,
	    "records[0]");
	/* a name over 253 characters, a TXT over 2048 bytes */
	big = malloc(3000);
	memset(big, 'a', 2999);
	big[2999] = '\0';
	memcpy(big + 60, ".", 1);
	memcpy(big + 120, ".", 1);
	memcpy(big + 180, ".", 1);
	memcpy(big + 240, ".", 1);
	big[260] = '\0';
	refused_in_at(__FILE__, __LINE__, RQ_TABLES, "POST", K.path,
	    fmt("{\"records\": [{\"name\": \"%s\", \"type\": \"A\", \"value\": "
	    "\"10.0.0.1\"}]}", big), 400, 10002, "records[0].name");
	free(big);
	big = malloc(2200);
	i = (size_t)snprintf(big, 2200, "{\"records\": [{\"name\": "
	    "\"t.example.com\", \"type\": \"TXT\", \"value\": \"");
	memset(big + i, 'x', 2049);
	snprintf(big + i + 2049, 2200 - i - 2049, "\"}]}");
	refused_in_at(__FILE__, __LINE__, RQ_TABLES, "POST", K.path, big, 400,
	    10002, "records[0].value");
	free(big);
}
END_TEST

START_TEST(patch_replaces_records)
{
	long long	 id = rq_new(&K, admin_token(), NULL);
	char		*path = strdup(fmt("%s%lld/", K.path, id));
	struct resp	*r;

	r = api("PATCH", path, admin_token(), "{\"records\": [{\"record\": "
	    "\"b.example.org\", \"type\": \"CNAME\", \"value\": "
	    "\"c.example.org\", \"ttl\": 60}]}");
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_int_eq(json_object_array_length(jpath(r->json, "records")),
	    1);
	ck_assert_str_eq(jstr(r->json, "records.0.name"), "b.example.org");
	ck_assert_str_eq(jstr(r->json, "message"), "success");
	resp_free(r);
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM "
	    "domain_request_records WHERE request_id = %lld", id)), 1);
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM audit_log WHERE "
	    "kind = 'request' AND target_id = %lld AND op_detail LIKE "
	    "'%%records: \"[{\"name\":\"record-a.example.com\"%%'", id)), 1);
	/* PATCH without records keeps them; a bad record changes nothing */
	r = api("PATCH", path, admin_token(), "{\"purpose\": \"p2\"}");
	ck_assert_int_eq(json_object_array_length(jpath(r->json, "records")),
	    1);
	resp_free(r);
	refused_in_at(__FILE__, __LINE__, RQ_TABLES, "PATCH", path,
	    "{\"records\": [{\"name\": \"x.example.org\", \"type\": \"A\", "
	    "\"value\": \"nope\"}]}", 400, 10002, "records[0].value");
	free(path);
}
END_TEST

START_TEST(approval_waits_for_apply)
{
	long long	 id = rq_new(&K, admin_token(), NULL);
	const char	*appr = rq_user("rqdf", "approve_domain_req", NULL);
	struct resp	*r;

	r = rq_do(&K, appr, id, "approve", NULL);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_str_eq(jstr(r->json, "status"), "approved");
	ck_assert_str_eq(jstr(r->json, "apply_status"), "pending");
	resp_free(r);
	/* the DNS module's job records a failure; the approver sees it */
	db_exec(fmt("UPDATE domain_requests SET apply_status = 'failed', "
	    "apply_error = 'no managed domain for record-a.example.com' WHERE "
	    "request_id = %lld", id));
	r = api("GET", fmt("%s%lld/", K.path, id), appr, NULL);
	ck_assert_str_eq(jstr(r->json, "apply_status"), "failed");
	ck_assert_str_eq(jstr(r->json, "apply_error"),
	    "no managed domain for record-a.example.com");
	resp_free(r);
	/* finished by hand */
	r = rq_do(&K, appr, id, "finish", NULL);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_str_eq(jstr(r->json, "status"), "finished");
	ck_assert_str_eq(jstr(r->json, "apply_status"), "applied");
	ck_assert_str_eq(jstr(r->json, "apply_error"), "");
	resp_free(r);
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

START_TEST(list_and_filters)
{
	rq_list_filters(&K);
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

static TCase *
tc_domains(void)
{
	TCase *tc = tcase_create("domain_requests");

	tcase_add_test(tc, create_get_records);
	tcase_add_test(tc, records_refused_change_nothing);
	tcase_add_test(tc, patch_replaces_records);
	tcase_add_test(tc, approval_waits_for_apply);
	tcase_add_test(tc, every_transition);
	tcase_add_test(tc, who_may_act);
	tcase_add_test(tc, list_and_filters);
	tcase_add_test(tc, concurrent_actions_have_one_outcome);
	tcase_add_test(tc, mail_to_approvers_and_creator);
	tcase_add_test(tc, auth_required);
	return tc;
}

int
main(void)
{
	static TCase *(*const cases[])(void) = { tc_domains };

	return run_suite("requests_domains", cases, 1) ? 1 : 0;
}

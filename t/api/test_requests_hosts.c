/*
 * test_requests_hosts.c -- /resource-request/hosts/ (the seed's 申请服务器,
 * API.md sections 5 and 6, issue 14): create and get with every field in
 * the data-type section's names and the examples' spellings, PATCH, the
 * expiration rules, finish with the hosts delivered; and, for host
 * requests, every scenario of reqlib.h (transitions, who may act, list
 * filters, concurrency, mail, authentication), bad input that changes
 * nothing.
 */
#include "reqlib.h"

static const char *
host_body(void)
{
	return "{\"purpose\": \"scale out\", \"requested_hosts\": [{\"name\": "
	    "\"host-a\", \"cpu_cores\": 4, \"mem\": 8192, \"storage\": "
	    "100000, \"os\": \"centos-7.1\", \"type\": \"TECENT_CVM\"}]}";
}

static const struct kind K = {
	"/resource-request/hosts/", "host", "approve_host_req",
	"approve_domain_req", host_body, NULL
};

/* A host in the inventory; its id. */
static long long
inventory_host(void)
{
	return api_create("/hosts/", "{\"name\": \"%s\", \"host_type\": "
	    "\"PHY_HOST\"}", uniq("rqh"));
}

START_TEST(create_get_seed_spellings)
{
	long long	 uid, u1, u2, id;
	const char	*tok = rq_user("rqhc", "create_resource_req", &uid);
	struct resp	*r;

	(void)user_token(uniq("rqlog1"), 0, &u1);
	(void)user_token(uniq("rqlog2"), 0, &u2);
	/* the examples' spellings: expiration, login_users, specs, ... */
	r = api("POST", K.path, tok, fmt("{\"purpose\": \"服务扩容 " SQLI "\", "
	    "\"expect_delivery_days\": \"7\", \"expiration\": \"never\", "
	    "\"login_users\": [{\"id\": %lld}, {\"id\": %lld}], "
	    "\"shiped_packackages\": [{\"id\": 3}, {\"id\": 4}], "
	    "\"required_hosts\": [{\"name\": \"host-A\", \"specs\": "
	    "{\"cpu_core\": 4, \"mem\": 8192, \"storage\": 100000}, \"os\": "
	    "\"centos-7.1\", \"type\": \"TECENT_CVM\"}, {\"name\": \"host-b\", "
	    "\"specs\": {\"cpu_core\": 2, \"mem\": 4096, \"storage\": 500}, "
	    "\"os\": \"centos-7.1\", \"type\": \"tecent_cvm\"}], "
	    "\"status\": \"finished\", \"extra\": 1}", u1, u2));
	ck_assert_msg(r->status == 201, "%s", r->body);
	id = jint(r->json, "id");
	ck_assert(json_object_is_type(jpath(r->json, "id"), json_type_int));
	ck_assert_str_eq(jstr(r->json, "purpose"), "服务扩容 " SQLI);
	ck_assert_str_eq(jstr(r->json, "status"), "wait_review");
	ck_assert(strncmp(jstr(r->json, "creator"), "rqhc-", 5) == 0);
	ck_assert_str_eq(jstr(r->json, "expect_delivery_days"), "7");
	ck_assert_str_eq(jstr(r->json, "expiration_type"), "INFINITE");
	ck_assert(jnull(r->json, "expiration_days"));
	ck_assert_int_eq(jint(r->json, "users_with_log_perm.0.id"), u1);
	ck_assert(strncmp(jstr(r->json, "users_with_log_perm.1.username"),
	    "rqlog2-", 7) == 0);
	ck_assert_int_eq(jint(r->json, "shipped_packages.1.id"), 4);
	ck_assert_str_eq(jstr(r->json, "requested_hosts.0.name"), "host-A");
	ck_assert_int_eq(jint(r->json, "requested_hosts.0.cpu_cores"), 4);
	ck_assert_int_eq(jint(r->json, "requested_hosts.0.mem"), 8192);
	ck_assert_int_eq(jint(r->json, "requested_hosts.0.storage"), 100000);
	ck_assert_str_eq(jstr(r->json, "requested_hosts.0.os"), "centos-7.1");
	ck_assert_str_eq(jstr(r->json, "requested_hosts.1.type"),
	    "TECENT_CVM");
	ck_assert_int_eq(jint(r->json, "requested_hosts.1.cpu_cores"), 2);
	ck_assert_ptr_null(jpath(r->json, "requested_hosts.0.specs"));
	ck_assert_int_eq(json_object_array_length(jpath(r->json, "hosts")), 0);
	expect_recent(r->json, "created_time");
	ck_assert(jnull(r->json, "reviewer"));
	ck_assert(jnull(r->json, "decided_time"));
	ck_assert(jnull(r->json, "finished_time"));
	ck_assert(jnull(r->json, "updated_time"));
	ck_assert_ptr_null(jpath(r->json, "extra"));
	ck_assert_ptr_null(jpath(r->json, "login_users"));
	ck_assert_ptr_null(jpath(r->json, "records"));
	ck_assert_ptr_null(jpath(r->json, "certificate"));
	ck_assert_str_eq(rq_actions(r->json), "edit,close");
	resp_free(r);
	ck_assert_int_eq(rq_audited(id, "add_request"), 1);

	r = api("GET", fmt("/resource-request/hosts/%lld", id), tok, NULL);
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_str_eq(jstr(r->json, "purpose"), "服务扩容 " SQLI);
	ck_assert_int_eq(json_object_array_length(jpath(r->json,
	    "requested_hosts")), 2);
	resp_free(r);

	/* the data-type names: FINITE with its days, a number for days */
	r = api("POST", K.path, tok, fmt("{\"purpose\": \"p\", "
	    "\"expect_delivery_days\": 14, \"expiration_type\": \"finite\", "
	    "\"expiration_days\": 90, \"users_with_log_perm\": [%lld], "
	    "\"shipped_packages\": [{\"id\": 1, \"name\": \"nginx\", \"type\": "
	    "\"rpm\"}], \"requested_hosts\": []}", u1));
	ck_assert_msg(r->status == 201, "%s", r->body);
	ck_assert_str_eq(jstr(r->json, "expect_delivery_days"), "14");
	ck_assert_str_eq(jstr(r->json, "expiration_type"), "FINITE");
	ck_assert_str_eq(jstr(r->json, "expiration_days"), "90");
	ck_assert_str_eq(jstr(r->json, "shipped_packages.0.name"), "nginx");
	ck_assert_int_eq(json_object_array_length(jpath(r->json,
	    "users_with_log_perm")), 1);
	resp_free(r);
	/* the example's expiration as days; defaults */
	r = api("POST", K.path, tok, "{\"purpose\": \"p\", \"expiration\": 30}");
	ck_assert_msg(r->status == 201, "%s", r->body);
	ck_assert_str_eq(jstr(r->json, "expiration_type"), "FINITE");
	ck_assert_str_eq(jstr(r->json, "expiration_days"), "30");
	ck_assert_str_eq(jstr(r->json, "expect_delivery_days"), "7");
	ck_assert_int_eq(json_object_array_length(jpath(r->json,
	    "shipped_packages")), 0);
	resp_free(r);
}
END_TEST

START_TEST(create_refusals_change_nothing)
{
	static const struct field_spec f[] = {
		{ "purpose", 1, "string", 4096, NULL },
		{ "expect_delivery_days", 0, "object", 4, "soon" },
		{ "expiration", 0, "object", 5, "later" },
		{ "expiration_type", 0, "string", 0, "FOREVER" },
		{ "expiration_days", 0, "object", 4, "x" },
		{ "users_with_log_perm", 0, "array", 0, NULL },
		{ "shipped_packages", 0, "array", 0, NULL },
		{ "requested_hosts", 0, "array", 0, NULL },
	};
	static const char *const bad[][2] = {
		{ "{\"purpose\": \"\"}", "purpose" },
		{ "{\"purpose\": \"p\", \"expect_delivery_days\": 0}",
		    "expect_delivery_days" },
		{ "{\"purpose\": \"p\", \"expect_delivery_days\": \"-1\"}",
		    "expect_delivery_days" },
		{ "{\"purpose\": \"p\", \"expiration_type\": \"FINITE\"}",
		    "expiration_days" },
		{ "{\"purpose\": \"p\", \"expiration_type\": \"INFINITE\", "
		    "\"expiration_days\": 3}", "expiration_days" },
		{ "{\"purpose\": \"p\", \"login_users\": [{\"id\": 999999999}]}",
		    "users_with_log_perm[0]" },
		{ "{\"purpose\": \"p\", \"login_users\": [{\"id\": \"1\"}]}",
		    "users_with_log_perm[0]" },
		{ "{\"purpose\": \"p\", \"requested_hosts\": [{\"cpu_cores\": 1,"
		    " \"mem\": 1, \"storage\": 1}]}", "requested_hosts[0].name" },
		{ "{\"purpose\": \"p\", \"requested_hosts\": [{\"name\": \"a\", "
		    "\"mem\": 1, \"storage\": 1}]}",
		    "requested_hosts[0].cpu_cores" },
		{ "{\"purpose\": \"p\", \"requested_hosts\": [{\"name\": \"a\", "
		    "\"specs\": {\"cpu_core\": \"4\", \"mem\": 1, \"storage\": "
		    "1}}]}", "requested_hosts[0].specs.cpu_cores" },
		{ "{\"purpose\": \"p\", \"requested_hosts\": [{\"name\": \"a\", "
		    "\"cpu_cores\": 1, \"mem\": 1, \"storage\": 1, \"type\": "
		    "\"VAX\"}]}", "requested_hosts[0].type" },
		{ "{\"purpose\": \"p\", \"requested_hosts\": [\"host-a\"]}",
		    "requested_hosts[0]" },
	};
	size_t i;

	bad_input_battery("POST", K.path, admin_token(), host_body(), f,
	    NELEM(f), RQ_TABLES);
	for (i = 0; i < NELEM(bad); i++)
		refused_in_at(__FILE__, __LINE__, RQ_TABLES, "POST", K.path,
		    bad[i][0], 400, 10002, bad[i][1]);
}
END_TEST

START_TEST(patch_by_the_creator)
{
	static const struct field_spec f[] = {
		{ "purpose", 0, "string", 4096, NULL },
		{ "expiration_type", 0, "string", 0, "SOMETIMES" },
		{ "requested_hosts", 0, "array", 0, NULL },
	};
	long long	 id = rq_new(&K, admin_token(), NULL), u;
	struct resp	*r;
	char		*path = strdup(fmt("%s%lld/", K.path, id));

	(void)user_token(uniq("rqpl"), 0, &u);
	r = api("PATCH", path, admin_token(), fmt("{\"expiration\": 10, "
	    "\"login_users\": [%lld], \"required_hosts\": [{\"name\": "
	    "\"h-" HAN "\", \"cpu_core\": 8, \"mem\": 1, \"storage\": 2}]}",
	    u));
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_str_eq(jstr(r->json, "message"), "success");
	ck_assert_str_eq(jstr(r->json, "purpose"), "scale out");
	ck_assert_str_eq(jstr(r->json, "expiration_type"), "FINITE");
	ck_assert_str_eq(jstr(r->json, "expiration_days"), "10");
	ck_assert_str_eq(jstr(r->json, "requested_hosts.0.name"), "h-" HAN);
	ck_assert_int_eq(jint(r->json, "requested_hosts.0.cpu_cores"), 8);
	ck_assert(jnull(r->json, "requested_hosts.0.os"));
	ck_assert_int_eq(jint(r->json, "users_with_log_perm.0.id"), u);
	resp_free(r);
	/* days alone keep FINITE; INFINITE drops the days */
	r = api("PATCH", path, admin_token(), "{\"expiration_days\": \"20\"}");
	ck_assert_str_eq(jstr(r->json, "expiration_days"), "20");
	resp_free(r);
	r = api("PATCH", path, admin_token(), "{\"expiration_days\": null}");
	expect_error(r, 400, 10002, "expiration_days");
	r = api("PATCH", path, admin_token(), "{\"expiration\": \"never\", "
	    "\"login_users\": []}");
	ck_assert_str_eq(jstr(r->json, "expiration_type"), "INFINITE");
	ck_assert(jnull(r->json, "expiration_days"));
	ck_assert_int_eq(json_object_array_length(jpath(r->json,
	    "users_with_log_perm")), 0);
	/* what was not given stays */
	ck_assert_str_eq(jstr(r->json, "requested_hosts.0.name"), "h-" HAN);
	resp_free(r);
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM audit_log WHERE "
	    "kind = 'request' AND target_id = %lld AND op_type = "
	    "'update_request' AND op_detail LIKE '%%expiration_type: "
	    "\"FINITE\" -> \"INFINITE\"%%'", id)), 1);
	bad_input_battery("PATCH", path, admin_token(), "{\"purpose\": \"q\"}",
	    f, NELEM(f), RQ_TABLES);
	free(path);
}
END_TEST

START_TEST(finish_links_hosts)
{
	long long	 id = rq_new(&K, admin_token(), NULL);
	long long	 h1 = inventory_host(), h2 = inventory_host();
	const char	*appr = rq_user("rqhf", "approve_host_req", NULL);
	struct resp	*r;

	rq_ok(&K, appr, id, "approve", NULL, "approved");
	/* unknown host, bad ids: refused, nothing changed */
	refused_in_at(__FILE__, __LINE__, RQ_TABLES, "POST", fmt("%s%lld/"
	    "actions/finish/", K.path, id), "{\"hosts\": [999999999]}", 400,
	    10002, "hosts[0]");
	refused_in_at(__FILE__, __LINE__, RQ_TABLES, "POST", fmt("%s%lld/"
	    "actions/finish/", K.path, id), "{\"hosts\": \"all\"}", 400,
	    10002, "hosts");
	refused_in_at(__FILE__, __LINE__, RQ_TABLES, "POST", fmt("%s%lld/"
	    "actions/finish/", K.path, id), "{\"hosts\": [", 400, 10001, NULL);
	rq_expect_status(id, "approved");
	r = rq_do(&K, appr, id, "finish", fmt("{\"hosts\": [{\"id\": %lld}, "
	    "%lld]}", h2, h1));
	ck_assert_msg(r->status == 200, "%s", r->body);
	ck_assert_str_eq(jstr(r->json, "status"), "finished");
	ck_assert_int_eq(jint(r->json, "hosts.0.id"), h1);
	ck_assert_int_eq(jint(r->json, "hosts.1.id"), h2);
	ck_assert(strncmp(jstr(r->json, "hosts.0.name"), "rqh-", 4) == 0);
	expect_recent(r->json, "finished_time");
	resp_free(r);
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM audit_log WHERE "
	    "kind = 'request' AND target_id = %lld AND op_type = "
	    "'finish_request' AND op_detail LIKE '%%hosts: [\"rqh-%%'", id)),
	    1);
	/* finish without hosts */
	id = rq_new(&K, admin_token(), NULL);
	rq_ok(&K, appr, id, "approve", NULL, "approved");
	rq_ok(&K, appr, id, "finish", NULL, "finished");
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
tc_hosts(void)
{
	TCase *tc = tcase_create("host_requests");

	tcase_add_test(tc, create_get_seed_spellings);
	tcase_add_test(tc, create_refusals_change_nothing);
	tcase_add_test(tc, patch_by_the_creator);
	tcase_add_test(tc, finish_links_hosts);
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
	static TCase *(*const cases[])(void) = { tc_hosts };

	return run_suite("requests_hosts", cases, 1) ? 1 : 0;
}

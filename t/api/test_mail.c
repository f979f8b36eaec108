/*
 * test_mail.c -- mail through the outbox (hg_mail_queue, hangar-agent's
 * mail.c) and forget-password's limits (issue 10, item 4).
 *
 * Mail is seen where it lands: the stack's SMTP sink (t/smtp-sink.c)
 * writes each message it accepts to HANGAR_SMTP_DIR/mail-N.eml, and
 * refuses a recipient while HANGAR_SMTP_DIR/refuse-ADDR counts down.
 * forget-password's counters are per client address, which the tests
 * choose with X-Forwarded-For (the stack's nginx trusts 127.0.0.1 as a
 * proxy); a fixture clears them before each test.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "authlib.h"

#define SUBJECT	"Hangar password reset"

static void
clear_counters(void)
{
	char cmd[2048];

	snprintf(cmd, sizeof(cmd), "redis-cli -s %1$s/redis.sock --scan "
	    "--pattern 'hangar:forget:*' | xargs -r redis-cli -s "
	    "%1$s/redis.sock DEL >/dev/null", getenv("HANGAR_DIR"));
	if (system(cmd) != 0)
		fprintf(stderr, "clearing forget-password counters failed\n");
}

/*
 * Run t/stack.sh CMD (stop-agent, start-agent) for the test stack: DIR
 * PORT BINDIR, so that the agent started is the one under test.
 */
static void
stack(const char *cmd)
{
	char line[4096];

	snprintf(line, sizeof(line), "\"%s\" %s \"%s\" \"%s\" \"%s\" "
	    ">/dev/null 2>&1", getenv("HANGAR_STACK"), cmd, getenv("HANGAR_DIR"),
	    getenv("HANGAR_TEST_PORT"), getenv("HANGAR_BIN"));
	ck_assert_msg(system(line) == 0, "t/stack.sh %s failed", cmd);
}

/* A test that stopped the agent and failed leaves it running again. */
static void
agent_up(void)
{
	stack("start-agent");
}

/* A user with this address; its id. */
static long long
mkuser(const char *name, const char *email)
{
	struct resp	*r;
	long long	 id;

	r = api_f("POST", "/users/", admin_token(), "{\"username\": \"%s\", "
	    "\"password\": \"password-%s\", \"email\": \"%s\"}", name, name,
	    email);
	ck_assert_msg(r->status == 201, "create %s: %s", name, r->body);
	id = jint(r->json, "id");
	resp_free(r);
	return id;
}

/* POST forget-password for (id, email) as client address from (NULL: us). */
static struct resp *
forget(long long id, const char *email, const char *from)
{
	const char	*hdr[2] = { NULL, NULL };
	char		 xff[128], body[512];

	if (from != NULL) {
		snprintf(xff, sizeof(xff), "X-Forwarded-For: %s", from);
		hdr[0] = xff;
	}
	snprintf(body, sizeof(body), "{\"email\": \"%s\"}", email);
	return api_raw("POST", path_of("/users/%lld/actions/forget-password/",
	    id), NULL, "application/json", body, strlen(body), hdr);
}

static void
expect_success(struct resp *r)
{
	ck_assert_msg(r->status == 200, "%ld %s", r->status, r->body);
	ck_assert_str_eq(jstr(r->json, "message"), "success");
	resp_free(r);
}

/* 429 with Retry-After within the window and the error body. */
static void
expect_throttled(struct resp *r)
{
	const char	*ra = resp_header(r, "Retry-After");
	long		 s;

	ck_assert_msg(ra != NULL, "no Retry-After: %s", r->headers);
	s = atol(ra);
	ck_assert_msg(s >= 1 && s <= 3600, "Retry-After: %s", ra);
	expect_error(r, 429, 10011, NULL);
}

/* How many mails the sink stored for addr. */
static int
mails_to(const char *addr)
{
	int	 n;

	free(sink_mail(addr, &n));
	return n;
}

/* The newest mail to addr, waiting up to secs for it; NULL if none came. */
static char *
mail_wait(const char *addr, int secs)
{
	char	*m;
	int	 i;

	for (i = 0; i < secs * 20 && (m = sink_mail(addr, NULL)) == NULL; i++)
		usleep(50000);
	return m;
}

/* Wait up to secs for an SQL count to reach want; the last count. */
static long long
count_wait(const char *sql, long long want, int secs)
{
	long long	n;
	int		i;

	for (i = 0; (n = db_int(sql)) != want && i < secs * 10; i++)
		usleep(100000);
	return n;
}

/* The sink refuses addr n times more (t/smtp-sink.c); 0 removes that. */
static void
refuse(const char *addr, int n)
{
	char	 path[4096];
	FILE	*f;

	snprintf(path, sizeof(path), "%s/refuse-%s", getenv("HANGAR_SMTP_DIR"),
	    addr);
	if (n == 0) {
		unlink(path);
		return;
	}
	ck_assert_ptr_nonnull(f = fopen(path, "w"));
	fprintf(f, "%d\n", n);
	fclose(f);
}

/* ---- delivery ------------------------------------------------------------ */

/*
 * The worker only queues: with the agent stopped, the mail waits in
 * MySQL (body sealed with the server key, an outbox row naming it, no
 * task), and nothing reaches the mail server.  A wrong pair writes the
 * same: a void decoy row and its outbox row.  Once the agent runs, the
 * mail arrives with the right recipient, subject and body, its row says
 * sent and its body is gone; the decoy is deleted, unsent.
 */
START_TEST(agent_delivers_queued_mail)
{
	const char	*name = uniq("mq");
	char		 email[128], sql[512], *body, *plain, *m;
	long long	 id, mail, decoy;

	snprintf(email, sizeof(email), "%s@example.com", name);
	id = mkuser(name, email);
	stack("stop-agent");
	expect_success(forget(id, email, NULL));
	snprintf(sql, sizeof(sql), "SELECT MAX(id) FROM mails WHERE "
	    "recipient = '%s'", email);
	mail = db_int(sql);
	ck_assert_int_gt(mail, 0);
	expect_success(forget(id, "wrong@example.com", NULL));
	decoy = db_int("SELECT MAX(id) FROM mails");
	ck_assert_int_gt(decoy, mail);
	ck_assert_int_eq(db_int(path_of("SELECT COUNT(*) FROM mails WHERE "
	    "id = %lld AND status = 'void'", decoy)), 1);
	ck_assert_int_eq(db_int(path_of("SELECT COUNT(*) FROM outbox WHERE "
	    "mail_id = %lld AND task_id IS NULL", decoy)), 1);
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM mails WHERE id = %lld "
	    "AND status = 'queued' AND attempts = 0 AND subject = '" SUBJECT
	    "'", mail);
	ck_assert_int_eq(db_int(sql), 1);
	ck_assert_int_eq(db_int(path_of("SELECT COUNT(*) FROM outbox WHERE "
	    "mail_id = %lld AND task_id IS NULL", mail)), 1);
	body = db_str(path_of("SELECT body FROM mails WHERE id = %lld", mail));
	ck_assert_msg(strstr(body, "token") == NULL, "body not sealed: %s",
	    body);
	plain = stack_unseal(body);
	ck_assert_ptr_nonnull(plain);
	ck_assert_msg(strstr(plain, name) != NULL &&
	    strstr(plain, "reset-password?token=") != NULL, "%s", plain);
	sleep(2);
	ck_assert_int_eq(mails_to(email), 0);
	stack("start-agent");
	m = mail_wait(email, 20);
	ck_assert_msg(m != NULL, "no mail to %s", email);
	ck_assert_ptr_nonnull(strstr(m, "Subject: " SUBJECT "\r\n"));
	/* The body sent is the body queued. */
	ck_assert_msg(strstr(m, plain) != NULL, "sent %s\nqueued %s", m, plain);
	ck_assert_int_eq(count_wait(path_of("SELECT COUNT(*) FROM mails WHERE "
	    "id = %lld AND status = 'sent' AND body = '' AND attempts = 1 AND "
	    "sent_time IS NOT NULL", mail), 1, 10), 1);
	ck_assert_int_eq(count_wait(path_of("SELECT COUNT(*) FROM mails WHERE "
	    "id = %lld", decoy), 0, 10), 0);
	ck_assert_int_eq(mails_to(email), 1);
	free(m);
	free(plain);
	free(body);
}
END_TEST

/*
 * A mail queued in a transaction that rolls back is never sent: an outbox
 * trigger fails the request after its mail was queued, and neither the
 * mail nor the reset token remains, and nothing arrives.
 */
START_TEST(rollback_sends_nothing)
{
	const char	*name = uniq("mr");
	char		 email[128], sql[1024];
	long long	 id;
	struct resp	*r;

	snprintf(email, sizeof(email), "%s@example.com", name);
	id = mkuser(name, email);
	db_exec("DROP TRIGGER IF EXISTS test_mail_rollback");
	snprintf(sql, sizeof(sql), "CREATE TRIGGER test_mail_rollback AFTER "
	    "INSERT ON outbox FOR EACH ROW BEGIN IF NEW.mail_id IS NOT NULL AND "
	    "(SELECT recipient FROM mails WHERE id = NEW.mail_id) = '%s' THEN "
	    "SIGNAL SQLSTATE '45000' SET MESSAGE_TEXT = 'test rollback'; "
	    "END IF; END", email);
	db_exec(sql);
	r = forget(id, email, NULL);
	db_exec("DROP TRIGGER test_mail_rollback");
	ck_assert_msg(r->status == 500, "%ld %s", r->status, r->body);
	resp_free(r);
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM mails WHERE "
	    "recipient = '%s'", email);
	ck_assert_int_eq(db_int(sql), 0);
	ck_assert_int_eq(db_int(path_of("SELECT COUNT(*) FROM password_resets "
	    "WHERE user_id = %lld", id)), 0);
	sleep(3);
	ck_assert_int_eq(mails_to(email), 0);
	/* Without the trigger, the same request mails. */
	expect_success(forget(id, email, NULL));
	free(mail_wait(email, 20));
	ck_assert_int_eq(mails_to(email), 1);
}
END_TEST

/*
 * A mail whose stream entry was lost (Redis lost it after the outbox was
 * marked delivered) is found by the agent's sweep once it is older than
 * claim_timeout, and sent.
 */
START_TEST(lost_relay_swept)
{
	const char	*name = uniq("ml");
	char		 email[128], sql[512], cmd[2048];
	long long	 id, mail;

	snprintf(email, sizeof(email), "%s@example.com", name);
	id = mkuser(name, email);
	stack("stop-agent");
	expect_success(forget(id, email, NULL));
	snprintf(sql, sizeof(sql), "SELECT MAX(id) FROM mails WHERE "
	    "recipient = '%s'", email);
	mail = db_int(sql);
	ck_assert_int_eq(count_wait(path_of("SELECT COUNT(*) FROM outbox WHERE "
	    "mail_id = %lld AND delivered_time IS NOT NULL", mail), 1, 5), 1);
	/* Its entry (mail <id>) leaves the stream, as if Redis lost it. */
	snprintf(cmd, sizeof(cmd), "r='redis-cli -s %s/redis.sock'; $r XRANGE "
	    "hangar:jobs - + | awk 'NR %% 3 == 1 { id = $0 } NR %% 3 == 2 "
	    "{ f = $0 } NR %% 3 == 0 && f == \"mail\" && $0 == \"%lld\" "
	    "{ print id }' | xargs -r $r XDEL hangar:jobs | grep -qx 1",
	    getenv("HANGAR_DIR"), mail);
	ck_assert_msg(system(cmd) == 0, "no stream entry for mail %lld", mail);
	db_exec(path_of("UPDATE mails SET created_time = created_time - "
	    "INTERVAL 2 HOUR WHERE id = %lld", mail));
	stack("start-agent");
	free(mail_wait(email, 20));
	ck_assert_int_eq(mails_to(email), 1);
	ck_assert_int_eq(count_wait(path_of("SELECT COUNT(*) FROM mails WHERE "
	    "id = %lld AND status = 'sent' AND body = ''", mail), 1, 10), 1);
}
END_TEST

/* Refused twice, then accepted: sent on the third attempt, body wiped. */
START_TEST(retry_after_refusal)
{
	const char	*name = uniq("mt");
	char		 email[128], sql[512], *m;
	long long	 id, mail;

	snprintf(email, sizeof(email), "%s@example.com", name);
	id = mkuser(name, email);
	refuse(email, 2);
	expect_success(forget(id, email, NULL));
	snprintf(sql, sizeof(sql), "SELECT MAX(id) FROM mails WHERE "
	    "recipient = '%s'", email);
	mail = db_int(sql);
	ck_assert_int_eq(count_wait(path_of("SELECT attempts FROM mails WHERE "
	    "id = %lld", mail), 1, 10), 1);
	ck_assert_int_eq(mails_to(email), 0);
	m = mail_wait(email, 30);
	ck_assert_msg(m != NULL, "no mail to %s after retries", email);
	free(m);
	ck_assert_int_eq(count_wait(path_of("SELECT COUNT(*) FROM mails WHERE "
	    "id = %lld AND status = 'sent' AND attempts = 3 AND body = '' AND "
	    "last_error = ''", mail), 1, 10), 1);
	ck_assert_int_eq(mails_to(email), 1);
	refuse(email, 0);
}
END_TEST

/* Refused every time: failed after mail_attempts (5), body wiped, unsent. */
START_TEST(final_failure_wipes_body)
{
	const char	*name = uniq("mf");
	char		 email[128], sql[512];
	long long	 id, mail;

	snprintf(email, sizeof(email), "%s@example.com", name);
	id = mkuser(name, email);
	refuse(email, 1000);
	expect_success(forget(id, email, NULL));
	snprintf(sql, sizeof(sql), "SELECT MAX(id) FROM mails WHERE "
	    "recipient = '%s'", email);
	mail = db_int(sql);
	ck_assert_int_eq(count_wait(path_of("SELECT COUNT(*) FROM mails WHERE "
	    "id = %lld AND status = 'failed'", mail), 1, 40), 1);
	ck_assert_int_eq(db_int(path_of("SELECT COUNT(*) FROM mails WHERE "
	    "id = %lld AND attempts = 5 AND body = '' AND last_error <> ''",
	    mail)), 1);
	sleep(2);
	ck_assert_int_eq(db_int(path_of("SELECT attempts FROM mails WHERE "
	    "id = %lld", mail)), 5);
	ck_assert_int_eq(mails_to(email), 0);
	refuse(email, 0);
}
END_TEST

/* ---- forget-password ----------------------------------------------------- */

/*
 * 20 requests an hour from one address (each for another user, so no
 * user's own bound is reached); the 21st is 429 with Retry-After and
 * queues nothing, though its pair is right.  Another address is not
 * affected.
 */
START_TEST(forget_throttled_per_address)
{
	const char	*name = uniq("ma");
	char		 email[128], sql[512];
	long long	 id;
	int		 i;

	snprintf(email, sizeof(email), "%s@example.com", name);
	id = mkuser(name, email);
	for (i = 0; i < 20; i++)
		expect_success(forget(900000000LL + i, "x@example.com",
		    "198.51.100.7"));
	expect_throttled(forget(id, email, "198.51.100.7"));
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM mails WHERE "
	    "recipient = '%s'", email);
	ck_assert_int_eq(db_int(sql), 0);
	ck_assert_int_eq(db_int(path_of("SELECT COUNT(*) FROM password_resets "
	    "WHERE user_id = %lld", id)), 0);
	sleep(2);
	ck_assert_int_eq(mails_to(email), 0);
	/* Still refused; from elsewhere, the same pair mails. */
	expect_throttled(forget(id, email, "198.51.100.7"));
	expect_success(forget(id, email, "198.51.100.8"));
	ck_assert_int_eq(db_int(sql), 1);
	free(mail_wait(email, 20));
	ck_assert_int_eq(mails_to(email), 1);
}
END_TEST

/*
 * 5 requests an hour for one user, from any addresses and with any
 * address given (right or wrong); the 6th is 429 with Retry-After and
 * queues nothing.  Another user is not affected.
 */
START_TEST(forget_throttled_per_user)
{
	const char	*name = uniq("mu"), *other = uniq("mu");
	char		 email[128], email2[128], sql[512], from[64];
	long long	 id, id2;
	int		 i;

	snprintf(email, sizeof(email), "%s@example.com", name);
	snprintf(email2, sizeof(email2), "%s@example.com", other);
	id = mkuser(name, email);
	id2 = mkuser(other, email2);
	expect_success(forget(id, "wrong@example.com", "198.51.100.20"));
	for (i = 0; i < 4; i++) {
		snprintf(from, sizeof(from), "198.51.100.%d", 21 + i);
		expect_success(forget(id, email, from));
	}
	expect_throttled(forget(id, email, "198.51.100.30"));
	snprintf(sql, sizeof(sql), "SELECT COUNT(*) FROM mails WHERE "
	    "recipient = '%s'", email);
	ck_assert_int_eq(db_int(sql), 4);
	ck_assert_int_eq(db_int(path_of("SELECT COUNT(*) FROM password_resets "
	    "WHERE user_id = %lld", id)), 4);
	expect_success(forget(id2, email2, "198.51.100.30"));
	for (i = 0; i < 100 && mails_to(email) < 4; i++)
		usleep(100000);
	sleep(1);
	ck_assert_int_eq(mails_to(email), 4);
	free(mail_wait(email2, 20));
}
END_TEST

/*
 * A right and a wrong pair get the same answer: status, headers but the
 * request id, and body, byte for byte.
 */
START_TEST(forget_same_answer)
{
	const char	*name = uniq("ms");
	char		 email[128], *h1, *h2;
	long long	 id;
	struct resp	*a, *b;

	snprintf(email, sizeof(email), "%s@example.com", name);
	id = mkuser(name, email);
	a = forget(id, email, "198.51.100.40");
	b = forget(id, "nobody@example.com", "198.51.100.40");
	ck_assert_int_eq(a->status, 200);
	ck_assert_int_eq(b->status, a->status);
	ck_assert_uint_eq(a->len, b->len);
	ck_assert_int_eq(memcmp(a->body, b->body, a->len), 0);
	h1 = strdup(resp_header(a, "Content-Type"));
	h2 = strdup(resp_header(b, "Content-Type"));
	ck_assert_str_eq(h1, h2);
	free(h1);
	free(h2);
	ck_assert_ptr_null(resp_header(a, "Set-Cookie"));
	ck_assert_ptr_null(resp_header(b, "Set-Cookie"));
	resp_free(a);
	resp_free(b);
	free(mail_wait(email, 20));
}
END_TEST

/*
 * An address that would end or add to a mail header is refused where
 * addresses come in (users' email, forget-password's), and queues
 * nothing.
 */
START_TEST(email_header_injection_refused)
{
	static const char *const bad[] = {
	    "a@example.com>, <evil@example.com", "a@example.com,evil@example.com",
	    "<a@example.com", "a@example.com\\r\\nBcc: evil@example.com",
	    "a@example.com\\nBcc: evil@example.com" };
	const char	*name = uniq("mh");
	char		 email[128];
	long long	 id, before;
	size_t		 i;
	struct resp	*r;

	snprintf(email, sizeof(email), "%s@example.com", name);
	id = mkuser(name, email);
	before = db_int("SELECT COALESCE(MAX(id), 0) FROM mails");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		expect_error(forget(id, bad[i], NULL), 400, 10002, "email");
		r = api_f("PATCH", path_of("/users/%lld/", id), admin_token(),
		    "{\"email\": \"%s\"}", bad[i]);
		expect_error(r, 400, 10002, "email");
		r = api_f("POST", "/users/", admin_token(), "{\"username\": "
		    "\"%s\", \"password\": \"password-x1\", \"email\": \"%s\"}",
		    uniq("mh"), bad[i]);
		expect_error(r, 400, 10002, "email");
	}
	ck_assert_int_eq(db_int("SELECT COUNT(*) FROM mails WHERE recipient "
	    "LIKE '%evil%'"), 0);
	ck_assert_int_eq(db_int(path_of("SELECT COUNT(*) FROM mails WHERE "
	    "id > %lld", before)), 0);
	ck_assert_int_eq(db_int(fmt("SELECT COUNT(*) FROM users WHERE id = %lld "
	    "AND email = '%s'", id, email)), 1);
}
END_TEST

static TCase *
tc_delivery(void)
{
	TCase *tc = tcase_create("delivery");

	tcase_add_checked_fixture(tc, clear_counters, agent_up);
	tcase_add_test(tc, agent_delivers_queued_mail);
	tcase_add_test(tc, rollback_sends_nothing);
	tcase_add_test(tc, lost_relay_swept);
	tcase_add_test(tc, retry_after_refusal);
	tcase_add_test(tc, final_failure_wipes_body);
	return tc;
}

static TCase *
tc_forget(void)
{
	TCase *tc = tcase_create("forget");

	tcase_add_checked_fixture(tc, clear_counters, NULL);
	tcase_add_unchecked_fixture(tc, NULL, clear_counters);
	tcase_add_test(tc, forget_throttled_per_address);
	tcase_add_test(tc, forget_throttled_per_user);
	tcase_add_test(tc, forget_same_answer);
	tcase_add_test(tc, email_header_injection_refused);
	return tc;
}

int
main(void)
{
	static TCase *(*const cases[])(void) = { tc_delivery, tc_forget };

	return run_suite("mail", cases, sizeof(cases) / sizeof(cases[0])) ?
	    1 : 0;
}

/*
 * conf.c -- hangar.conf parsing, driven by one table (see conf.h).
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "log.h"
#include "timefmt.h"

struct hg_conf hg_conf;

static const char *
check_level(const char *v)
{
	return hg_log_level(v) >= 0 ? NULL : "must be debug, info, warn or error";
}

static const char *
check_tz(const char *v)
{
	return hg_tz_valid(v) ? NULL : "must be system, Z or +HH:MM";
}
/* An octal file mode that gives nothing to others: 0600 to 0770. */
static const char *
check_mode(const char *v)
{
	char	*end;
	long	 m;

	m = strtol(v, &end, 8);
	if (*v != '0' || end == v || *end != '\0' || m < 0 || m > 0777)
		return "must be an octal mode such as 0660";
	if ((m & 0600) != 0600 || (m & 07) != 0)
		return "must give the owner read and write and others nothing";
	return NULL;
}

/*
 * A secret sent in an HTTP header: printable token characters only (no
 * space, quote or line break that could end or split the header, or
 * break the quoted string nginx compares it with), and long enough not to
 * be guessed.
 */
static const char *
check_secret(const char *v)
{
	size_t n = strlen(v);

	if (n == 0)
		return NULL;
	if (n < 16 || n > 256)
		return "must be 16 to 256 characters (openssl rand -hex 32)";
	if (strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789-._~+/=") != n)
		return "must be letters, digits and - . _ ~ + / = only";
	return NULL;
}

/* Keys whose values hg_conf_dump() hides. */
static int
is_secret(const char *name)
{
	size_t n = strlen(name);

	return strstr(name, "password") != NULL ||
	    (n > 7 && strcmp(name + n - 7, "_secret") == 0);
}

static const struct hg_conf *keep;	/* the configuration a load replaces */

#define SC(name, def, check, help) \
	{ #name, HG_C_STR, offsetof(struct hg_conf, name), def, 0, 0, help, check }
#define S(name, def, help) \
	{ #name, HG_C_STR, offsetof(struct hg_conf, name), def, 0, 0, help, NULL }
#define I(name, def, lo, hi, help) \
	{ #name, HG_C_INT, offsetof(struct hg_conf, name), def, lo, hi, help, NULL }

const struct hg_confkey hg_confkeys[] = {
	S(listen, "run/hangard.sock", "FastCGI unix socket hangard binds"),
	SC(listen_mode, "0660", check_mode,
	    "the socket's mode (octal): owner and group read and write"),
	S(listen_group, "", "the socket's group, nginx's (empty: hangard's own)"),
	I(trust_proxy, "0", 0, 1, "1: take https from X-Forwarded-Proto, "
	    "as nginx passes it from a trusted proxy"),
	I(workers, "4", 1, 256, "prefork worker processes"),
	I(max_requests, "10000", 0, 100000000,
	    "requests a worker serves before it is replaced (0: never)"),
	I(max_body, "1048576", 1024, 67108864, "largest request body, bytes"),
	S(pid_file, "run/hangard.pid", "hangard master's pid file"),
	S(access_log, "run/log/access.log", "one line per request ('-': stderr)"),
	S(log_file, "run/log/hangard.log", "hangard's event log ('-': stderr)"),
	SC(log_level, "info", check_level, "debug, info, warn or error"),
	SC(timezone, "system", check_tz,
	    "offset for times in responses: +08:00, Z or system"),
	S(db_socket, "run/mysql.sock", "MariaDB unix socket (empty: use db_host)"),
	S(db_host, "127.0.0.1", "MariaDB host when db_socket is empty"),
	I(db_port, "3306", 1, 65535, "MariaDB TCP port"),
	S(db_user, "root", "MariaDB user"),
	S(db_password, "", "MariaDB password"),
	S(db_name, "hangar", "database name"),
	I(db_timeout, "5", 1, 300, "seconds to connect, read or write MariaDB"),
	S(redis_socket, "run/redis.sock", "Redis unix socket (empty: use redis_host)"),
	S(redis_host, "127.0.0.1", "Redis host when redis_socket is empty"),
	I(redis_port, "6379", 1, 65535, "Redis TCP port"),
	I(redis_timeout_ms, "500", 10, 60000, "Redis connect and command timeout, ms"),
	I(session_idle, "7200", 60, 31536000, "session ends after this many idle seconds"),
	I(session_max, "86400", 60, 31536000, "session ends this many seconds after login"),
	I(auth_cache_ttl, "2", 0, 60,
	    "seconds a worker may reuse a token or session lookup (0: never)"),
	I(login_max_failures, "10", 1, 1000,
	    "failed logins per username from one address before 429"),
	I(login_addr_max_failures, "100", 1, 100000,
	    "failed logins from one address, any username, before 429"),
	I(login_user_max_failures, "100", 1, 100000,
	    "failed logins per username from all addresses before 429"),
	I(login_window, "900", 10, 86400, "seconds over which failed logins count"),
	S(smtp_url, "smtp://127.0.0.1:25", "SMTP server the agent sends Hangar's mail to"),
	S(mail_from, "hangar@localhost", "sender address of Hangar's mail"),
	I(mail_attempts, "5", 1, 100,
	    "times the agent tries to send a mail before it gives up"),
	I(mail_retry_delay, "60", 1, 86400,
	    "seconds between two attempts to send a mail"),
	I(forget_addr_max_requests, "20", 1, 100000,
	    "forget-password requests from one address before 429"),
	I(forget_user_max_requests, "5", 1, 100000,
	    "forget-password requests for one user before 429"),
	I(forget_window, "3600", 10, 86400,
	    "seconds over which forget-password requests count"),
	S(public_url, "http://127.0.0.1:8080", "Hangar's URL as users see it (for mailed links)"),
	S(secret_key_file, "run/secret.key",
	    "32-byte key sealing stored secrets (created by hangarctl keygen)"),
	S(agent_log, "run/log/agent.log", "hangar-agent's event log ('-': stderr)"),
	S(agent_pid_file, "run/hangar-agent.pid", "hangar-agent's pid file"),
	I(parallel, "64", 1, 4096, "hosts one agent works on at once"),
	I(claim_timeout, "60", 5, 86400,
	    "seconds before a job held by a silent agent is claimed by another"),
	I(ssh_timeout, "10", 1, 600, "seconds to connect and authenticate over SSH"),
	I(command_timeout, "300", 1, 86400, "seconds a remote command may run"),
	S(known_hosts, "run/known_hosts", "pinned SSH host keys"),
	I(log_read_timeout, "5", 1, 60, "seconds hangard may spend reading "
	    "an instance's log over SFTP (connecting included)"),
	S(power_restart_cmd, "",
	    "command a PHY_HOST restart runs on the host over SSH (empty: refuse)"),
	S(power_stop_cmd, "",
	    "command a PHY_HOST stop runs on the host over SSH (empty: refuse)"),
	S(power_start_cmd, "", "local out-of-band command that powers a "
	    "PHY_HOST on; gets the host's name and address as $1 $2 (empty: refuse)"),
	S(init_script, "", "local script file an init task runs on the host "
	    "with sh over SSH (empty: refuse)"),
	S(ws_publish_url, "http://localhost/tasks/", "nginx's nchan publisher "
	    "for live task output; the task id is appended (empty: publish "
	    "nothing)"),
	S(ws_publish_socket, "/run/hangar/publish.sock", "unix socket the "
	    "publisher listens on (empty: connect to ws_publish_url's host)"),
	SC(ws_publish_secret, "", check_secret, "shared secret the agent sends "
	    "as X-Hangar-Publish-Secret; nginx's publisher refuses a publish "
	    "without it (empty: send none)"),
	I(ws_publish_timeout, "1000", 50, 10000,
	    "milliseconds one publish of live output may take"),
	S(cdn_domains, "", "domains a CDN refresh URL may name, comma or space "
	    "separated; a leading \"*.\" or \".\" also takes subdomains "
	    "(empty: any)"),
	I(cdn_timeout, "900", 5, 86400, "seconds a CDN refresh task may take "
	    "from its creation before it is TIMEOUT"),
	I(cdn_poll_ms, "5000", 50, 600000,
	    "milliseconds between two status queries of a CDN refresh"),
	I(jump_log_retention_days, "0", 0, 36500, "days the bastion command "
	    "log keeps a line, by its created_time (0: forever); hangar-agent "
	    "drops older ones"),
	I(jump_log_purge_batch, "5000", 1, 100000, "lines (and their "
	    "keyword index rows) one retention transaction drops"),
	S(zabbix_url, "", "Zabbix 6.0 api_jsonrpc.php URL (empty: no Zabbix)"),
	S(zabbix_user, "Admin", "Zabbix API user"),
	S(zabbix_password, "", "Zabbix API user's password"),
	I(zabbix_timeout, "5", 1, 120, "seconds one Zabbix API call may take"),
	S(jinja_check, HG_LIBEXECDIR "/hangar-jinja-check",
	    "the program that checks a jinja deploy script's syntax"),
	I(jinja_check_timeout, "5000", 100, 60000,
	    "milliseconds one deploy script check may take"),
	S(deploy_cache_dir, "run/deploy-cache", "hangar-agent's folder for "
	    "each application's repository cache and each release's workspace "
	    "and package"),
	S(deploy_ca_file, "", "PEM file of the CAs hangar-agent trusts for "
	    "git over HTTPS and FTPS downloads (empty: the system's)"),
	I(dns_timeout, "5000", 100, 60000,
	    "milliseconds one call to a DNS server may take"),
	I(dns_default_ttl, "3600", 1, 2147483647,
	    "TTL of a DNS record created without one"),
	{ NULL, 0, 0, NULL, 0, 0, NULL, NULL }
};

static const struct hg_confkey *
lookup(const char *name)
{
	const struct hg_confkey *k;

	for (k = hg_confkeys; k->k_name != NULL; k++)
		if (strcmp(k->k_name, name) == 0)
			return k;
	return NULL;
}

static int
set(const struct hg_confkey *k, const char *val, char *err, size_t errlen)
{
	char	*p = (char *)&hg_conf + k->k_off, *end;
	long	 n;

	if (k->k_type == HG_C_STR) {
		char		*dup;
		const char	*why;

		if (k->k_check != NULL && (why = k->k_check(val)) != NULL) {
			/* a secret's value is not repeated in the message */
			if (is_secret(k->k_name))
				snprintf(err, errlen, "%s: %s", k->k_name, why);
			else
				snprintf(err, errlen, "%s: \"%s\" %s",
				    k->k_name, val, why);
			return -1;
		}
		dup = strdup(val);

		if (dup == NULL) {
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		/* Keep what a failed reload must restore; free the rest. */
		if (*(char **)p != NULL && (keep == NULL ||
		    *(char **)p != *(char *const *)((const char *)keep + k->k_off)))
			free(*(char **)p);
		*(char **)p = dup;
		return 0;
	}
	errno = 0;
	n = strtol(val, &end, 10);
	if (errno != 0 || end == val || *end != '\0') {
		snprintf(err, errlen, "%s: \"%s\" is not a number", k->k_name, val);
		return -1;
	}
	if (n < k->k_min || n > k->k_max) {
		snprintf(err, errlen, "%s: %ld is out of range %ld..%ld",
		    k->k_name, n, k->k_min, k->k_max);
		return -1;
	}
	*(long *)p = n;
	return 0;
}

static char *
trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

static int
load(const char *path, char *err, size_t errlen)
{
	const struct hg_confkey	*k;
	FILE			*f;
	char			 line[4096], msg[512], *key, *val, *eq;
	int			 lineno = 0, rc = 0;

	for (k = hg_confkeys; k->k_name != NULL; k++)
		if (set(k, k->k_default, err, errlen) == -1)
			return -1;
	if (path == NULL)
		return 0;
	if ((f = fopen(path, "r")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(f)) {
			snprintf(err, errlen, "%s:%d: line too long", path, lineno);
			rc = -1;
			break;
		}
		key = trim(line);
		if (*key == '#' || *key == '\0')
			continue;
		if ((eq = strchr(key, '=')) == NULL) {
			snprintf(err, errlen, "%s:%d: expected \"key = value\"",
			    path, lineno);
			rc = -1;
			break;
		}
		*eq = '\0';
		key = trim(key);
		val = trim(eq + 1);
		if ((k = lookup(key)) == NULL) {
			snprintf(err, errlen, "%s:%d: unknown key \"%s\"",
			    path, lineno, key);
			rc = -1;
			break;
		}
		if (set(k, val, msg, sizeof(msg)) == -1) {
			snprintf(err, errlen, "%s:%d: %s", path, lineno, msg);
			rc = -1;
			break;
		}
	}
	fclose(f);
	return rc;
}

/* Free the strings of c that the configuration in force does not use. */
static void
free_unused(struct hg_conf *c)
{
	const struct hg_confkey *k;

	for (k = hg_confkeys; k->k_name != NULL; k++) {
		char **p = (char **)((char *)c + k->k_off);
		char **cur = (char **)((char *)&hg_conf + k->k_off);

		if (k->k_type == HG_C_STR && *p != *cur)
			free(*p);
	}
}

/* All or nothing: on error the previous configuration stays in force. */
int
hg_conf_load(const char *path, char *err, size_t errlen)
{
	struct hg_conf	saved = hg_conf, loaded;
	int		rc;

	keep = &saved;
	rc = load(path, err, errlen);
	keep = NULL;
	if (rc != 0) {
		loaded = hg_conf;
		hg_conf = saved;
		free_unused(&loaded);
	} else
		free_unused(&saved);
	return rc;
}

void
hg_conf_dump(void)
{
	const struct hg_confkey *k;

	for (k = hg_confkeys; k->k_name != NULL; k++) {
		const char *p = (const char *)&hg_conf + k->k_off;

		if (k->k_type == HG_C_INT)
			printf("%s = %ld\n", k->k_name, *(const long *)p);
		else if (is_secret(k->k_name) &&
		    **(char *const *)p != '\0')
			printf("%s = ******\n", k->k_name);
		else
			printf("%s = %s\n", k->k_name, *(char *const *)p);
	}
}

/*
 * client.h -- what the API tests share: a libcurl client for the test
 * stack, direct database reads (to prove a refused request changed
 * nothing), and assertions about Hangar's error body.
 *
 * The stack is started by t/run-tests.sh, which exports:
 *	HANGAR_URL		http://127.0.0.1:PORT
 *	HANGAR_ADMIN_PASSWORD	the superuser admin's password
 *	HANGAR_DIR		the stack's folder (mysql.sock, logs, ...)
 *	HANGAR_SMTP_DIR		where t/smtp-sink writes captured mail
 */
#ifndef HG_TEST_CLIENT_H
#define HG_TEST_CLIENT_H

#include <stddef.h>

#include <check.h>
#include <sys/types.h>

#include <json-c/json.h>

struct resp {
	long		 status;
	char		*body;
	size_t		 len;
	char		*headers;	/* raw response headers */
	json_object	*json;		/* parsed body, NULL if not JSON */
};

/* Request with a JSON body given as text (NULL: no body). */
struct resp	*api(const char *method, const char *path, const char *token,
		    const char *json);
/* printf-style body: api_f("POST", "/roles/", tok, "{\"name\": \"%s\"}", n) */
struct resp	*api_f(const char *method, const char *path, const char *token,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* Full control: content type, raw bytes, extra header lines ("K: v"). */
struct resp	*api_raw(const char *method, const char *path, const char *token,
		    const char *ctype, const char *body, size_t len,
		    const char *const *headers);
void		 resp_free(struct resp *);
/* Value of a response header (case-insensitive), static buffer; or NULL. */
const char	*resp_header(struct resp *, const char *name);

/* POST a printf-style body to path as the admin: 201 required; the id. */
long long	 api_create(const char *path, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));

/* The admin's API token (created once per test process). */
const char	*admin_token(void);
/*
 * Create user NAME (password "password-NAME", non-superuser unless super)
 * and return an API token acting as it; *id gets the user id.
 */
const char	*user_token(const char *name, int super, long long *id);
/* A unique name for this process: prefix-<pid>-<counter>. */
const char	*uniq(const char *prefix);

/* Database reads (through the stack's MariaDB socket). */
long long	 db_int(const char *sql);		/* first cell as integer */
void		 db_exec(const char *sql);		/* a statement, no result */
long long	 db_insert(const char *sql);		/* INSERT; its id */
char		*db_str(const char *sql);		/* first cell; free it */
/* INSERT for a user that never logs in (no usable password). */
const char	*hg_sql_user(const char *name, int super, char *buf, size_t len);
/* Assert the tables' fingerprint still equals before (which is freed). */
void		 db_unchanged(char *before, const char *tables);
/* printf into one of 16 rotating buffers (2 KB each): no free needed. */
char		*fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
/*
 * Seal a secret with the test stack's server key as lib/secret.c does
 * (base64 of nonce and secretbox), and open one; the caller frees.
 */
char		*stack_seal(const char *plain);
char		*stack_unseal(const char *sealed);
/* The test stack's hangard master (its pid file), and its live workers. */
#define HG_MAXKIDS	64
pid_t		 hangard_master(void);
int		 hangard_workers(pid_t master, pid_t *kids);
/* s quoted for an SQL string literal (quotes and backslashes doubled),
 * in one of 8 rotating buffers. */
const char	*sqlq(const char *s);
/* fmt with one %lld filled in. */
char		*path_of(const char *f, long long id);
/* A fingerprint of tables (comma-separated): equal means unchanged. */
char		*db_fingerprint(const char *tables);

/* JSON helpers: jpath(j, "results.0.name") (NULL if absent). */
json_object	*jpath(json_object *, const char *path);
const char	*jstr(json_object *, const char *path);
long long	 jint(json_object *, const char *path);

/*
 * Assert r is an error with this HTTP status and error_code, with a
 * message, an X-Request-Id header, and (for 10002) errors naming field
 * when field is not NULL.  Frees r.
 */
#define expect_error(r, http, code, field) \
	expect_error_at(__FILE__, __LINE__, r, http, code, field)
void	expect_error_at(const char *, int, struct resp *, long http, int code,
	    const char *field);
#define expect_status(r, http) expect_status_at(__FILE__, __LINE__, r, http)
void	expect_status_at(const char *, int, struct resp *, long http);
/* A request of a table of them; path may hold one %lld (the id given). */
struct call {
	const char	*method, *path, *body;
};
/* Each call, as token (NULL: anonymous), gets http and code; tables unchanged. */
void	expect_all_refused(const struct call *, size_t n, long long id,
	    const char *token, long http, int code, const char *tables);
void	refused_in_at(const char *, int, const char *tables, const char *method,
	    const char *path, const char *body, long http, int code,
	    const char *field);

/*
 * The bad-input battery for one endpoint that takes a JSON object body:
 * malformed JSON, wrong content type, an oversized (2 MiB) body, a
 * non-object body, and for every declared field: missing (when required),
 * wrong JSON type, too long (when maxlen > 0), out of its enum (when
 * enum_bad is set).  Every refusal is checked for its status and code and
 * that the fingerprint of tables did not change.
 */
struct field_spec {
	const char	*name;
	int		 required;
	const char	*type;		/* "string", "int", "bool", "array", "object" */
	int		 maxlen;	/* strings: longest accepted, 0: unchecked */
	const char	*enum_bad;	/* a value outside the enum, or NULL */
};
void	bad_input_battery(const char *method, const char *path,
	    const char *token, const char *valid_json,
	    const struct field_spec *, size_t nfields, const char *tables);

/* Build and run a check suite of one TCase per entry; returns failures. */
int	run_suite(const char *name, TCase *(*const *cases)(void), size_t n);

/* The newest mail the SMTP sink stored for addr (free it), or NULL; *count
 * (may be NULL) how many it stored for addr. */
char		*sink_mail(const char *addr, int *count);

/* A whole file, NUL-terminated (free it), or NULL when it cannot be opened;
 * read to the end, so /proc files work too. */
char		*slurp(const char *path);

/*
 * A vendor's stand-in (t/cloud-standin.py, t/cdn-standin.py: script is
 * its file name beside t/stack.sh), taking key ("AK:SK") and listening on
 * a free port it writes to a file; standin_start waits for it (10 s) and
 * fails the test without it.  It dies with the test however that ends.
 */
struct standin {
	pid_t	 pid;
	int	 port;
	char	 dir[64];
};
void	standin_start(struct standin *, const char *script, const char *key);
void	standin_stop(struct standin *);
/* POST json to the stand-in's control API at path (as the vendor's side). */
void	standin_post(const struct standin *, const char *path,
	    const char *json);

#endif

/*
 * hangard.h -- the FastCGI server's internal interface.
 *
 * A request flows route -> method -> auth -> permission -> body checks ->
 * handler (which validates by declaration and runs its SQL in the request's
 * transaction) -> JSON.  Every handler returns 0 or an error code; one
 * function renders errors (reply.c).  Prototypes are grouped by file.
 */
#ifndef HANGARD_H
#define HANGARD_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <fcgiapp.h>
#include <json-c/json.h>

#include "arena.h"
#include "db.h"
#include "path.h"
#include "err.h"
#include "valid.h"
#include "sqlargs.h"

struct hg_redis;

#define HG_MAXPARAMS	HG_PATH_MAXPARAMS	/* path parameters, path.h */

/* The authenticated caller. */
struct hg_user {
	long long	 u_id;
	const char	*u_username;
	const char	*u_name;
	int		 u_superuser;
	long long	 u_session;	/* 0 when authenticated by token */
	const char	*u_csrf;	/* session's CSRF token */
	/* module grants "module.perm", loaded once per request (perms.c) */
	char		**u_mperms;
	int		 u_nmperms;
	int		 u_mloaded;
};

struct hg_route;
struct hg_page;

struct hg_req {
	struct hg_arena		*r_arena;
	struct hg_db		*r_db;
	struct hg_redis		*r_redis;
	FCGX_Request		*r_fcgi;
	const struct hg_route	*r_route;
	char			 r_id[33];	/* X-Request-Id */
	const char		*r_method;
	const char		*r_uri;		/* as requested, with query */
	const char		*r_path;	/* normalized, no trailing slash */
	const char		*r_query;	/* raw query string */
	struct hg_qparam	*r_q;		/* decoded query parameters */
	size_t			 r_nq;
	long long		 r_ids[HG_MAXPARAMS];	/* numeric path params */
	const char		*r_params[HG_MAXPARAMS];/* the same as text */
	int			 r_nparams;
	json_object		*r_body;	/* parsed body or NULL */
	/* what dispatch validated from the route's declarations */
	struct hg_val		*r_in;		/* body fields (OBJECT) */
	struct hg_val		**r_items;	/* body items (ITEMS) */
	size_t			 r_nitems;
	long long		*r_idv;		/* body ids (IDS) */
	size_t			 r_nidv;
	struct hg_val		*r_qv;		/* query fields */
	struct hg_page		*r_page;	/* PAGED */
	const char		*r_remote;
	int			 r_https;
	struct hg_user		*r_user;	/* NULL: anonymous */
	int			 r_outbox;	/* task or mail queued: push after commit */
	int			 r_auth_write;	/* wrote a table auth reads (sql.c) */
	/* response */
	int			 r_status;
	json_object		*r_out;
	char			*r_headers;	/* extra "Name: value\r\n" lines */
	size_t			 r_bytes;
	/* error, rendered by reply.c */
	int			 r_err;
	int			 r_err_http;
	const char		*r_err_msg;
	json_object		*r_err_fields;
};

typedef int (*hg_handler)(struct hg_req *);

/*
 * What a route needs.  MODULE/APP/HOST name a permission of API.md
 * section 3; APP and HOST are checked on the object named by the route's
 * first path parameter.
 */
enum hg_pkind {
	HG_P_UNSET,	/* not declared: hangard refuses to start */
	HG_P_PUBLIC,	/* anyone, no authentication */
	HG_P_LOGIN,	/* any authenticated user */
	HG_P_SUPER,	/* superusers only */
	HG_P_SELF,	/* the user named by {id}, or a superuser */
	HG_P_MODULE,	/* a module permission (module, perm) */
	HG_P_APP,	/* a per-application permission on {id} */
	HG_P_HOST,	/* a per-host permission on {id} */
};

struct hg_perm {
	enum hg_pkind	 p_kind;
	const char	*p_module;
	const char	*p_name;
};

#define PERM_PUBLIC	{ HG_P_PUBLIC, NULL, NULL }
#define PERM_LOGIN	{ HG_P_LOGIN, NULL, NULL }
#define PERM_SUPER	{ HG_P_SUPER, NULL, NULL }
#define PERM_SELF	{ HG_P_SELF, NULL, NULL }
#define PERM_MODULE(m, p) { HG_P_MODULE, m, p }
#define PERM_APP(p)	{ HG_P_APP, "application", p }
#define PERM_HOST(p)	{ HG_P_HOST, "resource", p }

/*
 * What a route's body is.  dispatch validates it before the handler runs
 * and hands the handler the values (struct hg_req's r_in, r_items, r_idv).
 */
enum hg_bodykind {
	HG_B_NONE,	/* no body is read (a GET, or an action without one) */
	HG_B_OBJECT,	/* a JSON object of rt_fields -> r_in */
	HG_B_IDS,	/* the seed's [{"id": N}, ...] -> r_idv, r_nidv */
	HG_B_ITEMS,	/* an array of objects of rt_fields -> r_items */
	HG_B_RAW,	/* the exception: the handler reads r_body itself */
};

struct hg_fields {
	const struct hg_field	*fs_f;
	size_t			 fs_n;
};

/*
 * One route: the whole contract of a URL.  Write entries with ROUTE() and
 * the declarations after it (ARG, BODY, PATCH, IDS, ITEMS, RAWBODY, QUERY,
 * PAGED, AUDIT, NOCSRF, SUCCESS); `hangard -R` prints them.
 */
struct hg_route {
	const char	*rt_method;
	const char	*rt_pattern;	/* "/users/{id}/roles"; {x:s} is text */
	hg_handler	 rt_fn;
	struct hg_perm	 rt_perm;
	const void	*rt_arg;	/* r_arg: one handler, sibling routes */
	enum hg_bodykind rt_body;
	struct hg_fields rt_fields;	/* the body's (OBJECT, ITEMS) */
	struct hg_fields rt_query;	/* the query string's */
	const char	*rt_audit;	/* audit_log kind it writes, or NULL */
	unsigned	 rt_maxitems;	/* ITEMS, IDS: most items (0: 1000) */
	unsigned	 rt_optional:1;	/* PATCH: no body field is required */
	unsigned	 rt_paged:1;	/* page, page_size -> r_page */
	unsigned	 rt_nocsrf:1;	/* cookie mutation without CSRF (login) */
	unsigned	 rt_success:1;	/* the answer's object says "success" */
};

#define ROUTE(m, pat, fn, perm, ...) { .rt_method = (m), \
	.rt_pattern = (pat), .rt_fn = (fn), .rt_perm = perm, __VA_ARGS__ }
#define ARG(a)		.rt_arg = (a)
#define BODY(t)		.rt_body = HG_B_OBJECT, \
			.rt_fields = { (t), HG_NELEM(t) }
#define PATCH(t)	BODY(t), .rt_optional = 1
#define IDS		.rt_body = HG_B_IDS
#define ITEMS(t)	.rt_body = HG_B_ITEMS, \
			.rt_fields = { (t), HG_NELEM(t) }
/* ITEMS or IDS: at most n items a request instead of 1000 (ingestion). */
#define MAXITEMS(n)	.rt_maxitems = (n)
#define RAWBODY		.rt_body = HG_B_RAW
#define QUERY(t)	.rt_query = { (t), HG_NELEM(t) }
#define PAGED		.rt_paged = 1
#define AUDIT(kind)	.rt_audit = (kind)
#define NOCSRF		.rt_nocsrf = 1
/*
 * API.md section 6: where the seed's example answer of a PATCH or an
 * action is {"message": "success"} but the handler answers the object (the
 * UI reads it), the object carries "message": "success" beside its fields.
 */
#define SUCCESS		.rt_success = 1
#define ROUTES_END	{ .rt_method = NULL }

/* The route's argument, as the type the handler knows it to be. */
#define ARGOF(r, type)	((const type *)(r)->r_route->rt_arg)

/* router.c */
extern const struct hg_route *const hg_route_tables[];
extern const size_t hg_route_ntables;
const struct hg_route	*hg_route_find(struct hg_req *, int *status, char *allow,
			    size_t allowlen);
int			 hg_routes_check(char *err, size_t errlen);
void			 hg_routes_print(void);

/* auth.c: who is calling */
int	hg_authenticate(struct hg_req *);
int	hg_session_create(struct hg_req *, long long user_id, const char **csrf);
int	hg_session_end(struct hg_req *);
/* 0, or refused for this many seconds (hg_throttle): hg_fail_throttle. */
long	hg_login_attempt(struct hg_req *, const char *username);
void	hg_login_succeeded(struct hg_req *, const char *username);

/*
 * hg_throttle -- count one request against each of n Redis counters and
 * say whether it may go on (auth.c).  keys[i] (NULL: skipped) counts over
 * window seconds from its first count and allows max[i]; counters are
 * incremented, then checked (parallel requests cannot all pass a check
 * none of them has counted yet), in order.  A refused request gives back
 * what it counted, so it is counted by the first counter that refuses it
 * and no further.  Returns 0 to go on, else the seconds until the refusing
 * counter's window ends (at least 1): answer hg_fail_throttle(r, that).
 * Without Redis everything passes (unthrottled rather than locked out).
 */
long	hg_throttle(struct hg_req *, int n, const char *const *keys,
	    const long *max, long window);
/* 429 HG_E_THROTTLE with Retry-After: seconds. */
int	hg_fail_throttle(struct hg_req *, long seconds);

/*
 * mailq.c: mail, sent by hangar-agent (hangar-agent(8), "Mail").
 *
 * hg_mail_queue -- queue a plain-text mail to `to` in the request's
 * transaction: a mails row (subject, and the body sealed with the server
 * key as stored secrets are) and its outbox row, pushed to the Redis
 * stream as mail=<id> after the commit.  Nothing is sent if the
 * transaction rolls back.  Call it from a mutating route's handler (one
 * that runs in a transaction); `to` must already be a valid address
 * (hg_check_email) and subject one line.  The agent sends it, retrying up
 * to mail_attempts times mail_retry_delay seconds apart, and empties the
 * body once it is sent or has failed for good.  Returns 0, or an error
 * recorded on the request (a 500 when the server key is not loaded):
 * pass it on.
 */
int	hg_mail_queue(struct hg_req *r, const char *to, const char *subject,
	    const char *body);
/*
 * hg_mail_queue_decoy -- the same work as hg_mail_queue (a body sealed, a
 * mails row, an outbox row, a push), but the row is 'void': nothing is
 * sent and the agent deletes it.  For answers that must not tell, by
 * their timing, whether a mail went out.
 */
int	hg_mail_queue_decoy(struct hg_req *r, const char *subject,
	    const char *body);

/* shared.c: the page the master shares with its workers */
#define HG_MAXSLOTS	512	/* the master's table of workers */
void		 hg_shared_init(void);
int		 hg_shared_ok(void);
void		 hg_shared_slot(int slot);
void		 hg_shared_gone(int slot);
uint64_t	 hg_shared_epoch(void);
void		 hg_shared_bump(int auth);
int		 hg_wait_begin(void);
void		 hg_wait_end(void);
struct hg_stamp {		/* when something kept was read */
	uint64_t	 s_epoch;	/* the shared commit counter */
	uint64_t	 s_auth_epoch;	/* ... of commits to auth tables */
	long long	 s_born;	/* CLOCK_MONOTONIC, ms */
};
void		 hg_cache_stamp(struct hg_stamp *);
int		 hg_cache_fresh(const struct hg_stamp *, int auth);

/* authcache.c: who a token or session is, remembered per worker */
struct hg_user	*hg_authcache_get(struct hg_req *, const char *hash);
void		 hg_authcache_put(const char *hash, const struct hg_stamp *,
		    const struct hg_user *, const char *grants);

/* perms.c: what the caller may do */
struct hg_visible {		/* objects a restricted caller may view */
	long long	 *v_ids;	/* newest (largest id) first */
	const char	**v_grants;	/* the caller's grants on each, "a,b" */
	size_t		  v_n;
};
int		 hg_visible_set(struct hg_req *, const char *type,
		    const struct hg_visible **);
const char	*hg_visible_grants(const struct hg_visible *, long long id);
int		 hg_grants_of(struct hg_req *, const char *type,
		    const struct hg_visible **);
/*
 * A page of a visible set as HG_GRANTED_PAGE id values, for a query
 * "... id IN (" HG_IN_GRANTED ")" run by hg_sql_run; slots past the page
 * are 0 (never an id).  Pages larger than HG_GRANTED_PAGE are listed by
 * SQL instead.
 */
#define HG_GRANTED_PAGE	50
#define HG_IN5		"?i, ?i, ?i, ?i, ?i"
#define HG_IN25		HG_IN5 ", " HG_IN5 ", " HG_IN5 ", " HG_IN5 ", " HG_IN5
#define HG_IN_GRANTED	HG_IN25 ", " HG_IN25
struct hg_page;
void		 hg_visible_page(const struct hg_visible *,
		    const struct hg_page *, struct hg_arg *);
int		 hg_authorize(struct hg_req *);
void		 hg_perms_set(struct hg_req *, struct hg_user *, const char *csv);
json_object	*hg_module_perms(struct hg_req *);
int		 hg_perm_module(struct hg_req *, const char *module,
		    const char *perm);
int		 hg_perm_object(struct hg_req *, const char *type, long long id,
		    const char *perm);
int		 hg_holds_object(struct hg_req *, const char *type, long long id,
		    const char *perm);
int		 hg_visible_all(struct hg_req *, const char *type);
json_object	*hg_object_actions(struct hg_req *, const char *type,
		    const char *grants);
const char	*hg_module_name(const char *name_or_label);
const char	*hg_module_perm(const char *module, const char *perm);
const char *const *hg_module_list(size_t *);
void		 hg_module_perms_of(const char *module, const char **out);
const char	*hg_resource_perm(const char *type, const char *perm);
void		 hg_resource_perms_of(const char *type, const char **out);

/*
 * SQL for "granted to the caller": a resource_grants/module_grants row
 * aliased g whose subject is the user or one of its roles.  Two parameters:
 * the user id twice.
 */
#define HG_SUBJECT_SQL "((g.subject_type = 'user' AND g.subject_id = ?i) OR " \
	"(g.subject_type = 'role' AND g.subject_id IN " \
	"(SELECT ur.role_id FROM user_roles ur WHERE ur.user_id = ?i)))"
/*
 * A column with the caller's per-object grants on the row's object (idcol)
 * as a comma list, for hg_object_actions; type is 'application' or 'host'.
 * Two parameters: the user id twice.
 */
#define HG_GRANTS_COL(type, idcol) "(SELECT GROUP_CONCAT(DISTINCT g.perm) " \
	"FROM resource_grants g WHERE g.resource_type = '" type "' AND " \
	"g.resource_id = " idcol " AND " HG_SUBJECT_SQL ")"
/*
 * "The caller may view the row's object (idcol)" for a caller that does not
 * see them all: a plain IN that MariaDB turns into a semi-join driven by the
 * caller's grants.  Two parameters: the user id twice.
 */
#define HG_VISIBLE_IN(type, view, idcol) idcol " IN (SELECT g.resource_id " \
	"FROM resource_grants g WHERE g.resource_type = '" type "' AND " \
	"g.perm = '" view "' AND " HG_SUBJECT_SQL ")"
/*
 * A condition "the caller may view the row's object (idcol)": first
 * parameter 1 when hg_visible_all(), then the user id twice.
 */
#define HG_VISIBLE_SQL(type, view, idcol) "(?i = 1 OR " idcol " IN (SELECT " \
	"g.resource_id FROM resource_grants g WHERE g.resource_type = '" type \
	"' AND g.perm = '" view "' AND " HG_SUBJECT_SQL "))"

/* reply.c */
int		 hg_fail(struct hg_req *, int code, const char *fmt, ...)
		    __attribute__((format(printf, 3, 4)));
int		 hg_fail_http(struct hg_req *, int http, int code,
		    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int		 hg_invalid(struct hg_req *, const char *field, const char *why);
int		 hg_reply(struct hg_req *, int status, json_object *);
int		 hg_reply_ok(struct hg_req *);	/* {"message": "success"} */
void		 hg_header(struct hg_req *, const char *fmt, ...)
		    __attribute__((format(printf, 2, 3)));
json_object	*hg_own(struct hg_req *, json_object *);	/* freed at reset */
void		 hg_render(struct hg_req *);

/* input.c: declared validation of the request's body and query */
int		 hg_validate(struct hg_req *);	/* the route's declarations */
int		 hg_query(struct hg_req *, const struct hg_field *, size_t,
		    struct hg_val *);
const char	*hg_like(struct hg_req *, const struct hg_val *);
#define HG_SEARCH_MIN		3	/* characters: shorter filters scan */
#define HG_SEARCH_WINDOW	16	/* characters a window holds */
const char	*hg_like_window(struct hg_req *, const struct hg_val *,
		    int *exact);
const char	*hg_qtime(struct hg_req *, const struct hg_val *);
const char	*hg_header_get(struct hg_req *, const char *cgi_name);
int		 hg_seal_input(struct hg_req *, const char *plain, char **out);

/*
 * sql.c: the request's statements, typed placeholders (?i, ?s) and the
 * values after the text, checked against them (sqlargs.h):
 *	hg_sql(r, &rows, sql, values...)	a query
 *	hg_sql_exec(r, sql, values...)		a statement without rows
 */
#define hg_sql(r, out, ...)	hg_sql_run((r), (out), HG_SQLV(__VA_ARGS__))
#define hg_sql_exec(r, ...)	hg_sql_run((r), NULL, HG_SQLV(__VA_ARGS__))
int		 hg_sql_run(struct hg_req *, struct hg_rows **, const char *sql,
		    const struct hg_arg *, int n);
/* A count: hg_sql_count(r, &n, "SELECT COUNT(*) FROM t WHERE x = ?i", x) */
#define hg_sql_count(r, count, ...) hg_sql_count_run((r), (count), \
	HG_SQLV(__VA_ARGS__))
int		 hg_sql_count_run(struct hg_req *, long long *, const char *sql,
		    const struct hg_arg *, int n);
int		 hg_sql_page(struct hg_req *, struct hg_rows **, const char *sql,
		    const struct hg_arg *, int n, long long limit,
		    long long offset);
int		 hg_sql_get(struct hg_req *, struct hg_rows **, const char *what,
		    long long id, const char *sql);
int		 hg_sql_patch(struct hg_req *, const char *table, long long id);
int		 hg_ids_exist(struct hg_req *, const char *what, const char *sql);
/* one statement of ?i placeholders for many rows at once (hg_db_bulk) */
int		 hg_sql_bulk(struct hg_req *, const char *sql,
		    const long long *vals, size_t nrows);
long long	 hg_sql_insert_id(struct hg_req *);
long long	 hg_sql_affected(struct hg_req *);

/* list.c: pagination */
struct hg_page {
	long long	pg_page;
	long long	pg_size;
	long long	pg_offset;
};
int		 hg_page(struct hg_req *, struct hg_page *);
/*
 * Run a page query whose last column is the total count; render rows with
 * fn into {"count","next","prev","results"}.
 */
typedef json_object *(*hg_rowfn)(struct hg_req *, struct hg_rows *, int row);
/* hg_list(r, fn, sql, values before LIMIT...): the route's page, replied */
#define hg_list(r, fn, ...)	hg_list_run((r), (fn), HG_SQLV(__VA_ARGS__))
int		 hg_list_run(struct hg_req *, hg_rowfn, const char *sql,
		    const struct hg_arg *, int n);
int		 hg_page_query(struct hg_req *, long long limit,
		    long long offset, struct hg_rows **, long long *count,
		    const char *sql, const struct hg_arg *, int n);
int		 hg_page_query_v0(struct hg_req *, long long, long long,
		    struct hg_rows **, long long *, const char *, const char *,
		    va_list);				/* going */
int		 hg_list_reply_count(struct hg_req *, const struct hg_page *,
		    struct hg_rows *, hg_rowfn, long long count);

/*
 * json.c: rows as objects, by a declared column table.  An object's
 * columns are declared once, as an X-macro of (enum, JSON name, SQL,
 * type), from which come the enum of column indices, the table and the
 * select list:
 *
 *	#define PROD_COLS(X) \
 *		X(PC_ID,	"id",		"p.id",		INT) \
 *		X(PC_NAME,	"name",		"p.name",	STR)
 *	enum { PROD_COLS(HG_COL_ENUM) PC__MAX };
 *	static const struct hg_col prod_cols[] = { PROD_COLS(HG_COL_DECL) };
 *	"SELECT " PROD_COLS(HG_COL_SQL) "COUNT(*) OVER () FROM productions p"
 *
 * The select list ends in ", ": a list's count column follows it, or
 * HG_NOCOUNT where there is none.  Columns of type NONE are selected for
 * the handler and not rendered.
 */
enum hg_coltype {
	HG_J_NONE,	/* not rendered */
	HG_J_INT,	/* integer or null */
	HG_J_STR,	/* string or null */
	HG_J_BOOL,	/* "0"/"1" -> false/true */
	HG_J_TIME,	/* DATETIME (UTC) -> RFC 3339 */
	HG_J_JSON,	/* JSON text built by SQL; NULL -> [] */
	HG_J_RAW,	/* the same, printed without a parse (lib/jsonraw.h):
			   opaque, only to be serialized */
};
struct hg_col {
	const char	*c_name;
	enum hg_coltype	 c_type;
};
#define HG_COL_ENUM(e, name, sql, type)	e,
#define HG_COL_DECL(e, name, sql, type)	[e] = { name, HG_J_##type },
#define HG_COL_SQL(e, name, sql, type)	sql ", "
#define HG_NOCOUNT	"NULL"
json_object	*hg_row_json(struct hg_req *, const struct hg_col *, size_t,
		    struct hg_rows *, int row);
void		 hg_row_add(struct hg_req *, json_object *,
		    const struct hg_col *, size_t, struct hg_rows *, int row);
json_object	*hg_cell_json(struct hg_req *, enum hg_coltype, const char *);
#define HG_ROW(r, cols, rs, i)	hg_row_json((r), (cols), HG_NELEM(cols), \
				    (rs), (i))

/* json.c: building responses from cells */
json_object	*hg_jstr(const char *);		/* NULL -> null */
json_object	*hg_jint(const char *);		/* NULL -> null */
json_object	*hg_jbool(const char *);	/* "0"/"1" -> bool */
json_object	*hg_jtime(struct hg_req *, const char *);
json_object	*hg_jparse(const char *);	/* JSON text from SQL, NULL -> [] */

/* worker.c */
extern struct hg_redis	*hg_worker_redis;
void	hg_worker_run(int listen_fd, int generation, int slot);

/*
 * tasks.c: queue a task in the request's transaction (see lib/queue.h).
 * Writes the task, its task_hosts rows and its outbox row with the caller
 * as creator, and sets r_outbox so that the dispatcher pushes the outbox to
 * Redis after the commit.  Returns 0 or an error code (HG_E_NOTFOUND for an
 * unknown host id); *task_id gets the id (render it as a string).
 */
int		 hg_task_new(struct hg_req *, const char *kind, const char *opts,
		    const long long *host_ids, size_t nhosts, long long *task_id);
/*
 * tasks/live.c: the task's live output URL, ws[s]://<host>/ws/tasks/<id>
 * (wss when the request came over https, as for the session cookie; the
 * host the caller used), for answers' "task_output".
 */
const char	*hg_task_output_url(struct hg_req *, long long task_id);

/*
 * audit.c: one format for every family.  A row's op_detail says what was
 * done to what, then each change as `field: "old" -> "new"` ("; " between
 * changes, null unquoted, a secret as "field replaced").  kind NULL is the
 * route's AUDIT(kind); a route that declares no AUDIT writes no row
 * (hg_audit_declared, which the grants' own trail, "authz", checks too).
 */
int	hg_audit_declared(struct hg_req *);
int	hg_audit(struct hg_req *, const char *kind, long long target_id,
	    const char *target_name, const char *op_type, const char *detail);
void	hg_audit_change(struct hg_req *, const char **detail,
	    const char *field, const char *old, const char *new);
void	hg_audit_changed(struct hg_req *, const char **detail,
	    const char *field, const char *old, const struct hg_val *);
void	hg_audit_fields(struct hg_req *, const char **detail,
	    const struct hg_col *, size_t, struct hg_rows *old, int row);

#endif

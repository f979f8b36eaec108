/*
 * requests.c -- the core of the resource requests (the seed's 资源申请,
 * API.md sections 5 and 6, issue 14): host, domain and SSL certificate
 * requests share one life, one object, one list and one action handler;
 * their files (hosts.c, domains.c, ssl.c) add what they ask for.
 *
 * A request's life is the one table `transitions` below: for every
 * action, the states it may be taken in, the state it leads to and who
 * may take it.  Every action route (and PATCH) is one handler, rq_act,
 * that reads its row of the table; so do the objects' available_actions
 * and hangar-api(7)'s state table.  An action locks the request's row
 * (SELECT ... FOR UPDATE) before it reads the state, so two people acting
 * at once are serialized by InnoDB: the second reads what the first wrote
 * and is told the state forbids it (409 with the seed's code: 30001
 * approved, 30002 closed, 30003 finished, 30004 rejected; 10015 in
 * wait_review, where the seed has none).
 *
 * Who sees what: a requester sees its own requests, an approver of the
 * kind (approve_<kind>_req) sees every request of the kind, a superuser
 * everything; any other request is answered like one that does not exist.
 */
#include <ctype.h>
#include <string.h>

#include "hangard.h"
#include "requests/requests.h"
#include "jsonraw.h"

/* ---- the state machine ------------------------------------------------- */

enum state { S_WAIT_REVIEW, S_APPROVED, S_REJECTED, S_CLOSED, S_FINISHED,
    S__MAX };
static const char *const state_names[S__MAX + 1] = { "wait_review",
    "approved", "rejected", "closed", "finished", NULL };
/* The seed's code for "already <state>" (0: none, 10015 instead). */
static const struct {
	int		 code;
	const char	*text;
} state_codes[S__MAX] = {
	[S_APPROVED] = { 30001, "申请单已批准" },
	[S_CLOSED] = { 30002, "申请单已关闭" },
	[S_FINISHED] = { 30003, "申请单已完成" },
	[S_REJECTED] = { 30004, "申请单已拒绝" },
};
#define IN(s)		(1u << (s))
#define STAY		(-1)

/*
 * What the caller is to a request.  A transition lists who may take it as
 * alternatives; superusers hold every one.
 */
#define W_CREATOR	0x01	/* created the request */
#define W_APPROVER	0x02	/* approve_<kind>_req */
#define W_ALL		0x03

struct transition {
	const char	*t_name;	/* URL and available_actions key */
	const char	*t_op;		/* audit op_type */
	const char	*t_past;	/* "approved": the audit's verb */
	unsigned	 t_from;	/* IN() of the states it is taken in */
	int		 t_to;		/* the state after, or STAY */
	unsigned	 t_who;		/* W_* any of which may take it */
	const char	*t_whotext;	/* t_who, in a 403 */
	const char	*t_update;	/* its UPDATE (values: state, reviewer
					   or 0 to keep it, id), or NULL */
	enum rq_mail	 t_mail;	/* to the creator, or none */
};

/* The UPDATE of a transition that changes the state and stamps col. */
#define SET(col)	"UPDATE resource_requests SET status = ?s, " col \
			" = UTC_TIMESTAMP(), reviewer_id = IF(?i = 0, " \
			"reviewer_id, ?i) WHERE id = ?i"

static const struct transition transitions[RQ_A__MAX] = {
	[RQ_EDIT] = { "edit", "update_request", "updated",
	    IN(S_WAIT_REVIEW), STAY,
	    W_CREATOR, "to be the request's creator",
	    NULL, RQ_MAIL_NONE },
	[RQ_APPROVE] = { "approve", "approve_request", "approved",
	    IN(S_WAIT_REVIEW), S_APPROVED,
	    W_APPROVER, "the kind's approve permission",
	    SET("decided_time"), RQ_MAIL_DECIDED },
	[RQ_REJECT] = { "reject", "reject_request", "rejected",
	    IN(S_WAIT_REVIEW), S_REJECTED,
	    W_APPROVER, "the kind's approve permission",
	    SET("decided_time"), RQ_MAIL_DECIDED },
	[RQ_CLOSE] = { "close", "close_request", "closed",
	    IN(S_WAIT_REVIEW) | IN(S_APPROVED), S_CLOSED,
	    W_CREATOR | W_APPROVER, "to be the request's creator, or the "
	    "kind's approve permission",
	    SET("finished_time"), RQ_MAIL_DECIDED },
	[RQ_FINISH] = { "finish", "finish_request", "finished",
	    IN(S_APPROVED), S_FINISHED,
	    W_APPROVER, "the kind's approve permission",
	    SET("finished_time"), RQ_MAIL_DECIDED },
};

static enum state
state_of(const char *s)
{
	int i;

	for (i = 0; i < S__MAX; i++)
		if (s != NULL && strcmp(s, state_names[i]) == 0)
			return (enum state)i;
	return S__MAX;
}

/* ---- the object -------------------------------------------------------- */

/*
 * The Request object's columns, declared once for every kind; the last
 * argument says which kinds have a column: A all, H host, D domain, S SSL,
 * DS domain and SSL.  Each kind gets its own select list (another kind's
 * column is NULL), joins (only its own table) and column table (another
 * kind's column is NONE), so a query carries no other kind's subqueries
 * or joins.  The certificate's parts are NONE columns rendered as one
 * object by req_object.
 */
#define REQ_COLS(X) \
	X(RC_ID,	"id",		"q.id",			INT,	A) \
	X(RC_KIND,	"kind",		"q.kind",		NONE,	A) \
	X(RC_CREATOR,	"creator",	"uc.username",		STR,	A) \
	X(RC_CREATOR_ID, "creator_id",	"q.creator_id",		NONE,	A) \
	X(RC_STATUS,	"status",	"q.status",		STR,	A) \
	X(RC_PURPOSE,	"purpose",	"q.purpose",		STR,	A) \
	X(RC_DAYS,	"expect_delivery_days", "q.expect_delivery_days", \
	    STR, A)							   \
	X(RC_EXPTYPE,	"expiration_type", "h.expiration_type",	STR,	H) \
	X(RC_EXPDAYS,	"expiration_days", "CAST(h.expiration_days AS " \
	    "CHAR)", STR, H)						   \
	X(RC_LOGUSERS,	"users_with_log_perm", "(SELECT JSON_ARRAYAGG(" \
	    "JSON_OBJECT('id', u.id, 'username', u.username) ORDER BY u.id) " \
	    "FROM host_request_log_users x JOIN users u ON u.id = x.user_id " \
	    "WHERE x.request_id = q.id)", RAW, H)			   \
	X(RC_PACKAGES,	"shipped_packages", "h.shipped_packages", RAW,	H) \
	X(RC_RHOSTS,	"requested_hosts", "h.requested_hosts",	RAW,	H) \
	X(RC_HOSTS,	"hosts",	"(SELECT JSON_ARRAYAGG(JSON_OBJECT(" \
	    "'id', o.id, 'name', o.name) ORDER BY o.id) FROM " \
	    "host_request_hosts x JOIN hosts o ON o.id = x.host_id WHERE " \
	    "x.request_id = q.id)", RAW, H)				   \
	X(RC_DOMAIN,	"domain",	"s.domain",		STR,	S) \
	X(RC_CTYPE,	"certificate_type", "s.certificate_type", STR,	S) \
	X(RC_APPS,	"associated_app", "(SELECT JSON_ARRAYAGG(x.app_id " \
	    "ORDER BY x.app_id) FROM resource_request_apps x WHERE " \
	    "x.request_id = q.id)", RAW, DS)				   \
	X(RC_RECORDS,	"records",	"(SELECT JSON_ARRAYAGG(JSON_OBJECT(" \
	    "'name', x.name, 'type', x.type, 'value', x.value, 'ttl', " \
	    "x.ttl) ORDER BY x.id) FROM domain_request_records x WHERE " \
	    "x.request_id = q.id)", RAW, D)				   \
	X(RC_APPLY,	"apply_status",	"d.apply_status",	STR,	D) \
	X(RC_APPLYERR,	"apply_error",	"d.apply_error",	STR,	D) \
	X(RC_CSUBJECT,	"subject",	"s.cert_subject",	NONE,	S) \
	X(RC_CISSUER,	"issuer",	"s.cert_issuer",	NONE,	S) \
	X(RC_CSANS,	"sans",		"s.cert_sans",		NONE,	S) \
	X(RC_CNOTAFTER,	"not_after",	"s.cert_not_after",	NONE,	S) \
	X(RC_CFPR,	"fingerprint_sha256", "s.cert_fingerprint", NONE, S) \
	X(RC_CREATED,	"created_time",	"q.created_time",	TIME,	A) \
	X(RC_UPDATED,	"updated_time",	"q.updated_time",	TIME,	A) \
	X(RC_REVIEWER,	"reviewer",	"ur.username",		STR,	A) \
	X(RC_DECIDED,	"decided_time",	"q.decided_time",	TIME,	A) \
	X(RC_FINISHED,	"finished_time", "q.finished_time",	TIME,	A)
#define RC_ENUM(e, name, sql, type, k)	e,
enum { REQ_COLS(RC_ENUM) RC__MAX };

/* Has kind K (H, D, S) the columns of k?  Y or N, pasted below. */
#define RQ_HAS_H_A	Y
#define RQ_HAS_H_H	Y
#define RQ_HAS_H_D	N
#define RQ_HAS_H_S	N
#define RQ_HAS_H_DS	N
#define RQ_HAS_D_A	Y
#define RQ_HAS_D_H	N
#define RQ_HAS_D_D	Y
#define RQ_HAS_D_S	N
#define RQ_HAS_D_DS	Y
#define RQ_HAS_S_A	Y
#define RQ_HAS_S_H	N
#define RQ_HAS_S_D	N
#define RQ_HAS_S_S	Y
#define RQ_HAS_S_DS	Y
#define RQ_CAT(a, b)		RQ_CAT_(a, b)
#define RQ_CAT_(a, b)		a##b
#define RQ_SQL_Y(sql)		sql ", "
#define RQ_SQL_N(sql)		"NULL, "
#define RQ_TYPE_Y(type)		HG_J_##type
#define RQ_TYPE_N(type)		HG_J_NONE
#define RQ_HAS(K, k)		RQ_CAT(RQ_HAS_, RQ_CAT(K, RQ_CAT(_, k)))
#define RC_SQL_H(e, name, sql, type, k) RQ_CAT(RQ_SQL_, RQ_HAS(H, k))(sql)
#define RC_SQL_D(e, name, sql, type, k) RQ_CAT(RQ_SQL_, RQ_HAS(D, k))(sql)
#define RC_SQL_S(e, name, sql, type, k) RQ_CAT(RQ_SQL_, RQ_HAS(S, k))(sql)
#define RC_DECL_H(e, name, sql, type, k) \
	[e] = { name, RQ_CAT(RQ_TYPE_, RQ_HAS(H, k))(type) },
#define RC_DECL_D(e, name, sql, type, k) \
	[e] = { name, RQ_CAT(RQ_TYPE_, RQ_HAS(D, k))(type) },
#define RC_DECL_S(e, name, sql, type, k) \
	[e] = { name, RQ_CAT(RQ_TYPE_, RQ_HAS(S, k))(type) },
static const struct hg_col host_cols[] = { REQ_COLS(RC_DECL_H) };
static const struct hg_col domain_cols[] = { REQ_COLS(RC_DECL_D) };
static const struct hg_col ssl_cols[] = { REQ_COLS(RC_DECL_S) };

#define REQ_PEOPLE "LEFT JOIN users uc ON uc.id = q.creator_id " \
	"LEFT JOIN users ur ON ur.id = q.reviewer_id "
#define JOINS_H	REQ_PEOPLE "LEFT JOIN host_requests h ON h.request_id = q.id "
#define JOINS_D	REQ_PEOPLE "LEFT JOIN domain_requests d ON d.request_id = " \
	"q.id "
#define JOINS_S	REQ_PEOPLE "LEFT JOIN ssl_requests s ON s.request_id = q.id "

/*
 * The list's filters but the leading one; values: status, creator twice,
 * the two times, domain twice, certificate_type twice, then LIMIT, OFFSET.
 */
#define LIST_FILTERS "AND status = COALESCE(?s, status) " \
	"AND (?s IS NULL OR creator_id IN (SELECT id FROM users WHERE " \
	"username LIKE ?s)) " \
	"AND created_time >= COALESCE(?s, created_time) " \
	"AND created_time <= COALESCE(?s, created_time) " \
	"AND (?s IS NULL OR id IN (SELECT request_id FROM ssl_requests " \
	"WHERE domain LIKE ?s)) " \
	"AND (?s IS NULL OR id IN (SELECT request_id FROM ssl_requests " \
	"WHERE certificate_type = ?s)) " \
	"ORDER BY id DESC LIMIT ?i OFFSET ?i"

/*
 * A kind's statements, all from its select list and joins (see rq_list
 * for the list's).  The kind's name is still a value (?s) of each.
 */
struct kind_sql {
	const struct hg_col	*ks_cols;
	const char		*ks_load;	/* id, kind */
	const char		*ks_all;	/* kind, kind */
	const char		*ks_status;	/* kind, status, kind, status */
	const char		*ks_far;	/* kind, status x2, kind, status */
	const char		*ks_filtered;	/* kind, LIST_FILTERS' */
	const char		*ks_own;	/* kind, user, LIST_FILTERS' */
};
#define PAGE_JOIN(K) ") k JOIN resource_requests q ON q.id = k.id " \
	JOINS_##K "ORDER BY q.id DESC"
#define KIND_SQL(K, cols) { cols,					\
	"SELECT " REQ_COLS(RC_SQL_##K) HG_NOCOUNT " FROM resource_requests q " \
	JOINS_##K "WHERE q.id = ?i AND q.kind = ?s",			\
	"SELECT " REQ_COLS(RC_SQL_##K) "(SELECT n FROM row_counts WHERE "  \
	"tbl = CONCAT('resource_requests:', ?s)) FROM resource_requests q " \
	"FORCE INDEX (resource_requests_by_kind) " JOINS_##K "WHERE "	   \
	"q.kind = ?s ORDER BY q.id DESC LIMIT ?i OFFSET ?i",		   \
	"SELECT " REQ_COLS(RC_SQL_##K) "(SELECT n FROM row_counts WHERE "  \
	"tbl = CONCAT('resource_requests:', ?s, ':', ?s)) FROM "	   \
	"resource_requests q FORCE INDEX (resource_requests_by_status) "   \
	JOINS_##K "WHERE q.kind = ?s AND q.status = ?s ORDER BY q.id DESC " \
	"LIMIT ?i OFFSET ?i",						   \
	"SELECT " REQ_COLS(RC_SQL_##K) "(SELECT n FROM row_counts WHERE "  \
	"tbl = CONCAT('resource_requests:', ?s, IF(?s IS NULL, '', "	   \
	"CONCAT(':', ?s)))) FROM (SELECT id FROM resource_requests WHERE " \
	"kind = ?s AND status = COALESCE(?s, status) ORDER BY id DESC "	   \
	"LIMIT ?i OFFSET ?i" PAGE_JOIN(K),				   \
	"SELECT " REQ_COLS(RC_SQL_##K) "k.total FROM (SELECT id, COUNT(*) " \
	"OVER () AS total FROM resource_requests WHERE kind = ?s "	   \
	LIST_FILTERS PAGE_JOIN(K),					   \
	"SELECT " REQ_COLS(RC_SQL_##K) "k.total FROM (SELECT id, COUNT(*) " \
	"OVER () AS total FROM resource_requests FORCE INDEX "		   \
	"(resource_requests_by_creator) WHERE kind = ?s AND creator_id = " \
	"?i " LIST_FILTERS PAGE_JOIN(K) }
static const struct kind_sql kind_sql[RQ_K__MAX] = {
	[RQ_K_HOST] = KIND_SQL(H, host_cols),
	[RQ_K_DOMAIN] = KIND_SQL(D, domain_cols),
	[RQ_K_SSL] = KIND_SQL(S, ssl_cols),
};

/* Does the caller approve requests of kind k? 1, 0, or -1 (failed). */
static int
approver(struct hg_req *r, const struct rq_kind *k)
{
	return hg_perm_module(r, RQ_MODULE, k->k_approve);
}

/* W_* the caller holds on row i (approves: approver()'s answer). */
static unsigned
held_of(struct hg_req *r, struct hg_rows *rs, int i, int approves)
{
	const char	*s = HG_CELL(rs, i, RC_CREATOR_ID);
	unsigned	 held = 0;

	if (r->r_user->u_superuser)
		return W_ALL;
	if (approves == 1)
		held |= W_APPROVER;
	if (s != NULL && hg_atoll(s) == r->r_user->u_id)
		held |= W_CREATOR;
	return held;
}

/* The request object of row i, with the caller's available_actions. */
static json_object *
req_object(struct hg_req *r, const struct rq_kind *k, struct hg_rows *rs,
    int i, int approves)
{
	json_object	*o = hg_row_json(r, kind_sql[k->k_no].ks_cols, RC__MAX, rs,
	    i);
	json_object	*acts, *c;
	enum state	 s = state_of(HG_CELL(rs, i, RC_STATUS));
	unsigned	 held = held_of(r, rs, i, approves);
	size_t		 a;

	if (k->k_no == RQ_K_SSL) {
		c = NULL;
		if (HG_CELL(rs, i, RC_CFPR) != NULL) {
			c = json_object_new_object();
			json_object_object_add(c, "subject",
			    hg_jstr(HG_CELL(rs, i, RC_CSUBJECT)));
			json_object_object_add(c, "issuer",
			    hg_jstr(HG_CELL(rs, i, RC_CISSUER)));
			json_object_object_add(c, "sans",
			    hg_jsonraw_new(HG_CELL(rs, i, RC_CSANS)));
			json_object_object_add(c, "not_after",
			    hg_jtime(r, HG_CELL(rs, i, RC_CNOTAFTER)));
			json_object_object_add(c, "fingerprint_sha256",
			    hg_jstr(HG_CELL(rs, i, RC_CFPR)));
		}
		json_object_object_add(o, "certificate", c);
	}
	acts = json_object_new_object();
	for (a = 0; a < RQ_A__MAX; a++) {
		const struct transition *t = &transitions[a];

		json_object_object_add(acts, t->t_name, json_object_new_boolean(
		    s < S__MAX && (t->t_from & IN(s)) && (held & t->t_who)));
	}
	json_object_object_add(o, "available_actions", acts);
	return o;
}

/* A request as an action reads it. */
struct req {
	long long	 q_id;
	enum state	 q_state;
	struct hg_rows	*q_rs;		/* its row, REQ_COLS */
	int		 q_approves;	/* approver() */
	unsigned	 q_held;	/* W_* the caller holds */
};

/*
 * Load request id of kind k (locked first when lock is set): 404 when
 * there is none of that kind or the caller may not see it.
 */
static int
req_load(struct hg_req *r, const struct rq_kind *k, long long id, int lock,
    struct req *q)
{
	int rc;

	memset(q, 0, sizeof(*q));
	/*
	 * The row lock first, alone; the read after it is the transaction's
	 * first consistent read, so it shows what an action that held the
	 * lock before committed.
	 */
	if (lock && (rc = hg_sql(r, &q->q_rs, "SELECT id FROM "
	    "resource_requests WHERE id = ?i AND kind = ?s FOR UPDATE", id,
	    k->k_name)) != 0)
		return rc;
	if ((rc = hg_sql(r, &q->q_rs, kind_sql[k->k_no].ks_load, id,
	    k->k_name)) != 0)
		return rc;
	if ((q->q_approves = approver(r, k)) < 0)
		return r->r_err;
	if (q->q_rs->nrows == 0)
		return hg_fail(r, HG_E_NOTFOUND, "no %s with id %lld", k->k_what,
		    id);
	q->q_held = held_of(r, q->q_rs, 0, q->q_approves);
	if (q->q_held == 0)
		return hg_fail(r, HG_E_NOTFOUND, "no %s with id %lld", k->k_what,
		    id);
	q->q_id = id;
	q->q_state = state_of(HG_CELL(q->q_rs, 0, RC_STATUS));
	return 0;
}

/* ---- handlers ---------------------------------------------------------- */

/*
 * The audit detail of a PATCH: each key of the object whose JSON changed,
 * as `key: "old" -> "new"`.
 */
static void
changes(struct hg_req *r, const char **d, json_object *old, json_object *new)
{
	json_object_object_foreach(new, key, nv) {
		json_object	*ov = NULL;
		const char	*os, *ns;

		if (strcmp(key, "updated_time") == 0 ||
		    strcmp(key, "available_actions") == 0)
			continue;
		(void)json_object_object_get_ex(old, key, &ov);
		os = ov == NULL ? NULL : json_object_is_type(ov,
		    json_type_string) ? json_object_get_string(ov) :
		    json_object_to_json_string_ext(ov, JSON_C_TO_STRING_PLAIN);
		ns = nv == NULL ? NULL : json_object_is_type(nv,
		    json_type_string) ? json_object_get_string(nv) :
		    json_object_to_json_string_ext(nv, JSON_C_TO_STRING_PLAIN);
		hg_audit_change(r, d, key, os, ns);
	}
}

/*
 * POST .../{id}/actions/<action>/ and PATCH .../{id}/: the route's row of
 * the table, in one transaction with its audit row and its mail.  The
 * order of refusals: unknown or invisible (404), not allowed to the
 * caller (403), wrong state (409), then the kind's own (400).
 */
int
rq_act(struct hg_req *r)
{
	const struct rq_arg	*arg = ARGOF(r, struct rq_arg);
	const struct rq_kind	*k = arg->a_kind;
	const struct transition	*t = &transitions[arg->a_action];
	struct req		 q;
	json_object		*before, *after;
	const char		*d = "", *ds;
	enum state		 from, to;
	long long		 reviewer = 0;
	int			 rc;

	if ((rc = req_load(r, k, r->r_ids[0], 1, &q)) != 0)
		return rc;
	if (!(q.q_held & t->t_who))
		return hg_fail(r, HG_E_PERM, "permission denied: %s %s %lld "
		    "needs %s (%s.%s)", t->t_name, k->k_what, q.q_id,
		    t->t_whotext, RQ_MODULE, k->k_approve);
	if (q.q_state >= S__MAX || !(t->t_from & IN(q.q_state))) {
		const char *st = HG_CELL(q.q_rs, 0, RC_STATUS);

		if (q.q_state < S__MAX && state_codes[q.q_state].code != 0)
			return hg_fail_http(r, 409, state_codes[q.q_state].code,
			    "%s %lld is already %s (%s): %s is not allowed",
			    k->k_what, q.q_id, st,
			    state_codes[q.q_state].text, t->t_name);
		return hg_fail(r, HG_E_STATE, "%s %lld is %s: %s is not "
		    "allowed in that state", k->k_what, q.q_id, st, t->t_name);
	}
	before = hg_own(r, req_object(r, k, q.q_rs, 0, q.q_approves));
	switch (arg->a_action) {
	case RQ_EDIT:
		if (k->k_edit != NULL && (rc = k->k_edit(r, q.q_id)) != 0)
			return rc;
		if ((rc = hg_sql_exec(r, "UPDATE resource_requests SET "
		    "updated_time = UTC_TIMESTAMP() WHERE id = ?i",
		    q.q_id)) != 0)
			return rc;
		break;
	case RQ_APPROVE:
		reviewer = r->r_user->u_id;
		if (k->k_approve_do != NULL &&
		    (rc = k->k_approve_do(r, q.q_id)) != 0)
			return rc;
		break;
	case RQ_REJECT:
		reviewer = r->r_user->u_id;
		break;
	case RQ_FINISH:
		if (k->k_finish != NULL &&
		    (rc = k->k_finish(r, q.q_id, &d)) != 0)
			return rc;
		break;
	default:
		break;
	}
	from = q.q_state;
	to = t->t_to == STAY ? from : (enum state)t->t_to;
	if (t->t_update != NULL && (rc = hg_sql_exec(r, t->t_update,
	    state_names[to], reviewer, reviewer, q.q_id)) != 0)
		return rc;
	if ((rc = req_load(r, k, q.q_id, 0, &q)) != 0)
		return rc;
	after = req_object(r, k, q.q_rs, 0, q.q_approves);
	if (arg->a_action == RQ_EDIT)
		changes(r, &d, before, after);
	ds = d;
	if (t->t_to != STAY)
		ds = hg_printf(r->r_arena, "status: \"%s\" -> \"%s\"%s%s",
		    state_names[from], state_names[to], *d ? "; " : "", d);
	if ((rc = hg_audit(r, NULL, q.q_id, hg_printf(r->r_arena, "%s %lld",
	    k->k_what, q.q_id), t->t_op, hg_printf(r->r_arena, "%s %s %lld: %s",
	    t->t_past, k->k_what, q.q_id, *ds != '\0' ? ds :
	    "nothing changed"))) != 0) {
		json_object_put(after);
		return rc;
	}
	/* the creator hears of a decision someone else took */
	if ((rc = rq_notify(r, k, q.q_id, t->t_mail)) != 0) {
		json_object_put(after);
		return rc;
	}
	return hg_reply(r, 200, after);
}

/* GET .../{id}/ */
int
rq_get(struct hg_req *r)
{
	const struct rq_kind	*k = ARGOF(r, struct rq_kind);
	struct req		 q;
	int			 rc;

	if ((rc = req_load(r, k, r->r_ids[0], 0, &q)) != 0)
		return rc;
	return hg_reply(r, 200, req_object(r, k, q.q_rs, 0, q.q_approves));
}

/*
 * GET /resource-request/ssl-certificates/{id}/certificate/: the PEM chain
 * stored by finish, for whoever may see the request (404 otherwise, and
 * while there is none).  JSON like every answer: {"id", "domain",
 * "fingerprint_sha256", "not_after", "pem"}.  Only certificates are ever
 * stored (cert.c refuses private keys).
 */
int
rq_cert_get(struct hg_req *r)
{
	const struct rq_kind	*k = ARGOF(r, struct rq_kind);
	struct req		 q;
	struct hg_rows		*rs;
	json_object		*o;
	int			 rc;

	if ((rc = req_load(r, k, r->r_ids[0], 0, &q)) != 0 ||
	    (rc = hg_sql(r, &rs, "SELECT domain, cert_fingerprint, "
	    "cert_not_after, cert_pem FROM ssl_requests WHERE request_id = ?i "
	    "AND cert_pem IS NOT NULL", q.q_id)) != 0)
		return rc;
	if (rs->nrows == 0)
		return hg_fail(r, HG_E_NOTFOUND, "%s %lld has no certificate "
		    "yet", k->k_what, q.q_id);
	o = json_object_new_object();
	json_object_object_add(o, "id", json_object_new_int64(q.q_id));
	json_object_object_add(o, "domain", hg_jstr(HG_CELL(rs, 0, 0)));
	json_object_object_add(o, "fingerprint_sha256",
	    hg_jstr(HG_CELL(rs, 0, 1)));
	json_object_object_add(o, "not_after", hg_jtime(r, HG_CELL(rs, 0, 2)));
	json_object_object_add(o, "pem", hg_jstr(HG_CELL(rs, 0, 3)));
	return hg_reply(r, 200, o);
}

int
rq_insert(struct hg_req *r, const struct rq_kind *k, const char *purpose,
    const char *days, long long *id)
{
	int rc;

	if ((rc = hg_sql_exec(r, "INSERT INTO resource_requests (kind, "
	    "purpose, expect_delivery_days, creator_id) VALUES (?s, ?s, ?s, "
	    "?i)", k->k_name, purpose != NULL ? purpose : "",
	    days != NULL ? days : "7", r->r_user->u_id)) != 0)
		return rc;
	*id = hg_sql_insert_id(r);
	return 0;
}

int
rq_created(struct hg_req *r, const struct rq_kind *k, long long id)
{
	struct req	q;
	int		rc;

	if ((rc = req_load(r, k, id, 0, &q)) != 0)
		return rc;
	if ((rc = hg_audit(r, NULL, id, hg_printf(r->r_arena, "%s %lld",
	    k->k_what, id), "add_request", hg_printf(r->r_arena, "created %s "
	    "%lld", k->k_what, id))) != 0 ||
	    (rc = rq_notify(r, k, id, RQ_MAIL_CREATED)) != 0)
		return rc;
	return hg_reply(r, 201, req_object(r, k, q.q_rs, 0, q.q_approves));
}

int
rq_patch_common(struct hg_req *r, long long id, const struct hg_val *purpose,
    const struct hg_val *days)
{
	int pp = purpose != NULL && purpose->present;
	int dp = days != NULL && days->present;

	if (!pp && !dp)
		return 0;
	return hg_sql_exec(r, "UPDATE resource_requests SET purpose = IF(?i = 1,"
	    " ?s, purpose), expect_delivery_days = IF(?i = 1, ?s, "
	    "expect_delivery_days) WHERE id = ?i", (long long)pp,
	    pp && purpose->s ? purpose->s : "", (long long)dp,
	    dp && days->s ? days->s : "7", id);
}

int
rq_apps_set(struct hg_req *r, long long id, const char *field,
    const struct hg_val *v)
{
	struct hg_rows	*rs;
	size_t		 i;
	int		 rc;

	if (!v->present)
		return 0;
	for (i = 0; i < v->nitems; i++) {
		if ((rc = hg_sql(r, &rs, "SELECT id FROM applications WHERE "
		    "id = ?i", v->ids[i])) != 0)
			return rc;
		if (rs->nrows == 0)
			return hg_invalid(r, hg_printf(r->r_arena, "%s[%zu]",
			    field, i), hg_printf(r->r_arena, "no application "
			    "with id %lld", v->ids[i]));
	}
	if ((rc = hg_sql_exec(r, "DELETE FROM resource_request_apps WHERE "
	    "request_id = ?i", id)) != 0)
		return rc;
	for (i = 0; i < v->nitems; i++)
		if ((rc = hg_sql_exec(r, "INSERT IGNORE INTO "
		    "resource_request_apps (request_id, app_id) VALUES (?i, ?i)",
		    id, v->ids[i])) != 0)
			return rc;
	return 0;
}

int
rq_users_exist(struct hg_req *r, const char *field, const struct hg_val *v)
{
	struct hg_rows	*rs;
	size_t		 i;
	int		 rc;

	for (i = 0; v->present && i < v->nitems; i++) {
		if ((rc = hg_sql(r, &rs, "SELECT id FROM users WHERE id = ?i",
		    v->ids[i])) != 0)
			return rc;
		if (rs->nrows == 0)
			return hg_invalid(r, hg_printf(r->r_arena, "%s[%zu]",
			    field, i), hg_printf(r->r_arena, "no user with id "
			    "%lld", v->ids[i]));
	}
	return 0;
}

/* ---- the list ---------------------------------------------------------- */

static const char *const states_q[] = { "wait_review", "approved",
    "rejected", "closed", "finished", NULL };
static const char *const ctypes_q[] = { "wizard", "normal", NULL };
#define LIST_Q \
	[RQ_Q_CREATOR] = { "creator", HG_V_STR, 0, 0, 64 },		\
	[RQ_Q_GT] = { "time__gt", HG_V_TIME, 0 },			\
	[RQ_Q_LT] = { "time__lt", HG_V_TIME, HG_V_UPPER },		\
	[RQ_Q_STATUS] = { "status", HG_V_ENUM, 0, 0, 0, states_q }
const struct hg_field rq_list_q[RQ_Q_DOMAIN] = { LIST_Q };
const struct hg_field rq_ssl_list_q[RQ_Q__MAX] = {
	LIST_Q,
	[RQ_Q_DOMAIN] = { "domain", HG_V_STR, 0, 0, 253,
	    .f_alias = { "domian" } },
	[RQ_Q_CTYPE] = { "certificate_type", HG_V_ENUM, HG_V_NOCASE, 0, 0,
	    ctypes_q },
};

/* A row of a list route (its argument: the kind). */
static json_object *
list_row(struct hg_req *r, struct hg_rows *rs, int i)
{
	const struct rq_kind *k = ARGOF(r, struct rq_kind);

	return req_object(r, k, rs, i, approver(r, k));
}

/*
 * GET .../: newest first.  Every kind takes creator, time__gt, time__lt,
 * status; SSL requests domain and certificate_type too (rq_ssl_list_q).
 * An approver who filters nothing, or only the status, is counted by
 * row_counts (kept by triggers) and its first pages (offset below
 * NEAR_ROWS) are read by walking the (kind, id) or (kind, status, id)
 * index; otherwise the page's ids come from a derived table over the
 * narrow indexes (a requester's own through (kind, creator_id, id)) and
 * only they are joined to their rows.
 */
#define NEAR_ROWS	1000
int
rq_list(struct hg_req *r)
{
	const struct rq_kind	*k = ARGOF(r, struct rq_kind);
	const struct kind_sql	*ks = &kind_sql[k->k_no];
	const struct hg_val	*v = r->r_qv;
	size_t			 nq = r->r_route->rt_query.fs_n, i;
	const char		*creator, *domain = NULL, *ctype = NULL;
	const char		*status = v[RQ_Q_STATUS].present ?
				    v[RQ_Q_STATUS].s : NULL;
	int			 others = 0, all;

	if ((all = approver(r, k)) < 0)
		return r->r_err;
	for (i = 0; i < nq; i++)
		others |= i != RQ_Q_STATUS && v[i].present;
	if (all && !others && r->r_page->pg_offset < NEAR_ROWS)
		return status != NULL ? hg_list(r, list_row, ks->ks_status,
		    k->k_name, status, k->k_name, status) : hg_list(r,
		    list_row, ks->ks_all, k->k_name, k->k_name);
	if (all && !others)
		return hg_list(r, list_row, ks->ks_far, k->k_name, status,
		    status, k->k_name, status);
	creator = hg_like(r, &v[RQ_Q_CREATOR]);
	if (nq > RQ_Q_DOMAIN)
		domain = hg_like(r, &v[RQ_Q_DOMAIN]);
	if (nq > RQ_Q_CTYPE && v[RQ_Q_CTYPE].present)
		ctype = v[RQ_Q_CTYPE].s;
	if (all)
		return hg_list(r, list_row, ks->ks_filtered, k->k_name, status,
		    creator, creator, hg_qtime(r, &v[RQ_Q_GT]), hg_qtime(r,
		    &v[RQ_Q_LT]), domain, domain, ctype, ctype);
	return hg_list(r, list_row, ks->ks_own, k->k_name, r->r_user->u_id,
	    status, creator, creator, hg_qtime(r, &v[RQ_Q_GT]), hg_qtime(r,
	    &v[RQ_Q_LT]), domain, domain, ctype, ctype);
}

/* ---- checks ------------------------------------------------------------ */

const char *
rq_check_days(const char *s)
{
	long long	n = 0;
	const char	*p;

	if (*s == '\0')
		return "must be a number of days";
	for (p = s; *p; p++) {
		if (!isdigit((unsigned char)*p) || p - s > 5)
			return "must be a number of days from 1 to 3650";
		n = n * 10 + (*p - '0');
	}
	if (n < 1 || n > 3650)
		return "must be a number of days from 1 to 3650";
	return NULL;
}

const char *
rq_dns_name(struct hg_req *r, const char *in, int wild, const char **out)
{
	size_t	 len = strlen(in), i, label = 0, labels = 0;
	char	*s;

	if (len > 0 && in[len - 1] == '.')
		len--;
	if (len == 0)
		return "must be a domain name";
	if (len > 253)
		return "must be at most 253 characters";
	s = hg_strdup(r->r_arena, in);
	s[len] = '\0';
	for (i = 0; i <= len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '.' || c == '\0') {
			if (label == 0)
				return "must not have an empty label";
			if (label > 63)
				return "must not have a label over 63 characters";
			if (s[i - 1] == '-' || (s[i - label] == '-'))
				return "must not have a label that begins or "
				    "ends with '-'";
			labels++;
			label = 0;
			continue;
		}
		if (c == '*' && wild && i == 0 && (s[1] == '.')) {
			label++;
			continue;
		}
		if (!isalnum(c) && c != '-' && c != '_')
			return "must be a domain name (letters, digits, '-', "
			    "'_' and dots)";
		s[i] = (char)tolower(c);
		label++;
	}
	if (labels < 2)
		return "must be a fully qualified name (with a dot)";
	if (out != NULL)
		*out = s;
	return NULL;
}

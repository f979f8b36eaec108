/*
 * requests.h -- what the resource request families (hosts.c, domains.c,
 * ssl.c: the seed's 资源申请) share with their core, requests.c: the one
 * table of transitions and its action handler, the Request object, the
 * list, the common row, and the mail (notify.c); and the certificate
 * check of SSL requests (cert.c).
 *
 * A kind file declares its kind (struct rq_kind), its body fields and
 * create handler, and routes every other endpoint to the core's handlers
 * with the kind (list, get) or a (kind, action) pair (PATCH and actions)
 * as the route's argument.
 */
#ifndef HG_REQUESTS_H
#define HG_REQUESTS_H

#include "hangard.h"

#define RQ_MODULE	"resource_request"
#define RQ_SWITCH	"enable_resource_req"
/* Every route needs the module's switch; create needs create_resource_req. */
#define RQ_VIEW		PERM_MODULE(RQ_MODULE, RQ_SWITCH)
#define RQ_CREATE	PERM_MODULE(RQ_MODULE, "create_resource_req")

enum rq_kindno { RQ_K_HOST, RQ_K_DOMAIN, RQ_K_SSL, RQ_K__MAX };

/* The actions people take, in available_actions' order. */
enum rq_action { RQ_EDIT, RQ_APPROVE, RQ_REJECT, RQ_CLOSE, RQ_FINISH,
    RQ_A__MAX };

struct rq_kind {
	enum rq_kindno	 k_no;
	const char	*k_name;	/* resource_requests.kind */
	const char	*k_what;	/* "host request", in messages */
	const char	*k_path;	/* "/resource-request/hosts/" */
	const char	*k_approve;	/* its approvers' module permission */
	/*
	 * The kind's own work in the action's transaction, before the state
	 * changes (NULL: none): PATCH writes the body's kind fields; finish
	 * reads the finish body; approve readies what follows approval.
	 * *detail gets the audit's details (the core says the rest).
	 */
	int		(*k_edit)(struct hg_req *, long long id);
	int		(*k_finish)(struct hg_req *, long long id,
			    const char **detail);
	int		(*k_approve_do)(struct hg_req *, long long id);
};

/* A PATCH or action route's argument: its kind and action. */
struct rq_arg {
	const struct rq_kind	*a_kind;
	enum rq_action		 a_action;
};
#define RQ_ARGS(k) { [RQ_EDIT] = { (k), RQ_EDIT }, \
	[RQ_APPROVE] = { (k), RQ_APPROVE }, [RQ_REJECT] = { (k), RQ_REJECT }, \
	[RQ_CLOSE] = { (k), RQ_CLOSE }, [RQ_FINISH] = { (k), RQ_FINISH } }

/*
 * The list's query: every kind's filters, then the SSL requests' own
 * (rq_ssl_list_q is rq_list_q and these).
 */
enum { RQ_Q_CREATOR, RQ_Q_GT, RQ_Q_LT, RQ_Q_STATUS, RQ_Q_DOMAIN, RQ_Q_CTYPE,
    RQ_Q__MAX };
extern const struct hg_field	rq_list_q[RQ_Q_DOMAIN];
extern const struct hg_field	rq_ssl_list_q[RQ_Q__MAX];

/* requests.c: the handlers (route argument: the kind, or a struct rq_arg) */
int	rq_list(struct hg_req *);
int	rq_get(struct hg_req *);
int	rq_act(struct hg_req *);
int	rq_cert_get(struct hg_req *);	/* SSL: the stored PEM chain */

/*
 * requests.c: a create handler's steps.  rq_insert writes the common row
 * (purpose NULL: "", days NULL: "7") as the caller's; the kind writes its
 * rows; rq_created audits it, mails the approvers and answers 201.
 */
int	rq_insert(struct hg_req *, const struct rq_kind *, const char *purpose,
	    const char *days, long long *id);
int	rq_created(struct hg_req *, const struct rq_kind *, long long id);
/* PATCH's common fields, each when given (v NULL or absent: kept). */
int	rq_patch_common(struct hg_req *, long long id, const struct hg_val *purpose,
	    const struct hg_val *days);
/*
 * The request's applications become the ids of v (HG_V_IDS, given): each
 * must exist (10002 naming field[i]).
 */
int	rq_apps_set(struct hg_req *, long long id, const char *field,
	    const struct hg_val *v);
/* The users of v (HG_V_IDS) exist: 10002 naming field[i] when not. */
int	rq_users_exist(struct hg_req *, const char *field,
	    const struct hg_val *v);

/* f_check: expect_delivery_days and the like, "1" to "3650". */
const char	*rq_check_days(const char *);
/*
 * A DNS name as requests take it (RFC 1035 labels of letters, digits,
 * '-' and '_', at least two labels, at most 253 characters, a trailing
 * dot allowed; wild: a first label "*" allowed).  NULL, or why not; *out
 * (may be NULL) gets it in lower case without the trailing dot.
 */
const char	*rq_dns_name(struct hg_req *, const char *in, int wild,
		    const char **out);

/* notify.c: mail, queued in the request's transaction */
enum rq_mail { RQ_MAIL_NONE, RQ_MAIL_CREATED, RQ_MAIL_DECIDED };
int	rq_notify(struct hg_req *, const struct rq_kind *, long long id,
	    enum rq_mail);

/*
 * cert.c: an issued certificate chain (PEM) checked for an SSL request of
 * domain (wild: the 'wizard' type, *.domain).  0 with *c filled, or
 * 10002 recorded on the request naming field.
 */
struct rq_cert {
	const char	*c_subject;	/* RFC 2253 */
	const char	*c_issuer;
	const char	*c_sans;	/* JSON array of the DNS names */
	const char	*c_not_after;	/* "YYYY-MM-DD HH:MM:SS" UTC */
	const char	*c_fingerprint;	/* SHA-256 of the leaf, hex */
	const char	*c_pem;		/* the chain's certificates, re-encoded */
};
int	rq_cert_check(struct hg_req *, const char *field, const char *pem,
	    const char *domain, int wild, struct rq_cert *c);

#endif

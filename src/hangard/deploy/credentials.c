/*
 * credentials.c -- /application/repository-credentials/password/ and
 * .../ssh-key/: the seed's 登录凭据 section, with GET and PATCH by id and
 * the SSH private key kind added (API.md section 4).
 *
 * Both kinds are one table of credentials (sql/003_jobs.sql) and one set of
 * handlers; the route's argument, a struct ckind, says what differs (the
 * secret's field name, the object's type).  The secret is sealed with the
 * server key before it is stored and is write-only: every read shows
 * "******", and the audit says only that it was replaced.  The seed's
 * id-less PATCH takes the id in the body.
 */
#include <string.h>

#include <libssh/libssh.h>

#include "hangard.h"
#include "deploy/deploy.h"

#define MASK	"******"

struct ckind {
	const char	*c_kind;	/* credentials.kind */
	const char	*c_type;	/* the object's type */
	const char	*c_secret;	/* name of the secret field */
	const char	*c_what;	/* in messages */
};

static const struct ckind pw = { "password", "PASSWORD", "password",
    "password credential" };
static const struct ckind key = { "ssh_key", "SSH_PRIVATE_KEY", "private_key",
    "SSH key credential" };

/* The Credential object, but for its type and its masked secret. */
#define CRED_COLS(X) \
	X(CC_ID,	"id",		"id",		INT)	\
	X(CC_NAME,	"name",		"name",		STR)	\
	X(CC_USERNAME,	"username",	"username",	STR)	\
	X(CC_DESC,	"description",	"description",	STR)	\
	X(CC_CREATOR,	"creator",	"creator",	STR)	\
	X(CC_CREATED,	"created_time",	"created_time",	TIME)
enum { CRED_COLS(HG_COL_ENUM) CC__MAX };
static const struct hg_col cred_cols[] = { CRED_COLS(HG_COL_DECL) };
#define CRED_SELECT "SELECT " CRED_COLS(HG_COL_SQL)

/* An SSH private key libssh can use (PEM or OpenSSH, no passphrase). */
const char *
hg_check_ssh_key(const char *s)
{
	ssh_key	k = NULL;
	int	rc;

	rc = ssh_pki_import_privkey_base64(s, NULL, NULL, NULL, &k);
	ssh_key_free(k);
	return rc == SSH_OK ? NULL : "is not an unencrypted SSH private key "
	    "(PEM or OpenSSH format)";
}

/*
 * POST's body; PATCH takes the same fields, each optional.  "id" is read
 * only by the seed's id-less PATCH (elsewhere it is checked and ignored).
 * The secret has no column: it is sealed and written apart.  The two
 * kinds differ only in the secret.
 */
enum { CF_ID, CF_NAME, CF_USERNAME, CF_DESC, CF_SECRET, CF__MAX };
#define CRED_FIELDS \
	[CF_ID] = { "id", HG_V_INT, 0, 1, 1LL << 62 },			\
	[CF_NAME] = { "name", HG_V_STR, HG_V_REQUIRED, 1, 128,		\
	    .f_check = hg_check_noctl, .f_col = "name" },		\
	[CF_USERNAME] = { "username", HG_V_STR, 0, 0, 128,		\
	    .f_check = hg_check_noctl, .f_col = "username" },		\
	[CF_DESC] = { "description", HG_V_STR, 0, 0, 1024,		\
	    .f_col = "description" }
static const struct hg_field pw_fields[CF__MAX] = {
	CRED_FIELDS,
	[CF_SECRET] = { "password", HG_V_STR,
	    HG_V_REQUIRED | HG_V_SECRET, 1, 4096 },
};
static const struct hg_field key_fields[CF__MAX] = {
	CRED_FIELDS,
	[CF_SECRET] = { "private_key", HG_V_STR,
	    HG_V_REQUIRED | HG_V_SECRET, 1, 16384, .f_check = hg_check_ssh_key },
};

/* GET .../password/?name=&username= and the same for ssh-key */
enum { CQ_NAME, CQ_USERNAME, CQ__MAX };
static const struct hg_field list_q[CQ__MAX] = {
	[CQ_NAME] = { "name", HG_V_STR, 0, 0, 128 },
	[CQ_USERNAME] = { "username", HG_V_STR, 0, 0, 128 },
};

/* One credential object of the route's kind; the secret shows as MASK. */
static json_object *
cred_json(struct hg_req *r, struct hg_rows *rs, int i)
{
	const struct ckind	*k = ARGOF(r, struct ckind);
	json_object		*o = HG_ROW(r, cred_cols, rs, i);

	json_object_object_add(o, "type", json_object_new_string(k->c_type));
	json_object_object_add(o, k->c_secret, json_object_new_string(MASK));
	return o;
}

/*
 * Credential id of the route's kind, locked when lock is set; 404 if none
 * (a credential of the other kind is none).
 */
static int
cred_load(struct hg_req *r, long long id, int lock, struct hg_rows **rs)
{
	const struct ckind	*k = ARGOF(r, struct ckind);
	int			 rc;

	if ((rc = hg_sql(r, rs, lock ? CRED_SELECT HG_NOCOUNT " FROM "
	    "credentials WHERE id = ?i AND kind = ?s FOR UPDATE" : CRED_SELECT
	    HG_NOCOUNT " FROM credentials WHERE id = ?i AND kind = ?s", id,
	    k->c_kind)) != 0)
		return rc;
	if ((*rs)->nrows == 0)
		return hg_fail(r, HG_E_NOTFOUND, "no %s with id %lld", k->c_what,
		    id);
	return 0;
}

static int
cred_reply(struct hg_req *r, long long id, int status)
{
	struct hg_rows	*rs;
	int		 rc;

	if ((rc = cred_load(r, id, 0, &rs)) != 0)
		return rc;
	return hg_reply(r, status, cred_json(r, rs, 0));
}

static int
name_taken(struct hg_req *r, int rc)
{
	if (rc == HG_E_CONFLICT)
		return hg_fail(r, rc, "%s name \"%s\" is taken",
		    ARGOF(r, struct ckind)->c_what, r->r_in[CF_NAME].s);
	return rc;
}

/* GET .../password/ and .../ssh-key/ */
static int
cred_list(struct hg_req *r)
{
	return hg_list(r, cred_json, CRED_SELECT "COUNT(*) OVER () "
	    "FROM credentials WHERE kind = ?s AND name LIKE COALESCE(?s, '%') "
	    "AND username LIKE COALESCE(?s, '%') ORDER BY id DESC "
	    "LIMIT ?i OFFSET ?i", ARGOF(r, struct ckind)->c_kind,
	    hg_like(r, &r->r_qv[CQ_NAME]), hg_like(r, &r->r_qv[CQ_USERNAME]));
}

/*
 * Store a new credential of kind ("password", "ssh_key") with its secret
 * sealed, and its audit row (kind "credential"): the one way a credential
 * is born, here and where deploy settings give one inline (deploy.h).
 * A name taken is 10010 naming it.
 */
int
hg_cred_store(struct hg_req *r, const char *kind, const char *name,
    const char *username, const char *secret, const char *desc,
    long long *id)
{
	const struct ckind	*k = strcmp(kind, key.c_kind) == 0 ? &key : &pw;
	const char		*d = "";
	char			*sealed;
	int			 rc;

	if ((rc = hg_seal_input(r, secret, &sealed)) != 0)
		return rc;
	if ((rc = hg_sql_exec(r, "INSERT INTO credentials (kind, name, "
	    "username, secret, description, creator) VALUES (?s, ?s, ?s, ?s, "
	    "?s, ?s)", k->c_kind, name, username ? username : "", sealed,
	    desc ? desc : "", r->r_user->u_username)) != 0) {
		if (rc == HG_E_CONFLICT)
			return hg_fail(r, rc, "%s name \"%s\" is taken",
			    k->c_what, name);
		return rc;
	}
	*id = hg_sql_insert_id(r);
	if (username != NULL && *username != '\0')
		hg_audit_change(r, &d, "username", NULL, username);
	if (desc != NULL && *desc != '\0')
		hg_audit_change(r, &d, "description", NULL, desc);
	d = hg_printf(r->r_arena, "%s%s%s replaced", d, *d != '\0' ? "; " :
	    "", k->c_secret);
	return hg_audit(r, "credential", *id, name, "add", hg_printf(
	    r->r_arena, "created %s \"%s\": %s", k->c_what, name, d));
}

/* POST .../password/ and .../ssh-key/ */
static int
cred_create(struct hg_req *r)
{
	const struct hg_val	*v = r->r_in;
	long long		 id;
	int			 rc;

	if ((rc = hg_cred_store(r, ARGOF(r, struct ckind)->c_kind,
	    v[CF_NAME].s, v[CF_USERNAME].s, v[CF_SECRET].s, v[CF_DESC].s,
	    &id)) != 0)
		return rc;
	return cred_reply(r, id, 201);
}

/* GET .../{id}/ */
static int
cred_get(struct hg_req *r)
{
	return cred_reply(r, r->r_ids[0], 200);
}

/*
 * Change credential id: the columns the body gives, the secret sealed,
 * and an audit row of what changed (the secret only as replaced).
 */
static int
cred_update(struct hg_req *r, long long id)
{
	const struct ckind	*k = ARGOF(r, struct ckind);
	const struct hg_val	*v = r->r_in;
	struct hg_rows		*old;
	char			*sealed = NULL;
	const char		*d = "";
	int			 rc;

	if ((rc = cred_load(r, id, 1, &old)) != 0 ||
	    (v[CF_SECRET].present &&
	    (rc = hg_seal_input(r, v[CF_SECRET].s, &sealed)) != 0) ||
	    (rc = name_taken(r, hg_sql_patch(r, "credentials", id))) != 0 ||
	    (sealed != NULL && (rc = hg_sql_exec(r, "UPDATE credentials SET "
	    "secret = ?s WHERE id = ?i", sealed, id)) != 0))
		return rc;
	hg_audit_fields(r, &d, cred_cols, CC__MAX, old, 0);
	if ((rc = hg_audit(r, NULL, id, v[CF_NAME].present ? v[CF_NAME].s :
	    HG_CELL(old, 0, CC_NAME), "update", hg_printf(r->r_arena,
	    "updated %s \"%s\": %s", k->c_what, HG_CELL(old, 0, CC_NAME),
	    *d != '\0' ? d : "no change"))) != 0)
		return rc;
	return cred_reply(r, id, 200);
}

/*
 * PATCH .../{id}/: the path names the credential.  A body "id" is
 * ignored (clients send the object back whole), so it is no change.
 */
static int
cred_patch(struct hg_req *r)
{
	r->r_in[CF_ID].present = 0;
	return cred_update(r, r->r_ids[0]);
}

/* PATCH .../password/ and .../ssh-key/, the seed's form: "id" in the body. */
static int
cred_patch_idless(struct hg_req *r)
{
	if (!r->r_in[CF_ID].present)
		return hg_invalid(r, "id", "is required when the path has no id");
	return cred_update(r, r->r_in[CF_ID].i);
}

/*
 * DELETE .../{id}/: refused while a host logs in with it or deploy
 * settings (of a template or an application) fetch their repository
 * with it.
 */
static int
cred_delete(struct hg_req *r)
{
	const struct ckind	*k = ARGOF(r, struct ckind);
	struct hg_rows		*old;
	const char		*users;
	long long		 n;
	int			 rc;

	if ((rc = cred_load(r, r->r_ids[0], 1, &old)) != 0 ||
	    (rc = hg_sql_count(r, &n, "SELECT COUNT(*) FROM hosts WHERE "
	    "credential_id = ?i", r->r_ids[0])) != 0)
		return rc;
	if (n > 0)
		return hg_fail(r, HG_E_CONFLICT, "%s \"%s\" is used by %lld "
		    "host(s)", k->c_what, HG_CELL(old, 0, CC_NAME), n);
	if ((rc = hg_deploy_cred_users(r, r->r_ids[0], &users)) != 0)
		return rc;
	if (users != NULL)
		return hg_fail(r, HG_E_CONFLICT, "%s \"%s\" is used by the "
		    "deploy settings of %s", k->c_what, HG_CELL(old, 0, CC_NAME),
		    users);
	if ((rc = hg_sql_exec(r, "DELETE FROM credentials WHERE id = ?i",
	    r->r_ids[0])) != 0)
		return rc;
	if ((rc = hg_audit(r, NULL, r->r_ids[0], HG_CELL(old, 0, CC_NAME),
	    "delete", hg_printf(r->r_arena, "deleted %s \"%s\" (username "
	    "\"%s\")", k->c_what, HG_CELL(old, 0, CC_NAME),
	    HG_CELL(old, 0, CC_USERNAME)))) != 0)
		return rc;
	return hg_reply_ok(r);
}

#define PW	"/applications/repository-credentials/password"
#define KEY	"/applications/repository-credentials/ssh-key"
#define READ	PERM_MODULE("deploy_template", "enable_deploy_template_mgmt")
#define WRITE	PERM_MODULE("deploy_template", "manage_credential")
#define AUDITED	AUDIT("credential")

const struct hg_route hg_routes_credentials[] = {
	ROUTE("GET", PW, cred_list, READ, ARG(&pw), QUERY(list_q), PAGED),
	ROUTE("POST", PW, cred_create, WRITE, ARG(&pw), BODY(pw_fields),
	    AUDITED),
	ROUTE("PATCH", PW, cred_patch_idless, WRITE, ARG(&pw),
	    PATCH(pw_fields), AUDITED),
	ROUTE("GET", PW "/{id}", cred_get, READ, ARG(&pw)),
	ROUTE("PATCH", PW "/{id}", cred_patch, WRITE, ARG(&pw),
	    PATCH(pw_fields), AUDITED),
	ROUTE("DELETE", PW "/{id}", cred_delete, WRITE, ARG(&pw), AUDITED),
	ROUTE("GET", KEY, cred_list, READ, ARG(&key), QUERY(list_q), PAGED),
	ROUTE("POST", KEY, cred_create, WRITE, ARG(&key), BODY(key_fields),
	    AUDITED),
	ROUTE("PATCH", KEY, cred_patch_idless, WRITE, ARG(&key),
	    PATCH(key_fields), AUDITED),
	ROUTE("GET", KEY "/{id}", cred_get, READ, ARG(&key)),
	ROUTE("PATCH", KEY "/{id}", cred_patch, WRITE, ARG(&key),
	    PATCH(key_fields), AUDITED),
	ROUTE("DELETE", KEY "/{id}", cred_delete, WRITE, ARG(&key), AUDITED),
	ROUTES_END
};

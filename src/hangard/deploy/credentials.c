/*
 * credentials.c -- /application/repository-credentials/password/ and
 * .../ssh-key/: the seed's 登录凭据 section, with GET and PATCH by id and
 * the SSH private key kind added (API.md section 4).
 *
 * Both kinds are one table of credentials (sql/003_jobs.sql) and one set of
 * handlers; struct ckind says what differs (the secret's field name, its
 * syntax check, the object's type).  The secret is sealed with the server
 * key before it is stored and is write-only: every read shows "******".
 * The seed's id-less PATCH takes the id in the body.
 */
#include <string.h>

#include <libssh/libssh.h>

#include "hangard.h"

#define MASK	"******"

struct ckind {
	const char		*c_kind;	/* credentials.kind */
	const char		*c_type;	/* the object's type */
	const char		*c_secret;	/* name of the secret field */
	const char		*c_what;	/* in messages */
	const struct hg_field	*c_create, *c_patch;
};

/* An SSH private key libssh can use (PEM or OpenSSH, no passphrase). */
static const char *
check_key(const char *s)
{
	ssh_key	k = NULL;
	int	rc;

	rc = ssh_pki_import_privkey_base64(s, NULL, NULL, NULL, &k);
	ssh_key_free(k);
	return rc == SSH_OK ? NULL : "is not an unencrypted SSH private key "
	    "(PEM or OpenSSH format)";
}

enum { CF_ID, CF_NAME, CF_USERNAME, CF_SECRET, CF_DESC, CF__MAX };
static const struct hg_field pw_create[CF__MAX] = {
	[CF_ID] = { "id", HG_V_INT, 0, 1, 1LL << 62 },
	[CF_NAME] = { "name", HG_V_STR, HG_V_REQUIRED, 1, 128,
	    .f_check = hg_check_noctl },
	[CF_USERNAME] = { "username", HG_V_STR, 0, 0, 128,
	    .f_check = hg_check_noctl },
	[CF_SECRET] = { "password", HG_V_STR, HG_V_REQUIRED, 1, 4096 },
	[CF_DESC] = { "description", HG_V_STR, 0, 0, 1024 },
};
static const struct hg_field pw_patch[CF__MAX] = {
	[CF_ID] = { "id", HG_V_INT, 0, 1, 1LL << 62 },
	[CF_NAME] = { "name", HG_V_STR, 0, 1, 128, .f_check = hg_check_noctl },
	[CF_USERNAME] = { "username", HG_V_STR, 0, 0, 128,
	    .f_check = hg_check_noctl },
	[CF_SECRET] = { "password", HG_V_STR, 0, 1, 4096 },
	[CF_DESC] = { "description", HG_V_STR, 0, 0, 1024 },
};
static const struct hg_field key_create[CF__MAX] = {
	[CF_ID] = { "id", HG_V_INT, 0, 1, 1LL << 62 },
	[CF_NAME] = { "name", HG_V_STR, HG_V_REQUIRED, 1, 128,
	    .f_check = hg_check_noctl },
	[CF_USERNAME] = { "username", HG_V_STR, 0, 0, 128,
	    .f_check = hg_check_noctl },
	[CF_SECRET] = { "private_key", HG_V_STR, HG_V_REQUIRED, 1, 16384,
	    .f_check = check_key },
	[CF_DESC] = { "description", HG_V_STR, 0, 0, 1024 },
};
static const struct hg_field key_patch[CF__MAX] = {
	[CF_ID] = { "id", HG_V_INT, 0, 1, 1LL << 62 },
	[CF_NAME] = { "name", HG_V_STR, 0, 1, 128, .f_check = hg_check_noctl },
	[CF_USERNAME] = { "username", HG_V_STR, 0, 0, 128,
	    .f_check = hg_check_noctl },
	[CF_SECRET] = { "private_key", HG_V_STR, 0, 1, 16384,
	    .f_check = check_key },
	[CF_DESC] = { "description", HG_V_STR, 0, 0, 1024 },
};

static const struct ckind pw = { "password", "PASSWORD", "password",
    "password credential", pw_create, pw_patch };
static const struct ckind key = { "ssh_key", "SSH_PRIVATE_KEY", "private_key",
    "SSH key credential", key_create, key_patch };

#define CRED_COLS "id, name, username, description, creator, created_time"

/* One credential object; the secret always shows as MASK. */
static json_object *
cred_json(struct hg_req *r, struct hg_rows *rs, int i, const struct ckind *k)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", hg_jint(HG_CELL(rs, i, 0)));
	json_object_object_add(o, "type", json_object_new_string(k->c_type));
	json_object_object_add(o, "name", hg_jstr(HG_CELL(rs, i, 1)));
	json_object_object_add(o, "username", hg_jstr(HG_CELL(rs, i, 2)));
	json_object_object_add(o, k->c_secret, json_object_new_string(MASK));
	json_object_object_add(o, "description", hg_jstr(HG_CELL(rs, i, 3)));
	json_object_object_add(o, "creator", hg_jstr(HG_CELL(rs, i, 4)));
	json_object_object_add(o, "created_time", hg_jtime(r, HG_CELL(rs, i, 5)));
	return o;
}

static json_object *
pw_json(struct hg_req *r, struct hg_rows *rs, int i)
{
	return cred_json(r, rs, i, &pw);
}

static json_object *
key_json(struct hg_req *r, struct hg_rows *rs, int i)
{
	return cred_json(r, rs, i, &key);
}

/* Credential id of kind k, locked when lock is set; 404 if none. */
static int
cred_load(struct hg_req *r, const struct ckind *k, long long id, int lock,
    struct hg_rows **rs)
{
	int rc;

	rc = lock ? hg_db_query(r->r_db, r->r_arena, rs, "SELECT " CRED_COLS
	    " FROM credentials WHERE id = ? AND kind = ? FOR UPDATE", "is", id,
	    k->c_kind) : hg_db_query(r->r_db, r->r_arena, rs, "SELECT "
	    CRED_COLS " FROM credentials WHERE id = ? AND kind = ?", "is", id,
	    k->c_kind);
	if (rc != 0)
		return hg_fail(r, rc, NULL);
	if ((*rs)->nrows == 0)
		return hg_fail(r, HG_E_NOTFOUND, "no %s with id %lld", k->c_what,
		    id);
	return 0;
}

static int
cred_reply(struct hg_req *r, const struct ckind *k, long long id, int status)
{
	struct hg_rows	*rs;
	int		 rc;

	if ((rc = cred_load(r, k, id, 0, &rs)) != 0)
		return rc;
	return hg_reply(r, status, cred_json(r, rs, 0, k));
}

enum { CQ_NAME, CQ_USERNAME, CQ__MAX };
static const struct hg_field list_q[CQ__MAX] = {
	[CQ_NAME] = { "name", HG_V_STR, 0, 0, 128 },
	[CQ_USERNAME] = { "username", HG_V_STR, 0, 0, 128 },
};

/* GET .../password/ and .../ssh-key/ */
static int
cred_list(struct hg_req *r, const struct ckind *k, hg_rowfn fn)
{
	struct hg_val	v[CQ__MAX];
	struct hg_page	pg;
	int		rc;

	if ((rc = hg_query(r, list_q, CQ__MAX, v)) != 0 ||
	    (rc = hg_page(r, &pg)) != 0)
		return rc;
	return hg_list_v0(r, &pg, fn, "SELECT " CRED_COLS ", COUNT(*) OVER () "
	    "FROM credentials WHERE kind = ? AND name LIKE COALESCE(?, '%') "
	    "AND username LIKE COALESCE(?, '%') ORDER BY id DESC "
	    "LIMIT ? OFFSET ?", "sss", k->c_kind, hg_like(r, &v[CQ_NAME]),
	    hg_like(r, &v[CQ_USERNAME]));
}

/* POST .../password/ and .../ssh-key/ */
static int
cred_create(struct hg_req *r, const struct ckind *k)
{
	struct hg_val	 v[CF__MAX];
	char		*sealed;
	long long	 id;
	int		 rc;

	if ((rc = hg_body(r, k->c_create, CF__MAX, v)) != 0 ||
	    (rc = hg_seal_input(r, v[CF_SECRET].s, &sealed)) != 0)
		return rc;
	rc = hg_db_exec(r->r_db, "INSERT INTO credentials (kind, name, username, "
	    "secret, description, creator) VALUES (?, ?, ?, ?, ?, ?)", "ssssss",
	    k->c_kind, v[CF_NAME].s, v[CF_USERNAME].s ? v[CF_USERNAME].s : "",
	    sealed, v[CF_DESC].s ? v[CF_DESC].s : "", r->r_user->u_username);
	if (rc == HG_E_CONFLICT)
		return hg_fail(r, rc, "%s name \"%s\" is taken", k->c_what,
		    v[CF_NAME].s);
	if (rc != 0)
		return hg_fail(r, rc, NULL);
	id = (long long)hg_db_insert_id(r->r_db);
	if ((rc = hg_audit(r, "credential", id, v[CF_NAME].s, "add",
	    hg_printf(r->r_arena, "created %s \"%s\": username \"%s\", %s set",
	    k->c_what, v[CF_NAME].s, v[CF_USERNAME].s ? v[CF_USERNAME].s : "",
	    k->c_secret))) != 0)
		return rc;
	return cred_reply(r, k, id, 201);
}

/*
 * PATCH .../{id}/, or the seed's PATCH on the collection with "id" in the
 * body.
 */
static int
cred_patch(struct hg_req *r, const struct ckind *k)
{
	struct hg_val	 v[CF__MAX];
	struct hg_rows	*old;
	char		*sealed = NULL;
	const char	*d = "";
	long long	 id;
	int		 rc;

	if ((rc = hg_body(r, k->c_patch, CF__MAX, v)) != 0)
		return rc;
	if (r->r_nparams > 0)
		id = r->r_ids[0];
	else if (v[CF_ID].present)
		id = v[CF_ID].i;
	else
		return hg_invalid(r, "id", "is required when the path has no id");
	if ((rc = cred_load(r, k, id, 1, &old)) != 0)
		return rc;
	if (v[CF_SECRET].present &&
	    (rc = hg_seal_input(r, v[CF_SECRET].s, &sealed)) != 0)
		return rc;
	hg_audit_changed(r, &d, "name", HG_CELL(old, 0, 1), &v[CF_NAME]);
	hg_audit_changed(r, &d, "username", HG_CELL(old, 0, 2),
	    &v[CF_USERNAME]);
	hg_audit_changed(r, &d, "description", HG_CELL(old, 0, 3), &v[CF_DESC]);
	if (sealed != NULL)
		d = hg_printf(r->r_arena, "%s%s%s replaced", d,
		    *d != '\0' ? "; " : "", k->c_secret);
	rc = hg_db_exec(r->r_db, "UPDATE credentials SET "
	    "name = COALESCE(?, name), username = COALESCE(?, username), "
	    "secret = COALESCE(?, secret), "
	    "description = COALESCE(?, description) WHERE id = ?", "ssssi",
	    v[CF_NAME].s, v[CF_USERNAME].s, sealed, v[CF_DESC].s, id);
	if (rc == HG_E_CONFLICT)
		return hg_fail(r, rc, "%s name \"%s\" is taken", k->c_what,
		    v[CF_NAME].s);
	if (rc != 0)
		return hg_fail(r, rc, NULL);
	if ((rc = hg_audit(r, "credential", id, v[CF_NAME].present ?
	    v[CF_NAME].s : HG_CELL(old, 0, 1), "update", hg_printf(r->r_arena,
	    "updated %s \"%s\": %s", k->c_what, HG_CELL(old, 0, 1),
	    *d != '\0' ? d : "no change"))) != 0)
		return rc;
	return cred_reply(r, k, id, 200);
}

/* DELETE .../{id}/: refused while a host logs in with it. */
static int
cred_delete(struct hg_req *r, const struct ckind *k)
{
	struct hg_rows	*old, *rs;
	int		 rc;

	if ((rc = cred_load(r, k, r->r_ids[0], 1, &old)) != 0)
		return rc;
	if ((rc = hg_db_query(r->r_db, r->r_arena, &rs, "SELECT COUNT(*) FROM "
	    "hosts WHERE credential_id = ?", "i", r->r_ids[0])) != 0)
		return hg_fail(r, rc, NULL);
	if (hg_atoll(HG_CELL(rs, 0, 0)) > 0)
		return hg_fail(r, HG_E_CONFLICT, "%s \"%s\" is used by %s host(s)",
		    k->c_what, HG_CELL(old, 0, 1), HG_CELL(rs, 0, 0));
	if ((rc = hg_db_exec(r->r_db, "DELETE FROM credentials WHERE id = ?",
	    "i", r->r_ids[0])) != 0)
		return hg_fail(r, rc, NULL);
	if ((rc = hg_audit(r, "credential", r->r_ids[0], HG_CELL(old, 0, 1),
	    "delete", hg_printf(r->r_arena, "deleted %s \"%s\" (username "
	    "\"%s\")", k->c_what, HG_CELL(old, 0, 1), HG_CELL(old, 0, 2)))) != 0)
		return rc;
	return hg_reply_ok(r);
}

static int
pw_list(struct hg_req *r)
{
	return cred_list(r, &pw, pw_json);
}

static int
pw_create_h(struct hg_req *r)
{
	return cred_create(r, &pw);
}

static int
pw_get(struct hg_req *r)
{
	return cred_reply(r, &pw, r->r_ids[0], 200);
}

static int
pw_patch_h(struct hg_req *r)
{
	return cred_patch(r, &pw);
}

static int
pw_delete(struct hg_req *r)
{
	return cred_delete(r, &pw);
}

static int
key_list(struct hg_req *r)
{
	return cred_list(r, &key, key_json);
}

static int
key_create_h(struct hg_req *r)
{
	return cred_create(r, &key);
}

static int
key_get(struct hg_req *r)
{
	return cred_reply(r, &key, r->r_ids[0], 200);
}

static int
key_patch_h(struct hg_req *r)
{
	return cred_patch(r, &key);
}

static int
key_delete(struct hg_req *r)
{
	return cred_delete(r, &key);
}

#define PW	"/applications/repository-credentials/password"
#define KEY	"/applications/repository-credentials/ssh-key"
#define READ	PERM_MODULE("deploy_template", "enable_deploy_template_mgmt")
#define WRITE	PERM_MODULE("deploy_template", "manage_credential")

const struct hg_route hg_routes_credentials[] = {
	ROUTE("GET", PW, pw_list, READ),
	ROUTE("POST", PW, pw_create_h, WRITE, AUDIT("credential")),
	ROUTE("PATCH", PW, pw_patch_h, WRITE, AUDIT("credential")),
	ROUTE("GET", PW "/{id}", pw_get, READ),
	ROUTE("PATCH", PW "/{id}", pw_patch_h, WRITE, AUDIT("credential")),
	ROUTE("DELETE", PW "/{id}", pw_delete, WRITE, AUDIT("credential")),
	ROUTE("GET", KEY, key_list, READ),
	ROUTE("POST", KEY, key_create_h, WRITE, AUDIT("credential")),
	ROUTE("PATCH", KEY, key_patch_h, WRITE, AUDIT("credential")),
	ROUTE("GET", KEY "/{id}", key_get, READ),
	ROUTE("PATCH", KEY "/{id}", key_patch_h, WRITE, AUDIT("credential")),
	ROUTE("DELETE", KEY "/{id}", key_delete, WRITE, AUDIT("credential")),
	ROUTES_END
};

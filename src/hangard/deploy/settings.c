/*
 * settings.c -- one set of deploy settings (the seed's Application deploy
 * template and Application Deploy Settings share this shape): where the
 * code comes from (repository), where it goes (deploy_path), how long a
 * deploy may take, how many backups stay, and the lifecycle hooks.  A set
 * is a deploy_configs row and its deploy_config_hooks rows
 * (sql/082_deploy_config.sql), owned by a template or by an application.
 *
 * A change is an overlay: the fields the body gives replace the stored
 * ones (repository's keys one by one; a hook stage given as null is
 * removed), and the result must be complete and consistent before it is
 * written: a repository type and URL whose scheme fits the type, a branch
 * for GIT, a deploy path, credentials and scripts that exist.  An inline
 * credential is stored as a credential of its own exactly as
 * /application/repository-credentials/ stores one (hg_cred_store), and
 * the set refers to it by id; reads show its secret as "******".
 */
#include <ctype.h>
#include <string.h>
#include <strings.h>

#include "hangard.h"
#include "deploy/deploy.h"

#define ID_MAX	(1LL << 62)
#define MASK	"******"

static const char *const stages[4] = { "global_pre_exec", "pre_exec",
	"post_exec", "global_post_exec" };

/* ---- declared fields -------------------------------------------------- */

/* An absolute path without "..", "." or empty segments' tricks. */
const char *
hg_check_deploy_path(const char *s)
{
	const char *p;

	if (*s != '/')
		return "must be an absolute path";
	for (p = s; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return "must not contain control characters";
	for (p = s; (p = strstr(p, "..")) != NULL; p += 2)
		if (p[-1] == '/' && (p[2] == '/' || p[2] == '\0'))
			return "must not contain \"..\"";
	return NULL;
}

/* A POSIX user name (the portable set, as useradd takes it): [a-z_][a-z0-9_-]*$? */
const char *
hg_check_posix_user(const char *s)
{
	const char *p;

	if (!(islower((unsigned char)*s) || *s == '_'))
		return "must be a POSIX user name: a-z or _ first, then a-z 0-9 _ -";
	for (p = s + 1; *p; p++)
		if (!islower((unsigned char)*p) && !isdigit((unsigned char)*p) &&
		    *p != '_' && *p != '-' && !(*p == '$' && p[1] == '\0'))
			return "must be a POSIX user name: a-z or _ first, "
			    "then a-z 0-9 _ -";
	return NULL;
}

/* Which repository types a URL's form fits: bit 1 GIT, bit 2 FTP, 0 none. */
static int
url_kinds(const char *s)
{
	static const struct { const char *pre; int kinds; } schemes[] = {
		{ "http://", 1 }, { "https://", 1 }, { "ssh://", 1 },
		{ "git://", 1 }, { "ftp://", 2 }, { "ftps://", 2 },
		{ "ftpes://", 2 }, { "sftp://", 2 },
	};
	const char	*at, *colon, *p;
	size_t		 i, n;

	for (p = s; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f)
			return 0;
	for (i = 0; i < HG_NELEM(schemes); i++) {
		n = strlen(schemes[i].pre);
		if (strncasecmp(s, schemes[i].pre, n) == 0)
			return s[n] != '\0' && s[n] != '/' ? schemes[i].kinds : 0;
	}
	/* scp-like git@host:path: a user, a host, a path, no scheme */
	if ((at = strchr(s, '@')) != NULL && at > s &&
	    (colon = strchr(at, ':')) != NULL && colon > at + 1 &&
	    colon[1] != '\0' && ((p = strchr(s, '/')) == NULL || p > colon))
		return 1;
	return 0;
}

const char *
hg_check_repo_url(const char *s)
{
	return url_kinds(s) ? NULL : "must be a repository URL: http(s)://, "
	    "ssh://, git:// or user@host:path (GIT); ftp://, ftps://, "
	    "ftpes:// or sftp:// (FTP)";
}

/* A git branch name: no spaces or control characters, no "..". */
static const char *
check_branch(const char *s)
{
	const char *p;

	for (p = s; *p; p++)
		if ((unsigned char)*p <= 0x20 || *p == 0x7f || *p == '~' ||
		    *p == '^' || *p == ':' || *p == '\\')
			return "must be a git branch name";
	if (strstr(s, "..") != NULL || *s == '-' || *s == '/')
		return "must be a git branch name";
	return NULL;
}

static const char *const repo_types[] = { "GIT", "FTP", NULL };
static const char *const cred_types[] = { "PASSWORD", "SSH_PRIVATE_KEY",
	NULL };

/* An inline credential (the seed's password / SSH private key credential). */
enum { CI_TYPE, CI_NAME, CI_USER, CI_PASSWORD, CI_KEY, CI_DESC, CI__MAX };
static const struct hg_field cred_fields[CI__MAX] = {
	[CI_TYPE] = { "type", HG_V_ENUM, HG_V_REQUIRED | HG_V_NOCASE, 0, 0,
	    cred_types },
	[CI_NAME] = { "name", HG_V_STR, 0, 1, 128, .f_check = hg_check_noctl },
	[CI_USER] = { "username", HG_V_STR, 0, 0, 128,
	    .f_check = hg_check_noctl },
	[CI_PASSWORD] = { "password", HG_V_STR, HG_V_SECRET, 1, 4096 },
	[CI_KEY] = { "private_key", HG_V_STR, HG_V_SECRET, 1, 16384,
	    .f_check = hg_check_ssh_key },
	[CI_DESC] = { "description", HG_V_STR, 0, 0, 1024 },
};

const struct hg_field hg_dset_repo[HG_DR__MAX] = {
	[HG_DR_TYPE] = { "type", HG_V_ENUM, HG_V_NOCASE, 0, 0, repo_types },
	[HG_DR_URL] = { "url", HG_V_STR, 0, 1, 2048,
	    .f_check = hg_check_repo_url },
	[HG_DR_BRANCH] = { "branch", HG_V_STR, 0, 1, 255,
	    .f_check = check_branch },
	/* an existing credential's id, or an inline one; null: none */
	[HG_DR_CRED] = { "credential", HG_V_INT, HG_V_NULLABLE | HG_V_ORSUB,
	    1, ID_MAX, HG_SUB(cred_fields) },
};

/* A hook's script: {"id": N}, or N. */
static const struct hg_field script_ref[1] = {
	[0] = { "id", HG_V_INT, HG_V_REQUIRED, 1, ID_MAX },
};
enum { HI_RUSER, HI_SCRIPT, HI__MAX };
static const struct hg_field hook_fields[HI__MAX] = {
	[HI_RUSER] = { "running_user", HG_V_STR, HG_V_NULLABLE, 1, 32,
	    .f_check = hg_check_posix_user },
	[HI_SCRIPT] = { "script", HG_V_INT, HG_V_REQUIRED | HG_V_ORSUB, 1,
	    ID_MAX, HG_SUB(script_ref) },
};

#define HOOK(i, name, ...) [i] = { name, HG_V_OBJECT, HG_V_NULLABLE, \
	__VA_ARGS__ HG_SUB(hook_fields) }
const struct hg_field hg_dset_hooks[HG_DH__MAX] = {
	[HG_DH_RUSER] = { "running_user", HG_V_STR, HG_V_NULLABLE, 1, 32,
	    .f_check = hg_check_posix_user },
	HOOK(HG_DH_GPRE, "global_pre_exec", ),
	HOOK(HG_DH_PRE, "pre_exec", ),
	HOOK(HG_DH_POST, "post_exec", ),
	HOOK(HG_DH_GPOST, "global_post_exec",
	    .f_alias = { "glboal_post_exec" }, ),
};

/* ---- reading ---------------------------------------------------------- */

/* The repository's credential as a read shows it: never its secret. */
static json_object *
cred_json(struct hg_rows *rs, int i)
{
	json_object	*o;
	int		 key;

	if (HG_CELL(rs, i, HG_DC_CRED) == NULL)
		return NULL;
	key = strcmp(HG_CELL(rs, i, HG_DC_CKIND), "ssh_key") == 0;
	o = json_object_new_object();
	json_object_object_add(o, "id", hg_jint(HG_CELL(rs, i, HG_DC_CRED)));
	json_object_object_add(o, "type", json_object_new_string(key ?
	    "SSH_PRIVATE_KEY" : "PASSWORD"));
	json_object_object_add(o, "name", hg_jstr(HG_CELL(rs, i, HG_DC_CNAME)));
	json_object_object_add(o, "username",
	    hg_jstr(HG_CELL(rs, i, HG_DC_CUSER)));
	json_object_object_add(o, key ? "private_key" : "password",
	    json_object_new_string(MASK));
	return o;
}

/*
 * Add a set's fields to o from row i of rs (HG_DSET_COLS first): enabled,
 * repository, deploy_path, timeout, keep_backups, lifecycle_hooks.  A row
 * without a set (an unconfigured application's) shows enabled false and
 * every other field null.
 */
void
hg_dset_json(struct hg_req *r, json_object *o, struct hg_rows *rs, int i)
{
	json_object	*repo, *hooks, *stored, *h;
	size_t		 k;

	(void)r;
	if (HG_CELL(rs, i, HG_DC_ID) == NULL) {
		json_object_object_add(o, "enabled",
		    json_object_new_boolean(0));
		json_object_object_add(o, "repository", NULL);
		json_object_object_add(o, "deploy_path", NULL);
		json_object_object_add(o, "timeout", NULL);
		json_object_object_add(o, "keep_backups", NULL);
		json_object_object_add(o, "lifecycle_hooks", NULL);
		return;
	}
	json_object_object_add(o, "enabled",
	    hg_jbool(HG_CELL(rs, i, HG_DC_ENABLED)));
	repo = json_object_new_object();
	json_object_object_add(repo, "type", hg_jstr(HG_CELL(rs, i, HG_DC_TYPE)));
	json_object_object_add(repo, "url", hg_jstr(HG_CELL(rs, i, HG_DC_URL)));
	if (strcmp(HG_CELL(rs, i, HG_DC_TYPE), "GIT") == 0)
		json_object_object_add(repo, "branch",
		    hg_jstr(HG_CELL(rs, i, HG_DC_BRANCH)));
	json_object_object_add(repo, "credential", cred_json(rs, i));
	json_object_object_add(o, "repository", repo);
	json_object_object_add(o, "deploy_path",
	    hg_jstr(HG_CELL(rs, i, HG_DC_PATH)));
	json_object_object_add(o, "timeout",
	    hg_jint(HG_CELL(rs, i, HG_DC_TIMEOUT)));
	json_object_object_add(o, "keep_backups",
	    hg_jint(HG_CELL(rs, i, HG_DC_KEEP)));
	hooks = json_object_new_object();
	json_object_object_add(hooks, "running_user",
	    hg_jstr(HG_CELL(rs, i, HG_DC_RUSER)));
	stored = HG_CELL(rs, i, HG_DC_HOOKS) == NULL ? NULL :
	    json_tokener_parse(HG_CELL(rs, i, HG_DC_HOOKS));
	for (k = 0; k < HG_NELEM(stages); k++) {
		h = NULL;
		if (stored != NULL &&
		    json_object_object_get_ex(stored, stages[k], &h))
			h = json_object_get(h);
		json_object_object_add(hooks, stages[k], h);
	}
	json_object_put(stored);
	json_object_object_add(o, "lifecycle_hooks", hooks);
}

/* ---- changing ----------------------------------------------------------- */

struct dset {
	const char	*d_type, *d_url, *d_branch, *d_path, *d_ruser;
	long long	 d_cred, d_timeout, d_keep, d_enabled;
	long long	 d_script[4];	/* 0: no hook at that stage */
	const char	*d_hruser[4];
};

static const char *
num(struct hg_req *r, long long i)
{
	return i == 0 ? NULL : hg_printf(r->r_arena, "%lld", i);
}

/* Set config_id into *d (locked); config_id 0 is a new set's defaults. */
static int
dset_load(struct hg_req *r, long long config_id, struct dset *d)
{
	struct hg_rows	*rs;
	size_t		 k;
	int		 rc, i;

	memset(d, 0, sizeof(*d));
	d->d_timeout = 120;
	d->d_keep = 5;
	d->d_enabled = 1;
	if (config_id == 0)
		return 0;
	if ((rc = hg_sql(r, &rs, "SELECT repo_type, repo_url, repo_branch, "
	    "credential_id, deploy_path, running_user, timeout, keep_backups, "
	    "enabled FROM deploy_configs WHERE id = ?i FOR UPDATE",
	    config_id)) != 0)
		return rc;
	if (rs->nrows == 0)
		return hg_fail(r, HG_E_INTERNAL, NULL);
	d->d_type = HG_CELL(rs, 0, 0);
	d->d_url = HG_CELL(rs, 0, 1);
	d->d_branch = HG_CELL(rs, 0, 2);
	d->d_cred = HG_CELL(rs, 0, 3) ? hg_atoll(HG_CELL(rs, 0, 3)) : 0;
	d->d_path = HG_CELL(rs, 0, 4);
	d->d_ruser = HG_CELL(rs, 0, 5);
	d->d_timeout = hg_atoll(HG_CELL(rs, 0, 6));
	d->d_keep = hg_atoll(HG_CELL(rs, 0, 7));
	d->d_enabled = hg_atoll(HG_CELL(rs, 0, 8));
	if ((rc = hg_sql(r, &rs, "SELECT stage, script_id, running_user FROM "
	    "deploy_config_hooks WHERE config_id = ?i", config_id)) != 0)
		return rc;
	for (i = 0; i < rs->nrows; i++)
		for (k = 0; k < HG_NELEM(stages); k++)
			if (strcmp(HG_CELL(rs, i, 0), stages[k]) == 0) {
				d->d_script[k] = hg_atoll(HG_CELL(rs, i, 1));
				d->d_hruser[k] = HG_CELL(rs, i, 2);
			}
	return 0;
}

/*
 * Store the inline credential v (validated by cred_fields) as one of its
 * own; *id gets its id.
 */
static int
cred_inline(struct hg_req *r, const struct hg_downer *o,
    const struct hg_val *v, long long *id)
{
	int		 key = strcmp(v[CI_TYPE].s, "SSH_PRIVATE_KEY") == 0;
	const struct hg_val *secret = &v[key ? CI_KEY : CI_PASSWORD];
	const char	*name;

	if (!secret->present || secret->null)
		return hg_invalid(r, key ? "repository.credential.private_key" :
		    "repository.credential.password", key ? "is required for "
		    "an SSH_PRIVATE_KEY credential" : "is required for a "
		    "PASSWORD credential");
	name = v[CI_NAME].present ? v[CI_NAME].s : hg_printf(r->r_arena,
	    "%s repository %.8s", o->o_what, r->r_id);
	return hg_cred_store(r, key ? "ssh_key" : "password", name,
	    v[CI_USER].s, secret->s, v[CI_DESC].s, id);
}

/* The body's fields over d. */
static int
dset_overlay(struct hg_req *r, const struct hg_downer *o,
    const struct hg_val *in, struct dset *d)
{
	const struct hg_val	*rv, *hv, *sv;
	size_t			 k;
	int			 rc;

	if (in[HG_DF_REPO].present) {
		rv = in[HG_DF_REPO].sub;
		if (rv[HG_DR_TYPE].present)
			d->d_type = rv[HG_DR_TYPE].s;
		if (rv[HG_DR_URL].present)
			d->d_url = rv[HG_DR_URL].s;
		if (rv[HG_DR_BRANCH].present)
			d->d_branch = rv[HG_DR_BRANCH].s;
		if (rv[HG_DR_CRED].null)
			d->d_cred = 0;
		else if (rv[HG_DR_CRED].sub != NULL) {
			if ((rc = cred_inline(r, o, rv[HG_DR_CRED].sub,
			    &d->d_cred)) != 0)
				return rc;
		} else if (rv[HG_DR_CRED].present)
			d->d_cred = rv[HG_DR_CRED].i;
	}
	if (d->d_type != NULL && strcmp(d->d_type, "FTP") == 0)
		d->d_branch = NULL;
	if (in[HG_DF_PATH].present)
		d->d_path = in[HG_DF_PATH].s;
	if (in[HG_DF_TIMEOUT].present)
		d->d_timeout = in[HG_DF_TIMEOUT].i;
	if (in[HG_DF_KEEP].present)
		d->d_keep = in[HG_DF_KEEP].i;
	if (in[HG_DF_ENABLED].present)
		d->d_enabled = in[HG_DF_ENABLED].i;
	if (in[HG_DF_RUSER].present)
		d->d_ruser = in[HG_DF_RUSER].s;
	if (!in[HG_DF_HOOKS].present)
		return 0;
	hv = in[HG_DF_HOOKS].sub;
	if (hv[HG_DH_RUSER].present)
		d->d_ruser = hv[HG_DH_RUSER].s;
	for (k = 0; k < HG_NELEM(stages); k++) {
		if (!hv[HG_DH_GPRE + k].present)
			continue;
		if (hv[HG_DH_GPRE + k].null) {
			d->d_script[k] = 0;
			d->d_hruser[k] = NULL;
			continue;
		}
		sv = hv[HG_DH_GPRE + k].sub;
		d->d_script[k] = sv[HI_SCRIPT].sub != NULL ?
		    sv[HI_SCRIPT].sub[0].i : sv[HI_SCRIPT].i;
		d->d_hruser[k] = sv[HI_RUSER].s;
	}
	return 0;
}

/* Is d complete and consistent?  10002 on the field that is not. */
static int
dset_check(struct hg_req *r, const struct dset *d)
{
	struct hg_rows	*rs;
	size_t		 k;
	int		 rc, want;

	if (d->d_type == NULL)
		return hg_invalid(r, "repository.type", "is required");
	if (d->d_url == NULL)
		return hg_invalid(r, "repository.url", "is required");
	want = strcmp(d->d_type, "GIT") == 0 ? 1 : 2;
	if (!(url_kinds(d->d_url) & want))
		return hg_invalid(r, "repository.url", want == 1 ? "must be a "
		    "GIT URL: http(s)://, ssh://, git:// or user@host:path" :
		    "must be an FTP URL: ftp://, ftps://, ftpes:// or sftp://");
	if (want == 1 && d->d_branch == NULL)
		return hg_invalid(r, "repository.branch",
		    "is required for a GIT repository");
	if (d->d_path == NULL)
		return hg_invalid(r, "deploy_path", "is required");
	if (d->d_cred != 0) {
		if ((rc = hg_sql(r, &rs, "SELECT id FROM credentials WHERE "
		    "id = ?i LOCK IN SHARE MODE", d->d_cred)) != 0)
			return rc;
		if (rs->nrows == 0)
			return hg_invalid(r, "repository.credential",
			    hg_printf(r->r_arena, "no credential with id %lld",
			    d->d_cred));
	}
	for (k = 0; k < HG_NELEM(stages); k++) {
		if (d->d_script[k] == 0)
			continue;
		if ((rc = hg_sql(r, &rs, "SELECT id FROM deploy_scripts WHERE "
		    "id = ?i LOCK IN SHARE MODE", d->d_script[k])) != 0)
			return rc;
		if (rs->nrows == 0)
			return hg_invalid(r, hg_printf(r->r_arena,
			    "lifecycle_hooks.%s.script", stages[k]),
			    hg_printf(r->r_arena, "no deploy script with id "
			    "%lld", d->d_script[k]));
	}
	return 0;
}

static const char *
hook_text(struct hg_req *r, const struct dset *d, size_t k)
{
	if (d->d_script[k] == 0)
		return NULL;
	return hg_printf(r->r_arena, "script %lld%s%s", d->d_script[k],
	    d->d_hruser[k] ? " as " : "", d->d_hruser[k] ? d->d_hruser[k] : "");
}

/* Append the changes from a to b to *detail. */
static void
dset_diff(struct hg_req *r, const struct dset *a, const struct dset *b,
    const char **detail)
{
	size_t k;

	hg_audit_change(r, detail, "repository.type", a->d_type, b->d_type);
	hg_audit_change(r, detail, "repository.url", a->d_url, b->d_url);
	hg_audit_change(r, detail, "repository.branch", a->d_branch,
	    b->d_branch);
	hg_audit_change(r, detail, "repository.credential", num(r, a->d_cred),
	    num(r, b->d_cred));
	hg_audit_change(r, detail, "deploy_path", a->d_path, b->d_path);
	hg_audit_change(r, detail, "timeout", num(r, a->d_timeout),
	    num(r, b->d_timeout));
	hg_audit_change(r, detail, "keep_backups", num(r, a->d_keep),
	    num(r, b->d_keep));
	hg_audit_change(r, detail, "enabled", a->d_enabled ? "true" : "false",
	    b->d_enabled ? "true" : "false");
	hg_audit_change(r, detail, "lifecycle_hooks.running_user", a->d_ruser,
	    b->d_ruser);
	for (k = 0; k < HG_NELEM(stages); k++)
		hg_audit_change(r, detail, hg_printf(r->r_arena,
		    "lifecycle_hooks.%s", stages[k]), hook_text(r, a, k),
		    hook_text(r, b, k));
}

/*
 * Write the body's settings (in: the HG_DF_ fields) over set config_id of
 * owner o, or a new set (config_id 0: its first write, which must be
 * complete).  Appends the changes to *detail.  One transaction, the
 * request's: a refusal leaves nothing behind, inline credentials included.
 */
int
hg_dset_save(struct hg_req *r, const struct hg_downer *o,
    const struct hg_val *in, long long config_id, const char **detail)
{
	struct dset	 old, d;
	size_t		 k;
	int		 rc;

	if ((rc = dset_load(r, config_id, &old)) != 0)
		return rc;
	d = old;
	if ((rc = dset_overlay(r, o, in, &d)) != 0 ||
	    (rc = dset_check(r, &d)) != 0)
		return rc;
	if (config_id == 0) {
		if ((rc = hg_sql_exec(r, "INSERT INTO deploy_configs "
		    "(template_id, app_id, creator, repo_type, repo_url, "
		    "deploy_path) VALUES (?s, ?s, ?s, ?s, ?s, ?s)",
		    num(r, o->o_template), num(r, o->o_app),
		    r->r_user->u_username, d.d_type, d.d_url, d.d_path)) != 0)
			return rc;
		config_id = hg_sql_insert_id(r);
	}
	if ((rc = hg_sql_exec(r, "UPDATE deploy_configs SET repo_type = ?s, "
	    "repo_url = ?s, repo_branch = ?s, credential_id = ?s, "
	    "deploy_path = ?s, running_user = ?s, timeout = ?i, "
	    "keep_backups = ?i, enabled = ?i, updated_time = UTC_TIMESTAMP() "
	    "WHERE id = ?i", d.d_type, d.d_url, d.d_branch, num(r, d.d_cred),
	    d.d_path, d.d_ruser, d.d_timeout, d.d_keep, d.d_enabled,
	    config_id)) != 0 ||
	    (rc = hg_sql_exec(r, "DELETE FROM deploy_config_hooks WHERE "
	    "config_id = ?i", config_id)) != 0)
		return rc;
	for (k = 0; k < HG_NELEM(stages); k++)
		if (d.d_script[k] != 0 && (rc = hg_sql_exec(r, "INSERT INTO "
		    "deploy_config_hooks (config_id, stage, running_user, "
		    "script_id) VALUES (?i, ?s, ?s, ?i)", config_id, stages[k],
		    d.d_hruser[k], d.d_script[k])) != 0)
			return rc;
	dset_diff(r, &old, &d, detail);
	return 0;
}

/*
 * A copy of set from as the own settings of owner to (an application
 * unlinked from its template with clean false); *detail gets what it now
 * holds.
 */
int
hg_dset_copy(struct hg_req *r, long long from, const struct hg_downer *to,
    const char **detail)
{
	struct dset	 none, d;
	long long	 id;
	int		 rc;

	if ((rc = hg_sql_exec(r, "INSERT INTO deploy_configs (template_id, "
	    "app_id, enabled, repo_type, repo_url, repo_branch, credential_id, "
	    "deploy_path, running_user, timeout, keep_backups, creator) SELECT "
	    "?s, ?s, enabled, repo_type, repo_url, repo_branch, credential_id, "
	    "deploy_path, running_user, timeout, keep_backups, ?s FROM "
	    "deploy_configs WHERE id = ?i", num(r, to->o_template),
	    num(r, to->o_app), r->r_user->u_username, from)) != 0)
		return rc;
	id = hg_sql_insert_id(r);
	if ((rc = hg_sql_exec(r, "INSERT INTO deploy_config_hooks (config_id, "
	    "stage, running_user, script_id) SELECT ?i, stage, running_user, "
	    "script_id FROM deploy_config_hooks WHERE config_id = ?i", id,
	    from)) != 0 ||
	    (rc = dset_load(r, 0, &none)) != 0 ||
	    (rc = dset_load(r, id, &d)) != 0)
		return rc;
	none.d_timeout = none.d_keep = 0;
	none.d_enabled = 0;
	dset_diff(r, &none, &d, detail);
	return 0;
}

/*
 * Who fetches their repository with credential cred_id: NULL, or a list
 * naming them ('template "x", application "a.b"'), the first ten.
 */
int
hg_deploy_cred_users(struct hg_req *r, long long cred_id, const char **users)
{
	struct hg_rows	*rs;
	int		 rc;

	*users = NULL;
	if ((rc = hg_sql(r, &rs, "SELECT GROUP_CONCAT(u.who ORDER BY u.who "
	    "SEPARATOR ', ') FROM (SELECT COALESCE(CONCAT('template \"', t.name, "
	    "'\"'), CONCAT('application \"', a.full_name, '\"')) AS who FROM "
	    "deploy_configs c LEFT JOIN deploy_templates t ON t.id = "
	    "c.template_id LEFT JOIN applications a ON a.id = c.app_id WHERE "
	    "c.credential_id = ?i ORDER BY who LIMIT 10) u", cred_id)) != 0)
		return rc;
	*users = HG_CELL(rs, 0, 0);
	return 0;
}

/*
 * deploy.h -- the deploy module's interface: first what the rest of
 * hangard asks of it, then what its files share among themselves, grouped
 * by the file that defines it.
 */
#ifndef HG_DEPLOY_H
#define HG_DEPLOY_H

#include "hangard.h"

/*
 * configured.c: 1 if application app_id has deploy settings usable for a
 * deploy (its own, or those of the template it follows, enabled), 0 if
 * not, -1 on error (already recorded on the request, as hg_sql records
 * it: the caller returns r->r_err).  Reads in the request's transaction.
 */
int	hg_deploy_configured(struct hg_req *r, long long app_id);

/* ---- between the deploy files ------------------------------------------ */

/* credentials.c: credentials as /application/repository-credentials/ keeps them */
const char	*hg_check_ssh_key(const char *);
int		 hg_cred_store(struct hg_req *, const char *kind,
		    const char *name, const char *username, const char *secret,
		    const char *desc, long long *id);

/* jinja.c: 0 if content parses as Jinja2; else the failure, on field */
int		 hg_jinja_check(struct hg_req *, const char *field,
		    const char *content);

/*
 * settings.c: one set of deploy settings (deploy_configs and its hooks),
 * the shape templates and applications share.
 *
 * The columns of a set, selected from deploy_configs c LEFT JOIN
 * credentials k ON k.id = c.credential_id, come first in every select
 * of a family that shows settings; the family's own columns follow from
 * HG_DC__MAX on.  hg_dset_json renders them.
 */
#define HG_DSET_COLUMNS(X) \
	X(HG_DC_ID,	 "c.id")					\
	X(HG_DC_ENABLED, "c.enabled")					\
	X(HG_DC_TYPE,	 "c.repo_type")					\
	X(HG_DC_URL,	 "c.repo_url")					\
	X(HG_DC_BRANCH,	 "c.repo_branch")				\
	X(HG_DC_CRED,	 "c.credential_id")				\
	X(HG_DC_CKIND,	 "k.kind")					\
	X(HG_DC_CNAME,	 "k.name")					\
	X(HG_DC_CUSER,	 "k.username")					\
	X(HG_DC_PATH,	 "c.deploy_path")				\
	X(HG_DC_RUSER,	 "c.running_user")				\
	X(HG_DC_TIMEOUT, "c.timeout")					\
	X(HG_DC_KEEP,	 "c.keep_backups")				\
	X(HG_DC_CREATOR, "c.creator")					\
	X(HG_DC_CREATED, "c.created_time")				\
	X(HG_DC_UPDATED, "c.updated_time")				\
	X(HG_DC_HOOKS,	 "(SELECT JSON_OBJECTAGG(h.stage, JSON_OBJECT("	\
	    "'running_user', h.running_user, 'script', JSON_OBJECT('id', "  \
	    "s.id, 'name', s.name, 'language', s.language, 'content', "	\
	    "s.content, 'template_engine', s.template_engine))) FROM "	\
	    "deploy_config_hooks h JOIN deploy_scripts s ON s.id = "	\
	    "h.script_id WHERE h.config_id = c.id)")
#define HG_DSET_ENUM(e, sql)	e,
#define HG_DSET_SQL(e, sql)	sql ", "
enum { HG_DSET_COLUMNS(HG_DSET_ENUM) HG_DC__MAX };
#define HG_DSET_COLS	HG_DSET_COLUMNS(HG_DSET_SQL)
#define HG_DSET_FROM	"deploy_configs c LEFT JOIN credentials k ON " \
			"k.id = c.credential_id"

/*
 * The body fields of a set, the same for a template (after its own) and
 * for an application's own settings: HG_DSET_FIELDS(base, req) declares
 * them at r_in[base + HG_DF_x], req (HG_V_REQUIRED or 0) on repository
 * and deploy_path.  Their nested fields are settings.c's.
 */
enum { HG_DF_REPO, HG_DF_PATH, HG_DF_TIMEOUT, HG_DF_KEEP, HG_DF_HOOKS,
    HG_DF_RUSER, HG_DF_ENABLED, HG_DF__MAX };
enum { HG_DR_TYPE, HG_DR_URL, HG_DR_BRANCH, HG_DR_CRED, HG_DR__MAX };
enum { HG_DH_RUSER, HG_DH_GPRE, HG_DH_PRE, HG_DH_POST, HG_DH_GPOST,
    HG_DH__MAX };
extern const struct hg_field	hg_dset_repo[HG_DR__MAX];
extern const struct hg_field	hg_dset_hooks[HG_DH__MAX];
const char	*hg_check_deploy_path(const char *);
const char	*hg_check_posix_user(const char *);
const char	*hg_check_repo_url(const char *);
#define HG_DSET_FIELDS(b, req)						\
	[(b) + HG_DF_REPO] = { "repository", HG_V_OBJECT, (req),	\
	    HG_SUB(hg_dset_repo) },					\
	[(b) + HG_DF_PATH] = { "deploy_path", HG_V_STR, (req), 1, 1024,	\
	    .f_check = hg_check_deploy_path },				\
	[(b) + HG_DF_TIMEOUT] = { "timeout", HG_V_INT, 0, 1, 86400 },	\
	[(b) + HG_DF_KEEP] = { "keep_backups", HG_V_INT, 0, 1, 100 },	\
	[(b) + HG_DF_HOOKS] = { "lifecycle_hooks", HG_V_OBJECT, 0,	\
	    .f_alias = { "lifecyle_hooks" }, HG_SUB(hg_dset_hooks) },	\
	[(b) + HG_DF_RUSER] = { "script_running_user", HG_V_STR,	\
	    HG_V_NULLABLE, 1, 32, .f_check = hg_check_posix_user },	\
	[(b) + HG_DF_ENABLED] = { "enabled", HG_V_BOOL, 0 }

/* Who owns a set: a template or an application (the other id 0). */
struct hg_downer {
	long long	 o_template;
	long long	 o_app;
	const char	*o_what;	/* "deploy template 3", in names it makes */
};

void		 hg_dset_json(struct hg_req *, json_object *, struct hg_rows *,
		    int row);
int		 hg_dset_save(struct hg_req *, const struct hg_downer *,
		    const struct hg_val *in, long long config_id,
		    const char **detail);
int		 hg_dset_copy(struct hg_req *, long long from_config,
		    const struct hg_downer *to, const char **detail);
int		 hg_deploy_cred_users(struct hg_req *, long long cred_id,
		    const char **users);

/*
 * app_deploy.c: an application following a template (cmdb.h's struct
 * hg_app; the caller has checked edit_app on it).  follow drops the
 * application's own settings; unfollow keeps a copy of the template's
 * unless clean.  Both write the application's audit row.
 */
struct hg_app;
int		 hg_deploy_follow(struct hg_req *, const struct hg_app *,
		    long long template_id, const char *template_name);
int		 hg_deploy_unfollow(struct hg_req *, const struct hg_app *,
		    long long template_id, const char *template_name,
		    int clean);

#endif

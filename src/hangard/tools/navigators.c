/*
 * navigators.c -- /external-navigators/: the seed's 第三方导航管理 section
 * (links to other systems shown in the UI) plus API.md section 4's
 * PATCH /external-navigators/{id}/.  The seed's id-less PATCH takes the id
 * in the body.
 *
 * url and img end up as links and images in operators' browsers, so url
 * must be http(s) and img an http(s) URL or a site path: a javascript: or
 * data: URL is refused.
 */
#include <string.h>
#include <strings.h>

#include "hangard.h"

/* The Navigator object. */
#define NAV_COLS(X) \
	X(NC_ID,	"id",		"n.id",			INT)	\
	X(NC_NAME,	"name",		"n.name",		STR)	\
	X(NC_IMG,	"img",		"n.img",		STR)	\
	X(NC_URL,	"url",		"n.url",		STR)	\
	X(NC_CREATOR,	"creator",	"n.creator",		STR)	\
	X(NC_CREATED,	"created_time",	"n.created_time",	TIME)
enum { NAV_COLS(HG_COL_ENUM) NC__MAX };
static const struct hg_col nav_cols[] = { NAV_COLS(HG_COL_DECL) };
#define NAV_SELECT "SELECT " NAV_COLS(HG_COL_SQL)

static json_object *
nav_json(struct hg_req *r, struct hg_rows *rs, int i)
{
	return HG_ROW(r, nav_cols, rs, i);
}

static int
nav_reply(struct hg_req *r, long long id, int status)
{
	struct hg_rows	*rs;
	int		 rc;

	if ((rc = hg_sql_get(r, &rs, "navigator", id, NAV_SELECT HG_NOCOUNT
	    " FROM external_navigators n WHERE n.id = ?i")) != 0)
		return rc;
	return hg_reply(r, status, nav_json(r, rs, 0));
}

static int
is_web_url(const char *s)
{
	const char *p;

	if (strncasecmp(s, "http://", 7) == 0)
		p = s + 7;
	else if (strncasecmp(s, "https://", 8) == 0)
		p = s + 8;
	else
		return 0;
	return *p != '\0' && *p != '/';
}

static int
has_space(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s <= 0x20 || *s == 0x7f)
			return 1;
	return 0;
}

static const char *
check_url(const char *s)
{
	if (!is_web_url(s) || has_space(s))
		return "must be an http:// or https:// URL without spaces";
	return NULL;
}

static const char *
check_img(const char *s)
{
	if (has_space(s) || !(is_web_url(s) || (s[0] == '/' && s[1] != '/')))
		return "must be a path starting with / or an http(s) URL, "
		    "without spaces";
	return NULL;
}

/* GET /external-navigators/?name= */
enum { NQ_NAME, NQ__MAX };
static const struct hg_field name_q[NQ__MAX] = {
	[NQ_NAME] = { "name", HG_V_STR, 0, 0, 128 },
};

/*
 * POST's body; PATCH takes the same fields, each optional.  "id" is read
 * only by the seed's id-less PATCH, which requires it (elsewhere it is
 * checked and ignored: the path names the navigator).
 */
enum { NF_NAME, NF_IMG, NF_URL, NF_ID, NF__MAX };
static const struct hg_field nav_fields[NF__MAX] = {
	[NF_NAME] = { "name", HG_V_STR, HG_V_REQUIRED, 1, 128,
	    .f_check = hg_check_noctl, .f_col = "name" },
	[NF_IMG] = { "img", HG_V_STR, HG_V_REQUIRED, 1, 1024,
	    .f_check = check_img, .f_col = "img" },
	[NF_URL] = { "url", HG_V_STR, HG_V_REQUIRED, 1, 2048,
	    .f_check = check_url, .f_col = "url" },
	[NF_ID] = { "id", HG_V_INT, 0, 1, 1LL << 62 },
};

/* GET /external-navigators/ */
static int
nav_list(struct hg_req *r)
{
	if (!r->r_qv[NQ_NAME].present)
		return hg_list(r, nav_json, NAV_SELECT "(SELECT n FROM "
		    "row_counts WHERE tbl = 'external_navigators') FROM "
		    "external_navigators n ORDER BY n.id DESC LIMIT ?i OFFSET ?i");
	return hg_list(r, nav_json, NAV_SELECT "COUNT(*) OVER () FROM "
	    "external_navigators n WHERE n.name LIKE ?s ORDER BY n.id DESC "
	    "LIMIT ?i OFFSET ?i", hg_like(r, &r->r_qv[NQ_NAME]));
}

/* POST /external-navigators/ */
static int
nav_create(struct hg_req *r)
{
	const struct hg_val	*v = r->r_in;
	int			 rc;

	if ((rc = hg_sql_exec(r, "INSERT INTO external_navigators (name, img, "
	    "url, creator) VALUES (?s, ?s, ?s, ?s)", v[NF_NAME].s, v[NF_IMG].s,
	    v[NF_URL].s, r->r_user->u_username)) != 0)
		return rc;
	return nav_reply(r, hg_sql_insert_id(r), 201);
}

/* GET /external-navigators/{id}/ */
static int
nav_get(struct hg_req *r)
{
	return nav_reply(r, r->r_ids[0], 200);
}

/* Navigator id, locked; 404 if none. */
static int
nav_lock(struct hg_req *r, long long id)
{
	return hg_sql_get(r, NULL, "navigator", id, "SELECT id FROM "
	    "external_navigators WHERE id = ?i FOR UPDATE");
}

/* Write the fields the body gives to navigator id. */
static int
nav_update(struct hg_req *r, long long id)
{
	int rc;

	if ((rc = nav_lock(r, id)) != 0 ||
	    (rc = hg_sql_patch(r, "external_navigators", id)) != 0)
		return rc;
	return nav_reply(r, id, 200);
}

/* PATCH /external-navigators/{id}/ */
static int
nav_patch(struct hg_req *r)
{
	return nav_update(r, r->r_ids[0]);
}

/* PATCH /external-navigators/ with "id" in the body (the seed's form). */
static int
nav_patch_idless(struct hg_req *r)
{
	if (!r->r_in[NF_ID].present)
		return hg_invalid(r, "id", "is required");
	return nav_update(r, r->r_in[NF_ID].i);
}

/* DELETE /external-navigators/{id}/ */
static int
nav_delete(struct hg_req *r)
{
	int rc;

	if ((rc = nav_lock(r, r->r_ids[0])) != 0 ||
	    (rc = hg_sql_exec(r, "DELETE FROM external_navigators WHERE "
	    "id = ?i", r->r_ids[0])) != 0)
		return rc;
	return hg_reply_ok(r);
}

#define VIEW	PERM_MODULE("navigator", "view_navigator")
#define EDIT	PERM_MODULE("navigator", "manage_navigator")

const struct hg_route hg_routes_navigators[] = {
	ROUTE("GET", "/external-navigators", nav_list, VIEW, QUERY(name_q),
	    PAGED),
	ROUTE("POST", "/external-navigators", nav_create, EDIT,
	    BODY(nav_fields)),
	ROUTE("PATCH", "/external-navigators", nav_patch_idless, EDIT,
	    PATCH(nav_fields)),
	ROUTE("GET", "/external-navigators/{id}", nav_get, VIEW),
	ROUTE("PATCH", "/external-navigators/{id}", nav_patch, EDIT,
	    PATCH(nav_fields)),
	ROUTE("DELETE", "/external-navigators/{id}", nav_delete, EDIT),
	ROUTES_END
};

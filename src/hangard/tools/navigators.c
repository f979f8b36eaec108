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

#define NAV_COLS "n.id, n.name, n.img, n.url, n.creator, n.created_time"

static json_object *
nav_json(struct hg_req *r, struct hg_rows *rs, int i)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "id", hg_jint(HG_CELL(rs, i, 0)));
	json_object_object_add(o, "name", hg_jstr(HG_CELL(rs, i, 1)));
	json_object_object_add(o, "img", hg_jstr(HG_CELL(rs, i, 2)));
	json_object_object_add(o, "url", hg_jstr(HG_CELL(rs, i, 3)));
	json_object_object_add(o, "creator", hg_jstr(HG_CELL(rs, i, 4)));
	json_object_object_add(o, "created_time", hg_jtime(r, HG_CELL(rs, i, 5)));
	return o;
}

static int
nav_reply(struct hg_req *r, long long id, int status)
{
	struct hg_rows	*rs;
	int		 rc;

	if ((rc = hg_db_query(r->r_db, r->r_arena, &rs, "SELECT " NAV_COLS
	    " FROM external_navigators n WHERE n.id = ?", "i", id)) != 0)
		return hg_fail(r, rc, NULL);
	if (rs->nrows == 0)
		return hg_fail(r, HG_E_NOTFOUND, "no navigator with id %lld", id);
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

enum { NQ_NAME, NQ__MAX };
static const struct hg_field list_q[NQ__MAX] = {
	[NQ_NAME] = { "name", HG_V_STR, 0, 0, 128 },
};

/* GET /external-navigators/ */
static int
nav_list(struct hg_req *r)
{
	struct hg_val	v[NQ__MAX];
	struct hg_page	pg;
	int		rc;

	if ((rc = hg_query(r, list_q, NQ__MAX, v)) != 0 ||
	    (rc = hg_page(r, &pg)) != 0)
		return rc;
	if (!v[NQ_NAME].present)
		return hg_list_v0(r, &pg, nav_json, "SELECT " NAV_COLS ", "
		    "(SELECT n FROM row_counts WHERE tbl = 'external_navigators') "
		    "FROM external_navigators n ORDER BY n.id DESC "
		    "LIMIT ? OFFSET ?", NULL);
	return hg_list_v0(r, &pg, nav_json, "SELECT " NAV_COLS ", COUNT(*) OVER () "
	    "FROM external_navigators n WHERE n.name LIKE ? "
	    "ORDER BY n.id DESC LIMIT ? OFFSET ?", "s", hg_like(r, &v[NQ_NAME]));
}

/* POST and PATCH bodies; POST requires the three, PATCH needs an id only
 * when the path has none. */
enum { NF_NAME, NF_IMG, NF_URL, NF_ID, NF__MAX };
static const struct hg_field create_fields[NF__MAX] = {
	[NF_NAME] = { "name", HG_V_STR, HG_V_REQUIRED, 1, 128,
	    .f_check = hg_check_noctl },
	[NF_IMG] = { "img", HG_V_STR, HG_V_REQUIRED, 1, 1024,
	    .f_check = check_img },
	[NF_URL] = { "url", HG_V_STR, HG_V_REQUIRED, 1, 2048,
	    .f_check = check_url },
};
static const struct hg_field patch_fields[NF__MAX] = {
	[NF_NAME] = { "name", HG_V_STR, 0, 1, 128, .f_check = hg_check_noctl },
	[NF_IMG] = { "img", HG_V_STR, 0, 1, 1024, .f_check = check_img },
	[NF_URL] = { "url", HG_V_STR, 0, 1, 2048, .f_check = check_url },
};
static const struct hg_field patch_id_fields[NF__MAX] = {
	[NF_NAME] = { "name", HG_V_STR, 0, 1, 128, .f_check = hg_check_noctl },
	[NF_IMG] = { "img", HG_V_STR, 0, 1, 1024, .f_check = check_img },
	[NF_URL] = { "url", HG_V_STR, 0, 1, 2048, .f_check = check_url },
	[NF_ID] = { "id", HG_V_INT, HG_V_REQUIRED, 1, 1LL << 62 },
};

/* POST /external-navigators/ */
static int
nav_create(struct hg_req *r)
{
	struct hg_val	v[NF__MAX];
	int		rc;

	if ((rc = hg_body(r, create_fields, NF__MAX, v)) != 0)
		return rc;
	if ((rc = hg_db_exec(r->r_db, "INSERT INTO external_navigators (name, "
	    "img, url, creator) VALUES (?, ?, ?, ?)", "ssss", v[NF_NAME].s,
	    v[NF_IMG].s, v[NF_URL].s, r->r_user->u_username)) != 0)
		return hg_fail(r, rc, NULL);
	return nav_reply(r, (long long)hg_db_insert_id(r->r_db), 201);
}

/* GET /external-navigators/{id}/ */
static int
nav_get(struct hg_req *r)
{
	return nav_reply(r, r->r_ids[0], 200);
}

static int
nav_update(struct hg_req *r, long long id, const struct hg_val *v)
{
	int rc;

	if ((rc = hg_db_exec(r->r_db, "UPDATE external_navigators SET "
	    "name = COALESCE(?, name), img = COALESCE(?, img), "
	    "url = COALESCE(?, url) WHERE id = ?", "sssi", v[NF_NAME].s,
	    v[NF_IMG].s, v[NF_URL].s, id)) != 0)
		return hg_fail(r, rc, NULL);
	return nav_reply(r, id, 200);
}

static int
nav_exists(struct hg_req *r, long long id)
{
	return hg_exists(r, "SELECT id FROM external_navigators WHERE id = ? "
	    "FOR UPDATE", id, "navigator");
}

/* PATCH /external-navigators/{id}/ */
static int
nav_patch(struct hg_req *r)
{
	struct hg_val	v[NF__MAX];
	int		rc;

	if ((rc = nav_exists(r, r->r_ids[0])) != 0 ||
	    (rc = hg_body(r, patch_fields, NF__MAX, v)) != 0)
		return rc;
	return nav_update(r, r->r_ids[0], v);
}

/* PATCH /external-navigators/ with "id" in the body (the seed's form). */
static int
nav_patch_body(struct hg_req *r)
{
	struct hg_val	v[NF__MAX];
	int		rc;

	if ((rc = hg_body(r, patch_id_fields, NF__MAX, v)) != 0 ||
	    (rc = nav_exists(r, v[NF_ID].i)) != 0)
		return rc;
	return nav_update(r, v[NF_ID].i, v);
}

/* DELETE /external-navigators/{id}/ */
static int
nav_delete(struct hg_req *r)
{
	int rc;

	if ((rc = nav_exists(r, r->r_ids[0])) != 0)
		return rc;
	if ((rc = hg_db_exec(r->r_db, "DELETE FROM external_navigators "
	    "WHERE id = ?", "i", r->r_ids[0])) != 0)
		return hg_fail(r, rc, NULL);
	return hg_reply_ok(r);
}

const struct hg_route hg_routes_navigators[] = {
	ROUTE("GET", "/external-navigators", nav_list, PERM_MODULE("navigator", "view_navigator")),
	ROUTE("POST", "/external-navigators", nav_create, PERM_MODULE("navigator", "manage_navigator")),
	ROUTE("PATCH", "/external-navigators", nav_patch_body, PERM_MODULE("navigator", "manage_navigator")),
	ROUTE("GET", "/external-navigators/{id}", nav_get, PERM_MODULE("navigator", "view_navigator")),
	ROUTE("PATCH", "/external-navigators/{id}", nav_patch, PERM_MODULE("navigator", "manage_navigator")),
	ROUTE("DELETE", "/external-navigators/{id}", nav_delete, PERM_MODULE("navigator", "manage_navigator")),
	ROUTES_END
};

/*
 * app_links.c -- how applications hang together: the tree (moving an
 * application with its subtree, child applications) and dependencies
 * (required applications), for PATCH /applications/{id}/ (applications.c)
 * and /applications/{id}/child-apps/ and /required-apps/.  Their lists
 * are app_lists.c.
 *
 * Renaming or moving an application rewrites the full_name and depth of
 * its whole subtree with one UPDATE in the request's transaction.  The
 * caller holds hg_app_lock, so no other request changes the tree or the
 * dependencies meanwhile: the cycle checks below cannot be raced.
 */
#include <string.h>

#include "cmdb/cmdb.h"

/* ---- the tree --------------------------------------------------------- */

/* Refuse (10002 on field) when id is root or inside root's subtree. */
static int
not_in_subtree(struct hg_req *r, long long root, long long id,
    const char *field)
{
	long long	n;
	int		rc;

	if ((rc = hg_sql_count(r, &n, "WITH RECURSIVE up (id, parent_id) AS "
	    "(SELECT id, parent_id FROM applications WHERE id = ?i UNION "
	    "SELECT a.id, a.parent_id FROM applications a JOIN up ON "
	    "a.id = up.parent_id) SELECT COUNT(*) FROM up WHERE id = ?i",
	    id, root)) != 0)
		return rc;
	if (n != 0)
		return hg_invalid(r, field, id == root ?
		    "an application cannot be its own parent" :
		    "would make a cycle: the parent is inside the moved subtree");
	return 0;
}

/* "full.%" with LIKE's metacharacters in full taken literally. */
static const char *
subtree_like(struct hg_req *r, const char *full)
{
	char	*out, *p;

	out = p = hg_alloc(r->r_arena, strlen(full) * 2 + 3);
	for (; *full; full++) {
		if (*full == '%' || *full == '_' || *full == '\\')
			*p++ = '\\';
		*p++ = *full;
	}
	memcpy(p, ".%", 3);
	return out;
}

/*
 * Give application a the parent `parent` (0: make it a root) and the name
 * `name`, rewriting the full_name and depth of its whole subtree.
 * Refused with nothing changed: an unknown parent or one inside a's
 * subtree (400 on field), a full name longer than HG_APP_FULL_MAX (400),
 * a full name taken anywhere in the moved subtree (409).  Updates *a;
 * adds what changed to *detail (hg_audit_change).
 */
int
hg_app_place(struct hg_req *r, struct hg_app *a, long long parent,
    const char *name, const char *field, const char **detail)
{
	struct hg_app	 p;
	struct hg_rows	*rs;
	const char	*full = name, *like, *oldp = NULL, *newp = NULL;
	long long	 depth = 0, oldlen, longest, ndesc;
	int		 rc;

	if (parent != 0) {
		if ((rc = hg_app_load(r, parent, &p, field)) != 0 ||
		    (rc = not_in_subtree(r, a->a_id, parent, field)) != 0)
			return rc;
		full = hg_printf(r->r_arena, "%s.%s", p.a_full, name);
		depth = p.a_depth + 1;
		newp = hg_app_named(r, p.a_full, p.a_id);
	}
	if (parent == a->a_parent && strcmp(full, a->a_full) == 0)
		return 0;
	if (a->a_parent != 0) {
		if ((rc = hg_sql(r, &rs, "SELECT full_name FROM applications "
		    "WHERE id = ?i", a->a_parent)) != 0)
			return rc;
		oldp = hg_app_named(r, rs->nrows ? HG_CELL(rs, 0, 0) : "?",
		    a->a_parent);
	}
	like = subtree_like(r, a->a_full);
	oldlen = (long long)hg_utf8_len(a->a_full);
	if ((rc = hg_sql(r, &rs, "SELECT COALESCE(MAX(CHAR_LENGTH(full_name)), "
	    "0), COUNT(*) FROM applications WHERE full_name LIKE ?s", like)) != 0)
		return rc;
	longest = hg_atoll(HG_CELL(rs, 0, 0));
	ndesc = hg_atoll(HG_CELL(rs, 0, 1));
	longest = (longest > oldlen ? longest - oldlen : 0) +
	    (long long)hg_utf8_len(full);
	if (longest > HG_APP_FULL_MAX)
		return hg_invalid(r, field, hg_printf(r->r_arena, "would make a "
		    "full name %lld characters long (at most %d)", longest,
		    HG_APP_FULL_MAX));
	/*
	 * A clash: when the new full name of a itself is free, none below it
	 * can be taken (every full name's prefixes are its ancestors'), and
	 * the unique index refuses the UPDATE should the table say otherwise.
	 */
	if ((rc = hg_sql(r, &rs, "SELECT full_name FROM applications WHERE "
	    "full_name = ?s AND id <> ?i", full, a->a_id)) != 0)
		return rc;
	if (rs->nrows > 0)
		return hg_fail(r, HG_E_CONFLICT, "an application named \"%s\" "
		    "already exists", HG_CELL(rs, 0, 0));
	if (ndesc > 0 && (rc = hg_sql_exec(r, "UPDATE applications SET "
	    "full_name = CONCAT(?s, SUBSTRING(full_name, ?i)), "
	    "depth = depth + ?i WHERE full_name LIKE ?s", full, oldlen + 1,
	    depth - a->a_depth, like)) != 0)
		return rc == HG_E_CONFLICT ? hg_fail(r, rc, "a full name in the "
		    "moved subtree is taken") : rc;
	if ((rc = hg_sql_exec(r, "UPDATE applications SET name = ?s, "
	    "full_name = ?s, parent_id = NULLIF(?i, 0), depth = ?i WHERE "
	    "id = ?i", name,
	    full, parent, depth, a->a_id)) != 0)
		return rc == HG_E_CONFLICT ? hg_fail(r, rc, "an application "
		    "named \"%s\" already exists", full) : rc;
	hg_audit_change(r, detail, "name", a->a_name, name);
	if (parent != a->a_parent)
		hg_audit_change(r, detail, "parent_app", oldp, newp);
	hg_audit_change(r, detail, "full_name", a->a_full, full);
	/* Not a change of a's own: what the move did to the subtree. */
	if (ndesc > 0)
		*detail = hg_printf(r->r_arena, "%s%sfull names of %lld "
		    "descendants rewritten", *detail, **detail ? "; " : "",
		    ndesc);
	a->a_parent = parent;
	a->a_name = name;
	a->a_full = full;
	a->a_depth = depth;
	return 0;
}

/* Move child c under parent (0: make it a root), with its own audit row. */
static int
child_move(struct hg_req *r, struct hg_app *c, long long parent,
    const char *field)
{
	const char	*moved = "";
	int		 rc;

	if ((rc = hg_app_editable(r, c, parent ? "move" : "detach")) != 0 ||
	    (rc = hg_app_place(r, c, parent, c->a_name, field, &moved)) != 0)
		return rc;
	return hg_app_audit(r, c, "update", "moved", moved);
}

/*
 * Make each application of ids a child of a (replace: and detach a's
 * other children to be roots).  Each moved child gets its own audit row;
 * *detail gets the changes of a's child_apps.
 */
int
hg_app_children_set(struct hg_req *r, struct hg_app *a, const long long *ids,
    size_t n, int replace, const char *prefix, const char **detail)
{
	struct hg_rows	*rs;
	struct hg_app	 c;
	const char	*was, *field;
	size_t		 i;
	int		 rc, k;

	if (replace) {
		if ((rc = hg_sql(r, &rs, "SELECT id FROM applications WHERE "
		    "parent_id = ?i ORDER BY id", a->a_id)) != 0)
			return rc;
		for (k = 0; k < rs->nrows; k++) {
			long long cid = hg_atoll(HG_CELL(rs, k, 0));

			if (hg_app_id_in(cid, ids, n))
				continue;
			if ((rc = hg_app_load(r, cid, &c, NULL)) != 0)
				return rc;
			was = hg_app_named(r, c.a_full, c.a_id);
			if ((rc = child_move(r, &c, 0, prefix)) != 0)
				return rc;
			hg_audit_change(r, detail, "child_apps", was, NULL);
		}
	}
	for (i = 0; i < n; i++) {
		field = hg_app_item(r, prefix, i);
		if ((rc = hg_app_load(r, ids[i], &c, field)) != 0)
			return rc;
		if (c.a_parent == a->a_id)
			continue;
		if ((rc = hg_app_viewable(r, c.a_id, field)) != 0 ||
		    (rc = child_move(r, &c, a->a_id, field)) != 0)
			return rc;
		hg_audit_change(r, detail, "child_apps", NULL,
		    hg_app_named(r, c.a_full, c.a_id));
	}
	return 0;
}

/*
 * Detach each child of ids from a, making it a root; others are ignored,
 * unless the caller may not view them (then they do not exist).
 */
static int
children_remove(struct hg_req *r, struct hg_app *a, const long long *ids,
    size_t n, const char **detail)
{
	struct hg_app	 c;
	const char	*was, *field;
	size_t		 i;
	int		 rc;

	for (i = 0; i < n; i++) {
		field = hg_app_item(r, NULL, i);
		if ((rc = hg_app_load(r, ids[i], &c, field)) != 0)
			return rc;
		if (c.a_parent != a->a_id) {
			if ((rc = hg_app_viewable(r, c.a_id, field)) != 0)
				return rc;
			continue;
		}
		was = hg_app_named(r, c.a_full, c.a_id);
		if ((rc = child_move(r, &c, 0, field)) != 0)
			return rc;
		hg_audit_change(r, detail, "child_apps", was, NULL);
	}
	return 0;
}

/* ---- dependencies ------------------------------------------------------ */

/*
 * A required application named in a body: one the caller may view, or one
 * a requires already (hg_app_viewable).
 */
static int
required_viewable(struct hg_req *r, const struct hg_app *a, long long id,
    const char *field)
{
	struct hg_rows	*rs;
	int		 rc;

	if (hg_holds_object(r, "application", id, "view_app"))
		return 0;
	if ((rc = hg_sql(r, &rs, "SELECT 1 FROM app_dependencies WHERE "
	    "app_id = ?i AND required_id = ?i", a->a_id, id)) != 0)
		return rc;
	return rs->nrows > 0 ? 0 : hg_app_viewable(r, id, field);
}

/*
 * Make a require each of ids (replace: and nothing else).  A dependency
 * on itself or one that closes a cycle is refused (400) with nothing
 * changed: the dispatcher rolls back what came before.
 */
int
hg_app_deps_set(struct hg_req *r, struct hg_app *a, const long long *ids,
    size_t n, int replace, const char *prefix, const char **detail)
{
	struct hg_rows	*rs;
	struct hg_app	 d;
	const char	*field;
	size_t		 i;
	int		 rc, k;

	if (replace) {
		if ((rc = hg_sql(r, &rs, "SELECT a.id, a.full_name FROM "
		    "app_dependencies d JOIN applications a ON "
		    "a.id = d.required_id WHERE d.app_id = ?i ORDER BY a.id",
		    a->a_id)) != 0)
			return rc;
		for (k = 0; k < rs->nrows; k++) {
			long long did = hg_atoll(HG_CELL(rs, k, 0));

			if (hg_app_id_in(did, ids, n))
				continue;
			if ((rc = hg_sql_exec(r, "DELETE FROM app_dependencies "
			    "WHERE app_id = ?i AND required_id = ?i", a->a_id,
			    did)) != 0)
				return rc;
			hg_audit_change(r, detail, "required_apps",
			    hg_app_named(r, HG_CELL(rs, k, 1), did), NULL);
		}
	}
	for (i = 0; i < n; i++) {
		field = hg_app_item(r, prefix, i);
		if ((rc = hg_app_load(r, ids[i], &d, field)) != 0 ||
		    (rc = required_viewable(r, a, d.a_id, field)) != 0)
			return rc;
		if (d.a_id == a->a_id)
			return hg_invalid(r, field,
			    "an application cannot require itself");
		if ((rc = hg_sql(r, &rs, "WITH RECURSIVE req (id) AS (SELECT "
		    "?i UNION SELECT d.required_id FROM "
		    "app_dependencies d JOIN req ON d.app_id = req.id) "
		    "SELECT COUNT(*) FROM req WHERE id = ?i", d.a_id,
		    a->a_id)) != 0)
			return rc;
		if (hg_atoll(HG_CELL(rs, 0, 0)) != 0)
			return hg_invalid(r, field, hg_printf(r->r_arena,
			    "would make a dependency cycle: \"%s\" already "
			    "requires \"%s\"", d.a_full, a->a_full));
		if ((rc = hg_sql_exec(r, "INSERT IGNORE INTO app_dependencies "
		    "(app_id, required_id) VALUES (?i, ?i)", a->a_id,
		    d.a_id)) != 0)
			return rc;
		if (hg_sql_affected(r) > 0)
			hg_audit_change(r, detail, "required_apps", NULL,
			    hg_app_named(r, d.a_full, d.a_id));
	}
	return 0;
}

static int
deps_remove(struct hg_req *r, struct hg_app *a, const long long *ids,
    size_t n, const char **detail)
{
	struct hg_app	 d;
	const char	*field;
	size_t		 i;
	int		 rc;

	for (i = 0; i < n; i++) {
		field = hg_app_item(r, NULL, i);
		if ((rc = hg_app_load(r, ids[i], &d, field)) != 0 ||
		    (rc = required_viewable(r, a, d.a_id, field)) != 0 ||
		    (rc = hg_sql_exec(r, "DELETE FROM app_dependencies WHERE "
		    "app_id = ?i AND required_id = ?i", a->a_id, d.a_id)) != 0)
			return rc;
		if (hg_sql_affected(r) > 0)
			hg_audit_change(r, detail, "required_apps",
			    hg_app_named(r, d.a_full, d.a_id), NULL);
	}
	return 0;
}

/* ---- the routes ------------------------------------------------------ */

/* The applications of ids as an array of objects. */
static int
apps_reply(struct hg_req *r, const long long *ids, size_t n)
{
	json_object	*out = hg_own(r, json_object_new_array()), *o;
	size_t		 i;
	int		 rc;

	for (i = 0; i < n; i++) {
		if ((rc = hg_app_object(r, ids[i], &o)) != 0)
			return rc;
		json_object_array_add(out, o);
	}
	return hg_reply(r, 200, json_object_get(out));
}

/*
 * What a route changes: the child applications or the required ones,
 * adding (POST) or removing (DELETE).  The route's argument.
 */
struct link {
	int	lk_children;
	int	lk_add;
};
static const struct link child_add = { 1, 1 }, child_del = { 1, 0 };
static const struct link req_add = { 0, 1 }, req_del = { 0, 0 };

/*
 * POST and DELETE /applications/{id}/child-apps/ and /required-apps/
 * [{"id": N}, ...].  POST answers with the applications named.
 */
static int
link_change(struct hg_req *r)
{
	const struct link	*lk = ARGOF(r, struct link);
	struct hg_app		 a;
	const char		*d = "";
	int			 rc;

	if ((rc = hg_app_begin(r, &a)) != 0)
		return rc;
	if (lk->lk_children)
		rc = lk->lk_add ? hg_app_children_set(r, &a, r->r_idv,
		    r->r_nidv, 0, NULL, &d) : children_remove(r, &a, r->r_idv,
		    r->r_nidv, &d);
	else
		rc = lk->lk_add ? hg_app_deps_set(r, &a, r->r_idv, r->r_nidv,
		    0, NULL, &d) : deps_remove(r, &a, r->r_idv, r->r_nidv, &d);
	if (rc != 0 || (*d != '\0' &&
	    (rc = hg_app_audit(r, &a, "update", "updated", d)) != 0))
		return rc;
	return lk->lk_add ? apps_reply(r, r->r_idv, r->r_nidv) :
	    hg_reply_ok(r);
}

#define EDIT	PERM_APP("edit_app")

const struct hg_route hg_routes_app_links[] = {
	ROUTE("POST", "/applications/{id}/child-apps", link_change, EDIT,
	    ARG(&child_add), IDS, AUDIT("app")),
	ROUTE("DELETE", "/applications/{id}/child-apps", link_change, EDIT,
	    ARG(&child_del), IDS, AUDIT("app")),
	ROUTE("POST", "/applications/{id}/required-apps", link_change, EDIT,
	    ARG(&req_add), IDS, AUDIT("app")),
	ROUTE("DELETE", "/applications/{id}/required-apps", link_change,
	    EDIT, ARG(&req_del), IDS, AUDIT("app")),
	ROUTES_END
};

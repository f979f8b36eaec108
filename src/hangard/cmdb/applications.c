/*
 * applications.c -- /applications/ (and its alias /application/): the
 * seed's Application section without deploy settings, deploy tasks and
 * instance logs, plus create and get (API.md section 4), the application
 * audit trail (listed by audit.c at /audit/app-operations/).
 *
 * Applications form a tree.  full_name is the parent's full_name and the
 * name joined by '.', so a name may not contain '.', and the descendants
 * of an application are exactly the rows whose full_name starts with its
 * full_name and a '.'.  Renaming or moving an application rewrites the
 * full_name and depth of its whole subtree with one UPDATE in the
 * request's transaction.  Every change to the tree or to dependencies
 * first takes one lock (the applications row of row_counts, which every
 * insert of an application takes anyway), so two requests cannot together
 * build a cycle that each alone would have been refused.
 *
 * Every change writes an audit row of kind "app" in the same transaction
 * (op_type add, update, delete, attach_host, deatach_host: the seed's
 * spelling); attaching and detaching instances also writes one of kind
 * "host" (attach_app, deatach_app) for the host's trail.
 *
 * The route table checks the application of the path.  Objects a body
 * names are checked here: edit_app on every other application whose row
 * changes (a child moved in or out), view_app on every one merely
 * referenced (a new parent, a required application), view_host on every
 * host an instance goes on, add_business to change a production; what
 * the caller may not view is answered as if it did not exist.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hangard.h"

#define FULL_MAX	768	/* the unique index covers 768 characters */
#define ID_MAX		(1LL << 62)

struct app {
	long long	 a_id;
	long long	 a_parent;	/* 0: a root */
	long long	 a_depth;
	const char	*a_name;
	const char	*a_full;
};

/* ---- the object --------------------------------------------------------- */

/*
 * A row selected with HG_APP_COLS as an Application object;
 * available_actions come from the caller's grants on it (perms.c).
 */
json_object *
hg_app_json(struct hg_req *r, struct hg_rows *rs, int i)
{
	static const char *const texts[] = { "application_type", "run_user",
		"directory", "startup_cmd", "stop_cmd", "stdout_path",
		"stderr_path", "pid_path" };
	json_object	*o = json_object_new_object();
	size_t		 k;

	json_object_object_add(o, "id", hg_jint(HG_CELL(rs, i, 0)));
	json_object_object_add(o, "name", hg_jstr(HG_CELL(rs, i, 1)));
	json_object_object_add(o, "full_name", hg_jstr(HG_CELL(rs, i, 2)));
	json_object_object_add(o, "parent_app", hg_jint(HG_CELL(rs, i, 3)));
	json_object_object_add(o, "production", hg_jint(HG_CELL(rs, i, 4)));
	json_object_object_add(o, "description", hg_jstr(HG_CELL(rs, i, 5)));
	json_object_object_add(o, "has_child",
	    json_object_new_boolean(HG_CELL(rs, i, 16) != NULL));
	for (k = 0; k < sizeof(texts) / sizeof(texts[0]); k++)
		json_object_object_add(o, texts[k],
		    hg_jstr(HG_CELL(rs, i, 7 + (int)k)));
	json_object_object_add(o, "created_time", hg_jtime(r, HG_CELL(rs, i, 15)));
	json_object_object_add(o, "child_apps", hg_jparse(HG_CELL(rs, i, 16)));
	json_object_object_add(o, "required_apps", hg_jparse(HG_CELL(rs, i, 17)));
	json_object_object_add(o, "response_persons",
	    hg_jparse(HG_CELL(rs, i, 18)));
	json_object_object_add(o, "available_actions",
	    hg_object_actions(r, "application", HG_CELL(rs, i, 19)));
	return o;
}

/* Application id as an object into *out (404 when there is none). */
static int
app_object(struct hg_req *r, long long id, json_object **out)
{
	struct hg_rows	*rs;
	int		 rc;

	if ((rc = hg_db_query(r->r_db, r->r_arena, &rs, "SELECT " HG_APP_COLS
	    " FROM applications a WHERE a.id = ?", "iii", r->r_user->u_id,
	    r->r_user->u_id, id)) != 0)
		return hg_fail(r, rc, NULL);
	if (rs->nrows == 0)
		return hg_fail(r, HG_E_NOTFOUND, "no application with id %lld", id);
	*out = hg_app_json(r, rs, 0);
	return 0;
}

/* ---- helpers -------------------------------------------------------------- */

static const char *
check_app_name(const char *s)
{
	if (strchr(s, '.') != NULL)
		return "must not contain '.'";
	return hg_check_noctl(s);
}

/* Load application id; missing is 404, or 10002 on field when given. */
static int
app_load(struct hg_req *r, long long id, struct app *a, const char *field)
{
	struct hg_rows	*rs;
	int		 rc;

	if ((rc = hg_db_query(r->r_db, r->r_arena, &rs, "SELECT id, "
	    "COALESCE(parent_id, 0), depth, name, full_name FROM applications "
	    "WHERE id = ?", "i", id)) != 0)
		return hg_fail(r, rc, NULL);
	if (rs->nrows == 0) {
		if (field == NULL)
			return hg_fail(r, HG_E_NOTFOUND,
			    "no application with id %lld", id);
		return hg_invalid(r, field, hg_printf(r->r_arena,
		    "no application with id %lld", id));
	}
	a->a_id = hg_atoll(HG_CELL(rs, 0, 0));
	a->a_parent = hg_atoll(HG_CELL(rs, 0, 1));
	a->a_depth = hg_atoll(HG_CELL(rs, 0, 2));
	a->a_name = HG_CELL(rs, 0, 3);
	a->a_full = HG_CELL(rs, 0, 4);
	return 0;
}

/* The lock every change to the tree or to dependencies holds. */
static int
tree_lock(struct hg_req *r)
{
	struct hg_rows	*rs;
	int		 rc;

	if ((rc = hg_db_query(r->r_db, r->r_arena, &rs, "SELECT n FROM "
	    "row_counts WHERE tbl = 'applications' FOR UPDATE", NULL)) != 0)
		return hg_fail(r, rc, NULL);
	return 0;
}

/* Lock the tree and load the application of the route's {id}. */
static int
app_begin(struct hg_req *r, struct app *a)
{
	int rc;

	if ((rc = tree_lock(r)) != 0)
		return rc;
	return app_load(r, r->r_ids[0], a, NULL);
}

/* 404 unless the route's application exists. */
static int
app_exists(struct hg_req *r)
{
	return hg_exists(r, "SELECT id FROM applications WHERE id = ?",
	    r->r_ids[0], "application");
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

static const char *
idstr(struct hg_req *r, long long id)
{
	return id > 0 ? hg_printf(r->r_arena, "%lld", id) : NULL;
}

/* Append one clause to an audit detail being written. */
static void
note(struct hg_req *r, const char **detail, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void
note(struct hg_req *r, const char **detail, const char *fmt, ...)
{
	va_list		 ap;
	const char	*s;

	va_start(ap, fmt);
	s = hg_vprintf(r->r_arena, fmt, ap);
	va_end(ap);
	*detail = *detail == NULL ? s :
	    hg_printf(r->r_arena, "%s; %s", *detail, s);
}

static int
app_audit(struct hg_req *r, const struct app *a, const char *op,
    const char *what, const char *detail)
{
	return hg_audit(r, "app", a->a_id, a->a_full, op, hg_printf(r->r_arena,
	    "%s application \"%s\" (id %lld)%s%s", what, a->a_full, a->a_id,
	    detail ? ": " : "", detail ? detail : ""));
}

/* The name of item i of a body array: "[i].id" or "prefix[i]". */
static const char *
item_name(struct hg_req *r, const char *prefix, size_t i)
{
	return prefix == NULL ? hg_printf(r->r_arena, "[%zu].id", i) :
	    hg_printf(r->r_arena, "%s[%zu]", prefix, i);
}

/*
 * The ids of a PATCH array field: items are ids or {"id": N, ...}
 * objects.  types (may be NULL) gets each object's "type" or NULL.
 */
static int
array_ids(struct hg_req *r, const char *field, json_object *arr,
    long long **ids, const char ***types, size_t *n)
{
	json_object	*item, *id, *t;
	size_t		 i, len = json_object_array_length(arr);

	*ids = hg_alloc(r->r_arena, sizeof(**ids) * (len + 1));
	if (types != NULL)
		*types = hg_alloc(r->r_arena, sizeof(**types) * (len + 1));
	for (i = 0; i < len; i++) {
		item = id = json_object_array_get_idx(arr, i);
		if (json_object_is_type(item, json_type_object) &&
		    !json_object_object_get_ex(item, "id", &id))
			id = NULL;
		if (id == NULL || !json_object_is_type(id, json_type_int) ||
		    json_object_get_int64(id) <= 0)
			return hg_invalid(r, item_name(r, field, i),
			    "must be a positive integer id or {\"id\": N}");
		(*ids)[i] = json_object_get_int64(id);
		if (types == NULL)
			continue;
		(*types)[i] = NULL;
		if (json_object_is_type(item, json_type_object) &&
		    json_object_object_get_ex(item, "type", &t))
			(*types)[i] = json_object_is_type(t, json_type_string) ?
			    json_object_get_string(t) : "";
	}
	*n = len;
	return 0;
}

static int
id_in(long long id, const long long *ids, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (ids[i] == id)
			return 1;
	return 0;
}

/* Validate object item i of a body array against declared fields. */
static int
item_body(struct hg_req *r, json_object *item, size_t i,
    const struct hg_field *f, size_t n, struct hg_val *v)
{
	json_object *errors;

	if (!json_object_is_type(item, json_type_object))
		return hg_invalid(r, hg_printf(r->r_arena, "[%zu]", i),
		    "must be an object");
	if (hg_valid_body(r->r_arena, item, f, n, v, &errors) == 0)
		return 0;
	json_object_object_foreach(errors, key, why)
		return hg_invalid(r, hg_printf(r->r_arena, "[%zu].%s", i, key),
		    json_object_get_string(why));
	return hg_fail(r, HG_E_INVALID, NULL);
}

/* ---- the applications a body names -------------------------------------- */

/*
 * The route checks the application of the path; these check the others a
 * body names (API.md section 3).  An application the caller may not view
 * is refused exactly like one that does not exist (app_load's 10002 on
 * field), so that a body cannot probe for ids.  Callers skip the check
 * for an application already linked to the path's one the way the body
 * names it (its parent, a child, a required application): its id is shown
 * in that application's object already, and a client may send an object
 * back unchanged.
 */
static int
app_viewable(struct hg_req *r, long long id, const char *field)
{
	if (hg_holds_object(r, "application", id, "view_app"))
		return 0;
	return hg_invalid(r, field, hg_printf(r->r_arena,
	    "no application with id %lld", id));
}

/* 403 unless the caller may edit application c, whose row is changing. */
static int
app_editable(struct hg_req *r, const struct app *c, const char *what)
{
	if (hg_holds_object(r, "application", c->a_id, "edit_app"))
		return 0;
	return hg_fail(r, HG_E_PERM, "permission denied: edit_app on "
	    "application %lld needed to %s it", c->a_id, what);
}

/* ---- the tree --------------------------------------------------------- */

/* Refuse (10002 on field) when id is root or inside root's subtree. */
static int
not_in_subtree(struct hg_req *r, long long root, long long id,
    const char *field)
{
	struct hg_rows	*rs;
	int		 rc;

	if ((rc = hg_db_query(r->r_db, r->r_arena, &rs, "WITH RECURSIVE up "
	    "(id, parent_id) AS (SELECT id, parent_id FROM applications WHERE "
	    "id = ? UNION SELECT a.id, a.parent_id FROM applications a JOIN up "
	    "ON a.id = up.parent_id) SELECT COUNT(*) FROM up WHERE id = ?",
	    "ii", id, root)) != 0)
		return hg_fail(r, rc, NULL);
	if (hg_atoll(HG_CELL(rs, 0, 0)) != 0)
		return hg_invalid(r, field, id == root ?
		    "an application cannot be its own parent" :
		    "would make a cycle: the parent is inside the moved subtree");
	return 0;
}

/*
 * Give application a the parent `parent` (0: make it a root) and the name
 * `name`, rewriting the full_name and depth of its whole subtree.
 * Refused with nothing changed: an unknown parent or one inside a's
 * subtree (400 on field), a full name longer than FULL_MAX (400), a full
 * name taken anywhere in the moved subtree (409).  Updates *a; *detail
 * gets what changed in words, NULL when nothing did.
 */
static int
app_place(struct hg_req *r, struct app *a, long long parent, const char *name,
    const char *field, const char **detail)
{
	struct app	 p;
	struct hg_rows	*rs;
	const char	*full = name, *like, *oldp = "none", *newp = "none";
	long long	 depth = 0, oldlen, longest, ndesc;
	int		 rc;

	*detail = NULL;
	if (parent != 0) {
		if ((rc = app_load(r, parent, &p, field)) != 0 ||
		    (rc = not_in_subtree(r, a->a_id, parent, field)) != 0)
			return rc;
		full = hg_printf(r->r_arena, "%s.%s", p.a_full, name);
		depth = p.a_depth + 1;
		newp = hg_printf(r->r_arena, "\"%s\" (id %lld)", p.a_full, p.a_id);
	}
	if (parent == a->a_parent && strcmp(full, a->a_full) == 0)
		return 0;
	if (a->a_parent != 0) {
		if ((rc = hg_db_query(r->r_db, r->r_arena, &rs, "SELECT full_name "
		    "FROM applications WHERE id = ?", "i", a->a_parent)) != 0)
			return hg_fail(r, rc, NULL);
		oldp = hg_printf(r->r_arena, "\"%s\" (id %lld)",
		    rs->nrows ? HG_CELL(rs, 0, 0) : "?", a->a_parent);
	}
	like = subtree_like(r, a->a_full);
	oldlen = (long long)hg_utf8_len(a->a_full);
	if ((rc = hg_db_query(r->r_db, r->r_arena, &rs, "SELECT "
	    "COALESCE(MAX(CHAR_LENGTH(full_name)), 0), COUNT(*) FROM "
	    "applications WHERE full_name LIKE ?", "s", like)) != 0)
		return hg_fail(r, rc, NULL);
	longest = hg_atoll(HG_CELL(rs, 0, 0));
	ndesc = hg_atoll(HG_CELL(rs, 0, 1));
	longest = (longest > oldlen ? longest - oldlen : 0) +
	    (long long)hg_utf8_len(full);
	if (longest > FULL_MAX)
		return hg_invalid(r, field, hg_printf(r->r_arena, "would make a "
		    "full name %lld characters long (at most %d)", longest,
		    FULL_MAX));
	/*
	 * A clash: when the new full name of a itself is free, none below it
	 * can be taken (every full name's prefixes are its ancestors'), and
	 * the unique index refuses the UPDATE should the table say otherwise.
	 */
	if ((rc = hg_db_query(r->r_db, r->r_arena, &rs, "SELECT full_name FROM "
	    "applications WHERE full_name = ? AND id <> ?", "si", full,
	    a->a_id)) != 0)
		return hg_fail(r, rc, NULL);
	if (rs->nrows > 0)
		return hg_fail(r, HG_E_CONFLICT, "an application named \"%s\" "
		    "already exists", HG_CELL(rs, 0, 0));
	if (ndesc > 0 && (rc = hg_db_exec(r->r_db, "UPDATE applications SET "
	    "full_name = CONCAT(?, SUBSTRING(full_name, ?)), depth = depth + ? "
	    "WHERE full_name LIKE ?", "siis", full, oldlen + 1,
	    depth - a->a_depth, like)) != 0)
		return hg_fail(r, rc, rc == HG_E_CONFLICT ?
		    "a full name in the moved subtree is taken" : NULL);
	if ((rc = hg_db_exec(r->r_db, "UPDATE applications SET name = ?, "
	    "full_name = ?, parent_id = ?, depth = ? WHERE id = ?", "sssii",
	    name, full, idstr(r, parent), depth, a->a_id)) != 0)
		return hg_fail(r, rc, rc == HG_E_CONFLICT ?
		    hg_printf(r->r_arena, "an application named \"%s\" already "
		    "exists", full) : NULL);
	if (strcmp(name, a->a_name) != 0)
		note(r, detail, "name changed from \"%s\" to \"%s\"", a->a_name,
		    name);
	if (parent != a->a_parent)
		note(r, detail, "parent changed from %s to %s", oldp, newp);
	note(r, detail, "full name changed from \"%s\" to \"%s\"", a->a_full,
	    full);
	if (ndesc > 0)
		note(r, detail, "full names of %lld descendants rewritten", ndesc);
	a->a_parent = parent;
	a->a_name = name;
	a->a_full = full;
	a->a_depth = depth;
	return 0;
}

/*
 * Make each application of ids a child of a (replace: and detach a's
 * other children to be roots).  Each moved child gets its own audit row;
 * *detail gets the summary for a's.
 */
static int
children_set(struct hg_req *r, struct app *a, const long long *ids, size_t n,
    int replace, const char *prefix, const char **detail)
{
	struct hg_rows	*rs;
	struct app	 c;
	const char	*moved;
	size_t		 i;
	int		 rc, k;

	if (replace) {
		if ((rc = hg_db_query(r->r_db, r->r_arena, &rs, "SELECT id FROM "
		    "applications WHERE parent_id = ? ORDER BY id", "i",
		    a->a_id)) != 0)
			return hg_fail(r, rc, NULL);
		for (k = 0; k < rs->nrows; k++) {
			long long cid = hg_atoll(HG_CELL(rs, k, 0));

			if (id_in(cid, ids, n))
				continue;
			if ((rc = app_load(r, cid, &c, NULL)) != 0 ||
			    (rc = app_editable(r, &c, "detach")) != 0 ||
			    (rc = app_place(r, &c, 0, c.a_name, prefix,
			    &moved)) != 0 ||
			    (rc = app_audit(r, &c, "update", "moved", moved)) != 0)
				return rc;
			note(r, detail, "child application \"%s\" (id %lld) "
			    "detached", c.a_name, c.a_id);
		}
	}
	for (i = 0; i < n; i++) {
		const char *field = item_name(r, prefix, i);

		if ((rc = app_load(r, ids[i], &c, field)) != 0)
			return rc;
		if (c.a_parent == a->a_id)
			continue;
		if ((rc = app_viewable(r, c.a_id, field)) != 0 ||
		    (rc = app_editable(r, &c, "move")) != 0 ||
		    (rc = app_place(r, &c, a->a_id, c.a_name, field,
		    &moved)) != 0 ||
		    (rc = app_audit(r, &c, "update", "moved", moved)) != 0)
			return rc;
		note(r, detail, "child application \"%s\" (id %lld) added",
		    c.a_full, c.a_id);
	}
	return 0;
}

/*
 * Detach each child of ids from a, making it a root; others are ignored,
 * unless the caller may not view them (then they do not exist).
 */
static int
children_remove(struct hg_req *r, struct app *a, const long long *ids,
    size_t n, const char **detail)
{
	struct app	 c;
	const char	*moved, *field;
	size_t		 i;
	int		 rc;

	for (i = 0; i < n; i++) {
		field = item_name(r, NULL, i);
		if ((rc = app_load(r, ids[i], &c, field)) != 0)
			return rc;
		if (c.a_parent != a->a_id) {
			if ((rc = app_viewable(r, c.a_id, field)) != 0)
				return rc;
			continue;
		}
		if ((rc = app_editable(r, &c, "detach")) != 0 ||
		    (rc = app_place(r, &c, 0, c.a_name, field, &moved)) != 0 ||
		    (rc = app_audit(r, &c, "update", "moved", moved)) != 0)
			return rc;
		note(r, detail, "child application \"%s\" (id %lld) detached",
		    c.a_name, c.a_id);
	}
	return 0;
}

/* ---- dependencies ------------------------------------------------------ */

/*
 * A required application named in a body: one the caller may view, or one
 * a requires already (app_viewable).
 */
static int
required_viewable(struct hg_req *r, const struct app *a, long long id,
    const char *field)
{
	struct hg_rows	*rs;
	int		 rc;

	if (hg_holds_object(r, "application", id, "view_app"))
		return 0;
	if ((rc = hg_db_query(r->r_db, r->r_arena, &rs, "SELECT 1 FROM "
	    "app_dependencies WHERE app_id = ? AND required_id = ?", "ii",
	    a->a_id, id)) != 0)
		return hg_fail(r, rc, NULL);
	return rs->nrows > 0 ? 0 : app_viewable(r, id, field);
}

/*
 * Make a require each of ids (replace: and nothing else).  A dependency
 * on itself or one that closes a cycle is refused (400) with nothing
 * changed: the dispatcher rolls back what came before.
 */
static int
deps_set(struct hg_req *r, struct app *a, const long long *ids, size_t n,
    int replace, const char *prefix, const char **detail)
{
	struct hg_rows	*rs;
	struct app	 d;
	size_t		 i;
	int		 rc, k;

	if (replace) {
		if ((rc = hg_db_query(r->r_db, r->r_arena, &rs, "SELECT a.id, "
		    "a.full_name FROM app_dependencies d JOIN applications a ON "
		    "a.id = d.required_id WHERE d.app_id = ? ORDER BY a.id", "i",
		    a->a_id)) != 0)
			return hg_fail(r, rc, NULL);
		for (k = 0; k < rs->nrows; k++) {
			long long did = hg_atoll(HG_CELL(rs, k, 0));

			if (id_in(did, ids, n))
				continue;
			if ((rc = hg_db_exec(r->r_db, "DELETE FROM app_dependencies "
			    "WHERE app_id = ? AND required_id = ?", "ii", a->a_id,
			    did)) != 0)
				return hg_fail(r, rc, NULL);
			note(r, detail, "no longer requires \"%s\" (id %lld)",
			    HG_CELL(rs, k, 1), did);
		}
	}
	for (i = 0; i < n; i++) {
		const char *field = item_name(r, prefix, i);

		if ((rc = app_load(r, ids[i], &d, field)) != 0 ||
		    (rc = required_viewable(r, a, d.a_id, field)) != 0)
			return rc;
		if (d.a_id == a->a_id)
			return hg_invalid(r, field,
			    "an application cannot require itself");
		if ((rc = hg_db_query(r->r_db, r->r_arena, &rs, "WITH RECURSIVE "
		    "req (id) AS (SELECT ? UNION SELECT d.required_id FROM "
		    "app_dependencies d JOIN req ON d.app_id = req.id) "
		    "SELECT COUNT(*) FROM req WHERE id = ?", "ii", d.a_id,
		    a->a_id)) != 0)
			return hg_fail(r, rc, NULL);
		if (hg_atoll(HG_CELL(rs, 0, 0)) != 0)
			return hg_invalid(r, field, hg_printf(r->r_arena,
			    "would make a dependency cycle: \"%s\" already "
			    "requires \"%s\"", d.a_full, a->a_full));
		if ((rc = hg_db_exec(r->r_db, "INSERT IGNORE INTO app_dependencies "
		    "(app_id, required_id) VALUES (?, ?)", "ii", a->a_id,
		    d.a_id)) != 0)
			return hg_fail(r, rc, NULL);
		if (hg_db_affected(r->r_db) > 0)
			note(r, detail, "now requires \"%s\" (id %lld)", d.a_full,
			    d.a_id);
	}
	return 0;
}

static int
deps_remove(struct hg_req *r, struct app *a, const long long *ids, size_t n,
    const char **detail)
{
	struct app	 d;
	const char	*field;
	size_t		 i;
	int		 rc;

	for (i = 0; i < n; i++) {
		field = item_name(r, NULL, i);
		if ((rc = app_load(r, ids[i], &d, field)) != 0 ||
		    (rc = required_viewable(r, a, d.a_id, field)) != 0)
			return rc;
		if ((rc = hg_db_exec(r->r_db, "DELETE FROM app_dependencies WHERE "
		    "app_id = ? AND required_id = ?", "ii", a->a_id, d.a_id)) != 0)
			return hg_fail(r, rc, NULL);
		if (hg_db_affected(r->r_db) > 0)
			note(r, detail, "no longer requires \"%s\" (id %lld)",
			    d.a_full, d.a_id);
	}
	return 0;
}

/* ---- response persons ---------------------------------------------------- */

static const char *const person_types[] = { "dev", "ops", "qa", "pm", NULL };

static int
person_type_ok(const char *t)
{
	const char *const *p;

	for (p = person_types; *p != NULL; p++)
		if (strcmp(*p, t) == 0)
			return 1;
	return 0;
}

/*
 * Make each user of ids a response person of a with types[i] (NULL keeps
 * a present person's type; a new one gets "").  replace: and remove the
 * others.
 */
static int
persons_set(struct hg_req *r, struct app *a, const long long *ids,
    const char **types, size_t n, int replace, const char *prefix,
    const char **detail)
{
	struct hg_rows	*rs;
	size_t		 i;
	int		 rc, k;

	if (replace) {
		if ((rc = hg_db_query(r->r_db, r->r_arena, &rs, "SELECT u.id, "
		    "u.name FROM app_response_persons p JOIN users u ON "
		    "u.id = p.user_id WHERE p.app_id = ? ORDER BY u.id", "i",
		    a->a_id)) != 0)
			return hg_fail(r, rc, NULL);
		for (k = 0; k < rs->nrows; k++) {
			long long uid = hg_atoll(HG_CELL(rs, k, 0));

			if (id_in(uid, ids, n))
				continue;
			if ((rc = hg_db_exec(r->r_db, "DELETE FROM "
			    "app_response_persons WHERE app_id = ? AND "
			    "user_id = ?", "ii", a->a_id, uid)) != 0)
				return hg_fail(r, rc, NULL);
			note(r, detail, "response person \"%s\" (id %lld) removed",
			    HG_CELL(rs, k, 1), uid);
		}
	}
	for (i = 0; i < n; i++) {
		const char *field = item_name(r, prefix, i), *t = types[i];

		if (t != NULL && !person_type_ok(t))
			return hg_invalid(r, field,
			    "type must be one of: dev, ops, qa, pm");
		if ((rc = hg_db_query(r->r_db, r->r_arena, &rs, "SELECT u.name, "
		    "p.type FROM users u LEFT JOIN app_response_persons p ON "
		    "p.user_id = u.id AND p.app_id = ? WHERE u.id = ?", "ii",
		    a->a_id, ids[i])) != 0)
			return hg_fail(r, rc, NULL);
		if (rs->nrows == 0)
			return hg_invalid(r, field, hg_printf(r->r_arena,
			    "no user with id %lld", ids[i]));
		if (HG_CELL(rs, 0, 1) != NULL && (t == NULL ||
		    strcmp(t, HG_CELL(rs, 0, 1)) == 0))
			continue;
		if ((rc = hg_db_exec(r->r_db, "INSERT INTO app_response_persons "
		    "(app_id, user_id, type) VALUES (?, ?, ?) ON DUPLICATE KEY "
		    "UPDATE type = VALUES(type)", "iis", a->a_id, ids[i],
		    t ? t : "")) != 0)
			return hg_fail(r, rc, NULL);
		if (HG_CELL(rs, 0, 1) == NULL)
			note(r, detail, "response person \"%s\" (id %lld) added "
			    "as %s", HG_CELL(rs, 0, 0), ids[i], t && *t ? t :
			    "(no type)");
		else
			note(r, detail, "response person \"%s\" (id %lld) type "
			    "changed from %s to %s", HG_CELL(rs, 0, 0), ids[i],
			    HG_CELL(rs, 0, 1), t);
	}
	return 0;
}

/* ---- lists ------------------------------------------------------------ */

enum { LQ_NAME, LQ_FULL, LQ_PERSONS, LQ_PARENT, LQ_USER, LQ_ROLE, LQ__MAX };
static const struct hg_field list_q[LQ__MAX] = {
	[LQ_NAME] = { "name", HG_V_STR, 0, 0, 128 },
	[LQ_FULL] = { "full_name", HG_V_STR, 0, 0, FULL_MAX,
	    .f_alias = { "full_path" } },
	[LQ_PERSONS] = { "response_persons", HG_V_ARRAY, 0, 0, 100,
	    .f_alias = { "response_person" } },
	[LQ_PARENT] = { "has_parent", HG_V_INT, 0, 0, 1 },
	[LQ_USER] = { "user", HG_V_STR, 0, 0, 64 },
	[LQ_ROLE] = { "role", HG_V_STR, 0, 0, 128 },
};

/*
 * Who a list is seen as: the user or role of the user= / role= filters
 * (API.md section 3: the applications that user or role may view).
 * s_switch: it may see applications at all (the module switch
 * enable_app_mgmt, or a superuser; a role needs none of its own);
 * s_all: it sees every one (superuser, or module-wide view_app);
 * otherwise it sees those its resource grants give view_app on.
 */
struct scope {
	long long	s_switch, s_all, s_uid, s_rid;
};

/* The condition VIS_OF binds: (switch, all, user id, role id, user id). */
#define VIS_OF "(? = 1 AND (? = 1 OR a.id IN (SELECT g.resource_id FROM " \
	"resource_grants g WHERE g.resource_type = 'application' AND " \
	"g.perm = 'view_app' AND ((g.subject_type = 'user' AND " \
	"g.subject_id = ?) OR (g.subject_type = 'role' AND (g.subject_id = ? " \
	"OR g.subject_id IN (SELECT ur.role_id FROM user_roles ur WHERE " \
	"ur.user_id = ?)))))))"

#define MODULE_PERMS(subject) "(SELECT GROUP_CONCAT(DISTINCT g.perm) FROM " \
	"module_grants g WHERE g.module = 'application' AND " subject ")"
#define USER_SUBJECT "((g.subject_type = 'user' AND g.subject_id = u.id) OR " \
	"(g.subject_type = 'role' AND g.subject_id IN (SELECT ur.role_id " \
	"FROM user_roles ur WHERE ur.user_id = u.id)))"

static int
has_perm(const char *csv, const char *perm)
{
	const char *p;

	for (p = csv; p != NULL && (p = strstr(p, perm)) != NULL; p++)
		if ((p == csv || p[-1] == ',') &&
		    (p[strlen(perm)] == ',' || p[strlen(perm)] == '\0'))
			return 1;
	return 0;
}

/* Fill s from a row (id, is_superuser, module perms) or none when absent. */
static void
scope_of(struct hg_rows *rs, int role, struct scope *s)
{
	const char *perms;

	memset(s, 0, sizeof(*s));
	if (rs->nrows == 0)
		return;
	perms = HG_CELL(rs, 0, 2);
	if (role)
		s->s_rid = hg_atoll(HG_CELL(rs, 0, 0));
	else
		s->s_uid = hg_atoll(HG_CELL(rs, 0, 0));
	s->s_switch = role || hg_atoll(HG_CELL(rs, 0, 1)) ||
	    has_perm(perms, "enable_app_mgmt");
	s->s_all = hg_atoll(HG_CELL(rs, 0, 1)) || has_perm(perms, "view_app");
}

/* The scope of user `name` (or of user id when name is NULL). */
static int
user_scope(struct hg_req *r, const char *name, long long id, struct scope *s)
{
	struct hg_rows	*rs;
	int		 rc;

	rc = name != NULL ?
	    hg_db_query(r->r_db, r->r_arena, &rs, "SELECT u.id, u.is_superuser, "
	    MODULE_PERMS(USER_SUBJECT) " FROM users u WHERE u.username = ?", "s",
	    name) :
	    hg_db_query(r->r_db, r->r_arena, &rs, "SELECT u.id, u.is_superuser, "
	    MODULE_PERMS(USER_SUBJECT) " FROM users u WHERE u.id = ?", "i", id);
	if (rc != 0)
		return hg_fail(r, rc, NULL);
	scope_of(rs, 0, s);
	return 0;
}

static int
role_scope(struct hg_req *r, const char *name, struct scope *s)
{
	struct hg_rows	*rs;
	int		 rc;

	if ((rc = hg_db_query(r->r_db, r->r_arena, &rs, "SELECT ro.id, 0, "
	    MODULE_PERMS("g.subject_type = 'role' AND g.subject_id = ro.id")
	    " FROM roles ro WHERE ro.name = ?", "s", name)) != 0)
		return hg_fail(r, rc, NULL);
	scope_of(rs, 1, s);
	return 0;
}

/* response_persons as a JSON array of ids for JSON_TABLE, or NULL. */
static int
persons_filter(struct hg_req *r, const struct hg_val *v, const char **out)
{
	const char	*s, *list = "";
	char		*end;
	size_t		 i, n;
	long long	 id;

	*out = NULL;
	if (!v->present || (n = json_object_array_length(v->j)) == 0)
		return 0;	/* "response_persons=" filters nothing */
	for (i = 0; i < n; i++) {
		s = json_object_get_string(json_object_array_get_idx(v->j, i));
		id = strtoll(s, &end, 10);
		if (*end != '\0' || id <= 0)
			return hg_invalid(r, "response_persons",
			    "must be user ids");
		list = hg_printf(r->r_arena, "%s%s%lld", list, i ? "," : "", id);
	}
	*out = hg_printf(r->r_arena, "[%s]", list);
	return 0;
}

/*
 * Every list's conditions: the caller may view the row (HG_VISIBLE_SQL),
 * so may the user= and role= scopes (VIS_OF twice), and the filters.
 */
#define APP_FILTERS " AND " HG_VISIBLE_SQL("application", "view_app", "a.id") \
	" AND " VIS_OF " AND " VIS_OF " AND a.name LIKE COALESCE(?, '%') " \
	"AND a.full_name LIKE COALESCE(?, '%') " \
	"AND (? IS NULL OR (a.parent_id IS NOT NULL) = ?) " \
	"AND (? IS NULL OR a.id IN (SELECT p.app_id FROM app_response_persons p " \
	"JOIN JSON_TABLE(?, '$[*]' COLUMNS (uid BIGINT PATH '$')) j " \
	"ON p.user_id = j.uid)) ORDER BY a.id DESC LIMIT ? OFFSET ?"

enum lkind { L_ALL, L_CHILDREN, L_REQUIRED, L_REQUIRED_BY };

/* Each list's rows; its one parameter is the route's id (0 for L_ALL). */
static const char *const list_sql[] = {
	[L_ALL] = "SELECT " HG_APP_COLS ", COUNT(*) OVER () FROM applications a "
	    "WHERE a.id > ?" APP_FILTERS,
	[L_CHILDREN] = "SELECT " HG_APP_COLS ", COUNT(*) OVER () FROM "
	    "applications a WHERE a.parent_id = ?" APP_FILTERS,
	[L_REQUIRED] = "SELECT " HG_APP_COLS ", COUNT(*) OVER () FROM "
	    "app_dependencies d JOIN applications a ON a.id = d.required_id "
	    "WHERE d.app_id = ?" APP_FILTERS,
	[L_REQUIRED_BY] = "SELECT " HG_APP_COLS ", COUNT(*) OVER () FROM "
	    "app_dependencies d JOIN applications a ON a.id = d.app_id "
	    "WHERE d.required_id = ?" APP_FILTERS,
};

/*
 * The usual list of someone who sees only what was granted: the ids and
 * the caller's grants on them come from its visible set (perms.c, kept by
 * the worker), so the database only fetches the page's rows by id.
 */
static int
app_list_granted(struct hg_req *r, const struct hg_page *pg)
{
	const struct hg_visible	*vs;
	struct hg_param		 p[HG_GRANTED_PAGE];
	struct hg_rows		*rs;
	int			 rc, row;

	if ((rc = hg_visible_set(r, "application", &vs)) != 0)
		return rc;
	hg_visible_page(vs, pg, p);
	if ((rc = hg_db_run(r->r_db, r->r_arena, &rs, "SELECT "
	    HG_APP_COLS_WITH("NULL") " FROM applications a WHERE a.id IN ("
	    HG_IN_GRANTED ") ORDER BY a.id DESC", p, HG_GRANTED_PAGE)) != 0)
		return hg_fail(r, rc, NULL);
	/* available_actions read the grants column: fill it from the set. */
	for (row = 0; row < rs->nrows; row++)
		HG_CELL(rs, row, rs->ncols - 1) = (char *)hg_visible_grants(vs,
		    hg_atoll(HG_CELL(rs, row, 0)));
	return hg_list_reply_count(r, pg, rs, hg_app_json, (long long)vs->v_n);
}

/* One of the application lists, with every filter of the seed. */
static int
app_list_of(struct hg_req *r, enum lkind kind)
{
	struct hg_val	 v[LQ__MAX];
	struct hg_page	 pg;
	struct scope	 us = { 1, 1, 0, 0 }, rs = { 1, 1, 0, 0 };
	const char	*persons, *parent;
	long long	 uid = r->r_user->u_id, all;
	int		 rc, i, filtered = 0;

	if ((rc = hg_query(r, list_q, LQ__MAX, v)) != 0 ||
	    (rc = hg_page(r, &pg)) != 0 ||
	    (rc = persons_filter(r, &v[LQ_PERSONS], &persons)) != 0 ||
	    (kind != L_ALL && (rc = app_exists(r)) != 0) ||
	    (v[LQ_USER].present &&
	    (rc = user_scope(r, v[LQ_USER].s, 0, &us)) != 0) ||
	    (v[LQ_ROLE].present && (rc = role_scope(r, v[LQ_ROLE].s, &rs)) != 0))
		return rc;
	all = hg_visible_all(r, "application");
	for (i = 0; i < LQ__MAX; i++)
		filtered |= v[i].present;
	/* A superuser holds everything: no grants to look up per row. */
	if (kind == L_ALL && !filtered && r->r_user->u_superuser)
		return hg_list_v0(r, &pg, hg_app_json, "SELECT "
		    HG_APP_COLS_WITH("NULL") ", (SELECT n FROM row_counts WHERE "
		    "tbl = 'applications') FROM applications a "
		    "ORDER BY a.id DESC LIMIT ? OFFSET ?", NULL);
	if (kind == L_ALL && !filtered && all)
		return hg_list_v0(r, &pg, hg_app_json, "SELECT " HG_APP_COLS ", "
		    "(SELECT n FROM row_counts WHERE tbl = 'applications') FROM "
		    "applications a ORDER BY a.id DESC LIMIT ? OFFSET ?", "ii",
		    uid, uid);
	if (kind == L_ALL && !filtered && pg.pg_size <= HG_GRANTED_PAGE)
		return app_list_granted(r, &pg);
	/*
	 * A bigger page of someone who sees only what was granted: start
	 * from the grants (an OR in the general query below would make
	 * MariaDB test every application against them), and render only the
	 * page (a window function makes MariaDB compute every column of
	 * every matching row before it sorts and cuts).
	 */
	if (kind == L_ALL && !filtered)
		return hg_list_v0(r, &pg, hg_app_json, "SELECT " HG_APP_COLS ", "
		    "k.total FROM (SELECT a.id, COUNT(*) OVER () AS total FROM "
		    "applications a WHERE "
		    HG_VISIBLE_IN("application", "view_app", "a.id")
		    " ORDER BY a.id DESC LIMIT ? OFFSET ?) k JOIN applications a "
		    "ON a.id = k.id ORDER BY a.id DESC", "iiii", uid, uid, uid, uid);
	parent = !v[LQ_PARENT].present ? NULL : v[LQ_PARENT].i ? "1" : "0";
	return hg_list_v0(r, &pg, hg_app_json, list_sql[kind],
	    "iiiiiiiiiiiiiiiissssss", uid, uid, kind == L_ALL ? 0 : r->r_ids[0],
	    all, uid, uid,
	    us.s_switch, us.s_all, us.s_uid, us.s_rid, us.s_uid,
	    rs.s_switch, rs.s_all, rs.s_uid, rs.s_rid, rs.s_uid,
	    hg_like(r, &v[LQ_NAME]), hg_like(r, &v[LQ_FULL]), parent, parent,
	    persons, persons);
}

/* GET /applications/ */
static int
app_list(struct hg_req *r)
{
	return app_list_of(r, L_ALL);
}

/* GET /applications/{id}/child-apps/ */
static int
child_list(struct hg_req *r)
{
	return app_list_of(r, L_CHILDREN);
}

/* GET /applications/{id}/required-apps/ */
static int
required_list(struct hg_req *r)
{
	return app_list_of(r, L_REQUIRED);
}

/* GET /applications/{id}/required-by-apps/ */
static int
required_by_list(struct hg_req *r)
{
	return app_list_of(r, L_REQUIRED_BY);
}

/* ---- create, get, update, delete -------------------------------------- */

enum { AF_NAME, AF_DESC, AF_TYPE, AF_RUNUSER, AF_DIR, AF_START, AF_STOP,
	AF_STDOUT, AF_STDERR, AF_PID, AF_PARENT, AF_PROD, AF_CHILDREN,
	AF_REQUIRED, AF_PERSONS, AF__MAX };

#define APP_TEXT_FIELDS \
	[AF_DESC] = { "description", HG_V_STR, 0, 0, 1024 }, \
	[AF_TYPE] = { "application_type", HG_V_STR, 0, 0, 64, \
	    .f_check = hg_check_noctl }, \
	[AF_RUNUSER] = { "run_user", HG_V_STR, 0, 0, 64, \
	    .f_alias = { "run_users" }, .f_check = hg_check_noctl }, \
	[AF_DIR] = { "directory", HG_V_STR, 0, 0, 1024, \
	    .f_check = hg_check_noctl }, \
	[AF_START] = { "startup_cmd", HG_V_STR, 0, 0, 1024, \
	    .f_check = hg_check_noctl }, \
	[AF_STOP] = { "stop_cmd", HG_V_STR, 0, 0, 1024, \
	    .f_check = hg_check_noctl }, \
	[AF_STDOUT] = { "stdout_path", HG_V_STR, 0, 0, 1024, \
	    .f_check = hg_check_noctl }, \
	[AF_STDERR] = { "stderr_path", HG_V_STR, 0, 0, 1024, \
	    .f_check = hg_check_noctl }, \
	[AF_PID] = { "pid_path", HG_V_STR, 0, 0, 1024, \
	    .f_check = hg_check_noctl }, \
	[AF_PARENT] = { "parent_app", HG_V_INT, HG_V_NULLABLE, 1, ID_MAX, \
	    .f_alias = { "parent_id" } }, \
	[AF_PROD] = { "production", HG_V_INT, HG_V_NULLABLE, 1, ID_MAX, \
	    .f_alias = { "production_id" } }, \
	[AF_CHILDREN] = { "child_apps", HG_V_ARRAY, 0, 0, 1000 }, \
	[AF_REQUIRED] = { "required_apps", HG_V_ARRAY, 0, 0, 1000 }, \
	[AF_PERSONS] = { "response_persons", HG_V_ARRAY, 0, 0, 1000, \
	    .f_alias = { "response_person" } }

static const struct hg_field create_fields[AF__MAX] = {
	[AF_NAME] = { "name", HG_V_STR, HG_V_REQUIRED, 1, 128,
	    .f_check = check_app_name },
	APP_TEXT_FIELDS,
};
static const struct hg_field patch_fields[AF__MAX] = {
	[AF_NAME] = { "name", HG_V_STR, 0, 1, 128, .f_check = check_app_name },
	APP_TEXT_FIELDS,
};

/* The text columns, in the order of the SQL below. */
static const int text_fields[] = { AF_DESC, AF_TYPE, AF_RUNUSER, AF_DIR,
	AF_START, AF_STOP, AF_STDOUT, AF_STDERR, AF_PID };
#define NTEXT	(sizeof(text_fields) / sizeof(text_fields[0]))

/* 10002 on production unless production id exists. */
static int
production_check(struct hg_req *r, long long id, const char **name)
{
	struct hg_rows	*rs;
	int		 rc;

	if ((rc = hg_db_query(r->r_db, r->r_arena, &rs, "SELECT name FROM "
	    "productions WHERE id = ?", "i", id)) != 0)
		return hg_fail(r, rc, NULL);
	if (rs->nrows == 0)
		return hg_invalid(r, "production", hg_printf(r->r_arena,
		    "no production with id %lld", id));
	*name = HG_CELL(rs, 0, 0);
	return 0;
}

/*
 * Putting an application into a production or taking it out is adding
 * applications to a production (API.md section 6): it needs add_business,
 * whichever path asks for it, on top of the application's own permission.
 */
static int
production_allowed(struct hg_req *r)
{
	int rc;

	if ((rc = hg_perm_module(r, "resource", "add_business")) < 0)
		return r->r_err;
	if (rc == 0)
		return hg_fail(r, HG_E_PERM, "permission denied: "
		    "resource.add_business needed to change the production of "
		    "an application");
	return 0;
}

/* The array fields of a create or PATCH body, replacing what a had. */
static int
apply_arrays(struct hg_req *r, struct app *a, const struct hg_val *v,
    const char **detail)
{
	long long	*ids;
	const char	**types;
	size_t		 n;
	int		 rc;

	if (v[AF_CHILDREN].present && ((rc = array_ids(r, "child_apps",
	    v[AF_CHILDREN].j, &ids, NULL, &n)) != 0 ||
	    (rc = children_set(r, a, ids, n, 1, "child_apps", detail)) != 0))
		return rc;
	if (v[AF_REQUIRED].present && ((rc = array_ids(r, "required_apps",
	    v[AF_REQUIRED].j, &ids, NULL, &n)) != 0 ||
	    (rc = deps_set(r, a, ids, n, 1, "required_apps", detail)) != 0))
		return rc;
	if (v[AF_PERSONS].present && ((rc = array_ids(r, "response_persons",
	    v[AF_PERSONS].j, &ids, &types, &n)) != 0 ||
	    (rc = persons_set(r, a, ids, types, n, 1, "response_persons",
	    detail)) != 0))
		return rc;
	return 0;
}

/* POST /applications/ */
static int
app_create(struct hg_req *r)
{
	struct hg_val	 v[AF__MAX];
	struct app	 a, p;
	json_object	*out;
	const char	*detail = NULL, *pname, *t[NTEXT];
	size_t		 k;
	int		 rc;

	if ((rc = hg_body(r, create_fields, AF__MAX, v)) != 0 ||
	    (rc = tree_lock(r)) != 0)
		return rc;
	memset(&a, 0, sizeof(a));
	a.a_name = a.a_full = v[AF_NAME].s;
	if (v[AF_PARENT].present && !v[AF_PARENT].null) {
		if ((rc = app_load(r, v[AF_PARENT].i, &p, "parent_app")) != 0 ||
		    (rc = app_viewable(r, p.a_id, "parent_app")) != 0)
			return rc;
		a.a_parent = p.a_id;
		a.a_depth = p.a_depth + 1;
		a.a_full = hg_printf(r->r_arena, "%s.%s", p.a_full, a.a_name);
		note(r, &detail, "parent \"%s\" (id %lld)", p.a_full, p.a_id);
	}
	if (hg_utf8_len(a.a_full) > FULL_MAX)
		return hg_invalid(r, "name", hg_printf(r->r_arena, "would make "
		    "a full name longer than %d characters", FULL_MAX));
	if (v[AF_PROD].present && !v[AF_PROD].null) {
		if ((rc = production_allowed(r)) != 0 ||
		    (rc = production_check(r, v[AF_PROD].i, &pname)) != 0)
			return rc;
		note(r, &detail, "production \"%s\" (id %lld)", pname,
		    v[AF_PROD].i);
	}
	for (k = 0; k < NTEXT; k++) {
		t[k] = v[text_fields[k]].s ? v[text_fields[k]].s : "";
		if (*t[k] != '\0')
			note(r, &detail, "%s \"%s\"",
			    create_fields[text_fields[k]].f_name, t[k]);
	}
	rc = hg_db_exec(r->r_db, "INSERT INTO applications (name, full_name, "
	    "parent_id, production_id, depth, description, application_type, "
	    "run_user, directory, startup_cmd, stop_cmd, stdout_path, "
	    "stderr_path, pid_path) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
	    "?, ?)", "ssssisssssssss", a.a_name, a.a_full, idstr(r, a.a_parent),
	    v[AF_PROD].null ? NULL : idstr(r, v[AF_PROD].i), a.a_depth, t[0],
	    t[1], t[2], t[3], t[4], t[5], t[6], t[7], t[8]);
	if (rc == HG_E_CONFLICT)
		return hg_fail(r, rc, "an application named \"%s\" already exists",
		    a.a_full);
	if (rc != 0)
		return hg_fail(r, rc, NULL);
	a.a_id = (long long)hg_db_insert_id(r->r_db);
	if ((rc = apply_arrays(r, &a, v, &detail)) != 0 ||
	    (rc = app_audit(r, &a, "add", "created", detail)) != 0 ||
	    (rc = app_object(r, a.a_id, &out)) != 0)
		return rc;
	return hg_reply(r, 201, out);
}

/* GET /applications/{id}/ */
static int
app_get(struct hg_req *r)
{
	json_object	*out;
	int		 rc;

	if ((rc = app_object(r, r->r_ids[0], &out)) != 0)
		return rc;
	return hg_reply(r, 200, out);
}

/* Production id of a as "none" or "\"name\" (id N)". */
static int
production_words(struct hg_req *r, const char *id, const char **out)
{
	const char	*name;
	int		 rc;

	*out = "none";
	if (id == NULL)
		return 0;
	if ((rc = production_check(r, hg_atoll(id), &name)) != 0)
		return rc;
	*out = hg_printf(r->r_arena, "\"%s\" (id %s)", name, id);
	return 0;
}

/* PATCH /applications/{id}/: the body's fields, arrays replace. */
static int
app_patch(struct hg_req *r)
{
	struct hg_val	 v[AF__MAX];
	struct hg_rows	*rs;
	struct app	 a;
	json_object	*out;
	const char	*detail = NULL, *moved, *oldp, *newp, *name;
	long long	 parent;
	size_t		 k;
	int		 rc;

	if ((rc = app_begin(r, &a)) != 0 ||
	    (rc = hg_body(r, patch_fields, AF__MAX, v)) != 0)
		return rc;
	if ((rc = hg_db_query(r->r_db, r->r_arena, &rs, "SELECT description, "
	    "application_type, run_user, directory, startup_cmd, stop_cmd, "
	    "stdout_path, stderr_path, pid_path, production_id FROM applications "
	    "WHERE id = ?", "i", a.a_id)) != 0)
		return hg_fail(r, rc, NULL);
	name = v[AF_NAME].present ? v[AF_NAME].s : a.a_name;
	parent = !v[AF_PARENT].present ? a.a_parent :
	    v[AF_PARENT].null ? 0 : v[AF_PARENT].i;
	if (parent != 0 && parent != a.a_parent &&
	    (rc = app_viewable(r, parent, "parent_app")) != 0)
		return rc;
	if ((rc = app_place(r, &a, parent, name, v[AF_PARENT].present ?
	    "parent_app" : "name", &moved)) != 0)
		return rc;
	if (moved != NULL)
		note(r, &detail, "%s", moved);
	if (v[AF_PROD].present) {
		const char *id = v[AF_PROD].null ? NULL : idstr(r, v[AF_PROD].i);
		const char *was = HG_CELL(rs, 0, 9);

		if ((id == NULL ? was != NULL : was == NULL ||
		    strcmp(id, was) != 0) && (rc = production_allowed(r)) != 0)
			return rc;
		if ((rc = production_words(r, HG_CELL(rs, 0, 9), &oldp)) != 0 ||
		    (rc = production_words(r, id, &newp)) != 0)
			return rc;
		if (strcmp(oldp, newp) != 0)
			note(r, &detail, "production changed from %s to %s",
			    oldp, newp);
		if ((rc = hg_db_exec(r->r_db, "UPDATE applications SET "
		    "production_id = ? WHERE id = ?", "si", id, a.a_id)) != 0)
			return hg_fail(r, rc, NULL);
	}
	for (k = 0; k < NTEXT; k++) {
		const struct hg_val *f = &v[text_fields[k]];

		if (f->present && strcmp(f->s, HG_CELL(rs, 0, k)) != 0)
			note(r, &detail, "%s changed from \"%s\" to \"%s\"",
			    patch_fields[text_fields[k]].f_name,
			    HG_CELL(rs, 0, k), f->s);
	}
	if ((rc = hg_db_exec(r->r_db, "UPDATE applications SET "
	    "description = COALESCE(?, description), "
	    "application_type = COALESCE(?, application_type), "
	    "run_user = COALESCE(?, run_user), "
	    "directory = COALESCE(?, directory), "
	    "startup_cmd = COALESCE(?, startup_cmd), "
	    "stop_cmd = COALESCE(?, stop_cmd), "
	    "stdout_path = COALESCE(?, stdout_path), "
	    "stderr_path = COALESCE(?, stderr_path), "
	    "pid_path = COALESCE(?, pid_path) WHERE id = ?", "sssssssssi",
	    v[AF_DESC].s, v[AF_TYPE].s, v[AF_RUNUSER].s, v[AF_DIR].s,
	    v[AF_START].s, v[AF_STOP].s, v[AF_STDOUT].s, v[AF_STDERR].s,
	    v[AF_PID].s, a.a_id)) != 0)
		return hg_fail(r, rc, NULL);
	if ((rc = apply_arrays(r, &a, v, &detail)) != 0)
		return rc;
	if (detail != NULL &&
	    (rc = app_audit(r, &a, "update", "updated", detail)) != 0)
		return rc;
	if ((rc = app_object(r, a.a_id, &out)) != 0)
		return rc;
	return hg_reply(r, 200, out);
}

/* DELETE /applications/{id}/: refused (409) while it has children or instances. */
static int
app_delete(struct hg_req *r)
{
	struct hg_rows	*rs;
	struct app	 a;
	long long	 nchild, ninst;
	int		 rc;

	if ((rc = app_begin(r, &a)) != 0)
		return rc;
	if ((rc = hg_db_query(r->r_db, r->r_arena, &rs, "SELECT (SELECT "
	    "COUNT(*) FROM applications WHERE parent_id = ?), (SELECT COUNT(*) "
	    "FROM app_instances WHERE app_id = ?)", "ii", a.a_id, a.a_id)) != 0)
		return hg_fail(r, rc, NULL);
	nchild = hg_atoll(HG_CELL(rs, 0, 0));
	ninst = hg_atoll(HG_CELL(rs, 0, 1));
	if (nchild > 0)
		return hg_fail(r, HG_E_CONFLICT, "application \"%s\" still has "
		    "%lld child applications", a.a_full, nchild);
	if (ninst > 0)
		return hg_fail(r, HG_E_CONFLICT, "application \"%s\" still has "
		    "%lld instances", a.a_full, ninst);
	if ((rc = hg_db_exec(r->r_db, "DELETE FROM applications WHERE id = ?",
	    "i", a.a_id)) != 0)
		return hg_fail(r, rc, rc == HG_E_CONFLICT ?
		    "application is still referenced" : NULL);
	if ((rc = app_audit(r, &a, "delete", "deleted", NULL)) != 0)
		return rc;
	return hg_reply_ok(r);
}

/*
 * POST /applications/get-by-users/: [{"id": N}, ...] -> for each user the
 * applications that user may view (see app_scope).
 */
static int
app_by_users(struct hg_req *r)
{
	struct hg_rows	*apps;
	struct scope	 s;
	json_object	*out, *u, *list;
	long long	*ids, uid = r->r_user->u_id, all;
	size_t		 n, i;
	int		 rc, k;

	if ((rc = hg_id_list(r, &ids, &n)) != 0 ||
	    (rc = hg_users_exist(r, ids, n)) != 0)
		return rc;
	all = hg_visible_all(r, "application");
	out = hg_own(r, json_object_new_array());
	for (i = 0; i < n; i++) {
		if ((rc = user_scope(r, NULL, ids[i], &s)) != 0)
			return rc;
		if ((rc = hg_db_query(r->r_db, r->r_arena, &apps, "SELECT "
		    HG_APP_COLS " FROM applications a WHERE " HG_VISIBLE_SQL(
		    "application", "view_app", "a.id") " AND " VIS_OF
		    " ORDER BY a.id DESC", "iiiiiiiiii", uid, uid, all, uid, uid,
		    s.s_switch, s.s_all, s.s_uid, s.s_rid, s.s_uid)) != 0)
			return hg_fail(r, rc, NULL);
		list = json_object_new_array_ext(apps->nrows);
		for (k = 0; k < apps->nrows; k++)
			json_object_array_add(list, hg_app_json(r, apps, k));
		u = json_object_new_object();
		json_object_object_add(u, "user_id", json_object_new_int64(ids[i]));
		json_object_object_add(u, "applications", list);
		json_object_array_add(out, u);
	}
	return hg_reply(r, 200, json_object_get(out));
}

/* ---- child and required applications ------------------------------------ */

/* The applications of ids as an array of objects. */
static int
apps_reply(struct hg_req *r, const long long *ids, size_t n)
{
	json_object	*out = hg_own(r, json_object_new_array()), *o;
	size_t		 i;
	int		 rc;

	for (i = 0; i < n; i++) {
		if ((rc = app_object(r, ids[i], &o)) != 0)
			return rc;
		json_object_array_add(out, o);
	}
	return hg_reply(r, 200, json_object_get(out));
}

/* POST and DELETE /applications/{id}/child-apps/ */
static int
child_change(struct hg_req *r)
{
	struct app	 a;
	long long	*ids;
	const char	*detail = NULL;
	size_t		 n;
	int		 rc, add = strcmp(r->r_method, "POST") == 0;

	if ((rc = app_begin(r, &a)) != 0 || (rc = hg_id_list(r, &ids, &n)) != 0)
		return rc;
	rc = add ? children_set(r, &a, ids, n, 0, NULL, &detail) :
	    children_remove(r, &a, ids, n, &detail);
	if (rc != 0 || (detail != NULL &&
	    (rc = app_audit(r, &a, "update", "updated", detail)) != 0))
		return rc;
	return add ? apps_reply(r, ids, n) : hg_reply_ok(r);
}

/* POST and DELETE /applications/{id}/required-apps/ */
static int
required_change(struct hg_req *r)
{
	struct app	 a;
	long long	*ids;
	const char	*detail = NULL;
	size_t		 n;
	int		 rc, add = strcmp(r->r_method, "POST") == 0;

	if ((rc = app_begin(r, &a)) != 0 || (rc = hg_id_list(r, &ids, &n)) != 0)
		return rc;
	rc = add ? deps_set(r, &a, ids, n, 0, NULL, &detail) :
	    deps_remove(r, &a, ids, n, &detail);
	if (rc != 0 || (detail != NULL &&
	    (rc = app_audit(r, &a, "update", "updated", detail)) != 0))
		return rc;
	return add ? apps_reply(r, ids, n) : hg_reply_ok(r);
}

/* ---- response persons ------------------------------------------------- */

#define PERSON_COLS "u.id, u.name, u.email, u.phone, p.type"

static json_object *
person_json(struct hg_req *r, struct hg_rows *rs, int i)
{
	json_object *o = json_object_new_object();

	(void)r;
	json_object_object_add(o, "id", hg_jint(HG_CELL(rs, i, 0)));
	json_object_object_add(o, "name", hg_jstr(HG_CELL(rs, i, 1)));
	json_object_object_add(o, "email", hg_jstr(HG_CELL(rs, i, 2)));
	json_object_object_add(o, "mobile", hg_jstr(HG_CELL(rs, i, 3)));
	json_object_object_add(o, "type", hg_jstr(HG_CELL(rs, i, 4)));
	return o;
}

/* GET /applications/{id}/response-person/ */
static int
person_list(struct hg_req *r)
{
	struct hg_page	pg;
	int		rc;

	if ((rc = hg_page(r, &pg)) != 0 || (rc = app_exists(r)) != 0)
		return rc;
	return hg_list_v0(r, &pg, person_json, "SELECT " PERSON_COLS ", "
	    "COUNT(*) OVER () FROM app_response_persons p JOIN users u ON "
	    "u.id = p.user_id WHERE p.app_id = ? ORDER BY u.id DESC "
	    "LIMIT ? OFFSET ?", "i", r->r_ids[0]);
}

enum { PF_ID, PF_TYPE, PF__MAX };
static const struct hg_field person_fields[PF__MAX] = {
	[PF_ID] = { "id", HG_V_INT, HG_V_REQUIRED, 1, ID_MAX },
	[PF_TYPE] = { "type", HG_V_ENUM, HG_V_REQUIRED, 0, 0, person_types },
};

/* POST /applications/{id}/response-person/ [{"id", "type"}, ...] */
static int
person_add(struct hg_req *r)
{
	struct hg_val	 v[PF__MAX];
	struct hg_rows	*rs;
	struct app	 a;
	json_object	*arr, *out;
	long long	*ids;
	const char	**types, *detail = NULL;
	size_t		 n, i;
	int		 rc, k;

	if ((rc = app_begin(r, &a)) != 0 || (rc = hg_body_array(r, &arr)) != 0)
		return rc;
	if ((n = json_object_array_length(arr)) == 0)
		return hg_invalid(r, "id", "at least one {\"id\", \"type\"} is "
		    "required");
	ids = hg_alloc(r->r_arena, sizeof(*ids) * n);
	types = hg_alloc(r->r_arena, sizeof(*types) * n);
	for (i = 0; i < n; i++) {
		if ((rc = item_body(r, json_object_array_get_idx(arr, i), i,
		    person_fields, PF__MAX, v)) != 0)
			return rc;
		ids[i] = v[PF_ID].i;
		types[i] = v[PF_TYPE].s;
	}
	if ((rc = persons_set(r, &a, ids, types, n, 0, NULL, &detail)) != 0 ||
	    (detail != NULL &&
	    (rc = app_audit(r, &a, "update", "updated", detail)) != 0))
		return rc;
	out = hg_own(r, json_object_new_array());
	for (i = 0; i < n; i++) {
		if ((rc = hg_db_query(r->r_db, r->r_arena, &rs, "SELECT "
		    PERSON_COLS " FROM app_response_persons p JOIN users u ON "
		    "u.id = p.user_id WHERE p.app_id = ? AND p.user_id = ?", "ii",
		    a.a_id, ids[i])) != 0)
			return hg_fail(r, rc, NULL);
		for (k = 0; k < rs->nrows; k++)
			json_object_array_add(out, person_json(r, rs, k));
	}
	return hg_reply(r, 200, json_object_get(out));
}

/* DELETE /applications/{id}/response-person/ [{"id"}, ...] */
static int
person_remove(struct hg_req *r)
{
	struct hg_rows	*rs;
	struct app	 a;
	long long	*ids;
	const char	*detail = NULL;
	size_t		 n, i;
	int		 rc;

	if ((rc = app_begin(r, &a)) != 0 || (rc = hg_id_list(r, &ids, &n)) != 0 ||
	    (rc = hg_users_exist(r, ids, n)) != 0)
		return rc;
	for (i = 0; i < n; i++) {
		if ((rc = hg_db_query(r->r_db, r->r_arena, &rs, "SELECT name "
		    "FROM users WHERE id = ?", "i", ids[i])) != 0 ||
		    (rc = hg_db_exec(r->r_db, "DELETE FROM app_response_persons "
		    "WHERE app_id = ? AND user_id = ?", "ii", a.a_id,
		    ids[i])) != 0)
			return hg_fail(r, rc, NULL);
		if (hg_db_affected(r->r_db) > 0)
			note(r, &detail, "response person \"%s\" (id %lld) removed",
			    HG_CELL(rs, 0, 0), ids[i]);
	}
	if (detail != NULL &&
	    (rc = app_audit(r, &a, "update", "updated", detail)) != 0)
		return rc;
	return hg_reply_ok(r);
}

/* ---- instances ---------------------------------------------------------- */

#define INSTANCE_COLS "i.id, i.host_id, h.name, i.status, i.version"

static json_object *
instance_json(struct hg_req *r, struct hg_rows *rs, int i)
{
	json_object *o = json_object_new_object();

	(void)r;
	json_object_object_add(o, "id", hg_jint(HG_CELL(rs, i, 0)));
	json_object_object_add(o, "hostid", hg_jint(HG_CELL(rs, i, 1)));
	json_object_object_add(o, "hostname", hg_jstr(HG_CELL(rs, i, 2)));
	json_object_object_add(o, "status", hg_jstr(HG_CELL(rs, i, 3)));
	json_object_object_add(o, "version", hg_jstr(HG_CELL(rs, i, 4)));
	return o;
}

/* GET /applications/{id}/instances/ */
static int
instance_list(struct hg_req *r)
{
	struct hg_page	pg;
	int		rc;

	if ((rc = hg_page(r, &pg)) != 0 || (rc = app_exists(r)) != 0)
		return rc;
	return hg_list_v0(r, &pg, instance_json, "SELECT " INSTANCE_COLS ", "
	    "COUNT(*) OVER () FROM app_instances i JOIN hosts h ON "
	    "h.id = i.host_id WHERE i.app_id = ? ORDER BY i.id DESC "
	    "LIMIT ? OFFSET ?", "i", r->r_ids[0]);
}

enum { IF_HOSTID, IF_HOSTNAME, IF__MAX };
static const struct hg_field instance_fields[IF__MAX] = {
	[IF_HOSTID] = { "hostid", HG_V_INT, 0, 1, ID_MAX,
	    .f_alias = { "host_id" } },
	[IF_HOSTNAME] = { "hostname", HG_V_STR, 0, 1, 128 },
};

/*
 * The host item i names, by hostid or hostname (both: they must agree).
 * A host the caller may not view (view_host, per host or module-wide) is
 * refused exactly like one that does not exist.
 */
static int
instance_host(struct hg_req *r, const struct hg_val *v, size_t i,
    struct hg_rows **rs)
{
	const char	*field = hg_printf(r->r_arena, "[%zu].%s", i,
			    v[IF_HOSTID].present ? "hostid" : "hostname");
	int		 rc;

	if (!v[IF_HOSTID].present && !v[IF_HOSTNAME].present)
		return hg_invalid(r, hg_printf(r->r_arena, "[%zu].hostid", i),
		    "hostid or hostname is required");
	rc = v[IF_HOSTID].present ?
	    hg_db_query(r->r_db, r->r_arena, rs, "SELECT id, name, status FROM "
	    "hosts WHERE id = ? FOR UPDATE", "i", v[IF_HOSTID].i) :
	    hg_db_query(r->r_db, r->r_arena, rs, "SELECT id, name, status FROM "
	    "hosts WHERE name = ? FOR UPDATE", "s", v[IF_HOSTNAME].s);
	if (rc != 0)
		return hg_fail(r, rc, NULL);
	if ((*rs)->nrows == 0 || !hg_holds_object(r, "host",
	    hg_atoll(HG_CELL(*rs, 0, 0)), "view_host"))
		return hg_invalid(r, field, "no such host");
	if (v[IF_HOSTID].present && v[IF_HOSTNAME].present &&
	    strcmp(v[IF_HOSTNAME].s, HG_CELL(*rs, 0, 1)) != 0)
		return hg_invalid(r, hg_printf(r->r_arena, "[%zu].hostname", i),
		    hg_printf(r->r_arena, "host %lld is named \"%s\"",
		    v[IF_HOSTID].i, HG_CELL(*rs, 0, 1)));
	return 0;
}

/*
 * POST /applications/{id}/instances/ [{"hostid"} | {"hostname"}, ...]:
 * one stopped instance per host; the host becomes attached.  Only inited
 * or attached hosts take instances (10015 otherwise).
 */
static int
instance_add(struct hg_req *r)
{
	struct hg_val	 v[IF__MAX];
	struct hg_rows	*h, *rs;
	struct app	 a;
	json_object	*arr, *out;
	size_t		 n, i;
	long long	 iid;
	int		 rc;

	if ((rc = app_begin(r, &a)) != 0 || (rc = hg_body_array(r, &arr)) != 0)
		return rc;
	if ((n = json_object_array_length(arr)) == 0)
		return hg_invalid(r, "hostid", "at least one {\"hostid\": N} is "
		    "required");
	out = hg_own(r, json_object_new_array());
	for (i = 0; i < n; i++) {
		if ((rc = item_body(r, json_object_array_get_idx(arr, i), i,
		    instance_fields, IF__MAX, v)) != 0 ||
		    (rc = instance_host(r, v, i, &h)) != 0)
			return rc;
		if (strcmp(HG_CELL(h, 0, 2), "inited") != 0 &&
		    strcmp(HG_CELL(h, 0, 2), "attached") != 0)
			return hg_fail(r, HG_E_STATE, "host \"%s\" is %s: only "
			    "inited or attached hosts take instances",
			    HG_CELL(h, 0, 1), HG_CELL(h, 0, 2));
		rc = hg_db_exec(r->r_db, "INSERT INTO app_instances (app_id, "
		    "host_id) VALUES (?, ?)", "is", a.a_id, HG_CELL(h, 0, 0));
		if (rc == HG_E_CONFLICT)
			return hg_fail(r, rc, "application \"%s\" already has an "
			    "instance on host \"%s\"", a.a_full, HG_CELL(h, 0, 1));
		if (rc != 0)
			return hg_fail(r, rc, NULL);
		iid = (long long)hg_db_insert_id(r->r_db);
		if ((rc = hg_db_exec(r->r_db, "UPDATE hosts SET status = "
		    "'attached' WHERE id = ?", "s", HG_CELL(h, 0, 0))) != 0)
			return hg_fail(r, rc, NULL);
		if ((rc = app_audit(r, &a, "attach_host", "attached host "
		    "to", hg_printf(r->r_arena, "instance %lld on host \"%s\" "
		    "(id %s), host status %s -> attached", iid, HG_CELL(h, 0, 1),
		    HG_CELL(h, 0, 0), HG_CELL(h, 0, 2)))) != 0 ||
		    (rc = hg_audit(r, "host", hg_atoll(HG_CELL(h, 0, 0)),
		    HG_CELL(h, 0, 1), "attach_app", hg_printf(r->r_arena,
		    "attached application \"%s\" (id %lld) to host \"%s\": "
		    "instance %lld; host status %s -> attached", a.a_full,
		    a.a_id, HG_CELL(h, 0, 1), iid, HG_CELL(h, 0, 2)))) != 0)
			return rc;
		if ((rc = hg_db_query(r->r_db, r->r_arena, &rs, "SELECT "
		    INSTANCE_COLS " FROM app_instances i JOIN hosts h ON "
		    "h.id = i.host_id WHERE i.id = ?", "i", iid)) != 0)
			return hg_fail(r, rc, NULL);
		json_object_array_add(out, instance_json(r, rs, 0));
	}
	return hg_reply(r, 201, json_object_get(out));
}

/*
 * DELETE /applications/{id}/instances/ [{"id": instance}, ...]: a host
 * whose last instance goes returns to inited.
 */
static int
instance_remove(struct hg_req *r)
{
	struct hg_rows	*rs;
	struct app	 a;
	long long	*ids;
	const char	*back;
	size_t		 n, i;
	int		 rc;

	if ((rc = app_begin(r, &a)) != 0 || (rc = hg_id_list(r, &ids, &n)) != 0)
		return rc;
	for (i = 0; i < n; i++) {
		if ((rc = hg_db_query(r->r_db, r->r_arena, &rs, "SELECT h.id, "
		    "h.name, h.status FROM app_instances i JOIN hosts h ON "
		    "h.id = i.host_id WHERE i.id = ? AND i.app_id = ? FOR UPDATE",
		    "ii", ids[i], a.a_id)) != 0)
			return hg_fail(r, rc, NULL);
		if (rs->nrows == 0)
			return hg_invalid(r, item_name(r, NULL, i), hg_printf(
			    r->r_arena, "application \"%s\" has no instance %lld",
			    a.a_full, ids[i]));
		if ((rc = hg_db_exec(r->r_db, "DELETE FROM app_instances WHERE "
		    "id = ?", "i", ids[i])) != 0 ||
		    (rc = hg_db_exec(r->r_db, "UPDATE hosts SET status = 'inited' "
		    "WHERE id = ? AND status = 'attached' AND NOT EXISTS (SELECT 1 "
		    "FROM app_instances WHERE host_id = ?)", "ss", HG_CELL(rs, 0, 0),
		    HG_CELL(rs, 0, 0))) != 0)
			return hg_fail(r, rc, NULL);
		back = hg_db_affected(r->r_db) > 0 ?
		    "; it was the host's last instance: host status attached -> "
		    "inited" : "";
		if ((rc = app_audit(r, &a, "deatach_host", "detached host from",
		    hg_printf(r->r_arena, "instance %lld on host \"%s\" (id %s) "
		    "removed%s", ids[i], HG_CELL(rs, 0, 1), HG_CELL(rs, 0, 0),
		    back))) != 0 ||
		    (rc = hg_audit(r, "host", hg_atoll(HG_CELL(rs, 0, 0)),
		    HG_CELL(rs, 0, 1), "deatach_app", hg_printf(r->r_arena,
		    "detached application \"%s\" (id %lld) from host \"%s\": "
		    "instance %lld removed%s", a.a_full, a.a_id, HG_CELL(rs, 0, 1),
		    ids[i], back))) != 0)
			return rc;
	}
	return hg_reply_ok(r);
}

#define LIST_PERM	PERM_MODULE("application", "enable_app_mgmt")

const struct hg_route hg_routes_applications[] = {
	ROUTE("GET", "/applications", app_list, LIST_PERM),
	ROUTE("POST", "/applications", app_create, PERM_MODULE("application", "create_app"), AUDIT("app")),
	ROUTE("POST", "/applications/get-by-users", app_by_users, LIST_PERM, AUDIT("app")),
	ROUTE("GET", "/applications/{id}", app_get, PERM_APP("view_app")),
	ROUTE("PATCH", "/applications/{id}", app_patch, PERM_APP("edit_app"), AUDIT("app")),
	ROUTE("DELETE", "/applications/{id}", app_delete, PERM_APP("delete_app"), AUDIT("app")),
	ROUTE("GET", "/applications/{id}/instances", instance_list, PERM_APP("view_app")),
	ROUTE("POST", "/applications/{id}/instances", instance_add, PERM_APP("edit_app"), AUDIT("app")),
	ROUTE("DELETE", "/applications/{id}/instances", instance_remove, PERM_APP("edit_app"), AUDIT("app")),
	ROUTE("GET", "/applications/{id}/response-person", person_list, PERM_APP("view_app")),
	ROUTE("POST", "/applications/{id}/response-person", person_add, PERM_APP("edit_app"), AUDIT("app")),
	ROUTE("DELETE", "/applications/{id}/response-person", person_remove, PERM_APP("edit_app"), AUDIT("app")),
	ROUTE("GET", "/applications/{id}/child-apps", child_list, PERM_APP("view_app")),
	ROUTE("POST", "/applications/{id}/child-apps", child_change, PERM_APP("edit_app"), AUDIT("app")),
	ROUTE("DELETE", "/applications/{id}/child-apps", child_change, PERM_APP("edit_app"), AUDIT("app")),
	ROUTE("GET", "/applications/{id}/required-apps", required_list, PERM_APP("view_app")),
	ROUTE("POST", "/applications/{id}/required-apps", required_change, PERM_APP("edit_app"), AUDIT("app")),
	ROUTE("DELETE", "/applications/{id}/required-apps", required_change, PERM_APP("edit_app"), AUDIT("app")),
	ROUTE("GET", "/applications/{id}/required-by-apps", required_by_list, PERM_APP("view_app")),
	ROUTES_END
};

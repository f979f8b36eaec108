/*
 * audit.c -- writing the audit trail, in one format for every family
 * (hangard.h).  Every audit row is written inside the request's
 * transaction, so a change and its record stand or fall together.  The
 * listings are audit/operations.c.
 */
#include <string.h>

#include "hangard.h"
#include "log.h"

/*
 * May the route write audit rows?  Only a route that declares AUDIT(kind)
 * does, so that `hangard -R` tells every audited mutation: a row written
 * by any other is a bug, refused (500, logged) in the first test.
 */
int
hg_audit_declared(struct hg_req *r)
{
	if (r->r_route->rt_audit != NULL)
		return 0;
	log_err("route %s %s writes an audit row but declares no AUDIT",
	    r->r_route->rt_method, r->r_route->rt_pattern);
	return hg_fail(r, HG_E_INTERNAL, NULL);
}

int
hg_audit(struct hg_req *r, const char *kind, long long target_id,
    const char *target_name, const char *op_type, const char *detail)
{
	int rc;

	if ((rc = hg_audit_declared(r)) != 0)
		return rc;
	return hg_sql_exec(r, "INSERT INTO audit_log (kind, op_type, "
	    "target_id, target_name, op_detail, operator, op_time) VALUES "
	    "(?s, ?s, ?i, ?s, ?s, ?s, UTC_TIMESTAMP())",
	    kind ? kind : r->r_route->rt_audit, op_type, target_id,
	    target_name ? target_name : "", detail,
	    r->r_user ? r->r_user->u_username : "");
}

static const char *
quoted(struct hg_req *r, const char *s)
{
	return s == NULL ? "null" : hg_printf(r->r_arena, "\"%s\"", s);
}

/* Append `field: "old" -> "new"` to *d when the two differ. */
void
hg_audit_change(struct hg_req *r, const char **d, const char *field,
    const char *old, const char *new)
{
	if (old == new || (old != NULL && new != NULL && strcmp(old, new) == 0))
		return;
	*d = hg_printf(r->r_arena, "%s%s%s: %s -> %s", *d, **d != '\0' ?
	    "; " : "", field, quoted(r, old), quoted(r, new));
}

/* The same for a string field of the body, when it was given. */
void
hg_audit_changed(struct hg_req *r, const char **d, const char *field,
    const char *old, const struct hg_val *v)
{
	if (v->present)
		hg_audit_change(r, d, field, old, v->null ? NULL : v->s);
}

/* A body value as the text its column holds. */
static const char *
val_text(struct hg_req *r, const struct hg_field *f, const struct hg_val *v)
{
	if (v->null)
		return NULL;
	switch (f->f_type) {
	case HG_V_INT:
	case HG_V_BOOL:
		return hg_printf(r->r_arena, "%lld", v->i);
	case HG_V_STR:
	case HG_V_ENUM:
		return v->s;
	default:
		return json_object_to_json_string_ext(v->j,
		    JSON_C_TO_STRING_PLAIN);
	}
}

/*
 * Append a change for every body field the route declares and the body
 * gives, against the old row: the column of cols with the field's name.
 * old NULL is a new row, whose fields change from nothing (null).  Secret
 * fields (HG_V_SECRET) say "field replaced", never a value.
 */
void
hg_audit_fields(struct hg_req *r, const char **d, const struct hg_col *cols,
    size_t ncols, struct hg_rows *old, int row)
{
	const struct hg_fields	*fs = &r->r_route->rt_fields;
	const struct hg_field	*f;
	size_t			 i, c;

	for (i = 0; i < fs->fs_n; i++) {
		f = &fs->fs_f[i];
		if (f->f_name == NULL || !r->r_in[i].present)
			continue;
		if (f->f_flags & HG_V_SECRET) {
			*d = hg_printf(r->r_arena, "%s%s%s replaced", *d,
			    **d != '\0' ? "; " : "", f->f_name);
			continue;
		}
		for (c = 0; c < ncols; c++)
			if (cols[c].c_name != NULL &&
			    strcmp(cols[c].c_name, f->f_name) == 0)
				break;
		if (c < ncols && (old == NULL || c < (size_t)old->ncols))
			hg_audit_change(r, d, f->f_name, old == NULL ? NULL :
			    HG_CELL(old, row, c), val_text(r, f, &r->r_in[i]));
	}
}

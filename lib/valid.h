/*
 * valid.h -- input validation by declaration (after kcgi's kvalid tables).
 *
 * A handler declares its fields once, indexed by an enum of its own:
 *
 *	enum { F_NAME, F_EMAIL, F__MAX };
 *	static const struct hg_field fields[F__MAX] = {
 *		[F_NAME]  = { "name",  HG_V_STR, HG_V_REQUIRED, 1, 64 },
 *		[F_EMAIL] = { "email", HG_V_STR, 0, 0, 254, .f_check = hg_check_email },
 *	};
 *
 * and receives typed, bounded values in struct hg_val[F__MAX].  Body and
 * query string go through the same table; a field that fails adds
 * "name": "why" to the errors object and the request is refused with 10002.
 * Only declared fields are ever read: unknown keys are ignored.
 */
#ifndef HG_VALID_H
#define HG_VALID_H

#include <stddef.h>

#include <json-c/json.h>

#include "arena.h"

enum hg_vtype {
	HG_V_STR,	/* string; f_min..f_max characters (UTF-8 code points) */
	HG_V_INT,	/* integer; f_min..f_max value */
	HG_V_BOOL,	/* JSON boolean; query: true/false/1/0 */
	HG_V_ENUM,	/* string from f_enum (exact; HG_V_NOCASE: any case) */
	HG_V_ARRAY,	/* JSON array of f_min..f_max items (query: repeated or comma list) */
	HG_V_OBJECT,	/* JSON object */
	HG_V_TIME,	/* query only: RFC 3339, YYYY-MM-DD or Unix seconds */
	HG_V_IDS,	/* the seed's id list [{"id": N}, ...]: f_min..f_max items */
};

#define HG_V_REQUIRED	0x01
#define HG_V_NULLABLE	0x02	/* JSON null allowed (stored as NULL) */
#define HG_V_UPPER	0x04	/* HG_V_TIME: a bare date means its last second */
#define HG_V_NOCASE	0x08	/* HG_V_ENUM: match case-insensitively */
#define HG_V_SECRET	0x10	/* audited as "name replaced", never its value */
#define HG_V_BAREID	0x20	/* HG_V_IDS: an item may be N as well as {"id": N} */
#define HG_V_ORSUB	0x40	/* HG_V_INT: an object of f_sub is taken too */

#define HG_V_NUMTEXT	0x80	/* HG_V_STR: a JSON number is taken as its text */

struct hg_field {
	const char		*f_name;
	enum hg_vtype		 f_type;
	unsigned		 f_flags;
	long long		 f_min, f_max;
	const char *const	*f_enum;	/* NULL-terminated */
	const char		*f_alias[3];	/* other accepted spellings */
	/* Extra check of a string's syntax; returns NULL or why it is wrong. */
	const char		*(*f_check)(const char *);
	/*
	 * OBJECT: the object's own fields; ARRAY: each item is an object
	 * with these fields.  Errors are named "field.sub", "field[i].sub".
	 */
	const struct hg_field	*f_sub;
	size_t			 f_nsub;
	/* The table column the field writes (hg_sql_patch), or NULL. */
	const char		*f_col;
	/*
	 * A module error code (the seed's 3000x) for a value of this field
	 * that fails, when it is the only field that does: the request is
	 * refused with it (HTTP 400) instead of 10002.  0: 10002.
	 */
	int			 f_code;
};

/* The number of entries of a static table. */
#define HG_NELEM(t)	(sizeof(t) / sizeof((t)[0]))
/* f_sub and f_nsub from a static table. */
#define HG_SUB(t)	.f_sub = (t), .f_nsub = HG_NELEM(t)

struct hg_val {
	int		 present;	/* given (possibly as null) */
	int		 null;		/* given as JSON null */
	const char	*s;		/* STR, ENUM (canonical spelling) */
	long long	 i;		/* INT, BOOL, TIME (Unix seconds) */
	json_object	*j;		/* ARRAY, OBJECT (query ARRAY: strings);
					   HG_V_ORSUB: the object, if one */
	struct hg_val	*sub;		/* OBJECT (or ORSUB object) with f_sub:
					   f_nsub values */
	struct hg_val	**items;	/* ARRAY with f_sub: one row per item */
	long long	*ids;		/* IDS: the ids, in order, duplicates kept */
	size_t		 nitems;	/* ARRAY with f_sub, IDS */
};

struct hg_qparam {
	const char	*q_key;
	const char	*q_val;
};

/* Validate a JSON object body.  0, or HG_E_INVALID with *errors set. */
int	hg_valid_body(struct hg_arena *, json_object *body,
	    const struct hg_field *, size_t n, struct hg_val *out,
	    json_object **errors);
/*
 * The same, naming errors "prefix.field" (prefix NULL: "field"), adding to
 * *errors; with HG_VB_OPTIONAL no field is required (a PATCH of fields
 * declared for a create).  *errors (NULL to begin with) is the caller's
 * to put, or to hand to hg_json_own.
 */
#define HG_VB_OPTIONAL	0x01
int	hg_valid_object(struct hg_arena *, json_object *body,
	    const struct hg_field *, size_t n, struct hg_val *out,
	    const char *prefix, unsigned opts, json_object **errors);
/*
 * Check an id list (HG_V_IDS) named name: each item {"id": N} with N a
 * positive integer (other keys are the caller's), or N alone with
 * HG_V_BAREID; errors go to *errors as "name[i].id" ("name[i]" for a bare
 * form).  v->ids and v->nitems get the ids.
 */
int	hg_valid_ids(struct hg_arena *, const struct hg_field *, json_object *,
	    const char *name, struct hg_val *v, json_object **errors);
/* Validate query parameters (already URL-decoded). */
int	hg_valid_query(struct hg_arena *, const struct hg_qparam *, size_t nq,
	    const struct hg_field *, size_t n, struct hg_val *out,
	    json_object **errors);

/* Split and decode a query string into at most max pairs; returns how many. */
size_t	hg_query_parse(struct hg_arena *, const char *query,
	    struct hg_qparam *out, size_t max);
/* A body as strict JSON, or NULL (the caller owns the result). */
json_object	*hg_json_parse(const char *buf, size_t len);
/*
 * A remote server's reply buf[0..len) (a cloud vendor, Zabbix): JSON as
 * json-c reads it by default (nesting at most 32 deep), then nothing but
 * whitespace -- a NUL byte or anything else after the value makes it not
 * JSON.  NULL when it is not; the caller owns the result.
 */
json_object	*hg_json_reply(const char *buf, size_t len);

/* Put j when the arena is reset; returns j. */
json_object	*hg_json_own(struct hg_arena *, json_object *);
/* Is s valid UTF-8 without NUL or other C0 controls except \t\n\r? */
int		 hg_utf8_ok(const char *s, size_t len);
size_t		 hg_utf8_len(const char *s);
/*
 * Common syntax checks for f_check.  hg_check_email: "" (no address) or
 * one plain address, safe in a mail header: no blank, control character,
 * <, > or comma.
 */
const char	*hg_check_email(const char *);
const char	*hg_check_username(const char *);
const char	*hg_check_noctl(const char *);	/* no control characters */

#endif

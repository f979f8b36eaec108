/*
 * valid.c -- declared-field validation of bodies and query strings.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "err.h"
#include "timefmt.h"
#include "utf8.h"
#include "valid.h"

/* Well-formed UTF-8 (utf8.c) without NUL or C0 controls but \t \n \r, or DEL. */
int
hg_utf8_ok(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == 0 || (c < 0x20 && c != '\t' && c != '\n' &&
		    c != '\r') || c == 0x7f)
			return 0;
	}
	return hg_utf8_wellformed(s, len);
}

size_t
hg_utf8_len(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

const char *
hg_check_email(const char *s)
{
	const char *at = strchr(s, '@');

	if (*s == '\0')
		return NULL;	/* empty clears the address */
	if (at == NULL || at == s || strchr(at + 1, '@') != NULL ||
	    strchr(at + 1, '.') == NULL || at[1] == '.' ||
	    s[strlen(s) - 1] == '.')
		return "must be an email address";
	/*
	 * One plain address: nothing that would end it or add another in a
	 * mail header (<, >, a list's comma; CR and LF are control bytes).
	 */
	for (; *s; s++)
		if (isspace((unsigned char)*s) || (unsigned char)*s < 0x20 ||
		    *s == 0x7f || strchr("<>,", *s) != NULL)
			return "must be an email address";
	return NULL;
}

const char *
hg_check_username(const char *s)
{
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && *s != '.' && *s != '_' &&
		    *s != '-')
			return "may contain only A-Z a-z 0-9 . _ -";
	return NULL;
}

const char *
hg_check_noctl(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return "must not contain control characters";
	return NULL;
}

static void
put_json(void *j)
{
	json_object_put(j);
}

json_object *
hg_json_own(struct hg_arena *a, json_object *j)
{
	if (j != NULL)
		hg_cleanup_add(a, put_json, j);
	return j;
}

static void
add_error(json_object **errors, const char *field, const char *why)
{
	if (*errors == NULL)
		*errors = json_object_new_object();
	if (json_object_object_get_ex(*errors, field, NULL))
		return;
	json_object_object_add(*errors, field, json_object_new_string(why));
}

static const char *
enum_match(const struct hg_field *f, const char *s)
{
	const char *const *e;

	for (e = f->f_enum; e != NULL && *e != NULL; e++)
		if ((f->f_flags & HG_V_NOCASE) ? strcasecmp(*e, s) == 0 :
		    strcmp(*e, s) == 0)
			return *e;
	return NULL;
}

static const char *
enum_why(struct hg_arena *a, const struct hg_field *f)
{
	const char *const	*e;
	char			*why = "must be one of:";

	for (e = f->f_enum; e != NULL && *e != NULL; e++)
		why = hg_printf(a, "%s%s %s", why, e == f->f_enum ? "" : ",", *e);
	return why;
}

/* Check a string value against a STR or ENUM field; NULL if fine. */
static const char *
check_string(struct hg_arena *a, const struct hg_field *f, const char *s,
    size_t len, struct hg_val *v)
{
	size_t		 n;
	const char	*why;

	if (!hg_utf8_ok(s, len) || strlen(s) != len) {
		/* Text fields may hold newlines; never NUL or other controls. */
		return "must be valid UTF-8 text";
	}
	if (f->f_type == HG_V_ENUM) {
		if ((v->s = enum_match(f, s)) == NULL)
			return enum_why(a, f);
		return NULL;
	}
	n = hg_utf8_len(s);
	if ((long long)n < f->f_min)
		return f->f_min == 1 ? "must not be empty" :
		    hg_printf(a, "must be at least %lld characters", f->f_min);
	if (f->f_max > 0 && (long long)n > f->f_max)
		return hg_printf(a, "must be at most %lld characters", f->f_max);
	if (f->f_check != NULL && (why = f->f_check(s)) != NULL)
		return why;
	v->s = s;
	return NULL;
}

static const char *
check_int(struct hg_arena *a, const struct hg_field *f, long long i)
{
	if (f->f_min != 0 || f->f_max != 0) {
		if (i < f->f_min || i > f->f_max)
			return hg_printf(a, "must be between %lld and %lld",
			    f->f_min, f->f_max);
	}
	return NULL;
}

static const char *
check_json(struct hg_arena *a, const struct hg_field *f, json_object *j,
    struct hg_val *v)
{
	enum json_type	t = json_object_get_type(j);
	size_t		n;

	v->present = 1;
	if (t == json_type_null) {
		if (!(f->f_flags & HG_V_NULLABLE))
			return "must not be null";
		v->null = 1;
		return NULL;
	}
	switch (f->f_type) {
	case HG_V_STR:
	case HG_V_ENUM:
		/* API.md section 6: a version given as a number is its text. */
		if ((f->f_flags & HG_V_NUMTEXT) && (t == json_type_int ||
		    t == json_type_double)) {
			const char *num = hg_strdup(a, json_object_to_json_string_ext(
			    j, JSON_C_TO_STRING_PLAIN));

			return check_string(a, f, num, strlen(num), v);
		}
		if (t != json_type_string)
			return "must be a string";
		return check_string(a, f, json_object_get_string(j),
		    (size_t)json_object_get_string_len(j), v);
	case HG_V_INT:
		if (t == json_type_object && (f->f_flags & HG_V_ORSUB)) {
			v->j = j;
			return NULL;
		}
		if (t != json_type_int)
			return (f->f_flags & HG_V_ORSUB) ?
			    "must be an integer or an object" :
			    "must be an integer";
		/*
		 * json-c clamps integers beyond int64 to INT64_MAX/MIN without
		 * telling.  Above, the unsigned reading tells a clamped value
		 * from INT64_MAX itself; below there is no such witness, so
		 * INT64_MIN counts as out of range (hangar-api(7) says so).
		 */
		v->i = json_object_get_int64(j);
		if ((v->i == INT64_MAX &&
		    json_object_get_uint64(j) != (uint64_t)INT64_MAX) ||
		    v->i == INT64_MIN)
			return "integer out of range";
		return check_int(a, f, v->i);
	case HG_V_BOOL:
		if (t != json_type_boolean)
			return "must be true or false";
		v->i = json_object_get_boolean(j);
		return NULL;
	case HG_V_ARRAY:
	case HG_V_IDS:
		if (t != json_type_array)
			return "must be an array";
		n = json_object_array_length(j);
		if ((long long)n < f->f_min)
			return f->f_min == 1 ? "must not be empty" :
			    hg_printf(a, "must have at least %lld items", f->f_min);
		if (f->f_max > 0 && (long long)n > f->f_max)
			return hg_printf(a, "must have at most %lld items", f->f_max);
		v->j = j;
		return NULL;
	case HG_V_OBJECT:
		if (t != json_type_object)
			return "must be an object";
		v->j = j;
		return NULL;
	case HG_V_TIME:
		if (t == json_type_int) {
			v->i = json_object_get_int64(j);
			return NULL;
		}
		if (t != json_type_string ||
		    hg_parse_time(json_object_get_string(j),
		    f->f_flags & HG_V_UPPER, &v->i) != 0)
			return "must be a time (RFC 3339, YYYY-MM-DD or Unix seconds)";
		return NULL;
	}
	return "unsupported field type";
}

static const char *
name_in(struct hg_arena *a, const char *prefix, const char *name)
{
	return prefix == NULL ? name : hg_printf(a, "%s.%s", prefix, name);
}

/*
 * The parts of an OBJECT or ARRAY field that have fields of their own
 * (f_sub): validated like the body, errors named below the field's name.
 */
static void
check_sub(struct hg_arena *a, const struct hg_field *f, struct hg_val *v,
    const char *name, json_object **errors)
{
	json_object	*item;
	const char	*iname;
	size_t		 i;

	if (f->f_sub == NULL || v->null || v->j == NULL)
		return;
	if (f->f_type == HG_V_OBJECT || f->f_type == HG_V_INT) {
		v->sub = hg_alloc(a, sizeof(*v->sub) * f->f_nsub);
		(void)hg_valid_object(a, v->j, f->f_sub, f->f_nsub, v->sub, name,
		    0, errors);
		return;
	}
	v->nitems = json_object_array_length(v->j);
	v->items = hg_alloc(a, sizeof(*v->items) * (v->nitems + 1));
	for (i = 0; i < v->nitems; i++) {
		item = json_object_array_get_idx(v->j, i);
		iname = hg_printf(a, "%s[%zu]", name, i);
		v->items[i] = hg_alloc(a, sizeof(**v->items) * f->f_nsub);
		if (!json_object_is_type(item, json_type_object)) {
			memset(v->items[i], 0, sizeof(**v->items) * f->f_nsub);
			add_error(errors, iname, "must be an object");
			continue;
		}
		(void)hg_valid_object(a, item, f->f_sub, f->f_nsub, v->items[i],
		    iname, 0, errors);
	}
}

int
hg_valid_ids(struct hg_arena *a, const struct hg_field *f, json_object *arr,
    const char *name, struct hg_val *v, json_object **errors)
{
	json_object	*item, *id;
	size_t		 i;
	int		 bare = f->f_flags & HG_V_BAREID, bad = 0;

	v->nitems = json_object_array_length(arr);
	v->ids = hg_alloc(a, sizeof(*v->ids) * (v->nitems + 1));
	for (i = 0; i < v->nitems; i++) {
		item = id = json_object_array_get_idx(arr, i);
		if (json_object_is_type(item, json_type_object)) {
			if (!json_object_object_get_ex(item, "id", &id))
				id = NULL;
		} else if (!bare)
			id = NULL;
		if (id == NULL || !json_object_is_type(id, json_type_int) ||
		    json_object_get_int64(id) <= 0) {
			add_error(errors, hg_printf(a, bare ? "%s[%zu]" :
			    "%s[%zu].id", name, i), bare ? "must be a positive "
			    "integer id or {\"id\": N}" :
			    "must be a positive integer id");
			bad = 1;
			continue;
		}
		v->ids[i] = json_object_get_int64(id);
	}
	return bad ? HG_E_INVALID : 0;
}

int
hg_valid_object(struct hg_arena *a, json_object *body,
    const struct hg_field *fields, size_t n, struct hg_val *out,
    const char *prefix, unsigned opts, json_object **errors)
{
	const struct hg_field	*f;
	json_object		*j, *before = *errors;
	const char		*why, *name;
	size_t			 i, k, nerr;
	int			 found;

	nerr = before ? (size_t)json_object_object_length(before) : 0;
	memset(out, 0, sizeof(*out) * n);
	for (i = 0; i < n; i++) {
		f = &fields[i];
		if (f->f_name == NULL)
			continue;
		found = json_object_object_get_ex(body, f->f_name, &j);
		for (k = 0; !found && k < 3 && f->f_alias[k] != NULL; k++)
			found = json_object_object_get_ex(body, f->f_alias[k], &j);
		name = name_in(a, prefix, f->f_name);
		if (!found) {
			if ((f->f_flags & HG_V_REQUIRED) &&
			    !(opts & HG_VB_OPTIONAL))
				add_error(errors, name, "is required");
			continue;
		}
		if ((why = check_json(a, f, j, &out[i])) != NULL)
			add_error(errors, name, why);
		else if (f->f_type == HG_V_IDS && !out[i].null)
			(void)hg_valid_ids(a, f, j, name, &out[i], errors);
		else
			check_sub(a, f, &out[i], name, errors);
	}
	if (*errors != NULL &&
	    (size_t)json_object_object_length(*errors) > nerr)
		return HG_E_INVALID;
	return 0;
}

int
hg_valid_body(struct hg_arena *a, json_object *body,
    const struct hg_field *fields, size_t n, struct hg_val *out,
    json_object **errors)
{
	int rc;

	*errors = NULL;
	rc = hg_valid_object(a, body, fields, n, out, NULL, 0, errors);
	hg_json_own(a, *errors);
	return rc;
}

static const char *
check_query(struct hg_arena *a, const struct hg_field *f, const char *s,
    struct hg_val *v)
{
	char	*end;

	v->present = 1;
	switch (f->f_type) {
	case HG_V_STR:
	case HG_V_ENUM:
		return check_string(a, f, s, strlen(s), v);
	case HG_V_INT:
		errno = 0;
		v->i = strtoll(s, &end, 10);
		if (*s == '\0' || *end != '\0' || errno != 0)
			return "must be an integer";
		return check_int(a, f, v->i);
	case HG_V_BOOL:
		if (strcasecmp(s, "true") == 0 || strcmp(s, "1") == 0)
			v->i = 1;
		else if (strcasecmp(s, "false") == 0 || strcmp(s, "0") == 0)
			v->i = 0;
		else
			return "must be true or false";
		return NULL;
	case HG_V_TIME:
		if (hg_parse_time(s, f->f_flags & HG_V_UPPER, &v->i) != 0)
			return "must be a time (RFC 3339, YYYY-MM-DD or Unix seconds)";
		return NULL;
	case HG_V_ARRAY:
	case HG_V_OBJECT:
	case HG_V_IDS:
		break;
	}
	return "unsupported query type";
}

/* Split "a,b" and add each non-empty item to the array. */
static const char *
add_list(struct hg_arena *a, const struct hg_field *f, const char *s,
    struct hg_val *v)
{
	const char	*p = s, *comma;
	char		*item;

	if (!hg_utf8_ok(s, strlen(s)))
		return "must be valid UTF-8 text";
	if (v->j == NULL) {
		v->j = json_object_new_array();
		hg_json_own(a, v->j);
	}
	v->present = 1;
	for (;;) {
		comma = strchr(p, ',');
		item = comma ? hg_strndup(a, p, (size_t)(comma - p)) :
		    hg_strdup(a, p);
		if (*item != '\0')
			json_object_array_add(v->j, json_object_new_string(item));
		if (f->f_max > 0 &&
		    (long long)json_object_array_length(v->j) > f->f_max)
			return hg_printf(a, "must have at most %lld items", f->f_max);
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	return NULL;
}

/* After every occurrence was added: the list's minimum, as for bodies. */
static const char *
list_min(struct hg_arena *a, const struct hg_field *f, const struct hg_val *v)
{
	long long n = v->j ? (long long)json_object_array_length(v->j) : 0;

	if (n >= f->f_min)
		return NULL;
	return f->f_min == 1 ? "must not be empty" :
	    hg_printf(a, "must have at least %lld items", f->f_min);
}

int
hg_valid_query(struct hg_arena *a, const struct hg_qparam *q, size_t nq,
    const struct hg_field *fields, size_t n, struct hg_val *out,
    json_object **errors)
{
	const struct hg_field	*f;
	const char		*why;
	size_t			 i, k, m;

	memset(out, 0, sizeof(*out) * n);
	*errors = NULL;
	for (i = 0; i < n; i++) {
		f = &fields[i];
		if (f->f_name == NULL)
			continue;
		for (m = 0; m < nq; m++) {
			int match = strcmp(q[m].q_key, f->f_name) == 0;

			for (k = 0; !match && k < 3 && f->f_alias[k] != NULL; k++)
				match = strcmp(q[m].q_key, f->f_alias[k]) == 0;
			if (!match)
				continue;
			if (f->f_type == HG_V_ARRAY)
				why = add_list(a, f, q[m].q_val, &out[i]);
			else
				why = check_query(a, f, q[m].q_val, &out[i]);
			if (why != NULL)
				add_error(errors, f->f_name, why);
		}
		if (!out[i].present && (f->f_flags & HG_V_REQUIRED))
			add_error(errors, f->f_name, "is required");
		else if (out[i].present && f->f_type == HG_V_ARRAY &&
		    (why = list_min(a, f, &out[i])) != NULL)
			add_error(errors, f->f_name, why);
	}
	if (*errors != NULL) {
		hg_json_own(a, *errors);
		return HG_E_INVALID;
	}
	return 0;
}

/* ---- the query string and the body, before validation ---------------- */

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	c = tolower(c);
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static char *
url_decode(struct hg_arena *a, const char *s, size_t len)
{
	char	*out = hg_alloc(a, len + 1), *p = out;
	size_t	 i;

	for (i = 0; i < len; i++) {
		if (s[i] == '+')
			*p++ = ' ';
		else if (s[i] == '%' && i + 2 < len &&
		    hexval(s[i + 1]) >= 0 && hexval(s[i + 2]) >= 0) {
			*p++ = (char)(hexval(s[i + 1]) * 16 + hexval(s[i + 2]));
			i += 2;
		} else
			*p++ = s[i];
	}
	*p = '\0';
	return out;
}

/*
 * Split a query string into at most max decoded key/value pairs ("+" is a
 * space, %XX a byte; a malformed escape is kept as it is; a key without
 * "=" has the value "").  Returns how many; the rest are ignored.
 */
size_t
hg_query_parse(struct hg_arena *a, const char *q, struct hg_qparam *out,
    size_t max)
{
	const char	*amp, *eq;
	size_t		 n = 0;

	while (q != NULL && *q != '\0' && n < max) {
		amp = strchrnul(q, '&');
		eq = memchr(q, '=', (size_t)(amp - q));
		if (amp > q) {
			struct hg_qparam *p = &out[n++];

			if (eq == NULL)
				eq = amp;
			p->q_key = url_decode(a, q, (size_t)(eq - q));
			p->q_val = eq < amp ? url_decode(a, eq + 1,
			    (size_t)(amp - eq - 1)) : "";
		}
		q = *amp ? amp + 1 : amp;
	}
	return n;
}

/*
 * A request body as strict JSON (RFC 8259, UTF-8 checked, nesting at most
 * 32 deep, nothing after the value); NULL when it is not.  The caller
 * owns the result.
 */
json_object *
hg_json_parse(const char *buf, size_t len)
{
	struct json_tokener	*tok;
	json_object		*j;

	if (len > INT32_MAX || (tok = json_tokener_new_ex(32)) == NULL)
		return NULL;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_VALIDATE_UTF8);
	j = json_tokener_parse_ex(tok, buf, (int)len);
	if (j != NULL && (json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len)) {
		json_object_put(j);
		j = NULL;
	}
	json_tokener_free(tok);
	return j;
}

json_object *
hg_json_reply(const char *buf, size_t len)
{
	struct json_tokener	*tok;
	json_object		*j;
	size_t			 end;

	if (len > INT32_MAX || (tok = json_tokener_new_ex(32)) == NULL)
		return NULL;
	j = json_tokener_parse_ex(tok, buf, (int)len);
	if (j != NULL && json_tokener_get_error(tok) != json_tokener_success) {
		json_object_put(j);
		j = NULL;
	}
	for (end = j != NULL ? json_tokener_get_parse_end(tok) : len;
	    end < len; end++)
		if (strchr(" \t\r\n", buf[end]) == NULL || buf[end] == '\0') {
			json_object_put(j);
			j = NULL;
			break;
		}
	json_tokener_free(tok);
	return j;
}

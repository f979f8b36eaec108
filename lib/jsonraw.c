/*
 * jsonraw.c -- JSON text printed as json-c prints its parse (jsonraw.h).
 *
 * One recursive walk does both jobs: with no printbuf it checks that the
 * text is on the fast path (strict JSON whose printing is certain), with
 * one it prints it.  The check runs once when the value is made; the
 * printing runs at serialization, with the flags of that call.
 */
#include <stdint.h>
#include <string.h>

#include "jsonraw.h"

#define MAXDEPTH	16	/* json-c parses 32; deeper is parsed */
#define MAXKEYS		64	/* keys per object checked for repeats */
#define MAXDIGITS	18	/* an integer that fits int64 for sure */

struct walk {
	const char	*p;
	struct printbuf	*pb;	/* NULL: only check */
	int		 flags;
};

static void
skip_ws(struct walk *w)
{
	while (*w->p == ' ' || *w->p == '\t' || *w->p == '\n' || *w->p == '\r')
		w->p++;
}

static int
hex4(const char *p, unsigned *v)
{
	int i;

	*v = 0;
	for (i = 0; i < 4; i++) {
		char c = p[i];

		*v <<= 4;
		if (c >= '0' && c <= '9')
			*v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			*v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			*v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	return 0;
}

/* Print code point cp of a string as json-c's json_escape_str would. */
static void
put_cp(struct walk *w, unsigned cp)
{
	static const char hex[] = "0123456789abcdef";
	char	b[6];
	int	n = 0;

	switch (cp) {
	case '"':	printbuf_memappend(w->pb, "\\\"", 2); return;
	case '\\':	printbuf_memappend(w->pb, "\\\\", 2); return;
	case '\b':	printbuf_memappend(w->pb, "\\b", 2); return;
	case '\f':	printbuf_memappend(w->pb, "\\f", 2); return;
	case '\n':	printbuf_memappend(w->pb, "\\n", 2); return;
	case '\r':	printbuf_memappend(w->pb, "\\r", 2); return;
	case '\t':	printbuf_memappend(w->pb, "\\t", 2); return;
	case '/':
		if (w->flags & JSON_C_TO_STRING_NOSLASHESCAPE)
			printbuf_memappend(w->pb, "/", 1);
		else
			printbuf_memappend(w->pb, "\\/", 2);
		return;
	}
	if (cp < 0x20) {
		memcpy(b, "\\u00", 4);
		b[4] = hex[cp >> 4];
		b[5] = hex[cp & 0xf];
		printbuf_memappend(w->pb, b, 6);
		return;
	}
	if (cp < 0x80)
		b[n++] = (char)cp;
	else if (cp < 0x800) {
		b[n++] = (char)(0xc0 | cp >> 6);
		b[n++] = (char)(0x80 | (cp & 0x3f));
	} else if (cp < 0x10000) {
		b[n++] = (char)(0xe0 | cp >> 12);
		b[n++] = (char)(0x80 | (cp >> 6 & 0x3f));
		b[n++] = (char)(0x80 | (cp & 0x3f));
	} else {
		b[n++] = (char)(0xf0 | cp >> 18);
		b[n++] = (char)(0x80 | (cp >> 12 & 0x3f));
		b[n++] = (char)(0x80 | (cp >> 6 & 0x3f));
		b[n++] = (char)(0x80 | (cp & 0x3f));
	}
	printbuf_memappend(w->pb, b, n);
}

/*
 * A string at w->p (its opening quote).  *escaped (may be NULL) is set
 * when it holds a backslash escape.
 */
static int
string(struct walk *w, int *escaped)
{
	const char	*run;
	unsigned	 cp, lo;

	w->p++;
	if (w->pb != NULL)
		printbuf_memappend(w->pb, "\"", 1);
	for (;;) {
		/* a run of bytes printed as they are */
		run = w->p;
		while ((unsigned char)*w->p >= 0x20 && *w->p != '"' &&
		    *w->p != '\\' && *w->p != '/')
			w->p++;
		if (w->pb != NULL && w->p > run)
			printbuf_memappend(w->pb, run, (int)(w->p - run));
		switch (*w->p) {
		case '"':
			w->p++;
			if (w->pb != NULL)
				printbuf_memappend(w->pb, "\"", 1);
			return 0;
		case '/':
			w->p++;
			if (w->pb != NULL)
				put_cp(w, '/');
			continue;
		case '\\':
			break;
		default:	/* end of text, or a raw control character */
			return -1;
		}
		if (escaped != NULL)
			*escaped = 1;
		w->p++;
		switch (*w->p++) {
		case '"':	cp = '"'; break;
		case '\\':	cp = '\\'; break;
		case '/':	cp = '/'; break;
		case 'b':	cp = '\b'; break;
		case 'f':	cp = '\f'; break;
		case 'n':	cp = '\n'; break;
		case 'r':	cp = '\r'; break;
		case 't':	cp = '\t'; break;
		case 'u':
			if (hex4(w->p, &cp) != 0 || cp == 0)
				return -1;
			w->p += 4;
			if (cp >= 0xdc00 && cp <= 0xdfff)
				return -1;	/* a lone low surrogate */
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (w->p[0] != '\\' || w->p[1] != 'u' ||
				    hex4(w->p + 2, &lo) != 0 ||
				    lo < 0xdc00 || lo > 0xdfff)
					return -1;
				w->p += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
			}
			break;
		default:
			return -1;
		}
		if (w->pb != NULL)
			put_cp(w, cp);
	}
}

/* An integer: -?(0|[1-9][0-9]*), short enough, not -0, not a float. */
static int
number(struct walk *w)
{
	const char	*start = w->p, *digits;

	if (*w->p == '-')
		w->p++;
	digits = w->p;
	if (*w->p == '0')
		w->p++;
	else
		while (*w->p >= '0' && *w->p <= '9')
			w->p++;
	if (w->p == digits || w->p - digits > MAXDIGITS)
		return -1;
	if (*w->p == '.' || *w->p == 'e' || *w->p == 'E' ||
	    (*w->p >= '0' && *w->p <= '9'))
		return -1;
	if (*start == '-' && *digits == '0')
		return -1;
	if (w->pb != NULL)
		printbuf_memappend(w->pb, start, (int)(w->p - start));
	return 0;
}

static int
literal(struct walk *w, const char *word)
{
	size_t n = strlen(word);

	if (strncmp(w->p, word, n) != 0)
		return -1;
	w->p += n;
	if (w->pb != NULL)
		printbuf_memappend(w->pb, word, (int)n);
	return 0;
}

static int value(struct walk *, int depth);

static int
put_char(struct walk *w, char c)
{
	if (w->pb != NULL)
		printbuf_memappend(w->pb, &c, 1);
	return 0;
}

/* An object's members; checking, it refuses a key seen before in it. */
static int
object(struct walk *w, int depth)
{
	const char	*keys[MAXKEYS];
	size_t		 lens[MAXKEYS];
	int		 n = 0, i, escaped;

	w->p++;
	put_char(w, '{');
	skip_ws(w);
	if (*w->p == '}') {
		w->p++;
		return put_char(w, '}');
	}
	for (;;) {
		if (*w->p != '"')
			return -1;
		escaped = 0;
		keys[n < MAXKEYS ? n : 0] = w->p;
		if (string(w, &escaped) != 0)
			return -1;
		if (w->pb == NULL) {
			if (escaped || n >= MAXKEYS)
				return -1;
			lens[n] = (size_t)(w->p - keys[n]);
			for (i = 0; i < n; i++)
				if (lens[i] == lens[n] &&
				    memcmp(keys[i], keys[n], lens[n]) == 0)
					return -1;
			n++;
		}
		skip_ws(w);
		if (*w->p++ != ':')
			return -1;
		put_char(w, ':');
		skip_ws(w);
		if (value(w, depth) != 0)
			return -1;
		skip_ws(w);
		if (*w->p == '}') {
			w->p++;
			return put_char(w, '}');
		}
		if (*w->p++ != ',')
			return -1;
		put_char(w, ',');
		skip_ws(w);
	}
}

static int
array(struct walk *w, int depth)
{
	w->p++;
	put_char(w, '[');
	skip_ws(w);
	if (*w->p == ']') {
		w->p++;
		return put_char(w, ']');
	}
	for (;;) {
		if (value(w, depth) != 0)
			return -1;
		skip_ws(w);
		if (*w->p == ']') {
			w->p++;
			return put_char(w, ']');
		}
		if (*w->p++ != ',')
			return -1;
		put_char(w, ',');
		skip_ws(w);
	}
}

static int
value(struct walk *w, int depth)
{
	if (depth > MAXDEPTH)
		return -1;
	switch (*w->p) {
	case '{':	return object(w, depth + 1);
	case '[':	return array(w, depth + 1);
	case '"':	return string(w, NULL);
	case 't':	return literal(w, "true");
	case 'f':	return literal(w, "false");
	case 'n':	return literal(w, "null");
	default:	return number(w);
	}
}

int
hg_jsonraw_ok(const char *s)
{
	struct walk w = { s, NULL, 0 };

	if (s == NULL)
		return 0;
	skip_ws(&w);
	if (*w.p != '[' && *w.p != '{')
		return 0;
	if (value(&w, 0) != 0)
		return 0;
	skip_ws(&w);
	return *w.p == '\0';
}

/* The serializer: the text (userdata) printed for these flags. */
static int
raw_to_string(json_object *o, struct printbuf *pb, int level, int flags)
{
	struct walk	 w = { json_object_get_userdata(o), pb, flags };
	json_object	*j;
	const char	*t;
	size_t		 n;
	int		 rc;

	(void)level;
	if (flags & (JSON_C_TO_STRING_SPACED | JSON_C_TO_STRING_PRETTY)) {
		/* not what replies use: print the parse */
		if ((j = json_tokener_parse(w.p)) == NULL)
			return -1;
		t = json_object_to_json_string_length(j, flags, &n);
		rc = t == NULL ? -1 : printbuf_memappend(pb, t, (int)n);
		json_object_put(j);
		return rc < 0 ? -1 : 0;
	}
	skip_ws(&w);
	return value(&w, 0);
}

json_object *
hg_jsonraw_new(const char *s)
{
	json_object *o;

	if (s == NULL)
		return json_object_new_array();
	if (!hg_jsonraw_ok(s)) {
		if ((o = json_tokener_parse(s)) == NULL)
			return json_object_new_array();
		return o;
	}
	/* an opaque carrier: only its serializer and userdata matter */
	o = json_object_new_array_ext(1);
	json_object_set_serializer(o, raw_to_string, (void *)(uintptr_t)s,
	    NULL);
	return o;
}

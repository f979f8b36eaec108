/*
 * release.c -- versions, update sources and shell quoting (release.h).
 */
#include <string.h>

#include "arena.h"
#include "release.h"

static const char segchars[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "abcdefghijklmnopqrstuvwxyz0123456789._+@=-";

/* One segment s[0..len): NULL or why not. */
static const char *
segment(const char *s, size_t len)
{
	size_t i;

	if (len == 0)
		return "has an empty path segment";
	if (s[0] == '-')
		return "may not start with '-'";
	if (s[0] == '.')
		return "may not start with '.'";
	for (i = 0; i < len; i++)
		if (strchr(segchars, s[i]) == NULL || s[i] == '\0')
			return "may hold only letters, digits and . _ + @ = -";
	for (i = 0; i + 1 < len; i++)
		if (s[i] == '.' && s[i + 1] == '.')
			return "may not contain \"..\"";
	return NULL;
}

const char *
hg_check_release_version(const char *s)
{
	size_t len = strlen(s);

	if (len == 0 || len > HG_RELEASE_VERSION_MAX)
		return "must be 1 to 128 characters";
	if (strchr(s, '/') != NULL)
		return "may not contain '/'";
	return segment(s, len);
}

const char *
hg_check_update_source(const char *s)
{
	const char	*p = s, *slash, *why;
	size_t		 len = strlen(s);

	if (len == 0 || len > HG_RELEASE_SOURCE_MAX)
		return "must be 1 to 1024 characters";
	if (s[0] == '/')
		return "must be a relative path (no leading '/')";
	for (;;) {
		slash = strchr(p, '/');
		if ((why = segment(p, slash ? (size_t)(slash - p) :
		    strlen(p))) != NULL)
			return why;
		if (slash == NULL)
			return NULL;
		p = slash + 1;
	}
}

char *
hg_shq(struct hg_arena *a, const char *s)
{
	size_t	 n = 2, i;
	char	*out, *d;

	for (i = 0; s[i] != '\0'; i++)
		n += s[i] == '\'' ? 4 : 1;
	out = d = hg_alloc(a, n + 1);
	*d++ = '\'';
	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] == '\'') {
			memcpy(d, "'\\''", 4);
			d += 4;
		} else
			*d++ = s[i];
	}
	*d++ = '\'';
	*d = '\0';
	return out;
}

/*
 * path.c -- request paths: normalisation and matching (path.h).
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "path.h"

static const struct {
	const char *from, *to;
} aliases[] = {
	{ "/application/", "/applications/" },
	{ "/host/", "/hosts/" },
};

char *
hg_path_normalize(struct hg_arena *a, const char *uri)
{
	const char	*q = strchr(uri, '?');
	size_t		 len = q ? (size_t)(q - uri) : strlen(uri), i;
	char		*p = hg_strndup(a, uri, len), *t;

	/* Collapse repeated slashes and drop the trailing one. */
	for (t = p, i = 0; p[i] != '\0'; i++)
		if (!(p[i] == '/' && t > p && t[-1] == '/'))
			*t++ = p[i];
	*t = '\0';
	len = strlen(p);
	if (len > 1 && p[len - 1] == '/')
		p[--len] = '\0';
	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++) {
		size_t fl = strlen(aliases[i].from);

		if (strncmp(p, aliases[i].from, fl) == 0 ||
		    (strncmp(p, aliases[i].from, fl - 1) == 0 && p[fl - 1] == '\0'))
			return hg_printf(a, "%.*s%s", (int)strlen(aliases[i].to) - 1,
			    aliases[i].to, p + fl - 1);
	}
	return p;
}

int
hg_path_match(struct hg_arena *a, const char *pat, const char *path,
    const char *params[HG_PATH_MAXPARAMS], long long ids[HG_PATH_MAXPARAMS],
    int *np)
{
	int n = 0;

	for (;;) {
		const char *pe, *se;

		if (*pat == '\0' || *path == '\0')
			break;
		if (*pat++ != '/' || *path++ != '/')
			return 0;
		pe = strchrnul(pat, '/');
		se = strchrnul(path, '/');
		if (*pat == '{') {
			int		 text = pe - pat > 3 && pe[-3] == ':' &&
					     pe[-2] == 's';
			const char	*c;

			if (se == path || n == HG_PATH_MAXPARAMS || se - path > 255)
				return 0;
			if (!text) {
				if (se - path > 18)
					return 0;
				for (c = path; c < se; c++)
					if (!isdigit((unsigned char)*c))
						return 0;
			}
			params[n] = hg_strndup(a, path, (size_t)(se - path));
			ids[n] = text ? 0 : strtoll(params[n], NULL, 10);
			n++;
		} else if (pe - pat != se - path ||
		    strncmp(pat, path, (size_t)(pe - pat)) != 0)
			return 0;
		pat = pe;
		path = se;
	}
	if (*pat != '\0' || *path != '\0')
		return 0;
	*np = n;
	return 1;
}


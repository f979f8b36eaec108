/*
 * fuzz_path.c -- the router's view of a request URI: normalisation
 * (hg_path_normalize) and matching against patterns with numeric and
 * text parameters (hg_path_match).  A match must hold what it says: as
 * many parameters as the pattern has, numeric ones all digits.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "path.h"

static const char *const patterns[] = {
	"/healthz", "/users/{id}", "/users/{id}/roles",
	"/applications/{id}/instance/{iid}/log",
	"/hosts/{id}/actions/change-status", "/dns/{name:s}/records/{rid}",
	"/{a}/{b}/{c}/{d}", "/x/{a:s}/{b:s}/{c:s}/{d:s}",
};

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct hg_arena	 a;
	const char	*params[HG_PATH_MAXPARAMS], *c;
	long long	 ids[HG_PATH_MAXPARAMS];
	char		*uri, *path;
	size_t		 i, len;
	int		 n, k;

	hg_arena_init(&a);
	uri = hg_alloc(&a, size + 1);
	memcpy(uri, data, size);
	path = hg_path_normalize(&a, uri);
	len = strlen(path);
	if (strchr(path, '?') != NULL || strstr(path, "//") != NULL ||
	    (len > 1 && path[len - 1] == '/'))
		abort();	/* not normalized */
	for (i = 0; i < sizeof(patterns) / sizeof(patterns[0]); i++) {
		if (!hg_path_match(&a, patterns[i], path, params, ids, &n))
			continue;
		if (n < 0 || n > HG_PATH_MAXPARAMS)
			abort();
		for (k = 0; k < n; k++) {
			if (params[k] == NULL || *params[k] == '\0' ||
			    strchr(params[k], '/') != NULL)
				abort();
			if (ids[k] == 0)
				continue;
			for (c = params[k]; *c; c++)
				if (!isdigit((unsigned char)*c))
					abort();
		}
	}
	hg_arena_free(&a);
	return 0;
}

/*
 * path.h -- request paths: normalisation and matching against a route's
 * pattern (API.md section 1).  Pure string functions, so that the router's
 * parsing can be fuzzed on its own (t/fuzz/fuzz_path.c).
 */
#ifndef HG_PATH_H
#define HG_PATH_H

#include "arena.h"

#define HG_PATH_MAXPARAMS	4	/* path parameters in one pattern */

/*
 * The path of a request URI: the query cut off, repeated slashes
 * collapsed, no trailing slash, and the seed's singular aliases
 * (/application/ is /applications/, /host/ is /hosts/).
 */
char	*hg_path_normalize(struct hg_arena *, const char *uri);

/*
 * Does a normalized path match pattern?  A pattern segment {name} matches
 * a positive integer of at most 18 digits, {name:s} any text of 1 to 255
 * bytes, anything else itself.  On a match, params[] gets each parameter's
 * text, ids[] its value (0 for text), *n their number; returns 1, else 0.
 */
int	 hg_path_match(struct hg_arena *, const char *pattern, const char *path,
	    const char *params[HG_PATH_MAXPARAMS],
	    long long ids[HG_PATH_MAXPARAMS], int *n);

#endif

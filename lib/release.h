/*
 * release.h -- what hangard and hangar-agent both judge of a release
 * (issue 12): which versions and update sources are acceptable, and how
 * a value is quoted for the remote POSIX shell.
 *
 * A version names a directory releases/<version>/ on every host and is
 * passed to git as a revision, so it is one path segment of a bounded
 * character set that cannot be read as an option or as a way up: hangard
 * refuses others at the API and the agent checks again before using one.
 */
#ifndef HG_RELEASE_H
#define HG_RELEASE_H

#include "arena.h"

#define HG_RELEASE_VERSION_MAX	128
#define HG_RELEASE_SOURCE_MAX	1024

/*
 * NULL when s is a valid version: 1..128 of A-Z a-z 0-9 . _ + @ = - ,
 * not starting with '.' or '-', and without "..".  Else why not.
 */
const char	*hg_check_release_version(const char *s);
/*
 * NULL when s is a valid update source: a relative path of segments
 * joined by single '/', each as a version is (so no "..", no "." and no
 * leading '-'), at most 1024 bytes.  Else why not.
 */
const char	*hg_check_update_source(const char *s);
/* s in single quotes for a POSIX shell ('\'' for each quote). */
char		*hg_shq(struct hg_arena *, const char *s);

#endif

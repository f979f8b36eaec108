/*
 * utf8.h -- text from outside (a host's command output) made well-formed
 * UTF-8 before it reaches MySQL's utf8mb4 columns, Redis or a reply.
 *
 * Well-formed is RFC 3629: no overlong forms (C0 AF, E0 80 AF, ...), no
 * UTF-16 surrogates (ED A0 80 .. ED BF BF), nothing above U+10FFFF (F4 90
 * and up, F5..FF), no sequence cut short.  Each ill-formed piece becomes
 * one U+FFFD, cut where the Unicode standard recommends (its "maximal
 * subpart": as many bytes as could still have begun a valid sequence), as
 * browsers and Python do; everything well-formed is kept byte for byte.
 * NUL is a well-formed character and is kept.
 */
#ifndef HG_UTF8_H
#define HG_UTF8_H

#include <stddef.h>

#include "arena.h"

#define HG_UTF8_REPLACEMENT	"\xef\xbf\xbd"	/* U+FFFD */

/* 1 if s[0..len) is well-formed UTF-8. */
int	 hg_utf8_wellformed(const char *s, size_t len);
/*
 * s[0..len) with every ill-formed piece replaced by U+FFFD, NUL-terminated
 * in the arena; *outlen (if not NULL) is its length without the NUL.
 */
char	*hg_utf8_repair(struct hg_arena *, const char *s, size_t len,
	    size_t *outlen);
/*
 * s[0..len) as one line of text for a message or a log line: repaired as
 * above, then every C0 control character (NUL, newline and escape
 * included) and DEL becomes a space.  NUL-terminated in the arena.
 */
char	*hg_utf8_line(struct hg_arena *, const char *s, size_t len);
/*
 * Cut the NUL-terminated s before a sequence that was cut short at its
 * end (what a full snprintf buffer leaves), so that well-formed text stays
 * well-formed after truncation.
 */
void	 hg_utf8_trim(char *s);

#endif

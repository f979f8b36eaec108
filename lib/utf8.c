/*
 * utf8.c -- well-formed UTF-8 (see utf8.h).
 */
#include <stdint.h>
#include <string.h>

#include "utf8.h"

/*
 * The well-formed sequence at s (of at most len bytes): its length (1..4),
 * or 0 with *bad the length of the ill-formed piece to replace (1..3).
 * The second byte's range depends on the first (Unicode table 3-7); that
 * is what refuses overlong forms, surrogates and code points above
 * U+10FFFF without decoding.
 */
static size_t
sequence(const unsigned char *s, size_t len, size_t *bad)
{
	unsigned char	c = s[0], lo = 0x80, hi = 0xbf;
	size_t		n, i;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef) {
		n = 3;
		if (c == 0xe0)
			lo = 0xa0;	/* below: overlong */
		else if (c == 0xed)
			hi = 0x9f;	/* above: surrogates */
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 4;
		if (c == 0xf0)
			lo = 0x90;	/* below: overlong */
		else if (c == 0xf4)
			hi = 0x8f;	/* above: past U+10FFFF */
	} else {
		*bad = 1;		/* 80..C1 (stray or overlong), F5..FF */
		return 0;
	}
	for (i = 1; i < n; i++) {
		if (i >= len || s[i] < lo || s[i] > hi) {
			*bad = i;
			return 0;
		}
		lo = 0x80;
		hi = 0xbf;
	}
	return n;
}

int
hg_utf8_wellformed(const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i = 0, n, bad;

	while (i < len) {
		if ((n = sequence(p + i, len - i, &bad)) == 0)
			return 0;
		i += n;
	}
	return 1;
}

char *
hg_utf8_repair(struct hg_arena *a, const char *s, size_t len, size_t *outlen)
{
	const unsigned char	*p = (const unsigned char *)s;
	char			*out;
	size_t			 i = 0, o = 0, n, bad;

	if (hg_utf8_wellformed(s, len)) {
		out = hg_alloc(a, len + 1);
		memcpy(out, s, len);
		out[len] = '\0';
		if (outlen != NULL)
			*outlen = len;
		return out;
	}
	/* At worst every byte becomes the 3 bytes of U+FFFD. */
	if (len > (SIZE_MAX - 1) / 3)
		len = (SIZE_MAX - 1) / 3;
	out = hg_alloc(a, len * 3 + 1);
	while (i < len) {
		if ((n = sequence(p + i, len - i, &bad)) > 0) {
			memcpy(out + o, p + i, n);
			o += n;
			i += n;
		} else {
			memcpy(out + o, HG_UTF8_REPLACEMENT, 3);
			o += 3;
			i += bad;
		}
	}
	out[o] = '\0';
	if (outlen != NULL)
		*outlen = o;
	return out;
}

char *
hg_utf8_line(struct hg_arena *a, const char *s, size_t len)
{
	char	*out, *p;

	out = hg_utf8_repair(a, s, len, &len);
	for (p = out; p < out + len; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = ' ';
	return out;
}

void
hg_utf8_trim(char *s)
{
	size_t	len = strlen(s), i, need;

	/* Back up over at most 3 continuation bytes to the lead byte. */
	for (i = len; i > 0 && len - i < 4; i--) {
		unsigned char c = (unsigned char)s[i - 1];

		if ((c & 0xc0) == 0x80)
			continue;
		if (c < 0x80)
			return;
		need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
		if (len - (i - 1) < need)
			s[i - 1] = '\0';
		return;
	}
}

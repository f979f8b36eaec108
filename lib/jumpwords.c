/*
 * jumpwords.c -- the words of a bastion command line (jumpwords.h).
 */
#include <stdlib.h>
#include <string.h>

#include "jumpwords.h"

int
hg_jw_wordc(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_';
}

char
hg_jw_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c - 'A' + 'a') : c;
}

static void
add(struct hg_jw_postings *pp, const char *w, size_t len, long long line)
{
	if (pp->n == pp->cap) {
		pp->cap = pp->cap ? pp->cap * 2 : 1024;
		if ((pp->ps = realloc(pp->ps, pp->cap * sizeof(*pp->ps))) ==
		    NULL)
			abort();
	}
	pp->ps[pp->n].p_word = w;
	pp->ps[pp->n].p_len = len;
	pp->ps[pp->n].p_line = line;
	pp->n++;
}

void
hg_jw_words(const char *text, char *buf, long long line,
    struct hg_jw_postings *pp)
{
	size_t i, j, len, w;

	for (i = 0; text[i] != '\0'; i++)
		buf[i] = hg_jw_lower(text[i]);
	for (i = 0; text[i] != '\0'; i = j) {
		if (!hg_jw_wordc((unsigned char)text[i])) {
			j = i + 1;
			continue;
		}
		for (j = i; hg_jw_wordc((unsigned char)text[j]); j++)
			;
		len = j - i;
		if (len < 2)
			continue;
		if (len <= HG_JW_WORDMAX) {
			add(pp, buf + i, len, line);
			continue;
		}
		for (w = 0; ; w += HG_JW_WORDSTEP) {
			add(pp, buf + i + w, len - w < HG_JW_WORDMAX ?
			    len - w : HG_JW_WORDMAX, line);
			if (w + HG_JW_WORDMAX >= len)
				break;
		}
	}
}

static int
cmp(const void *a, const void *b)
{
	const struct hg_jw_posting	*x = a, *y = b;
	size_t				 n = x->p_len < y->p_len ?
					    x->p_len : y->p_len;
	int				 c;

	if ((c = memcmp(x->p_word, y->p_word, n)) != 0)
		return c;
	if (x->p_len != y->p_len)
		return x->p_len < y->p_len ? -1 : 1;
	return (x->p_line > y->p_line) - (x->p_line < y->p_line);
}

void
hg_jw_sort(struct hg_jw_postings *pp)
{
	if (pp->n > 1)
		qsort(pp->ps, pp->n, sizeof(*pp->ps), cmp);
}

int
hg_jw_same(const struct hg_jw_posting *x, const struct hg_jw_posting *y)
{
	return x->p_len == y->p_len && memcmp(x->p_word, y->p_word,
	    x->p_len) == 0;
}

void
hg_jw_free(struct hg_jw_postings *pp)
{
	free(pp->ps);
	pp->ps = NULL;
	pp->n = pp->cap = 0;
}

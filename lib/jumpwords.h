/*
 * jumpwords.h -- the words of a bastion command line, as the keyword index
 * of the command log stores them (src/hangard/tools/jump_logs.c writes the
 * index and searches it; src/agent/retention.c finds an old line's index
 * rows from its text again, so both must see the same words: this is the
 * one place that says what they are).
 *
 * A word is a maximal run of ASCII letters, digits and '_', lower-cased,
 * two characters or more; a word longer than HG_JW_WORDMAX is stored as
 * HG_JW_WORDMAX-character windows every HG_JW_WORDSTEP characters, so
 * that any run of at most HG_JW_WORDSTEP characters lies inside one.
 */
#ifndef HG_JUMPWORDS_H
#define HG_JUMPWORDS_H

#include <stddef.h>

#define HG_JW_WORDMAX	64	/* longest word stored whole */
#define HG_JW_WORDSTEP	32	/* windows of a longer word start this apart */

/* A posting: a word (not NUL-terminated) of the line-th line. */
struct hg_jw_posting {
	const char	*p_word;
	size_t		 p_len;
	long long	 p_line;
};

struct hg_jw_postings {
	struct hg_jw_posting	*ps;	/* malloc'd: hg_jw_free */
	size_t			 n, cap;
};

int	hg_jw_wordc(unsigned char);
char	hg_jw_lower(char);
/* Add the words of text (lower-cased into buf, as long as text) as line. */
void	hg_jw_words(const char *text, char *buf, long long line,
	    struct hg_jw_postings *);
/* Sort by word, then line; hg_jw_same tells two postings' words equal. */
void	hg_jw_sort(struct hg_jw_postings *);
int	hg_jw_same(const struct hg_jw_posting *, const struct hg_jw_posting *);
void	hg_jw_free(struct hg_jw_postings *);

#endif

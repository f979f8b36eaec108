/*
 * arena.h -- per-request memory pool.
 *
 * Everything a request allocates comes from one arena that is reset when the
 * request ends, so handlers never free.  Resources that are not memory (MySQL
 * results, json-c objects, Redis replies) are registered as cleanups and run,
 * newest first, at reset -- the same idea as nginx's r->pool and r->cleanup.
 */
#ifndef HG_ARENA_H
#define HG_ARENA_H

#include <stdarg.h>
#include <stddef.h>

struct hg_chunk;
struct hg_cleanup;

struct hg_arena {
	struct hg_chunk		*a_chunks;	/* newest first */
	struct hg_cleanup	*a_cleanups;	/* newest first */
	size_t			 a_total;	/* bytes handed out since reset */
};

void	 hg_arena_init(struct hg_arena *);
void	 hg_arena_reset(struct hg_arena *);	/* run cleanups, keep one chunk */
void	 hg_arena_free(struct hg_arena *);	/* release everything */
void	*hg_alloc(struct hg_arena *, size_t);	/* zeroed, never NULL (aborts) */
char	*hg_strdup(struct hg_arena *, const char *);
char	*hg_strndup(struct hg_arena *, const char *, size_t);
char	*hg_printf(struct hg_arena *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
char	*hg_vprintf(struct hg_arena *, const char *, va_list);
void	 hg_cleanup_add(struct hg_arena *, void (*)(void *), void *);

#endif

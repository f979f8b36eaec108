/*
 * arena.c -- per-request memory pool (see arena.h).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "log.h"

#define CHUNK_MIN	(64 * 1024)
#define ALIGN		16

struct hg_chunk {
	struct hg_chunk	*c_next;
	size_t		 c_size;	/* usable bytes after the header */
	size_t		 c_used;
	_Alignas(ALIGN) unsigned char c_data[];
};

struct hg_cleanup {
	struct hg_cleanup	*cl_next;
	void			(*cl_fn)(void *);
	void			*cl_arg;
};

void
hg_arena_init(struct hg_arena *a)
{
	memset(a, 0, sizeof(*a));
}

static struct hg_chunk *
chunk_new(size_t want)
{
	struct hg_chunk	*c;
	size_t		 size = want > CHUNK_MIN ? want : CHUNK_MIN;

	if ((c = malloc(sizeof(*c) + size)) == NULL)
		hg_fatal("out of memory (%zu bytes)", size);
	c->c_next = NULL;
	c->c_size = size;
	c->c_used = 0;
	return c;
}

void *
hg_alloc(struct hg_arena *a, size_t n)
{
	struct hg_chunk	*c = a->a_chunks;
	void		*p;

	if (n > SIZE_MAX / 2)
		hg_fatal("impossible allocation of %zu bytes", n);
	n = (n + ALIGN - 1) & ~(size_t)(ALIGN - 1);
	if (n == 0)
		n = ALIGN;
	if (c == NULL || c->c_size - c->c_used < n) {
		c = chunk_new(n);
		c->c_next = a->a_chunks;
		a->a_chunks = c;
	}
	p = c->c_data + c->c_used;
	c->c_used += n;
	a->a_total += n;
	memset(p, 0, n);
	return p;
}

char *
hg_strndup(struct hg_arena *a, const char *s, size_t n)
{
	char	*p = hg_alloc(a, n + 1);

	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *
hg_strdup(struct hg_arena *a, const char *s)
{
	return s == NULL ? NULL : hg_strndup(a, s, strlen(s));
}

char *
hg_vprintf(struct hg_arena *a, const char *fmt, va_list ap)
{
	va_list	 ap2;
	int	 n;
	char	*p;

	va_copy(ap2, ap);
	n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0)
		hg_fatal("vsnprintf failed for \"%s\"", fmt);
	p = hg_alloc(a, (size_t)n + 1);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	return p;
}

char *
hg_printf(struct hg_arena *a, const char *fmt, ...)
{
	va_list	 ap;
	char	*p;

	va_start(ap, fmt);
	p = hg_vprintf(a, fmt, ap);
	va_end(ap);
	return p;
}

void
hg_cleanup_add(struct hg_arena *a, void (*fn)(void *), void *arg)
{
	struct hg_cleanup *cl = hg_alloc(a, sizeof(*cl));

	cl->cl_fn = fn;
	cl->cl_arg = arg;
	cl->cl_next = a->a_cleanups;
	a->a_cleanups = cl;
}

static void
run_cleanups(struct hg_arena *a)
{
	struct hg_cleanup *cl;

	/* A cleanup may allocate nothing; the list lives in the arena itself. */
	for (cl = a->a_cleanups; cl != NULL; cl = cl->cl_next)
		cl->cl_fn(cl->cl_arg);
	a->a_cleanups = NULL;
}

void
hg_arena_reset(struct hg_arena *a)
{
	struct hg_chunk	*c, *next;

	run_cleanups(a);
	if (a->a_chunks == NULL)
		return;
	/* Keep the oldest chunk (the base size) so steady state never mallocs. */
	for (c = a->a_chunks; c->c_next != NULL; c = next) {
		next = c->c_next;
		free(c);
	}
	a->a_chunks = c;
	if (c->c_size > CHUNK_MIN) {
		free(c);
		a->a_chunks = NULL;
	} else
		c->c_used = 0;
	a->a_total = 0;
}

void
hg_arena_free(struct hg_arena *a)
{
	struct hg_chunk	*c, *next;

	run_cleanups(a);
	for (c = a->a_chunks; c != NULL; c = next) {
		next = c->c_next;
		free(c);
	}
	a->a_chunks = NULL;
	a->a_total = 0;
}

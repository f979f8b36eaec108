/*
 * shared.c -- the one page of memory the master maps before it forks, and
 * every worker shares:
 *
 *  - the commit counters.  A worker bumps the first after every commit,
 *    the second after a commit that wrote a table authentication reads
 *    (sql.c); whatever a worker keeps is stamped with both and not used
 *    once its counter has moved: the second for who a token or session
 *    is (authcache.c), the first for everything else (perms.c).
 *  - who is waiting in a long poll (GET /tasks/{id}/output/ waits up to
 *    25 s for a line).  At most half the workers may wait at once, so that
 *    people watching running tasks never take every worker from the rest
 *    of the API.  Each worker has a flag at its index in the master's
 *    table; the master clears the flag of a worker that died, so a crash
 *    never keeps a place taken.
 */
#include <errno.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>

#include "conf.h"
#include "hangard.h"
#include "log.h"

struct shared {
	_Atomic uint64_t	sh_epoch;
	_Atomic uint64_t	sh_auth_epoch;
	atomic_int		sh_waiting;
	atomic_uchar		sh_slot[HG_MAXSLOTS];
};

static struct shared	*sh;
static int		 my_slot = -1;

/* The master, before forking; without it nothing is cached or limited. */
void
hg_shared_init(void)
{
	void *p = mmap(NULL, sizeof(*sh), PROT_READ | PROT_WRITE,
	    MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		log_warn("mmap: %s; workers cache nothing", strerror(errno));
		return;
	}
	sh = p;
	atomic_store(&sh->sh_epoch, 1);
	atomic_store(&sh->sh_auth_epoch, 1);
}

int
hg_shared_ok(void)
{
	return sh != NULL;
}

/* A worker, after fork: its index in the master's table. */
void
hg_shared_slot(int slot)
{
	my_slot = slot >= 0 && slot < HG_MAXSLOTS ? slot : -1;
}

/* The master, when the worker at slot has exited, however it did. */
void
hg_shared_gone(int slot)
{
	if (sh != NULL && slot >= 0 && slot < HG_MAXSLOTS &&
	    atomic_exchange(&sh->sh_slot[slot], 0) == 1)
		atomic_fetch_sub(&sh->sh_waiting, 1);
}

uint64_t
hg_shared_epoch(void)
{
	return sh != NULL ? atomic_load(&sh->sh_epoch) : 0;
}

/*
 * After a commit: whatever was kept may now be stale; who a token or
 * session is, only when the commit wrote a table of authentication.
 */
void
hg_shared_bump(int auth)
{
	if (sh == NULL)
		return;
	if (auth)
		atomic_fetch_add(&sh->sh_auth_epoch, 1);
	atomic_fetch_add(&sh->sh_epoch, 1);
}

/*
 * May this worker wait in a long poll?  1 (and the place is taken until
 * hg_wait_end) while fewer than half the workers (at least one) wait;
 * else 0, and the caller answers at once.
 */
int
hg_wait_begin(void)
{
	int n, limit = hg_conf.workers / 2 > 0 ? (int)hg_conf.workers / 2 : 1;

	if (sh == NULL || my_slot < 0)
		return 0;
	do {
		if ((n = atomic_load(&sh->sh_waiting)) >= limit)
			return 0;
	} while (!atomic_compare_exchange_weak(&sh->sh_waiting, &n, n + 1));
	atomic_store(&sh->sh_slot[my_slot], 1);
	return 1;
}

void
hg_wait_end(void)
{
	if (sh != NULL && my_slot >= 0 &&
	    atomic_exchange(&sh->sh_slot[my_slot], 0) == 1)
		atomic_fetch_sub(&sh->sh_waiting, 1);
}

/* ---- the rule for everything a worker keeps ---------------------------- */

static long long
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Stamp what is about to be read: take it BEFORE the query. */
void
hg_cache_stamp(struct hg_stamp *st)
{
	st->s_epoch = hg_shared_epoch();
	st->s_auth_epoch = sh != NULL ? atomic_load(&sh->sh_auth_epoch) : 0;
	st->s_born = now_ms();
}

/*
 * May what was read under stamp st still be used?  The rule for
 * everything a worker keeps: younger than auth_cache_ttl, and no commit
 * since (perms.c), or for who a token or session is (auth set), no commit
 * that wrote a table of authentication since (authcache.c).
 */
int
hg_cache_fresh(const struct hg_stamp *st, int auth)
{
	if (sh == NULL || hg_conf.auth_cache_ttl <= 0 ||
	    now_ms() - st->s_born >= hg_conf.auth_cache_ttl * 1000LL)
		return 0;
	return auth ? st->s_auth_epoch == atomic_load(&sh->sh_auth_epoch) :
	    st->s_epoch == hg_shared_epoch();
}

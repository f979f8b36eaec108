/*
 * authcache.c -- each worker remembers who a token or session is, so a
 * typical request costs one database round trip (its own query) instead of
 * two (the caller's lookup, then its query).
 *
 * An entry is used only while both hold:
 *  - no transaction that wrote a table the lookup reads (users, sessions,
 *    tokens, roles, memberships, module grants: sql.c) has committed in
 *    this hangard since the entry was filled.  Every worker bumps a
 *    counter shared by all (shared.c) after such a commit (worker.c).  A
 *    deleted token, a disabled user, a revoked grant or a closed session
 *    is therefore seen on the very next request, by every worker, while a
 *    stream of other writes (DNS records, deploys) keeps the entries.
 *  - it is younger than auth_cache_ttl seconds.  This bounds what the counter
 *    cannot see: writes from outside this hangard (hangarctl, a hangard on
 *    another host, hand-run SQL) and the passing of session expiry times.
 * auth_cache_ttl = 0 turns the cache off.  Failed lookups are never cached.
 *
 * The table is small and direct-mapped by the lookup hash (a BLAKE2b hex
 * digest, so uniformly spread); a collision simply replaces the entry.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "hangard.h"
#include "secret.h"

#define SLOTS	64

struct entry {
	char		 e_hash[HG_HASH_HEX + 1];	/* "" when empty */
	struct hg_stamp	 e_stamp;		/* taken before the lookup */
	struct hg_user	 e_user;		/* strings malloc'd */
	char		*e_grants;		/* module grants CSV or NULL */
};

static struct entry	 slots[SLOTS];

static struct entry *
slot_of(const char *hash)
{
	return &slots[strtoul((char[]){ hash[0], hash[1], hash[2], '\0' },
	    NULL, 16) % SLOTS];
}

static int
usable(void)
{
	return hg_shared_ok() && hg_conf.auth_cache_ttl > 0;
}

/*
 * The caller behind hash, copied into the request's arena, or NULL when
 * the entry is missing, stale or for another hash.
 */
struct hg_user *
hg_authcache_get(struct hg_req *r, const char *hash)
{
	struct entry	*e = slot_of(hash);
	struct hg_user	*u;

	if (strcmp(e->e_hash, hash) != 0 || !hg_cache_fresh(&e->e_stamp, 1))
		return NULL;
	u = hg_alloc(r->r_arena, sizeof(*u));
	*u = e->e_user;
	u->u_username = hg_strdup(r->r_arena, e->e_user.u_username);
	u->u_name = hg_strdup(r->r_arena, e->e_user.u_name);
	u->u_csrf = e->e_user.u_csrf ?
	    hg_strdup(r->r_arena, e->e_user.u_csrf) : NULL;
	hg_perms_set(r, u, e->e_grants);
	return u;
}

static void
clear(struct entry *e)
{
	free((char *)e->e_user.u_username);
	free((char *)e->e_user.u_name);
	free((char *)e->e_user.u_csrf);
	free(e->e_grants);
	memset(e, 0, sizeof(*e));
}

static char *
dup_or_null(const char *s)
{
	return s != NULL ? strdup(s) : NULL;
}

/*
 * Remember a lookup's answer, stamped before the lookup ran: a commit
 * racing with it leaves the entry stale, and its age counts from the read.
 */
void
hg_authcache_put(const char *hash, const struct hg_stamp *st,
    const struct hg_user *u, const char *grants)
{
	struct entry *e = slot_of(hash);

	if (!usable())
		return;
	clear(e);
	e->e_user = *u;
	e->e_user.u_mperms = NULL;
	e->e_user.u_nmperms = 0;
	e->e_user.u_mloaded = 0;
	e->e_user.u_username = dup_or_null(u->u_username);
	e->e_user.u_name = dup_or_null(u->u_name);
	e->e_user.u_csrf = dup_or_null(u->u_csrf);
	e->e_grants = dup_or_null(grants);
	if (e->e_user.u_username == NULL || e->e_user.u_name == NULL ||
	    (u->u_csrf != NULL && e->e_user.u_csrf == NULL) ||
	    (grants != NULL && e->e_grants == NULL)) {
		clear(e);
		return;
	}
	memcpy(e->e_hash, hash, HG_HASH_HEX + 1);
	e->e_stamp = *st;
}

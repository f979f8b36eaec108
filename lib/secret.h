/*
 * secret.h -- everything secret goes through libsodium.
 *
 * Passwords: argon2id (crypto_pwhash_str).  Tokens and session ids: random
 * bytes as hex; only their BLAKE2b hash is stored.  Stored secrets (SSH keys,
 * cloud secrets, DNS keys) are sealed with crypto_secretbox under the server
 * key read from `secret_key_file`.
 */
#ifndef HG_SECRET_H
#define HG_SECRET_H

#include <stddef.h>

#include "arena.h"

#define HG_TOKEN_HEX	40	/* API token value: 20 random bytes */
#define HG_SESSION_HEX	64	/* session cookie: 32 random bytes */
#define HG_HASH_HEX	64	/* stored hash of a token or session id */

int	 hg_secret_init(void);	/* sodium_init; -1 on failure */
/* argon2id; out gets a crypto_pwhash_STRBYTES string. */
int	 hg_password_hash(const char *pw, char *out, size_t outlen);
int	 hg_password_verify(const char *hash, const char *pw);	/* 1 match */
/* A hash that verifies nothing: spend the same time for unknown users. */
void	 hg_password_dummy_verify(const char *pw);
void	 hg_random_hex(char *out, size_t nbytes);	/* out: 2*nbytes+1 */
void	 hg_hash_hex(const char *in, char out[HG_HASH_HEX + 1]);
int	 hg_ct_equal(const char *a, const char *b);	/* constant time */

/* Server key for sealed secrets; creates the file (0600) when create is set. */
int	 hg_key_load(const char *path, int create, char *err, size_t errlen);
/* Seal plaintext to base64 text; NULL if no key is loaded. */
char	*hg_seal(struct hg_arena *, const char *plain);
/* Open sealed base64 text; NULL if tampered or no key. */
char	*hg_unseal(struct hg_arena *, const char *sealed);

#endif

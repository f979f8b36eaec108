/*
 * sha1.h -- SHA-1 (FIPS 180-4, RFC 3174) and HMAC-SHA1 (RFC 2104).
 *
 * Only for the two vendor signatures that still demand HMAC-SHA1 (Aliyun
 * RPC V2, CloudStack); libsodium, the project's crypto library, has no
 * SHA-1.  Never use it for anything that must resist collisions.
 */
#ifndef HG_SHA1_H
#define HG_SHA1_H

#include <stddef.h>
#include <stdint.h>

#define HG_SHA1_LEN	20
#define HG_SHA1_BLOCK	64

struct hg_sha1 {
	uint32_t	s_h[5];
	uint64_t	s_len;			/* bytes hashed so far */
	unsigned char	s_buf[HG_SHA1_BLOCK];	/* pending partial block */
	size_t		s_used;
};

void	hg_sha1_init(struct hg_sha1 *);
void	hg_sha1_update(struct hg_sha1 *, const void *, size_t);
void	hg_sha1_final(struct hg_sha1 *, unsigned char out[HG_SHA1_LEN]);
void	hg_sha1(const void *, size_t, unsigned char out[HG_SHA1_LEN]);
void	hg_hmac_sha1(const void *key, size_t keylen, const void *msg,
	    size_t msglen, unsigned char out[HG_SHA1_LEN]);

#endif

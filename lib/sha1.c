/*
 * sha1.c -- SHA-1 and HMAC-SHA1 (see sha1.h), written from FIPS 180-4
 * section 6.1 and RFC 2104; the unit tests pin them to RFC 3174's and
 * RFC 2202's vectors.
 */
#include <string.h>

#include "sha1.h"

#define ROL(x, n)	(((x) << (n)) | ((x) >> (32 - (n))))

/* One 64-byte block into the state (FIPS 180-4 6.1.2). */
static void
block(uint32_t h[5], const unsigned char *p)
{
	uint32_t	w[80], a, b, c, d, e, f, k, t;
	int		i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		    (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
	for (; i < 80; i++)
		w[i] = ROL(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	a = h[0]; b = h[1]; c = h[2]; d = h[3]; e = h[4];
	for (i = 0; i < 80; i++) {
		if (i < 20) {
			f = (b & c) | (~b & d);
			k = 0x5a827999;
		} else if (i < 40) {
			f = b ^ c ^ d;
			k = 0x6ed9eba1;
		} else if (i < 60) {
			f = (b & c) | (b & d) | (c & d);
			k = 0x8f1bbcdc;
		} else {
			f = b ^ c ^ d;
			k = 0xca62c1d6;
		}
		t = ROL(a, 5) + f + e + k + w[i];
		e = d;
		d = c;
		c = ROL(b, 30);
		b = a;
		a = t;
	}
	h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e;
}

void
hg_sha1_init(struct hg_sha1 *s)
{
	static const uint32_t	iv[5] = { 0x67452301, 0xefcdab89, 0x98badcfe,
	    0x10325476, 0xc3d2e1f0 };

	memcpy(s->s_h, iv, sizeof(iv));
	s->s_len = 0;
	s->s_used = 0;
}

void
hg_sha1_update(struct hg_sha1 *s, const void *data, size_t len)
{
	const unsigned char	*p = data;
	size_t			 n;

	s->s_len += len;
	while (len > 0) {
		n = HG_SHA1_BLOCK - s->s_used;
		if (n > len)
			n = len;
		memcpy(s->s_buf + s->s_used, p, n);
		s->s_used += n;
		p += n;
		len -= n;
		if (s->s_used == HG_SHA1_BLOCK) {
			block(s->s_h, s->s_buf);
			s->s_used = 0;
		}
	}
}

/* Pad with 0x80, zeros and the 64-bit big-endian bit length. */
void
hg_sha1_final(struct hg_sha1 *s, unsigned char out[HG_SHA1_LEN])
{
	uint64_t	bits = s->s_len * 8;
	int		i;

	s->s_buf[s->s_used++] = 0x80;
	if (s->s_used > HG_SHA1_BLOCK - 8) {
		memset(s->s_buf + s->s_used, 0, HG_SHA1_BLOCK - s->s_used);
		block(s->s_h, s->s_buf);
		s->s_used = 0;
	}
	memset(s->s_buf + s->s_used, 0, HG_SHA1_BLOCK - 8 - s->s_used);
	for (i = 0; i < 8; i++)
		s->s_buf[HG_SHA1_BLOCK - 1 - i] = (unsigned char)(bits >> (8 * i));
	block(s->s_h, s->s_buf);
	for (i = 0; i < 20; i++)
		out[i] = (unsigned char)(s->s_h[i / 4] >> (24 - 8 * (i % 4)));
	memset(s, 0, sizeof(*s));
}

void
hg_sha1(const void *data, size_t len, unsigned char out[HG_SHA1_LEN])
{
	struct hg_sha1	s;

	hg_sha1_init(&s);
	hg_sha1_update(&s, data, len);
	hg_sha1_final(&s, out);
}

/* RFC 2104: H(K ^ opad, H(K ^ ipad, msg)), keys longer than a block hashed. */
void
hg_hmac_sha1(const void *key, size_t keylen, const void *msg, size_t msglen,
    unsigned char out[HG_SHA1_LEN])
{
	struct hg_sha1	s;
	unsigned char	k[HG_SHA1_BLOCK], pad[HG_SHA1_BLOCK], inner[HG_SHA1_LEN];
	size_t		i;

	memset(k, 0, sizeof(k));
	if (keylen > HG_SHA1_BLOCK)
		hg_sha1(key, keylen, k);
	else if (keylen > 0)
		memcpy(k, key, keylen);
	for (i = 0; i < HG_SHA1_BLOCK; i++)
		pad[i] = k[i] ^ 0x36;
	hg_sha1_init(&s);
	hg_sha1_update(&s, pad, sizeof(pad));
	hg_sha1_update(&s, msg, msglen);
	hg_sha1_final(&s, inner);
	for (i = 0; i < HG_SHA1_BLOCK; i++)
		pad[i] = k[i] ^ 0x5c;
	hg_sha1_init(&s);
	hg_sha1_update(&s, pad, sizeof(pad));
	hg_sha1_update(&s, inner, sizeof(inner));
	hg_sha1_final(&s, out);
	memset(k, 0, sizeof(k));
	memset(pad, 0, sizeof(pad));
}

/*
 * secret.c -- libsodium wrappers (see secret.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "secret.h"

static unsigned char	server_key[crypto_secretbox_KEYBYTES];
static int		have_key;

int
hg_secret_init(void)
{
	return sodium_init() < 0 ? -1 : 0;
}

int
hg_password_hash(const char *pw, char *out, size_t outlen)
{
	if (outlen < crypto_pwhash_STRBYTES)
		return -1;
	return crypto_pwhash_str(out, pw, strlen(pw),
	    crypto_pwhash_OPSLIMIT_INTERACTIVE,
	    crypto_pwhash_MEMLIMIT_INTERACTIVE) == 0 ? 0 : -1;
}

int
hg_password_verify(const char *hash, const char *pw)
{
	if (hash == NULL || *hash == '\0')
		return 0;
	return crypto_pwhash_str_verify(hash, pw, strlen(pw)) == 0;
}

void
hg_password_dummy_verify(const char *pw)
{
	static char	dummy[crypto_pwhash_STRBYTES];

	if (dummy[0] == '\0')
		(void)hg_password_hash("hangar-dummy-password", dummy, sizeof(dummy));
	(void)hg_password_verify(dummy, pw);
}

void
hg_random_hex(char *out, size_t nbytes)
{
	unsigned char buf[64];

	if (nbytes > sizeof(buf))
		nbytes = sizeof(buf);
	randombytes_buf(buf, nbytes);
	sodium_bin2hex(out, nbytes * 2 + 1, buf, nbytes);
	sodium_memzero(buf, sizeof(buf));
}

void
hg_hash_hex(const char *in, char out[HG_HASH_HEX + 1])
{
	unsigned char h[32];

	crypto_generichash(h, sizeof(h), (const unsigned char *)in, strlen(in),
	    NULL, 0);
	sodium_bin2hex(out, HG_HASH_HEX + 1, h, sizeof(h));
}

int
hg_ct_equal(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la != lb)
		return 0;
	return sodium_memcmp(a, b, la) == 0;
}

int
hg_key_load(const char *path, int create, char *err, size_t errlen)
{
	int	fd;
	ssize_t	n;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 && errno == ENOENT &&
	    create) {
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd == -1) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			return -1;
		}
		crypto_secretbox_keygen(server_key);
		if (write(fd, server_key, sizeof(server_key)) !=
		    (ssize_t)sizeof(server_key)) {
			snprintf(err, errlen, "%s: short write", path);
			close(fd);
			return -1;
		}
		close(fd);
		have_key = 1;
		return 0;
	}
	if (fd == -1) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	n = read(fd, server_key, sizeof(server_key));
	close(fd);
	if (n != (ssize_t)sizeof(server_key)) {
		snprintf(err, errlen, "%s: not a %zu-byte key", path,
		    sizeof(server_key));
		return -1;
	}
	have_key = 1;
	return 0;
}

char *
hg_seal(struct hg_arena *a, const char *plain)
{
	size_t		 plen = strlen(plain);
	size_t		 blen = crypto_secretbox_NONCEBYTES +
			    crypto_secretbox_MACBYTES + plen;
	unsigned char	*box;
	char		*out;
	size_t		 olen;

	if (!have_key)
		return NULL;
	box = hg_alloc(a, blen);
	randombytes_buf(box, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(box + crypto_secretbox_NONCEBYTES,
	    (const unsigned char *)plain, plen, box, server_key);
	olen = sodium_base64_ENCODED_LEN(blen, sodium_base64_VARIANT_ORIGINAL);
	out = hg_alloc(a, olen);
	sodium_bin2base64(out, olen, box, blen, sodium_base64_VARIANT_ORIGINAL);
	return out;
}

char *
hg_unseal(struct hg_arena *a, const char *sealed)
{
	size_t		 slen = strlen(sealed), blen;
	unsigned char	*box;
	char		*plain;

	if (!have_key)
		return NULL;
	box = hg_alloc(a, slen);
	if (sodium_base642bin(box, slen, sealed, slen, NULL, &blen, NULL,
	    sodium_base64_VARIANT_ORIGINAL) != 0 ||
	    blen < crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES)
		return NULL;
	plain = hg_alloc(a, blen - crypto_secretbox_NONCEBYTES -
	    crypto_secretbox_MACBYTES + 1);
	if (crypto_secretbox_open_easy((unsigned char *)plain,
	    box + crypto_secretbox_NONCEBYTES,
	    blen - crypto_secretbox_NONCEBYTES, box, server_key) != 0)
		return NULL;
	return plain;
}

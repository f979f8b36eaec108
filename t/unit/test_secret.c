/*
 * test_secret.c -- lib/secret.c: argon2id passwords, random tokens, the
 * stored hash of tokens, constant-time comparison, and sealed secrets under
 * a server key file that is created private.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <check.h>

#include "arena.h"
#include "secret.h"
#include "unit.h"

static struct hg_arena	a;
static char		dir[64];
static char		keypath[96];

static void
setup(void)
{
	ck_assert_int_eq(hg_secret_init(), 0);
	hg_arena_init(&a);
	snprintf(dir, sizeof(dir), "/tmp/unit-secret-XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(keypath, sizeof(keypath), "%s/secret.key", dir);
}

static void
teardown(void)
{
	hg_arena_free(&a);
	unlink(keypath);
	rmdir(dir);
}

static void
load_key(void)
{
	char err[256] = "";

	ck_assert_int_eq(hg_key_load(keypath, 1, err, sizeof(err)), 0);
	ck_assert_str_eq(err, "");
}

START_TEST(password_hash_and_verify)
{
	char h1[256], h2[256];

	ck_assert_int_eq(hg_password_hash("张三's pass; --", h1, sizeof(h1)), 0);
	ck_assert(strncmp(h1, "$argon2id$", 10) == 0);
	ck_assert_int_eq(hg_password_verify(h1, "张三's pass; --"), 1);
	ck_assert_int_eq(hg_password_verify(h1, "张三's pass; -"), 0);
	ck_assert_int_eq(hg_password_verify(h1, ""), 0);
	/* Salted: the same password hashes differently, both verify. */
	ck_assert_int_eq(hg_password_hash("张三's pass; --", h2, sizeof(h2)), 0);
	ck_assert_str_ne(h1, h2);
	ck_assert_int_eq(hg_password_verify(h2, "张三's pass; --"), 1);
	/* No hash, empty or garbage: nothing verifies. */
	ck_assert_int_eq(hg_password_verify(NULL, ""), 0);
	ck_assert_int_eq(hg_password_verify("", ""), 0);
	ck_assert_int_eq(hg_password_verify("$argon2id$garbage", "x"), 0);
	/* Too small an output buffer is refused, not overrun. */
	ck_assert_int_eq(hg_password_hash("x", h2, 16), -1);
	hg_password_dummy_verify("anything");
}
END_TEST

static int
all_lower_hex(const char *s)
{
	for (; *s; s++)
		if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
			return 0;
	return 1;
}

START_TEST(random_hex)
{
	char	tok[HG_TOKEN_HEX + 1], ses[HG_SESSION_HEX + 1];
	char	seen[100][HG_TOKEN_HEX + 1];
	int	i, j;

	memset(tok, 'Z', sizeof(tok));
	hg_random_hex(tok, HG_TOKEN_HEX / 2);
	ck_assert_uint_eq(strlen(tok), HG_TOKEN_HEX);
	ck_assert(all_lower_hex(tok));
	hg_random_hex(ses, HG_SESSION_HEX / 2);
	ck_assert_uint_eq(strlen(ses), HG_SESSION_HEX);
	ck_assert(all_lower_hex(ses));
	for (i = 0; i < 100; i++) {
		hg_random_hex(seen[i], HG_TOKEN_HEX / 2);
		ck_assert_uint_eq(strlen(seen[i]), 40);
		for (j = 0; j < i; j++)
			ck_assert_str_ne(seen[i], seen[j]);
	}
}
END_TEST

START_TEST(hash_hex_is_stable_blake2b)
{
	char h1[HG_HASH_HEX + 1], h2[HG_HASH_HEX + 1];

	/* BLAKE2b-256("abc"), as Python's hashlib.blake2b(digest_size=32). */
	hg_hash_hex("abc", h1);
	ck_assert_str_eq(h1,
	    "bddd813c634239723171ef3fee98579b94964e3bb1cb3e427262c8c068d52319");
	hg_hash_hex("abc", h2);
	ck_assert_str_eq(h1, h2);
	hg_hash_hex("abd", h2);
	ck_assert_str_ne(h1, h2);
	hg_hash_hex("", h2);
	ck_assert_uint_eq(strlen(h2), HG_HASH_HEX);
	ck_assert(all_lower_hex(h2));
}
END_TEST

START_TEST(ct_equal)
{
	ck_assert_int_eq(hg_ct_equal("abc", "abc"), 1);
	ck_assert_int_eq(hg_ct_equal("abc", "abd"), 0);
	ck_assert_int_eq(hg_ct_equal("abc", "abcd"), 0);
	ck_assert_int_eq(hg_ct_equal("", ""), 1);
	ck_assert_int_eq(hg_ct_equal("", "a"), 0);
}
END_TEST

START_TEST(seal_without_key_is_null)
{
	ck_assert_ptr_null(hg_seal(&a, "secret"));
	ck_assert_ptr_null(hg_unseal(&a, "AAAA"));
}
END_TEST

START_TEST(key_file_created_private)
{
	struct stat	st;
	char		err[256] = "";
	mode_t		old;

	/* Even with a permissive umask the key is readable by its owner only. */
	old = umask(0);
	load_key();
	umask(old);
	ck_assert_int_eq(stat(keypath, &st), 0);
	ck_assert_int_eq(st.st_mode & 0777, 0600);
	ck_assert_int_eq(st.st_size, 32);
	/* Loading again reads the same key: an old seal still opens. */
	ck_assert_int_eq(hg_key_load(keypath, 0, err, sizeof(err)), 0);
}
END_TEST

START_TEST(key_file_errors)
{
	char	err[256] = "", want[256];
	FILE	*f;

	ck_assert_int_eq(hg_key_load(keypath, 0, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: No such file or directory", keypath);
	ck_assert_str_eq(err, want);
	ck_assert_int_eq(access(keypath, F_OK), -1);	/* not created */
	f = fopen(keypath, "w");
	fputs("short", f);
	fclose(f);
	ck_assert_int_eq(hg_key_load(keypath, 1, err, sizeof(err)), -1);
	snprintf(want, sizeof(want), "%s: not a 32-byte key", keypath);
	ck_assert_str_eq(err, want);
	ck_assert_ptr_null(hg_seal(&a, "x"));
}
END_TEST

START_TEST(seal_round_trip)
{
	const char	*plain = "-----BEGIN KEY-----\n张三 '; DROP TABLE x; --\n";
	char		*s1, *s2, *big, *out;
	char		 err[256] = "";

	load_key();
	s1 = hg_seal(&a, plain);
	s2 = hg_seal(&a, plain);
	ck_assert_ptr_nonnull(s1);
	ck_assert_ptr_null(strstr(s1, "张三"));
	/* A fresh nonce each time. */
	ck_assert_str_ne(s1, s2);
	ck_assert_str_eq(hg_unseal(&a, s1), plain);
	ck_assert_str_eq(hg_unseal(&a, s2), plain);
	ck_assert_str_eq(hg_unseal(&a, hg_seal(&a, "")), "");
	big = hg_alloc(&a, 100001);
	memset(big, 'k', 100000);
	out = hg_unseal(&a, hg_seal(&a, big));
	ck_assert_ptr_nonnull(out);
	ck_assert_str_eq(out, big);
	/* After reloading the same key file, old seals still open. */
	ck_assert_int_eq(hg_key_load(keypath, 0, err, sizeof(err)), 0);
	ck_assert_str_eq(hg_unseal(&a, s1), plain);
}
END_TEST

START_TEST(tampered_is_null)
{
	char	*s, *t;
	size_t	 i, n;

	load_key();
	s = hg_seal(&a, "the secret");
	n = strlen(s);
	/* Flip each base64 character in turn (except padding). */
	for (i = 0; i < n && s[i] != '='; i++) {
		t = hg_strdup(&a, s);
		t[i] = t[i] == 'A' ? 'B' : 'A';
		ck_assert_msg(hg_unseal(&a, t) == NULL, "char %zu", i);
	}
	ck_assert_ptr_null(hg_unseal(&a, ""));
	ck_assert_ptr_null(hg_unseal(&a, "not base64!"));
	ck_assert_ptr_null(hg_unseal(&a, "AAAA"));
	t = hg_strndup(&a, s, n - 8);
	ck_assert_ptr_null(hg_unseal(&a, t));
}
END_TEST

START_TEST(other_key_cannot_open)
{
	char	*s;
	char	 err[256] = "";

	load_key();
	s = hg_seal(&a, "the secret");
	unlink(keypath);
	ck_assert_int_eq(hg_key_load(keypath, 1, err, sizeof(err)), 0);
	ck_assert_ptr_null(hg_unseal(&a, s));
}
END_TEST

int
main(void)
{
	Suite	*s = suite_create("secret");
	TCase	*tc = tcase_create("secret");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, password_hash_and_verify);
	tcase_add_test(tc, random_hex);
	tcase_add_test(tc, hash_hex_is_stable_blake2b);
	tcase_add_test(tc, ct_equal);
	tcase_add_test(tc, seal_without_key_is_null);
	tcase_add_test(tc, key_file_created_private);
	tcase_add_test(tc, key_file_errors);
	tcase_add_test(tc, seal_round_trip);
	tcase_add_test(tc, tampered_is_null);
	tcase_add_test(tc, other_key_cannot_open);
	return unit_run(s, tc);
}

/*
 * cert.c -- the certificate an SSL request is finished with, checked by
 * OpenSSL's libcrypto (the TLS library libcurl already brings).
 *
 * The input is a PEM chain, leaf first.  Refused (10002 on the field):
 * anything that holds a private key (any "PRIVATE KEY" block, encrypted
 * or not: a key must never travel through Hangar); a block that is not a
 * CERTIFICATE; a certificate that does not parse; no certificate at all,
 * or more than MAXCHAIN; a chain whose certificates do not each issue the
 * one before; a leaf that has expired; a leaf that does not cover the
 * request: X509_check_host's RFC 6125 match of the domain for 'normal', a
 * "*.domain" DNS name (or, without DNS names, common name) for 'wizard'.
 * What is kept: the leaf's subject and issuer (RFC 2253), its DNS names,
 * notAfter, SHA-256 fingerprint, and the chain re-encoded (so no text
 * around the blocks is stored).
 */
#include <string.h>
#include <time.h>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "hangard.h"
#include "requests/requests.h"

#define MAXCHAIN	10
#define MAXTEXT		1000	/* subject and issuer, bytes (columns: 1024) */

/* A memory BIO's text, copied to the arena (cut at MAXTEXT on a char). */
static const char *
bio_text(struct hg_req *r, BIO *b, size_t max)
{
	char	*p, *s;
	long	 n = BIO_get_mem_data(b, &p);
	size_t	 len = n > 0 ? (size_t)n : 0;

	if (len > max) {
		len = max;
		while (len > 0 && ((unsigned char)p[len] & 0xc0) == 0x80)
			len--;
	}
	s = hg_alloc(r->r_arena, len + 1);
	memcpy(s, p, len);
	s[len] = '\0';
	return s;
}

static const char *
name_text(struct hg_req *r, const X509_NAME *name)
{
	BIO		*b = BIO_new(BIO_s_mem());
	const char	*s = "";

	if (b == NULL)
		return s;
	if (X509_NAME_print_ex(b, name, 0, XN_FLAG_RFC2253 &
	    ~ASN1_STRFLGS_ESC_MSB) >= 0)
		s = bio_text(r, b, MAXTEXT);
	BIO_free(b);
	return s;
}

/*
 * The leaf's DNS names into the JSON array a; 1 if one of them equals
 * want (case-insensitively), else 0.  *n gets how many there are.
 */
static int
dns_names(const X509 *x, json_object *a, const char *want, int *n)
{
	GENERAL_NAMES	*gens;
	int		 i, found = 0;

	*n = 0;
	gens = X509_get_ext_d2i(x, NID_subject_alt_name, NULL, NULL);
	if (gens == NULL)
		return 0;
	for (i = 0; i < sk_GENERAL_NAME_num(gens); i++) {
		const GENERAL_NAME	*g = sk_GENERAL_NAME_value(gens, i);
		const unsigned char	*s;
		int			 len;

		if (g->type != GEN_DNS)
			continue;
		s = ASN1_STRING_get0_data(g->d.dNSName);
		len = ASN1_STRING_length(g->d.dNSName);
		if (len <= 0 || memchr(s, '\0', (size_t)len) != NULL)
			continue;
		json_object_array_add(a, json_object_new_string_len(
		    (const char *)s, len));
		(*n)++;
		if (want != NULL && strlen(want) == (size_t)len &&
		    strncasecmp(want, (const char *)s, (size_t)len) == 0)
			found = 1;
	}
	GENERAL_NAMES_free(gens);
	return found;
}

/* Does the leaf's common name equal want (case-insensitively)? */
static int
cn_is(const X509 *x, const char *want)
{
	char	cn[256];
	int	len;

	len = X509_NAME_get_text_by_NID(X509_get_subject_name(x),
	    NID_commonName, cn, sizeof(cn));
	return len > 0 && strcasecmp(cn, want) == 0;
}

int
rq_cert_check(struct hg_req *r, const char *field, const char *pem,
    const char *domain, int wild, struct rq_cert *c)
{
	X509		*chain[MAXCHAIN];
	BIO		*in = NULL, *out = NULL;
	char		*name = NULL, *header = NULL;
	unsigned char	*data = NULL, md[EVP_MAX_MD_SIZE];
	const unsigned char *p;
	const char	*why = NULL, *want;
	json_object	*sans = NULL;
	struct tm	 tm;
	char		 hex[2 * EVP_MAX_MD_SIZE + 1], when[32];
	unsigned int	 mdlen = 0, k;
	long		 len;
	int		 n = 0, i, nsans, covered, rc = 0;

	memset(c, 0, sizeof(*c));
	if (strstr(pem, "PRIVATE KEY") != NULL) {
		why = "must not contain a private key (send the certificate "
		    "chain only)";
		goto done;
	}
	if ((in = BIO_new_mem_buf(pem, -1)) == NULL)
		goto fail;
	while (PEM_read_bio(in, &name, &header, &data, &len) == 1) {
		if (strcmp(name, "CERTIFICATE") != 0) {
			why = hg_printf(r->r_arena, "holds a \"%.40s\" block: "
			    "only CERTIFICATE blocks are taken", name);
			goto done;
		}
		if (n == MAXCHAIN) {
			why = "must hold at most 10 certificates";
			goto done;
		}
		p = data;
		chain[n] = d2i_X509(NULL, &p, len);
		if (chain[n] == NULL || p != data + len) {
			X509_free(chain[n]);
			why = hg_printf(r->r_arena, "certificate %d is not a "
			    "valid X.509 certificate", n + 1);
			goto done;
		}
		n++;
		OPENSSL_free(name);
		OPENSSL_free(header);
		OPENSSL_free(data);
		name = header = NULL;
		data = NULL;
	}
	if (n == 0) {
		why = "must be a PEM certificate chain (-----BEGIN "
		    "CERTIFICATE-----), leaf first";
		goto done;
	}
	for (i = 1; i < n; i++)
		if (X509_check_issued(chain[i], chain[i - 1]) != X509_V_OK) {
			why = hg_printf(r->r_arena, "certificate %d did not "
			    "issue certificate %d: the chain must go from the "
			    "leaf up to its issuers", i + 1, i);
			goto done;
		}
	if (ASN1_TIME_to_tm(X509_get0_notAfter(chain[0]), &tm) != 1)
		goto fail;
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S", &tm);
	if (X509_cmp_current_time(X509_get0_notAfter(chain[0])) <= 0) {
		why = hg_printf(r->r_arena, "has expired (not after %s UTC)",
		    when);
		goto done;
	}
	sans = json_object_new_array();
	want = wild ? hg_printf(r->r_arena, "*.%s", domain) : domain;
	covered = dns_names(chain[0], sans, want, &nsans);
	if (wild && !covered && nsans == 0)
		covered = cn_is(chain[0], want);
	if (!wild)
		covered = X509_check_host(chain[0], domain, strlen(domain), 0,
		    NULL) == 1;
	if (!covered) {
		why = hg_printf(r->r_arena, "does not cover %s%s", want,
		    wild ? " (a wildcard certificate is asked for)" : "");
		goto done;
	}
	if (X509_digest(chain[0], EVP_sha256(), md, &mdlen) != 1)
		goto fail;
	for (k = 0; k < mdlen; k++)
		snprintf(hex + 2 * k, 3, "%02x", md[k]);
	if ((out = BIO_new(BIO_s_mem())) == NULL)
		goto fail;
	for (i = 0; i < n; i++)
		if (PEM_write_bio_X509(out, chain[i]) != 1)
			goto fail;
	c->c_pem = bio_text(r, out, 1 << 20);
	c->c_subject = name_text(r, X509_get_subject_name(chain[0]));
	c->c_issuer = name_text(r, X509_get_issuer_name(chain[0]));
	c->c_sans = hg_strdup(r->r_arena, json_object_to_json_string_ext(sans,
	    JSON_C_TO_STRING_PLAIN));
	c->c_not_after = hg_strdup(r->r_arena, when);
	c->c_fingerprint = hg_strdup(r->r_arena, hex);
	goto done;
fail:
	rc = hg_fail(r, HG_E_INTERNAL, "libcrypto failed checking a "
	    "certificate");
done:
	if (why != NULL)
		rc = hg_invalid(r, field, why);
	OPENSSL_free(name);
	OPENSSL_free(header);
	OPENSSL_free(data);
	for (i = 0; i < n; i++)
		X509_free(chain[i]);
	json_object_put(sans);
	BIO_free(in);
	BIO_free(out);
	ERR_clear_error();
	return rc;
}

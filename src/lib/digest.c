/*
 * digest.c - hashing through OpenSSL 3 EVP/EVP_MAC.
 */
#include "lib/digest.h"
#include "lib/mem.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

struct digest {
	EVP_MD_CTX *md;
	EVP_MAC_CTX *mac;
};

static void
crypto_fail(const char *what)
{
	fprintf(stderr, "<2>chansync: libcrypto failure in %s\n", what);
	abort();
}

struct digest *
digest_new(const void *key, size_t keylen)
{
	struct digest *d = xcalloc(1, sizeof(*d));

	if (key) {
		EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
		OSSL_PARAM params[2];

		if (mac == NULL)
			crypto_fail("EVP_MAC_fetch");
		d->mac = EVP_MAC_CTX_new(mac);
		EVP_MAC_free(mac);
		params[0] = OSSL_PARAM_construct_utf8_string(
		    OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0);
		params[1] = OSSL_PARAM_construct_end();
		if (d->mac == NULL ||
		    !EVP_MAC_init(d->mac, key, keylen, params))
			crypto_fail("EVP_MAC_init");
	} else {
		d->md = EVP_MD_CTX_new();
		if (d->md == NULL ||
		    !EVP_DigestInit_ex(d->md, EVP_sha256(), NULL))
			crypto_fail("EVP_DigestInit");
	}
	return d;
}

void
digest_update(struct digest *d, const void *p, size_t n)
{
	if (d->mac ? !EVP_MAC_update(d->mac, p, n) :
	    !EVP_DigestUpdate(d->md, p, n))
		crypto_fail("digest update");
}

void
digest_final(struct digest *d, unsigned char out[DIGEST_LEN])
{
	if (d->mac) {
		size_t outl = 0;

		if (!EVP_MAC_final(d->mac, out, &outl, DIGEST_LEN) ||
		    outl != DIGEST_LEN)
			crypto_fail("EVP_MAC_final");
		EVP_MAC_CTX_free(d->mac);
	} else {
		unsigned int outl = 0;

		if (!EVP_DigestFinal_ex(d->md, out, &outl) || outl != DIGEST_LEN)
			crypto_fail("EVP_DigestFinal");
		EVP_MD_CTX_free(d->md);
	}
	free(d);
}

void
sha256(const void *p, size_t n, unsigned char out[DIGEST_LEN])
{
	struct digest *d = digest_new(NULL, 0);

	digest_update(d, p, n);
	digest_final(d, out);
}

void
hex_encode(const unsigned char *p, size_t n, char *hex)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		hex[2 * i] = digits[p[i] >> 4];
		hex[2 * i + 1] = digits[p[i] & 15];
	}
	hex[2 * n] = '\0';
}

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
hex_decode(const char *hex, unsigned char *out, size_t n)
{
	size_t i;

	if (strlen(hex) != 2 * n)
		return -1;
	for (i = 0; i < n; i++) {
		int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);

		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

char *
base64(const void *p, size_t n)
{
	char *out = xmalloc(4 * ((n + 2) / 3) + 1);

	EVP_EncodeBlock((unsigned char *)out, p, (int)n);
	return out;
}

char *
base64url(const void *p, size_t n)
{
	size_t cap = 4 * ((n + 2) / 3) + 1, i;
	char *out = xmalloc(cap);
	int len = EVP_EncodeBlock((unsigned char *)out, p, (int)n);

	for (i = 0; i < (size_t)len; i++) {
		if (out[i] == '+')
			out[i] = '-';
		else if (out[i] == '/')
			out[i] = '_';
	}
	while (len > 0 && out[len - 1] == '=')
		len--;
	out[len] = '\0';
	return out;
}

char *
rs256_sign_b64url(const char *pem, size_t pemlen, const void *data, size_t len,
    char *err, size_t errlen)
{
	BIO *bio = BIO_new_mem_buf(pem, (int)pemlen);
	EVP_PKEY *key = NULL;
	EVP_MD_CTX *md = NULL;
	unsigned char *sig = NULL;
	size_t siglen = 0;
	char *ret = NULL;

	if (bio == NULL || (key = PEM_read_bio_PrivateKey(bio, NULL, NULL,
	    (void *)"")) == NULL) {
		snprintf(err, errlen, "the private key is not a PEM private key "
		    "(unencrypted PKCS#8 or PKCS#1)");
		goto out;
	}
	if (EVP_PKEY_get_base_id(key) != EVP_PKEY_RSA) {
		snprintf(err, errlen, "the private key is not an RSA key (RS256 "
		    "needs RSA)");
		goto out;
	}
	if ((md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestSignInit(md, NULL, EVP_sha256(), NULL, key) != 1 ||
	    EVP_DigestSign(md, NULL, &siglen, data, len) != 1) {
		snprintf(err, errlen, "cannot sign with the private key");
		goto out;
	}
	sig = xmalloc(siglen);
	if (EVP_DigestSign(md, sig, &siglen, data, len) != 1) {
		snprintf(err, errlen, "cannot sign with the private key");
		goto out;
	}
	ret = base64url(sig, siglen);
out:
	ERR_clear_error();	/* OpenSSL's queue could hold key details */
	free(sig);
	EVP_MD_CTX_free(md);
	EVP_PKEY_free(key);
	BIO_free(bio);
	return ret;
}

int
random_bytes(void *p, size_t n)
{
	unsigned char *b = p;

	while (n > 0) {
		ssize_t r = getrandom(b, n, 0);

		if (r < 0)
			return -1;
		b += r;
		n -= (size_t)r;
	}
	return 0;
}

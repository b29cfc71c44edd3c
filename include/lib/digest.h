/*
 * digest.h - SHA-256, HMAC-SHA256, RS256 signatures, base64url and random
 * bytes (OpenSSL libcrypto). The only module that includes OpenSSL's
 * crypto headers.
 */
#ifndef CHANSYNC_DIGEST_H
#define CHANSYNC_DIGEST_H

#include <stddef.h>

#define DIGEST_LEN 32
#define DIGEST_HEX_LEN 64

/* An incremental SHA-256 or, with a key, HMAC-SHA256. */
struct digest;

/* key may be NULL (plain SHA-256). Returns a new context. */
struct digest *digest_new(const void *key, size_t keylen);
void digest_update(struct digest *d, const void *p, size_t n);
/* Writes DIGEST_LEN bytes and frees d. */
void digest_final(struct digest *d, unsigned char out[DIGEST_LEN]);

void sha256(const void *p, size_t n, unsigned char out[DIGEST_LEN]);
/* Writes 2*n lowercase hex digits and a NUL into hex. */
void hex_encode(const unsigned char *p, size_t n, char *hex);
/* Returns 0 and fills out (n bytes) from 2*n hex digits, else -1. */
int hex_decode(const char *hex, unsigned char *out, size_t n);
/*
 * Signs data with RSASSA-PKCS1-v1_5 over SHA-256 (JWT "RS256") using the
 * PEM private key pem (pemlen bytes, not NUL-terminated necessarily).
 * Returns a new base64url string (no padding), or NULL with a reason in
 * err that never contains key material.
 */
char *rs256_sign_b64url(const char *pem, size_t pemlen, const void *data,
    size_t len, char *err, size_t errlen);
/* Returns a new string: base64 (RFC 4648 §4, padded) of n bytes. */
char *base64(const void *p, size_t n);
/* Returns a new string: base64url of n bytes, without padding. */
char *base64url(const void *p, size_t n);

/* Fills p with n bytes from the system CSPRNG. Returns 0 or -1. */
int random_bytes(void *p, size_t n);

#endif

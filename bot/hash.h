/* SPDX-License-Identifier: MIT */
/*
 * Digests on OpenSSL's libcrypto, the only module that includes it.
 */
#ifndef DONDOC_HASH_H
#define DONDOC_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HASH_SHA256_HEX_LEN 65	/* 64 hex digits and a NUL */

/* A running SHA-256; opaque. */
struct hash;

/* Returns a new SHA-256 context; free with hash_free(). */
struct hash *hash_new(void);
/*
 * Returns a new HMAC-SHA-256 context keyed with the n bytes at key (copied
 * by libcrypto); hash_add and hash_final_hex work on it as on a digest,
 * and each final starts the next MAC under the same key.
 */
struct hash *hash_new_hmac(const void *key, size_t n);
struct hash *hash_free(struct hash *h);
/* Feeds n bytes. */
void hash_add(struct hash *h, const void *data, size_t n);
/*
 * Feeds a string framed by its length, so that ("ab","c") and ("a","bc")
 * differ; s may be NULL, which differs from "".
 */
void hash_add_field(struct hash *h, const char *s);
/* Writes the lowercase hex digest into out and resets h for reuse. */
void hash_final_hex(struct hash *h, char out[HASH_SHA256_HEX_LEN]);

/*
 * True when the n bytes at a and b are equal, compared in constant time
 * (CRYPTO_memcmp): for secrets and signatures, where the time of a
 * memcmp would tell how much of a guess was right.
 */
bool hash_equal(const void *a, const void *b, size_t n);

/* The first 8 bytes of SHA-256 of the n bytes at data, as a signed integer. */
int64_t hash_sha256_int64(struct hash *h, const void *data, size_t n);

#endif

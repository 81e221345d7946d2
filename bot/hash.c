/* SPDX-License-Identifier: MIT */
/*
 * SHA-256 through the EVP interface of libcrypto.  Failures of the EVP
 * calls mean a broken libcrypto or no memory: both end the process, as
 * out-of-memory does everywhere else (STYLE rule 9).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "hash.h"
#include "xalloc.h"

struct hash {
	EVP_MD_CTX *ctx;
	EVP_MD *md;	/* fetched once: EVP_sha256() looks it up again each time */
	EVP_MAC_CTX *mac;	/* HMAC instead of the digest, when keyed */
};

static void
check(int ok)
{
	if (!ok) {
		fprintf(stderr, "dondoc: libcrypto SHA-256 failed\n");
		abort();
	}
}

struct hash *
hash_new(void)
{
	struct hash *h = xcalloc(1, sizeof(*h));

	h->ctx = EVP_MD_CTX_new();
	h->md = EVP_MD_fetch(NULL, "SHA256", NULL);
	check(h->ctx != NULL && h->md != NULL);
	check(EVP_DigestInit_ex(h->ctx, h->md, NULL));
	return h;
}

struct hash *
hash_new_hmac(const void *key, size_t n)
{
	struct hash *h = hash_new();
	EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	OSSL_PARAM params[] = {
		OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0),
		OSSL_PARAM_construct_end(),
	};

	check(mac != NULL);
	h->mac = EVP_MAC_CTX_new(mac);
	EVP_MAC_free(mac);	/* the context keeps its own reference */
	check(h->mac != NULL);
	check(EVP_MAC_init(h->mac, key, n, params));
	return h;
}

struct hash *
hash_free(struct hash *h)
{
	if (h) {
		EVP_MAC_CTX_free(h->mac);
		EVP_MD_CTX_free(h->ctx);
		EVP_MD_free(h->md);
		free(h);
	}
	return NULL;
}

void
hash_add(struct hash *h, const void *data, size_t n)
{
	if (h->mac)
		check(EVP_MAC_update(h->mac, data, n));
	else
		check(EVP_DigestUpdate(h->ctx, data, n));
}

void
hash_add_field(struct hash *h, const char *s)
{
	char len[32];
	int n;

	if (!s) {
		hash_add(h, "-;", 2);
		return;
	}
	n = snprintf(len, sizeof(len), "%zu:", strlen(s));
	hash_add(h, len, (size_t)n);
	hash_add(h, s, strlen(s));
	hash_add(h, ";", 1);
}

void
hash_final_hex(struct hash *h, char out[HASH_SHA256_HEX_LEN])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	static const char hex[] = "0123456789abcdef";

	if (h->mac) {
		size_t len = 0;

		check(EVP_MAC_final(h->mac, md, &len, sizeof(md)));
		/* NULL key: the same key again, for the next MAC. */
		check(EVP_MAC_init(h->mac, NULL, 0, NULL));
		n = (unsigned int)len;
	} else {
		check(EVP_DigestFinal_ex(h->ctx, md, &n));
	}
	for (unsigned int i = 0; i < n && i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
	if (!h->mac)
		check(EVP_DigestInit_ex(h->ctx, h->md, NULL));
}

int64_t
hash_sha256_int64(struct hash *h, const void *data, size_t n)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	uint64_t v = 0;

	hash_add(h, data, n);
	check(EVP_DigestFinal_ex(h->ctx, md, &len));
	for (int i = 0; i < 8; i++)
		v = v << 8 | md[i];
	check(EVP_DigestInit_ex(h->ctx, h->md, NULL));
	return (int64_t)v;
}

bool
hash_equal(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * SHA-256 through the EVP interface of libcrypto.  Failures of the EVP
 * calls mean a broken libcrypto or no memory: both end the process, as
 * out-of-memory does everywhere else (STYLE rule 9).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>

#include "hash.h"
#include "xalloc.h"

struct hash {
	EVP_MD_CTX *ctx;
	EVP_MD *md;	/* fetched once: EVP_sha256() looks it up again each time */
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
hash_free(struct hash *h)
{
	if (h) {
		EVP_MD_CTX_free(h->ctx);
		EVP_MD_free(h->md);
		free(h);
	}
	return NULL;
}

void
hash_add(struct hash *h, const void *data, size_t n)
{
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

	check(EVP_DigestFinal_ex(h->ctx, md, &n));
	for (unsigned int i = 0; i < n && i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
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

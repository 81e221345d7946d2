/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: Zalo's webhook (zalobot.h, zalobot_webhook) as the
 * server drives it: the signature header checked, the body read
 * (zalobot_read, through parse), the event handled inside a transaction
 * as the writer's batch does, what it leaves taken, everything freed.
 * Zalo is never called (run_after is not run).
 *
 * The input is the body Zalo POSTs (a refdata event is a seed as it is),
 * signed here as Zalo signs it (SHA-256 of app id, body, timestamp and
 * the OA secret, SIGNATURE.md) so that the reader gets past the check;
 * one that starts with byte 0x01 carries the signature header's value
 * first, up to a newline, sent as it is, to fuzz the check itself.
 * DONDOC_NOW is SIGNATURE.md's timestamp (2025-01-01 00:00 UTC), so its
 * vectors are in the window; the registry is seed_registry.h's, each
 * input rolled back after.
 *
 * What must hold: a body signed right is never refused 401; a signature
 * that is not the right one never gets past (0, 200 or 403); handling
 * returns 0 or -EINVAL, never a transient failure on a healthy registry.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <jansson.h>

#include "dlmhd.h"
#include "hash.h"
#include "inbound.h"
#include "seed_registry.h"
#include "web.h"
#include "zalobot.h"

#define APP "2553928453557884079"
#define OA "3662729599332560487"
#define OA_SECRET "TESTOASECRETKEY123"
#define ZALO_NOW_ISO "2025-01-01T00:00:00Z"

static struct seed fx;
static struct zalobot *bot;
static char *header;		/* the signature header's value for this input; NULL: none */
/* The request the transport is handed: only http_header() reads it, answered below. */
static _Alignas(max_align_t) char fake_req[1 << 16];

static const char *
fake_lookup(struct MHD_Connection *c, enum MHD_ValueKind kind, const char *key)
{
	(void)c;
	(void)kind;
	return strcasecmp(key, ZALOBOT_SIGNATURE_HEADER) == 0 ? header : NULL;
}

static void
bot_close(void)
{
	bot = zalobot_free(bot);
}

static void
write_secret(const char *path, const char *value)
{
	FILE *fp = fopen(path, "w");

	if (!fp || fputs(value, fp) < 0 || fclose(fp) != 0)
		seed_die(path, "cannot write");
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct config cfg = { 0 };
	char app_secret[600], oa_secret[600], *msg = NULL;

	(void)argc;
	(void)argv;
	/* The bot's clock (the timestamps' window), read by zalobot_new. */
	setenv("DONDOC_NOW", ZALO_NOW_ISO, 1);
	seed_open(&fx);
	snprintf(app_secret, sizeof(app_secret), "%s/app-secret", fx.dir);
	snprintf(oa_secret, sizeof(oa_secret), "%s/oa-secret", fx.dir);
	write_secret(app_secret, "TESTAPPSECRET\n");
	write_secret(oa_secret, OA_SECRET "\n");
	cfg.zalo_app_id = APP;
	cfg.zalo_oa_id = OA;
	cfg.zalo_secret_key_file = app_secret;
	cfg.zalo_oa_secret_key_file = oa_secret;
	/* Never called: run_after is not run. */
	cfg.zalo_api_base = "http://127.0.0.1:9";
	cfg.zalo_oauth_base = "http://127.0.0.1:9";
	cfg.zalo_zns_base = "http://127.0.0.1:9";
	if (zalobot_new(&cfg, &bot, &msg) < 0 || !bot)
		seed_die("zalobot", msg);
	sym_MHD_lookup_connection_value = fake_lookup;
	atexit(bot_close);
	return 0;
}

/* obj[key] as a string, "" when it is none (the reader refuses those before the signature). */
static const char *
str_or_empty(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));

	return s ? s : "";
}

/* "mac=" and the hex Zalo would send for body (new). */
static char *
sign(const char *body, size_t n)
{
	json_t *j = json_loadb(body, n, JSON_REJECT_DUPLICATES, NULL);
	const char *app = str_or_empty(j, "app_id"), *ts = str_or_empty(j, "timestamp");
	char hex[HASH_SHA256_HEX_LEN], *mac;
	struct hash *h = hash_new();

	hash_add(h, app, strlen(app));
	hash_add(h, body, n);
	hash_add(h, ts, strlen(ts));
	hash_add(h, OA_SECRET, strlen(OA_SECRET));
	hash_final_hex(h, hex);
	hash_free(h);
	json_decref(j);
	mac = malloc(4 + sizeof(hex));
	if (!mac)
		abort();
	memcpy(mac, "mac=", 4);
	memcpy(mac + 4, hex, sizeof(hex));
	return mac;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct web_transport *t = &zalobot_webhook;
	struct http_req *q = (struct http_req *)fake_req;
	struct inbound_env env = { .s = fx.s, .clk = &fx.clk, .rend = fx.rend, .sch = fx.sch,
				   .cs = fx.cs, .queue_reply = true, .in_txn = true };
	const char *body = (const char *)data;
	struct web_outcome out = { 0 };
	void *payload = NULL;
	bool given = false, right;
	char *mac;
	int status, e;

	if (size > 0 && data[0] == 0x01) {
		const uint8_t *nl = memchr(data, '\n', size);
		size_t n = nl ? (size_t)(nl - data) - 1 : size - 1;

		header = strndup((const char *)data + 1, n);
		if (!header)
			abort();
		body += n + 1 + (nl != NULL);
		size -= n + 1 + (nl != NULL);
		given = true;
	}
	mac = sign(body, size);
	if (!given)
		header = strdup(mac);
	if (!header)
		abort();
	right = strcmp(header, mac) == 0 || strcmp(header, mac + 4) == 0;
	status = t->auth(bot, q);
	if (status)
		abort();	/* the header is there */
	status = t->parse(bot, q, body, size, &payload);
	if (right && status == 401)
		abort();
	if (!right && (status == 0 || status == 200 || status == 403))
		abort();
	if (status != 0)
		goto out;
	if (store_begin(fx.s) < 0)
		abort();
	e = t->handle(bot, &env, payload);
	if (e != 0 && e != -EINVAL)
		abort();
	if (!store_in_txn(fx.s))
		abort();
	store_rollback(fx.s);
	if (e == 0) {
		t->committed(bot, payload, &out);
		free(out.answer);
		if (out.left)
			t->free_left(out.left);
	}
	t->free_payload(payload);
out:
	free(mac);
	free(header);
	header = NULL;
	return 0;
}

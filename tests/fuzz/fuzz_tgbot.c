/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: Telegram's webhook (tgbot.h, tgbot_webhook) as the
 * server drives it, a delivery end to end up to the command: the secret
 * checked (auth), the body read (parse), the update handled inside a
 * transaction as the writer's batch does (handle, in_txn), what it leaves
 * taken (committed), everything freed.  The Bot API is never called: the
 * calls left for after (run_after) are dropped, and the bot's getMe at
 * start goes to a closed loopback port.
 *
 * The input is the body Telegram POSTs (a refdata update is a seed as it
 * is); one that starts with byte 0x01 carries the secret header's value
 * first, up to a newline, to fuzz the check too.  Against seed_registry.h's
 * registry, each input rolled back after.
 *
 * What must hold: a wrong secret is 401, the right one passes; a body is
 * queued, or acknowledged with 200; handling returns 0 or -EINVAL (an
 * update the bot cannot read), never a transient failure on a healthy
 * registry; an answer riding on the webhook is a JSON object with a method.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dlmhd.h"
#include "inbound.h"
#include "seed_registry.h"
#include "tgbot.h"
#include "web.h"

#define SECRET "fuzz-Secret_0123456789"
#define SECRET_HEADER "X-Telegram-Bot-Api-Secret-Token"

static struct seed fx;
static struct tgbot *bot;
static char *header;		/* the secret header's value for this input; NULL: none */
/*
 * The request the transport is handed: only http_header() reads it, and
 * the lookup below answers for it, whatever the connection (zeros).
 */
static _Alignas(max_align_t) char fake_req[1 << 16];

static const char *
fake_lookup(struct MHD_Connection *c, enum MHD_ValueKind kind, const char *key)
{
	(void)c;
	(void)kind;
	return strcasecmp(key, SECRET_HEADER) == 0 ? header : NULL;
}

static void
bot_close(void)
{
	bot = tgbot_free(bot);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct config cfg = { 0 };
	char token[600], *msg = NULL;
	FILE *fp;

	(void)argc;
	(void)argv;
	setenv("DONDOC_NOW", SEED_NOW_ISO, 1);
	seed_open(&fx);
	snprintf(token, sizeof(token), "%s/token", fx.dir);
	fp = fopen(token, "w");
	if (!fp || fputs("123456:FUZZ-token\n", fp) < 0 || fclose(fp) != 0)
		seed_die(token, "cannot write");
	cfg.telegram_token_file = token;
	/* Nothing listens there: getMe and setMyCommands fail at once, and the bot goes on. */
	cfg.telegram_api_base = "http://127.0.0.1:9";
	cfg.telegram_mode = "webhook";
	cfg.telegram_bot_username = "DonDocBot";
	if (tgbot_new(&cfg, &bot, &msg) < 0 || !bot)
		seed_die("tgbot", msg);
	tgbot_set_webhook_secret(bot, SECRET);
	sym_MHD_lookup_connection_value = fake_lookup;
	atexit(bot_close);
	return 0;
}

/* An answer for the webhook's response: a JSON object naming its method. */
static void
check_answer(const char *answer)
{
	json_t *j = json_loads(answer, 0, NULL);

	if (!json_is_object(j) || !json_is_string(json_object_get(j, "method")))
		abort();
	json_decref(j);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct web_transport *t = &tgbot_webhook;
	struct http_req *q = (struct http_req *)fake_req;
	struct inbound_env env = { .s = fx.s, .clk = &fx.clk, .rend = fx.rend, .sch = fx.sch,
				   .cs = fx.cs, .bot_username = "DonDocBot", .queue_reply = true,
				   .in_txn = true };
	const char *body = (const char *)data;
	struct web_outcome out = { 0 };
	void *payload = NULL;
	int status, e;

	header = strdup(SECRET);
	if (size > 0 && data[0] == 0x01) {
		const uint8_t *nl = memchr(data, '\n', size);
		size_t n = nl ? (size_t)(nl - data) - 1 : size - 1;

		free(header);
		header = strndup((const char *)data + 1, n);
		body += n + 1 + (nl != NULL);
		size -= n + 1 + (nl != NULL);
	}
	if (!header)
		abort();
	status = t->auth(bot, q);
	if (status != (strcmp(header, SECRET) == 0 ? 0 : 401))
		abort();
	if (status)
		goto out;
	status = t->parse(bot, q, body, size, &payload);
	if (status != 0 && status != 200)
		abort();
	if (status)
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
		if (out.answer)
			check_answer(out.answer);
		free(out.answer);
		if (out.left)
			t->free_left(out.left);
	}
	t->free_payload(payload);
out:
	free(header);
	header = NULL;
	return 0;
}

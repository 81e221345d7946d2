/* SPDX-License-Identifier: MIT */
/*
 * Chat from the command line: "person invite" makes the one-time code that
 * links a person's Telegram chat, and "chat" runs a chat command as a
 * linked chat would send it (the secretariat answering for someone without
 * a phone at hand, and the tests), through the same command layer.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sysexits.h>

#include "buf.h"
#include "chatplain.h"
#include "cli.h"
#include "command.h"
#include "config.h"
#include "hash.h"
#include "inbound.h"
#include "norm.h"
#include "registry.h"
#include "render.h"
#include "schedule.h"
#include "store.h"
#include "xalloc.h"

#define CODE_LEN COMMAND_CODE_LEN	/* 60 bits: guessing one within its days is hopeless */
#define CODE_DAYS 7

/* No 0/O or 1/I: the code may be read out over the phone. */
static const char code_alphabet[] = COMMAND_CODE_ALPHABET;

struct invite_args {
	int64_t days;
};

static int
invite_opt(int c, const char *arg, void *userdata)
{
	struct invite_args *a = userdata;

	if (c == 'd' && cli_parse_int(arg, 1, 30, &a->days) < 0)
		return cli_usage_error("person invite", "--days must be 1..30");
	return 0;
}

int
cmd_person_invite(struct dondoc *d, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "days", required_argument, NULL, 'd' },
		{ 0 },
	};
	struct invite_args a = { .days = CODE_DAYS };
	struct person p = { 0 };
	unsigned char rnd[CODE_LEN];
	char code[CODE_LEN + 1], hex[HASH_SHA256_HEX_LEN], until[16];
	int64_t id = 0, now = clock_now(&d->clock), expires;
	struct hash *h;
	struct event e = { .at = now, .actor = d->actor, .channel = "cli", .kind = "invite" };
	char *who = NULL;
	int r, ex;

	if (cli_parse("person invite", argc, argv, opts, invite_opt, &a, &ex))
		return ex;
	if (optind + 1 != argc || cli_parse_int(argv[optind], 1, INT64_MAX, &id) < 0)
		return cli_usage_error("person invite", "give the number of one person "
				       "(see 'dondoc person list')");
	if ((ex = cli_need_config(d)) != 0 || (ex = cli_need_store(d)) != 0)
		return ex;
	if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
		return cli_error("person invite", EX_OSERR, "cannot get random bytes: %s",
				 strerror(errno));
	for (size_t i = 0; i < CODE_LEN; i++)
		code[i] = code_alphabet[rnd[i] % (sizeof(code_alphabet) - 1)];
	code[CODE_LEN] = '\0';
	h = hash_new();
	hash_add(h, code, CODE_LEN);
	hash_final_hex(h, hex);
	hash_free(h);
	expires = now + a.days * 86400;

	r = store_begin(d->store);
	if (r < 0)
		return cli_error("person invite", cli_exit_code(r), "%s", store_errmsg(d->store));
	r = store_person_get(d->store, id, &p);
	if (r == -ENOENT) {
		store_rollback(d->store);
		return cli_error("person invite", EX_DATAERR, "no person %lld", (long long)id);
	}
	if (r == 0)
		r = store_link_code_add(d->store, hex, id, now, expires);
	/* Who was given a way in, by whom: the audit trail keeps it (never the code). */
	who = xasprintf("%lld %s", (long long)id, p.name ? p.name : "");
	e.new_value = who;
	if (r == 0)
		r = store_event_append(d->store, &e);
	if (r == 0)
		r = store_commit(d->store);
	free(who);
	if (r < 0) {
		store_rollback(d->store);
		person_release(&p);
		return cli_error("person invite", cli_exit_code(r), "%s", store_errmsg(d->store));
	}
	render_day_short(clock_local_date(expires), until);
	/* What the secretariat passes on to the official: Vietnamese. */
	printf("Cán bộ #%lld: %s (%s)\n", (long long)p.id, p.name, p.agency_name);
	printf("Mã liên kết: %s (dùng một lần, đến hết ngày %s)\n", code, until);
	if (d->cfg->telegram_bot_username) {
		printf("Đường dẫn: https://t.me/%s?start=%s\n", d->cfg->telegram_bot_username, code);
		printf("hoặc gửi /start %s tới @%s\n", code, d->cfg->telegram_bot_username);
	} else if (!d->cfg->zalo_app_id) {
		printf("Gửi /start %s tới bot nhắc việc.\n", code);
		fprintf(stderr, "dondoc person invite: set [telegram] bot_username to print the "
			"bot's t.me link\n");
	}
	/* Zalo has no deep link: the official follows the OA and types the code. */
	if (d->cfg->zalo_app_id)
		printf("Trên Zalo: quan tâm Official Account của cơ quan, rồi gửi tin nhắn "
		       "/start %s (hoặc chỉ gửi mã %s)\n", code, code);
	person_release(&p);
	return 0;
}

/* What "chat" prints of the answer. */
enum chat_format {
	CHAT_PHONE,	/* what the phone shows: the chat form without its markup */
	CHAT_MARKUP,	/* the chat form as sent (Telegram's HTML) */
	CHAT_TEXT,	/* the plain-text form (an email's body) */
};

struct chat_args {
	const char *channel;	/* "telegram", "zalo" */
	const char *chat_id;
	int64_t reply_to;
	const char *button;
	int64_t on;
	enum chat_format format;
};

static int
chat_opt(int c, const char *arg, void *userdata)
{
	struct chat_args *a = userdata;

	switch (c) {
	case 't':
	case 'z':
		if (a->channel)
			return cli_usage_error("chat", "give --telegram or --zalo, not both");
		a->channel = c == 't' ? "telegram" : "zalo";
		a->chat_id = arg;
		return 0;
	case 'r':
		return cli_parse_int(arg, 1, INT64_MAX, &a->reply_to) < 0 ?
			cli_usage_error("chat", "--reply-to takes an outbox message number") : 0;
	case 'b':
		a->button = arg;
		return 0;
	case 'o':
		return cli_parse_int(arg, 1, INT64_MAX, &a->on) < 0 ?
			cli_usage_error("chat", "--on takes an outbox message number") : 0;
	case 'f':
		if (strcmp(arg, "phone") == 0)
			a->format = CHAT_PHONE;
		else if (strcmp(arg, "chat") == 0)
			a->format = CHAT_MARKUP;
		else if (strcmp(arg, "text") == 0)
			a->format = CHAT_TEXT;
		else
			return cli_usage_error("chat", "--format takes phone, chat or text, not '%s'",
					       arg);
		return 0;
	default:
		return 0;
	}
}

/*
 * Prints the answer in format: by default what the phone shows, the
 * toast a pressed button pops up first ("[Đã ghi nhận]").  A line end is
 * added when the form lacks one.
 */
static void
print_answer(const struct inbound_result *res, enum chat_format format, bool button)
{
	char *shown = NULL;
	const char *s = format == CHAT_TEXT ? res->text : res->chat ? res->chat : res->text;

	if (format == CHAT_PHONE && button && res->toast && *res->toast)
		printf("[%s]\n", res->toast);
	if (format == CHAT_PHONE && res->chat)
		s = shown = chat_plain(res->chat, false);
	if (s && *s) {
		fputs(s, stdout);
		if (s[strlen(s) - 1] != '\n')
			putchar('\n');
	}
	free(shown);
}

int
cmd_chat(struct dondoc *d, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "telegram", required_argument, NULL, 't' },
		{ "zalo", required_argument, NULL, 'z' },
		{ "reply-to", required_argument, NULL, 'r' },
		{ "button", required_argument, NULL, 'b' },
		{ "on", required_argument, NULL, 'o' },
		{ "format", required_argument, NULL, 'f' },
		{ 0 },
	};
	struct chat_args a = { 0 };
	struct renderer *rend = NULL;
	struct inbound_result res = { 0 };
	char *text = NULL, *msg = NULL;
	int r, ex;

	if (cli_parse("chat", argc, argv, opts, chat_opt, &a, &ex))
		return ex;
	if (!a.channel)
		return cli_usage_error("chat", "say which chat sends it: --telegram CHAT_ID or "
				       "--zalo USER_ID");
	if (a.button && strcmp(a.channel, "telegram") != 0)
		return cli_usage_error("chat", "--button is Telegram's: Zalo has no buttons");
	if (a.button ? optind != argc || !a.on : optind >= argc)
		return cli_usage_error("chat", a.button ? "--button takes --on MESSAGE and no text" :
				       "give the text the chat sends");
	if (!a.button) {
		struct buf b;

		/* The words as the shell split them, joined again. */
		buf_init(&b, 64 * 1024);
		for (int i = optind; i < argc; i++)
			if (buf_adds(&b, argv[i]) < 0 || (i + 1 < argc && buf_addc(&b, ' ') < 0)) {
				buf_release(&b);
				return cli_usage_error("chat", "the text is longer than 64 KiB");
			}
		text = buf_detach(&b);
		buf_release(&b);
		if (!norm_is_utf8(text, strlen(text), NULL)) {
			free(text);
			return cli_usage_error("chat", "the text is not valid UTF-8");
		}
	}
	if ((ex = cli_need_schedule(d)) != 0 || (ex = cli_need_store(d)) != 0)
		goto out;
	r = renderer_load(d->cfg->templates, &rend, &msg);
	if (r < 0) {
		msg = config_data_error(d->cfg, "templates", msg ? msg : xstrdup(strerror(-r)));
		ex = cli_error("chat", EX_CONFIG, "%s", msg);
		goto out;
	}
	{
		struct inbound_env env = { .s = d->store, .rend = rend, .sch = d->sch, .cs = d->cs,
					   .bot_username = d->cfg->telegram_bot_username,
					   .url = d->cfg->public_url };
		struct command_in in = { .channel = a.channel, .chat_id = a.chat_id,
					 .text = text, .reply_to = a.reply_to, .button = a.button,
					 .button_on = a.on, .bot_username = env.bot_username,
					 .now = clock_now(&d->clock), .today = clock_today(&d->clock),
					 .cal = d->sch->cal, .sch = d->sch };

		r = inbound_handle(&env, &in, -1, 0, &res);
	}
	if (r < 0) {
		ex = cli_error("chat", cli_exit_code(r), "%s", store_errmsg(d->store));
		goto out;
	}
	print_answer(&res, a.format, a.button != NULL);
	if (res.n_others)
		fprintf(stderr, "chat: %zu message%s queued for others\n", res.n_others,
			res.n_others == 1 ? "" : "s");
	ex = res.refused ? 1 : 0;
out:
	inbound_result_release(&res);
	renderer_free(rend);
	free(msg);
	free(text);
	return ex;
}

/* SPDX-License-Identifier: MIT */
/*
 * The daemon's configuration (INI, read with libinih): --config PATH, else
 * $DONDOC_CONFIG, else ./dondoc.conf; with none of these present the
 * embedded defaults apply, so a newcomer can run dondoc without writing a
 * file.  systemd/dondoc.conf.example documents every key.
 *
 * Secrets never sit in the file itself: a *_file key names a file, and a
 * bare name is looked up in $CREDENTIALS_DIRECTORY (systemd LoadCredential).
 */
#ifndef DONDOC_CONFIG_H
#define DONDOC_CONFIG_H

#include <stdbool.h>

struct config {
	char *path;		/* the file read; NULL when running on the defaults */
	/* [general] */
	char *db;		/* the registry (./dondoc.db) */
	char *outbox_dir;	/* the file channel's directory (./outbox) */
	/*
	 * Policy and holidays, and the message templates: as set, else the
	 * first folder that exists of ./NAME, NAME beside the binary's folder
	 * (a checkout: bot/dondoc finds ./schedules), DATADIR/NAME.
	 */
	char *schedules;
	char *templates;
	bool schedules_guessed;	/* not set in the file, and no folder found: DATADIR's named */
	bool templates_guessed;
	/* abbreviations of agency names (abbrev.h); NULL: schedules/abbreviations.ini */
	char *abbreviations;
	int tick;		/* seconds between planner passes, 1..3600 (60) */
	/* [http] */
	char *http_listen;	/* address:port (127.0.0.1:8080) */
	bool http_wanted;	/* listen or public_url given: run the HTTP server */
	char *public_url;	/* how the world reaches us, for links (NULL) */
	/* who may read /metrics: "loopback", "token" or "open" (token when a token is given) */
	char *http_metrics;
	char *http_metrics_token_file;	/* its bearer token, as a secret (NULL: none) */
	/* proxies whose X-Forwarded-For is believed: numeric addresses (NULL: none) */
	char *http_trusted_proxy;
	/*
	 * [http] share_port: other processes (dondoc instances on one
	 * registry) may listen on the same address, and the kernel spreads
	 * the connections between them (SO_REUSEPORT); no: the address is
	 * refused when another has it.
	 */
	bool http_share_port;
	/* [file] */
	int file_delay_ms;	/* pause before each file delivery, 0..60000 (0): simulates a slow link */
	/* [smtp]: with a host, email replaces the file channel for people with an address */
	char *smtp_host;	/* relay host name (NULL: no email) */
	int smtp_port;		/* 587 */
	char *smtp_starttls;	/* "required" (default), "optional" or "off" */
	char *smtp_user;	/* NULL: no AUTH */
	char *smtp_password_file;	/* a path, or a credential name (config_read_secret) */
	char *smtp_from;	/* the sender address (bare; a "Name <addr>" name goes below) */
	char *smtp_from_name;	/* its display name (NULL: none) */
	int smtp_timeout;	/* seconds for connecting and each SMTP step, 1..600 (30) */
	char *smtp_ca_file;	/* a CA or self-signed certificate to trust (NULL: the system's) */
	/* [telegram]: with a token, Telegram reaches every person linked to a chat */
	char *telegram_token_file;	/* a path, or a credential name (NULL: no Telegram) */
	char *telegram_api_base;	/* https://api.telegram.org */
	char *telegram_mode;		/* "polling" (default) or "webhook" */
	char *telegram_webhook_secret_file;	/* webhook mode: the secret token, as a secret */
	char *telegram_bot_username;	/* without "@", for t.me links (NULL: asked with getMe) */
	int telegram_timeout;		/* seconds a long poll waits, 1..50 (50) */
	/* [zalo]: with an app_id, the Zalo Official Account reaches every person with a Zalo id */
	char *zalo_app_id;		/* the Zalo app's id, digits (NULL: no Zalo) */
	char *zalo_oa_id;		/* the OA's id, digits: events for another are refused (NULL: any) */
	char *zalo_secret_key_file;	/* the app secret (OAuth refresh), as a secret */
	char *zalo_oa_secret_key_file;	/* the OA secret key (webhook signatures), as a secret */
	char *zalo_api_base;		/* https://openapi.zalo.me */
	char *zalo_oauth_base;		/* https://oauth.zaloapp.com */
	char *zalo_zns_base;		/* https://business.openapi.zalo.me */
	char *zalo_zns_template_id;	/* the approved ZNS wake-up template, digits (NULL: none) */
	int zalo_window;		/* seconds after a person's last message that CS may be sent (7d) */
	/* [feeds]: calendar feeds (feed.h, struct feed_conf) */
	int feeds_refresh;	/* seconds calendar apps are asked to wait between polls, 300..604800 (3600) */
	int feeds_keep_done;	/* days a done task stays in a feed, 0..3650 (90) */
	int feeds_keep_gone;	/* days a task that left a feed is sent cancelled, 0..365 (30) */
	int feeds_rate_token;	/* requests a minute one feed's token may make, 1..100000 (60) */
	int feeds_rate_ip;	/* requests a minute one client address may make, 1..1000000 (600) */
	/* [audit] */
	char *audit_key_file;	/* the history's HMAC key: a path, or a credential name (NULL: unkeyed) */
};

/*
 * Loads the configuration.  path is --config (NULL when not given); then
 * $DONDOC_CONFIG; then ./dondoc.conf if it exists; else the defaults.  A
 * file named by --config or $DONDOC_CONFIG must exist.  Returns 0 with a
 * new config (free with config_free), or a negative errno with a new
 * English message naming the file and line in *reterr_msg: an unknown
 * section or key, a bad value, a missing file.
 */
int config_load(const char *path, struct config **ret, char **reterr_msg);
/* Frees c; NULL-safe; returns NULL. */
struct config *config_free(struct config *c);

/*
 * Reads a secret: when ref contains a '/', the file it names; else the
 * file ref in $CREDENTIALS_DIRECTORY.  Trailing newlines are dropped.
 * 0 with a new string in *ret, or -errno with a message (-ENOENT missing,
 * -EACCES unreadable, -EINVAL empty or larger than 64 KiB).
 */
int config_read_secret(const char *ref, char **ret, char **reterr_msg);
/*
 * Reads c's [telegram] webhook_secret_file (config_read_secret) and checks
 * it is what Telegram takes as a secret_token: 1-256 characters of A-Z,
 * a-z, 0-9, '_' and '-'.  0 with a new string in *ret, or -errno with a
 * new message naming the configuration, the file and the allowed
 * characters (never the secret).
 */
int config_read_webhook_secret(const struct config *c, char **ret, char **reterr_msg);
/*
 * The message msg (taken) about loading the schedules or the templates
 * (key "schedules" or "templates"), with the fix appended when that
 * folder does not exist: the places searched and the key to set, or the
 * key whose value names nothing.  A new string.
 */
char *config_data_error(const struct config *c, const char *key, char *msg);
/*
 * Reads c's [zalo] secrets (config_read_secret): the app secret (OAuth
 * refresh) into *ret_app_secret and the OA secret key (webhook
 * signatures) into *ret_oa_secret, each a new string; either ret may be
 * NULL to only check it can be read.  0, or -errno with a new message
 * naming the configuration and the key (-ENOKEY: no [zalo] app_id).
 */
int config_read_zalo_secrets(const struct config *c, char **ret_app_secret, char **ret_oa_secret,
			     char **reterr_msg);
struct feed_conf;
/* Fills *ret from c's [feeds]; ret->public_url is borrowed from c ([http] public_url, or NULL). */
void config_feed_conf(const struct config *c, struct feed_conf *ret);
/* Where Telegram is to deliver: [http] public_url + "/telegram/webhook", new; NULL without it. */
char *config_webhook_url(const struct config *c);

#endif

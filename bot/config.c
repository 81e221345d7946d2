/* SPDX-License-Identifier: MIT */
/*
 * The daemon's configuration file (INI, parsed by libinih) and its secrets
 * (files, or systemd credentials).  Every mistake in the file is an error
 * naming file:line, never a warning: a daemon that starts on a half-read
 * configuration reminds the wrong people.
 *
 * Paths in the file are used as written: a relative path is relative to the
 * working directory, not to the file's directory.  Under systemd the
 * working directory is the StateDirectory (/var/lib/dondoc), the only
 * writable place, so "db = dondoc.db" lands there while the file itself
 * sits read-only in /etc/dondoc; by hand, paths mean what the shell means.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "feed.h"
#include "inifile.h"
#include "mime.h"
#include "macro.h"
#include "xalloc.h"

/* Where make install puts schedules/ and templates/ (Makefile DATADIR). */
#ifndef DONDOC_DATADIR
#define DONDOC_DATADIR "/usr/local/share/dondoc"
#endif

#define CONFIG_LOCAL "dondoc.conf"
#define SECRET_MAX (64 * 1024)	/* bytes; a token or password is far smaller */

enum key_type {
	KEY_PATH,	/* a non-empty path, kept as written */
	KEY_INT,	/* a decimal integer within [min, max] */
	KEY_LISTEN,	/* host:port or [v6]:port */
	KEY_URL,	/* http(s)://...; empty means unset */
	KEY_TEXT,	/* any non-empty text without control characters */
	KEY_STARTTLS,	/* required, optional or off */
	KEY_ADDRESS,	/* an ASCII mailbox local@domain, or "Name <local@domain>" */
	KEY_MODE,	/* polling or webhook */
	KEY_USERNAME,	/* a Telegram bot username: 5-32 of [A-Za-z0-9_], no "@" */
	KEY_METRICS,	/* loopback, token or open */
	KEY_ADDRESSES,	/* numeric IP addresses, separated by commas or spaces */
	KEY_DIGITS,	/* 1-32 decimal digits (Zalo's ids) */
	KEY_DURATION,	/* an integer and a unit, s m h or d ("7d"), within [min, max] seconds */
	KEY_ISO_DURATION,	/* ISO 8601 (PT1H, PT30M, P1D, P1W) or seconds, within [min, max] */
	KEY_BOOL,	/* yes or no (true/false, on/off, 1/0) */
};

struct key {
	const char *section;
	const char *name;
	enum key_type type;
	size_t offset;	/* of the field in struct config */
	int min, max;	/* KEY_INT only */
};

static const struct key keys[] = {
	{ "general", "db", KEY_PATH, offsetof(struct config, db), 0, 0 },
	{ "general", "outbox_dir", KEY_PATH, offsetof(struct config, outbox_dir), 0, 0 },
	{ "general", "schedules", KEY_PATH, offsetof(struct config, schedules), 0, 0 },
	{ "general", "templates", KEY_PATH, offsetof(struct config, templates), 0, 0 },
	{ "general", "abbreviations", KEY_PATH, offsetof(struct config, abbreviations), 0, 0 },
	{ "general", "tick", KEY_INT, offsetof(struct config, tick), 1, 3600 },
	{ "http", "listen", KEY_LISTEN, offsetof(struct config, http_listen), 0, 0 },
	{ "http", "public_url", KEY_URL, offsetof(struct config, public_url), 0, 0 },
	{ "http", "metrics", KEY_METRICS, offsetof(struct config, http_metrics), 0, 0 },
	{ "http", "metrics_token_file", KEY_PATH, offsetof(struct config, http_metrics_token_file),
	  0, 0 },
	{ "http", "trusted_proxy", KEY_ADDRESSES, offsetof(struct config, http_trusted_proxy), 0, 0 },
	{ "http", "share_port", KEY_BOOL, offsetof(struct config, http_share_port), 0, 0 },
	{ "file", "delay_ms", KEY_INT, offsetof(struct config, file_delay_ms), 0, 60000 },
	{ "smtp", "host", KEY_TEXT, offsetof(struct config, smtp_host), 0, 0 },
	{ "smtp", "port", KEY_INT, offsetof(struct config, smtp_port), 1, 65535 },
	{ "smtp", "starttls", KEY_STARTTLS, offsetof(struct config, smtp_starttls), 0, 0 },
	{ "smtp", "user", KEY_TEXT, offsetof(struct config, smtp_user), 0, 0 },
	{ "smtp", "password_file", KEY_PATH, offsetof(struct config, smtp_password_file), 0, 0 },
	{ "smtp", "from", KEY_ADDRESS, offsetof(struct config, smtp_from), 0, 0 },
	{ "smtp", "from_name", KEY_TEXT, offsetof(struct config, smtp_from_name), 0, 0 },
	{ "smtp", "timeout", KEY_INT, offsetof(struct config, smtp_timeout), 1, 600 },
	{ "smtp", "ca_file", KEY_PATH, offsetof(struct config, smtp_ca_file), 0, 0 },
	{ "telegram", "token_file", KEY_PATH, offsetof(struct config, telegram_token_file), 0, 0 },
	{ "telegram", "api_base", KEY_URL, offsetof(struct config, telegram_api_base), 0, 0 },
	{ "telegram", "mode", KEY_MODE, offsetof(struct config, telegram_mode), 0, 0 },
	{ "telegram", "webhook_secret_file", KEY_PATH,
	  offsetof(struct config, telegram_webhook_secret_file), 0, 0 },
	{ "telegram", "bot_username", KEY_USERNAME,
	  offsetof(struct config, telegram_bot_username), 0, 0 },
	{ "telegram", "timeout", KEY_INT, offsetof(struct config, telegram_timeout), 1, 50 },
	{ "zalo", "app_id", KEY_DIGITS, offsetof(struct config, zalo_app_id), 0, 0 },
	{ "zalo", "oa_id", KEY_DIGITS, offsetof(struct config, zalo_oa_id), 0, 0 },
	{ "zalo", "secret_key_file", KEY_PATH, offsetof(struct config, zalo_secret_key_file), 0, 0 },
	{ "zalo", "oa_secret_key_file", KEY_PATH, offsetof(struct config, zalo_oa_secret_key_file),
	  0, 0 },
	{ "zalo", "api_base", KEY_URL, offsetof(struct config, zalo_api_base), 0, 0 },
	{ "zalo", "oauth_base", KEY_URL, offsetof(struct config, zalo_oauth_base), 0, 0 },
	{ "zalo", "zns_base", KEY_URL, offsetof(struct config, zalo_zns_base), 0, 0 },
	{ "zalo", "zns_template_id", KEY_DIGITS, offsetof(struct config, zalo_zns_template_id), 0, 0 },
	/* Zalo refuses consultation messages 7 days after the person's last interaction. */
	{ "zalo", "window", KEY_DURATION, offsetof(struct config, zalo_window), 3600, 7 * 86400 },
	{ "feeds", "refresh", KEY_ISO_DURATION, offsetof(struct config, feeds_refresh), 300,
	  7 * 86400 },
	{ "feeds", "keep_done", KEY_INT, offsetof(struct config, feeds_keep_done), 0, 3650 },
	{ "feeds", "keep_gone", KEY_INT, offsetof(struct config, feeds_keep_gone), 0, 365 },
	{ "feeds", "rate_token", KEY_INT, offsetof(struct config, feeds_rate_token), 1, 100000 },
	{ "feeds", "rate_ip", KEY_INT, offsetof(struct config, feeds_rate_ip), 1, 1000000 },
	{ "audit", "key_file", KEY_PATH, offsetof(struct config, audit_key_file), 0, 0 },
};

/*
 * State shared by our line reader and the inih handler.  inih calls the
 * handler for a line right after reading it, so "line" is always the line
 * the handler is looking at; that is how messages get their numbers
 * without INI_HANDLER_LINENO, which Debian's libinih is built without.
 */
struct parser {
	struct inifile in;		/* the file and the number of the line last read */
	const char *path;
	struct config *c;
	const struct key *prev;		/* inih's "previous name": an indented line continues it */
	int set_at[ELEMENTSOF(keys)];	/* line where each key was set, 0 if not */
	char *err;			/* the first error, "path:line: what" */
	int err_line;
	int r;
};

/* Records the first error, taking ownership of what; later ones are dropped. */
static void
parser_fail(struct parser *p, int r, char *what)
{
	if (p->err) {
		free(what);
		return;
	}
	p->err = xasprintf("%s:%d: %s", p->path, p->in.line, what);
	free(what);
	p->err_line = p->in.line;
	p->r = r;
}

/* inifile's callbacks. */
static void
fail_at(void *owner, int line, int r, char *what)
{
	struct parser *p = owner;
	int saved = p->in.line;

	p->in.line = line;
	parser_fail(p, r, what);
	p->in.line = saved;
}

static bool
failed(void *owner)
{
	return ((struct parser *)owner)->err != NULL;
}

/*
 * Looks at a line inih is about to parse, the way inih will see it, to
 * catch what its handler never hears about: unknown sections (also empty
 * ones) and indented lines, which inih silently appends to the previous
 * key's value.
 */
static void
check_line(struct parser *p, const char *s)
{
	const char *start = s, *end;

	if (p->in.line == 1 && strncmp(s, "\xEF\xBB\xBF", 3) == 0)
		s += 3;
	start = s;
	while (isspace((unsigned char)*start))
		start++;
	if (*start == '\0' || *start == ';' || *start == '#')
		return;
	if (start > s && p->prev) {
		parser_fail(p, -EINVAL,
			    xasprintf("indented line would continue '%s' (multi-line values are not "
				      "supported); remove the indentation", p->prev->name));
		return;
	}
	if (*start != '[')
		return;
	/* inih reports a missing ']' itself, as a syntax error. */
	end = strchr(start + 1, ']');
	if (!end)
		return;
	p->prev = NULL;
	for (size_t i = 0; i < ELEMENTSOF(keys); i++)
		if (strlen(keys[i].section) == (size_t)(end - start - 1) &&
		    strncmp(keys[i].section, start + 1, (size_t)(end - start - 1)) == 0)
			return;
	parser_fail(p, -EINVAL,
		    xasprintf("unknown section '%.*s'", (int)(end - start - 1), start + 1));
}

static void
check_line_cb(void *owner, const char *s)
{
	check_line(owner, s);
}

/* Parses a decimal int within [min, max]; -EINVAL or -ERANGE. */
static int
parse_int(const char *s, int min, int max, int *ret)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (end == s || *end != '\0' || isspace((unsigned char)*s))
		return -EINVAL;
	if (errno == ERANGE || v < min || v > max)
		return -ERANGE;
	*ret = (int)v;
	return 0;
}

/*
 * Parses a duration: a decimal integer and its unit, s, m, h or d ("7d",
 * "36h"), into seconds within [min, max]; -EINVAL (no unit, not a
 * number) or -ERANGE.
 */
static int
parse_duration(const char *s, int min, int max, int *ret)
{
	static const struct {
		char unit;
		long seconds;
	} units[] = { { 's', 1 }, { 'm', 60 }, { 'h', 3600 }, { 'd', 86400 } };
	char *end;
	long v;

	errno = 0;
	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	v = strtol(s, &end, 10);
	if (end == s || end[0] == '\0' || end[1] != '\0')
		return -EINVAL;
	for (size_t i = 0; i < ELEMENTSOF(units); i++)
		if (*end == units[i].unit) {
			if (errno == ERANGE || v > max / units[i].seconds ||
			    v * units[i].seconds < min)
				return -ERANGE;
			*ret = (int)(v * units[i].seconds);
			return 0;
		}
	return -EINVAL;
}

/*
 * Parses an ISO 8601 duration of days, weeks, hours, minutes and seconds
 * ("PT1H", "PT30M", "P1D", "P1DT12H", "P1W"), what REFRESH-INTERVAL
 * says, or a plain number of seconds ("3600"), into seconds within [min,
 * max]; -EINVAL (neither) or -ERANGE.  Months and years are refused: they
 * have no fixed length.
 */
static int
parse_iso_duration(const char *s, int min, int max, int *ret)
{
	static const struct {
		char unit;
		bool time;	/* after the T */
		long seconds;
	} units[] = { { 'W', false, 7 * 86400 }, { 'D', false, 86400 }, { 'H', true, 3600 },
		      { 'M', true, 60 }, { 'S', true, 1 } };
	size_t next = 0;	/* units go in this order, each once */
	bool time = false, any = false;
	long total = 0;

	if (isdigit((unsigned char)*s))
		return parse_int(s, min, max, ret);
	if (*s++ != 'P')
		return -EINVAL;
	while (*s) {
		char *end;
		long v;
		size_t i;

		if (*s == 'T' && !time) {
			time = true;
			s++;
			continue;
		}
		if (!isdigit((unsigned char)*s))
			return -EINVAL;
		errno = 0;
		v = strtol(s, &end, 10);
		if (errno == ERANGE || v > 10L * 365 * 86400)
			return -ERANGE;
		for (i = next; i < ELEMENTSOF(units); i++)
			if (units[i].unit == *end && units[i].time == time)
				break;
		if (i == ELEMENTSOF(units))
			return -EINVAL;
		total += v * units[i].seconds;
		if (total > 10L * 365 * 86400)
			return -ERANGE;
		next = i + 1;
		any = true;
		s = end + 1;
	}
	/* "P" and "PT" say no length at all. */
	if (!any)
		return -EINVAL;
	if (total < min || total > max)
		return -ERANGE;
	*ret = (int)total;
	return 0;
}

/*
 * Splits a sender written "addr", "Name <addr>" or "\"Name\" <addr>" into
 * its display name (*ret_name, NULL when none; quotes removed, \" and \\
 * unescaped) and its address (*ret_addr), both new strings.  0, or
 * -EINVAL with *reterr_why.
 */
static int
split_mailbox(const char *value, char **ret_name, char **ret_addr, const char **reterr_why)
{
	const char *lt = strchr(value, '<'), *gt, *end;
	char *name, *o;

	*ret_name = *ret_addr = NULL;
	if (!lt) {
		if (!mime_address_ok(value)) {
			*reterr_why = "not a plain email address";
			return -EINVAL;
		}
		*ret_addr = xstrdup(value);
		return 0;
	}
	gt = strchr(lt, '>');
	if (!gt || gt[1] != '\0' || strchr(lt + 1, '<')) {
		*reterr_why = "expected 'Name <address>'";
		return -EINVAL;
	}
	*ret_addr = xstrndup(lt + 1, (size_t)(gt - lt - 1));
	if (!mime_address_ok(*ret_addr)) {
		*reterr_why = "the part in <> is not a plain email address";
		goto fail;
	}
	while (*value == ' ' || *value == '\t')
		value++;
	end = lt;
	while (end > value && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	if (end - value >= 2 && *value == '"' && end[-1] == '"') {
		value++;
		end--;
	}
	name = o = xstrndup(value, (size_t)(end - value));
	for (const char *c = name; *c; c++) {
		if ((unsigned char)*c < 0x20 || *c == 0x7f) {
			free(name);
			*reterr_why = "a control character in the name";
			goto fail;
		}
		if (*c == '\\' && c[1])
			c++;
		*o++ = *c;
	}
	*o = '\0';
	if (!*name)
		free(name);
	else
		*ret_name = name;
	return 0;
fail:
	free(*ret_addr);
	*ret_addr = NULL;
	return -EINVAL;
}

/*
 * Checks host:port, where host is a name, an IPv4 address or a bracketed
 * IPv6 address.  The HTTP server resolves the host; this only makes sure
 * the shape is right, so that a typo fails at start with a line number.
 */
static int
check_listen(const char *s, const char **reterr_why)
{
	const char *port, *host_end;
	int v;

	if (s[0] == '[') {
		host_end = strchr(s, ']');
		if (!host_end || host_end == s + 1 || host_end[1] != ':') {
			*reterr_why = "expected [address]:port";
			return -EINVAL;
		}
		port = host_end + 2;
	} else {
		host_end = strrchr(s, ':');
		if (!host_end || host_end == s) {
			*reterr_why = "expected host:port";
			return -EINVAL;
		}
		if (memchr(s, ':', (size_t)(host_end - s))) {
			*reterr_why = "an IPv6 address needs brackets, as in [::1]:8080";
			return -EINVAL;
		}
		port = host_end + 1;
	}
	for (const char *q = s; q < host_end; q++)
		if (isspace((unsigned char)*q)) {
			*reterr_why = "space in the host";
			return -EINVAL;
		}
	if (!isdigit((unsigned char)*port) || parse_int(port, 1, 65535, &v) < 0) {
		*reterr_why = "the port must be 1..65535";
		return -EINVAL;
	}
	return 0;
}

/*
 * [http] trusted_proxy: numeric addresses (IPv4, IPv6) separated by commas
 * or spaces, at most 16; names are not resolved, since the proxy's
 * address is compared with the peer's.
 */
static int
check_addresses(const char *s, const char **reterr_why)
{
	unsigned char a[sizeof(struct in6_addr)];
	int n = 0;

	for (;;) {
		char one[INET6_ADDRSTRLEN + 2];
		size_t k;

		s += strspn(s, ", \t");
		if (!*s)
			break;
		k = strcspn(s, ", \t");
		if (k >= 2 && s[0] == '[' && s[k - 1] == ']')
			snprintf(one, sizeof(one), "%.*s", (int)(k - 2), s + 1);
		else if (k < sizeof(one))
			snprintf(one, sizeof(one), "%.*s", (int)k, s);
		else
			one[0] = '\0';
		if (inet_pton(AF_INET, one, a) != 1 && inet_pton(AF_INET6, one, a) != 1) {
			*reterr_why = "expected numeric IP addresses, separated by commas";
			return -EINVAL;
		}
		if (++n > 16) {
			*reterr_why = "at most 16 addresses";
			return -EINVAL;
		}
		s += k;
	}
	if (n == 0) {
		*reterr_why = "no address";
		return -EINVAL;
	}
	return 0;
}

static int
handler(void *user, const char *section, const char *name, const char *value)
{
	struct parser *p = user;
	const struct key *k = NULL;
	const char *why = NULL;
	char *field;
	size_t i;
	int r;

	if (!*section) {
		parser_fail(p, -EINVAL, xasprintf("key '%s' is outside any section", name));
		return 0;
	}
	for (i = 0; i < ELEMENTSOF(keys); i++)
		if (strcmp(keys[i].section, section) == 0 && strcmp(keys[i].name, name) == 0) {
			k = &keys[i];
			break;
		}
	if (!k) {
		parser_fail(p, -EINVAL,
			    xasprintf("unknown key '%s' in section '%s'", name, section));
		return 0;
	}
	/* A second value is more often a forgotten line than an override. */
	if (p->set_at[i]) {
		parser_fail(p, -EINVAL,
			    xasprintf("%s is already set on line %d", name, p->set_at[i]));
		return 0;
	}
	p->set_at[i] = p->in.line;
	p->prev = k;
	/*
	 * The HTTP server runs when the file asks for it; a daemon on the
	 * defaults does not map libmicrohttpd (and GnuTLS under it) for
	 * nothing (3 MB of its memory).
	 */
	if (strcmp(k->section, "http") == 0 && *value)
		p->c->http_wanted = true;

	field = (char *)p->c + k->offset;
	switch (k->type) {
	case KEY_BOOL:
		if (strcasecmp(value, "yes") == 0 || strcasecmp(value, "true") == 0 ||
		    strcasecmp(value, "on") == 0 || strcmp(value, "1") == 0) {
			*(bool *)field = true;
		} else if (strcasecmp(value, "no") == 0 || strcasecmp(value, "false") == 0 ||
			   strcasecmp(value, "off") == 0 || strcmp(value, "0") == 0) {
			*(bool *)field = false;
		} else {
			parser_fail(p, -EINVAL, xasprintf("bad %s '%s': yes or no", name, value));
			return 0;
		}
		return 1;
	case KEY_INT:
		r = parse_int(value, k->min, k->max, (int *)(void *)field);
		if (r == -EINVAL)
			parser_fail(p, r, xasprintf("bad %s '%s': not an integer", name, value));
		else if (r < 0)
			parser_fail(p, r, xasprintf("bad %s '%s': must be %d..%d", name, value,
						    k->min, k->max));
		return r == 0;
	case KEY_PATH:
		if (!*value) {
			parser_fail(p, -EINVAL, xasprintf("empty value for %s", name));
			return 0;
		}
		break;
	case KEY_LISTEN:
		if (check_listen(value, &why) < 0) {
			parser_fail(p, -EINVAL, xasprintf("bad %s '%s': %s", name, value, why));
			return 0;
		}
		break;
	case KEY_TEXT:
		for (const char *c = value; *c; c++)
			if ((unsigned char)*c < 0x20 || *c == 0x7f) {
				parser_fail(p, -EINVAL, xasprintf("bad %s: a control character", name));
				return 0;
			}
		if (!*value || strlen(value) > 255) {
			parser_fail(p, -EINVAL, xasprintf("bad %s: must be 1..255 bytes", name));
			return 0;
		}
		break;
	case KEY_STARTTLS:
		if (strcmp(value, "required") != 0 && strcmp(value, "optional") != 0 &&
		    strcmp(value, "off") != 0) {
			parser_fail(p, -EINVAL, xasprintf("bad %s '%s': must be required, optional "
							  "or off", name, value));
			return 0;
		}
		break;
	case KEY_ADDRESS: {
		char *mname = NULL, *maddr = NULL;

		/* The name, if any, is taken apart in config_load (from_name may follow). */
		r = split_mailbox(value, &mname, &maddr, &why);
		free(mname);
		free(maddr);
		if (r < 0) {
			parser_fail(p, -EINVAL, xasprintf("bad %s '%s': %s", name, value, why));
			return 0;
		}
		break;
	}
	case KEY_METRICS:
		if (strcmp(value, "loopback") != 0 && strcmp(value, "token") != 0 &&
		    strcmp(value, "open") != 0) {
			parser_fail(p, -EINVAL, xasprintf("bad %s '%s': must be loopback, token or "
							  "open", name, value));
			return 0;
		}
		break;
	case KEY_ADDRESSES:
		if (check_addresses(value, &why) < 0) {
			parser_fail(p, -EINVAL, xasprintf("bad %s '%s': %s", name, value, why));
			return 0;
		}
		break;
	case KEY_DIGITS: {
		size_t n = strlen(value);

		if (n < 1 || n > 32 || strspn(value, "0123456789") != n) {
			parser_fail(p, -EINVAL, xasprintf("bad %s '%s': must be digits only (1-32), "
							  "as the Zalo console shows it", name, value));
			return 0;
		}
		break;
	}
	case KEY_DURATION:
		r = parse_duration(value, k->min, k->max, (int *)(void *)field);
		if (r == -EINVAL)
			parser_fail(p, r, xasprintf("bad %s '%s': expected a number and a unit, "
						    "s, m, h or d (as in 7d)", name, value));
		else if (r < 0)
			parser_fail(p, r, xasprintf("bad %s '%s': must be 1h..7d (Zalo refuses "
						    "consultation messages 7 days after a person's "
						    "last message)", name, value));
		return r == 0;
	case KEY_ISO_DURATION:
		r = parse_iso_duration(value, k->min, k->max, (int *)(void *)field);
		if (r == -EINVAL)
			parser_fail(p, r, xasprintf("bad %s '%s': expected an ISO 8601 duration "
						    "(PT1H, PT30M, P1D) or a number of seconds",
						    name, value));
		else if (r < 0)
			parser_fail(p, r, xasprintf("bad %s '%s': must be 5 minutes to 7 days "
						    "(PT5M..P7D)", name, value));
		return r == 0;
	case KEY_MODE:
		if (strcmp(value, "polling") != 0 && strcmp(value, "webhook") != 0) {
			parser_fail(p, -EINVAL, xasprintf("bad %s '%s': must be polling or webhook",
							  name, value));
			return 0;
		}
		break;
	case KEY_USERNAME: {
		size_t n = strlen(value);

		if (value[0] == '@')
			why = "write it without '@'";
		else if (n < 5 || n > 32 || strspn(value, "abcdefghijklmnopqrstuvwxyz"
					"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") != n)
			why = "5-32 letters, digits or '_'";
		if (why) {
			parser_fail(p, -EINVAL, xasprintf("bad %s '%s': %s", name, value, why));
			return 0;
		}
		break;
	}
	case KEY_URL:
		/* "public_url =" keeps it unset, as commented out would. */
		if (!*value)
			return 1;
		if (strncmp(value, "http://", 7) != 0 && strncmp(value, "https://", 8) != 0) {
			parser_fail(p, -EINVAL,
				    xasprintf("bad %s '%s': must start with http:// or https://",
					      name, value));
			return 0;
		}
		break;
	}
	free(*(char **)(void *)field);
	*(char **)(void *)field = xstrdup(value);
	return 1;
}

/* Opens path for reading; a directory is -EISDIR rather than a read error. */
static int
open_regular(const char *path, int *ret_fd)
{
	struct stat st;
	int fd, r;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		r = -errno;
		(void)close(fd);
		return r;
	}
	if (S_ISDIR(st.st_mode)) {
		(void)close(fd);
		return -EISDIR;
	}
	*ret_fd = fd;
	return 0;
}

/* Parses the open file f into c; 0 or -errno with a new message. */
static int
parse_file(FILE *f, const char *path, struct config *c, char **ret_msg)
{
	struct parser p = { .path = path, .c = c };
	int line;

	p.in = (struct inifile){ .f = f, .owner = &p, .check = check_line_cb, .fail = fail_at,
				 .failed = failed };
	line = inifile_parse(&p.in, handler, &p);
	/*
	 * inih keeps going after a syntax error (a line that is neither a
	 * section nor key = value) and returns the first such line; report
	 * whichever error came first.
	 */
	if (line > 0 && (!p.err || line < p.err_line)) {
		free(p.err);
		p.err = xasprintf("%s:%d: syntax error: expected '[section]' or 'key = value'",
				  path, line);
		p.r = -EINVAL;
	} else if (line < 0 && !p.err) {
		p.err = xasprintf("%s: cannot parse: libinih error %d", path, line);
		p.r = -ENOMEM;
	}
	if (p.err) {
		*ret_msg = p.err;
		return p.r;
	}
	return 0;
}

/*
 * The folder NAME beside the folder of the running binary (up = 1) or one
 * level higher (up = 2: build/san/dondoc in a checkout), new; NULL when
 * unknown.
 */
static char *
beside_binary(const char *name, int up)
{
	char exe[4096], *slash;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0 || (size_t)n >= sizeof(exe) - 1)
		return NULL;
	exe[n] = '\0';
	slash = strrchr(exe, '/');
	if (!slash)
		return NULL;
	*slash = '\0';
	return xasprintf("%s/%s%s", exe, up > 1 ? "../../" : "../", name);
}

static bool
is_dir(const char *path)
{
	struct stat st;

	return path && stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * The first of ./name, name beside the binary's folder or the one above
 * it (bot/dondoc and build/san/dondoc in a checkout find the checkout's
 * schedules/ from any working directory)
 * and DATADIR/name that is a folder; else DATADIR/name, with *guessed set
 * so that the error can say which key to set.
 */
static char *
default_dir(const char *name, bool *guessed)
{
	char *local = xasprintf("./%s", name), *beside;

	*guessed = false;
	if (is_dir(local))
		return local;
	free(local);
	for (int up = 1; up <= 2; up++) {
		beside = beside_binary(name, up);
		if (is_dir(beside)) {
			char *real = realpath(beside, NULL);

			if (real) {
				free(beside);
				return real;	/* /src/dondoc/schedules, not /src/dondoc/bot/../schedules */
			}
			return beside;
		}
		free(beside);
	}
	local = xasprintf("%s/%s", DONDOC_DATADIR, name);
	*guessed = !is_dir(local);
	return local;
}

char *
config_data_error(const struct config *c, const char *key, char *msg)
{
	bool schedules = strcmp(key, "schedules") == 0;
	const char *dir = schedules ? c->schedules : c->templates;
	bool guessed = schedules ? c->schedules_guessed : c->templates_guessed;
	char *beside, *out;

	if (is_dir(dir))
		return msg;
	if (guessed) {
		beside = beside_binary(key, 1);
		out = xasprintf("%s; no %s folder in ./%s, %s or %s/%s: set [general] %s in %s to "
				"the folder holding %s, or run 'make install'", msg, key, key,
				beside ? beside : "beside the binary", DONDOC_DATADIR, key, key,
				c->path ? c->path : "the configuration (--config, $DONDOC_CONFIG or "
				"./dondoc.conf)", schedules ? "policy.ini" : "vi/ and en/");
		free(beside);
	} else {
		out = xasprintf("%s; [general] %s = %s in %s is not a folder: set it to the folder "
				"holding %s", msg, key, dir, c->path ? c->path : "the configuration",
				schedules ? "policy.ini" : "vi/ and en/");
	}
	free(msg);
	return out;
}

/*
 * "from = Văn phòng <vp@example.gov.vn>": the address stays in smtp_from
 * (MAIL FROM takes it bare), the name goes to smtp_from_name, unless
 * from_name gives one too.
 */
static int
apply_from_name(struct config *c, const char *path, char **reterr_msg)
{
	char *name = NULL, *addr = NULL;
	const char *why = NULL;

	if (!c->smtp_from || !strchr(c->smtp_from, '<'))
		return 0;
	if (split_mailbox(c->smtp_from, &name, &addr, &why) < 0) {
		*reterr_msg = xasprintf("%s: bad from '%s': %s", path, c->smtp_from, why);
		return -EINVAL;
	}
	if (name && c->smtp_from_name) {
		*reterr_msg = xasprintf("%s: [smtp] from names the sender ('%s') and from_name does "
					"too ('%s'): keep one", path, name, c->smtp_from_name);
		free(name);
		free(addr);
		return -EINVAL;
	}
	free(c->smtp_from);
	c->smtp_from = addr;
	if (name)
		c->smtp_from_name = name;
	return 0;
}

/*
 * [zalo]: an app_id needs both secrets; keys without app_id are a
 * forgotten line.  The secrets are read when Zalo is used
 * (config_read_zalo_secrets), as the SMTP password is: a command that
 * never talks to Zalo does not need $CREDENTIALS_DIRECTORY.
 */
static int
check_zalo(const struct config *c, const char *path, char **reterr_msg)
{
	if (!c->zalo_app_id) {
		if (c->zalo_secret_key_file || c->zalo_oa_secret_key_file || c->zalo_zns_template_id ||
		    c->zalo_oa_id) {
			*reterr_msg = xasprintf("%s: [zalo] has secrets, an oa_id or a template but no app_id: "
						"set app_id (the Zalo app's id, digits)", path);
			return -EINVAL;
		}
		return 0;
	}
	if (!c->zalo_secret_key_file || !c->zalo_oa_secret_key_file) {
		*reterr_msg = xasprintf("%s: [zalo] app_id is set but %s is not", path,
					!c->zalo_secret_key_file ? "secret_key_file (the app secret)" :
					"oa_secret_key_file (the OA secret key, for webhook signatures)");
		return -EINVAL;
	}
	return 0;
}

int
config_load(const char *path, struct config **ret, char **reterr_msg)
{
	struct config *c = NULL;
	bool must_exist = true;
	char *msg = NULL;
	FILE *f = NULL;
	int fd = -1, r;

	if (!path) {
		path = getenv("DONDOC_CONFIG");
		/* An empty variable is as good as unset (e.g. DONDOC_CONFIG= dondoc). */
		if (!path || !*path) {
			path = CONFIG_LOCAL;
			must_exist = false;
		}
	}

	c = xcalloc(1, sizeof(*c));
	c->db = xstrdup("./dondoc.db");
	c->outbox_dir = xstrdup("./outbox");
	c->tick = 60;
	c->http_listen = xstrdup("127.0.0.1:8080");
	c->file_delay_ms = 0;
	c->smtp_port = 587;
	c->smtp_starttls = xstrdup("required");
	c->smtp_timeout = 30;
	c->telegram_api_base = xstrdup("https://api.telegram.org");
	c->telegram_mode = xstrdup("polling");
	c->telegram_timeout = 50;
	c->zalo_api_base = xstrdup("https://openapi.zalo.me");
	c->zalo_oauth_base = xstrdup("https://oauth.zaloapp.com");
	c->zalo_zns_base = xstrdup("https://business.openapi.zalo.me");
	c->zalo_window = 7 * 86400;
	c->feeds_refresh = 3600;
	c->feeds_keep_done = 90;
	c->feeds_keep_gone = 30;
	c->feeds_rate_token = 60;
	c->feeds_rate_ip = 600;

	r = open_regular(path, &fd);
	if (r == -ENOENT && !must_exist) {
		r = 0;
	} else if (r < 0) {
		msg = xasprintf("cannot open config '%s': %s", path, strerror(-r));
		goto out;
	} else {
		f = fdopen(fd, "r");
		if (!f) {
			r = -errno;
			msg = xasprintf("cannot open config '%s': %s", path, strerror(-r));
			goto out;
		}
		fd = -1;
		c->path = xstrdup(path);
		r = parse_file(f, path, c, &msg);
		if (r < 0)
			goto out;
	}

	/* Only now: a directory the file names need not exist at load time. */
	if (!c->schedules)
		c->schedules = default_dir("schedules", &c->schedules_guessed);
	if (!c->templates)
		c->templates = default_dir("templates", &c->templates_guessed);
	r = apply_from_name(c, path, &msg);
	if (r < 0)
		goto out;
	/* Keys that only make sense together. */
	if (c->smtp_host && !c->smtp_from) {
		r = -EINVAL;
		msg = xasprintf("%s: [smtp] host is set but from is not: the sender address is "
				"required", path);
		goto out;
	}
	if (c->smtp_user && !c->smtp_password_file) {
		r = -EINVAL;
		msg = xasprintf("%s: [smtp] user is set but password_file is not", path);
		goto out;
	}
	if (c->http_metrics && strcmp(c->http_metrics, "token") == 0 &&
	    !c->http_metrics_token_file) {
		r = -EINVAL;
		msg = xasprintf("%s: [http] metrics is token but metrics_token_file is not set",
				path);
		goto out;
	}
	/* Safe by default: this machine only, unless a token is given. */
	if (!c->http_metrics)
		c->http_metrics = xstrdup(c->http_metrics_token_file ? "token" : "loopback");
	if (c->telegram_token_file && strcmp(c->telegram_mode, "webhook") == 0 &&
	    !c->telegram_webhook_secret_file) {
		r = -EINVAL;
		msg = xasprintf("%s: [telegram] mode is webhook but webhook_secret_file is not set: "
				"a webhook without a secret would take updates from anyone", path);
		goto out;
	}
	r = check_zalo(c, path, &msg);
	if (r < 0)
		goto out;
	*ret = c;
	c = NULL;
	r = 0;
out:
	if (f)
		(void)fclose(f);
	if (fd >= 0)
		(void)close(fd);
	config_free(c);
	if (r < 0 && reterr_msg)
		*reterr_msg = msg;
	else
		free(msg);
	return r;
}

struct config *
config_free(struct config *c)
{
	if (!c)
		return NULL;
	free(c->path);
	free(c->db);
	free(c->outbox_dir);
	free(c->schedules);
	free(c->templates);
	free(c->abbreviations);
	free(c->http_listen);
	free(c->public_url);
	free(c->http_metrics);
	free(c->http_metrics_token_file);
	free(c->http_trusted_proxy);
	free(c->smtp_host);
	free(c->smtp_starttls);
	free(c->smtp_user);
	free(c->smtp_password_file);
	free(c->smtp_from);
	free(c->smtp_from_name);
	free(c->smtp_ca_file);
	free(c->telegram_token_file);
	free(c->telegram_api_base);
	free(c->telegram_mode);
	free(c->telegram_webhook_secret_file);
	free(c->telegram_bot_username);
	free(c->zalo_app_id);
	free(c->zalo_oa_id);
	free(c->zalo_secret_key_file);
	free(c->zalo_oa_secret_key_file);
	free(c->zalo_api_base);
	free(c->zalo_oauth_base);
	free(c->zalo_zns_base);
	free(c->zalo_zns_template_id);
	free(c->audit_key_file);
	free(c);
	return NULL;
}

int
config_read_secret(const char *ref, char **ret, char **reterr_msg)
{
	char *path = NULL, *data = NULL, *msg = NULL;
	const char *dir;
	size_t len = 0, i;
	struct stat st;
	int fd = -1, r;

	if (!ref || !*ref) {
		r = -EINVAL;
		msg = xstrdup("cannot read secret: empty name");
		goto out;
	}
	if (strchr(ref, '/')) {
		path = xstrdup(ref);
	} else {
		dir = getenv("CREDENTIALS_DIRECTORY");
		if (!dir || !*dir) {
			r = -ENOENT;
			msg = xasprintf("cannot read secret '%s': $CREDENTIALS_DIRECTORY is not set "
					"(outside systemd, give a path with a '/', such as ./%s)", ref, ref);
			goto out;
		}
		if (STREQ(ref, ".") || STREQ(ref, "..")) {
			r = -EINVAL;
			msg = xasprintf("cannot read secret '%s': not a credential name", ref);
			goto out;
		}
		path = xasprintf("%s/%s", dir, ref);
	}

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0 || fstat(fd, &st) < 0) {
		r = -errno;
		msg = xasprintf("cannot read secret '%s': %s", path, strerror(-r));
		goto out;
	}
	if (S_ISDIR(st.st_mode)) {
		r = -EISDIR;
		msg = xasprintf("cannot read secret '%s': %s", path, strerror(-r));
		goto out;
	}

	/* One buffer, never grown, so no stale copy of the secret is left behind. */
	data = xmalloc(SECRET_MAX + 1);
	while (len <= SECRET_MAX) {
		ssize_t n = read(fd, data + len, SECRET_MAX + 1 - len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			msg = xasprintf("cannot read secret '%s': %s", path, strerror(-r));
			goto out;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > SECRET_MAX) {
		r = -EINVAL;
		msg = xasprintf("bad secret '%s': larger than %d KiB", path, SECRET_MAX / 1024);
		goto out;
	}
	if (memchr(data, '\0', len)) {
		r = -EINVAL;
		msg = xasprintf("bad secret '%s': contains a NUL byte", path);
		goto out;
	}
	/* Editors and echo add a newline; no secret ends in one. */
	while (len > 0 && (data[len - 1] == '\n' || data[len - 1] == '\r'))
		len--;
	for (i = 0; i < len && isspace((unsigned char)data[i]); i++)
		;
	if (i == len) {
		r = -EINVAL;
		msg = xasprintf("bad secret '%s': empty", path);
		goto out;
	}
	*ret = xstrndup(data, len);
	r = 0;
out:
	if (data) {
		explicit_bzero(data, SECRET_MAX + 1);
		free(data);
	}
	if (fd >= 0)
		(void)close(fd);
	free(path);
	if (r < 0 && reterr_msg)
		*reterr_msg = msg;
	else
		free(msg);
	return r;
}

/* Telegram's rule for a webhook's secret_token (CHAT-APIS.md A2, setWebhook). */
#define WEBHOOK_SECRET_MAX 256
#define WEBHOOK_SECRET_CHARS "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-"

int
config_read_webhook_secret(const struct config *c, char **ret, char **reterr_msg)
{
	const char *conf = c->path ? c->path : "the configuration";
	char *secret = NULL, *msg = NULL;
	size_t n, ok;
	int r;

	r = config_read_secret(c->telegram_webhook_secret_file, &secret, &msg);
	if (r < 0) {
		*reterr_msg = xasprintf("%s: [telegram] webhook_secret_file: %s", conf, msg);
		free(msg);
		return r;
	}
	n = strlen(secret);
	ok = strspn(secret, WEBHOOK_SECRET_CHARS);
	if (n > WEBHOOK_SECRET_MAX || ok < n) {
		/* Where it goes wrong, never the secret itself. */
		char *why = n > WEBHOOK_SECRET_MAX
			? xasprintf("%zu characters long", n)
			: xasprintf("character %zu is not allowed", ok + 1);

		*reterr_msg = xasprintf("%s: [telegram] webhook_secret_file: bad secret in '%s' (%s): "
					"Telegram takes 1-%d characters of A-Z, a-z, 0-9, '_' and '-'",
					conf, c->telegram_webhook_secret_file, why, WEBHOOK_SECRET_MAX);
		free(why);
		explicit_bzero(secret, n);
		free(secret);
		return -EINVAL;
	}
	*ret = secret;
	return 0;
}

int
config_read_zalo_secrets(const struct config *c, char **ret_app_secret, char **ret_oa_secret,
			 char **reterr_msg)
{
	const char *conf = c->path ? c->path : "the configuration";
	const char *names[2] = { "secret_key_file", "oa_secret_key_file" };
	const char *refs[2] = { c->zalo_secret_key_file, c->zalo_oa_secret_key_file };
	char **rets[2] = { ret_app_secret, ret_oa_secret };
	char *got[2] = { NULL, NULL }, *msg = NULL;
	int r = 0;

	if (!c->zalo_app_id) {
		*reterr_msg = xasprintf("Zalo is not configured: no [zalo] app_id in %s", conf);
		return -ENOKEY;
	}
	for (int i = 0; i < 2 && r == 0; i++) {
		r = config_read_secret(refs[i], &got[i], &msg);
		if (r < 0) {
			*reterr_msg = xasprintf("%s: [zalo] %s: %s", conf, names[i], msg);
			free(msg);
		}
	}
	for (int i = 0; i < 2; i++) {
		if (r == 0 && rets[i]) {
			*rets[i] = got[i];
			continue;
		}
		if (got[i]) {
			explicit_bzero(got[i], strlen(got[i]));
			free(got[i]);
		}
	}
	return r;
}

char *
config_webhook_url(const struct config *c)
{
	size_t n;

	if (!c->public_url)
		return NULL;
	n = strlen(c->public_url);
	while (n > 0 && c->public_url[n - 1] == '/')
		n--;
	return xasprintf("%.*s/telegram/webhook", (int)n, c->public_url);
}

void
config_feed_conf(const struct config *c, struct feed_conf *ret)
{
	*ret = (struct feed_conf){
		.refresh = c->feeds_refresh,
		.keep_done = c->feeds_keep_done,
		.keep_gone = c->feeds_keep_gone,
		.rate_token = c->feeds_rate_token,
		.rate_ip = c->feeds_rate_ip,
		.public_url = c->public_url,
	};
}

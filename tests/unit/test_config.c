/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of config.c: where the file comes from, the defaults, every
 * error with its file:line, and secrets from files and from systemd's
 * $CREDENTIALS_DIRECTORY.  Each test runs in a fresh temporary working
 * directory, since ./dondoc.conf, ./schedules and ./templates matter.
 */
#include "testlib.h"

#include <errno.h>
#include <grp.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "config.h"
#include "feed.h"
#include "xalloc.h"

/* Same fallback as config.c, for a build without the Makefile's -D. */
#ifndef DONDOC_DATADIR
#define DONDOC_DATADIR "/usr/local/share/dondoc"
#endif

struct fx {
	char dir[64];		/* the temporary working directory */
	char *old_cwd;
};

static int
setup(void **state)
{
	struct fx *f = xcalloc(1, sizeof(*f));

	snprintf(f->dir, sizeof(f->dir), "/tmp/dondoc-config.XXXXXX");
	f->old_cwd = getcwd(NULL, 0);
	if (!f->old_cwd || !mkdtemp(f->dir) || chdir(f->dir) < 0)
		return -1;
	unsetenv("DONDOC_CONFIG");
	unsetenv("CREDENTIALS_DIRECTORY");
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	int r;

	r = chdir(f->old_cwd);
	if (r == 0)
		r = testlib_rmtree(f->dir);
	unsetenv("DONDOC_CONFIG");
	unsetenv("CREDENTIALS_DIRECTORY");
	free(f->old_cwd);
	free(f);
	return r == 0 ? 0 : -1;
}

static void
write_text(const char *path, const char *text)
{
	testlib_write_bytes(path, text, strlen(text));
}

/* Loads path (NULL: the search order) expecting success. */
static struct config *
load_ok(const char *path)
{
	struct config *c = (void *)0x1;
	char *msg = NULL;
	int r;

	r = config_load(path, &c, &msg);
	if (r < 0)
		fail_msg("config_load: %d %s", r, msg ? msg : "(no message)");
	assert_null(msg);
	assert_non_null(c);
	return c;
}

static void
assert_defaults(const struct config *c)
{
	assert_string_equal(c->db, "./dondoc.db");
	assert_string_equal(c->outbox_dir, "./outbox");
	assert_int_equal(c->tick, 60);
	assert_string_equal(c->http_listen, "127.0.0.1:8080");
	assert_null(c->public_url);
	/* /metrics for this machine only, no proxy believed. */
	assert_string_equal(c->http_metrics, "loopback");
	assert_null(c->http_metrics_token_file);
	assert_null(c->http_trusted_proxy);
	assert_false(c->http_share_port);	/* the address is this process's alone */
	assert_int_equal(c->file_delay_ms, 0);
	/* No Telegram unless a token is given; polling, the real API, 50 s polls. */
	assert_null(c->telegram_token_file);
	assert_string_equal(c->telegram_api_base, "https://api.telegram.org");
	assert_string_equal(c->telegram_mode, "polling");
	assert_int_equal(c->telegram_timeout, 50);
	assert_null(c->telegram_bot_username);
	/* No Zalo unless an app is given; Zalo's own hosts, a 7-day window. */
	assert_null(c->zalo_app_id);
	assert_string_equal(c->zalo_api_base, "https://openapi.zalo.me");
	assert_string_equal(c->zalo_oauth_base, "https://oauth.zaloapp.com");
	assert_string_equal(c->zalo_zns_base, "https://business.openapi.zalo.me");
	assert_null(c->zalo_zns_template_id);
	assert_int_equal(c->zalo_window, 7 * 86400);
	/* Feeds polled hourly; done tasks kept 90 days, departed ones 30. */
	assert_int_equal(c->feeds_refresh, 3600);
	assert_int_equal(c->feeds_keep_done, 90);
	assert_int_equal(c->feeds_keep_gone, 30);
	assert_int_equal(c->feeds_rate_token, 60);
	assert_int_equal(c->feeds_rate_ip, 600);
}

/* [feeds]: ISO 8601 durations or seconds, into struct feed_conf with [http] public_url. */
static void
test_feeds(void **state)
{
	static const struct {
		const char *refresh;
		int seconds;
	} ok[] = { { "PT1H", 3600 }, { "PT30M", 1800 }, { "P1D", 86400 }, { "1800", 1800 },
		   { "P1DT12H", 129600 }, { "PT5M", 300 }, { "P1W", 604800 }, { "PT1H30M15S", 5415 } };
	struct feed_conf fc;
	struct config *c;

	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(ok); i++) {
		char *text = xasprintf("[feeds]\nrefresh = %s\n", ok[i].refresh);

		write_text("f.conf", text);
		free(text);
		c = load_ok("f.conf");
		assert_int_equal(c->feeds_refresh, ok[i].seconds);
		config_free(c);
	}
	write_text("g.conf", "[http]\npublic_url = https://dondoc.example.gov.vn\n"
		   "[feeds]\nkeep_done = 0\nkeep_gone = 7\nrate_token = 10\nrate_ip = 100\n");
	c = load_ok("g.conf");
	config_feed_conf(c, &fc);
	assert_int_equal(fc.refresh, 3600);
	assert_int_equal(fc.keep_done, 0);
	assert_int_equal(fc.keep_gone, 7);
	assert_int_equal(fc.rate_token, 10);
	assert_int_equal(fc.rate_ip, 100);
	assert_ptr_equal(fc.public_url, c->public_url);
	config_free(c);
}

static void
test_defaults_without_file(void **state)
{
	struct config *c;

	(void)state;
	c = load_ok(NULL);
	assert_null(c->path);
	assert_defaults(c);
	assert_string_equal(c->schedules, DONDOC_DATADIR "/schedules");
	assert_string_equal(c->templates, DONDOC_DATADIR "/templates");
	assert_null(config_free(c));
	assert_null(config_free(NULL));
}

static void
test_defaults_local_dirs(void **state)
{
	struct config *c;

	(void)state;
	/* Only a directory counts: a file called templates does not. */
	assert_int_equal(mkdir("schedules", 0700), 0);
	write_text("templates", "");
	c = load_ok(NULL);
	assert_string_equal(c->schedules, "./schedules");
	assert_string_equal(c->templates, DONDOC_DATADIR "/templates");
	config_free(c);

	assert_int_equal(remove("templates"), 0);
	assert_int_equal(mkdir("templates", 0700), 0);
	c = load_ok(NULL);
	assert_string_equal(c->templates, "./templates");
	config_free(c);
}

static const char full_conf[] =
	"\xEF\xBB\xBF# every key, with comments of both kinds\n"
	"; semicolon comment\n"
	"\n"
	"[general]\n"
	"db = /var/lib/dondoc/r.db ; inline comment\n"
	"outbox_dir=out\n"
	"schedules = /srv/policy\n"
	"templates = tpl\n"
	"tick = 3600\n"
	"\n"
	"[http]\n"
	"  listen = [::1]:65535\n"
	"public_url = https://dondoc.example.vn/base\n"
	"\n"
	"[file]\n"
	"delay_ms = 60000\r\n"
	"[general]\n";

static void
test_explicit_path(void **state)
{
	struct config *c;

	(void)state;
	assert_int_equal(mkdir("etc", 0700), 0);
	write_text("etc/my.conf", full_conf);
	/* A ./dondoc.conf is not read when --config names another file. */
	write_text("dondoc.conf", "[nonsense]\n");
	c = load_ok("etc/my.conf");
	assert_string_equal(c->path, "etc/my.conf");
	assert_string_equal(c->db, "/var/lib/dondoc/r.db");
	/* Relative paths stay relative to the working directory. */
	assert_string_equal(c->outbox_dir, "out");
	assert_string_equal(c->schedules, "/srv/policy");
	assert_string_equal(c->templates, "tpl");
	assert_int_equal(c->tick, 3600);
	assert_string_equal(c->http_listen, "[::1]:65535");
	assert_string_equal(c->public_url, "https://dondoc.example.vn/base");
	assert_int_equal(c->file_delay_ms, 60000);
	config_free(c);
}

static void
test_partial_file_keeps_defaults(void **state)
{
	struct config *c;

	(void)state;
	write_text("p.conf", "[general]\ntick = 1\n[http]\npublic_url =\n[file]\n");
	c = load_ok("p.conf");
	assert_int_equal(c->tick, 1);
	assert_null(c->public_url);
	assert_string_equal(c->db, "./dondoc.db");
	assert_string_equal(c->http_listen, "127.0.0.1:8080");
	config_free(c);

	write_text("q.conf", "[http]\nlisten = localhost:1\n[file]\ndelay_ms = 0\n");
	c = load_ok("q.conf");
	assert_string_equal(c->http_listen, "localhost:1");
	config_free(c);
	/* A token given: /metrics wants it, unless told otherwise. */
	write_text("m.conf", "[http]\nmetrics_token_file = metrics-token\n"
		   "trusted_proxy = 127.0.0.1, [::1] 10.1.2.3\n");
	c = load_ok("m.conf");
	assert_string_equal(c->http_metrics, "token");
	assert_string_equal(c->http_metrics_token_file, "metrics-token");
	assert_string_equal(c->http_trusted_proxy, "127.0.0.1, [::1] 10.1.2.3");
	config_free(c);
	write_text("n.conf", "[http]\nmetrics_token_file = metrics-token\nmetrics = open\n");
	c = load_ok("n.conf");
	assert_string_equal(c->http_metrics, "open");
	config_free(c);
	/* Several instances on one host, one address. */
	write_text("s.conf", "[http]\nshare_port = yes\n");
	c = load_ok("s.conf");
	assert_true(c->http_share_port);
	config_free(c);
	write_text("s.conf", "[http]\nshare_port = Off\n");
	c = load_ok("s.conf");
	assert_false(c->http_share_port);
	config_free(c);
}

static void
test_env_config(void **state)
{
	struct config *c;

	(void)state;
	write_text("env.conf", "[general]\ntick = 7\n");
	write_text("arg.conf", "[general]\ntick = 8\n");
	write_text("dondoc.conf", "[general]\ntick = 9\n");
	setenv("DONDOC_CONFIG", "env.conf", 1);
	c = load_ok(NULL);
	assert_string_equal(c->path, "env.conf");
	assert_int_equal(c->tick, 7);
	config_free(c);

	/* --config wins over the environment. */
	c = load_ok("arg.conf");
	assert_int_equal(c->tick, 8);
	config_free(c);

	/* An empty variable counts as unset. */
	setenv("DONDOC_CONFIG", "", 1);
	c = load_ok(NULL);
	assert_string_equal(c->path, "dondoc.conf");
	assert_int_equal(c->tick, 9);
	config_free(c);
}

static void
test_local_dondoc_conf(void **state)
{
	struct config *c;

	(void)state;
	write_text("dondoc.conf", "[general]\ndb = here.db\n");
	c = load_ok(NULL);
	assert_string_equal(c->path, "dondoc.conf");
	assert_string_equal(c->db, "here.db");
	assert_int_equal(c->tick, 60);
	config_free(c);
}

/*
 * systemd/dondoc.conf.example must load as it is, and with every commented
 * "#key = value" line switched on it must still give the defaults it claims.
 */
static void
test_example_file(void **state)
{
	struct fx *f = *state;
	char *example = xasprintf("%s/systemd/dondoc.conf.example", f->old_cwd);
	char line[512];
	struct config *c;
	FILE *in, *out;

	in = fopen(example, "r");
	if (!in) {
		free(example);
		skip();	/* not run from the repository root */
	}
	c = load_ok(example);
	assert_defaults(c);
	config_free(c);

	out = fopen("on.conf", "w");
	assert_non_null(out);
	while (fgets(line, sizeof(line), in)) {
		size_t k = strspn(line + 1, "abcdefghijklmnopqrstuvwxyz_");

		if (line[0] == '#' && k > 0 && strncmp(line + 1 + k, " = ", 3) == 0)
			fputs(line + 1, out);
		else
			fputs(line, out);
	}
	assert_int_equal(fclose(in), 0);
	assert_int_equal(fclose(out), 0);
	c = load_ok("on.conf");
	assert_string_equal(c->db, "./dondoc.db");
	assert_string_equal(c->outbox_dir, "./outbox");
	assert_string_equal(c->schedules, "./schedules");
	assert_string_equal(c->templates, "./templates");
	assert_int_equal(c->tick, 60);
	assert_string_equal(c->http_listen, "127.0.0.1:8080");
	assert_non_null(c->public_url);
	assert_int_equal(c->file_delay_ms, 0);
	config_free(c);
	free(example);
}

/* Expects config_load to fail with r and exactly msg; *ret untouched. */
static void
load_fails(const char *path, int r, const char *msg)
{
	struct config *c = (void *)0x1;
	char *got = NULL;

	assert_int_equal(config_load(path, &c, &got), r);
	assert_ptr_equal(c, (void *)0x1);
	assert_non_null(got);
	assert_string_equal(got, msg);
	free(got);
}

static void
test_missing_file(void **state)
{
	(void)state;
	load_fails("nowhere/dondoc.conf", -ENOENT,
		   "cannot open config 'nowhere/dondoc.conf': No such file or directory");
	setenv("DONDOC_CONFIG", "gone.conf", 1);
	load_fails(NULL, -ENOENT, "cannot open config 'gone.conf': No such file or directory");
	unsetenv("DONDOC_CONFIG");

	/* A directory where the file should be is an error, not the defaults. */
	assert_int_equal(mkdir("dondoc.conf", 0700), 0);
	load_fails(NULL, -EISDIR, "cannot open config 'dondoc.conf': Is a directory");
}

static const struct bad {
	const char *text;
	int r;
	const char *msg;	/* after "bad.conf:" */
} bad[] = {
	{ "[general]\ntick = 5\n[bogus]\nhost = x\n", -EINVAL, "3: unknown section 'bogus'" },
	{ "[smtp]\nhost = x\n", -EINVAL, " [smtp] host is set but from is not: the sender address is required" },
	{ "[smtp]\nstarttls = sometimes\n", -EINVAL,
	  "2: bad starttls 'sometimes': must be required, optional or off" },
	{ "[smtp]\nfrom = not an address\n", -EINVAL,
	  "2: bad from 'not an address': not a plain email address" },
	{ "[telegram]\nmode = push\n", -EINVAL, "2: bad mode 'push': must be polling or webhook" },
	{ "[telegram]\nbot_username = @dondoc_bot\n", -EINVAL,
	  "2: bad bot_username '@dondoc_bot': write it without '@'" },
	{ "[telegram]\nbot_username = bot\n", -EINVAL,
	  "2: bad bot_username 'bot': 5-32 letters, digits or '_'" },
	{ "[telegram]\ntimeout = 51\n", -ERANGE, "2: bad timeout '51': must be 1..50" },
	{ "[zalo]\napp_id = 12a4\n", -EINVAL,
	  "2: bad app_id '12a4': must be digits only (1-32), as the Zalo console shows it" },
	{ "[zalo]\noa_id = @oa\n", -EINVAL,
	  "2: bad oa_id '@oa': must be digits only (1-32), as the Zalo console shows it" },
	{ "[zalo]\nzns_template_id = tpl-1\n", -EINVAL,
	  "2: bad zns_template_id 'tpl-1': must be digits only (1-32), as the Zalo console shows it" },
	{ "[zalo]\nwindow = 7\n", -EINVAL,
	  "2: bad window '7': expected a number and a unit, s, m, h or d (as in 7d)" },
	{ "[zalo]\nwindow = 8d\n", -ERANGE, "2: bad window '8d': must be 1h..7d (Zalo refuses "
	  "consultation messages 7 days after a person's last message)" },
	{ "[zalo]\nwindow = 59m\n", -ERANGE, "2: bad window '59m': must be 1h..7d (Zalo refuses "
	  "consultation messages 7 days after a person's last message)" },
	{ "[zalo]\napi_base = openapi.zalo.me\n", -EINVAL,
	  "2: bad api_base 'openapi.zalo.me': must start with http:// or https://" },
	{ "[zalo]\napp_id = 1234\nsecret_key_file = ./s\n", -EINVAL,
	  " [zalo] app_id is set but oa_secret_key_file (the OA secret key, for webhook "
	  "signatures) is not" },
	{ "[zalo]\napp_id = 1234\noa_secret_key_file = ./s\n", -EINVAL,
	  " [zalo] app_id is set but secret_key_file (the app secret) is not" },
	{ "[zalo]\nsecret_key_file = ./s\n", -EINVAL,
	  " [zalo] has secrets, an oa_id or a template but no app_id: set app_id (the Zalo app's id, digits)" },
	{ "[telegram]\napi_base = ftp://x\n", -EINVAL,
	  "2: bad api_base 'ftp://x': must start with http:// or https://" },
	{ "[telegram]\ntoken_file = t\nmode = webhook\n", -EINVAL,
	  " [telegram] mode is webhook but webhook_secret_file is not set: a webhook without a "
	  "secret would take updates from anyone" },
	{ "[general]\n[empty]\n", -EINVAL, "2: unknown section 'empty'" },
	{ "; c\n[General]\n", -EINVAL, "2: unknown section 'General'" },
	{ "[general]\n\ntik = 5\n", -EINVAL, "3: unknown key 'tik' in section 'general'" },
	{ "[http]\ndb = x\n", -EINVAL, "2: unknown key 'db' in section 'http'" },
	{ "db = x\n", -EINVAL, "1: key 'db' is outside any section" },
	{ "[general]\ntick = abc\n", -EINVAL, "2: bad tick 'abc': not an integer" },
	{ "[general]\ntick = 60s\n", -EINVAL, "2: bad tick '60s': not an integer" },
	{ "[general]\ntick =\n", -EINVAL, "2: bad tick '': not an integer" },
	{ "[general]\ntick = 0\n", -ERANGE, "2: bad tick '0': must be 1..3600" },
	{ "[general]\ntick = 3601\n", -ERANGE, "2: bad tick '3601': must be 1..3600" },
	{ "[general]\ntick = 99999999999999999999\n", -ERANGE,
	  "2: bad tick '99999999999999999999': must be 1..3600" },
	{ "[file]\ndelay_ms = -1\n", -ERANGE, "2: bad delay_ms '-1': must be 0..60000" },
	{ "[file]\ndelay_ms = 60001\n", -ERANGE, "2: bad delay_ms '60001': must be 0..60000" },
	{ "[http]\nlisten = localhost\n", -EINVAL, "2: bad listen 'localhost': expected host:port" },
	{ "[http]\nlisten = :8080\n", -EINVAL, "2: bad listen ':8080': expected host:port" },
	{ "[http]\nlisten = 127.0.0.1:0\n", -EINVAL,
	  "2: bad listen '127.0.0.1:0': the port must be 1..65535" },
	{ "[http]\nlisten = 127.0.0.1:65536\n", -EINVAL,
	  "2: bad listen '127.0.0.1:65536': the port must be 1..65535" },
	{ "[http]\nlisten = 127.0.0.1:+80\n", -EINVAL,
	  "2: bad listen '127.0.0.1:+80': the port must be 1..65535" },
	{ "[http]\nlisten = 127.0.0.1:http\n", -EINVAL,
	  "2: bad listen '127.0.0.1:http': the port must be 1..65535" },
	{ "[http]\nlisten = ::1:8080\n", -EINVAL,
	  "2: bad listen '::1:8080': an IPv6 address needs brackets, as in [::1]:8080" },
	{ "[http]\nlisten = []:8080\n", -EINVAL, "2: bad listen '[]:8080': expected [address]:port" },
	{ "[http]\nlisten = [::1]8080\n", -EINVAL,
	  "2: bad listen '[::1]8080': expected [address]:port" },
	{ "[http]\nlisten = my host:80\n", -EINVAL, "2: bad listen 'my host:80': space in the host" },
	{ "[http]\npublic_url = dondoc.example.vn\n", -EINVAL,
	  "2: bad public_url 'dondoc.example.vn': must start with http:// or https://" },
	{ "[http]\nmetrics = public\n", -EINVAL,
	  "2: bad metrics 'public': must be loopback, token or open" },
	{ "[http]\nmetrics = token\n", -EINVAL,
	  " [http] metrics is token but metrics_token_file is not set" },
	{ "[http]\ntrusted_proxy = proxy.example.vn\n", -EINVAL,
	  "2: bad trusted_proxy 'proxy.example.vn': expected numeric IP addresses, separated by "
	  "commas" },
	{ "[http]\ntrusted_proxy = 10.0.0.1/8\n", -EINVAL,
	  "2: bad trusted_proxy '10.0.0.1/8': expected numeric IP addresses, separated by commas" },
	{ "[http]\ntrusted_proxy = ,\n", -EINVAL, "2: bad trusted_proxy ',': no address" },
	{ "[http]\nshare_port = maybe\n", -EINVAL, "2: bad share_port 'maybe': yes or no" },
	{ "[general]\ndb =\n", -EINVAL, "2: empty value for db" },
	{ "[general]\ntick = 5\n[http]\n[general]\ntick = 6\n", -EINVAL,
	  "5: tick is already set on line 2" },
	{ "[general]\ndb = a\n\n  tick = 5\n", -EINVAL,
	  "4: indented line would continue 'db' (multi-line values are not supported); "
	  "remove the indentation" },
	{ "[feeds]\nrefresh = 1h\n", -EINVAL, "2: bad refresh '1h': expected an ISO 8601 duration "
	  "(PT1H, PT30M, P1D) or a number of seconds" },
	{ "[feeds]\nrefresh = P1M\n", -EINVAL, "2: bad refresh 'P1M': expected an ISO 8601 duration "
	  "(PT1H, PT30M, P1D) or a number of seconds" },
	{ "[feeds]\nrefresh = PT\n", -EINVAL, "2: bad refresh 'PT': expected an ISO 8601 duration "
	  "(PT1H, PT30M, P1D) or a number of seconds" },
	{ "[feeds]\nrefresh = PT1M\n", -ERANGE,
	  "2: bad refresh 'PT1M': must be 5 minutes to 7 days (PT5M..P7D)" },
	{ "[feeds]\nrefresh = P8D\n", -ERANGE,
	  "2: bad refresh 'P8D': must be 5 minutes to 7 days (PT5M..P7D)" },
	{ "[feeds]\nrefresh = 299\n", -ERANGE,
	  "2: bad refresh '299': must be 5 minutes to 7 days (PT5M..P7D)" },
	{ "[feeds]\nrefresh = P99999999999999999999D\n", -ERANGE,
	  "2: bad refresh 'P99999999999999999999D': must be 5 minutes to 7 days (PT5M..P7D)" },
	{ "[feeds]\nkeep_done = -1\n", -ERANGE, "2: bad keep_done '-1': must be 0..3650" },
	{ "[feeds]\nkeep_gone = many\n", -EINVAL, "2: bad keep_gone 'many': not an integer" },
	{ "[feeds]\nrate_token = 0\n", -ERANGE, "2: bad rate_token '0': must be 1..100000" },
	{ "[feeds]\nrate_ip = 0\n", -ERANGE, "2: bad rate_ip '0': must be 1..1000000" },
	{ "[general]\ntick = 5\n  [http]\n", -EINVAL,
	  "3: indented line would continue 'tick' (multi-line values are not supported); "
	  "remove the indentation" },
	{ "[general]\njust words\ntick = x\n", -EINVAL,
	  "2: syntax error: expected '[section]' or 'key = value'" },
	{ "[general\n", -EINVAL, "1: syntax error: expected '[section]' or 'key = value'" },
	/* Errors after the first are not reported over it. */
	{ "[general]\ntick = 0\nfoo\n[bar]\n", -ERANGE, "2: bad tick '0': must be 1..3600" },
};

static void
test_bad_values(void **state)
{
	(void)state;
	for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
		char *want = xasprintf("bad.conf:%s", bad[i].msg);

		write_text("bad.conf", bad[i].text);
		load_fails("bad.conf", bad[i].r, want);
		free(want);
	}
}

static void
test_long_line_and_nul(void **state)
{
	char line[1024];
	const char nul[] = "[general]\ndb = a\0b\n";

	(void)state;
	/* Far past libinih's line buffer: an error, not two half lines. */
	memset(line, 'x', sizeof(line));
	memcpy(line, "[general]\ndb = ", 15);
	line[sizeof(line) - 1] = '\n';
	testlib_write_bytes("long.conf", line, sizeof(line));
	{
		struct config *c = NULL;
		char *msg = NULL;

		assert_int_equal(config_load("long.conf", &c, &msg), -EINVAL);
		assert_non_null(strstr(msg, "long.conf:2: line longer than "));
		free(msg);
	}
	testlib_write_bytes("nul.conf", nul, sizeof(nul) - 1);
	load_fails("nul.conf", -EINVAL, "nul.conf:2: NUL byte in line");

	/* A last line without its newline still counts. */
	write_text("nonl.conf", "[general]\ntick = 12");
	{
		struct config *c = load_ok("nonl.conf");

		assert_int_equal(c->tick, 12);
		config_free(c);
	}
	write_text("nonl.conf", "[general]\ntick = 0");
	load_fails("nonl.conf", -ERANGE, "nonl.conf:2: bad tick '0': must be 1..3600");
}

/* Reads ref expecting success and the value want. */
static void
secret_is(const char *ref, const char *want)
{
	char *got = NULL, *msg = NULL;
	int r;

	r = config_read_secret(ref, &got, &msg);
	if (r < 0)
		fail_msg("config_read_secret(%s): %d %s", ref, r, msg ? msg : "(no message)");
	assert_null(msg);
	assert_string_equal(got, want);
	free(got);
}

/* Expects config_read_secret to fail with r and a message containing part. */
static void
secret_fails(const char *ref, int r, const char *part)
{
	char *got = (void *)0x1, *msg = NULL;

	assert_int_equal(config_read_secret(ref, &got, &msg), r);
	assert_ptr_equal(got, (void *)0x1);
	assert_non_null(msg);
	if (!strstr(msg, part))
		fail_msg("message '%s' lacks '%s'", msg, part);
	free(msg);
}

static void
test_secret_from_file(void **state)
{
	(void)state;
	write_text("token", "s3cret\n");
	secret_is("./token", "s3cret");
	write_text("crlf", "p@ss word\r\n\n");
	secret_is("./crlf", "p@ss word");
	write_text("inner", "line1\nline2");
	secret_is("./inner", "line1\nline2");
	/* Only newlines are trimmed: spaces may be part of a password. */
	write_text("spaces", " pad \n");
	secret_is("./spaces", " pad ");
	secret_fails("./absent", -ENOENT, "cannot read secret './absent': No such file or directory");
	assert_int_equal(mkdir("adir", 0700), 0);
	secret_fails("./adir", -EISDIR, "Is a directory");
}

static void
test_secret_from_credentials(void **state)
{
	struct fx *f = *state;
	char *dir = xasprintf("%s/creds", f->dir);

	assert_int_equal(mkdir("creds", 0700), 0);
	write_text("creds/telegram-token", "123:abc\n");
	/* A bare name without systemd says so, rather than "no such file". */
	secret_fails("telegram-token", -ENOENT, "$CREDENTIALS_DIRECTORY is not set");
	setenv("CREDENTIALS_DIRECTORY", dir, 1);
	secret_is("telegram-token", "123:abc");
	secret_fails("smtp-password", -ENOENT, "creds/smtp-password': No such file or directory");
	secret_fails("..", -EINVAL, "not a credential name");
	secret_fails("", -EINVAL, "empty name");
	setenv("CREDENTIALS_DIRECTORY", "", 1);
	secret_fails("telegram-token", -ENOENT, "$CREDENTIALS_DIRECTORY is not set");
	free(dir);
}

/*
 * The webhook secret of c is refused with a message naming want, and not
 * showing hidden (may be NULL): a secret is never echoed.
 */
static void
assert_secret_refused(const struct config *c, const char *want, const char *hidden)
{
	char *got = NULL, *msg = NULL;

	assert_int_equal(config_read_webhook_secret(c, &got, &msg), -EINVAL);
	assert_null(got);
	assert_non_null(msg);
	assert_non_null(strstr(msg, want));
	if (hidden)
		assert_null(strstr(msg, hidden));
	free(msg);
}

/* Webhook setup: the secret must be what Telegram takes (1-256 of A-Za-z0-9_-). */
static void
test_webhook_secret(void **state)
{
	struct config *c;
	char *got = NULL, *msg = NULL, big[300];

	(void)state;
	write_text("dondoc.conf", "[telegram]\ntoken_file = ./tok\nmode = webhook\n"
		   "webhook_secret_file = ./whs\n");
	c = load_ok("dondoc.conf");
	assert_null(config_webhook_url(c));
	write_text("whs", "A-z_09-\n");
	assert_int_equal(config_read_webhook_secret(c, &got, &msg), 0);
	assert_string_equal(got, "A-z_09-");
	free(got);
	got = NULL;
	memset(big, 'a', sizeof(big));
	testlib_write_bytes("whs", big, 256);
	assert_int_equal(config_read_webhook_secret(c, &got, &msg), 0);
	assert_int_equal(strlen(got), 256);
	free(got);
	got = NULL;

	testlib_write_bytes("whs", big, 257);
	assert_secret_refused(c, "dondoc.conf: [telegram] webhook_secret_file: bad secret in "
			      "'./whs' (257 characters long): Telegram takes 1-256 characters "
			      "of A-Z, a-z, 0-9, '_' and '-'", NULL);
	write_text("whs", "abc def");
	assert_secret_refused(c, "(character 4 is not allowed)", "abc");
	write_text("whs", "mật-khẩu");
	assert_secret_refused(c, "(character 2 is not allowed)", NULL);
	/* What config_read_secret refuses is refused, under the key's name. */
	write_text("whs", "\n");
	assert_secret_refused(c, "[telegram] webhook_secret_file: bad secret './whs': empty", NULL);
	config_free(c);

	/* Where Telegram delivers: the public URL, with or without its slashes. */
	write_text("dondoc.conf", "[http]\npublic_url = https://dondoc.example.gov.vn//\n");
	c = load_ok("dondoc.conf");
	got = config_webhook_url(c);
	assert_string_equal(got, "https://dondoc.example.gov.vn/telegram/webhook");
	free(got);
	config_free(c);
}

static void
test_secret_empty_and_huge(void **state)
{
	size_t max = 64 * 1024;
	char *big = xmalloc(max + 1);

	(void)state;
	write_text("empty", "");
	secret_fails("./empty", -EINVAL, "bad secret './empty': empty");
	write_text("newlines", "\n\r\n\n");
	secret_fails("./newlines", -EINVAL, "empty");
	write_text("blank", "  \t\n");
	secret_fails("./blank", -EINVAL, "empty");
	testlib_write_bytes("nul", "ab\0cd", 5);
	secret_fails("./nul", -EINVAL, "contains a NUL byte");

	memset(big, 'k', max + 1);
	testlib_write_bytes("max", big, max);
	{
		char *got = NULL, *msg = NULL;

		assert_int_equal(config_read_secret("./max", &got, &msg), 0);
		assert_int_equal(strlen(got), max);
		free(got);
	}
	testlib_write_bytes("huge", big, max + 1);
	secret_fails("./huge", -EINVAL, "bad secret './huge': larger than 64 KiB");
	free(big);
}

static void
test_zalo(void **state)
{
	struct config *c;
	char *app = NULL, *oa = NULL, *msg = NULL;

	(void)state;
	write_text("dondoc.conf", "[zalo]\napp_id = 2553928453557884079\nsecret_key_file = ./app\n"
		   "oa_secret_key_file = ./oa\nwindow = 36h\nzns_template_id = 412345\n"
		   "api_base = http://127.0.0.1:9/\n");
	c = load_ok("dondoc.conf");
	assert_string_equal(c->zalo_app_id, "2553928453557884079");
	assert_string_equal(c->zalo_zns_template_id, "412345");
	assert_string_equal(c->zalo_api_base, "http://127.0.0.1:9/");
	assert_int_equal(c->zalo_window, 36 * 3600);
	/* The secrets are read when Zalo is used: missing, it says which key. */
	assert_int_equal(config_read_zalo_secrets(c, &app, &oa, &msg), -ENOENT);
	assert_null(app);
	assert_non_null(strstr(msg, "dondoc.conf: [zalo] secret_key_file: cannot read secret './app'"));
	free(msg);
	msg = NULL;
	write_text("app", "APPSECRET\n");
	assert_int_equal(config_read_zalo_secrets(c, &app, &oa, &msg), -ENOENT);
	assert_null(app);
	assert_non_null(strstr(msg, "dondoc.conf: [zalo] oa_secret_key_file: cannot read secret './oa'"));
	free(msg);
	msg = NULL;
	write_text("oa", "OASECRET");
	assert_int_equal(config_read_zalo_secrets(c, &app, &oa, &msg), 0);
	assert_string_equal(app, "APPSECRET");
	assert_string_equal(oa, "OASECRET");
	free(app);
	free(oa);
	app = NULL;
	/* Only checking one of them. */
	assert_int_equal(config_read_zalo_secrets(c, &app, NULL, &msg), 0);
	assert_string_equal(app, "APPSECRET");
	free(app);
	config_free(c);

	write_text("dondoc.conf", "[general]\ntick = 5\n");
	c = load_ok("dondoc.conf");
	assert_int_equal(config_read_zalo_secrets(c, &app, &oa, &msg), -ENOKEY);
	assert_string_equal(msg, "Zalo is not configured: no [zalo] app_id in dondoc.conf");
	free(msg);
	config_free(c);
}

static void
test_secret_unreadable(void **state)
{
	int status;
	pid_t pid;

	(void)state;
	write_text("locked", "x\n");
	assert_int_equal(chmod("locked", 0), 0);
	if (geteuid() != 0) {
		secret_fails("./locked", -EACCES, "Permission denied");
		return;
	}
	/* Root reads a mode 0000 file anyway: try it as nobody, in a child. */
	assert_int_equal(chmod(".", 0755), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char *got = NULL, *msg = NULL;
		int r;

		if (setgroups(0, NULL) < 0 || setresgid(65534, 65534, 65534) < 0 ||
		    setresuid(65534, 65534, 65534) < 0)
			_exit(2);
		r = config_read_secret("./locked", &got, &msg);
		_exit(r == -EACCES && !got && msg && strstr(msg, "Permission denied") ? 0 : 1);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 2)
		skip();	/* no way to become nobody here */
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* from = "Name <address>": the name to from_name, the bare address kept for MAIL FROM. */
static void
test_from_with_name(void **state)
{
	static const struct {
		const char *from, *name, *addr;
	} ok[] = {
		{ "vp@bcd.example.gov.vn", NULL, "vp@bcd.example.gov.vn" },
		{ "Văn phòng Ban Chỉ đạo <vp@bcd.example.gov.vn>", "Văn phòng Ban Chỉ đạo",
		  "vp@bcd.example.gov.vn" },
		{ "\"Văn phòng, BCĐ\" <vp@bcd.example.gov.vn>", "Văn phòng, BCĐ",
		  "vp@bcd.example.gov.vn" },
		{ "\"A \\\"B\\\"\" <a@b.vn>", "A \"B\"", "a@b.vn" },
		{ "<vp@bcd.example.gov.vn>", NULL, "vp@bcd.example.gov.vn" },
	};
	char text[256];

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		struct config *c;

		snprintf(text, sizeof(text), "[smtp]\nhost = 10.0.0.5\nfrom = %s\n", ok[i].from);
		write_text("from.conf", text);
		c = load_ok("from.conf");
		assert_string_equal(c->smtp_from, ok[i].addr);
		if (ok[i].name)
			assert_string_equal(c->smtp_from_name, ok[i].name);
		else
			assert_null(c->smtp_from_name);
		config_free(c);
	}
	write_text("from.conf", "[smtp]\nfrom = VP <vp@x.vn>\nfrom_name = Khác\n");
	load_fails("from.conf", -EINVAL, "from.conf: [smtp] from names the sender ('VP') and "
		   "from_name does too ('Khác'): keep one");
	write_text("from.conf", "[smtp]\nfrom = VP <vp at x>\n");
	load_fails("from.conf", -EINVAL, "from.conf:2: bad from 'VP <vp at x>': the part in <> "
		   "is not a plain email address");
	write_text("from.conf", "[smtp]\nfrom = VP <vp@x.vn> trailing\n");
	load_fails("from.conf", -EINVAL, "from.conf:2: bad from 'VP <vp@x.vn> trailing': "
		   "expected 'Name <address>'");
}

/* A schedules folder nowhere to be found: the message names the key to set. */
static void
test_data_error(void **state)
{
	struct config *c;
	char *msg;

	(void)state;
	c = load_ok(NULL);
	msg = config_data_error(c, "schedules", xstrdup("x/policy.ini: cannot open"));
	if (c->schedules_guessed)
		assert_non_null(strstr(msg, "set [general] schedules in the configuration"));
	else
		assert_string_equal(msg, "x/policy.ini: cannot open");
	free(msg);
	config_free(c);

	write_text("d.conf", "[general]\ntemplates = nowhere\n");
	c = load_ok("d.conf");
	msg = config_data_error(c, "templates", xstrdup("no templates"));
	assert_string_equal(msg, "no templates; [general] templates = nowhere in d.conf is not a "
			    "folder: set it to the folder holding vi/ and en/");
	free(msg);
	config_free(c);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_feeds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_defaults_without_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_defaults_local_dirs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_explicit_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_partial_file_keeps_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_env_config, setup, teardown),
		cmocka_unit_test_setup_teardown(test_local_dondoc_conf, setup, teardown),
		cmocka_unit_test_setup_teardown(test_example_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_values, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_line_and_nul, setup, teardown),
		cmocka_unit_test_setup_teardown(test_secret_from_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_secret_from_credentials, setup, teardown),
		cmocka_unit_test_setup_teardown(test_secret_empty_and_huge, setup, teardown),
		cmocka_unit_test_setup_teardown(test_webhook_secret, setup, teardown),
		cmocka_unit_test_setup_teardown(test_secret_unreadable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_zalo, setup, teardown),
		cmocka_unit_test_setup_teardown(test_from_with_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_data_error, setup, teardown),
	};

	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}

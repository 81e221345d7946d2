/* SPDX-License-Identifier: MIT */
/*
 * Tests of bot/feedlink.c: a feed's link on public_url and its webcal://
 * form, the tokens taken out of a text (what the outbox keeps of a
 * /lich answer), and feed_token_hash (bot/feed.c), which refuses what
 * cannot be a token before any lookup.
 */
#include "testlib.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "feed.h"
#include "feedlink.h"

/* Two tokens of FEED_TOKEN_LEN base64url characters. */
#define TOK1 "BWrgUt8yzWbaSYZlYHf2WSlx27ZRdDtU"
#define TOK2 "dABFg4fPT6cA4yHGbkHF-a47x7X1Yh_L"
#define HOST "https://dondoc.example.gov.vn"

/* Checks feedlink_redact(in): want, or NULL when nothing is to be taken out. */
static void
check_redact(const char *in, const char *want)
{
	char *got = feedlink_redact(in);

	if (!want && got)
		fail_msg("feedlink_redact('%s') = '%s', expected nothing taken out", in, got);
	if (want && !got)
		fail_msg("feedlink_redact('%s') took nothing out, expected '%s'", in, want);
	if (want && strcmp(got, want) != 0) {
		print_error("feedlink_redact('%s') = '%s', expected '%s'\n", in, got, want);
		free(got);
		fail();
	}
	free(got);
}

static void
test_url(void **state)
{
	char *u;

	(void)state;
	u = feedlink_url(HOST "/", TOK1);
	assert_string_equal(u, HOST "/ical/" TOK1 ".ics");
	free(u);
	/* Every trailing '/' goes, a path before it stays. */
	u = feedlink_url(HOST "/dondoc//", TOK1);
	assert_string_equal(u, HOST "/dondoc/ical/" TOK1 ".ics");
	free(u);
	u = feedlink_url(HOST, TOK1);
	assert_string_equal(u, HOST "/ical/" TOK1 ".ics");
	free(u);
	/* Without public_url, or with "/" alone: the path. */
	u = feedlink_url(NULL, TOK1);
	assert_string_equal(u, "/ical/" TOK1 ".ics");
	free(u);
	u = feedlink_url("/", TOK1);
	assert_string_equal(u, "/ical/" TOK1 ".ics");
	free(u);
}

static void
test_webcal(void **state)
{
	char *w;

	(void)state;
	w = feedlink_webcal(HOST "/ical/" TOK1 ".ics");
	assert_string_equal(w, "webcal://dondoc.example.gov.vn/ical/" TOK1 ".ics");
	free(w);
	w = feedlink_webcal("http://127.0.0.1:8080/ical/" TOK1 ".ics");
	assert_string_equal(w, "webcal://127.0.0.1:8080/ical/" TOK1 ".ics");
	free(w);
	/* Not http(s): no webcal form. */
	assert_null(feedlink_webcal("/ical/" TOK1 ".ics"));
	assert_null(feedlink_webcal("ftp://dondoc.example.gov.vn/ical/" TOK1 ".ics"));
	assert_null(feedlink_webcal("webcal://dondoc.example.gov.vn/ical/" TOK1 ".ics"));
	assert_null(feedlink_webcal("https:/dondoc.example.gov.vn/ical/" TOK1 ".ics"));
	assert_null(feedlink_webcal(""));
}

static void
test_redact(void **state)
{
	(void)state;
	/* Two links in one text, https and webcal, each token gone, the rest kept. */
	check_redact("Lịch: " HOST "/ical/" TOK1 ".ics\niPhone: webcal://x/ical/" TOK2 ".ics.",
		     "Lịch: " HOST "/ical/….ics\niPhone: webcal://x/ical/….ics.");
	/* A token at the very end of the text. */
	check_redact("/ical/" TOK1 ".ics", "/ical/….ics");
	/* Near-tokens: one character short or long, no ".ics", a character not base64url. */
	check_redact("/ical/" "BWrgUt8yzWbaSYZlYHf2WSlx27ZRdDt" ".ics", NULL);
	check_redact("/ical/" TOK1 "A.ics", NULL);
	check_redact("/ical/" TOK1 ".ic", NULL);
	check_redact("/ical/" TOK1, NULL);
	check_redact("/ical/" "BWrgUt8yzWbaSYZlYHf2WSlx27ZRdD+U" ".ics", NULL);
	check_redact("/ical/" "BWrgUt8yzWbaSYZlYHf2WSlx27ZRdD\xc3\xa9" ".ics", NULL);
	check_redact("/ICAL/" TOK1 ".ics", NULL);
	/* A near-token first does not hide a real one after it. */
	check_redact("/ical/x.ics /ical//ical/" TOK2 ".ics", "/ical/x.ics /ical//ical/….ics");
	check_redact("no link here", NULL);
	check_redact("", NULL);
	check_redact(NULL, NULL);
}

static void
test_token_hash(void **state)
{
	char hash[65], token[FEED_TOKEN_LEN + 1], again[65];

	(void)state;
	assert_int_equal(feed_token_hash(TOK1, hash), 0);
	assert_int_equal(strlen(hash), 64);
	assert_int_equal(strspn(hash, "0123456789abcdef"), 64);
	assert_int_equal(feed_token_hash(TOK2, again), 0);
	assert_string_not_equal(hash, again);
	/* A new token hashes as feed_token_new said. */
	assert_int_equal(feed_token_new(token, hash), 0);
	assert_int_equal(feed_token_hash(token, again), 0);
	assert_string_equal(hash, again);

	assert_int_equal(feed_token_hash(NULL, hash), -EINVAL);
	assert_int_equal(feed_token_hash("", hash), -EINVAL);
	assert_int_equal(feed_token_hash("BWrgUt8yzWbaSYZlYHf2WSlx27ZRdDt", hash), -EINVAL);
	assert_int_equal(feed_token_hash(TOK1 "A", hash), -EINVAL);
	assert_int_equal(feed_token_hash("BWrgUt8yzWbaSYZlYHf2WSlx27ZRdD+U", hash), -EINVAL);
	assert_int_equal(feed_token_hash("BWrgUt8yzWbaSYZlYHf2WSlx27ZRdD/U", hash), -EINVAL);
	assert_int_equal(feed_token_hash("BWrgUt8yzWbaSYZlYHf2WSlx27ZRd.ic", hash), -EINVAL);
	assert_int_equal(feed_token_hash("BWrgUt8yzWbaSYZlYHf2WSlx27ZRdD=", hash), -EINVAL);
	/* 32 bytes, not 32 characters of the alphabet. */
	assert_int_equal(feed_token_hash("BWrgUt8yzWbaSYZlYHf2WSlx27ZRdD\xc3\xa9", hash), -EINVAL);
	assert_int_equal(feed_token_hash("../../../../../../../../etc/pass", hash), -EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_url),
		cmocka_unit_test(test_webcal),
		cmocka_unit_test(test_redact),
		cmocka_unit_test(test_token_hash),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

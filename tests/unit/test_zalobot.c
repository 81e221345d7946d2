/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of zalobot.c's reading of a delivery (zalobot_read): the
 * signature over the raw bytes (shared/refdata/zalo/SIGNATURE.md's
 * vector A, embedded, and its HMAC negative), the app id, the timestamp
 * window, ids as strings, the size, the events' kinds and keys; and the
 * shape of a link code (command_link_code).
 */
#include "testlib.h"

#include <errno.h>
#include <string.h>

#include "command.h"
#include "hash.h"
#include "xalloc.h"
#include "zalobot.h"

#define APP "2553928453557884079"
#define SECRET "TESTOASECRETKEY123"
#define TS_S 1735689600
/* SIGNATURE.md's vector A: refdata/zalo/user_send_text.synth.json, 287 bytes. */
#define VEC_A_BODY \
	"{\"app_id\":\"2553928453557884079\",\"user_id_by_app\":\"979122185046046317\"," \
	"\"event_name\":\"user_send_text\",\"timestamp\":\"1735689600000\"," \
	"\"sender\":{\"id\":\"6142494823000000001\"},\"recipient\":{\"id\":\"3662729599332560487\"}," \
	"\"message\":{\"text\":\"/nhac 08:30 h\xe1\xbb\x8dp giao ban\",\"msg_id\":\"cb31dff1c39642cc1b83\"}}"
#define VEC_A_MAC "mac=9ccada17a6c03a7e3feef935bf2cbb0dcc0aafad6a431b3854138550d3cfac38"
#define VEC_A_HMAC "mac=afbeb47804cf4c8f858afd03dd0615c6fe8fd075ec76158d06acd661ae09aad6"

/* Zalo's signature of body for app at ts, as "mac=<hex>" (new). */
static char *
sign(const char *app, const char *body, const char *ts, const char *secret)
{
	char hex[HASH_SHA256_HEX_LEN];
	struct hash *h = hash_new();

	hash_add(h, app, strlen(app));
	hash_add(h, body, strlen(body));
	hash_add(h, ts, strlen(ts));
	hash_add(h, secret, strlen(secret));
	hash_final_hex(h, hex);
	hash_free(h);
	return xasprintf("mac=%s", hex);
}

/* zalobot_read of body signed as Zalo would (app and ts those signed with), at now. */
static int
read_signed(const char *app, const char *ts, const char *body, int64_t now,
	    struct zalo_event *ret)
{
	char *mac = sign(app, body, ts, SECRET);
	const char *why = NULL;
	int r = zalobot_read(APP, NULL, SECRET, mac, body, strlen(body), now, ret, &why);

	if (r)
		assert_non_null(why);
	free(mac);
	return r;
}

/* zalobot_read of body signed as Zalo would, for our OA oa_id. */
static int
read_for_oa(const char *oa_id, const char *ts, const char *body, struct zalo_event *ret)
{
	char *mac = sign(APP, body, ts, SECRET);
	const char *why = NULL;
	int r = zalobot_read(APP, oa_id, SECRET, mac, body, strlen(body), TS_S, ret, &why);

	if (r)
		assert_non_null(strstr(why, "another OA"));
	free(mac);
	return r;
}

static void
test_vector_a(void **state)
{
	const char *body = VEC_A_BODY, *why = NULL;
	struct zalo_event e = { 0 }, again = { 0 };

	(void)state;
	assert_int_equal(strlen(body), 287);
	assert_int_equal(zalobot_read(APP, NULL, SECRET, VEC_A_MAC, body, strlen(body), TS_S, &e, &why), 0);
	assert_int_equal(e.kind, ZALO_EVENT_TEXT);
	assert_string_equal(e.name, "user_send_text");
	assert_string_equal(e.user_id, "6142494823000000001");
	assert_string_equal(e.text, "/nhac 08:30 h\xe1\xbb\x8dp giao ban");
	assert_null(e.quote_msg_id);
	assert_int_equal(e.at, TS_S);
	assert_true(e.key >= 0);
	/* Without "mac=" too; the same body is the same key (a replay is known). */
	assert_int_equal(zalobot_read(APP, NULL, SECRET, VEC_A_MAC + 4, body, strlen(body), TS_S, &again,
				      &why), 0);
	assert_int_equal(again.key, e.key);
	zalo_event_release(&again);
	zalo_event_release(&e);
	/* The negative case: HMAC-SHA256 of the same is refused, and so is no signature. */
	assert_int_equal(zalobot_read(APP, NULL, SECRET, VEC_A_HMAC, body, strlen(body), TS_S, &e, &why),
			 401);
	assert_null(e.name);
	assert_int_equal(zalobot_read(APP, NULL, SECRET, NULL, body, strlen(body), TS_S, &e, &why), 401);
	/* Another secret, or one byte less of the body. */
	assert_int_equal(zalobot_read(APP, NULL, "TESTOASECRETKEY124", VEC_A_MAC, body, strlen(body), TS_S,
				      &e, &why), 401);
	assert_int_equal(zalobot_read(APP, NULL, SECRET, VEC_A_MAC, body, strlen(body) - 1, TS_S, &e,
				      &why), 400);
}

static void
test_timestamp_window(void **state)
{
	const char *body = VEC_A_BODY, *why = NULL;
	struct zalo_event e = { 0 };

	(void)state;
	/* 10 minutes ahead at most; 24 hours behind at most (both ends in). */
	assert_int_equal(zalobot_read(APP, NULL, SECRET, VEC_A_MAC, body, strlen(body),
				      TS_S - ZALOBOT_AHEAD_S, &e, &why), 0);
	zalo_event_release(&e);
	assert_int_equal(zalobot_read(APP, NULL, SECRET, VEC_A_MAC, body, strlen(body),
				      TS_S - ZALOBOT_AHEAD_S - 1, &e, &why), 400);
	assert_int_equal(zalobot_read(APP, NULL, SECRET, VEC_A_MAC, body, strlen(body),
				      TS_S + ZALOBOT_MAX_AGE_S, &e, &why), 0);
	zalo_event_release(&e);
	assert_int_equal(zalobot_read(APP, NULL, SECRET, VEC_A_MAC, body, strlen(body),
				      TS_S + ZALOBOT_MAX_AGE_S + 1, &e, &why), 400);
	assert_non_null(strstr(why, "stale"));
	/* A timestamp that is no count of milliseconds, well signed. */
	assert_int_equal(read_signed(APP, "17356896OOOOO",
				     "{\"app_id\":\"" APP "\",\"timestamp\":\"17356896OOOOO\","
				     "\"event_name\":\"follow\",\"follower\":{\"id\":\"1\"}}", TS_S, &e),
			 400);
}

static void
test_refused(void **state)
{
	struct zalo_event e = { 0 };
	const char *why = NULL;
	char *big;

	(void)state;
	/* Another app's event, signed with our secret: not ours (403). */
	assert_int_equal(read_signed("1111", "1735689600000",
				     "{\"app_id\":\"1111\",\"timestamp\":\"1735689600000\","
				     "\"event_name\":\"follow\",\"follower\":{\"id\":\"1\"}}", TS_S, &e),
			 403);
	/* Ids and timestamp as numbers (--numbers): 400 before the signature is computed. */
	assert_int_equal(read_signed(APP, "1735689600000",
				     "{\"app_id\":2553928453557884079,\"timestamp\":1735689600000,"
				     "\"event_name\":\"follow\",\"follower\":{\"id\":1}}", TS_S, &e),
			 400);
	/* The app id a string but the user a number. */
	assert_int_equal(read_signed(APP, "1735689600000",
				     "{\"app_id\":\"" APP "\",\"timestamp\":\"1735689600000\","
				     "\"event_name\":\"user_send_text\",\"sender\":{\"id\":61424948},"
				     "\"message\":{\"text\":\"/viec\",\"msg_id\":\"m1\"}}", TS_S, &e),
			 400);
	/* Not JSON, not an object, a key twice, no event name, a text without msg_id. */
	assert_int_equal(read_signed(APP, "1735689600000", "{\"app_id\":", TS_S, &e), 400);
	assert_int_equal(read_signed(APP, "1735689600000", "[1,2]", TS_S, &e), 400);
	assert_int_equal(read_signed(APP, "1735689600000",
				     "{\"app_id\":\"" APP "\",\"app_id\":\"" APP "\","
				     "\"timestamp\":\"1735689600000\",\"event_name\":\"follow\","
				     "\"follower\":{\"id\":\"1\"}}", TS_S, &e), 400);
	assert_int_equal(read_signed(APP, "1735689600000",
				     "{\"app_id\":\"" APP "\",\"timestamp\":\"1735689600000\"}", TS_S,
				     &e), 400);
	assert_int_equal(read_signed(APP, "1735689600000",
				     "{\"app_id\":\"" APP "\",\"timestamp\":\"1735689600000\","
				     "\"event_name\":\"user_send_text\",\"sender\":{\"id\":\"7\"},"
				     "\"message\":{\"text\":\"/viec\"}}", TS_S, &e), 400);
	/* Over 64 KiB: 413, whatever it holds. */
	big = xcalloc(1, ZALOBOT_BODY_MAX + 2);
	memset(big, ' ', ZALOBOT_BODY_MAX + 1);
	assert_int_equal(zalobot_read(APP, NULL, SECRET, VEC_A_MAC, big, ZALOBOT_BODY_MAX + 1, TS_S, &e,
				      &why), 413);
	free(big);
	assert_null(e.name);
}

/*
 * [zalo] oa_id: a text or a follow for another OA of the app is refused
 * (403), ours is read; without oa_id any OA of the app is.
 */
static void
test_other_oa(void **state)
{
	const char *text = VEC_A_BODY;
	const char *follow = "{\"app_id\":\"" APP "\",\"oa_id\":\"99\",\"event_name\":\"follow\","
			     "\"timestamp\":\"1735689500000\",\"follower\":{\"id\":\"7\"}}";
	struct zalo_event e = { 0 };

	(void)state;
	assert_non_null(strstr(text, "\"recipient\":{\"id\":\"3662729599332560487\"}"));
	assert_int_equal(read_for_oa("3662729599332560487", "1735689600000", text, &e), 0);
	assert_int_equal(e.kind, ZALO_EVENT_TEXT);
	zalo_event_release(&e);
	assert_int_equal(read_for_oa("3662729599332560488", "1735689600000", text, &e), 403);
	assert_null(e.name);
	assert_int_equal(read_for_oa("3662729599332560487", "1735689500000", follow, &e), 403);
	assert_null(e.user_id);
	assert_int_equal(read_for_oa("99", "1735689500000", follow, &e), 0);
	assert_int_equal(e.kind, ZALO_EVENT_FOLLOW);
	zalo_event_release(&e);
	assert_int_equal(read_for_oa(NULL, "1735689500000", follow, &e), 0);
	zalo_event_release(&e);
}

static void
test_kinds_and_keys(void **state)
{
	struct zalo_event e = { 0 }, f = { 0 };

	(void)state;
#define FOLLOW(name, ts) \
	"{\"app_id\":\"" APP "\",\"oa_id\":\"3662729599332560487\",\"event_name\":\"" name "\"," \
	"\"timestamp\":\"" ts "\",\"source\":\"oa_profile\",\"follower\":{\"id\":\"6142494823000000001\"}}"
	assert_int_equal(read_signed(APP, "1735689500000", FOLLOW("follow", "1735689500000"), TS_S,
				     &e), 0);
	assert_int_equal(e.kind, ZALO_EVENT_FOLLOW);
	assert_string_equal(e.user_id, "6142494823000000001");
	assert_int_equal(e.at, 1735689500);
	/* Another time: another event, another key; unfollow another too. */
	assert_int_equal(read_signed(APP, "1735689500001", FOLLOW("follow", "1735689500001"), TS_S,
				     &f), 0);
	assert_true(f.key != e.key && f.key >= 0);
	zalo_event_release(&f);
	assert_int_equal(read_signed(APP, "1735689500000", FOLLOW("unfollow", "1735689500000"), TS_S,
				     &f), 0);
	assert_int_equal(f.kind, ZALO_EVENT_UNFOLLOW);
	assert_true(f.key != e.key);
	zalo_event_release(&f);
	zalo_event_release(&e);
	/* The OA's echo, an image, a receipt, a name nobody knows. */
	assert_int_equal(read_signed(APP, "1735689600000",
				     "{\"app_id\":\"" APP "\",\"timestamp\":\"1735689600000\","
				     "\"event_name\":\"oa_send_text\",\"sender\":{\"id\":\"3662729599332560487\"},"
				     "\"recipient\":{\"id\":\"7\"},\"message\":{\"text\":\"hi\",\"msg_id\":\"x\"}}",
				     TS_S, &e), 0);
	assert_int_equal(e.kind, ZALO_EVENT_ECHO);
	zalo_event_release(&e);
	assert_int_equal(read_signed(APP, "1735689600000",
				     "{\"app_id\":\"" APP "\",\"timestamp\":\"1735689600000\","
				     "\"event_name\":\"user_send_image\",\"sender\":{\"id\":\"7\"},"
				     "\"recipient\":{\"id\":\"3662729599332560487\"}}", TS_S, &e), 0);
	assert_int_equal(e.kind, ZALO_EVENT_INTERACTION);
	assert_string_equal(e.user_id, "7");
	assert_null(e.text);
	zalo_event_release(&e);
	assert_int_equal(read_signed(APP, "1735689600000",
				     "{\"app_id\":\"" APP "\",\"timestamp\":\"1735689600000\","
				     "\"event_name\":\"user_seen_message\",\"sender\":{\"id\":\"7\"}}",
				     TS_S, &e), 0);
	assert_int_equal(e.kind, ZALO_EVENT_OTHER);
	zalo_event_release(&e);
	assert_int_equal(read_signed(APP, "1735689600000",
				     "{\"app_id\":\"" APP "\",\"timestamp\":\"1735689600000\","
				     "\"event_name\":\"user_click_nothing\"}", TS_S, &e), 0);
	assert_int_equal(e.kind, ZALO_EVENT_OTHER);
	zalo_event_release(&e);
	/* Two texts with one msg_id are one event, whatever else differs. */
	assert_int_equal(read_signed(APP, "1735689600000",
				     "{\"app_id\":\"" APP "\",\"timestamp\":\"1735689600000\","
				     "\"event_name\":\"user_send_text\",\"sender\":{\"id\":\"7\"},"
				     "\"message\":{\"text\":\"/viec\",\"msg_id\":\"m1\",\"quote_msg_id\":\"q9\"}}",
				     TS_S, &e), 0);
	assert_string_equal(e.quote_msg_id, "q9");
	assert_int_equal(read_signed(APP, "1735689600001",
				     "{\"app_id\":\"" APP "\",\"timestamp\":\"1735689600001\","
				     "\"event_name\":\"user_send_text\",\"sender\":{\"id\":\"7\"},"
				     "\"message\":{\"text\":\"/viec \",\"msg_id\":\"m1\"}}", TS_S, &f), 0);
	assert_int_equal(f.key, e.key);
	zalo_event_release(&f);
	zalo_event_release(&e);
#undef FOLLOW
}

static void
test_link_code(void **state)
{
	char code[COMMAND_CODE_LEN + 1];

	(void)state;
	assert_true(command_link_code("ABCDEFGHJKLM", code));
	assert_string_equal(code, "ABCDEFGHJKLM");
	assert_true(command_link_code("  abcd2345wxyz \n", code));
	assert_string_equal(code, "ABCD2345WXYZ");
	/* Too short, too long, a letter the alphabet leaves out (O, I, 0, 1), two words. */
	assert_false(command_link_code("ABCDEFGHJKL", code));
	assert_false(command_link_code("ABCDEFGHJKLMN", code));
	assert_false(command_link_code("ABCDEFGHJKLO", code));
	assert_false(command_link_code("ABCDEFGHJKL1", code));
	assert_false(command_link_code("ABCDEF GHJKLM", code));
	assert_false(command_link_code("/start ABCDEFGHJKLM", code));
	assert_false(command_link_code("", code));
	assert_false(command_link_code(NULL, code));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vector_a),
		cmocka_unit_test(test_timestamp_window),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_kinds_and_keys),
		cmocka_unit_test(test_other_oa),
		cmocka_unit_test(test_link_code),
	};

	return cmocka_run_group_tests_name("zalobot", tests, NULL, NULL);
}

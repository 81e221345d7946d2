/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of zalo.c without a network: the webhook signature (the
 * worked vectors of shared/refdata/zalo/SIGNATURE.md), the error classes,
 * the envelope of answers, and the tokens kept in a registry.
 */
#include "testlib.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "channel_zalo-internal.h"
#include "store.h"
#include "xalloc.h"
#include "zalo.h"

#define VEC_A_MAC "9ccada17a6c03a7e3feef935bf2cbb0dcc0aafad6a431b3854138550d3cfac38"
#define VEC_A_HMAC "afbeb47804cf4c8f858afd03dd0615c6fe8fd075ec76158d06acd661ae09aad6"
#define VEC_B_MAC "07d45a2bdbe0698140fb96fa236e59689538c6524e0113f38580d679a2d9cc1a"

static void
test_signature_vector_a(void **state)
{
	const char *shared = testlib_shared();
	char path[512], *body;
	size_t n;

	(void)state;
	if (!shared) {
		fprintf(stderr, "shared/ not found (set DONDOC_SHARED): skipping vector A\n");
		skip();
	}
	snprintf(path, sizeof(path), "%s/refdata/zalo/user_send_text.synth.json", shared);
	body = testlib_slurp(path);
	assert_non_null(body);
	n = strlen(body);
	assert_int_equal(n, 287);
	assert_true(zalo_signature_ok("2553928453557884079", body, n, "1735689600000",
				      "TESTOASECRETKEY123", "mac=" VEC_A_MAC));
	/* With or without "mac=". */
	assert_true(zalo_signature_ok("2553928453557884079", body, n, "1735689600000",
				      "TESTOASECRETKEY123", VEC_A_MAC));
	/* The HMAC of the same is what a wrong implementation computes: refused. */
	assert_false(zalo_signature_ok("2553928453557884079", body, n, "1735689600000",
				       "TESTOASECRETKEY123", "mac=" VEC_A_HMAC));
	/* One byte of the body, the timestamp, the secret or the app id changed. */
	assert_false(zalo_signature_ok("2553928453557884079", body, n - 1, "1735689600000",
				       "TESTOASECRETKEY123", "mac=" VEC_A_MAC));
	assert_false(zalo_signature_ok("2553928453557884079", body, n, "1735689600001",
				       "TESTOASECRETKEY123", "mac=" VEC_A_MAC));
	assert_false(zalo_signature_ok("2553928453557884079", body, n, "1735689600000",
				       "TESTOASECRETKEY124", "mac=" VEC_A_MAC));
	assert_false(zalo_signature_ok("2553928453557884078", body, n, "1735689600000",
				       "TESTOASECRETKEY123", "mac=" VEC_A_MAC));
	free(body);
}

static void
test_signature_vector_b(void **state)
{
	const char *body = "{\"event_name\":\"user_send_text\"}";
	char upper[80];

	(void)state;
	assert_true(zalo_signature_ok("APP1", body, strlen(body), "1700", "SEC1", "mac=" VEC_B_MAC));
	assert_true(zalo_signature_ok("APP1", body, strlen(body), "1700", "SEC1", VEC_B_MAC));
	/* Malformed headers: empty, short, long, another prefix, uppercase hex. */
	assert_false(zalo_signature_ok("APP1", body, strlen(body), "1700", "SEC1", ""));
	assert_false(zalo_signature_ok("APP1", body, strlen(body), "1700", "SEC1", "mac="));
	assert_false(zalo_signature_ok("APP1", body, strlen(body), "1700", "SEC1",
				       "mac=" VEC_B_MAC "0"));
	assert_false(zalo_signature_ok("APP1", body, strlen(body), "1700", "SEC1",
				       "sha=" VEC_B_MAC));
	snprintf(upper, sizeof(upper), "%s", VEC_B_MAC);
	for (char *c = upper; *c; c++)
		if (*c >= 'a' && *c <= 'f')
			*c = (char)(*c - 'a' + 'A');
	assert_false(zalo_signature_ok("APP1", body, strlen(body), "1700", "SEC1", upper));
	assert_false(zalo_signature_ok("APP1", body, strlen(body), "1700", "SEC1", NULL));
	assert_false(zalo_signature_ok(NULL, body, strlen(body), "1700", "SEC1", VEC_B_MAC));
}

static void
test_classify(void **state)
{
	static const struct {
		long http;
		int error;
		enum zalo_class cls;
		enum delivery d;
	} cases[] = {
		{ 200, 0, ZALO_OK, DELIVERY_SENT },
		{ 200, -216, ZALO_TOKEN, DELIVERY_PERMANENT },
		{ 200, -220, ZALO_TOKEN, DELIVERY_PERMANENT },
		{ 200, -124, ZALO_TOKEN, DELIVERY_PERMANENT },
		{ 200, -32, ZALO_RATE, DELIVERY_RETRY },
		{ 200, -213, ZALO_WINDOW, DELIVERY_GONE },
		{ 200, -217, ZALO_WINDOW, DELIVERY_GONE },
		{ 200, -227, ZALO_WINDOW, DELIVERY_GONE },
		{ 200, -230, ZALO_WINDOW, DELIVERY_GONE },
		{ 200, -232, ZALO_WINDOW, DELIVERY_GONE },
		{ 200, -244, ZALO_WINDOW, DELIVERY_GONE },
		{ 200, -211, ZALO_QUOTA, DELIVERY_RETRY },
		{ 200, -218, ZALO_QUOTA, DELIVERY_RETRY },
		{ 200, -144, ZALO_QUOTA, DELIVERY_RETRY },
		{ 200, -234, ZALO_NIGHT, DELIVERY_RETRY },
		{ 200, -133, ZALO_NIGHT, DELIVERY_RETRY },
		{ 200, -204, ZALO_CONFIG, DELIVERY_PERMANENT },
		{ 200, -205, ZALO_CONFIG, DELIVERY_PERMANENT },
		{ 200, -209, ZALO_CONFIG, DELIVERY_PERMANENT },
		{ 200, -212, ZALO_CONFIG, DELIVERY_PERMANENT },
		{ 200, -221, ZALO_CONFIG, DELIVERY_PERMANENT },
		{ 200, -223, ZALO_CONFIG, DELIVERY_PERMANENT },
		{ 200, -224, ZALO_CONFIG, DELIVERY_PERMANENT },
		{ 200, -242, ZALO_CONFIG, DELIVERY_PERMANENT },
		{ 200, -115, ZALO_CONFIG, DELIVERY_PERMANENT },
		{ 200, -137, ZALO_CONFIG, DELIVERY_PERMANENT },
		{ 200, -201, ZALO_BAD_REQUEST, DELIVERY_PERMANENT },
		{ 200, -108, ZALO_BAD_REQUEST, DELIVERY_PERMANENT },
		{ 200, -109, ZALO_BAD_REQUEST, DELIVERY_PERMANENT },
		{ 200, -999, ZALO_BAD_REQUEST, DELIVERY_PERMANENT },
		{ 200, -118, ZALO_RECIPIENT, DELIVERY_GONE },
		{ 200, -119, ZALO_RECIPIENT, DELIVERY_GONE },
		{ 200, -114, ZALO_RECIPIENT, DELIVERY_GONE },
		{ 200, -139, ZALO_RECIPIENT, DELIVERY_GONE },
		{ 200, -141, ZALO_RECIPIENT, DELIVERY_GONE },
		{ 200, -100, ZALO_TRANSIENT, DELIVERY_RETRY },
		{ 502, 0, ZALO_TRANSIENT, DELIVERY_RETRY },
		{ 0, 0, ZALO_TRANSIENT, DELIVERY_RETRY },
		/* The code is believed over the status. */
		{ 500, -230, ZALO_WINDOW, DELIVERY_GONE },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum zalo_class c = zalo_classify(cases[i].http, cases[i].error);
		/* What the consultation channel makes of it (channel_zalo.c). */
		struct zalo_result r = { .http = cases[i].http, .error = cases[i].error, .cls = c,
					 .ok = c == ZALO_OK };

		if (c != cases[i].cls || zalo_cs_delivery(&r) != cases[i].d)
			fail_msg("HTTP %ld error %d: class %s, delivery %s", cases[i].http,
				 cases[i].error, zalo_class_to_string(c),
				 delivery_to_string(zalo_cs_delivery(&r)));
	}
	assert_string_equal(zalo_class_to_string(ZALO_WINDOW), "window");
	assert_null(zalo_class_to_string(_ZALO_CLASS_MAX));
}

/* Reads body as an answer with status http. */
static void
answer(const char *body, long http, struct zalo_result *r)
{
	memset(r, 0, sizeof(*r));
	zalo_read_answer(body, strlen(body), http, r);
}

static void
test_envelope(void **state)
{
	struct zalo_result r;
	char *s;

	(void)state;
	/* Success: data kept, ids as strings. */
	answer("{\"error\":0,\"message\":\"Success\",\"data\":{\"message_id\":\"b1c0ffee\","
	       "\"user_id\":\"7360081927781154023\"}}", 200, &r);
	assert_true(r.ok);
	assert_int_equal(r.cls, ZALO_OK);
	s = zalo_data_string(r.data, "message_id");
	assert_string_equal(s, "b1c0ffee");
	free(s);
	zalo_result_release(&r);

	/* An error in a 200 body is an error. */
	answer("{\"error\":-230,\"message\":\"User has not interacted with the OA in the past 7 "
	       "days\"}", 200, &r);
	assert_false(r.ok);
	assert_int_equal(r.error, -230);
	assert_int_equal(r.cls, ZALO_WINDOW);
	assert_null(r.data);
	s = zalo_describe(&r);
	assert_string_equal(s, "-230 User has not interacted with the OA in the past 7 days");
	free(s);
	zalo_result_release(&r);

	/* A 200 without "error" is not Zalo's answer: tried again. */
	answer("{\"data\":{\"message_id\":\"x\"}}", 200, &r);
	assert_false(r.ok);
	assert_int_equal(r.cls, ZALO_TRANSIENT);
	assert_non_null(strstr(r.message, "no \"error\""));
	zalo_result_release(&r);

	/* Not JSON (a proxy's page), and not an object. */
	answer("<html>Bad Gateway</html>", 502, &r);
	assert_false(r.ok);
	assert_int_equal(r.cls, ZALO_TRANSIENT);
	s = zalo_describe(&r);
	assert_string_equal(s, "HTTP 502: HTTP 502 with an answer that is not JSON");
	free(s);
	zalo_result_release(&r);
	answer("[0]", 200, &r);
	assert_int_equal(r.cls, ZALO_TRANSIENT);
	zalo_result_release(&r);

	/* error 0 under a 5xx is not a success. */
	answer("{\"error\":0}", 503, &r);
	assert_false(r.ok);
	assert_int_equal(r.cls, ZALO_TRANSIENT);
	zalo_result_release(&r);

	/* error as a string of digits is read; ids as numbers become strings. */
	answer("{\"error\":\"-216\",\"message\":\"Access token is invalid\"}", 200, &r);
	assert_int_equal(r.error, -216);
	assert_int_equal(r.cls, ZALO_TOKEN);
	s = zalo_describe(&r);
	assert_string_equal(s, "-216 Access token is invalid (see 'dondoc zalo status')");
	free(s);
	zalo_result_release(&r);
	answer("{\"error\":0,\"data\":{\"msg_id\":1234567890123456789,\"x\":1.5}}", 200, &r);
	assert_true(r.ok);
	s = zalo_data_string(r.data, "msg_id");
	assert_string_equal(s, "1234567890123456789");
	free(s);
	assert_null(zalo_data_string(r.data, "x"));
	assert_null(zalo_data_string(r.data, "missing"));
	assert_null(zalo_data_string(NULL, "msg_id"));
	zalo_result_release(&r);
}

static void
test_retry_after(void **state)
{
	struct zalo_result r = { 0 };
	/* 2026-01-05T10:00:30+07:00 */
	int64_t now = 1767582030;

	(void)state;
	r.cls = ZALO_RATE;
	assert_int_equal(zalo_retry_after(&r, now), 30);
	/* Night: from 23:00 local to 06:00 is 7 h; from 03:00 it is 3 h. */
	r.cls = ZALO_NIGHT;
	assert_int_equal(zalo_retry_after(&r, 1767628800), 7 * 3600);	/* 23:00 local */
	assert_int_equal(zalo_retry_after(&r, 1767556800), 3 * 3600);	/* 03:00 local */
	/* ZNS quota: until the next local midnight. */
	r.cls = ZALO_QUOTA;
	r.error = -144;
	assert_int_equal(zalo_retry_after(&r, now), 14 * 3600 - 30);
	r.error = -211;
	assert_int_equal(zalo_retry_after(&r, now), 3600);
	r.cls = ZALO_TRANSIENT;
	assert_int_equal(zalo_retry_after(&r, now), 0);
}

static void
test_tokens_in_store(void **state)
{
	char dir[] = "/tmp/dondoc-zalo.XXXXXX", db[512], *v = NULL;
	struct zalo_token_status st;
	struct store *s = NULL;

	(void)state;
	assert_non_null(mkdtemp(dir));
	testlib_store_where(db, sizeof(db), dir, "t.db");
	assert_int_equal(store_open(db, STORE_CREATE, &s, NULL), 0);
	assert_int_equal(zalo_token_status(s, &st), 0);
	assert_false(st.has_refresh);
	assert_false(st.has_access);
	assert_null(st.error);
	zalo_token_status_release(&st);

	assert_int_equal(zalo_set_token(s, ""), -EINVAL);
	assert_int_equal(zalo_set_token(s, "has space"), -EINVAL);
	assert_int_equal(zalo_set_token(s, "line\nbreak"), -EINVAL);
	/* A stale access token and an old error are dropped with the new grant. */
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_meta_set(s, "zalo.access_token", "OLDACCESS"), 0);
	assert_int_equal(store_meta_set(s, "zalo.expires_at", "5000"), 0);
	assert_int_equal(store_meta_set(s, "zalo.refresh_error", "HTTP 400"), 0);
	assert_int_equal(store_meta_set(s, "zalo.refresh_error_final", "1"), 0);
	assert_int_equal(store_commit(s), 0);
	assert_int_equal(zalo_set_token(s, "RT-1"), 0);
	assert_int_equal(zalo_token_status(s, &st), 0);
	assert_true(st.has_refresh);
	assert_false(st.has_access);
	assert_int_equal(st.expires_at, 0);
	assert_null(st.error);
	zalo_token_status_release(&st);
	assert_int_equal(store_meta_get(s, "zalo.refresh_token", &v), 0);
	assert_string_equal(v, "RT-1");
	free(v);
	/* The durable transaction leaves the connection usable, and refuses nesting. */
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_begin_durable(s), -EINVAL);
	store_rollback(s);
	assert_int_equal(store_begin_durable(s), 0);
	store_rollback(s);
	assert_int_equal(store_begin(s), 0);
	assert_int_equal(store_commit(s), 0);
	store_close(s);
	assert_int_equal(testlib_rmtree(dir), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signature_vector_a),
		cmocka_unit_test(test_signature_vector_b),
		cmocka_unit_test(test_classify),
		cmocka_unit_test(test_envelope),
		cmocka_unit_test(test_retry_after),
		cmocka_unit_test(test_tokens_in_store),
	};

	return cmocka_run_group_tests_name("zalo", tests, NULL, NULL);
}

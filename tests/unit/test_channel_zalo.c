/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of the Zalo channels without a network: the chat form made
 * plain text (chatplain.c, shared with Telegram's fallback), and what the
 * consultation channel and the ZNS wake-up make of Zalo's answers (each
 * read from an HTTP 200 body, as Zalo sends its errors).
 */
#include "testlib.h"

#include "channel_zalo-internal.h"
#include "chatplain.h"
#include "zalo.h"

static void
plain_is(const char *chat, bool link_urls, const char *want)
{
	char *got = chat_plain(chat, link_urls);

	if (strcmp(got, want) != 0)
		fail_msg("chat_plain(\"%s\", %d): got \"%s\", wanted \"%s\"", chat, link_urls, got,
			 want);
	free(got);
}

static void
test_chat_plain(void **state)
{
	(void)state;
	plain_is("<b>Nhắc việc</b> ngày <i>29/09</i>", true, "Nhắc việc ngày 29/09");
	plain_is("<b>[7]</b> Báo cáo &amp; tổng hợp &lt;quý 3&gt; &quot;gấp&quot;", true,
		 "[7] Báo cáo & tổng hợp <quý 3> \"gấp\"");
	/* &amp;lt; is the text "&lt;", not "<". */
	plain_is("a &amp;lt; b", true, "a &lt; b");
	plain_is("&#272;&#x1ea1;i h&#7897;i", true, "Đại hội");
	/* Not entities: kept as written. */
	plain_is("R&D &nbsp &#; &#xZ; & x", true, "R&D &nbsp &#; &#xZ; & x");
	/* Links: the URL after the text, once when the text is the URL. */
	plain_is("Xem <a href=\"https://vb.gov.vn/?a=1&amp;b=2\">văn bản</a>.", true,
		 "Xem văn bản (https://vb.gov.vn/?a=1&b=2).");
	plain_is("<a href=\"https://t.me/bot\">https://t.me/bot</a>", true, "https://t.me/bot");
	plain_is("<a href='https://x.vn'></a>", true, "https://x.vn");
	plain_is("Xem <a href=\"https://vb.gov.vn\">văn bản</a>.", false, "Xem văn bản.");
	/* A '<' that opens no tag is text. */
	plain_is("1 < 2, 3 <4, x<", true, "1 < 2, 3 <4, x<");
	plain_is("<code>/xong 27</code>\n\n<pre>x</pre>", true, "/xong 27\n\nx");
	plain_is("", true, "");
	/* Vietnamese text passes through byte for byte. */
	plain_is("Đồng chí có 02 nhiệm vụ", true, "Đồng chí có 02 nhiệm vụ");
}

/* An HTTP 200 answer with error as Zalo writes it, read by zalo.c. */
static void
answer(long http, int error, struct zalo_result *ret)
{
	char body[128];

	memset(ret, 0, sizeof(*ret));
	snprintf(body, sizeof(body), "{\"error\": %d, \"message\": \"m\", \"data\": {}}", error);
	zalo_read_answer(body, strlen(body), http, ret);
}

static void
test_cs_delivery(void **state)
{
	static const struct {
		long http;
		int error;
		enum delivery d;
	} cases[] = {
		{ 200, 0, DELIVERY_SENT },
		/* The window and the person: their Zalo address is marked, the next channel. */
		{ 200, -213, DELIVERY_GONE }, { 200, -217, DELIVERY_GONE },
		{ 200, -227, DELIVERY_GONE }, { 200, -230, DELIVERY_GONE },
		{ 200, -232, DELIVERY_GONE }, { 200, -244, DELIVERY_GONE },
		/* Waiting mends these. */
		{ 200, -32, DELIVERY_RETRY }, { 200, -211, DELIVERY_RETRY },
		{ 200, -218, DELIVERY_RETRY }, { 503, 0, DELIVERY_RETRY },
		/* A person must act (the OA, the token), or the message is bad: the next channel now. */
		{ 200, -216, DELIVERY_PERMANENT }, { 200, -220, DELIVERY_PERMANENT },
		{ 200, -201, DELIVERY_PERMANENT }, { 200, -204, DELIVERY_PERMANENT },
		{ 200, -223, DELIVERY_PERMANENT }, { 200, -999, DELIVERY_PERMANENT },
	};
	struct zalo_result r;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		answer(cases[i].http, cases[i].error, &r);
		if (zalo_cs_delivery(&r) != cases[i].d)
			fail_msg("CS: HTTP %ld error %d: %s, wanted %s", cases[i].http, cases[i].error,
				 delivery_to_string(zalo_cs_delivery(&r)),
				 delivery_to_string(cases[i].d));
		zalo_result_release(&r);
	}
	/* No answer at all (network): retried. */
	memset(&r, 0, sizeof(r));
	r.cls = ZALO_TRANSIENT;
	assert_int_equal(zalo_cs_delivery(&r), DELIVERY_RETRY);
}

static void
test_zns_delivery(void **state)
{
	static const struct {
		int error;
		enum delivery d;
	} cases[] = {
		{ 0, DELIVERY_SENT },
		/* The phone's fault: marked, email instead. */
		{ -108, DELIVERY_GONE }, { -114, DELIVERY_GONE }, { -118, DELIVERY_GONE },
		{ -119, DELIVERY_GONE }, { -139, DELIVERY_GONE }, { -141, DELIVERY_GONE },
		/* The day's quota, money, the template, the token: email now. */
		{ -144, DELIVERY_PERMANENT }, { -115, DELIVERY_PERMANENT },
		{ -137, DELIVERY_PERMANENT }, { -109, DELIVERY_PERMANENT },
		{ -124, DELIVERY_PERMANENT },
		/* Waiting mends these: the minute, the night, Zalo's own trouble. */
		{ -32, DELIVERY_RETRY }, { -133, DELIVERY_RETRY }, { -100, DELIVERY_RETRY },
	};
	struct zalo_result r;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		answer(200, cases[i].error, &r);
		if (zalo_zns_delivery(&r) != cases[i].d)
			fail_msg("ZNS: error %d: %s, wanted %s", cases[i].error,
				 delivery_to_string(zalo_zns_delivery(&r)),
				 delivery_to_string(cases[i].d));
		zalo_result_release(&r);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_chat_plain),
		cmocka_unit_test(test_cs_delivery),
		cmocka_unit_test(test_zns_delivery),
	};

	return cmocka_run_group_tests_name("channel_zalo", tests, NULL, NULL);
}

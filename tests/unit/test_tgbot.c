/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of tgbot.c's calls left for after the commit: which one may
 * ride on a webhook's answer (CHAT-APIS.md A3), and what stays for the
 * main loop.  (Updates end to end: t_telegram.sh, t_webhook.sh.)
 */
#include "testlib.h"

#include <jansson.h>
#include <string.h>

#include "tgbot.h"

static void
add(struct tgbot_after *a, const char *method, json_t *params)
{
	a->calls[a->n].method = method;
	a->calls[a->n++].params = params;
}

static void
test_button_answer_rides_on_the_webhook(void **state)
{
	struct tgbot_after a = { .command = "xong" };
	json_t *j;
	char *text;

	(void)state;
	add(&a, "answerCallbackQuery", json_pack("{s:s, s:s}", "callback_query_id", "42",
						 "text", "Đã ghi nhận"));
	add(&a, "editMessageText", json_pack("{s:s, s:i}", "chat_id", "1001", "message_id", 7));
	text = tgbot_after_take_answer(&a);
	assert_non_null(text);
	j = json_loads(text, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(j, "method")), "answerCallbackQuery");
	assert_string_equal(json_string_value(json_object_get(j, "callback_query_id")), "42");
	assert_string_equal(json_string_value(json_object_get(j, "text")), "Đã ghi nhận");
	json_decref(j);
	free(text);
	/* The redraw stays, for the main loop. */
	assert_int_equal(a.n, 1);
	assert_string_equal(a.calls[0].method, "editMessageText");
	assert_null(tgbot_after_take_answer(&a));
	assert_int_equal(a.n, 1);
	tgbot_after_release(&a);
	assert_int_equal(a.n, 0);
	assert_null(a.command);
}

static void
test_link_instructions_ride_too(void **state)
{
	struct tgbot_after a = { 0 };
	char *text;

	(void)state;
	assert_null(tgbot_after_take_answer(&a));
	add(&a, "sendMessage", json_pack("{s:s, s:s}", "chat_id", "9999", "text", "Liên kết"));
	text = tgbot_after_take_answer(&a);
	assert_non_null(strstr(text, "\"method\":\"sendMessage\""));
	assert_int_equal(a.n, 0);
	free(text);
	tgbot_after_release(&a);
}

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_button_answer_rides_on_the_webhook),
		cmocka_unit_test(test_link_instructions_ride_too),
	};

	return cmocka_run_group_tests_name("tgbot", tests, NULL, NULL);
}

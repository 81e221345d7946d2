/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of notice.c: the names of the notice and message
 * enumerations (stored in the registry, so they must round-trip) and
 * which message kinds wait for working hours.
 */
#include "testlib.h"

#include <string.h>

#include "notice.h"
#include "xalloc.h"

static void
test_stage_names(void **state)
{
	static const char *const want[_STAGE_MAX] = {
		[STAGE_BEFORE] = "before",
		[STAGE_OVERDUE] = "overdue",
		[STAGE_ESCALATION] = "escalation",
		[STAGE_RECURRING] = "recurring",
		[STAGE_NEEDS_DATE] = "needs_date",
		[STAGE_MISSING_FOCAL] = "missing_focal",
		[STAGE_MISSING_HEAD] = "missing_head",
		[STAGE_OBSTACLE] = "obstacle",
		[STAGE_ASSESSMENT] = "assessment",
	};

	(void)state;
	for (int i = 0; i < _STAGE_MAX; i++) {
		const char *s = notice_stage_to_string((enum notice_stage)i);

		assert_non_null(s);
		assert_string_equal(s, want[i]);
		assert_int_equal(notice_stage_from_string(s), i);
	}
	assert_null(notice_stage_to_string(_STAGE_MAX));
	assert_null(notice_stage_to_string(_STAGE_INVALID));
	assert_null(notice_stage_to_string((enum notice_stage)-1));
	assert_int_equal(notice_stage_from_string("nag"), _STAGE_INVALID);
	assert_int_equal(notice_stage_from_string("BEFORE"), _STAGE_INVALID);
	assert_int_equal(notice_stage_from_string(""), _STAGE_INVALID);
	assert_int_equal(notice_stage_from_string(NULL), _STAGE_INVALID);
}

static void
test_notice_state_names(void **state)
{
	static const char *const want[_NOTICE_STATE_MAX] = {
		[NOTICE_PLANNED] = "planned",
		[NOTICE_QUEUED] = "queued",
		[NOTICE_SENT] = "sent",
		[NOTICE_CANCELLED] = "cancelled",
		[NOTICE_DEAD] = "dead",
	};

	(void)state;
	for (int i = 0; i < _NOTICE_STATE_MAX; i++) {
		const char *s = notice_state_to_string((enum notice_state)i);

		assert_non_null(s);
		assert_string_equal(s, want[i]);
		assert_int_equal(notice_state_from_string(s), i);
	}
	assert_null(notice_state_to_string(_NOTICE_STATE_MAX));
	assert_null(notice_state_to_string(_NOTICE_STATE_INVALID));
	assert_int_equal(notice_state_from_string("canceled"), _NOTICE_STATE_INVALID);
	assert_int_equal(notice_state_from_string(" sent"), _NOTICE_STATE_INVALID);
	assert_int_equal(notice_state_from_string(""), _NOTICE_STATE_INVALID);
	assert_int_equal(notice_state_from_string(NULL), _NOTICE_STATE_INVALID);
}

static void
test_message_state_names(void **state)
{
	static const char *const want[_MESSAGE_STATE_MAX] = {
		[MESSAGE_PENDING] = "pending",
		[MESSAGE_SENDING] = "sending",
		[MESSAGE_SENT] = "sent",
		[MESSAGE_DEAD] = "dead",
		[MESSAGE_CANCELLED] = "cancelled",
	};

	(void)state;
	for (int i = 0; i < _MESSAGE_STATE_MAX; i++) {
		const char *s = message_state_to_string((enum message_state)i);

		assert_non_null(s);
		assert_string_equal(s, want[i]);
		assert_int_equal(message_state_from_string(s), i);
	}
	assert_null(message_state_to_string(_MESSAGE_STATE_MAX));
	assert_null(message_state_to_string(_MESSAGE_STATE_INVALID));
	assert_int_equal(message_state_from_string("queued"), _MESSAGE_STATE_INVALID);
	assert_int_equal(message_state_from_string("Pending"), _MESSAGE_STATE_INVALID);
	assert_int_equal(message_state_from_string(NULL), _MESSAGE_STATE_INVALID);
}

static void
test_message_kind_names(void **state)
{
	static const char *const want[_MESSAGE_KIND_MAX] = {
		[MESSAGE_REMINDER] = "reminder",
		[MESSAGE_CATCHUP] = "catchup",
		[MESSAGE_ESCALATION] = "escalation",
		[MESSAGE_NEEDS_DATE] = "needs_date",
		[MESSAGE_ALERT] = "alert",
		[MESSAGE_REPLY] = "reply",
		[MESSAGE_TEST] = "test",
		[MESSAGE_DAILY] = "daily",
		[MESSAGE_DIGEST] = "digest",
	};

	(void)state;
	for (int i = 0; i < _MESSAGE_KIND_MAX; i++) {
		const char *s = message_kind_to_string((enum message_kind)i);

		assert_non_null(s);
		assert_string_equal(s, want[i]);
		assert_int_equal(message_kind_from_string(s), i);
	}
	assert_null(message_kind_to_string(_MESSAGE_KIND_MAX));
	assert_null(message_kind_to_string(_MESSAGE_KIND_INVALID));
	assert_int_equal(message_kind_from_string("catch-up"), _MESSAGE_KIND_INVALID);
	assert_int_equal(message_kind_from_string("Digest"), _MESSAGE_KIND_INVALID);
	assert_int_equal(message_kind_from_string(NULL), _MESSAGE_KIND_INVALID);
}

/* Names are distinct within each enumeration (a stored name means one value). */
static void
test_names_distinct(void **state)
{
	(void)state;
	for (int i = 0; i < _MESSAGE_KIND_MAX; i++)
		for (int j = i + 1; j < _MESSAGE_KIND_MAX; j++)
			assert_string_not_equal(message_kind_to_string(i), message_kind_to_string(j));
	for (int i = 0; i < _STAGE_MAX; i++)
		for (int j = i + 1; j < _STAGE_MAX; j++)
			assert_string_not_equal(notice_stage_to_string(i), notice_stage_to_string(j));
	for (int i = 0; i < _NOTICE_STATE_MAX; i++)
		for (int j = i + 1; j < _NOTICE_STATE_MAX; j++)
			assert_string_not_equal(notice_state_to_string(i), notice_state_to_string(j));
	for (int i = 0; i < _MESSAGE_STATE_MAX; i++)
		for (int j = i + 1; j < _MESSAGE_STATE_MAX; j++)
			assert_string_not_equal(message_state_to_string(i), message_state_to_string(j));
}

/* DESIGN §6 invariant 6: reminders, nags, escalations, lists and alerts wait. */
static void
test_proactive(void **state)
{
	(void)state;
	assert_true(message_kind_is_proactive(MESSAGE_REMINDER));
	assert_true(message_kind_is_proactive(MESSAGE_CATCHUP));
	assert_true(message_kind_is_proactive(MESSAGE_ESCALATION));
	assert_true(message_kind_is_proactive(MESSAGE_NEEDS_DATE));
	assert_true(message_kind_is_proactive(MESSAGE_ALERT));
	assert_true(message_kind_is_proactive(MESSAGE_DAILY));
	/* The digest waits for the sending window too (outside the noise budget). */
	assert_true(message_kind_is_proactive(MESSAGE_DIGEST));
	/* An answer to an official's own command goes out at once. */
	assert_false(message_kind_is_proactive(MESSAGE_REPLY));
	assert_false(message_kind_is_proactive(MESSAGE_TEST));
	assert_false(message_kind_is_proactive(_MESSAGE_KIND_MAX));
	assert_false(message_kind_is_proactive(_MESSAGE_KIND_INVALID));
}

static void
test_message_release(void **state)
{
	struct message m = { 0 };

	(void)state;
	m.id = 7;
	m.subject = xstrdup("chủ đề");
	m.body = xstrdup("nội dung");
	m.last_error = xstrdup("lỗi");
	message_release(&m);
	assert_null(m.subject);
	assert_null(m.body);
	assert_null(m.last_error);
	assert_int_equal(m.id, 0);
	message_release(&m);	/* twice is harmless */
	message_release(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stage_names),
		cmocka_unit_test(test_notice_state_names),
		cmocka_unit_test(test_message_state_names),
		cmocka_unit_test(test_message_kind_names),
		cmocka_unit_test(test_names_distinct),
		cmocka_unit_test(test_proactive),
		cmocka_unit_test(test_message_release),
	};

	return cmocka_run_group_tests_name("notice", tests, NULL, NULL);
}

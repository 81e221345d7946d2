/* SPDX-License-Identifier: MIT */
/* Tests of cli_words.c: the secretariat's words for the registry's identifiers. */
#include "testlib.h"

#include <string.h>

#include "cli_words.h"
#include "task.h"

static void
test_words(void **state)
{
	(void)state;
	assert_string_equal(cli_stage_words(STAGE_BEFORE), "nhắc trước hạn");
	assert_string_equal(cli_stage_words((enum notice_stage)99), "?");
	assert_string_equal(cli_notice_state_words(NOTICE_CANCELLED), "đã hủy");
	assert_string_equal(cli_message_state_words(MESSAGE_DEAD), "không gửi được");
	assert_string_equal(cli_message_kind_words(MESSAGE_REPLY), "trả lời");
	assert_string_equal(cli_role_words(ROLE_FOCAL), "cán bộ đầu mối");
	assert_string_equal(cli_agency_kind_words(AGENCY_COMMUNE), "xã, phường");
	assert_string_equal(cli_event_kind_words("status"), "trạng thái");
	/* A kind added later still shows, as it is. */
	assert_string_equal(cli_event_kind_words("person.add"), "person.add");
}

static void
test_values(void **state)
{
	char out[64];

	(void)state;
	assert_string_equal(cli_event_value_words("status", "in_progress", out, sizeof(out)),
			    task_status_label(TASK_IN_PROGRESS));
	assert_string_equal(cli_event_value_words("progress", "40", out, sizeof(out)), "40%");
	assert_string_equal(cli_event_value_words("extension_request", "2025-12-31", out,
						  sizeof(out)), "31/12/2025");
	assert_string_equal(cli_event_value_words("extension_decision", "approved", out,
						  sizeof(out)), "đồng ý");
	/* A deadline as the plan wrote it stays as it is. */
	assert_string_equal(cli_event_value_words("deadline", "Quý III", out, sizeof(out)), "Quý III");
	assert_string_equal(cli_event_value_words("status", "nonsense", out, sizeof(out)), "nonsense");
}

static void
test_when_and_plural(void **state)
{
	char when[CLI_WHEN_LEN], out[32];

	(void)state;
	cli_when(1759798800, when);	/* 2025-10-07T01:00Z: 08:00 in Hà Nội */
	assert_string_equal(when, "7/10/2025 08:00");
	assert_string_equal(cli_plural(1, "agency", "agencies", out, sizeof(out)), "1 agency");
	assert_string_equal(cli_plural(0, "agency", "agencies", out, sizeof(out)), "0 agencies");
	assert_string_equal(cli_plural(2, "row", "rows", out, sizeof(out)), "2 rows");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_words),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_when_and_plural),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of task.c and calendar.c: status names, overdue, the light,
 * what a plan follows from.
 */
#include "testlib.h"

#include <errno.h>
#include <string.h>

#include "calendar.h"
#include "task.h"

static struct task
task_due(int y, int m, int d, enum task_status s)
{
	struct task t = { 0 };

	t.status = s;
	t.deadline.precision = DEADLINE_DAY;
	t.deadline.has_due = true;
	t.deadline.due = (struct date){ y, m, d };
	return t;
}

static void
test_status_names(void **state)
{
	(void)state;
	for (int i = 0; i < _TASK_STATUS_MAX; i++) {
		assert_int_equal(task_status_from_string(task_status_to_string(i)), i);
		assert_int_equal(task_status_from_string(task_status_label(i)), i);
	}
	assert_int_equal(task_status_from_string("in-progress"), TASK_IN_PROGRESS);
	assert_int_equal(task_status_from_string("HOAN THANH"), TASK_DONE);
	assert_int_equal(task_status_from_string("chưa đánh giá được"), TASK_CANNOT_ASSESS);
	assert_int_equal(task_status_from_string("xong rồi"), _TASK_STATUS_INVALID);
	assert_int_equal(task_status_from_string(NULL), _TASK_STATUS_INVALID);
}

static void
test_overdue(void **state)
{
	struct task t = task_due(2025, 9, 30, TASK_IN_PROGRESS);
	struct date oct1 = { 2025, 10, 1 }, sep30 = { 2025, 9, 30 };

	(void)state;
	assert_false(task_is_overdue(&t, sep30));	/* due today is not late */
	assert_true(task_is_overdue(&t, oct1));
	t.status = TASK_DONE;
	assert_false(task_is_overdue(&t, oct1));
	t.status = TASK_POSTPONED;
	assert_false(task_is_overdue(&t, oct1));
	t.status = TASK_NOT_STARTED;
	t.deadline.has_due = false;
	assert_false(task_is_overdue(&t, oct1));
}

static void
test_light(void **state)
{
	/* Thursday 18/9/2025: 30/9 is 8 working days away, 3/10 is 11. */
	struct date today = { 2025, 9, 18 };
	struct task near = task_due(2025, 9, 30, TASK_IN_PROGRESS);
	struct task far = task_due(2025, 10, 3, TASK_IN_PROGRESS);
	struct task edge = task_due(2025, 10, 2, TASK_IN_PROGRESS);
	struct task late = task_due(2025, 9, 17, TASK_NOT_STARTED);
	struct calendar *cal = calendar_new();

	(void)state;
	assert_int_equal(task_light(&near, today, NULL), LIGHT_YELLOW);
	assert_int_equal(task_light(&edge, today, NULL), LIGHT_YELLOW);	/* exactly 10 */
	assert_int_equal(task_light(&far, today, NULL), LIGHT_GREEN);
	assert_int_equal(task_light(&late, today, NULL), LIGHT_RED);
	far.obstacle_open = true;
	assert_int_equal(task_light(&far, today, NULL), LIGHT_YELLOW);
	near.status = TASK_DONE;
	assert_int_equal(task_light(&near, today, NULL), LIGHT_GREEN);
	/* A day off in between brings 3/10 within ten working days. */
	assert_int_equal(calendar_add_day_off(cal, (struct date){ 2025, 9, 22 }), 0);
	far.obstacle_open = false;
	assert_int_equal(task_light(&far, today, cal), LIGHT_YELLOW);
	calendar_free(cal);
	assert_string_equal(task_light_label(LIGHT_RED), "ĐỎ");
	assert_string_equal(task_light_to_string(LIGHT_YELLOW), "yellow");
}

/* Our own rule for indicators (README "Indicators"), whatever their deadline. */
static void
test_indicator_light(void **state)
{
	struct date today = { 2025, 10, 1 };
	struct task t = task_due(2025, 9, 17, TASK_NOT_ACHIEVED);

	(void)state;
	t.kind = TASK_KIND_INDICATOR;
	/* Assessed, not due: a due day in the past makes it neither late nor red by itself. */
	assert_false(task_is_overdue(&t, today));
	assert_int_equal(task_light(&t, today, NULL), LIGHT_RED);	/* chưa đạt */
	t.status = TASK_CANNOT_ASSESS;
	assert_int_equal(task_light(&t, today, NULL), LIGHT_YELLOW);	/* chưa đánh giá được */
	t.status = TASK_NOT_STARTED;
	assert_int_equal(task_light(&t, today, NULL), LIGHT_YELLOW);	/* never assessed */
	t.status = TASK_IN_PROGRESS;
	assert_int_equal(task_light(&t, today, NULL), LIGHT_YELLOW);
	t.status = TASK_DONE;
	assert_int_equal(task_light(&t, today, NULL), LIGHT_GREEN);	/* đạt */
	/* The same row as a task: overdue, red. */
	t.kind = TASK_KIND_TASK;
	t.status = TASK_IN_PROGRESS;
	assert_true(task_is_overdue(&t, today));
	assert_int_equal(task_light(&t, today, NULL), LIGHT_RED);
}

static void
test_assessment_words(void **state)
{
	(void)state;
	assert_int_equal(task_assessment_from_string("đạt"), TASK_DONE);
	assert_int_equal(task_assessment_from_string("Dat"), TASK_DONE);
	assert_int_equal(task_assessment_from_string("chưa đạt"), TASK_NOT_ACHIEVED);
	assert_int_equal(task_assessment_from_string("CHUA_DAT"), TASK_NOT_ACHIEVED);
	assert_int_equal(task_assessment_from_string("chua-dat"), TASK_NOT_ACHIEVED);
	assert_int_equal(task_assessment_from_string("Chưa đánh giá được"), TASK_CANNOT_ASSESS);
	assert_int_equal(task_assessment_from_string("chua danh gia duoc"), TASK_CANNOT_ASSESS);
	assert_int_equal(task_assessment_from_string("chưa"), _TASK_STATUS_INVALID);
	assert_int_equal(task_assessment_from_string("tốt"), _TASK_STATUS_INVALID);
	assert_int_equal(task_assessment_from_string("done"), _TASK_STATUS_INVALID);
	assert_int_equal(task_assessment_from_string(""), _TASK_STATUS_INVALID);
	assert_int_equal(task_assessment_from_string(NULL), _TASK_STATUS_INVALID);
	assert_int_equal(task_assessment_from_string("\xff"), _TASK_STATUS_INVALID);
	assert_string_equal(task_assessment_label(TASK_DONE), "Đạt");
	assert_string_equal(task_assessment_label(TASK_NOT_ACHIEVED), "Chưa đạt");
	assert_string_equal(task_assessment_label(TASK_CANNOT_ASSESS), "Chưa đánh giá được");
	assert_string_equal(task_assessment_label(TASK_NOT_STARTED), "Chưa đánh giá được");
}

static void
test_calendar(void **state)
{
	struct calendar *cal = calendar_new();

	(void)state;
	/* 10/01/2026 is a Saturday worked in exchange for a day off. */
	assert_false(calendar_is_workday(cal, (struct date){ 2026, 1, 10 }));
	assert_int_equal(calendar_add_work_day(cal, (struct date){ 2026, 1, 10 }), 0);
	assert_true(calendar_is_workday(cal, (struct date){ 2026, 1, 10 }));
	assert_int_equal(calendar_add_day_off(cal, (struct date){ 2026, 2, 30 }), -EINVAL);
	assert_int_equal(calendar_workdays_between(NULL, (struct date){ 2025, 9, 19 },
						   (struct date){ 2025, 9, 30 }), 7);
	assert_int_equal(calendar_workdays_between(NULL, (struct date){ 2025, 9, 30 },
						   (struct date){ 2025, 9, 19 }), 0);
	calendar_free(cal);
}

/* What drops a plan (task_plan_same): its kind, deadline, or being closed; nothing else. */
static void
test_plan_same(void **state)
{
	struct task was = task_due(2025, 9, 30, TASK_NOT_STARTED), t;
	struct task_plan_key key;

	(void)state;
	was.deadline_raw = "Hoàn thành trước ngày 30/9/2025";
	task_plan_key_of(&was, &key);
	t = was;
	assert_true(task_plan_same(&key, &t));
	/* A progress, a note, a task started, one done elsewhere on time: the plan stays. */
	t.progress = 60;
	t.note = "Đang triển khai";
	t.status = TASK_IN_PROGRESS;
	t.obstacle_open = true;
	assert_true(task_plan_same(&key, &t));
	/* Closed, done or put off: the plan goes. */
	t.status = TASK_DONE;
	assert_false(task_plan_same(&key, &t));
	t.status = TASK_POSTPONED;
	assert_false(task_plan_same(&key, &t));
	/* The deadline: as written, its day, its precision, its period. */
	t = was;
	t.deadline_raw = "Quý IV/2025";
	assert_false(task_plan_same(&key, &t));
	t = was;
	t.deadline_raw = NULL;
	assert_false(task_plan_same(&key, &t));
	t = was;
	t.deadline.due.d = 29;
	assert_false(task_plan_same(&key, &t));
	t = was;
	t.deadline.has_due = false;
	assert_false(task_plan_same(&key, &t));
	t = was;
	t.deadline.precision = DEADLINE_MONTH;
	assert_false(task_plan_same(&key, &t));
	t = was;
	t.deadline.every = EVERY_MONTH;
	t.deadline.every_day = 20;
	assert_false(task_plan_same(&key, &t));
	/* Its kind. */
	t = was;
	t.kind = TASK_KIND_INDICATOR;
	assert_false(task_plan_same(&key, &t));
	task_plan_key_release(&key);

	/* Closed both ways (done, then put off): the plan, none, stays none. */
	was.status = TASK_DONE;
	was.deadline_raw = NULL;
	task_plan_key_of(&was, &key);
	t = was;
	t.deadline_raw = "";
	t.status = TASK_POSTPONED;
	assert_true(task_plan_same(&key, &t));
	task_plan_key_release(&key);
	assert_null(key.deadline_raw);
}

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_status_names),
		cmocka_unit_test(test_overdue),
		cmocka_unit_test(test_light),
		cmocka_unit_test(test_indicator_light),
		cmocka_unit_test(test_assessment_words),
		cmocka_unit_test(test_calendar),
		cmocka_unit_test(test_plan_same),
	};

	return cmocka_run_group_tests_name("task", tests, NULL, NULL);
}

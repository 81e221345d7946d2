/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of render.c: loading the real templates/, picking the
 * template of a message, the data given to it, the language fallback,
 * and a template with a syntax error refused with file and line.
 */
#include "testlib.h"

#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include "calendar.h"
#include "norm.h"
#include "registry.h"
#include "render.h"
#include "task.h"

static struct renderer *rend;

static int
setup(void **state)
{
	char *msg = NULL;

	(void)state;
	if (renderer_load("templates", &rend, &msg) < 0) {
		fprintf(stderr, "renderer_load: %s\n", msg ? msg : "?");
		free(msg);
		return -1;
	}
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	rend = renderer_free(rend);
	return 0;
}

static struct task
task_due(int64_t id, const char *title, const char *raw, int y, int m, int d, enum deadline_precision p)
{
	static char *leads[] = { (char *)"Sở Y tế" };
	static int64_t lead_ids[] = { 1 };
	struct task t = { 0 };

	t.id = id;
	t.title = (char *)title;
	t.deadline_raw = (char *)raw;
	t.deadline.precision = p;
	t.deadline.has_due = true;
	t.deadline.due = (struct date){ y, m, d };
	t.status = TASK_IN_PROGRESS;
	t.progress = 40;
	t.leads = leads;
	t.lead_ids = lead_ids;
	t.n_leads = 1;
	return t;
}

static struct person
person(const char *lang)
{
	struct person p = { 0 };

	p.name = (char *)"Nguyễn Văn An";
	p.agency_name = (char *)"Sở Y tế";
	p.role = ROLE_FOCAL;
	p.lang = (char *)lang;
	return p;
}

static void
test_reminder_forms(void **state)
{
	struct task a = task_due(27, "Báo cáo <b>&\"tổng kết\"</b>", "Quý III", 2025, 9, 30, DEADLINE_QUARTER);
	struct task b = task_due(29, "Việc quá hạn", "30/9/2025", 2025, 9, 22, DEADLINE_DAY);
	struct person p = person("vi");
	struct render_item items[2] = {
		{ &a, STAGE_BEFORE, 3, { 2025, 9, 25 }, a.deadline.due },
		{ &b, STAGE_OVERDUE, 1, { 2025, 9, 23 }, b.deadline.due },
	};
	struct render_ctx ctx = { .r = rend, .to = &p, .today = { 2025, 9, 25 } };
	struct rendered m = { 0 };

	(void)state;
	assert_int_equal(render_message(MESSAGE_REMINDER, &ctx, items, 2, &m), 0);
	assert_non_null(strstr(m.subject, "2"));
	assert_null(strchr(m.subject, '\n'));
	assert_non_null(strstr(m.text, "Kính gửi đồng chí Nguyễn Văn An"));
	assert_non_null(strstr(m.text, "[27] Báo cáo <b>&\"tổng kết\"</b>"));
	assert_non_null(strstr(m.text, "Quý III (ngày 30/9/2025)"));
	assert_non_null(strstr(m.text, "còn 3 ngày làm việc"));
	/* A deadline written as a day is said once. */
	assert_null(strstr(m.text, "30/9/2025 (ngày"));
	assert_non_null(strstr(m.html, "Báo cáo &lt;b&gt;&amp;&quot;tổng kết&quot;&lt;/b&gt;"));
	assert_null(strstr(m.html, "<b>&\"tổng"));
	assert_non_null(strstr(m.chat, "&lt;b&gt;&amp;\"tổng kết\"&lt;/b&gt;"));
	assert_true(norm_is_utf8(m.text, strlen(m.text), NULL));
	assert_false(m.fell_back);
	rendered_release(&m);
}

static void
test_template_choice(void **state)
{
	struct task a = task_due(1, "Việc một", "Tháng 9", 2025, 9, 30, DEADLINE_MONTH);
	struct person p = person("vi");
	struct render_item due = { &a, STAGE_BEFORE, 0, { 2025, 9, 30 }, a.deadline.due };
	struct render_item late = { &a, STAGE_OVERDUE, 4, { 2025, 10, 6 }, a.deadline.due };
	struct render_item l2 = { &a, STAGE_ESCALATION, 2, { 2025, 10, 21 }, a.deadline.due };
	struct render_ctx today = { .r = rend, .to = &p, .today = { 2025, 9, 30 } };
	struct render_ctx later = { .r = rend, .to = &p, .today = { 2025, 10, 21 } };
	struct rendered m = { 0 };

	(void)state;
	assert_int_equal(render_message(MESSAGE_REMINDER, &today, &due, 1, &m), 0);
	assert_non_null(strstr(m.subject, "hôm nay"));
	rendered_release(&m);
	assert_int_equal(render_message(MESSAGE_REMINDER, &later, &late, 1, &m), 0);
	assert_non_null(strstr(m.text, "quá hạn"));
	rendered_release(&m);
	assert_int_equal(render_message(MESSAGE_ESCALATION, &later, &l2, 1, &m), 0);
	assert_non_null(strstr(m.text, "Sở Y tế"));
	rendered_release(&m);
	assert_int_equal(render_message(MESSAGE_CATCHUP, &later, &late, 1, &m), 0);
	assert_non_null(strstr(m.text, "những ngày qua"));
	rendered_release(&m);
}

static void
test_english_and_fallback(void **state)
{
	struct task a = task_due(5, "Việc năm", "Quý IV", 2025, 12, 31, DEADLINE_QUARTER);
	struct person p = person("en");
	struct render_item it = { &a, STAGE_BEFORE, 20, { 2025, 12, 2 }, a.deadline.due };
	struct render_ctx ctx = { .r = rend, .to = &p, .today = { 2025, 12, 2 } };
	struct rendered m = { 0 };
	json_t *data = json_pack("{s:{s:s}}", "person", "name", "An");

	(void)state;
	assert_int_equal(render_message(MESSAGE_REMINDER, &ctx, &it, 1, &m), 0);
	assert_non_null(strstr(m.text, "Dear"));
	assert_false(m.fell_back);
	rendered_release(&m);
	assert_int_equal(renderer_render(rend, "en", "no_such_template", data, &m), -ENOENT);
	json_decref(data);
}

static void
test_syntax_error_names_file_and_line(void **state)
{
	char dir[] = "/tmp/dondoc-render.XXXXXX", path[128], *msg = NULL;
	struct renderer *bad = NULL;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/vi", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/vi/reminder.text.mustache", dir);
	f = fopen(path, "w");
	fputs("Kính gửi {{person.name}},\n{{#tasks}}\n[{{id}}]\n", f);
	fclose(f);
	assert_int_equal(renderer_load(dir, &bad, &msg), -EINVAL);
	assert_non_null(strstr(msg, "vi/reminder.text.mustache:2"));
	free(msg);
	unlink(path);
	snprintf(path, sizeof(path), "%s/vi", dir);
	rmdir(path);
	rmdir(dir);
}

/* A language without its own template gets the Vietnamese one, and says so. */
static void
test_language_fallback(void **state)
{
	char dir[] = "/tmp/dondoc-render.XXXXXX", path[160], *msg = NULL;
	const char *forms[] = { "subject", "text", "html", "chat" };
	struct renderer *r = NULL;
	struct rendered m = { 0 };
	json_t *data = json_pack("{s:{s:s}}", "person", "name", "An");
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/vi", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/en", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	for (int i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/vi/test.%s.mustache", dir, forms[i]);
		f = fopen(path, "w");
		fprintf(f, "Kính gửi {{person.name}}");
		fclose(f);
	}
	assert_int_equal(renderer_load(dir, &r, &msg), 0);
	assert_int_equal(renderer_render(r, "en", "test", data, &m), 0);
	assert_true(m.fell_back);
	assert_string_equal(m.text, "Kính gửi An");
	rendered_release(&m);
	renderer_free(r);
	json_decref(data);
	for (int i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "%s/vi/test.%s.mustache", dir, forms[i]);
		unlink(path);
	}
	snprintf(path, sizeof(path), "%s/vi", dir);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/en", dir);
	rmdir(path);
	rmdir(dir);
}

/* A 10,000-character title with markup renders whole and safe in every form. */
static void
test_huge_title(void **state)
{
	char *title = malloc(10001);
	struct task a;
	struct person p = person("vi");
	struct render_item it;
	struct render_ctx ctx = { .r = rend, .to = &p, .today = { 2025, 9, 25 } };
	struct rendered m = { 0 };

	(void)state;
	for (int i = 0; i < 10000; i++)
		title[i] = "<script>&\"x'"[i % 12];
	title[10000] = '\0';
	assert_int_equal(strlen(title), 10000);
	a = task_due(7, title, "Quý III", 2025, 9, 30, DEADLINE_QUARTER);
	it = (struct render_item){ &a, STAGE_BEFORE, 3, { 2025, 9, 25 }, a.deadline.due };
	assert_int_equal(render_message(MESSAGE_REMINDER, &ctx, &it, 1, &m), 0);
	assert_non_null(strstr(m.text, title));
	assert_null(strstr(m.html, "<script>"));
	assert_null(strstr(m.chat, "<script>"));
	assert_non_null(strstr(m.html, "&lt;script&gt;&amp;&quot;x&#39;"));
	rendered_release(&m);
	free(title);
}

/* Invalid UTF-8 never reaches a message: the bad text is left out, the rest renders. */
static void
test_invalid_utf8_title(void **state)
{
	struct task a = task_due(8, "Vi\xe1\xbb t h\xff\xfeng", "Quý III", 2025, 9, 30, DEADLINE_QUARTER);
	struct person p = person("vi");
	struct render_item it = { &a, STAGE_BEFORE, 3, { 2025, 9, 25 }, a.deadline.due };
	struct render_ctx ctx = { .r = rend, .to = &p, .today = { 2025, 9, 25 } };
	struct rendered m = { 0 };

	(void)state;
	assert_int_equal(render_message(MESSAGE_REMINDER, &ctx, &it, 1, &m), 0);
	assert_true(norm_is_utf8(m.subject, strlen(m.subject), NULL));
	assert_true(norm_is_utf8(m.text, strlen(m.text), NULL));
	assert_true(norm_is_utf8(m.html, strlen(m.html), NULL));
	assert_true(norm_is_utf8(m.chat, strlen(m.chat), NULL));
	assert_non_null(strstr(m.text, "[8]"));
	rendered_release(&m);
}

static void
test_render_day(void **state)
{
	char out[16];

	(void)state;
	render_day((struct date){ 2025, 9, 30 }, out);
	assert_string_equal(out, "30/9/2025");
	render_day((struct date){ 2026, 1, 1 }, out);
	assert_string_equal(out, "1/1/2026");
}

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reminder_forms),
		cmocka_unit_test(test_template_choice),
		cmocka_unit_test(test_english_and_fallback),
		cmocka_unit_test(test_syntax_error_names_file_and_line),
		cmocka_unit_test(test_language_fallback),
		cmocka_unit_test(test_huge_title),
		cmocka_unit_test(test_invalid_utf8_title),
		cmocka_unit_test(test_render_day),
	};

	return cmocka_run_group_tests_name("render", tests, setup, teardown);
}

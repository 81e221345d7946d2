/* SPDX-License-Identifier: MIT */
/*
 * Unit tests of render.c: loading the real templates/, picking the
 * template of a message, the data given to it, the language fallback,
 * a template with a syntax error refused with file and line, and a set
 * missing a message or a partial refused at load.
 */
#include "testlib.h"

#include <errno.h>

#include "calendar.h"
#include "norm.h"
#include "registry.h"
#include "render.h"
#include "store.h"
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
	assert_non_null(strstr(m.text, "Quý III (ngày 30/09/2025)"));
	assert_non_null(strstr(m.text, "còn 3 ngày làm việc"));
	/* A deadline written as a day is said once. */
	assert_null(strstr(m.text, "30/09/2025 (ngày"));
	assert_non_null(strstr(m.html, "Báo cáo &lt;b&gt;&amp;&quot;tổng kết&quot;&lt;/b&gt;"));
	assert_null(strstr(m.html, "<b>&\"tổng"));
	assert_non_null(strstr(m.chat, "&lt;b&gt;&amp;\"tổng kết\"&lt;/b&gt;"));
	assert_true(norm_is_utf8(m.text, strlen(m.text), NULL));
	assert_false(m.fell_back);
	rendered_release(&m);
}

static struct task
indicator(int64_t id, const char *title, enum task_status status)
{
	struct task t = task_due(id, title, "", 2025, 6, 30, DEADLINE_UNKNOWN);

	t.kind = TASK_KIND_INDICATOR;
	t.deadline.has_due = false;
	t.status = status;
	t.progress = 0;
	return t;
}

/* What the templates get of an indicator: its assessment, no deadline, progress or lateness. */
static void
test_indicator_json(void **state)
{
	struct task t = indicator(12, "Tỷ lệ phủ sóng 5G", TASK_NOT_ACHIEVED);
	struct date today = { 2025, 10, 1 };
	json_t *o;

	(void)state;
	/* Even a due day left on it does not make it late. */
	t.deadline.has_due = true;
	t.deadline.due = (struct date){ 2025, 6, 30 };
	o = render_task_json(&t, today, NULL);
	assert_true(json_is_true(json_object_get(o, "indicator")));
	assert_string_equal(json_string_value(json_object_get(o, "assessment")), "Chưa đạt");
	assert_string_equal(json_string_value(json_object_get(o, "light")), "ĐỎ");
	assert_false(json_is_true(json_object_get(o, "late")));
	assert_int_equal(json_integer_value(json_object_get(o, "days_late")), 0);
	assert_string_equal(json_string_value(json_object_get(o, "due")), "");
	assert_string_equal(json_string_value(json_object_get(o, "deadline")), "");
	assert_null(json_object_get(o, "progress"));
	json_decref(o);
	t.status = TASK_CANNOT_ASSESS;
	o = render_task_json(&t, today, NULL);
	assert_string_equal(json_string_value(json_object_get(o, "assessment")), "Chưa đánh giá được");
	assert_string_equal(json_string_value(json_object_get(o, "light")), "VÀNG");
	json_decref(o);
	/* A task has none of these keys. */
	t.kind = TASK_KIND_TASK;
	o = render_task_json(&t, today, NULL);
	assert_null(json_object_get(o, "indicator"));
	assert_null(json_object_get(o, "assessment"));
	assert_true(json_is_true(json_object_get(o, "late")));
	json_decref(o);
}

/* Update requests: alone, their own message; among tasks, items of the day's reminder. */
static void
test_assessment_request(void **state)
{
	struct task i = indicator(12, "Tỷ lệ phủ sóng 5G", TASK_NOT_ACHIEVED);
	struct task a = task_due(27, "Việc có hạn", "Tháng 12", 2025, 12, 31, DEADLINE_MONTH);
	struct person p = person("vi");
	struct render_item req = { &i, STAGE_ASSESSMENT, 5, { 2025, 12, 12 }, { 2025, 12, 20 } };
	struct render_item both[2] = {
		{ &i, STAGE_ASSESSMENT, 5, { 2025, 12, 12 }, { 2025, 12, 20 } },
		{ &a, STAGE_BEFORE, 10, { 2025, 12, 17 }, a.deadline.due },
	};
	struct render_ctx ctx = { .r = rend, .to = &p, .today = { 2025, 12, 12 } };
	struct rendered m = { 0 };

	struct address chat = { .channel = "telegram", .value = "100" };

	(void)state;
	p.addresses = &chat;
	p.n_addresses = 1;
	assert_int_equal(render_message(MESSAGE_REMINDER, &ctx, &req, 1, &m), 0);
	assert_non_null(strstr(m.subject, "Cập nhật đánh giá chỉ tiêu"));
	assert_non_null(strstr(m.text, "Chỉ tiêu – đánh giá: Chưa đạt"));
	assert_non_null(strstr(m.text, "Kỳ báo cáo 20/12/2025: /danhgia 12 đạt | chưa đạt"));
	assert_null(strstr(m.text, "tiến độ"));
	assert_null(strstr(m.text, "/xong"));
	assert_null(strstr(m.text, "Thời hạn"));
	assert_non_null(strstr(m.chat, "<code>/danhgia 12 đạt"));
	rendered_release(&m);
	assert_int_equal(render_message(MESSAGE_REMINDER, &ctx, both, 2, &m), 0);
	/* The task counts as the task it is, the indicator apart. */
	assert_non_null(strstr(m.subject, "1 nhiệm vụ"));
	assert_non_null(strstr(m.text, "Số nhiệm vụ: 01; chỉ tiêu cần cập nhật đánh giá: 01."));
	assert_non_null(strstr(m.text, "/danhgia 12 đạt"));
	/* The quick commands name the task, never the indicator. */
	assert_non_null(strstr(m.text, "/xong 27"));
	assert_null(strstr(m.text, "/xong 12"));
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
	assert_non_null(strstr(m.text, "Hệ thống tổng hợp các nhiệm vụ cần đôn đốc tính đến ngày 21/10/2025:"));
	assert_null(strstr(m.text, "những ngày qua"));
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

/* Copies every file of from (not its folders) into a new folder to. */
static void
copy_dir(const char *from, const char *to)
{
	DIR *d = opendir(from);
	struct dirent *de;
	char src[512], dst[512], buf[4096];

	assert_non_null(d);
	assert_int_equal(mkdir(to, 0755), 0);
	while ((de = readdir(d))) {
		FILE *in, *out;
		size_t n;

		snprintf(src, sizeof(src), "%s/%s", from, de->d_name);
		if (de->d_name[0] == '.' || !strstr(de->d_name, ".mustache"))
			continue;
		snprintf(dst, sizeof(dst), "%s/%s", to, de->d_name);
		in = fopen(src, "rb");
		out = fopen(dst, "wb");
		assert_non_null(in);
		assert_non_null(out);
		while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
			assert_int_equal(fwrite(buf, 1, n, out), n);
		fclose(in);
		fclose(out);
	}
	closedir(d);
}

/* A copy of the shipped Vietnamese set in a new temporary folder (dir, "/tmp/...XXXXXX"). */
static void
copy_set(char *dir)
{
	char path[256];

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/vi", dir);
	copy_dir("templates/vi", path);
	snprintf(path, sizeof(path), "%s/vi/partials", dir);
	copy_dir("templates/vi/partials", path);
}

static void
write_text(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
remove_set(const char *dir)
{
	assert_int_equal(testlib_rmtree(dir), 0);
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

	(void)state;
	copy_set(dir);
	snprintf(path, sizeof(path), "%s/en", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	for (int i = 0; i < 4; i++) {
		snprintf(path, sizeof(path), "vi/test.%s.mustache", forms[i]);
		write_text(dir, path, "Kính gửi {{person.name}}");
	}
	/* An English file may use a partial that only Vietnamese has. */
	write_text(dir, "en/help.text.mustache", "{{> greeting}}Help\n");
	assert_int_equal(renderer_load(dir, &r, &msg), 0);
	assert_int_equal(renderer_render(r, "en", "test", data, &m), 0);
	assert_true(m.fell_back);
	assert_string_equal(m.text, "Kính gửi An");
	rendered_release(&m);
	assert_int_equal(renderer_render(r, "en", "help", data, &m), 0);
	assert_non_null(strstr(m.text, "Kính gửi đồng chí An"));
	rendered_release(&m);
	renderer_free(r);
	json_decref(data);
	remove_set(dir);
}

/* Loading the set in dir is refused, a file missing: nothing loaded, and the message names want. */
static void
assert_load_missing(const char *dir, const char *want)
{
	struct renderer *r = NULL;
	char *msg = NULL;

	assert_int_equal(renderer_load(dir, &r, &msg), -ENOENT);
	assert_null(r);
	assert_non_null(msg);
	assert_non_null(strstr(msg, want));
	free(msg);
}

/* Templates checked at load: a message the program sends, missing from vi/, stops the load. */
static void
test_missing_template_refused(void **state)
{
	char dir[] = "/tmp/dondoc-render.XXXXXX", path[160];

	(void)state;
	copy_set(dir);
	snprintf(path, sizeof(path), "%s/vi/progress_ok.chat.mustache", dir);
	assert_int_equal(unlink(path), 0);
	assert_load_missing(dir, "vi/progress_ok.chat.mustache' is missing");
	/* An English file alone is no excuse: English falls back to vi/. */
	snprintf(path, sizeof(path), "%s/en", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	write_text(dir, "en/progress_ok.chat.mustache", "Recorded");
	assert_load_missing(dir, "vi/progress_ok.chat.mustache' is missing");
	remove_set(dir);
}

/* Templates checked at load: a partial no file provides is named, with the file and line asking. */
static void
test_missing_partial_refused(void **state)
{
	char dir[] = "/tmp/dondoc-render.XXXXXX";

	(void)state;
	copy_set(dir);
	/* Inside a section whose data may never come: checked all the same. */
	write_text(dir, "vi/help.text.mustache", "Hướng dẫn\n{{#tasks}}\n{{> missing}}\n{{/tasks}}\n");
	assert_load_missing(dir, "vi/help.text.mustache:3: partial 'missing' not found");
	/* A partial that exists in another form only is missing for this one. */
	write_text(dir, "vi/help.text.mustache", "{{> page_top}}\n");
	assert_load_missing(dir, "vi/help.text.mustache:1: partial 'page_top' not found");
	/* In a partial too. */
	write_text(dir, "vi/help.text.mustache", "Hướng dẫn\n");
	write_text(dir, "vi/partials/footer.chat.mustache", "x {{> nowhere}}\n");
	assert_load_missing(dir, "vi/partials/footer.chat.mustache:1: partial 'nowhere'");
	remove_set(dir);
}

/* Only the program's own messages render: a file of another name is never used. */
static void
test_only_listed_names(void **state)
{
	const char *const *names;
	struct rendered m = { 0 };
	json_t *data = json_object();
	size_t n;

	(void)state;
	names = render_names(&n);
	assert_true(n > 30);
	assert_string_equal(names[0], "reminder");
	/* A name the program never sends is not rendered. */
	assert_int_equal(renderer_render(rend, "vi", "no_such_message", data, &m), -ENOENT);
	json_decref(data);
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

/*
 * The footer's commands go to whoever can send them: a person with a
 * chat; an email-only person is told how to link one when a chat channel
 * is open (the bot's t.me link, /start), and nothing of chat otherwise.
 */
static void
test_footer_unlinked(void **state)
{
	struct task a = task_due(27, "Việc có hạn", "Tháng 12", 2025, 12, 31, DEADLINE_MONTH);
	struct person p = person("vi");
	struct render_item it = { &a, STAGE_BEFORE, 10, { 2025, 12, 17 }, a.deadline.due };
	struct render_ctx ctx = { .r = rend, .to = &p, .today = { 2025, 12, 17 } };
	struct rendered m = { 0 };
	struct address chat = { .channel = "telegram", .value = "100" };
	static const char *const tg[] = { "telegram" }, *const zl[] = { "zalo" };
	static const char *const both[] = { "telegram", "zalo" };

	(void)state;
	/* No chat channel at all: not a word about chat. */
	assert_int_equal(render_message(MESSAGE_REMINDER, &ctx, &it, 1, &m), 0);
	assert_null(strstr(m.text, "/xong"));
	assert_null(strstr(m.text, "tin nhắn"));
	assert_null(strstr(m.html, "/xong"));
	rendered_release(&m);
	/* Telegram open: how to link, with the bot's link. */
	ctx.chats = tg;
	ctx.n_chats = 1;
	ctx.bot = "dondoc_bot";
	assert_int_equal(render_message(MESSAGE_REMINDER, &ctx, &it, 1, &m), 0);
	assert_null(strstr(m.text, "/xong 27"));
	assert_non_null(strstr(m.text, "https://t.me/dondoc_bot"));
	assert_non_null(strstr(m.text, "/start MÃ tới @dondoc_bot"));
	assert_non_null(strstr(m.html, "https://t.me/dondoc_bot"));
	rendered_release(&m);
	/* Linked: the commands, and no linking advice. */
	p.addresses = &chat;
	p.n_addresses = 1;
	assert_int_equal(render_message(MESSAGE_REMINDER, &ctx, &it, 1, &m), 0);
	assert_non_null(strstr(m.text, "/xong 27"));
	assert_null(strstr(m.text, "/start"));
	rendered_release(&m);
	/*
	 * A chat refused for now is still linked: no linking advice (the
	 * reopen line says how to get it back), on Zalo as on Telegram.
	 */
	chat.broken_at = 1;
	assert_int_equal(render_message(MESSAGE_REMINDER, &ctx, &it, 1, &m), 0);
	assert_null(strstr(m.text, "/start"));
	assert_null(strstr(m.text, "liên kết"));
	assert_null(strstr(m.html, "liên kết"));
	rendered_release(&m);
	chat.channel = "zalo";
	ctx.chats = zl;
	ctx.bot = NULL;
	ctx.reopen = "Zalo";
	ctx.reopen_window = 7 * 86400;
	assert_int_equal(render_message(MESSAGE_REMINDER, &ctx, &it, 1, &m), 0);
	assert_null(strstr(m.text, "/start"));
	assert_null(strstr(m.text, "liên kết"));
	assert_null(strstr(m.html, "liên kết"));
	assert_non_null(strstr(m.text, "nhắn một tin bất kỳ"));
	rendered_release(&m);
	/* A Zalo-only deployment tells an unlinked person of Zalo, not Telegram. */
	p.addresses = NULL;
	p.n_addresses = 0;
	ctx.reopen = NULL;
	assert_int_equal(render_message(MESSAGE_REMINDER, &ctx, &it, 1, &m), 0);
	assert_non_null(strstr(m.text, "bằng tin nhắn Zalo"));
	assert_non_null(strstr(m.text, "tài khoản Zalo OA của Hệ thống đôn đốc"));
	assert_non_null(strstr(m.html, "bấm Quan tâm tài khoản Zalo OA"));
	assert_non_null(strstr(m.text, "/start MÃ"));
	assert_null(strstr(m.text, "Telegram"));
	assert_null(strstr(m.text, "t.me"));
	assert_non_null(strstr(m.html, "bằng tin nhắn Zalo"));
	assert_null(strstr(m.html, "Telegram"));
	rendered_release(&m);
	/* Both open: how to link on each. */
	ctx.chats = both;
	ctx.n_chats = 2;
	ctx.bot = "dondoc_bot";
	assert_int_equal(render_message(MESSAGE_REMINDER, &ctx, &it, 1, &m), 0);
	assert_non_null(strstr(m.text, "/start MÃ tới @dondoc_bot"));
	assert_non_null(strstr(m.text, "bằng tin nhắn Zalo"));
	rendered_release(&m);
}

/*
 * A channel that does not reach the recipient now (Zalo out of its 7-day
 * window, render_ctx.reopen): the message that goes another way says, in
 * every form, to write to it to get reminders there again, with the
 * window in days; nothing of it otherwise.
 */
static void
test_reopen(void **state)
{
	struct task a = task_due(27, "Việc có hạn", "Tháng 12", 2025, 12, 31, DEADLINE_MONTH);
	struct person p = person("vi");
	struct render_item it = { &a, STAGE_BEFORE, 10, { 2025, 12, 17 }, a.deadline.due };
	struct render_ctx ctx = { .r = rend, .to = &p, .today = { 2025, 12, 17 } };
	struct rendered m = { 0 };

	(void)state;
	assert_int_equal(render_message(MESSAGE_REMINDER, &ctx, &it, 1, &m), 0);
	assert_null(strstr(m.text, "nhắn một tin bất kỳ"));
	assert_null(strstr(m.html, "nhắn một tin bất kỳ"));
	assert_null(strstr(m.chat, "Nhắn một tin bất kỳ"));
	rendered_release(&m);
	ctx.reopen = "Zalo";
	ctx.reopen_window = 7 * 86400;
	assert_int_equal(render_message(MESSAGE_REMINDER, &ctx, &it, 1, &m), 0);
	assert_non_null(strstr(m.text, "Zalo: đồng chí chưa nhắn tin cho Hệ thống đôn đốc qua Zalo\n"
				   "trong 7 ngày qua nên chưa nhận được nhắc việc qua Zalo."));
	assert_non_null(strstr(m.text, "nhắn một tin bất kỳ (ví dụ /viec)"));
	assert_non_null(strstr(m.html, "trong 7 ngày qua nên chưa nhận được nhắc việc qua Zalo"));
	assert_non_null(strstr(m.chat, "<b>Zalo:</b> đồng chí chưa nhắn tin"));
	assert_non_null(strstr(m.chat, "(ví dụ <code>/viec</code>)"));
	rendered_release(&m);
	/* A window not in whole days is said in hours; an unknown one not at all. */
	ctx.reopen_window = 36 * 3600;
	assert_int_equal(render_message(MESSAGE_CATCHUP, &ctx, &it, 1, &m), 0);
	assert_non_null(strstr(m.text, "trong 36 giờ qua nên"));
	rendered_release(&m);
	ctx.reopen_window = 0;
	assert_int_equal(render_message(MESSAGE_REMINDER, &ctx, &it, 1, &m), 0);
	assert_non_null(strstr(m.text, "qua Zalo\nnên chưa nhận được"));
	assert_null(strstr(m.text, "ngày qua"));
	rendered_release(&m);
	/* In English, and in an escalation to a leader. */
	p.lang = (char *)"en";
	ctx.reopen_window = 7 * 86400;
	assert_int_equal(render_message(MESSAGE_REMINDER, &ctx, &it, 1, &m), 0);
	assert_non_null(strstr(m.text, "Zalo: you have not written to"));
	assert_non_null(strstr(m.text, "in the last 7 days"));
	rendered_release(&m);
	p.lang = (char *)"vi";
	p.role = ROLE_LEADER;
	it.stage = STAGE_ESCALATION;
	it.step = 2;
	assert_int_equal(render_message(MESSAGE_ESCALATION, &ctx, &it, 1, &m), 0);
	assert_non_null(strstr(m.text, "nhắn một tin bất kỳ (ví dụ /viec)"));
	assert_non_null(strstr(m.chat, "Nhắn một tin bất kỳ"));
	rendered_release(&m);
}

/* A done task says the day it was done; a generic co-lead is not capitalised mid-list. */
static void
test_done_and_leads(void **state)
{
	static char *leads[] = { (char *)"Sở Y tế", (char *)"Các sở, ban, ngành" };
	struct task a = task_due(27, "Việc đã xong", "Tháng 12", 2025, 12, 31, DEADLINE_MONTH);
	json_t *o;

	(void)state;
	a.leads = leads;
	a.n_leads = 2;
	a.status = TASK_DONE;
	a.done_at = 1759975200;		/* 2025-10-09 09:00 in Hà Nội */
	o = render_task_json(&a, (struct date){ 2025, 10, 10 }, NULL);
	assert_string_equal(json_string_value(json_object_get(o, "leads")),
			    "Sở Y tế; các sở, ban, ngành");
	assert_true(json_is_true(json_object_get(o, "done")));
	assert_string_equal(json_string_value(json_object_get(o, "done_on")), "09/10/2025");
	json_decref(o);
	/* First, it keeps its capital; an open task is not done. */
	leads[0] = (char *)"Các sở, ban, ngành";
	leads[1] = (char *)"Sở Y tế";
	a.status = TASK_IN_PROGRESS;
	o = render_task_json(&a, (struct date){ 2025, 10, 10 }, NULL);
	assert_string_equal(json_string_value(json_object_get(o, "leads")),
			    "Các sở, ban, ngành; Sở Y tế");
	assert_true(json_is_false(json_object_get(o, "done")));
	assert_null(json_object_get(o, "done_on"));
	json_decref(o);
	leads[0] = (char *)"Sở Y tế";
	leads[1] = (char *)"Các sở, ban, ngành";
}

/* Counts in two digits for formal text, at any depth, beside the number. */
static void
test_formal_counts(void **state)
{
	json_t *o = json_pack("{s:i, s:i, s:[{s:i}], s:i}", "count", 6, "late_count", 12,
			      "agencies", "count", 3, "level", 2);

	(void)state;
	render_formal_counts(o);
	assert_string_equal(json_string_value(json_object_get(o, "count_02")), "06");
	assert_string_equal(json_string_value(json_object_get(o, "late_count_02")), "12");
	assert_string_equal(json_string_value(json_object_get(
		json_array_get(json_object_get(o, "agencies"), 0), "count_02")), "03");
	assert_null(json_object_get(o, "level_02"));
	assert_int_equal(json_integer_value(json_object_get(o, "count")), 6);
	json_decref(o);
}

static void
test_render_day(void **state)
{
	char out[16];

	(void)state;
	render_day((struct date){ 2025, 9, 30 }, out);
	assert_string_equal(out, "30/09/2025");
	render_day((struct date){ 2026, 1, 1 }, out);
	assert_string_equal(out, "01/01/2026");
	/* The CLI's short form, as the secretariat types dates. */
	render_day_short((struct date){ 2026, 1, 1 }, out);
	assert_string_equal(out, "1/1/2026");
}

/* A title cut for a chat answer: on a word past half the width, with "…"; short ones whole. */
static void
test_render_brief(void **state)
{
	static const struct {
		const char *in;
		size_t width;
		const char *out;
	} cases[] = {
		{ "Báo cáo sơ kết", 80, "Báo cáo sơ kết" },
		{ "", 80, "" },
		/* Exactly the width: whole. */
		{ "Một hai ba", 10, "Một hai ba" },
		{ "Một hai ba bốn", 10, "Một hai…" },
		/* No dangling comma before the ellipsis. */
		{ "Xây dựng, hoàn thiện hệ thống", 12, "Xây dựng…" },
		/* One long word: cut inside it, on a character. */
		{ "Đđđđđđđđđđđđđđđ", 5, "Đđđđđ…" },
		/* A space only early on: cut at the width rather than keep two words. */
		{ "Ab cdefghijklmnop", 10, "Ab cdefghi…" },
		/* A letter ending in a byte of "–" (ồ is e1 bb 93) stays whole... */
		{ "Hồồồồồồồ", 2, "Hồ…" },
		/* ...while a dash itself goes. */
		{ "Abc–def", 4, "Abc…" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *got = render_brief(cases[i].in, cases[i].width);

		if (strcmp(got, cases[i].out) != 0)
			fail_msg("'%s' cut to %zu: '%s', wanted '%s'", cases[i].in, cases[i].width, got,
				 cases[i].out);
		free(got);
	}
}

/*
 * An escalation's past comes from ctx->past alone: the days a person was
 * reminded, the year said once per year ("30/12/2025, 2/1 và 5/1/2026"),
 * a head named only for a level 1 sent to a head, nothing for a task
 * with no past; the recipient's role picks the text; English words in en.
 */
static void
test_escalation_past(void **state)
{
	struct task a = task_due(27, "Việc có nhắc", "Quý IV", 2025, 12, 29, DEADLINE_QUARTER);
	struct task b = task_due(29, "Việc chưa nhắc", "Quý IV", 2025, 12, 29, DEADLINE_QUARTER);
	struct person leader = person("vi"), head = person("vi"), sec = person("en");
	struct sent_notice sent[] = {
		{ 27, STAGE_OVERDUE, 1, { 2025, 12, 30 }, 5, (char *)"Nguyễn Văn An", ROLE_FOCAL,
		  (char *)"Sở Y tế" },
		{ 27, STAGE_OVERDUE, 4, { 2026, 1, 2 }, 5, (char *)"Nguyễn Văn An", ROLE_FOCAL,
		  (char *)"Sở Y tế" },
		{ 27, STAGE_OVERDUE, 4, { 2026, 1, 2 }, 6, (char *)"Đỗ Thị Giang", ROLE_FOCAL,
		  (char *)"Sở Y tế" },
		{ 27, STAGE_OVERDUE, 7, { 2026, 1, 5 }, 5, (char *)"Nguyễn Văn An", ROLE_FOCAL,
		  (char *)"Sở Y tế" },
		{ 27, STAGE_ESCALATION, 1, { 2026, 1, 6 }, 7, (char *)"Lê Văn Cường", ROLE_HEAD,
		  (char *)"Sở Y tế" },
		/* A level 1 that went to the secretariat is no head told. */
		{ 27, STAGE_ESCALATION, 1, { 2026, 1, 6 }, 8, (char *)"Hoàng Thị Em", ROLE_SECRETARIAT,
		  (char *)"Văn phòng" },
	};
	bool no_head[] = { true }, no_focal[] = { false };
	struct render_past past[] = {
		{ 27, sent, sizeof(sent) / sizeof(sent[0]), no_focal, no_head },
	};
	struct render_item items[] = {
		{ &a, STAGE_ESCALATION, 2, { 2026, 1, 26 }, a.deadline.due },
		{ &b, STAGE_ESCALATION, 2, { 2026, 1, 26 }, b.deadline.due },
	};
	struct render_ctx ctx = { .r = rend, .to = &leader, .today = { 2026, 1, 26 }, .past = past,
				  .n_past = 1 };
	struct rendered m = { 0 };
	const char *b_at;

	(void)state;
	leader.role = ROLE_LEADER;
	head.role = ROLE_HEAD;
	sec.role = ROLE_SECRETARIAT;
	assert_int_equal(render_message(MESSAGE_ESCALATION, &ctx, items, 2, &m), 0);
	assert_non_null(strstr(m.text, "   Đã nhắc đồng chí Nguyễn Văn An (cán bộ đầu mối, Sở Y tế) "
				       "ngày 30/12/2025, 02/01 và 05/01/2026\n"));
	assert_non_null(strstr(m.text, "   Đã nhắc đồng chí Đỗ Thị Giang (cán bộ đầu mối, Sở Y tế) "
				       "ngày 02/01/2026\n"));
	assert_non_null(strstr(m.text, "   Đã báo cáo thủ trưởng: đồng chí Lê Văn Cường (Sở Y tế) "
				       "ngày 06/01/2026\n"));
	assert_null(strstr(m.text, "Hoàng Thị Em"));
	assert_non_null(strstr(m.text, "- Sở Y tế: 02 nhiệm vụ"));
	/* Task 29 has no past: nothing is said after it. */
	b_at = strstr(m.text, "[29] ");
	assert_non_null(b_at);
	assert_null(strstr(b_at, "Đã nhắc"));
	assert_null(strstr(b_at, "Chưa có lời nhắc"));	/* the secretariat's words */
	assert_non_null(strstr(m.subject, "kính đề nghị đồng chí chỉ đạo"));
	rendered_release(&m);

	ctx.to = &head;
	assert_int_equal(render_message(MESSAGE_ESCALATION, &ctx, items, 2, &m), 0);
	assert_non_null(strstr(m.subject, "Sở Y tế: 02 nhiệm vụ quá hạn, đề nghị đồng chí chỉ đạo"));
	rendered_release(&m);

	ctx.to = &sec;
	assert_int_equal(render_message(MESSAGE_ESCALATION, &ctx, items, 2, &m), 0);
	assert_non_null(strstr(m.subject, "long-overdue tasks to follow"));
	assert_non_null(strstr(m.text, "   Reminded: Nguyễn Văn An (focal point, Sở Y tế) on "
				       "30/12/2025, 02/01 and 05/01/2026\n"));
	assert_non_null(strstr(m.text, "Missing: Sở Y tế has no head"));
	assert_non_null(strstr(m.text, "No reminder has been sent to a focal point yet."));
	rendered_release(&m);
}

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reminder_forms),
		cmocka_unit_test(test_escalation_past),
		cmocka_unit_test(test_template_choice),
		cmocka_unit_test(test_indicator_json),
		cmocka_unit_test(test_assessment_request),
		cmocka_unit_test(test_english_and_fallback),
		cmocka_unit_test(test_syntax_error_names_file_and_line),
		cmocka_unit_test(test_language_fallback),
		cmocka_unit_test(test_missing_template_refused),
		cmocka_unit_test(test_missing_partial_refused),
		cmocka_unit_test(test_only_listed_names),
		cmocka_unit_test(test_huge_title),
		cmocka_unit_test(test_invalid_utf8_title),
		cmocka_unit_test(test_render_day),
		cmocka_unit_test(test_render_brief),
		cmocka_unit_test(test_footer_unlinked),
		cmocka_unit_test(test_reopen),
		cmocka_unit_test(test_done_and_leads),
		cmocka_unit_test(test_formal_counts),
	};

	return cmocka_run_group_tests_name("render", tests, setup, teardown);
}

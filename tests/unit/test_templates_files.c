/* SPDX-License-Identifier: MIT */
/*
 * Tests of the message templates shipped in templates/ (DESIGN §6, §9),
 * not of the engine (test_template.c does that).  For every language,
 * message name and form, the file must compile and render, with a
 * realistic context and with a minimal one (empty lists, empty optional
 * fields), into non-empty valid UTF-8 that fits its form: a subject is
 * one line; a chat message fits Telegram's 4096 bytes and uses only the
 * tags Telegram's HTML mode knows, balanced; an email HTML body is a
 * document in the right language that escapes data; a plain-text body
 * carries data as it is.  Messages to a person greet them as officials
 * expect ("Kính gửi đồng chí ...").  Every partial a template asks for
 * must exist for that form, and no file in templates/ may be one the
 * program would never load (a misspelt name).
 *
 * Runs from the repository root.  DONDOC_TEMPLATES_DUMP=DIR writes every
 * rendering to DIR/LANG/NAME.FORM (and NAME.min.FORM) for reading.
 */
#include "testlib.h"

#include <dirent.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>
#include <utf8proc.h>

#include "macro.h"
#include "norm.h"
#include "render.h"
#include "report.h"
#include "template.h"
#include "xalloc.h"

#define MAX_OUT (1024 * 1024)
#define TELEGRAM_MAX 4096
#define TEXT_WIDTH 76

/* What the tricky title must look like in each form. */
#define TRICKY_RAW "<b>&\""
#define TRICKY_HTML "&lt;b&gt;&amp;&quot;"
#define TRICKY_TELEGRAM "&lt;b&gt;&amp;\""

enum form { FORM_SUBJECT, FORM_TEXT, FORM_HTML, FORM_CHAT, _FORM_MAX };

static const char *const langs[] = { "vi", "en" };
static const char *const form_names[_FORM_MAX] = { "subject", "text", "html", "chat" };
static const enum template_escape form_escape[_FORM_MAX] = {
	TEMPLATE_ESCAPE_NONE, TEMPLATE_ESCAPE_NONE, TEMPLATE_ESCAPE_HTML, TEMPLATE_ESCAPE_TELEGRAM,
};
/* The greeting of an email to a person, by language. */
static const char *const greetings[] = { "Kính gửi đồng chí", "Dear " };

enum {
	SHOWS_TITLE = 1 << 0,	/* prints a task's title (tasks or task) */
	GREETS = 1 << 1,	/* an email to a person: text and html greet them */
	NO_PERSON = 1 << 2,	/* for an unlinked chat: no person in the data */
};

/*
 * The message names the program loads, the data each is given (besides
 * person, today, app and bot), and what to check.
 */
static const struct name {
	const char *name;
	const char *keys;
	unsigned flags;
} names[] = {
	{ "reminder", "tasks count late_count first_id indicator_items", SHOWS_TITLE | GREETS },
	{ "due_today", "tasks count first_id", SHOWS_TITLE | GREETS },
	{ "overdue", "tasks count first_id", SHOWS_TITLE | GREETS },
	{ "catchup", "tasks count late_count first_id", SHOWS_TITLE | GREETS },
	{ "escalation_head", "tasks count level1 agency past", SHOWS_TITLE | GREETS },
	{ "escalation_leaders", "tasks count level2 past", SHOWS_TITLE | GREETS },
	{ "escalation_secretariat", "tasks count level2 past", SHOWS_TITLE | GREETS },
	{ "needs_date", "tasks count", SHOWS_TITLE | GREETS },
	{ "alert", "tasks count recipient", SHOWS_TITLE | GREETS },
	{ "compose_failed", "count recipient", GREETS },
	{ "digest", "digest", GREETS },
	{ "test", "", GREETS },
	{ "help", "", 0 },
	{ "link_instructions", "", NO_PERSON },
	{ "link_done", "", 0 },
	{ "tasks_list", "tasks count all indicators paged", SHOWS_TITLE },
	{ "overdue_list", "tasks count all paged", SHOWS_TITLE },
	{ "report", "report", 0 },
	{ "done_ok", "task", SHOWS_TITLE },
	{ "period_report_ok", "task period", SHOWS_TITLE },
	{ "progress_ok", "task progress_was", SHOWS_TITLE },
	{ "obstacle_ok", "task text id secretariat", SHOWS_TITLE },
	{ "extension_asked", "task request", SHOWS_TITLE },
	{ "extension_request", "task request", SHOWS_TITLE },
	{ "extension_approved", "task request", SHOWS_TITLE },
	{ "extension_rejected", "task request", SHOWS_TITLE },
	{ "decision_ok", "task request", SHOWS_TITLE },
	{ "error_unknown_command", "command suggestion", 0 },
	{ "error_usage", "command example", 0 },
	{ "error_no_task", "id", 0 },
	{ "error_no_request", "id", 0 },
	{ "button_hint", "task example", SHOWS_TITLE },
	{ "recorded", "tasks count", SHOWS_TITLE },
	{ "error_not_allowed", "task", SHOWS_TITLE },
	{ "error_bad_date", "bad_date", 0 },
	{ "error_task_done", "task", SHOWS_TITLE },
	{ "error_read_only", "command", 0 },
	{ "error_own_request", "task request", SHOWS_TITLE },
	{ "error_request_moot", "task request", SHOWS_TITLE },
	{ "extension_decided", "task request", SHOWS_TITLE },
	{ "error_private_only", "", NO_PERSON },
	{ "error_not_later", "task bad_date", SHOWS_TITLE },
	{ "error_bad_percent", "bad_percent", 0 },
	{ "error_not_linked", "", NO_PERSON },
	{ "error_bad_code", "", NO_PERSON },
	{ "error_clock", "", 0 },
	{ "error_date_past", "task past day_past", SHOWS_TITLE },
	{ "error_no_reason", "task past", SHOWS_TITLE },
	{ "error_request_decided", "task request", SHOWS_TITLE },
	{ "error_secretariat_only", "command role", 0 },
	{ "extension_superseded", "task request by", SHOWS_TITLE },
	{ "extension_moot", "task request", SHOWS_TITLE },
	{ "extension_pending_list", "requests", SHOWS_TITLE },
	{ "secretariat_daily", "daily", SHOWS_TITLE | GREETS },
	{ "obstacle_handled", "task obstacle", SHOWS_TITLE },
	{ "obstacle_handle_ok", "task obstacle", SHOWS_TITLE },
	{ "error_no_obstacle", "id", 0 },
	{ "error_obstacle_handled", "obstacle", 0 },
	{ "assessment_request", "indicator_items count", SHOWS_TITLE | GREETS },
	{ "assessment_ok", "indicator_task was", SHOWS_TITLE },
	{ "error_bad_assessment", "bad_assessment", 0 },
	{ "error_not_indicator", "task", SHOWS_TITLE },
	{ "error_indicator", "indicator_task", SHOWS_TITLE },
	{ "error_recurring", "task", SHOWS_TITLE },
	{ "thanks", "", 0 },
	{ "command_results", "results", SHOWS_TITLE },
	{ "ask_progress", "task", SHOWS_TITLE },
	{ "error_task_postponed", "task", SHOWS_TITLE },
	{ "digest_answer", "digest_answer", 0 },
	{ "error_leaders_only", "command role", 0 },
	{ "feed_event", "task", SHOWS_TITLE },
	{ "feed_alarm", "task", 0 },
	{ "feed_calendar", "", 0 },
	{ "calendar_link", "calendar", 0 },
	{ "calendar_off", "", 0 },
};

/* The partials templates may use; not every one exists in every form. */
static const char *const partial_names[] = {
	"greeting", "deadline", "task", "task_leads", "tasks", "tasks_leads", "task_line",
	"footer", "link_steps", "page_top", "page_bottom", "indicator",
	"footer", "link_steps", "page_top", "page_bottom", "task_past", "task_block",
	"secretariat_gaps", "chat_link", "digest_headline", "digest_more", "reopen",
};

/* Compiled partials, [lang][partial][form]; NULL where there is no file. */
static struct template *partials[ELEMENTSOF(langs)][ELEMENTSOF(partial_names)][_FORM_MAX];

struct lookup {
	size_t lang;
	enum form form;
	char missing[128];	/* the first partial asked for and not found */
};

static const struct template *
find_partial(const char *name, void *userdata)
{
	struct lookup *l = userdata;
	size_t k;

	for (k = 0; k < ELEMENTSOF(partial_names); k++)
		if (strcmp(partial_names[k], name) == 0 && partials[l->lang][k][l->form])
			return partials[l->lang][k][l->form];
	if (!l->missing[0])
		snprintf(l->missing, sizeof(l->missing), "%s", name);
	return NULL;
}

/* Reads path whole; NULL when it cannot be read. */
static char *
read_file(const char *path, size_t *ret_len)
{
	FILE *f = fopen(path, "rb");
	char *s = NULL;
	size_t n = 0, cap = 0, r;

	if (!f)
		return NULL;
	do {
		s = xgrowroom(s, &cap, n + 4096, 1);
		r = fread(s + n, 1, cap - n - 1, f);
		n += r;
	} while (r > 0);
	fclose(f);
	s[n] = '\0';
	if (ret_len)
		*ret_len = n;
	return s;
}

static struct template *
compile_file(const char *path)
{
	struct template *t = NULL;
	char *text, *err = NULL;
	int r;

	text = read_file(path, NULL);
	if (!text)
		fail_msg("%s: cannot read: %s", path, strerror(errno));
	r = template_compile(path, text, &t, &err);
	if (r < 0)
		fail_msg("%s", err);
	free(text);
	return t;
}

static int
setup(void **state)
{
	size_t l, p;
	int f;

	(void)state;
	for (l = 0; l < ELEMENTSOF(langs); l++)
		for (p = 0; p < ELEMENTSOF(partial_names); p++)
			for (f = 0; f < _FORM_MAX; f++) {
				char *path = xasprintf("templates/%s/partials/%s.%s.mustache", langs[l],
						       partial_names[p], form_names[f]);

				if (access(path, F_OK) == 0)
					partials[l][p][f] = compile_file(path);
				free(path);
			}
	return 0;
}

static int
teardown(void **state)
{
	size_t l, p;
	int f;

	(void)state;
	for (l = 0; l < ELEMENTSOF(langs); l++)
		for (p = 0; p < ELEMENTSOF(partial_names); p++)
			for (f = 0; f < _FORM_MAX; f++)
				partials[l][p][f] = template_free(partials[l][p][f]);
	return 0;
}

/* --- sample data ---------------------------------------------------------- */

/* The committee's own figures (DESIGN §2), in the shape report.h gives /baocao. */
static json_t *
sample_report(bool minimal)
{
	struct report r = { 0 };
	struct report_counts *c = &r.all;
	json_t *o;

	*c = (struct report_counts){
		.tasks = { .total = 82, .done = 35, .done_on_time = 30, .done_late = 5,
			   .in_progress = 46, .behind = 3, .not_started = 0, .postponed = 1,
			   .overdue = 4, .light = { 70, 8, 4 } },
		.indicators = { .total = 45, .achieved = 29, .not_achieved = 10, .unassessed = 6,
				.light = { 29, 6, 10 } },
	};
	o = report_counts_json(&r, c);
	json_object_set_new(o, "has_tasks", json_boolean(!minimal));
	json_object_set_new(o, "has_indicators", json_boolean(!minimal));
	json_object_set_new(o, "scope", json_string(minimal ? "toàn bộ" : "Sở Khoa học và Công nghệ"));
	return o;
}

static json_t *
sample_task(bool first, bool minimal)
{
	if (minimal)
		return json_pack("{s:i, s:s, s:s, s:s, s:s, s:n, s:s, s:i, s:s, s:i, s:b, s:b, s:i,"
				 " s:s, s:s}",
				 "id", 5, "code", "", "title", "Cụ thể hóa chính sách " TRICKY_RAW "mới",
				 "deadline", "Theo tiến độ Trung ương", "due", "", "due_year",
				 "status", "Chưa thực hiện", "progress", 0, "leads", "Sở Tư pháp",
				 "days_left", 0, "due_today", false, "late", false, "days_late", 0,
				 "note", "", "light", "XANH");
	if (first)
		return json_pack("{s:i, s:s, s:s, s:s, s:s, s:i, s:s, s:i, s:s, s:i, s:b, s:b, s:i,"
				 " s:s, s:s}",
				 "id", 27, "code", "15-KH/BCĐ#3",
				 "title", "Triển khai đề án " TRICKY_RAW "Chính quyền số\" của tỉnh",
				 "deadline", "Quý III/2025", "due", "30/09/2025", "due_year", 2025,
				 "status", "Đang thực hiện", "progress", 40,
				 "leads", "Sở Khoa học và Công nghệ; Sở Nội vụ",
				 "days_left", 0, "due_today", false, "late", true, "days_late", 38,
				 "note", "Đã trình UBND tỉnh dự thảo đề án", "light", "ĐỎ");
	return json_pack("{s:i, s:s, s:s, s:s, s:s, s:i, s:s, s:i, s:s, s:i, s:b, s:b, s:i,"
			 " s:s, s:s}",
			 "id", 31, "code", "15-KH/BCĐ#2",
			 "title", "Hoàn thành số hóa hồ sơ, kết quả giải quyết thủ tục hành chính "
				  "còn hiệu lực",
			 "deadline", "Tháng 12/2026", "due", "31/12/2026", "due_year", 2026,
			 "status", "Chưa thực hiện", "progress", 0,
			 "leads", "Văn phòng UBND tỉnh; Sở Nội vụ",
			 "days_left", 26, "due_today", false, "late", false, "days_late", 0,
			 "note", "", "light", "XANH");
}

/* An indicator as render_task_json gives it: no deadline, no progress; request: asked for an update. */
static json_t *
sample_indicator(bool request, bool minimal)
{
	json_t *o = json_pack("{s:i, s:s, s:s, s:s, s:s, s:n, s:s, s:s, s:i, s:b, s:b, s:i, s:s,"
			      " s:s, s:b, s:s}",
			      "id", 12, "code", "328-KH/TU#1",
			      "title", "Tỷ lệ phủ sóng " TRICKY_RAW "5G\" trên địa bàn",
			      "deadline", "", "due", "", "due_year", "status", "Chưa đạt",
			      "leads", "Sở Khoa học và Công nghệ", "days_left", 0,
			      "due_today", false, "late", false, "days_late", 0,
			      "note", minimal ? "" : "Mới phủ sóng 60% số xã", "light", "ĐỎ",
			      "indicator", true, "assessment", "Chưa đạt");

	if (request) {
		json_object_set_new(o, "assessment_request", json_true());
		json_object_set_new(o, "report_day", json_string("20/12/2026"));
	}
	return o;
}

/*
 * The data of a digest (digest.c), as digest_data gives it: two
 * documents, every list with the tricky title; minimal: an empty registry.
 */
static json_t *
sample_digest(bool minimal)
{
	static const char full[] =
		"{'as_of': '10/10/2025', 'empty': false, 'scope': '', 'url': 'https://dondoc.example',"
		" 'period': {'kind': 'since_last', 'from': '26/09/2025', 'to': '09/10/2025',"
		"  'vi': 'từ 26/09/2025 đến 09/10/2025', 'en': 'from 26/09/2025 to 09/10/2025'},"
		" 'headline': {'has_tasks': true, 'has_indicators': true, 'several': true, 'few': true,"
		"  'tasks': {'total': 102, 'done_count': 37, 'has_done': true, 'percent_done': 36,"
		"   'overdue_count': 9, 'has_overdue': true},"
		"  'indicators': {'total': 45, 'achieved_count': 29, 'has_achieved': true,"
		"   'percent_achieved': 64, 'not_achieved_count': 10, 'has_not_achieved': true,"
		"   'unassessed_count': 6, 'has_unassessed': true},"
		"  'documents': [{'number': '328-KH/TU', 'kind': 'Kế hoạch', 'has_kind': true,"
		"   'first': true, 'comma': false, 'and': false},"
		"   {'number': '01-CTr/BCĐ', 'kind': 'Chương trình', 'has_kind': true, 'first': false,"
		"   'comma': false, 'and': true}],"
		"  'parts': [{'by_document': true, 'first': true, 'number': '328-KH/TU', 'kind':"
		"   'Kế hoạch', 'has_kind': true, 'total': 20, 'done_count': 2, 'has_done': true,"
		"   'percent_done': 10, 'on_time_count': 2, 'has_on_time': true,"
		"   'not_started_count': 18, 'has_not_started': true},"
		"   {'by_document': true, 'first': false, 'number': '01-CTr/BCĐ', 'kind':"
		"   'Chương trình', 'has_kind': true, 'total': 82, 'done_count': 35, 'has_done': true,"
		"   'percent_done': 43, 'on_time_count': 30, 'has_on_time': true, 'late_count': 5,"
		"   'has_late': true, 'in_progress_count': 46, 'has_in_progress': true,"
		"   'behind_count': 8, 'has_behind': true, 'postponed_count': 1,"
		"   'has_postponed': true}]},"
		" 'in_period': {'done_count': 1, 'on_time_count': 0, 'late_count': 1},"
		" 'quiet': false, 'ahead_days': 14,"
		" 'done': {'count': 1, 'items': [{'id': 27, 'title': 'T', 'done_on': '03/10/2025',"
		"  'late': true}]},"
		" 'newly_late': {'count': 1, 'items': [{'id': 31, 'title': 'T', 'due': '30/09/2025',"
		"  'days_late': 8}], 'more': 2},"
		" 'deadlines': {'count': 1, 'items': [{'task': {'id': 27, 'title': 'T'},"
		"  'before': 'Quý III/2025', 'after': '31/12/2025', 'date': '01/10/2025', 'who': 'An'}]},"
		" 'asked': {'count': 1, 'items': [{'task': {'id': 27, 'title': 'T'}, 'asked':"
		"  '31/12/2025', 'who': 'Nguyễn Văn An', 'date': '01/10/2025', 'text': 'Chờ <Bộ>'}]},"
		" 'decided': {'count': 1, 'items': [{'task': {'id': 27, 'title': 'T'}, 'asked':"
		"  '31/12/2025', 'approved': true, 'who': 'Lê Văn Cường', 'date': '02/10/2025',"
		"  'text': ''}]},"
		" 'raised': {'count': 1, 'items': [{'task': {'id': 27, 'title': 'T'}, 'text':"
		"  'Thiếu kinh phí & người', 'who': 'An', 'date': '03/10/2025'}]},"
		" 'handled': {'count': 1, 'items': [{'task': {'id': 27, 'title': 'T'}, 'text':"
		"  'Đã bố trí', 'who': 'Dung', 'date': '04/10/2025'}]},"
		" 'overdue': {'count': 9, 'items': [{'agency': 'Sở Nội vụ', 'count': 9, 'items':"
		"  [{'id': 31, 'title': 'T', 'due': '30/09/2025', 'days_late': 8}]}], 'more': 8},"
		" 'due_soon': {'count': 1, 'items': [{'id': 40, 'title': 'T', 'due': '20/10/2025',"
		"  'days_left': 8, 'leads': 'Sở Tư pháp'}]},"
		" 'agencies': {'count': 3, 'more': 1, 'items': [{'name': 'Sở Nội vụ', 'light': 'ĐỎ',"
		"  'red': true, 'any': true,"
		"  'total': 20, 'done_count': 2, 'in_progress_count': 9, 'not_started_count': 9,"
		"  'postponed_count': 0, 'overdue_count': 9, 'indicators': {'any': false}},"
		"  {'name': 'Sở Tư pháp', 'light': 'XANH', 'green': true, 'any': true,"
		"  'total': 3, 'done_count': 3, 'in_progress_count': 0, 'not_started_count': 0,"
		"  'postponed_count': 0, 'overdue_count': 0, 'indicators': {'any': false}}]},"
		" 'dead': {'count': 1, 'items': [{'who': 'Trần Thị Bình', 'channel': 'email', 'date':"
		"  '05/10/2025', 'text': '550 <no such user>'}]},"
		" 'unreachable': {'count': 1, 'items': [{'name': 'Lê Văn Em', 'agency': 'Sở Y tế'}]},"
		" 'zalo_days': 7, 'zalo_closed': {'count': 2, 'items': [{'name': 'Phạm Văn <Giang>',"
		"  'agency': 'Sở Y tế', 'last_in': '01/10/2025'}, {'name': 'Hà Thị Hoa',"
		"  'agency': 'Sở Tư pháp', 'last_in': ''}]}}";
	static const char empty[] =
		"{'as_of': '10/10/2025', 'empty': true, 'scope': '', 'url': '', 'period':"
		" {'kind': 'month', 'from': '01/09/2025', 'to': '30/09/2025', 'vi': 'tháng 9/2025',"
		"  'en': 'September 2025'}, 'headline': {}, 'in_period': {}}";
	char *text = xstrdup(minimal ? empty : full), *p;
	json_t *o, *v;
	json_error_t e;
	const char *key;

	for (p = text; *p; p++)
		if (*p == '\'')
			*p = '"';
	o = json_loads(text, 0, &e);
	free(text);
	if (!o)
		fail_msg("sample_digest: %s at %d", e.text, e.position);
	/* Every title is the tricky one: the test checks how each form carries it. */
	json_object_foreach(o, key, v) {
		json_t *items = json_object_get(v, "items"), *it;
		size_t i;

		json_array_foreach(items, i, it) {
			json_t *t = json_object_get(it, "task") ? json_object_get(it, "task") : it;

			if (json_object_get(t, "title"))
				json_object_set_new(t, "title", json_string("Đề án " TRICKY_RAW "số"));
		}
	}
	return o;
}

/*
 * What an escalation says was sent (render.c add_sent_json): the first
 * task reminded twice and its head told, the second reminded to no one
 * with an agency missing both roles; and the rollup by agency.
 */
static void
add_sample_past(json_t *root, bool minimal)
{
	json_t *tasks = json_object_get(root, "tasks"), *agencies = json_array();
	json_t *first = json_array_get(tasks, 0), *second = json_array_get(tasks, 1);

	if (!minimal) {
		json_object_set_new(first, "reminded",
				    json_pack("[{s:s, s:s, s:s, s:s}]", "name", "Nguyễn Văn " TRICKY_RAW,
					      "role", "cán bộ đầu mối", "agency", "Sở Khoa học và Công nghệ",
					      "days", "07/10 và 10/10/2025"));
		json_object_set_new(first, "heads",
				    json_pack("[{s:s, s:s, s:s}]", "name", "Trần Thị Bình",
					      "agency", "Sở Khoa học và Công nghệ", "days", "14/10/2025"));
		json_object_set_new(second, "not_reminded", json_true());
		json_object_set_new(second, "no_focal", json_string("Văn phòng UBND tỉnh"));
		json_object_set_new(second, "no_head", json_string("Văn phòng UBND tỉnh, Sở Nội vụ"));
		json_array_append_new(agencies, json_pack("{s:s, s:i, s:[O]}", "name",
							  "Sở Khoa học và Công nghệ; Sở Nội vụ",
							  "count", 1, "tasks", first));
		json_array_append_new(agencies, json_pack("{s:s, s:i, s:[O]}", "name",
							  "Văn phòng UBND tỉnh; Sở Nội vụ",
							  "count", 1, "tasks", second));
	}
	json_object_set_new(root, "agencies", agencies);
}

/* True when the space-separated list keys holds key. */
static bool
has_key(const char *keys, const char *key)
{
	size_t n = strlen(key);
	const char *p = keys;

	while ((p = strstr(p, key)) != NULL) {
		if ((p == keys || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
			return true;
		p += n;
	}
	return false;
}

/* A request as extension_json() makes it: a quarter asked (a day when minimal), approved. */
static json_t *
sample_request(int id, bool minimal)
{
	return json_pack("{s:i, s:s, s:s, s:s, s:s, s:s, s:b, s:b, s:b, s:b, s:b, s:s, s:s, s:s,"
			 " s:{s:s, s:s}}",
			 "id", id, "state", minimal ? "pending" : "approved", "date", "31/03/2026",
			 "asked", minimal ? "31/03/2026" : "Quý I/2026",
			 "when", minimal ? "ngày 31/03/2026" : "Quý I/2026",
			 "reason", "Chờ hướng dẫn của Bộ <Khoa học & Công nghệ>",
			 "pending", minimal, "approved", !minimal, "rejected", false,
			 "superseded", false, "moot", false,
			 "decision", minimal ? "" : "Đồng ý <theo> đề nghị",
			 "decider", minimal ? "" : "Lê Văn Cường",
			 "decided_on", minimal ? "" : "20/11/2026",
			 "requester", "name", "Nguyễn Văn An", "agency", "Sở Khoa học và Công nghệ");
}

/* An obstacle as obstacle_json() gives it. */
static json_t *
sample_obstacle(bool minimal)
{
	return json_pack("{s:i, s:i, s:s, s:s, s:s, s:b, s:s, s:s, s:s}", "id", 3, "task_id", 27,
			 "reporter", "Nguyễn Văn An", "text", "Chưa được bố trí kinh phí <năm 2026>",
			 "date", "07/10/2025", "handled", !minimal,
			 "handler", minimal ? "" : "Hoàng Thị Em",
			 "note", minimal ? "" : "Đã đề nghị Sở Tài chính bố trí <kinh phí>",
			 "handled_date", minimal ? "" : "09/10/2025");
}

/* The data of the secretariat's daily message (dispatch.c compose_daily); minimal: empty. */
static json_t *
sample_daily(bool minimal)
{
	json_t *ob = sample_obstacle(true), *missing;

	json_object_set_new(ob, "task", sample_task(true, false));
	json_object_set_new(ob, "chat_command", json_string("/xuly 3 ghi chú cách xử lý"));
	json_object_set_new(ob, "command", json_string("dondoc obstacle handle 3 --note \"...\""));
	missing = json_pack("[{s:i, s:s, s:s, s:i, s:s}]", "id", 4, "code", "snnmt",
			    "name", "Sở Nông nghiệp và Môi trường", "tasks", 6, "command",
			    "dondoc person add --agency snnmt --role focal --name \"Họ và tên\" "
			    "--email dia.chi@example.gov.vn");
	if (minimal) {
		json_decref(ob);
		json_decref(missing);
		return json_pack("{s:[], s:[], s:[], s:i, s:i, s:i, s:i, s:b, s:b, s:b}",
				 "missing_focal", "missing_head", "obstacles", "count", 0,
				 "n_missing_focal", 0, "n_missing_head", 0, "n_obstacles", 0,
				 "has_missing_focal", false, "has_missing_head", false,
				 "has_obstacles", false);
	}
	return json_pack("{s:o, s:O, s:[o], s:i, s:i, s:i, s:i, s:b, s:b, s:b}",
			 "missing_focal", missing, "missing_head", missing, "obstacles", ob,
			 "count", 3, "n_missing_focal", 1, "n_missing_head", 1, "n_obstacles", 1,
			 "has_missing_focal", true, "has_missing_head", true, "has_obstacles", true);
}

/*
 * The data of the answers to commands as officials type them (command.c):
 * a list in pages, a figure lowered, a past day, a refusal for the role,
 * and several numbers each with its outcome.
 */
static void
add_sample_commands(json_t *root, const struct name *nm, bool minimal)
{
	if (has_key(nm->keys, "paged") && !minimal)
		json_object_set_new(root, "paged",
				    json_pack("{s:i, s:i, s:i, s:i, s:i, s:s}", "page", 1, "pages", 2,
					      "from", 1, "to", 20, "rest", 10, "next", "/viec 2"));
	if (has_key(nm->keys, "progress_was") && !minimal)
		json_object_set_new(root, "was", json_pack("{s:i}", "progress", 80));
	if (has_key(nm->keys, "day_past"))
		json_object_update_new(root, json_pack("{s:s, s:s, s:b, s:s*}", "day", "30/09/2025",
						       "after", "07/10/2025", "is_today", minimal,
						       "named", minimal ? NULL : "Quý III/2025 <x>"));
	if (has_key(nm->keys, "role") && !minimal)
		json_object_update_new(root, json_pack("{s:{s:b}, s:s}", "role", "focal", 1,
						       "agency", "Sở Y tế <Bệnh viện & Trạm>"));
	if (has_key(nm->keys, "results")) {
		json_t *items = json_array();

		json_array_append_new(items, json_pack("{s:i, s:b, s:b, s:o}", "number", 27, "ok", 1,
						       "done_ok", 1, "task", sample_task(true, minimal)));
		if (!minimal) {
			json_array_append_new(items, json_pack("{s:i, s:b, s:b, s:o}", "number", 28,
							       "ok", 0, "error_not_allowed", 1, "task",
							       sample_task(false, false)));
			json_array_append_new(items, json_pack("{s:i, s:b, s:b}", "number", 99, "ok", 0,
							       "error_no_task", 1));
		}
		json_object_update_new(root, json_pack("{s:s, s:o, s:i, s:b}", "command", "/xong",
						       "items", items, "count",
						       (int)json_array_size(items), "done", 1));
	}
}

static json_t *
sample(const struct name *nm, bool minimal)
{
	json_t *root, *tasks;

	root = json_pack("{s:s, s:{s:s, s:s}, s:s}",
			 "today", "22/11/2026",
			 "app", "name", "Hệ thống đôn đốc", "url",
			 minimal ? "" : "https://dondoc.example.gov.vn",
			 "bot", minimal ? "" : "dondoc_bot");
	if (!(nm->flags & NO_PERSON))
		json_object_set_new(root, "person",
				    json_pack("{s:s, s:s, s:s}", "name", "Nguyễn Văn An",
					      "agency", minimal ? "" : "Sở Khoa học và Công nghệ",
					      "role", "focal"));
	if (has_key(nm->keys, "tasks")) {
		tasks = json_array();
		if (!minimal) {
			json_array_append_new(tasks, sample_task(true, false));
			json_array_append_new(tasks, sample_task(false, false));
		}
		json_object_set_new(root, "tasks", tasks);
		json_object_set_new(root, "count", json_integer(minimal ? 0 : 2));
	}
	if (has_key(nm->keys, "indicator_items") && !(minimal && has_key(nm->keys, "late_count"))) {
		/* Update requests: alone (assessment_request) or among the tasks (reminder). */
		tasks = json_object_get(root, "tasks");
		if (!tasks) {
			tasks = json_array();
			json_object_set_new(root, "tasks", tasks);
		}
		json_array_append_new(tasks, sample_indicator(true, minimal));
		json_object_set_new(root, "count", json_integer((json_int_t)json_array_size(tasks)));
		json_object_set_new(root, "indicator_count", json_integer(1));
		json_object_set_new(root, "first_indicator_id", json_integer(12));
	}
	if (has_key(nm->keys, "indicators") && !minimal) {
		json_object_set_new(root, "indicators",
				    json_pack("[o, o]", sample_indicator(false, false),
					      sample_indicator(false, true)));
		json_object_set_new(root, "indicator_count", json_integer(2));
		json_object_set_new(root, "first_indicator_id", json_integer(12));
	}
	if (has_key(nm->keys, "indicator_task"))
		json_object_set_new(root, "task", sample_indicator(false, minimal));
	if (has_key(nm->keys, "was") && !minimal)
		json_object_set_new(root, "was", json_string("Chưa đánh giá được"));
	if (has_key(nm->keys, "bad_assessment")) {
		json_object_set_new(root, "text", json_string(minimal ? "x" : "tốt <lắm>"));
		json_object_set_new(root, "example",
				    json_string("/danhgia 12 chưa đạt mới phủ sóng 60% số xã"));
	}
	if (has_key(nm->keys, "past"))
		add_sample_past(root, minimal);
	if (has_key(nm->keys, "late_count"))
		json_object_set_new(root, "late_count", json_integer(minimal ? 0 : 1));
	if (has_key(nm->keys, "first_id") && !minimal)
		json_object_set_new(root, "first_id", json_integer(27));
	/* A proactive message to someone Zalo does not reach now: how to reopen it. */
	if (has_key(nm->keys, "tasks") && !minimal)
		json_object_set_new(root, "reopen", json_pack("{s:s, s:i}", "channel", "Zalo",
							      "days", 7));
	if (has_key(nm->keys, "level1"))
		json_object_set_new(root, "level", json_integer(1));
	if (has_key(nm->keys, "level2"))
		json_object_set_new(root, "level", json_integer(2));
	if (has_key(nm->keys, "agency"))
		json_object_set_new(root, "agency", json_string("Sở Khoa học và Công nghệ"));
	if (has_key(nm->keys, "recipient"))
		json_object_set_new(root, "recipient",
				    json_pack("{s:s, s:s, s:s}", "name", "Trần Thị Bình",
					      "channel", "telegram",
					      "error", minimal ? "" : "403 Forbidden: bot was blocked "
								      "by the user <x>"));
	/* The digest's chat form as digest_render makes it: escaped already. */
	if (has_key(nm->keys, "digest_answer"))
		json_object_update_new(root, json_pack(
			"{s:s, s:s, s:b, s:s?}", "summary_chat",
			"<b>Tổng hợp tình hình thực hiện nhiệm vụ</b>\nHoàn thành 35/82 nhiệm vụ",
			"summary_text", "Tổng hợp tình hình thực hiện nhiệm vụ\nHoàn thành 35/82 nhiệm vụ",
			"emailed", !minimal, "email", minimal ? NULL : "an@example.gov.vn"));
	/* A link made by /lich: the oldest of three replaced, or not. */
	if (has_key(nm->keys, "calendar"))
		json_object_update_new(root, json_pack(
			"{s:s, s:s?, s:i, s:b, s:i, s:b}", "url",
			"https://dondoc.example.gov.vn/ical/BWrgUt8yzWbaSYZlYHf2WSlx27ZRdDtU.ics",
			"webcal", minimal ? NULL :
			"webcal://dondoc.example.gov.vn/ical/BWrgUt8yzWbaSYZlYHf2WSlx27ZRdDtU.ics",
			"revoked", minimal ? 0 : 1, "replaced", !minimal, "max", 3, "all", !minimal));
	if (has_key(nm->keys, "digest"))
		json_object_update_new(root, sample_digest(minimal));
	if (has_key(nm->keys, "report"))
		json_object_set_new(root, "report", sample_report(minimal));
	if (has_key(nm->keys, "task"))
		json_object_set_new(root, "task", sample_task(true, minimal));
	if (has_key(nm->keys, "request")) {
		json_object_set_new(root, "request", sample_request(5, minimal));
		/* A request that replaced another (extension_asked, extension_request). */
		if (!minimal)
			json_object_set_new(root, "replaced", sample_request(4, true));
	}
	if (has_key(nm->keys, "by"))
		json_object_set_new(root, "by", sample_request(6, minimal));
	if (has_key(nm->keys, "requests")) {
		json_t *list = json_array();

		if (!minimal) {
			json_array_append_new(list, json_pack("{s:o, s:o}", "task",
							      sample_task(true, false), "request",
							      sample_request(5, false)));
			json_array_append_new(list, json_pack("{s:o, s:o}", "task",
							      sample_task(false, false), "request",
							      sample_request(6, true)));
		}
		json_object_set_new(root, "count", json_integer((json_int_t)json_array_size(list)));
		json_object_set_new(root, "requests", list);
	}
	if (has_key(nm->keys, "past")) {
		json_object_set_new(root, "text", json_string(minimal ? "01/01/2025" : "Quý I/2025"));
		json_object_set_new(root, "due", json_string(minimal ? "01/01/2025" : "31/3/2025"));
		json_object_set_new(root, "example",
				    json_string("/giahan 27 31/12/2025 chờ hướng dẫn của Bộ"));
	}
	if (has_key(nm->keys, "period"))
		json_object_set_new(root, "period",
				    json_pack("{s:s, s:s, s:b, s:i, s:s, s:s, s:s}", "name",
					      "tháng 10/2025", "reported", "24/10/2025", "late", !minimal, "late_days", minimal ? 0 : 3,
					      "next", "tháng 11/2025", "next_due", "20/11/2025",
					      "note", minimal ? "" : "Đã gửi báo cáo <tháng 10>"));
	if (has_key(nm->keys, "request"))
		json_object_set_new(root, "request",
				    json_pack("{s:i, s:s, s:s, s:b, s:s, s:{s:s, s:s}}",
					      "id", 5, "date", "31/12/2025",
					      "reason", "Chờ hướng dẫn của Bộ <Khoa học & Công nghệ>",
					      "approved", !minimal,
					      "decider", minimal ? "" : "Lê Văn Cường",
					      "requester", "name", "Nguyễn Văn An",
					      "agency", "Sở Khoa học và Công nghệ"));
	if (has_key(nm->keys, "text"))
		json_object_set_new(root, "text", json_string("Chưa được bố trí kinh phí <năm 2026>"));
	if (has_key(nm->keys, "command"))
		json_object_set_new(root, "command", json_string(minimal ? "/abc" : "/tiendo"));
	if (has_key(nm->keys, "suggestion") && !minimal) {
		/* /tiendo as a phone's Vietnamese keyboard may write it. */
		json_object_set_new(root, "command", json_string("/tiếnđộ"));
		json_object_set_new(root, "suggestion", json_string("/tiendo"));
	}
	if (has_key(nm->keys, "example"))
		json_object_set_new(root, "example",
				    json_string("/tiendo 27 60% đã xong phần khảo sát"));
	if (has_key(nm->keys, "bad_date")) {
		json_object_set_new(root, "text", json_string("31/13/2025"));
		json_object_set_new(root, "example",
				    json_string("/giahan 27 31/12/2025 chờ hướng dẫn của Bộ"));
	}
	if (has_key(nm->keys, "all"))
		json_object_set_new(root, "all", json_boolean(!minimal));
	if (has_key(nm->keys, "bad_percent"))
		json_object_set_new(root, "text", json_string("160%"));
	if (has_key(nm->keys, "id"))
		json_object_set_new(root, "id", json_integer(99));
	if (has_key(nm->keys, "secretariat"))
		json_object_set_new(root, "secretariat", json_boolean(!minimal));
	if (has_key(nm->keys, "obstacle"))
		json_object_set_new(root, "obstacle", sample_obstacle(minimal));
	if (has_key(nm->keys, "daily"))
		json_object_update_new(root, sample_daily(minimal));
	add_sample_commands(root, nm, minimal);
	/* As render_message and render_answer give them: "count_02": "02". */
	render_formal_counts(root);
	return root;
}

/* --- checks --------------------------------------------------------------- */

/*
 * Telegram's HTML mode: only the tags we allow, balanced and not
 * overlapping, and every '&' an entity Telegram knows.
 */
static void
check_telegram_markup(const char *what, const char *s)
{
	static const char *const tags[] = { "b", "i", "code" };
	const char *stack[16];
	size_t depth = 0, k, n;
	const char *p;

	for (p = s; *p; p++) {
		if (*p == '&') {
			if (strncmp(p, "&lt;", 4) && strncmp(p, "&gt;", 4) && strncmp(p, "&amp;", 5) &&
			    strncmp(p, "&quot;", 6))
				fail_msg("%s: bare '&' at offset %td", what, p - s);
			continue;
		}
		if (*p == '>')
			fail_msg("%s: bare '>' at offset %td", what, p - s);
		if (*p != '<')
			continue;
		bool closing = p[1] == '/';
		const char *tag = p + 1 + closing;

		for (k = 0; k < ELEMENTSOF(tags); k++) {
			n = strlen(tags[k]);
			if (strncmp(tag, tags[k], n) == 0 && tag[n] == '>')
				break;
		}
		if (k == ELEMENTSOF(tags))
			fail_msg("%s: tag Telegram does not know at offset %td: %.12s", what, p - s, p);
		if (closing) {
			if (depth == 0 || stack[depth - 1] != tags[k])
				fail_msg("%s: </%s> does not close the open tag", what, tags[k]);
			depth--;
		} else {
			if (depth == ELEMENTSOF(stack))
				fail_msg("%s: tags nested too deep", what);
			stack[depth++] = tags[k];
		}
		p = tag + strlen(tags[k]);
	}
	if (depth)
		fail_msg("%s: <%s> is never closed", what, stack[depth - 1]);
}

static bool
blank(const char *s)
{
	for (; *s; s++)
		if (!strchr(" \t\r\n", *s))
			return false;
	return true;
}

static void
dump(const char *lang, const char *name, const char *form, bool minimal, const char *out)
{
	const char *dir = getenv("DONDOC_TEMPLATES_DUMP");
	char *path;
	FILE *f;

	if (!dir || !*dir)
		return;
	path = xasprintf("%s/%s", dir, lang);
	(void)mkdir(dir, 0777);
	(void)mkdir(path, 0777);
	free(path);
	path = xasprintf("%s/%s/%s.%s%s", dir, lang, name, minimal ? "min." : "", form);
	f = fopen(path, "w");
	if (f) {
		fputs(out, f);
		fclose(f);
	}
	free(path);
}

struct tcase {
	size_t lang;
	const struct name *name;
	enum form form;
	char *title;	/* the cmocka test name */
};

static void
render_and_check(const struct tcase *c, const struct template *t, bool minimal)
{
	const char *lang = langs[c->lang], *form = form_names[c->form];
	struct lookup l = { .lang = c->lang, .form = c->form };
	json_t *data = sample(c->name, minimal);
	char *out = NULL, what[160];
	size_t off = 0, len;
	int r;

	snprintf(what, sizeof(what), "%s/%s.%s%s", lang, c->name->name, form,
		 minimal ? " (minimal data)" : "");
	r = template_render(t, data, form_escape[c->form], find_partial, &l, MAX_OUT, &out);
	json_decref(data);
	if (r < 0)
		fail_msg("%s: render failed: %s", what, strerror(-r));
	dump(lang, c->name->name, form, minimal, out);
	if (l.missing[0])
		fail_msg("%s: partial '%s' has no file partials/%s.%s.mustache", what, l.missing,
			 l.missing, form);
	len = strlen(out);
	if (blank(out))
		fail_msg("%s: renders as nothing", what);
	if (!norm_is_utf8(out, len, &off))
		fail_msg("%s: not UTF-8 at offset %zu", what, off);
	if (strstr(out, "{{") || strstr(out, "}}"))
		fail_msg("%s: a tag is left in the output (a misspelt delimiter?)", what);
	switch (c->form) {
	case FORM_SUBJECT:
		if (strchr(out, '\n') || strchr(out, '\r'))
			fail_msg("%s: a subject must be one line: \"%s\"", what, out);
		if (len > 250)
			fail_msg("%s: subject of %zu bytes", what, len);
		break;
	case FORM_CHAT:
		if (len > TELEGRAM_MAX)
			fail_msg("%s: %zu bytes, more than Telegram's %d", what, len, TELEGRAM_MAX);
		check_telegram_markup(what, out);
		if ((c->name->flags & SHOWS_TITLE) && !minimal && !strstr(out, TRICKY_TELEGRAM))
			fail_msg("%s: the title is not escaped for Telegram", what);
		break;
	case FORM_HTML:
		if (strncmp(out, "<!DOCTYPE html>", 15) != 0)
			fail_msg("%s: not an HTML document", what);
		{
			char *want = xasprintf("<html lang=\"%s\">", lang);

			if (!strstr(out, want))
				fail_msg("%s: no %s", what, want);
			free(want);
		}
		if (!strstr(out, "</html>"))
			fail_msg("%s: no </html>", what);
		if (strstr(out, TRICKY_RAW))
			fail_msg("%s: data is not HTML-escaped", what);
		if ((c->name->flags & SHOWS_TITLE) && !minimal && !strstr(out, TRICKY_HTML))
			fail_msg("%s: the title is missing or wrongly escaped", what);
		break;
	case FORM_TEXT:
		if ((c->name->flags & SHOWS_TITLE) && !minimal && !strstr(out, TRICKY_RAW))
			fail_msg("%s: the title is missing or escaped", what);
		if (strstr(out, "&lt;") || strstr(out, "&amp;") || strstr(out, "&quot;") ||
		    strstr(out, "</") || strstr(out, "<br"))
			fail_msg("%s: markup or entities in plain text", what);
		break;
	default:
		break;
	}
	if ((c->name->flags & GREETS) && (c->form == FORM_TEXT || c->form == FORM_HTML) &&
	    !strstr(out, greetings[c->lang]))
		fail_msg("%s: does not greet the person with \"%s\"", what, greetings[c->lang]);
	free(out);
}

static void
test_template(void **state)
{
	const struct tcase *c = *state;
	char *path = xasprintf("templates/%s/%s.%s.mustache", langs[c->lang], c->name->name,
			       form_names[c->form]);
	struct template *t = compile_file(path);

	render_and_check(c, t, false);
	render_and_check(c, t, true);
	template_free(t);
	free(path);
}

/* --- the files themselves ------------------------------------------------- */

/* Problems found in the files: all are reported, then the test fails. */
static size_t problems;

#define problem(...) do { print_error(__VA_ARGS__); print_error("\n"); problems++; } while (0)

/* Columns of the line at s (up to '\n' or the end), in code points. */
static size_t
line_width(const char *s, const char **ret_end)
{
	size_t w = 0;

	for (; *s && *s != '\n'; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			w++;
	*ret_end = s;
	return w;
}

static void
check_file(const char *path, const char *form)
{
	size_t len, off = 0, lineno = 1;
	char *s = read_file(path, &len);
	utf8proc_uint8_t *nfc;
	const char *p, *end;

	if (!s) {
		problem("%s: cannot read", path);
		return;
	}
	if (!norm_is_utf8(s, len, &off)) {
		problem("%s: not UTF-8 at offset %zu", path, off);
		free(s);
		return;
	}
	nfc = utf8proc_NFC((const utf8proc_uint8_t *)s);
	if (!nfc || strcmp((const char *)nfc, s) != 0)
		problem("%s: not in Unicode NFC (pasted decomposed text?)", path);
	free(nfc);
	if (strcmp(form, "subject") == 0) {
		if (strchr(s, '\n'))
			problem("%s: a subject file must be one line with no final newline", path);
	} else if (len == 0 || s[len - 1] != '\n') {
		problem("%s: must end with a newline", path);
	}
	if (strchr(s, '\r'))
		problem("%s: has CR line ends", path);
	/* Plain text we write ourselves fits 76 columns. */
	if (strcmp(form, "text") == 0)
		for (p = s; *p; p = *end ? end + 1 : end, lineno++) {
			size_t w = line_width(p, &end);

			if (w > TEXT_WIDTH && !memmem(p, (size_t)(end - p), "{{", 2))
				problem("%s:%zu: %zu columns, more than %d", path, lineno, w,
					 TEXT_WIDTH);
		}
	free(s);
}

/* "NAME.FORM.mustache" splits into its NAME and FORM; false otherwise. */
static bool
split_name(const char *file, char *name, size_t name_size, const char **ret_form)
{
	const char *dot, *ext = strstr(file, ".mustache");
	int f;

	if (!ext || ext[9] != '\0')
		return false;
	for (f = 0; f < _FORM_MAX; f++) {
		size_t n = strlen(form_names[f]);

		dot = ext - n - 1;
		if (dot > file && *dot == '.' && strncmp(dot + 1, form_names[f], n) == 0) {
			if ((size_t)(dot - file) >= name_size)
				return false;
			memcpy(name, file, (size_t)(dot - file));
			name[dot - file] = '\0';
			*ret_form = form_names[f];
			return true;
		}
	}
	return false;
}

static void
check_dir(const char *dir, bool is_partials, size_t *count)
{
	struct dirent *e;
	char name[128];
	const char *form;
	DIR *d = opendir(dir);
	size_t k;

	if (!d) {
		problem("%s: %s", dir, strerror(errno));
		return;
	}
	while ((e = readdir(d)) != NULL) {
		char *path;
		bool known = false;

		if (e->d_name[0] == '.' || (!is_partials && strcmp(e->d_name, "partials") == 0))
			continue;
		path = xasprintf("%s/%s", dir, e->d_name);
		if (!split_name(e->d_name, name, sizeof(name), &form)) {
			problem("%s: not NAME.FORM.mustache with FORM one of subject, text, html, "
				"chat", path);
			free(path);
			continue;
		}
		if (is_partials) {
			for (k = 0; k < ELEMENTSOF(partial_names); k++)
				known |= strcmp(partial_names[k], name) == 0;
		} else {
			for (k = 0; k < ELEMENTSOF(names); k++)
				known |= strcmp(names[k].name, name) == 0;
		}
		if (!known)
			problem("%s: '%s' is not a %s the program uses", path, name,
				 is_partials ? "partial" : "message name");
		if (is_partials && strcmp(form, "subject") == 0)
			problem("%s: subjects take no partials", path);
		check_file(path, form);
		(*count)++;
		free(path);
	}
	closedir(d);
}

/* Every file is one the program loads, valid UTF-8 in NFC, well formed. */
static void
test_files(void **state)
{
	size_t l, count = 0;

	(void)state;
	for (l = 0; l < ELEMENTSOF(langs); l++) {
		char *dir = xasprintf("templates/%s", langs[l]);
		char *pdir = xasprintf("templates/%s/partials", langs[l]);

		check_dir(dir, false, &count);
		check_dir(pdir, true, &count);
		free(dir);
		free(pdir);
	}
	assert_int_equal(problems, 0);
	assert_true(count >= ELEMENTSOF(langs) * ELEMENTSOF(names) * _FORM_MAX);
}

/*
 * Every message the program renders (render_names(), the list the loader
 * requires) is tested here: a name added there without its files and
 * sample data fails now, not at an official's command.
 */
static void
test_program_names_covered(void **state)
{
	const char *const *used;
	size_t n, i, k;

	(void)state;
	used = render_names(&n);
	for (i = 0; i < n; i++) {
		for (k = 0; k < ELEMENTSOF(names); k++)
			if (strcmp(names[k].name, used[i]) == 0)
				break;
		if (k == ELEMENTSOF(names))
			fail_msg("the program renders '%s', which this test does not know", used[i]);
	}
}

/* Each partial exists in the same forms in both languages. */
static void
test_partials_match(void **state)
{
	size_t p;
	int f;

	(void)state;
	for (p = 0; p < ELEMENTSOF(partial_names); p++)
		for (f = 0; f < _FORM_MAX; f++)
			if (!partials[0][p][f] != !partials[1][p][f])
				fail_msg("partials/%s.%s.mustache exists in %s only", partial_names[p],
					 form_names[f], partials[0][p][f] ? langs[0] : langs[1]);
}

int
main(void)
{
	static const struct CMUnitTest files[] = {
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_partials_match),
		cmocka_unit_test(test_program_names_covered),
	};
	size_t n = ELEMENTSOF(langs) * ELEMENTSOF(names) * _FORM_MAX, k = 0, l, m;
	struct CMUnitTest *table = xcalloc(n, sizeof(*table));
	struct tcase *cases = xcalloc(n, sizeof(*cases));
	int f, failed;

	for (l = 0; l < ELEMENTSOF(langs); l++)
		for (m = 0; m < ELEMENTSOF(names); m++)
			for (f = 0; f < _FORM_MAX; f++, k++) {
				cases[k] = (struct tcase){ .lang = l, .name = &names[m], .form = f };
				cases[k].title = xasprintf("%s/%s.%s", langs[l], names[m].name,
							   form_names[f]);
				table[k] = (struct CMUnitTest){
					.name = cases[k].title,
					.test_func = test_template,
					.initial_state = &cases[k],
				};
			}
	failed = cmocka_run_group_tests_name("template files", files, setup, teardown);
	failed += _cmocka_run_group_tests("templates", table, n, setup, teardown);
	for (k = 0; k < n; k++)
		free(cases[k].title);
	free(cases);
	free(table);
	return failed;
}

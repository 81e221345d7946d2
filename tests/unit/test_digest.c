/* SPDX-License-Identifier: MIT */
/*
 * Tests of digest.c: a registry counted by hand (done on time and late,
 * in progress and behind, not started, postponed, indicators of every
 * assessment, two documents, what happened in the period) gives the
 * committee's sentence word for word, with two-digit counts, percentages
 * rounded half up and parts that add up; the text and the HTML carry the
 * same figures; a registry too big for the cap is cut alike in both, the
 * HTML under the cap; titles with markup, emoji, newlines and 5,000
 * characters stay valid; an empty registry says so; English; the
 * period's names.
 */
#include "testlib.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>
#include <jansson.h>

#include "clock.h"
#include "digest.h"
#include "macro.h"
#include "norm.h"
#include "obstacle.h"
#include "registry.h"
#include "render.h"
#include "span.h"
#include "store.h"
#include "task.h"
#include "xalloc.h"

#define SUBDIR "/tmp/dondoc-digest.XXXXXX"

/* The running test's name (dump). */
static const char *testlib_current = "test";

static const struct date TODAY = { 2025, 10, 10 };
static const struct date FROM = { 2025, 9, 26 }, TO = { 2025, 10, 9 };

struct fx {
	char dir[64];
	char db[128];
	struct store *s;
	struct renderer *rend;
	int64_t a, b;		/* Sở Nội vụ, Sở Tư pháp */
	int64_t doc_ctr, doc_kh;
	int64_t person;
	int next;		/* the next task's code */
};

/* Noon of day d in Asia/Ho_Chi_Minh. */
static int64_t
noon(struct date d)
{
	return date_to_days(d) * 86400 + 12 * 3600 - CLOCK_VN_OFFSET;
}

static const int64_t CREATED = 1756684800;	/* 2025-09-01 00:00 UTC */

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char *msg = NULL;

	if (!f)
		return -1;
	snprintf(f->dir, sizeof(f->dir), SUBDIR);
	if (!mkdtemp(f->dir))
		return -1;
	testlib_store_where(f->db, sizeof(f->db), f->dir, "r.db");
	if (store_open(f->db, STORE_CREATE, &f->s, &msg) < 0 ||
	    renderer_load("templates", &f->rend, &msg) < 0) {
		fprintf(stderr, "setup: %s\n", msg);
		free(msg);
		return -1;
	}
	if (store_agency_insert(f->s, "snv", "Sở Nội vụ", AGENCY_DEPARTMENT, 1, &f->a) < 0 ||
	    store_agency_insert(f->s, "stp", "Sở Tư pháp", AGENCY_DEPARTMENT, 1, &f->b) < 0 ||
	    store_document_ensure(f->s, "01-CTr/BCĐ", "Chương trình", NULL, "", &f->doc_ctr) < 0 ||
	    store_document_ensure(f->s, "328-KH/TU", "Kế hoạch", NULL, "", &f->doc_kh) < 0)
		return -1;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;
	int r;

	renderer_free(f->rend);
	store_close(f->s);
	r = testlib_rmtree(f->dir);
	free(f);
	return r == 0 ? 0 : -1;
}

/* A task of doc, led by lead (and lead2 when not 0), due on due (y 0: none). */
static int64_t
add(struct fx *f, enum task_kind kind, const char *title, int64_t doc, int64_t lead,
    int64_t lead2, enum task_status status, struct date due)
{
	struct task t = { .kind = kind, .title = (char *)title, .status = status };
	int64_t ids[2] = { lead, lead2 }, id = 0;
	char code[32], key[32];

	snprintf(code, sizeof(code), "T#%d", ++f->next);
	snprintf(key, sizeof(key), "t%d", f->next);
	t.code = code;
	t.deadline_raw = "";
	if (due.y) {
		t.deadline = (struct deadline){ .precision = DEADLINE_DAY, .has_due = true,
						.due = due, .year_given = true };
	} else {
		t.deadline.precision = DEADLINE_UNKNOWN;
	}
	assert_int_equal(store_task_insert(f->s, &t, doc, key, CREATED, &id), 0);
	assert_int_equal(store_task_set_agencies(f->s, id, true, false, ids, lead2 ? 2 : 1), 0);
	return id;
}

/* Marks task id done on day, the due day then in force done_due. */
static void
done(struct fx *f, int64_t id, struct date day, struct date done_due)
{
	struct task t = { 0 };

	assert_int_equal(store_task_get(f->s, id, &t), 0);
	t.status = TASK_DONE;
	t.progress = 100;
	t.done_at = noon(day);
	t.has_done_due = true;
	t.done_due = done_due;
	assert_int_equal(store_task_update(f->s, &t, noon(day)), 0);
	task_release(&t);
}

#define D(y, m, d) ((struct date){ y, m, d })
#define NONE ((struct date){ 0 })

/*
 * The registry counted by hand.  01-CTr/BCĐ: 8 tasks, 3 done (2 on
 * time, 1 late), 3 in progress (1 behind), 1 not started, 1 postponed.
 * 328-KH/TU: 2 tasks (1 in progress, 1 not started) and 4 indicators (1
 * achieved, 1 not achieved, 2 unassessed).  Overdue: tasks 5 and 7.
 */
static void
fill(struct fx *f)
{
	int64_t t1, t3, t4, t5;
	struct extension e = { 0 };
	struct obstacle o = { 0 };
	struct address an = { .channel = "email", .value = "an@example.vn" };
	struct address binh = { .channel = "email", .value = "binh@example.vn" };
	struct person p = { .name = "Nguyễn Văn An", .role = ROLE_FOCAL, .active = true,
			    .addresses = &an, .n_addresses = 1 };
	struct message m = { 0 };
	struct event ev = { 0 };
	int64_t ext, ob, msg;

	t1 = add(f, TASK_KIND_TASK, "Việc 1 xong đúng hạn", f->doc_ctr, f->a, 0, TASK_IN_PROGRESS,
		 D(2025, 10, 15));
	done(f, t1, D(2025, 10, 1), D(2025, 10, 15));
	done(f, add(f, TASK_KIND_TASK, "Việc 2 xong trước kỳ", f->doc_ctr, f->a, 0,
		    TASK_IN_PROGRESS, D(2025, 9, 30)), D(2025, 9, 10), D(2025, 9, 30));
	t3 = add(f, TASK_KIND_TASK, "Việc 3 xong trễ", f->doc_ctr, f->a, 0, TASK_IN_PROGRESS,
		 D(2025, 9, 30));
	done(f, t3, D(2025, 10, 3), D(2025, 9, 30));
	t4 = add(f, TASK_KIND_TASK, "Việc 4 đang làm", f->doc_ctr, f->a, 0, TASK_IN_PROGRESS,
		 D(2025, 12, 31));
	t5 = add(f, TASK_KIND_TASK, "Việc 5 chậm tiến độ", f->doc_ctr, f->a, 0, TASK_IN_PROGRESS,
		 D(2025, 10, 1));
	add(f, TASK_KIND_TASK, "Việc 6 sắp đến hạn", f->doc_ctr, f->a, 0, TASK_IN_PROGRESS,
	    D(2025, 10, 20));
	add(f, TASK_KIND_TASK, "Việc 7 chưa làm, quá hạn", f->doc_ctr, f->b, f->a,
	    TASK_NOT_STARTED, D(2025, 9, 15));
	add(f, TASK_KIND_TASK, "Việc 8 tạm hoãn", f->doc_ctr, f->a, 0, TASK_POSTPONED,
	    D(2025, 9, 1));
	add(f, TASK_KIND_TASK, "Việc 9 chưa có hạn", f->doc_kh, f->b, 0, TASK_IN_PROGRESS, NONE);
	add(f, TASK_KIND_TASK, "Việc 10 chưa làm", f->doc_kh, f->b, 0, TASK_NOT_STARTED,
	    D(2025, 10, 17));
	add(f, TASK_KIND_INDICATOR, "Chỉ tiêu đạt", f->doc_kh, f->b, 0, TASK_DONE, NONE);
	add(f, TASK_KIND_INDICATOR, "Chỉ tiêu chưa đạt", f->doc_kh, f->b, 0, TASK_NOT_ACHIEVED,
	    NONE);
	add(f, TASK_KIND_INDICATOR, "Chỉ tiêu chưa đánh giá", f->doc_kh, f->b, 0,
	    TASK_CANNOT_ASSESS, NONE);
	add(f, TASK_KIND_INDICATOR, "Chỉ tiêu mới", f->doc_kh, f->b, 0, TASK_NOT_STARTED, NONE);

	/* People: one reached by email, one by a refused address only, one by none. */
	p.agency_id = f->a;
	assert_int_equal(store_person_insert(f->s, &p, 1, &f->person), 0);
	p = (struct person){ .name = "Trần Thị Bình", .agency_id = f->b, .role = ROLE_HEAD,
			     .active = true, .addresses = &binh, .n_addresses = 1 };
	assert_int_equal(store_person_insert(f->s, &p, 1, NULL), 0);
	assert_int_equal(store_address_set_broken(f->s, 2, "email", true, 2), 1);
	p = (struct person){ .name = "Lê Văn Em", .agency_id = f->b, .role = ROLE_FOCAL,
			     .active = true };
	assert_int_equal(store_person_insert(f->s, &p, 1, NULL), 0);

	/* In the period: a deadline moved, a request asked and approved, an obstacle raised and handled. */
	ev = (struct event){ .task_id = t4, .at = noon(D(2025, 9, 29)), .actor = "Phạm Thị Dung",
			     .channel = "cli", .kind = "deadline", .old_value = "Quý IV/2025",
			     .new_value = "31/12/2025", .text = "theo chỉ đạo" };
	assert_int_equal(store_event_append(f->s, &ev), 0);
	e = (struct extension){ .task_id = t5, .person_id = f->person, .due = D(2025, 11, 30),
				.reason = "chờ hướng dẫn <Bộ>", .precision = DEADLINE_DAY };
	assert_int_equal(store_extension_add(f->s, &e, noon(D(2025, 10, 2)), &ext), 0);
	assert_int_equal(store_extension_decide(f->s, ext, EXTENSION_APPROVED, f->person, NULL,
						noon(D(2025, 10, 6))), 0);
	o = (struct obstacle){ .task_id = t5, .person_id = f->person, .actor = "Nguyễn Văn An",
			       .text = "thiếu kinh phí & nhân lực", .created_at = noon(D(2025, 10, 3)) };
	assert_int_equal(store_obstacle_insert(f->s, &o, &ob), 0);
	assert_int_equal(store_obstacle_handle(f->s, ob, f->person, "Phạm Thị Dung", "đã bố trí",
					       noon(D(2025, 10, 7))), 0);
	/* A message given up in the period. */
	m = (struct message){ .person_id = f->person, .kind = MESSAGE_REMINDER,
			      .subject = "Nhắc việc", .body = "x", .created_at = noon(D(2025, 10, 8)),
			      .next_at = noon(D(2025, 10, 8)), .day = D(2025, 10, 8) };
	snprintf(m.channel, sizeof(m.channel), "email");
	assert_int_equal(store_message_insert(f->s, &m, &msg), 0);
	assert_int_equal(store_message_finish(f->s, msg, NULL, MESSAGE_DEAD, 0, noon(D(2025, 10, 8)),
					      "550 no such user"), 0);
}

static struct digest_query
query(void)
{
	return (struct digest_query){ .today = TODAY, .from = FROM, .to = TO,
				      .span = SPAN_SINCE_LAST, .now = noon(TODAY),
				      .url = "https://dondoc.example.vn" };
}

static json_t *
data_of(struct fx *f, const struct digest_query *q)
{
	json_t *d = NULL;

	assert_int_equal(digest_data(f->s, q, &d), 0);
	assert_non_null(d);
	return d;
}

/* DONDOC_DIGEST_DUMP=DIR: each rendering to DIR/TEST-LANG-CAP.FORM, for reading. */
static void
dump(const struct rendered *m, const char *lang, size_t cap)
{
	const char *dir = getenv("DONDOC_DIGEST_DUMP");
	const char *forms[] = { "subject", "text", "html", "chat" };
	const char *v[] = { m->subject, m->text, m->html, m->chat };
	char path[512];

	if (!dir || !*dir)
		return;
	for (size_t i = 0; i < ELEMENTSOF(forms); i++) {
		snprintf(path, sizeof(path), "%s/%s-%s-%zu.%s", dir, testlib_current, lang, cap,
			 forms[i]);
		testlib_write(path, v[i]);
	}
}

static void
render(struct fx *f, const json_t *d, const char *lang, size_t cap, struct rendered *m)
{
	struct person p = { .name = "Phạm Thị Dung", .agency_name = "Văn phòng Tỉnh ủy",
			    .role = ROLE_SECRETARIAT, .lang = (char *)lang, .active = true };

	*m = (struct rendered){ 0 };
	assert_int_equal(digest_render(f->rend, &p, d, cap, RENDER_ALL, m), 0);
	assert_non_null(m->subject);
	assert_non_null(m->text);
	assert_non_null(m->html);
	assert_non_null(m->chat);
	dump(m, lang, cap);
}

/* The line of s that starts with prefix (a new string), or fails. */
static char *
line_of(const char *s, const char *prefix)
{
	const char *p = strstr(s, prefix), *end;

	if (!p)
		fail_msg("no line starting '%s' in:\n%s", prefix, s);
	end = strchr(p, '\n');
	return xstrndup(p, end ? (size_t)(end - p) : strlen(p));
}

/*
 * The visible text of an HTML document: tags dropped (a </tr> or </p> a
 * newline), the entities the templates use decoded.  A new string.
 */
static char *
html_text(const char *h)
{
	static const struct {
		const char *e, *c;
	} ent[] = { { "&lt;", "<" }, { "&gt;", ">" }, { "&quot;", "\"" }, { "&#39;", "'" },
		    { "&amp;", "&" } };
	char *out = malloc(strlen(h) + 1), *o = out;

	assert_non_null(out);
	while (*h) {
		if (*h == '<') {
			const char *e = strchr(h, '>');

			assert_non_null(e);
			if (!strncmp(h, "</tr>", 5) || !strncmp(h, "</p>", 4))
				*o++ = '\n';
			h = e + 1;
			continue;
		}
		if (*h == '&') {
			size_t k;

			for (k = 0; k < ELEMENTSOF(ent); k++)
				if (!strncmp(h, ent[k].e, strlen(ent[k].e)))
					break;
			if (k < ELEMENTSOF(ent)) {
				*o++ = *ent[k].c;
				h += strlen(ent[k].e);
				continue;
			}
		}
		*o++ = *h++;
	}
	*o = '\0';
	return out;
}

#define HEADLINE_VI \
	"Tính đến ngày 10/10/2025: đạt và vượt 01/04 chỉ tiêu (đạt 25%), chưa đạt 01/04, " \
	"chưa đánh giá được 02/04; hoàn thành 03/10 nhiệm vụ (đạt 30%) theo Chương trình số " \
	"01-CTr/BCĐ và Kế hoạch số 328-KH/TU; trong đó theo Chương trình số 01-CTr/BCĐ đã " \
	"hoàn thành 03/08 nhiệm vụ (đạt 38%), trong đó đúng hạn 02, trễ hạn 01; 03/08 nhiệm " \
	"vụ đang triển khai thực hiện, trong đó 01 nhiệm vụ chậm tiến độ; 01/08 nhiệm vụ chưa " \
	"thực hiện; 01/08 nhiệm vụ chưa thực hiện đang tạm hoãn; theo Kế hoạch số 328-KH/TU " \
	"đã hoàn thành 0/02 nhiệm vụ (đạt 0%); 01/02 nhiệm vụ đang triển khai thực hiện; " \
	"01/02 nhiệm vụ chưa thực hiện."

static void
test_headline(void **state)
{
	struct fx *f = *state;
	struct digest_query q = query();
	json_t *d;
	struct rendered m;
	char *line, *plain;

	fill(f);
	d = data_of(f, &q);
	render(f, d, "vi", 0, &m);
	line = line_of(m.text, "Tính đến ngày");
	assert_string_equal(line, HEADLINE_VI);
	free(line);
	/* The HTML and the chat say the same sentence. */
	plain = html_text(m.html);
	line = line_of(plain, "Tính đến ngày");
	assert_string_equal(line, HEADLINE_VI);
	free(line);
	free(plain);
	line = line_of(m.chat, "Tính đến ngày");
	assert_string_equal(line, HEADLINE_VI);
	free(line);
	assert_string_equal(m.subject, "[Đôn đốc] Báo cáo tình hình thực hiện nhiệm vụ từ "
			    "26/09/2025 đến 09/10/2025");
	assert_non_null(strstr(m.text, "Kính gửi đồng chí Phạm Thị Dung (Văn phòng Tỉnh ủy),\n"));
	rendered_release(&m);
	/* Nobody to greet: Vietnamese, no greeting; only the forms asked for. */
	assert_int_equal(digest_render(f->rend, NULL, d, 0, RENDER_TEXT, &m), 0);
	assert_null(m.html);
	assert_null(strstr(m.text, "Kính gửi"));
	assert_true(strncmp(m.text, "Báo cáo tình hình thực hiện nhiệm vụ từ", 40) == 0);
	/* The parts of each document add up to its total, the totals to the whole. */
	{
		json_t *parts = json_object_get(json_object_get(d, "headline"), "parts"), *p;
		json_int_t sum = 0;
		size_t i;

		json_array_foreach(parts, i, p) {
			json_int_t t = json_integer_value(json_object_get(p, "total"));

			assert_int_equal(json_integer_value(json_object_get(p, "done_count")) +
					 json_integer_value(json_object_get(p, "in_progress_count")) +
					 json_integer_value(json_object_get(p, "not_started_count")) +
					 json_integer_value(json_object_get(p, "postponed_count")), t);
			sum += t;
		}
		assert_int_equal(sum, 10);
	}
	rendered_release(&m);
	json_decref(d);
}

/* What happened in the period, the lists and the people, as the text says them. */
static void
test_sections(void **state)
{
	struct fx *f = *state;
	struct digest_query q = query();
	json_t *d;
	struct rendered m;

	fill(f);
	d = data_of(f, &q);
	render(f, d, "vi", 0, &m);
	/* Done in the period: 1 on time (#1), 1 late (#3); #2 was done before it. */
	assert_non_null(strstr(m.text, "- Hoàn thành 02 nhiệm vụ (đúng hạn 01, trễ hạn 01):\n"
				       "  + 1. Việc 1 xong đúng hạn – ngày 01/10/2025\n"
				       "  + 3. Việc 3 xong trễ – ngày 03/10/2025 (trễ hạn)\n"));
	/* Newly late: #5 fell due on 01/10; #7 was late before the period. */
	assert_non_null(strstr(m.text, "- Mới quá hạn (thời hạn trong kỳ): 01 nhiệm vụ:\n"
				       "  + 5. Việc 5 chậm tiến độ – hạn 01/10/2025, quá 7 ngày "
				       "làm việc\n"));
	assert_non_null(strstr(m.text, "  + 4. Việc 4 đang làm: từ \"Quý IV/2025\" thành "
				       "\"31/12/2025\" (ngày 29/09/2025)\n"));
	assert_non_null(strstr(m.text, "  + 5. Việc 5 chậm tiến độ: đến 30/11/2025 (Nguyễn Văn "
				       "An, ngày 02/10/2025): chờ hướng dẫn <Bộ>\n"));
	assert_non_null(strstr(m.text, "  + 5. Việc 5 chậm tiến độ: đồng ý điều chỉnh đến "
				       "30/11/2025 (Nguyễn Văn An, ngày 06/10/2025)\n"));
	assert_non_null(strstr(m.text, "- Vướng mắc, kiến nghị mới: 01:\n  + 5. Việc 5 chậm tiến "
				       "độ: thiếu kinh phí & nhân lực (Nguyễn Văn An, ngày "
				       "03/10/2025)\n"));
	assert_non_null(strstr(m.text, "- Vướng mắc, kiến nghị đã xử lý: 01:\n  + 5. Việc 5 "
				       "chậm tiến độ: đã bố trí (Phạm Thị Dung, ngày 07/10/2025)\n"));
	/* Overdue by first lead agency, the longest first; working days from the due day. */
	assert_non_null(strstr(m.text, "NHIỆM VỤ QUÁ HẠN: 02\n"
				       "Sở Nội vụ (01):\n"
				       "  + 5. Việc 5 chậm tiến độ – hạn 01/10/2025, quá 7 ngày "
				       "làm việc\n"
				       "Sở Tư pháp (01):\n"
				       "  + 7. Việc 7 chưa làm, quá hạn – hạn 15/09/2025, quá 19 "
				       "ngày làm việc\n"));
	/* Due in 14 days, nearest first; the postponed and the done are not. */
	assert_non_null(strstr(m.text, "ĐẾN HẠN TRONG 14 NGÀY TỚI: 02 nhiệm vụ\n"
				       "  + 10. Việc 10 chưa làm – hạn 17/10/2025, còn 5 ngày làm "
				       "việc (Sở Tư pháp)\n"
				       "  + 6. Việc 6 sắp đến hạn – hạn 20/10/2025, còn 6 ngày làm "
				       "việc (Sở Nội vụ)\n"));
	/* Lights: Sở Nội vụ has a red task; Sở Tư pháp too (task 7, shared). */
	assert_non_null(strstr(m.text, "- Sở Nội vụ: ĐỎ; hoàn thành 03/08"));
	assert_non_null(strstr(m.text, "- Sở Tư pháp: ĐỎ; hoàn thành 0/03"));
	assert_non_null(strstr(m.html, "background-color:#b3261e;color:#ffffff;"));
	/* An official's words: no "00" for nothing, no channel's English name. */
	assert_null(strstr(m.text, " 00"));
	assert_null(strstr(m.html, ">00<"));
	assert_null(strstr(m.chat, " 00"));
	assert_non_null(strstr(m.text, "TIN NHẮN, THƯ KHÔNG GỬI ĐƯỢC: 01\n- Nguyễn Văn An (thư điện tử), ngày "
				       "08/10/2025: 550 no such user\n"));
	assert_non_null(strstr(m.text, "CHƯA CÓ CÁCH LIÊN LẠC (không có địa chỉ dùng được): 02 "
				       "người\n- Trần Thị Bình (Sở Tư pháp)\n- Lê Văn Em (Sở Tư "
				       "pháp)\n"));
	/* The chat form: no link, no list. */
	assert_null(strstr(m.chat, "http"));
	assert_null(strstr(m.chat, "Việc 5"));
	assert_non_null(strstr(m.chat, "Quá hạn: <b>02</b> nhiệm vụ"));
	/* The workbook is promised only to a reader the email goes to (emailed). */
	assert_null(strstr(m.chat, "được gửi qua thư điện tử"));
	assert_non_null(strstr(m.chat, "Chưa có địa chỉ thư điện tử để gửi tệp Excel"));
	/* The HTML's agency table: the text's columns, in full words. */
	assert_null(strstr(m.html, "Đang TH"));
	assert_non_null(strstr(m.html, ">Chưa thực hiện</th>"));
	assert_non_null(strstr(m.html, ">Tạm hoãn</th>"));
	assert_non_null(strstr(m.html, ">Chỉ tiêu đạt</th>"));
	rendered_release(&m);
	assert_int_equal(digest_render(f->rend, NULL, d, 0, RENDER_CHAT | DIGEST_EMAILED, &m), 0);
	assert_non_null(strstr(m.chat, "Báo cáo đầy đủ và bảng chi tiết (Excel) được gửi qua thư "
				       "điện tử."));
	assert_null(strstr(m.chat, "Chưa có địa chỉ"));
	json_object_set_new(d, "in_answer", json_true());
	rendered_release(&m);
	render(f, d, "vi", 0, &m);
	assert_null(strstr(m.chat, "Excel"));
	/* The HTML: a link is written out, nothing a mail client drops or fetches. */
	assert_non_null(strstr(m.html, ">https://dondoc.example.vn</a>"));
	assert_null(strstr(m.html, "<style"));
	assert_null(strstr(m.html, "<script"));
	assert_null(strstr(m.html, "<img"));
	rendered_release(&m);
	json_decref(d);
}

/* How many times needle occurs in s. */
static size_t
occurrences(const char *s, const char *needle)
{
	size_t n = 0;

	for (; (s = strstr(s, needle)) != NULL; s++)
		n++;
	return n;
}

/*
 * What mail clients need of the HTML: its tables, rows, cells and
 * paragraphs closed; no style sheet, script or image; no margin on a
 * div (Outlook ignores it); a text colour wherever a background is set
 * (dark mode); under cap.
 */
static void
assert_mail_html(const char *h, size_t cap)
{
	const char *p = h;

	assert_true(strlen(h) <= cap);
	assert_int_equal(occurrences(h, "<table"), occurrences(h, "</table>"));
	assert_int_equal(occurrences(h, "<tr>"), occurrences(h, "</tr>"));
	assert_int_equal(occurrences(h, "<td"), occurrences(h, "</td>"));
	assert_int_equal(occurrences(h, "<p "), occurrences(h, "</p>"));
	assert_null(strstr(h, "<style"));
	assert_null(strstr(h, "<script"));
	assert_null(strstr(h, "<img"));
	assert_null(strstr(h, "url("));
	while ((p = strstr(p, "<div")) != NULL) {
		const char *end = strchr(p, '>');

		assert_null(memmem(p, (size_t)(end - p), "margin", 6));
		p = end;
	}
	for (p = h; (p = strstr(p, "background-color:")) != NULL; p++) {
		const char *end = strchr(p, '"');

		assert_non_null(memmem(p, (size_t)(end - p), ";color:#", 8));
	}
}

/* Every "N." item and every count line of the text appears in the HTML, in order. */
static void
assert_same_figures(const char *text, const char *html)
{
	char *plain = html_text(html);
	const char *p = text, *h = plain;
	int items = 0;

	/* List items: "  + 27. Title ..." in the text, "27." then the title in the HTML. */
	while ((p = strstr(p, "  + ")) != NULL) {
		char id[16];
		const char *end;

		p += 4;
		end = strchr(p, '.');
		assert_non_null(end);
		snprintf(id, sizeof(id), "%.*s.", (int)(end - p), p);
		h = strstr(h, id);
		if (!h)
			fail_msg("item %s of the text is not in the HTML", id);
		items++;
	}
	assert_true(items > 0);
	/* The cut lines: as many, with the same counts. */
	p = text;
	h = plain;
	while ((p = strstr(p, "… và ")) != NULL) {
		const char *end = strchr(p, '\n');
		char *want = xstrndup(p, (size_t)(end - p));

		h = strstr(h, want);
		if (!h)
			fail_msg("'%s' of the text is not in the HTML", want);
		free(want);
		p = end;
		h++;
	}
	free(plain);
}

static void
test_text_and_html_agree(void **state)
{
	struct fx *f = *state;
	struct digest_query q = query();
	json_t *d;
	struct rendered m;

	fill(f);
	d = data_of(f, &q);
	render(f, d, "vi", 0, &m);
	assert_same_figures(m.text, m.html);
	assert_mail_html(m.html, DIGEST_HTML_CAP);
	rendered_release(&m);
	json_decref(d);
}

/* Many overdue tasks past a small cap: cut alike in both forms, the HTML under the cap. */
static void
test_cut(void **state)
{
	struct fx *f = *state;
	struct digest_query q = query();
	json_t *d;
	struct rendered m, whole;
	const size_t cap = 12000;
	const char *more;
	char title[160];

	fill(f);
	for (int i = 0; i < 120; i++) {
		snprintf(title, sizeof(title), "Nhiệm vụ quá hạn số %d của một danh sách rất dài "
			 "để thư vượt giới hạn", i);
		add(f, TASK_KIND_TASK, title, f->doc_ctr, i % 2 ? f->a : f->b, 0, TASK_IN_PROGRESS,
		    D(2025, 8, 1 + i % 28));
	}
	d = data_of(f, &q);
	render(f, d, "vi", 0, &whole);
	assert_true(strlen(whole.html) > cap);
	assert_null(strstr(whole.html, "nhiệm vụ khác"));
	render(f, d, "vi", cap, &m);
	assert_mail_html(m.html, cap);
	more = strstr(m.text, "… và ");
	assert_non_null(more);
	assert_non_null(strstr(more, " nhiệm vụ khác (xem tệp đính kèm)"));
	assert_same_figures(m.text, m.html);
	/* The figures are not cut: the overdue count is the whole. */
	assert_non_null(strstr(m.text, "NHIỆM VỤ QUÁ HẠN: 122\n"));
	/* The same data and cap give the same bytes. */
	{
		struct rendered again;

		render(f, d, "vi", cap, &again);
		assert_string_equal(again.html, m.html);
		assert_string_equal(again.text, m.text);
		rendered_release(&again);
	}
	rendered_release(&whole);
	rendered_release(&m);
	json_decref(d);
}

/* The budget's registry: 10,000 tasks under the default cap, the chat form within Telegram's. */
static void
test_ten_thousand(void **state)
{
	struct fx *f = *state;
	struct digest_query q = query();
	int64_t agencies[40];
	json_t *d;
	struct rendered m;
	char title[200];

	assert_int_equal(store_begin(f->s), 0);
	for (int i = 0; i < 40; i++) {
		char code[16], name[64];

		snprintf(code, sizeof(code), "a%d", i);
		snprintf(name, sizeof(name), "Ủy ban nhân dân huyện số %d", i);
		assert_int_equal(store_agency_insert(f->s, code, name, AGENCY_COMMUNE, 1,
						     &agencies[i]), 0);
	}
	for (int i = 0; i < 10000; i++) {
		snprintf(title, sizeof(title), "Nhiệm vụ %d: triển khai các nội dung của kế hoạch "
			 "chuyển đổi số, bảo đảm tiến độ, chất lượng và hiệu quả theo yêu cầu", i);
		add(f, TASK_KIND_TASK, title, i % 3 ? f->doc_ctr : f->doc_kh, agencies[i % 40], 0,
		    i % 5 ? TASK_IN_PROGRESS : TASK_NOT_STARTED,
		    date_from_days(date_to_days(TODAY) + i % 120 - 60));
	}
	assert_int_equal(store_commit(f->s), 0);
	d = data_of(f, &q);
	render(f, d, "vi", 0, &m);
	assert_mail_html(m.html, DIGEST_HTML_CAP);
	assert_true(strlen(m.html) > DIGEST_HTML_CAP * 9 / 10);
	assert_non_null(strstr(m.text, " nhiệm vụ khác (xem tệp đính kèm)"));
	assert_same_figures(m.text, m.html);
	assert_true(strlen(m.chat) < 4096);
	rendered_release(&m);
	{
		/* The cut found once, for the first reader, reused for the next: same bytes, cheaper. */
		struct person a = { .name = "A", .role = ROLE_LEADER, .lang = "vi", .active = true };
		struct person b = { .name = "Nguyễn Thị Bích Ngọc Phương Thảo Hoàng Anh", .role =
				    ROLE_LEADER, .lang = "vi", .active = true };
		size_t limit = DIGEST_LIMIT_UNSET;
		struct rendered ma = { 0 }, mb = { 0 };
		struct timespec t0, t1, t2;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		assert_int_equal(digest_render_cut(f->rend, &a, d, 0, RENDER_ALL, &limit, &ma), 0);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		assert_true(limit != DIGEST_LIMIT_UNSET);
		assert_int_equal(digest_render_cut(f->rend, &b, d, 0, RENDER_ALL, &limit, &mb), 0);
		clock_gettime(CLOCK_MONOTONIC, &t2);
		assert_mail_html(ma.html, DIGEST_HTML_CAP - DIGEST_READER_MARGIN);
		assert_mail_html(mb.html, DIGEST_HTML_CAP);
		/* The lists are cut at the same place for both (the text says the same past the greeting). */
		assert_string_equal(strstr(ma.text, "Tính đến ngày"), strstr(mb.text, "Tính đến ngày"));
		/* Fitting renders it several times; a reused cut once (a wide margin for a slow runner). */
		assert_true((t2.tv_sec - t1.tv_sec) * 1e9 + (t2.tv_nsec - t1.tv_nsec) <
			    ((t1.tv_sec - t0.tv_sec) * 1e9 + (t1.tv_nsec - t0.tv_nsec)) / 2);
		rendered_release(&ma);
		rendered_release(&mb);
	}
	json_decref(d);
}

/* Markup, quotes, emoji, newlines and 5,000 characters in a title. */
static void
test_bad_titles(void **state)
{
	struct fx *f = *state;
	struct digest_query q = query();
	json_t *d;
	struct rendered m;
	char *title = malloc(6000);
	size_t off = 0;

	assert_non_null(title);
	snprintf(title, 6000, "%s", "Đề án <b>&\"Chính quyền số\" 😀\ndòng hai\r\n\t");
	for (size_t n = strlen(title); n < 5000; n++)
		title[n] = n % 7 ? 'x' : ' ';
	title[5000] = '\0';
	add(f, TASK_KIND_TASK, title, f->doc_ctr, f->a, 0, TASK_IN_PROGRESS, D(2025, 10, 1));
	d = data_of(f, &q);
	render(f, d, "vi", 0, &m);
	assert_null(strstr(m.html, "<b>&"));
	assert_non_null(strstr(m.html, "Đề án &lt;b&gt;&amp;&quot;Chính quyền số&quot; 😀 dòng hai "));
	assert_non_null(strstr(m.text, "Đề án <b>&\"Chính quyền số\" 😀 dòng hai "));
	/* Cut for a list, on a word; the workbook has it whole. */
	assert_null(strstr(m.text, "xxxxxx xxxxxx xxxxxx xxxxxx xxxxxx xxxxxx xxxxxx xxxxxx "
				   "xxxxxx xxxxxx xxxxxx xxxxxx xxxxxx"));
	assert_non_null(strstr(m.text, "…"));
	assert_true(norm_is_utf8(m.html, strlen(m.html), &off));
	assert_mail_html(m.html, DIGEST_HTML_CAP);
	assert_true(norm_is_utf8(m.text, strlen(m.text), &off));
	assert_null(strstr(m.chat, "<b>&"));
	free(title);
	rendered_release(&m);
	json_decref(d);
}

static void
test_empty(void **state)
{
	struct fx *f = *state;
	struct digest_query q = query();
	json_t *d = data_of(f, &q);
	struct rendered m;

	assert_true(json_is_true(json_object_get(d, "empty")));
	render(f, d, "vi", 0, &m);
	assert_non_null(strstr(m.text, "\nChưa có nhiệm vụ, chỉ tiêu nào để báo cáo.\n"));
	assert_null(strstr(m.text, "Tính đến ngày"));
	assert_null(strstr(m.text, "THEO CƠ QUAN"));
	assert_null(strstr(m.html, "<table"));
	assert_non_null(strstr(m.chat, "Chưa có nhiệm vụ, chỉ tiêu nào để báo cáo."));
	rendered_release(&m);
	json_decref(d);
}

/*
 * Two tasks imported as done (the table said "Đã hoàn thành", not when)
 * and one done late: the headline says the done as on time, late and
 * not known when, so that the parts add up to the done it says.
 */
static void
test_done_unknown(void **state)
{
	struct fx *f = *state;
	struct digest_query q = query();
	int64_t late = add(f, TASK_KIND_TASK, "Việc xong trễ", f->doc_kh, f->a, 0,
			   TASK_IN_PROGRESS, D(2025, 9, 30));
	json_t *d;
	struct rendered m;

	add(f, TASK_KIND_TASK, "Việc nhập đã xong 1", f->doc_kh, f->a, 0, TASK_DONE, D(2025, 6, 30));
	add(f, TASK_KIND_TASK, "Việc nhập đã xong 2", f->doc_kh, f->b, 0, TASK_DONE, NONE);
	done(f, late, D(2025, 10, 3), D(2025, 9, 30));
	d = data_of(f, &q);
	render(f, d, "vi", 0, &m);
	assert_non_null(strstr(m.text, "hoàn thành 03/03 nhiệm vụ (đạt 100%) theo Kế hoạch số "
				       "328-KH/TU, trong đó trễ hạn 01, không rõ ngày hoàn thành 02."));
	assert_non_null(strstr(m.chat, "trễ hạn 01, không rõ ngày hoàn thành 02"));
	rendered_release(&m);
	render(f, d, "en", 0, &m);
	assert_non_null(strstr(m.text, "01 late, 02 with no completion date"));
	rendered_release(&m);
	json_decref(d);
}

static void
test_english(void **state)
{
	struct fx *f = *state;
	struct digest_query q = query();
	json_t *d;
	struct rendered m;
	char *line;

	fill(f);
	d = data_of(f, &q);
	render(f, d, "en", 0, &m);
	line = line_of(m.text, "As of");
	assert_string_equal(line, "As of 10/10/2025: 01/04 indicators met or exceeded (25%), "
			    "01/04 not met, 02/04 not assessable; 03/10 tasks done (30%) under "
			    "01-CTr/BCĐ and 328-KH/TU; of which under 01-CTr/BCĐ: 03/08 tasks done "
			    "(38%), 02 on time, 01 late; 03/08 in progress, 01 of them behind "
			    "schedule; 01/08 not started; 01/08 postponed; under 328-KH/TU: 0/02 "
			    "tasks done (0%); 01/02 in progress; 01/02 not started.");
	free(line);
	assert_non_null(strstr(m.text, "Dear Phạm Thị Dung"));
	assert_non_null(strstr(m.html, "<html lang=\"en\">"));
	assert_string_equal(m.subject, "[Follow-up] Progress report on the tasks, from 26/09/2025 "
			    "to 09/10/2025");
	/* The system's name in the reader's language. */
	assert_null(strstr(m.text, "Hệ thống đôn đốc"));
	assert_null(strstr(m.html, "Hệ thống đôn đốc"));
	rendered_release(&m);
	json_decref(d);
}

/* One agency: its tasks alone, one document then: the sentence says it whole. */
static void
test_agency(void **state)
{
	struct fx *f = *state;
	struct digest_query q = query();
	json_t *d;
	struct rendered m;
	char *line;

	fill(f);
	q.agency_id = f->b;
	d = data_of(f, &q);
	render(f, d, "vi", 0, &m);
	line = line_of(m.text, "Tính đến ngày");
	assert_string_equal(line, "Tính đến ngày 10/10/2025: đạt và vượt 01/04 chỉ tiêu (đạt "
			    "25%), chưa đạt 01/04, chưa đánh giá được 02/04; hoàn thành 0/03 nhiệm "
			    "vụ (đạt 0%) theo Chương trình số 01-CTr/BCĐ và Kế hoạch số 328-KH/TU; "
			    "trong đó theo Chương trình số 01-CTr/BCĐ đã hoàn thành 0/01 nhiệm vụ "
			    "(đạt 0%); 01/01 nhiệm vụ chưa thực hiện; theo Kế hoạch số 328-KH/TU "
			    "đã hoàn thành 0/02 nhiệm vụ (đạt 0%); 01/02 nhiệm vụ đang triển khai "
			    "thực hiện; 01/02 nhiệm vụ chưa thực hiện.");
	free(line);
	assert_non_null(strstr(m.subject, " – Sở Tư pháp"));
	/* The obstacle and the request were on task 5, which Sở Tư pháp does not lead. */
	assert_null(strstr(m.text, "Vướng mắc, kiến nghị mới"));
	rendered_release(&m);
	json_decref(d);
	/* Sở Nội vụ leads one document's tasks only: one clause, named by it. */
	q.agency_id = f->a;
	d = data_of(f, &q);
	render(f, d, "vi", 0, &m);
	line = line_of(m.text, "Tính đến ngày");
	assert_string_equal(line, "Tính đến ngày 10/10/2025: hoàn thành 03/08 nhiệm vụ (đạt 38%) "
			    "theo Chương trình số 01-CTr/BCĐ, trong đó đúng hạn 02, trễ hạn 01; "
			    "03/08 nhiệm vụ đang triển khai thực hiện, trong đó 01 nhiệm vụ chậm tiến "
			    "độ; 01/08 nhiệm vụ chưa thực hiện; 01/08 nhiệm vụ chưa thực hiện đang "
			    "tạm hoãn.");
	free(line);
	rendered_release(&m);
	json_decref(d);
}

static void
test_period_names(void **state)
{
	struct fx *f = *state;
	static const struct {
		int span;
		struct date from, to;
		const char *vi, *en;
	} cases[] = {
		{ SPAN_SINCE_LAST, { 2025, 9, 26 }, { 2025, 10, 9 }, "từ 26/09/2025 đến 09/10/2025",
		  "from 26/09/2025 to 09/10/2025" },
		{ SPAN_MONTH, { 2025, 9, 1 }, { 2025, 9, 30 }, "tháng 9/2025", "September 2025" },
		/* A cut-off window is named by its last month. */
		{ SPAN_MONTH, { 2025, 8, 15 }, { 2025, 9, 14 }, "tháng 9/2025", "September 2025" },
		{ SPAN_QUARTER, { 2025, 7, 1 }, { 2025, 9, 30 }, "quý III/2025", "Q3 2025" },
		{ SPAN_HALF, { 2025, 1, 1 }, { 2025, 6, 30 }, "6 tháng đầu năm 2025",
		  "the first half of 2025" },
		{ SPAN_HALF, { 2025, 7, 1 }, { 2025, 12, 31 }, "6 tháng cuối năm 2025",
		  "the second half of 2025" },
		{ SPAN_9MONTHS, { 2025, 1, 1 }, { 2025, 9, 30 }, "9 tháng năm 2025",
		  "the first nine months of 2025" },
		{ SPAN_YEAR, { 2025, 1, 1 }, { 2025, 12, 31 }, "năm 2025", "the year 2025" },
	};

	for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
		struct digest_query q = query();
		json_t *d, *p;

		q.span = cases[i].span;
		q.from = cases[i].from;
		q.to = cases[i].to;
		d = data_of(f, &q);
		p = json_object_get(d, "period");
		assert_string_equal(json_string_value(json_object_get(p, "vi")), cases[i].vi);
		assert_string_equal(json_string_value(json_object_get(p, "en")), cases[i].en);
		json_decref(d);
	}
}

/* The secretariat told that a digest to a [digest] to address failed: an address, in Vietnamese words. */
static void
test_alert_address(void **state)
{
	struct fx *f = *state;
	struct person sec = { .id = 3, .name = "Phạm Thị Dung", .role = ROLE_SECRETARIAT,
			      .lang = "vi", .active = true };
	struct address ketoan = { .channel = "email", .value = "ketoan@example.gov.vn" };
	struct address lanh_email = { .channel = "email", .value = "lanh@example.gov.vn" };
	struct person addr = { .name = "ketoan@example.gov.vn", .addresses = &ketoan,
			       .n_addresses = 1, .lang = "vi", .role = ROLE_VIEWER, .active = true };
	struct person lanh = { .id = 7, .name = "Trần Văn Lãnh", .addresses = &lanh_email,
			       .n_addresses = 1, .lang = "vi", .role = ROLE_LEADER, .active = true };
	struct render_ctx ctx = { .r = f->rend, .to = &sec, .today = TODAY, .about = &addr,
				  .about_channel = "email", .about_error = "550 no such user",
				  .about_digest = true };
	struct rendered m = { 0 };

	assert_int_equal(render_message(MESSAGE_ALERT, &ctx, NULL, 0, &m), 0);
	assert_non_null(strstr(m.subject, "tới địa chỉ ketoan@example.gov.vn"));
	assert_non_null(strstr(m.text, "tới địa chỉ ketoan@example.gov.vn qua kênh\nthư điện tử"));
	assert_non_null(strstr(m.chat, "tới địa chỉ <b>ketoan@example.gov.vn</b> qua kênh thư điện tử"));
	assert_null(strstr(m.text, "đồng chí ketoan"));
	assert_null(strstr(m.html, "đồng chí <b>ketoan"));
	rendered_release(&m);
	ctx.about = &lanh;
	m = (struct rendered){ 0 };
	assert_int_equal(render_message(MESSAGE_ALERT, &ctx, NULL, 0, &m), 0);
	assert_non_null(strstr(m.subject, "tới đồng chí Trần Văn Lãnh"));
	assert_null(strstr(m.text, "địa chỉ lanh@"));
	rendered_release(&m);
}

/* Names each test's renderings in the dump. */
/*
 * The people out of Zalo's window (zalo_closed): a Zalo id whose owner
 * wrote to the OA more than 7 days before the digest, or never, or whose
 * Zalo was refused; not one who wrote within it, nor anyone when Zalo is
 * not configured (zalo_window 0).
 */
static void
test_zalo_closed(void **state)
{
	struct fx *f = *state;
	struct digest_query q = query();
	struct address za = { .channel = "zalo", .value = "1001" };
	struct person p = { .name = "Hà Văn Gia", .agency_id = f->a, .role = ROLE_FOCAL,
			    .active = true, .addresses = &za, .n_addresses = 1 };
	int64_t gia, hoa, khanh, long_ago = (int64_t)q.now - 8 * 86400;
	struct rendered m;
	json_t *d, *closed;

	fill(f);
	assert_int_equal(store_person_insert(f->s, &p, 1, &gia), 0);
	assert_int_equal(store_address_seen(f->s, gia, "zalo", (int64_t)q.now - 2 * 86400), 0);
	za.value = "1002";
	p.name = "Lý Thị Hoa";
	assert_int_equal(store_person_insert(f->s, &p, 1, &hoa), 0);
	assert_int_equal(store_address_seen(f->s, hoa, "zalo", long_ago), 0);
	za.value = "1003";
	p.name = "Mai Văn Khánh";
	assert_int_equal(store_person_insert(f->s, &p, 1, &khanh), 0);
	za.value = "1004";
	p.name = "Ngô Văn Lâm";
	assert_int_equal(store_person_insert(f->s, &p, 1, &p.id), 0);
	assert_int_equal(store_address_set_broken(f->s, p.id, "zalo", true, 2), 1);
	/* No [zalo]: no section, no window. */
	d = data_of(f, &q);
	assert_null(json_object_get(d, "zalo_closed"));
	assert_null(json_object_get(d, "zalo_days"));
	json_decref(d);
	q.zalo_window = 7 * 86400;
	d = data_of(f, &q);
	closed = json_object_get(d, "zalo_closed");
	assert_int_equal(json_integer_value(json_object_get(closed, "count")), 3);
	assert_int_equal(json_integer_value(json_object_get(d, "zalo_days")), 7);
	render(f, d, "vi", 0, &m);
	assert_non_null(strstr(m.text, "NGOÀI CỬA SỔ ZALO (chưa nhắn tin cho Zalo OA trong 7 ngày "
				       "qua"));
	assert_non_null(strstr(m.text, "- Lý Thị Hoa (Sở Nội vụ), nhắn tin lần cuối ngày "
				       "02/10/2025\n"));
	assert_non_null(strstr(m.text, "- Mai Văn Khánh (Sở Nội vụ), chưa nhắn tin lần nào\n"));
	assert_null(strstr(m.text, "Hà Văn Gia"));
	/*
	 * Refused (Zalo's mark of a window error, until he writes): out of
	 * the window too, and among those nobody can reach.
	 */
	assert_non_null(strstr(m.text, "- Ngô Văn Lâm (Sở Nội vụ), chưa nhắn tin lần nào\n"));
	assert_non_null(strstr(m.text, "- Ngô Văn Lâm (Sở Nội vụ)\n"));
	assert_non_null(strstr(m.html, "Mai Văn Khánh (Sở Nội vụ), chưa nhắn tin lần nào"));
	rendered_release(&m);
	json_decref(d);
}

static int
named(void **state, const char *name)
{
	testlib_current = name;
	return setup(state);
}

#define TEST(fn) cmocka_unit_test_setup_teardown(fn, setup_##fn, teardown)
#define SETUP(fn) static int setup_##fn(void **state) { return named(state, #fn); }
SETUP(test_headline)
SETUP(test_sections)
SETUP(test_text_and_html_agree)
SETUP(test_cut)
SETUP(test_bad_titles)
SETUP(test_ten_thousand)
SETUP(test_empty)
SETUP(test_english)
SETUP(test_done_unknown)
SETUP(test_agency)
SETUP(test_period_names)
SETUP(test_alert_address)
SETUP(test_zalo_closed)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		TEST(test_headline),
		TEST(test_sections),
		TEST(test_text_and_html_agree),
		TEST(test_cut),
		TEST(test_bad_titles),
		TEST(test_ten_thousand),
		TEST(test_empty),
		TEST(test_done_unknown),
		TEST(test_english),
		TEST(test_agency),
		TEST(test_zalo_closed),
		TEST(test_period_names),
		TEST(test_alert_address),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}

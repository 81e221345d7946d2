/* SPDX-License-Identifier: MIT */
/*
 * The chat commands; see command.h.
 *
 * A text is cut into words; the first one (or the first two, for "/tiến
 * độ") names the command once folded (no diacritics, no case, no "/", no
 * "_").  Each command checks its words, then who may do it: a person acts
 * on the tasks their agency leads (notes and obstacles also where it
 * cooperates), the secretariat on all.  A viewer reads and changes
 * nothing; nobody decides their own extension request.  Wrong input gets
 * a template that says what was wrong with a correct example; nothing is
 * changed then.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "calendar.h"
#include "clock.h"
#include "command.h"
#include "deadline.h"
#include "digest.h"
#include "digestq.h"
#include "extension.h"
#include "feedlink.h"
#include "hash.h"
#include "macro.h"
#include "norm.h"
#include "obstacle.h"
#include "period.h"
#include "recurring.h"
#include "registry.h"
#include "render.h"
#include "report.h"
#include "span.h"
#include "store.h"
#include "task.h"
#include "taskops.h"
#include "xalloc.h"

#define MAX_WORDS 64
#define LIST_MAX 20		/* tasks shown by /viec and /quahan, a page */
#define IDS_MAX 20		/* numbers one command acts on ("/xong 40, 41") */
#define TEXT_MAX 2000		/* bytes of a note, obstacle or reason kept */

enum cmd {
	CMD_START,
	CMD_TASKS,
	CMD_OVERDUE,
	CMD_DONE,
	CMD_PROGRESS,
	CMD_OBSTACLE,
	CMD_EXTEND,
	CMD_APPROVE,
	CMD_REJECT,
	CMD_PENDING,
	CMD_HANDLE,
	CMD_REPORT,
	CMD_HELP,
	CMD_ASSESS,
	CMD_CALENDAR,
	_CMD_MAX,
	_CMD_INVALID = -22,
};

static const struct {
	const char *name;	/* as setMyCommands shows it */
	const char *aliases[4];	/* folded: lowercase ASCII letters and digits */
	const char *example;
	const char *description;
} cmds[_CMD_MAX] = {
	[CMD_START] = { "start", { NULL }, "/start MÃ", "Liên kết tài khoản (kèm mã được cấp)" },
	[CMD_TASKS] = { "viec", { "nhiemvu", "tasks" }, "/viec",
			"Các nhiệm vụ chưa hoàn thành của cơ quan" },
	[CMD_OVERDUE] = { "quahan", { "trehan", "overdue", "late" }, "/quahan",
			  "Các nhiệm vụ đã quá hạn" },
	[CMD_DONE] = { "xong", { "hoanthanh", "done" },
		       "/xong 27 Đã ban hành Quyết định số 123/QĐ-UBND",
		       "Báo hoàn thành: /xong 27 [ghi chú]" },
	[CMD_PROGRESS] = { "tiendo", { "progress" }, "/tiendo 27 60% đã xong phần khảo sát",
			   "Báo tiến độ: /tiendo 27 60% [ghi chú]" },
	[CMD_OBSTACLE] = { "vuongmac", { "kiennghi", "obstacle" },
			   "/vuongmac 27 chưa được bố trí kinh phí",
			   "Báo vướng mắc, kiến nghị: /vuongmac 27 nội dung" },
	[CMD_EXTEND] = { "giahan", { "dieuchinh", "extend" },
			 "/giahan 27 31/12/2025 chờ hướng dẫn của Bộ",
			 "Đề nghị điều chỉnh thời hạn: /giahan 27 31/12/2025 (hoặc Quý I/2026) lý do" },
	[CMD_APPROVE] = { "duyet", { "dongy", "approve" }, "/duyet 5",
			  "Đồng ý đề nghị điều chỉnh thời hạn (thường trực)" },
	[CMD_REJECT] = { "tuchoi", { "khongdongy", "reject" }, "/tuchoi 5 đề nghị hoàn thành đúng hạn",
			 "Không đồng ý đề nghị, nêu lý do (thường trực)" },
	[CMD_PENDING] = { "choduyet", { "pending" }, "/choduyet",
			  "Các đề nghị điều chỉnh thời hạn chờ duyệt (thường trực)" },
	[CMD_HANDLE] = { "xuly", { "daxuly", "handle" }, "/xuly 3 đã đề nghị Sở Tài chính bố trí kinh phí",
			 "Đánh dấu vướng mắc đã xử lý, kèm ghi chú (thường trực)" },
	[CMD_REPORT] = { "baocao", { "report" }, "/baocao", "Số liệu tổng hợp" },
	[CMD_HELP] = { "huongdan", { "help", "hd" }, "/huongdan", "Hướng dẫn sử dụng" },
	[CMD_ASSESS] = { "danhgia", { "assess", "danhgiachitieu" },
			 "/danhgia 12 chưa đạt mới phủ sóng 60% số xã",
			 "Đánh giá chỉ tiêu: /danhgia 12 đạt|chưa đạt|chưa đánh giá được" },
	[CMD_CALENDAR] = { "lich", { "calendar", "ical" }, "/lich",
			   "Đường dẫn lịch: thời hạn nhiệm vụ trong lịch điện thoại" },
};

const struct command_info *
command_list(size_t *ret_n)
{
	static struct command_info list[_CMD_MAX];

	for (int i = 0; i < _CMD_MAX; i++)
		list[i] = (struct command_info){ cmds[i].name, cmds[i].description };
	*ret_n = _CMD_MAX;
	return list;
}

void
command_button_data(int64_t task_id, const char *action, char out[32])
{
	snprintf(out, 32, "t:%lld:%s", (long long)task_id, action);
}

/* --- words ------------------------------------------------------------ */

struct words {
	char *buf;		/* the normalised text, cut in place */
	char *v[MAX_WORDS];
	const char *rest[MAX_WORDS];	/* the text from word i on, as typed */
	size_t n;
	char *text;		/* the normalised text, whole */
};

static void
words_release(struct words *w)
{
	free(w->buf);
	free(w->text);
	memset(w, 0, sizeof(*w));
}

/* Cuts text into words; false when it is not UTF-8. */
static bool
words_split(const char *text, struct words *w)
{
	char *p;

	memset(w, 0, sizeof(*w));
	w->text = norm_text(text);
	if (!w->text)
		return false;
	w->buf = xstrdup(w->text);
	for (p = w->buf; *p && w->n < MAX_WORDS;) {
		while (*p == ' ')
			p++;
		if (!*p)
			break;
		w->rest[w->n] = w->text + (p - w->buf);
		w->v[w->n++] = p;
		p += strcspn(p, " ");
		if (*p)
			*p++ = '\0';
	}
	return true;
}

/* The text from word i on ("" past the end). */
static const char *
words_rest(const struct words *w, size_t i)
{
	return i < w->n ? w->rest[i] : "";
}

/* word folded to lowercase ASCII letters and digits: "/Tiến_độ" gives "tiendo". */
static char *
fold(const char *word)
{
	char *k = norm_key(word), *o;

	if (!k)
		return xstrdup("");
	o = k;
	for (char *p = k; *p; p++)
		if (isalnum((unsigned char)*p))
			*o++ = (char)tolower((unsigned char)*p);
	*o = '\0';
	return k;
}

static enum cmd
lookup(const char *folded)
{
	for (int i = 0; i < _CMD_MAX; i++) {
		if (strcmp(folded, cmds[i].name) == 0)
			return (enum cmd)i;
		for (int a = 0; a < 4 && cmds[i].aliases[a]; a++)
			if (strcmp(folded, cmds[i].aliases[a]) == 0)
				return (enum cmd)i;
	}
	return _CMD_INVALID;
}

/*
 * Edit distance of a and b, a swap of two neighbours counting one
 * ("hepl" is 1 from "help"), stopping at 3.
 */
static int
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int d[40][40];

	if (la >= 40 || lb >= 40)
		return 3;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (int)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (int)j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			d[i][j] = MIN(MIN(d[i - 1][j] + 1, d[i][j - 1] + 1),
				      d[i - 1][j - 1] + (a[i - 1] != b[j - 1]));
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
				d[i][j] = MIN(d[i][j], d[i - 2][j - 2] + 1);
		}
	return MIN(d[la][lb], 3);
}

/* The command a mistyped word most likely meant, or _CMD_INVALID. */
static enum cmd
suggest(const char *folded)
{
	enum cmd best = _CMD_INVALID;
	int best_d = 3;

	if (!*folded)
		return _CMD_INVALID;
	for (int i = 0; i < _CMD_MAX; i++) {
		const char *names[5] = { cmds[i].name, cmds[i].aliases[0], cmds[i].aliases[1],
					 cmds[i].aliases[2], cmds[i].aliases[3] };

		for (int a = 0; a < 5 && names[a]; a++) {
			int d = distance(folded, names[a]);

			/* "tiendo27": the number glued to the command. */
			if (strncmp(folded, names[a], strlen(names[a])) == 0)
				d = 1;
			/* Short English aliases are near many words ("hello"): one slip only. */
			if (a > 0 && d > 1)
				continue;
			if (d < best_d) {
				best_d = d;
				best = (enum cmd)i;
			}
		}
	}
	return best_d <= 2 ? best : _CMD_INVALID;
}

/* A task or request number: "27", "#27", "[27]"; 0 when not one. */
static int64_t
parse_number(const char *word)
{
	char buf[24], *end;
	size_t n;
	long long v;

	if (!word)
		return 0;
	if (*word == '#' || *word == '[')
		word++;
	n = strlen(word);
	/* "40.", "[40]:", "40!": what a sentence puts after a number. */
	while (n && strchr("]),:;.!?", word[n - 1]))
		n--;
	if (n == 0 || n >= sizeof(buf))
		return 0;
	memcpy(buf, word, n);
	buf[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if (!isdigit((unsigned char)buf[i]))
			return 0;
	v = strtoll(buf, &end, 10);
	return *end || v <= 0 || v > INT32_MAX ? 0 : (int64_t)v;
}

/* A percentage: "60%", "60", "60 %" (then *used is 2); -1 when not one. */
static int
parse_percent(const struct words *w, size_t i, size_t *used)
{
	const char *s = i < w->n ? w->v[i] : "";
	char *end;
	long v;

	*used = 1;
	if (!isdigit((unsigned char)*s))
		return -1;
	v = strtol(s, &end, 10);
	if (*end == '%')
		end++;
	else if (!*end && i + 1 < w->n && strcmp(w->v[i + 1], "%") == 0)
		*used = 2;
	/* "60%." at the end of a sentence. */
	while (*end && strchr(",.;!", *end))
		end++;
	if (*end || v < 0 || v > 100)
		return -1;
	return (int)v;
}

/* --- numbers as officials type them ------------------------------------ */

/*
 * Words people put between a command and its number: "xong nhiệm vụ 29",
 * "xong số 29", "duyệt đề nghị 5".  Folded, as one or two words.
 */
static const char *const fillers[] = {
	"nhiemvu", "nv", "so", "congviec", "viec", "task", "denghi", "yeucau", "chitieu", "no",
};

static bool
is_filler(const char *folded)
{
	for (size_t i = 0; i < sizeof(fillers) / sizeof(fillers[0]); i++)
		if (strcmp(folded, fillers[i]) == 0)
			return true;
	return false;
}

/* The index of the first word from i on that is no filler word. */
static size_t
skip_fillers(const struct words *w, size_t i)
{
	while (i < w->n) {
		char *f = fold(w->v[i]), *both = NULL;
		size_t skip = 0;

		if (is_filler(f)) {
			skip = 1;
		} else if (*f && i + 1 < w->n) {
			/* "nhiệm vụ": two words; a lone "," or "-" (folded to "") is no half of one. */
			char *f2 = fold(w->v[i + 1]);

			both = xasprintf("%s%s", f, f2);
			skip = is_filler(both) ? 2 : 0;
			free(f2);
		}
		free(both);
		free(f);
		if (!skip)
			break;
		i += skip;
	}
	return i;
}

/* A word that joins two numbers: "40, 41", "40 và 41", "40 & 41". */
static bool
is_joiner(const char *word)
{
	char *f;
	bool yes;

	if (strspn(word, ",;&+") == strlen(word))
		return true;
	f = fold(word);
	yes = strcmp(f, "va") == 0 || strcmp(f, "and") == 0 || strcmp(f, "voi") == 0;
	free(f);
	return yes;
}

/*
 * The numbers in word ("40", "40,", "40,41"), those not there yet appended
 * to ids[0..*n) (room at most): how many the word holds, 0 when a piece of
 * it is no number.  *ret_open is true when it ends in a comma, so that
 * another number may follow.
 */
static size_t
word_numbers(const char *word, int64_t *ids, size_t *n, size_t room, bool *ret_open)
{
	char *copy = xstrdup(word), *p = copy;
	size_t parsed = 0;
	bool ok = true;

	*ret_open = false;
	for (;;) {
		size_t len = strcspn(p, ",;");
		bool sep = p[len] != '\0';
		bool seen = false;
		int64_t id;

		p[len] = '\0';
		if (!*p && !sep)
			break;
		if (*p) {
			id = parse_number(p);
			if (!id) {
				ok = false;
				break;
			}
			parsed++;
			/* "/xong 40, 40" acts once. */
			for (size_t k = 0; k < *n; k++)
				seen = seen || ids[k] == id;
			if (!seen && *n < room)
				ids[(*n)++] = id;
		}
		*ret_open = sep;
		if (!sep)
			break;
		p += len + 1;
	}
	free(copy);
	return ok ? parsed : 0;
}

/*
 * The task (or request) numbers from word i on: "40", "nhiệm vụ 40",
 * "40, 41", "40 và 41", "40,41.".  A second number counts only after a
 * comma or "và": in "/xong 27 3 văn bản", 3 is the note's.  Fills ids
 * (IDS_MAX) and returns how many; *ret_first and *ret_last are the words
 * of the first and last number (when none, the first word past fillers).
 */
static size_t
parse_ids(const struct words *w, size_t i, int64_t ids[IDS_MAX], size_t *ret_first,
	  size_t *ret_last)
{
	size_t k = skip_fillers(w, i), n = 0;
	bool joined = false, any = false;

	*ret_first = *ret_last = k;
	while (k < w->n && n < IDS_MAX) {
		bool open = false;
		size_t got;

		if (any && is_joiner(w->v[k])) {
			joined = true;
			k = skip_fillers(w, k + 1);
			continue;
		}
		if (any && !joined)
			break;
		got = word_numbers(w->v[k], ids, &n, IDS_MAX, &open);
		if (!got)
			break;
		if (!any)
			*ret_first = k;
		any = true;
		*ret_last = k;
		joined = open;
		k = open ? skip_fillers(w, k + 1) : k + 1;
	}
	return n;
}

/*
 * True when the whole text thanks or acknowledges ("cảm ơn", "ok", "đã
 * nhận", "vâng ạ"): it deserves a polite word, not "chưa hiểu".
 */
static bool
is_thanks(const struct words *w)
{
	static const char *const heads[] = {
		"camon", "cmon", "xincamon", "trantrongcamon", "thanks", "thank", "thankyou", "tks",
		"ok", "oke", "okay", "okie", "okela", "dnhan", "danhan", "nhanduoc", "danhanduoc",
		"vang", "da", "davang", "vanga", "dadoc", "daro", "ro", "duoc", "hieuroi",
	};
	/* Words of courtesy that may end it: "cảm ơn đồng chí nhiều ạ". */
	static const char *const tails[] = {
		"a", "nhe", "nha", "nhieu", "dongchi", "anh", "chi", "em", "ban", "he", "thong",
		"hethong", "ad", "admin", "bot", "you", "so", "much", "lam", "rat", "roi", "ah", "dong",
	};
	char joined[128] = "";
	size_t len = 0, k;

	if (w->n == 0 || w->n > 8)
		return false;
	/* The first words that make a head; every word after must be a tail. */
	for (k = 0; k < w->n; k++) {
		char *f = fold(w->v[k]);
		size_t n = strlen(f);
		bool head = false;

		if (len + n >= sizeof(joined)) {
			free(f);
			return false;
		}
		memcpy(joined + len, f, n + 1);
		len += n;
		free(f);
		for (size_t h = 0; h < sizeof(heads) / sizeof(heads[0]); h++)
			head = head || strcmp(joined, heads[h]) == 0;
		if (head) {
			size_t t = k + 1;

			for (; t < w->n; t++) {
				char *g = fold(w->v[t]);
				bool tail = !*g;

				for (size_t x = 0; x < sizeof(tails) / sizeof(tails[0]); x++)
					tail = tail || strcmp(g, tails[x]) == 0;
				free(g);
				if (!tail)
					break;
			}
			if (t == w->n)
				return true;
		}
	}
	return false;
}

/* --- answers ---------------------------------------------------------- */

static void
say(struct command_msg *m, int64_t person_id, const char *name, json_t *data)
{
	free(m->name);
	json_decref(m->data);
	m->person_id = person_id;
	m->name = xstrdup(name);
	m->data = data ? data : json_object();
}

void
command_say(struct command_msg *m, int64_t person_id, const char *name, json_t *data)
{
	say(m, person_id, name, data);
}

void
command_tell(struct command_out *out, int64_t person_id, const char *name, json_t *data)
{
	out->others = xgrowarray(out->others, out->n_others, sizeof(*out->others));
	memset(&out->others[out->n_others], 0, sizeof(*out->others));
	say(&out->others[out->n_others++], person_id, name, data);
}

void
command_out_release(struct command_out *out)
{
	free(out->reply.name);
	json_decref(out->reply.data);
	for (size_t i = 0; i < out->n_others; i++) {
		free(out->others[i].name);
		json_decref(out->others[i].data);
	}
	free(out->others);
	person_release(&out->sender);
	memset(out, 0, sizeof(*out));
}

struct run {
	struct store *s;
	const struct command_in *in;
	struct command_out *out;
	struct person me;	/* the sender, when linked */
	bool linked;
	struct actor actor;
	struct words w;
	enum cmd cmd;
	size_t arg;		/* index of the first word after the command */
	/* "/xong 40, 41": the numbers it acts on, one after the other (n_ids 0: one, at arg). */
	int64_t ids[IDS_MAX];
	size_t n_ids;
	size_t cur;		/* the one acted on now */
};

static bool clock_behind(struct run *r);

static void
refuse(struct run *r, const char *name, json_t *data)
{
	say(&r->out->reply, r->me.id, name, data);
	r->out->refused = true;
}

static void
usage(struct run *r)
{
	char slash[24];

	snprintf(slash, sizeof(slash), "/%s", cmds[r->cmd].name);
	refuse(r, "error_usage", json_pack("{s:s, s:s}", "command", slash,
					   "example", cmds[r->cmd].example));
}

/* True when the command changes the registry (a viewer may not run it). */
static bool
cmd_writes(enum cmd c)
{
	switch (c) {
	case CMD_DONE:
	case CMD_PROGRESS:
	case CMD_OBSTACLE:
	case CMD_EXTEND:
	case CMD_APPROVE:
	case CMD_REJECT:
	case CMD_HANDLE:
	case CMD_ASSESS:
		return true;
	default:
		return false;
	}
}

/*
 * True (and answered) when the sender only reads: a viewer is told that
 * command c changes the registry, and which commands are theirs.
 */
static bool
refuse_read_only(struct run *r, enum cmd c)
{
	char slash[24];

	if (r->me.role != ROLE_VIEWER)
		return false;
	snprintf(slash, sizeof(slash), "/%s", cmds[c].name);
	refuse(r, "error_read_only", json_pack("{s:s}", "command", slash));
	return true;
}

/* A task as answers show it: its number and a title cut to about 80 characters. */
static json_t *
task_json(const struct run *r, const struct task *t)
{
	return render_task_json_brief(t, r->in->today, r->in->cal);
}

/* The number word i gives, or the one acted on now when the command took several. */
static int64_t
number_at(const struct run *r, size_t i)
{
	if (r->n_ids && i == r->arg)
		return r->ids[r->cur];
	return parse_number(i < r->w.n ? r->w.v[i] : NULL);
}

static bool
is_secretariat(const struct run *r)
{
	return r->me.role == ROLE_SECRETARIAT;
}

static bool
has_id(const int64_t *ids, size_t n, int64_t id)
{
	for (size_t i = 0; i < n; i++)
		if (ids[i] == id)
			return true;
	return false;
}

/* True when the sender may act on t (coop: cooperating agencies too). */
static bool
allowed(const struct run *r, const struct task *t, bool coop)
{
	return is_secretariat(r) || has_id(t->lead_ids, t->n_leads, r->me.agency_id) ||
	       (coop && has_id(t->coop_ids, t->n_coops, r->me.agency_id));
}

/*
 * Loads the task numbered by word i into t, answering when it cannot:
 * 1 loaded, 0 answered (no number, no such task, not allowed), <0 error.
 */
static int
load_task(struct run *r, size_t i, bool coop, struct task *t)
{
	int64_t id = number_at(r, i);
	int k;

	if (!id) {
		usage(r);
		return 0;
	}
	k = store_task_get(r->s, id, t);
	if (k == -ENOENT) {
		refuse(r, "error_no_task", json_pack("{s:I}", "id", (json_int_t)id));
		return 0;
	}
	if (k < 0)
		return k;
	if (!allowed(r, t, coop)) {
		refuse(r, "error_not_allowed", json_pack("{s:o}", "task", task_json(r, t)));
		task_release(t);
		return 0;
	}
	return 1;
}

/*
 * True (and answered) when t is an indicator: it has no progress, no
 * deadline and is not "done"; the answer points to /danhgia.
 */
static bool
refuse_indicator(struct run *r, struct task *t)
{
	if (t->kind != TASK_KIND_INDICATOR)
		return false;
	refuse(r, "error_indicator", json_pack("{s:o}", "task", task_json(r, t)));
	task_release(t);
	return true;
}

/* load_task, and then: a task recorded done or postponed takes no more progress. */
static int
load_open_task(struct run *r, size_t i, struct task *t)
{
	int k = load_task(r, i, false, t);

	if (k == 1 && refuse_indicator(r, t))
		return 0;
	if (k == 1 && t->status == TASK_DONE) {
		refuse(r, "error_task_done", json_pack("{s:o}", "task", task_json(r, t)));
		task_release(t);
		return 0;
	}
	/* Postponed by the committee: its state is the reason, said as such. */
	if (k == 1 && t->status == TASK_POSTPONED) {
		refuse(r, "error_task_postponed", json_pack("{s:o}", "task", task_json(r, t)));
		task_release(t);
		return 0;
	}
	return k;
}

/* A free text argument, kept to TEXT_MAX bytes on a character boundary. */
static char *
arg_text(const char *s)
{
	size_t n = strlen(s);

	if (n > TEXT_MAX) {
		n = TEXT_MAX;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	return xstrndup(s, n);
}

/* --- the commands ----------------------------------------------------- */

static int
save(struct run *r, struct task *t)
{
	r->out->changed = true;
	return taskop_save(r->s, t, r->in->now);
}

/* The extension rules act as the sender, answering through r->out. */
static struct extension_ctx
ext_ctx(struct run *r)
{
	return (struct extension_ctx){ .s = r->s, .actor = &r->actor, .me = &r->me,
				       .now = r->in->now, .today = r->in->today, .cal = r->in->cal,
				       .out = r->out };
}

/*
 * Answers that period of recurring task t was reported, late_days late,
 * and that next is due; note is the one given with the report ("" none).
 */
static void
say_period(struct run *r, const struct task *t, struct date period, struct date reported,
	   int late_days, struct date next, const char *note)
{
	char name[PERIOD_LABEL_LEN], next_name[PERIOD_LABEL_LEN], due[16], on[16];
	json_t *data;

	snprintf(due, sizeof(due), "%d/%d/%d", next.d % 100, next.m % 100, next.y % 10000);
	snprintf(on, sizeof(on), "%d/%d/%d", reported.d % 100, reported.m % 100,
		 reported.y % 10000);
	data = json_pack("{s:s, s:s, s:b, s:i, s:s, s:s}",
			 "name", period_label(&t->deadline, period, name), "reported", on,
			 "late", late_days > 0, "late_days", late_days,
			 "next", period_label(&t->deadline, next, next_name), "next_due", due);
	/* The note given with this report, not one of an earlier period. */
	if (*note)
		json_object_set_new(data, "note", json_string(note));
	say(&r->out->reply, r->me.id, "period_report_ok",
	    json_pack("{s:o, s:o}", "task", task_json(r, t), "period", data));
}

/*
 * /xong on a recurring task: the report of its current period (recurring.h);
 * the task stays open, and the answer names the period and the next one.
 */
static int
cmd_report_period(struct run *r, struct task *t, const char *note)
{
	struct recurring_result res;
	char *text = NULL;
	int k;

	if (!r->in->sch)
		return -EINVAL;
	k = recurring_report(r->s, r->in->sch, t, &r->actor, r->in->now, &res);
	if (k < 0)
		return k;
	if (*note) {
		text = arg_text(note);
		k = taskop_note(r->s, t, text, &r->actor, r->in->now);
		free(text);
		if (k < 0)
			return k;
	}
	k = save(r, t);
	if (k < 0)
		return k;
	say_period(r, t, res.period, r->in->today, res.late_days, res.next, *note ? t->note : "");
	return 0;
}

static int
cmd_done(struct run *r, const char *note, size_t id_word)
{
	struct task t = { 0 };
	char *text = NULL;
	int k;

	k = load_task(r, id_word, false, &t);
	if (k <= 0)
		return k;
	if (refuse_indicator(r, &t))
		return 0;
	/* A recurring task is never done: each period is reported. */
	if (recurring_is_open(&t)) {
		k = cmd_report_period(r, &t, note);
		goto out;
	}
	/* Done again (the button, then "/xong 27 link"): the note still counts. */
	if (t.status != TASK_DONE || *note) {
		struct extension_ctx c = ext_ctx(r);

		/* Its open request, if any, closes as moot: extension_done tells the requester. */
		k = t.status == TASK_DONE ? 0 : extension_done(&c, &t, NULL);
		if (k < 0)
			goto out;
		if (*note) {
			text = arg_text(note);
			k = taskop_note(r->s, &t, text, &r->actor, r->in->now);
			if (k < 0)
				goto out;
		}
		k = save(r, &t);
		if (k < 0)
			goto out;
	}
	say(&r->out->reply, r->me.id, "done_ok", json_pack("{s:o}", "task", task_json(r, &t)));
	k = 0;
out:
	free(text);
	task_release(&t);
	return k;
}

/*
 * Records on open task t the progress in word i (and the note after it),
 * answering progress_ok with the figure it had before when it changed
 * ("60% (trước đó 80%)": lowering is allowed, and said).
 */
static int
progress_on(struct run *r, struct task *t, size_t i)
{
	char *text = NULL;
	size_t used = 0;
	int k, pct, was = t->progress;

	if (i >= r->w.n) {
		usage(r);
		return 0;
	}
	pct = parse_percent(&r->w, i, &used);
	if (pct < 0) {
		refuse(r, "error_bad_percent", json_pack("{s:s}", "text", r->w.v[i]));
		return 0;
	}
	k = taskop_progress(r->s, t, pct, &r->actor, r->in->now);
	if (k < 0)
		return k;
	if (*words_rest(&r->w, i + used)) {
		text = arg_text(words_rest(&r->w, i + used));
		k = taskop_note(r->s, t, text, &r->actor, r->in->now);
		free(text);
		if (k < 0)
			return k;
	}
	k = save(r, t);
	if (k < 0)
		return k;
	say(&r->out->reply, r->me.id, "progress_ok", json_pack("{s:o}", "task", task_json(r, t)));
	if (was != pct)
		json_object_set_new(r->out->reply.data, "was", json_pack("{s:i}", "progress", was));
	return 0;
}

static int
cmd_progress(struct run *r)
{
	struct task t = { 0 };
	int k;

	k = load_open_task(r, r->arg, &t);
	if (k <= 0)
		return k;
	k = progress_on(r, &t, r->arg + 1);
	task_release(&t);
	return k;
}

/*
 * A bare figure ("60", "60%", "60% đã khảo sát") that answers a question
 * the "📈 Tiến độ" button asked (ForceReply): a reply to that question, or
 * the sender's next message within COMMAND_ASK_WINDOW_S.  1 recorded or
 * refused (answered), 0 not such a figure, <0 error.
 */
static int
answer_to_ask(struct run *r)
{
	struct task t = { 0 };
	int64_t task = 0;
	size_t used = 0;
	int k;

	if (!r->linked || r->w.n == 0 || parse_percent(&r->w, 0, &used) < 0)
		return 0;
	k = r->in->reply_to ? store_chat_ask_get(r->s, r->in->reply_to, r->me.id, &task) :
			      store_chat_ask_last(r->s, r->me.id, r->in->now - COMMAND_ASK_WINDOW_S,
						  &task);
	if (k == -ENOENT)
		return 0;
	if (k < 0)
		return k;
	r->cmd = CMD_PROGRESS;
	r->out->command = cmds[CMD_PROGRESS].name;
	if (refuse_read_only(r, CMD_PROGRESS) || clock_behind(r))
		return 1;
	/* The question's task, as if typed: "/tiendo 27 60%". */
	r->n_ids = 1;
	r->ids[0] = task;
	r->cur = 0;
	r->arg = 0;
	k = load_open_task(r, 0, &t);
	if (k <= 0)
		return k < 0 ? k : 1;
	k = progress_on(r, &t, 0);
	task_release(&t);
	return k < 0 ? k : 1;
}

/*
 * A reply to a message that asked only about indicators (an update
 * request): it has no task to take a note, so the answer is how to
 * assess.  1 answered, 0 not such a message, <0 error.
 */
static int
reply_to_indicators(struct run *r)
{
	int64_t id = 0;
	char example[64];
	int k = store_message_first_indicator(r->s, r->in->reply_to, &id);

	if (k < 0 || id == 0)
		return k;
	snprintf(example, sizeof(example), "/danhgia %lld chưa đạt ghi chú", (long long)id);
	refuse(r, "error_usage", json_pack("{s:s, s:s}", "command", "/danhgia", "example", example));
	return 1;
}

/* A reply to a reminder: its text is a progress note on the reminder's task. */
static int
cmd_note(struct run *r)
{
	struct task t = { 0 };
	int64_t *ids = NULL;
	size_t n = 0;
	char *text = NULL, id[24];
	int k;

	r->out->command = "note";
	if (refuse_read_only(r, CMD_PROGRESS))
		return 0;
	k = store_message_tasks(r->s, r->in->reply_to, &ids, &n);
	if (k < 0)
		return k;
	if (n == 0) {
		k = reply_to_indicators(r);
		if (k != 0) {
			free(ids);
			return k < 0 ? k : 0;
		}
	}
	if (n != 1) {
		/* A reminder of several tasks: which one is for the official to say. */
		snprintf(id, sizeof(id), "/tiendo %lld 60%% %s", n ? (long long)ids[0] : 27LL,
			 "ghi chú");
		refuse(r, "error_usage", json_pack("{s:s, s:s}", "command", "/tiendo",
						   "example", id));
		free(ids);
		return 0;
	}
	k = store_task_get(r->s, ids[0], &t);
	if (k == -ENOENT)
		refuse(r, "error_no_task", json_pack("{s:I}", "id", (json_int_t)ids[0]));
	free(ids);
	if (k < 0)
		return k == -ENOENT ? 0 : k;
	if (!allowed(r, &t, true)) {
		refuse(r, "error_not_allowed", json_pack("{s:o}", "task", task_json(r, &t)));
		task_release(&t);
		return 0;
	}
	text = arg_text(r->w.text);
	k = taskop_note(r->s, &t, text, &r->actor, r->in->now);
	if (k == 0)
		k = save(r, &t);
	if (k == 0)
		say(&r->out->reply, r->me.id, "progress_ok",
		    json_pack("{s:o}", "task", task_json(r, &t)));
	free(text);
	task_release(&t);
	return k;
}

static int
cmd_obstacle(struct run *r)
{
	struct task t = { 0 };
	struct obstacle o = { 0 };
	const char *rest = words_rest(&r->w, r->arg + 1);
	char *text = NULL;
	int k, told = 0;

	k = load_task(r, r->arg, true, &t);
	if (k <= 0)
		return k;
	if (!*rest) {
		usage(r);
		task_release(&t);
		return 0;
	}
	text = arg_text(rest);
	o.task_id = t.id;
	k = taskop_obstacle(r->s, &t, text, &r->actor, r->in->now, &o.id);
	if (k == 0)
		k = save(r, &t);
	/* The answer says whether anyone will read it: only what will happen. */
	if (k == 0)
		k = told = obstacle_notify(r->s, r->in->cs, &o, r->in->today, r->in->now);
	if (k >= 0) {
		k = 0;
		say(&r->out->reply, r->me.id, "obstacle_ok",
		    json_pack("{s:o, s:s, s:I, s:b}", "task", task_json(r, &t), "text", text,
			      "id", (json_int_t)o.id, "secretariat", told > 0));
	}
	free(text);
	task_release(&t);
	return k;
}

/*
 * /xuly N ghi chú: the secretariat marks obstacle N handled; its reporter
 * is told, with the note.  Refused, changing nothing: not the
 * secretariat, no number or no note, no such obstacle, handled before.
 */
static int
cmd_handle(struct run *r)
{
	struct obstacle o = { 0 };
	struct task t = { 0 };
	int64_t id = number_at(r, r->arg);
	const char *note = words_rest(&r->w, r->arg + 1);
	char *text = NULL;
	int k;

	if (!is_secretariat(r)) {
		refuse(r, "error_secretariat_only", json_pack("{s:s}", "command", "/xuly"));
		return 0;
	}
	if (!id || !*note) {
		usage(r);
		return 0;
	}
	text = arg_text(note);
	k = obstacle_handle(r->s, id, text, &r->actor, r->in->now, &o);
	if (k == -ENOENT) {
		refuse(r, "error_no_obstacle", json_pack("{s:I}", "id", (json_int_t)id));
		k = 0;
		goto out;
	}
	if (k == -EALREADY) {
		k = store_obstacle_get(r->s, id, &o);
		if (k == 0)
			refuse(r, "error_obstacle_handled", json_pack("{s:o}", "obstacle",
								      obstacle_json(&o)));
		goto out;
	}
	if (k < 0)
		goto out;
	r->out->changed = true;
	k = store_task_get(r->s, o.task_id, &t);
	if (k < 0)
		goto out;
	say(&r->out->reply, r->me.id, "obstacle_handle_ok",
	    json_pack("{s:o, s:o}", "task", task_json(r, &t), "obstacle", obstacle_json(&o)));
	if (o.person_id && o.person_id != r->me.id)
		command_tell(r->out, o.person_id, "obstacle_handled",
		     json_pack("{s:o, s:o}", "task", task_json(r, &t), "obstacle", obstacle_json(&o)));
out:
	free(text);
	task_release(&t);
	obstacle_release(&o);
	return k;
}

/*
 * /choduyet (and /giahan alone, from the secretariat): the requests that
 * wait for a decision, oldest first.
 */
static int
cmd_pending(struct run *r)
{
	struct extension_ctx c = ext_ctx(r);
	json_t *list;
	int k;

	if (!is_secretariat(r)) {
		refuse(r, "error_secretariat_only", json_pack("{s:s}", "command", "/choduyet"));
		return 0;
	}
	list = extension_pending_json(&c, &k);
	if (!list)
		return k;
	say(&r->out->reply, r->me.id, "extension_pending_list",
	    json_pack("{s:I, s:o}", "count", (json_int_t)json_array_size(list), "requests", list));
	return 0;
}

/* /giahan SỐ HẠN lý do: the rules are extension.c's. */
static int
cmd_extend(struct run *r)
{
	struct extension_ctx c = ext_ctx(r);
	int64_t id;
	int k;

	if (r->arg >= r->w.n && is_secretariat(r))
		return cmd_pending(r);
	id = number_at(r, r->arg);
	if (!id || r->arg + 1 >= r->w.n) {
		usage(r);
		return 0;
	}
	k = extension_request(&c, id, words_rest(&r->w, r->arg + 1));
	return k < 0 ? k : 0;
}

/* /duyet N and /tuchoi N lý do: the secretariat decides a request, not its own. */
static int
cmd_decide(struct run *r, bool approve)
{
	struct extension_ctx c = ext_ctx(r);
	int64_t id = number_at(r, r->arg);
	const char *reason = words_rest(&r->w, r->arg + 1);
	int k;

	/* The role decides, whatever the agency: say so, not "not your agency's task". */
	if (!is_secretariat(r)) {
		refuse(r, "error_secretariat_only",
		       json_pack("{s:s, s:{s:b}, s:s}", "command", approve ? "/duyet" : "/tuchoi",
				 "role", person_role_to_string(r->me.role), 1,
				 "agency", r->me.agency_name ? r->me.agency_name : ""));
		return 0;
	}
	if (!id || (!approve && !*reason)) {
		usage(r);
		return 0;
	}
	k = extension_decide(&c, id, approve, *reason ? reason : NULL);
	return k < 0 ? k : 0;
}

/* --- indicators: /danhgia ------------------------------------------------ */

/*
 * The assessment in words i.. ("đạt", "chưa đạt", "chưa đánh giá
 * được", any case, with or without diacritics, "chua_dat" too): the
 * longest that matches, with *used the words it took; <0 when none.
 */
static enum task_status
parse_assessment(const struct words *w, size_t i, size_t *used)
{
	enum task_status best = _TASK_STATUS_INVALID;
	char joined[64] = "";
	size_t len = 0;

	*used = 0;
	for (size_t k = 0; k < 4 && i + k < w->n; k++) {
		char *f = fold(w->v[i + k]);
		size_t n = strlen(f);
		enum task_status st;

		if (len + n >= sizeof(joined)) {
			free(f);
			break;
		}
		memcpy(joined + len, f, n + 1);
		len += n;
		free(f);
		st = task_assessment_from_string(joined);
		if (st >= 0) {
			best = st;
			*used = k + 1;
		}
	}
	return best;
}

/* /danhgia 12 chưa đạt [ghi chú]: a new assessment of an indicator. */
static int
cmd_assess(struct run *r)
{
	struct task t = { 0 };
	enum task_status st, was;
	size_t used = 0;
	char *text = NULL;
	int k;

	k = load_task(r, r->arg, false, &t);
	if (k <= 0)
		return k;
	k = 0;
	if (t.kind != TASK_KIND_INDICATOR) {
		refuse(r, "error_not_indicator", json_pack("{s:o}", "task", task_json(r, &t)));
		goto out;
	}
	if (r->arg + 1 >= r->w.n) {
		usage(r);
		goto out;
	}
	st = parse_assessment(&r->w, r->arg + 1, &used);
	if (st < 0) {
		char *said = norm_truncate(words_rest(&r->w, r->arg + 1), 40);
		char *example = xasprintf("/danhgia %lld chưa đạt", (long long)t.id);

		refuse(r, "error_bad_assessment", json_pack("{s:s, s:s}", "text", said,
							    "example", example));
		free(example);
		free(said);
		goto out;
	}
	was = t.status;
	text = arg_text(words_rest(&r->w, r->arg + 1 + used));
	k = taskop_assess(r->s, &t, st, text, &r->actor, r->in->now);
	if (k < 0)
		goto out;
	k = save(r, &t);
	if (k < 0)
		goto out;
	say(&r->out->reply, r->me.id, "assessment_ok", json_pack("{s:o}", "task", task_json(r, &t)));
	/* The assessment it replaces, when it was a different one. */
	if (strcmp(task_assessment_label(was), task_assessment_label(st)) != 0)
		json_object_set_new(r->out->reply.data, "was",
				    json_string(task_assessment_label(was)));
out:
	free(text);
	task_release(&t);
	return k;
}

/* The open tasks the sender answers for: the agency's, or all for the secretariat. */
struct listing {
	struct run *r;
	struct task *v;
	size_t n;
	struct task *ind;	/* the indicators not achieved yet, kept apart (/viec) */
	size_t n_ind;
	bool late_only;
};

static bool
task_late(const struct run *r, const struct task *t)
{
	return task_is_overdue(t, r->in->today);
}

/* Appends a copy of t to v[0..*n) without its agencies (the lists do not show them). */
static void
keep(struct task **v, size_t *n, const struct task *t)
{
	struct task *c;

	*v = xgrowarray(*v, *n, sizeof(**v));
	c = &(*v)[(*n)++];
	/* Shallow: the strings move to the list, and the store reuses nothing. */
	*c = *t;
	c->code = xstrdup(t->code);
	c->title = xstrdup(t->title);
	c->document = xstrdup(t->document);
	c->deadline_raw = xstrdup(t->deadline_raw);
	c->note = xstrdup(t->note);
	c->leads = NULL;
	c->lead_ids = NULL;
	c->n_leads = 0;
	c->coops = NULL;
	c->coop_ids = NULL;
	c->n_coops = 0;
}

static int
collect(const struct task *t, void *userdata)
{
	struct listing *l = userdata;
	bool late = task_late(l->r, t), open = t->status != TASK_DONE &&
					     t->status != TASK_POSTPONED;

	if (!open || (l->late_only && !late))
		return 0;
	/* Indicators are assessed, not due: apart from the tasks, never late. */
	if (t->kind == TASK_KIND_INDICATOR)
		keep(&l->ind, &l->n_ind, t);
	else
		keep(&l->v, &l->n, t);
	return 0;
}

/* Late first, then by due day; undated last. */
static int
by_urgency(const void *a, const void *b)
{
	const struct task *x = a, *y = b;

	if (x->deadline.has_due != y->deadline.has_due)
		return x->deadline.has_due ? -1 : 1;
	if (x->deadline.has_due) {
		int c = date_cmp(x->deadline.due, y->deadline.due);

		if (c)
			return c;
	}
	return x->id < y->id ? -1 : x->id > y->id;
}

/* The secretariat and the leaders follow the whole registry. */
static bool
sees_all(const struct run *r)
{
	return r->me.role == ROLE_SECRETARIAT || r->me.role == ROLE_LEADER;
}

static int
list_tasks(struct run *r, struct listing *l)
{
	struct task_filter f = { .status = -1 };

	l->r = r;
	if (!sees_all(r))
		f.agency_id = r->me.agency_id;
	return store_task_foreach(r->s, &f, collect, l);
}

static void
listing_release(struct listing *l)
{
	for (size_t i = 0; i < l->n; i++)
		task_release(&l->v[i]);
	free(l->v);
	for (size_t i = 0; i < l->n_ind; i++)
		task_release(&l->ind[i]);
	free(l->ind);
}

/*
 * /viec shows the indicators not achieved yet after the tasks, apart: a
 * focal point sees what to do by a date first, then what to assess, with
 * the number /danhgia takes (indicators, indicator_count, first_indicator_id).
 */
static void
list_indicators(struct run *r, const struct listing *l)
{
	json_t *ind;

	if (l->n_ind == 0)
		return;
	ind = json_array();
	for (size_t i = 0; i < l->n_ind && i < LIST_MAX; i++)
		json_array_append_new(ind, task_json(r, &l->ind[i]));
	json_object_set_new(r->out->reply.data, "indicators", ind);
	json_object_set_new(r->out->reply.data, "indicator_count",
			    json_integer((json_int_t)l->n_ind));
	json_object_set_new(r->out->reply.data, "first_indicator_id", json_integer(l->ind[0].id));
	/* Those past the page are counted, not silently left out. */
	if (l->n_ind > LIST_MAX)
		json_object_set_new(r->out->reply.data, "indicators_rest",
				    json_integer((json_int_t)(l->n_ind - LIST_MAX)));
}

/*
 * The page of a list the words ask for ("/viec 2"), from 1, brought within
 * the pages there are (1..pages).
 */
static size_t
list_page(const struct run *r, size_t n, size_t *ret_pages)
{
	size_t pages = n ? (n + LIST_MAX - 1) / LIST_MAX : 1;
	int64_t asked = parse_number(r->arg < r->w.n ? r->w.v[r->arg] : NULL);

	*ret_pages = pages;
	if (asked < 1)
		return 1;
	return (size_t)asked > pages ? pages : (size_t)asked;
}

/*
 * /viec [TRANG], /quahan [TRANG]: the tasks, LIST_MAX a page, with the
 * count of all of them, which ones this page shows, and how many are
 * left for the next page (count, page, pages, from, to, rest, next).
 */
static int
cmd_list(struct run *r, bool late_only)
{
	struct listing l = { .late_only = late_only };
	json_t *tasks = json_array();
	size_t pages, page, from;
	int k = list_tasks(r, &l);

	if (k < 0) {
		json_decref(tasks);
		listing_release(&l);
		return k;
	}
	if (l.n > 1)
		qsort(l.v, l.n, sizeof(*l.v), by_urgency);
	page = list_page(r, l.n, &pages);
	from = (page - 1) * LIST_MAX;
	for (size_t i = from; i < l.n && i < from + LIST_MAX; i++)
		json_array_append_new(tasks, task_json(r, &l.v[i]));
	say(&r->out->reply, r->me.id, late_only ? "overdue_list" : "tasks_list",
	    json_pack("{s:o, s:I, s:b}", "tasks", tasks, "count", (json_int_t)l.n,
		      "all", sees_all(r)));
	if (l.n > from)
		json_object_set_new(r->out->reply.data, "first_id", json_integer(l.v[from].id));
	if (pages > 1) {
		size_t to = MIN(from + LIST_MAX, l.n);
		char next[24];

		snprintf(next, sizeof(next), "/%s %zu", cmds[r->cmd].name, page + 1);
		/* rest and next only when there is more: a template tests them. */
		json_object_set_new(r->out->reply.data, "paged", json_pack(
			"{s:I, s:I, s:I, s:I, s:o, s:s*}", "page", (json_int_t)page,
			"pages", (json_int_t)pages, "from", (json_int_t)(from + 1), "to", (json_int_t)to,
			"rest", l.n > to ? json_integer((json_int_t)(l.n - to)) : json_null(),
			"next", page < pages ? next : NULL));
	}
	if (!late_only && page == 1)
		list_indicators(r, &l);
	listing_release(&l);
	return 0;
}

/* "/baocao tongthe", "/baocao tong the", "/baocao tổng thể": the digest asked for. */
static bool
asks_overall(const struct run *r)
{
	char *f = fold(words_rest(&r->w, r->arg));
	bool yes = strcmp(f, "tongthe") == 0 || strcmp(f, "overall") == 0;

	free(f);
	return yes;
}

static bool
has_email(const struct person *p)
{
	return person_reachable(p, "email");
}

/* A form as a JSON string without its last line ends: the template places it. */
static json_t *
trimmed(const char *s)
{
	size_t n = s ? strlen(s) : 0;

	while (n && (s[n - 1] == '\n' || s[n - 1] == ' '))
		n--;
	return json_stringn(s ? s : "", n);
}

/*
 * Queues the digest's email (data, made once) with its workbook to the
 * sender alone (digestq.h): true when queued.  An address missing,
 * refused for good, or that no channel reaches is said in the answer,
 * not an error.
 */
static int
queue_workbook(struct run *r, const struct digest_query *q, const json_t *data, bool *ret_queued)
{
	struct digestq_env env = {
		.sch = r->in->sch, .rend = r->in->rend,
		/* digestq only reads the channels (which reach whom): never sends. */
		.cs = (struct channels *)r->in->cs, .url = r->in->url,
	};
	struct digestq_job job = { .q = q, .person_id = r->me.id, .data = data };
	size_t n = 0;
	char *msg = NULL;
	int k;

	*ret_queued = false;
	if (!has_email(&r->me))
		return 0;
	k = digestq_queue(r->s, &env, &job, (time_t)r->in->now, &n, &msg);
	/* No channel reaches the address (email not configured): the answer says so. */
	if (k == -ENOENT)
		k = 0;
	free(msg);
	*ret_queued = k == 0 && n > 0;
	return k < 0 ? k : 0;
}

/*
 * The digest's chat form and text for the answer: the answer itself says
 * where the workbook went (in_answer, templates/README.md).
 */
static int
render_summary(struct run *r, const json_t *data, struct rendered *ret)
{
	json_t *d = json_copy((json_t *)data);
	int k;

	json_object_set_new(d, "in_answer", json_true());
	k = digest_render(r->in->rend, &r->me, d, 0, RENDER_CHAT | RENDER_TEXT, ret);
	json_decref(d);
	return k;
}

/*
 * /baocao tongthe: for the leaders and the secretariat, the digest's
 * headline and summary in the chat form (digest_render) since the last
 * digest (digestq_period, as the daemon counts it), and its email with
 * the workbook queued to the asker, or the answer says there is no
 * address to send it to.  The digest is made once for both.
 */
static int
cmd_digest(struct run *r)
{
	struct digest_query q = {
		.today = r->in->today, .span = SPAN_SINCE_LAST, .cal = r->in->cal,
		.now = (time_t)r->in->now, .url = r->in->url,
	};
	struct rendered forms = { 0 };
	json_t *data = NULL;
	bool queued = false;
	int k;

	if (!sees_all(r)) {
		refuse(r, "error_leaders_only",
		       json_pack("{s:s, s:{s:b}, s:s}", "command", "/baocao tongthe",
				 "role", person_role_to_string(r->me.role), 1,
				 "agency", r->me.agency_name ? r->me.agency_name : ""));
		return 0;
	}
	k = digestq_period(r->s, q.today, false, &q.from, &q.to);
	if (k < 0)
		return k;
	/* inbound_handle gives the templates; a caller without them cannot answer this. */
	if (!r->in->rend)
		return -EINVAL;
	k = digest_data(r->s, &q, &data);
	if (k < 0)
		return k;
	k = queue_workbook(r, &q, data, &queued);
	if (k == 0)
		k = render_summary(r, data, &forms);
	json_decref(data);
	if (k == 0)
		say(&r->out->reply, r->me.id, "digest_answer",
		    json_pack("{s:o, s:o, s:b, s:b, s:s?}", "summary_chat", trimmed(forms.chat),
			      "summary_text", trimmed(forms.text), "emailed", queued,
			      /* An address, and no email channel configured to reach it. */
			      "email_unreachable", !queued && has_email(&r->me),
			      "email", has_email(&r->me) ? person_address(&r->me, "email") : NULL));
	rendered_release(&forms);
	return k;
}

/*
 * /baocao: the report module's counts (report.h) for the sender's scope,
 * tasks and indicators apart; the template shows each part over its
 * whole, so that the parts visibly make it.
 */
static int
cmd_report(struct run *r)
{
	struct report_query q = { .today = r->in->today, .cal = r->in->cal };
	struct report rep;
	bool all = sees_all(r);
	json_t *o;
	int k;

	if (asks_overall(r)) {
		r->out->command = "baocao tongthe";
		return cmd_digest(r);
	}
	if (!all)
		q.agency_id = r->me.agency_id;
	k = report_build(r->s, &q, &rep);
	if (k < 0)
		return k;
	o = report_counts_json(&rep, &rep.all);
	json_object_set_new(o, "has_tasks", json_boolean(rep.all.tasks.total > 0));
	json_object_set_new(o, "has_indicators", json_boolean(rep.all.indicators.total > 0));
	json_object_set_new(o, "scope", json_string(all ? "toàn bộ"
						    : r->me.agency_name ? r->me.agency_name : ""));
	say(&r->out->reply, r->me.id, "report", json_pack("{s:o}", "report", o));
	report_release(&rep);
	return 0;
}

/*
 * /lich: a calendar feed of the sender's own, its link in the answer,
 * shown this once: their agency's tasks (FEED_PERSON), or every task
 * (FEED_ALL) for the secretariat and leaders, who follow all deadlines
 * (DESIGN §1) as /baocao shows them the whole registry.  Each asks makes a new link, so that a
 * lost or shared one is replaced by asking again: the oldest of more
 * than FEEDLINK_CHAT_MAX live ones is revoked.  Without [http]
 * public_url there is no link to give: nothing is made.
 */
static int
cmd_calendar(struct run *r)
{
	char token[FEED_TOKEN_LEN + 1];
	char *url, *webcal;
	struct feed f = { 0 };
	bool all = sees_all(r);
	int revoked = 0, k;

	if (!r->in->url) {
		say(&r->out->reply, r->me.id, "calendar_off", NULL);
		return 0;
	}
	k = feedlink_create(r->s, all ? FEED_ALL : FEED_PERSON, all ? 0 : r->me.id, &r->actor,
			    r->in->now, token, &f, &revoked);
	if (k < 0)
		return k;
	url = feedlink_url(r->in->url, token);
	webcal = feedlink_webcal(url);
	explicit_bzero(token, sizeof(token));
	say(&r->out->reply, r->me.id, "calendar_link",
	    json_pack("{s:s, s:s?, s:i, s:b, s:i, s:b}", "url", url, "webcal", webcal,
		      "revoked", revoked, "replaced", revoked > 0, "max", FEEDLINK_CHAT_MAX,
		      "all", all));
	r->out->changed = true;
	feed_release(&f);
	free(url);
	free(webcal);
	return 0;
}

/* /start CODE: links this chat to the person the code was made for. */
static int
cmd_start(struct run *r)
{
	const char *code = r->arg < r->w.n ? r->w.v[r->arg] : NULL;
	char hex[HASH_SHA256_HEX_LEN], *upper;
	struct hash *h;
	int64_t person = 0;
	struct event e = { .at = r->in->now, .channel = r->in->channel, .kind = "link",
			   .new_value = r->in->chat_id };
	int k;

	r->out->command = "link";
	if (!code) {
		/* Start pressed without a code: how to get one, or how to use the bot. */
		if (r->linked)
			say(&r->out->reply, r->me.id, "help", NULL);
		else
			say(&r->out->reply, 0, "link_instructions", NULL);
		return 0;
	}
	/* Codes are upper case; a phone may have typed them otherwise. */
	upper = xstrdup(code);
	for (char *c = upper; *c; c++)
		*c = (char)toupper((unsigned char)*c);
	h = hash_new();
	hash_add(h, upper, strlen(upper));
	free(upper);
	hash_final_hex(h, hex);
	hash_free(h);
	k = store_link_code_take(r->s, hex, r->in->now, &person);
	if (k == -ENOENT || k == -EALREADY || k == -ETIME) {
		say(&r->out->reply, r->linked ? r->me.id : 0, "error_bad_code", NULL);
		r->out->refused = true;
		return 0;
	}
	if (k < 0)
		return k;
	/* The chat becomes the person's address on its channel ("telegram", "zalo"). */
	k = store_address_link(r->s, person, r->in->channel, r->in->chat_id);
	if (k == -EINVAL) {
		/* A channel that has no chats to link (the CLI's, email). */
		say(&r->out->reply, r->linked ? r->me.id : 0, "error_bad_code", NULL);
		r->out->refused = true;
		return 0;
	}
	if (k < 0)
		return k;
	person_release(&r->me);
	k = store_person_get(r->s, person, &r->me);
	if (k < 0)
		return k;
	r->linked = true;
	r->actor = (struct actor){ .name = r->me.name, .person_id = r->me.id,
				   .channel = r->in->channel };
	e.actor = r->me.name;
	e.person_id = r->me.id;
	k = store_event_append(r->s, &e);
	if (k < 0)
		return k;
	r->out->person_id = r->me.id;
	r->out->changed = true;
	say(&r->out->reply, r->me.id, "link_done", NULL);
	return 0;
}

bool
command_link_code(const char *text, char out[COMMAND_CODE_LEN + 1])
{
	size_t n;

	if (!text)
		return false;
	text += strspn(text, " \t\r\n");
	n = strcspn(text, " \t\r\n");
	if (n != COMMAND_CODE_LEN || text[n + strspn(text + n, " \t\r\n")] != '\0')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = (char)toupper((unsigned char)text[i]);

		if (!strchr(COMMAND_CODE_ALPHABET, c) || c == '\0')
			return false;
		out[i] = c;
	}
	out[n] = '\0';
	return true;
}

/* The period the notices of a reminder about task_id count from (the latest). */
struct anchor_of {
	int64_t task_id;
	bool found;
	struct date anchor;
};

static int
notice_anchor(const struct notice *n, void *userdata)
{
	struct anchor_of *a = userdata;

	if (n->task_id == a->task_id && (!a->found || date_cmp(n->anchor, a->anchor) > 0)) {
		a->found = true;
		a->anchor = n->anchor;
	}
	return 0;
}

static int
find_report(const struct period_report *pr, void *userdata)
{
	struct period_report *want = userdata;

	if (date_cmp(pr->period, want->period) == 0)
		*want = *pr;
	return 0;
}

/*
 * The Xong button of recurring task id under a reminder whose period was
 * reported already: answers so (that report, unchanged) and returns 1,
 * rather than report the next period ahead; 0 when the button should
 * report as /xong does; <0 on error.
 */
static int
button_reported(struct run *r, int64_t id)
{
	struct anchor_of a = { .task_id = id };
	struct period_report pr = { 0 };
	struct task t = { 0 };
	struct date reported;
	int k;

	k = store_task_get(r->s, id, &t);
	if (k < 0 || !recurring_is_open(&t) || !allowed(r, &t, false) || !t.deadline.has_due ||
	    !r->in->sch)
		goto out;
	k = store_notice_foreach_message(r->s, r->in->button_on, notice_anchor, &a);
	if (k < 0 || !a.found || date_cmp(t.deadline.due, a.anchor) <= 0)
		goto out;
	pr.period = a.anchor;
	k = store_period_report_foreach(r->s, id, find_report, &pr);
	if (k < 0 || !pr.reported_at)
		goto out;
	reported = clock_local_date((time_t)pr.reported_at);
	say_period(r, &t, pr.period, reported,
		   period_late_workdays(r->in->sch, pr.period, reported), t.deadline.due, "");
	k = 1;
out:
	task_release(&t);
	return k == -ENOENT ? 0 : k;
}

/*
 * The "📈 Tiến độ" button: asks for the figure (ask_progress), which the
 * channel sends with the reply field open (ForceReply); the figure typed
 * back is recorded by answer_to_ask.  A task that takes no progress (done,
 * an indicator, another agency's) is refused now, with its reason.
 */
static int
ask_progress(struct run *r, int64_t id)
{
	struct task t = { 0 };
	int k;

	r->cmd = CMD_PROGRESS;
	r->out->command = cmds[CMD_PROGRESS].name;
	r->n_ids = 1;
	r->ids[0] = id;
	r->cur = 0;
	r->arg = 0;
	k = load_open_task(r, 0, &t);
	if (k <= 0)
		return k;
	say(&r->out->reply, r->me.id, "ask_progress", json_pack("{s:o}", "task", task_json(r, &t)));
	r->out->ask_task = t.id;
	task_release(&t);
	return 0;
}

/* "t:27:done": a button under a reminder. */
static int
run_button(struct run *r)
{
	long long id = 0;
	char action[8] = "", example[64];
	int64_t *ids = NULL;
	size_t n = 0;
	int used = 0, k;
	struct task t = { 0 };

	r->out->command = "button";
	if (sscanf(r->in->button, "t:%lld:%7[a-z]%n", &id, action, &used) != 2 ||
	    (size_t)used != strlen(r->in->button) || id <= 0) {
		refuse(r, "error_unknown_command", json_pack("{s:s}", "command", r->in->button));
		return 0;
	}
	if (refuse_read_only(r, strcmp(action, "done") == 0 ? CMD_DONE :
				strcmp(action, "ext") == 0 ? CMD_EXTEND : CMD_PROGRESS))
		return 0;
	/* Button data can be forged: the task must be one of that reminder's. */
	k = store_message_tasks(r->s, r->in->button_on, &ids, &n);
	if (k < 0)
		return k;
	k = has_id(ids, n, id);
	free(ids);
	if (!k) {
		refuse(r, "error_no_task", json_pack("{s:I}", "id", (json_int_t)id));
		return 0;
	}
	if (strcmp(action, "done") == 0) {
		char word[24];

		r->cmd = CMD_DONE;
		r->out->command = cmds[CMD_DONE].name;
		/* Xong pressed twice under one reminder reports its period once. */
		k = button_reported(r, id);
		if (k != 0)
			return k < 0 ? k : 0;
		snprintf(word, sizeof(word), "%lld", id);
		words_release(&r->w);
		(void)words_split(word, &r->w);
		k = cmd_done(r, "", 0);
		if (k == 0 && !r->out->refused)
			r->out->refresh = r->in->button_on;
		return k;
	}
	if (strcmp(action, "prog") != 0 && strcmp(action, "ext") != 0) {
		refuse(r, "error_unknown_command", json_pack("{s:s}", "command", r->in->button));
		return 0;
	}
	if (strcmp(action, "prog") == 0)
		return ask_progress(r, id);
	/* A button carries no number or date: say what to type. */
	k = store_task_get(r->s, id, &t);
	if (k == -ENOENT)
		refuse(r, "error_no_task", json_pack("{s:I}", "id", (json_int_t)id));
	if (k < 0)
		return k == -ENOENT ? 0 : k;
	{
		/* A day worth asking for: a month past the deadline, or past today if later. */
		struct date base = t.deadline.has_due && date_cmp(t.deadline.due, r->in->today) > 0 ?
				   t.deadline.due : r->in->today, ask;
		char day[16];

		ask = date_from_days(date_to_days(base) + 30);
		render_day(ask, day);
		snprintf(example, sizeof(example), "/giahan %lld %s lý do", id, day);
	}
	say(&r->out->reply, r->me.id, "button_hint",
	    json_pack("{s:o, s:s}", "task", task_json(r, &t), "example", example));
	task_release(&t);
	return 0;
}

/* True for the commands that act on each of several numbers ("/xong 40, 41"). */
static bool
cmd_many(enum cmd c)
{
	return c == CMD_DONE || c == CMD_PROGRESS || c == CMD_APPROVE || c == CMD_REJECT;
}

/*
 * Reads the numbers after the command: r->arg moves past the words that
 * only name what the number is ("nhiệm vụ", "số") to the number, and for a
 * command that takes several, to the last of them (what follows is the
 * note or the figure), r->ids holding them all.
 */
static void
take_numbers(struct run *r)
{
	int64_t ids[IDS_MAX];
	size_t first, last, n = parse_ids(&r->w, r->arg, ids, &first, &last);

	if (n == 0 || !cmd_many(r->cmd)) {
		r->arg = first;
		return;
	}
	r->arg = last;
	if (n > 1) {
		memcpy(r->ids, ids, n * sizeof(*ids));
		r->n_ids = n;
	}
}

/*
 * Finds the command in the words: 1 found (r->cmd, r->arg set), 0 not a
 * command, -1 addressed to another bot.
 */
static int
find_command(struct run *r, bool *ret_slash, char **ret_word)
{
	char *w0 = r->w.n ? r->w.v[0] : NULL, *at, *f, *both;
	bool slash = w0 && *w0 == '/';

	*ret_slash = slash;
	*ret_word = NULL;
	if (!w0)
		return 0;
	at = slash ? strchr(w0, '@') : NULL;
	if (at) {
		*at = '\0';
		if (r->in->bot_username && strcasecmp(at + 1, r->in->bot_username) != 0)
			return -1;
	}
	f = fold(w0);
	r->cmd = lookup(f);
	r->arg = 1;
	/* "/tiến độ 27": the command written in two words. */
	if (r->cmd < 0 && r->w.n > 1) {
		char *f2 = fold(r->w.v[1]);

		both = xasprintf("%s%s", f, f2);
		r->cmd = lookup(both);
		if (r->cmd >= 0)
			r->arg = 2;
		free(both);
		free(f2);
	}
	*ret_word = f;
	if (r->cmd < 0)
		return 0;
	take_numbers(r);
	return 1;
}

/* True when a text without "/" reads as a whole command ("xong 52"). */
static bool
plain_command(const struct run *r)
{
	switch (r->cmd) {
	case CMD_TASKS:
	case CMD_OVERDUE:
		/* "viec 2": a page. */
		return r->w.n == r->arg ||
		       (r->w.n == r->arg + 1 && parse_number(r->w.v[r->arg]) != 0);
	case CMD_REPORT:
		/* "baocao tong the" too. */
		return r->w.n == r->arg || asks_overall(r);
	case CMD_HELP:
	case CMD_PENDING:
	case CMD_CALENDAR:
		return r->w.n == r->arg;
	case CMD_START:
		return false;
	default:
		return parse_number(r->arg < r->w.n ? r->w.v[r->arg] : NULL) != 0;
	}
}

/*
 * True, after refusing, when the clock is behind the history: a change
 * dated before the last event would be refused by the store (and the
 * update retried for nothing), so it is answered now and changes nothing.
 */
static bool
clock_behind(struct run *r)
{
	int64_t last = 0;

	if (store_event_last_at(r->s, &last) < 0 || r->in->now >= last - STORE_CLOCK_TOLERANCE)
		return false;
	refuse(r, "error_clock", NULL);
	return true;
}

static int
dispatch_one(struct run *r)
{
	switch (r->cmd) {
	case CMD_START:
		return cmd_start(r);
	case CMD_HELP:
		say(&r->out->reply, r->me.id, "help", NULL);
		return 0;
	case CMD_TASKS:
		return cmd_list(r, false);
	case CMD_OVERDUE:
		return cmd_list(r, true);
	case CMD_REPORT:
		return cmd_report(r);
	case CMD_DONE:
		return cmd_done(r, words_rest(&r->w, r->arg + 1), r->arg);
	case CMD_PROGRESS:
		return cmd_progress(r);
	case CMD_OBSTACLE:
		return cmd_obstacle(r);
	case CMD_EXTEND:
		return cmd_extend(r);
	case CMD_APPROVE:
		return cmd_decide(r, true);
	case CMD_REJECT:
		return cmd_decide(r, false);
	case CMD_PENDING:
		return cmd_pending(r);
	case CMD_HANDLE:
		return cmd_handle(r);
	case CMD_ASSESS:
		return cmd_assess(r);
	case CMD_CALENDAR:
		return cmd_calendar(r);
	default:
		return -EINVAL;
	}
}

/*
 * What one number of several came to, for the list the answer shows:
 * the data of the answer it would have had alone, with its number, whether
 * it was done (ok), and its template's name set true (the list's template
 * says each outcome in a few words).
 */
static json_t *
each_item(int64_t id, struct command_msg *m, bool refused)
{
	json_t *item = m->data ? json_deep_copy(m->data) : json_object();

	json_object_set_new(item, "number", json_integer(id));
	json_object_set_new(item, "ok", json_boolean(!refused));
	if (m->name)
		json_object_set_new(item, m->name, json_true());
	return item;
}

/*
 * "/xong 40, 41": the command on each number in turn, each changing what
 * it would alone; the answer (command_results) lists each outcome, one
 * line a number.  Refused when any was.
 */
static int
dispatch_each(struct run *r)
{
	json_t *items = json_array();
	bool any_refused = false;
	char slash[24];
	int k = 0;

	for (r->cur = 0; r->cur < r->n_ids; r->cur++) {
		struct command_msg m;

		r->out->refused = false;
		k = dispatch_one(r);
		if (k < 0)
			break;
		m = r->out->reply;
		memset(&r->out->reply, 0, sizeof(r->out->reply));
		json_array_append_new(items, each_item(r->ids[r->cur], &m, r->out->refused));
		any_refused = any_refused || r->out->refused;
		free(m.name);
		json_decref(m.data);
	}
	if (k < 0) {
		json_decref(items);
		return k;
	}
	snprintf(slash, sizeof(slash), "/%s", cmds[r->cmd].name);
	say(&r->out->reply, r->me.id, "command_results",
	    json_pack("{s:s, s:o, s:I, s:b, s:b, s:b, s:b}", "command", slash, "items", items,
		      "count", (json_int_t)r->n_ids, "done", r->cmd == CMD_DONE,
		      "progress", r->cmd == CMD_PROGRESS, "approve", r->cmd == CMD_APPROVE,
		      "reject", r->cmd == CMD_REJECT));
	r->out->refused = any_refused;
	return 0;
}

static int
dispatch(struct run *r)
{
	r->out->command = cmds[r->cmd].name;
	if (cmd_writes(r->cmd) && (refuse_read_only(r, r->cmd) || clock_behind(r)))
		return 0;
	/* A refusal that holds for every number is said once. */
	if ((r->cmd == CMD_APPROVE || r->cmd == CMD_REJECT) && !is_secretariat(r))
		return dispatch_one(r);
	return r->n_ids > 1 ? dispatch_each(r) : dispatch_one(r);
}

int
command_sender(struct store *s, const struct command_in *in, struct person *ret)
{
	struct person p = { 0 };
	int k;

	if (!in->chat_id || !in->channel)
		return -ENOENT;
	k = store_person_by_address(s, in->channel, in->chat_id, &p);
	if (k < 0)
		return k;
	if (!p.active) {
		person_release(&p);
		return -ENOENT;
	}
	*ret = p;
	return 0;
}

/*
 * The sender wrote through their address on this channel: when (in->seen_at,
 * the channel's time of it, else now), in the same unit of work as the
 * command (Zalo's interaction window counts from it, DESIGN §7).  Nothing
 * is written when it is already so.
 */
static int
record_seen(const struct run *r)
{
	const struct address *a = person_address_get(&r->me, r->in->channel);
	int64_t at = r->in->seen_at > 0 ? MIN(r->in->seen_at, r->in->now) : r->in->now;

	if (!a || a->last_in >= at)
		return 0;
	return store_address_seen(r->s, r->me.id, r->in->channel, at);
}

static int
find_sender(struct run *r)
{
	int k = command_sender(r->s, r->in, &r->me);

	if (k == -ENOENT)
		return 0;
	if (k == 0)
		r->linked = true;
	return k;
}

int
command_run(struct store *s, const struct command_in *in, struct command_out *out)
{
	struct run r = { .s = s, .in = in, .out = out, .cmd = _CMD_INVALID };
	char *word = NULL;
	bool slash = false;
	int k, found;

	memset(out, 0, sizeof(*out));
	k = find_sender(&r);
	if (k < 0)
		return k;
	out->person_id = r.me.id;
	r.actor = (struct actor){ .name = r.me.name, .person_id = r.me.id, .channel = in->channel };
	if (in->button) {
		out->command = "button";
		if (!r.linked)
			say(&out->reply, 0, "link_instructions", NULL);
		else if (!clock_behind(&r))
			k = run_button(&r);
		goto out;
	}
	if (!in->text || !words_split(in->text, &r.w)) {
		/* Not text at all: say so once, rather than fail the update for ever. */
		out->command = "unreadable";
		if (r.linked)
			refuse(&r, "error_unknown_command", json_pack("{s:s}", "command", "?"));
		else
			say(&out->reply, 0, "link_instructions", NULL);
		goto out;
	}
	found = find_command(&r, &slash, &word);
	if (found < 0) {
		out->command = "other bot";
		goto out;
	}
	if (found && !slash && !plain_command(&r))
		found = 0;
	/* An unlinked chat can link itself, and hears nothing else but how. */
	if (!r.linked && !(found && r.cmd == CMD_START)) {
		out->command = "unlinked";
		say(&out->reply, 0, "link_instructions", NULL);
		goto out;
	}
	if (found) {
		k = dispatch(&r);
		goto out;
	}
	/* "60" after the progress button asked for it. */
	if (!slash) {
		k = answer_to_ask(&r);
		if (k != 0)
			goto out;
	}
	if (!slash && is_thanks(&r.w)) {
		out->command = "thanks";
		say(&out->reply, r.me.id, "thanks", NULL);
		goto out;
	}
	if (!slash && in->reply_to && r.w.n) {
		if (!clock_behind(&r))
			k = cmd_note(&r);
		goto out;
	}
	out->command = "unknown";
	{
		/* The message as sent (its first words), not the first word alone. */
		char *said = norm_truncate(r.w.text, 60);

		refuse(&r, "error_unknown_command", json_pack("{s:s}", "command", said));
		free(said);
	}
	if (word && suggest(word) >= 0) {
		char *sugg = xasprintf("/%s", cmds[suggest(word)].name);

		json_object_set_new(out->reply.data, "suggestion", json_string(sugg));
		free(sugg);
	}
out:
	/* A question is answered by the next message or not at all (answer_to_ask). */
	if (k >= 0 && r.linked && in->text)
		k = store_chat_ask_close(s, r.me.id);
	if (k >= 0 && r.linked)
		k = record_seen(&r);
	if (k < 0) {
		command_out_release(out);
		out->person_id = 0;
	} else if (r.linked) {
		/* Its answers are rendered for it: no need to read it again. */
		out->sender = r.me;
		memset(&r.me, 0, sizeof(r.me));
	}
	free(word);
	words_release(&r.w);
	person_release(&r.me);
	return k;
}

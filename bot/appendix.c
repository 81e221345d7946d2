/* SPDX-License-Identifier: MIT */
/*
 * Understanding the cells of an appendix table.  Everything is matched on
 * norm_key() so that case, diacritics and NFC/NFD make no difference.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "appendix.h"
#include "macro.h"
#include "norm.h"
#include "xalloc.h"

#define STT_CELL_MAX 24	/* bytes; "Số thứ tự" is 13 */
#define HEADER_CELL_MAX 80	/* bytes; "Cơ quan chủ trì thực hiện" is 33 */

/* Header words of each column, folded; a header cell matches by prefix. */
static const char *const column_words[_COL_MAX][6] = {
	[COL_STT] = { "stt", "so tt", "so thu tu", "tt", NULL },
	[COL_TITLE] = { "nhiem vu", "noi dung", "ten nhiem vu", "chi tieu", NULL },
	[COL_DOCUMENT] = { "van ban giao", "van ban", "can cu", NULL },
	[COL_LEAD] = { "co quan chu tri", "don vi chu tri", "chu tri", NULL },
	[COL_COOP] = { "co quan phoi hop", "don vi phoi hop", "phoi hop", NULL },
	[COL_DEADLINE] = { "thoi han", "thoi gian hoan thanh", "han hoan thanh", NULL },
	[COL_ASSESSMENT] = { "danh gia", "tinh trang", "ket qua", NULL },
};

static const char *const column_names[_COL_MAX] = {
	[COL_STT] = "STT",
	[COL_TITLE] = "Nhiệm vụ",
	[COL_DOCUMENT] = "Văn bản giao nhiệm vụ",
	[COL_LEAD] = "Cơ quan chủ trì thực hiện",
	[COL_COOP] = "Cơ quan phối hợp",
	[COL_DEADLINE] = "Thời hạn hoàn thành",
	[COL_ASSESSMENT] = "Đánh giá",
};

const char *
appendix_column_name(enum appendix_column c)
{
	return c >= 0 && c < _COL_MAX ? column_names[c] : "?";
}

static bool
has_prefix(const char *s, const char *prefix)
{
	size_t n = strlen(prefix);

	return strncmp(s, prefix, n) == 0 && (s[n] == '\0' || s[n] == ' ' || s[n] == '/');
}

/* The column a header cell names, or -1. */
static int
column_of(const char *cell)
{
	char *key = norm_key(cell);
	int found = -1;

	if (!key)
		return -1;
	for (int c = 0; c < _COL_MAX && found < 0; c++)
		for (int w = 0; column_words[c][w]; w++)
			if (has_prefix(key, column_words[c][w])) {
				found = c;
				break;
			}
	free(key);
	return found;
}

bool
appendix_header_parse(char *const *cells, size_t n, struct appendix_header *ret)
{
	struct appendix_header h;

	bool stt = false;

	/* Cheap first: a header has a short cell that says "STT". */
	for (size_t i = 0; i < n && !stt; i++)
		stt = strlen(cells[i]) <= STT_CELL_MAX && strpbrk(cells[i], "tT") &&
		      column_of(cells[i]) == COL_STT;
	if (!stt)
		return false;
	for (int c = 0; c < _COL_MAX; c++)
		h.col[c] = -1;
	for (size_t i = 0; i < n; i++) {
		int c;

		/*
		 * Header cells are a few words; skipping long cells keeps this
		 * check, which every row goes through, off the import's hot path.
		 */
		if (strlen(cells[i]) > HEADER_CELL_MAX)
			continue;
		c = column_of(cells[i]);

		/* The first cell naming a column wins ("Thời hạn" may repeat). */
		if (c >= 0 && h.col[c] < 0)
			h.col[c] = (int)i;
	}
	if (h.col[COL_STT] < 0 || h.col[COL_TITLE] < 0)
		return false;
	h.n_cells = n;
	*ret = h;
	return true;
}

static bool
is_roman(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!strchr("ivxlc", *s))
			return false;
	return true;
}

enum appendix_stt
appendix_stt_parse(const char *cell, char **ret_stt)
{
	char *key = norm_key(cell);	/* trims trailing dots: "1." is "1" */
	enum appendix_stt kind = STT_OTHER;
	size_t n;

	if (!key)
		return STT_OTHER;
	n = strlen(key);
	if (n == 0) {
		kind = STT_EMPTY;
	} else if (key[0] >= '0' && key[0] <= '9' && strspn(key, "0123456789.") == n) {
		kind = STT_NUMBER;	/* "3", "3.1" */
	} else if (n <= 5 && (is_roman(key) || (n == 1 && key[0] >= 'a' && key[0] <= 'z'))) {
		kind = STT_SECTION;
	}
	if (ret_stt) {
		char *text = norm_text(cell);
		size_t m = strlen(text);

		while (m > 0 && (text[m - 1] == '.' || text[m - 1] == ')'))
			text[--m] = '\0';
		*ret_stt = text;
	}
	free(key);
	return kind;
}

/* Reads 1-maxd digits at s[*i]; the value, or -1. */
static int
read_number(const char *s, size_t *i, int maxd)
{
	int v = 0, d = 0;

	while (s[*i] >= '0' && s[*i] <= '9' && d < maxd) {
		v = v * 10 + (s[*i] - '0');
		(*i)++;
		d++;
	}
	if (d == 0 || (s[*i] >= '0' && s[*i] <= '9'))
		return -1;
	return v;
}

/*
 * Finds "d/m/yyyy" (also with '-' or '.') in s, from the first "ngay"
 * on when there is one.  1 found, 0 none, -EINVAL impossible date.
 */
static int
find_date(const char *key, struct date *ret)
{
	const char *from = strstr(key, "ngay");
	size_t i = from ? (size_t)(from - key) : 0;

	for (; key[i]; i++) {
		size_t j = i;
		int d, m, y;
		char sep;

		if (key[i] < '0' || key[i] > '9' || (i > 0 && key[i - 1] >= '0' && key[i - 1] <= '9'))
			continue;
		if ((d = read_number(key, &j, 2)) < 0)
			continue;
		sep = key[j];
		if (sep != '/' && sep != '-' && sep != '.')
			continue;
		j++;
		if ((m = read_number(key, &j, 2)) < 0 || key[j] != sep)
			continue;
		j++;
		if ((y = read_number(key, &j, 4)) < 1000)
			continue;
		if (!date_is_valid(y, m, d))
			return -EINVAL;
		*ret = (struct date){ y, m, d };
		return 1;
	}
	return 0;
}

/* True for a document number: starts with a digit, holds '-' or '/'. */
static bool
looks_like_number(const char *w, size_t n)
{
	bool sep = false, letter = false;

	if (n < 3 || w[0] < '0' || w[0] > '9')
		return false;
	for (size_t i = 0; i < n; i++) {
		if (w[i] == '/' || w[i] == '-')
			sep = true;
		else if ((unsigned char)w[i] >= 0x80 || (w[i] >= 'A' && w[i] <= 'Z') ||
			 (w[i] >= 'a' && w[i] <= 'z'))
			letter = true;
	}
	return sep && letter;
}

int
appendix_document_parse(const char *cell, struct appendix_document *ret, const char **reterr_why)
{
	struct appendix_document d = { 0 };
	char *text = norm_text(cell), *key = NULL;
	const char *p;
	int r = 0;

	if (!text)
		return -EINVAL;
	d.text = text;
	/* The number: the first word that looks like "328-KH/TU". */
	for (p = text; *p;) {
		size_t n = strcspn(p, " ,;()");

		if (n && looks_like_number(p, n)) {
			size_t k = (size_t)(p - text);
			char *kind = xstrndup(text, k), *kkey;

			d.number = xstrndup(p, n);
			while (d.number[0] && strchr(".,", d.number[strlen(d.number) - 1]))
				d.number[strlen(d.number) - 1] = '\0';
			/* The kind is what comes before, less a trailing "số". */
			kkey = norm_key(kind);
			while (k > 0 && kind[k - 1] == ' ')
				kind[--k] = '\0';
			if (kkey && strlen(kkey) >= 3 && strcmp(kkey + strlen(kkey) - 3, " so") == 0) {
				/* Drop the last word, which is "số". */
				char *sp = strrchr(kind, ' ');

				if (sp)
					*sp = '\0';
			}
			free(kkey);
			d.kind = kind;
			break;
		}
		p += n ? n : 1;
	}
	if (!d.number) {
		d.number = xstrdup(text);
		d.kind = xstrdup("");
	}
	key = norm_key(text);
	r = key ? find_date(key, &d.date) : 0;
	if (r < 0) {
		if (reterr_why)
			*reterr_why = "its date is not a day of the calendar";
		appendix_document_release(&d);
		goto out;
	}
	d.has_date = r == 1;
	r = 0;
	*ret = d;
out:
	free(key);
	return r;
}

void
appendix_document_release(struct appendix_document *d)
{
	if (!d)
		return;
	free(d->kind);
	free(d->number);
	free(d->text);
	memset(d, 0, sizeof(*d));
}

size_t
appendix_split_agencies(const char *cell, char ***ret)
{
	char **v = NULL;
	size_t n = 0;
	const char *p = cell;

	while (*p) {
		size_t len = strcspn(p, ";");
		char *part = xstrndup(p, len), *text = norm_text(part);

		free(part);
		if (text) {
			size_t m = strlen(text);

			while (m > 0 && (text[m - 1] == '.' || text[m - 1] == ',' || text[m - 1] == ' '))
				text[--m] = '\0';
			if (m > 0) {
				v = xgrowarray(v, n, sizeof(char *));
				v[n++] = text;
			} else {
				free(text);
			}
		}
		p += len;
		if (*p == ';')
			p++;
	}
	*ret = v;
	return n;
}

/* Folded assessment prefixes and the status each means, longest first. */
static const struct {
	const char *key;
	enum task_status status;
} assessments[] = {
	{ "chua thuc hien dang tam hoan", TASK_POSTPONED },
	{ "chua danh gia duoc", TASK_CANNOT_ASSESS },
	{ "chua danh gia", TASK_CANNOT_ASSESS },
	{ "khong danh gia duoc", TASK_CANNOT_ASSESS },
	{ "chua dat", TASK_NOT_ACHIEVED },
	{ "khong dat", TASK_NOT_ACHIEVED },
	{ "chua thuc hien", TASK_NOT_STARTED },
	{ "chua trien khai", TASK_NOT_STARTED },
	{ "dang trien khai", TASK_IN_PROGRESS },
	{ "dang thuc hien", TASK_IN_PROGRESS },
	/* Overdue is derived from the due day (DESIGN §4): the task is open. */
	{ "qua han", TASK_IN_PROGRESS },
	{ "cham tien do", TASK_IN_PROGRESS },
	{ "tam hoan", TASK_POSTPONED },
	{ "tam dung", TASK_POSTPONED },
	{ "da hoan thanh", TASK_DONE },
	{ "hoan thanh", TASK_DONE },
	{ "vuot", TASK_DONE },
	{ "da dat", TASK_DONE },
	{ "dat", TASK_DONE },
};

int
appendix_assessment_parse(const char *cell, struct appendix_assessment *ret)
{
	char *key = norm_key(cell);
	const char *open, *colon, *close;
	int r = -ENOENT;

	if (!key)
		return -ENOENT;
	/* "Chưa thực hiện, đang tạm hoãn" reads as "chưa thực hiện đang tạm hoãn". */
	{
		char *w = key;

		for (char *c = key; *c; c++) {
			char ch = strchr(",;-", *c) ? ' ' : *c;

			if (ch == ' ' && w > key && w[-1] == ' ')
				continue;
			*w++ = ch;
		}
		*w = '\0';
	}
	for (size_t i = 0; i < ELEMENTSOF(assessments); i++) {
		if (has_prefix(key, assessments[i].key) ||
		    (strncmp(key, assessments[i].key, strlen(assessments[i].key)) == 0 &&
		     strchr(" (,:;-", key[strlen(assessments[i].key)]))) {
			ret->status = assessments[i].status;
			ret->deadline = NULL;
			r = 0;
			break;
		}
	}
	free(key);
	if (r < 0)
		return r;
	/* "Quá hạn (Thời gian hoàn thành: Quý II)": the deadline within. */
	open = strchr(cell, '(');
	colon = open ? strchr(open, ':') : NULL;
	close = colon ? strchr(colon, ')') : NULL;
	if (close) {
		char *inner = xstrndup(colon + 1, (size_t)(close - colon - 1));

		ret->deadline = norm_text(inner);
		free(inner);
		if (ret->deadline && !*ret->deadline) {
			free(ret->deadline);
			ret->deadline = NULL;
		}
	}
	return 0;
}

void
appendix_assessment_release(struct appendix_assessment *a)
{
	if (a) {
		free(a->deadline);
		a->deadline = NULL;
	}
}

/* --- lists of agencies inside one name ---------------------------------- */

#define SPLIT_MAX_PIECES 24	/* pieces a name is cut into; more is not tried */

static const char and_word[] = " v\xc3\xa0 ";	/* " và " (NFC) */

/* A piece of a name: bytes [start, end) of it. */
struct piece {
	size_t start, end;
};

/*
 * Cuts text at each ',' and " và " into at most SPLIT_MAX_PIECES pieces;
 * how many (0 when there are more).
 */
static size_t
cut_pieces(const char *text, struct piece *ret)
{
	size_t n = 0, at = 0, i = 0;

	while (text[i]) {
		size_t sep = text[i] == ',' ? 1 :
			     strncmp(text + i, and_word, sizeof(and_word) - 1) == 0 ?
			     sizeof(and_word) - 1 : 0;

		if (!sep) {
			i++;
			continue;
		}
		if (n + 1 >= SPLIT_MAX_PIECES)
			return 0;
		ret[n++] = (struct piece){ at, i };
		i += sep;
		at = i;
	}
	ret[n++] = (struct piece){ at, i };
	return n;
}

/* Bytes [start, end) of text without the spaces, dots and commas around them: new. */
static char *
trimmed(const char *text, size_t start, size_t end)
{
	while (start < end && (text[start] == ' ' || text[start] == ','))
		start++;
	while (end > start && strchr(" .,", text[end - 1]))
		end--;
	return xstrndup(text + start, end - start);
}

size_t
appendix_agency_pieces(const char *text, char ***ret)
{
	struct piece p[SPLIT_MAX_PIECES];
	size_t n = cut_pieces(text, p), k = 0;
	char **v;

	if (n == 0) {
		p[0] = (struct piece){ 0, strlen(text) };
		n = 1;
	}
	v = xcalloc(n, sizeof(char *));
	for (size_t i = 0; i < n; i++) {
		char *s = trimmed(text, p[i].start, p[i].end);

		if (*s)
			v[k++] = s;
		else
			free(s);
	}
	*ret = v;
	return k;
}

size_t
appendix_split_known(const char *text, appendix_known_fn known, void *userdata, char ***ret)
{
	struct piece p[SPLIT_MAX_PIECES];
	int best[SPLIT_MAX_PIECES + 1];
	size_t from[SPLIT_MAX_PIECES + 1], n = cut_pieces(text, p), parts;
	char **v;

	/*
	 * best[j]: the most known names pieces 0..j-1 make, -1 when they
	 * cannot all be; from[j]: where the last of them starts.  The most
	 * names wins, so an agency made by mistake of a whole list ("Sở Nội
	 * vụ, Sở Tài chính") is not preferred to the agencies it lists.
	 */
	best[0] = 0;
	for (size_t j = 1; j <= n; j++) {
		best[j] = -1;
		for (size_t i = 0; i < j; i++) {
			char *seg;

			if (best[i] < 0 || best[i] + 1 <= best[j])
				continue;
			seg = trimmed(text, p[i].start, p[j - 1].end);
			if (*seg && known(seg, userdata)) {
				best[j] = best[i] + 1;
				from[j] = i;
			}
			free(seg);
		}
	}
	if (n <= 1 || best[n] <= 1) {
		v = xcalloc(1, sizeof(char *));
		v[0] = trimmed(text, 0, strlen(text));
		*ret = v;
		return 1;
	}
	parts = (size_t)best[n];
	v = xcalloc(parts, sizeof(char *));
	for (size_t j = n, k = parts; j > 0; j = from[j])
		v[--k] = trimmed(text, p[from[j]].start, p[j - 1].end);
	*ret = v;
	return parts;
}

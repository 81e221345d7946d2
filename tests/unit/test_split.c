/* SPDX-License-Identifier: MIT */
/*
 * Tests of bot/split.c: a text that fits is one copy; cuts fall between
 * items, else lines, else words, else characters, never inside a UTF-8
 * character, a tag or an entity; every part fits and has its tags
 * balanced; what the parts show is what the text shows, less white space
 * at the cuts (checked by rendering both: each visible atom with the tags
 * open on it); UTF-16 units and code points are counted as Telegram and
 * Zalo count them; -EINVAL when nothing fits; random texts with a fixed
 * seed; and the work done stays linear in the length (counted, not timed).
 */
#include "testlib.h"

#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <time.h>

#include "buf.h"
#include "macro.h"
#include "split.h"
#include "split-internal.h"
#include "xalloc.h"

/* One visible atom of a rendering: its bytes and the tags open on it. */
struct shown {
	char atom[16];
	char *tags;		/* the opening tags, outermost first, concatenated */
	bool space;
};

struct rendering {
	struct shown *v;
	size_t n;
};

static void
rendering_release(struct rendering *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->v[i].tags);
	free(r->v);
	memset(r, 0, sizeof(*r));
}

static bool
valid_utf8(const char *s, size_t n)
{
	for (size_t i = 0; i < n;) {
		unsigned char c = (unsigned char)s[i];
		size_t k = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;

		if (k == 0 || i + k > n)
			return false;
		for (size_t j = 1; j < k; j++)
			if (((unsigned char)s[i + j] & 0xc0) != 0x80)
				return false;
		i += k;
	}
	return true;
}

/*
 * Renders s (HTML when html): each visible atom (a character, an entity)
 * with its open tags.  Fails the test on a tag that closes what is not
 * the innermost, on a '<' without '>', on a '&' that starts no entity
 * (the texts here escape theirs), and, when balanced, on tags left open.
 */
static void
render(const char *s, bool html, bool balanced, struct rendering *out)
{
	char *stack[64];
	size_t depth = 0, n = strlen(s);

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < n;) {
		struct shown sh = { 0 };
		size_t len = 1;

		if (html && s[i] == '<') {
			const char *gt = strchr(s + i, '>');

			assert_non_null(gt);
			len = (size_t)(gt - (s + i)) + 1;
			if (s[i + 1] == '/') {
				size_t nl = len - 3;

				assert_true(depth > 0);
				/* "</b>" closes "<b>" or "<b ...>" */
				assert_memory_equal(stack[depth - 1] + 1, s + i + 2, nl);
				assert_true(stack[depth - 1][nl + 1] == '>' ||
					    stack[depth - 1][nl + 1] == ' ');
				free(stack[--depth]);
			} else {
				assert_true(depth < ELEMENTSOF(stack));
				stack[depth++] = xstrndup(s + i, len);
			}
			i += len;
			continue;
		}
		if (html && s[i] == '&') {
			const char *semi = strchr(s + i, ';');

			assert_non_null(semi);
			len = (size_t)(semi - (s + i)) + 1;
			assert_true(len <= 12);
			for (size_t k = i + 1; k < i + len - 1; k++)
				assert_true(strchr("abcdefghijklmnopqrstuvwxyz#0123456789", s[k]));
		} else if ((unsigned char)s[i] >= 0xc0) {
			while (i + len < n && ((unsigned char)s[i + len] & 0xc0) == 0x80)
				len++;
		}
		assert_true(len < sizeof(sh.atom));
		memcpy(sh.atom, s + i, len);
		sh.space = len == 1 && strchr(" \t\r\n", s[i]);
		{
			struct buf b;

			buf_init(&b, 4096);
			for (size_t d = 0; d < depth; d++)
				assert_int_equal(buf_adds(&b, stack[d]), 0);
			sh.tags = buf_detach(&b);
		}
		out->v = xgrowarray(out->v, out->n, sizeof(*out->v));
		out->v[out->n++] = sh;
		i += len;
	}
	if (balanced)
		assert_int_equal(depth, 0);
	while (depth)
		free(stack[--depth]);
}

/*
 * The checks every split must pass: parts ≤ max, valid UTF-8, balanced,
 * none empty, none starting or ending with white space, and what they
 * show is what text shows less white space at the cuts.
 */
static void
check_parts(const char *text, char **parts, size_t n, size_t max, enum split_unit unit,
	    bool html)
{
	struct rendering whole, part;
	size_t at = 0;

	/* What fits is one copy, white space and all. */
	if (split_measure(text, strlen(text), unit) <= max) {
		assert_int_equal(n, 1);
		assert_string_equal(parts[0], text);
		return;
	}
	if (getenv("SPLIT_DEBUG"))
		print_message("text (max %zu): [%s]\n", max, text);
	render(text, html, false, &whole);
	for (size_t k = 0; k < n; k++) {
		size_t len = strlen(parts[k]), shows = 0;

		assert_true(split_measure(parts[k], len, unit) <= max);
		assert_true(valid_utf8(parts[k], len));
		assert_false(strchr(" \t\r\n", parts[k][0]));
		assert_false(strchr(" \t\r\n", parts[k][len - 1]));
		if (getenv("SPLIT_DEBUG"))
			print_message("part %zu: [%s]\n", k, parts[k]);
		render(parts[k], html, true, &part);
		/*
		 * The white space dropped at the cut before this part: the run
		 * there, but for what the part starts with (after a tag).
		 */
		{
			size_t run = 0, lead = 0;

			while (at + run < whole.n && whole.v[at + run].space)
				run++;
			while (lead < part.n && part.v[lead].space)
				lead++;
			assert_true(lead <= run);
			at += run - lead;
		}
		for (size_t i = 0; i < part.n; i++, at++) {
			assert_true(at < whole.n);
			assert_string_equal(part.v[i].atom, whole.v[at].atom);
			assert_string_equal(part.v[i].tags, whole.v[at].tags);
			shows += !part.v[i].space;
		}
		assert_true(shows > 0);
		rendering_release(&part);
	}
	/* After the last part, nothing that shows. */
	for (; at < whole.n; at++)
		assert_true(whole.v[at].space);
	rendering_release(&whole);
}

/* Splits, checks, and returns the parts (free with split_free). */
static char **
split_checked(const char *text, size_t max, enum split_unit unit, enum split_markup markup,
	      size_t *ret_n)
{
	char **parts = NULL;

	assert_int_equal(split_text(text, strlen(text), max, unit, markup, &parts, ret_n), 0);
	check_parts(text, parts, *ret_n, max, unit, markup == SPLIT_HTML);
	return parts;
}

static void
test_measure(void **state)
{
	const char *vi = "Đôn đốc", *emoji = "a😀b";

	(void)state;
	assert_int_equal(split_measure(vi, strlen(vi), SPLIT_UTF16), 7);
	assert_int_equal(split_measure(vi, strlen(vi), SPLIT_CODEPOINTS), 7);
	assert_int_equal(split_measure(emoji, strlen(emoji), SPLIT_UTF16), 4);
	assert_int_equal(split_measure(emoji, strlen(emoji), SPLIT_CODEPOINTS), 3);
	assert_int_equal(split_measure("", 0, SPLIT_UTF16), 0);
}

static void
test_fits(void **state)
{
	const char *t = "  <b>Việc</b> sắp đến hạn\n\n";
	char **parts = NULL;
	size_t n = 0;

	(void)state;
	assert_int_equal(split_text(t, strlen(t), 100, SPLIT_UTF16, SPLIT_HTML, &parts, &n), 0);
	assert_int_equal(n, 1);
	/* A copy, exactly: white space and all. */
	assert_string_equal(parts[0], t);
	assert_ptr_not_equal(parts[0], t);
	split_free(parts, n);
	/* Exactly max fits. */
	assert_int_equal(split_text("abcd", 4, 4, SPLIT_CODEPOINTS, SPLIT_PLAIN, &parts, &n), 0);
	assert_int_equal(n, 1);
	assert_string_equal(parts[0], "abcd");
	split_free(parts, n);
	split_free(NULL, 0);
}

/* Items of one size, blank lines between: each part holds whole items. */
static void
test_items_preferred(void **state)
{
	struct buf b;
	char **parts;
	size_t n;

	(void)state;
	buf_init(&b, 1 << 16);
	for (int i = 0; i < 10; i++) {
		/* An item of two lines, with spaces: worse cuts are everywhere. */
		assert_int_equal(buf_addf(&b, "%s<b>%d. Nhiệm vụ số %d</b>\nhạn ngày %02d/10/2025 việc cần làm",
					  i ? "\n\n" : "", i, i, i + 1), 0);
	}
	parts = split_checked(b.p, 150, SPLIT_UTF16, SPLIT_HTML, &n);
	assert_true(n >= 4);
	for (size_t k = 0; k < n; k++) {
		/* It starts an item and ends one: the text has it whole. */
		assert_true(strncmp(parts[k], "<b>", 3) == 0);
		assert_true(strlen(parts[k]) > 20);
		assert_string_equal(parts[k] + strlen(parts[k]) - strlen("cần làm"), "cần làm");
		assert_non_null(strstr(b.p, parts[k]));
	}
	split_free(parts, n);
	buf_release(&b);
}

/* No blank line: lines; no line: words; no word: characters. */
static void
test_lines_then_words(void **state)
{
	const char *lines = "một hai ba\nbốn năm sáu\nbảy tám chín\nmười";
	const char *words = "một hai ba bốn năm sáu bảy tám chín mười";
	char **parts;
	size_t n;

	(void)state;
	parts = split_checked(lines, 24, SPLIT_CODEPOINTS, SPLIT_PLAIN, &n);
	assert_int_equal(n, 2);
	assert_string_equal(parts[0], "một hai ba\nbốn năm sáu");
	assert_string_equal(parts[1], "bảy tám chín\nmười");
	split_free(parts, n);
	parts = split_checked(words, 12, SPLIT_CODEPOINTS, SPLIT_PLAIN, &n);
	assert_int_equal(n, 4);
	assert_string_equal(parts[0], "một hai ba");
	assert_string_equal(parts[1], "bốn năm sáu");
	assert_string_equal(parts[2], "bảy tám chín");
	assert_string_equal(parts[3], "mười");
	split_free(parts, n);
}

/* A tag open at a cut is closed there and opened again, attributes and all. */
static void
test_tags_reopened(void **state)
{
	const char *t = "<blockquote><a href=\"https://x.vn/?a=1&amp;b=2\">một hai "
			"<i>ba bốn</i> năm</a> sáu</blockquote>";
	char **parts;
	size_t n;

	(void)state;
	/* 48 units to reopen, 17 to close, 15 left: "một hai " and "<i></i>" */
	parts = split_checked(t, 80, SPLIT_UTF16, SPLIT_HTML, &n);
	assert_true(n >= 2);
	assert_string_equal(parts[0], "<blockquote><a href=\"https://x.vn/?a=1&amp;b=2\">một hai"
			    "</a></blockquote>");
	assert_true(strncmp(parts[1], "<blockquote><a href=\"https://x.vn/?a=1&amp;b=2\">",
			    strlen("<blockquote><a href=\"https://x.vn/?a=1&amp;b=2\">")) == 0);
	split_free(parts, n);
}

/* Entities are atoms: a cut never splits "&amp;". */
static void
test_entities(void **state)
{
	const char *t = "&amp;&lt;&gt;&quot;&#128512;&amp;&amp;";
	char **parts;
	size_t n;

	(void)state;
	parts = split_checked(t, 12, SPLIT_UTF16, SPLIT_HTML, &n);
	assert_int_equal(n, 4);
	assert_string_equal(parts[0], "&amp;&lt;");
	assert_string_equal(parts[1], "&gt;&quot;");
	assert_string_equal(parts[2], "&#128512;");
	assert_string_equal(parts[3], "&amp;&amp;");
	split_free(parts, n);
	/* Plain text has no entities: any byte is text. */
	parts = split_checked("&amp;&amp;", 3, SPLIT_UTF16, SPLIT_PLAIN, &n);
	assert_int_equal(n, 4);
	assert_string_equal(parts[0], "&am");
	split_free(parts, n);
}

static void
test_vietnamese(void **state)
{
	/* NFC: "ế" is one code point of 3 bytes, "ơ" 2 bytes. */
	const char *t = "Sở Khoa học và Công nghệ chủ trì, phối hợp với các sở, ngành, "
			"địa phương triển khai thực hiện; báo cáo kết quả trước ngày 30/9/2025.";
	char **parts;
	size_t n, total = 0;

	(void)state;
	parts = split_checked(t, 20, SPLIT_CODEPOINTS, SPLIT_PLAIN, &n);
	assert_true(n >= 7);
	for (size_t k = 0; k < n; k++) {
		assert_true(split_measure(parts[k], strlen(parts[k]), SPLIT_CODEPOINTS) <= 20);
		total += split_measure(parts[k], strlen(parts[k]), SPLIT_CODEPOINTS);
	}
	/* Only the spaces at the cuts are gone. */
	assert_int_equal(total + (n - 1), split_measure(t, strlen(t), SPLIT_CODEPOINTS));
	split_free(parts, n);
	/* One long word, cut on characters, never inside one. */
	parts = split_checked("nghiệmthuđánhgiákếtquả", 5, SPLIT_CODEPOINTS, SPLIT_PLAIN, &n);
	assert_int_equal(n, 5);
	assert_string_equal(parts[0], "nghiệ");
	assert_string_equal(parts[4], "uả");
	split_free(parts, n);
}

static void
test_emoji(void **state)
{
	const char *t = "😀😀😀😀😀😀😀😀😀😀";
	char **parts;
	size_t n;

	(void)state;
	/* A surrogate pair counts 2: two to a part of 5 units. */
	parts = split_checked(t, 5, SPLIT_UTF16, SPLIT_PLAIN, &n);
	assert_int_equal(n, 5);
	for (size_t k = 0; k < n; k++)
		assert_string_equal(parts[k], "😀😀");
	split_free(parts, n);
	/* One code point each for Zalo. */
	parts = split_checked(t, 5, SPLIT_CODEPOINTS, SPLIT_PLAIN, &n);
	assert_int_equal(n, 2);
	assert_string_equal(parts[0], "😀😀😀😀😀");
	split_free(parts, n);
	/* Emoji among words in bold. */
	parts = split_checked("<b>✅ Xong 😀 việc 12 📈 Tiến độ ⏳ Gia hạn</b>", 20, SPLIT_UTF16,
			      SPLIT_HTML, &n);
	assert_true(n >= 2);
	split_free(parts, n);
}

static void
test_long_word(void **state)
{
	char *word = xmalloc(10000 + 8), **parts;
	size_t n;

	(void)state;
	memcpy(word, "<b>", 3);
	memset(word + 3, 'a', 10000);
	memcpy(word + 10003, "</b>", 5);
	parts = split_checked(word, 4096, SPLIT_UTF16, SPLIT_HTML, &n);
	assert_int_equal(n, 3);
	/* "<b>" and "</b>" are counted: 4089 letters in a full part. */
	assert_int_equal(strlen(parts[0]), 4096);
	assert_int_equal(strlen(parts[1]), 4096);
	assert_int_equal(strlen(parts[2]), 3 + (10000 - 2 * 4089) + 4);
	split_free(parts, n);
	parts = split_checked(word + 3, 4096, SPLIT_UTF16, SPLIT_PLAIN, &n);
	assert_int_equal(n, 3);
	assert_int_equal(strlen(parts[2]), 10000 + 4 - 2 * 4096);
	split_free(parts, n);
	free(word);
}

static void
test_too_small(void **state)
{
	char **parts = NULL;
	size_t n = 0;

	(void)state;
	/* "<b>x</b>" is 8: with 7 nothing fits. */
	assert_int_equal(split_text("<b>xy</b>", 9, 7, SPLIT_UTF16, SPLIT_HTML, &parts, &n),
			 -EINVAL);
	assert_null(parts);
	assert_int_equal(split_text("<b>xy</b>", 9, 8, SPLIT_UTF16, SPLIT_HTML, &parts, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(parts[0], "<b>x</b>");
	assert_string_equal(parts[1], "<b>y</b>");
	split_free(parts, n);
	parts = NULL;
	/* A surrogate pair does not fit in one unit. */
	assert_int_equal(split_text("😀😀", 8, 1, SPLIT_UTF16, SPLIT_PLAIN, &parts, &n), -EINVAL);
	assert_int_equal(split_text("ab", 2, 0, SPLIT_UTF16, SPLIT_PLAIN, &parts, &n), -EINVAL);
	assert_int_equal(split_text("ab", 2, 1, _SPLIT_UNIT_MAX, SPLIT_PLAIN, &parts, &n), -EINVAL);
	assert_null(parts);
}

/* White space and tags around a cut, and a tail that shows nothing. */
static void
test_space_at_cuts(void **state)
{
	char **parts;
	size_t n;

	(void)state;
	parts = split_checked("\n\n  aaaa  \n\n\n  bbbb \n\n <i> </i>\n", 10, SPLIT_UTF16,
			      SPLIT_HTML, &n);
	assert_int_equal(n, 2);
	assert_string_equal(parts[0], "aaaa");
	assert_string_equal(parts[1], "bbbb");
	split_free(parts, n);
	/* Nothing shows: no part at all. */
	assert_int_equal(split_text(" \n \n <b> </b>", 13, 8, SPLIT_UTF16, SPLIT_HTML, &parts, &n), 0);
	assert_int_equal(n, 0);
	split_free(parts, n);
	/* A stray '<' is text, not a tag that swallows the rest. */
	assert_int_equal(split_text("a < b and c", 11, 5, SPLIT_UTF16, SPLIT_HTML, &parts, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(parts[0], "a < b");
	assert_string_equal(parts[1], "and c");
	split_free(parts, n);
}

/* A small generator with a fixed seed: the same texts on every run. */
static uint64_t rng = 0x2545F4914F6CDD1DULL;

static unsigned
rnd(unsigned n)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (unsigned)(rng % n);
}

static void
random_text(struct buf *b, bool html)
{
	static const char *words[] = {
		"việc", "Đôn", "đốc", "hạn", "30/9/2025", "😀", "📈", "✅", "Sở", "KH&CN",
		"tiến", "độ", "x", "nghiệmthuđánhgiákếtquả", "Quý", "IV",
	};
	static const char *tags[][2] = {
		{ "<b>", "</b>" }, { "<i>", "</i>" }, { "<u>", "</u>" }, { "<s>", "</s>" },
		{ "<code>", "</code>" }, { "<tg-spoiler>", "</tg-spoiler>" },
		{ "<a href=\"https://x.vn/t?id=1&amp;k=2\">", "</a>" },
		{ "<span class=\"tg-spoiler\">", "</span>" }, { "<blockquote>", "</blockquote>" },
	};
	static const char *ents[] = { "&lt;", "&gt;", "&amp;", "&quot;", "&#128512;" };
	static const char *seps[] = { " ", " ", " ", "\n", "\n\n", "  ", " \n\n\n " };
	const char *open[4];
	size_t depth = 0, n = 1 + rnd(300);

	for (size_t i = 0; i < n; i++) {
		unsigned what = rnd(10);

		if (html && what == 0 && depth < ELEMENTSOF(open)) {
			unsigned t = rnd(ELEMENTSOF(tags));

			(void)buf_adds(b, tags[t][0]);
			open[depth++] = tags[t][1];
		} else if (html && what == 1 && depth > 0) {
			(void)buf_adds(b, open[--depth]);
		} else if (html && what == 2) {
			(void)buf_adds(b, ents[rnd(ELEMENTSOF(ents))]);
		} else if (what < 5) {
			(void)buf_adds(b, seps[rnd(ELEMENTSOF(seps))]);
		} else {
			const char *w = words[rnd(ELEMENTSOF(words))];

			/* Plain text has no entities: an '&' is itself. */
			(void)buf_adds(b, !html || !strchr(w, '&') ? w : "KH&amp;CN");
		}
	}
	while (depth)
		(void)buf_adds(b, open[--depth]);
}

static void
test_random(void **state)
{
	size_t cases = 0, multi = 0;

	(void)state;
	for (int i = 0; i < 3000; i++) {
		bool html = i % 3 != 0;
		enum split_unit unit = i % 2 ? SPLIT_UTF16 : SPLIT_CODEPOINTS;
		struct buf b;
		char **parts;
		size_t n, max;

		buf_init(&b, 1 << 16);
		random_text(&b, html);
		/* Room for four tags open (at most 4 × 41 units) and the longest word. */
		max = (html ? 164 : 0) + 24 + rnd(300);
		parts = split_checked(b.p, max, unit, html ? SPLIT_HTML : SPLIT_PLAIN, &n);
		cases++;
		multi += n > 1;
		split_free(parts, n);
		buf_release(&b);
	}
	/* The texts are long enough to be cut, mostly. */
	assert_true(multi > cases / 3);
}

/*
 * Texts of 4 MB that a splitter going back would take quadratic time on:
 * the work counted must stay within a few times the bytes in and out.
 */
static void
check_linear(const char *what, const char *text, size_t max, enum split_unit unit,
	     enum split_markup markup)
{
	size_t n = strlen(text), k, work = 0, out = 0;
	char **parts = NULL;
	struct timespec a, z;

	clock_gettime(CLOCK_MONOTONIC, &a);
	assert_int_equal(split_text_work(text, n, max, unit, markup, &parts, &k, &work), 0);
	clock_gettime(CLOCK_MONOTONIC, &z);
	for (size_t i = 0; i < k; i++)
		out += strlen(parts[i]);
	print_message("split %s: %zu bytes, %zu parts, work %zu (%.1f per byte), %.1f ms\n", what,
		      n, k, work, (double)work / (double)(n + out),
		      (double)(z.tv_sec - a.tv_sec) * 1e3 + (double)(z.tv_nsec - a.tv_nsec) / 1e6);
	assert_true(k > 1);
	assert_true(work <= 8 * (n + out));
	split_free(parts, k);
}

static char *
repeat(const char *head, const char *unit, const char *tail, size_t total)
{
	size_t hl = strlen(head), ul = strlen(unit), tl = strlen(tail), n = 0;
	char *s = xmalloc(total + hl + ul + tl + 1);

	memcpy(s, head, hl);
	n = hl;
	while (n + ul <= total) {
		memcpy(s + n, unit, ul);
		n += ul;
	}
	memcpy(s + n, tail, tl + 1);
	return s;
}

static void
test_linear(void **state)
{
	const size_t mb4 = (size_t)4 << 20;
	char *s;

	(void)state;
	/* One word, in bold: every cut closes and reopens. */
	s = repeat("<b>", "x", "</b>", mb4);
	check_linear("one word", s, 4096, SPLIT_UTF16, SPLIT_HTML);
	free(s);
	/* A blank line early in each window, then only words: the scan must not go back. */
	s = repeat("", "a\n\nb c d e f g h i j k l m n o p q r s t u v w x y z ", "", mb4);
	check_linear("items and words", s, 4096, SPLIT_UTF16, SPLIT_HTML);
	free(s);
	/* Stray '<' without '>': each is text, none searched twice. */
	s = repeat("", "a<", "", mb4);
	check_linear("stray <", s, 4096, SPLIT_UTF16, SPLIT_HTML);
	free(s);
	/* Many short tags. */
	s = repeat("", "<i>ệ</i> <b><u>😀</u></b>\n", "", mb4);
	check_linear("many tags", s, 2000, SPLIT_CODEPOINTS, SPLIT_HTML);
	free(s);
	/* Vietnamese prose, plain, for Zalo. */
	s = repeat("", "Sở Khoa học và Công nghệ báo cáo kết quả thực hiện.\n\n", "", mb4);
	check_linear("plain", s, 2000, SPLIT_CODEPOINTS, SPLIT_PLAIN);
	free(s);
}

/* 1 MB of a reminder's HTML, timed for the record (not asserted: the work is). */
static void
test_one_mb(void **state)
{
	char *s = repeat("", "<b>1234. Nhiệm vụ</b> hạn <i>30/9/2025</i> &amp; 😀\n", "",
			 (size_t)1 << 20);

	(void)state;
	check_linear("1 MB", s, 4096, SPLIT_UTF16, SPLIT_HTML);
	free(s);
}

int
main(void)
{
	static const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_measure),
		cmocka_unit_test(test_fits),
		cmocka_unit_test(test_items_preferred),
		cmocka_unit_test(test_lines_then_words),
		cmocka_unit_test(test_tags_reopened),
		cmocka_unit_test(test_entities),
		cmocka_unit_test(test_vietnamese),
		cmocka_unit_test(test_emoji),
		cmocka_unit_test(test_long_word),
		cmocka_unit_test(test_too_small),
		cmocka_unit_test(test_space_at_cuts),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_linear),
		cmocka_unit_test(test_one_mb),
	};

	return cmocka_run_group_tests_name("split", tests, NULL, NULL);
}

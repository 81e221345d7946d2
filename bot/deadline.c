/* SPDX-License-Identifier: MIT */
/*
 * The deadline parser (DESIGN §3).  The raw text is folded with norm_key()
 * and then read by a small hand-written recognizer: a cursor walks the
 * key, strips filler words ("hoàn thành trong", "trước ngày", ...) and
 * tries each form in turn.  Recognising is split from checking: a form
 * only records the numbers as written, and the numbers are judged once
 * the whole text has matched, so "Quý V và ..." stays unknown instead of
 * becoming an error about a text we did not understand.
 *
 * The language, on the folded key ([] optional, | or, Y four digits):
 *
 *   deadline  := filler* form
 *   filler    := "hoan thanh" | "trong" | "thoi han" | "cham nhat" | ...
 *                [":"]   ("truoc" and "ngay" only in front of a day)
 *   form      := external | recurring | half | quarter | month | day | year
 *   external  := "theo" anything
 *   recurring := ["bao cao" ["truoc"]] [["ngay"] D] rword ([",;-" | "va"] rword)*
 *                [[","] ["vao"] "ngay" D]
 *                "thuong xuyen", "ngay 20 hang thang", "dinh ky 6 thang"
 *   half      := (("6" | "sau") "thang" | "nua") ("dau" | "cuoi") "nam"
 *                [Y | "nay"]
 *   quarter   := "quy" (I..XII | digits) [suffix]
 *   month     := "thang" digits [suffix] | digits "/" Y
 *   day       := D sep M [sep Y] | D "thang" M [","] ["nam" Y] | Y sep M sep D
 *   year      := "nam" [Y | "nay"] | Y
 *   suffix    := ("/" | "-" | ".") Y | "nam" (Y | "nay") | Y
 *
 * The whole key must be consumed; a form that leaves words behind did not
 * match.  A status cell such as "quá hạn (thời gian hoàn thành: quý II)"
 * is tried once more on its bracketed part (bracketed_deadline()).
 */
#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "deadline.h"
#include "macro.h"
#include "norm.h"
#include "xalloc.h"

#define YEAR_MIN 1900
#define YEAR_MAX 2200

/* A read position in a folded key. */
struct cursor {
	const char *s;
	size_t i;
};

/* What a form recognised, before any range check. */
struct found {
	enum deadline_precision precision;
	int num;	/* quarter as written (quarter only) */
	bool roman;	/* num was written as a Roman numeral */
	int month;	/* month as written, or the month the period ends in */
	int day;	/* day as written; 0 means the last day of month */
	int year;	/* year as written; 0 when the text names none */
	enum deadline_every every;	/* recurring only: how often */
	bool day_given;	/* recurring only: day holds the reporting day written */
};

/* Filler flags: which forms a filler word may stand in front of. */
#define FILL_ONLY_DAY	0x1u	/* "trước", "ngày": only before a day */

static const struct filler {
	const char *words;
	unsigned flags;
} fillers[] = {
	/* Longer phrases first: they share their first words with others. */
	{ "thoi gian hoan thanh", 0 },
	{ "thoi han hoan thanh", 0 },
	{ "han hoan thanh", 0 },
	{ "hoan thanh", 0 },
	{ "thoi han", 0 },
	{ "han chot", 0 },
	{ "han", 0 },
	{ "cham nhat", 0 },
	{ "trong", 0 },
	{ "vao", 0 },
	{ "den", 0 },
	{ "cuoi", 0 },
	/*
	 * "Trước quý IV" means before the quarter starts, not by its end, so
	 * reading it as the quarter's last day would be a guess: "trước" is
	 * only dropped in front of a day.
	 */
	{ "truoc", FILL_ONLY_DAY },
	{ "ngay", FILL_ONLY_DAY },
};

/*
 * Words of a recurring deadline; "hằng" and "hàng" both fold to "hang".
 * Each says how often it reports; longer phrases come first, as they
 * share their first words with shorter ones ("định kỳ 6 tháng").  We
 * have no daily or weekly periods: those follow the policy's calendar.
 */
static const struct rword {
	const char *words;
	enum deadline_every every;
} recurring_words[] = {
	{ "dinh ky 6 thang mot lan", EVERY_HALF },
	{ "dinh ky 6 thang 1 lan", EVERY_HALF },
	{ "dinh ky 6 thang", EVERY_HALF },
	{ "dinh ky sau thang", EVERY_HALF },
	{ "dinh ky nua nam", EVERY_HALF },
	{ "6 thang mot lan", EVERY_HALF },
	{ "6 thang 1 lan", EVERY_HALF },
	{ "sau thang mot lan", EVERY_HALF },
	{ "thuong xuyen", EVERY_POLICY },
	{ "lien tuc", EVERY_POLICY },
	{ "dinh ky", EVERY_POLICY },
	{ "hang ngay", EVERY_POLICY },
	{ "hang tuan", EVERY_POLICY },
	{ "hang thang", EVERY_MONTH },
	{ "moi thang", EVERY_MONTH },
	{ "hang quy", EVERY_QUARTER },
	{ "moi quy", EVERY_QUARTER },
	{ "hang nam", EVERY_YEAR },
	{ "moi nam", EVERY_YEAR },
};

/* Labels that introduce a deadline inside brackets at the end of a cell. */
static const char *const bracket_labels[] = {
	"thoi gian hoan thanh", "thoi han", "han",
};

static const char *const roman[] = {
	"", "i", "ii", "iii", "iv", "v", "vi", "vii", "viii", "ix", "x",
	"xi", "xii",
};

/* Reasons are static so that callers never free them. */
static const char *const quarter_roman_why[] = {
	[5] = "quarter V does not exist (I-IV)",
	[6] = "quarter VI does not exist (I-IV)",
	[7] = "quarter VII does not exist (I-IV)",
	[8] = "quarter VIII does not exist (I-IV)",
	[9] = "quarter IX does not exist (I-IV)",
	[10] = "quarter X does not exist (I-IV)",
	[11] = "quarter XI does not exist (I-IV)",
	[12] = "quarter XII does not exist (I-IV)",
};

static const char *const quarter_digit_why[] = {
	[0] = "quarter 0 does not exist (1-4)",
	[5] = "quarter 5 does not exist (1-4)",
	[6] = "quarter 6 does not exist (1-4)",
	[7] = "quarter 7 does not exist (1-4)",
	[8] = "quarter 8 does not exist (1-4)",
	[9] = "quarter 9 does not exist (1-4)",
};

static const char *const day31_why[13] = {
	[4] = "31/04 is not a day (April has 30 days)",
	[6] = "31/06 is not a day (June has 30 days)",
	[9] = "31/09 is not a day (September has 30 days)",
	[11] = "31/11 is not a day (November has 30 days)",
};

static const char *const precision_names[_DEADLINE_PRECISION_MAX] = {
	[DEADLINE_DAY] = "day",
	[DEADLINE_MONTH] = "month",
	[DEADLINE_QUARTER] = "quarter",
	[DEADLINE_HALF] = "half",
	[DEADLINE_YEAR] = "year",
	[DEADLINE_RECURRING] = "recurring",
	[DEADLINE_EXTERNAL] = "external",
	[DEADLINE_UNKNOWN] = "unknown",
};

static bool
is_digit(char ch)
{
	return ch >= '0' && ch <= '9';
}

/* Bytes >= 0x80 count as letters: they belong to a word norm_key kept. */
static bool
is_letter(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (unsigned char)ch >= 0x80;
}

static void
skip_spaces(struct cursor *c)
{
	while (c->s[c->i] == ' ')
		c->i++;
}

static bool
at_end(struct cursor *c)
{
	skip_spaces(c);
	return c->s[c->i] == '\0';
}

/*
 * Eats the words w (single spaces between them, as norm_key leaves them)
 * when they stand as whole words: "han" must not eat the start of "hang".
 */
static bool
eat_word(struct cursor *c, const char *w)
{
	size_t start = c->i, n = strlen(w);

	skip_spaces(c);
	if (strncmp(c->s + c->i, w, n) != 0 || is_letter(c->s[c->i + n])) {
		c->i = start;
		return false;
	}
	c->i += n;
	return true;
}

static bool
eat_char(struct cursor *c, char ch)
{
	skip_spaces(c);
	if (c->s[c->i] != ch)
		return false;
	c->i++;
	return true;
}

/*
 * Eats a run of digits not followed by a letter.  *ret_ndigits is the
 * length of the run, so that callers can insist on "2025" over "25"; the
 * value stops growing past 9 digits, where no caller accepts it anyway.
 */
static bool
eat_number(struct cursor *c, int *ret, int *ret_ndigits)
{
	size_t start = c->i;
	int v = 0, n = 0;

	skip_spaces(c);
	while (is_digit(c->s[c->i])) {
		if (n < 9)
			v = v * 10 + (c->s[c->i] - '0');
		n++;
		c->i++;
	}
	if (n == 0 || is_letter(c->s[c->i])) {
		c->i = start;
		return false;
	}
	*ret = v;
	*ret_ndigits = n;
	return true;
}

/* Eats a number of one or two digits: a day, a month, a quarter. */
static bool
eat_small(struct cursor *c, int *ret)
{
	size_t start = c->i;
	int v, n;

	if (!eat_number(c, &v, &n))
		return false;
	if (n > 2) {
		c->i = start;
		return false;
	}
	*ret = v;
	return true;
}

/* Eats a four-digit year; "25" is not a year here (DESIGN §3). */
static bool
eat_year(struct cursor *c, int *ret)
{
	size_t start = c->i;
	int v, n;

	if (!eat_number(c, &v, &n))
		return false;
	if (n != 4) {
		c->i = start;
		return false;
	}
	*ret = v;
	return true;
}

/* Eats a Roman numeral I..XII, lower case after folding. */
static bool
eat_roman(struct cursor *c, int *ret)
{
	size_t start, n = 0, k;

	skip_spaces(c);
	start = c->i;
	while (c->s[start + n] == 'i' || c->s[start + n] == 'v' ||
	       c->s[start + n] == 'x')
		n++;
	if (n == 0 || is_letter(c->s[start + n]) || is_digit(c->s[start + n]))
		return false;
	for (k = 1; k < ELEMENTSOF(roman); k++) {
		if (strlen(roman[k]) == n && strncmp(c->s + start, roman[k], n) == 0) {
			c->i = start + n;
			*ret = (int)k;
			return true;
		}
	}
	return false;
}

/*
 * Eats the optional year after a period: "/2025", "-2025", ".2025",
 * " năm 2025", "năm nay" or a bare " 2025".  Returns false only when
 * something year-like started but did not finish ("/25"), which makes the
 * whole text unknown; *ret_year stays 0 when no year was written.
 */
static bool
eat_year_suffix(struct cursor *c, int *ret_year)
{
	size_t start = c->i;

	*ret_year = 0;
	if (eat_char(c, '/') || eat_char(c, '-') || eat_char(c, '.'))
		return eat_year(c, ret_year);
	if (eat_word(c, "nam")) {
		/* "năm nay" is "this year": the default year. */
		if (eat_word(c, "nay"))
			return true;
		return eat_year(c, ret_year);
	}
	if (eat_year(c, ret_year))
		return true;
	c->i = start;
	return true;
}

/* "Theo tiến độ TW", "Theo lộ trình của Bộ": the date comes from outside. */
static bool
form_external(struct cursor *c, struct found *f)
{
	if (!eat_word(c, "theo") || at_end(c))
		return false;
	/* Whatever follows names the outside schedule; it is kept raw. */
	c->i += strlen(c->s + c->i);
	f->precision = DEADLINE_EXTERNAL;
	return true;
}

/*
 * Eats one word of a recurring deadline into *every, keeping the most
 * frequent period named: "thường xuyên" alone follows the policy, and
 * "Định kỳ hằng quý" reports each quarter.
 */
static bool
eat_rword(struct cursor *c, enum deadline_every *every)
{
	for (size_t k = 0; k < ELEMENTSOF(recurring_words); k++) {
		enum deadline_every e = recurring_words[k].every;

		if (!eat_word(c, recurring_words[k].words))
			continue;
		/* "Hằng tháng, hằng quý": the month, the more frequent, wins. */
		if (*every == EVERY_NONE || *every == EVERY_POLICY ||
		    (e != EVERY_POLICY && e < *every))
			*every = e;
		return true;
	}
	return false;
}

/* The words of a recurring deadline, joined by ",", ";", "-" or "và". */
static bool
eat_rwords(struct cursor *c, enum deadline_every *every)
{
	size_t n = 0, mark;

	*every = EVERY_NONE;
	for (;;) {
		mark = c->i;
		if (n > 0 && !eat_char(c, ',') && !eat_char(c, ';') &&
		    !eat_char(c, '-'))
			(void)eat_word(c, "va");
		if (!eat_rword(c, every)) {
			c->i = mark;
			break;
		}
		n++;
	}
	return n > 0;
}

/* A reporting day after the words: "hằng tháng, vào ngày 20". */
static void
eat_trailing_day(struct cursor *c, struct found *f)
{
	size_t mark = c->i;

	(void)eat_char(c, ',');
	(void)eat_word(c, "vao");
	if (eat_word(c, "ngay") && eat_small(c, &f->day)) {
		f->day_given = true;
		return;
	}
	c->i = mark;
}

/*
 * "Thường xuyên", "Thường xuyên, liên tục", "Hằng quý", "Ngày 20 hàng
 * tháng", "Định kỳ 6 tháng".  The day in front may have lost its "ngày"
 * to strip_fillers ("Trước ngày 20 hằng tháng"); a number that turns out
 * to be the "6" of "6 tháng một lần" is given back.
 */
static bool
form_recurring(struct cursor *c, struct found *f)
{
	size_t start;

	/* "Báo cáo định kỳ hằng quý", "Báo cáo trước ngày 20 hằng tháng". */
	if (eat_word(c, "bao cao"))
		(void)eat_word(c, "truoc");
	start = c->i;
	(void)eat_word(c, "ngay");
	if (eat_small(c, &f->day) && eat_rwords(c, &f->every)) {
		f->day_given = true;
	} else {
		c->i = start;
		f->day = 0;
		if (!eat_rwords(c, &f->every))
			return false;
		eat_trailing_day(c, f);
	}
	/* A day of the month with no period named is a monthly report. */
	if (f->day_given && f->every == EVERY_POLICY)
		f->every = EVERY_MONTH;
	f->precision = DEADLINE_RECURRING;
	return true;
}

/* "6 tháng đầu năm 2026", "sáu tháng cuối năm", "nửa đầu năm 2026". */
static bool
form_half(struct cursor *c, struct found *f)
{
	int six, n;

	if (eat_number(c, &six, &n)) {
		if (six != 6 || !eat_word(c, "thang"))
			return false;
	} else if (eat_word(c, "sau")) {
		if (!eat_word(c, "thang"))
			return false;
	} else if (!eat_word(c, "nua")) {
		return false;
	}
	if (eat_word(c, "dau"))
		f->month = 6;
	else if (eat_word(c, "cuoi"))
		f->month = 12;
	else
		return false;
	if (!eat_word(c, "nam"))
		return false;
	if (!eat_word(c, "nay") && !eat_year(c, &f->year))
		f->year = 0;
	f->precision = DEADLINE_HALF;
	return true;
}

/* "Quý II", "Quý IV/2025", "Quý 3 năm 2026", "Quý III-2025". */
static bool
form_quarter(struct cursor *c, struct found *f)
{
	if (!eat_word(c, "quy"))
		return false;
	if (eat_roman(c, &f->num))
		f->roman = true;
	else if (!eat_small(c, &f->num))
		return false;
	if (!eat_year_suffix(c, &f->year))
		return false;
	f->precision = DEADLINE_QUARTER;
	return true;
}

/* "Tháng 9", "Tháng 7/2025", "tháng 12 năm 2025", and a bare "9/2025". */
static bool
form_month(struct cursor *c, struct found *f)
{
	if (eat_word(c, "thang")) {
		if (!eat_small(c, &f->month) || !eat_year_suffix(c, &f->year))
			return false;
	} else {
		/* A day never has a four-digit month after it: "9/2025". */
		if (!eat_small(c, &f->month) || !eat_char(c, '/') ||
		    !eat_year(c, &f->year))
			return false;
	}
	f->precision = DEADLINE_MONTH;
	return true;
}

/* ISO order, with "-" or "/" only: "2025-09-30", "2025/09/30". */
static bool
form_day_iso(struct cursor *c, struct found *f)
{
	size_t start = c->i;
	const char *sep;

	for (sep = "-/"; *sep != '\0'; sep++) {
		c->i = start;
		if (eat_year(c, &f->year) && eat_char(c, *sep) &&
		    eat_small(c, &f->month) && eat_char(c, *sep) &&
		    eat_small(c, &f->day)) {
			f->precision = DEADLINE_DAY;
			return true;
		}
	}
	return false;
}

/* "15 tháng 10 năm 2025", "15 tháng 10, năm 2025", "15 tháng 10". */
static bool
form_day_words(struct cursor *c, struct found *f)
{
	if (!eat_small(c, &f->day) || !eat_word(c, "thang") ||
	    !eat_small(c, &f->month))
		return false;
	(void)eat_char(c, ',');
	if (eat_word(c, "nam") && !eat_word(c, "nay") && !eat_year(c, &f->year))
		return false;
	f->precision = DEADLINE_DAY;
	return true;
}

/*
 * "30/9/2025", "15-10-2025", "15.10.2025" and "30/9".  Both separators
 * must be the same, so that "15/10-2025" is not taken for a date.
 */
static bool
form_day_numeric(struct cursor *c, struct found *f)
{
	const char *sep;

	if (!eat_small(c, &f->day))
		return false;
	for (sep = "/-."; *sep != '\0'; sep++)
		if (eat_char(c, *sep))
			break;
	if (*sep == '\0' || !eat_small(c, &f->month))
		return false;
	/* The year is optional, but a second separator promises one. */
	if (eat_char(c, *sep) && !eat_year(c, &f->year))
		return false;
	f->precision = DEADLINE_DAY;
	return true;
}

/* "Năm 2025", "2025", "năm nay", and "năm" alone after "trong"/"cuối". */
static bool
form_year(struct cursor *c, struct found *f)
{
	if (eat_word(c, "nam")) {
		if (!eat_word(c, "nay"))
			(void)eat_year(c, &f->year);
	} else if (!eat_year(c, &f->year)) {
		return false;
	}
	f->month = 12;
	f->precision = DEADLINE_YEAR;
	return true;
}

/*
 * Drops leading filler words, each optionally followed by ":"
 * ("Thời hạn: Quý IV"), and returns the union of their flags.
 */
static unsigned
strip_fillers(struct cursor *c)
{
	unsigned flags = 0;
	size_t k;
	bool more = true;

	while (more) {
		more = false;
		for (k = 0; k < ELEMENTSOF(fillers); k++) {
			if (eat_word(c, fillers[k].words)) {
				flags |= fillers[k].flags;
				(void)eat_char(c, ':');
				more = true;
				break;
			}
		}
	}
	return flags;
}

/*
 * Reads a whole key.  Fills *f and returns true when one form matched the
 * text to its end; otherwise *f says DEADLINE_UNKNOWN.
 */
static bool
recognise(const char *key, struct found *f)
{
	static bool (*const forms[])(struct cursor *, struct found *) = {
		/* Recurring before year: "hằng năm" ends in "năm". */
		form_external, form_recurring, form_half, form_quarter,
		form_month, form_day_iso, form_day_words, form_day_numeric,
		form_year,
	};
	struct cursor c = { key, 0 };
	unsigned flags;
	size_t k, start;

	flags = strip_fillers(&c);
	start = c.i;
	for (k = 0; k < ELEMENTSOF(forms); k++) {
		struct found cand = { .precision = DEADLINE_UNKNOWN };

		c.i = start;
		if (!forms[k](&c, &cand) || !at_end(&c))
			continue;
		/* "Trước ngày 20 hằng tháng" names a day too. */
		if ((flags & FILL_ONLY_DAY) && cand.precision != DEADLINE_DAY &&
		    !(cand.precision == DEADLINE_RECURRING && cand.day_given))
			break;
		*f = cand;
		return true;
	}
	*f = (struct found){ .precision = DEADLINE_UNKNOWN };
	return false;
}

/*
 * A status cell may carry the deadline in brackets at its end, as in
 * "Quá hạn (Thời gian hoàn thành: Quý II)".  Returns a new copy of the
 * bracketed text when it starts with a deadline label, else NULL.
 */
static char *
bracketed_deadline(const char *key)
{
	size_t n = strlen(key), k;
	const char *open;

	if (n < 2 || key[n - 1] != ')')
		return NULL;
	open = strrchr(key, '(');
	if (!open)
		return NULL;
	for (k = 0; k < ELEMENTSOF(bracket_labels); k++) {
		struct cursor c = { open + 1, 0 };

		if (eat_word(&c, bracket_labels[k]))
			return xstrndup(open + 1, (size_t)(key + n - 1 - (open + 1)));
	}
	return NULL;
}

static int
check_year(int y, const char **why)
{
	/* boundary: 1900 and 2200 are accepted, 1899 and 2201 are not. */
	if (y < YEAR_MIN || y > YEAR_MAX) {
		*why = "year out of range (1900-2200)";
		return -EINVAL;
	}
	return 0;
}

static int
check_month(int m, const char **why)
{
	/* boundary: months 0 and 13 are the first impossible ones. */
	if (m >= 1 && m <= 12)
		return 0;
	if (m == 0)
		*why = "month 0 does not exist";
	else if (m == 13)
		*why = "month 13 does not exist";
	else
		*why = "month out of range (1-12)";
	return -EINVAL;
}

/*
 * Judges the numbers a form recorded and turns a quarter into the month
 * it ends in.  Only checks that need no year happen here, so that "30/02"
 * fails even without a default year; leap days wait for resolve().
 */
static int
check_found(struct found *f, const char **why)
{
	int r;

	if (f->year != 0) {
		r = check_year(f->year, why);
		if (r < 0)
			return r;
	}
	switch (f->precision) {
	case DEADLINE_QUARTER:
		/* boundary: quarter IV is the last, V the first impossible. */
		if (f->num >= 1 && f->num <= 4) {
			f->month = f->num * 3;
			return 0;
		}
		if (f->roman)
			*why = quarter_roman_why[f->num];
		else if ((size_t)f->num < ELEMENTSOF(quarter_digit_why))
			*why = quarter_digit_why[f->num];
		else
			*why = NULL;
		if (!*why)
			*why = "quarter out of range (I-IV)";
		return -EINVAL;
	case DEADLINE_MONTH:
		return check_month(f->month, why);
	case DEADLINE_DAY:
		r = check_month(f->month, why);
		if (r < 0)
			return r;
		if (f->day == 0) {
			*why = "day 0 does not exist";
			return -EINVAL;
		}
		/* boundary: 31 is the last day any month has. */
		if (f->day > 31) {
			*why = "no month has more than 31 days";
			return -EINVAL;
		}
		/* boundary: 30/02 and 31/02 fail in every year, 29/02 only in some. */
		if (f->month == 2 && f->day >= 30) {
			*why = f->day == 30 ?
			       "30/02 is not a day (February has at most 29 days)" :
			       "31/02 is not a day (February has at most 29 days)";
			return -EINVAL;
		}
		if (f->day == 31 && day31_why[f->month]) {
			*why = day31_why[f->month];
			return -EINVAL;
		}
		return 0;
	default:
		return 0;
	}
}

/*
 * The reporting day of a recurring deadline: 1..31, where 31 (or 29, 30)
 * is the month's last day in shorter months; 0 and 32 are no day at all.
 */
static int
check_every_day(const struct found *f, const char **why)
{
	if (!f->day_given)
		return 0;
	/* boundary: 1 and 31 are accepted, 0 and 32 are not. */
	if (f->day == 0) {
		*why = "day 0 of the month does not exist (the reporting day is 1-31)";
		return -EINVAL;
	}
	if (f->day > 31) {
		*why = "no month has more than 31 days (the reporting day is 1-31)";
		return -EINVAL;
	}
	return 0;
}

/* Picks the year and computes the due day of a checked *f. */
static int
resolve(const struct found *f, int default_year, struct deadline *ret,
	const char **why)
{
	int y = f->year, r;

	if (y == 0) {
		if (default_year == 0) {
			*why = "the text names no year and there is no default year";
			return -ENODATA;
		}
		r = check_year(default_year, why);
		if (r < 0) {
			*why = "default year out of range (1900-2200)";
			return r;
		}
		y = default_year;
	}
	/* boundary: 29/02 is valid in 2000 and 2024, not in 2025 or 2100. */
	if (f->day != 0 && !date_is_valid(y, f->month, f->day)) {
		*why = "29/02 is not a day in a common year";
		return -EINVAL;
	}
	ret->precision = f->precision;
	ret->has_due = true;
	ret->year_given = f->year != 0;
	ret->due.y = y;
	ret->due.m = f->month;
	/* Every period ends on the last day of its last month. */
	ret->due.d = f->day != 0 ? f->day : date_days_in_month(y, f->month);
	return 0;
}

/*
 * Parses one folded key into *ret.  A text we do not understand is not an
 * error: it comes back as DEADLINE_UNKNOWN with r = 0.
 */
static int
parse_key(const char *key, int default_year, struct deadline *ret,
	  const char **why)
{
	struct deadline d = { .precision = DEADLINE_UNKNOWN };
	struct found f = { .precision = DEADLINE_UNKNOWN };
	char *inner = NULL;
	int r = 0;

	if (!recognise(key, &f)) {
		inner = bracketed_deadline(key);
		if (inner)
			(void)recognise(inner, &f);
	}
	switch (f.precision) {
	case DEADLINE_RECURRING:
		r = check_every_day(&f, why);
		if (r < 0)
			goto out;
		d.precision = f.precision;
		d.every = f.every;
		d.every_day = f.day;
		break;
	case DEADLINE_EXTERNAL:
	case DEADLINE_UNKNOWN:
		/* No due day, so no year is needed either. */
		d.precision = f.precision;
		break;
	default:
		r = check_found(&f, why);
		if (r < 0)
			goto out;
		r = resolve(&f, default_year, &d, why);
		if (r < 0)
			goto out;
		break;
	}
	*ret = d;
out:
	free(inner);
	return r;
}

int
deadline_parse(const char *raw, int default_year, struct deadline *ret,
	       const char **reterr_why)
{
	const char *why = NULL;
	char *key = NULL;
	int r = 0;

	assert(ret);
	/*
	 * Invalid UTF-8 (norm_key gives NULL) is not ours to report: the
	 * import checks it first, so here it is merely not understood.
	 */
	key = raw ? norm_key(raw) : NULL;
	if (!key) {
		*ret = (struct deadline){ .precision = DEADLINE_UNKNOWN };
		goto out;
	}
	r = parse_key(key, default_year, ret, &why);
	if (r < 0 && reterr_why)
		*reterr_why = why;
out:
	free(key);
	return r;
}

static const char *const every_names[_DEADLINE_EVERY_MAX] = {
	[EVERY_NONE] = NULL,
	[EVERY_POLICY] = "policy",
	[EVERY_MONTH] = "month",
	[EVERY_QUARTER] = "quarter",
	[EVERY_HALF] = "half",
	[EVERY_YEAR] = "year",
};

const char *
deadline_every_format(const struct deadline *dl, char out[24])
{
	if ((int)dl->every <= EVERY_NONE || dl->every >= _DEADLINE_EVERY_MAX)
		return NULL;
	if (dl->every == EVERY_POLICY)
		snprintf(out, 24, "%s", every_names[dl->every]);
	else
		snprintf(out, 24, "%s:%d", every_names[dl->every], dl->every_day);
	return out;
}

int
deadline_every_parse(const char *s, struct deadline *dl)
{
	const char *colon;
	char *end;
	long day = 0;

	dl->every = EVERY_NONE;
	dl->every_day = 0;
	if (!s)
		return 0;
	colon = strchr(s, ':');
	for (int k = EVERY_POLICY; k < _DEADLINE_EVERY_MAX; k++) {
		size_t n = strlen(every_names[k]);

		if (strncmp(s, every_names[k], n) != 0 || (s[n] != '\0' && s[n] != ':'))
			continue;
		if (colon) {
			errno = 0;
			day = strtol(colon + 1, &end, 10);
			if (errno || *end || end == colon + 1 || day < 0 || day > 31)
				return -EINVAL;
		}
		if ((k == EVERY_POLICY) != !colon)
			return -EINVAL;
		dl->every = (enum deadline_every)k;
		dl->every_day = (int)day;
		return 0;
	}
	return -EINVAL;
}

const char *
deadline_precision_to_string(enum deadline_precision p)
{
	if ((int)p < 0 || p >= _DEADLINE_PRECISION_MAX)
		return NULL;
	return precision_names[p];
}

enum deadline_precision
deadline_precision_from_string(const char *s)
{
	size_t k;

	if (!s)
		return _DEADLINE_PRECISION_INVALID;
	for (k = 0; k < ELEMENTSOF(precision_names); k++)
		if (strcmp(s, precision_names[k]) == 0)
			return (enum deadline_precision)k;
	return _DEADLINE_PRECISION_INVALID;
}

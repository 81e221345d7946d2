/* SPDX-License-Identifier: MIT */
/*
 * Internet mail messages built by hand, for libESMTP to send verbatim:
 * RFC 5322 headers, RFC 2047 words, RFC 2231 filenames, MIME multiparts
 * and the three transfer encodings, CRLF throughout (LIBRARIES.md §2).
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <openssl/evp.h>
#include <utf8proc.h>

#include "buf.h"
#include "macro.h"
#include "mime.h"
#include "norm.h"
#include "xalloc.h"

#define MIME_MAX_BYTES ((size_t)64 << 20)	/* the whole message; relays refuse far less */
/* Encoded body lines (RFC 2045) and header lines holding encoded-words (RFC 2047). */
#define MIME_LINE 76
#define MIME_WORD 75		/* one encoded-word, delimiters included (RFC 2047 §2) */
#define MIME_WORD_OVERHEAD 12	/* "=?UTF-8?B?" and "?=" */
#define HEADER_LINE_MAX 998	/* the hard limit of RFC 5322 §2.1.1 */
#define FILENAME_MAX_BYTES 255	/* what file systems take; keeps filename*= under 998 */
#define CONTENT_TYPE_MAX 200
#define B64_CHUNK 57		/* bytes that make one 76-character base64 line */
#define VN_OFFSET (7 * 3600)	/* Asia/Ho_Chi_Minh: UTC+7, no summer time since 1975 */

enum cte {
	CTE_7BIT,
	CTE_QP,
	CTE_BASE64,
};

static const char *const cte_name[] = {
	[CTE_7BIT] = "7bit",
	[CTE_QP] = "quoted-printable",
	[CTE_BASE64] = "base64",
};

/* RFC 5322 atext, the characters of an atom. */
static bool
is_atext(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))
		return true;
	return c != '\0' && strchr("!#$%&'*+-/=?^_`{|}~", c) != NULL;
}

/* RFC 2231 attribute-char: what may stand unescaped in filename*=. */
static bool
is_attr_char(unsigned char c)
{
	if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))
		return true;
	return c != '\0' && strchr("!#$&+-.^_`|~", c) != NULL;
}

static bool
is_wsp(char c)
{
	return c == ' ' || c == '\t';
}

/* Length of the UTF-8 sequence a lead byte starts; the text is already validated. */
static size_t
utf8_seq_len(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if (c < 0xe0)
		return 2;
	if (c < 0xf0)
		return 3;
	return 4;
}

/* Local part as a dot-atom: atext runs joined by single dots. */
static bool
dot_atom_ok(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '.') {
			if (i == 0 || i + 1 == n || s[i + 1] == '.')
				return false;
		} else if (!is_atext((unsigned char)s[i])) {
			return false;
		}
	}
	return n > 0;
}

/*
 * A host name: letters, digits and hyphens in labels of 1..63 joined by
 * dots.  No dot is required, so "localhost" passes (test relays).
 */
static bool
domain_ok(const char *s, size_t n)
{
	size_t label = 0;

	if (n == 0 || n > 253)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
		} else if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
			   (c >= 'a' && c <= 'z') || c == '-') {
			if (label == 0 && c == '-')
				return false;
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return label > 0 && s[n - 1] != '-';
}

bool
mime_address_ok(const char *addr)
{
	const char *at;
	size_t n, local;

	if (!addr)
		return false;
	n = strlen(addr);
	if (n < 3 || n > 254)
		return false;
	at = strchr(addr, '@');
	if (!at || strchr(at + 1, '@'))
		return false;
	local = (size_t)(at - addr);
	/* RFC 5321 §4.5.3.1.1: a local part is at most 64 octets. */
	if (local > 64)
		return false;
	return dot_atom_ok(addr, local) && domain_ok(at + 1, n - local - 1);
}

/*
 * True when an unstructured value cannot go out as it is: bytes outside
 * ASCII, controls other than tab, or "=?", which a reader would take for
 * the start of an encoded-word.
 */
static bool
needs_words(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c >= 0x7f || (c < 0x20 && c != '\t'))
			return true;
		if (c == '=' && i + 1 < n && s[i + 1] == '?')
			return true;
	}
	return false;
}

/* The column at the end of b: bytes since its last line break. */
static size_t
line_col(const struct buf *b)
{
	const char *nl = memrchr(b->p, '\n', b->len);

	return nl ? b->len - (size_t)(nl + 1 - b->p) : b->len;
}

/*
 * Appends s as RFC 2047 B words starting at column col.  Each word takes
 * whole UTF-8 characters only (a reader decodes every word on its own)
 * and as many as keep it within 75 characters and its line within 76;
 * words are folded with CRLF SP, white space a reader drops between
 * adjacent words.
 */
static int
add_words(struct buf *b, const char *s, size_t n, size_t col)
{
	unsigned char word[MIME_WORD];
	size_t i = 0;
	int r;

	while (i < n) {
		size_t room = MIN((size_t)MIME_WORD, MIME_LINE - MIN(col, (size_t)MIME_LINE));
		size_t raw, take = 0;
		int len;

		/* Too little room after a long header name: start on the next line. */
		if (room < MIME_WORD_OVERHEAD + 8) {
			r = buf_adds(b, "\r\n ");
			if (r < 0)
				return r;
			col = 1;
			continue;
		}
		raw = (room - MIME_WORD_OVERHEAD) / 4 * 3;
		while (i + take < n) {
			size_t k = utf8_seq_len((unsigned char)s[i + take]);

			if (take + k > raw)
				break;
			take += k;
		}
		/*
		 * Prefer to end a word just after a space.  Readers must drop
		 * the folding between two words (RFC 2047 §6.2), but some keep
		 * it as a space in a display name (Python before gh-128110):
		 * they then show a doubled space, not a word cut in two.
		 */
		if (i + take < n) {
			const char *sp = memrchr(s + i, ' ', take);

			if (sp && (size_t)(sp + 1 - (s + i)) >= take / 2)
				take = (size_t)(sp + 1 - (s + i));
		}
		len = EVP_EncodeBlock(word, (const unsigned char *)s + i, (int)take);
		r = buf_adds(b, "=?UTF-8?B?");
		if (r >= 0)
			r = buf_add(b, word, (size_t)len);
		if (r >= 0)
			r = buf_adds(b, "?=");
		if (r < 0)
			return r;
		i += take;
		if (i < n) {
			r = buf_adds(b, "\r\n ");
			if (r < 0)
				return r;
			col = 1;
		}
	}
	return 0;
}

/*
 * Appends plain ASCII s as it is, folded before white space where a line
 * would pass 76 columns (unfolding gives back the exact text).  -E2BIG
 * when a word is too long for even a 998-character line.
 */
static int
add_folded(struct buf *b, const char *s, size_t n, size_t col)
{
	size_t i = 0;
	int r;

	while (i < n) {
		size_t j = i, k;

		/* One token: the white space, then the word after it. */
		while (j < n && is_wsp(s[j]))
			j++;
		k = j;
		while (k < n && !is_wsp(s[k]))
			k++;
		/*
		 * Fold only before white space that has a word after it: a
		 * line of nothing but white space is not a header line.
		 */
		if (i > 0 && k > j && col + (k - i) > MIME_LINE) {
			r = buf_adds(b, "\r\n");
			if (r < 0)
				return r;
			col = 0;
		}
		if (col + (k - i) > HEADER_LINE_MAX)
			return -E2BIG;
		r = buf_add(b, s + i, k - i);
		if (r < 0)
			return r;
		col += k - i;
		i = k;
	}
	return 0;
}

/* An unstructured value (a Subject) at column col: as it is when it can be, else B words. */
static int
add_unstructured(struct buf *b, const char *s, size_t col)
{
	size_t n = strlen(s), start = b->len;
	int r;

	if (!needs_words(s, n)) {
		r = add_folded(b, s, n, col);
		if (r != -E2BIG)
			return r;
		buf_truncate(b, start);
	}
	return add_words(b, s, n, col);
}

char *
mime_encode_words(const char *value, size_t name_len)
{
	struct buf b;
	char *s = NULL;

	if (!value || strpbrk(value, "\r\n") || !norm_is_utf8(value, strlen(value), NULL))
		return NULL;
	buf_init(&b, MIME_MAX_BYTES);
	/* The caller writes "Name: " before the value. */
	if (add_unstructured(&b, value, MIN(name_len, (size_t)HEADER_LINE_MAX) + 2) == 0)
		s = buf_detach(&b);
	buf_release(&b);
	return s;
}

/* Appends name as an RFC 5322 quoted-string, with " and \ escaped. */
static int
add_quoted(struct buf *b, const char *s)
{
	int r = buf_addc(b, '"');

	for (; *s && r >= 0; s++) {
		if (*s == '"' || *s == '\\')
			r = buf_addc(b, '\\');
		if (r >= 0)
			r = buf_addc(b, *s);
	}
	return r < 0 ? r : buf_addc(b, '"');
}

/* True for a name that is atoms separated by single spaces: it can go out bare. */
static bool
is_plain_phrase(const char *s)
{
	for (size_t i = 0; s[i]; i++) {
		if (s[i] == ' ') {
			if (i == 0 || s[i + 1] == ' ' || s[i + 1] == '\0')
				return false;
		} else if (!is_atext((unsigned char)s[i])) {
			return false;
		}
	}
	return true;
}

/*
 * An ASCII display name, bare when it is atoms and quoted otherwise,
 * folded at its own spaces (in quotes too: unfolding gives them back).
 * -E2BIG when a word is too long for a line.
 */
static int
add_ascii_phrase(struct buf *b, const char *name, size_t col)
{
	struct buf q;
	int r;

	buf_init(&q, MIME_MAX_BYTES);
	r = is_plain_phrase(name) ? buf_adds(&q, name) : add_quoted(&q, name);
	if (r >= 0)
		r = add_folded(b, q.p, q.len, col);
	buf_release(&q);
	return r;
}

/*
 * "From: name <addr>" and the like.  An ASCII display name goes as a
 * phrase (see add_ascii_phrase()); one that is not ASCII or holds "=?" or
 * a control goes as B words, never inside quotes, where readers would not
 * decode them.  The address moves to a line of its own when it does not
 * fit after the name.
 */
static int
add_mailbox(struct buf *b, const char *field, const char *name, const char *addr)
{
	size_t col = strlen(field) + 2, n, start;
	int r;

	r = buf_addf(b, "%s: ", field);
	if (r < 0)
		return r;
	if (!name || !*name) {
		r = buf_adds(b, addr);
		return r < 0 ? r : buf_adds(b, "\r\n");
	}
	n = strlen(name);
	start = b->len;
	r = -E2BIG;
	if (!needs_words(name, n))
		r = add_ascii_phrase(b, name, col);
	if (r == -E2BIG) {
		buf_truncate(b, start);
		r = add_words(b, name, n, col);
	}
	if (r < 0)
		return r;
	r = buf_adds(b, line_col(b) + strlen(addr) + 3 > MIME_LINE ? "\r\n <" : " <");
	if (r >= 0)
		r = buf_adds(b, addr);
	return r < 0 ? r : buf_adds(b, ">\r\n");
}

/* "Date: Mon, 05 Jan 2026 10:00:00 +0700" from fixed tables: strftime() follows the locale. */
static int
add_date(struct buf *b, time_t t)
{
	static const char days[7][4] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
	static const char months[12][4] = {
		"Jan", "Feb", "Mar", "Apr", "May", "Jun",
		"Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
	};
	struct tm tm;
	time_t local;

	/*
	 * Viet Nam has kept UTC+7 without summer time since 1975, so the
	 * offset is fixed and the host's TZ never matters.
	 */
	if (__builtin_add_overflow(t, (time_t)VN_OFFSET, &local) || !gmtime_r(&local, &tm))
		return -EINVAL;
	/* RFC 5322 wants a four-digit year no earlier than 1900. */
	if (tm.tm_year < 0 || tm.tm_year > 9999 - 1900)
		return -EINVAL;
	return buf_addf(b, "Date: %s, %02d %s %04d %02d:%02d:%02d +0700\r\n", days[tm.tm_wday],
			tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min,
			tm.tm_sec);
}

/* n bytes from getrandom(2), which blocks only until the kernel pool is first ready. */
static int
fill_random(void *p, size_t n)
{
	uint8_t *q = p;

	while (n > 0) {
		ssize_t k = getrandom(q, n, 0);

		if (k < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		q += k;
		n -= (size_t)k;
	}
	return 0;
}

/* Writes 2n hex digits and a NUL. */
static void
to_hex(char *dst, const uint8_t *src, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		dst[2 * i] = hex[src[i] >> 4];
		dst[2 * i + 1] = hex[src[i] & 15];
	}
	dst[2 * n] = '\0';
}

/* Copies s with every line end (LF, CRLF or a lone CR) made CRLF. */
static int
normalise_eol(struct buf *out, const char *s)
{
	int r = 0;

	while (*s && r >= 0) {
		size_t run = strcspn(s, "\r\n");

		r = buf_add(out, s, run);
		s += run;
		if (r < 0 || !*s)
			break;
		r = buf_adds(out, "\r\n");
		s += s[0] == '\r' && s[1] == '\n' ? 2 : 1;
	}
	return r;
}

/*
 * True when normalised text can go as 7bit: ASCII without controls,
 * lines within 76, no trailing white space (relays strip it), no line
 * starting "From " (mbox delivery mangles it) and no "=_", which starts
 * every boundary, so no text line can ever be taken for a delimiter.
 */
static bool
is_7bit_safe(const char *s, size_t n)
{
	size_t col = 0;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\r') {
			/* Always CRLF after normalise_eol(). */
			if (i > 0 && is_wsp(s[i - 1]))
				return false;
			i++;
			col = 0;
			continue;
		}
		if (c >= 0x7f || (c < 0x20 && c != '\t'))
			return false;
		if (++col > MIME_LINE)
			return false;
		if (c == '=' && i + 1 < n && s[i + 1] == '_')
			return false;
		if (col == 1 && n - i >= 5 && memcmp(s + i, "From ", 5) == 0)
			return false;
	}
	return n == 0 || !is_wsp(s[n - 1]);
}

/*
 * Quoted-printable of normalised text (RFC 2045 §6.7): lines within 76
 * with "=" soft breaks, white space encoded at a line end, "From " at a
 * line start escaped.  No line end after the last line: the delimiter
 * that follows brings its own.
 */
static int
add_qp(struct buf *b, const char *s, size_t n)
{
	static const char hex[] = "0123456789ABCDEF";
	char line[MIME_LINE + 1];
	size_t o = 0;
	int r;

	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		bool eol, lit;

		if (c == '\r') {
			r = buf_add(b, line, o);
			if (r >= 0)
				r = buf_adds(b, "\r\n");
			if (r < 0)
				return r;
			o = 0;
			i++;
			continue;
		}
		eol = i + 1 == n || s[i + 1] == '\r';
		lit = (c > ' ' && c < 0x7f && c != '=') || (is_wsp((char)c) && !eol);
		/* Keep room for the "=" of a soft break unless this ends the line. */
		if (o + (lit ? 1 : 3) > (eol ? MIME_LINE : MIME_LINE - 1)) {
			line[o++] = '=';
			r = buf_add(b, line, o);
			if (r >= 0)
				r = buf_adds(b, "\r\n");
			if (r < 0)
				return r;
			o = 0;
		}
		if (o == 0 && n - i >= 5 && memcmp(s + i, "From ", 5) == 0)
			lit = false;
		if (lit) {
			line[o++] = (char)c;
		} else {
			line[o++] = '=';
			line[o++] = hex[c >> 4];
			line[o++] = hex[c & 15];
		}
	}
	return buf_add(b, line, o);
}

/* Base64 in 76-character lines, without a line end after the last. */
static int
add_base64(struct buf *b, const void *data, size_t n)
{
	const unsigned char *p = data;
	unsigned char line[MIME_LINE + 1];
	int r = 0;

	for (size_t i = 0; i < n && r >= 0; i += B64_CHUNK) {
		int len = EVP_EncodeBlock(line, p + i, (int)MIN((size_t)B64_CHUNK, n - i));

		if (i > 0)
			r = buf_adds(b, "\r\n");
		if (r >= 0)
			r = buf_add(b, line, (size_t)len);
	}
	return r;
}

/* Size add_base64() would produce for n bytes. */
static size_t
base64_size(size_t n)
{
	size_t chars = (n + 2) / 3 * 4, lines = (n + B64_CHUNK - 1) / B64_CHUNK;

	return chars + (lines > 0 ? 2 * (lines - 1) : 0);
}

/*
 * A text/<subtype> leaf.  Pure short-lined ASCII goes as 7bit; anything
 * else as quoted-printable or base64, whichever is smaller: QP for
 * mostly-ASCII text, base64 for Vietnamese, where a letter with two
 * marks costs 9 characters in QP and 4 in base64.
 */
static int
add_text_part(struct buf *b, const char *subtype, const char *text)
{
	struct buf norm, qp;
	enum cte cte = CTE_7BIT;
	int r;

	buf_init(&norm, MIME_MAX_BYTES);
	buf_init(&qp, MIME_MAX_BYTES);
	r = normalise_eol(&norm, text);
	if (r < 0)
		goto out;
	if (!is_7bit_safe(norm.p, norm.len)) {
		r = add_qp(&qp, norm.p, norm.len);
		if (r < 0)
			goto out;
		cte = qp.len <= base64_size(norm.len) ? CTE_QP : CTE_BASE64;
	}
	r = buf_addf(b, "Content-Type: text/%s; charset=UTF-8\r\n"
		     "Content-Transfer-Encoding: %s\r\n\r\n", subtype, cte_name[cte]);
	if (r < 0)
		goto out;
	switch (cte) {
	case CTE_7BIT:
		r = buf_add(b, norm.p, norm.len);
		break;
	case CTE_QP:
		r = buf_add(b, qp.p, qp.len);
		break;
	case CTE_BASE64:
		r = add_base64(b, norm.p, norm.len);
		break;
	}
out:
	buf_release(&qp);
	buf_release(&norm);
	return r;
}

/* True for a filename that can stand in filename="..." as it is. */
static bool
is_plain_filename(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s >= 0x7f || *s == '"' || *s == '\\')
			return false;
	return true;
}

/*
 * The ASCII stand-in for a non-ASCII filename, for readers without RFC
 * 2231: compatibility forms unfolded and marks stripped ("Báo cáo" gives
 * "Bao cao"), đ made d, dashes made "-", anything else outside ASCII
 * made "_", and " and \ made "_" too, so that no escape is needed inside
 * the quotes.  At most FILENAME_MAX_BYTES characters: a compatibility
 * form can be 18 characters (U+FDFA), and the line must stay within 998.
 */
static int
add_fallback_filename(struct buf *b, const char *name)
{
	utf8proc_uint8_t *plain = NULL;
	utf8proc_ssize_t n;
	size_t written = 0;
	int r = 0;

	n = utf8proc_map((const utf8proc_uint8_t *)name, 0, &plain,
			 UTF8PROC_NULLTERM | UTF8PROC_STABLE | UTF8PROC_COMPAT |
			 UTF8PROC_DECOMPOSE | UTF8PROC_STRIPMARK);
	if (n == UTF8PROC_ERROR_NOMEM) {
		/* Keep STYLE rule 9: out of memory ends the process. */
		abort();
	}
	if (n < 0)
		return -EINVAL;
	for (utf8proc_ssize_t i = 0; i < n && r >= 0 && written < FILENAME_MAX_BYTES; written++) {
		utf8proc_int32_t cp;
		utf8proc_ssize_t k = utf8proc_iterate(plain + i, n - i, &cp);
		char c = '_';

		if (k <= 0) {
			r = -EINVAL;
			break;
		}
		if (cp == 0x110)
			c = 'D';
		else if (cp == 0x111)
			c = 'd';
		else if (cp >= 0x2010 && cp <= 0x2015)
			c = '-';
		else if (cp >= 0x20 && cp < 0x7f && cp != '"' && cp != '\\')
			c = (char)cp;
		r = buf_addc(b, c);
		i += k;
	}
	free(plain);
	return r;
}

/* filename*=UTF-8''%E1%BA%BF.pdf (RFC 2231 §4), on one line: names are at most 255 bytes. */
static int
add_filename_star(struct buf *b, const char *name)
{
	static const char hex[] = "0123456789ABCDEF";
	int r = buf_adds(b, "filename*=UTF-8''");

	for (const unsigned char *p = (const unsigned char *)name; *p && r >= 0; p++) {
		if (is_attr_char(*p)) {
			r = buf_addc(b, (char)*p);
		} else {
			char esc[3] = { '%', hex[*p >> 4], hex[*p & 15] };

			r = buf_add(b, esc, sizeof(esc));
		}
	}
	return r;
}

/* ";CRLF TAB param=\"...\"" with the filename, or its ASCII stand-in when it is not plain. */
static int
add_name_param(struct buf *b, const char *param, const char *name, bool plain)
{
	int r = buf_addf(b, ";\r\n\t%s=\"", param);

	if (r >= 0)
		r = plain ? buf_adds(b, name) : add_fallback_filename(b, name);
	return r < 0 ? r : buf_addc(b, '"');
}

/*
 * An attachment leaf, always base64.  A filename that is plain ASCII is
 * written as it is; any other gets an ASCII stand-in in filename= and the
 * exact name in filename*=, stand-in first (the order of RFC 6266 §4.3;
 * readers that know filename*= prefer it).  Content-Type also gets name=,
 * which some old readers look at instead.
 */
static int
add_attachment(struct buf *b, const struct mime_attachment *a)
{
	const char *ct = a->content_type ? a->content_type : "application/octet-stream";
	const char *name = a->filename && *a->filename ? a->filename : NULL;
	bool plain = name && is_plain_filename(name);
	int r;

	r = buf_addf(b, "Content-Type: %s", ct);
	/* Keep a name= the caller wrote. */
	if (r >= 0 && name && !strcasestr(ct, "name="))
		r = add_name_param(b, "name", name, plain);
	if (r >= 0)
		r = buf_adds(b, "\r\nContent-Disposition: attachment");
	if (r >= 0 && name)
		r = add_name_param(b, "filename", name, plain);
	if (r >= 0 && name && !plain) {
		r = buf_adds(b, ";\r\n\t");
		if (r >= 0)
			r = add_filename_star(b, name);
	}
	if (r >= 0)
		r = buf_adds(b, "\r\nContent-Transfer-Encoding: base64\r\n\r\n");
	if (r >= 0)
		r = add_base64(b, a->data, a->len);
	return r;
}

/* The text, or text and HTML as multipart/alternative; no line end after it. */
static int
add_content(struct buf *b, const struct mime_message *m, const char *alt)
{
	int r;

	if (!m->html)
		return add_text_part(b, "plain", m->text);
	r = buf_addf(b, "Content-Type: multipart/alternative;\r\n\tboundary=\"%s\"\r\n\r\n--%s\r\n",
		     alt, alt);
	/* Plain text first: the last alternative is the preferred one (RFC 2046 §5.1.4). */
	if (r >= 0)
		r = add_text_part(b, "plain", m->text);
	if (r >= 0)
		r = buf_addf(b, "\r\n--%s\r\n", alt);
	if (r >= 0)
		r = add_text_part(b, "html", m->html);
	if (r >= 0)
		r = buf_addf(b, "\r\n--%s--", alt);
	return r;
}

/*
 * The body, from the top-level Content-Type on.  The CRLF before each
 * "--boundary" belongs to the delimiter (RFC 2046 §5.1.1), so parts end
 * without one and a text that ends in a line end keeps it.
 */
static int
add_body(struct buf *b, const struct mime_message *m, const char *mixed, const char *alt)
{
	int r;

	if (m->n_attachments == 0) {
		r = add_content(b, m, alt);
	} else {
		r = buf_addf(b, "Content-Type: multipart/mixed;\r\n"
			     "\tboundary=\"%s\"\r\n\r\n--%s\r\n", mixed, mixed);
		if (r >= 0)
			r = add_content(b, m, alt);
		for (size_t i = 0; i < m->n_attachments && r >= 0; i++) {
			r = buf_addf(b, "\r\n--%s\r\n", mixed);
			if (r >= 0)
				r = add_attachment(b, &m->attachments[i]);
		}
		if (r >= 0)
			r = buf_addf(b, "\r\n--%s--", mixed);
	}
	/* The message itself ends with a line end. */
	if (r >= 0 && (b->len < 2 || memcmp(b->p + b->len - 2, "\r\n", 2) != 0))
		r = buf_adds(b, "\r\n");
	return r;
}

/* A header value: no CR or LF (a NUL would end the C string), valid UTF-8. */
static int
check_header_value(const char *s, const char *crlf_why, const char *utf8_why,
		   const char **reterr_why)
{
	if (strpbrk(s, "\r\n")) {
		*reterr_why = crlf_why;
		return -EINVAL;
	}
	if (!norm_is_utf8(s, strlen(s), NULL)) {
		*reterr_why = utf8_why;
		return -EINVAL;
	}
	return 0;
}

/* "type/subtype; param=value" in printable ASCII; it goes into the header as it is. */
static bool
content_type_ok(const char *s)
{
	size_t n = strlen(s);

	if (n < 3 || n > CONTENT_TYPE_MAX || !strchr(s, '/') || s[0] == ' ')
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] >= 0x7f)
			return false;
	return true;
}

static int
check_attachment(const struct mime_attachment *a, const char **reterr_why)
{
	int r;

	if (a->filename) {
		r = check_header_value(a->filename, "CR or LF in an attachment filename",
				       "attachment filename is not UTF-8", reterr_why);
		if (r < 0)
			return r;
		for (const char *p = a->filename; *p; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f) {
				*reterr_why = "control character in an attachment filename";
				return -EINVAL;
			}
		if (strlen(a->filename) > FILENAME_MAX_BYTES) {
			*reterr_why = "attachment filename longer than 255 bytes";
			return -EINVAL;
		}
	}
	if (a->content_type && !content_type_ok(a->content_type)) {
		*reterr_why = "attachment content type is not a plain ASCII MIME type";
		return -EINVAL;
	}
	if (!a->data && a->len > 0) {
		*reterr_why = "attachment without data";
		return -EINVAL;
	}
	return 0;
}

/* Everything that comes from outside, checked before a byte is written. */
static int
check_message(const struct mime_message *m, const char **reterr_why)
{
	int r = -EINVAL;

	if (!mime_address_ok(m->from_addr)) {
		*reterr_why = "sender address is not a plain ASCII mailbox";
		return r;
	}
	if (!mime_address_ok(m->to_addr)) {
		*reterr_why = "recipient address is not a plain ASCII mailbox";
		return r;
	}
	if (m->id_domain && *m->id_domain && !domain_ok(m->id_domain, strlen(m->id_domain))) {
		*reterr_why = "Message-ID domain is not a plain host name";
		return r;
	}
	/* A dot-atom, as a host name is: nothing to quote or escape. */
	if (m->id_left && *m->id_left && !domain_ok(m->id_left, strlen(m->id_left))) {
		*reterr_why = "Message-ID left-hand side is not letters, digits, '-' and '.'";
		return r;
	}
	if (!m->subject) {
		*reterr_why = "no subject";
		return r;
	}
	if (!m->text) {
		*reterr_why = "no text part";
		return r;
	}
	if (m->n_attachments > 0 && !m->attachments) {
		*reterr_why = "attachments missing";
		return r;
	}
	r = check_header_value(m->subject, "CR or LF in the subject", "subject is not UTF-8",
			       reterr_why);
	if (r >= 0 && m->from_name)
		r = check_header_value(m->from_name, "CR or LF in the sender's name",
				       "sender's name is not UTF-8", reterr_why);
	if (r >= 0 && m->to_name)
		r = check_header_value(m->to_name, "CR or LF in the recipient's name",
				       "recipient's name is not UTF-8", reterr_why);
	if (r < 0)
		return r;
	if (!norm_is_utf8(m->text, strlen(m->text), NULL)) {
		*reterr_why = "text part is not UTF-8";
		return -EINVAL;
	}
	if (m->html && !norm_is_utf8(m->html, strlen(m->html), NULL)) {
		*reterr_why = "HTML part is not UTF-8";
		return -EINVAL;
	}
	for (size_t i = 0; i < m->n_attachments; i++) {
		r = check_attachment(&m->attachments[i], reterr_why);
		if (r < 0)
			return r;
	}
	return 0;
}

int
mime_build(const struct mime_message *m, char **ret, size_t *ret_len, char **ret_message_id,
	   const char **reterr_why)
{
	uint8_t rnd[16 + 12 + 12];	/* Message-ID, then the two boundaries */
	char id_hex[2 * 16 + 1], mixed[4 + 2 * 12 + 1], alt[4 + 2 * 12 + 1];
	const char *why = NULL, *domain;
	struct buf b;
	char *id = NULL;
	int r;

	buf_init(&b, MIME_MAX_BYTES);
	r = check_message(m, &why);
	if (r < 0)
		goto out;
	r = add_date(&b, m->date);
	if (r < 0) {
		why = "date out of range (years 1900 to 9999)";
		goto out;
	}
	r = fill_random(rnd, sizeof(rnd));
	if (r < 0) {
		why = "no random bytes from the kernel";
		goto out;
	}
	/*
	 * 128 random bits make the Message-ID unique without a counter; 96
	 * make each boundary unguessable, and "=_" can never occur in QP or
	 * base64 output (nor in 7bit text, see is_7bit_safe()).
	 */
	to_hex(id_hex, rnd, 16);
	memcpy(mixed, "=_m_", 4);
	to_hex(mixed + 4, rnd + 16, 12);
	memcpy(alt, "=_a_", 4);
	to_hex(alt + 4, rnd + 28, 12);
	domain = m->id_domain && *m->id_domain ? m->id_domain : strchr(m->from_addr, '@') + 1;
	if (m->id_left && *m->id_left)
		id = xasprintf("%s@%s", m->id_left, domain);
	else
		id = xasprintf("%lld.%s@%s", (long long)m->date, id_hex, domain);

	r = add_mailbox(&b, "From", m->from_name, m->from_addr);
	if (r >= 0)
		r = add_mailbox(&b, "To", m->to_name, m->to_addr);
	if (r >= 0)
		r = buf_adds(&b, "Subject: ");
	if (r >= 0)
		r = add_unstructured(&b, m->subject, strlen("Subject: "));
	if (r >= 0)
		r = buf_addf(&b, "\r\nMessage-ID: <%s>\r\nMIME-Version: 1.0\r\n", id);
	if (r >= 0)
		r = add_body(&b, m, mixed, alt);
	if (r < 0)
		goto out;
	*ret_len = b.len;
	*ret = buf_detach(&b);
	if (ret_message_id) {
		*ret_message_id = id;
		id = NULL;
	}
out:
	if (r == -ENOBUFS) {
		r = -EMSGSIZE;
		why = "message larger than 64 MiB";
	}
	if (r < 0 && reterr_why)
		*reterr_why = why ? why : "cannot encode the message";
	free(id);
	buf_release(&b);
	return r;
}

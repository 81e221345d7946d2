/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the MIME builder (mime.h), with mime_encode_words on
 * its own.  The input is a flags byte, four bytes of date, one of header
 * name length, then NUL-separated fields: subject, from name, to name,
 * text, HTML, attachment filename, attachment content type, from
 * address, to address, Message-ID left-hand side; what follows the last
 * NUL is the attachment's data.  A field the flags leave out is NULL (or
 * a fixed address).
 *
 * What must hold of every message built: CRLF line ends only, no line
 * over 998 bytes (RFC 5322 §2.1.1), nothing but printable ASCII and tab
 * in it (8-bit text goes as quoted-printable or base64, headers as RFC
 * 2047 words), and the Subject, decoded back, the subject given.  What
 * must hold of mime_encode_words: the same decoding back, encoded lines
 * within 76 characters, every word within 75.
 *
 * The random bytes (boundaries, Message-ID) come from a getrandom() of
 * this file, a counter reset for each input: a crash replays the same.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/types.h>

#include "mime.h"
#include "norm.h"

#define LINE_MAX_RFC 998
#define WORD_LINE 76
#define WORD_MAX 75

enum {
	F_HTML = 1 << 0,
	F_FROM_NAME = 1 << 1,
	F_TO_NAME = 1 << 2,
	F_ATTACH = 1 << 3,
	F_CTYPE = 1 << 4,
	F_ID_LEFT = 1 << 5,
	F_FILENAME = 1 << 6,
	F_ADDRS = 1 << 7,
};

enum { SUBJECT, FROM_NAME, TO_NAME, TEXT, HTML, FILENAME, CTYPE, FROM_ADDR, TO_ADDR, ID_LEFT,
       N_FIELDS };

static uint64_t rnd_state;

/* The library's random bytes, made deterministic: every call in this process comes here. */
ssize_t
getrandom(void *buf, size_t n, unsigned int flags)
{
	unsigned char *p = buf;

	(void)flags;
	for (size_t i = 0; i < n; i++) {
		rnd_state = rnd_state * 6364136223846793005ULL + 1442695040888963407ULL;
		p[i] = (unsigned char)(rnd_state >> 56);
	}
	return (ssize_t)n;
}

static int
b64_value(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* Decodes n base64 characters (padded) into out (room for n / 4 * 3): its length, or -1. */
static long
b64_decode(const char *s, size_t n, unsigned char *out)
{
	long o = 0;

	if (n % 4)
		return -1;
	for (size_t i = 0; i < n; i += 4) {
		int v[4];

		for (int k = 0; k < 4; k++)
			v[k] = s[i + k] == '=' ? -2 : b64_value((unsigned char)s[i + k]);
		if (v[0] < 0 || v[1] < 0 || v[2] == -1 || v[3] == -1 ||
		    (v[2] == -2 && v[3] != -2) || ((v[2] == -2 || v[3] == -2) && i + 4 != n))
			return -1;
		out[o++] = (unsigned char)(v[0] << 2 | v[1] >> 4);
		if (v[2] >= 0)
			out[o++] = (unsigned char)((v[1] & 15) << 4 | v[2] >> 2);
		if (v[3] >= 0)
			out[o++] = (unsigned char)((v[2] & 3) << 6 | v[3]);
	}
	return o;
}

/*
 * The value v (n bytes, after "Name: ") decoded as a reader would: B
 * words separated by folding, each valid UTF-8 alone and within 75
 * characters; or ASCII folded before white space, unfolded.  Aborts
 * unless it gives back want.  first_col is where v starts on its line.
 */
static void
check_value(const char *v, size_t n, const char *want, size_t first_col)
{
	char *got = malloc(n + 1);
	size_t o = 0, i = 0, col = first_col;
	bool words = n >= 2 && memmem(v, n, "=?", 2);

	if (!got)
		abort();
	if (words) {
		while (i < n) {
			const char *end;
			size_t wn;
			long k;

			if (n - i >= 3 && memcmp(v + i, "\r\n ", 3) == 0) {
				i += 3;
				col = 1;
				continue;
			}
			if (n - i < 12 || memcmp(v + i, "=?UTF-8?B?", 10) != 0)
				abort();
			end = memmem(v + i + 10, n - i - 10, "?=", 2);
			if (!end)
				abort();
			wn = (size_t)(end + 2 - (v + i));
			if (wn > WORD_MAX || col + wn > WORD_LINE)
				abort();
			k = b64_decode(v + i + 10, wn - 12, (unsigned char *)got + o);
			if (k < 0 || !norm_is_utf8(got + o, (size_t)k, NULL))
				abort();
			o += (size_t)k;
			col += wn;
			i += wn;
		}
	} else {
		for (; i < n; i++) {
			if (v[i] == '\r') {
				if (i + 2 >= n || v[i + 1] != '\n' || (v[i + 2] != ' ' && v[i + 2] != '\t'))
					abort();
				i++;
				continue;
			}
			got[o++] = v[i];
		}
	}
	if (o != strlen(want) || memcmp(got, want, o) != 0)
		abort();
	free(got);
}

/* Every line CRLF-ended, at most 998 bytes, printable ASCII or tab. */
static void
check_lines(const char *m, size_t n)
{
	size_t col = 0;

	if (n < 2 || memcmp(m + n - 2, "\r\n", 2) != 0)
		abort();
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)m[i];

		if (c == '\r') {
			if (i + 1 >= n || m[i + 1] != '\n')
				abort();
			i++;
			col = 0;
			continue;
		}
		if ((c < 0x20 && c != '\t') || c >= 0x7f)
			abort();
		if (++col > LINE_MAX_RFC)
			abort();
	}
}

/* The Subject header's value in message m (through its folded lines), and its length. */
static const char *
subject_of(const char *m, size_t *ret_n)
{
	const char *s = strstr(m, "\r\nSubject: "), *e;

	if (!s)
		abort();
	s += strlen("\r\nSubject: ");
	for (e = s; !(e[0] == '\r' && e[2] != ' ' && e[2] != '\t'); e++)
		;
	*ret_n = (size_t)(e - s);
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *f[N_FIELDS] = { 0 }, *why = NULL, *subj;
	struct mime_attachment att = { 0 };
	struct mime_message m = { 0 };
	char *copy, *out = NULL, *id = NULL, *words;
	size_t rest, out_n = 0, sn;
	uint8_t flags;
	int32_t when;
	unsigned name_len;
	int r;

	if (size < 6)
		return 0;
	rnd_state = 42;
	flags = data[0];
	when = (int32_t)((uint32_t)data[1] << 24 | (uint32_t)data[2] << 16 | (uint32_t)data[3] << 8 |
			 data[4]);
	name_len = data[5];
	data += 6;
	size -= 6;
	copy = malloc(size + 1);
	if (!copy)
		abort();
	memcpy(copy, data, size);
	copy[size] = '\0';
	/* The fields, each NUL-terminated in place; the last one's rest is the attachment. */
	rest = 0;
	for (int i = 0; i < N_FIELDS && rest <= size; i++) {
		f[i] = copy + rest;
		rest += strlen(copy + rest) + 1;
	}
	/* The subject alone, as the Subject header of a name of name_len. */
	if (f[SUBJECT]) {
		words = mime_encode_words(f[SUBJECT], name_len);
		if (words) {
			check_value(words, strlen(words), f[SUBJECT], name_len + 2);
			free(words);
		} else if (!strpbrk(f[SUBJECT], "\r\n") &&
			   norm_is_utf8(f[SUBJECT], strlen(f[SUBJECT]), NULL)) {
			abort();	/* refused a value it takes */
		}
	}
	m.subject = f[SUBJECT] ? f[SUBJECT] : "";
	m.text = f[TEXT] ? f[TEXT] : "";
	m.from_name = flags & F_FROM_NAME ? f[FROM_NAME] : NULL;
	m.to_name = flags & F_TO_NAME ? f[TO_NAME] : NULL;
	m.html = flags & F_HTML ? f[HTML] : NULL;
	m.from_addr = flags & F_ADDRS && f[FROM_ADDR] ? f[FROM_ADDR] : "dondoc@ubnd.example.gov.vn";
	m.to_addr = flags & F_ADDRS && f[TO_ADDR] ? f[TO_ADDR] : "lan.nguyen@skhcn.example.gov.vn";
	m.id_left = flags & F_ID_LEFT ? f[ID_LEFT] : NULL;
	m.date = (time_t)when * 97;
	if (flags & F_ATTACH) {
		att.filename = flags & F_FILENAME ? f[FILENAME] : NULL;
		att.content_type = flags & F_CTYPE ? f[CTYPE] : NULL;
		att.data = rest <= size ? copy + rest : NULL;
		att.len = rest <= size ? size - rest : 0;
		m.attachments = &att;
		m.n_attachments = 1;
	}
	r = mime_build(&m, &out, &out_n, &id, &why);
	if (r == 0) {
		if (strlen(out) != out_n || !id)
			abort();
		check_lines(out, out_n);
		subj = subject_of(out, &sn);
		check_value(subj, sn, m.subject, strlen("Subject: "));
	} else if (r != -EINVAL && r != -EMSGSIZE) {
		abort();
	} else if (!why || out || id) {
		abort();
	}
	free(out);
	free(id);
	free(copy);
	return 0;
}

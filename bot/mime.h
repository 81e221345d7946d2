/* SPDX-License-Identifier: MIT */
/*
 * Internet mail messages built by hand (LIBRARIES.md §2; libESMTP sends
 * them verbatim): RFC 5322 headers with RFC 2047 encoded-words for UTF-8
 * subjects and display names, multipart/alternative (text, then HTML)
 * inside multipart/mixed when there are attachments, quoted-printable or
 * base64 bodies with lines within limits, CRLF line ends throughout.
 *
 * No value can start a header: every text that goes into a header is
 * checked for CR, LF and NUL, and addresses are strict ASCII.  Pure: no
 * I/O; the only outside input is the random boundary and Message-ID.
 */
#ifndef DONDOC_MIME_H
#define DONDOC_MIME_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

struct mime_attachment {
	const char *filename;		/* UTF-8, at most 255 bytes, no control; RFC 2231-
					 * encoded, with an ASCII stand-in, when not plain
					 * ASCII; NULL: none */
	const char *content_type;	/* "application/vnd.openxmlformats-...",
					 * "text/calendar; method=PUBLISH": printable ASCII;
					 * NULL: application/octet-stream */
	const void *data;		/* always sent as base64; may be NULL when len is 0 */
	size_t len;
};

struct mime_message {
	const char *from_name;		/* display name, UTF-8, may be NULL */
	const char *from_addr;		/* "dondoc@example.gov.vn"; must pass mime_address_ok() */
	const char *to_name;		/* may be NULL */
	const char *to_addr;		/* must pass mime_address_ok() */
	const char *subject;		/* UTF-8, required ("" is allowed) */
	const char *text;		/* the text/plain part, UTF-8, required; LF, CR or CRLF
					 * line ends, all sent as CRLF */
	const char *html;		/* the text/html part, or NULL for text only */
	const struct mime_attachment *attachments;
	size_t n_attachments;
	time_t date;			/* the Date header, written in +0700 (Asia/Ho_Chi_Minh),
					 * and the first part of the Message-ID */
	const char *id_domain;		/* the right-hand side of the Message-ID; NULL or "":
					 * the domain of from_addr */
	const char *id_left;		/* the left-hand side of the Message-ID, letters,
					 * digits, '-' and '.' ("dondoc.42.0a1b2c3d4e5f6a7b"),
					 * so a message sent again keeps its id; NULL or "":
					 * "<date>.<32 random hex>" */
};

/*
 * Builds the whole message into a new NUL-terminated buffer (*ret,
 * *ret_len; free it with free()).  Returns 0, or on failure, with a
 * static English reason in *reterr_why (when not NULL) and no other
 * output written:
 *   -EINVAL    an address that is not a plain ASCII mailbox, a CR or LF
 *              in a header value (subject, names, filenames), text that
 *              is not UTF-8, a bad content type, a date outside 1900-9999;
 *   -EMSGSIZE  the message would pass 64 MiB;
 *   -errno     of getrandom(2), which gives the Message-ID and boundaries.
 * *ret_message_id (when not NULL) gets a new copy of the Message-ID,
 * "<unixtime>.<32 hex>@<domain>" (or "<id_left>@<domain>") without the
 * angle brackets.
 */
int mime_build(const struct mime_message *m, char **ret, size_t *ret_len, char **ret_message_id,
	       const char **reterr_why);

/*
 * Encodes an unstructured header value (a Subject) as needed: ASCII text
 * stays as it is (folded before white space if a line would pass 76),
 * anything else, or ASCII holding "=?" or a control other than tab,
 * becomes RFC 2047 B words of at most 75 characters, never splitting a
 * UTF-8 character, folded with CRLF SP so that no line passes 76
 * characters.  name_len is the length of the header name alone (7 for
 * "Subject"); the ": " the caller writes after it is counted here.
 * Returns a new string (free it with free()), or NULL for CR, LF or
 * invalid UTF-8.
 */
char *mime_encode_words(const char *value, size_t name_len);

/*
 * True for a plain ASCII mailbox local@domain, 3..254 bytes: a dot-atom
 * local part of at most 64 bytes (so no space, <>,;"()[]:\ or control)
 * and a host name of letters, digits, hyphens and dots ("localhost"
 * passes).  No quoted local parts, no address literals.
 */
bool mime_address_ok(const char *addr);

#endif

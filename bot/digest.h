/* SPDX-License-Identifier: MIT */
/*
 * The committee's periodic report (DESIGN §9; issue 13): the biweekly
 * digest and the monthly, quarterly, 6-, 9- and 12-month reports, which
 * share one shape.  Every figure comes from report.h; this module adds
 * what happened in the period (from the event log and the outbox), the
 * lists (overdue by agency, due in the next two weeks) and the words.
 *
 * Two steps, so that one digest goes to many people in their languages:
 * digest_data gathers the figures once (a JSON object the templates
 * digest.* read, templates/README.md), digest_render writes the forms for
 * one reader, cutting the long sections so that the HTML stays under
 * the cap that mail clients clip at.
 */
#ifndef DONDOC_DIGEST_H
#define DONDOC_DIGEST_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include <jansson.h>

#include "date.h"

struct calendar;
struct person;
struct renderer;
struct rendered;
struct store;

/* Gmail clips a message's HTML at about 102 KB: the digest stays under this. */
#define DIGEST_HTML_CAP ((size_t)100 * 1000)
/* "Due in the next two weeks": this many calendar days after today. */
#define DIGEST_AHEAD_DAYS 14

/* What a digest is about; everything borrowed. */
struct digest_query {
	struct date today;	/* the figures are as of this day ("Tính đến ngày …") */
	struct date from, to;	/* the period it reports on, both days included */
	/*
	 * How the period is named in the subject and the text, as span.h
	 * names it (SPAN_SINCE_LAST: "từ 26/9/2025 đến 09/10/2025").
	 */
	int span;		/* enum span_kind */
	int64_t agency_id;	/* 0: the whole registry; else only the tasks it leads */
	const struct calendar *cal;	/* working days; NULL: Monday-Friday */
	const char *url;	/* [http] public_url, written out beside links; NULL: none */
	time_t now;		/* when it is made (the outbox's dead letters up to now) */
	/*
	 * [zalo] window when Zalo is configured: the active people whose
	 * Zalo id works but who wrote to the OA longer ago than this (at now)
	 * are listed (zalo_closed); 0: Zalo is not, nobody is.
	 */
	int64_t zalo_window;
};

/*
 * Gathers the digest of q from s into a new JSON object (*ret,
 * json_decref).  Returns 0, -EPROTO when the figures do not add up (a
 * bug, logged; nothing is sent), or -errno from the store.
 */
int digest_data(struct store *s, const struct digest_query *q, json_t **ret);

/*
 * Renders the forms of mask (RENDER_*) of data for to (NULL: Vietnamese,
 * nobody greeted) into ret.  When the HTML would pass cap bytes (0:
 * DIGEST_HTML_CAP) the longest lists are cut, each ending "… và N nhiệm
 * vụ khác (xem tệp đính kèm)", in every form alike so that the text says
 * what the HTML says.  0, or -errno as renderer_render.
 */
int digest_render(const struct renderer *r, const struct person *to, const json_t *data,
		  size_t cap, unsigned mask, struct rendered *ret);

/*
 * With the mask of digest_render: this reader gets the email with the
 * workbook too, and the chat form says so ("emailed", templates/README.md);
 * without it the chat form says there is no address to send it to.
 */
#define DIGEST_EMAILED (1u << 8)

/* *io_limit not yet found (digest_render_cut). */
#define DIGEST_LIMIT_UNSET SIZE_MAX
/* Room left under the cap for another reader's greeting when a cut is reused. */
#define DIGEST_READER_MARGIN ((size_t)2 * 1000)

/*
 * digest_render for many readers of one digest: finding the cut renders
 * the HTML a dozen times, so it is found once, for the first reader
 * (*io_limit DIGEST_LIMIT_UNSET), with DIGEST_READER_MARGIN to spare,
 * stored in *io_limit and reused as it is for the next readers of the
 * same language (one io_limit per language).  0, or -errno.
 */
int digest_render_cut(const struct renderer *r, const struct person *to, const json_t *data,
		      size_t cap, unsigned mask, size_t *io_limit, struct rendered *ret);

#endif

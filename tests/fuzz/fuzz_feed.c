/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the iCal feed writer (feed.h) on tasks whose fields
 * come from the input: codes, titles, deadlines as written (parsed by
 * deadline_parse as the import does), notes, status, kind and progress.
 * libical is loaded by dlopen as in the daemon (dlical.h); the body is
 * then parsed back with libical, linked here.
 *
 * The input: a flags byte (which feed: agency, document or all; which
 * public_url), then up to 8 tasks, each a byte (status, kind, lead,
 * obstacle) and four NUL-ended fields: code, title, deadline, note.  The
 * title is normalised as the import does (norm_text), and a task without
 * one left out, as the import leaves it; so is a task the registry
 * refuses (a code twice) or with fields that are not UTF-8.
 *
 * Each input gets a fresh copy of a registry made once (two agencies, a
 * document, three feeds) under $TMPDIR, and a new maker: every input
 * meets the same state, and a crash replays alone.
 *
 * What must hold: the feed is built; its body is its n bytes, CRLF lines
 * of at most 75 octets, each valid UTF-8 by itself; libical reads it back
 * as one VCALENDAR without an error property, with as many VEVENTs as
 * the body says.
 *
 * A whole build each time (no prev): what the text is made of, not how it is kept.
 *
 * fsync and fdatasync are no-ops in this process: a registry thrown away
 * after each input needs no durability, and the disk's syncs made the
 * target wait (20 runs a second, 2 of them on the CPU).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <libical/ical.h>

#include "date.h"
#include "deadline.h"
#include "feed.h"
#include "fuzzlib.h"
#include "log.h"
#include "norm.h"
#include "registry.h"
#include "render.h"
#include "schedule.h"
#include "store.h"
#include "task.h"

#define NOW ((time_t)1772337600)	/* 2026-03-01 11:00 in Hà Nội */
#define MAX_TASKS 8

static struct renderer *rend;
static struct schedule *sch;
static char base[4200], work[4200];
static struct feed feeds[3];	/* agency, document, all */
static int64_t doc_id;

int fsync(int fd);
int fdatasync(int fd);

int
fsync(int fd)
{
	(void)fd;
	return 0;
}

int
fdatasync(int fd)
{
	(void)fd;
	return 0;
}

static void
die(const char *what, const char *msg)
{
	fprintf(stderr, "fuzz_feed: %s: %s\n", what, msg ? msg : "failed");
	exit(2);
}

static void
done(void)
{
	rend = renderer_free(rend);
	sch = schedule_free(sch);
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct store *s = NULL;
	char *msg = NULL;
	int64_t a = 0, b = 0;

	(void)argc;
	(void)argv;
	log_set_level(getenv("FUZZ_VERBOSE") ? LOG_LEVEL_DEBUG : LOG_LEVEL_ERROR);
	snprintf(base, sizeof(base), "%s/base.db", fuzz_dir());
	snprintf(work, sizeof(work), "%s/work.db", fuzz_dir());
	if (renderer_load(fuzz_top("templates"), &rend, &msg) < 0)
		die("templates", msg);
	sch = schedule_new_default();
	if (!sch)
		die("schedule", NULL);
	atexit(done);
	if (store_open(base, STORE_CREATE, &s, &msg) < 0)
		die("registry", msg);
	if (store_agency_insert(s, "skhcn", "Sở Khoa học và Công nghệ", AGENCY_DEPARTMENT, 1,
				&a) < 0 ||
	    store_agency_insert(s, "stp", "Sở Tư pháp", AGENCY_DEPARTMENT, 1, &b) < 0 ||
	    store_document_ensure(s, "328-KH/TU", "Kế hoạch", NULL, "", &doc_id) < 0)
		die("registry", "cannot seed");
	feeds[0] = (struct feed){ .kind = FEED_AGENCY, .target = a, .created_at = 1 };
	feeds[1] = (struct feed){ .kind = FEED_DOCUMENT, .target = doc_id, .created_at = 1 };
	feeds[2] = (struct feed){ .kind = FEED_ALL, .created_at = 1 };
	for (int i = 0; i < 3; i++) {
		memset(feeds[i].token_hash, 'a' + i, 64);
		if (store_feed_insert(s, &feeds[i]) < 0)
			die("registry", "cannot add a feed");
	}
	feeds[0].target_name = "Sở Khoa học và Công nghệ";
	feeds[1].target_name = "328-KH/TU";
	store_close(s);
	return 0;
}

/* base copied to work (its WAL went with the close), bytes for bytes. */
static void
fresh_copy(void)
{
	char buf[65536], side[4300];
	int in = open(base, O_RDONLY | O_CLOEXEC), out;
	ssize_t n;

	snprintf(side, sizeof(side), "%s-wal", work);
	(void)unlink(side);
	snprintf(side, sizeof(side), "%s-shm", work);
	(void)unlink(side);
	out = open(work, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (in < 0 || out < 0)
		abort();
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			abort();
	if (n < 0 || close(in) < 0 || close(out) < 0)
		abort();
}

/* The next NUL-ended field at *pos (to the end when there is no NUL). */
static const char *
field(const char *s, size_t size, size_t *pos)
{
	const char *f = s + *pos;

	*pos += strnlen(f, size - *pos) + 1;
	return f;
}

static bool
utf8(const char *s)
{
	return norm_is_utf8(s, strlen(s), NULL);
}

/* One task from its meta byte and fields, led by one of the agencies; refused ones left out. */
static void
add_task(struct store *s, uint8_t meta, const char *code, const char *title, const char *raw,
	 const char *note, int i)
{
	struct task t = { 0 };
	int64_t lead = 1 + (meta >> 7), id = 0;
	char key[16], *text;

	if (!utf8(code) || !utf8(title) || !utf8(raw) || !utf8(note))
		return;
	/* As the import takes a title: normalised, and a row without one refused. */
	text = norm_text(title);
	if (!text || !*text) {
		free(text);
		return;
	}
	t.code = (char *)code;
	t.title = text;
	t.kind = meta & 8 ? TASK_KIND_INDICATOR : TASK_KIND_TASK;
	t.status = (enum task_status)(meta % _TASK_STATUS_MAX);
	t.progress = t.status == TASK_DONE ? 100 : (meta >> 4) * 10 % 100;
	t.done_at = t.status == TASK_DONE ? NOW - 86400 * (meta & 0x70) : 0;
	t.obstacle_open = meta & 0x40;
	t.deadline_raw = (char *)raw;
	if (deadline_parse(raw, 2026, &t.deadline, NULL) < 0)
		t.deadline.precision = DEADLINE_UNKNOWN;
	snprintf(key, sizeof(key), "t%d", i);
	if (store_task_insert(s, &t, doc_id, key, NOW - 86400 * 30, &id) < 0) {
		free(text);
		return;
	}
	if (store_task_set_agencies(s, id, true, false, &lead, 1) < 0)
		abort();
	t.id = id;
	t.note = *note ? (char *)note : NULL;
	if (store_task_update(s, &t, NOW - 86400 * 10) < 0)
		abort();
	free(text);
}

/* CRLF lines of at most 75 octets, no other CR or LF, each valid UTF-8 by itself. */
static void
check_lines(const struct feed_body *b)
{
	const char *p = b->text, *end = b->text + b->n;

	if (strlen(b->text) != b->n)
		abort();
	while (p < end) {
		const char *nl = strstr(p, "\r\n");

		if (!nl || nl - p > 75 || memchr(p, '\n', (size_t)(nl - p)) ||
		    memchr(p, '\r', (size_t)(nl - p)) ||
		    !norm_is_utf8(p, (size_t)(nl - p), NULL))
			abort();
		p = nl + 2;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const urls[] = { NULL, "https://Dondoc.Example.vn:8443/bot",
					     "http://[::1]:8080", "https://user@lich.ubnd.gov.vn/" };
	struct feed_conf conf = { .refresh = 3600, .keep_done = 90, .keep_gone = 30 };
	struct feed_maker *m = NULL;
	struct feed_body *b = NULL;
	struct store *s = NULL;
	icalcomponent *root;
	char *copy, *msg = NULL;
	size_t pos = 1;
	int r;

	if (size < 1)
		return 0;
	copy = fuzz_cstr(data, size);
	fresh_copy();
	if (store_open(work, STORE_WRITE, &s, &msg) < 0)
		die("registry", msg);
	if (store_begin(s) < 0)
		abort();
	for (int i = 0; i < MAX_TASKS && pos < size; i++) {
		uint8_t meta = (uint8_t)copy[pos++];
		const char *code, *title, *raw, *note;

		if (pos >= size)
			break;
		code = field(copy, size, &pos);
		title = pos < size ? field(copy, size, &pos) : "";
		raw = pos < size ? field(copy, size, &pos) : "";
		note = pos < size ? field(copy, size, &pos) : "";
		add_task(s, meta, code, title, raw, note, i);
	}
	if (store_commit(s) < 0)
		abort();
	conf.public_url = urls[(data[0] >> 2) & 3];
	if (feed_maker_new(&m, &msg) < 0)
		die("libical", msg);
	feed_maker_set(m, &conf, rend, sch);
	r = feed_build(m, s, &feeds[data[0] % 3], NOW, NULL, &b, &msg);
	if (r < 0) {
		fprintf(stderr, "feed_build: %s\n", msg);
		abort();
	}
	if (getenv("FUZZ_FEED_PRINT"))
		fprintf(stderr, "%d events:\n%s", b->events, b->text);
	check_lines(b);
	root = icalparser_parse_string(b->text);
	if (!root || icalcomponent_isa(root) != ICAL_VCALENDAR_COMPONENT ||
	    icalcomponent_count_errors(root) != 0 ||
	    icalcomponent_count_components(root, ICAL_VEVENT_COMPONENT) != b->events)
		abort();
	icalcomponent_free(root);
	feed_body_unref(b);
	feed_maker_free(m);
	store_close(s);
	free(copy);
	return 0;
}

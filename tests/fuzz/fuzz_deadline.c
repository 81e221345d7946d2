/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the deadline parser (bot/deadline.h) on any text, with
 * a default year and without.  Besides not crashing, what it says must
 * hold together: a due day is a real day, a recurring period formats and
 * reads back the same, a reason is given on every failure.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "deadline.h"
#include "fuzzlib.h"

static void
check(const char *text, int year)
{
	struct deadline dl, back;
	const char *why = NULL, *name;
	char every[24];
	int r;

	memset(&dl, 0, sizeof(dl));
	r = deadline_parse(text, year, &dl, &why);
	if (r < 0) {
		/* A failure is one of the two documented, with its reason. */
		if ((r != -EINVAL && r != -ENODATA) || !why || !*why)
			abort();
		return;
	}
	if (r != 0)
		abort();
	name = deadline_precision_to_string(dl.precision);
	if (!name || deadline_precision_from_string(name) != dl.precision)
		abort();
	if (dl.has_due && (!date_is_valid(dl.due.y, dl.due.m, dl.due.d) || dl.due.y < 1900 || dl.due.y > 2200))
		abort();
	if (dl.every != EVERY_NONE && dl.precision != DEADLINE_RECURRING)
		abort();
	if (dl.every_day < 0 || dl.every_day > 31)
		abort();
	if (deadline_every_format(&dl, every)) {
		memset(&back, 0, sizeof(back));
		if (deadline_every_parse(every, &back) != 0 || back.every != dl.every ||
		    back.every_day != dl.every_day)
			abort();
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	char *text = fuzz_cstr(data, n);
	struct deadline dl;

	check(text, 2025);
	check(text, 0);
	/* The registry's own forms, read back from a damaged database. */
	memset(&dl, 0, sizeof(dl));
	(void)deadline_every_parse(text, &dl);
	(void)deadline_precision_from_string(text);
	free(text);
	return 0;
}

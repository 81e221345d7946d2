/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the policy reader (bot/schedule.h), the input as a
 * schedules directory's policy.ini.  The holiday file and the RRULEs go
 * to the dondoc-ical helper, which the fuzz build cannot find (Makefile:
 * LIBEXECDIR of build/fuzz): every key is read and checked here, and a
 * policy that passes ends at the helper's door with a message, without a
 * process forked per input.  libical's own parsing is not ours to fuzz.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzzlib.h"
#include "schedule.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	static const struct date today = { 2025, 10, 10 };
	struct schedule *s = NULL;
	char *msg = NULL;
	int r;

	/* The directory holds policy.ini only: no default holiday file. */
	(void)fuzz_file("policy.ini", data, n);
	r = schedule_load(fuzz_dir(), today, &s, &msg);
	if (r < 0) {
		if (!msg || s)
			abort();
		free(msg);
		return 0;
	}
	/* Only reachable with a helper installed; then the schedule must be whole. */
	if (!s->cal)
		abort();
	schedule_free(s);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * "dondoc deadline parse": shows what the deadline parser makes of a text.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "cli.h"
#include "deadline.h"
#include "norm.h"

static int
on_opt(int c, const char *arg, void *userdata)
{
	int64_t *year = userdata;

	if (c == 'y' && cli_parse_int(arg, 1900, 2200, year) < 0)
		return cli_usage_error("deadline parse", "--year '%s' is not a year (1900-2200)", arg);
	return 0;
}

/*
 * A recurring deadline's period: "every" (policy, month, quarter, half,
 * year) and "day", its reporting day of the month (null: the policy's).
 */
static void
add_period(json_t *o, const struct deadline *dl)
{
	char every[24], *colon;

	if (!deadline_every_format(dl, every))
		return;
	colon = strchr(every, ':');
	if (colon)
		*colon = '\0';
	json_object_set_new(o, "every", json_string(every));
	json_object_set_new(o, "day", dl->every_day ? json_integer(dl->every_day) : json_null());
}

int
cmd_deadline_parse(struct dondoc *d, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "year", required_argument, NULL, 'y' },
		{ 0 },
	};
	struct deadline dl;
	const char *why = NULL, *raw;
	int64_t year = clock_today(&d->clock).y;
	json_t *o = NULL;
	char due[DATE_ISO_LEN], *out = NULL;
	int r, ex = 0;

	if (cli_parse("deadline parse", argc, argv, opts, on_opt, &year, &ex))
		return ex;
	if (optind + 1 != argc)
		return cli_usage_error("deadline parse", optind >= argc ? "no TEXT given"
							      : "give TEXT as one argument (quote it)");
	raw = argv[optind];
	if (!norm_is_utf8(raw, strlen(raw), NULL))
		return cli_error("deadline parse", 2, "TEXT is not valid UTF-8");
	r = deadline_parse(raw, (int)year, &dl, &why);
	if (r < 0) {
		fprintf(stderr, "dondoc deadline parse: '%s': %s\n", raw,
			why ? why : "not a date");
		return 2;
	}
	o = json_object();
	json_object_set_new(o, "raw", json_string(raw));
	if (dl.has_due) {
		date_format_iso(dl.due, due);
		json_object_set_new(o, "due", json_string(due));
	} else {
		json_object_set_new(o, "due", json_null());
	}
	json_object_set_new(o, "precision", json_string(deadline_precision_to_string(dl.precision)));
	if (dl.precision == DEADLINE_RECURRING)
		add_period(o, &dl);
	out = json_dumps(o, JSON_COMPACT);
	puts(out);
	free(out);
	json_decref(o);
	if (dl.precision == DEADLINE_UNKNOWN) {
		fprintf(stderr, "dondoc deadline parse: '%s' is not a deadline dondoc understands "
			"(e.g. 'Quý IV/2025', 'Tháng 9', '30/9/2025', 'Thường xuyên', 'Ngày 20 hằng tháng')\n", raw);
		return 1;
	}
	return 0;
}

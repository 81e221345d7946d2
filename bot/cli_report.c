/* SPDX-License-Identifier: MIT */
/*
 * "dondoc report": the counts of report.h for people (the committee's
 * sentences, a table per agency or document) or for tools (--json).
 * Nothing is counted here: every figure is a field of struct report.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <jansson.h>

#include "cli.h"
#include "norm.h"
#include "registry.h"
#include "report.h"
#include "store.h"
#include "xalloc.h"
#include "xlsx.h"

#define CMD "report"

enum report_by {
	BY_AGENCY = 1 << 0,
	BY_DOCUMENT = 1 << 1,
};

struct report_args {
	const char *agency;
	const char *document;
	const char *from, *to;
	unsigned by;		/* enum report_by */
	bool json;
	const char *xlsx;	/* --xlsx FILE: the workbook (xlsx.h) instead of the counts */
};

static int
report_opt(int c, const char *arg, void *userdata)
{
	struct report_args *a = userdata;

	switch (c) {
	case 'a':
		a->agency = arg;
		break;
	case 'd':
		a->document = arg;
		break;
	case 'b':
		if (strcmp(arg, "agency") == 0)
			a->by |= BY_AGENCY;
		else if (strcmp(arg, "document") == 0)
			a->by |= BY_DOCUMENT;
		else
			return cli_usage_error(CMD, "--by takes 'agency' or 'document', not '%s'", arg);
		break;
	case 'f':
		a->from = arg;
		break;
	case 't':
		a->to = arg;
		break;
	case 'j':
		a->json = true;
		break;
	case 'x':
		if (!*arg)
			return cli_usage_error(CMD, "--xlsx needs a file name");
		a->xlsx = arg;
		break;
	}
	return 0;
}

/* The period of --from/--to into q: 0, or an exit status after one line. */
static int
period_of(const struct report_args *a, struct report_query *q)
{
	if (!a->from && !a->to)
		return 0;
	if (!a->from || !a->to)
		return cli_usage_error(CMD, "a period needs both --from and --to");
	if (cli_parse_day(a->from, &q->from) < 0)
		return cli_usage_error(CMD, "--from '%s' is not a day (YYYY-MM-DD or D/M/YYYY)",
				       a->from);
	if (cli_parse_day(a->to, &q->to) < 0)
		return cli_usage_error(CMD, "--to '%s' is not a day (YYYY-MM-DD or D/M/YYYY)", a->to);
	if (date_cmp(q->from, q->to) > 0)
		return cli_usage_error(CMD, "--from %s is after --to %s", a->from, a->to);
	q->has_period = true;
	return 0;
}

static void
format_day(struct date d, char out[16])
{
	snprintf(out, 16, "%d/%d/%d", d.d % 100, d.m % 100, d.y % 10000);
}

/* --- JSON ----------------------------------------------------------------- */

static json_t *
row_json(const struct report *r, const struct report_row *row, bool agency)
{
	json_t *o = report_counts_json(r, &row->c);

	if (agency) {
		json_object_set_new(o, "agency_id", json_integer(row->agency_id));
		json_object_set_new(o, "code", row->code ? json_string(row->code) : json_null());
		json_object_set_new(o, "name", row->name ? json_string(row->name) : json_null());
	} else {
		json_object_set_new(o, "document", row->name ? json_string(row->name) : json_null());
	}
	return o;
}

static void
print_json(const struct report *r, const struct report_args *a, const struct agency *ag)
{
	json_t *o = json_object(), *v;
	char today[DATE_ISO_LEN];

	date_format_iso(r->q.today, today);
	json_object_set_new(o, "today", json_string(today));
	json_object_set_new(o, "scope",
			    json_pack("{s:o, s:o}", "agency",
				      ag ? json_string(ag->code) : json_null(), "document",
				      a->document ? json_string(a->document) : json_null()));
	json_object_set_new(o, "counts", report_counts_json(r, &r->all));
	if (a->by & BY_AGENCY) {
		v = json_array();
		for (size_t i = 0; i < r->n_agencies; i++)
			json_array_append_new(v, row_json(r, &r->agencies[i], true));
		json_object_set_new(o, "by_agency", v);
		/* Tools must not add these rows up to the whole: say so in the data. */
		json_object_set_new(o, "agency_rows_overlap", json_true());
	}
	if (a->by & BY_DOCUMENT) {
		v = json_array();
		for (size_t i = 0; i < r->n_documents; i++)
			json_array_append_new(v, row_json(r, &r->documents[i], false));
		json_object_set_new(o, "by_document", v);
	}
	(void)json_dumpf(o, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	putchar('\n');
	json_decref(o);
}

/* --- text ------------------------------------------------------------------ */

/* The committee's sentences for the tasks: each part over the whole. */
static void
print_tasks(const struct report_tasks *t)
{
	long long n = (long long)t->total;

	printf("  Hoàn thành %lld/%lld nhiệm vụ (đạt %d%%): đúng hạn %lld, trễ hạn %lld",
	       (long long)t->done, n, report_percent(t->done, t->total),
	       (long long)t->done_on_time, (long long)t->done_late);
	if (t->done_unknown)
		printf(", không rõ thời điểm hoàn thành %lld", (long long)t->done_unknown);
	printf("\n");
	printf("  Đang triển khai thực hiện %lld/%lld, trong đó chậm tiến độ %lld\n",
	       (long long)t->in_progress, n, (long long)t->behind);
	printf("  Chưa thực hiện %lld/%lld\n", (long long)t->not_started, n);
	printf("  Tạm hoãn %lld/%lld\n", (long long)t->postponed, n);
	printf("  Quá hạn %lld/%lld (chưa hoàn thành, đã quá thời hạn)\n",
	       (long long)t->overdue, n);
}

static void
print_indicators(const struct report_indicators *i)
{
	long long m = (long long)i->total;

	printf("  Đạt và vượt %lld/%lld chỉ tiêu (đạt %d%%)\n", (long long)i->achieved, m,
	       report_percent(i->achieved, i->total));
	printf("  Chưa đạt %lld/%lld\n", (long long)i->not_achieved, m);
	printf("  Chưa đánh giá được %lld/%lld\n", (long long)i->unassessed, m);
}

/* The counts; a kind with none is one line ("Chỉ tiêu: 0"), not a list of 0/0. */
static void
print_counts(const struct report *r, const struct report_counts *c)
{
	long long n = (long long)c->tasks.total, m = (long long)c->indicators.total;

	printf("Nhiệm vụ: %lld\n", n);
	if (n)
		print_tasks(&c->tasks);
	printf("Chỉ tiêu: %lld\n", m);
	if (m)
		print_indicators(&c->indicators);
	if (r->q.has_period) {
		char from[16], to[16];

		format_day(r->q.from, from);
		format_day(r->q.to, to);
		printf("Trong kỳ từ %s đến %s: hoàn thành %lld nhiệm vụ (đúng hạn %lld, trễ hạn "
		       "%lld); giao mới %lld nhiệm vụ, %lld chỉ tiêu\n",
		       from, to, (long long)c->period.done, (long long)c->period.done_on_time,
		       (long long)c->period.done_late, (long long)c->period.created_tasks,
		       (long long)c->period.created_indicators);
	}
}

static void
table_row(struct cli_table *tb, const char *label, const struct report_counts *c)
{
	char v[14][24];
	const char *row[15];
	const int64_t f[14] = {
		c->tasks.total, c->tasks.done, c->tasks.done_on_time, c->tasks.done_late,
		c->tasks.done_unknown,
		c->tasks.in_progress, c->tasks.behind, c->tasks.not_started, c->tasks.postponed,
		c->tasks.overdue, c->indicators.total, c->indicators.achieved,
		c->indicators.not_achieved, c->indicators.unassessed,
	};

	row[0] = label;
	for (int k = 0; k < 14; k++) {
		snprintf(v[k], sizeof(v[k]), "%lld", (long long)f[k]);
		row[k + 1] = v[k];
	}
	cli_table_add(tb, row);
}

static void
print_rows(const struct report *r, const struct report_row *rows, size_t n, bool agency)
{
	static const char *const header[15] = {
		NULL, "NV", "Xong", "Đúng hạn", "Trễ hạn", "Không rõ", "Đang TH", "Chậm", "Chưa TH",
		"Hoãn", "Quá hạn", "CT", "Đạt", "Chưa đạt", "Chưa ĐG",
	};
	const char *head[15];
	struct cli_table *tb = cli_table_new(15);

	memcpy(head, header, sizeof(head));
	head[0] = agency ? "Cơ quan chủ trì" : "Văn bản giao nhiệm vụ";
	cli_table_add(tb, head);
	for (size_t i = 0; i < n; i++) {
		char *label = norm_truncate(rows[i].name ? rows[i].name
					    : agency ? "(không có cơ quan chủ trì)"
						     : "(không có văn bản)", 40);

		table_row(tb, label, &rows[i].c);
		free(label);
	}
	table_row(tb, "Tổng", &r->all);
	cli_table_print(tb);
	cli_table_free(tb);
	if (agency)
		printf("Nhiệm vụ có nhiều cơ quan chủ trì được tính ở mỗi cơ quan: cộng các dòng "
		       "có thể lớn hơn tổng.\n");
}

static void
print_text(const struct report *r, const struct report_args *a, const struct agency *ag)
{
	char today[16];

	format_day(r->q.today, today);
	printf("Tình hình thực hiện nhiệm vụ đến ngày %s\n", today);
	printf("Phạm vi: %s%s%s\n", ag ? ag->name : a->document ? "" : "toàn bộ",
	       ag && a->document ? ", " : "", a->document ? a->document : "");
	print_counts(r, &r->all);
	if (a->by & BY_AGENCY) {
		putchar('\n');
		print_rows(r, r->agencies, r->n_agencies, true);
	}
	if (a->by & BY_DOCUMENT) {
		putchar('\n');
		print_rows(r, r->documents, r->n_documents, false);
	}
}

/* --- the workbook ---------------------------------------------------------- */

/* --xlsx: what it cannot be asked with, one line; 0 when nothing. */
static int
xlsx_alone(const struct report_args *a)
{
	const char *other = a->document ? "--document" : a->by ? "--by" : a->from || a->to
		? "--from/--to" : a->json ? "--json" : NULL;

	if (!other)
		return 0;
	return cli_usage_error(CMD, "--xlsx writes every task (of --agency): not with %s", other);
}

/*
 * Writes the workbook of q to path; the figures said are r's, the
 * counts of the same selection.  0, or an exit status after one line.
 */
static int
write_xlsx(struct dondoc *d, const struct report_query *q, const struct report *r,
	   const char *path)
{
	struct xlsx_query xq = {
		.today = q->today, .cal = q->cal, .agency_id = q->agency_id,
		.created = clock_now(&d->clock),
	};
	char *err = NULL;
	int k = xlsx_report_write(d->store, &xq, path, &err);

	if (k < 0) {
		k = cli_error(CMD, k == -EACCES || k == -ENOENT || k == -EROFS || k == -ENOTDIR ||
					   k == -EISDIR ? EX_CANTCREAT : cli_exit_code(k),
			      "%s", err ? err : "cannot write the workbook");
		free(err);
		return k;
	}
	printf("Đã ghi %s: %lld nhiệm vụ, %lld chỉ tiêu\n", path, (long long)r->all.tasks.total,
	       (long long)r->all.indicators.total);
	return 0;
}

/* --- the command ------------------------------------------------------------ */

int
cmd_report(struct dondoc *d, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "agency", required_argument, NULL, 'a' },
		{ "document", required_argument, NULL, 'd' },
		{ "by", required_argument, NULL, 'b' },
		{ "from", required_argument, NULL, 'f' },
		{ "to", required_argument, NULL, 't' },
		{ "json", no_argument, NULL, 'j' },
		{ "xlsx", required_argument, NULL, 'x' },
		{ 0 },
	};
	struct report_args a = { 0 };
	struct report_query q = { 0 };
	struct report r;
	struct agency ag = { 0 };
	int k, ex = 0;

	if (cli_parse(CMD, argc, argv, opts, report_opt, &a, &ex))
		return ex;
	if (optind < argc)
		return cli_usage_error(CMD, "unexpected argument '%s'", argv[optind]);
	if (a.xlsx && (ex = xlsx_alone(&a)) != 0)
		return ex;
	if ((ex = period_of(&a, &q)) != 0)
		return ex;
	if (a.document && !*a.document)
		return cli_usage_error(CMD, "--document needs a number, e.g. 328-KH/TU");
	if ((ex = cli_need_store(d)) != 0)
		return ex;
	if (a.agency) {
		k = store_agency_lookup(d->store, a.agency, &ag);
		if (k == -ENOENT)
			return cli_error(CMD, EX_DATAERR, "no agency '%s' (see 'dondoc agency list')",
					 a.agency);
		if (k < 0)
			return cli_error(CMD, cli_exit_code(k), "%s", store_errmsg(d->store));
		q.agency_id = ag.id;
	}
	q.document = a.document;
	q.today = clock_today(&d->clock);
	k = report_build(d->store, &q, &r);
	if (k == -EPROTO) {
		agency_release(&ag);
		return cli_error(CMD, EX_SOFTWARE, "the counts do not add up (a bug; see the log)");
	}
	if (k < 0) {
		agency_release(&ag);
		return cli_error(CMD, cli_exit_code(k), "cannot read tasks: %s",
				 store_errmsg(d->store));
	}
	if (a.document && r.n_documents == 0) {
		report_release(&r);
		agency_release(&ag);
		return cli_error(CMD, EX_DATAERR, "no task of document '%s'%s", a.document,
				 a.agency ? " led by that agency" : "");
	}
	if (a.xlsx)
		ex = write_xlsx(d, &q, &r, a.xlsx);
	else if (a.json)
		print_json(&r, &a, a.agency ? &ag : NULL);
	else
		print_text(&r, &a, a.agency ? &ag : NULL);
	report_release(&r);
	agency_release(&ag);
	return ex;
}

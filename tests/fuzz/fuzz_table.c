/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the table reader (bot/import.h) on any file: CSV and
 * TSV (',' ';' tab, with or without a BOM, UTF-16, Windows-1258 refused),
 * a pasted Word table, the .xlsx and .docx zips (bot/ooxml.h), told apart
 * by their bytes as the import tells them.  Each input is imported dry
 * (one transaction, rolled back) into a registry under $TMPDIR that knows
 * a few agencies and an abbreviation, so that the agency splitting and
 * matching run too; the registry is the same before every input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "abbrev.h"
#include "fuzzlib.h"
#include "import.h"
#include "registry.h"
#include "store.h"

#define NOW 1760054400	/* 2025-10-10 00:00 UTC */

static struct store *store;
static struct abbrev *abbrev;

static void
done(void)
{
	store = store_close(store);
	abbrev = abbrev_free(abbrev);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	static const char *const agencies[][2] = {
		{ "snv", "Sở Nội vụ" },
		{ "syt", "Sở Y tế" },
		{ "stc", "Sở Tài chính" },
		{ "skhcn", "Sở Khoa học và Công nghệ" },
		{ "svhttdl", "Sở Văn hóa, Thể thao và Du lịch" },
	};
	char path[4200], *msg = NULL;
	int64_t id;

	(void)argc;
	(void)argv;
	snprintf(path, sizeof(path), "%s/r.db", fuzz_dir());
	if (store_open(path, STORE_CREATE, &store, &msg) < 0 || store_begin(store) < 0) {
		fprintf(stderr, "fuzz_table: %s\n", msg ? msg : "cannot begin");
		abort();
	}
	for (size_t i = 0; i < sizeof(agencies) / sizeof(agencies[0]); i++)
		if (store_agency_insert(store, agencies[i][0], agencies[i][1], AGENCY_DEPARTMENT, 1,
					&id) < 0)
			abort();
	if (store_agency_alias_add(store, id, "Sở VHTTDL") < 0 || store_commit(store) < 0)
		abort();
	abbrev = abbrev_new();
	if (abbrev_add(abbrev, "KH&CN", "Khoa học và Công nghệ") < 0)
		abort();
	atexit(done);
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	struct import_options o = { .year = 2025, .dry_run = true, .actor = "fuzz",
				    .abbrev = abbrev };
	struct import_report rep;
	char *msg = NULL, *diag_text = NULL;
	size_t diag_len = 0;
	FILE *diag;
	int r;

	o.path = fuzz_file("table", data, n);
	diag = open_memstream(&diag_text, &diag_len);
	if (!diag)
		abort();
	memset(&rep, 0, sizeof(rep));
	r = import_file(store, &o, NOW, diag, &rep, &msg);
	fclose(diag);
	free(diag_text);
	if (r < 0 && !msg)
		abort();
	free(msg);
	/* A dry run leaves the registry as it was, and no transaction open. */
	if (store_in_txn(store))
		abort();
	return 0;
}

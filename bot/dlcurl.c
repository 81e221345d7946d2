/* SPDX-License-Identifier: MIT */
/*
 * libcurl by dlopen; see dlcurl.h.
 */
#include <errno.h>
#include <stddef.h>

#include "dl.h"
#include "dlcurl.h"
#include "macro.h"
#include "xalloc.h"

#define LIBCURL "libcurl.so.4"

typeof(curl_global_init) *sym_curl_global_init;
typeof(curl_easy_init) *sym_curl_easy_init;
typeof(curl_easy_cleanup) *sym_curl_easy_cleanup;
typeof(curl_easy_reset) *sym_curl_easy_reset;
typeof(curl_easy_setopt) *sym_curl_easy_setopt;
typeof(curl_easy_perform) *sym_curl_easy_perform;
typeof(curl_easy_getinfo) *sym_curl_easy_getinfo;
typeof(curl_easy_strerror) *sym_curl_easy_strerror;
typeof(curl_slist_append) *sym_curl_slist_append;
typeof(curl_slist_free_all) *sym_curl_slist_free_all;

/* Loaded once and for the process's life: never unloaded. */
static void *handle;

int
dlcurl_load(char **reterr_msg)
{
	const struct dl_sym syms[] = {
		{ (void **)&sym_curl_global_init, "curl_global_init" },
		{ (void **)&sym_curl_easy_init, "curl_easy_init" },
		{ (void **)&sym_curl_easy_cleanup, "curl_easy_cleanup" },
		{ (void **)&sym_curl_easy_reset, "curl_easy_reset" },
		{ (void **)&sym_curl_easy_setopt, "curl_easy_setopt" },
		{ (void **)&sym_curl_easy_perform, "curl_easy_perform" },
		{ (void **)&sym_curl_easy_getinfo, "curl_easy_getinfo" },
		{ (void **)&sym_curl_easy_strerror, "curl_easy_strerror" },
		{ (void **)&sym_curl_slist_append, "curl_slist_append" },
		{ (void **)&sym_curl_slist_free_all, "curl_slist_free_all" },
	};
	void *h;
	int r;

	if (handle)
		return 0;
	r = dl_open(LIBCURL, "libcurl4", syms, ELEMENTSOF(syms), &h, reterr_msg);
	if (r < 0)
		return r;
	/* Once, from the main thread, before any handle exists (LIBRARIES.md §5). */
	if (sym_curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		*reterr_msg = xasprintf("%s: curl_global_init failed", LIBCURL);
		return -EIO;
	}
	handle = h;
	return 0;
}

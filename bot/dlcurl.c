/* SPDX-License-Identifier: MIT */
/*
 * libcurl by dlopen; see dlcurl.h.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stddef.h>

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
	const struct {
		void **sym;
		const char *name;
	} syms[] = {
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

	if (handle)
		return 0;
	h = dlopen(LIBCURL, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		*reterr_msg = xasprintf("cannot load %s (the libcurl4 package): %s", LIBCURL,
					dlerror());
		return -EOPNOTSUPP;
	}
	for (size_t i = 0; i < ELEMENTSOF(syms); i++) {
		*syms[i].sym = dlsym(h, syms[i].name);
		if (!*syms[i].sym) {
			*reterr_msg = xasprintf("%s has no %s: too old?", LIBCURL, syms[i].name);
			dlclose(h);
			return -EOPNOTSUPP;
		}
	}
	/* Once, from the main thread, before any handle exists (LIBRARIES.md §5). */
	if (sym_curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		*reterr_msg = xasprintf("%s: curl_global_init failed", LIBCURL);
		dlclose(h);
		return -EIO;
	}
	handle = h;
	return 0;
}

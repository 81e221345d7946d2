/* SPDX-License-Identifier: MIT */
/*
 * Optional libraries loaded when first needed (dlopen), as systemd loads
 * its own: what a configuration does not use is never mapped.  dlcurl.h
 * and dlmhd.h name the symbols of each.
 */
#ifndef DONDOC_DL_H
#define DONDOC_DL_H

#include <stddef.h>

struct dl_sym {
	void **sym;		/* where the address goes */
	const char *name;
};

/*
 * Loads lib (from the Debian package named package, for the message) and
 * resolves syms[0..n).  0 with the handle in *ret (kept for the process's
 * life), or -EOPNOTSUPP with a new message; nothing is set on failure.
 */
int dl_open(const char *lib, const char *package, const struct dl_sym *syms, size_t n,
	    void **ret, char **reterr_msg);

#endif

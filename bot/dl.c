/* SPDX-License-Identifier: MIT */
/*
 * dlopen and dlsym, all or nothing; see dl.h.
 */
#include <dlfcn.h>
#include <errno.h>

#include "dl.h"
#include "xalloc.h"

int
dl_open(const char *lib, const char *package, const struct dl_sym *syms, size_t n, void **ret,
	char **reterr_msg)
{
	void *h = dlopen(lib, RTLD_NOW | RTLD_LOCAL), *found[48];

	if (!h) {
		*reterr_msg = xasprintf("cannot load %s (the %s package): %s", lib, package,
					dlerror());
		return -EOPNOTSUPP;
	}
	if (n > sizeof(found) / sizeof(found[0])) {
		dlclose(h);
		*reterr_msg = xasprintf("%s: too many symbols asked for", lib);
		return -EOPNOTSUPP;
	}
	/* Every symbol first, so that a missing one leaves nothing half set. */
	for (size_t i = 0; i < n; i++) {
		found[i] = dlsym(h, syms[i].name);
		if (!found[i]) {
			*reterr_msg = xasprintf("%s has no %s: too old?", lib, syms[i].name);
			dlclose(h);
			return -EOPNOTSUPP;
		}
	}
	for (size_t i = 0; i < n; i++)
		*syms[i].sym = found[i];
	*ret = h;
	return 0;
}

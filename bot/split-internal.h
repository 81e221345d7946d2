/* SPDX-License-Identifier: MIT */
/*
 * For the tests of split.c only: split_text that also says how much work
 * it did (bytes read, searched and written), so that a test can check it
 * stays linear without timing anything.
 */
#ifndef DONDOC_SPLIT_INTERNAL_H
#define DONDOC_SPLIT_INTERNAL_H

#include "split.h"

/* split_text, with the work done in *ret_work when not NULL (set on -EINVAL too). */
int split_text_work(const char *text, size_t n, size_t max, enum split_unit unit,
		    enum split_markup markup, char ***ret_parts, size_t *ret_n, size_t *ret_work);

#endif

/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the Mustache engine (bot/template.h), template text
 * against JSON data.  The input is the template, then a NUL byte and the
 * data as JSON (without a NUL, a fixed reminder-like object).  Every
 * escaping is rendered; the template is its own partial under every
 * name, so that recursion meets the -ELOOP guard, and the output is
 * capped at 1 MiB as the renderer caps it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fuzzlib.h"
#include "template.h"

static const char default_data[] =
	"{\"person\":{\"name\":\"Nguyễn Văn An\"},\"today\":\"10/10/2025\","
	"\"tasks\":[{\"id\":27,\"title\":\"Xây dựng <Cổng> & \\\"dữ liệu\\\"\",\"late\":true,"
	"\"progress\":60,\"agencies\":[\"Sở Y tế\",\"Sở Tài chính\"]},{\"id\":28,\"title\":\"\","
	"\"late\":false,\"progress\":0.5,\"agencies\":[]}],\"count\":2,\"none\":null,"
	"\"empty\":{},\"app\":{\"name\":\"dondoc\"}}";

static const struct template *
self_partial(const char *name, void *userdata)
{
	(void)name;
	return userdata;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	char *text = fuzz_cstr(data, n), *msg = NULL, *out;
	size_t len = strlen(text);
	struct template *t = NULL;
	json_t *json = NULL;
	json_error_t jerr;
	int r;

	if (len < n)
		json = json_loadb((const char *)data + len + 1, n - len - 1,
				  JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
	else
		json = json_loads(default_data, 0, &jerr);
	r = template_compile("fuzz.mustache", text, &t, &msg);
	if (r < 0) {
		if (r != -EINVAL || !msg || strncmp(msg, "fuzz.mustache:", 14) != 0)
			abort();
		free(msg);
		json_decref(json);
		free(text);
		return 0;
	}
	for (int esc = 0; esc < _TEMPLATE_ESCAPE_MAX; esc++) {
		r = template_render(t, json, esc, self_partial, t, (size_t)1 << 20, &out);
		if (r == 0)
			free(out);
		else if (r != -ENOBUFS && r != -ELOOP)
			abort();
	}
	template_free(t);
	json_decref(json);
	free(text);
	return 0;
}

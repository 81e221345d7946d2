/* SPDX-License-Identifier: MIT */
/*
 * libFuzzer target: the configuration reader (bot/config.h), the input
 * as the dondoc.conf that --config names.  A file that loads must give a
 * configuration whose derived values (the webhook URL, the feeds'
 * settings) can be asked for; one that does not, a message.  No secret
 * file is read: the paths a config names are only strings here.
 */
#include <stdlib.h>

#include "config.h"
#include "feed.h"
#include "fuzzlib.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
	const char *path = fuzz_file("dondoc.conf", data, n);
	struct config *c = NULL;
	struct feed_conf fc;
	char *msg = NULL;
	int r;

	r = config_load(path, &c, &msg);
	if (r < 0) {
		if (!msg || c)
			abort();
		free(msg);
		return 0;
	}
	free(config_webhook_url(c));
	config_feed_conf(c, &fc);
	config_free(c);
	return 0;
}

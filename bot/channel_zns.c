/* SPDX-License-Identifier: MIT */
/*
 * The ZNS wake-up (issue 14 step 2 item 3; CHAT-APIS.md B9): a person on
 * Zalo whose interaction window has closed cannot get consultation
 * messages, so a message about their tasks goes as one approved template
 * message (Zalo Notification Service) to their phone instead: their
 * name, how many tasks it is about, the day, and the template's button
 * that opens the OA's chat, where any message reopens the window.
 *
 * - It reaches a person with a working phone number and a Zalo id whose
 *   window is closed, while today's ZNS quota lasts; it comes after Zalo
 *   (20) and before email (30), so email is where a failed wake-up goes.
 * - Template parameters ([zalo] zns_template_id; README): ten_can_bo (the
 *   person's name), so_nhiem_vu (the number of tasks, in digits), ngay
 *   (today, dd/mm/yyyy).  tracking_id "dondoc-<site>-<message id>": the
 *   same for a retry of the same message.
 * - Only a message about tasks wakes anyone: another (an answer, an alert,
 *   a digest's headline) is refused for good, so the next channel carries
 *   what it says.
 * - Errors are read as the OA's (zalo.h): a token refused gets one refresh
 *   and one retry; -144 (the day's quota) is remembered in the registry
 *   (meta zns.quota_day) and no ZNS goes until the next day, the message
 *   going by email; the phone's errors (-108 -114 -118 -119 -139 -141)
 *   mark the phone refused (GONE); money, account and template errors are
 *   logged for the operator and the message goes by email; what is
 *   transient is retried.
 */
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "channel.h"
#include "channel_zalo-internal.h"
#include "clock.h"
#include "config.h"
#include "date.h"
#include "log.h"
#include "registry.h"
#include "store.h"
#include "xalloc.h"
#include "zalo.h"

#define K_QUOTA_DAY "zns.quota_day"	/* the local day ZNS's quota ran out, YYYY-MM-DD */

struct zns_channel {
	struct zalo *z;
	struct clock clock;
	int64_t window;		/* [zalo] window, seconds */
	char *template_id;
	struct store *store;	/* borrowed (use_store) */
	/*
	 * The local day (date_to_days) the quota ran out, 0 when it has
	 * not: read by reaches on any thread, so atomic.
	 */
	_Atomic int64_t spent_day;
};

enum delivery
zalo_zns_delivery(const struct zalo_result *r)
{
	/* A phone number Zalo calls invalid is that phone's fault, not the message's. */
	if (r->error == -108)
		return DELIVERY_GONE;
	switch (r->cls) {
	case ZALO_OK:
		return DELIVERY_SENT;
	case ZALO_WINDOW:
	case ZALO_RECIPIENT:
		return DELIVERY_GONE;
	case ZALO_RATE:
	case ZALO_NIGHT:
	case ZALO_TRANSIENT:
		return DELIVERY_RETRY;
	default:
		return DELIVERY_PERMANENT;
	}
}

static int
zns_open(const struct config *cfg, void **ret, char **reterr_msg)
{
	struct zns_channel *c;
	char *msg = NULL;
	int r;

	if (!cfg->zalo_app_id || !cfg->zalo_zns_template_id)
		return -ENOENT;
	c = xcalloc(1, sizeof(*c));
	c->window = cfg->zalo_window;
	r = clock_init(&c->clock);
	if (r < 0) {
		*reterr_msg = xstrdup("DONDOC_NOW is not an ISO 8601 time");
		free(c);
		return r;
	}
	r = zalo_new(cfg, &c->z, &msg);
	if (r < 0) {
		*reterr_msg = xasprintf("[zalo]: %s", msg ? msg : strerror(-r));
		free(msg);
		free(c);
		return r;
	}
	c->template_id = xstrdup(cfg->zalo_zns_template_id);
	*ret = c;
	return 0;
}

static void
zns_close(void *state)
{
	struct zns_channel *c = state;

	if (c) {
		zalo_free(c->z);
		free(c->template_id);
		free(c);
	}
}

/* Rereads the day the quota ran out from the registry (another process may have seen it). */
static void
load_quota_day(struct zns_channel *c)
{
	struct date d;
	char *v = NULL;

	if (!c->store || store_meta_get(c->store, K_QUOTA_DAY, &v) < 0)
		return;
	if (date_parse_iso(v, &d) == 0)
		atomic_store(&c->spent_day, date_to_days(d));
	free(v);
}

static void
zns_set_abort(void *state, bool (*abort_cb)(void *userdata), void *userdata)
{
	struct zns_channel *c = state;

	zalo_set_abort(c->z, abort_cb, userdata);
}

static void
zns_use_store(void *state, struct store *s)
{
	struct zns_channel *c = state;

	zalo_use_store(c->z, s);
	c->store = s;
	load_quota_day(c);
}

static int64_t
today(const struct zns_channel *c)
{
	return date_to_days(clock_today(&c->clock));
}

static bool
zns_reaches(void *state, const struct person *p)
{
	struct zns_channel *c = state;
	const char *zalo = person_address(p, "zalo");

	/* ZNS spends the OA's access token too: not while its grant is dead. */
	return zalo_grant_ok(c->z) && person_reachable(p, "phone") && zalo && *zalo &&
	       !person_window_open(p, "zalo", clock_now(&c->clock), c->window) &&
	       atomic_load(&c->spent_day) != today(c);
}

/* Remembers that today's quota is spent, here and in the registry. */
static void
quota_spent(struct zns_channel *c)
{
	char day[DATE_ISO_LEN];
	int r;

	atomic_store(&c->spent_day, today(c));
	date_format_iso(clock_today(&c->clock), day);
	log_warnx("zalo: ZNS's daily quota is spent (-144): no wake-up by ZNS until tomorrow, "
		  "email instead");
	if (c->store && (r = store_meta_set(c->store, K_QUOTA_DAY, day)) < 0)
		log_warnx("zalo: cannot record that ZNS's quota is spent: %s, ignoring",
			  store_strerror(c->store, r));
}

static enum delivery
zns_send(void *state, const struct outgoing *m, int *ret_retry_after, char **reterr_msg)
{
	struct zns_channel *c = state;
	const char *phone = person_address(m->to, "phone");
	struct zalo_result res = { 0 };
	char day[DATE_ISO_LEN], ngay[16], count[24], *tracking, *msg_id = NULL, *why;
	struct date t = clock_today(&c->clock);
	json_t *data;
	enum delivery d;
	int r;

	*ret_retry_after = 0;
	if (!phone || !person_reachable(m->to, "phone")) {
		*reterr_msg = xasprintf("%s has no phone number for ZNS", m->to->name);
		return DELIVERY_PERMANENT;
	}
	if (m->n_tasks == 0) {
		*reterr_msg = xstrdup("a ZNS wake-up is only for messages about tasks");
		return DELIVERY_PERMANENT;
	}
	load_quota_day(c);
	if (atomic_load(&c->spent_day) == today(c)) {
		date_format_iso(t, day);
		*reterr_msg = xasprintf("ZNS's daily quota is spent for %s (-144)", day);
		return DELIVERY_PERMANENT;
	}
	snprintf(ngay, sizeof(ngay), "%02d/%02d/%04d", t.d, t.m, t.y);
	snprintf(count, sizeof(count), "%zu", m->n_tasks);
	data = json_pack("{s:s, s:s, s:s}", "ten_can_bo", m->to->name, "so_nhiem_vu", count,
			 "ngay", ngay);
	if (!data) {
		*reterr_msg = xstrdup("the person's name is not valid UTF-8");
		return DELIVERY_PERMANENT;
	}
	tracking = m->site ? xasprintf("dondoc-%s-%lld", m->site, (long long)m->id)
			   : xasprintf("dondoc-%lld", (long long)m->id);
	r = zalo_send_zns(c->z, phone, c->template_id, data, tracking, &res, &msg_id);
	json_decref(data);
	free(tracking);
	if (r < 0) {
		*reterr_msg = xstrdup(r == -ECANCELED ? "ZNS: cut short, dondoc is stopping"
				      : "ZNS request invalid");
		return r == -ECANCELED ? DELIVERY_STOPPED : DELIVERY_PERMANENT;
	}
	d = zalo_zns_delivery(&res);
	if (d == DELIVERY_SENT) {
		if (m->ret_chat_message_id && msg_id)
			*m->ret_chat_message_id = msg_id;
		else
			free(msg_id);
		zalo_result_release(&res);
		return d;
	}
	why = zalo_describe(&res);
	if (res.error == -144)
		quota_spent(c);
	else if (d == DELIVERY_PERMANENT)
		log_warnx("zalo: ZNS refuses the wake-up template '%s': %s", c->template_id, why);
	if (d == DELIVERY_RETRY)
		*ret_retry_after = zalo_retry_after(&res, clock_now(&c->clock));
	*reterr_msg = xasprintf("ZNS: %s", why);
	free(why);
	zalo_result_release(&res);
	return d;
}

const struct channel_ops channel_zns_ops = {
	.name = "zns",
	.label_vi = "Zalo (tin ZNS)",
	.form = CHANNEL_FORM_CHAT_PLAIN,
	.order = 25,
	.address = "phone",
	.wake_up = true,
	.via = "zalo",
	.use_store = zns_use_store,
	.set_abort = zns_set_abort,
	.open = zns_open,
	.close = zns_close,
	.reaches = zns_reaches,
	.send = zns_send,
};

/* SPDX-License-Identifier: MIT */
/*
 * One update, handled and committed whole; see inbound.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "channels.h"
#include "clock.h"
#include "inbound.h"
#include "log.h"
#include "notice.h"
#include "registry.h"
#include "render.h"
#include "schedule.h"
#include "store.h"
#include "xalloc.h"

void
inbound_result_release(struct inbound_result *r)
{
	free(r->chat);
	free(r->text);
	free(r->toast);
	memset(r, 0, sizeof(*r));
}

/*
 * Renders m for its person (or the unlinked sender) and queues it through
 * channel (NULL: the person's first channel).  *ret_id is the message
 * (0 when not queued: nobody to send it through); *ret_form gets the
 * rendered forms when not NULL.
 */
static int
answer(const struct inbound_env *env, const struct command_in *in, const struct command_msg *m,
       const struct person *sender, const char *channel, bool queue, int64_t reply_to,
       int64_t *ret_id, struct rendered *ret_form)
{
	struct person p = { 0 };
	const struct person *to = &p;
	struct rendered out = { 0 };
	struct message msg = { 0 };
	int r;

	*ret_id = 0;
	if (m->person_id && m->person_id == sender->id) {
		to = sender;
	} else if (m->person_id) {
		r = store_person_get(env->s, m->person_id, &p);
		if (r < 0)
			return r;
	}
	if (queue && m->person_id && (!channel || !channels_has(env->cs, channel)))
		channel = channels_pick(env->cs, to);
	/* An answer on a phone needs no HTML form; only a channel that carries it (email). */
	r = render_answer(env->rend, m->person_id ? to : NULL, m->name, m->data, in->today,
			  env->bot_username, RENDER_SUBJECT | RENDER_TEXT | RENDER_CHAT |
			  (channels_takes_html(env->cs, channel) ? RENDER_HTML : 0), &out);
	/* Logged by inbound_handle(), which decides what becomes of the update. */
	if (r < 0)
		goto out;
	if (queue && m->person_id) {
		if (!channel) {
			log_warnx("person %lld (%s) has no channel: answer '%s' not sent",
				  (long long)to->id, to->name, m->name);
			goto keep;
		}
		msg.person_id = to->id;
		snprintf(msg.channel, sizeof(msg.channel), "%s", channel);
		msg.kind = MESSAGE_REPLY;
		msg.next_at = in->now;
		msg.created_at = in->now;
		msg.day = in->today;
		msg.reply_to = reply_to;
		message_take_rendered(&msg, &out);
		r = store_message_insert(env->s, &msg, ret_id);
		/* The forms went to msg: give them back to the caller. */
		out.subject = msg.subject;
		out.text = msg.body;
		out.html = msg.html;
		out.chat = msg.chat;
		msg.subject = msg.body = msg.html = msg.chat = NULL;
		message_release(&msg);
		if (r < 0)
			goto out;
	}
keep:
	if (ret_form) {
		*ret_form = out;
		memset(&out, 0, sizeof(out));
	}
	r = 0;
out:
	rendered_release(&out);
	person_release(&p);
	return r;
}

bool
inbound_transient(int r)
{
	switch (-r) {
	case EBUSY:	/* the registry locked by another process */
	case EAGAIN:
	case EINTR:
	case ETIMEDOUT:
	case ENOSPC:	/* the disk full */
	case EDQUOT:
	case EIO:	/* the disk failing, or a transaction an I/O error ended */
	case EROFS:	/* the registry made read-only: an operator's to fix */
	case EACCES:
	case EPERM:
	case EBADMSG:	/* a damaged registry: no write would take */
	case EMFILE:	/* out of file descriptors */
	case ENFILE:
		return true;
	default:
		return false;
	}
}

/*
 * An update is a unit of work: a transaction of its own, or with
 * env->in_txn a savepoint of the caller's.  Begin and commit return 0
 * or -errno.
 */
static int
unit_begin(const struct inbound_env *env)
{
	return env->in_txn ? store_savepoint(env->s) : store_begin(env->s);
}

/* Counts command (may be NULL) once committed, unless the caller holds the transaction. */
static int
unit_commit(const struct inbound_env *env, const char *command)
{
	int r = env->in_txn ? store_release(env->s) : store_commit(env->s);

	if (r == 0 && !env->in_txn && env->count && command)
		env->count(env->count_userdata, command);
	return r;
}

static void
unit_rollback(const struct inbound_env *env)
{
	if (env->in_txn)
		(void)store_rollback_to(env->s);
	else
		store_rollback(env->s);
}

/*
 * The words of the answer to an update that could not be handled: fixed
 * here, not in a template, since a template may be what failed.
 */
#define GENERIC_SUBJECT "[Đôn đốc] Chưa ghi nhận được tin nhắn"
#define GENERIC_TEXT \
	"Hệ thống gặp lỗi khi xử lý tin nhắn này nên chưa ghi nhận. " \
	"Đề nghị đồng chí báo cơ quan thường trực để kiểm tra."

/*
 * After a failure that would come again with the same update (a render
 * over the cap, a row the registry refuses), in a transaction of its own:
 * the update recorded as handled, and the sender told so in a few fixed
 * words, so that the update is acknowledged and never holds up the ones
 * after it.  0 with *ret, or -errno when even that cannot be written (the
 * update then comes again).
 */
static int
give_up(const struct inbound_env *env, const struct command_in *in, int64_t update_id,
	int64_t chat_message_id, struct inbound_result *ret)
{
	struct inbound_result res = { .command = "failed", .refused = true };
	struct person p = { 0 };
	struct message msg = { 0 };
	const char *channel = in->channel;
	bool linked = false;
	int r;

	r = unit_begin(env);
	if (r < 0)
		return r;
	if (update_id >= 0) {
		r = store_chat_update_seen(env->s, in->channel, update_id, in->now);
		if (r < 0 && r != -EEXIST)
			goto fail;
	}
	r = command_sender(env->s, in, &p);
	if (r < 0 && r != -ENOENT)
		goto fail;
	linked = r == 0;
	res.person_id = linked ? p.id : 0;
	res.chat = xstrdup(GENERIC_TEXT);
	res.text = xstrdup(GENERIC_TEXT);
	res.toast = xstrdup(GENERIC_SUBJECT);
	res.direct = !linked;
	if (linked && env->queue_reply) {
		if (!channels_has(env->cs, channel))
			channel = channels_pick(env->cs, &p);
		if (channel) {
			msg.person_id = p.id;
			snprintf(msg.channel, sizeof(msg.channel), "%s", channel);
			msg.kind = MESSAGE_REPLY;
			msg.next_at = in->now;
			msg.created_at = in->now;
			msg.day = in->today;
			msg.reply_to = chat_message_id;
			msg.subject = xstrdup(GENERIC_SUBJECT);
			msg.body = xstrdup(GENERIC_TEXT);
			msg.chat = xstrdup(GENERIC_TEXT);
			r = store_message_insert(env->s, &msg, &res.reply_id);
			message_release(&msg);
			if (r < 0)
				goto fail;
		}
	}
	r = unit_commit(env, res.command);
	if (r < 0)
		goto fail;
	person_release(&p);
	*ret = res;
	return 0;
fail:
	unit_rollback(env);
	person_release(&p);
	inbound_result_release(&res);
	return r;
}

int
inbound_handle(const struct inbound_env *env, const struct command_in *in, int64_t update_id,
	       int64_t chat_message_id, struct inbound_result *ret)
{
	struct command_out out = { 0 };
	struct rendered form = { 0 };
	struct inbound_result res = { 0 };
	char step[80] = "the command";	/* what failed, for the log */
	int r;

	r = unit_begin(env);
	if (r < 0)
		return r;
	if (update_id >= 0) {
		r = store_chat_update_seen(env->s, in->channel, update_id, in->now);
		if (r == -EEXIST) {
			res.duplicate = true;
			res.command = "duplicate";
			r = unit_commit(env, NULL);
			if (r < 0)
				goto fail;
			*ret = res;
			return 0;
		}
		if (r < 0)
			goto fail;
	}
	{
		/* The command plans notices (an obstacle): it needs the channels. */
		struct command_in cin = *in;

		if (!cin.cs)
			cin.cs = env->cs;
		if (!cin.rend)
			cin.rend = env->rend;
		if (!cin.url)
			cin.url = env->url;
		r = command_run(env->s, &cin, &out);
	}
	if (r < 0)
		goto fail;
	res.command = out.command;
	res.changed = out.changed;
	res.refused = out.refused;
	res.person_id = out.person_id;
	if (out.person_id) {
		const struct address *a = person_address_get(&out.sender, in->channel);

		res.sender_refused = a && a->broken_at;
	}
	res.refresh = out.refresh;
	if (out.reply.name) {
		snprintf(step, sizeof(step), "its answer '%s'", out.reply.name);
		r = answer(env, in, &out.reply, &out.sender, in->channel, env->queue_reply,
			   chat_message_id, &res.reply_id, &form);
		if (r < 0)
			goto fail;
		res.direct = out.reply.person_id == 0;
		/* An answer that asks for a figure: its reply (or the next message) is that figure. */
		if (out.ask_task && out.reply.person_id) {
			snprintf(step, sizeof(step), "recording the question '%s'", out.reply.name);
			r = store_chat_ask_add(env->s, res.reply_id, out.reply.person_id, out.ask_task,
					       in->now);
			if (r < 0)
				goto fail;
		}
		res.chat = form.chat;
		res.text = form.text;
		res.toast = form.subject;
		form.chat = form.text = form.subject = NULL;
		rendered_release(&form);
	}
	for (size_t i = 0; i < out.n_others; i++) {
		int64_t id = 0;

		snprintf(step, sizeof(step), "the message '%s' it sends", out.others[i].name);
		r = answer(env, in, &out.others[i], &out.sender, NULL, true, 0, &id, NULL);
		if (r < 0)
			goto fail;
		res.n_others += id != 0;
	}
	snprintf(step, sizeof(step), "its commit");
	r = unit_commit(env, res.command);
	if (r < 0)
		goto fail;
	command_out_release(&out);
	*ret = res;
	return 0;
fail:
	unit_rollback(env);
	command_out_release(&out);
	inbound_result_release(&res);
	if (inbound_transient(r))
		return r;
	/* It would fail the same way each time it came: answered, not retried. */
	log_warnx("%s: update %lld from chat '%s': %s failed: %s; acknowledged with a generic "
		  "answer, ignoring", in->channel, (long long)update_id,
		  in->chat_id ? in->chat_id : "", step, strerror(-r));
	return give_up(env, in, update_id, chat_message_id, ret);
}

/* --- messages of a change made outside chat ------------------------------- */

int
inbound_queue(const struct inbound_env *env, const struct command_in *in,
	      const struct command_msg *msgs, size_t n, size_t *ret_n)
{
	struct person nobody = { 0 };
	size_t queued = 0;
	int r;

	/* The same path as a chat command's messages for others: answer(). */
	for (size_t i = 0; i < n; i++) {
		int64_t id = 0;

		r = answer(env, in, &msgs[i], &nobody, NULL, true, 0, &id, NULL);
		if (r < 0)
			return r;
		queued += id != 0;
	}
	*ret_n = queued;
	return 0;
}

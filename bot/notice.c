/* SPDX-License-Identifier: MIT */
/*
 * Names of the notice and message enumerations; see notice.h.
 */
#include <stdlib.h>
#include <string.h>

#include "macro.h"
#include "notice.h"
#include "render.h"

static const char *const stage_names[_STAGE_MAX] = {
	[STAGE_BEFORE] = "before",
	[STAGE_OVERDUE] = "overdue",
	[STAGE_ESCALATION] = "escalation",
	[STAGE_RECURRING] = "recurring",
	[STAGE_NEEDS_DATE] = "needs_date",
	[STAGE_MISSING_FOCAL] = "missing_focal",
	[STAGE_MISSING_HEAD] = "missing_head",
	[STAGE_OBSTACLE] = "obstacle",
	[STAGE_ASSESSMENT] = "assessment",
};

static const char *const notice_state_names[_NOTICE_STATE_MAX] = {
	[NOTICE_PLANNED] = "planned",
	[NOTICE_QUEUED] = "queued",
	[NOTICE_SENT] = "sent",
	[NOTICE_CANCELLED] = "cancelled",
	[NOTICE_DEAD] = "dead",
};

static const char *const message_state_names[_MESSAGE_STATE_MAX] = {
	[MESSAGE_PENDING] = "pending",
	[MESSAGE_SENDING] = "sending",
	[MESSAGE_SENT] = "sent",
	[MESSAGE_DEAD] = "dead",
	[MESSAGE_CANCELLED] = "cancelled",
};

static const char *const message_kind_names[_MESSAGE_KIND_MAX] = {
	[MESSAGE_REMINDER] = "reminder",
	[MESSAGE_CATCHUP] = "catchup",
	[MESSAGE_ESCALATION] = "escalation",
	[MESSAGE_NEEDS_DATE] = "needs_date",
	[MESSAGE_ALERT] = "alert",
	[MESSAGE_REPLY] = "reply",
	[MESSAGE_TEST] = "test",
	[MESSAGE_DAILY] = "daily",
	[MESSAGE_DIGEST] = "digest",
};

static int
lookup(const char *const *names, int n, const char *s)
{
	for (int i = 0; s && i < n; i++)
		if (names[i] && strcmp(names[i], s) == 0)
			return i;
	return -22;
}

void
message_release(struct message *m)
{
	if (!m)
		return;
	free(m->subject);
	free(m->body);
	free(m->html);
	free(m->chat);
	free(m->last_error);
	free(m->address);
	memset(m, 0, sizeof(*m));
}

const char *
notice_stage_to_string(enum notice_stage s)
{
	return s >= 0 && s < _STAGE_MAX ? stage_names[s] : NULL;
}

enum notice_stage
notice_stage_from_string(const char *s)
{
	return lookup(stage_names, _STAGE_MAX, s);
}

const char *
notice_state_to_string(enum notice_state s)
{
	return s >= 0 && s < _NOTICE_STATE_MAX ? notice_state_names[s] : NULL;
}

enum notice_state
notice_state_from_string(const char *s)
{
	return lookup(notice_state_names, _NOTICE_STATE_MAX, s);
}

const char *
message_state_to_string(enum message_state s)
{
	return s >= 0 && s < _MESSAGE_STATE_MAX ? message_state_names[s] : NULL;
}

enum message_state
message_state_from_string(const char *s)
{
	return lookup(message_state_names, _MESSAGE_STATE_MAX, s);
}

const char *
message_kind_to_string(enum message_kind k)
{
	return k >= 0 && k < _MESSAGE_KIND_MAX ? message_kind_names[k] : NULL;
}

enum message_kind
message_kind_from_string(const char *s)
{
	return lookup(message_kind_names, _MESSAGE_KIND_MAX, s);
}

bool
message_kind_is_proactive(enum message_kind k)
{
	return k == MESSAGE_REMINDER || k == MESSAGE_CATCHUP || k == MESSAGE_ESCALATION ||
	       k == MESSAGE_NEEDS_DATE || k == MESSAGE_ALERT || k == MESSAGE_DAILY ||
	       k == MESSAGE_DIGEST;
}

void
message_take_rendered(struct message *m, struct rendered *text)
{
	free(m->subject);
	free(m->body);
	free(m->html);
	free(m->chat);
	m->subject = text->subject;
	m->body = text->text;
	m->html = text->html;
	m->chat = text->chat;
	text->subject = text->text = text->html = text->chat = NULL;
}

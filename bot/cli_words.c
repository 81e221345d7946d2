/* SPDX-License-Identifier: MIT */
/*
 * Vietnamese words for the CLI's human output (cli_words.h): what the
 * secretariat reads in one language, while the registry and --json keep
 * their English identifiers.
 */
#include <stdio.h>
#include <string.h>

#include "cli_words.h"
#include "clock.h"
#include "date.h"
#include "macro.h"
#include "task.h"

const char *
cli_stage_words(enum notice_stage s)
{
	static const char *const words[_STAGE_MAX] = {
		[STAGE_BEFORE] = "nhắc trước hạn",
		[STAGE_OVERDUE] = "nhắc quá hạn",
		[STAGE_ESCALATION] = "báo cáo cấp trên",
		[STAGE_RECURRING] = "nhắc kỳ báo cáo",
		[STAGE_NEEDS_DATE] = "cần xác định thời hạn",
		[STAGE_MISSING_FOCAL] = "thiếu cán bộ đầu mối",
		[STAGE_MISSING_HEAD] = "thiếu thủ trưởng",
		[STAGE_OBSTACLE] = "vướng mắc",
		[STAGE_ASSESSMENT] = "cập nhật đánh giá",
	};

	return s >= 0 && s < _STAGE_MAX && words[s] ? words[s] : "?";
}

const char *
cli_notice_state_words(enum notice_state s)
{
	static const char *const words[_NOTICE_STATE_MAX] = {
		[NOTICE_PLANNED] = "chưa đến ngày",
		[NOTICE_QUEUED] = "chờ gửi",
		[NOTICE_SENT] = "đã gửi",
		[NOTICE_CANCELLED] = "đã hủy",
		[NOTICE_DEAD] = "không gửi được",
	};

	return s >= 0 && s < _NOTICE_STATE_MAX && words[s] ? words[s] : "?";
}

const char *
cli_message_state_words(enum message_state s)
{
	static const char *const words[_MESSAGE_STATE_MAX] = {
		[MESSAGE_PENDING] = "chờ gửi",
		[MESSAGE_SENDING] = "đang gửi",
		[MESSAGE_SENT] = "đã gửi",
		[MESSAGE_DEAD] = "không gửi được",
		[MESSAGE_CANCELLED] = "đã hủy",
	};

	return s >= 0 && s < _MESSAGE_STATE_MAX && words[s] ? words[s] : "?";
}

const char *
cli_message_kind_words(enum message_kind k)
{
	static const char *const words[_MESSAGE_KIND_MAX] = {
		[MESSAGE_REMINDER] = "nhắc việc",
		[MESSAGE_CATCHUP] = "tổng hợp",
		[MESSAGE_ESCALATION] = "báo cáo cấp trên",
		[MESSAGE_NEEDS_DATE] = "cần thời hạn",
		[MESSAGE_ALERT] = "cảnh báo",
		[MESSAGE_REPLY] = "trả lời",
		[MESSAGE_TEST] = "kiểm tra",
		[MESSAGE_DAILY] = "tin hằng ngày",
	};

	return k >= 0 && k < _MESSAGE_KIND_MAX && words[k] ? words[k] : "?";
}

static const struct {
	const char *kind, *words;
} event_kinds[] = {
	{ "created", "nhập từ bảng" },
	{ "status", "trạng thái" },
	{ "progress", "tiến độ" },
	{ "note", "ghi chú" },
	{ "deadline", "thời hạn" },
	{ "leads", "cơ quan chủ trì" },
	{ "cooperating", "cơ quan phối hợp" },
	{ "obstacle", "vướng mắc" },
	{ "obstacle_handled", "xử lý vướng mắc" },
	{ "extension_request", "đề nghị điều chỉnh thời hạn" },
	{ "extension_decision", "quyết định điều chỉnh thời hạn" },
	{ "assessment", "đánh giá" },
	{ "period_report", "báo cáo kỳ" },
};

const char *
cli_event_kind_words(const char *kind)
{
	for (size_t i = 0; kind && i < ELEMENTSOF(event_kinds); i++)
		if (strcmp(event_kinds[i].kind, kind) == 0)
			return event_kinds[i].words;
	return kind ? kind : "";
}

/* An extension request's states (also as the decision's event stores them), an obstacle's. */
static const char *
decision_words(const char *v)
{
	static const struct {
		const char *id, *words;
	} states[] = {
		{ "pending", "chờ duyệt" }, { "approved", "đồng ý" }, { "rejected", "từ chối" },
		{ "superseded", "được thay thế" }, { "moot", "không còn cần" },
		{ "open", "chưa xử lý" }, { "handled", "đã xử lý" },
	};

	for (size_t i = 0; v && i < ELEMENTSOF(states); i++)
		if (strcmp(states[i].id, v) == 0)
			return states[i].words;
	return NULL;
}

const char *
cli_state_words(const char *state)
{
	const char *w = decision_words(state);

	return w ? w : state ? state : "";
}

const char *
cli_event_value_words(const char *kind, const char *value, char *out, size_t n)
{
	struct date d;
	int st;
	const char *w;

	snprintf(out, n, "%s", value ? value : "");
	if (!kind || !value)
		return out;
	if ((strcmp(kind, "status") == 0 || strcmp(kind, "assessment") == 0 ||
	     strcmp(kind, "created") == 0) &&
	    (st = task_status_from_string(value)) >= 0)
		snprintf(out, n, "%s", task_status_label(st));
	else if (strcmp(kind, "progress") == 0)
		snprintf(out, n, "%s%%", value);
	else if (strcmp(kind, "extension_decision") == 0 && (w = decision_words(value)))
		snprintf(out, n, "%s", w);
	else if (strlen(value) == 10 && date_parse_iso(value, &d) == 0)
		snprintf(out, n, "%d/%d/%d", d.d % 100, d.m % 100, d.y % 10000);
	return out;
}

void
cli_when(time_t t, char out[CLI_WHEN_LEN])
{
	char iso[32];
	struct date d = clock_local_date(t);

	clock_format_local(t, iso);	/* "YYYY-MM-DDThh:mm:ss+07:00" */
	snprintf(out, CLI_WHEN_LEN, "%d/%d/%d %.5s", d.d % 100, d.m % 100, d.y % 10000, iso + 11);
}

const char *
cli_plural(size_t count, const char *one, const char *many, char *out, size_t n)
{
	snprintf(out, n, "%zu %s", count, count == 1 ? one : many);
	return out;
}

const char *
cli_role_words(enum person_role r)
{
	static const char *const words[_ROLE_MAX] = {
		[ROLE_FOCAL] = "cán bộ đầu mối",
		[ROLE_HEAD] = "thủ trưởng",
		[ROLE_LEADER] = "lãnh đạo",
		[ROLE_SECRETARIAT] = "cơ quan thường trực",
		[ROLE_VIEWER] = "người theo dõi",
	};

	return r >= 0 && r < _ROLE_MAX && words[r] ? words[r] : "?";
}

const char *
cli_agency_kind_words(enum agency_kind k)
{
	static const char *const words[_AGENCY_KIND_MAX] = {
		[AGENCY_DEPARTMENT] = "sở, ban, ngành",
		[AGENCY_COMMUNE] = "xã, phường",
		[AGENCY_PARTY] = "cơ quan Đảng",
		[AGENCY_GROUP] = "nhóm cơ quan",
		[AGENCY_OTHER] = "khác",
	};

	return k >= 0 && k < _AGENCY_KIND_MAX && words[k] ? words[k] : "?";
}

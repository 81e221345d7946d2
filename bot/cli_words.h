/* SPDX-License-Identifier: MIT */
/*
 * The words of the CLI's human output for the secretariat: Vietnamese
 * names of what the registry stores as English identifiers (stages,
 * states, event kinds), and days as they write them ("7/10/2025").  The
 * --json output keeps the identifiers; operators' errors stay English.
 * Every string returned is static or written into the caller's buffer.
 */
#ifndef DONDOC_CLI_WORDS_H
#define DONDOC_CLI_WORDS_H

#include <stddef.h>
#include <time.h>

#include "notice.h"
#include "registry.h"

#define CLI_WHEN_LEN 24

/* "nhắc trước hạn", "nhắc quá hạn", "báo cáo cấp trên"...; "?" for a value out of range. */
const char *cli_stage_words(enum notice_stage s);
/* "chưa đến ngày", "chờ gửi", "đã gửi", "đã hủy", "không gửi được". */
const char *cli_notice_state_words(enum notice_state s);
/* "chờ gửi", "đang gửi", "đã gửi", "không gửi được", "đã hủy". */
const char *cli_message_state_words(enum message_state s);
/* "nhắc việc", "tổng hợp", "báo cáo cấp trên", "trả lời"... */
const char *cli_message_kind_words(enum message_kind k);
/*
 * An event kind of the history ("status", "progress", "deadline") in
 * Vietnamese ("trạng thái", "tiến độ", "thời hạn"); the kind itself when
 * it has no name here (one added later still shows).
 */
const char *cli_event_kind_words(const char *kind);
/*
 * An event's value as the secretariat reads it: a status identifier
 * ("in_progress") as its label ("Đang thực hiện"), a progress ("40") with
 * its percent sign, an ISO day ("2025-12-31") as "31/12/2025"; other
 * values as they are.  Written into out (n bytes); returns out.
 */
const char *cli_event_value_words(const char *kind, const char *value, char *out, size_t n);
/* "cán bộ đầu mối", "thủ trưởng", "lãnh đạo", "cơ quan thường trực", "người theo dõi". */
const char *cli_role_words(enum person_role r);
/* "sở, ban, ngành", "xã, phường", "cơ quan Đảng", "nhóm cơ quan", "khác". */
const char *cli_agency_kind_words(enum agency_kind k);
/*
 * An extension request's or an obstacle's state ("pending", "handled") in
 * Vietnamese ("chờ duyệt", "đã xử lý"); any other as it is.
 */
const char *cli_state_words(const char *state);
/* "7/10/2025 08:00": a time in Viet Nam as the CLI shows it, into out. */
void cli_when(time_t t, char out[CLI_WHEN_LEN]);
/* "1 agency", "3 agencies": n and the English noun, singular or plural, into out (n bytes). */
const char *cli_plural(size_t count, const char *one, const char *many, char *out, size_t n);

#endif

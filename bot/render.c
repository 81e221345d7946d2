/* SPDX-License-Identifier: MIT */
/*
 * Message texts.  Each item says what the task is, its deadline as
 * written and as a day, and where it stands, so the reader can act on it
 * without opening anything else; the footer gives the one-line commands.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buf.h"
#include "calendar.h"
#include "registry.h"
#include "render.h"
#include "task.h"
#include "xalloc.h"

#define RENDER_MAX ((size_t)4 << 20)

void
render_day(struct date d, char out[16])
{
	snprintf(out, 16, "%d/%d/%d", d.d % 100, d.m % 100, d.y % 10000);
}

/* "Quý III (ngày 30/9/2025)", or "ngày 30/9/2025" when the text is a day already. */
static void
add_deadline(struct buf *b, const struct task *t)
{
	char day[16];

	if (!t->deadline.has_due) {
		(void)buf_adds(b, *t->deadline_raw ? t->deadline_raw : "chưa có thời hạn");
		return;
	}
	render_day(t->deadline.due, day);
	if (t->deadline.precision == DEADLINE_DAY || !*t->deadline_raw)
		(void)buf_addf(b, "ngày %s", day);
	else
		(void)buf_addf(b, "%s (ngày %s)", t->deadline_raw, day);
}

/* Where the task stands today: days left, or days late. */
static void
add_standing(struct buf *b, const struct render_item *it, const struct render_ctx *ctx)
{
	const struct task *t = it->task;
	char day[16];
	int n;

	if (it->stage == STAGE_RECURRING) {
		render_day(it->day, day);
		(void)buf_addf(b, "báo cáo định kỳ; nhắc ngày %s", day);
		return;
	}
	if (!t->deadline.has_due)
		return;
	if (date_cmp(ctx->today, t->deadline.due) > 0) {
		n = calendar_workdays_between(ctx->cal, t->deadline.due, ctx->today);
		(void)buf_addf(b, "đã quá hạn %d ngày làm việc", n > 0 ? n : 1);
	} else if (date_cmp(ctx->today, t->deadline.due) == 0) {
		(void)buf_adds(b, "hạn là hôm nay");
	} else {
		n = calendar_workdays_between(ctx->cal, ctx->today, t->deadline.due);
		if (n <= 0)
			(void)buf_adds(b, "hạn vào ngày nghỉ sắp tới");
		else
			(void)buf_addf(b, "còn %d ngày làm việc", n);
	}
}

static void
add_item(struct buf *b, size_t i, const struct render_item *it, const struct render_ctx *ctx,
	 bool with_leads)
{
	const struct task *t = it->task;

	(void)buf_addf(b, "%zu. [%lld] %s\n", i + 1, (long long)t->id, t->title);
	if (with_leads && t->n_leads) {
		(void)buf_adds(b, "   Chủ trì: ");
		for (size_t k = 0; k < t->n_leads; k++)
			(void)buf_addf(b, "%s%s", k ? "; " : "", t->leads[k]);
		(void)buf_addc(b, '\n');
	}
	(void)buf_adds(b, "   Thời hạn: ");
	add_deadline(b, t);
	if (t->deadline.has_due || it->stage == STAGE_RECURRING) {
		(void)buf_adds(b, " – ");
		add_standing(b, it, ctx);
	}
	(void)buf_addf(b, "\n   Tình trạng: %s, %d%%\n", task_status_label(t->status), t->progress);
}

void
render_message(enum message_kind kind, const struct render_ctx *ctx,
	       const struct render_item *items, size_t n, char **ret_subject, char **ret_body)
{
	struct buf b;
	size_t late = 0;
	char today[16];

	for (size_t i = 0; i < n; i++)
		if (items[i].task->deadline.has_due &&
		    date_cmp(ctx->today, items[i].task->deadline.due) > 0)
			late++;
	render_day(ctx->today, today);
	buf_init(&b, RENDER_MAX);
	(void)buf_addf(&b, "Kính gửi đồng chí %s", ctx->to->name);
	if (ctx->agency)
		(void)buf_addf(&b, " (%s)", ctx->agency);
	(void)buf_adds(&b, ",\n\n");
	switch (kind) {
	case MESSAGE_ESCALATION:
		*ret_subject = xasprintf("[Đôn đốc] %zu nhiệm vụ quá hạn cần đồng chí chỉ đạo", n);
		(void)buf_addf(&b, "Đến ngày %s, các nhiệm vụ sau đã quá hạn mà đơn vị chủ trì "
			       "chưa báo cáo hoàn thành. Đề nghị đồng chí chỉ đạo xử lý:\n\n", today);
		break;
	case MESSAGE_NEEDS_DATE:
		*ret_subject = xasprintf("[Đôn đốc] %zu nhiệm vụ chưa có thời hạn cụ thể", n);
		(void)buf_adds(&b, "Các nhiệm vụ sau chưa có thời hạn cụ thể (theo tiến độ "
			       "Trung ương hoặc chưa xác định). Đề nghị cơ quan thường trực "
			       "xác định thời hạn để hệ thống theo dõi:\n\n");
		break;
	case MESSAGE_ALERT:
		*ret_subject = xasprintf("[Đôn đốc] Không gửi được tin nhắc cho %zu nhiệm vụ", n);
		(void)buf_adds(&b, "Hệ thống không gửi được lời nhắc về các nhiệm vụ sau tới "
			       "người nhận (địa chỉ hoặc kênh nhắn tin không dùng được). Đề nghị "
			       "cơ quan thường trực kiểm tra thông tin liên hệ:\n\n");
		break;
	case MESSAGE_CATCHUP:
		*ret_subject = xasprintf("[Đôn đốc] Tổng hợp %zu nhiệm vụ cần chú ý (nhắc bù)", n);
		(void)buf_adds(&b, "Các lời nhắc của những ngày qua chưa được gửi tới đồng chí; "
			       "hệ thống tổng hợp gửi một lần các nhiệm vụ cần chú ý:\n\n");
		break;
	default:
		if (late == n)
			*ret_subject = xasprintf("[Đôn đốc] %zu nhiệm vụ đã quá hạn", n);
		else if (late)
			*ret_subject = xasprintf("[Đôn đốc] %zu nhiệm vụ cần chú ý, %zu đã quá hạn",
						 n, late);
		else
			*ret_subject = xasprintf("[Đôn đốc] %zu nhiệm vụ sắp đến hạn", n);
		(void)buf_adds(&b, "Hệ thống đôn đốc nhắc đồng chí các nhiệm vụ sau:\n\n");
		break;
	}
	for (size_t i = 0; i < n; i++)
		add_item(&b, i, &items[i], ctx, kind != MESSAGE_REMINDER && kind != MESSAGE_CATCHUP);
	if (kind == MESSAGE_REMINDER || kind == MESSAGE_CATCHUP) {
		long long id = n ? (long long)items[0].task->id : 0;

		(void)buf_addf(&b, "\nBáo cáo nhanh bằng tin nhắn: /xong %lld khi hoàn thành; "
			       "/tiendo %lld 60%% để báo tiến độ; /giahan %lld dd/mm/yyyy lý do "
			       "để đề nghị điều chỉnh thời hạn.\n", id, id, id);
	}
	(void)buf_adds(&b, "\nTin nhắn tự động của hệ thống đôn đốc, theo dõi nhiệm vụ.\n");
	*ret_body = buf_detach(&b);
	buf_release(&b);
}

// The peer of the webhook of make bench-peers (bench/peers.sh): the bot a
// Node developer would write for dondoc's /tiendo, with grammY 1 in webhook
// mode (webhookCallback on node's http, the secret token checked by grammY)
// and better-sqlite3 12 on a copy of the same registry dondoc serves
// (bench/honest_seed.sh: 2,000 agencies, 20,000 linked people, 100,000
// tasks), WAL, synchronous=NORMAL as dondoc's.
//
//   node bench/peers/grammy_webhook.mjs REGISTRY.db PORT SECRET [READY_FILE]
//
// Per update, in one transaction, what dondoc's /tiendo does:
//   - the update recorded once (chat_update: a delivery Telegram repeats is
//     answered and not applied again);
//   - the sender authorised: the person linked to the chat (address row),
//     active; the task by its number, open, led by the person's agency;
//   - the task's progress (and status, note, updated_at) changed, and a
//     "progress" event plus a "note" event (the words after the figure)
//     appended to the hash-chained history (event, event_head), as dondoc's
//     store does (sha256 of the previous hash and the fields);
//   - the answer, a line with the task and its new figure, sent as the
//     webhook's reply (grammY's canUseWebhookReply: no call to Telegram),
//     where dondoc queues its answer in its outbox: both leave Telegram out.
// Refusals (not linked, no such task, not the agency's) answer too.
import { createServer } from 'node:http';
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { Bot, webhookCallback } from 'grammy';

const [file, port, secret, ready] = process.argv.slice(2);
if (!secret) {
	console.error('usage: node bench/peers/grammy_webhook.mjs REGISTRY.db PORT SECRET [READY_FILE]');
	process.exit(2);
}
const db = new Database(file);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = NORMAL');
db.pragma('busy_timeout = 5000');
db.pragma('foreign_keys = ON');

const q = {
	seen: db.prepare("INSERT OR IGNORE INTO chat_update(channel, update_id, at) VALUES ('telegram', ?, ?)"),
	person: db.prepare("SELECT p.id, p.name, p.agency_id, p.role FROM address x JOIN person p ON p.id = x.person_id" +
		" WHERE x.channel = 'telegram' AND x.value = ? AND p.active = 1"),
	task: db.prepare('SELECT id, title, status, progress, kind, created_at FROM task WHERE id = ?'),
	lead: db.prepare("SELECT 1 FROM task_agency WHERE task_id = ? AND agency_id = ? AND role = 'lead'"),
	update: db.prepare('UPDATE task SET progress = ?, status = ?, note = ?, updated_at = ? WHERE id = ?'),
	lastIn: db.prepare("UPDATE address SET last_in = ? WHERE person_id = ? AND channel = 'telegram'"),
	head: db.prepare('SELECT count, hash, last_id FROM event_head WHERE id = 1'),
	event: db.prepare('INSERT INTO event(id, task_id, at, actor, person_id, channel, kind, old_value,' +
		" new_value, text, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?, 'telegram', ?, ?, ?, ?, NULL, ?, ?)"),
	setHead: db.prepare('UPDATE event_head SET count = ?, hash = ?, last_id = ?, at = ? WHERE id = 1'),
};

function append(task, at, actor, person, kind, oldValue, newValue, text) {
	const h = q.head.get();
	const id = h.last_id + 1;
	const hash = createHash('sha256').update(h.hash).update(JSON.stringify(
		[id, task, at, actor, person, 'telegram', kind, oldValue, newValue, text])).digest('hex');
	q.event.run(id, task, at, actor, person, kind, oldValue, newValue, text, h.hash, hash);
	q.setHead.run(h.count + 1, hash, id, at);
}

// Returns the answer's text, or null for a delivery already handled.
const handle = db.transaction((updateId, chat, text, at) => {
	if (q.seen.run(updateId, at).changes === 0)
		return null;
	const me = q.person.get(String(chat));
	if (!me)
		return 'Tài khoản Telegram này chưa được liên kết với cán bộ nào.';
	const m = text.match(/^\/tiendo(?:@\w+)?\s+(\d+)\s+(\d{1,3})\s*%?\s*(.*)$/s);
	if (!m)
		return 'Cú pháp: /tiendo SỐ PHẦN_TRĂM [nội dung]';
	const [, num, pctText, note] = m;
	const pct = Number(pctText);
	if (pct > 100)
		return 'Tiến độ phải từ 0% đến 100%.';
	const t = q.task.get(Number(num));
	if (!t)
		return 'Không có nhiệm vụ số ' + num + '.';
	if (me.role !== 'secretariat' && !q.lead.get(t.id, me.agency_id))
		return 'Đồng chí không được cập nhật nhiệm vụ số ' + t.id + '.';
	if (t.status === 'done' || t.status === 'postponed')
		return 'Nhiệm vụ số ' + t.id + ' đã đóng.';
	const actor = 'telegram:' + me.id;
	const status = t.status === 'not_started' && pct > 0 ? 'in_progress' : t.status;
	q.update.run(pct, status, note || null, at, t.id);
	q.lastIn.run(at, me.id);
	append(t.id, at, actor, me.id, 'progress', String(t.progress), String(pct), null);
	if (note)
		append(t.id, at, actor, me.id, 'note', null, null, note);
	return 'Đã ghi nhận tiến độ nhiệm vụ số ' + t.id + ': ' + pct + '% (trước đó ' + t.progress + '%).';
});

const bot = new Bot('7000000001:AAbench', {
	botInfo: {
		id: 7000000001, is_bot: true, first_name: 'dondoc', username: 'dondoc_bench_bot',
		can_join_groups: false, can_read_all_group_messages: false, supports_inline_queries: false,
		can_connect_to_business: false, has_main_web_app: false,
	},
	// The answer goes back in the webhook's response: no request to Telegram.
	client: { canUseWebhookReply: (method) => method === 'sendMessage' },
});
// bot.hears rather than bot.command: the benchmark's updates (bench/honest_webhook.lua, the
// same for dondoc) carry no bot_command entity, which bot.command needs.
bot.hears(/^\/tiendo(?:@\w+)?(?:\s|$)/, async (ctx) => {
	// dondoc's clock (DONDOC_NOW=2025-09-27T09:00 in Hà Nội): the history runs forward from the seed.
	const at = 1758938400 + Math.floor(process.uptime());
	const answer = handle(ctx.update.update_id, ctx.chat.id, ctx.message.text, at);
	if (answer)
		await ctx.reply(answer);
});
bot.catch((err) => console.error('grammy_webhook:', err.error));

const server = createServer(webhookCallback(bot, 'http', { secretToken: secret }));
server.listen(Number(port), '127.0.0.1', () => {
	if (ready)
		writeFileSync(ready, String(process.pid));
});
process.on('SIGTERM', () => server.close(() => {
	db.close();
	process.exit(0);
}));

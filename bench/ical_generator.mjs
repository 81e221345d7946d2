// The peer of the feed benchmark (bench/feed.sh, issue 15's budget):
// ical-generator 11 (npm, bench/js) building the same calendar as dondoc's
// feed from the same tasks, the output of "dondoc task list --json".
//
//   node bench/ical_generator.mjs TASKS.json [RUNS] [WARMUPS] [OUT.ics]
//
// Each task may carry its last note ("note", added by bench/feed.sh).
// Each build goes from the tasks in memory (parsed once, not timed: the
// peer is spared dondoc's registry read) to the serialised text: the
// calendar (X-WR-CALNAME, X-WR-CALDESC, REFRESH-INTERVAL / X-PUBLISHED-TTL)
// and one all-day event a dated task with UID, SEQUENCE, DTSTAMP,
// LAST-MODIFIED, SUMMARY, DESCRIPTION, CATEGORIES, STATUS, TRANSP and two
// VALARMs (dondoc writes one a reminder offset of the policy: often more).  After
// WARMUPS builds (JIT warm) it times RUNS builds and prints one JSON line
// with their median.  ical-generator keeps nothing between builds: every
// build is a cold one, which is what a server using it does on a change.
import { readFileSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
// bench/js holds the package (npm ci there), beside this script rather than above it.
const { default: ical } = await import(new URL('./js/node_modules/ical-generator/dist/index.mjs', import.meta.url));

const [file, runsArg, warmArg, out] = process.argv.slice(2);
if (!file) {
	console.error('usage: node bench/ical_generator.mjs TASKS.json [RUNS] [WARMUPS] [OUT.ics]');
	process.exit(2);
}
const runs = Number(runsArg || 5), warmups = Number(warmArg || 2);
const tasks = JSON.parse(readFileSync(file, 'utf8'));
const host = 'dondoc.example.gov.vn';
const DAY = 86400000;

// What the feed shows of a status, in brackets when it matters.
const bracket = { done: '[HOÀN THÀNH] ', extension_requested: '[ĐỀ NGHỊ GIA HẠN] ' };
function summary(t) {
	const b = t.overdue ? '[QUÁ HẠN] ' : (bracket[t.status] || '');
	const title = t.title.length > 60 ? t.title.slice(0, 59) + '…' : t.title;
	return b + title;
}

function description(t) {
	return 'Nhiệm vụ số ' + t.id + ' (' + t.code + ')\n' + t.title + '\n' +
		'Văn bản giao: ' + (t.document || '') + '\n' +
		'Chủ trì: ' + t.lead_agencies.join(', ') + '\n' +
		(t.cooperating_agencies.length ? 'Phối hợp: ' + t.cooperating_agencies.join(', ') + '\n' : '') +
		'Thời hạn: ' + t.deadline_raw + ' (ngày ' + t.due.split('-').reverse().join('/') + ')\n' +
		'Tình trạng: ' + t.status + ', tiến độ ' + t.progress + '%\n' +
		(t.note ? 'Ghi chú: ' + t.note + '\n' : '') +
		'\nBáo cáo qua chat:\n/tiendo ' + t.id + ' 60% nội dung đã làm\n/xong ' + t.id + ' kết quả\n';
}

function build() {
	const cal = ical({
		name: 'Nhiệm vụ – Sở Khoa học và Công nghệ',
		description: 'Thời hạn các nhiệm vụ (dondoc)',
		prodId: { company: 'dondoc', product: 'dondoc', language: 'VI' },
		ttl: 3600,
	});
	const stamp = new Date(Date.UTC(2025, 8, 27, 2, 0, 0));
	for (const t of tasks) {
		if (!t.due || t.kind === 'indicator')
			continue;
		const start = new Date(t.due + 'T00:00:00Z');
		cal.createEvent({
			id: 'task-' + encodeURIComponent(t.code) + '@' + host,
			sequence: 0,
			allDay: true,
			start,
			end: new Date(start.getTime() + DAY),
			stamp,
			lastModified: stamp,
			summary: summary(t),
			description: description(t),
			categories: [{ name: t.light.toUpperCase() }],
			status: 'CONFIRMED',
			transparency: 'TRANSPARENT',
			alarms: [
				{ type: 'display', trigger: 7 * 86400, description: summary(t) },
				{ type: 'display', trigger: 1 * 86400, description: summary(t) },
			],
		});
	}
	return cal.toString();
}

let text = '';
for (let i = 0; i < warmups; i++)
	text = build();
const times = [];
for (let i = 0; i < runs; i++) {
	const t0 = performance.now();
	text = build();
	times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
const median = times[Math.floor(times.length / 2)];
if (out)
	writeFileSync(out, text);
const events = (text.match(/^BEGIN:VEVENT\r?$/gm) || []).length;
console.log(JSON.stringify({
	bench: 'ical-generator build (' + events + ' events)',
	ms: Number(median.toFixed(1)),
	min_ms: Number(times[0].toFixed(1)),
	bytes: Buffer.byteLength(text),
	events,
	node: process.version,
}));

// The peer of the emails of make bench-peers (bench/peers.sh): mustache.js
// 4 renders the same reminder templates (templates/vi: subject, text and
// HTML, their partials by form) on the same data (bench_mail's DATA.json),
// and nodemailer 7's MailComposer builds each message (RFC 2047 subject,
// quoted-printable text and HTML in multipart/alternative), which is what
// a Node program sending mail does: the fair match for dondoc's mime_build.
//
//   node bench/peers/mail.mjs TEMPLATES N DATA.json [OUT_DIR]
//
// Escaping as dondoc's forms: HTML escaped (& < > " '), subject and text
// not.  Templates read and parsed once (mustache.js caches them), as
// dondoc loads its set once.  After N/10 warm-up messages (JIT), times N:
// render alone, then render and build; one JSON line each.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import Mustache from 'mustache';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';

const [dir, nArg, dataFile, out] = process.argv.slice(2);
if (!dataFile) {
	console.error('usage: node bench/peers/mail.mjs TEMPLATES N DATA.json [OUT_DIR]');
	process.exit(2);
}
const n = Number(nArg);
const data = JSON.parse(readFileSync(dataFile, 'utf8'));
const read = (f) => readFileSync(dir + '/vi/' + f, 'utf8');
const forms = ['subject', 'text', 'html'];
const partials = { subject: {}, text: {}, html: {} };
for (const f of readdirSync(dir + '/vi/partials')) {
	const m = f.match(/^(.*)\.(subject|text|html)\.mustache$/);
	if (m)
		partials[m[2]][m[1]] = read('partials/' + f);
}
const tpl = Object.fromEntries(forms.map((f) => [f, read('reminder.' + f + '.mustache')]));
const html = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
const escapes = {
	subject: (s) => String(s),
	text: (s) => String(s),
	html: (s) => String(s).replace(/[&<>"']/g, (c) => html[c]),
};

function render() {
	const r = {};
	for (const f of forms)
		r[f] = Mustache.render(tpl[f], data, partials[f], { escape: escapes[f] });
	r.subject = r.subject.split(/\r?\n/)[0];
	return r;
}

function build(r, k) {
	const mail = new MailComposer({
		from: { name: 'Hệ thống đôn đốc', address: 'dondoc@example.gov.vn' },
		to: { name: 'Nguyễn Văn An', address: 'an.nv@example.gov.vn' },
		subject: r.subject,
		text: r.text,
		html: r.html,
		date: new Date(1758769200000),
		messageId: '<dondoc.' + k + '@example.gov.vn>',
		textEncoding: 'quoted-printable',
	});
	return new Promise((resolve, reject) =>
		mail.compile().build((err, msg) => (err ? reject(err) : resolve(msg))));
}

if (out) {
	const r = render();
	for (const f of forms)
		writeFileSync(out + '/peer.' + f, r[f]);
}
for (const withBuild of [false, true]) {
	let bytes = 0;
	const one = async (k) => {
		const r = render();
		if (withBuild)
			bytes += (await build(r, k)).length;
		else
			bytes += Buffer.byteLength(r.subject) + Buffer.byteLength(r.text) + Buffer.byteLength(r.html);
	};
	for (let k = 0; k < n / 10; k++)
		await one(k);
	bytes = 0;
	const t0 = performance.now();
	for (let k = 0; k < n; k++)
		await one(k);
	const ms = performance.now() - t0;
	console.log(JSON.stringify({
		bench: 'mustache.js ' + (withBuild ? 'render and build (MailComposer) ' : 'render ') + n +
			' reminder emails',
		ms: Number(ms.toFixed(1)),
		mib: Number((bytes / 1048576).toFixed(1)),
		node: process.version,
	}));
}

#!/usr/bin/env node
// Reads an iCalendar file with Mozilla's ical.js (the parser of Thunderbird;
// pinned in package.json) and prints the normalised JSON that
// tests/ical_check.py documents and tests/ical_check.c prints too.  Exits 1,
// the reasons on stderr, when the file breaks a rule the feeds keep (CRLF,
// content lines of at most 75 octets, no UTF-8 character cut by a fold,
// VERSION and PRODID, each event's UID and DTSTAMP) or ical.js cannot parse
// it; 2 when one cannot be read.
//
//   node tests/js/ical_check.mjs FILE.ics...
//
// One line of JSON a file, in the order given.
//
// ical.js ('npm ci' in tests/js, which tests/deps.sh runs) is loaded from
// beside this file, whatever the working directory.
import fs from 'node:fs';
import ICAL from 'ical.js';

const MAX_LINE_ERRORS = 10;

// ical.js reads a property it does not know as "unknown": as written,
// escapes and all ("Sở A\\, B"), where RFC 5545 §3.8.8.2 says an X-
// property's default type is TEXT.  X-WR-CALNAME and X-WR-CALDESC are
// texts to every calendar app: told so here, as an app using ical.js
// would; X-PUBLISHED-TTL (a duration by custom) stays as written.
for (const name of ['x-wr-calname', 'x-wr-caldesc'])
	ICAL.design.icalendar.property[name] = { defaultType: 'text' };

// The rules of the bytes, worded as ical_check.py words them: every line
// ends with CRLF, none is over 75 octets, each is UTF-8 by itself (so no
// character was cut at a fold).
function lineErrors(raw) {
	const errs = [];
	const lines = [];
	let start = 0;
	for (let lf; (lf = raw.indexOf(10, start)) >= 0; start = lf + 1)
		lines.push(raw.subarray(start, lf));
	const tail = raw.subarray(start);	// what follows the last LF: nothing in a good file
	if (tail.length || !lines.length)
		errs.push('the file does not end with CRLF');
	const n = lines.length;
	if (tail.length)
		lines.push(tail);
	const utf8 = new TextDecoder('utf-8', { fatal: true });
	const bad = [];
	lines.forEach((whole, k) => {
		const i = k + 1;
		let line = whole;
		if (i <= n) {
			if (line.length && line[line.length - 1] === 13)
				line = line.subarray(0, line.length - 1);
			else
				bad.push(`line ${i}: ends with a bare LF`);
		}
		if (line.includes(13))
			bad.push(`line ${i}: a bare CR`);
		if (line.length > 75)
			bad.push(`line ${i}: ${line.length} octets (at most 75)`);
		try {
			utf8.decode(line);
		} catch {
			bad.push(`line ${i}: not UTF-8 by itself (a character cut at a fold?)`);
		}
	});
	if (bad.length > MAX_LINE_ERRORS)
		bad.splice(MAX_LINE_ERRORS, bad.length, `and ${bad.length - MAX_LINE_ERRORS} more`);
	return [...errs, ...bad];
}

// ical.js takes VALUE=DATE into the property's type and forgets the
// parameter, and guesses DATE from an 8-digit DTSTART without it: whether
// the parameter was written is read from the unfolded text.
function bareDates(text) {
	const bare = [];
	const unfolded = text.replace(/\r\n[ \t]/g, '');
	for (const line of unfolded.split('\r\n')) {
		const m = /^(DTSTART|DTEND)((?:;[^:]*)?):(\d{8})$/i.exec(line);
		if (m && !/;VALUE=DATE(;|$)/i.test(m[2]))
			bare.push(line);
	}
	return bare;
}

// An ICAL.Time as the normalised JSON writes it.
function when(t) {
	if (!t)
		return null;
	const p = (v, w) => String(v).padStart(w, '0');
	const day = `${p(t.year, 4)}-${p(t.month, 2)}-${p(t.day, 2)}`;
	if (t.isDate)
		return day;
	// UTC stays UTC; a zoned time is turned into UTC; a floating one is left.
	const utc = t.zone === ICAL.Timezone.utcTimezone;
	const zoned = !utc && t.zone && t.zone !== ICAL.Timezone.localTimezone;
	const u = zoned ? t.convertToZone(ICAL.Timezone.utcTimezone) : t;
	return `${p(u.year, 4)}-${p(u.month, 2)}-${p(u.day, 2)}T${p(u.hour, 2)}:${p(u.minute, 2)}:${p(u.second, 2)}${utc || zoned ? 'Z' : ''}`;
}

function text(comp, name) {
	const v = comp.getFirstPropertyValue(name);
	return v === null || v === undefined ? null : String(v);
}

function dateProp(ev, name) {
	const p = ev.getFirstProperty(name);
	if (!p)
		return [null, false];
	const v = p.getFirstValue();
	return [when(v), p.type === 'date'];
}

function event(ev, errs) {
	const uid = text(ev, 'uid');
	const where = uid ?? 'an event';
	if (uid === null)
		errs.push('an event without UID');
	if (!ev.hasProperty('dtstamp'))
		errs.push(`${where}: no DTSTAMP`);
	if (!ev.hasProperty('dtstart'))
		errs.push(`${where}: no DTSTART`);
	const out = { uid };
	const seq = ev.getFirstPropertyValue('sequence');
	out.sequence = seq === null ? null : Number(seq);
	[out.dtstart, out['dtstart-date']] = dateProp(ev, 'dtstart');
	[out.dtend, out['dtend-date']] = dateProp(ev, 'dtend');
	out.summary = text(ev, 'summary');
	out.description = text(ev, 'description');
	out.status = text(ev, 'status');
	out.categories = [];
	for (const p of ev.getAllProperties('categories'))
		out.categories.push(...p.getValues().map(String));
	for (const name of ['dtstamp', 'last-modified']) {
		const p = ev.getFirstProperty(name);
		out[name] = p ? when(p.getFirstValue()) : null;
	}
	out.alarms = ev.getAllSubcomponents('valarm').map((a) => {
		const t = a.getFirstProperty('trigger');
		let trigger = null;
		if (t) {
			const v = t.getFirstValue();
			trigger = v instanceof ICAL.Duration ? v.toSeconds() : when(v);
		}
		return { action: text(a, 'action'), trigger };
	});
	return out;
}

function check(raw) {
	const errs = lineErrors(raw);
	let txt;
	try {
		txt = new TextDecoder('utf-8', { fatal: true }).decode(raw);
	} catch {
		return [null, [...errs, 'the file is not UTF-8']];
	}
	for (const line of bareDates(txt))
		errs.push(`a date without VALUE=DATE: ${line}`);
	let cal;
	try {
		cal = new ICAL.Component(ICAL.parse(txt));
	} catch (e) {
		return [null, [...errs, `ical.js cannot parse it: ${e.message}`]];
	}
	if (cal.name !== 'vcalendar')
		return [null, [...errs, `not a VCALENDAR but ${cal.name.toUpperCase()}`]];
	const c = {};
	for (const name of ['prodid', 'version', 'method', 'x-wr-calname', 'x-wr-caldesc', 'x-published-ttl'])
		c[name] = text(cal, name);
	if (c.version !== '2.0')
		errs.push(`VERSION is ${JSON.stringify(c.version)}, not 2.0`);
	if (!c.prodid)
		errs.push('no PRODID');
	c['refresh-interval'] = null;
	c['refresh-interval-value'] = null;
	const ri = cal.getFirstProperty('refresh-interval');
	if (ri) {
		// ical.js types it by its VALUE parameter, which it then forgets.
		const v = ri.getFirstValue();
		if (v instanceof ICAL.Duration) {
			c['refresh-interval'] = v.toSeconds();
			c['refresh-interval-value'] = 'DURATION';
		} else {
			errs.push(`REFRESH-INTERVAL ${JSON.stringify(String(v))} is not a duration`);
		}
	}
	// ical.js decodes values when they are first asked for: a bad one throws there.
	let events;
	try {
		events = cal.getAllSubcomponents('vevent').map((ev) => event(ev, errs));
	} catch (e) {
		return [null, [...errs, `ical.js cannot read a value: ${e.message}`]];
	}
	return [{ calendar: c, events, errors: errs }, errs];
}

// Keys sorted at every level, as the Python checker prints them.
function sorted(v) {
	if (Array.isArray(v))
		return v.map(sorted);
	if (v && typeof v === 'object')
		return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sorted(v[k])]));
	return v;
}

function main() {
	if (process.argv.length < 3) {
		process.stderr.write('usage: ical_check.mjs FILE.ics...\n');
		return 2;
	}
	let status = 0;
	for (const file of process.argv.slice(2)) {
		let raw = null;
		try {
			raw = fs.readFileSync(file);
		} catch (e) {
			status = 2;
		}
		let [out, errs] = raw ? check(raw) : [null, ['cannot read it']];
		if (!out)
			out = { calendar: null, events: [], errors: errs };
		process.stdout.write(JSON.stringify(sorted(out)) + '\n');
		for (const e of errs)
			process.stderr.write(`ical_check.mjs: ${file}: ${e}\n`);
		if (errs.length && !status)
			status = 1;
	}
	return status;
}

process.exitCode = main();

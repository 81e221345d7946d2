#!/usr/bin/python3
"""Reads an iCalendar file with python3-icalendar (Debian's) and prints it
as the normalised JSON that tests/js/ical_check.mjs (ical.js) and
tests/ical_check.c (libical) print too, so that tests/ical_compare.py can
hold the three readings side by side.  Exits 1, the reasons on stderr,
when the file breaks a rule the feeds keep (CRLF, content lines of at most
75 octets, no UTF-8 character cut by a fold, VERSION and PRODID, each
event's UID and DTSTAMP) or the library reports an error; 2 when one
cannot be read at all.

    /usr/bin/python3 tests/ical_check.py FILE.ics...

One line of JSON a file, in the order given (keys sorted, events in the
file's order; "| python3 -m json.tool" to read one):
  {"calendar": {"prodid", "version", "method", "x-wr-calname", "x-wr-caldesc",
                "refresh-interval" (seconds), "refresh-interval-value"
                (its VALUE parameter), "x-published-ttl" (as written)},
   "events": [{"uid", "sequence", "dtstart" ("2025-09-30", or
               "2025-09-30T08:00:00Z" for a date-time), "dtstart-date"
               (a DATE value), "dtend", "dtend-date", "summary",
               "description", "status", "categories" [..], "dtstamp",
               "last-modified" ("2025-09-27T02:00:00Z"),
               "alarms" [{"action", "trigger" (seconds, or a date-time)}]}],
   "errors": [..]}
Absent properties are null (categories and alarms: []).
"""
import datetime
import json
import re
import sys

import icalendar
import icalendar.prop


# python-icalendar 4.0.3 misreads TEXT three ways, each the library's bug,
# not the feed's:
# - Contentline.parts() hides "\,", "\;", "\:" and "\\" as "%2C",
#   "%3B", "%3A", "%5C" while it splits the line, then turns those into
#   the bare characters: the value comes out half unescaped, and a title
#   that itself holds "%2C" (a URL) reads back with a comma;
# - vText then unescapes with chained str.replace calls, so "\\n" (an
#   escaped backslash, then "n": a title saying C:\new) becomes a
#   backslash and a newline;
# - CATEGORIES is split on commas after unescaping, escaped ones too.
# Here the hiding keeps the escapes as they were written (private-use
# characters stand in for them, then give them back), and RFC 5545
# §3.3.11's one-pass unescaping reads TEXT and CATEGORIES: what the
# library does besides (unfolding, parameters, types, components) is
# still what is checked.
_ESC = re.compile(r'\\([\\;,nN])')
_HIDE = {'\\\\': '\ue000', '\\,': '\ue001', '\\;': '\ue002', '\\:': '\ue003'}
_SHOW = {v: k for k, v in _HIDE.items()}


def _hide(val):
    return re.sub(r'\\[\\,;:]', lambda m: _HIDE[m.group(0)], val)


def _show(val):
    return re.sub('[\ue000-\ue003]', lambda m: _SHOW[m.group(0)], val)


def _unescape(text):
    if isinstance(text, bytes):
        text = text.decode('utf-8')
    return _ESC.sub(lambda m: '\n' if m.group(1) in 'nN' else m.group(1), text)


def _categories(text, timezone=None):
    if isinstance(text, bytes):
        text = text.decode('utf-8')
    cats, cur, i = [], '', 0
    while i < len(text):
        if text[i] == '\\' and i + 1 < len(text):
            cur += text[i:i + 2]
            i += 2
            continue
        if text[i] == ',':
            cats.append(cur)
            cur = ''
        else:
            cur += text[i]
        i += 1
    return [_unescape(c) for c in cats + [cur]]


icalendar.parser.escape_string = _hide
icalendar.parser.unescape_string = _show
icalendar.prop.unescape_char = _unescape
icalendar.prop.vCategory.from_ical = staticmethod(_categories)

MAX_LINE_ERRORS = 10


def line_errors(raw):
    """The rules of the bytes, as all three checkers word them: every line
    ends with CRLF, none is over 75 octets, each is UTF-8 by itself (so no
    character was cut at a fold).  At most MAX_LINE_ERRORS lines named."""
    errs = []
    lines = raw.split(b'\n')
    tail = lines.pop()  # what follows the last LF: nothing in a good file
    if tail or not lines:
        errs.append('the file does not end with CRLF')
    bad = []
    for i, line in enumerate(lines + ([tail] if tail else []), 1):
        if i <= len(lines):
            if line.endswith(b'\r'):
                line = line[:-1]
            else:
                bad.append('line %d: ends with a bare LF' % i)
        if b'\r' in line:
            bad.append('line %d: a bare CR' % i)
        if len(line) > 75:
            bad.append('line %d: %d octets (at most 75)' % (i, len(line)))
        try:
            line.decode('utf-8')
        except UnicodeDecodeError:
            bad.append('line %d: not UTF-8 by itself (a character cut at a fold?)' % i)
    if len(bad) > MAX_LINE_ERRORS:
        bad = bad[:MAX_LINE_ERRORS] + ['and %d more' % (len(bad) - MAX_LINE_ERRORS)]
    return errs + bad


def seconds(td):
    return td.days * 86400 + td.seconds


def when(v):
    """A DATE or DATE-TIME as the normalised JSON writes it."""
    if isinstance(v, datetime.datetime):
        if v.tzinfo is not None:
            v = v.astimezone(datetime.timezone.utc)
            return v.strftime('%Y-%m-%dT%H:%M:%SZ')
        return v.strftime('%Y-%m-%dT%H:%M:%S')
    return v.strftime('%Y-%m-%d')


def text(comp, name):
    v = comp.get(name)
    if v is None:
        return None
    if isinstance(v, list):
        v = v[0]
    return str(v)


def duration_seconds(s):
    """An RFC 5545 DURATION ("PT1H", "-P3D", "P1W") in seconds; None if it is not one."""
    m = re.fullmatch(r'([+-]?)P(?:(\d+)W)?(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+)S)?)?', s)
    if not m or s.rstrip('+-') in ('P', 'PT') or s.endswith('T'):
        return None
    w, d, h, mi, se = (int(x or 0) for x in m.groups()[1:])
    n = (((w * 7 + d) * 24 + h) * 60 + mi) * 60 + se
    return -n if m.group(1) == '-' else n


def date_prop(ev, name, errs, uid):
    p = ev.get(name)
    if p is None:
        return None, False
    v = p.dt
    is_date = not isinstance(v, datetime.datetime)
    if is_date and p.params.get('VALUE', '').upper() != 'DATE':
        errs.append('%s: %s is a date without VALUE=DATE' % (uid, name))
    return when(v), is_date


def event(ev, errs):
    uid = text(ev, 'UID')
    where = uid or 'an event'
    if uid is None:
        errs.append('an event without UID')
    if ev.get('DTSTAMP') is None:
        errs.append('%s: no DTSTAMP' % where)
    if ev.get('DTSTART') is None:
        errs.append('%s: no DTSTART' % where)
    for e in ev.errors:
        errs.append('%s: python-icalendar: %s' % (where, e))
    out = {'uid': uid}
    seq = ev.get('SEQUENCE')
    out['sequence'] = int(seq) if seq is not None else None
    out['dtstart'], out['dtstart-date'] = date_prop(ev, 'DTSTART', errs, where)
    out['dtend'], out['dtend-date'] = date_prop(ev, 'DTEND', errs, where)
    for name in ('SUMMARY', 'DESCRIPTION', 'STATUS'):
        out[name.lower()] = text(ev, name)
    cats = []
    c = ev.get('CATEGORIES')
    for one in (c if isinstance(c, list) else [c] if c is not None else []):
        cats.extend(str(x) for x in (one.cats if hasattr(one, 'cats') else one))
    out['categories'] = cats
    for name in ('DTSTAMP', 'LAST-MODIFIED'):
        p = ev.get(name)
        out[name.lower()] = when(p.dt) if p is not None else None
    alarms = []
    for a in ev.subcomponents:
        if a.name != 'VALARM':
            continue
        for e in a.errors:
            errs.append('%s: python-icalendar (VALARM): %s' % (where, e))
        t = a.get('TRIGGER')
        trig = None
        if t is not None:
            trig = seconds(t.dt) if isinstance(t.dt, datetime.timedelta) else when(t.dt)
        alarms.append({'action': text(a, 'ACTION'), 'trigger': trig})
    out['alarms'] = alarms
    return out


def check(raw):
    errs = line_errors(raw)
    try:
        cal = icalendar.Calendar.from_ical(raw)
    except Exception as e:  # the library's own words, whatever it raises
        return None, errs + ['python-icalendar cannot parse it: %s' % e]
    if cal.name != 'VCALENDAR':
        return None, errs + ['not a VCALENDAR but %s' % cal.name]
    for e in cal.errors:
        errs.append('python-icalendar: %s' % (e,))
    c = {}
    for name in ('PRODID', 'VERSION', 'METHOD', 'X-WR-CALNAME', 'X-WR-CALDESC', 'X-PUBLISHED-TTL'):
        c[name.lower()] = text(cal, name)
    if c['version'] != '2.0':
        errs.append('VERSION is %r, not 2.0' % c['version'])
    if not c['prodid']:
        errs.append('no PRODID')
    ri = cal.get('REFRESH-INTERVAL')
    c['refresh-interval'] = c['refresh-interval-value'] = None
    if ri is not None:
        # python-icalendar does not know RFC 7986's property: it is text here.
        c['refresh-interval'] = duration_seconds(str(ri))
        c['refresh-interval-value'] = ri.params.get('VALUE')
        if c['refresh-interval'] is None:
            errs.append('REFRESH-INTERVAL %r is not a duration' % str(ri))
    events = [event(ev, errs) for ev in cal.subcomponents if ev.name == 'VEVENT']
    return {'calendar': c, 'events': events, 'errors': errs}, errs


def main():
    if len(sys.argv) < 2:
        print('usage: ical_check.py FILE.ics...', file=sys.stderr)
        return 2
    status = 0
    for path in sys.argv[1:]:
        try:
            with open(path, 'rb') as f:
                raw = f.read()
        except OSError as e:
            out, errs = None, ['cannot read it: %s' % e.strerror]
            status = 2
        else:
            out, errs = check(raw)
        if out is None:
            out = {'calendar': None, 'events': [], 'errors': errs}
        print(json.dumps(out, ensure_ascii=False, sort_keys=True, separators=(',', ':')))
        for e in errs:
            print('ical_check.py: %s: %s' % (path, e), file=sys.stderr)
        if errs and not status:
            status = 1
    return status


if __name__ == '__main__':
    sys.exit(main())

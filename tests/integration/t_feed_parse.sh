# The iCal feeds (issue 15) as three parsers read them: every feed the
# real daemon serves here is read by python3-icalendar, Mozilla's ical.js
# and libical (tests/ical_compare.py), which must find no error (CRLF,
# lines of at most 75 octets, no UTF-8 character cut at a fold) and agree.
# Then what a calendar app would see: one all-day event per dated task
# (each reporting day of a recurring one; indicators and undated tasks left
# out), DTEND the next day, titles with commas, semicolons, backslashes,
# emoji and 5,000 characters read back exactly as the registry holds them,
# UIDs stable across rebuilds and a restart, SEQUENCE up once a deadline
# moved, the same bytes whatever the daemon's TZ, a task merged away sent
# cancelled, ETag and 304, 200 without an Accept header, a revoked token 404.
. "$(dirname "$0")/../lib.sh"

# libical's checker of the same build as $DONDOC (build/san/dondoc: the ASan one).
ICAL_CHECK=$(dirname "$DONDOC")/tests/ical_check
[ -x "$ICAL_CHECK" ] || ICAL_CHECK=$TOP/build/rel/tests/ical_check
UA='dondoc-test-calendar/1.0'

# checks WHAT STATUS: records the lines of checks.out, "PASS<TAB>name" or
# "FAIL<TAB>name<TAB>why", that the Python checks below printed; when they
# ended with STATUS non-zero (a feed missing, a reading without a key),
# that is a failure too: checks never vanish silently.
checks() {
	while IFS='	' read -r _st _name _why; do
		case $_st in
		PASS) pass "$_name" ;;
		FAIL) fail "$_name" "$_why" ;;
		*) [ -n "$_st" ] && fail "$1: a check printed something else" "$_st $_name $_why" ;;
		esac
	done <checks.out
	[ "$2" = 0 ] || fail "$1: the checks could not all run (exit $2)" "$(tail -c 800 checks.err)"
}

# parsed NAME FILE...: passes when the three parsers read each FILE without
# error and agree (FILE.json then holds their reading).  Where they did
# not, FILE.json is python3-icalendar's reading, so that the checks of
# what the feed says still run.
parsed() {
	_pn=$1
	shift
	if $PY "$TOP/tests/ical_compare.py" --libical "$ICAL_CHECK" "$@" >compare.out 2>&1; then
		pass "$_pn"
	else
		fail "$_pn" "$(head -c 1500 compare.out)"
		for _pf in "$@"; do
			[ -e "$_pf.json" ] || $PY "$TOP/tests/ical_check.py" "$_pf" >"$_pf.json" 2>/dev/null
		done
	fi
}

# refused NAME FILE: passes when each of the three parsers found a fault in
# FILE, in refused.out (ical_compare.py's words on every bad file at once).
refused() {
	_each=$(for p in python3-icalendar ical.js libical; do grep -qF "$2: $p: " refused.out && echo y; done | wc -l)
	if [ "$_each" = 3 ]; then
		pass "$1"
	else
		fail "$1" "$_each of the 3 parsers found a fault: $(grep -F "$2: " refused.out | head -c 600)"
	fi
}

# --- the checkers themselves: they agree on a good file and refuse bad ones ------------------------
# A calendar written by hand the way RFC 5545 says (escapes, folds at 75
# octets between characters), and copies of it each broken one way.
$PY - <<'PY'
def esc(s):
    return s.replace('\\', '\\\\').replace(';', '\\;').replace(',', '\\,').replace('\n', '\\n')
def fold(line):
    out, cur = [], b''
    for ch in line:
        if len(cur) + len(ch.encode()) > 75:
            out.append(cur)
            cur = b' '
        cur += ch.encode()
    return b'\r\n'.join(out + [cur]) + b'\r\n'
L = ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//dondoc tests//hand//VI', 'METHOD:PUBLISH',
     'X-WR-CALNAME:' + esc('Nhiệm vụ – Sở A, B; C'), 'REFRESH-INTERVAL;VALUE=DURATION:PT1H',
     'X-PUBLISHED-TTL:PT1H']
for i, (title, desc) in enumerate([('a, b; c \\ d \\n C:\\new 50%2C %3B 😀', 'một\nhai\\'),
                                   ('😀' * 30 + 'ạ' * 300, 'x' * 5000)]):
    L += ['BEGIN:VEVENT', 'UID:task-%d@example' % i, 'DTSTAMP:20250927T020000Z',
          'DTSTART;VALUE=DATE:20250930', 'DTEND;VALUE=DATE:20251001', 'SUMMARY:' + esc(title),
          'DESCRIPTION:' + esc(desc), 'SEQUENCE:2', 'STATUS:CANCELLED',
          'CATEGORIES:' + esc('ĐỎ, x') + ',XANH', 'BEGIN:VALARM', 'ACTION:DISPLAY',
          'TRIGGER:-P1W', 'DESCRIPTION:x', 'END:VALARM', 'END:VEVENT']
L.append('END:VCALENDAR')
good = b''.join(fold(x) for x in L)
open('hand.ics', 'wb').write(good)
lines = good.split(b'\r\n')
k = next(i for i, x in enumerate(lines) if x.startswith(b' \xf0'))  # a fold before an emoji
cut = lines[:]
cut[k - 1] += lines[k][1:3]   # its first two bytes moved up: the character cut in two
cut[k] = b' ' + lines[k][3:]
open('cut.ics', 'wb').write(b'\r\n'.join(cut))
open('lf.ics', 'wb').write(good.replace(b'\r\n', b'\n'))
open('long.ics', 'wb').write(good.replace(b'PRODID:-//dondoc tests//hand//VI',
                                          b'PRODID:-//dondoc tests//' + b'x' * 52))
open('cr.ics', 'wb').write(good.replace(b'METHOD:PUBLISH\r\n', b'METHOD:PUBLISH\rX-A:b\r\n'))
open('bare-date.ics', 'wb').write(good.replace(b'DTSTART;VALUE=DATE:', b'DTSTART:', 1))
open('no-uid.ics', 'wb').write(good.replace(b'UID:task-0@example\r\n', b''))
PY
parsed "the three parsers agree on a calendar written by hand (escapes, folds, emoji)" hand.ics
expect_eq "... and read its text back exactly" \
	"$($PY -c 'import json; j = json.load(open("hand.ics.json")); e = j["events"][0]
print(j["calendar"]["x-wr-calname"] == "Nhiệm vụ – Sở A, B; C", e["summary"] == "a, b; c \\ d \\n C:\\new 50%2C %3B 😀",
      e["description"] == "một\nhai\\", e["categories"] == ["ĐỎ, x", "XANH"], e["alarms"][0]["trigger"])')" \
	"True True True True -604800"
$PY "$TOP/tests/ical_compare.py" --libical "$ICAL_CHECK" cut.ics lf.ics long.ics cr.ics bare-date.ics \
	no-uid.ics >refused.out 2>&1
expect_eq "ical_compare.py fails on bad files (exit 1)" "$?" 1
refused "a UTF-8 character cut at a fold is refused by all three" cut.ics
refused "LF line ends are refused by all three" lf.ics
refused "a line of 76 octets is refused by all three" long.ics
refused "a bare CR is refused by all three" cr.ics
refused "a date without VALUE=DATE is refused by all three" bare-date.ics
refused "an event without UID is refused by all three" no-uid.ics

# --- the registry: an appendix whose titles are hard to write ----------------------------------------
export DONDOC_NOW=2025-09-20T09:00
http_port
{
	conf_general tick=1
	printf '[http]\nlisten = 127.0.0.1:%s\npublic_url = %s/\n' "$HTTP" "$WEB"
} >dondoc.conf
export DONDOC_CONFIG="$T/dondoc.conf"
run "$DONDOC" init
# Titles (their STT): 1 commas, semicolons, backslashes, "\n" written out,
# "%2C" and emoji, short enough for a calendar cell; 2 "\N" and quotes;
# 3 5,000 characters; 4 a recurring report (the 20th of each month);
# 5 undated; 6 Sở Tài chính's, merged away below; 7 another document's,
# by quarter, with a URL.
$PY - <<'PY'
long = ('Triển khai nền tảng số 😀 cho cấp xã, phường; giai đoạn 2025–2030 \\ ' * 80)[:5000]
rows = [
    ('Số liệu, tổng hợp; \\ C:\\new 50%2C 😀🇻🇳', 'Sở Khoa học và Công nghệ', 'Sở Y tế', '30/9/2025', 7),
    ('Rà soát \\N thủ tục; "một cửa", dòng\\nhai', 'Sở Y tế', '', '15/10/2025', 7),
    (long, 'Sở Y tế', '', '31/10/2025', 7),
    ('Báo cáo tiến độ định kỳ', 'Sở Y tế', '', 'Ngày 20 hàng tháng', 7),
    ('Nhiệm vụ chưa có thời hạn', 'Sở Y tế', '', '', 7),
    ('Quyết toán kinh phí chuyển đổi số', 'Sở Tài chính', '', '30/11/2025', 7),
    ('Xây dựng kho dữ liệu dùng chung (https://x.vn/a%2Cb?c=1;d)', 'Sở Khoa học và Công nghệ', '', 'Quý IV', 9),
]
with open('tasks.tsv', 'w', encoding='utf-8') as f:
    f.write('STT\tNhiệm vụ\tVăn bản giao nhiệm vụ\tCơ quan chủ trì thực hiện\tCơ quan phối hợp\tThời hạn hoàn thành\n')
    for i, (title, lead, coop, due, doc) in enumerate(rows, 1):
        f.write('%d.\t%s\tKế hoạch số %d-KH/BCĐ ngày 2/1/2025\t%s\t%s\t%s\n' % (i, title, doc, lead, coop, due))
with open('indicators.tsv', 'w', encoding='utf-8') as f:
    f.write('STT\tNhiệm vụ\tVăn bản giao nhiệm vụ\tCơ quan chủ trì thực hiện\tĐánh giá\n')
    f.write('1.\tTỷ lệ hồ sơ trực tuyến toàn trình\tKế hoạch số 7-KH/BCĐ ngày 2/1/2025\tSở Y tế\tChưa đạt\n')
PY
expect_rc 0 "the appendix is imported" "$DONDOC" import tasks.tsv
expect_rc 0 "the indicators are imported" "$DONDOC" import indicators.tsv
run "$DONDOC" person add --name "Nguyễn Văn An" --agency syt --role focal
# tasks.json: the registry's view of every task (task show --json), by id.
"$DONDOC" task list --json >out
for id in $(json '" ".join(str(t["id"]) for t in j)'); do
	"$DONDOC" task show "$id" --json
	echo
done | $PY -c 'import json, sys
dec, s, out = json.JSONDecoder(), sys.stdin.read(), {}
i = 0
while True:
    while i < len(s) and s[i].isspace():
        i += 1
    if i >= len(s):
        break
    t, i = dec.raw_decode(s, i)
    out[t["id"]] = t
json.dump(out, open("tasks.json", "w"), ensure_ascii=False)'
expect_eq "the registry holds the titles as written: 8 tasks, one an indicator, the long one 5,000 characters" \
	"$($PY -c 'import json; ts = json.load(open("tasks.json")).values()
print(len(ts), sum(t["kind"] == "indicator" for t in ts), max(len(t["title"]) for t in ts))')" "8 1 5000"

# --- the feeds --------------------------------------------------------------------------------------
# feed NAME ARGS...: "dondoc feed create ARGS", its URL in urls/NAME.
mkdir -p urls
feed() {
	_fn=$1
	shift
	run "$DONDOC" feed create "$@"
	grep -oE 'https?://[^ ]*/ical/[A-Za-z0-9_-]+\.ics' out | head -1 >"urls/$_fn"
	if [ "$rc" = 0 ] && [ -s "urls/$_fn" ] && grep -q "webcal://127.0.0.1:$HTTP/ical/" out; then
		pass "feed create $*: the URL on public_url and its webcal:// form"
	else
		fail "feed create $*: the URL on public_url and its webcal:// form" "exit $rc: $(head -c 600 out) $(head -c 300 err)"
	fi
}
feed syt --agency syt
feed stc --agency stc
feed an --person 1
feed doc7 --document 7-KH/BCĐ
feed all --all
FEEDS="syt stc an doc7 all"
url() { cat "urls/$1"; }

# get NAME URL [CURL ARGS...]: the body in NAME.ics, the headers in NAME.h,
# the status in $code; as Google's importer asks: no Accept header.
get() {
	_gn=$1 _gu=$2
	shift 2
	code=$(curl -s -A "$UA" -H 'Accept:' -D "$_gn.h" -o "$_gn.ics" -w '%{http_code}' "$@" "$_gu")
}
header() { sed -n "s/^$2: *//Ip" "$1.h" | tr -d '\r' | head -1; } # header NAME FIELD
# fetch_all DIR: every feed into DIR/NAME.ics; "ok" when each answered 200.
fetch_all() {
	mkdir -p "$1"
	_all=ok
	for f in $FEEDS; do
		get "$1/$f" "$(url "$f")"
		[ "$code" = 200 ] || _all="$f: $code"
	done
	echo "$_all"
}

daemon_start TZ=America/New_York
wait_http "$WEB/healthz"
expect_eq "every feed is served (200) with no Accept header, the daemon under TZ=America/New_York" \
	"$(fetch_all ny)" ok
parsed "python3-icalendar, ical.js and libical read every feed alike, without an error" ny/*.ics
expect_eq "Content-Type text/calendar; charset=utf-8" "$(header ny/all Content-Type)" "text/calendar; charset=utf-8"
expect_no_grep "served inline (no Content-Disposition: attachment), uncompressed" ny/all.h \
	'^(Content-Disposition: *attachment|Content-Encoding)'
expect_grep "a strong ETag" ny/all.h '^ETag: "[^"]+"'
expect_grep "and a Last-Modified" ny/all.h '^Last-Modified: [A-Z][a-z]{2}, [0-9]{2} '
if [ -s ny/all.ics ]; then
	expect_no_grep "no ATTENDEE, ORGANIZER, TZID or VTIMEZONE in the feed" ny/all.ics \
		'^(ATTENDEE|ORGANIZER|BEGIN:VTIMEZONE)|TZID='
else
	fail "no ATTENDEE, ORGANIZER, TZID or VTIMEZONE in the feed" "no feed was served"
fi

# What the feeds show, read from the three parsers' common reading.
$PY - "$WEB" <<'PY' >checks.out 2>checks.err
import datetime, json, sys, urllib.parse
host = urllib.parse.urlsplit(sys.argv[1]).hostname
tasks = {int(k): v for k, v in json.load(open('tasks.json')).items()}
def ok(name, cond, why=''):
    print('PASS\t%s' % name if cond else 'FAIL\t%s\t%s' % (name, why))
def read(f):
    return json.load(open('ny/%s.ics.json' % f))
def owner(ev):
    """The task an event is of: its UID is task-<code>[-YYYYMMDD]@host."""
    uid = ev['uid']
    code = urllib.parse.unquote(uid[len('task-'):uid.rindex('@')])
    for t in tasks.values():
        if code == t['code'] or (code.startswith(t['code'] + '-') and code[len(t['code']) + 1:].isdigit()):
            return t['id']
    return None
by_title = {t['title']: t['id'] for t in tasks.values()}
ids = lambda part: {i for i, t in tasks.items() if part(t)}
dated = ids(lambda t: t['kind'] == 'task' and t['due'])
recurring = ids(lambda t: t['deadline_raw'] == 'Ngày 20 hàng tháng')
undated = ids(lambda t: t['kind'] == 'task' and not t['due'] and t['deadline_raw'] == '')
indicator = ids(lambda t: t['kind'] == 'indicator')
syt = ids(lambda t: 'Sở Y tế' in t['lead_agencies'] + t['cooperating_agencies'])
doc7 = ids(lambda t: t['document'] == '7-KH/BCĐ')
stc = ids(lambda t: t['lead_agencies'] == ['Sở Tài chính'])
feeds = {f: read(f) for f in ('syt', 'stc', 'an', 'doc7', 'all')}
evs = feeds['all']['events']
owners = [owner(e) for e in evs]
ok('every UID is task-<code>@%s, and each belongs to a task' % host,
   all(e['uid'].startswith('task-') and e['uid'].endswith('@' + host) for e in evs) and None not in owners,
   [e['uid'] for e in evs][:5])
ok('UIDs are unique', len({e['uid'] for e in evs}) == len(evs))
once = [i for i in owners if i not in recurring]
ok('the all feed: one event per dated task, indicators and undated tasks left out',
   sorted(once) == sorted(dated - recurring), 'events of %s, dated %s' % (sorted(once), sorted(dated)))
rec = [e for e, i in zip(evs, owners) if i in recurring]
ok('the recurring task: an event for each reporting day (the 20th) in the window',
   rec and all(e['dtstart'].endswith('-20') for e in rec) and len({e['dtstart'] for e in rec}) == len(rec),
   [e['dtstart'] for e in rec])
ok('the indicator and the undated task are in no feed',
   not any(owner(e) in indicator | undated for f in feeds.values() for e in f['events']))
def nextday(d):
    return (datetime.date.fromisoformat(d) + datetime.timedelta(days=1)).isoformat()
plain = [(e, tasks[i]) for e, i in zip(evs, owners) if i not in recurring]
ok('DTSTART;VALUE=DATE is the due day, DTEND;VALUE=DATE the next day',
   all(e['dtstart'] == t['due'] and e['dtstart-date'] and e['dtend'] == nextday(t['due']) and e['dtend-date']
       for e, t in plain) and all(e['dtend'] == nextday(e['dtstart']) for e in rec),
   [(e['dtstart'], e['dtend'], t['due']) for e, t in plain])
ok('DTSTAMP and LAST-MODIFIED on every event, SEQUENCE a small integer',
   all(e['dtstamp'] and e['last-modified'] and isinstance(e['sequence'], int) and 0 <= e['sequence'] < 100
       for e in evs), [(e['dtstamp'], e['last-modified'], e['sequence']) for e in evs][:3])
ok('the full title, read back exactly, is in each event\'s DESCRIPTION',
   all(tasks[i]['title'] in e['description'] for e, i in zip(evs, owners)),
   [tasks[i]['title'][:40] for e, i in zip(evs, owners) if tasks[i]['title'] not in (e['description'] or '')])
hard = [by_title[t] for t in by_title if '\\' in t and len(t) < 200]
ok('titles with commas, semicolons, backslashes, "%2C" and emoji are the SUMMARY as written',
   len(hard) == 2 and all(e['summary'] == tasks[i]['title'] or e['summary'].endswith('] ' + tasks[i]['title'])
                          for e, i in zip(evs, owners) if i in hard),
   [(e['summary'], tasks[i]['title']) for e, i in zip(evs, owners) if i in hard])
big = max(tasks.values(), key=lambda t: len(t['title']))
ev = evs[owners.index(big['id'])]
ok('the 5,000-character title is cut for the SUMMARY, whole in the DESCRIPTION',
   0 < len(ev['summary']) < 300 and big['title'][:20] in ev['summary'] and big['title'] in ev['description'],
   len(ev['summary']))
def bare(summary):
    """A SUMMARY less its status ("[QUÁ HẠN] ") and the mark of a cut title."""
    if summary.startswith('[') and '] ' in summary:
        summary = summary[summary.index('] ') + 2:]
    return summary[:-1] if summary.endswith('…') else summary
ok('every SUMMARY is one line, its title or the start of it',
   all('\n' not in e['summary'] and tasks[i]['title'].startswith(bare(e['summary'])) and bare(e['summary'])
       for e, i in zip(evs, owners)),
   [(e['summary'], tasks[i]['title'][:60]) for e, i in zip(evs, owners) if not tasks[i]['title'].startswith(bare(e['summary']))])
ok('CATEGORIES: the light', all(len(e['categories']) >= 1 for e in evs), [e['categories'] for e in evs][:3])
ok('VALARMs from the reminder offsets: relative triggers before the day',
   any(e['alarms'] for e in evs) and all(isinstance(a['trigger'], int) and a['trigger'] <= 86400
                                         for e in evs for a in e['alarms']),
   [e['alarms'] for e in evs][:2])
for name, want in (('syt', syt), ('stc', stc), ('an', syt), ('doc7', doc7)):
    got = {owner(e) for e in feeds[name]['events']}
    want &= dated | recurring
    ok('the %s feed holds its tasks (those dated)' % name, got == want, '%s != %s' % (sorted(got), sorted(want)))
c = feeds['syt']['calendar']
ok('X-WR-CALNAME names the agency', 'Sở Y tế' in (c['x-wr-calname'] or ''), c['x-wr-calname'])
ok('REFRESH-INTERVAL;VALUE=DURATION and X-PUBLISHED-TTL: PT1H',
   all((f['calendar']['refresh-interval'], f['calendar']['refresh-interval-value'], f['calendar']['x-published-ttl'])
       == (3600, 'DURATION', 'PT1H') for f in feeds.values()), c)
ok('VERSION 2.0 and a PRODID', all(f['calendar']['version'] == '2.0' and f['calendar']['prodid'] for f in feeds.values()))
ok('nothing is cancelled yet', not any(e['status'] == 'CANCELLED' for f in feeds.values() for e in f['events']))
PY
checks "what the feeds show" $?

# --- HTTP: ETag, 304, Accept, HEAD -----------------------------------------------------------------
ETAG=$(header ny/all ETag)
get again "$(url all)"
expect_eq "a feed fetched again, unchanged: the same bytes and ETag" \
	"$(cmp -s again.ics ny/all.ics && echo same) $(header again ETag)" "same $ETAG"
get cond "$(url all)" -H "If-None-Match: $ETAG"
expect_eq "If-None-Match with its ETag: 304, no body" "$code $(cat cond.ics 2>/dev/null | wc -c | tr -d ' ')" "304 0"
get acc "$(url all)" -H 'Accept: application/json'
expect_eq "any Accept header: 200 all the same" "$code" 200
code=$(curl -s -I -o head.h -w '%{http_code}' "$(url all)")
expect_eq "HEAD: 200 and the same ETag" "$code $(sed -n 's/^ETag: *//Ip' head.h | tr -d '\r')" "200 $ETAG"

# --- a restart under another TZ: the same bytes --------------------------------------------------
daemon_stop
daemon_start TZ=Asia/Tokyo
wait_http "$WEB/healthz"
expect_eq "every feed served after a restart under TZ=Asia/Tokyo" "$(fetch_all tokyo)" ok
same=ok
for f in $FEEDS; do
	cmp -s "ny/$f.ics" "tokyo/$f.ics" || same="$f differs: $(diff "ny/$f.ics" "tokyo/$f.ics" | head -5)"
done
expect_eq "byte for byte the feeds of TZ=America/New_York (so the same UIDs, days, SEQUENCEs, ETags)" "$same" ok
parsed "the three parsers read the feeds after the restart alike" tokyo/*.ics
run "$DONDOC" feed list --json
expect_grep "feed list shows the fetches' client (User-Agent)" out "$UA"

# --- a deadline moves: SEQUENCE up, the UID kept, a new ETag --------------------------------------
MOVED=$($PY -c 'import json; print(next(t["id"] for t in json.load(open("tasks.json")).values() if t["due"] == "2025-09-30"))')
expect_rc 0 "task set --deadline moves a deadline" "$DONDOC" task set "$MOVED" --deadline 14/11/2025
expect_eq "every feed served after the change" "$(fetch_all moved)" ok
parsed "the three parsers read the feeds after the change alike" moved/*.ics
expect_eq "the all feed has a new ETag" "$([ "$(header moved/all ETag)" != "$ETAG" ] && echo new)" new
get cond "$(url all)" -H "If-None-Match: $ETAG"
expect_eq "the old ETag in If-None-Match: 200 now, not 304" "$code" 200
$PY - "$MOVED" <<'PY' >checks.out 2>checks.err
import json, sys
moved = int(sys.argv[1])
code = json.load(open('tasks.json'))[str(moved)]['code']
def evs(d):
    return {e['uid']: e for e in json.load(open('%s/all.ics.json' % d))['events']}
before, after = evs('ny'), evs('moved')
def ok(name, cond, why=''):
    print('PASS\t%s' % name if cond else 'FAIL\t%s\t%s' % (name, why))
ok('the UIDs are those of before (stable across rebuilds and the restart)', set(before) == set(after),
   sorted(set(before) ^ set(after)))
uid = next(u for u in after if after[u]['dtstart'] == '2025-11-14')
ok('the moved task keeps its UID, now on 14/11/2025 (DTEND 15/11)',
   uid in before and before[uid]['dtstart'] == '2025-09-30' and after[uid]['dtend'] == '2025-11-15', uid)
ok('its SEQUENCE is larger', after[uid]['sequence'] > before[uid]['sequence'],
   '%s -> %s' % (before[uid]['sequence'], after[uid]['sequence']))
ok('the other events keep theirs', all(after[u]['sequence'] == before[u]['sequence'] for u in after if u != uid))
PY
checks "the moved deadline" $?

# --- a task leaves a feed: sent cancelled -----------------------------------------------------------
ETAG_STC=$(header moved/stc ETag)
expect_rc 0 "agency merge moves Sở Tài chính's task to Sở Y tế" "$DONDOC" agency merge stc syt
expect_eq "every feed served after the merge" "$(fetch_all merged)" ok
parsed "the three parsers read the feeds after the merge alike" merged/*.ics
expect_eq "the merged agency's feed has a new ETag" "$([ "$(header merged/stc ETag)" != "$ETAG_STC" ] && echo new)" new
$PY - <<'PY' >checks.out 2>checks.err
import json
def evs(d, f):
    return {e['uid']: e for e in json.load(open('%s/%s.ics.json' % (d, f)))['events']}
def ok(name, cond, why=''):
    print('PASS\t%s' % name if cond else 'FAIL\t%s\t%s' % (name, why))
before, after = evs('moved', 'stc'), evs('merged', 'stc')
ok('the task that left is still in its old feed, STATUS:CANCELLED, same UID and day',
   len(before) == 1 and set(after) == set(before) and
   all(after[u]['status'] == 'CANCELLED' and after[u]['dtstart'] == before[u]['dtstart'] for u in after),
   '%s -> %s' % ([(u, e['status']) for u, e in before.items()], [(u, e['status']) for u, e in after.items()]))
# Strictly: a client keeps the copy it has when the SEQUENCE is the same.
ok('its SEQUENCE is larger than the one its feed showed before',
   after and all(after[u]['sequence'] > before[u]['sequence'] for u in after if u in before),
   [(before[u]['sequence'], after[u]['sequence']) for u in after if u in before])
syt = evs('merged', 'syt')
ok('and it is in Sở Y tế\'s feed now, not cancelled',
   all(u in syt and syt[u]['status'] != 'CANCELLED' for u in after), sorted(syt))
PY
checks "the task merged away" $?

# --- a revoked token -------------------------------------------------------------------------------
run "$DONDOC" feed list --json
STC_ID=$(json '[f["id"] for f in j if f.get("kind") == "agency" and "Tài chính" in (f.get("target_name") or f.get("target") or "")][0]' 2>/dev/null)
[ -n "$STC_ID" ] || STC_ID=2 # the second created
expect_rc 0 "feed revoke" "$DONDOC" feed revoke "$STC_ID"
get revoked "$(url stc)"
expect_eq "a revoked token: 404" "$code" 404
expect_no_grep "... and nothing of the feed" revoked.ics 'BEGIN:VCALENDAR'
get unknown "$(dirname "$(url stc)")/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.ics"
expect_eq "an unknown token: 404" "$code" 404
get other "$(url syt)"
expect_eq "the other feeds still served" "$code" 200

daemon_stop
expect_no_grep "no sanitizer report in the daemon's log" serve.log 'AddressSanitizer|runtime error'

# The digest on the command line (issue 13): "dondoc digest --preview" over
# a registry counted by hand (done on time and late, in progress and behind,
# not started, postponed, indicators) and over the real fixtures, against
# golden files at a fixed DONDOC_NOW, byte for byte, twice; the headline's
# sentence; the HTML and the text parsed back carry the same figures; titles
# with markup, emoji, newlines and 5,000 characters stay valid in the HTML,
# the text and the workbook; an empty registry says so; a future or unknown
# period, a bad month or day, a path that cannot be written: one clear line,
# nothing written; --send queues it; Chromium at a phone's width: no
# horizontal overflow (the PNG kept beside $RESULTS).
#
# DONDOC_GOLDEN_UPDATE=1 rewrites tests/golden/digest-*.{html,txt} from this
# run (then look at the diff before committing it).
. "$(dirname "$0")/../lib.sh"

D=$DONDOC
GOLDEN=$TOP/tests/golden
FORMS="$PY $TOP/tests/digest_forms.py"
NOW=2025-10-10T09:00
A='Kế hoạch số 328-KH/TU ngày 24/4/2025'
B='Chương trình 01-CTr/BCĐ ngày 10/6/2025'
conf_general >dondoc.conf
export DONDOC_CONFIG="$T/dondoc.conf"

at() { # at DAY CMD...: runs the CLI on DAY at 09:00
	_day=$1
	shift
	env DONDOC_NOW="${_day}T09:00" "$D" "$@" >out 2>err
	rc=$?
}

# golden NAME FILE: FILE is tests/golden/NAME (or becomes it with DONDOC_GOLDEN_UPDATE=1).
golden() {
	if [ -n "${DONDOC_GOLDEN_UPDATE:-}" ]; then
		mkdir -p "$GOLDEN" && cp "$2" "$GOLDEN/$1" && pass "$1 rewritten"
	elif [ ! -f "$GOLDEN/$1" ]; then
		fail "$1 matches its golden file" "no $GOLDEN/$1 (DONDOC_GOLDEN_UPDATE=1 writes it)"
	elif cmp -s "$2" "$GOLDEN/$1"; then
		pass "$1 matches its golden file byte for byte"
	else
		fail "$1 matches its golden file" "$(diff "$GOLDEN/$1" "$2" | head -20)"
	fi
}

# nothing_written NAME FILE...: none of FILE (nor FILE.tmp) exists.
nothing_written() {
	_nw=$1
	shift
	for _f in "$@"; do
		if [ -e "$_f" ] || [ -e "$_f.tmp" ]; then
			fail "$_nw: nothing written" "$_f (or its .tmp) exists"
			return
		fi
	done
	pass "$_nw: nothing written"
}

# --- the registry counted by hand ----------------------------------------------------------------
# Tasks 1-8 of the programme, 9-10 of the plan, 11-13 the plan's indicators.
#   1 done 29/9, due 30/9: on time     2 done 1/10, due 15/10: on time
#   3 done 2/10, due 25/9: late        4 in progress (30%), due 30/9: chậm tiến độ
#   5 in progress (50%), due 31/12     6 not started, due 30/11
#   7 postponed (tạm hoãn)             8 not started, due 30/9: overdue
#   9 done 6/10, due 31/10: on time   10 in progress (20%), due 20/10: in the next two weeks
#   11, 12 đạt; 13 chưa đạt
# On 10/10/2025: 4/10 done (40%: 3 on time, 1 late), 3 in progress (1 behind),
# 2 not started, 1 postponed; the programme 3/8 (38%: 2 on time, 1 late),
# 2/8 in progress (1 behind), 2/8 not started, 1/8 postponed; 2/3 indicators (67%).
at 2025-09-20 init
{
	printf "$HDR"
	printf '1.\tNhiệm vụ một\t%s\tSở Y tế\t30/9/2025\n' "$B"
	printf '2.\tNhiệm vụ hai\t%s\tSở Y tế\t15/10/2025\n' "$B"
	printf '3.\tNhiệm vụ ba\t%s\tSở Nội vụ\t25/9/2025\n' "$B"
	printf '4.\tNhiệm vụ bốn\t%s\tSở Nội vụ\t30/9/2025\n' "$B"
	printf '5.\tNhiệm vụ năm\t%s\tSở Tư pháp\t31/12/2025\n' "$B"
	printf '6.\tNhiệm vụ sáu\t%s\tSở Tư pháp\t30/11/2025\n' "$B"
	printf '7.\tNhiệm vụ bảy\t%s\tSở Y tế\t31/10/2025\n' "$B"
	printf '8.\tNhiệm vụ tám\t%s\tSở Nội vụ\t30/9/2025\n' "$B"
	printf '9.\tNhiệm vụ chín\t%s\tSở Y tế\t31/10/2025\n' "$A"
	printf '10.\tNhiệm vụ mười\t%s\tSở Tư pháp\t20/10/2025\n' "$A"
} >tasks.tsv
{
	printf 'STT\tNhiệm vụ\tVăn bản giao nhiệm vụ\tCơ quan chủ trì thực hiện\tThời hạn hoàn thành\tĐánh giá\n'
	printf '1.\tChỉ tiêu một\t%s\tSở Y tế\t\tChưa đạt\n' "$A"
	printf '2.\tChỉ tiêu hai\t%s\tSở Nội vụ\t\tChưa đạt\n' "$A"
	printf '3.\tChỉ tiêu ba\t%s\tSở Tư pháp\t\tChưa đạt\n' "$A"
} >ind.tsv
at 2025-09-20 import tasks.tsv
expect_eq "hand registry: ten tasks imported" "$rc" 0
at 2025-09-20 import ind.tsv
expect_eq "hand registry: three indicators imported" "$rc" 0
at 2025-09-22 task set 4 --progress 30
at 2025-09-22 task set 5 --progress 50
at 2025-09-22 task set 10 --progress 20
at 2025-09-23 task set 7 --status postponed
at 2025-09-29 task set 1 --status done
at 2025-10-01 task set 2 --status done
at 2025-10-02 task set 3 --status done
at 2025-10-03 task assess 11 dat
at 2025-10-03 task assess 12 dat
cp "$DONDOC_DB" before-last.db
at 2025-10-06 task set 9 --status done
expect_eq "hand registry: the last change taken" "$rc" 0
at 2025-10-10 report --json
expect_eq "report agrees with the hand count: 10 tasks, 4 done (3 on time), 3 in progress (1 behind), 2 not started, 1 postponed; 2/3 indicators" \
	"$(json '[j["counts"]["tasks"][k] for k in ("total", "done", "done_on_time", "done_late", "in_progress", "behind", "not_started", "postponed")] + [j["counts"]["indicators"][k] for k in ("total", "achieved")]')" \
	"[10, 4, 3, 1, 3, 1, 2, 1, 3, 2]"

# --- the digest of the hand registry: golden, twice the same ------------------------------------
expect_rc 0 "digest --preview --text --xlsx exits 0" \
	env DONDOC_NOW=$NOW "$D" digest --preview hand.html --text hand.txt --xlsx hand.xlsx
expect_grep "digest says what it wrote" out "wrote hand\.html"
golden digest-hand.html hand.html
golden digest-hand.txt hand.txt
run env DONDOC_NOW=$NOW "$D" digest --preview hand2.html --text hand2.txt --xlsx hand2.xlsx
if cmp -s hand.html hand2.html && cmp -s hand.txt hand2.txt && cmp -s hand.xlsx hand2.xlsx; then
	pass "the same registry and period give the same bytes (HTML, text, XLSX)"
else
	fail "the same registry and period give the same bytes (HTML, text, XLSX)"
fi
# A figure changed (task 6 done too): the golden comparison must see it.
cp before-last.db changed.db
env DONDOC_DB="$T/changed.db" DONDOC_NOW=2025-10-06T09:00 "$D" task set 9 --status done >/dev/null 2>&1
env DONDOC_DB="$T/changed.db" DONDOC_NOW=2025-10-07T09:00 "$D" task set 6 --status done >/dev/null 2>&1
env DONDOC_DB="$T/changed.db" DONDOC_NOW=$NOW "$D" digest --preview changed.html --text changed.txt >/dev/null 2>&1
if ! cmp -s changed.html hand.html && ! cmp -s changed.txt hand.txt &&
	[ "$($FORMS figures changed.txt)" != "$($FORMS figures hand.txt)" ]; then
	pass "one more task done changes the figures: the golden files would fail"
else
	fail "one more task done changes the figures: the golden files would fail"
fi

# --- the headline, and the same figures in both forms ---------------------------------------
if $FORMS check hand.html >hand.html.txt 2>check.err; then
	pass "hand.html is well formed, without script, style or external image"
else
	fail "hand.html is well formed, without script, style or external image" "$(cat check.err)"
fi
HEAD="Tính đến ngày 10/10/2025: đạt và vượt 02/03 chỉ tiêu (đạt 67%), chưa đạt 01/03; hoàn thành 04/10 nhiệm vụ (đạt 40%) theo Chương trình số 01-CTr/BCĐ và Kế hoạch số 328-KH/TU; trong đó theo Chương trình số 01-CTr/BCĐ đã hoàn thành 03/08 nhiệm vụ (đạt 38%), trong đó đúng hạn 02, trễ hạn 01; 02/08 nhiệm vụ đang triển khai thực hiện, trong đó 01 nhiệm vụ chậm tiến độ; 02/08 nhiệm vụ chưa thực hiện; 01/08 nhiệm vụ chưa thực hiện đang tạm hoãn; theo Kế hoạch số 328-KH/TU đã hoàn thành 01/02 nhiệm vụ (đạt 50%), trong đó đúng hạn 01; 01/02 nhiệm vụ đang triển khai thực hiện."
expect_eq "the text's headline is the committee's sentence, counted by hand" \
	"$($FORMS headline hand.txt)" "$HEAD"
expect_eq "the HTML's headline is the same sentence" "$($FORMS headline hand.html)" "$HEAD"
# Every figure the HTML shows (N/M, P%), the text says too; the text may say
# more (its agency lines add not started, postponed and indicators).
$FORMS figures hand.txt >fig.txt
$FORMS figures hand.html >fig.html
missing=$(sort fig.html | uniq -c | while read -r n f; do
	[ "$(grep -cx "$f" fig.txt)" -ge "$n" ] || echo "$f"
done)
if [ -s fig.html ] && [ -z "$missing" ]; then
	pass "every figure of the HTML is in the text ($(wc -l <fig.html) of them)"
else
	fail "every figure of the HTML is in the text" "not in the text: $missing"
fi
expect_grep "the text: the hand count's period lists (04 done: 03 on time, 01 late)" hand.txt \
	"Hoàn thành 04 nhiệm vụ \(đúng hạn 03, trễ hạn 01\)"
grep -q "Hoàn thành 04 nhiệm vụ (đúng hạn 03, trễ hạn 01)" hand.html.txt &&
	pass "the HTML: the same period lists" || fail "the HTML: the same period lists"
expect_grep "the period since the last digest (none: the 14 days to today)" hand.txt "27/0?9/2025"

# --- the real fixtures ------------------------------------------------------------------------
if [ -n "$FIXTURES" ] && [ -f "$FIXTURES/appendix-2-deadlines.tsv" ]; then
	export DONDOC_DB="$T/fixtures.db"
	at 2025-09-01 init
	at 2025-09-01 import "$FIXTURES/appendix-1-status.tsv"
	at 2025-09-01 import "$FIXTURES/appendix-2-deadlines.tsv"
	expect_rc 0 "fixtures: digest --period quarter --of 2025-09 exits 0" \
		env DONDOC_NOW=$NOW "$D" digest --period quarter --of 2025-09 --preview fx.html --text fx.txt
	golden digest-fixtures.html fx.html
	golden digest-fixtures.txt fx.txt
	expect_grep "fixtures: the period is the third quarter" fx.txt "0?1/0?7/2025.*30/0?9/2025"
	run env DONDOC_NOW=$NOW "$D" digest --period quarter --of 2025-09 --preview fx2.html --text fx2.txt
	cmp -s fx.html fx2.html && cmp -s fx.txt fx2.txt &&
		pass "fixtures: twice the same bytes" || fail "fixtures: twice the same bytes"
	export DONDOC_DB="$T/dondoc.db"
else
	skip "fixtures: digest over the committee's tables" "../shared/fixtures is absent"
fi

# --- bad input: markup, quotes, emoji, newlines, 5,000 characters ---------------------------------
export DONDOC_DB="$T/bad.db"
at 2025-09-20 init
$PY - <<'PY'
import csv
doc = "Kế hoạch số 5-KH/BCĐ ngày 2/1/2025"
long = ("Nhiệm vụ dài " + "rất dài " * 700)[:5000]
rows = [["STT", "Nhiệm vụ", "Văn bản giao nhiệm vụ", "Cơ quan chủ trì thực hiện", "Thời hạn hoàn thành"],
        ["1.", '<script>alert("x")</script> & <b>đậm</b> \'đơn\' "kép"', doc, "Sở Tài nguyên & Môi trường", "1/10/2025"],
        ["2.", "Biểu tượng 😀🚀 trong tiêu đề", doc, "Sở Y tế", "1/10/2025"],
        ["3.", "Dòng một\nDòng hai", doc, "Sở Y tế", "1/10/2025"],
        ["4.", long, doc, "Sở Y tế", "1/10/2025"]]
with open("bad.csv", "w", encoding="utf-8", newline="") as f:
    csv.writer(f).writerows(rows)
open("long.txt", "w", encoding="utf-8").write(long)
PY
at 2025-09-20 import bad.csv
expect_eq "bad titles imported" "$rc" 0
expect_rc 0 "bad titles: digest exits 0" \
	env DONDOC_NOW=$NOW "$D" digest --preview bad.html --text bad.txt --xlsx bad.xlsx
if $FORMS check bad.html >bad.html.txt 2>check.err; then
	pass "bad titles: the HTML is well formed, no script element"
else
	fail "bad titles: the HTML is well formed, no script element" "$(cat check.err)"
fi
expect_grep "bad titles: the markup is shown as text in the HTML" bad.html.txt '<script>alert\("x"\)</script> & <b>đậm</b>'
expect_grep "bad titles: the markup is escaped in the HTML source" bad.html '&lt;script&gt;'
expect_grep "bad titles: the emoji in the HTML" bad.html.txt '😀🚀'
expect_grep "bad titles: the emoji in the text" bad.txt '😀🚀'
expect_grep "bad titles: both lines of a title in the HTML" bad.html.txt 'Dòng một.*Dòng hai|Dòng hai'
expect_grep "bad titles: the long title in the HTML (its start at least)" bad.html.txt 'Nhiệm vụ dài rất dài'
if $PY -c 'import sys; open(sys.argv[1], encoding="utf-8").read()' bad.txt 2>/dev/null; then
	pass "bad titles: the text is valid UTF-8"
else
	fail "bad titles: the text is valid UTF-8"
fi
if $FORMS xlsx bad.xlsx >bad.cells 2>check.err; then
	pass "bad titles: openpyxl opens the workbook"
	grep -qF '<script>alert("x")</script> & <b>đậm</b>' bad.cells &&
		grep -qF '😀🚀' bad.cells && grep -qF "$(cat long.txt)" bad.cells &&
		pass "bad titles: the workbook holds them whole (the 5,000 characters too)" ||
		fail "bad titles: the workbook holds them whole (the 5,000 characters too)"
else
	fail "bad titles: openpyxl opens the workbook" "$(tail -3 check.err)"
fi

# --- an empty registry --------------------------------------------------------------------------
export DONDOC_DB="$T/empty.db"
at 2025-09-20 init
expect_rc 0 "empty registry: digest exits 0" \
	env DONDOC_NOW=$NOW "$D" digest --preview empty.html --text empty.txt --xlsx empty.xlsx
expect_grep "empty registry: the text says there is nothing" empty.txt "[Cc]hưa có nhiệm vụ"
$FORMS check empty.html >empty.html.txt 2>/dev/null
expect_grep "empty registry: the HTML says so too" empty.html.txt "[Cc]hưa có nhiệm vụ"
export DONDOC_DB="$T/dondoc.db"

# --- errors: one line, nothing written -----------------------------------------------------------
bad() { # bad NAME RC RE ARGS...: digest ARGS exits RC, one line matching RE, writes nothing
	_bn=$1 _br=$2 _bre=$3
	shift 3
	expect_rc "$_br" "$_bn: exit $_br" env DONDOC_NOW=$NOW "$D" digest "$@"
	if [ "$(wc -l <err)" = 1 ] && grep -Eq -- "$_bre" err; then
		pass "$_bn: one clear line"
	else
		fail "$_bn: one clear line" "$(cat err)"
	fi
	nothing_written "$_bn" e.html e.txt e.xlsx
}
bad "a period in the future" 65 "month of '2025-11' starts on 1/11/2025, after today" \
	--period month --of 2025-11 --preview e.html --text e.txt --xlsx e.xlsx
bad "an unknown period" 64 "unknown period 'fortnight'" --period fortnight --preview e.html
bad "a bad --of" 64 "--of '2025-13' is not a month" --period month --of 2025-13 --preview e.html
bad "--of without --period" 64 "--of goes with --period" --of 2025-09 --preview e.html
bad "a bad --at" 64 "--at '2025-02-30' is not a day" --at 2025-02-30 --preview e.html
bad "--at after today" 65 "--at '2025-10-11' is after today" --at 2025-10-11 --preview e.html \
	--text e.txt --xlsx e.xlsx
bad "neither --preview nor --send" 64 "--preview FILE.html or --send" --text e.txt
echo "a file, not a folder" >afile
bad "an unwritable HTML path" 73 "cannot write '$T/afile/x.html'" --preview "$T/afile/x.html" --text e.txt
bad "an unwritable text path: the HTML is not written either" 73 "cannot write '$T/afile/x.txt'" \
	--preview e.html --text "$T/afile/x.txt"
run env DONDOC_NOW=$NOW "$D" digest --preview e.html --text e.txt --xlsx "$T/afile/x.xlsx"
[ "$rc" = 73 ] && grep -q "afile/x.xlsx" err && pass "an unwritable XLSX path: an error naming it" ||
	fail "an unwritable XLSX path: an error naming it" "exit $rc: $(cat err)"
nothing_written "an unwritable XLSX path" e.html e.txt "$T/afile/x.xlsx"
# The HTML's .tmp is written but cannot take the place of a folder: the workbook is not left alone.
mkdir adir.html
run env DONDOC_NOW=$NOW "$D" digest --preview adir.html --text e.txt --xlsx e.xlsx
[ "$rc" = 74 ] && grep -q "cannot write 'adir.html'" err && pass "an HTML path that cannot be renamed to: exit 74, naming it" ||
	fail "an HTML path that cannot be renamed to: exit 74, naming it" "exit $rc: $(cat err)"
nothing_written "an HTML path that cannot be renamed to" adir.html.tmp e.txt e.xlsx

# --- --send: queued in the outbox, or nothing --------------------------------------------------
{ cat dondoc.conf; printf '[smtp]\nhost = 127.0.0.1\nport = 9\nfrom = dondoc@example.gov.vn\n'; } >send.conf
sendto() { env DONDOC_CONFIG="$T/send.conf" DONDOC_NOW=$NOW "$D" digest --send "$@"; }
outbox_n() { env DONDOC_CONFIG="$T/send.conf" "$D" outbox list --json | $PY -c 'import json,sys; print(len(json.load(sys.stdin)))'; }
expect_rc 66 "--send with nobody to get it exits 66" sendto
expect_grep "--send with nobody: says why, nothing sent" err "nothing sent: nobody gets the digest"
expect_eq "--send with nobody: the outbox is empty" "$(outbox_n)" 0
expect_rc 65 "--send of a future period exits 65" sendto --to so@example.org --period year --of 2026-01
expect_eq "--send of a future period: nothing queued" "$(outbox_n)" 0
expect_rc 64 "--send --to a bad address exits 64" sendto --to nobody
expect_rc 65 "--send --at a day to come exits 65" sendto --to so@example.org --at 2025-10-11
expect_eq "--send --at a day to come: nothing queued" "$(outbox_n)" 0
expect_rc 0 "--send --to ADDRESS exits 0" sendto --to so@example.org
expect_grep "--send says what it queued" out "queued 1 message"
env DONDOC_CONFIG="$T/send.conf" "$D" outbox list --json >out
expect_eq "--send --to: one message in the outbox, to that address" \
	"$(json '[len(j)] + sorted(set(str(v) for m in j for k, v in m.items() if "@" in str(v)))')" '[1, "so@example.org"]'

# --- since the previous scheduled digest --------------------------------------------------------
# A digest of the schedule (key 26/9) reported up to 3/10: the next runs from 4/10.
cp "$DONDOC_DB" since.db
sqlite3 since.db "INSERT INTO digest_run(key, period_from, period_to, created_at, filename, workbook)
	VALUES ('2025-09-26', '2025-09-13', '2025-10-03', 0, 'x.xlsx', x'00')"
expect_rc 0 "after a scheduled digest: digest exits 0" \
	env DONDOC_DB="$T/since.db" DONDOC_NOW=$NOW "$D" digest --preview s.html --text s.txt
expect_grep "after a scheduled digest: the period runs from the day after it to today" s.txt \
	"từ 0?4/10/2025 đến 10/10/2025"
expect_grep "after a scheduled digest: done before it is not in the period (task 9 is)" s.txt \
	"Hoàn thành 01 nhiệm vụ"

# --- --at: the figures as of another day ---------------------------------------------------------
expect_rc 0 "--at 3/10/2025 exits 0" env DONDOC_NOW=$NOW "$D" digest --at 3/10/2025 --preview at.html --text at.txt
expect_grep "--at: the headline is as of that day" at.txt "^Tính đến ngày 0?3/10/2025:"
expect_grep "--at: the period is the 14 days to it" at.txt "từ 20/0?9/2025 đến 0?3/10/2025"

# --- periods named: calendar and cut-off windows --------------------------------------------
expect_rc 0 "--period month --of 2025-09 exits 0" env DONDOC_NOW=$NOW "$D" digest --period month --of 2025-09 --preview m.html --text m.txt
expect_grep "month 9/2025 by the calendar: 1/9-30/9" m.txt "0?1/0?9/2025.*30/0?9/2025"
mkdir -p cutsched && cp -r "$TOP/schedules/." cutsched/ &&
	sed -i 's/^cutoff_day = .*/cutoff_day = 14/' cutsched/policy.ini
conf_general schedules="$T/cutsched" >cut.conf
expect_rc 0 "cutoff_day = 14: --period month --of 2025-09 exits 0" \
	env DONDOC_CONFIG="$T/cut.conf" DONDOC_NOW=$NOW "$D" digest --period month --of 2025-09 --preview c.html --text c.txt
expect_grep "cutoff_day = 14: month 9/2025 is 15/8-14/9" c.txt "15/0?8/2025.*14/0?9/2025"
expect_rc 0 "cutoff_day = 14: --period quarter --of 2025-09 exits 0" \
	env DONDOC_CONFIG="$T/cut.conf" DONDOC_NOW=$NOW "$D" digest --period quarter --of 2025-09 --preview c.html --text c.txt
expect_grep "cutoff_day = 14: quarter III/2025 is 15/6-14/9" c.txt "15/0?6/2025.*14/0?9/2025"

# --- Chromium at a phone's width -----------------------------------------------------------------
CHROMIUM=/usr/bin/chromium
if [ -x "$CHROMIUM" ]; then
	OUTDIR=$TOP/build/test-output
	[ "$RESULTS" != /dev/null ] && OUTDIR=$(dirname "$RESULTS")
	mkdir -p "$OUTDIR"
	chrome() { # chrome ARGS...: headless Chromium with a private profile
		timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu --hide-scrollbars \
			--user-data-dir="$T/chromium" --window-size=390,2000 "$@" 2>>chromium.log
	}
	for f in hand bad; do
		$FORMS probe $f.html probe-$f.html
		chrome --dump-dom "file://$T/probe-$f.html" >dom-$f.html
		w=$(sed -n 's/.*data-overflow-width="\([0-9]*\)".*/\1/p' dom-$f.html | head -1)
		if [ -n "$w" ] && [ "$w" -le 390 ]; then
			pass "Chromium, 390 px: $f.html does not overflow (right edge at $w px)"
		else
			fail "Chromium, 390 px: $f.html does not overflow" "right edge at '${w:-?}' px; $(tail -3 chromium.log)"
		fi
	done
	chrome --screenshot="$T/digest-390px.png" "file://$T/probe-hand.html" >/dev/null
	size=$($FORMS pngsize digest-390px.png 2>/dev/null)
	if [ -n "$size" ] && cp digest-390px.png "$OUTDIR/t_digest-390px.png.tmp" &&
		mv "$OUTDIR/t_digest-390px.png.tmp" "$OUTDIR/t_digest-390px.png"; then
		pass "Chromium's picture of the digest kept in $OUTDIR/t_digest-390px.png ($size)"
	else
		fail "Chromium's picture of the digest" "$(tail -3 chromium.log)"
	fi
else
	skip "Chromium at a phone's width" "$CHROMIUM is not installed (make deps)"
fi

#!/bin/sh
# Indicators (chỉ tiêu) of the committee's appendix I, end to end: assessed,
# not due.  Their light comes from the assessment; no message ever gives
# them a deadline, a progress or "quá hạn"; the Monday needs-date list
# leaves them out; on the reporting days of [assessment] the focal points
# are asked for an update (one message a day per person); /danhgia and
# "task assess" record it, audited; bad words change nothing; a re-import
# with a changed assessment is an assessment event; verify replays it all.
. "$(dirname "$0")/../lib.sh"

if [ -z "$FIXTURES" ]; then
	skip "indicators on the appendix fixtures" "../shared/fixtures is missing"
	exit 0
fi
A1=$FIXTURES/appendix-1-status.tsv
A2=$FIXTURES/appendix-2-deadlines.tsv

mkdir -p conf
conf_general tick=1 >conf/dondoc.conf
export DONDOC_CONFIG="$T/conf/dondoc.conf"
D=$DONDOC
AN=1001 DUNG=2002

at() { # DONDOC_NOW for one command: at TIME CMD...
	t=$1
	shift
	env DONDOC_NOW="$t" "$@"
}
chat() { # chat TIME CHAT TEXT...: a chat command; the answer's text form in out, status in $rc
	t=$1 c=$2
	shift 2
	run at "$t" "$D" chat --format text --telegram "$c" "$@"
}

# QPY FILE EXPR: EXPR over a saved "task list --json" (ts), with ind the indicators.
QPY='
import json, sys
ts = json.load(open(sys.argv[1]))
ind = [x for x in ts if x["kind"] == "indicator"]
def t(i):
    return [x for x in ts if x["id"] == i][0]
r = eval(sys.argv[2])
print(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False))
'
q() { $PY -c "$QPY" "$@"; }

# OPY FILES...: the outbox messages (FILES) that name an indicator (from list.json)
# with what they say about it; "" when none does.
OPY='
import json, sys
ind = [x for x in json.load(open("list.json")) if x["kind"] == "indicator"]
for f in sys.argv[1:]:
    text = open(f).read()
    for x in ind:
        if "[%d] %s" % (x["id"], x["title"]) in text:
            print("%s names indicator %d" % (f.rsplit("/", 1)[-1], x["id"]))
'
named() { $PY -c "$OPY" "$@"; }
msgs() { find "$T/outbox" -name '*.txt' | sort; }

# --- the registry: both appendices, Sở KH&CN given a focal point ------------------
export DONDOC_NOW=2025-10-01T07:00
run "$D" init
expect_rc 0 "import appendix 1" "$D" import "$A1"
expect_rc 0 "import appendix 2" "$D" import "$A2"
run "$D" agency add --name "Văn phòng UBND tỉnh" --code vpubnd
expect_rc 0 "Sở KH&CN gets a focal point" "$D" person add --name "Nguyễn Văn An" --agency skhcn \
	--role focal --telegram $AN
expect_rc 0 "the secretariat" "$D" person add --name "Phạm Thị Dung" --agency vpubnd \
	--role secretariat --telegram $DUNG
unset DONDOC_NOW

# --- lights ---------------------------------------------------------------------------
run at 2025-10-01T07:30 "$D" task list --json
cp out list.json
expect_eq "appendix I gives 20 indicators" "$(q list.json 'len(ind)')" 20
expect_eq "chưa đạt is ĐỎ, chưa đánh giá được is VÀNG (14 and 6)" \
	"$(q list.json 'sorted(set((x["status"], x["light"]) for x in ind))')" \
	'[["cannot_assess", "yellow"], ["not_achieved", "red"]]'
expect_eq "14 red and 6 yellow" \
	"$(q list.json '[len([x for x in ind if x["light"] == c]) for c in ("red", "yellow", "green")]')" '[14, 6, 0]'
expect_eq "no indicator is overdue, none has a due day" \
	"$(q list.json '[x["id"] for x in ind if x["overdue"] or x["due"]]')" '[]'
run at 2025-10-01T07:30 "$D" task show 1
expect_grep "task show gives an indicator's assessment" out '^Đánh giá: +Chưa đạt$'
expect_no_grep "task show gives an indicator no deadline nor progress" out '^(Thời hạn|Trạng thái):'
expect_grep "task show: light ĐỎ" out '^Đèn: +ĐỎ$'

# --- /viec and /quahan ----------------------------------------------------------------------
chat 2025-10-01T07:40 $AN /viec
cp out viec.txt
expect_grep "/viec shows the indicators apart, with their count" viec.txt \
	'^Chỉ tiêu chưa đạt hoặc chưa đánh giá được \(19\):$'
head_line=$(grep -n '^Chỉ tiêu chưa đạt' viec.txt | cut -d: -f1)
first_ind=$(grep -n '^\[1\] Tỷ lệ phủ sóng 5G' viec.txt | cut -d: -f1)
expect_eq "/viec lists indicator 1 under that heading, after the tasks" \
	"$([ -n "$first_ind" ] && [ "$first_ind" -gt "${head_line:-0}" ] && echo after)" after
expect_grep "/viec gives each its assessment" viec.txt '^   Chỉ tiêu – đánh giá: Chưa đạt$'
sed -n '/^Chỉ tiêu chưa đạt/,/^Cập nhật đánh giá:/p' viec.txt >viec-ind.txt
expect_eq "the indicators part lists 19 of them" "$(grep -c '^\[[0-9]*\] ' viec-ind.txt)" 19
expect_no_grep "/viec gives no indicator a progress or a deadline" viec-ind.txt 'tiến độ|Hạn:'
expect_grep "/viec shows how to assess" viec.txt '/danhgia 1 đạt\|chưa đạt\|chưa đánh giá được'
chat 2025-10-01T07:41 $AN /quahan
expect_no_grep "/quahan lists no indicator" out 'Chỉ tiêu|Tỷ lệ phủ sóng 5G'

# --- five weeks of days: no indicator in any message ------------------------------------
for day in 01 02 03 06 07 08 09 10 13 14 15 16 17 20 21 22 23 24 27 28 29 30 31; do
	run at 2025-10-${day}T08:00 "$D" serve --once
done
for day in 03 04 05 06 07; do
	run at 2025-11-${day}T08:00 "$D" serve --once
done
expect_eq "five weeks of serving: messages went out" "$([ "$(msgs | wc -l)" -gt 0 ] && echo yes)" yes
# shellcheck disable=SC2046
expect_eq "no message of October and early November names an indicator" "$(named $(msgs))" ""
n=$(sql "SELECT count(*) FROM notice n JOIN task t ON t.id = n.task_id WHERE t.kind = 'indicator'")
expect_eq "no notice for an indicator before its reporting days" "$n" 0
nd=$(grep -l '^Kind: needs_date' $(msgs) | head -1)
if [ -n "$nd" ]; then
	expect_eq "the Monday needs-date list names no indicator" "$(named "$nd")" ""
	expect_grep "the needs-date list counts only the tasks without a date" "$nd" \
		'^Subject: .*\b01 nhiệm vụ chưa có thời hạn cụ thể'
else
	fail "a Monday needs-date list went to the secretariat" "$(grep -h '^Kind' $(msgs) | sort | uniq -c)"
fi

# --- the reporting day of December (20/12/2025, a Saturday: asked 12/12 and 19/12) -------
run at 2025-12-10T09:00 "$D" explain 4 --json
expect_eq "explain: an indicator's ladder is its update requests, 5 and 0 working days before" \
	"$(json '[(r["stage"], r["workdays"], r["date"]) for r in j]')" \
	'[["assessment", 5, "2025-12-12"], ["assessment", 0, "2025-12-19"]]'
before=$(msgs | wc -l)
run at 2025-12-11T08:00 "$D" serve --once
# shellcheck disable=SC2046
expect_eq "the day before the first request, no indicator is named" "$(named $(msgs | tail -n +$((before + 1))))" ""
before=$(msgs | wc -l)
run at 2025-12-12T08:00 "$D" serve --once
run at 2025-12-12T08:00 "$D" outbox list --json
expect_eq "on 12/12 An gets exactly one message" \
	"$(json 'len([m for m in j if m["person_id"] == 1 and m["created_at"].startswith("2025-12-12")])')" 1
an=$(grep -l '^To: Nguyễn Văn An' $(msgs | tail -n +$((before + 1))) | head -1)
if [ -n "$an" ]; then
	expect_grep "An's message asks for the indicators' assessment" "$an" 'cập nhật đánh giá'
	expect_grep "it lists indicator 4 with its assessment" "$an" '^   Chỉ tiêu – đánh giá: Chưa đạt$'
	expect_grep "it shows /danhgia for indicator 4 and the reporting day" "$an" \
		'Kỳ báo cáo 20/12/2025: /danhgia 4 đạt \| chưa đạt \| chưa đánh giá được'
	expect_eq "it names the 19 indicators Sở KH&CN leads (not the one of 'Sở KH&CN và các Viện/trường')" \
		"$(named "$an" | wc -l | tr -d ' ')" 19
	expect_no_grep "it gives no indicator a progress, a deadline or 'quá hạn'" "$an" \
		'tiến độ 0%|quá hạn|Thời hạn: chưa xác định'
else
	fail "An gets a message on 12/12" "$(msgs | tail -n +$((before + 1)))"
fi

# A reply to the request has no task to take a note: it is told how to assess.
mid=$(json '[m["id"] for m in j if m["person_id"] == 1 and m["created_at"].startswith("2025-12-12")][0]' 2>/dev/null)
sum=$(db_sum)
run at 2025-12-12T10:00 "$D" chat --telegram $AN --reply-to "${mid:-0}" "đã đạt rồi"
expect_eq "a reply to the update request is refused" "$rc" 1
expect_grep "and answered with the /danhgia to type" out 'Ví dụ: /danhgia 1 chưa đạt ghi chú'
expect_eq "the reply changed nothing" "$(db_sum)" "$sum"

# --- /danhgia: the assessment command ---------------------------------------------------
chat 2025-12-15T09:00 $AN "/danhgia 2 đạt đã bồi dưỡng 100% cán bộ"
expect_eq "/danhgia 2 đạt is recorded" "$rc" 0
expect_grep "the answer gives the new assessment and light" out 'Đánh giá: Đạt \(XANH\)'
expect_grep "the answer gives the one before" out 'Đánh giá trước: Chưa đạt\.'
run at 2025-12-15T09:01 "$D" task show 2 --json
expect_eq "indicator 2 is done (đạt), green, with the note" \
	"$(json '[j["status"], j["light"], [e["kind"] for e in j["events"]][-1]]')" '["done", "green", "assessment"]'
chat 2025-12-15T09:02 $AN "/danh gia 3 chua dat"
expect_eq "'/danh gia 3 chua dat' (two words, no diacritics) is recorded" "$rc" 0
chat 2025-12-15T09:03 $AN "/danhgia 16 Chưa đánh giá được"
expect_eq "/danhgia 16 chưa đánh giá được is recorded" "$rc" 0
chat 2025-12-15T09:04 $DUNG "/danhgia 5 dat"
expect_eq "the secretariat assesses any indicator" "$rc" 0
run at 2025-12-15T09:05 "$D" task list --json
cp out list2.json
expect_eq "lights after the assessments: 2 and 5 XANH, 3 ĐỎ, 16 VÀNG" \
	"$(q list2.json '[t(i)["light"] for i in (2, 5, 3, 16)]')" '["green", "green", "red", "yellow"]'

sum=$(db_sum)
chat 2025-12-15T09:10 $AN "/danhgia 4 tốt"
expect_eq "a word that is not an assessment is refused" "$rc" 1
expect_grep "the answer names the word and the three" out '“tốt” không phải là đánh giá chỉ tiêu.*|đạt, chưa đạt hoặc chưa đánh giá được'
expect_grep "with an example for that indicator" out 'Ví dụ: /danhgia 4 chưa đạt'
chat 2025-12-15T09:11 $AN "/danhgia 4 chua"
expect_eq "'chua' alone is refused" "$rc" 1
chat 2025-12-15T09:12 $DUNG "/danhgia 21 dat"
expect_eq "a task takes no assessment" "$rc" 1
expect_grep "the answer says it is a task, not an indicator" out 'là nhiệm vụ, không phải chỉ tiêu'
chat 2025-12-15T09:13 $AN "/xong 4"
expect_eq "/xong on an indicator is refused" "$rc" 1
expect_grep "/xong on an indicator points to /danhgia" out '/danhgia 4 đạt\|chưa đạt\|chưa đánh giá được'
chat 2025-12-15T09:14 $AN "/tiendo 4 50%"
expect_eq "/tiendo on an indicator is refused" "$rc" 1
expect_grep "/tiendo on an indicator says it has no progress" out 'là chỉ tiêu: không có tiến độ hay thời hạn'
expect_rc 64 "task assess with a bad word exits 64" at 2025-12-15T09:15 "$D" task assess 4 tot
expect_grep "and names the three" err 'dat \(đạt\), "chua dat" \(chưa đạt\) or "chua danh gia duoc"'
expect_rc 65 "task assess on a task exits 65" at 2025-12-15T09:15 "$D" task assess 21 dat
expect_grep "and says it is not an indicator" err 'task 21 is not an indicator'
expect_rc 65 "task set --progress on an indicator exits 65" at 2025-12-15T09:15 "$D" task set 4 --progress 50
expect_eq "refused commands changed nothing" "$(db_sum)" "$sum"
expect_rc 0 "task assess 6 'chua danh gia duoc' --note" at 2025-12-15T09:16 "$D" task assess 6 chua danh gia duoc --note "Chờ số liệu của Cục Thống kê"
expect_grep "task assess says what it recorded" out '^Chỉ tiêu 6: Chưa đánh giá được \(trước đó: Chưa đạt\); đèn VÀNG\.$'

# --- the reporting day itself: what was assessed since the first request is not asked again
before=$(msgs | wc -l)
run at 2025-12-19T08:00 "$D" serve --once
an=$(grep -l '^To: Nguyễn Văn An' $(msgs | tail -n +$((before + 1))) | head -1)
if [ -n "$an" ]; then
	expect_eq "on 19/12 An is asked again only for the indicators not assessed since 12/12" \
		"$(named "$an" | sed 's/.*indicator //' | sort -n | tr '\n' ' ')" \
		"1 4 7 8 9 10 11 12 13 14 15 17 18 20 "
else
	fail "An gets a message on 19/12" "$(msgs | tail -n +$((before + 1)))"
fi

# --- a re-import with a changed assessment -----------------------------------------------------
sed 's/^\(13\.\t.*\t\)Chưa đạt$/\1Đạt/' "$A1" >a1-changed.tsv
expect_rc 0 "re-import appendix 1 with indicator 13 now 'Đạt'" at 2025-12-22T08:00 "$D" import a1-changed.tsv
run at 2025-12-22T08:01 "$D" task show 13 --json
expect_eq "indicator 13 is green, and its last event is an assessment" \
	"$(json '[j["light"], [(e["kind"], e["old"], e["new"]) for e in j["events"]][-1]]')" \
	'["green", ["assessment", "not_achieved", "done"]]'

expect_rc 0 "verify replays the assessments: exit 0" at 2025-12-22T08:02 "$D" verify

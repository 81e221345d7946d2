# Recurring tasks end to end (issue 11, item 4): a task due "Ngày 20 hàng
# tháng" walked over three periods with DONDOC_NOW and "serve --once"
# (the default schedules: reminders 3 working days before and on the
# reporting day, nags from the next working day, escalation after 5).
#   September: reminded, nagged, then reported 3 working days late (/xong).
#   October:   never reported: nagged, escalated, and missed for good once
#              November is asked (its due day moved on by "dondoc").
#   November:  reported on time ("task set --status done").
# Each message names its period; the task stays open throughout; verify
# replays the history.
. "$(dirname "$0")/../lib.sh"

mkdir -p conf
conf_general tick=1 >conf/dondoc.conf
export DONDOC_CONFIG="$T/conf/dondoc.conf"
D=$DONDOC

at() { # at TIME CMD...: one command at TIME (Viet Nam), under TZ=UTC
	t=$1
	shift
	env TZ=UTC DONDOC_NOW="$t" "$@"
}
serve() { at "$1T08:05" "$D" serve --once; } # serve DAY: the day's pass at 08:05
outbox_count() { find "$T/outbox" -name '*.txt' 2>/dev/null | wc -l | tr -d ' '; }
# newest: the last message to the focal point of Sở Y tế.
newest() { ls -t $(grep -l "^To: Nguyễn Văn An" "$T"/outbox/*.txt) | head -1; }
# an_count: the messages to the focal point of Sở Y tế so far.
an_count() { grep -l "^To: Nguyễn Văn An" "$T"/outbox/*.txt 2>/dev/null | wc -l | tr -d ' '; }

# --- the parser -------------------------------------------------------------------------------
run "$D" deadline parse "Ngày 20 hàng tháng" --year 2025
expect_eq "deadline parse: 'Ngày 20 hàng tháng' is monthly, on the 20th" \
	"$(json '[j["due"], j["precision"], j["every"], j["day"]]')" '[null, "recurring", "month", 20]'
run "$D" deadline parse "NGÀY 20 HẰNG THÁNG" --year 2025
expect_eq "any case and either spelling of hằng/hàng" "$(json '[j["every"], j["day"]]')" '["month", 20]'
run "$D" deadline parse "Định kỳ hằng quý" --year 2025
expect_eq "'Định kỳ hằng quý' is quarterly, on the policy's day" "$(json '[j["every"], j["day"]]')" '["quarter", null]'
run "$D" deadline parse "Định kỳ 6 tháng" --year 2025
expect_eq "'Định kỳ 6 tháng' is half-yearly" "$(json 'j["every"]')" half
run "$D" deadline parse "Hằng năm" --year 2025
expect_eq "'Hằng năm' is yearly" "$(json 'j["every"]')" year
run "$D" deadline parse "Thường xuyên" --year 2025
expect_eq "'Thường xuyên' follows the policy" "$(json '[j["precision"], j["every"]]')" '["recurring", "policy"]'
run "$D" deadline parse "6 tháng đầu năm 2026" --year 2025
expect_eq "'6 tháng đầu năm 2026' is a half-year deadline, not recurring" \
	"$(json '[j["due"], j["precision"], "every" in j]')" '["2026-06-30", "half", false]'
expect_rc 2 "'Ngày 32 hàng tháng' is an error" "$D" deadline parse "Ngày 32 hàng tháng"
expect_grep "with its reason" err "'Ngày 32 hàng tháng': no month has more than 31 days"
expect_rc 2 "'Ngày 0 hàng tháng' is an error" "$D" deadline parse "Ngày 0 hàng tháng"

# --- the registry: set up before the days walked --------------------------------------------
run at 2025-09-01T08:00 "$D" init
printf "$HDR"'1.\tBáo cáo tình hình chuyển đổi số\t%s\tSở Y tế\tNgày 20 hàng tháng\n2.\tBáo cáo quý về an toàn thông tin\t%s\tSở Tài chính\tHằng quý\n' \
	"$DOC" "$DOC" >tasks.tsv
expect_rc 0 "import a monthly and a quarterly task" at 2025-09-01T08:00 "$D" import tasks.tsv
run at 2025-09-01T08:00 "$D" agency add --name "Văn phòng UBND tỉnh" --code vpubnd
expect_rc 0 "add the focal point" at 2025-09-01T08:00 "$D" person add --name "Nguyễn Văn An" --agency syt --role focal
expect_rc 0 "add the head" at 2025-09-01T08:00 "$D" person add --name "Trần Thị Bình" --agency syt --role head
expect_rc 0 "add the secretariat" at 2025-09-01T08:00 "$D" person add --name "Phạm Thị Dung" --agency vpubnd --role secretariat
an=$(sqlite3 "$DONDOC_DB" "SELECT id FROM person WHERE name='Nguyễn Văn An'")
run at 2025-09-01T08:00 "$D" person invite "$an"
code=$(sed -n 's/^Mã liên kết: \([A-Z0-9]*\) .*/\1/p' out)
expect_rc 0 "the focal point links a chat" at 2025-09-01T08:00 "$D" chat --telegram 2001 "/start $code"
dung=$(sqlite3 "$DONDOC_DB" "SELECT id FROM person WHERE name='Phạm Thị Dung'")
run at 2025-09-01T08:00 "$D" person invite "$dung"
code=$(sed -n 's/^Mã liên kết: \([A-Z0-9]*\) .*/\1/p' out)
expect_rc 0 "the secretariat links a chat" at 2025-09-01T08:00 "$D" chat --telegram 2003 "/start $code"
expect_rc 0 "add Sở Tài chính's focal point" at 2025-09-01T08:00 "$D" person add --name "Lê Văn Cường" --agency "Sở Tài chính" --role focal
cuong=$(sqlite3 "$DONDOC_DB" "SELECT id FROM person WHERE name='Lê Văn Cường'")
run at 2025-09-01T08:00 "$D" person invite "$cuong"
code=$(sed -n 's/^Mã liên kết: \([A-Z0-9]*\) .*/\1/p' out)
expect_rc 0 "who links a chat" at 2025-09-01T08:00 "$D" chat --telegram 2004 "/start $code"
printf "$HDR"'1.\tBáo cáo ngày không có\t%s\tSở Y tế\tNgày 32 hàng tháng\n' "$DOC" >bad.tsv
expect_rc 1 "a row due 'Ngày 32 hàng tháng' is refused at import" at 2025-09-01T08:00 "$D" import bad.tsv
expect_grep "naming the row and why" err "^bad\.tsv:2: error: row '1': deadline 'Ngày 32 hàng tháng': no month has more than 31 days"
expect_eq "and is not added" "$(sqlite3 "$DONDOC_DB" "SELECT count(*) FROM task WHERE title LIKE '%không có'")" 0
t1=$(sqlite3 "$DONDOC_DB" "SELECT id FROM task WHERE title LIKE 'Báo cáo tình hình%'")
t2=$(sqlite3 "$DONDOC_DB" "SELECT id FROM task WHERE title LIKE 'Báo cáo quý%'")
run at 2025-09-01T08:00 "$D" task list --json
expect_eq "imported as recurring, with no due day yet" \
	"$(json '[(t["deadline_raw"], t["due"], t["precision"]) for t in j]')" \
	'[["Ngày 20 hàng tháng", null, "recurring"], ["Hằng quý", null, "recurring"]]'
run at 2025-09-01T08:00 "$D" task show "$t1" --json
expect_eq "the import kept the monthly period: September is the first" \
	"$(json '[(p["name"], p["due"], p["state"]) for p in j["periods"]]')" '[["tháng 9/2025", "2025-09-20", "open"]]'
run at 2025-09-01T08:00 "$D" task show "$t2" --json
expect_eq "and the quarterly one: quarter III, on the policy's day" \
	"$(json '[(p["name"], p["due"], p["state"]) for p in j["periods"]]')" '[["quý III/2025", "2025-09-20", "open"]]'

# --- September: the first period, reported late ---------------------------------------------
expect_rc 0 "serve --once on 01/09" serve 2025-09-01
run at 2025-09-01T09:00 "$D" task show "$t1" --json
expect_eq "the first planning gives the task September's reporting day" "$(json 'j["due"]')" 2025-09-20
expect_eq "moved by dondoc, audited" \
	"$(json '[(e["actor"], e["kind"], e["text"]) for e in j["events"] if e["kind"] == "deadline"]')" \
	'[["dondoc", "deadline", "Kỳ báo cáo: tháng 9/2025 (hạn 20/9/2025)"]]'
run at 2025-09-01T09:00 "$D" task show "$t2" --json
expect_eq "the quarterly task is due on the policy's day of September" "$(json 'j["due"]')" 2025-09-20
expect_eq "nothing is sent before the period is asked" "$(outbox_count)" 0
# 20/09/2025 is a Saturday: the period is due Friday 19/09 and asked 3 working days before.
expect_rc 0 "serve --once on 16/09" serve 2025-09-16
expect_eq "on 16/09 a reminder goes out to each agency's focal point" "$(outbox_count)" 2
f=$(newest)
expect_grep "the reminder names September's period of the monthly task" "$f" "Ngày 20 hàng tháng – kỳ tháng 9/2025 \(ngày 20/09/2025\)"
g=$(grep -l "^To: Lê Văn Cường" "$T"/outbox/*.txt)
expect_grep "and the quarter of the quarterly one" "$g" "Hằng quý – kỳ quý III/2025 \(ngày 20/09/2025\)"
run serve 2025-09-16
expect_eq "a second pass the same day sends nothing more" "$(outbox_count)" 2
expect_rc 0 "remind --dry-run --json the same day" at 2025-09-16T09:00 "$D" remind --dry-run --json
expect_eq "plans no second notice (invariant 1)" "$(json 'len(j)')" 0
run serve 2025-09-22
f=$(newest)
expect_grep "on Monday 22/09 the period is nagged as overdue" "$f" "kỳ tháng 9/2025.*đã quá hạn 1 ngày làm việc"
# Sở Tài chính's focal point is nagged about the quarter, and reports by the button.
run at 2025-09-23T09:00 "$D" outbox list --json
mid=$(json '[m["id"] for m in j if m["person_id"] == '"$cuong"'][-1]')
expect_grep "the focal point was nagged about quarter III on 22/09" "$T/outbox/$(printf %06d "$mid")-$cuong.txt" \
	"Hằng quý – kỳ quý III/2025.*đã quá hạn 1 ngày làm việc"
expect_rc 0 "the focal point presses Xong under that nag on 23/09" \
	at 2025-09-23T10:00 "$D" chat --telegram 2004 --button "t:$t2:done" --on "$mid"
expect_grep "the button reports quarter III, 2 working days late" out \
	"Đã ghi nhận báo cáo kỳ quý III/2025 \(trễ 2 ngày làm việc\), ngày 23/9/2025"
expect_grep "and names quarter IV next" out "kỳ tiếp theo là quý IV/2025, hạn báo cáo ngày 20/12/2025"
expect_rc 0 "the same button pressed again on 24/09" \
	at 2025-09-24T09:00 "$D" chat --telegram 2004 --button "t:$t2:done" --on "$mid"
expect_grep "says quarter III's report of 23/09 again" out \
	"Đã ghi nhận báo cáo kỳ quý III/2025 \(trễ 2 ngày làm việc\), ngày 23/9/2025"
run at 2025-09-24T09:00 "$D" task show "$t2" --json
expect_eq "and reports no quarter ahead" \
	"$(json '[(p["name"], p["state"]) for p in j["periods"]]')" '[["quý III/2025", "late"], ["quý IV/2025", "open"]]'
expect_eq "the quarterly task is due for quarter IV, open" "$(json '[j["due"], j["status"]]')" '["2025-12-20", "in_progress"]'

expect_rc 0 "/xong on 24/09 through chat" at 2025-09-24T10:00 "$D" chat --telegram 2001 /xong "$t1" Đã gửi báo cáo tháng 9
expect_grep "the answer names the period and how late" out "Đã ghi nhận báo cáo kỳ tháng 9/2025 \(trễ 3 ngày làm việc\), ngày 24/9/2025"
expect_grep "and the next period" out "kỳ tiếp theo là tháng 10/2025, hạn báo cáo ngày 20/10/2025"
expect_no_grep "the task is not closed" out "dừng nhắc"
run at 2025-09-24T10:00 "$D" task show "$t1" --json
expect_eq "the task stays open, due for October" "$(json '[j["status"], j["due"]]')" '["in_progress", "2025-10-20"]'
expect_eq "the report and its note are in the history, by the person on Telegram" \
	"$(json '[(e["kind"], e["actor"], e["channel"], e["new"]) for e in j["events"] if e["kind"] in ("period_report", "note")]')" \
	'[["period_report", "Nguyễn Văn An", "telegram", "2025-09-20"], ["note", "Nguyễn Văn An", "telegram", null]]'
expect_eq "September is reported, late" \
	"$(json '[(p["name"], p["state"], p["late_days"]) for p in j["periods"]]')" \
	'[["tháng 9/2025", "late", 3], ["tháng 10/2025", "open", 0]]'
n=$(an_count)
run serve 2025-09-25
run serve 2025-10-01
expect_eq "no nag about September after its report" "$(an_count)" "$n"

# --- October: never reported ------------------------------------------------------------------
run serve 2025-10-15
f=$(newest)
expect_grep "15/10: October's period is asked" "$f" "kỳ tháng 10/2025 \(ngày 20/10/2025\) – còn 3 ngày làm việc"
run serve 2025-10-21
f=$(newest)
expect_grep "21/10: nagged" "$f" "kỳ tháng 10/2025.*đã quá hạn 1 ngày làm việc"
run serve 2025-10-27
h=$(grep -l "^To: Trần Thị Bình" "$T"/outbox/*.txt | head -1)
expect_grep "27/10: the head is told (escalation level 1, 5 working days overdue)" "${h:-/dev/null}" "^Kind: escalation"
expect_grep "on that day" "${h:-/dev/null}" "Tính đến ngày 27/10/2025"
expect_grep "the escalation names October's period" "$h" "kỳ tháng 10/2025"
run serve 2025-11-14
run at 2025-11-14T09:00 "$D" task show "$t1" --json
expect_eq "on 14/11 October is still the period due, overdue" \
	"$(json '[j["due"], j["overdue"], [p["state"] for p in j["periods"]]]')" '["2025-10-20", true, ["late", "overdue"]]'
# 20/11 is a Thursday: November is asked from Monday 17/11.
run serve 2025-11-17
run at 2025-11-17T09:00 "$D" task show "$t1" --json
expect_eq "on 17/11 November is asked: October is missed for good" \
	"$(json '[j["due"], j["overdue"], [(p["name"], p["state"]) for p in j["periods"]]]')" \
	'["2025-11-20", false, [["tháng 9/2025", "late"], ["tháng 10/2025", "missed"], ["tháng 11/2025", "open"]]]'
expect_eq "the move past October is an event by dondoc" \
	"$(json '[e["text"] for e in j["events"] if e["kind"] == "deadline"][-1]')" \
	"Kỳ tháng 10/2025 không báo cáo; kỳ tiếp theo: tháng 11/2025 (hạn 20/11/2025)"
f=$(newest)
expect_grep "17/11: November's reminder" "$f" "kỳ tháng 11/2025 \(ngày 20/11/2025\) – còn 3 ngày làm việc"
expect_no_grep "it no longer speaks of October" "$f" "kỳ tháng 10/2025"

# --- November: reported on time from the CLI -------------------------------------------------
expect_rc 0 "task set --status done on 19/11" at 2025-11-19T10:00 "$D" task set "$t1" --status done
expect_grep "task set says the period was recorded and the task stays open" out \
	"^Nhiệm vụ $t1 \\(định kỳ\\): đã ghi nhận báo cáo kỳ tháng 11/2025, đúng hạn; nhiệm vụ vẫn tiếp tục, kỳ tiếp theo tháng 12/2025, hạn 20/12/2025\\.$"
run at 2025-11-19T10:00 "$D" task show "$t1"
expect_grep "task show lists September late" out "kỳ tháng 9/2025 \(hạn 20/9/2025\): trễ hạn, báo cáo ngày 24/9/2025, trễ 3 ngày làm việc"
expect_grep "October not reported" out "kỳ tháng 10/2025 \(hạn 20/10/2025\): không báo cáo"
expect_grep "November on time" out "kỳ tháng 11/2025 \(hạn 20/11/2025\): đúng hạn, báo cáo ngày 19/11/2025"
expect_grep "December asked next" out "kỳ tháng 12/2025 \(hạn 20/12/2025\): đang chờ báo cáo"
expect_grep "still in progress" out "^Trạng thái:  Đang thực hiện"
n=$(an_count)
run serve 2025-11-21
run serve 2025-11-24
expect_eq "nothing is sent about the monthly task after November's report" "$(an_count)" "$n"

# --- an early report goes to the next period ------------------------------------------------
run at 2025-11-24T10:00 "$D" outbox list --json
mid=$(json '[m["id"] for m in j if m["person_id"] == '"$an"'][-1]')
expect_rc 0 "the Xong button under November's reminder, November reported already" \
	at 2025-11-24T10:00 "$D" chat --telegram 2001 --button "t:$t1:done" --on "$mid"
expect_grep "says November's report of 19/11" out "Đã ghi nhận báo cáo kỳ tháng 11/2025 \(đúng hạn\), ngày 19/11/2025"
run at 2025-11-24T10:00 "$D" task show "$t1" --json
expect_eq "and records nothing ahead" \
	"$(json '[j["due"], [p["state"] for p in j["periods"]]]')" '["2025-12-20", ["late", "missed", "on_time", "open"]]'
expect_rc 0 "/xong on 24/11 (December not asked yet)" at 2025-11-24T10:05 "$D" chat --telegram 2001 /xong "$t1"
expect_grep "it is December's report, ahead" out "báo cáo kỳ tháng 12/2025 \(đúng hạn\), ngày 24/11/2025"
expect_no_grep "the note of an earlier report is not repeated" out "Ghi chú"
run at 2025-11-24T10:05 "$D" task show "$t1" --json
expect_eq "due now in January" "$(json '[j["due"], j["status"]]')" '["2026-01-20", "in_progress"]'

# --- /giahan on a recurring task: refused, its periods kept -------------------------------------
run at 2025-11-24T10:10 "$D" task show "$t1" --json
before=$(cat out)
expect_rc 1 "/giahan on the monthly task is refused" at 2025-11-24T10:10 "$D" chat --telegram 2001 /giahan "$t1" 31/12/2025 chờ số liệu
expect_grep "it reports by period" out "là nhiệm vụ thường xuyên \\(Ngày 20 hàng tháng\\): báo cáo theo từng kỳ, không điều chỉnh thời hạn"
expect_grep "naming the period awaited and how to report it" out "Kỳ đang chờ báo cáo: tháng 1/2026, hạn ngày 20/01/2026"
run at 2025-11-24T10:10 "$D" extension list --json
expect_eq "no request is recorded" "$(json 'len(j)')" 0
run at 2025-11-24T10:10 "$D" task show "$t1" --json
expect_eq "and the task is unchanged" "$(cat out)" "$before"

# --- the history is whole ---------------------------------------------------------------------
expect_rc 0 "dondoc verify" at 2025-11-24T11:00 "$D" verify
sqlite3 "$DONDOC_DB" "DELETE FROM period_report WHERE period='2025-09-20'"
expect_rc 1 "a report removed behind dondoc's back is found by verify" at 2025-11-24T11:00 "$D" verify
expect_grep "verify names the periods" err "periods"

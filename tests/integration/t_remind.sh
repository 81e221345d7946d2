# The reminder engine from the outside: the ladder of a task (explain),
# what is queued when (remind), what goes out when (serve --once), with
# time travel through DONDOC_NOW.  The default schedules of schedules/
# (policy.ini and the Vietnamese holidays) are the ones under test.
. "$(dirname "$0")/../lib.sh"

mkdir -p conf
conf_general tick=1 >conf/dondoc.conf
export DONDOC_CONFIG="$T/conf/dondoc.conf"
D=$DONDOC

# Every change is made at a time: the history runs forward (an event dated
# before the last one is refused), so the registry is set up before the
# days the checks travel to.
at() { # DONDOC_NOW for one command: at TIME CMD...
	t=$1
	shift
	env DONDOC_NOW="$t" "$@"
}
outbox_count() { find "$T/outbox" -name '*.txt' 2>/dev/null | wc -l | tr -d ' '; }
notices() { sqlite3 "$DONDOC_DB" "SELECT count(*) FROM notice $1"; }

run at 2025-09-01T08:00 "$D" init
printf "$HDR"'1.\tViệc hạn ngày 30/9\t%s\tSở Y tế\t30/9/2025\n2.\tViệc hạn 27/2/2026\t%s\tSở Y tế\t27/02/2026\n' \
	"$DOC" "$DOC" >tasks.tsv
expect_rc 0 "import the tasks" at 2025-09-01T08:00 "$D" import tasks.tsv
run at 2025-09-01T08:00 "$D" agency add --name "Văn phòng UBND tỉnh" --code vpubnd
run at 2025-09-01T08:00 "$D" agency add --name "Sở Khoa học và Công nghệ" --code skhcn
expect_rc 0 "add the focal point" at 2025-09-01T08:00 "$D" person add --name "Nguyễn Văn An" --agency syt --role focal
expect_rc 0 "add the head" at 2025-09-01T08:00 "$D" person add --name "Trần Thị Bình" --agency syt --role head
expect_rc 0 "add a leader" at 2025-09-01T08:00 "$D" person add --name "Lê Văn Cường" --agency vpubnd --role leader
expect_rc 0 "add the secretariat" at 2025-09-01T08:00 "$D" person add --name "Phạm Thị Dung" --agency skhcn --role secretariat

# --- the ladder of a day-precision task due 30/09/2025 ---------------------------------
expect_rc 0 "explain 1 --json" at 2025-09-01T09:00 "$D" explain 1 --json
expect_eq "reminders to the focal point on 19/09, 25/09, 29/09 and 30/09" \
	"$(json '[(r["workdays"], r["date"]) for r in j if r["stage"] == "before" and r["person"] == "Nguyễn Văn An"]')" \
	'[[7, "2025-09-19"], [3, "2025-09-25"], [1, "2025-09-29"], [0, "2025-09-30"]]'
expect_eq "the first nag on 01/10, then every 3 working days up to the last escalation" \
	"$(json '[(r["workdays"], r["date"]) for r in j if r["stage"] == "overdue"]')" \
	'[[1, "2025-10-01"], [4, "2025-10-06"], [7, "2025-10-09"], [10, "2025-10-14"], [13, "2025-10-17"]]'
expect_eq "escalation level 1 to the head on 07/10" \
	"$(json '[(r["person"], r["date"]) for r in j if r["stage"] == "escalation" and r["level"] == 1]')" \
	'[["Trần Thị Bình", "2025-10-07"]]'
expect_eq "escalation level 2 to the leader and the secretariat on 21/10" \
	"$(json 'sorted((r["person"], r["date"]) for r in j if r["stage"] == "escalation" and r["level"] == 2)')" \
	'[["Lê Văn Cường", "2025-10-21"], ["Phạm Thị Dung", "2025-10-21"]]'
expect_eq "no step of the ladder falls on a weekend" \
	"$(json '[r["date"] for r in j if __import__("datetime").date.fromisoformat(r["date"]).weekday() >= 5]')" '[]'
expect_eq "every step is planned before it happens, through the file channel" \
	"$(json 'sorted(set((r["state"], r["channel"]) for r in j))')" '[["planned", "file"]]'

# --- Tết: 27/02/2026 minus 7 working days is 11/02/2026 ----------------------------------
run at 2026-01-05T09:00 "$D" explain 2 --json
expect_eq "a task due 27/02/2026 gets its 7-working-day reminder on 11/02/2026 (Tết is off)" \
	"$(json '[r["date"] for r in j if r["stage"] == "before" and r["workdays"] == 7]')" '["2026-02-11"]'
run at 2026-01-05T09:00 "$D" explain 2
expect_grep "explain prints a table with the task's deadline" out "Thời hạn: 27/02/2026"

# --- idempotent planning ------------------------------------------------------------------
expect_rc 0 "remind at 25/09 queues" at 2025-09-25T09:00 "$D" remind
expect_grep "remind says what it queued" out "^1 lời nhắc đã vào hàng gửi \(đã xét 2 nhiệm vụ\)$"
n1=$(notices "")
run at 2025-09-25T09:00 "$D" remind
run at 2025-09-25T10:00 "$D" remind
expect_eq "planning twice more creates no new notice" "$(notices "")" "$n1"
expect_grep "a second remind queues nothing" out "^0 lời nhắc đã vào hàng gửi"
expect_rc 0 "remind --dry-run --json lists nothing more" at 2025-09-25T11:00 "$D" remind --dry-run --json
expect_eq "nothing would be queued" "$(json 'len(j)')" 0

# --- quiet hours: a Saturday waits for Monday 08:00 ---------------------------------------
expect_rc 0 "serve --once on Saturday 27/09 at 09:00" at 2025-09-27T09:00 "$D" serve --once
expect_eq "nothing goes out on a Saturday" "$(outbox_count)" 0
expect_rc 0 "serve --once on Monday 29/09 at 07:00" at 2025-09-29T07:00 "$D" serve --once
expect_eq "nothing goes out before 08:00" "$(outbox_count)" 0
expect_rc 0 "serve --once on Monday 29/09 at 08:00" at 2025-09-29T08:00 "$D" serve --once
expect_eq "at 08:00 on Monday the reminder goes out" "$(outbox_count)" 1
f=$(find "$T/outbox" -name '*.txt' | head -1)
expect_grep "the message greets the official by name" "$f" "^Kính gửi đồng chí Nguyễn Văn An \(Sở Y tế\),"
expect_grep "the message names the task and its deadline as a day" "$f" "Việc hạn ngày 30/9.*|Thời hạn: ngày 30/9/2025"
expect_grep "one message holds the latest reminder only (1 working day left)" "$f" "còn 1 ngày làm việc"
expect_eq "the older reminder of 25/09 was superseded, not sent" \
	"$(notices "WHERE task_id=1 AND stage='before' AND step=3")|$(sqlite3 "$DONDOC_DB" "SELECT state FROM notice WHERE task_id=1 AND stage='before' AND step=3")" "1|cancelled"
expect_eq "the notice of 29/09 is sent" "$(sqlite3 "$DONDOC_DB" "SELECT state FROM notice WHERE task_id=1 AND stage='before' AND step=1")" sent
run at 2025-09-29T09:00 "$D" outbox list --json
expect_eq "the outbox shows one sent reminder" "$(json '[(m["state"], m["kind"], m["attempts"]) for m in j]')" '[["sent", "reminder", 1]]'
expect_rc 0 "serve --once again at 17:00" at 2025-09-29T17:00 "$D" serve --once
expect_eq "the same day brings no second message" "$(outbox_count)" 1
expect_rc 0 "serve --once on Tuesday 30/09 at 18:00" at 2025-09-30T18:00 "$D" serve --once
expect_eq "after 17:30 nothing goes out" "$(outbox_count)" 1
expect_rc 0 "serve --once on Wednesday 01/10 at 08:05" at 2025-10-01T08:05 "$D" serve --once
expect_eq "the next morning: one message (yesterday's due-today is superseded by today's nag)" "$(outbox_count)" 2
g=$(ls -t "$T"/outbox/*.txt | head -1)
expect_grep "the nag says how late the task is" "$g" "đã quá hạn 1 ngày làm việc"

# --- escalation -----------------------------------------------------------------------------
expect_rc 0 "serve --once on 07/10 at 09:00" at 2025-10-07T09:00 "$D" serve --once
expect_eq "the head gets an escalation on 07/10" \
	"$(sqlite3 "$DONDOC_DB" "SELECT p.name||'|'||m.kind FROM message m JOIN person p ON p.id=m.person_id WHERE m.kind='escalation'")" \
	"Trần Thị Bình|escalation"
h=$(grep -l "^Kind: escalation" "$T"/outbox/*.txt | head -1)
expect_grep "the escalation asks the head to act" "$h" "Đề nghị đồng chí chỉ đạo"
run at 2025-10-07T09:00 "$D" explain 1 --json
expect_eq "explain shows what was sent and what was superseded" \
	"$(json '[(r["stage"], r.get("workdays", r.get("level")), r["state"]) for r in j if r["person"] in ("Nguyễn Văn An", "Trần Thị Bình") and r["date"] <= "2025-10-07"]')" \
	'[["before", 7, "cancelled"], ["before", 3, "cancelled"], ["before", 1, "sent"], ["before", 0, "cancelled"], ["overdue", 1, "sent"], ["overdue", 4, "sent"], ["escalation", 1, "sent"]]'

# --- done cancels what is pending ----------------------------------------------------------
printf "$HDR"'1.\tViệc sẽ xong\t%s\tSở Y tế\t15/10/2025\n' "$DOC" >t3.tsv
run at 2025-10-11T10:00 "$D" import t3.tsv
id3=$(sqlite3 "$DONDOC_DB" "SELECT id FROM task WHERE title='Việc sẽ xong'")
expect_rc 0 "remind on Saturday 11/10 queues the reminder of Friday 10/10" at 2025-10-11T10:00 "$D" remind
expect_eq "a notice waits, queued, for Monday" "$(sqlite3 "$DONDOC_DB" "SELECT state FROM notice WHERE task_id=$id3")" queued
expect_rc 0 "the task is set done" at 2025-10-11T10:00 "$D" task set "$id3" --status done
expect_grep "task set says the reminders were cancelled" out "^Nhiệm vụ [0-9]*: đã huỷ 1 lời nhắc đang chờ gửi\.$"
expect_eq "its pending notice is cancelled" "$(sqlite3 "$DONDOC_DB" "SELECT state FROM notice WHERE task_id=$id3")" cancelled
before=$(outbox_count)
run at 2025-10-13T08:30 "$D" serve --once
expect_eq "on Monday nothing is sent about the done task" \
	"$(grep -l "Việc sẽ xong" "$T"/outbox/*.txt 2>/dev/null | wc -l | tr -d ' ')" 0
run at 2025-10-13T08:30 "$D" remind
expect_eq "a done task gets no new notice" "$(notices "WHERE task_id=$id3")" 1

# --- one grouped message for 12 due tasks --------------------------------------------------
run at 2025-10-13T08:30 "$D" agency add --name "Sở Tài chính" --code stc
run at 2025-10-13T08:30 "$D" person add --name "Đỗ Văn Giang" --agency stc --role focal
: >twelve.tsv
printf "$HDR" >twelve.tsv
for i in 1 2 3 4 5 6 7 8 9 10 11 12; do
	printf '%d.\tViệc tài chính số %d\t%s\tSở Tài chính\t24/10/2025\n' "$i" "$i" "$DOC" >>twelve.tsv
done
run at 2025-10-13T08:30 "$D" import twelve.tsv
expect_rc 0 "serve --once on 24/10 at 10:00" at 2025-10-24T10:00 "$D" serve --once
giang=$(sqlite3 "$DONDOC_DB" "SELECT id FROM person WHERE name='Đỗ Văn Giang'")
expect_eq "a person with 12 due tasks gets one message" \
	"$(sqlite3 "$DONDOC_DB" "SELECT count(*) FROM message WHERE person_id=$giang")" 1
m=$(ls "$T"/outbox/*-"$giang".txt)
expect_eq "that message lists all 12 tasks" "$(grep -cE '^\[[0-9]+\] ' "$m")" 12
expect_grep "its subject counts them, all due today" "$m" "^Subject: \[Đôn đốc\] 12 nhiệm vụ đến hạn hôm nay"

# --- a 3-day outage: one catch-up message per person -----------------------------------------
run at 2025-10-24T10:00 "$D" agency add --name "Sở Nội vụ" --code snv
run at 2025-10-24T10:00 "$D" person add --name "Vũ Thị Hà" --agency snv --role focal
run at 2025-10-24T10:00 "$D" person add --name "Hoàng Văn Ích" --agency snv --role focal
printf "$HDR"'1.\tViệc nội vụ một\t%s\tSở Nội vụ\t04/11/2025\n2.\tViệc nội vụ hai\t%s\tSở Nội vụ\t05/11/2025\n3.\tViệc nội vụ ba\t%s\tSở Nội vụ\t06/11/2025\n' \
	"$DOC" "$DOC" "$DOC" >outage.tsv
run at 2025-10-24T10:00 "$D" import outage.tsv
# Reminders fall due on Mon 03/11 (1 day before), Tue 04/11 and Wed 05/11; dondoc is down
# until Thursday 06/11.
expect_rc 0 "serve --once after three days down (Thu 06/11 09:00)" at 2025-11-06T09:00 "$D" serve --once
for who in "Vũ Thị Hà" "Hoàng Văn Ích"; do
	expect_eq "$who gets exactly one message after the outage" \
		"$(sqlite3 "$DONDOC_DB" "SELECT count(*)||'|'||group_concat(kind) FROM message m JOIN person p ON p.id=m.person_id WHERE p.name='$who'")" "1|catchup"
done
ha=$(sqlite3 "$DONDOC_DB" "SELECT id FROM person WHERE name='Vũ Thị Hà'")
c=$(ls "$T"/outbox/*-"$ha".txt)
expect_eq "the catch-up lists each of the three tasks once" "$(grep -cE '^\[[0-9]+\] ' "$c")" 3
expect_grep "the catch-up says it makes up for the days missed" "$c" "^Hệ thống tổng hợp các nhiệm vụ cần đôn đốc tính đến ngày [0-9]{2}/[0-9]{2}/[0-9]{4}:$"

# --- the needs-a-date list -------------------------------------------------------------------
printf "$HDR"'1.\tViệc theo tiến độ Trung ương\t%s\tSở Nội vụ\tTheo tiến độ TW\n' "$DOC" >undated.tsv
run at 2025-11-06T09:00 "$D" import undated.tsv
expect_rc 0 "serve --once on Monday 10/11 at 08:00" at 2025-11-10T08:00 "$D" serve --once
expect_eq "the secretariat gets the weekly list of tasks that need a date" \
	"$(sqlite3 "$DONDOC_DB" "SELECT p.name FROM message m JOIN person p ON p.id=m.person_id WHERE m.kind='needs_date'")" "Phạm Thị Dung"
run at 2025-11-11T08:00 "$D" serve --once
expect_eq "the list is weekly, not daily" "$(sqlite3 "$DONDOC_DB" "SELECT count(*) FROM message WHERE kind='needs_date'")" 1

# --- outbox retry ----------------------------------------------------------------------------
sqlite3 "$DONDOC_DB" "UPDATE message SET state='dead', last_error='test' WHERE id=1"
expect_rc 0 "outbox list --state dead" "$D" outbox list --state dead
expect_grep "the dead message is listed" out "^1 +không gửi được"
expect_rc 0 "outbox retry 1" "$D" outbox retry 1
expect_grep "outbox retry says so, in Vietnamese" out "^Tin nhắn 1 sẽ được gửi lại\.$"
expect_eq "a retried message is pending again" "$(sqlite3 "$DONDOC_DB" "SELECT state FROM message WHERE id=1")" pending
expect_rc 65 "outbox retry of a message that is not dead" "$D" outbox retry 1
expect_rc 64 "outbox list with an unknown state" "$D" outbox list --state lost
expect_rc 0 "the history, replayed, is the registry" "$D" verify
exit 0

#!/bin/sh
# The command line: help and unknown options of every command, global
# options, task set (each change an event), task list filters, agencies,
# aliases, people, verify against edits made behind dondoc's back, and a
# malformed DONDOC_NOW.
. "$(dirname "$0")/../lib.sh"

count() { sqlite3 "$DONDOC_DB" "SELECT count(*) FROM $1"; }
lines() { wc -l <"$1" | tr -d ' '; }
ids() { json 'sorted(x["id"] for x in j)'; }

# --- global --------------------------------------------------------------
expect_rc 0 "--version exits 0" "$DONDOC" --version
expect_grep "--version prints 'dondoc' and a version number" out '^dondoc [0-9]+\.[0-9]+\.[0-9]+$'
expect_rc 0 "--help exits 0" "$DONDOC" --help
expect_grep "--help prints usage:" out '^usage: dondoc'
cp out help.txt
expect_rc 0 "-h exits 0" "$DONDOC" -h
expect_eq "-h prints the same as --help" "$(cat out)" "$(cat help.txt)"
expect_rc 64 "no command exits 64" "$DONDOC"
expect_eq "no command: one line on stderr" "$(lines err)" 1
expect_rc 64 "unknown command exits 64" "$DONDOC" frobnicate
expect_grep "unknown command is named" err "frobnicate"
expect_eq "unknown command: one line on stderr" "$(lines err)" 1
expect_rc 64 "unknown second word exits 64" "$DONDOC" task frobnicate
expect_grep "unknown second word is named" err "frobnicate"
expect_rc 64 "a command group alone ('task') exits 64" "$DONDOC" task
expect_rc 64 "unknown global option exits 64" "$DONDOC" --frobnicate task list
expect_grep "unknown global option is named" err "\-\-frobnicate"
expect_rc 64 "--db without a path exits 64" "$DONDOC" --db
[ -e "$DONDOC_DB" ] && fail "no command so far created a database" || pass "no command so far created a database"

# --- every command of --help: -h and --help, with no database ---------------
# The command names are read from --help, so a new command is tested too.
sed -n '/^commands:/,/^$/p' help.txt | awk -F'  +' 'NF > 2 { print $2 }' >commands.txt
expect_eq "--help lists the 44 commands" "$(tr '\n' ',' <commands.txt)" \
	"init,import,deadline parse,task list,task show,task set,task assess,agency list,agency add,agency alias,person add,person list,person invite,obstacle list,obstacle handle,chat,extension list,extension approve,extension reject,serve,remind,explain,report,digest,outbox list,outbox retry,lease list,send-test,doctor,migrate,verify,person set,person deactivate,person activate,person remove,agency set,agency merge,agency remove,feed create,feed list,feed revoke,zalo set-token,zalo refresh,zalo status,"
while IFS= read -r c; do
	# shellcheck disable=SC2086
	expect_rc 0 "$c -h exits 0 without a database" "$DONDOC" $c -h
	expect_grep "$c -h prints usage: dondoc ... $c" out "^usage: dondoc .*$c"
	expect_eq "$c -h: nothing on stderr" "$(cat err)" ""
	# shellcheck disable=SC2086
	expect_rc 0 "$c --help exits 0" "$DONDOC" $c --help
	expect_grep "$c --help prints usage:" out "^usage: "
done <commands.txt
[ -e "$DONDOC_DB" ] && fail "help created no database" || pass "help created no database"

# --- no database yet ------------------------------------------------------------
for c in "task list" "task show 1" "task set 1 --progress 5" "agency list" "agency add --name X" \
	"agency alias x y" "person add --name A --agency x --role focal" "person list" "verify" "import x.tsv" \
	"obstacle list"; do
	# shellcheck disable=SC2086
	expect_rc 66 "'$c' without a registry exits 66" "$DONDOC" $c
	expect_grep "'$c' without a registry says to run 'dondoc init'" err "dondoc init"
done
[ -e "$DONDOC_DB" ] && fail "no command but init creates the registry" "$DONDOC_DB exists" ||
	pass "no command but init creates the registry"
# A usage error is reported before the registry is even opened.
expect_rc 64 "init --frobnicate without a registry exits 64" "$DONDOC" init --frobnicate
[ -e "$DONDOC_DB" ] && fail "init --frobnicate without a registry creates none" "$DONDOC_DB exists" ||
	pass "init --frobnicate without a registry creates none"
rm -f "$DONDOC_DB" "$DONDOC_DB-wal" "$DONDOC_DB-shm"
expect_rc 64 "task list --frobnicate without a registry exits 64 (usage first)" "$DONDOC" task list --frobnicate
expect_grep "task list --frobnicate without a registry names the option" err "\-\-frobnicate"
echo "not a database" >junk.db
expect_rc 65 "a registry that is not SQLite: task list exits 65" "$DONDOC" --db junk.db task list
expect_grep "a registry that is not SQLite is named as such" err "not a dondoc database"
expect_rc 65 "a registry that is not SQLite: init refuses it (65)" "$DONDOC" --db junk.db init
expect_eq "init left the non-SQLite file alone" "$(cat junk.db)" "not a database"

expect_rc 0 "init exits 0" "$DONDOC" init
expect_grep "init names the registry" out "dondoc\.db"

# --- every command: unknown options -------------------------------------------------
while IFS= read -r c; do
	# shellcheck disable=SC2086
	expect_rc 64 "$c --frobnicate exits 64" "$DONDOC" $c --frobnicate
	if [ "$(lines err)" = 1 ] && grep -q -- "--frobnicate" err && [ ! -s out ]; then
		pass "$c --frobnicate: one line on stderr naming it"
	else
		fail "$c --frobnicate: one line on stderr naming it" "stderr: $(cat err); stdout: $(head -c 200 out)"
	fi
	# shellcheck disable=SC2086
	expect_rc 64 "$c -Z exits 64" "$DONDOC" $c -Z
	expect_grep "$c -Z: the option is named" err "'-Z'"
done <commands.txt
expect_rc 0 "--db PATH selects another registry" "$DONDOC" --db "$T/other.db" init
expect_rc 0 "--db=PATH works too" "$DONDOC" --db="$T/other.db" agency add --name "Sở Tư pháp"
expect_eq "--db=PATH wrote to that registry only" \
	"$(sqlite3 "$T/other.db" "SELECT count(*) FROM agency")|$(count agency)" "1|0"

# --- data ------------------------------------------------------------------------
# The plan is loaded the week before the changes below: the history runs
# forward (an event dated before the last one is refused).
export DONDOC_NOW=2025-10-01T08:00
printf 'STT\tNhiệm vụ\tVăn bản giao nhiệm vụ\tCơ quan chủ trì thực hiện\tThời hạn hoàn thành\n' >plan.tsv
printf '1.\tViệc của Sở Khoa học\tKế hoạch số 7-KH/UBND ngày 2/3/2025\tSở Khoa học và Công nghệ\tQuý III\n' >>plan.tsv
printf '2.\tViệc chung hai sở\tKế hoạch số 7-KH/UBND ngày 2/3/2025\tSở Khoa học và Công nghệ; Sở Y tế\tTháng 11\n' >>plan.tsv
printf '3.\tViệc của Sở Y tế\tKế hoạch số 7-KH/UBND ngày 2/3/2025\tSở Y tế\tNăm 2025\n' >>plan.tsv
printf '4.\tViệc của các sở\tKế hoạch số 7-KH/UBND ngày 2/3/2025\tCác sở, ban, ngành\tThường xuyên\n' >>plan.tsv
expect_rc 0 "the test plan imports" "$DONDOC" import plan.tsv
expect_rc 0 "init again on a full registry exits 0" "$DONDOC" init
expect_eq "init again keeps the tasks" "$(count task)" 4

# --- task set ----------------------------------------------------------------------
export DONDOC_NOW=2025-10-07T09:00
expect_rc 0 "task set --status in_progress" "$DONDOC" task set 1 --status in_progress
expect_rc 0 "task set --progress 40" "$DONDOC" task set 1 --progress 40
expect_rc 0 "task set --note" "$DONDOC" task set 1 --note "Đã họp với các phòng, chờ số liệu"
expect_rc 0 "task set --deadline 'Tháng 12/2025'" "$DONDOC" task set 1 --deadline "Tháng 12/2025"
run "$DONDOC" task show 1 --json
expect_eq "task 1 now: in progress, 40%, due 2025-12-31 (month)" \
	"$(json '(j["status"], j["progress"], j["deadline_raw"], j["due"], j["precision"], j["done_at"])')" \
	'["in_progress", 40, "Tháng 12/2025", "2025-12-31", "month", null]'
expect_eq "task 1 has 5 events: created, status, progress, note, deadline" \
	"$(json '[e["kind"] for e in j["events"]]')" '["created", "status", "progress", "note", "deadline"]'
expect_eq "the status event: old, new, channel cli, actor tester, at DONDOC_NOW" \
	"$(json '[(e["old"], e["new"], e["channel"], e["actor"], e["at"]) for e in j["events"] if e["kind"] == "status"]')" \
	'[["not_started", "in_progress", "cli", "tester", "2025-10-07T09:00:00+07:00"]]'
expect_eq "the progress event: 0 -> 40 by tester via cli" \
	"$(json '[(e["old"], e["new"], e["channel"], e["actor"]) for e in j["events"] if e["kind"] == "progress"]')" \
	'[["0", "40", "cli", "tester"]]'
expect_eq "the note event holds the text" \
	"$(json '[(e["text"], e["channel"], e["actor"]) for e in j["events"] if e["kind"] == "note"]')" \
	'[["Đã họp với các phòng, chờ số liệu", "cli", "tester"]]'
expect_eq "the deadline event: Quý III -> Tháng 12/2025" \
	"$(json '[(e["old"], e["new"], e["channel"], e["actor"]) for e in j["events"] if e["kind"] == "deadline"]')" \
	'[["Quý III", "Tháng 12/2025", "cli", "tester"]]'
expect_rc 0 "task set under another DONDOC_ACTOR" env DONDOC_ACTOR="Nguyễn Thư ký" "$DONDOC" task set 2 --progress 10
run "$DONDOC" task show 2 --json
expect_eq "the event's actor is \$DONDOC_ACTOR" "$(json 'j["events"][-1]["actor"]')" "Nguyễn Thư ký"

# (Four minutes on: what follows, at 09:00 again, is within the clock's tolerance.)
expect_rc 0 "task set --status done" env DONDOC_NOW=2025-10-07T09:04 "$DONDOC" task set 3 --status done
run "$DONDOC" task show 3 --json
expect_eq "done records done_at (Viet Nam time)" "$(json '(j["status"], j["done_at"])')" '["done", "2025-10-07T09:04:00+07:00"]'
run env DONDOC_NOW=2025-10-09T08:00 "$DONDOC" task set 3 --status done
expect_grep "setting done again changes nothing" out "^Nhiệm vụ [0-9]*: không có gì thay đổi\.$"
run "$DONDOC" task show 3 --json
expect_eq "done makes progress 100%, recorded as an event of its own" \
	"$(json '[(e["kind"], e["new"]) for e in j["events"]][1:]')" '[["status", "done"], ["progress", "100"]]'
expect_eq "done again keeps the first done_at and adds no event" \
	"$(json '(j["done_at"], len(j["events"]))')" '["2025-10-07T09:04:00+07:00", 3]'
expect_rc 0 "task set --status 'Đang thực hiện' (Vietnamese)" "$DONDOC" task set 3 --status "Đang thực hiện"
run "$DONDOC" task show 3 --json
expect_eq "leaving done clears done_at" "$(json '(j["status"], j["done_at"])')" '["in_progress", null]'
expect_rc 0 "task set --status 'Hoàn thành' (Vietnamese)" "$DONDOC" task set 3 --status "Hoàn thành"
expect_rc 0 "task set --progress 100%" "$DONDOC" task set 3 --progress 100%
run "$DONDOC" task show 3 --json
expect_eq "task 3 is done at 100%" "$(json '(j["status"], j["progress"])')" '["done", 100]'
expect_rc 0 "task set --status postponed" "$DONDOC" task set 4 --status "tam hoan"
expect_rc 0 "several changes at once" "$DONDOC" task set 2 --status in_progress --progress 30 --note "Một lần"
run "$DONDOC" task show 2 --json
expect_eq "several changes at once: one event each" "$(json '[e["kind"] for e in j["events"]][2:]')" \
	'["status", "progress", "note"]'

before=$(db_sum)
events=$(count event)
expect_rc 64 "--progress 101 exits 64" "$DONDOC" task set 1 --progress 101
expect_grep "--progress 101 is named" err "101"
expect_rc 64 "--progress -1 exits 64" "$DONDOC" task set 1 --progress -1
expect_rc 64 "--progress abc exits 64" "$DONDOC" task set 1 --progress abc
expect_rc 64 "task set --status bogus exits 64" "$DONDOC" task set 1 --status bogus
expect_rc 64 "task set with nothing to change exits 64" "$DONDOC" task set 1
expect_rc 64 "task set without an ID exits 64" "$DONDOC" task set --progress 5
expect_rc 64 "task set abc (not a number) exits 64" "$DONDOC" task set abc --progress 5
expect_rc 65 "--deadline 'Tháng 13' exits 65" "$DONDOC" task set 1 --deadline "Tháng 13"
expect_grep "--deadline 'Tháng 13': the reason is given" err "13"
expect_rc 65 "--deadline 30/02/2026 exits 65" "$DONDOC" task set 1 --deadline 30/02/2026
expect_rc 65 "--deadline with text no one understands exits 65" "$DONDOC" task set 1 --deadline "khi nào xong"
expect_rc 65 "a bad deadline with a good status exits 65" "$DONDOC" task set 1 --status done --deadline "Quý V"
expect_rc 65 "task set on an unknown task exits 65" "$DONDOC" task set 999 --status done
expect_grep "the unknown task is named" err "999"
expect_eq "refused task set changed nothing" "$(db_sum)" "$before"
expect_eq "refused task set recorded no event" "$(count event)" "$events"
run "$DONDOC" task show 1 --json
expect_eq "task 1 is still in progress with its deadline" "$(json '(j["status"], j["deadline_raw"])')" \
	'["in_progress", "Tháng 12/2025"]'
expect_rc 65 "task show on an unknown task exits 65" "$DONDOC" task show 999
expect_rc 64 "task show abc exits 64" "$DONDOC" task show abc
expect_rc 0 "task show (table) exits 0" "$DONDOC" task show 1
expect_grep "task show (table) lists the history with the note" out "ghi chú.*Đã họp với các phòng"

# --- task list filters -------------------------------------------------------------
run "$DONDOC" task list --json
expect_eq "task list --json lists the 4 tasks" "$(ids)" "[1, 2, 3, 4]"
run "$DONDOC" task list
expect_grep "task list (table) ends with '4 nhiệm vụ'" out '^4 nhiệm vụ$'
run "$DONDOC" agency list --json
SKHCN=$(json '[x["code"] for x in j if x["name"] == "Sở Khoa học và Công nghệ"][0]')
SYT=$(json '[x["code"] for x in j if x["name"] == "Sở Y tế"][0]')
run "$DONDOC" task list --agency "$SKHCN" --json
expect_eq "--agency by code ($SKHCN)" "$(ids)" "[1, 2]"
run "$DONDOC" task list --agency "so khoa hoc va cong nghe" --json
expect_eq "--agency by name without diacritics" "$(ids)" "[1, 2]"
run "$DONDOC" task list --agency "SỞ Y TẾ" --json
expect_eq "--agency by name in upper case" "$(ids)" "[2, 3]"
run "$DONDOC" task list --agency "các sở, ban, ngành" --json
expect_eq "--agency by a name with commas" "$(ids)" "[4]"
expect_rc 0 "agency alias adds Sở KH&CN" "$DONDOC" agency alias "$SKHCN" "Sở KH&CN"
expect_grep "agency alias confirms" out "Sở KH&CN"
run "$DONDOC" task list --agency "Sở KH&CN" --json
expect_eq "--agency by alias" "$(ids)" "[1, 2]"
run "$DONDOC" task list --agency "so kh&cn" --json
expect_eq "--agency by alias without diacritics, lower case" "$(ids)" "[1, 2]"
expect_rc 65 "--agency unknown exits 65" "$DONDOC" task list --agency "Sở Du lịch"
expect_grep "--agency unknown is named" err "Sở Du lịch"
run "$DONDOC" task list --status in_progress --json
expect_eq "--status in_progress" "$(ids)" "[1, 2]"
run "$DONDOC" task list --status "Đang thực hiện" --json
expect_eq "--status 'Đang thực hiện'" "$(ids)" "[1, 2]"
run "$DONDOC" task list --status "dang thuc hien" --json
expect_eq "--status 'dang thuc hien' (no diacritics)" "$(ids)" "[1, 2]"
run "$DONDOC" task list --status done --json
expect_eq "--status done" "$(ids)" "[3]"
run "$DONDOC" task list --status "Hoàn thành" --json
expect_eq "--status 'Hoàn thành'" "$(ids)" "[3]"
run "$DONDOC" task list --status "Tạm hoãn" --json
expect_eq "--status 'Tạm hoãn'" "$(ids)" "[4]"
run "$DONDOC" task list --status not_started --json
expect_eq "--status not_started (nothing left)" "$(ids)" "[]"
run "$DONDOC" task list --status in_progress --agency "$SYT" --json
expect_eq "--status with --agency" "$(ids)" "[2]"
expect_rc 64 "task list --status bogus exits 64" "$DONDOC" task list --status bogus
expect_grep "--status bogus is named" err "bogus"
run env DONDOC_NOW=2025-11-05T10:00 "$DONDOC" task list --overdue --json
expect_eq "--overdue on 2025-11-05: nothing is overdue (task 1 moved to December)" "$(ids)" "[]"
run env DONDOC_NOW=2026-01-02T10:00 "$DONDOC" task list --overdue --json
expect_eq "--overdue on 2026-01-02: tasks 1 and 2 (done and postponed are not)" "$(ids)" "[1, 2]"

# --- agencies -----------------------------------------------------------------------
agencies=$(count agency)
expect_rc 0 "agency add with code and kind" "$DONDOC" agency add --name "Sở Du lịch" --code sdl --kind department
expect_grep "agency add confirms the code" out "sdl"
expect_rc 0 "agency add guesses a code" "$DONDOC" agency add --name "UBND xã Diễn Châu"
run "$DONDOC" agency list --json
expect_eq "agency list --json has the new agencies with kinds" \
	"$(json '[(x["code"], x["name"], x["kind"], x["tasks"]) for x in j if x["name"] in ("Sở Du lịch",)]')" \
	'[["sdl", "Sở Du lịch", "department", 0]]'
expect_eq "'UBND xã ...' is guessed to be a commune" \
	"$(json '[x["kind"] for x in j if x["name"] == "UBND xã Diễn Châu"]')" '["commune"]'
expect_eq "agency list --json counts tasks led" \
	"$(json '[x["tasks"] for x in j if x["name"] == "Sở Khoa học và Công nghệ"]')" "[2]"
expect_rc 0 "agency add 'Ủy ban nhân dân xã ...' (UBND written out)" "$DONDOC" agency add --name "Ủy ban nhân dân xã Hưng Nguyên"
run "$DONDOC" agency list --json
expect_eq "'Ủy ban nhân dân xã ...' is guessed a commune like 'UBND xã ...'" \
	"$(json '[x["kind"] for x in j if x["name"] == "Ủy ban nhân dân xã Hưng Nguyên"]')" '["commune"]'
agencies=$(count agency)
expect_rc 65 "agency add of an existing name exits 65" "$DONDOC" agency add --name "Sở Du lịch"
expect_rc 65 "agency add of an existing name without diacritics exits 65" "$DONDOC" agency add --name "so du lich" --code sdl2
expect_rc 65 "agency add of an existing code exits 65" "$DONDOC" agency add --name "Sở Dân tộc" --code sdl
expect_grep "the duplicate code is named" err "sdl"
expect_rc 64 "agency add with a bad code exits 64" "$DONDOC" agency add --name "Sở Dân tộc" --code "Sở DT"
expect_rc 64 "agency add with a bad kind exits 64" "$DONDOC" agency add --name "Sở Dân tộc" --kind ministry
expect_rc 64 "agency add without --name exits 64" "$DONDOC" agency add --code sdt
expect_eq "refused agency adds added nothing" "$(count agency)" "$agencies"
expect_rc 65 "agency alias to an unknown agency exits 65" "$DONDOC" agency alias nope "Sở Gì đó"
expect_rc 65 "agency alias that is another agency's name exits 65" "$DONDOC" agency alias sdl "Sở Y tế"
expect_rc 65 "agency alias already used by another agency exits 65" "$DONDOC" agency alias sdl "Sở KH&CN"
run "$DONDOC" agency alias "$SKHCN" "Sở KH&CN"
if [ "$rc" = 0 ] || ! grep -q "another agency" err; then
	pass "re-adding an alias to its own agency does not claim another agency has it"
else
	fail "re-adding an alias to its own agency does not claim another agency has it" "exit $rc: $(cat err)"
fi
expect_rc 64 "agency alias with one argument exits 64" "$DONDOC" agency alias sdl
run "$DONDOC" task list --agency "Sở KH&CN" --json
expect_eq "the alias still finds its agency's tasks" "$(ids)" "[1, 2]"

# --- people -------------------------------------------------------------------------------
expect_rc 0 "person add with every field" "$DONDOC" person add --name "Nguyễn Văn An" --agency "$SYT" --role focal \
	--email an@syt.gov.vn --telegram 123456789 --zalo 987654321 --lang vi
expect_rc 0 "person add with the agency's name, a group chat id, English" "$DONDOC" person add --name "Trần Thị Bình" \
	--agency "so khoa hoc va cong nghe" --role head --telegram -100200300 --lang en
expect_rc 0 "person add with the fewest fields" "$DONDOC" person add --name "Lê Văn Cường" --agency "$SKHCN" --role leader
run "$DONDOC" person list --json
expect_eq "person list --json has the 3 people" "$(json 'len(j)')" 3
expect_eq "person list --json: every field of the first" \
	"$(json '[(p["name"], p["agency"], p["role"], p["email"], p["telegram"], p["zalo"], p["lang"], p["active"]) for p in j if p["name"] == "Nguyễn Văn An"]')" \
	"[[\"Nguyễn Văn An\", \"$SYT\", \"focal\", \"an@syt.gov.vn\", \"123456789\", \"987654321\", \"vi\", true]]"
expect_eq "person list --json: absent fields are null, language defaults to vi" \
	"$(json '[(p["email"], p["telegram"], p["zalo"], p["lang"]) for p in j if p["name"] == "Lê Văn Cường"]')" \
	'[[null, null, null, "vi"]]'
expect_eq "person list --json: group chat id and English kept" \
	"$(json '[(p["agency"], p["telegram"], p["lang"], p["role"]) for p in j if p["name"] == "Trần Thị Bình"]')" \
	"[[\"$SKHCN\", \"-100200300\", \"en\", \"head\"]]"
people=$(count person)
expect_rc 64 "person add with a bad email exits 64" "$DONDOC" person add --name "Phạm D" --agency "$SYT" --role focal --email "d.syt.gov.vn"
expect_grep "the bad email is named" err "d\.syt\.gov\.vn"
expect_rc 64 "person add with 'a@b' (no dot in the domain) exits 64" "$DONDOC" person add --name "Phạm D" --agency "$SYT" --role focal --email "a@b"
expect_rc 65 "person add to an unknown agency exits 65" "$DONDOC" person add --name "Phạm D" --agency "Sở Không Có" --role focal
expect_grep "the unknown agency is named" err "Sở Không Có"
expect_rc 65 "person add with a Telegram id already taken exits 65" "$DONDOC" person add --name "Phạm D" --agency "$SYT" --role focal --telegram 123456789
expect_rc 65 "person add with a Zalo id already taken exits 65" "$DONDOC" person add --name "Phạm D" --agency "$SYT" --role focal --zalo 987654321
expect_rc 64 "person add with a non-numeric Telegram id exits 64" "$DONDOC" person add --name "Phạm D" --agency "$SYT" --role focal --telegram "@phamd"
expect_rc 64 "person add with an unknown role exits 64" "$DONDOC" person add --name "Phạm D" --agency "$SYT" --role boss
expect_rc 64 "person add with --lang fr exits 64" "$DONDOC" person add --name "Phạm D" --agency "$SYT" --role focal --lang fr
expect_rc 64 "person add without --role exits 64" "$DONDOC" person add --name "Phạm D" --agency "$SYT"
expect_eq "refused person adds added no one" "$(count person)" "$people"
run "$DONDOC" person list
expect_grep "person list (table) ends with '3 người'" out '^3 người$'

# --- verify ---------------------------------------------------------------------------------
events=$(count event)
expect_rc 0 "verify passes on an untouched log" "$DONDOC" verify
expect_grep "verify counts every event" out "history intact: $events events"
if sqlite3 "$DONDOC_DB" "UPDATE event SET text='sửa lén' WHERE kind='note'" 2>/dev/null; then
	fail "the event log refuses UPDATE while the trigger is there" "sqlite3 could update an event"
else
	pass "the event log refuses UPDATE while the trigger is there"
fi
if sqlite3 "$DONDOC_DB" "DELETE FROM event WHERE id=1" 2>/dev/null; then
	fail "the event log refuses DELETE while the trigger is there" "sqlite3 could delete an event"
else
	pass "the event log refuses DELETE while the trigger is there"
fi
NOTE=$(sqlite3 "$DONDOC_DB" "SELECT id FROM event WHERE kind='note' ORDER BY id LIMIT 1")
tamper() { # NAME SQL: on a copy, drop the triggers, run SQL, expect verify to fail naming event $3
	cp "$DONDOC_DB" tampered.db
	sqlite3 tampered.db "DROP TRIGGER event_no_update; DROP TRIGGER event_no_delete; $2"
	expect_rc 1 "verify exits 1 after $1" "$DONDOC" --db tampered.db verify
	expect_grep "verify names event $3 after $1" err "event $3 "
	rm -f tampered.db tampered.db-wal tampered.db-shm
}
tamper "a note's text was edited with sqlite3" "UPDATE event SET text='Đã xong hết' WHERE id=$NOTE" "$NOTE"
tamper "an actor was edited" "UPDATE event SET actor='ai đó' WHERE id=2" 2
tamper "a status event's new value was edited" "UPDATE event SET new_value='done' WHERE kind='status' AND id=(SELECT min(id) FROM event WHERE kind='status')" \
	"$(sqlite3 "$DONDOC_DB" "SELECT min(id) FROM event WHERE kind='status'")"
tamper "a time was edited" "UPDATE event SET at=at-86400 WHERE id=$NOTE" "$NOTE"
tamper "an event in the middle was deleted" "DELETE FROM event WHERE id=3" 4
LAST=$(sqlite3 "$DONDOC_DB" "SELECT max(id) FROM event")
tamper "the newest event was deleted" "DELETE FROM event WHERE id=$LAST" "$LAST"
expect_rc 0 "the real registry still verifies" "$DONDOC" verify

# --- DONDOC_NOW ---------------------------------------------------------------------------------
for bad in "yesterday" "2025-13-01" "2025-02-30T09:00" "2025-10-07T25:00" "2025-10-07T09:00+25:00" "07/10/2025" "2025-10-07T09:00junk"; do
	expect_rc 78 "DONDOC_NOW='$bad' exits 78" env "DONDOC_NOW=$bad" "$DONDOC" task list
	if [ "$(lines err)" = 1 ] && grep -Fq "$bad" err; then
		pass "DONDOC_NOW='$bad': one line naming the value"
	else
		fail "DONDOC_NOW='$bad': one line naming the value" "$(cat err)"
	fi
done
before=$(db_sum)
expect_rc 78 "DONDOC_NOW malformed stops task set too (78)" env DONDOC_NOW=garbage "$DONDOC" task set 1 --progress 99
expect_eq "a malformed DONDOC_NOW changed nothing" "$(db_sum)" "$before"
for good in "2025-10-07" "2025-10-07T09:00" "2025-10-07T09:00:30" "2025-10-07T02:00:00Z" "2025-10-07T09:00:00+07:00" "2025-10-07 09:00"; do
	expect_rc 0 "DONDOC_NOW='$good' is accepted" env "DONDOC_NOW=$good" "$DONDOC" task list --json
done
run env DONDOC_NOW=2025-10-07T16:59:59Z "$DONDOC" task set 2 --note "Cuối ngày theo giờ UTC"
run "$DONDOC" task show 2 --json
expect_eq "event times are Viet Nam times whatever DONDOC_NOW's zone" "$(json 'j["events"][-1]["at"]')" "2025-10-07T23:59:59+07:00"
exit 0

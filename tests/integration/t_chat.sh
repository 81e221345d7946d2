# The chat commands end to end through the real binary: "person invite"
# makes a one-time code, "chat --telegram ID TEXT" runs what a Telegram
# chat would send through the same command layer as the bot, and the
# registry, its history and the outbox show what came of it (DESIGN §7).
# Commands run under TZ=UTC, one under America/Los_Angeles: the day is
# Viet Nam's whatever the machine's zone.
. "$(dirname "$0")/../lib.sh"

mkdir -p conf
conf_general >conf/dondoc.conf
export DONDOC_CONFIG="$T/conf/dondoc.conf"
D=$DONDOC
NOW=2025-10-07T09:00

at() { # at TIME CMD...: one command at TIME (Viet Nam), under TZ=UTC
	t=$1
	shift
	env TZ=UTC DONDOC_NOW="$t" "$@"
}
chat() { # chat CHAT_ID TEXT...: what that Telegram chat sends, now
	c=$1
	shift
	at "$NOW" "$D" chat --telegram "$c" "$@"
}
person_id() { sqlite3 "$DONDOC_DB" "SELECT id FROM person WHERE name='$1'"; }
code_of() { sed -n 's/^Mã liên kết: \([A-Z0-9]*\) .*/\1/p' out; }

run at "$NOW" "$D" init
printf "$HDR"'1.\tXây dựng Cổng dữ liệu mở của tỉnh\t%s\tSở Y tế\t30/10/2025\n2.\tBố trí kinh phí chuyển đổi số\t%s\tSở Tài chính\t15/11/2025\n' \
	"$DOC" "$DOC" >tasks.tsv
expect_rc 0 "import two tasks" at "$NOW" "$D" import tasks.tsv
run at "$NOW" "$D" agency add --name "Văn phòng UBND tỉnh" --code vpubnd
expect_rc 0 "add the focal point of Sở Y tế" at "$NOW" "$D" person add --name "Nguyễn Văn An" --agency syt --role focal
expect_rc 0 "add the focal point of Sở Tài chính" at "$NOW" "$D" person add --name "Trần Thị Bình" --agency stc --role focal
expect_rc 0 "add the secretariat" at "$NOW" "$D" person add --name "Phạm Thị Dung" --agency vpubnd --role secretariat
an=$(person_id "Nguyễn Văn An")
binh=$(person_id "Trần Thị Bình")
dung=$(person_id "Phạm Thị Dung")
t1=$(sqlite3 "$DONDOC_DB" "SELECT id FROM task WHERE title LIKE 'Xây dựng%'")
t2=$(sqlite3 "$DONDOC_DB" "SELECT id FROM task WHERE title LIKE 'Bố trí%'")

# --- linking ------------------------------------------------------------------------------
expect_rc 0 "an unlinked chat is answered" chat 1001 /viec
expect_grep "an unlinked chat is told how to link itself" out "/start MÃ"
expect_rc 0 "person invite" at "$NOW" "$D" person invite "$an"
expect_grep "invite prints a 12-character code" out "^Mã liên kết: [A-Z2-9]{12} \(dùng một lần, đến hết ngày 14/10/2025\)"
code_an=$(code_of)
expect_eq "the code itself is kept nowhere in the registry (its hash is)" \
	"$(cat "$DONDOC_DB"* | grep -c "$code_an")" 0
expect_rc 1 "a wrong code is refused" chat 1001 /start SAIMA2345678
expect_grep "the wrong code is told in Vietnamese" out "Mã liên kết không đúng hoặc đã hết hạn"
expect_rc 0 "/start CODE links the chat" chat 1001 "/start $code_an"
expect_grep "the answer names the person linked" out "liên kết tài khoản này với đồng chí Nguyễn Văn An \(Sở Y tế\)"
expect_eq "the person now has that Telegram chat" \
	"$("$DONDOC" person list --json | $PY -c 'import json, sys; print([p["telegram"] for p in json.load(sys.stdin) if p["id"] == int(sys.argv[1])][0])' "$an")" 1001
expect_rc 1 "a code works once" chat 1009 "/start $code_an"
run at "$NOW" "$D" person invite "$binh"
code_binh=$(code_of)
# A phone may type the code in lower case.
expect_rc 0 "a code typed in lower case links too" chat 1002 "/start $(printf %s "$code_binh" | tr A-Z a-z)"
run at "$NOW" "$D" person invite "$dung"
expect_rc 0 "the secretariat links its chat" chat 1003 "/start $(code_of)"
run at "$NOW" "$D" person invite --days 1 "$an"
code_late=$(code_of)
expect_rc 1 "a code past its day is refused" at 2025-10-08T09:01 "$D" chat --telegram 1008 "/start $code_late"

# --- /viec, /xong ---------------------------------------------------------------------------
expect_rc 0 "/viec" chat 1001 /viec
expect_grep "/viec lists the agency's task with its number" out "^\[$t1\] Xây dựng Cổng dữ liệu mở của tỉnh"
expect_no_grep "/viec lists no task of another agency" out "Bố trí kinh phí"
expect_grep "/viec gives the commands for the first task" out "/xong $t1"

expect_rc 0 "/xong with a note" chat 1001 /xong "$t1" Đã ban hành Quyết định số 123/QĐ-UBND
expect_grep "/xong is acknowledged" out "Đã ghi nhận hoàn thành nhiệm vụ"
run at "$NOW" "$D" task show "$t1" --json
expect_eq "task show: done, 100%, with the note" \
	"$(json '[j["status"], j["progress"], j["done_at"]]')" '["done", 100, "2025-10-07T09:00:00+07:00"]'
expect_eq "the history shows the change made on Telegram, by the person" \
	"$(json '[(e["kind"], e["channel"], e["actor"]) for e in j["events"] if e["kind"] != "created"]')" \
	'[["status", "telegram", "Nguyễn Văn An"], ["progress", "telegram", "Nguyễn Văn An"], ["note", "telegram", "Nguyễn Văn An"]]'
expect_eq "the note is in the history" \
	"$(json '[e["text"] for e in j["events"] if e["kind"] == "note"]')" '["Đã ban hành Quyết định số 123/QĐ-UBND"]'

# --- what is refused changes nothing ---------------------------------------------------------
sum=$(db_sum)
expect_rc 1 "/xong on a task of another agency is refused" chat 1001 /xong "$t2"
expect_grep "the refusal says why, in Vietnamese" out "không thuộc cơ quan của đồng chí"
expect_rc 1 "/tiendo without a task is refused" chat 1001 /tiendo
expect_grep "the usage error gives an example" out "/tiendo [0-9]+ 60%"
expect_rc 1 "/tiendo on a task recorded done is refused" chat 1001 /tiendo "$t1" 60%
expect_grep "saying it is done, and whom to ask to reopen it" out "đã được ghi nhận hoàn thành.*"
expect_rc 1 "/giahan with a day in the past is refused" chat 1002 /giahan "$t2" 1/1/2020 lý do
expect_rc 1 "a command that does not exist is refused" chat 1001 /tiendoo "$t1" 50%
expect_grep "it suggests the command meant" out "/tiendo"
expect_eq "refused commands changed nothing" "$(db_sum)" "$sum"

# --- /giahan, /duyet --------------------------------------------------------------------------
expect_rc 0 "/giahan asks the secretariat" chat 1002 /giahan "$t2" 31/12/2025 chờ hướng dẫn của Bộ
expect_grep "the requester is told the request number" out "đề nghị điều chỉnh thời hạn số 1"
expect_grep "chat says one message is queued for others" err "1 message queued for others"
run at "$NOW" "$D" outbox list --json
expect_eq "the request is queued for the secretariat, as a reply" \
	"$(json '[(m["person_id"], m["kind"], m["state"]) for m in j]')" "[[$dung, \"reply\", \"pending\"]]"
expect_eq "its subject names the request and the agency" \
	"$(json '[m["subject"] for m in j]')" '["[Đôn đốc] Đề nghị điều chỉnh thời hạn số 1 (Sở Tài chính)"]'
expect_rc 1 "a focal point cannot approve" chat 1001 /duyet 1
run at "$NOW" "$D" task show "$t2" --json
expect_eq "the deadline has not moved yet" "$(json 'j["due"]')" "2025-11-15"
expect_rc 0 "/duyet 1 by the secretariat" chat 1003 /duyet 1
expect_grep "the secretariat is told the new deadline" out "có thời hạn mới là ngày 31/12/2025"
run at "$NOW" "$D" task show "$t2" --json
expect_eq "task show: the deadline is moved" "$(json '[j["due"], j["deadline_raw"]]')" '["2025-12-31", "31/12/2025"]'
expect_eq "the move is in the history, by the secretariat on Telegram" \
	"$(json '[(e["channel"], e["actor"], e["new"]) for e in j["events"] if e["kind"] == "deadline"]')" \
	'[["telegram", "Phạm Thị Dung", "31/12/2025"]]'
run at "$NOW" "$D" outbox list --json
expect_eq "the requester's notice is queued" \
	"$(json '[(m["person_id"], m["kind"]) for m in j if m["person_id"] != '"$dung"']')" "[[$binh, \"reply\"]]"
expect_rc 1 "a request is decided once" chat 1003 /duyet 1

# --- the zone does not matter -------------------------------------------------------------------
# 06:00 on 8/10 in Hà Nội is still 7/10 in Los Angeles (and in UTC).
printf "$HDR"'1.\tTổng hợp báo cáo quý\t%s\tSở Y tế\t31/10/2025\n' "$DOC" >t3.tsv
run at "$NOW" "$D" import t3.tsv
t3=$(sqlite3 "$DONDOC_DB" "SELECT id FROM task WHERE title LIKE 'Tổng hợp%'")
expect_rc 0 "/xong early in the morning, under TZ=America/Los_Angeles" \
	env TZ=America/Los_Angeles DONDOC_NOW=2025-10-08T06:00 "$D" chat --format text --telegram 1001 /xong "$t3"
expect_grep "the answer is dated in Viet Nam's day" out "ngày 08/10/2025"
run env TZ=America/Los_Angeles DONDOC_NOW=2025-10-08T06:00 "$D" task show "$t3" --json
expect_eq "done_at is Viet Nam's time whatever the zone" "$(json 'j["done_at"]')" "2025-10-08T06:00:00+07:00"
expect_rc 1 "/giahan to 'today' (8/10 in Viet Nam) is refused under Los Angeles time" \
	env TZ=America/Los_Angeles DONDOC_NOW=2025-10-08T06:00 "$D" chat --telegram 1002 /giahan "$t2" 8/10/2025 lý do

# --- the history --------------------------------------------------------------------------------
expect_rc 0 "verify" "$D" verify
expect_grep "the history is intact" out "^history intact: [0-9]+ events"

# --- wrong use of the CLI ----------------------------------------------------------------------
expect_rc 65 "person invite for an unknown person" "$D" person invite 999
expect_grep "it names the person missing" err "no person 999"
expect_rc 64 "person invite without a number" "$D" person invite
expect_rc 64 "chat without --telegram" "$D" chat /viec
expect_grep "it says which option is missing" err "--telegram CHAT_ID"
expect_rc 64 "chat without a text" "$D" chat --telegram 1001
bad=$(printf '/xong 1 \377')
expect_rc 64 "chat with text that is not UTF-8" "$D" chat --telegram 1001 "$bad"
expect_grep "it says so in English" err "not valid UTF-8"
exit 0

# Deadline change requests (issue 11, item 5) and done on time or late
# (item 4), through the real binary: /giahan, then /xong five working days
# late, then /duyet is refused as moot and the task stays late; one open
# request per task (a new one supersedes the old, both requesters told,
# read in the outbox files); every refusal changes nothing; the CLI
# approves and rejects; a registry of schema 7 with two open requests on
# one task is brought to one.  verify holds at the end.
. "$(dirname "$0")/../lib.sh"

conf_general >dondoc.conf
export DONDOC_CONFIG="$T/dondoc.conf"
D=$DONDOC
NOW=2025-10-07T09:00
export DONDOC_NOW=$NOW

chat() { # chat CHAT_ID TEXT...: what that Telegram chat sends, at $NOW
	c=$1
	shift
	DONDOC_NOW=$NOW "$D" chat --telegram "$c" "$@"
}
# What a person was sent: the outbox files for them after serve --once, joined.
deliver() { DONDOC_NOW=$NOW "$D" serve --once >/dev/null 2>&1; }
sent_to() { cat "$T"/outbox/*-"$1".txt 2>/dev/null | tr '\n' ' '; echo; }
# flat FILE: FILE on one line, so that a sentence wrapped in the text form is found whole.
flat() { tr '\n' ' ' <"$1" >"$1.flat"; echo >>"$1.flat"; mv "$1.flat" "$1"; }
# The state a refusal must leave alone: the requests and the tasks as the CLI shows them.
state() {
	"$D" extension list --json
	for i in 1 2 3 4; do "$D" task show "$i" --json; done
}

run "$D" init
printf "$HDR"'1.\tXây dựng Cổng dữ liệu mở của tỉnh\t%s\tSở Y tế\t30/10/2025\n2.\tBố trí kinh phí chuyển đổi số\t%s\tSở Y tế\t15/11/2025\n3.\tRà soát thủ tục hành chính\t%s\tSở Tài chính\t20/11/2025\n4.\tBáo cáo sơ kết\t%s\tSở Y tế\tQuý IV/2025\n' \
	"$DOC" "$DOC" "$DOC" "$DOC" >tasks.tsv
expect_rc 0 "import four tasks" "$D" import tasks.tsv
run "$D" agency add --name "Văn phòng UBND tỉnh" --code vpubnd
run "$D" person add --name "Nguyễn Văn An" --agency syt --role focal --telegram 1001
run "$D" person add --name "Trần Văn Bình" --agency syt --role focal --telegram 1002
run "$D" person add --name "Phạm Thị Dung" --agency vpubnd --role secretariat --telegram 1003
run "$D" person add --name "Lê Văn Em" --agency vpubnd --role secretariat --telegram 1004
id_of() { sql "SELECT id FROM person WHERE name = '$1'"; }
an=$(id_of "Nguyễn Văn An")
binh=$(id_of "Trần Văn Bình")
dung=$(id_of "Phạm Thị Dung")

# --- the issue's sequence: /giahan, /xong 5 working days late, /duyet -------------------------
expect_rc 0 "An asks for Quý I/2026 on task 1" chat 1001 /giahan 1 Quý I/2026 chờ hướng dẫn của Bộ
expect_grep "and is told the deadline as typed" out "^Thời hạn đề nghị: Quý I/2026$"
expect_eq "the request keeps what was typed and its precision" \
	"$(sql "SELECT raw || '|' || precision || '|' || due || '|' || state FROM extension WHERE id = 1")" \
	"Quý I/2026|quarter|2026-03-31|pending"
# 30/10/2025 is a Thursday: 31/10, 3/11, 4/11, 5/11, 6/11 are five working days after it.
NOW=2025-11-06T09:00
expect_rc 0 "An reports task 1 done on 6/11/2025, five working days late" chat 1001 /xong 1
expect_eq "the request is closed as moot the moment the task is done" \
	"$(sql "SELECT state FROM extension WHERE id = 1")" moot
before=$(state)
expect_rc 1 "/duyet on the done task's request is refused" chat 1003 /duyet 1
expect_grep "as moot: the task is done, nothing to decide" out "không còn cần quyết định; thời hạn giữ nguyên"
expect_eq "and changes nothing" "$(state)" "$before"
expect_rc 65 "dondoc extension approve on it is refused too (exit 65)" "$D" extension approve 1
expect_grep "saying why" err "request 1 is moot: task 1 is done"
expect_rc 0 "task show" "$D" task show 1
expect_grep "task 1 stays done late" out "^Hoàn thành:  ngày 6/11/2025, trễ hạn 5 ngày làm việc$"
expect_no_grep "never on time" out "đúng hạn"
expect_rc 0 "task show --json" "$D" task show 1 --json
expect_eq "its JSON: done late, against the deadline in force that day" \
	"$(json '[j["done_late"], j["done_due"]]')" '[true, "2025-10-30"]'
# A deadline moved after the task was done does not make it on time.
expect_rc 0 "the deadline of the done task is moved to 31/12/2025" \
	env DONDOC_NOW=$NOW "$D" task set 1 --deadline 31/12/2025
expect_rc 0 "task show" "$D" task show 1
expect_grep "it is still done late" out "^Hoàn thành:  ngày 6/11/2025, trễ hạn 5 ngày làm việc$"
run "$D" task show 1 --json
expect_eq "in JSON too" "$(json 'j["done_late"]')" true

# --- a done task closes its open request and tells its requester -------------------------------
expect_rc 0 "Bình asks for more time on task 2" chat 1002 /giahan 2 Tháng 12/2025 chờ kinh phí
expect_rc 0 "An reports task 2 done" chat 1001 /xong 2 đã bố trí
expect_eq "Bình's request is moot" "$(sql "SELECT state FROM extension WHERE id = 2")" moot
deliver
sent_to "$binh" >bt
expect_grep "Bình is told his request was closed because the task is done" bt \
	"đã được ghi nhận hoàn thành, nên đề nghị điều chỉnh thời hạn số 2 của đồng chí \(đến Tháng 12/2025\) được đóng lại"
run "$D" task show 2 --json
expect_eq "task 2 was done on time" "$(json '[j["done_late"], j["done_due"]]')" '[false, "2025-11-15"]'
expect_rc 1 "a request on a done task is refused" chat 1002 /giahan 2 31/12/2025 lý do
expect_grep "saying the task is done" out "đã được ghi nhận hoàn thành"

# --- supersession ----------------------------------------------------------------------------------
expect_rc 0 "An asks for 31/1/2026 on task 4 (due Quý IV/2025)" chat 1001 /giahan 4 31/1/2026 chờ số liệu của Bộ
first=$(sql "SELECT max(id) FROM extension")
expect_rc 0 "Bình asks for 6 tháng đầu năm 2026 on the same task" \
	chat 1002 /giahan 4 6 tháng đầu năm 2026 cần thêm thời gian khảo sát
second=$(sql "SELECT max(id) FROM extension")
flat out
expect_grep "Bình is told his request replaces An's" out \
	"Đề nghị này thay thế đề nghị số $first \(đến ngày 31/01/2026\) của đồng chí Nguyễn Văn An"
run "$D" extension list --pending --json
expect_eq "one request of task 4 is pending: Bình's, with the half-year as typed and its reason" \
	"$(json '[(r["id"], r["requester"], r["asked"], r["due"], r["reason"]) for r in j if r["task_id"] == 4]')" \
	"[[$second, \"Trần Văn Bình\", \"6 tháng đầu năm 2026\", \"2026-06-30\", \"cần thêm thời gian khảo sát\"]]"
expect_eq "An's is superseded" "$(sql "SELECT state FROM extension WHERE id = $first")" superseded
expect_eq "with an extension_decision event saying so" \
	"$(sql "SELECT new_value FROM event WHERE kind = 'extension_decision' AND json_extract(data, '\$.request') = $first")" \
	superseded
rm -f "$T"/outbox/*
deliver
sent_to "$an" >at
expect_grep "An is told his request was replaced, by whom and what" at \
	"Đề nghị điều chỉnh thời hạn số $first của đồng chí .*đã được thay bằng đề nghị số $second của đồng chí Trần Văn Bình \(Sở Y tế\)"
expect_grep "what the new request asks" at "điều chỉnh đến 6 tháng đầu năm 2026, lý do: cần thêm thời gian khảo sát"
sent_to "$dung" >dt
expect_grep "the secretariat is told of the new request and what it replaced" dt \
	"Đề nghị này thay thế đề nghị số $first"
run chat 1003 /choduyet
expect_grep "/choduyet lists the one pending request" out "^Đề nghị điều chỉnh thời hạn chờ duyệt: 1$"
expect_grep "with its command" out "Đồng ý: /duyet $second"
run chat 1003 /giahan
expect_grep "/giahan alone, from the secretariat, lists them too" out "^Số $second – nhiệm vụ \[4\]"
expect_rc 1 "/choduyet is for the secretariat" chat 1001 /choduyet

# --- every refusal changes nothing -------------------------------------------------------------------
expect_rc 0 "Dung of the secretariat asks for more time on task 3" chat 1003 /giahan 3 31/12/2025 chờ ý kiến Bộ
own=$(sql "SELECT max(id) FROM extension")
before=$(state)
m0=$(sql "SELECT count(*) FROM message")
refuse() { # refuse NAME TEMPLATE_LINE_RE CHAT TEXT...
	_n=$1 _re=$2
	shift 2
	expect_rc 1 "refused: $_n" chat "$@"
	flat out
	expect_grep "  answered: $_n" out "$_re"
}
refuse "a day not after the deadline (31/12/2025 is task 4's)" "không sau hạn hiện tại" \
	1001 /giahan 4 20/12/2025 chờ
refuse "a day already past" "Ngày 01/11/2025 đã qua; đề nghị chọn ngày sau hôm nay \\(06/11/2025\\)" 1001 /giahan 4 1/11/2025 chờ
refuse "a quarter already past" "Ngày 30/09/2025 \(Quý III/2025\) đã qua" 1001 /giahan 4 Quý III/2025 chờ
refuse "no deadline at all" "không phải là thời hạn hợp lệ" 1001 /giahan 4 sớm nhất có thể
refuse "an impossible date" "“31/13/2026” không phải là thời hạn hợp lệ" 1001 /giahan 4 31/13/2026 chờ
refuse "the reason missing" "còn thiếu lý do" 1001 /giahan 4 Quý I/2026
refuse "a task that does not exist" "99" 1001 /giahan 99 31/12/2026 chờ
refuse "another agency's task" "do Sở Tài chính chủ trì, không thuộc cơ quan của đồng chí" 1001 /giahan 3 31/12/2026 chờ
refuse "deciding one's own request" "do chính đồng chí gửi" 1003 /duyet "$own"
refuse "a request already superseded" "đã được thay bằng một đề nghị mới hơn ngày 06/11/2025" \
	1003 /duyet "$first"
refuse "a request that does not exist" "số 77" 1003 /duyet 77
refuse "a focal point deciding (the role, not the agency)" "Lệnh /duyet dành cho cơ quan thường trực. Đồng chí là cán bộ đầu mối" \
	1001 /duyet "$second"
expect_eq "the refusals changed no request and no task" "$(state)" "$before"
expect_eq "and queued nothing for anyone" "$(sql "SELECT count(*) FROM message")" "$m0"
expect_rc 64 "extension reject without --reason is a usage error" "$D" extension reject "$second"
expect_rc 64 "extension approve without a number is a usage error" "$D" extension approve abc
expect_rc 65 "extension approve of a request that does not exist" "$D" extension approve 77
expect_grep "says so" err "no request 77"
expect_eq "the CLI refusals changed nothing either" "$(state)" "$before"

# --- the CLI decides --------------------------------------------------------------------------------
NOW=2025-11-07T09:00
rm -f "$T"/outbox/*
expect_rc 0 "dondoc extension approve" env DONDOC_NOW=$NOW "$D" extension approve "$second" --note "đồng ý"
expect_grep "says what it did" out "^Đề nghị $second: đồng ý; nhiệm vụ 4, thời hạn “6 tháng đầu năm 2026”\.$"
expect_grep "and that three were told (requester, two members)" out "^3 tin nhắn đã vào hàng gửi\.$"
run "$D" task show 4 --json
expect_eq "task 4 is due at the end of the half, with that precision" \
	"$(json '[j["deadline_raw"], j["due"], j["precision"]]')" '["6 tháng đầu năm 2026", "2026-06-30", "half"]'
deliver
sent_to "$binh" >bt
expect_grep "Bình is told it was approved, by the operator" bt "Người duyệt: đồng chí tester"
sent_to "$dung" >dt
expect_grep "the secretariat is told" dt "tester đã .*đồng ý.* đề nghị điều chỉnh thời hạn số $second"
expect_rc 65 "a second decision is refused" env DONDOC_NOW=$NOW "$D" extension reject "$second" --reason muộn
expect_grep "saying how and when it was decided" err "request $second was approved already on 07/11/2025"
expect_rc 0 "Bình asks again for task 4" \
	chat 1002 /giahan 4 Quý III/2026 chờ
third=$(sql "SELECT max(id) FROM extension")
expect_rc 0 "dondoc extension reject --reason" env DONDOC_NOW=$NOW "$D" extension reject "$third" \
	--reason "đề nghị hoàn thành đúng hạn"
expect_grep "says what it did" out "^Đề nghị $third: từ chối; nhiệm vụ 4, thời hạn “6 tháng đầu năm 2026”\.$"
rm -f "$T"/outbox/*
deliver
sent_to "$binh" >bt
expect_grep "Bình is told the reason" bt "đề nghị hoàn thành đúng hạn"
expect_rc 0 "Em of the secretariat rejects Dung's own request in chat" chat 1004 /tuchoi "$own" giữ thời hạn
run "$D" extension list --json
expect_eq "the list shows every request's state" "$(json '[r["state"] for r in j]')" \
	'["moot", "moot", "superseded", "approved", "rejected", "rejected"]'
run "$D" extension list --pending --json
expect_eq "and --pending none now" "$(json 'len(j)')" 0
run "$D" extension list
expect_grep "the table names the requester and what was asked" out "Trần Văn Bình +6 tháng đầu năm 2026"
expect_rc 0 "extension list -h" "$D" extension list -h

# task set --status done closes an open request too, and its requester is told.
expect_rc 0 "Dung asks for more time on task 3" chat 1003 /giahan 3 Quý I/2026 chờ ý kiến Bộ
req=$(sql "SELECT max(id) FROM extension")
expect_rc 0 "the operator sets task 3 done" env DONDOC_NOW=$NOW "$D" task set 3 --status done
expect_grep "and is told a message was queued" out "^Nhiệm vụ 3: 1 tin nhắn đã vào hàng gửi\.$"
expect_eq "the request is moot" "$(sql "SELECT state FROM extension WHERE id = $req")" moot
rm -f "$T"/outbox/*
deliver
sent_to "$dung" >dt
expect_grep "Dung is told her request was closed because the task is done" dt \
	"đề nghị điều chỉnh thời hạn số $req của đồng chí \(đến Quý I/2026\) được đóng lại"
expect_rc 0 "verify replays the history, done_due included" "$D" verify
expect_grep "intact" out "^history intact"
cp "$DONDOC_DB" edited.db
sqlite3 edited.db "UPDATE task SET done_due = '2025-12-31' WHERE id = 1"
expect_rc 1 "verify names a done_due changed behind dondoc's back (late made on time)" \
	"$D" --db edited.db verify
expect_grep "naming task 1 and done_due" err "^task 1: done_due is '2025-12-31' in the registry, the history says '2025-10-30'"

# --- a registry of schema 7 with two open requests on one task (4, open) --------------------------------------
# Schemas 14 to 8 taken away again: their columns, tables and indexes dropped (the
# person's addresses back in its columns), the version set back (schema 10's wider message
# table stays: its migration leaves it as it is).
cp "$DONDOC_DB" v7.db
sqlite3 v7.db "DROP TABLE lease; DROP TABLE lease_term; DROP INDEX message_sending;
	ALTER TABLE message DROP COLUMN owner; ALTER TABLE message DROP COLUMN lease_until;
	CREATE INDEX message_sending ON message(next_at) WHERE state = 'sending';
	DROP INDEX message_by_digest; ALTER TABLE message DROP COLUMN address; ALTER TABLE message DROP COLUMN dead_at;
	ALTER TABLE message DROP COLUMN digest_id; DROP TABLE digest_run; ALTER TABLE person DROP COLUMN digest;
	ALTER TABLE person ADD COLUMN email TEXT; ALTER TABLE person ADD COLUMN telegram_chat_id TEXT;
	ALTER TABLE person ADD COLUMN zalo_user_id TEXT;
	ALTER TABLE person ADD COLUMN email_broken INTEGER NOT NULL DEFAULT 0;
	ALTER TABLE person ADD COLUMN telegram_broken INTEGER NOT NULL DEFAULT 0;
	UPDATE person SET email = (SELECT value FROM address WHERE person_id = person.id AND channel = 'email'),
	  telegram_chat_id = (SELECT value FROM address WHERE person_id = person.id AND channel = 'telegram');
	DROP TABLE address;
	DROP INDEX chat_ask_by_person; DROP TABLE chat_ask; DROP INDEX extension_open; DROP INDEX obstacle_by_task; DROP TABLE obstacle;
	DROP TABLE period_report; ALTER TABLE task DROP COLUMN done_due; ALTER TABLE task DROP COLUMN period;
	ALTER TABLE task DROP COLUMN first_notice; ALTER TABLE extension DROP COLUMN raw;
	ALTER TABLE extension DROP COLUMN precision; DELETE FROM extension;
	INSERT INTO extension(task_id, person_id, due, reason, state, created_at)
	  VALUES (4, $an, '2026-01-31', 'chờ', 'asked', 1762000000), (4, $binh, '2026-02-28', 'chờ nữa', 'asked', 1762000100);
	DROP TABLE feed_member; DROP TABLE feed_seq; DROP TABLE feed; DROP TABLE feed_gen;
	DROP TABLE IF EXISTS feed_dirty; DROP TABLE IF EXISTS feed_change; DROP INDEX task_undated;
	DROP TRIGGER IF EXISTS feed_gen_task_INSERT; DROP TRIGGER IF EXISTS feed_gen_task_UPDATE; DROP TRIGGER IF EXISTS feed_gen_task_DELETE;
	DROP TRIGGER IF EXISTS feed_gen_task_agency_INSERT; DROP TRIGGER IF EXISTS feed_gen_task_agency_UPDATE; DROP TRIGGER IF EXISTS feed_gen_task_agency_DELETE;
	DROP TRIGGER IF EXISTS feed_gen_agency_INSERT; DROP TRIGGER IF EXISTS feed_gen_agency_UPDATE; DROP TRIGGER IF EXISTS feed_gen_agency_DELETE;
	DROP TRIGGER IF EXISTS feed_gen_document_INSERT; DROP TRIGGER IF EXISTS feed_gen_document_UPDATE; DROP TRIGGER IF EXISTS feed_gen_document_DELETE;
	DROP TRIGGER IF EXISTS feed_gen_person_INSERT; DROP TRIGGER IF EXISTS feed_gen_person_UPDATE; DROP TRIGGER IF EXISTS feed_gen_person_DELETE;
	DROP TRIGGER IF EXISTS feed_gen_extension_INSERT; DROP TRIGGER IF EXISTS feed_gen_extension_UPDATE; DROP TRIGGER IF EXISTS feed_gen_extension_DELETE;
	PRAGMA user_version = 7"
expect_rc 0 "init brings the schema 7 registry to 8" "$D" --db v7.db init
expect_eq "of its two open requests on task 4, the older is superseded, the newer pending" \
	"$(sqlite3 v7.db "SELECT group_concat(state, ' ') FROM (SELECT state FROM extension WHERE task_id = 4 ORDER BY id)")" \
	"superseded pending"
DONDOC_DB=$T/v7.db run "$D" task show 2 --json
expect_eq "a task done before schema 8 is judged against the deadline it has" \
	"$(json '[j["done_due"], j["done_late"]]')" '["2025-11-15", false]'
DONDOC_DB=$T/v7.db run "$D" extension list --pending --json
expect_eq "extension list says the same" "$(json '[(r["task_id"], r["requester"], r["asked"]) for r in j]')" \
	'[[4, "Trần Văn Bình", "28/2/2026"]]'

# --- an import: a row already done, and a row that becomes done -------------------------------------
printf 'STT\tNhiệm vụ\tVăn bản giao nhiệm vụ\tCơ quan chủ trì thực hiện\tThời hạn hoàn thành\tĐánh giá\n1.\tViệc đã xong\t%s\tSở Y tế\t30/9/2025\tHoàn thành\n2.\tViệc đang làm\t%s\tSở Y tế\t30/11/2025\tĐang thực hiện\n' \
	"$DOC" "$DOC" >done.tsv
expect_rc 0 "import a row already done" env DONDOC_DB=$T/imp.db DONDOC_NOW=2025-10-07T09:00 sh -c \
	'"$0" init >/dev/null && "$0" import done.tsv' "$D"
DONDOC_DB=$T/imp.db run "$D" task show 1 --json
expect_eq "it keeps the deadline of the row as the one in force when done" "$(json 'j["done_due"]')" 2025-09-30
sed 's/Đang thực hiện/Hoàn thành/' done.tsv >done2.tsv
expect_rc 0 "import again: the other row is done now" \
	env DONDOC_DB=$T/imp.db DONDOC_NOW=2025-10-08T09:00 "$D" import done2.tsv
DONDOC_DB=$T/imp.db run "$D" task show 2 --json
expect_eq "done on time against its deadline" "$(json '[j["done_due"], j["done_late"]]')" '["2025-11-30", false]'
expect_rc 0 "and verify replays both" env DONDOC_DB=$T/imp.db "$D" verify

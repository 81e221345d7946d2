# Who may do what (issue 10, finding 9 "Roles are not checked" and the
# smaller "A callback's actor is taken from message.chat.id, not
# from.id"), through the real binary: first the chat commands as
# "dondoc chat" runs them through the command layer, then button presses
# as a fake Bot API server (tests/fake_telegram.py) delivers them to the
# polling daemon.  A refusal is said in Vietnamese and changes nothing.
. "$(dirname "$0")/../lib.sh"

conf_general >dondoc.conf
export DONDOC_CONFIG="$T/dondoc.conf"
D=$DONDOC
NOW=2025-10-07T09:00
# Every change is dated then: the history refuses one dated before the last.
export DONDOC_NOW=$NOW

chat() { # chat CHAT_ID TEXT...: what that Telegram chat sends, now
	c=$1
	shift
	DONDOC_NOW=$NOW "$D" chat --telegram "$c" "$@"
}
last_msg() { sql "SELECT coalesce(max(id), 0) FROM message"; }
# The messages queued since message $1: "person_id:first words of the subject", in order.
queued_since() {
	sql "SELECT group_concat(person_id || ':' || subject, ' | ') FROM (SELECT person_id, subject FROM message WHERE id > $1 ORDER BY person_id, id)"
}

run env DONDOC_NOW=$NOW "$D" init
printf "$HDR"'1.\tXây dựng Cổng dữ liệu mở của tỉnh\t%s\tSở Y tế\t30/10/2025\n2.\tBố trí kinh phí chuyển đổi số\t%s\tSở Y tế\t15/11/2025\n3.\tRà soát thủ tục hành chính\t%s\tSở Y tế\t20/11/2025\n' \
	"$DOC" "$DOC" "$DOC" >tasks.tsv
expect_rc 0 "import three tasks of Sở Y tế" env DONDOC_NOW=$NOW "$D" import tasks.tsv
run "$D" agency add --name "Văn phòng UBND tỉnh" --code vpubnd
run "$D" person add --name "Nguyễn Văn An" --agency syt --role focal --telegram 1001
run "$D" person add --name "Ngô Thị Lan" --agency syt --role viewer --telegram 1002
run "$D" person add --name "Phạm Thị Dung" --agency vpubnd --role secretariat --telegram 1003
run "$D" person add --name "Lê Văn Em" --agency vpubnd --role secretariat --telegram 1004
run "$D" person add --name "Đỗ Thị Giang" --agency vpubnd --role secretariat --telegram 1005
id_of() { sql "SELECT id FROM person WHERE name = '$1'"; }
an=$(id_of "Nguyễn Văn An")
dung=$(id_of "Phạm Thị Dung")
em=$(id_of "Lê Văn Em")
giang=$(id_of "Đỗ Thị Giang")

# --- finding 9: a linked viewer can /xong, /tiendo and /giahan ------------------------------------
sum=$(db_sum)
expect_rc 1 "Roles are not checked: a viewer's /xong is refused" chat 1002 /xong 1 đã xong
expect_grep "the viewer is told, in Vietnamese, that the account only views" out \
	"chỉ có quyền xem, nên không thực hiện được lệnh"
expect_grep "naming /xong" out "không thực hiện được lệnh /xong \(lệnh này thay đổi dữ liệu theo dõi\)"
expect_grep "and which commands are theirs" out "/viec, /quahan, /baocao, /huongdan"
expect_rc 1 "Roles are not checked: a viewer's /tiendo is refused" chat 1002 /tiendo 1 60%
expect_grep "naming /tiendo" out "không thực hiện được lệnh /tiendo \(lệnh này"
expect_rc 1 "Roles are not checked: a viewer's /giahan is refused" chat 1002 /giahan 1 31/12/2025 chờ
expect_rc 1 "Roles are not checked: a viewer's /vuongmac is refused" chat 1002 /vuongmac 1 thiếu kinh phí
expect_rc 1 "Roles are not checked: a viewer's /duyet is refused" chat 1002 /duyet 1
expect_eq "Roles are not checked: what a viewer tried changed nothing" "$(db_sum)" "$sum"
expect_eq "and nobody was asked anything" "$(last_msg)" 0
for c in /viec /quahan /baocao /huongdan; do
	expect_rc 0 "a viewer reads: $c" chat 1002 $c
done
run chat 1002 /viec
expect_grep "a viewer's /viec lists the agency's tasks" out "^\[1\] Xây dựng Cổng dữ liệu mở"

# --- finding 9: a secretariat member asks for an extension and approves it themselves ---------------
expect_rc 0 "the secretariat may ask for more time" chat 1003 /giahan 2 31/12/2025 chờ hướng dẫn của Bộ
req=$(sql "SELECT max(id) FROM extension")
sum=$(db_sum)
m0=$(last_msg)
expect_rc 1 "Roles are not checked: approving one's own request is refused" chat 1003 /duyet "$req"
expect_grep "saying it is their own and another member decides" out \
	"do chính đồng chí gửi, nên đồng chí không tự đồng ý hay từ chối được"
expect_rc 1 "Roles are not checked: rejecting one's own request is refused" chat 1003 /tuchoi "$req" tự rút
expect_eq "the own request is still undecided" "$(sql "SELECT state FROM extension WHERE id = $req")" pending
expect_eq "and the deadline did not move" "$(db_sum)" "$sum"
expect_eq "and nothing was queued for anyone" "$(last_msg)" "$m0"

# --- finding 9: nobody else is told of a decision -----------------------------------------------------
expect_rc 0 "another member approves it" chat 1004 /duyet "$req"
expect_grep "the decider is told the new deadline" out "có thời hạn mới là ngày 31/12/2025"
expect_eq "Roles are not checked: the requester and the rest of the secretariat are told, once each, never the decider" \
	"$(queued_since "$m0")" \
	"$dung:[Đôn đốc] Đồng ý điều chỉnh thời hạn nhiệm vụ số 2 đến ngày 31/12/2025 | $giang:[Đôn đốc] Đề nghị điều chỉnh thời hạn số $req đã được đồng ý"
expect_eq "the notice names who decided what" \
	"$(sql "SELECT chat LIKE '%Lê Văn Em đã <b>đồng ý</b> đề nghị điều chỉnh thời hạn số $req của đồng chí Phạm Thị Dung%' FROM message WHERE person_id = $giang AND id > $m0")" 1

expect_rc 0 "a focal point asks for more time" chat 1001 /giahan 3 31/12/2025 chờ số liệu
req=$(sql "SELECT max(id) FROM extension")
m0=$(last_msg)
expect_rc 0 "a member rejects it" chat 1005 /tuchoi "$req" đề nghị hoàn thành đúng hạn
expect_eq "Roles are not checked: a rejection is told to the requester and to the two other members" \
	"$(sql "SELECT group_concat(person_id, ' ') FROM (SELECT person_id FROM message WHERE id > $m0 ORDER BY person_id)")" \
	"$an $dung $em"
expect_eq "the other members read who rejected it and why" \
	"$(sql "SELECT count(*) FROM message WHERE id > $m0 AND person_id IN ($dung, $em) AND chat LIKE '%Đỗ Thị Giang đã <b>không đồng ý</b>%Lý do: đề nghị hoàn thành đúng hạn%'")" 2

# --- finding 9: /duyet approves an extension for a task already done ------------------------------
expect_rc 0 "a focal point asks for more time on task 1" chat 1001 /giahan 1 31/12/2025 chờ ý kiến
req=$(sql "SELECT max(id) FROM extension")
expect_rc 0 "and then reports it done" chat 1001 /xong 1
sum=$(db_sum)
m0=$(last_msg)
expect_rc 1 "Roles are not checked: /duyet on a task already done is refused" chat 1003 /duyet "$req"
expect_grep "saying the task is done" out \
	"đã được ghi nhận hoàn thành, nên đề nghị điều chỉnh thời hạn số $req \\(đến ngày 31/12/2025\\) không còn cần quyết định"
expect_grep "and the request needs no decision" out "không còn cần quyết định; thời hạn giữ nguyên"
expect_rc 1 "Roles are not checked: /tuchoi on a task already done is refused" chat 1004 /tuchoi "$req" muộn
expect_eq "the request was closed as moot when the task was done; the deadline unmoved, nobody told" \
	"$(sql "SELECT state FROM extension WHERE id = $req") $(db_sum) $(last_msg)" "moot $sum $m0"
run "$D" task show 1 --json
expect_eq "task show: still due 30/10/2025" "$(json 'j["due"]')" "2025-10-30"

# --- finding 10: a callback's actor is taken from message.chat.id, not from.id -----------------------
TOKEN=7000000001:AAtesttoken_for_dondoc
fake_telegram_start "$TOKEN"
{ cat dondoc.conf; conf_telegram; } >tg.conf
status_of() { sql "SELECT status FROM task WHERE id = $1"; }
run sql "UPDATE message SET state = 'cancelled' WHERE state = 'pending'"
for c in 1001 1002 1003 1004 1005; do ctl chat "{\"chat_id\": $c, \"first_name\": \"U$c\"}"; done
# Task 2 is An's, due 31/12/2025; on 29/12 (a Monday) An gets its reminder of tasks 2 and
# 3, with buttons (what else goes out that day is for other tests).
an_sent() { curl -s "$API/control/sent" >out && [ "$(json '[m for m in j if m["chat_id"] == 1001] != []')" = true ]; }
daemon_start DONDOC_CONFIG="$T/tg.conf" DONDOC_NOW=2025-12-29T09:00
wait_until 20 an_sent
expect_eq "An gets a reminder of tasks 2 and 3 with buttons" \
	"$(json '[(m["chat_id"], [b["callback_data"] for r in (m["reply_markup"] or {}).get("inline_keyboard", []) for b in r]) for m in j if m["chat_id"] == 1001]')" \
	'[[1001, ["t:2:done", "t:2:prog", "t:2:ext", "t:3:done", "t:3:prog", "t:3:ext"]]]'
REMINDER=$(json '[m for m in j if m["chat_id"] == 1001][0]["message_id"]')

# Someone else's press on An's reminder (a client that lies, or a forwarded copy): the actor is from.id.
ctl update "{\"callback_query\": {\"id\": \"771\", \"from\": {\"id\": 1004, \"is_bot\": false, \"first_name\": \"Em\"}, \"chat_instance\": \"-1\", \"data\": \"t:2:done\", \"message\": {\"message_id\": $REMINDER, \"date\": 1767000000, \"chat\": {\"id\": 1001, \"type\": \"private\", \"first_name\": \"An\"}, \"text\": \"x\"}}}"
calls answerCallbackQuery 1
expect_eq "A callback's actor is taken from message.chat.id, not from.id: a press by another user is answered" \
	"$(json '[q["params"]["callback_query_id"] for q in j]')" '["771"]'
expect_eq "A callback's actor is taken from message.chat.id, not from.id: it does not act as the chat's owner" \
	"$(status_of 2)" not_started

# A press in a group (a reminder forwarded there): refused, with a toast, nothing sent to the group.
ctl update "{\"callback_query\": {\"id\": \"772\", \"from\": {\"id\": 1001, \"is_bot\": false, \"first_name\": \"An\"}, \"chat_instance\": \"-2\", \"data\": \"t:2:done\", \"message\": {\"message_id\": $REMINDER, \"date\": 1767000000, \"chat\": {\"id\": -1001234567890, \"type\": \"supergroup\", \"title\": \"Tổ công tác\"}, \"text\": \"x\"}}}"
calls answerCallbackQuery 2
expect_eq "A callback's actor is taken from message.chat.id, not from.id: a press in a group is answered 'private chats only'" \
	"$(json '"tin nhắn riêng" in j[1]["params"]["text"]')" true
expect_eq "and changes nothing" "$(status_of 2)" not_started
expect_grep "and the log says whose press was ignored, where" serve.log \
	"user 1001 pressed a button outside their private chat \\(in supergroup chat -1001234567890\\), ignoring"
expect_eq "and nothing is sent to the group" \
	"$(curl -s "$API/control/calls?method=sendMessage" | $PY -c 'import json,sys; print([c["params"].get("chat_id") for c in json.load(sys.stdin) if str(c["params"].get("chat_id")) == "-1001234567890"])')" "[]"

# The owner's own press, in the private chat, still works.
ctl callback "{\"chat_id\": 1001, \"message_id\": $REMINDER, \"data\": \"t:2:done\"}"
calls answerCallbackQuery 3
expect_eq "An's own press records task 2 done" "$(status_of 2)" done
expect_eq "as An, through Telegram" \
	"$(sql "SELECT actor || ' ' || channel FROM event WHERE task_id = 2 AND kind = 'status' ORDER BY id DESC LIMIT 1")" \
	"Nguyễn Văn An telegram"

# A viewer's press (a forged button on their own chat) is refused too.
ctl update "{\"callback_query\": {\"id\": \"773\", \"from\": {\"id\": 1002, \"is_bot\": false, \"first_name\": \"Lan\"}, \"chat_instance\": \"-3\", \"data\": \"t:3:done\", \"message\": {\"message_id\": 1, \"date\": 0, \"chat\": {\"id\": 1002, \"type\": \"private\", \"first_name\": \"Lan\"}}}}"
calls answerCallbackQuery 4
expect_eq "a viewer's button press is refused with a toast" "$(json '"quyền xem" in j[3]["params"]["text"]')" true
expect_eq "and task 3 is untouched" "$(status_of 3)" not_started
daemon_stop
expect_no_grep "the daemon logged no failure" serve.log "cannot handle update"
exit 0

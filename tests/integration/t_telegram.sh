# Officials answering from Telegram, end to end: the real daemon polls a
# fake Bot API server (tests/fake_telegram.py, which answers as
# CHAT-APIS.md says Telegram does) and what the tests check is what an
# official's phone would show and what the registry keeps:
# linking with a code, an unlinked chat, /viec, a reminder with buttons,
# a reply-to note, a button press (answered, the reminder redrawn), a
# cross-agency attempt refused, an extension asked and approved (both
# told), 429 then success, 403 then fallback and the secretariat told,
# a 400 about one message sent by email without giving up the chat,
# and a daemon stopped and killed mid-poll with no update lost or doubled.
. "$(dirname "$0")/../lib.sh"

TOKEN=7000000001:AAtesttoken_for_dondoc
fake_telegram_start "$TOKEN"

jq_sent() { # EXPR over the sent messages (j)
	curl -s "$API/control/sent" >out
	json "$1"
}

{ conf_general tick=1; conf_telegram; } >dondoc.conf
export DONDOC_CONFIG="$T/dondoc.conf"

drain() { # waits (up to 20 s) until the outbox has nothing left to send now
	i=0
	while [ "$(sqlite3 "$DONDOC_DB" "SELECT count(*) FROM message WHERE kind = 'reply' AND (state = 'sending' OR (state = 'pending' AND attempts = 0))")" != 0 ] &&
	      [ $i -lt 200 ]; do
		sleep 0.1; i=$((i + 1))
	done
}

export DONDOC_NOW=2025-09-27T09:00
run "$DONDOC" init
printf "$HDR"'1.\tBáo cáo chuyển đổi số ngành y tế\t%s\tSở Y tế\t30/9/2025\n2.\tRà soát thủ tục hành chính nội bộ\t%s\tSở Nội vụ\t31/10/2025\n' \
	"$DOC" "$DOC" >tasks.tsv
expect_rc 0 "import two tasks" "$DONDOC" import tasks.tsv
run "$DONDOC" person add --name "Nguyễn Văn An" --agency syt --role focal
run "$DONDOC" person add --name "Phạm Thị Dung" --agency snv --role secretariat
run "$DONDOC" person add --name "Lê Văn Cường" --agency snv --role focal
code() { "$DONDOC" person invite "$1" | sed -n 's/^Mã liên kết: \([A-Z0-9]*\).*/\1/p'; }
CODE_AN=$(code 1)
CODE_DUNG=$(code 2)
CODE_CUONG=$(code 3)
"$DONDOC" person invite 1 >invite.txt
expect_grep "invite prints the t.me link with the code" invite.txt \
	"^Đường dẫn: https://t.me/dondoc_test_bot\\?start=[A-Z0-9]{12}$"

expect_rc 0 "doctor checks the bot token with Telegram" "$DONDOC" doctor
expect_grep "and names the bot" out "telegram.*bot @dondoc_test_bot answers"
printf 'wrong:token\n' >badtoken
sed "s|^token_file = .*|token_file = $T/badtoken|" dondoc.conf >bad.conf
expect_rc 1 "doctor with a token Telegram refuses: exit 1" env DONDOC_CONFIG="$T/bad.conf" "$DONDOC" doctor
expect_grep "and says the token is wrong" out "telegram.*401 Unauthorized.*token_file"
expect_rc 78 "serve refuses to start with it (exit 78)" env DONDOC_CONFIG="$T/bad.conf" "$DONDOC" serve --once
expect_grep "naming the token file" err "token_file: Telegram refuses the token \\(401"

# --- a Saturday: linking, and answers that go out whatever the day ---------------------------
daemon_start DONDOC_NOW=2025-09-27T09:00
ctl message '{"chat_id": 1003, "text": "/viec"}'
sent 1
expect_eq "an unlinked chat is told how to link, and nothing else" \
	"$(json '[(m["chat_id"], "chưa được liên kết" in m["text"], "/start" in m["text"]) for m in j]')" \
	'[[1003, true, true]]'
ctl message "{\"chat_id\": 1001, \"text\": \"/start $CODE_AN\"}"
ctl message "{\"chat_id\": 1002, \"text\": \"/start $CODE_DUNG\"}"
ctl message "{\"chat_id\": 1004, \"text\": \"/start@dondoc_test_bot $CODE_CUONG\"}"
sent 4
expect_eq "/start CODE links the chat to the person (person list)" \
	"$("$DONDOC" person list --json | $PY -c 'import json,sys; print([(p["id"], p["telegram"]) for p in json.load(sys.stdin)])')" \
	"[(1, '1001'), (2, '1002'), (3, '1004')]"
expect_eq "each is greeted by name" \
	"$(jq_sent '[("Nguyễn Văn An" in m["text"]) for m in j if m["chat_id"] == 1001]')" '[true]'
ctl message "{\"chat_id\": 1005, \"text\": \"/start $CODE_AN\"}"
sent 5
expect_eq "a code works once" "$(jq_sent '"không đúng hoặc đã hết hạn" in j[-1]["text"]')" "true"
drain
daemon_stop

# --- a daemon stopped, then killed, while updates wait: none lost, none doubled -------------------
for p in 11 12 13; do ctl message "{\"chat_id\": 1001, \"text\": \"/tiendo 1 $p%\"}"; done
daemon_start DONDOC_NOW=2025-09-27T09:00
sent 8
daemon_stop
for p in 21 22 23 24 25; do ctl message "{\"chat_id\": 1001, \"text\": \"/tiendo 1 $p%\"}"; done
daemon_start DONDOC_NOW=2025-09-27T09:00
sleep 0.3
kill -9 $daemon
wait $daemon 2>/dev/null
daemon_start DONDOC_NOW=2025-09-27T09:00
calls getUpdates 1
i=0
while [ "$(sqlite3 "$DONDOC_DB" "SELECT count(*) FROM chat_update")" -lt 13 ] && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
expect_eq "every update was handled once, across a stop and a kill -9" \
	"$(sqlite3 "$DONDOC_DB" "SELECT count(*), count(DISTINCT update_id) FROM chat_update")" "13|13"
expect_eq "eight progress reports, eight progress events, in order" \
	"$(sqlite3 "$DONDOC_DB" "SELECT group_concat(new_value, ' ') FROM (SELECT new_value FROM event WHERE kind = 'progress' AND channel = 'telegram' ORDER BY id)")" \
	"11 12 13 21 22 23 24 25"
i=0
while [ "$(curl -s "$API/control/pending")" != "[]" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
expect_eq "nothing is left unacknowledged at Telegram" "$(curl -s "$API/control/pending")" "[]"
drain
daemon_stop

# --- Monday: a reminder with buttons, and what officials do with it -------------------------------
ctl reset '{}'
daemon_start DONDOC_NOW=2025-09-29T09:00
sent 1
[ -n "${KEEP:-}" ] && cp out first-sent.json
expect_eq "the reminder goes to An's chat, in HTML, with buttons for task 1" \
	"$(json '[(m["chat_id"], m["parse_mode"], [b["callback_data"] for r in m["reply_markup"]["inline_keyboard"] for b in r]) for m in j]')" \
	'[[1001, "HTML", ["t:1:done", "t:1:prog", "t:1:ext"]]]'
REMINDER=$(json 'j[0]["message_id"]')
expect_eq "the reminder names the task and its deadline" \
	"$(json '"Báo cáo chuyển đổi số ngành y tế" in j[0]["text"] and "30/09/2025" in j[0]["text"]')" "true"

ctl message '{"chat_id": 1001, "text": "/viec"}'
sent 2
expect_eq "/viec lists the agency's open task with its number" \
	"$(json '"[1]" in j[-1]["text"] and "Rà soát" not in j[-1]["text"]')" "true"
expect_eq "the answer replies to the command" "$(json 'j[-1]["chat_id"]')" "1001"

ctl message '{"chat_id": 1001, "text": "/xong 2"}'
sent 3
expect_eq "another agency's task is refused, in Vietnamese" \
	"$(json '"không thuộc cơ quan của đồng chí" in j[-1]["text"]')" "true"
run "$DONDOC" task show 2 --json
expect_eq "and stays as it was" "$(json 'j["status"]')" "not_started"

ctl message "{\"chat_id\": 1001, \"text\": \"Đã trình dự thảo báo cáo <lần 2> & chờ ý kiến\", \"reply_to_message_id\": $REMINDER}"
sent 4
run "$DONDOC" task show 1 --json
expect_eq "a reply to the reminder is a progress note on its task" \
	"$(json '[e["text"] for e in j["events"] if e["kind"] == "note"]')" \
	'["Đã trình dự thảo báo cáo <lần 2> & chờ ý kiến"]'
expect_eq "the confirmation shows the note, escaped" \
	"$(jq_sent '"&lt;lần 2&gt; &amp;" in j[-1]["raw_text"]')" "true"

ctl callback "{\"chat_id\": 1001, \"message_id\": $REMINDER, \"data\": \"t:1:prog\"}"
calls answerCallbackQuery 1
expect_eq "a button press is answered" "$(json 'j[0]["status"]')" "200"
sent 5
expect_eq "the progress button asks for the figure, the reply field open (ForceReply)" \
	"$(jq_sent '["[1]" in j[-1]["text"] and "60%" in j[-1]["text"], j[-1]["reply_markup"]]')" \
	'[true, {"force_reply": true, "input_field_placeholder": "60%"}]'
ASK=$(jq_sent 'j[-1]["message_id"]')
ctl message "{\"chat_id\": 1001, \"text\": \"60\", \"reply_to_message_id\": $ASK}"
sent 6
run "$DONDOC" task show 1 --json
expect_eq "a bare 60 in reply to the question is the task's progress, from Telegram" \
	"$(json '[j["progress"], [e["channel"] for e in j["events"] if e["kind"] == "progress"][-1]]')" \
	'[60, "telegram"]'
expect_eq "and the answer says so" \
	"$(jq_sent '"Đã ghi nhận tiến độ" in j[-1]["text"] and "60%" in j[-1]["text"]')" "true"

# Commands as officials type them, from the phone (issue 12).
ctl message '{"chat_id": 1001, "text": "tiến độ nhiệm vụ 1 70%."}'
sent 7
run "$DONDOC" task show 1 --json
expect_eq "'tiến độ nhiệm vụ 1 70%.' (filler words, a full stop) is task 1's progress" \
	"$(json 'j["progress"]')" 70
ctl message '{"chat_id": 1001, "text": "cảm ơn"}'
sent 8
expect_eq "'cảm ơn' gets a polite answer, not 'chưa hiểu'" \
	"$(jq_sent '["cảm ơn" in j[-1]["text"].lower(), "chưa hiểu" in j[-1]["text"]]')" '[true, false]'

ctl callback "{\"chat_id\": 1001, \"message_id\": $REMINDER, \"data\": \"t:1:done\"}"
calls editMessageText 1
expect_eq "the reminder is redrawn: done recorded, no buttons left" \
	"$(json '["Đã ghi nhận hoàn thành" in j[0]["params"]["text"], j[0]["params"]["reply_markup"]["inline_keyboard"]]')" \
	'[true, []]'
# The answer to "cảm ơn" went a moment before: the redraw, by the same paced client, waits.
expect_eq "the redraw waits its turn: a second or more after the last message to the chat (A8)" \
	"$(jq_sent '[round(j[e]["t"] - [m for m in j[:e] if m["chat_id"] == 1001][-1]["t"], 1) >= 0.9 for e in [max(k for k, m in enumerate(j) if m["method"] == "editMessageText")]]')" \
	'[true]'
run "$DONDOC" task show 1 --json
expect_eq "the task is done, at 100%, through Telegram" \
	"$(json '[j["status"], j["progress"], [e["channel"] for e in j["events"] if e["kind"] == "status"][-1]]')" \
	'["done", 100, "telegram"]'
expect_eq "its pending notices are cancelled" \
	"$(sqlite3 "$DONDOC_DB" "SELECT count(*) FROM notice WHERE task_id = 1 AND state = 'queued'")" 0
calls answerCallbackQuery 2
expect_eq "the toast says it was recorded" "$(json '"Đã ghi nhận" in j[1]["params"]["text"]')" "true"

ctl callback "{\"chat_id\": 1001, \"message_id\": $REMINDER, \"data\": \"t:2:done\"}"
calls answerCallbackQuery 3
run "$DONDOC" task show 2 --json
expect_eq "a forged button (a task not on that reminder) changes nothing" "$(json 'j["status"]')" "not_started"

# --- a deadline extension, asked and approved: both told ----------------------------------------
drain
n=$(jq_sent 'len(j)')
ctl message '{"chat_id": 1004, "text": "/giahan 2 31/12/2025 chờ hướng dẫn của Bộ Nội vụ"}'
sent $((n + 2))
expect_eq "the requester is told, and the secretariat is asked with the commands to decide" \
	"$(json '[m["chat_id"] for m in j[-2:]], any("/duyet 1" in m["text"] and m["chat_id"] == 1002 for m in j[-2:])')" \
	'[[1004, 1002], true]'
ctl message '{"chat_id": 1002, "text": "/duyet 1"}'
sent $((n + 4))
expect_eq "the decision is confirmed to the secretariat and told to the requester" \
	"$(json 'sorted(m["chat_id"] for m in j[-2:])')" '[1002, 1004]'
run "$DONDOC" task show 2 --json
expect_eq "the deadline moved to 31/12/2025" "$(json 'j["due"]')" "2025-12-31"

# --- 429, then success: retry_after is honoured --------------------------------------------------
drain
daemon_stop
ctl reset '{}'
ctl fail '{"method": "sendMessage", "count": 1, "error_code": 429, "retry_after": 30}'
daemon_start DONDOC_NOW=2025-09-29T10:00
ctl message '{"chat_id": 1001, "text": "/baocao"}'
calls sendMessage 1
expect_eq "Telegram says 429 with retry_after" \
	"$(json '[j[0]["status"], j[0]["response"]["parameters"]["retry_after"]]')" '[429, 30]'
daemon_stop
run sqlite3 "$DONDOC_DB" "SELECT state, last_error FROM message WHERE kind = 'reply' ORDER BY id DESC LIMIT 1"
expect_grep "the answer waits in the outbox, with Telegram's reason" out \
	"^pending\|429 Too Many Requests: retry after 30"
daemon_start DONDOC_NOW=2025-09-29T10:00:20
sleep 1.5
expect_eq "before retry_after has passed, nothing is sent again" \
	"$(curl -s "$API/control/calls?method=sendMessage" | $PY -c 'import json,sys; print(len(json.load(sys.stdin)))')" 1
daemon_stop
# The dispatcher waits max(retry_after, its own backoff of a minute +- 20 %).
daemon_start DONDOC_NOW=2025-09-29T10:03
calls sendMessage 2
expect_eq "after it, the answer goes through" "$(json '[j[1]["status"], "Tình hình thực hiện" in j[1]["params"]["text"]]')" '[200, true]'
drain
daemon_stop

# --- 403: the person blocked the bot; fall back to email and tell the secretariat ------------------
ctl reset '{}'
ctl block '{"chat_id": 1001, "blocked": true, "notify": false}'
PORT=$(free_port)
mkdir mail
smtpd_start --no-starttls
{ cat dondoc.conf; printf '[smtp]\nhost = 127.0.0.1\nport = %s\nstarttls = off\nfrom = dondoc@example.gov.vn\n' "$PORT"; } >smtp.conf
sqlite3 "$DONDOC_DB" "INSERT INTO address(person_id, channel, value) VALUES (1, 'email', 'an@example.gov.vn');
	UPDATE task SET status = 'in_progress', done_at = NULL, next_notice = NULL, planned_through = NULL WHERE id = 1"
daemon_start DONDOC_CONFIG="$T/smtp.conf" DONDOC_NOW=2025-10-01T09:00
i=0
while [ "$(broken telegram 1)" != 1 ] && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
expect_eq "a 403 marks An's Telegram broken" \
	"$(broken telegram 1)" 1
i=0
while ! ls mail/*.eml >/dev/null 2>&1 && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
expect_eq "the reminder goes again by email, to An's address" \
	"$($PY -c 'import email, glob, sys
from email import policy
ms = [email.message_from_bytes(open(f, "rb").read(), policy=policy.default) for f in sorted(glob.glob("mail/*.eml"))]
print([(m["To"].addresses[0].addr_spec, "Báo cáo chuyển đổi số ngành y tế" in m.get_body(("plain",)).get_content()) for m in ms])')" \
	"[('an@example.gov.vn', True)]"
sent 1
expect_eq "the secretariat is told on Telegram that An cannot be reached there" \
	"$(json '[(m["chat_id"], "Nguyễn Văn An" in m["text"], "bot was blocked" in m["text"]) for m in j]')" \
	'[[1002, true, true]]'

# A 400 about the message, not the chat: that message goes by email, the chat stays in use.
# Unblocked as Telegram tells it (my_chat_member): An's Telegram works again, with its event.
ctl block '{"chat_id": 1001, "blocked": false}'
i=0
while [ "$(broken telegram 1)" != 0 ] && [ $i -lt 100 ]; do
	sleep 0.1; i=$((i + 1))
done
expect_eq "the 403 and the unblock are events of dondoc's, through Telegram" \
	"$(sqlite3 "$DONDOC_DB" "SELECT group_concat(actor || ':' || channel || ':' || new_value, ' ') FROM (SELECT * FROM event WHERE kind = 'person.address' ORDER BY id)")" \
	"dondoc:telegram:broken dondoc:telegram:working"
ctl fail '{"method": "sendMessage", "count": 1, "error_code": 400, "description": "Bad Request: message is too long", "chat_id": 1001}'
ctl message '{"chat_id": 1001, "text": "/viec"}'
i=0
while [ "$(ls mail/*.eml 2>/dev/null | wc -l)" -lt 2 ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
expect_eq "Telegram refusing a message (400 too long): the answer goes by email instead" \
	"$($PY -c 'import email, glob
from email import policy
m = email.message_from_bytes(open(sorted(glob.glob("mail/*.eml"))[-1], "rb").read(), policy=policy.default)
print(m["To"].addresses[0].addr_spec, "Nhiệm vụ chưa hoàn thành" in m.get_body(("plain",)).get_content())')" \
	"an@example.gov.vn True"
expect_eq "and An's Telegram is not marked broken for it" \
	"$(broken telegram 1)" 0
n=$(jq_sent 'len(j)')
ctl message '{"chat_id": 1001, "text": "/quahan"}'
sent $((n + 1))
expect_eq "the next answer to An goes by Telegram again" \
	"$(json '[m["chat_id"] for m in j if m["chat_id"] == 1001 and "quá hạn" in m["text"]]')" '[1001]'
# Markup Telegram cannot parse: the words go again as plain text, tags dropped, entities undone.
ctl fail '{"method": "sendMessage", "count": 1, "error_code": 400, "description": "Bad Request: can'"'"'t parse entities: Unsupported start tag \"b\" at byte offset 0", "chat_id": 1001}'
n=$(jq_sent 'len(j)')
ctl message '{"chat_id": 1001, "text": "/viec"}'
sent $((n + 1))
expect_eq "Telegram refusing a message's formatting: it goes again as plain text" \
	"$(json "[(m[\"chat_id\"], m[\"parse_mode\"] or None, \"<\" in m[\"raw_text\"], \"&amp;\" in m[\"raw_text\"]) for m in j[$n:]]")" \
	'[[1001, null, false, false]]'
daemon_stop
expect_no_grep "the plain-text fallback leaks nothing (LeakSanitizer, build/san)" serve.log "LeakSanitizer"
smtpd_stop

# --- pacing: one message a second to one chat ------------------------------------------------------
ctl reset '{}'
daemon_start DONDOC_NOW=2025-10-01T09:30
for c in /viec /quahan /baocao; do ctl message "{\"chat_id\": 1002, \"text\": \"$c\"}"; done
sent 3
expect_eq "three answers to one chat are a second apart or more" \
	"$(json '[round(b["t"] - a["t"], 1) >= 0.9 for a, b in zip(j, j[1:])]')" '[true, true]'
daemon_stop

# --- a message over 4096 characters: cut between tasks, every part valid -------------------------
ctl reset '{}'
{
	printf "$HDR"
	for i in $(seq 1 60); do
		printf '%d.\tNhiệm vụ số %d về chuyển đổi số, cải cách hành chính và phát triển khoa học công nghệ của tỉnh trong giai đoạn 2025-2030 <mục %d> & các nội dung liên quan\t%s\tSở Tài chính\t3/10/2025\n' \
			"$i" "$i" "$i" "$DOC"
	done
} >many.tsv
# Changes are dated after the last ones (the history runs forward).
export DONDOC_NOW=2025-10-01T09:00
run "$DONDOC" import many.tsv
run "$DONDOC" person add --name "Hoàng Thị Hoa" --agency stc --role focal
run "$DONDOC" chat --telegram 1006 "/start $(code 4)"
ctl chat '{"chat_id": 1006, "first_name": "Hoa"}'
daemon_start DONDOC_NOW=2025-10-01T09:00
i=0
while [ "$(sqlite3 "$DONDOC_DB" "SELECT count(*) FROM message WHERE person_id = 4 AND kind = 'reminder' AND state = 'sent'")" != 1 ] &&
      [ $i -lt 200 ]; do
	sleep 0.1; i=$((i + 1))
done
daemon_stop
curl -s "$API/control/calls?method=sendMessage" >out
expect_eq "the reminder of 60 tasks went as several messages, all taken by Telegram" \
	"$(json 'sorted(set(c["status"] for c in j if c["params"]["chat_id"] == "1006")) + [len([c for c in j if c["params"]["chat_id"] == "1006"]) > 1]')" \
	'[200, true]'
expect_eq "each part is within 4096 characters, cut between tasks, all 60 tasks in order" \
	"$(json '(lambda ps: [all(len(p.encode("utf-16-le")) // 2 <= 4096 for p in ps), [int(x) for p in ps for x in __import__("re").findall(r"Nhiệm vụ số (\d+) về", p)] == list(range(1, 61))])([c["params"]["text"] for c in j if c["params"]["chat_id"] == "1006"])')" \
	'[true, true]'
# The chain is whole; the replay names the edits this test made with
# sqlite3 above (task 1 set back, An's address), and nothing else.
expect_rc 1 "verify: the history is intact but for this test's own sqlite3 edits" "$DONDOC" verify
expect_eq "which it names: task 1's status and done_at, person 1's email" \
	"$(grep -c "^task 1: status is 'in_progress'\|^task 1: done_at is none\|^person 1: email is 'an@example.gov.vn'" err)|$(grep -c 'differs from its history in 3 places' err)" "3|1"
exit 0

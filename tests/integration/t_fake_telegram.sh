# The fake Telegram Bot API server (tests/fake_telegram.py) that the
# Telegram tests talk to, tested on its own with curl: the envelopes and
# error descriptions of the real API, tdlib's HTML parsing and length rules
# in UTF-16 units, the scripted failures (429 with Retry-After, a dropped
# connection), long polling with offsets and conflicts, the shapes of the
# updates it makes up (compared with real ones from ../shared/refdata),
# callbacks, edits, commands, and webhook delivery with retries.
. "$(dirname "$0")/../lib.sh"

TOKEN=7000000001:AAE-fake_token_for_tests
LAN=5120443987
FAKE="" HOOK=""
start_fake() { # ARGS...: (re)starts the fake; sets PORT, API and CTL
	stop_fake
	rm -f ready
	$PY "$TOP/tests/fake_telegram.py" --port 0 --token "$TOKEN" --ready-file "$T/ready" "$@" >fake.out 2>>fake.log &
	FAKE=$!
	i=0
	while [ ! -s ready ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	PORT=$(cat ready 2>/dev/null)
	API=http://127.0.0.1:$PORT/bot$TOKEN
	CTL=http://127.0.0.1:$PORT/control
}
stop_fake() { [ -n "$FAKE" ] && kill "$FAKE" 2>/dev/null && wait "$FAKE" 2>/dev/null; FAKE=""; }
stop_hook() { [ -n "$HOOK" ] && kill "$HOOK" 2>/dev/null && wait "$HOOK" 2>/dev/null; HOOK=""; }
trap 'stop_fake; stop_hook; chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT

# api METHOD CURL-ARGS...: a Bot API call; the body in out, headers in hdr, the status in $code.
api() {
	m=$1
	shift
	code=$(curl -s -o out -D hdr -w '%{http_code}' "$API/$m" "$@")
}
# ctl PATH [JSON]: a control call, POST when there is a body; the answer in out.
ctl() {
	if [ $# -gt 1 ]; then
		curl -s -o out -H 'Content-Type: application/json' --data-binary "$2" "$CTL/$1"
	else
		curl -s -o out "$CTL/$1"
	fi
}
# jsonwith EXPR ARG: like json, with the string ARG bound to a.
jsonwith() {
	$PY -c 'import json,sys; j=json.load(open("out")); a=sys.argv[2]; r=eval(sys.argv[1]); print(json.dumps(r, ensure_ascii=False))' "$1" "$2"
}
# desc: "STATUS description" of the last api call.
desc() { echo "$code $(json 'j.get("description")')"; }
# utf16 STRING: its length in UTF-16 code units.
utf16() { $PY -c 'import sys; print(len(sys.argv[1].encode("utf-16-le")) // 2)' "$1"; }

start_fake
if ! [ "$PORT" -gt 0 ] 2>/dev/null; then
	fail "the fake starts and writes its port to the ready file" "$(cat fake.log)"
	exit 0
fi
pass "the fake starts and writes its port to the ready file"
expect_grep "it says where it listens" fake.out "^listening on $PORT$"

# --- envelopes, getMe, the token ----------------------------------------------------------------------
api getMe
expect_eq "getMe answers 200 with the bot's User" \
	"$code $(json '[j["ok"], j["result"]["id"], j["result"]["is_bot"], j["result"]["username"], j["result"]["first_name"]]')" \
	'200 [true, 7000000001, true, "dondoc_test_bot", "Đôn đốc"]'
expect_eq "getMe says what the bot may do" \
	"$(json '[k for k in ("can_join_groups", "can_read_all_group_messages", "supports_inline_queries") if k in j["result"]]')" \
	'["can_join_groups", "can_read_all_group_messages", "supports_inline_queries"]'
api GETME
expect_eq "method names are case-insensitive" "$code $(json 'j["ok"]')" "200 true"
code=$(curl -s -o out -w '%{http_code}' "http://127.0.0.1:$PORT/bot123:wrong/getMe")
expect_eq "a wrong token: 401 and exactly the real body" "$code $(json 'j == {"ok": False, "error_code": 401, "description": "Unauthorized"}')" "401 true"
api sendSticker
expect_eq "an unknown method: 404 method not found" "$(desc)" "404 Not Found: method not found"

# --- sendMessage: chats -------------------------------------------------------------------------------
api sendMessage -d chat_id=$LAN -d text=Chào
expect_eq "sendMessage to a chat never seen: 400 chat not found" "$(desc)" "400 Bad Request: chat not found"
api sendMessage -d text=Chào
expect_eq "sendMessage without chat_id: 400 chat_id is empty" "$(desc)" "400 Bad Request: chat_id is empty"
ctl chat "{\"chat_id\": $LAN, \"first_name\": \"Lan\", \"username\": \"lan\", \"language_code\": \"vi\"}"
api sendMessage -d chat_id=$LAN
expect_eq "sendMessage without text: 400 message text is empty" "$(desc)" "400 Bad Request: message text is empty"
api sendMessage -d chat_id=$LAN --data-urlencode "text=Nhắc việc: báo cáo số 52"
expect_eq "sendMessage to a chat that started the bot: ok, message_id 1000" \
	"$code $(json '[j["ok"], j["result"]["message_id"], j["result"]["chat"], j["result"]["from"]["is_bot"], j["result"]["text"]]')" \
	'200 [true, 1000, {"id": 5120443987, "first_name": "Lan", "username": "lan", "type": "private"}, true, "Nhắc việc: báo cáo số 52"]'
api sendMessage -H 'Content-Type: application/json' -d "{\"chat_id\": $LAN, \"text\": \"JSON body\", \"disable_notification\": true}"
expect_eq "a JSON body works as well; the next message_id is 1001" "$code $(json 'j["result"]["message_id"]')" "200 1001"
api "sendMessage?chat_id=$LAN&text=query%20string"
expect_eq "and so do query string parameters" "$code $(json 'j["result"]["text"]')" "200 query string"
ctl chat '{"chat_id": 6100000001, "first_name": "Bình", "started": false}'
api sendMessage -d chat_id=6100000001 -d text=x
expect_eq "a user who never pressed Start: 403 can't initiate conversation" "$(desc)" \
	"403 Forbidden: bot can't initiate conversation with a user"

# --- HTML and lengths ------------------------------------------------------------------------------------
api sendMessage -d chat_id=$LAN -d parse_mode=HTML --data-urlencode 'text=<b>Báo cáo</b> &lt;Sở Y tế&gt; <a href="https://example.gov.vn/t?id=52&amp;x=1">xem</a>'
expect_eq "HTML: tags become entities (UTF-16 offsets), references are decoded" \
	"$code $(json '[j["result"]["text"], j["result"]["entities"]]')" \
	'200 ["Báo cáo <Sở Y tế> xem", [{"offset": 0, "length": 7, "type": "bold"}, {"offset": 18, "length": 3, "type": "text_link", "url": "https://example.gov.vn/t?id=52&x=1"}]]'
api sendMessage -d chat_id=$LAN -d parse_mode=HTML --data-urlencode 'text=Dòng 1<br>Dòng 2'
expect_eq "HTML: <br> is refused as Telegram does" "$(desc)" \
	"400 Bad Request: can't parse entities: Unsupported start tag \"br\" at byte offset 7"
api sendMessage -d chat_id=$LAN -d parse_mode=HTML --data-urlencode 'text=<b>đậm <i>nghiêng</b></i>'
expect_eq "HTML: mis-nested tags are refused" "$(desc)" \
	"400 Bad Request: can't parse entities: Unmatched end tag at byte offset 21, expected \"</i>\", found \"</b>\""
api sendMessage -d chat_id=$LAN -d parse_mode=HTML --data-urlencode 'text=<b>chưa đóng'
expect_eq "HTML: an unclosed tag is refused" "$(desc)" \
	"400 Bad Request: can't parse entities: Can't find end tag corresponding to start tag \"b\""
api sendMessage -d chat_id=$LAN -d parse_mode=HTML --data-urlencode 'text=tiến độ < 50%'
expect_eq "HTML: a bare < is refused" "$(desc)" \
	"400 Bad Request: can't parse entities: Unsupported start tag \"\" at byte offset 13"
api sendMessage -d chat_id=$LAN -d parse_mode=HTML --data-urlencode 'text=Sở KH&CN'
expect_eq "HTML: a bare & that is no reference stays text, as on the real server" \
	"$code $(json 'j["result"]["text"]')" "200 Sở KH&CN"
api sendMessage -d chat_id=$LAN -d parse_mode=HTML --data-urlencode 'text=<b> </b>'
expect_eq "HTML: a text with nothing visible: 400 message must be non-empty" "$(desc)" \
	"400 Bad Request: message must be non-empty"

$PY -c 'print("ệ" * 4096, end="")' >t4096
$PY -c 'print("ệ" * 4097, end="")' >t4097
$PY -c 'print("ệ" * 4094 + "😀", end="")' >e4096
$PY -c 'print("ệ" * 4095 + "😀", end="")' >e4097
$PY -c 'print("ệ" * 11000, end="")' >t33000
api sendMessage -d chat_id=$LAN --data-urlencode text@t4096
expect_eq "4096 Vietnamese letters (12288 bytes) pass" "$code $(json 'len(j["result"]["text"])')" "200 4096"
api sendMessage -d chat_id=$LAN --data-urlencode text@t4097
expect_eq "4097 are refused: 400 message is too long" "$(desc)" "400 Bad Request: message is too long"
if [ -n "$SHARED" ]; then
	expect_eq "that body is exactly the real one (refdata too_long.json)" \
		"$(json "j == json.load(open('$SHARED/refdata/telegram/nutgram/responses/too_long.json'))")" true
else
	skip "that body is exactly the real one (refdata too_long.json)" "../shared is missing"
fi
api sendMessage -d chat_id=$LAN --data-urlencode text@e4096
expect_eq "4094 letters and an emoji outside the BMP (2 UTF-16 units) pass" "$code $(json 'j["ok"]')" "200 true"
api sendMessage -d chat_id=$LAN --data-urlencode text@e4097
expect_eq "4095 letters and the emoji are 4097 units: refused" "$(desc)" "400 Bad Request: message is too long"
api sendMessage -d chat_id=$LAN --data-urlencode text@t33000
expect_eq "over 32768 bytes before parsing: 400 text is too long" "$(desc)" "400 Bad Request: text is too long"

# --- keyboards ---------------------------------------------------------------------------------------------
d64=$($PY -c 'print("t:" + "ệ" * 20 + "x" * 2)')   # 2 + 60 + 2 = 64 bytes, 24 characters
d65=$($PY -c 'print("t:" + "ệ" * 20 + "x" * 3)')
api sendMessage -d chat_id=$LAN -d text=k --data-urlencode "reply_markup={\"inline_keyboard\":[[{\"text\":\"Xong\",\"callback_data\":\"$d64\"}]]}"
expect_eq "callback_data of 64 bytes passes" "$code $(json 'j["result"]["reply_markup"]["inline_keyboard"][0][0]["text"]')" "200 Xong"
api sendMessage -d chat_id=$LAN -d text=k --data-urlencode "reply_markup={\"inline_keyboard\":[[{\"text\":\"Xong\",\"callback_data\":\"$d65\"}]]}"
expect_eq "callback_data of 65 bytes (24 characters): 400 BUTTON_DATA_INVALID" "$(desc)" "400 Bad Request: BUTTON_DATA_INVALID"
api sendMessage -d chat_id=$LAN -d text=k --data-urlencode 'reply_markup={"inline_keyboard":[[{"text":"Xong"}]]}'
expect_eq "a button with no action is refused" "$(desc)" \
	"400 Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard"
KB='{"inline_keyboard":[[{"text":"Xong","callback_data":"t:52:done"},{"text":"Gia hạn","callback_data":"t:52:ext"}]]}'
api sendMessage -d chat_id=$LAN -d parse_mode=HTML --data-urlencode "text=<b>Báo cáo 52</b> đến hạn" --data-urlencode "reply_markup=$KB"
KBMSG=$(json 'j["result"]["message_id"]')
expect_eq "the Message carries the keyboard as sent" "$(jsonwith 'j["result"]["reply_markup"] == json.loads(a)' "$KB")" true

# --- scripted failures ----------------------------------------------------------------------------------------
ctl fail '{"method": "sendMessage", "error_code": 429, "retry_after": 3}'
api sendMessage -d chat_id=$LAN -d text=a
expect_eq "scripted 429: status 429 and the description" "$(desc)" "429 Too Many Requests: retry after 3"
expect_grep "scripted 429: a Retry-After header" hdr "^Retry-After: 3"
expect_eq "scripted 429: parameters.retry_after" "$(json 'j["parameters"]')" '{"retry_after": 3}'
cp out r429.json
api sendMessage -d chat_id=$LAN -d text=a
expect_eq "the failure is used up: the next call goes through" "$code" 200
ctl fail '{"method": "sendMessage", "disconnect": true}'
expect_rc 52 "scripted disconnect: curl gets an empty reply (exit 52)" curl -s "$API/sendMessage" -d chat_id=$LAN -d text=a
ctl fail "{\"method\": \"sendMessage\", \"error_code\": 500, \"chat_id\": 6100000001}"
api sendMessage -d chat_id=$LAN -d text=a
expect_eq "a failure for another chat leaves this one alone" "$code" 200
api sendMessage -d chat_id=6100000001 -d text=a
expect_eq "scripted 500 for that chat, default description" "$(desc)" "500 Internal Server Error"
ctl "calls?method=sendmessage"
expect_eq "calls are recorded in order, scripted ones marked, with times" \
	"$(json '[(c["status"], c.get("scripted", False), c.get("disconnected", False)) for c in j[-5:]] + [isinstance(j[-1]["t"], float)]')" \
	'[[429, true, false], [200, false, false], [null, true, true], [200, false, false], [500, true, false], true]'

ctl block "{\"chat_id\": $LAN, \"blocked\": true}"
api sendMessage -d chat_id=$LAN -d text=a
expect_eq "a chat that blocked the bot: 403 with the exact description" "$(desc)" "403 Forbidden: bot was blocked by the user"
ctl block "{\"chat_id\": $LAN, \"blocked\": false, \"deactivated\": true}"
api sendMessage -d chat_id=$LAN -d text=a
expect_eq "a deleted account: 403 user is deactivated" "$(desc)" "403 Forbidden: user is deactivated"
cp out deactivated.json
if [ -n "$SHARED" ]; then
	R=$SHARED/refdata/telegram/nutgram/responses
	expect_eq "the 429 body has the keys of a real one (refdata too_many_requests.json)" \
		"$($PY -c 'import json,sys; a=json.load(open(sys.argv[1])); b=json.load(open(sys.argv[2])); print(sorted(a) == sorted(b) and sorted(a["parameters"]) == sorted(b["parameters"]))' r429.json "$R/too_many_requests.json")" True
	expect_eq "the deactivated body is exactly the real one (refdata user_deactivated.json)" \
		"$($PY -c 'import json,sys; print(json.load(open(sys.argv[1])) == json.load(open(sys.argv[2])))' deactivated.json "$R/user_deactivated.json")" True
else
	skip "the 429 body has the keys of a real one (refdata too_many_requests.json)" "../shared is missing"
	skip "the deactivated body is exactly the real one (refdata user_deactivated.json)" "../shared is missing"
fi
ctl block "{\"chat_id\": $LAN, \"deactivated\": false}"
ctl pending
expect_eq "blocking and unblocking queued two my_chat_member updates" "$(json 'len(j)')" 2

# --- updates: shapes, long polling, offsets -----------------------------------------------------------------
api getUpdates -d offset=-2
expect_eq "my_chat_member: kicked on blocking, member again on unblocking" \
	"$(json '[(u["my_chat_member"]["old_chat_member"]["status"], u["my_chat_member"]["new_chat_member"]["status"]) for u in j["result"]]')" \
	'[["member", "kicked"], ["kicked", "member"]]'
ctl reset '{}'
ctl message "{\"chat_id\": $LAN, \"text\": \"/xong@dondoc_test_bot 52\"}"
U1=$(json 'j["update_id"]')
ctl message "{\"chat_id\": $LAN, \"text\": \"/tiến_độ 52 80%\"}"
ctl message "{\"chat_id\": $LAN, \"text\": \"Xin gia hạn /giahan 52\"}"
U3=$(json 'j["update_id"]')
api getUpdates -d offset=0
cp out updates.json
expect_eq "three updates in order, message ids from 1" \
	"$(json '[u["message"]["message_id"] for u in j["result"]]')" "[1, 2, 3]"
expect_eq "/xong@bot 52: a bot_command entity of the command and @suffix, in UTF-16 units" \
	"$(json 'j["result"][0]["message"]["entities"]')" \
	"[{\"offset\": 0, \"length\": $(utf16 /xong@dondoc_test_bot), \"type\": \"bot_command\"}]"
expect_eq "/tiến_độ is no command for Telegram (non-ASCII letters), so no entity" \
	"$(json '"entities" in j["result"][1]["message"]')" false
expect_eq "a command later in the text is marked where it is" \
	"$(json 'j["result"][2]["message"]["entities"]')" '[{"offset": 12, "length": 7, "type": "bot_command"}]'
expect_eq "the message's from is the user, chat.id == from.id" \
	"$(json '[j["result"][0]["message"]["from"], j["result"][0]["message"]["chat"]["id"]]')" \
	'[{"id": 5120443987, "is_bot": false, "first_name": "Lan", "username": "lan", "language_code": "vi"}, 5120443987]'
if [ -n "$SHARED" ]; then
	expect_eq "the update and its message have the keys of a real command (refdata command.json)" \
		"$($PY - updates.json "$SHARED/refdata/telegram/nutgram/command.json" <<'PY'
import json, sys
ours = json.load(open(sys.argv[1]))["result"][0]
real = json.load(open(sys.argv[2]))
problems = []
if sorted(ours) != sorted(real):
    problems.append("update keys %s" % sorted(ours))
if sorted(ours["message"]) != sorted(real["message"]):
    problems.append("message keys %s" % sorted(ours["message"]))
# from and chat may lack the optional last_name (this user has none); nothing else.
for part in ("from", "chat"):
    if not set(ours["message"][part]) <= set(real["message"][part]):
        problems.append("%s keys %s" % (part, sorted(ours["message"][part])))
if [sorted(e) for e in ours["message"]["entities"]] != [sorted(e) for e in real["message"]["entities"]]:
    problems.append("entity keys")
print("; ".join(problems) or "same")
PY
)" same
else
	skip "the update and its message have the keys of a real command (refdata command.json)" "../shared is missing"
fi
api getUpdates -d offset=$((U1 + 1))
expect_eq "offset above an update confirms it: the first is gone" "$(json '[u["update_id"] - j["result"][0]["update_id"] for u in j["result"]]')" "[0, 1]"
ctl pending
expect_eq "the server forgot it (pending)" "$(json 'len(j)')" 2
api getUpdates -d offset=$((U3 + 1))
ctl pending
expect_eq "offset past the last confirms everything" "$(cat out)" "[]"

curl -s -o poll.json "$API/getUpdates?offset=$((U3 + 1))&timeout=0" &
poller=$!
sleep 0.5
ctl message "{\"chat_id\": $LAN, \"text\": \"trong 3 giây\"}"
wait $poller
expect_eq "the same offset again within 3 s is held like a long poll (the server's rule)" \
	"$($PY -c 'import json; print([u["message"]["text"] for u in json.load(open("poll.json"))["result"]])')" "['trong 3 giây']"
curl -s -o poll.json "$API/getUpdates?offset=$((U3 + 2))&timeout=5" &
poller=$!
sleep 0.5
ctl message "{\"chat_id\": $LAN, \"text\": \"đến trong lúc chờ\"}"
U4=$(json 'j["update_id"]')
wait $poller
expect_eq "a long poll returns the update queued while it waits" \
	"$($PY -c 'import json; print(json.load(open("poll.json"))["result"][0]["message"]["text"])')" "đến trong lúc chờ"
ctl "calls?method=getUpdates"
expect_eq "and returns as soon as it arrives, not at the timeout" \
	"$(json '0.3 < j[-1]["t_end"] - j[-1]["t"] < 3')" true

curl -s -o first.json "$API/getUpdates?offset=$((U4 + 1))&timeout=5" &
first=$!
sleep 0.3
api getUpdates -d offset=$((U4 + 2)) -d timeout=1
wait $first
expect_eq "a second poller ends the first with 409 Conflict" \
	"$($PY -c 'import json; j=json.load(open("first.json")); print(j["error_code"], j["description"])')" \
	"409 Conflict: terminated by other getUpdates request; make sure that only one bot instance is running"
expect_eq "and gets its own answer (nothing new)" "$code $(json 'j["result"]')" "200 []"

ctl message "{\"chat_id\": $LAN, \"text\": \"một\"}"
ctl message "{\"chat_id\": $LAN, \"text\": \"hai\"}"
ctl message "{\"chat_id\": $LAN, \"text\": \"ba\"}"
api getUpdates -d offset=-1
expect_eq "offset -1 gives the last update only" "$(json '[u["message"]["text"] for u in j["result"]]')" '["ba"]'
ctl pending
expect_eq "and drops the ones before it" "$(json 'len(j)')" 1

# --- replies, callbacks, edits ---------------------------------------------------------------------------------
ctl reset '{}'
api sendMessage -d chat_id=$LAN -d parse_mode=HTML --data-urlencode "text=<b>Báo cáo 52</b> đến hạn" --data-urlencode "reply_markup=$KB"
BOTMSG=$(json 'j["result"]["message_id"]')
ctl message "{\"chat_id\": $LAN, \"text\": \"/xong đã gửi\", \"reply_to_message_id\": $BOTMSG}"
api getUpdates -d offset=0
expect_eq "a reply carries the bot's whole message as reply_to_message" \
	"$(json '[(r["message_id"], r["from"]["is_bot"], r["text"], r["entities"], "reply_to_message" in r) for r in [j["result"][0]["message"]["reply_to_message"]]]')" \
	'[[1000, true, "Báo cáo 52 đến hạn", [{"offset": 0, "length": 10, "type": "bold"}], false]]'
LAST=$(json 'j["result"][-1]["update_id"]')

ctl callback "{\"chat_id\": $LAN, \"message_id\": $BOTMSG, \"data\": \"t:52:done\"}"
CQ=$(json 'j["callback_query_id"]')
ctl callback "{\"chat_id\": $LAN, \"message_id\": 4242, \"data\": \"t:9:done\"}"
api getUpdates -d offset=$((LAST + 1))
cp out callbacks.json
expect_eq "a callback_query: string id, the bot's message with its keyboard, the data" \
	"$(jsonwith '[(c["id"] == a, c["message"]["message_id"], c["message"]["reply_markup"]["inline_keyboard"][0][0]["callback_data"], c["data"], c["from"]["id"]) for c in [j["result"][0]["callback_query"]]]' "$CQ")" \
	'[[true, 1000, "t:52:done", "t:52:done", 5120443987]]'
expect_eq "a callback on a message the bot cannot see: an InaccessibleMessage, date 0" \
	"$(json 'j["result"][1]["callback_query"]["message"]')" \
	'{"message_id": 4242, "chat": {"id": 5120443987, "first_name": "Lan", "username": "lan", "type": "private"}, "date": 0}'
if [ -n "$SHARED" ]; then
	expect_eq "the callback updates have the keys of real ones (refdata callback_query*.json)" \
		"$($PY - callbacks.json "$SHARED/refdata/telegram/nutgram" <<'PY'
import json, sys
ours = json.load(open(sys.argv[1]))["result"]
real = json.load(open(sys.argv[2] + "/callback_query.json"))
gone = json.load(open(sys.argv[2] + "/callback_query_inaccessible_message.json"))
# This message also has entities (its text is bold), which the real sample lacks.
message, real_message = set(ours[0]["callback_query"]["message"]), set(real["callback_query"]["message"])
checks = [sorted(ours[0]) == sorted(real),
          sorted(ours[0]["callback_query"]) == sorted(real["callback_query"]),
          real_message <= message and message - real_message <= {"entities"},
          sorted(ours[1]["callback_query"]["message"]) == sorted(gone["callback_query"]["message"])]
print("same" if all(checks) else "differ %s" % checks)
PY
)" same
else
	skip "the callback updates have the keys of real ones (refdata callback_query*.json)" "../shared is missing"
fi
api answerCallbackQuery -d callback_query_id="$CQ" --data-urlencode "text=Đã ghi nhận"
expect_eq "answerCallbackQuery: true" "$code $(json 'j')" '200 {"ok": true, "result": true}'
api answerCallbackQuery -d callback_query_id="$CQ"
expect_eq "answering it again: 400 query is too old" "$(desc)" \
	"400 Bad Request: query is too old and response timeout expired or query ID is invalid"

api editMessageText -d chat_id=$LAN -d message_id=$BOTMSG -d parse_mode=HTML --data-urlencode "text=<b>Báo cáo 52</b> đã xong" --data-urlencode "reply_markup=$KB"
expect_eq "editMessageText: the edited message, with edit_date" \
	"$code $(json '[j["result"]["text"], "edit_date" in j["result"], "reply_markup" in j["result"]]')" \
	'200 ["Báo cáo 52 đã xong", true, true]'
api editMessageText -d chat_id=$LAN -d message_id=$BOTMSG -d parse_mode=HTML --data-urlencode "text=<b>Báo cáo 52</b> đã xong" --data-urlencode "reply_markup=$KB"
expect_eq "the same text and keyboard again: 400 message is not modified" "$(desc)" \
	"400 Bad Request: message is not modified: specified new message content and reply markup are exactly the same as a current content and reply markup of the message"
api editMessageText -d chat_id=$LAN -d message_id=4242 -d text=x
expect_eq "editing a message that does not exist: 400 message to edit not found" "$(desc)" \
	"400 Bad Request: message to edit not found"
api editMessageReplyMarkup -d chat_id=$LAN -d message_id=$BOTMSG
expect_eq "editMessageReplyMarkup without a markup takes the keyboard away" \
	"$code $(json '"reply_markup" in j["result"]')" "200 false"
ctl sent
expect_eq "/control/sent lists sends and edits with raw and plain text" \
	"$(json '[(s["method"], s["message_id"], s["text"], s["raw_text"], s["parse_mode"]) for s in j][:2]')" \
	'[["sendMessage", 1000, "Báo cáo 52 đến hạn", "<b>Báo cáo 52</b> đến hạn", "HTML"], ["editMessageText", 1000, "Báo cáo 52 đã xong", "<b>Báo cáo 52</b> đã xong", "HTML"]]'

# --- commands ----------------------------------------------------------------------------------------------------
api setMyCommands --data-urlencode 'commands=[{"command":"Xong","description":"Báo đã xong"}]'
expect_eq "setMyCommands: an upper-case command is refused" "$(desc)" "400 Bad Request: BOT_COMMAND_INVALID"
api setMyCommands --data-urlencode 'commands=[{"command":"xong","description":"  "}]'
expect_eq "setMyCommands: an empty description is refused" "$(desc)" "400 Bad Request: command description must be non-empty"
api setMyCommands -d language_code=vi --data-urlencode 'commands=[{"command":"xong","description":"Báo đã xong"},{"command":"/giahan","description":"Xin gia hạn"}]'
expect_eq "setMyCommands for vi: true" "$code $(json 'j["result"]')" "200 true"
api getMyCommands -d language_code=vi
expect_eq "getMyCommands gives them back, the / dropped" "$(json '[c["command"] for c in j["result"]]')" '["xong", "giahan"]'
api getMyCommands
expect_eq "the default language has none" "$(json 'j["result"]')" "[]"
api deleteMyCommands -d language_code=vi
api getMyCommands -d language_code=vi
expect_eq "deleteMyCommands removes them" "$(json 'j["result"]')" "[]"

# --- webhook -----------------------------------------------------------------------------------------------------
cat >hook.py <<'PY'
# A webhook that answers the statuses given, one per request (the last repeats),
# and logs each request's secret header, update_id and time.
import http.server, json, os, sys, time
ready, statuses, log = sys.argv[1], sys.argv[2].split(","), sys.argv[3]
seen = []
class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        update = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        status = int(statuses[min(len(seen), len(statuses) - 1)])
        seen.append(status)
        with open(log, "a") as f:
            f.write(json.dumps({"secret": self.headers.get("X-Telegram-Bot-Api-Secret-Token"),
                                "type": self.headers.get("Content-Type"), "status": status,
                                "update_id": update["update_id"], "t": time.monotonic()}) + "\n")
        self.send_response(status)
        if status == 429:
            self.send_header("Retry-After", "1")
        self.send_header("Content-Length", "0")
        self.end_headers()
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", 0), Hook)
with open(ready + ".tmp", "w") as f:
    f.write(str(server.server_port))
os.rename(ready + ".tmp", ready)
server.serve_forever()
PY
$PY hook.py "$T/hook.ready" 500,429,200 "$T/hook.log" 2>>fake.log &
HOOK=$!
i=0
while [ ! -s hook.ready ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
HOOKURL=http://127.0.0.1:$(cat hook.ready)/tg/hook

ctl reset '{}'
curl -s -o poll.json "$API/getUpdates?timeout=5" &
poller=$!
sleep 0.3
api setWebhook -d url="$HOOKURL" --data-urlencode 'secret_token=bí mật'
expect_eq "setWebhook: a secret with other characters is refused" "$(desc)" \
	"400 Bad Request: secret token contains unallowed characters"
wait $poller
expect_eq "setWebhook ends a waiting long poll with 409" \
	"$($PY -c 'import json; j=json.load(open("poll.json")); print(j["error_code"], j["description"])')" \
	"409 Conflict: terminated by setWebhook request"
api setWebhook -d url="$HOOKURL" -d secret_token=s3cr3t_Token-1
expect_eq "setWebhook twice within a second: 429 retry after 1, as the server limits it" "$(desc)" \
	"429 Too Many Requests: retry after 1"
sleep 1.1
api setWebhook -d url="$HOOKURL" -d secret_token=s3cr3t_Token-1
expect_eq "setWebhook: true, Webhook was set" "$code $(json '[j["result"], j["description"]]')" '200 [true, "Webhook was set"]'
api getUpdates
expect_eq "getUpdates while a webhook is set: 409" "$(desc)" \
	"409 Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete the webhook first"
ctl message "{\"chat_id\": $LAN, \"text\": \"/xong 52\"}"
HU=$(json 'j["update_id"]')
i=0
while [ "$(grep -c . hook.log 2>/dev/null)" != 3 ] && [ $i -lt 60 ]; do sleep 0.1; i=$((i + 1)); done
expect_eq "the update is delivered until the webhook says 2xx: 500, 429, then 200" \
	"$($PY -c 'import json; print([json.loads(l)["status"] for l in open("hook.log")])')" "[500, 429, 200]"
expect_eq "every delivery is the same update, in JSON, with the secret header" \
	"$($PY -c 'import json,sys; print(all(d["update_id"] == int(sys.argv[1]) and d["secret"] == "s3cr3t_Token-1" and d["type"] == "application/json" for d in map(json.loads, open("hook.log"))))' "$HU")" True
expect_eq "the first retry goes at once, the next waits for Retry-After (1 s)" \
	"$($PY -c 'import json; t=[json.loads(l)["t"] for l in open("hook.log")]; print(t[1] - t[0] < 0.8, t[2] - t[1] >= 0.95)')" "True True"
ctl state
expect_eq "the fake records each attempt" "$(json '[d["status"] for d in j["deliveries"]]')" "[500, 429, 200]"
api getWebhookInfo
expect_eq "getWebhookInfo: the URL, nothing pending, the last error" \
	"$(jsonwith '[j["result"]["url"] == a, j["result"]["pending_update_count"], j["result"]["last_error_message"]]' "$HOOKURL")" \
	'[true, 0, "Wrong response from the webhook: 429 Too Many Requests"]'
api deleteWebhook
expect_eq "deleteWebhook: Webhook was deleted" "$code $(json 'j["description"]')" "200 Webhook was deleted"
api getUpdates -d timeout=0
expect_eq "after it getUpdates works again" "$code $(json 'j["result"]')" "200 []"

# --- strict HTML, and stopping -------------------------------------------------------------------------------------
start_fake --strict-html
ctl chat "{\"chat_id\": $LAN, \"first_name\": \"Lan\"}"
api sendMessage -d chat_id=$LAN -d parse_mode=HTML --data-urlencode 'text=Sở KH&CN'
expect_eq "--strict-html refuses an unescaped &" "$code $(json '"can'"'"'t parse entities" in j["description"]')" "400 true"
api sendMessage -d chat_id=$LAN -d parse_mode=HTML --data-urlencode 'text=Sở KH&amp;CN &#8211; &lt;b&gt;'
expect_eq "--strict-html takes proper references" "$code $(json 'j["result"]["text"]')" "200 Sở KH&CN – <b>"
kill -TERM "$FAKE"
wait "$FAKE"
expect_eq "SIGTERM stops the fake cleanly" "$?" 0
FAKE=""
exit 0

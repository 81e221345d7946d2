# A stop asked while a chat send hangs: the daemon does not wait for the
# send's timeout (Telegram 30 s, Zalo 20 s: a stop should take a second
# or two, and systemd's TimeoutStopSec kills a daemon that waits longer).  The send is cut short within a second or two,
# the daemon exits 0, the message it was sending stays pending in the
# outbox (not sent, not dead, the attempt not counted), and the next start
# sends it once.  Telegram (tests/fake_telegram.py holding sendMessage)
# then Zalo (tests/fake_zalo.py never answering a CS message), each
# checked through what an operator sees: the exit status and time, "dondoc
# outbox list --json", and the messages the fake servers took.  Then email,
# which cannot be cut short (libESMTP restarts its poll on EINTR, with its
# whole timeout, and has no abort hook): a stop while the relay never
# greets waits for [smtp] timeout (3 s here), no more, and the message,
# failed, waits for its retry; it goes once when the relay behaves.
. "$(dirname "$0")/../lib.sh"

TOKEN=7000000001:AAstop_send_token
fake_telegram_start "$TOKEN"
fake_zalo_start
http_port
printf "stop-secret\n" >"$T/secret"
# Webhook mode: the loop makes no getUpdates, only the sends under test.
{ conf_general tick=1; conf_webhook; conf_zalo zns_template_id=; } >dondoc.conf
export DONDOC_CONFIG="$T/dondoc.conf"

export DONDOC_NOW=2025-09-26T09:00
run "$DONDOC" init
tasks_tsv 2 30/9/2025 >tasks.tsv
expect_rc 0 "import two tasks" "$DONDOC" import tasks.tsv
run "$DONDOC" agency add --name "Văn phòng UBND tỉnh" --code vp
c1=$(sql "SELECT code FROM agency WHERE name = 'Đơn vị thử số 1'")
c2=$(sql "SELECT code FROM agency WHERE name = 'Đơn vị thử số 2'")
run "$DONDOC" person add --name "Cán bộ số 1" --agency "$c1" --role focal --telegram 2001
run "$DONDOC" person add --name "Cán bộ số 2" --agency "$c2" --role focal --zalo 3002
run "$DONDOC" person add --name "Văn thư" --agency vp --role secretariat
expect_rc 0 "zalo set-token" "$DONDOC" zalo set-token "$ZALO_R0"
ctl chat '{"chat_id": 2001, "first_name": "C2001"}'
sql "UPDATE address SET last_in = $(date -u -d 2025-09-28T10:00:00 +%s) WHERE channel = 'zalo'"

# Telegram holds the first sendMessage to 2001 for 60 s and then refuses it
# (a server that never answers in time: nothing delivered); Zalo never
# answers the first CS message to 3002.  Telegram's goes first (the
# dispatcher sends a batch channel by channel, by name).
ctl fail '{"method": "sendMessage", "chat_id": 2001, "delay": 60, "error_code": 502}'
zalo_ctl fail '{"endpoint": "cs", "user_id": "3002", "hang": true, "done": false}'

NOW=2025-09-29T09:00:00
tg_calls() { # sendMessage calls that reached Telegram for chat 2001, answered or not
	curl -s "$API/control/calls?method=sendMessage" |
		$PY -c 'import json,sys; print(len([c for c in json.load(sys.stdin) if str(c["params"].get("chat_id")) == "2001"]))'
}
tg_sent() { # messages Telegram took for chat 2001
	curl -s "$API/control/sent" | $PY -c 'import json,sys; print(len([m for m in json.load(sys.stdin) if m["chat_id"] == 2001]))'
}
zl_calls() { curl -s "$ZAPI/control/calls?endpoint=cs" | $PY -c 'import json,sys; print(len(json.load(sys.stdin)))'; }
zl_sent() { curl -s "$ZAPI/control/sent" | $PY -c 'import json,sys; print(len([m for m in json.load(sys.stdin) if m["user_id"] == "3002"]))'; }
calls_reach() { [ "$($1)" -ge "$2" ]; }
# reminder CHANNEL: the reminder through CHANNEL as the outbox lists it: [state, attempts]
reminder() {
	"$DONDOC" outbox list --json >out
	json '[[m["state"], m["attempts"]] for m in j if m["kind"] == "reminder" and m["channel"] == "'"$1"'"]'
}
# stop_now WHAT [MS]: SIGTERM to the daemon while WHAT hangs; checks it
# exits 0 within MS (3000) milliseconds.
stop_now() {
	_t0=$(date +%s%N)
	kill -TERM "$daemon"
	wait "$daemon"
	_st=$?
	_ms=$((($(date +%s%N) - _t0) / 1000000))
	[ -z "${CHECK_SAN_LOGS:-}" ] || [ ! -f "$CHECK_SAN_LOGS/asan.$daemon" ] ||
		cat "$CHECK_SAN_LOGS/asan.$daemon" >>serve.log
	daemon=
	expect_eq "$1: the daemon stopped during the hung send exits 0" "$_st" 0
	if [ "$_ms" -lt $((${2:-3000} * SLOW)) ]; then
		pass "$1: and within $((${2:-3000} / 1000)) s (${_ms} ms)"
	else
		fail "$1: and within $((${2:-3000} / 1000)) s" "it took ${_ms} ms"
	fi
}

# --- Telegram hangs: stopped, then sent once at the next start ----------------------------
daemon_start DONDOC_NOW=$NOW
if wait_until 20 calls_reach tg_calls 1; then
	pass "telegram: the reminder's sendMessage reached Telegram, which holds it"
else
	fail "telegram: the reminder's sendMessage reached Telegram" "$(tail -5 serve.log)"
fi
stop_now telegram
expect_eq "telegram: the reminder stays pending in the outbox, the attempt not counted" \
	"$(reminder telegram)" '[["pending", 0]]'
expect_eq "telegram: Telegram took nothing" "$(tg_sent)" 0
expect_grep "telegram: the log says the send was cut short and goes at the next start" serve.log \
	"message [0-9]+ to 'Cán bộ số 1' through telegram was cut short as dondoc stops"
expect_no_grep "telegram: no sanitizer report" serve.log "ERROR: (Address|Leak)Sanitizer|runtime error"

# --- the next start: Telegram's reminder goes, once; Zalo's hangs and is stopped ----------
daemon_start DONDOC_NOW=$NOW
if wait_until 20 calls_reach zl_calls 1; then
	pass "zalo: the reminder's CS message reached Zalo, which never answers"
else
	fail "zalo: the reminder's CS message reached Zalo" "$(tail -5 serve.log)"
fi
expect_eq "telegram: after the restart the reminder was delivered once" "$(tg_sent)" 1
stop_now zalo
expect_eq "telegram: the outbox says it was sent" "$(reminder telegram)" '[["sent", 1]]'
expect_eq "zalo: the reminder stays pending in the outbox, the attempt not counted" \
	"$(reminder zalo)" '[["pending", 0]]'
expect_eq "zalo: Zalo took nothing" "$(zl_sent)" 0

# --- and again: Zalo's goes, once; nothing more to Telegram ------------------------------
daemon_start DONDOC_NOW=$NOW
if wait_until 20 calls_reach zl_sent 1; then
	pass "zalo: after the restart the reminder was delivered"
else
	fail "zalo: after the restart the reminder was delivered" "$(tail -5 serve.log)"
fi
wait_until 10 sh -c "\"$DONDOC\" outbox list --json | grep -q '\"state\": *\"pending\"' && exit 1 || exit 0"
daemon_stop
expect_eq "the daemon stopped with nothing in flight exits 0" "$?" 0
expect_eq "zalo: once" "$(zl_sent) $(zl_calls)" "1 2"
expect_eq "telegram: still once, and Telegram was asked twice in all (the hung call, the delivery)" \
	"$(tg_sent) $(tg_calls)" "1 2"
expect_eq "the outbox: both reminders sent, each after one attempt" \
	"$(reminder telegram) $(reminder zalo)" '[["sent", 1]] [["sent", 1]]'
expect_no_grep "no sanitizer report" serve.log "ERROR: (Address|Leak)Sanitizer|runtime error"

# --- email: a relay that never greets holds a stop for [smtp] timeout, no more -----------
if ! $PY -c 'import aiosmtpd' 2>/dev/null; then
	skip "email: a stop during a hung SMTP session" "python3-aiosmtpd is not installed (make deps)"
	exit 0
fi
PORT=$(free_port)
mkdir -p mail
echo hang >mail/fault
smtpd_start --no-starttls --fault-file "$T/mail/fault"
printf '[smtp]\nhost = 127.0.0.1\nport = %s\nstarttls = off\nfrom = dondoc@example.gov.vn\ntimeout = 3\n' \
	"$PORT" >>dondoc.conf
c3=$(sql "SELECT code FROM agency WHERE name = 'Đơn vị thử số 3'")
[ -n "$c3" ] || { run "$DONDOC" agency add --name "Đơn vị thử số 3" --code dv3; c3=dv3; }
printf "$HDR"'1.\tNhiệm vụ thử số 3\tKế hoạch số 9-KH/BCĐ ngày 2/1/2025\tĐơn vị thử số 3\t30/9/2025\n' >t3.tsv
run env DONDOC_NOW=2025-09-26T09:00 "$DONDOC" import t3.tsv
run env DONDOC_NOW=2025-09-26T09:00 "$DONDOC" person add --name "Cán bộ số 3" --agency "$c3" --role focal --email p3@example.gov.vn
relay_tried() { [ "$(grep -c hang mail/connections.log 2>/dev/null)" -gt "$n0" ]; }
n0=$(grep -c hang mail/connections.log 2>/dev/null)
daemon_start DONDOC_NOW=$NOW
if wait_until 20 relay_tried; then
	pass "email: the reminder's session reached the relay, which never greets"
else
	fail "email: the reminder's session reached the relay" "$(tail -5 serve.log)"
fi
stop_now email 6000
expect_eq "email: the reminder stays pending (the relay failed: one attempt, a retry)" \
	"$(reminder email)" '[["pending", 1]]'
echo >mail/fault
daemon_start DONDOC_NOW=2025-09-29T09:05:00
if wait_until 20 sh -c 'ls mail/*.eml' ; then
	pass "email: once the relay behaves the reminder is delivered"
else
	fail "email: once the relay behaves the reminder is delivered" "$(tail -5 serve.log)"
fi
wait_until 10 sh -c "[ \"\$(\"$DONDOC\" outbox list --json | grep -c '\"state\": *\"pending\"')\" = 0 ]"
daemon_stop
smtpd_stop
expect_eq "email: once, and the outbox says sent" "$(ls mail/*.eml | wc -l) $(reminder email)" \
	'1 [["sent", 2]]'
expect_no_grep "email: no sanitizer report" serve.log "ERROR: (Address|Leak)Sanitizer|runtime error"

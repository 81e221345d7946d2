# Fault scenario "channels": the channel servers misbehave, then behave.
#
#   sh tests/faults/channels.sh [--quick]     (or FAULTS_QUICK=1: the quick version)
#
# Nine officials, three on Telegram (tests/fake_telegram.py), three on
# Zalo (tests/fake_zalo.py), three by email only (tests/smtpd.py), each
# with an email address as well, get their Monday reminder through
# "dondoc serve --once" runs at DONDOC_NOW moved on between them, while:
#   round 1: Telegram answers 500, 429 with parameters.retry_after = 300
#            and resets the connection; Zalo answers 503, -32 (its rate
#            limit) and resets; the relay greets 421;
#   round 2: 30 s later: nothing is tried again (backoff);
#   round 3: 2 min later: the servers accept and never answer (the relay
#            always; Telegram and Zalo without --quick, which costs their
#            30 s and 20 s timeouts), the 429 still not due;
#   round 4: the servers behave: everything goes out, once each;
#   round 5: nothing more goes out;
#   Tuesday: Telegram says 403 (blocked) for one and 500 for another, Zalo
#            -230 (out of the window) for one: those two blocked go by
#            email after their primary refused; the 500 waits, no email.
# Checked: retry-after honoured and the backoff jittered (invariant 7),
# no fallback while the primary only failed transiently and none before
# it failed (10), nothing sent twice (3), nothing lost (2), a never
# answering server costs no more than its timeout; then
# tests/faults/invariants.sh, when there.  Prints one verdict line.
FAULT=channels
[ "${1:-}" = --quick ] && FAULTS_QUICK=1
. "$(dirname "$0")/lib.sh"
[ "$QUICK" = 1 ] || QUICK=

smtpd_prepare "$FAULT"
smtpd_start --no-starttls --fault-file "$T/mail/fault"
fake_zalo_start
TOKEN=7000000001:AAfaults_token
fake_telegram_start "$TOKEN"
# Webhook mode: a pass makes no getUpdates (which the fake holds 3 s when repeated).
http_port
printf "faults-secret\n" >"$T/secret"
{
	conf_general tick=1
	conf_webhook
	conf_zalo zns_template_id=
	printf '[smtp]\nhost = 127.0.0.1\nport = %s\nstarttls = off\nfrom = dondoc@example.gov.vn\ntimeout = 2\n' "$PORT"
} >dondoc.conf
export DONDOC_CONFIG="$T/dondoc.conf"

export DONDOC_NOW=2025-09-26T09:00
run "$DONDOC" init
tasks_tsv 9 30/9/2025 >tasks.tsv
expect_rc 0 "import nine tasks" "$DONDOC" import tasks.tsv
run "$DONDOC" agency add --name "Văn phòng UBND tỉnh" --code vp
for i in 1 2 3 4 5 6 7 8 9; do
	code=$(sql "SELECT code FROM agency WHERE name = 'Đơn vị thử số $i'")
	extra=
	[ $i -le 3 ] && extra="--telegram 200$i"
	[ $i -ge 4 ] && [ $i -le 6 ] && extra="--zalo 300$i"
	run "$DONDOC" person add --name "Cán bộ số $i" --agency "$code" --role focal --email "p$i@example.gov.vn" $extra
done
run "$DONDOC" person add --name "Văn thư" --agency vp --role secretariat --email "vt@example.gov.vn"
expect_rc 0 "zalo set-token" "$DONDOC" zalo set-token "$ZALO_R0"
for c in 2001 2002 2003; do ctl chat "{\"chat_id\": $c, \"first_name\": \"C$c\"}"; done
sql "UPDATE address SET last_in = strftime('%s', '2025-09-28T10:00:00') WHERE channel = 'zalo'"

# once NOW: one pass of the daemon at NOW; its seconds in $took.
once() {
	_t0=$(date +%s)
	env DONDOC_NOW="$1" "$DONDOC" serve --once >>serve.log 2>&1
	took=$(($(date +%s) - _t0))
}
# tg_calls [CHAT]: how many sendMessage calls reached Telegram (to CHAT).
tg_calls() {
	curl -s "$API/control/calls?method=sendMessage" |
		$PY -c 'import json,sys; c=sys.argv[1:]; print(len([x for x in json.load(sys.stdin) if not c or str(x["params"].get("chat_id")) == c[0]]))' "$@"
}
# tg_sent: chat ids of the messages Telegram took, sorted.
tg_sent() {
	curl -s "$API/control/sent" | $PY -c 'import json,sys; print(sorted(m["chat_id"] for m in json.load(sys.stdin)))'
}
zl_sent() {
	curl -s "$ZAPI/control/sent" | $PY -c 'import json,sys; print(sorted(m["user_id"] for m in json.load(sys.stdin)))'
}
zl_calls() {
	curl -s "$ZAPI/control/calls?endpoint=cs" | $PY -c 'import json,sys; print(len(json.load(sys.stdin)))'
}
# mail_to: the recipients of the emails received, sorted.
mail_to() {
	$PY -c 'import email, glob
from email import policy
print(sorted(email.message_from_bytes(open(f, "rb").read(), policy=policy.default)["To"].addresses[0].addr_spec for f in glob.glob("mail/*.eml")))'
}
relay_connections() { grep -vc '^.* ok$' mail/connections.log; }
outbox() { "$DONDOC" outbox list --json >out; }

# --- round 1: every server fails, each in its own way ----------------------------------------------
ctl fail '{"method": "sendMessage", "chat_id": 2001, "error_code": 500}'
ctl fail '{"method": "sendMessage", "chat_id": 2002, "error_code": 429, "retry_after": 300}'
# A reset on a reused connection before any answer is retried at once by
# libcurl on a fresh one: count 2 resets both.
ctl fail '{"method": "sendMessage", "chat_id": 2003, "reset": true, "count": 2}'
zalo_ctl fail '{"endpoint": "cs", "user_id": "3004", "status": 503}'
zalo_ctl fail '{"endpoint": "cs", "user_id": "3005", "error": -32}'
zalo_ctl fail '{"endpoint": "cs", "user_id": "3006", "reset": true, "done": false, "count": 2}'
echo 421 >mail/fault
once 2025-09-29T09:00:00
expect_eq "round 1: Telegram was asked for each of its three chats, Zalo for its three users" \
	"$(curl -s "$API/control/calls?method=sendMessage" | $PY -c 'import json,sys; print(sorted(set(c["params"]["chat_id"] for c in json.load(sys.stdin))))') $(curl -s "$ZAPI/control/calls?endpoint=cs" | $PY -c 'import json,sys; print(sorted(set(c["params"]["recipient"]["user_id"] for c in json.load(sys.stdin))))')" \
	"['2001', '2002', '2003'] ['3004', '3005', '3006']"
expect_eq "round 1: nothing was delivered anywhere" "$(tg_sent) $(zl_sent) $(mail_to)" "[] [] []"
outbox
expect_eq "round 1: the nine reminders wait in the outbox, each with its server's words" \
	"$(json 'sorted((m["channel"], m["state"], m["attempts"], bool(m["last_error"])) for m in j if m["kind"] == "reminder")')" \
	"$($PY -c 'import json; print(json.dumps(sorted([["telegram", "pending", 1, True]] * 3 + [["zalo", "pending", 1, True]] * 3 + [["email", "pending", 1, True]] * 3)))')"
# The delays the dispatcher chose, in seconds from 09:00 (next_at), per person.
json '{m["person_id"]: m["next_at"][11:19] for m in j if m["kind"] == "reminder"}' >delays
delay_of() { # PERSON: seconds from 09:00:00 to its next_at
	json '[int(m["next_at"][11:13]) * 3600 + int(m["next_at"][14:16]) * 60 + int(m["next_at"][17:19]) - 32400 for m in j if m["person_id"] == '"$1"' and m["kind"] == "reminder"][0]'
}
d2=$(delay_of 2)
if [ "$d2" -ge 300 ]; then pass "round 1: the 429's retry_after (300 s) is honoured ($d2 s)"; else fail "round 1: the 429's retry_after (300 s) is honoured" "next try after $d2 s"; fi
ds=""
for p in 1 3 4 6 7 8 9; do ds="$ds $(delay_of $p)"; done
if $PY -c 'import sys; d=[int(x) for x in sys.argv[1:]]; sys.exit(not (all(48 <= x <= 72 for x in d) and len(set(d)) > 1))' $ds; then
	pass "round 1: the others back off a minute +- 20 %, jittered (not all alike)"
else
	fail "round 1: the others back off a minute +- 20 %, jittered" "delays:$ds"
fi
d5=$(delay_of 5)
if [ "$d5" -ge 48 ]; then pass "round 1: Zalo's -32 waits at least for the next minute ($d5 s)"; else fail "round 1: Zalo's -32 waits for the next minute" "$d5 s"; fi
expect_grep "round 1: the 429 is logged with Telegram's reason" serve.log "Too Many Requests: retry after 300"

# --- round 2: 30 s later, nothing is due -------------------------------------------------------------
echo >mail/fault
before="$(tg_calls) $(zl_calls) $(grep -c . mail/connections.log)"
once 2025-09-29T09:00:30
expect_eq "round 2: 30 s later nothing is tried again (no server is called)" \
	"$(tg_calls) $(zl_calls) $(grep -c . mail/connections.log)" "$before"

# --- round 3: servers that accept and never answer ------------------------------------------------
echo hang >mail/fault
if [ -z "$QUICK" ]; then
	# Held past the 30 s timeout, then an error: never answered in time, not delivered
	# (a delay alone would deliver it late: a duplicate no client can avoid).
	ctl fail '{"method": "sendMessage", "chat_id": 2001, "delay": 45, "error_code": 502}'
	zalo_ctl fail '{"endpoint": "cs", "user_id": "3004", "hang": true, "done": false}'
	budget=$((30 + 20 + 3 * 2 + 15))
else
	# Quick: Telegram and Zalo fail fast (502), the relay hangs (2 s timeout).
	ctl fail '{"method": "sendMessage", "chat_id": 2001, "error_code": 502}'
	zalo_ctl fail '{"endpoint": "cs", "user_id": "3004", "status": 502}'
	budget=15
fi
once 2025-09-29T09:02:00
if [ "$took" -le "$budget" ]; then
	pass "round 3: servers that never answer cost at most their timeouts (${took} s, at most $budget)"
else
	fail "round 3: servers that never answer cost at most their timeouts" "${took} s, budget $budget"
fi
expect_eq "round 3: the 429's chat is not tried before its retry_after" "$(tg_calls 2002)" 1
expect_eq "round 3: still nothing delivered" "$(tg_sent | tr -d ' ')$(zl_sent | tr -d ' ')$(mail_to)" \
	"[2003]['3005','3006'][]"
outbox
expect_eq "round 3: nothing is dead, nothing went by another channel" \
	"$(json 'sorted(set((m["state"] != "dead") and (m["channel"] in ("telegram", "zalo") if m["person_id"] <= 6 else True) for m in j))')" '[true]'
if [ -z "$QUICK" ]; then
	expect_grep "round 3: the Telegram timeout is logged" serve.log "message [0-9]+ to 'Cán bộ số 1' through telegram failed: .*(imed out|imeout)"
fi
expect_grep "round 3: the relay's timeout is logged" serve.log "through email failed: .*"

# --- round 4: the servers behave: everything goes out once -------------------------------------------
echo >mail/fault
once 2025-09-29T09:10:00
expect_eq "round 4: every Telegram chat got its reminder once" "$(tg_sent)" "[2001, 2002, 2003]"
expect_eq "round 4: every Zalo user once" "$(zl_sent)" "['3004', '3005', '3006']"
expect_eq "round 4: email only to the three without chat, once each" "$(mail_to)" \
	"['p7@example.gov.vn', 'p8@example.gov.vn', 'p9@example.gov.vn']"
outbox
expect_eq "round 4: all nine sent, through their first channel" \
	"$(json 'sorted(set((m["state"], m["channel"]) for m in j if m["kind"] == "reminder"))')" \
	'[["sent", "email"], ["sent", "telegram"], ["sent", "zalo"]]'

# --- round 5: nothing more -------------------------------------------------------------------------
once 2025-09-29T10:30:00
expect_eq "round 5: an hour later nothing is sent again" "$(tg_sent | tr -d ' ')$(zl_sent | tr -d ' ')$(mail_to | tr -d ' ')" \
	"[2001,2002,2003]['3004','3005','3006']['p7@example.gov.vn','p8@example.gov.vn','p9@example.gov.vn']"

# --- Tuesday: permanent refusals fall back, a transient failure does not ------------------------------
ctl fail '{"method": "sendMessage", "chat_id": 2001, "error_code": 403}'
ctl fail '{"method": "sendMessage", "chat_id": 2002, "error_code": 500}'
zalo_ctl user '{"user_id": "3004", "error": -230}'
once 2025-09-30T09:00:00
mail_to >tuesday
expect_no_grep "Tuesday: a 500 is no reason to fall back: no email to p2" tuesday "p2@example.gov.vn"
# What falls back is a new message, sent by the next pass (the daemon's next tick).
once 2025-09-30T09:05:00
mail_to >tuesday
expect_grep "Tuesday: blocked on Telegram (403): the reminder goes by email" tuesday "p1@example.gov.vn"
expect_grep "Tuesday: out of Zalo's window (-230): by email" tuesday "p4@example.gov.vn"
expect_no_grep "Tuesday: the 500 still gives no email to p2" tuesday "p2@example.gov.vn"
expect_eq "Tuesday: the 500 is retried and goes through Telegram" "$(tg_calls 2002) $(curl -s "$API/control/sent" | $PY -c 'import json,sys; print(len([m for m in json.load(sys.stdin) if m["chat_id"] == 2002]))')" "4 2"
# The email came after the refusal: the fake's clock (wall) against the file's.
refused=$(curl -s "$API/control/calls?method=sendMessage" | $PY -c 'import json,sys; print(max(c["wall"] for c in json.load(sys.stdin) if c["status"] == 403))')
mailed=$($PY -c 'import email, glob, os
from email import policy
print(min(os.stat(f).st_mtime for f in glob.glob("mail/*.eml") if "p1@" in str(email.message_from_bytes(open(f, "rb").read(), policy=policy.default)["To"])))')
if $PY -c 'import sys; sys.exit(not float(sys.argv[2]) >= float(sys.argv[1]))' "$refused" "$mailed"; then
	pass "Tuesday: the fallback email went after Telegram refused, not alongside (invariant 10)"
else
	fail "Tuesday: the fallback email went after Telegram refused" "403 at $refused, email at $mailed"
fi
expect_eq "Tuesday: the secretariat is told who cannot be reached" \
	"$($PY -c 'import email, glob
from email import policy
ms=[email.message_from_bytes(open(f, "rb").read(), policy=policy.default) for f in glob.glob("mail/*.eml")]
print(any("vt@" in str(m["To"]) and "Cán bộ số 1" in m.get_body(("plain",)).get_content() for m in ms))')" True
outbox
expect_eq "nothing lost: every message is sent or dead, none pending or sending" \
	"$(json 'sorted(set(m["state"] for m in j) - {"sent", "dead", "cancelled"})')" '[]'

# --- the verdict -------------------------------------------------------------------------------------
FAULT_INFO="5xx, 429 retry_after, -32, resets, hangs on Telegram, Zalo and SMTP: retried with jitter, no fallback before a refusal, each reminder out once"
verdict "$DONDOC_CONFIG" DONDOC_NOW=2025-09-30T09:05:00 INV_SETTLED=1

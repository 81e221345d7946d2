# Webhook setup (issue 10, finding 8): a secret Telegram would refuse
# (setWebhook's secret_token is 1-256 characters of A-Za-z0-9_-,
# CHAT-APIS.md A2) stops start-up with exit 78, naming the files and the
# allowed characters; a setWebhook that fails at start is tried again with
# a growing wait, from the main loop, which goes on meanwhile, until it
# works; and "dondoc doctor" shows what Telegram reports (getWebhookInfo).
. "$(dirname "$0")/../lib.sh"

TOKEN=7000000001:AAtesttoken_for_dondoc
fake_telegram_start "$TOKEN"
http_port
{ conf_general tick=1; conf_webhook; } >dondoc.conf
export DONDOC_CONFIG="$T/dondoc.conf"
export DONDOC_NOW=2025-09-27T09:00
run "$DONDOC" init
run "$DONDOC" agency add --name "Sở Y tế"
focal_an 3001

# --- the secret, checked at start --------------------------------------------------------------------
ALLOWED="Telegram takes 1-256 characters of A-Z, a-z, 0-9, '_' and '-'"
printf 'wh secret!\n' >secret
expect_rc 78 "a webhook secret outside Telegram's set is refused at start (exit 78)" "$DONDOC" serve --once
expect_grep "it names the configuration, the secret file and the allowed characters" err \
	"$T/dondoc.conf: \\[telegram\\] webhook_secret_file: bad secret in '$T/secret' \\(character 3 is not allowed\\): $ALLOWED"
expect_no_grep "and never shows the secret" err "wh secret!"
head -c 257 /dev/zero | tr '\0' 'a' >secret
expect_rc 78 "a webhook secret of 257 characters is refused at start (exit 78)" "$DONDOC" serve --once
expect_grep "(it says how long it is)" err "bad secret in '$T/secret' \\(257 characters long\\)"
printf 'Đôn-đốc\n' >secret
expect_rc 78 "a webhook secret with a non-ASCII letter is refused at start (exit 78)" "$DONDOC" serve --once
calls setWebhook
expect_eq "none of these reached Telegram" "$(json 'len(j)')" 0
expect_rc 1 "doctor finds the bad secret too" "$DONDOC" doctor
expect_grep "(naming the allowed characters)" out "^FAIL webhook .*$ALLOWED"
head -c 256 /dev/zero | tr '\0' 'a' >secret
printf 'A-z_0-9-%s\n' "$(cat secret | cut -c9-)" >secret
expect_eq "(a 256-character secret of every allowed kind)" "$(tr -d '\n' <secret | wc -c)" 256

# --- setWebhook failing at start: retried with backoff --------------------------------------------------
ctl fail '{"method": "setWebhook", "count": 3, "error_code": 502, "description": "Bad Gateway"}'
daemon_start
wait_log serve.log 'Telegram delivers updates to' 15
expect_eq "setWebhook failing at start is retried until it works: three failures, then set" \
	"$(grep -Ec "cannot set Telegram's webhook to $WEB/telegram/webhook: 502 Bad Gateway \(next try in [0-9]+ s\), will retry$" serve.log) $(grep -c "Telegram delivers updates to $WEB/telegram/webhook" serve.log)" \
	"3 1"
calls setWebhook
expect_eq "setWebhook is retried with a growing wait (1, 2, 4 s, give or take the loop's turn)" \
	"$(json '[w - 0.05 <= j[k + 1]["t"] - j[k]["t"] < w * 1.5 + 0.5 for k, w in enumerate([1, 2, 4])] + [len(j)]')" \
	"[true, true, true, 4]"
expect_eq "the last call set our URL, with the secret, to Telegram's liking" \
	"$(json '[j[-1]["status"], j[-1]["params"]["url"], len(j[-1]["params"]["secret_token"])]')" \
	"[200, \"$WEB/telegram/webhook\", 256]"
first_retry=$(grep -n "will retry$" serve.log | head -1 | cut -d: -f1)
planned=$(grep -n "planned [0-9]* tasks" serve.log | head -1 | cut -d: -f1)
set_at=$(grep -n "Telegram delivers updates to" serve.log | cut -d: -f1)
expect_eq "the main loop goes on meanwhile: the planner ran between the first failure and the success" \
	"$(( first_retry < planned && planned < set_at ))" 1
ctl message '{"chat_id": 3001, "text": "/huongdan"}'
curl -s "$API/control/sent?count=1&timeout=20" >out
expect_eq "and then Telegram's deliveries are answered" "$(json '[m["chat_id"] for m in j]')" "[3001]"

# --- doctor: what Telegram reports -----------------------------------------------------------------
expect_rc 0 "doctor, in webhook mode, asks Telegram about the webhook" "$DONDOC" doctor
expect_grep "it shows the URL Telegram delivers to and the updates pending" out \
	"^ok +webhook +Telegram reports url '$WEB/telegram/webhook', 0 updates pending$"
daemon_stop
# The daemon down, an update waits and its delivery fails: Telegram says so.
ctl message '{"chat_id": 3001, "text": "/viec"}'
delivery_failed() { curl -s "$API/control/state" | grep -q '"last_error_date": [1-9]'; }
wait_until 10 delivery_failed
run "$DONDOC" doctor
expect_grep "doctor shows the pending update and Telegram's last error, with its date" out \
	"^ok +webhook +Telegram reports url '$WEB/telegram/webhook', 1 updates pending, last error at [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}Z: '.+'$"
curl -s -X POST -H 'Content-Type: application/json' -d '{"url": "http://127.0.0.1:9/elsewhere"}' \
	"$API/bot$TOKEN/setWebhook" >/dev/null
expect_rc 1 "doctor with the webhook set elsewhere at Telegram: a problem" "$DONDOC" doctor
expect_grep "(it names both URLs)" out \
	"^FAIL webhook +Telegram reports url 'http://127.0.0.1:9/elsewhere', .*; dondoc serve sets '$WEB/telegram/webhook'$"
curl -s -X POST -d '{"url": ""}' "$API/bot$TOKEN/deleteWebhook" >/dev/null
expect_rc 1 "doctor with no webhook set at Telegram: a problem" "$DONDOC" doctor
expect_grep "(it says Telegram delivers nowhere)" out "^FAIL webhook +Telegram reports url '', "
exit 0

# The HTTP server: /healthz, /metrics, and Telegram's webhook with the
# fake Bot API server delivering to it (tests/fake_telegram.py): the secret
# token checked before anything is read, bad bodies refused with a 4xx and
# no change, an update delivered twice handled once.  Without [http] in
# the configuration, no server, and libmicrohttpd is not even loaded.
. "$(dirname "$0")/../lib.sh"

TOKEN=7000000001:AAtesttoken_for_dondoc
fake_telegram_start "$TOKEN"
http_port

export DONDOC_NOW=2025-09-27T09:00
printf 'wh-secret_2025\n' >secret
base() { conf_general tick=1; }
base >plain.conf
export DONDOC_CONFIG="$T/plain.conf"
run "$DONDOC" init
task_an_linked 1001
curl -s -X POST -d '{"chat_id": 1001, "first_name": "An"}' "$API/control/chat" >/dev/null


# --- no [http]: no server, and the library not even mapped -----------------------------------------
"$DONDOC" --config "$T/plain.conf" serve >plain.log 2>&1 &
daemon=$!
wait_log plain.log planned 10
expect_eq "without [http], the daemon maps neither libmicrohttpd nor libcurl" \
	"$(grep -c 'libmicrohttpd\|libcurl\|libgnutls' /proc/$daemon/maps)" 0
daemon_stop

# --- /healthz and /metrics -------------------------------------------------------------------------
{ base; printf '[http]\nlisten = 127.0.0.1:%s\n' "$HTTP"; } >http.conf
"$DONDOC" --config "$T/http.conf" serve >http.log 2>&1 &
daemon=$!
wait_http "$WEB/healthz"
expect_eq "/healthz answers 200 ok" "$(curl -s -w ' %{http_code}' "$WEB/healthz")" "ok
 200"
curl -s "$WEB/metrics" >metrics.txt
expect_grep "/metrics: tasks by kind and category (the report's), in Prometheus text" metrics.txt '^dondoc_tasks\{kind="task",category="not_started"\} 1$'
expect_grep "/metrics: each family has its TYPE" metrics.txt '^# TYPE dondoc_notices gauge$'
expect_grep "/metrics: planner lag" metrics.txt '^dondoc_planner_lag_seconds [0-9]+$'
promtool_check "/metrics passes promtool check metrics" metrics.txt
expect_eq "an unknown path is 404" "$(curl -s -o /dev/null -w '%{http_code}' "$WEB/nope")" 404
expect_eq "POST to /healthz is 405" "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$WEB/healthz")" 405
expect_eq "no webhook without Telegram in webhook mode: 404" \
	"$(curl -s -o /dev/null -w '%{http_code}' -X POST -d '{}' "$WEB/telegram/webhook")" 404
daemon_stop

# --- webhook mode: Telegram (the fake) delivers to us ------------------------------------------------
{ base; conf_webhook; } >wh.conf
"$DONDOC" --config "$T/wh.conf" serve >wh.log 2>&1 &
daemon=$!
wait_http "$WEB/healthz"
wait_until 10 fake_webhook_set
curl -s "$API/control/state" >out
expect_eq "setWebhook names our URL and a secret" \
	"$(json '[j["webhook"]["url"], j["webhook"]["secret_token"]]')" \
	"[\"$WEB/telegram/webhook\", \"wh-secret_2025\"]"
curl -s -X POST -d '{"chat_id": 1001, "text": "/viec"}' "$API/control/message" >/dev/null
curl -s "$API/control/sent?count=1&timeout=20" >out
expect_eq "an update delivered by webhook is answered" \
	"$(json '[(m["chat_id"], "Báo cáo chuyển đổi số" in m["text"]) for m in j]')" '[[1001, true]]'

updates() { sqlite3 "$DONDOC_DB" "SELECT count(*) FROM chat_update"; }
before=$(updates)
UPD='{"update_id": 900000001, "message": {"message_id": 77, "date": 1759000000, "from": {"id": 1001, "is_bot": false, "first_name": "An"}, "chat": {"id": 1001, "type": "private", "first_name": "An"}, "text": "/tiendo 1 40%"}}'
post() { # SECRET BODY-FILE: POSTs to the webhook, prints the status
	curl -s -o resp.json -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
		${1:+-H "X-Telegram-Bot-Api-Secret-Token: $1"} --data-binary "@$2" "$WEB/telegram/webhook"
}
printf '%s' "$UPD" >upd.json
expect_eq "a wrong secret is refused (401)" "$(post wrong-secret upd.json)" 401
expect_eq "no secret at all is refused (401)" "$(post "" upd.json)" 401
expect_eq "and the refused update changed nothing" "$(updates)" "$before"
run "$DONDOC" task show 1 --json
expect_eq "(the task's progress is untouched)" "$(json 'j["progress"]')" 0
# Unreadable updates are acknowledged (200), not refused with 400: Telegram
# repeats any delivery not answered 2xx, and holds that chat's later updates
# behind it meanwhile (CHAT-APIS.md A3); the same bytes would never do better.
printf '{"update_id": 5, "message": ' >bad.json
expect_eq "unreadable updates get 200, not 400: malformed JSON is acknowledged" \
	"$(post wh-secret_2025 bad.json)" 200
printf '[%s]' "$UPD" >array.json
expect_eq "unreadable updates get 200, not 400: a JSON array is acknowledged" \
	"$(post wh-secret_2025 array.json)" 200
printf '{"message": {"text": "/viec"}}' >noid.json
expect_eq "unreadable updates get 200, not 400: an object with no update_id is acknowledged" \
	"$(post wh-secret_2025 noid.json)" 200
head -c 10485760 /dev/zero | tr '\0' 'a' >big.json
expect_eq "a 10 MB body is 413" "$(post wh-secret_2025 big.json)" 413
# curl asks "Expect: 100-continue" for a large body: refused at the headers, it sends none.
expect_eq "a 10 MB body with a wrong secret is refused (401) before a byte of it is sent" \
	"$(curl -s -o /dev/null -w '%{http_code} %{size_upload}' -X POST -H 'X-Telegram-Bot-Api-Secret-Token: wrong' \
		-H 'Content-Type: application/json' --data-binary @big.json "$WEB/telegram/webhook")" "401 0"
expect_eq "none of them changed anything" "$(updates)" "$before"
expect_grep "unreadable updates get 200, not 400: each logged" wh.log \
	"webhook: .* was acknowledged, ignoring"
expect_eq "the right secret: handled (200)" "$(post wh-secret_2025 upd.json)" 200
expect_eq "the same update_id again: 200, not handled twice" "$(post wh-secret_2025 upd.json)" 200
expect_eq "one update recorded" "$(updates)" "$((before + 1))"
expect_eq "one progress event" \
	"$(sqlite3 "$DONDOC_DB" "SELECT count(*) FROM event WHERE kind = 'progress' AND channel = 'telegram'")" 1
printf '{"update_id": 900000002, "message_reaction": {"chat": {"id": 1001}}}' >other.json
expect_eq "an update kind the bot does not use: 200, ignored" "$(post wh-secret_2025 other.json)" 200
curl -s "$WEB/metrics" >metrics.txt
expect_grep "/metrics counts commands by kind" metrics.txt '^dondoc_commands_total\{command="tiendo"\} 1$'
expect_grep "and messages by channel and state" metrics.txt '^dondoc_messages\{channel="telegram",state="(sent|pending)"\} [0-9]+$'
promtool_check "/metrics with commands counted passes promtool check metrics" metrics.txt
daemon_stop
expect_grep "the daemon says where Telegram delivers" wh.log "Telegram delivers updates to $WEB/telegram/webhook"
exit 0

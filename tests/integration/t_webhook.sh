# Telegram's webhook under load, as its servers deliver: many updates at
# once on many connections, committed in batches by the daemon's writer
# (group commit), the daemon reloaded meanwhile.  Every update answered
# 200 is in the registry once; the same updates again change nothing; an
# update the registry refuses is undone alone and answered 200 with a
# generic error, the others of its batch kept; a daemon stopped in the
# middle of it all acknowledges nothing it did not commit.  And a button
# pressed on a reminder, delivered by webhook: its answer rides on the
# webhook's response, and the reminder is redrawn after.  And a history
# keyed by [audit] key_file takes the webhook's updates under the key,
# before and after a reload.
. "$(dirname "$0")/../lib.sh"

TOKEN=7000000001:AAtesttoken_for_dondoc
poster=
trap 'kill $poster 2>/dev/null; at_exit' EXIT
fake_telegram_start "$TOKEN"
http_port
SECRET=wh-secret_2025

printf '%s\n' "$SECRET" >secret
{ conf_general tick=1; conf_webhook; } >dondoc.conf
export DONDOC_CONFIG="$T/dondoc.conf"

# 20 tasks, each led by an agency of its own, whose focal point's chat is 2000 + N,
# set up before the days the daemon runs at (the history runs forward).
run env DONDOC_NOW=2025-09-27T08:00 "$DONDOC" init
tasks_tsv 20 30/9/2025 >t.tsv
run env DONDOC_NOW=2025-09-27T08:00 "$DONDOC" import t.tsv
# Through dondoc, so that the history holds them ('verify' replays it).
for i in $(seq 1 20); do
	DONDOC_NOW=2025-09-27T08:00 "$DONDOC" person add --name "Cán bộ $i" --agency "Đơn vị thử số $i" \
		--role focal --telegram $((2000 + i)) >/dev/null
done
for i in $(seq 2001 2020); do
	curl -s -X POST -d "{\"chat_id\": $i, \"first_name\": \"Cán bộ\"}" "$API/control/chat" >/dev/null
done

updates() { # FIRST COUNT [NOTE]: COUNT status commands, update_id FIRST on, one per line
	$PY - "$@" <<'PY'
import json, sys
first, count = int(sys.argv[1]), int(sys.argv[2])
note = sys.argv[3] if len(sys.argv) > 3 else None
for k in range(count):
    uid = first + k
    chat = 2000 + k % 20 + 1
    text = "/tiendo %d %d%% %s" % (k % 20 + 1, k % 100, note if note and k == count // 2 else "lần %d" % uid)
    print(json.dumps({"update_id": uid, "message": {
        "message_id": uid, "date": 1759200000, "text": text,
        "from": {"id": chat, "is_bot": False, "first_name": "Cán bộ"},
        "chat": {"id": chat, "type": "private", "first_name": "Cán bộ"}}}, ensure_ascii=False))
PY
}
post() { # FILE [CONNECTIONS]: posts the updates of FILE at once, results into posted
	$PY "$TOP/tests/webhook_post.py" "$WEB/telegram/webhook" "$SECRET" "$1" "${2:-24}" >posted
}
statuses() { # the statuses of posted, counted
	cut -d' ' -f2 posted | sort | uniq -c | awk '{ printf "%s%s:%s", sep, $2, $1; sep = " " }'
}
start() { # DONDOC_NOW: the daemon, once its server answers
	daemon_start DONDOC_NOW="$1"
	wait_http "$WEB/healthz"
}

# --- 400 updates on 24 connections --------------------------------------------------------------
start 2025-09-27T09:00
updates 1000 2000 >load.jsonl
# Reloaded (SIGHUP) twice meanwhile: the writer's setup is swapped between batches.
post load.jsonl &
poster=$!
for n in 1 2; do
	kill -HUP $daemon
	i=0
	while [ "$(grep -c 'configuration and schedules reloaded' serve.log)" -lt $n ] && [ $i -lt 100 ]; do
		sleep 0.05; i=$((i + 1))
	done
	[ $n = 1 ] && running=$(kill -0 $poster 2>/dev/null && echo yes || echo no)
done
wait $poster
poster=
expect_eq "2000 updates at once on 24 connections: all answered 200" "$(statuses)" "200:2000"
expect_eq "(the daemon reloaded twice, the first time in the middle of it)" \
	"$(grep -c 'configuration and schedules reloaded' serve.log) $running" "2 yes"
expect_eq "each recorded once" "$(sql "SELECT count(*), count(DISTINCT update_id), min(update_id), max(update_id) FROM chat_update")" \
	"2000|2000|1000|2999"
expect_eq "each note in the history once, through Telegram, by its sender" \
	"$(sql "SELECT count(*), count(DISTINCT text) FROM event WHERE kind = 'note' AND channel = 'telegram' AND actor = 'Cán bộ ' || (task_id)")" \
	"2000|2000"
expect_eq "each answered: 2000 replies queued for the senders, each replying to its message" \
	"$(sql "SELECT count(*), count(DISTINCT reply_to) FROM message WHERE kind = 'reply' AND reply_to BETWEEN 1000 AND 2999")" \
	"2000|2000"
expect_rc 0 "the history's hash chain is whole across the batches" "$DONDOC" verify
expect_grep "every event in it" out "^history intact: "

post load.jsonl 12
expect_eq "the same 2000 again, at once: all 200" "$(statuses)" "200:2000"
expect_eq "and nothing done twice" \
	"$(sql "SELECT (SELECT count(*) FROM chat_update), (SELECT count(*) FROM event WHERE kind = 'note'), (SELECT count(*) FROM message WHERE kind = 'reply')")" \
	"2000|2000|2000"

# A chat linked to no one: told how to link, in the webhook's own response.
printf '%s\n' '{"update_id": 900, "message": {"message_id": 9, "date": 1759200000, "text": "/viec", "from": {"id": 9999, "is_bot": false, "first_name": "Lạ"}, "chat": {"id": 9999, "type": "private", "first_name": "Lạ"}}}' >stranger.jsonl
post stranger.jsonl
cut -d' ' -f3- posted >out
expect_eq "an unlinked chat is answered in the webhook's response: how to link, replying to its message" \
	"$(json '[j["method"], j["chat_id"], "chưa được liên kết" in j["text"], j["reply_parameters"]["message_id"]]')" \
	'["sendMessage", "9999", true, 9]'

# --- an update that fails is undone alone ---------------------------------------------------------
# A note the registry refuses (a rule of its own, as a validation would):
# it would fail the same each time, so it is answered 200 with a generic
# error rather than 503, which Telegram would repeat for ever while that
# chat's later updates wait behind it (issue 10).
if on_pg; then
	sql "CREATE FUNCTION boom() RETURNS trigger LANGUAGE plpgsql AS \$\$ BEGIN
		RAISE EXCEPTION 'boom' USING ERRCODE = 'integrity_constraint_violation'; END \$\$;
	     CREATE TRIGGER boom BEFORE INSERT ON event FOR EACH ROW WHEN (NEW.text = 'nổ')
		EXECUTE FUNCTION boom()"
else
	# Again while the daemon's writer holds the registry (sqlite3 does not wait).
	i=0
	until sql "CREATE TRIGGER boom BEFORE INSERT ON event WHEN NEW.text = 'nổ'
		BEGIN SELECT RAISE(ABORT, 'boom'); END" 2>/dev/null || [ $i -ge 50 ]; do
		sleep 0.1; i=$((i + 1))
	done
fi
updates 5000 60 "nổ" >fail.jsonl
before=$(sql "SELECT count(*) FROM event")
post fail.jsonl
expect_eq "60 updates, one of which the registry refuses: all answered 200" "$(statuses)" "200:60"
expect_eq "the 59 others of its batch are kept, each with its answer" \
	"$(sql "SELECT (SELECT count(*) FROM chat_update WHERE update_id BETWEEN 5000 AND 5059 AND update_id <> 5030), (SELECT count(*) FROM message WHERE kind = 'reply' AND reply_to BETWEEN 5000 AND 5059 AND reply_to <> 5030)")" \
	"59|59"
expect_eq "the refused one is undone alone: not its 30% on task 11, and it is answered with the generic error" \
	"$(sql "SELECT (SELECT count(*) FROM event WHERE task_id = 11 AND kind = 'progress' AND new_value = '30' AND id > $before), (SELECT count(*) FROM message WHERE kind = 'reply' AND reply_to = 5030 AND chat LIKE 'Hệ thống gặp lỗi%')")" \
	"0|1"
grep '"update_id": 5030' fail.jsonl >again.jsonl
post again.jsonl
expect_eq "sent again, it is a duplicate: 200, and not handled twice" \
	"$(statuses) $(sql "SELECT count(*) FROM message WHERE kind = 'reply' AND reply_to = 5030")" "200:1 1"
if on_pg; then sql "DROP TRIGGER boom ON event"; else sql "DROP TRIGGER boom"; fi
expect_rc 0 "the chain still whole" "$DONDOC" verify

# --- stopped under load: nothing acknowledged that was not committed ----------------------------------
# Enough that a slow build (TSan) is still posting when it has stopped.
N=40000
updates 10000 $N >stop.jsonl
$PY "$TOP/tests/webhook_post.py" "$WEB/telegram/webhook" "$SECRET" stop.jsonl 32 >posted &
poster=$!
i=0
while [ "$(sql "SELECT count(*) FROM chat_update WHERE update_id >= 10000")" -lt 300 ] && [ $i -lt 300 ]; do
	sleep 0.02; i=$((i + 1))
done
kill -TERM $daemon
t0=$(date +%s)
wait $daemon
rc=$?
took=$(( $(date +%s) - t0 ))
daemon=
wait $poster
poster=
# 10 s for the daemon as built; ThreadSanitizer runs it 5 to 15 times
# slower, and the writer answers what it was given before it stops: how
# much that is depends on how the threads were scheduled (0 to 39 s in
# ten runs here, the same before and after issue 17's pipeline): 60 s.
limit=10
[ -n "${TSAN_OPTIONS:-}" ] && limit=60
expect_eq "stopped under load, the daemon exits 0 within $limit s" "$rc $(( took < limit ))" "0 1"
sql "SELECT update_id FROM chat_update WHERE update_id >= 10000" | sort >committed
awk '$2 == 200 { print $1 }' posted | sort >acked
expect_eq "it was stopped in the middle: some updates acknowledged, some not" \
	"$(( $(wc -l <acked) > 0 && $(wc -l <acked) < N )) (acknowledged: $(wc -l <acked) of $N)" \
	"1 (acknowledged: $(wc -l <acked) of $N)"
expect_eq "every update acknowledged (200) was committed" "$(comm -23 acked committed | wc -l)" 0
expect_eq "the others were refused (503) or never answered, for Telegram to send again" \
	"$(awk '$2 != 200 && $2 != 503 && $2 != "-"' posted | wc -l)" 0
expect_grep "and it says it stopped" serve.log "stopped$"

# --- a button pressed on a reminder, delivered by webhook --------------------------------------------
# The answers of all that went out; one official left, whose reminder comes on Monday.
sql "UPDATE message SET state = 'sent' WHERE kind = 'reply'; UPDATE person SET active = 0 WHERE id > 1"
curl -s -X POST -d '{}' "$API/control/reset" >/dev/null
start 2025-09-29T09:00
curl -s "$API/control/sent?count=1&timeout=20" >out
expect_eq "Monday: the reminder of task 1 goes to its focal point, with buttons" \
	"$(json '[(m["chat_id"], [b["callback_data"] for r in m["reply_markup"]["inline_keyboard"] for b in r]) for m in j]')" \
	'[[2001, ["t:1:done", "t:1:prog", "t:1:ext"]]]'
REMINDER=$(json 'j[0]["message_id"]')
curl -s -X POST -d "{\"chat_id\": 2001, \"message_id\": $REMINDER, \"data\": \"t:1:done\"}" "$API/control/callback" >/dev/null
curl -s "$API/control/calls?method=answerCallbackQuery&count=1&timeout=20" >out
expect_eq "the press is answered in the webhook's own response, with the toast" \
	"$(json '[j[0]["via"], j[0]["status"], "Đã ghi nhận" in j[0]["params"]["text"]]')" '["webhook answer", 200, true]'
curl -s "$API/control/calls?method=editMessageText&count=1&timeout=20" >out
expect_eq "and the reminder is redrawn after: done recorded, no buttons left" \
	"$(json '["Đã ghi nhận hoàn thành" in j[0]["params"]["text"], j[0]["params"]["reply_markup"]["inline_keyboard"]]')" \
	'[true, []]'
run "$DONDOC" task show 1 --json
expect_eq "the task is done through Telegram" \
	"$(json '[j["status"], [e["channel"] for e in j["events"] if e["kind"] == "status"][-1]]')" '["done", "telegram"]'
daemon_stop

# --- a keyed history takes the webhook's updates ------------------------------------------------------
# [audit] key_file: the key is read by the daemon at start and given to
# each of its registry connections, the webhook writer's too; without it
# the writer could not append to the keyed chain.
sql "UPDATE person SET active = 1"	# as the history says they are
openssl rand -hex 32 >audit-key
{ cat dondoc.conf; printf '[audit]\nkey_file = %s/audit-key\n' "$T"; } >keyed.conf
daemon_start DONDOC_CONFIG="$T/keyed.conf" DONDOC_NOW=2025-09-29T10:00
wait_http "$WEB/healthz"
expect_eq "keyed: the daemon keys the history at start (an audit.key event)" \
	"$(sql "SELECT kind, actor FROM event WHERE id = (SELECT key_from FROM event_head)")" "audit.key|dondoc"
# Tasks 2-19 (task 1 is done): 18 progress reports, one saying "dưới khóa".
updates 60000 19 "dưới khóa" | sed 1d >keyed.jsonl
post keyed.jsonl
expect_eq "keyed: 18 webhook updates, all answered 200" "$(statuses)" "200:18"
expect_eq "keyed: each committed, its note in the history after the key, none answered with the generic error" \
	"$(sql "SELECT (SELECT count(*) FROM chat_update WHERE update_id BETWEEN 60001 AND 60018), (SELECT count(*) FROM event WHERE kind = 'note' AND channel = 'telegram' AND id > (SELECT key_from FROM event_head)), (SELECT count(*) FROM event WHERE kind = 'note' AND text LIKE '%dưới khóa'), (SELECT count(*) FROM message WHERE kind = 'reply' AND reply_to BETWEEN 60001 AND 60018 AND chat LIKE 'Hệ thống gặp lỗi%')")" \
	"18|18|1|0"
# A reload reads the configuration again but keeps the key read at start.
reloads=$(grep -c 'configuration and schedules reloaded' serve.log)
kill -HUP $daemon
wait_until 20 sh -c "[ \$(grep -c 'configuration and schedules reloaded' serve.log) -gt $reloads ]"
updates 60100 19 "sau khi nạp lại" | sed 1d >keyed2.jsonl
post keyed2.jsonl
expect_eq "keyed: after a reload (SIGHUP), the webhook's updates still go into the keyed history" \
	"$(( $(grep -c 'configuration and schedules reloaded' serve.log) - reloads )) $(statuses) $(sql "SELECT count(*) FROM event WHERE kind = 'note' AND channel = 'telegram' AND id > (SELECT key_from FROM event_head)")" \
	"1 200:18 36"
daemon_stop
expect_rc 0 "keyed: verify with the key says the history is intact" \
	env DONDOC_CONFIG="$T/keyed.conf" "$DONDOC" verify
expect_grep "keyed: and says so" out "^history intact: "
expect_rc 78 "keyed: verify without the key will not call it intact" "$DONDOC" verify
exit 0

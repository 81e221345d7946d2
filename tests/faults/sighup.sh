# Fault scenario "sighup": broken files and SIGHUP while under load.
#
#   sh tests/faults/sighup.sh [--quick]     (or FAULTS_QUICK=1: the quick version)
#
# The daemon runs on Monday 29/09 09:00 in Telegram webhook mode (the fake
# Bot API server), its schedules and templates copies in $T.  While
# updates are posted to its webhook (tests/webhook_post.py, a loop of
# batches on 16 connections) and the dispatcher sends the day's reminders
# and the answers, the configuration, a template and the policy are
# replaced, one after the other, by broken ones and SIGHUP is sent each
# time: the daemon keeps what it had and says what is wrong, in English, in
# its log (file and line); then good files with a visible change and a
# last SIGHUP: the change is taken.  No update is lost: each answered 200
# is in the registry once, and answered.  --quick posts fewer updates.
# Ends with tests/faults/invariants.sh, when there, and one verdict line.
FAULT=sighup
[ "${1:-}" = --quick ] && FAULTS_QUICK=1
. "$(dirname "$0")/lib.sh"
[ "$QUICK" = 1 ] || QUICK=
poster=
trap 'kill $poster 2>/dev/null; at_exit' EXIT

TOKEN=7000000001:AAfaults_sighup
fake_telegram_start "$TOKEN"
http_port
SECRET=wh-secret_sighup
printf '%s\n' "$SECRET" >secret
cp -r "$TOP/schedules" sched
cp -r "$TOP/templates" tpl
{ conf_general tick=1 schedules="$T/sched" templates="$T/tpl"; conf_webhook; } >good.conf
cp good.conf dondoc.conf
export DONDOC_CONFIG="$T/dondoc.conf"

NT=20
run env DONDOC_NOW=2025-09-27T08:00 "$DONDOC" init
tasks_tsv $NT 30/9/2025 >t.tsv
run env DONDOC_NOW=2025-09-27T08:00 "$DONDOC" import t.tsv
for i in $(seq 1 $NT); do
	DONDOC_NOW=2025-09-27T08:00 "$DONDOC" person add --name "Cán bộ $i" --agency "Đơn vị thử số $i" \
		--role focal --telegram $((2000 + i)) >/dev/null
	curl -s -X POST -d "{\"chat_id\": $((2000 + i)), \"first_name\": \"Cán bộ\"}" "$API/control/chat" >/dev/null
done

updates() { # FIRST COUNT: COUNT /tiendo commands from the NT chats, update_id FIRST on
	$PY - "$@" "$NT" <<'PY'
import json, sys
first, count, nt = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
for k in range(count):
    uid = first + k
    chat = 2000 + k % nt + 1
    print(json.dumps({"update_id": uid, "message": {
        "message_id": uid, "date": 1759200000, "text": "/tiendo %d %d%% lần %d" % (k % nt + 1, k % 100, uid),
        "from": {"id": chat, "is_bot": False, "first_name": "Cán bộ"},
        "chat": {"id": chat, "type": "private", "first_name": "Cán bộ"}}}, ensure_ascii=False))
PY
}
# The poster: BATCHES batches of PER updates, one after the other, into
# posted.N, and more after them until the broken reloads are over
# (stop_posting), however quick the machine: they all come under load.
BATCHES=8 PER=400
[ -n "$QUICK" ] && BATCHES=4 PER=150
poster_loop() {
	b=1
	while [ $b -le $BATCHES ] || { [ ! -e stop_posting ] && [ $b -lt 80 ]; }; do
		updates $((b * 10000)) $PER >"load.$b.jsonl"
		$PY "$TOP/tests/webhook_post.py" "$WEB/telegram/webhook" "$SECRET" "load.$b.jsonl" 16 >"posted.$b"
		b=$((b + 1))
	done
}
reloads() { grep -c 'configuration and schedules reloaded' serve.log; }
failed_reloads() { grep -c 'reload failed: keeping the configuration, schedules and templates in use' serve.log; }
# hup WHAT: SIGHUP, then waits for the daemon's word on it (20 s at most).
hup() {
	_ok=$(reloads) _ko=$(failed_reloads)
	kill -HUP $daemon
	wait_until 20 sh -c "[ \$(grep -c 'configuration and schedules reloaded' serve.log) -gt $_ok ] || [ \$(grep -c 'reload failed: keeping' serve.log) -gt $_ko ]"
}

daemon_start DONDOC_NOW=2025-09-29T09:00
wait_http "$WEB/healthz"
poster_loop &
poster=$!
# Under way: some updates in, some reminders out.
wait_until 20 sh -c "[ \$(sqlite3 '$DONDOC_DB' 'SELECT count(*) FROM chat_update') -gt 20 ]"
wait_until 20 sh -c "curl -s '$API/control/sent' | grep -q chat_id"

# 1. the configuration: an unknown key
printf '[general]\nbogus_key = 1\n' >>dondoc.conf
hup
expect_eq "a configuration with an unknown key: the reload is refused, the old one kept" "$(failed_reloads) $(reloads)" "1 0"
expect_grep "the log says which file, line and key (English)" serve.log "dondoc.conf:[0-9]+: .*bogus_key"
cp good.conf dondoc.conf
under_load=$(kill -0 $poster 2>/dev/null && echo yes || echo no)

# 2. a template with a mistake
printf '{{#task}}\nĐã ghi nhận {{progress}\n' >tpl/vi/progress_ok.chat.mustache
hup
expect_eq "a template with a mistake: refused, the old ones kept" "$(failed_reloads) $(reloads)" "2 0"
expect_grep "the log names the template and its line" serve.log "progress_ok\\.chat\\.mustache(:[0-9]+)?: "
cp "$TOP/templates/vi/progress_ok.chat.mustache" tpl/vi/

# 3. a policy with a value out of range
sed -i 's/^every = 3$/every = banana/' sched/policy.ini
hup
expect_eq "a policy with a bad value: refused, the old one kept" "$(failed_reloads) $(reloads)" "3 0"
expect_grep "the log names policy.ini and its line" serve.log "policy\\.ini:[0-9]+: "
cp "$TOP/schedules/policy.ini" sched/

# 4. a missing file named by the configuration
sed -i "s|^templates = .*|templates = $T/no-such-folder|" dondoc.conf
hup
expect_eq "templates that are not there: refused, the old ones kept" "$(failed_reloads) $(reloads)" "4 0"
cp good.conf dondoc.conf
under_load="$under_load $(kill -0 $poster 2>/dev/null && echo yes || echo no)"
: >stop_posting
expect_eq "(the webhook was being posted to all along the broken reloads)" "$under_load" "yes yes"
kill -0 $daemon 2>/dev/null
expect_eq "the daemon runs on through all four" "$?" 0

# 5. good files, with a visible change: taken
sed -i 's/^Đã ghi nhận tiến độ nhiệm vụ/Đã ghi nhận (mẫu mới) tiến độ nhiệm vụ/' tpl/vi/progress_ok.chat.mustache
hup
expect_eq "good files and a SIGHUP: reloaded" "$(reloads)" 1
wait $poster
poster=
updates 900000 5 >after.jsonl
$PY "$TOP/tests/webhook_post.py" "$WEB/telegram/webhook" "$SECRET" after.jsonl 2 >posted.after
cat posted.* | cut -d' ' -f2 | sort | uniq -c | awk '{ printf "%s%s:%s", sep, $2, $1; sep = " " }' >statuses
total=$(($(cat posted.[0-9]* | wc -l) + 5))
expect_eq "every update posted meanwhile was answered 200" "$(cat statuses)" "200:$total"
expect_eq "each is in the registry once (no update lost)" \
	"$(sql "SELECT count(*), count(DISTINCT update_id) FROM chat_update")" "$total|$total"
expect_eq "each one's note in the history once, through Telegram" \
	"$(sql "SELECT count(*), count(DISTINCT text) FROM event WHERE kind = 'note' AND channel = 'telegram'")" "$total|$total"
# The answers are made when the update is committed, and go out paced (1 a
# second per chat, a queue of minutes here): read from the outbox.
expect_eq "the new template answers the updates after the good reload" \
	"$(sql "SELECT count(*) FROM message WHERE kind = 'reply' AND reply_to >= 900000 AND chat LIKE 'Đã ghi nhận (mẫu mới) tiến độ nhiệm vụ%'")" 5
expect_eq "and the broken ones never answered: every answer is whole, in the old words or the new" \
	"$(sql "SELECT count(*) FROM message WHERE kind = 'reply' AND (chat LIKE 'Đã ghi nhận tiến độ nhiệm vụ <b>[%]</b>%' OR chat LIKE 'Đã ghi nhận (mẫu mới) tiến độ nhiệm vụ <b>[%]</b>%')")" \
	"$total"
curl -s "$API/control/sent" >out
expect_eq "what went out meanwhile: whole answers and reminders, none from a broken template" \
	"$(json '[m["text"][:40] for m in j if "{{" in m["text"] or "}}" in m["text"]]')" "[]"
expect_eq "every update answered: one reply queued per update" \
	"$(sql "SELECT count(DISTINCT reply_to) FROM message WHERE kind = 'reply'")" "$total"
daemon_stop
expect_eq "the daemon stops cleanly" "$?" 0
expect_rc 0 "the history's chain is whole" "$DONDOC" verify

FAULT_INFO="$total updates under 4 broken reloads and a good one: none lost, old files kept, errors logged, new files taken"
verdict "$DONDOC_CONFIG" DONDOC_NOW=2025-09-29T09:00

# The disk filling while the daemon runs: the registry on a small tmpfs
# (as root; skipped otherwise) while Telegram updates come to the webhook
# (/tiendo with a note of their own, each posted again until answered 200,
# as Telegram does), the disk filled in the middle of them, kept full until
# the daemon has refused some, then freed.  The daemon keeps running and
# says the disk is full; once there is space again every update answered
# 200 is committed exactly once (its note once in its task's history),
# every answer is queued once and none sent twice, and the messages the
# full disk kept from being put back after a claim are put back (none is
# left "sending" to wait out its 15-minute claim).
FAULT=full_disk_live
. "$(dirname "$0")/lib.sh"

if [ "$QUICK" = 1 ]; then N=1500 TASKS=10; else N=${FAULTS_UPDATES:-6000} TASKS=40; fi
TOKEN=7000000001:AAtesttoken_for_dondoc
SECRET=wh-secret_2025
poster=
mkdir disk
[ "$(id -u)" = 0 ] || skip_scenario "needs root to mount a tmpfs"
mount -t tmpfs -o size=48m tmpfs "$T/disk" 2>/dev/null || skip_scenario "mount -t tmpfs failed here"
trap 'kill $poster 2>/dev/null; umount "$T/disk" 2>/dev/null; at_exit' EXIT
fake_telegram_start "$TOKEN"
http_port
printf '%s\n' "$SECRET" >secret
{ conf_general tick=1 "db=$T/disk/dondoc.db" "outbox_dir=$T/disk/outbox"; conf_webhook; } >dondoc.conf
export DONDOC_CONFIG="$T/dondoc.conf"
export DONDOC_NOW=2025-09-29T09:00
unset DONDOC_DB

webhook_registry $TASKS
webhook_updates $N $TASKS đầy

daemon_start
wait_http "$WEB/healthz"
# All but 24 MB of the disk taken before the updates come (room for a WAL
# of 4,000 pages before its checkpoint), so that the rest goes in an
# instant when the time comes.
dd if=/dev/zero of=disk/ballast bs=64k count=$(($(df -k disk | awk 'NR == 2 { print $4 }') / 64 - 384)) \
	2>/dev/null
# post FILE: as Telegram, posts the updates of FILE not yet answered 200,
# again and again, until every one is; each answer appended to reached,
# each 200 to answered.
post() {
	cp "$1" left.jsonl
	while [ -s left.jsonl ]; do
		$PY "$TOP/tests/webhook_post.py" "$WEB/telegram/webhook" "$SECRET" left.jsonl 8 >posted 2>/dev/null
		awk '$2 == 200 { print $1 }' posted >>answered
		cat posted >>reached
		$PY - "$1" <<'PY'
import json, sys
ok = set(l.split()[0] for l in open("answered"))
left = [l for l in open(sys.argv[1]) if str(json.loads(l)["update_id"]) not in ok]
open("left.jsonl", "w").writelines(left)
PY
		grep -q ' 200 ' posted || sleep 0.1
	done
}
: >answered
: >reached
head -n $((N / 5)) all.jsonl >first.jsonl
tail -n +$((N / 5 + 1)) all.jsonl >rest.jsonl
post first.jsonl
# A fifth of them in (their answers going out at Telegram's pace), the
# disk filled; the rest come, and are refused (503: Telegram posts them
# again) until the daemon has said why.
dd if=/dev/zero of=disk/fill bs=64k 2>/dev/null
echo "# full at $(wc -l <answered) answered: $(df -k disk | tail -1)"
post rest.jsonl &
poster=$!
refused() { grep -q ' 503 ' reached && grep -Eq "database or disk is full|No space left on device" serve.log; }
wait_until 60 refused
expect_eq "on the full disk it refuses a delivery (503) and says the disk is full" \
	"$(refused && echo yes)" yes
expect_eq "the daemon keeps running on a full disk" "$(kill -0 $daemon 2>/dev/null && echo yes)" yes
rm -f disk/fill disk/ballast
echo "# freed at $(wc -l <answered) answered, $(grep -c ' 503 ' reached) refused"

wait_until 300 sh -c "! kill -0 $poster"
wait $poster
poster=
expect_eq "every update was at last answered 200, each once" \
	"$(sort -u answered | wc -l | tr -d ' ') $(wc -l <answered | tr -d ' ')" "$N $N"
expect_eq "the daemon kept running through it" "$(kill -0 $daemon 2>/dev/null && echo yes)" yes
daemon_stop
# Every answer queued once, none given up; those sent so far sent once
# (Telegram's pace, a message a second to a chat, sends the rest later).
run "$DONDOC" outbox list --json
expect_eq "one answer queued for each update, none dead" \
	"$(json 'sorted(set(m["state"] for m in j if m["kind"] == "reply") - {"sent", "pending"}) + [sum(m["kind"] == "reply" for m in j)]')" "[$N]"
expect_eq "none left claimed after a clean stop (what the full disk kept from being put back was put back once it could be)" \
	"$(json 'sum(m["state"] == "sending" for m in j)')" 0
calls sendMessage
expect_eq "no answer sent twice" \
	"$($PY -c 'import json; c = [(x["params"].get("chat_id"), json.dumps(x["params"].get("reply_parameters") or x["params"].get("reply_to_message_id"))) for x in json.load(open("out"))]; print(len(c) - len(set(c)), len(c) > 0)')" "0 True"
FAULT_INFO="$N updates on a 48 MB tmpfs filled after $((N / 5)), $(grep -c ' 503 ' reached) answered 503 until freed"
verdict "$T/dondoc.conf" INV_COMMITTED="$T/committed.tsv"

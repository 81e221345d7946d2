# kill -9 loops during webhook commits: Telegram updates (/tiendo with a
# note of their own) posted on 8 connections as Telegram's servers do,
# each posted again until it is answered 200, while the daemon is killed -9
# and restarted KILLS times.  Every update answered 200 is committed exactly
# once: its note in its task's history once, none twice, even those whose
# commit the kill cut before the answer (DESIGN §6, 4).
FAULT=kill_webhook
. "$(dirname "$0")/lib.sh"

if [ "$QUICK" = 1 ]; then N=2000 KILLS=4 TASKS=10; else N=${FAULTS_UPDATES:-20000} KILLS=${FAULTS_KILLS:-15} TASKS=40; fi
TOKEN=7000000001:AAtesttoken_for_dondoc
SECRET=wh-secret_2025
poster=
trap 'kill $poster 2>/dev/null; at_exit' EXIT
fake_telegram_start "$TOKEN"
http_port
printf '%s\n' "$SECRET" >secret
{ conf_general tick=1; conf_webhook; } >dondoc.conf
export DONDOC_CONFIG="$T/dondoc.conf"
export DONDOC_NOW=2025-09-29T09:00

webhook_registry $TASKS
webhook_updates $N $TASKS mốc

# The poster, as Telegram: posts what is not yet answered 200, again and
# again, until everything is; each 200 appended to answered.
cp all.jsonl left.jsonl
: >answered
: >reached
(
	while [ -s left.jsonl ]; do
		$PY "$TOP/tests/webhook_post.py" "$WEB/telegram/webhook" "$SECRET" left.jsonl 8 >posted 2>/dev/null
		awk '$2 == 200 { print $1 }' posted >>answered
		cat posted >>reached
		$PY - <<'PY'
ok = set(l.split()[0] for l in open("answered"))
import json
left = [l for l in open("all.jsonl") if str(json.loads(l)["update_id"]) not in ok]
open("left.jsonl", "w").writelines(left)
PY
		grep -q ' 200 ' posted || sleep 0.1
	done
) &
poster=$!

kills=0
while [ $kills -lt $KILLS ] && kill -0 $poster 2>/dev/null; do
	daemon_start
	wait_http "$WEB/healthz"
	# A random moment in the middle of the commits: 0.01 to 0.15 s in.
	sleep "$($PY -c 'import random; print(random.randint(1, 15) / 100)')"
	kill -9 $daemon 2>/dev/null && kills=$((kills + 1))
	wait $daemon 2>/dev/null
	daemon=
	echo "# killed at $(wc -l <answered) updates answered 200"
done
daemon_start
wait_until 300 sh -c "! kill -0 $poster"
wait $poster
poster=
daemon_stop
expect_eq "the daemon was killed $KILLS times while updates came" "$kills" $KILLS
expect_eq "every update was at last answered 200, each once" \
	"$(sort -u answered | wc -l | tr -d ' ') $(wc -l <answered | tr -d ' ')" "$N $N"
FAULT_INFO="$N updates, $kills kill -9, $(($(wc -l <reached) - N)) posts again (cut or refused by a kill)"
verdict "$T/dondoc.conf" INV_COMMITTED="$T/committed.tsv"

# Issue 17: several dondoc instances on one PostgreSQL registry (DESIGN §12).
#
#   1. Three instances deliver 3,000 messages: each exactly once, none lost,
#      the work shared; one planner and one digest sender among them.
#   2. The planner's leader killed -9: another leads within the lease's
#      time, and the log of terms shows no two at once.
#   3. One instance killed -9 in the middle of delivery, ten times, beside
#      two that run on: what it claimed is taken over, duplicates at most
#      one a kill, the others never stop.
#   4. PostgreSQL restarted under load: the instances take their
#      connections up again, nothing is lost, and 'verify' passes.
#   5. Two instances answer Telegram's webhook on one address ([http]
#      share_port: the kernel spreads the connections): every update is
#      committed once, answered once, also when Telegram sends the same
#      ones to both at once.
#   6. Woken by LISTEN/NOTIFY: with a tick of an hour, the instance that
#      does not plan delivers what the planner queued, at once.
#
# PostgreSQL only (tests/check.sh runs it with DONDOC_TEST_PG set): a
# SQLite registry is one daemon's.  The clock is pinned (DONDOC_NOW): the
# leases of a process of this host that is gone end at once
# (instance.h), not when their time runs out.
. "$(dirname "$0")/../lib.sh"
. "$TOP/tests/pg.sh"

if ! on_pg; then
	echo "Bail out! t_instances runs on PostgreSQL (DONDOC_TEST_PG)"
	exit 1
fi

insts=
inst_kill_all() {
	for _n in $insts; do
		eval "_p=\${pid_$_n:-}"
		[ -n "$_p" ] && kill -9 "$_p" 2>/dev/null
	done
}
trap 'inst_kill_all; at_exit' EXIT

# inst_start NAME: one more dondoc serve, its pid in $pid_NAME, its log inst-NAME.log.
inst_start() {
	"$DONDOC" serve >>"inst-$1.log" 2>&1 &
	eval "pid_$1=$!"
	insts="$insts $1"
}
# inst_stop NAME...: SIGTERM to each, then waits for them; 1 when one did not exit 0.
inst_stop() {
	_rc=0
	for _n; do eval "kill -TERM \${pid_$_n:-} 2>/dev/null"; done
	for _n; do
		eval "_p=\${pid_$_n:-}"
		[ -n "$_p" ] || continue
		wait "$_p" || _rc=1
		eval "pid_$_n="
		[ -z "${CHECK_SAN_LOGS:-}" ] || [ ! -f "$CHECK_SAN_LOGS/asan.$_p" ] ||
			cat "$CHECK_SAN_LOGS/asan.$_p" >>"inst-$_n.log"
	done
	return $_rc
}
alive() { eval "kill -0 \${pid_$1:-0} 2>/dev/null"; }
count() { sql "SELECT count(*) FROM message WHERE $1"; }
delivered() { [ -f outbox/deliveries.log ] && wc -l <outbox/deliveries.log | tr -d ' ' || echo 0; }
# by_pid PID: deliveries the process PID made (the log's fourth field).
by_pid() { [ -f outbox/deliveries.log ] && awk -v p="$1" '$4 == p' outbox/deliveries.log | wc -l | tr -d ' ' || echo 0; }
# sheet N DUE PREFIX: N tasks, each led by an agency "PREFIX I" of its own.
sheet() {
	printf "$HDR"
	_i=1
	while [ $_i -le "$1" ]; do
		printf '%d.\tNhiệm vụ %s %d\t%s\t%s %d\t%s\n' $_i "$3" $_i "$DOC" "$3" $_i "$2"
		_i=$((_i + 1))
	done
}
# leases: the lease list, as JSON in out.
leases() { "$DONDOC" lease list --json >out 2>err; }
# fresh_registry SUFFIX: from here on, a new database of its own (and a new outbox).
fresh_registry() {
	"${PG_BIN:-/usr/lib/postgresql/15/bin}/psql" -qX "$DONDOC_TEST_PG/postgres" \
		-c "CREATE DATABASE ${REGISTRY##*/}_$1" >/dev/null
	export DONDOC_DB=${REGISTRY}_$1
	sed -i "s|^db *=.*|db=$DONDOC_DB|" dondoc.conf
	[ -d outbox ] && mv outbox "outbox.$1.before"
	run "$DONDOC" init
}
verdict() { # NAME [VAR=VALUE...]: tests/faults/invariants.sh on the registry
	_vn=$1
	shift
	env "$@" DONDOC="$DONDOC" sh "$TOP/tests/faults/invariants.sh" "$T/dondoc.conf" "$_vn" >verdict 2>&1
	_vr=$(tail -n 1 verdict)
	case $_vr in
	"ok "*) pass "$_vn: ${_vr#ok $_vn: }" ;;
	*) fail "$_vn" "$(cat verdict)" ;;
	esac
}

N=${INST_N:-3000}
{ conf_general tick=1; printf '[file]\ndelay_ms = 1\n'; } >dondoc.conf
export DONDOC_CONFIG="$T/dondoc.conf"
# Monday 29/09/2025 09:00: inside the sending window; every task is due today.
export DONDOC_NOW=2025-09-29T09:00

run "$DONDOC" init
sheet $N 29/9/2025 "Đơn vị thử số" >tasks.tsv
expect_rc 0 "import $N tasks, one agency each" "$SETUP_DONDOC" import tasks.tsv
focal_points

# --- 1. three instances, each message once ---------------------------------------------
for i in a b c; do inst_start $i; done
all_sent() { [ "$(count "state = 'sent'")" = "$N" ]; }
wait_until 300 all_sent
expect_eq "three instances: all $N messages sent" "$(count "state = 'sent'")" "$N"
expect_eq "each delivered once (deliveries.log)" \
	"$(cut -d' ' -f1 outbox/deliveries.log | sort | uniq -d | wc -l | tr -d ' ')" 0
expect_eq "as many deliveries as messages" "$(delivered)" "$N"
sharing=0
for i in a b c; do
	eval "n=\$(by_pid \$pid_$i)"
	echo "# instance $i delivered $n"
	[ "$n" -gt 0 ] && sharing=$((sharing + 1))
done
expect_eq "the work is shared: every instance delivered some" "$sharing" 3
leases
expect_eq "one planner term, held" \
	"$(json 'sum(1 for t in j if t["name"] == "planner" and t["held"])'):$(json 'len(j)')" "1:2"
leader=$(json '[t["owner"].split()[1] for t in j if t["name"] == "planner" and t["held"]][0]')
expect_eq "the planner leads from one of the three" \
	"$(for i in a b c; do eval "[ \$pid_$i = $leader ] && echo $i"; done | wc -l | tr -d ' ')" 1
expect_eq "the planner alone composed: one instance said it planned" \
	"$(grep -l "planned $N tasks" inst-*.log | wc -l | tr -d ' ')" 1

# --- 2. the planner's leader killed ------------------------------------------------------
for i in a b c; do eval "[ \$pid_$i = $leader ] && victim=$i"; done
kill -9 "$leader"
wait "$leader" 2>/dev/null
eval "pid_$victim="
t0=$(date +%s)
new_leader() { leases && [ "$(json 'sum(1 for t in j if t["name"] == "planner" and t["held"])')" = 1 ] &&
	[ "$(json '[t["owner"] for t in j if t["name"] == "planner"][-1].split()[1]')" != "$leader" ]; }
wait_until 30 new_leader
took=$(($(date +%s) - t0))
echo "# a new planner led $took s after the kill"
leases
expect_eq "another instance leads the planner, as term 2" \
	"$(json '[t["term"] for t in j if t["name"] == "planner" and t["held"]]')" "[2]"
expect_eq "within the lease's time (30 s)" "$([ $took -le 30 ] && echo yes)" yes
expect_eq "never two planners: each term ended before the next began" \
	"$(json 'all(a["ended_at"] is not None and a["ended_at"] <= b["started_at"] for a, b in zip([t for t in j if t["name"] == "planner"], [t for t in j if t["name"] == "planner"][1:]))')" true
cat inst-a.log inst-b.log inst-c.log >abc.log
expect_grep "the take-over is logged" abc.log \
	"the planner's lease of '[^']*' \\(term 1\\) is of a process gone: taking it over"
inst_stop a b c
expect_eq "the others stopped cleanly" $? 0
verdict "3,000 messages by three instances" INV_RECEIVED="$T/outbox/deliveries.log" INV_CHANNEL=file \
	INV_MAX_DUPS=0 INV_SETTLED=1 INV_VERIFY=0 INV_EXPLAIN=10

# --- 3. kill -9 during delivery, ten times ------------------------------------------------
M=${INST_M:-1200}
KILLS=10
fresh_registry k
sheet $M 29/9/2025 "Đơn vị thử số" >tasks2.tsv
expect_rc 0 "import $M tasks on a registry of their own" "$SETUP_DONDOC" import tasks2.tsv
focal_points
sed -i 's/^delay_ms = .*/delay_ms = 10/' dondoc.conf
base=0
inst_start s1
inst_start s2
kills=0
while [ $kills -lt $KILLS ]; do
	inst_start v$kills
	eval "vp=\$pid_v$kills"
	some() { [ "$(by_pid "$vp")" -ge 3 ] || ! kill -0 "$vp"; }
	wait_until 60 some
	kill -9 "$vp" 2>/dev/null && kills=$((kills + 1))
	wait "$vp" 2>/dev/null
	eval "pid_v$((kills - 1))="
	echo "# victim $kills killed after $(by_pid "$vp") deliveries; $(($(delivered) - base)) in all"
done
expect_eq "the two that ran on never stopped" "$(alive s1 && alive s2 && echo yes)" yes
all_m() { [ "$(count "state = 'sent'")" = "$M" ]; }
wait_until 300 all_m
expect_eq "after $kills kills: every message sent" "$(count "state = 'sent'")" "$M"
dups=$(cut -d' ' -f1 outbox/deliveries.log | sort | uniq -d | wc -l | tr -d ' ')
echo "# $dups messages delivered twice after $kills kills"
expect_eq "duplicates at most one a kill" "$([ "$dups" -le $kills ] && echo yes)" yes
cat inst-s1.log inst-s2.log >s.log
expect_grep "the claims of the killed are taken over" s.log \
	"claimed by '[^']*', which is gone, are pending again"
inst_stop s1 s2
expect_eq "the two stopped cleanly" $? 0
verdict "kill -9 of one instance, $kills times" INV_RECEIVED="$T/outbox/deliveries.log" INV_CHANNEL=file \
	INV_MAX_DUPS=$kills INV_SETTLED=1 INV_VERIFY=0 INV_EXPLAIN=10

# --- 4. PostgreSQL restarted under load ---------------------------------------------------
# A registry of its own, every person added through dondoc, so that
# 'verify' replays the whole history.
P=${INST_P:-150}
fresh_registry r
sheet $P 29/9/2025 "Phòng thử số" >tasks3.tsv
expect_rc 0 "import $P tasks on a second registry" "$SETUP_DONDOC" import tasks3.tsv
i=1
while [ $i -le $P ]; do
	"$SETUP_DONDOC" person add --name "Cán bộ $i" --agency "Phòng thử số $i" --role focal >/dev/null 2>&1 ||
		fail "person add $i"
	i=$((i + 1))
done
sed -i 's/^delay_ms = .*/delay_ms = 20/' dondoc.conf
inst_start r1
inst_start r2
under_way() { [ "$(delivered)" -ge 20 ]; }
wait_until 60 under_way
echo "# PostgreSQL restarted at $(delivered) deliveries"
expect_rc 0 "PostgreSQL restarts under load" pg_restart
done3() { [ "$(count "state = 'sent'")" = "$P" ]; }
wait_until 120 done3
expect_eq "after the restart: every message sent" "$(count "state = 'sent'")" "$P"
expect_eq "both instances still run" "$(alive r1 && alive r2 && echo yes)" yes
grep -h -i "postgres\|connect" inst-r1.log inst-r2.log | sort | uniq -c | sed 's/^/#   /' | head -8
inst_stop r1 r2
expect_eq "they stopped cleanly" $? 0
dups=$(cut -d' ' -f1 outbox/deliveries.log | sort | uniq -d | wc -l | tr -d ' ')
echo "# $dups messages delivered twice across the restart"
verdict "PostgreSQL restarted under load" INV_RECEIVED="$T/outbox/deliveries.log" INV_CHANNEL=file \
	INV_MAX_DUPS=2 INV_SETTLED=1 INV_EXPLAIN=10

# --- 5. two instances behind one address ---------------------------------------------------
TOKEN=7000000001:AAtesttoken_for_dondoc
fake_telegram_start "$TOKEN"
http_port
SECRET=wh-secret_2025
printf '%s\n' "$SECRET" >secret
fresh_registry w
{ conf_general db="$DONDOC_DB" tick=1; conf_webhook; printf 'share_port = yes\n'; } >dondoc.conf
# share_port goes in [http]: conf_webhook's first section.
sed -i '/^share_port/d; s/^\(listen = .*\)$/\1\nshare_port = yes/' dondoc.conf
export DONDOC_NOW=2025-09-27T09:00
tasks_tsv 20 30/9/2025 >t5.tsv
expect_rc 0 "import 20 tasks" "$SETUP_DONDOC" import t5.tsv
for i in $(seq 1 20); do
	"$SETUP_DONDOC" person add --name "Cán bộ $i" --agency "Đơn vị thử số $i" --role focal \
		--telegram $((2000 + i)) >/dev/null || fail "person add $i"
	curl -s -X POST -d "{\"chat_id\": $((2000 + i)), \"first_name\": \"Cán bộ\"}" \
		"$API/control/chat" >/dev/null
done
inst_start h1
wait_http "$WEB/healthz"
inst_start h2
sleep_until_listening() { grep -q "listening on" inst-h2.log; }
wait_until 20 sleep_until_listening
expect_grep "the second instance listens on the same address" inst-h2.log "listening on 127.0.0.1:$HTTP"
$PY - 2000 >load5.jsonl <<'PY'
import json, sys
for k in range(int(sys.argv[1])):
    uid, chat = 1000 + k, 2000 + k % 20 + 1
    print(json.dumps({"update_id": uid, "message": {
        "message_id": uid, "date": 1759200000, "text": "/tiendo %d %d%% lần %d" % (k % 20 + 1, k % 100, uid),
        "from": {"id": chat, "is_bot": False, "first_name": "Cán bộ"},
        "chat": {"id": chat, "type": "private", "first_name": "Cán bộ"}}}, ensure_ascii=False))
PY
$PY "$TOP/tests/webhook_post.py" "$WEB/telegram/webhook" "$SECRET" load5.jsonl 32 >posted5 &
poster=$!
# Whose are the connections meanwhile: both instances', the kernel's choice.
: >owners
while kill -0 $poster 2>/dev/null; do
	ss -Htnp state established "( sport = :$HTTP )" 2>/dev/null | grep -o 'pid=[0-9]*' >>owners
	sleep 0.05
done
wait $poster
poster=
expect_eq "2000 updates on 32 connections to one address: all answered 200" \
	"$(cut -d' ' -f2 posted5 | sort | uniq -c | awk '{ printf "%s:%s", $2, $1 }')" "200:2000"
expect_eq "both instances took connections" \
	"$(sort -u owners | grep -c -e "pid=$pid_h1\$" -e "pid=$pid_h2\$")" 2
expect_eq "each update recorded once" \
	"$(sql "SELECT count(*), count(DISTINCT update_id) FROM chat_update")" "2000|2000"
expect_eq "each note in the history once" \
	"$(sql "SELECT count(*), count(DISTINCT text) FROM event WHERE kind = 'note' AND channel = 'telegram'")" \
	"2000|2000"
expect_eq "each answered once" \
	"$(sql "SELECT count(*), count(DISTINCT reply_to) FROM message WHERE kind = 'reply'")" "2000|2000"
# Telegram sends the same updates again, to both at once (two posters).
$PY "$TOP/tests/webhook_post.py" "$WEB/telegram/webhook" "$SECRET" load5.jsonl 16 >again.a &
pa=$!
$PY "$TOP/tests/webhook_post.py" "$WEB/telegram/webhook" "$SECRET" load5.jsonl 16 >again.b
wait $pa
expect_eq "the same 2000 twice more at once: all 200" \
	"$(cat again.a again.b | cut -d' ' -f2 | sort | uniq -c | awk '{ printf "%s:%s", $2, $1 }')" "200:4000"
expect_eq "and nothing done twice, no error told to anyone" \
	"$(sql "SELECT (SELECT count(*) FROM chat_update), (SELECT count(*) FROM event WHERE kind = 'note'), (SELECT count(*) FROM message WHERE kind = 'reply'), (SELECT count(*) FROM message WHERE chat LIKE 'Hệ thống gặp lỗi%')")" \
	"2000|2000|2000|0"
inst_stop h1 h2
expect_eq "both stopped cleanly" $? 0
expect_rc 0 "the history is whole" "$DONDOC" verify

# --- 6. wake-ups by LISTEN/NOTIFY ------------------------------------------------------------
fresh_registry n
{ conf_general db="$DONDOC_DB" tick=3600; printf '[file]\ndelay_ms = 10\n'; } >dondoc.conf
export DONDOC_NOW=2025-09-29T09:00
sheet 300 29/9/2025 "Đơn vị thử số" >tasks6.tsv
expect_rc 0 "import 300 tasks" "$SETUP_DONDOC" import tasks6.tsv
focal_points
# Two instances: one leads the planner, composes at start and says so at
# commit; the other's next tick is an hour away.
inst_start n1
inst_start n2
all6() { [ "$(count "state = 'sent'")" = 300 ]; }
wait_until 60 all6
expect_eq "a tick of an hour: all 300 messages sent" "$(count "state = 'sent'")" 300
leases
leader=$(json '[t["owner"].split()[1] for t in j if t["name"] == "planner" and t["held"]][0]')
woken=0
for i in n1 n2; do
	eval "p=\$pid_$i"
	[ "$p" != "$leader" ] && [ "$(by_pid "$p")" -gt 0 ] && woken=$((woken + 1))
done
expect_eq "the instance that does not plan delivered too, woken by the planner's commit" \
	"$woken" 1
inst_stop n1 n2

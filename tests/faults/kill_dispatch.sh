# kill -9 loops during dispatch (tests/integration/t_crash.sh's, sized by
# FAULTS_QUICK): a slow file channel delivers a message to each of N people,
# the daemon killed -9 at random numbers of deliveries KILLS times, then
# run to the end.  Every message ends sent and delivered, none lost, no
# more delivered twice than there were kills (DESIGN §6, 2 and 3).
FAULT=kill_dispatch
. "$(dirname "$0")/lib.sh"

if [ "$QUICK" = 1 ]; then N=120 KILLS=4; else N=${FAULTS_N:-1000} KILLS=${FAULTS_KILLS:-10}; fi
{ conf_general tick=1; printf '[file]\ndelay_ms = 2\n'; } >dondoc.conf
export DONDOC_CONFIG="$T/dondoc.conf"
# Monday 29/09/2025 09:00: inside the sending window; every task is due today.
export DONDOC_NOW=2025-09-29T09:00

run "$DONDOC" init
tasks_tsv $N 29/9/2025 >tasks.tsv
expect_rc 0 "import $N tasks, one agency each" "$DONDOC" import tasks.tsv
# Through dondoc, so that the history holds them ('verify' replays it).
i=1
while [ $i -le $N ]; do
	"$SETUP_DONDOC" person add --name "Cán bộ $i" --agency "Đơn vị thử số $i" --role focal >/dev/null 2>&1 ||
		fail "person add $i"
	i=$((i + 1))
done

delivered() { [ -f outbox/deliveries.log ] && wc -l <outbox/deliveries.log | tr -d ' ' || echo 0; }
kills=0
while [ $kills -lt $KILLS ]; do
	before=$(delivered)
	[ "$before" -ge $N ] && break
	daemon_start
	want=$((before + $($PY -c 'import random; print(random.randint(0, 30))')))
	waited=0
	while [ "$(delivered)" -lt "$want" ] && kill -0 $daemon 2>/dev/null && [ $waited -lt 600 ]; do
		sleep 0.05
		waited=$((waited + 1))
	done
	kill -9 $daemon 2>/dev/null && kills=$((kills + 1)) && echo "# killed at $(delivered) deliveries"
	wait $daemon 2>/dev/null
	daemon=
done
expect_eq "the daemon was killed $KILLS times mid-delivery" "$kills" $KILLS
expect_rc 0 "a last run delivers the rest" "$DONDOC" serve --once
run "$DONDOC" outbox list --json
expect_eq "every message ends sent" "$(json 'sorted(set(m["state"] for m in j)) + [len(j)]')" "[\"sent\", $N]"
verdict "$T/dondoc.conf" INV_RECEIVED="$T/outbox/deliveries.log" INV_CHANNEL=file INV_MAX_DUPS=$kills INV_SETTLED=1

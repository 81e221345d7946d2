# Crash test (DESIGN §6 invariants 2 and 3): kill -9 the daemon at random
# moments while a slow file channel delivers 1,000 messages, ten times,
# then let it finish: every message ends sent, none is lost, and no more
# are delivered twice than there were kills.
. "$(dirname "$0")/../lib.sh"

N=1000
KILLS=10
{ conf_general tick=1; printf '[file]\ndelay_ms = 2\n'; } >dondoc.conf
export DONDOC_CONFIG="$T/dondoc.conf"
# Monday 29/09/2025 09:00: inside the sending window; every task is due today.
export DONDOC_NOW=2025-09-29T09:00

run "$DONDOC" init
tasks_tsv $N 29/9/2025 >tasks.tsv
expect_rc 0 "import $N tasks, one agency each" "$DONDOC" import tasks.tsv
# Through dondoc, so that the history holds them too ('verify' replays it);
# by the plain build, which is not what this test is about (lib.sh).
i=1
while [ $i -le $N ]; do
	"$SETUP_DONDOC" person add --name "Cán bộ $i" --agency "Đơn vị thử số $i" --role focal >/dev/null ||
		fail "person add $i" "$(cat err 2>/dev/null)"
	i=$((i + 1))
done
expect_eq "$N people to remind" "$(sqlite3 "$DONDOC_DB" "SELECT count(*) FROM person")" $N

delivered() { [ -f outbox/deliveries.log ] && wc -l <outbox/deliveries.log | tr -d ' ' || echo 0; }

# Start, wait for a random number of further deliveries (or for the end of
# composing, 0), kill -9, again.  Waiting is on deliveries, not on time.
kills=0
while [ $kills -lt $KILLS ]; do
	before=$(delivered)
	[ "$before" -ge $N ] && break
	daemon_start
	want=$((before + $($PY -c 'import random; print(random.randint(0, 60))')))
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
expect_eq "every message ends sent" \
	"$(json 'sorted(set(m["state"] for m in j)) + [len(j)]')" "[\"sent\", $N]"
expect_eq "every notice ends sent" \
	"$(sqlite3 "$DONDOC_DB" "SELECT group_concat(state || ':' || n) FROM (SELECT state, count(*) n FROM notice GROUP BY state)")" "sent:$N"
expect_eq "every message was delivered at least once" \
	"$(cut -d' ' -f1 outbox/deliveries.log | sort -u | wc -l | tr -d ' ')" $N
dups=$(( $(delivered) - N ))
if [ $dups -le $kills ]; then
	pass "duplicates ($dups) are no more than the kills ($kills)"
else
	fail "duplicates ($dups) are no more than the kills ($kills)" "$(cut -d' ' -f1 outbox/deliveries.log | sort | uniq -d | head)"
fi
expect_eq "one file per message in the outbox" "$(find outbox -name '*.txt' | wc -l | tr -d ' ')" $N
expect_rc 0 "the history still verifies" "$DONDOC" verify
exit 0

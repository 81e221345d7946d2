# The WAL deleted while stopped: the daemon killed -9 mid-delivery (its
# last commits only in dondoc.db-wal), then the -wal and -shm files deleted
# (an operator "cleaning up", a backup restoring the main file alone).  The
# registry falls back to its last checkpoint, whole: dondoc opens it, the
# history still verifies, and a run sends everything; what is sent twice
# is no more than what had been delivered when the WAL went.
FAULT=wal_deleted
. "$(dirname "$0")/lib.sh"

N=100
{ conf_general tick=1; printf '[file]\ndelay_ms = 5\n'; } >dondoc.conf
export DONDOC_CONFIG="$T/dondoc.conf"
export DONDOC_NOW=2025-09-29T09:00
run "$DONDOC" init
tasks_tsv $N 29/9/2025 >tasks.tsv
run "$DONDOC" import tasks.tsv
i=1
while [ $i -le $N ]; do
	"$SETUP_DONDOC" person add --name "Cán bộ $i" --agency "Đơn vị thử số $i" --role focal >/dev/null
	i=$((i + 1))
done
delivered() { [ -f outbox/deliveries.log ] && wc -l <outbox/deliveries.log | tr -d ' ' || echo 0; }
daemon_start
some() { [ "$(delivered)" -ge 40 ]; }
wait_until 60 some
kill -9 $daemon
wait $daemon 2>/dev/null
daemon=
before=$(delivered)
wal=$(stat -c %s dondoc.db-wal 2>/dev/null || echo 0)
echo "# killed at $before deliveries, the WAL $wal bytes"
rm -f dondoc.db-wal dondoc.db-shm
expect_rc 0 "with the WAL gone the history still verifies" "$DONDOC" verify
expect_rc 0 "a run sends the rest" "$DONDOC" serve --once
run "$DONDOC" outbox list --json
expect_eq "every message ends sent" "$(json 'sorted(set(m["state"] for m in j)) + [len(j)]')" "[\"sent\", $N]"
FAULT_INFO="killed at $before deliveries, a $wal-byte WAL deleted"
verdict "$T/dondoc.conf" INV_RECEIVED="$T/outbox/deliveries.log" INV_CHANNEL=file INV_MAX_DUPS=$before INV_SETTLED=1

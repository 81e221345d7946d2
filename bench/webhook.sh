#!/bin/sh
# Webhook benchmark (issue 5's budget, on issue 16's registry): Telegram
# updates carrying a status command, end to end (verify the secret, parse,
# authorise, commit, queue the answer), with wrk: 64 connections, 2
# threads, on the same 2 cores as the daemon.  Budget: 15,000 updates/s,
# p99 under 10 ms, peak RSS under 30 MB.
# The registry is bench/honest_seed.sh's: 2,000 agencies, 20,000 linked
# people, 100,000 tasks; each update a /tiendo from a random person about
# a random task of their agency (bench/honest_webhook.lua).  BENCH_SMALL=1
# adds the old figure: 1,000 tasks, one agency and one person each.
# BENCH_SEED=DIR uses (or makes once) the seed there instead of afresh.
# BENCH_PERF=FILE records a perf profile of the daemon meanwhile;
# BENCH_THREADS=FILE the CPU ticks (user, system) of each of its threads;
# BENCH_DONDOC another binary (build/tsan/dondoc: races under load).
set -eu
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
W=$(mktemp -d)
daemon= fake=
trap 'kill $daemon $fake 2>/dev/null; rm -rf "$W"' EXIT
command -v wrk >/dev/null || { echo "bench: wrk is needed (apt-get install wrk)"; exit 1; }
D=${BENCH_DONDOC:-bot/dondoc}
port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
HTTP=$(port)
TOKEN=7000000001:AAbench
echo "$TOKEN" >"$W/token"
echo bench-secret >"$W/secret"
cat >"$W/dondoc.conf" <<CONF
[general]
db = $W/d.db
outbox_dir = $W/outbox
schedules = schedules
templates = templates
[http]
listen = 127.0.0.1:$HTTP
[telegram]
token_file = $W/token
api_base = http://127.0.0.1:FAKEPORT
mode = webhook
webhook_secret_file = $W/secret
bot_username = dondoc_bench_bot
CONF
export DONDOC_CONFIG="$W/dondoc.conf" DONDOC_NOW=2025-09-27T09:00
. bench/steal.sh

SEED=${BENCH_SEED:-$W/seed}
if [ ! -s "$SEED/people.tsv" ]; then
	t0=$(date +%s)
	DONDOC=$PWD/$D sh bench/honest_seed.sh "$SEED"
	echo "bench: the honest registry made in $(($(date +%s) - t0)) s"
fi

# measure LABEL DB WRK-SCRIPT [SCRIPT ARGS]: the daemon on a copy of DB
# under wrk; prints wrk's figures and the budget line, 1 when over it.
measure() {
	label=$1 db=$2 script=$3
	shift 3
	rm -f "$W"/d.db*
	cp "$db" "$W/d.db"
	rm -f "$W/port"
	$PY tests/fake_telegram.py --port 0 --token "$TOKEN" --ready-file "$W/port" \
		>"$W/fake.log" 2>&1 &
	fake=$!
	i=0; while [ ! -s "$W/port" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	sed -i "s|^api_base = .*|api_base = http://127.0.0.1:$(cat "$W/port")|" "$W/dondoc.conf"
	env -u DONDOC_DB $D serve >"$W/serve.log" 2>&1 &
	daemon=$!
	i=0; while ! curl -s -o /dev/null "http://127.0.0.1:$HTTP/healthz" && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1)); done
	# Started: its first, full planner pass (every task; a write transaction) is over.
	i=0; while ! grep -q "planned .* tasks" "$W/serve.log" && [ $i -lt 600 ]; do
		sleep 0.1; i=$((i + 1)); done
	# Answers are queued, not sent: Telegram is out of the picture once started.
	kill $fake; wait $fake 2>/dev/null || true; fake=
	[ -n "${BENCH_PERF:-}" ] && perf record ${BENCH_PERF_ARGS:--g} -o "$BENCH_PERF" -p $daemon \
		-- sleep 8 >/dev/null 2>&1 &
	[ -n "${BENCH_THREADS:-}" ] && (sleep 2; for t in /proc/$daemon/task/*; do
		echo "$t $(cat $t/comm) $(cut -d' ' -f14,15 $t/stat)"; done; sleep 5;
		for t in /proc/$daemon/task/*; do echo "$t $(cat $t/comm) $(cut -d' ' -f14,15 $t/stat)"
		done) >"$BENCH_THREADS" &
	# What starting took (the planner's first pass over every task), before any update.
	hwm0=$(awk '/^VmHWM/ { print $2 }' /proc/$daemon/status)
	steal_start
	wrk -t2 -c64 -d10s --latency -s "$script" "http://127.0.0.1:$HTTP" -- "$@" >"$W/wrk.txt"
	rss=$(awk '/^VmRSS/ { print $2 }' /proc/$daemon/status)
	hwm=$(awk '/^VmHWM/ { print $2 }' /proc/$daemon/status)
	wal=$(stat -c %s "$W/d.db-wal" 2>/dev/null || echo 0)
	kill -TERM $daemon; wait $daemon 2>/dev/null || true; daemon=
	cat "$W/wrk.txt"
	steal_report
	handled=$(sqlite3 "$W/d.db" "SELECT count(*) FROM chat_update")
	# What the updates did: progress events recorded, answers queued.
	progress=$(sqlite3 "$W/d.db" "SELECT count(*) FROM event WHERE kind = 'progress'")
	$PY - "$label" "$W/wrk.txt" "$rss" "$hwm" "$handled" "$wal" "$progress" "$hwm0" <<'PY'
import re, sys
label = sys.argv[1]
text = open(sys.argv[2]).read()
rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
def ms(v, unit): return float(v) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
p99 = ms(*re.search(r"99%\s+([\d.]+)(us|ms|s)", text).groups())
non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
rss, hwm, handled = int(sys.argv[3]) / 1024, int(sys.argv[4]) / 1024, int(sys.argv[5])
wal = int(sys.argv[6]) / 1048576
print('{"bench": "webhook updates, %s", "per_second": %.0f, "p99_ms": %.2f, "rss_mib": %.1f, '
      '"peak_rss_mib": %.1f, "peak_rss_started_mib": %.1f, "wal_mib": %.1f, "handled": %d, "progress_events": %s, "non_2xx": %s}'
      % (label, rate, p99, rss, hwm, int(sys.argv[8]) / 1024, wal, handled, sys.argv[7], non2xx.group(1) if non2xx else 0))
ok = rate >= 15000 and p99 < 10 and hwm < 30
print("%-34s %8.0f/s (budget 15000/s)  p99 %.2f ms (budget 10)  peak RSS %.1f MiB (budget 30)  %s"
      % ("webhook /tiendo, " + label, rate, p99, hwm, "ok" if ok else "OVER BUDGET"))
sys.exit(0 if ok else 1)
PY
}

# The writer alone, on a copy: what one thread can commit, with no HTTP.
cp "$SEED/registry.db" "$W/w.db"
steal_start
build/rel/bench_inbound "$W/w.db" templates schedules 20000 64 "$SEED/people.tsv"
steal_report
rm -f "$W"/w.db*
status=0
measure "100,000 tasks" "$SEED/registry.db" bench/honest_webhook.lua "$SEED/people.tsv" || status=1

if [ "${BENCH_SMALL:-0}" = 1 ]; then
	{
		printf 'STT\tNhiệm vụ\tVăn bản giao nhiệm vụ\tCơ quan chủ trì thực hiện\tThời hạn hoàn thành\n'
		i=1
		while [ $i -le 1000 ]; do
			printf '%d.\tNhiệm vụ số %d\tKế hoạch số 9-KH/BCĐ ngày 2/1/2025\tĐơn vị số %d\t31/12/2025\n' $i $i $i
			i=$((i + 1))
		done
	} >"$W/t.tsv"
	sed -i "s|^db = .*|db = $W/small.db|" "$W/dondoc.conf"
	env -u DONDOC_DB $D init >/dev/null
	env -u DONDOC_DB $D import "$W/t.tsv" >/dev/null
	sed -i "s|^db = .*|db = $W/d.db|" "$W/dondoc.conf"
	sqlite3 "$W/small.db" "INSERT INTO person(name, agency_id, role, lang, active, created_at)
		SELECT 'Cán bộ ' || id, id, 'focal', 'vi', 1, 0 FROM agency;
		INSERT INTO address(person_id, channel, value)
		SELECT id, 'telegram', CAST(1000 + agency_id AS TEXT) FROM person"
	measure "1,000 tasks" "$W/small.db" bench/webhook.lua || status=1
fi
exit $status

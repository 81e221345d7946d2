#!/bin/sh
# Issue 17's budget: dondoc on PostgreSQL with two instances on this
# machine, beside the same figures for SQLite (one daemon), in one run:
#   webhook updates   >= 5,000/s, p99 < 20 ms: /tiendo from random people
#                     about their tasks (bench/honest_webhook.lua), wrk -t2
#                     -c64 -d10s on one address ([http] share_port: the
#                     two instances take the connections between them)
#   planner           a full pass over 100,000 tasks < 2 s (bench_planner)
#   claim + deliver   10,000 file-channel messages < 5 s, by both
#                     instances (from their insertion to the last sent)
# The registry is bench/honest_seed.sh's (2,000 agencies, 100,000 tasks,
# 20,000 linked people), copied to PostgreSQL by `dondoc migrate`; each
# measure starts from a copy of it (CREATE DATABASE ... TEMPLATE).
# BENCH_SEED=DIR uses (or makes once) the seed there.  PostgreSQL is a
# server of the bench's own (tests/pg.sh), fsync off as in the tests.
# BENCH_BACKENDS ("sqlite pg") and BENCH_MEASURES ("planner webhook
# deliver") narrow the run.  Prints one JSON line per measurement and a
# verdict line per budget; exits 1 when one is over.
set -eu
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
W=$(mktemp -d)
# The server's folder of its own: pg_start gives it to the postgres user (W is root's, 0700).
PGW=$(mktemp -d)
pids= fake=
cleanup() {
	[ -z "$pids" ] || kill $pids 2>/dev/null || true
	[ -z "$fake" ] || kill $fake 2>/dev/null || true
	pg_stop
	[ -n "${BENCH_KEEP:-}" ] || rm -rf "$W" "$PGW"
}
. tests/pg.sh
trap cleanup EXIT
command -v wrk >/dev/null || { echo "bench: wrk is needed (apt-get install wrk)"; exit 1; }
D=${BENCH_DONDOC:-$PWD/bot/dondoc}
PSQL=$PG_BIN/psql
port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
. bench/steal.sh

SEED=${BENCH_SEED:-$W/seed}
if [ ! -s "$SEED/people.tsv" ]; then
	t0=$(date +%s)
	DONDOC=$D sh bench/honest_seed.sh "$SEED"
	echo "bench: the honest registry made in $(($(date +%s) - t0)) s"
fi
# The seed at schema 16, on both backends (on PostgreSQL when it is measured).
cp "$SEED/registry.db" "$W/seed.db"
DONDOC_DB=$W/seed.db $D init >/dev/null
case " ${BENCH_BACKENDS:-sqlite pg} " in
*" pg "*)
	pg_start "$PGW" >/dev/null || exit 1
	BASE=${PG_URI%/*}
	"$PSQL" -qX "$BASE/postgres" -c "CREATE DATABASE seed" >/dev/null
	t0=$(date +%s)
	# The seed's people were written by SQL (honest_seed.sh): 'verify' of the
	# copy says so, as of the original; the rows are what is measured here.
	DONDOC_DB=$W/seed.db $D migrate --to "$BASE/seed" >"$W/migrate.out" 2>/dev/null || true
	grep -q "^  task  *100000$" "$W/migrate.out" || { echo "bench: the copy failed"; cat "$W/migrate.out"; exit 1; }
	echo "{\"bench\": \"migrate 100,000 tasks to PostgreSQL\", \"s\": $(($(date +%s) - t0))}"
	;;
esac
# fresh NAME: a copy of the seed, its db setting printed.
fresh() {
	case $BACKEND in
	pg)
		PGOPTIONS="-c client_min_messages=warning" "$PSQL" -qX "$BASE/postgres" -c "DROP DATABASE IF EXISTS $1" \
			-c "CREATE DATABASE $1 TEMPLATE seed" >/dev/null
		echo "$BASE/$1" ;;
	*)
		rm -f "$W/$1.db" "$W/$1.db-wal" "$W/$1.db-shm"
		cp "$W/seed.db" "$W/$1.db"
		echo "$W/$1.db" ;;
	esac
}
q() { # DB SQL: one value
	case $1 in
	postgresql://*) "$PSQL" -qtAX "$1" -c "$2" ;;
	*) sqlite3 "$1" "$2" ;;
	esac
}
HTTP=$(port)
FAKE=1	# the fake Telegram's port, set by start
TOKEN=7000000001:AAbench
echo "$TOKEN" >"$W/token"
echo bench-secret >"$W/secret"
conf() { # DB
	cat >"$W/dondoc.conf" <<CONF
[general]
db = $1
outbox_dir = $W/outbox
schedules = schedules
templates = templates
tick = 1
[http]
listen = 127.0.0.1:$HTTP
share_port = yes
[telegram]
token_file = $W/token
api_base = http://127.0.0.1:$FAKE
mode = webhook
webhook_secret_file = $W/secret
bot_username = dondoc_bench_bot
CONF
}
export DONDOC_CONFIG="$W/dondoc.conf" DONDOC_NOW=2025-09-27T09:00
unset DONDOC_DB
# start N: N instances, once each answers and its planner's first pass is over.
start() {
	rm -f "$W/port"
	$PY tests/fake_telegram.py --port 0 --token "$TOKEN" --ready-file "$W/port" >"$W/fake.log" 2>&1 &
	fake=$!
	i=0; while [ ! -s "$W/port" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	sed -i "s|^api_base = .*|api_base = http://127.0.0.1:$(cat "$W/port")|" "$W/dondoc.conf"
	pids=
	: >"$W/serve.log"
	for k in $(seq 1 "$1"); do
		$D serve >>"$W/serve.log" 2>&1 &
		pids="$pids $!"
	done
	i=0; while [ "$(grep -c "listening on" "$W/serve.log")" -lt "$1" ] && [ $i -lt 200 ]; do
		sleep 0.1; i=$((i + 1)); done
	i=0; while ! grep -q "planned .* tasks" "$W/serve.log" && [ $i -lt 600 ]; do
		sleep 0.1; i=$((i + 1)); done
	# Answers are queued, not sent: Telegram is out of the picture once started.
	kill $fake; wait $fake 2>/dev/null || true; fake=
}
stop() {
	kill -TERM $pids 2>/dev/null || true
	for p in $pids; do wait $p 2>/dev/null || true; done
	pids=
}

status=0
verdict() { # LABEL OK LINE
	printf '%-44s %s  %s\n' "$1" "$3" "$([ "$2" = 1 ] && echo ok || echo OVER BUDGET)"
	[ "$2" = 1 ] || status=1
}

wants() { case " ${BENCH_MEASURES:-planner webhook deliver} " in *" $1 "*) return 0 ;; esac; return 1; }
for BACKEND in ${BENCH_BACKENDS:-sqlite pg}; do
	if [ $BACKEND = pg ]; then n=${BENCH_PG_N:-2}; label="PostgreSQL, $n instances"; else n=1; label="SQLite, 1 daemon"; fi

	# --- the planner ---
	if wants planner; then
		db=$(fresh plan)
		env -u DONDOC_CONFIG build/rel/bench_planner "$db" schedules >"$W/planner.json"
		sed "s/\"bench\": \"/\"bench\": \"$label: /" "$W/planner.json"
		ms=$($PY -c 'import json,sys; print([json.loads(l)["ms"] for l in open(sys.argv[1]) if "first" in l][0])' "$W/planner.json")
		verdict "planner full pass, $label" "$($PY -c "print(int($ms < 2000))")" \
			"$(printf '%8.0f ms (budget 2000)' "$ms")"
	fi

	# --- the webhook ---
	if wants webhook; then
		db=$(fresh web)
		conf "$db"
		start $n
		steal_start
		wrk -t2 -c64 -d10s --latency -s bench/honest_webhook.lua "http://127.0.0.1:$HTTP" -- "$SEED/people.tsv" \
			>"$W/wrk.txt"
		steal_report
		stop
		handled=$(q "$db" "SELECT count(*) FROM chat_update")
		$PY - "$label" "$W/wrk.txt" "$handled" <<-'PY' >"$W/web.json"
	import re, sys
	label, text, handled = sys.argv[1], open(sys.argv[2]).read(), int(sys.argv[3])
	rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
	def ms(v, unit): return float(v) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
	p99 = ms(*re.search(r"99%\s+([\d.]+)(us|ms|s)", text).groups())
	non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
	print('{"bench": "webhook updates, %s", "per_second": %.0f, "p99_ms": %.2f, "handled": %d, "non_2xx": %s}'
	      % (label, rate, p99, handled, non2xx.group(1) if non2xx else 0))
	PY
		cat "$W/web.json"
		rate=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["per_second"])' "$W/web.json")
		p99=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["p99_ms"])' "$W/web.json")
		verdict "webhook /tiendo, $label" "$($PY -c "print(int($rate >= 5000 and $p99 < 20))")" \
			"$(printf '%8.0f/s (budget 5000/s)  p99 %.2f ms (budget 20)' "$rate" "$p99")"
	fi

	# --- claim and deliver ---
	wants deliver || continue
	db=$(fresh deliver)
	conf "$db"
	rm -rf "$W/outbox"
	start $n
	t0=$($PY -c 'import time; print(time.monotonic())')
	q "$db" "INSERT INTO message(person_id, channel, kind, subject, body, state, next_at, created_at, day)
		SELECT id, 'file', 'reply', 'Trả lời', 'Đã ghi nhận tiến độ.', 'pending', 0, 0, '2025-09-27'
		FROM person ORDER BY id LIMIT 10000$([ $BACKEND = pg ] && echo "; NOTIFY dondoc_outbox")" >/dev/null
	# Watched through the delivery log, which costs the machine nothing (a
	# psql every 50 ms took a tenth of it), then the registry: all sent.
	i=0
	while [ "$(cat "$W/outbox/deliveries.log" 2>/dev/null | wc -l)" -lt 10000 ] && [ $i -lt 3000 ]; do
		sleep 0.02; i=$((i + 1))
	done
	while [ "$(q "$db" "SELECT count(*) FROM message WHERE state = 'sent'")" -lt 10000 ] && [ $i -lt 3000 ]; do
		sleep 0.02; i=$((i + 1))
	done
	s=$($PY -c "import time; print('%.2f' % (time.monotonic() - $t0))")
	stop
	sent=$(q "$db" "SELECT count(*) FROM message WHERE state = 'sent'")
	files=$(wc -l <"$W/outbox/deliveries.log")
	dup=$(cut -d' ' -f1 "$W/outbox/deliveries.log" | sort | uniq -d | wc -l)
	by=$(awk '{ print $4 }' "$W/outbox/deliveries.log" | sort | uniq -c | awk '{ printf "%s%s", s, $1; s = "+" }')
	echo "{\"bench\": \"claim and deliver 10,000 file messages, $label\", \"s\": $s, \"sent\": $sent, \"delivered\": $files, \"twice\": $dup, \"by_instance\": \"$by\"}"
	verdict "claim + deliver 10,000, $label" \
		"$($PY -c "print(int($s < 5 and $sent == 10000 and $dup == 0))")" \
		"$(printf '%8.2f s (budget 5)' "$s")"
done
exit $status

#!/bin/sh
# The feed's build, dondoc beside ical-generator 11 on the same tasks: the
# part of bench/feed.sh that make bench-peers (bench/peers.sh) runs too.
#   sh bench/feed_build.sh DIR N RUNS
# build/rel/bench_feed RUNS times (a registry of N tasks of one agency in
# DIR, titles and notes as long as real ones; each run prints its cold,
# unchanged and one-task-changed builds), then bench/ical_generator.mjs on
# the same tasks, read back from that registry with "task list --json"
# and their notes (the median of 5 builds after 2 warm-ups).  JSON lines
# on stdout; DIR/peer.ics the peer's calendar.  RUNS=0: nothing measured.
set -eu
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
W=$1 N=$2 runs=$3
D=bot/dondoc
if [ "$runs" = 0 ]; then
	echo "bench: BENCH_FEED_RUNS=0: no build measured"
elif [ -x build/rel/bench_feed ]; then
	i=1
	while [ $i -le "$runs" ]; do
		BENCH_FEED_KEEP=1 build/rel/bench_feed "$W" templates schedules "$N"
		i=$((i + 1))
	done
	# bench_feed's clock: 2026-03-01 12:00 in Hà Nội.
	DONDOC_DB="$W/bench_feed.db" DONDOC_NOW=2026-03-01T12:00 env -u DONDOC_CONFIG $D task list --json \
		>"$W/list.json"
	sqlite3 -json "$W/bench_feed.db" "SELECT id, note FROM task" >"$W/notes.json"
	$PY - "$W/list.json" "$W/notes.json" "$W/tasks.json" <<'PY'
import json, sys
tasks = json.load(open(sys.argv[1]))
notes = {r["id"]: r["note"] for r in json.load(open(sys.argv[2]))}
for t in tasks:
    t["note"] = notes.get(t["id"])
json.dump(tasks, open(sys.argv[3], "w"), ensure_ascii=False)
PY
	rm -f "$W"/bench_feed.db* "$W/list.json" "$W/notes.json"
	node bench/ical_generator.mjs "$W/tasks.json" 5 2 "$W/peer.ics"
else
	echo "bench: build/rel/bench_feed is missing (bench/bench_feed.c): no build measured"
fi

#!/bin/sh
# Benchmarks of the registry (issue budget: import of 100,000 rows under
# 5 s, "task list --json" over 100,000 tasks under 1 s, peak RSS under
# 64 MB for both).  Prints one JSON line per measurement and a verdict.
set -eu
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
N=${BENCH_ROWS:-100000}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
D=bot/dondoc
export DONDOC_DB="$W/bench.db" DONDOC_NOW=2026-06-01T09:00

$PY bench/gen_table.py "$N" "$W/table.tsv"
echo "table: $N rows, $(du -m "$W/table.tsv" | cut -f1) MiB"
$D init >/dev/null
$PY bench/measure.py import -- $D import "$W/table.tsv" | tee "$W/import.json"
test "$(sqlite3 "$DONDOC_DB" 'SELECT count(*) FROM task')" = "$N" ||
	{ echo "bench: the import did not give $N tasks"; exit 1; }
$PY bench/measure.py "task list --json" -- $D task list --json | tee "$W/list.json"
$PY bench/measure.py "task list" -- $D task list | tee "$W/table.json"
$PY bench/measure.py "import again (unchanged)" -- $D import "$W/table.tsv" | tee "$W/again.json"

$PY - "$W" <<'PY'
import json, sys
w = sys.argv[1]
def load(n): return json.load(open("%s/%s.json" % (w, n)))
checks = [("import", load("import"), 5.0), ("task list --json", load("list"), 1.0)]
ok = True
for name, m, budget in checks:
    good = m["seconds"] < budget and m["peak_rss_mib"] < 64
    ok &= good
    print("%-18s %6.2f s (budget %.0f s)  %5.1f MiB (budget 64)  %s"
          % (name, m["seconds"], budget, m["peak_rss_mib"], "ok" if good else "OVER BUDGET"))
sys.exit(0 if ok else 1)
PY

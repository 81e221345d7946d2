#!/bin/sh
# The digest's budget (issue 13): "dondoc digest --preview --text --xlsx"
# over 10,000 tasks (done on time and late, in progress, behind, not
# started, postponed, overdue) in under 2 s and 64 MB of peak RSS, its
# HTML under 100 KB.  Prints one JSON line, then a verdict per budget;
# exit status 1 when one is over.  Run alone or from bench/run.sh.
set -eu
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
N=${BENCH_DIGEST_TASKS:-10000}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT
D=bot/dondoc
export DONDOC_DB="$W/digest.db" DONDOC_NOW=2026-06-01T09:00
unset DONDOC_CONFIG

$PY bench/gen_table.py "$N" "$W/table.tsv"
$D init >/dev/null
$D import "$W/table.tsv" >/dev/null
# Every kind the digest lists, spread over the registry: done in the
# period (on time and late), in progress with little progress (behind),
# postponed; the rest not started, many of them overdue on 1/6/2026.
sqlite3 "$DONDOC_DB" "
UPDATE task SET status = 'done', progress = 100,
	done_at = CAST(strftime('%s', '2026-05-25') AS INTEGER) + (id % 7) * 86400 WHERE id % 5 = 0;
UPDATE task SET status = 'in_progress', progress = id % 90 WHERE id % 5 = 1;
UPDATE task SET status = 'postponed' WHERE id % 23 = 2;
UPDATE task SET due = '2026-05-' || printf('%02d', 1 + id % 28), precision = 'day'
	WHERE id % 5 IN (1, 3) AND precision IN ('recurring', 'external', 'unknown', 'year');
PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
echo "digest registry: $(sqlite3 "$DONDOC_DB" 'SELECT count(*) FROM task') tasks"

$PY bench/measure.py "digest of $N tasks, HTML + text + XLSX" -- $D digest --period month \
	--preview "$W/d.html" --text "$W/d.txt" --xlsx "$W/d.xlsx" | tee "$W/digest.json"
$PY - "$W" <<'PY'
import json, os, sys
w = sys.argv[1]
m = json.load(open(w + "/digest.json"))
html = os.path.getsize(w + "/d.html")
ok_t = m["seconds"] < 2 and m["peak_rss_mib"] < 64
ok_h = html < 100 * 1000
print("%-34s %8.2f s (budget 2 s)  %5.1f MiB (budget 64)  %s"
      % ("digest, 10,000 tasks, with XLSX", m["seconds"], m["peak_rss_mib"],
         "ok" if ok_t else "OVER BUDGET"))
cut = open(w + "/d.html", encoding="utf-8").read().count("nhiệm vụ khác (xem tệp đính kèm)")
print("%-34s %8d bytes (budget 100,000; %d lists cut; text %d, XLSX %d bytes)  %s"
      % ("digest HTML, 10,000 tasks", html, cut, os.path.getsize(w + "/d.txt"),
         os.path.getsize(w + "/d.xlsx"), "ok" if ok_h else "OVER BUDGET"))
sys.exit(0 if ok_t and ok_h else 1)
PY

#!/bin/sh
# The honest registry of the webhook benchmarks (issue 16): the registry
# shape a province has, and the one the grammY peer runs on too.
#   sh bench/honest_seed.sh OUTDIR
# makes OUTDIR/registry.db: 2,000 agencies, 100,000 tasks (50 led by each
# agency, one in five with a cooperating agency), imported through
# `dondoc import` (so with their history, hash-chained), and 20,000 people
# (10 per agency, the first its head), each linked to a Telegram chat
# (address rows, chat 5000000 + person id); and OUTDIR/people.tsv:
#   chat_id<TAB>person_id<TAB>agency_id<TAB>task numbers the agency leads, comma-separated
# the numbers /tiendo takes.  About 20 s, most of it the import.
# DONDOC=binary (default bot/dondoc).
set -eu
[ $# -eq 1 ] || { echo "usage: honest_seed.sh OUTDIR" >&2; exit 2; }
OUT=$1
cd "$(dirname "$0")/.."
ROOT=$PWD
D=${DONDOC:-$ROOT/bot/dondoc}
case $OUT in /*) ;; *) OUT=$ROOT/$OUT ;; esac
mkdir -p "$OUT"
rm -f "$OUT/registry.db" "$OUT/registry.db-wal" "$OUT/registry.db-shm" "$OUT/people.tsv"
AGENCIES=2000 TASKS=100000 PEOPLE_PER=10
/usr/bin/python3 - "$OUT/seed.tsv" $AGENCIES $TASKS <<'PY'
import sys
agencies, tasks = int(sys.argv[2]), int(sys.argv[3])
with open(sys.argv[1], "w", encoding="utf-8") as f:
    f.write("STT\tNhiệm vụ\tVăn bản giao nhiệm vụ\tCơ quan chủ trì thực hiện\t"
            "Cơ quan phối hợp\tThời hạn hoàn thành\n")
    for i in range(1, tasks + 1):
        a = (i - 1) % agencies + 1
        coop = "Sở số %d" % ((a + 6) % agencies + 1) if i % 5 == 0 else ""
        # A document per 500 tasks: the registry's plans and conclusions.
        f.write("%d.\tNhiệm vụ số %d về triển khai chương trình chuyển đổi số\t"
                "Kế hoạch số %d-KH/BCĐ ngày 2/1/2025\tSở số %d\t%s\t%d/%d/2026\n"
                % (i, i, (i - 1) // 500 + 1, a, coop, (i % 28) + 1, (i % 12) + 1))
PY
cat >"$OUT/seed.conf" <<CONF
[general]
db = $OUT/registry.db
outbox_dir = $OUT/outbox
schedules = $ROOT/schedules
templates = $ROOT/templates
CONF
DONDOC_CONFIG="$OUT/seed.conf" DONDOC_NOW=2025-09-27T09:00 env -u DONDOC_DB "$D" init >/dev/null
DONDOC_CONFIG="$OUT/seed.conf" DONDOC_NOW=2025-09-27T09:00 env -u DONDOC_DB "$D" import \
	"$OUT/seed.tsv" >/dev/null
# People: SQL into the schema dondoc made (20,000 `person add` would take
# minutes); the rows are those `person add` and `person link` make.
sqlite3 "$OUT/registry.db" <<SQL
BEGIN;
WITH RECURSIVE k(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM k WHERE n < $PEOPLE_PER - 1)
INSERT INTO person(name, agency_id, role, lang, active, created_at)
	SELECT 'Cán bộ ' || a.id || '.' || k.n, a.id, CASE k.n WHEN 0 THEN 'head' ELSE 'focal' END,
	       'vi', 1, 1758938400
	FROM agency a, k ORDER BY a.id, k.n;
INSERT INTO address(person_id, channel, value)
	SELECT id, 'telegram', CAST(5000000 + id AS TEXT) FROM person;
COMMIT;
.mode tabs
.headers off
.output $OUT/people.tsv
SELECT 5000000 + p.id, p.id, p.agency_id,
       (SELECT group_concat(task_id, ',') FROM (SELECT task_id FROM task_agency
	WHERE agency_id = p.agency_id AND role = 'lead' ORDER BY task_id))
	FROM person p ORDER BY p.id;
SQL
sqlite3 "$OUT/registry.db" "PRAGMA wal_checkpoint(TRUNCATE)" >/dev/null
rm -f "$OUT/seed.tsv" "$OUT/seed.conf"
rm -rf "$OUT/outbox"

#!/bin/sh
# Benchmarks (the budgets of the issues; numbers go in the closing note):
#   registry: import of 100,000 rows < 5 s, "task list --json" over
#             100,000 tasks < 1 s, peak RSS < 64 MB for both; "report
#             --by agency --by document --json" over them < 1 s;
#   planner:  a full pass over 100,000 tasks and 20,000 people < 500 ms,
#             a tick with nothing due < 5 ms, idle daemon RSS < 10 MB;
#   digest:   10,000 tasks with the XLSX < 2 s and 64 MB, HTML < 100 KB
#             (bench/digest.sh, its verdict printed with the others).
# Prints one JSON line per measurement, then a verdict per budget.
set -eu
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
N=${BENCH_ROWS:-100000}
W=$(mktemp -d)
trap '[ -z "$daemon" ] || kill $daemon 2>/dev/null; rm -rf "$W"' EXIT
daemon=
D=bot/dondoc
export DONDOC_DB="$W/bench.db" DONDOC_NOW=2026-06-01T09:00
unset DONDOC_CONFIG

# --- the registry ---------------------------------------------------------------------------
$PY bench/gen_table.py "$N" "$W/table.tsv"
echo "table: $N rows, $(du -m "$W/table.tsv" | cut -f1) MiB"
$D init >/dev/null
$PY bench/measure.py import -- $D import "$W/table.tsv" | tee "$W/import.json"
test "$(sqlite3 "$DONDOC_DB" 'SELECT count(*) FROM task')" = "$N" ||
	{ echo "bench: the import did not give $N tasks"; exit 1; }
$PY bench/measure.py "task list --json" -- $D task list --json | tee "$W/list.json"
$PY bench/measure.py "task list" -- $D task list | tee "$W/table.json"
$PY bench/measure.py "report" -- $D report --by agency --by document --json | tee "$W/report.json"
$PY bench/measure.py "import again (unchanged)" -- $D import "$W/table.tsv" | tee "$W/again.json"

# --- the planner: 100,000 tasks over 6,660 agencies (departments and
# communes), 3 people each (2 focal points and the head) and 20 leaders
# and secretariat: 20,000 people --------------------------------------------------------------
export DONDOC_DB="$W/plan.db"
$PY bench/gen_table.py "$N" "$W/plan.tsv" 6660
$D init >/dev/null
$D import "$W/plan.tsv" >/dev/null
sqlite3 "$DONDOC_DB" "
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 19979)
INSERT INTO person(name, agency_id, role, lang, active, created_at)
	SELECT 'Cán bộ số ' || i, 1 + i / 3, CASE WHEN i % 3 = 2 THEN 'head' ELSE 'focal' END,
	       'vi', 1, 0 FROM n;
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 19)
INSERT INTO person(name, agency_id, role, lang, active, created_at)
	SELECT 'Lãnh đạo ' || i, 1, CASE WHEN i < 10 THEN 'leader' ELSE 'secretariat' END,
	       'vi', 1, 0 FROM n;
PRAGMA wal_checkpoint(TRUNCATE);" >/dev/null
echo "people: $(sqlite3 "$DONDOC_DB" 'SELECT count(*) FROM person')"
build/rel/bench_planner "$DONDOC_DB" schedules | tee "$W/planner.json"

# --- the idle daemon ----------------------------------------------------------------------
idle_rss() { # DB LABEL [NOW]: RSS of "serve" once its first tick is done
	printf '[general]\ndb = %s\noutbox_dir = %s/outbox\nschedules = schedules\ntemplates = templates\ntick = 1\n' "$1" "$W" >"$W/d.conf"
	env -u DONDOC_DB DONDOC_NOW="${3:-$DONDOC_NOW}" $D --config "$W/d.conf" serve >"$W/serve.log" 2>&1 &
	daemon=$!
	i=0
	while ! grep -q "tick\|planned" "$W/serve.log" && [ $i -lt 600 ]; do sleep 0.1; i=$((i + 1)); done
	sleep 2	# a few idle ticks after the start-up pass
	rss=$(awk '/^VmRSS/ { print $2 }' /proc/$daemon/status)
	anon=$(awk '/^RssAnon/ { print $2 }' /proc/$daemon/status)
	kill $daemon
	wait $daemon 2>/dev/null || true
	daemon=
	echo "{\"bench\": \"idle daemon RSS ($2)\", \"rss_mib\": $(echo "$rss" | awk '{ printf "%.1f", $1 / 1024 }'), \"private_mib\": $(echo "$anon" | awk '{ printf "%.1f", $1 / 1024 }')}"
}
mkdir -p "$W/small"
DONDOC_DB="$W/small/d.db" $D init >/dev/null
DONDOC_DB="$W/small/d.db" $D import demo/ke-hoach-15.tsv >/dev/null 2>&1
idle_rss "$W/small/d.db" "demo registry" | tee "$W/rss-small.json"
# On a Saturday: after its start-up pass the daemon has nothing to send.
idle_rss "$DONDOC_DB" "100,000 tasks" 2026-06-06T09:00 | tee "$W/rss-big.json"

# --- templates and email ----------------------------------------------------------------------
build/rel/bench_render | tee "$W/render.json"
# 1,000 reminders through the local SMTP server (aiosmtpd, STARTTLS, AUTH).
mkdir -p "$W/mail" "$W/em"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/key.pem" -out "$W/cert.pem" -days 2 \
	-subj "/CN=localhost" -addext "subjectAltName=DNS:localhost" >/dev/null 2>&1
PORT=$($PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
$PY tests/smtpd.py "$W/mail" "$PORT" --cert "$W/cert.pem" --key "$W/key.pem" --require-tls \
	--auth dondoc:bench >"$W/smtpd.log" 2>&1 &
smtpd=$!
echo bench >"$W/em/pw"
cat >"$W/em/dondoc.conf" <<CONF
[general]
db = $W/em/d.db
outbox_dir = $W/em/outbox
schedules = schedules
templates = templates
[smtp]
host = localhost
port = $PORT
user = dondoc
password_file = $W/em/pw
from = dondoc@example.gov.vn
ca_file = $W/cert.pem
CONF
{
	printf 'STT\tNhiệm vụ\tVăn bản giao nhiệm vụ\tCơ quan chủ trì thực hiện\tThời hạn hoàn thành\n'
	i=1
	while [ $i -le 1000 ]; do
		printf '%d.\tNhiệm vụ số %d\tKế hoạch số 9-KH/BCĐ ngày 2/1/2025\tĐơn vị số %d\t29/9/2025\n' $i $i $i
		i=$((i + 1))
	done
} >"$W/em/t.tsv"
env -u DONDOC_DB DONDOC_CONFIG="$W/em/dondoc.conf" $D init >/dev/null
env -u DONDOC_DB DONDOC_CONFIG="$W/em/dondoc.conf" $D import "$W/em/t.tsv" >/dev/null
sqlite3 "$W/em/d.db" "INSERT INTO person(name, agency_id, role, lang, active, created_at)
	SELECT 'Cán bộ ' || id, id, 'focal', 'vi', 1, 0 FROM agency;
	INSERT INTO address(person_id, channel, value)
	SELECT id, 'email', 'canbo' || agency_id || '@example.gov.vn' FROM person"
i=0; while [ ! -e "$W/mail/ready" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
$PY bench/measure.py "send 1000 emails" -- env -u DONDOC_DB DONDOC_CONFIG="$W/em/dondoc.conf" \
	DONDOC_NOW=2025-09-29T09:00 $D serve --once | tee "$W/email.json"
kill $smtpd
echo "{\"bench\": \"emails received\", \"count\": $(find "$W/mail" -name '*.eml' | wc -l)}"

# --- the digest (issue 13): its verdict comes with the others below ------------------------------
over=0
sh bench/digest.sh >"$W/digest.out" 2>&1 || over=1
grep -v '^digest, \|^digest HTML' "$W/digest.out" || true

$PY - "$W" <<'PY' || over=1
import json, sys
w = sys.argv[1]
def load(n): return json.load(open("%s/%s.json" % (w, n)))
ok = True
for name, m, budget in (("import", load("import"), 5.0), ("task list --json", load("list"), 1.0),
                        ("report (by agency and document)", load("report"), 1.0)):
    good = m["seconds"] < budget and m["peak_rss_mib"] < 64
    ok &= good
    print("%-34s %8.2f s (budget %.0f s)  %5.1f MiB (budget 64)  %s"
          % (name, m["seconds"], budget, m["peak_rss_mib"], "ok" if good else "OVER BUDGET"))
plan = [json.loads(l) for l in open(w + "/planner.json")]
for m in plan:
    budget = 5.0 if m["bench"] == "idle tick" else 500.0
    good = m["ms"] < budget or m["bench"].endswith("(first)")
    if not m["bench"].endswith("(first)"):
        ok &= good
    print("%-34s %8.2f ms (budget %.0f ms)  %s" % (m["bench"], m["ms"], budget,
          "ok" if m["ms"] < budget else ("over: writes %d notices, once" % m["notices"]
                                          if m["bench"].endswith("(first)") else "OVER BUDGET")))
rl = [json.loads(l) for l in open(w + "/render.json")]
full, th = rl[0], rl[1]
print("%-34s %8.1f ms (budget 250 ms)  %s" % ("render 10,000 emails, text+HTML", th["ms"],
      "ok" if th["ms"] < 250 else "OVER BUDGET"))
print("%-34s %8.1f ms (data + 4 forms, for scale)" % ("render 10,000 messages, all forms", full["ms"]))
ok &= th["ms"] < 250
e = load("email")
print("%-34s %8.2f s (budget 10 s)  %s" % ("send 1,000 emails", e["seconds"], "ok" if e["seconds"] < 10 else "OVER BUDGET"))
ok &= e["seconds"] < 10
for n in ("rss-small", "rss-big"):
    m = load(n)
    good = m["rss_mib"] < 10
    ok &= good
    print("%-34s %8.1f MiB (budget 10), %.1f MiB private  %s" % (m["bench"], m["rss_mib"],
          m["private_mib"], "ok" if good else "OVER BUDGET"))
sys.exit(0 if ok else 1)
PY
grep '^digest, \|^digest HTML' "$W/digest.out" || echo "digest: the benchmark failed, see above"
exit $over

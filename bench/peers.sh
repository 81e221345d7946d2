#!/bin/sh
# dondoc beside the tools a user would pick instead (issue 16, make
# bench-peers), the same work in the same run, alternating:
#   webhook  /tiendo updates on the honest registry (bench/honest_seed.sh:
#            2,000 agencies, 20,000 linked people, 100,000 tasks) under the
#            same wrk load (-t2 -c64 -d10s, bench/honest_webhook.lua):
#            dondoc serve as bench/webhook.sh runs it, then the grammY bot
#            (bench/peers/grammy_webhook.mjs, better-sqlite3 on its own copy
#            of the registry), BENCH_PEERS_ROUNDS times (2); the median of
#            each side judged, the peak RSS (VmHWM) of each server process;
#            budget: at least 3x the peer's updates/s, p99 under a third;
#   feed     10,000 tasks' calendar built, dondoc (bench_feed, one task
#            changed) and ical-generator 11 (bench/feed_build.sh, shared
#            with bench/feed.sh); budget 20x;
#   emails   10,000 reminder emails rendered (subject, text, HTML) and
#            built as MIME, dondoc (bench_mail) then mustache.js with
#            nodemailer's MailComposer (bench/peers/mail.mjs) on the same
#            data and templates, then dondoc again; budget 3x;
#   planner  bench_planner's full pass over the honest registry (the
#            restart pass: every open task read, nothing left to write)
#            beside the floor, the sqlite3 shell's bare SELECTs of what it
#            reads (open tasks, their leads, people and addresses; rows to
#            /dev/null, .timer on, real time), floor, planner, floor; budget:
#            the planner within 3x the floor.
# Prints JSON lines, the CPU steal of the run, then one table: figure,
# dondoc, peer, ratio, budget; exits 1 when a figure is over budget or
# could not be measured.  BENCH_SEED=DIR: the honest seed there (made once).
set -eu
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
W=$(mktemp -d)
server= fake=
trap '[ -z "$server" ] || kill $server 2>/dev/null; [ -z "$fake" ] || kill $fake 2>/dev/null; rm -rf "$W"' EXIT
for c in wrk node sqlite3 curl; do
	command -v $c >/dev/null || { echo "bench: $c is needed (make bench-peers installs it)"; exit 1; }
done
[ -f bench/peers/node_modules/better-sqlite3/build/Release/better_sqlite3.node ] ||
	{ echo "bench: bench/peers/node_modules is missing or unbuilt: make bench-peers installs it"; exit 1; }
[ -d bench/js/node_modules/ical-generator ] ||
	{ echo "bench: ical-generator is missing: (cd bench/js && npm ci)"; exit 1; }
for b in bench_mail bench_planner bench_feed; do
	[ -x build/rel/$b ] || { echo "bench: build/rel/$b is missing: make bench-peers builds it"; exit 1; }
done
D=bot/dondoc
R=$W/results.json
: >"$R"
ROUNDS=${BENCH_PEERS_ROUNDS:-2}
. bench/steal.sh
steal_start
t_start=$(date +%s)

SEED=${BENCH_SEED:-$W/seed}
if [ ! -s "$SEED/people.tsv" ]; then
	t0=$(date +%s)
	DONDOC=$PWD/$D sh bench/honest_seed.sh "$SEED"
	echo "bench: the honest registry made in $(($(date +%s) - t0)) s"
fi

# --- the webhook ----------------------------------------------------------------------
port() { $PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
TOKEN=7000000001:AAbench
echo "$TOKEN" >"$W/token"
echo bench-secret >"$W/secret"

# wrk on URL, then the JSON line of the run: LABEL PID URL DB.
load() {
	label=$1 pid=$2 url=$3 db=$4
	wrk -t2 -c64 -d10s --latency -s bench/honest_webhook.lua "$url" -- "$SEED/people.tsv" >"$W/wrk.txt"
	hwm=$(awk '/^VmHWM/ { print $2 }' /proc/$pid/status)
	kill -TERM $pid; wait $pid 2>/dev/null || true; server=
	handled=$(sqlite3 "$db" "SELECT count(*) FROM chat_update")
	progress=$(sqlite3 "$db" "SELECT count(*) FROM event WHERE kind = 'progress'")
	$PY - "$label" "$W/wrk.txt" "$hwm" "$handled" "$progress" <<'PY' | tee -a "$R"
import json, re, sys
text = open(sys.argv[2]).read()
def ms(v, unit): return float(v) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]
rate = re.search(r"Requests/sec:\s+([\d.]+)", text)
p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", text)
bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
print(json.dumps({"bench": "webhook " + sys.argv[1], "per_second": round(float(rate.group(1))) if rate else 0,
                  "p99_ms": round(ms(*p99.groups()), 2) if p99 else None,
                  "peak_rss_mib": round(int(sys.argv[3]) / 1024, 1), "handled": int(sys.argv[4]),
                  "progress_events": int(sys.argv[5]), "non_2xx": int(bad.group(1)) if bad else 0}))
PY
}

# dondoc serve on a copy of the seed, as bench/webhook.sh runs it: the fake
# Telegram API while it starts, its first (full) planner pass over, then wrk.
dondoc_round() {
	rm -f "$W"/d.db* "$W/port"
	cp "$SEED/registry.db" "$W/d.db"
	http=$(port)
	$PY tests/fake_telegram.py --port 0 --token "$TOKEN" --ready-file "$W/port" >"$W/fake.log" 2>&1 &
	fake=$!
	i=0; while [ ! -s "$W/port" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	cat >"$W/dondoc.conf" <<CONF
[general]
db = $W/d.db
outbox_dir = $W/outbox
schedules = schedules
templates = templates
[http]
listen = 127.0.0.1:$http
[telegram]
token_file = $W/token
api_base = http://127.0.0.1:$(cat "$W/port")
mode = webhook
webhook_secret_file = $W/secret
bot_username = dondoc_bench_bot
CONF
	DONDOC_CONFIG="$W/dondoc.conf" DONDOC_NOW=2025-09-27T09:00 env -u DONDOC_DB $D serve >"$W/serve.log" 2>&1 &
	server=$!
	i=0; while ! curl -s -o /dev/null "http://127.0.0.1:$http/healthz" && [ $i -lt 100 ]; do
		sleep 0.1; i=$((i + 1)); done
	i=0; while ! grep -q "planned .* tasks" "$W/serve.log" && [ $i -lt 600 ]; do
		sleep 0.1; i=$((i + 1)); done
	kill $fake; wait $fake 2>/dev/null || true; fake=
	load "dondoc" $server "http://127.0.0.1:$http" "$W/d.db"
}

# The grammY bot on its own copy of the same seed.
peer_round() {
	rm -f "$W"/p.db* "$W/ready"
	cp "$SEED/registry.db" "$W/p.db"
	http=$(port)
	node bench/peers/grammy_webhook.mjs "$W/p.db" "$http" bench-secret "$W/ready" >"$W/peer.log" 2>&1 &
	server=$!
	i=0; while [ ! -s "$W/ready" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	load "grammY + better-sqlite3" $server "http://127.0.0.1:$http/telegram/webhook" "$W/p.db"
	grep -m 3 . "$W/peer.log" || true
}

r=1
while [ $r -le "$ROUNDS" ]; do
	dondoc_round
	peer_round
	r=$((r + 1))
done
rm -f "$W"/d.db* "$W"/p.db*

# --- the feed's build -----------------------------------------------------------------
sh bench/feed_build.sh "$W" 10000 2 | tee -a "$R"

# --- the emails: dondoc, peer, dondoc -----------------------------------------------------
mkdir -p "$W/mail"
build/rel/bench_mail templates 10000 "$W/mail/data.json" "$W/mail" | tee -a "$R"
node bench/peers/mail.mjs templates 10000 "$W/mail/data.json" "$W/mail" | tee -a "$R"
build/rel/bench_mail templates 10000 "$W/mail/data.json" | tee -a "$R"
same=true
for f in subject text html; do
	cmp -s "$W/mail/dondoc.$f" "$W/mail/peer.$f" || { same=false; echo "bench: the peer's $f differs from dondoc's:"; diff "$W/mail/dondoc.$f" "$W/mail/peer.$f" | head -n 10; }
done
echo "{\"bench\": \"emails: the same subject, text and HTML\", \"same\": $same}" | tee -a "$R"

# --- the planner beside the sqlite3 floor -------------------------------------------------
cp "$SEED/registry.db" "$W/plan.db"
cat >"$W/floor.sql" <<'SQL'
.timer on
.output /dev/null
SELECT id, precision, due, status, next_notice, planned_through, kind, period, first_notice, created_at
	FROM task WHERE status NOT IN ('done', 'postponed') ORDER BY id;
SELECT task_id, agency_id FROM task_agency WHERE role = 'lead'
	AND task_id IN (SELECT id FROM task WHERE status NOT IN ('done', 'postponed')) ORDER BY task_id, position;
SELECT p.id, p.name, p.agency_id, a.code, p.role, p.lang, p.active, a.name, p.digest
	FROM person p JOIN agency a ON a.id = p.agency_id ORDER BY p.id;
SELECT person_id, channel, value, broken_at, last_in FROM address ORDER BY person_id, channel;
SQL
floor() {
	sqlite3 "$W/plan.db" <"$W/floor.sql" | awk '/^Run Time/ { real += $4; user += $6; sys += $8 }
		END { printf "{\"bench\": \"sqlite3 floor (4 SELECTs)\", \"ms\": %.1f, \"cpu_ms\": %.1f}\n", real * 1000, (user + sys) * 1000 }' | tee -a "$R"
}
floor
DONDOC_NOW=2025-09-27T09:00 build/rel/bench_planner "$W/plan.db" schedules | grep -v "idle tick" | tee -a "$R"
floor
DONDOC_NOW=2025-09-27T09:00 build/rel/bench_planner "$W/plan.db" schedules | grep "restart" | tee -a "$R"
rm -f "$W"/plan.db*

steal_report | tee -a "$R"
echo "bench: bench-peers took $(($(date +%s) - t_start)) s"

# --- the table -----------------------------------------------------------------------------
$PY - "$R" <<'PY'
import json, statistics, sys
res = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
def all_of(*words):
    return [r for r in res if all(w in r["bench"] for w in words)]
def median(xs):
    return statistics.median(xs) if xs else None
rows, ok = [], True
def row(figure, mine, theirs, ratio, budget, good):
    global ok
    ok &= good is True or good == "-"
    rows.append((figure, mine, theirs, ratio, budget,
                 "ok" if good is True else "-" if good == "-" else "MISSING" if good is None else "OVER"))

d, p = all_of("webhook dondoc"), all_of("webhook grammY")
if d and p:
    dr, pr = median([r["per_second"] for r in d]), median([r["per_second"] for r in p])
    dp, pp = median([r["p99_ms"] for r in d]), median([r["p99_ms"] for r in p])
    clean = all(r["non_2xx"] == 0 and r["handled"] > 0 for r in d + p)
    row("webhook updates/s (median of %d)" % len(d), "%.0f/s" % dr, "%.0f/s" % pr, "%.1fx" % (dr / pr if pr else 0),
        ">= 3x", dr >= 3 * pr and clean)
    row("webhook p99", "%.1f ms" % dp, "%.1f ms" % pp, "%.2f" % (dp / pp if pp else 0), "<= 1/3",
        dp * 3 <= pp)
    row("webhook peak RSS", "%.1f MiB" % max(r["peak_rss_mib"] for r in d),
        "%.1f MiB" % max(r["peak_rss_mib"] for r in p), "", "-", "-")
    row("... runs: dondoc, peer", " ".join("%d" % r["per_second"] for r in d),
        " ".join("%d" % r["per_second"] for r in p), "", "-", "-")
else:
    row("webhook updates/s", "n/a", "n/a", "", ">= 3x", None)

f, g = median([r["ms"] for r in all_of("tasks: one task changed")]), all_of("ical-generator")
if f is not None and g:
    pm = g[0]["ms"]
    row("feed build, 10,000 tasks (1 changed)", "%.1f ms" % f, "%.1f ms" % pm, "%.0fx" % (pm / f),
        ">= 20x", pm >= 20 * f)
    c = median([r["ms"] for r in all_of("tasks: cold")])
    if c is not None:
        row("... cold build (libical)", "%.1f ms" % c, "%.1f ms" % pm, "%.1fx" % (pm / c), "-", "-")
else:
    row("feed build, 10,000 tasks", "n/a", "n/a", "", ">= 20x", None)

m, n = all_of("dondoc render and build"), all_of("mustache.js render and build")
if m and n:
    dm, pm = median([r["ms"] for r in m]), n[0]["ms"]
    same = all_of("the same subject")
    row("10,000 emails, render + MIME", "%.0f ms" % dm, "%.0f ms" % pm, "%.1fx" % (pm / dm), ">= 3x",
        pm >= 3 * dm and bool(same) and same[0]["same"])
    m2, n2 = all_of("dondoc render 10000"), all_of("mustache.js render 10000")
    if m2 and n2:
        a, b = median([r["ms"] for r in m2]), n2[0]["ms"]
        row("... render alone", "%.0f ms" % a, "%.0f ms" % b, "%.1fx" % (b / a), "-", "-")
else:
    row("10,000 emails", "n/a", "n/a", "", ">= 3x", None)

pl, fl = all_of("planner full pass (restart)"), all_of("sqlite3 floor")
if pl and fl:
    a, b = median([r["ms"] for r in pl]), median([r["ms"] for r in fl])
    row("planner full pass vs sqlite3 floor", "%.0f ms" % a, "%.0f ms" % b, "%.1fx" % (a / b),
        "<= 3x floor", a <= 3 * b)
    first = all_of("planner full pass (first)")
    if first:
        row("... first pass (writes notices)", "%.0f ms" % first[0]["ms"], "", "", "-", "-")
else:
    row("planner full pass", "n/a", "n/a", "", "<= 3x floor", None)
st = all_of("cpu steal")
if st:
    row("CPU steal during the run", "%.1f%%" % st[0]["percent"], "", "", "-", "-")
print("%-36s %12s %12s %7s %12s  %s" % ("figure", "dondoc", "peer", "ratio", "budget", ""))
for r in rows:
    print("%-36s %12s %12s %7s %12s  %s" % r)
sys.exit(0 if ok else 1)
PY

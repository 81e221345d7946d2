#!/bin/sh
# What PostgreSQL itself does on this machine with the statements of one
# webhook update (a /tiendo: bench/pg.sh's load), without dondoc, HTTP or
# JSON: pgbench, two clients (two instances), 32 updates a transaction
# (the webhook's group commit), the head of the history locked first as
# dondoc's writers take turns.  Three ways to send them:
#   14 round trips   one statement at a time (dondoc before the pipeline)
#   8 round trips    what dondoc waits for, the writes riding with the next
#                    read (dondoc with the pipeline: store_pg.c)
#   1 round trip     everything of an update in one pipeline (no client
#                    could do better: the server's own cost)
# and the last once more with no lock at all (writers not taking turns).
# The registry is bench/honest_seed.sh's, copied by `dondoc migrate`;
# BENCH_SEED=DIR keeps the seed.  Prints one JSON line per way.
set -eu
cd "$(dirname "$0")/.."
PY=/usr/bin/python3
W=$(mktemp -d)
PGW=$(mktemp -d)
cleanup() {
	pg_stop
	rm -rf "$W" "$PGW"
}
. tests/pg.sh
trap cleanup EXIT
D=${BENCH_DONDOC:-$PWD/bot/dondoc}
PSQL=$PG_BIN/psql
PGBENCH=$PG_BIN/pgbench
SECONDS_EACH=${BENCH_SECONDS:-8}

SEED=${BENCH_SEED:-$W/seed}
[ -s "$SEED/people.tsv" ] || DONDOC=$D sh bench/honest_seed.sh "$SEED"
pg_start "$PGW" >/dev/null || exit 1
BASE=${PG_URI%/*}
cp "$SEED/registry.db" "$W/seed.db"
DONDOC_DB=$W/seed.db $D init >/dev/null
"$PSQL" -qX "$BASE/postgres" -c "CREATE DATABASE floor" >/dev/null
DONDOC_DB=$W/seed.db $D migrate --to "$BASE/floor" >"$W/migrate.out" 2>/dev/null || true
grep -q "^  task  *100000$" "$W/migrate.out" || { echo "bench: the copy failed"; cat "$W/migrate.out"; exit 1; }

# One update: the statements dondoc's log shows for a /tiendo (PostgreSQL's
# log_statement = all), with the values of a random person and task.
# The window an update counts as seen in, as store.c binds it (CHAT_UPDATE_SAME_S).
same=$(sed -n 's/^#define CHAT_UPDATE_SAME_S (\([0-9]*\) \* \([0-9]*\))$/\1 * \2/p' bot/store.c)
[ -n "$same" ] || { echo "bench: CHAT_UPDATE_SAME_S not found in bot/store.c"; exit 1; }
$PY - "$W" "$((same))" <<'PY'
import sys
w, same = sys.argv[1], int(sys.argv[2])
H = "'" + "a" * 64 + "'"
EV = ("INSERT INTO event(id, task_id, at, actor, person_id, channel, kind, old_value, new_value,"
      " text, data, prev_hash, hash) VALUES (:eid::bigint + %d, :tid, 1759200000, 'Cán bộ', :pid,"
      " 'telegram', '%s', %s, %s, NULL, NULL, " + H + ", " + H + ");")
update = [
    "SAVEPOINT one;",
    "INSERT INTO chat_update(channel, update_id, at) VALUES ('telegram', :uid, 1759200000)"
    " ON CONFLICT(channel, update_id) DO UPDATE SET at = excluded.at"
    " WHERE chat_update.at < excluded.at - %d;" % same,
    "SELECT p.id, p.name, p.agency_id, a.code, p.role, p.lang, p.active, a.name, p.digest,"
    " x.channel, x.value, x.broken_at, x.last_in FROM person p JOIN agency a ON a.id = p.agency_id"
    " LEFT JOIN address x ON x.person_id = p.id WHERE p.id = (SELECT person_id FROM address"
    " WHERE channel = 'telegram' AND value = (5000000 + :pid)::text);",
    "SELECT 1 FROM chat_ask WHERE person_id = :pid AND open = 1 LIMIT 1;",
    "SELECT t.id, t.code, t.kind, t.title, d.number, t.deadline_raw, t.due, t.precision, t.status,"
    " t.progress, t.obstacle_open, coalesce(t.done_at, 0), t.created_at, t.updated_at, t.note,"
    " t.done_due, t.period, t.first_notice FROM task t LEFT JOIN document d ON d.id = t.document_id"
    " WHERE t.id = :tid;",
    "SELECT ta.task_id, a.name, ta.role, ta.agency_id, ta.position FROM task_agency ta"
    " JOIN agency a ON a.id = ta.agency_id WHERE ta.task_id = :tid ORDER BY ta.role;",
    "UPDATE task SET progress = 42, updated_at = 1759200000, note = 'đã cập nhật' WHERE id = :tid;",
    EV % (0, "progress", "'10'", "'42'"),
    EV % (1, "note", "NULL", "'đã cập nhật'"),
    EV % (2, "status", "'not_started'", "'in_progress'"),
    "UPDATE address SET last_in = 1759200000 WHERE person_id = :pid AND channel = 'telegram'"
    " AND last_in < 1759200000;",
    "INSERT INTO message(person_id, channel, kind, subject, body, state, next_at, created_at, day,"
    " chat) VALUES (:pid, 'telegram', 'reply', 'Trả lời', 'Đã ghi nhận tiến độ 42%.', 'pending',"
    " 0, 1759200000, '2025-09-27', (5000000 + :pid)::text) RETURNING id;",
    "RELEASE one;",
]
sets = ["\\set pid random(1, 20000)", "\\set tid random(1, 100000)",
        "\\set uid random(1, 9000000000000000000)", "\\set eid random(2000000000, 9000000000000000000)"]

def script(name, groups_of, lock=True, n=32):
    out = ["BEGIN;"] + (["SELECT 1 FROM event_head WHERE id = 1 FOR UPDATE;"] if lock else [])
    for k in range(n):
        def var(s):
            for v in ("pid", "tid", "uid", "eid"):
                s = s.replace(":" + v, ":%s%d" % (v, k)).replace("set " + v, "set %s%d" % (v, k))
            return s
        out += [var(s) for s in sets]
        for g in groups_of([var(s) for s in update]):
            out += g if len(g) == 1 else ["\\startpipeline"] + g + ["\\endpipeline"]
    out += (["UPDATE event_head SET at = 1759200000 WHERE id = 1;"] if lock else []) + ["COMMIT;"]
    open("%s/%s.sql" % (w, name), "w").write("\n".join(out) + "\n")

script("rt14", lambda u: [[s] for s in u])
# What dondoc waits for: the savepoint rides with the first read, the
# events, the address and the message with the message's RETURNING.
script("rt8", lambda u: [u[0:2], [u[2]], [u[3]], [u[4]], [u[5]], [u[6]], u[7:12], [u[12]]])
script("rt1", lambda u: [u])
script("rt1_nolock", lambda u: [u], lock=False)
PY

for way in rt14 rt8 rt1 rt1_nolock; do
	"$PGBENCH" -n -M prepared -c 2 -j 2 -T "$SECONDS_EACH" -f "$W/$way.sql" "$BASE/floor" >"$W/$way.out" 2>&1 ||
		{ echo "bench: pgbench failed"; cat "$W/$way.out"; exit 1; }
	tps=$(sed -n 's/^tps = \([0-9.]*\).*/\1/p' "$W/$way.out")
	$PY -c 'import sys; print("{\"bench\": \"PostgreSQL alone, %s\", \"updates_per_second\": %.0f}" % (sys.argv[1], 32 * float(sys.argv[2])))' \
		"$way: $(case $way in rt14) echo "14 round trips an update" ;; rt8) echo "8 round trips an update" ;;
			rt1) echo "1 round trip an update" ;; *) echo "1 round trip an update, no turns" ;; esac)" "$tps"
done

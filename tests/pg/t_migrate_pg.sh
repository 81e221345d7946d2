# Issue 17: dondoc migrate --to copies a SQLite registry to PostgreSQL with
# its history, and back: the copy verifies, reads as the original does
# (tasks, report, outbox, people, one task's history), and goes on from
# where the original stopped (the next ids follow the copied ones).
# A registry that is not empty, a history that does not verify and a
# missing --to are refused, and nothing is copied.
. "$(dirname "$0")/../lib.sh"

if ! on_pg; then
	echo "Bail out! t_migrate_pg runs on PostgreSQL (DONDOC_TEST_PG)"
	exit 1
fi
PSQL=${PG_BIN:-/usr/lib/postgresql/15/bin}/psql
PGDB=$DONDOC_DB
# newdb NAME: a database of its own on the server, its URI printed.
newdb() {
	"$PSQL" -qX "$DONDOC_TEST_PG/postgres" -c "CREATE DATABASE ${PGDB##*/}_$1" >/dev/null
	echo "${PGDB}_$1"
}
# The original: a SQLite registry with some of everything.
export DONDOC_DB=$T/orig.db DONDOC_NOW=2025-09-29T09:00
{ conf_general db="$T/orig.db"; } >dondoc.conf
export DONDOC_CONFIG=$T/dondoc.conf
run "$DONDOC" init
tasks_tsv 40 30/9/2025 >tasks.tsv
expect_rc 0 "import 40 tasks" "$DONDOC" import tasks.tsv
i=1
while [ $i -le 5 ]; do
	"$DONDOC" person add --name "Cán bộ $i" --agency "Đơn vị thử số $i" --role focal \
		--telegram $((7000 + i)) >/dev/null 2>&1 || fail "person add $i"
	i=$((i + 1))
done
expect_rc 0 "a progress from chat" "$DONDOC" chat --telegram 7001 "/tiendo 1 60 đã xong phần khảo sát"
expect_rc 0 "a task done from chat" "$DONDOC" chat --telegram 7002 "/xong 2 đã gửi báo cáo"
expect_rc 0 "an obstacle from chat" "$DONDOC" chat --telegram 7003 "/vuongmac 3 thiếu kinh phí"
expect_rc 0 "a task changed by hand" "$DONDOC" task set 4 --status in_progress --note "đang làm"
expect_rc 0 "the daemon plans and sends once" "$DONDOC" serve --once

# read WHERE: what an official and an operator see of it, in files WHERE.*.
read_all() {
	for c in "task list --json" "report --json" "outbox list --json" "person list --json" \
		"task show 1 --json" "obstacle list --json" "agency list --json"; do
		f=read.$1.$(echo "$c" | tr ' ' '_')
		DONDOC_DB=$2 "$DONDOC" $c >"$f" 2>&1 || echo "exit $?" >>"$f"
	done
}
read_all orig "$T/orig.db"

# --- SQLite to PostgreSQL ---
DEST=$(newdb copy)
# With a password in the URI (the tests' server trusts any): never shown.
expect_rc 0 "migrate --to a new PostgreSQL database" "$DONDOC" migrate \
	--to "$(echo "$DEST" | sed 's|://\([^@/]*\)@|://\1:secret@|')"
expect_grep "it says the copy verifies, ending at the original's hash" out \
	"the copy verifies: history intact, [0-9]+ events, ending at the original's hash [0-9a-f]{64}$"
expect_grep "it lists the tables copied" out "^  task +40$"
expect_eq "the copy's history ends where the original's does" \
	"$(DONDOC_DB=$DEST "$DONDOC" verify --anchor | grep anchor:)" \
	"$("$DONDOC" verify --anchor | grep anchor:)"
read_all copy "$DEST"
for f in read.orig.*; do
	expect_eq "the copy reads as the original: ${f#read.orig.}" \
		"$(md5sum <"read.copy.${f#read.orig.}")" "$(md5sum <"$f")"
done
expect_no_grep "no password in what it says" out "secret"
expect_grep "the copy named without it" out "^copying '$T/orig.db' into 'postgresql://[^:]*@"
# The copy goes on from where the original stopped.
export DONDOC_DB=$DEST
run "$DONDOC" person add --name "Cán bộ mới" --agency "Đơn vị thử số 9" --role focal
expect_grep "a person added to the copy takes the next id" out "#6"
expect_rc 0 "a chat command on the copy" "$DONDOC" chat --telegram 7004 "/tiendo 4 30 đã họp"
expect_rc 0 "the copy verifies after" "$DONDOC" verify
expect_rc 0 "the daemon runs on the copy" "$DONDOC" serve --once

# --- refused, nothing copied ---
export DONDOC_DB=$T/orig.db
expect_rc 1 "into a registry that is not empty: refused" "$DONDOC" migrate --to "$DEST"
expect_grep "saying why" err "is not empty \\(agency has 40 rows\\): the copy goes into a new registry; nothing was copied"
expect_rc 64 "without --to: refused" "$DONDOC" migrate
expect_grep "saying what --to is" err "--to names the new registry"
expect_rc 64 "--to the registry itself: refused" "$DONDOC" migrate --to "$T/orig.db"
cp orig.db tampered.db
sqlite3 tampered.db "DROP TRIGGER event_no_update; UPDATE event SET text = 'sửa lén' WHERE id = 3"
BAD=$(newdb bad)
DONDOC_DB=$T/tampered.db run "$DONDOC" migrate --to "$BAD"
expect_eq "a history that does not verify: refused" "$rc" 1
expect_grep "saying so" err "does not verify \\('dondoc verify' says why\\): nothing copied"
expect_eq "and the database stays without a registry" \
	"$("$PSQL" -qtAX "$BAD" -c "SELECT count(*) FROM information_schema.tables WHERE table_name = 'task'")" 0

# --- and back: PostgreSQL to a new SQLite file ---
DONDOC_DB=$DEST run "$DONDOC" migrate --to "$T/back.db"
expect_eq "migrate back to SQLite" "$rc" 0
read_all back "$T/back.db"
read_all copy2 "$DEST"
for f in read.copy2.*; do
	expect_eq "the file reads as the PostgreSQL registry: ${f#read.copy2.}" \
		"$(md5sum <"read.back.${f#read.copy2.}")" "$(md5sum <"$f")"
done

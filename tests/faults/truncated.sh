# A registry file truncated (a copy stopped half-way, a full disk): every
# command, the daemon included, refuses it with a clear English error that
# names the file as damaged, and nothing more is damaged: the file is not
# rewritten, grown or further truncated.  Cut at several places: within
# the header page, mid-page, on a page boundary.  Then the intact copy
# still verifies and passes the invariants.
FAULT=truncated
. "$(dirname "$0")/lib.sh"

{ conf_general tick=1; } >dondoc.conf
export DONDOC_CONFIG="$T/dondoc.conf"
export DONDOC_NOW=2025-09-29T09:00
run "$DONDOC" init
tasks_tsv 400 29/9/2025 >tasks.tsv
run "$DONDOC" import tasks.tsv
for i in 1 2 3 4 5; do
	"$SETUP_DONDOC" person add --name "Cán bộ $i" --agency "Đơn vị thử số $i" --role focal >/dev/null
done
expect_rc 0 "a run sends the day's reminders" "$DONDOC" serve --once
cp dondoc.db intact.db
size=$(stat -c %s dondoc.db)
cuts=0
for cut in 50 3000 $((size / 2 + 123)) $((size / 4096 / 2 * 4096)) $((size - 4096)); do
	cp intact.db dondoc.db
	rm -f dondoc.db-wal dondoc.db-shm
	truncate -s $cut dondoc.db
	sum=$(md5sum <dondoc.db)
	cuts=$((cuts + 1))
	for c in "task list" "report --json" "outbox list" "verify" "init" "import tasks.tsv" "serve --once" \
		"task set 1 --status done"; do
		run "$DONDOC" $c
		if [ "$rc" = 0 ]; then
			fail "cut at $cut bytes: 'dondoc $c' refuses the registry" "it exited 0: $(head -c 300 out)"
		elif ! grep -q "database '$T/dondoc.db' is damaged" err; then
			fail "cut at $cut bytes: 'dondoc $c' names the registry damaged" "$(head -c 300 err)"
		fi
		[ "$(md5sum <dondoc.db)" = "$sum" ] ||
			fail "cut at $cut bytes: 'dondoc $c' left the file as it was" "now $(stat -c %s dondoc.db) bytes"
	done
	# The daemon: it says so in its log and ends, not serving a half registry.
	daemon_start
	wait $daemon
	st=$?
	daemon=
	[ $st != 0 ] || fail "cut at $cut bytes: the daemon refuses to start" "it exited 0"
	grep -q "is damaged" serve.log || fail "cut at $cut bytes: the daemon says the registry is damaged" "$(tail -3 serve.log)"
	[ "$(md5sum <dondoc.db)" = "$sum" ] || fail "cut at $cut bytes: the daemon left the file as it was"
	: >serve.log
done
expect_eq "$cuts cuts, each refused by 8 commands and the daemon, the file untouched" "$cuts" 5
grep -h "is damaged" err | head -1 | sed 's/^/# /'
# The backup is whole: put back, it runs.
cp intact.db dondoc.db
rm -f dondoc.db-wal dondoc.db-shm
expect_rc 0 "the intact copy put back verifies" "$DONDOC" verify
FAULT_INFO="5 cuts of a $size-byte registry, 9 refusals each"
verdict "$T/dondoc.conf" INV_SETTLED=1

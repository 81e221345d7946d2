# A registry made by an older dondoc (schema 4: the demo's, as sqlite3 .dump
# wrote it) is brought up to date by init, its history still verifiable;
# until then a command that only reads says what to do instead of failing.
. "$(dirname "$0")/../lib.sh"

sqlite3 "$DONDOC_DB" <"$TOP/tests/data/registry-v4.sql"
sqlite3 "$DONDOC_DB" "PRAGMA user_version = 4"
expect_rc 65 "a read-only command on schema 4 refuses (exit 65)" "$DONDOC" task list
expect_grep "and says how to upgrade" err "has schema 4, older than this dondoc \\(6\\): run 'dondoc init'"
expect_rc 0 "init upgrades it" "$DONDOC" init
expect_grep "to schema 6" out "is ready \\(schema 6\\)"
expect_rc 0 "the history copied into the new event table still verifies" "$DONDOC" verify
expect_grep "all of it" out "^history intact: 11 events$"
expect_rc 0 "the tasks are all there" "$DONDOC" task list --json
expect_eq "ten of them" "$(json 'len(j)')" 10
sqlite3 "$DONDOC_DB" "DELETE FROM event WHERE id = 1" >out 2>&1
expect_grep "the event log is still append-only" out "the event log is append-only"
expect_rc 0 "the new kinds of event can be written: an invite" "$DONDOC" person invite 1
expect_rc 0 "and verify" "$DONDOC" verify
expect_grep "12 events now" out "^history intact: 12 events$"
exit 0

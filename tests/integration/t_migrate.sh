# A registry made by an older dondoc (schema 4: the demo's, as sqlite3 .dump
# wrote it) is brought up to date by init, its history still verifiable;
# until then a command that only reads says what to do instead of failing.
# Schema 7 checks the old chain, refuses to seal a tampered one, and
# rechains the rest (exact bytes, true NULLs), saying so in an event.
# Schema 10 gives a message dead before it its time of death (when it
# was made), and refuses a message table it does not know.  Schema 11
# moves a person's addresses into one table: a registry of schema 10
# (tests/data/registry-v10.sql, made by that dondoc, two addresses then
# marked refused by hand) keeps each address and each refusal.
. "$(dirname "$0")/../lib.sh"

# First a copy whose history was edited behind dondoc's back: not upgraded.
sqlite3 tampered.db <"$TOP/tests/data/registry-v4.sql"
sqlite3 tampered.db "PRAGMA user_version = 4; DROP TRIGGER event_no_update;
	UPDATE event SET new_value = 'done' WHERE id = 3"
expect_rc 65 "schema 7 refuses to upgrade a history changed outside dondoc (exit 65)" \
	"$DONDOC" --db tampered.db init
expect_grep "and says which event, and why it does not" err \
	"changed outside dondoc at event 3: not upgraded to schema 7, which would seal the change"
expect_eq "the refused registry is left at schema 4" "$(sqlite3 tampered.db "PRAGMA user_version")" 4

sqlite3 "$DONDOC_DB" <"$TOP/tests/data/registry-v4.sql"
sqlite3 "$DONDOC_DB" "PRAGMA user_version = 4"
cp "$DONDOC_DB" v4.db
expect_rc 65 "a read-only command on schema 4 refuses (exit 65)" "$DONDOC" task list
expect_grep "and says how to upgrade" err "has schema 4, older than this dondoc \\(16\\): run 'dondoc init'"
# Schema 10 widens person_id in place: a message table written otherwise is refused, not kept.
cp v4.db odd.db
sqlite3 odd.db "PRAGMA writable_schema = ON; UPDATE sqlite_schema SET sql = replace(sql,
	'person_id INTEGER NOT NULL REFERENCES person(id),', 'person_id INTEGER NOT NULL REFERENCES person (id),')
	WHERE name = 'message'"
run "$DONDOC" --db odd.db init
expect_eq "a message table schema 10 does not know stops the upgrade" \
	"$([ "$rc" -ne 0 ] && grep -c "schema 10: the message table is not as schema 9 left it" err)" 1
cp v4.db dead.db
sqlite3 dead.db "UPDATE message SET state = 'dead' WHERE id = 1"
expect_rc 0 "init upgrades a registry with a dead message" "$DONDOC" --db dead.db init
expect_eq "which died, as far as schema 10 knows, when it was made; the others did not" \
	"$(sqlite3 dead.db "SELECT group_concat(id || ':' || (dead_at = created_at), ' ') FROM message WHERE dead_at IS NOT NULL")" "1:1"
expect_rc 0 "init upgrades it" "$DONDOC" init
expect_grep "to schema 16" out "is ready \\(schema 16\\)"
expect_rc 0 "the history copied into the new event table still verifies" "$DONDOC" verify
expect_grep "all of it, and the event saying it was rechained" out "^history intact: 12 events$"
expect_eq "that event is the last, with the state replay starts from (10 tasks)" \
	"$(sqlite3 "$DONDOC_DB" "SELECT kind || '|' || new_value || '|' || (SELECT count(*) FROM json_each(data, '\$.tasks')) FROM event ORDER BY id DESC LIMIT 1")" \
	"audit.rechain|7|10"
expect_eq "and meta remembers it" "$(sqlite3 "$DONDOC_DB" "SELECT value FROM meta WHERE key = 'audit.rechained'")" 7
expect_eq "every event was hashed again: none keeps its schema 4 hash" \
	"$(sqlite3 "$DONDOC_DB" "ATTACH 'v4.db' AS old; SELECT count(*) FROM event WHERE hash IN (SELECT hash FROM old.event)")" 0
expect_eq "a task reminded before the upgrade keeps its escalation clock: the first reminder sent" \
	"$(sqlite3 "$DONDOC_DB" "SELECT id || '|' || first_notice FROM task WHERE first_notice IS NOT NULL ORDER BY id")" \
	"2|2026-11-22
3|2026-11-22"
expect_rc 0 "the tasks are all there" "$DONDOC" task list --json
expect_eq "ten of them" "$(json 'len(j)')" 10
sqlite3 "$DONDOC_DB" "DELETE FROM event WHERE id = 1" >out 2>&1
expect_grep "the event log is still append-only" out "the event log is append-only"
expect_rc 0 "the new kinds of event can be written: an invite" "$DONDOC" person invite 1
expect_rc 0 "and verify" "$DONDOC" verify
expect_grep "13 events now" out "^history intact: 13 events$"
expect_rc 0 "schema 14's kinds too: a calendar feed made" "$DONDOC" feed create --all
expect_rc 0 "and revoked" "$DONDOC" feed revoke 1
expect_rc 0 "both recorded, and verify" "$DONDOC" verify
expect_grep "15 events now" out "^history intact: 15 events$"
cp "$DONDOC_DB" edited.db
sqlite3 edited.db "UPDATE task SET status = 'done' WHERE id = 2"
expect_rc 1 "a task changed after the upgrade, without an event, is found by the replay" \
	"$DONDOC" --db edited.db verify
expect_grep "naming the task and the field" err "^task 2: status is 'done' in the registry"

# --- schema 10 to 14: the addresses ----------------------------------------------------------
sqlite3 v10.db <"$TOP/tests/data/registry-v10.sql"
sqlite3 v10.db "PRAGMA user_version = 10"
expect_rc 0 "init upgrades a schema 10 registry" env DONDOC_NOW=2026-11-21T10:00 "$DONDOC" --db v10.db init
expect_grep "to schema 16" out "is ready \\(schema 16\\)"
expect_rc 0 "person list --json reads it" "$DONDOC" --db v10.db person list --json
expect_eq "every address kept, under the keys it had" \
	"$(json '[(p["id"], p["email"], p["telegram"], p["zalo"], p["phone"]) for p in j]')" \
	'[[1, "an@snv.example.gov.vn", "1001", "7001", null], [2, "binh@snv.example.gov.vn", "2002", null, null], [3, null, null, null, null]]'
expect_eq "the refused ones are refused since the upgrade, the others work" \
	"$(json '[(p["id"], c, a["broken_since"]) for p in j for c, a in sorted(p["addresses"].items())]')" \
	'[[1, "email", "2026-11-21T10:00:00+07:00"], [1, "telegram", null], [1, "zalo", null], [2, "email", null], [2, "telegram", "2026-11-21T10:00:00+07:00"]]'
expect_eq "and nobody has written through them yet" \
	"$(json '[a["last_in"] for p in j for a in p["addresses"].values() if a["last_in"]]')" '[]'
expect_rc 1 "verify replays the schema 10 history (person.add, link) onto the address table" \
	"$DONDOC" --db v10.db verify
expect_eq "finding only the two refusals made by hand, by their schema 10 names" \
	"$(grep -c . err) $(grep -c "^person 1: email_broken is true in the registry, the history says false" err) $(grep -c "^person 2: telegram_broken is true in the registry, the history says false" err)" \
	"3 1 1"
expect_rc 0 "person set clears an address kept from schema 10" \
	env DONDOC_NOW=2026-11-21T10:05 "$DONDOC" --db v10.db person set 1 --telegram "" --json
expect_eq "(cleared)" "$(json 'j["person"]["telegram"]')" null
expect_rc 0 "an address moved away is free for another" "$DONDOC" --db v10.db person set 3 --telegram 1001
expect_rc 65 "one that is someone's is not" "$DONDOC" --db v10.db person set 3 --email binh@snv.example.gov.vn --force
expect_grep "(said so)" err "one of these addresses belongs to someone else already"
exit 0

# Issue 10, finding 7: "dondoc verify misses realistic tampering", and the
# last small one, "a clock moved backwards lets a task be done before it
# was created".  A registry is made through the CLI; then a copy is edited
# with Python's sqlite3 module as someone holding the file would (triggers
# dropped, the chain recomputed where that is possible), and verify must
# exit 1 naming what changed.
. "$(dirname "$0")/../lib.sh"

conf_general >dondoc.conf
export DONDOC_CONFIG="$T/dondoc.conf" DONDOC_NOW=2025-10-06T09:00
printf "$HDR"'1.\tXây dựng Cổng dữ liệu mở\t%s\tSở Y tế\t30/10/2025\n2.\tBố trí kinh phí chuyển đổi số\t%s\tSở Tài chính; Sở Y tế\t15/11/2025\n' \
	"$DOC" "$DOC" >tasks.tsv
run "$DONDOC" init
expect_rc 0 "import two tasks" "$DONDOC" import tasks.tsv
export DONDOC_NOW=2025-10-07T09:00
expect_rc 0 "a focal point" "$DONDOC" person add --name "Nguyễn Văn An" --agency syt --role focal --telegram 1001
expect_rc 0 "a secretariat member" "$DONDOC" person add --name "Phạm Thị Dung" --agency stc --role secretariat
expect_rc 0 "an agency" "$DONDOC" agency add --name "Văn phòng UBND tỉnh" --code vpubnd
expect_rc 0 "an alias" "$DONDOC" agency alias syt "SYT"
expect_rc 0 "task 1 in progress" "$DONDOC" task set 1 --progress 40 --note "Đã khảo sát"
expect_rc 0 "task 2 done" "$DONDOC" task set 2 --status done

# --- what grants privileges is in the history -----------------------------------------------------
expect_eq "person add, agency add and agency alias are events, with the record in their data" \
	"$(sqlite3 "$DONDOC_DB" "SELECT group_concat(kind || ':' || coalesce(json_extract(data, '\$.role'), json_extract(data, '\$.code'), new_value), ' ') FROM event WHERE task_id IS NULL")" \
	"agency.add:syt agency.add:stc person.add:focal person.add:secretariat agency.add:vpubnd agency.alias:SYT"
expect_rc 0 "the untouched registry verifies" "$DONDOC" verify
expect_grep "counting every event" out "^history intact: 13 events$"
expect_grep "and saying an unkeyed chain can be recomputed" out "^not keyed: whoever can write the registry can recompute it"
expect_rc 0 "verify --anchor" "$DONDOC" verify --anchor
ANCHOR=$(sed -n 's/^anchor: \([0-9a-f]\{64\}\) (13 events, the last at 2025-10-07T09:00:00+07:00)$/\1/p' out)
expect_eq "prints the head hash, the count and the time" "${#ANCHOR}" 64
expect_rc 0 "verify --anchor-check on the same history" "$DONDOC" verify --anchor-check "$ANCHOR"
expect_grep "finds it" out "^anchor found: events 1-13 are as they were"
expect_rc 64 "verify --anchor-check with something not a hash" "$DONDOC" verify --anchor-check xyz

# tamper NAME PYTHON: runs PYTHON (db is the connection) on a copy, then verify on the copy.
tamper() {
	rm -f t.db t.db-wal t.db-shm
	sqlite3 "$DONDOC_DB" ".backup t.db"
	$PY - "$2" <<'PY'
import hashlib, sqlite3, struct, sys
db = sqlite3.connect("t.db")
def enc(v):
    if v is None: return b"N"
    if isinstance(v, int): return b"I" + struct.pack(">q", v)
    b = v.encode() if isinstance(v, str) else bytes(v)
    return (b"T" if isinstance(v, str) else b"B") + struct.pack(">Q", len(b)) + b
def rechain():
    """What an attacker who read store.c does: every hash, and the head, recomputed."""
    prev, n, last = "0" * 64, 0, None
    for row in db.execute("SELECT id, task_id, at, actor, person_id, channel, kind, old_value,"
                          " new_value, text, data FROM event ORDER BY id").fetchall():
        h = hashlib.sha256(enc("dondoc-event-v2") + enc(prev) + b"".join(map(enc, row))).hexdigest()
        db.execute("UPDATE event SET prev_hash = ?, hash = ? WHERE id = ?", (prev, h, row[0]))
        prev, n, last = h, n + 1, row
    key_from = db.execute("SELECT key_from FROM event_head").fetchone()[0]
    mac = hashlib.sha256(enc("dondoc-head-v2") + enc(n) + enc(last[0]) + enc(prev) + enc(last[2])
                         + enc(key_from)).hexdigest()
    db.execute("UPDATE event_head SET count = ?, last_id = ?, hash = ?, at = ?, mac = ?",
               (n, last[0], prev, last[2], mac))
def fix_head():
    """Cutting the end: the head made to name the last event left, its seal remade unkeyed."""
    n, (last, at, h) = (db.execute("SELECT count(*) FROM event").fetchone()[0],
                        db.execute("SELECT id, at, hash FROM event ORDER BY id DESC LIMIT 1").fetchone())
    key_from = db.execute("SELECT key_from FROM event_head").fetchone()[0]
    mac = hashlib.sha256(enc("dondoc-head-v2") + enc(n) + enc(last) + enc(h) + enc(at)
                         + enc(key_from)).hexdigest()
    db.execute("UPDATE event_head SET count = ?, last_id = ?, hash = ?, at = ?, mac = ?",
               (n, last, h, at, mac))
db.executescript("DROP TRIGGER event_no_update; DROP TRIGGER event_no_delete;")
exec(sys.argv[1])
db.commit()
PY
	expect_rc "${3:-1}" "$1: verify exits ${3:-1}" "$DONDOC" --db t.db verify ${4:-}
}

# --- deleting the last event and updating event_head to match ------------------------------------
tamper "the last event deleted, the head set to match" '
db.execute("DELETE FROM event WHERE id = (SELECT max(id) FROM event)")
fix_head()'
expect_grep "the replay finds what the deleted event did, still in the registry" err \
	"^task 2: progress is 100 in the registry, the history says 0 \\(its last event is 12\\)"
tamper "the last event deleted, the head and the task set to match: against an anchor" '
db.execute("DELETE FROM event WHERE id = (SELECT max(id) FROM event)")
db.execute("UPDATE task SET progress = 0 WHERE id = 2")
fix_head()' 1 "--anchor-check $ANCHOR"
expect_grep "the anchor recorded elsewhere is not in the cut history" err "anchor $ANCHOR is not in the history"

# --- recomputing the whole chain after an edit -----------------------------------------------------
tamper "a note rewritten, the whole chain recomputed (no key): the anchor tells" '
db.execute("UPDATE event SET text = \"Đã hoàn thành\" WHERE kind = \"note\"")
db.execute("UPDATE task SET note = \"Đã hoàn thành\" WHERE id = 1")
rechain()' 1 "--anchor-check $ANCHOR"
expect_grep "naming the anchor" err "anchor $ANCHOR is not in the history: it was rewritten or cut back"

# --- text after a NUL byte -----------------------------------------------------------------------------
NOTE=$(sqlite3 "$DONDOC_DB" "SELECT id FROM event WHERE kind = 'note'")
tamper "text added after a NUL byte in a note" "
db.execute('UPDATE event SET text = text || char(0) || \"và đã nghiệm thu\" WHERE id = $NOTE')"
expect_grep "names the event" err "^dondoc verify: event $NOTE was changed, inserted or removed outside dondoc; the history is intact up to event $((NOTE - 1))"
run "$DONDOC" --db t.db task show 1
expect_grep "task show says there is more than it shows" out "Đã khảo sát  \\[more text after a NUL byte"

# --- a NULL changed to 0 -------------------------------------------------------------------------------------
ALIAS=$(sqlite3 "$DONDOC_DB" "SELECT id FROM event WHERE kind = 'agency.alias'")
tamper "an event's NULL task changed to 0" "
db.execute('PRAGMA foreign_keys = OFF'); db.execute('UPDATE event SET task_id = 0 WHERE id = $ALIAS')"
expect_grep "names the event" err "^dondoc verify: event $ALIAS was changed"
tamper "an event's NULL old value changed to ''" "
db.execute('UPDATE event SET old_value = \"\" WHERE id = $ALIAS')"
expect_grep "names the event" err "^dondoc verify: event $ALIAS was changed"

# --- a row changed without any event -----------------------------------------------------------------
tamper "a task's status changed without an event" '
db.execute("UPDATE task SET status = \"done\", done_at = 1759802400 WHERE id = 1")'
expect_grep "names the task and the field" err "^task 1: status is 'done' in the registry, the history says 'in_progress'"
tamper "a task's lead agencies changed without an event" '
db.execute("DELETE FROM task_agency WHERE task_id = 2 AND agency_id = (SELECT id FROM agency WHERE code = \"syt\")")'
expect_grep "names the task and its leads" err "^task 2: leads is \\[[0-9]+\\] in the registry, the history says"
tamper "a deadline moved without an event" '
db.execute("UPDATE task SET due = \"2026-06-30\" WHERE id = 1")'
expect_grep "names the task and the due day" err "^task 1: due is '2026-06-30' in the registry, the history says '2025-10-30'"
tamper "a person made secretariat without an event" '
db.execute("UPDATE person SET role = \"secretariat\" WHERE name = \"Nguyễn Văn An\"")'
expect_grep "names the person and the role" err "^person 1: role is 'secretariat' in the registry, the history says 'focal'"
tamper "a person's Telegram marked broken behind dondoc's back" '
db.execute("UPDATE address SET broken_at = 1 WHERE channel = \"telegram\" AND person_id = (SELECT id FROM person WHERE name = \"Nguyễn Văn An\")")'
expect_grep "names the person and the field" err "^person 1: telegram_broken is true in the registry, the history says false"
tamper "a person given a refused email behind dondoc's back" '
db.execute("INSERT INTO address(person_id, channel, value, broken_at) SELECT id, \"email\", \"dung@stc.gov.vn\", 1 FROM person WHERE name = \"Phạm Thị Dung\"")'
expect_grep "names the person and the field" err "^person 2: email_broken is true in the registry, the history says false"
tamper "a person added without an event" '
db.execute("INSERT INTO person(name, agency_id, role, lang, active, created_at) VALUES (\"Kẻ lạ\", 1, \"secretariat\", \"vi\", 1, 0)")'
expect_grep "names the person" err "^person 3 is in the registry but not in the history"
tamper "an alias added without an event" '
db.execute("INSERT INTO agency_alias VALUES (\"so tai chinh 2\", \"Sở Tài chính 2\", 1)")'
expect_grep "names the agency and its aliases" err "^agency 1: aliases is"
tamper "an agency renamed without an event" '
db.execute("UPDATE agency SET name = \"Sở Y tế (mới)\" WHERE code = \"syt\"")'
expect_grep "names the agency and its name" err "^agency 1: name is 'Sở Y tế \\(mới\\)' in the registry, the history says 'Sở Y tế'"

# --- [audit] key_file: a chain that cannot be recomputed -----------------------------------------------
openssl rand -hex 32 >key
cp dondoc.conf keyed.conf
printf '[audit]\nkey_file = %s/key\n' "$T" >>keyed.conf
expect_rc 1 "a key set on an unkeyed history: verify will not call it intact" \
	env DONDOC_CONFIG="$T/keyed.conf" "$DONDOC" verify
expect_grep "and says how it gets keyed" err "never keyed: either nothing was written since the key was set \\('dondoc init' keys it\\)"
before=$(db_sum)
expect_rc 0 "import --dry-run with a key newly set" env DONDOC_CONFIG="$T/keyed.conf" "$DONDOC" import --dry-run tasks.tsv
expect_eq "import --dry-run with a key newly set writes nothing, not even the audit.key event" \
	"$(db_sum) $(sqlite3 "$DONDOC_DB" "SELECT count(*) FROM event WHERE kind = 'audit.key'")" "$before 0"
expect_rc 0 "remind --dry-run with it" env DONDOC_CONFIG="$T/keyed.conf" "$DONDOC" remind --dry-run
expect_eq "remind --dry-run writes no audit.key event either" \
	"$(sqlite3 "$DONDOC_DB" "SELECT count(*) FROM event WHERE kind = 'audit.key'")" 0
expect_rc 0 "init keys it" env DONDOC_CONFIG="$T/keyed.conf" "$DONDOC" init
expect_eq "from an audit.key event naming the key" \
	"$(sqlite3 "$DONDOC_DB" "SELECT kind || '|' || length(new_value) || '|' || (id = (SELECT key_from FROM event_head)) FROM event ORDER BY id DESC LIMIT 1")" \
	"audit.key|16|1"
export DONDOC_CONFIG="$T/keyed.conf"
expect_rc 0 "a change under the key" "$DONDOC" task set 1 --progress 50
expect_rc 0 "the keyed history verifies" "$DONDOC" verify
expect_grep "15 events" out "^history intact: 15 events$"
expect_no_grep "and is not called recomputable" out "not keyed"
tamper "keyed: the last event deleted, the head and the task set to match" '
db.execute("DELETE FROM event WHERE id = (SELECT max(id) FROM event)")
db.execute("UPDATE task SET progress = 40 WHERE id = 1")
fix_head()'
expect_grep "the seal of the head gives it away" err "its last event, 14: event 15 and any after it were removed from the end, or the head was edited"
tamper "keyed: a note rewritten, the whole chain recomputed without the key" '
db.execute("UPDATE event SET text = \"Đã hoàn thành\" WHERE kind = \"note\"")
db.execute("UPDATE task SET note = \"Đã hoàn thành\" WHERE id = 1")
rechain()'
expect_grep "the first keyed event no longer verifies" err "^dondoc verify: event 14 was changed"
expect_rc 78 "keyed: verify without the key will not claim the history intact (78)" \
	env DONDOC_CONFIG="$T/dondoc.conf" "$DONDOC" verify
expect_grep "and says why" err "keyed from event 14 \\(key [0-9a-f]{16}\\): without \\[audit\\] key_file it cannot be claimed intact"
expect_rc 78 "keyed: a change without the key is refused (78)" \
	env DONDOC_CONFIG="$T/dondoc.conf" "$DONDOC" task set 1 --progress 60
openssl rand -hex 32 >other.key
{ conf_general; printf '[audit]\nkey_file = %s/other.key\n' "$T"; } >other.conf
expect_rc 78 "keyed: verify with another key says so (78)" env DONDOC_CONFIG="$T/other.conf" "$DONDOC" verify
expect_grep "naming both keys" err "keyed with key [0-9a-f]{16}, and \\[audit\\] key_file holds key [0-9a-f]{16}"

# --- the clock ----------------------------------------------------------------------------------------------
printf "$HDR"'1.\tViệc mới giao\t%s\tSở Y tế\t30/11/2025\n' "$DOC" >t3.tsv
expect_rc 0 "a third task, created at 09:05" env DONDOC_NOW=2025-10-07T09:05 "$DONDOC" import t3.tsv
printf "$HDR"'1.\tViệc giao muộn\t%s\tSở Y tế\t30/12/2025\n' "$DOC" >t4.tsv
before=$(db_sum)
expect_rc 75 "a task set dated before its task was created is refused (75)" \
	env DONDOC_NOW=2025-10-07T09:02 "$DONDOC" task set 3 --status done
expect_grep "with a clear error" err "the clock reads 2025-10-07T09:02:00\\+07:00, before task 3 was created \\(2025-10-07T09:05:00\\+07:00\\): check the system clock or DONDOC_NOW; nothing was changed"
expect_rc 75 "an import dated an hour before the last event is refused (75)" \
	env DONDOC_NOW=2025-10-07T08:05 "$DONDOC" import t4.tsv
expect_grep "with a clear error" err "^dondoc import: the clock reads 2025-10-07T08:05:00\\+07:00, 3600 s before the last event of the history \\(2025-10-07T09:05:00\\+07:00\\): check the system clock or DONDOC_NOW; nothing was changed; nothing was imported$"
expect_eq "and nothing changed" "$(db_sum)" "$before"
expect_rc 0 "four minutes back, within the tolerance of 300 s, is accepted" \
	env DONDOC_NOW=2025-10-07T09:01 "$DONDOC" task set 1 --progress 60
expect_rc 1 "a chat command while the clock is behind is refused" \
	env DONDOC_NOW=2025-10-07T08:00 "$DONDOC" chat --telegram 1001 /tiendo 1 70%
expect_grep "in Vietnamese" out "Đồng hồ của hệ thống đang chỉ thời điểm trước lần cập nhật gần nhất"
run "$DONDOC" task show 1 --json
expect_eq "and changed nothing" "$(json 'j["progress"]')" 60
expect_rc 0 "serve --once with the clock behind the history" \
	env DONDOC_NOW=2025-10-07T08:00 "$DONDOC" serve --once
expect_grep "logs it" err "the clock reads 2025-10-07T08:00:00\\+07:00, before the last event of the history \\(2025-10-07T09:01:00\\+07:00\\)"
expect_eq "once" "$(grep -c 'before the last event of the history' err)" 1
exit 0

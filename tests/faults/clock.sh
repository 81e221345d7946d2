# Fault scenario "clock": the clock jumps a week forwards, then a day back.
#
#   sh tests/faults/clock.sh [--quick]     (or FAULTS_QUICK=1: the quick version)
#
# DONDOC_NOW pins the clock for a whole process (bot/clock.c reads it once,
# at start), so the jumps are made between daemon runs ("serve --once"),
# as a machine whose clock is set while dondoc is stopped, or a restart
# after a week down.  Six agencies' focal points (the file channel), tasks
# due along three weeks:
#   Mon 29/09 09:00   the day's reminders;
#   Mon 06/10 09:00   a week later (a week of reminders and nags missed):
#                     one catch-up message per person, not a flood (9);
#   Mon 06/10 11:00   nothing again;
#   Sun 05/10 10:00   a day back, a Sunday: nothing goes out (6), nothing twice;
#   Mon 06/10 06:30   back before the window opens: nothing (6);
#   Tue 07/10 20:00   forwards, at night: nothing (6);
#   Wed 08/10 09:00   the next morning: what was due goes, once per person.
# Checked at the end: no (task, stage, person) noticed twice (1), at most one
# proactive message per person per day, escalations aside (9), every
# message sent in working hours on a working day (6), none pending (2);
# then tests/faults/invariants.sh, when there.  --quick (or FAULTS_QUICK=1)
# is the same (it takes a few seconds).  Prints one verdict line.
FAULT=clock
[ "${1:-}" = --quick ] && FAULTS_QUICK=1
. "$(dirname "$0")/lib.sh"
[ "$QUICK" = 1 ] || QUICK=

conf_general tick=1 >dondoc.conf
export DONDOC_CONFIG="$T/dondoc.conf"
export DONDOC_NOW=2025-09-26T09:00
run "$DONDOC" init
{
	printf "$HDR"
	n=1
	for due in 30/9/2025 3/10/2025 7/10/2025 10/10/2025 15/10/2025 30/9/2025; do
		printf '%d.\tNhiệm vụ thử số %d\t%s\tĐơn vị thử số %d\t%s\n' $n $n "$DOC" $n "$due"
		n=$((n + 1))
	done
} >tasks.tsv
expect_rc 0 "import six tasks" "$DONDOC" import tasks.tsv
focal_points

files() { find outbox -type f -name '*.txt' 2>/dev/null | grep -c . ; }
once() {
	env DONDOC_NOW="$1" "$DONDOC" serve --once >>serve.log 2>&1
}
# sent_since N: how many messages went out (outbox list) in all.
sent_count() { "$DONDOC" outbox list --state sent --json | $PY -c 'import json,sys; print(len(json.load(sys.stdin)))'; }

once 2025-09-29T09:00
first=$(sent_count)
if [ "$first" -ge 1 ]; then pass "Mon 29/09: the day's reminders go ($first)"; else fail "Mon 29/09: the day's reminders go" "$(cat serve.log)"; fi

once 2025-10-06T09:00
"$DONDOC" outbox list --json >out
expect_eq "a week later: one catch-up message per person who had something due, not a flood" \
	"$(json 'sorted(set(__import__("collections").Counter(m["person_id"] for m in j if m["created_at"][:10] == "2025-10-06" and m["kind"] != "escalation" and m["kind"] != "alert").values()))')" "[1]"
week=$(sent_count)
once 2025-10-06T11:00
expect_eq "Mon 06/10 11:00: nothing again" "$(sent_count)" "$week"
# A change recorded on Monday: the history's last event, which the jump back goes behind.
run env DONDOC_NOW=2025-10-06T11:00 "$DONDOC" task set 5 --progress 10
once 2025-10-05T10:00
expect_eq "a day back (Sunday 05/10): nothing goes out, nothing twice" "$(sent_count)" "$week"
once 2025-10-06T06:30
expect_eq "back before the window opens (Mon 06:30): nothing" "$(sent_count)" "$week"
once 2025-10-07T20:00
expect_eq "forwards, Tue 20:00 (night): nothing" "$(sent_count)" "$week"
expect_grep "what fell due meanwhile waits for the window, and the log says so (nothing lost)" serve.log \
	"reminders held: after working hours; next window opens Wed 08/10/2025 08:00.* [1-9][0-9]* notices"
once 2025-10-08T09:00
"$DONDOC" outbox list --json >out
expect_eq "Wed 08/10 09:00: what waited goes; nothing is left pending or sending" \
	"$(json 'sorted(set(m["state"] for m in j) - {"sent", "cancelled", "dead"})')" "[]"

# --- the invariants over the whole run -------------------------------------------------------------
expect_eq "no reminder twice: no (task, stage, step, person) sent in two messages (invariant 1)" \
	"$(sql "SELECT count(*) FROM (SELECT task_id, stage, step, person_id FROM notice WHERE state = 'sent' GROUP BY 1, 2, 3, 4 HAVING count(DISTINCT message_id) > 1)")" 0
expect_eq "at most one proactive message per person per day, escalations aside (invariant 9)" \
	"$(json '[k for k, v in __import__("collections").Counter((m["person_id"], m["channel"], m["sent_at"][:10]) for m in j if m["sent_at"] and m["kind"] not in ("escalation", "reply", "alert")).items() if v > 1]')" "[]"
expect_eq "every proactive message went in working hours on a working day (invariant 6)" \
	"$(json '[m["sent_at"] for m in j if m["sent_at"] and m["kind"] != "reply" and not ("08:00" <= m["sent_at"][11:16] < "17:30" and __import__("datetime").date.fromisoformat(m["sent_at"][:10]).weekday() < 5)]')" "[]"
expect_eq "the files written are the messages sent" "$(files)" "$(sent_count)"
expect_grep "the jump back behind the history is said in the log" serve.log "the clock reads 2025-10-05T10:00:00\\+07:00, before the last event of the history"

FAULT_INFO="a week forwards, a day back, night, Sunday: one catch-up per person, nothing twice, quiet hours kept"
# The focal points are written straight into the registry (focal_points): not in the history.
verdict "$DONDOC_CONFIG" DONDOC_NOW=2025-10-08T09:00 INV_SETTLED=1 INV_VERIFY=0

#!/bin/sh
# tests/faults/invariants.sh CONF_OR_DB NAME: the invariants of DESIGN §6 that
# can be read after a fault scenario, through what an operator sees: dondoc's
# CLI with --json (outbox list, task list, task show, explain, report,
# remind --dry-run, verify).  Prints one line, "ok NAME: numbers" or
# "not ok NAME: which invariant, what was seen", and exits 0 or 1.
#
# CONF_OR_DB is the scenario's dondoc.conf, or its registry (a file that
# starts as SQLite's do).  $DONDOC is the binary (default bot/dondoc);
# DONDOC_NOW the scenario's clock.  The daemon should be stopped.
#
# Optional, what only the scenario knows:
#   INV_RECEIVED=FILE   what the fake servers (or the outbox dir) received:
#                       one line per delivery, the dondoc message id first
#   INV_CHANNEL=NAME    the channel FILE is about: each of its sent messages
#                       must be in FILE (default: any, that check skipped)
#   INV_MAX_DUPS=N      deliveries beyond the first allowed in FILE (the
#                       kills, each able to resend what was in flight); 0
#   INV_COMMITTED=FILE  replies the bot answered: one line "TASK_ID<TAB>TEXT",
#                       TEXT to be found in exactly one event of the task
#   INV_SETTLED=1       the scenario ended with a full run: no message may be
#                       left 'sending', and the planner must have nothing new
#                       to queue at DONDOC_NOW (invariant 1 through a rerun)
#   INV_VERIFY=0       people or messages were written into the registry by
#                       hand (a test's shortcut): 'verify' is not asked
#   INV_EXPLAIN=N       tasks whose reminder ladder is read (explain, about
#                       0.05 s each): the done ones first, then spread; 40
#
# Invariants (DESIGN §6 numbers):
#   1  no second notice per (task, stage, person): no person has two live
#      messages of one kind listing one task on one day; with INV_SETTLED a
#      rerun of the planner queues nothing; a ladder lists each step once
#   2  nothing lost: every message pending, sending, sent, dead or cancelled;
#      a step 'sent' in a ladder has a sent message for that person and task,
#      a step 'dead' a dead one; with INV_SETTLED nothing is left 'sending';
#      with INV_CHANNEL every sent message was received
#   3  bounded duplicates: repeated ids in INV_RECEIVED <= INV_MAX_DUPS, and
#      every id received is a message of the outbox
#   4  replies committed: each INV_COMMITTED line's event, exactly once
#   5  no reminder for done tasks: no unsent reminder lists a done task, none
#      was made after it was done, its ladder has no queued step
#   figures: report totals equal the sum of their breakdowns (statuses,
#      lights, done kinds, by document rows = the whole); the task list has
#      as many tasks as the report; 'verify' passes (the history holds)
TOP=$(cd "$(dirname "$0")/../.." && pwd)
DONDOC=${DONDOC:-$TOP/bot/dondoc}
PY=/usr/bin/python3
if [ $# -ne 2 ]; then
	echo "usage: tests/faults/invariants.sh DONDOC_CONF_OR_DB NAME" >&2
	exit 2
fi
ARG=$1 NAME=$2
if [ "$(head -c 15 "$ARG" 2>/dev/null)" = "SQLite format 3" ]; then
	export DONDOC_DB="$ARG"
	unset DONDOC_CONFIG
else
	export DONDOC_CONFIG="$ARG"
	unset DONDOC_DB
fi
W=$(mktemp -d "${TMPDIR:-/tmp}/invariants.XXXXXX") || exit 1
trap 'rm -rf "$W"' EXIT

# What the CLI says, each into a file; a command that fails is a verdict.
cli() { # FILE ARGS...
	_f=$1
	shift
	if ! "$DONDOC" "$@" >"$W/$_f" 2>"$W/$_f.err"; then
		echo "not ok $NAME: 'dondoc $*' failed: $(head -c 300 "$W/$_f.err" | tr '\n' ' ')"
		exit 1
	fi
}
cli outbox.json outbox list --json
cli tasks.json task list --json
cli report.json report --json
cli bydoc.json report --by document --json
cli byagency.json report --by agency --json
cli dry.json remind --dry-run --json
if [ "${INV_VERIFY:-1}" = 1 ] && ! "$DONDOC" verify >"$W/verify" 2>&1; then
	echo "not ok $NAME: figures: 'dondoc verify' failed: $(head -c 300 "$W/verify" | tr '\n' ' ')"
	exit 1
fi

# Which ladders to read: the done tasks first, then spread over the rest.
$PY - "$W" "${INV_EXPLAIN:-40}" >"$W/pick" <<'PY' || { echo "not ok $NAME: task list --json unreadable"; exit 1; }
import json, sys
w, cap = sys.argv[1], int(sys.argv[2])
tasks = json.load(open(w + "/tasks.json"))
done = [t["id"] for t in tasks if t["status"] == "done"]
rest = [t["id"] for t in tasks if t["status"] != "done"]
pick = done[:cap // 2]
left = cap - len(pick)
if left > 0 and rest:
    step = max(1, len(rest) // left)
    pick += rest[::step][:left]
print("\n".join(str(i) for i in pick))
PY
while read -r id; do
	cli "explain.$id" explain "$id" --json
done <"$W/pick"
if [ -n "${INV_COMMITTED:-}" ]; then
	cut -f1 "$INV_COMMITTED" | sort -u >"$W/ctasks"
	while read -r id; do
		cli "show.$id" task show "$id" --json
	done <"$W/ctasks"
fi

$PY - "$W" "$NAME" <<'PY'
import collections, datetime, json, os, sys

w, name = sys.argv[1], sys.argv[2]
def load(f):
    return json.load(open(os.path.join(w, f)))
def verdict(ok, text):
    print(("ok " if ok else "not ok ") + name + ": " + text)
    sys.exit(0 if ok else 1)
def when(s):
    return datetime.datetime.fromisoformat(s) if s else None

out = load("outbox.json")
tasks = load("tasks.json")
settled = os.environ.get("INV_SETTLED") == "1"
proactive = {"reminder", "catchup", "escalation", "needs_date"}
states = collections.Counter(m["state"] for m in out)
byid = {m["id"]: m for m in out}

# 2: the states a message can end in, nothing in between.
odd = [m["id"] for m in out if m["state"] not in ("pending", "sending", "sent", "dead", "cancelled")]
if odd:
    verdict(False, "2 nothing lost: messages in no known state: %s" % odd[:5])
if settled and states["sending"]:
    verdict(False, "2 nothing lost: %d messages left 'sending' after a full run: %s" %
            (states["sending"], [m["id"] for m in out if m["state"] == "sending"][:5]))

# 1: one live message per (person, kind, task, day).
seen = {}
for m in out:
    if m["kind"] not in proactive or m["state"] in ("dead", "cancelled"):
        continue
    day = (m["created_at"] or "")[:10]
    for t in m.get("tasks") or []:
        k = (m["person_id"], m["kind"], t, day)
        if k in seen:
            verdict(False, "1 one notice: person %s has messages %s and %s (%s) both listing task %s on %s"
                    % (m["person_id"], seen[k], m["id"], m["kind"], t, day))
        seen[k] = m["id"]
dry = load("dry.json")
if settled and dry:
    verdict(False, "1 one notice: a rerun of the planner would queue %d more: %s" % (len(dry), json.dumps(dry[:2], ensure_ascii=False)))

# Ladders read: 1 (each step once), 2 (sent/dead steps have their message), 5.
sent_pt = set()
dead_pt = set()
live_pt = set()
for m in out:
    for t in m.get("tasks") or []:
        k = (m["person_id"], t)
        if m["state"] == "sent":
            sent_pt.add(k)
        elif m["state"] == "dead":
            dead_pt.add(k)
        elif m["state"] in ("pending", "sending"):
            live_pt.add(k)
done = {t["id"]: t for t in tasks if t["status"] == "done"}
ladders = steps = 0
for f in sorted(os.listdir(w)):
    if not f.startswith("explain.") or f.endswith(".err"):
        continue
    tid = int(f.split(".")[1])
    rows = load(f)
    ladders += 1
    keys = collections.Counter((r["stage"], r.get("workdays", r.get("level")), r["person_id"]) for r in rows)
    twice = [k for k, n in keys.items() if n > 1]
    if twice:
        verdict(False, "1 one notice: task %d's ladder lists %s twice" % (tid, twice[:3]))
    for r in rows:
        steps += 1
        k = (r["person_id"], tid)
        if r["state"] == "sent" and k not in sent_pt:
            verdict(False, "2 nothing lost: task %d's step %s %s to person %s is 'sent' but no sent message lists it"
                    % (tid, r["stage"], r.get("workdays", r.get("level")), r["person_id"]))
        if r["state"] == "dead" and k not in dead_pt:
            verdict(False, "2 nothing lost: task %d's step %s to person %s is 'dead' but 'outbox list' shows no dead message for it"
                    % (tid, r["stage"], r["person_id"]))
        if tid in done and r["state"] == "queued":
            verdict(False, "5 done tasks: task %d is done but its step %s %s to person %s is still queued"
                    % (tid, r["stage"], r.get("workdays", r.get("level")), r["person_id"]))
    if tid in done:
        pass

# 5: no unsent reminder lists a done task; none made after it was done.
for m in out:
    if m["kind"] not in proactive:
        continue
    for t in m.get("tasks") or []:
        if t not in done:
            continue
        if m["state"] in ("pending", "sending"):
            verdict(False, "5 done tasks: message %d (%s, %s) still lists done task %d" % (m["id"], m["kind"], m["state"], t))
        d = when(done[t]["done_at"])
        if d and when(m["created_at"]) > d:
            verdict(False, "5 done tasks: message %d (%s) made at %s lists task %d, done at %s"
                    % (m["id"], m["kind"], m["created_at"], t, done[t]["done_at"]))

# 3: duplicates in what was received; every id received is a message.
dups = received = 0
rec = os.environ.get("INV_RECEIVED")
if rec:
    ids = []
    for line in open(rec, encoding="utf-8", errors="replace"):
        f = line.split()
        if f:
            ids.append(f[0])
    received = len(ids)
    c = collections.Counter(ids)
    dups = received - len(c)
    cap = int(os.environ.get("INV_MAX_DUPS", "0"))
    if dups > cap:
        verdict(False, "3 bounded duplicates: %d deliveries repeated, at most %d allowed: %s"
                % (dups, cap, [k for k, n in c.items() if n > 1][:5]))
    unknown = [k for k in c if not k.isdigit() or int(k) not in byid]
    if unknown:
        verdict(False, "3 bounded duplicates: received ids the outbox does not have: %s" % unknown[:5])
    ch = os.environ.get("INV_CHANNEL")
    if ch:
        lost = [m["id"] for m in out if m["channel"] == ch and m["state"] == "sent" and str(m["id"]) not in c]
        if lost:
            verdict(False, "2 nothing lost: %d messages on %s are 'sent' but were never received: %s"
                    % (len(lost), ch, lost[:5]))

# 4: each reply the bot answered is committed, once.
replies = 0
com = os.environ.get("INV_COMMITTED")
if com:
    for line in open(com, encoding="utf-8"):
        line = line.rstrip("\n")
        if not line:
            continue
        tid, text = line.split("\t", 1)
        ev = load("show.%s" % tid)["events"]
        n = sum(1 for e in ev if text in (e.get("text") or "") or text == (e.get("new") or ""))
        if n != 1:
            verdict(False, "4 replies committed: task %s holds %d events with '%s' (wanted 1)" % (tid, n, text))
        replies += 1

# Figures: every total is the sum of its breakdown.
def tasks_add_up(c, where):
    t = c["tasks"]
    parts = {
        "total": ["done", "in_progress", "not_started", "postponed"],
        "done": ["done_on_time", "done_late", "done_unknown"],
    }
    for whole, ps in parts.items():
        s = sum(t[p] for p in ps)
        if t[whole] != s:
            verdict(False, "figures: %s: tasks %s %d != %s = %d" % (where, whole, t[whole], "+".join(ps), s))
    if sum(t["lights"].values()) != t["total"]:
        verdict(False, "figures: %s: task lights %s do not add up to %d" % (where, t["lights"], t["total"]))
    if t["behind"] > t["in_progress"]:
        verdict(False, "figures: %s: %d behind of %d in progress" % (where, t["behind"], t["in_progress"]))
    i = c["indicators"]
    s = i["achieved"] + i["not_achieved"] + i["unassessed"]
    if i["total"] != s or sum(i["lights"].values()) != i["total"]:
        verdict(False, "figures: %s: indicators %s" % (where, json.dumps(i)))

rep = load("report.json")
tasks_add_up(rep["counts"], "report")
ntasks = sum(1 for t in tasks if t["kind"] == "task")
if rep["counts"]["tasks"]["total"] != ntasks:
    verdict(False, "figures: the report counts %d tasks, 'task list' shows %d" % (rep["counts"]["tasks"]["total"], ntasks))
bydoc = load("bydoc.json")
rows = bydoc.get("by_document") or []
for r in rows:
    tasks_add_up(r, "by document row")
def flat(c, pre=""):
    for k, v in c.items():
        if isinstance(v, dict):
            yield from flat(v, pre + k + ".")
        elif isinstance(v, int) and not isinstance(v, bool) and not k.startswith("percent"):
            yield pre + k, v
whole = dict(flat(bydoc["counts"]))
sums = collections.Counter()
for r in rows:
    for k, v in flat({"tasks": r["tasks"], "indicators": r["indicators"]}):
        sums[k] += v
for k, v in whole.items():
    if k in sums and sums[k] != v:
        verdict(False, "figures: report --by document: rows add up to %s=%d, the whole says %d" % (k, sums[k], v))
for r in load("byagency.json").get("by_agency") or []:
    tasks_add_up(r, "by agency row")

verdict(True, "%d messages (%d sent, %d pending, %d sending, %d dead, %d cancelled), %d tasks (%d done), "
        "%d ladders / %d steps read, %d received, %d repeated, %d replies committed, rerun queues %d"
        % (len(out), states["sent"], states["pending"], states["sending"], states["dead"], states["cancelled"],
           ntasks, len(done), ladders, steps, received, dups, replies, len(dry)))
PY
exit $?

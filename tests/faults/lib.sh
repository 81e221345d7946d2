# Shared by the fault scenarios tests/faults/NAME.sh (sourced after setting
# FAULT, the scenario's name): tests/lib.sh's helpers in a fresh $T, the
# checks' lines kept in $T/checks (not printed), and verdict, which prints
# the scenario's one line: "not ok NAME: the first check that failed", or
# the line of tests/faults/invariants.sh over the registry.  A failing
# scenario leaves its log in $TMPDIR/faults-NAME.log.
#
# FAULT_INFO, when set, is added to the line (what the scenario did: kills...).
# FAULTS_QUICK=1 asks for the short version (make check); the scenario
# picks its sizes from it.
_fl_out=$(mktemp "${TMPDIR:-/tmp}/faults.XXXXXX")
RESULTS=$_fl_out
. "$(dirname "$0")/../lib.sh"
QUICK=${FAULTS_QUICK:-0}
# The scenario's output goes to a log; fd 3 is the terminal, for the verdict.
exec 3>&1 >"$T/log" 2>&1
_fl_t0=$(date +%s)

# verdict CONF_OR_DB [INV_VAR=VALUE...]: the one line, and the exit status.
verdict() {
	_fl_conf=$1
	shift
	_fl_s=$(($(date +%s) - _fl_t0))
	_fl_bad=$(grep -m1 '^FAIL' "$_fl_out")
	if [ -n "$_fl_bad" ]; then
		cp "$T/log" "${TMPDIR:-/tmp}/faults-$FAULT.log"
		echo "not ok $FAULT: ${_fl_bad#FAIL $SCRIPT: } (${_fl_s} s; log: ${TMPDIR:-/tmp}/faults-$FAULT.log)" >&3
		rm -f "$_fl_out"
		exit 1
	fi
	_fl_line=$(env "$@" DONDOC="$DONDOC" sh "$TOP/tests/faults/invariants.sh" "$_fl_conf" "$FAULT")
	_fl_rc=$?
	_fl_s=$(($(date +%s) - _fl_t0))
	[ $_fl_rc = 0 ] || cp "$T/log" "${TMPDIR:-/tmp}/faults-$FAULT.log"
	echo "$_fl_line; ${FAULT_INFO:+$FAULT_INFO; }$(grep -c '^PASS' "$_fl_out") checks, ${_fl_s} s" >&3
	rm -f "$_fl_out"
	exit $_fl_rc
}

# skip_scenario WHY: the scenario cannot run here; says why, exits 0.
skip_scenario() {
	echo "ok $FAULT # SKIP $1" >&3
	rm -f "$_fl_out"
	exit 0
}

# webhook_registry TASKS: a registry of TASKS tasks due 30/9/2025, each led
# by its own agency whose focal point is linked on Telegram (chat 2000 + i,
# known to the fake Bot API server), made on 27/9/2025.
webhook_registry() {
	run env DONDOC_NOW=2025-09-27T08:00 "$DONDOC" init
	tasks_tsv "$1" 30/9/2025 >t.tsv
	run env DONDOC_NOW=2025-09-27T08:00 "$DONDOC" import t.tsv
	for i in $(seq 1 "$1"); do
		DONDOC_NOW=2025-09-27T08:00 "$SETUP_DONDOC" person add --name "Cán bộ $i" \
			--agency "Đơn vị thử số $i" --role focal --telegram $((2000 + i)) >/dev/null ||
			fail "person add $i"
		curl -s -X POST -d "{\"chat_id\": $((2000 + i)), \"first_name\": \"Cán bộ\"}" \
			"$API/control/chat" >/dev/null
	done
}

# webhook_updates N TASKS WORD: N Telegram updates into all.jsonl, each a
# /tiendo from task k's focal point with the note "WORD-UID-hết" (no one a
# part of another), and what each must leave in the history,
# "TASK<TAB>note", into committed.tsv for the invariants.
webhook_updates() {
	$PY - "$@" <<'PY'
import json, sys
n, tasks, word = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
with open("all.jsonl", "w") as u, open("committed.tsv", "w") as c:
    for k in range(n):
        uid = 10000 + k
        task = k % tasks + 1
        note = "%s-%d-hết" % (word, uid)
        text = "/tiendo %d %d%% %s" % (task, k % 100, note)
        print(json.dumps({"update_id": uid, "message": {
            "message_id": uid, "date": 1759200000, "text": text,
            "from": {"id": 2000 + task, "is_bot": False, "first_name": "Cán bộ"},
            "chat": {"id": 2000 + task, "type": "private", "first_name": "Cán bộ"}}},
            ensure_ascii=False), file=u)
        print("%d\t%s" % (task, note), file=c)
PY
}

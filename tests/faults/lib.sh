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

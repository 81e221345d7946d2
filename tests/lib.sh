# Shared helpers of the integration tests (sourced, POSIX sh).
#
# Each tests/integration/t_*.sh sources this file, runs the real dondoc
# binary ($DONDOC) in a fresh temporary directory, and records one line
# per check in $RESULTS: "PASS name", "FAIL name" or "SKIP name".
# tests/check.sh runs every script and counts the lines.
#
#   run CMD...                 runs CMD; stdout in out, stderr in err, status in $rc
#   expect_rc N NAME CMD...    passes when CMD exits with N
#   expect_eq NAME GOT WANT    passes when the strings are equal
#   expect_grep NAME FILE RE   passes when FILE has a line matching RE (grep -E)
#   expect_no_grep NAME FILE RE
#   json EXPR                  evaluates a Python expression over the JSON in
#                              out (bound to j) and prints the result
#   skip NAME WHY

set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
DONDOC=${DONDOC:-$TOP/bot/dondoc}
case $DONDOC in /*) ;; *) DONDOC=$TOP/$DONDOC ;; esac
RESULTS=${RESULTS:-/dev/null}
PY=/usr/bin/python3
SCRIPT=$(basename "$0" .sh)

# ../shared, when it is there (tests that need it skip otherwise).
SHARED=${DONDOC_SHARED:-$TOP/../shared}
[ -d "$SHARED" ] || SHARED=""
FIXTURES=${SHARED:+$SHARED/fixtures}

T=$(mktemp -d "${TMPDIR:-/tmp}/dondoc-test.XXXXXX")
trap 'chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT
cd "$T" || exit 1
export DONDOC_DB="$T/dondoc.db"
export DONDOC_ACTOR=tester
unset DONDOC_NOW DONDOC_CONFIG

pass() { echo "PASS $SCRIPT: $1" >>"$RESULTS"; echo "ok - $SCRIPT: $1"; }
fail() {
	echo "FAIL $SCRIPT: $1" >>"$RESULTS"
	echo "not ok - $SCRIPT: $1"
	[ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/#   /'
	return 0
}
skip() { echo "SKIP $SCRIPT: $1 ($2)" >>"$RESULTS"; echo "ok - $SCRIPT: $1 # SKIP $2"; }

run() {
	"$@" >out 2>err
	rc=$?
}

expect_rc() {
	want=$1 name=$2
	shift 2
	run "$@"
	if [ "$rc" = "$want" ]; then
		pass "$name"
	else
		fail "$name" "exit $rc, wanted $want; stderr: $(head -c 600 err)"
	fi
}

expect_eq() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "got '$2', wanted '$3'"
	fi
}

expect_grep() {
	if grep -Eq -- "$3" "$2"; then
		pass "$1"
	else
		fail "$1" "no line of $2 matches '$3'; it holds: $(head -c 600 "$2")"
	fi
}

expect_no_grep() {
	if grep -Eq -- "$3" "$2"; then
		fail "$1" "a line of $2 matches '$3': $(grep -E -- "$3" "$2" | head -3)"
	else
		pass "$1"
	fi
}

json() {
	$PY -c 'import json,sys; j=json.load(open("out")); r=eval(sys.argv[1]); print(json.dumps(r, ensure_ascii=False) if not isinstance(r, str) else r)' "$1"
}

# A TCP port free on loopback now.
free_port() {
	$PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# Starts the fake Bot API server (tests/fake_telegram.py) for token $1:
# its pid in $fake, its base URL in $API.  The caller kills $fake.
fake_telegram_start() {
	$PY "$TOP/tests/fake_telegram.py" --port 0 --token "$1" --ready-file "$T/port" \
		--webhook-max-delay 1 >fake.log 2>&1 &
	fake=$!
	i=0
	while [ ! -s "$T/port" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
	API=http://127.0.0.1:$(cat "$T/port")
}

# The registry's checksum, to prove a failed command changed nothing.
db_sum() {
	sqlite3 "$DONDOC_DB" "SELECT count(*) FROM task; SELECT count(*) FROM agency;
		SELECT count(*) FROM event; SELECT group_concat(id||status||progress||ifnull(due,'')) FROM task;" | md5sum | cut -c1-32
}

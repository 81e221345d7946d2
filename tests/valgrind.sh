#!/bin/sh
# make valgrind: every integration script (tests/integration/t_*.sh, as
# tests/check.sh runs them) with each dondoc process, the daemon and every
# CLI call (and with VALGRIND_HELPER=1 the dondoc-ical helper it starts),
# under valgrind memcheck.
# A memory error or a definite or indirect leak in any of them fails the
# run, as does a failing check (a script that passes only outside valgrind
# is a finding too).  Ends with "N processes, N with errors; N passed, N
# failed" and how long it took.
#
# $DONDOC is build/valgrind/dondoc, a script that execs valgrind on
# build/valgrind/dondoc.real, a copy of bot/dondoc: a copy, not a path
# into bot/, because dondoc finds its helper (and a checkout's schedules)
# beside its own binary, and a test that copies $DONDOC elsewhere copies
# $DONDOC.real with it (copy_dondoc in tests/lib.sh).  Each process writes
# its own log, build/valgrind/logs/PID-NS.log (the helper's PID.log); the
# last pass reads them all.
# Still-reachable memory (libraries' one-time state) is not a leak; the
# suppressions in tests/valgrind.supp each say which library and why.
#
#   sh tests/valgrind.sh [t_name ...]    the scripts named, or all
#   sh tests/valgrind.sh --report        the last pass again, over the last run's logs
#   VALGRIND_JOBS=N                      scripts at a time (nproc)
#   VALGRIND_HELPER=1                    the helper under memcheck too
set -u
cd "$(dirname "$0")/.." || exit 1
TOP=$(pwd)
VG=$TOP/build/valgrind
command -v valgrind >/dev/null || { echo "valgrind: not installed (make deps)"; exit 1; }
[ -x bot/dondoc ] && [ -x bot/dondoc-ical ] || { echo "valgrind: build first (make all)"; exit 1; }
t0=$(date +%s)
results=$VG/results
timed=$(sed -n '/^timed="/,/"$/p' tests/check.sh | tr -d '"' | sed 's/^timed=//' | tr '\n\t' '  ')
export timed
# --report: the last pass alone, over the logs of the last run.
if [ "${1:-}" = --report ]; then
	shift
else
rm -rf "$VG"
mkdir -p "$VG/logs" "$VG/tests" "$VG/tmp"
# t_import_bad runs dondoc as nobody (setpriv) on a read-only registry:
# its log goes here too, and valgrind's own files in a TMPDIR it can write.
chmod 1777 "$VG/logs" "$VG/tmp"
cp bot/dondoc "$VG/dondoc.real"
cp bot/dondoc-ical "$VG/dondoc-ical.real"
# libical's checker (t_feed_parse) of the plain build, not under valgrind.
[ -x build/rel/tests/ical_check ] && ln -s "$TOP/build/rel/tests/ical_check" "$VG/tests/ical_check"

# --errors-for-leak-kinds: a definite or indirect leak counts as an error
# (and so changes the exit status); possibly-lost blocks are the inner
# pointers of libraries' caches, and still-reachable ones their one-time
# state.  A process killed with SIGKILL (t_crash) writes no summary: only
# the errors met before are in its log.
opts="--leak-check=full --show-leak-kinds=definite,indirect --errors-for-leak-kinds=definite,indirect
	--error-exitcode=86 --num-callers=30 --suppressions=$TOP/tests/valgrind.supp"
# dondoc: the copy beside the script ($0.real), found wherever the script is copied.
# Each log named by its pid and the time in ns: over 2,000 processes a
# pid comes again, and the log of the first, root's, would refuse the
# second when it runs as nobody (t_import_bad).
cat >"$VG/dondoc" <<EOF
#!/bin/sh
[ -w "\${TMPDIR:-/tmp}" ] || export TMPDIR="$VG/tmp"
DONDOC_VG_ID=\$(date +%s%N)
export DONDOC_VG_ID
log="$VG/logs/%p-%q{DONDOC_VG_ID}.log"
exec valgrind $(echo $opts) --log-file="\${DONDOC_VALGRIND_LOG:-\$log}" "\$0.real" "\$@"
EOF
# The helper: dondoc gives it 10 s (EXPAND_TIMEOUT_MS), which libical and
# ICU starting under memcheck on a loaded machine do not always meet; so
# it runs plain unless VALGRIND_HELPER=1.  Then a script execs it by its
# absolute path: it finds nothing beside itself, and a test may copy it
# anywhere (t_ops_datadir).
if [ "${VALGRIND_HELPER:-0}" = 1 ]; then
	cat >"$VG/dondoc-ical" <<EOF
#!/bin/sh
exec valgrind $(echo $opts) --log-file="$VG/logs/%p.log" "$VG/dondoc-ical.real" "\$@"
EOF
	chmod +x "$VG/dondoc-ical"
else
	cp bot/dondoc-ical "$VG/dondoc-ical"
fi
chmod +x "$VG/dondoc"

if [ $# -gt 0 ]; then
	for t; do echo "tests/integration/${t%.sh}.sh"; done
else
	ls tests/integration/t_*.sh
fi >"$VG/scripts"
: >"$results"
# DONDOC_SLOW: tests/lib.sh's waits last this many times longer (a process
# under memcheck runs 20 to 50 times slower).
export DONDOC_SLOW=5 DONDOC_VALGRIND=1
# The scripts whose checks ride on the clock (tests/check.sh's list: a
# 1 s answer, a 10 s deadline): under memcheck their failed checks are
# said apart (SLOW) and do not fail the run; their processes' memory
# errors and leaks do, like everyone's.
jobs=${VALGRIND_JOBS:-$(nproc)}
# The longest first, so that no worker is left with a long one at the end.
xargs -P "$jobs" -I{} sh -c '
	t={}; n=$(basename "$t" .sh); s=$(date +%s)
	TZ=UTC DONDOC='"$VG"'/dondoc RESULTS='"$results"' sh "$t" >'"$VG"'/$n.out 2>&1
	st=$?
	if grep -aq "^not ok" '"$VG"'/$n.out || [ $st != 0 ]; then
		case " $timed " in
		*" $n "*) echo "SLOW $n ($(($(date +%s) - s)) s): a check on the clock failed under valgrind" ;;
		*) echo "FAIL $n ($(($(date +%s) - s)) s)"
			[ $st != 0 ] && echo "FAIL $n exit $st" >>'"$results"' ;;
		esac
		grep -aE "^(not ok|#)" '"$VG"'/$n.out | head -20
	else
		echo "ok   $n ($(grep -ac "^ok" '"$VG"'/$n.out) checks, $(($(date +%s) - s)) s)"
	fi' <"$VG/scripts"
fi

# Processes still finishing (a daemon killed by a script's last trap writes
# its leak summary after the script ended): 120 s at most.
for i in $(seq 120); do
	busy=0
	for f in "$VG"/logs/*.log; do
		[ -e "$f" ] || continue
		p=$(basename "$f" .log)
		p=${p%%-*}
		kill -0 "$p" 2>/dev/null && grep -q "Command: $VG/dondoc" "$f" && busy=1
	done
	[ $busy = 0 ] && break
	sleep 1
done

# The last pass: a log with an error, or an ERROR SUMMARY not 0, fails.
procs=0 bad=0 killed=0
for f in "$VG"/logs/*.log; do
	[ -e "$f" ] || continue
	if ! grep -q 'ERROR SUMMARY' "$f"; then
		# A log with no summary: the child dondoc forked to exec the
		# helper (posix_spawn; valgrind opens it a log of its own, its
		# parent's is there), or a process killed (kill -9 in t_crash):
		# only the errors met before its end are in it.
		_pp=$(sed -n 's/^==[0-9]*== Parent PID: //p' "$f")
		ls "$VG/logs/$_pp.log" "$VG/logs/$_pp"-*.log >/dev/null 2>&1 && continue
		killed=$((killed + 1))
	fi
	procs=$((procs + 1))
	if grep -qE '^==[0-9]+== ERROR SUMMARY: [1-9]' "$f" ||
		grep -qE '^==[0-9]+== (Invalid|Conditional jump|Use of uninitialised|Syscall param|Mismatched free|Source and destination overlap|Argument .* of function)' "$f"; then
		bad=$((bad + 1))
		echo "FAIL valgrind: $(sed -n 's/^==[0-9]*== Command: //p' "$f" | cut -c1-200)"
		echo "     log: $f"
		sed -n '/^==[0-9]*== \(Invalid\|Conditional\|Use of\|Syscall\|Mismatched\|Source and\|Argument\|[0-9,]* bytes in\)/,/^==[0-9]*== $/p' "$f" |
			head -40 | sed 's/^/     /'
		echo "FAIL valgrind $f" >>"$results"
	fi
done
passed=$(grep -ac '^PASS' "$results")
all=$(grep -ac '^FAIL' "$results")
failed=$(grep -a '^FAIL' "$results" | while read -r _st _name _rest; do
	case " $timed " in *" ${_name%:} "*) continue ;; esac
	echo "$_name"
done | grep -c .)
slow=$((all - failed))
echo "$procs processes under valgrind ($killed killed before their summary), $bad with errors or leaks;" \
	"$passed checks passed, $failed failed," \
	"$slow failed on the clock (timed scripts)" \
	"($(($(date +%s) - t0)) s)"
[ "$failed" -eq 0 ]

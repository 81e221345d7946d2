#!/bin/sh
# Runs every test: the cmocka unit tests and the integration scripts of
# two builds, the plain one under TZ=UTC and the ASan+UBSan one under a
# zone far from Viet Nam (dondoc must not care), as jobs shared by one
# worker a core; then the scripts that ride on the clock, two at a time,
# beside those on PostgreSQL and the quick fault scenarios; then the tests
# of the daemon's threads once more under ThreadSanitizer, and the fuzz
# targets.  Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.." || exit 1

# Every sanitizer report goes to a file of $san_logs (not the process's
# stderr): a daemon whose leak LeakSanitizer reports as it stops fails the
# run even when its script does not look at how it exited.  No LSan
# suppression: a leak of ours is fixed, never hidden.
# (The jobs, tests/check.sh --one, keep the run's folder.)
san_logs=${CHECK_SAN_LOGS:-$(mktemp -d)}
export CHECK_SAN_LOGS=$san_logs
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:log_path=$san_logs/asan
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

# Integration scripts whose checks ride on the clock (a timeout that must
# fire, a load that must be met, a lock held for so long): they run after
# the others, two at a time, so that the others' load cannot skew them.
timed="t_email t_email_crash t_helper t_http t_http_hardening t_inbound_isolation t_serve
	t_stuck_claims t_telegram t_fake_telegram t_fake_zalo t_zalo_token t_zalo_send t_zalo_chat
	t_webhook t_webhook_setup t_feed_http t_feed_parse t_stop_send"

is_timed() {
	case " $(echo $timed) " in *" $(basename "$1" .sh) "*) return 0 ;; esac
	return 1
}

# units NAME TZ DIR LOG [ONLY]: the cmocka tests of one build (those named in ONLY).
units() {
	for t in "$3"/test_*; do
		[ -x "$t" ] || continue
		case " ${5:-$(basename "$t")} " in *" $(basename "$t") "*) ;; *) continue ;; esac
		TZ=$2 CMOCKA_MESSAGE_OUTPUT=TAP "$t" >"$4" 2>&1
		st=$?
		grep -aE '^(not )?ok ' "$4" | while read -r line; do
			case $line in
			*"# SKIP"*) echo "SKIP $(basename "$t") [$1] ${line#*ok }" >>"$results" ;;
			"not ok"*) echo "FAIL $(basename "$t") [$1] ${line#not ok }" >>"$results" ;;
			*) echo "PASS $(basename "$t") [$1] ${line#ok }" >>"$results" ;;
			esac
		done
		if [ "$st" != 0 ] || grep -a '^not ok' "$4" | grep -avq '# SKIP'; then
			echo "FAIL $(basename "$t") [$1] (exit $st)"
			cat "$4"
			grep -a '^not ok' "$4" | grep -avq '# SKIP' ||
				echo "FAIL $(basename "$t") [$1] exit $st" >>"$results"
		else
			echo "ok   $(basename "$t") ($(grep -ac '^ok' "$4") tests)"
		fi
	done
}

# integration NAME TZ BIN SCRIPT LOG: one integration script with one build.
integration() {
	_t0=$(date +%s)
	TZ=$2 DONDOC=$3 RESULTS=$results sh "$4" >"$5" 2>&1
	st=$?
	_secs=$(($(date +%s) - _t0))
	if grep -aq '^not ok' "$5" || [ "$st" != 0 ]; then
		echo "FAIL $(basename "$4") [$1] (${_secs} s)"
		grep -aE '^(not ok|#)' "$5"
		[ "$st" != 0 ] && echo "FAIL $(basename "$4") exit $st [$1]" >>"$results"
	else
		echo "ok   $(basename "$4") [$1] ($(grep -ac '^ok' "$5") checks, ${_secs} s)"
	fi
}

# One integration script of one build (--one NAME TZ BIN SCRIPT), or one
# unit test of one build (--unit NAME TZ DIR TEST), a job of the pool
# below: its lines go to a file of its own, printed in order once every
# job is done.
case ${1:-} in
--one | --unit)
	results=$CHECK_RESULTS
	_log=$(mktemp)
	if [ "$1" = --one ]; then
		integration "$2" "$3" "$4" "$5" "$_log" >"$CHECK_OUT/$2.$(basename "$5" .sh)" 2>&1
	else
		units "$2" "$3" "$4" "$_log" "$5" >"$CHECK_OUT/units.$2.$5" 2>&1
	fi
	rm -f "$_log"
	exit 0
	;;
esac

results=$(mktemp)
log=$(mktemp)
out=$(mktemp -d)
trap 'rm -rf "$results" "$log" "$out" "$san_logs"' EXIT

# A PostgreSQL of the run's own (tests/pg.sh): the store's tests run on
# it too, the sanitizers' build, as the conformance suite of the second
# backend (STYLE rule 21).
. tests/pg.sh
pg_dir=$(mktemp -d /tmp/dondoc-pg.XXXXXX)
trap 'pg_stop; rm -rf "$results" "$log" "$out" "$san_logs" "$pg_dir"' EXIT
if pg_start "$pg_dir" 2>"$out/pg.err"; then
	pg_base=${PG_URI%/*}
else
	pg_base=
	echo "FAIL PostgreSQL for the tests: $(cat "$out/pg.err")" >>"$results"
fi

# The unit tests and the scripts that are not timed, of both builds: the
# plain one under UTC, the sanitizers' under a zone far from Viet Nam
# (dondoc must not care); the sanitizers' unit tests on PostgreSQL come
# later, beside the timed scripts.  One worker a core takes the next job;
# the longest come first, so that no core is left with a long one at the
# end.
long="t_crash t_import_bad t_extension t_recurring t_truth t_cli t_remind t_roles t_daily test_store_feed"
jobs=$out/jobs
for b in san rel; do
	case $b in
	san) tz=America/Los_Angeles bin=build/san/dondoc ;;
	*) tz=UTC bin=bot/dondoc ;;
	esac
	for t in build/$b/tests/test_*; do
		[ -x "$t" ] || continue
		t=$(basename "$t")
		case " $long " in
		*" $t "*) echo "0 --unit $b $tz build/$b/tests $t" ;;
		*) echo "1 --unit $b $tz build/$b/tests $t" ;;
		esac
	done
	for t in tests/integration/t_*.sh; do
		is_timed "$t" && continue
		case " $long " in
		*" $(basename "$t" .sh) "*) echo "0 --one $b $tz $bin $t" ;;
		*) echo "1 --one $b $tz $bin $t" ;;
		esac
	done
done | sort -s -k1,1 | cut -d' ' -f2- >"$jobs"
_t0=$(date +%s)
CHECK_RESULTS=$results CHECK_OUT=$out xargs -P "$(nproc)" -L 1 sh tests/check.sh <"$jobs"
echo "== unit tests"
for b in rel san; do
	for f in "$out"/units.$b.test_*; do
		[ -f "$f" ] && cat "$f"
	done
done
for b in rel san; do
	echo "== $b build"
	for t in tests/integration/t_*.sh; do
		f=$out/$b.$(basename "$t" .sh)
		[ -f "$f" ] && cat "$f"
	done
done
echo "   unit tests and integration scripts: $(($(date +%s) - _t0)) s"

# The store's unit tests on PostgreSQL (the conformance suite of the second
# backend, STYLE rule 21), then the integration scripts that run on
# PostgreSQL too (tests/lib.sh gives each a database of its own there),
# one at a time with the sanitizers' build: the webhook under load and reloads, chat commands over Zalo,
# delivery stopped mid-send and resumed once, import, assessment and the
# reports.  Then tests/pg/'s, on PostgreSQL only: several instances on
# one registry (t_instances restarts the server, so no other script on
# PostgreSQL runs beside it).  They run beside the timed scripts below,
# which mostly wait: about two minutes saved; the fault scenarios follow
# them in the same lane.
pg_section() {
	_pg_t0=$(date +%s)
	if [ -n "$pg_base" ]; then
		# The unit tests that open a registry (testlib_store_where).
		store_tests=$(grep -l testlib_store_where tests/unit/test_*.c | xargs -n1 basename |
			sed 's/\.c$//')
		echo "== unit tests on PostgreSQL"
		DONDOC_TEST_PG=$pg_base units pg UTC build/san/tests "$log.pgunits" "$(echo $store_tests)"
		rm -f "$log.pgunits"
	else
		echo "FAIL the unit tests on PostgreSQL: $(cat "$out/pg.err")"
	fi
	echo "== integration on PostgreSQL"
	pg_scripts="t_webhook t_zalo_chat t_stop_send t_indicators t_report_xlsx"
	for s in $(printf 'tests/integration/%s.sh\n' $pg_scripts) tests/pg/t_*.sh; do
		if [ -n "$pg_base" ]; then
			DONDOC_TEST_PG=$pg_base integration pg America/Los_Angeles build/san/dondoc "$s" "$log.pgsec"
		else
			echo "FAIL $(basename "$s") [pg]: no PostgreSQL" | tee -a "$results"
		fi
	done
	rm -f "$log.pgsec"
	echo "   on PostgreSQL: $(($(date +%s) - _pg_t0)) s"
}

# The quick versions of the fault scenarios (tests/faults/, make faults
# runs the long ones), one at a time with the plain build, after the
# PostgreSQL lane and in it, beside the timed scripts: about 40 s in all;
# each prints one line.
faults_section() {
	echo "== fault scenarios (quick)"
	_f_t0=$(date +%s)
	qdir=$(mktemp -d)
	for f in kill_webhook kill_import channels wal_deleted full_disk full_disk_live truncated sighup clock; do
		FAULTS_QUICK=1 TZ=UTC DONDOC=bot/dondoc sh tests/faults/$f.sh >"$qdir/$f" 2>&1
		line=$(tail -n 1 "$qdir/$f")
		[ -n "$line" ] || line="not ok $f: printed nothing"
		echo "$line"
		case $line in
		"not ok"*) echo "FAIL faults $line" >>"$results" ;;
		*"# SKIP"*) echo "SKIP faults $line" >>"$results" ;;
		*) echo "PASS faults $line" >>"$results" ;;
		esac
	done
	rm -rf "$qdir"
	echo "   fault scenarios: $(($(date +%s) - _f_t0)) s"
}
{
	pg_section
	faults_section
} >"$out/pg_section" 2>&1 &
pid_pg=$!

# The timed scripts, two at a time: they mostly wait (for a timeout, a
# retry, a slow client), so two of them leave each other a core; never
# beside the pool above, whose load could make a deadline slip, but
# beside the PostgreSQL lane, one process more (a deadline here leaves
# room for that).
echo "== timed scripts"
_t0=$(date +%s)
for t in tests/integration/t_*.sh; do
	is_timed "$t" || continue
	echo "san America/Los_Angeles build/san/dondoc $t"
	echo "rel UTC bot/dondoc $t"
done | sed 's/^/--one /' >"$jobs"
rm -f "$out"/rel.* "$out"/san.*
CHECK_RESULTS=$results CHECK_OUT=$out xargs -P 2 -L 1 sh tests/check.sh <"$jobs"
for t in tests/integration/t_*.sh; do
	for b in rel san; do
		f=$out/$b.$(basename "$t" .sh)
		[ -f "$f" ] && cat "$f"
	done
done
echo "   timed scripts: $(($(date +%s) - _t0)) s"

wait $pid_pg
cat "$out/pg_section"

# The daemon's threads (HTTP server, webhook writer, background) under
# ThreadSanitizer: the tests that run them, a data race failing them.
echo "== tsan build, TZ=UTC"
_t0=$(date +%s)
tsan_log=$(mktemp -d)
tsan_tests="tests/integration/t_webhook.sh tests/integration/t_http.sh tests/integration/t_http_hardening.sh
	tests/integration/t_feed_http.sh"
# Some kernels randomise mappings more than GCC 12's TSan can take.
if ! build/tsan/dondoc --version >"$log" 2>&1; then
	echo "SKIP ThreadSanitizer ($(grep -m1 -o 'ThreadSanitizer.*' "$log" || echo "the TSan build does not run here"))" |
		tee -a "$results"
	tsan_tests=
fi
for t in $tsan_tests; do
	TSAN_OPTIONS="halt_on_error=1 abort_on_error=1 log_path=$tsan_log/report" \
		TZ=UTC DONDOC=build/tsan/dondoc RESULTS=$results sh "$t" >"$log" 2>&1
	st=$?
	if ls "$tsan_log"/report* >/dev/null 2>&1; then
		echo "FAIL $(basename "$t") [tsan]: ThreadSanitizer found a data race"
		cat "$tsan_log"/report* | head -60
		echo "FAIL $(basename "$t") ThreadSanitizer report [tsan]" >>"$results"
		rm -f "$tsan_log"/report*
	elif grep -aq '^not ok' "$log" || [ "$st" != 0 ]; then
		echo "FAIL $(basename "$t") [tsan]"
		grep -aE '^(not ok|#)' "$log"
		[ "$st" != 0 ] && echo "FAIL $(basename "$t") exit $st [tsan]" >>"$results"
	else
		echo "ok   $(basename "$t") ($(grep -ac '^ok' "$log") checks, no data race)"
	fi
done
rm -rf "$tsan_log"
echo "   tsan: $(($(date +%s) - _t0)) s"

# The fuzz targets (tests/fuzz, issue 16): every kept input (regress/,
# corpus/, ../shared's seeds) replayed whole, then FUZZ_CHECK_SECONDS (5)
# of fuzzing each from a scratch corpus, two at a time.  'make fuzz' is
# the long run.
echo "== fuzz targets"
_t0=$(date +%s)
# shellcheck disable=SC2046
sh tests/fuzz/run.sh --seconds "${FUZZ_CHECK_SECONDS:-5}" --jobs 2 --scratch --results "$results" \
	$(for f in tests/fuzz/fuzz_*.c; do echo "build/fuzz/$(basename "$f" .c)"; done)
echo "   fuzz targets: $(($(date +%s) - _t0)) s"

# The service unit's hardening, where systemd-analyze exists.
sh tests/check-systemd.sh >"$log" 2>&1
cat "$log"
case $(grep -a '^systemd: ' "$log") in
"systemd: PASS"*) echo "PASS systemd unit security" >>"$results" ;;
"systemd: SKIP"*) echo "SKIP systemd unit security (no systemd-analyze)" >>"$results" ;;
*) echo "FAIL systemd unit security" >>"$results" ;;
esac

# The sanitizers' reports of every process of the run (ASan, LeakSanitizer).
for f in "$san_logs"/asan.*; do
	[ -e "$f" ] || continue
	echo "FAIL sanitizer report $(basename "$f"): $(grep -m1 -oE '(ERROR|SUMMARY): .*' "$f")"
	head -30 "$f" | sed 's/^/  /'
	echo "FAIL sanitizer report $(basename "$f"): $(grep -m1 -oE 'SUMMARY: .*' "$f")" >>"$results"
done

passed=$(grep -ac '^PASS' "$results")
failed=$(grep -ac '^FAIL' "$results")
skipped=$(grep -ac '^SKIP' "$results")
if [ "$skipped" -gt 0 ]; then
	echo "skipped:"
	grep -a '^SKIP' "$results" | sed 's/^/  /'
fi
if [ "$failed" -gt 0 ]; then
	echo "failed:"
	grep -a '^FAIL' "$results" | sed 's/^/  /'
fi
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]

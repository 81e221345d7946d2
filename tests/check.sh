#!/bin/sh
# Runs every test: the cmocka unit tests and the integration scripts, twice:
# the plain build under TZ=UTC and the ASan+UBSan build under a zone far
# from Viet Nam (dondoc must not care); then the tests of the daemon's
# threads once more under ThreadSanitizer.  Ends with "N passed, N failed".
set -u
cd "$(dirname "$0")/.." || exit 1
results=$(mktemp)
log=$(mktemp)
trap 'rm -f "$results" "$log"' EXIT

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1

for variant in "rel UTC bot/dondoc build/rel/tests" \
	       "san America/Los_Angeles build/san/dondoc build/san/tests"; do
	set -- $variant
	name=$1 tz=$2 bin=$3 units=$4
	echo "== $name build, TZ=$tz"
	for t in "$units"/test_*; do
		[ -x "$t" ] || continue
		TZ=$tz CMOCKA_MESSAGE_OUTPUT=TAP "$t" >"$log" 2>&1
		st=$?
		grep -E '^(not )?ok ' "$log" | while read -r line; do
			case $line in
			*"# SKIP"*) echo "SKIP $(basename "$t") [$name] ${line#*ok }" >>"$results" ;;
			"not ok"*) echo "FAIL $(basename "$t") [$name] ${line#not ok }" >>"$results" ;;
			*) echo "PASS $(basename "$t") [$name] ${line#ok }" >>"$results" ;;
			esac
		done
		if [ "$st" != 0 ] || grep '^not ok' "$log" | grep -vq '# SKIP'; then
			echo "FAIL $(basename "$t") [$name] (exit $st)"
			cat "$log"
			grep '^not ok' "$log" | grep -vq '# SKIP' ||
				echo "FAIL $(basename "$t") [$name] exit $st" >>"$results"
		else
			echo "ok   $(basename "$t") ($(grep -c '^ok' "$log") tests)"
		fi
	done
	for t in tests/integration/t_*.sh; do
		TZ=$tz DONDOC=$bin RESULTS=$results sh "$t" >"$log" 2>&1
		st=$?
		if grep -q '^not ok' "$log" || [ "$st" != 0 ]; then
			echo "FAIL $(basename "$t")"
			grep -E '^(not ok|#)' "$log"
			[ "$st" != 0 ] && echo "FAIL $(basename "$t") exit $st [$name]" >>"$results"
		else
			echo "ok   $(basename "$t") ($(grep -c '^ok' "$log") checks)"
		fi
	done
done

# The daemon's threads (HTTP server, webhook writer, background) under
# ThreadSanitizer: the tests that run them, a data race failing them.
echo "== tsan build, TZ=UTC"
tsan_log=$(mktemp -d)
tsan_tests="tests/integration/t_webhook.sh tests/integration/t_http.sh tests/integration/t_http_hardening.sh"
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
	elif grep -q '^not ok' "$log" || [ "$st" != 0 ]; then
		echo "FAIL $(basename "$t") [tsan]"
		grep -E '^(not ok|#)' "$log"
		[ "$st" != 0 ] && echo "FAIL $(basename "$t") exit $st [tsan]" >>"$results"
	else
		echo "ok   $(basename "$t") ($(grep -c '^ok' "$log") checks, no data race)"
	fi
done
rm -rf "$tsan_log"

# The service unit's hardening, where systemd-analyze exists.
sh tests/check-systemd.sh >"$log" 2>&1
cat "$log"
case $(grep '^systemd: ' "$log") in
"systemd: PASS"*) echo "PASS systemd unit security" >>"$results" ;;
"systemd: SKIP"*) echo "SKIP systemd unit security (no systemd-analyze)" >>"$results" ;;
*) echo "FAIL systemd unit security" >>"$results" ;;
esac

passed=$(grep -c '^PASS' "$results")
failed=$(grep -c '^FAIL' "$results")
skipped=$(grep -c '^SKIP' "$results")
if [ "$skipped" -gt 0 ]; then
	echo "skipped:"
	grep '^SKIP' "$results" | sed 's/^/  /'
fi
if [ "$failed" -gt 0 ]; then
	echo "failed:"
	grep '^FAIL' "$results" | sed 's/^/  /'
fi
if [ "$skipped" -gt 0 ]; then
	echo "$passed passed, $failed failed, $skipped skipped"
else
	echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]

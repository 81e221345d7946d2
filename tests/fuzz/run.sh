#!/bin/sh
# Runs the libFuzzer targets of tests/fuzz (built by 'make fuzz-build' as
# build/fuzz/fuzz_NAME), one after another:
#
#   sh tests/fuzz/run.sh [--seconds N] [--jobs J] [--scratch] [--results FILE] BIN...
#
# For each target: first every kept input is replayed whole, one by one
# (tests/fuzz/regress/NAME: the crashes and hangs found, kept forever;
# tests/fuzz/corpus/NAME: the committed seeds; and, when ../shared
# exists, the files that tests/fuzz/NAME.shared names by glob under it);
# then it fuzzes for N seconds (60) from those seeds and the corpus grown
# by earlier runs (build/fuzz/corpus/NAME, never committed), with
# tests/fuzz/NAME.dict when it exists and the libFuzzer flags of
# tests/fuzz/NAME.options (-max_len=..., one a line; -max_len=4096
# otherwise).  One line per target: runs, coverage, corpus, crashes.  A
# crash or hang leaves its input in build/fuzz/crash/NAME/, to be fixed
# and then kept in tests/fuzz/regress/NAME/.  With --results, PASS/FAIL
# lines go to FILE as tests/check.sh counts them.  J targets run at once
# (1).  --scratch: a fresh corpus for this run only (make check).  Exits 1
# when any target crashed.
set -u
cd "$(dirname "$0")/../.." || exit 1
top=$(pwd)

seconds=60 jobs=1 results= scratch=
while [ $# -gt 0 ]; do
	case $1 in
	--seconds) seconds=$2; shift 2 ;;
	--scratch) scratch=1; shift ;;
	--jobs) jobs=$2; shift 2 ;;
	--results) results=$2; shift 2 ;;
	*) break ;;
	esac
done

shared=$top/../shared
export ASAN_OPTIONS=${FUZZ_ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0:handle_abort=1}
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
# The targets write under $TMPDIR only (tests/fuzz/fuzzlib.h).
export TMPDIR=${TMPDIR:-/tmp}

# One target: its lines on stdout, 0 when clean.
one() {
	bin=$1
	name=$(basename "$bin")
	name=${name#fuzz_}
	src=tests/fuzz
	work=build/fuzz/corpus/$name
	[ -n "$scratch" ] && work=$(mktemp -d)
	crash=build/fuzz/crash/$name
	log=build/fuzz/log/$name
	mkdir -p "$work" "$crash" "$(dirname "$log")"
	if [ ! -x "$bin" ]; then
		echo "fuzz $name: FAIL: $bin was not built"
		[ -n "$results" ] && echo "FAIL fuzz $name: not built" >>"$results"
		return 1
	fi
	opts="-max_len=4096"
	[ -f "$src/$name.options" ] && opts=$(grep -v '^#' "$src/$name.options" | tr '\n' ' ')
	dict=
	[ -f "$src/$name.dict" ] && dict="-dict=$src/$name.dict"

	# The seeds: committed, kept crashes, and ../shared's when there.
	seeds=$(mktemp -d)
	for d in "$src/corpus/$name" "$src/regress/$name"; do
		[ -d "$d" ] && find "$d" -type f ! -name '.*' -exec cp {} "$seeds/" \;
	done
	if [ -f "$src/$name.shared" ] && [ -d "$shared" ]; then
		grep -v '^#' "$src/$name.shared" | while read -r pat; do
			[ -n "$pat" ] || continue
			for f in "$shared"/$pat; do
				[ -f "$f" ] && cp "$f" "$seeds/shared-$(echo "${f#"$shared"/}" | tr / _)"
			done
		done
	fi
	n_seeds=$(find "$seeds" -type f | wc -l)

	# Replay: every seed whole (libFuzzer would cut a corpus entry at
	# -max_len), a crash failing the target as it did once.
	st=0
	if [ "$n_seeds" -gt 0 ]; then
		# shellcheck disable=SC2086
		find "$seeds" -type f -print0 | xargs -0 "$bin" $dict -timeout=10 \
			-error_exitcode=77 >"$log.replay" 2>&1 || st=$?
	fi
	if [ "$st" != 0 ]; then
		echo "fuzz $name: FAIL: a kept input crashes (exit $st); see $log.replay"
		grep -aE 'ERROR:|SUMMARY:|Running:|==[0-9]+==' "$log.replay" | tail -8
		[ -n "$results" ] && echo "FAIL fuzz $name: replay of $n_seeds inputs" >>"$results"
		rm -rf "$seeds"
		[ -n "$scratch" ] && rm -rf "$work"
		return 1
	fi
	[ -n "$results" ] && echo "PASS fuzz $name: replay of $n_seeds inputs" >>"$results"

	# Fuzz from the seeds and what earlier runs found.
	st=0
	# shellcheck disable=SC2086
	"$bin" $opts $dict -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
		-print_final_stats=1 -artifact_prefix="$crash/" "$work" "$seeds" \
		>"$log" 2>&1 || st=$?
	rm -rf "$seeds"
	[ -n "$scratch" ] && rm -rf "$work"
	runs=$(grep -a 'stat::number_of_executed_units' "$log" | awk '{print $2}')
	cov=$(grep -aoE 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -1)
	crashes=$(find "$crash" -type f | wc -l)
	line="fuzz $name: ${runs:-0} runs in $seconds s, ${cov:-no coverage line}, $n_seeds seeds"
	if [ "$st" != 0 ]; then
		echo "$line, FAIL (exit $st), $crashes input(s) in $crash"
		grep -aE 'ERROR:|SUMMARY:|Test unit written' "$log" | tail -6
		[ -n "$results" ] && echo "FAIL fuzz $name: $seconds s (see $log)" >>"$results"
		return 1
	fi
	echo "$line, 0 crashes"
	[ -n "$results" ] && echo "PASS fuzz $name: $seconds s, ${runs:-0} runs" >>"$results"
	return 0
}

if [ "${1:-}" = --one ]; then
	one "$2" >"$3" 2>&1
	exit $?
fi

[ $# -gt 0 ] || { echo "usage: run.sh [--seconds N] [--jobs J] [--results FILE] BIN..." >&2; exit 2; }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
i=0
for b in "$@"; do
	i=$((i + 1))
	echo "$b $out/$i"
done | FUZZ_SECONDS_ONE=$seconds FUZZ_SCRATCH=${scratch:+--scratch} xargs -P "$jobs" -L 1 sh -c \
	'sh tests/fuzz/run.sh --seconds "$FUZZ_SECONDS_ONE" ${0:+--results} ${0:+"$0"} $FUZZ_SCRATCH --one "$1" "$2"; echo $? >"$2.rc"' \
	"$results"
fail=0
i=0
for b in "$@"; do
	i=$((i + 1))
	cat "$out/$i"
	[ "$(cat "$out/$i.rc" 2>/dev/null)" = 0 ] || fail=1
done
exit $fail

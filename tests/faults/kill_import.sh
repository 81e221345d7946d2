# kill -9 during an import: a table of N tasks, each of its own agency,
# imported while dondoc is killed -9 at random moments, KILLS times.  After
# each kill the registry holds the whole import or none of it (the task
# list shows 0 or N tasks, the agencies alike); a rerun completes it, with
# no duplicates, and a third run changes nothing.
FAULT=kill_import
. "$(dirname "$0")/lib.sh"

if [ "$QUICK" = 1 ]; then N=1500 KILLS=4; else N=${FAULTS_ROWS:-20000} KILLS=${FAULTS_KILLS:-12}; fi
conf_general >dondoc.conf
export DONDOC_CONFIG="$T/dondoc.conf"
export DONDOC_NOW=2025-09-29T09:00
run "$DONDOC" init
tasks_tsv $N 31/12/2025 >tasks.tsv
count() { # tasks and agencies as the CLI lists them
	echo "$("$DONDOC" task list --json | $PY -c 'import json, sys; print(len(json.load(sys.stdin)))') $("$DONDOC" agency list --json | $PY -c 'import json, sys; print(len(json.load(sys.stdin)))')"
}
# How long a whole import takes here (into a registry of its own): the
# kills fall anywhere from its start to a fifth past its end.
run env DONDOC_DB="$T/scratch.db" "$DONDOC" init
t0=$($PY -c 'import time; print(time.time())')
expect_rc 0 "an import of the table, not killed" env DONDOC_DB="$T/scratch.db" "$DONDOC" import tasks.tsv
span=$($PY -c "import time; print(int((time.time() - $t0) * 1200))")
rm -f scratch.db*
echo "# an import of $N rows takes $((span * 5 / 6)) ms"
kills=0 partial= none=0 whole=0
while [ $kills -lt $KILLS ]; do
	"$DONDOC" import tasks.tsv >import.out 2>&1 &
	imp=$!
	sleep "$($PY -c "import random; print(random.randint(0, $span) / 1000)")"
	if kill -9 $imp 2>/dev/null; then
		wait $imp 2>/dev/null
		kills=$((kills + 1))
		c=$(count)
		echo "# killed: $c tasks/agencies"
		case $c in "0 0") none=$((none + 1)) ;; "$N $N")
			whole=$((whole + 1))
			rm -f dondoc.db dondoc.db-wal dondoc.db-shm
			run "$DONDOC" init
			;;
		*) partial="$partial $c" ;;
		esac
	else
		# It ended first: the whole import is there; start again from none.
		wait $imp
		echo "# ended before the kill: $(count)"
		expect_eq "an import not killed holds it all" "$(count)" "$N $N"
		whole=$((whole + 1))
		rm -f dondoc.db dondoc.db-wal dondoc.db-shm
		run "$DONDOC" init
	fi
done
expect_eq "after each of $KILLS kills the registry held none of the import (or it all)" "${partial:-none}" none
expect_rc 0 "the rerun imports it" "$DONDOC" import tasks.tsv
expect_eq "the whole table, once: $N tasks, $N agencies" "$(count)" "$N $N"
expect_rc 0 "a third run changes nothing" "$DONDOC" import tasks.tsv
expect_grep "(it says so)" out "cập nhật 0, không đổi $N"
expect_eq "still $N tasks, $N agencies" "$(count)" "$N $N"
FAULT_INFO="$N rows, $kills kill -9 within ${span} ms: $none left none, $whole the whole"
verdict "$T/dondoc.conf" INV_SETTLED=1

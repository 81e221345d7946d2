#!/bin/sh
# make faults: the fault scenarios of tests/faults/ at full size, each
# ending with tests/faults/invariants.sh (DESIGN §6) and printing one line,
# after the kill -9 runs that came before them:
#   email: $FAULTS_N emails (default 1000) to tests/smtpd.py, $FAULTS_KILLS
#          kills (default 30): each email's outcome is committed after its
#          DATA, so a kill resends at most one, under the same Message-ID;
#   file:  tests/integration/t_crash.sh (1,000 messages, 10 kills).
# make check runs the quick versions of the scenarios (FAULTS_QUICK=1).
TOP=$(cd "$(dirname "$0")/.." && pwd)
export DONDOC=${DONDOC:-$TOP/bot/dondoc}
export FAULTS_N=${FAULTS_N:-1000} FAULTS_KILLS=${FAULTS_KILLS:-30}
RESULTS=$(mktemp)
export RESULTS
echo "== email: $FAULTS_N messages, $FAULTS_KILLS kill -9"
sh "$TOP/tests/integration/t_email_crash.sh"
echo "== file channel: tests/integration/t_crash.sh"
sh "$TOP/tests/integration/t_crash.sh"
bad=$(grep -c '^FAIL' "$RESULTS")
rm -f "$RESULTS"
echo "== scenarios (tests/faults/NAME.sh)"
unset FAULTS_N FAULTS_KILLS
for f in kill_dispatch kill_webhook kill_import full_disk full_disk_live locked wal_deleted truncated \
	channels clock sighup; do
	case $f in locked) export FAULTS_LOCK_S=25 ;; esac
	sh "$TOP/tests/faults/$f.sh" || bad=$((bad + 1))
done
[ "$bad" = 0 ]

#!/bin/sh
# make faults: kill -9 loops against the real daemon, longer than make
# check runs them, and the duplicates each kill caused.
#   email: $FAULTS_N emails (default 1000) to tests/smtpd.py, $FAULTS_KILLS
#          kills (default 30): each email's outcome is committed after its
#          DATA, so a kill resends at most one, under the same Message-ID;
#   file:  tests/integration/t_crash.sh (1,000 messages, 10 kills);
#   lock:  tests/integration/t_stuck_claims.sh with the registry held 25 s
#          by another process (past the busy retries) mid-batch.
# Prints the ok / not ok lines of each run and its numbers.
TOP=$(cd "$(dirname "$0")/.." && pwd)
export DONDOC=${DONDOC:-$TOP/bot/dondoc}
export FAULTS_N=${FAULTS_N:-1000} FAULTS_KILLS=${FAULTS_KILLS:-30}
RESULTS=$(mktemp)
export RESULTS
echo "== email: $FAULTS_N messages, $FAULTS_KILLS kill -9"
sh "$TOP/tests/integration/t_email_crash.sh"
echo "== file channel: tests/integration/t_crash.sh"
sh "$TOP/tests/integration/t_crash.sh"
echo "== lock: the registry held 25 s mid-batch"
FAULTS_LOCK_S=25 sh "$TOP/tests/integration/t_stuck_claims.sh"
bad=$(grep -c '^FAIL' "$RESULTS")
rm -f "$RESULTS"
[ "$bad" = 0 ]

# The registry locked by another process mid-batch: tests/integration/
# t_stuck_claims.sh (8 s held; make faults holds it FAULTS_LOCK_S=25 s, past
# the busy retries), run as it is, then the invariants over its registry.
FAULT=locked
. "$(dirname "$0")/lib.sh"

mkdir wrap
TMPDIR="$T/wrap" KEEP=1 RESULTS="$RESULTS" sh "$TOP/tests/integration/t_stuck_claims.sh"
d=$(ls -d "$T"/wrap/dondoc-test.* | head -1)
FAULT_INFO="the registry held ${FAULTS_LOCK_S:-8} s mid-batch"
# Its two hand-made claims (9001, 9002, one within its lease) are not settled,
# and its people were written by hand: no verify.
verdict "$d/dondoc.conf" INV_VERIFY=0 DONDOC_NOW=2025-09-29T09:00 INV_RECEIVED="$d/outbox/deliveries.log"

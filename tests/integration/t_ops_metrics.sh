# /metrics on a registry with something in every family: notices queued
# and sent, messages of two channels in several states.  Prometheus' own
# checker (promtool check metrics) takes it, and a strict reading of the
# text format holds: each family's # HELP and # TYPE come before its
# samples, and a family's samples are together (never split by another's).
. "$(dirname "$0")/../lib.sh"

http_port
{ conf_general tick=60; printf '[http]\nlisten = 127.0.0.1:%s\n' "$HTTP"; } >dondoc.conf
export DONDOC_CONFIG="$T/dondoc.conf"
at() { _at=$1; shift; DONDOC_NOW=$_at "$@"; }

at 2025-09-01T08:00 "$DONDOC" init >/dev/null
tasks_tsv 3 10/9/2025 >t.tsv
at 2025-09-01T08:00 "$DONDOC" import t.tsv >/dev/null
focal_points
# Sent in the window (file channel), then more queued after hours.
at 2025-09-03T09:00 "$DONDOC" serve --once >/dev/null 2>&1
at 2025-09-05T18:00 "$DONDOC" serve --once >/dev/null 2>&1
# Messages of another channel in other states, as a relay that failed leaves them.
sql "INSERT INTO message(person_id, channel, kind, subject, body, state, attempts, next_at, created_at, day)
	VALUES (1, 'email', 'reminder', 's', 'b', 'dead', 12, 0, 0, '2025-09-03'),
	       (2, 'email', 'reminder', 's', 'b', 'pending', 1, 0, 0, '2025-09-03')"

daemon_start DONDOC_NOW=2025-09-05T18:00
wait_http "$WEB/healthz"
curl -s "$WEB/metrics" >metrics.txt
daemon_stop
expect_grep "queued notices are counted" metrics.txt '^dondoc_notices\{state="queued"\} [1-9]'
expect_grep "the file channel's sent messages are counted" metrics.txt '^dondoc_messages\{channel="file",state="sent"\} [1-9]'
expect_grep "another channel's dead message is counted" metrics.txt '^dondoc_messages\{channel="email",state="dead"\} 1$'
promtool_check "/metrics with two channels and several states passes promtool check metrics" metrics.txt
$PY - metrics.txt >order.txt <<'PY'
import re, sys
helped, typed, done, current, bad = set(), set(), set(), None, []
for n, line in enumerate(open(sys.argv[1]), 1):
    line = line.rstrip("\n")
    m = re.match(r"# (HELP|TYPE) (\S+)", line)
    if m:
        (helped if m.group(1) == "HELP" else typed).add(m.group(2))
        fam = m.group(2)
    else:
        fam = re.match(r"[a-zA-Z_:][a-zA-Z0-9_:]*", line).group(0)
        if fam not in helped or fam not in typed:
            bad.append("%d: %s before its HELP and TYPE" % (n, fam))
    if fam != current:
        if fam in done:
            bad.append("%d: %s split by another family" % (n, fam))
        if current:
            done.add(current)
        current = fam
print("\n".join(bad) or "in order")
PY
expect_eq "every family has HELP and TYPE first, and its samples together" "$(cat order.txt)" "in order"

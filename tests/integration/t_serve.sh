# The daemon as systemd runs it: readiness and stopping through
# NOTIFY_SOCKET, SIGTERM, SIGHUP with good and bad schedules, journald
# priority prefixes, and the bad start-ups it must refuse with a clear
# message (bad policy, bad holidays, bad RRULE, missing configuration,
# unwritable outbox, a registry locked by another process).
. "$(dirname "$0")/../lib.sh"

cp -r "$TOP/schedules" sched
conf_general schedules="$T/sched" tick=1 >dondoc.conf
export DONDOC_CONFIG="$T/dondoc.conf"
export DONDOC_NOW=2025-09-29T09:00
run "$DONDOC" init

# A stand-in for systemd's notification socket: records each datagram.
$PY - "$T/notify.sock" "$T/notify.log" <<'PY' &
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(60)
with open(sys.argv[2], "a") as log:
    try:
        while True:
            msg = s.recv(4096).decode()
            log.write(msg.replace("\n", " ") + "\n")
            log.flush()
            if "STOPPING=1" in msg:
                break
    except socket.timeout:
        pass
PY
listener=$!
wait_until 10 test -S "$T/notify.sock"

env -u WATCHDOG_PID NOTIFY_SOCKET="$T/notify.sock" WATCHDOG_USEC=4000000 JOURNAL_STREAM=8:1 \
	"$DONDOC" serve >serve.log 2>&1 &
pid=$!
if wait_log notify.log 'READY=1' 30; then pass "READY=1 is sent once started"; else fail "READY=1 is sent once started" "$(cat serve.log)"; fi
expect_log "the watchdog is fed" notify.log 'WATCHDOG=1' 30
expect_grep "log lines carry journald priorities under systemd" serve.log '^<6>started: registry'
# libical and the ICU libraries under it stay in the short-lived
# dondoc-ical helper: the daemon maps neither (5.5 MB of its memory).
if grep -q '/libical\|/libicu' /proc/$pid/maps; then
	fail "the daemon maps neither libical nor ICU" "$(grep -o '/[^ ]*/lib\(ical\|icu\)[^ ]*' /proc/$pid/maps | sort -u)"
else
	pass "the daemon maps neither libical nor ICU"
fi

# SIGHUP with a broken policy: refused, the old one kept, the daemon alive.
cp sched/policy.ini policy.good
printf '[before]\nday = 7, -3\n' >sched/policy.ini
kill -HUP $pid
expect_log "a reload with a broken policy is refused" serve.log 'reload failed' 30
expect_grep "the refusal names the file and line" serve.log "policy.ini:2: .*-3"
if kill -0 $pid 2>/dev/null; then pass "the daemon lives on with its old policy"; else fail "the daemon lives on with its old policy"; fi
cp policy.good sched/policy.ini
kill -HUP $pid
expect_log "a good policy reloads on SIGHUP" serve.log 'configuration and schedules reloaded' 30

kill -TERM $pid
wait $pid
expect_eq "SIGTERM stops the daemon with status 0" "$?" 0
expect_grep "it says it stopped" serve.log "stopped$"
wait $listener 2>/dev/null
expect_grep "STOPPING=1 is sent on the way out" notify.log 'STOPPING=1'

# --- start-ups it must refuse ------------------------------------------------------------------
refuse() { # NAME STATUS RE: serve --once must exit STATUS with one line matching RE
	expect_rc "$2" "$1: serve refuses to start (exit $2)" "$DONDOC" serve --once
	expect_grep "$1: the error says why" err "$3"
}
printf '[before]\nday = 7, -3\n' >sched/policy.ini
refuse "a negative offset" 78 "policy.ini:2: .*-3"
printf '[before]\nday = 7, 3\n[escalation]\nlevels = 15, 5\n' >sched/policy.ini
refuse "escalation levels out of order" 78 "policy.ini:4: "
printf '[overdue]\nfirst = 1\nevery = 100000\n' >sched/policy.ini
refuse "an absurd interval" 78 "policy.ini:3: "
printf '[recurring]\nrrule = FREQ=SOMETIMES\n' >sched/policy.ini
refuse "an RRULE that does not parse" 78 "policy.ini:2: .*FREQ=SOMETIMES"
printf '[bogus]\nx = 1\n' >sched/policy.ini
refuse "an unknown section" 78 "policy.ini:1: .*bogus"
cp policy.good sched/policy.ini
printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nBEGIN:VEVENT\r\nUID:x\r\nSUMMARY:Nghỉ lễ\r\nDTSTART;VALUE=DATE:2025133\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' >sched/holidays-vn.ics
refuse "a malformed holiday file" 78 "holidays-vn.ics"
cp "$TOP/schedules/holidays-vn.ics" sched/

# A template with a syntax error stops start-up, naming file and line.
cp -r "$TOP/templates" tpl
printf 'Kính gửi {{person.name}},\n{{#tasks}}\n[{{id}}]\n' >tpl/vi/reminder.text.mustache
sed "s|^templates = .*|templates = $T/tpl|" dondoc.conf >tpl.conf
expect_rc 78 "a broken template: serve refuses to start" "$DONDOC" --config "$T/tpl.conf" serve --once
expect_grep "the broken template is named with its line" err "vi/reminder.text.mustache:2: "

expect_rc 78 "a configuration file that is not there: refused" "$DONDOC" --config "$T/nowhere.conf" serve --once
expect_grep "the missing configuration is named" err "nowhere.conf"
printf '[general]\ntick = 0\n' >bad.conf
expect_rc 78 "a tick of 0 in the configuration: refused" "$DONDOC" --config "$T/bad.conf" serve --once
expect_grep "the bad key is named with its line" err "bad.conf:2: "

echo "not a directory" >outbox-file
conf_general outbox_dir="$T/outbox-file" schedules="$T/sched" >file.conf
expect_rc 78 "an outbox that cannot be a directory: refused" "$DONDOC" --config "$T/file.conf" serve --once
expect_grep "the outbox is named" err "outbox-file"

# A registry locked by another process (held for 8 s, longer under make valgrind: dondoc waits
# 5 s once started, then says so).
hold_registry $((8 * SLOW))
expect_rc 75 "a registry locked by another process: refused (exit 75)" "$DONDOC" serve --once
expect_grep "the lock is named as the reason" err "locked by another process"
wait $holder
holder=
expect_rc 0 "once the lock is gone, serve --once runs" "$DONDOC" serve --once
exit 0

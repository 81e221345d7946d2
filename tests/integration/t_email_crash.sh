# Issue 10, finding 5: a crash during email delivery resent a whole SMTP
# batch (14.5 copies per kill -9 on average, up to 50), each copy with a
# new random Message-ID.  Now each email's outcome is committed right
# after the server accepts its DATA, and its Message-ID comes from its
# outbox id and the registry, so a kill -9 resends at most the one email
# in flight, under the same Message-ID.
#
# kill -9 the real daemon at random moments while it sends $N emails to a
# real SMTP server (tests/smtpd.py, STARTTLS and AUTH), $KILLS times, then
# let it finish.  make faults runs it longer (tests/faults.sh) and prints
# the duplicates per kill.
. "$(dirname "$0")/../lib.sh"

N=${FAULTS_N:-250}
KILLS=${FAULTS_KILLS:-5}
smtpd_prepare "email kill -9"
echo "s3cret" >smtp-password
smtpd_start --require-tls --auth dondoc:s3cret

conf_general tick=1 >dondoc.conf
cat >>dondoc.conf <<CONF
[smtp]
host = localhost
port = $PORT
starttls = required
user = dondoc
password_file = $T/smtp-password
from = dondoc@sokhcn.example.gov.vn
from_name = Văn phòng Ban Chỉ đạo tỉnh
ca_file = $T/cert.pem
timeout = 5
CONF
export DONDOC_CONFIG="$T/dondoc.conf"
export DONDOC_NOW=2025-09-29T09:00

run "$DONDOC" init
tasks_tsv "$N" 29/9/2025 >tasks.tsv
run "$DONDOC" import tasks.tsv
focal_points
sql "INSERT INTO address(person_id, channel, value)
	SELECT id, 'email', 'cb' || agency_id || '@example.gov.vn' FROM person"
received() { find mail -name '*.eml' | wc -l | tr -d ' '; }

# Start, wait for a random number of further emails, kill -9, again;
# waiting is on what the server received, not on time.
kills=0
: >kills.txt
while [ $kills -lt $KILLS ]; do
	before=$(received)
	[ "$before" -ge "$N" ] && break
	daemon_start
	want=$((before + $($PY -c 'import random; print(random.randint(1, 40))')))
	waited=0
	while [ "$(received)" -lt "$want" ] && kill -0 $daemon 2>/dev/null && [ $waited -lt 600 ]; do
		sleep 0.02
		waited=$((waited + 1))
	done
	if kill -9 $daemon 2>/dev/null; then
		kills=$((kills + 1))
		received >>kills.txt
	fi
	wait $daemon 2>/dev/null
	daemon=
done
expect_rc 0 "a last run sends the rest" "$DONDOC" serve --once
run "$DONDOC" outbox list --json
expect_eq "every message ends sent" "$(json 'sorted(set(m["state"] for m in j)) + [len(j)]')" "[\"sent\", $N]"

# Per kill: the emails received after it that had come before.  Each
# person gets one message here, so the address names the message.
$PY - "$N" kills.txt >faults.txt <<'PY'
import email, email.policy, glob, sys
n = int(sys.argv[1])
marks = [int(x) for x in open(sys.argv[2]).read().split()]
ids, dups, same_id = {}, [0] * (len(marks) + 1), True
files = sorted(glob.glob("mail/*.eml"))
for k, f in enumerate(files, 1):
    m = email.message_from_binary_file(open(f, "rb"), policy=email.policy.default)
    mid, to = m["message-id"], m["to"].addresses[0].addr_spec
    if to in ids:
        dups[sum(1 for x in marks if x < k)] += 1
        same_id = same_id and ids[to] == mid
    ids[to] = mid
per = dups[1:]
print("kills", len(marks))
print("received", len(files), "messages", n, "distinct", len(ids))
print("duplicates", sum(dups), "per kill", per)
print("max_per_kill", max(per or [0]))
print("mean_per_kill %.2f" % (sum(per) / max(len(per), 1)))
print("same_id", same_id)
print("all_once", len(ids) == n and len(set(ids.values())) == n)
PY
sed 's/^/# /' faults.txt
expect_eq "the daemon was killed mid-delivery" "$(sed -n 's/^kills //p' faults.txt)" "$kills"
expect_grep "every message arrived, each with a Message-ID of its own" faults.txt "^all_once True$"
expect_grep "a message sent again carries the same Message-ID" faults.txt "^same_id True$"
max=$(sed -n 's/^max_per_kill //p' faults.txt)
if [ "${max:-99}" -le 1 ]; then
	pass "at most one email is sent again per kill ($max)"
else
	fail "at most one email is sent again per kill ($max)" "$(cat faults.txt)"
fi
exit 0

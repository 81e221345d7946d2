# The digest through the outbox (issue 13, DESIGN §6 and §9), received by
# a real SMTP server (tests/smtpd.py: STARTTLS, AUTH) and parsed with
# Python's email package, the workbook opened with openpyxl:
# - on its day, one digest email each to the secretariat, a leader who
#   asked for it and a [digest] to address; none to a leader who did not;
#   a leader on Telegram gets the headline there and the email too;
# - the same day again, and a kill -9 in the middle of the sending then a
#   restart: no second digest (at most the one email in flight again);
# - a daemon down on the digest day sends it when started, two days later;
# - a digest day that is a holiday goes on the next working day;
# - a scheduled digest ends the day before it is made: a task done on a
#   digest day after it was made is in the next one's "TRONG KỲ";
# - a dead message is in the digest of the period it died in;
# - one asked for (--send) outside working hours goes at once;
# - the clock set back with the schedule changed: no older digest;
# - nobody reached: nothing built at each tick, said once; the first
#   digest ever, failed on its day, goes when someone is reached.
. "$(dirname "$0")/../lib.sh"

if ! $PY -c 'import openpyxl' 2>/dev/null; then
	skip "digest by email" "python3-openpyxl is not installed (make deps)"
	exit 0
fi
smtpd_prepare "digest by email"
echo "s3cret" >smtp-password
smtpd_start --require-tls --auth dondoc:s3cret
fake_telegram_start "4242:digest-test"
ctl chat '{"chat_id": 555, "first_name": "Hoa"}'

# Every second Friday from 3/10/2025: 3/10, 17/10, 31/10, 14/11 (made a day off), 28/11.
mkdir sched
cat >sched/policy.ini <<'INI'
[calendar]
holidays = holidays.ics
[digest]
rrule = FREQ=WEEKLY;INTERVAL=2;BYDAY=FR
start = 2025-10-03
to = vanphong@tinhuy.example.gov.vn
INI
printf 'BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:t\r\nBEGIN:VEVENT\r\nUID:h1\r\nSUMMARY:Nghỉ\r\nDTSTART;VALUE=DATE:20251114\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n' >sched/holidays.ics
conf() { # [telegram]: writes dondoc.conf, with the fake Bot API when asked
	conf_general "schedules=$T/sched" tick=1 >dondoc.conf
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
	[ -z "${1:-}" ] || conf_telegram >>dondoc.conf
}
conf telegram
export DONDOC_CONFIG="$T/dondoc.conf"

export DONDOC_NOW=2025-10-01T08:00
run "$DONDOC" init
printf "$HDR"'1.\tBáo cáo <b>&"tổng kết"</b> chuyển đổi số\t%s\tSở Y tế\t15/10/2025\n2.\tViệc của Sở Nội vụ\t%s\tSở Nội vụ\t29/9/2025\n' "$DOC" "$DOC" >t.tsv
run "$DONDOC" import t.tsv
run "$DONDOC" agency add --name "Văn phòng Tỉnh ủy" --code vptu
expect_rc 0 "the secretariat" "$DONDOC" person add --name "Phạm Thị Dung" --agency vptu --role secretariat --email dung@vptu.example.gov.vn
expect_rc 0 "a leader who will ask for the digest" "$DONDOC" person add --name "Lê Văn Lâm" --agency vptu --role leader --email lam@vptu.example.gov.vn
expect_rc 0 "a leader who will not" "$DONDOC" person add --name "Đỗ Văn Minh" --agency vptu --role leader --email minh@vptu.example.gov.vn
expect_rc 0 "a leader on Telegram, with an email too" "$DONDOC" person add --name "Trần Thị Hoa" --agency vptu --role leader --email hoa@vptu.example.gov.vn --telegram 555
lam=$(sql "SELECT id FROM person WHERE name = 'Lê Văn Lâm'")
hoa=$(sql "SELECT id FROM person WHERE name = 'Trần Thị Hoa'")
expect_rc 0 "person set --digest yes" "$DONDOC" person set "$lam" --digest yes
expect_grep "it says what changed" out "nhận báo cáo tổng hợp"
run "$DONDOC" person set "$hoa" --digest yes --json
expect_eq "--json shows the opt-in" "$(json 'j["person"]["digest"]')" true
expect_rc 64 "--digest takes yes or no" "$DONDOC" person set "$lam" --digest maybe
expect_grep "and says so" err "--digest takes 'yes' or 'no'"
run "$DONDOC" person list --json
expect_eq "person list --json shows who asked" "$(json '[p["digest"] for p in j]')" "[false, true, false, true]"
expect_rc 0 "verify replays the opt-in" "$DONDOC" verify

# "ADDR:N ..." for the digest emails received whose workbook is of day $1.
digests() {
	$PY - "$1" <<'PY'
import collections, email, email.policy, glob, sys
c = collections.Counter()
for f in sorted(glob.glob("mail/*.eml")):
    m = email.message_from_binary_file(open(f, "rb"), policy=email.policy.default)
    if "Bao-cao-tien-do-%s.xlsx" % sys.argv[1] in [p.get_filename() for p in m.iter_attachments()]:
        c[m["to"].addresses[0].addr_spec] += 1
print(" ".join("%s:%d" % kv for kv in sorted(c.items())))
PY
}
ALL="dung@vptu.example.gov.vn:1 hoa@vptu.example.gov.vn:1 lam@vptu.example.gov.vn:1 vanphong@tinhuy.example.gov.vn:1"
runs() { sql "SELECT group_concat(key || '=' || period_from || '..' || period_to, ' ') FROM (SELECT * FROM digest_run ORDER BY id)"; }

# --- the day before, then the digest day --------------------------------------------------------
expect_rc 0 "serve --once the day before" env DONDOC_NOW=2025-10-02T09:00 "$DONDOC" serve --once
expect_eq "no digest before its day" "$(runs)" ""
expect_rc 0 "serve --once on the digest day" env DONDOC_NOW=2025-10-03T09:00 "$DONDOC" serve --once
expect_grep "one line says it was queued" err "digest of 2025-10-03 queued: 5 messages, period 2025-09-19 to 2025-10-02"
expect_eq "one digest email per recipient, none to the leader who did not ask" "$(digests 2025-10-03)" "$ALL"
f=$(grep -l "vanphong@tinhuy" mail/*.eml | head -1)
$PY - "$f" >parsed.txt <<'PY'
import email, email.policy, io, sys, openpyxl
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
print("type", m.get_content_type())
print("to", repr(m["to"].addresses[0].display_name), m["to"].addresses[0].addr_spec)
text = m.get_body(("plain",)).get_content()
html = m.get_body(("html",)).get_content()
print("text", len(text) > 0, "html", "<" in html)
att = [p for p in m.iter_attachments()]
print("attachments", [(p.get_filename(), p.get_content_type()) for p in att])
wb = openpyxl.load_workbook(io.BytesIO(att[0].get_content()))
ws = wb.worksheets[0]
print("header", [c.value for c in ws[1]][:3])
print("rows", ws.max_row >= 3)
PY
expect_grep "HTML and text inside multipart/mixed" parsed.txt "^type multipart/mixed$"
expect_grep "an address that is no person has no display name" parsed.txt "^to '' vanphong@tinhuy.example.gov.vn$"
expect_grep "the text and the HTML are both there" parsed.txt "^text True html True$"
expect_grep "the workbook is attached, named for the day" parsed.txt \
	"^attachments \[\('Bao-cao-tien-do-2025-10-03.xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'\)\]$"
expect_grep "it opens with openpyxl in the appendix layout" parsed.txt "^header \['STT', 'Nhiệm vụ', "
expect_grep "with the registry's tasks" parsed.txt "^rows True$"
sent 1
expect_eq "the leader on Telegram gets the digest's headline there, in the chat form" \
	"$(json '[(m["chat_id"], m["parse_mode"], "Tính đến ngày 03/10/2025: hoàn thành 0/02 nhiệm vụ" in m["text"]) for m in j]')" \
	'[[555, "HTML", true]]'
expect_eq "and, having an email, is told the full digest and the workbook go there" \
	"$(json '[("được gửi qua thư điện tử" in m["text"], "Chưa có địa chỉ" in m["text"]) for m in j]')" \
	'[[true, false]]'
# From here on, Telegram's long polls would only slow the test down: Hoa is reached by email.
conf
run "$DONDOC" outbox list --json
expect_eq "the outbox shows the address" \
	"$(json '[(m["kind"], m["state"]) for m in j if m.get("address") == "vanphong@tinhuy.example.gov.vn"]')" \
	'[["digest", "sent"]]'

# --- the same day again: nothing more ------------------------------------------------------------
expect_rc 0 "serve --once again that day" env DONDOC_NOW=2025-10-03T11:00 "$DONDOC" serve --once
expect_eq "no second digest that day" "$(digests 2025-10-03)" "$ALL"
expect_eq "one run for that digest day" "$(sql "SELECT count(*) FROM digest_run")" 1

# Done on the digest day after its digest was made: the next digest's (below).
expect_rc 0 "task 1 done on 3/10 after the digest" env DONDOC_NOW=2025-10-03T15:00 "$DONDOC" task set 1 --status done

# --- kill -9 in the middle of the sending, then a restart ------------------------------------------
smtpd_start --require-tls --auth dondoc:s3cret --delay-data 1
daemon_start DONDOC_NOW=2025-10-17T09:00
wait_until 30 sh -c 'grep -lq Bao-cao-tien-do-2025-10-17 mail/*.eml'
kill -9 $daemon 2>/dev/null
wait $daemon 2>/dev/null
daemon=
# The first came, and the one in flight may still come: not all four.
got=$(digests 2025-10-17 | wc -w | tr -d ' ')
case $got in 1 | 2) pass "killed after the first of the four emails ($got)" ;;
*) fail "killed after the first of the four emails" "got $got" ;; esac
smtpd_start --require-tls --auth dondoc:s3cret
expect_rc 0 "serve --once after the restart" env DONDOC_NOW=2025-10-17T09:30 "$DONDOC" serve --once
$PY - <<'PY' >crash.txt
import collections, email, email.policy, glob
c, ids, same = collections.Counter(), {}, True
for f in sorted(glob.glob("mail/*.eml")):
    m = email.message_from_binary_file(open(f, "rb"), policy=email.policy.default)
    att = [p for p in m.iter_attachments() if p.get_filename() == "Bao-cao-tien-do-2025-10-17.xlsx"]
    if att:
        to = m["to"].addresses[0].addr_spec
        c[to] += 1
        key = (m["message-id"], att[0].get_content())
        same = same and ids.setdefault(to, key) == key
print("recipients", len(c), "extra", sum(c.values()) - len(c), "same", same)
PY
expect_grep "after the restart each recipient has it, at most one sent twice, the same bytes" crash.txt \
	"^recipients 4 extra [01] same True$"
expect_eq "one run for 17/10, its period since the last" "$(runs)" \
	"2025-10-03=2025-09-19..2025-10-02 2025-10-17=2025-10-03..2025-10-16"
# "TRONG KỲ" of 17/10 up to its first blank line, in the text to $1, the digest of day $2.
in_period() {
	$PY - "$1" "$2" <<'PY'
import email, email.policy, glob, sys
for f in sorted(glob.glob("mail/*.eml")):
    m = email.message_from_binary_file(open(f, "rb"), policy=email.policy.default)
    names = [p.get_filename() for p in m.iter_attachments()]
    if m["to"].addresses[0].addr_spec == sys.argv[1] and "Bao-cao-tien-do-%s.xlsx" % sys.argv[2] in names:
        text = m.get_body(("plain",)).get_content()
        print(text[text.index("TRONG KỲ"):].split("\n\n")[0])
        break
PY
}
in_period dung@vptu.example.gov.vn 2025-10-17 >period17.txt
expect_grep "the task done on 3/10 after that day's digest is in the next one" period17.txt \
	"^  [+] 1\. .* – ngày 03/10/2025"

# --- the daemon down on the digest day (31/10), started two days later -----------------------------
expect_rc 0 "serve --once on Sunday 2/11" env DONDOC_NOW=2025-11-02T10:00 "$DONDOC" serve --once
expect_eq "the missed digest is queued once" "$(sql "SELECT count(*) FROM digest_run WHERE key = '2025-10-31'")" 1
expect_eq "but waits for the working day" "$(digests 2025-11-02)" ""
expect_rc 0 "serve --once on Monday morning" env DONDOC_NOW=2025-11-03T08:30 "$DONDOC" serve --once
expect_eq "then it goes, once each" "$(digests 2025-11-02)" "$ALL"
expect_rc 0 "serve --once later on Monday" env DONDOC_NOW=2025-11-03T15:00 "$DONDOC" serve --once
expect_eq "nothing more" "$(sql "SELECT count(*) FROM digest_run")" 3

# --- a digest day on a holiday (14/11) goes on the next working day (17/11) ------------------------
expect_rc 0 "serve --once on the holiday" env DONDOC_NOW=2025-11-14T09:00 "$DONDOC" serve --once
expect_eq "no digest on the holiday" "$(sql "SELECT count(*) FROM digest_run WHERE key = '2025-11-14'")" 0
expect_eq "nor over the weekend" "$(env DONDOC_NOW=2025-11-16T09:00 "$DONDOC" serve --once >/dev/null 2>&1; sql "SELECT count(*) FROM digest_run")" 3
# This time the server refuses the [digest] to address for good.
smtpd_start --require-tls --auth dondoc:s3cret --reject vanphong@tinhuy.example.gov.vn
expect_rc 0 "serve --once on the next working day" env DONDOC_NOW=2025-11-17T09:00 "$DONDOC" serve --once
expect_eq "it goes then, once each (the refused address aside)" "$(digests 2025-11-17)" \
	"dung@vptu.example.gov.vn:1 hoa@vptu.example.gov.vn:1 lam@vptu.example.gov.vn:1"
expect_eq "its run is keyed by the RRULE's day" "$(sql "SELECT key || '=' || period_from FROM digest_run ORDER BY id DESC LIMIT 1")" \
	"2025-11-14=2025-11-02"
run "$DONDOC" outbox list --json
expect_eq "the refused address's digest is dead, not sent elsewhere" \
	"$(json '[(m["channel"], m["state"]) for m in j if m.get("address") and m["created_at"].startswith("2025-11-17")]')" \
	'[["email", "dead"]]'
expect_rc 0 "the alert goes in the next pass" env DONDOC_NOW=2025-11-17T09:30 "$DONDOC" serve --once
$PY - <<'PY' >alert.txt
import email, email.policy, glob
for f in sorted(glob.glob("mail/*.eml")):
    m = email.message_from_binary_file(open(f, "rb"), policy=email.policy.default)
    text = m.get_body(("plain",)).get_content()
    if "vanphong@tinhuy.example.gov.vn" in text and m["to"].addresses[0].addr_spec.startswith("dung@"):
        print("alert", "báo cáo tổng hợp định kỳ" in text, "Các nhiệm vụ" in text)
PY
expect_eq "the secretariat is told it was the digest, no task list" "$(cat alert.txt)" "alert True False"

# --- asked for on a Saturday: an answer, not held for Monday ------------------------------------
expect_rc 0 "digest --send --to on Saturday 22/11" env DONDOC_NOW=2025-11-22T10:00 "$DONDOC" digest --send --to lam@vptu.example.gov.vn
expect_rc 0 "serve --once that Saturday" env DONDOC_NOW=2025-11-22T10:01 "$DONDOC" serve --once
expect_eq "it goes at once" "$(digests 2025-11-22)" "lam@vptu.example.gov.vn:1"

# --- the clock set back to 14/11 with the schedule moved to Thursdays: 13/11 is no digest ----------
cp sched/policy.ini policy.keep
sed 's/^rrule = .*/rrule = FREQ=WEEKLY;BYDAY=TH/' policy.keep >sched/policy.ini
expect_rc 0 "serve --once on 14/11 with a Thursday schedule" env DONDOC_NOW=2025-11-14T10:00 "$DONDOC" serve --once
expect_eq "no digest for 13/11, older than the last one sent" "$(sql "SELECT count(*) FROM digest_run WHERE key IS NOT NULL")" 4
cp policy.keep sched/policy.ini

# --- the address refused on 17/11 is in the next digest (its period: 17/11 to 27/11) ---------------
expect_rc 0 "serve --once on 28/11" env DONDOC_NOW=2025-11-28T09:00 "$DONDOC" serve --once
in_period dung@vptu.example.gov.vn 2025-11-28 >/dev/null
$PY - <<'PY' >dead28.txt
import email, email.policy, glob
for f in sorted(glob.glob("mail/*.eml")):
    m = email.message_from_binary_file(open(f, "rb"), policy=email.policy.default)
    names = [p.get_filename() for p in m.iter_attachments()]
    if m["to"].addresses[0].addr_spec.startswith("dung@") and "Bao-cao-tien-do-2025-11-28.xlsx" in names:
        text = m.get_body(("plain",)).get_content()
        part = text[text.index("KHÔNG GỬI ĐƯỢC"):]
        print("dead", "vanphong@tinhuy.example.gov.vn" in part.split("\n\n")[0])
PY
expect_eq "the digest of 28/11 tells the message that died on 17/11" "$(cat dead28.txt)" "dead True"

# --- a new install catches up on no digest day before it -------------------------------------------
export DONDOC_DB="$T/fresh.db"
run "$DONDOC" init
run "$DONDOC" agency add --name "Văn phòng Tỉnh ủy" --code vptu
run "$DONDOC" person add --name "Phạm Thị Dung" --agency vptu --role secretariat --email dung@vptu.example.gov.vn
expect_rc 0 "a new registry first served on Monday 1/12" env DONDOC_NOW=2025-12-01T09:00 "$DONDOC" serve --once
expect_eq "does not send Friday 28/11's digest" "$(sql "SELECT count(*) FROM digest_run")" 0
expect_rc 0 "served on the next digest day, 12/12" env DONDOC_NOW=2025-12-12T09:00 "$DONDOC" serve --once
expect_eq "it sends that one" "$(sql "SELECT key || '=' || period_from FROM digest_run")" "2025-12-12=2025-11-28"

# --- nobody to send to: said once, tried again an hour later, not at each tick; the first
# digest ever, failed on its day, goes when someone is there -------------------------------------
mkdir sched2
grep -v '^to = ' sched/policy.ini >sched2/policy.ini
cp sched/holidays.ics sched2/
sed "s#= $T/sched\$#= $T/sched2#" dondoc.conf >dondoc2.conf
export DONDOC_CONFIG="$T/dondoc2.conf" DONDOC_DB="$T/nobody.db"
run "$DONDOC" init
run "$DONDOC" agency add --name "Văn phòng Tỉnh ủy" --code vptu
: >nobody.log
for at in 09:00 09:05; do
	env DONDOC_NOW=2025-12-12T$at "$DONDOC" serve --once 2>>nobody.log
done
expect_eq "no digest with nobody to send it to" "$(sql "SELECT count(*) FROM digest_run")" 0
expect_eq "said once" "$(grep -c "digest of 2025-12-12 not sent" nobody.log)" 1
expect_rc 0 "a secretariat comes" env DONDOC_NOW=2025-12-12T09:10 "$DONDOC" person add --name "Phạm Thị Dung" --agency vptu --role secretariat --email dung@vptu.example.gov.vn
env DONDOC_NOW=2025-12-12T09:30 "$DONDOC" serve --once 2>>nobody.log
expect_eq "not tried again within the hour" "$(sql "SELECT count(*) FROM digest_run")" 0
expect_rc 0 "served on Monday 15/12" env DONDOC_NOW=2025-12-15T09:00 "$DONDOC" serve --once
expect_eq "the first digest, failed on its day, goes then" "$(sql "SELECT key || '=' || period_from || '..' || period_to FROM digest_run")" \
	"2025-12-12=2025-12-01..2025-12-14"
expect_eq "the failure was said once in all" "$(grep -c "digest of 2025-12-12 not sent" nobody.log err)" "nobody.log:1
err:0"
exit 0

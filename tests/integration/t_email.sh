# Email through a real SMTP server: python3-aiosmtpd on loopback with
# STARTTLS on a certificate made here, and AUTH.  Each received message is
# parsed with Python's email package.  Also: 451 then 250 (one delivery,
# after a retry), 550 for one of two recipients (the other gets it, the
# first is dead and the secretariat told), the server down for a while,
# a wrong password, a server without STARTTLS, send-test and doctor.
. "$(dirname "$0")/../lib.sh"

smtpd_prepare "email"
echo "s3cret-mật-khẩu" >smtp-password

conf() { # STARTTLS PASSWORD_FILE: writes dondoc.conf
	conf_general >dondoc.conf
	cat >>dondoc.conf <<CONF
[smtp]
host = localhost
port = $PORT
starttls = $1
user = dondoc
password_file = $T/$2
from = dondoc@sokhcn.example.gov.vn
from_name = Văn phòng Ban Chỉ đạo tỉnh
ca_file = $T/cert.pem
timeout = 5
CONF
}
conf required smtp-password
export DONDOC_CONFIG="$T/dondoc.conf"
mails() { find mail -name '*.eml' | wc -l | tr -d ' '; }
to_an() { grep -c ' an@syt.example.gov.vn ' mail/envelopes.log; }
state_of() { sqlite3 "$DONDOC_DB" "SELECT state || '|' || attempts FROM message WHERE person_id = $1 ORDER BY id DESC LIMIT 1"; }

# Set up before the days the checks travel to (the history runs forward).
export DONDOC_NOW=2025-09-29T08:00
run "$DONDOC" init
printf "$HDR"'1.\tBáo cáo <b>&"tổng kết"</b> chuyển đổi số\tKế hoạch số 3-KH/BCĐ ngày 2/1/2025\tSở Y tế\t29/9/2025\n2.\tViệc của Sở Nội vụ\tKế hoạch số 3-KH/BCĐ ngày 2/1/2025\tSở Nội vụ\t29/9/2025\n' >t.tsv
run "$DONDOC" import t.tsv
run "$DONDOC" agency add --name "Sở Khoa học và Công nghệ" --code skhcn
expect_rc 0 "a focal point with an email address" "$DONDOC" person add --name "Nguyễn Văn An" --agency syt --role focal --email an@syt.example.gov.vn
expect_rc 0 "a second one, whose address the server refuses" "$DONDOC" person add --name "Trần Văn Bình" --agency snv --role focal --email khongco@snv.example.gov.vn
expect_rc 0 "the secretariat, by email" "$DONDOC" person add --name "Phạm Thị Dung" --agency skhcn --role secretariat --email dung@skhcn.example.gov.vn

# --- doctor and send-test ---------------------------------------------------------------------
smtpd_start --require-tls --auth dondoc:s3cret-mật-khẩu --reject khongco@snv.example.gov.vn
expect_rc 0 "doctor finds everything in order" "$DONDOC" doctor
expect_grep "doctor says the relay answers" out "^ok +email +localhost:$PORT answers \(STARTTLS required, AUTH as dondoc\)"
expect_rc 0 "send-test sends a message" "$DONDOC" send-test --email kiemtra@example.gov.vn
expect_eq "the test message arrived" "$(mails)" 1
expect_grep "it came over TLS, to the address given" mail/envelopes.log "^0001 dondoc@sokhcn.example.gov.vn kiemtra@example.gov.vn tls$"
expect_eq "an email is a 'Thư kiểm tra', not a 'Tin nhắn thử'" "$($PY -c '
import email, email.policy, glob, sys
m = email.message_from_binary_file(open(sorted(glob.glob("mail/*.eml"))[0], "rb"), policy=email.policy.default)
print(m["Subject"].startswith("[Đôn đốc] Thư kiểm tra ngày ") and "Đây là thư kiểm tra của" in m.get_body(("plain",)).get_content())')" True

# --- a reminder by email, parsed back -------------------------------------------------------------
export DONDOC_NOW=2025-09-29T09:00
expect_rc 0 "serve --once sends the reminders" "$DONDOC" serve --once
an=$(sqlite3 "$DONDOC_DB" "SELECT id FROM person WHERE name='Nguyễn Văn An'")
binh=$(sqlite3 "$DONDOC_DB" "SELECT id FROM person WHERE name='Trần Văn Bình'")
expect_eq "An's reminder is sent" "$(state_of "$an")" "sent|1"
f=$(grep -l "an@syt.example.gov.vn" mail/*.eml | head -1)
subject=$(sqlite3 "$DONDOC_DB" "SELECT subject FROM message WHERE person_id=$an")
$PY - "$f" "$subject" >parsed.txt <<'PY'
import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
print("subject-ok" if m["subject"] == sys.argv[2] else "subject-bad %r" % m["subject"])
print("from", m["from"].addresses[0].display_name, m["from"].addresses[0].addr_spec)
print("to", m["to"].addresses[0].display_name, m["to"].addresses[0].addr_spec)
print("type", m.get_content_type())
text = m.get_body(("plain",)).get_content()
html = m.get_body(("html",)).get_content()
print("text-has-title", 'Báo cáo <b>&"tổng kết"</b> chuyển đổi số' in text)
print("html-escaped", "Báo cáo &lt;b&gt;&amp;&quot;tổng kết&quot;&lt;/b&gt; chuyển đổi số" in html)
print("html-raw-tag", "<b>&\"tổng" in html)
print("message-id", bool(m["message-id"]), "date", bool(m["date"]))
PY
expect_grep "the subject decodes to the exact Vietnamese text" parsed.txt "^subject-ok$"
expect_grep "From carries the display name in Vietnamese" parsed.txt "^from Văn phòng Ban Chỉ đạo tỉnh dondoc@sokhcn.example.gov.vn$"
expect_grep "To carries the official's name" parsed.txt "^to Nguyễn Văn An an@syt.example.gov.vn$"
expect_grep "both parts are there (multipart/alternative)" parsed.txt "^type multipart/alternative$"
expect_grep "the title is intact in the text part" parsed.txt "^text-has-title True$"
expect_grep "the title is escaped in the HTML part" parsed.txt "^html-escaped True$"
expect_grep "no raw markup from the title in the HTML part" parsed.txt "^html-raw-tag False$"
expect_grep "Message-ID and Date are set" parsed.txt "^message-id True date True$"

# --- 550 for one of two recipients ------------------------------------------------------------------
expect_eq "the refused address's message is dead" \
	"$(sqlite3 "$DONDOC_DB" "SELECT state || '|' || attempts FROM message WHERE person_id=$binh AND channel='email'")" "dead|1"
expect_grep "its error quotes the server" /dev/stdin "550" <<EOF2
$(sqlite3 "$DONDOC_DB" "SELECT last_error FROM message WHERE person_id=$binh AND channel='email'")
EOF2
expect_eq "the secretariat is told, by email" \
	"$(sqlite3 "$DONDOC_DB" "SELECT m.kind || '|' || m.channel FROM message m JOIN person p ON p.id = m.person_id WHERE p.name = 'Phạm Thị Dung'")" "alert|email"
expect_eq "the refused address is marked broken" \
	"$(broken email "$binh")" 1
expect_rc 0 "the alert and the fallback go out in the next pass" "$DONDOC" serve --once
expect_eq "the secretariat's alert is delivered" "$(grep -l 'dung@skhcn' mail/*.eml | wc -l | tr -d ' ')" 1
expect_eq "Bình's reminder went again through the file channel, and was sent" \
	"$(sqlite3 "$DONDOC_DB" "SELECT group_concat(channel || ':' || state) FROM message WHERE person_id=$binh ORDER BY id")" \
	"email:dead,file:sent"
expect_eq "its notices followed it and are sent" \
	"$(sqlite3 "$DONDOC_DB" "SELECT DISTINCT state FROM notice WHERE person_id=$binh")" sent
expect_eq "the fallback's file is in the outbox" "$(ls outbox/*-"$binh".txt 2>/dev/null | wc -l | tr -d ' ')" 1

# --- 451 then 250: delivered once, after a retry --------------------------------------------------
smtpd_start --require-tls --auth dondoc:s3cret-mật-khẩu --fail-data 451:1
printf "$HDR"'1.\tViệc gửi lại\tKế hoạch số 3-KH/BCĐ ngày 2/1/2025\tSở Y tế\t30/9/2025\n' >t2.tsv
run "$DONDOC" import t2.tsv
before=$(to_an)
expect_rc 0 "serve --once meets a 451" env DONDOC_NOW=2025-09-30T09:00 "$DONDOC" serve --once
expect_eq "after the 451 the message waits, pending, one attempt made" "$(state_of "$an")" "pending|1"
expect_eq "nothing arrived for An yet" "$(to_an)" "$before"
expect_rc 0 "serve --once an hour later" env DONDOC_NOW=2025-09-30T10:00 "$DONDOC" serve --once
expect_eq "then it is sent, on the second attempt" "$(state_of "$an")" "sent|2"
expect_eq "and arrived exactly once" "$(to_an)" $((before + 1))

# --- the server down for a while ---------------------------------------------------------------------
smtpd_stop
printf "$HDR"'1.\tViệc khi máy chủ thư nghỉ\tKế hoạch số 3-KH/BCĐ ngày 2/1/2025\tSở Y tế\t1/10/2025\n' >t3.tsv
run "$DONDOC" import t3.tsv
expect_rc 0 "serve --once with the server down" env DONDOC_NOW=2025-10-01T09:00 "$DONDOC" serve --once
expect_eq "the message waits" "$(state_of "$an")" "pending|1"
expect_grep "the reason is that the server cannot be reached" /dev/stdin "cannot connect" <<EOF2
$(sqlite3 "$DONDOC_DB" "SELECT last_error FROM message WHERE person_id=$an ORDER BY id DESC LIMIT 1")
EOF2
smtpd_start --require-tls --auth dondoc:s3cret-mật-khẩu
before=$(to_an)
expect_rc 0 "serve --once when the server is back" env DONDOC_NOW=2025-10-01T11:00 "$DONDOC" serve --once
expect_eq "the message goes out when the server returns" "$(state_of "$an")" "sent|2"
expect_eq "once" "$(to_an)" $((before + 1))

# --- a wrong password ---------------------------------------------------------------------------------
echo "sai-mat-khau" >wrong-password
conf required wrong-password
printf "$HDR"'1.\tViệc với mật khẩu sai\tKế hoạch số 3-KH/BCĐ ngày 2/1/2025\tSở Y tế\t2/10/2025\n' >t4.tsv
run "$DONDOC" import t4.tsv
expect_rc 0 "serve --once with a wrong password" env DONDOC_NOW=2025-10-02T09:00 "$DONDOC" serve --once
expect_eq "the message is kept for a retry, not lost" "$(state_of "$an")" "pending|1"
expect_grep "the error points at the credentials" /dev/stdin "check \[smtp\] user and password" <<EOF2
$(sqlite3 "$DONDOC_DB" "SELECT last_error FROM message WHERE person_id=$an ORDER BY id DESC LIMIT 1")
EOF2
expect_rc 75 "send-test with a wrong password says it may work later" "$DONDOC" send-test --email kiemtra@example.gov.vn
expect_grep "send-test names the problem" err "check \[smtp\] user and password"

# --- a server that does not offer STARTTLS ------------------------------------------------------------
conf required smtp-password
smtpd_start --no-starttls --auth dondoc:s3cret-mật-khẩu
expect_rc 75 "send-test to a server without STARTTLS fails, for now" "$DONDOC" send-test --email kiemtra@example.gov.vn
expect_grep "the error says STARTTLS is missing" err "does not offer STARTTLS"
# starttls = optional: a server without STARTTLS gets the message in clear.
conf optional smtp-password
expect_rc 0 "with starttls = optional the same server takes the message" "$DONDOC" send-test --email khongtls@example.gov.vn
expect_grep "it went in clear" mail/envelopes.log "khongtls@example.gov.vn plain$"
# starttls = off: never TLS, even when offered (a relay that needs no AUTH).
smtpd_start
conf off smtp-password
expect_rc 0 "with starttls = off a message goes" "$DONDOC" send-test --email tatls@example.gov.vn
expect_grep "it went in clear although TLS was offered" mail/envelopes.log "tatls@example.gov.vn plain$"
expect_rc 78 "doctor with a configuration file that is not there exits 78" "$DONDOC" --config "$T/nowhere.conf" doctor
exit 0

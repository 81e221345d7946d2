# Reminders over Zalo (issue 14 step 2, items 1 and 3) against the fake
# Zalo server (tests/fake_zalo.py) and tests/smtpd.py, through
# "dondoc serve --once" at DONDOC_NOW: a reminder as a consultation
# message (plain text, NFC, within 2000 code points less a margin of 100, a long list cut between
# tasks, its message id kept); a token Zalo refuses (-216) refreshed once
# and the message sent once; -230 (out of the window) marks the person's
# Zalo refused, the reminder goes by email, the secretariat is told and
# the email address is left alone; a person out of the window with a
# phone gets the ZNS wake-up instead; a ZNS refused (-118) or the day's
# quota spent (-144) sends the reminder by email, and no ZNS is tried
# again that day.
. "$(dirname "$0")/../lib.sh"

smtpd_prepare "zalo sends"
smtpd_start --no-starttls
fake_zalo_start
if ! [ -n "$ZAPI" ] || ! curl -s -o /dev/null "$ZAPI/control/state"; then
	fail "the fake Zalo server starts" "$(cat fakez.log)"
	exit 0
fi
{
	conf_general tick=1
	conf_zalo
	printf '[smtp]\nhost = 127.0.0.1\nport = %s\nstarttls = off\nfrom = dondoc@example.gov.vn\n' "$PORT"
} >dondoc.conf
export DONDOC_CONFIG="$T/dondoc.conf"

# mails: [recipient, subject, plain body] of every email received, in order, as JSON in out.
mails() {
	$PY -c 'import email, glob, json
from email import policy
ms = [email.message_from_bytes(open(f, "rb").read(), policy=policy.default) for f in sorted(glob.glob("mail/*.eml"))]
print(json.dumps([(m["To"].addresses[0].addr_spec, str(m["Subject"]), m.get_body(("plain",)).get_content()) for m in ms]))' >out
}
# outbox: the outbox (outbox list --json) in out.
outbox() { "$DONDOC" outbox list --json >out; }

export DONDOC_NOW=2025-09-26T09:00
run "$DONDOC" init
{
	printf "$HDR"
	n=1
	for a in "Sở Y tế" "Sở Nội vụ" "Sở Tài chính" "Sở Tư pháp" "Sở Xây dựng" "Sở Công Thương"; do
		printf '%d.\tBáo cáo số %d về chuyển đổi số & cải cách <hành chính>\t%s\t%s\t30/9/2025\n' \
			"$n" "$n" "$DOC" "$a"
		n=$((n + 1))
	done
	# A long list for one person: 30 tasks of about 150 characters each.
	for i in $(seq 1 30); do
		printf '%d.\tNhiệm vụ số %d về chuyển đổi số, cải cách hành chính và phát triển khoa học công nghệ của tỉnh trong giai đoạn 2025-2030 và các nội dung liên quan\t%s\tSở Giao thông vận tải\t30/9/2025\n' \
			"$n" "$i" "$DOC"
		n=$((n + 1))
	done
} >tasks.tsv
expect_rc 0 "import the tasks" "$DONDOC" import tasks.tsv
run "$DONDOC" agency add --name "Văn phòng UBND tỉnh" --code vpubnd
# 1 An: in the window.  2 Dung: the secretariat, by email.  3 Cường: in the
# window by dondoc's count, but Zalo says -230.  4 Bình: out of the window,
# with a phone (ZNS).  5 Em: out, a phone without Zalo (-118).  6 Giang and
# 7 Hải: out, when the ZNS quota runs out.  8 Hoa: in, with 30 tasks.
run "$DONDOC" person add --name "Nguyễn Văn An" --agency syt --role focal --zalo 1001 --email an@example.gov.vn
run "$DONDOC" person add --name "Phạm Thị Dung" --agency vpubnd --role secretariat --email dung@example.gov.vn
run "$DONDOC" person add --name "Lê Văn Cường" --agency snv --role focal --zalo 1003 --email cuong@example.gov.vn
run "$DONDOC" person add --name "Trần Thị Bình" --agency stc --role focal --zalo 1004 --phone 0912000004 --email binh@example.gov.vn
run "$DONDOC" person add --name "Đỗ Văn Em" --agency stp --role focal --zalo 1005 --phone 0912000005 --email em@example.gov.vn
run "$DONDOC" person add --name "Vũ Thị Giang" --agency sxd --role focal --zalo 1006 --phone 0912000006 --email giang@example.gov.vn
run "$DONDOC" person add --name "Bùi Văn Hải" --agency sct --role focal --zalo 1007 --phone 0912000007 --email hai@example.gov.vn
run "$DONDOC" person add --name "Hoàng Thị Hoa" --agency sgtvt --role focal --zalo 1008
expect_rc 0 "zalo set-token" "$DONDOC" zalo set-token "$ZALO_R0"
# The window opens with a person's message to the OA.  No inbound webhook
# here: the time of their last message is written as the webhook records
# it (the webhook's own test sends the message for real).
sql "UPDATE address SET last_in = strftime('%s', '2025-09-28T10:00:00') WHERE channel = 'zalo' AND value IN ('1001', '1003', '1008')"
zalo_ctl user '{"user_id": "1003", "error": -230}'
zalo_ctl zns_phone '{"phone": "84912000005", "error": -118}'
# Bình's wake-up is the day's last one the quota allows.
zalo_ctl zns_quota '{"quota": 1, "used": 0}'

# --- Monday 29/09: the reminders of the tasks due on Tuesday --------------------------------------
expect_rc 0 "serve --once on Monday 29/09 at 09:00" env DONDOC_NOW=2025-09-29T09:00 "$DONDOC" serve --once
# What falls back to another channel goes at the next tick.
expect_rc 0 "serve --once on Monday 29/09 at 09:01" env DONDOC_NOW=2025-09-29T09:01 "$DONDOC" serve --once
zalo_calls cs
expect_eq "consultation messages went to An and Hoa (in the window) and were tried for Cường, no one else" \
	"$(json 'sorted(set(c["params"]["recipient"]["user_id"] for c in j))')" '["1001", "1003", "1008"]'
zalo_sent 1
expect_eq "An's reminder: one plain-text message naming the task, with its text as written" \
	"$(json '[(m["text"].count("<b>"), "&amp;" in m["text"], "Báo cáo số 1 về chuyển đổi số & cải cách <hành chính>" in m["text"]) for m in j if m["user_id"] == "1001"]')" \
	'[[0, false, true]]'
expect_eq "the message id Zalo gave is kept for replies that quote it" \
	"$(sql "SELECT chat_message_id FROM chat_sent WHERE channel = 'zalo' AND chat_id = '1001'")" \
	"$(json '[m["message_id"] for m in j if m["user_id"] == "1001"][0]')"
expect_eq "Hoa's reminder of 30 tasks: several messages, NFC, each within 1900 code points (2000 less a margin), cut between tasks, all 30 in order" \
	"$(json '(lambda ps: [len(ps) > 1, all(len(p) <= 1900 and __import__("unicodedata").is_normalized("NFC", p) for p in ps), all(len(__import__("re").findall(r"\] Nhiệm vụ số \d+ về[^\n]*\n[^\n]*\n[^\n]*tiến độ \d+%", p)) == p.count("] Nhiệm vụ số") for p in ps), [int(x) for p in ps for x in __import__("re").findall(r"Nhiệm vụ số (\d+) về", p)] == list(range(1, 31))])([m["text"] for m in j if m["user_id"] == "1008"])')" \
	'[true, true, true, true]'

# -230: out of the window after all.
expect_eq "-230 marks Cường's Zalo refused" "$(broken zalo 3)" 1
expect_eq "and leaves his email alone" "$(broken email 3)" 0
mails
expect_eq "Cường's reminder goes by email instead" \
	"$(json '[("Báo cáo số 2" in b) for (to, s, b) in j if to == "cuong@example.gov.vn"]')" '[true]'
expect_eq "the secretariat is told Cường could not be reached on Zalo, and why" \
	"$(json '[("Lê Văn Cường" in b and "Zalo" in b and "-230" in b) for (to, s, b) in j if to == "dung@example.gov.vn"].count(True)')" 1

# ZNS: the wake-up of those out of the window.
zalo_calls zns
zalo_zns_sent 1
expect_eq "Bình gets the ZNS wake-up on her phone: her name, one task, today, the template" \
	"$(json '[(m["phone84"], m["template_id"], m["template_data"]) for m in j]')" \
	'[["84912000004", "412345", {"ten_can_bo": "Trần Thị Bình", "so_nhiem_vu": "1", "ngay": "29/09/2025"}]]'
expect_eq "with a tracking id naming the message" \
	"$(json '[__import__("re").fullmatch(r"dondoc-[0-9a-f]{16}-[0-9]+", m["tracking_id"]) is not None for m in j]')" '[true]'
mails
expect_eq "and no email: the wake-up is her reminder" \
	"$(json '[to for (to, s, b) in j if to == "binh@example.gov.vn"]')" '[]'
zalo_calls zns
expect_eq "-118 (no Zalo account): Em's reminder goes by email" \
	"$(json '[c["response"]["error"] for c in j if c["params"]["phone"] == "84912000005"]')|$(mails; json '[("Báo cáo số 4" in b) for (to, s, b) in j if to == "em@example.gov.vn"]')" \
	'[-118]|[true]'
expect_eq "and marks his phone refused, not his email" "$(broken phone 5):$(broken email 5)" "1:0"
zalo_calls zns
expect_eq "the quota: one of Giang and Hải got -144, the other was not tried the same day" \
	"$(json 'sorted(c["response"]["error"] for c in j if c["params"]["phone"] in ("84912000006", "84912000007"))')" \
	'[-144]'
mails
expect_eq "both got their reminder by email" \
	"$(json 'sorted(to for (to, s, b) in j if to in ("giang@example.gov.vn", "hai@example.gov.vn") and ("Báo cáo số 5" in b or "Báo cáo số 6" in b))')" \
	'["giang@example.gov.vn", "hai@example.gov.vn"]'
outbox
expect_eq "the outbox says why: ZNS's quota" \
	"$(json '[m["last_error"] for m in j if m["channel"] == "zns" and m["state"] == "dead" and m["person_id"] in (6, 7)]')" \
	'["ZNS: -144 OA has exceeded the daily quota", "ZNS'"'"'s daily quota is spent for 2025-09-29 (-144)"]'
expect_eq "a quota is no phone's fault: Giang's and Hải's phones still work" "$(broken phone 6):$(broken phone 7)" "0:0"

# Later the same day: a new message for Hải is not even queued for ZNS.
export DONDOC_NOW=2025-09-29T14:00
printf "$HDR"'1.\tViệc mới của Sở Công Thương\t%s\tSở Công Thương\t30/9/2025\n' "$DOC" >new.tsv
expect_rc 0 "import a new task for Hải's agency" "$DONDOC" import new.tsv
expect_rc 0 "remind --dry-run --json the same afternoon" "$DONDOC" remind --dry-run --json
expect_eq "Hải's new reminder would go by email, not ZNS (the quota is spent today)" \
	"$(json 'sorted(set(r["channel"] for r in j if r["person_id"] == 7))')" '["email"]'

# --- Tuesday 30/09: -216, a token Zalo no longer accepts ------------------------------------------
# Refreshed by hand first, so that dondoc's own refresh ahead of time
# (half the token's life) is not what renews it.
expect_rc 0 "zalo refresh on Tuesday at 08:00" env DONDOC_NOW=2025-09-30T08:00 "$DONDOC" zalo refresh
zalo_ctl expire '{"revoke": true}'
zalo_ctl reset
zalo_ctl zns_quota '{"quota": 500, "used": 0}'
zalo_tokens
before=$(json 'j["refreshes"]')
expect_rc 0 "serve --once on Tuesday 30/09 at 09:00" env DONDOC_NOW=2025-09-30T09:00 "$DONDOC" serve --once
zalo_calls cs
expect_eq "An's reminder: refused once with -216, then sent with a new token" \
	"$(json '[c["response"]["error"] for c in j if c["params"]["recipient"]["user_id"] == "1001"]')" '[-216, 0]'
zalo_tokens
expect_eq "one refresh for it" "$(($(json 'j["refreshes"]') - before))" 1
zalo_sent 1
expect_eq "delivered once" "$(json '[m["user_id"] for m in j].count("1001")')" 1
zalo_zns_sent 1
expect_eq "a new day: ZNS is tried again, and wakes Giang and Hải" \
	"$(json 'sorted(m["phone84"] for m in j if m["phone84"] in ("84912000006", "84912000007"))')" \
	'["84912000006", "84912000007"]'
expect_eq "Cường, refused on Zalo, is not tried there again" \
	"$(zalo_calls cs; json '[c for c in j if c["params"]["recipient"]["user_id"] == "1003"]')" '[]'
exit 0

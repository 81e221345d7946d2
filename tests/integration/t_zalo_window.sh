# Zalo's interaction window as the secretariat sees it (issue 14 step 2
# item 2): a person with a Zalo id who has not written to the OA within
# [zalo] window (7 days) shows "closed" in person list (and only they in
# --zalo-closed), doctor counts and names them, the digest lists them
# (and not one who wrote within the window); the window is the config's.
# With a Zalo channel in the build, a reminder to someone out of the
# window goes another way and asks them to write to the OA again, and one
# to someone within it goes to Zalo and says nothing of it.
. "$(dirname "$0")/../lib.sh"

fake_zalo_start
{ conf_general; conf_zalo; } >dondoc.conf
export DONDOC_CONFIG="$T/dondoc.conf"
export DONDOC_NOW=2025-09-22T08:00
expect_rc 0 "init" "$DONDOC" init
printf "$HDR"'1.\tBáo cáo chuyển đổi số\t%s\tSở Y tế\t30/9/2025\n2.\tViệc của Sở Nội vụ\t%s\tSở Nội vụ\t30/9/2025\n' "$DOC" "$DOC" >t.tsv
run "$DONDOC" import t.tsv
expect_rc 0 "An: Zalo and email" "$DONDOC" person add --name "Nguyễn Văn An" --agency syt --role focal \
	--email an@syt.example.gov.vn
run "$DONDOC" person set 1 --zalo 7360081927781154023
expect_rc 0 "Bình: Zalo and email" "$DONDOC" person add --name "Trần Văn Bình" --agency snv --role focal \
	--email binh@snv.example.gov.vn --zalo 7360081927781154024
expect_rc 0 "Cường: email only" "$DONDOC" person add --name "Lê Văn Cường" --agency snv --role head \
	--email cuong@snv.example.gov.vn
# No inbound webhook on this branch yet: their last message to the OA is
# written straight into the registry, as the webhook would record it
# (store_address_seen). An wrote on 22/9 10:00, Bình on 29/9 08:00.
sql "UPDATE address SET last_in = strftime('%s', '2025-09-22 03:00:00') WHERE channel = 'zalo' AND person_id = 1"
sql "UPDATE address SET last_in = strftime('%s', '2025-09-29 01:00:00') WHERE channel = 'zalo' AND person_id = 2"

# window ID: person ID's zalo_window and zalo_last_in, as person list --json shows them.
window() { "$DONDOC" person list --json >out && json "[(p['zalo_window'], p['zalo_last_in'] is not None) for p in j if p['id'] == $1][0]"; }

# --- within the window: open ---------------------------------------------------------------
export DONDOC_NOW=2025-09-29T09:00
expect_eq "An wrote a week ago less an hour: open" "$(window 1)" '["open", true]'
expect_eq "Bình wrote an hour ago: open" "$(window 2)" '["open", true]'
expect_eq "Cường has no Zalo: null" "$(window 3)" '[null, false]'
expect_rc 0 "person list --zalo-closed" "$DONDOC" person list --zalo-closed --json
expect_eq "nobody is out of the window" "$(json 'len(j)')" 0
"$DONDOC" doctor >out 2>err
expect_grep "doctor: everyone on Zalo within the window" out "^ok +zalo-window +all 2 people on Zalo wrote to the OA within its 7-day window$"

# --- 8 days on: An is out, Bình is not ----------------------------------------------------
export DONDOC_NOW=2025-09-30T09:00
expect_eq "An, 8 days after his last message: closed" "$(window 1)" '["closed", true]'
expect_eq "Bình, a day after: open" "$(window 2)" '["open", true]'
expect_eq "An's last message, as person list shows it" \
	"$(json "[p['zalo_last_in'] for p in j if p['id'] == 1][0]")" "2025-09-22T10:00:00+07:00"
expect_rc 0 "person list --zalo-closed" "$DONDOC" person list --zalo-closed --json
expect_eq "--zalo-closed lists An alone" "$(json '[p["name"] for p in j]')" '["Nguyễn Văn An"]'
expect_rc 0 "person list --zalo-closed (table)" "$DONDOC" person list --zalo-closed
expect_grep "the table counts 1, out of the Zalo window" out "^1 người ngoài cửa sổ Zalo"
expect_grep "the table says when his window closed" out "đóng từ 29/9/2025"
expect_no_grep "the table leaves Bình out" out "Trần Văn Bình"
"$DONDOC" doctor >out 2>err
expect_grep "doctor counts and names An" out \
	"^info zalo-window +1 of 2 people on Zalo is out of its 7-day window .*: Nguyễn Văn An \(1\);"

# The digest names An, not Bình (nor Cường, who has no Zalo).
expect_rc 0 "digest --preview --text" "$DONDOC" digest --preview d.html --text d.txt
expect_grep "the digest's text has the section, with the count" d.txt \
	"^NGOÀI CỬA SỔ ZALO \(chưa nhắn tin cho Zalo OA trong 7 ngày qua"
expect_grep "it names An with his last message" d.txt "^- Nguyễn Văn An \(Sở Y tế\), nhắn tin lần cuối ngày 22/09/2025$"
expect_no_grep "it leaves Bình out" d.txt "Trần Văn Bình"
expect_grep "the HTML names An too" d.html "Nguyễn Văn An \\(Sở Y tế\\), nhắn tin lần cuối ngày 22/09/2025"

# Refused (how the Zalo channel marks a window's refusal, until he writes
# again): closed too. Bình writes within the window: not listed.
sql "UPDATE address SET broken_at = strftime('%s', '2025-09-30 01:00:00') WHERE channel = 'zalo' AND person_id = 1"
expect_eq "a refused Zalo: closed" "$(window 1)" '["closed", true]'
sql "UPDATE address SET broken_at = 0 WHERE channel = 'zalo' AND person_id = 1"
# Bình gone from Zalo (no id): the digest still lists An, not him.
run "$DONDOC" person set 2 --zalo ''
expect_eq "no Zalo id: null" "$(window 2)" '[null, false]'
expect_rc 0 "digest --preview --text" "$DONDOC" digest --preview d.html --text d.txt
expect_grep "the digest counts 1" d.txt "nhận lại\\): 01 người$"
run "$DONDOC" person set 2 --zalo 7360081927781154024
sql "UPDATE address SET last_in = strftime('%s', '2025-09-29 01:00:00') WHERE channel = 'zalo' AND person_id = 2"

# The window is the configuration's: with 1 day, Bình (25 hours ago) is out too.
{ conf_general; conf_zalo window=1d; } >dondoc.conf
expect_eq "with window = 1d, Bình is closed" "$(window 2)" '["closed", true]'
"$DONDOC" doctor >out 2>err
expect_grep "doctor says the 1-day window, and names both" out \
	"^info zalo-window +2 of 2 people on Zalo are out of its 1-day window .*: Nguyễn Văn An \\(1\\), Trần Văn Bình \\(2\\);"
{ conf_general; conf_zalo; } >dondoc.conf

# Without [zalo], neither doctor nor the digest speak of it.
conf_general >nozalo.conf
DONDOC_CONFIG="$T/nozalo.conf" "$DONDOC" doctor >out 2>err
expect_no_grep "no [zalo]: no zalo-window line" out "zalo-window"
DONDOC_CONFIG="$T/nozalo.conf" "$DONDOC" digest --preview d.html --text d.txt >out 2>err
expect_no_grep "no [zalo]: no Zalo section in the digest" d.txt "NGOÀI CỬA SỔ ZALO"

# --- the reminders: another way, with the line that reopens Zalo --------------------------
# Zalo is always built in: a doctor without it is a defect, not a build to skip.
"$DONDOC" doctor >out 2>err
expect_grep "doctor lists the Zalo channel" out '^ok +channels +.*zalo'
expect_rc 0 "the OA's refresh token" "$DONDOC" zalo set-token "$ZALO_R0"
expect_rc 0 "serve --once sends the day's reminders" "$DONDOC" serve --once
an_file=$(grep -l "Nguyễn Văn An" outbox/*.txt 2>/dev/null | head -1)
if [ -n "$an_file" ]; then
	pass "An's reminder went another way (the file channel)"
else
	fail "An's reminder went another way (the file channel)" "$(ls outbox)"
fi
expect_grep "it asks him to write to the OA, with the window in days" "${an_file:-/dev/null}" \
	"^Zalo: đồng chí chưa nhắn tin cho Hệ thống đôn đốc qua Zalo$"
expect_grep "and how: any message, /viec" "${an_file:-/dev/null}" "nhắn một tin bất kỳ \\(ví dụ /viec\\)"
zalo_sent 1
expect_grep "Bình's reminder went to Zalo" out "7360081927781154024"
expect_no_grep "it says nothing of reopening Zalo" out "tin bất kỳ"

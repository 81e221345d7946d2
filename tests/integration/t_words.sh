# The words officials and the secretariat read (issue 12, item 4), through
# the real binary: the formal wording of messages (dates dd/mm/yyyy, counts
# "02 nhiệm vụ", a generic co-lead in lower case, a done task's day),
# reminders to someone with no chat linked that give no command they
# cannot send, "dondoc chat" printing what the phone shows, and the CLI's
# human output in Vietnamese with English plurals right.
. "$(dirname "$0")/../lib.sh"

mkdir -p conf
conf_general tick=1 >conf/dondoc.conf
export DONDOC_CONFIG="$T/conf/dondoc.conf"
D=$DONDOC

at() { # DONDOC_NOW for one command: at TIME CMD...
	t=$1
	shift
	env DONDOC_NOW="$t" "$@"
}
msg_of() { # the outbox file of the message of kind KIND to person ID
	grep -l "^Kind: $2\$" "$T"/outbox/*-"$1".txt 2>/dev/null | head -1
}

# --- setup, before the days the checks travel to ----------------------------------------------
run at 2025-09-01T08:00 "$D" init
printf "$HDR"'1.\tViệc quá hạn có phối hợp\t%s\tSở Y tế; Các sở, ban, ngành\t30/9/2025\n2.\tViệc quá hạn thứ hai\t%s\tSở Y tế\t30/9/2025\n3.\tViệc của Sở Tài chính\t%s\tSở Tài chính\t30/9/2025\n' \
	"$DOC" "$DOC" "$DOC" >tasks.tsv
expect_rc 0 "import three tasks" at 2025-09-01T08:00 "$D" import tasks.tsv
expect_grep "the summary counts in English that reads right (3 agencies)" out \
	': 3 dòng: thêm 3 nhiệm vụ, cập nhật 0, không đổi 0; thêm 3 cơ quan; 0 dòng có lỗi, 0 cảnh báo$'
printf "$HDR"'4.\tViệc của Sở Nội vụ\t%s\tSở Nội vụ\t31/12/2025\n' "$DOC" >more.tsv
expect_rc 0 "import one more task" at 2025-09-01T08:00 "$D" import more.tsv
expect_grep "one of each: 1 row, 1 task, 1 agency, 1 warning or not" out \
	': 1 dòng: thêm 1 nhiệm vụ, cập nhật 0, không đổi 0; thêm 1 cơ quan; 0 dòng có lỗi, 0 cảnh báo$'
expect_rc 0 "An, focal point of Sở Y tế, by email only" \
	at 2025-09-01T08:00 "$D" person add --name "Nguyễn Văn An" --agency syt --role focal --email an@example.gov.vn
an=$(sqlite3 "$DONDOC_DB" "SELECT id FROM person WHERE name='Nguyễn Văn An'")
expect_rc 0 "Bình, focal point of Sở Tài chính" \
	at 2025-09-01T08:00 "$D" person add --name "Trần Văn Bình" --agency stc --role focal
binh=$(sqlite3 "$DONDOC_DB" "SELECT id FROM person WHERE name='Trần Văn Bình'")
expect_rc 0 "the head of Sở Y tế" at 2025-09-01T08:00 "$D" person add --name "Lê Thị Cúc" --agency syt --role head
cuc=$(sqlite3 "$DONDOC_DB" "SELECT id FROM person WHERE name='Lê Thị Cúc'")
run at 2025-09-01T08:00 "$D" person invite "$binh"
code=$(sed -n 's/^Mã liên kết: \([A-Z0-9]*\) .*/\1/p' out)
expect_rc 0 "Bình links his Telegram chat" at 2025-09-01T08:01 "$D" chat --telegram 2001 "/start $code"

# --- the CLI in the secretariat's words -------------------------------------------------------
run at 2025-09-01T09:00 "$D" person list
expect_grep "person list names the role in Vietnamese" out "Nguyễn Văn An +syt +cán bộ đầu mối"
expect_no_grep "and not as the identifier" out " focal "
run at 2025-09-01T09:00 "$D" agency list
expect_grep "agency list names the kind in Vietnamese" out "Sở Y tế +sở, ban, ngành"
run at 2025-09-19T09:00 "$D" remind --dry-run
expect_grep "remind --dry-run dates the notices d/m/yyyy" out " 19/9/2025 "
expect_no_grep "and never in ISO" out "2025-09-19"
expect_grep "its steps in Vietnamese" out "nhắc trước hạn"
expect_grep "its summary in Vietnamese, as its table" out "^chạy thử: [0-9]+ lời nhắc sẽ được đưa vào hàng gửi \(đã xét 4 nhiệm vụ\)$"

# --- 07/10/2025: the overdue nag, and the head told -------------------------------------------
# Every day from the first reminder, so that what is sent is what the policy says.
for day in 2025-09-19 2025-09-25 2025-09-29 2025-09-30 2025-10-01 2025-10-06 2025-10-07; do
	run at "${day}T09:00" "$D" serve --once
done
f=$(grep -l '^Subject: .*đã quá hạn' "$T"/outbox/*-"$an".txt 2>/dev/null | tail -1)
expect_grep "An's overdue nag, as the secretariat writes it" "${f:-/dev/null}" \
	"^Tính đến ngày 0[0-9]/10/2025, đồng chí còn 02 nhiệm vụ đã quá hạn nhưng$"
expect_grep "  and goes on 'cụ thể như sau:'" "${f:-/dev/null}" "^chưa báo cáo kết quả, cụ thể như sau:$"
expect_grep "the deadline's day in two digits" "${f:-/dev/null}" "ngày 30/09/2025"
expect_no_grep "An has no chat: no command he cannot send" "${f:-/dev/null}" "/xong|/tiendo|/giahan"
expect_no_grep "and, with no chat channel, not a word of chat" "${f:-/dev/null}" "tin nhắn|Telegram|/start"
g=$(msg_of "$binh" reminder)
expect_grep "Bình, whose chat is linked, gets the commands" "${g:-/dev/null}" "/xong 3"
h=$(msg_of "$cuc" escalation)
expect_grep "the head is told the lead agencies, a generic co-lead in lower case" "${h:-/dev/null}" \
	"Chủ trì: Sở Y tế; các sở, ban, ngành$"
expect_grep "the head's message counts in two digits" "${h:-/dev/null}" "^Subject: .*Sở Y tế: 02 nhiệm vụ"

run at 2025-10-07T10:00 "$D" task show 1
expect_grep "task show says the days overdue are working days (5, as the messages count)" out \
	'^Quá hạn: +5 ngày làm việc$'
expect_no_grep "task show never says plain days" out '^Quá hạn: +[0-9]+ ngày$'

# --- 09/10/2025: "dondoc chat" prints what the phone shows -------------------------------------
expect_rc 0 "Bình reports task 3 done" at 2025-10-09T09:00 "$D" chat --telegram 2001 /xong 3
expect_grep "the answer ends as the wording table says" out \
	"^Hệ thống sẽ dừng nhắc việc đối với nhiệm vụ này. Trân trọng cảm ơn đồng chí.$"
expect_no_grep "what the phone shows has no markup" out "<b>|&lt;|&amp;"
expect_no_grep "nor the email's greeting" out "Kính gửi"
expect_rc 0 "/viec --format chat" at 2025-10-09T09:01 "$D" chat --format chat --telegram 2001 /viec
expect_grep "--format chat prints Telegram's HTML as sent" out "<b>|<code>"
expect_rc 0 "/viec --format text" at 2025-10-09T09:01 "$D" chat --format text --telegram 2001 /viec
expect_grep "--format text prints the email text" out "^Kính gửi đồng chí Trần Văn Bình"
expect_rc 64 "--format of no such form" at 2025-10-09T09:01 "$D" chat --format pdf --telegram 2001 /viec
expect_grep "refused with one line naming the forms" err "--format takes phone, chat or text, not 'pdf'"

run at 2025-10-09T10:00 "$D" task show 3
expect_grep "task show's history reads in Vietnamese" out \
	"9/10/2025 09:00  Trần Văn Bình \(telegram\)  trạng thái: Chưa thực hiện → Hoàn thành"
expect_no_grep "and not in the registry's identifiers" out "not_started|->"
run at 2025-10-09T10:00 "$D" explain 1
expect_grep "explain's steps in Vietnamese" out "nhắc quá hạn"
expect_no_grep "explain says no 'before' nor 'cancelled'" out " before | cancelled "
run at 2025-10-09T10:00 "$D" outbox list
expect_grep "outbox list: states and kinds in Vietnamese" out "đã gửi +nhắc việc"

expect_rc 0 "the history, replayed, is the registry" at 2025-10-09T10:00 "$D" verify
exit 0

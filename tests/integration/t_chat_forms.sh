# Commands as officials type them (issue 12), through "dondoc chat": a
# trailing full stop, "nhiệm vụ"/"số" before the number, several numbers
# each answered, thanks answered politely, a message not understood quoted
# whole, /duyet refused for the role, lists that say what they leave out
# and page, lowered progress with the figure it had, titles cut, a past
# day named, and the progress button that asks for the figure then takes
# a bare "60".  Answers are read without their markup, so that the test
# holds whether "dondoc chat" prints the chat or the text form.
. "$(dirname "$0")/../lib.sh"

mkdir -p conf
conf_general >conf/dondoc.conf
export DONDOC_CONFIG="$T/conf/dondoc.conf"
D=$DONDOC
SETUP=2025-10-06T09:00
NOW=2025-10-07T09:00

at() { # at TIME CMD...: one command at TIME (Viet Nam), under TZ=UTC
	t=$1
	shift
	env TZ=UTC DONDOC_NOW="$t" "$@"
}
# chat CHAT_ID TEXT...: what that Telegram chat sends at $NOW; the answer, without markup, in said.
chat() {
	c=$1
	shift
	run at "$NOW" "$D" chat --telegram "$c" "$@"
	sed -e 's/<[^>]*>//g' -e 's/&lt;/</g; s/&gt;/>/g; s/&amp;/\&/g' out >said
	return 0
}
# expect_chat WANT_RC NAME CHAT_ID TEXT...: chat, passing when it exits WANT_RC.
expect_chat() {
	want=$1 name=$2
	shift 2
	chat "$@"
	if [ "$rc" = "$want" ]; then
		pass "$name"
	else
		fail "$name" "exit $rc, wanted $want; answer: $(head -c 600 said) $(head -c 300 err)"
	fi
}
person_id() { sqlite3 "$DONDOC_DB" "SELECT id FROM person WHERE name='$1'"; }
task_id() { sqlite3 "$DONDOC_DB" "SELECT id FROM task WHERE title = '$1'"; }
status_of() { at "$NOW" "$D" task show "$1" --json >st.json && $PY -c 'import json,sys; j=json.load(open("st.json")); print(j["status"], j["progress"])'; }
link() { # link PERSON_ID CHAT_ID
	run at "$SETUP" "$D" person invite "$1"
	code=$(sed -n 's/^Mã liên kết: \([A-Z0-9]*\) .*/\1/p' out)
	run at "$SETUP" "$D" chat --telegram "$2" "/start $code"
}

run at "$SETUP" "$D" init
LONG="Xây dựng, hoàn thiện và đưa vào vận hành chính thức hệ thống thông tin quản lý văn bản và điều hành điện tử liên thông bốn cấp của tỉnh"
{
	printf "$HDR"
	for i in $(seq 1 24); do
		printf '%d.\tViệc số %02d của Sở Y tế\t%s\tSở Y tế\t30/10/2025\n' "$i" "$i" "$DOC"
	done
	printf '25.\t%s\t%s\tSở Y tế\t9/10/2025\n' "$LONG" "$DOC"
	printf '26.\tBố trí kinh phí chuyển đổi số\t%s\tSở Tài chính\t15/11/2025\n' "$DOC"
} >tasks.tsv
expect_rc 0 "import 26 tasks" at "$SETUP" "$D" import tasks.tsv
run at "$SETUP" "$D" agency add --name "Văn phòng UBND tỉnh" --code vpubnd
run at "$SETUP" "$D" person add --name "Nguyễn Văn An" --agency syt --role focal
run at "$SETUP" "$D" person add --name "Trần Thị Bình" --agency stc --role focal
run at "$SETUP" "$D" person add --name "Phạm Thị Dung" --agency vpubnd --role secretariat
an=$(person_id "Nguyễn Văn An")
link "$an" 1001
link "$(person_id "Trần Thị Bình")" 1002
link "$(person_id "Phạm Thị Dung")" 1003
t1=$(task_id "Việc số 01 của Sở Y tế")
t2=$(task_id "Việc số 02 của Sở Y tế")
t3=$(task_id "Việc số 03 của Sở Y tế")
t4=$(task_id "Việc số 04 của Sở Y tế")
t5=$(task_id "Việc số 05 của Sở Y tế")
t6=$(task_id "Việc số 06 của Sở Y tế")
t7=$(task_id "Việc số 07 của Sở Y tế")
tlong=$(task_id "$LONG")
tstc=$(task_id "Bố trí kinh phí chuyển đổi số")

# --- punctuation and filler words ----------------------------------------------------------------
expect_chat 0 "'xong $t1.' (a full stop after the number)" 1001 "xong $t1."
expect_grep "is done, not 'chưa hiểu'" said "Đã ghi nhận hoàn thành nhiệm vụ"
expect_grep "the answer names the task by its number" said "\[$t1\] Việc số 01 của Sở Y tế"
expect_eq "task $t1 is done" "$(status_of "$t1")" "done 100"
expect_chat 0 "'xong nhiệm vụ $t2'" 1001 "xong nhiệm vụ $t2"
expect_eq "task $t2 is done" "$(status_of "$t2")" "done 100"
expect_chat 0 "'/xong số $t3!'" 1001 "/xong số $t3!"
expect_eq "task $t3 is done" "$(status_of "$t3")" "done 100"

# --- several numbers --------------------------------------------------------------------------------
expect_chat 0 "'/xong $t4, $t5' acts on both" 1001 "/xong $t4, $t5"
expect_eq "both are done" "$(status_of "$t4") / $(status_of "$t5")" "done 100 / done 100"
expect_grep "the answer has a line for $t4" said "\[$t4\] Việc số 04 của Sở Y tế: đã ghi nhận hoàn thành"
expect_grep "and one for $t5" said "\[$t5\] Việc số 05 của Sở Y tế: đã ghi nhận hoàn thành"
run at "$NOW" "$D" task show "$t4" --json
expect_eq "'$t5' is no note on $t4" "$(json '[e for e in j["events"] if e["kind"] == "note"]')" "[]"
expect_chat 1 "'xong $t6 và $tstc': one done, one another agency's (refused)" 1001 "xong $t6 và $tstc"
expect_eq "$t6 is done" "$(status_of "$t6")" "done 100"
expect_eq "$tstc is not" "$(status_of "$tstc")" "not_started 0"
expect_grep "the refusal says whose task it is" said "\[$tstc\] Bố trí kinh phí chuyển đổi số: do Sở Tài chính chủ trì, không thuộc cơ quan của đồng chí"

# --- thanks, and what is not understood -------------------------------------------------------------
for m in "cảm ơn" "Cám ơn ạ" "ok" "đã nhận" "nhận được" "vâng"; do
	expect_chat 0 "'$m' gets a polite answer" 1001 "$m"
	expect_grep "'$m': thanked back" said "Trân trọng cảm ơn đồng chí"
	expect_no_grep "'$m': never 'chưa hiểu'" said "chưa hiểu"
done
expect_chat 1 "a message that is no command is refused" 1001 "hôm nay trời đẹp"
expect_grep "quoting the whole message, with where to look" said \
	"Hệ thống chưa hiểu tin nhắn “hôm nay trời đẹp”. Gõ /huongdan để xem các lệnh."

# --- refusals with their true reason ----------------------------------------------------------------
expect_chat 0 "Bình asks for more time" 1002 /giahan "$tstc" 31/12/2025 chờ hướng dẫn của Bộ
expect_chat 1 "a focal point's /duyet is refused" 1001 /duyet 1
expect_grep "for the role, not the agency" said "Lệnh /duyet dành cho cơ quan thường trực"
expect_grep "naming the role" said "Đồng chí là cán bộ đầu mối của Sở Y tế"
expect_no_grep "not 'not your agency's'" said "không thuộc cơ quan"
expect_chat 1 "/tiendo on a task done is refused" 1001 /tiendo "$t1" 50%
expect_grep "because it is done" said "đã được ghi nhận hoàn thành"
t8=$(task_id "Việc số 08 của Sở Y tế")
run at "$NOW" "$D" task set "$t8" --status postponed
expect_chat 1 "/tiendo on a task postponed is refused" 1001 /tiendo "$t8" 50%
expect_grep "because it is postponed" said "đang tạm hoãn, nên không cập nhật tiến độ được"
expect_grep "naming the task" said "\[$t8\] Việc số 08 của Sở Y tế"
run at "$NOW" "$D" task set "$t8" --status in_progress
expect_chat 1 "/giahan to a past day is refused" 1001 /giahan "$t7" 5/10/2025 chờ ý kiến
expect_grep "naming the day past and today" said "Ngày 05/10/2025 đã qua; đề nghị chọn ngày sau hôm nay \(07/10/2025\)\."

# --- lists: how many, which, the next page ----------------------------------------------------------
# Sở Y tế has 25 tasks, 6 done: 19 open, on one page.
expect_chat 0 "/viec" 1001 /viec
expect_grep "the count is the open tasks" said "Nhiệm vụ chưa hoàn thành của Sở Y tế \(19\)"
expect_no_grep "one page: nothing said about pages" said "Đang hiển thị"
# The secretariat sees 19 + 1 of Sở Tài chính = 20: exactly a page.
expect_chat 0 "/viec from the secretariat" 1003 /viec
expect_grep "20 open tasks" said "\(20\)"
expect_no_grep "on one page" said "Đang hiển thị"
# One more task makes 21.
printf "$HDR"'27.\tViệc thêm của Sở Tài chính\t%s\tSở Tài chính\t20/11/2025\n' "$DOC" >more.tsv
run at "$NOW" "$D" import more.tsv
expect_chat 0 "/viec of the secretariat: 21 open tasks" 1003 /viec
expect_grep "the header counts them all" said "\(21\)"
expect_eq "20 shown on the first page" "$(grep -cE '^\[[0-9]+\]' said)" 20
expect_grep "and it says one is not shown, and how to see it" said \
	"Đang hiển thị nhiệm vụ thứ 1–20 trong tổng số 21; còn 1 nhiệm vụ chưa hiển thị, gõ /viec 2 để xem tiếp\."
expect_chat 0 "/viec 2" 1003 /viec 2
expect_eq "the second page shows the last one" "$(grep -cE '^\[[0-9]+\]' said)" 1
expect_grep "and says which it is" said "Đang hiển thị nhiệm vụ thứ 21–21 trong tổng số 21\."
expect_chat 0 "'viec 2' without the slash" 1003 viec 2
expect_grep "is the same page" said "thứ 21–21"

# --- progress lowered, titles cut -------------------------------------------------------------------
expect_chat 0 "/tiendo $t7 80%" 1001 /tiendo "$t7" 80%
expect_chat 0 "/tiendo $t7 60% (lower)" 1001 /tiendo "$t7" 60%
expect_grep "the answer shows the figure it had" said "60% \(trước đó 80%\)"
expect_eq "and 60 is recorded" "$(status_of "$t7")" "in_progress 60"
expect_chat 0 "/tiendo on the task with a long title" 1001 /tiendo "$tlong" 10%
expect_grep "the answer shows the number and the title cut on a word, with …" said \
	"\[$tlong\] Xây dựng, hoàn thiện và đưa vào vận hành chính thức hệ thống thông tin quản lý…"
expect_no_grep "not the whole title" said "liên thông bốn cấp"

# --- the progress button asks; a bare 60 answers ----------------------------------------------------
run at "${NOW%T*}T08:05" "$D" serve --once
run at "$NOW" "$D" outbox list --json
mid=$(json '[m["id"] for m in j if m["person_id"] == '"$an"'][-1]')
expect_chat 0 "the 📈 Tiến độ button under the reminder" 1001 --button "t:$tlong:prog" --on "$mid"
expect_grep "asks for the figure" said "trả lời tin nhắn này bằng tiến độ mới, ví dụ 60%"
expect_grep "naming the task and its progress now" said "\[$tlong\] .*: tiến độ hiện nay 10%"
NOW=2025-10-07T09:03
expect_chat 0 "a bare '60%' next" 1001 "60%"
expect_grep "is that task's progress" said "Đã ghi nhận tiến độ nhiệm vụ \[$tlong\].*60% \(trước đó 10%\)"
expect_eq "recorded" "$(status_of "$tlong")" "in_progress 60"
expect_chat 1 "a second bare figure answers nothing" 1001 "70"
expect_eq "and changes nothing" "$(status_of "$tlong")" "in_progress 60"
NOW=2025-10-07T09:05
run at "$NOW" "$D" chat --telegram 1001 --button "t:$tlong:prog" --on "$mid"
NOW=2025-10-07T09:30
expect_chat 1 "a bare figure long after the question is not taken for it" 1001 "70"
expect_eq "nothing changed" "$(status_of "$tlong")" "in_progress 60"

expect_rc 0 "verify replays all of it" at "$NOW" "$D" verify

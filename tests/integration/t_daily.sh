# The secretariat's daily message and obstacles (issue 11, items 3 and 6),
# through the real binary: an agency with a focal point and a head, one
# with nobody, one with a focal point and no head; days walked with
# DONDOC_NOW and "serve --once"; the messages read from the outbox files
# (file channel).  The secretariat never gets someone else's reminder: it
# gets one daily message naming what is missing and the command that
# fixes it, once a week per agency; /vuongmac reaches it there; /xuly and
# "dondoc obstacle handle" close an obstacle and the task's light returns.
. "$(dirname "$0")/../lib.sh"

mkdir -p conf
conf_general tick=1 >conf/dondoc.conf
export DONDOC_CONFIG="$T/conf/dondoc.conf"
D=$DONDOC

at() { # at TIME CMD...: CMD with DONDOC_NOW=TIME
	t=$1
	shift
	env DONDOC_NOW="$t" "$@"
}
chat() { # chat TIME CHAT_ID TEXT...
	t=$1 c=$2
	shift 2
	env DONDOC_NOW="$t" "$D" chat --telegram "$c" "$@"
}
# The outbox files of person NAME, newest last; of one kind (daily, reminder, ...) with $2.
files_of() {
	for f in $(ls "$T/outbox"/*.txt 2>/dev/null | sort -t/ -k1 -V); do
		grep -q "^To: $1\$" "$f" || continue
		[ -z "${2:-}" ] || grep -q "^Kind: $2\$" "$f" || continue
		echo "$f"
	done
}
count_of() { files_of "$1" "${2:-}" | wc -l | tr -d ' '; }
light_of() { # light_of TIME TASK
	run at "$1" "$D" task list --json
	json "[t['light'] for t in j if t['id'] == $2][0]"
}

S=2025-10-01T07:00	# the setup, before the days walked
run at $S "$D" init
printf "$HDR"'1.\tXây dựng Cổng dữ liệu mở\t%s\tSở Y tế\t10/10/2025\n2.\tKiểm kê đất đai\t%s\tSở Nông nghiệp và Môi trường\t10/10/2025\n3.\tQuyết toán kinh phí chuyển đổi số\t%s\tSở Tài chính\t3/10/2025\n4.\tBáo cáo sơ kết ngành y tế\t%s\tSở Y tế\t31/12/2025\n' \
	"$DOC" "$DOC" "$DOC" "$DOC" >tasks.tsv
expect_rc 0 "import four tasks of three agencies" at $S "$D" import tasks.tsv
run at $S "$D" agency list --json
code_of() { json "[a['code'] for a in j if a['name'] == '$1'][0]"; }
syt=$(code_of "Sở Y tế")
nn=$(code_of "Sở Nông nghiệp và Môi trường")
stc=$(code_of "Sở Tài chính")
run at $S "$D" agency add --name "Văn phòng UBND tỉnh" --code vpubnd
run at $S "$D" person add --name "Nguyễn Văn An" --agency "$syt" --role focal --telegram 1001
run at $S "$D" person add --name "Trần Thị Bình" --agency "$syt" --role head
run at $S "$D" person add --name "Lê Văn Cường" --agency "$stc" --role focal --telegram 1003
run at $S "$D" person add --name "Phạm Minh Hải" --agency vpubnd --role leader
expect_rc 0 "add the secretariat" at $S "$D" person add --name "Phạm Thị Dung" --agency vpubnd \
	--role secretariat --telegram 1009

# --- Thursday 2/10: the first run -----------------------------------------------------------------
expect_rc 0 "serve --once on Thursday 2/10" at 2025-10-02T08:30 "$D" serve --once
expect_eq "the focal points get their reminders" "$(count_of "Nguyễn Văn An" reminder)|$(count_of "Lê Văn Cường" reminder)" "1|1"
expect_eq "the secretariat is sent no reminder of another agency's task" "$(count_of "Phạm Thị Dung" reminder)" 0
expect_eq "the secretariat gets one daily message" "$(count_of "Phạm Thị Dung" daily)" 1
f=$(files_of "Phạm Thị Dung" daily | tail -1)
expect_grep "it names the agency without a focal point" "$f" "Sở Nông nghiệp và Môi trường: 1 nhiệm vụ chủ trì chưa hoàn thành"
expect_grep "with the command that fixes it" "$f" "dondoc person add --agency $nn --role focal --name"
expect_no_grep "it is never a copy of a reminder" "$f" "khẩn trương|Kiểm kê đất đai"
expect_no_grep "an agency with a focal point is not listed" "$f" "--agency ($syt|$stc) "
expect_no_grep "nothing is sent to anyone else for the task of nobody" "$(files_of "Nguyễn Văn An" | tail -1)" "Kiểm kê đất đai"

# --- the same week: not again; the next week: again ------------------------------------------------
run at 2025-10-03T08:30 "$D" serve --once
expect_eq "Friday 3/10: no second daily message the same week" "$(count_of "Phạm Thị Dung" daily)" 1
expect_rc 0 "serve --once on Tuesday 7/10" at 2025-10-07T08:30 "$D" serve --once
expect_eq "Tuesday 7/10, a new week: the missing focal point is told again" "$(count_of "Phạm Thị Dung" daily)" 2
f=$(files_of "Phạm Thị Dung" daily | tail -1)
expect_grep "naming the agency again" "$f" "dondoc person add --agency $nn --role focal"
expect_eq "and still no reminder to the secretariat" "$(count_of "Phạm Thị Dung" reminder)" 0

# --- /vuongmac reaches the secretariat's next daily message ------------------------------------------
expect_eq "task 4 is XANH before" "$(light_of 2025-10-08T08:00 4)" green
expect_rc 0 "/vuongmac on task 4" chat 2025-10-08T08:10 1001 /vuongmac 4 chưa được bố trí kinh phí
expect_grep "the official is told the obstacle's number" out "vướng mắc, kiến nghị số 1 về nhiệm vụ \[4\]"
expect_grep "and truthfully what will happen" out "^Cơ quan thường trực sẽ nhận được nội dung này trong tin tổng hợp gửi trong giờ làm việc"
expect_eq "task 4 is VÀNG while the obstacle is open" "$(light_of 2025-10-08T08:11 4)" yellow
expect_rc 0 "a second obstacle on task 4" chat 2025-10-08T08:12 1001 /vuong_mac 4 thiếu nhân lực
expect_grep "numbered 2" out "số 2 về nhiệm vụ \[4\]"
run at 2025-10-08T08:30 "$D" serve --once
expect_eq "Wednesday 8/10: a daily message with the obstacles" "$(count_of "Phạm Thị Dung" daily)" 3
f=$(files_of "Phạm Thị Dung" daily | tail -1)
expect_grep "it lists obstacle 1 with its task" "$f" "Số 1 – nhiệm vụ \[4\] Báo cáo sơ kết ngành y tế"
expect_grep "who reported it and when" "$f" "Đồng chí Nguyễn Văn An báo ngày 08/10/2025: “chưa được bố trí kinh phí”"
expect_grep "and how to mark it handled" "$f" "/xuly 1 ghi chú"
expect_grep "obstacle 2 too" "$f" "Số 2 – nhiệm vụ \[4\]"
expect_no_grep "the missing focal point, told this week, is not repeated" "$f" "--agency $nn "
run at 2025-10-08T08:40 "$D" obstacle list --open --json
expect_eq "obstacle list --open shows both" "$(json '[(o["id"], o["task"], o["state"], o["reporter"]) for o in j]')" \
	'[[1, 4, "open", "Nguyễn Văn An"], [2, 4, "open", "Nguyễn Văn An"]]'

# --- refusals change nothing ----------------------------------------------------------------------
sum=$(db_sum)
obs() { sql "SELECT group_concat(id || state || ifnull(note, ''), ',') FROM obstacle"; }
o0=$(obs)
expect_rc 1 "/xuly from a focal point is refused" chat 2025-10-08T09:00 1001 /xuly 1 đã xong
expect_grep "saying it is for the secretariat" out "dành cho cơ quan thường trực"
expect_rc 1 "/xuly of an unknown number is refused" chat 2025-10-08T09:00 1009 /xuly 99 đã xử lý
expect_grep "naming the number" out "Không có vướng mắc, kiến nghị số 99"
expect_rc 1 "/xuly without a note is refused" chat 2025-10-08T09:00 1009 /xuly 1
expect_grep "with an example" out "/xuly 3 "
expect_rc 64 "obstacle handle without --note is refused" at 2025-10-08T09:00 "$D" obstacle handle 1
expect_rc 65 "obstacle handle of an unknown number is refused" at 2025-10-08T09:00 "$D" obstacle handle 77 --note x
expect_grep "naming it" err "no obstacle 77"
expect_eq "the refusals changed nothing" "$(db_sum)|$(obs)" "$sum|$o0"

# --- handled from chat and from the CLI; the light returns --------------------------------------------
expect_rc 0 "/xử lý by the secretariat" chat 2025-10-08T09:10 1009 "/xử lý" 1 đã đề nghị Sở Tài chính bố trí kinh phí
expect_grep "the secretariat is told it is recorded" out "Đã ghi nhận vướng mắc số 1 về nhiệm vụ \[4\].* đã được xử lý"
expect_eq "task 4 stays VÀNG: obstacle 2 is still open" "$(light_of 2025-10-08T09:11 4)" yellow
expect_rc 1 "/xuly again is refused" chat 2025-10-08T09:12 1009 /xuly 1 lần nữa
expect_grep "saying it was handled already" out "Vướng mắc số 1 đã được xử lý ngày"
expect_grep "and how" out ": đã đề nghị Sở Tài chính bố trí kinh phí\$"
expect_rc 0 "obstacle handle 2 from the CLI" at 2025-10-08T09:20 "$D" obstacle handle 2 --note "đã bổ sung nhân lực"
expect_grep "says the reporter is told" out "^Vướng mắc [0-9]* của nhiệm vụ [0-9]*: đã xử lý; đã báo cho người phản ánh\.$"
expect_rc 65 "handling it again is refused" at 2025-10-08T09:21 "$D" obstacle handle 2 --note "lại"
expect_grep "saying it was handled already" err "handled already"
expect_eq "task 4 is XANH again once no obstacle is open" "$(light_of 2025-10-08T09:22 4)" green
run at 2025-10-08T09:22 "$D" obstacle list --open --json
expect_eq "obstacle list --open is empty" "$(json 'len(j)')" 0
run at 2025-10-08T09:22 "$D" obstacle list --json
expect_eq "obstacle list shows both handled, with their notes" "$(json '[(o["id"], o["state"], o["note"]) for o in j]')" \
	'[[1, "handled", "đã đề nghị Sở Tài chính bố trí kinh phí"], [2, "handled", "đã bổ sung nhân lực"]]'
run at 2025-10-08T09:30 "$D" serve --once
an_handled=$(for f in $(files_of "Nguyễn Văn An" reply); do grep -l "đã được cơ quan thường trực xử lý" "$f"; done | wc -l | tr -d ' ')
expect_eq "the reporter is told each was handled" "$an_handled" 2
expect_grep "with the note" "$(files_of "Nguyễn Văn An" reply | tail -1)" "Kết quả xử lý: đã bổ sung nhân lực"

# --- level 1 of an agency without a head ------------------------------------------------------------
run at 2025-10-10T08:30 "$D" serve --once
f=$(files_of "Phạm Thị Dung" daily | tail -1)
expect_grep "Friday 10/10, level 1 of Sở Tài chính's task: its missing head" "$f" "dondoc person add --agency $stc --role head"
expect_eq "and no escalation goes to the secretariat at level 1" "$(count_of "Phạm Thị Dung" escalation)" 0

expect_rc 0 "dondoc verify replays the obstacles" at 2025-10-10T09:00 "$D" verify
expect_rc 64 "obstacle list with an unknown option exits 64" "$D" obstacle list --frobnicate
expect_rc 64 "obstacle handle with a number that is none exits 64" "$D" obstacle handle abc --note x
cp "$DONDOC_DB" tampered.db
sqlite3 tampered.db "UPDATE obstacle SET state = 'open', note = NULL WHERE id = 2"
expect_rc 1 "verify finds an obstacle reopened behind dondoc's back" at 2025-10-10T09:00 "$D" --db tampered.db verify
expect_grep "naming it" err "obstacle 2: state is 'open' in the registry, the history says 'handled'"

# --- /vuongmac when nobody of the secretariat can receive it ------------------------------------------
export DONDOC_DB="$T/alone.db"
conf_general tick=1 db="$T/alone.db" >conf/alone.conf
export DONDOC_CONFIG="$T/conf/alone.conf"
run at $S "$D" init
printf "$HDR"'1.\tXây dựng Cổng dữ liệu mở\t%s\tSở Y tế\t31/12/2025\n' "$DOC" >one.tsv
run at $S "$D" import one.tsv
run at $S "$D" person add --name "Nguyễn Văn An" --agency "$syt" --role focal --telegram 1001
expect_rc 0 "/vuongmac with no secretariat" chat 2025-10-08T08:10 1001 /vuongmac 1 thiếu kinh phí
expect_grep "the official is told it is recorded but nobody will receive it yet" out \
	"chưa có cán bộ cơ quan thường trực nhận tin qua hệ thống"
expect_no_grep "and no delivery is promised" out "sẽ nhận được"
expect_rc 0 "dondoc verify" at 2025-10-08T09:00 "$D" verify

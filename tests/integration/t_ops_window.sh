# "serve --once" outside the sending window says why nothing went out and
# when it will: before or after working hours, on a weekend, on a public
# holiday (Quốc khánh 2025: 30/8-2/9, from schedules/holidays-vn.ics);
# in Vietnamese on stdout for the secretariat, in English in the log.
# Inside the window the reminders go and nothing of the kind is said.
. "$(dirname "$0")/../lib.sh"

conf_general >dondoc.conf
export DONDOC_CONFIG="$T/dondoc.conf"
at() { _at=$1; shift; DONDOC_NOW=$_at "$@"; }

at 2025-08-25T09:00 "$DONDOC" init >/dev/null
printf "$HDR"'1.\tBáo cáo chuyển đổi số\t%s\tSở Y tế\t5/9/2025\n' "$DOC" >t.tsv
at 2025-08-25T09:00 "$DONDOC" import t.tsv >/dev/null
at 2025-08-25T09:00 "$DONDOC" person add --name "Nguyễn Văn An" --agency syt --role focal >/dev/null

# serve_at WHEN: serve --once at WHEN; stdout in out, the log in err.
serve_at() { run env DONDOC_NOW="$1" "$DONDOC" serve --once; }

serve_at 2025-09-01T10:00
expect_eq "on a public holiday serve --once succeeds" "$rc" 0
expect_grep "the secretariat reads why, and when, in Vietnamese" out \
	"^Chưa gửi nhắc việc: hôm nay là ngày nghỉ lễ\. Các tin đang chờ sẽ được gửi lúc 08:00 thứ Tư, ngày 03/09/2025\.$"
expect_grep "the log says it in English, the holidays skipped" err \
	"reminders held: a day off \(holiday\); next window opens Wed 03/09/2025 08:00 \(Asia/Ho_Chi_Minh\); [1-9][0-9]* notices? and 0 messages wait"
expect_eq "nothing went to the outbox" "$(ls outbox/*.txt 2>/dev/null | wc -l | tr -d ' ')" 0

serve_at 2025-09-03T06:30
expect_grep "before working hours: today at 08:00" out \
	"^Chưa gửi nhắc việc: chưa đến giờ làm việc\. Các tin đang chờ sẽ được gửi lúc 08:00 thứ Tư, ngày 03/09/2025\.$"
expect_grep "the log says before working hours" err "reminders held: before working hours; next window opens Wed 03/09/2025 08:00"

serve_at 2025-09-03T07:45
expect_grep "at work but before the sending time: today at 08:00" out \
	"^Chưa gửi nhắc việc: chưa đến giờ gửi trong ngày\. Các tin đang chờ sẽ được gửi lúc 08:00 thứ Tư, ngày 03/09/2025\.$"

serve_at 2025-09-05T18:00
expect_grep "after working hours on a Friday: Monday at 08:00" out \
	"^Chưa gửi nhắc việc: ngoài giờ làm việc\. Các tin đang chờ sẽ được gửi lúc 08:00 thứ Hai, ngày 08/09/2025\.$"

serve_at 2025-09-06T10:00
expect_grep "on a Saturday: Monday at 08:00" out \
	"^Chưa gửi nhắc việc: hôm nay là ngày nghỉ cuối tuần\. Các tin đang chờ sẽ được gửi lúc 08:00 thứ Hai, ngày 08/09/2025\.$"
expect_grep "the log says a weekend day" err "reminders held: a weekend day; next window opens Mon 08/09/2025 08:00"
expect_eq "still nothing in the outbox" "$(ls outbox/*.txt 2>/dev/null | wc -l | tr -d ' ')" 0

serve_at 2025-09-08T09:00
expect_eq "inside the window the reminder goes" "$(ls outbox/*.txt 2>/dev/null | wc -l | tr -d ' ')" 1
expect_no_grep "and nothing is said to be held" out "Chưa gửi"
expect_no_grep "nor logged as held" err "reminders held"

serve_at 2025-09-08T20:00
expect_no_grep "after hours with nothing waiting, nothing is said" out "Chưa gửi"
expect_rc 0 "the history replays" "$DONDOC" verify

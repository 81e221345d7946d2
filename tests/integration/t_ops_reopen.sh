# Reopening a done task: a done task shows 100%, a reopened one never does.
# The progress it had before it was marked done comes back from its
# history, unless --progress (0..99) gives another; a task imported done
# (no progress before) needs --progress; 100 is refused; progress alone on
# a done task is refused; a table that reopens a task brings its progress
# back too.  Each refusal changes nothing, and the history
# replays (dondoc verify).
. "$(dirname "$0")/../lib.sh"

at() { _at=$1; shift; DONDOC_NOW=$_at "$@"; }
at 2025-10-01T09:00 "$DONDOC" init >/dev/null
{
	printf 'STT\tNhiệm vụ\tVăn bản giao nhiệm vụ\tCơ quan chủ trì thực hiện\tThời hạn hoàn thành\tĐánh giá\n'
	printf '1.\tBáo cáo chuyển đổi số\t%s\tSở Y tế\t30/10/2025\tĐang thực hiện\n' "$DOC"
	printf '2.\tViệc đã xong từ trước\t%s\tSở Y tế\t30/9/2025\tĐã hoàn thành\n' "$DOC"
} >t.tsv
at 2025-10-01T09:00 "$DONDOC" import t.tsv >/dev/null
progress() { "$DONDOC" task show "$1" --json >out && json '(j["status"], j["progress"])'; }

at 2025-10-02T09:00 "$DONDOC" task set 1 --progress 60 >/dev/null
at 2025-10-03T09:00 "$DONDOC" task set 1 --status done >/dev/null
expect_eq "done shows 100%" "$(progress 1)" '["done", 100]'
expect_rc 0 "reopening without --progress" at 2025-10-06T09:00 "$DONDOC" task set 1 --status in_progress
expect_grep "says the progress came back" out "^Nhiệm vụ 1: mở lại với tiến độ 60%, tiến độ trước khi báo hoàn thành\.$"
expect_eq "the progress before done is restored" "$(progress 1)" '["in_progress", 60]'
run "$DONDOC" task show 1 --json
expect_eq "reopening is two events: status, then progress back to 60" \
	"$(json '[(e["kind"], e["old"], e["new"]) for e in j["events"]][-2:]')" \
	'[["status", "done", "in_progress"], ["progress", "100", "60"]]'

at 2025-10-07T09:00 "$DONDOC" task set 1 --status done >/dev/null
expect_rc 0 "reopening with --progress 30" at 2025-10-08T09:00 "$DONDOC" task set 1 --status in_progress --progress 30
expect_eq "the progress given wins" "$(progress 1)" '["in_progress", 30]'
expect_no_grep "and nothing is said of a restored figure" out "mở lại"

# --- refusals ---------------------------------------------------------------------------------------
at 2025-10-09T09:00 "$DONDOC" task set 1 --status done >/dev/null
before=$(db_sum)
expect_rc 65 "reopening at 100% is refused" at 2025-10-09T10:00 "$DONDOC" task set 1 --status in_progress --progress 100
expect_grep "the error says why and what to give" err "task 1: a reopened task cannot stay at 100%: give --progress 0\.\.99"
expect_rc 65 "progress alone on a done task is refused" at 2025-10-09T10:00 "$DONDOC" task set 1 --progress 40
expect_grep "the error says how to reopen" err "task 1 is done: to reopen it, give --status in_progress with --progress"
expect_eq "task 2 was imported done" "$(progress 2)" '["done", 0]'
sql "UPDATE task SET progress = 100 WHERE id = 2" # as a done task reads; its history holds no progress
expect_rc 65 "a task imported done needs --progress to reopen" at 2025-10-09T10:00 "$DONDOC" task set 2 --status in_progress
expect_grep "the error asks for it" err "task 2 was done at 100% and its history holds no progress before that: give --progress 0\.\.99"
sql "UPDATE task SET progress = 0 WHERE id = 2"
expect_eq "the refusals changed nothing" "$(db_sum)" "$before"
expect_rc 0 "with --progress, it reopens" at 2025-10-09T10:00 "$DONDOC" task set 2 --status in_progress --progress 20
expect_eq "at the progress given" "$(progress 2)" '["in_progress", 20]'
expect_rc 0 "reopening to not started restores too" at 2025-10-09T11:00 "$DONDOC" task set 1 --status not_started
expect_eq "task 1 is back at 30%, so in progress (progress above 0 always is)" "$(progress 1)" '["in_progress", 30]'

# --- a table that reopens a task ---------------------------------------------------------------------
at 2025-10-10T09:00 "$DONDOC" task set 1 --status done >/dev/null
expect_rc 0 "the table again, task 1 'Đang thực hiện' in it" at 2025-10-13T09:00 "$DONDOC" import t.tsv
expect_eq "the import reopens it at its progress before done, not 100%" "$(progress 1)" '["in_progress", 30]'
run "$DONDOC" task show 1 --json
expect_eq "as a status and a progress event" \
	"$(json '[(e["kind"], e["old"], e["new"]) for e in j["events"]][-2:]')" \
	'[["status", "done", "in_progress"], ["progress", "100", "30"]]'
expect_rc 0 "the history replays" "$DONDOC" verify

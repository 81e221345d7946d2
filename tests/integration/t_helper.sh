# The dondoc-ical helper, which reads the holiday file and the RRULEs for
# dondoc (so that dondoc never maps libical): when it is missing, crashes,
# prints nonsense or hangs, every command that needs the schedules stops
# with a message naming it, and nothing is planned on a half-read policy.
. "$(dirname "$0")/../lib.sh"

export DONDOC_NOW=2025-09-29T09:00
run "$DONDOC" init
printf 'STT\tNhiệm vụ\tVăn bản giao nhiệm vụ\tCơ quan chủ trì thực hiện\tThời hạn hoàn thành\n1.\tBáo cáo chuyển đổi số\tKế hoạch số 7-KH/BCĐ ngày 2/1/2025\tSở Y tế\t30/9/2025\n' >t.tsv
expect_rc 0 "import a task due 30/09/2025" "$DONDOC" import t.tsv
expect_rc 0 "add its focal point" "$DONDOC" person add --name "Nguyễn Văn An" --agency syt --role focal
cp "$TOP/schedules/policy.ini" "$TOP/schedules/holidays-vn.ics" .
printf '[general]\ndb = %s\noutbox_dir = %s/outbox\nschedules = %s\ntemplates = %s/templates\n' \
	"$DONDOC_DB" "$T" "$T" "$TOP" >dondoc.conf
export DONDOC_CONFIG="$T/dondoc.conf"

# The helper is found beside the program: a copy of dondoc alone has none.
mkdir bin
copy_dondoc bin
helper_dir=$(dirname "$DONDOC")
installed=/usr/local/libexec/dondoc/dondoc-ical
if [ -e "$installed" ]; then
	skip "without its helper, dondoc says what is missing" "$installed is installed"
else
	expect_rc 78 "without its helper, remind refuses (exit 78)" bin/dondoc remind --dry-run
	expect_grep "the message names the helper and what to do" err "cannot find the dondoc-ical helper.*make install"
fi

# Stand-ins for a broken helper, each a script beside the copy.
stand_in() { # BODY: bin/dondoc-ical becomes a shell script running BODY
	printf '#!/bin/sh\n%s\n' "$1" >bin/dondoc-ical
	chmod +x bin/dondoc-ical
}
stand_in 'kill -SEGV $$'
expect_rc 78 "a crashing helper: remind refuses" bin/dondoc remind --dry-run
expect_grep "the crash is named with its signal" err "dondoc-ical was killed by signal 11"
stand_in 'echo "nonsense 42"; echo end'
expect_rc 78 "a helper printing nonsense: refused" bin/dondoc remind --dry-run
expect_grep "the line it did not understand is quoted" err "does not understand: 'nonsense 42'"
stand_in 'echo "off 2025-09-02"'
expect_rc 78 "a helper stopping before 'end': refused" bin/dondoc remind --dry-run
expect_grep "an incomplete answer is not taken as a full one" err "failed \\(exit status 0\\) without saying why"
stand_in 'exit 3'
expect_rc 78 "a helper failing silently: refused" bin/dondoc remind --dry-run
expect_grep "its exit status is given" err "failed \\(exit status 3\\)"
stand_in 'exec >&-; sleep 30'
start=$(date +%s)
expect_rc 78 "a helper that hangs is stopped" bin/dondoc remind --dry-run
took=$(( $(date +%s) - start ))
expect_grep "the hang is reported as such" err "did not finish within 10 s"
if [ $took -le 15 ]; then pass "it is stopped after 10 s ($took s)"; else fail "it is stopped after 10 s" "took $took s"; fi
expect_eq "nothing was planned on a schedule read in part" \
	"$(sqlite3 "$DONDOC_DB" 'SELECT count(*) FROM notice')" 0

# With the real helper beside it, the copy works, and the daemon maps no libical.
cp "$helper_dir/dondoc-ical" bin/dondoc-ical
expect_rc 0 "with the real helper beside it, remind works" bin/dondoc remind --dry-run
expect_grep "and the 30/09 ladder's 29/09 reminder is due" out "29/9/2025.*Nguyễn Văn An"

# The helper's own errors carry the file and line of the policy.
printf '[needs_date]\nrrule = FREQ=WEEKLY;BYMONTHDAY=40\n' >policy.ini
expect_rc 78 "an RRULE the helper refuses: remind refuses" bin/dondoc remind --dry-run
expect_grep "the refusal names policy.ini and the line" err "policy.ini:2: \\[needs_date\\] rrule: bad RRULE"
exit 0

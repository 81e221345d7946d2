#!/bin/sh
# "dondoc doctor" checks the registry's data too (issue 12, "What to build"
# 5): an agency with open tasks and no active focal point or head, an
# active person no address reaches, two records of one person, an open
# task without a lead agency.  Each line names the command that fixes it;
# once that command has run, the line is gone.
. "$(dirname "$0")/../lib.sh"

conf_general >dondoc.conf
export DONDOC_CONFIG="$T/dondoc.conf"
export DONDOC_NOW=2025-10-01T09:00
D=$DONDOC
doctor() { expect_rc 0 "doctor: $1 (data problems do not stop serve)" "$D" doctor; }

run "$D" init
printf "$HDR"'1.\tSố hoá hồ sơ y tế\t%s\tSở Y tế\t30/11/2025\n2.\tRà soát biên chế\t%s\tSở Nội vụ\t30/11/2025\n' \
	"$DOC" "$DOC" >one.tsv
expect_rc 0 "import a task of Sở Y tế and one of Sở Nội vụ" "$D" import one.tsv
run "$D" person add --name "Trần Văn Bình" --agency snv --role focal --email binh@snv.gov.vn
run "$D" person add --name "Hoàng Thị Hoa" --agency snv --role head --email hoa@snv.gov.vn

# --- an agency with open tasks and nobody to remind -------------------------------------------------
doctor "Sở Y tế has nobody"
expect_grep "names the agency without a focal point and the command that adds one" out \
	"^warn +agency +syt \(Sở Y tế\) leads 1 open task and has no active focal point: dondoc person add --agency syt --role focal"
expect_grep "and the one without a head" out \
	"^warn +agency +syt \(Sở Y tế\) leads 1 open task and has no active head: dondoc person add --agency syt --role head"
expect_no_grep "Sở Nội vụ has both: no line" out "warn +agency +snv"
expect_grep "the last line counts the warnings, not 'all good'" out \
	"^dondoc serve can run; 2 data warnings above: some reminders would reach nobody$"
run "$D" person add --name "Nguyễn Văn An" --agency syt --role focal --email an@syt.gov.vn
doctor "after the focal point is added"
expect_no_grep "the focal point line is gone" out "no active focal point"
expect_grep "the head line stays" out "syt .*no active head"
run "$D" person add --name "Lê Văn Cường" --agency syt --role head --email cuong@syt.gov.vn
doctor "after the head is added"
expect_no_grep "the head line is gone" out "warn +agency"
expect_grep "a clean registry says so" out "^ok +data +every agency with open tasks has a focal point and a head"
expect_grep "and the last line is 'all good' again" out "^all good"

# --- a person nobody can reach ---------------------------------------------------------------------
run "$D" person add --name "Phạm Thị Dung" --agency snv --role viewer
dung=$("$D" person list --json >out && json '[p["id"] for p in j if p["name"] == "Phạm Thị Dung"][0]')
doctor "Dung has no address"
expect_grep "names the person no address reaches and the command that gives one" out \
	"^warn +person +$dung \(Phạm Thị Dung, snv\) has no address that works: dondoc person set $dung --email ADDRESS"
run "$D" person set "$dung" --email dung@snv.gov.vn
doctor "after Dung's email is set"
expect_no_grep "Dung's line is gone" out "Phạm Thị Dung"
# A server refused An's address for good (the dispatcher marks it so).
sql "UPDATE address SET broken_at = 1 WHERE channel = 'email'
	AND person_id = (SELECT id FROM person WHERE name = 'Nguyễn Văn An')"
doctor "An's address was refused"
expect_grep "a refused address is no address, and said to be refused" out \
	"^warn +person +[0-9]+ \(Nguyễn Văn An, syt\) has no address that works \(one was refused for good\): dondoc person set [0-9]+ --email ADDRESS"
run "$D" person set 3 --email an.nguyen@syt.gov.vn
doctor "after An's new address"
expect_no_grep "An's line is gone" out "Nguyễn Văn An"

# --- two records of one person -----------------------------------------------------------------------
expect_rc 0 "a namesake added with --force" "$D" person add --name "Nguyen Van An" --agency syt \
	--role viewer --email an2@syt.gov.vn --force
doctor "two Ans"
expect_grep "names both and the command that puts the newer aside" out \
	"^warn +person +3 \(Nguyễn Văn An, syt\) and 6 \(Nguyen Van An, syt\) look like one person \(the same name in the same agency\): dondoc person deactivate 6"
expect_rc 0 "a second record by email" "$D" person add --name "Bình Trần" --agency syt --role viewer \
	--email BINH@snv.gov.vn --force
doctor "two Bìnhs"
expect_grep "the same email in two agencies is named too" out \
	"^warn +person +1 \(Trần Văn Bình, snv\) and 7 \(Bình Trần, syt\) look like one person \(the same email\): dondoc person deactivate 7"
run "$D" person deactivate 6
run "$D" person deactivate 7
doctor "after the copies are deactivated"
expect_no_grep "the duplicate lines are gone" out "look like one person"

# --- an open task without a lead agency -----------------------------------------------------------------
# Written behind dondoc's back: no command leaves a task without a lead.
sql "DELETE FROM task_agency WHERE task_id = 1"
doctor "task 1 has no lead"
expect_grep "names the task and how to give it a lead" out \
	"^warn +task +1 \(.*\) has no lead agency, so nobody is reminded: fill its lead-agency cell and import its table again \(dondoc import FILE\)"
expect_rc 0 "the table imported again" "$D" import one.tsv
doctor "after the import"
expect_no_grep "the task line is gone" out "warn"
expect_grep "and the data are clean" out "^ok +data "
expect_rc 0 "verify: the history and the registry agree again" "$D" verify

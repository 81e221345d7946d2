# Where the schedules and templates are found when the configuration does
# not say: the checkout's binary, run from another working directory, finds
# the checkout's schedules/ and templates/ beside its folder; a copy of the
# binary installed where no data is says which key to set ([general]
# schedules / templates), and doctor reports the same with the fix.  A key
# set to a folder that does not exist is named too.
. "$(dirname "$0")/../lib.sh"

if [ -d /usr/local/share/dondoc/schedules ]; then
	skip "data found beside the binary" "dondoc is installed in /usr/local/share/dondoc"
	exit 0
fi
export DONDOC_NOW=2025-09-01T09:00
mkdir elsewhere bin
cd elsewhere || exit 1
run "$DONDOC" init
printf "$HDR"'1.\tBáo cáo chuyển đổi số\t%s\tSở Y tế\t5/9/2025\n' "$DOC" >t.tsv
run "$DONDOC" import t.tsv

# --- the checkout's binary, from another directory ---------------------------------------------------
expect_rc 0 "explain runs outside the checkout" "$DONDOC" explain 1
expect_grep "it read the checkout's policy (the due day is shown)" out "5/9/2025"
expect_rc 0 "doctor is content outside the checkout" "$DONDOC" doctor
expect_grep "doctor names the checkout's schedules" out "^ok +schedules +$TOP/schedules/policy\.ini"
expect_grep "and the checkout's templates" out "^ok +templates +$TOP/templates$"

# --- a copy with no data beside it --------------------------------------------------------------------
# Installed as make install would, its helper beside it, but no data anywhere.
copy_dondoc "$T/bin"; cp "$(dirname "$DONDOC")/dondoc-ical" "$T/bin/"
expect_rc 78 "a copy installed without data: explain stops" "$T/bin/dondoc" explain 1
expect_grep "the error names the key to set" err \
	"no schedules folder in \./schedules, $T/bin/\.\./schedules or .*/schedules: set \[general\] schedules in the configuration .* to the folder holding policy\.ini"
expect_rc 1 "doctor finds the problem" "$T/bin/dondoc" doctor
expect_grep "doctor reports the schedules with the fix" out "^FAIL schedules .*set \[general\] schedules in"
expect_grep "doctor reports the templates with the fix" out "^FAIL templates .*set \[general\] templates in"

# --- set to a folder that is not there, then to the right one ----------------------------------------
printf '[general]\nschedules = %s/nope\n' "$T" >dondoc.conf
expect_rc 78 "a schedules key naming nothing: explain stops" "$T/bin/dondoc" explain 1
expect_grep "the error names the key and its value" err "\[general\] schedules = $T/nope in dondoc.conf is not a folder"
printf '[general]\nschedules = %s/schedules\ntemplates = %s/templates\n' "$TOP" "$TOP" >dondoc.conf
expect_rc 0 "with both keys set, the copy runs" "$T/bin/dondoc" explain 1
expect_rc 0 "and doctor is content" "$T/bin/dondoc" doctor

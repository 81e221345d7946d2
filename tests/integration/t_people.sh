#!/bin/sh
# People and agencies corrected (issue 12, "What to build" 1): person set,
# deactivate, activate and remove; a duplicate person refused unless
# --force; agency set, merge and remove; each refusal one line that
# changes nothing; each change an event that "dondoc verify" replays.
. "$(dirname "$0")/../lib.sh"

D=$DONDOC
export DONDOC_NOW=2025-10-01T09:00
people() { "$D" person list --json >out && json 'len(j)'; }
# field ID KEY: what "person list --json" says of person ID's KEY.
field() { "$D" person list --json >out && json "[p['$2'] for p in j if p['id'] == $1][0]"; }
tasks_of() { "$D" task list --agency "$1" --json >out && json 'sorted(t["id"] for t in j)'; }
verified() { expect_rc 0 "verify replays the history to the registry: $1" "$D" verify; }

run "$D" init
run "$D" agency add --name "Sở Nội vụ" --code snv
run "$D" agency add --name "Trung tâm Phục vụ hành chính công" --code ttpv
run "$D" agency add --name "Trung tâm hành chính công" --code tthcc
printf "$HDR"'1.\tSố hoá hồ sơ một cửa\t%s\tTrung tâm hành chính công\t30/11/2025\n2.\tKhảo sát sự hài lòng\t%s\tTrung tâm Phục vụ hành chính công\t30/11/2025\n3.\tRà soát biên chế\t%s\tSở Nội vụ\t30/11/2025\n4.\tLiên thông dữ liệu hộ tịch\t%s\tTrung tâm hành chính công; Trung tâm Phục vụ hành chính công\t30/11/2025\n' \
	"$DOC" "$DOC" "$DOC" "$DOC" >one.tsv
expect_rc 0 "import four tasks of three agencies, one led by the two centres" "$D" import one.tsv
expect_eq "the task both centres lead" "$(tasks_of tthcc)" "[1, 4]"

# --- person add: one person, one record -------------------------------------------------------
expect_rc 0 "person add An" "$D" person add --name "Nguyễn Văn An" --agency snv --role focal \
	--email an@snv.gov.vn --telegram 1001
an=1
expect_eq "An is person 1" "$(field 1 name)" "Nguyễn Văn An"
expect_rc 65 "the same name written otherwise, same agency: refused" "$D" person add \
	--name "Đ/c nguyen van  an." --agency snv --role focal
expect_grep "the refusal names the existing person, id, name and agency" err \
	"person 1 \(Nguyễn Văn An, snv\), by the same name in the same agency"
expect_grep "and says how to change them instead" err "dondoc person set 1"
expect_eq "the refusal is one line" "$(wc -l <err | tr -d ' ')" 1
expect_rc 65 "the same email in another case, another agency: refused" "$D" person add \
	--name "Lê Thị Bình" --agency ttpv --role focal --email AN@snv.gov.vn
expect_grep "naming the email as the reason" err "person 1 .*by the same email address"
expect_rc 65 "the same Telegram chat: refused" "$D" person add --name "Lê Thị Bình" \
	--agency ttpv --role focal --telegram 1001
expect_grep "naming the chat as the reason" err "person 1 .*by the same Telegram chat"
expect_eq "the refused adds added nobody" "$(people)" 1
expect_rc 0 "with --force, a namesake is added" "$D" person add --name "Nguyễn Văn An" \
	--agency snv --role viewer --force
expect_eq "now two people" "$(people)" 2
expect_rc 0 "Bình of the centre" "$D" person add --name "Lê Thị Bình" --agency tthcc --role focal \
	--email binh@hcc.gov.vn
expect_rc 0 "person invite still works" "$D" person invite 1
verified "after person add"

# --- person set -------------------------------------------------------------------------------
expect_rc 0 "person set 1 --email new" "$D" person set 1 --email an.nguyen@snv.gov.vn
expect_grep "says in Vietnamese what changed" out "^Đã cập nhật cán bộ #1: Nguyễn Văn An \(snv\): email\.$"
expect_eq "the new email is kept" "$(field 1 email)" "an.nguyen@snv.gov.vn"
# A server refused the address for good (the dispatcher marks it so).
sql "UPDATE address SET broken_at = 1 WHERE person_id = 1 AND channel = 'email'"
expect_eq "(refused, as person list shows)" "$(broken email 1)" 1
expect_rc 0 "person set a new address on a refused channel" "$D" person set 1 \
	--email an@noivu.gov.vn --json
expect_eq "the new address clears its broken mark" "$(json 'j["person"]["email_broken"]')" false
expect_eq "(no longer refused since anything)" \
	"$(json 'j["person"]["addresses"]["email"]["broken_since"]')" null
expect_eq "--json says what changed" "$(json 'j["changed"]')" true
expect_rc 0 "an empty value clears a channel" "$D" person set 1 --telegram ""
expect_eq "Telegram cleared" "$(field 1 telegram)" null
# A phone number: digits, national or international, kept as ZNS takes it (84...).
expect_rc 0 "person set --phone in the national form" "$D" person set 3 --phone 0912345678 --json
expect_eq "kept international, without '+'" "$(json 'j["person"]["phone"]')" 84912345678
expect_grep "named among the changes" out '"fields":"số điện thoại"'
expect_eq "person list shows it" "$(field 3 phone)" 84912345678
expect_rc 65 "the same number written internationally, for someone else: refused" "$D" person add \
	--name "Hồ Văn Phong" --agency snv --role viewer --phone +84912345678
expect_grep "naming the phone as the reason" err "person 3 .*by the same phone number"
expect_rc 65 "even with --force: an address is one person's" "$D" person add \
	--name "Hồ Văn Phong" --agency snv --role viewer --phone +84912345678 --force
expect_grep "(said so)" err "one of these addresses belongs to someone else already"
expect_rc 64 "a phone number that is not one" "$D" person set 3 --phone 12-34
expect_grep "is refused in English, with the forms it takes" err \
	"--phone '12-34' is not a phone number: digits, as 0912345678 or \\+84912345678"
expect_rc 64 "nor at person add" "$D" person add --name "Hồ Văn Phong" --agency snv --role viewer \
	--phone 912345678
expect_eq "the refused adds added nobody" "$(people)" 3
expect_rc 0 "an empty --phone clears it" "$D" person set 3 --phone ""
expect_eq "phone cleared" "$(field 3 phone)" null
expect_rc 0 "name, role and language at once" "$D" person set 3 --name "Lê Thị Bình An" \
	--role head --lang en
expect_grep "each change named" out "họ tên, vai trò, ngôn ngữ"
expect_eq "role head" "$(field 3 role)" head
expect_rc 0 "move a person to another agency" "$D" person set 3 --agency ttpv
expect_eq "person 3 is of ttpv now" "$(field 3 agency)" ttpv
expect_rc 0 "a set that changes nothing" "$D" person set 3 --agency ttpv
expect_grep "says nothing changed" out "không thay đổi gì"
verified "after person set"
sum=$("$D" person list --json)
expect_rc 65 "move a person to an agency that does not exist: refused" "$D" person set 3 --agency "Sở Không Có"
expect_grep "naming the agency" err "no agency 'Sở Không Có'"
expect_rc 64 "a bad email: refused" "$D" person set 3 --email "binh.hcc.gov.vn"
expect_grep "naming it" err "'binh.hcc.gov.vn' is not an email address"
expect_rc 64 "two values for one flag: refused" "$D" person set 3 --email a@x.vn --email b@x.vn
expect_grep "naming the flag" err "\-\-email given twice"
expect_rc 64 "nothing to change: refused" "$D" person set 3
expect_rc 65 "an unknown person: refused" "$D" person set 99 --role focal
expect_grep "naming the number" err "no person 99"
expect_rc 64 "not a number: refused" "$D" person set abc --role focal
expect_rc 65 "a name that makes them An's duplicate: refused" "$D" person set 2 --role focal --name "Nguyễn Văn Ân"
expect_rc 0 "... and the same as person 2 already is (the --force namesake) needs --force" "$D" person set 2 --role focal --force
expect_rc 65 "An's email for Bình: refused" "$D" person set 3 --email AN@noivu.gov.vn
expect_grep "naming An" err "person 1 \(Nguyễn Văn An, snv\), by the same email address"
for e in err; do expect_eq "every refusal is one line" "$(wc -l <$e | tr -d ' ')" 1; done
expect_eq "the refusals changed nobody" "$("$D" person list --json)" "$(printf '%s\n' "$sum" | sed 's/"role":"viewer"/"role":"focal"/')"
verified "after the refused sets"

# --- deactivate, activate, remove ---------------------------------------------------------------
expect_rc 0 "person deactivate 2" "$D" person deactivate 2
expect_grep "says reminders stop" out "^Đã ngừng nhắc việc cho cán bộ #2: Nguyễn Văn An \(snv\)\.$"
expect_eq "2 is inactive" "$(field 2 active)" false
expect_rc 65 "person activate 2, the namesake of 1: refused as person add would be" "$D" person activate 2
expect_grep "naming person 1" err "this looks like person 1 \(Nguyễn Văn An, snv\), by the same name in the same agency"
expect_eq "2 is still inactive" "$(field 2 active)" false
expect_rc 0 "person activate 2 --force --json" "$D" person activate 2 --force --json
expect_eq "2 is active again" "$(json 'j["person"]["active"]')" true
expect_rc 65 "person remove 1, who has a chat link code: refused" "$D" person remove 1
expect_grep "the refusal says why and suggests deactivate" err \
	"person 1 \(Nguyễn Văn An\) is referred to by 1 chat link code: not removed; 'dondoc person deactivate 1'"
expect_eq "1 is still there" "$(field 1 name)" "Nguyễn Văn An"
expect_rc 0 "person remove 2, whom nothing refers to" "$D" person remove 2
expect_grep "says it in Vietnamese" out "^Đã xoá cán bộ #2: Nguyễn Văn An \(snv\)\.$"
expect_eq "two people left" "$(people)" 2
expect_rc 65 "person remove 2 again: no such person" "$D" person remove 2
verified "after deactivate, activate and remove"

# --- agency set ---------------------------------------------------------------------------------
expect_rc 0 "rename ttpv" "$D" agency set ttpv --name "Trung tâm Phục vụ hành chính công tỉnh"
expect_grep "says what changed" out "^Đã cập nhật cơ quan ttpv: Trung tâm Phục vụ hành chính công tỉnh \(tên\)\.$"
expect_eq "the old name still finds it" "$(tasks_of "Trung tâm Phục vụ hành chính công")" "[2, 4]"
expect_rc 0 "a new code and kind" "$D" agency set ttpv --code ttpvhcc --kind other --json
expect_eq "--json shows the code" "$(json 'j["code"]')" ttpvhcc
expect_eq "the old code still finds it" "$(tasks_of ttpv)" "[2, 4]"
expect_rc 0 "--head: Bình heads the centre" "$D" agency set ttpvhcc --head 3
expect_grep "naming the head" out "người đứng đầu: Lê Thị Bình An"
expect_rc 65 "--head of someone of another agency: refused" "$D" agency set snv --head 3
expect_grep "saying how to move them" err "dondoc person set 3 --agency snv"
expect_rc 65 "a code another agency has: refused" "$D" agency set ttpvhcc --code snv
expect_grep "naming it" err "the code 'snv'"
expect_rc 64 "a code that is not one: refused" "$D" agency set snv --code "Sở NV"
expect_rc 64 "an unknown kind: refused" "$D" agency set snv --kind ministry
expect_rc 64 "--name twice: refused" "$D" agency set snv --name A --name B
expect_rc 65 "an unknown agency: refused" "$D" agency set nope --name X
expect_eq "agency list as it was" "$("$D" agency list --json >out && json '[a["code"] for a in j]')" \
	'["snv", "tthcc", "ttpvhcc"]'
verified "after agency set"

# --- agency merge, then a table with the old name ----------------------------------------------------
expect_rc 65 "merge into itself: refused" "$D" agency merge ttpvhcc "Trung tâm Phục vụ hành chính công"
expect_grep "saying it is the same agency" err "are the same agency \(ttpvhcc\)"
expect_rc 65 "merge an unknown agency: refused" "$D" agency merge nope snv
expect_rc 64 "merge with one agency only: refused" "$D" agency merge tthcc
expect_rc 0 "Cường of tthcc" "$D" person add --name "Phạm Văn Cường" --agency tthcc --role focal
expect_rc 0 "merge tthcc into ttpvhcc" "$D" agency merge tthcc ttpvhcc
expect_grep "says what moved" out "^Đã gộp cơ quan tthcc \(Trung tâm hành chính công\) vào ttpvhcc .*chuyển 2 nhiệm vụ, 1 cán bộ"
expect_eq "tthcc is gone" "$("$D" agency list --json >out && json '[a["code"] for a in j]')" '["snv", "ttpvhcc"]'
expect_eq "its tasks moved" "$(tasks_of ttpvhcc)" "[1, 2, 4]"
"$D" task show 4 --json >out
expect_eq "the task both led has one lead now" "$(json 'j["lead_agencies"]')" '["Trung tâm Phục vụ hành chính công tỉnh"]' 
expect_eq "its person moved" "$(field 4 agency)" ttpvhcc
expect_eq "its name finds the agency it merged into" "$(tasks_of "Trung tâm hành chính công")" "[1, 2, 4]"
expect_eq "its code too" "$(tasks_of tthcc)" "[1, 2, 4]"
expect_rc 65 "renaming an agency to another's alias: refused" "$D" agency set snv --name "Trung tâm hành chính công"
expect_grep "naming the name" err "the name 'Trung tâm hành chính công' is another agency's"
expect_eq "snv keeps its name" "$("$D" agency list --json >out && json '[a["name"] for a in j if a["code"] == "snv"][0]')" "Sở Nội vụ"
verified "after agency merge"
printf "$HDR"'5.\tCập nhật quy trình nội bộ\t%s\tTrung tâm hành chính công\t31/12/2025\n' "$DOC" >two.tsv
expect_rc 0 "a table naming the old agency imports" "$D" import two.tsv
expect_eq "its task lands in the agency it was merged into" "$(tasks_of ttpvhcc)" "[1, 2, 4, 5]"
expect_eq "and no agency was added" "$("$D" agency list --json >out && json 'len(j)')" 2
verified "after the import"

# --- agency remove ------------------------------------------------------------------------------
expect_rc 65 "remove an agency with tasks and people: refused" "$D" agency remove ttpvhcc
expect_grep "saying why and what to do" err "still has 4 tasks and 2 people: not removed; 'dondoc agency merge ttpvhcc INTO'"
run "$D" agency add --name "Tổ công tác tạm thời" --code tct
expect_rc 0 "remove an empty agency" "$D" agency remove tct
expect_grep "says it in Vietnamese" out "^Đã xoá cơ quan tct \(Tổ công tác tạm thời\)\.$"
expect_rc 65 "remove it again: unknown" "$D" agency remove tct
verified "at the end"
# The replay is no formality: a person or an agency edited behind dondoc's back shows.
sql "UPDATE address SET value = 'x@y.vn' WHERE person_id = 1 AND channel = 'email'"
expect_rc 1 "verify finds a person edited outside dondoc" "$D" verify
expect_grep "naming the person and the field" err "person 1: email is 'x@y.vn' in the registry, the history says 'an@noivu.gov.vn'"
sql "UPDATE address SET value = 'an@noivu.gov.vn' WHERE person_id = 1 AND channel = 'email'; UPDATE agency SET name = 'Sở X' WHERE code = 'snv'"
expect_rc 1 "verify finds an agency edited outside dondoc" "$D" verify
expect_grep "naming the agency" err "agency [0-9]+: name is 'Sở X' in the registry, the history says 'Sở Nội vụ'"

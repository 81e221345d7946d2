# How an import turns agency cells into agencies (issue 12, "What to
# build" 2): a cell with commas or "và" is split only where every part is
# a known agency or alias, else kept whole with one warning per distinct
# cell naming its lines; the abbreviations of schedules/abbreviations.ini
# make "UBND tỉnh" and "Ủy ban nhân dân tỉnh" one agency; a new code that
# collides takes more letters of the name, never a digit.  Checked through
# what the secretariat sees: agency list, task list/show --json, the
# import's messages; and the history replays (verify).
. "$(dirname "$0")/../lib.sh"

conf_general >dondoc.conf
export DONDOC_CONFIG="$T/dondoc.conf"
D=$DONDOC
export DONDOC_NOW=2025-06-02T09:00

# Line 1 is the header; the rows are lines 2-10.
H='STT\tNhiệm vụ\tVăn bản giao nhiệm vụ\tCơ quan chủ trì thực hiện\tCơ quan phối hợp\tThời hạn hoàn thành\n'
row() { printf '%s\t%s\t%s\t%s\t%s\t30/9/2025\n' "$1" "$2" "$DOC" "$3" "$4"; }
{
	printf "$H"
	row 1. "Việc của Sở Nội vụ" "Sở Nội vụ" ""
	row 2. "Việc của Sở KH&CN" "Sở Khoa học và Công nghệ" ""
	row 3. "Việc của UBND tỉnh" "UBND tỉnh" ""
	row 4. "Việc chung của hai sở" "Sở Nội vụ, Sở KH&CN" "Ủy ban nhân dân tỉnh và Sở Tài chính"
	row 5. "Việc có một sở lạ" "Sở Nội vụ, Sở Mới" ""
	row 6. "Việc của Ủy ban" "Ủy ban nhân dân tỉnh" ""
	row 7. "Việc của Sở Ngoại vụ" "Sở Ngoại vụ" ""
	row 8. "Việc khác có sở lạ" "Sở Nội vụ, Sở Mới" ""
	row 9. "Việc có hai cơ quan phối hợp" "Sở KH&CN" "Sở Nội vụ, UBND tỉnh"
} >tasks.tsv

run "$D" init
sum=$(db_sum)
expect_rc 0 "a dry run of the table" "$D" import --dry-run tasks.tsv
expect_grep "tells the same warnings" err "^tasks.tsv: lines 6, 9: warning: 'Sở Nội vụ, Sở Mới'"
expect_eq "and writes nothing (no agency, alias or event)" "$(db_sum)" "$sum"
expect_rc 0 "the table is imported" "$D" import tasks.tsv
cp err import.err
expect_grep "two distinct cells kept whole: two warnings" out "thêm 9 nhiệm vụ.*; 0 dòng có lỗi, 2 cảnh báo"

# --- split where every part is known ---------------------------------------------------------------
run "$D" task show 4 --json
expect_eq "'Sở Nội vụ, Sở KH&CN' is two lead agencies, not one agency 'snvskhcn'" \
	"$(json 'j["lead_agencies"]')" '["Sở Nội vụ", "Sở Khoa học và Công nghệ"]'
run "$D" task show 9 --json
expect_eq "a cooperating cell is split the same way" "$(json 'j["cooperating_agencies"]')" \
	'["Sở Nội vụ", "UBND tỉnh"]'

# --- kept whole: one warning per distinct cell, naming its lines ---------------------------------
expect_eq "'Sở Nội vụ, Sở Mới' is warned about once" \
	"$(grep -c "'Sở Nội vụ, Sở Mới'" import.err)" 1
expect_grep "naming both lines that use it, the agency made and the unknown part" import.err \
	"^tasks.tsv: lines 6, 9: warning: 'Sở Nội vụ, Sở Mới' \(Cơ quan chủ trì thực hiện\) was taken as one new agency, 'snvsm': 'Sở Mới' is not a known agency or alias; .*separate them with ';'"
expect_grep "a 'và' beside a known agency is warned about, in the cooperating column" import.err \
	"^tasks.tsv: line 5: warning: 'Ủy ban nhân dân tỉnh và Sở Tài chính' \(Cơ quan phối hợp\) was taken as one new agency, '[a-z]+': 'Sở Tài chính' is not"
expect_no_grep "'Sở Khoa học và Công nghệ' (a 'và' inside one name) is not warned about" import.err \
	"'Sở Khoa học và Công nghệ'"
run "$D" task list --json
expect_eq "the tasks of the kept cell are led by that one agency" \
	"$(json '[t["lead_agencies"] for t in j if t["id"] in (5, 8)]')" \
	'[["Sở Nội vụ, Sở Mới"], ["Sở Nội vụ, Sở Mới"]]'

# --- abbreviations: UBND tỉnh and Ủy ban nhân dân tỉnh are one agency ----------------------------
expect_eq "'Ủy ban nhân dân tỉnh' leads as 'UBND tỉnh'" \
	"$(json '[t["lead_agencies"] for t in j if t["id"] in (3, 6)]')" '[["UBND tỉnh"], ["UBND tỉnh"]]'
run "$D" agency list --json
expect_eq "one agency for UBND tỉnh, none for Ủy ban nhân dân tỉnh" \
	"$(json '[a["code"] for a in j if "nhân dân tỉnh" in a["name"] and "Tài chính" not in a["name"] or a["name"] == "UBND tỉnh"]')" \
	'["ubndt"]'
expect_eq "it leads two tasks (3 and 6)" "$(json '[a["tasks"] for a in j if a["code"] == "ubndt"]')" '[2]'
expect_rc 0 "the long name finds it as an alias: a person added by it" \
	"$D" person add --name "Trần Văn Bình" --agency "Ủy ban nhân dân tỉnh" --role focal
expect_grep "belongs to ubndt" out "cán bộ đầu mối của UBND tỉnh \\(ubndt\\)\.$"
run "$D" agency list --json

# --- codes: never a digit beside another agency's code --------------------------------------------
expect_eq "Sở Nội vụ is snv, Sở Ngoại vụ sngv (not snv2)" \
	"$(json '{a["name"]: a["code"] for a in j if a["name"] in ("Sở Nội vụ", "Sở Ngoại vụ")}')" \
	'{"Sở Ngoại vụ": "sngv", "Sở Nội vụ": "snv"}'
expect_eq "no code made by the import ends in a digit" \
	"$(json '[a["code"] for a in j if a["code"][-1].isdigit()]')" '[]'
expect_eq "6 agencies: the 4 named, and the 2 cells kept whole" "$(json 'len(j)')" 6

# --- once the unknown part is an agency, the same table splits ------------------------------------
export DONDOC_NOW=2025-06-03T09:00
expect_rc 0 "agency add picks codes the same way: Sở Nông vụ beside snv and sngv" \
	"$D" agency add --name "Sở Nông vụ"
expect_grep "its code takes more letters, not a digit" out "^Đã thêm cơ quan snongvu: Sở Nông vụ"
expect_rc 65 "agency add of a name that exists is refused" "$D" agency add --name "SỞ NGOẠI VỤ"
expect_grep "naming the agency and its code, not a code picked past it" err \
	"agency 'Sở Ngoại vụ' already exists \(code 'sngv'\)"
expect_rc 0 "Sở Mới is added" "$D" agency add --name "Sở Mới"
expect_rc 0 "the table is imported again" "$D" import tasks.tsv
expect_no_grep "no warning about Sở Mới now" err "Sở Mới"
run "$D" task show 5 --json
expect_eq "'Sở Nội vụ, Sở Mới' is now its two agencies" "$(json 'j["lead_agencies"]')" \
	'["Sở Nội vụ", "Sở Mới"]'
expect_grep "and the change of leads is in the task's history" out '"kind": "leads"'

# --- the abbreviation file: missing or malformed, named with its key, nothing imported ------------
sum=$(db_sum)
{ conf_general; printf 'abbreviations = %s/nowhere.ini\n' "$T"; } >bad.conf
expect_rc 78 "a missing abbreviation file named in the configuration stops the import" \
	env DONDOC_CONFIG="$T/bad.conf" "$D" import tasks.tsv
expect_grep "naming the file and the key" err \
	"nowhere.ini: cannot open: No such file or directory \(the abbreviations of agency names, \[general\] abbreviations in .*bad.conf\); nothing was imported"
printf '[abbreviations]\nUBND = Ủy ban nhân dân\nUBND = Ủy ban\n' >abbr.ini
{ conf_general; printf 'abbreviations = %s/abbr.ini\n' "$T"; } >bad.conf
expect_rc 78 "a malformed abbreviation file stops the import" \
	env DONDOC_CONFIG="$T/bad.conf" "$D" import tasks.tsv
expect_grep "naming file:line, what is wrong and the key" err \
	"abbr.ini:3: 'UBND' is given twice \(the abbreviations of agency names, \[general\] abbreviations"
expect_eq "and nothing changed" "$(db_sum)" "$sum"

# --- the history replays the agencies, aliases and leads ------------------------------------------
expect_rc 0 "dondoc verify" "$D" verify

#!/bin/sh
# The committee's two appendix tables (../shared/fixtures): import them,
# check the registry field by field, re-import (nothing changes), import in
# the other order, --dry-run, and the overdue list and traffic lights at a
# pinned date.
. "$(dirname "$0")/../lib.sh"

if [ -z "$FIXTURES" ]; then
	skip "appendix fixtures import" "../shared/fixtures is missing"
	exit 0
fi
# The repository's schedules, with the abbreviations of agency names.
conf_general >dondoc.conf
export DONDOC_CONFIG="$T/dondoc.conf"
A1=$FIXTURES/appendix-1-status.tsv
A2=$FIXTURES/appendix-2-deadlines.tsv

# q FILE EXPR: evaluates EXPR over the task array in FILE (a saved
# "task list --json"); t("words") is the one task whose title holds them.
QPY='
import json, sys
ts = json.load(open(sys.argv[1]))
def t(s):
    m = [x for x in ts if s in x["title"]]
    if len(m) != 1:
        raise Exception("%d tasks have %r in their title" % (len(m), s))
    return m[0]
def n(**kw):
    return len([x for x in ts if all(x[k] == v for k, v in kw.items())])
try:
    r = eval(sys.argv[2])
except Exception as e:
    r = "error: %s" % e
print(r if isinstance(r, str) else json.dumps(r, ensure_ascii=False))
'
q() { $PY -c "$QPY" "$@"; }
count() { sqlite3 "$DONDOC_DB" "SELECT count(*) FROM $1"; }
# The summary numbers of an import's stdout: "added updated unchanged agencies errors warnings".
summary() {
	sed -n 's/.*: \([0-9]*\) dòng: thêm \([0-9]*\) nhiệm vụ, cập nhật \([0-9]*\), không đổi \([0-9]*\); thêm \([0-9]*\) cơ quan; \([0-9]*\) dòng có lỗi, \([0-9]*\) cảnh báo$/\1 \2 \3 \4 \5 \6 \7/p' out
}

# The tables are loaded before the days the checks below travel to: the
# history runs forward (an event dated before the last one is refused).
export DONDOC_NOW=2025-10-01T08:00
expect_rc 0 "init creates the registry" "$DONDOC" init

# --- appendix 1, then appendix 2 ------------------------------------------
expect_rc 0 "appendix 1 imports with exit 0 (the footnote is only a note)" "$DONDOC" import "$A1"
expect_eq "appendix 1: 22 rows, 22 added, 6 agencies, no error, one warning" "$(summary)" "22 22 0 0 6 0 1"
expect_grep "appendix 1: the footnote of line 12 is reported as a note" err \
	'appendix-1-status\.tsv:12: note: .*Đến ngày 15/9/2025'
# A new agency whose name has commas may be a list of agencies no one has
# added yet: said once.  "các sở, ban, ngành" is a collective: not said.
expect_grep "appendix 1: the one warning: a new agency with commas in its name, kept whole" err \
	"^appendix-1-status\.tsv: line 28: warning: 'Báo và phát thanh, truyền hình tỉnh' \(Cơ quan chủ trì thực hiện\) was taken as one new agency, 'bpttht'"
expect_eq "appendix 1: the footnote note and that warning are the only messages" "$(wc -l <err | tr -d ' ')" 2
expect_no_grep "appendix 1: no error on stderr" err 'error:'

expect_rc 0 "appendix 2 imports with exit 0" "$DONDOC" import "$A2"
expect_eq "appendix 2: 40 rows, 38 added, 2 unchanged (rows I.21-22 are II.1-2), 12 new agencies" \
	"$(summary)" "40 38 0 2 12 0 0"
expect_eq "appendix 2: nothing on stderr" "$(cat err)" ""

expect_eq "the registry holds exactly 60 tasks" "$(count task)" 60
expect_eq "the registry holds 18 agencies" "$(count agency)" 18
expect_eq "one 'created' event per task" "$(sqlite3 "$DONDOC_DB" "SELECT count(*) FROM event WHERE kind='created'")" 60
expect_eq "60 events in all after the two imports, and one per agency added (18)" \
	"$(count event)" 78

run "$DONDOC" task list --json
cp out all.json
expect_eq "task list --json lists 60 tasks" "$(q all.json 'len(ts)')" 60
expect_eq "status counts: 14 not achieved, 6 cannot assess, 2 in progress, 38 not started" \
	"$(q all.json '[n(status=s) for s in ("not_achieved","cannot_assess","in_progress","not_started","done")]')" \
	"[14, 6, 2, 38, 0]"
expect_eq "20 indicators (appendix 1 rows with an assessment only), 40 tasks" \
	"$(q all.json '[n(kind="indicator"), n(kind="task")]')" "[20, 40]"

# Row I.1
expect_eq "I.1 is an indicator, not achieved, of 328-KH/TU, no deadline" \
	"$(q all.json 'tuple(t("Tỷ lệ phủ sóng 5G")[k] for k in ("kind","status","document","deadline_raw","due","progress","done_at"))')" \
	'["indicator", "not_achieved", "328-KH/TU", "", null, 0, null]'
expect_eq "I.1 is led by Sở Khoa học và Công nghệ only" \
	"$(q all.json 't("Tỷ lệ phủ sóng 5G")["lead_agencies"]')" '["Sở Khoa học và Công nghệ"]'
# A code is the document's number and 8 hex digits of SHA-256 of the
# task's normalised text: the same in every registry made from the tables.
expect_eq "I.1's code is its document and the hash of its text" \
	"$(q all.json 't("Tỷ lệ phủ sóng 5G")["code"]')" \
	"328-KH/TU#$(printf '%s' 'ty le phu song 5g tren dia ban' | sha256sum | cut -c1-8)"
# Row I.2: two leads, in the order written
expect_eq "I.2 has two leads in order: Sở Nội vụ, Sở Khoa học và Công nghệ" \
	"$(q all.json 't("bồi dưỡng kỹ năng số căn bản")["lead_agencies"]')" \
	'["Sở Nội vụ", "Sở Khoa học và Công nghệ"]'
# Row I.15: Chưa đánh giá được
expect_eq "I.15 'Chưa đánh giá được' is cannot_assess" \
	"$(q all.json 't("kết quả nghiên cứu từ viện, trường")["status"]')" cannot_assess
# Row I.19: "và" inside a name is no separator
expect_eq "I.19 has one lead 'Sở Khoa học và Công nghệ và các Viện/trường' (no split on 'và')" \
	"$(q all.json 't("Doanh nghiệp vừa và nhỏ có hợp tác")["lead_agencies"]')" \
	'["Sở Khoa học và Công nghệ và các Viện/trường"]'
# Row I.20: three leads; "các sở, ban, ngành" is the agency "Các sở, ban, ngành"
expect_eq "I.20 has three leads, commas inside names kept" \
	"$(q all.json 't("địa phương ứng dụng công nghệ số")["lead_agencies"]')" \
	'["Sở Khoa học và Công nghệ", "Các sở, ban, ngành", "Địa phương"]'
# Row I.21 (= II.1): Quá hạn (Thời gian hoàn thành: Quý II)
expect_eq "I.21 is a task in progress due 2025-06-30 (quarter) of 01-CTr/BCĐ" \
	"$(q all.json 'tuple(t("Xây dựng chương trình chuyên biệt")[k] for k in ("kind","status","due","precision","deadline_raw","document"))')" \
	'["task", "in_progress", "2025-06-30", "quarter", "Quý II", "01-CTr/BCĐ"]'
expect_eq "I.22 (= II.2) is in progress, led by Các sở, ban, ngành" \
	"$(q all.json '(t("mỗi người dân có danh tính số")["status"], t("mỗi người dân có danh tính số")["lead_agencies"])')" \
	'["in_progress", ["Các sở, ban, ngành"]]'
# Appendix 2
expect_eq "II.4 'Thường xuyên' is recurring with no due date, one lead with commas" \
	"$(q all.json 'tuple(t("Bổ trí cán bộ có chuyên môn")[k] for k in ("deadline_raw","due","precision","lead_agencies","status"))')" \
	'["Thường xuyên", null, "recurring", ["Các sở, ban, ngành, địa phương"], "not_started"]'
expect_eq "II.5 'Theo tiến độ TW' is external with no due date" \
	"$(q all.json 'tuple(t("ngay khi Trung ương hoàn thiện thể chế")[k] for k in ("deadline_raw","due","precision"))')" \
	'["Theo tiến độ TW", null, "external"]'
expect_eq "II.6 'Quý IV' takes the document's year: 2025-12-31" \
	"$(q all.json 'tuple(t("giai đoạn 2025-2045")[k] for k in ("due","precision"))')" '["2025-12-31", "quarter"]'
expect_eq "II.10 '2025' is the year 2025" \
	"$(q all.json 'tuple(t("phát triển y tế thông minh")[k] for k in ("due","precision"))')" '["2025-12-31", "year"]'
expect_eq "II.15 'Tháng 9' is 2025-09-30 (month)" \
	"$(q all.json 'tuple(t("cây trồng vật nuôi chủ lực")[k] for k in ("deadline_raw","due","precision"))')" \
	'["Tháng 9", "2025-09-30", "month"]'
expect_eq "II.21 has two leads: Sở Nội vụ; Sở Khoa học và Công nghệ" \
	"$(q all.json 't("thu hút, trọng dụng, đãi ngộ")["lead_agencies"]')" '["Sở Nội vụ", "Sở Khoa học và Công nghệ"]'
II26='Rà soát, cập nhật các văn bản mới do Trung ương ban hành; trên cơ sở đó, tham mưu đề xuất việc sửa đổi, bổ sung hoặc xây dựng mới các văn bản của tỉnh nhằm đảm bảo sự phù hợp và gắn kết chặt chẽ với việc triển khai thực hiện Nghị quyết 57-NQ/TW'
expect_eq "II.26's title is joined across the repeated header (one space, ends with Nghị quyết 57-NQ/TW)" \
	"$(q all.json 't("Rà soát, cập nhật các văn bản mới")["title"]')" "$II26"
expect_eq "II.26 keeps its own deadline after the continuation row" \
	"$(q all.json 'tuple(t("Rà soát, cập nhật các văn bản mới")[k] for k in ("due","precision","lead_agencies"))')" \
	'["2025-12-31", "year", ["Các sở, ban, ngành, địa phương"]]'
expect_eq "II.32's continuation across the header is joined" \
	"$(q all.json 't("Chỉ đạo ban hành các quy định").get("title","").endswith("tổ chức lại các cơ quan hành chính nhà nước; các văn bản QPPL phục vụ công tác lãnh đạo, chỉ đạo, điều hành; các văn bản liên quan đến cơ chế chính sách phục vụ cho phát triển kinh tế xã hội, thu hút đầu tư, an sinh xã hội trên địa bàn tỉnh")')" true
expect_eq "II.39's continuation across the header is joined" \
	"$(q all.json 't("Chỉ đạo sắp xếp lại đội ngũ").get("title","").endswith("người lao động trong các cơ quan, đơn vị; thực hiện tinh giản biên chế theo Nghị định số 29/2023/NĐ-CP ngày 03/6/2023 của Chính phủ")')" true
expect_eq "no task title starts with a continuation's words" \
	"$(q all.json 'len([x for x in ts if x["title"].startswith(("các văn bản của tỉnh", "chính nhà nước", "các cơ quan, đơn vị"))])')" 0
expect_eq "II.27 leads: Sở Khoa học và Công nghệ and Các sở, ban, ngành (lower-case 'các' is the same agency)" \
	"$(q all.json 't("Cụ thể hoá Kế hoạch hành động số 328-KH/TU")["lead_agencies"]')" \
	'["Sở Khoa học và Công nghệ", "Các sở, ban, ngành"]'
expect_eq "II.28 'Trong năm 2025' is the year 2025" \
	"$(q all.json 'tuple(t("giám sát việc nâng cao hiệu quả")[k] for k in ("deadline_raw","due","precision"))')" \
	'["Trong năm 2025", "2025-12-31", "year"]'
expect_eq "II.29 'Quý IV/2025' is 2025-12-31 (quarter)" \
	"$(q all.json 'tuple(t("Đôn đốc, kiểm tra việc thực hiện các kết luận")[k] for k in ("deadline_raw","due","precision"))')" \
	'["Quý IV/2025", "2025-12-31", "quarter"]'
expect_eq "II.33 'Tháng 7/2025' is 2025-07-31 (month)" \
	"$(q all.json 'tuple(t("Điều chỉnh quy trình nghiệp vụ")[k] for k in ("deadline_raw","due","precision"))')" \
	'["Tháng 7/2025", "2025-07-31", "month"]'
expect_eq "II.40 (the last row) is there, led by Sở Xây dựng" \
	"$(q all.json 't("Hệ thống thông tin địa lý (GIS)")["lead_agencies"]')" '["Sở Xây dựng"]'
expect_eq "every appendix-2 task has a deadline text" \
	"$(q all.json 'len([x for x in ts if x["kind"] == "task" and not x["deadline_raw"]])')" 0

# Agencies
run "$DONDOC" agency list --json
cp out agencies.json
expect_eq "'Các sở, ban, ngành' and 'các sở, ban, ngành' are one agency" \
	"$($PY -c 'import json; a=json.load(open("agencies.json")); print(len([x for x in a if x["name"].lower() == "các sở, ban, ngành"]))')" 1
expect_eq "that agency leads 6 tasks (I.11, I.12, I.20, I.22, II.12, II.27)" \
	"$($PY -c 'import json; a=json.load(open("agencies.json")); print([x["tasks"] for x in a if x["name"].lower() == "các sở, ban, ngành"])')" "[6]"
expect_eq "'Các sở, ban, ngành, địa phương' is an agency of its own (4 tasks)" \
	"$($PY -c 'import json; a=json.load(open("agencies.json")); print([x["tasks"] for x in a if x["name"] == "Các sở, ban, ngành, địa phương"])')" "[4]"
expect_eq "Sở Khoa học và Công nghệ leads 30 tasks" \
	"$($PY -c 'import json; a=json.load(open("agencies.json")); print([x["tasks"] for x in a if x["name"] == "Sở Khoa học và Công nghệ"])')" "[30]"
expect_eq "no agency name was cut at 'và'" \
	"$($PY -c 'import json; a=json.load(open("agencies.json")); print(sorted(x["name"] for x in a if x["name"] in ("Sở Khoa học", "Công nghệ", "Công nghệ và các Viện/trường", "Sở Nông nghiệp", "Môi trường")))')" "[]"

# --- re-import: nothing changes -------------------------------------------
before=$(db_sum)
events=$(count event)
expect_rc 0 "re-importing appendix 1 exits 0" "$DONDOC" import "$A1"
expect_eq "re-importing appendix 1: 0 added, 0 updated, 22 unchanged, 0 agencies" "$(summary)" "22 0 0 22 0 0 0"
expect_rc 0 "re-importing appendix 2 exits 0" "$DONDOC" import "$A2"
expect_eq "re-importing appendix 2: 0 added, 0 updated, 40 unchanged, 0 agencies" "$(summary)" "40 0 0 40 0 0 0"
expect_eq "re-importing both leaves the registry unchanged" "$(db_sum)" "$before"
expect_eq "re-importing both adds no event" "$(count event)" "$events"
expect_eq "still 60 tasks after re-importing" "$(count task)" 60
expect_rc 0 "verify: the history is intact after the imports" "$DONDOC" verify
expect_grep "verify counts the 78 events" out '78 events'

# --- dry run ----------------------------------------------------------------
export DONDOC_DB="$T/dry.db"
run "$DONDOC" init
before=$(db_sum)
expect_rc 0 "--dry-run of appendix 2 on an empty registry exits 0" "$DONDOC" import --dry-run "$A2"
expect_eq "--dry-run reports what it would do: 40 added, 16 agencies (one kept whole, warned)" "$(summary)" "40 40 0 0 16 0 1"
expect_grep "--dry-run says nothing was written" out 'chạy thử, chưa ghi gì'
expect_eq "--dry-run wrote nothing" "$(db_sum)" "$before"
expect_eq "--dry-run left no task" "$(count task)" 0
run "$DONDOC" import "$A2"
before=$(db_sum)
expect_rc 0 "--dry-run of appendix 1 over appendix 2 exits 0" "$DONDOC" import "$A1" --dry-run
expect_eq "--dry-run of appendix 1 over appendix 2: 20 added, 2 updated, 2 agencies" "$(summary)" "22 20 2 0 2 0 0"
expect_eq "that --dry-run wrote nothing either" "$(db_sum)" "$before"

# --- the other order ----------------------------------------------------------
export DONDOC_DB="$T/reverse.db"
run "$DONDOC" init
expect_rc 0 "appendix 2 first imports with exit 0" "$DONDOC" import "$A2"
expect_eq "appendix 2 first: 40 added, 16 agencies (one kept whole, warned)" "$(summary)" "40 40 0 0 16 0 1"
expect_rc 0 "then appendix 1 imports with exit 0" "$DONDOC" import "$A1"
expect_eq "then appendix 1: 20 added, 2 updated (rows 21-22 get their status), 2 agencies" "$(summary)" "22 20 2 0 2 0 0"
expect_eq "the other order also gives exactly 60 tasks" "$(count task)" 60
expect_eq "the other order also gives 18 agencies" "$(count agency)" 18
run "$DONDOC" task list --json
cp out reverse.json
expect_eq "the other order: II.1 took appendix 1's status in_progress" \
	"$(q reverse.json 'tuple(t("Xây dựng chương trình chuyên biệt")[k] for k in ("status","due","precision"))')" \
	'["in_progress", "2025-06-30", "quarter"]'
expect_eq "the other order: the status change is an event" \
	"$(sqlite3 "$DONDOC_DB" "SELECT count(*) FROM event WHERE kind='status' AND old_value='not_started' AND new_value='in_progress'")" 2
expect_eq "the other order gives the same tasks with the same fields" \
	"$($PY -c '
import json
def key(f):
    return sorted((x["title"], x["kind"], x["status"], x["due"], x["precision"], x["deadline_raw"], tuple(x["lead_agencies"]), x["document"]) for x in json.load(open(f)))
print(key("all.json") == key("reverse.json"))')" True
# A task's code names its document and its number there: it must not
# depend on the order the tables were imported in.
expect_eq "task codes do not depend on the import order" \
	"$($PY -c '
import json
a = {x["title"]: x["code"] for x in json.load(open("all.json"))}
b = {x["title"]: x["code"] for x in json.load(open("reverse.json"))}
print(sorted("%s | %s" % (a[k], b[k]) for k in a if a[k] != b.get(k)) or "same")')" same
expect_rc 0 "verify passes on the other order's registry" "$DONDOC" verify

# --- overdue and lights at 2025-10-07 ------------------------------------------
export DONDOC_DB="$T/dondoc.db"
export DONDOC_NOW=2025-10-07T09:00
run "$DONDOC" task list --json
cp out now.json
expect_rc 0 "task list --overdue --json exits 0" "$DONDOC" task list --overdue --json
cp out overdue.json
expect_eq "14 tasks are overdue on 2025-10-07" "$(q overdue.json 'len(ts)')" 14
expect_eq "the overdue list is exactly the tasks due before 2025-10-07 and not done" \
	"$($PY -c '
import json
want = sorted(x["id"] for x in json.load(open("now.json")) if x["due"] and x["due"] < "2025-10-07" and x["status"] != "done")
got = sorted(x["id"] for x in json.load(open("overdue.json")))
print("same" if want == got else "want %s got %s" % (want, got))')" same
expect_eq "every overdue task is red and flagged overdue" \
	"$(q overdue.json 'sorted(set((x["light"], x["overdue"]) for x in ts))')" '[["red", true]]'
expect_eq "days_overdue counts calendar days since the due date" \
	"$(q overdue.json 'sorted(set((x["due"], x["days_overdue"]) for x in ts))')" \
	'[["2025-06-30", 99], ["2025-07-31", 68], ["2025-09-30", 7]]'
expect_eq "no task outside the overdue list is red" \
	"$(q now.json 'len([x for x in ts if x["kind"] == "task" and (x["light"] == "red") != x["overdue"]])')" 0
expect_eq "indicators: red exactly when chưa đạt, never overdue (README, Indicators)" \
	"$(q now.json 'len([x for x in ts if x["kind"] == "indicator" and ((x["light"] == "red") != (x["status"] == "not_achieved") or x["overdue"])])')" 0
expect_eq "a far deadline (Quý IV, 2025-12-31) is green" \
	"$(q now.json 't("Đôn đốc, kiểm tra việc thực hiện các kết luận")["light"]')" green
run "$DONDOC" task list --overdue
expect_grep "the overdue table ends with the count '14 nhiệm vụ'" out '^14 nhiệm vụ$'
expect_grep "the overdue table shows ĐỎ" out 'ĐỎ'

ID=$(q now.json 't("Bổ trí cán bộ có chuyên môn")["id"]')
expect_rc 0 "task set --deadline 21/10/2025 on a recurring task" "$DONDOC" task set "$ID" --deadline 21/10/2025
run "$DONDOC" task show "$ID" --json
expect_eq "due in 10 working days (Tue 7 -> Tue 21 Oct) is yellow, not overdue" \
	"$(json '(j["due"], j["precision"], j["light"], j["overdue"])')" '["2025-10-21", "day", "yellow", false]'
run "$DONDOC" task set "$ID" --deadline 22/10/2025
run "$DONDOC" task show "$ID" --json
expect_eq "due in 11 working days is green" "$(json '(j["due"], j["light"])')" '["2025-10-22", "green"]'
run "$DONDOC" task set "$ID" --deadline 7/10/2025
run "$DONDOC" task show "$ID" --json
expect_eq "due today is yellow and not yet overdue" "$(json '(j["light"], j["overdue"], j["days_overdue"])')" '["yellow", false, 0]'
run "$DONDOC" task set "$ID" --deadline 6/10/2025
run "$DONDOC" task show "$ID" --json
expect_eq "due yesterday is red, 1 day overdue" "$(json '(j["light"], j["overdue"], j["days_overdue"])')" '["red", true, 1]'
run "$DONDOC" task list --overdue --json
expect_eq "the overdue list now has 15 tasks" "$(json 'len(j)')" 15
OV=$(q overdue.json 'ts[0]["id"]')
expect_rc 0 "an overdue task is set done" "$DONDOC" task set "$OV" --status done
run "$DONDOC" task show "$OV" --json
expect_eq "a done task is neither overdue nor red" "$(json '(j["overdue"], j["light"], j["done_at"])')" \
	'[false, "green", "2025-10-07T09:00:00+07:00"]'
run "$DONDOC" task list --overdue --json
expect_eq "the done task left the overdue list" "$(json 'len(j) == 14 and '"$OV"' not in [x["id"] for x in j]')" true
expect_rc 0 "verify passes after the task changes" "$DONDOC" verify
exit 0

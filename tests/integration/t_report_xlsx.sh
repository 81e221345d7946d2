#!/bin/sh
# "dondoc report --xlsx": the workbook of the digest (issue 13), over the
# committee's two appendices and a few tasks with bad titles, read back
# with openpyxl and compared row by row with "task list --json": every
# task once, in its document's group, same title, agencies, deadline and
# state; the frozen header, the autofilter, the widths, the wrap, the
# lights as fills, the 40,000-character title cut with its mark; the
# sheet by agency; the same bytes twice; an unwritable path refused with
# nothing left behind; --agency.
. "$(dirname "$0")/../lib.sh"

export DONDOC_NOW=2025-10-01T08:00
expect_rc 0 "init creates the registry" "$DONDOC" init
if [ -n "$FIXTURES" ]; then
	expect_rc 0 "appendix 1 imports" "$DONDOC" import "$FIXTURES/appendix-1-status.tsv"
	expect_rc 0 "appendix 2 imports" "$DONDOC" import "$FIXTURES/appendix-2-deadlines.tsv"
	N_FIX=60
else
	skip "appendix fixtures in the workbook" "../shared/fixtures is missing"
	N_FIX=0
fi

# Bad titles: markup, quotes, emoji, newlines, 5,000 and 40,000 characters,
# an Excel escape look-alike and a formula look-alike.
$PY - <<'EOF'
import csv
doc = "Kế hoạch số 99-KH/BCĐ ngày 2/1/2025"
rows = [["STT", "Nhiệm vụ", "Văn bản giao nhiệm vụ", "Cơ quan chủ trì thực hiện",
         "Thời hạn hoàn thành"],
        ["1", "Nhiệm vụ <b>&amp; \"trích dẫn\" 'đơn' 😀🇻🇳 < & >", doc, "Sở Y tế", "31/12/2025"],
        ["2", "Dòng một\nDòng hai\r\nDòng ba", doc, "Sở Nội vụ", "Quý IV/2025"],
        ["3", "Dài " + "ệ" * 5000, doc, "Sở Y tế; Sở Nội vụ", "30/11/2025"],
        ["4", "Rất dài " + "a" * 40000, doc, "Sở Y tế", "30/11/2025"],
        ["5", "=1+1 công thức?", "", "Sở Tư pháp", "30/9/2025"]]
with open("bad.csv", "w", newline="") as f:
    csv.writer(f).writerows(rows)
EOF
expect_rc 0 "the bad titles import" "$DONDOC" import bad.csv
N_ALL=$((N_FIX + 5))

# States of every kind: done, in progress (behind), postponed, an indicator assessed.
id_of() { sql "SELECT id FROM task WHERE title LIKE '$1%' LIMIT 1"; }
B1=$(id_of 'Nhiệm vụ <b>')
B2=$(id_of 'Dòng một')
B5=$(id_of '=1+1')
export DONDOC_NOW=2025-10-02T08:00
expect_rc 0 "a task is done" "$DONDOC" task set "$B1" --status done --note 'Xong; ghi chú <&>'
expect_rc 0 "a task is postponed" "$DONDOC" task set "$B2" --status postponed
expect_rc 0 "a task is in progress" "$DONDOC" task set "$B5" --status in_progress --progress 40

export DONDOC_NOW=2025-10-10T08:00
expect_rc 0 "report --xlsx writes the workbook" "$DONDOC" report --xlsx r.xlsx
expect_grep "it says what it wrote, in Vietnamese" out "^Đã ghi r\.xlsx: [0-9]+ nhiệm vụ, [0-9]+ chỉ tiêu$"
said=$(sed -n 's/^Đã ghi r\.xlsx: \([0-9]*\) nhiệm vụ, \([0-9]*\) chỉ tiêu$/\1 \2/p' out)
run "$DONDOC" report --json
expect_eq "the figures it says are report's" "$said" \
	"$(json '"%d %d" % (j["counts"]["tasks"]["total"], j["counts"]["indicators"]["total"])')"
"$DONDOC" task list --json >all.json

# check.py WORKBOOK TASKS.json [AGENCY]: one line per finding, "ok" when none.
cat >check.py <<'EOF'
import json, sys, openpyxl
wb = openpyxl.load_workbook(sys.argv[1])
ts = json.load(open(sys.argv[2]))
agency = sys.argv[3] if len(sys.argv) > 3 else None
bad = []
ws = wb.worksheets[0]
head = [c.value for c in ws[1]]
want = ["STT", "Nhiệm vụ", "Văn bản giao nhiệm vụ", "Cơ quan chủ trì thực hiện",
        "Thời hạn hoàn thành", "Tình trạng", "Tiến độ", "Ghi chú"]
if head != want: bad.append("header %r" % head)
if ws.freeze_panes != "A2": bad.append("freeze %r" % ws.freeze_panes)
if ws.auto_filter.ref != "A1:H%d" % ws.max_row: bad.append("autofilter %r" % ws.auto_filter.ref)
for c in "ABCDEFGH":
    if not ws.column_dimensions[c].width or ws.column_dimensions[c].width < 6: bad.append("width " + c)
def state(t):
    if t["kind"] == "indicator":
        return {"done": "Đạt", "not_achieved": "Chưa đạt"}.get(t["status"], "Chưa đánh giá được")
    s = t["status"]
    if s == "done": return "Hoàn thành (trễ hạn)" if t["done_late"] else "Hoàn thành"
    if s == "postponed": return "Tạm hoãn"
    if s == "not_started": return "Quá hạn" if t["overdue"] else "Chưa thực hiện"
    return "Chậm tiến độ" if t["overdue"] else "Đang triển khai thực hiện"
fills = {"green": "FFC6EFCE", "yellow": "FFFFEB9C", "red": "FFFFC7CE"}
MARK = "… [đã cắt, xem hệ thống]"
def cell(s):
    s = (s or "").replace("\r\n", "\n")
    if sum(2 if ord(ch) > 0xFFFF else 1 for ch in s) > 32767:
        return None  # cut: checked apart
    return s
seen = {}
group = None
order = []
for r in ws.iter_rows(min_row=2):
    v = [c.value for c in r]
    if isinstance(v[0], str):  # a group row: "I", "II", ...
        group = v[2]
        order.append(group)
        n = 0
        continue
    n += 1
    if v[0] != n: bad.append("STT %r, wanted %d" % (v[0], n))
    key = (v[1], group)
    seen[key] = seen.get(key, 0) + 1
    if not r[1].alignment.wrap_text: bad.append("no wrap on row %d" % r[0].row)
    seen.setdefault("rows", []).append((v, r))
rows = seen.pop("rows", [])
if len(rows) != len(ts): bad.append("%d task rows, %d tasks" % (len(rows), len(ts)))
by_title = {}
for v, r in rows:
    by_title.setdefault(v[1], []).append((v, r))
cut = 0
for t in ts:
    title = cell(t["title"])
    if title is None:
        m = [x for x in by_title if x and x.endswith(MARK) and t["title"].startswith(x[:-len(MARK)])]
        if len(m) != 1: bad.append("cut title of %d not found" % t["id"]); continue
        units = sum(2 if ord(ch) > 0xFFFF else 1 for ch in m[0])
        if units > 32767: bad.append("cut title has %d units" % units)
        cut += 1
        title = m[0]
    got = by_title.get(title, [])
    if len(got) != 1: bad.append("task %d is in %d rows" % (t["id"], len(got))); continue
    v, r = got[0]
    if v[2] != t["document"]: bad.append("task %d: document %r, wanted %r" % (t["id"], v[2], t["document"]))
    grp = [k for k in seen if k[0] == v[1]]
    if [k[1] for k in grp] != [t["document"]]: bad.append("task %d in group %r" % (t["id"], grp))
    if (v[3] or "") != "; ".join(t["lead_agencies"]): bad.append("task %d: leads %r" % (t["id"], v[3]))
    if (v[4] or "") != t["deadline_raw"]: bad.append("task %d: deadline %r, wanted %r" % (t["id"], v[4], t["deadline_raw"]))
    if v[5] != state(t): bad.append("task %d: state %r, wanted %r" % (t["id"], v[5], state(t)))
    if t["kind"] == "task" and v[6] != t["progress"]: bad.append("task %d: progress %r" % (t["id"], v[6]))
    if r[5].fill.fill_type != "solid" or r[5].fill.fgColor.rgb != fills[t["light"]]:
        bad.append("task %d: fill %r for %s" % (t["id"], r[5].fill.fgColor.rgb, t["light"]))
    if not r[5].font.color or r[5].font.color.rgb in (None, "FFFFFFFF"):
        bad.append("task %d: no font colour on the light" % t["id"])
docs = sorted(set(t["document"] for t in ts if t["document"])) + ([None] if any(not t["document"] for t in ts) else [])
if order != docs: bad.append("groups %r, wanted %r" % (order, docs))
if len(wb.worksheets) != 2: bad.append("%d sheets" % len(wb.worksheets))
else:
    ws2 = wb.worksheets[1]
    if ws2.freeze_panes != "A2": bad.append("sheet 2 freeze")
    n2 = sum(1 for r in ws2.iter_rows(min_row=2, values_only=True) if isinstance(r[0], int))
    pairs = sum(max(1, len(t["lead_agencies"])) for t in ts)
    if agency is None and n2 != pairs: bad.append("sheet 2: %d task rows, %d (agency, task) pairs" % (n2, pairs))
    if agency is not None and n2 < len(ts): bad.append("sheet 2: %d task rows for %d tasks" % (n2, len(ts)))
print("\n".join(bad[:20]) if bad else "ok")
print("cut=%d" % cut, file=sys.stderr)
EOF
expect_eq "the workbook is the task list, row by row, group by group" \
	"$($PY check.py r.xlsx all.json 2>cut.txt)" "ok"
expect_eq "the 40,000-character title is the one cut" "$(cat cut.txt)" "cut=1"
expect_eq "every task of the registry is there" "$($PY -c 'import json; print(len(json.load(open("all.json"))))')" "$N_ALL"
expect_eq "a sheet by lead agency" \
	"$($PY -c 'import openpyxl; print(openpyxl.load_workbook("r.xlsx").sheetnames)')" \
	"['Báo cáo', 'Theo cơ quan chủ trì']"
expect_eq "the 5,000-character title whole, emoji and markup as typed" \
	"$($PY -c '
import openpyxl
ws = openpyxl.load_workbook("r.xlsx").worksheets[0]
t = [c.value for c in ws["B"] if isinstance(c.value, str)]
print(any(x == "Dài " + "ệ" * 5000 for x in t), any("😀🇻🇳 < & >" in x and "<b>&amp;" in x for x in t),
      any(x.startswith("=1+1") for x in t))')" "True True True"
expect_eq "the file is a zip with no .tmp left" "$(head -c 2 r.xlsx; ls | grep -c '\.tmp$')" "PK0"

run "$DONDOC" report --xlsx r2.xlsx
expect_rc 0 "the same registry twice gives the same bytes" cmp r.xlsx r2.xlsx

chmod 0555 "$T" 2>/dev/null
mkdir -p ro && chmod 0555 ro
if [ "$(id -u)" = 0 ]; then
	# root writes anywhere: a directory that is not there instead.
	RO=no/such/dir/r.xlsx
else
	RO=ro/r.xlsx
fi
chmod 0755 "$T"
run "$DONDOC" report --xlsx "$RO"
expect_eq "an unwritable path: exit 73 (cannot create)" "$rc" 73
expect_grep "... with one clear line naming it" err "^dondoc report: cannot write '$RO': "
expect_eq "... on one line, nothing from the library" "$(wc -l <err | tr -d ' ')" 1
expect_eq "... and nothing left behind" "$(ls ro; ls -d no 2>/dev/null)" ""
run "$DONDOC" report --xlsx r.xlsx --json
expect_eq "--xlsx with --json: a usage error" "$rc" 64

run "$DONDOC" report --xlsx sy.xlsx --agency 'Sở Y tế'
expect_eq "--agency: exit 0" "$rc" 0
"$DONDOC" task list --json --agency 'Sở Y tế' >sy.json
expect_eq "--agency: only its tasks, row by row" "$($PY check.py sy.xlsx sy.json sy 2>/dev/null)" "ok"
expect_eq "--agency: fewer tasks than the whole" \
	"$($PY -c 'import json; print(0 < len(json.load(open("sy.json"))) < len(json.load(open("all.json"))))')" True

# The sheet by agency: each lead agency of "report --by agency", in its
# order, with report's figures and its lights, coloured as its worst.
"$DONDOC" report --by agency --json >agencies.json
expect_eq "sheet 2: an agency row per report row, with its lights and figures" "$($PY - <<'EOF2'
import json, openpyxl
rows = json.load(open("agencies.json"))["by_agency"]
ws = openpyxl.load_workbook("r.xlsx").worksheets[1]
groups = [r for r in ws.iter_rows(min_row=2) if isinstance(r[0].value, str)]
bad = []
if len(groups) != len(rows): bad.append("%d groups, %d agencies" % (len(groups), len(rows)))
fills = {"red": "FFFFC7CE", "yellow": "FFFFEB9C", "green": "FFC6EFCE"}
for g, a in zip(groups, rows):
    name = a["name"] or "Nhiệm vụ chưa có cơ quan chủ trì"
    if not g[1].value.startswith(name): bad.append("group %r for %r" % (g[1].value, name))
    l = {k: a["tasks"]["lights"][k] + a["indicators"]["lights"][k] for k in fills}
    want = "ĐỎ %d · VÀNG %d · XANH %d" % (l["red"], l["yellow"], l["green"])
    if g[5].value != want: bad.append("%s: %r, wanted %r" % (name, g[5].value, want))
    worst = "red" if l["red"] else "yellow" if l["yellow"] else "green"
    if g[5].fill.fgColor.rgb != fills[worst]: bad.append("%s: fill %s" % (name, g[5].fill.fgColor.rgb))
    t = a["tasks"]
    if not (g[7].value or "").startswith("Nhiệm vụ: hoàn thành %d/%d" % (t["done"], t["total"])) and t["total"]:
        bad.append("%s: figures %r" % (name, g[7].value))
print("\n".join(bad) or "ok")
EOF2
)" "ok"

#!/bin/sh
# One table, every way it arrives (issue 12): pasted from Word (TSV), saved
# by Excel as CSV with ',' ';' or tab, with a UTF-8 BOM, as UTF-16 "Unicode
# Text" (LE and BE), as the .xlsx itself and as a .docx: each into a fresh
# registry, and "task list --json" must be the same for all.  Then rows
# above the header, and the files that must be refused with one line.
. "$(dirname "$0")/../lib.sh"

export DONDOC_NOW=2025-10-01T08:00

# The table is written here (never skips), in every form, by one python3
# run: python3-openpyxl and python3-docx make the Office files.
cat >gen.py <<'PY'
import csv, datetime, io, unicodedata, zipfile
HDR = ["STT", "Nhiệm vụ", "Văn bản giao nhiệm vụ", "Cơ quan chủ trì thực hiện", "Thời hạn hoàn thành"]
DOC = "Kế hoạch số 12-KH/UBND ngày 3/1/2025"
ROWS = [
    ["1.", "Tổ chức hội nghị sơ kết 6 tháng", DOC, "Sở Nội vụ", "30/06/2025"],
    ["2.", 'Triển khai "Chương trình chuyển đổi số", giai đoạn 2', DOC, "Sở Khoa học và Công nghệ", "Quý III"],
    ["", "và báo cáo kết quả", "", "", ""],
    ["3.", "Rà soát thủ tục hành chính; cắt giảm 20%", DOC, "Sở Tư pháp", "Tháng 10/2025"],
]
def table(sep):
    out = io.StringIO()
    w = csv.writer(out, delimiter=sep, lineterminator="\r\n")
    w.writerow(["PHỤ LỤC I"] + [""] * 4)
    w.writerow(HDR)
    w.writerows(ROWS)
    return out.getvalue()
def wr(name, data):
    open(name, "wb").write(data if isinstance(data, bytes) else data.encode())
# Word's paste: tabs, no quotes, "\n".
wr("paste.tsv", "PHỤ LỤC I\n" + "".join("\t".join(r) + "\n" for r in [HDR] + ROWS))
wr("comma.csv", table(","))
wr("semicolon.csv", table(";"))
wr("tab.txt", table("\t"))
wr("bom.csv", b"\xef\xbb\xbf" + table(",").encode())
wr("utf16le.txt", b"\xff\xfe" + table("\t").encode("utf-16-le"))
wr("utf16be.txt", b"\xfe\xff" + table("\t").encode("utf-16-be"))
import openpyxl
wb = openpyxl.Workbook()
ws = wb.active
ws.title = "Phụ lục I"
ws.append(["PHỤ LỤC I"])
ws.append(HDR)
for r in ROWS:
    ws.append([datetime.date(2025, 6, 30) if x == "30/06/2025" else (x or None) for x in r])
ws["E3"].number_format = "dd/mm/yyyy"   # a real date, shown as the others write it
wb.create_sheet("Ghi chú").append(["Không phải bảng"])
wb.save("table.xlsx")
import docx
d = docx.Document()
d.add_paragraph("PHỤ LỤC I")
t = d.add_table(rows=0, cols=5)
for r in [HDR] + ROWS:
    for c, v in zip(t.add_row().cells, r):
        c.text = v
d.save("table.docx")

# Rows copied from the middle: row 3 above the header (after a page break).
wr("middle.tsv", "\t".join(ROWS[3]) + "\n\n" + "".join("\t".join(r) + "\n" for r in [HDR] + ROWS[:3]))

# A continuation whose row is on the page before, a title between rows.
wr("middle2.tsv", "\tphần cuối của việc trước\t\t\t\n"
   "7.\tViệc bảy\t%s\tSở Y tế\tQuý IV\n\tvà tiếp\t\t\t\nPHỤ LỤC\n"
   "8.\tViệc tám\t%s\tSở Y tế\tQuý IV\n\n" % (DOC, DOC) + "\t".join(HDR) + "\n"
   "9.\tViệc chín\t%s\tSở Y tế\tQuý IV\n" % DOC)

# --- bad input ---
d = docx.Document()
d.add_paragraph("Báo cáo không có bảng nào.")
d.save("notable.docx")
# A sheet part of 24 MB of blanks, 24 KB packed: refused on its declared size.
zin = zipfile.ZipFile("table.xlsx")
def repack(name, sheet):
    with zipfile.ZipFile(name, "w", zipfile.ZIP_DEFLATED) as z:
        for i in zin.infolist():
            z.writestr(i.filename, sheet if i.filename == "xl/worksheets/sheet1.xml" else zin.read(i.filename))
repack("bomb.xlsx", b" " * (24 << 20))
# 20,000 empty rows under one cell in column 64 (BL): 300 KB of XML, 1.28
# million cells once padded to the table's width: refused on the count.
repack("padded.xlsx", ('<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        '<row r="1"><c r="BL1" t="inlineStr"><is><t>x</t></is></c></row>'
        + "".join('<row r="%d"/>' % i for i in range(2, 20002)) + '</sheetData></worksheet>').encode())
# The same, declaring 1000 bytes: refused while it unpacks.
repack("liar.xlsx", b" " * (24 << 20))
b = bytearray(open("liar.xlsx", "rb").read())
name = b"xl/worksheets/sheet1.xml"
for sig, off in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
    at = b.find(sig + b"", 0)
    while at >= 0:
        n = 30 if sig == b"PK\x03\x04" else 46
        ln = int.from_bytes(b[at + (26 if n == 30 else 28):at + (28 if n == 30 else 30)], "little")
        if b[at + n:at + n + ln] == name:
            b[at + off:at + off + 4] = (1000).to_bytes(4, "little")
        at = b.find(sig, at + 4)
open("liar.xlsx", "wb").write(bytes(b))
xl = open("table.xlsx", "rb").read()
wr("truncated.xlsx", xl[:len(xl) // 2])
# Office encrypts into an OLE container whose directory names EncryptedPackage.
wr("locked.xlsx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504) + "EncryptedPackage".encode("utf-16-le") + bytes(512))
def cp1258(s):
    tones = "\u0300\u0301\u0303\u0309\u0323"
    out = b""
    for c in s:
        n = unicodedata.normalize("NFD", c)
        out += (unicodedata.normalize("NFC", "".join(x for x in n if x not in tones)) +
                "".join(x for x in n if x in tones)).encode("cp1258")
    return out
wr("ansi.csv", cp1258(table(";")))
wr("nobom16.txt", table("\t").encode("utf-16-le"))
wr("which.csv", "a,b;c\r\nd,e;f\r\ng,h;i\r\n")
PY
if ! $PY gen.py 2>gen.err; then
	fail "the test files are made (python3-openpyxl, python3-docx)" "$(cat gen.err)"
	exit 0
fi

# --- the same table, nine ways -----------------------------------------------
# Each into its own registry; the JSON of the first is the reference.
for f in paste.tsv comma.csv semicolon.csv tab.txt bom.csv utf16le.txt utf16be.txt table.xlsx table.docx; do
	export DONDOC_DB="$T/$f.db"
	run "$DONDOC" init
	expect_rc 0 "$f imports with exit 0" "$DONDOC" import "$f"
	expect_grep "$f: 3 rows, 3 tasks, 3 agencies, no error" out \
		': 3 dòng: thêm 3 nhiệm vụ, cập nhật 0, không đổi 0; thêm 3 cơ quan; 0 dòng có lỗi, 0 cảnh báo$'
	"$DONDOC" task list --json >"$f.json" 2>&1
done
$PY -c 'import json,sys; j=json.load(open(sys.argv[1])); assert len(j) == 3; assert j[1]["title"].startswith("Triển khai \"Chương trình"), j[1]["title"]; assert j[0]["due"] == "2025-06-30"' paste.tsv.json 2>err &&
	pass "the pasted table gives 3 tasks, quotes in a title kept, the continuation joined" ||
	fail "the pasted table gives 3 tasks, quotes in a title kept, the continuation joined" "$(cat err) $(head -c 600 paste.tsv.json)"
for f in comma.csv semicolon.csv tab.txt bom.csv utf16le.txt utf16be.txt table.xlsx table.docx; do
	if cmp -s paste.tsv.json "$f.json"; then
		pass "$f gives the same tasks as the pasted table"
	else
		fail "$f gives the same tasks as the pasted table" "$(diff paste.tsv.json "$f.json" | head -20)"
	fi
done

# --- rows above the header -------------------------------------------------------
export DONDOC_DB="$T/middle.db"
run "$DONDOC" init
expect_rc 0 "a table copied from the middle imports with exit 0" "$DONDOC" import middle.tsv
expect_grep "the row above the header is read: 3 tasks" out ': 3 dòng: thêm 3 nhiệm vụ'
expect_grep "a note names the row above the header and the header's line" err \
	'^middle\.tsv:1: note: 1 row above the table header \(line 3\) read with its columns$'
"$DONDOC" task list --json >middle.json 2>&1
$PY -c '
import json, sys
key = lambda t: (t["title"], t["due"], t["lead_agencies"])
a, b = (sorted(map(key, json.load(open(f)))) for f in sys.argv[1:])
sys.exit(a != b)' paste.tsv.json middle.json &&
	pass "the same tasks as the whole table (title, due day, lead)" ||
	fail "the same tasks as the whole table (title, due day, lead)" "$(head -c 600 middle.json)"

expect_rc 0 "rows above the header, with a stray continuation and a title" "$DONDOC" import middle2.tsv
expect_grep "its rows 7 (continued) and 8 and 9 are read" out ': 3 dòng: thêm 3 nhiệm vụ'
expect_grep "one note for the 2 numbered rows above the header" err \
	'^middle2\.tsv:2: note: 2 rows above the table header \(line 7\) read with its columns$'
expect_grep "the continuation of a row not in the file is skipped with a note" err \
	"^middle2\.tsv:1: note: text before the table header skipped: 'phần cuối của việc trước'$"
expect_grep "the title between the rows is skipped with a note" err \
	"^middle2\.tsv:4: note: text before the table header skipped: 'PHỤ LỤC'$"
"$DONDOC" task list --json >out 2>&1
expect_eq "the continued row is joined" "$(json '[t["title"] for t in j if t["title"].startswith("Việc bảy")]')" '["Việc bảy và tiếp"]'

# --- refused as a whole -----------------------------------------------------
export DONDOC_DB="$T/bad.db"
run "$DONDOC" init
# refused NAME FILE REGEX [ARGS]: exit 65, one line on stderr matching REGEX.
refused() {
	name=$1 file=$2 re=$3
	shift 3
	expect_rc 65 "$name: exit 65" "$DONDOC" import "$file" "$@"
	if [ "$(wc -l <err | tr -d ' ')" = 1 ] && grep -Eq -- "$re" err &&
		grep -q 'nothing was imported$' err; then
		pass "$name: one line saying why"
	else
		fail "$name: one line saying why" "wanted one line matching '$re'; stderr: $(head -c 600 err)"
	fi
}
refused "a .docx with no table" notable.docx "'notable\.docx': it is a Word document with no table"
refused "a sheet that does not exist" table.xlsx "no sheet 'Nope' \(its sheets: 'Phụ lục I', 'Ghi chú'\)" --sheet Nope
refused "--sheet on a text table" paste.tsv "--sheet is for Excel workbooks" --sheet x
refused "a zip bomb posing as .xlsx" bomb.xlsx "unpacks to 25165824 bytes, more than the 16 MiB allowed"
refused "a zip bomb that lies about its size" liar.xlsx "unpacks to more than the 16 MiB allowed"
refused "empty rows padded to a wide row's width" padded.xlsx "more than 500000 cells, empty ones counted \(20001 rows of 64 columns\)"
refused "a truncated .xlsx" truncated.xlsx "'truncated\.xlsx': it is damaged"
refused "a password-protected .xlsx" locked.xlsx "'locked\.xlsx' is a password-protected Office document: remove the password"
refused "a CSV in Windows-1258" ansi.csv "line 1 is not valid UTF-8 .*looks like Windows-1258; save it as CSV UTF-8"
refused "UTF-16 without a BOM" nobom16.txt "looks like UTF-16 text without a byte order mark"
refused "a CSV whose separator cannot be decided" which.csv "cannot tell whether 'which\.csv' is separated by ';' or by ','"
expect_eq "nothing of the refused files is in the registry" \
	"$(sqlite3 "$DONDOC_DB" "SELECT count(*) FROM task; SELECT count(*) FROM agency; SELECT count(*) FROM event" | tr '\n' ' ')" "0 0 0 "
expect_rc 0 "the sheet named with --sheet is read" "$DONDOC" import table.xlsx --sheet "Phụ lục I"
expect_rc 0 "dondoc verify replays the history" "$DONDOC" verify

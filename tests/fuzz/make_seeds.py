#!/usr/bin/python3
"""Writes the committed seeds of the fuzz targets (tests/fuzz/corpus/NAME)
and their dictionaries (tests/fuzz/NAME.dict) from our own tests' inputs,
templates and example files.  Run from the top of the tree after changing
it; the output is committed.  ../shared's files are not copied: run.sh
adds them at run time (tests/fuzz/NAME.shared)."""
import glob
import io
import os
import re
import shutil
import unicodedata
import zipfile

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
F = os.path.join(TOP, "tests", "fuzz")


def corpus(name, items):
    d = os.path.join(F, "corpus", name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    for i, b in enumerate(items):
        if isinstance(b, str):
            b = b.encode()
        with open(os.path.join(d, "seed-%03d" % i), "wb") as f:
            f.write(b)


def dictionary(name, words):
    out = []
    seen = set()
    for w in words:
        for form in (w, unicodedata.normalize("NFD", w)):
            if form in seen:
                continue
            seen.add(form)
            esc = "".join(c if 0x20 <= ord(c) < 0x7f and c not in '"\\' else
                          "".join("\\x%02X" % b for b in c.encode()) for c in form)
            out.append('"%s"' % esc)
    with open(os.path.join(F, name + ".dict"), "w") as f:
        f.write("# libFuzzer dictionary (tests/fuzz/make_seeds.py): NFC and decomposed forms\n")
        f.write("\n".join(out) + "\n")


def test_strings(path):
    """The string literals of a unit test, as a source of realistic inputs."""
    text = open(os.path.join(TOP, path), encoding="utf-8").read()
    return sorted({s.encode().decode("unicode_escape").encode("latin-1").decode("utf-8", "replace")
                   for s in re.findall(r'"((?:[^"\\\n]|\\.){1,80})"', text) if "%" not in s})


# --- deadline ---
DEADLINE_WORDS = ["Quý", "Tháng", "tháng", "Năm", "năm", "Ngày", "ngày", "Hoàn thành", "trước",
                  "trong", "Thường xuyên", "Định kỳ", "định kỳ", "Hằng", "hằng", "Hàng", "hàng",
                  "tuần", "quý", "6 tháng", "một lần", "đầu năm", "cuối năm", "giữa năm",
                  "Nửa đầu năm", "Cuối", "Theo tiến độ TW", "Trung ương", "vào ngày", "I", "II",
                  "III", "IV", "/", "-", ".", ",", "(", ")", "2025", "29/02", "31/12",
                  "month:", "quarter:", "half:", "year:", "policy", "day", "unknown", "external"]
corpus("deadline", [s for s in test_strings("tests/unit/test_deadline.c")
                    if any(ch.isalpha() for ch in s) or "/" in s][:120])
dictionary("deadline", DEADLINE_WORDS)

# --- template: the shipped templates, then NUL and data ---
DATA = ('{"person":{"name":"Nguyễn Văn An"},"tasks":[{"id":27,"title":"A <b> & c",'
        '"late":true,"progress":60}],"count":1,"none":null,"list":[1,"x",{"y":2}]}')
tpl = []
for p in sorted(glob.glob(os.path.join(TOP, "templates", "vi", "*.mustache")))[::6]:
    tpl.append(open(p, "rb").read())
tpl += [b"{{#tasks}}{{id}}: {{title}} {{{title}}} {{&title}}{{/tasks}}\0" + DATA.encode(),
        b"{{=<% %>=}}<% person.name %><%={{ }}=%>{{! c }}{{^none}}n{{/none}}\0" + DATA.encode(),
        b"{{#list}}{{.}}{{> self}}{{/list}}\0" + DATA.encode(),
        b"{{a.b.c}}{{#a}}{{b.c}}{{/a}}\0{\"a\":{\"b\":{\"c\":[1,2.5,true]}}}"]
corpus("template", tpl)
dictionary("template", ["{{", "}}", "{{{", "}}}", "{{&", "{{#", "{{^", "{{/", "{{!", "{{>",
                        "{{=", "=}}", "<% %>", ".", "\x00", "{\"", "\":", "[", "]", "null",
                        "true", "false", "person", "tasks", "title"])

# --- config: the example with every default written out, and pieces ---
ex = open(os.path.join(TOP, "systemd", "dondoc.conf.example"), encoding="utf-8").read()
full = re.sub(r"(?m)^#([a-z_]+ =)", r"\1", ex)
sections = re.split(r"(?m)^(?=\[)", full)
corpus("config", [full] + [s for s in sections if s.startswith("[")])
dictionary("config", sorted(set(re.findall(r"(?m)^\[[a-z_]+\]", full)) |
                            set(re.findall(r"(?m)^([a-z_]+) =", full)) |
                            {" = ", "\n", "; ", "# ", "true", "false", "yes", "no", "0", "-1",
                             "http://", "https://", "127.0.0.1:", "[::1]:", "/", "ms", "s"}))

# --- schedule: the shipped policy, its sections ---
pol = open(os.path.join(TOP, "schedules", "policy.ini"), encoding="utf-8").read()
corpus("schedule", [pol] + [s for s in re.split(r"(?m)^(?=\[)", pol) if s.startswith("[")] +
       ["[hours]\nwork_start = 07:30\nwork_end = 17:30\n",
        "[calendar]\nholidays =\n[recurring]\nrrule = FREQ=MONTHLY;BYMONTHDAY=20\nbefore = 5, 1\n"])
dictionary("schedule", sorted(set(re.findall(r"(?m)^\[[a-z_]+\]", pol)) |
                              set(re.findall(r"(?m)^#? ?([a-z_]+) =", pol)) |
                              {" = ", "\n", "FREQ=", "MONTHLY", "WEEKLY", "YEARLY", "BYDAY=",
                               "BYMONTHDAY=", "INTERVAL=", "MO,TU,WE,TH,FR", ":", ",", "-"}))

# --- table: text tables of every separator and encoding, and Office zips ---
HDR = ["STT", "Nhiệm vụ", "Văn bản giao nhiệm vụ", "Cơ quan chủ trì thực hiện",
       "Cơ quan phối hợp", "Thời hạn hoàn thành", "Đánh giá"]
DOC = "Kế hoạch số 328-KH/TU ngày 24/4/2025"
ROWS = [["I", "CHUYỂN ĐỔI SỐ", "", "", "", "", ""],
        ["1.", "Xây dựng Cổng dữ liệu mở", DOC, "Sở Nội vụ; Sở KH&CN", "Sở Y tế, Sở Tài chính",
         "Quý IV/2025", "Chưa đạt"],
        ["", "(tiếp theo)", "", "", "", "", ""],
        ["2", "Báo cáo định kỳ", DOC, "Sở Văn hóa, Thể thao và Du lịch", "", "Ngày 20 hằng tháng",
         "Quá hạn (Thời gian hoàn thành: Quý II)"],
        ["3.1", "Việc \"trích\" dẫn", "Chương trình 5-CTr/TU", "Sở Y tế và Sở Tài chính", "",
         "30/02/2025", "Hoàn thành"]]


def text(sep, quote=False):
    def cell(c):
        return '"%s"' % c.replace('"', '""') if quote else c
    return "".join(sep.join(cell(c) for c in r) + "\r\n" for r in [HDR] + ROWS)


def zipped(parts, method):
    b = io.BytesIO()
    with zipfile.ZipFile(b, "w", method) as z:
        for n, data in parts:
            z.writestr(zipfile.ZipInfo(n, (2025, 1, 1, 0, 0, 0)), data, method)
    return b.getvalue()


RELS = ('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
        '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/officeDocument" Target="%s"/></Relationships>')
X = ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
WB = ('<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
      '2006/main"' + X + '><sheets><sheet name="Phụ lục I" sheetId="1" r:id="rId1"/></sheets>'
      '</workbook>')
WBRELS = ('<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/'
          '2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
          'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
          '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
          'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>')
SST = ('<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/'
       'main"><si><t>STT</t></si><si><r><t>Nhiệm </t></r><r><t>vụ</t></r></si></sst>')


def sheet():
    rows = []
    for i, r in enumerate([HDR] + ROWS, 1):
        cells = []
        for j, c in enumerate(r):
            ref = "%s%d" % ("ABCDEFG"[j], i)
            if not c:
                continue
            if i == 1 and j < 2:
                cells.append('<c r="%s" t="s"><v>%d</v></c>' % (ref, j))
            elif c.rstrip(".").isdigit():
                cells.append('<c r="%s"><v>%s</v></c>' % (ref, c.rstrip(".")))
            else:
                cells.append('<c r="%s" t="inlineStr"><is><t>%s</t></is></c>' %
                             (ref, c.replace("&", "&amp;").replace("<", "&lt;")))
        rows.append('<row r="%d">%s</row>' % (i, "".join(cells)))
    rows.append('<row r="9"><c r="F9"><v>45838</v></c></row>')
    return ('<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main"><sheetData>%s</sheetData></worksheet>' % "".join(rows))


W = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'


def document():
    trs = "".join("<w:tr>%s</w:tr>" % "".join(
        "<w:tc><w:p><w:r><w:t>%s</w:t></w:r></w:p></w:tc>" %
        c.replace("&", "&amp;").replace("<", "&lt;") for c in r) for r in [HDR] + ROWS)
    return ('<?xml version="1.0"?><w:document %s><w:body><w:p><w:r><w:t>PHỤ LỤC I</w:t></w:r>'
            '</w:p><w:tbl><w:tr><w:tc><w:tcPr><w:gridSpan w:val="2"/></w:tcPr><w:p><w:r><w:t>'
            'Gộp</w:t></w:r></w:p></w:tc></w:tr>%s</w:tbl></w:body></w:document>' % (W, trs))


XLSX = [("_rels/.rels", RELS % "xl/workbook.xml"), ("xl/workbook.xml", WB),
        ("xl/_rels/workbook.xml.rels", WBRELS), ("xl/worksheets/sheet1.xml", sheet()),
        ("xl/sharedStrings.xml", SST)]
DOCX = [("_rels/.rels", RELS % "word/document.xml"), ("word/document.xml", document())]
t = text("\t")
corpus("table", [t, text(","), text(";"), text(",", True), text("\t", True),
                 b"\xef\xbb\xbf" + text(",").encode(),
                 b"\xff\xfe" + t.encode("utf-16-le"), b"\xfe\xff" + t.encode("utf-16-be"),
                 t.encode("utf-16-le"),
                 "PHỤ LỤC I\n\n" + t + "\nGhi chú: ...\n",
                 zipped(XLSX, zipfile.ZIP_STORED), zipped(XLSX, zipfile.ZIP_DEFLATED),
                 zipped(DOCX, zipfile.ZIP_STORED), zipped(DOCX, zipfile.ZIP_DEFLATED)])
dictionary("table", HDR + ["Chưa đạt", "Hoàn thành", "Quá hạn", "Đang thực hiện", "Chưa đánh giá được",
                           "Sở ", "Sở Nội vụ", "Sở KH&CN", " và ", "; ", "Kế hoạch số ",
                           "Chương trình", "-KH/TU", "ngày ", "Quý ", "\t", "\r\n", '"', '""',
                           "\xef\xbb\xbf", "PK\x03\x04", "<w:tbl>", "<w:tr>", "<w:tc>",
                           "<w:gridSpan w:val=\"", "<row r=\"", "<c r=\"", "t=\"inlineStr\"",
                           "t=\"s\"", "<v>", "<is><t>", "<!DOCTYPE", "&amp;"])

# --- command: first byte who and how (fuzz_command.c), then the text ---
CMDS = ["/xong 1", "xong 1, 2 và 3", "/tiến độ 2 60%", "/tien_do 2 60", "/tiendo@DonDocBot 2 50%",
        "/giahan 1 30/11/2025 chờ vốn", "/duyet 1", "/tuchoi 1 không", "/vuong 1 thiếu người",
        "/xuly 1 đã họp", "/danhsach", "/quahan", "/baocao", "/baocao tongthe", "/lich",
        "/start ABCDEFGHJKLM", "ABCDEFGHJKLM", "/danhgia 7 đạt", "/ghichu 1 đang làm", "cảm ơn",
        "75%", "/help", "/xongg 1", "nhiệm vụ 29 xong", "/choduyet", "/kybao 6"]
seeds = []
for i, c in enumerate(CMDS):
    seeds.append(bytes([i % 6]) + c.encode())
seeds += [bytes([0x10]) + b"60", bytes([0x22]) + b"t:1:done", bytes([0x20]) + b"t:2:prog",
          bytes([0x23]) + b"t:1:ext", bytes([0x11]) + b"/xong"]
corpus("command", seeds)
dictionary("command", [c.split()[0] for c in CMDS if c.startswith("/")] +
           ["xong", "tiến độ", "gia hạn", "vướng", "nhiệm vụ", " và ", ", ", "%", "@DonDocBot",
            "t:", ":done", ":prog", ":ext", "đạt", "không đạt", "cảm ơn", "tháng", "/2025"])

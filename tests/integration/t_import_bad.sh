#!/bin/sh
# dondoc import on bad input: files refused as a whole (one line, the
# right exit status, the registry unchanged), rows refused one by one (the
# line named, the other rows imported, exit 1), and the awkward but valid
# inputs of DESIGN §2 (Excel CSV with BOM, quotes and CRLF; NFD text).
. "$(dirname "$0")/../lib.sh"

# Undo what the read-only checks do to files, whatever happens.
IMM=""
trap '[ -n "$IMM" ] && chattr -i "$IMM" 2>/dev/null; chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"' EXIT

DOC='Kế hoạch số 12-KH/UBND ngày 3/1/2025'
count() { sqlite3 "$DONDOC_DB" "SELECT count(*) FROM $1"; }
titles() { sqlite3 "$DONDOC_DB" "SELECT title FROM task ORDER BY id" | tr '\n' '|'; }
nfd() { $PY -c 'import sys,unicodedata; sys.stdout.write(unicodedata.normalize("NFD", sys.stdin.read()))'; }

# refused NAME RC FILE REGEX: the file is refused as a whole with exit RC,
# one line on stderr that matches REGEX and says nothing was imported,
# nothing on stdout, and the registry unchanged.
refused() {
	name=$1 want=$2 file=$3 re=$4
	before=$(db_sum)
	expect_rc "$want" "$name: exit $want" "$DONDOC" import "$file"
	if [ "$(wc -l <err | tr -d ' ')" = 1 ] && grep -Eq -- "$re" err &&
		grep -q 'nothing was imported$' err; then
		pass "$name: one line saying why and that nothing was imported"
	else
		fail "$name: one line saying why and that nothing was imported" \
			"wanted one line matching '$re'; stderr: $(head -c 600 err)"
	fi
	expect_eq "$name: nothing on stdout" "$(cat out)" ""
	expect_eq "$name: registry unchanged" "$(db_sum)" "$before"
}

# --- no registry yet ------------------------------------------------------
printf "$HDR"'1.\tViệc đầu tiên\t%s\tSở Y tế\tQuý II\n' "$DOC" >good.tsv
expect_rc 66 "import without a registry exits 66" "$DONDOC" import good.tsv
expect_grep "import without a registry says to run 'dondoc init'" err "dondoc init"
expect_eq "import without a registry prints one line" "$(wc -l <err | tr -d ' ')" 1
[ -e "$DONDOC_DB" ] && fail "import without a registry creates none" "$DONDOC_DB exists" ||
	pass "import without a registry creates none"

run "$DONDOC" init
expect_rc 0 "a good one-row table imports" "$DONDOC" import good.tsv
expect_eq "the registry holds that one task" "$(titles)" "Việc đầu tiên|"

# --- usage ----------------------------------------------------------------
expect_rc 64 "import without FILE exits 64" "$DONDOC" import
expect_grep "import without FILE says so" err "no FILE"
expect_rc 64 "import of two files at once exits 64" "$DONDOC" import good.tsv good.tsv
expect_rc 64 "import --year abc exits 64" "$DONDOC" import good.tsv --year abc

# --- files refused as a whole -----------------------------------------------
refused "missing file" 66 "$T/no-such-file.tsv" "cannot open '.*no-such-file\.tsv': No such file"
refused "a directory" 65 "$T" "not a regular file"
: >empty.tsv
refused "empty file" 65 empty.tsv "'empty\.tsv' is empty"
head -c 4096 /bin/ls >binary.tsv
refused "binary file (head -c 4096 /bin/ls)" 65 binary.tsv "binary file"
printf "$HDR"'1.\tViệc trước\t%s\tSở Y tế\tQuý II\nabc\000def\tx\n' "$DOC" >nul3.tsv
refused "NUL byte on line 3 after a good row" 65 nul3.tsv "line 3 .*NUL|NUL.*line 3"
printf "$HDR" >header-only.tsv
refused "header only" 65 header-only.tsv "header but no task rows"
printf "$HDR"'\n\n' >header-blank.tsv
refused "header and blank lines only" 65 header-blank.tsv "header but no task rows"
printf '\357\273\277' >bom-only.csv
refused "a BOM and nothing else" 65 bom-only.csv "no header"
printf 'Báo cáo tháng 9\nKhông có bảng nào ở đây\nHết\n' >prose.txt
refused "a text without a table header" 65 prose.txt "no header row"
# Latin-1: "Sở Y tế" cannot be written in Latin-1; "Sá Y tê" can.
printf "$HDR"'1.\tVi\352c m\364t\t%s\tS\341 Y t\352\tQu\375 II\n' "$DOC" >latin1.tsv
refused "Latin-1 bytes on line 2" 65 latin1.tsv "line 2 is not valid UTF-8"
printf 'STT\tNhi\352m v\371\n1.\tA\tB\n' >latin1-header.tsv
refused "Latin-1 header on line 1" 65 latin1-header.tsv "line 1 is not valid UTF-8"
printf "$HDR"'1.\tViệc hai\t%s\tSở Y tế\tQuý II\n2.\tVi\303\050c ba\t%s\tSở Y tế\tQuý III\n' "$DOC" "$DOC" >utf8-line3.tsv
refused "invalid UTF-8 on line 3 (after a good row)" 65 utf8-line3.tsv "line 3 is not valid UTF-8"
printf "$HDR"'1.\tA\300\257\t%s\tSở Y tế\tQuý II\n' "$DOC" >overlong.tsv
refused "overlong UTF-8 encoding" 65 overlong.tsv "line 2 is not valid UTF-8"
printf "$HDR"'1.\tA\355\240\200\t%s\tSở Y tế\tQuý II\n' "$DOC" >surrogate.tsv
refused "UTF-8 encoded surrogate" 65 surrogate.tsv "line 2 is not valid UTF-8"
printf "$HDR"'1.\tViệc\t%s\tSở Y tế\tQuý II\n2.\tA\341\273' "$DOC" >truncated.tsv
refused "UTF-8 sequence cut at the end of the file" 65 truncated.tsv "line 3 is not valid UTF-8"

# 50 MB of good rows: refused on its size, before reading it.
{ printf "$HDR"; yes "1.	Việc lớn	$DOC	Sở Y tế	Quý II" | head -c 52428800; } >big.tsv
t0=$($PY -c 'import time; print(int(time.monotonic()*1000))')
refused "50 MB file" 65 big.tsv "'big\.tsv' is 50.0 MiB, more than the 40 MiB"
t1=$($PY -c 'import time; print(int(time.monotonic()*1000))')
[ $((t1 - t0)) -lt $((3000 * SLOW)) ] && pass "50 MB file is refused in under 3 s" ||
	fail "50 MB file is refused in under 3 s" "took $((t1 - t0)) ms"
head -c $((40 * 1048576 + 1)) big.tsv >over40.tsv
refused "one byte over 40 MiB" 65 over40.tsv "more than the 40 MiB"
rm -f big.tsv over40.tsv

expect_eq "after every refused file the registry still holds one task" "$(titles)" "Việc đầu tiên|"

# --- rows refused one by one --------------------------------------------------
printf "$HDR"'1.\tViệc A1\t%s\tSở Y tế\tQuý II\n2.\tViệc A2\n3.\tViệc A3\t%s\tSở Nội vụ\tQuý III\n4.\n5.\tViệc A5\t%s\n6.\tViệc A6\t%s\tSở Y tế\n' \
	"$DOC" "$DOC" "$DOC" "$DOC" >short.tsv
expect_rc 1 "rows with too few columns: exit 1" "$DONDOC" import short.tsv
expect_grep "a 2-column row is named by its line (3)" err '^short\.tsv:3: error: '
expect_grep "a row with only its number is named by its line (5)" err '^short\.tsv:5: error: '
expect_grep "a row missing its lead agency is named by its line (6)" err '^short\.tsv:6: error: '
expect_grep "a row missing only its deadline cell is named by its line (7)" err '^short\.tsv:7: '
expect_grep "summary: 6 rows, 2 added, 4 with errors" out '6 dòng: thêm 2 nhiệm vụ, .* 4 dòng có lỗi'
expect_eq "the good rows of that file are imported" \
	"$(sqlite3 "$DONDOC_DB" "SELECT count(*) FROM task WHERE title IN ('Việc A1','Việc A3')")" 2
expect_eq "rows with errors are left out" \
	"$(sqlite3 "$DONDOC_DB" "SELECT count(*) FROM task WHERE title IN ('Việc A2','Việc A5')")" 0

printf "$HDR"'1.\tViệc B1\t%s\tSở Y tế\tQuý II\n2.\tViệc B2\t%s\tSở Y tế\t30/02/2025\n3.\tViệc B3\t%s\tSở Y tế\tTháng 13\n4.\tViệc B4\t%s\tSở Y tế\tQuý V\n5.\tViệc B5\t%s\tSở Y tế\tTháng 10\n' \
	"$DOC" "$DOC" "$DOC" "$DOC" "$DOC" >baddate.tsv
expect_rc 1 "impossible deadlines: exit 1" "$DONDOC" import baddate.tsv
expect_grep "30/02/2025 is an error naming line 3" err "^baddate\.tsv:3: error: .*30/02/2025"
expect_grep "Tháng 13 is an error naming line 4" err "^baddate\.tsv:4: error: .*Tháng 13"
expect_grep "Quý V is an error naming line 5" err "^baddate\.tsv:5: error: .*Quý V"
expect_eq "three error lines, nothing else" "$(wc -l <err | tr -d ' ')" 3
expect_grep "summary: 5 rows, 2 added, 3 with errors" out '5 dòng: thêm 2 nhiệm vụ, .* 3 dòng có lỗi, 0 cảnh báo'
expect_eq "the rows around the bad dates are imported with their due dates" \
	"$(sqlite3 "$DONDOC_DB" "SELECT group_concat(title||'='||due, ' ') FROM (SELECT title, due FROM task WHERE title LIKE 'Việc B%' ORDER BY title)")" \
	"Việc B1=2025-06-30 Việc B5=2025-10-31"

printf "$HDR"'1.\tViệc C1\t%s\tSở Y tế\tKhi có chỉ đạo của UBND tỉnh\n2.\tViệc C2\t%s\tSở Y tế\tTháng 11\n' "$DOC" "$DOC" >unknown.tsv
expect_rc 0 "an unknown deadline is only a warning: exit 0" "$DONDOC" import unknown.tsv
expect_grep "the warning names line 2 and the text" err "^unknown\.tsv:2: warning: .*Khi có chỉ đạo của UBND tỉnh"
expect_grep "summary: 2 added, 1 warning" out '2 dòng: thêm 2 nhiệm vụ, .* 0 dòng có lỗi, 1 cảnh báo$'
expect_eq "the row is imported with its text kept raw, precision unknown, no due date" \
	"$(sqlite3 "$DONDOC_DB" "SELECT deadline_raw||'|'||ifnull(due,'null')||'|'||precision FROM task WHERE title='Việc C1'")" \
	"Khi có chỉ đạo của UBND tỉnh|null|unknown"

printf "$HDR"'\tphần không có dòng nào trước\t\t\t\n1.\tViệc D1\t%s\tSở Y tế\tQuý II\n\tvà phần tiếp theo\t\t\t\n' "$DOC" >orphan.tsv
expect_rc 1 "a continuation row with no row before it: exit 1" "$DONDOC" import orphan.tsv
expect_grep "the orphan continuation is an error naming line 2" err "^orphan\.tsv:2: error: .*continues no row"
expect_eq "the next row is imported, with its own continuation joined" \
	"$(sqlite3 "$DONDOC_DB" "SELECT title FROM task WHERE title LIKE 'Việc D1%'")" "Việc D1 và phần tiếp theo"

printf "$HDR"'1.\tViệc E1\tChương trình 7-CTr/BCĐ\tSở Y tế\tQuý II\n2.\tViệc E2\tChương trình 7-CTr/BCĐ\tSở Y tế\tQuý IV/2026\n' >noyear.tsv
expect_rc 1 "a deadline with no year and an undated document, no --year: exit 1" "$DONDOC" import noyear.tsv
expect_grep "that row is an error naming line 2 and --year" err "^noyear\.tsv:2: error: .*--year"
expect_eq "the row with its own year is imported" \
	"$(sqlite3 "$DONDOC_DB" "SELECT group_concat(title||'='||due) FROM task WHERE title LIKE 'Việc E%'")" "Việc E2=2026-12-31"
expect_rc 0 "with --year 2026 the same file imports" "$DONDOC" import noyear.tsv --year 2026
expect_eq "--year gives 'Quý II' its year" \
	"$(sqlite3 "$DONDOC_DB" "SELECT due FROM task WHERE title='Việc E1'")" "2026-06-30"
printf "$HDR"'1.\tViệc E3\t%s\tSở Y tế\tQuý II\n' "$DOC" >docyear.tsv
expect_rc 0 "a dated document with --year 2030 imports" "$DONDOC" import docyear.tsv --year 2030
expect_eq "the document's year (2025) wins over --year" \
	"$(sqlite3 "$DONDOC_DB" "SELECT due FROM task WHERE title='Việc E3'")" "2025-06-30"

# Two rows of one file that are the same task (same text, same document)
# but say different things: the first must not vanish without a word.
printf "$HDR"'1.\tViệc trùng\t%s\tSở Y tế\tQuý II\n2.\tViệc trùng\t%s\tSở Nội vụ\tQuý IV\n' "$DOC" "$DOC" >dup.tsv
run "$DONDOC" import dup.tsv
if [ "$(sqlite3 "$DONDOC_DB" "SELECT count(*) FROM task WHERE title='Việc trùng'")" = 2 ] ||
	grep -Eq '^dup\.tsv:3: (error|warning)' err; then
	pass "a second, conflicting row for the same task is reported (line 3) or kept apart"
else
	fail "a second, conflicting row for the same task is reported (line 3) or kept apart" \
		"exit $rc; stdout: $(cat out); stderr: $(cat err)"
fi

# --- Excel CSV: BOM, quotes, commas and newlines in cells, CRLF ----------------
printf '\357\273\277STT,Nhiệm vụ,Văn bản giao nhiệm vụ,Cơ quan chủ trì thực hiện,Thời hạn hoàn thành\r\n' >excel.csv
printf '1,"Xây dựng kế hoạch, đề án chuyển đổi số\r\ncấp tỉnh",Kế hoạch số 5-KH/UBND ngày 2/1/2025,"Sở Nội vụ; Sở Y tế",Quý III\r\n' >>excel.csv
printf '2,"Việc ""đặc biệt"" số hai",Kế hoạch số 5-KH/UBND ngày 2/1/2025,"Các sở, ban, ngành, địa phương",Tháng 10\r\n' >>excel.csv
printf '3,Việc số ba,Kế hoạch số 5-KH/UBND ngày 2/1/2025,Sở Y tế,30/02/2025\r\n' >>excel.csv
printf '4,Việc số bốn,Kế hoạch số 5-KH/UBND ngày 2/1/2025,Sở Y tế,Thường xuyên\r\n' >>excel.csv
expect_rc 1 "Excel CSV with one bad date: exit 1" "$DONDOC" import excel.csv
expect_grep "the CSV's bad date names physical line 5 (a quoted cell spans lines 2-3)" err "^excel\.csv:5: error: .*30/02/2025"
expect_grep "CSV summary: 4 rows, 3 added, 1 error" out '4 dòng: thêm 3 nhiệm vụ, .* 1 dòng có lỗi'
run "$DONDOC" task list --json
expect_eq "the BOM is not part of the header: the comma-and-newline title is one title" \
	"$(json '[x["title"] for x in j if x["document"] == "5-KH/UBND"]')" \
	'["Xây dựng kế hoạch, đề án chuyển đổi số cấp tỉnh", "Việc \"đặc biệt\" số hai", "Việc số bốn"]'
expect_eq "a quoted 'Sở Nội vụ; Sở Y tế' gives two leads" \
	"$(json '[x["lead_agencies"] for x in j if x["title"].startswith("Xây dựng kế hoạch, đề án")]')" \
	'[["Sở Nội vụ", "Sở Y tế"]]'
expect_eq "a quoted agency with commas is one lead" \
	"$(json '[x["lead_agencies"] for x in j if "đặc biệt" in x["title"]]')" '[["Các sở, ban, ngành, địa phương"]]'
expect_eq "CRLF leaves no carriage return in any field" "$(json 'len([1 for x in j for v in x.values() if isinstance(v, str) and "\r" in v])')" 0
expect_eq "CRLF deadlines are read (Quý III, Tháng 10, Thường xuyên)" \
	"$(json '[(x["deadline_raw"], x["due"], x["precision"]) for x in j if x["document"] == "5-KH/UBND"]')" \
	'[["Quý III", "2025-09-30", "quarter"], ["Tháng 10", "2025-10-31", "month"], ["Thường xuyên", null, "recurring"]]'
printf "$HDR"'1.\tViệc F1\t%s\tSở Y tế\tQuý II\r\n\tcòn tiếp\t\t\t\r\n2.\tViệc F2\t%s\tSở Y tế\tTháng 12\r\n' "$DOC" "$DOC" >crlf.tsv
expect_rc 0 "TSV with CRLF line endings imports" "$DONDOC" import crlf.tsv
expect_eq "TSV with CRLF: fields clean, continuation joined" \
	"$(sqlite3 "$DONDOC_DB" "SELECT group_concat(title||'='||deadline_raw||'='||due, '|') FROM (SELECT * FROM task WHERE title LIKE 'Việc F%' ORDER BY id)")" \
	"Việc F1 còn tiếp=Quý II=2025-06-30|Việc F2=Tháng 12=2025-12-31"
printf 'STT,Nhiệm vụ,Văn bản giao nhiệm vụ,Cơ quan chủ trì thực hiện,Thời hạn hoàn thành\n1,"Việc G1 chưa đóng ngoặc,Kế hoạch 1-KH/UBND,Sở Y tế,Quý II\n2,Việc G2,Kế hoạch 1-KH/UBND,Sở Y tế,Quý III\n' >unterminated.csv
before=$(db_sum)
expect_rc 65 "a CSV quote never closed: the file is refused (exit 65), not a crash" "$DONDOC" import unterminated.csv
expect_grep "the unclosed quote's line is named (line 2)" err 'quoted cell that starts on line 2 is never closed'
expect_eq "a CSV quote never closed: nothing was imported" "$(db_sum)" "$before"

# --- NFD text matches NFC agencies and tasks --------------------------------------
agencies=$(count agency)
printf "$HDR"'1.\tViệc H1 có đủ dấu tiếng Việt\t%s\tSở Y tế; Sở Nội vụ\tQuý IV\n2.\tViệc đầu tiên\t%s\tSở Y tế\tQuý II\n' "$DOC" "$DOC" | nfd >nfd.tsv
if cmp -s nfd.tsv good.tsv || ! grep -q "$($PY -c 'print("\u0301")')" nfd.tsv; then
	fail "the NFD file really is decomposed" "no combining acute accent in nfd.tsv"
else
	pass "the NFD file really is decomposed"
fi
expect_rc 0 "an NFD file imports" "$DONDOC" import nfd.tsv
expect_grep "NFD: one task added, the NFC task found unchanged, no agency added" out \
	'2 dòng: thêm 1 nhiệm vụ, cập nhật 0, không đổi 1; thêm 0 cơ quan'
expect_eq "NFD agencies are the existing NFC ones" "$(count agency)" "$agencies"
expect_eq "the NFD title is stored as NFC" \
	"$(sqlite3 "$DONDOC_DB" "SELECT count(*) FROM task WHERE title='Việc H1 có đủ dấu tiếng Việt'")" 1
run "$DONDOC" task list --agency "Sở Nội vụ" --json
expect_eq "the NFD row is listed under the NFC agency Sở Nội vụ" \
	"$(json '[x["title"] for x in j if x["title"].startswith("Việc H1")]')" '["Việc H1 có đủ dấu tiếng Việt"]'
printf 'STT\tNhiệm vụ\tVăn bản giao nhiệm vụ\tCơ quan chủ trì thực hiện\tThời hạn hoàn thành\n1.\tViệc I1\t%s\tSở Y tế\tQuý I\n' "$DOC" | nfd >nfd-header.tsv
expect_rc 0 "an NFD header is recognised" "$DONDOC" import nfd-header.tsv
expect_eq "the NFD-header row got its deadline" "$(sqlite3 "$DONDOC_DB" "SELECT due FROM task WHERE title='Việc I1'")" 2025-03-31

# --- a long file: lines cross the read buffer -----------------------------------------
$PY -c '
import sys
out = open("many.tsv", "w", encoding="utf-8")
out.write("STT\tNhiệm vụ\tVăn bản giao nhiệm vụ\tCơ quan chủ trì thực hiện\tThời hạn hoàn thành\n")
for i in range(1, 3001):
    out.write("%d.\tNhiệm vụ số %d về chuyển đổi số, đổi mới sáng tạo ở xã phường\tKế hoạch số 99-KH/UBND ngày 5/5/2025\tỦy ban nhân dân xã số %d\tTháng %d\n" % (i, i, i % 7, i % 12 + 1))
'
expect_rc 0 "3000 rows (300 KB, lines crossing 64 KiB reads) import" "$DONDOC" import many.tsv
expect_grep "3000 rows: 3000 added, 7 agencies" out '3000 dòng: thêm 3000 nhiệm vụ, cập nhật 0, không đổi 0; thêm 7 cơ quan; 0 dòng có lỗi, 0 cảnh báo'
expect_eq "every title survived whole" \
	"$(sqlite3 "$DONDOC_DB" "SELECT count(*) FROM task WHERE title GLOB 'Nhiệm vụ số [0-9]* về chuyển đổi số, đổi mới sáng tạo ở xã phường'")" 3000

# --- read-only registry -------------------------------------------------------------
# A registry the user may read but not write: writes exit 77 and change
# nothing, reads still work.  Root ignores file modes, so as root the
# commands run as 'nobody' (setpriv), and the immutable flag is tried too.
mkdir ro
printf "$HDR"'1.\tViệc R1\t%s\tSở Y tế\tQuý II\n' "$DOC" >ro/r.tsv
run "$DONDOC" --db "$T/ro/dondoc.db" init
run "$DONDOC" --db "$T/ro/dondoc.db" import ro/r.tsv
AS=""
if [ "$(id -u)" = 0 ]; then
	if command -v setpriv >/dev/null 2>&1; then
		AS="setpriv --reuid=65534 --regid=65534 --clear-groups"
		chmod 755 "$T"
	else
		AS=none
	fi
fi
if [ "$AS" = none ]; then
	skip "read-only registry: writes exit 77" "running as root without setpriv: root ignores file modes"
else
	chmod 444 ro/dondoc.db ro/r.tsv
	chmod 555 ro
	sum0=$(cd ro && md5sum dondoc.db)
	expect_rc 0 "read-only registry: task list still works" $AS "$DONDOC" --db "$T/ro/dondoc.db" task list --json
	expect_eq "read-only registry: task list shows its task" "$(json '[x["title"] for x in j]' 2>/dev/null)" '["Việc R1"]'
	for c in "import ro/r.tsv" "task set 1 --progress 50" "agency add --name Sở_Mới" "agency alias syt YTT" \
		"person add --name An --agency syt --role focal"; do
		# shellcheck disable=SC2086
		expect_rc 77 "read-only registry: '$(echo "$c" | cut -d' ' -f1-2)' exits 77" $AS "$DONDOC" --db "$T/ro/dondoc.db" $c
		if [ "$(wc -l <err | tr -d ' ')" = 1 ] && grep -q "read-only" err; then
			pass "read-only registry: '$(echo "$c" | cut -d' ' -f1-2)' says read-only in one line"
		else
			fail "read-only registry: '$(echo "$c" | cut -d' ' -f1-2)' says read-only in one line" "$(cat err)"
		fi
	done
	expect_eq "read-only registry: the file is byte for byte unchanged" "$(cd ro && md5sum dondoc.db)" "$sum0"
	chmod 755 ro
	chmod 644 ro/dondoc.db
fi
if [ "$(id -u)" = 0 ]; then
	run "$DONDOC" init
	before=$(db_sum)
	if chattr +i "$DONDOC_DB" 2>/dev/null; then
		IMM=$DONDOC_DB
		expect_rc 77 "immutable registry (chattr +i, as root): import exits 77" "$DONDOC" import good.tsv
		expect_grep "immutable registry: the message says read-only" err "read-only"
		expect_rc 77 "immutable registry: task set exits 77" "$DONDOC" task set 1 --status done
		expect_rc 0 "immutable registry: task list still works" "$DONDOC" task list
		chattr -i "$DONDOC_DB"
		IMM=""
		expect_eq "immutable registry: nothing changed" "$(db_sum)" "$before"
	else
		skip "immutable registry (chattr +i, as root)" "chattr +i is not supported here"
	fi
fi

# --- not a registry ---------------------------------------------------------------
echo "this is not SQLite" >notdb.db
expect_rc 65 "a file that is not SQLite as the registry: import exits 65" "$DONDOC" --db "$T/notdb.db" import good.tsv
expect_grep "that file is named as not a dondoc database" err "not a dondoc database"
expect_eq "that file is left as it was" "$(cat notdb.db)" "this is not SQLite"

# A CSV cell whose quote never closes would swallow the rest of the file.
printf 'STT,Nhiệm vụ,Văn bản giao nhiệm vụ,Cơ quan chủ trì thực hiện,Thời hạn hoàn thành\n1.,"Việc Q1,%s,Sở Y tế,Quý II\n2.,Việc Q2,%s,Sở Y tế,Quý III\n' "$DOC" "$DOC" >openquote.csv
before=$(db_sum)
expect_rc 65 "a quote that never closes: exit 65" "$DONDOC" import openquote.csv
expect_grep "a quote that never closes: the line where it opens is named" err "quoted cell that starts on line 2 is never closed; nothing was imported"
expect_eq "a quote that never closes: nothing was imported" "$(db_sum)" "$before"

# A deadline cell left empty in a table of deadlines is said, not silent.
printf "$HDR"'1.\tViệc không hạn\t%s\tSở Y tế\t\n' "$DOC" >nodeadline.tsv
expect_rc 0 "an empty deadline cell: the row is imported" "$DONDOC" import nodeadline.tsv
expect_grep "an empty deadline cell: a warning names line 2" err "^nodeadline\.tsv:2: warning: row '1' has no deadline"
expect_eq "an empty deadline cell: the task needs a date" \
	"$(sqlite3 "$DONDOC_DB" "SELECT precision||'|'||ifnull(due,'-') FROM task WHERE title='Việc không hạn'")" "unknown|-"

# The same deadline written with a trailing dot is no change.
printf "$HDR"'1.\tViệc có dấu chấm\t%s\tSở Y tế\tQuý III\n' "$DOC" >dot1.tsv
printf "$HDR"'1.\tViệc có dấu chấm\t%s\tSở Y tế\tquý III.\n' "$DOC" >dot2.tsv
run "$DONDOC" import dot1.tsv
events=$(sqlite3 "$DONDOC_DB" "SELECT count(*) FROM event")
expect_rc 0 "'quý III.' after 'Quý III' imports" "$DONDOC" import dot2.tsv
expect_grep "'quý III.' after 'Quý III' is unchanged" out "cập nhật 0, không đổi 1"
expect_eq "'quý III.' after 'Quý III' records no event" "$(sqlite3 "$DONDOC_DB" "SELECT count(*) FROM event")" "$events"

# Cooperating agencies (Cơ quan phối hợp), many per task, kept apart from the leads.
CHDR='STT\tNhiệm vụ\tVăn bản giao nhiệm vụ\tCơ quan chủ trì\tCơ quan phối hợp\tThời hạn hoàn thành\n'
printf "$CHDR"'1.\tViệc phối hợp\t%s\tSở Y tế\tSở Nội vụ; Công an tỉnh\tQuý II\n' "$DOC" >coop1.tsv
printf "$CHDR"'1.\tViệc phối hợp\t%s\tSở Y tế\tSở Nội vụ\tQuý II\n' "$DOC" >coop2.tsv
expect_rc 0 "a table with Cơ quan phối hợp imports" "$DONDOC" import coop1.tsv
id=$(sqlite3 "$DONDOC_DB" "SELECT id FROM task WHERE title='Việc phối hợp'")
run "$DONDOC" task show "$id" --json
expect_eq "cooperating agencies are listed in order, apart from the lead" \
	"$(json '[j["lead_agencies"], j["cooperating_agencies"]]')" '[["Sở Y tế"], ["Sở Nội vụ", "Công an tỉnh"]]'
expect_rc 0 "a changed Cơ quan phối hợp re-imports" "$DONDOC" import coop2.tsv
expect_grep "a changed Cơ quan phối hợp is an update" out "thêm 0 nhiệm vụ, cập nhật 1"
run "$DONDOC" task show "$id" --json
expect_eq "the cooperating agencies are replaced" "$(json 'j["cooperating_agencies"]')" '["Sở Nội vụ"]'
expect_eq "the change is an event with old and new names" \
	"$(json '[(e["old"], e["new"]) for e in j["events"] if e["kind"] == "cooperating"]')" \
	'[["Sở Nội vụ; Công an tỉnh", "Sở Nội vụ"]]'
run "$DONDOC" task list --agency "Công an tỉnh" --json
expect_eq "--agency lists tasks an agency leads, not those it cooperates on" \
	"$(json '[t["title"] for t in j if t["title"] == "Việc phối hợp"]')" '[]'

# --- issue 10: import of a FIFO blocks for ever ---------------------------------------
mkfifo fifo.tsv
before=$(db_sum)
t0=$($PY -c 'import time; print(int(time.monotonic()*1000))')
expect_rc 65 "import of a FIFO blocks for ever: refused at once (exit 65)" timeout 10 "$DONDOC" import fifo.tsv
t1=$($PY -c 'import time; print(int(time.monotonic()*1000))')
[ $((t1 - t0)) -lt $((3000 * SLOW)) ] && pass "import of a FIFO blocks for ever: answered in under 3 s" ||
	fail "import of a FIFO blocks for ever: answered in under 3 s" "took $((t1 - t0)) ms"
expect_grep "the FIFO is named as such" err "^dondoc import: 'fifo\.tsv' is a FIFO \(named pipe\), not a regular file.*nothing was imported$"
expect_eq "the FIFO: registry unchanged" "$(db_sum)" "$before"
expect_rc 65 "a character device (/dev/zero) is refused too" timeout 10 "$DONDOC" import /dev/zero
expect_grep "naming it a device" err "'/dev/zero' is a device, not a regular file"
ln -s good.tsv link.tsv
expect_rc 0 "a symbolic link to a table still imports" "$DONDOC" import link.tsv

# --- issue 10: a 1 MB junk line is echoed to stderr whole ------------------------------------
# Junk of 3-byte characters, so that a cut at 200 bytes falls inside one;
# 900 kB a line, under the 1 MiB a line may have.
$PY -c '
junk = "ệ" * 300000
doc = "Kế hoạch số 12-KH/UBND ngày 3/1/2025"
with open("junk.tsv", "w", encoding="utf-8") as f:
    f.write("STT\tNhiệm vụ\tVăn bản giao nhiệm vụ\tCơ quan chủ trì thực hiện\tThời hạn hoàn thành\n")
    f.write("1.\tViệc trước dòng rác\t%s\tSở Y tế\tQuý II\n" % doc)
    f.write("1" * 600000 + "\tViệc có số thứ tự rác\t%s\tSở Y tế\t%s\n" % (doc, junk[:100000]))
    f.write(junk + "\n")
    f.write("x" * 900000 + "\tViệc\t%s\tSở Y tế\tQuý II\n" % doc)
    f.write("2.\tViệc sau dòng rác\t%s\tSở Y tế\tQuý II\n" % doc)
with open("junk.csv", "w", encoding="utf-8") as f:
    f.write(junk + "\n")
    f.write("STT,Nhiệm vụ,Văn bản giao nhiệm vụ,Cơ quan chủ trì thực hiện,Thời hạn hoàn thành\n")
    f.write("1,Việc của tệp CSV có dòng rác,%s,Sở Y tế,Quý II\n" % doc)
'
expect_rc 1 "a 1 MB junk line is echoed to stderr whole: the file still imports (exit 1)" "$DONDOC" import junk.tsv
expect_eq "a 1 MB junk line is echoed to stderr whole: no line of stderr is over 600 bytes (two cells quoted at most)" \
	"$($PY -c 'print(max(len(l) for l in open("err", "rb")))' | awk '{ print ($1 <= 600) }')" 1
expect_eq "every message is still valid UTF-8 (cut on a character boundary)" \
	"$($PY -c 'open("err", "rb").read().decode("utf-8"); print("ok")')" ok
expect_eq "each quoted cell is cut to 200 bytes, '…' included" \
	"$($PY -c '
import re
q = [m.group(1) for l in open("err", encoding="utf-8") for m in re.finditer(r"\x27([^\x27]*…)\x27", l)]
print(len(q) >= 4 and all(len(x.encode()) <= 200 for x in q))')" True
expect_grep "the junk deadline is still told, by its line" err "^junk\.tsv:3: (error|warning): row '1111+…'.*deadline 'ệệệ+…'"
expect_grep "the junk line is still told, by its line" err "^junk\.tsv:4: note: footnote skipped: 'ệệệ+…'$"
expect_grep "the junk row number is still told, by its line" err "^junk\.tsv:5: error: 'xxx+…' is not a row number"
expect_eq "the good rows around the junk are imported" \
	"$(sqlite3 "$DONDOC_DB" "SELECT count(*) FROM task WHERE title IN ('Việc trước dòng rác', 'Việc sau dòng rác')")" 2
expect_rc 0 "a CSV with a junk line above its header imports" "$DONDOC" import junk.csv
expect_grep "and the junk line is told cut" err "^junk\.csv:1: note: text before the table header skipped: 'ệệệ+…'$"
expect_eq "no line of that stderr is over 600 bytes" \
	"$($PY -c 'print(max(len(l) for l in open("err", "rb")))' | awk '{ print ($1 <= 600) }')" 1

# --- issue 10: one row with 20,000 ;-separated leads creates 20,000 agencies -----------------------
$PY -c '
with open("leads.tsv", "w", encoding="utf-8") as f:
    f.write("STT\tNhiệm vụ\tVăn bản giao nhiệm vụ\tCơ quan chủ trì thực hiện\tThời hạn hoàn thành\n")
    f.write("1.\tViệc của hai vạn cơ quan\tKế hoạch số 12-KH/UBND ngày 3/1/2025\t" + "; ".join("Phòng số %d" % i for i in range(20000)) + "\tQuý II\n")
    f.write("2.\tViệc của hai mươi cơ quan\tKế hoạch số 12-KH/UBND ngày 3/1/2025\t" + "; ".join("Ban số %d" % i for i in range(20)) + "\tQuý III\n")
    f.write("3.\tViệc của hai mươi mốt cơ quan\tKế hoạch số 12-KH/UBND ngày 3/1/2025\t" + "; ".join("Tổ số %d" % i for i in range(21)) + "\tQuý III\n")
'
agencies=$(count agency)
expect_rc 1 "One row with 20,000 ;-separated leads creates 20,000 agencies: that row is an error (exit 1)" "$DONDOC" import leads.tsv
expect_grep "One row with 20,000 ;-separated leads creates 20,000 agencies: the row is named by its line" err \
	"^leads\.tsv:2: error: row '1' names 20000 lead agencies .*more than the 20 a task can have: left out$"
expect_grep "21 leads are refused too" err "^leads\.tsv:4: error: row '3' names 21 lead agencies"
expect_eq "One row with 20,000 ;-separated leads creates 20,000 agencies: only the row of 20 added its 20" \
	"$(count agency)" $((agencies + 20))
expect_eq "the row of 20 leads is imported, the others left out" \
	"$(sqlite3 "$DONDOC_DB" "SELECT group_concat(title, '|') FROM task WHERE title LIKE 'Việc của hai%'")" "Việc của hai mươi cơ quan"
exit 0

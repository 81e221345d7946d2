#!/bin/sh
# dondoc deadline parse: every expression of DESIGN §3, its due date and
# precision, the exit statuses (0 understood, 1 unknown, 2 invalid, 64
# usage), case, diacritics, NFD and trailing punctuation.
. "$(dirname "$0")/../lib.sh"

nfd() { $PY -c 'import sys,unicodedata; print(unicodedata.normalize("NFD", sys.argv[1]))' "$1"; }

# ok NAME TEXT DUE PRECISION [YEAR]: exit 0, JSON {raw: TEXT, due, precision}.
ok() {
	name=$1 text=$2 want_due=$3 want_prec=$4 year=${5:-2025}
	run "$DONDOC" deadline parse "$text" --year "$year"
	if [ "$rc" != 0 ]; then
		fail "$name" "exit $rc, wanted 0; stderr: $(cat err)"
		return
	fi
	got=$(json '"%s|%s|%s" % (j["raw"], j["due"], j["precision"])')
	expect_eq "$name" "$got" "$text|$want_due|$want_prec"
}

# bad NAME TEXT: exit 2, nothing on stdout, one line on stderr quoting TEXT
# and giving a reason after it.
bad() {
	name=$1 text=$2
	run "$DONDOC" deadline parse "$text" --year 2025
	if [ "$rc" != 2 ]; then
		fail "$name" "exit $rc, wanted 2; stdout: $(cat out)"
	elif [ -s out ]; then
		fail "$name" "stdout should be empty: $(cat out)"
	elif [ "$(wc -l <err)" != 1 ] || ! grep -Fq "'$text': " err; then
		fail "$name" "wanted one line \"'$text': reason\" on stderr, got: $(cat err)"
	else
		pass "$name"
	fi
}

# unknown NAME TEXT: exit 1, JSON with due null and precision unknown,
# one line on stderr.
unknown() {
	name=$1 text=$2
	run "$DONDOC" deadline parse "$text" --year 2025
	if [ "$rc" != 1 ]; then
		fail "$name" "exit $rc, wanted 1; stdout: $(cat out)"
		return
	fi
	got=$(json '"%s|%s|%s" % (j["raw"], j["due"], j["precision"])')
	if [ "$got" != "$text|None|unknown" ]; then
		fail "$name" "got '$got', wanted '$text|None|unknown'"
	elif [ "$(wc -l <err)" != 1 ]; then
		fail "$name" "wanted one line on stderr, got: $(cat err)"
	else
		pass "$name"
	fi
}

# --- quarter ---------------------------------------------------------------
ok "quarter 'Quý II' with --year 2025 ends 30 June" "Quý II" 2025-06-30 quarter
ok "quarter 'Quý I' ends 31 March" "Quý I" 2025-03-31 quarter
ok "quarter 'Quý IV/2025' ends 31 December" "Quý IV/2025" 2025-12-31 quarter
ok "quarter 'Quý 3 năm 2026' (arabic digit, year in words) ends 30 Sept 2026" "Quý 3 năm 2026" 2026-09-30 quarter
ok "quarter 'Hoàn thành trong Quý III'" "Hoàn thành trong Quý III" 2025-09-30 quarter
ok "year in the expression wins over --year" "Quý IV/2025" 2025-12-31 quarter 2030
# --- month -----------------------------------------------------------------
ok "month 'Tháng 9' with --year 2025 ends 30 Sept" "Tháng 9" 2025-09-30 month
ok "month 'Tháng 7/2025' ends 31 July" "Tháng 7/2025" 2025-07-31 month
ok "month 'tháng 12 năm 2025' (lower case)" "tháng 12 năm 2025" 2025-12-31 month
ok "month 'Hoàn thành trong tháng 10/2025'" "Hoàn thành trong tháng 10/2025" 2025-10-31 month
ok "month 'Tháng 2' in leap year 2024 ends 29 Feb" "Tháng 2" 2024-02-29 month 2024
ok "month 'Tháng 2' in common year 2025 ends 28 Feb" "Tháng 2" 2025-02-28 month
ok "month with leading zero 'Tháng 09/2025'" "Tháng 09/2025" 2025-09-30 month
# --- year ------------------------------------------------------------------
ok "year 'Năm 2025'" "Năm 2025" 2025-12-31 year
ok "year bare '2025'" "2025" 2025-12-31 year
ok "year 'Trong năm 2025'" "Trong năm 2025" 2025-12-31 year
ok "year 'Cuối năm 2025'" "Cuối năm 2025" 2025-12-31 year
ok "year named in text wins over --year" "Năm 2026" 2026-12-31 year 2025
# --- half ------------------------------------------------------------------
ok "half '6 tháng đầu năm 2026' ends 30 June" "6 tháng đầu năm 2026" 2026-06-30 half
ok "half '6 tháng cuối năm 2026' ends 31 December" "6 tháng cuối năm 2026" 2026-12-31 half
# --- day -------------------------------------------------------------------
ok "day 'Hoàn thành trước ngày 30/9/2025'" "Hoàn thành trước ngày 30/9/2025" 2025-09-30 day
ok "day 'trước 31/01/2026'" "trước 31/01/2026" 2026-01-31 day
ok "day bare '15/10/2025'" "15/10/2025" 2025-10-15 day
ok "day 29/02/2024 exists (leap year)" "29/02/2024" 2024-02-29 day
# --- no date ---------------------------------------------------------------
ok "'Thường xuyên' is recurring with no due date" "Thường xuyên" None recurring
ok "'Theo tiến độ TW' is external with no due date" "Theo tiến độ TW" None external
ok "'Theo tiến độ Trung ương' is external" "Theo tiến độ Trung ương" None external
unknown "unknown text 'Khi có chỉ đạo' exits 1, precision unknown" "Khi có chỉ đạo"
unknown "two deadlines in one cell are not guessed (exit 1)" "Quý II/2025; Quý IV/2025"

# --- case, diacritics, NFD, punctuation -----------------------------------
ok "upper case 'QUÝ IV/2025'" "QUÝ IV/2025" 2025-12-31 quarter
ok "upper case 'THÁNG 9'" "THÁNG 9" 2025-09-30 month
ok "upper case 'THƯỜNG XUYÊN'" "THƯỜNG XUYÊN" None recurring
ok "no diacritics 'quy iv/2025'" "quy iv/2025" 2025-12-31 quarter
ok "no diacritics 'thuong xuyen'" "thuong xuyen" None recurring
ok "trailing dot 'Quý IV/2025.'" "Quý IV/2025." 2025-12-31 quarter
ok "trailing dot 'Thường xuyên.'" "Thường xuyên." None recurring
ok "trailing semicolon 'Tháng 9/2025;'" "Tháng 9/2025;" 2025-09-30 month
for t in "Quý IV/2025|2025-12-31|quarter" "Tháng 7/2025|2025-07-31|month" \
	"Hoàn thành trước ngày 30/9/2025|2025-09-30|day" "Cuối năm 2025|2025-12-31|year" \
	"6 tháng đầu năm 2026|2026-06-30|half" "Theo tiến độ Trung ương|None|external"; do
	text=${t%%|*} rest=${t#*|}
	d=$(nfd "$text")
	[ "$d" != "$text" ] || fail "NFD form of '$text' differs from NFC" "python gave the same bytes"
	ok "NFD '$text' reads like NFC" "$d" "${rest%|*}" "${rest#*|}"
done

# --- impossible dates: exit 2 with the reason --------------------------------
bad "month 13 is invalid" "Tháng 13"
bad "month 0 is invalid" "Tháng 0"
bad "30/02/2025 is invalid" "30/02/2025"
bad "29/02/2025 is invalid (common year)" "29/02/2025"
bad "31/04/2025 is invalid (April has 30 days)" "31/04/2025"
bad "32/01/2025 is invalid" "32/01/2025"
bad "quarter V is invalid" "Quý V"
bad "quarter 0 is invalid" "Quý 0"
bad "'Trước 30/02/2025' is invalid even inside a phrase" "Trước 30/02/2025"
bad "NFD 'Tháng 13' is invalid" "$(nfd "Tháng 13")"
expect_grep "the month-13 reason names the month" err "13"
bad "upper case 'QUÝ V' is invalid" "QUÝ V"

# --- the year when the text names none ---------------------------------------
expect_rc 0 "without --year, DONDOC_NOW's year is used" \
	env DONDOC_NOW=2030-03-01T09:00 "$DONDOC" deadline parse "Quý II"
expect_eq "'Quý II' in 2030 is 2030-06-30" "$(json 'j["due"]')" 2030-06-30
# 2025-12-31T17:30Z is already 1 January 2026, 00:30 in Viet Nam.
expect_rc 0 "DONDOC_NOW just after midnight in Viet Nam" \
	env DONDOC_NOW=2025-12-31T17:30Z "$DONDOC" deadline parse "Tháng 9"
expect_eq "this year is Viet Nam's (2026), not UTC's (2025)" "$(json 'j["due"]')" 2026-09-30
expect_rc 0 "DONDOC_NOW late on 31 Dec in Viet Nam" \
	env DONDOC_NOW=2025-12-31T23:30 "$DONDOC" deadline parse "Tháng 9"
expect_eq "late on 31 Dec 2025 Viet Nam time the year is still 2025" "$(json 'j["due"]')" 2025-09-30

# --- usage -----------------------------------------------------------------
expect_rc 64 "missing TEXT exits 64" "$DONDOC" deadline parse
expect_grep "missing TEXT says so" err "no TEXT"
expect_rc 64 "two TEXT arguments exit 64" "$DONDOC" deadline parse Quý II
expect_rc 64 "--year abc exits 64" "$DONDOC" deadline parse "Quý II" --year abc
expect_grep "--year abc is named in the message" err "abc"
expect_rc 64 "--year without a value exits 64" "$DONDOC" deadline parse "Quý II" --year
expect_rc 2 "invalid UTF-8 TEXT exits 2" "$DONDOC" deadline parse "$(printf 'Qu\375 II')"
expect_grep "invalid UTF-8 TEXT is explained" err "UTF-8"
expect_rc 0 "deadline parse needs no database" "$DONDOC" --db "$T/none/x.db" deadline parse "Quý II" --year 2025
[ -e "$T/none" ] && fail "deadline parse created no database directory" || pass "deadline parse created no database directory"
[ -e "$DONDOC_DB" ] && fail "deadline parse created no default database" || pass "deadline parse created no default database"
exit 0

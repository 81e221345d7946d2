#!/bin/sh
# "/baocao tongthe" (issue 13) through "dondoc chat": the leaders and the
# secretariat get the digest's headline in the chat form and its email
# with the workbook queued to them alone (or are told there is no address
# to send it to); anyone else is refused politely and nothing is queued.
. "$(dirname "$0")/../lib.sh"

# An email channel is configured (nothing is sent here: messages are queued).
{ conf_general; printf '[smtp]\nhost = localhost\nport = %s\nfrom = dondoc@example.gov.vn\n' "$(free_port)"
  printf '[http]\npublic_url = https://dondoc.example.gov.vn\n'; } >dondoc.conf
export DONDOC_CONFIG="$T/dondoc.conf"
export DONDOC_NOW=2025-10-07T09:00
D=$DONDOC
chat() { "$D" chat --telegram "$@"; }
msgs() { sql "SELECT count(*) FROM message"; }

run "$D" init
printf "$HDR"'1.\tXây dựng Cổng dữ liệu mở của tỉnh\t%s\tSở Y tế\t30/9/2025\n2.\tBố trí kinh phí chuyển đổi số\t%s\tSở Y tế\t15/11/2025\n3.\tRà soát thủ tục hành chính\t%s\tSở Nội vụ\t20/11/2025\n' \
	"$DOC" "$DOC" "$DOC" >tasks.tsv
expect_rc 0 "import three tasks" "$D" import tasks.tsv
run "$D" agency add --name "Văn phòng UBND tỉnh" --code vpubnd
run "$D" person add --name "Nguyễn Văn An" --agency syt --role focal --telegram 1001 --email an@syt.example.gov.vn
run "$D" person add --name "Trần Văn Lãnh" --agency vpubnd --role leader --telegram 1002 --email lanh@example.gov.vn
run "$D" person add --name "Phạm Thị Dung" --agency vpubnd --role secretariat --telegram 1003
run "$D" person add --name "Ngô Thị Lan" --agency syt --role viewer --telegram 1004
lanh=$(sql "SELECT id FROM person WHERE name = 'Trần Văn Lãnh'")

# --- who may ask ------------------------------------------------------------------------------
for who in 1001 1004; do
	expect_rc 1 "chat $who (not a leader, not the secretariat): /baocao tongthe is refused" \
		chat $who /baocao tongthe
	expect_grep "... politely, in Vietnamese, naming the command" out \
		"^Lệnh /baocao tongthe dành cho lãnh đạo Ban Chỉ đạo và cơ quan thường trực\.$"
	expect_grep "... and pointing at what is theirs" out "/baocao$"
done
expect_eq "nothing was queued for them" "$(msgs)" 0

# --- a leader with an address ---------------------------------------------------------------------
expect_rc 0 "a leader asks: /baocao tổng thể" chat 1002 "/baocao tổng thể"
cp out leader.txt
expect_grep "the digest's headline, in the chat form" leader.txt \
	"^Báo cáo tình hình thực hiện nhiệm vụ từ 24/09/2025 đến 07/10/2025"
expect_grep "with the committee's sentence" leader.txt "^Tính đến ngày 07/10/2025: hoàn thành 0/03 nhiệm vụ"
expect_grep "the workbook goes by email, said with the address" leader.txt \
	"^Báo cáo đầy đủ kèm tệp Excel đã được gửi tới lanh@example\.gov\.vn\.$"
expect_no_grep "no link in the chat answer" leader.txt "https?://"
expect_no_grep "the summary promises nothing: the answer says where the workbook went" leader.txt \
	"được gửi qua thư điện tử|Chưa có địa chỉ"
expect_eq "one message queued: the digest by email to the leader alone, with its workbook" \
	"$(sql "SELECT group_concat(m.person_id || ' ' || m.kind || ' ' || m.channel || ' ' || d.filename || ' ' || (length(d.workbook) > 1000), ';') FROM message m JOIN digest_run d ON d.id = m.digest_id")" \
	"$lanh digest email Bao-cao-tien-do-2025-10-07.xlsx 1"
expect_eq "the stored workbook opens, with every task" "$(sql "SELECT writefile('wb.xlsx', workbook) > 0 FROM digest_run"; \
	$PY -c 'import openpyxl; ws = openpyxl.load_workbook("wb.xlsx").worksheets[0]; print(sum(1 for r in ws.iter_rows(min_row=2, values_only=True) if isinstance(r[0], int)))')" "1
3"
expect_eq "the email's HTML is the whole digest" \
	"$(sql "SELECT html LIKE '%<html%' AND subject <> '' FROM message")" 1
expect_eq "the email's HTML writes out the board's address ([http] public_url)" \
	"$(sql "SELECT html LIKE '%>https://dondoc.example.gov.vn<%' FROM message")" 1

# --- the secretariat without an address; the words as typed ------------------------------------------
m0=$(msgs)
for text in "/baocao tongthe" "baocao tong the" "/BAOCAO Tổng Thể"; do
	expect_rc 0 "the secretariat asks: '$text'" chat 1003 "$text"
	expect_grep "... gets the headline" out "^Tính đến ngày 07/10/2025: hoàn thành 0/03 nhiệm vụ"
	expect_grep "... and is told there is no address for the workbook" out \
		"^Chưa có địa chỉ thư điện tử để gửi tệp Excel; đề nghị liên hệ Văn phòng\.$"
	expect_eq "... once" "$(grep -c "Chưa có địa chỉ" out)" 1
done
expect_eq "nothing was queued for an asker with no address" "$(msgs)" "$m0"

# --- no email channel -------------------------------------------------------------------------------
conf_general >plain.conf
expect_rc 0 "a leader asks where no email is configured" env DONDOC_CONFIG="$T/plain.conf" "$D" chat --telegram 1002 /baocao tongthe
expect_grep "... and is told the workbook could not go to the address" out \
	"^Chưa gửi được tệp Excel tới lanh@example\.gov\.vn: hệ thống chưa cấu hình thư điện tử"
expect_eq "nothing was queued then" "$(msgs)" "$m0"

# --- /baocao alone is still the counts ------------------------------------------------------------------
expect_rc 0 "/baocao alone" chat 1002 /baocao
expect_grep "gives the counts as before" out "^Tình hình thực hiện nhiệm vụ đến ngày"

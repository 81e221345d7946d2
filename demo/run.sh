#!/bin/sh
# "make run": a demo registry from the sample tables in demo/, people to
# remind, then the daemon in the foreground with the file channel.
# Reminders appear as files in demo/out/outbox/.  Ctrl-C stops it.
set -eu
cd "$(dirname "$0")/.."
mkdir -p demo/out
export DONDOC_CONFIG=demo/dondoc.conf
unset DONDOC_DB DONDOC_NOW
D=bot/dondoc
# Creates the registry, or brings one an older dondoc made up to date.
fresh=
[ -e demo/out/dondoc.db ] || fresh=1
$D init
if [ -n "$fresh" ]; then
	$D import demo/ke-hoach-15.tsv
	$D import demo/danh-gia-15.csv
	$D person add --name "Nguyễn Văn An" --agency skhcn --role focal --email an@skhcn.example.gov.vn
	$D person add --name "Trần Thị Bình" --agency snv --role focal
	$D person add --name "Lê Hoàng Cường" --agency vpubndt --role focal
	$D person add --name "Phạm Minh Dũng" --agency skhcn --role head
	$D person add --name "Hoàng Thị Em" --agency vpubndt --role leader
	$D person add --name "Vũ Thị Giang" --agency skhcn --role secretariat
fi
echo
$D task list
echo
echo "Starting the daemon (Ctrl-C to stop).  Reminders are written to demo/out/outbox/:"
echo "  ls demo/out/outbox; cat demo/out/outbox/*.txt"
echo "Then try, in another terminal:"
echo "  DONDOC_CONFIG=demo/dondoc.conf $D explain 3"
echo "  DONDOC_CONFIG=demo/dondoc.conf $D outbox list"
echo "  DONDOC_CONFIG=demo/dondoc.conf $D task set 2 --status done --note 'Đã hoàn thành'"
echo
exec $D serve

#!/bin/sh
# "make run": a demo registry from the sample tables in demo/, listed.
# The database is demo/out/dondoc.db; run it again to see that a second
# import of the same tables changes nothing.
set -eu
cd "$(dirname "$0")/.."
mkdir -p demo/out
export DONDOC_DB=demo/out/dondoc.db
D=bot/dondoc
$D init
$D import demo/ke-hoach-15.tsv
$D import demo/danh-gia-15.csv
echo
$D task list
echo
$D agency list
echo
echo "Try: DONDOC_DB=$DONDOC_DB $D task show 3"
echo "     DONDOC_DB=$DONDOC_DB $D task set 2 --status done --note 'Đã hoàn thành'"
echo "     $D deadline parse 'Quý IV/2026'"

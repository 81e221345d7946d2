# Issue 10, finding 1: one message over the render cap stopped every
# reminder for everyone.  Now each person's messages are composed in a
# savepoint of their own, and a list too long for one message goes in
# parts split between tasks.
#  - 2,000 overdue tasks escalated to one leader (and the secretariat):
#    the leader gets every task, in parts of at most 200, while the 50
#    focal points still get their messages the same morning;
#  - one person whose message cannot be made at all (a task whose title
#    alone passes 1 MiB): the others get theirs, the failure is logged and
#    the secretariat told once, not every tick, and once the task is
#    mended the message goes.
. "$(dirname "$0")/../lib.sh"

conf() { # DIR: a configuration with the file channel, in DIR
	mkdir -p "$1"
	conf_general db="$1/dondoc.db" outbox_dir="$1/outbox" tick=1 >"$1/dondoc.conf"
}
at() { # TIME CMD...: one command at DONDOC_NOW=TIME
	t=$1
	shift
	env DONDOC_NOW="$t" "$@"
}

# --- 2,000 overdue tasks escalated to one leader ----------------------------------------
conf "$T/big"
export DONDOC_CONFIG="$T/big/dondoc.conf" DONDOC_DB="$T/big/dondoc.db"
run "$DONDOC" init
$PY - <<'PY'
with open("tasks.tsv", "w") as f:
    f.write("STT\tNhiệm vụ\tVăn bản giao nhiệm vụ\tCơ quan chủ trì thực hiện\tThời hạn hoàn thành\n")
    for i in range(1, 2001):
        f.write("%d.\tNhiệm vụ số %d: triển khai đồng bộ các giải pháp chuyển đổi số, nâng cao "
                "chất lượng dịch vụ công trực tuyến toàn trình và bảo đảm an toàn thông tin mạng "
                "trên địa bàn tỉnh\tKế hoạch số 9-KH/BCĐ ngày 2/1/2025\tĐơn vị thử số %d\t"
                "30/9/2025\n" % (i, i, i % 50 + 1))
PY
expect_rc 0 "import 2,000 tasks of 50 agencies" "$DONDOC" import tasks.tsv
run "$DONDOC" agency add --name "Văn phòng UBND tỉnh" --code vpubnd
focal_points "code != 'vpubnd'"
run "$DONDOC" person add --name "Lê Văn Cường" --agency vpubnd --role leader
run "$DONDOC" person add --name "Phạm Thị Dung" --agency vpubnd --role secretariat
# The first reminders go on 29/09; on 21/10 the ladder reaches level 2.
expect_rc 0 "serve --once on 29/09" at 2025-09-29T09:00 "$DONDOC" serve --once
ls "$T/big/outbox" >before
expect_rc 0 "serve --once on 21/10, when 2,000 tasks reach the leaders" \
	at 2025-10-21T09:00 "$DONDOC" serve --once
cp err serve.log
expect_no_grep "no compose fails" serve.log "cannot compose"
$PY - "$T/big/outbox" before >seen <<'PY'
import collections, os, re, sys
d, before = sys.argv[1], set(open(sys.argv[2]).read().split())
by = collections.defaultdict(list)
for f in sorted(os.listdir(d)):
    if not f.endswith(".txt") or f in before:
        continue
    t = open(os.path.join(d, f), encoding="utf-8").read()
    to = re.search(r"^To: (.*)$", t, re.M).group(1)
    subj = re.search(r"^Subject: (.*)$", t, re.M).group(1)
    ids = [int(x) for x in re.findall(r"^\[(\d+)\] ", t, re.M)]
    by[to].append((subj, ids))
focal = [p for p in by if p.startswith("Cán bộ ")]
print("focal", len(focal))
lead = by["Lê Văn Cường"]
print("leader_messages", len(lead))
print("leader_max_tasks", max((len(i) for _, i in lead), default=0))
all_ids = sorted(x for _, i in lead for x in i)
print("leader_tasks_once", all_ids == list(range(1, 2001)))
parts = sorted(int(re.search(r"\(phần (\d+)/10\)", s).group(1)) for s, _ in lead
               if re.search(r"\(phần (\d+)/10\)", s))
print("leader_parts", parts == list(range(1, 11)))
PY
expect_grep "the 50 focal points get their messages the same morning" seen "^focal 50$"
expect_grep "the leader gets the 2,000 tasks in 10 messages" seen "^leader_messages 10$"
expect_grep "no message holds more than 200 tasks" seen "^leader_max_tasks 200$"
expect_grep "every task reaches the leader exactly once" seen "^leader_tasks_once True$"
expect_grep "the subjects number the parts 1/10 to 10/10" seen "^leader_parts True$"
f=$(grep -l "(phần 1/10)" "$T"/big/outbox/*.txt | head -1)
[ -n "$f" ] || f=/dev/null
expect_grep "a part says which of how many it is" "$f" "Danh sách gồm 2000 nhiệm vụ, gửi thành 10 phần; đây là phần 1\."
run "$DONDOC" outbox list --json
expect_eq "every message is sent" "$(json 'sorted(set(m["state"] for m in j))')" '["sent"]'

# --- one person's failure stops no one else ---------------------------------------------
conf "$T/one"
export DONDOC_CONFIG="$T/one/dondoc.conf" DONDOC_DB="$T/one/dondoc.db"
run "$DONDOC" init
printf "$HDR"'1.\tViệc của Sở Y tế\tKế hoạch số 3-KH/BCĐ ngày 2/1/2025\tSở Y tế\t30/9/2025\n2.\tViệc của Sở Nội vụ\tKế hoạch số 3-KH/BCĐ ngày 2/1/2025\tSở Nội vụ\t30/9/2025\n' >two.tsv
run "$DONDOC" import two.tsv
run "$DONDOC" agency add --name "Văn phòng UBND tỉnh" --code vpubnd
run "$DONDOC" person add --name "Nguyễn Văn An" --agency syt --role focal
run "$DONDOC" person add --name "Trần Văn Bình" --agency snv --role focal
run "$DONDOC" person add --name "Phạm Thị Dung" --agency vpubnd --role secretariat
# A title of 1.1 MB: no part of one task can pass under the 1 MiB cap.
sqlite3 "$DONDOC_DB" "UPDATE task SET title = title || replace(hex(zeroblob(550000)), '0', 'x') WHERE id = 1"
to() { grep -l "^To: $1" "$T"/one/outbox/*.txt 2>/dev/null | wc -l | tr -d ' '; }
at 2025-09-29T09:00 "$DONDOC" serve --once >/dev/null 2>tick1.log
expect_eq "the other focal point gets the reminder" "$(to "Trần Văn Bình")" 1
expect_eq "the one whose message cannot be made gets none" "$(to "Nguyễn Văn An")" 0
expect_grep "the failure is logged, naming the person" tick1.log "cannot compose the messages of 'Nguyễn Văn An'"
expect_eq "the secretariat is told" \
	"$(grep -l "^Subject: .*Không soạn được tin nhắn cho đồng chí Nguyễn Văn An" "$T"/one/outbox/*.txt | wc -l | tr -d ' ')" 1
at 2025-09-29T10:00 "$DONDOC" serve --once >/dev/null 2>tick2.log
expect_no_grep "the next tick does not log it again" tick2.log "cannot compose"
expect_eq "nor tell the secretariat again" \
	"$(grep -l "Không soạn được" "$T"/one/outbox/*.txt | wc -l | tr -d ' ')" 1
expect_eq "its notice waits, queued" \
	"$(sqlite3 "$DONDOC_DB" "SELECT state FROM notice WHERE task_id = 1")" queued
# /metrics counts it, each tick it fails.
PORT=$(free_port)
{ cat "$T/one/dondoc.conf"; printf '[http]\nlisten = 127.0.0.1:%s\n' "$PORT"; } >"$T/one/http.conf"
DONDOC_CONFIG="$T/one/http.conf" DONDOC_NOW=2025-09-29T10:30 "$DONDOC" serve >/dev/null 2>serve.log &
daemon=$!
i=0
while ! grep -Eq '^dondoc_compose_failures_total [2-9]' metrics.txt 2>/dev/null && [ $i -lt 100 ]; do
	sleep 0.2; i=$((i + 1))
	curl -s "http://127.0.0.1:$PORT/metrics" >metrics.txt
done
kill -TERM $daemon
wait $daemon
expect_grep "/metrics counts the person whose messages cannot be composed, at each tick" metrics.txt \
	'^dondoc_compose_failures_total [2-9][0-9]*$'
expect_grep "as a counter" metrics.txt '^# TYPE dondoc_compose_failures_total counter$'
# A Prometheus server takes it: promtool parses and lints it.
promtool_check "/metrics with a compose failure passes promtool check metrics" metrics.txt
sqlite3 "$DONDOC_DB" "UPDATE task SET title = 'Việc của Sở Y tế' WHERE id = 1"
at 2025-09-29T11:00 "$DONDOC" serve --once >/dev/null 2>tick3.log
expect_eq "mended, the message goes" "$(to "Nguyễn Văn An")" 1
expect_grep "and the log says so" tick3.log "composed again"
exit 0

# One module for counts (issue 11, item 7): a registry built through the
# CLI (tasks and indicators imported, then done on time, done late,
# postponed, assessed, day by day), counted by "dondoc report": every
# breakdown adds up to its total, the document rows to the whole, each
# agency row to its own; /baocao (through "dondoc chat") and /metrics
# (through the daemon's HTTP server) say the same figures; verify is intact.
. "$(dirname "$0")/../lib.sh"

http_port
{ conf_general tick=1; printf '[http]\nlisten = 127.0.0.1:%s\n' "$HTTP"; } >dondoc.conf
export DONDOC_CONFIG="$T/dondoc.conf"
D=$DONDOC
A='Kế hoạch số 7-KH/BCĐ ngày 2/1/2025'
B='Chương trình 01-CTr/BCĐ ngày 10/6/2025'
# Each step dated: the history refuses an event dated before the last one.
at() { # at DAY CMD...: runs the CLI on DAY at 09:00
	_day=$1
	shift
	env DONDOC_NOW="${_day}T09:00" "$D" "$@" >out 2>err
	rc=$?
}

# --- the registry, through the CLI ---------------------------------------------------------------
at 2025-10-01 init
printf "$HDR" >tasks.tsv
{
	printf '1.\tNhiệm vụ một\t%s\tSở Y tế\t3/10/2025\n' "$A"
	printf '2.\tNhiệm vụ hai\t%s\tSở Y tế; Sở Nội vụ\t3/10/2025\n' "$A"
	printf '3.\tNhiệm vụ ba\t%s\tSở Nội vụ\t10/10/2025\n' "$A"
	printf '4.\tNhiệm vụ bốn\t%s\tSở Y tế\t10/10/2025\n' "$A"
	printf '5.\tNhiệm vụ năm\t%s\tSở Tư pháp\t10/10/2025\n' "$B"
	printf '6.\tNhiệm vụ sáu\t%s\tSở Y tế; Sở Tư pháp\t31/10/2025\n' "$B"
	printf '7.\tNhiệm vụ bảy\t%s\tSở Nội vụ\t12/10/2025\n' "$B"
	printf '8.\tNhiệm vụ tám\t\tSở Y tế\tQuý IV/2025\n'
} >>tasks.tsv
# Indicators (assessed, no deadline), and an old task imported with an assessment: task 12.
printf 'STT\tNhiệm vụ\tVăn bản giao nhiệm vụ\tCơ quan chủ trì thực hiện\tThời hạn hoàn thành\tĐánh giá\n' >ind.tsv
{
	printf '1.\tChỉ tiêu một\t%s\tSở Y tế\t\tChưa đạt\n' "$A"
	printf '2.\tChỉ tiêu hai\t%s\tSở Nội vụ; Sở Y tế\t\tChưa đánh giá được\n' "$A"
	printf '3.\tChỉ tiêu ba\t%s\tSở Tư pháp\t\tChưa đạt\n' "$B"
	printf '4.\tNhiệm vụ cũ\t%s\tSở Tư pháp\t30/9/2025\tChưa đạt\n' "$B"
} >>ind.tsv
at 2025-10-01 import tasks.tsv
expect_eq "import eight tasks" "$rc" 0
at 2025-10-01 import ind.tsv
expect_eq "import three indicators and an old task" "$rc" 0
at 2025-10-01 agency add --name "Văn phòng UBND tỉnh" --code vpubnd
at 2025-10-01 person add --name "Phạm Thị Dung" --agency vpubnd --role secretariat --telegram 1003
at 2025-10-01 person add --name "Nguyễn Văn An" --agency syt --role focal --telegram 1001
at 2025-10-01 report --json
expect_eq "on the first day: 9 tasks not started (the old one in progress), 3 indicators" \
	"$(json '[j["counts"]["tasks"][k] for k in ("total", "not_started", "in_progress", "done")] + [j["counts"]["indicators"]["total"]]')" \
	"[9, 8, 1, 0, 3]"

# Day by day: done before the deadline, after it, postponed, assessed.
at 2025-10-02 task set 1 --status done
at 2025-10-06 task set 2 --status done
at 2025-10-06 task set 3 --progress 40
at 2025-10-06 task set 4 --status postponed
at 2025-10-06 task assess 9 dat
at 2025-10-14 task set 5 --status done
at 2025-10-14 task set 6 --status done
expect_eq "(the last change was taken)" "$rc" 0

# --- dondoc report --json: the figures, and every sum ----------------------------------------------
DAY=2025-10-15
at $DAY report --json --by agency --by document
cp out report.json
expect_eq "report: 9 tasks: 4 done, 2 in progress (both behind), 2 not started, 1 postponed; 3 overdue" \
	"$(json 'list(j["counts"]["tasks"][k] for k in ("total", "done", "in_progress", "behind", "not_started", "postponed", "overdue", "percent_done"))')" \
	"[9, 4, 2, 2, 2, 1, 3, 44]"
expect_eq "report: 3 indicators: 1 achieved (33 %), 1 not achieved, 1 not assessable" \
	"$(json 'list(j["counts"]["indicators"][k] for k in ("total", "achieved", "percent_achieved", "not_achieved", "unassessed"))')" \
	"[3, 1, 33, 1, 1]"
expect_eq "report: done on time 2 (1 and 6), late 2 (2 and 5), judged against the due day then" \
	"$(json '[j["counts"]["tasks"]["done_on_time"], j["counts"]["tasks"]["done_late"]]')" "[2, 2]"
cat >sums.py <<'PY'
import json, sys
j = json.load(open(sys.argv[1]))
bad = []
def check(where, c):
    t, i = c["tasks"], c["indicators"]
    if t["done"] + t["in_progress"] + t["not_started"] + t["postponed"] != t["total"]:
        bad.append(where + ": task categories != total")
    if t["done_on_time"] + t["done_late"] + t["done_unknown"] != t["done"]:
        bad.append(where + ": on time + late != done")
    if not 0 <= t["behind"] <= t["in_progress"] or not t["behind"] <= t["overdue"] <= t["total"] - t["done"]:
        bad.append(where + ": behind/overdue out of their parts")
    if sum(t["lights"].values()) != t["total"] or sum(i["lights"].values()) != i["total"]:
        bad.append(where + ": lights != total")
    if i["achieved"] + i["not_achieved"] + i["unassessed"] != i["total"]:
        bad.append(where + ": indicator categories != total")
check("overall", j["counts"])
for r in j["by_agency"]:
    check(r["code"], r)
for r in j["by_document"]:
    check(str(r["document"]), r)
for kind in ("tasks", "indicators"):
    for k, v in j["counts"][kind].items():
        if k.startswith("percent") or k == "lights":
            continue
        if sum(r[kind][k] for r in j["by_document"]) != v:
            bad.append("documents do not sum to the whole: %s.%s" % (kind, k))
    if sum(r[kind]["total"] for r in j["by_agency"]) < j["counts"][kind]["total"]:
        bad.append("agency rows leave %s out" % kind)
print(bad)
PY
expect_eq "report --json: every breakdown adds up, overall, per agency, per document" \
	"$($PY sums.py report.json)" "[]"
expect_eq "agency rows overlap, and say so: Sở Y tế 5 tasks, Sở Nội vụ 3, Sở Tư pháp 3 (12 > 9)" \
	"$(json '[j["agency_rows_overlap"]] + [(r["name"], r["tasks"]["total"], r["indicators"]["total"]) for r in j["by_agency"]]' | tr -d '\n')" \
	'[true, ["Sở Nội vụ", 3, 1], ["Sở Tư pháp", 3, 1], ["Sở Y tế", 5, 2]]'
expect_eq "document rows: each task once, the one without a document last" \
	"$(json '[(r["document"], r["tasks"]["total"] + r["indicators"]["total"]) for r in j["by_document"]]')" \
	'[["01-CTr/BCĐ", 5], ["7-KH/BCĐ", 6], [null, 1]]'
at $DAY agency list --json
expect_eq "'agency list' (rows each agency leads) agrees with the agency rows of the report" \
	"$(json 'sorted((a["code"], a["tasks"]) for a in j if a["tasks"])')" \
	"$($PY -c 'import json; j = json.load(open("report.json")); print(json.dumps(sorted([r["code"], r["tasks"]["total"] + r["indicators"]["total"]] for r in j["by_agency"]), ensure_ascii=False))')"
at $DAY report --agency syt --json
cp out syt.json
expect_eq "report --agency syt: its 5 tasks (3 done, 1 postponed, 1 not started) and 2 indicators" \
	"$(json '[j["scope"]["agency"]] + [j["counts"]["tasks"][k] for k in ("total", "done", "postponed", "not_started")] + [j["counts"]["indicators"]["total"]]')" \
	'["syt", 5, 3, 1, 1, 2]'
at $DAY report --document 01-ctr/bcd --json
expect_eq "report --document (any case, no diacritics): 4 tasks and an indicator" \
	"$(json '[j["counts"]["tasks"]["total"], j["counts"]["indicators"]["total"]]')" "[4, 1]"
at $DAY report --from 2025-10-05 --to 14/10/2025 --json
expect_eq "a period: tasks done in it (2, 5, 6), none created in it" \
	"$(json '[j["counts"]["period"][k] for k in ("from", "to", "done", "created_tasks", "created_indicators")]')" \
	'["2025-10-05", "2025-10-14", 3, 0, 0]'
at $DAY report --from 2025-10-01 --to 2025-10-01 --json
expect_eq "a period of the first day: the 12 rows created then, nothing done" \
	"$(json '[j["counts"]["period"][k] for k in ("done", "created_tasks", "created_indicators")]')" '[0, 9, 3]'
at $DAY report --by agency
expect_grep "report for people: the committee's sentence" out '^  Hoàn thành 4/9 nhiệm vụ \(đạt 44%\)'
expect_grep "and says that agency rows overlap" out 'cộng các dòng có thể lớn hơn tổng'

# Bad input: a clear error, exit 64 or 65.
expect_rc 64 "report --from without --to is refused" env DONDOC_NOW=${DAY}T09:00 "$D" report --from 2025-10-01
expect_grep "(named)" err 'needs both --from and --to'
expect_rc 64 "report --from after --to is refused" env DONDOC_NOW=${DAY}T09:00 "$D" report --from 2025-10-09 --to 2025-10-01
expect_rc 64 "report --from 31/2/2025 is refused" env DONDOC_NOW=${DAY}T09:00 "$D" report --from 31/2/2025 --to 2025-10-01
expect_rc 64 "report --by month is refused" env DONDOC_NOW=${DAY}T09:00 "$D" report --by month
expect_rc 65 "report --agency nope is refused" env DONDOC_NOW=${DAY}T09:00 "$D" report --agency nope
expect_rc 65 "report --document of no task is refused" env DONDOC_NOW=${DAY}T09:00 "$D" report --document 99-KH/XX

# --- /baocao agrees with dondoc report, figure by figure ----------------------------------------------
cat >baocao.py <<'PY'
import json, re, sys
text, j = open(sys.argv[1]).read(), json.load(open(sys.argv[2]))
def num(pattern, n=1):
    m = re.search(pattern, text)
    return [int(g) for g in m.groups()][:n] if m else None
t, i = j["counts"]["tasks"], j["counts"]["indicators"]
seen = {
    "tasks": num(r"(\d+) nhiệm vụ, gồm:"),
    "done": num(r"Hoàn thành (\d+)/(\d+) nhiệm vụ \(đạt (\d+)%\): (\d+) đúng hạn, (\d+) trễ hạn", 5),
    "in_progress": num(r"Đang triển khai thực hiện (\d+)/(\d+)(?: nhiệm vụ)?, trong đó chậm tiến độ (\d+)", 3),
    "not_started": num(r"Chưa thực hiện (\d+)/(\d+)", 2),
    "postponed": num(r"Tạm hoãn (\d+)/(\d+)", 2),
    "overdue": num(r"Quá hạn [^:]*: (\d+)/(\d+)", 2),
    "indicators": num(r"(\d+) chỉ tiêu, gồm:"),
    "achieved": num(r"Đạt và vượt (\d+)/(\d+) chỉ tiêu \(đạt (\d+)%\)", 3),
    "not_achieved": num(r"Chưa đạt (\d+)/(\d+)", 2),
    "unassessed": num(r"Chưa đánh giá được (\d+)/(\d+)", 2),
}
want = {
    "tasks": [t["total"]],
    "done": [t["done"], t["total"], t["percent_done"], t["done_on_time"], t["done_late"]],
    "in_progress": [t["in_progress"], t["total"], t["behind"]],
    "not_started": [t["not_started"], t["total"]],
    "postponed": [t["postponed"], t["total"]],
    "overdue": [t["overdue"], t["total"]],
    "indicators": [i["total"]],
    "achieved": [i["achieved"], i["total"], i["percent_achieved"]],
    "not_achieved": [i["not_achieved"], i["total"]],
    "unassessed": [i["unassessed"], i["total"]],
}
print([k for k in want if seen[k] != want[k]] or "same")
PY
run env DONDOC_NOW=${DAY}T09:00 "$D" chat --telegram 1003 /baocao
cp out baocao_all.txt
expect_grep "/baocao of the secretariat: the whole registry" baocao_all.txt '^Phạm vi: toàn bộ$'
expect_eq "/baocao of the secretariat agrees with 'dondoc report --json', figure by figure" \
	"$($PY baocao.py baocao_all.txt report.json)" "same"
run env DONDOC_NOW=${DAY}T09:00 "$D" chat --telegram 1001 /baocao
cp out baocao_syt.txt
expect_grep "/baocao of a focal point: the agency's tasks" baocao_syt.txt '^Phạm vi: Sở Y tế$'
expect_eq "/baocao of a focal point agrees with 'dondoc report --agency syt --json'" \
	"$($PY baocao.py baocao_syt.txt syt.json)" "same"

# --- /metrics agrees too ----------------------------------------------------------------------------------
daemon_start DONDOC_NOW=${DAY}T09:00
wait_http "$WEB/healthz"
curl -s "$WEB/metrics" >metrics.txt
daemon_stop
promtool_check "/metrics with the report's gauges passes promtool check metrics" metrics.txt
cat >metrics.py <<'PY'
import json, re, sys
m = {}
for line in open(sys.argv[1]):
    x = re.match(r'^(dondoc_tasks\w*)(\{[^}]*\})? (\d+)$', line)
    if x:
        m[x.group(1) + (x.group(2) or "")] = int(x.group(3))
j = json.load(open(sys.argv[2]))["counts"]
t, i = j["tasks"], j["indicators"]
want = {'dondoc_tasks{kind="task",category="%s"}' % k: t[k]
        for k in ("done_on_time", "done_late", "done_unknown", "in_progress", "not_started", "postponed")}
want.update({'dondoc_tasks{kind="indicator",category="%s"}' % k: i[k]
             for k in ("achieved", "not_achieved", "unassessed")})
want["dondoc_tasks_behind"] = t["behind"]
want["dondoc_tasks_overdue"] = t["overdue"]
for kind, c in (("task", t), ("indicator", i)):
    for light, n in c["lights"].items():
        want['dondoc_tasks_by_light{kind="%s",light="%s"}' % (kind, light)] = n
diff = sorted(k for k in want if m.get(k) != want[k])
extra = sorted(k for k in m if k.startswith("dondoc_tasks") and k not in want)
print(diff + extra or "same")
PY
expect_eq "/metrics agrees with 'dondoc report --json', gauge by gauge" \
	"$($PY metrics.py metrics.txt report.json)" "same"
expect_grep "/metrics: a kind's categories add up (9 tasks)" metrics.txt '^dondoc_tasks\{kind="task",category="not_started"\} 2$'

# --- the history is intact -------------------------------------------------------------------------
expect_rc 0 "dondoc verify exits 0 at the end" env DONDOC_NOW=${DAY}T09:00 "$D" verify

# --- a row imported as done: when it was done, nobody said -------------------------------------------
# Its deadline passed before the import, yet the table does not say it was
# done late: it is done, neither on time nor late, and not done "in the period".
mkdir old && cd old || exit 1
export DONDOC_DB="$T/old/dondoc.db"
at 2025-10-15 init
printf 'STT\tNhiệm vụ\tVăn bản giao nhiệm vụ\tCơ quan chủ trì thực hiện\tThời hạn hoàn thành\tĐánh giá\n' >old.tsv
printf '1.\tNhiệm vụ đã xong từ trước\t%s\tSở Y tế\t30/6/2025\tĐã hoàn thành\n' "$A" >>old.tsv
printf '2.\tNhiệm vụ còn dở\t%s\tSở Y tế\t30/6/2025\tĐang thực hiện\n' "$A" >>old.tsv
at 2025-10-15 import old.tsv
at 2025-10-15 report --json --from 2025-10-01 --to 2025-10-15
expect_eq "an imported done row: done, timing unknown, not late, not done in the period" \
	"$(json '[j["counts"]["tasks"][k] for k in ("done", "done_on_time", "done_late", "done_unknown")] + [j["counts"]["period"]["done"]]')" \
	"[1, 0, 0, 1, 0]"
at 2025-10-15 report
expect_grep "report says it in words" out 'đúng hạn 0, trễ hạn 0, không rõ thời điểm hoàn thành 1$'
cd .. || exit 1

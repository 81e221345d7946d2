#!/bin/sh
# Going live on the committee's real tables (../shared/fixtures), as a new
# secretariat would: both appendix tables imported into a fresh registry,
# some agencies given focal points and heads and others not (Sở NN&MT: a
# focal point, no head; Công an tỉnh: a head, no focal point), a leader and
# a secretariat member, then "serve --once" day by day from 07/10/2025 for
# five weeks.  After each day every new message is read and each claim it
# makes about the past ("Đã nhắc đồng chí X (...) ngày D", "Đã báo cáo thủ
# trưởng: ...") is checked against what the outbox shows was sent
# ("outbox list --json").  Run twice: with [escalation] from = first_notice
# (the default: the clock starts at the first reminder sent) and from = due
# (the strict rule), with the escalation days of each.
. "$(dirname "$0")/../lib.sh"

# check.py OUTBOX_JSON PEOPLE_JSON FILE...: prints one line per false or
# unverifiable claim in the message files (nothing when all are true).
cat >check.py <<'EOF'
import json, re, sys, datetime
msgs = json.load(open(sys.argv[1]))
people = {p["id"]: p for p in json.load(open(sys.argv[2]))}
by_name = {}
for p in people.values():
    by_name.setdefault(p["name"], []).append(p)
sent = [m for m in msgs if m["state"] == "sent" and m["sent_at"]]

def day_of(m):
    return m["sent_at"][:10]

def days(text):
    """'7/10, 10/10 và 13/10/2025' -> ['2025-10-07', ...]"""
    out, pending = [], []
    for d in re.split(r", | và ", text.strip()):
        parts = [int(x) for x in d.split("/")]
        pending.append(parts)
        if len(parts) == 3:
            for q in pending:
                out.append(datetime.date(parts[2], q[1], q[0]).isoformat())
            pending = []
    if pending:
        raise ValueError("no year in %r" % text)
    return out

def was_sent(name, task, kinds, day, role=None):
    for p in by_name.get(name, []):
        if role and p["role"] != role:
            continue
        for m in sent:
            if m["person_id"] == p["id"] and m["kind"] in kinds and task in m["tasks"] \
               and day_of(m) == day:
                return True
    return False

bad = []
for f in sys.argv[3:]:
    task = None
    for line in open(f, encoding="utf-8"):
        line = line.rstrip("\n")
        if re.search(r"hệ thống đã nhắc|báo cáo thủ trưởng cơ quan|đã nhắc cơ quan chủ trì", line, re.I):
            bad.append("%s: a claim from the ladder: %s" % (f, line))
        m = re.match(r"^\[(\d+)\] ", line)
        if m:
            task = int(m.group(1))
            continue
        m = re.match(r"^ +Đã nhắc đồng chí (.+) \((.+?), (.+)\) ngày (.+)$", line)
        if m:
            for d in days(m.group(4)):
                if not was_sent(m.group(1), task, ("reminder", "catchup"), d):
                    bad.append("%s: task %s: no reminder to %s sent on %s" % (f, task, m.group(1), d))
            continue
        m = re.match(r"^ +Đã báo cáo thủ trưởng: đồng chí (.+) \((.+)\) ngày (.+)$", line)
        if m:
            for d in days(m.group(3)):
                if not was_sent(m.group(1), task, ("escalation",), d, "head"):
                    bad.append("%s: task %s: no escalation to head %s sent on %s" % (f, task, m.group(1), d))
            continue
        # Saying a head is missing, or asking for one, claims nothing was sent.
        if "thủ trưởng" in line and not re.search(
                r"chưa có thủ trưởng|chưa báo cáo được thủ trưởng|bổ sung thủ trưởng", line):
            bad.append("%s: names a head outside a checked claim: %s" % (f, line))
for b in bad:
    print(b)
EOF

# claims DIR: the false claims of the messages in DIR/outbox (none: empty).
claims() {
	run "$DONDOC" outbox list --json
	cp out "$1/outbox.json"
	run "$DONDOC" person list --json
	cp out "$1/people.json"
	(cd "$1/outbox" && $PY "$T/check.py" "$1/outbox.json" "$1/people.json" *.txt)
}

# --- make run: the demo's steps (demo/run.sh), serve --once instead of the daemon -----------
mkdir -p "$T/demo"
printf '[general]\ndb = %s\noutbox_dir = %s\nschedules = %s\ntemplates = %s\n' \
	"$T/demo/dondoc.db" "$T/demo/outbox" "$TOP/demo/schedules" "$TOP/templates" >"$T/demo/dondoc.conf"
export DONDOC_CONFIG="$T/demo/dondoc.conf" DONDOC_DB="$T/demo/dondoc.db" DONDOC_NOW=2026-12-02T09:00
run "$DONDOC" init
run "$DONDOC" import "$TOP/demo/ke-hoach-15.tsv"
run "$DONDOC" import "$TOP/demo/danh-gia-15.csv"
for p in "Nguyễn Văn An:skhcn:focal" "Trần Thị Bình:snv:focal" "Lê Hoàng Cường:vpubndt:focal" \
	"Phạm Minh Dũng:skhcn:head" "Hoàng Thị Em:vpubndt:leader" "Vũ Thị Giang:skhcn:secretariat"; do
	run "$DONDOC" person add --name "${p%%:*}" --agency "$(echo "$p" | cut -d: -f2)" --role "${p##*:}"
done
expect_rc 0 "demo: the first serve --once" "$DONDOC" serve --once
expect_eq "demo: the first run escalates nothing (nobody was reminded before)" \
	"$(grep -l '^Kind: escalation' "$T"/demo/outbox/*.txt 2>/dev/null | wc -l | tr -d ' ')" 0
expect_grep "demo: the first run sends its focal points the overdue tasks" \
	"$(ls "$T"/demo/outbox/*-1.txt | head -1)" "^Subject: \[Đôn đốc\] 01 nhiệm vụ đã quá hạn"
expect_rc 0 "demo: a second serve --once the same day" "$DONDOC" serve --once
expect_eq "demo: still no escalation the same day" \
	"$(grep -l '^Kind: escalation' "$T"/demo/outbox/*.txt 2>/dev/null | wc -l | tr -d ' ')" 0
run env DONDOC_NOW=2026-12-09T09:00 "$DONDOC" serve --once
run env DONDOC_NOW=2026-12-24T09:00 "$DONDOC" serve --once
esc=$(grep -h '^To: ' $(grep -l '^Kind: escalation' "$T"/demo/outbox/*.txt) | sort -u | tr '\n' ',')
expect_eq "demo: later escalations come, to the head (9/12) and the leader (24/12)" \
	"$(echo "$esc" | grep -c 'To: Phạm Minh Dũng,') $(echo "$esc" | grep -c 'To: Hoàng Thị Em,')" "1 1"
expect_eq "demo: every claim about the past in its messages is in the outbox" "$(claims "$T/demo")" ""
expect_grep "demo: the leader is told who was reminded when" "$(grep -l '^To: Hoàng Thị Em' "$T"/demo/outbox/*.txt | tail -1)" \
	"^   Đã nhắc đồng chí Nguyễn Văn An \(cán bộ đầu mối, Sở Khoa học và Công nghệ\) ngày 02/12 và 09/12/2026"
unset DONDOC_NOW

if [ -z "$FIXTURES" ]; then
	skip "going live on the appendix fixtures" "../shared/fixtures is missing"
	exit 0
fi

# first_day KIND NAME: the first day (YYYY-MM-DD) a message of KIND went to NAME, or "none".
first_day() {
	run "$DONDOC" outbox list --json
	cp out outbox.json
	run "$DONDOC" person list --json
	$PY -c '
import json, sys
ps = {p["id"]: p["name"] for p in json.load(open("out"))}
d = sorted(m["sent_at"][:10] for m in json.load(open("outbox.json"))
           if m["state"] == "sent" and m["kind"] == sys.argv[1] and ps.get(m["person_id"]) == sys.argv[2])
print(d[0] if d else "none")' "$1" "$2"
}

# scenario NAME FROM: a fresh registry with policy from = FROM, five weeks of days.
scenario() {
	sc=$1 from=$2
	mkdir -p "$T/$sc/sched"
	cp "$TOP/schedules/holidays-vn.ics" "$T/$sc/sched/"
	sed "s/^from = .*/from = $from/" "$TOP/schedules/policy.ini" >"$T/$sc/sched/policy.ini"
	conf_general "db=$T/$sc/dondoc.db" "outbox_dir=$T/$sc/outbox" "schedules=$T/$sc/sched" \
		>"$T/$sc/dondoc.conf"
	export DONDOC_CONFIG="$T/$sc/dondoc.conf" DONDOC_DB="$T/$sc/dondoc.db"
	export DONDOC_NOW=2025-10-06T08:00
	expect_rc 0 "$sc: init" "$DONDOC" init
	expect_rc 0 "$sc: appendix 1 imports" "$DONDOC" import "$FIXTURES/appendix-1-status.tsv"
	expect_rc 0 "$sc: appendix 2 imports" "$DONDOC" import "$FIXTURES/appendix-2-deadlines.tsv"
	for p in "Nguyễn Văn An:skhcn:focal" "Trần Thị Bình:skhcn:head" "Lê Thị Cúc:snnmt:focal" \
		"Phạm Văn Dũng:snv:focal" "Hoàng Văn Em:snv:head" "Vũ Văn Phong:cat:head" \
		"Đỗ Văn Giang:vptu:leader" "Ngô Thị Hà:vptu:secretariat"; do
		run "$DONDOC" person add --name "${p%%:*}" --agency "$(echo "$p" | cut -d: -f2)" \
			--role "${p##*:}"
		[ "$rc" = 0 ] || fail "$sc: person add $p" "$(cat err)"
	done
	unset DONDOC_NOW
	run env DONDOC_NOW=2025-10-07T09:00 "$DONDOC" explain 27
	expect_grep "$sc: before the first run, explain says the clock has not started or counts from the due day" \
		out "$( [ "$from" = due ] && echo 'Báo cáo cấp trên tính từ ngày đến hạn 30/9/2025 \(policy from = due\)' ||
			echo 'Chưa tính thời gian báo cáo cấp trên: chưa gửi lời nhắc nào')"

	seen="" falsehoods=0 days=0
	d=2025-10-07
	while [ "$d" != 2025-11-11 ]; do
		run env DONDOC_NOW="${d}T09:00" "$DONDOC" serve --once
		[ "$rc" = 0 ] || fail "$sc: serve --once on $d" "$(cat err)"
		new=$(cd "$T/$sc/outbox" 2>/dev/null && ls *.txt 2>/dev/null | while read -r f; do
			case " $seen " in *" $f "*) ;; *) echo "$f" ;; esac
		done)
		if [ -n "$new" ]; then
			run env DONDOC_NOW="${d}T17:00" "$DONDOC" outbox list --json
			cp out "$T/$sc/outbox.json"
			run env DONDOC_NOW="${d}T17:00" "$DONDOC" person list --json
			cp out "$T/$sc/people.json"
			(cd "$T/$sc/outbox" && $PY "$T/check.py" "$T/$sc/outbox.json" "$T/$sc/people.json" \
				$new) >"$T/$sc/false-$d"
			if [ -s "$T/$sc/false-$d" ]; then
				falsehoods=$((falsehoods + 1))
				fail "$sc: what the messages of $d say about the past was sent" \
					"$(head -5 "$T/$sc/false-$d")"
			fi
			seen="$seen $new"
		fi
		if [ "$d" = 2025-10-07 ]; then
			first=$(cd "$T/$sc/outbox" && grep -l "^Kind: reminder" $new | head -1)
			expect_grep "$sc: 07/10: the focal point's first message says the tasks are overdue" \
				"$T/$sc/outbox/$(cd "$T/$sc/outbox" && grep -l "^To: Nguyễn Văn An" $new | head -1)" \
				"^Subject: \[Đôn đốc\] [0-9]+ nhiệm vụ đã quá hạn"
			expect_no_grep "$sc: 07/10: no message on the first day claims an earlier reminder" \
				"$T/$sc/outbox/$first" "Đã nhắc|nhắc lại|một lần nữa"
		fi
		days=$((days + 1))
		d=$($PY -c 'import datetime,sys; print(datetime.date.fromisoformat(sys.argv[1]) + datetime.timedelta(days=1))' "$d")
	done
	expect_eq "$sc: 35 days run" "$days" 35
	expect_eq "$sc: every claim about the past, every day, is in the outbox" "$falsehoods" 0
	nclaims=$(cat "$T/$sc"/outbox/*.txt | grep -c "Đã nhắc đồng chí")
	[ "$nclaims" -gt 0 ] && pass "$sc: escalations name who was reminded ($nclaims lines checked)" ||
		fail "$sc: escalations name who was reminded" "no 'Đã nhắc đồng chí' line in any message"
	expect_no_grep "$sc: no message tells of a head of Sở NN&MT (it has none)" \
		"$(cat "$T/$sc"/outbox/*.txt >"$T/$sc/all.txt"; echo "$T/$sc/all.txt")" \
		"Đã báo cáo thủ trưởng: .*Sở Nông nghiệp và Môi trường"
	run env DONDOC_NOW=2025-11-11T09:00 "$DONDOC" verify
	expect_eq "$sc: dondoc verify exits 0" "$rc" 0
}

# --- from = first_notice: the clock starts at the first reminder sent (07/10) ---------------
scenario first first_notice
expect_eq "first_notice: the head of Sở KH&CN is first escalated to 5 working days after 07/10 (14/10)" \
	"$(first_day escalation "Trần Thị Bình")" 2025-10-14
expect_eq "first_notice: the leader is first escalated to 15 working days after 07/10 (28/10)" \
	"$(first_day escalation "Đỗ Văn Giang")" 2025-10-28
expect_eq "first_notice: the focal point's first message goes on 07/10" \
	"$(first_day reminder "Nguyễn Văn An")" 2025-10-07
run env DONDOC_NOW=2025-11-11T09:00 "$DONDOC" explain 27
expect_grep "first_notice: explain says the clock counts from the first reminder sent" out \
	"^Báo cáo cấp trên tính từ ngày 7/10/2025 \(ngày gửi lời nhắc đầu tiên\)"
h=$(grep -l "^To: Trần Thị Bình" "$T"/first/outbox/*.txt | head -1)
expect_grep "first_notice: the head's message names the focal point and the day reminded" "$h" \
	"^   Đã nhắc đồng chí Nguyễn Văn An \(cán bộ đầu mối, Sở Khoa học và Công nghệ\) ngày 07/10"
l=$(for f in "$T"/first/outbox/*.txt; do grep -q "^Kind: escalation" "$f" && grep -q "^To: Đỗ Văn Giang" "$f" && echo "$f"; done | head -1)
expect_grep "first_notice: the leader's message rolls the tasks up by agency" "$l" \
	"^- Sở Khoa học và Công nghệ: [0-9]+ nhiệm vụ"
expect_grep "first_notice: the leader is told the head of Sở KH&CN was informed, with the day" "$l" \
	"^   Đã báo cáo thủ trưởng: đồng chí Trần Thị Bình \(Sở Khoa học và Công nghệ\) ngày 14/10/2025"
s=$(for f in "$T"/first/outbox/*.txt; do grep -q "^Kind: escalation" "$f" && grep -q "^To: Ngô Thị Hà" "$f" && echo "$f"; done | tail -1)
expect_grep "first_notice: the secretariat gets its own text" "$s" "^Subject: \[Đôn đốc\] Theo dõi"
expect_grep "first_notice: the secretariat is told Sở NN&MT has no head" "$s" \
	"Sở Nông nghiệp và Môi trường chưa có thủ trưởng nhận báo cáo"

# --- from = due: the strict rule, the texts still true ---------------------------------------
scenario due due
expect_eq "due: the head of Sở KH&CN is escalated to on 07/10 (5 working days after 30/9)" \
	"$(first_day escalation "Trần Thị Bình")" 2025-10-07
expect_eq "due: the leader is escalated to on 07/10 (tasks due 30/6 and 31/7)" \
	"$(first_day escalation "Đỗ Văn Giang")" 2025-10-07
h=$(for f in "$T"/due/outbox/*.txt; do grep -q "^Kind: escalation" "$f" && grep -q "^To: Trần Thị Bình" "$f" && echo "$f"; done | head -1)
expect_no_grep "due: the head's escalation of 07/10 claims no reminder (none had gone out yet)" "$h" "Đã nhắc"

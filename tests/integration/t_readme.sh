# Every command of the README's tour, run as shown, prints what the README
# says it prints (STYLE rule 20: documentation examples are tests).
. "$(dirname "$0")/../lib.sh"

if [ -z "$FIXTURES" ]; then
	skip "README tour" "../shared/fixtures is not there (the tour imports those tables)"
	exit 0
fi
cp "$FIXTURES/appendix-1-status.tsv" phu-luc-1.tsv
cp "$FIXTURES/appendix-2-deadlines.tsv" phu-luc-2.tsv
export DONDOC_NOW=2025-10-07T09:00 DONDOC_ACTOR=an
# The tour runs where schedules/ is installed; here, the repo's.
printf '[general]\nschedules = %s/schedules\ntemplates = %s/templates\noutbox_dir = %s/outbox\n' "$TOP" "$TOP" "$T" >dondoc.conf
rm -f "$DONDOC_DB"
unset DONDOC_DB	# the tour uses the default ./dondoc.db

$PY - "$TOP/README.md" "$DONDOC" >results.txt <<'PY'
import shlex, subprocess, sys
readme, binary = sys.argv[1], sys.argv[2]
text = open(readme, encoding="utf-8").read()
tour = text[text.index("## A short tour"):]
tour = tour[:tour.index("\n## ", 5)]
steps = []            # (command line, expected output lines)
in_block = False
for line in tour.split("\n"):
    if line.startswith("```"):
        in_block = not in_block
        continue
    if not in_block:
        continue
    if line.startswith("$ "):
        steps.append((line[2:], []))
    elif steps:
        steps[-1][1].append(line)
for cmd, want in steps:
    argv = shlex.split(cmd)
    assert argv[0] == "dondoc", cmd
    if argv[1:] == ["serve"]:
        argv.append("--once")   # the daemon runs until stopped: one pass here
    p = subprocess.run([binary] + argv[1:], stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    got = p.stdout.decode("utf-8").rstrip("\n").split("\n") if p.stdout else []
    name = "README: " + cmd
    if p.returncode != 0:
        print("FAIL\t%s\texit %d: %s" % (name, p.returncode, " | ".join(got)[:400]))
    elif want and got != want:
        diff = [("got  " + g, "want " + w) for g, w in zip(got + [""] * len(want), want + [""] * len(got)) if g != w]
        print("FAIL\t%s\t%s" % (name, " / ".join("%s ~ %s" % d for d in diff[:2])[:600]))
    else:
        print("PASS\t%s" % name)
print("STEPS\t%d" % len(steps))
PY
while IFS="$(printf '\t')" read -r verdict name detail; do
	case $verdict in
	PASS) pass "$name" ;;
	FAIL) fail "$name" "$detail" ;;
	STEPS) [ "$name" -ge 18 ] && pass "the README tour has its $name commands" ||
		fail "the README tour has its commands" "only $name found" ;;
	esac
done <results.txt

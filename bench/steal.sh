# Sourced by the benchmarks: how much CPU the hypervisor took meanwhile
# (the steal column of /proc/stat).  On a shared VM the same bench ran
# 2-3x slower when steal was high, so every run says how high it was.
# steal_start before the measured part, steal_report after it.
steal_start() {
	steal0=$(head -n 1 /proc/stat)
}

steal_report() {
	/usr/bin/python3 - "$steal0" "$(head -n 1 /proc/stat)" <<'PY'
import sys
a = [int(x) for x in sys.argv[1].split()[1:9]]
b = [int(x) for x in sys.argv[2].split()[1:9]]
d = [y - x for x, y in zip(a, b)]
total = sum(d)
pct = 100.0 * d[7] / total if total else 0.0
print('{"bench": "cpu steal during the run", "percent": %.1f}' % pct)
if pct > 5:
    print("bench: the hypervisor took %.0f%% of the CPU meanwhile: these figures are"
          " not this machine's own; run again when it is quieter" % pct)
PY
}

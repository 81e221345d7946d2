#!/usr/bin/python3
"""Reads each iCalendar FILE with the three checkers, side by side:
python3-icalendar (tests/ical_check.py), Mozilla's ical.js
(tests/js/ical_check.mjs) and libical (tests/ical_check.c, built by make
into build/*/tests/ical_check).  A file passes when none of them found an
error and all three read the same thing (their normalised JSON, errors
aside, equal); its reading is then written to FILE.json.  Otherwise says
why on stdout: each checker's errors, and where the readings differ.

    /usr/bin/python3 tests/ical_compare.py [--libical BIN] FILE.ics...

Exits 0 when every file passed, 1 when one did not, 2 on bad usage or
when a checker cannot be run (node or ical.js missing: make deps).
"""
import json
import os
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def checkers(libical):
    return [
        ('python3-icalendar', ['/usr/bin/python3', os.path.join(TOP, 'tests', 'ical_check.py')]),
        ('ical.js', ['node', os.path.join(TOP, 'tests', 'js', 'ical_check.mjs')]),
        ('libical', [libical]),
    ]


def differences(a, b, path=''):
    """Where two readings differ, as lines ("events[2].summary: X != Y")."""
    if type(a) is not type(b):
        return ['%s: %r != %r' % (path or '.', a, b)]
    if isinstance(a, dict):
        out = []
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                out.append('%s.%s: only in one' % (path, k))
            else:
                out.extend(differences(a[k], b[k], '%s.%s' % (path, k)))
        return out
    if isinstance(a, list):
        out = []
        if len(a) != len(b):
            out.append('%s: %d items != %d' % (path, len(a), len(b)))
        for i, (x, y) in enumerate(zip(a, b)):
            out.extend(differences(x, y, '%s[%d]' % (path, i)))
        return out
    if a != b:
        return ['%s: %s != %s' % (path, json.dumps(a, ensure_ascii=False)[:200],
                                  json.dumps(b, ensure_ascii=False)[:200])]
    return []


def readings(libical, paths):
    """Each checker run once on every path, side by side: {name: (exit status,
    [reading of each path, or None], stderr)}."""
    procs = [(name, subprocess.Popen(cmd + paths, stdout=subprocess.PIPE, stderr=subprocess.PIPE))
             for name, cmd in checkers(libical)]
    out = {}
    for name, p in procs:
        so, se = p.communicate()
        lines = so.decode('utf-8').splitlines()
        rs = []
        for i in range(len(paths)):
            try:
                rs.append(json.loads(lines[i]))
            except (IndexError, ValueError):
                rs.append(None)
        out[name] = (p.returncode, rs, se.decode('utf-8', 'replace').strip())
    return out


def compare(i, path, got):
    """0 when the three agree on paths[i] without an error (FILE.json written), else 1."""
    ok = True
    agreed = []
    for name, (status, rs, err) in got.items():
        j = rs[i]
        if j is None:
            print('%s: %s could not read it (exit %d): %s' % (path, name, status, err[:600]))
            ok = False
            continue
        for e in j.get('errors', []):
            print('%s: %s: %s' % (path, name, e))
        if j.get('errors'):
            ok = False
        j = dict(j)
        j.pop('errors', None)
        agreed.append((name, j))
    for name, j in agreed[1:]:
        diff = differences(agreed[0][1], j)
        if diff:
            ok = False
            print('%s: %s and %s disagree:' % (path, agreed[0][0], name))
            for d in diff[:20]:
                print('  ' + d)
            if len(diff) > 20:
                print('  and %d more' % (len(diff) - 20))
    if not ok:
        return 1
    with open(path + '.json', 'w', encoding='utf-8') as f:
        json.dump(agreed[0][1], f, ensure_ascii=False, sort_keys=True, indent=1)
        f.write('\n')
    return 0


def main():
    args = sys.argv[1:]
    libical = os.path.join(TOP, 'build', 'rel', 'tests', 'ical_check')
    if args[:1] == ['--libical'] and len(args) >= 2:
        libical = args[1]
        args = args[2:]
    if not args or any(a.startswith('--') for a in args):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    if not os.access(libical, os.X_OK):
        print('ical_compare.py: %s is not built (make test-build)' % libical, file=sys.stderr)
        return 2
    if not os.path.isdir(os.path.join(TOP, 'tests', 'js', 'node_modules', 'ical.js')):
        print('ical_compare.py: ical.js is not installed in tests/js (make deps)', file=sys.stderr)
        return 2
    try:
        subprocess.run(['node', '--version'], stdout=subprocess.DEVNULL, check=True)
    except (OSError, subprocess.CalledProcessError):
        print('ical_compare.py: no node (make deps)', file=sys.stderr)
        return 2
    got = readings(libical, args)
    return max([compare(i, a, got) for i, a in enumerate(args)])


if __name__ == '__main__':
    sys.exit(main())

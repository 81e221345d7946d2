#!/usr/bin/python3
"""Runs a command and prints its wall time and peak RSS as one JSON line.

Usage: measure.py NAME -- CMD ARGS...   (stdout of CMD is discarded)
"""
import json
import os
import resource
import subprocess
import sys
import time


def main():
    name = sys.argv[1]
    cmd = sys.argv[sys.argv.index("--") + 1:]
    t0 = time.monotonic()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    wall = time.monotonic() - t0
    rss_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"bench": name, "seconds": round(wall, 3),
                      "peak_rss_mib": round(rss_kib / 1024, 1), "exit": p.returncode}))
    if p.returncode not in (0,):
        sys.stderr.write(p.stderr.decode("utf-8", "replace")[-2000:])
        sys.exit(1)


if __name__ == "__main__":
    main()

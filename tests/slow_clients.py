#!/usr/bin/python3
"""Slow clients (slowloris) against dondoc's HTTP server, on loopback.

Opens COUNT connections spread over the given source addresses; each
sends a request line, then one header line every INTERVAL seconds, never
ending its headers.  Meanwhile it asks GET /healthz on fresh connections
from the PROBE addresses, once a second, and times the answers.  It stops
once the server has closed every slow connection, or after MAX seconds,
and prints what it saw as JSON:

  accepted   slow connections the server kept past their first second
  max_life   the longest a slow connection stayed open, in seconds
  open       slow connections still open at the end
  probes     [source, seconds since start, status (0: no answer), latency]
"""
import argparse
import json
import selectors
import socket
import time


def probe(port, source, timeout):
    """GET /healthz from source: (status, seconds); status 0 when no answer."""
    t = time.monotonic()
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=timeout,
                                     source_address=(source, 0))
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: dondoc\r\nConnection: close\r\n\r\n")
        data = b""
        while b"\r\n\r\n" not in data:
            k = s.recv(4096)
            if not k:
                break
            data += k
        s.close()
        status = int(data.split(b" ", 2)[1]) if data.startswith(b"HTTP/1.") else 0
    except (OSError, ValueError, IndexError):
        status = 0
    return status, round(time.monotonic() - t, 3)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--count", type=int, default=300)
    ap.add_argument("--sources", default="127.0.0.1,127.0.0.2,127.0.0.3,127.0.0.4")
    ap.add_argument("--probes", default="127.0.0.5,127.0.0.1")
    ap.add_argument("--interval", type=float, default=2.0)
    ap.add_argument("--probe-until", type=float, default=8.0)
    ap.add_argument("--max", type=float, default=30.0)
    a = ap.parse_args()
    sources = a.sources.split(",")
    sel = selectors.DefaultSelector()
    start = time.monotonic()
    conns = []
    for i in range(a.count):
        c = {"n": i, "opened": time.monotonic(), "closed": None, "lines": 0}
        try:
            s = socket.create_connection(("127.0.0.1", a.port), timeout=5,
                                         source_address=(sources[i % len(sources)], 0))
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: dondoc\r\n")
            s.setblocking(False)
            c["sock"] = s
            sel.register(s, selectors.EVENT_READ, c)
        except OSError:
            c["closed"] = time.monotonic()
            c["sock"] = None
        conns.append(c)
    probes = []
    next_line = time.monotonic() + a.interval
    next_probe = start + 1.0
    while True:
        now = time.monotonic()
        if all(c["closed"] is not None for c in conns) and now - start > a.probe_until:
            break
        if now - start > a.max:
            break
        for key, _ in sel.select(timeout=0.1):
            c = key.data
            try:
                k = c["sock"].recv(4096)
            except OSError:
                k = b""
            if not k:
                c["closed"] = time.monotonic()
                sel.unregister(c["sock"])
                c["sock"].close()
        now = time.monotonic()
        if now >= next_line:
            for c in conns:
                if c["closed"] is not None:
                    continue
                c["lines"] += 1
                try:
                    c["sock"].send(b"X-Slow-%d: %d\r\n" % (c["lines"], c["n"]))
                except OSError:
                    c["closed"] = time.monotonic()
                    sel.unregister(c["sock"])
                    c["sock"].close()
            next_line += a.interval
        if now >= next_probe and now - start <= a.probe_until:
            for src in filter(None, a.probes.split(",")):
                status, took = probe(a.port, src, 5)
                probes.append([src, round(now - start, 1), status, took])
            next_probe += 1.0
    end = time.monotonic()
    lives = [(c["closed"] or end) - c["opened"] for c in conns]
    print(json.dumps({
        "accepted": sum(1 for x in lives if x > 1.0),
        "max_life": round(max(lives), 1),
        "open": sum(1 for c in conns if c["closed"] is None),
        "probes": probes,
    }))


if __name__ == "__main__":
    main()

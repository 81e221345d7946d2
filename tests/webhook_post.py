#!/usr/bin/python3
"""Posts Telegram updates to a webhook the way Telegram's servers do, many
at once: each line of UPDATES (a JSON update) is POSTed to URL with the
secret token, on CONNECTIONS keep-alive connections in parallel.  Prints
one line per update, in the order of the file: its update_id, the HTTP
status ("-" when the connection failed: refused, reset, cut before the
answer) and the answer's body on one line.  Once the server refuses
connections (it has stopped), the updates not yet posted are "-" too,
as Telegram would keep them to send later.

usage: webhook_post.py URL SECRET UPDATES [CONNECTIONS]
"""

import http.client
import json
import sys
import threading
import urllib.parse


def main():
    url, secret, path = sys.argv[1], sys.argv[2], sys.argv[3]
    conns = int(sys.argv[4]) if len(sys.argv) > 4 else 16
    u = urllib.parse.urlsplit(url)
    updates = [line.strip() for line in open(path, encoding="utf-8") if line.strip()]
    results = [None] * len(updates)
    lock = threading.Lock()
    nxt = [0]
    down = threading.Event()

    def worker():
        c = None
        while True:
            with lock:
                i = nxt[0]
                nxt[0] += 1
            if i >= len(updates):
                break
            if down.is_set():
                results[i] = ("-", "")
                continue
            body = updates[i].encode("utf-8")
            try:
                if c is None:
                    c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
                c.request("POST", u.path, body, {
                    "Content-Type": "application/json",
                    "X-Telegram-Bot-Api-Secret-Token": secret})
                r = c.getresponse()
                results[i] = (r.status, r.read().decode("utf-8", "replace").strip())
            except ConnectionRefusedError:
                results[i] = ("-", "")
                down.set()
            except (OSError, http.client.HTTPException):
                results[i] = ("-", "")
                if c is not None:
                    c.close()
                c = None
        if c is not None:
            c.close()

    threads = [threading.Thread(target=worker) for _ in range(conns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for line, (status, body) in zip(updates, results):
        print(json.loads(line)["update_id"], status, body.replace("\n", " "))


if __name__ == "__main__":
    main()

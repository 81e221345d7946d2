#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Posts a Zalo OA webhook event to URL the way Zalo's servers do: the JSON
body as raw bytes and X-ZEvent-Signature: mac=<lowercase hex SHA-256 of
app_id + raw body + timestamp + OA secret key>, app_id and timestamp taken
from the body (../shared/CHAT-APIS.md B7, ../shared/refdata/zalo/SIGNATURE.md).
Prints the HTTP status on the first line and the answer's body after it
("-" and the error when the connection failed, exit 1).

usage: zalo_post.py [OPTIONS] URL EVENT ARG...
  EVENT and its ARGs:
    text USER_ID TEXT      user_send_text from USER_ID (its msg_id random
                           unless --msg-id)
    follow USER_ID         follow
    unfollow USER_ID       unfollow
    echo USER_ID TEXT      oa_send_text: the OA's own message to USER_ID
    event NAME USER_ID     any other event name, user_send_text's shape
                           without a message (user_send_sticker, ...)
    raw FILE               FILE's bytes as they are ("-": stdin); app_id and
                           timestamp for the signature read from it when it
                           is JSON, else from --app-id/--timestamp
  OPTIONS:
    --app-id ID            (2553928453557884079, as in refdata/zalo)
    --oa-id ID             (3662729599332560487)
    --oa-secret KEY | --oa-secret-file PATH   (TESTOASECRETKEY123)
    --timestamp MS         the body's timestamp; default: now, DONDOC_NOW
                           when set (ISO 8601, no zone = UTC+7, as dondoc)
    --stale SECONDS        the timestamp that much before it
    --msg-id ID            --user-id-by-app ID
    --numbers              ids and timestamp as JSON numbers, not strings
    --bad-signature        a valid-looking but wrong mac (one hex digit off)
    --no-signature         no X-ZEvent-Signature header
    --hmac                 HMAC-SHA256(secret, app_id + body + timestamp):
                           the negative case that must be refused
    --no-prefix            the bare hex, without "mac="
    --sign-app-id ID       sign with this app id instead of the body's
    --header NAME:VALUE    an extra header (repeatable), e.g. X-ZEvent-Server: ZNS
    --print                print the body and the header, post nothing
  and a signer for vectors:
    zalo_post.py sign APP_ID TIMESTAMP SECRET FILE   prints mac=<hex> of FILE's bytes
  and a generator for benchmarks (wrk cannot hash; it replays these):
    zalo_post.py gen COUNT [--users N (1000)] [--user-base B (6142494823000000000)]
                 [--text FMT ("/tiendo {task} {pct}% đã cập nhật")] [--app-id]
                 [--oa-id] [--oa-secret] [--timestamp MS]
        prints COUNT lines "mac=<hex>\t<body>": user_send_text events from
        the users B+1..B+N in turn, each with its own msg_id (replays are
        refused), all with the timestamp given or now; in FMT {i} is the
        event's number (0..), {user} its user (1..N), {task} = {user},
        {pct} = i % 100.

As a module (bench generators): mac(app_id, body, timestamp, secret) ->
hex str; event_body(kind, user_id, ...) -> bytes; signature_header(body,
secret, ...) -> (name, value).
"""

import argparse
import datetime
import hashlib
import hmac
import http.client
import json
import os
import secrets
import sys
import time
import urllib.parse

APP_ID = "2553928453557884079"
OA_ID = "3662729599332560487"
OA_SECRET = "TESTOASECRETKEY123"
HEADER = "X-ZEvent-Signature"


def _bytes(value):
    return value if isinstance(value, bytes) else str(value).encode("utf-8")


def mac(app_id, body, timestamp, secret):
    """Zalo's buildMac: lowercase hex SHA-256(app_id + body + timestamp + secret),
    plain SHA-256 over the concatenation, not HMAC; body the raw bytes."""
    return hashlib.sha256(_bytes(app_id) + _bytes(body) + _bytes(timestamp) + _bytes(secret)).hexdigest()


def hmac_mac(app_id, body, timestamp, secret):
    """The wrong formula (HMAC keyed by the secret) that a verifier must refuse."""
    return hmac.new(_bytes(secret), _bytes(app_id) + _bytes(body) + _bytes(timestamp),
                    hashlib.sha256).hexdigest()


def now_ms():
    """Now in epoch ms, or DONDOC_NOW's instant (as dondoc reads it: no zone
    means Viet Nam, UTC+7)."""
    pinned = os.environ.get("DONDOC_NOW")
    if not pinned:
        return int(time.time() * 1000)
    text = pinned.replace("z", "Z").replace("Z", "+00:00")
    moment = datetime.datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.timezone(datetime.timedelta(hours=7)))
    return int(moment.timestamp() * 1000)


def event_body(kind, user_id, text=None, app_id=APP_ID, oa_id=OA_ID, timestamp=None,
               msg_id=None, user_id_by_app=None, numbers=False):
    """A compact UTF-8 event as Zalo sends it; kind "text", "follow", "unfollow",
    "echo" or an event name.  numbers: ids and timestamp as JSON numbers."""
    timestamp = str(now_ms() if timestamp is None else timestamp)
    user_id_by_app = user_id_by_app or "9791221850" + str(user_id)[-9:].rjust(9, "0")
    conv = (lambda s: int(s)) if numbers else (lambda s: str(s))
    if kind in ("follow", "unfollow"):
        ev = {"app_id": conv(app_id), "oa_id": conv(oa_id), "user_id_by_app": conv(user_id_by_app),
              "event_name": kind, "timestamp": conv(timestamp), "source": "oa_profile",
              "follower": {"id": conv(user_id)}}
    else:
        name = {"text": "user_send_text", "echo": "oa_send_text"}.get(kind, kind)
        sender, recipient = (oa_id, user_id) if kind == "echo" else (user_id, oa_id)
        ev = {"app_id": conv(app_id), "user_id_by_app": conv(user_id_by_app), "event_name": name,
              "timestamp": conv(timestamp), "sender": {"id": conv(sender)},
              "recipient": {"id": conv(recipient)}}
        if text is not None or kind in ("text", "echo"):
            ev["message"] = {"text": text or "", "msg_id": msg_id or secrets.token_hex(10)}
    return json.dumps(ev, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def signature_header(body, secret, app_id=None, timestamp=None, variant="good", prefix=True):
    """(header name, value) for body; app_id and timestamp read from the body
    unless given.  variant: "good", "bad" (one digit off) or "hmac"."""
    if app_id is None or timestamp is None:
        ev = json.loads(body)
        app_id = ev.get("app_id") if app_id is None else app_id
        timestamp = ev.get("timestamp") if timestamp is None else timestamp
    digest = (hmac_mac if variant == "hmac" else mac)(app_id, body, timestamp, secret)
    if variant == "bad":
        digest = ("0" if digest[0] != "0" else "1") + digest[1:]
    return HEADER, ("mac=" if prefix else "") + digest


def post(url, body, headers, timeout=30):
    """POSTs body; returns (status, answer text)."""
    u = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=timeout)
    path = u.path + ("?" + u.query if u.query else "")
    conn.request("POST", path or "/", body, dict({"Content-Type": "application/json"}, **headers))
    answer = conn.getresponse()
    return answer.status, answer.read().decode("utf-8", "replace")


def generate(argv):
    parser = argparse.ArgumentParser(usage="zalo_post.py gen COUNT [OPTIONS]")
    parser.add_argument("count", type=int)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--user-base", type=int, default=6142494823000000000)
    parser.add_argument("--text", default="/tiendo {task} {pct}% đã cập nhật")
    parser.add_argument("--app-id", default=APP_ID)
    parser.add_argument("--oa-id", default=OA_ID)
    parser.add_argument("--oa-secret", default=OA_SECRET)
    parser.add_argument("--timestamp", type=int)
    o = parser.parse_args(argv)
    timestamp = o.timestamp if o.timestamp is not None else now_ms()
    out = sys.stdout.buffer
    for i in range(o.count):
        user = i % o.users + 1
        text = o.text.format(i=i, user=user, task=user, pct=i % 100)
        body = event_body("text", o.user_base + user, text, app_id=o.app_id, oa_id=o.oa_id,
                          timestamp=timestamp, msg_id="%020x" % (0xbe0c0000000000000000 + i))
        _, value = signature_header(body, o.oa_secret, o.app_id, timestamp)
        out.write(value.encode("ascii") + b"\t" + body + b"\n")
    return 0


def main(argv):
    if argv[:1] == ["gen"]:
        return generate(argv[1:])
    if argv[:1] == ["sign"]:
        if len(argv) != 5:
            sys.exit("usage: zalo_post.py sign APP_ID TIMESTAMP SECRET FILE")
        with open(argv[4], "rb") as f:
            print("mac=" + mac(argv[1], f.read(), argv[2], argv[3]))
        return 0
    parser = argparse.ArgumentParser(usage="zalo_post.py [OPTIONS] URL EVENT ARG...")
    parser.add_argument("url")
    parser.add_argument("event")
    parser.add_argument("args", nargs="*")
    parser.add_argument("--app-id", default=APP_ID)
    parser.add_argument("--oa-id", default=OA_ID)
    parser.add_argument("--oa-secret", default=None)
    parser.add_argument("--oa-secret-file")
    parser.add_argument("--timestamp")
    parser.add_argument("--stale", type=float, default=0)
    parser.add_argument("--msg-id")
    parser.add_argument("--user-id-by-app")
    parser.add_argument("--numbers", action="store_true")
    parser.add_argument("--bad-signature", action="store_true")
    parser.add_argument("--no-signature", action="store_true")
    parser.add_argument("--hmac", action="store_true")
    parser.add_argument("--no-prefix", action="store_true")
    parser.add_argument("--sign-app-id")
    parser.add_argument("--header", action="append", default=[])
    parser.add_argument("--print", action="store_true")
    o = parser.parse_args(argv)
    secret = o.oa_secret
    if o.oa_secret_file:
        with open(o.oa_secret_file, encoding="utf-8") as f:
            secret = f.read().strip()
    if secret is None:
        secret = OA_SECRET
    timestamp = int(o.timestamp) if o.timestamp else now_ms()
    timestamp -= int(o.stale * 1000)
    need = {"text": 2, "echo": 2, "follow": 1, "unfollow": 1, "event": 2, "raw": 1}
    if o.event not in need or len(o.args) != need[o.event]:
        parser.error("EVENT is one of text USER TEXT, echo USER TEXT, follow USER, "
                     "unfollow USER, event NAME USER, raw FILE")
    sign_app, sign_ts = o.sign_app_id, None
    if o.event == "raw":
        if o.args[0] == "-":
            body = sys.stdin.buffer.read()
        else:
            with open(o.args[0], "rb") as f:
                body = f.read()
        try:
            ev = json.loads(body)
            sign_app = sign_app or (ev.get("app_id") if isinstance(ev, dict) else None)
            sign_ts = ev.get("timestamp") if isinstance(ev, dict) else None
        except ValueError:
            pass
        sign_app = sign_app or o.app_id
        sign_ts = sign_ts if sign_ts is not None else (o.timestamp or timestamp)
    else:
        kind, user, text = o.event, o.args[0], o.args[1] if len(o.args) > 1 else None
        if o.event == "event":
            kind, user, text = o.args[0], o.args[1], None
        body = event_body(kind, user, text, app_id=o.app_id, oa_id=o.oa_id, timestamp=timestamp,
                          msg_id=o.msg_id, user_id_by_app=o.user_id_by_app, numbers=o.numbers)
        sign_app, sign_ts = sign_app or o.app_id, timestamp
    headers = {}
    if not o.no_signature:
        variant = "hmac" if o.hmac else "bad" if o.bad_signature else "good"
        name, value = signature_header(body, secret, sign_app, sign_ts, variant, not o.no_prefix)
        headers[name] = value
    for h in o.header:
        name, _, value = h.partition(":")
        headers[name.strip()] = value.strip()
    if o.print:
        sys.stdout.buffer.write(body + b"\n")
        for name, value in headers.items():
            print("%s: %s" % (name, value))
        return 0
    try:
        status, answer = post(o.url, body, headers)
    except OSError as error:
        print("-")
        print(error)
        return 1
    print(status)
    print(answer)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

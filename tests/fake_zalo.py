#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A fake Zalo server for dondoc's tests, on loopback: the Official Account
API (openapi.zalo.me), OAuth v4 (oauth.zaloapp.com) and ZNS
(business.openapi.zalo.me) on one port, as ../shared/CHAT-APIS.md part B
describes them.  Point [zalo] api_base, oauth_base and zns_base at it.
The webhook side (Zalo calling dondoc) is tests/zalo_post.py.

    fake_zalo.py --port PORT [--ready-file PATH] [--app-id ID]
                 [--secret-key KEY] [--refresh-token R] [--access-token A]
                 [--oa-id ID] [--oa-name NAME] [--strict-refresh]
                 [--zns-quota N] [--zns-template ID]...

It listens on 127.0.0.1:PORT (0 picks a free port); once listening it writes
the port to --ready-file (through PATH.tmp and a rename) and prints
"listening on PORT".  SIGTERM or SIGINT stops it.

Every API error is an HTTP 200 whose JSON body says it, as on Zalo:
{"error": <negative int>, "message": "...", "data": {}}; "error": 0 is
success.  Only scripted failures (/control/fail) answer another status.

OA API (header access_token, never Authorization):
  POST /v3.0/oa/message/cs  {"recipient": {"user_id": "<string>"},
                             "message": {"text": "<string>"}}
        -216 "Access token is invalid" when the header is missing or the
        token unknown or revoked; -220 "access_token is expired or removed"
        when it expired; -201 "<field> is invalid" for a body that is no
        JSON object, a user_id that is not a non-empty string (a number
        too), a text that is not a non-empty string or longer than 2000
        code points after NFC; then the user's scripted error
        (/control/user: -230, -213, ...); -32 past the per-minute rate
        limit (/control/config rate_limit, off by default).  Success:
        data {"message_id": 20 hex digits, unique, "user_id",
        "sent_time": "<epoch ms>"}; the message is recorded (/control/sent).
  GET  /v2.0/oa/getoa       data {"oa_id", "name", "description", "avatar",
                             "cover", "is_verified": true}; same token errors.

OAuth v4:
  POST /v4/oa/access_token  form refresh_token, app_id, grant_type=refresh_token;
        header secret_key.  Success {"access_token", "refresh_token",
        "expires_in": "90000"} (expires_in as set by /control/config, sent
        as given: a string unless a test sets a number).  A failure is HTTP
        200 with no access_token: {"error": <negative>, "error_name",
        "error_reason", "error_description"} (the codes are this fake's;
        Zalo's are not documented, so dondoc must treat any reply without
        access_token as a failure and nothing more):
          -14002 "Invalid app_id"           wrong or missing app_id
          -14003 "Invalid secret_key"       wrong or missing secret_key header
          -14004 "Invalid grant_type"       grant_type is not refresh_token
          -14014 "Invalid refresh_token"    unknown, voided or spent token
          -14020 "Refresh token expired"    never by itself (scripted only)

  Rotation.  Each refresh token R is single use; a successful refresh of R
  issues a new pair (A', R') and gives A' the lifetime expires_in.  R is
  refused once it has been used AND the pair it was exchanged for has been
  used: A' presented on any API call (OA or ZNS), or R' presented to this
  endpoint.  Until then R still works, so that the grant is not lost when a
  client dies between the reply and storing the pair: using R again issues a
  fresh pair (A'', R'') and voids the unused (A', R') (a client that stored
  (A', R') after another used R is then caught: its R' is refused).  Once
  the pair is used, R is spent and refused.  In strict mode
  (--strict-refresh, /control/config strict_refresh) a used R is refused at
  once.  Access tokens older than the newest are not voided by a rotation;
  they expire on their own (expires_in after issue, wall clock) or by
  /control/expire.  Every presentation of every refresh token counts, valid
  or not, success or failure (/control/tokens "uses").

ZNS:
  POST /message/template    header access_token; {"phone": "84...",
        "template_id": "<string>", "template_data": {...}, "tracking_id"}.
        -124 "Access token is invalid" for a missing, unknown, revoked or
        expired token; -108 "Phone number is invalid" (not a string of 9-12
        digits starting 84 or 0); -109 "Template id is invalid" (unknown
        template, or not a string); -111 "Template data is empty" (missing
        or not an object); -112 "Template data is invalid" (keys differ
        from the template's params, when the template lists them); the
        phone's scripted error (/control/zns_phone: -118 no Zalo account,
        -108, ...); -144 "OA has exceeded the daily quota" once the day's
        successful sends reached the quota (500; never reset by the clock:
        /control/zns_quota).  Success: data {"msg_id": 32 hex digits,
        "sent_time": "<epoch ms>", "quota": {"dailyQuota", "remainingQuota"}}
        (sent_time and quota are UNCONFIRMED on Zalo; do not depend on
        them); recorded in /control/zns_sent.  Phones "0..." are recorded
        also as "84...".

Control API, JSON in and out, on the same port:

  POST /control/token   {"refresh_token", "access_token", "expires_in",
                         "app_id", "secret_key", "keep_others" (false)}
        seeds the grant: refresh_token becomes valid (fresh, never used), and
        unless keep_others every other refresh token is voided; access_token,
        when given, is valid for expires_in (the configured one) seconds.
        app_id, secret_key replace the app's.  -> /control/tokens
  POST /control/config  {"app_id", "secret_key", "oa_id", "oa_name",
                         "expires_in", "strict_refresh", "rate_limit",
                         "zns_quota"}  any of them.  rate_limit: OA calls
        a minute (rolling 60 s, counted from this call) before -32; 0 = no
        limit.  -> the config.
  POST /control/expire  {"access_token" (all when absent), "revoke" (false)}
        the token(s) expire now (-220, ZNS -124), or with revoke become
        invalid (-216).  -> {"expired": [tokens]}
  GET  /control/tokens  {"current_refresh": newest valid refresh token or
        null, "current_access": newest access token or null,
        "uses": {refresh token: presentations}, "refreshes": successful
        refreshes, "refresh": {token: {"state": "valid"|"used"|"spent"|
        "void", "uses", "from" (the token it was issued for, or null),
        "issued": [access, refresh] of its last exchange or null}},
        "access": {token: {"state": "valid"|"expired"|"revoked"|"void",
        "from", "used" (API calls made with it), "expires_at" (epoch s)}}}
  POST /control/user    {"user_id", "error" (0 or null clears), "message"}
        every CS send to user_id answers that error (-230 outside the
        window, -213 not a follower, -227, -244 ...), default message
        from the table below.  -> {"users": {...}}
  POST /control/fail    {"endpoint": "cs"|"getoa"|"oauth"|"zns"|"any" ("cs"),
                         "count" (1), "user_id" | "phone" (only calls to
                         them), and one of:
                           "error": N [, "message"]  an HTTP 200 envelope
                               with that code (oauth: a failure reply with
                               "error_name", "error_reason" as given),
                               nothing done;
                           "status": 500 | 502 | 503 ... [, "body"]  that
                               HTTP status, nothing done;
                           "delay": S   the call is done now (a message
                               recorded, a token rotated) and the answer
                               held back S seconds;
                           "hang": true  done, never answered (until the
                               client hangs up or the fake stops);
                           "disconnect": true  done, the connection closed
                               with no answer;
                           "reset": true  the same, closed with a TCP RST
                               (the client reads "connection reset");
                         "done": false with delay: the call is done only
                         after the delay (a plain slow answer); with hang or
                         disconnect: never done.}
        the next count matching calls go that way.  -> {"failures": [...]}
  POST /control/zns_quota {"quota", "used"}  the daily quota and the sends
        counted against it today.  -> {"quota", "used"}
  POST /control/zns_phone {"phone", "error" (0 or null clears), "message"}
  POST /control/zns_template {"template_id", "params" ([names] or null: any)}
  GET  /control/sent[?count=N&timeout=S]     successful CS sends:
        {"user_id", "text", "message_id", "sent_time", "access_token", "wall"};
        with count, waits up to timeout seconds for N.
  GET  /control/zns_sent[?count=N&timeout=S] successful ZNS sends:
        {"phone", "phone84", "template_id", "template_data", "tracking_id",
         "msg_id", "access_token", "wall"}
  GET  /control/calls[?endpoint=E&count=N&timeout=S]  every API call:
        {"endpoint", "path", "access_token" (or the refresh_token for oauth),
         "params" (JSON body or form), "status", "response", "scripted"?,
         "t", "t_end", "wall"}; with count, waits for N finished calls.
  GET  /control/state   config, users, failures, ZNS quota, phones, templates.
  POST /control/reset   forgets sends, calls, failures, users, phones, the
        ZNS count; keeps the tokens and the config.
"""

import argparse
import copy
import json
import os
import re
import secrets
import signal
import socket
import struct
import sys
import threading
import time
import unicodedata
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

TEXT_MAX = 2000
DEFAULT_APP_ID = "2553928453557884079"      # ../shared/refdata/zalo
DEFAULT_OA_ID = "3662729599332560487"
DEFAULT_SECRET_KEY = "TESTAPPSECRETKEY"
DEFAULT_TEMPLATE = "412345"

# Messages of the OA error table (CHAT-APIS.md B4) and ZNS (B9).
OA_MESSAGES = {
    -32: "Your application/OA reached limit call api",
    -201: "Parameters are invalid",
    -204: "Official Account is disabled",
    -205: "Official Account does not exist",
    -209: "App is not activated",
    -211: "Out of quota",
    -212: "API is not registered for this app",
    -213: "User has not followed OA",
    -216: "Access token is invalid",
    -217: "User has blocked invitation from OA",
    -218: "Out of quota receive",
    -220: "access_token is expired or removed",
    -223: "OA has not authorized this API",
    -227: "User is banned or inactive for more than 45 days",
    -230: "User has not interacted with the OA in the past 7 days",
    -232: "User interaction has expired",
    -244: "User has restricted this message type from your OA",
}
ZNS_MESSAGES = {
    -100: "Unknown error",
    -108: "Phone number is invalid",
    -109: "Template id is invalid",
    -111: "Template data is empty",
    -112: "Template data is invalid",
    -114: "User is inactive or has rejected the message",
    -118: "Zalo account does not exist",
    -119: "Account cannot receive ZNS messages",
    -124: "Access token is invalid",
    -133: "This template cannot be sent at night",
    -144: "OA has exceeded the daily quota",
}
OAUTH_ERRORS = {
    -14002: ("Invalid app_id", "app_id is missing or does not match the application"),
    -14003: ("Invalid secret_key", "secret_key is missing or wrong"),
    -14004: ("Invalid grant_type", "grant_type must be refresh_token"),
    -14014: ("Invalid refresh_token", "refresh_token is invalid, used or revoked"),
    -14020: ("Refresh token expired", "refresh_token has expired"),
}
ENDPOINTS = {"cs", "getoa", "oauth", "zns", "any"}


class ControlError(Exception):
    """A control request the fake cannot follow."""


class Fake:
    def __init__(self, options):
        self.cond = threading.Condition()
        self.stopping = False
        self.config = {"app_id": options.app_id, "secret_key": options.secret_key,
                       "oa_id": options.oa_id, "oa_name": options.oa_name,
                       "expires_in": "90000", "strict_refresh": options.strict_refresh,
                       "rate_limit": 0, "zns_quota": options.zns_quota}
        self.refresh = {}       # token -> {state, uses, from, issued, order}
        self.access = {}        # token -> {state, from, used, expires_at, order}
        self.uses = {}          # every refresh token presented -> count
        self.refreshes = 0
        self.generation = 0
        self.templates = {t: None for t in (options.zns_template or [DEFAULT_TEMPLATE])}
        self.reset()
        if options.refresh_token:
            self.control_token({"refresh_token": options.refresh_token,
                                "access_token": options.access_token}, {})
        elif options.access_token:
            self.add_access(options.access_token, None)

    def reset(self):
        self.sent = []
        self.zns_sent = []
        self.calls = []
        self.failures = []
        self.users = {}
        self.phones = {}
        self.zns_used = 0
        self.recent = []        # monotonic times of OA calls, for rate_limit

    # Tokens.

    def add_access(self, token, parent, expires_in=None):
        seconds = float(self.config["expires_in"] if expires_in is None else expires_in)
        self.generation += 1
        self.access[token] = {"state": "valid", "from": parent, "used": 0,
                              "expires_at": time.time() + seconds, "order": self.generation}

    def add_refresh(self, token, parent):
        self.generation += 1
        self.refresh[token] = {"state": "valid", "uses": 0, "from": parent, "issued": None,
                               "order": self.generation}

    def pair_used(self, refresh_token):
        """A pair issued for refresh_token was used: that token is spent."""
        parent = self.refresh.get(refresh_token)
        if parent and parent["state"] in ("valid", "used"):
            parent["state"] = "spent"

    def access_state(self, token):
        """Checks the access token of an API call: None when valid (and the
        call counts as its use), else "missing", "invalid" or "expired"."""
        entry = self.access.get(token) if token else None
        if entry is None or entry["state"] in ("revoked", "void"):
            return "invalid"
        if entry["state"] == "expired" or time.time() >= entry["expires_at"]:
            entry["state"] = "expired"
            return "expired"
        entry["used"] += 1
        if entry["from"]:
            self.pair_used(entry["from"])
        return None

    def new_token(self, kind):
        return "zalo-%s-%d-%s" % (kind, self.refreshes + 1, secrets.token_hex(12))

    def count_use(self, token):
        if token:
            self.uses[token] = self.uses.get(token, 0) + 1
            if token in self.refresh:
                self.refresh[token]["uses"] += 1

    def oauth(self, form, secret_key):
        """The token endpoint; returns the reply body."""
        token = form.get("refresh_token", "")
        self.count_use(token)
        if form.get("app_id") != self.config["app_id"]:
            return oauth_error(-14002)
        if secret_key != self.config["secret_key"]:
            return oauth_error(-14003)
        if form.get("grant_type") != "refresh_token":
            return oauth_error(-14004)
        entry = self.refresh.get(token)
        if entry is None or entry["state"] in ("spent", "void"):
            return oauth_error(-14014)
        if entry["state"] == "used" and self.config["strict_refresh"]:
            return oauth_error(-14014)
        if entry["from"]:
            self.pair_used(entry["from"])
        if entry["issued"]:
            # Used again before its pair was: that pair is voided.
            old_access, old_refresh = entry["issued"]
            if old_access in self.access:
                self.access[old_access]["state"] = "void"
            if old_refresh in self.refresh:
                self.refresh[old_refresh]["state"] = "void"
        access, refresh = self.new_token("access"), self.new_token("refresh")
        self.add_access(access, token)
        self.add_refresh(refresh, token)
        entry["state"] = "used"
        entry["issued"] = [access, refresh]
        self.refreshes += 1
        return {"access_token": access, "refresh_token": refresh,
                "expires_in": self.config["expires_in"]}

    # The APIs.

    def rate_limited(self):
        limit = int(self.config["rate_limit"] or 0)
        now = time.monotonic()
        self.recent = [t for t in self.recent if now - t < 60]
        if limit and len(self.recent) >= limit:
            return True
        self.recent.append(now)
        return False

    def api_cs(self, token, params):
        state = self.access_state(token)
        if state:
            return oa_error(-220 if state == "expired" else -216)
        if not isinstance(params, dict):
            return oa_error(-201, "body is invalid")
        recipient = params.get("recipient")
        user_id = recipient.get("user_id") if isinstance(recipient, dict) else None
        if not isinstance(user_id, str) or not user_id:
            return oa_error(-201, "user_id is invalid")
        message = params.get("message")
        text = message.get("text") if isinstance(message, dict) else None
        if not isinstance(text, str) or not text or len(unicodedata.normalize("NFC", text)) > TEXT_MAX:
            return oa_error(-201, "text is invalid")
        if user_id in self.users:
            return oa_error(self.users[user_id]["error"], self.users[user_id].get("message"))
        if self.rate_limited():
            return oa_error(-32)
        now_ms = str(int(time.time() * 1000))
        message_id = secrets.token_hex(10)
        self.sent.append({"user_id": user_id, "text": text, "message_id": message_id,
                          "sent_time": now_ms, "access_token": token, "wall": time.time()})
        return {"error": 0, "message": "Success",
                "data": {"message_id": message_id, "user_id": user_id, "sent_time": now_ms}}

    def api_getoa(self, token, params):
        state = self.access_state(token)
        if state:
            return oa_error(-220 if state == "expired" else -216)
        if self.rate_limited():
            return oa_error(-32)
        return {"error": 0, "message": "Success",
                "data": {"oa_id": self.config["oa_id"], "name": self.config["oa_name"],
                         "description": "Nhắc việc của Văn phòng", "avatar": "", "cover": "",
                         "is_verified": True}}

    def api_zns(self, token, params):
        if self.access_state(token):
            return zns_error(-124)
        if not isinstance(params, dict):
            return zns_error(-100)
        phone = params.get("phone")
        if not isinstance(phone, str) or not re.fullmatch(r"(84|0)\d{8,10}", phone):
            return zns_error(-108)
        phone84 = "84" + phone[1:] if phone.startswith("0") else phone
        template_id = params.get("template_id")
        if not isinstance(template_id, str) or template_id not in self.templates:
            return zns_error(-109)
        data = params.get("template_data")
        if not isinstance(data, dict) or not data:
            return zns_error(-111)
        wanted = self.templates[template_id]
        if wanted is not None and sorted(data) != sorted(wanted):
            return zns_error(-112)
        scripted = self.phones.get(phone84)
        if scripted:
            return zns_error(scripted["error"], scripted.get("message"))
        quota = int(self.config["zns_quota"])
        if self.zns_used >= quota:
            return zns_error(-144)
        self.zns_used += 1
        msg_id = secrets.token_hex(16)
        now_ms = str(int(time.time() * 1000))
        self.zns_sent.append({"phone": phone, "phone84": phone84, "template_id": template_id,
                              "template_data": data, "tracking_id": params.get("tracking_id"),
                              "msg_id": msg_id, "access_token": token, "wall": time.time()})
        return {"error": 0, "message": "Success",
                "data": {"msg_id": msg_id, "sent_time": now_ms,
                         "quota": {"dailyQuota": str(quota),
                                   "remainingQuota": str(quota - self.zns_used)}}}

    # Calls and scripted failures.

    def start_call(self, endpoint, path, credential, params):
        record = {"endpoint": endpoint, "path": path, "access_token": credential,
                  "params": params, "status": None, "response": None,
                  "t": time.monotonic(), "wall": time.time()}
        self.calls.append(record)
        return record

    def finish_call(self, record, status, response, **marks):
        record.update(status=status, response=response, t_end=time.monotonic(), **marks)
        self.cond.notify_all()

    def take_failure(self, endpoint, params):
        target = None
        if isinstance(params, dict):
            recipient = params.get("recipient")
            if isinstance(recipient, dict):
                target = recipient.get("user_id")
            elif "phone" in params:
                target = params.get("phone")
        for failure in self.failures:
            if failure["endpoint"] not in (endpoint, "any"):
                continue
            want = failure.get("user_id") or failure.get("phone")
            if want is not None and str(want) != str(target):
                continue
            failure["count"] -= 1
            if failure["count"] <= 0:
                self.failures.remove(failure)
            return dict(failure)
        return None

    # Control.

    def control_token(self, data, query):
        for key in ("app_id", "secret_key"):
            if data.get(key) is not None:
                self.config[key] = str(data[key])
        token = data.get("refresh_token")
        if token is not None:
            if not isinstance(token, str) or not token:
                raise ControlError("refresh_token must be a non-empty string")
            if not data.get("keep_others"):
                for entry in self.refresh.values():
                    if entry["state"] in ("valid", "used"):
                        entry["state"] = "void"
            self.add_refresh(token, None)
        if data.get("access_token"):
            self.add_access(str(data["access_token"]), None, data.get("expires_in"))
        return self.control_tokens({}, {})

    def control_config(self, data, query):
        for key, value in data.items():
            if key not in self.config:
                raise ControlError("no setting %s" % key)
            self.config[key] = value
        if "rate_limit" in data:
            self.recent = []    # the minute starts now
        return self.config

    def control_expire(self, data, query):
        which = data.get("access_token")
        if which is not None and which not in self.access:
            raise ControlError("no access token %s" % which)
        done = []
        for token, entry in self.access.items():
            if which is None or token == which:
                entry["state"] = "revoked" if data.get("revoke") else "expired"
                done.append(token)
        return {"expired": done}

    def control_tokens(self, data, query):
        def newest(table, states):
            best = [t for t, e in table.items() if e["state"] in states]
            return max(best, key=lambda t: table[t]["order"]) if best else None
        for token, entry in self.access.items():
            if entry["state"] == "valid" and time.time() >= entry["expires_at"]:
                entry["state"] = "expired"
        return {"current_refresh": newest(self.refresh, ("valid",)),
                "current_access": newest(self.access, ("valid",)),
                "uses": self.uses, "refreshes": self.refreshes,
                "refresh": {t: {k: v for k, v in e.items() if k != "order"}
                            for t, e in self.refresh.items()},
                "access": {t: {k: v for k, v in e.items() if k != "order"}
                           for t, e in self.access.items()}}

    def control_user(self, data, query):
        user_id = data.get("user_id")
        if not isinstance(user_id, str):
            raise ControlError("user_id must be a string")
        if data.get("error"):
            self.users[user_id] = {"error": int(data["error"]), "message": data.get("message")}
        else:
            self.users.pop(user_id, None)
        return {"users": self.users}

    def control_fail(self, data, query):
        endpoint = data.get("endpoint", "cs")
        if endpoint not in ENDPOINTS:
            raise ControlError("endpoint must be one of %s" % ", ".join(sorted(ENDPOINTS)))
        failure = {"endpoint": endpoint, "count": int(data.get("count", 1))}
        for key in ("user_id", "phone", "message", "error_name", "error_reason", "body"):
            if data.get(key) is not None:
                failure[key] = data[key]
        if data.get("error") is not None:
            failure["error"] = int(data["error"])
        elif data.get("status") is not None:
            failure["status"] = int(data["status"])
        elif data.get("delay") or data.get("hang") or data.get("disconnect") or data.get("reset"):
            failure["delay"] = float(data.get("delay") or 0)
            failure["hang"] = bool(data.get("hang"))
            failure["disconnect"] = bool(data.get("disconnect") or data.get("reset"))
            failure["reset"] = bool(data.get("reset"))
            failure["done"] = bool(data.get("done", True))
        else:
            raise ControlError("give error, status, delay, hang, disconnect or reset")
        self.failures.append(failure)
        return {"failures": self.failures}

    def control_zns_quota(self, data, query):
        if data.get("quota") is not None:
            self.config["zns_quota"] = int(data["quota"])
        if data.get("used") is not None:
            self.zns_used = int(data["used"])
        return {"quota": self.config["zns_quota"], "used": self.zns_used}

    def control_zns_phone(self, data, query):
        phone = data.get("phone")
        if not isinstance(phone, str):
            raise ControlError("phone must be a string")
        phone84 = "84" + phone[1:] if phone.startswith("0") else phone
        if data.get("error"):
            self.phones[phone84] = {"error": int(data["error"]), "message": data.get("message")}
        else:
            self.phones.pop(phone84, None)
        return {"phones": self.phones}

    def control_zns_template(self, data, query):
        template_id = data.get("template_id")
        if not isinstance(template_id, str):
            raise ControlError("template_id must be a string")
        params = data.get("params")
        if params is not None and not (isinstance(params, list) and all(isinstance(p, str) for p in params)):
            raise ControlError("params must be a list of names or null")
        self.templates[template_id] = params
        return {"templates": self.templates}

    def wait_for(self, items, finished, query):
        count = int(query.get("count", 0))
        self.cond.wait_for(lambda: len([i for i in items() if finished(i)]) >= count,
                           float(query.get("timeout", 0)))
        return items()

    def control_sent(self, data, query):
        return self.wait_for(lambda: self.sent, lambda s: True, query)

    def control_zns_sent(self, data, query):
        return self.wait_for(lambda: self.zns_sent, lambda s: True, query)

    def control_calls(self, data, query):
        endpoint = query.get("endpoint")
        return self.wait_for(lambda: [c for c in self.calls if not endpoint or c["endpoint"] == endpoint],
                             lambda c: "t_end" in c, query)

    def control_state(self, data, query):
        return {"config": self.config, "users": self.users, "failures": self.failures,
                "zns": {"quota": self.config["zns_quota"], "used": self.zns_used,
                        "phones": self.phones, "templates": self.templates}}

    def control_reset(self, data, query):
        self.reset()
        return {}


def oa_error(code, message=None):
    if message is None:
        message = OA_MESSAGES.get(code, "Error %d" % code)
    return {"error": code, "message": message, "data": {}}


def zns_error(code, message=None):
    if message is None:
        message = ZNS_MESSAGES.get(code, OA_MESSAGES.get(code, "Error %d" % code))
    return {"error": code, "message": message, "data": {}}


def oauth_error(code, name=None, reason=None):
    default = OAUTH_ERRORS.get(code, ("Error %d" % code, "The request failed"))
    name = name or default[0]
    reason = reason or default[1]
    return {"error": code, "error_name": name, "error_reason": reason, "error_description": reason}


ROUTES = {("POST", "/v3.0/oa/message/cs"): "cs",
          ("GET", "/v2.0/oa/getoa"): "getoa",
          ("POST", "/v4/oa/access_token"): "oauth",
          ("POST", "/message/template"): "zns"}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def version_string(self):
        return "ZWS"

    def do_GET(self):
        self.route()

    def do_POST(self):
        self.route()

    def log_message(self, fmt, *args):
        sys.stderr.write("fake_zalo: %s\n" % (fmt % args))

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                chunk = self.rfile.read(size + 2)[:size]
                if size == 0:
                    return body
                body += chunk
        return self.rfile.read(int(self.headers.get("Content-Length") or 0))

    def send_json(self, status, body, raw=None):
        data = raw if raw is not None else json.dumps(body, ensure_ascii=False,
                                                      separators=(",", ":")).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json;charset=utf-8" if raw is None
                             else "text/html;charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True     # the client gave up (a timeout test)

    def route(self):
        url = urllib.parse.urlsplit(self.path)
        body = self.read_body()
        if url.path.startswith("/control/"):
            self.control(url.path[len("/control/"):], url.query, body)
            return
        endpoint = ROUTES.get((self.command, url.path))
        if endpoint is None:
            self.send_json(404, {"error": 404, "message": "Not Found"})
            return
        self.api(endpoint, url, body)

    def api(self, endpoint, url, body):
        fake = self.server.fake
        if endpoint == "oauth":
            params = dict(urllib.parse.parse_qsl(body.decode("utf-8", "replace")))
            credential = params.get("refresh_token")
        elif endpoint == "getoa":
            params = dict(urllib.parse.parse_qsl(url.query))
            credential = self.headers.get("access_token")
        else:
            credential = self.headers.get("access_token")
            try:
                params = json.loads(body)
            except ValueError:
                params = None
        secret_key = self.headers.get("secret_key")

        def run():
            if endpoint == "oauth":
                return fake.oauth(params, secret_key)
            return getattr(fake, "api_" + endpoint)(credential, params)

        with fake.cond:
            record = fake.start_call(endpoint, url.path, credential, params)
            failure = fake.take_failure(endpoint, params)
            if failure is None:
                response = run()
                fake.finish_call(record, 200, response)
            elif "error" in failure:
                if endpoint == "oauth":
                    fake.count_use(credential)
                    response = oauth_error(failure["error"], failure.get("error_name"),
                                           failure.get("error_reason"))
                elif endpoint == "zns":
                    response = zns_error(failure["error"], failure.get("message"))
                else:
                    response = oa_error(failure["error"], failure.get("message"))
                fake.finish_call(record, 200, response, scripted=True)
            elif "status" in failure:
                page = failure.get("body", "<html><body><h1>%d</h1></body></html>" % failure["status"])
                fake.finish_call(record, failure["status"], page, scripted=True)
            else:
                response = run() if failure["done"] else None
        if failure is None or "error" in failure:
            self.send_json(200, response)
            return
        if "status" in failure:
            self.send_json(failure["status"], None, page.encode("utf-8"))
            return
        time.sleep(failure["delay"])
        if not failure["done"] and not failure["hang"] and not failure["disconnect"]:
            with fake.cond:
                response = run()
        with fake.cond:
            if failure["hang"]:
                fake.finish_call(record, None, None, scripted=True, hung=True)
            elif failure["disconnect"]:
                fake.finish_call(record, None, None, scripted=True, disconnected=True)
            else:
                fake.finish_call(record, 200, response, scripted=True)
        if failure["hang"]:
            self.hang()
        elif failure["disconnect"]:
            if failure.get("reset"):
                # SO_LINGER 0: close() sends a TCP RST rather than a FIN.
                # Closed now: socketserver would shut it down (a FIN) first.
                try:
                    self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                                               struct.pack("ii", 1, 0))
                    os.close(self.connection.detach())
                except OSError:
                    pass
            self.close_connection = True
        else:
            self.send_json(200, response)

    def hang(self):
        """Holds the connection open, answering nothing, until the client
        hangs up or the fake stops."""
        self.close_connection = True
        fake = self.server.fake
        self.connection.settimeout(0.2)
        while not fake.stopping:
            try:
                if self.connection.recv(1) == b"":
                    return
            except TimeoutError:
                continue
            except OSError:
                return

    CONTROL = {("POST", "token"), ("POST", "config"), ("POST", "expire"), ("GET", "tokens"),
               ("POST", "user"), ("POST", "fail"), ("POST", "zns_quota"), ("POST", "zns_phone"),
               ("POST", "zns_template"), ("GET", "sent"), ("GET", "zns_sent"), ("GET", "calls"),
               ("GET", "state"), ("POST", "reset")}

    def control(self, name, query, body):
        fake = self.server.fake
        if (self.command, name) not in self.CONTROL:
            self.send_json(404, {"error": "no control endpoint %s /control/%s" % (self.command, name)})
            return
        try:
            data = json.loads(body) if body.strip() else {}
            if not isinstance(data, dict):
                raise ControlError("the body must be a JSON object")
            with fake.cond:
                result = copy.deepcopy(getattr(fake, "control_" + name)(
                    data, dict(urllib.parse.parse_qsl(query))))
        except (ControlError, ValueError, TypeError) as error:
            self.send_json(400, {"error": str(error)})
            return
        self.send_json(200, result)


def main():
    parser = argparse.ArgumentParser(description="A fake Zalo OA, OAuth and ZNS server for tests.")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--ready-file")
    parser.add_argument("--app-id", default=DEFAULT_APP_ID)
    parser.add_argument("--secret-key", default=DEFAULT_SECRET_KEY)
    parser.add_argument("--refresh-token", help="the valid refresh token to start with")
    parser.add_argument("--access-token", help="a valid access token to start with")
    parser.add_argument("--oa-id", default=DEFAULT_OA_ID)
    parser.add_argument("--oa-name", default="Văn phòng UBND (thử)")
    parser.add_argument("--strict-refresh", action="store_true",
                        help="refuse a used refresh token at once")
    parser.add_argument("--zns-quota", type=int, default=500)
    parser.add_argument("--zns-template", action="append",
                        help="a ZNS template id that exists (repeatable; default %s)" % DEFAULT_TEMPLATE)
    options = parser.parse_args()

    fake = Fake(options)
    server = ThreadingHTTPServer(("127.0.0.1", options.port), Handler)
    server.daemon_threads = True
    server.fake = fake
    port = server.server_address[1]
    if options.ready_file:
        with open(options.ready_file + ".tmp", "w") as f:
            f.write("%d\n" % port)
        os.rename(options.ready_file + ".tmp", options.ready_file)
    print("listening on %d" % port, flush=True)

    def stop(signum, frame):
        # shutdown() waits for serve_forever() to return, so not from its own thread.
        fake.stopping = True
        threading.Thread(target=server.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.serve_forever()
    server.server_close()


if __name__ == "__main__":
    main()

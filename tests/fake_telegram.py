#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""A fake Telegram Bot API server for dondoc's tests, on loopback.

Telegram cannot be reached from the test machines, so this server plays
api.telegram.org.  It follows what the open-source Bot API server
(tdlib/telegram-bot-api, Client.cpp and WebhookActor.cpp, version 10.0) and
tdlib's HTML parser (td/telegram/MessageEntity.cpp) do: the same URLs, the
same JSON envelopes and update shapes, the same error descriptions with the
HTTP status equal to error_code, Retry-After on 429.  The tests play the
users, and the failures, through a control API on the same port.

    fake_telegram.py --port PORT --token TOKEN [--bot-username NAME]
                     [--bot-id ID] [--ready-file PATH] [--strict-html]
                     [--webhook-max-delay SECONDS]

It listens on 127.0.0.1:PORT (0 picks a free port); once listening it writes
the port to --ready-file (through PATH.tmp and a rename) and prints
"listening on PORT".  SIGTERM or SIGINT stops it.

Bot API: /bot<TOKEN>/<method>, GET or POST; parameters in the query string,
a form (urlencoded or multipart) or a JSON body; method names in any case.
A wrong token gets 401 Unauthorized, an unknown method 404.  Implemented:
getMe, getUpdates, sendMessage, editMessageText, editMessageReplyMarkup,
answerCallbackQuery, setMyCommands, getMyCommands, deleteMyCommands,
setWebhook, deleteWebhook, getWebhookInfo.  Only private chats exist; the
bot's message ids in a chat start at 1000, the user's at 1.

Texts go through tdlib's HTML parser (parse_mode HTML; a bare "&" that is
no character reference stays text, as on the real server, unless
--strict-html), its clean-up (control characters, trimming) and the limits:
32768 bytes raw, 4096 UTF-16 units after parsing, callback_data 1-64 bytes.
Editing a text without reply_markup removes the keyboard, as on Telegram.

The real server's timing habits are kept, and a test must allow for them:
getUpdates with the same offset as the call before, less than 3 s after it,
long-polls for at least 3 s even with timeout 0 (and within 0.5 s gets at
most one update); a long poll is ended with
409 by the next long poll or by setWebhook, and a 409 less than 3 s after
the last one is held back 3 s; setWebhook with a URL works once a second
(429, retry after 1, otherwise).

While a webhook is set the fake POSTs each update to it, one at a time,
in order within a chat, with X-Telegram-Bot-Api-Secret-Token; a non-2xx
answer is retried at once, then after 2, 4, 8 s (the real server goes on
doubling up to 60-120 s; --webhook-max-delay, default 8, is the cap here),
or after the answer's Retry-After.  A method in a 2xx answer's body is run.

Control API, JSON in and out, on the same port:

  POST /control/chat     {"chat_id", "first_name", "last_name", "username",
                          "language_code" ("vi"), "started" (true)}
        a private chat; started false: a user the bot knows who never
        pressed Start (403 "bot can't initiate conversation with a user").
  POST /control/block    {"chat_id", "blocked", "deactivated", "notify" (true)}
        blocking or unblocking queues the my_chat_member update Telegram
        sends (unless notify is false).
  POST /control/message  {"chat_id", "text", "reply_to_message_id",
                          "edit_message_id", "from", "update_id", "first_name"...}
        queues a message update from that user (registering the chat if
        new); entities as Telegram detects them (bot_command, url);
        reply_to_message is the replied message; edit_message_id makes it an
        edited_message of that earlier message; "/start" from a chat that
        blocked the bot unblocks it first, as the app's Restart button does.
        -> {"update_id", "message_id", "queued"}
  POST /control/callback {"chat_id", "message_id", "data", "from"}
        queues a callback_query on that bot message (an InaccessibleMessage
        when it is not one).  -> {"update_id", "callback_query_id", "queued"}
  POST /control/update   a raw update, queued as given (update_id added if
        missing).  -> {"update_id", "queued"}
  POST /control/fail     {"method", "count" (1), "error_code", "description",
                          "retry_after", "migrate_to_chat_id", "disconnect",
                          "reset", "delay", "chat_id"}
        the next count calls of method (for that chat_id only, if given)
        fail that way instead of running; disconnect closes the connection
        with no answer; reset too, with a TCP RST (SO_LINGER 0: the
        client reads "connection reset by peer"); delay (seconds) holds the
        answer back, and alone just slows the real answer down (a delay
        past the client's timeout is a server that never answers).
  GET  /control/calls[?method=M&count=N&timeout=S]   every Bot API call:
        {method, params, status, response, t, t_end, wall, scripted?,
        disconnected?, via?}; with count, waits up to timeout seconds for N
        finished calls.  params are as sent (strings from a form or query
        string, the JSON ones decoded); t (arrival) and t_end are
        time.monotonic() seconds; via "webhook answer" marks a call a
        webhook made in its answer.
  GET  /control/sent[?count=N&timeout=S]   the successful sendMessage,
        editMessageText and editMessageReplyMarkup calls: {method, chat_id,
        message_id, text, entities, raw_text, parse_mode, reply_markup, t, wall}.
  GET  /control/pending  the queued update_ids not yet confirmed or delivered.
  GET  /control/state    {webhook, allowed_updates, commands, chats,
        deliveries, callback_queries, failures}.
  POST /control/reset    forgets everything but the chats.

Updates are queued only when allowed_updates lets their type through (the
default leaves out chat_member, message_reaction, message_reaction_count),
and expire 24 h after they are queued, callback queries after 150 s.
"""

import argparse
import copy
import email.parser
import email.policy
import http.client
import json
import os
import re
import signal
import socket
import struct
import sys
import threading
import time
import unicodedata
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

LONG_POLL_MAX_TIMEOUT = 50          # Client.h
UPDATE_LIFETIME = 86400
CALLBACK_QUERY_LIFETIME = 150       # Client.cpp add_update(CallbackQuery, ..., 150, ...)
MAX_RAW_TEXT_BYTES = 1 << 15        # "Text is too long", before any parsing
MAX_MESSAGE_LENGTH = 4096           # UTF-16 code units, after parsing
MAX_CALLBACK_DATA_BYTES = 64
MAX_CALLBACK_ANSWER_LENGTH = 200
MAX_COMMANDS = 100
MAX_WEBHOOK_RETRY_AFTER = 3600
WEBHOOK_TIMEOUT = 10                # seconds the fake waits for a webhook's answer
INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1
FIRST_BOT_MESSAGE_ID = 1000
FIRST_UPDATE_ID = 804512001
FIRST_CALLBACK_QUERY_ID = 4412209873561034001

# Update types in the Bot API's order, and those sent only when asked for.
UPDATE_TYPES = [
    "message", "edited_message", "channel_post", "edited_channel_post", "business_connection",
    "business_message", "edited_business_message", "deleted_business_messages", "message_reaction",
    "message_reaction_count", "inline_query", "chosen_inline_result", "callback_query",
    "shipping_query", "pre_checkout_query", "purchased_paid_media", "poll", "poll_answer",
    "my_chat_member", "chat_member", "chat_join_request", "chat_boost", "removed_chat_boost",
]
NOT_BY_DEFAULT = {"chat_member", "message_reaction", "message_reaction_count"}
DEFAULT_UPDATE_TYPES = set(UPDATE_TYPES) - NOT_BY_DEFAULT

# Parameters that hold JSON; in a query string or a form they come as JSON text.
JSON_PARAMS = {"reply_markup", "reply_parameters", "link_preview_options", "entities",
               "commands", "scope", "allowed_updates"}

CONFLICT_WEBHOOK = ("Conflict: can't use getUpdates method while webhook is active; "
                    "use deleteWebhook to delete the webhook first")
CONFLICT_OTHER_POLL = ("Conflict: terminated by other getUpdates request; "
                       "make sure that only one bot instance is running")
CONFLICT_SET_WEBHOOK = "Conflict: terminated by setWebhook request"
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
NOT_MODIFIED = ("message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message")

# What a scripted failure says when the test gives no description.
DEFAULT_DESCRIPTIONS = {
    400: "Bad Request: chat not found",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: CONFLICT_OTHER_POLL,
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


class ApiError(Exception):
    """A failed Bot API call: HTTP status = error_code, the description, the
    optional ResponseParameters, and how long to hold the answer back."""

    def __init__(self, code, description, retry_after=None, migrate_to_chat_id=None, delay=0.0):
        super().__init__(description)
        self.code = code
        self.description = description
        self.retry_after = retry_after
        self.migrate_to_chat_id = migrate_to_chat_id
        self.delay = delay

    def body(self):
        body = {"ok": False, "error_code": self.code, "description": self.description}
        parameters = {}
        if self.migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = self.migrate_to_chat_id
        if self.retry_after is not None:
            parameters["retry_after"] = self.retry_after
        if parameters:
            body["parameters"] = parameters
        return body


class FieldError(Exception):
    """A JSON object lacks a field or has one of the wrong type (tdlib's words)."""


class EntityError(Exception):
    """A text that tdlib cannot parse; the message is tdlib's."""


class ControlError(Exception):
    """A control request the fake cannot follow."""


def lower_first(message):
    """The Bot API lowercases the first letter of a tdlib error unless the
    message is a SERVER_CODE (second character upper case or '_')."""
    if len(message) >= 2 and (message[1] == "_" or message[1].isupper()):
        return message
    return message[:1].lower() + message[1:]


def bad_request(message):
    return ApiError(400, "Bad Request: " + lower_first(message))


def too_many_requests(retry_after):
    return ApiError(429, "Too Many Requests: retry after %d" % retry_after, retry_after=retry_after)


def to_integer(text):
    """td::to_integer: the leading (signed) digits, 0 when there are none."""
    match = re.match(r"(-?\d+)", text)
    return int(match.group(1)) if match else 0


def to_bool(text):
    return text.strip().lower() in ("true", "yes", "1")


def integer_arg(args, name, default, low=INT32_MIN, high=INT32_MAX):
    """Client::get_integer_arg: the default when absent, clamped, never an error."""
    text = args.get(name, "")
    return min(max(to_integer(text) if text else default, low), high)


def required_string(obj, name):
    if name not in obj:
        raise FieldError('Can\'t find field "%s"' % name)
    return optional_string(obj, name)


def optional_string(obj, name):
    value = obj.get(name, "")
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise FieldError('Field "%s" must be of type String' % name)
    return value if isinstance(value, str) else json.dumps(value)


def required_int(obj, name):
    if name not in obj:
        raise FieldError('Can\'t find field "%s"' % name)
    value = obj[name]
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise FieldError('Field "%s" must be a Number' % name)
    if isinstance(value, str) and not re.fullmatch(r"-?\d+", value):
        raise FieldError('Field "%s" must be a valid Number' % name)
    return int(value)


def optional_bool(obj, name):
    value = obj.get(name, False)
    if not isinstance(value, bool):
        raise FieldError('Field "%s" must be of type Boolean' % name)
    return value


def utf16_len(text):
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def is_word_char(ch):
    """tdlib's is_word_character: a letter, a number, or '_'."""
    return ch == "_" or unicodedata.category(ch)[0] in "LN"


# --- HTML, as tdlib's parse_html reads it ----------------------------------------------------

HTML_TAGS = {"a", "b", "strong", "i", "em", "s", "strike", "del", "u", "ins", "tg-spoiler",
             "tg-emoji", "span", "pre", "code", "blockquote"}
STYLE_TAGS = {"i": "italic", "em": "italic", "b": "bold", "strong": "bold",
              "s": "strikethrough", "strike": "strikethrough", "del": "strikethrough",
              "u": "underline", "ins": "underline", "tg-spoiler": "spoiler", "span": "spoiler"}
NAMED_REFERENCES = {b"lt": ord("<"), b"gt": ord(">"), b"amp": ord("&"), b"quot": ord('"')}
SPACE_BYTES = b" \t\r\n\0\v\f"      # td::is_space, NUL included: the parser reads a C string
# tdlib's sort order for entities that start and end together.
ENTITY_PRIORITY = {"blockquote": 0, "expandable_blockquote": 0, "pre": 11, "code": 20,
                   "text_link": 49, "text_mention": 49, "bot_command": 50, "url": 50,
                   "bold": 90, "italic": 91, "underline": 92, "strikethrough": 93,
                   "spoiler": 94, "custom_emoji": 99}


def decode_html_reference(raw, pos):
    """The character reference at raw[pos] == '&': &lt; &gt; &amp; &quot;,
    &#NNN; or &#xHH;, the ';' optional.  Returns (code point, position after
    it), or (0, pos) when there is none, and the '&' is then plain text."""
    def at(i):
        return raw[i] if i < len(raw) else 0
    end = pos + 1
    code = 0
    if at(end) == ord("#"):
        end += 1
        digits, base = b"0123456789", 10
        if at(end) == ord("x"):
            end += 1
            digits, base = b"0123456789abcdefABCDEF", 16
        while at(end) and at(end) in digits:
            code = code * base + int(chr(at(end)), 16)
            end += 1
        if code == 0 or code >= 0x10FFFF or end - pos >= 10:
            return 0, pos
    else:
        while at(end) and chr(at(end)).isascii() and chr(at(end)).isalpha():
            end += 1
        code = NAMED_REFERENCES.get(raw[pos + 1:end], 0)
        if not code:
            return 0, pos
    if at(end) == ord(";"):
        end += 1
    return code, end


def checked_link(url):
    """LinkManager::get_checked_link, roughly: http(s) links get a scheme and a
    path ("telegram.org" -> "http://telegram.org/"), tg:// ones pass, anything
    else is no link ("")."""
    match = re.match(r"([A-Za-z][A-Za-z0-9+.-]*)://", url)
    scheme = match.group(1).lower() if match else "http"
    rest = url[match.end():] if match else url
    if scheme in ("tg", "ton"):
        return url if rest else ""
    if scheme not in ("http", "https"):
        return ""
    try:
        parts = urllib.parse.urlsplit(scheme + "://" + rest)
        host = parts.hostname or ""
    except ValueError:
        return ""
    if not re.fullmatch(r"[\w-]+(\.[\w-]+)+", host):
        return ""
    return urllib.parse.urlunsplit((scheme, parts.netloc.lower(), parts.path or "/",
                                    parts.query, parts.fragment))


def parse_html(text, strict, user_of):
    """tdlib's parse_html, error for error: returns the plain text and its
    entities (UTF-16 offsets) or raises EntityError.  Offsets in messages are
    bytes of the UTF-8 input.  strict also refuses an '&' that does not start
    a complete reference.  user_of(id) gives the User of a tg://user link."""
    raw = text.encode("utf-8")
    size = len(raw)

    def at(i):
        return raw[i] if i < size else 0

    def is_space(c):
        return c in SPACE_BYTES

    def is_alnum(c):
        return c < 128 and chr(c).isalnum()

    def reference(i):
        code, end = decode_html_reference(raw, i)
        if strict and (not code or raw[end - 1] != ord(";")):
            raise EntityError('Character "&" must be written "&amp;" at byte offset %d '
                              "(fake_telegram --strict-html; the real server keeps it as text)" % i)
        return code, end

    result = bytearray()
    utf16 = 0
    entities = []
    open_tags = []          # [tag, argument, UTF-16 offset, byte offset in result]
    decoded_surrogate = False
    i = 0
    while i < size:
        c = raw[i]
        if c == ord("&"):
            code, end = reference(i)
            if code:
                result += chr(code).encode("utf-8", "surrogatepass")
                decoded_surrogate |= 0xD800 <= code <= 0xDFFF
                utf16 += 2 if code > 0xFFFF else 1
                i = end
                continue
        if c != ord("<"):
            if c & 0xC0 != 0x80:
                utf16 += 2 if c >= 0xF0 else 1
            result.append(c)
            i += 1
            continue

        begin = i
        i += 1
        if at(i) != ord("/"):
            while not is_space(at(i)) and at(i) != ord(">"):
                i += 1
            if at(i) == 0:
                raise EntityError("Unclosed start tag at byte offset %d" % begin)
            tag = raw[begin + 1:i].lower().decode("utf-8", "replace")
            if tag not in HTML_TAGS:
                raise EntityError('Unsupported start tag "%s" at byte offset %d' % (tag, begin))
            argument = ""
            while at(i) != ord(">"):
                while at(i) and is_space(at(i)):
                    i += 1
                if at(i) == ord(">"):
                    break
                name_begin = i
                while not is_space(at(i)) and at(i) not in b"=>/\"'":
                    i += 1
                name = raw[name_begin:i]
                if not name:
                    raise EntityError('Empty attribute name in the tag "%s" at byte offset %d'
                                      % (tag, begin))
                while at(i) and is_space(at(i)):
                    i += 1
                if at(i) != ord("="):
                    if at(i) == 0:
                        raise EntityError('Unclosed start tag "%s" at byte offset %d' % (tag, begin))
                    if tag == "blockquote" and name == b"expandable":
                        argument = "1"
                    continue
                i += 1
                while at(i) and is_space(at(i)):
                    i += 1
                if at(i) == 0:
                    raise EntityError('Unclosed start tag "%s" at byte offset %d' % (tag, begin))
                if at(i) not in b"'\"":
                    # A name token: letters, digits, '.' and '-', not case sensitive.
                    token_begin = i
                    while is_alnum(at(i)) or (at(i) and at(i) in b".-"):
                        i += 1
                    value = raw[token_begin:i].lower().decode("utf-8")
                    if not is_space(at(i)) and at(i) != ord(">"):
                        raise EntityError("Unexpected end of name token at byte offset %d"
                                          % token_begin)
                else:
                    quote = at(i)
                    i += 1
                    value_bytes = bytearray()
                    while at(i) != quote and at(i) != 0:
                        if at(i) == ord("&"):
                            code, end = reference(i)
                            if code:
                                value_bytes += chr(code).encode("utf-8", "surrogatepass")
                                i = end
                                continue
                        value_bytes.append(at(i))
                        i += 1
                    if at(i) == quote:
                        i += 1
                    value = value_bytes.decode("utf-8", "replace")
                if at(i) == 0:
                    raise EntityError("Unclosed start tag at byte offset %d" % begin)
                if tag == "a" and name == b"href":
                    argument = value
                elif tag == "code" and name == b"class" and value.startswith("language-"):
                    argument = value[len("language-"):]
                elif tag == "span" and name == b"class" and value.startswith("tg-"):
                    argument = value[len("tg-"):]
                elif tag == "tg-emoji" and name == b"emoji-id":
                    argument = value
                elif tag == "blockquote" and name == b"expandable":
                    argument = "1"
            if tag == "span" and argument != "spoiler":
                raise EntityError('Tag "span" must have class "tg-spoiler" at byte offset %d' % begin)
            open_tags.append([tag, argument, utf16, len(result)])
        else:
            if not open_tags:
                raise EntityError("Unexpected end tag at byte offset %d" % begin)
            while not is_space(at(i)) and at(i) != ord(">"):
                i += 1
            end_tag = raw[begin + 2:i].lower().decode("utf-8", "replace")
            while at(i) and is_space(at(i)):
                i += 1
            if at(i) != ord(">"):
                raise EntityError("Unclosed end tag at byte offset %d" % begin)
            tag, argument, offset, result_pos = open_tags[-1]
            if end_tag and end_tag != tag:
                raise EntityError('Unmatched end tag at byte offset %d, expected "</%s>", found "</%s>"'
                                  % (begin, tag, end_tag))
            if utf16 > offset:
                inner = result[result_pos:].decode("utf-8", "replace")
                close_html_entity(entities, tag, argument, offset, utf16 - offset, inner, user_of)
            open_tags.pop()
        i += 1
    if open_tags:
        raise EntityError('Can\'t find end tag corresponding to start tag "%s"' % open_tags[-1][0])
    try:
        plain = result.decode("utf-8")
    except UnicodeDecodeError:
        assert decoded_surrogate
        raise EntityError("Text contains invalid Unicode characters after decoding HTML entities, "
                          "check for unmatched surrogate code units") from None
    for entity in entities:
        entity.pop("_language", None)      # a lone <code class="language-x"> keeps no language
    return plain, entities


def close_html_entity(entities, tag, argument, offset, length, inner, user_of):
    """Adds the entity an end tag closes, merging <pre><code class=...> into one
    pre entity with a language as tdlib does."""
    last = entities[-1] if entities else None
    same_span = last is not None and last["offset"] == offset and last["length"] == length
    if tag in STYLE_TAGS:
        entities.append({"offset": offset, "length": length, "type": STYLE_TAGS[tag]})
    elif tag == "tg-emoji":
        if not re.fullmatch(r"-?\d{1,19}", argument) or int(argument) == 0:
            raise EntityError("Invalid custom emoji identifier specified")
        entities.append({"offset": offset, "length": length, "type": "custom_emoji",
                         "custom_emoji_id": argument})
    elif tag == "a":
        url = argument or inner
        mention = re.fullmatch(r"tg://user\?id=(\d+)", url, re.IGNORECASE)
        user = user_of(int(mention.group(1))) if mention else None
        if user is not None:
            entities.append({"offset": offset, "length": length, "type": "text_mention", "user": user})
        elif not mention and checked_link(url):
            entities.append({"offset": offset, "length": length, "type": "text_link",
                             "url": checked_link(url)})
    elif tag == "pre":
        if same_span and last["type"] == "code" and last.get("_language"):
            last["type"] = "pre"
            last["language"] = last.pop("_language")
        else:
            entities.append({"offset": offset, "length": length, "type": "pre"})
    elif tag == "code":
        if same_span and last["type"] == "pre" and argument and "language" not in last:
            last["language"] = argument
        else:
            entities.append({"offset": offset, "length": length, "type": "code", "_language": argument})
    else:
        kind = "expandable_blockquote" if argument else "blockquote"
        entities.append({"offset": offset, "length": length, "type": kind})


# --- what tdlib does to every text after parsing ---------------------------------------------

REMOVED_CHARS = set("\r\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u0333\u033f\u030a")
# Characters is_empty_string counts as nothing, besides spaces and newlines (a subset).
BLANK_CHARS = set(" \n\u00a0\u00ad\u115f\u1160\u200b\u200c\u200d\u2060\u2800\u3164\ufeff\uffa0")


def fix_formatted_text(text, entities):
    """tdlib's fix_formatted_text: control characters become spaces, '\\r' and
    a few invisible characters go, spaces and newlines are cut at the end and
    at the start (up to the first entity), and entities that hold only blanks
    are dropped.  Raises "message must be non-empty" when nothing is left."""
    chars = []              # the kept characters, each with its UTF-16 offset in the new text
    new_offset = {}         # UTF-16 offset in text -> in the new text, at character starts
    old = new = 0
    for ch in text:
        new_offset[old] = new
        width = 2 if ord(ch) > 0xFFFF else 1
        old += width
        if ch in REMOVED_CHARS:
            continue
        if ord(ch) <= 32 and ch != "\n":
            ch = " "
        chars.append((new, ch))
        new += width
    new_offset[old] = new

    def moved(offset):
        """Where an old offset lands; one past the end or inside a surrogate
        pair (an entities parameter can say anything) moves to the next character."""
        while offset not in new_offset and offset < old:
            offset += 1
        return new_offset[min(offset, old)]

    def has_text(start, end):
        return any(start <= at < end and ch not in " \n" for at, ch in chars)

    kept = []
    for entity in entities:
        start = moved(entity["offset"])
        end = moved(entity["offset"] + entity["length"])
        if has_text(start, end):
            kept.append(dict(entity, offset=start, length=end - start))
    visible = [i for i, (_, ch) in enumerate(chars) if ch not in " \n"]
    if not visible:
        raise bad_request("Message must be non-empty")
    end_at, last = chars[visible[-1]]
    text_end = end_at + (2 if ord(last) > 0xFFFF else 1)
    first_entity = min((e["offset"] for e in kept), default=text_end)
    cut = 0
    while cut < len(chars) and chars[cut][0] < first_entity and chars[cut][1] in " \n":
        cut += 1
    shift = chars[cut][0]
    result = "".join(ch for at, ch in chars[cut:] if at < text_end)
    for entity in kept:
        entity["length"] = min(entity["offset"] + entity["length"], text_end) - entity["offset"]
        entity["offset"] -= shift
    if all(ch in BLANK_CHARS for ch in result):
        raise bad_request("Message must be non-empty")
    return result, kept


def find_bot_commands(text):
    """tdlib's match_bot_commands: '/' + 1-64 of [A-Za-z0-9_], an optional
    '@' + 3-32 of them, with no word character, '/', '<' or '>' on either
    side.  Returns (start, end) character indices."""
    found = []
    i = 0
    while True:
        i = text.find("/", i)
        if i < 0:
            return found
        if i > 0 and (is_word_char(text[i - 1]) or text[i - 1] in "/<>"):
            i += 1
            continue
        begin = i
        i += 1
        end = i
        while end < len(text) and text[end].isascii() and (text[end].isalnum() or text[end] == "_"):
            end += 1
        if not 1 <= end - i <= 64:
            i = end
            continue
        if end < len(text) and text[end] == "@":
            name_end = end + 1
            while name_end < len(text) and text[name_end].isascii() and \
                    (text[name_end].isalnum() or text[name_end] == "_"):
                name_end += 1
            if not 3 <= name_end - end - 1 <= 32:
                i = name_end
                continue
            end = name_end
        if end < len(text) and (is_word_char(text[end]) or text[end] in "/<>"):
            i = end
            continue
        found.append((begin, end))
        i = end


def detected_entities(text, entities):
    """The entities Telegram finds by itself (bot commands, and links written
    with http:// or https://), where no code, pre or link entity already is."""
    spans = [(begin, end, "bot_command") for begin, end in find_bot_commands(text)]
    for match in re.finditer(r"https?://[^\s<>\"]+", text, re.IGNORECASE):
        url = match.group(0).rstrip(".,;:!?)'")
        spans.append((match.start(), match.start() + len(url), "url"))
    taken = [(e["offset"], e["offset"] + e["length"]) for e in entities
             if e["type"] in ("code", "pre", "text_link", "text_mention", "url", "bot_command")]
    found = []
    for begin, end, kind in spans:
        offset = utf16_len(text[:begin])
        length = utf16_len(text[begin:end])
        if all(offset + length <= a or offset >= b for a, b in taken):
            found.append({"offset": offset, "length": length, "type": kind})
    return found


def sort_entities(entities):
    return sorted(entities, key=lambda e: (e["offset"], -e["length"],
                                           ENTITY_PRIORITY.get(e["type"], 50)))


# --- reply markup ----------------------------------------------------------------------------

INLINE_ACTIONS = ("callback_game", "pay", "switch_inline_query", "switch_inline_query_chosen_chat",
                  "switch_inline_query_current_chat", "login_url", "web_app", "copy_text")


def inline_button(button):
    """Client::get_inline_keyboard_button: text plus one action; url wins over
    callback_data, and an empty one counts as absent."""
    if not isinstance(button, dict):
        raise FieldError("InlineKeyboardButton must be an Object")
    out = {"text": required_string(button, "text")}
    for extra in ("icon_custom_emoji_id", "style"):
        if extra in button:
            out[extra] = button[extra]
    url = optional_string(button, "url")
    if url:
        out["url"] = url
        return out
    data = optional_string(button, "callback_data")
    if data:
        out["callback_data"] = data
        return out
    for action in INLINE_ACTIONS:
        if action in button:
            out[action] = button[action]
            return out
    raise FieldError("Text buttons are unallowed in the inline keyboard")


def parse_reply_markup(raw):
    """Client::get_reply_markup.  Returns the InlineKeyboardMarkup a Message
    carries, or None (for no markup and for reply keyboards, which a Message
    does not show)."""
    if not raw:
        return None
    try:
        value = json.loads(raw)
    except ValueError:
        raise bad_request("Can't parse reply keyboard markup JSON object") from None
    if not isinstance(value, dict):
        raise bad_request("Object expected as reply markup")
    for field in ("keyboard", "inline_keyboard"):
        if field in value and not isinstance(value[field], list):
            raise bad_request('Field "%s" must be of type Array' % field)
    keyboard_rows = 0
    for row in value.get("keyboard", []):
        if not isinstance(row, list):
            raise bad_request('Field "keyboard" must be an Array of Arrays')
        for button in row:
            if isinstance(button, dict):
                try:
                    required_string(button, "text")
                except FieldError as error:
                    raise bad_request("Can't parse keyboard button: %s" % error) from None
            elif not isinstance(button, str):
                raise bad_request("Can't parse keyboard button: KeyboardButton must be a String or an Object")
        keyboard_rows += 1
    rows = []
    for row in value.get("inline_keyboard", []):
        if not isinstance(row, list):
            raise bad_request('Field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays')
        try:
            rows.append([inline_button(button) for button in row])
        except FieldError as error:
            raise bad_request("Can't parse inline keyboard button: %s" % error) from None
    if keyboard_rows or not rows:
        return None
    return {"inline_keyboard": rows}


def check_buttons(markup):
    """What Telegram's servers refuse in a keyboard the Bot API let through."""
    for row in (markup or {}).get("inline_keyboard", []):
        for button in row:
            if "callback_data" in button and \
                    len(button["callback_data"].encode("utf-8")) > MAX_CALLBACK_DATA_BYTES:
                raise bad_request("BUTTON_DATA_INVALID")
            if "url" in button and not (checked_link(button["url"]) or
                                        button["url"].lower().startswith("tg://")):
                raise bad_request("BUTTON_URL_INVALID")


# --- the server's state and the Bot API methods ------------------------------------------------

class Fake:
    """Everything the fake knows, behind one lock (self.cond)."""

    def __init__(self, token, bot_id, bot_username, strict_html, webhook_max_delay):
        self.token = token
        self.bot_user = {"id": bot_id, "is_bot": True, "first_name": "Đôn đốc", "username": bot_username}
        self.strict_html = strict_html
        self.webhook_max_delay = webhook_max_delay
        self.cond = threading.Condition()
        self.stopping = False
        self.chats = {}
        self.methods = {}
        for name in ("getMe", "getUpdates", "sendMessage", "editMessageText", "editMessageReplyMarkup",
                     "answerCallbackQuery", "setMyCommands", "getMyCommands", "deleteMyCommands",
                     "setWebhook", "deleteWebhook", "getWebhookInfo"):
            self.methods[name.lower()] = (name, getattr(self, "api_" + name.lower()))
        with self.cond:
            self.reset()

    def reset(self):
        """Forgets everything but the chats."""
        self.calls = []
        self.sent = []
        self.failures = []
        self.queue = []             # updates not yet confirmed or delivered, by update_id
        # Telegram never numbers an update again within a day: ids go on.
        self.next_update_id = getattr(self, "next_update_id", FIRST_UPDATE_ID)
        self.allowed_types = None   # None: the default set
        self.messages = {}          # (chat_id, message_id) -> record
        self.next_message_id = {}   # (chat_id, from the bot?) -> next id
        self.callback_queries = {}
        self.next_callback_id = FIRST_CALLBACK_QUERY_ID
        self.commands = {}
        self.long_poll = None       # {"aborted": reason or None} of the getUpdates waiting
        self.previous_poll = (-1, 0.0)  # (offset, monotonic start) of the last getUpdates
        self.next_conflict_time = 0.0
        self.webhook = {"url": "", "secret_token": "", "max_connections": 0, "ip_address": "",
                        "last_error_date": 0, "last_error_message": ""}
        self.next_set_webhook_time = 0.0
        self.deliveries = []
        self.cond.notify_all()

    # Users and chats.

    def chat_json(self, chat_id):
        chat = self.chats[chat_id]
        out = {"id": chat_id, "first_name": chat["first_name"]}
        for key in ("last_name", "username"):
            if chat.get(key):
                out[key] = chat[key]
        out["type"] = "private"
        return out

    def user_json(self, chat_id):
        chat = self.chats[chat_id]
        out = {"id": chat_id, "is_bot": False, "first_name": chat["first_name"]}
        for key in ("last_name", "username", "language_code"):
            if chat.get(key):
                out[key] = chat[key]
        return out

    def known_user(self, user_id):
        return self.user_json(user_id) if user_id in self.chats else None

    def find_chat(self, chat_arg):
        """Client::check_chat: the chat a chat_id parameter names."""
        if not chat_arg:
            raise bad_request("chat_id is empty")
        if chat_arg.startswith("@"):
            for chat_id, chat in self.chats.items():
                if chat.get("username", "").lower() == chat_arg[1:].lower():
                    return chat_id
            raise bad_request("chat not found")
        chat_id = to_integer(chat_arg)
        if chat_id not in self.chats:
            raise bad_request("chat not found")
        return chat_id

    def check_reachable(self, chat_id):
        """What Telegram answers when the bot writes to a user who cannot get it."""
        chat = self.chats[chat_id]
        if chat["deactivated"]:
            raise ApiError(403, "Forbidden: user is deactivated")
        if not chat["started"]:
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        if chat["blocked"]:
            raise ApiError(403, "Forbidden: bot was blocked by the user")

    # Messages.

    def new_message_id(self, chat_id, from_bot):
        key = (chat_id, from_bot)
        message_id = self.next_message_id.get(key, FIRST_BOT_MESSAGE_ID if from_bot else 1)
        while (chat_id, message_id) in self.messages:
            message_id += 1
        self.next_message_id[key] = message_id + 1
        return message_id

    def render_message(self, chat_id, message_id, with_reply):
        """A stored Message as the Bot API shows it; the replied message is shown
        inside it (without its own reply) when with_reply."""
        record = self.messages[(chat_id, message_id)]
        reply_to = record["reply_to"] if with_reply else None
        out = {}
        for key, value in record["message"].items():
            if key == "text" and (chat_id, reply_to) in self.messages:
                out["reply_to_message"] = self.render_message(chat_id, reply_to, False)
            out[key] = copy.deepcopy(value)
        return out

    def input_text(self, args):
        """Client::get_input_message_text: the text and its entities, parsed."""
        raw = args.get("text", "")
        if not raw:
            raise bad_request("Message text is empty")
        if len(raw.encode("utf-8")) > MAX_RAW_TEXT_BYTES:
            raise bad_request("Text is too long")
        mode = args.get("parse_mode", "").lower()
        if mode in ("", "none"):
            return raw, self.explicit_entities(args.get("entities", ""))
        if mode == "html":
            try:
                return parse_html(raw, self.strict_html, self.known_user)
            except EntityError as error:
                raise bad_request("Can't parse entities: %s" % error) from None
        if mode in ("markdown", "markdownv2"):
            raise bad_request("Can't parse entities: fake_telegram implements parse_mode HTML only")
        raise bad_request("Unsupported parse_mode")

    @staticmethod
    def explicit_entities(raw):
        """The entities parameter, used when there is no parse_mode."""
        try:
            value = json.loads(raw) if raw else []
        except ValueError:
            return []
        entities = []
        for item in value if isinstance(value, list) else []:
            try:
                if not isinstance(item, dict):
                    raise FieldError("expected an Object")
                entity = {"offset": required_int(item, "offset"), "length": required_int(item, "length"),
                          "type": required_string(item, "type")}
            except FieldError as error:
                raise bad_request("Can't parse MessageEntity: %s" % error) from None
            if entity["offset"] < 0:
                raise bad_request("Receive an entity with incorrect offset %d" % entity["offset"])
            if entity["length"] <= 0:
                raise bad_request("Receive an entity with incorrect length %d" % entity["length"])
            for extra in ("url", "language", "custom_emoji_id", "user"):
                if extra in item:
                    entity[extra] = item[extra]
            entities.append(entity)
        return entities

    @staticmethod
    def finish_text(text, entities):
        """What happens to a parsed text before it is sent: the clean-up, the
        detected entities, the length limit."""
        text, entities = fix_formatted_text(text, entities)
        if utf16_len(text) > MAX_MESSAGE_LENGTH:
            raise bad_request("message is too long")
        return text, sort_entities(entities + detected_entities(text, entities))

    @staticmethod
    def reply_parameters(args):
        """Client::get_reply_parameters: (message id, allow_sending_without_reply)."""
        if "reply_parameters" not in args:
            return (to_integer(args.get("reply_to_message_id", "")),
                    to_bool(args.get("allow_sending_without_reply", "")))
        if not args["reply_parameters"]:
            return 0, False
        try:
            value = json.loads(args["reply_parameters"])
        except ValueError:
            raise bad_request("Can't parse reply parameters JSON object") from None
        if not isinstance(value, dict):
            raise bad_request("Object expected as reply parameters")
        if not value:
            return 0, False
        try:
            return required_int(value, "message_id"), optional_bool(value, "allow_sending_without_reply")
        except FieldError as error:
            raise bad_request(str(error)) from None

    @staticmethod
    def check_link_preview_options(args):
        raw = args.get("link_preview_options", "")
        if not raw:
            return
        try:
            value = json.loads(raw)
        except ValueError:
            raise bad_request("Can't parse link preview options JSON object") from None
        if not isinstance(value, dict):
            raise bad_request("Object expected as link preview options")

    def record_sent(self, method, chat_id, message_id, params):
        record = self.messages[(chat_id, message_id)]
        message = record["message"]
        self.sent.append({"method": method, "chat_id": chat_id, "message_id": message_id,
                          "text": message["text"], "entities": message.get("entities", []),
                          "raw_text": record["raw_text"], "parse_mode": record["parse_mode"],
                          "reply_markup": params.get("reply_markup"),
                          "t": time.monotonic(), "wall": time.time()})
        self.cond.notify_all()

    # Updates.

    def allowed(self, kind):
        return kind in (DEFAULT_UPDATE_TYPES if self.allowed_types is None else self.allowed_types)

    def update_allowed_types(self, args):
        """allowed_updates of getUpdates and setWebhook: a JSON list of types;
        empty means the default set, absent keeps the current one."""
        raw = args.get("allowed_updates", "")
        try:
            value = json.loads(raw) if raw else None
        except ValueError:
            return
        if isinstance(value, list):
            types = {t for t in value if t in UPDATE_TYPES}
            self.allowed_types = types if types and types != DEFAULT_UPDATE_TYPES else None

    def queue_update(self, payload, queue_key, lifetime, update_id=None):
        """Queues {"update_id", **payload} if its type is allowed; returns the
        update_id, or None when the type is filtered out."""
        kind = next(k for k in payload if k != "update_id")
        if not self.allowed(kind):
            return None
        if update_id is None:
            update_id = self.next_update_id
        self.next_update_id = max(self.next_update_id, update_id + 1)
        data = {"update_id": update_id}
        data.update((k, v) for k, v in payload.items() if k != "update_id")
        self.queue.append({"id": update_id, "data": data, "queue_key": queue_key,
                           "expires_at": time.time() + lifetime, "wakeup_at": 0.0,
                           "delay": 1, "fail_count": 0})
        self.queue.sort(key=lambda u: u["id"])
        self.cond.notify_all()
        return update_id

    def purge_expired(self):
        now = time.time()
        self.queue = [u for u in self.queue if u["expires_at"] > now]

    def take_updates(self, offset, limit):
        """TQueue as getUpdates reads it: a positive offset forgets every update
        below it (one past the newest id is allowed, later ones are ignored), a
        negative one keeps only the last -offset updates."""
        self.purge_expired()
        if offset < 0:
            self.queue = self.queue[offset:]
        if offset > 0 and offset <= self.next_update_id:
            self.queue = [u for u in self.queue if u["id"] >= offset]
        return [copy.deepcopy(u["data"]) for u in self.queue[:limit]]

    def abort_long_poll(self, reason):
        if self.long_poll is not None:
            self.long_poll["aborted"] = reason
            self.long_poll = None
            self.cond.notify_all()

    def conflict(self, reason):
        """Client::fail_query_conflict: a second conflict within 3 s is held 3 s."""
        now = time.monotonic()
        if now >= self.next_conflict_time:
            self.next_conflict_time = now + 3.0
            return ApiError(409, reason)
        return ApiError(409, reason, delay=3.0)

    # The Bot API methods: each takes the arguments (strings) and the
    # parameters as sent, and returns (result, description or None).

    def api_getme(self, args, params):
        me = dict(self.bot_user, can_join_groups=True, can_read_all_group_messages=False,
                  supports_inline_queries=False, supports_guest_queries=False,
                  can_connect_to_business=False, has_main_web_app=False, has_topics_enabled=False,
                  allows_users_to_create_topics=False, can_manage_bots=False)
        return me, None

    def api_getupdates(self, args, params):
        if self.webhook["url"]:
            raise ApiError(409, CONFLICT_WEBHOOK)
        offset = integer_arg(args, "offset", 0)
        limit = integer_arg(args, "limit", 100, 1, 100)
        timeout = integer_arg(args, "timeout", 0, 0, LONG_POLL_MAX_TIMEOUT)
        self.update_allowed_types(args)
        # The server slows down a client that repeats the same call in a tight loop.
        now = time.monotonic()
        previous_offset, previous_start = self.previous_poll
        if offset == previous_offset and timeout < 3 and now < previous_start + 3.0:
            timeout = 3
        if offset == previous_offset and now < previous_start + 0.5:
            limit = 1
        self.previous_poll = (offset, now)
        updates = self.take_updates(offset, limit)
        if updates or timeout == 0:
            return updates, None
        self.abort_long_poll(CONFLICT_OTHER_POLL)
        poll = self.long_poll = {"aborted": None}
        deadline = now + timeout
        while True:
            self.cond.wait(max(0.0, deadline - time.monotonic()))
            if poll["aborted"]:
                raise self.conflict(poll["aborted"])
            updates = self.take_updates(offset, limit)
            if updates or time.monotonic() >= deadline:
                if self.long_poll is poll:
                    self.long_poll = None
                return updates, None

    def api_sendmessage(self, args, params):
        text, entities = self.input_text(args)
        reply_to, without_reply = self.reply_parameters(args)
        self.check_link_preview_options(args)
        markup = parse_reply_markup(args.get("reply_markup", ""))
        chat_id = self.find_chat(args.get("chat_id", ""))
        text, entities = self.finish_text(text, entities)
        check_buttons(markup)
        self.check_reachable(chat_id)
        if reply_to and (chat_id, reply_to) not in self.messages:
            if not without_reply:
                raise bad_request("message to be replied not found")
            reply_to = 0
        message_id = self.new_message_id(chat_id, True)
        message = {"message_id": message_id, "from": dict(self.bot_user), "chat": self.chat_json(chat_id),
                   "date": int(time.time()), "text": text}
        if entities:
            message["entities"] = entities
        if to_bool(args.get("protect_content", "")):
            message["has_protected_content"] = True
        if markup:
            message["reply_markup"] = markup
        self.messages[(chat_id, message_id)] = {"message": message, "reply_to": reply_to or None,
                                                "from_bot": True, "raw_text": args["text"],
                                                "parse_mode": args.get("parse_mode", "")}
        self.record_sent("sendMessage", chat_id, message_id, params)
        return self.render_message(chat_id, message_id, True), None

    def message_to_edit(self, args):
        """Client::check_message for an edit: the (chat_id, message_id) of a bot message."""
        chat_arg = args.get("chat_id", "")
        message_id = to_integer(args.get("message_id", ""))
        if not chat_arg and message_id == 0:
            if not args.get("inline_message_id"):
                raise bad_request("Message identifier is not specified")
            raise bad_request("MESSAGE_ID_INVALID")     # the fake sends no inline messages
        chat_id = self.find_chat(chat_arg)
        record = self.messages.get((chat_id, message_id))
        if record is None:
            raise bad_request("message to edit not found")
        if not record["from_bot"]:
            raise bad_request("message can't be edited")
        return chat_id, message_id

    def apply_edit(self, chat_id, message_id, text, entities, markup):
        """Replaces the content of a bot message; editing without a reply_markup
        removes the keyboard, as on Telegram."""
        message = self.messages[(chat_id, message_id)]["message"]
        if (text, entities, markup) == (message["text"], message.get("entities", []),
                                        message.get("reply_markup")):
            raise bad_request(NOT_MODIFIED)
        edited = {}
        for key in ("message_id", "from", "chat", "date"):
            edited[key] = message[key]
        edited["edit_date"] = int(time.time())
        edited["text"] = text
        if entities:
            edited["entities"] = entities
        if "has_protected_content" in message:
            edited["has_protected_content"] = True
        if markup:
            edited["reply_markup"] = markup
        self.messages[(chat_id, message_id)]["message"] = edited

    def api_editmessagetext(self, args, params):
        text, entities = self.input_text(args)
        self.check_link_preview_options(args)
        markup = parse_reply_markup(args.get("reply_markup", ""))
        chat_id, message_id = self.message_to_edit(args)
        text, entities = self.finish_text(text, entities)
        check_buttons(markup)
        self.apply_edit(chat_id, message_id, text, entities, markup)
        self.messages[(chat_id, message_id)].update(raw_text=args["text"],
                                                    parse_mode=args.get("parse_mode", ""))
        self.record_sent("editMessageText", chat_id, message_id, params)
        return self.render_message(chat_id, message_id, True), None

    def api_editmessagereplymarkup(self, args, params):
        markup = parse_reply_markup(args.get("reply_markup", ""))
        chat_id, message_id = self.message_to_edit(args)
        check_buttons(markup)
        message = self.messages[(chat_id, message_id)]["message"]
        self.apply_edit(chat_id, message_id, message["text"], message.get("entities", []), markup)
        self.record_sent("editMessageReplyMarkup", chat_id, message_id, params)
        return self.render_message(chat_id, message_id, True), None

    def api_answercallbackquery(self, args, params):
        query_id = str(to_integer(args.get("callback_query_id", "")))
        query = self.callback_queries.get(query_id)
        if query is None or query["answered"] or \
                time.monotonic() - query["created"] > CALLBACK_QUERY_LIFETIME:
            raise bad_request(QUERY_TOO_OLD)
        text = args.get("text", "")
        if len(text) > MAX_CALLBACK_ANSWER_LENGTH:
            raise bad_request("MESSAGE_TOO_LONG")
        query["answered"] = True
        query["answer"] = {"text": text, "show_alert": to_bool(args.get("show_alert", "")),
                           "url": args.get("url", ""),
                           "cache_time": integer_arg(args, "cache_time", 0, 0, 30 * 86400)}
        return True, None

    def command_scope(self, args):
        """Client::get_bot_command_scope plus the language code: the key a
        command list is stored under."""
        language = args.get("language_code", "")
        raw = args.get("scope", "")
        key = "default"
        if raw:
            try:
                value = json.loads(raw)
            except ValueError:
                raise bad_request("Can't parse BotCommandScope JSON object") from None
            try:
                if not isinstance(value, dict):
                    raise FieldError("BotCommandScope must be an Object")
                key = required_string(value, "type")
                if key not in ("default", "all_private_chats", "all_group_chats",
                               "all_chat_administrators", "chat", "chat_administrators", "chat_member"):
                    raise FieldError("Unsupported type specified")
                if key.startswith("chat"):
                    chat_arg = required_string(value, "chat_id")
                    if not chat_arg:
                        raise FieldError("Empty chat_id specified")
                    key += ":%d" % self.find_chat(chat_arg)
                if key.startswith("chat_member"):
                    user_id = required_int(value, "user_id")
                    if user_id <= 0:
                        raise FieldError("Invalid user_id specified")
                    key += ":%d" % user_id
            except FieldError as error:
                raise bad_request("Can't parse BotCommandScope: %s" % error) from None
        if language and not re.fullmatch(r"[a-z]{2}", language):
            raise bad_request("Invalid language code specified")
        return key + ("/" + language if language else "")

    def api_setmycommands(self, args, params):
        raw = args.get("commands", "")
        try:
            value = json.loads(raw) if raw else []
        except ValueError:
            raise bad_request("Can't parse commands JSON object") from None
        if not isinstance(value, list):
            raise bad_request("Expected an Array of BotCommand")
        commands = []
        for item in value:
            try:
                if not isinstance(item, dict):
                    raise FieldError("expected an Object")
                commands.append((required_string(item, "command"), required_string(item, "description")))
            except FieldError as error:
                raise bad_request("Can't parse BotCommand: %s" % error) from None
        key = self.command_scope(args)
        # tdlib trims both, drops a leading '/', and checks the lengths ...
        checked = []
        for command, description in commands:
            command = command.strip()
            command = command[1:] if command.startswith("/") else command
            description = description.strip()
            if not command:
                raise bad_request("Command must be non-empty")
            if len(command) > 32:
                raise bad_request("Command length must not exceed 32")
            if not description:
                raise bad_request("Command description must be non-empty")
            if len(description) > 256:
                raise bad_request("Command description length must not exceed 256")
            checked.append({"command": command, "description": description})
        # ... and Telegram's servers the rest.
        if len(checked) > MAX_COMMANDS:
            raise bad_request("BOT_COMMANDS_TOO_MUCH")
        if any(not re.fullmatch(r"[a-z0-9_]+", c["command"]) for c in checked):
            raise bad_request("BOT_COMMAND_INVALID")
        if checked:
            self.commands[key] = checked
        else:
            self.commands.pop(key, None)
        return True, None

    def api_getmycommands(self, args, params):
        return copy.deepcopy(self.commands.get(self.command_scope(args), [])), None

    def api_deletemycommands(self, args, params):
        self.commands.pop(self.command_scope(args), None)
        return True, None

    def api_setwebhook(self, args, params, deleting=False):
        """Client::process_set_webhook_query and do_set_webhook."""
        url = "" if deleting else args.get("url", "")
        now = time.monotonic()
        if url:
            if now < self.next_set_webhook_time:
                raise too_many_requests(1)
            self.next_set_webhook_time = now + 1
        max_connections = integer_arg(args, "max_connections", 40, 1, 100) if url else 0
        secret = args.get("secret_token", "") if url else ""
        ip_address = args.get("ip_address", "") if url else ""
        drop = to_bool(args.get("drop_pending_updates", ""))
        webhook = self.webhook
        if (url, max_connections, secret, ip_address) == (
                webhook["url"], webhook["max_connections"], webhook["secret_token"],
                webhook["ip_address"]) and not drop:
            self.update_allowed_types(args)
            return True, ("Webhook is already set" if url else "Webhook is already deleted")
        if url:
            self.abort_long_poll(CONFLICT_SET_WEBHOOK)
        was_set = bool(webhook["url"])
        self.webhook = {"url": "", "secret_token": "", "max_connections": 0, "ip_address": "",
                        "last_error_date": 0, "last_error_message": ""}
        if drop:
            self.queue = []
        if not url:
            return True, ("Webhook was deleted" if was_set else "Webhook is already deleted")
        try:
            parts = urllib.parse.urlsplit(webhook_url(url))
            valid = parts.scheme.lower() in ("http", "https") and bool(parts.hostname) and \
                " " not in url and (parts.port is None or parts.port > 0)
        except ValueError:
            valid = False
        if not valid:
            raise bad_request("invalid webhook URL specified")
        if len(secret) > 256:
            raise bad_request("secret token is too long")
        if not re.fullmatch(r"[A-Za-z0-9_-]*", secret):
            raise bad_request("secret token contains unallowed characters")
        self.webhook.update(url=url, secret_token=secret,
                            max_connections=max_connections, ip_address=ip_address)
        self.update_allowed_types(args)
        self.cond.notify_all()
        return True, "Webhook was set"

    def api_deletewebhook(self, args, params):
        return self.api_setwebhook(args, params, deleting=True)

    def api_getwebhookinfo(self, args, params):
        self.purge_expired()
        webhook = self.webhook
        info = {"url": webhook["url"], "has_custom_certificate": False,
                "pending_update_count": len(self.queue)}
        if webhook["last_error_date"]:
            info["last_error_date"] = webhook["last_error_date"]
            info["last_error_message"] = webhook["last_error_message"]
        if webhook["max_connections"]:
            info["max_connections"] = webhook["max_connections"]
        if webhook["url"]:
            info["ip_address"] = webhook["ip_address"] or "127.0.0.1"
        if self.allowed_types is not None:
            info["allowed_updates"] = [t for t in UPDATE_TYPES if t in self.allowed_types]
        return info, None

    # Running calls.

    def start_call(self, method, params, via=None):
        record = {"method": method, "params": params, "status": None, "response": None,
                  "t": time.monotonic(), "wall": time.time()}
        if via:
            record["via"] = via
        self.calls.append(record)
        return record

    def finish_call(self, record, status, response, **marks):
        record.update(status=status, response=response, t_end=time.monotonic(), **marks)
        self.cond.notify_all()

    def take_failure(self, method, args):
        """The scripted failure that applies to this call, if any, used up by one."""
        for failure in self.failures:
            if failure["method"].lower() != method.lower():
                continue
            if failure.get("chat_id") is not None and str(failure["chat_id"]) != args.get("chat_id"):
                continue
            failure["count"] -= 1
            if failure["count"] <= 0:
                self.failures.remove(failure)
            return dict(failure)
        return None

    def run_method(self, entry, args, record):
        """Runs a Bot API method under the lock; returns (status, body, delay)."""
        try:
            result, description = entry[1](args, record["params"])
            status, body, delay = 200, {"ok": True, "result": result}, 0.0
            if description:
                body["description"] = description
        except ApiError as error:
            status, body, delay = error.code, error.body(), error.delay
        self.finish_call(record, status, body)
        return status, body, delay

    # Webhook delivery, in its own thread.

    def next_delivery(self):
        """The next update to POST, or (None, seconds to wait): the oldest one
        whose queue (its chat, or its user for callback queries) is not waiting
        for a retry."""
        if not self.webhook["url"]:
            return None, None
        self.purge_expired()
        now = time.monotonic()
        seen = set()
        wait = None
        for update in self.queue:
            if update["queue_key"] in seen:
                continue
            seen.add(update["queue_key"])
            if update["wakeup_at"] <= now:
                return update, None
            wait = update["wakeup_at"] - now if wait is None else min(wait, update["wakeup_at"] - now)
        return None, wait

    def webhook_loop(self):
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}), NoRedirect())
        while True:
            with self.cond:
                update, wait = self.next_delivery()
                while update is None:
                    if self.stopping:
                        return
                    self.cond.wait(wait)
                    update, wait = self.next_delivery()
                url, secret = webhook_url(self.webhook["url"]), self.webhook["secret_token"]
                body = json.dumps(update["data"], ensure_ascii=False).encode("utf-8")
            outcome = post_update(opener, url, secret, body)
            with self.cond:
                self.finish_delivery(update, secret, *outcome)

    def finish_delivery(self, update, secret, status, retry_after, error, answer):
        """WebhookActor::on_update_ok and on_update_error."""
        now = time.monotonic()
        attempt = {"update_id": update["id"], "status": status, "error": error,
                   "secret_token": secret or None, "t": now, "wall": time.time()}
        self.deliveries.append(attempt)
        self.cond.notify_all()
        if not any(u is update for u in self.queue):
            return                                  # dropped meanwhile (reset, drop_pending_updates)
        if status is not None and 200 <= status <= 299:
            self.queue.remove(update)
            if answer:
                self.run_webhook_answer(*answer)
            return
        self.webhook["last_error_date"] = int(time.time())
        self.webhook["last_error_message"] = error
        delay = update["delay"]
        effective = min(max(retry_after, 0), MAX_WEBHOOK_RETRY_AFTER)
        if retry_after == 0 and update["fail_count"] > 0:
            delay = min(self.webhook_max_delay, delay * 2)
            effective = delay
        if time.time() + effective > update["expires_at"]:
            self.queue.remove(update)
            attempt["dropped"] = True
        else:
            update.update(delay=delay, wakeup_at=now + effective, fail_count=update["fail_count"] + 1)

    def run_webhook_answer(self, content_type, body):
        """A method call in a webhook's 2xx answer is run, its result lost; get*
        methods and the webhook ones are ignored, as on the real server."""
        try:
            args, params = parse_arguments("", content_type, body)
        except ApiError:
            return
        name = args.get("method", "").lower()
        entry = self.methods.get(name)
        if entry is None or name.startswith("get") or name in ("setwebhook", "deletewebhook"):
            return
        del args["method"]
        params.pop("method", None)
        self.run_method(entry, args, self.start_call(entry[0], params, via="webhook answer"))

    # The control API.

    def control_chat(self, data, query):
        chat_id = data.get("chat_id")
        if not isinstance(chat_id, int) or isinstance(chat_id, bool) or chat_id <= 0:
            raise ControlError("chat_id must be a positive integer (only private chats exist)")
        chat = self.chats.setdefault(chat_id, {"first_name": "User", "language_code": "vi",
                                               "started": True, "blocked": False, "deactivated": False})
        for key in ("first_name", "last_name", "username", "language_code", "started"):
            if key in data:
                chat[key] = data[key]
        return dict(chat, id=chat_id)

    def chat_of(self, data):
        chat_id = data.get("chat_id")
        if chat_id not in self.chats:
            raise ControlError("unknown chat %r: POST /control/chat first" % (chat_id,))
        return chat_id

    def queue_member_update(self, chat_id, blocked):
        """The my_chat_member update a private chat gets when the user blocks or
        unblocks the bot."""
        old, new = ("member", "kicked") if blocked else ("kicked", "member")
        new_member = {"user": dict(self.bot_user), "status": new}
        if blocked:
            new_member["until_date"] = 0
        payload = {"my_chat_member": {
            "chat": self.chat_json(chat_id), "from": self.user_json(chat_id), "date": int(time.time()),
            "old_chat_member": {"user": dict(self.bot_user), "status": old},
            "new_chat_member": new_member}}
        return self.queue_update(payload, ("chat", chat_id), UPDATE_LIFETIME)

    def control_block(self, data, query):
        chat_id = self.chat_of(data)
        chat = self.chats[chat_id]
        update_id = None
        if "blocked" in data and bool(data["blocked"]) != chat["blocked"]:
            chat["blocked"] = bool(data["blocked"])
            if data.get("notify", True):
                update_id = self.queue_member_update(chat_id, chat["blocked"])
        if "deactivated" in data:
            chat["deactivated"] = bool(data["deactivated"])
        return dict(chat, id=chat_id, update_id=update_id)

    def control_message(self, data, query):
        text = data.get("text")
        if not isinstance(text, str) or not text:
            raise ControlError("text must be a non-empty string")
        if data.get("chat_id") not in self.chats:
            self.control_chat({k: v for k, v in data.items() if k != "text"}, query)
        chat_id = data["chat_id"]
        chat = self.chats[chat_id]
        if chat["blocked"] and text.startswith("/start"):
            chat["blocked"] = False
            self.queue_member_update(chat_id, False)
        chat["started"] = True
        user = dict(self.user_json(chat_id), **data.get("from", {}))
        edit_of = data.get("edit_message_id")
        reply_to = data.get("reply_to_message_id")
        if edit_of is not None:
            record = self.messages.get((chat_id, edit_of))
            if record is None or record["from_bot"]:
                raise ControlError("no message %r from the user in chat %d" % (edit_of, chat_id))
            message_id, date, reply_to = edit_of, record["message"]["date"], record["reply_to"]
        else:
            message_id, date = self.new_message_id(chat_id, False), int(time.time())
        if reply_to is not None and (chat_id, reply_to) not in self.messages:
            raise ControlError("no message %r in chat %d to reply to" % (reply_to, chat_id))
        message = {"message_id": message_id, "from": user, "chat": self.chat_json(chat_id), "date": date}
        if edit_of is not None:
            message["edit_date"] = int(time.time())
        message["text"] = text
        entities = sort_entities(detected_entities(text, []))
        if entities:
            message["entities"] = entities
        self.messages[(chat_id, message_id)] = {"message": message, "reply_to": reply_to,
                                                "from_bot": False}
        kind = "edited_message" if edit_of is not None else "message"
        update_id = self.queue_update({kind: self.render_message(chat_id, message_id, True)},
                                      ("chat", chat_id), UPDATE_LIFETIME, data.get("update_id"))
        return {"update_id": update_id, "message_id": message_id, "queued": update_id is not None}

    def control_callback(self, data, query):
        chat_id = self.chat_of(data)
        message_id = data.get("message_id")
        if not isinstance(message_id, int):
            raise ControlError("message_id must be an integer")
        record = self.messages.get((chat_id, message_id))
        if record is not None and record["from_bot"]:
            message = self.render_message(chat_id, message_id, True)
        else:
            message = {"message_id": message_id, "chat": self.chat_json(chat_id), "date": 0}
        query_id = str(self.next_callback_id)
        self.next_callback_id += 1
        user = dict(self.user_json(chat_id), **data.get("from", {}))
        callback = {"id": query_id, "from": user, "message": message,
                    "chat_instance": str(-(chat_id * 2654435761 % 10 ** 19))}
        if "data" in data:
            callback["data"] = data["data"]
        self.callback_queries[query_id] = {"created": time.monotonic(), "answered": False, "answer": None,
                                           "chat_id": chat_id, "message_id": message_id,
                                           "data": data.get("data")}
        update_id = self.queue_update({"callback_query": callback}, ("user", user["id"]),
                                      CALLBACK_QUERY_LIFETIME, data.get("update_id"))
        return {"update_id": update_id, "callback_query_id": query_id, "queued": update_id is not None}

    def control_update(self, data, query):
        kinds = [k for k in data if k != "update_id"]
        if not kinds:
            raise ControlError("an update needs a payload field besides update_id")
        # Webhook queues, as the real server keys them: by chat, callback queries by user.
        payload = data[kinds[0]] if isinstance(data[kinds[0]], dict) else {}
        chat = payload.get("chat") or (payload.get("message") or {}).get("chat") or {}
        if kinds[0] == "callback_query" and isinstance(payload.get("from"), dict):
            queue_key = ("user", payload["from"].get("id"))
        elif isinstance(chat, dict) and "id" in chat:
            queue_key = ("chat", chat["id"])
        else:
            queue_key = ("update", self.next_update_id)
        lifetime = CALLBACK_QUERY_LIFETIME if kinds[0] == "callback_query" else UPDATE_LIFETIME
        update_id = self.queue_update(data, queue_key, lifetime, data.get("update_id"))
        return {"update_id": update_id, "queued": update_id is not None}

    def control_fail(self, data, query):
        if not isinstance(data.get("method"), str):
            raise ControlError("method is required")
        failure = {"method": data["method"], "count": int(data.get("count", 1)),
                   "chat_id": data.get("chat_id"), "delay": float(data.get("delay", 0)),
                   "disconnect": bool(data.get("disconnect", False) or data.get("reset", False)),
                   "reset": bool(data.get("reset", False))}
        code = data.get("error_code")
        if code is not None:
            code = failure["error_code"] = int(code)
            retry_after = data.get("retry_after", 1 if code == 429 else None)
            failure["retry_after"] = retry_after
            failure["migrate_to_chat_id"] = data.get("migrate_to_chat_id")
            default = ("Too Many Requests: retry after %s" % retry_after if code == 429 and retry_after
                       else DEFAULT_DESCRIPTIONS.get(code, "Error %d" % code))
            failure["description"] = data.get("description", default)
        elif not failure["disconnect"] and not failure["delay"]:
            raise ControlError("give error_code, disconnect, reset or delay")
        self.failures.append(failure)
        return {"failures": copy.deepcopy(self.failures)}

    def wait_for(self, items, finished, query):
        """With ?count=N&timeout=S, waits up to S seconds for N finished items."""
        count = int(query.get("count", 0))
        self.cond.wait_for(lambda: len([i for i in items() if finished(i)]) >= count,
                           float(query.get("timeout", 0)))
        return items()

    def control_calls(self, data, query):
        method = query.get("method", "").lower()
        return self.wait_for(lambda: [c for c in self.calls if not method or c["method"].lower() == method],
                             lambda call: "t_end" in call, query)

    def control_sent(self, data, query):
        return self.wait_for(lambda: self.sent, lambda sent: True, query)

    def control_pending(self, data, query):
        self.purge_expired()
        return [u["id"] for u in self.queue]

    def control_state(self, data, query):
        return {"webhook": dict(self.webhook, pending_update_count=len(self.queue)),
                "allowed_updates": None if self.allowed_types is None else
                [t for t in UPDATE_TYPES if t in self.allowed_types],
                "commands": self.commands,
                "chats": {str(k): dict(v, id=k) for k, v in self.chats.items()},
                "deliveries": self.deliveries,
                "callback_queries": {k: {f: v for f, v in q.items() if f != "created"}
                                     for k, q in self.callback_queries.items()},
                "failures": self.failures}

    def control_reset(self, data, query):
        self.reset()
        return {"chats": len(self.chats)}


def reset_connection(sock):
    """Closes sock with a TCP RST rather than a FIN: SO_LINGER 0, and closed
    now (socketserver would shut it down, a FIN, before closing it)."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        os.close(sock.detach())
    except OSError:
        pass


def webhook_url(url):
    """The URL a webhook is POSTed to: https:// unless it says otherwise."""
    return url if "://" in url else "https://" + url


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """A webhook answering 3xx has failed: Telegram follows no redirects."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def post_update(opener, url, secret, body):
    """POSTs one update.  Returns (status or None, Retry-After seconds, error
    text for getWebhookInfo, (content type, body) of a 2xx answer)."""
    request = urllib.request.Request(url, data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
    if secret:
        request.add_header("X-Telegram-Bot-Api-Secret-Token", secret)
    try:
        with opener.open(request, timeout=WEBHOOK_TIMEOUT) as response:
            return response.status, 0, "", (response.headers.get("Content-Type", ""), response.read())
    except urllib.error.HTTPError as error:
        retry_after = error.headers.get("Retry-After", "")
        return (error.code, int(retry_after) if retry_after.isdigit() else 0,
                "Wrong response from the webhook: %d %s" % (error.code, error.reason), None)
    except urllib.error.URLError as error:
        return None, 0, getattr(error.reason, "strerror", None) or str(error.reason), None
    except (OSError, http.client.HTTPException) as error:
        return None, 0, "Webhook connection closed: %s" % (error or type(error).__name__), None


def parse_arguments(query, content_type_header, body):
    """A call's arguments as the Bot API sees them (all strings, JSON values as
    JSON text) and its parameters as sent (JSON ones decoded), from the query
    string and a urlencoded, multipart or JSON body."""
    content_type = content_type_header.split(";")[0].strip().lower()
    args = {}
    params = {}
    try:
        for key, value in urllib.parse.parse_qsl(query, keep_blank_values=True, errors="strict"):
            args[key] = params[key] = value
        if content_type == "application/json" and body:
            value = json.loads(body.decode("utf-8"))
            if not isinstance(value, dict):
                raise bad_request("can't parse JSON object")
            for key, item in value.items():
                if item is not None:
                    params[key] = item
                    args[key] = item if isinstance(item, str) else json.dumps(item, ensure_ascii=False)
        elif content_type == "application/x-www-form-urlencoded":
            for key, value in urllib.parse.parse_qsl(body.decode("utf-8"), keep_blank_values=True,
                                                     errors="strict"):
                args[key] = params[key] = value
        elif content_type == "multipart/form-data":
            message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
                b"Content-Type: " + content_type_header.encode("latin-1") + b"\r\n\r\n" + body)
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                if name and not part.get_filename():
                    args[name] = params[name] = part.get_payload(decode=True).decode("utf-8")
    except UnicodeDecodeError:
        raise bad_request("strings must be encoded in UTF-8") from None
    except ValueError:
        raise bad_request("can't parse JSON object") from None
    for key in JSON_PARAMS & params.keys():
        if isinstance(params[key], str):
            try:
                params[key] = json.loads(params[key])
            except ValueError:
                pass
    return args, params


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def version_string(self):
        return "nginx/1.18.0"           # what api.telegram.org says it is

    def do_GET(self):
        self.route()

    def do_POST(self):
        self.route()

    def log_message(self, fmt, *args):
        sys.stderr.write("fake_telegram: %s\n" % (fmt % args))

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

    def send_json(self, status, body, headers=()):
        data = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers:
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True     # the client gave up (a timeout test)

    def route(self):
        url = urllib.parse.urlsplit(self.path)
        body = self.read_body()
        bot = re.fullmatch(r"/bot([^/]*)/([^/]*)", url.path)
        if url.path.startswith("/control/"):
            self.control(url.path[len("/control/"):], url.query, body)
        elif bot:
            self.bot_api(bot.group(1), bot.group(2), url.query, body)
        else:
            self.send_json(404, {"ok": False, "error_code": 404, "description": "Not Found"})

    def bot_api(self, token, name, query, body):
        fake = self.server.fake
        try:
            args, params = parse_arguments(query, self.headers.get("Content-Type", ""), body)
            problem = None
        except ApiError as error:
            args, params, problem = {}, {}, error
        with fake.cond:
            entry = fake.methods.get(name.lower()) if token == fake.token else None
            record = fake.start_call(entry[0] if entry else name, params)
            failure = fake.take_failure(entry[0], args) if entry and not problem else None
        if failure:
            time.sleep(failure["delay"])
            if failure["disconnect"]:
                with fake.cond:
                    fake.finish_call(record, None, None, scripted=True, disconnected=True)
                if failure["reset"]:
                    reset_connection(self.connection)
                self.close_connection = True
                return
            if "error_code" in failure:
                error = ApiError(failure["error_code"], failure["description"], failure["retry_after"],
                                 failure["migrate_to_chat_id"])
                with fake.cond:
                    fake.finish_call(record, error.code, error.body(), scripted=True)
                self.answer(error.code, error.body())
                return
        with fake.cond:
            if token != fake.token:
                problem = ApiError(401, "Unauthorized")
            elif entry is None:
                problem = ApiError(404, "Not Found: method not found")
            if problem:
                fake.finish_call(record, problem.code, problem.body())
                status, response, delay = problem.code, problem.body(), 0.0
            else:
                status, response, delay = fake.run_method(entry, args, record)
        time.sleep(delay)
        self.answer(status, response)

    def answer(self, status, response):
        """A Bot API answer; with a retry_after, the Retry-After header too."""
        retry_after = (response.get("parameters") or {}).get("retry_after")
        self.send_json(status, response, [("Retry-After", str(retry_after))] if retry_after is not None else [])

    CONTROL = {("POST", "chat"), ("POST", "block"), ("POST", "message"), ("POST", "callback"),
               ("POST", "update"), ("POST", "fail"), ("POST", "reset"),
               ("GET", "calls"), ("GET", "sent"), ("GET", "pending"), ("GET", "state")}

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
    parser = argparse.ArgumentParser(description="A fake Telegram Bot API server for tests.")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--bot-username", default="dondoc_test_bot")
    parser.add_argument("--bot-id", type=int, default=7000000001)
    parser.add_argument("--ready-file")
    parser.add_argument("--strict-html", action="store_true",
                        help='also refuse an "&" that starts no complete character reference')
    parser.add_argument("--webhook-max-delay", type=float, default=8.0,
                        help="cap of the webhook retry backoff, in seconds")
    options = parser.parse_args()

    fake = Fake(options.token, options.bot_id, options.bot_username, options.strict_html,
                options.webhook_max_delay)
    server = ThreadingHTTPServer(("127.0.0.1", options.port), Handler)
    server.daemon_threads = True
    server.fake = fake
    threading.Thread(target=fake.webhook_loop, daemon=True).start()
    port = server.server_address[1]
    if options.ready_file:
        with open(options.ready_file + ".tmp", "w") as f:
            f.write("%d\n" % port)
        os.rename(options.ready_file + ".tmp", options.ready_file)
    print("listening on %d" % port, flush=True)

    def stop(signum, frame):
        # shutdown() waits for serve_forever() to return, so not from its own thread.
        threading.Thread(target=server.shutdown, daemon=True).start()
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    server.serve_forever()
    with fake.cond:
        fake.stopping = True
        fake.cond.notify_all()
    server.server_close()


if __name__ == "__main__":
    main()

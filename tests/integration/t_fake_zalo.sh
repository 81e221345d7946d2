# The fake Zalo server (tests/fake_zalo.py) and the webhook signer
# (tests/zalo_post.py) that the Zalo tests use, tested on their own with
# curl against ../shared/CHAT-APIS.md part B: API errors in HTTP 200
# bodies, the OA send's checks and answer, OAuth v4 with single-use refresh
# tokens rotating (and the grace that keeps a grant alive when a client dies
# before storing the new pair), counted uses, the scripted failures, ZNS and
# its quota, and signatures that reproduce ../shared/refdata/zalo/SIGNATURE.md.
. "$(dirname "$0")/../lib.sh"

HOOK=""
trap 'kill $HOOK 2>/dev/null; at_exit' EXIT

# zapi METHOD PATH CURL-ARGS...: a call to the fake; the body in out, the status in $code.
zapi() {
	_m=$1 _p=$2
	shift 2
	code=$(curl -s -o out -w '%{http_code}' -X "$_m" "$ZAPI$_p" "$@")
}
# cs TOKEN JSON: a consultation message with that access token ("" for none).
cs() {
	if [ -n "$1" ]; then
		zapi POST /v3.0/oa/message/cs -H "access_token: $1" -H 'Content-Type: application/json' --data-binary "$2"
	else
		zapi POST /v3.0/oa/message/cs -H 'Content-Type: application/json' --data-binary "$2"
	fi
}
# refresh TOKEN [SECRET [APP_ID [GRANT]]]: the OAuth v4 refresh.
refresh() {
	zapi POST /v4/oa/access_token -H "secret_key: ${2:-$ZALO_SECRET}" \
		--data-urlencode "refresh_token=$1" -d "app_id=${3:-$ZALO_APP_ID}" -d "grant_type=${4:-refresh_token}"
}
# zns TOKEN JSON: a ZNS template message.
zns() { zapi POST /message/template -H "access_token: $1" -H 'Content-Type: application/json' --data-binary "$2"; }
# err: "STATUS error" of the last call.
err() { echo "$code $(json 'j.get("error")')"; }

LAN=6142494823000000001
hi='{"recipient":{"user_id":"'$LAN'"},"message":{"text":"Nhắc hạn: Báo cáo #42"}}'

fake_zalo_start
if ! [ -n "$ZAPI" ] || ! curl -s -o /dev/null "$ZAPI/control/state"; then
	fail "the fake starts and writes its port to the ready file" "$(cat fakez.log)"
	exit 0
fi
pass "the fake starts and writes its port to the ready file"
expect_grep "it says where it listens" fakez.log "^listening on ${ZAPI##*:}$"

# --- the OA API: token errors in HTTP 200 bodies -----------------------------------------------------
cs "" "$hi"
expect_eq "a send without the access_token header: HTTP 200, error -216, exactly Zalo's envelope" \
	"$code $(json 'j')" '200 {"error": -216, "message": "Access token is invalid", "data": {}}'
zapi POST /v3.0/oa/message/cs -H "Authorization: Bearer $ZALO_R0" --data-binary "$hi"
expect_eq "a bearer token is no access_token header: -216" "$(err)" "200 -216"
cs nonsense "$hi"
expect_eq "an unknown access token: -216" "$(err)" "200 -216"
zapi GET /v2.0/oa/getoa
expect_eq "getoa without a token: -216" "$(err)" "200 -216"
zapi GET /v3.0/oa/nothing
expect_eq "an unknown path: 404" "$code" 404

# --- OAuth v4: failures ------------------------------------------------------------------------------
refresh "$ZALO_R0" WRONGSECRET
expect_eq "a wrong secret_key: HTTP 200, no access_token, error/error_name/error_reason" \
	"$code $(json '["access_token" in j, j["error"] < 0, sorted(k for k in j if k.startswith("error"))]')" \
	'200 [false, true, ["error", "error_description", "error_name", "error_reason"]]'
refresh "$ZALO_R0" "$ZALO_SECRET" 1234
expect_eq "a wrong app_id fails" "$code $(json '["access_token" in j, j["error_name"]]')" '200 [false, "Invalid app_id"]'
refresh "$ZALO_R0" "$ZALO_SECRET" "$ZALO_APP_ID" authorization_code
expect_eq "a grant_type other than refresh_token fails" "$(json '"access_token" in j')" false
refresh nonsense
expect_eq "an unknown refresh token fails" "$(json '[("access_token" in j), j["error_name"]]')" '[false, "Invalid refresh_token"]'
zalo_tokens
expect_eq "failed refreshes leave the seed valid, and are counted: 3 uses" \
	"$(json '[j["refresh"]["'$ZALO_R0'"]["state"], j["uses"]["'$ZALO_R0'"], j["current_refresh"] == "'$ZALO_R0'"]')" \
	'["valid", 3, true]'

# --- OAuth v4: rotation ------------------------------------------------------------------------------
refresh "$ZALO_R0"
expect_eq "a refresh: access_token, refresh_token, expires_in the string \"90000\"" \
	"$code $(json '[sorted(j), j["expires_in"], j["refresh_token"] != "'$ZALO_R0'"]')" \
	'200 [["access_token", "expires_in", "refresh_token"], "90000", true]'
A1=$(json 'j["access_token"]') R1=$(json 'j["refresh_token"]')
refresh "$ZALO_R0"
expect_eq "the old refresh token again, its pair unused (a client died before storing it): a new pair" \
	"$code $(json '["access_token" in j, j.get("refresh_token") not in ("'$R1'", None)]')" '200 [true, true]'
A2=$(json 'j["access_token"]') R2=$(json 'j["refresh_token"]')
cs "$A1" "$hi"
expect_eq "the first pair is voided by it: its access token -216" "$(err)" "200 -216"
refresh "$R1"
expect_eq "and its refresh token is refused" "$(json '"access_token" in j')" false
cs "$A2" "$hi"
expect_eq "the second pair's access token sends: error 0" "$(err)" "200 0"
expect_eq "the answer: message_id (hex), user_id, sent_time (string ms)" \
	"$(json '[sorted(j["data"]), all(c in "0123456789abcdef" for c in j["data"]["message_id"]), j["data"]["user_id"], j["data"]["sent_time"].isdigit()]')" \
	'[["message_id", "sent_time", "user_id"], true, "'$LAN'", true]'
refresh "$ZALO_R0"
expect_eq "once the new access token was used, the old refresh token is refused" \
	"$code $(json '["access_token" in j, j["error_name"]]')" '200 [false, "Invalid refresh_token"]'
refresh "$R2"
R3=$(json 'j["refresh_token"]') A3=$(json 'j["access_token"]')
refresh "$R3"
refresh "$R2"
expect_eq "a refresh token whose new refresh token was used is refused too" "$(json '"access_token" in j')" false
zalo_tokens
expect_eq "uses are counted per token: the seed 6 times, R2 twice, R3 once" \
	"$(json '[j["uses"]["'$ZALO_R0'"], j["uses"]["'$R2'"], j["uses"]["'$R3'"], j["refresh"]["'$ZALO_R0'"]["state"], j["refresh"]["'$R2'"]["state"]]')" \
	'[6, 2, 1, "spent", "spent"]'
R4=$(json 'j["current_refresh"]') A4=$(json 'j["current_access"]')
expect_eq "the current refresh token is the newest one" "$(json 'j["refresh"]["'"$R4"'"]["from"]')" "$R3"
cs "$A3" "$hi"
expect_eq "an older access token stays valid until it expires" "$(err)" "200 0"

zalo_ctl config '{"strict_refresh": true, "expires_in": "3600"}'
refresh "$R4"
R5=$(json 'j["refresh_token"]')
expect_eq "expires_in as configured" "$(json 'j["expires_in"]')" 3600
refresh "$R4"
expect_eq "strict mode: a used refresh token is refused at once" "$(json '"access_token" in j')" false
zalo_ctl config '{"strict_refresh": false, "expires_in": "90000"}'

zalo_ctl token '{"refresh_token": "seed-2", "access_token": "acc-2"}'
refresh "$R5"
expect_eq "/control/token seeds a grant and voids the others" "$(json '"access_token" in j')" false
cs acc-2 "$hi"
expect_eq "and its access token works" "$(err)" "200 0"
zalo_ctl expire '{"access_token": "acc-2"}'
cs acc-2 "$hi"
expect_eq "an expired access token: -220" "$(err)" "200 -220"
zalo_ctl token '{"access_token": "acc-3"}'
zalo_ctl expire '{"access_token": "acc-3", "revoke": true}'
cs acc-3 "$hi"
expect_eq "a revoked one: -216" "$(err)" "200 -216"
zalo_ctl token '{"access_token": "acc-4", "expires_in": 0}'
cs acc-4 "$hi"
expect_eq "one whose lifetime ran out: -220" "$(err)" "200 -220"

# --- OAuth v4: scripted slowness and failure -----------------------------------------------------------
zalo_ctl fail '{"endpoint": "oauth", "delay": 2}'
code=$(curl -s -o out -m 0.5 -w '%{http_code}' -H "secret_key: $ZALO_SECRET" \
	-d "refresh_token=seed-2&app_id=$ZALO_APP_ID&grant_type=refresh_token" "$ZAPI/v4/oa/access_token")
expect_eq "a slow refresh: the client gives up before the answer" "$code" "000"
zalo_tokens
expect_eq "yet the fake rotated at once (the worst case for a killed client)" \
	"$(json '[j["refresh"]["seed-2"]["state"], j["refresh"]["seed-2"]["issued"] is not None]')" '["used", true]'
refresh seed-2
expect_eq "and the grant is not lost: the same refresh token works again" "$(json '"access_token" in j')" true
SEED3=$(json 'j["refresh_token"]')
zalo_ctl fail '{"endpoint": "oauth", "error": -14020}'
refresh "$SEED3"
expect_eq "a scripted refresh failure: no access_token, the given error" \
	"$code $(json '["access_token" in j, j["error"], j["error_name"]]')" '200 [false, -14020, "Refresh token expired"]'
zalo_tokens
expect_eq "it rotated nothing, and counted the use" \
	"$(json '[j["refresh"]["'$SEED3'"]["state"], j["uses"]["'$SEED3'"]]')" '["valid", 1]'
refresh "$SEED3"
SEED4=$(json 'j["refresh_token"]')
# Two clients refreshing at once with the same token (no lock between them).
zalo_ctl fail '{"endpoint": "oauth", "delay": 0.5, "count": 2}'
racers=
for n in 1 2; do
	curl -s -o "race$n.json" -H "secret_key: $ZALO_SECRET" \
		-d "refresh_token=$SEED4&app_id=$ZALO_APP_ID&grant_type=refresh_token" "$ZAPI/v4/oa/access_token" &
	racers="$racers $!"
done
wait $racers
zalo_tokens
expect_eq "two refreshes with one token at once: both answered, one pair voided, 2 uses seen" \
	"$($PY -c 'import json,sys; t=json.load(open("out")); p=[json.load(open("race%d.json" % n)) for n in (1, 2)]
print(all("access_token" in x for x in p), sorted(t["refresh"][x["refresh_token"]]["state"] for x in p), t["uses"][sys.argv[1]])' "$SEED4")" \
	"True ['valid', 'void'] 2"
zalo_ctl token '{"refresh_token": "seed-5"}'
refresh seed-5
TOK=$(json 'j["access_token"]')

# --- the OA send: body checks ------------------------------------------------------------------------
cs "$TOK" '{"recipient":{"user_id":6142494823000000001},"message":{"text":"x"}}'
expect_eq "user_id as a number: -201 user_id is invalid" "$code $(json '[j["error"], j["message"]]')" '200 [-201, "user_id is invalid"]'
cs "$TOK" 'not json'
expect_eq "a body that is no JSON: -201" "$(err)" "200 -201"
cs "$TOK" '{"recipient":{"user_id":"1"},"message":{"text":""}}'
expect_eq "an empty text: -201 text is invalid" "$(json 'j["message"]')" "text is invalid"
long=$($PY -c 'import unicodedata; print(unicodedata.normalize("NFD", "ệ" * 2000))')
cs "$TOK" "{\"recipient\":{\"user_id\":\"1\"},\"message\":{\"text\":\"$long\"}}"
expect_eq "2000 code points after NFC (6000 decomposed) pass" "$(err)" "200 0"
cs "$TOK" "{\"recipient\":{\"user_id\":\"1\"},\"message\":{\"text\":\"${long}a\"}}"
expect_eq "2001 fail: -201 text is invalid" "$code $(json '[j["error"], j["message"]]')" '200 [-201, "text is invalid"]'
zalo_ctl reset
cs "$TOK" "$hi"
M1=$(json 'j["data"]["message_id"]')
cs "$TOK" "$hi"
M2=$(json 'j["data"]["message_id"]')
zalo_sent 2
expect_eq "/control/sent records each send, message ids unique" \
	"$(json '[(s["user_id"], s["text"]) for s in j] + [j[0]["message_id"] == "'$M1'", "'$M1'" != "'$M2'", j[0]["access_token"] == "'$TOK'"]')" \
	'[["'$LAN'", "Nhắc hạn: Báo cáo #42"], ["'$LAN'", "Nhắc hạn: Báo cáo #42"], true, true, true]'

# --- the OA send: scripted answers ---------------------------------------------------------------------
zalo_ctl user '{"user_id": "'$LAN'", "error": -230}'
cs "$TOK" "$hi"
expect_eq "a user set outside the window: -230 with Zalo's message" "$code $(json '[j["error"], j["message"]]')" \
	'200 [-230, "User has not interacted with the OA in the past 7 days"]'
cs "$TOK" '{"recipient":{"user_id":"777"},"message":{"text":"x"}}'
expect_eq "other users are not touched" "$(err)" "200 0"
zalo_ctl user '{"user_id": "'$LAN'", "error": -213}'
cs "$TOK" "$hi"
expect_eq "a user who does not follow: -213" "$(err)" "200 -213"
zalo_ctl user '{"user_id": "'$LAN'", "error": 0}'
cs "$TOK" "$hi"
expect_eq "error 0 clears it" "$(err)" "200 0"
zalo_ctl fail '{"status": 503, "count": 2}'
cs "$TOK" "$hi"
c1=$code
cs "$TOK" "$hi"
c2=$code
cs "$TOK" "$hi"
expect_eq "two scripted 503s, then the send goes through" "$c1 $c2 $(err)" "503 503 200 0"
zalo_ctl fail '{"error": -32}'
cs "$TOK" "$hi"
expect_eq "a scripted -32 rate limit, in an HTTP 200 body" "$code $(json '[j["error"], j["message"]]')" \
	'200 [-32, "Your application/OA reached limit call api"]'
zalo_ctl reset
zalo_ctl fail '{"delay": 1.5}'
code=$(curl -s -o out -m 0.5 -w '%{http_code}' -H "access_token: $TOK" --data-binary "$hi" "$ZAPI/v3.0/oa/message/cs")
zalo_sent 1
expect_eq "a delayed send: the client times out, yet the message was delivered (a retry duplicates)" \
	"$code $(json 'len(j)')" "000 1"
zalo_ctl fail '{"delay": 1, "done": false}'
t0=$($PY -c 'import time; print(time.monotonic())')
cs "$TOK" "$hi"
expect_eq "a delay alone slows the real answer down" \
	"$(err) $($PY -c 'import sys,time; print(time.monotonic() - float(sys.argv[1]) >= 0.95)' "$t0")" "200 0 True"
zalo_ctl fail '{"hang": true}'
curl -s -o /dev/null -m 0.5 -H "access_token: $TOK" --data-binary "$hi" "$ZAPI/v3.0/oa/message/cs"
expect_eq "hang: no answer at all (curl times out)" "$?" 28
zalo_ctl fail '{"disconnect": true}'
curl -s -o /dev/null -m 5 -H "access_token: $TOK" --data-binary "$hi" "$ZAPI/v3.0/oa/message/cs"
expect_eq "disconnect: the connection closes with no answer" "$?" 52
zalo_ctl fail '{"error": -216, "user_id": "888"}'
cs "$TOK" "$hi"
c1=$(err)
cs "$TOK" '{"recipient":{"user_id":"888"},"message":{"text":"x"}}'
expect_eq "a failure scripted for one user_id waits for a send to it" "$c1 / $(err)" "200 0 / 200 -216"
zalo_ctl config '{"rate_limit": 2}'
cs "$TOK" "$hi"
cs "$TOK" "$hi"
c2=$(err)
cs "$TOK" "$hi"
expect_eq "past rate_limit calls a minute: -32" "$c2 / $(err)" "200 0 / 200 -32"
zalo_ctl config '{"rate_limit": 0}'
zapi GET /v2.0/oa/getoa -H "access_token: $TOK"
expect_eq "getoa: the OA's id and name" "$(json '[j["error"], j["data"]["oa_id"], j["data"]["name"]]')" \
	'[0, "'$ZALO_OA_ID'", "Văn phòng UBND (thử)"]'
zalo_calls cs
expect_eq "/control/calls lists every call with its token and answer" \
	"$(json '[len(j) > 5, j[-1]["access_token"] == "'$TOK'", j[-1]["response"]["error"], j[-1]["params"]["recipient"]["user_id"]]')" \
	'[true, true, -32, "'$LAN'"]'

# --- ZNS --------------------------------------------------------------------------------------------
Z='{"phone":"84912345678","template_id":"412345","template_data":{"ho_ten":"Nguyễn Văn An","so_viec":"3"},"tracking_id":"t-1"}'
zns "" "$Z"
expect_eq "ZNS without a token: -124 in an HTTP 200 body" "$(err)" "200 -124"
zns "$TOK" "$Z"
expect_eq "a ZNS send: error 0, msg_id (32 hex)" "$code $(json '[j["error"], len(j["data"]["msg_id"])]')" "200 [0, 32]"
zns "$TOK" '{"phone":"84912345678","template_id":"999","template_data":{"a":"1"}}'
expect_eq "an unknown template: -109" "$(err)" "200 -109"
zns "$TOK" '{"phone":"84912345678","template_id":412345,"template_data":{"a":"1"}}'
expect_eq "template_id as a number: -109" "$(err)" "200 -109"
zns "$TOK" '{"phone":"+84 912","template_id":"412345","template_data":{"a":"1"}}'
expect_eq "a malformed phone: -108" "$(err)" "200 -108"
zns "$TOK" '{"phone":"84912345678","template_id":"412345"}'
expect_eq "no template_data: -111" "$(err)" "200 -111"
zalo_ctl zns_template '{"template_id": "412345", "params": ["ho_ten", "so_viec"]}'
zns "$TOK" '{"phone":"84912345678","template_id":"412345","template_data":{"ho_ten":"An"}}'
expect_eq "template_data that differs from the template's params: -112" "$(err)" "200 -112"
zalo_ctl zns_phone '{"phone": "0987654321", "error": -118}'
zns "$TOK" '{"phone":"84987654321","template_id":"412345","template_data":{"ho_ten":"B","so_viec":"1"}}'
expect_eq "a phone set to have no Zalo account: -118, matched in 84 form too" "$(err)" "200 -118"
zalo_ctl zns_quota '{"quota": 2}'
zns "$TOK" '{"phone":"0912345678","template_id":"412345","template_data":{"ho_ten":"C","so_viec":"2"},"tracking_id":"t-2"}'
c1=$(err)
zns "$TOK" "$Z"
expect_eq "the daily quota (2 here) is used up by successful sends only" "$c1 / $(err)" "200 0 / 200 -144"
expect_eq "-144 says so" "$(json 'j["message"]')" "OA has exceeded the daily quota"
zalo_zns_sent 2
expect_eq "/control/zns_sent records the sends: phone, 84 form, template, data, tracking_id" \
	"$(json '[[s["phone"], s["phone84"], s["template_id"], s["template_data"]["so_viec"], s["tracking_id"]] for s in j]')" \
	'[["84912345678", "84912345678", "412345", "3", "t-1"], ["0912345678", "84912345678", "412345", "2", "t-2"]]'
zalo_ctl zns_quota '{"used": 0}'
zns "$TOK" "$Z"
expect_eq "resetting the count lets sends through again" "$(err)" "200 0"

# --- the signer ---------------------------------------------------------------------------------------
# A tiny webhook that keeps each request's raw body and signature header.
cat >hook.py <<'PY'
import http.server, os, sys
ready, n = sys.argv[1], [0]
class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        n[0] += 1
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with open("hook.%d.body" % n[0], "wb") as f:
            f.write(body)
        with open("hook.%d.sig" % n[0], "w") as f:
            f.write(self.headers.get("X-ZEvent-Signature", "(none)"))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", 0), Hook)
with open(ready + ".tmp", "w") as f:
    f.write(str(server.server_port))
os.rename(ready + ".tmp", ready)
server.serve_forever()
PY
$PY hook.py "$T/hook.ready" 2>>fakez.log &
HOOK=$!
wait_until 10 test -s hook.ready
WEB=http://127.0.0.1:$(cat hook.ready)
# expected N: the mac of request N's raw body, computed by the shell's own tools.
expected() {
	_ts=$($PY -c 'import json,sys; print(json.load(open(sys.argv[1]))["timestamp"])' "hook.$1.body")
	{ printf '%s' "$ZALO_APP_ID"; cat "hook.$1.body"; printf '%s%s' "$_ts" "$ZALO_OA_SECRET"; } |
		sha256sum | cut -c1-64
}
DONDOC_NOW=2025-01-01T07:00 zalo_post text $LAN "/xong 3"
expect_eq "zalo_post posts and prints the answer" "$zstatus $(cat zpost.out)" "200 ok"
expect_eq "its signature is mac= SHA-256(app_id, raw body, timestamp, OA secret), as sha256sum finds it" \
	"$(cat hook.1.sig)" "mac=$(expected 1)"
expect_eq "a user_send_text of B7's shape, ids as strings, timestamp from DONDOC_NOW (UTC+7)" \
	"$($PY -c 'import json; j=json.load(open("hook.1.body")); print([j["event_name"], j["app_id"], j["timestamp"], j["sender"]["id"], j["recipient"]["id"], j["message"]["text"], len(j["message"]["msg_id"])])')" \
	"['user_send_text', '$ZALO_APP_ID', '1735689600000', '$LAN', '$ZALO_OA_ID', '/xong 3', 20]"
zalo_post --bad-signature follow $LAN
expect_eq "--bad-signature: a mac that does not match" "$(test "$(cat hook.2.sig)" != "mac=$(expected 2)" && echo differs)" differs
zalo_post --no-signature unfollow $LAN
expect_eq "--no-signature: no header" "$(cat hook.3.sig)" "(none)"
zalo_post --numbers --timestamp 1735689600000 --stale 600 follow $LAN
expect_eq "--numbers and --stale: a follow with numeric ids, 600 s old" \
	"$($PY -c 'import json; j=json.load(open("hook.4.body")); print([j["event_name"], j["follower"]["id"], j["timestamp"], j["oa_id"]])')" \
	"['follow', $LAN, 1735689000000, $ZALO_OA_ID]"
zalo_post echo $LAN "Đã nhận"
expect_eq "echo: oa_send_text from the OA to the user" \
	"$($PY -c 'import json; j=json.load(open("hook.5.body")); print([j["event_name"], j["sender"]["id"], j["recipient"]["id"]])')" \
	"['oa_send_text', '$ZALO_OA_ID', '$LAN']"

if [ -n "$SHARED" ] && [ -f "$SHARED/refdata/zalo/user_send_text.synth.json" ]; then
	REF=$SHARED/refdata/zalo
	A=$(sed -n 's/.*X-ZEvent-Signature: mac=\([0-9a-f]\{64\}\).*/\1/p' "$REF/SIGNATURE.md" | head -1)
	NEG=$(sed -n 's/.*HMAC-SHA256(secret, appId+body+ts) = `\([0-9a-f]\{64\}\)`.*/\1/p' "$REF/SIGNATURE.md")
	expect_eq "refdata: the vector file is the one SIGNATURE.md describes" \
		"$(sha256sum <"$REF/user_send_text.synth.json" | cut -c1-64)" \
		12e51e0ce17dbb6e28108c066a22406bc0645ce703fb4ea9697bdfece99372b2
	expect_eq "vector A, byte for byte from the refdata file" \
		"$($PY "$TOP/tests/zalo_post.py" sign 2553928453557884079 1735689600000 TESTOASECRETKEY123 "$REF/user_send_text.synth.json")" \
		"mac=$A"
	zalo_post raw "$REF/user_send_text.synth.json"
	expect_eq "posting it raw sends those bytes and that header" \
		"$(cmp -s hook.6.body "$REF/user_send_text.synth.json" && echo same) $(cat hook.6.sig)" "same mac=$A"
	zalo_post --hmac raw "$REF/user_send_text.synth.json"
	expect_eq "--hmac gives vector A's negative case" "$(cat hook.7.sig)" "mac=$NEG"
	printf '%s' '{"event_name":"user_send_text"}' >vb.json
	B=$(grep -A1 '"SEC1")' "$REF/SIGNATURE.md" | grep -o '[0-9a-f]\{64\}' | head -1)
	expect_eq "vector B" "$($PY "$TOP/tests/zalo_post.py" sign APP1 1700 SEC1 vb.json)" "mac=$B"
	expect_eq "SIGNATURE.md gave the vectors read here" "${#A} ${#NEG} ${#B}" "64 64 64"
	$PY "$TOP/tests/zalo_post.py" gen 3 --users 2 --timestamp 1735689600000 >gen.txt
	sed -n 3p gen.txt | cut -f2 | tr -d '\n' >gen3.json
	expect_eq "gen: signed lines for a benchmark, each its own msg_id, user 1 again third" \
		"$(cut -f1 gen.txt | sed -n 3p) $($PY -c 'import json; j=json.load(open("gen3.json")); print(j["sender"]["id"], j["message"]["msg_id"])')" \
		"$($PY "$TOP/tests/zalo_post.py" sign 2553928453557884079 1735689600000 TESTOASECRETKEY123 gen3.json) 6142494823000000001 be0c0000000000000002"
else
	skip "the signer reproduces SIGNATURE.md's vectors" "../shared/refdata/zalo is missing"
fi

# --- stopping -------------------------------------------------------------------------------------------
kill -TERM "$fakez"
wait "$fakez"
expect_eq "SIGTERM stops the fake cleanly" "$?" 0
fakez=""
exit 0

# The Zalo OA's tokens (issue 14 step 2 item 4) against tests/fake_zalo.py:
# set-token and refresh rotate the single-use refresh token (the fake sees
# each one presented once); a refresh answer without access_token fails
# clearly and keeps the old token; two processes refreshing at once use
# the token once; a kill -9 between the token answer and its commit never
# loses the only valid refresh token while Zalo still takes it, and with
# --strict-refresh (the old token voided at once) the loss is detected,
# recorded as final and reported; status and doctor show the expiry and
# never a token.
. "$(dirname "$0")/../lib.sh"

fake_zalo_start
if ! [ -n "$ZAPI" ] || ! curl -s -o /dev/null "$ZAPI/control/state"; then
	fail "the fake Zalo server starts" "$(cat fakez.log)"
	exit 0
fi
{ conf_general; conf_zalo; } >dondoc.conf
export DONDOC_CONFIG="$T/dondoc.conf"
export DONDOC_NOW=2026-01-05T08:00
expect_rc 0 "init" "$DONDOC" init

# uses TOKEN: how many times the fake saw TOKEN presented to the token endpoint.
uses() { zalo_tokens; json "j['uses'].get('$1', 0)"; }
current() { zalo_tokens; json "j['current_refresh']"; }
refreshes() { zalo_tokens; json "j['refreshes']"; }

# --- before any token ---------------------------------------------------------------------
expect_rc 0 "zalo status with no token exits 0" "$DONDOC" zalo status --json
expect_eq "status: no refresh token, no access token, no expiry" \
	"$(json '[j["refresh_token"], j["access_token"], j["expires_at"], j["error"]]')" \
	'[false, false, null, null]'
expect_rc 1 "doctor fails without a refresh token" "$DONDOC" doctor
expect_grep "doctor says to run set-token" out "^FAIL zalo .*no refresh token: run 'dondoc zalo set-token TOKEN'"
expect_rc 1 "zalo refresh without a token exits 1" "$DONDOC" zalo refresh
expect_grep "it says to run set-token" err "no Zalo refresh token: run 'dondoc zalo set-token TOKEN'"
expect_eq "nothing reached the token endpoint" "$(refreshes)" 0
expect_rc 64 "set-token with a space in the token is refused" "$DONDOC" zalo set-token "a b"

# --- set-token, refresh: the rotation -----------------------------------------------------
expect_rc 0 "zalo set-token exits 0" "$DONDOC" zalo set-token "$ZALO_R0"
expect_grep "set-token says what it did" out "Stored the Zalo refresh token; any access token was dropped"
expect_no_grep "set-token does not print the token" out "$ZALO_R0"
expect_rc 0 "zalo refresh exits 0" "$DONDOC" zalo refresh
expect_grep "refresh says when the new token expires (expires_in 90000 s: 25 h)" out \
	"^Refreshed the Zalo token; the access token expires 2026-01-06T09:00:00\+07:00\.$"
expect_eq "the fake saw the seeded token once" "$(uses "$ZALO_R0")" 1
R1=$(current)
expect_rc 0 "a second refresh exits 0" "$DONDOC" zalo refresh
expect_eq "the second refresh presented the rotated token, once" "$(uses "$R1"):$(uses "$ZALO_R0")" "1:1"
expect_eq "two refreshes in all" "$(refreshes)" 2
R2=$(current)
A2=$(zalo_tokens; json "j['current_access']")

expect_rc 0 "zalo status --json" "$DONDOC" zalo status --json
expect_eq "status: both tokens, the expiry, the last refresh, no error" \
	"$(json '[j["refresh_token"], j["access_token"], j["expires_at"], j["expires_in"], j["refreshed_at"], j["error"]]')" \
	'[true, true, "2026-01-06T09:00:00+07:00", 90000, "2026-01-05T08:00:00+07:00", null]'
expect_rc 0 "zalo status" "$DONDOC" zalo status
expect_grep "status says when the access token expires" out "^access token   expires 2026-01-06T09:00:00\+07:00$"
if grep -qF -e "$R2" -e "$A2" out; then fail "status prints no token" "$(cat out)"; else pass "status prints no token"; fi
"$DONDOC" doctor >out 2>err
expect_grep "doctor shows when the access token expires" out "^ok   zalo +access token expires 2026-01-06T09:00:00\+07:00$"
if grep -qF -e "$R2" -e "$A2" out; then fail "doctor prints no token" "$(cat out)"; else pass "doctor prints no token"; fi

# --- a refresh answer without access_token ------------------------------------------------
zalo_ctl fail '{"endpoint":"oauth","error":-14014,"error_name":"Invalid refresh_token","error_reason":"refresh token is invalid"}'
expect_rc 1 "a refresh answered without access_token (HTTP 200) exits 1" "$DONDOC" zalo refresh
expect_grep "it says the answer had no access_token, and Zalo's reason" err \
	"the refresh failed: HTTP 200, no access_token in the answer: Invalid refresh_token: refresh token is invalid \(error -14014\)"
expect_rc 0 "status after the failure" "$DONDOC" zalo status --json
expect_eq "status: the error recorded, with its time, as a refusal; the tokens kept" \
	"$(json '[j["refresh_token"], j["error_at"], j["error_final"], "no access_token" in j["error"]]')" \
	'[true, "2026-01-05T08:00:00+07:00", true, true]'
"$DONDOC" doctor >out 2>err
expect_grep "doctor fails on a refused refresh and says a person must act" out \
	"^FAIL zalo .*was refused .*the OA's admin must consent again, then run 'dondoc zalo set-token'"
expect_rc 0 "a refresh by hand after the failure works: the old token was kept" "$DONDOC" zalo refresh
expect_eq "the token refused once was presented again, and rotated" "$(uses "$R2")" 2
expect_rc 0 "status after the new refresh" "$DONDOC" zalo status --json
expect_eq "the error is gone after a success" "$(json 'j["error"]')" "null"

# --- what is final: only an error body with HTTP 200 or 4xx (not 408, 429) -----------------
# final_after FAILURE: error_final in status after a refresh that meets FAILURE.
final_after() {
	zalo_ctl fail "$1"
	"$DONDOC" zalo refresh >/dev/null 2>&1
	"$DONDOC" zalo status --json >out 2>err
	json 'j["error_final"]'
}
expect_eq "429 with an error body, 503, 408, a page that is not JSON, no answer: not final; 400 with an error body: final" \
	"$(final_after '{"endpoint":"oauth","status":429,"body":"{\"error\":-14014,\"error_name\":\"Too many\"}"}') $(final_after '{"endpoint":"oauth","status":503}') $(final_after '{"endpoint":"oauth","status":408,"body":"{\"error\":-1,\"error_name\":\"Timeout\"}"}') $(final_after '{"endpoint":"oauth","status":400,"body":"<html>no</html>"}') $(final_after '{"endpoint":"oauth","disconnect":true,"done":false}') $(final_after '{"endpoint":"oauth","status":400,"body":"{\"error\":-14014,\"error_name\":\"Invalid refresh_token\"}"}')" \
	"false false false false false true"
expect_rc 0 "the token refused by those scripted answers still works by hand" "$DONDOC" zalo refresh

# --- two processes at once: the token used once -------------------------------------------
R3=$(current)
before=$(refreshes)
zalo_ctl fail '{"endpoint":"oauth","delay":2}'
"$DONDOC" zalo refresh >p1.out 2>p1.err &
p1=$!
"$DONDOC" zalo refresh >p2.out 2>p2.err &
p2=$!
wait $p1
rc1=$?
wait $p2
rc2=$?
expect_eq "both refreshes exit 0" "$rc1:$rc2" "0:0"
expect_eq "the token endpoint was called once" "$(($(refreshes) - before))" 1
expect_eq "the refresh token was presented once" "$(uses "$R3")" 1
if cat p1.out p2.out | grep -q "^Another process refreshed the Zalo token meanwhile (nothing sent)"; then
	pass "the second process says it took the other's token"
else
	fail "the second process says it took the other's token" "$(cat p1.out p2.out p1.err p2.err)"
fi
R4=$(current)
expect_rc 0 "the token both processes kept works" "$DONDOC" zalo refresh
expect_eq "the one stored token is the fake's current one" "$(uses "$R4")" 1

# --- kill -9 between the token answer and its commit --------------------------------------
R5=$(current)
before=$(refreshes)
DONDOC_TEST_CRASH=zalo-token-reply "$DONDOC" zalo refresh >out 2>err
expect_eq "the crash point kills the process (SIGKILL)" "$?" 137
expect_eq "Zalo had rotated the token before the kill" "$(($(refreshes) - before))" 1
expect_rc 0 "status after the kill: the old state" "$DONDOC" zalo status --json
expect_eq "status after the kill: no error, the old expiry" "$(json '[j["error"], j["refresh_token"]]')" '[null, true]'
expect_rc 0 "a refresh after the kill works (the dead process's lease is taken over)" "$DONDOC" zalo refresh
expect_eq "it presented the token the registry kept, the only one still valid" "$(uses "$R5")" 2
R6=$(current)
expect_rc 0 "and the grant lives on: the next refresh works too" "$DONDOC" zalo refresh
expect_eq "with the token stored after the kill" "$(uses "$R6")" 1

# --- the same kill -9 against a server that voids a spent token at once (--strict-refresh) ---
# Zalo may void the old refresh token the moment it answers (CHAT-APIS.md
# B6): then the pair lost with the process is the grant.  That cannot be
# saved, but it must be detected and reported: the next refresh is refused,
# recorded as final, and status and doctor tell the operator to run set-token.
zalo_ctl config '{"strict_refresh": true}'
R7=$(current)
before=$(refreshes)
DONDOC_TEST_CRASH=zalo-token-reply "$DONDOC" zalo refresh >out 2>err
expect_eq "strict: the crash point kills the process after Zalo rotated the token" \
	"$?:$(($(refreshes) - before))" "137:1"
expect_rc 1 "strict: the refresh after the kill is refused" "$DONDOC" zalo refresh
expect_grep "strict: it says Zalo refused the token it kept" err "the refresh failed: HTTP 200, no access_token in the answer: Invalid refresh_token.*\(error -14014\)"
expect_eq "strict: the kept token was presented twice (once before the kill), nothing rotated" \
	"$(uses "$R7"):$(($(refreshes) - before))" "2:1"
expect_rc 0 "strict: status after the loss" "$DONDOC" zalo status --json
expect_eq "strict: status records the refusal as final (no automatic retry)" \
	"$(json '[j["refresh_token"], j["error_final"], "Invalid refresh_token" in j["error"]]')" '[true, true, true]'
expect_rc 1 "strict: doctor fails" "$DONDOC" doctor
expect_grep "strict: doctor tells the operator to consent again and run set-token" out \
	"^FAIL zalo .*was refused .*the OA's admin must consent again, then run 'dondoc zalo set-token'"
zalo_ctl config '{"strict_refresh": false}'

# --- set-token again after a refusal ------------------------------------------------------
zalo_ctl token '{"refresh_token":"zalo-refresh-seed-1"}'
expect_rc 1 "a voided grant: refresh fails" "$DONDOC" zalo refresh
expect_rc 0 "set-token with the new consent's token" "$DONDOC" zalo set-token zalo-refresh-seed-1 --json
expect_eq "set-token --json" "$(json '[j["refresh_token"], j["access_token"]]')" '[true, false]'
expect_rc 0 "refresh with it" "$DONDOC" zalo refresh
expect_eq "the new grant's token was used once" "$(uses zalo-refresh-seed-1)" 1

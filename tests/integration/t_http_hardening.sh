# The HTTP server against slow and odd clients (issue 10, findings 4, 6
# and the HTTP ones of 10): /metrics scraped 2,000 times under valgrind
# leaks nothing; 300 slow clients from four addresses neither hold their
# connections past the request deadline nor keep /healthz from answering;
# the per-address limit, and a trusted proxy's X-Forwarded-For; /metrics
# for loopback only by default, or for a bearer token; routes matched on
# the path as sent (%00, %2F refused); two Content-Length headers and an
# unknown transfer coding refused at once; /healthz degraded (503) while
# the registry cannot be written.
. "$(dirname "$0")/../lib.sh"

TOKEN=7000000001:AAtesttoken_for_dondoc
SECRET=wh-secret_2025
locker=
trap 'kill $locker 2>/dev/null; at_exit' EXIT
fake_telegram_start "$TOKEN"
http_port

export DONDOC_NOW=2025-09-27T09:00
printf '%s\n' "$SECRET" >secret
base() { conf_general tick=1; }
base >plain.conf
export DONDOC_CONFIG="$T/plain.conf"
run "$DONDOC" init
task_an_linked 1001

start() { # CONF [WRAPPER...]: the daemon on $T/CONF, its log in CONF.log
	conf=$1
	shift
	"$@" "$DONDOC" --config "$T/$conf" serve >"$conf.log" 2>&1 &
	daemon=$!
	wait_http "$WEB/healthz"
}
{ base; printf '[http]\nlisten = 127.0.0.1:%s\n' "$HTTP"; } >http.conf

# --- finding 4: /metrics leaks about 80 bytes per request --------------------------------------------
scrapes() { # N: scrapes /metrics N times; prints how many were whole
	$PY - "$HTTP" "$1" <<'EOF'
import http.client, sys, time
port, n, good = int(sys.argv[1]), int(sys.argv[2]), 0
def scrape():
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        c.request("GET", "/metrics")
        r = c.getresponse()
        return r.status == 200 and b'dondoc_tasks{kind="task",category="not_started"} 1' in r.read()
    finally:
        c.close()
# A daemon under valgrind on a loaded machine may still be starting: the first scrape waits for it.
for _ in range(120):
    try:
        good += scrape()
        break
    except OSError:
        time.sleep(0.5)
for _ in range(n - 1):
    try:
        good += scrape()
    except OSError as e:
        print(e, file=sys.stderr)
print(good)
EOF
}
lost() { # KIND: bytes valgrind found KIND lost
	v=$(sed -n "s/.*$1 lost: \([0-9,]*\) bytes.*/\1/p" valgrind.log | tr -d ,)
	[ -z "$v" ] && grep -q "no leaks are possible" valgrind.log && v=0
	echo "${v:-?}"
}
vg_checks() { # N: N scrapes answered, and valgrind's log ($T/valgrind.log) finds nothing lost
	expect_eq "/metrics leaks about 80 bytes per request: $1 scrapes under valgrind answered" \
		"$(scrapes "$1")" "$1"
	daemon_stop
	expect_eq "/metrics leaks about 80 bytes per request: none definitely lost after $1 scrapes" \
		"$(lost definitely)" 0
	expect_eq "/metrics leaks about 80 bytes per request: none indirectly lost" "$(lost indirectly)" 0
	expect_grep "/metrics under valgrind: no memory error either" valgrind.log "ERROR SUMMARY: 0 errors"
}
if [ -x "$DONDOC.real" ]; then
	# make valgrind: $DONDOC is a script running memcheck itself (tests/valgrind.sh).
	start http.conf env DONDOC_VALGRIND_LOG="$T/valgrind.log"
	vg_checks 100
else
	case $(ldd "$DONDOC" 2>/dev/null) in
	*libtsan*)
		# ThreadSanitizer finds no leak (and valgrind cannot run it): the
		# scrapes race nothing; the plain build (valgrind) and the ASan one
		# (LeakSanitizer) of the same make check look for the leak.
		start http.conf
		expect_eq "/metrics scraped 300 times under ThreadSanitizer: all answered" "$(scrapes 300)" 300
		daemon_stop ;;
	*libasan*)
		# LeakSanitizer reports at exit: the daemon then exits non-zero.
		start http.conf
		expect_eq "/metrics leaks about 80 bytes per request: 300 scrapes answered" "$(scrapes 300)" 300
		daemon_stop
		st=$?
		# (tests/check.sh sends the reports to files of its own, and fails on any.)
		expect_eq "/metrics leaks about 80 bytes per request: LeakSanitizer finds nothing (exit 0)" \
			"$st $(grep -c LeakSanitizer http.conf.log)" "0 0" ;;
	*)
		if command -v valgrind >/dev/null; then
			start http.conf valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect \
				--log-file="$T/valgrind.log"
			vg_checks 2000
		else
			skip "/metrics leaks about 80 bytes per request" "valgrind is not installed (make deps)"
		fi ;;
	esac
fi

# --- finding 6: slow clients shut the server out ------------------------------------------------------
start http.conf
$PY "$TOP/tests/slow_clients.py" --port "$HTTP" --count 300 \
	--sources 127.0.0.1,127.0.0.2,127.0.0.3,127.0.0.4 --probes 127.0.0.5,127.0.0.1 --interval 2 \
	--probe-until 8 --max 30 >out
ontime() { # SOURCE: whether /healthz from SOURCE answered 200 within 1 s, each second for 8 s
	json "(lambda v: len(v) >= 6 and all(v))([p[2] == 200 and p[3] < 1 for p in j['probes'] if p[0] == '$1'])"
}
expect_eq "slow clients shut the server out: 300 slow connections from four addresses, /healthz from a fifth answers 200 within 1 s, each second" \
	"$(ontime 127.0.0.5)" true
expect_eq "slow clients shut the server out: ... and from 127.0.0.1, one of the four" "$(ontime 127.0.0.1)" true
expect_eq "slow clients shut the server out: a header line every 2 s holds a connection 12 s at most (10 s deadline)" \
	"$(json 'j["max_life"] <= 12 and j["open"] == 0')" "true"
curl -s "$WEB/metrics" >metrics.txt
expect_grep "slow clients shut the server out: /metrics counts the connections cut at the deadline" \
	metrics.txt '^dondoc_http_connections_cut_total\{reason="deadline"\} [0-9]{3}$'
daemon_stop

# --- the per-address limit, and X-Forwarded-For from a trusted proxy only ---------------------------------
{ base; printf '[http]\nlisten = 127.0.0.1:%s\ntrusted_proxy = 127.0.0.9, ::1\n' "$HTTP"; } >proxy.conf
start proxy.conf
held() { # SOURCE: of 80 connections from SOURCE that send nothing, how many are open after 2 s
	$PY "$TOP/tests/slow_clients.py" --port "$HTTP" --count 80 --sources "$1" --probes "" \
		--probe-until 0 --max 2 >out
	json 'j["open"]'
}
expect_eq "per-address limit: a client keeps 64 connections at most" "$(held 127.0.0.2)" 64
expect_eq "per-address limit: a trusted proxy, the address of every client behind it, is not held to it" \
	"$(held 127.0.0.9)" 80
metrics() { curl -s -o /dev/null -w '%{http_code}' "$@" "$WEB/metrics"; }
expect_eq "/metrics from this machine: 200" "$(metrics)" 200
expect_eq "X-Forwarded-For from the trusted proxy: a client elsewhere is refused /metrics (403)" \
	"$(metrics --interface 127.0.0.9 -H 'X-Forwarded-For: 203.0.113.7')" 403
expect_eq "X-Forwarded-For from the trusted proxy: a client on this machine gets /metrics" \
	"$(metrics --interface 127.0.0.9 -H 'X-Forwarded-For: 127.0.0.1')" 200
expect_eq "X-Forwarded-For: what the client wrote itself is not believed, only what the proxy added" \
	"$(metrics --interface 127.0.0.9 -H 'X-Forwarded-For: 127.0.0.1, 203.0.113.7')" 403
expect_eq "X-Forwarded-For from a peer that is not a trusted proxy: not believed, and a forwarded request is not loopback (403)" \
	"$(metrics --interface 127.0.0.2 -H 'X-Forwarded-For: 127.0.0.1')" 403
daemon_stop

# --- /metrics for a bearer token --------------------------------------------------------------------------
printf 'm3trics-t0ken\n' >mtoken
{ base; printf '[http]\nlisten = 127.0.0.1:%s\nmetrics_token_file = mtoken\n' "$HTTP"; } >token.conf
export CREDENTIALS_DIRECTORY="$T"
start token.conf
unset CREDENTIALS_DIRECTORY
expect_eq "/metrics with a token configured: none given, 401" "$(metrics)" 401
curl -s -D headers.txt -o /dev/null "$WEB/metrics"
expect_grep "/metrics: 401 says how to authenticate" headers.txt '^WWW-Authenticate: Bearer'
expect_eq "/metrics: a wrong token, 401" "$(metrics -H 'Authorization: Bearer m3trics-t0keN')" 401
expect_eq "/metrics: a token one byte short, 401" "$(metrics -H 'Authorization: Bearer m3trics-t0ke')" 401
curl -s -H 'Authorization: Bearer m3trics-t0ken' "$WEB/metrics" >metrics.txt
expect_grep "/metrics: the token (a systemd credential), 200" metrics.txt '^dondoc_tasks\{kind="task",category="not_started"\} 1$'
# Reloaded (SIGHUP) with metrics = open and a trusted proxy.
{ base; printf '[http]\nlisten = 127.0.0.1:%s\nmetrics = open\ntrusted_proxy = 127.0.0.9\n' "$HTTP"; } >token.conf
kill -HUP $daemon
wait_log token.conf.log reloaded 10
expect_eq "/metrics = open, on reload: served to a client elsewhere, without a token" \
	"$(metrics --interface 127.0.0.9 -H 'X-Forwarded-For: 203.0.113.7')" 200
daemon_stop
{ base; printf '[http]\nmetrics = token\n'; } >bad.conf
expect_rc 78 "[http] metrics = token without metrics_token_file: refused at start" \
	timeout 20 "$DONDOC" --config "$T/bad.conf" serve
expect_grep "(it says so)" err "metrics is token but metrics_token_file is not set"
{ base; printf '[http]\ntrusted_proxy = proxy.example.vn\n'; } >bad.conf
expect_rc 78 "[http] trusted_proxy that is not an address: refused at start" \
	timeout 20 "$DONDOC" --config "$T/bad.conf" serve
expect_grep "(it says so, with the line)" err "bad.conf:[0-9]+: bad trusted_proxy 'proxy.example.vn': expected numeric IP addresses"

# --- finding 10: the path as sent, lengths and codings ------------------------------------------------------
{ base; conf_webhook; } >wh.conf
start wh.conf
raw() { # REQUEST (printf format): sends it on a raw socket; prints the status and whether it came within 2 s
	$PY - "$HTTP" "$1" <<'EOF'
import socket, sys, time
port, req = int(sys.argv[1]), sys.argv[2].encode().decode("unicode_escape").encode("latin-1")
s = socket.create_connection(("127.0.0.1", port), timeout=5)
t = time.monotonic()
s.sendall(req)
data = b""
try:
    while b"\r\n\r\n" not in data:
        k = s.recv(4096)
        if not k:
            break
        data += k
except OSError:
    pass
status = data.split(b" ", 2)[1].decode() if data.startswith(b"HTTP/1.") else "none"
print(status, "fast" if time.monotonic() - t < 2 else "slow")
EOF
}
updates() { sqlite3 "$DONDOC_DB" "SELECT count(*) FROM chat_update"; }
UPD='{"update_id": 900000101, "message": {"message_id": 78, "date": 1759000000, "from": {"id": 1001, "is_bot": false, "first_name": "An"}, "chat": {"id": 1001, "type": "private", "first_name": "An"}, "text": "/tiendo 1 40%"}}'
LEN=$(printf '%s' "$UPD" | wc -c)
H="Host: dondoc\\r\\nX-Telegram-Bot-Api-Secret-Token: $SECRET\\r\\nContent-Type: application/json"
before=$(updates)
expect_eq "/healthz%00x is served: now 400" "$(raw 'GET /healthz%00x HTTP/1.1\r\nHost: dondoc\r\n\r\n')" "400 fast"
expect_eq "/healthz with a raw NUL in the path: 400" "$(raw 'GET /healthz\x00x HTTP/1.1\r\nHost: dondoc\r\n\r\n')" "400 fast"
expect_eq "POST /telegram%2Fwebhook is handled: now 400" \
	"$(raw "POST /telegram%2Fwebhook HTTP/1.1\\r\\n$H\\r\\nContent-Length: $LEN\\r\\n\\r\\n$UPD")" "400 fast"
expect_eq "POST /telegram%2fwebhook (lower case): 400" \
	"$(raw "POST /telegram%2fwebhook HTTP/1.1\\r\\n$H\\r\\nContent-Length: $LEN\\r\\n\\r\\n$UPD")" "400 fast"
expect_eq "POST /telegram%2Fwebhook: the update was not handled" "$(updates)" "$before"
expect_eq "two conflicting Content-Length headers: 400 at once" \
	"$(raw "POST /telegram/webhook HTTP/1.1\\r\\n$H\\r\\nContent-Length: $LEN\\r\\nContent-Length: 4000\\r\\n\\r\\n$UPD")" "400 fast"
expect_eq "Transfer-Encoding: gzip, chunked hangs until the timeout: now 501 at once" \
	"$(raw "POST /telegram/webhook HTTP/1.1\\r\\n$H\\r\\nTransfer-Encoding: gzip, chunked\\r\\n\\r\\n5\\r\\nabcde\\r\\n0\\r\\n\\r\\n")" "501 fast"
expect_eq "Transfer-Encoding and Content-Length both: 400 at once" \
	"$(raw "POST /telegram/webhook HTTP/1.1\\r\\n$H\\r\\nTransfer-Encoding: chunked\\r\\nContent-Length: $LEN\\r\\n\\r\\n0\\r\\n\\r\\n")" "400 fast"
expect_eq "none of them changed anything" "$(updates)" "$before"
CHUNK=$(printf '%x' "$LEN")
expect_eq "the same update, chunked, on the path as it is: handled (200)" \
	"$(raw "POST /telegram/webhook HTTP/1.1\\r\\n$H\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\n$CHUNK\\r\\n$UPD\\r\\n0\\r\\n\\r\\n")" "200 fast"
expect_eq "(and recorded once)" "$(updates)" "$((before + 1))"
daemon_stop

# --- finding 10: /healthz says ok while the registry cannot be written ----------------------------------------
start http.conf
expect_eq "/healthz while the registry can be written: 200 ok" "$(curl -s -w ' %{http_code}' "$WEB/healthz")" "ok
 200"
# Another process takes the registry's write lock, and keeps it until told.
$PY - "$DONDOC_DB" "$T" <<'EOF' &
import os, sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
c.execute("BEGIN EXCLUSIVE")
open(os.path.join(sys.argv[2], "locked"), "w").close()
while not os.path.exists(os.path.join(sys.argv[2], "unlock")):
    time.sleep(0.05)
c.execute("ROLLBACK")
EOF
locker=$!
wait_until 10 test -e locked
expect_eq "/healthz says ok while the registry cannot be written: now 503 degraded" \
	"$(curl -s -m 10 -w ' %{http_code}' "$WEB/healthz")" "degraded: registry not writable: database is locked
 503"
touch unlock
wait $locker
locker=
i=0
while [ "$(curl -s -o /dev/null -w '%{http_code}' "$WEB/healthz")" != 200 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
expect_eq "/healthz: ok again once the lock is gone" "$(curl -s -w ' %{http_code}' "$WEB/healthz")" "ok
 200"
daemon_stop
expect_grep "the daemon logs the registry not writable, once" http.conf.log "/healthz: degraded: registry not writable: database is locked"
exit 0

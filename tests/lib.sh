# Shared helpers of the integration tests (sourced, POSIX sh).
#
# Each tests/integration/t_*.sh sources this file, runs the real dondoc
# binary ($DONDOC) in a fresh temporary directory, and records one line
# per check in $RESULTS: "PASS name", "FAIL name" or "SKIP name".
# tests/check.sh runs every script and counts the lines.
#
#   run CMD...                 runs CMD; stdout in out, stderr in err, status in $rc
#   expect_rc N NAME CMD...    passes when CMD exits with N
#   expect_eq NAME GOT WANT    passes when the strings are equal
#   expect_grep NAME FILE RE   passes when FILE has a line matching RE (grep -E)
#   expect_no_grep NAME FILE RE
#   expect_log NAME FILE RE [SECONDS]  passes when such a line comes within SECONDS (20)
#   json EXPR                  evaluates a Python expression over the JSON in
#                              out (bound to j) and prints the result
#   skip NAME WHY
#
# Below them, what many scripts set up the same way: a configuration's
# sections (conf_*), the daemon (daemon_start, daemon_stop), waiting for
# something to happen (wait_until, wait_log, wait_http), the fake Bot API
# server (fake_telegram_start, ctl, sent, calls), the fake Zalo server
# (fake_zalo_start, zalo_ctl, zalo_sent, zalo_post), tests/smtpd.py (smtpd_*),
# task sheets and people, and another process holding the registry.

set -u
TOP=$(cd "$(dirname "$0")/../.." && pwd)
DONDOC=${DONDOC:-$TOP/bot/dondoc}
case $DONDOC in /*) ;; *) DONDOC=$TOP/$DONDOC ;; esac
# The binary that builds large registries a test only sets up (thousands of
# 'person add'): the plain build when it exists, so that a sanitizer build
# spends its time on what the test is about.  Same schema, same registry.
SETUP_DONDOC=$DONDOC
[ -x "$TOP/bot/dondoc" ] && SETUP_DONDOC=$TOP/bot/dondoc
RESULTS=${RESULTS:-/dev/null}
# make valgrind runs every dondoc process under memcheck (tests/valgrind.sh),
# 20 to 50 times slower: the waits below last DONDOC_SLOW times longer.
SLOW=${DONDOC_SLOW:-1}
PY=/usr/bin/python3
SCRIPT=$(basename "$0" .sh)

# ../shared, when it is there (tests that need it skip otherwise).
SHARED=${DONDOC_SHARED:-$TOP/../shared}
[ -d "$SHARED" ] || SHARED=""
FIXTURES=${SHARED:+$SHARED/fixtures}

T=$(mktemp -d "${TMPDIR:-/tmp}/dondoc-test.XXXXXX")
# At exit, the background processes the helpers below started are killed:
# the daemon ($daemon), the fake Bot API server ($fake), the fake Zalo
# server ($fakez), tests/smtpd.py ($smtpd) and a registry holder ($holder);
# a script that starts others sets its own trap, ending with at_exit.  $T is
# removed, unless KEEP is set.
daemon= fake= fakez= smtpd= holder=
at_exit() {
	kill $fake $fakez $daemon $smtpd $holder 2>/dev/null
	[ -n "${KEEP:-}" ] || { chmod -R u+w "$T" 2>/dev/null; rm -rf "$T"; }
}
trap at_exit EXIT
cd "$T" || exit 1
# The registry: a file in $T, or, when $DONDOC_TEST_PG names a PostgreSQL
# server (tests/check.sh's), a database of the script's own there.
if [ -n "${DONDOC_TEST_PG:-}" ]; then
	REGISTRY=$DONDOC_TEST_PG/t_$(printf %s "$T" | md5sum | cut -c1-16)
	if ! "${PG_BIN:-/usr/lib/postgresql/15/bin}/psql" -qX "$DONDOC_TEST_PG/postgres" \
		-c "CREATE DATABASE ${REGISTRY##*/}" >/dev/null 2>"$T/createdb.err"; then
		echo "Bail out! no database on PostgreSQL: $(cat "$T/createdb.err")"
		exit 1
	fi
else
	REGISTRY=$T/dondoc.db
fi
export DONDOC_DB="$REGISTRY"
export DONDOC_ACTOR=tester
unset DONDOC_NOW DONDOC_CONFIG

pass() { echo "PASS $SCRIPT: $1" >>"$RESULTS"; echo "ok - $SCRIPT: $1"; }
fail() {
	echo "FAIL $SCRIPT: $1" >>"$RESULTS"
	echo "not ok - $SCRIPT: $1"
	[ -n "${2:-}" ] && printf '%s\n' "$2" | sed 's/^/#   /'
	return 0
}
skip() { echo "SKIP $SCRIPT: $1 ($2)" >>"$RESULTS"; echo "ok - $SCRIPT: $1 # SKIP $2"; }

run() {
	"$@" >out 2>err
	rc=$?
}

expect_rc() {
	want=$1 name=$2
	shift 2
	run "$@"
	if [ "$rc" = "$want" ]; then
		pass "$name"
	else
		fail "$name" "exit $rc, wanted $want; stderr: $(head -c 600 err)"
	fi
}

expect_eq() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "got '$2', wanted '$3'"
	fi
}

expect_grep() {
	if grep -Eq -- "$3" "$2"; then
		pass "$1"
	else
		fail "$1" "no line of $2 matches '$3'; it holds: $(head -c 600 "$2")"
	fi
}

expect_no_grep() {
	if grep -Eq -- "$3" "$2"; then
		fail "$1" "a line of $2 matches '$3': $(grep -E -- "$3" "$2" | head -3)"
	else
		pass "$1"
	fi
}

# expect_log NAME FILE RE [SECONDS]: passes when a line matching RE
# (grep -E) comes to FILE within SECONDS (20); else fails showing FILE.
expect_log() {
	if wait_log "$2" "$3" "${4:-20}"; then
		pass "$1"
	else
		fail "$1" "$(cat "$2" 2>/dev/null)"
	fi
}

json() {
	$PY -c 'import json,sys; j=json.load(open("out")); r=eval(sys.argv[1]); print(json.dumps(r, ensure_ascii=False) if not isinstance(r, str) else r)' "$1"
}

# A TCP port free on loopback now.
free_port() {
	$PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# --- waiting -------------------------------------------------------------------------------------

# wait_until SECONDS CMD...: runs CMD (its output discarded) every 0.05 s
# until it succeeds; 1 when SECONDS passed first.  Waits on what happens,
# never on the clock alone.
wait_until() {
	_wu=$(($1 * 20 * SLOW))
	shift
	while ! "$@" >/dev/null 2>&1; do
		_wu=$((_wu - 1))
		[ $_wu -gt 0 ] || return 1
		sleep 0.05
	done
}

# wait_log FILE RE [SECONDS]: until FILE has a line matching RE (grep -E),
# 20 s at most; 1 when none came.
wait_log() { wait_until "${3:-20}" grep -Eq -- "$2" "$1"; }

# wait_http URL: until a server answers URL, whatever the status, 20 s at most.
wait_http() { wait_until 20 curl -s -o /dev/null "$1"; }

# copy_dondoc DIR: copies $DONDOC into DIR, and under make valgrind the
# binary its script runs ($DONDOC.real, found beside the copy).
copy_dondoc() {
	cp "$DONDOC" "$1/dondoc" || return 1
	[ ! -e "$DONDOC.real" ] || cp "$DONDOC.real" "$1/dondoc.real"
}

# --- configuration -------------------------------------------------------------------------------

# conf_general [KEY=VALUE...]: prints a configuration's [general] section:
# the registry and the outbox in $T, the repository's schedules and
# templates; each KEY=VALUE given replaces that key's value, or is added
# after them (tick=1).
conf_general() {
	printf '[general]\n'
	for _cg in "db=$REGISTRY" "outbox_dir=$T/outbox" "schedules=$TOP/schedules" "templates=$TOP/templates"; do
		for _cga in "$@"; do
			[ "${_cga%%=*}" = "${_cg%%=*}" ] && _cg=$_cga
		done
		printf '%s = %s\n' "${_cg%%=*}" "${_cg#*=}"
	done
	for _cga in "$@"; do
		case ${_cga%%=*} in
		db | outbox_dir | schedules | templates) ;;
		*) printf '%s = %s\n' "${_cga%%=*}" "${_cga#*=}" ;;
		esac
	done
}

# conf_telegram [webhook]: prints a [telegram] section for the fake Bot API
# server ($API, the token in $T/token): long polls of 1 s, or with
# "webhook", webhook mode with its secret in $T/secret.
conf_telegram() {
	printf '[telegram]\ntoken_file = %s/token\napi_base = %s\n' "$T" "$API"
	if [ "${1:-}" = webhook ]; then
		printf 'mode = webhook\nwebhook_secret_file = %s/secret\nbot_username = dondoc_test_bot\n' "$T"
	else
		printf 'bot_username = dondoc_test_bot\ntimeout = 1\n'
	fi
}

# http_port: a free port for the daemon's HTTP server in $HTTP, its URL in $WEB.
http_port() {
	HTTP=$(free_port)
	WEB=http://127.0.0.1:$HTTP
}

# conf_webhook: prints the [http] section of a server on $HTTP, public at
# $WEB/ (http_port), and a [telegram] section in webhook mode.
conf_webhook() {
	printf '[http]\nlisten = 127.0.0.1:%s\npublic_url = %s/\n' "$HTTP" "$WEB"
	conf_telegram webhook
}

# --- the daemon ----------------------------------------------------------------------------------

# daemon_start [NAME=VALUE...]: starts "$DONDOC serve" in the background,
# NAME=VALUE in its environment (DONDOC_NOW, DONDOC_CONFIG), its output
# appended to serve.log; its pid in $daemon.
daemon_start() {
	env "$@" "$DONDOC" serve >>serve.log 2>&1 &
	daemon=$!
}

# daemon_stop: stops the daemon of $daemon, if one runs, with SIGTERM and
# waits for it; returns its exit status.
daemon_stop() {
	[ -n "$daemon" ] || return 0
	kill -TERM $daemon 2>/dev/null
	wait $daemon 2>/dev/null
	_ds=$?
	# tests/check.sh sends sanitizer reports to files (CHECK_SAN_LOGS): the
	# daemon's goes to serve.log too, where the scripts look for it.
	[ -z "${CHECK_SAN_LOGS:-}" ] || [ ! -f "$CHECK_SAN_LOGS/asan.$daemon" ] ||
		cat "$CHECK_SAN_LOGS/asan.$daemon" >>serve.log
	daemon=
	return $_ds
}

# --- the fake Bot API server ---------------------------------------------------------------------

# Starts the fake Bot API server (tests/fake_telegram.py) for token $1, and
# writes the token to $T/token (conf_telegram): its pid in $fake, its base
# URL in $API.
fake_telegram_start() {
	$PY "$TOP/tests/fake_telegram.py" --port 0 --token "$1" --ready-file "$T/port" \
		--webhook-max-delay 1 >fake.log 2>&1 &
	fake=$!
	printf '%s\n' "$1" >"$T/token"
	wait_until 10 test -s "$T/port"
	API=http://127.0.0.1:$(cat "$T/port")
}

# ctl PATH JSON: a control call to the fake server; its answer in ctl.json.
ctl() { curl -s -X POST -H 'Content-Type: application/json' -d "$2" "$API/control/$1" >ctl.json; }

# sent N: waits (20 s at most) for N messages sent (or edited) in all; them in out.
sent() { curl -s "$API/control/sent?count=$1&timeout=$((20 * SLOW))" >out; }

# calls METHOD [N]: the Bot API calls of METHOD, into out; with N, once
# there are N of them (20 s at most).
calls() { curl -s "$API/control/calls?method=$1${2:+&count=$2&timeout=$((20 * SLOW))}" >out; }

# fake_webhook_set: whether the fake server has a webhook URL set (setWebhook).
fake_webhook_set() { curl -s "$API/control/state" | grep -q '"url": *"http'; }

# --- the fake Zalo server ------------------------------------------------------------------------

# The Zalo app and OA of the fake (those of ../shared/refdata/zalo), and the
# refresh token fake_zalo_start seeds.
ZALO_APP_ID=2553928453557884079
ZALO_OA_ID=3662729599332560487
ZALO_SECRET=TESTAPPSECRETKEY
ZALO_OA_SECRET=TESTOASECRETKEY123
ZALO_R0=zalo-refresh-seed-0

# fake_zalo_start [ARGS...]: starts tests/fake_zalo.py (OA API, OAuth, ZNS on
# one port) with ARGS (--strict-refresh, --zns-quota N, ...), its app secret
# in $T/zalo_secret and the OA secret in $T/zalo_oa_secret (conf_zalo), the
# refresh token $ZALO_R0 valid; its pid in $fakez, its base URL in $ZAPI.
fake_zalo_start() {
	[ -n "$fakez" ] && kill "$fakez" 2>/dev/null && wait "$fakez" 2>/dev/null
	rm -f "$T/zport"
	printf '%s\n' "$ZALO_SECRET" >"$T/zalo_secret"
	printf '%s\n' "$ZALO_OA_SECRET" >"$T/zalo_oa_secret"
	$PY "$TOP/tests/fake_zalo.py" --port 0 --ready-file "$T/zport" --app-id "$ZALO_APP_ID" \
		--secret-key "$ZALO_SECRET" --oa-id "$ZALO_OA_ID" --refresh-token "$ZALO_R0" "$@" \
		>>fakez.log 2>&1 &
	fakez=$!
	wait_until 10 test -s "$T/zport"
	ZAPI=http://127.0.0.1:$(cat "$T/zport")
}

# conf_zalo [KEY=VALUE...]: prints a [zalo] section for the fake Zalo server
# ($ZAPI): api_base, oauth_base and zns_base all on it, the secrets that
# fake_zalo_start wrote, ZNS template 412345; each KEY=VALUE replaces that
# key's value ("zns_template_id=" leaves ZNS off), or is added after them.
conf_zalo() {
	printf '[zalo]\n'
	for _cz in "app_id=$ZALO_APP_ID" "secret_key_file=$T/zalo_secret" \
		"oa_secret_key_file=$T/zalo_oa_secret" "api_base=$ZAPI" "oauth_base=$ZAPI" \
		"zns_base=$ZAPI" "zns_template_id=412345"; do
		for _cza in "$@"; do
			[ "${_cza%%=*}" = "${_cz%%=*}" ] && _cz=$_cza
		done
		[ -n "${_cz#*=}" ] && printf '%s = %s\n' "${_cz%%=*}" "${_cz#*=}"
	done
	for _cza in "$@"; do
		case ${_cza%%=*} in
		app_id | secret_key_file | oa_secret_key_file | api_base | oauth_base | zns_base | zns_template_id) ;;
		*) printf '%s = %s\n' "${_cza%%=*}" "${_cza#*=}" ;;
		esac
	done
}

# zalo_ctl PATH [JSON]: a control call to the fake Zalo server, GET for
# the queries (tokens, state, sent, zns_sent, calls), POST (JSON or {})
# for the others; its answer in zctl.json.
zalo_ctl() {
	case $1 in
	tokens* | state* | sent* | zns_sent* | calls*) curl -s "$ZAPI/control/$1" >zctl.json ;;
	*)
		_zc=${2:-}
		[ -n "$_zc" ] || _zc='{}'
		curl -s -H 'Content-Type: application/json' --data-binary "$_zc" "$ZAPI/control/$1" >zctl.json
		;;
	esac
}

# zalo_sent N: waits (20 s at most) for N consultation messages sent in all;
# them in out.  zalo_zns_sent N: the same for ZNS sends.
zalo_sent() { curl -s "$ZAPI/control/sent?count=$1&timeout=$((20 * SLOW))" >out; }
zalo_zns_sent() { curl -s "$ZAPI/control/zns_sent?count=$1&timeout=$((20 * SLOW))" >out; }

# zalo_calls ENDPOINT [N]: the API calls to ENDPOINT (cs, getoa, oauth, zns)
# into out; with N, once N of them are answered (20 s at most).
zalo_calls() { curl -s "$ZAPI/control/calls?endpoint=$1${2:+&count=$2&timeout=$((20 * SLOW))}" >out; }

# zalo_tokens: the fake's token table (/control/tokens) in out; e.g.
# json 'j["uses"]["'$ZALO_R0'"]' is how often the seed was presented.
zalo_tokens() { curl -s "$ZAPI/control/tokens" >out; }

# zalo_post ARGS...: tests/zalo_post.py to the daemon's $WEB/zalo/webhook,
# signed with $ZALO_OA_SECRET: e.g. zalo_post text USER "/xong 3",
# zalo_post --bad-signature follow USER.  The HTTP status in $zstatus,
# the answer's body in zpost.out.
zalo_post() {
	$PY "$TOP/tests/zalo_post.py" --app-id "$ZALO_APP_ID" --oa-id "$ZALO_OA_ID" \
		--oa-secret "$ZALO_OA_SECRET" "$WEB/zalo/webhook" "$@" >zpost.out 2>&1
	zstatus=$(head -n 1 zpost.out)
	sed -i 1d zpost.out
}

# --- tests/smtpd.py ------------------------------------------------------------------------------

# smtpd_prepare NAME: when python3-aiosmtpd is missing, skips NAME and ends
# the script; else a certificate for localhost (cert.pem, key.pem), a free
# port in $PORT, and mail/, where the server writes what it receives.
smtpd_prepare() {
	if ! $PY -c 'import aiosmtpd' 2>/dev/null; then
		skip "$1" "python3-aiosmtpd is not installed (make deps)"
		exit 0
	fi
	openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 2 \
		-subj "/CN=localhost" -addext "subjectAltName=DNS:localhost" >/dev/null 2>&1
	PORT=$(free_port)
	mkdir -p mail
}

# smtpd_start [--no-starttls] ARG...: (re)starts tests/smtpd.py on $PORT,
# offering STARTTLS with cert.pem unless told not to, with ARG...; its pid
# in $smtpd; returns once it is ready (10 s at most).
smtpd_start() {
	smtpd_stop
	_tls="--cert cert.pem --key key.pem"
	[ "${1:-}" = --no-starttls ] && { _tls=; shift; }
	rm -f mail/ready
	$PY "$TOP/tests/smtpd.py" "$T/mail" "$PORT" $_tls "$@" >>smtpd.log 2>&1 &
	smtpd=$!
	wait_until 10 test -e mail/ready
}

# smtpd_stop: stops the server of $smtpd, if one runs.
smtpd_stop() {
	[ -n "$smtpd" ] && kill "$smtpd" 2>/dev/null && wait "$smtpd" 2>/dev/null
	smtpd=
}

# --- the registry --------------------------------------------------------------------------------

# The task sheet's header row (a printf format), and a document that assigns tasks.
HDR='STT\tNhiệm vụ\tVăn bản giao nhiệm vụ\tCơ quan chủ trì thực hiện\tThời hạn hoàn thành\n'
DOC='Kế hoạch số 7-KH/BCĐ ngày 2/1/2025'

# tasks_tsv N DUE: prints a task sheet of N tasks "Nhiệm vụ thử số I", each
# led by an agency of its own, "Đơn vị thử số I", all due DUE (d/m/yyyy).
tasks_tsv() {
	printf "$HDR"
	_tt=1
	while [ $_tt -le "$1" ]; do
		printf '%d.\tNhiệm vụ thử số %d\tKế hoạch số 9-KH/BCĐ ngày 2/1/2025\tĐơn vị thử số %d\t%s\n' \
			$_tt $_tt $_tt "$2"
		_tt=$((_tt + 1))
	done
}

# on_pg: whether the registry is on PostgreSQL (the scripts tests/check.sh runs there).
on_pg() { case $DONDOC_DB in postgresql://*) return 0 ;; esac; return 1; }

# sql SQL: runs SQL on the registry (either backend); prints what it selects.
sql() {
	if on_pg; then
		"${PG_BIN:-/usr/lib/postgresql/15/bin}/psql" -qtAX "$DONDOC_DB" -c "$1"
	else
		sqlite3 "$DONDOC_DB" "$1"
	fi
}

# broken CHANNEL ID|=ADDRESS: 1 when the address on CHANNEL of person ID
# (or of whoever has ADDRESS there) is refused for good, as "person list
# --json" shows it (broken_since), 0 when it works, "none" when there is none.
broken() {
	"$DONDOC" person list --json | $PY -c 'import json, sys
ch, who = sys.argv[1], sys.argv[2]
for p in json.load(sys.stdin):
    a = p["addresses"].get(ch)
    if (who.startswith("=") and a and a["address"] == who[1:]) or str(p["id"]) == who:
        print("none" if not a else 1 if a["broken_since"] else 0)
        break
else:
    print("none")' "$1" "$2"
}

# focal_points [WHERE]: a focal point "Cán bộ ID" in each agency (ID its
# id), or in those matching the SQL condition WHERE, written straight into
# the registry: quicker than "person add", but the history does not hold them.
focal_points() {
	sql "INSERT INTO person(name, agency_id, role, lang, active, created_at)
		SELECT 'Cán bộ ' || id, id, 'focal', 'vi', 1, 0 FROM agency${1:+ WHERE $1}"
}

# task_an_linked CHAT: one task of Sở Y tế ("Báo cáo chuyển đổi số", due
# 30/9/2025) and its focal point Nguyễn Văn An, through the CLI, whose
# Telegram chat CHAT links itself with An's invite code (a check:
# "link An's chat").
task_an_linked() {
	printf "$HDR"'1.\tBáo cáo chuyển đổi số\t%s\tSở Y tế\t30/9/2025\n' "$DOC" >t.tsv
	run "$DONDOC" import t.tsv
	run "$DONDOC" person add --name "Nguyễn Văn An" --agency syt --role focal
	_code=$("$DONDOC" person invite 1 | sed -n 's/^Mã liên kết: \([A-Z0-9]*\).*/\1/p')
	expect_rc 0 "link An's chat" "$DONDOC" chat --telegram "$1" "/start $_code"
}

# focal_an CHAT: Nguyễn Văn An, focal point of agency 1, linked to the
# Telegram chat CHAT, written straight into the registry (no event).
focal_an() {
	sql "INSERT INTO person(name, agency_id, role, lang, active, created_at)
		VALUES ('Nguyễn Văn An', 1, 'focal', 'vi', 1, 0);
		INSERT INTO address(person_id, channel, value) VALUES (last_insert_rowid(), 'telegram', '$1')"
}

# hold_registry SECONDS: another process takes the registry's write lock for
# SECONDS; returns once it holds it, its pid in $holder (wait for it).
hold_registry() {
	rm -f "$DONDOC_DB.held"
	$PY - "$DONDOC_DB" "$1" <<'PY' &
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN EXCLUSIVE")
open(sys.argv[1] + ".held", "w").close()
time.sleep(float(sys.argv[2]))
c.execute("ROLLBACK")
PY
	holder=$!
	wait_until 10 test -e "$DONDOC_DB.held"
}

# The registry's checksum, to prove a failed command changed nothing.
db_sum() {
	sqlite3 "$DONDOC_DB" "SELECT count(*) FROM task; SELECT count(*) FROM agency;
		SELECT count(*) FROM event; SELECT group_concat(id||status||progress||ifnull(due,'')) FROM task;" | md5sum | cut -c1-32
}

# promtool_check NAME FILE: passes when Prometheus' own checker (promtool,
# of the prometheus package) takes FILE as exposition text, lint included.
promtool_check() {
	if promtool check metrics <"$2" >promtool.out 2>&1; then
		pass "$1"
	else
		fail "$1" "$(head -c 600 promtool.out)"
	fi
}

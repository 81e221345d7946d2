# The calendar feeds served (issue 15, feedweb.h): GET and HEAD
# /ical/<token>.ics with curl against the daemon: the type, inline and
# never compressed, whatever Accept says; ETag, If-None-Match (a list,
# W/, *, a huge one), Last-Modified; a change made by the CLI while the
# daemon runs gives a new ETag within a second or two, so does an event
# leaving the feed; revoked and unknown tokens and paths that cannot be a
# feed are 404 (or the server's own 400); the limits per token and per
# client address (429 with Retry-After); the fetch log that "feed list"
# shows; libical mapped only once a feed was asked for.
. "$(dirname "$0")/../lib.sh"

export DONDOC_NOW=2025-09-27T09:00
http_port
UA="dondoc-test-calendar/1.0"
# conf RATE_TOKEN RATE_IP: the configuration, served on $WEB; loopback is
# a trusted proxy, so that X-Forwarded-For makes other clients.
conf() {
	conf_general tick=1
	printf '[http]\nlisten = 127.0.0.1:%s\npublic_url = %s/\ntrusted_proxy = 127.0.0.1\n' \
		"$HTTP" "$WEB"
	printf '[feeds]\nrate_token = %s\nrate_ip = %s\n' "$1" "$2"
}
conf 1000 1000 >feeds.conf
export DONDOC_CONFIG="$T/feeds.conf"
run "$DONDOC" init
printf "$HDR"'1.\tBáo cáo chuyển đổi số\t%s\tSở Y tế\t30/9/2025\n2.\tKế hoạch y tế cơ sở\t%s\tSở Y tế\t15/10/2025\n3.\tRà soát ngân sách\t%s\tSở Tài chính\t20/10/2025\n' \
	"$DOC" "$DOC" "$DOC" >t.tsv
run "$DONDOC" import t.tsv
run "$DONDOC" person add --name "Nguyễn Văn An" --agency syt --role focal

# feed_create ARGS...: "feed create ARGS --json"; the feed's id in $FID, its URL in $URL.
feed_create() {
	run "$DONDOC" feed create "$@" --json
	FID=$(json 'j["id"]')
	URL=$(json 'j["url"]')
}
feed_create --agency syt
AGENCY=$URL AGENCY_ID=$FID
expect_eq "feed create prints a URL under public_url" \
	"$(printf '%s' "$AGENCY" | sed -n 's|^'"$WEB"'/ical/[A-Za-z0-9_-]\{32\}\.ics$|ok|p')" ok
feed_create --person 1
PERSON=$URL
feed_create --all
ALL=$URL ALL_ID=$FID
feed_create --agency stc
REVOKED=$URL REVOKED_ID=$FID
feed_create --agency stc
ODD=$URL ODD_ID=$FID
feed_create --agency stc
LONG=$URL LONG_ID=$FID
feed_create --agency stc
CTL=$URL CTL_ID=$FID

daemon_start
wait_http "$WEB/healthz"
pid=$daemon
rss() { sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' /proc/$pid/status; }
expect_eq "no libical mapped before the first feed is asked for" \
	"$(grep -c 'libical' /proc/$pid/maps)" 0
rss0=$(rss)

# get NAME [CURL ARGS...]: GETs $AGENCY (or what the args say); headers in NAME.h, body in NAME.b,
# status printed.
get() {
	_n=$1
	shift
	: >"$_n.b"
	_st=$(curl -s -A "$UA" -D "$_n.h" -o "$_n.b" -w '%{http_code}' "$@")
	counted "$_st" "$@"
	printf '%s' "$_st"
}
# counted STATUS CURL-ARGS...: a fetch of the agency's feed answered (200, 304) is
# counted in agency.count, for "feed list" at the end.
counted() {
	_cs=$1
	shift
	for _ca; do :; done
	case $_cs:$_ca in 200:"$AGENCY"* | 304:"$AGENCY"*) echo >>agency.count ;; esac
}
hdr() { sed -n 's/^'"$2"': *\(.*\)\r$/\1/Ip' "$1.h" | head -n 1; }

expect_eq "GET a feed: 200" "$(get a "$AGENCY")" 200
expect_eq "its type is text/calendar; charset=utf-8" "$(hdr a Content-Type)" "text/calendar; charset=utf-8"
expect_no_grep "served inline: no Content-Disposition" a.h '^[Cc]ontent-[Dd]isposition'
expect_grep "the body is a calendar" a.b '^BEGIN:VCALENDAR'
expect_grep "with the agency's task" a.b 'Báo cáo chuyển đổi số'
expect_no_grep "and not another agency's" a.b 'Rà soát ngân sách'
etag=$(hdr a ETag)
expect_eq "a strong ETag, a SHA-256 in quotes" \
	"$(printf '%s' "$etag" | sed -n 's/^"[0-9a-f]\{64\}"$/ok/p')" ok
expect_eq "Last-Modified is an IMF-fixdate" \
	"$(hdr a Last-Modified | sed -n 's/^[A-Z][a-z][a-z], [0-9][0-9] [A-Z][a-z][a-z] [0-9]\{4\} [0-9][0-9]:[0-9][0-9]:[0-9][0-9] GMT$/ok/p')" ok
expect_eq "Cache-Control: private, no-cache" "$(hdr a Cache-Control)" "private, no-cache"
expect_eq "libical is mapped once a feed was built" \
	"$([ "$(grep -c 'libical' /proc/$pid/maps)" -gt 0 ] && echo yes)" yes
rss1=$(rss)
echo "# RSS before the first feed ${rss0} kB, after ${rss1} kB"

expect_eq "Accept-Encoding: gzip is still answered uncompressed" \
	"$(get z -H 'Accept-Encoding: gzip, br' "$AGENCY")$(hdr z Content-Encoding)" 200
expect_eq "(the same bytes)" "$(cmp -s a.b z.b && echo same)" same
expect_eq "no Accept header at all (Google's importer): 200" "$(get n -H 'Accept:' "$AGENCY")" 200
expect_eq "Accept: application/json: still the calendar" \
	"$(get j -H 'Accept: application/json' "$AGENCY")$(hdr j Content-Type)" \
	"200text/calendar; charset=utf-8"
expect_eq "HEAD: 200 with the headers of the GET" \
	"$(get h -I "$AGENCY") $(hdr h Content-Length) $(hdr h ETag)" "200 $(wc -c <a.b) $etag"
# What comes back on the socket after the headers, to its end: nothing.
head_rest() {
	$PY - "$HTTP" "${AGENCY#"$WEB"}" <<-'EOF'
	import socket, sys
	s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
	s.sendall(("HEAD %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n" % sys.argv[2]).encode())
	data = b""
	while True:
	    b = s.recv(65536)
	    if not b:
	        break
	    data += b
	head, _, rest = data.partition(b"\r\n\r\n")
	print(head.split(b"\r\n")[0].decode(), len(rest))
	EOF
}
expect_eq "HEAD: no body" "$(head_rest)" "HTTP/1.1 200 OK 0"
echo >>agency.count
expect_eq "a query string is ignored: the feed" "$(get q "$AGENCY?x=1")$(cmp -s a.b q.b && echo same)" 200same

expect_eq "If-None-Match with its ETag: 304" "$(get c -H "If-None-Match: $etag" "$AGENCY")" 304
expect_eq "304: no body, the ETag again" "$(wc -c <c.b) $(hdr c ETag)" "0 $etag"
expect_eq "If-None-Match, a list that holds it: 304" \
	"$(get c -H "If-None-Match: \"nope\", W/\"other\",$etag" "$AGENCY")" 304
expect_eq "If-None-Match, its weak form: 304" "$(get c -H "If-None-Match: W/$etag" "$AGENCY")" 304
expect_eq "If-None-Match: * : 304" "$(get c -H 'If-None-Match: *' "$AGENCY")" 304
expect_eq "If-None-Match of another tag: 200" "$(get c -H 'If-None-Match: "0123"' "$AGENCY")" 200
big=$($PY -c 'print(", ".join("\"%0160d\"" % i for i in range(60)))')
expect_eq "a 10 KB If-None-Match that does not hold it: 200" \
	"$(get c -H "If-None-Match: $big" "$AGENCY")" 200
expect_eq "the same with its ETag last: 304" \
	"$(get c -H "If-None-Match: $big, $etag" "$AGENCY")" 304
expect_eq "an unterminated tag: no match, 200" \
	"$(get c -H "If-None-Match: \"$(printf '%s' "$etag" | tr -d '"')" "$AGENCY")" 200

# --- changes ---------------------------------------------------------------------------------------
# new_etag URL OLD: polls URL (3 s at most) until its ETag is not OLD; prints the new one.
new_etag() {
	_i=0
	while [ $_i -lt 60 ]; do
		counted "$(curl -s -A "$UA" -D e.h -o e.b -w '%{http_code}' "$1")" "$1"
		_e=$(hdr e ETag)
		[ -n "$_e" ] && [ "$_e" != "$2" ] && { printf '%s' "$_e"; return 0; }
		_i=$((_i + 1))
		sleep 0.05
	done
	return 1
}
expect_eq "the ETag stays while nothing changed" "$(get s "$AGENCY") $(hdr s ETag)" "200 $etag"
run "$DONDOC" task set 1 --deadline 20/10/2025
etag2=$(new_etag "$AGENCY" "$etag")
expect_eq "a deadline moved by the CLI gives a new ETag within a second or two" \
	"$([ -n "$etag2" ] && echo new)" new
expect_grep "(the new day is in the feed)" e.b 'DTSTART;VALUE=DATE:20251020'
expect_eq "the old ETag is 200 again, not 304" "$(get c -H "If-None-Match: $etag" "$AGENCY")" 200

expect_eq "the person's feed: 200" "$(get p "$PERSON")" 200
petag=$(hdr p ETag)
expect_grep "(it shows the agency's task)" p.b 'Báo cáo chuyển đổi số'
run "$DONDOC" person set 1 --agency stc
petag2=$(new_etag "$PERSON" "$petag")
expect_eq "an event leaving the feed (the person moved) gives a new ETag" \
	"$([ -n "$petag2" ] && echo new)" new
expect_grep "(the task that left is sent cancelled)" e.b '^STATUS:CANCELLED'
expect_grep "(saying only that it is no longer in this calendar)" e.b \
	'^DESCRIPTION:Nhiệm vụ này không còn thuộc lịch này\.\\n'
expect_no_grep "(not why, which it cannot know)" e.b 'chuyển đơn vị'

# User-Agents kept for "feed list": not UTF-8, and longer than the 256 bytes kept.
expect_eq "a User-Agent that is not UTF-8: 200" \
	"$(curl -s -o /dev/null -w '%{http_code}' -H "User-Agent: $(printf 'x\377\376ok\303')" "$ODD")" 200
LONG_UA=$($PY -c 'print("ab" + "\u1ec7" * 100)')
expect_eq "a User-Agent of 302 bytes, Vietnamese: 200" \
	"$(curl -s -o /dev/null -w '%{http_code}' -A "$LONG_UA" "$LONG")" 200
# ESC (a terminal's colour and title sequences), BEL, DEL and C1's CSI (U+009B).
CTL_UA=$(printf 'a\033[31mb\033]0;pwned\007c\177d\302\233e')
expect_eq "a User-Agent with control characters: 200" \
	"$(curl -s -o /dev/null -w '%{http_code}' -H "User-Agent: $CTL_UA" "$CTL")" 200

# --- tokens and paths --------------------------------------------------------------------------------
expect_eq "a feed not yet revoked: 200" "$(get r "$REVOKED")" 200
run "$DONDOC" feed revoke "$REVOKED_ID"
expect_eq "revoked: 404 at the very next request" "$(get r "$REVOKED")" 404
expect_eq "(a plain not found)" "$(cat r.b)" "not found"
expect_eq "(and no calendar)" "$(hdr r Content-Type)" "text/plain; charset=utf-8"
expect_eq "an unknown token: 404" "$(get u "$WEB/ical/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAB.ics")" 404
expect_eq "/ical/ alone: 404" "$(get u "$WEB/ical/")" 404
expect_eq "a token too short: 404" "$(get u "$WEB/ical/abc.ics")" 404
expect_eq "a feed's path with more after it: 404" "$(get u "$AGENCY/x")" 404
expect_eq "a feed's path without .ics: 404" "$(get u "${AGENCY%.ics}")" 404
expect_eq "/ical/../x (as sent): 404" "$(get u --path-as-is "$WEB/ical/../x")" 404
expect_eq "/ical/%00.ics: refused by the server (400)" "$(get u "$WEB/ical/%00.ics")" 400
expect_no_grep "(none of them leaks a calendar)" u.b 'VCALENDAR'
expect_eq "POST to a feed: 405" "$(get u -X POST -d x "$AGENCY")" 405

# --- limits --------------------------------------------------------------------------------------------
conf 5 8 >feeds.conf
kill -HUP $pid
wait_log serve.log 'reloaded' 10
n=0 st=200
while [ "$st" = 200 ] && [ $n -lt 20 ]; do
	st=$(get l "$ALL")
	n=$((n + 1))
done
expect_eq "past rate_token (5 a minute) a token gets 429" "$n $st" "6 429"
expect_eq "with Retry-After" "$(hdr l Retry-After | sed -n 's/^[0-9][0-9]*$/ok/p')" ok
expect_eq "another token is not held back by it" "$(get l "$AGENCY")" 200
n=0 st=200
while [ "$st" != 429 ] && [ $n -lt 20 ]; do
	st=$(get l -H 'X-Forwarded-For: 203.0.113.9' "$WEB/ical/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAC.ics")
	n=$((n + 1))
done
expect_eq "past rate_ip (8 a minute) a client address gets 429, 404s counted" "$n $st" "9 429"
n=0 st=404
while [ "$st" != 429 ] && [ $n -lt 20 ]; do
	st=$(get l -H 'X-Forwarded-For: not-an-address' "$WEB/ical/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAC.ics")
	n=$((n + 1))
done
expect_eq "clients a proxy names unreadably share one limit" "$n $st" "9 429"
expect_eq "loopback is not limited per address" "$(get l "$WEB/ical/AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAC.ics")" 404

# --- the fetch log -------------------------------------------------------------------------------------
daemon_stop
run "$DONDOC" feed list --json
expect_eq "feed list shows the last client's User-Agent (written at stop)" \
	"$(json '[f["client"] for f in j if f["id"] == '"$AGENCY_ID"'][0]')" "$UA"
expect_eq "a User-Agent not UTF-8 is kept with U+FFFD for each bad byte" \
	"$(json '[f["client"] for f in j if f["id"] == '"$ODD_ID"'][0] == "x\ufffd\ufffdok\ufffd"')" true
expect_eq "a long one is cut between characters, within 256 bytes" \
	"$(json '[f["client"] for f in j if f["id"] == '"$LONG_ID"'][0] == "ab" + "\u1ec7" * 84')" true
expect_eq "control characters in a User-Agent are kept as U+FFFD" \
	"$(json '[f["client"] for f in j if f["id"] == '"$CTL_ID"'][0] == "a\ufffd[31mb\ufffd]0;pwned\ufffdc\ufffdd\ufffde"')" true
# none of them reaches the operator's terminal, in the table or the JSON
# (which would send C1 and DEL as they are).
"$DONDOC" feed list >list.txt
"$DONDOC" feed list --json >>list.txt
expect_eq "feed list shows the client, plain" "$(grep -c 'pwned' list.txt)" 2
expect_eq "feed list and its JSON hold no control character (C0 but newline, DEL, C1)" \
	"$($PY -c 'import sys,re; t=open(sys.argv[1],"rb").read().decode(); print(len(re.findall("[\x00-\x09\x0b-\x1f\x7f-\x9f]", t)))' list.txt)" 0
expect_eq "and how many fetches: each 200 and 304" \
	"$(json '[f["fetches"] for f in j if f["id"] == '"$AGENCY_ID"'][0]')" "$(wc -l <agency.count)"

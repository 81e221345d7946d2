# Calendar feeds from the command line and from chat (issue 15): "feed
# create" for each kind prints the link once (https and webcal://), "feed
# list --json" shows every feed, "feed revoke" stops one, with clear
# errors for what is not there; "/lich" gives a linked official a link of
# their own, a fourth revoking the oldest, and says no link can be given
# while [http] public_url is not set; through the bot, the link is
# delivered once and the registry keeps no token once it was sent; a
# person deactivated loses every link of theirs (404 at once).
. "$(dirname "$0")/../lib.sh"

D=$DONDOC
URL=https://dondoc.example.gov.vn/
mkdir -p conf
{
	conf_general
	printf '[http]\npublic_url = %s\n' "$URL"
} >conf/with-url.conf
conf_general >conf/no-url.conf
export DONDOC_CONFIG="$T/conf/with-url.conf" DONDOC_NOW=2026-03-02T09:00 TZ=UTC

run "$D" init
printf "$HDR"'1.\tXây dựng Cổng dữ liệu mở\t%s\tSở Y tế\t30/6/2026\n2.\tBố trí kinh phí\t%s\tSở Tài chính\t15/7/2026\n' \
	"$DOC" "$DOC" >tasks.tsv
expect_rc 0 "import two tasks" "$D" import tasks.tsv
run "$D" person add --name "Nguyễn Văn An" --agency syt --role focal --telegram 1001
an=$(sqlite3 "$DONDOC_DB" "SELECT id FROM person WHERE name = 'Nguyễn Văn An'")
TOKEN_RE='[A-Za-z0-9_-]{32}'

# --- feed create, each kind -------------------------------------------------------------------
expect_rc 0 "feed create --agency by name" "$D" feed create --agency "Sở Y tế"
expect_grep "prints the https link on public_url (its trailing / dropped)" out \
	"^https://dondoc\\.example\\.gov\\.vn/ical/${TOKEN_RE}\\.ics$"
expect_grep "and its webcal:// form, the same token" out \
	"^webcal://dondoc\\.example\\.gov\\.vn/ical/${TOKEN_RE}\\.ics$"
expect_eq "the two forms carry one token" \
	"$(sed -n 's,^[a-z]*://dondoc.example.gov.vn/ical/\(.*\)\.ics$,\1,p' out | sort -u | wc -l)" 1
expect_grep "and says the link is shown once" out "shown this once, only its hash is kept"
token1=$(sed -n 's,^https://.*/ical/\(.*\)\.ics$,\1,p' out)
expect_eq "only the token's hash is in the registry" \
	"$(sqlite3 "$DONDOC_DB" "SELECT count(*) FROM feed WHERE token_hash LIKE '%$token1%'")" 0
expect_rc 0 "feed create --agency by code" "$D" feed create --agency stc
expect_rc 0 "feed create --person" "$D" feed create --person "$an" --json
an_cli=$(json 'j["url"]' | sed -n 's,^https://[^/]*/ical/\(.*\)\.ics$,\1,p')
expect_eq "--json: the kind, the person's name, the url and webcal" \
	"$(json '[j["kind"], j["target_name"], j["url"].startswith("https://dondoc.example.gov.vn/ical/"), j["webcal"].startswith("webcal://")]')" \
	'["person", "Nguyễn Văn An", true, true]'
expect_rc 0 "feed create --document by its number" "$D" feed create --document 7-KH/BCĐ
expect_grep "a document's feed is named by its number" out "^Feed 4 \\(document: 7-KH/BCĐ\\)"
expect_rc 0 "feed create --all" "$D" feed create --all
expect_rc 0 "each token is new" sh -c "'$D' feed create --all | grep -c '$token1'; test \$? = 1"

# --- errors -----------------------------------------------------------------------------------
expect_rc 65 "an unknown agency is refused (exit 65)" "$D" feed create --agency "Sở Không Có"
expect_grep "naming it" err "no agency 'Sở Không Có' \\(see 'dondoc agency list'\\)"
expect_rc 65 "an unknown person" "$D" feed create --person 99
expect_grep "naming them" err "no person 99"
expect_rc 64 "a person who is no number" "$D" feed create --person An
expect_rc 65 "an unknown document" "$D" feed create --document 99-KH/XX
expect_grep "naming it" err "no document '99-KH/XX'"
expect_rc 64 "two kinds at once" "$D" feed create --all --agency syt
expect_grep "says which to give" err "give one of --agency A, --person ID, --document NUMBER or --all"
expect_rc 0 "feed create --help" "$D" feed create --help
expect_grep "--help shows the usage" out "feed create --agency A \\| --person ID"
expect_eq "nothing was made by the refusals" "$(sqlite3 "$DONDOC_DB" "SELECT count(*) FROM feed")" 6

# --- list and revoke --------------------------------------------------------------------------
expect_rc 0 "feed list --json" "$D" feed list --json
expect_eq "shows every feed, kind and target" \
	"$(json '[(f["id"], f["kind"], f["target_name"]) for f in j]')" \
	'[[1, "agency", "Sở Y tế"], [2, "agency", "Sở Tài chính"], [3, "person", "Nguyễn Văn An"], [4, "document", "7-KH/BCĐ"], [5, "all", null], [6, "all", null]]'
expect_eq "never fetched, none revoked, made by the CLI" \
	"$(json '[(f["fetched"], f["client"], f["fetches"], f["revoked"], f["created_by"]) for f in j][0]')" \
	'[null, null, 0, null, null]'
expect_eq "created now, Viet Nam's time" "$(json 'j[0]["created"]')" "2026-03-02T09:00:00+07:00"
expect_rc 0 "feed revoke 2" env DONDOC_NOW=2026-03-03T09:00 "$D" feed revoke 2
# The history (feed.revoke) is now a day later: the clock never goes back past it.
export DONDOC_NOW=2026-03-03T10:00
expect_rc 65 "revoked twice is refused" "$D" feed revoke 2
expect_grep "saying when it was" err "feed 2 was revoked already, on 2026-03-03T09:00:00\\+07:00"
expect_rc 65 "an unknown feed" "$D" feed revoke 77
expect_grep "naming it" err "no feed 77 \\(see 'dondoc feed list'\\)"
expect_rc 64 "a feed that is no number" "$D" feed revoke abc
expect_rc 0 "feed list --json" "$D" feed list --json
expect_eq "the list shows it revoked, the others live" \
	"$(json '[f["id"] for f in j if f["revoked"]]')" "[2]"
expect_rc 0 "feed list (table)" "$D" feed list
expect_grep "the table has the fetch columns" out "^ID +KIND +TARGET +CREATED +REVOKED +LAST FETCH +CLIENT +FETCHES"

# --- /lich ------------------------------------------------------------------------------------
lich() { "$D" chat --telegram 1001 /lich; }
expect_rc 0 "/lich from a linked official" lich
expect_grep "answers with the https link" out "^https://dondoc\\.example\\.gov\\.vn/ical/${TOKEN_RE}\\.ics$"
expect_grep "and the webcal one, for iPhones" out "iPhone: chạm vào liên kết webcal://dondoc\\.example\\.gov\\.vn/ical/${TOKEN_RE}\\.ics"
expect_grep "and how to add it to Google" out "Google Calendar \\(máy tính\\): Thêm lịch > Từ URL"
expect_no_grep "nothing was revoked yet" out "thu hồi"
run "$D" feed list --json
expect_eq "a person feed made by them" "$(json '[(f["kind"], f["target_name"], f["created_by"]) for f in j][-1]')" \
	"[\"person\", \"Nguyễn Văn An\", $an]"
first=$(json 'j[-1]["id"]')
expect_rc 0 "/calendar, a second" "$D" chat --telegram 1001 /calendar
expect_rc 0 "lich without the slash, a third" "$D" chat --telegram 1001 lich
expect_no_grep "three are kept" out "thu hồi"
expect_rc 0 "/ical, a fourth" "$D" chat --telegram 1001 /ical
expect_grep "says the oldest was revoked" out "Đường dẫn lịch cũ nhất của đồng chí đã bị thu hồi \\(mỗi người giữ tối đa 3 đường dẫn\\)"
run "$D" feed list --json
expect_eq "the one revoked is the oldest of theirs, the first /lich's, and only it" \
	"$(json '[(f["id"], bool(f["revoked"])) for f in j if f["created_by"] == '"$an"']')" \
	"[[$first, true], [$((first + 1)), false], [$((first + 2)), false], [$((first + 3)), false]]"
# The history: who gave and took which calendar, and how (never a token).
events() { sqlite3 -separator ' | ' "$DONDOC_DB" "SELECT channel, ifnull(person_id, '-'), kind, new_value, ifnull(text, '-') FROM event WHERE kind LIKE 'feed.%' ${1:-} ORDER BY id"; }
expect_eq "every feed made is in the history, once" \
	"$(events | grep -c ' feed.create ')" "$(sqlite3 "$DONDOC_DB" "SELECT count(*) FROM feed")"
expect_eq "/lich's, by the official through Telegram" \
	"$(events "AND new_value LIKE '$first %'")" \
	"telegram | $an | feed.create | $first person Nguyễn Văn An | -
telegram | $an | feed.revoke | $first person Nguyễn Văn An | replaced by a newer link"
expect_eq "feed revoke's, through the CLI" \
	"$(events "AND new_value LIKE '2 %'")" \
	"cli | - | feed.create | 2 agency Sở Tài chính | -
cli | - | feed.revoke | 2 agency Sở Tài chính | -"
expect_rc 0 "the history still verifies" "$D" verify
# The secretariat follows every deadline (DESIGN §1): its /lich is the whole registry's.
run "$D" person add --name "Lê Thị Cúc" --agency stc --role secretariat --telegram 1002
cuc=$(sqlite3 "$DONDOC_DB" "SELECT id FROM person WHERE name = 'Lê Thị Cúc'")
expect_rc 0 "/lich from the secretariat" "$D" chat --telegram 1002 /lich
expect_grep "says the calendar is every agency's" out \
	"^📅 Lịch thời hạn nhiệm vụ của mọi cơ quan \\(toàn bộ danh mục\\), tự cập nhật"
sec=$(sed -n 's,^https://dondoc\.example\.gov\.vn/ical/\(.*\)\.ics$,\1,p' out)
expect_rc 0 "/lich from an official" "$D" chat --telegram 1001 /lich
expect_grep "says the calendar is their agency's" out \
	"^📅 Lịch thời hạn nhiệm vụ của cơ quan đồng chí, tự cập nhật"
an_chat=$(sed -n 's,^https://dondoc\.example\.gov\.vn/ical/\(.*\)\.ics$,\1,p' out)
run "$D" feed list --json
expect_eq "the secretariat's is a feed of everything, made by them" \
	"$(json '[(f["kind"], f["created_by"]) for f in j if f["created_by"] == '"$cuc"']')" "[[\"all\", $cuc]]"
expect_rc 0 "/lich from a chat linked to no one" "$D" chat --telegram 9999 /lich
expect_no_grep "gets no link" out "/ical/"
expect_eq "and makes nothing" "$(sqlite3 "$DONDOC_DB" "SELECT count(*) FROM feed")" 12
expect_rc 0 "/lich without [http] public_url" env DONDOC_CONFIG="$T/conf/no-url.conf" "$D" chat --telegram 1001 /lich
expect_grep "says the secretariat has not set up calendar links" out \
	"Cơ quan thường trực chưa thiết lập đường dẫn lịch"
expect_eq "and makes nothing" "$(sqlite3 "$DONDOC_DB" "SELECT count(*) FROM feed")" 12
expect_rc 0 "feed create without public_url" env DONDOC_CONFIG="$T/conf/no-url.conf" "$D" feed create --all
expect_grep "prints the path" out "^/ical/${TOKEN_RE}\\.ics$"
expect_no_grep "and no webcal form" out "webcal"
expect_grep "with a warning naming [http] public_url" err "warning: \\[http\\] public_url is not set"
expect_rc 0 "/huongdan lists /lich" "$D" chat --telegram 1001 /huongdan
expect_grep "in the help" out "^/lich – đường dẫn lịch"

# --- /lich through the bot: the link delivered once, kept nowhere ----------------------------
TG_TOKEN=7000000001:AAtesttoken_for_dondoc
fake_telegram_start "$TG_TOKEN"
{ cat conf/with-url.conf; conf_telegram; } >conf/telegram.conf
daemon_start DONDOC_CONFIG="$T/conf/telegram.conf"
ctl message '{"chat_id": 1001, "text": "/lich"}'
sent 1
live=$(json 'j[0]["text"]' | sed -n 's,^https://dondoc\.example\.gov\.vn/ical/\(.*\)\.ics$,\1,p')
expect_eq "the official received the whole link through Telegram" \
	"$(printf '%s\n' "$live" | grep -cE "^${TOKEN_RE}$")" 1
i=0
while [ "$(sqlite3 "$DONDOC_DB" "SELECT count(*) FROM message WHERE kind = 'reply' AND state <> 'sent'")" != 0 ] &&
      [ $i -lt 200 ]; do
	sleep 0.1; i=$((i + 1))
done
daemon_stop
run "$D" feed list --json
expect_eq "its feed is live" \
	"$(json '[f["revoked"] for f in j if f["created_by"]][-1]')" "null"
sqlite3 "$DONDOC_DB" .dump >dump.sql
expect_no_grep "sent, the registry keeps no token of that live feed (a dump of it all)" \
	dump.sql "$live"
expect_grep "the answer kept says where the link was" dump.sql \
	"https://dondoc\.example\.gov\.vn/ical/….ics"
expect_grep "(in its webcal form too)" dump.sql "webcal://dondoc\.example\.gov\.vn/ical/….ics"

# --- a person deactivated: their calendar links stop answering ----------------------------------
http_port
{
	conf_general
	printf '[http]\nlisten = 127.0.0.1:%s\npublic_url = %s\n' "$HTTP" "$URL"
} >conf/http.conf
daemon_start DONDOC_CONFIG="$T/conf/http.conf"
wait_http "$WEB/healthz"
status() { curl -s -o /dev/null -w '%{http_code}' "$WEB/ical/$1.ics"; }
expect_eq "the feed made for them and the one they asked for answer" \
	"$(status "$an_cli") $(status "$live")" "200 200"
events_in() { curl -s "$WEB/ical/$1.ics" | grep -c '^BEGIN:VEVENT'; }
expect_eq "the secretariat's calendar has every agency's task, the official's their agency's" \
	"$(events_in "$sec") $(events_in "$an_chat")" "2 1"
expect_rc 0 "person deactivate" env DONDOC_CONFIG="$T/conf/http.conf" "$D" person deactivate "$an"
expect_grep "says how many calendar links it revoked (--person, and three from chat)" out \
	"^Đã thu hồi 4 đường dẫn lịch của cán bộ này"
expect_eq "both links answer 404 at once, the daemon still running" \
	"$(status "$an_cli") $(status "$live")" "404 404"
daemon_stop
run "$D" feed list --json
expect_eq "the history says they were, by whom and how many" \
	"$(events "AND id = (SELECT max(id) FROM event WHERE kind = 'feed.revoke')")" \
	"cli | - | feed.revoke | $an Nguyễn Văn An | 4 feeds of the person, deactivated"
expect_eq "the list shows every feed of theirs revoked" \
	"$(json '[f["id"] for f in j if (f["created_by"] == '"$an"' or f["target"] == '"$an"' and f["kind"] == "person") and not f["revoked"]]')" "[]"
expect_rc 0 "person activate" "$D" person activate "$an"
expect_rc 0 "person deactivate --json, again" "$D" person deactivate "$an" --json
expect_eq "with nothing left to revoke: none" "$(json 'j["feeds_revoked"]')" 0

# --- feeds made from chat and revoked are forgotten after 30 days; the CLI's stay --------------
run "$D" feed list --json
chat_revoked=$(json 'len([f for f in j if f["created_by"] and f["revoked"]])')
expect_eq "(revoked from chat so far: the replaced ones and the person's)" "$chat_revoked" 6
expect_rc 0 "the daemon's pass 29 days on" env DONDOC_NOW=2026-04-01T09:00 "$D" serve --once
run "$D" feed list --json
expect_eq "keeps them all" "$(json 'len([f for f in j if f["created_by"] and f["revoked"]])')" 6
expect_rc 0 "the daemon's pass 31 days on" env DONDOC_NOW=2026-04-03T11:00 "$D" serve --once
expect_grep "says it forgot them" err "forgot 6 calendar links made from chat and revoked over 30 days ago"
run "$D" feed list --json
expect_eq "forgets those made from chat and revoked" \
	"$(json 'len([f for f in j if f["created_by"] and f["revoked"]])')" 0
expect_eq "and keeps the live one made from chat (the secretariat's)" \
	"$(json '[f["created_by"] for f in j if f["created_by"] and not f["revoked"]]')" "[$cuc]"
expect_eq "keeps the CLI's revoked ones: feed 2 and the person's own" \
	"$(json '[f["id"] for f in j if f["revoked"] and not f["created_by"]]')" "[2, 3]"
expect_rc 0 "the history still verifies" "$D" verify

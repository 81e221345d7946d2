# Templates checked at load (issue 10, finding 2): a set that lacks a
# message the program sends, or a partial a file asks for, is refused at
# start (exit 78, the file named, with its line for a partial) and on
# SIGHUP (the old set kept, the reason logged), so that no command fails
# later for a missing file.  The daemon polls a fake Bot API, and an
# official's /huongdan is answered with the old set after a refused reload.
. "$(dirname "$0")/../lib.sh"

TOKEN=7000000001:AAtesttoken_for_dondoc
fake_telegram_start "$TOKEN"

cp -r "$TOP/templates" tpl
{ conf_general templates="$T/tpl" tick=1; conf_telegram; } >dondoc.conf
export DONDOC_CONFIG="$T/dondoc.conf"
export DONDOC_NOW=2025-09-27T09:00
run "$DONDOC" init
run "$DONDOC" agency add --name "Sở Y tế"
focal_an 3001

ask_help() { # N: /huongdan from An; waits for the Nth message sent, into out
	curl -s -X POST -d '{"chat_id": 3001, "text": "/huongdan"}' "$API/control/message" >/dev/null
	curl -s "$API/control/sent?count=$1&timeout=20" >out
}

# --- at start --------------------------------------------------------------------------------------
mv tpl/vi/help.chat.mustache help.chat.keep
expect_rc 78 "missing template refused at start: a message file missing from vi/ (exit 78)" \
	"$DONDOC" serve --once
expect_grep "missing template refused at start: the missing file is named" err \
	"template '$T/tpl/vi/help.chat.mustache' is missing"
# English falls back to Vietnamese, so an English file does not stand in for it.
cp help.chat.keep tpl/en/help.chat.mustache
expect_rc 78 "missing template refused at start: an English file is no substitute" "$DONDOC" serve --once
cp help.chat.keep tpl/vi/help.chat.mustache
cp tpl/vi/help.text.mustache help.text.keep
printf 'Hướng dẫn\n{{#tasks}}{{> missing}}{{/tasks}}\n' >tpl/vi/help.text.mustache
expect_rc 78 "missing partial refused at start: {{> missing}} (exit 78)" "$DONDOC" serve --once
expect_grep "missing partial refused at start: file and line named" err \
	"vi/help.text.mustache:2: partial 'missing' not found"
cp help.text.keep tpl/vi/help.text.mustache
printf '{{> greeting}}{{> nowhere}}\n' >tpl/en/reminder.text.mustache
expect_rc 78 "missing partial refused at start: in an English file too" "$DONDOC" serve --once
expect_grep "missing partial refused at start: the English file and line named" err \
	"en/reminder.text.mustache:1: partial 'nowhere' not found"
cp "$TOP/templates/en/reminder.text.mustache" tpl/en/reminder.text.mustache
rm tpl/en/help.chat.mustache

# --- on SIGHUP ---------------------------------------------------------------------------------------
daemon_start
wait_log serve.log 'started: registry' || fail "the daemon starts with the whole set" "$(cat serve.log)"
ask_help 1
expect_eq "/huongdan is answered" "$(json '[m["chat_id"] for m in j]')" "[3001]"

rm tpl/vi/help.chat.mustache
kill -HUP $daemon
expect_log "missing template refused on SIGHUP" serve.log 'reload failed'
expect_grep "missing template refused on SIGHUP: the missing file is named" serve.log \
	"template '$T/tpl/vi/help.chat.mustache' is missing"
ask_help 2
expect_eq "missing template refused on SIGHUP: the old set is kept, /huongdan still answered" \
	"$(json '[m["chat_id"] for m in j]')" "[3001, 3001]"
cp help.chat.keep tpl/vi/help.chat.mustache

printf 'Hướng dẫn\n\n{{> missing}}\n' >tpl/vi/help.chat.mustache
kill -HUP $daemon
expect_log "missing partial refused on SIGHUP" serve.log "partial 'missing' not found"
expect_grep "missing partial refused on SIGHUP: file and line named" serve.log \
	"vi/help.chat.mustache:3: partial 'missing' not found"
expect_eq "missing partial refused on SIGHUP: two reloads refused" "$(grep -c 'reload failed' serve.log)" 2
ask_help 3
expect_eq "missing partial refused on SIGHUP: the old set still answers, in full" \
	"$(json '[(m["chat_id"], "/viec" in m["text"]) for m in j]')" "[[3001, true], [3001, true], [3001, true]]"

cp help.chat.keep tpl/vi/help.chat.mustache
kill -HUP $daemon
expect_log "the whole set again: reloaded" serve.log 'configuration and schedules reloaded'
daemon_stop
exit 0

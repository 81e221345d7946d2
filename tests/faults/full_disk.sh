# A full disk for the registry and the outbox: both on a small tmpfs (as
# root; skipped otherwise), filled up before the day's run.  dondoc says
# clearly what failed (the disk is full), loses nothing, and once space is
# back everything goes out, each message once.
FAULT=full_disk
. "$(dirname "$0")/lib.sh"

N=40
mkdir disk
[ "$(id -u)" = 0 ] || skip_scenario "needs root to mount a tmpfs"
mount -t tmpfs -o size=3m tmpfs "$T/disk" 2>/dev/null || skip_scenario "mount -t tmpfs failed here"
trap 'umount "$T/disk" 2>/dev/null; at_exit' EXIT
{ conf_general tick=1 "db=$T/disk/dondoc.db" "outbox_dir=$T/disk/outbox"; } >dondoc.conf
export DONDOC_CONFIG="$T/dondoc.conf"
export DONDOC_NOW=2025-09-29T09:00
unset DONDOC_DB
run "$DONDOC" init
tasks_tsv $N 29/9/2025 >tasks.tsv
run "$DONDOC" import tasks.tsv
i=1
while [ $i -le $N ]; do
	"$SETUP_DONDOC" person add --name "Cán bộ $i" --agency "Đơn vị thử số $i" --role focal >/dev/null
	i=$((i + 1))
done
mkdir -p disk/outbox
fill() { dd if=/dev/zero of="disk/fill.$1" bs=4k 2>/dev/null; }
fill 1
echo "# full: $(df -k disk | tail -1)"
# The day's run on a full disk: it fails, and says why.
run "$DONDOC" serve --once
echo "# serve --once on a full disk: exit $rc"
sed 's/^/#   /' err
[ "$rc" != 0 ] || grep -qi "full\|no space" err || fail "serve --once on a full disk says it failed" "exit 0: $(cat err)"
expect_grep "it says the disk is full, in English" err "(database or disk is full|No space left on device)"
run "$DONDOC" task set 1 --status in_progress --progress 10
echo "# task set on a full disk: exit $rc: $(cat err)"
expect_eq "a change on a full disk is refused (exit 73 or 74), not half made" "$(case $rc in 73 | 74) echo refused ;; *) echo $rc ;; esac)" refused
# The daemon started on a full disk: it cannot open the registry, says
# why and ends (systemd starts it again).
daemon_start
wait $daemon
st=$?
daemon=
expect_eq "the daemon started on a full disk ends with an error" "$([ $st != 0 ] && echo yes)" yes
expect_grep "and says the disk is full" serve.log "No space left on device"
rm -f disk/fill.*
daemon_start
all_out() { [ "$(ls disk/outbox | grep -c '\.txt$')" -ge $N ]; }
wait_until 60 all_out
daemon_stop
expect_eq "once space is back, every message goes out" "$(ls disk/outbox | grep -c '\.txt$')" $N
expect_rc 0 "the change refused can be made now" "$DONDOC" task set 1 --status in_progress --progress 10
run "$DONDOC" outbox list --json
expect_eq "every message ends sent" "$(json 'sorted(set(m["state"] for m in j)) + [len(j)]')" "[\"sent\", $N]"
FAULT_INFO="registry and outbox on a 3 MB tmpfs, full then freed"
verdict "$T/dondoc.conf" INV_RECEIVED="$T/disk/outbox/deliveries.log" INV_CHANNEL=file INV_SETTLED=1

#!/bin/sh
# SPDX-License-Identifier: MIT
# Checks the systemd unit generated from systemd/dondoc.service.in, as
# `make install` generates it: `systemd-analyze security --offline=yes` must
# rate it 2.0 or lower, and `systemd-analyze verify` must find nothing wrong
# in it (typos, bad values, a missing ExecStart binary).  Prints one line
# "systemd: PASS <score>", "systemd: FAIL ..." or "systemd: SKIP ...".
set -u
cd "$(dirname "$0")/.." || exit 1

MAX=2.0

if ! command -v systemd-analyze >/dev/null 2>&1; then
	echo "systemd: SKIP systemd-analyze not found"
	exit 0
fi

tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# verify wants ExecStart's binary to exist and be executable, so BINDIR is a
# directory of ours holding the built binary (or a stand-in before a build).
mkdir "$tmp/bin"
if [ -x bot/dondoc ]; then
	ln -s "$(pwd)/bot/dondoc" "$tmp/bin/dondoc"
else
	echo "note: bot/dondoc not built, verifying against a stand-in"
	printf '#!/bin/sh\nexit 0\n' >"$tmp/bin/dondoc"
	chmod 755 "$tmp/bin/dondoc"
fi
# The same substitution as the Makefile's install target.
unit=$tmp/dondoc.service
sed -e "s|@BINDIR@|$tmp/bin|g" -e "s|@SYSCONFDIR@|/etc|g" \
	systemd/dondoc.service.in >"$unit" || exit 1
if grep -n '@[A-Z]*@' "$unit"; then
	echo "systemd: FAIL placeholder left in the generated unit"
	exit 1
fi

systemd-analyze security --offline=yes "$unit" >"$tmp/security" 2>&1
st=$?
score=$(sed -n 's/.*Overall exposure level for dondoc.service: \([0-9.]*\).*/\1/p' "$tmp/security")
if [ -z "$score" ]; then
	cat "$tmp/security"
	echo "systemd: FAIL no score from systemd-analyze security (exit $st)"
	exit 1
fi
# Show what still counts against the unit.
grep '✗' "$tmp/security" | sed 's/  */ /g; s/^/  /'
echo "exposure: $score (at most $MAX)"

# verify is silent on a good unit; its complaints about our file name it.
systemd-analyze verify "$unit" >"$tmp/verify" 2>&1
vst=$?
if [ "$vst" != 0 ] || grep -q 'dondoc.service' "$tmp/verify"; then
	sed 's/^/  /' "$tmp/verify"
	echo "systemd: FAIL systemd-analyze verify rejects the unit (exit $vst)"
	exit 1
fi
if [ -s "$tmp/verify" ]; then
	echo "note: systemd-analyze verify said, about other units:"
	sed 's/^/  /' "$tmp/verify"
fi

if awk -v s="$score" -v m="$MAX" 'BEGIN { exit !(s + 0 <= m + 0) }'; then
	echo "systemd: PASS $score"
	exit 0
fi
echo "systemd: FAIL exposure $score above $MAX"
exit 1

#!/bin/sh
# Installs the Debian packages that building and testing dondoc need (clang
# and libclang-rt-14-dev: the libFuzzer targets of tests/fuzz), when
# any is missing, then ical.js (tests/js, pinned by its package-lock.json)
# for the feeds' tests when node_modules is missing or older than the lock
# file.  Idempotent: with everything present it only checks, offline.
set -eu
cd "$(dirname "$0")/.."

PKGS="gcc make pkg-config libc6-dev
libsqlite3-dev libutf8proc-dev libjansson-dev libssl-dev libcsv-dev
libcmocka-dev sqlite3 python3
libical-dev libinih-dev libsystemd-dev libesmtp-dev
python3-aiosmtpd openssl
libcurl4-openssl-dev curl ca-certificates libmicrohttpd-dev
valgrind prometheus
libzip-dev libxml2-dev python3-openpyxl python3-docx
libxlsxwriter-dev chromium
libpq-dev postgresql-15 iproute2
python3-icalendar
clang libclang-rt-14-dev"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
# node and npm by the commands: a machine may have Node.js from elsewhere
# than Debian (whose nodejs package then conflicts with Debian's npm).
command -v node >/dev/null 2>&1 || missing="$missing nodejs"
command -v npm >/dev/null 2>&1 || missing="$missing npm"

if [ -n "$missing" ]; then
	echo "deps: installing:$missing"
	SUDO=""
	if [ "$(id -u)" != 0 ]; then
		if command -v sudo >/dev/null 2>&1; then
			SUDO=sudo
		else
			echo "deps: missing packages:$missing; run 'make deps' as root" >&2
			exit 1
		fi
	fi
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -qq
	# shellcheck disable=SC2086
	$SUDO apt-get install -y -qq --no-install-recommends $missing
fi

# ical.js, the third parser of the feeds' tests (tests/ical_compare.py).
# npm ci installs exactly the lock file's version, checked by its hash;
# node_modules is then touched, so that it is newer than the lock file
# until the lock file changes.
js=tests/js
if [ ! -d $js/node_modules/ical.js ] || [ $js/package-lock.json -nt $js/node_modules ]; then
	echo "deps: npm ci in $js"
	(cd $js && npm ci --no-audit --no-fund --ignore-scripts --prefer-offline --loglevel=error)
	touch $js/node_modules
fi

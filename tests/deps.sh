#!/bin/sh
# Installs the Debian packages that building and testing dondoc need, when
# any is missing.  Idempotent: with everything present it only checks.
set -eu

PKGS="gcc make pkg-config libc6-dev
libsqlite3-dev libutf8proc-dev libjansson-dev libssl-dev libcsv-dev
libcmocka-dev sqlite3 python3
libical-dev libinih-dev libsystemd-dev libesmtp-dev
python3-aiosmtpd openssl
libcurl4-openssl-dev curl ca-certificates libmicrohttpd-dev
valgrind prometheus
libzip-dev libxml2-dev python3-openpyxl python3-docx
libxlsxwriter-dev chromium"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

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

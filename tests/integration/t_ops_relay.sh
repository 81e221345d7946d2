# A relay configured by its IP address (host = 127.0.0.1) with a
# certificate whose subjectAltName is that IP, made here with openssl: the
# IP is checked against the IP SANs, no SNI is sent for it (a name gets
# one), and a sender written "Name <address>" gives an RFC 2047 display
# name in From and the bare address in MAIL FROM (parsed with Python's
# email package).  doctor does the STARTTLS handshake itself.  Each TLS
# failure (in send-test, in doctor) says what failed: a certificate for
# another IP, one nobody vouches for, a relay that speaks only TLS 1.3.
. "$(dirname "$0")/../lib.sh"

smtpd_prepare "relay by IP address"
# cert NAME SAN: a self-signed certificate NAME.pem (key NAME.key) for SAN.
cert() {
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.pem" -days 2 \
		-subj "/CN=relay" -addext "subjectAltName=$2" >/dev/null 2>&1
}
# serve_cert NAME [ARG...]: (re)starts tests/smtpd.py with certificate NAME.
serve_cert() {
	_sc=$1
	shift
	cp "$_sc.pem" cert.pem
	cp "$_sc.key" key.pem
	smtpd_start --require-tls "$@"
}
cert ip "IP:127.0.0.1,DNS:localhost"
cert other "IP:127.0.0.2"
cert stranger "IP:127.0.0.1"

conf() { # HOST CA FROM [FROM_NAME]: writes dondoc.conf
	conf_general >dondoc.conf
	printf '[smtp]\nhost = %s\nport = %s\nstarttls = required\nfrom = %s\nca_file = %s\ntimeout = 5\n' \
		"$1" "$PORT" "$3" "$T/$2" >>dondoc.conf
	[ -n "${4:-}" ] && printf 'from_name = %s\n' "$4" >>dondoc.conf
	return 0
}
export DONDOC_CONFIG="$T/dondoc.conf"
export DONDOC_NOW=2025-10-06T09:00
"$DONDOC" --config /dev/null init >/dev/null

# --- by IP, a display name in from -----------------------------------------------------------------
conf 127.0.0.1 ip.pem "Văn phòng Ban Chỉ đạo <vp@bcd.example.gov.vn>"
serve_cert ip
expect_rc 0 "send-test through a relay named by its IP address" \
	"$DONDOC" send-test --email kiemtra@example.gov.vn
expect_grep "it came over TLS, MAIL FROM the bare address" mail/envelopes.log \
	"^0001 vp@bcd.example.gov.vn kiemtra@example.gov.vn tls$"
expect_eq "no SNI is sent for an IP address" "$(cat mail/sni.log)" "-"
expect_rc 0 "doctor is content with the relay by IP" "$DONDOC" doctor
expect_grep "doctor did the handshake and verified the IP" out \
	"^ok +email +127\.0\.0\.1:$PORT answers \(STARTTLS required\); its certificate is verified for the IP address '127\.0\.0\.1'$"
$PY - mail/0001.eml >parsed.txt <<'PY'
import email, email.policy, sys
raw = open(sys.argv[1], "rb").read()
m = email.message_from_bytes(raw, policy=email.policy.default)
a = m["from"].addresses[0]
print("from", a.display_name, a.addr_spec)
hdr = [l for l in raw.split(b"\r\n") if l.lower().startswith(b"from:")][0]
print("encoded", b"=?UTF-8?" in hdr.upper() or b"=?utf-8?" in hdr, hdr.isascii())
PY
expect_grep "From carries the name given in from, decoded" parsed.txt \
	"^from Văn phòng Ban Chỉ đạo vp@bcd.example.gov.vn$"
expect_grep "the name is RFC 2047 encoded, the header ASCII" parsed.txt "^encoded True True$"

# --- by name: SNI names the host --------------------------------------------------------------------
conf localhost ip.pem '"Văn phòng" <vp@bcd.example.gov.vn>'
expect_rc 0 "send-test through the same relay by name" "$DONDOC" send-test --email kiemtra@example.gov.vn
expect_eq "SNI names the host when it is a name" "$(tail -1 mail/sni.log)" localhost

# --- what failed, said ------------------------------------------------------------------------------
conf 127.0.0.1 other.pem vp@bcd.example.gov.vn
serve_cert other
expect_rc 75 "a certificate for another IP address: not sent" \
	"$DONDOC" send-test --email kiemtra@example.gov.vn
expect_grep "the error names the IP mismatch and the certificate's names" err \
	"not for the IP address '127\.0\.0\.1' \(it names IP:127\.0\.0\.2\): set \[smtp\] host"
expect_no_grep "not libESMTP's 'Client error'" err "Client error"
expect_eq "nothing was delivered" "$(ls mail/*.eml | wc -l | tr -d ' ')" 2
expect_rc 1 "doctor finds the mismatch before any reminder does" "$DONDOC" doctor
expect_grep "doctor says what failed" out \
	"^FAIL email +127\.0\.0\.1:$PORT: TLS: the relay's certificate is not for the IP address '127\.0\.0\.1' \(it names IP:127\.0\.0\.2\)"

conf 127.0.0.1 ip.pem vp@bcd.example.gov.vn
serve_cert stranger
expect_rc 75 "a certificate nobody vouches for: not sent" \
	"$DONDOC" send-test --email kiemtra@example.gov.vn
expect_grep "the error says it is not trusted, and the key to set" err \
	"certificate is not trusted \(self-signed certificate\): set \[smtp\] ca_file"
expect_rc 1 "doctor finds the untrusted certificate" "$DONDOC" doctor
expect_grep "doctor says it is not trusted" out "^FAIL email .*certificate is not trusted"

conf 127.0.0.1 ip.pem vp@bcd.example.gov.vn
serve_cert ip --tls13-only
expect_rc 75 "a relay that speaks only TLS 1.3: not sent" \
	"$DONDOC" send-test --email kiemtra@example.gov.vn
expect_grep "the error says the handshake failed, and how" err "TLS handshake failed: .* alert .*TLS 1\.2"
smtpd_stop

# --- the sender, written wrong or twice -------------------------------------------------------------
conf 127.0.0.1 ip.pem "Văn phòng <vp@bcd.example.gov.vn>" "Văn phòng khác"
expect_rc 78 "from with a name and from_name both: refused" "$DONDOC" doctor
expect_grep "the error says to keep one" err "from names the sender \('Văn phòng'\) and from_name does too \('Văn phòng khác'\): keep one"
conf 127.0.0.1 ip.pem "Văn phòng <vp at bcd>"
expect_rc 78 "from whose address is not one: refused" "$DONDOC" doctor
expect_grep "the error points at the address" err "bad from 'Văn phòng <vp at bcd>': the part in <> is not a plain email address"

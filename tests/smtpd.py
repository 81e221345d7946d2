#!/usr/bin/python3
"""A real SMTP server for dondoc's email tests: aiosmtpd on loopback, with
STARTTLS on a certificate the test made, AUTH, and scripted answers.

    smtpd.py DIR PORT [--cert C --key K] [--require-tls] [--auth USER:PASS]
             [--fail-data CODE:N] [--reject ADDR] [--no-starttls] [--tls13-only]
             [--delay-data SECONDS] [--fault-file PATH]

Each accepted message is written to DIR/NNNN.eml (the bytes as received);
DIR/ready appears once the server listens.  --fail-data 451:1 answers the
first N DATA commands with CODE, then 250.  --reject ADDR answers 550 to
RCPT TO that address.  --tls13-only refuses TLS 1.2 and below.  Each TLS
handshake writes the name the client sent in SNI to DIR/sni.log ("-" for
none).  --delay-data waits that long before answering each DATA (a
slow server: a test can stop the client between two messages).

--fault-file PATH: a misbehaving relay, as the file says when a client
connects (absent or empty: none), so that a test changes it while the
server runs:
  hang       the connection is accepted and never answered (no greeting);
  reset      the connection is closed at once with a TCP RST;
  421        greets "421 4.3.2 Service not available" and closes (RFC 5321
             3.8: a server shutting down, try later);
  hang-data  the session goes as usual, but DATA is never answered (the
             message is not kept);
  451-data   DATA is answered "451 4.3.0" (not kept).
Every connection is logged to DIR/connections.log with the fault it got.
Runs until killed.
"""
import argparse
import asyncio
import os
import socket
import ssl
import struct
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


def read_fault(path):
    """The fault the file names now ("" when none)."""
    try:
        with open(path) as f:
            return f.read().strip()
    except (OSError, TypeError):
        return ""


class FaultySMTP(SMTP):
    """aiosmtpd's server, misbehaving as the fault file says when a client connects."""

    def __init__(self, handler, fault_file, outdir, **kw):
        super().__init__(handler, **kw)
        self.fault_file = fault_file
        self.outdir = outdir
        self.fault = ""

    async def _handle_client(self):
        self.fault = read_fault(self.fault_file)
        with open(os.path.join(self.outdir, "connections.log"), "a") as f:
            f.write("%s %s\n" % (time.strftime("%H:%M:%S"), self.fault or "ok"))
        if self.fault == "hang":
            await asyncio.sleep(3600)
            return
        if self.fault == "reset":
            sock = self.transport.get_extra_info("socket")
            if sock is not None:
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.transport.abort()
            return
        if self.fault == "421":
            await self.push("421 4.3.2 Service not available, closing transmission channel")
            self.transport.close()
            return
        await super()._handle_client()


class Handler:
    def __init__(self, outdir, fail_code, fail_count, reject, delay=0.0):
        self.outdir = outdir
        self.delay = delay
        self.fail_code = fail_code
        self.fail_left = fail_count
        self.reject = set(reject)
        # Go on numbering after a restart: a test counts every message received.
        self.n = len([f for f in os.listdir(outdir) if f.endswith(".eml")])

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address in self.reject:
            return "550 5.1.1 <%s>: no such user here" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if self.delay:
            await asyncio.sleep(self.delay)
        fault = getattr(server, "fault", "")
        if fault == "hang-data":
            await asyncio.sleep(3600)
        if fault == "451-data":
            return "451 4.3.0 Temporary server error, try again later"
        if self.fail_left > 0:
            self.fail_left -= 1
            return "%d 4.3.0 try again later" % self.fail_code
        self.n += 1
        path = os.path.join(self.outdir, "%04d.eml" % self.n)
        with open(path + ".tmp", "wb") as f:
            f.write(envelope.original_content)
        os.rename(path + ".tmp", path)
        with open(os.path.join(self.outdir, "envelopes.log"), "a") as f:
            f.write("%04d %s %s %s\n" % (self.n, envelope.mail_from,
                                           ",".join(envelope.rcpt_tos),
                                           "tls" if session.ssl else "plain"))
        return "250 2.0.0 Message accepted"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("port", type=int)
    ap.add_argument("--cert")
    ap.add_argument("--key")
    ap.add_argument("--require-tls", action="store_true")
    ap.add_argument("--auth")
    ap.add_argument("--fail-data", default="451:0")
    ap.add_argument("--reject", action="append", default=[])
    ap.add_argument("--tls13-only", action="store_true")
    ap.add_argument("--delay-data", type=float, default=0.0)
    ap.add_argument("--fault-file")
    a = ap.parse_args()
    code, count = a.fail_data.split(":")
    handler = Handler(a.dir, int(code), int(count), a.reject, a.delay_data)
    kw = {}
    if a.cert:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.cert, a.key)
        if a.tls13_only:
            ctx.minimum_version = ssl.TLSVersion.TLSv1_3

        def sni(sslobj, name, sslctx):
            with open(os.path.join(a.dir, "sni.log"), "a") as f:
                f.write("%s\n" % (name or "-"))
        ctx.sni_callback = sni
        kw["tls_context"] = ctx
        kw["require_starttls"] = a.require_tls
    if a.auth:
        user, password = a.auth.split(":", 1)

        def check(server, session, envelope, mechanism, auth_data):
            ok = isinstance(auth_data, LoginPassword) and \
                auth_data.login.decode() == user and auth_data.password.decode() == password
            # handled=False: aiosmtpd answers 535 itself on failure.
            return AuthResult(success=ok, handled=False)
        kw["authenticator"] = check
        kw["auth_require_tls"] = bool(a.cert)
        kw["auth_required"] = True     # a failed AUTH must not fall back to anonymous mail
    else:
        kw["auth_required"] = False
    if a.fault_file:
        class FaultyController(Controller):
            def factory(self):
                return FaultySMTP(self.handler, a.fault_file, a.dir, **self.SMTP_kwargs)
        c = FaultyController(handler, hostname="127.0.0.1", port=a.port,
                             server_hostname="localhost", **kw)
    else:
        c = Controller(handler, hostname="127.0.0.1", port=a.port, server_hostname="localhost",
                       **kw)
    c.start()
    open(os.path.join(a.dir, "ready"), "w").close()
    try:
        while True:
            time.sleep(3600)
    finally:
        c.stop()


if __name__ == "__main__":
    main()

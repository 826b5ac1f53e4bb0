#!/usr/bin/env python3
"""A real SMTP server for the mail tests (aiosmtpd), independent of Argus's own code.

    smtp_sink.py --dir OUT [--security starttls|tls|none] [--user U --password P]
                 [--no-plain] [--no-starttls]

Generates a self-signed certificate for localhost and 127.0.0.1 with openssl
(OUT/cert.pem, the file the client is told to trust), listens on a free port of
127.0.0.1 and prints "PORT <n>" once it accepts connections. With --user, AUTH is
required (over TLS only) and checked against U/P; --no-plain offers only AUTH LOGIN.
--no-starttls serves plain SMTP without STARTTLS (to test that a client refuses).

Each accepted message is parsed by Python's email package and written as OUT/<n>.json:
envelope sender and recipients, whether the session was encrypted, the user that
authenticated, the decoded From/To/Subject headers, the text and HTML parts, and the
raw message. Runs until stdin closes or SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import email
import email.policy
import json
import signal
import socket
import ssl
import subprocess
import sys
import threading
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def make_certificate(folder: Path) -> tuple[Path, Path]:
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out", str(cert),
         "-days", "2", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True, capture_output=True)
    return cert, key


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Sink:
    def __init__(self, folder: Path):
        self.folder = folder
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's name)
        message = email.message_from_bytes(envelope.original_content or envelope.content, policy=email.policy.default)
        text = message.get_body(preferencelist=("plain",))
        html = message.get_body(preferencelist=("html",))
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": envelope.rcpt_tos,
            "encrypted": session.ssl is not None or server.transport.get_extra_info("ssl_object") is not None,
            "auth_user": session.auth_data.login.decode() if isinstance(session.auth_data, LoginPassword) else None,
            "from": str(message["From"]),
            "to": str(message["To"]),
            "subject": str(message["Subject"]),
            "message_id": str(message["Message-ID"]),
            "text": text.get_content() if text is not None else None,
            "html": html.get_content() if html is not None else None,
            "raw": (envelope.original_content or envelope.content).decode("utf-8", "replace"),
        }
        with self.lock:
            self.count += 1
            name = self.folder / f"{self.count:04d}.json"
        name.with_suffix(".tmp").write_text(json.dumps(record))
        name.with_suffix(".tmp").rename(name)
        return "250 OK queued"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--dir", required=True, type=Path)
    parser.add_argument("--security", choices=["starttls", "tls", "none"], default="starttls")
    parser.add_argument("--user")
    parser.add_argument("--password")
    parser.add_argument("--no-plain", action="store_true")
    parser.add_argument("--no-starttls", action="store_true")
    args = parser.parse_args()
    args.dir.mkdir(parents=True, exist_ok=True)
    cert, key = make_certificate(args.dir)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(cert, key)

    def authenticate(server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and auth_data.login.decode() == args.user \
            and auth_data.password.decode() == args.password
        return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)

    options: dict = {"hostname": "127.0.0.1", "port": free_port()}
    if args.user:
        options.update(authenticator=authenticate, auth_required=True, auth_require_tls=True)
        if args.no_plain:
            options["auth_exclude_mechanism"] = ["PLAIN"]
    if args.security == "starttls" and not args.no_starttls:
        options.update(tls_context=context, require_starttls=True)
    if args.security == "tls":
        options["ssl_context"] = context
        # aiosmtpd counts only STARTTLS as encryption; this connection is TLS from the start.
        options["auth_require_tls"] = False
    controller = Controller(Sink(args.dir), **options)
    controller.start()
    print(f"PORT {controller.port}", flush=True)

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    threading.Thread(target=lambda: (sys.stdin.read(), stop.set()), daemon=True).start()
    stop.wait()
    controller.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())

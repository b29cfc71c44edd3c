"""A real SMTP server for the notification tests: Debian's python3-aiosmtpd
on a loopback port. Run it with Debian's interpreter (/usr/bin/python3),
which has the package.

    smtpd.py --out FILE [--port N] [--user U --password-file F] [--hold S]

Prints "PORT <n>" when it listens. Every message it accepts is appended to
FILE as one JSON line: {"mail_from", "rcpt_tos", "data"}. With --user,
AUTH (PLAIN or LOGIN, allowed without TLS on loopback) is required and
must match. With --hold, the reply to the first message's DATA is held
back S seconds after the message is written to FILE: a client killed in
that time has had its message accepted without hearing so.
"""
import argparse
import asyncio
import json
import sys
import threading
import time

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Handler:
    def __init__(self, out, hold):
        self.out = out
        self.hold = hold
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            with open(self.out, "a") as f:
                f.write(json.dumps({"mail_from": envelope.mail_from,
                                    "rcpt_tos": envelope.rcpt_tos,
                                    "data": envelope.content.decode("utf-8", "replace")})
                        + "\n")
                f.flush()
            hold, self.hold = self.hold, 0
        if hold:
            await asyncio.sleep(hold)
        return "250 Message accepted for delivery"


class Auth:
    def __init__(self, user, password):
        self.user = user
        self.password = password

    def __call__(self, server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and
              auth_data.login.decode() == self.user and
              auth_data.password.decode() == self.password)
        return AuthResult(success=ok, handled=False)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--user")
    ap.add_argument("--password-file")
    ap.add_argument("--hold", type=float, default=0)
    a = ap.parse_args()
    kw = {}
    if a.user:
        with open(a.password_file) as f:
            kw = {"authenticator": Auth(a.user, f.read().strip()),
                  "auth_required": True, "auth_require_tls": False}
    port = a.port
    if port == 0:
        import socket
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()
    c = Controller(Handler(a.out, a.hold), hostname="127.0.0.1", port=port, **kw)
    c.start()
    print("PORT %d" % port, flush=True)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        pass
    finally:
        c.stop()


if __name__ == "__main__":
    sys.exit(main())

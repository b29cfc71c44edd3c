"""A small HTTP server for the project's fakes (Python standard library).

It binds 127.0.0.1 on a free port and prints "PORT <n>" on its first line
of stdout. Besides the fake's own routes it serves a control API:

  POST /_control/faults    a JSON list of faults to inject, each:
      {"path": "/prefix", "times": N,            which requests (default 1)
       "query": "text",                          only those whose query has it
       "skip": N,                                let N matching requests pass first
       "status": 503, "headers": {...}, "body": "...",   a canned reply
       "malformed": true,                        a truncated JSON body
       "hang": seconds,                          no answer for that long
       "drip": bytes_per_second,                 a slow body
       "echo_headers": true,                     the body is the request's headers
                                                 as JSON (a careless server's error)
       "late_reply": seconds,                    handled at once (its log entry
                                                 gets "handled": true), the
                                                 answer held back that long
       "kind": "..."}                            app-specific (see the fake)
  GET  /_control/requests  every request seen: method, path, query, time,
                           and the status answered (once answered)
  POST /_control/reset     forget requests and faults
  POST /_control/data      app-specific data changes (see the fake)
"""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit


class Fake:
    """Subclass and implement route(); use self.fault_kind() for app faults."""

    def __init__(self):
        self.lock = threading.Lock()
        self.faults = []
        self.requests = []
        self.active = 0
        self.max_active = 0
        self.uri_limit = None       # bytes: 414 past it, 431 with the headers

    def route(self, method, path, query, headers, body):
        return 404, {}, b'{"error":"not found"}'

    def data(self, change):
        return 400, {}, b'{"error":"no data changes here"}'

    def take_fault(self, path, kind=None, query=None):
        with self.lock:
            for f in self.faults:
                if f.get("times", 1) <= 0 or not path.startswith(f.get("path", "/")):
                    continue
                if "query" in f and (query is None or f["query"] not in query):
                    continue
                if (f.get("kind") is None) != (kind is None) or \
                        (kind is not None and f.get("kind") != kind):
                    continue
                if f.get("skip", 0) > 0:
                    f["skip"] -= 1
                    continue
                f["times"] = f.get("times", 1) - 1
                return f
        return None


def make_handler(fake):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *a):
            pass

        def reply(self, status, headers, body):
            entry = getattr(self, "entry", None)
            if entry is not None:
                with fake.lock:
                    entry["status"] = status
            self.send_response(status)
            for k, v in headers.items():
                self.send_header(k, v)
            if "Content-Length" not in headers:
                self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def handle_any(self, method):
            u = urlsplit(self.path)
            n = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(n) if n else b""
            self.entry = None
            if u.path.startswith("/_control/"):
                return self.control(u.path, body)
            with fake.lock:
                entry = {"method": method, "path": u.path, "query": u.query,
                         "time": time.time(),
                         "authorization": bool(self.headers.get("Authorization"))}
                fake.requests.append(entry)
                self.entry = entry
                fake.active += 1
                fake.max_active = max(fake.max_active, fake.active)
            try:
                if fake.uri_limit and len(self.path) > fake.uri_limit:
                    return self.reply(414, {"Content-Type": "text/html"},
                                      b"<h1>414 URI Too Long</h1>")
                if fake.uri_limit and len(self.path) + sum(
                        len(k) + len(v) + 4 for k, v in self.headers.items()) > fake.uri_limit:
                    return self.reply(431, {"Content-Type": "text/html"},
                                      b"<h1>431 Request Header Fields Too Large</h1>")
                f = fake.take_fault(u.path, query=u.query)
                if f and not f.get("late_reply"):
                    return self.serve_fault(f)
                q = {k: v[-1] for k, v in parse_qs(u.query).items()}
                status, headers, out = fake.route(method, u.path, q, self.headers, body)
                if f:
                    with fake.lock:
                        entry["handled"] = True
                    time.sleep(f["late_reply"])
                self.reply(status, headers, out)
            finally:
                with fake.lock:
                    fake.active -= 1

        def serve_fault(self, f):
            if f.get("hang"):
                time.sleep(f["hang"])
                self.close_connection = True
                return
            body = f.get("body", "").encode()
            if f.get("echo_headers"):
                body = json.dumps({"error": "denied",
                                   "request_headers": dict(self.headers)}).encode()
            headers = dict(f.get("headers", {}))
            headers.setdefault("Content-Type", "application/json")
            if f.get("malformed"):
                body = b'{"data": [{"id": "X1", "partner": {'
            if f.get("drip"):
                with fake.lock:
                    self.entry["status"] = f.get("status", 200)
                self.send_response(f.get("status", 200))
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body) * 100))
                self.end_headers()
                for _ in range(len(body) * 100):
                    self.wfile.write(b" ")
                    self.wfile.flush()
                    time.sleep(1.0 / f["drip"])
                return
            self.reply(f.get("status", 200), headers, body)

        def control(self, path, body):
            if path == "/_control/faults":
                with fake.lock:
                    fake.faults.extend(json.loads(body or b"[]"))
                return self.reply(200, {}, b"{}")
            if path == "/_control/requests":
                with fake.lock:
                    out = json.dumps({"requests": fake.requests,
                                      "max_active": fake.max_active}).encode()
                return self.reply(200, {"Content-Type": "application/json"}, out)
            if path == "/_control/reset":
                with fake.lock:
                    fake.faults, fake.requests, fake.max_active = [], [], 0
                return self.reply(200, {}, b"{}")
            if path == "/_control/data":
                status, headers, out = fake.data(json.loads(body or b"{}"))
                return self.reply(status, headers, out)
            return self.reply(404, {}, b"{}")

        def do_GET(self):
            self.handle_any("GET")

        def do_POST(self):
            self.handle_any("POST")

        def do_PATCH(self):
            self.handle_any("PATCH")

        def do_DELETE(self):
            self.handle_any("DELETE")

    return Handler


def serve(fake, cert=None, key=None):
    srv = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(fake))
    srv.daemon_threads = True
    if cert:
        import ssl
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    print("PORT %d" % srv.server_address[1], flush=True)
    try:
        srv.serve_forever()
    except KeyboardInterrupt:
        pass
    sys.exit(0)

"""Serves pre-rendered Salesforce query pages (gen_pages.py) as fast as
Python can, so that the benchmark measures the clients, not the server.
Usage: static_sf.py PAGEDIR; prints "PORT <n>". GET /_count: requests per
kind so far ("write": any POST, PATCH or DELETE but the login)."""
import json
import os
import re
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

DIR = sys.argv[1]
META = json.load(open(os.path.join(DIR, "meta.json")))
LAST = None
counts = {}
lock = threading.Lock()


def newest():
    global LAST
    if LAST is None:
        with open(os.path.join(DIR, "page-%04d.json" % (META["pages"] - 1)), "rb") as f:
            LAST = json.load(f)["records"][-1]["SystemModstamp"][:19] + "Z"
    return LAST


class H(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def send(self, body, status=200):
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Sforce-Limit-Info", "api-usage=1/100000000")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def count(self, k):
        with lock:
            counts[k] = counts.get(k, 0) + 1

    def write(self):
        n = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(n)
        self.count("write")
        self.send(b'[]')

    do_PATCH = do_DELETE = write

    def do_POST(self):
        if self.path != "/services/oauth2/token":
            return self.write()
        n = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(n)
        self.count("token")
        base = "http://" + self.headers["Host"]
        self.send(json.dumps({"access_token": "00Dbench!token", "instance_url": base,
                              "id": base + "/id/00D/005", "token_type": "Bearer",
                              "issued_at": "0"}).encode())

    def do_GET(self):
        u = urlsplit(self.path)
        if u.path == "/_count":
            return self.send(json.dumps(counts).encode())
        m = re.match(r"^/services/data/v[\d.]+/query/01gBENCH-(\d+)$", u.path)
        if m:
            self.count("page")
            with open(os.path.join(DIR, "page-%04d.json" % (int(m.group(1)) // META["per"])),
                      "rb") as f:
                return self.send(f.read())
        q = parse_qs(u.query).get("q", [""])[0]
        if "/sobjects/" in u.path:
            self.count("deleted")
            return self.send(b'{"deletedRecords":[],"earliestDateAvailable":'
                             b'"2020-01-01T00:00:00.000+0000","latestDateCovered":'
                             b'"2030-01-01T00:00:00.000+0000"}')
        self.count("query")
        empty = b'{"totalSize":0,"done":true,"records":[]}'
        if "FROM Opportunity" not in q:
            if "OpportunityStage" in q:
                return self.send(json.dumps({"totalSize": 1, "done": True, "records": [
                    {"attributes": {"type": "OpportunityStage"}, "ApiName": "Proposal",
                     "MasterLabel": "Proposal", "DefaultProbability": 50, "IsClosed": False,
                     "IsWon": False, "ForecastCategoryName": "Pipeline"}]}).encode())
            return self.send(empty)
        if "LIMIT 1" in q:
            return self.send(json.dumps({"totalSize": 1, "done": True, "records": [
                {"attributes": {"type": "Opportunity"},
                 "SystemModstamp": META["oldest"]}]}).encode())
        lo = re.search(r"SystemModstamp >= (\S+)", q)
        if lo and lo.group(1) > newest():
            return self.send(empty)
        with open(os.path.join(DIR, "page-0000.json"), "rb") as f:
            self.send(f.read())


srv = ThreadingHTTPServer(("127.0.0.1", 0), H)
print("PORT %d" % srv.server_address[1], flush=True)
srv.serve_forever()

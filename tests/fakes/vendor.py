"""Two fake deal-registration systems, deliberately unlike each other.

  python3 tests/fakes/vendor.py portal --data FILE --token TOKEN
      A vendor's own portal: GET /api/v2/registrations?updated_since=ISO
      &cursor=C&limit=N with a bearer token (or X-Api-Key: TOKEN); nested
      records, ISO times
      with offsets; {"data": [...], "meta": {"next_cursor": ...}}.
      POST /api/v2/decisions takes an operator's decision (JSON), once
      per Idempotency-Key; GET /api/v2/decisions lists those taken.

  python3 tests/fakes/vendor.py hub --data FILE --user U --password P
      A multi-vendor registration hub: GET /v1/deals?modified_after=MS
      &page=N&per_page=M with basic auth; flat records, epoch-millisecond
      times, other status words, EUR/GBP/CHF; a bare JSON array, and the
      next page in a Link header (RFC 8288).

Both print "PORT <n>" and serve the control API of fakehttp.py; with
--cert/--key they speak https. App
faults ("kind"): portal "repeat_cursor" (the next cursor is the one just
used), portal "raw_records" (its "records_hex" are written, as raw bytes,
at the head of the page's data array: invalid UTF-8, a name twice, a
number too big), hub "link_offsite" (the next link points at another host).
Data changes (POST /_control/data): {"update": {"ID": {field: value}}}
bumps the record's update time to now; {"add": [record, ...]}.
"""
import argparse
import base64
import datetime
import json
import time

import fakehttp


def parse_iso(s):
    return datetime.datetime.fromisoformat(s.replace("Z", "+00:00")).timestamp()


def now_iso():
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="seconds")


class Portal(fakehttp.Fake):
    def __init__(self, records, token):
        super().__init__()
        self.records = records
        self.token = token
        self.decisions = []

    def data(self, change):
        with self.lock:
            for rid, fields in change.get("update", {}).items():
                for r in self.records:
                    if r["id"] == rid:
                        r.update(fields)
                        r["updated_at"] = now_iso()
            self.records.extend(change.get("add", []))
        return 200, {}, b"{}"

    def decision(self, method, headers, body):
        """POST /api/v2/decisions: one decision, kept once per
        Idempotency-Key (201 new, 200 repeated); GET lists them."""
        if method == "GET":
            with self.lock:
                return 200, {"Content-Type": "application/json"}, \
                    json.dumps(self.decisions).encode()
        key = headers.get("Idempotency-Key")
        if method != "POST" or not key:
            return 400, {}, b'{"error":"an Idempotency-Key is required"}'
        try:
            d = json.loads(body)
        except ValueError:
            return 400, {}, b'{"error":"not JSON"}'
        with self.lock:
            if any(x["key"] == key for x in self.decisions):
                return 200, {}, b'{"status":"already recorded"}'
            self.decisions.append({"key": key, "decision": d})
        return 201, {}, b'{"status":"recorded"}'

    def route(self, method, path, q, headers, body):
        if path not in ("/api/v2/registrations", "/api/v2/decisions") or \
                (path == "/api/v2/registrations" and method != "GET"):
            return 404, {}, b'{"error":"not_found"}'
        if headers.get("Authorization") != "Bearer " + self.token and \
                headers.get("X-Api-Key") != self.token:
            return 401, {"WWW-Authenticate": "Bearer"}, b'{"error":"invalid_token"}'
        if path == "/api/v2/decisions":
            return self.decision(method, headers, body)
        def stamp(r):      # junk records (tests) sort first and always show
            try:
                return parse_iso(r["updated_at"])
            except (TypeError, KeyError, ValueError):
                return 0.0
        with self.lock:
            rows = sorted(self.records, key=lambda r: (stamp(r), str(r)))
        if "updated_since" in q:
            try:
                since = parse_iso(q["updated_since"])
            except ValueError:
                return 400, {}, b'{"error":"bad updated_since"}'
            rows = [r for r in rows if stamp(r) == 0.0 or stamp(r) >= since]
        limit = min(int(q.get("limit", 25)), 100)
        cursor = q.get("cursor")
        start = int(base64.urlsafe_b64decode(cursor.encode()).decode()[1:]) if cursor else 0
        page = rows[start:start + limit]
        nxt = None
        if start + limit < len(rows):
            nxt = base64.urlsafe_b64encode(("c%d" % (start + limit)).encode()).decode()
        if self.take_fault(path, "repeat_cursor"):
            nxt = cursor or base64.urlsafe_b64encode(b"c0").decode()
        out = {"data": page, "meta": {"next_cursor": nxt, "total": len(rows)}}
        raw = json.dumps(out).encode()
        f = self.take_fault(path, "raw_records")
        if f:
            extra = b"".join(bytes.fromhex(h) + b", " for h in f["records_hex"])
            raw = raw.replace(b'"data": [', b'"data": [' + extra, 1)
        return 200, {"Content-Type": "application/json"}, raw


class Hub(fakehttp.Fake):
    def __init__(self, records, user, password):
        super().__init__()
        self.records = records
        self.auth = "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode()

    def data(self, change):
        with self.lock:
            for rid, fields in change.get("update", {}).items():
                for r in self.records:
                    if str(r["deal_id"]) == str(rid):
                        r.update(fields)
                        r["modified_ms"] = int(time.time() * 1000)
            self.records.extend(change.get("add", []))
        return 200, {}, b"{}"

    def route(self, method, path, q, headers, body):
        if path != "/v1/deals" or method != "GET":
            return 404, {}, b'{"message":"Not Found"}'
        if headers.get("Authorization") != self.auth:
            return 401, {"WWW-Authenticate": 'Basic realm="hub"'}, b'{"message":"Bad credentials"}'
        with self.lock:
            rows = sorted(self.records, key=lambda r: (r["modified_ms"], r["deal_id"]))
        if "modified_after" in q:
            rows = [r for r in rows if r["modified_ms"] >= int(q["modified_after"])]
        per = min(int(q.get("per_page", 20)), 50)
        page = int(q.get("page", 1))
        chunk = rows[(page - 1) * per:page * per]
        host = headers.get("Host")
        base = "http://%s/v1/deals?" % host
        if "modified_after" in q:
            base += "modified_after=%s&" % q["modified_after"]
        links = []
        if page * per < len(rows):
            nxt = base + "page=%d&per_page=%d" % (page + 1, per)
            if self.take_fault(path, "link_offsite"):
                nxt = nxt.replace("127.0.0.1", "127.0.0.2")
            links.append('<%s>; rel="next"' % nxt)
        last = max(1, (len(rows) + per - 1) // per)
        links.append('<%spage=%d&per_page=%d>; rel="last"' % (base, last, per))
        return 200, {"Content-Type": "application/json", "Link": ", ".join(links),
                     "X-Total-Count": str(len(rows))}, json.dumps(chunk).encode()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", choices=["portal", "hub"])
    ap.add_argument("--data", required=True)
    ap.add_argument("--token", default="portal-test-token")
    ap.add_argument("--user", default="chansync")
    ap.add_argument("--password", default="hub-test-password")
    ap.add_argument("--cert", help="serve https with this certificate (PEM)")
    ap.add_argument("--key", help="and this private key")
    a = ap.parse_args()
    with open(a.data) as f:
        records = json.load(f)
    fake = Portal(records, a.token) if a.kind == "portal" else \
        Hub(records, a.user, a.password)
    fakehttp.serve(fake, a.cert, a.key)


main()

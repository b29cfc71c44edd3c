"""A Salesforce REST emulator for chansync's tests (Python standard library).

    python3 tests/fakes/sfemu.py --config CONFIG.json

CONFIG: {"data": org.json, "client_id": ..., "client_secret": ...,
         "users": [username, ...], "public_key": PEM file (JWT bearer),
         "refresh_tokens": [token, ...], "rotate_refresh_tokens": bool,
         "token_lifetime": seconds, "daily_limit": N, "api_version_min": 41}

It implements the Salesforce wire behaviour chansync relies on: the OAuth token
endpoint (JWT bearer with real RS256 verification and aud/exp/skew checks,
client credentials, refresh token with rotation and the concurrent-use
error), 401 INVALID_SESSION_ID for expired tokens, versions, limits,
sobjects and describe, query/queryAll with a SOQL subset, batchSize and
nextRecordsUrl cursors, Salesforce value encoding, getUpdated/getDeleted
with minute granularity and a 15-day window, Sforce-Limit-Info on every
REST response and 403 REQUEST_LIMIT_EXCEEDED past the daily limit, gzip,
sObject Collections create/update/upsert with per-record results (always
200; 400 past 200 records), SystemModstamp maintained on every write.

Test control (besides fakehttp's faults and request log), POST
/_control/data with any of:
  {"settings": {"query_timeout_window": seconds,  QUERY_TIMEOUT for queries
                                                   with a wider (or open)
                                                   SystemModstamp range
                "fail_records": {key: statusCode}, per-record failures by
                                                   Id or external id
                                                   (DUPLICATES_DETECTED is an
                                                   alerting rule: allowSave
                                                   lets the record through)
                "refresh_delay": seconds,          a slow token refresh
                "daily_limit": N, "api_usage": N, "token_lifetime": s}}
  {"expire_tokens": true}
  {"update": {Object: {Id: {Field: value}}}}       bumps SystemModstamp (unless
                                                   given); "Field=value" for
                                                   Id finds by external id
  {"create": {Object: [{Field: value}, ...]}}     Id and SystemModstamp may
                                                   be given
  {"delete": {Object: [Id or {"Id", "SystemModstamp"}, ...]}}  soft delete
  {"purge": {Object: [{"Id", "deletedDate"}]}}    hard-deleted: only
                                                   getDeleted still knows
  {"hide": [Id, ...]} / {"reveal": [Id, ...]}    rows queries cannot see
                                                   yet (a long transaction)
GET /_state/Object returns every record of an object (as stored).
Fault kinds (fakehttp "kind"): "expire_token" (this request finds its
token expired: 401 mid-pagination).
"""
import argparse
import base64
import datetime
import gzip
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from urllib.parse import parse_qs, unquote

import fakehttp
import sfjwt
import soql
from sfschema import SCHEMA

VERSIONS = ["%d.0" % v for v in range(41, 63)]
SKEW = 180


def now_ms():
    return int(time.time() * 1000)


def iso_sf(ms):
    return soql.fmt_value("datetime", ms)


def err(status, code, message, fields=None):
    e = {"message": message, "errorCode": code}
    if fields is not None:
        e["fields"] = fields
    return status, [e]


def oauth_err(error, desc):
    return 400, {"error": error, "error_description": desc}


def parse_value(field, v):
    """A JSON value from a request or fixture to the stored form."""
    if v is None:
        return None
    t = field["type"]
    if t == "datetime":
        if isinstance(v, (int, float)):
            return int(v)
        s = v.replace("Z", "+00:00")
        if re.search(r"[+-]\d{4}$", s):
            s = s[:-2] + ":" + s[-2:]
        return int(datetime.datetime.fromisoformat(s).timestamp() * 1000)
    if t in ("double", "currency", "percent", "int"):
        if not isinstance(v, (int, float)) or isinstance(v, bool):
            raise ValueError("not a number")
        return v
    if t == "boolean":
        if not isinstance(v, bool):
            raise ValueError("not a boolean")
        return v
    if not isinstance(v, str):
        raise ValueError("not a string")
    return v


class Org:
    def __init__(self, data):
        self.lock = threading.RLock()
        self.records = {}
        self.deleted_log = []           # (object_lower, id, ms)
        self.counters = {}
        self.created_ms = now_ms() - 400 * 86400 * 1000
        for obj_name, rows in data.items():
            o = SCHEMA[obj_name.lower()]
            store = self.records.setdefault(obj_name.lower(), {})
            for r in rows:
                rec = {}
                for k, v in r.items():
                    f = o["fields"].get(k.lower())
                    if f is None:
                        raise SystemExit("fixture: %s.%s is not in the schema" % (obj_name, k))
                    rec[f["name"]] = parse_value(f, v)
                rec.setdefault("IsDeleted", False)
                for k in ("CreatedDate", "LastModifiedDate", "SystemModstamp"):
                    rec.setdefault(k, self.created_ms)
                store[rec["Id"]] = rec
        for o in SCHEMA.values():
            self.records.setdefault(o["name"].lower(), {})
        self.derive_all()
        self.hidden = set()             # Ids queries cannot see yet

    def new_id(self, obj):
        prefix = obj["keyPrefix"]
        n = self.counters.get(prefix, 0) + 1
        self.counters[prefix] = n
        chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
        s = ""
        for _ in range(7):
            s = chars[n % 62] + s
            n //= 62
        return prefix + "9z" + "000" + s + "EMU"

    def derive(self, obj_lower, rec):
        """Read-only fields Salesforce computes."""
        if obj_lower == "opportunity":
            stages = {r["ApiName"].lower(): r for r in self.records.get("opportunitystage",
                                                                        {}).values()}
            st = stages.get((rec.get("StageName") or "").lower())
            if st:
                rec["IsClosed"] = st["IsClosed"]
                rec["IsWon"] = st["IsWon"]
                rec["ForecastCategoryName"] = st["ForecastCategoryName"]
                if rec.get("Probability") is None:
                    rec["Probability"] = st["DefaultProbability"]
            if rec.get("Amount") is not None and rec.get("Probability") is not None:
                rec["ExpectedRevenue"] = rec["Amount"] * rec["Probability"] / 100.0

    def derive_all(self):
        for o, rows in self.records.items():
            for r in rows.values():
                self.derive(o, r)

    def touch(self, rec, ms=None):
        rec["SystemModstamp"] = rec["LastModifiedDate"] = ms or now_ms()


class Emulator(fakehttp.Fake):
    def __init__(self, cfg):
        super().__init__()
        with open(cfg["data"]) as f:
            self.org = Org(json.load(f))
        self.cfg = cfg
        self.settings = {"query_timeout_window": None, "fail_records": {},
                         "refresh_delay": 0, "daily_limit": cfg.get("daily_limit", 100000),
                         "api_usage": 0, "token_lifetime": cfg.get("token_lifetime", 7200)}
        self.public_key = None
        if cfg.get("public_key"):
            with open(cfg["public_key"]) as f:
                self.public_key = sfjwt.load_public_key(f.read())
        self.tokens = {}                # token -> {"expires": s, "user": ...}
        self.refresh_tokens = set(cfg.get("refresh_tokens", []))
        self.refresh_busy = set()
        self.cursors = {}               # id -> rows
        self.used_jtis = set()
        self.uri_limit = 16384          # Salesforce answers 414 / 431 past this

    # ---- control ----

    def data(self, change):
        with self.org.lock:
            self.settings.update(change.get("settings", {}))
            if change.get("expire_tokens"):
                self.tokens.clear()
            for obj_name, rows in change.get("update", {}).items():
                o = SCHEMA[obj_name.lower()]
                for rid, fields in rows.items():
                    if "=" in rid:          # "Ext_Field__c=value": by external id
                        k, v = rid.split("=", 1)
                        rid = [r["Id"] for r in self.org.records[obj_name.lower()].values()
                               if r.get(k) == v][0]
                    rec = self.org.records[obj_name.lower()][rid]
                    for k, v in fields.items():
                        f = o["fields"][k.lower()]
                        rec[f["name"]] = parse_value(f, v)
                    self.org.derive(obj_name.lower(), rec)
                    if "SystemModstamp" not in fields:
                        self.org.touch(rec)
            for obj_name, rows in change.get("create", {}).items():
                for fields in rows:
                    self.create(SCHEMA[obj_name.lower()], dict(fields), check=False)
            for obj_name, ids in change.get("delete", {}).items():
                for rid in ids:
                    stamp = None
                    if isinstance(rid, dict):     # {"Id": ..., "SystemModstamp": ...}
                        stamp = parse_value(SCHEMA[obj_name.lower()]["fields"]
                                            ["systemmodstamp"], rid.get("SystemModstamp"))
                        rid = rid["Id"]
                    rec = self.org.records[obj_name.lower()][rid]
                    rec["IsDeleted"] = True
                    self.org.touch(rec, stamp)
                    self.org.deleted_log.append((obj_name.lower(), rid, rec["SystemModstamp"]))
            for obj_name, rows in change.get("purge", {}).items():
                f = SCHEMA[obj_name.lower()]["fields"]["systemmodstamp"]
                for r in rows:               # gone from the Recycle Bin too
                    self.org.records[obj_name.lower()].pop(r["Id"], None)
                    self.org.deleted_log.append((obj_name.lower(), r["Id"],
                                                 parse_value(f, r["deletedDate"])))
            for rid in change.get("hide", []):
                self.org.hidden.add(rid)
            for rid in change.get("reveal", []):
                self.org.hidden.discard(rid)
        return 200, {}, b"{}"

    def route(self, method, path, q, headers, body):
        status, out, extra = self.dispatch(method, path, q, headers, body)
        hdrs = {"Content-Type": "application/json;charset=UTF-8"}
        hdrs.update(extra)
        payload = b"" if out is None else json.dumps(out).encode()
        if payload and "gzip" in (headers.get("Accept-Encoding") or "") and len(payload) > 256:
            payload = gzip.compress(payload)
            hdrs["Content-Encoding"] = "gzip"
        return status, hdrs, payload

    # ---- dispatch ----

    def dispatch(self, method, path, q, headers, body):
        if path == "/services/oauth2/token" and method == "POST":
            status, out = self.token(headers, body)
            return status, out, {}
        if path.startswith("/_state/"):
            return 200, self.state(path[len("/_state/"):]), {}
        if path in ("/services/data", "/services/data/"):
            return 200, [{"version": v, "label": "v" + v,
                          "url": "/services/data/v" + v} for v in VERSIONS], {}
        m = re.match(r"^/services/data/v(\d+\.\d)(/.*)?$", path)
        if not m:
            return 404, [{"message": "The requested resource does not exist",
                          "errorCode": "NOT_FOUND"}], {}
        version, rest = m.group(1), m.group(2) or "/"
        with self.org.lock:
            usage, limit = self.settings["api_usage"], self.settings["daily_limit"]
            if usage >= limit:
                return 403, [{"message": "TotalRequests Limit exceeded.",
                              "errorCode": "REQUEST_LIMIT_EXCEEDED"}], {
                    "Sforce-Limit-Info": "api-usage=%d/%d" % (usage, limit)}
            self.settings["api_usage"] = usage + 1
            info = {"Sforce-Limit-Info": "api-usage=%d/%d" % (usage + 1, limit)}
        if version not in VERSIONS:
            return 404, [{"message": "The requested resource does not exist",
                          "errorCode": "NOT_FOUND"}], info
        auth = headers.get("Authorization") or ""
        tok = self.tokens.get(auth[7:]) if auth.startswith("Bearer ") else None
        if self.take_fault(path, "expire_token"):
            self.tokens.clear()
            tok = None
        if tok is None or tok["expires"] < time.time():
            return 401, [{"message": "Session expired or invalid",
                          "errorCode": "INVALID_SESSION_ID"}], info
        tok["expires"] = time.time() + self.settings["token_lifetime"]   # idle timeout
        status, out = self.rest(method, version, rest, q, headers, body)
        return status, out, info

    def state(self, obj):
        with self.org.lock:
            if obj == "_refresh_tokens":
                return sorted(self.refresh_tokens)
            if obj == "_tokens":
                return len(self.tokens)
            return list(self.org.records.get(obj.lower(), {}).values())

    # ---- OAuth ----

    def issue(self, user, base, refresh=None):
        tok = "00D9z000000EMU1!" + secrets.token_urlsafe(40)
        self.tokens[tok] = {"expires": time.time() + self.settings["token_lifetime"],
                            "user": user}
        issued = str(now_ms())
        ident = "%s/id/00D9z000000EMU1/005%s" % (base, hashlib.sha1(user.encode())
                                                  .hexdigest()[:15])
        sig = base64.b64encode(hmac.new((self.cfg.get("client_secret") or "x").encode(),
                                        (ident + issued).encode(),
                                        hashlib.sha256).digest()).decode()
        out = {"access_token": tok, "instance_url": base, "id": ident,
               "token_type": "Bearer", "issued_at": issued, "signature": sig,
               "scope": "api"}
        if refresh:
            out["refresh_token"] = refresh
        return 200, out

    def token(self, headers, body):
        form = {k: v[-1] for k, v in parse_qs(body.decode(), keep_blank_values=True).items()}
        base = "http://" + headers.get("Host", "127.0.0.1")
        grant = form.get("grant_type")
        if grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
            try:
                _, claims = sfjwt.verify_rs256(form.get("assertion", ""), self.public_key)
            except (ValueError, TypeError, KeyError) as e:
                return oauth_err("invalid_grant", "invalid assertion")
            aud = claims.get("aud")
            if not isinstance(aud, str) or aud.rstrip("/") not in (
                    base, "https://login.salesforce.com", "https://test.salesforce.com"):
                return oauth_err("invalid_grant", "audience is invalid")
            if claims.get("iss") != self.cfg.get("client_id"):
                return oauth_err("invalid_client_id", "client identifier invalid")
            exp = claims.get("exp")
            if not isinstance(exp, (int, float)) or exp < time.time() - SKEW or \
                    exp > time.time() + 3600:
                return oauth_err("invalid_grant", "expired authorization code")
            user = claims.get("prn") or claims.get("sub")
            if user not in self.cfg.get("users", []):
                return oauth_err("invalid_grant", "user hasn't approved this consumer")
            return self.issue(user, base)
        if grant == "client_credentials":
            if form.get("client_id") != self.cfg.get("client_id") or \
                    form.get("client_secret") != self.cfg.get("client_secret"):
                return oauth_err("invalid_client", "invalid client credentials")
            return self.issue(self.cfg.get("users", ["integration@emu"])[0], base)
        if grant == "refresh_token":
            if form.get("client_id") != self.cfg.get("client_id") or (
                    form.get("client_secret") not in (None, self.cfg.get("client_secret"))):
                return oauth_err("invalid_client", "invalid client credentials")
            rt = form.get("refresh_token")
            with self.org.lock:
                if rt in self.refresh_busy:
                    return oauth_err("invalid_grant", "token request is already being "
                                     "processed")
                if rt not in self.refresh_tokens:
                    return oauth_err("invalid_grant", "expired access/refresh token")
                self.refresh_busy.add(rt)
            try:
                if self.settings["refresh_delay"]:
                    time.sleep(self.settings["refresh_delay"])
                new = None
                if self.cfg.get("rotate_refresh_tokens"):
                    new = "5Aep" + secrets.token_urlsafe(30)
                    with self.org.lock:
                        self.refresh_tokens.discard(rt)
                        self.refresh_tokens.add(new)
                return self.issue(self.cfg.get("users", ["integration@emu"])[0], base, new)
            finally:
                with self.org.lock:
                    self.refresh_busy.discard(rt)
        return oauth_err("unsupported_grant_type", "grant type not supported")

    # ---- REST ----

    def rest(self, method, version, rest, q, headers, body):
        if rest in ("/", ""):
            return 200, {"sobjects": "/services/data/v%s/sobjects" % version,
                         "query": "/services/data/v%s/query" % version,
                         "limits": "/services/data/v%s/limits" % version}
        if rest.rstrip("/") == "/limits":
            s = self.settings
            return 200, {"DailyApiRequests": {"Max": s["daily_limit"],
                                              "Remaining": s["daily_limit"] - s["api_usage"]}}
        if rest.rstrip("/") == "/sobjects":
            return 200, {"sobjects": [{"name": o["name"], "keyPrefix": o["keyPrefix"]}
                                      for o in SCHEMA.values()]}
        m = re.match(r"^/sobjects/(\w+)/describe/?$", rest)
        if m and method == "GET":
            o = SCHEMA.get(m.group(1).lower())
            if o is None:
                return err(404, "NOT_FOUND", "The requested resource does not exist")
            return 200, self.describe(o)
        m = re.match(r"^/(query|queryAll)/?$", rest)
        if m and method == "GET":
            return self.query(q.get("q", ""), m.group(1) == "queryAll", version, headers)
        m = re.match(r"^/query(?:All)?/([A-Za-z0-9]+)-(\d+)$", rest)
        if m and method == "GET":
            return self.more(m.group(1), int(m.group(2)), version, headers)
        m = re.match(r"^/sobjects/(\w+)/(deleted|updated)/?$", rest)
        if m and method == "GET":
            return self.changes(m.group(1), m.group(2), q)
        if rest.rstrip("/") == "/composite/sobjects" and method in ("POST", "PATCH"):
            return self.collections(method, None, None, body, headers)
        m = re.match(r"^/composite/sobjects/(\w+)/(\w+)/?$", rest)
        if m and method == "PATCH":
            return self.collections("UPSERT", m.group(1), m.group(2), body, headers)
        return err(404, "NOT_FOUND", "The requested resource does not exist")

    def describe(self, o):
        """describe as this user sees it; settings["describe"] changes it
        for a test: {"hide": ["Obj.Field"]} (missing or not readable),
        "readonly": [...], "length": {"Obj.Field": n},
        "drop_values": {"Obj.Field": ["value"]}}."""
        d = self.settings.get("describe") or {}
        fields = []
        for f in o["fields"].values():
            key = "%s.%s" % (o["name"], f["name"])
            if key in d.get("hide", []):
                continue
            f = json.loads(json.dumps(f))
            f.setdefault("picklistValues", [])
            if isinstance(f.get("referenceTo"), str):
                f["referenceTo"] = [f["referenceTo"]]   # describe lists them
            if key in d.get("readonly", []):
                f["createable"] = f["updateable"] = False
            if key in d.get("length", {}):
                f["length"] = d["length"][key]
            drop = d.get("drop_values", {}).get(key, [])
            f["picklistValues"] = [v for v in f["picklistValues"] if v["value"] not in drop]
            fields.append(f)
        return {"name": o["name"], "keyPrefix": o["keyPrefix"], "createable": True,
                "updateable": True, "queryable": True, "fields": fields}

    def page_size(self, headers):
        m = re.search(r"batchSize=(\d+)", headers.get("Sforce-Query-Options") or "")
        n = int(m.group(1)) if m else 2000
        return max(200, min(2000, n))

    def query(self, text, include_deleted, version, headers):
        try:
            qry = soql.parse(text)
            ctx = soql.Context(SCHEMA, self.org.records)
            with self.org.lock:
                win = self.settings["query_timeout_window"]
                lo, hi = window_of(qry.where) if qry.where is not None else (None, None)
                # a SystemModstamp range wider than the setting times out
                # (an open end is as wide as can be); other queries run
                if win and (lo is not None or hi is not None):
                    if lo is None or hi is None or hi - lo > win * 1000:
                        return err(400, "QUERY_TIMEOUT", "Your query request was running "
                                   "for too long.")
                saved = {}
                for rid in self.org.hidden:
                    for o, rows in self.org.records.items():
                        if rid in rows:
                            saved[(o, rid)] = rows.pop(rid)
                try:
                    rows = soql.run(ctx, qry, include_deleted, version)
                finally:
                    for (o, rid), r in saved.items():
                        self.org.records[o][rid] = r
        except soql.SoqlError as e:
            return err(400, e.code, e.message)
        cid = secrets.token_hex(8)
        self.cursors[cid] = rows
        return self.page(cid, 0, version, headers)

    def page(self, cid, offset, version, headers):
        rows = self.cursors[cid]
        n = self.page_size(headers)
        chunk = rows[offset:offset + n]
        out = {"totalSize": len(rows), "done": offset + n >= len(rows), "records": chunk}
        if not out["done"]:
            out["nextRecordsUrl"] = "/services/data/v%s/query/%s-%d" % (version, cid,
                                                                       offset + n)
        return 200, out

    def more(self, cid, offset, version, headers):
        if cid not in self.cursors:
            return err(400, "INVALID_QUERY_LOCATOR", "invalid query locator")
        return self.page(cid, offset, version, headers)

    def changes(self, obj_name, kind, q):
        o = SCHEMA.get(obj_name.lower())
        if o is None:
            return err(404, "NOT_FOUND", "The requested resource does not exist")
        try:
            start = soql.parse_datetime(q["start"].replace(" ", "+"))
            end = soql.parse_datetime(q["end"].replace(" ", "+"))
        except (KeyError, ValueError):
            return err(400, "MALFORMED_QUERY", "start and end are required dateTimes")
        minute = 60000
        start -= start % minute
        end -= end % minute
        now = now_ms()
        window = (15 if kind == "deleted" else 30) * 86400 * 1000
        earliest = max(self.org.created_ms, now - window)
        earliest -= earliest % minute
        if start < now - window - minute:
            return err(400, "INVALID_REPLICATION_DATE",
                       "startDate cannot be more than %d days ago"
                       % (15 if kind == "deleted" else 30))
        latest = min(end, now - now % minute)
        with self.org.lock:
            if kind == "deleted":
                recs = [{"id": rid, "deletedDate": iso_sf(ms)} for ol, rid, ms in
                        self.org.deleted_log if ol == o["name"].lower() and
                        start <= ms < latest]
                return 200, {"deletedRecords": recs,
                             "earliestDateAvailable": iso_sf(earliest),
                             "latestDateCovered": iso_sf(latest)}
            ids = [r["Id"] for r in self.org.records[o["name"].lower()].values()
                   if start <= r["SystemModstamp"] < latest and not r["IsDeleted"]]
            return 200, {"ids": ids, "latestDateCovered": iso_sf(latest)}

    # ---- writes ----

    def check_fields(self, o, fields, creating):
        for k in fields:
            if k == "attributes":
                continue
            f = o["fields"].get(k.lower())
            if f is None:
                return err(400, "INVALID_FIELD", "No such column '%s' on sobject of type %s"
                           % (k, o["name"]), [k])
            if k.lower() == "id":
                continue
            if not (f["createable"] if creating else f["updateable"]):
                return err(400, "INVALID_FIELD_FOR_INSERT_UPDATE",
                           "Unable to create/update fields: %s. Please check the security "
                           "settings of this field and verify that it is read/write for your "
                           "profile or permission set." % k, [k])
        return None

    def owner_problem(self, fields):
        """An OwnerId must name an active User, as Salesforce checks it."""
        oid = next((v for k, v in fields.items() if k.lower() == "ownerid"), None)
        if oid is None:
            return None
        u = self.org.records.get("user", {}).get(oid)
        if u is None or u["IsDeleted"]:
            return {"success": False, "errors": [{
                "statusCode": "INVALID_CROSS_REFERENCE_KEY",
                "message": "invalid cross reference id", "fields": ["OwnerId"]}]}
        if not u.get("IsActive"):
            return {"success": False, "errors": [{
                "statusCode": "INACTIVE_OWNER_OR_USER",
                "message": "operation performed with inactive user [%s] as owner" % oid,
                "fields": []}]}
        return None

    @staticmethod
    def too_long(o, fields):
        """STRING_TOO_LONG for a text value longer than its field holds
        (counted as Salesforce counts: UTF-16 code units), else None."""
        for k, v in fields.items():
            f = o["fields"].get(k.lower())
            if f and f.get("length") and isinstance(v, str) and \
                    len(v.encode("utf-16-le")) // 2 > f["length"]:
                return {"success": False, "errors": [{
                    "statusCode": "STRING_TOO_LONG",
                    "message": "%s: data value too large: %s (max length=%d)"
                               % (f["name"], v[:40], f["length"]),
                    "fields": [f["name"]]}]}
        return None

    def create(self, o, fields, check=True):
        rec = {"IsDeleted": False}
        for k, v in fields.items():
            if k == "attributes":
                continue
            f = o["fields"][k.lower()]
            rec[f["name"]] = parse_value(f, v)
        if not check and rec.get("Id"):
            pass                        # a test's own Id
        else:
            rec["Id"] = self.org.new_id(o)
        ms = now_ms()
        rec.setdefault("CreatedDate", ms)
        self.org.touch(rec, rec.get("SystemModstamp") if not check else ms)
        self.org.derive(o["name"].lower(), rec)
        self.org.records[o["name"].lower()][rec["Id"]] = rec
        return rec

    def collections(self, method, obj_name, ext_field, body, headers=None):
        # an alerting duplicate rule lets the save through with allowSave
        allow = "allowsave=true" in (headers or {}).get(
            "Sforce-Duplicate-Rule-Header", "").replace(" ", "").lower()
        try:
            req = json.loads(body or b"{}")
        except ValueError:
            return err(400, "JSON_PARSER_ERROR", "malformed JSON")
        records = req.get("records")
        if not isinstance(records, list):
            return err(400, "INVALID_FIELD", "records is required")
        if len(records) > 200:
            return err(400, "EXCEEDED_MAX_SIZE_REQUEST",
                       "The number of records in a single request can't exceed 200.")
        all_or_none = bool(req.get("allOrNone", False))
        results, staged = [], []
        with self.org.lock:
            for r in records:
                t = (r.get("attributes") or {}).get("type") or obj_name
                o = SCHEMA.get((t or "").lower())
                if o is None:
                    return err(400, "INVALID_TYPE", "sObject type '%s' is not supported." % t)
                if method == "UPSERT" and o["name"].lower() != obj_name.lower():
                    return err(400, "INVALID_TYPE", "all records must be of type " + obj_name)
                bad = self.check_fields(o, {k: v for k, v in r.items()
                                            if not (method == "UPSERT" and
                                                    k.lower() == ext_field.lower())},
                                        creating=method != "PATCH")
                if bad:
                    return bad
                staged.append((o, r))
            for o, r in staged:
                results.append(self.write_one(method, o, ext_field, r, allow))
            if all_or_none and any(not x["success"] for x in results):
                results = [x if not x["success"] else
                           {"success": False, "errors": [{
                               "statusCode": "ALL_OR_NONE_OPERATION_ROLLED_BACK",
                               "message": "Record rolled back because not all records were "
                                          "valid and the request was using AllOrNone header",
                               "fields": []}]} for x in results]
                # (writes already applied are not undone by this emulator)
        return 200, results

    def write_one(self, method, o, ext_field, r, allow_save=False):
        store = self.org.records[o["name"].lower()]
        fields = {k: v for k, v in r.items() if k != "attributes"}
        key = fields.get(ext_field) if ext_field else fields.get("Id") or fields.get("id")
        code = self.settings["fail_records"].get(str(key)) if key is not None else None
        if code == "DUPLICATES_DETECTED" and allow_save:
            code = None
        if code:
            return {"success": False, "errors": [{"statusCode": code,
                                                  "message": "injected failure: " + code,
                                                  "fields": []}]}
        long_ = self.too_long(o, fields)
        if long_:
            return long_
        bad_owner = self.owner_problem(fields)
        if bad_owner:
            return bad_owner
        try:
            if method == "POST":
                rec = self.create(o, fields)
                return {"id": rec["Id"], "success": True, "errors": []}
            if method == "PATCH":
                rid = fields.pop("id", None) or fields.pop("Id", None)
                rec = store.get(rid)
                if rec is None or rec["IsDeleted"]:
                    return {"success": False, "errors": [{
                        "statusCode": "ENTITY_IS_DELETED" if rec else "INVALID_CROSS_REFERENCE_KEY",
                        "message": "invalid cross reference id", "fields": []}]}
                for k, v in fields.items():
                    f = o["fields"][k.lower()]
                    rec[f["name"]] = parse_value(f, v)
                self.org.derive(o["name"].lower(), rec)
                self.org.touch(rec)
                return {"id": rid, "success": True, "errors": []}
            # upsert by external id
            ef = o["fields"].get(ext_field.lower())
            if ef is None or not (ef["externalId"] or ef["name"] == "Id"):
                return {"success": False, "errors": [{
                    "statusCode": "INVALID_FIELD",
                    "message": "Field %s is not an external id" % ext_field, "fields": []}]}
            matches = [x for x in store.values() if x.get(ef["name"]) == key and
                       not x["IsDeleted"]]
            if len(matches) > 1:
                return {"success": False, "errors": [{
                    "statusCode": "DUPLICATE_EXTERNAL_ID",
                    "message": "more than one record found for external id", "fields": []}]}
            if not matches:
                rec = self.create(o, fields)
                return {"id": rec["Id"], "success": True, "errors": [], "created": True}
            rec = matches[0]
            for k, v in fields.items():
                f = o["fields"][k.lower()]
                rec[f["name"]] = parse_value(f, v)
            self.org.derive(o["name"].lower(), rec)
            self.org.touch(rec)
            return {"id": rec["Id"], "success": True, "errors": [], "created": False}
        except ValueError as e:
            return {"success": False, "errors": [{"statusCode": "INVALID_TYPE_ON_FIELD_IN_RECORD",
                                                  "message": str(e), "fields": []}]}


def window_of(node):
    """The [lo, hi) SystemModstamp window a WHERE clause asks for."""
    lo = hi = None
    stack = [node]
    while stack:
        n = stack.pop()
        if n[0] == "and":
            stack += [n[1], n[2]]
        elif n[0] == "cmp" and n[1].lower() == "systemmodstamp" and n[3][0] == "datetime":
            if n[2] in (">", ">="):
                lo = n[3][1]
            elif n[2] in ("<", "<="):
                hi = n[3][1]
    return lo, hi


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--config", required=True)
    a = ap.parse_args()
    with open(a.config) as f:
        cfg = json.load(f)
    fakehttp.serve(Emulator(cfg))


if __name__ == "__main__":
    main()

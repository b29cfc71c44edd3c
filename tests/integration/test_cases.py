"""Data-driven CRM cases: every directory under tests/cases/ is one case
(see tests/cases/README): the emulator's settings and faults, chansyncd
runs, and what the database, the emulator and the log must show."""
import datetime
import json
import os
import random
import re
import signal
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request

from harness import (Env, FakeServer, Notify, ROOT, bin_path, contains, eq, failing_disk, test,
                     wait_exit)

CASES = os.path.join(ROOT, "tests", "cases")
_keys = {}

# A case's keys, and each step's: one action and the keys that go with it.
# Anything else is a mistake in the case (a check that would silently not
# run), so it fails the case.
CASE_KEYS = {"description", "emulator", "vendors", "config", "config_patch", "steps"}
STEP_KEYS = {
    "data": set(), "data_file": set(), "vendor_data": set(), "faults": set(),
    "reset": set(), "sql_exec": set(), "refresh_token_file": set(),
    "run": {"args", "exit", "log", "not_log"},
    "sql": {"expect"},
    "state": {"where", "nonnull", "count", "count_sql", "match_sql", "fields", "distinct"},
    "requests": {"count", "status", "not_contain"},
    "waits": {"after_status", "at_least"},
    "query_windows": {"min_timeouts"},
    "kill9": {"within", "min_kills"},
    "kill9_when_handled": set(),
    "disk_fails_when_handled": {"exit", "log"},
    "sfwrite": {"records", "expect"},
    "ctl": {"contains", "not_contains", "exit", "stderr", "rows_sql"},
    "daemon": set(),
    "file": {"lines"},
    "text_cut": {"field", "max", "rows_sql"},
}
REQUIRED = {"sql": {"expect"}, "sfwrite": {"records", "expect"},
            "text_cut": {"field", "max", "rows_sql"},
            "waits": {"after_status", "at_least"}}


def check_spec(name, spec):
    """Refuses unknown or misplaced keys, naming the case and the step."""
    extra = set(spec) - CASE_KEYS
    if extra:
        raise AssertionError("%s: unknown case key(s) %s" % (name, sorted(extra)))
    for i, s in enumerate(spec.get("steps", [])):
        where = "%s step %d" % (name, i + 1)
        actions = [k for k in s if k in STEP_KEYS]
        if len(actions) != 1:
            raise AssertionError("%s: a step needs exactly one of %s, has %s"
                                 % (where, sorted(STEP_KEYS), sorted(s)))
        a = actions[0]
        extra = set(s) - {a} - STEP_KEYS[a]
        if extra:
            raise AssertionError("%s: key(s) %s do not go with %r (allowed: %s)"
                                 % (where, sorted(extra), a, sorted(STEP_KEYS[a])))
        missing = REQUIRED.get(a, set()) - set(s)
        if missing:
            raise AssertionError("%s: %r needs %s" % (where, a, sorted(missing)))
        if a == "requests" and not {"count", "status", "not_contain"} & set(s):
            raise AssertionError("%s: 'requests' checks nothing without count, "
                                 "status or not_contain" % where)
        if a == "state" and not {"count", "count_sql", "match_sql"} & set(s):
            raise AssertionError("%s: 'state' checks nothing without count, "
                                 "count_sql or match_sql" % where)


SOQL_WINDOW = re.compile(r"SystemModstamp\s*>=\s*(\S+?)\s+AND\s+SystemModstamp\s*<\s*(\S+?)[\s)]")


def sf_cut(text, units):
    """text cut after the last whole character within units UTF-16 code
    units, as Salesforce counts a field's length."""
    out, n = [], 0
    for ch in text:
        u = 2 if ord(ch) >= 0x10000 else 1
        if n + u > units:
            break
        out.append(ch)
        n += u
    return "".join(out)


def sf_time(v):
    return datetime.datetime.strptime(v.replace(".000", ""), "%Y-%m-%dT%H:%M:%SZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


def keypair():
    if not _keys:
        d = tempfile.mkdtemp(prefix="chansync-keys-")
        subprocess.run(["openssl", "genrsa", "-out", os.path.join(d, "k.pem"), "2048"],
                       check=True, capture_output=True)
        subprocess.run(["openssl", "rsa", "-in", os.path.join(d, "k.pem"), "-pubout",
                        "-out", os.path.join(d, "pub.pem")], check=True, capture_output=True)
        _keys["dir"] = d
        _keys["private"] = open(os.path.join(d, "k.pem")).read()
        _keys["public"] = os.path.join(d, "pub.pem")
    return _keys


def fill_times(v):
    if isinstance(v, str):
        now = datetime.datetime.now(datetime.timezone.utc)
        m = re.fullmatch(r"@NOW([-+])(\d+)s", v)
        if m:
            d = datetime.timedelta(seconds=int(m.group(2)))
            t = now - d if m.group(1) == "-" else now + d
            return t.strftime("%Y-%m-%dT%H:%M:%S.000+0000")
        if v == "@TODAY@":
            return now.strftime("%Y-%m-%d")
        if v == "@QUARTER@":        # the current calendar quarter in UTC
            return "%04d-Q%d" % (now.year, (now.month - 1) // 3 + 1)
        return v
    if isinstance(v, list):
        return [fill_times(x) for x in v]
    if isinstance(v, dict):
        return {k: fill_times(x) for k, x in v.items()}
    return v


class Case:
    def __init__(self, name):
        self.name = name
        self.dir = os.path.join(CASES, name)
        with open(os.path.join(self.dir, "case.json")) as f:
            self.spec = json.load(f)
        check_spec(name, self.spec)
        k = keypair()
        self.env = Env("case")
        emu = {"data": os.path.join(ROOT, "fixtures", "sf", "org.json"),
               "client_id": "chansync-test-app", "client_secret": "test-client-secret",
               "users": ["chansync@vendor.example"], "public_key": k["public"],
               "refresh_tokens": ["5Aep-initial-refresh-token"],
               "rotate_refresh_tokens": True}
        emu.update(self.spec.get("emulator", {}))
        if not os.path.isabs(emu["data"]):
            emu["data"] = os.path.join(self.dir, emu["data"])
        with open(os.path.join(self.env.dir, "emu.json"), "w") as f:
            json.dump(emu, f)
        self.emu = FakeServer("sfemu.py", "--config", os.path.join(self.env.dir, "emu.json"))
        # the vendor fakes a case asks for, on its own fixture files
        self.vendors = {}
        for kind, data in self.spec.get("vendors", {}).items():
            self.vendors[kind] = FakeServer("vendor.py", kind, "--data",
                                            os.path.join(self.dir, data))
        self.env.credential("portal_token", "portal-test-token\n")
        self.env.credential("hub_password", "hub-test-password\n")
        self.env.credential("sf_jwt_key", k["private"])
        self.env.credential("sf_client_secret", "test-client-secret\n")
        self.refresh_file = os.path.join(self.env.dir, "refresh_token")
        with open(self.refresh_file, "w") as f:
            f.write("5Aep-initial-refresh-token\n")
        os.chmod(self.refresh_file, 0o600)
        cfg = os.path.join(self.dir, self.spec.get("config", "config.yaml"))
        if not os.path.exists(cfg):
            cfg = os.path.join(CASES, "base.yaml")
        with open(cfg) as f:
            text = f.read().replace("@LOGIN@", self.emu.url)
        for kind, fake in self.vendors.items():
            text = text.replace("@%s@" % kind.upper(), fake.url)
        for old, new in self.spec.get("config_patch", []):
            if old not in text:
                raise AssertionError("%s: config_patch: %r is not in the config" % (name, old))
            text = text.replace(old, new)
        self.env.write_config(text)
        self.last_stderr = ""

    def close(self):
        self.emu.stop()
        for fake in self.vendors.values():
            fake.stop()
        self.env.cleanup()

    def emu_get(self, path):
        with urllib.request.urlopen(self.emu.url + path, timeout=10) as r:
            return json.loads(r.read())

    def step(self, i, s):
        where = "%s step %d" % (self.name, i + 1)
        if "data" in s:
            self.emu.control("data", fill_times(s["data"]))
        if "data_file" in s:
            with open(os.path.join(self.dir, s["data_file"])) as f:
                self.emu.control("data", fill_times(json.load(f)))
        for kind, change in s.get("vendor_data", {}).items():
            self.vendors[kind].control("data", change)
        if "faults" in s:
            self.emu.faults(*s["faults"])
        if s.get("reset"):
            self.emu.reset()
        if "run" in s:
            p = self.env.chansyncd("--once", *s.get("args", []), timeout=300)
            self.last_stderr = p.stderr
            if "exit" in s:
                eq(p.returncode, s["exit"], where + ": exit status\n" + p.stderr[-3000:])
            for line in s.get("log", []):
                contains(p.stderr, line, where + ": log")
            for line in s.get("not_log", []):
                if line in p.stderr:
                    raise AssertionError("%s: %r was logged:\n%s" % (where, line, p.stderr))
        if "sql_exec" in s:
            con = self.env.db()
            con.execute(s["sql_exec"])
            con.commit()
            con.close()
        if "sql" in s:
            got = [list(r) for r in self.env.query(s["sql"])]
            eq(got, s["expect"], where + ": " + s["sql"])
        if "state" in s:
            rows = self.emu_get("/_state/" + s["state"])
            for k, v in s.get("where", {}).items():
                rows = [r for r in rows if r.get(k) == v]
            for k in s.get("nonnull", []):
                rows = [r for r in rows if r.get(k) is not None]
            if "count_sql" in s:
                want = self.env.query(s["count_sql"])[0][0]
                if want == 0:
                    raise AssertionError("%s: %s counts nothing: the check would "
                                         "prove nothing" % (where, s["count_sql"]))
            else:
                want = s.get("count")
            if "match_sql" not in s or "count" in s or "count_sql" in s:
                eq(len(rows), want, where + ": emulator records of " + s["state"])
            if "match_sql" in s:
                # the records, projected on "fields", are exactly the rows
                got = sorted(tuple(r.get(f) for f in s["fields"]) for r in rows)
                want_rows = sorted(tuple(r) for r in self.env.query(fill_times(s["match_sql"])))
                if not want_rows:
                    raise AssertionError("%s: %s returns nothing: the check would "
                                         "prove nothing" % (where, s["match_sql"]))
                eq(got, want_rows, where + ": emulator records of " + s["state"] +
                   " against the database")
            if "distinct" in s:
                vals = [r.get(s["distinct"]) for r in rows]
                eq(len(set(vals)), len(vals), where + ": distinct " + s["distinct"])
        if "requests" in s:
            reqs = [r for r in self.emu.requests() if r["path"].startswith(s["requests"])]
            if "status" in s:
                reqs = [r for r in reqs if r.get("status") == s["status"]]
            listing = "\n".join("%s %s?%s -> %s" % (r["method"], r["path"], r["query"][:120],
                                                   r.get("status")) for r in reqs)
            if "count" in s:
                eq(len(reqs), s["count"], where + ": requests to " + s["requests"] +
                   "\n" + listing)
            for text in s.get("not_contain", []):
                if not reqs:
                    raise AssertionError("%s: no request to %s: the check would prove "
                                         "nothing" % (where, s["requests"]))
                for r in reqs:
                    if text in urllib.parse.unquote_plus(r["path"] + "?" + r["query"]):
                        raise AssertionError("%s: %r reached a request: %s %s?%s" % (
                            where, text, r["method"], r["path"], r["query"]))
        if "waits" in s:
            # every request that follows a reply of this status comes at
            # least at_least seconds after it (Retry-After honoured)
            reqs = [r for r in self.emu.requests() if r["path"].startswith(s["waits"])]
            gaps = [b["time"] - a["time"] for a, b in zip(reqs, reqs[1:])
                    if a.get("status") == s["after_status"]]
            if not gaps:
                raise AssertionError("%s: no request followed a %s reply" %
                                     (where, s["after_status"]))
            for g in gaps:
                if g < s["at_least"]:
                    raise AssertionError("%s: a request came %.3f s after a %s reply "
                                         "(at least %.1f s expected); gaps: %s" % (
                                             where, g, s["after_status"], s["at_least"],
                                             ["%.3f" % x for x in gaps]))
        if "text_cut" in s:
            # each row (external key, full text): the CRM record holds the
            # text cut to the field's length at a character boundary
            rows = self.env.query(s["rows_sql"])
            if not rows:
                raise AssertionError("%s: %s returns nothing: the check would prove "
                                     "nothing" % (where, s["rows_sql"]))
            recs = {r.get("Chansync_Key__c"): r for r in self.emu_get("/_state/" +
                                                                      s["text_cut"])}
            for key, full in rows:
                if key not in recs:
                    raise AssertionError("%s: %s %s is not in the CRM" % (where,
                                                                         s["text_cut"], key))
                eq(recs[key].get(s["field"]), sf_cut(full, s["max"]),
                   "%s: %s.%s of %s" % (where, s["text_cut"], s["field"], key))
        if "query_windows" in s:
            self.check_windows(where, s["query_windows"], s.get("min_timeouts", 1))
        if "kill9" in s:
            rnd = random.Random(11)
            kills = 0
            for _ in range(s["kill9"]):
                p = self.env.start("--once")
                time.sleep(rnd.uniform(0.05, s.get("within", 1.0)))
                if p.poll() is None:
                    os.kill(p.pid, signal.SIGKILL)
                    kills += 1
                p.wait()
                eq(self.env.query("PRAGMA integrity_check")[0][0], "ok", where + ": integrity")
            if kills < s.get("min_kills", 1):
                raise AssertionError("%s: only %d kills landed" % (where, kills))
        if "kill9_when_handled" in s:
            # kill -9 once the emulator has handled a request to this path
            # and holds its answer back (a "late_reply" fault): the CRM has
            # the write, chansyncd has not seen it acknowledged
            path = s["kill9_when_handled"]
            p = self.env.start("--once")
            deadline = time.monotonic() + 60
            try:
                while not any(r.get("handled") and r["path"].startswith(path)
                              for r in self.emu.requests()):
                    if p.poll() is not None:
                        raise AssertionError("%s: chansyncd ended (status %s) before "
                                             "a request to %s" % (where, p.returncode, path))
                    if time.monotonic() > deadline:
                        raise AssertionError("%s: no request to %s within 60 s" % (where, path))
                    time.sleep(0.05)
            finally:
                if p.poll() is None:
                    os.kill(p.pid, signal.SIGKILL)
                p.wait()
            eq(p.returncode, -signal.SIGKILL, where + ": killed")
            eq(self.env.query("PRAGMA integrity_check")[0][0], "ok", where + ": integrity")
        if "disk_fails_when_handled" in s:
            self.disk_fails(s, where)
        if "sfwrite" in s:
            op, obj = s["sfwrite"][0], s["sfwrite"][1]
            args = [bin_path("tests/sfwrite"), "-c", self.env.config, op, obj] + \
                s["sfwrite"][2:]
            with open(os.path.join(self.dir, s["records"])) as f:
                recs = f.read()
            p = subprocess.run(args, env=self.env.env(), input=recs, capture_output=True,
                               text=True, timeout=60, cwd=self.env.dir)
            lines = p.stdout.strip().split("\n")
            eq(len(lines), len(s["expect"]), where + ": sfwrite results\n" + p.stdout +
               p.stderr)
            for got, want in zip(lines, s["expect"]):
                if not got.startswith(want):
                    raise AssertionError("%s: result %r does not start with %r"
                                         % (where, got, want))
        if "daemon" in s:
            self.daemon_step(where, s["daemon"])
        if "ctl" in s:
            p = self.env.ctl(*[a.replace("@DIR@", self.env.dir) for a in s["ctl"]])
            if "exit" in s:
                eq(p.returncode, s["exit"], where + ": chansyncctl exit status\n" + p.stderr)
            for c in s.get("contains", []):
                contains(p.stdout, c, where + ": chansyncctl " + " ".join(s["ctl"]))
            for c in s.get("stderr", []):
                contains(p.stderr, c, where + ": chansyncctl " + " ".join(s["ctl"]))
            for c in s.get("not_contains", []):
                if c in p.stdout:
                    raise AssertionError("%s: chansyncctl %s: %r found in:\n%s"
                                         % (where, " ".join(s["ctl"]), c, p.stdout[-3000:]))
            if "rows_sql" in s:
                # a --json listing: as many rows as the query counts
                want = self.env.query(s["rows_sql"])[0][0]
                eq(len(json.loads(p.stdout)), want, where + ": chansyncctl " +
                   " ".join(s["ctl"]) + " rows against " + s["rows_sql"])
        if "file" in s:
            # a file the daemon wrote (under the case's directory): its
            # lines, each a JSON object, hold exactly these members
            path = os.path.join(self.env.dir, s["file"])
            with open(path) as f:
                got = [json.loads(x) for x in f.read().splitlines()]
            # who decided and when are this run's: taken from the database
            row = self.env.query("SELECT operator, decided_at FROM conflict_decisions "
                                 "ORDER BY id LIMIT 1")
            op, at = row[0] if row else ("", "")
            want = json.loads(json.dumps(s["lines"]).replace("@OPERATOR@", op)
                              .replace("@DECIDED@", at))
            eq(got, want, where + ": the lines of " + s["file"])
        if "refresh_token_file" in s:
            with open(self.refresh_file) as f:
                saved = f.read().strip()
            valid = self.emu_get("/_state/_refresh_tokens")
            eq(saved in valid, True, where + ": the saved refresh token is the valid one")
            eq(saved != "5Aep-initial-refresh-token", True, where + ": it was rotated")
            eq(oct(os.stat(self.refresh_file).st_mode & 0o777), "0o600", where + ": mode")

    def disk_fails(self, s, where):
        """One run whose disk fails (EIO on every database write) once the
        emulator has handled a request to the path and holds the answer
        back: the CRM has the write, the acknowledgement cannot be stored.
        The disk is back for the steps after."""
        path = s["disk_fails_when_handled"]
        flag = os.path.join(self.env.dir, "disk-failing")
        errpath = os.path.join(self.env.dir, "disk-fails.stderr")
        p = self.env.start("--once", extra_env=failing_disk(when=flag), stderr_path=errpath)
        deadline = time.monotonic() + 60
        try:
            while not any(r.get("handled") and r["path"].startswith(path)
                          for r in self.emu.requests()):
                if p.poll() is not None:
                    raise AssertionError("%s: chansyncd ended (status %s) before a "
                                         "request to %s" % (where, p.returncode, path))
                if time.monotonic() > deadline:
                    raise AssertionError("%s: no request to %s within 60 s" % (where, path))
                time.sleep(0.05)
            with open(flag, "w"):
                pass
            rc = wait_exit(p, 120)
        finally:
            if p.poll() is None:
                os.kill(p.pid, signal.SIGKILL)
                p.wait()
            if os.path.exists(flag):
                os.unlink(flag)
        err = self.env.stderr_text(errpath)
        eq(rc, s.get("exit", 74), where + ": exit status\n" + err[-2000:])
        for line in s.get("log", []):
            contains(err, line, where + ": log")
        eq(self.env.query("PRAGMA integrity_check")[0][0], "ok", where + ": integrity")

    def check_windows(self, where, obj, min_timeouts):
        """The queries of obj: at least min_timeouts QUERY_TIMEOUTs (400) halving the
        window, then windows that follow each other without a gap or an
        overlap, none wider than the first that ran."""
        runs, failed = [], 0
        for r in self.emu.requests():
            if "/query" not in r["path"]:
                continue
            q = urllib.parse.unquote_plus(r["query"])
            if "FROM %s " % obj not in q:
                continue
            m = SOQL_WINDOW.search(q + " ")
            if m is None:
                continue
            lo, hi = sf_time(m.group(1)), sf_time(m.group(2))
            if r.get("status") == 400:
                failed += 1
                if runs:
                    raise AssertionError("%s: a QUERY_TIMEOUT after a window ran: %s"
                                         % (where, q))
            elif r.get("status") == 200:
                runs.append((lo, hi))
        if failed < min_timeouts:
            raise AssertionError("%s: %d QUERY_TIMEOUT(s) on %s, at least %d expected"
                                 % (where, failed, obj, min_timeouts))
        if len(runs) < 2:
            raise AssertionError("%s: %d window(s) ran: no later window to check"
                                 % (where, len(runs)))
        span = runs[0][1] - runs[0][0]
        for (lo0, hi0), (lo1, hi1) in zip(runs, runs[1:]):
            eq(lo1, hi0, where + ": windows follow each other")
            if hi1 - lo1 > span:
                raise AssertionError("%s: a later window is %d s wide, wider than the "
                                     "%d s that ran" % (where, hi1 - lo1, span))

    def daemon_step(self, where, what):
        """start: chansyncd in the foreground, ready to take requests;
        stop: SIGTERM, a clean exit; kill9: no chance to finish."""
        if what == "start":
            self.starts = getattr(self, "starts", 0) + 1
            self.notify = Notify(os.path.join(self.env.dir,
                                              "notify-%d.sock" % self.starts))
            self.daemon = self.env.start(extra_env={"NOTIFY_SOCKET": self.notify.path})
            self.notify.wait_for("READY", "1", timeout=60)
            return
        if what not in ("stop", "kill9") or self.daemon is None:
            raise AssertionError("%s: daemon %r (no daemon started?)" % (where, what))
        if what == "stop":
            self.daemon.send_signal(signal.SIGTERM)
            eq(wait_exit(self.daemon, 30), 0, where + ": the daemon stops")
        else:
            self.daemon.kill()
            self.daemon.wait()
        self.notify.close()
        self.daemon = None

    def run(self):
        self.daemon = None
        try:
            for i, s in enumerate(self.spec["steps"]):
                self.step(i, s)
        finally:
            if self.daemon is not None:
                self.daemon.kill()
                self.daemon.wait()


def make_test(name):
    def case_test():
        c = Case(name)
        try:
            c.run()
        finally:
            c.close()
    case_test.__name__ = "case_" + name.replace("-", "_")
    case_test.__module__ = "test_cases"
    return case_test


for _name in sorted(os.listdir(CASES)) if os.path.isdir(CASES) else []:
    if os.path.exists(os.path.join(CASES, _name, "case.json")):
        test(make_test(_name))

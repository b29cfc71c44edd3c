"""Integration-test harness: real binaries, real sockets, real signals.

Every test is a function decorated with @test. A test gets a fresh
temporary directory (Env) with state/, spool/ and creds/, writes a
configuration, and runs the real chansyncd/chansyncctl from the build
directory. Waits are bounded: a wait that times out fails the test;
nothing sleeps and hopes.
"""
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import struct
import subprocess
import sys
import tempfile
import time
import traceback

BUILD = os.path.abspath(os.environ.get("CHANSYNC_BUILD", "build"))
ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
SANITIZED = os.environ.get("CHANSYNC_SANITIZED") == "1"
IS_ROOT = os.geteuid() == 0

_tests = []


class Skip(Exception):
    pass


def test(fn):
    _tests.append(fn)
    return fn


def bin_path(name):
    return os.path.join(BUILD, name)


def failing_disk(after=None, when=None):
    """The environment that makes the database's disk fail (EIO) after
    that many writes, or while the file when exists (tests/tools/failio.c).
    Under ASan its runtime must come first among the preloaded libraries."""
    pre = bin_path("tests/failio.so")
    if SANITIZED:
        pre = "libasan.so.8 " + pre
    e = {"LD_PRELOAD": pre}
    if after is not None:
        e["FAILIO_AFTER"] = str(after)
    if when is not None:
        e["FAILIO_WHEN"] = when
    return e


def sanitizer_report(text):
    return ("ERROR: AddressSanitizer" in text or "ERROR: LeakSanitizer" in text or
            "runtime error:" in text)


class Env:
    """A temporary installation: state dir, spool dir, credentials."""

    def __init__(self, name):
        self.dir = tempfile.mkdtemp(prefix="chansync-it-%s-" % name)
        os.chmod(self.dir, 0o755)
        self.state = os.path.join(self.dir, "state")
        self.spool = os.path.join(self.dir, "spool")
        self.creds = os.path.join(self.dir, "creds")
        for d in (self.state, self.spool, self.creds):
            os.makedirs(d)
        os.chmod(self.creds, 0o700)
        self.config = os.path.join(self.dir, "chansync.yaml")
        self.procs = []

    def cleanup(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        reports = []
        for name in os.listdir(self.dir) if os.path.isdir(self.dir) else []:
            if name.endswith(".stderr"):
                text = self.stderr_text(os.path.join(self.dir, name))
                if sanitizer_report(text):
                    reports.append(text[-4000:])
        if not os.environ.get("CHANSYNC_KEEP_TEST_DIRS"):   # for a look after
            shutil.rmtree(self.dir, ignore_errors=True)
        if reports:
            raise AssertionError("sanitizer report from the daemon:\n" + "\n".join(reports))

    def credential(self, name, value, mode=0o600):
        path = os.path.join(self.creds, name)
        with open(path, "w") as f:
            f.write(value)
        os.chmod(path, mode)
        return path

    def write_config(self, text):
        text = text.replace("@STATE@", self.state).replace("@SPOOL@", self.spool)
        text = text.replace("@DIR@", self.dir)
        with open(self.config, "w") as f:
            f.write(text)

    def env(self, extra=None):
        e = dict(os.environ)
        for k in ("NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID",
                  "JOURNAL_STREAM", "CHANSYNC_CONFIG", "LISTEN_FDS"):
            e.pop(k, None)
        e["CREDENTIALS_DIRECTORY"] = self.creds
        e["CHANSYNC_LOG_TARGET"] = "stderr"
        if extra:
            e.update(extra)
        return e

    def run(self, args, extra_env=None, timeout=60, check_rc=None):
        p = subprocess.run(args, env=self.env(extra_env), capture_output=True,
                           text=True, timeout=timeout, cwd=self.dir)
        if sanitizer_report(p.stderr):
            raise AssertionError("sanitizer report from %s:\n%s" % (" ".join(args),
                                                                  p.stderr[-4000:]))
        if check_rc is not None and p.returncode != check_rc:
            raise AssertionError("%s exited %d, expected %d\nstdout:\n%s\nstderr:\n%s"
                                 % (" ".join(args), p.returncode, check_rc,
                                    p.stdout, p.stderr))
        return p

    def chansyncd(self, *args, **kw):
        return self.run([bin_path("chansyncd"), "-c", self.config] + list(args), **kw)

    def ctl(self, *args, **kw):
        return self.run([bin_path("chansyncctl"), "-c", self.config] + list(args), **kw)

    def db(self):
        return sqlite3.connect(os.path.join(self.state, "chansync.db"), timeout=10)

    def query(self, sql, args=()):
        con = self.db()
        try:
            return con.execute(sql, args).fetchall()
        finally:
            con.close()

    def drop(self, name, content, mode="w"):
        """Drops a file the way writers must: write .tmp, rename."""
        tmp = os.path.join(self.spool, "." + name + ".tmp")
        with open(tmp, mode) as f:
            f.write(content)
        os.rename(tmp, os.path.join(self.spool, name))

    def start(self, *args, extra_env=None, stderr_path=None):
        errf = open(stderr_path or os.path.join(self.dir, "daemon.stderr"), "ab")
        p = subprocess.Popen([bin_path("chansyncd"), "-c", self.config] + list(args),
                             env=self.env(extra_env), stdout=subprocess.DEVNULL,
                             stderr=errf, cwd=self.dir)
        errf.close()
        self.procs.append(p)
        return p

    def stderr_text(self, path=None):
        with open(path or os.path.join(self.dir, "daemon.stderr"), errors="replace") as f:
            return f.read()


class Notify:
    """The service manager's side of sd_notify: an AF_UNIX datagram socket."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(path)
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        self.msgs = []   # (monotonic time, pid, {key: value})

    def recv(self, timeout):
        self.sock.settimeout(max(timeout, 0.001))
        try:
            data, anc, _, _ = self.sock.recvmsg(4096, socket.CMSG_SPACE(12))
        except socket.timeout:
            return None
        pid = None
        for level, typ, cdata in anc:
            if level == socket.SOL_SOCKET and typ == socket.SCM_CREDENTIALS:
                pid, _, _ = struct.unpack("iII", cdata[:12])
        fields = {}
        for line in data.decode("utf-8", "replace").split("\n"):
            if "=" in line:
                k, v = line.split("=", 1)
                fields[k] = v
        m = (time.monotonic(), pid, fields)
        self.msgs.append(m)
        return m

    def wait_for(self, key, value=None, timeout=10.0):
        """Receives until a message with key (=value) arrives; returns it."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("no %s%s from the daemon within %.0fs; got %r"
                                     % (key, "=" + value if value else "", timeout,
                                        [m[2] for m in self.msgs[-8:]]))
            m = self.recv(left)
            if m and key in m[2] and (value is None or m[2][key] == value):
                return m

    def close(self):
        self.sock.close()


def wait_exit(p, timeout):
    try:
        return p.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        raise AssertionError("process %d did not exit within %.0fs" % (p.pid, timeout))


def wait_until(pred, timeout, what):
    """Polls a condition that has no event to wait on (a file appearing)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if pred():
            return
        time.sleep(0.02)
    raise AssertionError("timed out after %.0fs waiting for %s" % (timeout, what))


def eq(a, b, what=""):
    if a != b:
        raise AssertionError("%s: expected %r, got %r" % (what or "value", b, a))


def contains(hay, needle, what=""):
    if needle not in hay:
        raise AssertionError("%s: %r not found in:\n%s" % (what or "text", needle, hay))


FILE_DROP_CONFIG = """
daemon:
  state_dir: @STATE@
  interval: 1h
  jitter: 0s
  log_level: info
sources:
  - name: dist
    kind: file_drop
    path: @SPOOL@
    format: csv
    settle: 0s
    fields: { external_id: reg_no, partner_id: reseller, customer_name: end_user,
              customer_domain: website, status: status, registered_at: registered,
              amount: value, currency: cur }
    status_map: { NEW: pending, APPROVED: approved, REJECTED: rejected }
normalize:
  fx: { EUR: 1.08 }
"""


def main(argv):
    pattern = argv[1] if len(argv) > 1 else None
    passed = failed = skipped = 0
    for fn in _tests:
        name = fn.__module__ + "." + fn.__name__
        if pattern and not re.search(pattern, name):
            continue
        t0 = time.monotonic()
        try:
            fn()
        except Skip as e:
            skipped += 1
            print("SKIP %s: %s" % (name, e), flush=True)
            continue
        except Exception:
            failed += 1
            print("FAIL %s (%.1fs)\n%s" % (name, time.monotonic() - t0,
                  traceback.format_exc()), flush=True)
            continue
        passed += 1
        print("PASS %s (%.1fs)" % (name, time.monotonic() - t0), flush=True)
    print("integration: %d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return 1 if failed else 0


class FakeServer:
    """One of the project's fakes (tests/fakes/*.py) on a free loopback port."""

    def __init__(self, script, *args):
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(ROOT, "tests", "fakes", script)] + list(args),
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            self.proc.kill()
            raise AssertionError("fake %s did not start: %r %s" % (script, line,
                                                                   self.proc.stderr.read()))
        self.port = int(line.split()[1])
        self.url = "http://127.0.0.1:%d" % self.port

    def control(self, path, payload=None):
        import urllib.request
        data = json.dumps(payload).encode() if payload is not None else b""
        req = urllib.request.Request(self.url + "/_control/" + path, data=data,
                                     method="POST" if payload is not None else "GET")
        with urllib.request.urlopen(req, timeout=10) as r:
            return json.loads(r.read() or b"{}")

    def faults(self, *faults):
        return self.control("faults", list(faults))

    def requests(self):
        return self.control("requests")["requests"]

    def reset(self):
        return self.control("reset", {})

    def stop(self):
        self.proc.kill()
        self.proc.wait()

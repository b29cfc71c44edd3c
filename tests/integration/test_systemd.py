"""The unit file, checked offline (T16) and run under a real systemd 252
as PID 1 in fresh namespaces (T17, T2): start, status, SIGUSR1, reload
good and bad, journald fields, watchdog kill and restart, stop."""
import json
import os
import shutil
import sqlite3
import subprocess
import time

from harness import (BUILD, IS_ROOT, ROOT, SANITIZED, Skip, contains, eq, test,
                     wait_until)

UNIT = os.path.join(ROOT, "systemd", "chansyncd.service")
INNER = "/var/lib/chansync-test"     # where the live test's files appear to the unit


def unit_text(bindir=BUILD):
    with open(UNIT) as f:
        text = f.read()
    text = text.replace("/usr/sbin/chansyncd", os.path.join(bindir, "chansyncd"))
    text = text.replace("/usr/bin/chansyncctl", os.path.join(bindir, "chansyncctl"))
    # Documentation= would make verify run man(1) on pages not installed
    return "\n".join(l for l in text.split("\n") if not l.startswith("Documentation="))


@test
def t16_unit_verifies_and_is_hardened():
    if shutil.which("systemd-analyze") is None:
        raise Skip("systemd-analyze is not installed")
    d = os.path.join(BUILD, "unit-check")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    path = os.path.join(d, "chansyncd.service")
    with open(path, "w") as f:
        f.write(unit_text())
    p = subprocess.run(["systemd-analyze", "verify", path], capture_output=True, text=True)
    eq((p.returncode, p.stderr), (0, ""), "systemd-analyze verify: rc and stderr")
    p = subprocess.run(["systemd-analyze", "security", "--offline=yes", "--threshold=20",
                        path], capture_output=True, text=True)
    eq(p.returncode, 0, "exposure at most 2.0")
    line = [l for l in p.stdout.split("\n") if "Overall exposure level" in l][0]
    print("    " + line.strip())
    with open(UNIT) as f:
        text = f.read()
    contains(text, "\nType=notify\n")
    if "notify-reload" in text:
        raise AssertionError("Type=notify-reload needs systemd 253; Debian 12 has 252")
    contains(text, "\nExecReload=/usr/bin/chansyncctl reload\n")
    # a typo in a key only warns; make sure the check would catch it
    with open(path, "w") as f:
        f.write(unit_text().replace("ProtectSystem=", "ProtectSytem="))
    p = subprocess.run(["systemd-analyze", "verify", path], capture_output=True, text=True)
    contains(p.stderr, "Unknown key", "a misspelt key shows on stderr")
    shutil.rmtree(d)


class Pid1:
    """systemd 252 as PID 1 of new pid+mount+cgroup namespaces."""

    def __init__(self, testdir):
        self.dir = testdir
        script = (
            'mount -t tmpfs -o mode=0755,nosuid,nodev tmpfs /run && '
            'mount --bind "$TESTDIR/varlib" /var/lib && '
            'mount --bind "$TESTDIR/varspool" /var/spool && '
            'mount --make-rshared / && '
            'exec env -i container=chansync-test SYSTEMD_UNIT_PATH="$TESTDIR/units:" '
            'PATH=/usr/sbin:/usr/bin:/sbin:/bin '
            '/lib/systemd/systemd --unit=chansync-test.target --show-status=no')
        self.log = open(os.path.join(testdir, "pid1.log"), "wb")
        self.proc = subprocess.Popen(
            ["setsid", "unshare", "--pid", "--fork", "--mount", "--cgroup",
             "--propagation", "private", "--mount-proc", "sh", "-c", script],
            env=dict(os.environ, TESTDIR=testdir), stdin=subprocess.DEVNULL,
            stdout=self.log, stderr=self.log)
        self.pid = None
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and self.pid is None:
            out = subprocess.run(["pgrep", "-f", "^/lib/systemd/systemd --unit=chansync-test"],
                                 capture_output=True, text=True).stdout.split()
            # the newest one is ours (children of our unshare)
            for pid in out:
                if self._parent_chain_has(int(pid), self.proc.pid):
                    self.pid = int(pid)
            if self.pid is None:
                time.sleep(0.05)
        if self.pid is None:
            raise AssertionError("systemd did not start:\n" + self._log())
        wait_until(lambda: self.run("systemctl", "is-system-running").stdout.strip()
                   in ("running", "degraded"), 20, "systemd to boot")

    @staticmethod
    def _parent_chain_has(pid, ancestor):
        for _ in range(10):
            try:
                with open("/proc/%d/stat" % pid) as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            except OSError:
                return False
            if ppid == ancestor:
                return True
            if ppid <= 1:
                return False
            pid = ppid
        return False

    def _log(self):
        with open(os.path.join(self.dir, "pid1.log"), errors="replace") as f:
            return f.read()

    def run(self, *cmd, timeout=60):
        return subprocess.run(["nsenter", "-t", str(self.pid), "-m", "-p"] + list(cmd),
                              capture_output=True, text=True, timeout=timeout)

    def show(self, prop):
        return self.run("systemctl", "show", "-p", prop, "--value", "chansyncd").stdout.strip()

    def stop(self):
        if self.pid:
            self.run("systemctl", "exit", "0")
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.pid, 9)
                self.proc.wait()
        self.log.close()


def live_setup():
    if not IS_ROOT:
        raise Skip("needs root and unshare for systemd as PID 1")
    if SANITIZED:
        raise Skip("the hardened unit runs the plain build")
    if shutil.which("unshare") is None or not os.path.exists("/lib/systemd/systemd"):
        raise Skip("needs unshare and /lib/systemd/systemd")
    # Inside the namespaces varlib/ is /var/lib. The binaries and the
    # configuration go there too: wherever the checkout lives (/tmp is
    # private under DynamicUser=, /root and /home are hidden by
    # ProtectHome=), /var/lib/chansync-test is reachable by the unit.
    d = os.path.join(BUILD, "systemd-live")
    shutil.rmtree(d, ignore_errors=True)
    for sub in ("units/chansyncd.service.d", "varlib/chansync-test", "credstore",
                "varspool/chansync/drop"):
        os.makedirs(os.path.join(d, sub))
    os.chmod(os.path.join(d, "varlib"), 0o755)
    os.chmod(os.path.join(d, "varlib", "chansync-test"), 0o755)
    for b in ("chansyncd", "chansyncctl"):
        shutil.copy(os.path.join(BUILD, b), os.path.join(d, "varlib", "chansync-test", b))
        os.chmod(os.path.join(d, "varlib", "chansync-test", b), 0o755)
    with open(os.path.join(d, "units", "chansync-test.target"), "w") as f:
        f.write("[Unit]\nDescription=chansync test target\nDefaultDependencies=no\n"
                "Wants=systemd-journald.socket systemd-journald.service\n")
    with open(os.path.join(d, "units", "chansyncd.service"), "w") as f:
        f.write(unit_text(INNER))
    with open(os.path.join(d, "credstore", "audit_key"), "w") as f:
        f.write("a-test-audit-key-for-the-live-unit\n")
    os.chmod(os.path.join(d, "credstore", "audit_key"), 0o600)
    with open(os.path.join(d, "units", "chansyncd.service.d", "test.conf"), "w") as f:
        f.write("[Unit]\nDefaultDependencies=no\n[Service]\n"
                "Environment=CHANSYNC_CONFIG=%s/chansync.yaml\n"
                "LoadCredential=\nLoadCredential=audit_key:%s/credstore/audit_key\n"
                % (INNER, d))
    write_config(d, "1h")
    return d


def write_config(d, interval, extra=""):
    path = os.path.join(d, "varlib", "chansync-test", "chansync.yaml")
    with open(path, "w") as f:
        f.write("""daemon: { state_dir: /var/lib/chansync, interval: %s, jitter: 0s }
sources:
  - name: dist
    kind: file_drop
    path: /var/lib/chansync/spool
    fields: { external_id: a, partner_id: b, customer_name: c, status: d, registered_at: e }
  - name: drop
    kind: file_drop
    path: /var/spool/chansync/drop
    settle: 0s
    fields: { external_id: a, partner_id: b, customer_name: c, status: d, registered_at: e }
audit: { hmac_key: credential:audit_key }
%s""" % (interval, extra))
    os.chmod(path, 0o644)


@test
def t17_t2_the_unit_lives_under_systemd_252():
    d = live_setup()
    sd = None
    try:
        sd = Pid1(d)
        r = sd.run("systemctl", "start", "chansyncd")
        eq(r.returncode, 0, "systemctl start: " + r.stderr)
        eq(sd.show("ActiveState"), "active", "active after READY=1")
        status = sd.show("StatusText")
        if not status:
            raise AssertionError("empty StatusText")
        print("    StatusText: " + status)
        state = os.path.join(d, "varlib", "private", "chansync")
        uid = os.stat(state).st_uid
        eq(uid != 0, True, "state owned by the dynamic user")
        spool = os.path.join(state, "spool")
        os.mkdir(spool)
        os.chown(spool, uid, uid)
        with open(os.path.join(spool, "x.csv"), "w") as f:
            f.write("a,b,c,d,e\nX1,001A,Acme,pending,2026-11-01\n")
        os.chown(os.path.join(spool, "x.csv"), uid, uid)
        # a spool under /var/spool/chansync, given to the daemon's user the
        # way the unit's comment says: writable despite ProtectSystem=strict
        drop = os.path.join(d, "varspool", "chansync", "drop")
        r = sd.run("chown", "chansyncd:", "/var/spool/chansync/drop")
        eq(r.returncode, 0, "chown to the dynamic user by name: " + r.stderr)
        eq(os.stat(drop).st_uid, uid, "the spool belongs to the daemon's user")
        with open(os.path.join(drop, "y.csv"), "w") as f:
            f.write("a,b,c,d,e\nY1,001A,Initech,pending,2026-11-01\n")
        eq(sd.run("systemctl", "kill", "-s", "USR1", "chansyncd").returncode, 0, "kill -s USR1")
        wait_until(lambda: os.path.exists(os.path.join(spool, "done", "x.csv")), 10,
                   "SIGUSR1 to ingest the dropped file")
        wait_until(lambda: os.path.exists(os.path.join(drop, "done", "y.csv")), 10,
                   "the /var/spool file to be taken and moved to done/")
        # reload: a good file, then a bad one (systemctl reload fails, unit stays)
        write_config(d, "2h")
        r = sd.run("systemctl", "reload", "chansyncd")
        eq(r.returncode, 0, "good reload: " + r.stderr)
        write_config(d, "2h", "bogus_section: {}\n")
        r = sd.run("systemctl", "reload", "chansyncd")
        eq(r.returncode != 0, True, "a rejected file fails systemctl reload")
        eq(sd.show("ActiveState"), "active", "still active after a bad reload")
        write_config(d, "2h")
        j = sd.run("journalctl", "-u", "chansyncd", "-o", "json", "--no-pager").stdout
        ours = [json.loads(l) for l in j.splitlines() if '"chansyncd"' in l]
        ids = {e.get("MESSAGE_ID") for e in ours}
        for want in ("147e9bb2b3984f028e08212abdadaf96", "4fbb5283dd6f4320afeabea6204edffa",
                     "201b30be380347459e07d6025ca0c924"):
            if want not in ids:
                raise AssertionError("MESSAGE_ID %s not in the journal" % want)
        # the sandbox holds: only the state directory is writable (T17)
        access = [e.get("MESSAGE", "") for e in ours
                  if e.get("MESSAGE", "").startswith("write access:")]
        if not access:
            raise AssertionError("no 'write access:' line in the journal")
        print("    " + access[-1])
        contains(access[-1], "/var/lib/chansync writable", "write access")
        contains(access[-1], "/usr not writable (Read-only file system)", "write access")
        contains(access[-1], "/etc not writable (Read-only file system)", "write access")
        if "/home writable" in access[-1] or "/root writable" in access[-1]:
            raise AssertionError("ProtectHome does not hold: " + access[-1])
        anchors = [e for e in ours if e.get("MESSAGE_ID") == "4fbb5283dd6f4320afeabea6204edffa"]
        eq(bool(anchors[-1].get("CHANSYNC_AUDIT_SEQ")), True, "CHANSYNC_AUDIT_SEQ field")
        contains(anchors[-1].get("CODE_FILE", ""), "audit.c", "the caller's CODE_FILE")
        # T2: a hung daemon (SIGSTOP) is killed by the watchdog and restarted
        with open(os.path.join(d, "units", "chansyncd.service.d", "watchdog.conf"), "w") as f:
            f.write("[Service]\nWatchdogSec=2s\nTimeoutAbortSec=2s\nRestartSec=1s\n")
        sd.run("systemctl", "daemon-reload")
        eq(sd.run("systemctl", "restart", "chansyncd").returncode, 0, "restart")
        old = sd.show("MainPID")
        t0 = time.monotonic()
        sd.run("kill", "-STOP", old)
        wait_until(lambda: sd.show("NRestarts") not in ("", "0") and
                   sd.show("ActiveState") == "active" and sd.show("MainPID") not in ("0", old),
                   8, "the watchdog to kill and restart the hung daemon")
        print("    watchdog restart after %.1fs" % (time.monotonic() - t0))
        j = sd.run("journalctl", "-u", "chansyncd", "--no-pager").stdout
        contains(j, "Watchdog timeout")
        contains(j, "Failed with result 'watchdog'")
        r = sd.run("systemctl", "stop", "chansyncd")
        eq(r.returncode, 0, "stop")
        eq(sd.show("Result"), "success", "Result after stop")
        eq(sd.show("ActiveState"), "inactive", "stopped")
        con = sqlite3.connect("file:%s?mode=ro" % os.path.join(state, "chansync.db"), uri=True)
        eq(con.execute("PRAGMA integrity_check").fetchone()[0], "ok", "database after restart")
        con.close()
    finally:
        if sd:
            sd.stop()
        shutil.rmtree(d, ignore_errors=True)

"""Crash safety: kill -9 at random moments while a spool is ingested, a
disk that fills up and a disk that fails mid-sync. Afterwards the
database is intact, every record is present exactly once, every bad
record quarantined exactly once, no file is both in the spool and in
done/, and once the disk is back the next run lands the rest."""
import os
import random
import signal
import subprocess
import sys
import time

from harness import (Env, FILE_DROP_CONFIG, IS_ROOT, ROOT, Skip, contains, eq,
                     failing_disk, test, wait_exit)

HEAD = "reg_no,reseller,end_user,website,status,registered,value,cur\n"
FILES, ROWS, BAD_EVERY = 60, 2000, 250


def make_spool(env, files=FILES):
    good = bad = 0
    for i in range(files):
        lines = []
        for j in range(ROWS):
            if j % BAD_EVERY == BAD_EVERY - 1:
                lines.append("K%02d-%05d,001A,Broken %d,,NEW,not-a-date,1,USD" % (i, j, j))
                bad += 1
            else:
                lines.append("K%02d-%05d,001%d,Customer %d,c%d.example,NEW,2026-11-01,%d,USD"
                             % (i, j, i % 10, j, j, j))
                good += 1
        env.drop("part-%03d.csv" % i, HEAD + "\n".join(lines) + "\n")
    return good, bad


def invariants(env, when):
    eq(env.query("PRAGMA integrity_check")[0][0], "ok", "integrity_check " + when)
    eq(env.query("PRAGMA foreign_key_check"), [], "foreign_key_check " + when)
    spool = {f for f in os.listdir(env.spool) if f.endswith(".csv")}
    # done/ is made when the first file is moved: a kill can come before
    d = os.path.join(env.spool, "done")
    done = set(os.listdir(d)) if os.path.isdir(d) else set()
    both = {f for f in spool if f in done or any(d.startswith(f + ".") for d in done)}
    eq(both, set(), "files both in the spool and in done/ " + when)
    # a kill before the first migration committed leaves no schema at all
    # (the migration is one transaction), and nothing can have moved
    tables = {n for (n,) in env.query("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "files" not in tables:
        eq(tables & {"registrations", "quarantine"}, set(), "half a schema " + when)
        eq(done, set(), "files moved without a database " + when)
        return
    # records only from files that were committed, and all of them
    committed = {n for (n,) in env.query("SELECT name FROM files WHERE status = 'done'")}
    per_file = dict(env.query("SELECT substr(key, 7, 3), count(*) FROM registrations "
                              "GROUP BY 1"))
    for k, n in per_file.items():
        eq(n, ROWS - ROWS // BAD_EVERY, "records of file %s %s" % (k, when))
    eq(len(per_file), len(committed), "files with records vs. ledger " + when)
    q = env.query("SELECT count(*), count(DISTINCT position) FROM quarantine")[0]
    eq(q[0], q[1], "no record quarantined twice " + when)
    eq(q[0], len(committed) * (ROWS // BAD_EVERY), "quarantine rows " + when)


@test
def kill_9_at_random_moments_loses_and_duplicates_nothing():
    env = Env("crash")
    try:
        env.write_config(FILE_DROP_CONFIG)
        good, bad = make_spool(env)
        rnd = random.Random(int(os.environ.get("CHANSYNC_CRASH_SEED", "7")))
        kills = 0
        t0 = time.monotonic()
        p = env.start("--once")
        # how long one full ingest takes (the spool empty; conflict detection
        # follows, over every record) ...
        while [f for f in os.listdir(env.spool) if f.endswith(".csv")]:
            if time.monotonic() - t0 > 300:
                raise AssertionError("the ingest took over 300 s")
            time.sleep(0.01)
        full = time.monotonic() - t0
        wait_exit(p, 300)
        # ... then start over on a fresh spool and kill inside that span
        env.cleanup()
        env = Env("crash")
        env.write_config(FILE_DROP_CONFIG)
        make_spool(env)
        for i in range(40):
            p = env.start("--once")
            time.sleep(rnd.uniform(0.0, max(full / 15, 0.03)))
            if p.poll() is None:
                os.kill(p.pid, signal.SIGKILL)
                kills += 1
            p.wait()
            invariants(env, "after kill %d" % (i + 1))
            if not [f for f in os.listdir(env.spool) if f.endswith(".csv")]:
                break
        p = env.start("--once")
        eq(wait_exit(p, 300), 0, "final clean run")
        invariants(env, "at the end")
        eq(env.query("SELECT count(*) FROM registrations")[0][0], good, "every record once")
        eq(env.query("SELECT count(*) FROM quarantine")[0][0], bad, "every bad record once")
        eq(env.query("SELECT count(*) FROM files WHERE status = 'done'")[0][0], FILES,
           "ledger")
        eq(env.ctl("audit", "verify").returncode, 0, "audit chain intact")
        if kills < 20:
            raise AssertionError("only %d kills landed inside the ingest (full run %.2fs)"
                                 % (kills, full))
        print("    %d kills, full ingest %.2fs, %d records, %d quarantined"
              % (kills, full, good, bad))
    finally:
        env.cleanup()


def recovers(env, good, bad, files, when):
    """After the disk is back: the next run lands the rest, once."""
    p = env.chansyncd("--once")
    eq(p.returncode, 0, "the run after " + when + "\n" + p.stderr[-2000:])
    invariants(env, "after " + when + " and a clean run")
    eq(env.query("SELECT count(*) FROM registrations")[0][0], good, "every record once")
    eq(env.query("SELECT count(*) FROM quarantine")[0][0], bad, "every bad record once")
    eq(env.query("SELECT count(*) FROM files WHERE status = 'done'")[0][0], files, "ledger")
    eq(env.ctl("audit", "verify").returncode, 0, "audit chain intact")


@test
def a_failing_disk_mid_sync_loses_nothing():
    # failio.so fails every write and sync to the database after 1,500
    # writes, as a dying disk would (EIO)
    env = Env("eio")
    try:
        env.write_config(FILE_DROP_CONFIG)
        good, bad = make_spool(env, files=8)
        p = env.chansyncd("--once", extra_env=failing_disk(1500))
        eq(p.returncode, 74, "exit status when the disk fails\n" + p.stderr[-2000:])
        contains(p.stderr, "disk I/O error")
        invariants(env, "after the disk failed")
        done = env.query("SELECT count(*) FROM files WHERE status = 'done'")[0][0]
        if not 0 < done < 8:
            raise AssertionError("the disk should fail mid-sync: %d of 8 files done" % done)
        print("    the disk failed after %d of 8 files" % done)
        recovers(env, good, bad, 8, "the disk failed")
    finally:
        env.cleanup()


@test
def a_full_disk_mid_sync_loses_nothing():
    # the state directory on a 4 MB tmpfs in a mount namespace of its own:
    # the test runs itself again inside it (unshare -m)
    if os.environ.get("CHANSYNC_IN_MOUNT_NS") != "1":
        if not IS_ROOT or subprocess.run(["which", "unshare"],
                                         capture_output=True).returncode != 0:
            raise Skip("needs root and unshare for a private tmpfs")
        p = subprocess.run(
            ["unshare", "-m", "--propagation", "private", sys.executable,
             os.path.join(ROOT, "tests", "integration", "run.py"),
             "^test_crash.a_full_disk_mid_sync_loses_nothing$"],
            env=dict(os.environ, CHANSYNC_IN_MOUNT_NS="1"), capture_output=True, text=True,
            timeout=600)
        for line in p.stdout.splitlines():
            if line.startswith("    "):
                print(line)
        if p.returncode != 0 or "1 passed" not in p.stdout:
            raise AssertionError("inside the mount namespace:\n" + p.stdout[-3000:] +
                                 p.stderr[-2000:])
        return
    env = Env("enospc")
    mounted = False
    try:
        env.write_config(FILE_DROP_CONFIG)
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m,mode=0755", "tmpfs",
                        env.state], check=True)
        mounted = True
        good, bad = make_spool(env, files=8)
        p = env.chansyncd("--once")
        if p.returncode not in (74, 75):
            raise AssertionError("exit %d when the disk filled\n%s"
                                 % (p.returncode, p.stderr[-2000:]))
        contains(p.stderr, "database or disk is full")
        invariants(env, "after the disk filled")
        done = env.query("SELECT count(*) FROM files WHERE status = 'done'")[0][0]
        if done >= 8:
            raise AssertionError("the disk never filled: all 8 files done")
        print("    the disk filled after %d of 8 files (exit %d)" % (done, p.returncode))
        # space returns
        subprocess.run(["mount", "-o", "remount,size=256m", env.state], check=True)
        recovers(env, good, bad, 8, "the disk filled")
    finally:
        if mounted:
            subprocess.run(["umount", "-l", env.state])
        env.cleanup()

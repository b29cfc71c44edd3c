"""Crash safety: kill -9 at random moments while a spool is ingested.
Afterwards the database is intact, every record is present exactly once,
every bad record quarantined exactly once, and no file is both in the
spool and in done/."""
import os
import random
import signal
import time

from harness import Env, FILE_DROP_CONFIG, eq, test, wait_exit

HEAD = "reg_no,reseller,end_user,website,status,registered,value,cur\n"
FILES, ROWS, BAD_EVERY = 60, 2000, 250


def make_spool(env):
    good = bad = 0
    for i in range(FILES):
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

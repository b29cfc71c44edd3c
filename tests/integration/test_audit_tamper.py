"""The audit log under attack (T19): rows changed, deleted, truncated,
swapped or the whole chain recomputed with the sqlite3 command-line tool;
`chansyncctl audit verify` names the first broken row."""
import hashlib
import os
import shutil
import sqlite3
import struct
import subprocess

from harness import Env, FILE_DROP_CONFIG, contains, eq, test

HEAD = "reg_no,reseller,end_user,website,status,registered,value,cur\n"


def build_log(env, rows_wanted=1000):
    # every bad record is an audit row: files of 500 (a file of more than
    # 1,000 bad records is refused whole) give the log
    for part in range(0, rows_wanted, 500):
        bad = "\n".join("B%04d,001A,Bad %d,,NEW,never,1,USD" % (i, i)
                        for i in range(part, min(part + 500, rows_wanted)))
        env.drop("bad%d.csv" % part, HEAD + bad + "\n")
    env.chansyncd("--once", check_rc=0)
    n = env.query("SELECT count(*) FROM audit")[0][0]
    if n < rows_wanted:
        raise AssertionError("only %d audit rows" % n)
    return n


def sqlite_cli(db, sql):
    p = subprocess.run(["sqlite3", db], input=sql, capture_output=True, text=True)
    return p.returncode, p.stderr


def verify(env, db_copy):
    # run verify against a tampered copy placed as the state dir's database
    live = os.path.join(env.state, "chansync.db")
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(live + suffix):
            os.unlink(live + suffix)
    shutil.copy(db_copy, live)
    return env.ctl("audit", "verify")


def lp(s):
    if s is None:
        return b"\xff\xff\xff\xff"
    b = s.encode()
    return struct.pack(">I", len(b)) + b


def recompute_plain(db):
    """What an attacker with the database, and without the key, can do."""
    con = sqlite3.connect(db)
    con.execute("DROP TRIGGER audit_no_update")
    genesis = con.execute("SELECT value FROM meta WHERE key='audit_genesis'").fetchone()[0]
    prev = hashlib.sha256(b"chansync-audit-genesis\0" + genesis.encode()).digest()
    rows = con.execute("SELECT seq, ts, cycle_id, actor, action, entity, entity_id, detail "
                       "FROM audit ORDER BY seq").fetchall()
    for seq, ts, cyc, actor, action, entity, eid, detail in rows:
        if action == "record.quarantined" and seq == 100:
            detail = detail.replace("never", "today")          # the point of the rewrite
        h = hashlib.sha256(b"chansync-audit-v1\0" + lp("sha256") + prev +
                           struct.pack(">Q", seq) + lp(ts) + struct.pack(">Q", cyc or 0) +
                           lp(actor) + lp(action) + lp(entity) + lp(eid) + lp(detail)).digest()
        con.execute("UPDATE audit SET alg='sha256', prev_hash=?, hash=?, detail=? WHERE seq=?",
                    (prev, h, detail, seq))
        prev = h
    con.commit()
    con.close()


@test
def tampering_is_detected_and_named():
    env = Env("tamper")
    try:
        env.credential("audit_key", "an-hmac-key-for-the-audit-chain\n")
        env.write_config(FILE_DROP_CONFIG + "audit:\n  hmac_key: credential:audit_key\n")
        n = build_log(env)
        p = env.ctl("audit", "verify", check_rc=0)
        contains(p.stdout, "audit log intact: %d rows" % n)
        contains(p.stdout, "rows/s")
        print("    " + p.stdout.strip())
        pristine = os.path.join(env.dir, "pristine.db")
        con = sqlite3.connect(os.path.join(env.state, "chansync.db"))
        con.execute("VACUUM INTO ?", (pristine,))
        con.close()
        # an ordinary connection cannot change the log
        rc, err = sqlite_cli(os.path.join(env.state, "chansync.db"),
                             "UPDATE audit SET detail='{}' WHERE seq=5;")
        eq(rc != 0, True, "UPDATE refused")
        contains(err, "audit log is append-only")
        rc, err = sqlite_cli(os.path.join(env.state, "chansync.db"),
                             "DELETE FROM audit WHERE seq=5;")
        contains(err, "audit log is append-only")
        drop = "DROP TRIGGER audit_no_update; DROP TRIGGER audit_no_delete; "
        cases = [
            ("changed detail", "UPDATE audit SET detail = replace(detail, 'never', 'today') "
             "WHERE seq = 321;", "first bad row 321: row 321 was modified"),
            ("deleted row", "DELETE FROM audit WHERE seq = 500;",
             "first bad row 500: row 500 is missing"),
            ("truncated tail", "DELETE FROM audit WHERE seq > (SELECT max(seq) - 10 FROM audit);",
             "rows at the end were deleted"),
            ("swapped rows", "UPDATE audit SET seq = -1 WHERE seq = 600; "
             "UPDATE audit SET seq = 600 WHERE seq = 601; UPDATE audit SET seq = 601 "
             "WHERE seq = -1;", "first bad row 600"),
        ]
        for what, sql, expect in cases:
            db = os.path.join(env.dir, "case.db")
            shutil.copy(pristine, db)
            rc, err = sqlite_cli(db, drop + sql)
            eq(rc, 0, "sqlite3 for " + what + ": " + err)
            p = verify(env, db)
            eq(p.returncode, 1, "verify exit for " + what)
            contains(p.stdout, expect, what)
        # the whole chain recomputed without the key: the anchors give it away
        db = os.path.join(env.dir, "case.db")
        shutil.copy(pristine, db)
        recompute_plain(db)
        p = verify(env, db)
        eq(p.returncode, 1, "verify exit for a recomputed chain")
        contains(p.stdout, "does not match anchor")
        # a damaged page is corruption, not tampering: said so, exit 2
        shutil.copy(pristine, db)
        con = sqlite3.connect(db)
        root = con.execute("SELECT rootpage FROM sqlite_schema WHERE name = 'audit'"
                           ).fetchone()[0]
        psize = con.execute("PRAGMA page_size").fetchone()[0]
        con.close()
        with open(db, "r+b") as f:
            f.seek((root - 1) * psize)
            f.write(b"\x00\x00\xff\xff\xff\xff")       # no such page type
        p = verify(env, db)
        eq(p.returncode, 2, "verify exit for a damaged file\n" + p.stdout + p.stderr)
        contains(p.stdout, "the database file is damaged")
        contains(p.stdout, "not proof of tampering")
        # and the untouched log still verifies
        shutil.copy(pristine, db)
        p = verify(env, db)
        eq(p.returncode, 0, "pristine copy verifies")
    finally:
        env.cleanup()

"""Operators' decisions on conflicts through the running daemon: decide,
refusals (not a member, already decided, changed since read, no daemon),
the Unix user in the audit, a new claim reopening a decided conflict with
the decision kept as history, and an operator's reopen."""
import datetime
import os
import pwd
import signal
import socket

from harness import Env, FILE_DROP_CONFIG, Notify, contains, eq, test, wait_exit, wait_until

HEAD = "reg_no,reseller,end_user,website,status,registered,value,cur\n"


def day(n):
    """The date n days ago (registrations stay fresh whatever the date)."""
    return (datetime.date.today() - datetime.timedelta(days=n)).isoformat()


def raw_request(env, line):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(os.path.join(env.state, "chansyncd.sock"))
    s.sendall(line.encode() + b"\n")
    out = b""
    while not out.endswith(b"\n") or not (out.split(b"\n")[-2].startswith(b"ok")
                                          or out.split(b"\n")[-2].startswith(b"error")):
        chunk = s.recv(4096)
        if not chunk:
            break
        out += chunk
    s.close()
    return out.decode()


@test
def decide_reopen_and_refusals_through_the_daemon():
    env = Env("decide")
    me = pwd.getpwuid(os.getuid()).pw_name
    try:
        env.write_config(FILE_DROP_CONFIG)
        r = env.ctl("conflict", "PC-x", "decide", "--winner", "dist:S1", "--reason", "r")
        eq(r.returncode, 69, "no daemon\n" + r.stderr)
        contains(r.stderr, "start it first")
        n = Notify(os.path.join(env.dir, "notify.sock"))
        p = env.start(extra_env={"NOTIFY_SOCKET": n.path})
        n.wait_for("READY", "1")
        wait_until(lambda: os.path.exists(os.path.join(env.state, "chansyncd.sock")), 10,
                   "the control socket")
        env.drop("a.csv", HEAD + "S1,P1,Acme Corp,acme.example,NEW,%s,10,USD\n"
                 "S2,P2,ACME Corporation,acme.example,NEW,%s,20,USD\n" % (day(10), day(5)))
        env.ctl("sync", "--wait", "--timeout", "30", check_rc=0)
        rows = env.query("SELECT key, winner FROM conflicts WHERE status = 'open'")
        eq(len(rows), 1, "one conflict")
        key, recommended = rows[0]
        eq(recommended, "dist:S1", "first registered recommended")
        # not a member: refused, nothing stored
        r = env.ctl("conflict", key, "decide", "--winner", "dist:S9", "--reason", "x")
        eq(r.returncode, 65, r.stderr)
        contains(r.stderr, "dist:S9 is not a member of conflict %s" % key)
        # decided for the second partner, by this Unix user
        r = env.ctl("conflict", key, "decide", "--winner", "dist:S2", "--reason",
                    "P2 ran the proof of concept", check_rc=0)
        contains(r.stdout, "conflict %s decided for dist:S2 by %s" % (key, me))
        eq(env.query("SELECT status, decided_winner, decision, winner FROM conflicts")[0],
           ("decided", "dist:S2", "P2 ran the proof of concept", "dist:S1"),
           "decided, the recommendation kept beside it")
        eq(env.query("SELECT operator, winner, members FROM conflict_decisions")[0],
           (me, "dist:S2", "dist:S1 dist:S2"), "the decision row")
        eq(env.query("SELECT json_extract(detail, '$.operator'), json_extract(detail, "
                     "'$.winner') FROM audit WHERE action = 'conflict.decided'")[0],
           (me, "dist:S2"), "audited with the operator")
        # decided once: a second decision is refused
        r = env.ctl("conflict", key, "decide", "--winner", "dist:S1", "--reason", "x")
        eq(r.returncode, 65, r.stderr)
        contains(r.stderr, "already decided for dist:S2")
        # a conflict that changed since it was read is refused
        out = raw_request(env, "decide %s\tdist:S1\t2000-01-01T00:00:00Z\tstale" % key)
        contains(out, "error conflict %s changed at" % key)
        # the page shows the decision
        out = env.ctl("conflict", key, check_rc=0).stdout
        contains(out, "decided:   dist:S2 (P2 ran the proof of concept)")
        contains(out, "for dist:S2 by %s: P2 ran the proof of concept" % me)
        # the same claims again: the decision stands
        env.drop("b.csv", HEAD + "S2,P2,ACME Corporation,acme.example,NEW,%s,25,USD\n"
                 % day(5))
        env.ctl("sync", "--wait", "--timeout", "30", check_rc=0)
        eq(env.query("SELECT status FROM conflicts")[0][0], "decided", "stands")
        # a new claim joins: reopened, the decision is history
        env.drop("c.csv", HEAD + "S3,P3,Acme Corp.,acme.example,NEW,%s,30,USD\n" % day(2))
        env.ctl("sync", "--wait", "--timeout", "30", check_rc=0)
        eq(env.query("SELECT status, decided_winner FROM conflicts")[0], ("open", None),
           "reopened by a new claim")
        eq(env.query("SELECT withdrawn_by, withdrawn_why FROM conflict_decisions")[0],
           ("chansyncd", "a new claim joined the conflict"), "history")
        out = env.ctl("conflict", key, check_rc=0).stdout
        contains(out, "withdrawn ")
        contains(out, "by chansyncd: a new claim joined the conflict")
        # decided again, then reopened by the operator
        env.ctl("conflict", key, "decide", "--winner", "dist:S3", "--reason", "newest",
                check_rc=0)
        r = env.ctl("conflict", key, "reopen", "--reason", "the account team objects",
                    check_rc=0)
        contains(r.stdout, "reopened by %s" % me)
        eq(env.query("SELECT status FROM conflicts")[0][0], "open", "open again")
        eq(env.query("SELECT count(*) FROM conflict_decisions WHERE withdrawn_at IS NULL")[0][0],
           0, "no standing decision")
        eq(env.query("SELECT withdrawn_by FROM conflict_decisions ORDER BY id DESC "
                     "LIMIT 1")[0][0], me, "withdrawn by the operator")
        r = env.ctl("conflict", key, "reopen", "--reason", "again")
        eq(r.returncode, 65, r.stderr)
        contains(r.stderr, "has no decision to withdraw")
        p.send_signal(signal.SIGTERM)
        eq(wait_exit(p, 10), 0, "stops")
        eq(env.ctl("audit", "verify").returncode, 0, "audit intact")
    finally:
        env.cleanup()

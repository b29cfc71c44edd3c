"""Logging (T18): native journald protocol with structured fields when
stderr is the journal stream; stderr with <N> prefixes otherwise."""
import json
import os
import shutil
import subprocess
import sys

from harness import (Env, FILE_DROP_CONFIG, IS_ROOT, ROOT, Skip, bin_path, contains, eq,
                     test)

CSV = ("reg_no,reseller,end_user,website,status,registered,value,cur\n"
       "R1,001A,Acme,,NEW,2026-11-01,1,USD\n"
       "R2,001A,Acme,,NEW,\"bad\r\n<3>FAKE LOG LINE\",1,USD\n")


@test
def t18a_structured_entries_to_journald():
    if not IS_ROOT or shutil.which("unshare") is None:
        raise Skip("needs root and unshare for a private /run/systemd")
    env = Env("journal")
    try:
        env.write_config(FILE_DROP_CONFIG)
        env.drop("j.csv", CSV)
        e = env.env()
        e.pop("CHANSYNC_LOG_TARGET", None)
        p = subprocess.run(["unshare", "-m", "--propagation", "private", sys.executable,
                            os.path.join(ROOT, "tests", "integration", "fakejournal.py"),
                            bin_path("chansyncd"), "-c", env.config, "--once"],
                           env=e, capture_output=True, text=True, timeout=60)
        eq(p.returncode, 0, "fake journal runner: " + p.stderr)
        got = json.loads(p.stdout)
        eq(got["rc"], 0, "chansyncd exit")
        eq(got["stderr"], "", "nothing duplicated on stderr")
        entries = got["entries"]
        if len(entries) < 5:
            raise AssertionError("only %d journal entries" % len(entries))
        for en in entries:
            for k in ("MESSAGE", "PRIORITY", "CODE_FILE", "CODE_LINE", "CODE_FUNC",
                      "SYSLOG_IDENTIFIER"):
                if k not in en:
                    raise AssertionError("%s missing in %r" % (k, en))
            if en["CODE_FILE"].endswith("log.c"):
                raise AssertionError("CODE_FILE is the logger, not the caller: %r" % en)
        q = [en for en in entries if en.get("MESSAGE_ID") == "aea765acd9f94ded8fa257eb5a9b61cd"]
        eq(len(q), 1, "one quarantine entry")
        eq(q[0]["PRIORITY"], "5", "quarantine priority notice")
        eq(q[0]["CHANSYNC_SOURCE"], "dist", "CHANSYNC_SOURCE")
        eq(q[0]["CHANSYNC_RECORD"], "R2", "CHANSYNC_RECORD")
        eq(q[0]["CHANSYNC_FIELD"], "registered_at", "CHANSYNC_FIELD")
        ids = {en.get("MESSAGE_ID") for en in entries}
        for want in ("147e9bb2b3984f028e08212abdadaf96", "a39dbba5810847f58f60d8d2c5b71156",
                     "4fbb5283dd6f4320afeabea6204edffa", "b215d97e62cc4d98a4f4f1598b3894a7"):
            if want not in ids:
                raise AssertionError("no entry with MESSAGE_ID " + want)
        anchor = [en for en in entries if en.get("MESSAGE_ID") ==
                  "4fbb5283dd6f4320afeabea6204edffa"][0]
        eq(anchor["CHANSYNC_AUDIT_SEQ"].isdigit(), True, "anchor seq")
        eq(len(anchor["CHANSYNC_AUDIT_HASH"]), 64, "anchor hash")
    finally:
        env.cleanup()


@test
def t18b_stderr_with_priorities_when_not_under_journald():
    env = Env("stderr")
    try:
        env.write_config(FILE_DROP_CONFIG)
        for extra in ({}, {"JOURNAL_STREAM": "1:1"}):
            env.drop("s.csv", CSV)
            e = dict(extra)
            p = env.run([bin_path("chansyncd"), "-c", env.config, "--once"],
                        extra_env=dict(e, CHANSYNC_LOG_TARGET="auto"))
            eq(p.returncode, 0, "exit")
            lines = p.stderr.strip().split("\n")
            for l in lines:
                if not (l[:1] == "<" and l[1].isdigit() and l[2] == ">"):
                    raise AssertionError("line without a <N> prefix: %r" % l)
            contains(p.stderr, "<5>chansyncd 0.1.0 started")
            contains(p.stderr, "<6>cycle ")
            contains(p.stderr, "<5>source dist: s.csv:3 (R2): record quarantined")
            # a CR/LF in a value cannot forge a log line
            contains(p.stderr, "'bad\\x0d\\x0a<3>FAKE LOG LINE' is not a date")
    finally:
        env.cleanup()

"""valgrind on the real binaries (T13): no invalid access, nothing
definitely lost, through a cycle with good, bad and unreadable input and
through chansyncctl's commands."""
import shutil

import os

from harness import (Env, FILE_DROP_CONFIG, ROOT, SANITIZED, FakeServer, Skip, bin_path,
                     eq, test)

VG = ["valgrind", "--quiet", "--leak-check=full", "--errors-for-leak-kinds=definite",
      "--error-exitcode=99"]


@test
def t13_valgrind_clean():
    if SANITIZED:
        raise Skip("valgrind runs on the plain build")
    if shutil.which("valgrind") is None:
        raise Skip("valgrind is not installed")
    env = Env("valgrind")
    fake = FakeServer("vendor.py", "portal", "--data",
                      os.path.join(ROOT, "fixtures", "vendors", "portal.json"))
    try:
        env.credential("audit_key", "valgrind-audit-key-value\n")
        env.credential("portal_token", "portal-test-token\n")
        portal = """  - name: portal
    kind: http_json
    url: %s/api/v2/registrations
    auth: { kind: bearer, token: credential:portal_token }
    records: /data
    pagination: { kind: cursor, param: cursor, next: /meta/next_cursor }
    fields: { external_id: /id, partner_id: /partner/crm_account_id,
              customer_name: /end_customer/company, customer_domain: /end_customer/website,
              customer_country: /end_customer/country, status: /status,
              registered_at: /submitted_at, updated_at: /updated_at }
    status_map: { submitted: pending, in_review: pending, declined: rejected,
                  closed_won: won, closed_lost: lost }
""" % fake.url
        env.write_config(FILE_DROP_CONFIG.replace("normalize:", portal + "normalize:") +
                         "audit: { hmac_key: credential:audit_key }\n")
        env.drop("a.csv", "reg_no,reseller,end_user,website,status,registered,value,cur\n"
                 "R1,001A,\"Acme, Inc.\",acme.example,NEW,2026-11-01,\"1,000\",EUR\n"
                 "R2,001A,Bad,,WHAT,2026-11-01,1,USD\nshort\n")
        env.drop("b.csv", "\x00binary")
        runs = [
            [bin_path("chansyncd"), "-c", env.config, "--once"],
            [bin_path("chansyncd"), "-c", env.config, "--check-config"],
            [bin_path("chansyncctl"), "-c", env.config, "status"],
            [bin_path("chansyncctl"), "-c", env.config, "--json", "audit"],
            [bin_path("chansyncctl"), "-c", env.config, "quarantine"],
            [bin_path("chansyncctl"), "-c", env.config, "audit", "verify"],
            [bin_path("chansyncctl"), "-c", env.config, "report", "program", "--html",
             os.path.join(env.dir, "program.html")],
        ]
        for cmd in runs:
            p = env.run(VG + cmd, timeout=300)
            if p.returncode == 99 or "definitely lost" in p.stderr or \
                    "Invalid" in p.stderr:
                raise AssertionError("valgrind: %s\n%s" % (" ".join(cmd[-2:]), p.stderr))
            eq(p.returncode, 0, " ".join(cmd[len(cmd) - 2:]))
        # a CRM configuration (its mdf objects moved into the activities)
        # frees what it built
        good = open(env.config).read()
        env.credential("sf_jwt_key", "not-a-key-but-a-secret\n")
        with open(env.config, "w") as f:
            f.write(good + "crm:\n  kind: salesforce\n  auth: { flow: jwt_bearer, "
                    "client_id: x, username: u@vendor.example, private_key: "
                    "credential:sf_jwt_key }\n")
        p = env.run(VG + [bin_path("chansyncd"), "-c", env.config, "--check-config"])
        eq(p.returncode, 0, "a CRM configuration under valgrind: " + p.stderr[-2000:])
        # a rejected configuration frees what it built, at either stage
        for tail in ("bogus: 1\ndaemon2: [\n", "bogus: 1\nscoring: { tiers: { a: 5 } }\n",
                     "scoring: { tiers: [ { name: a, min_score: 5, requires: "
                     "{ certifications: 2, bogus: 1 } } ] }\n"):
            with open(env.config, "w") as f:
                f.write(good + tail)
            p = env.run(VG + [bin_path("chansyncd"), "-c", env.config, "--check-config"])
            eq(p.returncode, 78, "rejected config under valgrind: " + p.stderr[-2000:])
    finally:
        env.cleanup()
        fake.stop()

"""make demo tells the whole story: the script runs on this build against
the emulator and both vendor fakes, and what it prints holds together."""
import glob
import os
import re
import shutil
import sqlite3
import subprocess

from harness import BUILD, ROOT, contains, eq, sanitizer_report, test


@test
def the_demo_runs_the_whole_story():
    p = subprocess.run([os.path.join(ROOT, "tests", "demo.sh"), BUILD], cwd=ROOT,
                       capture_output=True, text=True, timeout=600)
    out = re.sub(r"\x1b\[[0-9;]*m", "", p.stdout)
    m = re.search(r"The demo state is in (/tmp/chansync-demo\.\w+)", out)
    logs = ""
    if m:
        for f in sorted(glob.glob(os.path.join(m.group(1), "cycle*.log"))):
            with open(f) as fh:
                logs += fh.read()
    try:
        eq(p.returncode, 0, "demo.sh exit status\n" + out[-3000:] + p.stderr[-3000:])
        if sanitizer_report(logs + p.stderr):
            raise AssertionError("sanitizer report in the demo:\n" + p.stderr[-4000:] +
                                 logs[-4000:])
        for want in ("configuration OK", "exit status: 0",
                     "== the partner scorecard, ranked", "period 20",
                     "== one partner's page for the business review",
                     "== open conflicts and their recommended winners",
                     "== open alerts", "Account: 50 partners carry a score",
                     "chansyncctl crm check", "everything chansync reads and writes is there",
                     "== the digest Ana Ruiz gets in the morning",
                     "chansync digest for Ana Ruiz, ",
                     "approved in the CRM: registration Lead",
                     "two partners approved for one deal: chansyncctl conflict DA-",
                     "decided for reghub:HUB-7781 by ",
                     "in the CRM: Resolved, winner reghub:HUB-7781: decided: Alpine IT AG",
                     '"decision":"rejected","decision_id":1,"external_id":"D-10001"',
                     "audit log intact", "== the business review pages",
                     "/reports/partner.html", "/reports/program.html"):
            contains(out, want, "demo output")
        # the reports it wrote: a page with charts, and one without other
        # partners' conflicts for the partner
        for name, has in (("partner.html", "Open conflicts (internal)"),
                          ("program.html", "Partners ranked")):
            with open(os.path.join(m.group(1), "reports", name)) as fh:
                page = fh.read()
            contains(page, "<svg", name)
            contains(page, has, name)
        with open(os.path.join(m.group(1), "reports", "partner-for-partner.html")) as fh:
            eq("Open conflicts" in fh.read(), False, "conflicts on the partner's own page")
        # what the CRM holds is what chansync counted: one record per key
        for obj in ("Channel_Alert__c", "Deal_Conflict__c"):
            m2 = re.search(r"%s: (\d+) records, (\d+) distinct keys" % obj, out)
            if not m2:
                raise AssertionError("no %s line in the demo output" % obj)
            eq(m2.group(1), m2.group(2), obj + " records vs keys")
            if int(m2.group(1)) == 0:
                raise AssertionError("the demo wrote no " + obj)
        m3 = re.search(r"cycle 1 ok: .* (\d+) alerts open, (\d+) CRM writes, 0 failed", out)
        if not m3:
            raise AssertionError("cycle 1 summary missing:\n" + out[:3000])
        # the second cycle resolves the approved registration's alert and
        # writes a handful of records; the third writes nothing
        contains(logs, "resolved", "cycle 2 log")
        m4 = re.search(r"cycle 2 ok: .* (\d+) CRM writes, 0 failed", out)
        if not m4 or not 0 < int(m4.group(1)) < int(m3.group(2)) // 10:
            raise AssertionError("cycle 2 should write only the few changed records:\n" +
                                 (m4.group(0) if m4 else "no summary"))
        m5 = re.search(r"cycle 3 ok: [^\n]*", out)
        if not m5 or "CRM writes" in m5.group(0):
            raise AssertionError("cycle 3 should write nothing: " +
                                 (m5.group(0) if m5 else "no summary"))
        alerts_a_manager_can_read(os.path.join(m.group(1), "state", "chansync.db"))
    finally:
        if m:
            shutil.rmtree(m.group(1), ignore_errors=True)


def alerts_a_manager_can_read(db):
    """The demo's alerts, counted: stale claims rolled up (no per-claim SLA
    alert for them), no pipeline alert for a partner at or above plan, every
    alert about a CRM partner with an owner, and the SLA texts with an age."""
    con = sqlite3.connect(db)
    try:
        q = lambda sql: con.execute(sql).fetchall()
        stale = q("SELECT count(*) FROM registrations WHERE status = 'pending' AND "
                  "deleted = 0 AND registered_at < strftime('%Y-%m-%dT%H:%M:%SZ', "
                  "'now', '-60 days')")[0][0]
        rolled = q("SELECT count(*), sum(json_extract(evidence, '$.stale')) FROM alerts "
                   "WHERE status = 'open' AND type = 'stale_registrations'")[0]
        if stale == 0 or rolled[1] != stale or rolled[0] >= stale:
            raise AssertionError("stale claims %d, rolled up as %r" % (stale, rolled))
        eq(q("SELECT count(*) FROM alerts a JOIN registrations r ON a.subject = r.key "
             "WHERE a.status = 'open' AND a.type LIKE 'approval_sla_%' AND "
             "r.registered_at < strftime('%Y-%m-%dT%H:%M:%SZ', 'now', '-60 days')"),
           [(0,)], "SLA alerts on stale claims")
        met = q("SELECT count(*) FROM partner_periods WHERE period = (SELECT "
                "max(period) FROM partner_periods) AND attainment >= 1")[0][0]
        if met == 0:
            raise AssertionError("no partner meets its plan in the demo: the check "
                                 "would prove nothing")
        eq(q("SELECT count(*) FROM alerts a JOIN partner_periods p ON p.partner_id = "
             "a.partner_id AND p.period = a.period WHERE a.status = 'open' AND "
             "a.type LIKE '%below_plan' AND p.attainment >= 1"), [(0,)],
           "pipeline alerts for partners at or above plan")
        eq(q("SELECT count(*) FROM alerts a JOIN partners p ON p.id = a.partner_id "
             "WHERE a.status = 'open' AND a.owner_id IS NULL"), [(0,)],
           "alerts about CRM partners without an owner")
        for (msg,) in q("SELECT message FROM alerts WHERE status = 'open' AND type "
                        "LIKE 'approval_sla_%'"):
            if not re.search(r"has waited \d+ business days? for a decision", msg):
                raise AssertionError("an SLA alert without its age: " + msg)
    finally:
        con.close()

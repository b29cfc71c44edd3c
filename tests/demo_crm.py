"""make demo's window on the CRM emulator (tests/fakes/sfemu.py).

    python3 tests/demo_crm.py show URL        what chansync wrote to the CRM,
                                              read back from the emulator
    python3 tests/demo_crm.py change URL CTL  a few changes in the CRM for the
                                              second cycle (CTL: the
                                              chansyncctl command line)
"""
import json
import re
import subprocess
import sys
import urllib.request
from datetime import datetime, timedelta, timezone


def get(url, path):
    with urllib.request.urlopen(url + path, timeout=10) as r:
        return json.loads(r.read())


def post(url, path, payload):
    req = urllib.request.Request(url + path, data=json.dumps(payload).encode(),
                                 method="POST")
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.loads(r.read() or b"{}")


def show(url):
    accounts = [a for a in get(url, "/_state/Account")
                if a.get("Partner_Score__c") is not None]
    accounts.sort(key=lambda a: -a["Partner_Score__c"])
    print("Account: %d partners carry a score; the top 10 as the CRM holds them:"
          % len(accounts))
    print("  %-20s %-28s %6s  %-9s %10s %9s %9s" % ("Id", "Name", "Score", "Tier",
                                                  "Attain. %", "Coverage", "Risk cov."))
    for a in accounts[:10]:
        print("  %-20s %-28.28s %6.1f  %-9s %10s %9s %9s" % (
            a["Id"], a["Name"], a["Partner_Score__c"], a.get("Partner_Tier__c") or "-",
            a.get("Plan_Attainment__c"), a.get("Pipeline_Coverage__c"),
            a.get("Risk_Adjusted_Coverage__c")))
    for obj in ("Channel_Alert__c", "Deal_Conflict__c"):
        rows = get(url, "/_state/" + obj)
        by = {}
        for r in rows:
            k = (r.get("Type__c"), r.get("Status__c"))
            by[k] = by.get(k, 0) + 1
        print("%s: %d records, %d distinct keys" % (
            obj, len(rows), len({r.get("Chansync_Key__c") for r in rows})))
        for (t, st), n in sorted(by.items()):
            print("  %5d  %-24s %s" % (n, t, st))


def conflict(url, key):
    """One conflict record as the CRM holds it."""
    for r in get(url, "/_state/Deal_Conflict__c"):
        if r.get("Chansync_Key__c") == key:
            print("Deal_Conflict__c %s in the CRM: %s, winner %s: %s" % (
                key, r.get("Status__c"), r.get("Recommended_Winner__c"),
                r.get("Recommendation__c")))
            print("  winning partner Account %s, Lead %s, Opportunity %s" % (
                r.get("Winning_Partner__c"), r.get("Winning_Lead__c"),
                r.get("Winning_Opportunity__c")))
            for line in (r.get("Evidence_Text__c") or "").splitlines():
                print("  | " + line)
            return
    print("Deal_Conflict__c %s: not in the CRM" % key)


def change(url, ctl):
    """Approves the oldest registration waiting past its SLA (or, when all
    are stale, the oldest stale one) in the CRM and
    closes one partner's biggest open opportunity as won."""
    out = subprocess.run(ctl.split() + ["--json", "alerts"], capture_output=True,
                         text=True, check=True).stdout
    alerts = json.loads(out)
    if isinstance(alerts, dict):
        alerts = alerts.get("alerts", [])
    sla = sorted(a["key"] for a in alerts
                 if a["key"].startswith("approval_sla_breach:crm:"))
    if not sla:
        # the CRM's waiting registrations are all stale: the oldest of
        # them (one roll-up per owner)
        for a in alerts:
            m = re.search(r"the oldest is (crm:\S+) by", a.get("message", ""))
            if a["key"].startswith("stale_registrations:crm") and m:
                sla = ["stale_registrations:" + m.group(1)]
    t = datetime.now(timezone.utc)
    now = t.strftime("%Y-%m-%d")
    q = (t.month - 1) // 3 + 1      # an opportunity of this quarter
    next_quarter = "%04d-%02d-01" % (t.year + (q == 4), 1 if q == 4 else 3 * q + 1)
    # stamped a little in the past: a cycle reads up to the second it starts
    stamp = (t - timedelta(seconds=2)).strftime("%Y-%m-%dT%H:%M:%S.000+0000")
    update = {}
    if sla:
        lead = sla[0].rsplit(":", 1)[1]
        update["Lead"] = {lead: {"Status": "Approved", "SystemModstamp": stamp}}
        print("approved in the CRM: registration Lead %s (alert %s)" % (lead, sla[0]))
    opps = [o for o in get(url, "/_state/Opportunity")
            if not o.get("IsClosed") and o.get("PartnerAccountId")
            and now <= o.get("CloseDate", "") < next_quarter]
    if opps:
        o = max(opps, key=lambda x: (x.get("Amount") or 0, x["Id"]))
        update["Opportunity"] = {o["Id"]: {"StageName": "Closed Won", "CloseDate": now,
                                           "SystemModstamp": stamp}}
        print("closed won in the CRM: Opportunity %s %s (%s), partner %s" % (
            o["Id"], o["Name"], o.get("Amount"), o["PartnerAccountId"]))
    post(url, "/_control/data", {"update": update})


def main():
    if len(sys.argv) >= 4 and sys.argv[1] == "conflict":
        conflict(sys.argv[2], sys.argv[3])
    elif len(sys.argv) >= 3 and sys.argv[1] == "show":
        show(sys.argv[2])
    elif len(sys.argv) >= 4 and sys.argv[1] == "change":
        change(sys.argv[2], sys.argv[3])
    else:
        sys.exit(__doc__)


if __name__ == "__main__":
    main()

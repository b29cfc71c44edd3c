"""Generates 1,000,000 Opportunity records the way a real org looks and
renders them as the 500 query pages (2,000 records each) that Salesforce
would send: Ids increase with creation, SystemModstamp is the creation time
(later for about a third, which were edited), ~25 fields, nulls, non-ASCII
names. Deterministic. Usage: gen_pages.py OUTDIR [RECORDS]"""
import json
import os
import random
import sys

ALPHA = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"


def sfid(prefix, n):
    s = ""
    for _ in range(9):
        s = ALPHA[n % 62] + s
        n //= 62
    return prefix + "7x0" + s + "QAA"


def stamp(t):
    import time
    return time.strftime("%Y-%m-%dT%H:%M:%S.000+0000", time.gmtime(t))


def main():
    out = sys.argv[1]
    total = int(sys.argv[2]) if len(sys.argv) > 2 else 1000000
    per = 2000
    os.makedirs(out, exist_ok=True)
    rnd = random.Random(1)
    words = ["Müller", "Société", "Acme", "Globex", "Nordlicht", "Żabka", "Øresund",
             "Çelik", "Initech", "東京", "Umbrella", "Stark", "Wayne", "Tyrell", "Soylent"]
    stages = [("Prospecting", 10, False, False), ("Qualification", 20, False, False),
              ("Proposal", 50, False, False), ("Negotiation", 75, False, False),
              ("Closed Won", 100, True, True), ("Closed Lost", 0, True, False)]
    t0 = 1700000000
    accounts = [(sfid("001", i), "%s %s %d" % (rnd.choice(words), rnd.choice(
        ["GmbH", "Inc.", "S.A.", "Ltd", "KK", "AB"]), i),
        "c%d.example" % i, rnd.choice(["US", "DE", "FR", "GB", "JP", None]))
        for i in range(20000)]
    partners = [sfid("001", 900000 + i) for i in range(500)]
    created = t0
    rows = []
    for i in range(total):
        created += rnd.randrange(1, 40)
        rows.append((i, created, created + (rnd.randrange(3600, 86400 * 30)
                                            if rnd.random() < 0.33 else 0)))
    # pages are in SystemModstamp, Id order, as the query asks
    rows.sort(key=lambda r: (r[2], r[0]))
    pages = (total + per - 1) // per
    for p in range(pages):
        recs = []
        for i, cr, mod in rows[p * per:(p + 1) * per]:
            acc = accounts[i % len(accounts)]
            st = stages[i % len(stages)]
            amt = rnd.randrange(1000, 900000) if rnd.random() > 0.05 else None
            oid = sfid("006", i)
            recs.append({
                "attributes": {"type": "Opportunity",
                               "url": "/services/data/v60.0/sobjects/Opportunity/" + oid},
                "Id": oid, "Name": "%s - %s" % (acc[1], rnd.choice(
                    ["Firewall", "Endpoint", "Erneuerung", "Renouvellement", "更新"])),
                "AccountId": acc[0],
                "Account": {"attributes": {"type": "Account",
                                           "url": "/services/data/v60.0/sobjects/Account/" +
                                           acc[0]},
                            "Name": acc[1], "Website": acc[2], "BillingCountry": acc[3]},
                "PartnerAccountId": partners[i % 500] if i % 3 else None,
                "Amount": amt, "StageName": st[0], "Probability": st[1],
                "CloseDate": "2026-%02d-%02d" % (1 + i % 12, 1 + i % 28),
                "IsClosed": st[2], "IsWon": st[3], "Type": "New Business",
                "LeadSource": rnd.choice(["Partner", "Web", None]),
                "ForecastCategoryName": "Pipeline",
                "ExpectedRevenue": amt * st[1] / 100 if amt else None,
                "NextStep": None if i % 4 else "Follow up",
                "Description": None, "OwnerId": sfid("005", i % 300),
                "CampaignId": None, "FiscalYear": 2026, "FiscalQuarter": 1 + i % 4,
                "HasOpportunityLineItem": False,
                "CreatedDate": stamp(cr), "LastModifiedDate": stamp(mod),
                "SystemModstamp": stamp(mod), "IsDeleted": False,
            })
        doc = {"totalSize": total, "done": p == pages - 1, "records": recs}
        if p < pages - 1:
            doc["nextRecordsUrl"] = "/services/data/v60.0/query/01gBENCH-%d" % ((p + 1) * per)
        with open(os.path.join(out, "page-%04d.json" % p), "w") as f:
            json.dump(doc, f, ensure_ascii=False, separators=(",", ":"))
    with open(os.path.join(out, "meta.json"), "w") as f:
        json.dump({"total": total, "pages": pages, "per": per,
                   "oldest": stamp(rows[0][2])}, f)


main()

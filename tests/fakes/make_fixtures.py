"""Generates the shared fixtures: partners, end customers, and the two
vendor systems' registrations. Deterministic (a fixed seed): run it again
and the files come out the same.

    python3 tests/fakes/make_fixtures.py

End customers appear in several systems under other spellings, legal
forms, domains and languages, so that conflict detection has real
cross-source material.
"""
import json
import os
import random

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..")
OUT = os.path.join(ROOT, "fixtures")

# name variants, domains (websites or e-mail addresses), country spellings
CUSTOMERS = [
    ("mueller", ["Müller Maschinenbau GmbH", "Mueller Maschinenbau GmbH & Co. KG",
                 "MÜLLER MASCHINENBAU", "Muller Maschinenbau"],
     ["https://www.mueller-maschinenbau.de", "einkauf@mueller-maschinenbau.de"],
     ["DE", "Germany", "Deutschland", "DEU"]),
    ("acme", ["Acme Corporation", "ACME Corp.", "Acme Corp EMEA", "Acme, Inc."],
     ["acme.example", "it-buyer@acme.example", "https://shop.acme.example/"],
     ["US", "USA", "United States", "United States of America"]),
    ("sgl", ["Société Générale de Logistique S.A.", "Societe Generale de Logistique",
             "SGL Logistique SA"], ["sgl-logistique.fr", "achats@sgl-logistique.fr"],
     ["FR", "France", "FRA"]),
    ("globex", ["Globex Ltd", "Globex Limited", "GLOBEX UK LTD", "The Globex Company Ltd"],
     ["globex.co.uk", "https://www.globex.co.uk/about"], ["GB", "UK", "United Kingdom"]),
    ("initech", ["Initech Systems Inc.", "Initech Systems", "INITECH SYSTEMS INCORPORATED"],
     ["initech.example", "https://initech.example"], ["US", "USA"]),
    ("umbrella", ["Umbrella Holdings KK", "Umbrella Holdings Kabushiki Kaisha",
                  "アンブレラ・ホールディングス株式会社"], ["umbrella.co.jp"], ["JP", "Japan"]),
    ("tyrell", ["Tyrell Corporation", "Tyrell Corp", "The Tyrell Corporation"],
     ["tyrell.example"], ["US"]),
    ("soylent", ["Soylent Foods B.V.", "Soylent Foods BV", "Soylent Foods"],
     ["soylent.nl", "inkoop@soylent.nl"], ["NL", "Netherlands", "Nederland"]),
    ("cyberdyne", ["Cyberdyne Systems Corporation", "Cyberdyne Systems Corp.", "Cyberdyne"],
     ["cyberdyne.example"], ["US"]),
    ("wayne", ["Wayne Enterprises, Inc.", "Wayne Enterprises"], ["wayne.example"], ["US"]),
    ("stark", ["Stark Industries", "Stark Industries LLC"], ["stark.example"], ["US"]),
    ("oscorp", ["Oscorp Industries", "OsCorp"], ["oscorp.example"], ["US"]),
    ("nordlicht", ["Nordlicht Energie AG", "Nordlicht Energie Aktiengesellschaft",
                   "NORDLICHT ENERGIE"], ["nordlicht-energie.de"], ["DE", "Germany"]),
    ("bellavista", ["Bella Vista S.p.A.", "Bellavista SpA", "Bella Vista Società per Azioni"],
     ["bellavista.it"], ["IT", "Italy", "Italia"]),
    ("iberia", ["Iberia Redes S.L.", "Iberia Redes SL", "Iberia Redes"],
     ["iberiaredes.es"], ["ES", "Spain", "España"]),
    ("fjord", ["Fjordkraft Data AS", "Fjordkraft Data A/S", "Fjordkraft Data"],
     ["fjordkraftdata.no"], ["NO", "Norway", "Norge"]),
    ("tammi", ["Tammi Ohjelmistot Oy", "Tammi Ohjelmistot"], ["tammi.fi"], ["FI", "Finland"]),
    ("svensk", ["Svensk Logistik AB", "Svensk Logistik Aktiebolag"], ["svensklogistik.se"],
     ["SE", "Sweden", "Sverige"]),
    ("dansk", ["Dansk Byg ApS", "Dansk Byg"], ["danskbyg.dk"], ["DK", "Denmark", "Danmark"]),
    ("polbud", ["Polbud Sp. z o.o.", "Polbud Spółka z o.o.", "POLBUD"], ["polbud.pl"],
     ["PL", "Poland", "Polska"]),
    ("ceska", ["Česká Strojírna s.r.o.", "Ceska Strojirna sro"], ["ceskastrojirna.cz"],
     ["CZ", "Czechia", "Czech Republic"]),
    ("magyar", ["Magyar Szoftver Kft.", "Magyar Szoftver"], ["magyarszoftver.hu"],
     ["HU", "Hungary"]),
    ("aussie", ["Outback Networks Pty Ltd", "Outback Networks Pty. Limited",
                "Outback Networks"], ["outbacknetworks.com.au"], ["AU", "Australia"]),
    ("kiwi", ["Kiwi Cloud Limited", "Kiwi Cloud Ltd"], ["kiwicloud.co.nz"],
     ["NZ", "New Zealand"]),
    ("mumbai", ["Mumbai Data Services Pvt Ltd", "Mumbai Data Services Private Limited"],
     ["mumbaidata.co.in"], ["IN", "India"]),
    ("kl", ["Kuala Lumpur Tech Sdn Bhd", "KL Tech Sdn. Bhd."], ["kltech.com.my"],
     ["MY", "Malaysia"]),
    ("brasil", ["Brasil Conecta Ltda", "Brasil Conecta Ltda."], ["brasilconecta.com.br"],
     ["BR", "Brazil", "Brasil"]),
    ("mexico", ["Redes del Norte S.A. de C.V.", "Redes del Norte SA de CV"],
     ["redesdelnorte.com.mx"], ["MX", "Mexico", "México"]),
    ("swiss", ["Alpenblick Informatik AG", "Alpenblick Informatik SA"], ["alpenblick.ch"],
     ["CH", "Switzerland", "Schweiz"]),
    ("austria", ["Donau Daten GmbH", "Donau-Daten G.m.b.H."], ["donaudaten.at"],
     ["AT", "Austria", "Österreich"]),
    ("belgium", ["Brugge Systems NV", "Brugge Systems N.V."], ["bruggesystems.be"],
     ["BE", "Belgium", "België"]),
    ("ibm", ["International Business Machines Corporation", "IBM", "I.B.M. Corp."],
     ["ibm.example"], ["US"]),
    ("hp", ["Hewlett Packard Enterprise", "HPE", "Hewlett-Packard Enterprise Company"],
     ["hpe.example"], ["US"]),
    ("ms", ["Mountain & Sea Outfitters", "Mountain and Sea Outfitters Inc"],
     ["mountainsea.example"], ["US"]),
    # hard negatives: alike, but other companies
    ("acmefoods", ["Acme Foods Ltd", "ACME Foods"], ["acmefoods.example"], ["GB"]),
    ("globaltech", ["Global Technology Solutions Group", "Global Tech Solutions"],
     ["globaltechsolutions.example"], ["US"]),
    ("globaltech2", ["Global Technology Systems International", "Global Tech Systems Intl"],
     ["gtsi.example"], ["US"]),
    ("muellerfood", ["Müller Lebensmittel GmbH", "Mueller Lebensmittel"],
     ["mueller-lebensmittel.de"], ["DE"]),
]

PARTNER_NAMES = [
    "Alpine IT AG", "Bright Networks Ltd", "Cobalt Reseller GmbH", "Delta Systems Inc",
    "Evergreen MSP LLC", "Fortress Security SARL", "Granite Distribution BV",
    "Harbor Cloud Pty Ltd", "Ironclad Integrators Inc", "Juniper Works Oy",
    "Keystone Partners LLC", "Lumen Solutions S.p.A.", "Meridian IT S.L.",
    "Nimbus Services AB", "Orbit Telecom A/S", "Pioneer Data Sp. z o.o.",
    "Quartz Consulting s.r.o.", "Redwood Resellers Inc", "Summit MSP Ltd",
    "Titan Integration GmbH", "Unity Channel KK", "Vertex Networks Ltda",
    "Willow IT Pvt Ltd", "Xenon Security Sdn Bhd", "Yellowstone Tech LLC",
    "Zephyr Cloud NV", "Atlas Reseller Kft.", "Beacon Systems SA",
    "Cascade Partners Inc", "Dynamo IT ApS", "Eclipse Networks Ltd",
    "Falcon Distribution GmbH", "Glacier Cloud AS", "Horizon MSP Inc",
    "Impulse Security Oy", "Jade Systems Pte Ltd", "Kinetic IT S.A. de C.V.",
    "Lighthouse Partners BV", "Monarch Integrators Ltd", "Nova Reseller GmbH",
    "Onyx Networks Inc", "Prism Cloud AB", "Quantum Channel LLC",
    "Raven Security Ltd", "Sapphire IT SARL", "Tundra Systems Inc",
    "Ultra MSP Pty Ltd", "Vector Integration AG", "Wavelength Networks Inc",
    "Zenith Partners GmbH",
]
TIERS = ["platinum"] * 5 + ["gold"] * 12 + ["silver"] * 18 + ["bronze"] * 15
# name, e-mail, active, role (cm: channel manager, ae: account executive)
USERS = [("Ana Ruiz", "ana.ruiz@vendor.example", True, "cm"),
         ("Ben Okafor", "ben.okafor@vendor.example", True, "cm"),
         ("Chloé Martin", "chloe.martin@vendor.example", True, "cm"),
         ("Dev Patel", "dev.patel@vendor.example", False, "cm"),
         ("Erik Lund", "erik.lund@vendor.example", True, "ae"),
         ("Fatima Zahra", "fatima.zahra@vendor.example", True, "ae"),
         ("chansync integration", "chansync@vendor.example", True, "integration")]
PRODUCTS = ["Firewall", "Endpoint", "SD-WAN", "SIEM", "Email Security"]


def sfid(prefix, n):
    chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    s = ""
    for _ in range(7):
        s = chars[n % 62] + s
        n //= 62
    return prefix + "5g000" + s + "AAA"      # 3 + 5 + 7 + 3 = 18 chars


def iso(ts, offset_h=0):
    import datetime
    tz = datetime.timezone(datetime.timedelta(hours=offset_h))
    return datetime.datetime.fromtimestamp(ts, tz).isoformat()


STAGES = [("Prospecting", 10, False, False, "Pipeline"),
          ("Qualification", 20, False, False, "Pipeline"),
          ("Needs Analysis", 30, False, False, "Pipeline"),
          ("Proposal", 50, False, False, "Best Case"),
          ("Negotiation", 75, False, False, "Commit"),
          ("Closed Won", 100, True, True, "Closed"),
          ("Closed Lost", 0, True, False, "Omitted")]


def iso_ms(ts):
    import datetime
    return datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%S.000+0000")


def make_org(rnd, partners):
    """A realistic org: partner and customer accounts, opportunities over
    several quarters (some direct, some through partners), Lead-based deal
    registrations, plans, certifications and MDF claims. SystemModstamps
    spread over the last ~300 days, with same-second bursts."""
    base = 1763596800 - 300 * 86400          # 300 days before 2025-11-20
    org = {"RecordType": [{"Id": "0129z000000DRegAAA", "Name": "Deal Registration",
                           "DeveloperName": "Deal_Registration", "SobjectType": "Lead"}],
           "OpportunityStage": [], "Account": [], "Opportunity": [], "Lead": [],
           "Partner_Plan__c": [], "Partner_Certification__c": [], "PartnerFundClaim": [],
           "User": []}
    # the people who own partners (channel managers) and deals (account
    # executives); one channel manager has left and is inactive
    for i, (name, email, active, _role) in enumerate(USERS):
        org["User"].append({"Id": sfid("005", 100 + i), "Name": name, "Email": email,
                            "Username": email + ".prod", "IsActive": active,
                            "CreatedDate": iso_ms(base), "SystemModstamp": iso_ms(base)})
    managers = [u["Id"] for u, x in zip(org["User"], USERS) if x[3] == "cm"]
    executives = [u["Id"] for u, x in zip(org["User"], USERS) if x[3] == "ae"]
    for i, (name, p, closed, won, fc) in enumerate(STAGES):
        org["OpportunityStage"].append({
            "Id": sfid("01J", 50 + i), "ApiName": name, "MasterLabel": name,
            "DefaultProbability": p, "IsActive": True, "IsClosed": closed, "IsWon": won,
            "ForecastCategoryName": fc, "SortOrder": i + 1})
    stamp = [base]

    def next_stamp():
        # mostly increasing, in bursts of up to 40 rows on one second
        if rnd.random() < 0.9:
            stamp[0] += rnd.randrange(60, 4 * 3600)
        return stamp[0]

    for k, p in enumerate(partners):
        t = next_stamp()
        org["Account"].append({"Id": p["id"], "Name": p["name"], "Website": p["website"],
                               "OwnerId": managers[3] if k % 10 == 9 else managers[k % 3],
                               "BillingCountry": p["country"], "Type": "Channel Partner / Reseller",
                               "IsPartner": True, "Partner_Tier__c": p["tier"].capitalize(),
                               "CreatedDate": iso_ms(t), "SystemModstamp": iso_ms(t)})
    customers = []
    for i in range(200):
        c = CUSTOMERS[i % len(CUSTOMERS)]
        name = c[1][0] if i < len(CUSTOMERS) else "%s %s" % (
            rnd.choice(["Nova", "Apex", "Blue", "Prime", "Terra", "Quantum", "Silver",
                        "Atlas", "Pioneer", "Summit"]),
            rnd.choice(["Logistics", "Foods", "Pharma", "Retail", "Energy", "Media",
                        "Bank", "Insurance", "Motors", "Textiles"])) + " %d" % i
        dom = c[2][0].split("//")[-1].split("/")[0].replace("www.", "") if i < len(CUSTOMERS) \
            else name.lower().replace(" ", "") + ".example"
        t = next_stamp()
        acc = {"Id": sfid("001", 5000 + i), "Name": name, "Website": dom,
               "BillingCountry": c[3][0] if i < len(CUSTOMERS) else rnd.choice(
                   ["US", "DE", "FR", "GB", "JP"]),
               "Type": "Customer - Channel", "IsPartner": False,
               "CreatedDate": iso_ms(t), "SystemModstamp": iso_ms(t)}
        org["Account"].append(acc)
        customers.append(acc)
    quarters = [(2026, 1), (2026, 2), (2026, 3), (2026, 4), (2027, 1)]
    for i in range(2000):
        acc = rnd.choice(customers)
        p = rnd.choice(partners) if rnd.random() < 0.7 else None
        y, qn = rnd.choice(quarters)
        close = "%04d-%02d-%02d" % (y, (qn - 1) * 3 + rnd.randrange(1, 4), rnd.randrange(1, 29))
        stage = rnd.choice(STAGES)
        t = next_stamp() if i % 50 else stamp[0]       # bursts share a second
        o = {"Id": sfid("006", 10000 + i), "Name": "%s - %s" % (acc["Name"], rnd.choice(
             ["Firewall refresh", "Endpoint rollout", "SD-WAN", "SIEM", "Renewal"])),
             "AccountId": acc["Id"], "StageName": stage[0],
             "OwnerId": executives[i % len(executives)],
             "Amount": rnd.randrange(5, 400) * 1000, "CloseDate": close,
             "Type": "New Business", "LeadSource": "Partner" if p else "Web",
             "CreatedDate": iso_ms(t - 86400), "SystemModstamp": iso_ms(t)}
        if p:
            o["PartnerAccountId"] = p["id"]
        org["Opportunity"].append(o)
    for i in range(300):
        c = rnd.choice(CUSTOMERS)
        p = rnd.choice(partners)
        t = next_stamp()
        st = rnd.choice(["Submitted", "Submitted", "Approved", "Approved", "Rejected",
                         "Expired"])
        lead = {"Id": sfid("00Q", 30000 + i), "Company": rnd.choice(c[1]),
                "Website": rnd.choice(c[2]), "Country": rnd.choice(c[3]), "Status": st,
                "LeadSource": "Partner", "RecordTypeId": "0129z000000DRegAAA",
                "Partner_Account__c": p["id"], "Product_Interest__c": rnd.choice(PRODUCTS),
                "Estimated_Amount__c": rnd.randrange(5, 300) * 1000,
                "CreatedDate": iso_ms(t - 3600), "SystemModstamp": iso_ms(t)}
        if st == "Approved":
            lead["Registration_Expires__c"] = iso_ms(t + 90 * 86400)
        if st in ("Approved", "Rejected"):
            # decided half a day to three days after it came in
            lead["Decision_Date__c"] = iso_ms(t - 3600 + (i % 6 + 1) * 43200)
        org["Lead"].append(lead)
    for i, p in enumerate(partners):
        for j, (y, qn) in enumerate(quarters):
            t = next_stamp()
            org["Partner_Plan__c"].append({
                "Id": sfid("a01", 100 * i + j), "Partner__c": p["id"],
                "Period__c": "%d-Q%d" % (y, qn),
                "Revenue_Target__c": rnd.randrange(50, 800) * 1000,
                "CreatedDate": iso_ms(t), "SystemModstamp": iso_ms(t)})
    for i in range(150):
        p = rnd.choice(partners)
        t = next_stamp()
        org["Partner_Certification__c"].append({
            "Id": sfid("a02", i), "Partner__c": p["id"],
            "Name": rnd.choice(["Firewall Specialist", "Cloud Architect", "Sales Basics"]),
            "Completed_Date__c": iso_ms(t - rnd.randrange(0, 30) * 86400),
            "CreatedDate": iso_ms(t), "SystemModstamp": iso_ms(t)})
    for i in range(100):
        p = rnd.choice(partners)
        t = next_stamp()
        org["PartnerFundClaim"].append({
            "Id": sfid("0Fc", i), "Title": "MDF claim %d" % i,
            "Amount": rnd.randrange(1, 50) * 500,
            "Status": rnd.choice(["Draft", "Approved", "Rejected", "Paid"]),
            "ChannelPartnerId": p["id"], "CreatedDate": iso_ms(t),
            "SystemModstamp": iso_ms(t)})
    add_mdf(org, partners)
    return org


def add_mdf(org, partners):
    """MDF as a partner program funds it: a campaign per partner that
    claims, a fund request per claim (the campaign it funds), and some of
    the partner's opportunities sourced from that campaign. A random of
    its own, so the records made before keep their values."""
    rnd = random.Random(20261206)
    org["Campaign"], org["PartnerFundRequest"] = [], []
    campaign = {}
    for i, c in enumerate(org["PartnerFundClaim"]):
        pid = c["ChannelPartnerId"]
        # claimed through 2026, the program year the opportunities close in
        t = 1768435200 + rnd.randrange(0, 300) * 86400 + rnd.randrange(0, 86400)
        c["CreatedDate"] = c["SystemModstamp"] = iso_ms(t)
        if pid not in campaign:
            k = len(campaign)
            name = next(p["name"] for p in partners if p["id"] == pid)
            campaign[pid] = sfid("701", 200 + k)
            org["Campaign"].append({
                "Id": campaign[pid], "Name": "%s joint campaign" % name,
                "Type": "Partners", "Status": "In Progress", "StartDate": "2026-01-01",
                "EndDate": "2026-12-31", "CreatedDate": c["CreatedDate"],
                "SystemModstamp": c["CreatedDate"]})
        req = {"Id": sfid("0Fr", i), "Title": "MDF request %d" % i,
               "RequestedAmount": c["Amount"] + rnd.randrange(0, 5) * 500,
               "Amount": c["Amount"],
               "Status": "Approved" if c["Status"] in ("Approved", "Paid") else
               "Rejected" if c["Status"] == "Rejected" else "Submitted",
               "ChannelPartnerId": pid, "CampaignId": campaign[pid],
               "CreatedDate": c["CreatedDate"], "SystemModstamp": c["CreatedDate"]}
        org["PartnerFundRequest"].append(req)
        c["RequestId"] = req["Id"]
    for o in org["Opportunity"]:
        pid = o.get("PartnerAccountId")
        if pid in campaign and rnd.random() < 0.35:
            o["CampaignId"] = campaign[pid]


def main():
    rnd = random.Random(20261127)
    partners = [{"id": sfid("001", 1000 + i), "name": n, "tier": TIERS[i],
                 "country": rnd.choice(["US", "DE", "GB", "FR", "NL", "AU", "JP"]),
                 "website": n.split()[0].lower() + "-partner.example"}
                for i, n in enumerate(PARTNER_NAMES)]
    customers = [{"key": k, "names": n, "domains": d, "countries": c}
                 for k, n, d, c in CUSTOMERS]
    base = 1761955200            # 2025-11-01T00:00:00Z
    portal, hub = [], []
    for i in range(140):
        c = rnd.choice(CUSTOMERS)
        p = rnd.choice(partners)
        sub = base + rnd.randrange(0, 370 * 86400)
        upd = sub + rnd.randrange(0, 10 * 86400)
        status = rnd.choice(["submitted", "in_review", "approved", "approved", "declined",
                             "expired", "closed_won", "closed_lost"])
        rec = {
            "id": "VP-%05d" % (20000 + i),
            "partner": {"crm_account_id": p["id"], "name": p["name"]},
            "end_customer": {"company": rnd.choice(c[1]), "website": rnd.choice(c[2]),
                             "country": rnd.choice(c[3])},
            "product_line": rnd.choice(PRODUCTS),
            "value": {"amount": rnd.choice([rnd.randrange(5, 500) * 1000,
                                            "%s.00" % format(rnd.randrange(5, 500) * 1000, ",")]),
                      "currency": rnd.choice(["USD", "USD", "EUR", "GBP"])},
            "status": status,
            "submitted_at": iso(sub, rnd.choice([0, 1, -5, 2])),
            "decision": {"at": (sub + 3 * 86400) * 1000} if status not in
            ("submitted", "in_review") else None,
            "expires_at": iso(sub + 90 * 86400) if status in ("approved", "closed_won")
            else None,
            "updated_at": iso(upd),
        }
        portal.append(rec)
    words = {"submitted": "OPEN", "in_review": "OPEN", "approved": "ACCEPTED",
             "declined": "DENIED", "expired": "LAPSED", "closed_won": "CLOSED_WON",
             "closed_lost": "CLOSED_LOST"}
    for i in range(90):
        c = rnd.choice(CUSTOMERS)
        p = rnd.choice(partners)
        sub = base + rnd.randrange(0, 370 * 86400)
        upd = sub + rnd.randrange(0, 10 * 86400)
        st = rnd.choice(list(words.values()))
        dom = rnd.choice(c[2])
        hub.append({
            "deal_id": 700000 + i,
            "reseller_account": p["id"],
            "reseller_name": p["name"],
            "end_customer": rnd.choice(c[1]),
            "customer_email": dom if "@" in dom else "contact@" + dom.split("//")[-1]
            .split("/")[0].replace("www.", ""),
            "country": rnd.choice(c[3]),
            "product": rnd.choice(PRODUCTS),
            "deal_value": "%s.00" % format(rnd.randrange(3, 300) * 1000, ","),
            "deal_currency": rnd.choice(["EUR", "EUR", "GBP", "CHF"]),
            "status": st,
            "created_ms": sub * 1000,
            "valid_until_ms": (sub + 60 * 86400) * 1000 if st == "ACCEPTED" else None,
            "modified_ms": upd * 1000,
        })
    org = make_org(rnd, partners)
    os.makedirs(os.path.join(OUT, "vendors"), exist_ok=True)
    os.makedirs(os.path.join(OUT, "sf"), exist_ok=True)
    for name, data in (("partners.json", partners), ("customers.json", customers),
                       ("vendors/portal.json", portal), ("vendors/hub.json", hub),
                       ("sf/org.json", org)):
        with open(os.path.join(OUT, name), "w") as f:
            json.dump(data, f, indent=1, ensure_ascii=False)
            f.write("\n")


main()

"""The same sync a channel-ops engineer might write in plain Python
(urllib + json + sqlite3): log in, read every Opportunity page with
queryAll, upsert into SQLite one transaction a page."""
import json
import sqlite3
import sys
import urllib.parse
import urllib.request

base, db = sys.argv[1], sys.argv[2]
body = urllib.parse.urlencode({"grant_type": "client_credentials", "client_id": "bench",
                               "client_secret": "bench"}).encode()
with urllib.request.urlopen(base + "/services/oauth2/token", body) as r:
    tok = json.load(r)
auth = {"Authorization": "Bearer " + tok["access_token"],
        "Sforce-Query-Options": "batchSize=2000"}
con = sqlite3.connect(db)
con.execute("PRAGMA journal_mode=WAL")
con.execute("""CREATE TABLE IF NOT EXISTS opportunities(id TEXT PRIMARY KEY, name TEXT,
  account_id TEXT, customer_name TEXT, customer_domain TEXT, customer_country TEXT,
  partner_id TEXT, amount REAL, stage TEXT, probability REAL, close_date TEXT,
  is_closed INTEGER, is_won INTEGER, updated_at TEXT, deleted INTEGER)""")
soql = ("SELECT Id, SystemModstamp, Name, AccountId, Account.Name, Account.Website, "
        "Account.BillingCountry, PartnerAccountId, Amount, StageName, Probability, "
        "CloseDate, IsClosed, IsWon, IsDeleted FROM Opportunity ORDER BY SystemModstamp, Id")
url = tok["instance_url"] + "/services/data/v60.0/queryAll?q=" + urllib.parse.quote(soql)
n = 0
while url:
    with urllib.request.urlopen(urllib.request.Request(url, headers=auth)) as r:
        page = json.load(r)
    rows = []
    for x in page["records"]:
        a = x.get("Account") or {}
        rows.append((x["Id"], x["Name"], x["AccountId"], a.get("Name"), a.get("Website"),
                     a.get("BillingCountry"), x["PartnerAccountId"], x["Amount"],
                     x["StageName"], x["Probability"], x["CloseDate"], x["IsClosed"],
                     x["IsWon"], x["SystemModstamp"], x["IsDeleted"]))
    with con:
        con.executemany("""INSERT INTO opportunities VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
          ON CONFLICT(id) DO UPDATE SET name=excluded.name, account_id=excluded.account_id,
          customer_name=excluded.customer_name, customer_domain=excluded.customer_domain,
          customer_country=excluded.customer_country, partner_id=excluded.partner_id,
          amount=excluded.amount, stage=excluded.stage, probability=excluded.probability,
          close_date=excluded.close_date, is_closed=excluded.is_closed,
          is_won=excluded.is_won, updated_at=excluded.updated_at, deleted=excluded.deleted""",
                        rows)
    n += len(rows)
    nxt = page.get("nextRecordsUrl")
    url = tok["instance_url"] + nxt if nxt else None
print(n)

// The same sync in plain Node.js (fetch + better-sqlite3@12): log in, read
// every Opportunity page with queryAll, upsert one transaction a page.
const Database = require('better-sqlite3');
const [base, db] = process.argv.slice(2);

(async () => {
  const tr = await fetch(base + '/services/oauth2/token', {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials&client_id=bench&client_secret=bench',
  });
  const tok = await tr.json();
  const con = new Database(db);
  con.pragma('journal_mode = WAL');
  con.exec(`CREATE TABLE IF NOT EXISTS opportunities(id TEXT PRIMARY KEY, name TEXT,
    account_id TEXT, customer_name TEXT, customer_domain TEXT, customer_country TEXT,
    partner_id TEXT, amount REAL, stage TEXT, probability REAL, close_date TEXT,
    is_closed INTEGER, is_won INTEGER, updated_at TEXT, deleted INTEGER)`);
  const up = con.prepare(`INSERT INTO opportunities VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)
    ON CONFLICT(id) DO UPDATE SET name=excluded.name, account_id=excluded.account_id,
    customer_name=excluded.customer_name, customer_domain=excluded.customer_domain,
    customer_country=excluded.customer_country, partner_id=excluded.partner_id,
    amount=excluded.amount, stage=excluded.stage, probability=excluded.probability,
    close_date=excluded.close_date, is_closed=excluded.is_closed, is_won=excluded.is_won,
    updated_at=excluded.updated_at, deleted=excluded.deleted`);
  const page = con.transaction((recs) => {
    for (const x of recs) {
      const a = x.Account || {};
      up.run(x.Id, x.Name, x.AccountId, a.Name ?? null, a.Website ?? null,
        a.BillingCountry ?? null, x.PartnerAccountId, x.Amount, x.StageName,
        x.Probability, x.CloseDate, x.IsClosed ? 1 : 0, x.IsWon ? 1 : 0,
        x.SystemModstamp, x.IsDeleted ? 1 : 0);
    }
  });
  const soql = 'SELECT Id, SystemModstamp, Name, AccountId, Account.Name, Account.Website, ' +
    'Account.BillingCountry, PartnerAccountId, Amount, StageName, Probability, CloseDate, ' +
    'IsClosed, IsWon, IsDeleted FROM Opportunity ORDER BY SystemModstamp, Id';
  let url = tok.instance_url + '/services/data/v60.0/queryAll?q=' + encodeURIComponent(soql);
  let n = 0;
  while (url) {
    const r = await fetch(url, { headers: { Authorization: 'Bearer ' + tok.access_token,
      'Sforce-Query-Options': 'batchSize=2000' } });
    const p = await r.json();
    page(p.records);
    n += p.records.length;
    url = p.nextRecordsUrl ? tok.instance_url + p.nextRecordsUrl : null;
  }
  console.log(n);
})();

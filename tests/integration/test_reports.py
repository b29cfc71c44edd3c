"""Reports (contract §16) in a real browser. A small org whose figures are
worked out by hand below: after one cycle every period with a plan has
scores; the partner's page shows the attainment, the pipeline coverage
and the MDF return the fixture gives; Debian's Chromium (headless, the
network closed) renders both pages without a console error, its DOM holds
the figures, a screenshot is a PNG of the size asked for and not blank;
the page written for the partner names no other partner. The test
installs nothing: without /usr/bin/chromium (make deps installs it for
make check) the browser half is skipped, said so."""
import datetime
import os
import shutil
import socket
import struct
import subprocess
import threading
import zlib

from harness import Env, FakeServer, Skip, contains, eq, test
from test_cases import keypair

A, B, C = "0015g000REPORTAAAA", "0015g000REPORTBAAA", "0015g000REPORTCAAA"
ANA = "0055g000REPORTUAAA"
PLAN = {A: 100000, B: 200000, C: 100000}
STAGES = [("Prospecting", 10, False, False), ("Proposal", 50, False, False),
          ("Closed Won", 100, True, True), ("Closed Lost", 0, True, False)]

CONFIG = """daemon: { state_dir: @STATE@, interval: 1h, jitter: 0s, log_level: info,
          timezone: UTC }
crm:
  kind: salesforce
  login_url: @LOGIN@
  auth: { flow: jwt_bearer, client_id: chansync-test-app, username: chansync@vendor.example,
          private_key: credential:sf_jwt_key }
  safety_lag: 0s
  objects:
    partners: { sobject: Account, where: "IsPartner = true" }
    registrations:
      sobject: Lead
      where: "RecordType.DeveloperName = 'Deal_Registration'"
      fields: { partner_id: Partner_Account__c, product: Product_Interest__c }
    plans:
      sobject: Partner_Plan__c
      fields: { partner_id: Partner__c, period: Period__c, target: Revenue_Target__c }
    activities:
      - { sobject: Partner_Certification__c, kind: certification,
          fields: { partner_id: Partner__c, occurred_at: Completed_Date__c } }
rules: { conflicts: { direct: false } }
"""


def quarter(d, back=0):
    q = (d.year * 4 + (d.month - 1) // 3) - back
    y, n = divmod(q, 4)
    first = datetime.date(y, n * 3 + 1, 1)
    last = datetime.date(y + (n == 3), (n * 3 + 3) % 12 + 1, 1) - datetime.timedelta(days=1)
    return "%d-Q%d" % (y, n + 1), first, last


def ts(d):
    return d.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def org(now):
    today = now.date()
    cur, first, last = quarter(today)
    prev, pfirst, _ = quarter(today, 1)
    day = lambda n: ts(now - datetime.timedelta(days=n))
    opp = lambda i, p, amount, stage, close, camp=None: dict(
        {"Id": "0065g000REPORT%dAAA" % i, "Name": "Deal %d" % i, "AccountId": "0015g000CUSTOMAAAA",
         "PartnerAccountId": p, "Amount": amount, "StageName": stage,
         "CloseDate": close.isoformat(), "CreatedDate": day(30), "SystemModstamp": day(1)},
        **({"CampaignId": camp} if camp else {}))
    return {
        "RecordType": [{"Id": "0129z000000DRegAAA", "Name": "Deal Registration",
                        "DeveloperName": "Deal_Registration", "SobjectType": "Lead"}],
        "OpportunityStage": [{"Id": "01J5g00000000%02dAAA" % i, "ApiName": s, "MasterLabel": s,
                              "DefaultProbability": p, "IsActive": True, "IsClosed": c,
                              "IsWon": w, "SortOrder": i,
                              "ForecastCategoryName": "Closed" if c else "Pipeline"}
                             for i, (s, p, c, w) in enumerate(STAGES)],
        "User": [{"Id": ANA, "Name": "Ana Ruiz", "Email": "ana@vendor.example",
                  "IsActive": True}],
        "Account": [
            {"Id": A, "Name": "Alpine IT AG", "IsPartner": True, "OwnerId": ANA,
             "Website": "alpine-it.example"},
            {"Id": B, "Name": "Borealis Networks", "IsPartner": True, "OwnerId": ANA,
             "Website": "borealis.example"},
            {"Id": C, "Name": "Cascade Systems", "IsPartner": True, "OwnerId": ANA,
             "Website": "cascade.example"},
            {"Id": "0015g000CUSTOMAAAA", "Name": "Globex Corporation", "IsPartner": False,
             "Website": "globex.example"}],
        "Partner_Plan__c": [
            {"Id": "a015g000REPORT%d%sAA" % (i, k), "Partner__c": p, "Period__c": per,
             "Revenue_Target__c": PLAN[p], "CreatedDate": day(60), "SystemModstamp": day(60)}
            for k, per in (("C", cur), ("P", prev)) for i, p in enumerate((A, B, C))],
        "Opportunity": [
            # Alpine: 45,000 won from its MDF campaign, 15,000 won otherwise;
            # open: 120,000 at 50% and 40,000 at 10% closing this quarter
            opp(1, A, 45000, "Closed Won", today, "7015g000REPORTCAMP"),
            opp(2, A, 15000, "Closed Won", today),
            opp(3, A, 120000, "Proposal", last),
            opp(4, A, 40000, "Prospecting", last),
            opp(5, B, 50000, "Closed Won", today),
            opp(6, B, 30000, "Closed Won", pfirst + datetime.timedelta(days=3))],
        "Campaign": [{"Id": "7015g000REPORTCAMP", "Name": "Alpine spring campaign",
                      "CreatedDate": day(90), "SystemModstamp": day(90)}],
        "PartnerFundRequest": [
            {"Id": "0Fr5g000REPORTRAAA", "Title": "Spring campaign", "RequestedAmount": 12000,
             "Status": "Approved", "ChannelPartnerId": A, "CampaignId": "7015g000REPORTCAMP",
             "CreatedDate": day(80), "SystemModstamp": day(80)}],
        "PartnerFundClaim": [
            {"Id": "0Fc5g000REPORT1AAA", "Title": "Spring events", "Amount": 10000,
             "Status": "Paid", "ChannelPartnerId": A, "RequestId": "0Fr5g000REPORTRAAA",
             "CreatedDate": day(40), "SystemModstamp": day(40)},
            {"Id": "0Fc5g000REPORT2AAA", "Title": "Swag", "Amount": 2000,
             "Status": "Rejected", "ChannelPartnerId": A, "CreatedDate": day(35),
             "SystemModstamp": day(35)},
            {"Id": "0Fc5g000REPORT3AAA", "Title": "Not sent yet", "Amount": 5000,
             "Status": "Draft", "ChannelPartnerId": A, "CreatedDate": day(2),
             "SystemModstamp": day(2)}],
        "Partner_Certification__c": [
            {"Id": "a025g000REPORT%dAAA" % i, "Partner__c": A, "Name": "Firewall Specialist",
             "Completed_Date__c": day(100 + i), "CreatedDate": day(100 + i),
             "SystemModstamp": day(100 + i)} for i in range(3)],
        # Alpine and Borealis both register Globex: a conflict that names
        # Borealis on Alpine's internal page
        "Lead": [
            {"Id": "00Q5g000REPORT%dAAA" % i, "Company": "Globex Corporation",
             "Website": "globex.example", "Country": "US", "Status": "Submitted",
             "RecordTypeId": "0129z000000DRegAAA", "Partner_Account__c": p,
             "Product_Interest__c": "Firewall", "CreatedDate": day(5 - i),
             "SystemModstamp": day(5 - i)} for i, p in enumerate((A, B))],
    }, cur, prev


def money(v):
    return "$" + format(int(round(v)), ",")


def percent(ratio):
    p = ratio * 100
    return ("%.0f%%" % p) if abs(p) >= 100 or abs(p - round(p)) < 0.05 else ("%.1f%%" % p)


def expected(data, cur):
    """Alpine's figures worked out from the fixture, as the page writes them."""
    opps = [o for o in data["Opportunity"] if o["PartnerAccountId"] == A]
    prob = {s: p / 100 for s, p, _, _ in STAGES}
    won = sum(o["Amount"] for o in opps if o["StageName"] == "Closed Won")
    open_ = [o for o in opps if o["StageName"] not in ("Closed Won", "Closed Lost")]
    pipeline = sum(o["Amount"] for o in open_)
    risk = sum(o["Amount"] * prob[o["StageName"]] for o in open_)
    remaining = PLAN[A] - won                  # basis: what is still to close
    paid = sum(c["Amount"] for c in data["PartnerFundClaim"]
               if c["ChannelPartnerId"] == A and c["Status"] == "Paid")
    funded = {r["CampaignId"] for r in data["PartnerFundRequest"]
              if r["Id"] in {c.get("RequestId") for c in data["PartnerFundClaim"]
                             if c["Status"] == "Paid"}}
    attributed = sum(o["Amount"] for o in opps
                     if o["StageName"] == "Closed Won" and o.get("CampaignId") in funded)
    return {"attainment": percent(won / PLAN[A]), "plan": money(PLAN[A]),
            "closed-won": money(won), "pipeline": money(pipeline),
            "total target": money(2 * remaining), "coverage": percent(pipeline / (2 * remaining)),
            "risk-adjusted": money(risk), "risk target": money(remaining),
            "risk coverage": percent(risk / remaining), "mdf paid": money(paid),
            "attributed": money(attributed), "roi": "%.1fx" % (attributed / paid),
            "claimed": money(sum(c["Amount"] for c in data["PartnerFundClaim"]
                                 if c["ChannelPartnerId"] == A and c["Status"] != "Draft"))}


def setup(name):
    env = Env(name)
    k = keypair()
    now = datetime.datetime.now(datetime.timezone.utc)
    data, cur, prev = org(now)
    path = os.path.join(env.dir, "org.json")
    with open(path, "w") as f:
        import json
        json.dump(data, f)
    cfg = os.path.join(env.dir, "emu.json")
    with open(cfg, "w") as f:
        import json
        json.dump({"data": path, "client_id": "chansync-test-app",
                   "users": ["chansync@vendor.example"], "public_key": k["public"]}, f)
    emu = FakeServer("sfemu.py", "--config", cfg)
    env.credential("sf_jwt_key", k["private"])
    env.write_config(CONFIG.replace("@LOGIN@", emu.url))
    r = env.chansyncd("--once")
    eq(r.returncode, 0, "chansyncd --once\n" + r.stderr)
    return env, emu, data, cur, prev


def chromium():
    return shutil.which("chromium") or (os.path.exists("/usr/bin/chromium") and
                                        "/usr/bin/chromium")


class Trap:
    """The browser's only way out: a proxy on loopback that answers 502 to
    everything and keeps the first line of each request it was sent."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.port = self.sock.getsockname()[1]
        self.seen = []
        threading.Thread(target=self.serve, daemon=True).start()

    def serve(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            with c:
                c.settimeout(5)
                try:
                    line = c.recv(4096).split(b"\r\n")[0].decode("latin-1")
                    self.seen.append(line)
                    c.sendall(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
                except OSError:
                    pass

    def page_requests(self):
        """What was asked for, less Chromium's own calls home (its clock,
        updates, accounts), which no page makes."""
        own = ("google.com", "googleapis.com", "gvt1.com", "gstatic.com")
        out = []
        for line in self.seen:
            parts = line.split()
            host = parts[1].split("//")[-1].split("/")[0].split(":")[0] if len(parts) > 1 else ""
            if not any(host == d or host.endswith("." + d) for d in own):
                out.append(line)
        self.seen = []
        return out

    def close(self):
        self.sock.close()


def browse(env, trap, page, *extra):
    # the network closed: every request goes to the trap, names resolve
    # nowhere; the console is logged to stderr
    args = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
            "--disable-background-networking", "--disable-component-update",
            "--proxy-server=127.0.0.1:%d" % trap.port, "--proxy-bypass-list=<-loopback>",
            "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
            "--enable-logging=stderr",
            "--log-level=0"] + list(extra) + ["file://" + page]
    r = subprocess.run(args, capture_output=True, text=True, timeout=120, cwd=env.dir,
                       env=dict(os.environ, HOME=env.dir))
    eq(r.returncode, 0, "chromium " + " ".join(extra) + "\n" + r.stderr[-2000:])
    return r


def console_errors(stderr):
    """What the browser says about the page: failed or refused loads and
    script errors (Chromium's own chatter about D-Bus and GPUs is not)."""
    keys = ("net::ERR", "Failed to load resource", "Refused to", "Uncaught",
            "Content Security Policy", "CONSOLE")
    return [l for l in stderr.splitlines() if any(k in l for k in keys)]


def png_size_and_colours(path):
    with open(path, "rb") as f:
        data = f.read()
    eq(data[:8], b"\x89PNG\r\n\x1a\n", "PNG signature")
    w, h = struct.unpack(">II", data[16:24])
    idat, pos = b"", 8
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + n]
        pos += 12 + n
    raw = zlib.decompress(idat)
    return w, h, len(set(raw[i] for i in range(0, len(raw), 7)))


@test
def every_period_with_a_plan_is_scored_and_the_figures_are_the_fixtures():
    env, emu, data, cur, prev = setup("reports-figures")
    try:
        rows = env.query("SELECT period, count(*) FROM partner_periods WHERE score IS NOT "
                         "NULL GROUP BY period ORDER BY period")
        eq([tuple(r) for r in rows], sorted([(prev, 3), (cur, 3)]), "scored periods")
        want = expected(data, cur)
        out = os.path.join(env.dir, "alpine.html")
        r = env.ctl("report", "partner", "Alpine IT AG", "--html", out)
        eq(r.returncode, 0, r.stderr)
        contains(r.stdout, "report written: " + out)
        with open(out) as f:
            html = f.read()
        for k in ("attainment", "plan", "closed-won", "pipeline", "total target", "coverage",
                  "risk-adjusted", "risk target", "risk coverage", "mdf paid", "attributed",
                  "roi", "claimed"):
            contains(html, ">%s<" % want[k], "Alpine's page: " + k)
        # nothing fetched: no script, no URL but the SVG namespace
        for bad in ("<script", "src=", "@import", "url("):
            eq(bad in html, False, "the page has " + bad)
        eq(html.count("http://") + html.count("https://"),
           html.count('xmlns="http://www.w3.org/2000/svg"'), "URLs")
        # a period without a scorecard is refused with a reason
        r = env.ctl("report", "partner", A, "--period", "2019-Q1", "--html", out)
        eq(r.returncode, 65, r.stderr)
        contains(r.stderr, "no scorecard for 2019-Q1")
        r = env.ctl("report", "partner", A)
        eq(r.returncode, 64, "no --html")
    finally:
        emu.stop()
        env.cleanup()


@test
def both_reports_render_in_chromium_offline_and_the_partners_page_keeps_others_out():
    if not chromium():
        raise Skip("Debian's chromium is not installed (make deps installs it)")
    env, emu, data, cur, prev = setup("reports-browser")
    trap = Trap()
    try:
        want = expected(data, cur)
        internal, partner, program = (os.path.join(env.dir, n) for n in (
            "internal.html", "partner.html", "program.html"))
        for args, out in ((("partner", A), internal),
                          (("partner", A, "--audience", "partner"), partner),
                          (("program",), program)):
            r = env.ctl("report", *args, "--html", out)
            eq(r.returncode, 0, r.stderr)
        doms = {}
        for page in (internal, partner, program):
            r = browse(env, trap, page, "--dump-dom")
            eq(console_errors(r.stderr), [], "console of " + page)
            eq(trap.page_requests(), [], "requests made by " + page)
            doms[page] = r.stdout
        for k in ("attainment", "coverage", "risk coverage", "roi", "mdf paid"):
            contains(doms[internal], want[k], "internal DOM: " + k)
            contains(doms[partner], want[k], "partner DOM: " + k)
        contains(doms[internal], "Borealis Networks", "the internal page's conflicts")
        for other in ("Borealis", "Cascade"):
            eq(other in doms[partner], False, "partner page names " + other)
        eq("Open conflicts" in doms[partner], False, "conflicts on the partner page")
        for name in ("Alpine IT AG", "Borealis Networks", "Cascade Systems"):
            contains(doms[program], name, "program ranking")
        contains(doms[program], "Conflicts waiting for a decision")
        contains(doms[program], "Approval queue")
        # the checks above can fail: a page that fetches is caught by the
        # trap, and one that breaks its own policy by the console
        bad = os.path.join(env.dir, "fetches.html")
        with open(bad, "w") as f:
            f.write('<html><body><img src="http://203.0.113.9/x.png"></body></html>')
        browse(env, trap, bad, "--dump-dom")
        contains(" ".join(trap.page_requests()), "203.0.113.9", "the trap's requests")
        with open(bad, "w") as f:
            f.write('<html><head><meta http-equiv="Content-Security-Policy" '
                    'content="default-src \'none\'"></head><body><img '
                    'src="http://203.0.113.9/y.png"></body></html>')
        r = browse(env, trap, bad, "--dump-dom")
        if not console_errors(r.stderr):
            raise AssertionError("a page refused by its policy gave no console error:\n" +
                                 r.stderr[-2000:])
        # a screenshot of the size asked for, with more than a few colours
        for page in (internal, program):
            png = page + ".png"
            browse(env, trap, page, "--hide-scrollbars", "--window-size=1000,1400",
                   "--screenshot=" + png)
            w, h, colours = png_size_and_colours(png)
            eq((w, h), (1000, 1400), "screenshot size of " + page)
            if colours < 8:
                raise AssertionError("%s looks blank: %d byte values" % (png, colours))
        # and a PDF through the same browser
        pdf = os.path.join(env.dir, "alpine.pdf")
        r = env.ctl("report", "partner", A, "--pdf", pdf)
        eq(r.returncode, 0, r.stderr)
        with open(pdf, "rb") as f:
            eq(f.read(5), b"%PDF-", "PDF header")
    finally:
        trap.close()
        emu.stop()
        env.cleanup()

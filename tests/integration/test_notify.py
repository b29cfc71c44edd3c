"""Notifications (contract §15) against a real SMTP server (Debian's
python3-aiosmtpd on loopback) and a webhook receiver: the digest two
owners get, word for word; a critical alert sent at once; the mail server
down for two cycles, then up: each message delivered once; kill -9 between
the server's acceptance and the daemon's record of it: one duplicate, with
the same Message-ID; a wrong password: a clear error in status and the
log, and the secrets nowhere."""
import datetime
import email
import email.header
import json
import os
import signal
import subprocess
import time
import urllib.request

from harness import ROOT, Env, FakeServer, contains, eq, test, wait_until
from test_cases import keypair

SMTP_PYTHON = "/usr/bin/python3" if os.path.exists("/usr/bin/python3") else "python3"
PASSWORD = "s3cret-smtp-pass"
HOOK_TOKEN = "T00SECRET-hook-token"

ANA, BEN, CARL = "0055g000NOTIFYAAAA", "0055g000NOTIFYBAAA", "0055g000NOTIFYCAAA"
P1, P2 = "0015g000NOTIFYPAAA", "0015g000NOTIFYQAAA"


def iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def org(now):
    """Two channel managers, each owning a partner; both partners hold an
    approval for one customer's firewall deal (a double approval), and
    Beta's other registration waits for a decision."""
    d = lambda days, hours=0: iso(now - datetime.timedelta(days=days, hours=hours))
    return {
        "RecordType": [{"Id": "0129z000000DRegAAA", "Name": "Deal Registration",
                        "DeveloperName": "Deal_Registration", "SobjectType": "Lead"}],
        "User": [
            {"Id": ANA, "Name": "Ana Ruiz", "Email": "ana@vendor.example", "IsActive": True},
            {"Id": BEN, "Name": "Ben Okafor", "Email": "ben@vendor.example",
             "IsActive": True},
            {"Id": CARL, "Name": "Carl Integration", "Email": "carl@vendor.example",
             "IsActive": True}],
        "Account": [
            {"Id": P1, "Name": "Alpha Partners", "IsPartner": True, "OwnerId": ANA,
             "Website": "alpha-partners.example"},
            {"Id": P2, "Name": "Beta Resellers", "IsPartner": True, "OwnerId": BEN,
             "Website": "beta-resellers.example"}],
        "Lead": [
            {"Id": "00Q5g000NOTIFY1AAA", "Company": "Müller GmbH", "Website": "mueller.example",
             "Country": "DE", "Status": "Approved", "RecordTypeId": "0129z000000DRegAAA",
             "Partner_Account__c": P1, "Product_Interest__c": "Firewall",
             "CreatedDate": d(3), "Decision_Date__c": d(2), "SystemModstamp": d(2)},
            {"Id": "00Q5g000NOTIFY2AAA", "Company": "Mueller GmbH", "Website": "mueller.example",
             "Country": "DE", "Status": "Approved", "RecordTypeId": "0129z000000DRegAAA",
             "Partner_Account__c": P2, "Product_Interest__c": "Firewall",
             "CreatedDate": d(2, 1), "Decision_Date__c": d(1), "SystemModstamp": d(1)},
            {"Id": "00Q5g000NOTIFY3AAA", "Company": "Initech AG", "Website": "initech.example",
             "Country": "DE", "Status": "Submitted", "RecordTypeId": "0129z000000DRegAAA",
             "Partner_Account__c": P2, "Product_Interest__c": "SIEM",
             "Estimated_Amount__c": 48000, "CreatedDate": d(6, 1), "SystemModstamp": d(6, 1)}],
    }


CONFIG = """daemon: { state_dir: @STATE@, interval: 1h, jitter: 0s, log_level: info,
          timezone: UTC, business_days: [mon, tue, wed, thu, fri, sat, sun] }
registrations: { pending_max_age: 60d }
crm:
  kind: salesforce
  login_url: @LOGIN@
  api_version: "60.0"
  auth: { flow: jwt_bearer, client_id: chansync-test-app, username: chansync@vendor.example,
          private_key: credential:sf_jwt_key }
  safety_lag: 0s
  objects:
    partners: { sobject: Account, where: "IsPartner = true" }
    registrations:
      sobject: Lead
      where: "RecordType.DeveloperName = 'Deal_Registration'"
      fields: { partner_id: Partner_Account__c, product: Product_Interest__c,
                amount: Estimated_Amount__c, decided_at: Decision_Date__c }
rules: { conflicts: { direct: false } }
notify:
  digest: { at: "00:00", business_days_only: false }
  immediate: [double_approval]
  smtp: { url: "smtp://127.0.0.1:@SMTP_PORT@", from: "chansync@vendor.example",
          username: chansync, password: credential:smtp_password, starttls: none }
  webhook: { url: credential:hook_url }
  recipients: { "@BEN@": "ben.okafor@vendor.example" }
"""


class Smtp:
    """The mail server, stopped and started again on the same port."""

    def __init__(self, env, port=0, hold=0):
        self.out = os.path.join(env.dir, "mail.ndjson")
        self.pwfile = os.path.join(env.dir, "smtp-password")
        with open(self.pwfile, "w") as f:
            f.write(PASSWORD)
        self.port = port
        self.proc = None
        self.start(hold)

    def start(self, hold=0):
        args = [SMTP_PYTHON, os.path.join(ROOT, "tests", "fakes", "smtpd.py"), "--out",
                self.out, "--port", str(self.port), "--user", "chansync",
                "--password-file", self.pwfile]
        if hold:
            args += ["--hold", str(hold)]
        self.proc = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                     text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            raise AssertionError("smtpd did not start: %r %s" % (line, self.proc.stderr.read()))
        self.port = int(line.split()[1])

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def messages(self):
        if not os.path.exists(self.out):
            return []
        with open(self.out) as f:
            return [json.loads(x) for x in f if x.strip()]


def posts(hook):
    with urllib.request.urlopen(hook.url + "/_posts", timeout=10) as r:
        return json.loads(r.read())["posts"]


def setup(name, hold=0, password=PASSWORD):
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    env = Env(name)
    k = keypair()
    data = os.path.join(env.dir, "org.json")
    with open(data, "w") as f:
        json.dump(org(now), f, ensure_ascii=False)
    emu_cfg = os.path.join(env.dir, "emu.json")
    with open(emu_cfg, "w") as f:
        json.dump({"data": data, "client_id": "chansync-test-app",
                   "users": ["chansync@vendor.example"], "public_key": k["public"]}, f)
    emu = FakeServer("sfemu.py", "--config", emu_cfg)
    hook = FakeServer("webhook.py", "--token", HOOK_TOKEN)
    smtp = Smtp(env, hold=hold)
    env.credential("sf_jwt_key", k["private"])
    env.credential("smtp_password", password + "\n")
    env.credential("hook_url", "%s/hooks/%s\n" % (hook.url, HOOK_TOKEN))
    env.write_config(CONFIG.replace("@LOGIN@", emu.url).replace(
        "@SMTP_PORT@", str(smtp.port)).replace("@BEN@", BEN))
    return env, emu, hook, smtp, now


def stop_all(env, *servers):
    for s in servers:
        s.stop()
    env.cleanup()


def parsed(m):
    return email.message_from_string(m["data"])


def subject(msg):
    return str(email.header.make_header(email.header.decode_header(msg["Subject"])))


def body(msg):
    # 8bit UTF-8 text as it came: the payload is the text itself
    eq(msg["Content-Transfer-Encoding"], "8bit", "transfer encoding")
    return msg.get_payload()


def no_secret(env, where):
    """Neither secret in the daemon's log, the database or status."""
    texts = [env.stderr_text() if os.path.exists(os.path.join(env.dir, "daemon.stderr"))
             else "", env.ctl("status").stdout, env.ctl("--json", "status").stdout]
    con = env.db()
    try:
        for table in ("audit", "notifications", "cycles", "cycle_sources"):
            for row in con.execute("SELECT * FROM %s" % table):
                texts.append(" ".join(str(x) for x in row))
    finally:
        con.close()
    for t in texts:
        for s in (PASSWORD, HOOK_TOKEN):
            if s in t:
                raise AssertionError("%s: a secret appears in: %s" % (where, t[:2000]))


@test
def digests_and_an_immediate_alert_by_mail_and_webhook():
    env, emu, hook, smtp, now = setup("notify")
    try:
        r = env.chansyncd("--once", timeout=120)
        eq(r.returncode, 0, "cycle\n" + r.stderr[-3000:])
        mails = smtp.messages()
        by = {}
        for m in mails:
            msg = parsed(m)
            by.setdefault((tuple(m["rcpt_tos"]), msg["Subject"][:40]), []).append(msg)
        eq(len(mails), 3, "mails: the immediate double approval to its owner, two "
           "digests:\n" + "\n".join(subject(parsed(m)) for m in mails))
        for m in mails:
            eq(m["mail_from"], "chansync@vendor.example", "envelope sender")
        ana = [parsed(m) for m in mails if m["rcpt_tos"] == ["ana@vendor.example"]]
        ben = [parsed(m) for m in mails if m["rcpt_tos"] == ["ben.okafor@vendor.example"]]
        eq(len(ana), 2, "Ana: the alert at once and her digest")
        eq(len(ben), 1, "Ben (by notify.recipients): his digest")
        day = now.strftime("%Y-%m-%d")
        reg3 = (now - datetime.timedelta(days=6, hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        dkey = env.query("SELECT key FROM conflicts WHERE type = 'double_approval'")[0][0]
        # the immediate alert: its own message, the owner, the command
        alert = [m for m in ana if "digest" not in subject(m)][0]
        contains(subject(alert), "chansync [critical] double_approval: 2 claims on ")
        contains(body(alert), "For Ana Ruiz. Alert double_approval:%s, raised " % dkey)
        # the digests, word for word
        want_ana = (
            "chansync digest for Ana Ruiz, %s\n"
            "\n"
            "Needs you today (1)\n"
            "  - [new] double_approval: 2 claims on Müller GmbH (2 partners); "
            "recommended: crm:00Q5g000NOTIFY1AAA. To do: two partners hold an approval "
            "for the same deal: keep one and withdraw the others' approvals now. See "
            "chansyncctl conflict %s.\n"
            "\n"
            "Conflicts waiting for your decision (1)\n"
            "  - %s double_approval: decide with chansyncctl conflict %s decide --winner "
            "MEMBER --reason TEXT\n" % (day, dkey, dkey, dkey))
        digest_ana = [m for m in ana if "digest" in subject(m)][0]
        eq(subject(digest_ana), "chansync digest for Ana Ruiz, %s: 1 critical, 0 new, "
           "0 resolved" % day, "Ana's subject")
        eq(body(digest_ana).replace("\r\n", "\n"), want_ana, "Ana's digest")
        want_ben = (
            "chansync digest for Ben Okafor, %s\n"
            "\n"
            "Needs you today (1)\n"
            "  - [new] approval_sla_breach: registration crm:00Q5g000NOTIFY3AAA by Beta "
            "Resellers for Initech AG has waited 6 business days for a decision "
            "(registered %s; critical after 4). To do: approve or reject it.\n"
            "\n"
            "Approval queue (1 pending, 48,000 USD)\n"
            "  business days: 0-2: 0, 2-4: 0, 4-10: 1, over 10: 0, stale: 0\n"
            "  - crm:00Q5g000NOTIFY3AAA by Beta Resellers for Initech AG: waiting 6.0 "
            "business days, 48,000 USD\n"
            "  chansyncctl queue --owner \"Ben Okafor\"\n" % (day, reg3))
        eq(body(ben[0]).replace("\r\n", "\n"), want_ben, "Ben's digest")
        eq(ben[0]["Content-Type"], "text/plain; charset=UTF-8", "MIME type")
        # the webhook: the alert once, both digests; nothing else
        got = posts(hook)
        eq(sorted(p["idempotency_key"] for p in got),
           sorted(["alert:double_approval:%s:%s:webhook" % (
               dkey, env.query("SELECT first_seen FROM alerts WHERE type = "
                               "'double_approval'")[0][0]),
               "digest:%s:%s:webhook" % (ANA, day), "digest:%s:%s:webhook" % (BEN, day)]),
           "webhook posts")
        # the same cycle again: nothing new is sent
        r = env.chansyncd("--once", timeout=120)
        eq(r.returncode, 0, "second cycle")
        eq(len(smtp.messages()), 3, "no second mail")
        eq(len(posts(hook)), 3, "no second post")
        eq(env.query("SELECT count(*) FROM audit WHERE action = 'notify.sent'")[0][0], 6,
           "six sends audited")
        out = env.ctl("status").stdout
        contains(out, "notifications:")
        # chansyncctl digest prints what the next digest holds
        r = env.ctl("digest", "--owner", "ben@vendor.example", check_rc=0)
        contains(r.stdout, "chansync digest for Ben Okafor")
        r = env.ctl("digest", "--owner", "nobody@example.com")
        eq(r.returncode, 65, "unknown owner")
        no_secret(env, "after the cycles")
    finally:
        stop_all(env, emu, hook, smtp)


@test
def a_mail_server_down_for_two_cycles_then_up():
    env, emu, hook, smtp, now = setup("notify-down")
    try:
        smtp.stop()
        for i in range(2):
            r = env.chansyncd("--once", timeout=120)
            eq(r.returncode, 0, "cycle %d with the mail server down\n%s" % (i + 1, r.stderr[-2000:]))
        eq(smtp.messages(), [], "nothing delivered while down")
        eq(env.query("SELECT count(*), min(attempts), max(attempts) FROM notifications "
                     "WHERE channel = 'email' AND sent_at IS NULL")[0], (3, 2, 2),
           "three mails waiting, each tried twice")
        contains(env.ctl("status").stdout, "Couldn't connect to server")
        smtp.start()
        r = env.chansyncd("--once", timeout=120)
        eq(r.returncode, 0, "the cycle after")
        keys = [parsed(m)["X-Chansync-Key"] for m in smtp.messages()]
        eq(len(keys), 3, "each delivered")
        eq(len(set(keys)), 3, "once each")
        eq(env.query("SELECT count(*) FROM audit WHERE action = 'notify.failed'")[0][0], 6,
           "six failures audited")
        r = env.chansyncd("--once", timeout=120)
        eq(len(smtp.messages()), 3, "and never again")
    finally:
        stop_all(env, emu, hook, smtp)


@test
def kill9_between_sending_and_recording():
    env, emu, hook, smtp, now = setup("notify-kill", hold=30)
    try:
        p = env.start("--once")
        wait_until(lambda: len(smtp.messages()) >= 1, 60, "the first mail accepted")
        p.send_signal(signal.SIGKILL)
        p.wait()
        first = parsed(smtp.messages()[0])
        eq(env.query("SELECT sent_at FROM notifications WHERE key = ?",
                     (first["X-Chansync-Key"],))[0][0], None, "not recorded as sent")
        r = env.chansyncd("--once", timeout=120)
        eq(r.returncode, 0, "the run after the kill\n" + r.stderr[-2000:])
        same = [parsed(m) for m in smtp.messages()
                if parsed(m)["X-Chansync-Key"] == first["X-Chansync-Key"]]
        eq(len(same), 2, "one duplicate of the message in flight")
        eq(same[0]["Message-ID"], same[1]["Message-ID"], "with the same Message-ID")
        keys = [parsed(m)["X-Chansync-Key"] for m in smtp.messages()]
        eq(len(keys), len(set(keys)) + 1, "no other duplicate")
        n = len(keys)
        env.chansyncd("--once", timeout=120)
        eq(len(smtp.messages()), n, "nothing more")
    finally:
        stop_all(env, emu, hook, smtp)


@test
def a_wrong_password_is_a_clear_error_and_stays_secret():
    env, emu, hook, smtp, now = setup("notify-auth", password="not-the-password")
    try:
        r = env.chansyncd("--once", timeout=120)
        eq(r.returncode, 0, "the cycle runs; the mail waits\n" + r.stderr[-2000:])
        eq(smtp.messages(), [], "nothing accepted")
        contains(r.stderr, "the SMTP server refused the login of notify.smtp.username")
        out = env.ctl("status").stdout
        contains(out, "the SMTP server refused the login of notify.smtp.username")
        for text in (r.stderr, out):
            if "not-the-password" in text:
                raise AssertionError("the password appears: " + text[-2000:])
        eq(len(posts(hook)), 3, "the webhook still gets its messages")
        no_secret(env, "wrong password")
        con = env.db()
        try:
            for row in con.execute("SELECT * FROM audit"):
                if "not-the-password" in " ".join(str(x) for x in row):
                    raise AssertionError("the password in the audit log")
        finally:
            con.close()
    finally:
        stop_all(env, emu, hook, smtp)

"""The daemon's preflight (crm.preflight): at start it describes the org
and logs each field the configuration needs that the org lacks, with the
configuration key and its place in the file; warn starts anyway, strict
refuses to start (78) on a problem that blocks a read or a write, off does
not ask. --once never asks (a cron job would pay it on every run)."""
import datetime
import json
import os
import signal

from harness import Env, FakeServer, contains, eq, test, wait_exit, wait_until
from test_cases import keypair
from test_notify import org

CONFIG = """daemon: { state_dir: @STATE@, interval: 1h, jitter: 0s, log_level: info }
crm:
  kind: salesforce
  login_url: @LOGIN@
  preflight: @MODE@
  auth: { flow: jwt_bearer, client_id: chansync-test-app, username: chansync@vendor.example,
          private_key: credential:sf_jwt_key }
  safety_lag: 0s
  objects:
    registrations:
      sobject: Lead
      where: "RecordType.DeveloperName = 'Deal_Registration'"
      fields: { partner_id: Partner_Account__c, decided_at: Decision_Date__c }
  writeback:
    alerts: { sobject: Channel_Alert__c, external_id: Chansync_Key__c }
"""


def setup(name, mode):
    env = Env(name)
    k = keypair()
    now = datetime.datetime.now(datetime.timezone.utc)
    data = os.path.join(env.dir, "org.json")
    with open(data, "w") as f:
        json.dump(org(now), f, ensure_ascii=False)
    cfg = os.path.join(env.dir, "emu.json")
    with open(cfg, "w") as f:
        json.dump({"data": data, "client_id": "chansync-test-app",
                   "users": ["chansync@vendor.example"], "public_key": k["public"]}, f)
    emu = FakeServer("sfemu.py", "--config", cfg)
    env.credential("sf_jwt_key", k["private"])
    env.write_config(CONFIG.replace("@LOGIN@", emu.url).replace("@MODE@", mode))
    # the org lacks the decision date, and the alert's message is read-only
    emu.control("data", {"settings": {"describe": {
        "hide": ["Lead.Decision_Date__c"], "readonly": ["Channel_Alert__c.Message__c"]}}})
    return env, emu


def describes(emu):
    return [r for r in emu.requests() if r["path"].endswith("/describe")]


@test
def warn_logs_the_problems_and_starts():
    env, emu = setup("preflight-warn", "warn")
    try:
        p = env.start()
        wait_until(lambda: "fields checked" in env.stderr_text() or p.poll() is not None,
                   30, "the preflight's summary")
        log = env.stderr_text()
        contains(log, "preflight: %s:13:61: crm.objects.registrations.fields.decided_at: "
                 "Lead.Decision_Date__c does not exist, or chansync@vendor.example cannot "
                 "read it" % env.config)
        contains(log, "preflight: %s:15:13: crm.writeback.alerts: chansync@vendor.example "
                 "cannot update Channel_Alert__c.Message__c" % env.config)
        contains(log, "preflight: 7 objects described, 64 fields checked, 3 problems")
        # users, partners, opportunities (the defaults), registrations, alerts
        eq(len(describes(emu)), 7, "one describe per object")
        eq(env.query("SELECT json_extract(detail, '$.blocking') FROM audit WHERE action = "
                     "'crm.preflight'"), [(3,)], "audited")
        eq(p.poll(), None, "running")
        p.send_signal(signal.SIGTERM)
        eq(wait_exit(p, 20), 0, "stops")
    finally:
        env.cleanup()
        emu.stop()


@test
def strict_refuses_to_start():
    env, emu = setup("preflight-strict", "strict")
    try:
        p = env.start()
        eq(wait_exit(p, 30), 78, "exit status")
        log = env.stderr_text()
        contains(log, "preflight: 3 problems block reads or writes and crm.preflight is "
                 "strict: not starting")
        contains(log, "Lead.Decision_Date__c does not exist")
    finally:
        env.cleanup()
        emu.stop()


@test
def off_and_once_do_not_ask():
    env, emu = setup("preflight-off", "off")
    try:
        p = env.start()
        wait_until(lambda: "cycle 1 " in env.stderr_text(), 60, "the first cycle")
        p.send_signal(signal.SIGTERM)
        wait_exit(p, 20)
        eq(describes(emu), [], "off: no describe")
        env.write_config(open(env.config).read().replace("preflight: off",
                                                         "preflight: strict"))
        r = env.chansyncd("--once", timeout=120)
        eq(describes(emu), [], "--once: no describe, strict or not")
        if "preflight:" in r.stderr:
            raise AssertionError("--once ran the preflight:\n" + r.stderr[-2000:])
    finally:
        env.cleanup()
        emu.stop()

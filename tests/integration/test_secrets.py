"""Secrets never leave the process (T14): canary values in every kind of
secret, a full cycle, a debug-level run, a reload, a refused secret file,
then every output, log line, audit row and database byte is searched."""
import glob
import os
import signal

from harness import (Env, FILE_DROP_CONFIG, Notify, bin_path, eq, test, wait_exit,
                     wait_until)

CANARIES = {
    "audit_key": "CANARY-7f3a9c-audit-hmac-key",
    "portal_token": "CANARY-7f3a9c-portal-bearer-token",
    "sf_key": "-----BEGIN PRIVATE KEY-----\nCANARY7f3a9cMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n"
              "-----END PRIVATE KEY-----\n",
}
MARKERS = ["CANARY-7f3a9c", "CANARY7f3a9c", "Authorization: Bearer"]

CONFIG = FILE_DROP_CONFIG.replace("normalize:", """  - name: portal
    kind: http_json
    url: http://127.0.0.1:9/api
    auth: { kind: bearer, token: credential:portal_token }
    fields: { external_id: /id, partner_id: /p, customer_name: /c, status: /s,
              registered_at: /r }
crm:
  kind: salesforce
  login_url: http://127.0.0.1:9
  auth: { flow: jwt_bearer, client_id: CONNECTED-APP, username: u@example.com,
          private_key: credential:sf_key2 }
audit:
  hmac_key: credential:audit_key
normalize:""")


def rsa_4096():
    """A real 4096-bit key: 50 lines of PEM, each a secret of its own, once
    more than the masking table held (the secrets after it went unmasked)."""
    import subprocess
    return subprocess.run(["openssl", "genrsa", "4096"], check=True,
                          capture_output=True, text=True).stdout


@test
def canaries_never_appear_anywhere():
    env = Env("secrets")
    try:
        pem = rsa_4096()
        markers = MARKERS + [l for l in pem.splitlines()[1:-1] if len(l) >= 16][:5]
        for k, v in CANARIES.items():
            env.credential(k, v)
        env.credential("sf_key2", pem)
        env.write_config(CONFIG.replace("log_level: info", "log_level: debug"))
        env.drop("a.csv", "reg_no,reseller,end_user,website,status,registered,value,cur\n"
                 "R1,001A,Acme,,NEW,2026-11-01,1,USD\nR2,001A,Acme,,NEW,bad,1,USD\n")
        outputs = []
        p = env.chansyncd("--once")                   # a source fails: exit 75
        eq(p.returncode, 75, "cycle with a failing source")
        outputs += [p.stdout, p.stderr]
        n = Notify(os.path.join(env.dir, "notify.sock"))
        d = env.start(extra_env={"NOTIFY_SOCKET": n.path})
        n.wait_for("READY", "1")
        wait_until(lambda: os.path.exists(os.path.join(env.state, "chansyncd.sock")), 10,
                   "control socket")
        r = env.ctl("sync", "--wait")
        outputs += [r.stdout, r.stderr]
        d.send_signal(signal.SIGHUP)                  # reload with the secrets
        n.wait_for("RELOADING", "1")
        n.wait_for("READY", "1")
        for cmd in (["status"], ["--json", "status"], ["audit", "--limit", "5000"],
                    ["--json", "audit", "--limit", "5000"], ["quarantine"],
                    ["audit", "verify"], ["registrations"]):
            r = env.ctl(*cmd)
            outputs += [r.stdout, r.stderr]
        d.send_signal(signal.SIGTERM)
        wait_exit(d, 10)
        outputs.append(env.stderr_text())
        outputs += [repr(m[2]) for m in n.msgs]
        n.close()
        # a refused secret file: the error names the path and mode only
        os.chmod(os.path.join(env.creds, "portal_token"), 0o644)
        r = env.chansyncd("--check-config")
        eq(r.returncode, 77, "world-readable secret refused")
        outputs += [r.stdout, r.stderr]
        text = "\n".join(outputs)
        blobs = []
        for f in glob.glob(os.path.join(env.state, "*")):
            with open(f, "rb") as fh:
                blobs.append((f, fh.read()))
        audit = "\n".join(str(r) for r in env.query("SELECT * FROM audit"))
        found = []
        for m in markers:
            if m in text:
                found.append("output: %s" % m)
            if m in audit:
                found.append("audit: %s" % m)
            for f, b in blobs:
                if m.encode() in b:
                    found.append("%s: %s" % (f, m))
        eq(found, [], "canary occurrences")
        print("    searched %d KB of output, %d files, %d audit rows"
              % (len(text) // 1024, len(blobs), len(audit.splitlines())))
    finally:
        env.cleanup()


@test
def basic_credentials_echoed_by_a_server_stay_masked():
    # a hub answering 500 with the request's headers in its body: the
    # Authorization header carries base64("chansync:" + password)
    import base64
    from harness import FakeServer, ROOT
    password = "CANARY-b64-hub-password-41"
    b64 = base64.b64encode(("chansync:" + password).encode()).decode()
    hub = FakeServer("vendor.py", "hub", "--data",
                     os.path.join(ROOT, "fixtures", "vendors", "hub.json"))
    env = Env("secrets-basic")
    try:
        env.credential("hub_password", password + "\n")
        env.write_config("""daemon: { state_dir: @STATE@, interval: 1h, jitter: 0s }
sources:
  - name: hub
    kind: http_json
    url: %s/v1/deals
    auth: { kind: basic, username: chansync, password: credential:hub_password }
    time_format: epoch_ms
    records: ""
    retries: 1
    fields: { external_id: deal_id, partner_id: reseller_account,
              customer_name: end_customer, status: status, registered_at: created_ms }
    status_map: { OPEN: pending }
""" % hub.url)
        hub.faults({"path": "/v1/deals", "status": 500, "echo_headers": True, "times": 10})
        p = env.chansyncd("--once")
        eq(p.returncode, 75, "the source failed\n" + p.stderr[-1500:])
        outputs = [p.stdout, p.stderr]
        if "request_headers" not in p.stderr:
            raise AssertionError("the echoed header is not in the error at all: "
                                 "the test would prove nothing\n" + p.stderr[-2000:])
        for cmd in (["--json", "status"], ["status"], ["--json", "audit"]):
            r = env.ctl(*cmd)
            outputs += [r.stdout, r.stderr]
        text = "\n".join(outputs)
        rows = "\n".join(str(r) for r in env.query("SELECT * FROM audit")) + "\n".join(
            str(r) for r in env.query("SELECT * FROM cycle_sources"))
        found = [w for w, hay in (("output", text), ("database", rows))
                 for m in (b64, password) if m in hay]
        eq(found, [], "basic credentials in the open")
    finally:
        env.cleanup()
        hub.stop()

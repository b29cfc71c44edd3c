"""http_json sources against the two vendor fakes: full then incremental
sync, each pagination kind, auth refused, a 429 storm, a malformed page,
bad records, a repeated cursor, the page limit, a hung server."""
import json
import os
import time

from harness import (Env, FakeServer, Notify, ROOT, contains, eq, test)

PORTAL = os.path.join(ROOT, "fixtures", "vendors", "portal.json")
HUB = os.path.join(ROOT, "fixtures", "vendors", "hub.json")

PORTAL_SOURCE = """
  - name: portal
    kind: http_json
    url: %(url)s/api/v2/registrations
    auth: { kind: bearer, token: credential:portal_token }
    since_param: updated_since
    records: /data
    pagination: { kind: cursor, param: cursor, next: /meta/next_cursor,
                  size_param: limit, size: 25 }
    timeout: %(timeout)s
    retries: %(retries)s
    page_limit: %(page_limit)s
    max_run: %(max_run)s
    fields:
      external_id: /id
      partner_id: /partner/crm_account_id
      customer_name: /end_customer/company
      customer_domain: /end_customer/website
      customer_country: /end_customer/country
      product: /product_line
      amount: /value/amount
      currency: /value/currency
      status: /status
      registered_at: /submitted_at
      decided_at: { pointer: /decision/at, format: epoch_ms }
      expires_at: /expires_at
      updated_at: /updated_at
    status_map: { submitted: pending, in_review: pending, approved: approved,
                  declined: rejected, expired: expired, closed_won: won,
                  closed_lost: lost }
"""

HUB_SOURCE = """
  - name: hub
    kind: http_json
    url: %(url)s/v1/deals
    auth: { kind: basic, username: chansync, password: credential:hub_password }
    time_format: epoch_ms
    since_param: modified_after
    records: ""
    pagination: %(pagination)s
    timeout: %(timeout)s
    retries: %(retries)s
    fields:
      external_id: deal_id
      partner_id: reseller_account
      customer_name: end_customer
      customer_domain: customer_email
      customer_country: country
      product: product
      amount: deal_value
      currency: deal_currency
      status: status
      registered_at: created_ms
      expires_at: valid_until_ms
      updated_at: modified_ms
    status_map: { OPEN: pending, ACCEPTED: approved, DENIED: rejected, LAPSED: expired,
                  CLOSED_WON: won, CLOSED_LOST: lost }
"""

HEAD = """daemon: { state_dir: @STATE@, interval: 1h, jitter: 0s }
normalize: { fx: { EUR: 1.08, GBP: 1.27, CHF: 1.13 } }
sources:
"""


def setup(portal=None, hub=None, token="portal-test-token", password="hub-test-password",
          **kw):
    env = Env("httpjson")
    env.credential("portal_token", token + "\n")
    env.credential("hub_password", password + "\n")
    params = {"timeout": "10s", "retries": 3, "page_limit": 1000, "max_run": "10m",
              "pagination": "{ kind: link, size_param: per_page, size: 20 }"}
    params.update(kw)
    text = HEAD
    if portal:
        text += PORTAL_SOURCE % dict(params, url=portal.url)
    if hub:
        text += HUB_SOURCE % dict(params, url=hub.url)
    env.write_config(text)
    return env


def fixture_len(path):
    with open(path) as f:
        return len(json.load(f))


@test
def portal_full_then_incremental_with_cursor_pagination():
    fake = FakeServer("vendor.py", "portal", "--data", PORTAL)
    env = setup(portal=fake)
    try:
        env.chansyncd("--once", check_rc=0)
        n = fixture_len(PORTAL)
        eq(env.query("SELECT count(*) FROM registrations WHERE source='portal'")[0][0], n,
           "every portal record")
        reqs = fake.requests()
        eq(len(reqs), (n + 24) // 25, "one request a page")
        eq(any("updated_since" in r["query"] for r in reqs), False, "first sync is full")
        eq(all(r["authorization"] for r in reqs), True, "bearer sent")
        wm = env.query("SELECT value FROM watermarks WHERE source='portal'")[0][0]
        row = env.query("SELECT customer_country, status, decided_at, currency, amount_base "
                        "FROM registrations WHERE key='portal:VP-20000'")[0]
        with open(PORTAL) as f:
            first = json.load(f)[0]
        eq(row[1], {"submitted": "pending", "in_review": "pending", "approved": "approved",
                    "declined": "rejected", "expired": "expired", "closed_won": "won",
                    "closed_lost": "lost"}[first["status"]], "status mapped")
        # incremental: two records change upstream
        fake.reset()
        fake.control("data", {"update": {"VP-20001": {"status": "declined"},
                                         "VP-20002": {"status": "closed_won"}}})
        env.chansyncd("--once", check_rc=0)
        reqs = fake.requests()
        eq(len(reqs), 1, "one page for the changes")
        contains(reqs[0]["query"], "updated_since=")
        got = dict(env.query("SELECT key, status FROM registrations WHERE key IN "
                             "('portal:VP-20001', 'portal:VP-20002')"))
        eq(got, {"portal:VP-20001": "rejected", "portal:VP-20002": "won"}, "changes landed")
        wm2 = env.query("SELECT value FROM watermarks WHERE source='portal'")[0][0]
        eq(wm2 > wm, True, "watermark moved forward")
        eq(env.query("SELECT count(*) FROM registrations")[0][0], n, "no duplicates")
    finally:
        env.cleanup()
        fake.stop()


@test
def hub_link_and_page_pagination_with_basic_auth():
    fake = FakeServer("vendor.py", "hub", "--data", HUB)
    n = fixture_len(HUB)
    for pag in ("{ kind: link, size_param: per_page, size: 20 }",
                "{ kind: page, param: page, size_param: per_page, size: 20 }"):
        env = setup(hub=fake, pagination=pag)
        try:
            fake.reset()
            env.chansyncd("--once", check_rc=0)
            eq(env.query("SELECT count(*) FROM registrations")[0][0], n, "all hub deals " + pag)
            pages = len(fake.requests())
            eq(pages, (n + 19) // 20 + (1 if "page," in pag and n % 20 == 0 else 0),
               "requests for " + pag)
            with open(HUB) as f:
                first = json.load(f)[0]
            row = env.query("SELECT status, currency, amount, registered_at, customer_domain "
                            "FROM registrations WHERE key='hub:%d'" % first["deal_id"])[0]
            eq(row[0], {"OPEN": "pending", "ACCEPTED": "approved", "DENIED": "rejected",
                        "LAPSED": "expired", "CLOSED_WON": "won",
                        "CLOSED_LOST": "lost"}[first["status"]], "status words mapped")
            eq(row[1], first["deal_currency"], "currency")
            eq(row[2], float(first["deal_value"].replace(",", "")), "'12,500.00' read exactly")
            eq(row[3], time.strftime("%Y-%m-%dT%H:%M:%SZ",
                                     time.gmtime(first["created_ms"] // 1000)), "epoch ms")
            eq(row[4], first["customer_email"].split("@")[1], "e-mail to domain")
        finally:
            env.cleanup()
    fake.stop()


@test
def auth_refused_and_the_other_source_still_lands():
    portal = FakeServer("vendor.py", "portal", "--data", PORTAL)
    hub = FakeServer("vendor.py", "hub", "--data", HUB)
    env = setup(portal=portal, hub=hub, token="wrong-token")
    try:
        p = env.chansyncd("--once")
        eq(p.returncode, 75, "a failed source fails the cycle")
        contains(p.stderr, "source portal failed: authentication refused (HTTP 401)")
        eq(env.query("SELECT count(*) FROM registrations WHERE source='hub'")[0][0],
           fixture_len(HUB), "hub landed")
        eq(dict(env.query("SELECT source, status FROM cycle_sources")),
           {"portal": "failed", "hub": "ok"}, "per source")
        eq(len(portal.requests()), 1, "a 401 is not retried")
        if "wrong-token" in p.stderr or "portal-test-token" in p.stderr:
            raise AssertionError("a token reached the log")
    finally:
        env.cleanup()
        portal.stop()
        hub.stop()


@test
def a_429_storm_is_ridden_out_honouring_retry_after():
    fake = FakeServer("vendor.py", "portal", "--data", PORTAL)
    env = setup(portal=fake, retries=5)
    try:
        fake.faults({"path": "/api", "times": 3, "status": 429,
                     "headers": {"Retry-After": "1"}, "body": '{"error":"slow down"}'})
        env.chansyncd("--once", check_rc=0)
        reqs = fake.requests()
        times = [r["time"] for r in reqs]
        gaps = [b - a for a, b in zip(times[:4], times[1:4])]
        if min(gaps) < 0.95:
            raise AssertionError("retried before Retry-After: gaps %r" % gaps)
        eq(env.query("SELECT count(*) FROM registrations")[0][0], fixture_len(PORTAL), "all")
    finally:
        env.cleanup()
        fake.stop()


@test
def a_malformed_page_is_quarantined_and_the_watermark_stays():
    fake = FakeServer("vendor.py", "portal", "--data", PORTAL)
    env = setup(portal=fake)
    try:
        fake.faults({"path": "/api", "skip": 1, "malformed": True})
        p = env.chansyncd("--once")
        eq(p.returncode, 75, "source failed")
        contains(p.stderr, "page 2: invalid JSON")
        q = env.query("SELECT position, reason FROM quarantine")
        eq(q[0][0], "page 2", "page-level quarantine")
        contains(q[0][1], "sha256 ")
        eq(env.query("SELECT count(*) FROM watermarks"), [(0,)], "no watermark")
        eq(env.query("SELECT count(*) FROM registrations")[0][0], 25, "page 1 kept")
        env.chansyncd("--once", check_rc=0)
        eq(env.query("SELECT count(*) FROM registrations")[0][0], fixture_len(PORTAL),
           "the next cycle reads it all")
    finally:
        env.cleanup()
        fake.stop()


@test
def a_bad_record_in_invalid_json_costs_that_record_only():
    # each of these makes the whole page invalid JSON; each must cost
    # only itself: the page's other records and the next pages land
    bad = [b'{"id": "U1", "end_customer": {"company": "M\xfcller"}}',
           b'{"id": "D1", "status": "approved", "status": "declined"}',
           b'{"id": "N1", "value": {"amount": 123456789012345678901234567890}}',
           b'{"id": "ok-\\u00e9", "partner": "x", "note": "] } ["}']
    fake = FakeServer("vendor.py", "portal", "--data", PORTAL)
    env = setup(portal=fake)
    try:
        fake.faults({"path": "/api", "kind": "raw_records", "skip": 1,
                     "records_hex": [b.hex() for b in bad]})
        p = env.chansyncd("--once")
        eq(p.returncode, 0, "the source succeeds\n" + p.stderr)
        contains(p.stderr, "page 2 is invalid JSON")
        contains(p.stderr, "its records are read one by one")
        q = env.query("SELECT position, record_id, reason FROM quarantine ORDER BY position")
        eq([(r[0], r[1]) for r in q if r[1] in ("U1", "D1", "N1")],
           [("page 2 #1", "U1"), ("page 2 #2", "D1"), ("page 2 #3", "N1")],
           "each bad record quarantined at its place, with its id")
        reasons = {r[1]: r[2] for r in q}
        contains(reasons["U1"], "invalid JSON")
        contains(reasons["D1"], "duplicate")
        contains(reasons["N1"], "invalid JSON")
        # what is kept of the bad bytes is valid UTF-8, for people and for the audit
        raw = env.query("SELECT raw FROM quarantine WHERE record_id = 'U1'")[0][0]
        contains(raw, "M\ufffdller", "the invalid byte replaced")
        out = env.ctl("--json", "quarantine", check_rc=0).stdout
        contains(out, "U1")
        eq(len(env.query("SELECT 1 FROM audit WHERE action = 'record.quarantined' AND "
                         "detail LIKE '%\"record_id\":\"U1\"%'")), 1, "audited with its id")
        # the fourth parses: it is refused by the mapping, not the parser
        eq(len([r for r in q if r[0] == "page 2 #4"]), 1, "the fourth is mapped")
        eq(env.query("SELECT count(*) FROM registrations")[0][0], fixture_len(PORTAL),
           "every good record landed, the second page's too")
        eq(len(env.query("SELECT value FROM watermarks WHERE source = 'portal'")), 1,
           "the read completed: the watermark moved")
    finally:
        env.cleanup()
        fake.stop()


def wait_idle(n):
    while not n.wait_for("STATUS", timeout=30)[2]["STATUS"].startswith("idle"):
        pass


@test
def an_unreadable_page_is_retried_then_skipped_and_the_source_moves_on():
    fake = FakeServer("vendor.py", "hub", "--data", HUB)
    env = setup(hub=fake,
                pagination="{ kind: page, param: page, size_param: per_page, size: 20 }")
    total = fixture_len(HUB)
    try:
        # page 2 is broken at the vendor, whatever is asked
        fake.faults({"path": "/v1", "query": "page=2&", "times": 1000, "malformed": True})
        n = Notify(os.path.join(env.dir, "notify.sock"))
        d = env.start(extra_env={"NOTIFY_SOCKET": n.path})
        wait_idle(n)                                   # cycle 1: fails at page 2
        eq(env.ctl("sync", "--wait").returncode, 75, "cycle 2 fails at page 2 too")
        err = env.query("SELECT error FROM cycle_sources WHERE source = 'hub' "
                        "ORDER BY cycle_id")
        contains(err[0][0], "failed 1 of 3 cycles before the page is skipped")
        contains(err[1][0], "failed 2 of 3 cycles")
        eq(env.query("SELECT count(*) FROM registrations")[0][0], 20, "page 1 only")
        p = env.ctl("sync", "--wait")                  # cycle 3: skipped, read on
        eq(p.returncode, 0, "the third cycle skips the page\n" + p.stdout + p.stderr)
        eq(env.query("SELECT count(*) FROM registrations")[0][0], total - 20,
           "every page but the broken one")
        eq(env.query("SELECT count(*) FROM quarantine WHERE source = 'hub'")[0][0], 1,
           "the page quarantined once, not once a cycle")
        audit = env.query("SELECT detail FROM audit WHERE action = 'source.page_skipped'")
        eq(len(audit), 1, "the skip audited")
        eq(json.loads(audit[0][0])["attempts"], 3, "after three cycles")
        alerts = env.query("SELECT status, severity, message FROM alerts "
                           "WHERE type = 'source_page_skipped'")
        eq([a[:2] for a in alerts], [("open", "warning")], "one alert")
        contains(alerts[0][2], "chansyncctl source hub reset-watermark")
        contains(env.stderr_text(), "page 2 could not be read in 3 cycles in a row")
        # the next cycles read on; the alert stays open, no second one
        eq(env.ctl("sync", "--wait").returncode, 0, "cycle 4")
        eq(env.query("SELECT count(*) FROM alerts WHERE type = 'source_page_skipped' "
                     "AND status = 'open'")[0][0], 1, "still one open alert")
        # the vendor fixes the page; the operator reads everything again
        fake.reset()
        env.ctl("source", "hub", "reset-watermark", check_rc=0)
        eq(env.ctl("sync", "--wait").returncode, 0, "the full read")
        eq(env.query("SELECT count(*) FROM registrations")[0][0], total, "all of it now")
        eq(env.query("SELECT status FROM alerts WHERE type = 'source_page_skipped'"),
           [("resolved",)], "the alert resolved")
        eq(env.query("SELECT count(*) FROM bad_pages WHERE cleared_at IS NULL")[0][0], 0,
           "nothing left skipped")
        d.terminate()
        eq(d.wait(10), 0, "daemon exit")
    finally:
        env.cleanup()
        fake.stop()


@test
def bad_records_are_quarantined_and_the_rest_lands():
    fake = FakeServer("vendor.py", "portal", "--data", PORTAL)
    env = setup(portal=fake)
    try:
        fake.control("data", {"add": [
            {"id": "BAD-1", "partner": {"crm_account_id": "001X"},
             "end_customer": {"company": "No Date GmbH"}, "status": "approved",
             "submitted_at": "yesterday", "updated_at": "2026-11-20T00:00:00Z"},
            {"id": "BAD-2", "partner": {"crm_account_id": "001X"},
             "end_customer": {"company": "Odd Status"}, "status": "pondering",
             "submitted_at": "2026-11-20T00:00:00Z", "updated_at": "2026-11-20T00:00:00Z"},
            {"id": "BAD-3", "partner": {"crm_account_id": "001X"},
             "end_customer": {"company": "Money Co"}, "status": "approved",
             "value": {"amount": "lots", "currency": "USD"},
             "submitted_at": "2026-11-20T00:00:00Z", "updated_at": "2026-11-20T00:00:00Z"},
            "not an object"]})
        env.chansyncd("--once", check_rc=0)
        q = {rid or pos: (f, why) for pos, rid, f, why in
             env.query("SELECT position, record_id, field, reason FROM quarantine")}
        eq(sorted(k for k in q if k.startswith("BAD")), ["BAD-1", "BAD-2", "BAD-3"], "bad ones")
        eq(q["BAD-1"][0], "registered_at", "field named")
        eq(q["BAD-2"][0], "status", "field named")
        eq(q["BAD-3"][0], "amount", "field named")
        eq(env.query("SELECT count(*) FROM registrations")[0][0], fixture_len(PORTAL),
           "the rest landed")
    finally:
        env.cleanup()
        fake.stop()


@test
def a_time_past_the_year_9999_or_in_the_future_is_refused():
    # "9999-12-31T23:59-06" is 10000-01-01 in UTC: it once overflowed the
    # formatter (a stack overflow under ASan, a stray byte in the watermark)
    fake = FakeServer("vendor.py", "portal", "--data", PORTAL)
    env = setup(portal=fake)
    try:
        fake.control("data", {"add": [
            {"id": "Y10K", "partner": {"crm_account_id": "001X"},
             "end_customer": {"company": "Far Future GmbH"}, "status": "approved",
             "submitted_at": "2026-11-20T00:00:00Z", "updated_at": "9999-12-31T23:59-06"},
            # a clock far ahead: as the watermark, 2099 would hide every
            # real change from then on
            {"id": "Y2099", "partner": {"crm_account_id": "001X"},
             "end_customer": {"company": "Ahead Ltd"}, "status": "approved",
             "submitted_at": "2026-11-20T00:00:00Z", "updated_at": "2099-01-01T00:00:00Z"}]})
        env.chansyncd("--once", check_rc=0)
        q = env.query("SELECT field, reason FROM quarantine WHERE record_id = 'Y10K'")
        eq([r[0] for r in q], ["updated_at"], "the record is quarantined at its field")
        q = env.query("SELECT field, reason FROM quarantine WHERE record_id = 'Y2099'")
        eq([r[0] for r in q], ["updated_at"], "the future record is quarantined")
        contains(q[0][1], "is in the future", "the reason says why")
        wm = env.query("SELECT value FROM watermarks WHERE source = 'portal'")[0][0]
        eq(len(wm), 20, "the watermark is a whole UTC time: " + repr(wm))
        eq(wm < "2099", True, "the watermark is not a refused time: " + wm)
        eq(env.query("SELECT count(*) FROM registrations")[0][0], fixture_len(PORTAL),
           "the rest landed")
    finally:
        env.cleanup()
        fake.stop()


DIST_SOURCE = """
  - name: dist
    kind: file_drop
    path: @SPOOL@
    format: csv
    fields: { external_id: reg_no, partner_id: reseller, customer_name: end_user,
              status: status, registered_at: registered }
    status_map: { NEW: pending }
"""


@test
def a_watermark_is_reset_from_chansyncctl_and_audited():
    fake = FakeServer("vendor.py", "portal", "--data", PORTAL)
    env = setup(portal=fake)
    try:
        with open(env.config, "a") as f:
            f.write(DIST_SOURCE.replace("@SPOOL@", env.spool))
        # no daemon: the reset is refused, since only the daemon can audit it
        p = env.ctl("source", "portal", "reset-watermark")
        eq(p.returncode, 69, "exit without a daemon\n" + p.stderr)
        contains(p.stderr, "start it first")
        n = Notify(os.path.join(env.dir, "notify.sock"))
        d = env.start(extra_env={"NOTIFY_SOCKET": n.path})
        wait_idle(n)
        wm = env.query("SELECT value FROM watermarks WHERE source = 'portal'")[0][0]
        p = env.ctl("source", "portal", "reset-watermark", "--to", "2026-01-02", check_rc=0)
        contains(p.stdout, "portal: 1 watermark set to 2026-01-02T00:00:00Z")
        eq(env.query("SELECT value FROM watermarks WHERE source = 'portal'"),
           [("2026-01-02T00:00:00Z",)], "the watermark moved")
        row = env.query("SELECT actor, entity_id, detail FROM audit "
                        "WHERE action = 'source.watermark_reset'")
        eq(len(row), 1, "one audit row")
        eq(row[0][:2], ("chansyncd", "portal"), "actor and source")
        detail = json.loads(row[0][2])
        eq(detail["before"], [{"object": "updated_at", "value": wm}], "the value before")
        eq(detail["to"], "2026-01-02T00:00:00Z", "the value after")
        # without --to: forgotten, and the next read is a full one
        p = env.ctl("source", "portal", "reset-watermark", check_rc=0)
        contains(p.stdout, "1 watermark forgotten")
        eq(env.query("SELECT count(*) FROM watermarks WHERE source = 'portal'")[0][0], 0,
           "no watermark left")
        fake.reset()
        env.ctl("sync", "--wait", check_rc=0)
        reqs = fake.requests()
        eq(len(reqs), (fixture_len(PORTAL) + 24) // 25, "a full read")
        eq(any("updated_since" in r["query"] for r in reqs), False, "no since")
        # refusals: each says why, nothing changes, nothing audited
        for args, why in [
                (["nosuch"], "no source named 'nosuch'"),
                (["dist"], "keeps a ledger of the files"),
                (["crm"], "no crm: section"),
                (["portal", "--to", "2099-01-01"], "is in the future")]:
            p = env.ctl("source", args[0], "reset-watermark", *args[1:])
            eq(p.returncode, 65, "exit for %r\n%s" % (args, p.stderr))
            contains(p.stderr, why)
        p = env.ctl("source", "portal", "reset-watermark", "--to", "someday")
        eq(p.returncode, 64, "an unreadable --to is a usage error")
        eq(len(env.query("SELECT 1 FROM audit WHERE action = 'source.watermark_reset'")), 2,
           "only the two resets audited")
        d.terminate()
        eq(d.wait(10), 0, "daemon exit")
    finally:
        env.cleanup()
        fake.stop()


@test
def a_hostile_page_costs_one_quarantine_row():
    # a page of a million empty arrays, or of a million numbers, is
    # refused before it is parsed; a page of 1,001 records that are not
    # objects is refused whole after the budget of bad records, not
    # quarantined row by row
    for what, body, reason in (
            ("containers", '{"data": [' + ",".join(["[]"] * 1000001) + "]}",
             "more than 1000000 JSON values in one page"),
            ("scalars", '{"data": [' + ",".join(["7"] * 1000001) + "]}",
             "more than 1000000 JSON values in one page"),
            ("bad records", '{"data": [' + ",".join(["1"] * 1001) + "]}",
             "more than 1000 records of one page could not be read")):
        fake = FakeServer("vendor.py", "portal", "--data", PORTAL)
        env = setup(portal=fake)
        try:
            fake.faults({"path": "/api/v2/registrations", "status": 200, "body": body})
            p = env.chansyncd("--once")
            eq(p.returncode, 75, what + ": the source fails\n" + p.stderr[-1000:])
            rows = env.query("SELECT reason FROM quarantine")
            eq(len(rows), 1, what + ": one quarantine row")
            contains(rows[0][0], reason, what)
            eq(p.stderr.count("record quarantined") <= 11, True,
               what + ": the log names the first bad records, then counts")
            eq(env.query("SELECT count(*) FROM registrations")[0][0], 0,
               what + ": nothing of the page landed")
        finally:
            env.cleanup()
            fake.stop()


@test
def a_repeated_cursor_and_an_offsite_link_stop_the_source():
    portal = FakeServer("vendor.py", "portal", "--data", PORTAL)
    hub = FakeServer("vendor.py", "hub", "--data", HUB)
    env = setup(portal=portal, hub=hub)
    try:
        portal.faults({"path": "/api", "kind": "repeat_cursor", "skip": 1, "times": 5})
        hub.faults({"path": "/v1", "kind": "link_offsite", "times": 5})
        p = env.chansyncd("--once")
        eq(p.returncode, 75, "both failed")
        contains(p.stderr, "came back again; stopping instead of looping")
        contains(p.stderr, "leaves the source's origin; refused")
        eq(len([r for r in hub.requests()]), 1, "no request to the other host")
        eq(len(portal.requests()), 2, "the loop is caught on the first repeat")
    finally:
        env.cleanup()
        portal.stop()
        hub.stop()


@test
def the_page_limit_bounds_a_cycle_and_the_next_one_continues():
    fake = FakeServer("vendor.py", "portal", "--data", PORTAL)
    env = setup(portal=fake, page_limit=2)
    try:
        p = env.chansyncd("--once", check_rc=0)
        contains(p.stderr, "page limit of 2 reached")
        eq(len(fake.requests()), 2, "two pages")
        eq(env.query("SELECT count(*) FROM registrations")[0][0], 50, "two pages landed")
        for _ in range(5):
            env.chansyncd("--once", check_rc=0)
        eq(env.query("SELECT count(*) FROM registrations")[0][0], fixture_len(PORTAL),
           "later cycles read the rest")
    finally:
        env.cleanup()
        fake.stop()


@test
def a_slow_vendor_stops_at_max_run_and_the_next_source_runs():
    # every page of the portal takes a second: with max_run 2s it stops
    # at a page boundary, the hub still runs in the same cycle, and the
    # next cycles read the rest
    portal = FakeServer("vendor.py", "portal", "--data", PORTAL)
    hub = FakeServer("vendor.py", "hub", "--data", HUB)
    env = setup(portal=portal, hub=hub, max_run="2s")
    try:
        portal.faults({"path": "/api/v2/registrations", "late_reply": 1.0, "times": 1000})
        p = env.chansyncd("--once", check_rc=0)
        contains(p.stderr, "source portal: max_run of 2s reached; the rest is read "
                 "next cycle")
        pages = len(portal.requests())
        eq(2 <= pages <= 3, True, "the portal stopped after a few pages: %d" % pages)
        eq(env.query("SELECT count(*) FROM registrations WHERE source = 'hub'")[0][0],
           fixture_len(HUB), "the hub ran in the same cycle")
        for _ in range(8):
            env.chansyncd("--once", check_rc=0)
        eq(env.query("SELECT count(*) FROM registrations WHERE source = 'portal'")[0][0],
           fixture_len(PORTAL), "later cycles read the rest")
    finally:
        env.cleanup()
        portal.stop()
        hub.stop()


@test
def a_hung_server_times_out_and_the_cycle_goes_on():
    portal = FakeServer("vendor.py", "portal", "--data", PORTAL)
    hub = FakeServer("vendor.py", "hub", "--data", HUB)
    env = setup(portal=portal, hub=hub, timeout="2s", retries=2)
    try:
        hub.faults({"path": "/v1", "hang": 30, "times": 5})
        t0 = time.monotonic()
        p = env.chansyncd("--once", timeout=60)
        took = time.monotonic() - t0
        eq(p.returncode, 75, "cycle partial")
        contains(p.stderr, "source hub failed: page 1: Timeout was reached")
        eq(env.query("SELECT count(*) FROM registrations WHERE source='portal'")[0][0],
           fixture_len(PORTAL), "portal landed")
        if took > 20:
            raise AssertionError("a 2 s timeout with 2 attempts took %.1fs" % took)
    finally:
        env.cleanup()
        portal.stop()
        hub.stop()


def make_ca(d):
    """A test CA and a certificate for 127.0.0.1 signed by it (openssl CLI)."""
    import subprocess

    def run(*a):
        subprocess.run(a, cwd=d, check=True, capture_output=True)
    run("openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        "-subj", "/CN=chansync test CA", "-keyout", "ca.key", "-out", "ca.pem")
    run("openssl", "req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=127.0.0.1",
        "-keyout", "srv.key", "-out", "srv.csr")
    with open(os.path.join(d, "ext.cnf"), "w") as f:
        f.write("subjectAltName=IP:127.0.0.1\n")
    run("openssl", "x509", "-req", "-in", "srv.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-days", "2", "-extfile", "ext.cnf", "-out", "srv.pem")
    return os.path.join(d, "ca.pem"), os.path.join(d, "srv.pem"), os.path.join(d, "srv.key")


@test
def https_with_a_verified_certificate_and_header_auth():
    import shutil
    import tempfile
    if shutil.which("openssl") is None:
        raise AssertionError("the openssl command is needed (make check installs it)")
    d = tempfile.mkdtemp(prefix="chansync-ca-")
    ca, cert, key = make_ca(d)
    fake = FakeServer("vendor.py", "portal", "--data", PORTAL, "--cert", cert, "--key", key)
    fake.url = "https://127.0.0.1:%d" % fake.port
    env = setup(portal=fake)
    try:
        text = open(env.config).read().replace(
            "auth: { kind: bearer, token: credential:portal_token }",
            "auth: { kind: header, name: X-Api-Key, value: credential:portal_token }")
        # without the test CA the certificate is refused
        with open(env.config, "w") as f:
            f.write(text)
        p = env.chansyncd("--once")
        eq(p.returncode, 75, "unverified certificate")
        contains(p.stderr, "certificate")
        eq(env.query("SELECT count(*) FROM registrations")[0][0], 0, "nothing read")
        # with ca_file it is verified and read
        with open(env.config, "w") as f:
            f.write(text.replace("    timeout:", "    ca_file: %s\n    timeout:" % ca))
        env.chansyncd("--once", check_rc=0)
        eq(env.query("SELECT count(*) FROM registrations")[0][0], fixture_len(PORTAL),
           "read over verified https with header auth")
    finally:
        env.cleanup()
        fake.stop()
        shutil.rmtree(d)

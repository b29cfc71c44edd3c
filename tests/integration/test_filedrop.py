"""file_drop end to end: the real chansyncd --once on real spool files."""
import json
import os

from harness import (Env, FILE_DROP_CONFIG, SANITIZED, bin_path, contains, eq, test)

CSV = ("\ufeffreg_no,reseller,end_user,website,status,registered,value,cur\r\n"
       'R1,001A,"Acme, Inc.",https://www.acme.example,NEW,2026-11-01,"12,500.00",EUR\r\n'
       'R2,001B,"Globex ""Intl""",globex.example,APPROVED,2026-11-02T10:00:00+02:00,900,USD\r\n'
       'R3,001C,"Two\r\nLines GmbH",,REJECTED,2026-11-03,1,USD\r\n'
       "R4,001D,Bad Status Ltd,,MAYBE,2026-11-04,1,USD\r\n"
       "R5,001E,Bad Date SA,,NEW,2026-13-40,1,USD\r\n"
       "R6,001F,Bad Currency Oy,,NEW,2026-11-05,1,SEK\r\n"
       "R7,001G,Short row\r\n"
       ',001H,"No Id AB",,NEW,2026-11-06,1,USD\r\n'
       "R9,001I,Last Corp,last.example,NEW,2026-11-07,7,USD")


def once(env, rc=0):
    return env.chansyncd("--once", check_rc=rc)


@test
def csv_lands_good_records_and_quarantines_bad_ones():
    env = Env("csv")
    try:
        env.write_config(FILE_DROP_CONFIG)
        env.drop("batch-001.csv", CSV)
        once(env)
        rows = env.query("SELECT key, customer_name, customer_domain, status, "
                         "registered_at, amount, currency, amount_base, origin "
                         "FROM registrations ORDER BY key")
        eq([r[0] for r in rows], ["dist:R1", "dist:R2", "dist:R3", "dist:R9"], "stored keys")
        r1 = rows[0]
        eq(r1[1], "Acme, Inc.", "embedded comma")
        eq(r1[2], "acme.example", "domain from URL")
        eq(r1[3], "pending", "status map")
        eq(r1[5], 12500.0, "amount with thousands separator")
        eq(round(r1[7], 2), 13500.0, "EUR converted to USD")
        eq(rows[1][1], 'Globex "Intl"', "doubled quotes")
        eq(rows[1][4], "2026-11-02T08:00:00Z", "offset to UTC")
        eq(rows[2][1], "Two Lines GmbH", "embedded line break")
        eq(rows[3][8], "batch-001.csv:11", "origin names file and line")
        q = env.query("SELECT position, record_id, field, reason FROM quarantine "
                      "ORDER BY id")
        eq(len(q), 5, "quarantined records")
        by_pos = {p: (rid, f, why) for p, rid, f, why in q}
        eq(by_pos["batch-001.csv:6"][1], "status", "bad status field")
        contains(by_pos["batch-001.csv:6"][2], "unknown status 'MAYBE'")
        eq(by_pos["batch-001.csv:7"][1], "registered_at", "bad date field")
        contains(by_pos["batch-001.csv:8"][2], "no exchange rate for SEK")
        contains(by_pos["batch-001.csv:9"][2], "the record has 3 fields, the header has 8")
        eq(by_pos["batch-001.csv:10"][1], "external_id", "missing id")
        eq(sorted(os.listdir(env.spool)), ["done", "failed"], "spool emptied")
        eq(os.listdir(os.path.join(env.spool, "done")), ["batch-001.csv"], "moved to done/")
        out = env.ctl("quarantine", check_rc=0).stdout
        contains(out, "batch-001.csv:7")
        contains(out, "registered_at")
        js = json.loads(env.ctl("--json", "quarantine", check_rc=0).stdout)
        eq(len(js), 5, "quarantine --json rows")
        eq(sorted(js[0].keys()), ["created_at", "cycle_id", "field", "id", "position",
                                  "raw", "reason", "record_id", "source"], "json fields")
        audit = [a for (a,) in env.query("SELECT action FROM audit ORDER BY seq")]
        eq(audit.count("record.quarantined"), 5, "each quarantine audited")
        contains(" ".join(audit), "file.done")
        eq(env.ctl("audit", "verify").returncode, 0, "audit verify")
    finally:
        env.cleanup()


NDJSON_CONFIG = """
daemon: { state_dir: @STATE@, interval: 1h, jitter: 0s }
sources:
  - name: hub
    kind: file_drop
    path: @SPOOL@
    format: ndjson
    fields: { external_id: id, partner_id: /partner/sfid, customer_name: /customer/name,
              customer_country: /customer/country, status: state,
              registered_at: { pointer: /dates/submitted, format: epoch_ms },
              amount: /deal/amount, currency: /deal/ccy, product: /a~1b }
"""


@test
def ndjson_pointers_and_line_errors():
    env = Env("ndjson")
    try:
        env.write_config(NDJSON_CONFIG)
        lines = [
            {"id": "N1", "partner": {"sfid": "001A"}, "customer": {"name": "Ümlaut AG",
             "country": "DEU"}, "state": "approved", "dates": {"submitted": 1763633472000},
             "deal": {"amount": "1,200.50", "ccy": "USD"}, "a/b": "Widgets"},
            {"id": 42, "partner": {"sfid": "001B"}, "customer": {"name": "Numbers Inc"},
             "state": "pending", "dates": {"submitted": 1763633472000}, "deal": {"amount": 7}},
        ]
        text = "\n".join(json.dumps(l) for l in lines) + "\n"
        text += '{"id": "N3", "broken": \n'          # line 3: invalid JSON
        text += "\n"                                  # blank line skipped
        text += '["not", "an", "object"]\n'           # line 5
        text += '{"id": "N6", "id": "dup"}\n'         # line 6: duplicate key
        text += ('{"id": "N7", "partner": {"sfid": "001C"}, "customer": {"name": {"x": 1}}, '
                 '"state": "pending", "dates": {"submitted": 1}}\n')  # object, not scalar
        env.drop("hub.ndjson", text)
        once(env)
        rows = env.query("SELECT key, customer_name, customer_country, product, amount, "
                         "registered_at FROM registrations ORDER BY key")
        eq(rows[0], ("hub:42", "Numbers Inc", None, None, 7.0, "2025-11-20T10:11:12Z"),
           "numbers read as text")
        eq(rows[1], ("hub:N1", "Ümlaut AG", "DE", "Widgets", 1200.5, "2025-11-20T10:11:12Z"),
           "nested pointers, ~1 escape, epoch_ms")
        q = dict(env.query("SELECT position, reason FROM quarantine"))
        eq(sorted(q), ["hub.ndjson:3", "hub.ndjson:5", "hub.ndjson:6", "hub.ndjson:7"],
           "quarantined lines")
        contains(q["hub.ndjson:3"], "invalid JSON: line 1 column")
        contains(q["hub.ndjson:6"], "duplicate object key")
        contains(q["hub.ndjson:7"], "expected a scalar")
    finally:
        env.cleanup()


@test
def unreadable_files_go_to_failed_with_a_reason():
    env = Env("failed")
    try:
        env.write_config(FILE_DROP_CONFIG.replace("format: csv", "format: csv\n    max_file_bytes: 4096"))
        env.drop("binary.csv", "reg_no,reseller\nR1,\x00\x01\x02\n")
        env.drop("noheader.csv", "")
        env.drop("missingcol.csv", "reg_no,reseller,end_user\nR1,001A,Acme\n")
        env.drop("huge.csv", "x" * 5000)
        env.drop("good.csv", CSV.split("\r\n")[0] + "\r\n" + CSV.split("\r\n")[1])
        once(env)
        failed = sorted(os.listdir(os.path.join(env.spool, "failed")))
        eq(failed, ["binary.csv", "binary.csv.reason", "huge.csv", "huge.csv.reason",
                    "missingcol.csv", "missingcol.csv.reason", "noheader.csv",
                    "noheader.csv.reason"], "failed/ contents")

        def reason(n):
            with open(os.path.join(env.spool, "failed", n + ".reason")) as f:
                return f.read()
        contains(reason("binary.csv"), "NUL bytes")
        contains(reason("noheader.csv"), "no header row")
        contains(reason("missingcol.csv"), "column 'status' (fields.status) is not in the header row")
        contains(reason("huge.csv"), "more than max_file_bytes (4096)")
        eq(os.listdir(os.path.join(env.spool, "done")), ["good.csv"], "good file done")
        eq(env.query("SELECT count(*) FROM registrations")[0][0], 1, "good record landed")
        acts = [a for (a,) in env.query("SELECT action FROM audit WHERE action LIKE 'file.%'")]
        eq(acts.count("file.failed"), 4, "file.failed audited")
        st = env.query("SELECT files, failed_files FROM cycle_sources")[0]
        eq(st, (1, 4), "cycle counts")
    finally:
        env.cleanup()


@test
def a_file_still_being_written_is_taken_only_when_it_rests():
    # a writer that does not rename appends a row every 0.2 s for 2 s;
    # chansyncd starts meanwhile, with settle 1s: it waits for the file
    # to rest and takes it whole, never half
    import threading
    import time
    env = Env("settle")
    try:
        env.write_config(FILE_DROP_CONFIG.replace("settle: 0s", "settle: 1s"))
        path = os.path.join(env.spool, "slow.csv")
        with open(path, "w") as f:
            f.write("reg_no,reseller,end_user,website,status,registered,value,cur\n")
        started = threading.Event()

        def writer():
            for i in range(10):
                with open(path, "a") as f:
                    f.write("S%02d,001A,Slow %d,,NEW,2026-11-01,1,USD\n" % (i, i))
                started.set()
                time.sleep(0.2)
        w = threading.Thread(target=writer)
        w.start()
        started.wait(5)
        p = env.chansyncd("--once")
        w.join()
        eq(p.returncode, 0, "cycle\n" + p.stderr[-1500:])
        eq(env.query("SELECT count(*) FROM registrations")[0][0], 10, "every row, once")
        eq(os.listdir(os.path.join(env.spool, "done")), ["slow.csv"], "moved when whole")
    finally:
        env.cleanup()


@test
def a_huge_line_or_too_many_bad_rows_cost_one_reason():
    env = Env("budgets")
    try:
        env.write_config(FILE_DROP_CONFIG)
        bad = "\n".join("B%04d,001A,Bad %d,,NEW,never,1,USD" % (i, i) for i in range(1001))
        env.drop("many.csv", "reg_no,reseller,end_user,website,status,registered,value,cur\n"
                 + bad + "\n")
        once(env)
        eq(os.listdir(os.path.join(env.spool, "failed")) and
           sorted(os.listdir(os.path.join(env.spool, "failed"))),
           ["many.csv", "many.csv.reason"], "refused whole")
        with open(os.path.join(env.spool, "failed", "many.csv.reason")) as f:
            contains(f.read(), "more than 1000 of its records could not be read")
        eq(env.query("SELECT count(*) FROM quarantine")[0][0], 0,
           "its rows are not kept one by one (rolled back with the file)")
    finally:
        env.cleanup()
    env = Env("budgets-ndjson")
    try:
        env.write_config(FILE_DROP_CONFIG.replace("format: csv", "format: ndjson").replace(
            "fields: { external_id: reg_no, partner_id: reseller, customer_name: end_user,\n"
            "              customer_domain: website, status: status, registered_at: registered,\n"
            "              amount: value, currency: cur }",
            "fields: { external_id: /id, partner_id: /p, customer_name: /c, status: /s,\n"
            "              registered_at: /r }"))
        huge = '{"id": "H", "p": "001A", "c": "' + "x" * (2 << 20) + '", "s": "NEW", ' \
               '"r": "2026-11-01"}'
        good = '{"id": "G", "p": "001A", "c": "Good Co", "s": "NEW", "r": "2026-11-01"}'
        env.drop("lines.ndjson", huge + "\n" + good + "\n")
        once(env)
        rows = env.query("SELECT position, reason FROM quarantine")
        eq(rows, [("lines.ndjson:1", "the line is longer than 1 MiB")], "the huge line")
        eq(env.query("SELECT external_id FROM registrations"), [("G",)], "the rest landed")
    finally:
        env.cleanup()


@test
def a_huge_csv_line_costs_the_file_once_in_memory():
    # a 128 MB file of one line: read once into a buffer of its size (not
    # the next power of two), and the bad record's text is not copied whole
    env = Env("huge-line")
    try:
        env.write_config(FILE_DROP_CONFIG)
        size = 128 << 20
        with open(os.path.join(env.spool, ".huge.csv.tmp"), "w") as f:
            f.write("reg_no,reseller,end_user,website,status,registered,value,cur\n")
            f.write("H1,001A,")
            for _ in range(size >> 20):
                f.write("A" * (1 << 20))
            f.write(",,NEW,2026-11-01,1,USD\nG1,001A,Good Co,,NEW,2026-11-01,1,USD\n")
        os.rename(os.path.join(env.spool, ".huge.csv.tmp"), os.path.join(env.spool, "huge.csv"))
        p = env.start("--once")
        _, status, usage = os.wait4(p.pid, 0)
        p.returncode = os.waitstatus_to_exitcode(status)
        eq(p.returncode, 0, "exit status\n" + env.stderr_text()[-2000:])
        rows = env.query("SELECT position, reason, length(raw) FROM quarantine")
        eq([r[:2] for r in rows], [("huge.csv:2", "a field is larger than 1048576 bytes")],
           "the huge record quarantined")
        if rows[0][2] > 2048:
            raise AssertionError("the quarantine kept %d bytes of it" % rows[0][2])
        eq(env.query("SELECT external_id FROM registrations"), [("G1",)], "the rest landed")
        peak = usage.ru_maxrss * 1024
        print("    peak RSS %.0f MB for a %d MB file" % (peak / 1e6, size >> 20))
        if not SANITIZED and peak > size * 1.4:
            raise AssertionError("peak RSS %.0f MB for a %d MB file: more than 1.4x"
                                 % (peak / 1e6, size >> 20))
    finally:
        env.cleanup()


@test
def a_symlinked_done_or_failed_folder_is_refused():
    for sub in ("done", "failed"):
        env = Env("symlink-" + sub)
        try:
            elsewhere = os.path.join(env.dir, "elsewhere")
            os.makedirs(elsewhere)
            os.symlink(elsewhere, os.path.join(env.spool, sub))
            env.write_config(FILE_DROP_CONFIG)
            env.drop("good.csv", CSV.split("\r\n")[0] + "\r\n" + CSV.split("\r\n")[1])
            env.drop("noheader.csv", "")
            p = env.chansyncd("--once")
            eq(p.returncode, 75, sub + ": the source fails")
            contains(p.stderr, "%s/%s cannot receive the spool's files: it is a symbolic "
                     "link" % (env.spool, sub), sub + ": the reason")
            eq(os.listdir(elsewhere), [], sub + ": nothing moved or written through the link")
            eq(sorted(n for n in os.listdir(env.spool) if n.endswith(".csv")),
               ["good.csv", "noheader.csv"], sub + ": the files stay in the spool")
            eq(env.query("SELECT count(*) FROM registrations")[0][0], 0, sub + ": nothing landed")
        finally:
            env.cleanup()


@test
def incomplete_files_are_left_alone_and_resent_files_update_in_place():
    env = Env("resend")
    try:
        env.write_config(FILE_DROP_CONFIG)
        head = "reg_no,reseller,end_user,website,status,registered,value,cur\n"
        with open(os.path.join(env.spool, "partial.csv.tmp"), "w") as f:
            f.write(head + "R1,001A,Acme,,NEW,2026-11-01,1,USD\n")
        with open(os.path.join(env.spool, ".writing.csv"), "w") as f:
            f.write(head)
        env.drop("a.csv", head + "R1,001A,Acme,,NEW,2026-11-01,1,USD\n")
        once(env)
        eq(sorted(os.listdir(env.spool)), [".writing.csv", "done", "failed",
                                           "partial.csv.tmp"], "tmp and dot files untouched")
        env.drop("a.csv", head + "R1,001A,Acme Corp,,APPROVED,2026-11-01,2,USD\n")
        once(env)
        eq(env.query("SELECT count(*), status, customer_name, amount FROM registrations"),
           [(1, "approved", "Acme Corp", 2.0)], "updated in place")
        eq(sorted(os.listdir(os.path.join(env.spool, "done"))), ["a.csv", "a.csv.1"],
           "both versions kept")
        # nothing new: the next cycle changes nothing
        before = env.query("SELECT count(*) FROM audit WHERE action = 'file.done'")[0][0]
        once(env)
        eq(env.query("SELECT count(*) FROM audit WHERE action = 'file.done'")[0][0], before,
           "no file ingested twice")
    finally:
        env.cleanup()


@test
def a_file_committed_but_not_moved_is_not_ingested_again():
    env = Env("recover")
    try:
        env.write_config(FILE_DROP_CONFIG)
        env.drop("x.csv", CSV)
        once(env)
        q = env.query("SELECT count(*) FROM quarantine")[0][0]
        # as if the daemon died between COMMIT and rename(): the very same
        # file (same inode, mtime, content) is back in the spool
        os.rename(os.path.join(env.spool, "done", "x.csv"), os.path.join(env.spool, "x.csv"))
        p = once(env)
        contains(p.stderr, "was already ingested before a restart")
        eq(env.query("SELECT count(*) FROM quarantine")[0][0], q, "no second quarantine")
        eq(env.query("SELECT count(*) FROM audit WHERE action = 'file.done'")[0][0], 1,
           "ingested once")
        eq(env.query("SELECT count(*) FROM audit WHERE action = 'file.recovered'")[0][0], 1,
           "recovery audited")
        eq(os.listdir(os.path.join(env.spool, "done")), ["x.csv"], "moved")
    finally:
        env.cleanup()


@test
def a_failing_source_does_not_stop_the_others():
    env = Env("partial")
    try:
        cfg = FILE_DROP_CONFIG + """
  - name: gone
    kind: file_drop
    path: @DIR@/does-not-exist
    fields: { external_id: a, partner_id: b, customer_name: c, status: d, registered_at: e }
"""
        # the second source must be under sources:, not normalize:
        cfg = cfg.replace("normalize:\n  fx: { EUR: 1.08 }\n", "") + \
            "normalize:\n  fx: { EUR: 1.08 }\n"
        env.write_config(cfg)
        env.drop("ok.csv", CSV)
        p = once(env, rc=75)
        contains(p.stderr, "source gone failed: cannot open the spool directory")
        eq(env.query("SELECT count(*) FROM registrations")[0][0], 4, "other source landed")
        st = dict(env.query("SELECT source, status FROM cycle_sources"))
        eq(st, {"dist": "ok", "gone": "failed"}, "per-source status")
        out = env.ctl("status", check_rc=0).stdout
        contains(out, "cannot open the spool directory")
        js = json.loads(env.ctl("--json", "status", check_rc=0).stdout)
        eq(js["cycles"][0]["status"], "partial", "cycle status")
        eq(js["quarantined"], 5, "quarantine count in status")
        errs = env.query("SELECT entity_id FROM audit WHERE action = 'source.error'")
        eq(errs, [("gone",)], "source error audited")
    finally:
        env.cleanup()

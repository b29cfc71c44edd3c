"""Builds the fuzz targets' seed corpora from the tests' own inputs:
python3 tests/fuzz/seeds.py OUTDIR (one folder per target). Seeds are made
at run time so that they follow the tests; inputs that once broke a
target are kept in tests/fuzz/regress/TARGET/ and replayed too."""
import glob
import hashlib
import json
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
LIT = re.compile(r'"((?:[^"\\\n]|\\.)*)"')


def c_strings(path):
    """The C string literals of a test file, as the bytes they stand for."""
    out = []
    with open(path, encoding="utf-8") as f:
        text = f.read()
    for m in LIT.finditer(text):
        try:
            b = m.group(1).encode("utf-8").decode("unicode_escape").encode("latin-1")
        except (UnicodeDecodeError, UnicodeEncodeError):
            continue
        if b:
            out.append(b)
    return out


def py_blocks(pattern, must):
    """Triple-quoted strings of the integration tests that contain must."""
    out = []
    for path in glob.glob(os.path.join(ROOT, "tests", "integration", pattern)):
        with open(path, encoding="utf-8") as f:
            for m in re.finditer(r'"""(.*?)"""', f.read(), re.S):
                if must in m.group(1):
                    out.append(m.group(1).encode())
    return out


def read(path):
    with open(os.path.join(ROOT, path), "rb") as f:
        return f.read()


def load(path):
    with open(os.path.join(ROOT, path), encoding="utf-8") as f:
        return json.load(f)


def pages(records, size):
    return [json.dumps({"data": records[i:i + size]}).encode()
            for i in range(0, len(records), size)]


def seeds():
    portal, hub = load("fixtures/vendors/portal.json"), load("fixtures/vendors/hub.json")
    org = load("fixtures/sf/org.json")
    cases = [read(p[len(ROOT) + 1:]) for p in
             sorted(glob.glob(os.path.join(ROOT, "tests", "cases", "*", "*.json")))]
    ndjson = read("fixtures/demo/reghub-export-20261120.ndjson").splitlines()
    sf_pages = [json.dumps({"totalSize": 3, "done": False, "nextRecordsUrl":
                            "/services/data/v60.0/query/01gX-2000",
                            "records": org[k][:3]}).encode() for k in org]
    edges = [b"[]", b"{}", b'"\\ud83d\\ude00"', b"1e400", b"-0.0e-0", b"[" * 600,
             b'{"a":1,"a":2}', b'"\\u0000"', b'"\xed\xa0\x80"', b"123456789012345678901234"]
    s = {}
    s["fuzz_jscan"] = s["fuzz_json"] = (cases + sf_pages + pages(portal, 5)[:6] +
                                        [json.dumps(hub[:4]).encode()] + ndjson + edges)
    hostile = [{"id": "Y10K", "partner": {"crm_account_id": "001X"},
                "end_customer": {"company": "Far Future GmbH"}, "status": "approved",
                "submitted_at": "2026-11-20T00:00:00Z", "updated_at": "9999-12-31T23:59-06"},
               {"id": "=HYPERLINK(\"x\")", "partner": {"crm_account_id": "001X"},
                "end_customer": {"company": "\u202eevil\u009b", "website": "mailto:a@b"},
                "value": {"amount": "1,234.5e3", "currency": "eur"}, "status": "submitted",
                "submitted_at": "2026-02-30", "decision": {"at": 1e300}}]
    s["fuzz_record"] = pages(portal, 3) + [json.dumps({"data": hostile}).encode()]
    csvs = [read("fixtures/demo/distributor-2026-11-20.csv"),
            read("fixtures/demo/distributor-wrong-layout.csv")]
    csvs += [b for b in c_strings(os.path.join(ROOT, "tests", "unit", "test_csv.c"))
             if b"," in b or b"\n" in b]
    s["fuzz_csv"] = [b"\x00" + c for c in csvs] + [b"\x01" + c.replace(b",", b";")
                                                    for c in csvs[:2]]
    s["fuzz_config"] = ([read("config/chansync.yaml")] +
                        [read(p[len(ROOT) + 1:]) for p in sorted(glob.glob(
                            os.path.join(ROOT, "tests", "config-invalid", "*.yaml")))] +
                        py_blocks("test_*.py", "sources:"))
    names = []
    with open(os.path.join(ROOT, "tests", "match", "pairs.tsv"), encoding="utf-8") as f:
        for i, line in enumerate(f):
            if i < 200:
                names += line.rstrip("\n").split("\t")[:2]
    # pairs of real names for the matcher: the first name, a newline, the other
    pairs = []
    with open(os.path.join(ROOT, "tests", "match", "real", "dev.tsv"), encoding="utf-8") as f:
        for i, line in enumerate(f):
            p = line.rstrip("\n").split("\t")
            if i % 8 == 1 and len(p) >= 3:
                pairs.append((p[0] + "\n" + p[2]).encode())
    s["fuzz_normalize"] = (c_strings(os.path.join(ROOT, "tests", "unit", "test_normalize.c")) +
                           [n.encode() for n in names if n] + pairs)
    s["fuzz_soql"] = (c_strings(os.path.join(ROOT, "tests", "unit", "test_salesforce.c")) +
                      [c["name"].encode() for c in load("fixtures/customers.json")[:100]
                       if isinstance(c, dict) and "name" in c])
    return s


def main():
    out = sys.argv[1]
    for target, items in seeds().items():
        d = os.path.join(out, target)
        os.makedirs(d, exist_ok=True)
        for b in items:
            with open(os.path.join(d, hashlib.sha1(b).hexdigest()), "wb") as f:
                f.write(b)
        print("%s: %d seeds" % (target, len(os.listdir(d))))


main()

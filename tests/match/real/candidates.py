"""Candidate pairs of organisation names from Debian's hardware registries
(/usr/share/misc/pci.ids and usb.ids, packages pci.ids and usb.ids): the
vendor lines, cleaned of the registries' own markers ("(Wrong ID)",
"[hex]"), paired within groups that share a first word, each with a
proposed label and kind for a person to confirm by reading. Besides the
pairs the registries hold as they are: a name against the acronym or the
former name it gives itself ("Silicon Integrated Systems [SiS]",
"X (formerly Y)", "A / B"), and the ways people write a registered name
in a deal registration, made from registry names: a letter doubled,
dropped or swapped inside a word, a division or department added, words
joined, a doing-business-as name, another country.

    python3 tests/match/real/candidates.py > candidates.tsv

(apt-get install pci.ids usb.ids first: the committed labels.tsv, dev.tsv
and held.tsv are what the tests read, so neither is needed to test.)

Columns: proposed label (1 same organisation, 0 different), kind, name_a,
name_b, source_a, source_b. The labelled set (labels.tsv) is what was
read; this script only says where it came from."""
import collections
import itertools
import random
import re
import sys

NEG_PER_GROUP = 30
REGISTRIES = [("pci", "/usr/share/misc/pci.ids"), ("usb", "/usr/share/misc/usb.ids")]
MARKERS = re.compile(r"\s*(\((wrong|bad|incorrect|duplicate)[^)]*\)|\[hex\]|\?\?+)\s*", re.I)
FORMS = {"inc", "incorporated", "corp", "corporation", "co", "company", "ltd", "limited",
         "llc", "gmbh", "ag", "sa", "bv", "nv", "kk", "plc", "srl", "spa", "oy", "ab", "as",
         "pty", "pte", "the", "and", "of", "sas", "kg", "se", "lp", "llp", "sarl"}


def vendors(path):
    out = []
    with open(path, "rb") as f:
        for raw in f:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            if line.startswith("#") or len(line) < 7 or not re.match(r"^[0-9a-f]{4}  ", line):
                continue
            name = MARKERS.sub(" ", line[6:]).strip().strip(",")
            if name and not re.search(r"\b(lake|gaussian|accelerator)\b", name, re.I):
                out.append(name)
    return out


def words(n):
    return re.findall(r"[a-z0-9]+", n.lower())


def core(n):
    return [w for w in words(n) if w not in FORMS]


def propose(a, b):
    ca, cb = core(a), core(b)
    if ca == cb:
        return 1, "variant:form"
    if "".join(ca) == "".join(cb):
        return 1, "variant:joined"
    sa, sb = set(ca), set(cb)
    if sa < sb or sb < sa:
        short, long_ = (ca, cb) if len(ca) < len(cb) else (cb, ca)
        if len(short) == 1:
            return 0, "neg:prefix?"
        return 1, "variant:extra-words?"
    if ca[:1] == cb[:1] and len(sa & sb) >= 2:
        return 0, "neg:sister?"
    return 0, "neg:generic?"


DIVISIONS = [" - Procurement", " Europe", " UK Ltd", " (EMEA)", " - IT Department",
             " Americas Inc.", " - Purchasing Dept.", " Deutschland GmbH"]
COUNTRIES = ["US", "DE", "JP", "TW", "GB", "FR", "CN", "KR", "NL", "SE"]


def typo(rnd, name):
    """One slip of the hand inside the longest word: doubled, dropped or
    swapped letters, as a registration form receives them."""
    ws = name.split()
    i = max(range(len(ws)), key=lambda k: len(re.sub(r"[^A-Za-z]", "", ws[k])))
    w = ws[i]
    if len(w) < 5:
        return None
    j = rnd.randrange(1, len(w) - 2)
    if not w[j].isalpha() or not w[j + 1].isalpha():
        return None
    how = rnd.choice(["double", "drop", "swap"])
    if how == "double":
        w2 = w[:j] + w[j] + w[j:]
    elif how == "drop":
        w2 = w[:j] + w[j + 1:]
    else:
        if w[j] == w[j + 1]:
            return None
        w2 = w[:j] + w[j + 1] + w[j] + w[j + 2:]
    ws[i] = w2
    return " ".join(ws)


def made(names, rnd):
    """Pairs made from registry names (see the module's text)."""
    rows = []
    # the registries' own acronyms and former or second names
    for src, n in names:
        m = re.match(r"^(.*\S)\s*\[([A-Za-z0-9&-]{2,8})\]$", n)
        if m:
            rows.append((1, "acronym", m.group(1), m.group(2), src, src))
        m = re.match(r"^(.*\S)\s*\(formerly (.*)\)$", n, re.I)
        if m:
            rows.append((1, "former", m.group(1), m.group(2), src, src))
        if " / " in n and "formerly" not in n.lower():
            a, b = [x.strip() for x in n.split(" / ", 1)]
            if a and b:
                rows.append((1, "former", n, b, src, src))
    long_names = [(s_, n) for s_, n in names
                  if len(core(n)) >= 2 and max(len(w) for w in core(n)) >= 6
                  and "[" not in n and "(" not in n and "/" not in n]
    rnd.shuffle(long_names)
    it = iter(long_names)
    for _ in range(260):
        src, n = next(it)
        t = typo(rnd, n)
        if t and t != n:
            rows.append((1, "typo", n, t, src, "form"))
    for _ in range(140):
        src, n = next(it)
        rows.append((1, "division", n, n.rstrip(".,") + rnd.choice(DIVISIONS), src, "form"))
    for _ in range(100):
        src, n = next(it)
        c = core(n)
        rows.append((1, "joined", n, "".join(w.capitalize() for w in c) if rnd.random() < 0.5
                     else " ".join(c).upper(), src, "form"))
    for _ in range(80):
        (sa, a), (sb, b) = next(it), next(it)
        rows.append((1, "dba", "%s DBA %s" % (a, b), b, sa, sb))
    for _ in range(100):
        src, n = next(it)
        ca, cb = rnd.sample(COUNTRIES, 2)
        rows.append((1, "country", n + "\t" + ca, n + "\t" + cb, src, src))
    return rows


def main():
    names = []
    for src, path in REGISTRIES:
        seen = set()
        for n in vendors(path):
            if n.lower() not in seen:
                seen.add(n.lower())
                names.append((src, n))
    groups = collections.defaultdict(list)
    for src, n in names:
        w = words(n)
        if w:
            groups[w[0]].append((src, n))
    out = set()
    rnd = random.Random(17)
    for key, g in sorted(groups.items()):
        rows = []
        for (sa, a), (sb, b) in itertools.combinations(g, 2):
            if a.lower() == b.lower():
                continue
            pair = tuple(sorted([(a, sa), (b, sb)]))
            if pair in out:
                continue
            out.add(pair)
            rows.append((propose(a, b), pair))
        # a big group (Silicon ..., Shenzhen ...) gives a sample of its
        # negatives, so that no one word makes the set
        neg = [r for r in rows if r[0][0] == 0]
        if len(neg) > NEG_PER_GROUP:
            keep = set(map(id, rnd.sample(neg, NEG_PER_GROUP)))
            rows = [r for r in rows if r[0][0] == 1 or id(r) in keep]
        for (label, kind), pair in rows:
            print("\t".join([str(label), kind, pair[0][0], pair[1][0], pair[0][1], pair[1][1]]))
    for label, kind, a, b, sa, sb in made(names, rnd):
        print("\t".join([str(label), kind, a, b, sa, sb]))


if __name__ == "__main__":
    sys.exit(main())

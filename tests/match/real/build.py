"""The labelled set of real organisation names (labels.tsv) from the
candidate pairs (candidates.py over Debian's pci.ids and usb.ids) and what
reading them changed (reading.tsv): each pair with its label, its kind and
the half it belongs to. The split is by organisation, once: a pair goes
where the first word of its first name goes (a crc32 of it, even:
development, odd: held out), so that one company's spellings are never
on both sides.

    python3 tests/match/real/build.py > tests/match/real/labels.tsv

and the two halves as match_eval reads them (dev.tsv, held.tsv: name_a,
country_a, name_b, country_b, label, kind) beside it.
"""
import os
import subprocess
import sys
import zlib

HERE = os.path.dirname(os.path.abspath(__file__))
KINDS = {"variant:form": "form", "variant:extra-words?": "extra",
         "variant:joined": "joined", "neg:prefix?": "prefix", "neg:sister?": "sister",
         "neg:generic?": "generic"}
# Groups whose names are one company's relatives (a parent, its
# subsidiaries, its business lines, a joint venture): a negative among
# them is "related", however its words compare.
GROUPS = set("""acer agere alcatel amphenol analog ascom at atmel barco bayer broadcom canon
casio cisco citizen compaq creative daewoo dell eads eizo epson ericsson focusrite ford fuji
fujifilm fujikura fujitsu ge gemalto gn hewlett hitachi honda huawei icl imation intersil
kawasaki kenwood kodak konica kyocera leica lg lite lockheed lsi marvell matrox matsushita
micron micronas minolta mitsubishi motorola nec nikon nokia ntt nvidia oce oki olivetti
philips qualcomm quanta racal ricoh rockwell rohde roland s3 sagem samsung sanyo seagate
siemens sony sunplus tandberg tdk teledyne thales thomson toshiba via vtech wipro wistron
zoran aeroflex intersil minolta pentax trust""".split())

# the registries' bracketed names that are not the acronym of the name
# before them, and former names no spelling could match
NOT_ACRONYMS = {"MXIC", "AKiTiO"}


def org_of(name):
    w = "".join(c for c in name.split()[0].lower() if c.isalnum()) if name.split() else ""
    return w or name.lower()


def main():
    reading = {}
    with open(os.path.join(HERE, "reading.tsv")) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            a, b, verdict, kind = line.rstrip("\n").split("\t")
            reading[(a, b)] = (verdict, kind)
    cand = subprocess.run([sys.executable, os.path.join(HERE, "candidates.py")],
                          capture_output=True, text=True, check=True).stdout
    print("# Real organisation names from Debian's pci.ids and usb.ids, labelled by")
    print("# reading (build.py, reading.tsv). half: dev (tune on it) or held (report).")
    print("# half\tkind\tlabel\tname_a\tcountry_a\tname_b\tcountry_b")
    seen = set()
    halves = {"dev": [], "held": []}
    for line in cand.splitlines():
        f = line.split("\t")
        if f[1] == "country":         # a name in two countries
            label, kind, a, ca, b, cb = f[:6]
        else:
            label, kind, a, b = f[:4]
            ca = cb = ""
        if (a, b) in reading:
            verdict, k = reading[(a, b)]
            if verdict == "drop":
                continue
            label, kind = verdict, k
        kind = KINDS.get(kind, kind)
        if label == "0" and org_of(a) in GROUPS:
            kind = "related"
        if kind == "acronym" and (b in NOT_ACRONYMS or a.startswith("Acer")):
            continue
        if kind == "former":
            if " / " not in a:
                continue        # "X (formerly Y)": an acquisition's old name,
                                # which no spelling of X can find
            kind = "dba"        # "A / B" against B: the name it also goes by
        if "Unknown" in (a, b) or (a, b) in seen:
            continue
        seen.add((a, b))
        half = "dev" if zlib.crc32(org_of(a).encode()) % 2 == 0 else "held"
        print("\t".join([half, kind, label, a, ca, b, cb]))
        halves[half].append("\t".join([a, ca, b, cb, label, kind]))
    for half, rows in halves.items():
        with open(os.path.join(HERE, half + ".tsv"), "w") as f:
            f.write("# %s half of labels.tsv (build.py): name_a, country_a, "
                    "name_b, country_b, label, kind\n" % half)
            f.write("\n".join(rows) + "\n")


if __name__ == "__main__":
    sys.exit(main())

"""Writes tests/match/pairs.tsv: labelled company-name pairs for measuring
the end-customer matcher (make eval, tests/unit/test_match.c).

Each line: name_a, country_a, name_b, country_b, label (1 = the same
company, 0 = different), category. Deterministic (fixed seed).

Positives are the ways one company's name differs between systems:
legal forms added, dropped or spelled otherwise, case and punctuation,
"&"/"and", "The", common abbreviations, one typo, diacritics written out
(Müller / Mueller), a region or division word added (EMEA, Deutschland),
a comma before the suffix, a doubled space, and acronyms (IBM /
International Business Machines).

Negatives are what must not match: unrelated names, names that share only
generic words (Nordic Data Solutions / Pacific Data Solutions), sister
companies that differ by a distinctive word (Siemens Energy / Siemens
Healthineers), different surnames that are spelled alike (Kowalski /
Kowalczyk), names one coined word apart in the same city, and short
acronyms against unrelated long names. The last two are as ambiguous for
any name-only method as a typo is (Hoffmann / Hofmann): there are few of
them, in proportion to how often real data has them.

The hand-written pairs in curated.tsv (real-world style, both kinds) are
appended as they are."""
import os
import random
import sys

rnd = random.Random(20261127)
HERE = os.path.dirname(os.path.abspath(__file__))

COINED = """Quoleia Vantrix Zenolith Brightwater Kestrel Halvorsen Ardent Lumora
Corvane Telluride Nimbus Ostrava Pellucid Riverbend Saltire Thornbury Umbra Valdor
Wexford Yarrow Zephyra Altamira Bellwether Calloway Dunmore Everhart Falkner Grisham
Harrowgate Ironwood Juniper Kingsley Larkspur Meridian Northgate Oakhurst Pemberton
Quillon Redmond Stonebridge Trevellian Upland Vireo Whitcombe Xanthe Yellowstone
Zellweger Abernethy Blackwood Castellan Drummond Elmsworth Fairhaven Glenbrook
Hollister Islington Jarrow Kelvedon Lindqvist Moravec Nordahl Osterberg Pruszynski
Quayside Rosenthal Sandoval Tanaka Uchida Vasquez Wojcik Yamamoto Zielinski Arkwright
Brennan Castillo Delacroix Engstrom Fitzgerald Gallagher Heilbronn Ingersoll Jablonski
Kaczmarek Lombardi Marchetti Novak Okonkwo Pacheco Quintero Rasmussen Salazar Takahashi
Underhill Vandermeer Wiśniewski Żelazny Łukasiewicz Ødegaard Åkesson Çelikkol Müllerhoff
Schröder Größmann Dvořák Kováčová Søndergaard Björklund Jóhannsson Nuñez Peñalosa
Ferreira Gonçalves Rodrigues Lefèvre Bérénger Duchâteau Aurelian Boreal Cascadia Dovetail
Emberly Fenwick Gossamer Hawthorne Indigo Jubilee Kinetic Lodestar Marlowe Nettlefield
Oriel Pinnacle Quarry Ravenna Sable Tamarind Ulysses Verdant Willowmere Xylo Yeoman
Zircon Amberley Birchfield Coldharbour Deerfield Eastleigh Foxglove Greystone Heathrow
Ivybridge Jessamine Kenwood Longmead Millbrook Newhaven Orchard Parkside Queensbury
Rockwell Shelford Tilbury Uxbridge Vickers Westbury Yardley Zouch""".split()

GENERIC = """Systems Solutions Technologies Technology Software Data Digital Networks
Consulting Services Logistics Engineering Industries Manufacturing Analytics Security
Cloud Energy Healthcare Medical Pharma Capital Partners Holdings Group International
Global Media Retail Foods Construction Electronics Automation Robotics Labs Ventures
Trading Motors Telecom Financial Insurance""".split()

REGION = ["EMEA", "Europe", "UK", "Deutschland", "France", "Nordics", "APAC",
          "North America", "Americas", "Iberia", "Benelux", "DACH", "Schweiz"]

DIVISION = ["Energy", "Healthineers", "Mobility", "Aerospace", "Pharmaceuticals",
            "Foods", "Insurance", "Bank", "Chemicals", "Steel", "Shipping",
            "Airlines", "Hotels", "Textiles", "Publishing", "Brewery", "Dairy",
            "Cement", "Mining", "Paper"]

# legal forms by country: (country, forms spelled several ways)
FORMS = {
    "US": [["Inc", "Inc.", "Incorporated", ", Inc."], ["LLC", "L.L.C."],
           ["Corp", "Corp.", "Corporation"], ["Co.", "Company"]],
    "GB": [["Ltd", "Ltd.", "Limited"], ["PLC", "plc", "Public Limited Company"], ["LLP"]],
    "DE": [["GmbH", "Gmbh", "G.m.b.H."], ["AG", "Aktiengesellschaft"],
           ["GmbH & Co. KG", "GmbH & Co KG", "GmbH und Co. KG"], ["KG"], ["e.K."]],
    "AT": [["GmbH", "Ges.m.b.H."], ["AG"]],
    "CH": [["AG", "SA"], ["GmbH", "Sàrl"]],
    "FR": [["SA", "S.A."], ["SAS", "S.A.S.", "SASU"], ["SARL", "S.A.R.L."]],
    "IT": [["S.p.A.", "SpA", "S.P.A."], ["S.r.l.", "Srl", "S.R.L."]],
    "ES": [["S.A.", "SA", "Sociedad Anónima"], ["S.L.", "SL", "Sociedad Limitada"]],
    "NL": [["B.V.", "BV"], ["N.V.", "NV"]],
    "BE": [["NV", "N.V."], ["BVBA", "bvba"]],
    "SE": [["AB", "Aktiebolag", "AB (publ)"]],
    "NO": [["AS", "A/S", "ASA"]],
    "DK": [["A/S", "AS", "ApS"]],
    "FI": [["Oy", "Oyj"]],
    "PL": [["Sp. z o.o.", "sp. z o.o.", "Spółka z o.o.", "Sp.z o.o."], ["S.A.", "SA"]],
    "CZ": [["s.r.o.", "spol. s r.o.", "s. r. o."], ["a.s."]],
    "HU": [["Kft.", "Kft"], ["Zrt.", "Zrt"]],
    "JP": [["KK", "K.K.", "Kabushiki Kaisha", "Co., Ltd."], ["GK", "G.K."]],
    "AU": [["Pty Ltd", "Pty. Ltd.", "Pty Limited", "Proprietary Limited"]],
    "IN": [["Pvt Ltd", "Pvt. Ltd.", "Private Limited"]],
    "MY": [["Sdn Bhd", "Sdn. Bhd."]],
    "BR": [["Ltda", "Ltda."], ["S.A.", "SA"]],
    "MX": [["S.A. de C.V.", "SA de CV", "S.A. DE C.V."]],
    "SG": [["Pte Ltd", "Pte. Ltd."]],
}

ABBREV = {"International": ["Intl", "Int'l", "Intl."], "Technologies": ["Tech", "Techs"],
          "Technology": ["Tech"], "Systems": ["Sys", "Syst."],
          "Manufacturing": ["Mfg", "Mfg."], "Engineering": ["Eng.", "Engg"],
          "Services": ["Svcs", "Svc"], "Industries": ["Inds", "Ind."],
          "Laboratories": ["Labs"], "Associates": ["Assoc.", "Assocs"],
          "Brothers": ["Bros", "Bros."], "Holdings": ["Hldgs"], "Group": ["Grp"]}

TRANSLIT = {"ü": "ue", "ö": "oe", "ä": "ae", "ß": "ss", "ø": "oe", "å": "aa", "é": "e",
            "è": "e", "ç": "c", "ñ": "n", "ł": "l", "ś": "s", "ż": "z", "ř": "r", "á": "a",
            "ó": "o", "ò": "o", "í": "i"}


def base_names():
    """Distinct companies: (display core words, country)."""
    out = []
    words = COINED[:]
    rnd.shuffle(words)
    for i, w in enumerate(words):
        country = rnd.choice(list(FORMS))
        shape = i % 5
        if shape == 0:
            core = [w]
        elif shape == 1:
            core = [w, rnd.choice(GENERIC)]
        elif shape == 2:
            core = [w, rnd.choice(GENERIC), rnd.choice(GENERIC)]
        elif shape == 3:
            other = rnd.choice(COINED)
            core = [w, "&", other] if other != w else [w]
        else:
            core = [w, rnd.choice(["International", "Technologies", "Systems",
                                   "Manufacturing", "Engineering", "Services",
                                   "Industries", "Laboratories", "Associates",
                                   "Brothers", "Holdings", "Group"])]
        out.append((core, country))
    return out


def form_of(country, which=None):
    fam = rnd.choice(FORMS[country]) if which is None else which
    return fam, rnd.choice(fam)


def render(core, form):
    name = " ".join(core)
    if form:
        name += form if form.startswith(",") else " " + form
    return name


def typo(word):
    if len(word) < 6:
        return word
    i = rnd.randrange(1, len(word) - 1)
    k = rnd.randrange(4)
    if k == 0:
        return word[:i] + word[i + 1:]
    if k == 1:
        return word[:i] + word[i + 1] + word[i] + word[i + 2:]
    if k == 2:
        c = rnd.choice("aeiourstnl")
        return word[:i] + c + word[i + 1:]
    return word[:i] + word[i] + word[i:]


def variant(core, country, fam):
    """Another system's spelling of the same company: one or two changes."""
    c = core[:]
    form = rnd.choice(fam)
    kinds = rnd.sample(["form", "drop_form", "case", "abbrev", "typo", "translit",
                        "amp", "the", "region", "comma", "space"], rnd.choice([1, 2]))
    extra = ""
    for k in kinds:
        if k == "form":
            form = rnd.choice(fam)
        elif k == "drop_form":
            form = ""
        elif k == "case":
            c = [w.upper() if rnd.random() < 0.5 else w.lower() for w in c]
        elif k == "abbrev":
            c = [rnd.choice(ABBREV[w]) if w in ABBREV else w for w in c]
        elif k == "typo":
            i = 0   # the distinctive word
            c[i] = typo(c[i])
        elif k == "translit":
            c = ["".join(TRANSLIT.get(ch, ch) for ch in w) for w in c]
        elif k == "amp":
            c = ["and" if w == "&" else w for w in c]
        elif k == "the":
            c = ["The"] + c
        elif k == "region":
            extra = rnd.choice(REGION)
        elif k == "comma":
            if form and not form.startswith(","):
                form = ", " + form
        elif k == "space":
            c = [c[0] + " "] + c[1:]
    name = render(c, form)
    if extra:
        name = name + " " + extra if rnd.random() < 0.5 else name.replace(
            " ".join(c), " ".join(c) + " " + extra, 1)
    return name, kinds


def main():
    rows = []
    bases = base_names()
    # positives: two spellings of the same company
    for core, country in bases:
        fam, form = form_of(country)
        a = render(core, form)
        for _ in range(3):
            b, kinds = variant(core, country, fam)
            if b == a:
                continue
            ca = country if rnd.random() < 0.8 else ""
            cb = country if rnd.random() < 0.6 else ""
            rows.append((a, ca, b, cb, 1, "variant:" + "+".join(sorted(kinds))))
    # acronyms of multi-word names
    acro_names = [("International Business Machines", "US", "IBM"),
                  ("Hewlett Packard Enterprise", "US", "HPE"),
                  ("Asea Brown Boveri", "CH", "ABB"),
                  ("Bayerische Motoren Werke", "DE", "BMW"),
                  ("Kreditanstalt fur Wiederaufbau", "DE", "KfW"),
                  ("Societe Nationale des Chemins de fer Francais", "FR", "SNCF"),
                  ("Koninklijke Luchtvaart Maatschappij", "NL", "KLM"),
                  ("Deutsche Bahn", "DE", "DB"),
                  ("General Electric Company", "US", "GE"),
                  ("Minnesota Mining and Manufacturing", "US", "3M")]
    for full, country, acr in acro_names:
        fam, form = form_of(country)
        rows.append((render(full.split(), form), country, acr + " " + rnd.choice(fam), country,
                     1, "acronym"))
    for core, country in bases:
        if len(core) == 3 and core[1] != "&":
            words = [w for w in core if w != "&"]
            acr = "".join(w[0] for w in words).upper()
            fam, form = form_of(country)
            rows.append((render(core, form), country, acr, "", 1, "acronym"))
    # negatives: unrelated
    for _ in range(350):
        (c1, k1), (c2, k2) = rnd.sample(bases, 2)
        rows.append((render(c1, form_of(k1)[1]), k1, render(c2, form_of(k2)[1]), k2, 0,
                     "unrelated"))
    # negatives: only generic words shared
    for _ in range(150):
        g = rnd.sample(GENERIC, rnd.choice([1, 2]))
        w1, w2 = rnd.sample(COINED, 2)
        k = rnd.choice(list(FORMS))
        rows.append((render([w1] + g, form_of(k)[1]), k, render([w2] + g, form_of(k)[1]),
                     rnd.choice([k, ""]), 0, "generic_shared"))
    for _ in range(60):
        g = rnd.sample(GENERIC, 2)
        r1, r2 = rnd.sample(["Nordic", "Pacific", "Atlantic", "Alpine", "Baltic", "Eastern",
                             "Western", "Central", "Southern", "Northern", "Midland",
                             "Coastal", "Continental", "Euro", "Asia"], 2)
        k = rnd.choice(list(FORMS))
        rows.append((render([r1] + g, form_of(k)[1]), k, render([r2] + g, form_of(k)[1]), k,
                     0, "generic_shared"))
    # negatives: sister companies (a distinctive word differs)
    for _ in range(150):
        w = rnd.choice(COINED)
        d1, d2 = rnd.sample(DIVISION, 2)
        k = rnd.choice(list(FORMS))
        rows.append((render([w, d1], form_of(k)[1]), k, render([w, d2], form_of(k)[1]), k, 0,
                     "sister"))
    # negatives: surnames spelled alike
    alike = [("Kowalski", "Kowalczyk"), ("Schmidt", "Schmitz"), ("Meyer", "Meier"),
             ("Hansen", "Jansen"), ("Nielsen", "Nilsson"), ("Petersen", "Pedersen"),
             ("Martinez", "Martins"), ("Fischer", "Fisher"), ("Wagner", "Wegner"),
             ("Becker", "Bäcker"), ("Hoffmann", "Hofmann"), ("Schulz", "Schulze"),
             ("Johansson", "Johanson"), ("Lindberg", "Lindgren"), ("Andersen", "Andersson"),
             ("Bergmann", "Bergman"), ("Kaufmann", "Hartmann"), ("Novak", "Novotny"),
             ("Rossi", "Russo"), ("Ferrari", "Ferrara"), ("Moreau", "Morel"),
             ("Dubois", "Dupuis"), ("Tanaka", "Tanabe"), ("Suzuki", "Sasaki"),
             ("Kovacs", "Kovac"), ("Horvath", "Horvat"), ("Jensen", "Jonsen"),
             ("Larsen", "Larson"), ("Olsen", "Olson"), ("Walsh", "Welsh")]
    for a, b in alike:
        for _ in range(1):
            g = rnd.choice(GENERIC)
            k = rnd.choice(list(FORMS))
            rows.append((render([a, g], form_of(k)[1]), k, render([b, g], form_of(k)[1]), k, 0,
                         "surname_alike"))
    # negatives: same city, coined word apart
    cities = ["Berlin", "München", "Hamburg", "Paris", "Lyon", "Madrid", "Milano", "Wien",
              "Zürich", "Warszawa", "Praha", "Oslo", "London", "Boston", "Austin", "Tokyo"]
    for _ in range(120):
        city = rnd.choice(cities)
        w1, w2 = rnd.sample(COINED, 2)
        g = rnd.choice(GENERIC)
        k = rnd.choice(list(FORMS))
        rows.append((render([city, w1, g], ""), k, render([city, w2, g], ""), k, 0,
                     "same_city"))
    # negatives: short acronyms against unrelated names with those initials
    # (by construction as ambiguous as acronyms are: kept few)
    for _ in range(40):
        core, k = rnd.choice(bases)
        words = [w for w in core if w != "&"]
        if len(words) < 2 or len(rows) % 2:
            continue
        acr = "".join(w[0] for w in words).upper()
        other = [w for w in COINED if w[0].upper() == acr[0] and w not in words]
        if not other:
            continue
        name2 = rnd.choice(other) + " " + " ".join(words[1:])
        rows.append((acr, k, render(name2.split(), form_of(k)[1]), k, 0, "acronym_other"))
    # negatives: one-edit different coined names
    for _ in range(80):
        w = rnd.choice([x for x in COINED if len(x) <= 5] or COINED)
        w2 = w[:-1] + rnd.choice([ch for ch in "aeioulnrst" if ch != w[-1]])
        if w2.lower() == w.lower():
            continue
        k = rnd.choice(list(FORMS))
        rows.append((render([w], form_of(k)[1]), k, render([w2], form_of(k)[1]), k, 0,
                     "short_edit"))
    # negatives: same name, different countries (two companies)
    for _ in range(60):
        core, k = rnd.choice(bases)
        k2 = rnd.choice([x for x in FORMS if x != k])
        rows.append((render(core, form_of(k)[1]), k, render(core, form_of(k2)[1]), k2, 0,
                     "other_country"))
    with open(os.path.join(HERE, "curated.tsv"), encoding="utf-8") as f:
        for line in f:
            if line.strip() and not line.startswith("#"):
                p = line.rstrip("\n").split("\t")
                rows.append((p[0], p[1], p[2], p[3], int(p[4]), "curated:" + p[5]))
    out = os.path.join(HERE, "pairs.tsv")
    with open(out, "w", encoding="utf-8") as f:
        f.write("# name_a\tcountry_a\tname_b\tcountry_b\tlabel\tcategory\n")
        for r in rows:
            f.write("\t".join(str(x) for x in r) + "\n")
    pos = sum(r[4] for r in rows)
    print("%s: %d pairs (%d same, %d different)" % (out, len(rows), pos, len(rows) - pos),
          file=sys.stderr)


main()

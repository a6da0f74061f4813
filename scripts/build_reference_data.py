#!/usr/bin/env python3
"""Build the reference data files under corpus/reference/ from the shared source data.

Usage (from the repository root):

    python3 scripts/build_reference_data.py ../shared/data

The argument is the folder holding country-codes.csv, un-m49.csv and the two UN Treaty
Collection files (untc-human-rights-treaties.csv, untc-arms-control-treaties.csv); it defaults
to ../shared/data relative to the repository root. Python 3 standard library only.

Writes (and overwrites):

    corpus/reference/countries.csv
    corpus/reference/regions.yaml
    corpus/reference/treaties/participation.csv
    corpus/reference/treaties/treaties.csv
    corpus/reference/treaties/UNMAPPED.md

Reads, besides the source folder, the hand-maintained table of UN participant names
corpus/reference/treaties/participant_names.csv (also used by `praxis import-treaties`).

The output is deterministic: running the script twice on the same input gives identical files.
It fails (non-zero exit) when the input breaks an assumption (not exactly 193 UN members, a
treaty participant name that is neither mapped nor listed as unmappable, an unknown action type,
a duplicate participant, ...), so a refreshed source cannot silently produce wrong data.
"""

import argparse
import csv
import re
import sys
import unicodedata
from collections import Counter, defaultdict
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = REPO_ROOT.parent / "shared" / "data"
OUT_DIR = REPO_ROOT / "corpus" / "reference"

# Date the UN Treaty Collection scrape (mgaldino/treaties-ideal-point) was published.
UNTC_DATA_DATE = "2026-02-03"

TREATY_FILES = ["untc-human-rights-treaties.csv", "untc-arms-control-treaties.csv"]
ATROCITY_DIR = "treaties-atrocity"

# Per-treaty source, data date and coverage. `coverage` says whether a State missing from the
# treaty's rows may be read as "not a party (as of data_date)" (`complete`), or only as "no data"
# (`incomplete`), or whether there are no rows at all (`none`); `coverage_note` says why.
UNTC = "UN Treaty Collection (treaties.un.org)"
UNTC_SCRAPE_NOTE = ("scrape of the UN Treaty Collection that is known to miss some participants "
                    "(its log: ICCPR 192 parsed, 183 written)")
ATROCITY_TREATIES = {
    # treaty id: (file, data date, source name, coverage, note)
    "rome-statute": ("rome-statute.csv", "2026-08-22", UNTC, "complete",
                     "daily scrape of the UN Treaty Collection status page listing every State that "
                     "signed, ratified or acceded; it agrees with the 2014 scrape on all 122 parties of "
                     "2014 and gives the ICC's count of 125 parties at the end of 2024"),
    "rome-statute-aggression": ("rome-statute-aggression.csv", "2026-08-22", UNTC, "complete",
                                "the same daily scrape of the UN Treaty Collection status page (XVIII-10-b), "
                                "which lists every acceptance"),
    "genocide": ("genocide.csv", "2015-03-14", UNTC, "incomplete",
                 "stale: the UN Treaty Collection status of about 2015-03-14; about 8 States that "
                 "joined since (154 parties in September 2026, 146 in this list) are missing"),
    "statutory-limitations": ("statutory-limitations.csv", "2015-01-27", UNTC, "incomplete",
                              "stale: the UN Treaty Collection status of about 2015-01-27; States that "
                              "joined since are missing"),
    "ia-forced-disappearance": ("ia-forced-disappearance.csv", "2013-07-26",
                                "Organization of American States (OAS), Inter-American Commission on "
                                "Human Rights", "incomplete",
                                "the OAS/IACHR ratification table of 2010-2013 plus Brazil's ratification "
                                "of 2013; later ratifications are not in it"),
}
# Instruments with no per-State data at all, and why.
NO_DATA_TREATIES = [
    # treaty id, name, source name, source url, note
    ("geneva-conventions", "Geneva Conventions of 12 August 1949",
     "Switzerland (the depositary), not the UN Treaty Collection",
     "",
     "the depositary is Switzerland, not the UN: no per-State data in Praxis yet"),
    ("geneva-protocols", "Protocols Additional to the Geneva Conventions of 1949",
     "Switzerland (the depositary), not the UN Treaty Collection",
     "",
     "the depositary is Switzerland, not the UN: no per-State data in Praxis yet"),
]


class BuildError(Exception):
    pass


def check(cond, msg):
    if not cond:
        raise BuildError(msg)


def clean(value):
    """Strip surrounding whitespace, including the no-break spaces country-codes.csv uses for 'no value'."""
    return (value or "").replace("\u00a0", " ").strip()


def read_csv(path):
    with open(path, encoding="utf-8-sig", newline="") as f:
        return [{k: clean(v) for k, v in row.items()} for row in csv.DictReader(f)]


def write_csv(path, header, rows):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def slugify(label):
    s = unicodedata.normalize("NFKD", label).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", s.lower()).strip("-")


# --------------------------------------------------------------------------------------------
# Countries
# --------------------------------------------------------------------------------------------

# UNTERM short names carry the article in trailing parentheses ("Afghanistan (l')",
# "Afganistán (el)", "Bahamas (the)"), and a trailing "*" (observer State) or "**" (non-member
# State, e.g. Cook Islands, Niue). Only a parenthesis that is exactly an article is dropped, so
# "Bolivia (Plurinational State of)" or "Iran (République islamique d')" are kept whole.
ARTICLES = {
    "en": r"the",
    "fr": r"l['\u2019]|le|la|les",
    "es": r"el|la|los|las",
}
MARKER_RE = re.compile(r"\s*\*+$")


def display_name(unterm_short, lang):
    name = MARKER_RE.sub("", unterm_short)
    name = re.sub(r"\s*\((?:%s)\)$" % ARTICLES[lang], "", name, flags=re.IGNORECASE)
    return name.strip()


# Display-name overrides, applied after the UNTERM -> official name -> CLDR fallback.
NAME_OVERRIDES = {
    # country-codes.csv has no UNTERM names for Côte d'Ivoire, and its official_name_en is
    # "Ivory Coast", which is not the name the UN uses. The UN short name is "Côte d'Ivoire"
    # in English, French and Spanish.
    "CIV": {"en": "Côte d'Ivoire", "fr": "Côte d'Ivoire", "es": "Côte d'Ivoire"},
}

# UN membership. country-codes.csv has no membership column, and its is_independent flag is not
# membership: of the 195 "Yes" rows, two are not UN members. They are listed here explicitly.
NOT_UN_MEMBER_INDEPENDENT = {
    "VA": "Holy See: non-member observer State",
    "TW": "Taiwan: not a UN member (not listed separately by the UN)",
}
# Non-member observer States (General Assembly). PS is flagged "In contention" in
# is_independent, VA "Yes".
OBSERVERS = {"VA", "PS"}
# Members whose UNTERM names are missing from this version of country-codes.csv (used only for
# the cross-check below: every other member has a UNTERM English short name without "*").
MEMBERS_WITHOUT_UNTERM = {"CI", "TR"}
EXPECTED_MEMBERS = 193


def un_status(row):
    iso2 = row["ISO3166-1-Alpha-2"]
    if iso2 in OBSERVERS:
        return "observer"
    if row["is_independent"] == "Yes" and iso2 not in NOT_UN_MEMBER_INDEPENDENT:
        return "member"
    return "other"


def build_countries(cc_rows, m49_rows):
    m49_by_iso3 = {r["ISO-alpha3 Code"]: r for r in m49_rows if r["ISO-alpha3 Code"]}
    out = []
    status_count = Counter()
    cross_members = set()
    for r in cc_rows:
        iso2, iso3 = r["ISO3166-1-Alpha-2"], r["ISO3166-1-Alpha-3"]
        if not (iso2 and iso3):
            continue
        check(re.fullmatch(r"[A-Z]{2}", iso2) and re.fullmatch(r"[A-Z]{3}", iso3),
              f"bad ISO codes {iso2!r}/{iso3!r}")
        check(r["M49"].isdigit(), f"{iso3}: bad M49 {r['M49']!r}")
        m49 = r["M49"].zfill(3)
        m = m49_by_iso3.get(iso3)
        check(m is not None, f"{iso3} missing from un-m49.csv")
        check(m["M49 Code"] == m49, f"{iso3}: M49 {m49} != un-m49.csv {m['M49 Code']}")
        check((r["Region Name"], r["Sub-region Name"], r["Intermediate Region Name"])
              == (m["Region Name"], m["Sub-region Name"], m["Intermediate Region Name"]),
              f"{iso3}: region differs between country-codes.csv and un-m49.csv")

        names = {}
        for lang, unterm_col, official_col in (
            ("en", "UNTERM English Short", "official_name_en"),
            ("fr", "UNTERM French Short", "official_name_fr"),
            ("es", "UNTERM Spanish Short", "official_name_es"),
        ):
            names[lang] = (display_name(r[unterm_col], lang) if r[unterm_col] else "") \
                or r[official_col] or r["CLDR display name"]
        names.update(NAME_OVERRIDES.get(iso3, {}))
        # UNTERM names use the straight apostrophe; a few fallback names use U+2019.
        names = {lang: n.replace("\u2019", "'") for lang, n in names.items()}
        for lang, n in names.items():
            check(n, f"{iso3}: no {lang} name")

        status = un_status(r)
        status_count[status] += 1
        unterm = r["UNTERM English Short"]
        if (unterm and not unterm.endswith("*")) or iso2 in MEMBERS_WITHOUT_UNTERM:
            cross_members.add(iso2)

        out.append([
            iso2, iso3, m49, names["en"], names["fr"], names["es"],
            slugify(r["Region Name"]) if r["Region Name"] else "",
            slugify(r["Sub-region Name"]) if r["Sub-region Name"] else "",
            slugify(r["Intermediate Region Name"]) if r["Intermediate Region Name"] else "",
            status,
        ])
    out.sort(key=lambda row: row[1])

    members = {row[0] for row in out if row[9] == "member"}
    print(f"countries: {len(out)} rows; un_status: "
          + ", ".join(f"{k}={status_count[k]}" for k in ("member", "observer", "other")))
    yes_not_member = sorted(
        (r["ISO3166-1-Alpha-2"], r["official_name_en"]) for r in cc_rows
        if r["is_independent"] == "Yes" and r["ISO3166-1-Alpha-2"] not in members)
    print("  is_independent=Yes but not a UN member: "
          + ", ".join(f"{c} {n} ({un_status_of(c, out)})" for c, n in yes_not_member))
    member_not_yes = sorted(c for c in members if c not in
                            {r["ISO3166-1-Alpha-2"] for r in cc_rows if r["is_independent"] == "Yes"})
    check(not member_not_yes, f"members not flagged independent: {member_not_yes}")
    check(len(members) == EXPECTED_MEMBERS, f"expected {EXPECTED_MEMBERS} UN members, got {len(members)}")
    check(status_count["observer"] == len(OBSERVERS), "observer count")
    check(members == cross_members,
          "membership cross-check against UNTERM markers failed: "
          f"{sorted(members ^ cross_members)}")
    return out


def un_status_of(iso2, rows):
    return next(row[9] for row in rows if row[0] == iso2)


# --------------------------------------------------------------------------------------------
# Regions
# --------------------------------------------------------------------------------------------

# French and Spanish names of the M49 regions, as published by the UN Statistics Division in
# the French and Spanish versions of the M49 table (unstats.un.org/unsd/methodology/m49/).
# Keyed by M49 code; the English name is checked against un-m49.csv.
REGION_LABELS = {
    "002": ("Africa", "Afrique", "África"),
    "015": ("Northern Africa", "Afrique septentrionale", "África septentrional"),
    "202": ("Sub-Saharan Africa", "Afrique subsaharienne", "África Subsahariana"),
    "014": ("Eastern Africa", "Afrique orientale", "África oriental"),
    "017": ("Middle Africa", "Afrique centrale", "África central"),
    "018": ("Southern Africa", "Afrique australe", "África meridional"),
    "011": ("Western Africa", "Afrique occidentale", "África occidental"),
    "019": ("Americas", "Amériques", "Américas"),
    "419": ("Latin America and the Caribbean", "Amérique latine et Caraïbes", "América Latina y el Caribe"),
    "029": ("Caribbean", "Caraïbes", "El Caribe"),
    "013": ("Central America", "Amérique centrale", "América central"),
    "005": ("South America", "Amérique du Sud", "América del Sur"),
    "021": ("Northern America", "Amérique septentrionale", "América septentrional"),
    "142": ("Asia", "Asie", "Asia"),
    "143": ("Central Asia", "Asie centrale", "Asia central"),
    "030": ("Eastern Asia", "Asie orientale", "Asia oriental"),
    "035": ("South-eastern Asia", "Asie du Sud-Est", "Asia sudoriental"),
    "034": ("Southern Asia", "Asie méridionale", "Asia meridional"),
    "145": ("Western Asia", "Asie occidentale", "Asia occidental"),
    "150": ("Europe", "Europe", "Europa"),
    "151": ("Eastern Europe", "Europe orientale", "Europa oriental"),
    "154": ("Northern Europe", "Europe septentrionale", "Europa septentrional"),
    "039": ("Southern Europe", "Europe méridionale", "Europa meridional"),
    "155": ("Western Europe", "Europe occidentale", "Europa occidental"),
    "009": ("Oceania", "Océanie", "Oceanía"),
    "053": ("Australia and New Zealand", "Australie et Nouvelle-Zélande", "Australia y Nueva Zelandia"),
    "054": ("Melanesia", "Mélanésie", "Melanesia"),
    "057": ("Micronesia", "Micronésie", "Micronesia"),
    "061": ("Polynesia", "Polynésie", "Polinesia"),
}


def build_regions(m49_rows):
    nodes = {}  # code -> (english name, parent code or None)
    for r in m49_rows:
        chain = [(r["Region Code"], r["Region Name"]),
                 (r["Sub-region Code"], r["Sub-region Name"]),
                 (r["Intermediate Region Code"], r["Intermediate Region Name"])]
        parent = None
        for code, name in chain:
            if not code:
                break
            prev = nodes.setdefault(code, (name, parent))
            check(prev == (name, parent), f"M49 {code}: inconsistent name/parent {prev} vs {(name, parent)}")
            parent = code
    check(set(nodes) == set(REGION_LABELS),
          f"M49 regions differ from REGION_LABELS: {sorted(set(nodes) ^ set(REGION_LABELS))}")
    for code, (name, _) in nodes.items():
        check(REGION_LABELS[code][0] == name, f"M49 {code}: label {REGION_LABELS[code][0]!r} != {name!r}")

    children = defaultdict(list)
    for code, (name, parent) in nodes.items():
        children[parent].append(code)
    ordered = []

    def walk(parent, depth):
        for code in sorted(children[parent], key=lambda c: slugify(nodes[c][0])):
            ordered.append(code)
            walk(code, depth + 1)

    walk(None, 0)
    entries = []
    for code in ordered:
        name, parent = nodes[code]
        en, fr, es = REGION_LABELS[code]
        entries.append({
            "slug": slugify(name),
            "parent": slugify(nodes[parent][0]) if parent else None,
            "m49": code,
            "labels": {"en": en, "fr": fr, "es": es},
        })
    slugs = [e["slug"] for e in entries]
    check(len(slugs) == len(set(slugs)), "duplicate region slug")
    print(f"regions: {len(entries)} entries")
    return entries


def yaml_str(s):
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def write_regions_yaml(path, entries):
    lines = [
        "# UN M49 geographic regions (generated by scripts/build_reference_data.py; do not edit by hand).",
        "#",
        "# Source: UN Statistics Division, Standard country or area codes for statistical use (M49),",
        "# via datasets/country-codes. English labels from the M49 table; French and Spanish labels are",
        "# the UN Statistics Division's names in the French and Spanish versions of M49.",
        "# Order: each region is followed by its children. Top-level regions have no parent.",
        "# Antarctica (M49 010) belongs to no region and is not listed.",
        "",
    ]
    for e in entries:
        lines.append(f"- slug: {e['slug']}")
        if e["parent"]:
            lines.append(f"  parent: {e['parent']}")
        lines.append(f"  m49: {yaml_str(e['m49'])}")
        lab = e["labels"]
        lines.append(f"  labels: {{ en: {yaml_str(lab['en'])}, fr: {yaml_str(lab['fr'])}, es: {yaml_str(lab['es'])} }}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------------------------
# Treaties
# --------------------------------------------------------------------------------------------

# UN Treaty Collection participant names that need an explicit decision: names that do not match
# any name column of country-codes.csv (after normalisation) or are worth pinning (`iso3` set),
# and participants that have no ISO 3166-1 code today (`iso3` empty, `note` says why). The table is
# a data file so that `praxis import-treaties` maps names the same way (it reads the same file).
# Participants without a code are not mapped to a successor State (succession is recorded by the
# successor's own row) and are listed in UNMAPPED.md.
PARTICIPANT_NAMES = OUT_DIR / "treaties" / "participant_names.csv"


def read_participant_names(path):
    """Returns ({UN name: ISO3}, {UN name: reason it has no ISO code})."""
    to_iso3, unmappable = {}, {}
    for r in read_csv(path):
        name = r["name"]
        check(name and name not in to_iso3 and name not in unmappable,
              f"{path.name}: empty or duplicate name {name!r}")
        if r["iso3"]:
            check(re.fullmatch(r"[A-Z]{3}", r["iso3"]), f"{path.name}: {name}: bad iso3 {r['iso3']!r}")
            to_iso3[name] = r["iso3"]
        else:
            check(r["note"], f"{path.name}: {name}: no iso3 and no note saying why")
            unmappable[name] = r["note"]
    return to_iso3, unmappable


ACTIONS = {"Ratification": "ratification", "Accession": "accession",
           "Succession": "succession", "Acceptance": "acceptance", "": "signature"}

# The additional CCW protocols are not open for signature: a State becomes bound by notifying
# its consent to be bound (CCW art. 4). The UN Treaty Collection lists one date, "Consent to be
# bound", which the scrape put in signature_date with an empty action type. Written as action
# CONSENT_ACTION with the date in action_date, so these rows do not read as "signed only".
CONSENT_TO_BE_BOUND_TREATIES = {"ccw_p4", "ccw_p2a", "ccw_p5"}
CONSENT_ACTION = "consent"
# The amendment to CCW article 1 is not open for signature either; the scrape copied the
# ratification/accession date into signature_date (identical in every row). Dropped.
NO_SIGNATURE_TREATIES = {"ccw_art1"}

DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")


def name_key(name):
    s = unicodedata.normalize("NFC", name).replace("\u2019", "'")
    s = MARKER_RE.sub("", s)
    s = re.sub(r"\s*\(the\)$", "", s, flags=re.IGNORECASE)
    s = re.sub(r"^the\s+", "", s, flags=re.IGNORECASE)
    return re.sub(r"\s+", " ", s).strip().lower()


def build_name_index(cc_rows):
    index = {}
    for r in cc_rows:
        iso3 = r["ISO3166-1-Alpha-3"]
        if not iso3:
            continue
        for col in ("UNTERM English Short", "UNTERM English Formal", "official_name_en", "CLDR display name"):
            if r[col]:
                k = name_key(r[col])
                check(index.setdefault(k, iso3) == iso3, f"name {r[col]!r} maps to {index[k]} and {iso3}")
    return index


def build_treaties(data_dir, cc_rows):
    iso3s = {r["ISO3166-1-Alpha-3"] for r in cc_rows if r["ISO3166-1-Alpha-3"]}
    participant_to_iso3, unmappable = read_participant_names(PARTICIPANT_NAMES)
    for iso3 in participant_to_iso3.values():
        check(iso3 in iso3s, f"mapping table: unknown ISO3 {iso3}")
    index = build_name_index(cc_rows)

    treaties = {}
    participation = []
    unmapped = []       # (name, treaty, action, date, reason)
    unrecognised = set()
    seen = set()
    mapped_names = {}
    sources = [(data_dir / f, None) for f in TREATY_FILES]
    sources += [(data_dir / ATROCITY_DIR / spec[0], tid) for tid, spec in ATROCITY_TREATIES.items()]
    for path, expected_tid in sources:
        for r in read_csv(path):
            tid = r["treaty_id"]
            check(re.fullmatch(r"[a-z0-9_-]+", tid), f"bad treaty_id {tid!r}")
            check(expected_tid is None or tid == expected_tid, f"{path.name}: treaty_id {tid!r}")
            # The treaty's page is the first row's; rows may cite another page (Brazil's OAS row).
            meta = (r["treaty_name"], r["mtdsg_no"], r["treaty_open_year"])
            check(treaties.setdefault(tid, (*meta, r["source_url"]))[:3] == meta,
                  f"{tid}: inconsistent treaty metadata")
            check(r["action_type"] in ACTIONS, f"unknown action_type {r['action_type']!r}")
            action = ACTIONS[r["action_type"]]
            action_date, signature_date = r["action_date"], r["signature_date"]
            for d in (action_date, signature_date):
                check(d == "" or DATE_RE.fullmatch(d), f"{r['country_name']}/{tid}: bad date {d!r}")
            if tid in CONSENT_TO_BE_BOUND_TREATIES:
                check(action == "signature" and not action_date and signature_date,
                      f"{r['country_name']}/{tid}: expected a single consent date")
                action, action_date, signature_date = CONSENT_ACTION, signature_date, ""
            if tid in NO_SIGNATURE_TREATIES:
                check(signature_date in ("", action_date),
                      f"{r['country_name']}/{tid}: signature date differs from action date")
                signature_date = ""
            if action == "signature":
                check(not action_date and signature_date, f"{r['country_name']}/{tid}: signature without date")
            else:
                check(action_date, f"{r['country_name']}/{tid}: {action} without date")

            name = r["country_name"]
            iso3 = participant_to_iso3.get(name) or index.get(name_key(name))
            if iso3 is None:
                reason = unmappable.get(name)
                if reason is None:
                    unrecognised.add(name)
                    reason = "UNRECOGNISED: add it to corpus/reference/treaties/participant_names.csv"
                unmapped.append((name, tid, action, action_date or signature_date, reason))
                continue
            mapped_names.setdefault(name, iso3)
            check((iso3, tid) not in seen, f"duplicate participation {iso3}/{tid} (name {name!r})")
            seen.add((iso3, tid))
            participation.append([iso3, tid, action, action_date, signature_date, r["source_url"]])

    # Two different UN names must not land on the same ISO code.
    by_iso = defaultdict(set)
    for n, i in mapped_names.items():
        by_iso[i].add(n)
    check(all(len(v) == 1 for v in by_iso.values()),
          f"several participant names map to one ISO3: {[sorted(v) for v in by_iso.values() if len(v) > 1]}")

    participation.sort(key=lambda row: (row[1], row[0]))
    unmapped.sort(key=lambda u: (u[0], u[1]))
    # treaties[tid] is (name, mtdsg_no, open_year, source_url)
    treaty_rows = []
    for tid in sorted(treaties):
        if tid in ATROCITY_TREATIES:
            _, date, source, coverage, note = ATROCITY_TREATIES[tid]
        else:
            date, source, coverage, note = UNTC_DATA_DATE, UNTC, "incomplete", UNTC_SCRAPE_NOTE
        treaty_rows.append([tid, *treaties[tid], date, source, coverage, note])
    for tid, name, source, url, note in NO_DATA_TREATIES:
        check(tid not in treaties, f"{tid}: listed as without data but has rows")
        treaty_rows.append([tid, name, "", "1949" if tid == "geneva-conventions" else "1977", url, "",
                            source, "none", note])
    treaty_rows.sort(key=lambda row: row[0])

    print(f"treaties: {len(treaty_rows)} treaties; participation: {len(participation)} rows "
          f"from {len(mapped_names)} mapped participant names")
    print("  actions: " + ", ".join(f"{k}={v}" for k, v in sorted(Counter(p[2] for p in participation).items())))
    print(f"  unmapped participants ({len(unmapped)} rows):")
    for name, tid, action, date, reason in unmapped:
        print(f"    {name} / {tid} / {action} {date}: {reason}")
    return treaty_rows, participation, unmapped, sorted(unrecognised)


def build_withdrawals(data_dir, cc_rows, participation):
    """Withdrawals from the Rome Statute: (iso3, treaty, effective date, source url, note)."""
    iso2_to_iso3 = {r["ISO3166-1-Alpha-2"]: r["ISO3166-1-Alpha-3"] for r in cc_rows if r["ISO3166-1-Alpha-2"]}
    bound = {(p[0], p[1]) for p in participation if p[2] != "signature"}
    rows = []
    for r in read_csv(data_dir / ATROCITY_DIR / "rome-statute-withdrawals.csv"):
        iso3 = iso2_to_iso3.get(r["iso2"])
        check(iso3, f"withdrawals: unknown iso2 {r['iso2']!r}")
        check(DATE_RE.fullmatch(r["withdrawal_effective_date"]), f"withdrawals: {iso3}: bad date")
        check((iso3, r["treaty_id"]) in bound, f"withdrawals: {iso3} has no ratification row to withdraw from")
        rows.append([iso3, r["treaty_id"], r["withdrawal_effective_date"], r["source_url"], r["source_text"]])
    rows.sort(key=lambda row: (row[1], row[0]))
    print(f"withdrawals: {len(rows)} rows")
    return rows


def write_unmapped_md(path, unmapped):
    lines = [
        "# Treaty participants not mapped to an ISO code",
        "",
        "Generated by `scripts/build_reference_data.py`; do not edit by hand.",
        "",
        "These rows of the UN Treaty Collection data are **not** in `participation.csv`: the participant",
        "has no ISO 3166-1 code today (a former State, or an organization that is not a State). Successor",
        "States appear under their own names and codes (for example Czechia's succession of 1993-02-22",
        "is recorded under CZE). To map a new name, add it to `participant_names.csv` (the script and",
        "`praxis import-treaties` both read it).",
        "",
        "| participant (UN name) | treaty | action | date | reason |",
        "|---|---|---|---|---|",
    ]
    for name, tid, action, date, reason in unmapped:
        lines.append(f"| {name} | {tid} | {action} | {date} | {reason} |")
    if not unmapped:
        lines.append("| (none) | | | | |")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


# --------------------------------------------------------------------------------------------

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("data_dir", nargs="?", default=str(DEFAULT_DATA),
                    help="folder with the source CSV files (default: ../shared/data from the repo root)")
    args = ap.parse_args(argv)
    data_dir = Path(args.data_dir)
    for f in ["country-codes.csv", "un-m49.csv", *TREATY_FILES]:
        if not (data_dir / f).is_file():
            print(f"error: {data_dir / f} not found", file=sys.stderr)
            return 1
    try:
        cc_rows = read_csv(data_dir / "country-codes.csv")
        m49_rows = read_csv(data_dir / "un-m49.csv")
        countries = build_countries(cc_rows, m49_rows)
        regions = build_regions(m49_rows)
        region_slugs = {e["slug"] for e in regions}
        for row in countries:
            for s in row[6:9]:
                check(s == "" or s in region_slugs, f"{row[1]}: unknown region slug {s}")
        treaty_rows, participation, unmapped, unrecognised = build_treaties(data_dir, cc_rows)
        country_iso3 = {row[1] for row in countries}
        check(all(p[0] in country_iso3 for p in participation), "participation ISO3 not in countries.csv")
        withdrawals = build_withdrawals(data_dir, cc_rows, participation)
    except BuildError as e:
        print(f"error: {e}", file=sys.stderr)
        return 1

    write_csv(OUT_DIR / "countries.csv",
              ["iso2", "iso3", "m49", "name_en", "name_fr", "name_es",
               "region", "subregion", "intermediate_region", "un_status"], countries)
    write_regions_yaml(OUT_DIR / "regions.yaml", regions)
    write_csv(OUT_DIR / "treaties" / "participation.csv",
              ["iso3", "treaty", "action", "action_date", "signature_date", "source_url"], participation)
    write_csv(OUT_DIR / "treaties" / "treaties.csv",
              ["treaty", "name", "mtdsg_no", "open_year", "source_url", "data_date",
               "source_name", "coverage", "coverage_note"], treaty_rows)
    write_csv(OUT_DIR / "treaties" / "withdrawals.csv",
              ["iso3", "treaty", "effective_date", "source_url", "source_text"], withdrawals)
    write_unmapped_md(OUT_DIR / "treaties" / "UNMAPPED.md", unmapped)
    print(f"wrote {OUT_DIR.relative_to(REPO_ROOT)}/: countries.csv, regions.yaml, "
          "treaties/participation.csv, treaties/treaties.csv, treaties/withdrawals.csv, treaties/UNMAPPED.md")
    if unrecognised:
        print("error: unrecognised participant names (listed in UNMAPPED.md): " + ", ".join(unrecognised),
              file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

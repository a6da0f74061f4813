#!/usr/bin/env python3
"""Builds corpus/reference/context/ (the "country in context" section of profiles) from the
country-context folder of the shared reference data.

Writes, for the UN member and observer States of corpus/reference/countries.csv:
  countries.csv   one row per State: population and GDP (World Bank WDI) with their years,
                  capital, area, landlocked, land neighbours (mledoze/countries), dominant
                  Koppen-Geiger zones (Beck et al. 2018), the UCDP/PRIO conflict summary
                  (v23.1), and CIA World Factbook legal fields quoted verbatim
  trends.csv      population and GDP per year since 2000 (World Bank WDI)
  conflicts.csv   one row per (State, UCDP conflict) on its territory: years, sides,
                  incompatibility, contested territory, highest intensity (ACD v23.1 for
                  1946-2022, v25.1 for 2023-2024)

Usage: python3 scripts/build_context_data.py [../shared/data]. Standard library only; the
output is deterministic.
"""
import csv
import sys
from collections import defaultdict
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "corpus" / "reference" / "context"


def read(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def write(path, header, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(rows)


def main(argv):
    data = Path(argv[1]) if len(argv) > 1 else REPO.parent / "shared" / "data"
    src = data / "country-context"
    states = [r["iso3"] for r in read(REPO / "corpus" / "reference" / "countries.csv") if r["un_status"] != "other"]
    keep = set(states)
    economy = {r["iso3"]: r for r in read(src / "economy_latest.csv")}
    geography = {r["iso3"]: r for r in read(src / "geography.csv")}
    climate = {r["iso3"]: r for r in read(src / "climate.csv")}
    ucdp = {r["iso3"]: r for r in read(src / "ucdp_country_summary.csv")}
    legal = {r["iso3"]: r for r in read(src / "legal_factbook.csv")}
    # Koppen-Geiger descriptions, from the rows where a code is some State's dominant zone.
    kg_desc = {r["kg_dominant"]: r["kg_dominant_desc"] for r in climate.values() if r["kg_dominant"]}

    header = ["iso3", "population", "population_year", "gdp_current_usd", "gdp_year",
              "capital", "area_km2", "landlocked", "borders_iso3",
              "kg_dominant", "kg_dominant_desc", "kg_dominant_share", "kg_second", "kg_second_desc", "kg_second_share",
              "acd_first_year", "acd_last_year", "acd_conflict_years_1946_2022", "acd_active_years_2013_2022",
              "acd_max_intensity_2013_2022", "acd_contested_territories_2013_2022",
              "brd_best_1989_2022", "brd_best_2013_2022", "onesided_best_1989_2022", "onesided_best_2013_2022",
              "onesided_govt_best_2013_2022",
              "legal_system", "constitution", "highest_courts", "intl_law_participation", "refugees", "idps"]
    rows = []
    for iso3 in sorted(keep):
        e, g, c, u, l = (d.get(iso3, {}) for d in (economy, geography, climate, ucdp, legal))
        gdp_ok = e.get("in_wb_gdp") == "yes" and e.get("gdp_current_usd")
        rows.append([
            iso3,
            e.get("population", "") if e.get("in_wb_population") == "yes" else "",
            e.get("population_year", "") if e.get("in_wb_population") == "yes" else "",
            e.get("gdp_current_usd", "") if gdp_ok else "",
            e.get("gdp_year", "") if gdp_ok else "",
            g.get("capital", ""), g.get("area_km2_mledoze", ""), g.get("landlocked", ""),
            ";".join(b for b in g.get("borders_iso3", "").split(";") if b),
            c.get("kg_dominant", ""), c.get("kg_dominant_desc", ""), c.get("kg_dominant_share", ""),
            c.get("kg_second", ""), kg_desc.get(c.get("kg_second", ""), ""), c.get("kg_second_share", ""),
            u.get("acd_first_year", ""), u.get("acd_last_year", ""), u.get("acd_conflict_years_1946_2022", ""),
            u.get("acd_active_years_2013_2022", ""), u.get("acd_max_intensity_2013_2022", ""),
            u.get("acd_contested_territories_2013_2022", ""),
            u.get("brd_best_1989_2022", ""), u.get("brd_best_2013_2022", ""),
            u.get("onesided_best_1989_2022", ""), u.get("onesided_best_2013_2022", ""),
            u.get("onesided_govt_best_2013_2022", ""),
            l.get("legal_system_text", ""), l.get("constitution_history_text", ""), l.get("highest_courts_text", ""),
            l.get("intl_law_participation_text", ""), l.get("refugees_text", ""), l.get("idps_text", ""),
        ])
    write(OUT / "countries.csv", header, rows)

    trends = [[r["iso3"], r["year"], r["population"], r["gdp_current_usd"]]
              for r in read(src / "economy_timeseries_2000on.csv") if r["iso3"] in keep]
    trends.sort(key=lambda r: (r[0], int(r[1])))
    write(OUT / "trends.csv", ["iso3", "year", "population", "gdp_current_usd"], trends)

    # conflicts: (iso3, conflict id) -> years, sides, incompatibility, territory, intensity
    conflicts = defaultdict(lambda: {"years": set(), "sides": set(), "inc": set(), "territory": set(),
                                     "intensity": 0, "versions": set()})
    for r in read(src / "ucdp_acd_conflict_location_years.csv"):
        if r["iso3"] not in keep:
            continue
        c = conflicts[(r["iso3"], int(r["conflict_id"]))]
        c["years"].add(int(r["year"]))
        c["sides"].add(f'{r["side_a"]} vs {r["side_b"]}')
        c["inc"].add(r["incompatibility"])
        if r["territory_name"]:
            c["territory"].add(r["territory_name"])
        c["intensity"] = max(c["intensity"], int(r["intensity_level"]))
        c["versions"].add("23.1")
    incompat = {"1": "territory", "2": "government", "3": "government and territory"}
    for r in read(src / "ucdp_acd_v25_1_rows_2023_2024.csv"):
        if r["loc_iso3"] not in keep:
            continue
        c = conflicts[(r["loc_iso3"], int(r["conflict_id"]))]
        c["years"].add(int(r["year"]))
        c["sides"].add(f'{r["side_a"]} vs {r["side_b"]}')
        c["inc"].add(incompat.get(r["incompatibility"], r["incompatibility"]))
        if r["territory_name"]:
            c["territory"].add(r["territory_name"])
        c["intensity"] = max(c["intensity"], int(r["intensity_level"]))
        c["versions"].add("25.1")
    out = []
    for (iso3, cid), c in sorted(conflicts.items(), key=lambda kv: (kv[0][0], -max(kv[1]["years"]), kv[0][1])):
        years = sorted(c["years"])
        out.append([iso3, cid, years[0], years[-1], len(years), " | ".join(sorted(c["sides"])),
                    "; ".join(sorted(c["inc"])), "; ".join(sorted(c["territory"])), c["intensity"],
                    "+".join(sorted(c["versions"]))])
    write(OUT / "conflicts.csv", ["iso3", "conflict_id", "first_year", "last_year", "active_years", "sides",
                                  "incompatibility", "territory", "max_intensity", "ucdp_version"], out)
    print(f"context: {len(rows)} States, {len(trends)} trend rows, {len(out)} conflicts")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))

"""Build model/naerhed/data/calibration_targets_2025.csv: the level of each calibrated criterion per
region in 2025, the calibration year of the present-day baseline (scenarios/baseline.yaml).

    python data-raw/build_calibration_2025.py [OUT.csv]

No public figure of any criterion for 2022-2025 was found (searched: DST Sygehusbenyttelse news
2019-2021 and its documentation, which says tables for 2022 and 2023 were published in 2024-2025
without national figures quoted in a stored page; eSundhed's key figures 2009-2022 are an interactive
view; KL's 2022 analysis quotes somatic-only figures, a different count from DST's somatic and
psychiatric one). So each 2025 level is an earlier level moved forward:

- stays per citizen: the 2021 level (DST, as in calibration_targets.csv) moved to 2025 by
  (a) ageing: the change 2021 -> 2025 of the expected acute, planned and outpatient stays per citizen
  of each region at the age-sex profiles of hospital_use_rates.csv and the packaged population of
  1 January 2021 and 2025 (population_region_sex_age.csv), and (b) the secular trend priors of
  hospital_use_trends.csv (their means, 4 years);
- virtual share: the 2019 assumption (10 %) moved by 6 years of the virtual-course trend prior and of
  the physical stays (ageing and trend, as above, from the 2019 population);
- readmission share and activity per chronic patient: the 2019 assumptions (the trend priors' means
  are 0 for readmissions and about 0 for the mix of kinds of use);
- sd (one standard deviation of the 2025 level): the 2019 file's sd, the trend priors' sds over the
  years moved (a trend is drawn once, so k years give k x sd) and the year shocks' sds over those years
  (a random walk: sqrt(k) x sd, year_shocks.csv), added in squares.

Deterministic; tests/data/test_calibration_2025.py reruns it and requires identical output.
"""

from __future__ import annotations

import csv
import io
import math
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "model" / "naerhed" / "data"

REGIONS = ((1081, "Nordjylland"), (1082, "Midtjylland"), (1083, "Syddanmark"), (1084, "Hovedstaden"),
           (1085, "Sjælland"))
YEAR = 2025
STAYS_FROM = 2021   # the year of the published stays figures
ASSUMED_FROM = 2019  # the year of the assumed levels of calibration_targets.csv
#: admissions per 1,000 citizens 2021 (DST INDL01 + FOLK1A; the national figure for the three regions
#: whose own is not public) and outpatient visits per 1,000 2021 (national), as in calibration_targets.csv
ADMISSIONS_2021 = {1081: 135.1, 1082: 121.0, 1083: 135.1, 1084: 135.1, 1085: 152.0}
OUTPATIENT_2021 = 2030.8
STAYS_SOURCE = ("https://www.dst.dk/da/Statistik/nyheder-analyser-publ/nyt/NytHtml?cid=32737 ; "
                "https://www.dst.dk/da/Statistik/nyheder-analyser-publ/nyt/NytHtml?cid=50937 ; "
                "hospital_use_trends.csv ; hospital_use_rates.csv ; population_region_sex_age.csv ; year_shocks.csv")
UNITS = {
    "stays_per_citizen": "physical hospital stays per citizen per year",
    "activity_per_chronic_dkk": "DKK per citizen with KOL and/or diabetes per year",
    "readmission_share": "share of somatic admissions followed by an acute readmission within 30 days",
    "virtual_share": "share of hospital courses that are virtual",
}


def _rows(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def expected_per_citizen(year: int) -> dict[int, dict[str, float]]:
    """Expected events per citizen [region][measure] at the age-sex profiles of hospital_use_rates.csv
    and the population of 1 January `year` (no chronic disease, frailty or calibration: the ratio of
    two years is the effect of the age-sex structure alone)."""
    rates = {}
    for r in _rows("hospital_use_rates.csv"):
        for age in range(int(r["age_lower"]), int(r["age_upper"]) + 1):
            rates[(r["measure"], r["sex"], age)] = float(r["value"])
    events: dict[int, dict[str, float]] = {code: {} for code, _ in REGIONS}
    persons = {code: 0.0 for code, _ in REGIONS}
    measures = ("acute_admissions", "planned_admissions", "outpatient_stays", "virtual_courses")
    for r in _rows("population_region_sex_age.csv"):
        if int(r["year"]) != year:
            continue
        code, n = int(r["region_code"]), float(r["population"])
        persons[code] += n
        for m in measures:
            events[code][m] = events[code].get(m, 0.0) + n * rates[(m, r["sex"], int(r["age"]))]
    return {code: {m: v / persons[code] for m, v in events[code].items()} for code in events}


def build() -> str:
    trends = {r["measure"]: (float(r["mean"]), float(r["sd"])) for r in _rows("hospital_use_trends.csv")}
    shocks = {r["series"]: float(r["sd"]) for r in _rows("year_shocks.csv") if not r["region_code"]}
    old = {(int(r["region_code"]), r["criterion"]): r for r in _rows("calibration_targets.csv")}
    if {int(r["year"]) for r in old.values()} != {ASSUMED_FROM}:
        raise SystemExit("calibration_targets.csv is expected to hold the 2019 levels")
    at_stays, at_assumed, now = expected_per_citizen(STAYS_FROM), expected_per_citizen(ASSUMED_FROM), expected_per_citizen(YEAR)
    k_stays, k_assumed = YEAR - STAYS_FROM, YEAR - ASSUMED_FROM

    def moved(measure: str, k: int, since: dict, code: int) -> float:
        """Factor of a measure per citizen over k years: ageing times the trend prior's mean."""
        return now[code][measure] / since[code][measure] * (1.0 + trends[measure][0]) ** k

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["region_code", "region", "criterion", "year", "value", "unit", "sd", "status", "source", "note"])
    for code, name in REGIONS:
        # --- stays per citizen: the 2021 level moved to 2025 ---
        acute_share = at_stays[code]["acute_admissions"] / (at_stays[code]["acute_admissions"]
                                                            + at_stays[code]["planned_admissions"])
        adm = ADMISSIONS_2021[code] / 1000
        acute, planned, outpatient = adm * acute_share, adm * (1 - acute_share), OUTPATIENT_2021 / 1000
        parts = {"acute_admissions": acute, "planned_admissions": planned, "outpatient_stays": outpatient}
        moved_parts = {m: v * moved(m, k_stays, at_stays, code) for m, v in parts.items()}
        stays = sum(moved_parts.values())
        ageing = sum(v * now[code][m] / at_stays[code][m] for m, v in parts.items()) / sum(parts.values())
        trend_var = sum((v * k_stays * trends[m][1]) ** 2 for m, v in moved_parts.items())
        shock_var = sum((v * math.sqrt(k_stays) * shocks[m]) ** 2 for m, v in moved_parts.items())
        base_sd = float(old[(code, "stays_per_citizen")]["sd"])
        sd = math.sqrt(base_sd ** 2 + trend_var + shock_var)
        writer.writerow([code, name, "stays_per_citizen", YEAR, f"{stays:.3f}", UNITS["stays_per_citizen"], f"{sd:.3f}",
                         "derived", STAYS_SOURCE,
                         f"derived: the 2021 level {sum(parts.values()):.3f} (admissions per 1,000 {ADMISSIONS_2021[code]:g}, "
                         f"of which {100 * acute_share:.0f} % acute at the model's age profiles, + outpatient visits per "
                         f"1,000 {OUTPATIENT_2021:g}; DST 2021, see calibration_targets.csv) moved to {YEAR}: ageing "
                         f"x{ageing:.4f} (expected stays per citizen at the age-sex profiles, population {STAYS_FROM} -> "
                         f"{YEAR}) and the trend priors' means over {k_stays} years (acute {trends['acute_admissions'][0]:+g}, "
                         f"planned {trends['planned_admissions'][0]:+g}, outpatient {trends['outpatient_stays'][0]:+g} a year). "
                         f"No public figure for 2022-{YEAR} was found. sd: the 2021 figure's {base_sd:g}, the trend priors' "
                         f"sds x {k_stays} years and the year shocks' sds x sqrt({k_stays}), added in squares."])
        # --- activity per chronic patient and readmission share: the 2019 assumptions carried ---
        for criterion, trend_measure in (("activity_per_chronic_dkk", None), ("readmission_share", "readmission_probability")):
            row = old[(code, criterion)]
            value, base_sd = float(row["value"]), float(row["sd"])
            if trend_measure is None:
                sd, how = base_sd, "the trend priors of the kinds of use roughly cancel (acute -1 %, outpatient +1 % a year)"
            else:
                t_mean, t_sd = trends[trend_measure]
                value *= (1 + t_mean) ** k_assumed
                rel = math.sqrt((k_assumed * t_sd) ** 2 + k_assumed * shocks[trend_measure] ** 2)
                sd = math.sqrt(base_sd ** 2 + (value * rel) ** 2)
                how = (f"the trend prior's mean {t_mean:+g} a year leaves it; sd: the 2019 sd {base_sd:g}, the trend "
                       f"prior's sd x {k_assumed} years and the year shocks' sd x sqrt({k_assumed}), added in squares")
            text = f"{value:g}" if criterion == "activity_per_chronic_dkk" else f"{value:.3f}"
            writer.writerow([code, name, criterion, YEAR, text, UNITS[criterion],
                             f"{sd:g}" if criterion == "activity_per_chronic_dkk" else f"{sd:.3f}",
                             "assumption", row["source"],
                             f"assumption: the {ASSUMED_FROM} level of calibration_targets.csv ({row['status']}: not public) "
                             f"carried to {YEAR}; {how}. Replace with the region's own eSundhed figure."])
        # --- virtual share: the 2019 assumption moved by the virtual trend and the physical stays ---
        row = old[(code, "virtual_share")]
        share0, base_sd = float(row["value"]), float(row["sd"])
        physical = ("acute_admissions", "planned_admissions", "outpatient_stays")
        p_weights = {m: at_assumed[code][m] for m in physical}
        p_factor = sum(w * moved(m, k_assumed, at_assumed, code) for m, w in p_weights.items()) / sum(p_weights.values())
        v_factor = moved("virtual_courses", k_assumed, at_assumed, code)
        v, p = share0 * v_factor, (1 - share0) * p_factor
        share = v / (v + p)
        rel = math.sqrt((k_assumed * trends["virtual_courses"][1]) ** 2 + k_assumed * shocks["virtual_courses"] ** 2)
        sd = math.sqrt(base_sd ** 2 + (share * (1 - share) * rel) ** 2)
        writer.writerow([code, name, "virtual_share", YEAR, f"{share:.3f}", UNITS["virtual_share"], f"{sd:.3f}",
                         "assumption", row["source"],
                         f"assumption: the {ASSUMED_FROM} level {share0:g} of calibration_targets.csv (the brief's default; "
                         f"not public) moved to {YEAR}: virtual courses per citizen x{v_factor:.3f} (ageing and the trend "
                         f"prior's mean {trends['virtual_courses'][0]:+g} a year over {k_assumed} years), physical stays "
                         f"x{p_factor:.3f} (ageing and their trend priors). sd: the 2019 sd {base_sd:g}, the virtual trend "
                         f"prior's sd x {k_assumed} years and its year shocks' sd x sqrt({k_assumed}) (on the log odds), "
                         "added in squares. Replace with the region's own eSundhed figure."])
    return out.getvalue()


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else DATA / "calibration_targets_2025.csv"
    target.write_text(build(), encoding="utf-8")
    print(f"wrote {target}")

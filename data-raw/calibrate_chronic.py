"""Calibrate the chronic disease parameters and write model/naerhed/data/chronic_parameters.csv.

    .venv/bin/python data-raw/calibrate_chronic.py            # calibrate, write, print the report
    .venv/bin/python data-raw/calibrate_chronic.py --check    # recompute; fail if the packaged file differs
    .venv/bin/python data-raw/calibrate_chronic.py --out F    # write to F instead

Steps (documented in model/naerhed/data/SOURCES.md, section "Chronic disease"):
1. Relative risks of death (literature, fixed here with their reasoning).
2. Growth rates that carry each base anchor (chronic_targets.csv, use = base_anchor) to the model's
   base year: KOL and type 2 at DREAM SMILE's average annual growth 2018-2050 (from its 2018 and
   2050 counts in chronic_targets.csv); type 1 at +0.5 %/year prevalence (Carstensen et al. 2020)
   times the population growth 2017-2022 (FOLK1A, data-raw/pop_national_sex_age_folk1a_2008_2022.csv).
3. Base-year counts for 2018, 2019 and 2020 (anchor * (1 + growth)^(year - anchor year)).
4. Incidence trends: with base year 2019 and the packaged demography under the default scenario
   settings, the annual relative trend of KOL and of type 2 incidence is solved (Brent's method) so
   that the expected-value cell projection (reference_projection in data-raw/chronic_projection.py)
   reaches the 2050 targets
   (use = trend_calibration) on 1 January 2050; the two are solved alternately until both are
   stable (they interact only through deaths of persons with both). Type 1: trend 0 (assumption).
The script reads only the packaged tables and data-raw; it is deterministic.
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import tempfile
from pathlib import Path

import numpy as np
from scipy.optimize import brentq

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "model"))
sys.path.insert(0, str(REPO / "data-raw"))

from chronic_projection import reference_projection  # noqa: E402
from naerhed.data import DATA_DIR, TABLES, load_population  # noqa: E402
from naerhed.health.chronic import (  # noqa: E402
    CONDITIONS,
    base_year_targets,
    build_chronic_model,
    default_death_probability,
    load_chronic_parameters,
    load_chronic_targets,
    scaled_death_probability,
)

CALIBRATION_BASE_YEAR = 2019
BASE_YEARS = (2018, 2019, 2020)
REPORT_YEARS = (2019, 2020, 2022, 2024, 2025, 2030, 2035, 2040, 2045, 2050)
T1_PREVALENCE_GROWTH = 0.005  # Carstensen et al. 2020: T1 prevalence +0.5 % a year 1996-2016
POP_FILE = REPO / "data-raw" / "pop_national_sex_age_folk1a_2008_2022.csv"
PARAMETERS_FILE = TABLES["chronic_parameters"].file

SMILE = "https://dreamgruppen.dk/nyheder/2024/juni/fremskrivning-af-udbredelsen-af-udvalgte-kroniske-sygdomme"
CARSTENSEN = "https://drc.bmj.com/content/8/1/e001064"
JENNUM = "https://pmc.ncbi.nlm.nih.gov/articles/PMC3902350"
DMEPI = ("R package Epi 2.61 data DMepi (github repo cran/Epi, data/DMepi.rda, commit "
         "2fdf3dc5a9fc3a20c1958288fd48fae421770db8)")
REGIONER = "https://www.regioner.dk/services/faktuelt/2022/faerre-danskere-bliver-diagnosticeret-med-kol"

MORTALITY_RR = {
    "kol": (2.3, "assumption", f"{JENNUM} ; https://www.kristeligt-dagblad.dk/danmark/storrygere-i-80erne-giver-danmark-kedelig-kol-rekord-i-europa",
            "Relative risk of death of a person with KOL against a person of the same age and sex without. "
            "Danish patients with a hospital COPD diagnosis 1998-2010: 12-year survival 0.364 against 0.686 "
            "for matched controls, a hazard ratio of about ln(0.364)/ln(0.686) = 2.7; register KOL also counts "
            "milder cases treated in general practice, so 2.3 (the middle of the 2.0-2.5 usually quoted). "
            "Check: at the base year the model's excess deaths among persons with KOL are of the size of the "
            "KOL deaths on death certificates (2020: 3,355 as underlying and 2,847 as contributing cause)."),
    "diabetes_t1": (2.7, "derived", f"{CARSTENSEN} ; {DMEPI}",
                    "Type 2 relative risk (1.6) times the mortality rate ratio of type 1 to type 2 at the same age "
                    "(Carstensen et al. 2020: 1.9 men, 1.6 women, about 1.7): 1.6 x 1.7 = 2.7. A constant ratio "
                    "is a simplification: the excess is larger at young ages."),
    "diabetes_t2": (1.6, "derived", DMEPI,
                    "Standardised mortality ratio of persons with diabetes (all types) 2014-2016 in DMepi: observed "
                    "deaths / deaths expected at the rates of persons without diabetes of the same sex and age = "
                    "1.64 (ages 40+: 1.63, 60+: 1.59); type 2 dominates the expected deaths, so 1.6. The ratio "
                    "falls with age (about 3 at 50, 1.3 at 85): a constant RR is a simplification."),
}


def population_growth_2017_2022() -> float:
    """Annual growth of the national population from 1 January 2017 to 1 January 2022 (FOLK1A)."""
    totals: dict[int, float] = {}
    with open(POP_FILE, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            totals[int(row["year"])] = totals.get(int(row["year"]), 0.0) + float(row["population"])
    return (totals[2022] / totals[2017]) ** (1 / 5) - 1.0, totals[2017], totals[2022]


def growth_rates(targets) -> dict[str, tuple[float, str, str, str]]:
    """base_growth per condition: (value, status, source, note)."""
    out = {}
    for name in ("kol", "diabetes_t2"):
        base = next(t for t in targets.values() if t.condition == name and t.use == "base_anchor")
        end = next(t for t in targets.values() if t.condition == name and t.use == "trend_calibration")
        g = (end.persons / base.persons) ** (1.0 / (end.year - base.year)) - 1.0
        out[name] = (round(g, 6), "derived", SMILE,
                     f"Annual growth that carries the base anchor to the base year: DREAM SMILE's average growth "
                     f"({end.persons:,.0f} / {base.persons:,.0f})^(1/{end.year - base.year}) - 1 "
                     f"(targets {base.id}, {end.id}).")
    pop_g, p17, p22 = population_growth_2017_2022()
    g1 = (1.0 + T1_PREVALENCE_GROWTH) * (1.0 + pop_g) - 1.0
    out["diabetes_t1"] = (round(g1, 6), "derived", f"{CARSTENSEN} ; DST FOLK1A (data-raw/{POP_FILE.name})",
                          f"Annual growth of the type 1 count: prevalence +0.5 % a year (Carstensen et al. 2020, "
                          f"1996-2016) times population growth 2017-2022 ({p17:,.0f} to {p22:,.0f}: "
                          f"{pop_g * 100:.3f} % a year). Gives about 28,900 in 2022 against SDCN's rounded 30,000.")
    return out


def write_parameters(path: Path, rows: list[dict]) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["parameter", "condition", "value", "status", "source", "note"],
                            lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")


def parameter_rows(growth, trends, base_persons, targets) -> list[dict]:
    rows = []
    for name in CONDITIONS:
        value, status, source, note = MORTALITY_RR[name]
        rows.append(dict(parameter="mortality_rr", condition=name, value=f"{value}", status=status, source=source,
                         note=note))
    for name in CONDITIONS:
        value, status, source, note = growth[name]
        rows.append(dict(parameter="base_growth", condition=name, value=f"{value:.6f}", status=status,
                         source=source, note=note))
    for year in BASE_YEARS:
        for c, name in enumerate(CONDITIONS):
            anchor = next(t for t in targets.values() if t.condition == name and t.use == "base_anchor")
            g = growth[name][0]
            rows.append(dict(
                parameter=f"base_persons_{year}", condition=name, value=f"{base_persons[year][c]:.0f}",
                status="derived", source=anchor.source,
                note=f"Base-year count: {anchor.persons:,.0f} ({anchor.id}) x (1 + {g:.6f})^({year} - {anchor.year}), "
                     f"rounded. The prevalence shape is scaled to it."))
    for c, name in enumerate(CONDITIONS):
        if name == "diabetes_t1":
            rows.append(dict(parameter="incidence_trend", condition=name, value="0.00000", status="assumption",
                             source=CARSTENSEN,
                             note="No projection target for type 1. Held constant: Carstensen et al. 2020 found type 1 "
                                  "incidence rising under 25 and falling above (overall -3.5 % a year 1996-2016, partly "
                                  "classification), with no clear direction for the model's purpose."))
        else:
            target = next(t for t in targets.values() if t.condition == name and t.use == "trend_calibration")
            rows.append(dict(
                parameter="incidence_trend", condition=name, value=f"{trends[c]:.5f}", status="derived",
                source=target.source,
                note=f"Calibrated by data-raw/calibrate_chronic.py: annual relative change of the incidence from "
                     f"{CALIBRATION_BASE_YEAR} such that the cell projection (base year {CALIBRATION_BASE_YEAR}, "
                     f"packaged demography, default scenario settings) reaches {target.persons:,.0f} on 1 January "
                     f"{target.year} ({target.id})."
                     + (" Negative, in line with the falling KOL incidence of the register (Danske Regioner 2022) "
                        "and DREAM's remark that KOL incidence has been falling." if name == "kol" and trends[c] < 0 else "")))
    return rows


def calibrate(model, targets) -> np.ndarray:
    """Incidence trends [condition] that bring the 2050 cell projection to the calibration targets."""
    trend = np.zeros(len(CONDITIONS))
    goals = {CONDITIONS.index(t.condition): t for t in targets.values() if t.use == "trend_calibration"}
    end_year = max(t.year for t in goals.values())
    for _ in range(6):
        previous = trend.copy()
        for c, target in goals.items():
            def gap(x, c=c, target=target):
                trial = trend.copy()
                trial[c] = x
                return reference_projection(model, end_year, incidence_trend=trial).at(target.year)[c] - target.persons
            trend[c] = brentq(gap, -0.2, 0.2, xtol=1e-9)
        if np.max(np.abs(trend - previous)) < 1e-8:
            break
    return trend


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the packaged file differs from a fresh run")
    parser.add_argument("--out", type=Path, default=DATA_DIR / PARAMETERS_FILE)
    args = parser.parse_args(argv)

    targets = load_chronic_targets()
    growth = growth_rates(targets)
    with tempfile.TemporaryDirectory() as tmp:
        provisional = Path(tmp) / PARAMETERS_FILE
        # provisional file: no base_persons rows (counts derived from the anchors), trend 0
        rows = parameter_rows(growth, np.zeros(len(CONDITIONS)), {y: np.zeros(3) for y in BASE_YEARS}, targets)
        write_parameters(provisional, [r for r in rows if not r["parameter"].startswith("base_persons_")])
        parameters = load_chronic_parameters(provisional)
        base_persons = {y: base_year_targets(y, parameters, targets) for y in BASE_YEARS}
        base_counts = load_population(CALIBRATION_BASE_YEAR)
        model = build_chronic_model(base_counts, CALIBRATION_BASE_YEAR, parameters_path=provisional)
        trends = calibrate(model, targets)
        trends = np.round(trends, 5)
        final_rows = parameter_rows(growth, trends, base_persons, targets)
        fresh = Path(tmp) / "fresh.csv"
        write_parameters(fresh, final_rows)
        if args.check:
            packaged = (DATA_DIR / PARAMETERS_FILE).read_text(encoding="utf-8")
            if packaged != fresh.read_text(encoding="utf-8"):
                print(f"{DATA_DIR / PARAMETERS_FILE} differs from a fresh calibration; rerun this script")
                return 1
            print("chronic_parameters.csv is up to date")
        else:
            write_parameters(args.out, final_rows)
            print(f"wrote {args.out}")
        report(fresh, targets, base_counts)
    return 0


def report(parameters_path: Path, targets, base_counts) -> None:
    model = build_chronic_model(base_counts, CALIBRATION_BASE_YEAR, parameters_path=parameters_path)
    projection = reference_projection(model, 2050)
    print("\nincidence trend: " + ", ".join(f"{n} {t:+.5f}" for n, t in zip(CONDITIONS, model.incidence_trend)))
    print("mortality RR: " + ", ".join(f"{n} {r}" for n, r in zip(CONDITIONS, model.mortality_rr)))
    print(f"base {CALIBRATION_BASE_YEAR}: " + ", ".join(f"{n} {p:,.0f}" for n, p in zip(CONDITIONS, model.base_persons)))
    print("\nyear   population      kol  diab_t1  diab_t2      any")
    for year in REPORT_YEARS:
        p = projection.at(year)
        st = projection.states[year - projection.years[0]]
        anyc = st.sum() - st[0, 0].sum()
        print(f"{year}  {projection.population[year - projection.years[0]]:11,.0f}  {p[0]:8,.0f} {p[1]:8,.0f} "
              f"{p[2]:8,.0f}  {anyc:9,.0f}")
    # deaths among persons with KOL at the base year, and what the same persons would have without KOL
    inc = model.incidence_probability(CALIBRATION_BASE_YEAR)
    st = projection.states[0]  # [kol, diabetes, sex, age]
    q = default_death_probability(CALIBRATION_BASE_YEAR)
    diabetes_rr = np.array([1.0, model.mortality_rr[1], model.mortality_rr[2]])[:, None, None]
    with_kol = scaled_death_probability(q[None], model.mortality_scale[None] * model.mortality_rr[0] * diabetes_rr)
    without_kol = scaled_death_probability(q[None], model.mortality_scale[None] * diabetes_rr)
    kol_deaths, kol_expected = (st[1] * with_kol).sum(), (st[1] * without_kol).sum()
    print(f"\nbase year deaths among persons with KOL: {kol_deaths:,.0f}, excess over the same persons without KOL: "
          f"{kol_deaths - kol_expected:,.0f}")
    at_risk_diabetes = st[:, 0].sum(axis=0)
    new_cases = [(st[0].sum(axis=0) * inc[0]).sum(), (at_risk_diabetes * inc[1]).sum(),
                 (at_risk_diabetes * (1 - inc[1]) * inc[2]).sum()]
    print("base year new cases (expected): " + ", ".join(f"{n} {x:,.0f}" for n, x in zip(CONDITIONS, new_cases)))
    t1_young = (st[:, 0].sum(axis=0)[:, :30] * inc[1][:, :30]).sum() / new_cases[1]
    print(f"share of type 1 incidence below age 30: {t1_young:.2f}")

    print("\nid                              target     model   deviation  tolerance  ok")
    for t in targets.values():
        value = model_value(t, model, projection, parameters_path)
        print(f"{t.id:30s} {t.persons:9,.0f} {value:9,.0f}  {t.deviation(value) * 100:+7.2f} %  {t.tolerance * 100:5.1f} %  "
              f"{'yes' if t.within(value) else 'NO'}")


def model_value(target, model, projection, parameters_path=None) -> float:
    """The model's count for a target: the cell projection from the base year on, the base-year rule
    carried back at base_growth for earlier years."""
    idx = {"kol": [0], "diabetes_t1": [1], "diabetes_t2": [2], "diabetes_all": [1, 2]}[target.condition]
    if target.year >= model.base_year:
        return float(projection.at(target.year)[idx].sum())
    parameters = load_chronic_parameters(parameters_path)
    return float(sum(model.base_persons[c] * (1 + parameters.base_growth[c]) ** (target.year - model.base_year)
                     for c in idx))


if __name__ == "__main__":
    sys.exit(main())

"""`naerhed validate-model`: every figure the model is calibrated or validated against, with the
published (or target) value, the simulated value, the difference and whether it is within the
stated tolerance.

One draw is simulated with central parameter values and no year shocks, from the scenario's base year
to 2050 (so the chronic-disease projection can be compared with DREAM's SMILE), at the given sample
fraction.
Tolerances come from the data files; for the criteria of the calibration year (calibrated in expectation) the
tolerance is four standard deviations of the chance of individual events at that sample size.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import data
from .constants import REGION_CODES, REGION_NAMES
from .data.validation_tables import load_known_outside, load_model_checks
from .demography.mortality import build_mortality, life_expectancy
from .financing.criteria import REGISTRY, names as criterion_names
from .engine import simulate_draw
from .errors import DataError
from .health.chronic import CONDITIONS, load_chronic_targets
from .health.hospital_use import Q
from .inputs import Inputs, load_inputs
from .run_spec import RunSpec

VALIDATION_END_YEAR = 2050
ACTIVITY_CV = 3.0  # assumed coefficient of variation of a chronic patient's yearly activity (for tolerances)
#: The backtest's tolerances (relative deviation of the simulated population of 1 January from the
#: population table of that year, for every year of the table after the base year; issue 13):
#: national total 0.5 %, persons aged 80+ 2 %, each region's total 1.5 %.
BACKTEST_TOLERANCE = {"total": 0.005, "persons_80plus": 0.02, "region": 0.015}


@dataclass
class Check:
    """One comparison. kind: 'calibrated' (the model is fitted to it) or 'validation' (it is not)."""

    id: str
    description: str
    kind: str
    year: int
    published: float
    simulated: float
    unit: str
    tolerance: float       # allowed absolute deviation (or the minimum, for 'at least' checks)
    at_least: bool
    source: str
    known_outside: str = ""  # why the model misses the figure, if it is known to (validation_known_outside.csv)

    @property
    def difference(self) -> float:
        return self.simulated - self.published

    @property
    def relative_difference(self) -> float:
        return self.difference / self.published if self.published else float("nan")

    @property
    def ok(self) -> bool:
        if self.at_least:
            return self.simulated >= self.published
        return abs(self.difference) <= self.tolerance


def _criterion_tolerance(criterion: str, totals: np.ndarray, weight: float) -> float:
    """Four standard deviations of a base-year criterion from the chance of events (simulated counts)."""
    simulated = lambda name: totals[Q[name]] / weight  # noqa: E731
    admissions = simulated("acute_admissions") + simulated("planned_admissions")
    stays = admissions + simulated("outpatient_stays")
    if criterion == "stays_per_citizen":
        return 4 * np.sqrt(stays) / simulated("citizens")
    if criterion == "readmission_share":
        share = simulated("readmissions") / admissions
        return 4 * np.sqrt(share * (1 - share) / admissions)
    if criterion == "virtual_share":
        total = stays + simulated("virtual_courses")
        share = simulated("virtual_courses") / total
        return 4 * np.sqrt(share * (1 - share) / total)
    mean = totals[Q["chronic_activity_dkk"]] / totals[Q["chronic_persons"]]
    return 4 * ACTIVITY_CV * mean / np.sqrt(simulated("chronic_persons"))


def run_checks(scenario, sample_fraction: float = 0.05, checks_path=None) -> list[Check]:
    """Simulate one central draw to 2050 and compare it with every calibration and validation figure."""
    scenario = scenario.model_copy(update={"end_year": max(scenario.end_year, VALIDATION_END_YEAR)})
    inputs = load_inputs(scenario)
    # the central path: no year shocks (they are chance of the world with median 0 on the log scale;
    # one draw of them would move every figure after the calibration year by a few %)
    spec = RunSpec(inputs=inputs, end_year=scenario.end_year, sample_fraction=sample_fraction, seed=scenario.seed,
                   central=True, shock_scale=0.0)
    result = simulate_draw(spec, 0)
    base = inputs.base_year
    threshold = inputs.health.use.repeated_threshold
    checks: list[Check] = []
    weight = 1.0 / sample_fraction

    def stock(year):
        return result.population[year - base]

    def period_totals(year):
        return result.hospital[year - base]  # [quantity, cell]

    targets = data.load_validation_targets()
    mortality = build_mortality(data.load_mortality_age5(), data.load_mortality_single_age(), (2017, 2018),
                                tuple(scenario.demography.mortality.trend_period))
    for s, sex in enumerate(("male", "female")):
        t = targets[f"life_expectancy_{sex}_2017_2018"]
        checks.append(Check(t.id, f"life expectancy at birth 2017/18, {'men' if s == 0 else 'women'}", "validation",
                            t.year, t.value, life_expectancy(mortality.base_rates[s], s), t.unit, t.allowed_deviation(),
                            False, t.source))
    for t in targets.values():
        if t.quantity not in ("persons_80plus", "population_total", "population_region") or not base <= t.year <= scenario.end_year:
            continue
        if t.year != base and t.allowed_deviation() == 0:
            continue  # an exact figure of the population table, not a projection target (see model_checks.csv)
        counts = stock(t.year)
        if t.quantity == "persons_80plus":
            value, what = counts[:, :, 80:].sum(), f"persons 80+ on 1 January {t.year}"
        elif t.quantity == "population_total":
            value, what = counts.sum(), f"population on 1 January {t.year}"
        else:
            r = REGION_CODES.index(t.region_code)
            value, what = counts[r].sum(), f"population of {REGION_NAMES[r]} on 1 January {t.year}"
        if t.year == base:
            what += " (base population, sampled)"
            tolerance = max(t.allowed_deviation(), 4 * np.sqrt(t.value * weight))
        else:
            tolerance = t.allowed_deviation()
        checks.append(Check(t.id, what, "validation", t.year, t.value, value, t.unit, tolerance, False, t.source))

    for row in load_model_checks(checks_path):
        year = row.year
        if not base <= year < scenario.end_year:
            continue
        if row.quantity in ("population_total", "population_region"):
            counts = stock(year)
            value = counts.sum() if row.region is None else counts[row.region].sum()
            what = "population" + ("" if row.region is None else f" of {REGION_NAMES[row.region]}") + f" on 1 January {year}"
        else:
            totals = period_totals(year)
            mun_region = inputs.demography.municipality_region
            if row.region is not None:
                in_region = np.repeat(mun_region == row.region, totals.shape[1] // mun_region.size)
                totals = totals[:, in_region]
            t = totals.sum(axis=1)
            region_words = "" if row.region is None else f" in {REGION_NAMES[row.region]}"
            if row.quantity == "deaths":
                value, what = result.events["deaths"][year - base].sum(), f"deaths in {year}"
            elif row.quantity == "births":
                births = result.events["births"][year - base]  # [mother's region, sex]
                value = births.sum() if row.region is None else births[row.region].sum()
                what = f"live births in {year}" + ("" if row.region is None else f", mothers in {REGION_NAMES[row.region]}")
            elif row.quantity == "somatic_admissions":
                value, what = t[Q["acute_admissions"]] + t[Q["planned_admissions"]], f"somatic admissions in {year}{region_words}"
            elif row.quantity == "outpatient_stays":
                value, what = t[Q["outpatient_stays"]], f"outpatient stays in {year}{region_words}"
            elif row.quantity == "admissions_per_1000":
                value = 1000 * (t[Q["acute_admissions"]] + t[Q["planned_admissions"]]) / t[Q["citizens"]]
                what = f"admissions per 1,000 citizens in {year}{region_words}"
            elif row.quantity == "repeated_acute_share_of_inpatients":
                value = t[Q["repeated_acute_inpatients"]] / t[Q["acute_inpatients"]]
                what = f"share of acute inpatients with {threshold}+ acute admissions in {year}"
            elif row.quantity == "repeated_acute_share_of_admissions":
                value = t[Q["repeated_acute_admissions"]] / t[Q["acute_admissions"]]
                what = f"share of acute admissions made by persons with {threshold}+ in {year}"
            else:
                continue
        tolerance = row.allowed_deviation()
        if row.quantity in ("births", "deaths"):  # counts of sampled persons' events: at least 4 sd of the sampling
            tolerance = max(tolerance, 4 * np.sqrt(row.value * weight))
        checks.append(Check(row.id, what, row.kind, year, row.value, float(value), row.unit,
                            tolerance, row.at_least, row.source))

    checks.extend(chronic_checks(inputs, result, base, weight))
    checks.extend(backtest_checks(inputs, result, base))

    anchor = inputs.health.calibration_year  # the calibration is anchored in the year of its file
    anchor_totals = period_totals(anchor)
    mun_region = inputs.demography.municipality_region
    n_groups = anchor_totals.shape[1] // mun_region.size
    for r, name in enumerate(REGION_NAMES):
        t = anchor_totals[:, np.repeat(mun_region == r, n_groups)].sum(axis=1)
        for c, criterion in enumerate(criterion_names(calibrated=True)):
            simulated = REGISTRY[criterion].value(lambda quantity: t[Q[quantity]])
            checks.append(Check(f"{criterion}_{REGION_CODES[r]}_{anchor}", f"{criterion} in {name}, {anchor}", "calibrated",
                                anchor, float(inputs.health.targets[c, r]), float(simulated), "",
                                float(_criterion_tolerance(criterion, t, weight)), False,
                                str(inputs.files["calibration"])))
    known = load_known_outside()
    for check in checks:
        check.known_outside = known.get(check.id, "")
    return checks


def backtest_checks(inputs: Inputs, result, base: int) -> list[Check]:
    """The backtest: the simulated population of 1 January of every year of the scenario's population
    table after the base year (packaged: 2020 from FOLK1A, 2021-2026 derived from DST's published
    totals) against that table: national total, persons aged 80+ and each region's total (persons),
    with the tolerances of BACKTEST_TOLERANCE. Years the table does not hold are left out."""
    path = inputs.files["population"]
    last_year = base + result.population.shape[0] - 1
    checks = []
    for year in range(base + 1, last_year + 1):
        try:
            observed = data.load_population(year, path=path)  # [region, sex, age]
        except DataError:
            continue
        simulated = result.population[year - base]
        figures = [(f"backtest_population_total_{year}", f"backtest: population on 1 January {year}",
                    observed.sum(), simulated.sum(), "total"),
                   (f"backtest_persons_80plus_{year}", f"backtest: persons 80+ on 1 January {year}",
                    observed[:, :, 80:].sum(), simulated[:, :, 80:].sum(), "persons_80plus")]
        figures += [(f"backtest_population_{code}_{year}", f"backtest: population of {name} on 1 January {year}",
                     observed[r].sum(), simulated[r].sum(), "region")
                    for r, (code, name) in enumerate(zip(REGION_CODES, REGION_NAMES))]
        for cid, what, value, sim, kind in figures:
            checks.append(Check(cid, what, "validation", year, float(value), float(sim), "persons",
                                BACKTEST_TOLERANCE[kind] * float(value), False, str(path)))
    return checks


def chronic_checks(inputs: Inputs, result, base: int, weight: float) -> list[Check]:
    """Persons with each condition against the published counts that fall within the run (the
    anchors of the base-year counts, the 2050 SMILE targets the trend is calibrated to, and
    validation figures); diabetes 'all types' is the sum of type 1 and type 2."""
    last_year = base + result.chronic_persons.shape[0] - 1
    checks = []
    for target in load_chronic_targets(inputs.files["chronic_targets"]).values():
        if not base <= target.year <= last_year:
            continue
        counts = result.chronic_persons[target.year - base].sum(axis=0)  # [condition]
        if target.condition in CONDITIONS:
            value = counts[CONDITIONS.index(target.condition)]
        elif target.condition in ("diabetes", "diabetes_all"):
            value = counts[CONDITIONS.index("diabetes_t1")] + counts[CONDITIONS.index("diabetes_t2")]
        else:
            continue
        kind = "validation" if target.use == "validation" else "calibrated"
        sampling = 4 * np.sqrt(target.persons * weight)
        checks.append(Check(target.id, f"persons with {target.condition.replace('_', ' ')} on 1 January {target.year}",
                            kind, target.year, target.persons, float(value), "persons",
                            max(target.tolerance * target.persons, sampling), False, target.source))
    return checks


def write_checks_csv(checks: list[Check], path: Path) -> None:
    """The comparison table as CSV (one row per figure; units in the column names)."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "description", "kind", "year", "published_or_target", "simulated", "difference",
                         "relative_difference_pct", "tolerance_absolute", "within_tolerance", "unit", "source",
                         "known_outside_reason"])
        for c in checks:
            writer.writerow([c.id, c.description, c.kind, c.year, c.published, round(c.simulated, 6),
                             round(c.difference, 6), round(100 * c.relative_difference, 3), round(c.tolerance, 6),
                             c.ok, c.unit, c.source, c.known_outside])

"""Loaders of the chronic disease tables (KOL and diabetes type 1 and 2): prevalence shapes by sex and
age group (chronic_prevalence.csv), parameters per condition (chronic_parameters.csv) and published
counts (chronic_targets.csv). Columns and allowed values are in naerhed.data.registry; conventions and
error messages as in naerhed.data.tables. The disease model built from them is naerhed.health.chronic.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..constants import MAX_AGE, N_AGES, SEXES
from ..errors import DataError
from .files import ranges
from .reader import Table, cached_build, frozen
from .registry import CONDITIONS, TABLES, TARGET_CONDITIONS, TARGET_USES, YEARS

__all__ = ["CONDITIONS", "TARGET_CONDITIONS", "TARGET_USES", "ChronicTarget", "ChronicParameters",
           "group_values_to_single_ages", "load_chronic_prevalence", "load_chronic_parameters",
           "load_chronic_targets"]

N_CONDITIONS = len(CONDITIONS)


@dataclass(frozen=True)
class ChronicTarget:
    """A published (or derived) national count of persons with a condition.

    use: "base_anchor" (the count the base-year target is carried from), "trend_calibration" (the
    incidence trend is calibrated to reach it) or "validation". tolerance: relative.
    """

    id: str
    condition: str
    year: int
    persons: float
    use: str
    tolerance: float
    status: str = ""
    source: str = ""
    note: str = field(default="", compare=False)

    def within(self, x: float) -> bool:
        """True if `x` is within the relative tolerance of the target (plus half a person, for
        counts rounded to whole persons)."""
        return abs(float(x) - self.persons) <= self.tolerance * self.persons + 0.5

    def deviation(self, x: float) -> float:
        """Relative deviation (x - persons) / persons."""
        return (float(x) - self.persons) / self.persons


@dataclass
class ChronicParameters:
    """mortality_rr, incidence_trend, base_growth: [condition]; base_persons: {year: [condition]}
    (NaN where the file gives no count for a condition in that year)."""

    mortality_rr: np.ndarray
    incidence_trend: np.ndarray
    base_growth: np.ndarray
    base_persons: dict[int, np.ndarray]


# ---------------------------------------------------------------------------------------------
# Prevalence shapes
# ---------------------------------------------------------------------------------------------
def group_values_to_single_ages(age_lower, age_upper, values) -> np.ndarray:
    """Single-age values 0..MAX_AGE from age-group values (groups covering every age once).

    Linear interpolation between group mid-points (a group wider than 5 years is anchored at the
    middle of its first five years), constant beyond the first and last mid-point; ages in a group
    whose value is 0 stay exactly 0. Not mean-preserving: meant for shapes whose level is set elsewhere.
    """
    lo = np.asarray(age_lower, dtype=float)
    hi = np.asarray(age_upper, dtype=float)
    v = np.asarray(values, dtype=float)
    order = np.argsort(lo)
    lo, hi, v = lo[order], hi[order], v[order]
    anchors = (lo + np.minimum(hi, lo + 4) + 1.0) / 2.0
    ages = np.arange(N_AGES)
    out = np.interp(ages + 0.5, anchors, v)
    group = np.searchsorted(lo, ages, side="right") - 1
    out[v[group] == 0] = 0.0
    return out


@cached_build(TABLES["chronic_prevalence"])
def _prevalence(table: Table) -> np.ndarray:
    """Shapes [condition, sex, age] (read-only)."""
    condition = np.array([CONDITIONS.index(c) for c in table["condition"]], dtype=np.int64)
    lo, hi, share, lines = table["age_lower"], table["age_upper"], table["prevalence_share"], table.lines
    shape = np.zeros((N_CONDITIONS, 2, N_AGES))
    problems = []
    for c in range(N_CONDITIONS):
        for s in range(2):
            rows = np.flatnonzero((condition == c) & (table["sex"] == s))
            rows = rows[np.lexsort((lines[rows], share[rows], hi[rows], lo[rows]))]  # by age_lower, age_upper, ...
            covered = np.zeros(N_AGES, dtype=np.int64)
            for i in rows:
                covered[lo[i] : hi[i] + 1] += 1
                if covered[lo[i] : hi[i] + 1].max() > 1:
                    raise table.error(int(lines[i]), "age_lower",
                                      f"ages {lo[i]}-{hi[i]} overlap another row of {CONDITIONS[c]}, {SEXES[s]}")
            missing = np.flatnonzero(covered == 0)
            if missing.size:
                problems.append(f"{CONDITIONS[c]}, {SEXES[s]}: ages {ranges(missing.tolist())}")
                continue
            shape[c, s] = group_values_to_single_ages(lo[rows], hi[rows], share[rows])
    if problems:
        raise DataError(f"{table.path}: missing rows (every condition and sex needs ages 0-{MAX_AGE}, column "
                        f"'age_lower'/'age_upper'): " + "; ".join(problems))
    return frozen(shape)


def load_chronic_prevalence(path=None) -> np.ndarray:
    """Prevalence shapes [condition, sex, age] (share of persons, single ages) from
    chronic_prevalence.csv or the user's file in the same format (age groups, any widths)."""
    return _prevalence(path).copy()


# ---------------------------------------------------------------------------------------------
# Parameters
# ---------------------------------------------------------------------------------------------
_BASE_PERSONS = "base_persons_"


@cached_build(TABLES["chronic_parameters"])
def _parameters(table: Table):
    name, value, lines = table["parameter"], table["value"], table.lines
    condition = np.array([CONDITIONS.index(c) for c in table["condition"]], dtype=np.int64)
    table.check("value", name == "mortality_rr", positive=True, hi=50.0, what="relative risk")
    for i in np.flatnonzero((name == "incidence_trend") | (name == "base_growth")):
        if not -0.5 < value[i] < 0.5:
            raise table.error(int(lines[i]), "value", f"{name[i]} {value[i].item()} is out of range; allowed: -0.5 < "
                                                      "value < 0.5 (annual relative change, e.g. -0.01 = 1 % less each year)")
    counts = np.flatnonzero([n.startswith(_BASE_PERSONS) for n in name])
    for i in counts:
        year = int(name[i][len(_BASE_PERSONS):])
        if not YEARS[0] <= year <= YEARS[1]:
            raise table.error(int(lines[i]), "parameter",
                              f"year {year} in {name[i]!r} is out of range; allowed: {YEARS[0]}..{YEARS[1]}")
    table.check("value", np.isin(np.arange(len(table)), counts), positive=True, what="persons")
    values = {}
    for parameter in ("mortality_rr", "incidence_trend", "base_growth"):
        values[parameter] = np.full(N_CONDITIONS, np.nan)
        rows = name == parameter
        values[parameter][condition[rows]] = value[rows]
    persons: dict[int, np.ndarray] = {}
    for i in counts:
        persons.setdefault(int(name[i][len(_BASE_PERSONS):]), np.full(N_CONDITIONS, np.nan))[condition[i]] = value[i]
    missing = [f"{parameter} for {CONDITIONS[c]}" for parameter, v in values.items() for c in range(N_CONDITIONS)
               if np.isnan(v[c])]
    if missing:
        raise DataError(f"{table.path}: missing rows (columns 'parameter', 'condition'): {'; '.join(missing)}")
    return (frozen(values["mortality_rr"]), frozen(values["incidence_trend"]), frozen(values["base_growth"]),
            {year: frozen(v) for year, v in persons.items()})


def load_chronic_parameters(path=None) -> ChronicParameters:
    """Relative risks of death, incidence trends, growth rates and base-year counts per condition
    from chronic_parameters.csv or the user's file in the same format."""
    rr, trend, growth, persons = _parameters(path)
    return ChronicParameters(mortality_rr=rr.copy(), incidence_trend=trend.copy(), base_growth=growth.copy(),
                             base_persons={y: v.copy() for y, v in persons.items()})


# ---------------------------------------------------------------------------------------------
# Targets
# ---------------------------------------------------------------------------------------------
@cached_build(TABLES["chronic_targets"])
def _targets(table: Table) -> dict[str, ChronicTarget]:
    out: dict[str, ChronicTarget] = {}
    anchors: dict[str, str] = {}
    for i, tid in enumerate(table["id"]):
        condition, use = table["condition"][i], table["use"][i]
        if use == "base_anchor":
            if condition == "diabetes_all":
                raise table.error(int(table.lines[i]), "use",
                                  "a base_anchor must be about one condition (kol, diabetes_t1 or diabetes_t2)")
            if condition in anchors:
                raise DataError(f"{table.path}: column 'use': two base_anchor rows for {condition} "
                                f"({anchors[condition]!r} and {tid!r}); allowed: one per condition")
            anchors[condition] = tid
        out[tid] = ChronicTarget(id=tid, condition=condition, year=int(table["year"][i]),
                                 persons=float(table["persons"][i]), use=use,
                                 tolerance=float(table["tolerance"][i]), status=table["status"][i],
                                 source=table["source"][i], note=table["note"][i])
    return out


def load_chronic_targets(path=None) -> dict[str, ChronicTarget]:
    """Published counts of persons with KOL and diabetes (anchors, calibration and validation
    targets), keyed by id, from chronic_targets.csv or the user's file in the same format."""
    return dict(_targets(path))

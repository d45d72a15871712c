"""Chronic disease: KOL (COPD) and diabetes type 1 and type 2, one bit each in a per-person uint8.

State: `chronic` is a uint8 array, one element per person, with the bits KOL = 1, DIABETES_T1 = 2,
DIABETES_T2 = 4. A person never has both diabetes types. `has_chronic` (KOL and/or diabetes) is the
population of criterion 2 (hospital activity per citizen with chronic disease).

Model (all rates by sex and single age 0..MAX_AGE, arrays [condition, sex, age] in CONDITIONS order):

- Base-year prevalence: the packaged age-sex *shapes* (chronic_prevalence.csv), each scaled by one
  factor per condition so that the national count at the base year equals the base-year target
  (the published anchor count carried to the base year at a stated growth rate; see
  chronic_parameters.csv, chronic_targets.csv and data/SOURCES.md). Only the shape comes from the
  prevalence file; the level comes from the targets.
- Excess mortality: a person's death hazard is the population hazard times
  mortality_scale[sex, age] * relative_risk(chronic), where relative_risk is the product of the
  relative risks of the person's conditions and mortality_scale = 1 / (mean relative risk of the
  age-sex cell at the base year), so that total deaths at the base year equal the population's.
  Use `scaled_death_probability(q, factor)` to turn a population death probability into a person's.
- Incidence: the annual probability that a person without the condition gets it, by age on
  1 January, derived from the base-year prevalence gradient over age under a stationary-state
  assumption (the share with the condition at age a+1 is the share at age a after excess mortality
  plus the incidence among those without it), clipped to [0, 1]. It changes by a calibrated
  annual relative trend per condition: incidence(year) = incidence * (1 + trend)^(year - base_year).
  The trends are calibrated offline (data-raw/calibrate_chronic.py) so that the cell projection
  reaches DREAM's SMILE counts for 2050.

Random numbers are common random numbers by person id (naerhed.streams), one stream per condition
and decision: "chronic_initial:<condition>" and "chronic_incidence:<condition>".

Order of one simulated year, as in `project_cells` (and as the engine should do it): deaths (age on
1 January, hazard scaled by mortality_scale * relative_risk) -> incidence among the survivors (age
on 1 January) -> births (newborns without chronic disease) -> ageing -> net migration (immigrants
drawn with `initial_states`, i.e. the base-year prevalence of their age and sex).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..constants import MAX_AGE, N_AGES, SEXES
from ..data.tables import _Table, _ranges, _resolve, _stamp
from ..errors import DataError
from ..streams import RandomStreams

KOL = 1
DIABETES_T1 = 2
DIABETES_T2 = 4
CONDITIONS = ("kol", "diabetes_t1", "diabetes_t2")
FLAGS = (KOL, DIABETES_T1, DIABETES_T2)
N_CONDITIONS = len(CONDITIONS)
DIABETES = DIABETES_T1 | DIABETES_T2
ANY_CHRONIC = KOL | DIABETES
#: Target rows may also be about both diabetes types together.
TARGET_CONDITIONS = CONDITIONS + ("diabetes_all",)
#: How a target row is used: the anchor of the base-year count, the 2050 calibration of the incidence
#: trend (both calibration targets), or validation only.
TARGET_USES = ("base_anchor", "trend_calibration", "validation")

PREVALENCE_FILE = "chronic_prevalence.csv"
PARAMETERS_FILE = "chronic_parameters.csv"
TARGETS_FILE = "chronic_targets.csv"

#: Mortality settings of the default scenario, used when build_chronic_model is given no death
#: probabilities (the incidence derivation needs the base-year survival).
DEFAULT_MORTALITY_BASE_PERIOD = (2017, 2018)
DEFAULT_MORTALITY_TREND_PERIOD = (2008, 2019)


# ---------------------------------------------------------------------------------------------
# State helpers
# ---------------------------------------------------------------------------------------------
def has_chronic(chronic: np.ndarray) -> np.ndarray:
    """True where the person has KOL and/or diabetes (either type): the criterion-2 population."""
    return (np.asarray(chronic) & ANY_CHRONIC) != 0


def has_condition(chronic: np.ndarray, condition: str) -> np.ndarray:
    """True where the person has `condition` (one of CONDITIONS)."""
    return (np.asarray(chronic) & FLAGS[_condition_index(condition)]) != 0


def condition_counts(chronic: np.ndarray) -> np.ndarray:
    """Number of persons with each condition [condition] (int64), in one pass over the array."""
    by_code = np.bincount(np.asarray(chronic, dtype=np.uint8), minlength=256)[:8]
    codes = np.arange(8)
    return np.array([by_code[(codes & flag) != 0].sum() for flag in FLAGS], dtype=np.int64)


def _condition_index(condition: str) -> int:
    try:
        return CONDITIONS.index(condition)
    except ValueError:
        raise KeyError(f"unknown condition {condition!r}; allowed: {', '.join(CONDITIONS)}") from None


def relative_risk_table(mortality_rr: np.ndarray) -> np.ndarray:
    """Relative risk of death [code] for every state code 0..7: the product of the relative risks of
    the conditions whose bits are set."""
    codes = np.arange(8)
    table = np.ones(8)
    for flag, rr in zip(FLAGS, mortality_rr):
        table = np.where((codes & flag) != 0, table * rr, table)
    return table


def _joint_weights(prevalence: np.ndarray) -> np.ndarray:
    """Shares [kol (0/1), diabetes (none/T1/T2), sex, age] of the joint states when KOL and diabetes
    are independent (as initial_states draws them)."""
    pk, p1, p2 = prevalence
    kol = np.stack([1.0 - pk, pk])
    diabetes = np.stack([1.0 - p1 - p2, p1, p2])
    return kol[:, None] * diabetes[None, :]


def _joint_rr(mortality_rr: np.ndarray) -> np.ndarray:
    """Relative risk [kol (0/1), diabetes (none/T1/T2)]."""
    rk, r1, r2 = mortality_rr
    return np.array([[1.0, r1, r2], [rk, rk * r1, rk * r2]])


def cell_mortality_scale(prevalence: np.ndarray, mortality_rr: np.ndarray) -> np.ndarray:
    """1 / mean relative risk [sex, age] of persons in each age-sex cell at the given prevalence
    [condition, sex, age] (KOL independent of diabetes; T1 and T2 exclusive)."""
    weights = _joint_weights(prevalence)
    mean_rr = (weights * _joint_rr(mortality_rr)[:, :, None, None]).sum(axis=(0, 1))
    return 1.0 / mean_rr


def scaled_death_probability(q: np.ndarray, factor: np.ndarray) -> np.ndarray:
    """Probability of dying in the year when the hazard behind probability `q` is multiplied by
    `factor` (e.g. mortality_scale * relative_risk): 1 - (1 - q)^factor."""
    with np.errstate(divide="ignore"):  # q = 1 gives log 0 = -inf and probability 1, as it should
        return -np.expm1(np.log1p(-np.asarray(q, dtype=np.float64)) * factor)


# ---------------------------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------------------------
@dataclass
class ChronicModel:
    """Chronic disease rates of one run.

    prevalence [condition, sex, age]: share with the condition on 1 January of base_year;
    incidence [condition, sex, age]: annual probability at base_year for a person without the
    condition (and, for diabetes, without either type), by age on 1 January;
    incidence_trend [condition]: annual relative change of incidence; mortality_rr [condition];
    mortality_scale [sex, age]: 1 / base-year mean relative risk of the cell;
    base_persons [condition]: national persons with each condition at base_year (the targets).
    """

    prevalence: np.ndarray
    incidence: np.ndarray
    incidence_trend: np.ndarray
    mortality_rr: np.ndarray
    mortality_scale: np.ndarray
    base_year: int
    base_persons: np.ndarray = field(default_factory=lambda: np.zeros(N_CONDITIONS))

    def __post_init__(self) -> None:
        self._rr_table = relative_risk_table(np.asarray(self.mortality_rr, dtype=np.float64))
        self._rr_table32 = self._rr_table.astype(np.float32)

    # --- states ---------------------------------------------------------------------------
    def initial_states(self, age: np.ndarray, sex: np.ndarray, ids: np.ndarray, n_ids: int,
                       streams: RandomStreams, year: int) -> np.ndarray:
        """Chronic states (uint8) drawn at the base-year prevalence of each person's age and sex.

        One stream per condition ("chronic_initial:<condition>", keyed by `year` and person id):
        KOL independently of diabetes; type 1 with its prevalence p1, type 2 only without type 1,
        with probability p2 / (1 - p1), so that its share is p2 and nobody has both.
        """
        cell = _cells(age, sex)
        pk, p1, p2 = (self.prevalence[c].reshape(-1)[cell] for c in range(N_CONDITIONS))
        u = [streams.uniform_by_id(f"chronic_initial:{name}", year, ids, n_ids) for name in CONDITIONS]
        kol = u[0] < pk
        t1 = u[1] < p1
        t2 = ~t1 & (u[2] < p2 / np.maximum(1.0 - p1, 1e-12))
        return (kol * np.uint8(KOL) | t1 * np.uint8(DIABETES_T1) | t2 * np.uint8(DIABETES_T2)).astype(np.uint8)

    def relative_risk(self, chronic: np.ndarray) -> np.ndarray:
        """Relative risk of death (float32) of each person: product of the RRs of their conditions."""
        return self._rr_table32[np.asarray(chronic, dtype=np.uint8)]

    def death_factor(self, chronic: np.ndarray, age: np.ndarray, sex: np.ndarray) -> np.ndarray:
        """mortality_scale[sex, age] * relative_risk(chronic): the multiplier of each person's
        population death hazard (float64)."""
        return self.mortality_scale.reshape(-1)[_cells(age, sex)] * self._rr_table[np.asarray(chronic, dtype=np.uint8)]

    # --- incidence -------------------------------------------------------------------------
    def incidence_probability(self, year: int, incidence_trend: np.ndarray | None = None) -> np.ndarray:
        """Annual incidence probabilities [condition, sex, age] in calendar year `year`
        (the base-year incidence times (1 + trend)^(year - base_year), clipped to [0, 1])."""
        trend = self.incidence_trend if incidence_trend is None else np.asarray(incidence_trend, dtype=np.float64)
        factor = (1.0 + trend) ** (int(year) - self.base_year)
        return np.clip(self.incidence * factor[:, None, None], 0.0, 1.0)

    def apply_incidence(self, chronic: np.ndarray, age: np.ndarray, sex: np.ndarray, ids: np.ndarray,
                        n_ids: int, streams: RandomStreams, year: int) -> tuple[np.ndarray, np.ndarray]:
        """New chronic states after one year's incidence (age on 1 January of `year`).

        Returns (new_chronic, new_cases [condition], counts of simulated persons). KOL and diabetes
        are drawn independently; among persons without diabetes, type 1 first (probability i1), then
        type 2 among those not getting type 1 (probability i2), so nobody gets both.
        """
        chronic = np.asarray(chronic, dtype=np.uint8)
        cell = _cells(age, sex)
        rates = self.incidence_probability(year)
        u = [streams.uniform_by_id(f"chronic_incidence:{name}", year, ids, n_ids) for name in CONDITIONS]
        new_kol = ((chronic & KOL) == 0) & (u[0] < rates[0].reshape(-1)[cell])
        no_diabetes = (chronic & DIABETES) == 0
        new_t1 = no_diabetes & (u[1] < rates[1].reshape(-1)[cell])
        new_t2 = no_diabetes & ~new_t1 & (u[2] < rates[2].reshape(-1)[cell])
        updated = chronic | (new_kol * np.uint8(KOL)) | (new_t1 * np.uint8(DIABETES_T1)) | (new_t2 * np.uint8(DIABETES_T2))
        new_cases = np.array([np.count_nonzero(new_kol), np.count_nonzero(new_t1), np.count_nonzero(new_t2)],
                             dtype=np.int64)
        return updated.astype(np.uint8, copy=False), new_cases

    def expected_base_counts(self, counts: np.ndarray) -> np.ndarray:
        """Expected persons with each condition [condition] in a population `counts` ([sex, age] or
        [region, sex, age]) at the base-year prevalence."""
        national = np.asarray(counts, dtype=np.float64)
        if national.ndim == 3:
            national = national.sum(axis=0)
        return (self.prevalence * national[None]).sum(axis=(1, 2))


def _cells(age: np.ndarray, sex: np.ndarray) -> np.ndarray:
    """Flat index sex * N_AGES + age (int64) into [sex, age] arrays."""
    return np.asarray(sex, dtype=np.int64) * N_AGES + np.asarray(age, dtype=np.int64)


# ---------------------------------------------------------------------------------------------
# Incidence from the prevalence gradient
# ---------------------------------------------------------------------------------------------
def derive_incidence(prevalence: np.ndarray, death_probability: np.ndarray, mortality_rr: np.ndarray,
                     mortality_scale: np.ndarray) -> np.ndarray:
    """Incidence [condition, sex, age] that keeps the age profile of `prevalence` in a stationary
    population with the given death probabilities [sex, age] (age on 1 January).

    Over one year a person aged a dies with probability 1 - (1 - q)^(scale * RR); among the
    survivors, those without the condition get it with probability i(a). With A1 the surviving
    persons with the condition and A0 those without (per person alive at age a) and T = A0 + A1,
    the share at age a+1 is p(a+1) = (A1 + A0 i) / T, so i = (p(a+1) T - A1) / A0. The survival of
    each group averages over the other condition (KOL independent of diabetes). For diabetes the
    persons at risk are those without either type; type 1 comes first, type 2 among the rest.
    Results are clipped to [0, 1]; the open age MAX_AGE gets the rate of MAX_AGE - 1.
    """
    q = np.asarray(death_probability, dtype=np.float64)
    log_survival = np.log1p(-np.minimum(q, 1.0 - 1e-12)) * mortality_scale  # log survival at RR 1, [sex, age]
    weights = _joint_weights(prevalence)  # [kol, diabetes, sex, age]
    rr = _joint_rr(mortality_rr)
    survival = np.exp(log_survival[None, None] * rr[:, :, None, None])  # [kol, diabetes, sex, age]
    alive = weights * survival

    def next_age(p):
        return np.concatenate([p[:, 1:], p[:, -1:]], axis=1)

    incidence = np.zeros_like(prevalence, dtype=np.float64)
    total = alive.sum(axis=(0, 1))
    # KOL
    with_kol, without_kol = alive[1].sum(axis=0), alive[0].sum(axis=0)
    incidence[0] = _safe_ratio(next_age(prevalence[0]) * total - with_kol, without_kol)
    # diabetes: type 1 then type 2 among persons without diabetes
    none, t1, t2 = alive[:, 0].sum(axis=0), alive[:, 1].sum(axis=0), alive[:, 2].sum(axis=0)
    incidence[1] = _safe_ratio(next_age(prevalence[1]) * total - t1, none)
    incidence[2] = _safe_ratio(next_age(prevalence[2]) * total - t2, none * (1.0 - incidence[1]))
    incidence[:, :, MAX_AGE] = incidence[:, :, MAX_AGE - 1]
    return incidence


def _safe_ratio(numerator: np.ndarray, denominator: np.ndarray) -> np.ndarray:
    out = np.where(denominator > 0, numerator / np.where(denominator > 0, denominator, 1.0), 0.0)
    return np.clip(out, 0.0, 1.0)


# ---------------------------------------------------------------------------------------------
# Loaders (same conventions as naerhed.data.tables: DataError naming file, line and column)
# ---------------------------------------------------------------------------------------------
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


def _condition(table: _Table, line: int, record, allowed=CONDITIONS) -> int:
    raw = table.text(line, record, "condition")
    if raw not in allowed:
        raise table.error(line, "condition", f"unknown condition {raw!r}; allowed: {', '.join(allowed)}")
    return allowed.index(raw)


@lru_cache(maxsize=8)
def _parse_prevalence(stamp):
    path = Path(stamp[0])
    table = _Table(path, ("condition", "sex", "age_lower", "age_upper", "prevalence_share"))
    groups: dict[tuple[int, int], list[tuple[int, int, float, int]]] = {}
    for line, record in table.rows:
        c = _condition(table, line, record)
        s = table.sex(line, record)
        lo = table.integer(line, record, "age_lower", 0, MAX_AGE)
        hi = table.integer(line, record, "age_upper", lo, MAX_AGE)
        value = table.number(line, record, "prevalence_share", nonneg=True, hi=1.0, what="prevalence_share")
        groups.setdefault((c, s), []).append((lo, hi, value, line))
    if not table.rows:
        raise DataError(f"{path}: no data rows")
    shape = np.zeros((N_CONDITIONS, 2, N_AGES))
    problems = []
    for c in range(N_CONDITIONS):
        for s in range(2):
            rows = sorted(groups.get((c, s), []))
            covered = np.zeros(N_AGES, dtype=np.int64)
            for lo, hi, _, line in rows:
                covered[lo : hi + 1] += 1
                if covered[lo : hi + 1].max() > 1:
                    raise table.error(line, "age_lower",
                                      f"ages {lo}-{hi} overlap another row of {CONDITIONS[c]}, {SEXES[s]}")
            missing = np.flatnonzero(covered == 0)
            if missing.size:
                problems.append(f"{CONDITIONS[c]}, {SEXES[s]}: ages {_ranges(missing.tolist())}")
                continue
            shape[c, s] = group_values_to_single_ages([r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows])
    if problems:
        raise DataError(f"{path}: missing rows (every condition and sex needs ages 0-{MAX_AGE}, column "
                        f"'age_lower'/'age_upper'): " + "; ".join(problems))
    shape.setflags(write=False)
    return shape


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


def load_chronic_prevalence(path=None) -> np.ndarray:
    """Prevalence shapes [condition, sex, age] (share of persons, single ages) from
    chronic_prevalence.csv or the user's file in the same format (age groups, any widths)."""
    return _parse_prevalence(_stamp(_resolve(path, PREVALENCE_FILE))).copy()


PARAMETER_NAMES = ("mortality_rr", "incidence_trend", "base_growth", "base_persons_<year>")


@lru_cache(maxsize=8)
def _parse_parameters(stamp):
    path = Path(stamp[0])
    table = _Table(path, ("parameter", "condition", "value"))
    values = {name: np.full(N_CONDITIONS, np.nan) for name in ("mortality_rr", "incidence_trend", "base_growth")}
    persons: dict[int, np.ndarray] = {}
    for line, record in table.rows:
        name = table.text(line, record, "parameter")
        c = _condition(table, line, record)
        if name == "mortality_rr":
            value = table.number(line, record, "value", positive=True, hi=50.0, what="relative risk")
        elif name in ("incidence_trend", "base_growth"):
            value = table.number(line, record, "value", what=name)
            if not -0.5 < value < 0.5:
                raise table.error(line, "value", f"{name} {value} is out of range; allowed: -0.5 < value < 0.5 "
                                                 "(annual relative change, e.g. -0.01 = 1 % less each year)")
        elif name.startswith("base_persons_") and name[len("base_persons_"):].isdigit():
            year = int(name[len("base_persons_"):])
            if not 1900 <= year <= 2200:
                raise table.error(line, "parameter", f"year {year} in {name!r} is out of range; allowed: 1900..2200")
            value = table.number(line, record, "value", positive=True, what="persons")
            row = persons.setdefault(year, np.full(N_CONDITIONS, np.nan))
            if not np.isnan(row[c]):
                raise table.error(line, None, f"duplicate row for {name}, {CONDITIONS[c]}")
            row[c] = value
            continue
        else:
            raise table.error(line, "parameter", f"unknown parameter {name!r}; allowed: {', '.join(PARAMETER_NAMES)}")
        if not np.isnan(values[name][c]):
            raise table.error(line, None, f"duplicate row for {name}, {CONDITIONS[c]}")
        values[name][c] = value
    missing = [f"{name} for {CONDITIONS[c]}" for name, v in values.items() for c in range(N_CONDITIONS) if np.isnan(v[c])]
    if missing:
        raise DataError(f"{path}: missing rows (columns 'parameter', 'condition'): {'; '.join(missing)}")
    return values["mortality_rr"], values["incidence_trend"], values["base_growth"], persons


def load_chronic_parameters(path=None) -> ChronicParameters:
    """Relative risks of death, incidence trends, growth rates and base-year counts per condition
    from chronic_parameters.csv or the user's file in the same format."""
    rr, trend, growth, persons = _parse_parameters(_stamp(_resolve(path, PARAMETERS_FILE)))
    return ChronicParameters(mortality_rr=rr.copy(), incidence_trend=trend.copy(), base_growth=growth.copy(),
                             base_persons={y: v.copy() for y, v in persons.items()})


@lru_cache(maxsize=8)
def _parse_targets(stamp) -> dict[str, ChronicTarget]:
    path = Path(stamp[0])
    table = _Table(path, ("id", "condition", "year", "persons", "use", "tolerance"))
    out: dict[str, ChronicTarget] = {}
    for line, record in table.rows:
        tid = table.new_id(line, record, out)
        condition = TARGET_CONDITIONS[_condition(table, line, record, TARGET_CONDITIONS)]
        use = table.text(line, record, "use")
        if use not in TARGET_USES:
            raise table.error(line, "use", f"{use!r} not allowed; allowed: {', '.join(TARGET_USES)}")
        if use == "base_anchor" and condition == "diabetes_all":
            raise table.error(line, "use", "a base_anchor must be about one condition (kol, diabetes_t1 or diabetes_t2)")
        out[tid] = ChronicTarget(
            id=tid,
            condition=condition,
            year=table.integer(line, record, "year", 1900, 2200),
            persons=table.number(line, record, "persons", positive=True, what="persons"),
            use=use,
            tolerance=table.number(line, record, "tolerance", nonneg=True, hi=1.0, what="tolerance (relative)"),
            status=table.text(line, record, "status") if table.has("status") else "",
            source=table.text(line, record, "source") if table.has("source") else "",
            note=table.text(line, record, "note") if table.has("note") else "",
        )
    if not out:
        raise DataError(f"{path}: no data rows")
    anchors: dict[str, str] = {}
    for t in out.values():
        if t.use == "base_anchor":
            if t.condition in anchors:
                raise DataError(f"{path}: column 'use': two base_anchor rows for {t.condition} "
                                f"({anchors[t.condition]!r} and {t.id!r}); allowed: one per condition")
            anchors[t.condition] = t.id
    return out


def load_chronic_targets(path=None) -> dict[str, ChronicTarget]:
    """Published counts of persons with KOL and diabetes (anchors, calibration and validation
    targets), keyed by id, from chronic_targets.csv or the user's file in the same format."""
    return dict(_parse_targets(_stamp(_resolve(path, TARGETS_FILE))))


# ---------------------------------------------------------------------------------------------
# Building the model
# ---------------------------------------------------------------------------------------------
def base_year_targets(base_year: int, parameters: ChronicParameters, targets: dict[str, ChronicTarget],
                      parameters_file=None, targets_file=None) -> np.ndarray:
    """National persons with each condition at base_year [condition].

    A `base_persons_<base_year>` row of the parameters is used as it is; otherwise the condition's
    base_anchor target is carried to the base year at its base_growth rate:
    anchor.persons * (1 + base_growth)^(base_year - anchor.year).
    """
    given = parameters.base_persons.get(int(base_year), np.full(N_CONDITIONS, np.nan))
    out = np.empty(N_CONDITIONS)
    anchors = {t.condition: t for t in targets.values() if t.use == "base_anchor"}
    for c, name in enumerate(CONDITIONS):
        if not np.isnan(given[c]):
            out[c] = given[c]
            continue
        anchor = anchors.get(name)
        if anchor is None:
            raise DataError(
                f"no base-year count for {name} in {base_year}: {parameters_file or PARAMETERS_FILE} has no row "
                f"'base_persons_{base_year}' for it and {targets_file or TARGETS_FILE} has no base_anchor row for it "
                f"(column 'use')")
        out[c] = anchor.persons * (1.0 + parameters.base_growth[c]) ** (int(base_year) - anchor.year)
    return out


def default_death_probability(year: int) -> np.ndarray:
    """Population death probabilities [sex, age] in `year` from the packaged mortality tables with
    the default scenario's settings (base period 2017-2018, trend improvement 2008-2019)."""
    from ..data import load_mortality_age5, load_mortality_single_age
    from ..demography.mortality import build_mortality, death_probabilities

    mortality = build_mortality(load_mortality_age5(), load_mortality_single_age(),
                                base_period=DEFAULT_MORTALITY_BASE_PERIOD,
                                trend_period=DEFAULT_MORTALITY_TREND_PERIOD, improvement="trend")
    return death_probabilities(mortality.rates(int(year)))


def build_chronic_model(base_counts: np.ndarray, base_year: int, prevalence_path=None, parameters_path=None,
                        targets_path=None, death_probability: np.ndarray | None = None) -> ChronicModel:
    """The chronic disease model for a run starting on 1 January of `base_year`.

    base_counts: persons [region, sex, age] (or [sex, age]) on 1 January of base_year.
    death_probability: population death probabilities [sex, age] in base_year (age on 1 January),
    e.g. naerhed.demography.mortality.death_probabilities(mortality.rates(base_year)); None uses the
    packaged mortality with the default scenario settings.
    Paths: None uses the packaged tables; otherwise the user's files in the same format.
    """
    counts = np.asarray(base_counts, dtype=np.float64)
    national = counts.sum(axis=0) if counts.ndim == 3 else counts
    if national.shape != (2, N_AGES):
        raise ValueError(f"base_counts must be [region, sex, age] or [sex, age] with {N_AGES} ages, got {counts.shape}")
    shape = load_chronic_prevalence(prevalence_path)
    parameters = load_chronic_parameters(parameters_path)
    targets = load_chronic_targets(targets_path)
    base_persons = base_year_targets(base_year, parameters, targets, parameters_path, targets_path)

    prevalence = np.empty_like(shape)
    prevalence_file = prevalence_path or PREVALENCE_FILE
    for c, name in enumerate(CONDITIONS):
        expected = float((shape[c] * national).sum())
        if expected <= 0:
            raise DataError(f"{prevalence_file}: column 'prevalence_share': the shape of {name} is zero at every "
                            "age and sex with persons, so it cannot be scaled to the base-year count")
        prevalence[c] = shape[c] * (base_persons[c] / expected)
    if prevalence.max() > 1.0:
        c, s, a = np.unravel_index(int(np.argmax(prevalence)), prevalence.shape)
        raise DataError(f"{prevalence_file}: column 'prevalence_share': scaled to the base-year count "
                        f"{base_persons[c]:,.0f}, the prevalence of {CONDITIONS[c]} at {SEXES[s]} age {a} is "
                        f"{prevalence[c, s, a]:.3f} > 1; the shape is too concentrated for that count")
    if (prevalence[1] + prevalence[2]).max() > 1.0:
        raise DataError(f"{prevalence_file}: column 'prevalence_share': diabetes type 1 and type 2 together "
                        "exceed 1 at some age after scaling to the base-year counts")

    q = default_death_probability(base_year) if death_probability is None else np.asarray(death_probability, float)
    rr = parameters.mortality_rr
    scale = cell_mortality_scale(prevalence, rr)
    incidence = derive_incidence(prevalence, q, rr, scale)
    return ChronicModel(prevalence=prevalence, incidence=incidence, incidence_trend=parameters.incidence_trend,
                        mortality_rr=rr, mortality_scale=scale, base_year=int(base_year), base_persons=base_persons)


# ---------------------------------------------------------------------------------------------
# Cell-based projection (calibration and checks; independent of the micro engine)
# ---------------------------------------------------------------------------------------------
@dataclass
class CellProjection:
    """National persons on 1 January of each year: persons [year, condition] with each condition,
    population [year]; states [year, kol (0/1), diabetes (none/T1/T2), sex, age]."""

    years: np.ndarray
    persons: np.ndarray
    population: np.ndarray
    states: np.ndarray

    def at(self, year: int) -> np.ndarray:
        """Persons with each condition [condition] on 1 January of `year`."""
        return self.persons[int(year) - int(self.years[0])]


def project_cells(model: ChronicModel, base_counts: np.ndarray, mortality, fertility, migration,
                  birth_share_male: float, end_year: int, incidence_trend: np.ndarray | None = None,
                  immigrant_prevalence: bool = True) -> CellProjection:
    """Project persons by chronic state, sex and age from 1 January of model.base_year to 1 January
    of end_year, with the same yearly order and rates as the micro model (expected values).

    mortality: naerhed.demography.mortality.MortalityModel; fertility: FertilityModel; migration:
    MigrationModel (national net migration [sex, age] by year). Order within each year: deaths
    (hazard times mortality_scale * RR of the state) -> incidence among survivors -> births ->
    ageing -> newborns at age 0 without chronic disease -> net migration: emigrants leave every
    state in proportion, immigrants carry the base-year prevalence of their age and sex
    (`immigrant_prevalence`; False: immigrants are without chronic disease).
    """
    from ..demography.fertility import birth_probabilities
    from ..demography.mortality import death_probabilities, newborn_death_probability

    counts = np.asarray(base_counts, dtype=np.float64)
    national = counts.sum(axis=0) if counts.ndim == 3 else counts
    weights = _joint_weights(model.prevalence)  # [kol, diabetes, sex, age]
    state = weights * national[None, None]
    rr = _joint_rr(model.mortality_rr)
    years = np.arange(model.base_year, int(end_year) + 1)
    persons = np.zeros((years.size, N_CONDITIONS))
    population = np.zeros(years.size)
    states = np.zeros((years.size,) + state.shape)
    trend = model.incidence_trend if incidence_trend is None else np.asarray(incidence_trend, dtype=np.float64)

    def record(i):
        persons[i] = (state[1].sum(), state[:, 1].sum(), state[:, 2].sum())
        population[i] = state.sum()
        states[i] = state

    record(0)
    for i, year in enumerate(years[:-1]):
        rates = mortality.rates(int(year))
        log_survival = np.log1p(-death_probabilities(rates)) * model.mortality_scale
        state = state * np.exp(log_survival[None, None] * rr[:, :, None, None])

        inc = model.incidence_probability(int(year), trend)
        ik, i1, i2 = inc
        new_kol = state[0] * ik
        state[0] -= new_kol
        state[1] += new_kol
        none = state[:, 0].copy()
        to_t1 = none * i1
        to_t2 = none * (1.0 - i1) * i2
        state[:, 0] -= to_t1 + to_t2
        state[:, 1] += to_t1
        state[:, 2] += to_t2

        women = state[:, :, 1].sum(axis=(0, 1))
        births = float((women * birth_probabilities(fertility.rates(int(year)))).sum())
        newborn_survival = 1.0 - newborn_death_probability(rates)
        newborns = births * np.array([birth_share_male, 1.0 - birth_share_male]) * newborn_survival

        aged = np.zeros_like(state)
        aged[..., 1:] = state[..., :-1]
        aged[..., MAX_AGE] += state[..., MAX_AGE]
        aged[0, 0, :, 0] = newborns
        state = aged

        net = migration.national(int(year))
        total = state.sum(axis=(0, 1))
        leave = np.where((net < 0) & (total > 0), np.minimum(1.0, -net / np.where(total > 0, total, 1.0)), 0.0)
        state = state * (1.0 - leave)[None, None]
        arrive = np.clip(net, 0.0, None)
        if immigrant_prevalence:
            state = state + weights * arrive[None, None]
        else:
            state[0, 0] += arrive
        record(i + 1)
    return CellProjection(years=years, persons=persons, population=population, states=states)


def reference_projection(model: ChronicModel, end_year: int = 2050, incidence_trend: np.ndarray | None = None,
                         base_counts: np.ndarray | None = None) -> CellProjection:
    """The cell projection with the packaged demography and the default scenario's settings
    (mortality trend 2008-2019 from base period 2017-2018, UN fertility, UN net migration at scale 1,
    no alignment), from the packaged population of model.base_year unless base_counts is given.
    This is the projection the incidence trends are calibrated on."""
    from .. import data
    from ..demography.fertility import build_fertility
    from ..demography.migration import MigrationModel
    from ..demography.mortality import build_mortality

    if base_counts is None:
        base_counts = data.load_population(model.base_year)
    mortality = build_mortality(data.load_mortality_age5(), data.load_mortality_single_age(),
                                base_period=DEFAULT_MORTALITY_BASE_PERIOD,
                                trend_period=DEFAULT_MORTALITY_TREND_PERIOD, improvement="trend")
    fertility = build_fertility(data.load_fertility())
    total_years, totals = data.load_net_migration_total()
    profile_years, profiles = data.load_net_migration_sex_age()
    migration = MigrationModel(total_years, totals, profile_years, profiles, scale=1.0)
    return project_cells(model, base_counts, mortality, fertility, migration, data.load_birth_share_male(),
                         end_year, incidence_trend=incidence_trend)

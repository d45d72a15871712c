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
  The trends are calibrated offline (data-raw/calibrate_chronic.py, with the expected-value cell
  projection of data-raw/chronic_projection.py) so that the population reaches DREAM's SMILE counts
  for 2050.

Random numbers are common random numbers by person id (naerhed.streams), one stream per condition
and decision: "chronic_initial:<condition>" and "chronic_incidence:<condition>". When in the year
each step happens is the engine's business (naerhed.engine); this module gives the rates and draws.
The tables are read by naerhed.data.chronic_tables.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..constants import MAX_AGE, N_AGES, SEXES
from ..data import load_mortality_age5, load_mortality_single_age
from ..data.chronic_tables import (ChronicParameters, ChronicTarget, load_chronic_parameters, load_chronic_prevalence,
                                   load_chronic_targets)
from ..data.registry import CONDITIONS, TABLES, TARGET_CONDITIONS, TARGET_USES
from ..demography.mortality import build_mortality, death_probabilities
from ..errors import DataError
from ..streams import RandomStreams

__all__ = ["KOL", "DIABETES_T1", "DIABETES_T2", "DIABETES", "ANY_CHRONIC", "FLAGS", "CONDITIONS", "N_CONDITIONS",
           "TARGET_CONDITIONS", "TARGET_USES", "ChronicModel", "ChronicParameters", "ChronicTarget",
           "load_chronic_prevalence", "load_chronic_parameters", "load_chronic_targets", "has_chronic",
           "has_condition", "condition_counts", "relative_risk_table", "joint_state_weights",
           "joint_relative_risk", "cell_mortality_scale", "scaled_death_probability", "derive_incidence",
           "base_year_targets", "default_death_probability", "build_chronic_model",
           "DEFAULT_MORTALITY_BASE_PERIOD", "DEFAULT_MORTALITY_TREND_PERIOD"]

KOL = 1
DIABETES_T1 = 2
DIABETES_T2 = 4
FLAGS = (KOL, DIABETES_T1, DIABETES_T2)  # the bit of each of CONDITIONS
N_CONDITIONS = len(CONDITIONS)
DIABETES = DIABETES_T1 | DIABETES_T2
ANY_CHRONIC = KOL | DIABETES
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


def joint_state_weights(prevalence: np.ndarray) -> np.ndarray:
    """Shares [kol (0/1), diabetes (none/T1/T2), sex, age] of the joint states when KOL and diabetes
    are independent (as initial_states draws them)."""
    pk, p1, p2 = prevalence
    kol = np.stack([1.0 - pk, pk])
    diabetes = np.stack([1.0 - p1 - p2, p1, p2])
    return kol[:, None] * diabetes[None, :]


def joint_relative_risk(mortality_rr: np.ndarray) -> np.ndarray:
    """Relative risk [kol (0/1), diabetes (none/T1/T2)]."""
    rk, r1, r2 = mortality_rr
    return np.array([[1.0, r1, r2], [rk, rk * r1, rk * r2]])


def cell_mortality_scale(prevalence: np.ndarray, mortality_rr: np.ndarray) -> np.ndarray:
    """1 / mean relative risk [sex, age] of persons in each age-sex cell at the given prevalence
    [condition, sex, age] (KOL independent of diabetes; T1 and T2 exclusive)."""
    weights = joint_state_weights(prevalence)
    mean_rr = (weights * joint_relative_risk(mortality_rr)[:, :, None, None]).sum(axis=(0, 1))
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
    weights = joint_state_weights(prevalence)  # [kol, diabetes, sex, age]
    rr = joint_relative_risk(mortality_rr)
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
                f"no base-year count for {name} in {base_year}: {parameters_file or TABLES['chronic_parameters'].file} "
                f"has no row 'base_persons_{base_year}' for it and {targets_file or TABLES['chronic_targets'].file} has "
                "no base_anchor row for it (column 'use')")
        out[c] = anchor.persons * (1.0 + parameters.base_growth[c]) ** (int(base_year) - anchor.year)
    return out


def default_death_probability(year: int) -> np.ndarray:
    """Population death probabilities [sex, age] in `year` from the packaged mortality tables with
    the default scenario's settings (base period 2017-2018, trend improvement 2008-2019)."""
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
    prevalence_file = prevalence_path or TABLES["chronic_prevalence"].file
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

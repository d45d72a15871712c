"""Calibration of hospital use to the regions' criterion levels in the calibration year.

The calibration is anchored in the year the targets describe (the `year` of calibration_targets.csv
or the user's file), whatever the base year: inside each draw, the population is projected to
1 January of that year (demography and chronic disease only: hospital use does not feed back into
them, and the random streams are named per decision and year, so the draw's own projection reaches
the same persons), and the multipliers are solved on that year's persons and rates (trend
included). The same multipliers apply in every year of the draw, before and after. A calibration
year before the base year or after the last simulated year (end_year - 1) is refused
(`calibration_year_problem`).

For each region, four multipliers are solved in closed form so that the *expected* criteria of the
simulated population in the calibration year equal the targets exactly (expected over the events
and over who dies in the year, given the persons, their chronic states, frailty and death probabilities):

- readmission scale s_r: readmissions / admissions = target share
  (admissions = first admissions A + planned P + readmissions R, E[R] = Σ min(1, s_r·r)·(A+P); the
  cap at probability 1 matters for the frailest persons, so s_r is found by root-finding);
- stays scale s_s (on acute, planned and outpatient rates): stays per citizen = target;
- virtual scale s_v: virtual / (virtual + physical stays) = target share;
- price scale s_p: activity per citizen with KOL and/or diabetes = target DKK.

The simulated calibration year then reproduces the targets up to the chance of individual events.
"""

from __future__ import annotations

import copy
import dataclasses
from typing import Optional

import numpy as np
from scipy.optimize import brentq

from ..constants import N_AGES, N_REGIONS
from ..demography.cohort_component import complete_year, decide_deaths, death_probability as person_death_probability
from ..financing.criteria import names as criterion_names
from ..population import Population
from .chronic import has_chronic
from .hospital_use import ACUTE, N_MEASURES, OUTPATIENT, PLANNED, PRICE, READMISSION, VIRTUAL, HospitalUseModel



def calibration_year_problem(year: int, base_year: int, end_year: int, where: str) -> Optional[str]:
    """Why calibration targets for `year` cannot be used in a projection from 1 January `base_year`
    to 1 January `end_year` (None if they can): the year must be simulated, base_year..end_year - 1."""
    if base_year <= year <= end_year - 1:
        return None
    side = "before population.base_year" if year < base_year else "after the last simulated year (end_year - 1)"
    return (f"{where}: the calibration targets are for {year}, {side}; allowed: a year from {base_year} to "
            f"{end_year - 1} (the calibration is anchored in the year of the file: give targets for a simulated "
            "year, or change population.base_year or end_year)")


def population_in_year(health, demo, pop: Population, streams, year: int) -> Population:
    """A copy of the draw's population projected to 1 January of `year` (demography and chronic
    disease only, with the draw's own random streams: the draw's projection reaches the same persons).
    `health`: naerhed.health.model.Health; `demo`: naerhed.demography.Demography."""
    pop = copy.deepcopy(pop)
    while pop.year < year:
        current = pop.year
        dies = decide_deaths(pop, demo, streams, health.mortality_multiplier(pop))
        pop.chronic, _ = health.chronic.apply_incidence(pop.chronic, pop.age, pop.sex, pop.id, pop.next_id, streams,
                                                        current)
        first_new_id = pop.next_id
        complete_year(pop, demo, streams, dies)
        health.initialise(pop, int(np.searchsorted(pop.id, first_new_id)), streams, current, "frailty:new")
    return pop


def calibrate_in_year(health, demo, pop: Population, streams, targets: np.ndarray, trend: np.ndarray,
                      year: int) -> np.ndarray:
    """Region scales [measure + price, region] anchored in the calibration `year`: solved on the
    draw's persons on 1 January of that year (`population_in_year`) with that year's new chronic
    cases (drawn as the draw draws them, before its hospital use) and death probabilities (from the
    chronic states before them, as the draw decides deaths), at that year's rates (trend [measure],
    annual relative change, included), so that the expected criteria of that year equal `targets`
    [criterion, region]."""
    at = pop if year == pop.year else population_in_year(health, demo, pop, streams, year)
    q = person_death_probability(at, demo, health.mortality_multiplier(at))  # decided before the year's new cases
    # the year's new chronic cases come before its hospital use (as in the draw; the same named streams)
    chronic, _ = health.chronic.apply_incidence(at.chronic, at.age, at.sex, at.id, at.next_id, streams, year)
    return calibrate_regions(health.use, dataclasses.replace(at, chronic=chronic), q, targets, trend, year)


def calibrate_regions(model: HospitalUseModel, pop: Population, death_probability: np.ndarray,
                      targets: np.ndarray, trend: Optional[np.ndarray] = None, year: Optional[int] = None) -> np.ndarray:
    """Region scales [measure + price, region] that make the expected criteria of the persons `pop`
    in the calendar `year` (default: the model's base year) at the rates of that year (trend
    [measure]: annual relative change, default none) equal `targets` [criterion, region] (see
    data/calibration_targets.csv for the criteria and units). The calibrated criteria of the
    registry (naerhed.financing.criteria) are the four solved for here."""
    order = criterion_names(calibrated=True)
    STAYS, ACTIVITY, READMISSION_SHARE, VIRTUAL_SHARE = (
        order.index(name) for name in ("stays_per_citizen", "activity_per_chronic_dkk", "readmission_share", "virtual_share"))
    ones = np.ones((N_MEASURES + 1, N_REGIONS))
    trend = np.zeros(N_MEASURES) if trend is None else np.asarray(trend, dtype=float)
    year = model.base_year if year is None else int(year)
    q = death_probability.astype(np.float64)
    alive = model.expected_rates(pop, ones, trend, year, dies=np.zeros(pop.size, bool)).astype(np.float64)
    # the last year of life multiplies each rate (constant standards: the rates do not depend on it)
    last_year = (np.ones(N_MEASURES) if model.cost_ageing == "constant_standards"
                 else np.asarray(model.last_year_multiplier, dtype=np.float64))
    dying = alive * last_year[:, None]

    def expected(f):
        """Expectation over whether the person dies this year (use and readmission risk both rise)."""
        return (1.0 - q) * f(alive) + q * f(dying)

    def expected_rate(m: int) -> np.ndarray:
        """expected(lambda r: r[m]) for a rate, in one pass: the rate times 1 + q (multiplier - 1)."""
        return alive[m] * (1.0 + q * (last_year[m] - 1.0))

    region = pop.region.astype(np.int64)

    def by_region(values, mask=None):
        if mask is not None:
            return np.bincount(region[mask], weights=values[mask], minlength=N_REGIONS)
        return np.bincount(region, weights=values, minlength=N_REGIONS)

    first = expected_rate(ACUTE)
    planned = expected_rate(PLANNED)
    outpatient_person = expected_rate(OUTPATIENT)
    virtual_person = expected_rate(VIRTUAL)
    admissions = by_region(first + planned)
    outpatient = by_region(outpatient_person)
    virtual = by_region(virtual_person)
    citizens = np.bincount(region, minlength=N_REGIONS).astype(float)

    share = targets[READMISSION_SHARE]
    s_readmission = np.array([_readmission_scale(alive, dying, q, region == r, share[r]) for r in range(N_REGIONS)])
    readmission_person = expected(lambda r: np.minimum(r[READMISSION] * s_readmission[region], 1.0) * (r[ACUTE] + r[PLANNED]))
    readmissions = by_region(readmission_person)
    stays_unscaled = admissions + readmissions + outpatient
    s_stays = targets[STAYS] * citizens / stays_unscaled
    virtual_share = targets[VIRTUAL_SHARE]
    s_virtual = virtual_share / (1.0 - virtual_share) * s_stays * stays_unscaled / virtual

    scale = ones.copy()
    scale[ACUTE] = scale[PLANNED] = scale[OUTPATIENT] = s_stays
    scale[READMISSION] = s_readmission
    scale[VIRTUAL] = s_virtual
    chronic = has_chronic(pop.chronic)
    prices = model.price_tables(ones).reshape(model.prices.shape[0], -1)
    cell = (region * 2 + pop.sex) * N_AGES + pop.age
    s = s_stays[region]
    expected_activity = (
        s * (first + readmission_person) * prices[0][cell]
        + s * planned * prices[1][cell]
        + s * outpatient_person * prices[2][cell]
        + s_virtual[region] * virtual_person * prices[3][cell]
    )
    chronic_persons = np.bincount(region[chronic], minlength=N_REGIONS).astype(float)
    scale[PRICE] = targets[ACTIVITY] * chronic_persons / by_region(expected_activity, chronic)
    return scale


def _readmission_scale(alive: np.ndarray, dying: np.ndarray, q: np.ndarray, in_region: np.ndarray,
                       share: float) -> float:
    """Scale of the readmission probability that makes E[R] / E[A + P + R] = share in one region."""
    weights = ((1.0 - q[in_region]), q[in_region])
    parts = [(rates[READMISSION][in_region], rates[ACUTE][in_region] + rates[PLANNED][in_region])
             for rates in (alive, dying)]
    admissions = sum((w * a).sum() for w, (_, a) in zip(weights, parts))

    def gap(log_scale):
        scale = np.exp(log_scale)
        readmissions = sum((w * np.minimum(r * scale, 1.0) * a).sum() for w, (r, a) in zip(weights, parts))
        return readmissions / (admissions + readmissions) - share

    return float(np.exp(brentq(gap, -12.0, 12.0, xtol=1e-10)))

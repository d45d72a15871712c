"""Calibration of hospital use to the regions' base-year criterion levels.

For each region, four multipliers are solved in closed form so that the *expected* base-year
criteria of the simulated base population equal the targets exactly (expected over the events and
over who dies in the year, given the persons, their chronic states, frailty and death probabilities):

- readmission scale s_r: readmissions / admissions = target share
  (admissions = first admissions A + planned P + readmissions R, E[R] = Σ min(1, s_r·r)·(A+P); the
  cap at probability 1 matters for the frailest persons, so s_r is found by root-finding);
- stays scale s_s (on acute, planned and outpatient rates): stays per citizen = target;
- virtual scale s_v: virtual / (virtual + physical stays) = target share;
- price scale s_p: activity per citizen with KOL and/or diabetes = target DKK.

The simulated base year then reproduces the targets up to the chance of individual events.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import brentq

from ..constants import N_AGES, N_REGIONS
from ..financing.criteria import names as criterion_names
from ..population import Population
from .chronic import has_chronic
from .hospital_use import ACUTE, N_MEASURES, OUTPATIENT, PLANNED, PRICE, READMISSION, VIRTUAL, HospitalUseModel



def calibrate_regions(model: HospitalUseModel, pop: Population, death_probability: np.ndarray,
                      targets: np.ndarray) -> np.ndarray:
    """Region scales [measure + price, region] that make the expected base-year criteria equal
    `targets` [criterion, region] (see data/calibration_targets.csv for the criteria and units). The
    calibrated criteria of the registry (naerhed.financing.criteria) are the four solved for here."""
    order = criterion_names(calibrated=True)
    STAYS, ACTIVITY, READMISSION_SHARE, VIRTUAL_SHARE = (
        order.index(name) for name in ("stays_per_citizen", "activity_per_chronic_dkk", "readmission_share", "virtual_share"))
    ones = np.ones((N_MEASURES + 1, N_REGIONS))
    no_trend = np.zeros(N_MEASURES)
    q = death_probability.astype(np.float64)
    alive = model.expected_rates(pop, ones, no_trend, model.base_year, dies=np.zeros(pop.size, bool)).astype(np.float64)
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

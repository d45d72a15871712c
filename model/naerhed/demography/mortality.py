"""Mortality: single-age death rates by sex for any calendar year, and period life expectancy.

Construction (documented in data/SOURCES.md too):
1. Level: central death rates by sex and 5-year age group (DST deaths / person-years), pooled over
   the scenario's base period (default 2017-2018).
2. Shape within each group: single-age rates of the Epi M.dk table (DST, pooled over its last five
   years), as ratios to their own group rate, so each group keeps the published level.
3. Ages 95 and over: a Kannisto (logistic) curve fitted to ages 80-94, scaled so that its
   life-table-weighted mean over 95+ equals the published 95+ rate; age MAX_AGE is open.
4. Improvement: rates fall by a constant annual rate per sex and age group, estimated by
   log-linear regression over the trend period (default 2008-2019), or one number for all.
All rates are deaths per person-year.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.optimize import brentq

from ..constants import N_AGES

KANNISTO_FIT_AGES = (80, 94)
OLDEST_GROUP = 95


def _pool(years: np.ndarray, deaths: np.ndarray, person_years: np.ndarray, first: int, last: int) -> np.ndarray:
    """Deaths / person-years summed over the years first..last (inclusive)."""
    rows = (years >= first) & (years <= last)
    if not rows.any():
        raise ValueError(f"no mortality data for {first}-{last}; table covers {years.min()}-{years.max()}")
    return deaths[rows].sum(axis=0) / person_years[rows].sum(axis=0)


def group_of_age(age_lower: np.ndarray) -> np.ndarray:
    """Index of the 5-year group (given its lower bounds) for each single age 0..MAX_AGE."""
    return np.searchsorted(age_lower, np.arange(N_AGES), side="right") - 1


def within_group_shape(age_lower: np.ndarray, single_rates: np.ndarray, single_exposure: np.ndarray) -> np.ndarray:
    """Ratio of each single-age rate to its group's rate, [sex, age] for ages below the oldest group."""
    n_single = single_rates.shape[1]
    group = group_of_age(age_lower)[:n_single]
    shape = np.ones_like(single_rates)
    for s in range(2):
        deaths = single_rates[s] * single_exposure[s]
        group_rate = np.bincount(group, deaths) / np.bincount(group, single_exposure[s])
        shape[s] = single_rates[s] / group_rate[group]
    return shape


def kannisto(ages: np.ndarray, log_a: float, b: float) -> np.ndarray:
    """Kannisto model of old-age mortality: m(x) = a·e^{b(x-80)} / (1 + a·e^{b(x-80)})."""
    z = np.exp(log_a + b * (ages - 80.0))
    return z / (1.0 + z)


def fit_kannisto(ages: np.ndarray, rates: np.ndarray) -> tuple[float, float]:
    """Least-squares fit of logit(m) = log a + b (x - 80); returns (log a, b)."""
    logit = np.log(rates / (1.0 - rates))
    b, log_a = np.polyfit(ages - 80.0, logit, 1)
    return float(log_a), float(b)


def old_age_rates(young_rates: np.ndarray, group_rate_95plus: float) -> np.ndarray:
    """Rates for ages 95..MAX_AGE of one sex: Kannisto fitted on ages 80-94, shifted so the
    stationary-population (life-table) mean over 95+ equals the published 95+ group rate."""
    lo, hi = KANNISTO_FIT_AGES
    fit_ages = np.arange(lo, hi + 1)
    log_a, b = fit_kannisto(fit_ages, young_rates[lo : hi + 1])
    old_ages = np.arange(OLDEST_GROUP, N_AGES)

    def mean_rate_gap(shift: float) -> float:
        m = kannisto(old_ages, log_a + shift, b)
        survivors = np.concatenate([[1.0], np.cumprod(np.exp(-m[:-1]))])
        deaths = survivors * (1.0 - np.exp(-m))
        deaths[-1] = survivors[-1]  # open last age: everyone dies there
        years_lived = deaths / m
        return deaths.sum() / years_lived.sum() - group_rate_95plus

    shift = brentq(mean_rate_gap, -5.0, 5.0)
    return kannisto(old_ages, log_a + shift, b)


@dataclass
class MortalityModel:
    """Death rates m[sex, age] at the base period and their annual improvement rates.

    base_rates: deaths per person-year, centred on `base_time` (a calendar time, e.g. 2018.0 for
    the pooled years 2017-2018); improvement: annual relative decline, [sex, age].
    """

    base_rates: np.ndarray
    base_time: float
    improvement: np.ndarray

    def rates(self, year: int) -> np.ndarray:
        """Death rates [sex, age] during calendar year `year` (mid-year y + 0.5)."""
        elapsed = year + 0.5 - self.base_time
        return self.base_rates * np.exp(-self.improvement * elapsed)


def build_mortality(age5, single, base_period: tuple[int, int], trend_period: tuple[int, int],
                    improvement: float | str = "trend") -> MortalityModel:
    """Mortality model from the 5-year table (`age5`: years, age_lower, deaths, person_years) and the
    single-age table (`single`: years, deaths, person_years) for the given base and trend periods."""
    first, last = base_period
    group_rates = _pool(age5.years, age5.deaths, age5.person_years, first, last)  # [sex, group]
    last_single = int(single.years.max())
    shape_rows = single.years > last_single - 5
    single_exposure = single.person_years[shape_rows].sum(axis=0)
    single_rates = single.deaths[shape_rows].sum(axis=0) / single_exposure
    n_shape = OLDEST_GROUP  # single ages 0..94 come from the shape table
    shape = within_group_shape(age5.age_lower, single_rates[:, :n_shape], single_exposure[:, :n_shape])
    group = group_of_age(age5.age_lower)
    oldest = int(np.searchsorted(age5.age_lower, OLDEST_GROUP))
    base = np.empty((2, N_AGES))
    for s in range(2):
        base[s, :n_shape] = group_rates[s, group[:n_shape]] * shape[s]
        base[s, OLDEST_GROUP:] = old_age_rates(base[s], group_rates[s, oldest])

    if improvement == "trend":
        per_group = trend_improvement(age5, trend_period)
        rho = per_group[:, group]
    else:
        rho = np.full((2, N_AGES), float(improvement))
    return MortalityModel(base_rates=base, base_time=(first + last + 1) / 2.0, improvement=rho)


def trend_improvement(age5, trend_period: tuple[int, int]) -> np.ndarray:
    """Annual relative decline of each sex × 5-year group's death rate: minus the slope of log(rate)
    on year over the trend period (ordinary least squares). Shape [sex, group]."""
    first, last = trend_period
    rows = (age5.years >= first) & (age5.years <= last)
    years = age5.years[rows].astype(float)
    log_rates = np.log(age5.deaths[rows] / age5.person_years[rows])  # [year, sex, group]
    centred = years - years.mean()
    slope = np.tensordot(centred, log_rates - log_rates.mean(axis=0), axes=(0, 0)) / (centred ** 2).sum()
    return -slope


def infant_separation(m0: float, sex: int) -> float:
    """Average fraction of the first year lived by infants who die (a0), Andreev & Kingkade (2015)
    for low-mortality populations (m0 below 0.023 for boys, 0.01724 for girls)."""
    return 0.14929 - 1.99545 * m0 if sex == 0 else 0.14903 - 2.05527 * m0


def life_expectancy(rates: np.ndarray, sex: int, from_age: int = 0) -> float:
    """Period life expectancy (years) at `from_age` from single-age death rates 0..MAX_AGE (last open)."""
    m = np.asarray(rates, dtype=float)
    a = np.full(m.size, 0.5)
    a[0] = infant_separation(m[0], sex)
    q = m / (1.0 + (1.0 - a) * m)
    q[-1] = 1.0
    survivors = np.concatenate([[1.0], np.cumprod(1.0 - q[:-1])])
    deaths = survivors * q
    years_lived = survivors - (1.0 - a) * deaths
    years_lived[-1] = survivors[-1] / m[-1]
    return float(years_lived[from_age:].sum() / survivors[from_age])


def death_hazards(rates: np.ndarray) -> np.ndarray:
    """Cumulative hazard [sex, age] over the year of a person aged x on 1 January (see
    `death_probabilities`, which is 1 - exp(-hazard))."""
    nxt = np.concatenate([rates[:, 1:], rates[:, -1:]], axis=1)
    hazard = 0.5 * (rates + nxt)
    hazard[:, 0] = 0.1 * rates[:, 0] + 0.5 * rates[:, 1]
    return hazard


def death_probabilities(rates: np.ndarray) -> np.ndarray:
    """Probability [sex, age] that a person aged x on 1 January dies before the next 1 January.

    A person aged x on 1 January passes through exact ages x..x+2 during the year (x+1 on average),
    so the hazard is the mean of m_x and m_{x+1}. Age 0 on 1 January: the infant deaths of the first
    weeks are already behind them (they fall on the year of birth, see `newborn_death_probability`),
    so only a tenth of m_0 applies (assumption: about 90 % of infant deaths happen in the first
    half-year of life).
    """
    return -np.expm1(-death_hazards(rates))


NEWBORN_SHARE_OF_INFANT_DEATHS = 0.9  # assumption, see death_probabilities


def newborn_death_probability(rates: np.ndarray) -> np.ndarray:
    """Probability [sex] that a child born during the year dies before 1 January."""
    m0 = rates[:, 0]
    q0 = m0 / (1.0 + 0.9 * m0)
    return NEWBORN_SHARE_OF_INFANT_DEATHS * q0

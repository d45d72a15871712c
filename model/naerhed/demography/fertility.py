"""Fertility: single-age fertility rates of women by calendar year, from 5-year age groups.

Single ages come from a mean-preserving split: a monotone cubic (PCHIP) through the cumulative
fertility at the group boundaries, differenced at integer ages, so each 5-year group keeps exactly
its published number of births per woman. Rates are births per woman per year.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.interpolate import PchipInterpolator

from ..constants import N_AGES

GROUP_WIDTH = 5


def split_age_groups(age_lower: np.ndarray, group_rates: np.ndarray) -> np.ndarray:
    """Single-age rates 0..MAX_AGE from rates per 5-year group (lower bounds `age_lower`); each
    group's sum over its single ages equals 5 × its rate. Works on [..., group] arrays."""
    bounds = np.concatenate([age_lower, [age_lower[-1] + GROUP_WIDTH]]).astype(float)
    cumulative = np.concatenate(
        [np.zeros(group_rates.shape[:-1] + (1,)), np.cumsum(group_rates * GROUP_WIDTH, axis=-1)], axis=-1
    )
    curve = PchipInterpolator(bounds, cumulative, axis=-1, extrapolate=False)
    ages = np.arange(int(bounds[0]), int(bounds[-1]) + 1, dtype=float)
    single = np.diff(curve(ages), axis=-1)
    out = np.zeros(group_rates.shape[:-1] + (N_AGES,))
    out[..., int(bounds[0]) : int(bounds[-1])] = np.clip(single, 0.0, None)
    return out


@dataclass
class FertilityModel:
    """Single-age fertility rates [year, age] for the table's years; years outside are clamped to the
    nearest table year. `tfr_override` (children per woman) rescales every year's schedule."""

    years: np.ndarray
    rates_by_year: np.ndarray
    tfr_override: float | None = None

    def rates(self, year: int) -> np.ndarray:
        """Births per woman per year by single age (completed years at the time of birth)."""
        row = int(np.clip(year - self.years[0], 0, self.years.size - 1))
        schedule = self.rates_by_year[row]
        if self.tfr_override is not None:
            schedule = schedule * (self.tfr_override / schedule.sum())
        return schedule

    def tfr(self, year: int) -> float:
        """Total fertility rate (children per woman) in `year`."""
        return float(self.rates(year).sum())


def build_fertility(table, tfr_override: float | None = None) -> FertilityModel:
    """Fertility model from a table with `years`, `age_lower`, `asfr` [year, group]."""
    years = np.asarray(table.years)
    if np.any(np.diff(years) != 1):
        raise ValueError("fertility table years must be consecutive")
    return FertilityModel(years=years, rates_by_year=split_age_groups(np.asarray(table.age_lower), table.asfr),
                          tfr_override=tfr_override)


def birth_probabilities(rates: np.ndarray) -> np.ndarray:
    """Probability [age] that a woman aged x on 1 January gives birth during the year: she is aged x
    for about half the year and x+1 for the other half (at most one child per woman and year: twins count as two births in the rates but are drawn as one event each, which keeps the expected number of children)."""
    nxt = np.concatenate([rates[1:], [0.0]])
    return np.clip(0.5 * (rates + nxt), 0.0, 1.0)

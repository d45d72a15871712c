"""Expected-value cell projection of the chronic disease states: the tool the incidence trends in
model/naerhed/data/chronic_parameters.csv are calibrated with (data-raw/calibrate_chronic.py).

Why it exists: the calibration solves for each condition's annual incidence trend so that the number of
persons with the condition on 1 January 2050 equals DREAM's SMILE projection. A root finder needs a
function of the trend that is deterministic and smooth; the micro engine (naerhed.engine) is neither (it
draws persons), and running it for each trial would take minutes. This module projects the expected
number of persons in every cell [KOL state, diabetes state, sex, age] instead, with the rates of
naerhed.health.chronic and naerhed.demography and the events of one engine year in the engine's order
(naerhed.engine.simulate_draw and naerhed.demography.cohort_component are the reference; if
their order changes, this projection must follow and the calibration be rerun). The guard is
`naerhed validate-model`: it holds the micro engine's 2050 counts to the same SMILE targets
(tests/test_validation.py).

It is not part of the naerhed package: nothing at run time uses it.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "model"))

from naerhed import data  # noqa: E402
from naerhed.constants import MAX_AGE  # noqa: E402
from naerhed.demography.fertility import birth_probabilities, build_fertility  # noqa: E402
from naerhed.demography.migration import MigrationModel  # noqa: E402
from naerhed.demography.mortality import build_mortality, death_probabilities, newborn_death_probability  # noqa: E402
from naerhed.health.chronic import (  # noqa: E402
    DEFAULT_MORTALITY_BASE_PERIOD,
    DEFAULT_MORTALITY_TREND_PERIOD,
    N_CONDITIONS,
    ChronicModel,
    joint_relative_risk,
    joint_state_weights,
)


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
    counts = np.asarray(base_counts, dtype=np.float64)
    national = counts.sum(axis=0) if counts.ndim == 3 else counts
    weights = joint_state_weights(model.prevalence)  # [kol, diabetes, sex, age]
    state = weights * national[None, None]
    rr = joint_relative_risk(model.mortality_rr)
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

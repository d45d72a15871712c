"""Chance of hospital-use events at the scale of the real population (naerhed.health.hospital_use):
the event totals vary from draw to draw as the whole population's would, whatever the sample fraction;
an intervention without effect changes nothing."""

from __future__ import annotations

import numpy as np
import pytest

from naerhed.constants import N_AGE_GROUPS, N_REGIONS
from naerhed.demography.cohort_component import death_probability, decide_deaths
from naerhed.financing.criteria import REGISTRY
from naerhed.health.calibration import calibrate_regions
from naerhed.health.chronic import has_chronic
from naerhed.health.hospital_use import Q, cell_totals, simulate_use
from naerhed.interventions.mechanism import PersonModifiers
from naerhed.population import synthesize
from naerhed.streams import RandomStreams

MEASURED = [c for c in REGISTRY.values() if c.measured]
#: draws of the events on one population: the sd from n draws has relative standard error
#: 1/sqrt(2 (n - 1)); the log ratio of the sds at the two fractions, averaged over the 5 regions,
#: has standard error sqrt((1/(2 (N_SMALL - 1)) + 1/(2 (N_LARGE - 1))) / 5) = 0.055, so the 25 %
#: the issue allows (log 1.25 = 0.22) is 4 standard errors.
N_SMALL, N_LARGE = 200, 40


def _population(inputs, fraction, seed=21):
    """A base population with its calibration, deaths and death probabilities (fixed: only the
    events vary across the draws below)."""
    demo, health = inputs.demography, inputs.health
    streams = RandomStreams(seed, 0)
    pop = synthesize(inputs.base_counts, fraction, inputs.base_year, streams, demo.municipality_region,
                     demo.municipality_population)
    health.initialise(pop, 0, streams, inputs.base_year, "frailty:base")
    multiplier = health.mortality_multiplier(pop)
    q = death_probability(pop, demo, multiplier)
    scale = calibrate_regions(health.use, pop, q, health.targets)
    return pop, scale, decide_deaths(pop, demo, streams, multiplier), q


def _region_criteria(inputs, totals):
    n_mun = inputs.demography.municipality_region.size
    by_region = np.zeros((totals.shape[0], N_REGIONS))
    np.add.at(by_region.T, inputs.demography.municipality_region,
              totals.reshape(totals.shape[0], n_mun, N_AGE_GROUPS).sum(axis=2).T)
    return np.array([c.value(lambda name: by_region[Q[name]]) for c in MEASURED])  # [criterion, region]


def _event_draws(inputs, fraction, draws, modify=None):
    pop, scale, dies, q = _population(inputs, fraction)
    health = inputs.health
    trend = np.zeros(5)
    out = []
    for d in range(draws):
        use = simulate_use(health.use, pop, dies, scale, trend, RandomStreams(99, d), inputs.base_year,
                           modify, q)
        totals = cell_totals(pop, dies, has_chronic(pop.chronic), use, inputs.demography.municipality_region.size,
                             health.use.repeated_threshold)
        out.append(_region_criteria(inputs, totals))
    return np.array(out)  # [draw, criterion, region]


@pytest.fixture(scope="module")
def event_criteria(default_inputs):
    return {0.01: _event_draws(default_inputs, 0.01, N_SMALL), 0.1: _event_draws(default_inputs, 0.1, N_LARGE)}


def test_event_spread_does_not_depend_on_the_sample_fraction(event_criteria):
    """The across-draw sd of each criterion per region from the chance of events agrees between
    sample fractions 0.01 and 0.1 within 25 % (averaged over the regions, 4 standard errors; each
    region within 4 of its own standard errors)."""
    small, large = event_criteria[0.01], event_criteria[0.1]
    log_ratio = np.log(small.std(axis=0, ddof=1) / large.std(axis=0, ddof=1))  # [criterion, region]
    se = np.sqrt(1 / (2 * (N_SMALL - 1)) + 1 / (2 * (N_LARGE - 1)))
    assert np.all(np.abs(log_ratio.mean(axis=1)) <= np.log(1.25)), log_ratio
    assert np.all(np.abs(log_ratio) <= 4 * se), log_ratio


def test_an_intervention_without_effect_changes_no_total(default_inputs):
    """Neutral modifiers (no effect) give exactly the totals of no intervention (common random numbers,
    expected and realised both unchanged)."""
    neutral = _event_draws(default_inputs, 0.01, 2, modify=lambda rates, prices: PersonModifiers.neutral(rates.shape[1]))
    none = _event_draws(default_inputs, 0.01, 2)
    np.testing.assert_array_equal(neutral, none)

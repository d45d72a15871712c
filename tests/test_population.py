"""The synthetic base population reproduces its table: exactly at full scale, within sampling error below."""

import numpy as np
import pytest

from naerhed.constants import REGION_CODES
from naerhed.population import synthesize
from naerhed.streams import RandomStreams

REGION_TOTALS_2019 = {1081: 589_755, 1082: 1_320_678, 1083: 1_223_348, 1084: 1_835_562, 1085: 836_738}


def _synth(inputs, fraction, seed=7, draw=0):
    demo = inputs.demography
    return synthesize(inputs.base_counts, fraction, inputs.base_year, RandomStreams(seed, draw),
                      demo.municipality_region, demo.municipality_population)


def test_full_scale_reproduces_the_table_exactly(default_inputs):
    pop = _synth(default_inputs, 1.0)
    assert pop.weight == 1.0
    np.testing.assert_array_equal(pop.counts(), default_inputs.base_counts)
    totals = pop.counts().sum(axis=(1, 2))
    assert dict(zip(REGION_CODES, totals.astype(int).tolist())) == REGION_TOTALS_2019


@pytest.mark.parametrize("fraction", [0.01, 0.1])
def test_sample_totals_within_sampling_error(default_inputs, fraction):
    pop = _synth(default_inputs, fraction)
    table = default_inputs.base_counts
    # Each cell is floor(c f) + Bernoulli(remainder): the variance of a sum of cells is at most n_cells/4
    # simulated persons; 4 standard deviations in weighted persons.
    for axis_sum, tab in ((pop.counts().sum(axis=(1, 2)), table.sum(axis=(1, 2))),
                          (pop.counts().sum(axis=(0, 2)), table.sum(axis=(0, 2)))):
        n_cells = table.size
        tolerance = 4 * np.sqrt(n_cells / 4) / fraction
        assert np.all(np.abs(axis_sum - tab) <= tolerance)
    assert pop.weight == pytest.approx(1 / fraction)


def test_every_person_lives_in_a_municipality_of_their_region(default_inputs):
    pop = _synth(default_inputs, 0.02)
    municipality_region = default_inputs.demography.municipality_region
    np.testing.assert_array_equal(municipality_region[pop.municipality], pop.region)
    # municipal shares within a region follow the municipality table (binomial tolerance, 5 sd)
    mun_pop = default_inputs.demography.municipality_population
    for r in range(5):
        in_region = pop.region == r
        members = np.flatnonzero(municipality_region == r)
        share = mun_pop[members] / mun_pop[members].sum()
        observed = np.bincount(pop.municipality[in_region], minlength=municipality_region.size)[members] / in_region.sum()
        sd = np.sqrt(share * (1 - share) / in_region.sum())
        assert np.all(np.abs(observed - share) <= 5 * sd + 1e-12)


def test_same_seed_same_population_and_draws_differ(default_inputs):
    a, b, c = _synth(default_inputs, 0.01), _synth(default_inputs, 0.01), _synth(default_inputs, 0.01, draw=1)
    for name in ("age", "sex", "region", "municipality"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert a.size != c.size or not np.array_equal(a.municipality, c.municipality)

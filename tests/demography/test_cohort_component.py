"""The yearly demographic step: balancing identity, reproducibility, common random numbers,
events matching their rates, alignment, and no per-person Python work."""

import sys

import numpy as np

from naerhed.demography import step_year
from naerhed.demography.alignment import alignment_groups
from naerhed.demography.cohort_component import Demography
from naerhed.demography.fertility import birth_probabilities
from naerhed.demography.mortality import death_probabilities, newborn_death_probability
from naerhed.engine import simulate_draw
from naerhed.run_spec import RunSpec
from naerhed.inputs import load_inputs
from naerhed.population import synthesize
from naerhed.streams import RandomStreams

from ..conftest import make_scenario


def _population(inputs, fraction, seed=3, draw=0):
    demo = inputs.demography
    return synthesize(inputs.base_counts, fraction, inputs.base_year, RandomStreams(seed, draw),
                      demo.municipality_region, demo.municipality_population)


def test_balancing_identity_every_year(default_inputs):
    result = simulate_draw(RunSpec(inputs=default_inputs, end_year=2030, sample_fraction=0.01, seed=11), 0)
    stock = result.population.sum(axis=3)  # [year, region, sex]
    ev = result.events
    change = ev["births"] - ev["deaths"] + ev["immigrants"] - ev["emigrants"]
    np.testing.assert_allclose(stock[1:] - stock[:-1], change, rtol=0, atol=1e-6)


def test_same_seed_identical_other_seed_different(default_inputs):
    a = simulate_draw(RunSpec(inputs=default_inputs, end_year=2024, sample_fraction=0.01, seed=5), 0)
    b = simulate_draw(RunSpec(inputs=default_inputs, end_year=2024, sample_fraction=0.01, seed=5), 0)
    c = simulate_draw(RunSpec(inputs=default_inputs, end_year=2024, sample_fraction=0.01, seed=6), 0)
    np.testing.assert_array_equal(a.population, b.population)
    for name in a.events:
        np.testing.assert_array_equal(a.events[name], b.events[name])
    assert not np.array_equal(a.population, c.population)


def test_deaths_and_births_follow_their_rates(default_inputs):
    """One full-scale year: simulated deaths and births equal the expected numbers from the rates
    within 4 standard deviations (sums of independent Bernoulli events), and the deaths are near
    DST's 53,959 for 2019. A woman gives birth only if she survives (probability (1 - q) b), and a
    newborn dies before 1 January with the newborn death probability of its sex; deaths count both."""
    pop = _population(default_inputs, 1.0)
    demo = default_inputs.demography
    rates = demo.mortality.rates(2019)
    p_death = death_probabilities(rates)[pop.sex, pop.age]
    women = pop.sex == 1
    p_birth = (np.where(women, birth_probabilities(demo.fertility.rates(2019))[pop.age], 0.0)
               * demo.fertility_region[pop.region] * (1 - p_death))
    region = pop.region.copy()  # step_year changes pop in place
    newborn = newborn_death_probability(rates)
    p_newborn_death = p_birth * (demo.birth_share_male * newborn[0] + (1 - demo.birth_share_male) * newborn[1])
    bernoulli_var = lambda p: (p * (1 - p)).sum()  # noqa: E731
    # a mother's own death and her newborn's exclude each other: the covariance is negative, so the
    # sum of the variances is an upper bound
    expected_deaths = p_death.sum() + p_newborn_death.sum()
    sd_deaths = np.sqrt(bernoulli_var(p_death) + bernoulli_var(p_newborn_death))
    events = step_year(pop, demo, RandomStreams(3, 0))
    deaths = events.deaths.sum()
    assert abs(deaths - expected_deaths) < 4 * sd_deaths
    assert abs(deaths - 53_959) / 53_959 < 0.03
    assert abs(events.births.sum() - p_birth.sum()) < 4 * np.sqrt(bernoulli_var(p_birth))
    for r in range(5):  # births by the mother's region follow the regional fertility factors
        in_region = region == r
        assert abs(events.births[r].sum() - p_birth[in_region].sum()) < 4 * np.sqrt(bernoulli_var(p_birth[in_region]))
    share_boys = events.births[:, 0].sum() / events.births.sum()
    assert abs(share_boys - demo.birth_share_male) < 4 * np.sqrt(0.25 / events.births.sum())


def test_net_migration_matches_the_table(default_inputs):
    pop = _population(default_inputs, 0.05)
    events = step_year(pop, default_inputs.demography, RandomStreams(3, 0))
    expected = default_inputs.demography.migration.national(2019).sum()
    net = events.immigrants.sum() - events.emigrants.sum()
    # emigration is Bernoulli per person and immigration stochastic rounding per cell: sd below sqrt(cells+persons leaving)
    leaving = events.emigrants.sum() / pop.weight
    tolerance = 4 * np.sqrt(leaving + 2 * 111 * 5) * pop.weight
    assert abs(net - expected) < tolerance


def test_alignment_reproduces_the_projection_by_sex_and_age_group():
    scenario = make_scenario(demography={"alignment": {"target": "projection"}}, end_year=2025)
    inputs = load_inputs(scenario)
    result = simulate_draw(RunSpec(inputs=inputs, end_year=2025, sample_fraction=0.02, seed=1), 0)
    groups = alignment_groups()
    weight = 1 / 0.02
    cells_per_group = 5 * 5  # regions x single ages: one stochastic rounding of the arrivals each
    for i, year in enumerate(range(2020, 2026), start=1):
        simulated = result.population[i].sum(axis=0)
        target = inputs.demography.projection_target(year)
        for s in range(2):
            sim_g = np.bincount(groups, simulated[s])
            tgt_g = np.bincount(groups, target[s])
            # a group either loses persons (one Bernoulli removal each: variance <= the persons removed,
            # at most the sex's removals that year) or gains them (stochastic rounding per cell: variance
            # <= 1/4 per cell); 4 sd in simulated persons, times the weight
            removed = result.events["emigrants"][i - 1, :, s].sum() / weight
            sd = np.sqrt(removed + cells_per_group / 4)
            assert np.all(np.abs(sim_g - tgt_g) <= 4 * sd * weight), (year, s, np.abs(sim_g - tgt_g).max(), 4 * sd * weight)


def test_common_random_numbers_across_scenarios(default_inputs):
    """Halving migration changes who arrives, but a person present in both runs meets the same fate."""
    base = _population(default_inputs, 0.01)
    other = _population(default_inputs, 0.01)
    demo = default_inputs.demography
    low = Demography(**{**demo.__dict__, "migration": type(demo.migration)(**{**demo.migration.__dict__, "scale": 0.5})})
    streams = RandomStreams(3, 0)
    step_year(base, demo, streams)
    step_year(other, low, streams)
    ids_a, ids_b = set(base.id.tolist()), set(other.id.tolist())
    start_ids = set(range(_population(default_inputs, 0.01).size))
    # deaths happen before migration: the same original persons survive... except those removed by emigration
    emigrated_a = start_ids - ids_a
    emigrated_b = start_ids - ids_b
    assert len(emigrated_a ^ emigrated_b) < 0.02 * len(emigrated_a | emigrated_b) + 50
    step_year(base, demo, streams)
    step_year(other, low, streams)
    common = np.intersect1d(base.id, other.id)
    assert common.size > 0.95 * min(base.size, other.size)


def test_zero_effect_change_gives_identical_results(default_inputs):
    scenario = make_scenario(demography={"migration": {"scale": 1.0}, "fertility": {"tfr": None}})
    inputs = load_inputs(scenario)
    a = simulate_draw(RunSpec(inputs=default_inputs, end_year=2023, sample_fraction=0.01, seed=9), 2)
    b = simulate_draw(RunSpec(inputs=inputs, end_year=2023, sample_fraction=0.01, seed=9), 2)
    np.testing.assert_array_equal(a.population, b.population)


def _python_calls(fn) -> int:
    calls = 0

    def profiler(frame, event, arg):
        nonlocal calls
        if event in ("call", "c_call"):
            calls += 1

    sys.setprofile(profiler)
    try:
        fn()
    finally:
        sys.setprofile(None)
    return calls


def test_no_per_person_python_work(default_inputs):
    """The number of Python-level calls in a year does not grow with the number of persons."""
    demo = default_inputs.demography
    small, large = _population(default_inputs, 0.002), _population(default_inputs, 0.05)
    calls_small = _python_calls(lambda: step_year(small, demo, RandomStreams(1, 0)))
    calls_large = _python_calls(lambda: step_year(large, demo, RandomStreams(1, 0)))
    assert large.size > 20 * small.size
    assert calls_large <= 1.05 * calls_small + 50


def test_regional_fertility_factor_changes_only_its_region(default_inputs):
    """With common random numbers, raising one region's factor adds mothers in that region only
    (every woman who gave birth still does) and leaves the other regions' births unchanged."""
    demo = default_inputs.demography
    base = np.ones(5)
    higher = base.copy()
    higher[3] = 1.5
    births = {}
    for name, factor in (("base", base), ("higher", higher)):
        pop = _population(default_inputs, 0.02)
        events = step_year(pop, Demography(**{**demo.__dict__, "fertility_region": factor}), RandomStreams(3, 0))
        births[name] = events.births.sum(axis=1)
    np.testing.assert_array_equal(np.delete(births["higher"], 3), np.delete(births["base"], 3))
    assert births["higher"][3] > 1.3 * births["base"][3]

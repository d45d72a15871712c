"""Mortality: published life expectancy, group levels kept by the single-age split, sane old-age curve."""

import numpy as np
import pytest

from naerhed import data
from naerhed.demography.mortality import (build_mortality, death_probabilities, group_of_age, life_expectancy,
                                          newborn_death_probability)


@pytest.fixture(scope="module")
def tables():
    return data.load_mortality_age5(), data.load_mortality_single_age()


@pytest.fixture(scope="module")
def model_2017_18(tables):
    return build_mortality(*tables, base_period=(2017, 2018), trend_period=(2008, 2019))


@pytest.mark.parametrize("sex,target_id", [(0, "life_expectancy_male_2017_2018"), (1, "life_expectancy_female_2017_2018")])
def test_period_life_expectancy_matches_dst(model_2017_18, sex, target_id):
    target = data.load_validation_targets()[target_id]
    e0 = life_expectancy(model_2017_18.base_rates[sex], sex)
    assert abs(e0 - target.value) <= target.tolerance, f"e0 {e0:.2f} vs DST {target.value}"


def test_single_age_split_keeps_each_group_rate(tables, model_2017_18):
    age5, single = tables
    rows = (age5.years >= 2017) & (age5.years <= 2018)
    group_rates = age5.deaths[rows].sum(0) / age5.person_years[rows].sum(0)
    shape_rows = single.years > single.years.max() - 5
    exposure = single.person_years[shape_rows].sum(0)[:, :95]
    groups = group_of_age(age5.age_lower)[:95]
    for s in range(2):
        weighted = np.bincount(groups, model_2017_18.base_rates[s, :95] * exposure[s]) / np.bincount(groups, exposure[s])
        np.testing.assert_allclose(weighted, group_rates[s, :19], rtol=1e-10)


def test_old_age_rates_rise_and_stay_below_one(model_2017_18):
    old = model_2017_18.base_rates[:, 60:]
    assert np.all(np.diff(old, axis=1) > 0)
    assert np.all(old < 1.0)
    # women die less than men at every adult age (below 18 deaths are too few to order the sexes)
    assert np.all(model_2017_18.base_rates[1, 18:101] < model_2017_18.base_rates[0, 18:101])


def test_trend_improvement_raises_life_expectancy(model_2017_18):
    e0 = [life_expectancy(model_2017_18.rates(y)[0], 0) for y in (2019, 2025, 2030)]
    assert e0[0] < e0[1] < e0[2]
    # about 0.2 years a year, as in Denmark 2008-2019 (men 76.5 -> 79.4); broad band
    assert 0.1 < (e0[2] - e0[0]) / 11 < 0.35


def test_fixed_improvement_rate_is_applied_exactly(tables):
    model = build_mortality(*tables, base_period=(2017, 2018), trend_period=(2008, 2019), improvement=0.02)
    ratio = model.rates(2028) / model.rates(2018)
    np.testing.assert_allclose(ratio, np.exp(-0.2))


def test_probabilities_are_probabilities(model_2017_18):
    p = death_probabilities(model_2017_18.rates(2019))
    assert np.all((p > 0) & (p < 1))
    assert np.all(newborn_death_probability(model_2017_18.rates(2019)) < 0.01)

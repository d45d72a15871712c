"""Fertility: the single-age split keeps every group's births and the table's TFR."""

import numpy as np
import pytest

from naerhed import data
from naerhed.demography.fertility import birth_probabilities, build_fertility, split_age_groups


def test_split_keeps_group_sums():
    table = data.load_fertility()
    single = split_age_groups(table.age_lower, table.asfr)
    for g, lower in enumerate(table.age_lower):
        np.testing.assert_allclose(single[:, lower:lower + 5].sum(axis=1), 5 * table.asfr[:, g], rtol=1e-9, atol=1e-12)
    assert np.all(single >= 0)


def test_tfr_by_year_and_override():
    table = data.load_fertility()
    model = build_fertility(table)
    row = int(np.flatnonzero(table.years == 2019)[0])
    assert model.tfr(2019) == pytest.approx(table.tfr[row], rel=1e-6)
    assert 1.6 < model.tfr(2019) < 1.8  # Denmark 2019: 1.70 (DST), 1.698 (UN)
    assert build_fertility(table, tfr_override=1.9).tfr(2030) == pytest.approx(1.9)
    # years past the table use its last year
    assert model.tfr(int(table.years[-1]) + 5) == pytest.approx(model.tfr(int(table.years[-1])))


def test_birth_probabilities_mean_of_adjacent_ages():
    rates = np.zeros(111)
    rates[30] = 0.2
    p = birth_probabilities(rates)
    assert p[29] == pytest.approx(0.1) and p[30] == pytest.approx(0.1) and p.sum() == pytest.approx(0.2)

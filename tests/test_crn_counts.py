"""Inverse-CDF counts: right distribution, monotone in the rate, and one uniform per person."""

import numpy as np
import pytest
from scipy import stats

from naerhed.crn_counts import binomial_from_uniform, poisson_from_uniform


@pytest.mark.parametrize("rate", [0.05, 0.7, 4.0])
def test_poisson_counts_have_the_poisson_distribution(rate):
    u = np.random.default_rng(1).random(200_000, dtype=np.float32)
    counts = poisson_from_uniform(np.full(u.size, rate), u)
    n = u.size
    # mean within 4 standard errors; frequencies of 0, 1, 2 within 4 binomial sd
    assert abs(counts.mean() - rate) < 4 * np.sqrt(rate / n)
    for k in range(3):
        p = stats.poisson.pmf(k, rate)
        assert abs((counts == k).mean() - p) < 4 * np.sqrt(p * (1 - p) / n) + 1e-9


def test_poisson_equals_scipy_inverse_cdf():
    rng = np.random.default_rng(2)
    u = rng.random(5000)
    rate = rng.gamma(0.5, 2.0, 5000)
    np.testing.assert_array_equal(poisson_from_uniform(rate, u), stats.poisson.ppf(u, rate).astype(int))


def test_binomial_equals_scipy_inverse_cdf():
    rng = np.random.default_rng(3)
    u = rng.random(5000)
    trials = rng.integers(0, 6, 5000)
    p = rng.random(5000) * 0.5
    expected = np.where(trials > 0, stats.binom.ppf(u, trials, p), 0).astype(int)
    np.testing.assert_array_equal(binomial_from_uniform(trials, p, u), expected)


def test_counts_are_monotone_in_the_rate():
    """Common random numbers: a higher rate never lowers a person's count."""
    u = np.random.default_rng(4).random(100_000)
    low = poisson_from_uniform(np.full(u.size, 0.3), u)
    high = poisson_from_uniform(np.full(u.size, 0.33), u)
    assert np.all(high >= low)
    changed = (high != low).mean()
    assert 0 < changed < 0.05  # a 10 % higher rate changes only a few persons' counts

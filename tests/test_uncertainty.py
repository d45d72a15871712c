"""Uncertain parameters: right distribution over draws, same value for the same (seed, draw, name)."""

import numpy as np
import pytest

from naerhed.uncertainty import Prior, draw_value


def test_normal_draws_have_the_declared_mean_and_sd():
    prior = Prior("normal", mean=0.08, sd=0.04)
    values = np.array([draw_value(prior, "trend:virtual", 1, d) for d in range(2000)])
    assert abs(values.mean() - 0.08) < 4 * 0.04 / np.sqrt(2000)
    assert abs(values.std(ddof=1) / 0.04 - 1) < 4 / np.sqrt(2 * 2000)


def test_uniform_and_triangular_stay_in_their_range():
    uniform = [draw_value(Prior("uniform", low=1.0, high=2.0), "x", 3, d) for d in range(500)]
    tri = [draw_value(Prior("triangular", low=0.0, mode=0.2, high=1.0), "y", 3, d) for d in range(500)]
    assert 1.0 <= min(uniform) and max(uniform) <= 2.0
    assert 0.0 <= min(tri) and max(tri) <= 1.0
    # mean (0 + 0.2 + 1) / 3 = 0.4; variance (a² + b² + c² - ab - ac - bc) / 18 = 0.84 / 18: 4 standard errors
    assert abs(np.mean(tri) - 0.4) < 4 * np.sqrt(0.84 / 18 / 500)


def test_common_random_numbers_and_central_values():
    prior = Prior("normal", mean=0.0, sd=1.0)
    assert draw_value(prior, "a", 7, 3) == draw_value(prior, "a", 7, 3)
    assert draw_value(prior, "a", 7, 3) != draw_value(prior, "b", 7, 3)
    assert draw_value(prior, "a", 7, 3, central=True) == 0.0
    assert draw_value(0.25, "a", 7, 3) == 0.25
    assert draw_value(Prior("triangular", low=0, mode=0.3, high=1), "t", 1, 1, central=True) == pytest.approx(0.3)


@pytest.mark.parametrize("low,mode,high", [(0.0, 0.2, 1.0), (-0.4, -0.4, -0.1), (1.0, 3.0, 3.0), (-2.0, 0.5, 4.0)])
def test_triangular_quantile_equals_scipy(low, mode, high):
    from scipy import stats

    from naerhed.uncertainty import triangular_quantile

    u = np.linspace(0.0, 1.0, 101)
    c = (mode - low) / (high - low)
    expected = stats.triang.ppf(u, c, loc=low, scale=high - low)
    np.testing.assert_allclose([triangular_quantile(x, low, mode, high) for x in u], expected, rtol=1e-12, atol=1e-12)


def test_frailty_threshold_equals_the_gamma_quantile():
    from scipy import stats

    from naerhed.interventions.mechanism import frailty_threshold

    for shape in (0.3, 1.0, 4.0):
        for q in (0.5, 0.9, 0.99):
            expected = min(stats.gamma.ppf(q, shape, scale=1 / shape), 10.0)
            assert frailty_threshold(q, shape, 10.0) == pytest.approx(expected, rel=1e-10)

"""The risk figures' words and edges, held exactly: the summary lines of a settled and an unsettled
year, every precision warning, another level than 95 %, the boundary of 'repays nothing', and the
Monte Carlo errors of a single draw."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from naerhed.financing.risk import (binomial_se, bootstrap, expected_shortfall, mean_se, precision_warnings,
                                    risk_metrics, summary_line, summary_lines, value_at_risk)

from .test_risk import hand_made_payout

NAMES = {1081: "Nordjylland", 1082: "Midtjylland"}


def test_summary_lines_word_for_word_settled_and_not():
    risk = risk_metrics(hand_made_payout())
    assert summary_lines(risk, NAMES, 2021) == [
        "Nordjylland keeps its full share in 75 % ± 10 % of draws; expected repayment 10 ± 4 mio. DKK; 1 in 20 draws "
        "repays more than 36 ± 16 mio. DKK. Deciding criterion: stays_per_citizen.",
        "Midtjylland keeps its full share in 100 % ± 0 % of draws; expected repayment 0 ± 0 mio. DKK; in at least 19 "
        "of 20 draws it repays nothing. Deciding criterion: none.",
        "All regions together keep their full shares in 75 % ± 10 % of draws; expected repayment 10 ± 4 mio. DKK; "
        "1 in 20 draws repays more than 36 ± 16 mio. DKK.",
    ]
    assert summary_lines(risk, NAMES, 2021, settled=False) == [
        "Nordjylland would keep its full share under the formal rule in 75 % ± 10 % of draws; expected repayment "
        "10 ± 4 mio. DKK; 1 in 20 draws repays more than 36 ± 16 mio. DKK. Deciding criterion: stays_per_citizen.",
        "Midtjylland would keep its full share under the formal rule in 100 % ± 0 % of draws; expected repayment "
        "0 ± 0 mio. DKK; in at least 19 of 20 draws it repays nothing. Deciding criterion: none.",
        "All regions together would keep their full shares under the formal rule in 75 % ± 10 % of draws; expected "
        "repayment 10 ± 4 mio. DKK; 1 in 20 draws repays more than 36 ± 16 mio. DKK.",
    ]


def test_without_standard_errors_the_lines_carry_none():
    risk = risk_metrics(hand_made_payout())
    plain = risk[[name for name in risk.data_vars if not name.endswith(("_se", "_ci"))]]
    assert summary_lines(plain, NAMES, 2021)[0] == (
        "Nordjylland keeps its full share in 75 % of draws; expected repayment 10 mio. DKK; 1 in 20 draws repays "
        "more than 36 mio. DKK. Deciding criterion: stays_per_citizen.")


def test_a_90_percent_level_everywhere():
    """Level 0.9: VaR the 0.9 quantile (34 mio. DKK), ES the mean of the worst 2 of 20 draws (67 and
    34 mio. DKK), '1 in 10', the attributes and the lines say so."""
    risk = risk_metrics(hand_made_payout(), level=0.9)
    a = risk.sel(period=2021, region=1081)
    assert float(a["var_repayment_dkk"]) == pytest.approx(34e6)
    assert float(a["es_repayment_dkk"]) == pytest.approx(50.5e6)
    assert risk.attrs == {"draws": 20, "level": 0.9}
    assert risk["var_repayment_dkk"].attrs["description"] == "90% value at risk of the repayment"
    assert risk["es_repayment_dkk"].attrs["description"] == "expected shortfall: mean repayment in the worst 10% of draws"
    lines = summary_lines(risk, NAMES, 2021)
    assert "1 in 10 draws repays more than 34 ± 13 mio. DKK." in lines[0]
    assert "in at least 9 of 10 draws it repays nothing." in lines[1]


def test_repays_nothing_up_to_half_a_million():
    assert summary_line("X", 0.5, 1e6, 0.5e6).endswith("in at least 19 of 20 draws it repays nothing.")
    assert summary_line("X", 0.5, 1e6, 0.5e6 + 1).endswith("1 in 20 draws repays more than 1 mio. DKK.")
    assert summary_line("X", 0.5, 1e6, 2e6, level=0.9) == (
        "X keeps its full share in 50 % of draws; expected repayment 1 mio. DKK; 1 in 10 draws repays more than "
        "2 mio. DKK.")


def test_every_precision_warning_word_for_word():
    payout = hand_made_payout()
    risk = risk_metrics(payout)
    pool = payout["region_pool_dkk"].mean("draw")
    assert precision_warnings(risk, pool, NAMES, precision=0.05, money_precision=0.01, tail_precision=0.01) == [
        "Warning: P(full payout) has a Monte Carlo standard error up to 0.097 (Nordjylland, 2021), above the "
        "precision 0.05: about 75 draws would meet it (this run: 20).",
        "Warning: P(full payout), all regions has a Monte Carlo standard error up to 0.097 (2021), above the precision "
        "0.05: about 75 draws would meet it (this run: 20).",
        "Warning: P(criterion met) has a Monte Carlo standard error up to 0.097 (Nordjylland, 2021, stays_per_citizen), "
        "above the precision 0.05: about 75 draws would meet it (this run: 20).",
        "Warning: expected repayment has a Monte Carlo standard error up to 4.3 % of the share (Nordjylland, 2021), "
        "above the precision 1 % of the share: about 372 draws would meet it (this run: 20).",
        "Warning: expected repayment, all regions has a Monte Carlo standard error up to 2.9 % of the share (2021), "
        "above the precision 1 % of the share: about 165 draws would meet it (this run: 20).",
        "Warning: 95% value at risk has a Monte Carlo standard error up to 15.7 % of the share (Nordjylland, 2021), "
        "above the precision 1 % of the share: at least 4899 draws would meet it (this run: 20).",
        "Warning: 95% value at risk, all regions has a Monte Carlo standard error up to 10.4 % of the share (2021), "
        "above the precision 1 % of the share: at least 2178 draws would meet it (this run: 20).",
        "Warning: expected shortfall has a Monte Carlo standard error up to 16.1 % of the share (Nordjylland, 2021), "
        "above the precision 1 % of the share: at least 5213 draws would meet it (this run: 20).",
        "Warning: expected shortfall, all regions has a Monte Carlo standard error up to 10.8 % of the share (2021), "
        "above the precision 1 % of the share: at least 2317 draws would meet it (this run: 20).",
    ]


def test_the_distribution_of_criteria_met_runs_from_none_to_all():
    risk = risk_metrics(hand_made_payout())
    counts = risk["p_criteria_met"].sel(period=2021, region=1081)
    assert counts["criteria_met_count"].values.tolist() == [0, 1, 2, 3, 4, 5, 6]  # six criteria in the registry
    np.testing.assert_allclose(counts.values, [0, 0.05, 0.2, 0, 0.75, 0, 0])
    np.testing.assert_allclose(risk["p_pivotal"].sel(period=2021, region=1081).values, [0.25, 0.2, 0, 0, np.nan, np.nan])


def test_tail_figures_along_another_axis():
    values = np.stack([np.arange(100.0), np.zeros(100)])  # draws on axis 1
    np.testing.assert_allclose(value_at_risk(values, 0.95, axis=1), [94.05, 0.0])
    np.testing.assert_allclose(expected_shortfall(values, 0.95, axis=1), [97.0, 0.0])
    assert expected_shortfall(np.arange(10.0), 0.95) == 9.0  # at least one draw


def test_errors_of_a_single_draw_are_nan():
    assert np.isnan(binomial_se(np.array([0.5, 1.0]), 1)).all()
    one = xr.DataArray(np.ones((1, 3)), dims=("draw", "region"))
    assert np.isnan(mean_se(one).values).all() and mean_se(one).dims == ("region",)
    se, interval = bootstrap(np.ones((1, 3)), lambda v: v.mean(axis=0))
    assert se.shape == (3,) and np.isnan(se).all()
    assert interval.shape == (2, 3) and np.isnan(interval).all()
    se, interval = bootstrap(np.arange(40.0).reshape(20, 2), lambda v: v.mean(axis=0), replicates=50, seed=1)
    assert se.shape == (2,) and interval.shape == (2, 2) and (interval[0] < interval[1]).all()

"""Risk metrics from hand-made payout arrays equal hand-computed values."""

import numpy as np
import pytest
import xarray as xr

from naerhed.financing.criteria import names as criterion_names

CRITERIA = criterion_names()
from naerhed.financing.risk import expected_shortfall, risk_metrics, summary_line, summary_lines, value_at_risk


def hand_made_payout():
    """20 draws, 1 year, 2 regions. Region A: share kept 1 in 15 draws, 0.66 in 4, 0.33 in 1 of a
    100 mio. DKK part; region B always keeps everything of 50 mio. DKK."""
    n = 20
    kept_a = np.array([1.0] * 15 + [0.66] * 4 + [0.33])
    kept = np.stack([kept_a, np.ones(n)], axis=1)[:, None, :]  # [draw, period, region]
    pool = np.broadcast_to(np.array([100e6, 50e6]), kept.shape)
    met = np.full((n, 1, 2, len(CRITERIA)), np.nan)
    met[..., :4] = 1.0
    met[15:19, 0, 0, 0] = 0.0          # 4 draws: criterion 1 missed (and 2 missed too)
    met[15:19, 0, 0, 1] = 0.0
    met[19, 0, 0, :3] = 0.0            # 1 draw: criteria 1-3 missed
    pivotal = np.zeros_like(met)
    pivotal[15:19, 0, 0, 0] = 1.0      # meeting criterion 1 would have raised the payout in 5 draws
    pivotal[15:19, 0, 0, 1] = 1.0
    pivotal[19, 0, 0, 0] = 1.0
    return xr.Dataset(
        {"met": (("draw", "period", "region", "criterion"), met),
         "pivotal": (("draw", "period", "region", "criterion"), pivotal),
         "criteria_met": (("draw", "period", "region"), np.nansum(met, axis=3)),
         "share_kept": (("draw", "period", "region"), kept),
         "region_pool_dkk": (("draw", "period", "region"), pool),
         "payout_dkk": (("draw", "period", "region"), kept * pool),
         "repayment_dkk": (("draw", "period", "region"), (1 - kept) * pool)},
        coords={"draw": np.arange(n), "period": [2021], "region": [1081, 1082], "criterion": list(CRITERIA)})


def test_hand_computed_metrics():
    risk = risk_metrics(hand_made_payout()).sel(period=2021)
    a = risk.sel(region=1081)
    assert float(a["p_full_payout"]) == pytest.approx(15 / 20)
    assert float(a["expected_repayment_dkk"]) == pytest.approx((4 * 34e6 + 67e6) / 20)
    assert float(a["expected_payout_dkk"]) == pytest.approx(100e6 - (4 * 34e6 + 67e6) / 20)
    assert float(a["p_met"].sel(criterion="stays_per_citizen")) == pytest.approx(15 / 20)
    assert float(a["p_met"].sel(criterion="virtual_share")) == pytest.approx(1.0)
    assert np.isnan(float(a["p_met"].sel(criterion="digital_solutions")))  # not counted
    assert float(a["p_criteria_met"].sel(criteria_met_count=4)) == pytest.approx(15 / 20)
    assert float(a["p_criteria_met"].sel(criteria_met_count=2)) == pytest.approx(4 / 20)
    assert float(a["p_criteria_met"].sel(criteria_met_count=1)) == pytest.approx(1 / 20)
    assert str(a["deciding_criterion"].values) == "stays_per_citizen"
    # VaR 95 % of 20 draws (linear interpolation between the 19th and 20th smallest: 34 and 67 mio.)
    assert float(a["var_repayment_dkk"]) == pytest.approx(34e6 + 0.05 * (67e6 - 34e6))
    assert float(a["es_repayment_dkk"]) == pytest.approx(67e6)  # the worst 1 draw in 20
    b = risk.sel(region=1082)
    assert float(b["p_full_payout"]) == 1.0 and float(b["expected_repayment_dkk"]) == 0.0
    assert str(b["deciding_criterion"].values) == "none"
    assert float(risk["expected_repayment_dkk_all"]) == pytest.approx(float(a["expected_repayment_dkk"]))
    assert float(risk["p_full_payout_all"]) == pytest.approx(15 / 20)


def test_value_at_risk_and_expected_shortfall():
    values = np.arange(100.0)  # 0..99
    assert value_at_risk(values, 0.95) == pytest.approx(94.05)
    assert expected_shortfall(values, 0.95) == pytest.approx(np.mean([95, 96, 97, 98, 99]))
    assert expected_shortfall(np.zeros(7), 0.95) == 0.0


def test_plain_language_lines():
    line = summary_line("Nordjylland", 0.78, 21.2e6, 104e6)
    assert line == ("Nordjylland keeps its full share in 78 % of draws; expected repayment 21 mio. DKK; "
                    "1 in 20 draws repays more than 104 mio. DKK.")
    assert "repays nothing" in summary_line("Sjælland", 0.99, 0.1e6, 0.0)
    lines = summary_lines(risk_metrics(hand_made_payout()), {1081: "Nordjylland", 1082: "Midtjylland"}, 2021)
    assert len(lines) == 3 and lines[0].startswith("Nordjylland keeps its full share in 75 % ± 10 % of draws")  # sqrt(.75 .25 / 20) = 0.097
    assert lines[-1].startswith("All regions together keep their full shares")

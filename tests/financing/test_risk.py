"""Risk metrics from hand-made payout arrays equal hand-computed values."""

import numpy as np
import pytest
import xarray as xr

from naerhed.financing.criteria import names as criterion_names

CRITERIA = criterion_names()
from naerhed.financing.risk import (binomial_se, bootstrap_se, draws_needed, expected_shortfall, parameter_share,
                                    parameter_share_se, precision_warnings,
                                    risk_metrics, summary_line, summary_lines, value_at_risk)


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


# --------------------------------------------------------------------------------------------
# Monte Carlo standard errors and the stated precision
# --------------------------------------------------------------------------------------------

def test_hand_computed_standard_errors():
    """Binomial errors for probabilities, sd / sqrt(n) for means, from the hand-made 20 draws."""
    payout = hand_made_payout()
    risk = risk_metrics(payout).sel(period=2021)
    a = risk.sel(region=1081)
    n = 20
    assert float(a["p_full_payout_se"]) == pytest.approx(np.sqrt(0.75 * 0.25 / n))
    assert float(a["p_met_se"].sel(criterion="stays_per_citizen")) == pytest.approx(np.sqrt(0.75 * 0.25 / n))
    assert float(a["p_met_se"].sel(criterion="virtual_share")) == 0.0  # met in every draw
    assert np.isnan(float(a["p_met_se"].sel(criterion="digital_solutions")))  # not counted
    assert float(a["p_criteria_met_se"].sel(criteria_met_count=1)) == pytest.approx(np.sqrt(0.05 * 0.95 / n))
    repayment = payout["repayment_dkk"].sel(period=2021, region=1081).values
    assert float(a["expected_repayment_dkk_se"]) == pytest.approx(repayment.std(ddof=1) / np.sqrt(n))
    assert float(a["expected_payout_dkk_se"]) == pytest.approx(repayment.std(ddof=1) / np.sqrt(n))
    kept = payout["share_kept"].sel(period=2021, region=1081).values
    assert float(a["share_kept_mean_se"]) == pytest.approx(kept.std(ddof=1) / np.sqrt(n))
    assert float(risk["p_full_payout_all_se"]) == pytest.approx(np.sqrt(0.75 * 0.25 / n))
    assert float(risk["expected_repayment_dkk_all_se"]) == pytest.approx(repayment.std(ddof=1) / np.sqrt(n))
    b = risk.sel(region=1082)  # never repays: every error is 0
    for name in ("p_full_payout_se", "expected_repayment_dkk_se", "var_repayment_dkk_se", "es_repayment_dkk_se"):
        assert float(b[name]) == 0.0, name
    # the bootstrap interval holds only values the repayment takes (0, 34, 67 mio.) or lies between them
    low, high = a["var_repayment_dkk_ci"].values
    assert 0.0 <= low <= high <= 67e6
    # reproducible: the bootstrap has its own fixed seed
    again = risk_metrics(payout).sel(period=2021)
    assert float(again["var_repayment_dkk_se"].sel(region=1081)) == float(a["var_repayment_dkk_se"])


def test_bootstrap_error_of_var_and_es_matches_their_spread_over_repeated_runs():
    """For a continuous repayment (exponential, mean 1), the bootstrap standard error of the 95 % VaR
    and ES from one run of n draws agrees with the sd of the VaR and ES over m independent runs.
    Tolerance: 3 standard errors of the comparison; the sd over m runs has relative error
    1 / sqrt(2 (m - 1)), the mean of m bootstrap errors (each with relative error about
    n^(-1/4) for a quantile, Hall & Martin 1988) 1 / (n^(1/4) sqrt(m))."""
    rng = np.random.default_rng(7)
    n, m, replicates = 400, 100, 200
    samples = rng.exponential(1.0, size=(m, n))
    var = np.array([value_at_risk(s) for s in samples])
    es = np.array([expected_shortfall(s) for s in samples])
    var_se = np.array([bootstrap_se(s, value_at_risk, replicates, seed=k) for k, s in enumerate(samples)])
    es_se = np.array([bootstrap_se(s, expected_shortfall, replicates, seed=k) for k, s in enumerate(samples)])
    relative = 3 * np.sqrt(1 / (2 * (m - 1)) + 1 / (np.sqrt(n) * m) + 1 / (2 * (replicates - 1) * m))
    assert var_se.mean() == pytest.approx(var.std(ddof=1), rel=relative)
    assert es_se.mean() == pytest.approx(es.std(ddof=1), rel=relative)
    # and the asymptotic quantile error sqrt(q (1 - q) / n) / f(VaR), f(x) = exp(-x) for the exponential
    q = 0.95
    asymptotic = np.sqrt(q * (1 - q) / n) / (1 - q)
    assert var_se.mean() == pytest.approx(asymptotic, rel=relative)


def test_binomial_error_matches_the_spread_of_a_probability_over_repeated_runs():
    """P(event) estimated from n draws varies over m runs with the binomial standard error."""
    rng = np.random.default_rng(11)
    n, m, p = 40, 400, 0.3
    estimates = (rng.random((m, n)) < p).mean(axis=1)
    # E[p^(1 - p^)] = p (1 - p) (n - 1) / n: the mean squared error over runs, corrected, against the
    # sd over runs (relative error 1 / sqrt(2 (m - 1)))
    mean_se = np.sqrt(np.mean(binomial_se(estimates, n) ** 2) * n / (n - 1))
    assert mean_se == pytest.approx(estimates.std(ddof=1), rel=3 / np.sqrt(2 * (m - 1)))
    assert np.isnan(binomial_se(0.5, 1))


def test_draws_needed_and_precision_warnings():
    assert draws_needed(0.1, 0.05, 40) == 160
    assert draws_needed(0.05, 0.05, 40) == 40
    payout = hand_made_payout()
    risk = risk_metrics(payout)
    pool = payout["region_pool_dkk"].mean("draw")
    names = {1081: "Nordjylland", 1082: "Midtjylland"}
    lines = precision_warnings(risk, pool, names, precision=0.05, money_precision=0.5, tail_precision=0.5)
    # P(full payout) and P(stays met) of Nordjylland: se sqrt(.75 .25 / 20) = 0.097 > 0.05:
    # 20 x (0.097 / 0.05)^2 = 75 draws
    assert len(lines) == 3, lines
    assert lines[0].startswith("Warning: P(full payout) has a Monte Carlo standard error up to 0.097 (Nordjylland, 2021)")
    assert "about 75 draws would meet it (this run: 20)" in lines[0]
    assert lines[2].startswith("Warning: P(criterion met)") and "stays_per_citizen" in lines[2]
    assert precision_warnings(risk, pool, names, precision=0.1, money_precision=0.5, tail_precision=0.5) == []
    money = precision_warnings(risk, pool, names, precision=0.5, money_precision=0.01, tail_precision=1.0)
    assert [line.split(" has ")[0] for line in money] == ["Warning: expected repayment",
                                                          "Warning: expected repayment, all regions"]
    assert all("about" in line for line in money)
    tail = precision_warnings(risk, pool, names, precision=0.5, money_precision=1.0, tail_precision=0.01)
    assert tail and all(line.split(" has ")[0].endswith(("value at risk", "shortfall", "all regions")) for line in tail)
    assert all("at least" in line for line in tail)  # a quantile on a step: the draws needed are a lower bound


def test_plain_language_lines_with_errors():
    line = summary_line("Nordjylland", 0.25, 21.2e6, 104e6, p_full_se=0.07, expected_repayment_se=3.1e6, var_se=12e6)
    assert line == ("Nordjylland keeps its full share in 25 % ± 7 % of draws; expected repayment 21 ± 3 mio. DKK; "
                    "1 in 20 draws repays more than 104 ± 12 mio. DKK.")


def hand_made_run():
    """The hand-made payout and its risk metrics as in a run's Dataset (naerhed.results.add_financing)."""
    payout = hand_made_payout()
    risk = risk_metrics(payout)
    ds = xr.merge([payout.rename({"met": "criterion_met"}), risk.rename({n: f"risk_{n}" for n in risk.data_vars})])
    ds = ds.rename(period="assessed_year").assign_coords(region_name=("region", ["Nordjylland", "Midtjylland"]))
    ds["rule_set"] = ("assessed_year", ["nf2021"])
    ds["settled"] = ("assessed_year", [True], {"settlement": "formal"})
    ds["settlement_applied"] = ("assessed_year", [True])
    ds["legal_status"] = ("assessed_year", ["in_force"])
    ds.attrs.update(precision=0.05, money_precision=0.5, tail_precision=0.5)
    return ds


def test_risk_table_summary_and_figures_carry_the_errors(tmp_path):
    from naerhed.report import p_met_heatmap, repayment_distribution, risk_table
    from naerhed.results import risk_summary_text

    ds = hand_made_run()
    rows = risk_table(ds)
    columns = list(rows[0])
    for figure in ("p_full_payout", "share_kept_mean", "expected_repayment_mio_dkk", "var95_repayment_mio_dkk",
                   "es95_repayment_mio_dkk", "p_met_stays_per_citizen"):
        assert columns[columns.index(figure) + 1] == f"{figure}_se"  # the error right after its figure
    nord, mid, everyone = rows
    assert nord["p_full_payout_se"] == round(np.sqrt(0.75 * 0.25 / 20), 4)
    assert nord["p_met_digital_solutions_se"] == ""  # not counted
    assert mid["expected_repayment_mio_dkk_se"] == 0.0
    assert everyone["p_full_payout_se"] == round(np.sqrt(0.75 * 0.25 / 20), 4)
    assert everyone["share_kept_mean_se"] > 0 and everyone["p_met_stays_per_citizen_se"] == ""
    text = risk_summary_text(ds)
    se_var = float(ds["risk_var_repayment_dkk_se"].sel(region=1081, assessed_year=2021)) / 1e6  # bootstrap, fixed seed
    assert text[1] == ("  Nordjylland keeps its full share in 75 % ± 10 % of draws; expected repayment 10 ± 4 mio. DKK; "
                       f"1 in 20 draws repays more than 36 ± {se_var:.0f} mio. DKK. Deciding criterion: stays_per_citizen.")
    assert any(line.startswith("Warning: P(full payout)") and "about 75 draws" in line for line in text)
    ds.attrs["precision"] = 0.1
    assert risk_summary_text(ds)[-1].startswith("Every risk figure meets the stated precision")
    p_met_heatmap(ds, tmp_path / "heat.png")
    repayment_distribution(ds, tmp_path / "repayment.png")
    assert (tmp_path / "heat.png").stat().st_size > 0 and (tmp_path / "repayment.png").stat().st_size > 0


def test_parameter_share_recovers_a_known_split_of_the_variance():
    """Y = theta_1 + 0.5 theta_2 + noise with Var(parameter part) = 1.25 and Var(noise) = 1.25: the
    parameters explain half the variance. Tolerance: 3 sd of an R^2 estimate from n draws,
    sd ~ 2 sqrt(R^2) (1 - R^2) / sqrt(n) (Olkin & Finn 1995) = 1 / sqrt(2 n) at R^2 = 1/2."""
    rng = np.random.default_rng(3)
    n = 2000
    theta = rng.normal(size=(n, 3))  # the third parameter has no effect
    y = theta[:, 0] + 0.5 * theta[:, 1] + rng.normal(scale=np.sqrt(1.25), size=n)
    values = xr.DataArray(y, dims="draw")
    share = float(parameter_share(values, xr.DataArray(theta, dims=("draw", "parameter"))))
    assert share == pytest.approx(0.5, abs=3 / np.sqrt(2 * n))
    # parameters held at their central value: all the variance is chance
    central = xr.DataArray(np.ones((n, 3)), dims=("draw", "parameter"))
    assert float(parameter_share(values, central)) == 0.0
    # ... also where the central value's float mean is not exact (np.std of 120 times 0.1 is 1.4e-17,
    # not 0): a constant column is dropped, not scaled to noise (it made the regression fail to converge)
    # (and the sd of the kept columns, summed in another order, can then be exactly 0: 34 constants)
    constants = np.random.default_rng(0).uniform(0.1, 3, size=34)
    inexact = xr.DataArray(np.tile(constants, (120, 1)), dims=("draw", "parameter"))
    assert float(parameter_share(values[:120], inexact)) == 0.0
    # an outcome that does not vary has nothing to split; too few draws for the parameters: unknown
    assert np.isnan(float(parameter_share(xr.DataArray(np.zeros(n), dims="draw"), xr.DataArray(theta, dims=("draw", "parameter")))))
    assert np.isnan(float(parameter_share(values[:4], xr.DataArray(theta[:4], dims=("draw", "parameter")))))
    # several outcomes at once (extra dimensions kept, with their coordinates)
    both = xr.DataArray(np.stack([y, theta[:, 2] + 0 * y], axis=1), dims=("draw", "criterion"), coords={"criterion": ["a", "b"]})
    shares = parameter_share(both, xr.DataArray(theta, dims=("draw", "parameter")))
    assert shares.dims == ("criterion",) and float(shares.sel(criterion="b")) == pytest.approx(1.0)


def test_risk_sources_in_summary_table_and_figure(tmp_path):
    """A run whose repayment follows a sampled trend in one region and chance in the other."""
    from naerhed.report import risk_sources_figure
    from naerhed.results import add_risk_sources, risk_sources_table, risk_summary_text

    ds = hand_made_run()
    n = ds.sizes["draw"]
    rng = np.random.default_rng(5)
    trend = rng.normal(size=n)
    repayment = ds["repayment_dkk"].copy()
    repayment.loc[{"region": 1081}] = (50e6 + 10e6 * trend)[:, None]       # the trend decides
    repayment.loc[{"region": 1082}] = (50e6 + 10e6 * rng.normal(size=n))[:, None]  # chance decides
    ds["repayment_dkk"] = repayment
    ds["trend"] = (("draw", "measure"), trend[:, None])
    ds["criteria"] = ds["criterion_met"].rename(assessed_year="period")
    ds["target_value"] = xr.zeros_like(ds["criterion_met"]).where(ds["criterion_met"].notnull())
    ds = add_risk_sources(ds)
    assert float(ds["risk_repayment_parameter_share"].sel(region=1081, assessed_year=2021)) == pytest.approx(1.0)
    # pure chance: adjusted R^2 near 0 (R^2 of a regressor without effect has sd about sqrt(2) / n)
    assert float(ds["risk_repayment_parameter_share"].sel(region=1082, assessed_year=2021)) < 3 * np.sqrt(2) / n
    text = risk_summary_text(ds)
    assert any(line.startswith("  Nordjylland (± 7 %): repayment 100 % parameters, 0 % chance") for line in text)
    rows = risk_sources_table(ds)
    assert {r["quantity"] for r in rows} >= {"repayment", "margin stays_per_citizen"}
    assert all(r["parameter_share"] == "" or r["parameter_share"] + r["chance_share"] == pytest.approx(1) for r in rows)
    risk_sources_figure(ds, tmp_path / "sources.png")
    assert (tmp_path / "sources.png").stat().st_size > 0


def test_parameter_share_se_is_the_spread_of_the_share_that_chance_alone_gives():
    """Adjusted R^2 of k regressors without effect, from n draws, over m repetitions: its sd agrees
    with parameter_share_se(n, k) within 3 / sqrt(2 (m - 1)) (relative error of an sd from m values)."""
    rng = np.random.default_rng(9)
    n, k, m = 40, 9, 400
    adjusted = []
    for _ in range(m):
        x = np.column_stack([np.ones(n), rng.normal(size=(n, k))])
        y = rng.normal(size=n)
        residual = y - x @ np.linalg.lstsq(x, y, rcond=None)[0]
        r2 = 1 - residual @ residual / ((y - y.mean()) @ (y - y.mean()))
        adjusted.append(1 - (1 - r2) * (n - 1) / (n - k - 1))
    assert np.std(adjusted, ddof=1) == pytest.approx(parameter_share_se(n, k), rel=3 / np.sqrt(2 * (m - 1)))
    assert parameter_share_se(n, 0) == 0.0 and np.isnan(parameter_share_se(10, 9))


def test_constant_parameters_are_dropped_whatever_the_rounding_of_their_sd():
    # 40 draws of the same values next to varying ones: np.std over the whole array can round a
    # constant column to a tiny positive sd (seen with uncertainty 'central'); it must still be dropped
    rng = np.random.default_rng(4)
    x = np.concatenate([np.full((40, 6), [-0.01, 0.0, 0.01, 0.08, 2.183, 25000.0]), rng.normal(size=(40, 20))], axis=1)
    parameters = xr.DataArray(x, dims=("draw", "parameter"))
    from naerhed.financing.risk import varying

    assert varying(parameters).shape == (40, 20)
    values = xr.DataArray(rng.normal(size=40), dims="draw")
    assert np.isfinite(float(parameter_share(values, parameters[:, :6])))

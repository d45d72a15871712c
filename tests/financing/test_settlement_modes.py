"""Settlement modes (issue 12): no money vanishes. Payout + repayment equal the region's part of the
pool in every draw, year, rule set and mode; in a year without settlement ('as_applied') the region
keeps its a-conto payment, while the formal rule's result stays visible."""

import numpy as np
import pytest
import xarray as xr

from naerhed.financing.criteria import names as criterion_names
from naerhed.financing.payout import assess, legal_lines, settlement_text
from naerhed.financing.rules import load_rule_sets

CRITERIA = list(criterion_names())
REGIONS = [1081, 1082, 1083, 1084, 1085]
YEARS = list(range(2018, 2028))

SETTLED_2025 = """\
extends: nf2022plus
name: settled2025
description: test rule set with settlement from 2025
years: [2025, null]
settlement_applied: true
provenance:
  settlement_applied: {status: assumption, source: NOT FOUND, note: a test rule set}
"""


@pytest.fixture(scope="module")
def rule_sets(tmp_path_factory):
    path = tmp_path_factory.mktemp("rules") / "settled2025.yaml"
    path.write_text(SETTLED_2025, encoding="utf-8")
    return load_rule_sets(["nf2019", "nf2020", "nf2021", "nf2022plus", path])


def _inputs(n_draws=40, seed=7):
    rng = np.random.default_rng(seed)
    level = np.array([2.2, 25000.0, 0.09, 0.10])
    data = np.empty((n_draws, len(YEARS), len(REGIONS), len(CRITERIA)))
    data[..., :4] = level * np.exp(rng.normal(0.0, 0.03, size=data[..., :4].shape))
    data[..., 4] = rng.uniform(size=data[..., 4].shape) < 0.5
    coords = {"draw": np.arange(n_draws), "period": YEARS, "region": REGIONS}
    criteria = xr.DataArray(data, dims=("draw", "period", "region", "criterion"), coords={**coords, "criterion": CRITERIA})
    population = xr.DataArray(rng.uniform(3e5, 2e6, size=(n_draws, len(YEARS), len(REGIONS))),
                              dims=("draw", "period", "region"), coords=coords)
    return criteria, population, population * rng.uniform(0.9, 1.1, size=population.shape)


@pytest.mark.parametrize("mode", ["formal", "as_applied"])
def test_payout_plus_repayment_is_the_pool_in_every_draw_year_and_rule_set(rule_sets, mode):
    criteria, population, need = _inputs()
    payout = assess(criteria, rule_sets, population, need, settlement=mode)
    assert set(payout["rule_set"].values.tolist()) == {"nf2019", "nf2020", "nf2021", "nf2022plus", "settled2025"}
    pool = payout["region_pool_dkk"].values
    np.testing.assert_allclose(payout["payout_dkk"].values + payout["repayment_dkk"].values, pool, rtol=1e-12)
    np.testing.assert_allclose(payout["payout_formal_dkk"].values + payout["repayment_formal_dkk"].values, pool,
                               rtol=1e-12)
    # the formal rule stays visible: share kept x pool, whatever the mode
    np.testing.assert_allclose(payout["payout_formal_dkk"].values, payout["share_kept"].values * pool, rtol=1e-12)
    assert (payout["repayment_formal_dkk"] > 0).any()
    assert payout["settled"].attrs["settlement"] == mode


def test_as_applied_keeps_the_a_conto_payment_in_years_without_settlement(rule_sets):
    criteria, population, need = _inputs()
    formal = assess(criteria, rule_sets, population, need, settlement="formal")
    applied = assess(criteria, rule_sets, population, need, settlement="as_applied")
    settled = applied["settled"].values
    years = applied["period"].values
    # settlement only in the test rule set's years (2025 on); every packaged year had none
    assert settled.tolist() == [bool(y >= 2025) for y in years]
    assert formal["settled"].values.all()
    unsettled = applied.isel(period=~settled)
    np.testing.assert_array_equal(unsettled["payout_dkk"].values, unsettled["region_pool_dkk"].values)
    np.testing.assert_array_equal(unsettled["repayment_dkk"].values, 0.0)
    # a settled year is settled by the formal rule in both modes
    for name in ("payout_dkk", "repayment_dkk", "share_kept"):
        np.testing.assert_array_equal(applied[name].isel(period=settled).values, formal[name].isel(period=settled).values)
    for name in ("share_kept", "payout_formal_dkk", "repayment_formal_dkk", "criteria_met"):
        np.testing.assert_array_equal(applied[name].values, formal[name].values)


def test_settlement_text_names_the_mode_and_hypothetical_rules(rule_sets):
    criteria, population, need = _inputs(n_draws=2)
    applied = assess(criteria, rule_sets, population, need, settlement="as_applied")
    formal = assess(criteria, rule_sets, population, need, settlement="formal")
    assert "as applied: no settlement for 2021" in settlement_text(applied, 2021)
    assert "settled by the formal rule" in settlement_text(applied, 2026)
    assert settlement_text(formal, 2021) == "settlement: formal rule (no settlement actually took place for 2021)"
    # the legal status is said on its own line (legal_lines), from the rule set's data
    assert settlement_text(formal, 2026) == "settlement: formal rule"
    assert legal_lines(formal, [2026]) == ["2026: no published rules were found; figures show what the 2025+ rules would give"]
    assert legal_lines(formal, [2024]) == []


def test_packaged_rules_are_a_hypothesis_after_the_last_published_instrument():
    criteria, population, need = _inputs(n_draws=2)
    payout = assess(criteria, load_rule_sets(["nf2019", "nf2020", "nf2021", "nf2022plus"]), population, need)
    status = dict(zip(payout["period"].values.tolist(), payout["legal_status"].values.tolist()))
    assert status == {y: "abolished" if y >= 2027 else "hypothesis" if y >= 2025 else "in_force"
                      for y in range(2019, 2028)}
    assert legal_lines(payout) == [
        "2025-2026: no published rules were found; figures show what the 2022+ rules would give",
        "2027: the scheme no longer exists; figures show what the 2022+ rules would give"]
    assert legal_lines(payout, [2023, 2024]) == []
    # 2019-2023 keep their wording: the formal rule, and no settlement took place
    assert settlement_text(payout, 2021) == "settlement: formal rule (no settlement actually took place for 2021)"
    # a year without the scheme had no settlement to take place: only its legal line speaks of it
    assert settlement_text(payout, 2027) == "settlement: formal rule"


def test_figure_title_names_the_mode(rule_sets):
    from naerhed.financing.payout import settlement_title

    criteria, population, need = _inputs(n_draws=2)
    applied = assess(criteria, rule_sets, population, need, settlement="as_applied")
    formal = assess(criteria, rule_sets, population, need, settlement="formal")
    assert settlement_title(formal["settled"]) == "formal rule"
    assert settlement_title(applied["settled"]) == "settlement as applied: no settlement in 2019-2024 (repayment 0)"


def test_rules_command_describes_the_legal_status():
    from naerhed.financing.rules import describe_rule_set, load_rule_set

    text = "\n".join(describe_rule_set(load_rule_set("nf2022plus")))
    assert ("  legal status: 2022-2024: in force (set by a published instrument)  [published]; "
            "2025-2026: hypothesis (no published rules were found; figures show what the 2022+ rules would give)"
            "  [assumption]; 2027 onwards: abolished (the scheme no longer exists; figures show what the 2022+ "
            "rules would give)  [published]") in text.splitlines()

"""Payout from hand-made criterion values under the packaged rule sets equals hand-computed money."""

import numpy as np
import pytest
import xarray as xr

from naerhed.financing.criteria import names as criterion_names

CRITERIA = criterion_names()
from naerhed.financing.payout import assess
from naerhed.financing.rules import load_rule_sets, met_and_fulfilment

REGIONS = [1081, 1082, 1083, 1084, 1085]


def criteria_array(values_2020, values_2021):
    """1 draw, periods 2020-2021, 5 regions; values per region for criteria 1-4 (5: met)."""
    data = np.zeros((1, 2, 5, len(CRITERIA)))
    data[0, 0, :, :4] = values_2020
    data[0, 1, :, :4] = values_2021
    data[..., 4] = 1.0
    return xr.DataArray(data, dims=("draw", "period", "region", "criterion"),
                        coords={"draw": [0], "period": [2020, 2021], "region": REGIONS, "criterion": list(CRITERIA)})


def test_2021_step_rule_in_kroner():
    base = np.tile([2.2, 25000.0, 0.09, 0.10], (5, 1))
    after = base.copy()
    # region 0 improves 0 criteria, region 1 one, region 2 two, region 3 three, region 4 all four
    better = np.array([0.99, 0.99, 0.99, 1.01])  # lower is better for 1-3, higher for 4
    for r in range(5):
        after[r, :r] = base[r, :r] * better[:r]
    population = xr.DataArray(np.ones((1, 2, 5)), dims=("draw", "period", "region"),
                              coords={"draw": [0], "period": [2020, 2021], "region": REGIONS})
    payout = assess(criteria_array(base, after), load_rule_sets(["nf2019", "nf2020", "nf2021", "nf2022plus"]),
                    population, population)
    year = payout.sel(period=2021)
    assert year["criteria_met"].values.tolist() == [[0, 1, 2, 3, 4]]
    np.testing.assert_allclose(year["share_kept"].values[0], [0.0, 0.33, 0.66, 1.0, 1.0])
    shares = np.array([0.104238, 0.213098, 0.214011, 0.315450, 0.153203])
    pool = 1.5e9 * shares
    np.testing.assert_allclose(year["region_pool_dkk"].values[0], pool, rtol=1e-5)
    np.testing.assert_allclose(year["repayment_dkk"].values[0], pool * (1 - np.array([0, 0.33, 0.66, 1, 1])), rtol=1e-5)
    # with 2 met, meeting either missing criterion raises the payout: both are pivotal
    assert year["pivotal"].sel(region=1083).values[0, 2:4].tolist() == [1.0, 1.0]
    # target line: the previous year's value (any improvement counts)
    np.testing.assert_allclose(year["target_value"].sel(region=1081).values[0, :4], base[0])
    # 2020 has no 2019 to compare with: not assessed
    assert payout["period"].values.tolist() == [2021]


def test_settlement_as_applied_repays_nothing_for_2019_2023():
    base = np.tile([2.2, 25000.0, 0.09, 0.10], (5, 1))
    population = xr.DataArray(np.ones((1, 2, 5)), dims=("draw", "period", "region"),
                              coords={"draw": [0], "period": [2020, 2021], "region": REGIONS})
    rules = load_rule_sets(["nf2019", "nf2020", "nf2021", "nf2022plus"])
    formal = assess(criteria_array(base, base * 1.05), rules, population, population, settlement="formal")
    applied = assess(criteria_array(base, base * 1.05), rules, population, population, settlement="as_applied")
    assert float(formal["repayment_dkk"].sum()) > 0
    assert float(applied["repayment_dkk"].sum()) == 0.0


def test_population_key_follows_the_simulated_population(tmp_path):
    rule = tmp_path / "pop_key.yaml"
    rule.write_text("extends: nf2021\nname: pop_key\nsplit:\n  key: population\n  shares: null\n", encoding="utf-8")
    base = np.tile([2.2, 25000.0, 0.09, 0.10], (5, 1))
    population = xr.DataArray(np.tile([1.0, 2.0, 3.0, 4.0, 10.0], (1, 2, 1)), dims=("draw", "period", "region"),
                              coords={"draw": [0], "period": [2020, 2021], "region": REGIONS})
    rules = load_rule_sets(["nf2019", "nf2020", str(rule), "nf2022plus"])
    payout = assess(criteria_array(base, base), rules, population, population)
    np.testing.assert_allclose(payout["region_pool_dkk"].sel(period=2021).values[0],
                               1.5e9 * np.array([1, 2, 3, 4, 10]) / 20)


# --------------------------------------------------------------------------------------------
# The money of every draw, region and year: planted one-line bugs in payout.py must fail here
# --------------------------------------------------------------------------------------------

from naerhed.financing.payout import region_keys, target_value  # noqa: E402
from naerhed.financing.rules import CriterionRule, load_rule_set  # noqa: E402

RULES = ["nf2019", "nf2020", "nf2021", "nf2022plus"]


def _step_payout():
    """2021 step rule; region r improves the first r of criteria 1-4 by 1 %."""
    base = np.tile([2.2, 25000.0, 0.09, 0.10], (5, 1))
    after = base.copy()
    better = np.array([0.99, 0.99, 0.99, 1.01])
    for r in range(5):
        after[r, :r] = base[r, :r] * better[:r]
    population = xr.DataArray(np.ones((1, 2, 5)), dims=("draw", "period", "region"),
                               coords={"draw": [0], "period": [2020, 2021], "region": REGIONS})
    return assess(criteria_array(base, after), load_rule_sets(RULES), population, population).sel(period=2021)


def test_pivotal_only_where_meeting_the_criterion_raises_the_payout():
    """Step rule 0/33/66/100/100 % for 0-4 met: a met criterion is never pivotal, a missing one is
    pivotal while fewer than 3 are met (the 4th adds nothing once 3 keep 100 %)."""
    pivotal = _step_payout()["pivotal"].values[0, :, :4]  # [region, criterion 1-4]
    expected = np.array([
        [1, 1, 1, 1],  # 0 met: any one raises 0 -> 33 %
        [0, 1, 1, 1],  # 1 met: a 2nd raises 33 -> 66 %
        [0, 0, 1, 1],  # 2 met: a 3rd raises 66 -> 100 %
        [0, 0, 0, 0],  # 3 met: 100 % already
        [0, 0, 0, 0],  # 4 met
    ])
    np.testing.assert_array_equal(pivotal, expected)
    # criterion 5 does not count in 2021: neither met, nor pivotal, nor with a target
    year = _step_payout()
    assert np.isnan(year["met"].values[0, :, 4]).all()
    assert (year["pivotal"].values[0, :, 4] == 0).all()


def test_payout_is_the_share_kept_of_the_region_pool_and_repayment_the_rest():
    year = _step_payout()
    pool = year["region_pool_dkk"].values[0]
    kept = np.array([0.0, 0.33, 0.66, 1.0, 1.0])
    np.testing.assert_allclose(year["payout_dkk"].values[0], kept * pool, rtol=1e-12)
    np.testing.assert_allclose(year["payout_dkk"].values[0] + year["repayment_dkk"].values[0], pool, rtol=1e-12)
    np.testing.assert_allclose(pool.sum(), 1.5e9, rtol=1e-12)


@pytest.mark.parametrize("direction, expected", [(-1, [98.0, 49.0]), (+1, [102.0, 51.0])])
def test_relative_target_lies_in_the_good_direction(direction, expected):
    """A 2 % minimum improvement: 2 % below the reference when lower is better, above when higher is."""
    criterion = CriterionRule(min_improvement=0.02)
    reference = np.array([[100.0] * 5, [50.0] * 5])
    target = target_value(reference, criterion, direction, REGIONS)
    np.testing.assert_allclose(target, np.array(expected)[:, None] * np.ones(5))
    # the target just meets the rule: a value a hair beyond it is met, a hair short is not
    met_beyond, _ = met_and_fulfilment(target + direction * 1e-9, reference, criterion, direction, REGIONS)
    met_short, _ = met_and_fulfilment(target - direction * 1e-6, reference, criterion, direction, REGIONS)
    assert met_beyond.all() and not met_short.any()


def test_percentage_point_target_per_region():
    thresholds = {1081: 0.0, 1082: 0.5, 1083: 1.0, 1084: 2.0, 1085: 4.0}
    criterion = CriterionRule(threshold_type="percentage_points", min_improvement={str(k): v for k, v in thresholds.items()})
    reference = np.full(5, 0.10)
    np.testing.assert_allclose(target_value(reference, criterion, -1, REGIONS), [0.10, 0.095, 0.09, 0.08, 0.06])
    np.testing.assert_allclose(target_value(reference, criterion, +1, REGIONS), [0.10, 0.105, 0.11, 0.12, 0.14])


def test_assess_reports_the_relative_target_line(tmp_path):
    path = tmp_path / "two_percent.yaml"
    path.write_text("extends: nf2021\nname: two_percent\ncriteria:\n"
                    "  stays_per_citizen: {min_improvement: 0.02}\n  virtual_share: {min_improvement: 0.05}\n",
                    encoding="utf-8")
    base = np.tile([2.0, 25000.0, 0.09, 0.10], (5, 1))
    population = xr.DataArray(np.ones((1, 2, 5)), dims=("draw", "period", "region"),
                              coords={"draw": [0], "period": [2020, 2021], "region": REGIONS})
    payout = assess(criteria_array(base, base), load_rule_sets(["nf2019", "nf2020", str(path), "nf2022plus"]),
                    population, population).sel(period=2021)
    np.testing.assert_allclose(payout["target_value"].values[0, :, 0], 1.96)  # lower is better
    np.testing.assert_allclose(payout["target_value"].values[0, :, 3], 0.105)  # higher is better


def _need_formula_rule(tmp_path):
    path = tmp_path / "need.yaml"
    path.write_text("extends: nf2021\nname: need\nsplit:\n  key: need_formula\n  shares: null\n"
                    "  base_dkk_per_region: 100000000\n  need_share: 0.775\n  socioeconomic_share: 0.225\n",
                    encoding="utf-8")
    return load_rule_set(str(path))


def test_need_formula_splits_the_rest_by_need_and_by_population(tmp_path):
    """Need and population deliberately disagree, so swapping their weights moves every share."""
    rule = _need_formula_rule(tmp_path)
    population = np.array([[1.0, 1.0, 1.0, 1.0, 6.0]])
    need = np.array([[6.0, 1.0, 1.0, 1.0, 1.0]])
    keys = region_keys(rule, population, need, REGIONS)
    rest = 1.5e9 - 5 * 100e6
    expected = (100e6 + rest * (0.775 * need[0] / 10 + 0.225 * population[0] / 10)) / 1.5e9
    np.testing.assert_allclose(keys[0], expected, rtol=1e-12)
    np.testing.assert_allclose(keys.sum(), 1.0, rtol=1e-12)


def test_population_and_block_grant_keys(tmp_path):
    rules = {r.name: r for r in load_rule_sets(RULES)}
    population = np.array([[1.0, 2.0, 3.0, 4.0, 10.0], [2.0, 2.0, 2.0, 2.0, 2.0]])
    need = population[::-1].copy()
    block = region_keys(rules["nf2021"], population, need, REGIONS)
    np.testing.assert_allclose(block, np.tile([0.104238, 0.213098, 0.214011, 0.315450, 0.153203], (2, 1)), rtol=1e-5)
    path = tmp_path / "pop_key.yaml"
    path.write_text("extends: nf2021\nname: pop_key\nsplit:\n  key: population\n  shares: null\n", encoding="utf-8")
    keys = region_keys(load_rule_set(str(path)), population, need, REGIONS)
    np.testing.assert_allclose(keys, population / population.sum(axis=1, keepdims=True))


def test_2019_counts_digital_solutions_as_met_or_not():
    """nf2019: five criteria of a fifth each, criterion 5 a scenario input (1 met, 0 not). The first
    scheme year is assessed against 2018; 2018 itself is not."""
    base = np.tile([2.2, 25000.0, 0.09, 0.10], (5, 1))
    data = np.zeros((1, 2, 5, len(CRITERIA)))
    data[0, 0, :, :4] = base
    data[0, 1, :, :4] = base * np.array([0.99, 1.01, 1.01, 0.99])  # only criterion 1 met
    data[0, 1, :, 4] = [1.0, 0.0, 1.0, 0.0, 1.0]
    criteria = xr.DataArray(data, dims=("draw", "period", "region", "criterion"),
                            coords={"draw": [0], "period": [2018, 2019], "region": REGIONS, "criterion": list(CRITERIA)})
    population = xr.DataArray(np.ones((1, 2, 5)), dims=("draw", "period", "region"),
                              coords={"draw": [0], "period": [2018, 2019], "region": REGIONS})
    payout = assess(criteria, load_rule_sets(RULES), population, population)
    assert payout["period"].values.tolist() == [2019]
    year = payout.sel(period=2019)
    np.testing.assert_array_equal(year["met"].values[0, :, 4], [1, 0, 1, 0, 1])
    np.testing.assert_array_equal(year["fulfilment"].values[0, :, 4], [1, 0, 1, 0, 1])
    np.testing.assert_array_equal(year["criteria_met"].values[0], [2, 1, 2, 1, 2])
    np.testing.assert_allclose(year["share_kept"].values[0], [0.4, 0.2, 0.4, 0.2, 0.4])
    # weighted rule: every missing criterion is pivotal, every met one is not
    # (the last criterion, elderly_acute_admissions of the successor example, does not count in 2019)
    np.testing.assert_array_equal(year["pivotal"].values[0, 1], [0, 1, 1, 1, 1, 0])
    np.testing.assert_array_equal(year["pivotal"].values[0, 0], [0, 1, 1, 1, 0, 0])

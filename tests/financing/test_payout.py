"""Payout from hand-made criterion values under the packaged rule sets equals hand-computed money."""

import numpy as np
import xarray as xr

from naerhed.financing.criteria import names as criterion_names

CRITERIA = criterion_names()
from naerhed.financing.payout import assess
from naerhed.financing.rules import load_rule_sets

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

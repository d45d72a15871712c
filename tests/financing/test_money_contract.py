"""The labelled arrays of the money layer: every variable of `payout.assess` and `risk.risk_metrics`
has the dimensions and units its readers (results.nc, report, compare) rely on."""

from __future__ import annotations

import numpy as np

from naerhed.financing.payout import assess
from naerhed.financing.risk import risk_metrics
from naerhed.financing.rules import load_rule_sets

from .test_payout import criteria_array, xr
from .test_risk import hand_made_payout

CELL = ("draw", "period", "region", "criterion")
YEAR = ("draw", "period", "region")
ASSESS = {
    "met": (CELL, "1 met, 0 not met, NaN not counted"),
    "fulfilment": (CELL, "share (0-1)"),
    "criteria_met": (YEAR, "criteria"),
    "share_kept": (YEAR, "share of the region's part of the pool"),
    "region_pool_dkk": (YEAR, "DKK"),
    "payout_dkk": (YEAR, "DKK"),
    "repayment_dkk": (YEAR, "DKK"),
    "pivotal": (CELL, "1 if meeting this criterion would have raised the payout"),
    "target_value": (CELL, "as the criterion"),
}
RISK = {
    "p_met": (("period", "region", "criterion"), "probability"),
    "p_criteria_met": (("criteria_met_count", "period", "region"), "probability"),
    "share_kept_mean": (("period", "region"), "share"),
    "expected_payout_dkk": (("period", "region"), "DKK"),
    "expected_repayment_dkk": (("period", "region"), "DKK"),
    "p_full_payout": (("period", "region"), "probability"),
    "var_repayment_dkk": (("period", "region"), "DKK"),
    "es_repayment_dkk": (("period", "region"), "DKK"),
    "p_pivotal": (("period", "region", "criterion"), "probability"),
    "expected_payout_dkk_all": (("period",), "DKK"),
    "expected_repayment_dkk_all": (("period",), "DKK"),
    "p_full_payout_all": (("period",), "probability"),
    "var_repayment_dkk_all": (("period",), "DKK"),
    "es_repayment_dkk_all": (("period",), "DKK"),
}


def test_assess_variables_have_their_dimensions_and_units():
    base = np.tile([2.2, 25000.0, 0.09, 0.10], (5, 1))
    population = xr.DataArray(np.ones((1, 2, 5)), dims=("draw", "period", "region"),
                              coords={"draw": [0], "period": [2020, 2021], "region": [1081, 1082, 1083, 1084, 1085]})
    payout = assess(criteria_array(base, base * 0.99), load_rule_sets(["nf2019", "nf2020", "nf2021", "nf2022plus"]),
                    population, population)
    assert set(payout.dims) == {"draw", "period", "region", "criterion"}
    for name, (dims, units) in ASSESS.items():
        assert payout[name].dims == dims, name
        assert payout[name].attrs["units"] == units, name
    assert payout["rule_set"].dims == ("period",) and payout["rule_set"].values.tolist() == ["nf2021"]
    assert payout["target_value"].attrs["description"] == "the value that just meets the criterion"


def test_risk_variables_have_their_dimensions_and_units():
    risk = risk_metrics(hand_made_payout())
    for name, (dims, units) in RISK.items():
        assert set(risk[name].dims) == set(dims), name
        assert risk[name].attrs["units"] == units, name
    assert risk["deciding_criterion"].dims == ("period", "region")
    assert risk.attrs["draws"] == 20 and risk.attrs["level"] == 0.95


# --------------------------------------------------------------------------------------------
# Every attribute word for word (results.nc carries them; tests/golden/money_attrs.json)
# --------------------------------------------------------------------------------------------

import json  # noqa: E402
import sys  # noqa: E402
from pathlib import Path  # noqa: E402

ATTRS_REFERENCE = Path(__file__).resolve().parents[1] / "golden" / "money_attrs.json"


def money_attrs() -> dict:
    """The dimensions and attributes of every variable of assess (both settlement modes) and of
    risk_metrics, and the Datasets' own attributes, from the hand-made inputs."""
    base = np.tile([2.2, 25000.0, 0.09, 0.10], (5, 1))
    population = xr.DataArray(np.ones((1, 2, 5)), dims=("draw", "period", "region"),
                              coords={"draw": [0], "period": [2020, 2021], "region": [1081, 1082, 1083, 1084, 1085]})
    rules = load_rule_sets(["nf2019", "nf2020", "nf2021", "nf2022plus"])
    out = {}
    for mode in ("formal", "as_applied"):
        payout = assess(criteria_array(base, base * 0.99), rules, population, population, settlement=mode)
        out[f"assess {mode}"] = {name: {"dims": list(da.dims), "dtype": str(da.dtype), "attrs": da.attrs}
                                 for name, da in payout.data_vars.items()}
    risk = risk_metrics(hand_made_payout())
    out["risk_metrics"] = {name: {"dims": list(da.dims), "dtype": str(da.dtype), "attrs": da.attrs}
                           for name, da in risk.data_vars.items()}
    out["risk_metrics attrs"] = dict(risk.attrs)
    return json.loads(json.dumps(out, default=str))


def test_every_attribute_of_the_money_variables_word_for_word():
    assert money_attrs() == json.loads(ATTRS_REFERENCE.read_text(encoding="utf-8"))


if __name__ == "__main__":  # regenerate: PYTHONPATH=model:. .venv/bin/python -m tests.financing.test_money_contract --update
    if sys.argv[1:] != ["--update"]:
        sys.exit("usage: PYTHONPATH=model:. python -m tests.financing.test_money_contract --update")
    ATTRS_REFERENCE.write_text(json.dumps(money_attrs(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {ATTRS_REFERENCE}")

"""Edge cases of the rule arithmetic, the rule-file sections and the rule-set loading: each a
property a user can see (a boundary, a message word for word, a form of input), written where the
mutation test (`make mutate`, tests/mutation_survivors.md) found it unchecked."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from naerhed.constants import REGION_CODES
from naerhed.financing.rules import CriterionRule, load_rule_set, met_and_fulfilment, share_kept
from naerhed.financing.rules.arithmetic import MET_TOLERANCE

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rules"
REGIONS = list(REGION_CODES)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def weighted(tmp_path: Path, weights: str = "{stays_per_citizen: 0.4, activity_per_chronic_dkk: 0.3, "
             "readmission_share: 0.2, virtual_share: 0.1}", partial: bool = True):
    return load_rule_set(write(tmp_path, "weighted.yaml", f"""
extends: {FIXTURES / 'base.yaml'}
name: weighted
payout: {{formula: weighted, steps: null, weights: {weights}, partial: {str(partial).lower()}}}
"""))


# --------------------------------------------------------------------------------------------
# Judging a criterion
# --------------------------------------------------------------------------------------------


def test_a_missing_value_written_as_none_is_not_met():
    values = [None, 0.5, 0.5, 0.5, None]
    reference = [1.0, None, 1.0, 1.0, None]
    met, fulfilment = met_and_fulfilment(values, reference, CriterionRule(min_improvement=0.1), -1, REGIONS)
    assert met.tolist() == [False, False, True, True, False]
    assert fulfilment.tolist() == [0.0, 0.0, 1.0, 1.0, 0.0]


def test_judging_raises_no_floating_point_warning():
    """A zero reference (0/0, x/0), a NaN and a zero threshold are handled without a warning: even
    with every floating-point error raised the answer comes back."""
    reference = np.array([0.0, 0.0, 0.0, np.nan, 1.0])
    values = np.array([0.0, 1.0, -1.0, 1.0, np.nan])
    with np.errstate(all="raise"):
        for threshold in (0.0, 0.02):
            met, fulfilment = met_and_fulfilment(values, reference, CriterionRule(min_improvement=threshold), 1, REGIONS)
            assert met.tolist() == [False, True, False, False, False]
            assert fulfilment.tolist() == [0.0, 1.0, 0.0, 0.0, 0.0]


def test_an_improvement_of_exactly_the_tolerance_is_not_met_and_earns_nothing():
    """Met means larger than min_improvement + MET_TOLERANCE: 1e-12 above a zero threshold is not
    met, and with a zero threshold nothing short of it is partial credit. (Percentage points from a
    reference of 0: the improvement is the value x 100, exactly.)"""
    criterion = CriterionRule(threshold_type="percentage_points")
    values = np.array([1e-14, 2e-14, 0.0, -1e-14, 1.0])
    assert float(values[0] * 100.0) == MET_TOLERANCE
    met, fulfilment = met_and_fulfilment(values, np.zeros(5), criterion, 1, REGIONS)
    assert met.tolist() == [False, True, False, False, True]
    assert fulfilment.tolist() == [0.0, 1.0, 0.0, 0.0, 1.0]


def test_fulfilment_short_of_the_tolerance_is_at_most_one():
    """An improvement above min_improvement but within the tolerance is not met, and its partial
    credit (improvement / min_improvement, a hair above 1) is 1 at most."""
    criterion = CriterionRule(threshold_type="percentage_points", min_improvement=0.02)
    values = np.full(5, (0.02 + 0.5e-12) / 100)
    met, fulfilment = met_and_fulfilment(values, np.zeros(5), criterion, 1, REGIONS)
    assert not met.any()
    assert fulfilment.tolist() == [1.0] * 5


# --------------------------------------------------------------------------------------------
# The share kept
# --------------------------------------------------------------------------------------------


def test_share_kept_names_every_counted_criterion_that_is_missing():
    with pytest.raises(ValueError) as info:
        share_kept(np.ones(2, bool), np.ones(2), load_rule_set("nf2021"),
                   criteria=["stays_per_citizen", "activity_per_chronic_dkk"])
    assert str(info.value) == ("the rule set nf2021 counts readmission_share, virtual_share, which is not in the "
                               "criteria given")


def test_partial_credit_with_draw_and_region_axes(tmp_path):
    """[draw, region, criterion] arrays, as the payout passes them."""
    rule_set = weighted(tmp_path)
    met = np.zeros((2, 3, 4), bool)
    met[1, 2] = True
    fulfilment = np.zeros((2, 3, 4))
    fulfilment[0, 1] = [0.5, 0.0, 0.0, 1.0]
    kept = share_kept(met, fulfilment, rule_set)
    np.testing.assert_allclose(kept, [[0.0, 0.4 * 0.5 + 0.1, 0.0], [0.0, 0.0, 1.0]])


def test_a_criterion_met_counts_fully_whatever_its_fulfilment(tmp_path):
    rule_set = weighted(tmp_path)
    met = np.array([True, False, False, False])
    assert share_kept(met, np.array([0.25, 0.0, 0.0, 0.0]), rule_set) == pytest.approx(0.4)


def test_weights_summing_to_a_hair_over_1_keep_at_most_the_whole_share(tmp_path):
    """Weights are accepted within 1e-6 of summing to 1; a region meeting every criterion keeps
    its whole share, not more."""
    for partial in (False, True):
        rule_set = weighted(tmp_path, "{stays_per_citizen: 0.4, activity_per_chronic_dkk: 0.3, "
                            "readmission_share: 0.2, virtual_share: 0.1000005}", partial)
        assert share_kept(np.ones(4, bool), np.ones(4), rule_set) == 1.0
        assert share_kept(np.array([True, True, True, False]), np.zeros(4), rule_set) == pytest.approx(0.9)

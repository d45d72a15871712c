"""From criterion values to the share of its part of the pool a region keeps.

Judging a criterion (`met_and_fulfilment`): the improvement on the reference year is
(reference - value) / reference when lower is better, (value - reference) / reference when higher
is better (threshold_type relative), or the difference in percentage points (share criteria,
threshold_type percentage_points). The criterion is met if the improvement is larger than
min_improvement (0: any improvement counts). Fulfilment is 1 if met, else the improvement as a
share of min_improvement (0-1) when min_improvement > 0, else 0; it matters only for the weighted
payout with partial fulfilment. A criterion that is a scenario input (digital_solutions, 2019) is
met or not met as the scenario says.

The share kept (`share_kept`) follows the rule set's payout formula: a step table by the number of
criteria met, or the sum of the weights of the criteria met (with partial fulfilment, pro rata).
The rule set given must be the rules in force in the year assessed
(`naerhed.financing.rules.rule_set_for_year`, or `RuleSet.in_year`).
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

import numpy as np

from .schema import RuleSet
from .sections import CriterionRule

__all__ = ["MET_TOLERANCE", "met_and_fulfilment", "share_kept"]

#: An improvement must exceed min_improvement by more than this: rounding must not decide a criterion.
MET_TOLERANCE = 1e-12


def met_and_fulfilment(
    values: Any,
    reference: Any,
    criterion_rule: CriterionRule,
    direction: int,
    region_codes: Sequence[int],
) -> tuple[np.ndarray, np.ndarray]:
    """Whether a criterion is met, and its fulfilment, for arrays with a trailing region axis.

    values: the criterion in the assessed year [..., region]; reference: the same in the reference
    year (broadcastable); direction: +1 if higher is better, -1 if lower is better
    (Criterion.good_direction in naerhed.financing.criteria); region_codes: DST codes of the region axis (for
    per-region thresholds). The improvement is relative ((reference - value) / reference, or
    (value - reference) / reference) or in percentage points (the difference x 100). Met: the
    improvement is larger than min_improvement (by more than MET_TOLERANCE, 1e-12, so that
    floating-point rounding at the threshold does not decide). Fulfilment: 1 if met; else
    improvement / min_improvement clipped to [0, 1] when min_improvement > 0; else 0. A NaN value or
    reference is not met, with fulfilment 0. Returns (met: bool array, fulfilment: float array)."""
    values = np.asarray(values, dtype=float)
    reference = np.asarray(reference, dtype=float)
    if direction not in (1, -1):
        raise ValueError(f"direction must be +1 (higher is better) or -1 (lower is better); got {direction!r}")
    codes = list(region_codes)
    if values.ndim == 0 or values.shape[-1] != len(codes):
        raise ValueError(f"the last axis of values must be the {len(codes)} regions of region_codes; "
                         f"got shape {values.shape}")
    threshold = criterion_rule.thresholds(codes)
    with np.errstate(divide="ignore", invalid="ignore"):
        difference = (values - reference) if direction > 0 else (reference - values)
        if criterion_rule.threshold_type == "relative":
            improvement = difference / reference
        else:
            improvement = difference * 100.0
        met = improvement > threshold + MET_TOLERANCE  # False for NaN
        partial = np.where(threshold > 0, improvement / threshold, 0.0)
    fulfilment = np.where(met, 1.0, np.clip(np.nan_to_num(partial), 0.0, 1.0))  # NaN: 0; -inf: 0
    return met, fulfilment


def share_kept(met: Any, fulfilment: Any, rule: RuleSet, criteria: Optional[Sequence[str]] = None) -> np.ndarray:
    """Share of its part of the pool a region keeps, from the criteria met [..., criterion].

    met: bool (or 1/0; NaN = not met) and fulfilment (0-1) with a last axis over `criteria`
    (default: rule.counted_criteria, in that order); criteria not counted by the rule are ignored.
    rule: the rules in force in the year. formula step: steps[number met]; weighted: the sum of the
    weights of the criteria met, or with partial, of weight x fulfilment (1 for a criterion met).
    Returns an array [...] in [0, 1]."""
    names = list(rule.counted_criteria if criteria is None else criteria)
    met = np.asarray(met) >= 0.5  # bool as it is; 1/0 floats: NaN is not met
    if met.shape[-1:] != (len(names),):
        raise ValueError(f"the last axis of met must be the criteria {names}; got shape {met.shape}")
    missing = [name for name in rule.counted_criteria if name not in names]
    if missing:
        raise ValueError(f"the rule set {rule.name} counts {', '.join(missing)}, which is not in the criteria given")
    index = [names.index(name) for name in rule.counted_criteria]
    met = met[..., index]
    payout = rule.payout
    if payout.formula == "step":
        table = np.array([payout.steps[k] for k in range(len(index) + 1)])
        return table[met.sum(axis=-1)]
    weights = np.array([payout.weights[name] for name in rule.counted_criteria])
    if payout.partial:
        fulfilment = np.broadcast_to(fulfilment, met.shape[:-1] + (len(names),))[..., index]
        credit = np.where(met, 1.0, np.clip(np.nan_to_num(fulfilment), 0.0, 1.0))
    else:
        credit = met
    return np.minimum((credit * weights).sum(axis=-1), 1.0)  # weights sum to 1 within 1e-6

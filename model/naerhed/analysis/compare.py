"""Scenario comparison with paired differences.

Every scenario runs with the same seed and draws, so draw d of scenario B faces the same random
numbers as draw d of the reference A (common random numbers): the per-draw differences B - A are
paired, and their spread is the spread of the effect, not of the noise. Intervals are 95 %:
mean ± 1.96 standard errors of the paired differences for means and probabilities, and a paired
bootstrap (fixed seed) for the value at risk and expected shortfall.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from ..financing.criteria import REGISTRY
from ..financing.risk import LEVEL, expected_shortfall, value_at_risk
from ..regions import every_region_full, regions_of_year

Z95 = 1.959963984540054
BOOTSTRAP_REPLICATES = 1000
BOOTSTRAP_SEED = 20190101


def mean_interval(differences: np.ndarray, axis: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean of paired differences over draws and its 95 % interval (normal approximation)."""
    n = differences.shape[axis]
    mean = differences.mean(axis=axis)
    se = differences.std(axis=axis, ddof=1) / np.sqrt(n) if n > 1 else np.full_like(mean, np.nan)
    return mean, mean - Z95 * se, mean + Z95 * se


def bootstrap_interval(a: np.ndarray, b: np.ndarray, statistic) -> tuple[float, float, float]:
    """statistic(b) - statistic(a) and its 95 % paired bootstrap interval (draws resampled together)."""
    point = float(statistic(b) - statistic(a))
    n = a.size
    if n < 2:
        return point, float("nan"), float("nan")
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    idx = rng.integers(0, n, size=(BOOTSTRAP_REPLICATES, n))
    reps = np.array([statistic(b[i]) - statistic(a[i]) for i in idx])
    low, high = np.quantile(reps, [0.025, 0.975])
    return point, float(low), float(high)


def criteria_differences(reference: xr.Dataset, other: xr.Dataset, names: tuple[str, str]) -> list[dict]:
    """One row per calendar year, region (and Denmark) and criterion: means of both scenarios and
    the mean paired difference with its 95 % interval."""
    rows = []
    region_names = dict(zip(reference["region"].values.tolist(), reference["region_name"].values.tolist()))
    for region in list(region_names) + ["all"]:
        a_all = reference["criteria_national"] if region == "all" else reference["criteria"].sel(region=region)
        b_all = other["criteria_national"] if region == "all" else other["criteria"].sel(region=region)
        for criterion in REGISTRY:
            a = a_all.sel(criterion=criterion).transpose("draw", "period").values
            b = b_all.sel(criterion=criterion).transpose("draw", "period").values
            mean, low, high = mean_interval(b - a)
            for i, year in enumerate(reference["period"].values.tolist()):
                rows.append({
                    "year": year, "region_code": "" if region == "all" else region,
                    "region": "Danmark (all regions)" if region == "all" else region_names[region],
                    "criterion": criterion, "unit": REGISTRY[criterion].unit,
                    f"{names[0]}_mean": float(a[:, i].mean()), f"{names[1]}_mean": float(b[:, i].mean()),
                    "difference_mean": float(mean[i]), "difference_ci95_low": float(low[i]),
                    "difference_ci95_high": float(high[i]),
                })
    return rows


def risk_differences(reference: xr.Dataset, other: xr.Dataset, names: tuple[str, str]) -> list[dict]:
    """One row per assessed year, region (and all regions) and risk metric: both scenarios' values
    and the paired difference with its 95 % interval."""
    rows = []
    region_names = dict(zip(reference["region"].values.tolist(), reference["region_name"].values.tolist()))
    for year in reference["assessed_year"].values.tolist():
        for region in regions_of_year(reference, year) + ["all"]:
            def pick(ds, name):
                values = ds[name].sel(assessed_year=year)
                values = values.sum("region") if region == "all" else values.sel(region=region)
                return values.values.astype(float)

            repay_a, repay_b = pick(reference, "repayment_dkk"), pick(other, "repayment_dkk")
            if region == "all":
                full_a, full_b = (every_region_full(ds["share_kept"].sel(assessed_year=year)) for ds in (reference, other))
            else:
                full_a = (pick(reference, "share_kept") >= 1 - 1e-9).astype(float)
                full_b = (pick(other, "share_kept") >= 1 - 1e-9).astype(float)
            metrics = {
                "expected_repayment_dkk": (repay_a, repay_b, None),
                "expected_payout_dkk": (pick(reference, "payout_dkk"), pick(other, "payout_dkk"), None),
                "p_full_payout": (full_a, full_b, None),
                f"var{int(LEVEL * 100)}_repayment_dkk": (repay_a, repay_b, lambda x: value_at_risk(x, LEVEL)),
                f"es{int(LEVEL * 100)}_repayment_dkk": (repay_a, repay_b, lambda x: expected_shortfall(x, LEVEL)),
            }
            if region != "all":
                metrics["criteria_met_mean"] = (pick(reference, "criteria_met"), pick(other, "criteria_met"), None)
            for metric, (a, b, statistic) in metrics.items():
                if statistic is None:
                    mean, low, high = mean_interval((b - a)[:, None])
                    point, low, high = float(mean[0]), float(low[0]), float(high[0])
                    value_a, value_b = float(a.mean()), float(b.mean())
                else:
                    point, low, high = bootstrap_interval(a, b, statistic)
                    value_a, value_b = float(statistic(a)), float(statistic(b))
                rows.append({
                    "year": year, "region_code": "" if region == "all" else region,
                    "region": "all regions" if region == "all" else region_names[region], "metric": metric,
                    names[0]: value_a, names[1]: value_b, "difference": point,
                    "difference_ci95_low": low, "difference_ci95_high": high,
                })
    return rows

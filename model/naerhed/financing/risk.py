"""Risk metrics for budget negotiators, from the payout of every draw.

Per region and year: probability that each criterion is met; distribution of the number met;
mean share kept; expected payout and repayment (DKK); probability of full payout; 95 % value at
risk (the repayment exceeded in only 1 draw in 20) and expected shortfall (mean repayment in those
worst draws); the criterion that decides most often (the one whose fulfilment would most often have
raised the payout). For all regions together the same money metrics of the summed repayment.

Every figure has a Monte Carlo standard error (variable `<name>_se`, same unit): the error of the
estimate from a finite number of draws, not the spread of the outcome.
- probabilities (P(full payout), P(criterion met), P(k criteria met), P(pivotal)): binomial,
  sqrt(p (1 - p) / n) over the n draws (0 when no draw or every draw has the event: with n draws an
  event of probability below about 3 / n may go unseen, so read 0 % or 100 % as "below 3 / n");
- means (share kept, expected payout and repayment): sd / sqrt(n), sample sd with n - 1;
- value at risk and expected shortfall: bootstrap over draws (BOOTSTRAP_REPLICATES resamples of
  the n draws with replacement, fixed seed BOOTSTRAP_SEED, so the same run gives the same errors and
  the model's random numbers are untouched); the sd of the replicates' VaR and ES, and their 2.5 %
  and 97.5 % percentiles as a 95 % interval (suffix _ci, dimension bound), which stays within the
  values the repayment can take. Chosen over the
  asymptotic quantile error sqrt(q (1 - q) / n) / f(VaR) because the repayment is not continuous: it
  takes a few values (a share of the pool lost per missed criterion) with an atom at 0, so the
  density f at the quantile, which a kernel estimate would need, does not exist.

Sampling error (`with_sample_error`): a run's expected criteria come from a few samples of the
population (naerhed.results.sample_adjustment), so a figure also depends on which persons the samples
hold (heavy users of hospitals, who dies, who falls ill: the sampling error of the expectations,
which falls as sqrt(sample fraction x samples)). Every figure is recomputed with the draws' criteria
moved by each of the samples' error perturbations; the root mean square change is its sampling error
(`<name>_sample_se`). `<name>_se` is then the total error, sqrt(Monte Carlo^2 + sampling^2), with the
Monte Carlo part kept as `<name>_mc_se`.

`precision_warnings` compares the errors with a stated precision and says how many draws would meet
it: the standard error falls as 1 / sqrt(n), so n x (se / target)^2 draws; where the sampling error
alone exceeds the precision, more draws cannot help, and it says which sample fraction would
(the sampling error falls as sqrt(f): f x (sampling se / target)^2). For the VaR and ES this
is a lower bound: where the probability of a step of the repayment (one more criterion missed) is
near 1 - LEVEL, the quantile flips between the two values and its error falls more slowly.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from .precision import MONEY_PRECISION, PRECISION, TAIL_PRECISION

LEVEL = 0.95
#: Bootstrap resamples for the Monte Carlo error of the value at risk and expected shortfall.
BOOTSTRAP_REPLICATES = 400
#: Seed of the bootstrap resampling (its own generator; the model's random numbers are untouched).
BOOTSTRAP_SEED = 12345
#: Bounds of the bootstrap percentile interval of the VaR and ES (a 95 % Monte Carlo interval).
INTERVAL = (0.025, 0.975)


def value_at_risk(values: np.ndarray, level: float = LEVEL, axis: int = 0) -> np.ndarray:
    """The `level` quantile of the repayment over draws (linear interpolation)."""
    return np.quantile(values, level, axis=axis)


def expected_shortfall(values: np.ndarray, level: float = LEVEL, axis: int = 0) -> np.ndarray:
    """Mean of the outcomes at or above the value at risk: the average repayment in the worst
    (1 - level) of draws (at least one draw)."""
    values = np.moveaxis(np.asarray(values, dtype=float), axis, 0)
    ordered = np.sort(values, axis=0)
    n_tail = max(1, int(np.ceil((1 - level) * ordered.shape[0] - 1e-9)))
    return ordered[-n_tail:].mean(axis=0)


def binomial_se(p, n: int):
    """Monte Carlo standard error of a probability `p` estimated from `n` draws: sqrt(p (1 - p) / n)
    (NaN with fewer than 2 draws, where p is NaN)."""
    p = np.asarray(p, dtype=float) if not isinstance(p, xr.DataArray) else p
    if n < 2:
        return p * np.nan
    return (p * (1 - p) / n) ** 0.5


def mean_se(values: xr.DataArray, dim: str = "draw") -> xr.DataArray:
    """Monte Carlo standard error of the mean of `values` over `dim`: sd / sqrt(n), sample sd with
    n - 1 (NaN with fewer than 2 draws). Same unit as `values`."""
    n = values.sizes[dim]
    if n < 2:
        return values.mean(dim) * np.nan
    return values.std(dim, ddof=1) / np.sqrt(n)


def bootstrap(values: np.ndarray, statistic, replicates: int = BOOTSTRAP_REPLICATES,
              seed: int = BOOTSTRAP_SEED) -> tuple[np.ndarray, np.ndarray]:
    """Bootstrap of `statistic(values)` (a function reducing axis 0, the draws) over `replicates`
    resamples of the draws with replacement, from a generator of its own seeded with `seed`. Returns
    (standard error, [2.5 %, 97.5 %] percentile interval stacked on a first axis of 2); NaN with
    fewer than 2 draws. Same unit as `values`."""
    values = np.asarray(values, dtype=float)
    n = values.shape[0]
    if n < 2:
        nan = np.full(values.shape[1:], np.nan)
        return nan, np.stack([nan, nan])
    rng = np.random.default_rng(seed)
    estimates = np.stack([statistic(values[rng.integers(0, n, n)]) for _ in range(replicates)])
    return estimates.std(axis=0, ddof=1), np.quantile(estimates, INTERVAL, axis=0)


def bootstrap_se(values: np.ndarray, statistic, replicates: int = BOOTSTRAP_REPLICATES,
                 seed: int = BOOTSTRAP_SEED) -> np.ndarray:
    """The bootstrap standard error of `statistic(values)` (see `bootstrap`)."""
    return bootstrap(values, statistic, replicates, seed)[0]


def risk_metrics(payout: xr.Dataset, level: float = LEVEL) -> xr.Dataset:
    """Risk metrics (see the module docstring) by period and region, and for all regions (suffix _all),
    each with its Monte Carlo standard error (suffix _se, same unit)."""
    draws = payout.sizes["draw"]
    met = payout["met"]
    repayment = payout["repayment_dkk"]
    full = payout["share_kept"] >= 1 - 1e-9
    exists = payout["share_kept"].notnull().any("draw")  # (period, region): the region exists in the year (a reform)
    n_met = payout["criteria_met"]
    counts = xr.concat([(n_met == k).mean("draw").where(exists) for k in range(payout.sizes["criterion"] + 1)],
                       dim="criteria_met_count")
    counts = counts.assign_coords(criteria_met_count=np.arange(counts.sizes["criteria_met_count"]))
    pivotal = payout["pivotal"].where(payout["met"].notnull())
    pivotal_share = pivotal.mean("draw")
    deciding = pivotal_share.fillna(-1).argmax("criterion")
    deciding_name = xr.DataArray(np.asarray(payout["criterion"].values)[deciding.values], dims=deciding.dims,
                                 coords=deciding.coords)
    deciding_name = deciding_name.where(pivotal_share.max("criterion") > 0, "none")
    total_repayment = repayment.sum("region")
    p_met = met.mean("draw", skipna=False)
    p_full = full.mean("draw").where(exists)
    p_full_all = (full | ~exists).all("region").mean("draw")
    by_region = {"period": payout["period"], "region": payout["region"]}
    by_period = {"period": payout["period"]}

    def tail(values: xr.DataArray, coords: dict, statistic) -> tuple[xr.DataArray, xr.DataArray, xr.DataArray]:
        """`statistic` (VaR or ES) of `values` over draws, its bootstrap standard error and interval."""
        dims = tuple(coords)
        array = values.transpose("draw", *dims).values
        se, interval = bootstrap(array, statistic)
        return (xr.DataArray(statistic(array), dims=dims, coords=coords), xr.DataArray(se, dims=dims, coords=coords),
                xr.DataArray(interval, dims=("bound",) + dims, coords={"bound": list(INTERVAL), **coords}))

    var_of = lambda v: value_at_risk(v, level)  # noqa: E731
    es_of = lambda v: expected_shortfall(v, level)  # noqa: E731
    var, var_se, var_ci = tail(repayment, by_region, var_of)
    es, es_se, es_ci = tail(repayment, by_region, es_of)
    var_all, var_all_se, var_all_ci = tail(total_repayment, by_period, var_of)
    es_all, es_all_se, es_all_ci = tail(total_repayment, by_period, es_of)
    tail_ci = {"units": "DKK", "description": f"95 % Monte Carlo interval (bootstrap percentiles {INTERVAL})"}
    probability_se = {"units": "probability", "description": "Monte Carlo standard error (binomial)"}
    mean_se_attrs = {"description": "Monte Carlo standard error (sd / sqrt(draws))"}
    tail_se = {"units": "DKK", "description": f"Monte Carlo standard error (bootstrap over draws, "
                                             f"{BOOTSTRAP_REPLICATES} resamples, seed {BOOTSTRAP_SEED})"}
    ds = xr.Dataset({
        "p_met": p_met.assign_attrs(units="probability", description="probability that the criterion is met"),
        "p_met_se": binomial_se(p_met, draws).assign_attrs(probability_se),
        "p_criteria_met": counts.assign_attrs(units="probability", description="distribution of the number of criteria met"),
        "p_criteria_met_se": binomial_se(counts, draws).assign_attrs(probability_se),
        "share_kept_mean": payout["share_kept"].mean("draw").assign_attrs(units="share"),
        "share_kept_mean_se": mean_se(payout["share_kept"]).assign_attrs(units="share", **mean_se_attrs),
        "expected_payout_dkk": payout["payout_dkk"].mean("draw").assign_attrs(units="DKK"),
        "expected_payout_dkk_se": mean_se(payout["payout_dkk"]).assign_attrs(units="DKK", **mean_se_attrs),
        "expected_repayment_dkk": repayment.mean("draw").assign_attrs(units="DKK"),
        "expected_repayment_dkk_se": mean_se(repayment).assign_attrs(units="DKK", **mean_se_attrs),
        "p_full_payout": p_full.assign_attrs(units="probability"),
        "p_full_payout_se": binomial_se(p_full, draws).assign_attrs(probability_se),
        "var_repayment_dkk": var.assign_attrs(units="DKK", description=f"{level:.0%} value at risk of the repayment"),
        "var_repayment_dkk_se": var_se.assign_attrs(tail_se),
        "var_repayment_dkk_ci": var_ci.assign_attrs(tail_ci),
        "es_repayment_dkk": es.assign_attrs(
            units="DKK", description=f"expected shortfall: mean repayment in the worst {1 - level:.0%} of draws"),
        "es_repayment_dkk_se": es_se.assign_attrs(tail_se),
        "es_repayment_dkk_ci": es_ci.assign_attrs(tail_ci),
        "p_pivotal": pivotal_share.assign_attrs(units="probability",
                                                description="probability that meeting the criterion would have raised the payout"),
        "p_pivotal_se": binomial_se(pivotal_share, draws).assign_attrs(probability_se),
        "deciding_criterion": deciding_name.assign_attrs(description="the criterion that decides most often"),
        "expected_payout_dkk_all": payout["payout_dkk"].sum("region").mean("draw").assign_attrs(units="DKK"),
        "expected_payout_dkk_all_se": mean_se(payout["payout_dkk"].sum("region")).assign_attrs(units="DKK", **mean_se_attrs),
        "expected_repayment_dkk_all": total_repayment.mean("draw").assign_attrs(units="DKK"),
        "expected_repayment_dkk_all_se": mean_se(total_repayment).assign_attrs(units="DKK", **mean_se_attrs),
        "p_full_payout_all": p_full_all.assign_attrs(units="probability",
                                                     description="probability that every region keeps its full share"),
        "p_full_payout_all_se": binomial_se(p_full_all, draws).assign_attrs(probability_se),
        "var_repayment_dkk_all": var_all.assign_attrs(units="DKK"),
        "var_repayment_dkk_all_se": var_all_se.assign_attrs(tail_se),
        "var_repayment_dkk_all_ci": var_all_ci.assign_attrs(tail_ci),
        "es_repayment_dkk_all": es_all.assign_attrs(units="DKK"),
        "es_repayment_dkk_all_se": es_all_se.assign_attrs(tail_se),
        "es_repayment_dkk_all_ci": es_all_ci.assign_attrs(tail_ci),
    })
    ds.attrs["draws"] = draws
    ds.attrs["level"] = level
    return ds


def varying(parameters: xr.DataArray) -> np.ndarray:
    """The columns of `parameters` (dims draw, parameter) that vary over the draws and are finite:
    (draws, parameters kept). A column varies when its values differ (not when its computed sd is
    above 0: the float sd of a constant can be 1e-17)."""
    x = parameters.transpose("draw", ...).values.reshape(parameters.sizes["draw"], -1).astype(float)
    finite = np.all(np.isfinite(x), axis=0)
    return x[:, finite & (np.ptp(np.where(finite, x, 0.0), axis=0) > 0)]


def parameter_share_se(draws: int, parameters: int) -> float:
    """Monte Carlo standard error of `parameter_share` where the parameters explain nothing: the sd of
    the adjusted R^2 of `parameters` regressors from `draws` draws, R^2 ~ Beta(k / 2, (n - k - 1) / 2)
    scaled by (n - 1) / (n - k - 1) (before clipping at 0). It shows how large a share chance alone
    gives: with many parameters against few draws the share is noise. 0 without parameters; NaN with
    draws <= parameters + 1. Unit: share of the variance."""
    n, k = draws, parameters
    if k == 0:
        return 0.0
    if n <= k + 1:
        return float("nan")
    a, b = k / 2, (n - k - 1) / 2
    return float(np.sqrt(a * b / ((a + b) ** 2 * (a + b + 1))) * (n - 1) / (n - k - 1))


def parameter_share(values: xr.DataArray, parameters: xr.DataArray) -> xr.DataArray:
    """Share of the variance of `values` over draws that the sampled parameters explain (the rest is
    chance: the model's random events given the parameters), by the law of total variance
    Var Y = Var E[Y | parameters] + E Var[Y | parameters], with E[Y | parameters] estimated by a linear
    regression on the parameters (dims draw, parameter) and its share by the adjusted R^2, clipped to
    [0, 1]. Parameters constant over the draws (uncertainty 'central') are dropped: with none left the
    share is 0. NaN where `values` does not vary or there are too few draws (draws <= parameters + 1).
    A step function of the parameters (a criterion met or not) is explained only in its linear part,
    so the share tends to understate the parameters' part. Unit: share of the variance (0-1)."""
    n = values.sizes["draw"]
    rest = [d for d in values.dims if d != "draw"]
    y = values.transpose("draw", *rest).values.reshape(n, -1).astype(float)
    x = varying(parameters)
    k = x.shape[1]
    y_centred = y - y.mean(axis=0)
    total = (y_centred ** 2).sum(axis=0)
    if k == 0:
        share = np.zeros(y.shape[1])
    elif n <= k + 1:
        share = np.full(y.shape[1], np.nan)
    else:
        design = (x - x.mean(axis=0)) / x.std(axis=0)
        coef, *_ = np.linalg.lstsq(design, np.nan_to_num(y_centred), rcond=None)
        residual = ((y_centred - design @ coef) ** 2).sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.clip(1 - (residual / total) * (n - 1) / (n - k - 1), 0, 1)
    share = np.where((total > 0) & np.all(np.isfinite(y), axis=0), share, np.nan)
    return xr.DataArray(share.reshape([values.sizes[d] for d in rest]), dims=rest,
                        coords={d: values[d] for d in rest if d in values.coords})


#: The risk figures (each with a Monte Carlo error `<name>_se`) whose sampling error is measured.
SAMPLED_FIGURES = ("p_met", "p_criteria_met", "share_kept_mean", "expected_payout_dkk", "expected_repayment_dkk",
                   "p_full_payout", "var_repayment_dkk", "es_repayment_dkk", "p_pivotal", "expected_payout_dkk_all",
                   "expected_repayment_dkk_all", "p_full_payout_all", "var_repayment_dkk_all", "es_repayment_dkk_all")


def with_sample_error(risk: xr.Dataset, others: list[xr.Dataset], sample_fraction: float) -> xr.Dataset:
    """`risk` (risk_metrics of the run) with each figure's sampling error: the root mean square
    difference between the figure and the `others` (risk_metrics of the same draws moved by each of
    the samples' error perturbations, one per sample), as `<name>_sample_se`; `<name>_se` becomes
    sqrt(Monte Carlo^2 + sampling^2) and the Monte Carlo part is kept as `<name>_mc_se` (same units
    as the figure)."""
    out = risk.copy()
    samples = len(others)
    for name in SAMPLED_FIGURES:
        values = xr.concat([o[name] for o in others], dim="sample")
        sampling = np.sqrt(((values - risk[name]) ** 2).mean("sample"))
        monte_carlo = risk[f"{name}_se"]
        out[f"{name}_mc_se"] = monte_carlo
        out[f"{name}_sample_se"] = sampling.assign_attrs(
            units=monte_carlo.attrs.get("units", ""),
            description=f"sampling error of the figure: from {samples} samples of the population at sample "
                        f"fraction {sample_fraction:g} (the draws moved by each sample's error perturbation)")
        out[f"{name}_se"] = np.sqrt(monte_carlo ** 2 + sampling ** 2).assign_attrs(
            units=monte_carlo.attrs.get("units", ""),
            description="standard error: Monte Carlo error and sampling error combined (_mc_se, _sample_se)")
    out.attrs.update(samples=samples, sample_fraction=sample_fraction)
    return out


def sample_fraction_needed(sampling_se: float, target: float, sample_fraction: float) -> float:
    """Sample fraction for a sampling error of `target`, from `sampling_se` at `sample_fraction` (the
    sampling error falls as sqrt(f)); at most 1."""
    return float(min(1.0, sample_fraction * (sampling_se / target) ** 2))


def draws_needed(se: float, target: float, draws: int) -> int:
    """Draws for a standard error of `target`, from `se` at `draws` draws (se falls as 1 / sqrt(n))."""
    return int(np.ceil(draws * (se / target) ** 2 - 1e-9))


def precision_warnings(risk: xr.Dataset, pool: xr.DataArray, region_names: dict[int, str],
                       precision: float = PRECISION, money_precision: float = MONEY_PRECISION,
                       tail_precision: float = TAIL_PRECISION) -> list[str]:
    """One warning per kind of figure whose largest Monte Carlo standard error (over periods, regions
    and criteria) exceeds the stated precision, naming where it is largest and the draws needed.
    `risk`: risk_metrics' Dataset; `pool`: each region's share (DKK) by period and region (mean over
    draws); `precision`: target standard error of a probability; `money_precision`, `tail_precision`:
    target standard error of the expected repayment and of the value at risk and expected shortfall,
    as a share of the region's pool (of all pools for all regions)."""
    draws = int(risk.attrs.get("draws", 0))
    total_pool = pool.sum("region")
    checks = (
        ("P(full payout)", "p_full_payout", 1.0, precision, "probability"),
        ("P(full payout), all regions", "p_full_payout_all", 1.0, precision, "probability"),
        ("P(criterion met)", "p_met", 1.0, precision, "probability"),
        ("expected repayment", "expected_repayment_dkk", pool, money_precision, "share"),
        ("expected repayment, all regions", "expected_repayment_dkk_all", total_pool, money_precision, "share"),
        (f"{LEVEL:.0%} value at risk", "var_repayment_dkk", pool, tail_precision, "tail"),
        (f"{LEVEL:.0%} value at risk, all regions", "var_repayment_dkk_all", total_pool, tail_precision, "tail"),
        ("expected shortfall", "es_repayment_dkk", pool, tail_precision, "tail"),
        ("expected shortfall, all regions", "es_repayment_dkk_all", total_pool, tail_precision, "tail"),
    )
    lines = []
    sampled = "p_met_sample_se" in risk
    for label, name, scale, target, kind in checks:
        relative = (risk[f"{name}_se"] / scale).fillna(0)
        worst = float(relative.max())
        if worst <= target:
            continue
        size = (lambda x: f"{x:.3f}") if kind == "probability" else (lambda x: f"{100 * x:.1f} % of the share")
        goal = f"{target:g}" if kind == "probability" else f"{100 * target:g} % of the share"
        if sampled:
            sampling = (risk[f"{name}_sample_se"] / scale).fillna(0)
            worst_sampling = float(sampling.max())
            if worst_sampling > target:
                fraction = float(risk.attrs["sample_fraction"])
                needed = sample_fraction_needed(worst_sampling, target, fraction)
                lines.append(f"Warning: {label} has a sampling error up to {size(worst_sampling)} "
                             f"({where_largest(sampling, worst_sampling, region_names)}; {int(risk.attrs['samples'])} "
                             f"samples), above the precision {goal}: more draws cannot reduce it; a sample fraction "
                             f"of about {needed:.2g} would meet it (this run: {fraction:g}).")
                continue
            # the draws reduce the Monte Carlo part only: what is left of the precision after the sampling error
            monte_carlo = (risk[f"{name}_mc_se"] / scale).fillna(0)
            at = relative.where(relative == worst, drop=True)
            worst_mc = float(monte_carlo.sel({d: at[d] for d in at.dims}).max())
            left = np.sqrt(max(target ** 2 - float(sampling.sel({d: at[d] for d in at.dims}).max()) ** 2, 1e-30))
            needed_draws = draws_needed(worst_mc, left, draws)
        else:
            needed_draws = draws_needed(worst, target, draws)
        # a quantile sitting on a step of the repayment flips between two values: its error falls
        # slower than 1 / sqrt(n), so for the tail figures the estimate is a lower bound
        bound = "at least " if kind == "tail" else "about "
        what = "a standard error" if sampled else "a Monte Carlo standard error"
        lines.append(f"Warning: {label} has {what} up to {size(worst)} ({where_largest(relative, worst, region_names)}), "
                     f"above the precision {goal}: {bound}{needed_draws} draws would meet it (this run: {draws}).")
    return lines


def where_largest(relative: xr.DataArray, worst: float, region_names: dict[int, str]) -> str:
    """Where `relative` (dims period and possibly region, criterion) takes its largest value `worst`:
    'region, year[, criterion]'."""
    where = relative.where(relative == worst, drop=True)
    place = [str(int(where["period"].values[0]))]
    if "region" in where.dims:
        place.insert(0, region_names[int(where["region"].values[0])])
    if "criterion" in where.dims:
        place.append(str(where["criterion"].values[0]))
    return ", ".join(place)


def _pm(value: float, se: float | None, scale: float, digits: int = 0) -> str:
    """`value` (scaled) with ' ± se' when a standard error is given."""
    text = f"{value * scale:,.{digits}f}"
    if se is not None and not np.isnan(se):
        text += f" ± {se * scale:,.{digits}f}"
    return text


def summary_line(name: str, p_full: float, expected_repayment: float, var: float, level: float = LEVEL,
                 p_full_se: float | None = None, expected_repayment_se: float | None = None,
                 var_se: float | None = None) -> str:
    """One plain-language sentence for a budget negotiator; with standard errors given, each figure
    reads 'value ± one Monte Carlo standard error'."""
    tail = round(1 / (1 - level))
    percent = f"{100 * p_full:.0f} %"
    if p_full_se is not None and not np.isnan(p_full_se):
        percent += f" ± {100 * p_full_se:.0f} %"
    text = (f"{name} keeps its full share in {percent} of draws; "
            f"expected repayment {_pm(expected_repayment, expected_repayment_se, 1e-6)} mio. DKK; ")
    if var <= 0.5e6:
        text += f"in at least {tail - 1} of {tail} draws it repays nothing."
    else:
        text += f"1 in {tail} draws repays more than {_pm(var, var_se, 1e-6)} mio. DKK."
    return text


def summary_lines(risk: xr.Dataset, region_names: dict[int, str], period: int, settled: bool = True) -> list[str]:
    """The plain-language line of every region and of all regions together for one assessed year
    (with '± one Monte Carlo standard error' where `risk` holds the errors). `settled` False: the
    year is not settled (settlement as applied, none took place), so the regions keep their a-conto
    payments and the chance of the full share is the formal rule's only."""
    r = risk.sel(period=period)
    level = float(risk.attrs.get("level", LEVEL))

    def se(name: str, **where) -> float | None:
        return float(r[f"{name}_se"].sel(**where)) if f"{name}_se" in r else None

    lines = [summary_line(region_names[code], float(r["p_full_payout"].sel(region=code)),
                          float(r["expected_repayment_dkk"].sel(region=code)), float(r["var_repayment_dkk"].sel(region=code)),
                          level, se("p_full_payout", region=code), se("expected_repayment_dkk", region=code),
                          se("var_repayment_dkk", region=code))
             + f" Deciding criterion: {str(r['deciding_criterion'].sel(region=code).values)}."
             for code in risk["region"].values.tolist()
             if not np.isnan(float(r["p_full_payout"].sel(region=code)))]  # a region that does not exist in the year
    lines.append(summary_line("All regions together", float(r["p_full_payout_all"]), float(r["expected_repayment_dkk_all"]),
                              float(r["var_repayment_dkk_all"]), level, se("p_full_payout_all"),
                              se("expected_repayment_dkk_all"), se("var_repayment_dkk_all"))
                 .replace("keeps its full share", "keep their full shares"))
    if not settled:
        lines = [line.replace("keeps its full share in", "would keep its full share under the formal rule in")
                 .replace("keep their full shares in", "would keep their full shares under the formal rule in")
                 for line in lines]
    return lines

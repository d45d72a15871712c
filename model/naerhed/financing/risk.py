"""Risk metrics for budget negotiators, from the payout of every draw.

Per region and year: probability that each criterion is met; distribution of the number met;
mean share kept; expected payout and repayment (DKK); probability of full payout; 95 % value at
risk (the repayment exceeded in only 1 draw in 20) and expected shortfall (mean repayment in those
worst draws); the criterion that decides most often (the one whose fulfilment would most often have
raised the payout). For all regions together the same money metrics of the summed repayment.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

LEVEL = 0.95


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


def risk_metrics(payout: xr.Dataset, level: float = LEVEL) -> xr.Dataset:
    """Risk metrics (see the module docstring) by period and region, and for all regions (suffix _all)."""
    draws = payout.sizes["draw"]
    met = payout["met"]
    repayment = payout["repayment_dkk"]
    full = payout["share_kept"] >= 1 - 1e-9
    n_met = payout["criteria_met"]
    counts = xr.concat([(n_met == k).mean("draw") for k in range(payout.sizes["criterion"] + 1)], dim="criteria_met_count")
    pivotal = payout["pivotal"].where(payout["met"].notnull())
    pivotal_share = pivotal.mean("draw")
    deciding = pivotal_share.fillna(-1).argmax("criterion")
    deciding_name = xr.DataArray(np.asarray(payout["criterion"].values)[deciding.values], dims=deciding.dims,
                                 coords=deciding.coords)
    deciding_name = deciding_name.where(pivotal_share.max("criterion") > 0, "none")
    total_repayment = repayment.sum("region")
    ds = xr.Dataset({
        "p_met": met.mean("draw", skipna=False).assign_attrs(units="probability", description="probability that the criterion is met"),
        "p_criteria_met": counts.assign_coords(criteria_met_count=np.arange(counts.sizes["criteria_met_count"])).assign_attrs(
            units="probability", description="distribution of the number of criteria met"),
        "share_kept_mean": payout["share_kept"].mean("draw").assign_attrs(units="share"),
        "expected_payout_dkk": payout["payout_dkk"].mean("draw").assign_attrs(units="DKK"),
        "expected_repayment_dkk": repayment.mean("draw").assign_attrs(units="DKK"),
        "p_full_payout": full.mean("draw").assign_attrs(units="probability"),
        "var_repayment_dkk": xr.DataArray(value_at_risk(repayment.values, level), dims=("period", "region"),
                                          coords={"period": payout["period"], "region": payout["region"]}).assign_attrs(
            units="DKK", description=f"{level:.0%} value at risk of the repayment"),
        "es_repayment_dkk": xr.DataArray(expected_shortfall(repayment.values, level), dims=("period", "region"),
                                         coords={"period": payout["period"], "region": payout["region"]}).assign_attrs(
            units="DKK", description=f"expected shortfall: mean repayment in the worst {1 - level:.0%} of draws"),
        "p_pivotal": pivotal_share.assign_attrs(units="probability",
                                                description="probability that meeting the criterion would have raised the payout"),
        "deciding_criterion": deciding_name.assign_attrs(description="the criterion that decides most often"),
        "expected_payout_dkk_all": payout["payout_dkk"].sum("region").mean("draw").assign_attrs(units="DKK"),
        "expected_repayment_dkk_all": total_repayment.mean("draw").assign_attrs(units="DKK"),
        "p_full_payout_all": full.all("region").mean("draw").assign_attrs(units="probability",
                                                                        description="probability that every region keeps its full share"),
        "var_repayment_dkk_all": xr.DataArray(value_at_risk(total_repayment.values, level), dims=("period",),
                                              coords={"period": payout["period"]}).assign_attrs(units="DKK"),
        "es_repayment_dkk_all": xr.DataArray(expected_shortfall(total_repayment.values, level), dims=("period",),
                                             coords={"period": payout["period"]}).assign_attrs(units="DKK"),
    })
    ds.attrs["draws"] = draws
    ds.attrs["level"] = level
    return ds


def _mio(dkk: float) -> str:
    return f"{dkk / 1e6:,.0f} mio. DKK"


def summary_line(name: str, p_full: float, expected_repayment: float, var: float, level: float = LEVEL) -> str:
    """One plain-language sentence for a budget negotiator."""
    tail = round(1 / (1 - level))
    text = f"{name} keeps its full share in {100 * p_full:.0f} % of draws; expected repayment {_mio(expected_repayment)}; "
    if var <= 0.5e6:
        text += f"in at least {tail - 1} of {tail} draws it repays nothing."
    else:
        text += f"1 in {tail} draws repays more than {_mio(var)}."
    return text


def summary_lines(risk: xr.Dataset, region_names: dict[int, str], period: int) -> list[str]:
    """The plain-language line of every region and of all regions together for one assessed year."""
    r = risk.sel(period=period)
    level = float(risk.attrs.get("level", LEVEL))
    lines = [summary_line(region_names[code], float(r["p_full_payout"].sel(region=code)),
                          float(r["expected_repayment_dkk"].sel(region=code)), float(r["var_repayment_dkk"].sel(region=code)),
                          level)
             + f" Deciding criterion: {str(r['deciding_criterion'].sel(region=code).values)}."
             for code in risk["region"].values.tolist()]
    lines.append(summary_line("All regions together", float(r["p_full_payout_all"]), float(r["expected_repayment_dkk_all"]),
                              float(r["var_repayment_dkk_all"]), level).replace("keeps its full share", "keep their full shares"))
    return lines

"""Each intervention's contribution: the scenario run again without it, with the same seed and
draws (common random numbers), so the difference is the intervention's effect and not noise. Reports
per intervention, year and region: participants, cost, change of every criterion, change of the
expected payout, and the net result (change of expected payout minus cost; positive: it pays for itself
within the pool)."""

from __future__ import annotations

import numpy as np
import xarray as xr

from ..executors import Executor
from ..financing.criteria import names as criterion_names
from ..pipeline import Progress, run_dataset
from ..regions import national, regions_of_year
from ..run_spec import RunSpec


def contribution_rows(spec: RunSpec, full: xr.Dataset, executor: Executor | None = None,
                      progress: Progress | None = None) -> list[dict]:
    """One row per intervention, assessed year and region (and all regions). `full`: the Dataset of
    the run `spec` with every intervention; each intervention's run without it goes through
    naerhed.pipeline.run_dataset on `executor`, reporting `progress` like the full run."""
    rows = []
    for iv in spec.inputs.interventions:
        reduced = run_dataset(spec.without(iv.name), executor, progress)
        years = full["assessed_year"].values.tolist() if "assessed_year" in full.dims else []
        names = dict(zip(full["region"].values.tolist(), full["region_name"].values.tolist()))
        for year in years:
            for region in regions_of_year(full, year) + ["all"]:
                def pick(ds, var):
                    values = ds[var].sel(assessed_year=year)
                    return values.sum("region") if region == "all" else values.sel(region=region)

                participants = full["intervention_participants"].sel(period=year, intervention=iv.name)
                cost = full["intervention_cost_dkk"].sel(period=year, intervention=iv.name)
                participants = national(participants) if region == "all" else participants.sel(region=region)
                cost = national(cost) if region == "all" else cost.sel(region=region)
                payout_change = pick(full, "payout_dkk") - pick(reduced, "payout_dkk")
                row = {"intervention": iv.name, "type": iv.type, "year": year,
                       "region_code": "" if region == "all" else region,
                       "region": "all regions" if region == "all" else names[region],
                       "participants_mean": round(float(participants.mean()), 1),
                       "cost_mio_dkk": round(float(cost.mean()) / 1e6, 4),
                       "expected_payout_change_mio_dkk": round(float(payout_change.mean()) / 1e6, 4),
                       "net_mio_dkk": round(float((payout_change - cost).mean()) / 1e6, 4),
                       "p_full_payout_change": round(float(((pick(full, "share_kept") >= 1 - 1e-9).astype(float)
                                                            - (pick(reduced, "share_kept") >= 1 - 1e-9)).mean()), 4)
                       if region != "all" else ""}
                for criterion in criterion_names(kind="ratio"):
                    source = "criteria_national" if region == "all" else "criteria"
                    a = full[source].sel(period=year, criterion=criterion)
                    b = reduced[source].sel(period=year, criterion=criterion)
                    if region != "all":
                        a, b = a.sel(region=region), b.sel(region=region)
                    row[f"change_{criterion}"] = float(np.round((a - b).mean(), 8))
                rows.append(row)
    return rows

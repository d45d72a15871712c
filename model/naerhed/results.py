"""Labelled results of a run as an xarray Dataset (written to results.nc).

Dimensions: draw, year (1 January, stocks), period (calendar year, flows), region (DST code),
sex, age (completed years; the last is open).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from .constants import MAX_AGE, N_AGES, REGION_CODES, REGION_NAMES, SEXES
from .demography.mortality import life_expectancy
from .engine import EVENT_NAMES, DrawResult
from .inputs import Inputs

OLD_AGE = 80  # persons 80+ (the DST projection's headline age group)


def to_dataset(draws: list[DrawResult], inputs: Inputs, end_year: int, attrs: dict | None = None) -> xr.Dataset:
    """Stack the draws into one Dataset with units and descriptions on every variable."""
    years = np.arange(inputs.base_year, end_year + 1)
    coords = {
        "draw": np.arange(len(draws)),
        "year": years,
        "period": years[:-1],
        "region": list(REGION_CODES),
        "region_name": ("region", list(REGION_NAMES)),
        "sex": list(SEXES),
        "age": np.arange(N_AGES),
    }
    population = np.stack([d.population for d in draws]).astype(np.float32)
    data_vars = {
        "population": (("draw", "year", "region", "sex", "age"), population,
                       {"units": "persons", "description": f"persons on 1 January by age in completed years ({MAX_AGE} = {MAX_AGE}+)"}),
    }
    descriptions = {
        "deaths": "deaths during the calendar year (including children born and dead in the year)",
        "births": "live births during the calendar year, by the child's sex and the mother's region",
        "immigrants": "persons added by net migration (or by alignment) during the calendar year",
        "emigrants": "persons removed by net migration (or by alignment) during the calendar year",
    }
    for name in EVENT_NAMES:
        values = np.stack([d.events[name] for d in draws]).astype(np.float32)
        data_vars[name] = (("draw", "period", "region", "sex"), values, {"units": "persons", "description": descriptions[name]})
    mortality = inputs.demography.mortality
    e0 = np.array([[life_expectancy(mortality.rates(int(y))[s], s) for s in range(2)] for y in years[:-1]])
    data_vars["life_expectancy"] = (("period", "sex"), e0, {"units": "years",
                                                          "description": "period life expectancy at birth of the year's death rates"})
    ds = xr.Dataset(data_vars, coords=coords, attrs=attrs or {})
    ds["persons_80plus"] = ds["population"].sel(age=slice(OLD_AGE, None)).sum("age")
    ds["persons_80plus"].attrs = {"units": "persons", "description": "persons aged 80 or more on 1 January"}
    return ds


def summary_table(ds: xr.Dataset) -> list[dict]:
    """One row per year and region (plus 'Danmark'): mean over draws and, with several draws, the
    5 % and 95 % quantiles. Column names carry their units."""
    total = ds["population"].sum(("sex", "age"))
    old = ds["persons_80plus"].sum("sex")
    net = (ds["immigrants"] - ds["emigrants"]).sum("sex")
    flows = {"births_persons": ds["births"].sum("sex"), "deaths_persons": ds["deaths"].sum("sex"),
             "net_migration_persons": net}
    rows = []
    names = dict(zip(ds["region"].values.tolist(), ds["region_name"].values.tolist()))
    many = ds.sizes["draw"] > 1

    def stats(prefix, values):
        digits = 3 if prefix.endswith("_pct") else 0  # persons as whole numbers, percentages to 0.001
        out = {f"{prefix}_mean": round(float(values.mean()), digits)}
        if many:
            out[f"{prefix}_p05"] = round(float(np.quantile(values, 0.05)), digits)
            out[f"{prefix}_p95"] = round(float(np.quantile(values, 0.95)), digits)
        return out

    for year in ds["year"].values.tolist():
        for region in names.keys() | {"all"}:
            pick = (lambda a: a.sum("region")) if region == "all" else (lambda a, r=region: a.sel(region=r))
            row = {"year": year, "region_code": "" if region == "all" else region,
                   "region": "Danmark (all regions)" if region == "all" else names[region]}
            pop = pick(total).sel(year=year).values
            row.update(stats("population_persons", pop))
            row.update(stats("persons_80plus", pick(old).sel(year=year).values))
            row.update(stats("share_80plus_pct", 100 * pick(old).sel(year=year).values / pop))
            for prefix, values in flows.items():
                if year in ds["period"].values:
                    row.update(stats(prefix, pick(values).sel(period=year).values))
                else:
                    row.update({k: "" for k in stats(prefix, np.zeros(1))})
            rows.append(row)
    rows.sort(key=lambda r: (r["year"], r["region_code"] == "", str(r["region_code"])))
    return rows

"""Labelled results of a run as an xarray Dataset (written to results.nc).

Dimensions: draw, year (1 January, stocks), period (calendar year, flows), region (DST code),
sex, age (completed years; the last is open).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from .constants import AGE_GROUP_LABELS, MAX_AGE, N_AGE_GROUPS, N_AGES, REGION_CODES, REGION_NAMES, SEXES
from .data.health_tables import RATE_MEASURES
from .demography.mortality import life_expectancy
from .engine import EVENT_NAMES, DrawResult
from .financing.criteria import REGISTRY, compute_criteria, names as criterion_names
from .financing.payout import assess, settlement_text
from .financing.risk import risk_metrics, summary_lines
from .health.chronic import CONDITIONS
from .health.hospital_use import QUANTITIES, activity_of_rates
from .inputs import Inputs
from .run_spec import RunSpec

OLD_AGE = 80  # persons 80+ (the DST projection's headline age group)


def to_dataset(draws: list[DrawResult], spec: RunSpec) -> xr.Dataset:
    """Stack the draws of the run `spec` into one Dataset with units and descriptions on every variable."""
    inputs = spec.inputs
    years = np.arange(inputs.base_year, spec.end_year + 1)
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
    ds = xr.Dataset(data_vars, coords=coords)
    ds["persons_80plus"] = ds["population"].sel(age=slice(OLD_AGE, None)).sum("age")
    ds["persons_80plus"].attrs = {"units": "persons", "description": "persons aged 80 or more on 1 January"}
    return add_interventions(add_health(ds, draws, inputs), draws, inputs)


def add_interventions(ds: xr.Dataset, draws: list[DrawResult], inputs: Inputs) -> xr.Dataset:
    """Participants and cost of each intervention by year and region, and its sampled effects."""
    if not inputs.interventions:
        return ds
    names = [iv.name for iv in inputs.interventions]
    ds = ds.assign_coords(intervention=names,
                          intervention_type=("intervention", [iv.type for iv in inputs.interventions]))
    dims = ("draw", "period", "intervention", "region")
    ds["intervention_participants"] = (dims, np.stack([d.participants for d in draws]),
                                       {"units": "persons", "description": "persons covered in the calendar year"})
    ds["intervention_cost_dkk"] = (dims, np.stack([d.intervention_cost_dkk for d in draws]),
                                   {"units": "DKK", "description": "cost in the calendar year"})
    effect_names = sorted({k for d in draws for e in d.intervention_effects for k in e})
    values = np.full((len(draws), len(names), len(effect_names)), np.nan)
    for i, d in enumerate(draws):
        for j, effects in enumerate(d.intervention_effects):
            for k, name in enumerate(effect_names):
                values[i, j, k] = effects.get(name, np.nan)
    ds = ds.assign_coords(effect=effect_names)
    ds["intervention_effect"] = (("draw", "intervention", "effect"), values,
                                 {"units": "relative change or share (see the scenario schema)",
                                  "description": "effect sampled in the draw"})
    return ds


def need_weight(inputs: Inputs) -> np.ndarray:
    """Age-determined expenditure need [sex, age]: expected hospital activity (DKK) of a person at the
    base year's use by sex and age (no chronic disease, frailty 1, no regional calibration)."""
    return activity_of_rates(inputs.health.use.rates, inputs.health.use.prices)


def add_financing(ds: xr.Dataset, spec: RunSpec) -> xr.Dataset:
    """Payout of every draw under the run's rule sets and settlement, and the risk metrics (prefix risk_)."""
    population = ds["population"].sel(year=ds["period"].values).rename(year="period")
    need = (population * xr.DataArray(need_weight(spec.inputs), dims=("sex", "age"))).sum(("sex", "age"))
    payout = assess(ds["criteria"], list(spec.rule_sets), population.sum(("sex", "age")), need, spec.settlement)
    if payout is None:
        ds.attrs["financing"] = "no year could be assessed: each year's comparison year is before the base year"
        return ds
    risk = risk_metrics(payout)
    payout = payout.rename(period="assessed_year")
    risk = risk.rename(period="assessed_year")
    renamed = {name: f"risk_{name}" for name in risk.data_vars}
    out = xr.merge([ds, payout.rename({"met": "criterion_met", "fulfilment": "criterion_fulfilment"}),
                    risk.rename(renamed)], compat="override", combine_attrs="override")
    return out


def add_health(ds: xr.Dataset, draws: list[DrawResult], inputs: Inputs) -> xr.Dataset:
    """Hospital-use totals, chronic disease counts and the criteria (by region, municipality, age group)."""
    municipality_region = inputs.demography.municipality_region
    n_mun = municipality_region.size
    hospital = np.stack([d.hospital for d in draws]).reshape(len(draws), ds.sizes["period"], len(QUANTITIES), n_mun, N_AGE_GROUPS)
    ds = ds.assign_coords(
        quantity=list(QUANTITIES),
        municipality=np.arange(n_mun),
        municipality_name=("municipality", list(inputs.municipality_names)),
        municipality_region=("municipality", [REGION_CODES[r] for r in municipality_region]),
        age_group=list(AGE_GROUP_LABELS),
        condition=list(CONDITIONS),
        measure=list(RATE_MEASURES),
        scale=list(RATE_MEASURES) + ["price"],
    )
    ds["hospital_totals"] = (("draw", "period", "quantity", "municipality", "age_group"), hospital.astype(np.float32),
                             {"units": "persons, events or DKK (see quantity)",
                              "description": "hospital use in the calendar year by municipality and age group"})
    ds["chronic_persons"] = (("draw", "year", "region", "condition"),
                             np.stack([d.chronic_persons for d in draws]).astype(np.float32),
                             {"units": "persons", "description": "persons with each chronic condition on 1 January"})
    ds["calibration_scale"] = (("draw", "scale", "region"), np.stack([d.region_scale for d in draws]),
                               {"units": "multiplier", "description": "regional calibration multipliers of the base rates"})
    ds = ds.assign_coords(target_criterion=list(criterion_names(calibrated=True)))
    ds["calibration_target"] = (("draw", "target_criterion", "region"), np.stack([d.calibration_targets for d in draws]),
                                {"units": "as the criterion", "description": "base-year criterion level sampled in the draw"})
    ds["trend"] = (("draw", "measure"), np.stack([d.trend for d in draws]),
                   {"units": "relative change per year", "description": "secular trend sampled in the draw"})
    inputs_met = {name: xr.DataArray(np.array([d.inputs_met[name] for d in draws], dtype=float), dims="draw")
                  for name in criterion_names(kind="input")}
    totals = ds["hospital_totals"].astype(np.float64)
    by_region = totals.sum("age_group").groupby(ds["municipality_region"]).sum().rename(municipality_region="region")
    ds["criteria"] = compute_criteria(by_region, inputs_met).transpose("draw", "period", "region", "criterion")
    ds["criteria_by_municipality"] = compute_criteria(totals.sum("age_group")).transpose("draw", "period", "municipality", "criterion")
    by_region_age = totals.groupby(ds["municipality_region"]).sum().rename(municipality_region="region")
    ds["criteria_by_age_group"] = compute_criteria(by_region_age).transpose("draw", "period", "region", "age_group", "criterion")
    national = totals.sum(("municipality", "age_group"))
    ds["criteria_national"] = compute_criteria(national, inputs_met).transpose("draw", "period", "criterion")
    units = "; ".join(f"{c.name}: {c.unit}" for c in REGISTRY.values())
    for name in ("criteria", "criteria_by_municipality", "criteria_by_age_group", "criteria_national"):
        ds[name].attrs = {"units": units, "description": "nærhedsfinansiering criteria in the calendar year (period)"}
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


def criteria_table(ds: xr.Dataset) -> list[dict]:
    """One row per calendar year, region (and Denmark) and criterion: mean over draws and, with
    several draws, the 5 % and 95 % quantiles. The unit is a column of its own."""
    rows = []
    many = ds.sizes["draw"] > 1
    names = dict(zip(ds["region"].values.tolist(), ds["region_name"].values.tolist()))
    for period in ds["period"].values.tolist():
        for region in list(names) + ["all"]:
            values = ds["criteria_national"] if region == "all" else ds["criteria"].sel(region=region)
            for criterion in criterion_names():
                v = values.sel(period=period, criterion=criterion).values
                row = {"year": period, "region_code": "" if region == "all" else region,
                       "region": "Danmark (all regions)" if region == "all" else names[region],
                       "criterion": criterion, "unit": REGISTRY[criterion].unit,
                       "value_mean": float(np.round(v.mean(), 6))}
                if many:
                    row["value_p05"] = float(np.round(np.quantile(v, 0.05), 6))
                    row["value_p95"] = float(np.round(np.quantile(v, 0.95), 6))
                rows.append(row)
    return rows


def risk_summary_text(ds: xr.Dataset) -> list[str]:
    """Plain-language lines per assessed year: one per region and one for all regions."""
    names = dict(zip(ds["region"].values.tolist(), ds["region_name"].values.tolist()))
    risk = xr.Dataset({name[len("risk_"):]: ds[name] for name in ds.data_vars if name.startswith("risk_")})
    risk = risk.rename(assessed_year="period")
    risk.attrs["level"] = 0.95
    lines = []
    for year in ds["assessed_year"].values.tolist():
        lines.append(f"{year} (rule set {ds['rule_set'].sel(assessed_year=year).values}; "
                     f"{settlement_text(ds, year)}; {ds.sizes['draw']} draws):")
        lines.extend("  " + line for line in summary_lines(risk, names, year))
    return lines


def criteria_breakdown_table(ds: xr.Dataset, by: str) -> list[dict]:
    """The measured criteria by municipality (`by='municipality'`) or by region and age group (`by='age_group'`):
    one row per calendar year, group and criterion, mean over draws."""
    rows = []
    if by == "municipality":
        values = ds["criteria_by_municipality"].mean("draw")
        for period in ds["period"].values.tolist():
            for m in ds["municipality"].values.tolist():
                for criterion in criterion_names(kind="ratio"):
                    rows.append({"year": period, "region_code": int(ds["municipality_region"].sel(municipality=m)),
                                 "municipality": str(ds["municipality_name"].sel(municipality=m).values),
                                 "criterion": criterion, "unit": REGISTRY[criterion].unit,
                                 "value_mean": float(np.round(values.sel(period=period, municipality=m, criterion=criterion), 6))})
        return rows
    values = ds["criteria_by_age_group"].mean("draw")
    names = dict(zip(ds["region"].values.tolist(), ds["region_name"].values.tolist()))
    for period in ds["period"].values.tolist():
        for region, name in names.items():
            for group in ds["age_group"].values.tolist():
                for criterion in criterion_names(kind="ratio"):
                    rows.append({"year": period, "region_code": region, "region": name, "age_group": group,
                                 "criterion": criterion, "unit": REGISTRY[criterion].unit,
                                 "value_mean": float(np.round(values.sel(period=period, region=region, age_group=group,
                                                                         criterion=criterion), 6))})
    return rows

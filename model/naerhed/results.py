"""Labelled results of a run as an xarray Dataset (written to results.nc).

Dimensions: draw, year (1 January, stocks), period (calendar year, flows), region (DST code),
sex, age (completed years; the last is open).

The region axis holds every region that exists in some year of the run (naerhed.regions): the five
simulated regions, then the regions formed by a reform within the run's years (from 2027 Region
Østdanmark = Hovedstaden + Sjælland). Persons, events, hospital totals and criteria are given for
every region in every year (a formed region's are the sums of its predecessors': both views); money
and risk only for the regions that exist in the assessed year (NaN otherwise). The coordinates
region_first_year / region_last_year (0: open) and region_predecessors say which is which; sum a
territorial quantity over the country with naerhed.regions.national.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from .constants import AGE_GROUP_LABELS, MAX_AGE, N_AGE_GROUPS, N_AGES, REGION_CODES, REGION_NAMES, SEXES
from .data.health_tables import RATE_MEASURES
from .demography.mortality import life_expectancy
from .engine import EVENT_NAMES, DrawResult
from .financing.criteria import REGISTRY, compute_criteria, names as criterion_names
from .financing.payout import assess, legal_lines, settlement_text
from .financing.precision import MONEY_PRECISION, PRECISION, TAIL_PRECISION
from .financing.risk import (LEVEL, parameter_share, parameter_share_se, precision_warnings, risk_metrics, summary_lines,
                            varying, with_sample_error)
from .health.chronic import CONDITIONS
from .health.hospital_use import QUANTITIES, activity_of_rates
from .inputs import Inputs
from .regions import RegionMap, base_codes, national, regions_of_year
from .run_spec import RunSpec

OLD_AGE = 80  # persons 80+ (the DST projection's headline age group)
#: The uncertain parameters sampled per draw (Dataset variables with a draw dimension and no time):
#: what the variance decomposition of the risk calls parameter uncertainty; a variable with a
#: region dimension counts for its own region only.
PARAMETER_VARIABLES = ("trend", "calibration_target", "intervention_effect")


def to_dataset(draws: list[DrawResult], spec: RunSpec) -> xr.Dataset:
    """Stack the draws of the run `spec` into one Dataset with units and descriptions on every variable."""
    inputs = spec.inputs
    years = np.arange(inputs.base_year, spec.end_year + 1)
    regions = inputs.regions
    codes = regions.axis(inputs.base_year, spec.end_year)
    coords = {
        "draw": np.arange(len(draws)),
        "year": years,
        "period": years[:-1],
        "region": codes,
        "region_name": ("region", [regions.name(code) for code in codes]),
        "sex": list(SEXES),
        "age": np.arange(N_AGES),
    }
    if codes != list(REGION_CODES):  # a reform within the run's years: say which region exists when
        index = [regions.index(code) for code in codes]
        coords.update(
            region_first_year=("region", [regions.first_year[i] or 0 for i in index]),
            region_last_year=("region", [regions.last_year[i] or 0 for i in index]),
            region_predecessors=("region", [" ".join(map(str, regions.member_codes(code))) if not regions.is_base(code)
                                            else "" for code in codes]))
    population = regions.aggregate(np.stack([d.population for d in draws]).astype(np.float32), codes, axis=2)
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
        values = regions.aggregate(np.stack([d.events[name] for d in draws]).astype(np.float32), codes, axis=2)
        data_vars[name] = (("draw", "period", "region", "sex"), values, {"units": "persons", "description": descriptions[name]})
    mortality = inputs.demography.mortality
    e0 = np.array([[life_expectancy(mortality.rates(int(y))[s], s) for s in range(2)] for y in years[:-1]])
    data_vars["life_expectancy"] = (("period", "sex"), e0, {"units": "years",
                                                          "description": "period life expectancy at birth of the year's death rates"})
    ds = xr.Dataset(data_vars, coords=coords)
    ds["persons_80plus"] = ds["population"].sel(age=slice(OLD_AGE, None)).sum("age")
    ds["persons_80plus"].attrs = {"units": "persons", "description": "persons aged 80 or more on 1 January"}
    return add_interventions(add_health(ds, draws, inputs), draws, inputs)


def by_axis(values: np.ndarray, regions: RegionMap, ds: xr.Dataset, axis: int) -> np.ndarray:
    """A quantity by simulated region (size 5 on `axis`) on the region axis of `ds`: a formed region's
    value is the sum of its predecessors' (persons, events, DKK)."""
    return regions.aggregate(values, ds["region"].values.tolist(), axis)


def parameters_by_axis(values: np.ndarray, ds: xr.Dataset, axis: int) -> np.ndarray:
    """A sampled parameter by simulated region (size 5 on `axis`) on the region axis of `ds`: NaN
    for a formed region (its parameters are its predecessors', naerhed.results.sampled_parameters)."""
    extra = ds.sizes["region"] - values.shape[axis]
    if not extra:
        return values
    shape = list(values.shape)
    shape[axis] = extra
    return np.concatenate([values, np.full(shape, np.nan)], axis=axis)


def add_interventions(ds: xr.Dataset, draws: list[DrawResult], inputs: Inputs) -> xr.Dataset:
    """Participants and cost of each intervention by year and region, and its sampled effects."""
    if not inputs.interventions:
        return ds
    names = [iv.name for iv in inputs.interventions]
    ds = ds.assign_coords(intervention=names,
                          intervention_type=("intervention", [iv.type for iv in inputs.interventions]))
    dims = ("draw", "period", "intervention", "region")
    ds["intervention_participants"] = (dims, by_axis(np.stack([d.participants for d in draws]), inputs.regions, ds, 3),
                                       {"units": "persons", "description": "persons covered in the calendar year"})
    ds["intervention_cost_dkk"] = (dims, by_axis(np.stack([d.intervention_cost_dkk for d in draws]), inputs.regions, ds, 3),
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


def replicate_criteria(draws: list[DrawResult], spec: RunSpec) -> xr.DataArray:
    """The measured criteria [replicate, period, region, criterion] of one draw per sample (replicate
    0: the run's own sample), from their hospital totals (naerhed.pipeline.replicate_specs)."""
    municipality_region = spec.inputs.demography.municipality_region
    hospital = np.stack([d.hospital for d in draws]).astype(np.float32).astype(np.float64)
    n, periods, quantities, _ = hospital.shape
    by_municipality = hospital.reshape(n, periods, quantities, municipality_region.size, N_AGE_GROUPS).sum(axis=4)
    by_region = np.stack([by_municipality[..., municipality_region == r].sum(axis=-1) for r in range(len(REGION_CODES))],
                         axis=-1)
    regions = spec.inputs.regions
    codes = regions.axis(spec.inputs.base_year, spec.end_year)
    coords = {"period": np.arange(spec.inputs.base_year, spec.end_year), "quantity": list(QUANTITIES),
              "region": codes}
    totals = xr.DataArray(regions.aggregate(by_region, codes, axis=-1), dims=("replicate", "period", "quantity", "region"),
                          coords=coords)
    cells = hospital.reshape(n, periods, quantities, municipality_region.size, N_AGE_GROUPS)
    by_age = np.stack([cells[..., municipality_region == r, :].sum(axis=-2) for r in range(len(REGION_CODES))], axis=-2)
    by_age = xr.DataArray(regions.aggregate(by_age, codes, axis=-2),
                          dims=("replicate", "period", "quantity", "region", "age_group"),
                          coords={**coords, "age_group": list(AGE_GROUP_LABELS)})
    return compute_criteria(totals, by_age=by_age).transpose("replicate", "period", "region", "criterion")


def sample_adjustment(replicates: xr.DataArray, draws: int, sample_fraction: float) -> tuple[xr.DataArray, xr.DataArray]:
    """What the samples' expected criteria m [replicate, period, region, criterion] (replicate_criteria;
    S samples, the run's own first) change in the run's draws (same unit as each criterion):

    - the adjustment of each draw d [draw, period, region, criterion]:
      (m̄ − m_0) + sqrt(f) · sqrt(S / (S − 1)) · (m_(d mod S) − m̄):
      the mean over the samples in place of the run's sample's expectation (its sampling error
      falls by sqrt(S)), plus the chance of the population's composition (who dies, falls ill or is
      frail) at the population's scale: the samples' spread shrunk by sqrt(f) (f: sample fraction),
      with its variance unbiased by sqrt(S / (S − 1));
    - the error perturbations [replicate, period, region, criterion]: (m_r − m̄) / sqrt(S − 1), whose
      sd is that of the remaining error of m̄ (one sample's sd / sqrt(S))."""
    samples = replicates.sizes["replicate"]
    mean = replicates.mean("replicate")
    deviation = replicates - mean
    composition = np.sqrt(sample_fraction * samples / (samples - 1)) * deviation.isel(
        replicate=xr.DataArray(np.arange(draws) % samples, dims="draw"), drop=True)
    adjustment = (mean - replicates.isel(replicate=0, drop=True)) + composition
    return adjustment.transpose("draw", "period", "region", "criterion"), deviation / np.sqrt(samples - 1)


def adjust_for_samples(ds: xr.Dataset, replicates: xr.DataArray, sample_fraction: float) -> tuple[xr.Dataset, xr.DataArray]:
    """The run's Dataset with its regional criteria adjusted by the samples (sample_adjustment; the
    adjustment kept as criteria_sample_adjustment) and the error perturbations, both over every
    criterion of the run (0 for the scenario-input criteria)."""
    adjustment, perturbations = sample_adjustment(replicates, ds.sizes["draw"], sample_fraction)
    criteria = ds["criterion"].values
    adjustment = adjustment.reindex(criterion=criteria, fill_value=0.0)
    ds = ds.copy()
    ds["criteria"] = (ds["criteria"] + adjustment).assign_attrs(ds["criteria"].attrs)
    ds["criteria_sample_adjustment"] = adjustment.assign_attrs(
        units="as the criterion", description=f"added to each draw's criteria: the mean over {replicates.sizes['replicate']} "
        "samples' expected criteria in place of the run's sample's, plus the composition's chance at the "
        "population's scale (naerhed.results.sample_adjustment)")
    ds.attrs.update(samples=replicates.sizes["replicate"], sample_fraction=sample_fraction)
    return ds, perturbations.reindex(criterion=criteria, fill_value=0.0)


def add_financing(ds: xr.Dataset, spec: RunSpec, perturbations: xr.DataArray | None = None) -> xr.Dataset:
    """Payout of every draw under the run's rule sets and settlement, and the risk metrics (prefix risk_,
    each with its standard error, suffix _se); the stated precision in the attributes precision,
    money_precision and tail_precision. With the samples' error `perturbations` [replicate, period,
    region, criterion] (adjust_for_samples), each figure's sampling error too
    (naerhed.financing.risk.with_sample_error): the figure recomputed with the draws' criteria moved
    by each perturbation."""
    population = ds["population"].sel(year=ds["period"].values).rename(year="period")
    need = (population * xr.DataArray(need_weight(spec.inputs), dims=("sex", "age"))).sum(("sex", "age"))

    def payout_of(criteria: xr.DataArray):
        return assess(criteria, list(spec.rule_sets), population.sum(("sex", "age")), need, spec.settlement,
                      spec.inputs.regions)

    payout = payout_of(ds["criteria"])
    if payout is None:
        ds.attrs["financing"] = "no year could be assessed: each year's comparison year is before the base year"
        return ds
    risk = risk_metrics(payout)
    if perturbations is not None:
        others = [risk_metrics(payout_of(ds["criteria"] + perturbations.isel(replicate=r, drop=True)))
                  for r in range(perturbations.sizes["replicate"])]
        risk = with_sample_error(risk, others, spec.sample_fraction)
    payout = payout.rename(period="assessed_year")
    risk = risk.rename(period="assessed_year")
    renamed = {name: f"risk_{name}" for name in risk.data_vars}
    out = xr.merge([ds, payout.rename({"met": "criterion_met", "fulfilment": "criterion_fulfilment"}),
                    risk.rename(renamed)], compat="override", combine_attrs="override")
    out = add_risk_sources(out)
    out.attrs["precision"] = PRECISION if spec.precision is None else spec.precision
    out.attrs["money_precision"] = MONEY_PRECISION if spec.money_precision is None else spec.money_precision
    out.attrs["tail_precision"] = TAIL_PRECISION if spec.tail_precision is None else spec.tail_precision
    return out


def sampled_parameters(ds: xr.Dataset, region: int | None = None) -> xr.DataArray:
    """The parameters sampled in each draw (PARAMETER_VARIABLES present in `ds`), as (draw, parameter):
    those of `region` only where a variable is by region (all regions' with region None)."""
    columns = []
    for name in PARAMETER_VARIABLES:
        if name not in ds:
            continue
        da = ds[name]
        if "region" in da.dims:  # a formed region's parameters are its predecessors'
            da = da.sel(region=simulated_regions(ds, region))
        other = [d for d in da.dims if d != "draw"]
        flat = da.transpose("draw", *other).values.reshape(da.sizes["draw"], -1)
        columns.append(flat)
    values = np.concatenate(columns, axis=1) if columns else np.zeros((ds.sizes["draw"], 0))
    return xr.DataArray(values, dims=("draw", "parameter"))


def simulated_regions(ds: xr.Dataset, region: int | None) -> list[int]:
    """The simulated regions whose sampled parameters act on `region` (a formed region: its
    predecessors; None: all five)."""
    if region is None:
        return base_codes(ds)
    if "region_predecessors" in ds.coords and str(ds["region_predecessors"].sel(region=region).values):
        return [int(c) for c in str(ds["region_predecessors"].sel(region=region).values).split()]
    return [int(region)]


def shock_regressors(ds: xr.Dataset, year: int, region: int | None = None) -> xr.DataArray:
    """The year shocks that can move the outcome of assessed `year`, as (draw, parameter): the cumulated
    shocks (year_shock) of the year and of the year before (the comparison year of a target relative
    to the previous year), of `region` only (all regions' with region None)."""
    periods = [p for p in (year - 1, year) if p in ds["period"].values]
    shocks = ds["year_shock"].sel(period=periods, region=simulated_regions(ds, region))
    values = shocks.transpose("draw", ...).values.reshape(ds.sizes["draw"], -1)
    return xr.DataArray(values, dims=("draw", "parameter"))


def shock_share(values: xr.DataArray, parameters: xr.DataArray, ds: xr.Dataset, region: int | None,
                parameter_part: xr.DataArray) -> xr.DataArray:
    """Share of the variance over draws of `values` (draw, assessed_year, ...) that the year shocks
    explain beyond the sampled parameters: per assessed year, the adjusted R^2 of the parameters and
    the year's shocks (`shock_regressors`) together minus `parameter_part` (the parameters' own share),
    clipped to [0, 1]. The shocks are drawn independently of the parameters, so the order of the two
    regressions matters only by chance. Unit: share of the variance (0-1)."""
    shares = []
    for year in values["assessed_year"].values.tolist():
        both = xr.DataArray(np.concatenate([parameters.transpose("draw", "parameter").values,
                                            shock_regressors(ds, year, region).values], axis=1), dims=("draw", "parameter"))
        shares.append(parameter_share(values.sel(assessed_year=year, drop=True), both))
    together = xr.concat(shares, dim=values["assessed_year"])
    return (together - parameter_part).clip(0, 1).where(together.notnull() & parameter_part.notnull())


def add_risk_sources(ds: xr.Dataset) -> xr.Dataset:
    """Where the risk comes from (naerhed.financing.risk.parameter_share): the share of the variance
    over draws of each region's repayment (risk_repayment_parameter_share; all regions: _all) and of
    each criterion's margin to its target (criterion value minus target value;
    risk_margin_parameter_share) explained by the sampled parameters, and the share the year shocks
    of hospital use explain beyond them (risk_repayment_shock_share, risk_margin_shock_share;
    `shock_share`); the rest is chance (the simulated events). With the standard error of these
    shares where the parameters (shocks) explain nothing (risk_parameter_share_se,
    risk_shock_share_se by region; risk_repayment_parameter_share_all_se, _shock_share_all_se)."""
    margin = ds["criteria"].sel(period=ds["assessed_year"].values).rename(period="assessed_year") - ds["target_value"]
    repayment, margins, noise = [], [], []
    shock_repayment, shock_margins, shock_noise = [], [], []
    n = ds.sizes["draw"]
    last = int(ds["assessed_year"].values[-1])
    shocks = "year_shock" in ds  # a Dataset of this version has them (zero with health.year_shocks.scale 0)
    for region in ds["region"].values.tolist():
        parameters = sampled_parameters(ds, region)
        repayment.append(parameter_share(ds["repayment_dkk"].sel(region=region), parameters))
        margins.append(parameter_share(margin.sel(region=region), parameters))
        noise.append(parameter_share_se(n, varying(parameters).shape[1]))
        if shocks:
            shock_repayment.append(shock_share(ds["repayment_dkk"].sel(region=region), parameters, ds, region,
                                               repayment[-1]))
            shock_margins.append(shock_share(margin.sel(region=region), parameters, ds, region, margins[-1]))
            shock_noise.append(parameter_share_se(n, varying(shock_regressors(ds, last, region)).shape[1]))
    by_region = {"region": ds["region"]}
    ds["risk_parameter_share_se"] = xr.DataArray(noise, dims="region", coords=by_region, attrs={
        "units": "share of the variance",
        "description": "Monte Carlo standard error of the parameter shares where the parameters explain nothing "
                       "(sd of the adjusted R^2 of the region's parameters from the run's draws)"})
    ds["risk_repayment_parameter_share_all_se"] = xr.DataArray(
        parameter_share_se(n, varying(sampled_parameters(ds)).shape[1]),
        attrs={"units": "share of the variance", "description": "as risk_parameter_share_se, for all regions together"})
    description = ("share of the variance over draws explained by the sampled parameters (linear regression, "
                   "adjusted R^2; the rest is year shocks and chance)")
    shock_description = ("share of the variance over draws explained by the year shocks of hospital use beyond the "
                         "sampled parameters (adjusted R^2 of both minus that of the parameters)")
    ds["risk_repayment_parameter_share"] = xr.concat(repayment, dim=ds["region"]).transpose("assessed_year", "region")
    ds["risk_repayment_parameter_share"].attrs = {"units": "share of the variance", "description": description}
    all_parameters = sampled_parameters(ds)
    total = ds["repayment_dkk"].sum("region")
    ds["risk_repayment_parameter_share_all"] = parameter_share(total, all_parameters)
    ds["risk_repayment_parameter_share_all"].attrs = {"units": "share of the variance", "description": description}
    ds["risk_margin_parameter_share"] = xr.concat(margins, dim=ds["region"]).transpose("assessed_year", "region", "criterion")
    ds["risk_margin_parameter_share"].attrs = {"units": "share of the variance",
                                               "description": description + ", of the criterion value minus its target"}
    if not shocks:
        return ds
    ds["risk_shock_share_se"] = xr.DataArray(shock_noise, dims="region", coords=by_region, attrs={
        "units": "share of the variance",
        "description": "Monte Carlo standard error of the year-shock shares where the shocks explain nothing "
                       "(as risk_parameter_share_se, for the region's shocks of the last assessed year and the year before)"})
    ds["risk_repayment_shock_share_all_se"] = xr.DataArray(
        parameter_share_se(n, varying(shock_regressors(ds, last)).shape[1]),
        attrs={"units": "share of the variance", "description": "as risk_shock_share_se, for all regions together"})
    ds["risk_repayment_shock_share"] = xr.concat(shock_repayment, dim=ds["region"]).transpose("assessed_year", "region")
    ds["risk_repayment_shock_share"].attrs = {"units": "share of the variance", "description": shock_description}
    ds["risk_repayment_shock_share_all"] = shock_share(total, all_parameters, ds, None,
                                                       ds["risk_repayment_parameter_share_all"])
    ds["risk_repayment_shock_share_all"].attrs = {"units": "share of the variance", "description": shock_description}
    ds["risk_margin_shock_share"] = xr.concat(shock_margins, dim=ds["region"]).transpose("assessed_year", "region", "criterion")
    ds["risk_margin_shock_share"].attrs = {"units": "share of the variance",
                                           "description": shock_description + ", of the criterion value minus its target"}
    return ds


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
                             by_axis(np.stack([d.chronic_persons for d in draws]).astype(np.float32), inputs.regions, ds, 2),
                             {"units": "persons", "description": "persons with each chronic condition on 1 January"})
    ds["calibration_scale"] = (("draw", "scale", "region"), parameters_by_axis(np.stack([d.region_scale for d in draws]), ds, 2),
                               {"units": "multiplier", "description": "regional calibration multipliers of the base rates"})
    ds["year_shock"] = (("draw", "period", "scale", "region"), parameters_by_axis(np.stack([d.year_shocks for d in draws]), ds, 3),
                        {"units": "log multiplier",
                         "description": "year shocks of hospital use cumulated from the calibration year (log of the "
                                        "multiplier of the region scale in the calendar year; naerhed.health.year_shocks)"})
    ds = ds.assign_coords(target_criterion=list(criterion_names(calibrated=True)))
    ds["calibration_target"] = (("draw", "target_criterion", "region"),
                                parameters_by_axis(np.stack([d.calibration_targets for d in draws]), ds, 2),
                                {"units": "as the criterion", "description": "base-year criterion level sampled in the draw"})
    ds["trend"] = (("draw", "measure"), np.stack([d.trend for d in draws]),
                   {"units": "relative change per year", "description": "secular trend sampled in the draw"})
    inputs_met = {name: xr.DataArray(np.array([d.inputs_met[name] for d in draws], dtype=float), dims="draw")
                  for name in criterion_names(kind="input")}
    totals = ds["hospital_totals"].astype(np.float64)
    by_region = on_axis(totals.sum("age_group").groupby(ds["municipality_region"]).sum().rename(municipality_region="region"),
                        inputs.regions, ds)
    by_region_age = on_axis(totals.groupby(ds["municipality_region"]).sum().rename(municipality_region="region"),
                            inputs.regions, ds)
    ds["criteria"] = compute_criteria(by_region, inputs_met, by_age=by_region_age).transpose(
        "draw", "period", "region", "criterion")
    ds["criteria_by_municipality"] = compute_criteria(totals.sum("age_group"), by_age=totals).transpose(
        "draw", "period", "municipality", "criterion")
    ds["criteria_by_age_group"] = compute_criteria(by_region_age).transpose("draw", "period", "region", "age_group", "criterion")
    national = totals.sum(("municipality", "age_group"))
    ds["criteria_national"] = compute_criteria(national, inputs_met, by_age=totals.sum("municipality")).transpose(
        "draw", "period", "criterion")
    units = "; ".join(f"{c.name}: {c.unit}" for c in REGISTRY.values())
    for name in ("criteria", "criteria_by_municipality", "criteria_by_age_group", "criteria_national"):
        ds[name].attrs = {"units": units, "description": "nærhedsfinansiering criteria in the calendar year (period)"}
    return ds


def on_axis(values: xr.DataArray, regions: RegionMap, ds: xr.Dataset) -> xr.DataArray:
    """Totals by simulated region (dimension region, the five codes) on the region axis of `ds`
    (by_axis)."""
    axis = values.get_axis_num("region")
    return xr.DataArray(by_axis(values.values, regions, ds, axis), dims=values.dims,
                        coords={**{d: values[d] for d in values.dims if d != "region" and d in values.coords},
                                "region": ds["region"].values})


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
            pick = national if region == "all" else (lambda a, r=region: a.sel(region=r))
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


def risk_dataset(ds: xr.Dataset) -> xr.Dataset:
    """The risk metrics of a run's Dataset (its risk_ variables without the prefix), by period."""
    risk = xr.Dataset({name[len("risk_"):]: ds[name] for name in ds.data_vars if name.startswith("risk_")})
    risk = risk.rename(assessed_year="period")
    risk.attrs.update(level=LEVEL, draws=ds.sizes["draw"])
    risk.attrs.update({k: ds.attrs[k] for k in ("samples", "sample_fraction") if k in ds.attrs})
    return risk


def risk_precision_warnings(ds: xr.Dataset) -> list[str]:
    """The run's precision warnings (naerhed.financing.risk.precision_warnings) at the precision it
    states (attributes precision, money_precision and tail_precision; else the defaults)."""
    names = dict(zip(ds["region"].values.tolist(), ds["region_name"].values.tolist()))
    pool = ds["region_pool_dkk"].mean("draw").rename(assessed_year="period")
    return precision_warnings(risk_dataset(ds), pool, names, *stated_precision(ds))


def stated_precision(ds: xr.Dataset) -> tuple[float, float, float]:
    """(precision, money_precision, tail_precision) of a run's Dataset (attributes; else the defaults)."""
    return (float(ds.attrs.get("precision", PRECISION)), float(ds.attrs.get("money_precision", MONEY_PRECISION)),
            float(ds.attrs.get("tail_precision", TAIL_PRECISION)))


def reform_lines(ds: xr.Dataset, year: int) -> list[str]:
    """What a reform changed in the regions assessed in `year`, e.g. ['4 regions from 2027: Region
    Østdanmark is Hovedstaden + Sjælland together (the figures of the five regions are kept in
    criteria.csv and summary.csv)']; [] when the year has the five regions of the simulation."""
    codes = regions_of_year(ds, year)
    formed = [code for code in codes if code not in base_codes(ds)]
    if not formed:
        return []
    names = dict(zip(ds["region"].values.tolist(), ds["region_name"].values.tolist()))
    parts = [f"Region {names[code]} is {' + '.join(names[int(c)] for c in simulated_regions(ds, code))} together"
             for code in formed]
    first = max(int(ds["region_first_year"].sel(region=code)) for code in formed)
    return [f"{len(codes)} regions from {first}: {'; '.join(parts)} (assessed as one region, compared with the "
            "predecessors' combined level of the year before; the figures of the five regions are kept in criteria.csv "
            "and summary.csv)."]


def risk_summary_text(ds: xr.Dataset) -> list[str]:
    """Plain-language lines per assessed year: its legal status where the rules are not in force
    (e.g. '2027: the scheme no longer exists; ...'), one line per region and one for all regions, each figure
    with its standard error (Monte Carlo, and sampling where measured); then the precision check
    (warnings with the draws or the sample fraction needed)."""
    names = dict(zip(ds["region"].values.tolist(), ds["region_name"].values.tolist()))
    risk = risk_dataset(ds)
    lines = []
    for year in ds["assessed_year"].values.tolist():
        lines.append(f"{year} (rule set {ds['rule_set'].sel(assessed_year=year).values}; "
                     f"{settlement_text(ds, year)}; {ds.sizes['draw']} draws):")
        if "legal_note" in ds:
            lines.extend(f"  {line}." for line in legal_lines(ds, [year]))
        lines.extend(f"  {line}" for line in reform_lines(ds, year))
        settled = bool(ds["settled"].sel(assessed_year=year)) if "settled" in ds else True
        lines.extend("  " + line for line in summary_lines(risk, names, year, settled))
    precision, money, tail = stated_precision(ds)
    lines.append("")
    if "samples" in ds.attrs:
        lines.append(f"'±' gives one standard error: the uncertainty of the figure from running {ds.sizes['draw']} "
                     f"draws and from the expectations of {int(ds.attrs['samples'])} samples of the population (sample "
                     f"fraction {float(ds.attrs['sample_fraction']):g}: Monte Carlo and sampling error), not the spread "
                     f"of the outcome. Without sampling error, a probability of 0 % or 100 % has standard error 0: read it as "
                     f"below {300 / ds.sizes['draw']:.0f} % or above {100 - 300 / ds.sizes['draw']:.0f} % "
                     f"(3 / draws, 95 % confidence).")
    else:
        lines.append(f"'±' gives one Monte Carlo standard error: the uncertainty of the figure from running "
                     f"{ds.sizes['draw']} draws, not the spread of the outcome. A probability of 0 % or 100 % has "
                     f"standard error 0: read it as below {300 / ds.sizes['draw']:.0f} % or above "
                     f"{100 - 300 / ds.sizes['draw']:.0f} % (3 / draws, 95 % confidence).")
    if "risk_repayment_parameter_share" in ds:
        lines.append("")
        lines.extend(risk_sources_text(ds))
    warnings = risk_precision_warnings(ds)
    if warnings:
        lines.extend(warnings)
    else:
        lines.append(f"Every risk figure meets the stated precision (standard error at most {precision:g} on a "
                     f"probability, {100 * money:g} % of the region's share on the expected repayment and "
                     f"{100 * tail:g} % on the value at risk and expected shortfall).")
    return lines


def variance_weighted(share: xr.DataArray, values: xr.DataArray) -> float:
    """The share of the total variance over the assessed years: sum(share x variance) / sum(variance),
    over the years where the share is known (`values`: draw, assessed_year). NaN when none."""
    variance = values.var("draw")
    known = share.notnull() & (variance > 0)
    total = float(variance.where(known).sum())
    return float((share * variance).where(known).sum()) / total if total > 0 else float("nan")


def risk_sources_text(ds: xr.Dataset) -> list[str]:
    """Where the risk comes from, one line per region and one for all regions: the shares of the
    variance of the repayment (over draws and assessed years) explained by the sampled parameters and
    by the year shocks beyond them, the rest chance; and of each counted criterion's margin to its target."""
    names = dict(zip(ds["region"].values.tolist(), ds["region_name"].values.tolist()))
    margin = ds["criteria"].sel(period=ds["assessed_year"].values).rename(period="assessed_year") - ds["target_value"]
    shocks = "risk_repayment_shock_share" in ds
    lines = ["Where the risk comes from: share of the variance over the draws explained by the sampled parameters "
             f"({', '.join(v for v in PARAMETER_VARIABLES if v in ds)})"
             + (", by the year shocks of hospital use beyond them" if shocks else "")
             + "; the rest is chance (the simulated events). "
             "Linear regressions, adjusted R^2 (only the linear part: the parameters' and shocks' parts may be larger), "
             "all assessed years together; ± the standard error of a share that chance alone gives:"]

    def percent(share: float) -> str:
        return "n/a" if np.isnan(share) else f"{100 * share:.0f} %"

    def split(parameter: float, shock: float) -> str:
        rest = 1 - parameter - (shock if shocks else 0.0)
        text = f"{percent(parameter)} parameters, "
        if shocks:
            text += f"{percent(shock)} year shocks, "
        return text + (percent(rest) if not np.isnan(rest) else "n/a") + " chance"

    for region, name in names.items():
        repayment = variance_weighted(ds["risk_repayment_parameter_share"].sel(region=region),
                                      ds["repayment_dkk"].sel(region=region))
        shock = (variance_weighted(ds["risk_repayment_shock_share"].sel(region=region), ds["repayment_dkk"].sel(region=region))
                 if shocks else float("nan"))
        criteria = []
        for criterion in ds["criterion"].values.tolist():
            values = margin.sel(region=region, criterion=criterion)
            share = variance_weighted(ds["risk_margin_parameter_share"].sel(region=region, criterion=criterion), values)
            if not np.isnan(share):
                part = f"{criterion} {percent(share)}"
                if shocks:
                    part += " / " + percent(variance_weighted(
                        ds["risk_margin_shock_share"].sel(region=region, criterion=criterion), values))
                criteria.append(part)
        noise = f"± {percent(float(ds['risk_parameter_share_se'].sel(region=region)))}"
        if shocks:
            noise += f" / {percent(float(ds['risk_shock_share_se'].sel(region=region)))}"
        lines.append(f"  {name} ({noise}): repayment {split(repayment, shock)}; criterion margins "
                     f"(parameters{' / year shocks' if shocks else ''}): {', '.join(criteria) or 'n/a'}.")
    values = ds["repayment_dkk"].sum("region")
    total = variance_weighted(ds["risk_repayment_parameter_share_all"], values)
    shock = variance_weighted(ds["risk_repayment_shock_share_all"], values) if shocks else float("nan")
    noise = f"± {percent(float(ds['risk_repayment_parameter_share_all_se']))}"
    if shocks:
        noise += f" / {percent(float(ds['risk_repayment_shock_share_all_se']))}"
    lines.append(f"  All regions together ({noise}): repayment {split(total, shock)}.")
    return lines


def risk_sources_table(ds: xr.Dataset) -> list[dict]:
    """One row per assessed year, region (and all regions) and quantity (the repayment, each counted
    criterion's margin to its target): sd over draws and the shares of its variance explained by the
    sampled parameters, by the year shocks beyond them (where the run has them) and left to chance."""
    names = dict(zip(ds["region"].values.tolist(), ds["region_name"].values.tolist()))
    margin = ds["criteria"].sel(period=ds["assessed_year"].values).rename(period="assessed_year") - ds["target_value"]
    rows = []

    shocks = "risk_repayment_shock_share" in ds

    def row(year, code, region, quantity, unit, values, share, shock):
        share, shock = float(share), float(shock) if shocks else 0.0
        out = {"year": year, "region_code": code, "region": region, "quantity": quantity, "unit": unit,
               "sd": round(float(values.std(ddof=1)) if values.size > 1 else float("nan"), 6),
               "parameter_share": "" if np.isnan(share) else round(share, 4)}
        if shocks:
            out["shock_share"] = "" if np.isnan(shock) else round(shock, 4)
        out["chance_share"] = "" if np.isnan(share) or np.isnan(shock) else round(1 - share - shock, 4)
        return out

    def shock(name, **where):
        return ds[name].sel(**where) if shocks else 0.0

    for year in ds["assessed_year"].values.tolist():
        for region in regions_of_year(ds, year):
            name = names[region]
            rows.append(row(year, region, name, "repayment", "mio. DKK",
                            ds["repayment_dkk"].sel(assessed_year=year, region=region).values / 1e6,
                            ds["risk_repayment_parameter_share"].sel(assessed_year=year, region=region),
                            shock("risk_repayment_shock_share", assessed_year=year, region=region)))
            for criterion in ds["criterion"].values.tolist():
                where = {"assessed_year": year, "region": region, "criterion": criterion}
                values = margin.sel(**where).values
                if np.all(np.isnan(values)):
                    continue  # the criterion does not count in the year
                rows.append(row(year, region, name, f"margin {criterion}", REGISTRY[criterion].unit, values,
                                ds["risk_margin_parameter_share"].sel(**where), shock("risk_margin_shock_share", **where)))
        rows.append(row(year, "", "all regions", "repayment", "mio. DKK",
                        ds["repayment_dkk"].sel(assessed_year=year).sum("region").values / 1e6,
                        ds["risk_repayment_parameter_share_all"].sel(assessed_year=year),
                        shock("risk_repayment_shock_share_all", assessed_year=year)))
    return rows


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
                    if group not in REGISTRY[criterion].age_groups:  # a criterion of older ages only
                        continue
                    rows.append({"year": period, "region_code": region, "region": name, "age_group": group,
                                 "criterion": criterion, "unit": REGISTRY[criterion].unit,
                                 "value_mean": float(np.round(values.sel(period=period, region=region, age_group=group,
                                                                         criterion=criterion), 6))})
    return rows

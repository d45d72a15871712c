"""Figures and tables of a run (matplotlib with the Agg backend; CSV for spreadsheets), and OUTPUTS:
the one list of the files of a run folder and their writers. A new file of a run folder is one more
entry in OUTPUTS."""

from __future__ import annotations

import csv
import textwrap
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402

from .financing.criteria import REGISTRY, names as criterion_names  # noqa: E402
from .financing.payout import legal_lines, legal_title, settlement_title  # noqa: E402
from . import regions  # noqa: E402
from .results import (OLD_AGE, criteria_breakdown_table, criteria_table, risk_sources_table, risk_summary_text,
                      summary_table)  # noqa: E402

MALE_COLOUR, FEMALE_COLOUR = "#3b6ea5", "#c0504d"
#: Half-width of the Monte Carlo intervals drawn on figures, in standard errors (95 %, normal).
MC_INTERVAL = 1.96


def write_csv(path: Path, rows: list[dict]) -> None:
    """One table per file, header from the first row's keys."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0].keys()))
        writer.writeheader()
        writer.writerows(rows)


def population_pyramid(ds: xr.Dataset, path: Path) -> None:
    """Population by age and sex, whole country, first and last year (mean over draws)."""
    national = regions.national(ds["population"]).mean("draw")
    first, last = int(ds["year"][0]), int(ds["year"][-1])
    ages = ds["age"].values
    fig, ax = plt.subplots(figsize=(8, 7))
    for sex, sign, colour in (("male", -1, MALE_COLOUR), ("female", 1, FEMALE_COLOUR)):
        ax.barh(ages, sign * national.sel(year=first, sex=sex).values / 1000, height=1.0, color=colour,
                alpha=0.45, label=f"{'men' if sex == 'male' else 'women'} {first}")
        ax.step(sign * national.sel(year=last, sex=sex).values / 1000, ages, where="mid", color=colour,
                linewidth=1.6, label=f"{'men' if sex == 'male' else 'women'} {last}")
    ax.axvline(0, color="black", linewidth=0.6)
    ax.set_xlabel("persons (thousands)  ← men | women →")
    ax.set_ylabel("age (completed years)")
    ax.set_ylim(-0.5, 105)
    ticks = ax.get_xticks()
    ax.set_xticks(ticks)
    ax.set_xticklabels([f"{abs(t):.0f}" for t in ticks])
    ax.set_title(f"Population of Denmark by age and sex, 1 January {first} (bars) and {last} (lines)")
    ax.legend(loc="upper right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def persons_80plus_by_region(ds: xr.Dataset, path: Path) -> None:
    """Persons 80+ per region over the years: median over draws and a 90 % band when draws > 1."""
    old = ds["persons_80plus"].sum("sex") / 1000
    fig, ax = plt.subplots(figsize=(9, 5.5))
    years = ds["year"].values
    for region, name in zip(ds["region"].values, ds["region_name"].values):
        series = old.sel(region=region)
        line, = ax.plot(years, series.median("draw"), marker="o", markersize=3, label=str(name))
        if ds.sizes["draw"] > 1:
            ax.fill_between(years, series.quantile(0.05, "draw"), series.quantile(0.95, "draw"),
                            color=line.get_color(), alpha=0.2, linewidth=0)
    ax.set_xlabel("1 January of year")
    ax.set_ylabel(f"persons aged {OLD_AGE}+ (thousands)")
    ax.set_title(f"Persons aged {OLD_AGE}+ per region (ældre 80+)")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8, ncol=2)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def population_components(ds: xr.Dataset, path: Path) -> None:
    """Births, deaths and net migration per year for the whole country (mean over draws)."""
    national = {name: regions.national(ds[name]).sum("sex").mean("draw") / 1000
                for name in ("births", "deaths", "immigrants", "emigrants")}
    periods = ds["period"].values
    fig, ax = plt.subplots(figsize=(9, 5))
    ax.plot(periods, national["births"], marker="o", label="births (fødte)")
    ax.plot(periods, national["deaths"], marker="o", label="deaths (døde)")
    ax.plot(periods, national["immigrants"] - national["emigrants"], marker="o", label="net migration (nettoindvandring)")
    ax.axhline(0, color="black", linewidth=0.6)
    ax.set_xlabel("calendar year")
    ax.set_ylabel("persons (thousands)")
    ax.set_title("Components of population change, Denmark")
    ax.grid(alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def percent_scale(criterion: str) -> float:
    """100 for a share criterion (plotted in %), else 1."""
    return 100.0 if REGISTRY[criterion].share else 1.0


def panel_grid(n: int, panel: tuple[float, float], columns: int = 2, **kwargs):
    """A figure with n panels (one per criterion or output), `columns` wide, each `panel` inches: the
    grid sizes itself to the registry, so no criterion is dropped. Returns (figure, list of axes);
    unused panels are hidden."""
    columns = min(columns, n)
    rows = -(-n // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(panel[0] * columns, panel[1] * rows), squeeze=False, **kwargs)
    axes = list(axes.ravel())
    for ax in axes[n:]:
        ax.set_visible(False)
    return fig, axes[:n]


def criteria_by_region(ds: xr.Dataset, path: Path) -> None:
    """Each measured criterion per region over the calendar years: median over draws with a 90 % band."""
    measured = criterion_names(kind="ratio")
    fig, axes = panel_grid(len(measured), panel=(6, 4), sharex=True)
    periods = ds["period"].values
    for ax, criterion in zip(axes, measured):
        values = ds["criteria"].sel(criterion=criterion)
        scale = percent_scale(criterion)
        for region, name in zip(ds["region"].values, ds["region_name"].values):
            series = values.sel(region=region) * scale
            line, = ax.plot(periods, series.median("draw"), marker="o", markersize=3, label=str(name))
            if ds.sizes["draw"] > 1:
                ax.fill_between(periods, series.quantile(0.05, "draw"), series.quantile(0.95, "draw"),
                                color=line.get_color(), alpha=0.15, linewidth=0)
        unit = "%" if scale == 100.0 else REGISTRY[criterion].unit
        ax.set_title(REGISTRY[criterion].label, fontsize=10)
        ax.set_ylabel(unit, fontsize=9)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    for ax in axes:
        ax.set_xlabel("calendar year")
    band = " (lines: median of draws; bands: 90 % of draws)" if ds.sizes["draw"] > 1 else ""
    fig.suptitle("Nærhedsfinansiering criteria per region" + band)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def criterion_fan_chart(ds: xr.Dataset, criterion: str, path: Path) -> None:
    """One criterion per region: median over draws, 50 % and 90 % bands, and the target line (the
    value that just meets the criterion under the year's rule, median over draws)."""
    names = ds["region_name"].values
    fig, axes = plt.subplots(1, len(names), figsize=(3.2 * len(names), 3.8), sharey=True)
    scale = percent_scale(criterion)
    periods = ds["period"].values
    for ax, region, name in zip(axes, ds["region"].values, names):
        values = ds["criteria"].sel(region=region, criterion=criterion) * scale
        q = values.quantile([0.05, 0.25, 0.5, 0.75, 0.95], "draw")
        ax.fill_between(periods, q.sel(quantile=0.05), q.sel(quantile=0.95), color="#4c72b0", alpha=0.18, linewidth=0,
                        label="90 % of draws")
        ax.fill_between(periods, q.sel(quantile=0.25), q.sel(quantile=0.75), color="#4c72b0", alpha=0.35, linewidth=0,
                        label="50 % of draws")
        ax.plot(periods, q.sel(quantile=0.5), color="#1f3d73", linewidth=1.8, label="median")
        if "target_value" in ds:
            target = ds["target_value"].sel(region=region, criterion=criterion) * scale
            if bool(target.notnull().any()):
                ax.plot(ds["assessed_year"].values, target.median("draw"), color="#c44e52", linestyle="--",
                        linewidth=1.4, label="target (to be met)")
        ax.set_title(str(name), fontsize=10)
        ax.grid(alpha=0.3)
        ax.set_xlabel("calendar year")
    axes[0].set_ylabel("%" if scale == 100.0 else REGISTRY[criterion].unit)
    axes[0].legend(fontsize=7, loc="best")
    fig.suptitle(REGISTRY[criterion].label + (legal_title(ds) if "legal_note" in ds else ""))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def repayment_distribution(ds: xr.Dataset, path: Path) -> None:
    """Repayment per region and assessed year over the draws (box: 25-75 %, whiskers: 5-95 %),
    with the expected repayment (diamond) and the 95 % value at risk (cross), each with a 95 % Monte
    Carlo interval (expected: ± MC_INTERVAL standard errors, not below 0; value at risk: the
    bootstrap percentile interval)."""
    names = ds["region_name"].values
    years = ds["assessed_year"].values
    fig, axes = plt.subplots(1, len(names), figsize=(3.2 * len(names), 3.8), sharey=True)
    for ax, region, name in zip(axes, ds["region"].values, names):
        values = ds["repayment_dkk"].sel(region=region).transpose("assessed_year", "draw").values / 1e6
        ax.boxplot(list(values), positions=years, whis=(5, 95), widths=0.6, showfliers=False,
                   medianprops={"color": "#1f3d73"})
        expected = ds["risk_expected_repayment_dkk"].sel(region=region)
        var = ds["risk_var_repayment_dkk"].sel(region=region)
        half = MC_INTERVAL * ds["risk_expected_repayment_dkk_se"].sel(region=region).values
        low = np.minimum(half, expected.values)  # a repayment is never negative
        ax.errorbar(years, expected.values / 1e6, yerr=np.stack([low, half]) / 1e6, fmt="D", color="#dd8452",
                    markersize=4, capsize=2, zorder=3,
                    label="expected (bar: 95 % interval, Monte Carlo and sampling)" if "samples" in ds.attrs
                    else "expected (bar: 95 % Monte Carlo interval)")
        bounds = ds["risk_var_repayment_dkk_ci"].sel(region=region).transpose("bound", "assessed_year").values
        ax.errorbar(years, var.values / 1e6, yerr=np.maximum([var.values - bounds[0], bounds[1] - var.values], 0) / 1e6, fmt="x", color="#c44e52",
                    markersize=5, capsize=2, zorder=3, label="95 % value at risk")
        ax.set_title(str(name), fontsize=10)
        ax.set_xticks(years)
        ax.set_xticklabels([str(y) for y in years], rotation=90, fontsize=7)
        ax.grid(alpha=0.3)
    axes[0].set_ylabel("repayment (mio. DKK)")
    axes[0].legend(fontsize=7)
    fig.suptitle(f"Repayment of nærhedsfinansiering per region ({ds.sizes['draw']} draws; {settlement_title(ds['settled'])})"
                 + legal_title(ds))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def risk_table(ds: xr.Dataset) -> list[dict]:
    """One row per assessed year and region (and all regions): the rule set and its legal status in
    the year (legal_status: in_force, hypothesis, abolished or successor; legal_note: what that means,
    e.g. '2027: the scheme no longer exists; ...', empty where in force), the risk metrics, money in mio. DKK,
    each followed by its standard error (column suffix _se, same unit: Monte Carlo and, where the run
    measured it, sampling error combined) and, then, the sampling error alone (suffix _sample_se)."""
    rows = []
    names = dict(zip(ds["region"].values.tolist(), ds["region_name"].values.tolist()))
    draws = ds.sizes["draw"]
    sampled = "risk_p_full_payout_sample_se" in ds

    def value(da, digits: int, divisor: float = 1.0):
        v = float(da)
        return "" if np.isnan(v) else round(v / divisor, digits)

    for year in ds["assessed_year"].values.tolist():
        r = ds.sel(assessed_year=year)
        for region in regions.regions_of_year(ds, year) + ["all"]:
            if region == "all":
                x, suffix = r, "_all"
                kept = (r["payout_dkk"].sum("region") / r["region_pool_dkk"].sum("region"))
                kept_mean, kept_se = kept.mean(), (kept.std(ddof=1) / np.sqrt(draws) if draws > 1 else np.nan)
                row = {"year": year, "region_code": "", "region": "all regions"}
            else:
                x, suffix = r.sel(region=region), ""
                kept_mean, kept_se = x["risk_share_kept_mean"], x["risk_share_kept_mean_se"]
                row = {"year": year, "region_code": region, "region": names[region]}
            row["rule_set"] = str(r["rule_set"].values)
            if "legal_status" in r:
                row["legal_status"] = str(r["legal_status"].values)
                row["legal_note"] = "; ".join(legal_lines(ds, [year]))
            row["p_full_payout"] = value(x[f"risk_p_full_payout{suffix}"], 4)
            row["p_full_payout_se"] = value(x[f"risk_p_full_payout{suffix}_se"], 4)
            if sampled:
                row["p_full_payout_sample_se"] = value(x[f"risk_p_full_payout{suffix}_sample_se"], 4)
            row["share_kept_mean"] = value(kept_mean, 4)
            row["share_kept_mean_se"] = value(kept_se, 4)
            for column, name in (("expected_payout_mio_dkk", "expected_payout_dkk"),
                                 ("expected_repayment_mio_dkk", "expected_repayment_dkk"),
                                 ("var95_repayment_mio_dkk", "var_repayment_dkk"),
                                 ("es95_repayment_mio_dkk", "es_repayment_dkk")):
                row[column] = value(x[f"risk_{name}{suffix}"], 3, 1e6)
                row[f"{column}_se"] = value(x[f"risk_{name}{suffix}_se"], 3, 1e6)
                if sampled:
                    row[f"{column}_sample_se"] = value(x[f"risk_{name}{suffix}_sample_se"], 3, 1e6)
            if region == "all":
                row["deciding_criterion"] = ""
                for c in criterion_names():
                    row[f"p_met_{c}"] = row[f"p_met_{c}_se"] = ""
            else:
                row["deciding_criterion"] = str(x["risk_deciding_criterion"].values)
                for c in criterion_names():
                    row[f"p_met_{c}"] = value(x["risk_p_met"].sel(criterion=c), 4)
                    row[f"p_met_{c}_se"] = value(x["risk_p_met_se"].sel(criterion=c), 4)
            rows.append(row)
    return rows


def p_met_heatmap(ds: xr.Dataset, path: Path) -> None:
    """P(criterion met) per region and assessed year, one panel per measured criterion of the registry
    that a rule set of the run counts in some year; each cell gives the probability in % and its
    standard error (± one se: Monte Carlo, binomial, and the sampling error where the run measured it)."""
    measured = [c for c in criterion_names(kind="ratio") if bool(ds["risk_p_met"].sel(criterion=c).notnull().any())]
    years = ds["assessed_year"].values
    names = ds["region_name"].values
    fig, axes = panel_grid(len(measured), panel=(0.6 * len(years) + 2.4, 0.45 * len(names) + 1.4), layout="constrained")
    image = None
    exists = regions.region_exists(ds, years).transpose("region", "year").values  # a reform: no region, no cell
    for ax, criterion in zip(axes, measured):
        p = ds["risk_p_met"].sel(criterion=criterion).transpose("region", "assessed_year").values
        se = ds["risk_p_met_se"].sel(criterion=criterion).transpose("region", "assessed_year").values
        image = ax.imshow(np.ma.masked_invalid(p), cmap="RdYlGn", vmin=0, vmax=1, aspect="auto")
        for i in range(p.shape[0]):
            for j in range(p.shape[1]):
                if not exists[i, j]:
                    ax.text(j, i, "no such\nregion", ha="center", va="center", fontsize=6, color="grey")
                elif np.isnan(p[i, j]):
                    ax.text(j, i, "not\ncounted", ha="center", va="center", fontsize=6, color="grey")
                else:
                    ax.text(j, i, f"{100 * p[i, j]:.0f}\n±{100 * se[i, j]:.0f}", ha="center", va="center", fontsize=7)
        ax.set_xticks(range(len(years)))
        ax.set_xticklabels([str(y) for y in years], fontsize=8)
        ax.set_yticks(range(len(names)))
        ax.set_yticklabels([str(n) for n in names], fontsize=8)
        ax.set_title("\n".join(textwrap.wrap(REGISTRY[criterion].label, 60)), fontsize=9)  # long labels: no overlap
        ax.set_xlabel("assessed year", fontsize=8)
    fig.colorbar(image, ax=axes, shrink=0.8, label="P(criterion met)")
    fig.suptitle(f"Probability that each criterion is met, % of {ds.sizes['draw']} draws "
                 + ("(± one standard error: Monte Carlo and sampling)" if "samples" in ds.attrs
                    else "(± one Monte Carlo standard error)") + legal_title(ds))
    fig.savefig(path, dpi=110)
    plt.close(fig)


def risk_sources_figure(ds: xr.Dataset, path: Path) -> None:
    """Where the risk comes from, one panel per region and one for all regions: per assessed year the
    sd of the repayment over draws (bar height, mio. DKK) split in the part the sampled parameters
    explain, the part the year shocks explain beyond them and the part left to chance, in proportion
    to their shares of the variance (risk_repayment_parameter_share, risk_repayment_shock_share)."""
    names = list(ds["region_name"].values) + ["All regions"]
    years = ds["assessed_year"].values
    shocks = "risk_repayment_shock_share" in ds
    fig, axes = panel_grid(len(names), panel=(4.2, 3.2), columns=3, sharex=True)
    for ax, name, region in zip(axes, names, list(ds["region"].values) + [None]):
        if region is None:
            values, share = ds["repayment_dkk"].sum("region"), ds["risk_repayment_parameter_share_all"]
            shock = ds["risk_repayment_shock_share_all"] if shocks else None
            noise = float(ds["risk_repayment_parameter_share_all_se"])
            shock_noise = float(ds["risk_repayment_shock_share_all_se"]) if shocks else 0.0
        else:
            values, share = ds["repayment_dkk"].sel(region=region), ds["risk_repayment_parameter_share"].sel(region=region)
            shock = ds["risk_repayment_shock_share"].sel(region=region) if shocks else None
            noise = float(ds["risk_parameter_share_se"].sel(region=region))
            shock_noise = float(ds["risk_shock_share_se"].sel(region=region)) if shocks else 0.0
        sd = values.std("draw", ddof=1).transpose("assessed_year").values / 1e6 if ds.sizes["draw"] > 1 else np.zeros(len(years))
        part = np.nan_to_num(share.transpose("assessed_year").values)
        shock_part = np.nan_to_num(shock.transpose("assessed_year").values) if shocks else np.zeros(len(years))
        ax.bar(years, sd * part, color="#4c72b0", label="parameters (trends, calibration, effects)")
        ax.bar(years, sd * shock_part, bottom=sd * part, color="#dd8452", label="year shocks of hospital use")
        ax.bar(years, sd * (1 - part - shock_part), bottom=sd * (part + shock_part), color="#bbbbbb",
               label="chance (simulated events)")
        title = f"{name} (shares ± {100 * noise:.0f} %"
        ax.set_title(title + (f" / {100 * shock_noise:.0f} % by chance alone)" if shocks else " by chance alone)"), fontsize=9)
        ax.set_xticks(years)
        ax.set_xticklabels([str(y) for y in years], rotation=90, fontsize=7)
        ax.grid(alpha=0.3, axis="y")
    axes[0].set_ylabel("sd of the repayment (mio. DKK)")
    axes[0].legend(fontsize=7)
    fig.suptitle("Where the repayment risk comes from: its sd over draws, split by the variance shares of the "
                 "sampled parameters, the year shocks and chance (adjusted R²)" + legal_title(ds), fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def intervention_figure(rows: list[dict], path: Path, settlement: str = "formal rule") -> None:
    """Per intervention, all regions, summed over the assessed years: cost, change of the expected
    payout, and the net (payout change minus cost), in mio. DKK; `settlement`: the run's settlement
    mode in words (payout.settlement_title) and the legal status of its years (payout.legal_title),
    shown in the title."""
    names = list(dict.fromkeys(r["intervention"] for r in rows))
    total = {n: [0.0, 0.0] for n in names}
    for r in rows:
        if r["region"] == "all regions":
            total[r["intervention"]][0] += r["cost_mio_dkk"]
            total[r["intervention"]][1] += r["expected_payout_change_mio_dkk"]
    y = np.arange(len(names))
    cost = np.array([total[n][0] for n in names])
    gain = np.array([total[n][1] for n in names])
    fig, ax = plt.subplots(figsize=(9, 0.7 * len(names) + 1.8))
    ax.barh(y - 0.2, gain, 0.4, color="#55a868", label="change of expected payout")
    ax.barh(y + 0.2, -cost, 0.4, color="#c44e52", label="cost (negative)")
    ax.scatter(gain - cost, y, marker="D", color="black", zorder=3, label="net")
    ax.axvline(0, color="black", linewidth=0.7)
    ax.set_yticks(y)
    ax.set_yticklabels(names)
    ax.invert_yaxis()
    ax.set_xlabel("mio. DKK, all regions, summed over the assessed years")
    ax.set_title("Interventions: cost against the change of the expected payout (each left out once, same seed)\n"
                 + settlement, fontsize=10)
    ax.grid(alpha=0.3, axis="x")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


@dataclass(frozen=True)
class RunResults:
    """What the files of a run folder are written from: the run's Dataset (naerhed.pipeline.run_dataset)
    and the rows of the interventions' contributions (naerhed.analysis.contributions; empty when the
    run has no interventions or skips the contributions), and the run's resolved interventions
    (naerhed.interventions.catalogue.Intervention), whose types may write outputs of their own."""

    dataset: xr.Dataset
    contributions: list[dict]
    interventions: tuple = ()


#: write(results, path): writes one file of a run folder (or nothing, where it does not apply).
Writer = Callable[[RunResults, Path], None]


def dataset_file(results: RunResults, path: Path) -> None:
    """results.nc: the run's Dataset (netCDF 4)."""
    results.dataset.to_netcdf(path, engine="h5netcdf")


def table(make: Callable[[xr.Dataset], list[dict]]) -> Writer:
    """A CSV file of the rows `make(dataset)`."""
    return lambda results, path: write_csv(path, make(results.dataset))


def figure(draw: Callable[[xr.Dataset, Path], None]) -> Writer:
    """A figure `draw(dataset, path)`."""
    return lambda results, path: draw(results.dataset, path)


def assessed(write: Writer) -> Writer:
    """`write`, where the run has assessed years (payout and risk); else nothing."""
    def write_if_assessed(results: RunResults, path: Path) -> None:
        if "assessed_year" in results.dataset.dims:
            write(results, path)

    return write_if_assessed


def risk_summary_file(results: RunResults, path: Path) -> None:
    """risk_summary.txt: the risk metrics in plain language."""
    path.write_text("\n".join(risk_summary_text(results.dataset)) + "\n", encoding="utf-8")


def fan_charts(results: RunResults, path: Path) -> None:
    """One fan chart per measured criterion, named by formatting `path` with the criterion."""
    for criterion in criterion_names(kind="ratio"):
        criterion_fan_chart(results.dataset, criterion, path.with_name(path.name.format(criterion=criterion)))


def contributions_table(results: RunResults, path: Path) -> None:
    """interventions.csv: each intervention's contribution, where computed."""
    if results.contributions:
        write_csv(path, results.contributions)


def contributions_figure(results: RunResults, path: Path) -> None:
    """The interventions' cost against their change of the expected payout, where computed."""
    if results.contributions:
        intervention_figure(results.contributions, path,
                            settlement_title(results.dataset["settled"]) + legal_title(results.dataset))


def intervention_outputs(results: RunResults, path: Path) -> None:
    """Each intervention type's own outputs (e.g. the acute-slot capacity curve) into the folder `path`."""
    path.mkdir(exist_ok=True)
    for intervention in results.interventions:
        intervention.write_outputs(results.dataset, path)


#: The files of a run folder (path in the folder, writer), written in this order.
OUTPUTS: tuple[tuple[str, Writer], ...] = (
    ("results.nc", dataset_file),
    ("summary.csv", table(summary_table)),
    ("criteria.csv", table(criteria_table)),
    ("criteria_by_municipality.csv", table(lambda ds: criteria_breakdown_table(ds, "municipality"))),
    ("criteria_by_age_group.csv", table(lambda ds: criteria_breakdown_table(ds, "age_group"))),
    ("figures/criteria_by_region.png", figure(criteria_by_region)),
    ("risk.csv", assessed(table(risk_table))),
    ("risk_summary.txt", assessed(risk_summary_file)),
    ("figures/fan_{criterion}.png", assessed(fan_charts)),
    ("figures/repayment_by_region.png", assessed(figure(repayment_distribution))),
    ("figures/p_met_heatmap.png", assessed(figure(p_met_heatmap))),
    ("risk_sources.csv", assessed(table(risk_sources_table))),
    ("figures/risk_sources.png", assessed(figure(risk_sources_figure))),
    ("figures/population_pyramid.png", figure(population_pyramid)),
    ("figures/persons_80plus_by_region.png", figure(persons_80plus_by_region)),
    ("figures/population_components.png", figure(population_components)),
    ("interventions.csv", contributions_table),
    ("figures/interventions.png", contributions_figure),
    ("figures", intervention_outputs),
)


def write_outputs(results: RunResults, folder: Path) -> None:
    """Every file of OUTPUTS into the run folder `folder`."""
    for name, write in OUTPUTS:
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        write(results, path)

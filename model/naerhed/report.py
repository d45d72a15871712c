"""Figures and tables of a run (matplotlib with the Agg backend; CSV for spreadsheets)."""

from __future__ import annotations

import csv
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402

from .financing.criteria import CRITERIA, CRITERION_LABELS, CRITERION_UNITS  # noqa: E402
from .results import OLD_AGE, criteria_table, summary_table  # noqa: E402

MALE_COLOUR, FEMALE_COLOUR = "#3b6ea5", "#c0504d"


def write_csv(path: Path, rows: list[dict]) -> None:
    """One table per file, header from the first row's keys."""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0].keys()))
        writer.writeheader()
        writer.writerows(rows)


def population_pyramid(ds: xr.Dataset, path: Path) -> None:
    """Population by age and sex, whole country, first and last year (mean over draws)."""
    national = ds["population"].sum("region").mean("draw")
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
    national = {name: ds[name].sum(("region", "sex")).mean("draw") / 1000
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


def criteria_by_region(ds: xr.Dataset, path: Path) -> None:
    """Criteria 1-4 per region over the calendar years: median over draws with a 90 % band."""
    fig, axes = plt.subplots(2, 2, figsize=(12, 8), sharex=True)
    periods = ds["period"].values
    for ax, criterion in zip(axes.ravel(), CRITERIA[:4]):
        values = ds["criteria"].sel(criterion=criterion)
        scale = 100.0 if criterion.endswith("_share") else 1.0
        for region, name in zip(ds["region"].values, ds["region_name"].values):
            series = values.sel(region=region) * scale
            line, = ax.plot(periods, series.median("draw"), marker="o", markersize=3, label=str(name))
            if ds.sizes["draw"] > 1:
                ax.fill_between(periods, series.quantile(0.05, "draw"), series.quantile(0.95, "draw"),
                                color=line.get_color(), alpha=0.15, linewidth=0)
        unit = "%" if scale == 100.0 else CRITERION_UNITS[criterion]
        ax.set_title(CRITERION_LABELS[criterion], fontsize=10)
        ax.set_ylabel(unit, fontsize=9)
        ax.grid(alpha=0.3)
    axes[0, 0].legend(fontsize=8)
    for ax in axes[1]:
        ax.set_xlabel("calendar year")
    band = " (lines: median of draws; bands: 90 % of draws)" if ds.sizes["draw"] > 1 else ""
    fig.suptitle("Nærhedsfinansiering criteria per region" + band)
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)


def write_report(ds: xr.Dataset, folder: Path) -> None:
    """summary.csv, criteria.csv and figures/*.png into `folder`."""
    write_csv(folder / "summary.csv", summary_table(ds))
    write_csv(folder / "criteria.csv", criteria_table(ds))
    figures = folder / "figures"
    figures.mkdir(exist_ok=True)
    criteria_by_region(ds, figures / "criteria_by_region.png")
    population_pyramid(ds, figures / "population_pyramid.png")
    persons_80plus_by_region(ds, figures / "persons_80plus_by_region.png")
    population_components(ds, figures / "population_components.png")

"""Year-to-year shocks of hospital use per region: the table of their sizes, the shocks of one Monte
Carlo draw, and the multipliers the engine applies to the region scales (light: numpy only; the fits
and the backtest are in naerhed.analysis.shocks).

A series y (a measure of hospital use per person, or a criterion) of region r moves on the log scale
as a random walk beyond its trend: log y[r, t] = log y[r, t - 1] + trend + shock[r, t] with

    shock[r, t] = sd[r] * (rho[r] * z_national[t] + sqrt(1 - rho[r]^2) * z_region[r, t]),  z ~ N(0, 1),

`sd` (log scale, per year) from the table (year_shocks.csv or a region's own file in its format) and
`rho` its correlation with the national shock (two regions' shocks correlate rho_i * rho_j).

Random numbers: one stream per year ("year_shock", year) of the draw's `RandomStreams`, from which
the national normal of every series a table may name (`SHOCK_SERIES`, in that fixed order) and then
the regional normals [region, series] are drawn. A shock therefore depends only on (seed, draw, year,
series): not on the scenario, the table's other rows, or which years and regions are asked for
(common random numbers).

In the engine (`ShockPlan`, `scale_multipliers`): every series acts on the region scales of the
hospital-use rates (`SERIES_SCALES`: a measure on its own rate; stays_per_citizen on acute, planned
and outpatient; activity_per_chronic_dkk on the prices; readmission_share and virtual_share on the
readmission and virtual rates). The shocks of the years after the calibration year are cumulated from
it (a shock persists) and multiply that year's region scales, so the calibration year keeps its
targets. For each region and scale the most specific row is used: the region's own row before the
every-region row (empty region_code), and a criterion's row before a measure's row.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np

from ..constants import N_REGIONS, REGION_CODES, REGION_NAMES, region_index
from ..data.reader import read_table
from ..data.registry import RATE_MEASURES, SHOCK_SERIES, TABLES
from ..errors import DataError
from ..streams import RandomStreams
from .hospital_use import ACUTE, N_MEASURES, OUTPATIENT, PLANNED, PRICE, READMISSION, VIRTUAL

#: The decision name of the year shocks' random stream.
STREAM = "year_shock"
#: The region-scale rows (naerhed.health.hospital_use: measures, then the price) each series shocks.
SERIES_SCALES = {
    "acute_admissions": (ACUTE,),
    "planned_admissions": (PLANNED,),
    "outpatient_stays": (OUTPATIENT,),
    "virtual_courses": (VIRTUAL,),
    "readmission_probability": (READMISSION,),
    "stays_per_citizen": (ACUTE, PLANNED, OUTPATIENT),
    "activity_per_chronic_dkk": (PRICE,),
    "readmission_share": (READMISSION,),
    "virtual_share": (VIRTUAL,),
}
#: Labels of the region-scale rows (the `scale` coordinate of the results).
SCALE_NAMES = tuple(RATE_MEASURES) + ("price",)


@dataclass
class ShockRow:
    """One row of the year-shock table. region: index 0-4, or -1 for every region. sd, sd_se: log
    scale, per year; trend, trend_se: mean yearly log change (NaN if not estimated)."""

    series: str
    region: int
    sd: float
    national_correlation: float
    method: str
    status: str
    source: str
    note: str
    sd_se: float = math.nan
    trend: float = math.nan
    trend_se: float = math.nan
    n_changes: int = 0

    @property
    def national_sd(self) -> float:
        """The national part of the shock's sd (log scale, per year)."""
        return self.sd * self.national_correlation

    def cells(self) -> dict[str, str]:
        def num(x: float, digits: int = 4) -> str:
            return "" if math.isnan(x) else f"{x:.{digits}f}"

        return {"series": self.series,
                "region_code": "" if self.region < 0 else str(REGION_CODES[self.region]),
                "region": "" if self.region < 0 else REGION_NAMES[self.region],
                "sd": num(self.sd), "sd_se": num(self.sd_se), "national_correlation": num(self.national_correlation, 3),
                "trend": num(self.trend), "trend_se": num(self.trend_se), "n_changes": str(self.n_changes),
                "method": self.method, "status": self.status, "source": self.source, "note": self.note}


def read_shocks(path: Path | str) -> list[ShockRow]:
    """The year-shock table (year_shocks.csv format) as rows; errors name file, line and column."""
    table = read_table(TABLES["year_shocks"], Path(path))
    rows = []
    for i in range(len(table)):
        rho, sd = float(table["national_correlation"][i]), float(table["sd"][i])
        rows.append(ShockRow(series=str(table["series"][i]), region=int(table["region_code"][i]), sd=sd,
                             national_correlation=rho, method=str(table["method"][i]), status=str(table["status"][i]),
                             source=str(table["source"][i]), note=str(table["note"][i]),
                             sd_se=float(table["sd_se"][i]), trend=float(table["trend"][i]),
                             trend_se=float(table["trend_se"][i]), n_changes=int(table["n_changes"][i])))
    return rows


def shock_arrays(table: Sequence[ShockRow]) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    """(series, sd [region, series], national_correlation [region, series]) for all five regions: a
    region's own row where the table has one, else the series' every-region row. Raises DataError if a
    series has neither for some region."""
    names = tuple(dict.fromkeys(r.series for r in table))
    sd = np.full((N_REGIONS, len(names)), np.nan)
    rho = np.full((N_REGIONS, len(names)), np.nan)
    for j, name in enumerate(names):
        for r in range(N_REGIONS):
            row = _row_for(table, name, r)
            if row is None:
                raise DataError(f"year shocks: series {name!r} has no row for region {REGION_CODES[r]} "
                                f"{REGION_NAMES[r]} and no row for every region (empty region_code)")
            sd[r, j], rho[r, j] = row.sd, row.national_correlation
    return names, sd, rho


def _row_for(table: Sequence[ShockRow], series: str, region: int) -> ShockRow | None:
    """The row of `series` for `region`: its own, else the every-region row (None if neither)."""
    return next((x for x in table if x.series == series and x.region == region), None) or \
        next((x for x in table if x.series == series and x.region < 0), None)


def year_normals(seed: int, draw: int, year: int) -> tuple[np.ndarray, np.ndarray]:
    """The standard normals of one draw's year shocks in `year`: national [series], regional
    [region, series], series in SHOCK_SERIES() order (stream ("year_shock", year))."""
    gen = RandomStreams(seed, draw).generator(STREAM, int(year))
    n = len(SHOCK_SERIES())
    return gen.standard_normal(n), gen.standard_normal((N_REGIONS, n))


def draw_year_shocks(table: Sequence[ShockRow], seed: int, draw: int, years: Sequence[int],
                     regions: Sequence[int | str] = REGION_CODES) -> np.ndarray:
    """The year shocks of one Monte Carlo draw: an array [year, region, series] on the log scale
    (series in the table's order, see `shock_arrays`; regions as codes, names or indices), from
    `year_normals`: the same in every scenario and whatever years, regions or other rows are asked for."""
    names, sd, rho = shock_arrays(table)
    column = [SHOCK_SERIES().index(name) for name in names]
    index = [r if isinstance(r, (int, np.integer)) and 0 <= int(r) < N_REGIONS else region_index(r) for r in regions]
    out = np.empty((len(years), len(index), len(names)))
    for t, year in enumerate(years):
        z_national, z_region = year_normals(seed, draw, year)
        shocks = sd * (rho * z_national[column][None, :] + np.sqrt(1.0 - rho ** 2) * z_region[:, column])
        out[t] = shocks[index]
    return out


@dataclass(frozen=True)
class ShockPlan:
    """What the engine needs of a year-shock table: for each region-scale row (SCALE_NAMES) and region
    the series whose shock it takes (index into SHOCK_SERIES(); -1: none), its sd (log scale, per
    year) and national correlation, all [scale, region]; path: the table's file."""

    series: np.ndarray
    sd: np.ndarray
    rho: np.ndarray
    path: Path


def shock_plan(table: Sequence[ShockRow], path: Path | str) -> ShockPlan:
    """The engine's view of `table` (see the module docstring for which row is used). Raises
    DataError naming the file if a rate measure has no size for some region or a series cannot be
    applied to any region scale."""
    unusable = sorted({r.series for r in table if r.series not in SERIES_SCALES})
    if unusable:
        raise DataError(f"{path}: column series: {', '.join(unusable)} cannot be applied to hospital use; "
                        f"allowed: {', '.join(SERIES_SCALES)}")
    shape = (N_MEASURES + 1, N_REGIONS)
    series, sd, rho = np.full(shape, -1, np.int64), np.zeros(shape), np.zeros(shape)
    missing = []
    for row in range(N_MEASURES + 1):
        names = [s for s, rows in SERIES_SCALES.items() if row in rows]
        for r in range(N_REGIONS):
            # own row before every-region row; a criterion (listed after the measures) before a measure
            candidates = [(x.region >= 0, n, x) for n, name in enumerate(names) for x in table
                          if x.series == name and x.region in (r, -1)]
            if not candidates:
                if row != PRICE:
                    missing.append(f"{SCALE_NAMES[row]} in region {REGION_CODES[r]} {REGION_NAMES[r]}")
                continue
            chosen = max(candidates, key=lambda c: (c[0], c[1]))[2]
            series[row, r] = SHOCK_SERIES().index(chosen.series)
            sd[row, r], rho[row, r] = chosen.sd, chosen.national_correlation
    if missing:
        raise DataError(f"{path}: no year-shock size for {'; '.join(missing)}; give a row with that series "
                        "(empty region_code: every region), or one of the criterion series that acts on it")
    return ShockPlan(series, sd, rho, Path(path))


def load_shock_plan(path: Path | str | None = None) -> ShockPlan:
    """The engine's view of the year-shock table in `path` (default: the packaged year_shocks.csv)."""
    path = TABLES["year_shocks"].path if path is None else Path(path)
    return shock_plan(read_shocks(path), path)


def cumulative_shocks(plan: ShockPlan, seed: int, draw: int, calibration_year: int, years: Sequence[int],
                      scale: float = 1.0) -> np.ndarray:
    """The log multipliers of the region scales [year, scale, region] in the calendar `years`: the sum
    of the shocks (times `scale`, the scenario's health.year_shocks.scale) of the years after
    `calibration_year` up to the year (0 in the calibration year and before). Zero, exactly, where
    `scale` is 0 or the plan gives a row no series."""
    years = [int(y) for y in years]
    out = np.zeros((len(years), N_MEASURES + 1, N_REGIONS))
    if scale == 0.0 or not years:
        return out
    has = plan.series >= 0
    column = np.where(has, plan.series, 0)
    regions = np.broadcast_to(np.arange(N_REGIONS), column.shape)
    level = np.zeros(column.shape)
    for year in range(calibration_year + 1, max(years) + 1):
        z_national, z_region = year_normals(seed, draw, year)
        shock = plan.sd * (plan.rho * z_national[column] + np.sqrt(1.0 - plan.rho ** 2) * z_region[regions, column])
        level = level + np.where(has, scale * shock, 0.0)
        if year in years:
            out[years.index(year)] = level
    return out

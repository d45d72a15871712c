"""Year-to-year shocks per region and series, estimated from history; trends checked against the same
history; a backtest; and the shocks of one Monte Carlo draw.

The model of a series y (a measure of hospital use per person, or a criterion) of region r in year t,
on the log scale:

    log y[r, t] = level[r, t] + noise[r, t],   level[r, t] = level[r, t-1] + trend + shock[r, t]
    shock[r, t] = sd[r] * (rho[r] * z_national[t] + sqrt(1 - rho[r]^2) * z_region[r, t]),  z ~ N(0, 1)

`sd` (log scale, per year) is the size of the year shock: the standard deviation of a region's yearly
change of log y beyond the trend (0.03 = a typical year moves the series 3 % off its trend). `rho`
(`national_correlation`) is its correlation with the national shock; two regions' shocks correlate
rho_i * rho_j.

Fitting (statsmodels), per series, in `fit_shocks`:

- ``local_level``: one region's (or the whole country's) yearly series with at least `MIN_YEARS`
  observed years (gaps allowed): `UnobservedComponents` with a local linear deterministic trend
  (level disturbance sd_eta, irregular sd_eps, fixed slope), by maximum likelihood. sd =
  sqrt(sd_eta^2 + 2 sd_eps^2), the sd of a yearly change beyond the trend; its standard error by the
  delta method from the estimates' covariance; the trend is the smoothed slope with its standard error.
- ``pooled_random_walk``: sparse series (a few years per region, e.g. the public ones). The k-year log
  changes of the regions over the same span within one comparable `group` (one definition, one
  register version) are dlog[i] = mu[span] + e[i], e[i] ~ N(0, k[i] s^2): a random walk per region
  around the common change mu, which holds the national trend and the national shocks. Weighted
  least squares (statsmodels WLS, weights 1/k, one constant per span) gives s^2 as the residual scale
  with df = changes - spans and se(s) = s / sqrt(2 df). s is the regional part; with the national sd
  s_n (a national series fitted with the local level, else the prior's sd * national_correlation),
  sd = sqrt(s^2 + s_n^2) and national_correlation = s_n / sd.
- ``prior``: every series and region the data cannot pin down keeps its row of the priors table
  (status ``assumption`` with its reasoning).

The table's rows (`ShockRow`, `read_shocks`) and the shocks of one draw (`draw_year_shocks`, as the
engine applies them) are in naerhed.health.year_shocks, which needs neither scipy.stats nor
statsmodels; they are imported here for the fits and the command.
"""

from __future__ import annotations

import csv
import io
import math
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np

from naerhed.constants import N_REGIONS, REGION_NAMES
from naerhed.data.reader import read_table
from naerhed.data.registry import TABLES
from naerhed.errors import DataError, NaerhedError
from naerhed.health.year_shocks import ShockRow, read_shocks


#: Fewest observed years of one region's series for a local-level fit (two variances and a slope by
#: maximum likelihood; with fewer the estimates sit at the boundary and their standard errors mean little).
MIN_YEARS = 8
#: Columns of the year-shock table, in this order in the files written.
SHOCK_COLUMNS = ("series", "region_code", "region", "sd", "sd_se", "national_correlation", "trend", "trend_se",
                 "n_changes", "method", "status", "source", "note")


@dataclass(frozen=True)
class Change:
    """A k-year log change of one region's series within one comparable group (region -1: national)."""

    series: str
    group: str
    region: int
    year0: int
    year1: int
    dlog: float

    @property
    def years(self) -> int:
        return self.year1 - self.year0


# ---------------------------------------------------------------------------------------------
# Reading and writing
# ---------------------------------------------------------------------------------------------
def shocks_csv(rows: Sequence[ShockRow]) -> str:
    """The rows as CSV text in the year_shocks.csv format."""
    out = io.StringIO()
    writer = csv.DictWriter(out, SHOCK_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow(row.cells())
    return out.getvalue()


def write_text_atomic(path: Path | str, text: str) -> None:
    """Write `text` to `path` through a temporary file in the same folder (nothing half-written)."""
    path = Path(path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
                f.write(text)
            os.replace(tmp, path)
        except BaseException:
            os.unlink(tmp)
            raise
    except OSError as exc:
        raise NaerhedError(f"cannot write {path}: {exc.strerror or exc}") from None


# ---------------------------------------------------------------------------------------------
# The history's changes
# ---------------------------------------------------------------------------------------------
def history_changes(path: Path | str) -> tuple[list[Change], dict]:
    """The log changes between consecutive observed years of each (series, group, region) of a
    history file (hospital_history.csv format), and the yearly series themselves:
    {(series, group, region): (years int array, values float array)}."""
    table = read_table(TABLES["shock_history"], Path(path))
    groups = np.where(table["group"] == "", "all", table["group"]) if table.has("group") else np.full(len(table), "all", object)
    series: dict = {}
    for i in range(len(table)):
        key = (str(table["series"][i]), str(groups[i]), int(table["region_code"][i]))
        series.setdefault(key, []).append((int(table["year"][i]), float(table["value"][i])))
    out, changes = {}, []
    for key, points in series.items():
        points.sort()
        years = np.array([p[0] for p in points], dtype=np.int64)
        values = np.array([p[1] for p in points], dtype=np.float64)
        out[key] = (years, values)
        logs = np.log(values)
        for j in range(1, years.size):
            changes.append(Change(key[0], key[1], key[2], int(years[j - 1]), int(years[j]), float(logs[j] - logs[j - 1])))
    return changes, out


# ---------------------------------------------------------------------------------------------
# Fits
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LocalLevelFit:
    """A local-level fit of one yearly series (log scale). sd: of a yearly change beyond the trend;
    sd_eta, sd_eps: level disturbance and irregular; trend: mean yearly log change."""

    sd: float
    sd_se: float
    sd_eta: float
    sd_eps: float
    trend: float
    trend_se: float
    n_years: int


def _local_level_model(years: np.ndarray, values: np.ndarray):
    from statsmodels.tsa.statespace.structural import UnobservedComponents

    span = np.arange(int(years.min()), int(years.max()) + 1)
    y = np.full(span.size, np.nan)
    y[years - span[0]] = np.log(values)
    return UnobservedComponents(y, level="local linear deterministic trend"), span


def fit_local_level(years: np.ndarray, values: np.ndarray) -> LocalLevelFit:
    """Fit the local level with a fixed slope to one yearly series (values > 0; gaps allowed)."""
    years = np.asarray(years, dtype=np.int64)
    values = np.asarray(values, dtype=np.float64)
    if years.size < MIN_YEARS:
        raise ValueError(f"a local-level fit needs at least {MIN_YEARS} years, got {years.size}")
    model, _ = _local_level_model(years, values)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = model.fit(disp=False)
        cov = np.asarray(result.cov_params())
    names = list(model.param_names)
    v_eps, v_eta = (float(result.params[names.index(n)]) for n in ("sigma2.irregular", "sigma2.level"))
    var_total = v_eta + 2.0 * v_eps
    sd = math.sqrt(max(var_total, 0.0))
    i_eps, i_eta = names.index("sigma2.irregular"), names.index("sigma2.level")
    grad = np.zeros(len(names))
    grad[i_eps], grad[i_eta] = 2.0, 1.0
    var_var = float(grad @ cov @ grad) if np.all(np.isfinite(cov)) else math.nan
    sd_se = math.sqrt(var_var) / (2.0 * sd) if sd > 0 and var_var >= 0 else math.nan
    trend = float(result.smoothed_state[1, -1])
    trend_se = math.sqrt(max(float(result.smoothed_state_cov[1, 1, -1]), 0.0))
    return LocalLevelFit(sd, sd_se, math.sqrt(max(v_eta, 0.0)), math.sqrt(max(v_eps, 0.0)), trend, trend_se, int(years.size))


@dataclass(frozen=True)
class PooledFit:
    """The regional part s of the year shock from pooled regional changes (log scale, per year), its
    standard error, the degrees of freedom, and the common change per span: {(group, y0, y1):
    (mean log change over the span, regions)}."""

    s: float
    s_se: float
    df: int
    spans: dict


def fit_pooled(changes: Iterable[Change]) -> PooledFit | None:
    """Fit the regions' k-year changes (see the module docstring); None if there are no degrees of
    freedom (fewer than two regions over every span)."""
    import statsmodels.api as sm

    regional = [c for c in changes if c.region >= 0]
    spans = sorted({(c.group, c.year0, c.year1) for c in regional})
    counts = {s: sum(1 for c in regional if (c.group, c.year0, c.year1) == s) for s in spans}
    spans = [s for s in spans if counts[s] >= 2]
    used = [c for c in regional if (c.group, c.year0, c.year1) in spans]
    df = len(used) - len(spans)
    if df < 1:
        return None
    y = np.array([c.dlog for c in used])
    k = np.array([c.years for c in used], dtype=np.float64)
    x = np.zeros((len(used), len(spans)))
    for i, c in enumerate(used):
        x[i, spans.index((c.group, c.year0, c.year1))] = 1.0
    result = sm.WLS(y, x, weights=1.0 / k).fit()
    s = math.sqrt(float(result.scale))
    means = {span: (float(result.params[j]), counts[span]) for j, span in enumerate(spans)}
    return PooledFit(s, s / math.sqrt(2.0 * df), df, means)


def fit_shocks(history: Path | str, priors: Path | str) -> list[ShockRow]:
    """The year-shock table fitted to a history file, the rows it cannot fit taken from `priors` (a
    table in the year_shocks.csv format, e.g. the packaged one). Raises DataError if no series of the
    file has two observed years in one group for one region (nothing to fit)."""
    changes, series = history_changes(history)
    if not changes:
        raise DataError(f"{history}: no region has two years of one series in one group; nothing to fit "
                        f"(rows: region_code, series, year, value; one row per year)")
    prior_rows = read_shocks(priors)
    out: list[ShockRow] = []
    names = list(dict.fromkeys([r.series for r in prior_rows] + [c.series for c in changes]))
    for name in names:
        prior = next((r for r in prior_rows if r.series == name and r.region < 0), None)
        national_sd, national_note = (prior.national_sd, f"national sd {prior.national_sd:.3f} from the prior "
                                      f"({prior.source})") if prior else (0.0, "no national part (no prior)")
        for (s, group, region), (years, values) in series.items():
            if s == name and region < 0 and years.size >= MIN_YEARS:
                fit = fit_local_level(years, values)
                national_sd, national_note = fit.sd, f"national sd {fit.sd:.3f} fitted (local level, {group}, {years.size} years)"
        mine = [c for c in changes if c.series == name]
        pooled = fit_pooled(mine)
        if pooled is not None:
            sd = math.sqrt(pooled.s ** 2 + national_sd ** 2)
            spans = "; ".join(f"{g} {y0}-{y1} ({n} regions)" for (g, y0, y1), (_, n) in pooled.spans.items())
            out.append(ShockRow(name, -1, sd, national_sd / sd if sd > 0 else 0.0, "pooled_random_walk", "derived",
                                f"fitted by naerhed fit-shocks to {Path(history).name}",
                                f"regional part {pooled.s:.4f} (se {pooled.s_se:.4f}, df {pooled.df}) from the regions' "
                                f"log changes over {spans}; {national_note}",
                                sd_se=pooled.s_se * pooled.s / sd if sd > 0 else math.nan, n_changes=pooled.df + len(pooled.spans)))
        elif prior is not None:
            out.append(prior)
        for (s, group, region), (years, values) in series.items():
            if s != name or region < 0 or years.size < MIN_YEARS:
                continue
            fit = fit_local_level(years, values)
            out.append(ShockRow(name, region, fit.sd, min(1.0, national_sd / fit.sd) if fit.sd > 0 else 0.0, "local_level",
                                "derived", f"fitted by naerhed fit-shocks to {Path(history).name}",
                                f"{group}: {years.size} years {years.min()}-{years.max()}; level sd {fit.sd_eta:.4f}, "
                                f"irregular sd {fit.sd_eps:.4f}; {national_note}",
                                sd_se=fit.sd_se, trend=fit.trend, trend_se=fit.trend_se, n_changes=int(years.size) - 1))
    return out


# ---------------------------------------------------------------------------------------------
# Trends and backtest
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TrendEstimate:
    """The mean yearly log change of a series over one span of one group: from the national rows if
    the file has them for both years, else the mean of the regions. se from the shock sizes: national
    sd^2 / k + regional s^2 / (k * regions)."""

    series: str
    group: str
    year0: int
    year1: int
    trend: float
    se: float
    basis: str


def trend_estimates(history: Path | str, shocks: Sequence[ShockRow]) -> list[TrendEstimate]:
    """The secular trends the history shows (per series, group and span), with standard errors from
    the year-shock table's sizes."""
    changes, _ = history_changes(history)
    out = []
    for (series, group, y0, y1) in sorted({(c.series, c.group, c.year0, c.year1) for c in changes}):
        row = next((r for r in shocks if r.series == series and r.region < 0), None)
        if row is None:
            continue
        national_sd, regional_sd = row.national_sd, math.sqrt(max(row.sd ** 2 - row.national_sd ** 2, 0.0))
        k = y1 - y0
        here = [c for c in changes if (c.series, c.group, c.year0, c.year1) == (series, group, y0, y1)]
        national = [c for c in here if c.region < 0]
        regions = [c for c in here if c.region >= 0]
        if national:
            dlog, n, basis = national[0].dlog, N_REGIONS, "national"
        else:
            dlog, n, basis = float(np.mean([c.dlog for c in regions])), len(regions), f"mean of {len(regions)} region(s)"
        se = math.sqrt(national_sd ** 2 / k + regional_sd ** 2 / (k * n))
        out.append(TrendEstimate(series, group, y0, y1, dlog / k, se, basis))
    return out


@dataclass(frozen=True)
class BacktestPoint:
    """One out-of-sample prediction on the log scale: the observed value, the predicted mean and sd, and
    the degrees of freedom of the shock size it used (its intervals are Student t: the size is
    estimated; exact for the pooled fit, an approximation for the local level)."""

    series: str
    what: str
    observed: float
    mean: float
    sd: float
    df: int

    def interval(self, level: float) -> tuple[float, float]:
        """The central `level` interval (log scale)."""
        from scipy import stats

        half = float(stats.t.ppf(0.5 + level / 2.0, self.df)) * self.sd
        return self.mean - half, self.mean + half

    def inside(self, level: float) -> bool:
        lo, hi = self.interval(level)
        return lo <= self.observed <= hi


def backtest_yearly(years: np.ndarray, values: np.ndarray, series: str = "") -> list[BacktestPoint]:
    """Fit the local level on the years up to t and predict t+1, for every t from the MIN_YEARS-th
    observed year on (the one-step forecast's mean and sd on the log scale; degrees of freedom: the
    years used minus the three estimated parameters)."""
    years = np.asarray(years, dtype=np.int64)
    values = np.asarray(values, dtype=np.float64)
    import warnings

    points = []
    for j in range(MIN_YEARS, years.size):
        if years[j] != years[j - 1] + 1:
            continue
        model, _ = _local_level_model(years[:j], values[:j])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            forecast = model.fit(disp=False).get_forecast(1)
        mean = float(np.asarray(forecast.predicted_mean)[0])
        sd = math.sqrt(float(np.asarray(forecast.var_pred_mean)[0]))
        points.append(BacktestPoint(series, f"{years[j]}", float(np.log(values[j])), mean, sd, j - 3))
    return points


def backtest_pooled(history: Path | str, cutoff: int) -> list[BacktestPoint]:
    """Fit the regional shock size on the changes that end by `cutoff`, then predict every later change
    of the log ratio of two regions over the same span (national trend and shocks cancel in the
    ratio; its change over k years has sd sqrt(2 k) s)."""
    changes, _ = history_changes(history)
    points = []
    for name in dict.fromkeys(c.series for c in changes):
        fit = fit_pooled([c for c in changes if c.series == name and c.year1 <= cutoff])
        if fit is None:
            continue
        later = [c for c in changes if c.series == name and c.year1 > cutoff and c.region >= 0]
        for span in sorted({(c.group, c.year0, c.year1) for c in later}):
            here = sorted((c for c in later if (c.group, c.year0, c.year1) == span), key=lambda c: c.region)
            for a in range(len(here)):
                for b in range(a + 1, len(here)):
                    ca, cb = here[a], here[b]
                    what = (f"{REGION_NAMES[ca.region]} vs {REGION_NAMES[cb.region]} {span[1]}-{span[2]} ({span[0]}; "
                            f"s fitted to changes ending by {cutoff}, df {fit.df})")
                    points.append(BacktestPoint(name, what, ca.dlog - cb.dlog, 0.0, math.sqrt(2.0 * ca.years) * fit.s, fit.df))
    return points


def coverage(points: Sequence[BacktestPoint], level: float) -> float:
    """Share of the points inside their `level` interval (NaN if there are none)."""
    return float(np.mean([p.inside(level) for p in points])) if points else math.nan

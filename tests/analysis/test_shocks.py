"""Year-to-year shocks: the fits recover known sizes from simulated series (tolerances from the fits'
standard errors), the backtest's intervals cover as stated, the packaged table is what the build script
gives, fit-shocks writes a table in the same format or fails with file/line/column and exit 2 without
writing, and the shocks of a draw have mean 0, the table's sd and its national correlation
(tolerances from the number of draws), with common random numbers."""

import math
import runpy
from pathlib import Path

import numpy as np
import pytest

from naerhed.analysis.shocks import (MIN_YEARS, Change, backtest_yearly, coverage, fit_local_level, fit_pooled,
                                     fit_shocks)
from naerhed.cli import main
from naerhed.constants import REGION_CODES
from naerhed.data import DATA_DIR
from naerhed.health.year_shocks import ShockRow, draw_year_shocks, read_shocks, shock_arrays

REPO = Path(__file__).resolve().parents[2]
PACKAGED = DATA_DIR / "year_shocks.csv"
Z = 4.0  # assertions at 4 standard errors (fixed seeds: a false alarm has probability below 1e-4)


def _local_level(rng, years, sd_eta, sd_eps, trend, start=5.0):
    level = start + np.cumsum(trend + sd_eta * rng.standard_normal(years))
    return np.exp(level + sd_eps * rng.standard_normal(years))


# --- fits -----------------------------------------------------------------------------------------
def test_local_level_recovers_the_yearly_change_sd_and_trend():
    rng = np.random.default_rng(12)
    sd_eta, sd_eps, trend = 0.03, 0.01, -0.01
    values = _local_level(rng, 60, sd_eta, sd_eps, trend)
    fit = fit_local_level(np.arange(1960, 2020), values)
    truth = math.sqrt(sd_eta ** 2 + 2 * sd_eps ** 2)
    assert abs(fit.sd - truth) < Z * fit.sd_se
    assert abs(fit.trend - trend) < Z * fit.trend_se
    with pytest.raises(ValueError, match="at least"):
        fit_local_level(np.arange(MIN_YEARS - 1), values[: MIN_YEARS - 1])


def test_pooled_fit_recovers_the_regional_sd_over_uneven_spans():
    rng = np.random.default_rng(3)
    s, changes = 0.04, []
    for g, (y0, y1, n) in enumerate([(2008, 2013, 60), (2013, 2016, 40), (2009, 2017, 30)]):
        common = rng.normal(0.02 * (y1 - y0), 0.05)
        for r in range(n):
            changes.append(Change("acute_admissions", f"g{g}", r % 5, y0, y1,
                                  common + s * math.sqrt(y1 - y0) * rng.standard_normal()))
    fit = fit_pooled(changes)
    assert fit.df == 130 - 3
    assert abs(fit.s - s) < Z * fit.s_se
    assert fit_pooled(changes[:1]) is None  # one region per span: no degrees of freedom


def test_backtest_intervals_cover_as_stated_on_simulated_series():
    rng = np.random.default_rng(7)
    points = []
    for _ in range(12):  # many short series: forecast errors of different series are independent
        values = _local_level(rng, MIN_YEARS + 8, 0.03, 0.01, 0.005)
        points += backtest_yearly(np.arange(2000, 2000 + MIN_YEARS + 8), values, "acute_admissions")
    n = len(points)
    assert n == 12 * 8
    for level in (0.8, 0.95):
        assert abs(coverage(points, level) - level) < Z * math.sqrt(level * (1 - level) / n)


# --- the packaged table ---------------------------------------------------------------------------
def test_packaged_table_is_what_the_build_script_gives():
    build = runpy.run_path(str(REPO / "data-raw" / "build_shocks.py"))["build"]
    assert build() == PACKAGED.read_text(encoding="utf-8")


def test_packaged_table_covers_every_measure_for_every_region():
    rows = read_shocks(PACKAGED)
    names, sd, rho = shock_arrays(rows)
    assert set(names) >= {"acute_admissions", "planned_admissions", "outpatient_stays", "virtual_courses",
                          "readmission_probability"}
    assert np.all(sd > 0) and np.all((rho >= 0) & (rho <= 1))
    fitted = [r for r in rows if r.method != "prior"]
    assert {r.series for r in fitted} >= {"acute_admissions", "outpatient_stays"}
    assert all(r.sd_se > 0 for r in fitted)
    assert all(r.status == "assumption" and r.note for r in rows if r.method == "prior")


# --- the shocks of one draw ---------------------------------------------------------------------
TABLE = [ShockRow("acute_admissions", -1, 0.05, 0.6, "prior", "assumption", "test", "test"),
         ShockRow("acute_admissions", 2, 0.10, 0.3, "prior", "assumption", "test", "test"),
         ShockRow("virtual_courses", -1, 0.15, 0.0, "prior", "assumption", "test", "test")]


def test_draws_have_mean_zero_the_tables_sd_and_national_correlation():
    n = 4000
    shocks = np.stack([draw_year_shocks(TABLE, seed=11, draw=d, years=[2024])[0] for d in range(n)])
    assert shocks.shape == (n, 5, 2)
    _, sd, rho = shock_arrays(TABLE)
    for r in range(5):
        for s in range(2):
            x = shocks[:, r, s]
            assert abs(x.mean()) < Z * sd[r, s] / math.sqrt(n)
            assert abs(x.std() / sd[r, s] - 1) < Z / math.sqrt(2 * n)
    # two regions' shocks correlate rho_i * rho_j (the national shock); none across independent series
    for a, b in [(0, 1), (0, 2), (3, 4)]:
        expected = rho[a, 0] * rho[b, 0]
        observed = np.corrcoef(shocks[:, a, 0], shocks[:, b, 0])[0, 1]
        assert abs(observed - expected) < Z * (1 - expected ** 2) / math.sqrt(n)
    assert abs(np.corrcoef(shocks[:, 0, 1], shocks[:, 1, 1])[0, 1]) < Z / math.sqrt(n)


def test_draws_are_common_random_numbers():
    every = draw_year_shocks(TABLE, seed=5, draw=3, years=[2023, 2024, 2025])
    some = draw_year_shocks(TABLE, seed=5, draw=3, years=[2025], regions=[1085, "Nordjylland"])
    np.testing.assert_array_equal(some[0], every[2][[4, 0]])
    assert not np.array_equal(every, draw_year_shocks(TABLE, seed=5, draw=4, years=[2023, 2024, 2025]))
    with pytest.raises(Exception, match="no row for region"):
        shock_arrays([TABLE[1]])


# --- the command --------------------------------------------------------------------------------
def _series_file(path, rows):
    path.write_text("region_code,series,year,value\n" + "".join(f"{r},{s},{y},{v}\n" for r, s, y, v in rows),
                    encoding="utf-8")
    return path


def test_fit_shocks_fits_a_regions_own_series(tmp_path, capsys):
    rng = np.random.default_rng(1)
    values = _local_level(rng, 14, 0.04, 0.01, 0.0, start=np.log(0.09))
    own = _series_file(tmp_path / "own.csv", [(1083, "readmission_share", 2010 + i, f"{v:.5f}")
                                              for i, v in enumerate(values)])
    out = tmp_path / "shocks.csv"
    assert main(["fit-shocks", str(own), "--out", str(out)]) == 0
    rows = read_shocks(out)
    mine = [r for r in rows if r.series == "readmission_share"]
    assert len(mine) == 1 and mine[0].region == REGION_CODES.index(1083) and mine[0].method == "local_level"
    assert mine[0].sd > 0 and mine[0].sd_se > 0
    # the packaged rows fill the rest
    assert {r.series for r in rows} >= {r.series for r in read_shocks(PACKAGED)}
    assert fit_shocks(own, PACKAGED)[-1].sd == pytest.approx(mine[0].sd, abs=1e-4)


@pytest.mark.parametrize("rows, message", [
    ([(1083, "acute_admissions", 2019, "x")], "line 2, column 'value'"),
    ([(1099, "acute_admissions", 2019, "1.0")], "line 2, column 'region_code'"),
    ([(1083, "bed_days", 2019, "1.0")], "line 2, column 'series'"),
    ([(1083, "acute_admissions", 2019, "1.0")], "nothing to fit"),
])
def test_fit_shocks_rejects_bad_input_without_writing(tmp_path, capsys, rows, message):
    bad = _series_file(tmp_path / "bad.csv", rows)
    out = tmp_path / "shocks.csv"
    assert main(["fit-shocks", str(bad), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err and str(bad) in err
    assert not out.exists()

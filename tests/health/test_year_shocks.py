"""Year shocks in the engine (naerhed.health.year_shocks): a random walk of the draw's shocks from the
calibration year, with the table's sd and national correlation (tolerances from the number of draws,
fixed seeds); the engine moves the criteria by exactly the cumulated shock; scale 0 gives the numbers
without shocks exactly; the shocks are common random numbers across scenarios; a region's own file
is read, and a bad one is refused with file, line and column (exit 2, nothing written)."""

from __future__ import annotations

import json
import math
import re
import subprocess
import sys

import numpy as np
import pytest

from ..conftest import make_scenario
from naerhed.cli import main
from naerhed.constants import N_REGIONS, REGION_CODES
from naerhed.data import DATA_DIR
from naerhed.errors import DataError
from naerhed.health.hospital_use import ACUTE, OUTPATIENT, PLANNED, PRICE, READMISSION, VIRTUAL
from naerhed.health.year_shocks import (SCALE_NAMES, ShockRow, cumulative_shocks, draw_year_shocks,
                                        load_shock_plan, read_shocks, shock_plan)
from naerhed.inputs import load_inputs
from naerhed.pipeline import run_dataset
from naerhed.results import risk_sources_table, risk_sources_text
from naerhed.run_spec import RunSpec

Z = 4.0  # assertions at 4 standard errors (fixed seeds: a false alarm has probability below 1e-4)
HEADER = "series,region_code,sd,national_correlation,method\n"
MEASURES = ("acute_admissions", "planned_admissions", "outpatient_stays", "virtual_courses", "readmission_probability")


def _rows(*rows) -> list[ShockRow]:
    return [ShockRow(series, region, sd, rho, "prior", "assumption", "test", "test") for series, region, sd, rho in rows]


def _file(path, lines):
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return path


# --- the module -----------------------------------------------------------------------------------
def test_the_engine_module_needs_neither_scipy_stats_nor_statsmodels():
    code = ("import sys, naerhed.health.year_shocks, naerhed.engine; "
            "print(sorted(m for m in sys.modules if m.startswith(('statsmodels', 'scipy.stats'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_cumulated_shocks_are_the_random_walk_of_the_draws_shocks():
    plan = load_shock_plan()
    table = read_shocks(DATA_DIR / "year_shocks.csv")
    years = list(range(2017, 2025))
    walk = cumulative_shocks(plan, seed=3, draw=7, calibration_year=2019, years=years)
    assert np.all(walk[:3] == 0.0)  # 2017-2019: up to and including the calibration year
    shocks = draw_year_shocks(table, seed=3, draw=7, years=years[3:])  # [year, region, series]
    names = list(dict.fromkeys(r.series for r in table))
    for row, name in ((ACUTE, "acute_admissions"), (OUTPATIENT, "outpatient_stays"), (VIRTUAL, "virtual_courses"),
                      (READMISSION, "readmission_probability")):
        np.testing.assert_allclose(walk[3:, row, :], np.cumsum(shocks[:, :, names.index(name)], axis=0), rtol=1e-12)
    assert np.all(walk[:, PRICE, :] == 0.0)  # no series of the packaged table acts on the prices
    np.testing.assert_allclose(cumulative_shocks(plan, 3, 7, 2019, years, scale=2.0), 2.0 * walk, rtol=1e-12)
    assert np.all(cumulative_shocks(plan, 3, 7, 2019, years, scale=0.0) == 0.0)
    # asking for fewer years gives the same walk (common random numbers)
    np.testing.assert_array_equal(cumulative_shocks(plan, 3, 7, 2019, [2023])[0], walk[years.index(2023)])


def test_cumulated_shocks_grow_like_sd_sqrt_years_and_regions_correlate_through_the_national_shock():
    n, years = 3000, [2020, 2022, 2025]
    plan = load_shock_plan()
    walk = np.stack([cumulative_shocks(plan, seed=17, draw=d, calibration_year=2019, years=years) for d in range(n)])
    for t, year in enumerate(years):
        k = year - 2019
        for row in (ACUTE, OUTPATIENT, VIRTUAL):
            for r in range(N_REGIONS):
                expected = plan.sd[row, r] * math.sqrt(k)
                x = walk[:, t, row, r]
                assert abs(x.mean()) < Z * expected / math.sqrt(n)
                assert abs(x.std() / expected - 1) < Z / math.sqrt(2 * n)
            # two regions' cumulated shocks correlate rho_i * rho_j, at every horizon
            expected = plan.rho[row, 0] * plan.rho[row, 3]
            observed = np.corrcoef(walk[:, t, row, 0], walk[:, t, row, 3])[0, 1]
            assert abs(observed - expected) < Z * (1 - expected ** 2) / math.sqrt(n)
    # different series are independent
    assert abs(np.corrcoef(walk[:, 2, ACUTE, 0], walk[:, 2, PLANNED, 0])[0, 1]) < Z / math.sqrt(n)


def test_the_plan_takes_a_regions_own_row_and_a_criterion_before_a_measure(tmp_path):
    table = _rows(*[(m, -1, 0.05, 0.3) for m in MEASURES],
                  ("readmission_share", 2, 0.2, 0.1), ("stays_per_citizen", -1, 0.03, 0.5),
                  ("acute_admissions", 4, 0.07, 0.2))
    plan = shock_plan(table, tmp_path / "mine.csv")
    assert plan.sd[READMISSION].tolist() == [0.05, 0.05, 0.2, 0.05, 0.05]
    # stays_per_citizen (every region) acts on acute, planned and outpatient with one shock; the
    # region's own acute row comes first in region 4
    assert plan.sd[ACUTE].tolist() == [0.03, 0.03, 0.03, 0.03, 0.07]
    assert plan.sd[PLANNED].tolist() == plan.sd[OUTPATIENT].tolist() == [0.03] * 5
    walk = cumulative_shocks(plan, 1, 0, 2019, [2021])[0]
    np.testing.assert_array_equal(walk[ACUTE, :4], walk[OUTPATIENT, :4])
    with pytest.raises(DataError, match=r"mine\.csv: no year-shock size for virtual_courses in region 1081"):
        shock_plan([r for r in table if r.series != "virtual_courses"], tmp_path / "mine.csv")


# --- in the engine --------------------------------------------------------------------------------
def _stays_table(path, sd=0.05, rho=0.5):
    """Only stays per citizen is shocked (one shock on acute, planned and outpatient stays)."""
    return _file(path, [f"{m},,0,0,prior\n" for m in MEASURES] + [f"stays_per_citizen,,{sd},{rho},prior\n"])


def _run(tmp_path, shocks, draws, **settings):
    scenario = make_scenario(population={"sample_fraction": 0.002}, end_year=2024, draws=draws, seed=99,
                             uncertainty="central", data={"year_shocks": str(shocks)}, **settings)
    return run_dataset(RunSpec.from_scenario(scenario, load_inputs(scenario)))


def test_the_shocks_move_the_criteria_by_the_cumulated_shock_and_their_spread_grows_like_sqrt_years(tmp_path):
    n, sd = 40, 0.05
    table = _stays_table(tmp_path / "stays.csv", sd)
    shocked = _run(tmp_path, table, n)
    still = _run(tmp_path, table, n, health={"year_shocks": {"scale": 0.0}})
    stays = lambda ds: ds["criteria"].sel(criterion="stays_per_citizen")  # noqa: E731
    ratio = np.log(stays(shocked) / stays(still))  # (draw, period, region): the shock alone (same events)
    walk = shocked["year_shock"].sel(scale="acute_admissions")
    assert float(abs(walk.sel(period=2019)).max()) == 0.0
    # chance of the events at the population's scale: relative sd about 1e-3 (about 2.4 million stays
    # a region), so the ratio is the cumulated shock to well within 0.01
    np.testing.assert_allclose(ratio.values, walk.values, atol=0.01)
    for period in range(2020, 2024):
        k = period - 2019
        observed = ratio.sel(period=period).std("draw", ddof=1).values
        assert np.all(np.abs(observed / (sd * math.sqrt(k)) - 1) < Z / math.sqrt(2 * (n - 1))), (period, observed)
    assert np.all(shocked["year_shock"].sel(scale="virtual_courses").values == 0.0)
    # where the risk comes from: the stays' margin is the shock's (central: no parameter part); the
    # chance of the events leaves a relative sd of a few 0.1 %, against 5 % a year of shock
    share = shocked["risk_margin_shock_share"].sel(criterion="stays_per_citizen")
    assert float(share.min()) > 1 - Z * float(shocked["risk_shock_share_se"].max())
    assert float(abs(shocked["risk_margin_parameter_share"]).max()) == 0.0
    assert float(abs(still["risk_margin_shock_share"]).max()) == 0.0
    assert float(abs(still["risk_repayment_shock_share"]).max()) == 0.0
    rows = risk_sources_table(shocked)
    assert {"parameter_share", "shock_share", "chance_share"} <= set(rows[0])
    for row in rows:
        if row["chance_share"] != "":
            assert row["parameter_share"] + row["shock_share"] + row["chance_share"] == pytest.approx(1, abs=1e-3)
    text = "\n".join(risk_sources_text(shocked))
    assert "year shocks" in text and "% chance" in text


def test_scale_zero_gives_the_numbers_without_shocks_exactly(tmp_path):
    none = _file(tmp_path / "none.csv", [f"{m},,0,0,prior\n" for m in MEASURES])
    packaged = DATA_DIR / "year_shocks.csv"
    zero = _run(tmp_path, packaged, 2, health={"year_shocks": {"scale": 0.0}})
    without = _run(tmp_path, none, 2)
    for name in ("criteria", "hospital_totals", "repayment_dkk", "payout_dkk"):
        np.testing.assert_array_equal(zero[name].values, without[name].values)
    assert not np.array_equal(_run(tmp_path, packaged, 2)["criteria"].values, zero["criteria"].values)


def test_the_shocks_are_common_random_numbers_across_scenarios(tmp_path):
    packaged = DATA_DIR / "year_shocks.csv"
    a = _run(tmp_path, packaged, 3)
    b = _run(tmp_path, packaged, 3, demography={"migration": {"scale": 0.5}}, health={"trends": {"acute_admissions": 0.03}})
    np.testing.assert_array_equal(a["year_shock"].values, b["year_shock"].values)
    assert float(abs(a["year_shock"]).max()) > 0
    assert a["year_shock"].dims == ("draw", "period", "scale", "region")
    assert a["scale"].values.tolist() == list(SCALE_NAMES)


def test_a_regions_own_shock_file_is_read(tmp_path):
    own = _file(tmp_path / "own.csv", [f"{m},,0.05,0.3,prior\n" for m in MEASURES] + ["readmission_share,1083,0.25,0.1,local_level\n"])
    ds = _run(tmp_path, own, 2)
    plan = load_inputs(make_scenario(data={"year_shocks": str(own)})).year_shocks
    assert plan.sd[READMISSION].tolist() == [0.05, 0.05, 0.25, 0.05, 0.05]
    assert plan.path == own
    walk = np.stack([cumulative_shocks(plan, 99, d, 2019, range(2019, 2024)) for d in range(2)])
    np.testing.assert_array_equal(ds["year_shock"].values, walk)
    assert REGION_CODES[2] == 1083


@pytest.mark.parametrize("line, message", [
    ("acute_admissions,,-0.1,0.3,prior\n", r"own\.csv: line 2, column 'sd'"),
    ("acute_admissions,1099,0.1,0.3,prior\n", r"own\.csv: line 2, column 'region_code'.*1081"),
    ("acute_admission,,0.1,0.3,prior\n", r"own\.csv: line 2, column 'series'.*acute_admission.*allowed"),
    ("acute_admissions,,0.1,1.5,prior\n", r"own\.csv: line 2, column 'national_correlation'.*allowed: <= 1"),
])
def test_a_bad_shock_file_is_refused_with_file_line_and_column(tmp_path, capsys, line, message):
    bad = _file(tmp_path / "own.csv", [line] + [f"{m},,0.05,0.3,prior\n" for m in MEASURES[1:]])
    scenario = tmp_path / "s.yaml"
    scenario.write_text(f"name: s\ndraws: 1\nend_year: 2021\ndata:\n  year_shocks: {bad}\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["run", str(scenario), "--out", str(out), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "data.year_shocks" in err
    assert re.search(message, err), err
    assert not out.exists() or not any(out.rglob("*.nc"))
    assert main(["validate", str(scenario)]) == 2


def test_a_shock_file_missing_a_measure_is_refused(tmp_path, capsys):
    bad = _file(tmp_path / "own.csv", [f"{m},,0.05,0.3,prior\n" for m in MEASURES[:-1]])
    scenario = tmp_path / "s.yaml"
    scenario.write_text(f"name: s\ndata:\n  year_shocks: {bad}\n", encoding="utf-8")
    assert main(["validate", str(scenario)]) == 2
    err = capsys.readouterr().err
    assert "s.yaml:3: data.year_shocks" in err and "no year-shock size for readmission_probability" in err


def test_the_manifest_records_the_shock_scale_and_file(tmp_path):
    own = _file(tmp_path / "own.csv", [f"{m},,0.05,0.3,prior\n" for m in MEASURES])
    scenario = tmp_path / "s.yaml"
    scenario.write_text(f"name: s\ndraws: 1\nend_year: 2021\npopulation: {{sample_fraction: 0.002}}\n"
                        f"health: {{year_shocks: {{scale: 0.5}}}}\ndata:\n  year_shocks: {own}\n", encoding="utf-8")
    assert main(["run", str(scenario), "--out", str(tmp_path / "out"), "--quiet"]) == 0
    (run,) = (tmp_path / "out" / "s").iterdir()
    manifest = json.loads((run / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["year_shocks"]["scale"] == 0.5
    assert manifest["year_shocks"]["file"] == str(own)
    assert manifest["data_files"]["year_shocks"]["path"] == str(own)
    assert manifest["scenario"]["health"]["year_shocks"]["scale"] == 0.5


def test_the_file_fit_shocks_writes_for_a_region_is_what_its_runs_use(tmp_path):
    rng = np.random.default_rng(1)
    level = np.log(0.09) + np.cumsum(0.04 * rng.standard_normal(14))
    series = tmp_path / "series.csv"
    series.write_text("region_code,series,year,value\n" + "".join(
        f"1083,readmission_share,{2010 + i},{np.exp(v):.5f}\n" for i, v in enumerate(level)), encoding="utf-8")
    own = tmp_path / "shocks.csv"
    assert main(["fit-shocks", str(series), "--out", str(own)]) == 0
    fitted = next(r for r in read_shocks(own) if r.series == "readmission_share")
    plan = load_inputs(make_scenario(data={"year_shocks": str(own)})).year_shocks
    packaged = load_shock_plan()
    assert plan.sd[READMISSION, 2] == fitted.sd != packaged.sd[READMISSION, 2]
    np.testing.assert_array_equal(np.delete(plan.sd, 2, axis=1), np.delete(packaged.sd, 2, axis=1))

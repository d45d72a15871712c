"""Scenario comparison: zero-effect changes give exactly zero differences, common random numbers
make paired differences far less noisy than unpaired ones, and the command writes its folder."""

import json

import numpy as np
import xarray as xr

from naerhed.analysis.comparison_report import compare_scenarios
from naerhed.cli import main
from naerhed.runner import run_scenario

from ..conftest import make_scenario

SMALL = {"population": {"sample_fraction": 0.005}, "end_year": 2023, "draws": 6, "seed": 11}


def test_zero_effect_change_gives_exactly_zero_differences(tmp_path):
    """Writing the packaged prior of a trend out explicitly changes nothing: every difference is 0."""
    a = make_scenario(**SMALL)
    b = make_scenario(**{**SMALL, "name": "explicit",
                         "health": {"trends": {"acute_admissions": {"distribution": "normal", "mean": -0.01, "sd": 0.01}}}})
    folder, datasets, year, rows = compare_scenarios([a, b], tmp_path, progress=False)
    diff = datasets["explicit"]["criteria"] - datasets["test"]["criteria"]
    assert float(np.abs(diff).max()) == 0.0
    assert all(r["difference"] == 0.0 for r in rows)
    assert (folder / "criteria_differences.csv").is_file() and (folder / "risk_differences.csv").is_file()
    assert (folder / "figures" / "repayment.png").is_file()


def test_paired_differences_are_much_less_noisy_than_unpaired(tmp_path):
    """A scenario with a faster decline of acute admissions, compared with the baseline on the same
    seed (paired) and on another seed (unpaired): the spread over draws of the difference in stays
    per citizen is at least 5 times smaller when paired."""
    settings = {**SMALL, "draws": 8}
    faster = {"health": {"trends": {"acute_admissions": {"distribution": "normal", "mean": -0.04, "sd": 0.01}}}}
    base = xr.load_dataset(run_scenario(make_scenario(**settings), tmp_path, progress=False) / "results.nc")
    paired = xr.load_dataset(run_scenario(make_scenario(**settings, **faster), tmp_path, progress=False) / "results.nc")
    unpaired = xr.load_dataset(run_scenario(make_scenario(**{**settings, "seed": 12}, **faster), tmp_path,
                                            progress=False) / "results.nc")
    pick = lambda ds: ds["criteria_national"].sel(criterion="stays_per_citizen", period=2022).values  # noqa: E731
    paired_sd = np.std(pick(paired) - pick(base), ddof=1)
    unpaired_sd = np.std(pick(unpaired) - pick(base), ddof=1)
    assert paired_sd < unpaired_sd / 5, (paired_sd, unpaired_sd)
    assert float(np.mean(pick(paired) - pick(base))) < 0  # fewer acute admissions: fewer stays


def test_compare_command_reuses_runs_and_reports(tmp_path, capsys):
    scenario = tmp_path / "a.yaml"
    scenario.write_text("name: a\npopulation: {sample_fraction: 0.005}\nend_year: 2022\ndraws: 3\n", encoding="utf-8")
    other = tmp_path / "b.yaml"
    other.write_text("extends: a.yaml\nname: b\nhealth:\n  trends: {virtual_courses: 0.2}\n", encoding="utf-8")
    out = tmp_path / "out"
    assert main(["compare", str(scenario), str(other), "--out", str(out), "--quiet"]) == 0
    printed = capsys.readouterr().out
    assert "b minus a" in printed and "expected_repayment_dkk" in printed
    assert main(["compare", str(scenario), str(other), "--out", str(out), "--quiet"]) == 0
    folders = sorted((out / "compare").iterdir())
    manifest = json.loads((folders[-1] / "manifest.json").read_text())
    assert manifest["scenarios"]["a"]["reused"] and manifest["scenarios"]["b"]["reused"]
    assert len(list((out / "a").iterdir())) == 1  # the second compare ran nothing new


def test_compare_refuses_unpaired_settings(tmp_path, capsys):
    a = tmp_path / "a.yaml"
    a.write_text("name: a\npopulation: {sample_fraction: 0.005}\nend_year: 2022\n", encoding="utf-8")
    b = tmp_path / "b.yaml"
    b.write_text("name: b\npopulation: {sample_fraction: 0.01}\nend_year: 2022\n", encoding="utf-8")
    assert main(["compare", str(a), str(b), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "population.sample_fraction differs (0.005 vs 0.01)" in err
    assert not (tmp_path / "out" / "compare").exists()


def test_comparison_csvs_are_the_paired_differences_of_the_datasets(tmp_path):
    """criteria_differences.csv and risk_differences.csv, read back, equal the means over draws of
    the paired differences computed here from the two Datasets (and each scenario's own mean)."""
    import csv

    a = make_scenario(**SMALL)
    b = make_scenario(**{**SMALL, "name": "faster",
                         "health": {"trends": {"acute_admissions": {"distribution": "normal", "mean": -0.04, "sd": 0.01}}}})
    folder, datasets, _, _ = compare_scenarios([a, b], tmp_path, progress=False)
    ref, other = datasets["test"], datasets["faster"]
    read = lambda name: list(csv.DictReader(open(folder / name, newline="", encoding="utf-8")))  # noqa: E731
    criteria_rows = read("criteria_differences.csv")
    assert criteria_rows
    for row in criteria_rows:
        region = None if row["region_code"] == "" else int(row["region_code"])
        pick = lambda ds: (ds["criteria_national"] if region is None else ds["criteria"].sel(region=region)).sel(  # noqa: E731
            period=int(row["year"]), criterion=row["criterion"])
        assert row["comparison"] == "faster - test"
        assert float(row["reference_value"]) == float(pick(ref).mean("draw"))
        assert float(row["scenario_value"]) == float(pick(other).mean("draw"))
        np.testing.assert_allclose(float(row["difference_mean"]), float((pick(other) - pick(ref)).mean("draw")),
                                   rtol=1e-12, atol=1e-15)
        assert float(row["difference_ci95_low"]) <= float(row["difference_mean"]) <= float(row["difference_ci95_high"])
    risk_rows = read("risk_differences.csv")
    metrics = {r["metric"] for r in risk_rows}
    assert {"expected_repayment_dkk", "expected_payout_dkk", "p_full_payout"} <= metrics
    for row in risk_rows:
        year, region = int(row["year"]), None if row["region_code"] == "" else int(row["region_code"])

        def per_draw(ds, metric):
            r = ds.sel(assessed_year=year)
            if metric == "p_full_payout":
                full = r["share_kept"] >= 1 - 1e-9
                return (full.all("region") if region is None else full.sel(region=region)).astype(float)
            var = {"expected_repayment_dkk": "repayment_dkk", "expected_payout_dkk": "payout_dkk",
                   "criteria_met_mean": "criteria_met"}[metric]
            return r[var].sum("region") if region is None else r[var].sel(region=region)

        if row["metric"] not in ("expected_repayment_dkk", "expected_payout_dkk", "p_full_payout", "criteria_met_mean"):
            continue  # VaR and ES: statistics of each scenario's draws (risk.py), bootstrap interval
        a_draws, b_draws = per_draw(ref, row["metric"]), per_draw(other, row["metric"])
        np.testing.assert_allclose([float(row["reference_value"]), float(row["scenario_value"]), float(row["difference"])],
                                   [float(a_draws.mean()), float(b_draws.mean()), float((b_draws - a_draws).mean())],
                                   rtol=1e-12, atol=1e-9)

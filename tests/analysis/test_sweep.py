"""Sensitivity sweeps: on a small scenario where the true ranking is known (the trend of virtual
courses drives the virtual share, the readmission trend drives the readmission share, migration
drives neither much), OAT, Morris and Sobol rank the parameters right; bad specifications get
clear errors."""

import csv
from pathlib import Path

import pytest

from naerhed.analysis.sweep import design, parse_parameters, run_sweep
from naerhed.executors import ProcessExecutor
from naerhed.cli import main
from naerhed.errors import NaerhedError

PARAMS = ("health.trends.virtual_courses=0.0:0.3,health.trends.readmission_probability=-0.1:0.1,"
          "demography.migration.scale=0.5:1.5")


@pytest.fixture(scope="module")
def toy(tmp_path_factory):
    path = tmp_path_factory.mktemp("sweep") / "toy.yaml"
    path.write_text("name: toy\npopulation: {sample_fraction: 0.003}\nend_year: 2022\ndraws: 1\n"
                    "uncertainty: central\n", encoding="utf-8")
    return str(path)


def ranking(folder, output, column):
    rows = [r for r in csv.DictReader(open(folder / "indices.csv", encoding="utf-8")) if r["output"] == output]
    return [r["parameter"] for r in sorted(rows, key=lambda r: -abs(float(r[column])))]


@pytest.mark.parametrize("method,n,column", [("oat", 1, "swing"), ("morris", 4, "mu_star"), ("sobol", 8, "ST")])
def test_sweeps_rank_the_parameters_right(toy, tmp_path, method, n, column):
    executor = ProcessExecutor(2) if method == "sobol" else None
    folder = run_sweep(toy, method, parse_parameters(PARAMS), n, [], tmp_path, executor=executor)
    assert ranking(folder, "virtual_share", column)[0] == "health.trends.virtual_courses"
    assert ranking(folder, "readmission_share", column)[0] == "health.trends.readmission_probability"
    assert (folder / "runs.csv").is_file() and (folder / "figures" / "sensitivity.png").is_file()
    runs = list(csv.DictReader(open(folder / "runs.csv", encoding="utf-8")))
    assert {"health.trends.virtual_courses", "virtual_share", "expected_repayment_dkk"} <= set(runs[0])


def test_sobol_needs_n_times_d_plus_2_points():
    points = design("sobol", parse_parameters(PARAMS), 8, seed=1)
    assert points.shape == (8 * (3 + 2), 3)


def test_bad_specifications_are_rejected(toy, tmp_path, capsys):
    with pytest.raises(NaerhedError, match="empty range"):
        parse_parameters("demography.migration.scale=1.5:0.5")
    with pytest.raises(NaerhedError, match="write key.path=low:high"):
        parse_parameters("demography.migration.scale")
    with pytest.raises(NaerhedError, match="too small for morris"):
        design("morris", parse_parameters(PARAMS), 1, seed=1)
    with pytest.raises(NaerhedError, match="power of 2"):
        design("sobol", parse_parameters(PARAMS), 12, seed=1)
    assert main(["sweep", toy, "--params", "demography.migration.scael=0.5:1.5", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "demography.migration.scael" in err and "did you mean 'scale'" in err
    assert main(["sweep", toy, "--params", "demography.migration.scale=0.5:9", "--out", str(tmp_path)]) == 2
    assert "between 0 and 5" in capsys.readouterr().err
    assert not (tmp_path / "sweep").exists()


def test_parameters_from_a_yaml_file_and_a_long_inline_list(tmp_path):
    spec = tmp_path / "params.yaml"
    spec.write_text("parameters:\n  - {key: demography.migration.scale, low: 0.5, high: 1.5}\n", encoding="utf-8")
    assert [p.key for p in parse_parameters(str(spec))] == ["demography.migration.scale"]
    long = ",".join(f"health.trends.acute_admissions{'x' * i}=-0.03:0.01" for i in range(12))
    assert len(parse_parameters(long)) == 12  # a long list is not mistaken for a file name
    with pytest.raises(NaerhedError, match="cannot read"):
        parse_parameters(str(tmp_path / "missing.yaml"))


def test_sweep_points_are_identical_on_a_dask_cluster(toy, tmp_path):
    """Sweep points go through the same executors as draws: a dask LocalCluster gives the serial numbers."""
    from naerhed.executors import DaskExecutor

    serial = run_sweep(toy, "oat", parse_parameters(PARAMS), 1, [], tmp_path / "serial")
    executor = DaskExecutor(workers=2)
    try:
        on_dask = run_sweep(toy, "oat", parse_parameters(PARAMS), 1, [], tmp_path / "dask", executor=executor)
    finally:
        executor.close()
    assert (serial / "runs.csv").read_text() == (on_dask / "runs.csv").read_text()


def test_a_grid_gives_the_payout_risk_per_region_against_the_shock_scale(toy, tmp_path):
    """The packaged sweep file: n evenly spaced values, the money per region of the years asked for;
    scale 0 gives the numbers of the scenario run with the shocks off."""
    sweep_file = str(Path(__file__).resolve().parents[2] / "scenarios" / "sweeps" / "shock_scale.yaml")
    points = design("grid", parse_parameters(sweep_file), 5, seed=1)
    assert points[:, 0].tolist() == [0.0, 0.5, 1.0, 1.5, 2.0]
    folder = run_sweep(toy, "grid", parse_parameters(sweep_file), 3, ["draws=4"], tmp_path,
                       region_years=lambda assessed: assessed[-2:])
    rows = list(csv.DictReader(open(folder / "runs_by_region.csv", encoding="utf-8")))
    assert {r["year"] for r in rows} == {"2020", "2021"}
    assert len(rows) == 3 * 2 * 6  # points x years x (five regions and all regions)
    assert {"health.year_shocks.scale", "p_full_payout", "p_full_payout_se", "expected_repayment_mio_dkk",
            "expected_repayment_mio_dkk_se"} <= set(rows[0])
    assert (folder / "figures" / "by_region.png").is_file()
    indices = list(csv.DictReader(open(folder / "indices.csv", encoding="utf-8")))
    assert [float(r["value"]) for r in indices if r["output"] == "stays_per_citizen"] == [0.0, 1.0, 2.0]
    # scale 0: the numbers of the scenario run with the shocks off
    from naerhed.inputs import load_inputs
    from naerhed.pipeline import run_dataset
    from naerhed.run_spec import RunSpec
    from naerhed.scenario import load_scenario

    scenario = load_scenario(toy, ["draws=4", "health.year_shocks.scale=0.0"])
    ds = run_dataset(RunSpec.from_scenario(scenario, load_inputs(scenario)))
    at_zero = [r for r in rows if r["health.year_shocks.scale"] == "0.0" and r["year"] == "2021" and r["region_code"]]
    for row in at_zero:
        expected = float(ds["risk_expected_repayment_dkk"].sel(assessed_year=2021, region=int(row["region_code"]))) / 1e6
        assert float(row["expected_repayment_mio_dkk"]) == pytest.approx(expected, rel=1e-12)

"""`run_scenario` writes a complete run folder, atomically."""

import json

import numpy as np
import pytest
import xarray as xr

from naerhed import runner
from naerhed.report import OUTPUTS
from naerhed.runner import run_scenario

from .conftest import make_scenario


@pytest.fixture(scope="module")
def run_folder(tmp_path_factory):
    scenario = make_scenario(population={"sample_fraction": 0.002}, end_year=2023, draws=2, seed=42)
    return run_scenario(scenario, out_root=tmp_path_factory.mktemp("out"), progress=False)


def test_run_folder_is_complete(run_folder):
    assert run_folder.parent.name == "test"
    for name in ("results.nc", "summary.csv", "criteria.csv", "criteria_by_municipality.csv", "criteria_by_age_group.csv",
                 "manifest.json", "figures/population_pyramid.png",
                 "figures/persons_80plus_by_region.png", "figures/population_components.png",
                 "figures/criteria_by_region.png"):
        assert (run_folder / name).is_file(), name
    leftovers = [p.name for p in run_folder.parent.iterdir() if p.name.startswith(".tmp")]
    assert leftovers == []


def test_the_run_folder_holds_every_output_of_the_list(run_folder):
    """report.OUTPUTS is the one list of a run folder's files (without interventions: no contributions)."""
    for name, _ in OUTPUTS:
        if "interventions" not in name:
            assert list(run_folder.glob(name.replace("{criterion}", "*"))), name
    assert not (run_folder / "interventions.csv").exists()


def test_results_have_labelled_dimensions(run_folder):
    with xr.open_dataset(run_folder / "results.nc", engine="h5netcdf") as ds:
        assert ds["population"].dims == ("draw", "year", "region", "sex", "age")
        assert ds["year"].values.tolist() == [2019, 2020, 2021, 2022, 2023]
        assert ds["region"].values.tolist() == [1081, 1082, 1083, 1084, 1085]
        assert ds.sizes["draw"] == 2
        assert ds["population"].attrs["units"] == "persons"
        total_2019 = float(ds["population"].sel(year=2019).sum(("region", "sex", "age")).mean())
        assert abs(total_2019 / 5_806_081 - 1) < 0.01
        assert ds["criteria"].dims == ("draw", "period", "region", "criterion")
        assert list(ds["criterion"].values) == ["stays_per_citizen", "activity_per_chronic_dkk", "readmission_share",
                                                "virtual_share", "digital_solutions", "elderly_acute_admissions"]
        assert ds["criteria_by_municipality"].dims == ("draw", "period", "municipality", "criterion")
        assert ds["criteria_by_age_group"].dims == ("draw", "period", "region", "age_group", "criterion")
        assert ds.sizes["municipality"] == 99
        # the regional criteria are the totals of their municipalities, plus the adjustment by the samples
        # (the samples' mean expectation and the composition's chance: naerhed.results.sample_adjustment)
        totals = ds["hospital_totals"].sum("age_group")
        nord = totals.where(ds["municipality_region"] == 1081, drop=True).sum("municipality")
        stays = nord.sel(quantity=["acute_admissions", "planned_admissions", "outpatient_stays"]).sum("quantity")
        adjustment = ds["criteria_sample_adjustment"].sel(region=1081, criterion="stays_per_citizen")
        assert float(np.abs(adjustment).max()) > 0 and ds.attrs["samples"] == 9
        np.testing.assert_allclose(stays / nord.sel(quantity="citizens") + adjustment,
                                   ds["criteria"].sel(region=1081, criterion="stays_per_citizen"), rtol=1e-5)


def test_manifest_records_what_reproduces_the_run(run_folder):
    manifest = json.loads((run_folder / "manifest.json").read_text())
    assert manifest["seed"] == 42 and manifest["draws"] == 2
    assert manifest["scenario"]["population"]["sample_fraction"] == 0.002
    assert {"numpy", "xarray", "python", "naerhed"} <= set(manifest["versions"])
    assert "commit" in manifest["git"]
    hashes = manifest["data_files"]
    assert len(hashes["population"]["sha256"]) == 64


def test_criteria_csv_has_one_row_per_year_region_and_criterion(run_folder):
    lines = (run_folder / "criteria.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0].split(",")[:6] == ["year", "region_code", "region", "criterion", "unit", "value_mean"]
    assert len(lines) == 1 + 4 * 6 * 6  # 4 calendar years x (5 regions + Danmark) x 6 criteria


def test_summary_csv_has_units_and_all_regions(run_folder):
    lines = (run_folder / "summary.csv").read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    assert "population_persons_mean" in header and "persons_80plus_p95" in header
    assert len(lines) == 1 + 5 * 6  # 5 years × (5 regions + Danmark)


def test_same_seed_same_numbers(run_folder, tmp_path):
    scenario = make_scenario(population={"sample_fraction": 0.002}, end_year=2023, draws=2, seed=42)
    again = run_scenario(scenario, out_root=tmp_path, progress=False)
    with xr.open_dataset(run_folder / "results.nc") as a, xr.open_dataset(again / "results.nc") as b:
        np.testing.assert_array_equal(a["population"].values, b["population"].values)


def test_failed_run_leaves_nothing(tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(runner, "write_outputs", broken)
    scenario = make_scenario(population={"sample_fraction": 0.001}, end_year=2020)
    with pytest.raises(RuntimeError):
        run_scenario(scenario, out_root=tmp_path, progress=False)
    assert list((tmp_path / "test").iterdir()) == []

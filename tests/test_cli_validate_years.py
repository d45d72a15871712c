"""`naerhed validate` checks that the data cover the years the scenario asks for (issue 12): what
`run` would fail on, validate reports first, every problem at once with file, line and key path;
`validate --calibration FILE` checks the user's calibration file with the scenario."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from naerhed.cli import main

REPO = Path(__file__).resolve().parents[1]
TARGETS = {"stays_per_citizen": 1.8, "activity_per_chronic_dkk": 40000, "readmission_share": 0.12, "virtual_share": 0.2}


def _calibration(tmp_path, year, regions=(1081, 1082, 1083, 1084, 1085)):
    lines = ["region_code,criterion,year,value"]
    lines += [f"{code},{name},{year},{value}" for code in regions for name, value in TARGETS.items()]
    path = tmp_path / f"calibration_{year}.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture
def in_repo(monkeypatch):
    monkeypatch.chdir(REPO)


def test_base_year_without_data_is_not_ok(in_repo, capsys):
    assert main(["validate", "scenarios/history_2019.yaml", "--set", "population.base_year=2027"]) == 2
    out = capsys.readouterr()
    assert "OK" not in out.out
    err = out.err
    assert "2 problems in scenarios/history_2019.yaml" in err
    assert "--set population.base_year: 2027 is not in the population data" in err and "years available: 2018-2026" in err
    assert "data.calibration:" in err and "the calibration targets are for 2019, before population.base_year" in err


def test_every_problem_at_once_with_file_and_line(in_repo, tmp_path, capsys):
    packaged = (REPO / "model/naerhed/data/projection_frdk118.csv").read_text().splitlines()
    projection = tmp_path / "projection.csv"  # the packaged projection up to 2024 only
    projection.write_text("\n".join(line for line in packaged if line.split(",")[0] in ("year",) + tuple(
        str(y) for y in range(2018, 2025))) + "\n")
    scenario = tmp_path / "s.yaml"
    scenario.write_text("name: s\npopulation:\n  base_year: 2027\nend_year: 2030\n"
                        f"demography:\n  alignment:\n    target: projection\ndata:\n  projection: {projection}\n")
    assert main(["validate", str(scenario)]) == 2
    err = capsys.readouterr().err
    assert f"3 problems in {scenario}" in err
    assert f"{scenario}:3: population.base_year: 2027 is not in the population data" in err
    assert (f"{scenario}:4: end_year: alignment to the projection (demography.alignment.target) needs it for "
            "2028-2030, but the projection table covers 2018-2024") in err
    assert f"{scenario}:8: data.calibration:" in err  # a packaged file: the line of the data section


def test_validate_checks_the_calibration_file(in_repo, tmp_path, capsys):
    late = _calibration(tmp_path, 2030)
    assert main(["validate", "scenarios/history_2019.yaml", "--calibration", str(late)]) == 2
    err = capsys.readouterr().err
    assert f"{late}: the calibration targets are for 2030, after the last simulated year" in err
    assert "allowed: a year from 2019 to 2029" in err


def test_validate_accepts_a_partial_calibration_file_and_says_so(in_repo, tmp_path, capsys):
    own = _calibration(tmp_path, 2022, regions=(1083,))
    assert main(["validate", "scenarios/history_2019.yaml", "--calibration", str(own)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK: scenarios/history_2019.yaml")
    assert (f"calibration: {own} (2022) gives Syddanmark; Nordjylland, Midtjylland, Hovedstaden, Sjælland from "
            "the packaged calibration_targets.csv") in out


def test_a_broken_calibration_file_is_a_problem_at_its_key(in_repo, tmp_path, capsys):
    broken = tmp_path / "broken.csv"
    broken.write_text("region_code,criterion,year,value\n1083,stays_per_citizen,2019,-1\n")
    assert main(["validate", "scenarios/baseline.yaml", "--calibration", str(broken)]) == 2
    err = capsys.readouterr().err
    assert "data.calibration" in err and "broken.csv: line 2, column 'value'" in err


@pytest.mark.parametrize("year", [2021, 2022, 2023, 2024, 2025, 2026])
def test_packaged_population_covers_base_years_to_2025_only_the_calibration_year_blocks(in_repo, capsys, year):
    """The population of 1 January 2021-2026 is packaged; with the 2019 calibration targets (the
    history scenario names the packaged file) the one problem left is the calibration year (the targets must be for a simulated year)."""
    assert main(["validate", "scenarios/history_2019.yaml", "--set", f"population.base_year={year}"]) == 2
    err = capsys.readouterr().err
    assert "1 problem in scenarios/history_2019.yaml" in err and "is not in the population data" not in err
    assert "data.calibration:" in err and "the calibration targets are for 2019, before population.base_year" in err


def test_base_year_2026_validates_and_runs_with_calibration_targets_for_a_simulated_year(in_repo, capsys, tmp_path):
    own = _calibration(tmp_path, 2026)
    assert main(["validate", "scenarios/baseline.yaml", "--set", "population.base_year=2026", "--calibration",
                 str(own)]) == 0
    assert capsys.readouterr().out.startswith("OK: scenarios/baseline.yaml")
    assert main(["run", "scenarios/baseline.yaml", "--set", "population.base_year=2026", "--set", "end_year=2029",
                 "--draws", "2", "--set", "population.sample_fraction=0.002", "--quiet", "--calibration", str(own),
                 "--out", str(tmp_path / "runs")]) == 0
    assert any((tmp_path / "runs").iterdir())


def test_validate_agrees_with_run(in_repo, capsys, tmp_path):
    """What validate refuses, run refuses with the same problems, before running anything."""
    assert main(["run", "scenarios/baseline.yaml", "--set", "population.base_year=2027", "--out", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "population.base_year: 2027 is not in the population data" in err
    assert not any(tmp_path.iterdir())


def test_run_manifest_names_the_calibration(tmp_path):
    """A partial file's completion is recorded in the manifest of the run."""
    from naerhed.health.model import calibration_note
    from naerhed.inputs import load_inputs

    from .conftest import make_scenario

    inputs = load_inputs(make_scenario(data={"calibration": str(_calibration(tmp_path, 2020, regions=(1081,)))}))
    note = calibration_note(inputs.health)
    assert note["year"] == 2020 and note["regions_from_packaged_file"] == ["Midtjylland", "Syddanmark", "Hovedstaden",
                                                                            "Sjælland"]
    assert note["packaged_file"].endswith("calibration_targets.csv") and "gives Nordjylland" in note["message"]
    json.dumps(note)

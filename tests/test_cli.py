"""Command line: naerhed validate | schema | run (with a stub runner)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from naerhed.cli import main
from naerhed.errors import DataError

from .conftest import stand_in_runner

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "scenarios"


@pytest.fixture
def in_repo(monkeypatch):
    monkeypatch.chdir(REPO)


@pytest.fixture
def fake_runner(monkeypatch, tmp_path):
    """A stand-in for naerhed.runner that records its calls."""
    return stand_in_runner(monkeypatch, tmp_path)


# --------------------------------------------------------------------------------------------
# validate
# --------------------------------------------------------------------------------------------


def test_validate_baseline(in_repo, capsys):
    assert main(["validate", "scenarios/baseline.yaml"]) == 0
    out, err = capsys.readouterr()
    assert out.splitlines()[0] == "OK: scenarios/baseline.yaml (baseline)"
    assert "population.sample_fraction" in out
    assert "0.05" in out
    assert err == ""


def test_validate_shows_overrides(in_repo, capsys):
    assert main(["validate", "scenarios/aligned.yaml", "--set", "demography.migration.scale=0.5"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == "OK: scenarios/aligned.yaml (aligned)"
    assert "projection" in out
    assert "demography.migration.scale=0.5" in out


@pytest.mark.parametrize(
    "fixture, expected",
    [
        ("misspelt_key.yaml",
         ":7: demography.mortality.improvment: unknown key; did you mean 'improvement'? "
         "Allowed keys: base_period, improvement, trend_period"),
        ("wrong_type.yaml",
         ":5: population.sample_fraction: must be a number between 0 (exclusive) and 1; got 'half'"),
        ("bad_literal.yaml",
         ":5: demography.alignment.target: must be one of: none, projection; got 'projections'"),
        ("bad_syntax.yaml", ":5: invalid YAML: mapping values are not allowed here"),
        ("top_level_list.yaml", ":2: the top level must be a mapping of keys"),
    ],
)
def test_validate_broken_file(capsys, fixture, expected):
    path = FIXTURES / fixture
    assert main(["validate", str(path)]) == 2
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert lines[0] == f"error: 1 problem in {path}:"
    assert lines[1].startswith(f"  {path}{expected}")
    assert "Traceback" not in err


def test_validate_reports_all_problems(capsys):
    path = FIXTURES / "three_problems.yaml"
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    lines = err.splitlines()
    assert lines[0] == f"error: 3 problems in {path}:"
    assert [line.split(": ")[1] for line in lines[1:]] == [
        "draws",
        "demography.migration.scael",
        "demography.alignment.target",
    ]


def test_validate_parent_problem(capsys):
    assert main(["validate", str(FIXTURES / "child_of_bad_parent.yaml")]) == 2
    err = capsys.readouterr().err
    assert f"{FIXTURES / 'bad_parent.yaml'}:6: demography.migration.scale" in err


def test_validate_bad_override(in_repo, capsys):
    assert main(["validate", "scenarios/baseline.yaml", "--set", "demography.migration.scale=9"]) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [
        "error: 1 problem in scenarios/baseline.yaml:",
        "  --set demography.migration.scale: must be a number between 0 and 5; got 9",
    ]


def test_validate_missing_file(capsys):
    assert main(["validate", "no/such/file.yaml"]) == 2
    assert "no/such/file.yaml: scenario file not found" in capsys.readouterr().err


def test_validate_in_a_subprocess_has_no_traceback():
    env = dict(os.environ, PYTHONPATH=str(REPO / "model"))
    result = subprocess.run(
        [sys.executable, "-m", "naerhed", "validate", str(FIXTURES / "cycle_a.yaml")],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "extend each other in a cycle" in result.stderr


def test_python_m_naerhed_validates_baseline():
    env = dict(os.environ, PYTHONPATH=str(REPO / "model"))
    result = subprocess.run(
        [sys.executable, "-m", "naerhed", "validate", "scenarios/baseline.yaml"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("OK: scenarios/baseline.yaml (baseline)")


# --------------------------------------------------------------------------------------------
# schema
# --------------------------------------------------------------------------------------------


def test_schema_prints_json(capsys):
    assert main(["schema"]) == 0
    out = capsys.readouterr().out
    schema = json.loads(out)
    assert schema["title"] == "naerhed scenario"
    sample = schema["$defs"]["PopulationSettings"]["properties"]["sample_fraction"]
    assert sample["description"].startswith("Share of the persons simulated")
    assert "Monte Carlo draws" in schema["properties"]["draws"]["description"]
    assert '\n  "' in out  # indented by 2


def test_schema_to_file(tmp_path, capsys):
    target = tmp_path / "sub" / "scenario.schema.json"
    assert main(["schema", "--out", str(target)]) == 0
    assert json.loads(target.read_text(encoding="utf-8"))["additionalProperties"] is False
    assert str(target) in capsys.readouterr().out


# --------------------------------------------------------------------------------------------
# run (with a stub runner)
# --------------------------------------------------------------------------------------------


def test_run_calls_the_runner(in_repo, fake_runner, capsys, tmp_path):
    assert main(["run", "scenarios/baseline.yaml"]) == 0
    (call,) = fake_runner.calls
    assert call["scenario"].name == "baseline"
    assert call["out_root"] == Path("outputs")
    assert call["progress"] is True
    assert capsys.readouterr().out.strip() == str(tmp_path / "runs" / "baseline")


def test_run_options(in_repo, fake_runner, tmp_path):
    args = [
        "run", "scenarios/baseline.yaml", "--seed", "7", "--draws", "3",
        "--set", "demography.migration.scale=0.5", "--set", "draws=10",
        "--out", str(tmp_path / "out"), "--quiet",
    ]
    assert main(args) == 0
    (call,) = fake_runner.calls
    scenario = call["scenario"]
    assert (scenario.seed, scenario.draws) == (7, 3)  # --draws wins over --set draws=
    assert scenario.demography.migration.scale == 0.5
    assert call["out_root"] == tmp_path / "out"
    assert call["progress"] is False


def test_run_broken_scenario_does_not_call_the_runner(fake_runner, capsys):
    assert main(["run", str(FIXTURES / "out_of_range.yaml"), "--draws", "0"]) == 2
    assert fake_runner.calls == []
    err = capsys.readouterr().err
    assert err.startswith("error: 2 problems in ")
    assert "--set draws: must be a whole number between 1 and 100000; got 0" in err


def test_run_data_error(in_repo, fake_runner, capsys):
    fake_runner.raise_ = DataError("population table: column 'age' is missing")
    assert main(["run", "scenarios/baseline.yaml"]) == 2
    out, err = capsys.readouterr()
    assert err == "error: population table: column 'age' is missing\n"
    assert "Traceback" not in err


def test_run_interrupted(in_repo, fake_runner, capsys):
    fake_runner.raise_ = KeyboardInterrupt()
    assert main(["run", "scenarios/baseline.yaml"]) == 130
    assert "interrupted" in capsys.readouterr().err


# --------------------------------------------------------------------------------------------
# usage errors
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        [],
        ["frobnicate"],
        ["run"],
        ["validate"],
        ["run", "scenarios/baseline.yaml", "--seed", "abc"],
        ["schema", "--bogus"],
    ],
)
def test_usage_errors(argv, capsys):
    assert main(argv) == 2
    assert "usage:" in capsys.readouterr().err


def test_version(capsys):
    assert main(["--version"]) == 0
    assert capsys.readouterr().out.startswith("naerhed ")


def test_rules_command_lists_describes_and_rejects(capsys):
    assert main(["rules"]) == 0
    out = capsys.readouterr().out
    for name in ("nf2019", "nf2020", "nf2021", "nf2022plus"):
        assert name in out
    assert main(["rules", "nf2021"]) == 0
    out = capsys.readouterr().out
    assert "3 met: 100 %" in out and "[published]" in out
    broken = Path(__file__).parent / "fixtures" / "rules" / "shares_not_summing.yaml"
    assert main(["rules", str(broken)]) == 2
    err = capsys.readouterr().err
    assert "shares_not_summing.yaml" in err and "split.shares" in err and "Traceback" not in err


def test_interventions_command_lists_the_catalogue_with_evidence(capsys):
    assert main(["interventions"]) == 0
    out = capsys.readouterr().out
    for kind in ("virtual_follow_up", "need_based_controls", "acute_slots", "gp_transfer", "municipal_acute_team",
                 "frequent_flyer", "same_day_same_roof", "telemedicine_registration", "telemedicine_wound_care"):
        assert f"{kind}:" in out
    assert main(["interventions", "need_based_controls"]) == 0
    assert "AmbuFlex" in capsys.readouterr().out
    assert main(["interventions", "nope"]) == 2

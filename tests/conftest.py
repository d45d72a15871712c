"""Shared fixtures: the packaged default inputs, built once per test session."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest

from naerhed.inputs import load_inputs
from naerhed.scenario import Scenario


def data_raw_script(filename: str, name: str | None = None) -> ModuleType:
    """The module of a script in data-raw/ (the build and calibration scripts), loaded from its file."""
    path = Path(__file__).resolve().parents[1] / "data-raw" / filename
    spec = importlib.util.spec_from_file_location(name or path.stem, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def make_scenario(**settings) -> Scenario:
    """A scenario with the package defaults, overridden by nested dicts, e.g.
    make_scenario(population={"sample_fraction": 0.02})."""
    return Scenario.model_validate({"name": "test", **settings})


@pytest.fixture(scope="session")
def default_scenario() -> Scenario:
    return make_scenario()


@pytest.fixture(scope="session")
def default_inputs(default_scenario):
    return load_inputs(default_scenario)


def stand_in_runner(monkeypatch, tmp_path, summary: str | None = None):
    """Replace naerhed.runner by a stand-in for CLI tests: its run_scenario records each call
    (scenario, out_root, progress, executor) in `.calls`, raises `.raise_` if set, and returns the
    folder tmp_path/runs/<scenario name>, holding `summary` as risk_summary.txt when one is given."""
    import sys
    import types

    calls = []
    module = types.ModuleType("naerhed.runner")

    def run_scenario(scenario, out_root, progress=True, executor=None):
        calls.append({"scenario": scenario, "out_root": out_root, "progress": progress, "executor": executor})
        if module.raise_ is not None:
            raise module.raise_
        folder = tmp_path / "runs" / scenario.name
        if summary is not None:
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "risk_summary.txt").write_text(summary, encoding="utf-8")
        return folder

    module.run_scenario = run_scenario
    module.raise_ = None
    module.calls = calls
    monkeypatch.setitem(sys.modules, "naerhed.runner", module)
    return module

"""Shared fixtures: the packaged default inputs, built once per test session."""

from __future__ import annotations

import pytest

from naerhed.inputs import load_inputs
from naerhed.scenario import Scenario


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

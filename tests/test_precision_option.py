"""`naerhed run --precision P`: sets financing.precision, is checked like the scenario key, and the
run's precision warnings reach stderr (with a stub runner)."""

from __future__ import annotations

from pathlib import Path

import pytest

from naerhed.cli import main
from naerhed.financing.precision import MONEY_PRECISION, TAIL_PRECISION

from .conftest import stand_in_runner

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def stub_runner(monkeypatch, tmp_path):
    """A stand-in for naerhed.runner whose run folder holds a risk summary with one warning."""
    module = stand_in_runner(monkeypatch, tmp_path, summary=(
        "2021 (rule set nf2021; 40 draws):\n  Nordjylland keeps its full share in 28 % ± 7 % of draws.\n\n"
        "Warning: P(full payout) has a Monte Carlo standard error up to 0.079 (Nordjylland, 2021), above the "
        "precision 0.05: about 99 draws would meet it (this run: 40).\n"))
    monkeypatch.chdir(REPO)
    return module


def test_precision_option_sets_the_scenario_key_and_warnings_go_to_stderr(stub_runner, capsys):
    assert main(["run", "scenarios/baseline.yaml", "--precision", "0.02", "--quiet"]) == 0
    (call,) = stub_runner.calls
    scenario = call["scenario"]
    assert scenario.financing.precision == 0.02
    assert (scenario.financing.money_precision, scenario.financing.tail_precision) == (MONEY_PRECISION, TAIL_PRECISION)
    err = capsys.readouterr().err
    assert err.startswith("Warning: P(full payout) has a Monte Carlo standard error up to 0.079")
    assert "about 99 draws would meet it" in err


def test_precision_default(stub_runner):
    assert main(["run", "scenarios/baseline.yaml", "--quiet"]) == 0
    assert stub_runner.calls[0]["scenario"].financing.precision == 0.05


@pytest.mark.parametrize("value", ["0", "0.7", "nan"])
def test_precision_out_of_range_is_a_user_error(stub_runner, capsys, value):
    assert main(["run", "scenarios/baseline.yaml", "--precision", value]) == 2
    assert stub_runner.calls == []
    err = capsys.readouterr().err
    assert err.startswith("error:") and "financing.precision" in err

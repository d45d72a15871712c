"""`naerhed run` headline (issue 12): the years that matter to the user (the current and next
calendar year when assessed, else the last assessed years, or --year), with the settlement and
legal status of each year's rules; --quiet hides the progress bar only."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

import naerhed.cli as cli
from naerhed.cli import main

from .conftest import stand_in_runner

REPO = Path(__file__).resolve().parents[1]


def _block(year: int) -> list[str]:
    legal = ([] if year < 2025 else [f"  {year}: the scheme no longer exists; figures show what the 2022+ rules would give."]
             if year >= 2027 else [f"  {year}: no published rules were found; figures show what the 2022+ rules would give."])
    return [f"{year} (rule set nf2022plus; settlement: formal rule; 40 draws):", *legal,
            f"  Nordjylland keeps its full share in 5{year % 10} % of draws; ...",
            f"  All regions together keep their full shares in 1{year % 10} % of draws; ..."]


@pytest.fixture
def fake_runner(monkeypatch, tmp_path):
    """A runner that writes a risk_summary.txt for the assessed years 2020-2029 and records its calls."""
    lines = [line for year in range(2020, 2030) for line in _block(year)]
    module = stand_in_runner(monkeypatch, tmp_path, summary="\n".join(lines) + "\n")
    monkeypatch.chdir(REPO)
    return module


def _years_shown(out: str) -> list[int]:
    return [int(line.split()[0]) for line in out.splitlines() if line[:1].isdigit() and "rule set" in line]


def test_headline_shows_the_current_and_next_calendar_year(fake_runner, monkeypatch, capsys):
    monkeypatch.setattr(cli, "_today", lambda: date(2026, 12, 3))
    assert main(["run", "scenarios/baseline.yaml"]) == 0
    out = capsys.readouterr().out
    assert _years_shown(out) == [2026, 2027]
    assert "  2026: no published rules were found; figures show what the 2022+ rules would give." in out.splitlines()
    assert "  2027: the scheme no longer exists; figures show what the 2022+ rules would give." in out.splitlines()
    assert "Nordjylland keeps its full share in 56 %" in out and "All regions together keep their full shares in 17 %" in out


def test_headline_falls_back_to_the_last_assessed_years(fake_runner, monkeypatch, capsys):
    monkeypatch.setattr(cli, "_today", lambda: date(2040, 1, 1))
    assert main(["run", "scenarios/baseline.yaml"]) == 0
    assert _years_shown(capsys.readouterr().out) == [2028, 2029]


def test_headline_year_given_by_the_user(fake_runner, monkeypatch, capsys):
    monkeypatch.setattr(cli, "_today", lambda: date(2026, 12, 3))
    assert main(["run", "scenarios/history_2019.yaml", "--year", "2021"]) == 0
    assert _years_shown(capsys.readouterr().out) == [2021]


def test_year_outside_the_assessed_years_is_refused_before_running(fake_runner, capsys):
    assert main(["run", "scenarios/history_2019.yaml", "--year", "2031"]) == 2
    err = capsys.readouterr().err
    assert "--year 2031" in err and "2020-2029" in err
    assert main(["run", "scenarios/baseline.yaml", "--year", "2025"]) == 2  # the base year is not assessed
    err = capsys.readouterr().err
    assert "--year 2025" in err and "2026-2030" in err
    assert fake_runner.calls == []


def test_quiet_hides_only_the_progress_bar(fake_runner, monkeypatch, capsys):
    monkeypatch.setattr(cli, "_today", lambda: date(2026, 12, 3))
    assert main(["run", "scenarios/baseline.yaml", "--quiet"]) == 0
    assert [call["progress"] for call in fake_runner.calls] == [False]
    assert _years_shown(capsys.readouterr().out) == [2026, 2027]

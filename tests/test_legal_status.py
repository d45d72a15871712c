"""The legal status of every assessed year in every answer (issue 13): from the rule sets' data
(nf2022plus: in force to 2024, no published rules 2025-2026, the scheme abolished from 2027), said
word for word in the run's headline, risk_summary.txt, risk.csv and the titles of the figures that
show a year's payout or risk; 2019-2023 keep their 'no settlement took place' wording."""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

import matplotlib.figure
import pytest

import naerhed.cli as cli
from naerhed.cli import main

SCENARIO = """\
name: legal_status
seed: 11
draws: 2
end_year: 2029
population: {base_year: 2019, sample_fraction: 0.002, sample_replicates: 2}
"""

HYPOTHESIS = "no published rules were found; figures show what the 2022+ rules would give"
ABOLISHED = "the scheme no longer exists; figures show what the 2022+ rules would give"


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """(run folder, stdout of `naerhed run` on 3 December 2026, figure titles by file name)."""
    folder = tmp_path_factory.mktemp("legal")
    scenario = folder / "legal_status.yaml"
    scenario.write_text(SCENARIO, encoding="utf-8")
    titles: dict[str, str] = {}
    save = matplotlib.figure.Figure.savefig

    def savefig(fig, path, *args, **kwargs):
        title = fig._suptitle.get_text() if fig._suptitle is not None else ""
        titles[Path(path).name] = title or "\n".join(ax.get_title() for ax in fig.axes)
        return save(fig, path, *args, **kwargs)

    patch = pytest.MonkeyPatch()
    patch.setattr(matplotlib.figure.Figure, "savefig", savefig)
    patch.setattr(cli, "_today", lambda: date(2026, 12, 3))
    import contextlib
    import io

    out = io.StringIO()
    try:
        with contextlib.redirect_stdout(out):
            assert main(["run", str(scenario), "--out", str(folder / "out"), "--quiet"]) == 0
    finally:
        patch.undo()
    (run_dir,) = (folder / "out" / "legal_status").iterdir()
    return run_dir, out.getvalue(), titles


def test_headline_says_the_legal_status_of_2026_and_2027(run):
    _, out, _ = run
    lines = out.splitlines()
    assert "2026 (rule set nf2022plus; settlement: formal rule (assumed: no settlement for 2026; not known); 2 draws):" in lines
    assert f"  2026: {HYPOTHESIS}." in lines
    assert "2027 (rule set nf2022plus; settlement: formal rule; 2 draws):" in lines
    assert f"  2027: {ABOLISHED}." in lines


def test_risk_summary_says_it_for_every_year_not_in_force(run):
    run_dir, _, _ = run
    lines = (run_dir / "risk_summary.txt").read_text(encoding="utf-8").splitlines()
    legal = [line for line in lines if line.startswith("  20")]
    assert legal == [f"  2025: {HYPOTHESIS}.", f"  2026: {HYPOTHESIS}.", f"  2027: {ABOLISHED}.", f"  2028: {ABOLISHED}."]
    # 2019-2023 keep their wording; 2024's settlement is an assumption
    assert "2021 (rule set nf2021; settlement: formal rule (no settlement actually took place for 2021); 2 draws):" in lines
    assert "2023 (rule set nf2022plus; settlement: formal rule (no settlement actually took place for 2023); 2 draws):" in lines
    assert "2024 (rule set nf2022plus; settlement: formal rule (assumed: no settlement for 2024; not known); 2 draws):" in lines


def test_risk_csv_has_the_legal_status_of_each_row(run):
    run_dir, _, _ = run
    with open(run_dir / "risk.csv", newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    by_year = {int(r["year"]): (r["legal_status"], r["legal_note"]) for r in rows}
    assert by_year == {**{y: ("in_force", "") for y in range(2020, 2025)},
                       2025: ("hypothesis", f"2025: {HYPOTHESIS}"), 2026: ("hypothesis", f"2026: {HYPOTHESIS}"),
                       2027: ("abolished", f"2027: {ABOLISHED}"), 2028: ("abolished", f"2028: {ABOLISHED}")}
    assert len({(r["year"], r["legal_note"]) for r in rows}) == len(by_year)  # the same for every region


@pytest.mark.parametrize("name", ["repayment_by_region.png", "p_met_heatmap.png", "risk_sources.png",
                                  "fan_stays_per_citizen.png", "fan_virtual_share.png"])
def test_figures_of_payout_and_risk_say_it_in_their_titles(run, name):
    _, _, titles = run
    assert titles[name].splitlines()[-2:] == [f"2025-2026: {HYPOTHESIS}", f"2027-2028: {ABOLISHED}"]


def test_figures_of_the_population_do_not(run):
    _, _, titles = run
    assert "rules would give" not in titles["population_pyramid.png"]


def test_compare_titles_say_it_and_name_the_scenarios_where_it_differs():
    import xarray as xr

    from naerhed.analysis.comparison_report import legal_note_of

    def run_of(notes):
        return xr.Dataset({"legal_note": ("assessed_year", notes)}, coords={"assessed_year": [2024, 2027]})

    baseline = run_of(["", ABOLISHED])
    successor = run_of(["", "nærhedsfinansiering no longer exists; figures show a hypothetical successor scheme, "
                            "successor2027 (an assumption, not enacted)"])
    assert legal_note_of({"baseline": baseline, "virtual": baseline}, 2027) == f"\n2027: {ABOLISHED}"
    assert legal_note_of({"baseline": baseline, "successor_2027": successor}, 2027) == (
        f"\nbaseline: 2027: {ABOLISHED}; successor_2027: 2027: nærhedsfinansiering no longer exists; figures show "
        "a hypothetical successor scheme, successor2027 (an assumption, not enacted)")
    assert legal_note_of({"baseline": baseline, "successor_2027": successor}, 2024) == ""

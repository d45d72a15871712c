"""`naerhed validate-model`: every calibrated figure is reproduced; the table covers every kind of figure."""

import csv

import pytest

from naerhed.data import DATA_DIR

from naerhed.cli import main
from naerhed.validation import run_checks

from .conftest import make_scenario


@pytest.fixture(scope="module")
def checks():
    return run_checks(make_scenario(), sample_fraction=0.05)


def test_every_calibrated_figure_is_within_tolerance(checks):
    calibrated = [c for c in checks if c.kind == "calibrated"]
    assert len(calibrated) >= 20 + 1 + 2  # 4 criteria x 5 regions, concentration, KOL and T2D 2050
    outside = [(c.id, c.published, c.simulated, c.tolerance) for c in calibrated if not c.ok]
    assert outside == []


def test_figures_outside_tolerance_are_exactly_the_known_ones(checks):
    """Every figure outside its tolerance is listed in validation_known_outside.csv with its reason,
    and every listed figure is in the table and still outside (else the list is stale)."""
    from naerhed.data.validation_tables import load_known_outside

    known = load_known_outside()
    by_id = {c.id: c for c in checks}
    assert sorted(set(known) - set(by_id)) == [], "listed as known outside but not in the table"
    outside_unexplained = [(c.id, c.published, c.simulated, c.tolerance) for c in checks if not c.ok and c.id not in known]
    assert outside_unexplained == []
    back_inside = [(i, by_id[i].published, by_id[i].simulated, by_id[i].tolerance) for i in known if by_id[i].ok]
    assert back_inside == []
    assert all(by_id[i].known_outside == known[i] and known[i] for i in known)
    assert not any(c.kind == "calibrated" for c in checks if c.id in known)  # calibrated figures must be met


def test_the_table_covers_demography_health_and_criteria(checks):
    ids = {c.id for c in checks}
    for expected in ("life_expectancy_male_2017_2018", "persons_80plus_2030_dst2020", "population_total_2030_dst2020",
                     "deaths_2019", "admissions_2021", "repeated_acute_share_of_inpatients",
                     "repeated_acute_share_of_admissions", "kol_2050_smile", "diabetes_t2_2050_smile",
                     "stays_per_citizen_1081_2019", "virtual_share_1085_2019"):
        assert expected in ids
    by_id = {c.id: c for c in checks}
    assert by_id["population_total_2030_dst2020"].ok
    # 80+ in 2030 sits at the edge of its 3 % tolerance (validation_known_outside.csv): within it plus
    # 3 sampling sd of a count of persons at sample fraction 0.05 (binomial: sqrt(count x weight))
    old = by_id["persons_80plus_2030_dst2020"]
    assert abs(old.simulated - old.published) <= old.tolerance + 3 * (old.published * 20) ** 0.5
    assert by_id["repeated_acute_share_of_admissions"].ok  # > 25 % of admissions: not calibrated


def test_cli_prints_the_table_and_writes_csv(tmp_path, capsys):
    out = tmp_path / "checks.csv"
    assert main(["validate-model", "--sample-fraction", "0.02", "--csv", str(out)]) == 0
    text = capsys.readouterr().out
    assert "published / target" in text and "within tolerance" in text
    rows = list(csv.DictReader(open(out, encoding="utf-8")))
    assert {"published_or_target", "simulated", "difference", "within_tolerance", "known_outside_reason"} <= set(rows[0])
    assert len(rows) > 40
    # a figure outside its tolerance is either known (with the reason in the CSV and the text) or not
    for row in rows:
        if row["within_tolerance"] == "False" and row["known_outside_reason"]:
            assert row["id"] in text


def test_cli_rejects_a_broken_calibration_file(tmp_path, capsys):
    bad = tmp_path / "bad.csv"
    bad.write_text("region_code,criterion,year,value\n1081,stays_per_citizen,2019,abc\n")
    assert main(["validate-model", "--calibration", str(bad)]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and "line 2" in err and "'value'" in err and "Traceback" not in err


def test_births_by_region_in_the_table_with_a_sampling_floor_on_the_tolerance(checks):
    """Births 2021 by region (Hovedstaden, Sjælland) and nationally are validation rows; a count of
    sampled events is allowed 5 % or 4 standard deviations of the sampling at the run's fraction
    (0.05 here), whichever is wider."""
    import numpy as np

    by_id = {c.id: c for c in checks}
    for cid, published in (("births_1084_2021", 22_954), ("births_1085_2021", 7_492), ("births_2021", 63_473)):
        check = by_id[cid]
        assert check.published == published and check.kind == "validation"
        assert check.tolerance == pytest.approx(max(0.05 * published, 4 * np.sqrt(published / 0.05)))
        assert check.ok, (cid, check.simulated)


def test_backtest_from_2019_against_the_packaged_population_tables(checks):
    """The simulated population of 1 January 2020-2026 (from 2019) against the packaged tables: national
    total within 0.5 %, persons 80+ within 2 %, each region within 1.5 %; the observed values are the
    table's, and the national totals are met in every year (the rows outside are listed, with their
    reasons, in validation_known_outside.csv: see the test above)."""
    from naerhed.constants import REGION_CODES
    from naerhed.data import load_population

    by_id = {c.id: c for c in checks}
    for year in range(2021, 2026):
        observed = load_population(year)
        rows = {f"backtest_population_total_{year}": (observed.sum(), 0.005),
                f"backtest_persons_80plus_{year}": (observed[:, :, 80:].sum(), 0.02)}
        rows.update({f"backtest_population_{code}_{year}": (observed[r].sum(), 0.015)
                     for r, code in enumerate(REGION_CODES)})
        for cid, (value, tolerance) in rows.items():
            check = by_id[cid]
            assert check.kind == "validation" and check.year == year and check.unit == "persons"
            assert check.published == pytest.approx(value) and check.tolerance == pytest.approx(tolerance * value)
        assert by_id[f"backtest_population_total_{year}"].ok
    assert "backtest_population_total_2019" not in by_id  # the base year is the table itself, not a backtest


def test_backtest_rows_follow_the_base_year():
    """From 2025 (the present-day baseline) the only later packaged year, 2026, is backtested."""
    from .conftest import make_scenario as scenario

    later = run_checks(scenario(population={"base_year": 2025, "sample_fraction": 0.01}, end_year=2027,
                                data={"calibration": str(DATA_DIR / "calibration_targets_2025.csv")}), sample_fraction=0.01)
    years = sorted({c.year for c in later if c.id.startswith("backtest_")})
    assert years == [2026]

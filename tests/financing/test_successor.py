"""The packaged example of a successor-style rule set (issue 13): a hypothetical scheme from 2027
tied to acute admissions per citizen aged 70+ (criterion elderly_acute_admissions, computed from the
totals of the age groups 70-79 and 80+). It is an assumption in every value, never used by default,
selectable by a scenario, and every result labels its years as a hypothesis."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from naerhed.constants import AGE_GROUP_LABELS
from naerhed.financing.criteria import REGISTRY, compute_criteria, names as criterion_names
from naerhed.financing.payout import assess, legal_lines, settlement_text
from naerhed.financing.rules import (describe_rule_set, example_rule_files, load_rule_set, load_rule_sets,
                                     packaged_rule_sets)
from naerhed.health.hospital_use import QUANTITIES
from naerhed.runner import run_scenario
from naerhed.scenario import load_scenario

from ..conftest import make_scenario

REPO = Path(__file__).resolve().parents[2]
RULE_SETS = ["nf2019", "nf2020", "nf2021", "nf2022plus", "successor2027"]
REGIONS = [1081, 1082, 1083, 1084, 1085]
SUCCESSOR = ("2027: nærhedsfinansiering no longer exists; figures show a hypothetical successor scheme, "
             "successor2027 (an assumption, not enacted)")


def test_it_loads_as_an_assumption_and_is_not_used_by_default():
    rule = load_rule_set("successor2027")
    assert rule.years == (2027, None) and rule.legal_status == "successor"
    assert tuple(rule.counted_criteria) == ("elderly_acute_admissions",)
    assert {entry.status for entry in rule.provenance.values()} == {"assumption"}
    assert "successor2027" in example_rule_files() and "successor2027" not in packaged_rule_sets()
    assert "successor2027" not in make_scenario().financing.rule_sets
    text = "\n".join(describe_rule_set(rule))
    assert ("  legal status: successor (nærhedsfinansiering no longer exists; figures show a hypothetical successor "
            "scheme, successor2027 (an assumption, not enacted))  [assumption]") in text.splitlines()
    # the note says the four regions of 2027 are not yet in the model
    assert "four regions of 2027" in rule.provenance["split"].note and "not yet in" in rule.provenance["split"].note


def test_the_scenario_selects_it_after_nf2022plus():
    scenario = load_scenario(REPO / "scenarios" / "successor_2027.yaml")
    assert scenario.financing.rule_sets == RULE_SETS
    assert [r.name for r in scenario.financing.load_rule_sets()] == RULE_SETS


def _totals(seed=3):
    """Hand-made totals [period, quantity, region, age_group] of every quantity."""
    rng = np.random.default_rng(seed)
    shape = (2, len(QUANTITIES), len(REGIONS), len(AGE_GROUP_LABELS))
    return xr.DataArray(rng.uniform(1e3, 1e5, size=shape), dims=("period", "quantity", "region", "age_group"),
                        coords={"period": [2026, 2027], "quantity": list(QUANTITIES), "region": REGIONS,
                                "age_group": list(AGE_GROUP_LABELS)})


def test_the_criterion_counts_the_age_groups_70_and_older_only():
    criterion = REGISTRY["elderly_acute_admissions"]
    assert criterion.age_groups == ("70-79", "80+") and criterion.good_direction == -1 and criterion.measured
    by_age = _totals()
    old = by_age.sel(age_group=["70-79", "80+"]).sum("age_group")
    expected = old.sel(quantity="acute_admissions") / old.sel(quantity="citizens")
    got = compute_criteria(by_age.sum("age_group"), by_age=by_age).sel(criterion="elderly_acute_admissions")
    np.testing.assert_allclose(got.transpose(*expected.dims).values, expected.values, rtol=1e-12)
    # every other criterion counts all ages, as before
    everyone = compute_criteria(by_age.sum("age_group"), by_age=by_age).sel(criterion="stays_per_citizen")
    all_ages = by_age.sum("age_group")
    stays = all_ages.sel(quantity="acute_admissions") + all_ages.sel(quantity="planned_admissions") \
        + all_ages.sel(quantity="outpatient_stays")
    np.testing.assert_allclose(everyone.transpose(*stays.dims).values,
                               (stays / all_ages.sel(quantity="citizens")).values, rtol=1e-12)
    per_group = compute_criteria(by_age).sel(criterion="elderly_acute_admissions")
    assert bool(per_group.sel(age_group=["0-17", "18-39", "40-59", "60-69"]).isnull().all())
    assert bool(per_group.sel(age_group=["70-79", "80+"]).notnull().all())
    # from totals of all ages it cannot be computed
    assert bool(compute_criteria(by_age.sum("age_group")).sel(criterion="elderly_acute_admissions").isnull().all())


def test_a_year_shock_cannot_be_about_a_criterion_of_some_ages_only():
    """A shock acts on a region's hospital use at every age: the shock series (and so the random
    numbers of every existing shock) are those of the criteria of all ages."""
    from naerhed.data.registry import SHOCK_SERIES

    assert "elderly_acute_admissions" not in SHOCK_SERIES()
    assert SHOCK_SERIES()[-4:] == ("stays_per_citizen", "activity_per_chronic_dkk", "readmission_share", "virtual_share")


def test_it_assesses_with_partial_credit_and_says_hypothesis():
    years = [2025, 2026, 2027, 2028]
    names = list(criterion_names())
    level = np.ones((1, len(years), len(REGIONS), len(names)))
    e = names.index("elderly_acute_admissions")
    # 2027 against 2026: 2 % fewer, 0.5 % fewer, unchanged, 1 % more, exactly 1 % fewer (not more than 1 %)
    level[0, 2, :, e] = [0.98, 0.995, 1.0, 1.01, 0.99]
    coords = {"draw": [0], "period": years, "region": REGIONS}
    criteria = xr.DataArray(level, dims=("draw", "period", "region", "criterion"), coords={**coords, "criterion": names})
    population = xr.DataArray(np.full((1, len(years), len(REGIONS)), 1e6), dims=("draw", "period", "region"),
                              coords=coords)
    payout = assess(criteria, load_rule_sets(RULE_SETS), population, population)
    assert payout["rule_set"].sel(period=2027).item() == "successor2027"
    assert payout["legal_status"].sel(period=2027).item() == "successor"
    np.testing.assert_allclose(payout["share_kept"].sel(period=2027).values[0], [1.0, 0.5, 0.0, 0.0, 1.0], atol=1e-9)
    # the pool and the split are nærhedsfinansiering's: what is not kept is repaid
    np.testing.assert_allclose(payout["region_pool_dkk"].sel(period=2027).values.sum(), 1.5e9)
    assert legal_lines(payout, [2027, 2028]) == [SUCCESSOR.replace("2027:", "2027-2028:")]
    assert legal_lines(payout, [2026]) == [
        "2026: no published rules were found; figures show what the 2022+ rules would give"]
    assert settlement_text(payout, 2027) == "settlement: formal rule"


def test_a_run_under_it_labels_its_years_as_a_hypothesis(tmp_path):
    scenario = make_scenario(seed=5, draws=2, end_year=2029,
                             population={"base_year": 2019, "sample_fraction": 0.002, "sample_replicates": 2},
                             financing={"rule_sets": RULE_SETS})
    folder = run_scenario(scenario, out_root=tmp_path, progress=False)
    lines = (folder / "risk_summary.txt").read_text(encoding="utf-8").splitlines()
    assert "2027 (rule set successor2027; settlement: formal rule; 2 draws):" in lines
    assert f"  {SUCCESSOR}." in lines and f"  {SUCCESSOR.replace('2027', '2028', 1)}." in lines
    with xr.open_dataset(folder / "results.nc", engine="h5netcdf") as ds:
        ds = ds.load()
    totals = ds["hospital_totals"].astype(np.float64).sel(age_group=["70-79", "80+"])
    totals = totals.sum("age_group").groupby(ds["municipality_region"]).sum().rename(municipality_region="region")
    # from 2027 the four regions: Østdanmark's criterion is that of Hovedstaden's and Sjælland's summed totals
    east = totals.sel(region=[1084, 1085]).sum("region").expand_dims(region=[1086])
    totals = xr.concat([totals, east], dim="region")
    expected = totals.sel(quantity="acute_admissions") / totals.sel(quantity="citizens")
    got = ds["criteria"].sel(criterion="elderly_acute_admissions") - ds["criteria_sample_adjustment"].sel(
        criterion="elderly_acute_admissions")
    np.testing.assert_allclose(got.transpose(*expected.dims).values, expected.values, rtol=1e-9)
    assert list(ds["legal_status"].sel(assessed_year=[2026, 2027, 2028]).values) == ["hypothesis", "successor", "successor"]


def test_a_bad_legal_status_or_example_name_is_reported_with_what_is_allowed(tmp_path):
    from naerhed.errors import RuleSetError

    path = tmp_path / "bad.yaml"
    path.write_text("extends: nf2022plus\nname: bad\nyears: [2027, null]\nlegal_status: gone\n", encoding="utf-8")
    with pytest.raises(RuleSetError) as caught:
        load_rule_set(str(path))
    (problem,) = caught.value.problems
    assert (problem.line, problem.key_path) == (4, "legal_status")
    assert problem.message == "must be one of: in_force, hypothesis, abolished, successor; got 'gone'"
    with pytest.raises(RuleSetError) as caught:
        load_rule_set("successor2028")
    assert "did you mean 'successor2027'?" in caught.value.problems[0].message
    assert "packaged examples: successor2027" in caught.value.problems[0].message

"""Nærhedsfinansiering rule sets: the packaged files, judging criteria, the share kept, and the
error reports of broken rule files (file, line, key path)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from pydantic import BaseModel, ConfigDict

from naerhed.constants import REGION_CODES
from naerhed.errors import NaerhedError, RuleSetError, ScenarioError
from naerhed.financing.criteria import REGISTRY, names as criterion_names

CRITERIA = criterion_names()
from naerhed.financing.rules import (
    RULES_DIR,
    PROVENANCE_REQUIRED,
    CriterionRule,
    ProvenanceEntry,
    RuleSet,
    coverage_problems,
    describe_rule_set,
    load_rule_set,
    load_rule_sets,
    met_and_fulfilment,
    packaged_rule_files,
    packaged_rule_sets,
    rule_set_field_info,
    rule_set_for_year,
    rule_set_json_schema,
    share_kept,
)
from naerhed.scenario import Scenario, load_scenario
from naerhed.yaml_models import Problem, load_yaml_model

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rules"
REGIONS = list(REGION_CODES)

#: The packaged rule sets of 2019 onwards, by first year (a later one may follow them).
HISTORICAL = ("nf2019", "nf2020", "nf2021", "nf2022plus")
#: The published 2021 table (regioner.dk): criteria met -> share kept (0 met -> 0 is implied).
PUBLISHED_2021 = {0: 0.0, 1: 0.33, 2: 0.66, 3: 1.0, 4: 1.0}


def only_problem(path) -> Problem:
    with pytest.raises(RuleSetError) as info:
        load_rule_set(path)
    problems = info.value.problems
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def met_first(n_met: int, n: int = 4) -> np.ndarray:
    return np.array([i < n_met for i in range(n)])


# --------------------------------------------------------------------------------------------
# The packaged rule sets
# --------------------------------------------------------------------------------------------


def test_packaged_rule_sets_are_the_defaults():
    assert list(packaged_rule_sets())[:4] == list(HISTORICAL)  # read from the files, by first year
    assert Scenario(name="x").financing.rule_sets == list(packaged_rule_sets())
    assert Scenario(name="x").financing.settlement == "formal"
    for name, path in packaged_rule_sets().items():
        rule = load_rule_set(name)
        assert rule.name == name == path.stem
        assert rule.source_path == path
        assert rule.pool_dkk == 1.5e9
        assert rule.split.key == "block_grant"
        assert sum(rule.split.shares.values()) == pytest.approx(1, abs=1e-9)
        for year in range(rule.first_year, (rule.last_year or 2030) + 1):
            assert rule.value_in("settlement_applied", year) is False  # no efterregulering 2019-2023
            for key in PROVENANCE_REQUIRED:
                assert rule.provenance_of(key, year) is not None, (name, year, key)


#: The packaged rule sets as they resolved before they were written as extends of each other.
BEFORE = json.loads((FIXTURES / "packaged_resolved.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", HISTORICAL)
def test_packaged_rule_sets_resolve_to_the_same_values(name):
    """Every value of every year, inherited or written, equals the rule set before issue 11 (field by
    field, in order); so does the provenance, except settlement_applied of nf2022plus, which is now
    given by year with a provenance for each year."""
    rule, before = load_rule_set(name), BEFORE[name]
    for year in range(rule.first_year, (rule.last_year or 2040) + 1):
        got = rule.in_year(year).model_dump(mode="json")
        # legal_status is new (issue 12): in force up to 2024, a hypothesis in 2025-2026, abolished from
        # 2027 (issue 13: the health reform ends the scheme; nf2022plus)
        status = "abolished" if year >= 2027 else "hypothesis" if year >= 2025 else "in_force"
        assert got.pop("legal_status") == status, (name, year)
        assert json.dumps({k: v for k, v in got.items() if k != "provenance"}) == json.dumps(
            {k: v for k, v in before.items() if k != "provenance"}), (name, year)
        changed = {"settlement_applied", "legal_status"} if name == "nf2022plus" else set()
        assert {k: v for k, v in got["provenance"].items() if k not in changed} == {
            k: v for k, v in before["provenance"].items() if k not in changed}, (name, year)
    if name == "nf2022plus":
        assert rule.dated_keys == {"settlement_applied": (2022, 2023, 2024), "legal_status": (2022, 2025, 2027)}
        for year, status, source in ((2022, "published", "https://sundhedsdatastyrelsen.dk"),
                                     (2023, "published", "https://sundhedsdatastyrelsen.dk"),
                                     (2024, "assumption", "NOT FOUND"), (2040, "assumption", "NOT FOUND")):
            entry = rule.provenance_of("settlement_applied", year)
            assert (entry.status, entry.source[:len(source)]) == (status, source), year
            assert str(min(year, 2024)) in entry.note


def test_each_packaged_rule_set_extends_its_predecessor_and_states_only_what_changed():
    import yaml

    for parent, child in zip(HISTORICAL, HISTORICAL[1:]):
        rule, previous = load_rule_set(child), load_rule_set(parent)
        assert rule.source_files[1:] == (previous.source_path,) + previous.source_files[1:]
        written = yaml.safe_load(rule.source_path.read_text(encoding="utf-8"))
        assert written.pop("extends") == parent
        assert (written.pop("name"), tuple(written.pop("years"))) == (child, rule.years)
        assert written.pop("description") != previous.description
        for key, entry in written.pop("provenance", {}).items():
            assert ProvenanceEntry(**entry) != previous.provenance_of(key), (child, key)
        for key, value in written.items():  # each value written differs from the one inherited
            if isinstance(value, dict) and "values" in value:  # given by year: its provenance differs
                assert rule.dated_keys[key]
                continue
            assert getattr(rule, key) != getattr(previous, key), (child, key)


def test_2021_rule_reproduces_the_published_table():
    rule = load_rule_set("nf2021")
    assert rule.years == (2021, 2021)
    assert rule.counted_criteria == CRITERIA[:4]
    assert rule.payout.formula == "step"
    assert rule.provenance["payout"].status == "published"
    assert rule.provenance["pool_dkk"].status == "published"
    for n_met, kept in PUBLISHED_2021.items():
        met = met_first(n_met)
        assert share_kept(met, met.astype(float), rule) == pytest.approx(kept)
    # which criteria are met does not matter, only how many; arrays with leading axes work
    met = np.array([[[True, False, False, True], [False, True, True, True]],
                    [[False, False, False, False], [True, True, True, True]]])
    np.testing.assert_allclose(share_kept(met, met.astype(float), rule), [[0.66, 1.0], [0.0, 1.0]])


def test_the_years_differ_as_documented():
    r2019, r2020, r2022 = (load_rule_set(n) for n in ("nf2019", "nf2020", "nf2022plus"))
    assert r2019.counted_criteria == CRITERIA[:5]  # five, incl. digital_solutions (not the successor example's)
    assert r2019.payout.formula == "weighted" and r2019.payout.partial is False
    assert r2019.payout.weights == {name: 0.2 for name in CRITERIA[:5]}
    assert r2019.provenance["payout"].status == "assumption"
    assert "half" in r2019.provenance["pool_dkk"].note  # the phase-in conflict
    assert r2020.counted_criteria == CRITERIA[:4]
    assert r2020.payout.steps == PUBLISHED_2021
    assert r2020.provenance["pool_dkk"].status == "assumption"
    assert r2020.provenance["payout"].status == "assumption"
    assert r2022.years == (2022, None)
    assert r2022.payout.steps == PUBLISHED_2021
    assert r2022.provenance["payout"].status == "assumption"
    assert r2022.provenance_of("settlement_applied", 2023).status == "published"
    assert "2024" in r2022.provenance_of("settlement_applied", 2024).note
    for rule in (r2019, r2020, r2022, load_rule_set("nf2021")):
        for name in rule.counted_criteria:
            if name == "digital_solutions":
                continue
            criterion = rule.criteria[name]
            assert (criterion.compare_with, criterion.threshold_type, criterion.min_improvement) == (
                "previous_year", "relative", 0.0)
            assert rule.provenance_of(f"criteria.{name}.min_improvement").status == "assumption"


def test_packaged_sets_cover_2019_onwards_without_gaps():
    rule_sets = load_rule_sets(HISTORICAL)
    assert coverage_problems(rule_sets, range(2019, 2061)) == []
    chosen = {year: rule_set_for_year(rule_sets, year).name for year in range(2019, 2041)}
    assert chosen[2019] == "nf2019"
    assert chosen[2020] == "nf2020"
    assert chosen[2021] == "nf2021"
    assert all(chosen[year] == "nf2022plus" for year in range(2022, 2041))


def test_a_year_no_set_covers():
    rule_sets = load_rule_sets(HISTORICAL)
    with pytest.raises(RuleSetError) as info:
        rule_set_for_year(rule_sets, 2018)
    assert str(info.value) == (
        "no rule set covers 2018 (the rule sets: nf2019 2019, nf2020 2020, nf2021 2021, nf2022plus 2022 "
        "onwards); exactly one rule set must apply to each year"
    )
    with pytest.raises(RuleSetError, match="no rule set covers 2020 \\(between the rule sets"):
        load_rule_sets(["nf2019", "nf2021", "nf2022plus"])


def test_overlapping_rule_sets_for_a_year():
    overlap = FIXTURES / "overlap_2021.yaml"
    rule_sets = [load_rule_set(n) for n in HISTORICAL] + [load_rule_set(overlap)]
    assert rule_set_for_year(rule_sets, 2020).name == "nf2020"
    with pytest.raises(RuleSetError) as info:
        rule_set_for_year(rule_sets, 2021)
    (problem,) = info.value.problems
    assert (problem.file, problem.key_path) == (str(packaged_rule_sets()["nf2021"]), "years")
    assert problem.line is not None
    assert f"overlap_2021 (2021-2022, {overlap}:4) both apply to 2021" in problem.message
    with pytest.raises(RuleSetError) as info:
        load_rule_sets(list(HISTORICAL) + [overlap])
    messages = [p.message for p in info.value.problems]
    assert any("nf2021 (2021" in m and "overlap in 2021:" in m for m in messages)
    assert any("overlap in 2022:" in m for m in messages)


def test_unknown_packaged_name():
    with pytest.raises(RuleSetError) as info:
        load_rule_set("nf2012")
    assert str(info.value).startswith("unknown rule set 'nf2012'; did you mean 'nf2021'? Packaged rule sets: ")
    assert isinstance(info.value, NaerhedError)


def test_describe_rule_set():
    lines = describe_rule_set(load_rule_set("nf2021"))
    assert all(isinstance(line, str) and "\n" not in line for line in lines)
    text = "\n".join(lines)
    assert lines[0].startswith("nf2021: ")
    assert "years: 2021" in text
    assert "pool: 1.5 bn DKK a year" in text and "[published]" in text
    assert "0 met: 0 %, 1 met: 33 %, 2 met: 66 %, 3 met: 100 %, 4 met: 100 %" in text
    assert "settlement (efterregulering) applied: no" in text
    assert "NOT FOUND" in text  # the targets are assumptions
    assert "partial" not in text
    assert "weighted" in "\n".join(describe_rule_set(load_rule_set("nf2019")))
    text = "\n".join(describe_rule_set(load_rule_set("nf2022plus")))
    assert "2022 onwards" in text
    assert f"extends: {packaged_rule_files()['nf2021']} -> " in text  # the values shown are resolved
    assert "pool: 1.5 bn DKK a year" in text and "4 met: 100 %" in text  # inherited from nf2021
    assert ("settlement (efterregulering) applied: 2022-2023: no (the formal rule is still computed)  [published]; "
            "2024 onwards: no (the formal rule is still computed)  [assumption]") in text
    assert "settlement_applied (2023): published, https://sundhedsdatastyrelsen.dk" in text
    assert "settlement_applied (2024 onwards): assumption, NOT FOUND" in text


def test_no_rule_set_name_in_a_description():
    """Descriptions describe; the packaged names are listed from the files (`naerhed rules`)."""
    from naerhed.scenario import scenario_field_info

    descriptions = [info["description"] for info in rule_set_field_info().values()]
    descriptions += [info["description"] for info in scenario_field_info().values()]
    descriptions += [load_rule_set(name).description for name in packaged_rule_sets()]
    for name in packaged_rule_sets():
        assert not [d for d in descriptions if name in d], name


def test_rule_file_schema_and_field_info():
    schema = rule_set_json_schema()
    json.dumps(schema)
    assert schema["additionalProperties"] is False
    assert "extends" in schema["properties"]
    for definition in [schema] + list(schema["$defs"].values()):
        assert definition["additionalProperties"] is False
        for name, prop in definition["properties"].items():
            assert prop.get("description"), name
            assert prop.get("unit"), name
    # a value may be given by year: {values: {year: value or {value, provenance}}}
    assert {"$ref": "#/$defs/DatedForm"} in schema["properties"]["settlement_applied"]["anyOf"]
    assert {"$ref": "#/$defs/DatedForm"} in schema["$defs"]["SplitRule"]["properties"]["shares"]["anyOf"]
    assert "anyOf" not in schema["properties"]["years"] and "anyOf" not in schema["properties"]["name"]
    info = rule_set_field_info()
    assert "split.shares" in info and "payout.steps" in info
    assert all(field["description"] and field["unit"] for field in info.values())


# --------------------------------------------------------------------------------------------
# Judging a criterion
# --------------------------------------------------------------------------------------------


def rule(**settings) -> CriterionRule:
    return CriterionRule(**settings)


def test_relative_improvement_lower_is_better():
    reference = np.array([2.0, 2.0, 2.0, 2.0, 2.0])
    values = np.array([1.9, 1.99, 2.0, 2.1, 1.0])  # -5 %, -0.5 %, 0, +5 %, -50 %
    met, fulfilment = met_and_fulfilment(values, reference, rule(), -1, REGIONS)
    np.testing.assert_array_equal(met, [True, True, False, False, True])
    np.testing.assert_array_equal(fulfilment, [1, 1, 0, 0, 1])
    assert met.dtype == bool and fulfilment.dtype == float

    met, fulfilment = met_and_fulfilment(values, reference, rule(min_improvement=0.02), -1, REGIONS)
    np.testing.assert_array_equal(met, [True, False, False, False, True])
    np.testing.assert_allclose(fulfilment, [1, 0.25, 0, 0, 1])  # 0.5 % of a 2 % target


def test_relative_improvement_higher_is_better():
    reference = np.array([0.10, 0.10, 0.10, 0.10, 0.10])
    values = np.array([0.11, 0.10, 0.09, 0.1005, 0.2])  # +10 %, 0, -10 %, +0.5 %, +100 %
    met, fulfilment = met_and_fulfilment(values, reference, rule(min_improvement=0.01), +1, REGIONS)
    np.testing.assert_array_equal(met, [True, False, False, False, True])
    np.testing.assert_allclose(fulfilment, [1, 0, 0, 0.5, 1])


def test_percentage_points():
    reference = np.array([0.09, 0.09, 0.09, 0.09, 0.09])
    values = np.array([0.085, 0.08, 0.0875, 0.095, 0.09])  # -0.5, -1, -0.25, +0.5 points, 0
    # (0.095 - 0.09) * 100 is 0.5000000000000004 in floating point: still not more than 0.5
    down = rule(threshold_type="percentage_points", min_improvement=0.5)
    met, fulfilment = met_and_fulfilment(values, reference, down, -1, REGIONS)
    np.testing.assert_array_equal(met, [False, True, False, False, False])  # 0.5 is not > 0.5
    np.testing.assert_allclose(fulfilment, [1.0, 1, 0.5, 0, 0])
    met, _ = met_and_fulfilment(values, reference, down, +1, REGIONS)
    np.testing.assert_array_equal(met, [False, False, False, False, False])
    met, _ = met_and_fulfilment(values, reference, rule(threshold_type="percentage_points"), +1, REGIONS)
    np.testing.assert_array_equal(met, [False, False, False, True, False])


def test_per_region_thresholds_and_leading_axes():
    thresholds = {1081: 0.0, 1082: 0.01, 1083: 0.02, 1084: 0.03, 1085: 0.04}
    criterion = rule(min_improvement={str(k): v for k, v in thresholds.items()})
    assert criterion.min_improvement == thresholds
    reference = np.full((2, 5), 100.0)
    values = np.array([[98.5] * 5, [101.0] * 5])  # draw 0: 1.5 % better everywhere; draw 1: worse
    met, fulfilment = met_and_fulfilment(values, reference, criterion, -1, REGIONS)
    np.testing.assert_array_equal(met, [[True, True, False, False, False], [False] * 5])
    np.testing.assert_allclose(fulfilment[0], [1, 1, 0.75, 0.5, 0.375])
    np.testing.assert_allclose(fulfilment[1], 0)
    # the region axis follows region_codes
    met, _ = met_and_fulfilment(values[:, ::-1], reference, criterion, -1, REGIONS[::-1])
    np.testing.assert_array_equal(met[0], [False, False, False, True, True])


def test_nan_reference_is_not_met():
    reference = np.array([np.nan, 1.0, np.nan, 1.0, 0.0])
    values = np.array([0.5, np.nan, np.nan, 0.5, 0.0])
    met, fulfilment = met_and_fulfilment(values, reference, rule(min_improvement=0.1), -1, REGIONS)
    np.testing.assert_array_equal(met, [False, False, False, True, False])
    np.testing.assert_array_equal(fulfilment, [0, 0, 0, 1, 0])


def test_region_axis_must_match():
    with pytest.raises(ValueError, match="last axis"):
        met_and_fulfilment(np.ones(4), np.ones(4), rule(), -1, REGIONS)


# --------------------------------------------------------------------------------------------
# The share kept
# --------------------------------------------------------------------------------------------


def weighted_rule(tmp_path, partial: bool) -> RuleSet:
    path = write(tmp_path, f"weighted_{partial}.yaml", f"""
extends: {FIXTURES / 'base.yaml'}
name: weighted
payout:
  formula: weighted
  steps: null
  weights: {{stays_per_citizen: 0.4, activity_per_chronic_dkk: 0.3, readmission_share: 0.2, virtual_share: 0.1}}
  partial: {str(partial).lower()}
""")
    return load_rule_set(path)


def test_weighted_without_partial_fulfilment(tmp_path):
    rule_set = weighted_rule(tmp_path, partial=False)
    met = np.array([[True, False, False, False], [False, True, True, True], [True] * 4, [False] * 4])
    fulfilment = np.array([[1, 0.5, 0.5, 0.5], [0.9, 1, 1, 1], [1] * 4, [0.99] * 4])
    np.testing.assert_allclose(share_kept(met, fulfilment, rule_set), [0.4, 0.6, 1.0, 0.0])


def test_weighted_with_partial_fulfilment(tmp_path):
    rule_set = weighted_rule(tmp_path, partial=True)
    met = np.array([[True, False, False, False], [False, True, True, True], [True] * 4, [False] * 4])
    fulfilment = np.array([[1, 0.5, 0.5, 0.5], [0.9, 1, 1, 1], [1] * 4, [0.0] * 4])
    np.testing.assert_allclose(
        share_kept(met, fulfilment, rule_set),
        [0.4 + 0.3 * 0.5 + 0.2 * 0.5 + 0.1 * 0.5, 0.4 * 0.9 + 0.6, 1.0, 0.0],
    )


def test_share_kept_with_every_criterion_on_the_last_axis():
    rule_set = load_rule_set("nf2021")  # digital_solutions does not count in 2021
    met = np.array([True, True, False, False, True, True])  # over CRITERIA
    assert share_kept(met, met.astype(float), rule_set, criteria=CRITERIA) == pytest.approx(0.66)
    assert share_kept(met.astype(float), met.astype(float), rule_set, criteria=CRITERIA) == pytest.approx(0.66)
    with pytest.raises(ValueError, match="last axis"):
        share_kept(met[:5], met[:5], rule_set)  # 5 values for the 4 counted criteria


def test_the_2019_rule_is_equal_weights():
    rule_set = load_rule_set("nf2019")
    for n_met in range(6):
        met = met_first(n_met, 5)
        assert share_kept(met, np.zeros(5), rule_set) == pytest.approx(0.2 * n_met)


def test_the_payout_with_real_directions():
    """Every criterion of 2021 improved by 1 % in the right direction: 4 met, all kept."""
    rule_set = load_rule_set("nf2021")
    reference = np.array([2.2, 25_000.0, 0.09, 0.10])
    met, fulfilment = [], []
    for value, name in zip(reference, rule_set.counted_criteria):
        direction = REGISTRY[name].good_direction
        m, f = met_and_fulfilment(np.full(5, value * (1 + 0.01 * direction)), np.full(5, value),
                                  rule_set.criteria[name], direction, REGIONS)
        met.append(m)
        fulfilment.append(f)
    kept = share_kept(np.stack(met, axis=-1), np.stack(fulfilment, axis=-1), rule_set)
    np.testing.assert_allclose(kept, 1.0)


# --------------------------------------------------------------------------------------------
# Broken rule files: file, line, key path and a clear message
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, line, key_path, message",
    [
        ("unknown_key", 15, "criteria.virtual_share.min_improvment",
         "unknown key; did you mean 'min_improvement'? Allowed keys: base_year, compare_with, counts, "
         "min_improvement, threshold_type"),
        ("shares_not_summing", 8, "split.shares", "the shares must sum to 1 (within 1e-06); they sum to 1.1"),
        ("shares_missing_region", 8, "split.shares", "every region needs a share; missing: 1085 (Sjælland)"),
        ("steps_missing_count", 16, "payout.steps",
         "every number of criteria met from 0 to 4 needs a share kept (4 criteria count"),
        ("steps_decreasing", 19, "payout.steps.2",
         "the share kept must not decrease with more criteria met: 2 met keeps 0.4, less than 1 met (0.5)"),
        ("steps_outside_range", 21, "payout.steps.4", "must be a number between 0 and 1; got 1.2"),
        ("weights_not_summing", 16, "payout.weights",
         "the weights must sum to 1 (within 1e-06); they sum to 1.05"),
        ("unknown_criterion", 13, "criteria.virtual_shares",
         "unknown key; did you mean 'virtual_share'? Allowed keys: stays_per_citizen, activity_per_chronic_dkk, "
         "readmission_share, virtual_share, digital_solutions"),
        ("base_year_missing", 12, "criteria.readmission_share.base_year",
         "compare_with: base_year needs the year to compare with"),
        ("provenance_missing", 18, "provenance",
         "every value needs a provenance entry (published with its URL, or assumption); missing: pool_dkk."),
        ("percentage_points_not_share", 10, "criteria.stays_per_citizen.threshold_type",
         "percentage points apply only to share criteria"),
    ],
)
def test_broken_rule_file(name, line, key_path, message):
    path = FIXTURES / f"{name}.yaml"
    problem = only_problem(path)
    assert (problem.file, problem.line, problem.key_path) == (str(path), line, key_path)
    assert problem.message.startswith(message), problem.message
    assert str(problem).startswith(f"{path}:{line}: {key_path}: ")


def test_several_problems_are_reported_at_once(tmp_path):
    path = write(tmp_path, "bad.yaml", """\
name: bad
years: [2031, 2030]
pool_dkk: 0
split: {key: population, need_share: 0.5}
criteria:
  virtual_share: {min_improvement: {1081: 0.1}}
  digital_solutions: {compare_with: previous_year}
payout: {formula: stepwise}
settlement_applied: maybe
provenance:
  pool_dkk: {status: published, source: www.example.org}
  pool_dkk.value: {status: assumption, source: NOT FOUND}
  payuot: {status: assumption, source: NOT FOUND}
""")
    with pytest.raises(RuleSetError) as info:
        load_rule_set(path)
    got = {(p.line, p.key_path): p.message for p in info.value.problems}
    assert got[(2, "years")].startswith("the first year (2031) must not be after the last year (2030)")
    assert got[(3, "pool_dkk")] == "must be a number greater than 0; got 0"
    assert got[(4, "split.need_share")].startswith("need_share is used only with key: need_formula")
    assert got[(6, "criteria.virtual_share.min_improvement")].startswith(
        "a threshold per region needs every region; missing: 1082 (Midtjylland)")
    assert got[(8, "payout.formula")] == "must be one of: step, weighted; got 'stepwise'"
    assert got[(9, "settlement_applied")] == "must be true or false; got 'maybe'"
    assert got[(11, "provenance.pool_dkk.source")].startswith("must be the URL(s) of the source")
    assert got[(12, "provenance.pool_dkk.value")].startswith("'pool_dkk.value': 'pool_dkk' is a single value")
    assert got[(13, "provenance.payuot")].startswith(
        "'payuot' is not a key of the rule set; did you mean 'payout'?")
    assert len(info.value.problems) == 9, [str(p) for p in info.value.problems]


def test_criterion_consistency(tmp_path):
    path = write(tmp_path, "r.yaml", f"""\
extends: {FIXTURES / 'base.yaml'}
name: r
criteria:
  digital_solutions: {{counts: true, min_improvement: 0.1}}
""")
    problem = only_problem(path)
    assert (problem.line, problem.key_path) == (4, "criteria.digital_solutions.min_improvement")
    assert problem.message.startswith("digital_solutions is met or not met as the scenario says")

    path = write(tmp_path, "r2.yaml", f"""\
extends: {FIXTURES / 'base.yaml'}
name: r2
criteria:
  readmission_share: {{compare_with: base_year, base_year: 2030}}
""")
    problem = only_problem(path)
    assert (problem.line, problem.key_path) == (4, "criteria.readmission_share.base_year")
    assert problem.message == "the base year must be before the first year of the rule set (2030); got 2030"

    path = write(tmp_path, "r3.yaml", f"""\
extends: {FIXTURES / 'base.yaml'}
name: r3
payout:
  formula: weighted
  steps: null
  weights: {{stays_per_citizen: 0.5, digital_solutions: 0.5}}
""")
    problem = only_problem(path)
    assert problem.key_path == "payout.weights.digital_solutions"
    assert problem.message.startswith("digital_solutions is not among the criteria, so it cannot have a weight")


def test_a_rule_file_extends_a_packaged_rule_set(tmp_path):
    path = write(tmp_path, "strict.yaml", """\
extends: nf2021
name: strict2021
criteria:
  virtual_share:
    threshold_type: percentage_points
    min_improvement: 1.0
""")
    strict = load_rule_set(path)
    assert strict.name == "strict2021"
    assert strict.payout.steps == PUBLISHED_2021
    assert strict.criteria["virtual_share"].min_improvement == 1.0
    assert strict.criteria["stays_per_citizen"].min_improvement == 0.0
    assert strict.source_files == (path.resolve(),) + load_rule_set("nf2021").source_files
    assert strict.where("criteria.virtual_share.min_improvement") == f"{path}:6"


def test_empty_and_missing_rule_files(tmp_path):
    problem = only_problem(write(tmp_path, "empty.yaml", ""))
    assert problem.message.startswith("the file is empty; a rule set needs name, years, pool_dkk")
    missing = tmp_path / "nothing.yaml"
    assert str(only_problem(missing)) == f"{missing}: rule file not found"


# --------------------------------------------------------------------------------------------
# Values given by year
# --------------------------------------------------------------------------------------------

DATED = """\
extends: {base}
name: dated
years: [2030, null]
pool_dkk:
  values:
    2028: 1.0e9
    2032:
      value: 2.0e9
      provenance: {{status: published, source: "https://example.org/pool", note: doubled from 2032}}
split:
  shares:
    values:
      2030: {{1081: 0.1, 1082: 0.2, 1083: 0.2, 1084: 0.3, 1085: 0.2}}
      2031: {{1081: 0.2, 1082: 0.2, 1083: 0.2, 1084: 0.2, 1085: 0.2}}
settlement_applied: {{values: {{2030: true, 2033: false}}}}
"""


def test_a_value_given_by_year_applies_from_its_year_until_the_next(tmp_path):
    path = write(tmp_path, "dated.yaml", DATED.format(base=FIXTURES / "base.yaml"))
    rule = load_rule_set(path)
    assert rule.dated_keys == {"pool_dkk": (2030, 2032), "split.shares": (2030, 2031),
                               "settlement_applied": (2030, 2033)}
    assert rule.pool_dkk == 1.0e9 and rule.settlement_applied is True  # the values of the first year
    by_year = {year: (rule.value_in("pool_dkk", year), rule.value_in("split.shares.1081", year),
                      rule.value_in("settlement_applied", year)) for year in (2030, 2031, 2032, 2033, 2050)}
    assert by_year == {2030: (1.0e9, 0.1, True), 2031: (1.0e9, 0.2, True), 2032: (2.0e9, 0.2, True),
                       2033: (2.0e9, 0.2, False), 2050: (2.0e9, 0.2, False)}
    # each dated value carries its own provenance; without one, the key's entry applies
    assert rule.provenance_of("pool_dkk", 2031).status == "assumption"
    assert rule.provenance_of("pool_dkk", 2032) == ProvenanceEntry(
        status="published", source="https://example.org/pool", note="doubled from 2032")
    assert rule.in_year(2031).where("pool_dkk") == f"{path}:6"  # the 2028 value
    assert rule.in_year(2032).where("pool_dkk") == f"{path}:8"
    assert rule.in_year(2040) is rule.in_year(2033) and rule.in_year(2030) is rule
    with pytest.raises(ValueError, match="applies from 2030"):
        rule.in_year(2029)
    # the payout asks for the rules in force in the year assessed
    assert rule_set_for_year([rule], 2032).pool_dkk == 2.0e9
    assert rule_set_for_year([rule], 2033).settlement_applied is False


def test_a_file_that_extends_replaces_a_value_given_by_year_whole(tmp_path):
    dated = write(tmp_path, "dated.yaml", DATED.format(base=FIXTURES / "base.yaml"))
    plain = load_rule_set(write(tmp_path, "plain.yaml", f"""\
extends: {dated}
name: plain
split:
  shares: {{1081: 0.3, 1082: 0.2, 1083: 0.2, 1084: 0.2, 1085: 0.1}}
settlement_applied: false
"""))
    assert plain.dated_keys == {"pool_dkk": (2030, 2032)}
    assert [plain.value_in("split.shares.1081", year) for year in (2030, 2031)] == [0.3, 0.3]
    assert plain.value_in("settlement_applied", 2030) is False
    # years given by a file that extends add to those of the file it extends
    more = load_rule_set(write(tmp_path, "more.yaml", f"extends: {dated}\nname: more\n"
                                                      "pool_dkk: {values: {2035: 3.0e9}}\n"))
    assert [more.value_in("pool_dkk", year) for year in (2030, 2032, 2035)] == [1.0e9, 2.0e9, 3.0e9]


def test_a_later_start_inherits_the_value_then_in_force(tmp_path):
    """nf2022plus gives settlement_applied for 2022, 2023 and 2024: a rule set from 2027 that
    extends it starts with the 2024 value and its provenance."""
    rule = load_rule_set(write(tmp_path, "r2027.yaml", "extends: nf2022plus\nname: r2027\nyears: [2027, null]\n"))
    assert rule.dated_keys == {"settlement_applied": (2027,), "legal_status": (2027,)}
    assert rule.settlement_applied is False and rule.legal_status == "abolished"  # the 2027 value of nf2022plus
    assert rule.provenance_of("settlement_applied").note.startswith("Whether efterregulering took place for 2024")


def test_problems_of_values_given_by_year(tmp_path):
    path = write(tmp_path, "bad.yaml", f"""\
extends: {FIXTURES / 'base.yaml'}
name: bad
years: [2030, null]
pool_dkk:
  values:
    2031: 1.0e9
    20x2: 2.0e9
settlement_applied:
  values:
    2030: true
    2032: maybe
    2033:
      valeu: false
      provenance: {{status: publishd, source: NOT FOUND}}
payout:
  formula:
    values: {{2030: step, 2034: weighted}}
criteria:
  virtual_share:
    counts: {{values: {{2030: true}}, note: x}}
""")
    with pytest.raises(RuleSetError) as info:
        load_rule_set(path)
    got = [(p.line, p.key_path, p.message) for p in info.value.problems]
    assert got == [
        (6, "pool_dkk.values.2031", "the first value is for 2031, after the first year of the rule set (2030); "
                                    "give the value in force in 2030 (a year 2030 or earlier)"),
        (7, "pool_dkk.values.20x2", "each key of values must be a calendar year between 2000 and 2100"),
        (11, "settlement_applied.values.2032", "must be true or false; got 'maybe' (with the values in force from 2032)"),
        (12, "settlement_applied.values.2033.value", "required key is missing; it must be the value from that year on"),
        (13, "settlement_applied.values.2033.valeu", "unknown key; did you mean 'value'? Allowed keys: provenance, value"),
        (14, "settlement_applied.values.2033.provenance.status",
         "must be one of: published, assumption; got 'publishd'"),
        (15, "payout.weights", "formula weighted needs weights, e.g. weights: {stays_per_citizen: 0.25, ...} "
                               "(with the values in force from 2034)"),
        (20, "criteria.virtual_share.counts.note", "unknown key. Allowed keys: values"),
    ]
    assert all(p.file == str(path) for p in info.value.problems)


def test_every_period_needs_its_provenance(tmp_path):
    base = (FIXTURES / "base.yaml").read_text(encoding="utf-8")
    path = write(tmp_path, "p.yaml", base.replace("settlement_applied: true", """settlement_applied:
  values:
    2030: {value: true, provenance: {status: assumption, source: NOT FOUND, note: first year}}
    2031: false""").replace("  settlement_applied: {status: assumption, source: NOT FOUND}\n", ""))
    problem = only_problem(path)
    assert (problem.line, problem.key_path) == (21, "provenance")
    assert problem.message.startswith("every value needs a provenance entry")
    assert problem.message.endswith("missing: settlement_applied. Add e.g. settlement_applied: {status: assumption, "
                                    "source: NOT FOUND, note: why} (with the values in force from 2031)")


# --------------------------------------------------------------------------------------------
# A rule set for later years: one file
# --------------------------------------------------------------------------------------------

NF2027 = """\
# The rules from 2027 (a test: not a real year's rules).
extends: nf2022plus
name: nf2027
description: Nærhedsfinansiering 2027 onwards - a stricter target for virtual treatment
years: [2027, null]
criteria:
  virtual_share: {threshold_type: percentage_points, min_improvement: 0.5}
provenance:
  criteria.virtual_share.min_improvement: {status: assumption, source: NOT FOUND, note: a test}
"""


def criteria_for(years):
    """1 draw, 5 regions: every measured criterion 1 % better each year, virtual_share 0.2 points better."""
    import xarray as xr

    names = list(criterion_names())
    data = np.zeros((1, len(years), 5, len(names)))
    for t in range(len(years)):
        for c, name in enumerate(names):
            direction = REGISTRY[name].good_direction
            data[0, t, :, c] = 1.0 if not REGISTRY[name].measured else 0.1 * (1 + 0.01 * direction) ** t
        data[0, t, :, names.index("virtual_share")] = 0.1 + 0.002 * t
    return xr.DataArray(data, dims=("draw", "period", "region", "criterion"),
                        coords={"draw": [0], "period": list(years), "region": REGIONS, "criterion": names})


def test_a_2027_rule_set_is_one_file(tmp_path):
    """Given as the user's own file: nf2022plus ends in 2026 without being edited, and 2027 is
    assessed under the new rules."""
    import xarray as xr

    from naerhed.financing.payout import assess

    nf2027 = write(tmp_path, "nf2027.yaml", NF2027)
    rule_sets = load_rule_sets(list(HISTORICAL) + [str(nf2027)])
    assert coverage_problems(rule_sets, range(2019, 2061)) == []
    chosen = {year: rule_set_for_year(rule_sets, year).name for year in range(2021, 2031)}
    assert chosen == {2021: "nf2021", **{y: "nf2022plus" for y in range(2022, 2027)}, **{y: "nf2027" for y in range(2027, 2031)}}
    assert rule_set_for_year(rule_sets, 2027).settlement_applied is False  # nf2022plus's 2024 value
    ones = xr.DataArray(np.ones((1, 3, 5)), dims=("draw", "period", "region"),
                        coords={"draw": [0], "period": [2025, 2026, 2027], "region": REGIONS})
    payout = assess(criteria_for([2025, 2026, 2027]), rule_sets, ones, ones)
    assert payout["rule_set"].values.tolist() == ["nf2022plus", "nf2027"]  # 2026, 2027
    assert payout["criteria_met"].values[0].tolist() == [[4] * 5, [3] * 5]  # 0.2 points is not > 0.5
    # a scenario names it like any other rule file
    scenario = write(tmp_path, "s.yaml", f"name: s\nend_year: 2030\nfinancing:\n  rule_sets: "
                                         f"[nf2019, nf2020, nf2021, nf2022plus, {nf2027}]\n")
    assert load_scenario(scenario).financing.rule_sets[-1] == str(nf2027)


def test_a_2027_rule_set_dropped_into_the_rules_folder(tmp_path, monkeypatch):
    """One more file in data/rules: it is listed, ordered by its first year, and used by default."""
    import shutil

    from naerhed.financing.rules import loading

    folder = tmp_path / "rules"
    shutil.copytree(RULES_DIR, folder)
    write(folder, "nf2027.yaml", NF2027)
    monkeypatch.setattr(loading, "RULES_DIR", folder)
    assert list(packaged_rule_sets()) == list(HISTORICAL) + ["nf2027"]
    scenario = load_scenario(write(tmp_path, "s.yaml", "name: s\nend_year: 2030\n"))
    assert scenario.financing.rule_sets == list(HISTORICAL) + ["nf2027"]
    rule_sets = scenario.financing.load_rule_sets()
    assert [rule_set_for_year(rule_sets, year).name for year in (2026, 2027, 2040)] == ["nf2022plus", "nf2027", "nf2027"]


def test_an_open_end_meets_a_later_rule_set_but_a_last_year_may_not_overlap(tmp_path):
    ends_2028 = write(tmp_path, "e.yaml", "extends: nf2022plus\nname: until2028\nyears: [2027, 2028]\n")
    rule_sets = load_rule_sets(list(HISTORICAL) + [str(ends_2028)])
    assert rule_set_for_year(rule_sets, 2026).name == "nf2022plus"
    with pytest.raises(RuleSetError, match="no rule set covers 2029"):  # nf2022plus does not resume
        rule_set_for_year(rule_sets, 2029)
    assert coverage_problems(rule_sets, range(2019, 2031), between=False) == [
        "no rule set covers 2029-2030 (years of the projection; the rule sets: nf2019 2019, nf2020 2020, nf2021 2021, "
        "nf2022plus 2022 onwards, until2028 2027-2028); add a rule set for it, or one open-ended (years: [first, null])"]
    same_start = write(tmp_path, "s.yaml", "extends: nf2022plus\nname: also2022\n")
    with pytest.raises(RuleSetError, match="overlap in 2022 onwards"):
        load_rule_sets(list(HISTORICAL) + [str(same_start)])


# --------------------------------------------------------------------------------------------
# A criterion registered after import
# --------------------------------------------------------------------------------------------


@pytest.fixture
def outpatient_criterion():
    """outpatient_per_citizen = outpatient_stays / citizens, registered for the test only."""
    from naerhed.financing.criteria import Criterion, register

    criterion = register(Criterion("outpatient_per_citizen", 6, "Ambulante besøg per borger",
                                   "outpatient stays per citizen", "stays per citizen per year", -1,
                                   numerator=("outpatient_stays",), denominator=("citizens",)))
    yield criterion
    REGISTRY.pop(criterion.name)


def test_a_criterion_registered_after_import_can_count(tmp_path, outpatient_criterion):
    import xarray as xr

    from naerhed.financing.payout import assess

    path = write(tmp_path, "outpatient.yaml", """\
extends: nf2022plus
name: with_outpatient
criteria:
  outpatient_per_citizen: {counts: true, min_improvement: 0.005}
payout:
  steps: {0: 0.0, 1: 0.25, 2: 0.5, 3: 0.75, 4: 1.0, 5: 1.0}
provenance:
  criteria.outpatient_per_citizen.min_improvement: {status: assumption, source: NOT FOUND, note: a test}
""")
    rule = load_rule_set(path)
    assert rule.counted_criteria == CRITERIA[:4] + ("outpatient_per_citizen",)
    assert rule.provenance_of("criteria.outpatient_per_citizen.min_improvement").note == "a test"
    ones = xr.DataArray(np.ones((1, 2, 5)), dims=("draw", "period", "region"),
                        coords={"draw": [0], "period": [2022, 2023], "region": REGIONS})
    payout = assess(criteria_for([2022, 2023]), [rule], ones, ones)
    assert payout["criteria_met"].values[0, 0].tolist() == [5] * 5  # 1 % fewer outpatient stays > 0.5 %
    assert payout["share_kept"].values[0, 0].tolist() == [1.0] * 5
    # a name that is not registered is still an unknown key, with the registered names allowed
    problem = only_problem(write(tmp_path, "typo.yaml", "extends: nf2022plus\nname: typo\n"
                                                        "criteria:\n  outpatient_per_citizn: {counts: false}\n"))
    assert (problem.line, problem.key_path) == (4, "criteria.outpatient_per_citizn")
    assert problem.message == ("unknown key; did you mean 'outpatient_per_citizen'? Allowed keys: stays_per_citizen, "
                               "activity_per_chronic_dkk, readmission_share, virtual_share, digital_solutions, "
                               "elderly_acute_admissions, outpatient_per_citizen")


# --------------------------------------------------------------------------------------------
# Rule sets in a scenario
# --------------------------------------------------------------------------------------------


def test_a_scenario_referencing_a_broken_rule_file_gives_the_rule_files_line():
    path = FIXTURES / "scenario_with_broken_rules.yaml"
    rules = FIXTURES / "shares_not_summing.yaml"
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert [str(p) for p in info.value.problems] == [
        f"{path}:7: financing.rule_sets[2]: the rule file {rules} has 1 problem (listed below)",
        f"{rules}:8: split.shares: the shares must sum to 1 (within 1e-06); they sum to 1.1 "
        "(1081: 0.1, 1082: 0.2, 1083: 0.2, 1084: 0.3, 1085: 0.3)",
    ]


def test_scenario_rule_files_are_relative_to_the_scenario(tmp_path, monkeypatch):
    (tmp_path / "rules").mkdir()
    write(tmp_path / "rules", "late.yaml", "extends: nf2022plus\nname: late\nyears: [2022, null]\n")
    scenario_path = write(tmp_path, "s.yaml", """\
name: s
financing:
  rule_sets: [nf2019, nf2020, nf2021, rules/late.yaml]
  settlement: as_applied
""")
    monkeypatch.chdir(FIXTURES)
    scenario = load_scenario(scenario_path)
    assert scenario.financing.rule_sets[-1] == str(tmp_path / "rules" / "late.yaml")
    assert scenario.financing.settlement == "as_applied"
    rule_sets = scenario.financing.load_rule_sets()
    assert [r.name for r in rule_sets] == ["nf2019", "nf2020", "nf2021", "late"]
    assert rule_set_for_year(rule_sets, 2025).name == "late"


def test_scenario_rule_set_problems(tmp_path):
    path = write(tmp_path, "s.yaml", """\
name: s
end_year: 2030
financing:
  rule_sets: [nf2019, nf2020, nf2021, nf2012, missing.yaml]
  settlement: applied
""")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    assert [(p.line, p.key_path) for p in info.value.problems] == [
        (4, "financing.rule_sets[3]"), (4, "financing.rule_sets[4]"), (5, "financing.settlement")]
    messages = [p.message for p in info.value.problems]
    assert messages[0].startswith("unknown rule set 'nf2012'; did you mean 'nf2021'?")
    assert messages[1] == f"rule file not found: {tmp_path / 'missing.yaml'}"
    assert messages[2] == "must be one of: formal, as_applied; got 'applied'"


def test_scenario_rule_sets_must_cover_the_projection(tmp_path):
    path = write(tmp_path, "s.yaml", "name: s\nend_year: 2030\nfinancing:\n  rule_sets: [nf2019, nf2020, nf2021]\n")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    (problem,) = info.value.problems
    assert (problem.line, problem.key_path) == (4, "financing.rule_sets")
    assert problem.message.startswith("no rule set covers 2022-2029 (years of the projection")
    # a projection ending before 2022 needs no later rules
    assert load_scenario(path, ["end_year=2022"]).financing.rule_sets == ["nf2019", "nf2020", "nf2021"]

    path = write(tmp_path, "gap.yaml", "name: g\nfinancing:\n  rule_sets: [nf2019, nf2021, nf2022plus]\n")
    with pytest.raises(ScenarioError, match="no rule set covers 2020 \\(between the rule sets"):
        load_scenario(path)


def test_scenario_with_one_rule_file_name(tmp_path):
    path = write(tmp_path, "s.yaml", "name: s\nend_year: 2020\nfinancing:\n  rule_sets: nf2019\n")
    assert load_scenario(path).financing.rule_sets == ["nf2019"]


# --------------------------------------------------------------------------------------------
# The generic YAML loader
# --------------------------------------------------------------------------------------------


class _Inner(BaseModel):
    model_config = ConfigDict(extra="forbid")
    threshold: float = 0.0


class _Outer(BaseModel):
    model_config = ConfigDict(extra="forbid")
    title: str
    inner: _Inner = _Inner()


def test_load_yaml_model_reports_like_the_scenario_loader(tmp_path):
    path = write(tmp_path, "m.yaml", "title: t\ninner:\n  treshold: 1\n  threshold: high\n")
    with pytest.raises(ScenarioError) as info:
        load_yaml_model(path, _Outer)
    assert [str(p) for p in info.value.problems] == [
        f"{path}:3: inner.treshold: unknown key; did you mean 'threshold'? Allowed keys: threshold",
        f"{path}:4: inner.threshold: must be a number; got 'high'",
    ]
    good = write(tmp_path, "g.yaml", "title: t\n")
    child = write(tmp_path, "c.yaml", "extends: g.yaml\ninner: {threshold: 2}\n")
    model = load_yaml_model(child, _Outer)
    assert (model.title, model.inner.threshold) == ("t", 2.0)
    assert load_yaml_model(good, _Outer, ["inner.threshold=3"]).inner.threshold == 3.0
    with pytest.raises(RuleSetError) as info:
        load_yaml_model(child, _Outer, allow_extends=False, error=RuleSetError)
    assert [str(p) for p in info.value.problems] == [
        f"{child}: title: required key is missing; it must be text",
        f"{child}:1: extends: unknown key. Allowed keys: inner, title",
    ]


def test_share_kept_reads_float_met_with_nan_as_not_met(tmp_path):
    """met given as 1/0 floats: NaN is not met, 0.5 and more is met."""
    rule_set = weighted_rule(tmp_path, partial=False)
    met = np.array([[np.nan, 0.5, 0.49, 1.0]])
    np.testing.assert_allclose(share_kept(met, np.zeros((1, 4)), rule_set), [0.3 + 0.1])


def test_partial_credit_is_clipped_to_0_1_and_nan_gives_none(tmp_path):
    rule_set = weighted_rule(tmp_path, partial=True)
    met = np.zeros((3, 4), bool)
    fulfilment = np.array([[np.nan, 0.0, 0.0, 0.0], [1.5, 0.0, 0.0, 0.0], [-0.5, 0.5, 0.0, 0.0]])
    np.testing.assert_allclose(share_kept(met, fulfilment, rule_set), [0.0, 0.4, 0.15])


def test_share_kept_names_a_counted_criterion_that_is_missing():
    rule_set = load_rule_set("nf2021")
    with pytest.raises(ValueError, match=r"the rule set nf2021 counts virtual_share, which is not in the criteria given"):
        share_kept(np.ones(3, bool), np.ones(3), rule_set, criteria=list(CRITERIA[:3]))


def test_a_zero_reference_gives_an_infinite_relative_improvement():
    """Reference 0 (e.g. no virtual courses the year before): any improvement is met (fulfilment 1),
    any worsening is not (fulfilment 0, not the partial credit of an infinite ratio), no change is
    not met (0/0)."""
    criterion = rule(min_improvement=0.02)
    reference = np.zeros(5)
    values = np.array([-1.0, 1.0, 0.0, -1.0, 1.0])
    met, fulfilment = met_and_fulfilment(values, reference, criterion, -1, REGIONS)
    np.testing.assert_array_equal(met, [True, False, False, True, False])
    np.testing.assert_array_equal(fulfilment, [1.0, 0.0, 0.0, 1.0, 0.0])
    with pytest.raises(ValueError, match="direction must be"):
        met_and_fulfilment(values, reference, criterion, 0, REGIONS)

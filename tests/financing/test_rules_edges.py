"""Edge cases of the rule arithmetic, the rule-file sections and the rule-set loading: each a
property a user can see (a boundary, a message word for word, a form of input), written where the
mutation test (`make mutate`, tests/mutation_survivors.md) found it unchecked."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from naerhed.constants import REGION_CODES
from naerhed.financing.rules import CriterionRule, load_rule_set, met_and_fulfilment, share_kept
from naerhed.financing.rules.arithmetic import MET_TOLERANCE

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rules"
REGIONS = list(REGION_CODES)


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def weighted(tmp_path: Path, weights: str = "{stays_per_citizen: 0.4, activity_per_chronic_dkk: 0.3, "
             "readmission_share: 0.2, virtual_share: 0.1}", partial: bool = True):
    return load_rule_set(write(tmp_path, "weighted.yaml", f"""
extends: {FIXTURES / 'base.yaml'}
name: weighted
payout: {{formula: weighted, steps: null, weights: {weights}, partial: {str(partial).lower()}}}
"""))


# --------------------------------------------------------------------------------------------
# Judging a criterion
# --------------------------------------------------------------------------------------------


def test_a_missing_value_written_as_none_is_not_met():
    values = [None, 0.5, 0.5, 0.5, None]
    reference = [1.0, None, 1.0, 1.0, None]
    met, fulfilment = met_and_fulfilment(values, reference, CriterionRule(min_improvement=0.1), -1, REGIONS)
    assert met.tolist() == [False, False, True, True, False]
    assert fulfilment.tolist() == [0.0, 0.0, 1.0, 1.0, 0.0]


def test_judging_raises_no_floating_point_warning():
    """A zero reference (0/0, x/0), a NaN and a zero threshold are handled without a warning: even
    with every floating-point error raised the answer comes back."""
    reference = np.array([0.0, 0.0, 0.0, np.nan, 1.0])
    values = np.array([0.0, 1.0, -1.0, 1.0, np.nan])
    with np.errstate(all="raise"):
        for threshold in (0.0, 0.02):
            met, fulfilment = met_and_fulfilment(values, reference, CriterionRule(min_improvement=threshold), 1, REGIONS)
            assert met.tolist() == [False, True, False, False, False]
            assert fulfilment.tolist() == [0.0, 1.0, 0.0, 0.0, 0.0]


def test_an_improvement_of_exactly_the_tolerance_is_not_met_and_earns_nothing():
    """Met means larger than min_improvement + MET_TOLERANCE: 1e-12 above a zero threshold is not
    met, and with a zero threshold nothing short of it is partial credit. (Percentage points from a
    reference of 0: the improvement is the value x 100, exactly.)"""
    criterion = CriterionRule(threshold_type="percentage_points")
    values = np.array([1e-14, 2e-14, 0.0, -1e-14, 1.0])
    assert float(values[0] * 100.0) == MET_TOLERANCE
    met, fulfilment = met_and_fulfilment(values, np.zeros(5), criterion, 1, REGIONS)
    assert met.tolist() == [False, True, False, False, True]
    assert fulfilment.tolist() == [0.0, 1.0, 0.0, 0.0, 1.0]


def test_fulfilment_short_of_the_tolerance_is_at_most_one():
    """An improvement above min_improvement but within the tolerance is not met, and its partial
    credit (improvement / min_improvement, a hair above 1) is 1 at most."""
    criterion = CriterionRule(threshold_type="percentage_points", min_improvement=0.02)
    values = np.full(5, (0.02 + 0.5e-12) / 100)
    met, fulfilment = met_and_fulfilment(values, np.zeros(5), criterion, 1, REGIONS)
    assert not met.any()
    assert fulfilment.tolist() == [1.0] * 5


# --------------------------------------------------------------------------------------------
# The share kept
# --------------------------------------------------------------------------------------------


def test_share_kept_names_every_counted_criterion_that_is_missing():
    with pytest.raises(ValueError) as info:
        share_kept(np.ones(2, bool), np.ones(2), load_rule_set("nf2021"),
                   criteria=["stays_per_citizen", "activity_per_chronic_dkk"])
    assert str(info.value) == ("the rule set nf2021 counts readmission_share, virtual_share, which is not in the "
                               "criteria given")


def test_partial_credit_with_draw_and_region_axes(tmp_path):
    """[draw, region, criterion] arrays, as the payout passes them."""
    rule_set = weighted(tmp_path)
    met = np.zeros((2, 3, 4), bool)
    met[1, 2] = True
    fulfilment = np.zeros((2, 3, 4))
    fulfilment[0, 1] = [0.5, 0.0, 0.0, 1.0]
    kept = share_kept(met, fulfilment, rule_set)
    np.testing.assert_allclose(kept, [[0.0, 0.4 * 0.5 + 0.1, 0.0], [0.0, 0.0, 1.0]])


def test_a_criterion_met_counts_fully_whatever_its_fulfilment(tmp_path):
    rule_set = weighted(tmp_path)
    met = np.array([True, False, False, False])
    assert share_kept(met, np.array([0.25, 0.0, 0.0, 0.0]), rule_set) == pytest.approx(0.4)


def test_weights_summing_to_a_hair_over_1_keep_at_most_the_whole_share(tmp_path):
    """Weights are accepted within 1e-6 of summing to 1; a region meeting every criterion keeps
    its whole share, not more."""
    for partial in (False, True):
        rule_set = weighted(tmp_path, "{stays_per_citizen: 0.4, activity_per_chronic_dkk: 0.3, "
                            "readmission_share: 0.2, virtual_share: 0.1000005}", partial)
        assert share_kept(np.ones(4, bool), np.ones(4), rule_set) == 1.0
        assert share_kept(np.array([True, True, True, False]), np.zeros(4), rule_set) == pytest.approx(0.9)


# --------------------------------------------------------------------------------------------
# Sections: the helpers that read the models, and the messages of a broken value
# --------------------------------------------------------------------------------------------

import typing  # noqa: E402

from pydantic import ValidationError  # noqa: E402

from naerhed.errors import RuleSetError  # noqa: E402
from naerhed.financing.rules import SplitRule  # noqa: E402
from naerhed.financing.rules.dated import key_path_text  # noqa: E402
from naerhed.financing.rules.schema import key_path_problem  # noqa: E402
from naerhed.financing.rules.sections import mapping_types, section_model  # noqa: E402

REGIONS_TEXT = "1081 Nordjylland, 1082 Midtjylland, 1083 Syddanmark, 1084 Hovedstaden, 1085 Sjælland"


def test_section_model_and_mapping_types_look_inside_optional_and_annotated():
    assert section_model(SplitRule) is SplitRule
    assert section_model(typing.Optional[SplitRule]) is SplitRule
    assert section_model(typing.Annotated[SplitRule, "note"]) is SplitRule
    assert section_model(typing.Optional[typing.Annotated[SplitRule, "note"]]) is SplitRule
    assert section_model(typing.Optional[int]) is None and section_model(dict[str, SplitRule]) is None
    assert mapping_types(dict[int, float]) == (int, float)
    assert mapping_types(typing.Optional[dict[str, SplitRule]]) == (str, SplitRule)
    assert mapping_types(typing.Annotated[typing.Union[float, dict[int, float]], "note"]) == (int, float)
    assert mapping_types(typing.Optional[float]) is None and mapping_types(SplitRule) is None


@pytest.mark.parametrize("path, message", [
    ("pool_dk", "'pool_dk' is not a key of the rule set; did you mean 'pool_dkk'? Keys at the top level: name, "
                "description, years, pool_dkk, split, criteria, payout, settlement_applied, legal_status"),
    ("provenance", "'provenance' is not a key of the rule set. Keys at the top level: name, description, years, "
                   "pool_dkk, split, criteria, payout, settlement_applied, legal_status"),
    ("split.sharez", "'split.sharez' is not a key of the rule set; did you mean 'split.shares'? Keys in split: key, "
                     "shares, base_dkk_per_region, need_share, socioeconomic_share"),
    ("criteria.virtual_share.min_improvment",
     "'criteria.virtual_share.min_improvment' is not a key of the rule set; did you mean "
     "'criteria.virtual_share.min_improvement'? Keys in criteria.virtual_share: counts, compare_with, base_year, "
     "threshold_type, min_improvement"),
    ("criteria.virtual_shar", "'criteria.virtual_shar': unknown criterion; did you mean 'criteria.virtual_share'? "
                              "The criteria: stays_per_citizen, activity_per_chronic_dkk, readmission_share, "
                              "virtual_share, digital_solutions, elderly_acute_admissions"),
    ("criteria.xyz", "'criteria.xyz': unknown criterion. The criteria: stays_per_citizen, activity_per_chronic_dkk, "
                     "readmission_share, virtual_share, digital_solutions, elderly_acute_admissions"),
    ("split.shares.abc", "'split.shares.abc': the key after 'split.shares' must be a number (a region code or a count)"),
    ("pool_dkk.x", "'pool_dkk.x': 'pool_dkk' is a single value, it has no keys below it"),
    ("split.shares.1081.x", "'split.shares.1081.x': 'split.shares.1081' is a single value, it has no keys below it"),
    ("split.shares.1081", None),
    ("payout.weights.stays_per_citizen", None),
    ("payout.steps.2", None),
    ("criteria.virtual_share.min_improvement.1081", None),
])
def test_key_path_problems_word_for_word(path, message):
    assert key_path_problem(path) == message


def test_key_path_text_writes_list_items_in_brackets():
    assert key_path_text(("years", 0)) == "years[0]"
    assert key_path_text(("split", "shares", "1081")) == "split.shares.1081"
    assert key_path_text((0, "a")) == "[0].a"


def _problems(tmp_path: Path, body: str) -> list[str]:
    path = write(tmp_path, "broken.yaml", f"extends: {FIXTURES / 'base.yaml'}\nname: broken\n{body}\n")
    with pytest.raises(RuleSetError) as info:
        load_rule_set(path)
    return [f"{p.line}: {p.key_path}: {p.message}" for p in info.value.problems]


@pytest.mark.parametrize("body, problem", [
    ("split: {shares: {1081: 0.1, 1082: 0.2, 1083: 0.2, 1084: 0.3, 1086: 0.2}}",
     f"3: split.shares.1086: unknown region code '1086'; the regions are {REGIONS_TEXT}"),
    ("criteria: {zzzzz: {counts: true}}",
     "3: criteria.zzzzz: unknown key. Allowed keys: stays_per_citizen, activity_per_chronic_dkk, readmission_share, "
     "virtual_share, digital_solutions, elderly_acute_admissions"),
    ("criteria: {stays_per_citizen: {min_improvement: {1081: 0.1, 1082: 0.1, 1083: 0.1, 1084: 0.1, 9999: 0.1}}}",
     f"3: criteria.stays_per_citizen.min_improvement.9999: unknown region code '9999'; the regions are {REGIONS_TEXT}"),
    ("criteria: {stays_per_citizen: {min_improvement: {1081: 0.1, 1082: x, 1083: 0.1, 1084: 0.1, 1085: 0.1}}}",
     "3: criteria.stays_per_citizen.min_improvement.1082: must be a number; got 'x'"),
    ("criteria: {stays_per_citizen: {min_improvement: {1081: 0.1, 1082: true, 1083: 0.1, 1084: 0.1, 1085: 0.1}}}",
     "3: criteria.stays_per_citizen.min_improvement.1082: must be a number; got True"),
    ("criteria: {stays_per_citizen: {min_improvement: {1081: 0.1, 1082: .inf, 1083: 0.1, 1084: 0.1, 1085: 0.1}}}",
     "3: criteria.stays_per_citizen.min_improvement.1082: must be a number; got inf"),
    ("years: 2030\nsettlement_applied: {values: {2030: true}}",
     "3: years: must be a list [first, last] of calendar years between 2000 and 2100; last may be empty (null) for "
     "every year from first on; got 2030"),
    ("years: [abc, 2031]\nsettlement_applied: {values: {2030: true, 2031: false}}",
     "3: years[0]: must be a year between 2000 and 2100; got 'abc'"),
    ("years: [2030, abc]\nsettlement_applied: {values: {2030: true, 2031: false}}",
     "3: years[1]: must be a whole number between 2000 and 2100, or empty (null); got 'abc'"),
    ("years: [2030, true]\nsettlement_applied: {values: {2030: true, 2031: false}}",
     "3: years[1]: must be a whole number between 2000 and 2100, or empty (null); got true"),
])
def test_a_broken_section_value_is_reported_word_for_word(tmp_path, body, problem):
    assert _problems(tmp_path, body) == [problem]


def test_shares_name_every_missing_region():
    with pytest.raises(ValidationError) as info:
        SplitRule(shares={1081: 0.5, 1082: 0.3, 1083: 0.2})
    assert ("every region needs a share; missing: 1084 (Hovedstaden), 1085 (Sjælland) (the regions are "
            f"{REGIONS_TEXT})") in str(info.value)


def test_region_shares_in_the_order_asked():
    split = SplitRule(shares={1081: 0.1, 1082: 0.2, 1083: 0.2, 1084: 0.3, 1085: 0.2})
    assert split.region_shares().tolist() == [0.1, 0.2, 0.2, 0.3, 0.2]
    assert split.region_shares(["1085", 1081]).tolist() == [0.2, 0.1]
    with pytest.raises(ValueError) as info:
        SplitRule(key="population").region_shares()
    assert str(info.value) == "the split key 'population' has no fixed shares"


def test_a_value_by_year_in_the_long_form_without_provenance(tmp_path):
    path = write(tmp_path, "long.yaml", f"extends: {FIXTURES / 'base.yaml'}\nname: long\n"
                 "settlement_applied: {values: {2030: {value: true}, 2031: {value: false}}}\n")
    rule_set = load_rule_set(path)
    assert rule_set.dated_keys == {"settlement_applied": (2030, 2031)}
    assert [rule_set.value_in("settlement_applied", y) for y in (2030, 2031)] == [True, False]
    assert rule_set.provenance_of("settlement_applied", 2031).source == "NOT FOUND"  # the key's entry


# --------------------------------------------------------------------------------------------
# The rule set's own helpers
# --------------------------------------------------------------------------------------------

from naerhed.financing.rules import RuleSet  # noqa: E402


def test_covers_its_own_years_only():
    base = load_rule_set(FIXTURES / "base.yaml")  # 2030-2031
    assert [base.covers(y) for y in (2029, 2030, 2031, 2032)] == [False, True, True, False]
    open_ended = load_rule_set("nf2022plus")
    assert [open_ended.covers(y) for y in (2021, 2022, 2100)] == [False, True, True]


def test_in_year_value_in_and_reference_year():
    base = load_rule_set(FIXTURES / "base.yaml")
    with pytest.raises(ValueError) as info:
        base.in_year(2029)
    assert str(info.value) == "the rule set base applies from 2030; 2029 is before it"
    assert base.in_year(2031) is base  # nothing given by year
    assert base.value_in("split.shares.1084", 2030) == 0.3
    assert base.value_in("payout.steps.2", 2031) == 0.66
    later = load_rule_set("nf2022plus")
    assert [later.value_in("legal_status", y) for y in (2024, 2025)] == ["in_force", "hypothesis"]
    assert later.reference_year("virtual_share", 2024) == 2023
    assert load_rule_set("nf2019").reference_year("digital_solutions", 2019) is None
    edge = RuleSet.model_validate({**base.model_dump(exclude_unset=True), "criteria": {
        "stays_per_citizen": {"compare_with": "base_year", "base_year": 2028}, "virtual_share": {}},
        "payout": {"formula": "step", "steps": {0: 0.0, 1: 0.5, 2: 1.0}}})
    assert edge.reference_year("stays_per_citizen", 2031) == 2028 and edge.reference_year("virtual_share", 2031) == 2030


def test_where_a_value_was_written():
    base = load_rule_set(str(FIXTURES / "base.yaml"))
    assert base.line_of("pool_dkk") == (str(FIXTURES / "base.yaml"), 5)
    assert base.where("pool_dkk") == f"{FIXTURES / 'base.yaml'}:5"
    assert base.line_of("no.such.key") == (str(FIXTURES / "base.yaml"), None)
    assert base.where("no.such.key") == str(FIXTURES / "base.yaml")
    plain = RuleSet.model_validate(base.model_dump(exclude_unset=True))  # not read from a file
    assert plain.line_of("pool_dkk") == (None, None)
    assert plain.where("pool_dkk") == "base"


def test_provenance_of_a_key_is_that_of_the_nearest_key_above_it():
    base = load_rule_set(FIXTURES / "base.yaml")
    assert base.provenance_of("split.shares.1081") == base.provenance["split"]
    assert base.provenance_of("criteria.virtual_share.min_improvement") == base.provenance["criteria"]
    assert base.provenance_of("payout").source == "https://example.org/rules"
    assert base.provenance_of("legal_status") is None  # no entry for it or above it


# --------------------------------------------------------------------------------------------
# Which rule set applies to a year: the messages word for word
# --------------------------------------------------------------------------------------------

from naerhed.financing.rules import coverage_problems, rule_set_for_year  # noqa: E402


def _rule_set(name: str, first: int, last) -> RuleSet:
    """A rule set not read from a file (so `where` names it) with the given years."""
    return RuleSet.model_validate({**load_rule_set(FIXTURES / "base.yaml").model_dump(exclude_unset=True),
                                   "name": name, "years": [first, last]})


EACH = "exactly one rule set must apply to each year"


@pytest.mark.parametrize("sets, years, between, messages", [
    ([("a", 2020, 2021), ("b", 2021, 2023)], None, True,
     [f"the rule sets a (2020-2021, a) and b (2021-2023, b) overlap in 2021: {EACH}"]),
    ([("b", 2021, 2023), ("e", 2022, 2022)], None, True,
     [f"the rule sets b (2021-2023, b) and e (2022, e) overlap in 2022: {EACH}"]),
    ([("b", 2021, 2023), ("o", 2022, None)], None, True,
     [f"the rule sets b (2021-2023, b) and o (2022 onwards, o) overlap in 2022-2023: {EACH}"]),
    ([("o", 2021, None), ("p", 2021, None)], None, True,
     [f"the rule sets o (2021 onwards, o) and p (2021 onwards, p) overlap in 2021 onwards: {EACH}"]),
    ([("a", 2020, 2021), ("c", 2026, None)], None, True,
     [f"no rule set covers 2022-2025 (between the rule sets a 2020-2021, c 2026 onwards); {EACH}"]),
    ([("a", 2020, 2021), ("f", 2023, 2023), ("g", 2026, 2026)], None, True,
     [f"no rule set covers 2022, 2024-2025 (between the rule sets a 2020-2021, f 2023, g 2026); {EACH}"]),
    ([("d", 2024, None), ("e", 2022, 2022)], None, True,
     [f"no rule set covers 2023 (between the rule sets e 2022, d 2024 onwards); {EACH}"]),
    ([("d", 2024, None), ("c", 2026, None)], [2025, 2030], True, []),  # c ends the open-ended d
    ([("a", 2020, 2021)], [2019, 2020, 2023], True,
     ["no rule set covers 2023 (a year of the projection; the rule sets: a 2020-2021); add a rule set for it, or "
      "one open-ended (years: [first, null])"]),
    ([("a", 2020, 2021)], [2022, 2023, 2025], False,
     ["no rule set covers 2022-2023, 2025 (years of the projection; the rule sets: a 2020-2021); add a rule set "
      "for it, or one open-ended (years: [first, null])"]),
    ([("a", 2020, 2021), ("c", 2026, None)], [2024, 2030], False, []),  # the gap is the other check's
    ([("a", 2020, 2021), ("b", 2021, 2023)], [2021], False, []),  # overlaps too
    ([], None, True, ["no rule set given"]),
])
def test_coverage_problems_word_for_word(sets, years, between, messages):
    assert coverage_problems([_rule_set(*s) for s in sets], years, between=between) == messages


def test_rule_set_for_year_names_the_rule_sets_word_for_word():
    a, b, h = _rule_set("a", 2020, 2021), _rule_set("b", 2021, 2023), _rule_set("h", 2021, 2021)
    assert rule_set_for_year([a, b], 2020).name == "a" and rule_set_for_year([a, b], 2022).name == "b"
    cases = [
        ([a, b], 2021, (None, None, "years", f"the rule sets a (2020-2021) and b (2021-2023, b) both apply to 2021; {EACH}")),
        ([a, b, h], 2021, (None, None, "years",
                           f"the rule sets a (2020-2021) and b (2021-2023, b), h (2021, h) all apply to 2021; {EACH}")),
        ([b, a], 2025, (None, None, "", f"no rule set covers 2025 (the rule sets: a 2020-2021, b 2021-2023); {EACH}")),
        ([], 2025, (None, None, "", f"no rule set covers 2025 (the rule sets: none); {EACH}")),
    ]
    for sets, year, problem in cases:
        with pytest.raises(RuleSetError) as info:
            rule_set_for_year(sets, year)
        assert [(p.file, p.line, p.key_path, p.message) for p in info.value.problems] == [problem]
    with pytest.raises(RuleSetError) as info:
        rule_set_for_year([load_rule_set(FIXTURES / "base.yaml"), _rule_set("x", 2031, 2031)], 2031)
    assert (info.value.problems[0].file, info.value.problems[0].line) == (str(FIXTURES / "base.yaml"), 4)


# --------------------------------------------------------------------------------------------
# Loading: the order of the packaged rule sets, the order and words of the problems
# --------------------------------------------------------------------------------------------

import naerhed.financing.rules.loading as loading  # noqa: E402
from naerhed.financing.rules import load_rule_sets, packaged_rule_sets  # noqa: E402

PACKAGED = ("Packaged rule sets: nf2019, nf2020, nf2021, nf2022plus; packaged examples: successor2027; "
            "or give the path of a rule file (ending in .yaml)")


def test_packaged_rule_sets_are_in_the_order_of_their_first_years_then_names(tmp_path, monkeypatch):
    base = (FIXTURES / "base.yaml").read_text(encoding="utf-8")
    for name, years in (("a_late", "[2040, null]"), ("b_early", "[2030, 2031]"), ("c_mid", "[2032, 2039]"),
                        ("b_mid", "[2032, 2039]")):
        write(tmp_path, f"{name}.yaml", base.replace("name: base", f"name: {name}").replace("[2030, 2031]", years))
    monkeypatch.setattr(loading, "RULES_DIR", tmp_path)
    assert list(packaged_rule_sets()) == ["b_early", "b_mid", "c_mid", "a_late"]


def test_an_unknown_rule_set_name_word_for_word():
    for name, hint in (("zzzz", "."), ("nf2012", "; did you mean 'nf2021'?")):
        with pytest.raises(RuleSetError) as info:
            load_rule_sets([name])
        assert [(p.file, p.line, p.key_path, p.message) for p in info.value.problems] == [
            (None, None, "", f"unknown rule set '{name}'{hint} {PACKAGED}")]


def test_problems_of_the_file_first_then_those_it_extends_by_line_and_every_file_together(tmp_path):
    write(tmp_path, "parent.yaml", f"extends: {FIXTURES / 'base.yaml'}\nname: parent\npool_dkk: -1\n"
                                   "split: {need_share: 2}\n")
    child = write(tmp_path, "child.yaml", "extends: parent.yaml\nname: child\npayout: {steps: {1: 0.1, 0: 0.2}}\n"
                                          "years: [2030, 2029]\n")
    with pytest.raises(RuleSetError) as info:
        load_rule_sets([str(child), "zzzz"])
    assert [(p.file and Path(p.file).name, p.line, p.key_path) for p in info.value.problems] == [
        ("child.yaml", 3, "payout.steps.1"), ("child.yaml", 4, "years"), ("parent.yaml", 3, "pool_dkk"),
        ("parent.yaml", 4, "split.need_share"), (None, None, "")]
    with pytest.raises(RuleSetError) as info:
        load_rule_sets(["nf2021", str(FIXTURES / "overlap_2021.yaml")])
    [problem] = info.value.problems
    assert (problem.file, problem.line, problem.key_path) == (None, None, "")
    assert problem.message.startswith("the rule sets nf2021 (2021, ")


# --------------------------------------------------------------------------------------------
# Values given by year: the problems of their form and of later periods, where they are written
# --------------------------------------------------------------------------------------------

YEAR_KEYS = "each key of values must be a calendar year between 2000 and 2100"


@pytest.mark.parametrize("body, problems", [
    ("settlement_applied: {values: {2030: true, 2031: maybe}}",
     ["3: settlement_applied.values.2031: must be true or false; got 'maybe' (with the values in force from 2031)"]),
    ("pool_dkk: {values: {2030: 1.0e9, 2031: {value: -5, provenance: {status: assumption, source: NOT FOUND}}}}",
     ["3: pool_dkk.values.2031.value: must be a number greater than 0; got -5 (with the values in force from 2031)"]),
    ("pool_dkk: {values: {2030: 1.0e9, 2031: {value: 2.0e9, provenance: {status: published, source: NOT FOUND}}}}",
     ["3: pool_dkk.values.2031.provenance.status: a published value needs the URL of its source; with no source, "
      "write status: assumption"]),
    ("pool_dkk: {values: {2031: 1.0e9}}",
     ["3: pool_dkk.values.2031: the first value is for 2031, after the first year of the rule set (2030); give the "
      "value in force in 2030 (a year 2030 or earlier)"]),
    ("pool_dkk: {values: {abc: 1.0e9, 2030: 2.0e9}}", [f"3: pool_dkk.values.abc: {YEAR_KEYS}"]),
    ("pool_dkk: {values: {2030: 1.0e9, 2101: 2.0e9}}", [f"3: pool_dkk.values.2101: {YEAR_KEYS}"]),
    ("pool_dkk: {values: {1999: 1.0e9, 2031: 2.0e9}}",
     [f"3: pool_dkk.values.1999: {YEAR_KEYS}",
      "3: pool_dkk.values.2031: the first value is for 2031, after the first year of the rule set (2030); give the "
      "value in force in 2030 (a year 2030 or earlier)"]),
    ("pool_dkk: {values: {2030: {provenance: {status: assumption, source: NOT FOUND}}}}",
     ["3: pool_dkk.values.2030.value: required key is missing; it must be the value from that year on"]),
    ("pool_dkk: {values: [1, 2]}",
     ["3: pool_dkk.values: must be a mapping of calendar year to value, e.g. {2022: false, 2024: true}; got [1, 2]"]),
    ("pool_dkk: {values: {2030: 1.0e9}, other: 1}", ["3: pool_dkk.other: unknown key. Allowed keys: values"]),
    ("split: {shares: {values: {2030: {1081: 0.1, 1082: 0.2, 1083: 0.2, 1084: 0.3, 1085: 0.2}, "
     "2031: {1081: 0.5, 1082: 0.2, 1083: 0.2, 1084: 0.3, 1085: 0.2}}}}",
     ["3: split.shares.values.2031: the shares must sum to 1 (within 1e-06); they sum to 1.4 (1081: 0.5, 1082: 0.2, "
      "1083: 0.2, 1084: 0.3, 1085: 0.2) (with the values in force from 2031)"]),
    ("provenance: ~\npool_dkk: {values: {2030: {value: 1.0e9, provenance: {status: assumption, source: NOT FOUND}}}}",
     ["4: provenance: every value needs a provenance entry (published with its URL, or assumption); missing: split, "
      "criteria, payout, settlement_applied. Add e.g. split: {status: assumption, source: NOT FOUND, note: why}"]),
])
def test_values_by_year_problems_word_for_word(tmp_path, body, problems):
    assert _problems(tmp_path, body) == problems


def test_a_value_by_year_in_a_file_that_extends_one_replaces_it_whole(tmp_path):
    """A plain mapping over one given by year (and the other way round) replaces it; an entry with
    its own provenance over a plain entry replaces that entry."""
    write(tmp_path, "parent.yaml", f"extends: {FIXTURES / 'base.yaml'}\nname: parent\n"
          "split: {shares: {values: {2030: {1081: 0.1, 1082: 0.2, 1083: 0.2, 1084: 0.3, 1085: 0.2}, "
          "2031: {1081: 0.2, 1082: 0.2, 1083: 0.2, 1084: 0.2, 1085: 0.2}}}}\n"
          "settlement_applied: {values: {2030: true, 2031: {value: false, provenance: {status: assumption, "
          "source: NOT FOUND, note: parent}}}}\n")
    child = load_rule_set(write(tmp_path, "child.yaml", "extends: parent.yaml\nname: child\n"
                                "split: {shares: {1081: 0.2, 1082: 0.2, 1083: 0.2, 1084: 0.3, 1085: 0.1}}\n"
                                "settlement_applied: {values: {2031: true}}\n"))
    assert [child.value_in("split.shares.1085", y) for y in (2030, 2031)] == [0.1, 0.1]
    assert child.dated_keys == {"settlement_applied": (2030, 2031)}
    assert [child.value_in("settlement_applied", y) for y in (2030, 2031)] == [True, True]
    assert child.provenance_of("settlement_applied", 2031).note == ""  # the key's entry, not the parent's

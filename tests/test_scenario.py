"""Scenario models, the YAML loader (line numbers, extends, --set overrides) and the JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from naerhed.errors import NaerhedError, ScenarioError
from naerhed.scenario import (
    OVERRIDE_SOURCE,
    Problem,
    Scenario,
    load_scenario,
    scenario_field_info,
    scenario_json_schema,
)

REPO = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "scenarios"
SCENARIOS = REPO / "scenarios"


def problems_of(path, overrides=()) -> list[Problem]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, overrides)
    problems = info.value.problems
    assert problems, "a ScenarioError must list its problems"
    assert all(isinstance(p, Problem) for p in problems)
    return problems


def only_problem(path, overrides=()) -> Problem:
    problems = problems_of(path, overrides)
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------------------------
# The models
# --------------------------------------------------------------------------------------------


def test_defaults_need_only_a_name():
    scenario = Scenario(name="x")
    assert scenario.seed == 20190101
    assert scenario.draws == 1
    assert scenario.end_year == 2030
    assert scenario.population.base_year == 2019
    assert scenario.population.sample_fraction == 0.01
    assert scenario.demography.mortality.improvement == "trend"
    assert scenario.demography.mortality.base_period == (2017, 2018)
    assert scenario.demography.mortality.trend_period == (2008, 2019)
    assert scenario.demography.fertility.tfr is None
    assert scenario.demography.migration.scale == 1.0
    assert scenario.demography.alignment.target == "none"
    assert all(value is None for value in scenario.data.model_dump().values())
    assert scenario.source_path is None
    with pytest.raises(ValidationError):
        Scenario()


def test_resolved_is_plain_json_with_every_value():
    resolved = Scenario(name="x").resolved()
    assert json.loads(json.dumps(resolved)) == resolved
    assert set(resolved) == {
        "name", "description", "seed", "draws", "end_year", "population", "demography", "health",
        "uncertainty", "data", "financing", "interventions", "intervention_contributions",
    }
    assert resolved["demography"]["mortality"]["base_period"] == [2017, 2018]
    assert set(resolved["data"]) == {
        "population", "municipalities", "mortality_age5", "mortality_single_age", "fertility", "fertility_region",
        "net_migration_total", "net_migration_sex_age", "projection", "calibration",
        "hospital_use_rates", "hospital_use_parameters", "hospital_use_trends", "chronic_prevalence",
        "chronic_parameters", "chronic_targets", "year_shocks", "regions",
    }


def test_every_field_has_a_description_and_a_unit():
    info = scenario_field_info()
    assert "demography.mortality.improvement" in info
    for key, field in info.items():
        assert field["description"], key
        assert field["unit"], key


def test_python_construction_checks_the_year_order():
    with pytest.raises(ValidationError, match="must be after population.base_year"):
        Scenario(name="x", end_year=2015, population={"base_year": 2019})


def test_improvement_accepts_trend_or_a_number_in_range():
    assert Scenario(name="x", demography={"mortality": {"improvement": 0.02}}).demography.mortality.improvement == 0.02
    with pytest.raises(ValidationError):
        Scenario(name="x", demography={"mortality": {"improvement": 0.5}})


# --------------------------------------------------------------------------------------------
# The packaged scenario files
# --------------------------------------------------------------------------------------------


def test_baseline():
    scenario = load_scenario(SCENARIOS / "baseline.yaml")
    assert scenario.name == "baseline"
    assert scenario.seed == 20190101
    assert scenario.draws == 100
    assert scenario.end_year == 2031  # present-day: from the latest packaged population, 2026-2030 assessed
    assert scenario.population.base_year == 2025
    assert scenario.population.sample_fraction == 0.05
    assert scenario.demography.alignment.target == "none"
    assert Path(scenario.data.calibration).name == "calibration_targets_2025.csv"
    assert scenario.source_path == (SCENARIOS / "baseline.yaml").resolve()
    assert scenario.resolved()["name"] == "baseline"


def test_history_2019_is_the_old_baseline():
    scenario = load_scenario(SCENARIOS / "history_2019.yaml")
    assert scenario.name == "history_2019"
    assert (scenario.population.base_year, scenario.end_year) == (2019, 2030)
    assert scenario.population.sample_fraction == 0.05 and scenario.draws == 100
    assert tuple(scenario.demography.mortality.base_period) == (2017, 2018)
    assert Path(scenario.data.calibration).name == "calibration_targets.csv"


def test_full_population_extends_baseline():
    scenario = load_scenario(SCENARIOS / "full_population.yaml")
    assert scenario.name == "full_population"
    assert scenario.population.sample_fraction == 1.0
    assert scenario.population.base_year == 2025  # inherited from the present-day baseline
    assert scenario.end_year == 2031
    assert scenario.source_files == (
        (SCENARIOS / "full_population.yaml").resolve(),
        (SCENARIOS / "baseline.yaml").resolve(),
    )


def test_aligned_extends_baseline():
    scenario = load_scenario(SCENARIOS / "aligned.yaml")
    assert scenario.name == "aligned"
    assert scenario.demography.alignment.target == "projection"
    assert scenario.population.sample_fraction == 0.05  # inherited from baseline


# --------------------------------------------------------------------------------------------
# Broken fixtures: exact messages with file, line, key path and what is allowed
# --------------------------------------------------------------------------------------------


def test_misspelt_key_suggests_the_right_one():
    path = FIXTURES / "misspelt_key.yaml"
    problem = only_problem(path)
    assert (problem.file, problem.line, problem.key_path) == (
        str(path), 7, "demography.mortality.improvment"
    )
    assert problem.message == (
        "unknown key; did you mean 'improvement'? "
        "Allowed keys: base_period, improvement, trend_period"
    )
    assert str(problem) == (
        f"{path}:7: demography.mortality.improvment: unknown key; did you mean 'improvement'? "
        "Allowed keys: base_period, improvement, trend_period"
    )


def test_wrong_type():
    path = FIXTURES / "wrong_type.yaml"
    problem = only_problem(path)
    assert str(problem) == (
        f"{path}:5: population.sample_fraction: "
        "must be a number between 0 (exclusive) and 1; got 'half'"
    )


def test_out_of_range_reports_both_values():
    path = FIXTURES / "out_of_range.yaml"
    assert [str(p) for p in problems_of(path)] == [
        f"{path}:3: draws: must be a whole number between 1 and 100000; got 0",
        f"{path}:5: population.sample_fraction: "
        "must be a number between 0 (exclusive) and 1; got 1.5",
    ]


def test_end_year_before_base_year():
    path = FIXTURES / "end_before_base.yaml"
    problem = only_problem(path)
    assert (problem.file, problem.line, problem.key_path) == (str(path), 3, "end_year")
    assert problem.message.startswith("must be after population.base_year (2019)")
    assert problem.message.endswith("got 2018")


def test_bad_literal_lists_the_choices():
    path = FIXTURES / "bad_literal.yaml"
    assert str(only_problem(path)) == (
        f"{path}:5: demography.alignment.target: must be one of: none, projection; got 'projections'"
    )


def test_invalid_yaml_syntax_gives_the_line():
    path = FIXTURES / "bad_syntax.yaml"
    problem = only_problem(path)
    assert (problem.file, problem.line) == (str(path), 5)
    assert problem.message.startswith("invalid YAML: mapping values are not allowed here")
    assert "indentation" in problem.message


def test_top_level_list():
    path = FIXTURES / "top_level_list.yaml"
    problem = only_problem(path)
    assert (problem.file, problem.line) == (str(path), 2)
    assert problem.message == "the top level must be a mapping of keys (key: value), but it is a list"


def test_empty_file():
    path = FIXTURES / "empty.yaml"
    problem = only_problem(path)
    assert problem.file == str(path)
    assert "the file is empty" in problem.message


def test_missing_file():
    path = FIXTURES / "does_not_exist.yaml"
    assert str(only_problem(path)) == f"{path}: scenario file not found"


def test_extends_a_missing_file():
    path = FIXTURES / "extends_missing.yaml"
    problem = only_problem(path)
    assert (problem.file, problem.line, problem.key_path) == (str(path), 3, "extends")
    assert problem.message.startswith(
        f"cannot find the scenario file it extends: {FIXTURES / 'no_such_parent.yaml'}"
    )


def test_extends_cycle():
    path = FIXTURES / "cycle_a.yaml"
    problem = only_problem(path)
    assert (problem.file, problem.line, problem.key_path) == (
        str(FIXTURES / "cycle_b.yaml"), 2, "extends"
    )
    assert problem.message == (
        "scenario files extend each other in a cycle: cycle_a.yaml -> cycle_b.yaml -> cycle_a.yaml"
    )


def test_self_extension_is_a_cycle(tmp_path):
    path = write(tmp_path, "self.yaml", "name: self\nextends: self.yaml\n")
    problem = only_problem(path)
    assert problem.line == 2
    assert "cycle: self.yaml -> self.yaml" in problem.message


def test_three_problems_reported_at_once():
    path = FIXTURES / "three_problems.yaml"
    assert [str(p) for p in problems_of(path)] == [
        f"{path}:3: draws: must be a whole number between 1 and 100000; got 'many'",
        f"{path}:8: demography.migration.scael: unknown key; did you mean 'scale'? "
        "Allowed keys: scale",
        f"{path}:10: demography.alignment.target: must be one of: none, projection; got 'full'",
    ]


def test_problem_in_parent_points_to_the_parent():
    problem = only_problem(FIXTURES / "child_of_bad_parent.yaml")
    assert str(problem) == (
        f"{FIXTURES / 'bad_parent.yaml'}:6: demography.migration.scale: "
        "must be a number between 0 and 5; got 9"
    )


def test_problems_in_parent_and_child_each_point_to_their_file(tmp_path):
    parent = write(tmp_path, "parent.yaml", "name: p\ndraws: 0\n")
    child = write(tmp_path, "child.yaml", "extends: parent.yaml\nname: c\nseed: -5\n")
    assert [(p.file, p.line, p.key_path) for p in problems_of(child)] == [
        (str(child), 3, "seed"),
        (str(parent), 2, "draws"),
    ]


def test_child_value_replaces_an_invalid_parent_value(tmp_path):
    write(tmp_path, "parent.yaml", "name: p\ndemography:\n  migration:\n    scale: 9\n")
    child = write(
        tmp_path, "child.yaml", "extends: parent.yaml\ndemography:\n  migration:\n    scale: 2\n"
    )
    scenario = load_scenario(child)
    assert scenario.name == "p"  # inherited like any other value
    assert scenario.demography.migration.scale == 2


def test_duplicate_key_and_other_problems_together():
    path = FIXTURES / "duplicate_key.yaml"
    assert [str(p) for p in problems_of(path)] == [
        f"{path}:4: draws: duplicate key; it is already set on line 3",
        f"{path}:5: seed: must be a whole number between 0 and 9223372036854775807; got -1",
    ]


def test_key_in_the_wrong_section_is_pointed_to(tmp_path):
    path = write(tmp_path, "s.yaml", "name: s\nsample_fraction: 0.5\n")
    problem = only_problem(path)
    assert (problem.line, problem.key_path) == (2, "sample_fraction")
    assert problem.message.startswith(
        "unknown key here; did you mean 'population.sample_fraction'? Allowed keys: data, "
    )


def test_misspelt_extends_is_suggested(tmp_path):
    path = write(tmp_path, "s.yaml", "name: s\nextend: baseline.yaml\n")
    assert "did you mean 'extends'?" in only_problem(path).message


def test_booleans_are_not_numbers(tmp_path):
    path = write(tmp_path, "s.yaml", "name: s\ndraws: yes\n")
    assert only_problem(path).message == "must be a whole number between 1 and 100000; got true"


def test_period_problems(tmp_path):
    path = write(
        tmp_path,
        "s.yaml",
        "name: s\ndemography:\n  mortality:\n"
        "    base_period: [2018, 2016]\n"
        "    trend_period: [2015, 2017]\n",
    )
    assert [(p.line, p.key_path, p.message) for p in problems_of(path)] == [
        (4, "demography.mortality.base_period",
         "the first year (2018) must not be after the last year (2016); write [first, last], "
         "e.g. [2016, 2018]"),
        (5, "demography.mortality.trend_period",
         "must cover at least 5 years (first and last year included); [2015, 2017] covers 3"),
    ]


def test_period_item_out_of_range_points_to_its_line(tmp_path):
    path = write(
        tmp_path,
        "s.yaml",
        "name: s\ndemography:\n  mortality:\n    base_period:\n      - 2017\n      - 2030\n",
    )
    problem = only_problem(path)
    assert (problem.line, problem.key_path) == (6, "demography.mortality.base_period[1]")
    assert problem.message == "must be a year between 2008 and 2022; got 2030"


def test_period_with_one_year(tmp_path):
    path = write(tmp_path, "s.yaml", "name: s\ndemography:\n  mortality:\n    base_period: [2018]\n")
    problem = only_problem(path)
    assert problem.key_path == "demography.mortality.base_period"
    assert problem.message == (
        "must be a list of two years [first, last], each a year between 2008 and 2022; got [2018]"
    )


def test_improvement_message(tmp_path):
    path = write(tmp_path, "s.yaml", "name: s\ndemography:\n  mortality:\n    improvement: fast\n")
    assert only_problem(path).message == (
        "must be either 'trend' or a number between -0.05 and 0.1; got 'fast'"
    )


def test_missing_name(tmp_path):
    path = write(tmp_path, "s.yaml", "draws: 2\n")
    problem = only_problem(path)
    assert (problem.file, problem.line, problem.key_path) == (str(path), None, "name")
    assert problem.message.startswith("required key is missing; it must be text made of letters")


def test_name_with_space(tmp_path):
    path = write(tmp_path, "s.yaml", "name: my scenario\n")
    problem = only_problem(path)
    assert problem.message.endswith("got 'my scenario'")
    assert "output folder" in problem.message


def test_tabs_are_explained(tmp_path):
    path = write(tmp_path, "s.yaml", "name: s\npopulation:\n\tbase_year: 2019\n")
    problem = only_problem(path)
    assert problem.line == 3
    assert "tabs" in problem.message


def test_empty_section_means_defaults(tmp_path):
    path = write(tmp_path, "s.yaml", "name: s\npopulation:\ndata:\n")
    assert load_scenario(path).population.sample_fraction == 0.01


def test_section_given_a_scalar(tmp_path):
    path = write(tmp_path, "s.yaml", "name: s\npopulation: 5\n")
    assert str(only_problem(path)) == (
        f"{path}:2: population: must be a section with the keys: base_year, sample_fraction, sample_replicates; got 5"
    )


@pytest.mark.parametrize(
    "section",
    [
        "",
        "population",
        "demography",
        "demography.mortality",
        "demography.fertility",
        "demography.migration",
        "demography.alignment",
        "data",
    ],
)
def test_unknown_key_rejected_at_every_level(tmp_path, section):
    lines = ["name: s"]
    parts = section.split(".") if section else []
    for depth, part in enumerate(parts):
        lines.append("  " * depth + f"{part}:")
    lines.append("  " * len(parts) + "bogus_key: 1")
    path = write(tmp_path, "s.yaml", "\n".join(lines) + "\n")
    problem = only_problem(path)
    expected_key = f"{section}.bogus_key" if section else "bogus_key"
    assert (problem.file, problem.line, problem.key_path) == (str(path), len(lines), expected_key)
    assert problem.message.startswith("unknown key. Allowed keys: ")

    # the JSON Schema forbids it too
    schema = scenario_json_schema()
    node = schema
    for part in parts:
        node = node["properties"][part]
        ref = node.get("$ref") or next(x["$ref"] for x in node.get("allOf", []))
        node = schema["$defs"][ref.split("/")[-1]]
    assert node["additionalProperties"] is False
    assert "bogus_key" not in node["properties"]


# --------------------------------------------------------------------------------------------
# extends
# --------------------------------------------------------------------------------------------


def test_extends_chain_merges_deeply():
    child = FIXTURES / "nested" / "chain_child.yaml"
    scenario = load_scenario(child)
    assert scenario.name == "chain_child"
    assert scenario.description == "root of the chain"  # from chain_base
    assert scenario.seed == 1  # from chain_base
    assert scenario.draws == 3  # chain_middle over chain_base
    assert scenario.end_year == 2040  # chain_child
    assert scenario.population.base_year == 2019  # chain_base, beside the child's sample_fraction
    assert scenario.population.sample_fraction == 0.1  # chain_child over chain_base
    mortality = scenario.demography.mortality
    assert mortality.improvement == "trend"  # chain_middle over chain_base's 0.01
    assert mortality.base_period == (2016, 2018)  # chain_base, kept beside chain_middle's key
    assert scenario.demography.migration.scale == 0.8
    assert scenario.demography.alignment.target == "projection"
    assert scenario.demography.fertility.tfr == 1.7
    # relative to the file that wrote it (chain_base.yaml), not the child's folder
    assert scenario.data.population == FIXTURES / "data" / "population.csv"
    assert scenario.resolved()["data"]["population"] == str(FIXTURES / "data" / "population.csv")
    assert scenario.source_path == child.resolve()
    assert scenario.source_files == (
        child.resolve(),
        (FIXTURES / "chain_middle.yaml").resolve(),
        (FIXTURES / "chain_base.yaml").resolve(),
    )


def test_lists_replace_and_mappings_merge(tmp_path):
    write(
        tmp_path,
        "parent.yaml",
        "name: p\ndemography:\n  mortality:\n    base_period: [2010, 2012]\n    improvement: 0.02\n",
    )
    child = write(
        tmp_path,
        "child.yaml",
        "extends: parent.yaml\nname: c\ndemography:\n  mortality:\n    base_period: [2015, 2016]\n",
    )
    mortality = load_scenario(child).demography.mortality
    assert mortality.base_period == (2015, 2016)
    assert mortality.improvement == 0.02


def test_extends_must_be_a_path(tmp_path):
    path = write(tmp_path, "s.yaml", "name: s\nextends: [a.yaml]\n")
    problem = only_problem(path)
    assert (problem.line, problem.key_path) == (2, "extends")
    assert problem.message.startswith("must be the path of another scenario file")


def test_syntax_error_in_parent_points_to_the_parent(tmp_path):
    parent = write(tmp_path, "parent.yaml", "name: p\ndraws: [1\n")
    child = write(tmp_path, "child.yaml", "extends: parent.yaml\n")
    problem = only_problem(child)
    assert problem.file == str(parent)
    assert problem.message.startswith("invalid YAML")


# --------------------------------------------------------------------------------------------
# --set overrides
# --------------------------------------------------------------------------------------------


def test_overrides_apply_in_order():
    scenario = load_scenario(
        SCENARIOS / "baseline.yaml",
        [
            "demography.migration.scale=0.5",
            "demography.mortality.base_period=[2016,2018]",
            "demography.mortality.improvement=0.01",
            "demography.fertility.tfr=1.6",
            "draws=4",
            "draws=5",
            "name=sensitivity",
        ],
    )
    assert scenario.demography.migration.scale == 0.5
    assert scenario.demography.mortality.base_period == (2016, 2018)
    assert scenario.demography.mortality.improvement == 0.01
    assert scenario.demography.fertility.tfr == 1.6
    assert scenario.draws == 5
    assert scenario.name == "sensitivity"
    assert scenario.population.sample_fraction == 0.05  # untouched
    assert scenario.overrides[0] == "demography.migration.scale=0.5"


def test_override_with_a_mapping_merges():
    scenario = load_scenario(SCENARIOS / "baseline.yaml", ["population={sample_fraction: 0.5}"])
    assert scenario.population.sample_fraction == 0.5
    assert scenario.population.base_year == 2025


def test_override_with_an_invalid_value():
    problem = only_problem(SCENARIOS / "baseline.yaml", ["demography.migration.scale=9"])
    assert (problem.file, problem.line, problem.key_path) == (
        OVERRIDE_SOURCE, None, "demography.migration.scale"
    )
    assert str(problem) == (
        "--set demography.migration.scale: must be a number between 0 and 5; got 9"
    )


def test_override_with_an_unknown_key():
    problem = only_problem(SCENARIOS / "baseline.yaml", ["demography.migraton.scale=0.5"])
    assert str(problem) == (
        "--set demography.migraton: unknown key; did you mean 'migration'? "
        "Allowed keys: alignment, fertility, migration, mortality"
    )


def test_override_through_a_non_mapping():
    problem = only_problem(SCENARIOS / "baseline.yaml", ["seed.value=3"])
    assert str(problem) == (
        "--set seed.value: 'seed' is a single value, not a section with keys; use --set seed=VALUE"
    )


def test_malformed_overrides_are_all_reported():
    problems = problems_of(
        SCENARIOS / "baseline.yaml",
        ["draws", "=3", "population..base_year=2019", "draws=[1", "draws=0"],
    )
    assert [str(p) for p in problems] == [
        "--set draws: must have the form key.path=value, e.g. demography.migration.scale=0.5",
        "--set: the key path must be key names separated by '.', with [n] for the n-th item of a list (counting from 0), e.g. demography.migration.scale",
        "--set population..base_year: the key path must be key names separated by '.', "
        "with [n] for the n-th item of a list (counting from 0), e.g. demography.migration.scale",
        "--set draws: cannot read the value '[1' (expected ',' or ']', but got '<stream end>'); "
        "write a single YAML value, e.g. 0.5, trend or [2016, 2018]",
        "--set draws: must be a whole number between 1 and 100000; got 0",
    ]


def test_override_and_file_problems_together():
    path = FIXTURES / "wrong_type.yaml"
    problems = problems_of(path, ["demography.alignment.target=all"])
    assert [p.file for p in problems] == [str(path), OVERRIDE_SOURCE]


def test_override_can_fix_a_file(tmp_path):
    path = FIXTURES / "out_of_range.yaml"
    scenario = load_scenario(path, ["draws=2", "population.sample_fraction=0.2"])
    assert (scenario.draws, scenario.population.sample_fraction) == (2, 0.2)


def test_end_year_default_points_to_base_year(tmp_path):
    path = write(tmp_path, "s.yaml", "name: s\npopulation:\n  base_year: 2030\n")
    problem = only_problem(path)
    assert (problem.line, problem.key_path) == (3, "end_year")
    assert "end_year is not set, so its default applies" in problem.message


# --------------------------------------------------------------------------------------------
# Data files
# --------------------------------------------------------------------------------------------


def test_missing_data_file(tmp_path):
    path = write(tmp_path, "s.yaml", "name: s\ndata:\n  fertility: tables/fert.csv\n")
    problem = only_problem(path)
    assert (problem.line, problem.key_path) == (3, "data.fertility")
    assert problem.message == f"file not found: {tmp_path / 'tables' / 'fert.csv'}"


def test_data_file_relative_to_the_scenario(tmp_path):
    table = write(tmp_path, "tables/fert.csv", "a\n1\n")
    path = write(tmp_path, "s.yaml", "name: s\ndata:\n  fertility: tables/fert.csv\n")
    assert load_scenario(path).data.fertility == table


def test_data_file_override_relative_to_the_current_folder(tmp_path, monkeypatch):
    table = write(tmp_path, "here/proj.csv", "a\n1\n")
    monkeypatch.chdir(tmp_path / "here")
    scenario = load_scenario(SCENARIOS / "baseline.yaml", ["data.projection=proj.csv"])
    assert scenario.data.projection == table
    assert scenario.resolved()["data"]["projection"] == str(table)


def test_data_file_must_be_a_file(tmp_path):
    (tmp_path / "folder").mkdir()
    path = write(tmp_path, "s.yaml", "name: s\ndata:\n  population: folder\n  projection: 3\n")
    assert [p.message for p in problems_of(path)] == [
        f"is a folder, not a file: {tmp_path / 'folder'}",
        "must be the path of an existing file, or empty (null); got 3",
    ]


# --------------------------------------------------------------------------------------------
# Problems and errors
# --------------------------------------------------------------------------------------------


def test_problem_text():
    assert str(Problem("a.yaml", 3, "draws", "bad")) == "a.yaml:3: draws: bad"
    assert str(Problem("a.yaml", None, "name", "bad")) == "a.yaml: name: bad"
    assert str(Problem("a.yaml", 2, "", "bad")) == "a.yaml:2: bad"
    assert str(Problem(OVERRIDE_SOURCE, None, "draws", "bad")) == "--set draws: bad"


def test_scenario_error_is_a_naerhed_error():
    with pytest.raises(NaerhedError) as info:
        load_scenario(FIXTURES / "three_problems.yaml")
    assert len(info.value.problems) == 3
    assert str(info.value).count("\n") == 2


# --------------------------------------------------------------------------------------------
# JSON Schema
# --------------------------------------------------------------------------------------------


def test_json_schema():
    schema = scenario_json_schema()
    json.dumps(schema)
    assert schema["title"] == "naerhed scenario"
    assert schema["required"] == ["name"]
    assert schema["additionalProperties"] is False
    assert "extends" in schema["properties"]
    assert schema["properties"]["name"]["pattern"] == "^[A-Za-z0-9][A-Za-z0-9_.-]*$"
    population = schema["$defs"]["PopulationSettings"]["properties"]
    assert population["sample_fraction"]["exclusiveMinimum"] == 0
    assert population["sample_fraction"]["maximum"] == 1
    assert population["sample_fraction"]["description"].startswith("Share of the persons simulated")
    assert population["sample_fraction"]["unit"]
    target = schema["$defs"]["AlignmentSettings"]["properties"]["target"]
    assert target["enum"] == ["none", "projection"]
    for definition in schema["$defs"].values():
        assert definition["additionalProperties"] is False
        for name, prop in definition["properties"].items():
            assert prop.get("description"), name
            assert prop.get("unit"), name


def test_health_section_problems_are_all_reported_with_their_paths():
    with pytest.raises(ScenarioError) as info:
        load_scenario(FIXTURES / "bad_health.yaml")
    messages = {p.key_path: (p.line, p.message) for p in info.value.problems}
    assert messages["health.cost_ageing"][0] == 4
    assert "healthy_ageing, constant_standards, constant_mortality" in messages["health.cost_ageing"][1]
    assert messages["health.trends.virtual_courses"] == (6, "a normal distribution takes exactly: mean, sd; missing: sd")
    assert "one of: normal, uniform, triangular" in messages["health.trends.outpatient_stays.distribution"][1]
    assert "low < high" in messages["health.trends.acute_admissions"][1]
    assert "between 0 and 1" in messages["health.digital_solutions_met"][1]
    assert len(info.value.problems) == 5


def test_uncertain_values_accept_numbers_and_distributions():
    scenario = Scenario.model_validate({"name": "u", "health": {"trends": {
        "virtual_courses": 0.05,
        "acute_admissions": {"distribution": "triangular", "low": -0.02, "mode": -0.01, "high": 0.0}}}})
    assert scenario.health.trends.virtual_courses == 0.05
    assert scenario.health.trends.acute_admissions.mode == -0.01
    assert scenario.health.trends.planned_admissions is None  # the packaged prior


def test_set_reaches_into_list_items(tmp_path):
    path = write(tmp_path, "iv.yaml", "name: iv\ninterventions:\n  - {name: slots, type: acute_slots, start_year: 2025,"
                 " slots_per_day: 4}\n")
    scenario = load_scenario(path, ["interventions[0].slots_per_day=10",
                                    "interventions[0].effects.acute_diversion_share=0.25"])
    assert scenario.interventions[0].slots_per_day == 10
    assert scenario.interventions[0].effects.acute_diversion_share == 0.25
    with pytest.raises(ScenarioError) as info:
        load_scenario(path, ["interventions[2].slots_per_day=10", "interventions[0].slots_per_dya=1", "draws[0]=1"])
    text = str(info.value)
    assert "'interventions' has 1 item(s), numbered from 0; there is no item [2]" in text
    assert "did you mean 'slots_per_day'" in text
    assert "'draws' is not a list" in text

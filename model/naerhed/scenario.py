"""Scenario settings: pydantic models, the YAML loader and the JSON Schema.

A scenario is a YAML file read by `load_scenario`. Every problem found in it (unknown keys, wrong
types, values out of range, inconsistent settings) is reported at once, each with the file, line and
key path where the offending value was written, in plain words::

    scenarios/bad.yaml:7: demography.mortality.improvment: unknown key; did you mean 'improvement'?
    Allowed keys: base_period, improvement, trend_period

A scenario may build on another one with ``extends: other.yaml`` (resolved relative to the file; the
child is deep-merged over the parent: mappings merge key by key, any other value replaces the
parent's). Single values can be overridden from the command line with ``--set key.path=value``.
The reading and the error reports are those of `naerhed.yaml_models`, shared with the rule files
of `naerhed.financing.rules`; a scenario names the rule sets it uses in its `financing` section.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Literal, Optional, Sequence, Union

from pydantic import (
    AfterValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from naerhed.data.registry import scenario_tables
from naerhed.errors import ScenarioError
from naerhed.financing.precision import MONEY_PRECISION, PRECISION, TAIL_PRECISION
from naerhed.interventions.types import INTERVENTION_TAG, settings_union
from naerhed.sections import NAME_PATTERN as _NAME_PATTERN
from naerhed.limits import MAX_INTERVENTIONS, TREND_RANGE
from naerhed.sections import UNCERTAIN_TAG, Distribution, Uncertain, range_problem
from naerhed.sections import Section as _Section
from naerhed.yaml_models import INVALID as _INVALID
from naerhed.yaml_models import (
    OVERRIDE_SOURCE,
    FromFiles,
    Problem,
    SourceMap,
    YamlSpec,
    expand_user,
    load_yaml_document,
    model_field_info,
)
from naerhed.yaml_models import field as _field
from naerhed.yaml_models import own_error as _own_error

__all__ = [
    "AlignmentSettings",
    "Distribution",
    "FinancingSettings",
    "HealthSettings",
    "TrendSettings",
    "YearShockSettings",
    "DataFiles",
    "DemographySettings",
    "FertilitySettings",
    "MigrationSettings",
    "MortalitySettings",
    "OVERRIDE_SOURCE",
    "PopulationSettings",
    "Problem",
    "Scenario",
    "load_scenario",
    "refresh_intervention_types",
    "scenario_field_info",
    "scenario_json_schema",
]

_SEED_MAX = 2**63 - 1


# --------------------------------------------------------------------------------------------
# The models
# --------------------------------------------------------------------------------------------

_DataYear = Annotated[int, Field(ge=2008, le=2022)]


class PopulationSettings(_Section):
    """The synthetic base population from which the projection starts."""

    base_year: int = _field(
        2019,
        ge=2008,
        le=2030,
        description="Year whose 1 January population is the synthetic base population "
        "(the projection starts on 1 January of this year).",
        unit="calendar year (1 January)",
    )
    sample_fraction: float = _field(
        0.01,
        gt=0,
        le=1,
        allow_inf_nan=False,
        description="Share of the persons simulated; each simulated person has the weight "
        "1/sample_fraction. 1 simulates every person (slow); 0.01 simulates one in a hundred.",
        unit="share of persons (0-1]",
    )
    sample_replicates: int = _field(
        8,
        ge=0,
        le=100,
        description="Further samples of the population simulated once each (central parameters, expected "
        "hospital use) to measure how much the risk figures depend on which persons the sample holds: the "
        "spread of the figures over the samples is their sampling error, added to the Monte Carlo error "
        "of every risk figure (risk.csv, the summary, the warnings say which sample fraction would meet "
        "the precision). At sample_fraction 1 they are the whole population with other frailties, chronic "
        "states and deaths (the composition's chance). 0: not measured. Each costs about one draw.",
        unit="samples",
    )


class MortalitySettings(_Section):
    """Death rates by sex and age, and how they improve over time."""

    improvement: Union[Literal["trend"], Annotated[float, Field(ge=-0.05, le=0.10)]] = _field(
        "trend",
        description="Annual improvement of death rates. 'trend': a relative decline per sex and age "
        "group, estimated from the years of trend_period; a number: the same relative decline per "
        "year for everybody (0.01 = death rates fall by 1 % a year; negative = they rise).",
        unit="share per year, or 'trend'",
    )
    base_period: tuple[_DataYear, _DataYear] = _field(
        (2017, 2018),
        description="Years [first, last] whose average death rates are the starting level of "
        "the projection.",
        unit="calendar years [first, last]",
    )
    trend_period: tuple[_DataYear, _DataYear] = _field(
        (2008, 2019),
        description="Years [first, last] from which the 'trend' improvement is estimated "
        "(at least 5 years).",
        unit="calendar years [first, last]",
    )

    @field_validator("improvement", mode="before")
    @classmethod
    def _check_improvement(cls, value: Any) -> Any:
        if isinstance(value, str) and value.strip().lower() == "trend":
            return "trend"
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if -0.05 <= value <= 0.10:
                return float(value)
        raise PydanticCustomError(_INVALID, "invalid value")

    @field_validator("base_period")
    @classmethod
    def _check_base_period(cls, value: tuple[int, int]) -> tuple[int, int]:
        first, last = value
        if first > last:
            raise _own_error(
                f"the first year ({first}) must not be after the last year ({last}); "
                f"write [first, last], e.g. [{last}, {first}]"
            )
        return value

    @field_validator("trend_period")
    @classmethod
    def _check_trend_period(cls, value: tuple[int, int]) -> tuple[int, int]:
        first, last = value
        if first > last:
            raise _own_error(
                f"the first year ({first}) must not be after the last year ({last}); "
                f"write [first, last], e.g. [{last}, {first}]"
            )
        if last - first + 1 < 5:
            raise _own_error(
                f"must cover at least 5 years (first and last year included); "
                f"[{first}, {last}] covers {last - first + 1}"
            )
        return value


class FertilitySettings(_Section):
    """Births."""

    tfr: Optional[Annotated[float, Field(ge=0.5, le=4.0, allow_inf_nan=False)]] = _field(
        None,
        description="Total fertility rate held constant in every projected year. Empty (null): "
        "the total fertility rate of the UN World Population Prospects 2024 for Denmark, year by year.",
        unit="children per woman",
    )


class MigrationSettings(_Section):
    """Net migration (immigration minus emigration)."""

    scale: float = _field(
        1.0,
        ge=0,
        le=5,
        allow_inf_nan=False,
        description="Multiplier of the net migration table (1 = the table as published, "
        "0 = no migration, 0.5 = half).",
        unit="multiplier",
    )


class AlignmentSettings(_Section):
    """Alignment of the simulated population to a published projection."""

    target: Literal["none", "projection"] = _field(
        "none",
        description="'none': the population follows from births, deaths and migration alone. "
        "'projection': each year the totals by sex and 5-year age group are aligned to the "
        "national population projection table; net migration then becomes the residual.",
        unit="choice",
    )


class DemographySettings(_Section):
    """Demographic events: deaths, births, migration, and alignment."""

    mortality: MortalitySettings = _field(
        default_factory=MortalitySettings,
        description="Death rates and their improvement.",
        unit="section",
    )
    fertility: FertilitySettings = _field(
        default_factory=FertilitySettings,
        description="Births: the fertility assumption.",
        unit="section",
    )
    migration: MigrationSettings = _field(
        default_factory=MigrationSettings,
        description="Net migration: how much of the net migration table is used.",
        unit="section",
    )
    alignment: AlignmentSettings = _field(
        default_factory=AlignmentSettings,
        description="Alignment to the national population projection.",
        unit="section",
    )


def _trend(measure: str) -> Any:
    return _field(
        None,
        description=f"Annual relative change of {measure} per person (secular trend beyond ageing "
        "and chronic disease): a number (0.02 = +2 % a year) or a distribution sampled per draw. "
        "Empty (null): the packaged prior in hospital_use_trends.csv.",
        unit="share per year",
    )


class TrendSettings(_Section):
    """Secular trends of hospital use, each an uncertain quantity within naerhed.limits.TREND_RANGE."""

    acute_admissions: Optional[Uncertain] = _trend("acute admissions")
    planned_admissions: Optional[Uncertain] = _trend("planned admissions")
    outpatient_stays: Optional[Uncertain] = _trend("physical outpatient stays")
    virtual_courses: Optional[Uncertain] = _trend("virtual courses")
    readmission_probability: Optional[Uncertain] = _trend("the probability of an acute readmission within 30 days")

    @model_validator(mode="after")
    def _check_ranges(self) -> "TrendSettings":
        for name in type(self).model_fields:
            problem = range_problem(getattr(self, name), *TREND_RANGE)
            if problem:
                raise _own_error(f"{problem} (a relative change per year; -0.5 halves the rate in a year)", at=(name,))
        return self


class YearShockSettings(_Section):
    """Year-to-year shocks of hospital use per region (naerhed.health.year_shocks)."""

    scale: float = _field(
        1.0,
        ge=0,
        le=10,
        allow_inf_nan=False,
        description="Multiplier of the size of the year shocks: each region's hospital use moves from year to "
        "year beyond its trend by a random walk on the log scale, with the sd per year of the year-shock "
        "table (data.year_shocks; 0.05 = a typical year moves it 5 %), from the year after the calibration "
        "year on. 1 = the fitted sizes, 0 = no shocks, 2 = twice as large. The shocks are chance of the "
        "world, not a parameter: they apply with uncertainty 'central' as well as 'sampled', and are the "
        "same in every scenario with the same seed (common random numbers).",
        unit="multiplier of the shock sd (>= 0)",
    )


class HealthSettings(_Section):
    """Chronic disease and hospital use."""

    cost_ageing: Literal["healthy_ageing", "constant_standards", "constant_mortality"] = _field(
        "healthy_ageing",
        description="How hospital use follows ageing (DREAM's three variants). 'healthy_ageing': use "
        "depends on age and on being in the last year of life, so longer lives postpone the costly "
        "last year; 'constant_standards': use by age and sex stays at the base year's level "
        "(usund aldring); 'constant_mortality': death rates stay at the base level (konstant levetid).",
        unit="choice",
    )
    trends: TrendSettings = _field(
        default_factory=TrendSettings, description="Secular trends of hospital use.", unit="section"
    )
    year_shocks: YearShockSettings = _field(
        default_factory=YearShockSettings,
        description="Year-to-year shocks of each region's hospital use beyond the trends (their size: "
        "data.year_shocks).",
        unit="section",
    )
    # Each scenario-input criterion of the registry (naerhed.financing.criteria, kind 'input') has
    # its probability here as `<criterion name>_met`.
    digital_solutions_met: float = _field(
        1.0,
        ge=0,
        le=1,
        allow_inf_nan=False,
        description="Criterion 5 (2019 only): probability that the region meets the digital-solutions "
        "criterion (1 = met, 0 = not met; in between: met in that share of draws).",
        unit="probability (0-1)",
    )


def _data_file(what: str) -> Any:
    return _field(
        None,
        description=f"CSV file with {what}. Empty (null): the table packaged with naerhed. "
        "A relative path is read from the folder of the scenario file that sets it "
        "(from the current folder for --set). The file must exist.",
        unit="file path",
    )


class _DataFileSection(_Section):
    """Common checks of the data section: every value is the path of an existing file."""

    @field_validator("*", mode="before")
    @classmethod
    def _check_path(cls, value: Any) -> Any:
        if value is None:
            return None
        if isinstance(value, Path):
            path = value
        elif isinstance(value, str) and value.strip():
            path = Path(value.strip())
        else:
            raise PydanticCustomError(_INVALID, "invalid value")
        try:
            path = Path(os.path.abspath(expand_user(str(path))))
        except ValueError as exc:
            raise _own_error(str(exc)) from None
        if not path.exists():
            raise _own_error(f"file not found: {path}")
        if path.is_dir():
            raise _own_error(f"is a folder, not a file: {path}")
        if not path.is_file():
            raise _own_error(f"is not a regular file (a device, pipe or socket): {path}")
        return path


#: The ``data:`` section: one key per table of naerhed.data.registry.scenario_tables(), in registry
#: order, described by the table's spec.
DataFiles = create_model(
    "DataFiles",
    __base__=_DataFileSection,
    __doc__="Reference data tables. Leave a key out (or empty) to use the table packaged with naerhed.",
    __module__=__name__,
    **{spec.key: (Optional[Path], _data_file(spec.description)) for spec in scenario_tables()},
)




def _packaged_rule_set_names() -> list[str]:
    """The rule sets of a scenario that does not name any: the packaged ones, by first year."""
    from naerhed.financing.rules import packaged_rule_sets

    return list(packaged_rule_sets())


def _rule_set_entry(value: str) -> str:
    """A packaged rule set name, or the path of a rule file (made absolute; `load_scenario` makes
    relative paths relative to the scenario file that wrote them). The rule set must be valid: the
    problems of a rule file are reported with the rule file's own lines."""
    from naerhed.errors import RuleSetError
    from naerhed.financing.rules import is_rule_file_path, load_rule_set

    text = value.strip()
    if not text:
        raise PydanticCustomError(_INVALID, "invalid value")
    if is_rule_file_path(text):
        try:
            path = Path(os.path.abspath(expand_user(text)))
        except ValueError as exc:
            raise _own_error(str(exc)) from None
        if not path.exists():
            raise _own_error(f"rule file not found: {path}")
        if path.is_dir():
            raise _own_error(f"is a folder, not a rule file: {path}")
        text = str(path)
    try:
        load_rule_set(text)
    except RuleSetError as exc:
        if not any(p.file for p in exc.problems):  # an unknown name: a plain message
            raise _own_error("; ".join(p.message for p in exc.problems)) from None
        count = len(exc.problems)
        raise _own_error(
            f"the rule file {text} has {count} problem{'s' if count != 1 else ''} (listed below)",
            nested=exc.problems,
        ) from None
    return text


#: One intervention block: the settings of its type (a module of naerhed/interventions/types/),
#: chosen by the block's `type`.
InterventionBlock = settings_union()


def _precision_field(default: float, upper: float, description: str, unit: str):
    """A stated Monte Carlo precision: a standard error above 0 and at most `upper` (defaults in
    naerhed.financing.precision)."""
    return _field(default, gt=0, le=upper, allow_inf_nan=False, description=description, unit=unit)


class FinancingSettings(_Section):
    """Nærhedsfinansiering: the rule sets that turn criterion values into payouts."""

    rule_sets: list[Annotated[str, AfterValidator(_rule_set_entry)]] = _field(
        default_factory=_packaged_rule_set_names,
        min_length=1,
        description="The rule sets used, each the name of a rule set packaged with naerhed (`naerhed "
        "rules` lists them; default: all of them) or the path of a YAML rule file (ending in .yaml; "
        "relative to the scenario file that sets it). Exactly one must apply to each year from the "
        "first year of the earliest on (an open-ended one ends where a later one begins); years "
        "before it have no scheme.",
        unit="rule set names or file paths",
    )
    settlement: Literal["formal", "as_applied"] = _field(
        "formal",
        description="'formal': payout and repayment follow the rules every year, as if settlement "
        "(efterregulering) took place; 'as_applied': nothing is repaid in years whose rule set says "
        "settlement did not take place (2019-2023).",
        unit="choice",
    )
    precision: float = _precision_field(
        PRECISION, 0.5, "Stated Monte Carlo precision of the risk figures: the largest acceptable standard "
        "error of a probability (P(full payout), P(criterion met)); a larger one gives a warning with "
        "the number of draws that would meet it (`naerhed run --precision P` sets it for one run).",
        "probability (standard error)")
    money_precision: float = _precision_field(
        MONEY_PRECISION, 1, "Stated Monte Carlo precision of the expected repayment: the largest acceptable "
        "standard error as a share of the region's nærhedsfinansiering share (of all shares for all "
        "regions together); 0.035 is about 11 mio. DKK of a 321 mio. DKK share.",
        "share of the region's share (standard error)")
    tail_precision: float = _precision_field(
        TAIL_PRECISION, 1, "Stated Monte Carlo precision of the 95 % value at risk and expected shortfall, as "
        "money_precision. They rest on the worst 1 draw in 20, so the same precision takes many more "
        "draws than the expected repayment.",
        "share of the region's share (standard error)")

    @field_validator("rule_sets", mode="before")
    @classmethod
    def _one_name_is_a_list(cls, value: Any) -> Any:
        return [value] if isinstance(value, str) else value

    @field_validator("rule_sets")
    @classmethod
    def _check_coverage(cls, value: list[str]) -> list[str]:
        from naerhed.financing.rules import coverage_problems, load_rule_set

        duplicates = sorted({v for v in value if value.count(v) > 1})
        if duplicates:
            raise _own_error(f"each rule set may be listed once; listed more than once: {', '.join(duplicates)}")
        problems = coverage_problems([load_rule_set(v) for v in value])
        if problems:
            raise _own_error("; ".join(problems))
        return value

    def load_rule_sets(self) -> list:
        """The rule sets (naerhed.financing.rules.RuleSet objects), in the order listed."""
        from naerhed.financing.rules import load_rule_set

        return [load_rule_set(v) for v in self.rule_sets]


class Scenario(_Section, FromFiles):
    """A naerhed scenario: the settings of one projection of the regions' population and funding."""

    model_config = ConfigDict(title="naerhed scenario")

    name: str = _field(
        description="Name of the scenario; the results are written to a folder of this name.",
        unit="text (letters, digits, '_', '.', '-')",
        pattern=_NAME_PATTERN,
        max_length=100,
    )
    description: str = _field("", description="Free text describing the scenario.", unit="text")
    seed: int = _field(
        20190101,
        ge=0,
        le=_SEED_MAX,
        description="Seed of the random numbers; the same seed and settings give the same results.",
        unit="integer",
    )
    draws: int = _field(
        1,
        ge=1,
        le=100_000,
        description="Number of Monte Carlo draws (independent simulations of the whole projection).",
        unit="draws",
    )
    population: PopulationSettings = _field(
        default_factory=PopulationSettings,
        description="The synthetic base population.",
        unit="section",
    )
    end_year: int = _field(
        2030,
        ge=2009,
        le=2060,
        description="Last projected year: the projection ends on 1 January of this year. "
        "Must be after population.base_year.",
        unit="calendar year (1 January)",
    )
    demography: DemographySettings = _field(
        default_factory=DemographySettings,
        description="Deaths, births, migration and alignment.",
        unit="section",
    )
    health: HealthSettings = _field(
        default_factory=HealthSettings,
        description="Chronic disease and hospital use.",
        unit="section",
    )
    uncertainty: Literal["sampled", "central"] = _field(
        "sampled",
        description="'sampled': every draw samples each uncertain parameter from its distribution; "
        "'central': every draw uses the central value (mean, or mode; midpoint of a uniform), so "
        "draws differ only by chance: the individual events and the year shocks of hospital use "
        "(health.year_shocks, which apply in both).",
        unit="choice",
    )
    data: DataFiles = _field(
        default_factory=DataFiles,
        description="Reference data tables (empty: the tables packaged with naerhed).",
        unit="section",
    )
    financing: FinancingSettings = _field(
        default_factory=FinancingSettings,
        description="Nærhedsfinansiering: the rule sets and how settlement is treated.",
        unit="section",
    )
    interventions: list[InterventionBlock] = _field(
        default_factory=list,
        max_length=MAX_INTERVENTIONS,
        description="Interventions the regions run (each a block; see scenarios/ for examples).",
        unit="list of sections",
    )
    intervention_contributions: bool = _field(
        True,
        description="Report each intervention's contribution to every criterion and to the expected "
        "payout, by running the scenario once more without it (same seed: common random numbers). "
        "Costs one extra run per intervention; false skips it.",
        unit="true or false",
    )

    _overrides: tuple[str, ...] = PrivateAttr(default=())
    _lines: dict = PrivateAttr(default_factory=dict)

    @field_validator("interventions")
    @classmethod
    def _check_intervention_names(cls, value: list) -> list:
        names = [i.name for i in value]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise _own_error(f"each intervention needs its own name; used more than once: {', '.join(duplicates)}")
        return value

    @field_validator("end_year")
    @classmethod
    def _check_end_year(cls, value: int, info: ValidationInfo) -> int:
        # population is validated before end_year (field order); skipped if population is invalid
        population = info.data.get("population")
        if population is not None and value <= population.base_year:
            base = population.base_year
            raise _own_error(
                f"must be after population.base_year ({base}); the projection runs from "
                f"1 January {base} to 1 January end_year; got {value}",
                related="population.base_year",
            )
        return value

    @field_validator("financing")
    @classmethod
    def _check_financing_years(cls, value: FinancingSettings, info: ValidationInfo) -> FinancingSettings:
        # population and end_year are validated before financing (field order); skipped if invalid
        from naerhed.financing.rules import coverage_problems

        population, end_year = info.data.get("population"), info.data.get("end_year")
        if population is None or end_year is None:
            return value
        years = range(population.base_year, end_year)  # the calendar years projected
        problems = coverage_problems(value.load_rule_sets(), years, between=False)
        if problems:
            raise _own_error("; ".join(problems), at=("rule_sets",))
        return value

    @property
    def overrides(self) -> tuple[str, ...]:
        """The ``key.path=value`` overrides applied on top of the file(s), in order."""
        return self._overrides

    def line_of(self, key_path: str) -> tuple[Optional[str], Optional[int]]:
        """(file, line) where a setting was written; for a default, the key path's nearest written
        parent, else (the scenario file, None); ('--set', None) for an override."""
        path = key_path
        while path:
            if path in self._lines:
                return self._lines[path]
            path = path.rpartition(".")[0]
        return (str(self.source_path) if self.source_path else None, None)

    def resolved(self) -> dict:
        """All settings, defaults included, as a plain JSON-able dict. Data file paths are absolute;
        a data file that is None means the table packaged with naerhed."""
        return self.model_dump(mode="json")


def refresh_intervention_types() -> None:
    """Rebuild the scenario model for the intervention types registered now. Every module of
    naerhed/interventions/types/ is registered before the model is built; this is for a type
    registered (or removed) later, e.g. by a test."""
    global InterventionBlock
    InterventionBlock = settings_union()
    Scenario.model_fields["interventions"].annotation = list[InterventionBlock]
    Scenario.model_rebuild(force=True)


# --------------------------------------------------------------------------------------------
# Introspection (for messages, the JSON Schema and the CLI)
# --------------------------------------------------------------------------------------------

_EXPECT_OVERRIDES = {
    "name": "text made of letters, digits, '_', '.' and '-', starting with a letter or digit, "
    "at most 100 characters (it becomes the name of the output folder)",
    "demography.fertility.tfr": "a number between 0.5 and 4 (children per woman), "
    "or empty (null) for the UN World Population Prospects 2024 by year",
    "financing.rule_sets": "a list of names of packaged rule sets (`naerhed rules` lists them) or paths "
    "of rule files (ending in .yaml)",
}

_SPEC = YamlSpec(
    model=Scenario,
    noun="scenario file",
    empty_hint="a scenario needs at least a name (name: my_scenario)",
    allow_extends=True,
    extends_help="must be the path of another scenario file (relative to this file), "
    "e.g. extends: baseline.yaml",
    expect_overrides=_EXPECT_OVERRIDES,
    union_tags=(UNCERTAIN_TAG, INTERVENTION_TAG),
)


def scenario_field_info() -> dict[str, dict[str, str]]:
    """Every setting (leaf of the scenario tree) by dotted key path: its description and unit."""
    return model_field_info(Scenario)


def scenario_json_schema() -> dict:
    """JSON Schema of a scenario file (draft 2020-12), with the descriptions and units of every key."""
    from naerhed.yaml_models import json_schema_with_extends

    return json_schema_with_extends(
        Scenario, "Another scenario file that this one builds on (relative to this file). Its settings are used "
        "unless this file sets them; sections merge key by key.", "file path")


# --------------------------------------------------------------------------------------------
# The loader
# --------------------------------------------------------------------------------------------


def _absolute(value: str, origin: Any) -> str:
    try:
        path = Path(expand_user(value.strip()))
    except ValueError:
        return value  # the data section's check says why
    if path.is_absolute():
        return str(path)
    base = origin.base_dir if origin is not None else Path.cwd()
    return os.path.abspath(base / path)


def _resolve_paths(data: dict, source_map: SourceMap) -> None:
    """Make relative data file and rule file paths absolute, relative to the folder of the file
    that set them (the current folder for --set)."""
    from naerhed.financing.rules import is_rule_file_path

    files = data.get("data")
    if isinstance(files, dict):
        for key, value in files.items():
            if isinstance(value, str) and value.strip():
                files[key] = _absolute(value, source_map.get(("data", key)))
    financing = data.get("financing")
    if isinstance(financing, dict):
        entries = financing.get("rule_sets")
        if isinstance(entries, str) and is_rule_file_path(entries):
            financing["rule_sets"] = _absolute(entries, source_map.get(("financing", "rule_sets")))
        elif isinstance(entries, list):
            for index, value in enumerate(entries):
                if isinstance(value, str) and value.strip() and is_rule_file_path(value):
                    origin = source_map.get(("financing", "rule_sets", index)) or source_map.get(
                        ("financing", "rule_sets"))
                    entries[index] = _absolute(value, origin)


def load_scenario(
    path: Union[str, os.PathLike], overrides: Sequence[str] = ()
) -> Scenario:
    """Read a scenario file (following `extends`), apply ``key.path=value`` overrides and validate.

    Raises ScenarioError listing every problem found, each with file, line and key path (the
    problems of a rule file the scenario uses come with the rule file's own lines)."""
    document = load_yaml_document(path, _SPEC, overrides, prepare=_resolve_paths, error=ScenarioError)
    scenario = document.model
    assert isinstance(scenario, Scenario)
    scenario.attach_files(document.files)
    scenario._overrides = document.overrides
    scenario._lines = dict(document.lines)
    return scenario

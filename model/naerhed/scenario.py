"""Scenario settings: pydantic models, the YAML loader and the JSON Schema.

A scenario is a YAML file read by `load_scenario`. Every problem found in it (unknown keys, wrong
types, values out of range, inconsistent settings) is reported at once, each with the file, line and
key path where the offending value was written, in plain words::

    scenarios/bad.yaml:7: demography.mortality.improvment: unknown key; did you mean 'improvement'?
    Allowed keys: base_period, improvement, trend_period

A scenario may build on another one with ``extends: other.yaml`` (resolved relative to the file; the
child is deep-merged over the parent: mappings merge key by key, any other value replaces the
parent's). Single values can be overridden from the command line with ``--set key.path=value``.
"""

from __future__ import annotations

import copy
import difflib
import os
import types
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, Optional, Sequence, Union

import yaml
from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    PrivateAttr,
    Tag,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from naerhed.errors import ScenarioError

__all__ = [
    "AlignmentSettings",
    "Distribution",
    "HealthSettings",
    "TrendSettings",
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
    "scenario_field_info",
    "scenario_json_schema",
]

#: `Problem.file` of a problem caused by a command-line ``--set`` override.
OVERRIDE_SOURCE = "--set"

#: Error type of the model's own validators; its message is shown to the user as written.
_OWN_ERROR = "naerhed"
#: Error type meaning "the value is invalid": the message is derived from the field's description.
_INVALID = "naerhed_invalid"

_SEED_MAX = 2**63 - 1
_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"


def _field(default: Any = ..., *, description: str, unit: str, **kwargs: Any) -> Any:
    """`Field` with a description and a unit (both shown in the JSON Schema)."""
    extra = {"unit": unit}
    if "default_factory" in kwargs:
        return Field(description=description, json_schema_extra=extra, **kwargs)
    return Field(default, description=description, json_schema_extra=extra, **kwargs)


def _own_error(message: str, **context: Any) -> PydanticCustomError:
    return PydanticCustomError(_OWN_ERROR, "{message}", {"message": message, **context})


class _Section(BaseModel):
    """Common configuration: unknown keys are errors; booleans are never accepted as numbers;
    an empty section (``population:`` with nothing under it) means 'all defaults'."""

    model_config = ConfigDict(extra="forbid", validate_default=True)

    @field_validator("*", mode="before")
    @classmethod
    def _common_checks(cls, value: Any, info: ValidationInfo) -> Any:
        annotation = cls.model_fields[info.field_name].annotation
        if value is None and _as_model(annotation) is not None:
            return {}
        if isinstance(value, bool):  # no field of the model is a yes/no switch
            raise PydanticCustomError(_INVALID, "invalid value")
        return value


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


class Distribution(_Section):
    """An uncertain quantity, sampled once per Monte Carlo draw (the same value for every person and
    year of that draw). normal: mean and sd; uniform: low and high; triangular: low, mode and high."""

    distribution: Literal["normal", "uniform", "triangular"] = _field(
        description="Shape of the distribution.", unit="choice"
    )
    mean: Optional[float] = _field(None, allow_inf_nan=False, description="Mean (normal).", unit="as the quantity")
    sd: Optional[Annotated[float, Field(ge=0, allow_inf_nan=False)]] = _field(
        None, description="Standard deviation (normal).", unit="as the quantity"
    )
    low: Optional[float] = _field(None, allow_inf_nan=False, description="Lowest value (uniform, triangular).",
                                  unit="as the quantity")
    mode: Optional[float] = _field(None, allow_inf_nan=False, description="Most likely value (triangular).",
                                   unit="as the quantity")
    high: Optional[float] = _field(None, allow_inf_nan=False, description="Highest value (uniform, triangular).",
                                   unit="as the quantity")

    @model_validator(mode="after")
    def _check_parameters(self) -> "Distribution":
        needed = {"normal": ("mean", "sd"), "uniform": ("low", "high"), "triangular": ("low", "mode", "high")}
        wanted = needed[self.distribution]
        missing = [k for k in wanted if getattr(self, k) is None]
        extra = [k for k in ("mean", "sd", "low", "mode", "high") if k not in wanted and getattr(self, k) is not None]
        if missing or extra:
            raise _own_error(f"a {self.distribution} distribution takes exactly: {', '.join(wanted)}"
                             + (f"; missing: {', '.join(missing)}" if missing else "")
                             + (f"; not used: {', '.join(extra)}" if extra else ""))
        if self.distribution != "normal" and not (self.low <= (self.mode if self.mode is not None else self.low) <= self.high
                                                  and self.low < self.high):
            raise _own_error("needs low < high" + (" and low <= mode <= high" if self.mode is not None else ""))
        return self


def _uncertain_kind(value: Any) -> str:
    return "uncertain:distribution" if isinstance(value, (dict, Distribution)) else "uncertain:number"


#: A number, or a distribution sampled per draw (a mapping is always read as a distribution, so a
#: mistake in it is reported as such and not as "not a number").
Uncertain = Annotated[
    Union[Annotated[float, Field(allow_inf_nan=False), Tag("uncertain:number")], Annotated[Distribution, Tag("uncertain:distribution")]],
    Discriminator(_uncertain_kind),
]


def _trend(measure: str) -> Any:
    return _field(
        None,
        description=f"Annual relative change of {measure} per person (secular trend beyond ageing "
        "and chronic disease): a number (0.02 = +2 % a year) or a distribution sampled per draw. "
        "Empty (null): the packaged prior in hospital_use_trends.csv.",
        unit="share per year",
    )


class TrendSettings(_Section):
    """Secular trends of hospital use, each an uncertain quantity."""

    acute_admissions: Optional[Uncertain] = _trend("acute admissions")
    planned_admissions: Optional[Uncertain] = _trend("planned admissions")
    outpatient_stays: Optional[Uncertain] = _trend("physical outpatient stays")
    virtual_courses: Optional[Uncertain] = _trend("virtual courses")
    readmission_probability: Optional[Uncertain] = _trend("the probability of an acute readmission within 30 days")


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


class DataFiles(_Section):
    """Reference data tables. Leave a key out (or empty) to use the table packaged with naerhed."""

    population: Optional[Path] = _data_file(
        "the population on 1 January by municipality, sex and age"
    )
    municipalities: Optional[Path] = _data_file("the municipalities and the region each belongs to")
    mortality_age5: Optional[Path] = _data_file("death rates by year, sex and 5-year age group")
    mortality_single_age: Optional[Path] = _data_file(
        "death rates by year, sex and single year of age"
    )
    fertility: Optional[Path] = _data_file("fertility rates (births per woman) by year and age")
    net_migration_total: Optional[Path] = _data_file("total net migration by year")
    net_migration_sex_age: Optional[Path] = _data_file(
        "the distribution of net migration by sex and age"
    )
    projection: Optional[Path] = _data_file(
        "the national population projection by year, sex and age (the alignment target)"
    )
    calibration: Optional[Path] = _data_file(
        "the base-year level of each criterion per region (calibration targets; e.g. your region's "
        "own eSundhed figures)"
    )
    hospital_use_rates: Optional[Path] = _data_file("hospital use and prices by measure, sex and age")
    hospital_use_parameters: Optional[Path] = _data_file(
        "the multipliers of hospital use (chronic disease, last year of life, frailty)"
    )
    hospital_use_trends: Optional[Path] = _data_file("the prior distributions of the secular trends")
    chronic_prevalence: Optional[Path] = _data_file("the prevalence of KOL and diabetes by sex and age")
    chronic_parameters: Optional[Path] = _data_file("chronic disease parameters (excess mortality, trends)")
    chronic_targets: Optional[Path] = _data_file("published counts of persons with KOL and diabetes")

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
        path = Path(os.path.abspath(path.expanduser()))
        if not path.exists():
            raise _own_error(f"file not found: {path}")
        if path.is_dir():
            raise _own_error(f"is a folder, not a file: {path}")
        return path


class Scenario(_Section):
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
        "draws differ only by the chance of individual events.",
        unit="choice",
    )
    data: DataFiles = _field(
        default_factory=DataFiles,
        description="Reference data tables (empty: the tables packaged with naerhed).",
        unit="section",
    )

    _source_path: Optional[Path] = PrivateAttr(default=None)
    _source_files: tuple[Path, ...] = PrivateAttr(default=())
    _overrides: tuple[str, ...] = PrivateAttr(default=())

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

    @property
    def source_path(self) -> Optional[Path]:
        """The scenario file this scenario was loaded from (absolute), or None."""
        return self._source_path

    @property
    def source_files(self) -> tuple[Path, ...]:
        """The scenario file and the files it extends, the file itself first (absolute paths)."""
        return self._source_files

    @property
    def overrides(self) -> tuple[str, ...]:
        """The ``key.path=value`` overrides applied on top of the file(s), in order."""
        return self._overrides

    def resolved(self) -> dict:
        """All settings, defaults included, as a plain JSON-able dict. Data file paths are absolute;
        a data file that is None means the table packaged with naerhed."""
        return self.model_dump(mode="json")


# --------------------------------------------------------------------------------------------
# Introspection of the models (for messages, the JSON Schema and the CLI)
# --------------------------------------------------------------------------------------------


def _as_model(annotation: Any) -> Optional[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _union_args(annotation: Any) -> Optional[tuple]:
    origin = typing.get_origin(annotation)
    if origin is Union or origin is types.UnionType:
        return typing.get_args(annotation)
    return None


def _unwrap(annotation: Any, metadata: Sequence[Any] = ()) -> tuple[Any, list]:
    """(bare type, constraint metadata) of a possibly `Annotated` type."""
    metadata = list(metadata)
    while typing.get_origin(annotation) is Annotated:
        args = typing.get_args(annotation)
        annotation = args[0]
        for extra in args[1:]:
            metadata.extend(getattr(extra, "metadata", [extra]))
    return annotation, metadata


def _number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _range_words(metadata: Sequence[Any]) -> str:
    lo = hi = None
    lo_excl = hi_excl = False
    for item in metadata:
        if getattr(item, "ge", None) is not None:
            lo = item.ge
        if getattr(item, "gt", None) is not None:
            lo, lo_excl = item.gt, True
        if getattr(item, "le", None) is not None:
            hi = item.le
        if getattr(item, "lt", None) is not None:
            hi, hi_excl = item.lt, True
    if lo is not None and hi is not None:
        return (
            f" between {_number(lo)}{' (exclusive)' if lo_excl else ''}"
            f" and {_number(hi)}{' (exclusive)' if hi_excl else ''}"
        )
    if lo is not None:
        return f" {'greater than' if lo_excl else 'at least'} {_number(lo)}"
    if hi is not None:
        return f" {'less than' if hi_excl else 'at most'} {_number(hi)}"
    return ""


_EXPECT_OVERRIDES = {
    "name": "text made of letters, digits, '_', '.' and '-', starting with a letter or digit, "
    "at most 100 characters (it becomes the name of the output folder)",
    "demography.fertility.tfr": "a number between 0.5 and 4 (children per woman), "
    "or empty (null) for the UN World Population Prospects 2024 by year",
}


def _expect(annotation: Any, metadata: Sequence[Any] = (), unit: str = "") -> str:
    """Plain-words description of the values allowed for a type."""
    annotation, metadata = _unwrap(annotation, metadata)
    members = _union_args(annotation)
    if members is not None:
        others = [m for m in members if m is not type(None)]
        words = " or ".join(_expect(m) for m in others)
        if len(others) < len(members):
            words += ", or empty (null)"
        return f"either {words}" if len(others) > 1 else words
    if typing.get_origin(annotation) is Literal:
        choices = typing.get_args(annotation)
        if len(choices) == 1:
            return repr(choices[0])
        return "one of: " + ", ".join(str(c) for c in choices)
    model = _as_model(annotation)
    if model is not None:
        return "a section with the keys: " + ", ".join(sorted(model.model_fields))
    if typing.get_origin(annotation) is tuple:
        items = typing.get_args(annotation)
        item_words = _expect(items[0], unit="year") if items else "a value"
        count = {2: "two"}.get(len(items), str(len(items)))
        return f"a list of {count} years [first, last], each {item_words}"
    if annotation is bool:
        return "true or false"
    if annotation is int:
        noun = "a year" if "year" in unit or "year" in str(metadata) else "a whole number"
        return noun + _range_words(metadata)
    if annotation is float:
        return "a number" + _range_words(metadata)
    if annotation is str:
        return "text"
    if annotation is Path:
        return "the path of an existing file"
    return str(annotation)


def _member_model(annotation: Any) -> Optional[type[BaseModel]]:
    """The section model of a setting, also when it is one member of a union (e.g. Uncertain)."""
    bare, _ = _unwrap(annotation)
    model = _as_model(bare)
    if model is not None:
        return model
    for member in _union_args(bare) or ():
        model = _member_model(member)
        if model is not None:
            return model
    return None


def _strip_union_tags(loc: Sequence[Any]) -> tuple:
    """Drop the tags pydantic inserts into locations inside a tagged union (see `Uncertain`)."""
    return tuple(part for part in loc if not (isinstance(part, str) and part.startswith("uncertain:")))


def _field_at(loc: Sequence[Any]) -> Optional[tuple[Any, list, str, str]]:
    """(annotation, metadata, unit, dotted path) of the setting at a validation location."""
    model: Optional[type[BaseModel]] = Scenario
    annotation: Any = None
    metadata: list = []
    unit = ""
    names: list[str] = []
    for part in loc:
        if isinstance(part, str) and model is not None and part in model.model_fields:
            info = model.model_fields[part]
            annotation, metadata = info.annotation, list(info.metadata)
            unit = (info.json_schema_extra or {}).get("unit", "") if isinstance(
                info.json_schema_extra, dict
            ) else ""
            model = _member_model(annotation)
            names.append(part)
        elif isinstance(part, int) and typing.get_origin(_unwrap(annotation)[0]) is tuple:
            items = typing.get_args(_unwrap(annotation)[0])
            annotation, metadata = _unwrap(items[min(part, len(items) - 1)])
            model = None
            unit = "year" if "year" in unit else unit
            names.append(f"[{part}]")
        else:
            return None
    return annotation, metadata, unit, ".".join(names).replace(".[", "[")


def scenario_field_info() -> dict[str, dict[str, str]]:
    """Every setting (leaf of the scenario tree) by dotted key path: its description and unit."""
    result: dict[str, dict[str, str]] = {}

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, info in model.model_fields.items():
            sub = _as_model(info.annotation)
            path = f"{prefix}{name}"
            if sub is not None:
                walk(sub, path + ".")
            else:
                extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
                result[path] = {
                    "description": info.description or "",
                    "unit": str(extra.get("unit", "")),
                }

    walk(Scenario, "")
    return result


def scenario_json_schema() -> dict:
    """JSON Schema of a scenario file (draft 2020-12), with the descriptions and units of every key."""
    schema = Scenario.model_json_schema()
    properties = {
        "extends": {
            "type": "string",
            "description": "Another scenario file that this one builds on (relative to this file). "
            "Its settings are used unless this file sets them; sections merge key by key.",
            "unit": "file path",
        }
    }
    properties.update(schema.get("properties", {}))
    schema["properties"] = properties
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}


# --------------------------------------------------------------------------------------------
# Problems
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    """One problem in a scenario: where it is (file, line, key path) and what is wrong.

    `file` is the scenario file as shown to the user, or OVERRIDE_SOURCE ('--set') for a
    command-line override; `line` is 1-based (None if unknown); `key_path` is dotted
    (list items as [i])."""

    file: Optional[str]
    line: Optional[int]
    key_path: str
    message: str

    def __str__(self) -> str:
        if self.file == OVERRIDE_SOURCE:
            where = f"{OVERRIDE_SOURCE} {self.key_path}" if self.key_path else OVERRIDE_SOURCE
            return f"{where}: {self.message}"
        parts = []
        if self.file:
            parts.append(f"{self.file}:{self.line}" if self.line else self.file)
        if self.key_path:
            parts.append(self.key_path)
        parts.append(self.message)
        return ": ".join(parts)


@dataclass(frozen=True)
class _Origin:
    """Where a value was written: file as shown (or '--set'), line, folder for relative paths."""

    file: str
    line: Optional[int]
    base_dir: Path


_Path = tuple  # key path: str keys and int list indices
_SourceMap = dict  # _Path -> _Origin


class _Fatal(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems


def _format_path(path: Sequence[Any]) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


def _show(value: Any) -> str:
    """A value as the user would have written it in YAML."""
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = repr(value)
    elif isinstance(value, dict):
        text = "a section with the keys: " + ", ".join(str(k) for k in value)
    elif isinstance(value, (list, tuple)):
        text = "[" + ", ".join(_show(v) for v in value) + "]"
    else:
        text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


# --------------------------------------------------------------------------------------------
# Reading YAML with line numbers
# --------------------------------------------------------------------------------------------


def _display(path: Union[str, os.PathLike]) -> str:
    return os.path.normpath(os.path.expanduser(os.fspath(path)))


def _yaml_problem(display: str, exc: yaml.YAMLError) -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else None
    what = getattr(exc, "problem", None) or str(exc)
    message = f"invalid YAML: {what}"
    context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    if context and context_mark is not None and context_mark.line + 1 != line:
        message += f" ({context} that starts on line {context_mark.line + 1})"
    elif context:
        message += f" ({context})"
    if "\\t" in what or "\t" in what:
        message += "; YAML does not allow tabs for indentation, use spaces"
    elif "mapping values are not allowed" in what:
        message += "; check the indentation and that a space follows each ':'"
    return Problem(display, line, "", message)


def _read_yaml(display: str) -> tuple[dict, _SourceMap, list[Problem]]:
    """Read one scenario file. Returns (data, source map, non-fatal problems); raises _Fatal if the
    file cannot be used at all."""
    path = Path(display)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise _Fatal([Problem(display, None, "", "scenario file not found")]) from None
    except IsADirectoryError:
        raise _Fatal([Problem(display, None, "", "is a folder, not a scenario file")]) from None
    except UnicodeDecodeError as exc:
        raise _Fatal(
            [Problem(display, None, "", f"is not a UTF-8 text file ({exc.reason})")]
        ) from None
    except OSError as exc:
        raise _Fatal(
            [Problem(display, None, "", f"cannot read the file: {exc.strerror or exc}")]
        ) from None

    base_dir = path.resolve().parent
    problems: list[Problem] = []
    source_map: _SourceMap = {(): _Origin(display, None, base_dir)}
    loader = yaml.SafeLoader(text)
    try:
        try:
            node = loader.get_single_node()
        except yaml.YAMLError as exc:
            raise _Fatal([_yaml_problem(display, exc)]) from None
        if node is None or (isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null")):
            raise _Fatal(
                [
                    Problem(
                        display,
                        None,
                        "",
                        "the file is empty; a scenario needs at least a name (name: my_scenario)",
                    )
                ]
            )
        if not isinstance(node, yaml.MappingNode):
            kind = "a list" if isinstance(node, yaml.SequenceNode) else f"the value {node.value!r}"
            raise _Fatal(
                [
                    Problem(
                        display,
                        node.start_mark.line + 1,
                        "",
                        f"the top level must be a mapping of keys (key: value), but it is {kind}",
                    )
                ]
            )
        data = _convert(node, (), loader, display, base_dir, source_map, problems, set())
    finally:
        loader.dispose()
    return data, source_map, problems


def _convert(
    node: yaml.Node,
    path: _Path,
    loader: yaml.SafeLoader,
    display: str,
    base_dir: Path,
    source_map: _SourceMap,
    problems: list[Problem],
    active: set,
) -> Any:
    if id(node) in active:
        problems.append(
            Problem(display, node.start_mark.line + 1, _format_path(path), "recursive YAML alias")
        )
        return None
    if isinstance(node, yaml.MappingNode):
        active = active | {id(node)}
        result: dict = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if key_node.tag == "tag:yaml.org,2002:merge":
                problems.append(
                    Problem(
                        display,
                        line,
                        _format_path(path),
                        "YAML merge keys ('<<') are not supported; use 'extends: other.yaml'",
                    )
                )
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(
                    Problem(display, line, _format_path(path), "a key must be a plain word")
                )
                continue
            key = str(key_node.value)
            key_path = path + (key,)
            if key in result:
                first = source_map[key_path].line
                problems.append(
                    Problem(
                        display,
                        line,
                        _format_path(key_path),
                        f"duplicate key; it is already set on line {first}",
                    )
                )
                continue
            source_map[key_path] = _Origin(display, line, base_dir)
            result[key] = _convert(
                value_node, key_path, loader, display, base_dir, source_map, problems, active
            )
        return result
    if isinstance(node, yaml.SequenceNode):
        active = active | {id(node)}
        items = []
        for index, item in enumerate(node.value):
            item_path = path + (index,)
            source_map[item_path] = _Origin(display, item.start_mark.line + 1, base_dir)
            items.append(
                _convert(item, item_path, loader, display, base_dir, source_map, problems, active)
            )
        return items
    try:
        return loader.construct_object(node, deep=True)
    except yaml.YAMLError as exc:
        problem = _yaml_problem(display, exc)
        problems.append(Problem(display, problem.line, _format_path(path), problem.message))
        return node.value


# --------------------------------------------------------------------------------------------
# extends, merging and overrides
# --------------------------------------------------------------------------------------------

_MISSING = object()


def _get(data: Any, path: _Path) -> Any:
    for part in path:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return _MISSING
    return data


def _deep_merge(base: Any, over: Any) -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        result = dict(base)
        for key, value in over.items():
            result[key] = _deep_merge(base[key], value) if key in base else copy.deepcopy(value)
        return result
    return copy.deepcopy(over)


def _merge_layer(
    base: dict, base_map: _SourceMap, over: dict, over_map: _SourceMap
) -> tuple[dict, _SourceMap]:
    """Deep-merge `over` on `base`, keeping track of where each value was written."""

    def replaced(path: _Path) -> bool:
        for length in range(len(path)):
            prefix = path[:length]
            if prefix in over_map and not (
                isinstance(_get(base, prefix), dict) and isinstance(_get(over, prefix), dict)
            ):
                return True
        return False

    merged_map = {path: origin for path, origin in base_map.items() if not replaced(path)}
    merged_map.update(over_map)
    return _deep_merge(base, over), merged_map


def _load_chain(display: str, stack: tuple[Path, ...]) -> list[tuple[dict, _SourceMap, list[Problem], Path]]:
    """Layers (data, source map, problems, file) of a file and the files it extends, root first."""
    real = Path(display).resolve()
    data, source_map, problems = _read_yaml(display)
    layers: list = []
    if "extends" in data:
        origin = source_map.pop(("extends",))
        target = data.pop("extends")
        for path in [p for p in source_map if p[:1] == ("extends",)]:
            del source_map[path]
        if not isinstance(target, str) or not target.strip():
            raise _Fatal(
                [
                    Problem(
                        display,
                        origin.line,
                        "extends",
                        "must be the path of another scenario file (relative to this file), "
                        f"e.g. extends: baseline.yaml; got {_show(target)}",
                    )
                ]
            )
        parent = _display(os.path.join(os.path.dirname(display), os.path.expanduser(target.strip())))
        parent_real = Path(parent).resolve()
        chain = stack + (real,)
        if parent_real in chain:
            cycle = [str(p.name) for p in chain[chain.index(parent_real):]] + [parent_real.name]
            raise _Fatal(
                [
                    Problem(
                        display,
                        origin.line,
                        "extends",
                        "scenario files extend each other in a cycle: " + " -> ".join(cycle),
                    )
                ]
            )
        if not parent_real.is_file():
            raise _Fatal(
                [
                    Problem(
                        display,
                        origin.line,
                        "extends",
                        f"cannot find the scenario file it extends: {parent}"
                        + ("" if os.path.isabs(target) else f" (looked in {parent_real.parent})"),
                    )
                ]
            )
        layers = _load_chain(parent, chain)
    return layers + [(data, source_map, problems, real)]


def _parse_override(text: str, problems: list[Problem]) -> Optional[tuple[_Path, Any]]:
    if "=" not in text:
        problems.append(
            Problem(
                OVERRIDE_SOURCE,
                None,
                text,
                "must have the form key.path=value, e.g. demography.migration.scale=0.5",
            )
        )
        return None
    key_text, value_text = text.split("=", 1)
    key_text = key_text.strip()
    parts = key_text.split(".")
    if not key_text or any(not part.strip() for part in parts):
        problems.append(
            Problem(
                OVERRIDE_SOURCE,
                None,
                key_text,
                "the key path must be key names separated by '.', e.g. demography.migration.scale",
            )
        )
        return None
    path = tuple(part.strip() for part in parts)
    try:
        value = yaml.safe_load(value_text) if value_text.strip() else None
    except yaml.YAMLError as exc:
        what = getattr(exc, "problem", None) or str(exc)
        problems.append(
            Problem(
                OVERRIDE_SOURCE,
                None,
                key_text,
                f"cannot read the value {value_text!r} ({what}); write a single YAML value, "
                "e.g. 0.5, trend or [2016, 2018]",
            )
        )
        return None
    return path, value


def _check_override_path(path: _Path, data: dict) -> Optional[str]:
    """Why `path` cannot be set (it goes through a value that is not a section), or None."""
    model: Optional[type[BaseModel]] = Scenario
    current: Any = data
    for depth, part in enumerate(path[:-1]):
        here = _format_path(path[: depth + 1])
        if model is not None and part in model.model_fields:
            model = _as_model(model.model_fields[part].annotation)
            if model is None:
                return f"'{here}' is a single value, not a section with keys; use --set {here}=VALUE"
        else:
            model = None
        if isinstance(current, dict) and part in current:
            current = current[part]
            if current is not None and not isinstance(current, dict):
                return f"'{here}' is {_show(current)}, not a section with keys"
        else:
            current = None
    return None


def _nest(path: _Path, value: Any) -> dict:
    for part in reversed(path):
        value = {part: value}
    return value


def _override_map(path: _Path, value: Any, origin: _Origin) -> _SourceMap:
    result: _SourceMap = {path: origin}
    if isinstance(value, dict):
        for key, sub in value.items():
            result.update(_override_map(path + (str(key),), sub, origin))
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            result.update(_override_map(path + (index,), sub, origin))
    return result


def _resolve_data_paths(data: dict, source_map: _SourceMap) -> None:
    """Make relative data file paths absolute, relative to the folder of the file that set them."""
    files = data.get("data")
    if not isinstance(files, dict):
        return
    for key, value in files.items():
        if isinstance(value, str) and value.strip():
            path = Path(value.strip()).expanduser()
            if not path.is_absolute():
                origin = source_map.get(("data", key))
                base = origin.base_dir if origin is not None else Path.cwd()
                files[key] = os.path.abspath(base / path)


# --------------------------------------------------------------------------------------------
# Validation errors -> problems
# --------------------------------------------------------------------------------------------


def _nearest_origin(loc: _Path, source_map: _SourceMap) -> _Origin:
    for length in range(len(loc), -1, -1):
        if loc[:length] in source_map:
            return source_map[loc[:length]]
    raise AssertionError("the source map has no root")  # pragma: no cover


def _unknown_key_message(loc: _Path) -> str:
    parent = _field_at(loc[:-1]) if loc[:-1] else (Scenario, [], "", "")
    model = _as_model(parent[0]) if parent else None
    if model is None:
        return "unknown key"
    allowed = sorted(model.model_fields)
    if model is Scenario:
        allowed = sorted(allowed + ["extends"])
    key = str(loc[-1])
    lowered = {name.lower(): name for name in allowed}
    close = difflib.get_close_matches(key.lower(), list(lowered), n=1, cutoff=0.6)
    if close:
        hint = f"; did you mean '{lowered[close[0]]}'?"
    else:
        here = _format_path(loc)
        elsewhere = sorted(
            path
            for path in set(scenario_field_info()) | _section_paths()
            if path.split(".")[-1] == key and path != here
        )
        if elsewhere:
            hint = " here; did you mean " + " or ".join(f"'{p}'" for p in elsewhere) + "?"
        else:
            hint = "."
    return f"unknown key{hint} Allowed keys: {', '.join(allowed)}"


def _section_paths() -> set[str]:
    result: set[str] = set()

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, info in model.model_fields.items():
            sub = _as_model(info.annotation)
            if sub is not None:
                result.add(prefix + name)
                walk(sub, prefix + name + ".")

    walk(Scenario, "")
    return result


def _expect_at(loc: _Path) -> str:
    found = _field_at(loc)
    if found is None:
        return "a valid value"
    annotation, metadata, unit, dotted = found
    if dotted in _EXPECT_OVERRIDES:
        return _EXPECT_OVERRIDES[dotted]
    return _expect(annotation, metadata, unit)


def _problems_from_validation(
    error: ValidationError, source_map: _SourceMap
) -> list[Problem]:
    problems: list[Problem] = []
    seen: set[tuple] = set()
    for item in error.errors(include_url=False):
        loc: _Path = _strip_union_tags(item["loc"])
        kind = item["type"]
        ctx = item.get("ctx") or {}
        value = item.get("input", _MISSING)
        if kind != "extra_forbidden" and loc and _field_at(loc) is None:
            # a location inside a setting (e.g. a union member's tag): report the setting itself
            while loc and _field_at(loc) is None:
                loc = loc[:-1]
            value = _MISSING
        if kind in ("missing", "too_short", "too_long") and loc and isinstance(loc[-1], int):
            loc = loc[:-1]  # a list with the wrong number of items: report the list
            kind = "invalid_list"
        origin_loc = loc
        if kind == _OWN_ERROR:
            message = str(ctx.get("message", item["msg"]))
            if ctx.get("related"):
                # a rule relating two settings: if this one was not written, point at the other
                related = loc[:-1] + tuple(str(ctx["related"]).split("."))
                if loc not in source_map and related in source_map:
                    origin_loc = related
                    message += f" ({_format_path(loc)} is not set, so its default applies)"
        elif kind == "extra_forbidden":
            message = _unknown_key_message(loc)
        elif kind == "missing":
            message = f"required key is missing; it must be {_expect_at(loc)}"
        else:
            message = f"must be {_expect_at(loc)}"
            if value is not _MISSING:
                message += f"; got {_show(value)}"
        origin = _nearest_origin(origin_loc, source_map)
        problem = Problem(origin.file, origin.line, _format_path(loc), message)
        if (problem.key_path, problem.message) not in seen:
            seen.add((problem.key_path, problem.message))
            problems.append(problem)
    return problems


# --------------------------------------------------------------------------------------------
# The loader
# --------------------------------------------------------------------------------------------


def load_scenario(
    path: Union[str, os.PathLike], overrides: Sequence[str] = ()
) -> Scenario:
    """Read a scenario file (following `extends`), apply ``key.path=value`` overrides and validate.

    Raises ScenarioError listing every problem found, each with file, line and key path."""
    if isinstance(overrides, str):
        overrides = [overrides]
    display = _display(path)
    try:
        layers = _load_chain(display, ())
    except _Fatal as fatal:
        raise ScenarioError(fatal.problems) from None

    problems: list[Problem] = []
    data: dict = {}
    source_map: _SourceMap = {}
    for layer_data, layer_map, layer_problems, _ in layers:
        problems.extend(layer_problems)
        data, source_map = _merge_layer(data, source_map, layer_data, layer_map)

    applied: list[str] = []
    cwd = Path.cwd()
    for text in overrides:
        parsed = _parse_override(str(text), problems)
        if parsed is None:
            continue
        key_path, value = parsed
        blocked = _check_override_path(key_path, data)
        if blocked:
            problems.append(Problem(OVERRIDE_SOURCE, None, _format_path(key_path), blocked))
            continue
        origin = _Origin(OVERRIDE_SOURCE, None, cwd)
        layer_map = _override_map(key_path, value, origin)
        for length in range(1, len(key_path)):  # sections the override creates
            existing = _get(data, key_path[:length])
            if existing is _MISSING or existing is None:
                layer_map[key_path[:length]] = origin
        data, source_map = _merge_layer(data, source_map, _nest(key_path, value), layer_map)
        applied.append(str(text))

    _resolve_data_paths(data, source_map)
    scenario: Optional[Scenario] = None
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        problems.extend(_problems_from_validation(exc, source_map))

    if problems:
        order = {layer[3]: i for i, layer in enumerate(reversed(layers))}

        def sort_key(problem: Problem) -> tuple:
            if problem.file == OVERRIDE_SOURCE:
                return (len(order) + 1, 0)
            rank = order.get(Path(problem.file).resolve(), len(order)) if problem.file else 0
            return (rank, problem.line or 0)

        raise ScenarioError(sorted(problems, key=sort_key))
    assert scenario is not None
    scenario._source_path = layers[-1][3]
    scenario._source_files = tuple(layer[3] for layer in reversed(layers))
    scenario._overrides = tuple(applied)
    return scenario

"""Intervention types as plug-ins: the base class of a type, the settings every type shares, and
the registry of types.

An intervention type is one module in naerhed/interventions/types/ with one class, a subclass of
`InterventionSettings` decorated with `@register`. Like a simulation component, the class declares
everything about its type in one place:

* its settings: the fields every block has (inherited), ``type: Literal["<name>"] = type_field()``
  and any settings of its own (pydantic fields with description and unit; unknown keys are errors);
* the effects it accepts: ``effects: <Effects subclass> = effects_field(<that class>)``, or the
  shared `Effects` (relative changes of rates, mode shift, registration, price) if it adds none;
* how it changes the covered persons' yearly rates beyond the shared effects (`adjust_year`);
* any extra outputs of a run (`write_outputs`).

Its evidence-based defaults (target group, coverage, effects, cost, each with provenance) are its
entry in data/intervention_catalogue.yaml. Coverage, ramp, target groups and the combination of
the shared effects are the same for every type (naerhed.interventions.mechanism). So a new type is
one module here, one catalogue entry and a scenario file in scenarios/; the engine and the runner
never name a type.

The scenario reads a block as the union of the registered types' settings, chosen by its `type`
(`settings_union`); a block of an unknown type is checked against the shared settings, so all its
problems are reported at once.
"""

from __future__ import annotations

import typing
from pathlib import Path
from typing import Annotated, Any, Literal, Optional, Union

import numpy as np
from pydantic import Discriminator, Field, Tag, create_model, field_validator, model_validator

from ..limits import MAX_DKK, MAX_INTERVENTIONS, RELATIVE_EFFECT_RANGE, SHARE_RANGE
from ..sections import NAME_PATTERN, Section, Uncertain, range_problem
from ..yaml_models import field, own_error

__all__ = ["INTERVENTION_TAG", "Effects", "InterventionSettings", "TargetGroup", "effect", "effects_field",
           "register", "registered", "settings_union", "type_field", "unregister"]

#: Prefix of the union tags of an intervention block (dropped from the key paths of error messages).
INTERVENTION_TAG = "intervention:"
_UNKNOWN_TYPE = INTERVENTION_TAG + "?"

_TYPES: dict[str, type["InterventionSettings"]] = {}


class TargetGroup(Section):
    """Who an intervention is for. A person is in the target group if every condition given holds."""

    age: tuple[Annotated[int, Field(ge=0, le=110)], Annotated[int, Field(ge=0, le=110)]] = field(
        (0, 110), description="Ages [youngest, oldest] in completed years (both included).",
        unit="ages in years [youngest, oldest]"
    )
    sex: Literal["both", "male", "female"] = field("both", description="Sex.", unit="choice")
    chronic: list[Literal["kol", "diabetes_t1", "diabetes_t2", "any"]] = field(
        default_factory=list,
        description="Chronic conditions: persons with at least one of them ('any': KOL or diabetes). "
        "Empty: with or without chronic disease.",
        unit="conditions",
    )
    min_frailty_quantile: Optional[Annotated[float, Field(ge=0, lt=1)]] = field(
        None,
        description="Only the frailest persons: frailty at or above this quantile of the whole population "
        "(0.9 = the frailest 10 %). Empty: any frailty.",
        unit="quantile (0-1)",
    )
    costliest: Optional[Annotated[int, Field(ge=1, le=1_000_000)]] = field(
        None,
        description="Only the N citizens per region with the highest expected hospital activity in the year "
        "(e.g. 50 for 'the 50 costliest citizens'). Empty: no such limit.",
        unit="persons per region",
    )

    @field_validator("age")
    @classmethod
    def _check_age(cls, value: tuple[int, int]) -> tuple[int, int]:
        if value[0] > value[1]:
            raise own_error(f"the youngest age ({value[0]}) must not be above the oldest ({value[1]})")
        return value


def effect(what: str, unit: str) -> Any:
    """The field of one effect: a number or a distribution, empty for the catalogue's default."""
    return field(None, description=f"{what} A number or a distribution sampled per draw; empty (null): "
                 "the catalogue's default for the intervention type.", unit=unit)


def _keys_of_other_types(cls, data: Any, fields_of) -> dict[str, list[str]]:
    """The keys of `data` that `cls` does not have but other registered types do (fields_of(type
    class) gives a type's keys), with those types."""
    if not isinstance(data, dict):
        return {}
    owners = {key: [name for name, kind in _TYPES.items() if key in fields_of(kind)]
              for key in data if key not in cls.model_fields}
    return {key: names for key, names in owners.items() if names}


def _validate_without_keys_of_other_types(cls, data: Any, handler, fields_of, report: bool) -> Any:
    """Validate `data` without the keys that belong to other intervention types; then, if `report`,
    say so for the first of them (instead of 'unknown key'), once the rest is valid."""
    foreign = _keys_of_other_types(cls, data, fields_of)
    result = handler({k: v for k, v in data.items() if k not in foreign} if foreign else data)
    if foreign and report:
        key, owners = next(iter(foreign.items()))
        raise own_error(f"{key} is only for {' and '.join(owners)} interventions. "
                        f"Allowed keys: {', '.join(sorted(cls.model_fields))}", at=(key,))
    return result


class Effects(Section):
    """Effects on the rates of the persons covered; several interventions on the same rate multiply.
    Every type accepts these (naerhed.interventions.mechanism applies them); a type's own effects
    extend this class."""

    acute_admissions: Optional[Uncertain] = effect("Relative change of acute admissions (-0.2 = 20 % fewer).",
                                                   "relative change")
    planned_admissions: Optional[Uncertain] = effect("Relative change of planned admissions.", "relative change")
    outpatient_stays: Optional[Uncertain] = effect("Relative change of physical outpatient stays (controls).",
                                                   "relative change")
    virtual_courses: Optional[Uncertain] = effect("Relative change of virtual courses.", "relative change")
    readmission_probability: Optional[Uncertain] = effect(
        "Relative change of the probability of an acute readmission within 30 days.", "relative change")
    outpatient_to_virtual: Optional[Uncertain] = effect(
        "Share of the physical outpatient stays that become virtual courses (mode shift, same care).", "share (0-1)")
    activity_price: Optional[Uncertain] = effect("Relative change of the DKK value of each course.", "relative change")
    registered_virtual: Optional[Uncertain] = effect(
        "Telemedicine activity that already happens but was not registered, now registered as virtual courses: "
        "extra registered virtual courses per participant, as a share of their physical outpatient stays. "
        "Changes the measured virtual share only, not care or activity.", "share of outpatient stays")

    @model_validator(mode="wrap")
    @classmethod
    def _effects_of_other_types(cls, data: Any, handler) -> Any:
        return _validate_without_keys_of_other_types(cls, data, handler, lambda kind: kind.effect_names(), True)

    @model_validator(mode="after")
    def _check_ranges(self) -> "Effects":
        """Each effect within the range of its kind (naerhed.limits): a share (unit 'share ...') in
        SHARE_RANGE, a relative change in RELATIVE_EFFECT_RANGE (-1: the rate is gone; +10: eleven times
        the rate, beyond any effect in the catalogue)."""
        for name, info in type(self).model_fields.items():
            unit = str((info.json_schema_extra or {}).get("unit", ""))
            low, high = SHARE_RANGE if unit.startswith("share") else RELATIVE_EFFECT_RANGE
            problem = range_problem(getattr(self, name), low, high)
            if problem:
                kind = "a share" if unit.startswith("share") else "a relative change (-1 = the rate is gone)"
                raise own_error(f"{problem} ({name} is {kind})", at=(name,))
        return self


def type_field() -> Any:
    """The `type` field of an intervention type's settings (annotate it with Literal["<name>"])."""
    return field(description="The kind of intervention (see `naerhed interventions` for the catalogue).",
                 unit="choice")


def effects_field(model: type[Effects]) -> Any:
    """The `effects` field of an intervention type that accepts the effects of `model`."""
    return field(default_factory=model, description="Effects; each left out takes the catalogue's default.",
                 unit="section")


class InterventionSettings(Section):
    """One intervention a region runs: a type from the catalogue, where, for whom, from when, how many,
    with which effects and at what cost. The base of every intervention type (see the module)."""

    name: str = field(description="A short name, unique in the scenario (used in outputs).",
                      unit="text (letters, digits, '_', '.', '-')", pattern=NAME_PATTERN, max_length=60)
    type: str = type_field()
    description: str = field("", description="What the region does, in a sentence.", unit="text")
    regions: list[Annotated[int, Field(ge=1081, le=1085)]] = field(
        default_factory=lambda: [1081, 1082, 1083, 1084, 1085],
        min_length=1, description="Regions (DST codes 1081-1085) where it runs.", unit="region codes")
    municipalities: list[str] = field(
        default_factory=list, max_length=MAX_INTERVENTIONS,
        description="Only these municipalities (kommune names, e.g. Aalborg) within the regions; empty: all.",
        unit="municipality names")
    target: Optional[TargetGroup] = field(None, description="Target group; empty: the catalogue's default.",
                                          unit="section")
    start_year: int = field(description="First calendar year it runs.", unit="calendar year", ge=2019, le=2060)
    ramp_years: int = field(1, ge=0, le=20, description="Years from start to full coverage (linear ramp; "
                            "0: full coverage from the start year).", unit="years")
    max_coverage: Optional[Annotated[float, Field(ge=0, le=1)]] = field(
        None, description="Share of the target group reached at full uptake; empty: the catalogue's default.",
        unit="share (0-1)")
    effects: Effects = effects_field(Effects)
    cost_per_participant_dkk: Optional[Annotated[float, Field(ge=0, le=MAX_DKK)]] = field(
        None, description="Cost per participant per year; empty: the catalogue's default.",
        unit="DKK per participant per year")
    fixed_cost_dkk_per_year: Annotated[float, Field(ge=0, le=MAX_DKK)] = field(
        0.0, description="Fixed cost per year per region where it runs (staff, licences).", unit="DKK per year")

    @model_validator(mode="wrap")
    @classmethod
    def _settings_of_other_types(cls, data: Any, handler) -> Any:
        # a block of an unknown type: its type is the problem, not the keys of other types
        return _validate_without_keys_of_other_types(cls, data, handler, lambda kind: kind.model_fields,
                                                     cls in _TYPES.values())

    @classmethod
    def type_name(cls) -> str:
        """The name of the type, as written after `type:` (the value of the class's `type` Literal)."""
        names = typing.get_args(cls.model_fields["type"].annotation)
        if len(names) != 1:
            raise TypeError(f"{cls.__name__}.type must be annotated Literal['<name of the type>']")
        return names[0]

    @classmethod
    def effect_names(cls) -> tuple[str, ...]:
        """The effects this type accepts, in the order of its effects model."""
        return tuple(cls.model_fields["effects"].annotation.model_fields)

    def adjust_year(self, intervention, effects: dict[str, float], covered: np.ndarray, pop,
                    rates: np.ndarray, mods, participants: np.ndarray) -> None:
        """Change the covered persons' modifiers of the year beyond the shared effects (which are
        applied already); by default nothing.

        intervention: the resolved intervention (naerhed.interventions.catalogue.Intervention);
        effects: its effects sampled for the draw; covered: indices of the persons covered this year;
        pop: the Population; rates: the year's expected rates without interventions [measure, person];
        mods: the PersonModifiers to change; participants [region]: simulated persons covered, which
        the type may redefine (e.g. as the events it diverts)."""

    def write_outputs(self, intervention, dataset, folder: Path) -> None:
        """Write the type's extra outputs of a run (e.g. a figure) into `folder`, given the run's
        results (xarray Dataset); by default none."""


def register(cls: type[InterventionSettings]) -> type[InterventionSettings]:
    """Class decorator: make `cls` an intervention type, under the name of its `type` Literal."""
    name = cls.type_name()
    if _TYPES.get(name, cls) is not cls:
        raise ValueError(f"intervention type {name!r} is defined twice: {_TYPES[name].__module__}, {cls.__module__}")
    _TYPES[name] = cls
    return cls


def unregister(name: str) -> None:
    """Remove a registered intervention type (for a type registered for a while, e.g. by a test)."""
    del _TYPES[name]


def registered() -> dict[str, type[InterventionSettings]]:
    """The registered intervention types: name -> settings class, in the order registered."""
    return dict(_TYPES)


class _RegisteredTypesOnly:
    """JSON Schema of a block: one of the registered types' settings (not the unknown-type check)."""

    def __get_pydantic_json_schema__(self, core_schema, handler):
        return {"oneOf": [handler(choice) for tag, choice in core_schema["choices"].items() if tag != _UNKNOWN_TYPE]}


def settings_union() -> Any:
    """The pydantic type of one intervention block: the settings of the registered type named by
    its `type`; a block of another type is checked against the shared settings (its `type` must be
    one of the registered names), so every problem in it is reported."""
    names = tuple(_TYPES)

    def tag(value: Any) -> str:
        kind = value.get("type") if isinstance(value, dict) else getattr(value, "type", None)
        return INTERVENTION_TAG + kind if isinstance(kind, str) and kind in names else _UNKNOWN_TYPE

    unknown = create_model("InterventionOfUnknownType", __base__=InterventionSettings,
                           __doc__="An intervention block whose type is not one of the registered types.",
                           type=(Literal[names], type_field()))
    members = [Annotated[_TYPES[name], Tag(INTERVENTION_TAG + name)] for name in names]
    return Annotated[Union[tuple(members + [Annotated[unknown, Tag(_UNKNOWN_TYPE)]])], Discriminator(tag),
                     _RegisteredTypesOnly()]

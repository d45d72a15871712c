"""The rule set: the model of a whole rule file (`RuleSet`, with the checks that relate its
sections), the form of a value given by year, the key paths that name a value, and the JSON Schema.

A `RuleSet` holds plain values: the rules in force in one period. A value given by year in the
file (`naerhed.financing.rules.dated`) is written in place for each period before validation, so
every check sees plain values; the loader (`naerhed.financing.rules.loading`) attaches the periods
to the rule set (`RuleSet.in_year`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal, Optional, Sequence

from pydantic import BaseModel, BeforeValidator, ConfigDict, PrivateAttr, ValidationInfo, field_validator

from naerhed.financing.criteria import REGISTRY, names as criterion_names
from naerhed.yaml_models import (FromFiles, did_you_mean, field, invalid_value, json_schema_with_extends,
                                  model_field_info, own_error)

from .sections import (
    CriterionKey,
    CriterionRule,
    PayoutRule,
    ProvenanceEntry,
    RuleSection,
    SplitRule,
    Year,
    mapping_types,
    section_model,
)

__all__ = [
    "DatedEntryForm",
    "DatedForm",
    "LEGAL_STATUSES",
    "NOT_DATED",
    "PROVENANCE_REQUIRED",
    "RuleSet",
    "key_path_problem",
    "rule_set_field_info",
    "rule_set_json_schema",
    "value_positions",
]

#: Keys that must have a provenance entry (the entry may also be for a key below them).
PROVENANCE_REQUIRED = ("pool_dkk", "split", "criteria", "payout", "settlement_applied")
#: The legal status of a year's rules (`RuleSet.legal_status`; the words results use: describe.legal_note).
LEGAL_STATUSES = ("in_force", "hypothesis", "abolished", "successor")
#: Top-level keys of a rule file that are never given by year.
NOT_DATED = ("name", "description", "years", "provenance")

_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"


def _provenance_key(value: Any) -> str:
    """A provenance key: the dotted key path of a value of the rule set."""
    if not isinstance(value, str) or not value.strip():
        raise invalid_value()
    problem = key_path_problem(value.strip())
    if problem:
        raise own_error(problem)
    return value.strip()


ProvenanceKey = Annotated[str, BeforeValidator(_provenance_key)]


# --------------------------------------------------------------------------------------------
# The rule set
# --------------------------------------------------------------------------------------------


class RuleSet(RuleSection, FromFiles):
    """The nærhedsfinansiering rules for a period of years.

    The values are those in force in the first year. A value the file gives by year may differ in
    later years: `in_year(year)` is the rule set with the values in force in that year, and
    `dated_keys` names the values given by year with the years from which each applies."""

    model_config = ConfigDict(title="naerhed nærhedsfinansiering rule set")

    name: str = field(
        description="Name of the rule set (a packaged rule set's name is its file name without .yaml).",
        unit="text (letters, digits, '_', '.', '-')",
        pattern=_NAME_PATTERN,
        max_length=100,
    )
    description: str = field("", description="What the rule set is, in a sentence.", unit="text")
    years: tuple[Year, Optional[Year]] = field(
        description="Calendar years [first, last] the rules apply to; last empty (null): every year "
        "from first on, until the first year of a later rule set used with it.",
        unit="calendar years [first, last]",
    )
    pool_dkk: float = field(
        gt=0,
        allow_inf_nan=False,
        description="The whole pool of the year for all five regions together, in DKK "
        "(1.5e9 = 1.5 bn DKK).",
        unit="DKK per year",
    )
    split: SplitRule = field(description="How the pool is split between the regions.", unit="section")
    criteria: dict[CriterionKey, CriterionRule] = field(
        description="How each criterion is judged, by criterion name; criteria not listed do not count. "
        "In a file that extends another, a criterion set to null (~) is removed.",
        unit="section by criterion",
    )
    payout: PayoutRule = field(
        description="The payout formula: from the criteria met to the share a region keeps.",
        unit="section",
    )
    settlement_applied: bool = field(
        description="Whether settlement (efterregulering) actually took place (historical fact). "
        "The model always computes the formal rule; with the scenario's "
        "financing.settlement: as_applied, nothing is repaid in a year when this is false.",
        unit="true or false",
    )
    legal_status: Literal[LEGAL_STATUSES] = field(
        "in_force",
        description="The legal status of the year's rules: 'in_force' (set by a published instrument), "
        "'hypothesis' (the scheme exists but no instrument for the year was found: the rules are the "
        "model's hypothesis), 'abolished' (the scheme no longer exists: the rules show what they would "
        "give if continued) or 'successor' (a hypothetical successor scheme, not enacted). Give it by "
        "year to mark where each status begins; results say it for every year that is not in force.",
        unit="in_force, hypothesis, abolished or successor",
    )
    provenance: dict[ProvenanceKey, ProvenanceEntry] = field(
        description="Where each value comes from, by key path (pool_dkk, split, split.shares, "
        "criteria.virtual_share.min_improvement, ...). pool_dkk, split, criteria, payout and "
        "settlement_applied must each have an entry (for the key or for keys below it); a value "
        "given by year may carry its own provenance for each year instead.",
        unit="section by key path",
    )

    _lines: dict = PrivateAttr(default_factory=dict)
    _periods: dict = PrivateAttr(default_factory=dict)
    _dated_keys: dict = PrivateAttr(default_factory=dict)

    @field_validator("years")
    @classmethod
    def _check_years(cls, value: tuple[int, Optional[int]]) -> tuple[int, Optional[int]]:
        first, last = value
        if last is not None and first > last:
            raise own_error(
                f"the first year ({first}) must not be after the last year ({last}); write "
                f"[first, last], e.g. [{last}, {first}], or [{first}, null] for every year from {first} on"
            )
        return value

    @field_validator("criteria", mode="before")
    @classmethod
    def _drop_removed(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {name: rule for name, rule in value.items() if rule is not None}
        return value

    @field_validator("criteria")
    @classmethod
    def _check_criteria(cls, value: dict[str, CriterionRule], info: ValidationInfo) -> dict[str, CriterionRule]:
        years = info.data.get("years")
        share_criteria = [c.name for c in REGISTRY.values() if c.share]
        for name, rule in value.items():
            if not REGISTRY[name].measured:
                written = [k for k in ("compare_with", "base_year", "threshold_type", "min_improvement")
                           if k in rule.model_fields_set]
                if written:
                    raise own_error(
                        f"{name} is met or not met as the scenario says (health.{name}_met); "
                        f"it takes no comparison: remove {', '.join(written)}",
                        at=(name, written[0]),
                    )
                continue
            if rule.threshold_type == "percentage_points" and name not in share_criteria:
                raise own_error(
                    f"percentage points apply only to share criteria ({', '.join(share_criteria)}); "
                    f"{name} needs threshold_type: relative",
                    at=(name, "threshold_type"),
                )
            if rule.base_year is not None and years is not None and rule.base_year >= years[0]:
                raise own_error(
                    f"the base year must be before the first year of the rule set ({years[0]}); "
                    f"got {rule.base_year}",
                    at=(name, "base_year"),
                )
        if not any(rule.counts for rule in value.values()):
            raise own_error("at least one criterion must count (counts: true)")
        return {name: value[name] for name in criterion_names() if name in value}

    @field_validator("payout")
    @classmethod
    def _check_payout(cls, value: PayoutRule, info: ValidationInfo) -> PayoutRule:
        criteria = info.data.get("criteria")
        if criteria is None:  # invalid: reported there
            return value
        counted = [name for name, rule in criteria.items() if rule.counts]
        n = len(counted)
        if value.formula == "step":
            steps = value.steps or {}
            missing = [k for k in range(n + 1) if k not in steps]
            extra = [k for k in steps if not 0 <= k <= n]
            if extra:
                raise own_error(
                    f"{n} criteria count, so the steps go from 0 to {n}; there is no step {extra[0]}",
                    at=("steps", str(extra[0])),
                )
            if missing:
                raise own_error(
                    f"every number of criteria met from 0 to {n} needs a share kept ({n} criteria count: "
                    f"{', '.join(counted)}); missing: {', '.join(str(k) for k in missing)}",
                    at=("steps",),
                )
        else:
            weights = value.weights or {}
            extra = [name for name in weights if name not in counted]
            missing = [name for name in counted if name not in weights]
            if extra:
                why = "does not count" if extra[0] in criteria else "is not among the criteria"
                raise own_error(
                    f"{extra[0]} {why}, so it cannot have a weight; the criteria that count: {', '.join(counted)}",
                    at=("weights", extra[0]),
                )
            if missing:
                raise own_error(
                    f"every criterion that counts needs a weight (0 allowed); missing: {', '.join(missing)}",
                    at=("weights",),
                )
        return value

    @field_validator("provenance")
    @classmethod
    def _check_provenance(cls, value: dict[str, ProvenanceEntry]) -> dict[str, ProvenanceEntry]:
        missing = [
            key for key in PROVENANCE_REQUIRED
            if not any(path == key or path.startswith(key + ".") for path in value)
        ]
        if missing:
            raise own_error(
                f"every value needs a provenance entry (published with its URL, or assumption); "
                f"missing: {', '.join(missing)}. Add e.g. {missing[0]}: {{status: assumption, "
                "source: NOT FOUND, note: why}"
            )
        return value

    # ---- where it was read from and its periods (set by the loader) -------------------------

    def attach(self, files: Sequence[Path], lines: dict[str, tuple[str, Optional[int]]],
               periods: dict[int, "RuleSet"], dated_keys: dict[str, tuple[int, ...]]) -> None:
        """Record the files read (the file itself first), where each value was written (dotted key
        path -> (file, line)), the rule set of each period (first year of the period -> rule set
        with the values in force then) and the values given by year (key path -> the first years of
        the periods in which it applies). Called by the loader."""
        self.attach_files(files)
        self._lines = dict(lines)
        self._periods = periods
        self._dated_keys = dict(dated_keys)

    # ---- derived values ------------------------------------------------------------------------

    @property
    def first_year(self) -> int:
        return self.years[0]

    @property
    def last_year(self) -> Optional[int]:
        """The last year, or None if the rule set applies to every year from first_year on."""
        return self.years[1]

    def years_text(self) -> str:
        """'2021', '2019-2021' or '2022 onwards'."""
        first, last = self.years
        if last is None:
            return f"{first} onwards"
        return str(first) if first == last else f"{first}-{last}"

    def covers(self, year: int) -> bool:
        """Whether the rule set's own years include the calendar year (see
        naerhed.financing.rules.coverage for how an open end meets a later rule set)."""
        return self.years[0] <= int(year) and (self.years[1] is None or int(year) <= self.years[1])

    @property
    def counted_criteria(self) -> tuple[str, ...]:
        """The criteria that count towards the payout, in the model's order (the criterion
        registry's): the order of the last axis of `share_kept`'s arrays."""
        return tuple(name for name, rule in self.criteria.items() if rule.counts)

    def reference_year(self, criterion: str, year: int) -> Optional[int]:
        """The year the criterion's value in `year` is compared with (None: met or not met)."""
        if not REGISTRY[criterion].measured:
            return None
        rule = self.in_year(year).criteria[criterion]
        return int(year) - 1 if rule.compare_with == "previous_year" else rule.base_year

    @property
    def dated_keys(self) -> dict[str, tuple[int, ...]]:
        """The values given by year: key path -> the first years of the periods (within the rule
        set's years) in which each of its values applies, in order."""
        return dict(self._dated_keys)

    def in_year(self, year: int) -> "RuleSet":
        """The rule set with the values in force in the calendar year (itself when no value is
        given by year). Raises ValueError for a year before the first year."""
        year = int(year)
        if year < self.first_year:
            raise ValueError(f"the rule set {self.name} applies from {self.first_year}; {year} is before it")
        starts = [start for start in self._periods if start <= year]
        return self._periods[max(starts)] if starts else self

    def value_in(self, key_path: str, year: int) -> Any:
        """The value at a dotted key path (e.g. 'settlement_applied', 'split.shares.1081') in force
        in the calendar year."""
        node: Any = self.in_year(year)
        for part in key_path.split("."):
            if isinstance(node, BaseModel):
                node = getattr(node, part)
            else:
                node = node[int(part)] if part.isdigit() and int(part) in node else node[part]
        return node

    def line_of(self, key_path: str) -> tuple[Optional[str], Optional[int]]:
        """(file, line) where a value was written ((file of the rule set, None) if unknown)."""
        return self._lines.get(key_path, (str(self.source_path) if self.source_path else None, None))

    def where(self, key_path: str) -> str:
        """'file:line' where a value was written (or the file, or the name if not from a file)."""
        file, line = self._lines.get(key_path, (None, None))
        if file is None:
            return str(self.source_path) if self.source_path else self.name
        return f"{file}:{line}" if line else file

    def provenance_of(self, key_path: str, year: Optional[int] = None) -> Optional[ProvenanceEntry]:
        """The provenance entry of a value (in force in `year`, default the first year): the entry
        for the key path or the nearest key above it."""
        provenance = (self if year is None else self.in_year(year)).provenance
        parts = key_path.split(".")
        for length in range(len(parts), 0, -1):
            entry = provenance.get(".".join(parts[:length]))
            if entry is not None:
                return entry
        return None


# --------------------------------------------------------------------------------------------
# A value given by year, as written
# --------------------------------------------------------------------------------------------


class DatedEntryForm(BaseModel):
    """One value of a value given by year, with its own provenance (a plain entry, `2024: false`,
    is read as {value: false})."""

    model_config = ConfigDict(extra="forbid", title="value from a year on")

    value: Any = field(description="The value from this year on (as the setting takes it).",
                       unit="as the setting")
    provenance: Optional[ProvenanceEntry] = field(
        None, description="Where this value comes from (instead of the key's entry under provenance).",
        unit="section")


class DatedForm(BaseModel):
    """A value given by year: each applies from its year until the next."""

    model_config = ConfigDict(extra="forbid", title="value by year")

    values: dict[Year, DatedEntryForm] = field(
        min_length=1,
        description="The value from each year on, by calendar year: the value itself, or "
        "{value: ..., provenance: {...}}. A value applies from its year until the next year given.",
        unit="calendar year: value",
    )


# --------------------------------------------------------------------------------------------
# Key paths
# --------------------------------------------------------------------------------------------


def key_path_problem(path: str) -> Optional[str]:
    """Why a dotted key path does not name a value of a rule set, or None."""
    model: Optional[type[BaseModel]] = RuleSet
    mapping: Optional[tuple[Any, Any]] = None
    done: list[str] = []
    for part in path.split("."):
        here = ".".join(done + [part])
        if mapping is not None:
            key_type, annotation = mapping
            if key_type == CriterionKey:
                allowed = criterion_names()
                if part not in allowed:
                    close = did_you_mean(part, allowed)
                    hint = f"; did you mean '{'.'.join(done + [close])}'?" if close else "."
                    return f"'{here}': unknown criterion{hint} The criteria: {', '.join(allowed)}"
            elif not part.isdigit():
                return f"'{here}': the key after '{'.'.join(done)}' must be a number (a region code or a count)"
        elif model is not None:
            fields = [f for f in model.model_fields if not (model is RuleSet and f == "provenance")]
            if part not in fields:
                close = did_you_mean(part, fields)
                hint = f"; did you mean '{'.'.join(done + [close])}'?" if close else "."
                where = f"in {'.'.join(done)}" if done else "at the top level"
                return f"'{here}' is not a key of the rule set{hint} Keys {where}: {', '.join(fields)}"
            annotation = model.model_fields[part].annotation
        else:
            return f"'{here}': '{'.'.join(done)}' is a single value, it has no keys below it"
        model, mapping = section_model(annotation), mapping_types(annotation)
        done.append(part)
    return None


def value_positions(data: Any) -> list[tuple[str, ...]]:
    """Key paths of the values written in rule-file data (a merged YAML mapping) that may be given
    by year: every setting that is not a section, except name, description, years and provenance
    (e.g. ('pool_dkk',), ('split', 'shares'), ('criteria', 'virtual_share', 'min_improvement'))."""
    positions: list[tuple[str, ...]] = []

    def walk(model: type[BaseModel], node: Any, prefix: tuple[str, ...]) -> None:
        if not isinstance(node, dict):
            return
        for name, info in model.model_fields.items():
            if (model is RuleSet and name in NOT_DATED) or name not in node:
                continue
            section = section_model(info.annotation)
            mapping = mapping_types(info.annotation)
            if section is not None and mapping is None:
                walk(section, node[name], prefix + (name,))
            elif mapping is not None and section_model(mapping[1]) is not None:
                if isinstance(node[name], dict):
                    for key, sub in node[name].items():
                        walk(section_model(mapping[1]), sub, prefix + (name, str(key)))
            else:
                positions.append(prefix + (name,))

    walk(RuleSet, data, ())
    return positions


# --------------------------------------------------------------------------------------------
# JSON Schema
# --------------------------------------------------------------------------------------------


def rule_set_field_info() -> dict[str, dict[str, str]]:
    """Every key of a rule file (sections by their dotted path) with its description and unit."""
    return model_field_info(RuleSet)


def rule_set_json_schema() -> dict:
    """JSON Schema of a rule file (draft 2020-12), with the descriptions and units of every key;
    every value that may be given by year accepts the form {values: {year: value, ...}}."""
    schema = json_schema_with_extends(
        RuleSet, "A packaged rule set (by name; `naerhed rules` lists them) or another rule file "
        "(relative to this file) that this one builds on; its values are used unless this file sets them.",
        "rule set name or file path")
    dated = DatedForm.model_json_schema(ref_template="#/$defs/{model}")
    definitions = schema.setdefault("$defs", {})
    definitions.update(dated.pop("$defs", {}))
    definitions["DatedForm"] = dated
    dated["properties"]["values"]["additionalProperties"] = {"anyOf": [{"$ref": "#/$defs/DatedEntryForm"}, {}]}
    dated_ref = {"$ref": "#/$defs/DatedForm"}

    def allow_dated(properties: dict, model: type[BaseModel]) -> None:
        for name, info in model.model_fields.items():
            if (model is RuleSet and name in NOT_DATED) or name not in properties:
                continue
            if section_model(info.annotation) is not None:
                continue
            prop = properties[name]
            kept = {k: prop.pop(k) for k in ("description", "unit", "title", "default") if k in prop}
            properties[name] = {"anyOf": [prop, dated_ref], **kept}

    allow_dated(schema["properties"], RuleSet)
    for model in (SplitRule, CriterionRule, PayoutRule):
        allow_dated(definitions[model.__name__]["properties"], model)
    # a file that extends another needs none of the required keys; a criterion set to null is removed
    schema["if"] = {"not": {"required": ["extends"]}}
    schema["then"] = {"required": schema.pop("required")}
    criteria = schema["properties"]["criteria"]["anyOf"][0]
    criteria["additionalProperties"] = {"anyOf": [criteria["additionalProperties"], {"type": "null"}]}
    return schema

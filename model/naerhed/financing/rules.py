"""Nærhedsfinansiering rule sets: the rules that turn criterion values into payouts, as data.

Each year's rules are set by a circular or an order, and successor schemes will be similar, so the
rules are YAML files (one per period of years), never code. A rule set says which years it covers,
the size of the pool, how the pool is split between the regions, how each criterion is judged
(compared with which year, by how much it must improve), how the number or weight of the criteria
met becomes the share of its part of the pool a region keeps, whether settlement (efterregulering)
actually took place, and where every value comes from (published, with its URL, or an assumption).

The packaged rule sets are in naerhed/data/rules (`packaged_rule_sets()`); a user's own file is
read the same way (`load_rule_set("my_rules.yaml")`) and may build on a packaged set with
``extends: nf2021``. Every problem in a file is reported at once with file, line and key path
(`RuleSetError`).

Judging a criterion (`met_and_fulfilment`): the improvement on the reference year is
(reference - value) / reference when lower is better, (value - reference) / reference when higher
is better (threshold_type relative), or the difference in percentage points (share criteria,
threshold_type percentage_points). The criterion is met if the improvement is larger than
min_improvement (0: any improvement counts). Fulfilment is 1 if met, else the improvement as a
share of min_improvement (0-1) when min_improvement > 0, else 0; it matters only for the weighted
payout with partial fulfilment. digital_solutions (2019) is met or not met as the scenario says.
"""

from __future__ import annotations

import math
import os
import typing
from pathlib import Path
from typing import Annotated, Any, Iterable, Literal, Optional, Sequence, Union

import numpy as np
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)

from naerhed.constants import REGION_CODES, REGION_NAMES
from naerhed.errors import RuleSetError
from naerhed.financing.criteria import REGISTRY, names as criterion_names
from naerhed.yaml_models import (
    Problem,
    YamlSpec,
    _as_model,
    _container,
    _member_model,
    did_you_mean,
    field,
    invalid_value,
    load_yaml_document,
    model_field_info,
    own_error,
)

__all__ = [
    "CriterionRule",
    "DEFAULT_RULE_SETS",
    "PayoutRule",
    "ProvenanceEntry",
    "RuleSet",
    "SplitRule",
    "coverage_problems",
    "describe_rule_set",
    "is_rule_file_path",
    "load_rule_set",
    "load_rule_sets",
    "met_and_fulfilment",
    "packaged_rule_sets",
    "rule_set_field_info",
    "rule_set_for_year",
    "rule_set_json_schema",
    "share_kept",
]

#: Folder of the packaged rule files.
RULES_DIR = Path(__file__).resolve().parent.parent / "data" / "rules"
#: The rule sets a scenario uses unless it says otherwise (2019 onwards, the last one open-ended).
DEFAULT_RULE_SETS = ("nf2019", "nf2020", "nf2021", "nf2022plus")
#: Criteria whose value is a share (0-1): only these can have thresholds in percentage points.
SHARE_CRITERIA = tuple(c.name for c in REGISTRY.values() if c.share)
#: Criteria that are met or not met as the scenario says (no comparison with another year).
MET_OR_NOT_CRITERIA = criterion_names(kind="input")
#: Keys that must have a provenance entry (the entry may also be for a key below them).
PROVENANCE_REQUIRED = ("pool_dkk", "split", "criteria", "payout", "settlement_applied")

_SUM_TOLERANCE = 1e-6
#: An improvement must exceed min_improvement by more than this: rounding must not decide a criterion.
_MET_TOLERANCE = 1e-12
_NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
_REGIONS_TEXT = ", ".join(f"{code} {name}" for code, name in zip(REGION_CODES, REGION_NAMES))

CRITERIA = criterion_names()
CriterionName = Literal[CRITERIA]  # type: ignore[valid-type]
_Year = Annotated[int, Field(ge=2000, le=2100)]
_Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]


def _region_code(value: Any) -> int:
    """A DST region code (1081-1085) written as a number or as text."""
    if isinstance(value, bool):
        raise invalid_value()
    text = str(value).strip()
    if text.isdigit() and int(text) in REGION_CODES:
        return int(text)
    raise own_error(f"unknown region code {text!r}; the regions are {_REGIONS_TEXT}")


RegionCode = Annotated[int, BeforeValidator(_region_code)]


def _fmt_share(value: float) -> str:
    return f"{100 * value:.4g} %"


def _missing_regions_text(codes: Iterable[int]) -> str:
    missing = [c for c in REGION_CODES if c not in set(codes)]
    return ", ".join(f"{c} ({REGION_NAMES[REGION_CODES.index(c)]})" for c in missing)


class _RuleSection(BaseModel):
    """Common configuration: unknown keys are errors; booleans are accepted only by yes/no
    settings; an empty section means 'all defaults'. Rule sets are read-only once loaded."""

    model_config = ConfigDict(extra="forbid", validate_default=True, frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _common_checks(cls, value: Any, info: ValidationInfo) -> Any:
        annotation = cls.model_fields[info.field_name].annotation
        if value is None and _as_model(annotation) is not None:
            return {}
        if isinstance(value, bool) and annotation is not bool:
            raise invalid_value()
        return value


# --------------------------------------------------------------------------------------------
# The models
# --------------------------------------------------------------------------------------------


class SplitRule(_RuleSection):
    """How the pool is split between the five regions (each region's part of the pool)."""

    key: Literal["block_grant", "population", "need_formula"] = field(
        "block_grant",
        description="'block_grant': fixed shares (`shares`, e.g. the regions' shares of the health "
        "block grant); 'population': each region's share of the population on 1 January of the "
        "year; 'need_formula': the block grant's own formula computed from the model's population "
        "(a fixed amount per region, the rest by expenditure need and a socio-economic index).",
        unit="choice",
    )
    shares: Optional[dict[RegionCode, _Share]] = field(
        None,
        description="Each region's share of the pool, by DST region code (1081-1085); all five "
        "regions, summing to 1. Required with key block_grant, not used otherwise.",
        unit="share of the pool (0-1) by region code",
    )
    base_dkk_per_region: float = field(
        100e6,
        ge=0,
        allow_inf_nan=False,
        description="need_formula: fixed amount per region before the rest of the pool is split by "
        "need, in DKK. The block grant gives 100 mio. DKK per region of a ~97 bn DKK grant; applied "
        "to a 1.5 bn pool the same amount is a third of the pool (assumption: scale it if wanted).",
        unit="DKK per region per year",
    )
    need_share: _Share = field(
        0.775,
        description="need_formula: share of the rest of the pool split by age-determined "
        "expenditure need.",
        unit="share (0-1)",
    )
    socioeconomic_share: _Share = field(
        0.225,
        description="need_formula: share of the rest of the pool split by the socio-economic "
        "index. need_share + socioeconomic_share must be 1.",
        unit="share (0-1)",
    )

    @field_validator("shares")
    @classmethod
    def _check_shares(cls, value: Optional[dict[int, float]]) -> Optional[dict[int, float]]:
        if value is None:
            return None
        if set(value) != set(REGION_CODES):
            raise own_error(
                f"every region needs a share; missing: {_missing_regions_text(value)} "
                f"(the regions are {_REGIONS_TEXT})"
            )
        total = sum(value.values())
        if abs(total - 1) > _SUM_TOLERANCE:
            raise own_error(
                f"the shares must sum to 1 (within {_SUM_TOLERANCE:g}); they sum to {total:.6g} "
                f"({', '.join(f'{c}: {v:g}' for c, v in sorted(value.items()))})"
            )
        return {code: value[code] for code in REGION_CODES}

    @model_validator(mode="after")
    def _check_key(self) -> "SplitRule":
        written = self.model_fields_set
        if self.key == "block_grant" and self.shares is None:
            raise own_error(
                "key block_grant needs the shares of the five regions, e.g. "
                "shares: {1081: 0.104238, 1082: 0.213098, 1083: 0.214011, 1084: 0.31545, 1085: 0.153203}",
                at=("shares",),
            )
        if self.key != "block_grant" and self.shares is not None:
            raise own_error(
                f"shares are used only with key: block_grant (key is {self.key}); remove them",
                at=("shares",),
            )
        formula_keys = [k for k in ("base_dkk_per_region", "need_share", "socioeconomic_share") if k in written]
        if self.key != "need_formula" and formula_keys:
            raise own_error(
                f"{formula_keys[0]} is used only with key: need_formula (key is {self.key}); remove it",
                at=(formula_keys[0],),
            )
        if self.key == "need_formula" and abs(self.need_share + self.socioeconomic_share - 1) > _SUM_TOLERANCE:
            raise own_error(
                f"need_share + socioeconomic_share must be 1; they are {self.need_share:g} + "
                f"{self.socioeconomic_share:g} = {self.need_share + self.socioeconomic_share:g}",
                at=("need_share",),
            )
        return self

    def region_shares(self, region_codes: Sequence[int] = REGION_CODES) -> np.ndarray:
        """The fixed shares (key block_grant) in the order of `region_codes`."""
        if self.shares is None:
            raise ValueError(f"the split key {self.key!r} has no fixed shares")
        return np.array([self.shares[int(code)] for code in region_codes], dtype=float)


def _min_improvement(value: Any) -> Any:
    """A number, or a mapping of region code to number (every region)."""
    if isinstance(value, bool):
        raise invalid_value()
    if isinstance(value, (int, float)):
        if not math.isfinite(value):
            raise invalid_value()
        return float(value)
    if isinstance(value, dict):
        result: dict[int, float] = {}
        for key, sub in value.items():
            text = str(key).strip()
            if not (text.isdigit() and int(text) in REGION_CODES):
                raise own_error(f"unknown region code {text!r}; the regions are {_REGIONS_TEXT}", at=(str(key),))
            if isinstance(sub, bool) or not isinstance(sub, (int, float)) or not math.isfinite(sub):
                raise own_error(f"must be a number; got {sub!r}", at=(str(key),))
            result[int(text)] = float(sub)
        if set(result) != set(REGION_CODES):
            raise own_error(
                f"a threshold per region needs every region; missing: {_missing_regions_text(result)}"
            )
        return {code: result[code] for code in REGION_CODES}
    raise invalid_value()


class CriterionRule(_RuleSection):
    """How one criterion is judged: compared with which year, and how much it must improve."""

    counts: bool = field(
        True,
        description="Whether the criterion counts towards the payout (false: measured and reported, "
        "no money depends on it).",
        unit="true or false",
    )
    compare_with: Literal["previous_year", "base_year"] = field(
        "previous_year",
        description="The reference the year's value is compared with: 'previous_year' (the year "
        "before) or 'base_year' (a fixed year, `base_year`).",
        unit="choice",
    )
    base_year: Optional[_Year] = field(
        None,
        description="With compare_with: base_year, the calendar year the value is compared with "
        "(before the first year of the rule set). Not used with previous_year.",
        unit="calendar year",
    )
    threshold_type: Literal["relative", "percentage_points"] = field(
        "relative",
        description="How the improvement is measured: 'relative' (change as a share of the reference "
        "value, 0.02 = 2 %) or 'percentage_points' (difference of two shares in percentage points; "
        "only for readmission_share and virtual_share).",
        unit="choice",
    )
    min_improvement: Annotated[Union[float, dict[int, float]], BeforeValidator(_min_improvement)] = field(
        0.0,
        description="The improvement must be larger than this to meet the criterion (0: any "
        "improvement counts). A number for every region, or a mapping of region code to number. "
        "Relative: a share (0.01 = 1 % better); percentage_points: points (0.5 = half a point).",
        unit="share of the reference value (relative) or percentage points",
    )

    @model_validator(mode="after")
    def _check(self) -> "CriterionRule":
        if self.compare_with == "base_year" and self.base_year is None:
            raise own_error(
                "compare_with: base_year needs the year to compare with, e.g. base_year: 2018",
                at=("base_year",),
            )
        if self.compare_with == "previous_year" and self.base_year is not None:
            raise own_error(
                "base_year is used only with compare_with: base_year (compare_with is previous_year); "
                "remove it or set compare_with: base_year",
                at=("base_year",),
            )
        limit = 1.0 if self.threshold_type == "relative" else 100.0
        values = self.min_improvement.values() if isinstance(self.min_improvement, dict) else [self.min_improvement]
        for value in values:
            if not -limit <= value <= limit:
                unit = "a relative change" if self.threshold_type == "relative" else "percentage points"
                raise own_error(
                    f"must be between {-limit:g} and {limit:g} ({unit}); got {value:g}",
                    at=("min_improvement",),
                )
        return self

    def thresholds(self, region_codes: Sequence[int] = REGION_CODES) -> np.ndarray:
        """min_improvement for each region of `region_codes` (in that order)."""
        if isinstance(self.min_improvement, dict):
            return np.array([self.min_improvement[int(code)] for code in region_codes], dtype=float)
        return np.full(len(region_codes), float(self.min_improvement))


class PayoutRule(_RuleSection):
    """From the criteria met to the share of its part of the pool a region keeps."""

    formula: Literal["step", "weighted"] = field(
        description="'step': the share kept depends on the number of criteria met (`steps`); "
        "'weighted': the share kept is the sum of the weights of the criteria met (`weights`), "
        "with `partial`, an improvement short of the threshold counts pro rata.",
        unit="choice",
    )
    steps: Optional[dict[int, _Share]] = field(
        None,
        description="formula step: share kept by number of criteria met, for every number from 0 to "
        "the number of criteria that count; never decreasing.",
        unit="share kept (0-1) by number of criteria met",
    )
    weights: Optional[dict[CriterionName, _Share]] = field(
        None,
        description="formula weighted: weight of each criterion that counts (all of them, summing to 1).",
        unit="share of the region's part (0-1) by criterion",
    )
    partial: bool = field(
        False,
        description="formula weighted: whether an improvement short of min_improvement counts pro rata "
        "(improvement / min_improvement of the criterion's weight) instead of not at all.",
        unit="true or false",
    )

    @field_validator("steps")
    @classmethod
    def _check_steps(cls, value: Optional[dict[int, float]]) -> Optional[dict[int, float]]:
        if value is None:
            return None
        ordered = sorted(value)
        for lower, higher in zip(ordered, ordered[1:]):
            if value[higher] < value[lower]:
                raise own_error(
                    f"the share kept must not decrease with more criteria met: {higher} met keeps "
                    f"{value[higher]:g}, less than {lower} met ({value[lower]:g})",
                    at=(str(higher),),
                )
        return {k: value[k] for k in ordered}

    @field_validator("weights")
    @classmethod
    def _check_weights(cls, value: Optional[dict[str, float]]) -> Optional[dict[str, float]]:
        if value is None:
            return None
        total = sum(value.values())
        if abs(total - 1) > _SUM_TOLERANCE:
            raise own_error(
                f"the weights must sum to 1 (within {_SUM_TOLERANCE:g}); they sum to {total:.6g}"
            )
        return {name: value[name] for name in CRITERIA if name in value}

    @model_validator(mode="after")
    def _check_formula(self) -> "PayoutRule":
        written = self.model_fields_set
        if self.formula == "step":
            if self.steps is None:
                raise own_error("formula step needs steps, e.g. steps: {0: 0, 1: 0.33, 2: 0.66, 3: 1, 4: 1}",
                                at=("steps",))
            for key, used in (("weights", self.weights is not None), ("partial", "partial" in written and self.partial)):
                if used:
                    raise own_error(f"{key} is used only with formula: weighted (formula is step); remove it",
                                    at=(key,))
        else:
            if self.weights is None:
                raise own_error("formula weighted needs weights, e.g. weights: {stays_per_citizen: 0.25, ...}",
                                at=("weights",))
            if self.steps is not None:
                raise own_error("steps are used only with formula: step (formula is weighted); remove them",
                                at=("steps",))
        return self


class ProvenanceEntry(_RuleSection):
    """Where a value of the rule set comes from."""

    status: Literal["published", "assumption"] = field(
        description="'published': read in a public source (give its URL); 'assumption': not published "
        "in what could be read, the model's choice.",
        unit="choice",
    )
    source: str = field(
        description="URL(s) of the public source(s), separated by ' ; ', or 'NOT FOUND'.",
        unit="URL or 'NOT FOUND'",
        min_length=1,
    )
    note: str = field("", description="What the source says, or why the assumption was made.", unit="text")

    @field_validator("source")
    @classmethod
    def _check_source(cls, value: str) -> str:
        value = value.strip()
        if value == "NOT FOUND":
            return value
        parts = [p.strip() for p in value.split(";") if p.strip()]
        bad = [p for p in parts if not p.startswith(("http://", "https://"))]
        if not parts or bad:
            raise own_error(
                f"must be the URL(s) of the source (starting http:// or https://, several separated by "
                f"' ; ') or NOT FOUND; got {bad[0] if bad else value!r}"
            )
        return value

    @model_validator(mode="after")
    def _check_status(self) -> "ProvenanceEntry":
        if self.status == "published" and self.source == "NOT FOUND":
            raise own_error("a published value needs the URL of its source; with no source, write "
                            "status: assumption", at=("status",))
        return self


def _provenance_key(value: Any) -> str:
    """A provenance key: the dotted key path of a value of the rule set."""
    if not isinstance(value, str) or not value.strip():
        raise invalid_value()
    problem = _key_path_problem(value.strip())
    if problem:
        raise own_error(problem)
    return value.strip()


ProvenanceKey = Annotated[str, BeforeValidator(_provenance_key)]


class RuleSet(_RuleSection):
    """The nærhedsfinansiering rules for a period of years."""

    model_config = ConfigDict(title="naerhed nærhedsfinansiering rule set")

    name: str = field(
        description="Name of the rule set (packaged sets: the file name without .yaml, e.g. nf2021).",
        unit="text (letters, digits, '_', '.', '-')",
        pattern=_NAME_PATTERN,
        max_length=100,
    )
    description: str = field("", description="What the rule set is, in a sentence.", unit="text")
    years: tuple[_Year, Optional[_Year]] = field(
        description="Calendar years [first, last] the rules apply to; last empty (null): every year "
        "from first on.",
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
    criteria: dict[CriterionName, CriterionRule] = field(
        description="How each criterion is judged, by criterion name; criteria not listed do not count.",
        unit="section by criterion",
    )
    payout: PayoutRule = field(
        description="The payout formula: from the criteria met to the share a region keeps.",
        unit="section",
    )
    settlement_applied: bool = field(
        description="Whether settlement (efterregulering) actually took place for these years "
        "(historical fact). The model always computes the formal rule; with the scenario's "
        "financing.settlement: as_applied, nothing is repaid when this is false.",
        unit="true or false",
    )
    provenance: dict[ProvenanceKey, ProvenanceEntry] = field(
        description="Where each value comes from, by key path (pool_dkk, split, split.shares, "
        "criteria.virtual_share.min_improvement, ...). pool_dkk, split, criteria, payout and "
        "settlement_applied must each have an entry (for the key or for keys below it).",
        unit="section by key path",
    )

    _source_path: Optional[Path] = PrivateAttr(default=None)
    _source_files: tuple[Path, ...] = PrivateAttr(default=())
    _lines: dict = PrivateAttr(default_factory=dict)

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

    @field_validator("criteria")
    @classmethod
    def _check_criteria(cls, value: dict[str, CriterionRule], info: ValidationInfo) -> dict[str, CriterionRule]:
        years = info.data.get("years")
        for name, rule in value.items():
            if name in MET_OR_NOT_CRITERIA:
                written = [k for k in ("compare_with", "base_year", "threshold_type", "min_improvement")
                           if k in rule.model_fields_set]
                if written:
                    raise own_error(
                        f"{name} is met or not met as the scenario says (health.digital_solutions_met); "
                        f"it takes no comparison: remove {', '.join(written)}",
                        at=(name, written[0]),
                    )
                continue
            if rule.threshold_type == "percentage_points" and name not in SHARE_CRITERIA:
                raise own_error(
                    f"percentage points apply only to share criteria ({', '.join(SHARE_CRITERIA)}); "
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
        return {name: value[name] for name in CRITERIA if name in value}

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

    # ---- derived values ------------------------------------------------------------------------

    @property
    def first_year(self) -> int:
        return self.years[0]

    @property
    def last_year(self) -> Optional[int]:
        """The last year, or None if the rule set applies to every year from first_year on."""
        return self.years[1]

    def covers(self, year: int) -> bool:
        """Whether the rules apply to the calendar year."""
        return self.years[0] <= int(year) and (self.years[1] is None or int(year) <= self.years[1])

    @property
    def counted_criteria(self) -> tuple[str, ...]:
        """The criteria that count towards the payout, in the model's order (naerhed CRITERIA):
        the order of the last axis of `share_kept`'s arrays."""
        return tuple(name for name, rule in self.criteria.items() if rule.counts)

    def reference_year(self, criterion: str, year: int) -> Optional[int]:
        """The year the criterion's value in `year` is compared with (None: met or not met)."""
        if criterion in MET_OR_NOT_CRITERIA:
            return None
        rule = self.criteria[criterion]
        return int(year) - 1 if rule.compare_with == "previous_year" else rule.base_year

    @property
    def source_path(self) -> Optional[Path]:
        """The file the rule set was read from (absolute), or None."""
        return self._source_path

    @property
    def source_files(self) -> tuple[Path, ...]:
        """The file and the files it extends, the file itself first."""
        return self._source_files

    def where(self, key_path: str) -> str:
        """'file:line' where a value was written (or the file, or the name if not from a file)."""
        file, line = self._lines.get(key_path, (None, None))
        if file is None:
            return str(self._source_path) if self._source_path else self.name
        return f"{file}:{line}" if line else file

    def provenance_of(self, key_path: str) -> Optional[ProvenanceEntry]:
        """The provenance entry of a value: the entry for the key path or the nearest key above it."""
        parts = key_path.split(".")
        for length in range(len(parts), 0, -1):
            entry = self.provenance.get(".".join(parts[:length]))
            if entry is not None:
                return entry
        return None


def _key_path_problem(path: str) -> Optional[str]:
    """Why a dotted key path does not name a value of a rule set, or None."""
    parts = path.split(".")
    annotation: Any = RuleSet
    done: list[str] = []
    for part in parts:
        model = _member_model(annotation)
        container = _container(annotation)
        here = ".".join(done + [part])
        if model is not None and model is not ProvenanceEntry and container is None:
            fields = [f for f in model.model_fields if not (model is RuleSet and f == "provenance")]
            if part not in fields:
                close = did_you_mean(part, fields)
                hint = f"; did you mean '{'.'.join(done + [close])}'?" if close else ""
                where = f"in {'.'.join(done)}" if done else "at the top level"
                return f"'{here}' is not a key of the rule set{hint} Keys {where}: {', '.join(fields)}"
            annotation = model.model_fields[part].annotation
        elif container is not None and container[0] == "dict":
            key_type, value_type = container[1], container[2]
            if typing.get_origin(key_type) is Literal:
                if part not in CRITERIA:
                    close = did_you_mean(part, CRITERIA)
                    hint = f"; did you mean '{'.'.join(done + [close])}'?" if close else ""
                    return f"'{here}': unknown criterion{hint} The criteria: {', '.join(CRITERIA)}"
            elif not part.isdigit():
                return f"'{here}': the key after '{'.'.join(done)}' must be a number (a region code or a count)"
            annotation = value_type
        else:
            return f"'{here}': '{'.'.join(done)}' is a single value, it has no keys below it"
        done.append(part)
    return None


# --------------------------------------------------------------------------------------------
# Reading rule sets
# --------------------------------------------------------------------------------------------


def packaged_rule_sets() -> dict[str, Path]:
    """The rule sets packaged with naerhed: name -> file."""
    return {path.stem: path for path in sorted(RULES_DIR.glob("*.yaml"))}


def is_rule_file_path(text: str) -> bool:
    """Whether a rule-set reference is a file path (ends in .yaml/.yml or has a folder in it)
    rather than the name of a packaged rule set."""
    text = str(text).strip()
    return text.lower().endswith((".yaml", ".yml")) or "/" in text or os.sep in text


def _packaged_extends(target: str, base_dir: Path) -> Optional[Path]:
    if not is_rule_file_path(target):
        return packaged_rule_sets().get(target)
    return None


_SPEC = YamlSpec(
    model=RuleSet,
    noun="rule file",
    empty_hint="a rule set needs name, years, pool_dkk, split, criteria, payout, settlement_applied "
    "and provenance",
    allow_extends=True,
    extends_help="must be the name of a packaged rule set (e.g. extends: nf2021) or the path of another "
    "rule file (relative to this file)",
    resolve_extends=_packaged_extends,
    expect_overrides={
        "years": "a list [first, last] of calendar years between 2000 and 2100; last may be empty "
        "(null) for every year from first on",
        "split.shares": "a mapping of region code to share of the pool, for all five regions, e.g. "
        "{1081: 0.104238, 1082: 0.213098, 1083: 0.214011, 1084: 0.31545, 1085: 0.153203}",
        "criteria.*.min_improvement": "a number, or a mapping of region code to number for all five "
        "regions",
        "payout.steps": "a mapping of number of criteria met to share kept, e.g. {0: 0, 1: 0.33, 2: 0.66, 3: 1, 4: 1}",
        "payout.weights": "a mapping of criterion name to weight, e.g. {stays_per_citizen: 0.25, ...}",
    },
    override_example=("pool_dkk", "1.5e9"),
)

_CACHE: dict[Path, tuple[tuple, RuleSet]] = {}


def _stamp(files: Iterable[Path]) -> tuple:
    stamps = []
    for file in files:
        try:
            stat = file.stat()
            stamps.append((str(file), stat.st_mtime_ns, stat.st_size))
        except OSError:
            stamps.append((str(file), None, None))
    return tuple(stamps)


def _unknown_name(name: str) -> RuleSetError:
    packaged = packaged_rule_sets()
    close = did_you_mean(name, list(packaged))
    hint = f"; did you mean '{close}'?" if close else "."
    return RuleSetError([Problem(None, None, "", (
        f"unknown rule set {name!r}{hint} Packaged rule sets: {', '.join(packaged)}; "
        "or give the path of a rule file (ending in .yaml)"))])


def rule_set_path(name_or_path: Union[str, os.PathLike]) -> Path:
    """The file of a packaged rule set name or of a path (absolute; relative paths from the
    current folder). Raises RuleSetError for an unknown name."""
    text = os.fspath(name_or_path)
    if isinstance(name_or_path, str) and not is_rule_file_path(text):
        packaged = packaged_rule_sets()
        if text.strip() not in packaged:
            raise _unknown_name(text.strip())
        return packaged[text.strip()]
    return Path(os.path.abspath(os.path.expanduser(text)))


def load_rule_set(name_or_path: Union[str, os.PathLike]) -> RuleSet:
    """Read a rule set: a packaged name (e.g. 'nf2021', see `packaged_rule_sets`) or the path of a
    YAML rule file (ends in .yaml/.yml or contains a folder; relative to the current folder).

    Raises RuleSetError listing every problem, each with file, line and key path."""
    text = os.fspath(name_or_path)
    path = rule_set_path(name_or_path)
    display = str(path) if isinstance(name_or_path, str) and not is_rule_file_path(text) else text
    cached = _CACHE.get(path)
    if cached is not None and _stamp(Path(stamp[0]) for stamp in cached[0]) == cached[0]:
        return cached[1]
    document = load_yaml_document(display, _SPEC, error=RuleSetError)
    rule = document.model
    assert isinstance(rule, RuleSet)
    rule._source_path = document.files[0]
    rule._source_files = document.files
    rule._lines = dict(document.lines)
    _CACHE[path] = (_stamp(document.files), rule)
    return rule


def load_rule_sets(names_or_paths: Iterable[Union[str, os.PathLike]]) -> list[RuleSet]:
    """Several rule sets (see `load_rule_set`); every problem of every file is reported together,
    and so are overlaps and gaps between them (`coverage_problems`)."""
    rule_sets: list[RuleSet] = []
    problems: list[Problem] = []
    for item in names_or_paths:
        try:
            rule_sets.append(load_rule_set(item))
        except RuleSetError as exc:
            problems.extend(exc.problems)
    if not problems:
        problems = [Problem(None, None, "", message) for message in coverage_problems(rule_sets)]
    if problems:
        raise RuleSetError(problems)
    return rule_sets


def rule_set_field_info() -> dict[str, dict[str, str]]:
    """Every key of a rule file (sections by their dotted path) with its description and unit."""
    return model_field_info(RuleSet)


def rule_set_json_schema() -> dict:
    """JSON Schema of a rule file (draft 2020-12), with the descriptions and units of every key."""
    from ..yaml_models import json_schema_with_extends

    return json_schema_with_extends(
        RuleSet, "A packaged rule set (e.g. nf2021) or another rule file (relative to this file) that this one "
        "builds on; its values are used unless this file sets them.", "rule set name or file path")


# --------------------------------------------------------------------------------------------
# Which rule set for a year
# --------------------------------------------------------------------------------------------


def _years_text(rule: RuleSet) -> str:
    first, last = rule.years
    if last is None:
        return f"{first} onwards"
    return str(first) if first == last else f"{first}-{last}"


def _ranges(years: Sequence[int]) -> str:
    """'2019-2021, 2024' for [2019, 2020, 2021, 2024]."""
    out: list[str] = []
    years = sorted(years)
    start = prev = None
    for y in years + [None]:  # type: ignore[operator]
        if start is None:
            start = prev = y
        elif y is not None and y == prev + 1:
            prev = y
        else:
            out.append(str(start) if start == prev else f"{start}-{prev}")
            start = prev = y
    return ", ".join(out)


def coverage_problems(
    rule_sets: Sequence[RuleSet], years: Optional[Iterable[int]] = None, *, between: bool = True
) -> list[str]:
    """Why the rule sets do not give exactly one rule set for each year (empty list: they do).

    Checked (if `between`): no two rule sets share a year; no year is left out between the first
    year of the earliest and the last year of the latest. If `years` is given: each of those years
    from the earliest first year on is covered (years before the earliest rule set are years
    without the scheme)."""
    messages: list[str] = []
    ordered = sorted(rule_sets, key=lambda r: r.first_year)
    for i, a in enumerate(ordered if between else ()):
        for b in ordered[i + 1:]:
            a_last = a.last_year if a.last_year is not None else math.inf
            if b.first_year <= a_last:
                both_last = min(a_last, b.last_year if b.last_year is not None else math.inf)
                span = str(b.first_year) if both_last == b.first_year else (
                    f"{b.first_year}-{int(both_last)}" if both_last != math.inf else f"{b.first_year} onwards")
                messages.append(
                    f"the rule sets {a.name} ({_years_text(a)}, {a.where('years')}) and {b.name} "
                    f"({_years_text(b)}, {b.where('years')}) overlap in {span}: exactly one rule set "
                    "must apply to each year"
                )
    if not ordered:
        return ["no rule set given"]
    first = ordered[0].first_year
    finite_lasts = [r.last_year for r in ordered if r.last_year is not None]
    open_ended = any(r.last_year is None for r in ordered)
    last = max(finite_lasts) if finite_lasts else first
    if open_ended:
        last = max(last, max(r.first_year for r in ordered))
    gaps = [y for y in range(first, last + 1) if not any(r.covers(y) for r in ordered)]
    if gaps and between:
        messages.append(
            f"no rule set covers {_ranges(gaps)} (between the rule sets "
            + ", ".join(f"{r.name} {_years_text(r)}" for r in ordered)
            + "); exactly one rule set must apply to each year"
        )
    if years is not None:
        wanted = sorted({int(y) for y in years if int(y) >= first})
        uncovered = [y for y in wanted if not any(r.covers(y) for r in ordered) and y not in gaps]
        if uncovered:
            what = "a year" if len(uncovered) == 1 else "years"
            messages.append(
                f"no rule set covers {_ranges(uncovered)} ({what} of the projection; the rule sets: "
                + ", ".join(f"{r.name} {_years_text(r)}" for r in ordered)
                + "); add a rule set for it, or one open-ended (years: [first, null])"
            )
    return messages


def rule_set_for_year(rule_sets: Sequence[RuleSet], year: int) -> RuleSet:
    """The one rule set that applies to the calendar year. Raises RuleSetError if none or more than
    one does (naming the rule sets, their years and the file lines where the years are set)."""
    year = int(year)
    matches = [r for r in rule_sets if r.covers(year)]
    if len(matches) == 1:
        return matches[0]
    if not matches:
        covered = ", ".join(f"{r.name} {_years_text(r)}" for r in sorted(rule_sets, key=lambda r: r.first_year))
        raise RuleSetError([Problem(None, None, "", (
            f"no rule set covers {year} (the rule sets: {covered or 'none'}); exactly one rule set must "
            "apply to each year"))])
    first = matches[0]
    file, line = first._lines.get("years", (str(first.source_path) if first.source_path else None, None))
    others = ", ".join(f"{r.name} ({_years_text(r)}, {r.where('years')})" for r in matches[1:])
    every = "both" if len(matches) == 2 else "all"
    raise RuleSetError([Problem(file, line, "years", (
        f"the rule sets {first.name} ({_years_text(first)}) and {others} {every} apply to {year}; exactly one "
        "rule set must apply to each year"))])


# --------------------------------------------------------------------------------------------
# From criterion values to the share kept
# --------------------------------------------------------------------------------------------


def met_and_fulfilment(
    values: Any,
    reference: Any,
    criterion_rule: CriterionRule,
    direction: int,
    region_codes: Sequence[int],
) -> tuple[np.ndarray, np.ndarray]:
    """Whether a criterion is met, and its fulfilment, for arrays with a trailing region axis.

    values: the criterion in the assessed year [..., region]; reference: the same in the reference
    year (broadcastable); direction: +1 if higher is better, -1 if lower is better
    (Criterion.good_direction in naerhed.financing.criteria); region_codes: DST codes of the region axis (for
    per-region thresholds). The improvement is relative ((reference - value) / reference, or
    (value - reference) / reference) or in percentage points (the difference x 100). Met: the
    improvement is larger than min_improvement (by more than 1e-12, so that floating-point rounding
    at the threshold does not decide). Fulfilment: 1 if met; else improvement /
    min_improvement clipped to [0, 1] when min_improvement > 0; else 0. A NaN value or reference is
    not met, with fulfilment 0. Returns (met: bool array, fulfilment: float array)."""
    values = np.asarray(values, dtype=float)
    reference = np.asarray(reference, dtype=float)
    if direction not in (1, -1):
        raise ValueError(f"direction must be +1 (higher is better) or -1 (lower is better); got {direction!r}")
    codes = list(region_codes)
    if values.ndim == 0 or values.shape[-1] != len(codes):
        raise ValueError(f"the last axis of values must be the {len(codes)} regions of region_codes; "
                         f"got shape {values.shape}")
    threshold = criterion_rule.thresholds(codes)
    with np.errstate(divide="ignore", invalid="ignore"):
        difference = (values - reference) if direction > 0 else (reference - values)
        if criterion_rule.threshold_type == "relative":
            improvement = difference / reference
        else:
            improvement = difference * 100.0
        met = improvement > threshold + _MET_TOLERANCE  # False for NaN
        partial = np.where(threshold > 0, improvement / np.where(threshold > 0, threshold, 1.0), 0.0)
    fulfilment = np.where(met, 1.0, np.clip(np.nan_to_num(partial, nan=0.0, posinf=1.0, neginf=0.0), 0.0, 1.0))
    return np.asarray(met, dtype=bool), np.asarray(fulfilment, dtype=float)


def share_kept(met: Any, fulfilment: Any, rule: RuleSet, criteria: Optional[Sequence[str]] = None) -> np.ndarray:
    """Share of its part of the pool a region keeps, from the criteria met [..., criterion].

    met: bool (or 1/0; NaN = not met) and fulfilment (0-1) with a last axis over `criteria`
    (default: rule.counted_criteria, in that order); criteria not counted by the rule are ignored.
    formula step: steps[number met]; weighted: the sum of the weights of the criteria met, or with
    partial, of weight x fulfilment (1 for a criterion met). Returns an array [...] in [0, 1]."""
    names = list(rule.counted_criteria if criteria is None else criteria)
    met = np.asarray(met)
    if met.dtype != bool:
        met = np.nan_to_num(met.astype(float), nan=0.0) >= 0.5
    fulfilment = np.asarray(fulfilment, dtype=float)
    if met.shape[-1:] != (len(names),):
        raise ValueError(f"the last axis of met must be the criteria {names}; got shape {met.shape}")
    missing = [name for name in rule.counted_criteria if name not in names]
    if missing:
        raise ValueError(f"the rule set {rule.name} counts {', '.join(missing)}, which is not in the criteria given")
    index = [names.index(name) for name in rule.counted_criteria]
    met = met[..., index]
    payout = rule.payout
    if payout.formula == "step":
        table = np.array([payout.steps[k] for k in range(len(index) + 1)], dtype=float)
        return table[met.sum(axis=-1)]
    weights = np.array([payout.weights[name] for name in rule.counted_criteria], dtype=float)
    if payout.partial:
        fulfilment = np.broadcast_to(fulfilment, met.shape[:-1] + (len(names),))[..., index]
        credit = np.where(met, 1.0, np.clip(np.nan_to_num(fulfilment, nan=0.0), 0.0, 1.0))
    else:
        credit = met.astype(float)
    return np.clip((credit * weights).sum(axis=-1), 0.0, 1.0)


# --------------------------------------------------------------------------------------------
# Description for people
# --------------------------------------------------------------------------------------------


def _dkk(value: float) -> str:
    if value >= 1e9:
        return f"{value / 1e9:g} bn DKK"
    if value >= 1e6:
        return f"{value / 1e6:g} mio. DKK"
    return f"{value:,.0f} DKK"


def _tag(rule: RuleSet, key_path: str) -> str:
    entry = rule.provenance_of(key_path)
    if entry is None:
        return ""
    return f"  [{entry.status}]"


def describe_rule_set(rule: RuleSet) -> list[str]:
    """The rule set in plain lines for people (no markup), e.g. for ``naerhed rules NAME``."""
    lines = [f"{rule.name}: {rule.description}" if rule.description else rule.name]
    if rule.source_path is not None:
        lines.append(f"  file: {rule.source_path}")
    lines.append(f"  years: {_years_text(rule)}")
    lines.append(f"  pool: {_dkk(rule.pool_dkk)} a year for the five regions together{_tag(rule, 'pool_dkk')}")
    split = rule.split
    if split.key == "block_grant":
        shares = ", ".join(f"{REGION_NAMES[REGION_CODES.index(c)]} {_fmt_share(s)}" for c, s in split.shares.items())
        lines.append(f"  split between the regions: fixed shares: {shares}{_tag(rule, 'split.shares')}")
    elif split.key == "population":
        lines.append(f"  split between the regions: by population on 1 January{_tag(rule, 'split')}")
    else:
        lines.append(
            f"  split between the regions: block grant formula: {_dkk(split.base_dkk_per_region)} per region, "
            f"the rest {_fmt_share(split.need_share)} by expenditure need and {_fmt_share(split.socioeconomic_share)} "
            f"by the socio-economic index{_tag(rule, 'split')}"
        )
    counted = rule.counted_criteria
    lines.append(f"  criteria ({len(counted)} count):")
    for name, crit in rule.criteria.items():
        label = REGISTRY[name].label if name in REGISTRY else name
        if name in MET_OR_NOT_CRITERIA:
            how = "met or not met as the scenario says"
        else:
            better = "lower" if REGISTRY[name].good_direction < 0 else "higher"
            reference = "the previous year" if crit.compare_with == "previous_year" else str(crit.base_year)
            unit = "%" if crit.threshold_type == "relative" else "percentage points"
            if isinstance(crit.min_improvement, dict):
                amount = ", ".join(
                    f"{c}: {100 * v if crit.threshold_type == 'relative' else v:g}" for c, v in crit.min_improvement.items())
                threshold = f"by more than ({amount}) {unit}"
            elif crit.min_improvement == 0:
                threshold = "by any amount"
            else:
                v = crit.min_improvement
                threshold = f"by more than {100 * v if crit.threshold_type == 'relative' else v:g} {unit}"
            how = f"met if {better} than in {reference} {threshold}"
        counts = "" if crit.counts else " (does not count)"
        tag_path = f"criteria.{name}" if name in MET_OR_NOT_CRITERIA else f"criteria.{name}.min_improvement"
        lines.append(f"    {label}{counts}: {how}{_tag(rule, tag_path)}")
    payout = rule.payout
    if payout.formula == "step":
        steps = ", ".join(f"{k} met: {_fmt_share(v)}" for k, v in payout.steps.items())
        lines.append(f"  payout: share of its part a region keeps by criteria met: {steps}{_tag(rule, 'payout')}")
    else:
        weights = ", ".join(f"{name} {_fmt_share(w)}" for name, w in payout.weights.items())
        partial = ("an improvement short of the threshold counts pro rata" if payout.partial
                   else "a criterion counts only if met")
        lines.append(f"  payout: weighted: {weights}; {partial}{_tag(rule, 'payout')}")
    applied = "yes" if rule.settlement_applied else "no (the formal rule is still computed)"
    lines.append(f"  settlement (efterregulering) applied: {applied}{_tag(rule, 'settlement_applied')}")
    lines.append("  sources:")
    first_of: dict[ProvenanceEntry, str] = {}
    for key, entry in rule.provenance.items():
        if entry in first_of:
            lines.append(f"    {key}: as {first_of[entry]}")
            continue
        first_of[entry] = key
        note = f" - {entry.note}" if entry.note else ""
        lines.append(f"    {key}: {entry.status}, {entry.source}{note}")
    return lines

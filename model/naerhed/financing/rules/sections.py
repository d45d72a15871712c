"""The sections of a rule file: how the pool is split (`SplitRule`), how a criterion is judged
(`CriterionRule`), the payout formula (`PayoutRule`) and where a value comes from
(`ProvenanceEntry`), each with its own checks; and the types they share.

Criterion names are checked against the criterion registry (`naerhed.financing.criteria`) when a
rule file is validated, so a criterion registered after import can be used in a rule set.
"""

from __future__ import annotations

import math
import typing
from typing import Annotated, Any, Literal, Optional, Sequence, Union

import numpy as np
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from naerhed.constants import REGION_CODES, REGION_NAMES
from naerhed.financing.criteria import REGISTRY, names as criterion_names
from naerhed.yaml_models import did_you_mean, field, invalid_value, own_error

__all__ = [
    "CriterionKey",
    "CriterionRule",
    "PayoutRule",
    "ProvenanceEntry",
    "RegionCode",
    "RuleSection",
    "SplitRule",
    "Year",
    "mapping_types",
    "section_model",
]

_SUM_TOLERANCE = 1e-6
_REGIONS_TEXT = ", ".join(f"{code} {name}" for code, name in zip(REGION_CODES, REGION_NAMES))

#: A calendar year of a rule set.
Year = Annotated[int, Field(ge=2000, le=2100)]
_Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]


def section_model(annotation: Any) -> Optional[type[BaseModel]]:
    """The section model of a setting (also inside Optional or Annotated), or None."""
    while typing.get_origin(annotation) is Annotated:
        annotation = typing.get_args(annotation)[0]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) is Union:
        for member in typing.get_args(annotation):
            model = section_model(member)
            if model is not None:
                return model
    return None


def mapping_types(annotation: Any) -> Optional[tuple[Any, Any]]:
    """(key type, value type) of a mapping-valued setting (also as a member of a union), or None."""
    while typing.get_origin(annotation) is Annotated:
        annotation = typing.get_args(annotation)[0]
    if typing.get_origin(annotation) is dict:
        return typing.get_args(annotation)
    if typing.get_origin(annotation) is Union:
        for member in typing.get_args(annotation):
            found = mapping_types(member)
            if found is not None:
                return found
    return None


def _region_code(value: Any) -> int:
    """A DST region code (1081-1085) written as a number or as text."""
    if isinstance(value, bool):
        raise invalid_value()
    text = str(value).strip()
    if text.isdigit() and int(text) in REGION_CODES:
        return int(text)
    raise own_error(f"unknown region code {text!r}; the regions are {_REGIONS_TEXT}")


def _registered_criterion(value: str) -> str:
    """A criterion name of the registry as it is now (naerhed.financing.criteria.REGISTRY)."""
    if value in REGISTRY:
        return value
    allowed = criterion_names()
    close = did_you_mean(value, allowed)
    hint = f"; did you mean '{close}'?" if close else "."
    raise own_error(f"unknown key{hint} Allowed keys: {', '.join(allowed)}")


#: A DST region code (1081-1085), written as a number or as text.
RegionCode = Annotated[int, BeforeValidator(_region_code)]
#: A key naming a registered criterion (checked when the rule file is validated).
CriterionKey = Annotated[str, AfterValidator(_registered_criterion)]


def _missing_regions_text(codes: typing.Iterable[int]) -> str:
    missing = [c for c in REGION_CODES if c not in set(codes)]
    return ", ".join(f"{c} ({REGION_NAMES[REGION_CODES.index(c)]})" for c in missing)


class RuleSection(BaseModel):
    """Common configuration: unknown keys are errors; booleans are accepted only by yes/no
    settings; an empty section means 'all defaults'. Rule sets are read-only once loaded."""

    model_config = ConfigDict(extra="forbid", validate_default=True, frozen=True)

    @field_validator("*", mode="before")
    @classmethod
    def _common_checks(cls, value: Any, info: ValidationInfo) -> Any:
        annotation = cls.model_fields[info.field_name].annotation
        if value is None and section_model(annotation) is not None:
            return {}
        if isinstance(value, bool) and annotation is not bool:
            raise invalid_value()
        return value


# --------------------------------------------------------------------------------------------
# The sections
# --------------------------------------------------------------------------------------------


class SplitRule(RuleSection):
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
        return np.array([self.shares[int(code)] for code in region_codes])


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


class CriterionRule(RuleSection):
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
    base_year: Optional[Year] = field(
        None,
        description="With compare_with: base_year, the calendar year the value is compared with "
        "(before the first year of the rule set). Not used with previous_year.",
        unit="calendar year",
    )
    threshold_type: Literal["relative", "percentage_points"] = field(
        "relative",
        description="How the improvement is measured: 'relative' (change as a share of the reference "
        "value, 0.02 = 2 %) or 'percentage_points' (difference of two shares in percentage points; "
        "only for criteria whose value is a share).",
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
            return np.array([self.min_improvement[int(code)] for code in region_codes])
        return np.full(len(region_codes), float(self.min_improvement))


class PayoutRule(RuleSection):
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
    weights: Optional[dict[CriterionKey, _Share]] = field(
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
        return {name: value[name] for name in criterion_names() if name in value}

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


class ProvenanceEntry(RuleSection):
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

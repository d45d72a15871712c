"""Building blocks of the settings read from YAML (the scenario and its intervention blocks): the
common base of every section, names, and uncertain quantities (a number, or a distribution sampled
once per Monte Carlo draw).

They live below both `naerhed.scenario` and `naerhed.interventions`, so the intervention types can
declare their own settings and the scenario can hold them."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Optional, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, ValidationInfo, field_validator, model_validator

from naerhed.yaml_models import NAME_PATTERN, field, invalid_value, own_error

__all__ = ["NAME_PATTERN", "UNCERTAIN_TAG", "Distribution", "Section", "Uncertain"]

#: Prefix of the union tags of `Uncertain` (dropped from the key paths of error messages).
UNCERTAIN_TAG = "uncertain:"


class Section(BaseModel):
    """Common configuration: unknown keys are errors; booleans are never accepted as numbers;
    an empty section (``population:`` with nothing under it) means 'all defaults'."""

    model_config = ConfigDict(extra="forbid", validate_default=True)

    @field_validator("*", mode="before")
    @classmethod
    def _common_checks(cls, value: Any, info: ValidationInfo) -> Any:
        annotation = cls.model_fields[info.field_name].annotation
        if value is None and isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return {}
        if isinstance(value, bool) and annotation is not bool:  # yes/no only where the setting is a switch
            raise invalid_value()
        return value


class Distribution(Section):
    """An uncertain quantity, sampled once per Monte Carlo draw (the same value for every person and
    year of that draw). normal: mean and sd; uniform: low and high; triangular: low, mode and high."""

    distribution: Literal["normal", "uniform", "triangular"] = field(
        description="Shape of the distribution.", unit="choice"
    )
    mean: Optional[float] = field(None, allow_inf_nan=False, description="Mean (normal).", unit="as the quantity")
    sd: Optional[Annotated[float, Field(ge=0, allow_inf_nan=False)]] = field(
        None, description="Standard deviation (normal).", unit="as the quantity"
    )
    low: Optional[float] = field(None, allow_inf_nan=False, description="Lowest value (uniform, triangular).",
                                 unit="as the quantity")
    mode: Optional[float] = field(None, allow_inf_nan=False, description="Most likely value (triangular).",
                                  unit="as the quantity")
    high: Optional[float] = field(None, allow_inf_nan=False, description="Highest value (uniform, triangular).",
                                  unit="as the quantity")

    @model_validator(mode="after")
    def _check_parameters(self) -> "Distribution":
        needed = {"normal": ("mean", "sd"), "uniform": ("low", "high"), "triangular": ("low", "mode", "high")}
        wanted = needed[self.distribution]
        missing = [k for k in wanted if getattr(self, k) is None]
        extra = [k for k in ("mean", "sd", "low", "mode", "high") if k not in wanted and getattr(self, k) is not None]
        if missing or extra:
            raise own_error(f"a {self.distribution} distribution takes exactly: {', '.join(wanted)}"
                            + (f"; missing: {', '.join(missing)}" if missing else "")
                            + (f"; not used: {', '.join(extra)}" if extra else ""))
        if self.distribution != "normal" and not (self.low <= (self.mode if self.mode is not None else self.low) <= self.high
                                                  and self.low < self.high):
            raise own_error("needs low < high" + (" and low <= mode <= high" if self.mode is not None else ""))
        return self


def _uncertain_kind(value: Any) -> str:
    return UNCERTAIN_TAG + ("distribution" if isinstance(value, (dict, Distribution)) else "number")


#: A number, or a distribution sampled per draw (a mapping is always read as a distribution, so a
#: mistake in it is reported as such and not as "not a number").
Uncertain = Annotated[
    Union[Annotated[float, Field(allow_inf_nan=False), Tag(UNCERTAIN_TAG + "number")],
          Annotated[Distribution, Tag(UNCERTAIN_TAG + "distribution")]],
    Discriminator(_uncertain_kind),
]


def range_problem(value: Any, low: float, high: float) -> Optional[str]:
    """Why an uncertain quantity (a number or a Distribution) can leave [low, high], or None: a number,
    a normal distribution's mean, a uniform or triangular distribution's low and high must lie in the
    range, and a normal distribution's sd must not exceed the range's width."""
    if value is None:
        return None
    allowed = f"allowed: between {low:g} and {high:g}"
    if isinstance(value, Distribution):
        ends = {"normal": ("mean",), "uniform": ("low", "high"), "triangular": ("low", "mode", "high")}
        for name in ends[value.distribution]:
            number = getattr(value, name)
            if number is not None and not low <= number <= high:
                return f"the {value.distribution} distribution's {name} {number:g} is out of range; {allowed}"
        if value.distribution == "normal" and value.sd is not None and value.sd > high - low:
            return (f"the normal distribution's sd {value.sd:g} is larger than the whole range; {allowed}, "
                    f"sd at most {high - low:g}")
        return None
    if isinstance(value, (int, float)) and not low <= value <= high:
        return f"{value:g} is out of range; {allowed}"
    return None

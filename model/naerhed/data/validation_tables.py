"""Loaders of the figures the model is validated against: published demographic figures
(validation_targets.csv) and the figures `naerhed validate-model` compares a simulation with
(model_checks.csv). Columns and allowed values are in naerhed.data.registry; conventions and error
messages as in naerhed.data.tables."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..constants import REGION_CODES, SEXES
from .reader import Table, cached_build
from .registry import TABLES

__all__ = ["ValidationTarget", "ModelCheckTarget", "load_validation_targets", "load_model_checks",
           "load_known_outside"]


def _deviation(tolerance: float, tolerance_unit: str, value: float) -> float:
    return tolerance * abs(value) if tolerance_unit == "relative" else tolerance


@dataclass(frozen=True)
class ValidationTarget:
    """A published figure the model's output can be compared with.

    `tolerance_unit` is "absolute" (tolerance in the value's own unit) or "relative" (fraction of value).
    """

    id: str
    quantity: str
    year: int
    value: float
    unit: str
    tolerance: float
    tolerance_unit: str
    source: str
    sex: str | None = None
    region_code: int | None = None
    status: str = ""
    note: str = field(default="", compare=False)

    def allowed_deviation(self) -> float:
        return _deviation(self.tolerance, self.tolerance_unit, self.value)

    def within(self, x: float) -> bool:
        """True if `x` is within the tolerance of the target value."""
        return abs(float(x) - self.value) <= self.allowed_deviation() + 1e-12 * max(1.0, abs(self.value))


@cached_build(TABLES["validation_targets"])
def _validation_targets(table: Table) -> dict[str, ValidationTarget]:
    out = {}
    for i, tid in enumerate(table["id"]):
        sex, region = int(table["sex"][i]), int(table["region_code"][i])
        out[tid] = ValidationTarget(
            id=tid, quantity=table["quantity"][i], year=int(table["year"][i]), value=float(table["value"][i]),
            unit=table["unit"][i], tolerance=float(table["tolerance"][i]), tolerance_unit=table["tolerance_unit"][i],
            source=table["source"][i], sex=SEXES[sex] if sex >= 0 else None,
            region_code=REGION_CODES[region] if region >= 0 else None, status=table["status"][i],
            note=table["note"][i],
        )
    return out


def load_validation_targets(path=None) -> dict[str, ValidationTarget]:
    """Published figures to validate the model against, keyed by id."""
    return dict(_validation_targets(path))


@dataclass(frozen=True)
class ModelCheckTarget:
    """A figure of model_checks.csv. region: region index 0-4, None for the whole country; kind:
    'calibrated' (the model is fitted to it) or 'validation'; tolerance_unit 'absolute', 'relative'
    (fraction of value) or 'at_least' (the value is a minimum)."""

    id: str
    quantity: str
    region: int | None
    year: int
    value: float
    unit: str
    tolerance: float
    tolerance_unit: str
    kind: str
    source: str

    @property
    def at_least(self) -> bool:
        return self.tolerance_unit == "at_least"

    def allowed_deviation(self) -> float:
        """The tolerance in the value's own unit."""
        return _deviation(self.tolerance, self.tolerance_unit, self.value)


@cached_build(TABLES["model_checks"])
def _model_checks(table: Table) -> tuple[ModelCheckTarget, ...]:
    regions = table["region_code"].tolist()
    return tuple(
        ModelCheckTarget(id=tid, quantity=table["quantity"][i], region=regions[i] if regions[i] >= 0 else None,
                         year=int(table["year"][i]), value=float(table["value"][i]), unit=table["unit"][i],
                         tolerance=float(table["tolerance"][i]), tolerance_unit=table["tolerance_unit"][i],
                         kind=table["kind"][i] or "validation", source=table["source"][i])
        for i, tid in enumerate(table["id"])
    )


def load_model_checks(path=None) -> list[ModelCheckTarget]:
    """The figures of model_checks.csv (or the user's file in the same format), in file order."""
    return list(_model_checks(path))


@cached_build(TABLES["validation_known_outside"])
def _known_outside(table: Table) -> dict[str, str]:
    return {tid: table["reason"][i] for i, tid in enumerate(table["id"])}


def load_known_outside(path=None) -> dict[str, str]:
    """The validation figures the model is known to miss: reason by figure id."""
    return dict(_known_outside(path))

"""The criterion registry: the one definition of every nærhedsfinansiering criterion.

Each criterion is a `Criterion`: its name, number, Danish and English label, unit, good direction,
kind (a measured ratio of hospital-use totals, or a scenario input), numerator and denominator in
terms of the totals, whether the base-year calibration solves for it, and whether it is a share.
Everything else (calibration, validation, results, CSV files, figures, comparison, sweeps, rule
sets, payout) iterates `REGISTRY`, so a new measured criterion that is a ratio of existing totals is
one entry here (see `register`).

Definitions (the official ones are not public in full; these are the model's, see the brief):
1. stays_per_citizen: physical hospital stays (*sygehusophold*: admissions + physical outpatient
   and emergency stays) per citizen alive on 1 January; lower is better.
2. activity_per_chronic_dkk: hospital activity (DRG-like DKK value of all the person's hospital
   use) per citizen with KOL and/or diabetes; lower is better.
3. readmission_share: share of somatic admissions followed by an acute readmission within 30 days
   (readmissions / all admissions, readmissions included in the denominator); lower is better.
4. virtual_share: virtual courses / (virtual courses + physical stays); higher is better.
5. digital_solutions: the 2019 criterion on digital solutions for coherent care, a scenario input:
   1 if met in the draw, 0 if not.
6. elderly_acute_admissions: acute admissions (readmissions included) per citizen aged 70 or older,
   alive on 1 January; lower is better. Not a criterion of nærhedsfinansiering: the criterion of the
   hypothetical successor scheme (data/rules/examples/successor2027.yaml), the model's stand-in for
   preventable admissions of the elderly.
All measured criteria are ratios of sums, so they can be computed for any grouping (region,
municipality, age group) by summing the totals first; a criterion of some ages only (`min_age`) sums
the totals of its age groups (naerhed.constants.AGE_GROUP_BOUNDS).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from naerhed.constants import AGE_GROUP_BOUNDS, AGE_GROUP_LABELS

if TYPE_CHECKING:  # xarray is imported only when criteria are computed (the rule sets need the names alone)
    import xarray as xr

#: Totals made of other totals (naerhed.health.hospital_use.QUANTITIES or earlier entries), summed
#: left to right: the order fixes the floating-point result.
DERIVED_TOTALS: dict[str, tuple[str, ...]] = {
    "admissions": ("acute_admissions", "planned_admissions"),
    "stays": ("admissions", "outpatient_stays"),
}


@dataclass(frozen=True)
class Criterion:
    """One criterion. `numerator` and `denominator` are sums of totals (QUANTITIES or
    DERIVED_TOTALS), summed left to right; a scenario input (`kind='input'`) has neither and is
    1 (met) or 0 (not met) per draw. good_direction: +1 a higher value is better, -1 lower.
    `calibrated`: the base-year calibration solves for it (calibration_targets.csv has a row per
    region). `share`: the value is a share 0-1 (percentage-point targets allowed). `min_age`: the
    criterion counts the persons (and their events) of this age or older only, a lower bound of an age
    group (years; 0: everyone)."""

    name: str
    number: int
    label_da: str
    label_en: str
    unit: str
    good_direction: Literal[-1, 1]
    kind: Literal["ratio", "input"] = "ratio"
    numerator: tuple[str, ...] = ()
    denominator: tuple[str, ...] = ()
    calibrated: bool = False
    share: bool = False
    min_age: int = 0

    @property
    def age_groups(self) -> tuple[str, ...]:
        """Labels of the age groups the criterion counts (every group when min_age is 0)."""
        return tuple(label for (lo, _), label in zip(AGE_GROUP_BOUNDS, AGE_GROUP_LABELS) if lo >= self.min_age)

    @property
    def label(self) -> str:
        """'1 Sygehusophold per borger (hospital stays per citizen)': Danish with the English gloss."""
        return f"{self.number} {self.label_da} ({self.label_en})"

    @property
    def measured(self) -> bool:
        return self.kind == "ratio"

    def value(self, total):
        """The criterion from `total(name)`, which returns the total of one quantity (any array type)."""
        return _sum(self.numerator, total) / _sum(self.denominator, total)


def _sum(names: tuple[str, ...], total):
    def one(name):
        return _sum(DERIVED_TOTALS[name], total) if name in DERIVED_TOTALS else total(name)

    out = one(names[0])
    for name in names[1:]:
        out = out + one(name)
    return out


#: Every criterion in the model's order (the order of the `criterion` axis).
REGISTRY: dict[str, Criterion] = {}


def register(criterion: Criterion) -> Criterion:
    """Add a criterion to the registry (at the end of the model's order); returns it."""
    if criterion.name in REGISTRY:
        raise ValueError(f"criterion {criterion.name!r} is already registered")
    if criterion.measured and not (criterion.numerator and criterion.denominator):
        raise ValueError(f"measured criterion {criterion.name!r} needs a numerator and a denominator")
    if criterion.min_age not in [lo for lo, _ in AGE_GROUP_BOUNDS]:
        raise ValueError(f"criterion {criterion.name!r}: min_age must be the lower bound of an age group "
                         f"({', '.join(str(lo) for lo, _ in AGE_GROUP_BOUNDS)}); got {criterion.min_age}")
    REGISTRY[criterion.name] = criterion
    return criterion


register(Criterion("stays_per_citizen", 1, "Sygehusophold per borger", "hospital stays per citizen",
                   "stays per citizen per year", -1, numerator=("stays",), denominator=("citizens",),
                   calibrated=True))
register(Criterion("activity_per_chronic_dkk", 2, "Sygehusaktivitet pr. borger med KOL og/eller diabetes",
                   "hospital activity per citizen with KOL and/or diabetes", "DKK per chronic patient per year", -1,
                   numerator=("chronic_activity_dkk",), denominator=("chronic_persons",), calibrated=True))
register(Criterion("readmission_share", 3, "Akutte genindlæggelser inden for 30 dage",
                   "acute readmissions within 30 days, share of admissions", "share (0-1)", -1,
                   numerator=("readmissions",), denominator=("admissions",), calibrated=True, share=True))
register(Criterion("virtual_share", 4, "Andel virtuelle sygehusforløb", "virtual share of hospital courses",
                   "share (0-1)", 1, numerator=("virtual_courses",), denominator=("virtual_courses", "stays"),
                   calibrated=True, share=True))
register(Criterion("digital_solutions", 5, "Digitale løsninger (2019)", "digital solutions for coherent care, 2019",
                   "met (1) or not (0)", 1, kind="input"))
register(Criterion("elderly_acute_admissions", 6, "Akutte indlæggelser pr. borger på 70 år og derover",
                   "acute admissions per citizen aged 70+, hypothetical successor scheme",
                   "acute admissions per citizen aged 70+ per year", -1, numerator=("acute_admissions",),
                   denominator=("citizens",), min_age=70))


def criteria() -> tuple[Criterion, ...]:
    """Every registered criterion, in the model's order."""
    return tuple(REGISTRY.values())


def names(kind: str | None = None, calibrated: bool | None = None) -> tuple[str, ...]:
    """Names of the registered criteria, optionally only of one kind ('ratio', 'input') or only
    the calibrated ones."""
    return tuple(c.name for c in REGISTRY.values()
                 if (kind is None or c.kind == kind) and (calibrated is None or c.calibrated == calibrated))


def compute_criteria(totals: xr.DataArray, inputs: dict[str, xr.DataArray] | None = None,
                     by_age: xr.DataArray | None = None) -> xr.DataArray:
    """Criteria from totals with a `quantity` dimension (naerhed.health.hospital_use.QUANTITIES),
    already summed over the grouping wanted. Returns the same dimensions with `criterion` instead of
    `quantity`, in the registry's order: every measured criterion and each input criterion given in
    `inputs` (name → 1/0 per draw, broadcast); input criteria not given are left out.

    A criterion of some ages only (`Criterion.min_age`) needs the totals by age group: `by_age` (the
    totals before they were summed over `age_group`), or `totals` itself with an `age_group`
    dimension, in which case it is NaN in the age groups it does not count; with neither it is NaN."""
    import numpy as np
    import xarray as xr

    def total(name):
        return totals.sel(quantity=name)

    def value(c: Criterion):
        if not c.min_age:
            return c.value(total)
        if "age_group" in totals.dims:
            return c.value(total).where(totals["age_group"].isin(list(c.age_groups)))
        if by_age is None:  # totals of all ages only: it cannot be computed
            return c.value(total) * np.nan
        return c.value(lambda name: by_age.sel(quantity=name, age_group=list(c.age_groups)).sum("age_group"))

    values = {c.name: value(c) for c in REGISTRY.values() if c.measured}
    first = next(iter(values.values()))
    for name in REGISTRY:
        if inputs and name in inputs and not REGISTRY[name].measured:
            values[name] = inputs[name].astype(float) + 0 * first
    order = [name for name in REGISTRY if name in values]
    out = xr.concat([values[name].drop_vars("quantity", errors="ignore") for name in order], dim="criterion")
    return out.assign_coords(criterion=order)

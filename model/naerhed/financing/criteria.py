"""The nærhedsfinansiering criteria, computed from hospital-use totals.

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
All are ratios of sums, so they can be computed for any grouping (region, municipality, age group)
by summing the totals first.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # xarray is imported only when criteria are computed (the rule sets need the names alone)
    import xarray as xr

CRITERIA = ("stays_per_citizen", "activity_per_chronic_dkk", "readmission_share", "virtual_share", "digital_solutions")
CRITERION_LABELS = {
    "stays_per_citizen": "1 Sygehusophold (hospital stays) per citizen",
    "activity_per_chronic_dkk": "2 Activity per citizen with KOL/diabetes (DKK)",
    "readmission_share": "3 Acute readmissions within 30 days (share of admissions)",
    "virtual_share": "4 Virtual share of hospital courses",
    "digital_solutions": "5 Digital solutions (2019)",
}
CRITERION_UNITS = {
    "stays_per_citizen": "stays per citizen per year",
    "activity_per_chronic_dkk": "DKK per chronic patient per year",
    "readmission_share": "share (0-1)",
    "virtual_share": "share (0-1)",
    "digital_solutions": "met (1) or not (0)",
}
#: +1: a higher value is better for the region; -1: lower is better.
GOOD_DIRECTION = {"stays_per_citizen": -1, "activity_per_chronic_dkk": -1, "readmission_share": -1,
                  "virtual_share": 1, "digital_solutions": 1}


def compute_criteria(totals: xr.DataArray, digital_solutions: xr.DataArray | None = None) -> xr.DataArray:
    """Criteria from totals with a `quantity` dimension (naerhed.health.hospital_use.QUANTITIES),
    already summed over the grouping wanted. Returns the same dimensions with `criterion` instead
    of `quantity`; criterion 5 is taken from `digital_solutions` (broadcast), or left out."""
    import xarray as xr

    q = totals.sel
    admissions = q(quantity="acute_admissions") + q(quantity="planned_admissions")
    stays = admissions + q(quantity="outpatient_stays")
    values = [
        stays / q(quantity="citizens"),
        q(quantity="chronic_activity_dkk") / q(quantity="chronic_persons"),
        q(quantity="readmissions") / admissions,
        q(quantity="virtual_courses") / (q(quantity="virtual_courses") + stays),
    ]
    names = list(CRITERIA[:4])
    if digital_solutions is not None:
        values.append(digital_solutions.astype(float) + 0 * values[0])
        names.append(CRITERIA[4])
    out = xr.concat([v.drop_vars("quantity", errors="ignore") for v in values], dim="criterion")
    return out.assign_coords(criterion=names)

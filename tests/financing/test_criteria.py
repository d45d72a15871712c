"""Criteria computed from hand-made totals equal hand-computed values."""

import numpy as np
import pytest
import xarray as xr

from naerhed.financing.criteria import compute_criteria, names as criterion_names
from naerhed.health.hospital_use import QUANTITIES


def totals(**values):
    data = np.array([values.get(q, 0.0) for q in QUANTITIES])
    return xr.DataArray(data, dims="quantity", coords={"quantity": list(QUANTITIES)})


def test_hand_computed_criteria():
    t = totals(citizens=1000, chronic_persons=50, acute_admissions=120, planned_admissions=30, readmissions=12,
               outpatient_stays=2000, virtual_courses=215, chronic_activity_dkk=1_500_000)
    c = compute_criteria(t, {"digital_solutions": xr.DataArray(1.0)})
    assert list(c["criterion"].values) == list(criterion_names())
    assert float(c.sel(criterion="stays_per_citizen")) == pytest.approx((120 + 30 + 2000) / 1000)
    assert float(c.sel(criterion="activity_per_chronic_dkk")) == pytest.approx(30_000)
    assert float(c.sel(criterion="readmission_share")) == pytest.approx(12 / 150)
    assert float(c.sel(criterion="virtual_share")) == pytest.approx(215 / (215 + 2150))
    assert float(c.sel(criterion="digital_solutions")) == 1.0


def test_criteria_of_a_sum_are_ratios_of_sums():
    a = totals(citizens=100, chronic_persons=10, acute_admissions=10, planned_admissions=0, readmissions=1,
               outpatient_stays=100, virtual_courses=10, chronic_activity_dkk=100_000)
    b = totals(citizens=300, chronic_persons=30, acute_admissions=50, planned_admissions=10, readmissions=9,
               outpatient_stays=500, virtual_courses=90, chronic_activity_dkk=900_000)
    both = compute_criteria(xr.concat([a, b], "municipality").sum("municipality"))
    assert float(both.sel(criterion="readmission_share")) == pytest.approx(10 / 70)
    assert float(both.sel(criterion="activity_per_chronic_dkk")) == pytest.approx(1_000_000 / 40)
    assert "digital_solutions" not in both["criterion"].values

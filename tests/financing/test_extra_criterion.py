"""A measured criterion that is a ratio of existing totals is one registry entry: registered here
(outpatient stays per citizen), it flows into the results, the CSV files, the figures and the
payout without any other change."""

from __future__ import annotations

import csv

import numpy as np
import pytest
import xarray as xr

from naerhed.financing.criteria import REGISTRY, Criterion, register
from naerhed.runner import run_scenario

from ..conftest import make_scenario

EXTRA = Criterion("outpatient_per_citizen", 7, "Ambulante besøg pr. borger", "outpatient stays per citizen",
                  "outpatient stays per citizen per year", -1, numerator=("outpatient_stays",),
                  denominator=("citizens",))


#: nf2022plus with the extra criterion counting: 5 criteria, so the steps go to 5.
RULES = """\
extends: nf2022plus
name: with_outpatient
criteria:
  outpatient_per_citizen: {counts: true}
payout:
  steps: {0: 0.0, 1: 0.25, 2: 0.5, 3: 0.75, 4: 1.0, 5: 1.0}
provenance:
  criteria.outpatient_per_citizen: {status: assumption, source: NOT FOUND, note: a test}
"""


@pytest.fixture(scope="module")
def run_with_extra_criterion(tmp_path_factory):
    register(EXTRA)
    rules = tmp_path_factory.mktemp("rules") / "with_outpatient.yaml"
    rules.write_text(RULES, encoding="utf-8")
    try:
        scenario = make_scenario(population={"sample_fraction": 0.002}, end_year=2024, draws=2, seed=7,
                                 financing={"rule_sets": ["nf2019", "nf2020", "nf2021", str(rules)]})
        yield run_scenario(scenario, out_root=tmp_path_factory.mktemp("out"), progress=False)
    finally:
        REGISTRY.pop(EXTRA.name)


def _rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_the_extra_criterion_is_in_the_results_as_a_ratio_of_its_totals(run_with_extra_criterion):
    with xr.open_dataset(run_with_extra_criterion / "results.nc", engine="h5netcdf") as ds:
        names = ds["criterion"].values.tolist()
        assert names == ["stays_per_citizen", "activity_per_chronic_dkk", "readmission_share", "virtual_share",
                         "digital_solutions", "elderly_acute_admissions", "outpatient_per_citizen"]
        totals = ds["hospital_totals"].astype(np.float64).sum(("municipality", "age_group"))
        expected = totals.sel(quantity="outpatient_stays") / totals.sel(quantity="citizens")
        np.testing.assert_allclose(ds["criteria_national"].sel(criterion="outpatient_per_citizen"), expected, rtol=1e-12)
        for name in ("criteria", "criteria_by_municipality", "criteria_by_age_group"):
            # defined wherever criterion 1 is (a municipality with no simulated citizen has neither)
            extra, stays = (ds[name].sel(criterion=c).notnull() for c in ("outpatient_per_citizen", "stays_per_citizen"))
            assert bool((extra == stays).all()) and float(extra.mean()) > 0.9, name
        assert "outpatient_per_citizen" in ds["criteria"].attrs["units"]


def test_the_extra_criterion_is_in_every_criteria_table(run_with_extra_criterion):
    for name in ("criteria.csv", "criteria_by_municipality.csv", "criteria_by_age_group.csv"):
        rows = [r for r in _rows(run_with_extra_criterion / name) if r["criterion"] == "outpatient_per_citizen"]
        assert rows, name
        assert {r["unit"] for r in rows} == {"outpatient stays per citizen per year"}
        values = np.array([float(r["value_mean"]) for r in rows])
        assert (values[~np.isnan(values)] > 0).all() and np.isnan(values).mean() < 0.1, name


def test_the_extra_criterion_has_its_figures(run_with_extra_criterion):
    assert (run_with_extra_criterion / "figures" / "fan_outpatient_per_citizen.png").stat().st_size > 1000
    import matplotlib.image

    # five measured criteria: the grid grows to three rows of two panels (4 inches each at 120 dpi)
    height = matplotlib.image.imread(run_with_extra_criterion / "figures" / "criteria_by_region.png").shape[0]
    assert height == 3 * 4 * 120


def test_the_extra_criterion_counts_in_the_payout(run_with_extra_criterion):
    with xr.open_dataset(run_with_extra_criterion / "results.nc", engine="h5netcdf") as ds:
        years = [y for y in ds["assessed_year"].values.tolist() if y >= 2022]
        assert years == [2022, 2023]
        value = ds["criteria"].sel(criterion="outpatient_per_citizen")
        improved = (value.sel(period=years).values < value.sel(period=[y - 1 for y in years]).values)
        met = ds["criterion_met"].sel(assessed_year=years, criterion="outpatient_per_citizen").values
        np.testing.assert_array_equal(met, improved.astype(float))  # met = fewer stays than the year before
        counted = ds["criterion_met"].sel(assessed_year=years).fillna(0).sum("criterion")
        np.testing.assert_array_equal(ds["criteria_met"].sel(assessed_year=years), counted)
        steps = {0: 0.0, 1: 0.25, 2: 0.5, 3: 0.75, 4: 1.0, 5: 1.0}
        expected_share = np.vectorize(steps.get)(counted.values.astype(int))
        np.testing.assert_allclose(ds["share_kept"].sel(assessed_year=years), expected_share)
    rows = [r for r in _rows(run_with_extra_criterion / "risk.csv") if r["year"] in ("2022", "2023") and r["region_code"]]
    assert rows and all(r["p_met_outpatient_per_citizen"] != "" for r in rows)

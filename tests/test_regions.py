"""The four regions of 2027 (issue 13): the region registry (data/regions.csv, or a user's own file)
says which regions exist in which year; a region formed by a reform is the union of simulated regions
and is assessed from their summed totals, including the previous-year comparison across the merger;
the results keep both views (the five old regions' figures, and the new regions' money from 2027)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import xarray as xr

import naerhed
from naerhed.data import load_regions
from naerhed.errors import DataError
from naerhed.financing.criteria import REGISTRY, compute_criteria
from naerhed.financing.rules import CriterionRule, met_and_fulfilment
from naerhed.regions import national, regions_of_year
from naerhed.runner import run_scenario

from .conftest import make_scenario

CALIBRATION_2025 = str(Path(naerhed.__file__).parent / "data" / "calibration_targets_2025.csv")

EAST, CAPITAL, ZEALAND = 1086, 1084, 1085
HEADER = "region_code,region,name_da,name_en,first_year,last_year,predecessors\n"
FIVE = ("1081,Nordjylland,Region Nordjylland,North Denmark Region,,{n},\n"
        "1082,Midtjylland,Region Midtjylland,Central Denmark Region,,{m},\n"
        "1083,Syddanmark,Region Syddanmark,Region of Southern Denmark,,,\n"
        "1084,Hovedstaden,Region Hovedstaden,Capital Region of Denmark,,,\n"
        "1085,Sjælland,Region Sjælland,Region Zealand,,,\n")


def test_the_packaged_registry_has_five_regions_to_2026_and_four_from_2027():
    regions = load_regions()
    assert regions.in_year(2026) == [1081, 1082, 1083, 1084, 1085]
    assert regions.in_year(2027) == [1081, 1082, 1083, EAST]
    assert regions.member_codes(EAST) == [CAPITAL, ZEALAND]
    assert regions.name(EAST) == "Østdanmark"
    assert regions.axis(2019, 2026) == [1081, 1082, 1083, 1084, 1085]  # a run before the reform: as before
    assert regions.axis(2025, 2031) == [1081, 1082, 1083, 1084, 1085, EAST]
    assert regions.combined({1081: 0.1, 1082: 0.2, 1083: 0.2, 1084: 0.3, 1085: 0.2}, EAST) == pytest.approx(0.5)


@pytest.mark.parametrize("rows, phrase", [
    (FIVE.format(n="", m="") + "1090,Nordmidt,Region Nordmidt,North-Central,2029,,1081 1082\n",
     "the regions of 2029 (1081, 1082, 1083, 1084, 1085, 1090) must cover each of the five simulated regions exactly "
     "once (check first_year and last_year); twice: Nordjylland, Midtjylland"),
    (FIVE.format(n=2028, m=2028) + "1090,Nordmidt,Region Nordmidt,North-Central,2030,,1081 1082\n",
     "not covered: Nordjylland, Midtjylland"),
    (FIVE.format(n=2028, m=2028) + "1090,Nordmidt,Region Nordmidt,North-Central,2029,,1081 1099\n",
     "line 7, column 'predecessors': '1081 1099': each predecessor must be the code of another region of the file"),
    (FIVE.format(n="", m="").replace("1083,Syddanmark,Region Syddanmark,Region of Southern Denmark,,,",
                                     "1083,Syddanmark,Region Syddanmark,Region of Southern Denmark,,,1081"),
     "have no predecessors"),
    (FIVE.format(n="2030", m="").replace(",,2030,", ",2031,2030,"), "line 2, column 'last_year': 2030 is before first_year 2031"),
    (FIVE.format(n="", m="").replace("1085,Sjælland,Region Sjælland,Region Zealand,,,", "1087,Sjælland,Region Sjælland,Region Zealand,,,1084"),
     "the five regions the model simulates must be in the file; missing: 1085"),
])
def test_a_bad_region_file_names_the_row_and_what_is_allowed(tmp_path, rows, phrase):
    path = tmp_path / "regions.csv"
    path.write_text(HEADER + rows, encoding="utf-8")
    with pytest.raises(DataError) as caught:
        load_regions(path)
    assert str(path) in str(caught.value) and phrase in str(caught.value)


@pytest.fixture(scope="module")
def merged_run(tmp_path_factory):
    """A small present-day run across the merger (2025-2028; nf2022plus, formal rule)."""
    scenario = make_scenario(seed=11, draws=3, end_year=2029,
                             population={"base_year": 2025, "sample_fraction": 0.002, "sample_replicates": 2},
                             data={"calibration": CALIBRATION_2025})
    folder = run_scenario(scenario, out_root=tmp_path_factory.mktemp("merged"), progress=False)
    with xr.open_dataset(folder / "results.nc", engine="h5netcdf") as ds:
        return folder, ds.load()


def test_the_merged_regions_criteria_are_those_of_its_predecessors_summed_totals(merged_run):
    _, ds = merged_run
    totals = ds["hospital_totals"].astype(np.float64)
    by_region = totals.groupby(ds["municipality_region"]).sum().rename(municipality_region="region")
    east = by_region.sel(region=[CAPITAL, ZEALAND]).sum("region")
    expected = compute_criteria(east.sum("age_group"), by_age=east).transpose("draw", "period", "criterion")
    got = ds["criteria"].sel(region=EAST) - ds["criteria_sample_adjustment"].sel(region=EAST)
    measured = [c.name for c in REGISTRY.values() if c.measured]
    np.testing.assert_allclose(got.sel(criterion=measured).values, expected.sel(criterion=measured).values, rtol=1e-9)
    # both views: the old regions' criteria are kept after the merger, the new region's before it
    assert np.isfinite(ds["criteria"].sel(region=[CAPITAL, ZEALAND], period=2028).values).all()
    assert np.isfinite(ds["criteria"].sel(region=EAST, period=2025).values).all()
    # persons: Østdanmark is the two old regions' territory; the country is counted once
    np.testing.assert_array_equal(ds["population"].sel(region=EAST).values,
                                  ds["population"].sel(region=[CAPITAL, ZEALAND]).sum("region").values)
    np.testing.assert_allclose(national(ds["population"]).values, ds["population"].sel(region=list(range(1081, 1086)))
                               .sum("region").values)


def test_the_comparison_across_the_merger_uses_the_combined_level(merged_run):
    _, ds = merged_run
    for name in ("stays_per_citizen", "readmission_share"):
        rule = CriterionRule(counts=True, compare_with="previous_year", threshold_type="relative", min_improvement=0.0)
        value = ds["criteria"].sel(period=2027, region=[EAST], criterion=name).values
        reference = ds["criteria"].sel(period=2026, region=[EAST], criterion=name).values  # the combined 2026 level
        met, _ = met_and_fulfilment(value, reference, rule, REGISTRY[name].good_direction, [EAST])
        np.testing.assert_array_equal(ds["criterion_met"].sel(assessed_year=2027, region=EAST, criterion=name).values,
                                      met[:, 0].astype(float))
        np.testing.assert_allclose(ds["target_value"].sel(assessed_year=2027, region=EAST, criterion=name).values,
                                   reference[:, 0], rtol=1e-12)


def test_money_goes_to_the_regions_of_each_year(merged_run):
    folder, ds = merged_run
    pool = ds["region_pool_dkk"]
    for year in ds["assessed_year"].values.tolist():
        present = regions_of_year(ds, year)
        assert present == ([1081, 1082, 1083, EAST] if year >= 2027 else [1081, 1082, 1083, CAPITAL, ZEALAND])
        absent = [code for code in ds["region"].values.tolist() if code not in present]
        assert np.isnan(pool.sel(assessed_year=year, region=absent).values).all()
        assert np.isnan(ds["risk_p_full_payout"].sel(assessed_year=year, region=absent).values).all()
        np.testing.assert_allclose(pool.sel(assessed_year=year, region=present).sum("region").values, 1.5e9, rtol=1e-9)
        paid = ds["payout_dkk"] + ds["repayment_dkk"]
        np.testing.assert_allclose(paid.sel(assessed_year=year, region=present).values,
                                   pool.sel(assessed_year=year, region=present).values, rtol=1e-12)
    # the block-grant split: Østdanmark's share is its predecessors' together (nf2022plus shares, 0.315450 + 0.153203)
    np.testing.assert_allclose(pool.sel(assessed_year=2027, region=EAST).values, 1.5e9 * (0.315450 + 0.153203), rtol=1e-9)
    risk = (folder / "risk.csv").read_text(encoding="utf-8").splitlines()
    assert not [r for r in risk if r.startswith("2027,1084,") or r.startswith("2026,1086,")]
    assert [r for r in risk if r.startswith("2027,1086,Østdanmark,")]
    summary = (folder / "risk_summary.txt").read_text(encoding="utf-8")
    assert "4 regions from 2027: Region Østdanmark is Hovedstaden + Sjælland together" in summary


def test_a_users_region_file_describes_another_reform(tmp_path):
    path = tmp_path / "regions.csv"
    path.write_text(HEADER + FIVE.format(n=2026, m=2026)
                    + "1090,Nordmidt,Region Nordmidt,North-Central Denmark,2027,,1081 1082\n", encoding="utf-8")
    scenario = make_scenario(seed=3, draws=2, end_year=2028,
                             population={"base_year": 2025, "sample_fraction": 0.002, "sample_replicates": 2},
                             data={"regions": str(path), "calibration": CALIBRATION_2025})
    folder = run_scenario(scenario, out_root=tmp_path, progress=False)
    with xr.open_dataset(folder / "results.nc", engine="h5netcdf") as ds:
        assert ds["region"].values.tolist() == [1081, 1082, 1083, 1084, 1085, 1090]
        assert regions_of_year(ds, 2027) == [1083, 1084, 1085, 1090]
        assert str(ds["region_predecessors"].sel(region=1090).values) == "1081 1082"

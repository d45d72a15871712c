"""The tables of a run folder say what its Dataset says: risk.csv and risk_summary.txt against the
per-draw payout of results.nc, and interventions.csv against a second run without the intervention
(same seed and draws: common random numbers)."""

from __future__ import annotations

import csv
import re

import numpy as np
import pytest
import xarray as xr

from naerhed.financing.criteria import names as criterion_names
from naerhed.runner import run_scenario

from .conftest import make_scenario

SETTINGS = {"population": {"sample_fraction": 0.003}, "end_year": 2022, "draws": 4, "seed": 5,
            "uncertainty": "sampled", "health": {"digital_solutions_met": 0.5}}
INTERVENTIONS = [{"name": "virtual", "type": "virtual_follow_up", "start_year": 2019, "regions": [1081, 1083]},
                 {"name": "gp", "type": "gp_transfer", "start_year": 2019}]
FULL = 1 - 1e-9  # share kept counted as full (as risk.py)


def _rows(path):
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """(folder, Dataset) of the run with both interventions and contributions, and the Dataset of
    the same scenario without 'virtual'."""
    out = tmp_path_factory.mktemp("out")
    full = make_scenario(**SETTINGS, interventions=INTERVENTIONS, intervention_contributions=True)
    folder = run_scenario(full, out, progress=False)
    reduced = make_scenario(**{**SETTINGS, "name": "without_virtual"}, interventions=INTERVENTIONS[1:],
                            intervention_contributions=False)
    reduced_folder = run_scenario(reduced, out, progress=False)
    return folder, xr.load_dataset(folder / "results.nc"), xr.load_dataset(reduced_folder / "results.nc")


def test_risk_csv_equals_the_per_draw_payout(runs):
    """Each row of risk.csv (rounded: probabilities to 4 decimals, money to 1,000 DKK) equals the
    metric computed here from the draws of the Dataset, or the Dataset's own risk variable."""
    folder, ds, _ = runs
    rows = _rows(folder / "risk.csv")
    years = ds["assessed_year"].values.tolist()
    assert len(rows) == len(years) * 6
    p_tol, mio_tol = 0.5e-4 + 1e-12, 0.5e-3 + 1e-9
    for row in rows:
        r = ds.sel(assessed_year=int(row["year"]))
        assert row["rule_set"] == str(r["rule_set"].values)
        if row["region_code"] == "":
            full = (r["share_kept"] >= FULL).all("region").mean("draw")
            repayment = r["repayment_dkk"].sum("region").mean("draw")
            payout = r["payout_dkk"].sum("region").mean("draw")
            var = r["risk_var_repayment_dkk_all"]
            es = r["risk_es_repayment_dkk_all"]
        else:
            x = r.sel(region=int(row["region_code"]))
            assert row["region"] == str(x["region_name"].values)
            full = (x["share_kept"] >= FULL).mean("draw")
            repayment, payout = x["repayment_dkk"].mean("draw"), x["payout_dkk"].mean("draw")
            var, es = x["risk_var_repayment_dkk"], x["risk_es_repayment_dkk"]
            assert abs(float(row["share_kept_mean"]) - float(x["share_kept"].mean("draw"))) <= p_tol
            for c in criterion_names():
                p_met = float(x["criterion_met"].sel(criterion=c).mean("draw", skipna=False))
                if np.isnan(p_met):
                    assert row[f"p_met_{c}"] == ""
                else:
                    assert abs(float(row[f"p_met_{c}"]) - p_met) <= p_tol, (row["year"], row["region"], c)
        assert abs(float(row["p_full_payout"]) - float(full)) <= p_tol
        assert abs(float(row["expected_repayment_mio_dkk"]) - float(repayment) / 1e6) <= mio_tol
        assert abs(float(row["expected_payout_mio_dkk"]) - float(payout) / 1e6) <= mio_tol
        assert abs(float(row["var95_repayment_mio_dkk"]) - float(var) / 1e6) <= mio_tol
        assert abs(float(row["es95_repayment_mio_dkk"]) - float(es) / 1e6) <= mio_tol


def test_payout_and_repayment_make_up_the_pool_in_every_draw(runs):
    _, ds, _ = runs
    np.testing.assert_allclose(ds["payout_dkk"] + ds["repayment_dkk"], ds["region_pool_dkk"], rtol=1e-12)
    np.testing.assert_allclose(ds["payout_dkk"], ds["share_kept"] * ds["region_pool_dkk"], rtol=1e-12)


def test_risk_summary_states_each_regions_chance_of_full_payout(runs):
    """risk_summary.txt: a header per assessed year (rule set, draws) and one line per region whose
    percentage of draws with full payout is the Dataset's."""
    folder, ds, _ = runs
    text = (folder / "risk_summary.txt").read_text(encoding="utf-8")
    blocks, year = {}, None
    for line in text.splitlines():  # year blocks; the notes after them (errors, risk sources) are not
        if re.match(r"\d{4} \(rule set ", line):
            year = int(line.split()[0])
            blocks[year] = [line]
        elif line.startswith(" ") and year is not None:
            blocks[year].append(line.strip())
        else:
            year = None
    assert sorted(blocks) == ds["assessed_year"].values.tolist()
    for year, lines in blocks.items():
        r = ds.sel(assessed_year=year)
        assert str(r["rule_set"].values) in lines[0] and f"{ds.sizes['draw']} draws" in lines[0]
        for code, name in zip(ds["region"].values.tolist(), ds["region_name"].values.tolist()):
            (line,) = [x for x in lines if x.startswith(name + " ")]
            p_full = float((r["share_kept"].sel(region=code) >= FULL).mean("draw"))
            assert f"{100 * p_full:.0f} %" in line, (year, line, p_full)
        p_all = float((r["share_kept"] >= FULL).all("region").mean("draw"))
        (line,) = [x for x in lines if x.startswith("All regions")]
        assert f"{100 * p_all:.0f} %" in line


def test_interventions_csv_is_the_difference_of_the_runs_with_and_without(runs):
    """The 'virtual' rows of interventions.csv equal the mean over draws of the paired difference
    between the run with every intervention and the run without 'virtual'."""
    folder, full, reduced = runs
    rows = [r for r in _rows(folder / "interventions.csv") if r["intervention"] == "virtual"]
    assert len(rows) == full.sizes["assessed_year"] * 6
    for row in rows:
        year = int(row["year"])
        region = None if row["region_code"] == "" else int(row["region_code"])

        def pick(ds, var):
            values = ds[var].sel(assessed_year=year)
            return values.sum("region") if region is None else values.sel(region=region)

        change = float((pick(full, "payout_dkk") - pick(reduced, "payout_dkk")).mean("draw")) / 1e6
        assert abs(float(row["expected_payout_change_mio_dkk"]) - change) <= 0.5e-4 + 1e-9
        cost = full["intervention_cost_dkk"].sel(period=year, intervention="virtual")
        cost = cost.sum("region") if region is None else cost.sel(region=region)
        assert abs(float(row["net_mio_dkk"]) - (change - float(cost.mean("draw")) / 1e6)) <= 1e-4 + 1e-9
        if region is not None:
            p_change = float(((pick(full, "share_kept") >= FULL).astype(float)
                              - (pick(reduced, "share_kept") >= FULL)).mean("draw"))
            assert abs(float(row["p_full_payout_change"]) - p_change) <= 0.5e-4 + 1e-12
        for c in criterion_names(kind="ratio"):
            source = "criteria_national" if region is None else "criteria"
            a, b = full[source].sel(period=year, criterion=c), reduced[source].sel(period=year, criterion=c)
            if region is not None:
                a, b = a.sel(region=region), b.sel(region=region)
            expected = float((a - b).mean("draw"))
            assert abs(float(row[f"change_{c}"]) - expected) <= 0.5e-8 + 1e-12 * abs(expected), (row, c)
    # the regions without 'virtual' change by chance of the common random numbers only where the
    # other intervention interacts; where 'virtual' is off, its own participants are zero
    assert all(float(r["participants_mean"]) == 0.0 for r in rows if r["region_code"] in ("1082", "1084", "1085"))

"""The golden run: a fixed small scenario (tests/golden/golden_run.yaml: sample fraction 0.005,
3 draws, every intervention type of the catalogue on, 2019-2023 assessed under all four packaged
rule sets) must give exactly the numbers stored in tests/golden/golden_run.json: criteria, payout,
risk, intervention contributions and the totals they are made of.

A change that moves these numbers on purpose regenerates the reference in the same commit
(`.venv/bin/python tests/test_golden_run.py --update`) and says in the commit message why they moved.
"""

from __future__ import annotations

import csv
import json
import math
import sys
from pathlib import Path

import numpy as np
import xarray as xr

GOLDEN = Path(__file__).parent / "golden"
SCENARIO = GOLDEN / "golden_run.yaml"
REFERENCE = GOLDEN / "golden_run.json"

#: Dataset variables held exactly; hospital totals and population are summed to keep the file small.
VARIABLES = (
    "criteria", "criteria_national", "criteria_by_age_group", "calibration_scale", "calibration_target", "trend",
    "criterion_met", "criterion_fulfilment", "criteria_met", "share_kept", "region_pool_dkk", "payout_dkk",
    "repayment_dkk", "target_value", "pivotal", "intervention_participants", "intervention_cost_dkk",
    "intervention_effect", "risk_p_met", "risk_p_criteria_met", "risk_share_kept_mean", "risk_expected_payout_dkk",
    "risk_expected_repayment_dkk", "risk_p_full_payout", "risk_var_repayment_dkk", "risk_es_repayment_dkk",
    "risk_p_pivotal", "risk_expected_payout_dkk_all", "risk_expected_repayment_dkk_all", "risk_p_full_payout_all",
    "risk_var_repayment_dkk_all", "risk_es_repayment_dkk_all",
)
#: CSV files of the run folder held exactly (every column of the reference, row by row).
CSV_FILES = ("risk.csv", "interventions.csv", "criteria.csv")


def _plain(values: np.ndarray) -> list:
    return np.asarray(values, dtype=np.float64).ravel().tolist()


def golden_numbers(run_dir: Path) -> dict:
    """The numbers the golden test holds, from a finished run folder."""
    with xr.open_dataset(run_dir / "results.nc", engine="h5netcdf") as ds:
        ds = ds.load()
    out: dict = {"variables": {}, "labels": {}, "csv": {}}
    for name in VARIABLES:
        da = ds[name]
        out["variables"][name] = {"dims": list(da.dims), "shape": list(da.shape), "values": _plain(da.values)}
    out["variables"]["population_by_region"] = {
        "dims": ["draw", "year", "region"], "values": _plain(ds["population"].astype(np.float64).sum(("sex", "age")))}
    out["variables"]["hospital_totals_national"] = {
        "dims": ["draw", "period", "quantity"],
        "values": _plain(ds["hospital_totals"].astype(np.float64).sum(("municipality", "age_group")))}
    out["labels"] = {"criterion": ds["criterion"].values.tolist(), "rule_set": ds["rule_set"].values.tolist(),
                     "risk_deciding_criterion": ds["risk_deciding_criterion"].values.ravel().tolist(),
                     "intervention": ds["intervention"].values.tolist()}
    for name in CSV_FILES:
        with open(run_dir / name, newline="", encoding="utf-8") as f:
            out["csv"][name] = list(csv.DictReader(f))
    return out


def run_golden(out_root: Path) -> Path:
    from naerhed.cli import main

    assert main(["run", str(SCENARIO), "--out", str(out_root), "--quiet"]) == 0
    (run_dir,) = (out_root / "golden_run").iterdir()
    return run_dir


def _same(a, b) -> bool:
    return a == b or (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b))


def test_golden_run_gives_the_stored_numbers(tmp_path):
    reference = json.loads(REFERENCE.read_text(encoding="utf-8"))
    got = golden_numbers(run_golden(tmp_path))
    assert got["labels"] == reference["labels"]
    for name, ref in reference["variables"].items():
        assert name in got["variables"], f"{name} is missing from the run"
        new = got["variables"][name]
        assert new["dims"] == ref["dims"], name
        differ = [k for k, (x, y) in enumerate(zip(new["values"], ref["values"])) if not _same(x, y)]
        assert len(new["values"]) == len(ref["values"]) and not differ, (
            f"{name}: {len(differ)} of {len(ref['values'])} values differ, first at flat index "
            f"{differ[:1]}: {[new['values'][k] for k in differ[:3]]} != {[ref['values'][k] for k in differ[:3]]}")
    for name, rows in reference["csv"].items():
        new_rows = got["csv"][name]
        assert len(new_rows) == len(rows), name
        for k, (new, ref) in enumerate(zip(new_rows, rows)):
            assert {c: new.get(c) for c in ref} == ref, f"{name} row {k + 2}"


if __name__ == "__main__":  # regenerate the reference: python tests/test_golden_run.py --update
    import tempfile

    if sys.argv[1:] != ["--update"]:
        sys.exit("usage: python tests/test_golden_run.py --update")
    with tempfile.TemporaryDirectory() as tmp:
        numbers = golden_numbers(run_golden(Path(tmp)))
    REFERENCE.write_text(json.dumps(numbers, indent=0) + "\n", encoding="utf-8")
    print(f"wrote {REFERENCE}")

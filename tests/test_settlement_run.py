"""A run with financing.settlement: as_applied (issue 12): no money vanishes in results.nc, and
risk_summary.txt says which mode was used and that no settlement took place."""

import xarray as xr

from naerhed.runner import run_scenario

from .conftest import make_scenario


def test_as_applied_run_keeps_the_money_and_says_so(tmp_path):
    scenario = make_scenario(seed=3, draws=2, end_year=2021, population={"base_year": 2018, "sample_fraction": 0.003},
                             financing={"settlement": "as_applied"})
    folder = run_scenario(scenario, out_root=tmp_path, progress=False)
    with xr.open_dataset(folder / "results.nc", engine="h5netcdf") as ds:
        ds = ds.load()
    xr.testing.assert_allclose(ds["payout_dkk"] + ds["repayment_dkk"], ds["region_pool_dkk"], rtol=1e-12)
    assert float(ds["repayment_dkk"].sum()) == 0.0  # 2019-2020: no settlement took place
    assert float(ds["repayment_formal_dkk"].sum()) > 0.0  # the formal rule stays visible
    summary = (folder / "risk_summary.txt").read_text(encoding="utf-8")
    assert "2019 (rule set nf2019; settlement as applied: no settlement for 2019, the regions keep their a-conto" in summary
    assert "2020 (rule set nf2020; settlement as applied: no settlement for 2020" in summary
    # a year without settlement: the region lines say the full share is the formal rule's, not the money
    region_lines = [line for line in summary.splitlines() if line.startswith("  ") and "full share" in line]
    assert region_lines and not any("keeps its full share in" in line or "keep their full shares in" in line
                                    for line in region_lines)
    assert all("under the formal rule" in line for line in region_lines)

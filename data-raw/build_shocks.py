"""Build model/naerhed/data/year_shocks.csv: the year-shock priors of data-raw/year_shock_priors.csv,
replaced by the fit to model/naerhed/data/hospital_history.csv where the public series allow it.

    PYTHONPATH=model python data-raw/build_shocks.py

The public series count acute and planned admissions together, so planned_admissions takes the fit
of acute_admissions. Deterministic; tests/analysis/test_shocks.py reruns it and requires identical output.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from naerhed.analysis.shocks import fit_shocks, shocks_csv, write_text_atomic
from naerhed.data.files import DATA_DIR

HERE = Path(__file__).resolve().parent


def build() -> str:
    rows = fit_shocks(DATA_DIR / "hospital_history.csv", HERE / "year_shock_priors.csv")
    acute = next(r for r in rows if r.series == "acute_admissions" and r.region < 0)
    rows = [replace(acute, series="planned_admissions",
                    note="the public regional series count acute and planned admissions together: the fit of "
                    "acute_admissions; " + acute.note)
            if r.series == "planned_admissions" and r.region < 0 else r for r in rows]
    return shocks_csv(rows)


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else DATA_DIR / "year_shocks.csv"
    write_text_atomic(out, build())
    print(f"wrote {out}")

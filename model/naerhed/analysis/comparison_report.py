"""`naerhed compare A.yaml B.yaml [...]`: run (or reuse) every scenario with the same seed and
draws, then write paired differences against the first scenario to outputs/compare/<id>/:
criteria_differences.csv, risk_differences.csv, figures/*.png and manifest.json."""

from __future__ import annotations

import json
import os
import shutil
from datetime import datetime, timezone
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402

from ..errors import NaerhedError  # noqa: E402
from ..financing.criteria import REGISTRY, names as criterion_names  # noqa: E402
from ..financing.payout import legal_lines  # noqa: E402
from ..report import panel_grid, percent_scale, write_csv  # noqa: E402
from ..runner import run_or_reuse  # noqa: E402
from .compare import criteria_differences, risk_differences  # noqa: E402

MUST_MATCH = ("seed", "draws", "end_year", "uncertainty", ("population", "base_year"), ("population", "sample_fraction"))


def check_comparable(scenarios) -> None:
    """Paired differences need the same seed, draws, years and sample: say which setting differs."""
    names = [s.name for s in scenarios]
    if len(set(names)) != len(names):
        raise NaerhedError(f"the scenarios to compare must have different names; got {', '.join(names)}")
    first = scenarios[0].resolved()
    for scenario in scenarios[1:]:
        other = scenario.resolved()
        for key in MUST_MATCH:
            a = first[key[0]][key[1]] if isinstance(key, tuple) else first[key]
            b = other[key[0]][key[1]] if isinstance(key, tuple) else other[key]
            if a != b:
                label = ".".join(key) if isinstance(key, tuple) else key
                raise NaerhedError(
                    f"cannot pair {scenarios[0].name} and {scenario.name}: {label} differs ({a} vs {b}); "
                    f"compared scenarios need the same seed, draws, end_year, uncertainty, population.base_year "
                    f"and population.sample_fraction (use --seed/--draws or --set {label}=...)")


def legal_note_of(datasets: dict[str, xr.Dataset], year: int) -> str:
    """The legal status of `year` in the scenarios' runs for a figure title (a line break, then
    '2027: the scheme no longer exists; ...'; each scenario named where they differ); '' where every
    scenario's rules of the year are in force."""
    lines = {name: legal_lines(ds, [year]) for name, ds in datasets.items()}
    if len({tuple(v) for v in lines.values()}) == 1:
        text = "; ".join(next(iter(lines.values())))
    else:
        text = "; ".join(f"{name}: {'; '.join(v) or f'{year}: in force'}" for name, v in lines.items())
    return f"\n{text}" if text else ""


def difference_figure(rows: list[dict], year: int, names: tuple[str, str], path: Path, note: str = "") -> None:
    """Paired difference of each criterion per region in one year, with 95 % intervals; `note`: the
    year's legal status for the title (legal_note_of)."""
    measured = criterion_names(kind="ratio")
    fig, axes = panel_grid(len(measured), panel=(3.75, 4), columns=4)
    for ax, criterion in zip(axes, measured):
        picked = [r for r in rows if r["year"] == year and r["criterion"] == criterion]
        scale = percent_scale(criterion)
        labels = [r["region"].replace(" (all regions)", "") for r in picked]
        mean = np.array([r["difference_mean"] for r in picked]) * scale
        low = np.array([r["difference_ci95_low"] for r in picked]) * scale
        high = np.array([r["difference_ci95_high"] for r in picked]) * scale
        y = np.arange(len(picked))
        ax.barh(y, mean, color=["#4c72b0"] * (len(picked) - 1) + ["#1f3d73"], alpha=0.8)
        ax.errorbar(mean, y, xerr=[mean - low, high - mean], fmt="none", ecolor="black", capsize=3, linewidth=1)
        ax.axvline(0, color="black", linewidth=0.7)
        ax.set_yticks(y)
        ax.set_yticklabels(labels, fontsize=8)
        ax.invert_yaxis()
        ax.set_title(REGISTRY[criterion].label, fontsize=9)
        ax.set_xlabel("percentage points" if scale == 100.0 else "difference", fontsize=8)
        ax.grid(alpha=0.3, axis="x")
    fig.suptitle(f"{names[1]} minus {names[0]}, {year} (paired over draws; bars: mean, lines: 95 % interval){note}")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def repayment_figure(datasets: dict[str, xr.Dataset], year: int, path: Path) -> None:
    """Expected repayment and 95 % value at risk per region in one year, one bar group per scenario;
    the title says the year's legal status (legal_note_of)."""
    first = next(iter(datasets.values()))
    regions = first["region_name"].values.tolist() + ["all regions"]
    x = np.arange(len(regions))
    width = 0.8 / len(datasets)
    fig, ax = plt.subplots(figsize=(11, 4.5))
    for i, (name, ds) in enumerate(datasets.items()):
        r = ds.sel(assessed_year=year)
        expected = list(r["risk_expected_repayment_dkk"].values / 1e6) + [float(r["risk_expected_repayment_dkk_all"]) / 1e6]
        var = list(r["risk_var_repayment_dkk"].values / 1e6) + [float(r["risk_var_repayment_dkk_all"]) / 1e6]
        bars = ax.bar(x + i * width, expected, width, label=f"{name}: expected")
        ax.scatter(x + i * width, var, marker="x", color=bars.patches[0].get_facecolor(), s=40, zorder=3,
                   label=f"{name}: 95 % value at risk")
    ax.set_xticks(x + width * (len(datasets) - 1) / 2)
    ax.set_xticklabels(regions)
    ax.set_ylabel("repayment (mio. DKK)")
    ax.set_title(f"Repayment {year}: expected (bars) and 95 % value at risk (crosses)" + legal_note_of(datasets, year))
    ax.grid(alpha=0.3, axis="y")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def compare_scenarios(scenarios, out_root: Path = Path("outputs"), progress: bool = True,
                      year: int | None = None, executor=None) -> tuple[Path, dict[str, xr.Dataset], int, list[dict]]:
    """Run or reuse each scenario, write the comparison folder; returns (folder, datasets, year shown,
    risk rows of the shown year)."""
    check_comparable(scenarios)
    runs, datasets = {}, {}
    for scenario in scenarios:
        folder, reused = run_or_reuse(scenario, out_root, progress, executor=executor)
        runs[scenario.name] = {"run": str(folder), "reused": reused}
        datasets[scenario.name] = xr.load_dataset(folder / "results.nc", engine="h5netcdf")
    names = list(datasets)
    reference = datasets[names[0]]
    years = reference["assessed_year"].values.tolist()
    shown = years[-1] if year is None else year
    if shown not in years:
        raise NaerhedError(f"--year {shown} is not an assessed year of these runs; assessed years: {years[0]}-{years[-1]}")
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    label = "-vs-".join(names)[:120]
    final = Path(out_root) / "compare" / f"{stamp}-{label}"
    tmp = final.parent / f".tmp-{final.name}-{os.getpid()}"
    tmp.mkdir(parents=True)
    shown_rows: list[dict] = []
    try:
        (tmp / "figures").mkdir()
        criteria_rows, risk_rows = [], []
        for name in names[1:]:
            pair = (names[0], name)
            c_rows = criteria_differences(reference, datasets[name], pair)
            r_rows = risk_differences(reference, datasets[name], pair)
            for row in c_rows + r_rows:
                row["comparison"] = f"{name} - {names[0]}"
            criteria_rows += [{"comparison": r.pop("comparison"), **r} for r in c_rows]
            risk_rows += [{"comparison": r.pop("comparison"), **r} for r in r_rows]
            shown_rows += [r for r in r_rows if r["year"] == shown]
            difference_figure(c_rows, shown, pair, tmp / "figures" / f"criteria_difference_{name}.png",
                              legal_note_of({n: datasets[n] for n in pair}, shown))
        write_csv(tmp / "criteria_differences.csv", _uniform(criteria_rows))
        write_csv(tmp / "risk_differences.csv", _uniform(risk_rows))
        repayment_figure(datasets, shown, tmp / "figures" / "repayment.png")
        (tmp / "manifest.json").write_text(json.dumps({"scenarios": runs, "reference": names[0], "year_shown": shown},
                                                      indent=2) + "\n", encoding="utf-8")
        tmp.rename(final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final, datasets, shown, shown_rows


def _uniform(rows: list[dict]) -> list[dict]:
    """Rows of several comparisons have scenario-named columns; give them generic names so the
    file is one table: reference_value and scenario_value."""
    out = []
    for row in rows:
        reference, scenario = row["comparison"].split(" - ")[::-1]
        fixed = {}
        for key, value in row.items():
            if key in (reference, f"{reference}_mean"):
                fixed["reference_value"] = value
            elif key in (scenario, f"{scenario}_mean"):
                fixed["scenario_value"] = value
            else:
                fixed[key] = value
        out.append(fixed)
    return out

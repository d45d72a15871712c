"""Sensitivity sweeps: `naerhed sweep SCENARIO --method oat|morris|sobol --params SPEC [--n N]`.

Parameters are scenario values addressed by key path (e.g. health.trends.acute_admissions,
demography.migration.scale) with a range [low, high]; SALib samples the points (Morris trajectories,
Sobol/Saltelli sequences) and analyses the outputs; one-at-a-time (OAT) moves each parameter to its
low and high end with the others at the middle of their ranges (a tornado chart); a grid moves each
parameter over `n` evenly spaced values from low to high, the others at the middle (e.g. the payout
risk against the size of the year shocks, scenarios/sweeps/shock_scale.yaml). Every point runs
the scenario with its own seed and draws, so points differ only by their parameters (common random
numbers): a difference between points is the parameters' effect, not noise.

Outputs per point: the national value of each criterion 1-4 in the chosen assessed year (mean over
draws), the expected repayment of all regions (DKK) and the mean over regions of the probability of
full payout; and per region and all regions, in the years asked for (by default the chosen year;
`naerhed sweep`: the current and next calendar year, as `naerhed run` prints), the probability of full
payout and the expected repayment with their Monte Carlo standard errors (runs_by_region.csv; for a
grid also figures/by_region.png).
"""

from __future__ import annotations

import json
import math
import os
import shutil
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from ..errors import NaerhedError, ScenarioError
from ..executors import Executor, SerialExecutor
from ..financing.criteria import names as criterion_names
from ..financing.payout import legal_lines
from ..inputs import load_inputs
from ..pipeline import run_dataset
from ..regions import regions_of_year
from ..report import panel_grid, write_csv
from ..run_spec import RunSpec
from ..safe_yaml import YamlInputError, load_file
from ..scenario import load_scenario

MONEY_OUTPUTS = ("expected_repayment_dkk", "p_full_payout")


def outputs() -> tuple[str, ...]:
    """The outputs of a sweep point: every measured criterion (national mean), then the money."""
    return criterion_names(kind="ratio") + MONEY_OUTPUTS
METHODS = ("oat", "morris", "sobol", "grid")
MIN_N = {"oat": 1, "morris": 2, "sobol": 8, "grid": 2}


@dataclass(frozen=True)
class Parameter:
    """One swept scenario value: key path and range (in the value's own unit)."""

    key: str
    low: float
    high: float

    @property
    def middle(self) -> float:
        return 0.5 * (self.low + self.high)


def parse_parameters(spec: str) -> list[Parameter]:
    """Parameters from a YAML file (`parameters: [{key, low, high}, ...]`) or an inline list
    'key=low:high,key=low:high'. Raises NaerhedError on a malformed specification or an empty range."""
    path = Path(spec)
    problems = []
    try:
        is_file = "=" not in spec and (path.suffix in (".yaml", ".yml") or path.is_file())
    except OSError:  # e.g. a name too long to be a file
        is_file = False
    if is_file:  # inline parameters always contain key=low:high
        try:
            raw = load_file(path, spec, "sweep parameter file")
        except YamlInputError as exc:
            raise NaerhedError(f"cannot read the sweep parameters: {exc}") from None
        items = (raw or {}).get("parameters") if isinstance(raw, dict) else None
        if not isinstance(items, list) or not items:
            raise NaerhedError(f"{spec}: expected 'parameters:' with a list of {{key, low, high}} entries")
        entries = []
        for i, item in enumerate(items):
            if not isinstance(item, dict) or set(item) != {"key", "low", "high"}:
                shown = sorted(str(k)[:40] for k in item) if isinstance(item, dict) else type(item).__name__
                problems.append(f"{spec}: parameters[{i}]: needs exactly the keys key, low and high; got {shown}")
                continue
            if not isinstance(item["key"], str):
                problems.append(f"{spec}: parameters[{i}].key: must be the key path of a scenario setting (text), "
                                "e.g. demography.migration.scale")
                continue
            entries.append((item["key"], item["low"], item["high"], f"{spec}: parameters[{i}]"))
    else:
        entries = []
        for part in filter(None, (p.strip() for p in spec.split(","))):
            key, _, bounds = part.partition("=")
            low, _, high = bounds.partition(":")
            if not key or not low or not high:
                problems.append(f"--params {part!r}: write key.path=low:high, e.g. demography.migration.scale=0.5:1.5")
                continue
            entries.append((key.strip(), low, high, f"--params {key.strip()}"))
    parameters = []
    for key, low, high, where in entries:
        try:
            low, high = float(low), float(high)
        except (TypeError, ValueError):
            problems.append(f"{where}: low and high must be numbers; got {_short(low)} and {_short(high)}")
            continue
        if not (math.isfinite(low) and math.isfinite(high)):
            problems.append(f"{where} ({key}): low and high must be finite numbers; got {low:g} and {high:g}")
            continue
        if low >= high:
            problems.append(f"{where} ({key}): empty range [{low:g}, {high:g}]; low must be below high")
            continue
        parameters.append(Parameter(key, low, high))
    keys = [p.key for p in parameters]
    problems += [f"parameter {k} is given more than once" for k in sorted({k for k in keys if keys.count(k) > 1})]
    if problems:
        raise NaerhedError("; ".join(problems))
    if not parameters:
        raise NaerhedError(f"no sweep parameters in {spec!r}")
    return parameters


#: Where between low and high a sweep parameter is also tried (a share of the range that no sampling design
#: hits as a whole number: 1/pi), so a setting that takes whole numbers only is refused before the sweep.
_PROBE = 1 / math.pi


def _short(value) -> str:
    """A value as written in a message, at most 40 characters."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def check_parameters(scenario_path: str, parameters: list[Parameter], base_overrides: list[str]) -> None:
    """Every key path must be a numeric scenario value that accepts its whole range: the scenario is
    validated at the low and high end of each parameter and at a point between them that is not a whole
    number (a setting of whole numbers, such as draws, cannot be swept; all problems reported)."""
    problems = []
    for p in parameters:
        for value in (p.low, p.high, p.low + (p.high - p.low) * _PROBE):
            try:
                load_scenario(scenario_path, base_overrides + [f"{p.key}={value!r}"])
            except ScenarioError as exc:
                problems += [f"sweep parameter {p.key}={value:g}: {prob.key_path}: {prob.message}"
                             + (" (a sweep moves each parameter through the numbers between low and high)"
                                if value not in (p.low, p.high) else "")
                             for prob in exc.problems]
                break
    if problems:
        raise NaerhedError("; ".join(dict.fromkeys(problems)))


def design(method: str, parameters: list[Parameter], n: int, seed: int) -> np.ndarray:
    """The points to run [point, parameter]."""
    if method not in METHODS:
        raise NaerhedError(f"unknown sweep method {method!r}; allowed: {', '.join(METHODS)}")
    if n < MIN_N[method]:
        raise NaerhedError(f"--n {n} is too small for {method}: at least {MIN_N[method]}"
                           + {"sobol": " (a power of 2)", "morris": " trajectories", "grid": " values per parameter"}.get(method, ""))
    if method == "sobol" and n & (n - 1):
        raise NaerhedError(f"--n {n} for sobol must be a power of 2 (e.g. {1 << n.bit_length()}): Sobol sequences need it")
    middle = np.array([p.middle for p in parameters])
    if method == "grid":
        points = []
        for i, p in enumerate(parameters):
            for value in np.linspace(p.low, p.high, n):
                point = middle.copy()
                point[i] = value
                points.append(point)
        return np.array(points)
    if method == "oat":
        points = [middle]
        for i, p in enumerate(parameters):
            for value in (p.low, p.high):
                point = middle.copy()
                point[i] = value
                points.append(point)
        return np.array(points)
    problem = salib_problem(parameters)
    if method == "morris":
        from SALib.sample import morris

        return morris.sample(problem, n, num_levels=4, seed=seed)
    from SALib.sample import sobol

    return sobol.sample(problem, n, calc_second_order=False, seed=seed)


def salib_problem(parameters: list[Parameter]) -> dict:
    return {"num_vars": len(parameters), "names": [p.key for p in parameters],
            "bounds": [[p.low, p.high] for p in parameters]}


def evaluate_point(scenario_path: str, overrides: list[str], year: int | None) -> tuple[dict, int, list[dict]]:
    """Run the scenario with the overrides (naerhed.pipeline.run_dataset, in this process); the outputs
    (see the module docstring), the year used, and the money per region of every assessed year
    (`region_rows`)."""
    scenario = load_scenario(scenario_path, overrides)
    ds = run_dataset(RunSpec.from_scenario(scenario, load_inputs(scenario)))
    if "assessed_year" not in ds.dims:
        raise NaerhedError("the sweep's scenario has no assessed year: set end_year at least two years after the base year")
    years = ds["assessed_year"].values.tolist()
    year = years[-1] if year is None else year
    if year not in years:
        raise NaerhedError(f"--year {year} is not assessed; assessed years: {years[0]}-{years[-1]}")
    out = {c: float(ds["criteria_national"].sel(period=year, criterion=c).mean()) for c in criterion_names(kind="ratio")}
    out["expected_repayment_dkk"] = float(ds["risk_expected_repayment_dkk_all"].sel(assessed_year=year))
    out["p_full_payout"] = float(ds["risk_p_full_payout"].sel(assessed_year=year).mean())
    return out, year, region_rows(ds)


def region_rows(ds) -> list[dict]:
    """Per assessed year, region and all regions: probability of full payout and expected repayment
    (mio. DKK), each with its Monte Carlo standard error (naerhed.financing.risk), and the year's
    legal status in words where its rules are not in force (legal_note; payout.legal_lines)."""
    rows = []
    names = dict(zip(ds["region"].values.tolist(), ds["region_name"].values.tolist()))
    for year in ds["assessed_year"].values.tolist():
        at = ds.sel(assessed_year=year)
        for code, name in [*((c, names[c]) for c in regions_of_year(ds, year)), ("", "all regions")]:
            suffix, here = ("_all", at) if code == "" else ("", at.sel(region=code))
            rows.append({"year": year, "region_code": code, "region": name,
                         "p_full_payout": float(here[f"risk_p_full_payout{suffix}"]),
                         "p_full_payout_se": float(here[f"risk_p_full_payout{suffix}_se"]),
                         "expected_repayment_mio_dkk": float(here[f"risk_expected_repayment_dkk{suffix}"]) / 1e6,
                         "expected_repayment_mio_dkk_se": float(here[f"risk_expected_repayment_dkk{suffix}_se"]) / 1e6,
                         "legal_note": "; ".join(legal_lines(ds, [year]))})
    return rows


def _evaluate(args):
    return evaluate_point(*args)


def analyse(method: str, parameters: list[Parameter], points: np.ndarray, results: np.ndarray, seed: int) -> list[dict]:
    """Sensitivity indices per output and parameter, with 95 % confidence intervals where the method gives them."""
    rows = []
    names = [p.key for p in parameters]
    for o, output in enumerate(outputs()):
        y = results[:, o]
        if method == "grid":
            for point, value in zip(points, y):
                for i, name in enumerate(names):
                    others = [j for j in range(len(names)) if j != i]
                    if all(point[j] == parameters[j].middle for j in others):
                        rows.append({"output": output, "parameter": name, "value": float(point[i]), "result": float(value)})
        elif method == "oat":
            base = y[0]
            for i, name in enumerate(names):
                low, high = y[1 + 2 * i], y[2 + 2 * i]
                rows.append({"output": output, "parameter": name, "base": base, "at_low": low, "at_high": high,
                             "swing": abs(high - low)})
        elif method == "morris":
            from SALib.analyze import morris

            si = morris.analyze(salib_problem(parameters), points, y, conf_level=0.95, num_levels=4, seed=seed)
            for i, name in enumerate(names):
                rows.append({"output": output, "parameter": name, "mu_star": float(si["mu_star"][i]),
                             "mu_star_ci95": float(si["mu_star_conf"][i]), "sigma": float(si["sigma"][i]),
                             "mu": float(si["mu"][i])})
        else:
            from SALib.analyze import sobol

            if np.ptp(y) == 0:
                si = {k: np.zeros(len(names)) for k in ("S1", "S1_conf", "ST", "ST_conf")}
            else:
                si = sobol.analyze(salib_problem(parameters), y, calc_second_order=False, conf_level=0.95, seed=seed)
            for i, name in enumerate(names):
                rows.append({"output": output, "parameter": name, "S1": float(si["S1"][i]),
                             "S1_ci95": float(si["S1_conf"][i]), "ST": float(si["ST"][i]),
                             "ST_ci95": float(si["ST_conf"][i])})
    return rows


def sensitivity_figure(method: str, rows: list[dict], path: Path) -> None:
    """Tornado chart (OAT), mu*-sigma plot (Morris) or first- and total-order bars (Sobol), one panel per output."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = panel_grid(len(outputs()), panel=(5, 4), columns=3)
    for ax, output in zip(axes, outputs()):
        picked = [r for r in rows if r["output"] == output]
        names = [r["parameter"] for r in picked]
        y = np.arange(len(picked))
        if method == "oat":
            order = np.argsort([r["swing"] for r in picked])
            base = picked[0]["base"]
            for k, j in enumerate(order):
                r = picked[j]
                ax.barh(k, r["at_low"] - base, left=base, color="#4c72b0", alpha=0.8, label="low end" if k == 0 else None)
                ax.barh(k, r["at_high"] - base, left=base, color="#dd8452", alpha=0.8, label="high end" if k == 0 else None)
            ax.axvline(base, color="black", linewidth=0.8)
            ax.set_yticks(np.arange(len(order)))
            ax.set_yticklabels([names[j] for j in order], fontsize=7)
        elif method == "grid":
            for name in dict.fromkeys(names):
                line = sorted((r["value"], r["result"]) for r in picked if r["parameter"] == name)
                ax.plot([v for v, _ in line], [r for _, r in line], "o-", label=name)
            ax.set_xlabel("value of the parameter")
        elif method == "morris":
            mu = [r["mu_star"] for r in picked]
            ax.errorbar(mu, [r["sigma"] for r in picked], xerr=[r["mu_star_ci95"] for r in picked], fmt="o")
            for name, a, b in zip(names, mu, [r["sigma"] for r in picked]):
                ax.annotate(name, (a, b), fontsize=7)
            ax.set_xlabel("mu* (mean absolute elementary effect)")
            ax.set_ylabel("sigma (interactions, non-linearity)")
        else:
            ax.barh(y - 0.2, [r["S1"] for r in picked], 0.4, xerr=[r["S1_ci95"] for r in picked], label="first order S1")
            ax.barh(y + 0.2, [r["ST"] for r in picked], 0.4, xerr=[r["ST_ci95"] for r in picked], label="total order ST")
            ax.set_yticks(y)
            ax.set_yticklabels(names, fontsize=7)
            ax.set_xlim(left=min(0, ax.get_xlim()[0]))
        ax.set_title(output, fontsize=10)
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=7) if method != "morris" else None
    fig.suptitle({"grid": "Grid: each output against each parameter (the others at the middle of their ranges)",
                  "oat": "One at a time: tornado (bars from the middle point to each end of a range)",
                  "morris": "Morris screening: mu* against sigma, 95 % interval of mu*",
                  "sobol": "Sobol indices with 95 % intervals"}[method])
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def by_region_figure(parameters: list[Parameter], points: np.ndarray, rows: list[dict], path: Path) -> None:
    """For a grid: per swept parameter and year, the probability of full payout and the expected
    repayment of each region (and all regions) against the parameter's value, ± one Monte Carlo
    standard error (rows: runs_by_region.csv)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    years = sorted({r["year"] for r in rows})
    panels = [(i, year) for i in range(len(parameters)) for year in years]
    fig, axes = plt.subplots(len(panels), 2, figsize=(11, 3.6 * len(panels)), squeeze=False)
    middle = [p.middle for p in parameters]
    for (i, year), (left, right) in zip(panels, axes):
        on_line = [k for k, point in enumerate(points)
                   if all(point[j] == middle[j] for j in range(len(parameters)) if j != i)]
        for region in dict.fromkeys(r["region"] for r in rows):
            here = sorted(((points[r["point"]][i], r) for r in rows
                           if r["point"] in on_line and r["year"] == year and r["region"] == region), key=lambda t: t[0])
            x = [v for v, _ in here]
            style = {"color": "black", "linestyle": "--"} if region == "all regions" else {}
            left.errorbar(x, [100 * r["p_full_payout"] for _, r in here], yerr=[100 * r["p_full_payout_se"] for _, r in here],
                          marker="o", capsize=3, label=region, **style)
            if region != "all regions":
                right.errorbar(x, [r["expected_repayment_mio_dkk"] for _, r in here],
                               yerr=[r["expected_repayment_mio_dkk_se"] for _, r in here], marker="o", capsize=3, label=region)
        left.set_ylabel(f"P(full payout) {year} (%)")
        right.set_ylabel(f"expected repayment {year} (mio. DKK)")
        for ax in (left, right):
            ax.set_xlabel(parameters[i].key)
            ax.grid(alpha=0.3)
        left.set_ylim(-3, 103)
    axes[0][0].legend(fontsize=7)
    notes = [n for n in dict.fromkeys(r.get("legal_note", "") for r in rows if r["year"] in years) if n]
    fig.suptitle("Payout risk per region against the swept value (± one Monte Carlo standard error)"
                 + ("\n" + "; ".join(notes) if notes else ""))
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def run_sweep(scenario_path: str, method: str, parameters: list[Parameter], n: int, base_overrides: list[str],
              out_root: Path, executor: Executor | None = None, year: int | None = None, progress=None,
              region_years=None) -> Path:
    """Run every point on `executor` (naerhed.executors; default: in this process) and write
    outputs/sweep/<id>/: runs.csv, runs_by_region.csv, indices.csv, figures/sensitivity.png (a grid
    also figures/by_region.png), manifest.json. `progress(done, total)` is called after each point;
    `region_years(assessed years)` gives the years of runs_by_region.csv (default: the year used)."""
    check_parameters(scenario_path, parameters, base_overrides)
    scenario = load_scenario(scenario_path, base_overrides)
    points = design(method, parameters, n, scenario.seed)
    tasks = [(scenario_path, base_overrides + [f"{p.key}={float(v)!r}" for p, v in zip(parameters, point)], year)
             for point in points]
    done = 0

    def on_done(_k: int) -> None:
        nonlocal done
        done += 1
        if progress:
            progress(done, len(tasks))

    outcomes = (executor or SerialExecutor()).map(_evaluate, tasks, on_done)
    results = np.array([[out[o] for o in outputs()] for out, _, _ in outcomes])
    used_year = outcomes[0][1]
    assessed = sorted({r["year"] for r in outcomes[0][2]})
    shown = region_years(assessed) if region_years is not None else [used_year]
    by_region = [{"point": k, **{p.key: float(v) for p, v in zip(parameters, points[k])}, **r}
                 for k, (_, _, rows) in enumerate(outcomes) for r in rows if r["year"] in shown]
    indices = analyse(method, parameters, points, results, scenario.seed)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    final = Path(out_root) / "sweep" / f"{stamp}-{scenario.name}-{method}"
    tmp = final.parent / f".tmp-{final.name}-{os.getpid()}"
    (tmp / "figures").mkdir(parents=True)
    try:
        runs = [{"point": k, **{p.key: float(v) for p, v in zip(parameters, point)},
                 **{o: float(r) for o, r in zip(outputs(), row)}} for k, (point, row) in enumerate(zip(points, results))]
        write_csv(tmp / "runs.csv", runs)
        write_csv(tmp / "runs_by_region.csv", by_region)
        write_csv(tmp / "indices.csv", [{"method": method, "year": used_year, **r} for r in indices])
        sensitivity_figure(method, indices, tmp / "figures" / "sensitivity.png")
        if method == "grid":
            by_region_figure(parameters, points, by_region, tmp / "figures" / "by_region.png")
        (tmp / "manifest.json").write_text(json.dumps({
            "scenario_file": str(scenario_path), "overrides": base_overrides, "method": method, "n": n,
            "points": len(points), "year": used_year, "region_years": shown, "seed": scenario.seed, "draws": scenario.draws,
            "parameters": [p.__dict__ for p in parameters]}, indent=2) + "\n", encoding="utf-8")
        tmp.rename(final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final

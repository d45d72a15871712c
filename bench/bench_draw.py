"""Benchmark of the model (run by `make bench`, never by the tests). Prints and writes bench/results.json.

1. One draw, 10 years, at about 10^4, 10^5, 10^6 persons and the full population (5.8 million), each in
   a fresh process: wall time of the simulation and of the whole process (interpreter start, imports,
   loading the data, the draw), nanoseconds per person-year of each, peak resident memory. The 10^6
   and full cases also run with every catalogue intervention on (bench/all_interventions.yaml), and
   10^6 for 20 years (memory must not grow with years).
2. Scaling: 8 draws x 10 years at 10^4, 10^5 and 10^6 persons with 1, 2, 4 and 8 local worker
   processes: wall time, ns per person-year-draw, speed-up over one worker.
3. Many draws: 1,000 draws at sample fraction 0.05 with 2 workers (skipped with --quick).
4. A Sobol sweep over the 8 parameters of bench/sobol_parameters.yaml with N = 256 base samples
   (2,560 points, one draw each) at sample fraction 0.01 on 2 workers (skipped with --quick).
5. Chance at the scale of the population (bench/population_scale.py): across-draw sd of each
   criterion per region with central uncertainty at sample fractions 0.01, 0.05, 0.2 and 1.0
   (400, 200, 100 and 40 draws; --quick: 100, 50, 20, 0), and at 0.01 the sampling error of the
   expectations by source (frailty, chronic states, deaths, ...), 200 draws; and the risk figures
   (P(met), P(full payout), expected repayment) at 0.01, 0.05 and 0.2 against the full population's,
   in units of their standard errors (Monte Carlo and sampling) (both skipped with --quick).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FULL = 5_806_081

ONE_DRAW = r"""
import json, resource, sys, time
from naerhed.inputs import load_inputs
from naerhed.scenario import load_scenario
from naerhed.engine import simulate_draw
from naerhed.run_spec import RunSpec
fraction, years, scenario_file = float(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
scenario = load_scenario(scenario_file, [f"population.sample_fraction={fraction}", f"end_year={2019 + years}"])
t0 = time.perf_counter()
inputs = load_inputs(scenario)
t1 = time.perf_counter()
result = simulate_draw(RunSpec(inputs=inputs, end_year=scenario.end_year, sample_fraction=fraction, seed=1), 0)
t2 = time.perf_counter()
persons = result.population.sum(axis=(1, 2, 3)) * fraction
person_years = float(persons[:-1].sum())
print(json.dumps({"sample_fraction": fraction, "scenario": scenario.name, "years": years,
                  "persons_start": float(persons[0]), "person_years": person_years,
                  "load_seconds": t1 - t0, "simulate_seconds": t2 - t1,
                  "ns_per_person_year": (t2 - t1) / person_years * 1e9,
                  "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""

WORKERS = r"""
import json, sys, time
from naerhed.inputs import load_inputs
from naerhed.scenario import load_scenario
from naerhed.executors import make_executor
from naerhed.pipeline import run_draws
from naerhed.run_spec import RunSpec
if __name__ == "__main__":
    fraction, draws, workers = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    scenario = load_scenario(sys.argv[4], [f"population.sample_fraction={fraction}", "end_year=2029"])
    inputs = load_inputs(scenario)
    executor = make_executor(workers)
    t0 = time.perf_counter()
    run_draws(RunSpec(inputs=inputs, end_year=2029, sample_fraction=fraction, seed=1, draws=draws), executor)
    print(json.dumps({"workers": workers, "draws": draws, "persons": fraction * 5806081,
                      "wall_seconds": time.perf_counter() - t0}))
"""


def child(code: str, *args) -> dict:
    """Run `code` in a fresh interpreter; its last output line is JSON. Adds the whole process's wall time."""
    t0 = time.perf_counter()
    out = subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True, check=True,
                         cwd=ROOT)
    row = json.loads(out.stdout.strip().splitlines()[-1])
    row["process_seconds"] = time.perf_counter() - t0
    return row


def one_draw_cases(baseline: str, everything: str) -> list[dict]:
    rows = []
    cases = [(1e4, 10, baseline), (1e5, 10, baseline), (1e6, 10, baseline), (1e6, 10, everything), (1e6, 20, everything),
             (FULL, 10, baseline), (FULL, 10, everything)]
    for persons, years, scenario in cases:
        row = child(ONE_DRAW, min(1.0, persons / FULL), years, scenario)
        row["process_ns_per_person_year"] = row["process_seconds"] / row["person_years"] * 1e9
        rows.append(row)
        print(f"{row['scenario']:<24} {row['persons_start']:>10,.0f} persons x {years} years: simulate "
              f"{row['simulate_seconds']:6.2f} s {row['ns_per_person_year']:5.0f} ns/person-year; whole process "
              f"{row['process_seconds']:6.2f} s {row['process_ns_per_person_year']:5.0f} ns/person-year; "
              f"peak {row['peak_rss_mib']:6.0f} MiB", flush=True)
    return rows


def scaling_table(baseline: str) -> list[dict]:
    rows = []
    print("8 draws x 10 years, wall seconds (ns per person-year-draw, speed-up over 1 worker):", flush=True)
    for persons in (1e4, 1e5, 1e6):
        line = []
        for workers in (1, 2, 4, 8):
            row = child(WORKERS, persons / FULL, 8, workers, baseline)
            row["ns_per_person_year_draw"] = row["wall_seconds"] / (8 * 10 * persons) * 1e9
            row["speed_up"] = line[0]["wall_seconds"] / row["wall_seconds"] if line else 1.0
            rows.append(row)
            line.append(row)
        print(f"  {persons:>9,.0f} persons: " + "  ".join(
            f"{r['workers']} w {r['wall_seconds']:6.2f} s ({r['ns_per_person_year_draw']:4.0f} ns, x{r['speed_up']:.2f})"
            for r in line), flush=True)
    return rows


SOBOL = ["-m", "naerhed.cli", "sweep", "scenarios/baseline.yaml", "--method", "sobol", "--n", "256", "--params",
         "bench/sobol_parameters.yaml", "--workers", "2", "--set", "population.sample_fraction=0.01", "--set", "draws=1",
         "--set", "end_year=2029", "--quiet"]


def sobol_sweep() -> dict:
    with tempfile.TemporaryDirectory() as out:
        t0 = time.perf_counter()
        subprocess.run([sys.executable, *SOBOL, "--out", out], check=True, cwd=ROOT, capture_output=True, text=True)
        wall = time.perf_counter() - t0
    result = {"parameters": 8, "n": 256, "points": 256 * (8 + 2), "sample_fraction": 0.01, "draws": 1, "workers": 2,
              "wall_seconds": wall}
    print(f"Sobol sweep, 8 parameters x N 256 = 2,560 points at sample fraction 0.01, 2 workers: {wall / 60:5.1f} minutes",
          flush=True)
    return result


SCALE_DRAWS = {0.01: 400, 0.05: 200, 0.2: 100, 1.0: 40}
SCALE_DRAWS_QUICK = {0.01: 100, 0.05: 50, 0.2: 20}


def population_scale(quick: bool) -> dict:
    """The sd table and (not with --quick) the sources at 0.01, from bench/population_scale.py."""
    draws = SCALE_DRAWS_QUICK if quick else SCALE_DRAWS
    out = {}
    runs = [("sd_by_fraction", ["sd", ",".join(f"{f}:{n}" for f, n in draws.items())])]
    if not quick:
        runs.append(("sources_at_0.01", ["sources", "0.01", "200"]))
        runs.append(("risk_by_fraction", ["risk", "0.01:200,0.05:100,0.2:50,1.0:40"]))
    for key, args in runs:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "scale.json"
            done = subprocess.run([sys.executable, "bench/population_scale.py", *args, path], cwd=ROOT, check=True,
                                  capture_output=True, text=True)
            print(done.stdout, end="", flush=True)
            out[key] = json.loads(path.read_text())
    return out


def main() -> None:
    quick = "--quick" in sys.argv
    baseline = str(ROOT / "scenarios" / "baseline.yaml")
    everything = str(ROOT / "bench" / "all_interventions.yaml")
    rows = one_draw_cases(baseline, everything)
    scaling = scaling_table(baseline)
    many = sobol = None
    if not quick:
        many = child(WORKERS, 0.05, 1000, 2, baseline)
        print(f"1,000 draws x 290,000 persons x 10 years, 2 workers: {many['wall_seconds'] / 60:5.1f} minutes", flush=True)
        sobol = sobol_sweep()
    scale = population_scale(quick)
    result = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "when": time.strftime("%Y-%m-%d")},
              "one_draw": rows, "scaling": scaling, "draws_1000": many, "sobol_sweep": sobol, "population_scale": scale}
    path = Path(__file__).with_name("results.json")
    if quick and path.is_file():  # keep the long measurements of the last full run
        last = json.loads(path.read_text())
        result["draws_1000"], result["sobol_sweep"] = last.get("draws_1000"), last.get("sobol_sweep")
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written {path}")


if __name__ == "__main__":
    main()

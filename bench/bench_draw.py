"""Benchmark of the model (run by `make bench`, never by the tests). Prints and writes bench/results.json.

1. One draw, 10 years, at about 10^4, 10^5, 10^6 persons and the full population (5.8 million), each in
   a fresh process: wall time of the simulation, nanoseconds per person-year, peak resident memory.
   The 10^6 and full cases also run with every catalogue intervention on (bench/all_interventions.yaml),
   and 10^6 for 20 years (memory must not grow with years).
2. Speed-up with workers: 8 draws at 10^5 persons with 1, 2, 4 and 8 local worker processes.
3. Many draws: 1,000 draws at sample fraction 0.05 with 2 workers (skipped with --quick).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FULL = 5_806_081

ONE_DRAW = r"""
import json, resource, sys, time
from naerhed.inputs import load_inputs
from naerhed.scenario import load_scenario
from naerhed.engine import simulate_draw
fraction, years, scenario_file = float(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
scenario = load_scenario(scenario_file, [f"population.sample_fraction={fraction}", f"end_year={2019 + years}"])
t0 = time.perf_counter()
inputs = load_inputs(scenario)
t1 = time.perf_counter()
result = simulate_draw(inputs, scenario.end_year, fraction, seed=1, draw=0)
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
from naerhed.engine import run_draws
from naerhed.executors import make_executor
if __name__ == "__main__":
    fraction, draws, workers = float(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    scenario = load_scenario(sys.argv[4], [f"population.sample_fraction={fraction}", "end_year=2029"])
    inputs = load_inputs(scenario)
    executor = make_executor(workers)
    t0 = time.perf_counter()
    run_draws(inputs, 2029, fraction, 1, draws, executor=executor)
    print(json.dumps({"workers": workers, "draws": draws, "persons": fraction * 5806081,
                      "wall_seconds": time.perf_counter() - t0}))
"""


def child(code: str, *args) -> dict:
    out = subprocess.run([sys.executable, "-c", code, *map(str, args)], capture_output=True, text=True, check=True,
                         cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    quick = "--quick" in sys.argv
    baseline = str(ROOT / "scenarios" / "baseline.yaml")
    everything = str(ROOT / "bench" / "all_interventions.yaml")
    rows = []
    cases = [(1e4, 10, baseline), (1e5, 10, baseline), (1e6, 10, baseline), (1e6, 10, everything), (1e6, 20, everything),
             (FULL, 10, baseline), (FULL, 10, everything)]
    for persons, years, scenario in cases:
        row = child(ONE_DRAW, min(1.0, persons / FULL), years, scenario)
        rows.append(row)
        print(f"{row['scenario']:<24} {row['persons_start']:>10,.0f} persons x {years} years: simulate "
              f"{row['simulate_seconds']:6.2f} s  {row['ns_per_person_year']:5.0f} ns/person-year  "
              f"peak {row['peak_rss_mib']:6.0f} MiB", flush=True)
    scaling = []
    for workers in (1, 2, 4, 8):
        row = child(WORKERS, 1e5 / FULL, 8, workers, baseline)
        scaling.append(row)
    for row in scaling:
        row["speed_up"] = scaling[0]["wall_seconds"] / row["wall_seconds"]
        print(f"8 draws x 100,000 persons x 10 years, {row['workers']} worker(s): {row['wall_seconds']:6.2f} s"
              f"  speed-up {row['speed_up']:.2f}", flush=True)
    many = None
    if not quick:
        many = child(WORKERS, 0.05, 1000, 2, baseline)
        print(f"1,000 draws x 290,000 persons x 10 years, 2 workers: {many['wall_seconds'] / 60:5.1f} minutes", flush=True)
    result = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "when": time.strftime("%Y-%m-%d")},
              "one_draw": rows, "workers": scaling, "draws_1000": many}
    path = Path(__file__).with_name("results.json")
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written {path}")


if __name__ == "__main__":
    main()

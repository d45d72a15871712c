"""Benchmark of one draw of the whole model (run by `make bench`, never by the tests).

For each sample fraction, a fresh subprocess synthesizes the base population and projects it
10 years (one draw: demography, chronic disease, hospital use, aggregation); it reports wall time,
nanoseconds per person-year and peak resident memory.
Results are printed and written to bench/results.json.
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys
import time
from pathlib import Path

CHILD = r"""
import json, resource, sys, time
from naerhed.inputs import load_inputs
from naerhed.scenario import Scenario
from naerhed.engine import simulate_draw
fraction, years = float(sys.argv[1]), int(sys.argv[2])
scenario = Scenario.model_validate({"name": "bench", "population": {"sample_fraction": fraction}, "end_year": 2019 + years})
t0 = time.perf_counter()
inputs = load_inputs(scenario)
t1 = time.perf_counter()
result = simulate_draw(inputs, scenario.end_year, fraction, seed=1, draw=0)
t2 = time.perf_counter()
persons = result.population.sum(axis=(1, 2, 3)) / (1 / fraction)
person_years = float(persons[:-1].sum())
print(json.dumps({"sample_fraction": fraction, "years": years, "persons_start": float(persons[0]),
                  "person_years": person_years, "load_seconds": t1 - t0, "simulate_seconds": t2 - t1,
                  "ns_per_person_year": (t2 - t1) / person_years * 1e9,
                  "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def main() -> None:
    rows = []
    for fraction in (0.01, 0.1, 1.0):
        started = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", CHILD, str(fraction), "10"], capture_output=True, text=True, check=True)
        row = json.loads(out.stdout.strip().splitlines()[-1])
        row["process_wall_seconds"] = time.perf_counter() - started
        rows.append(row)
        print(f"sample fraction {fraction:>5}: {row['persons_start']:>10,.0f} persons × 10 years  "
              f"simulate {row['simulate_seconds']:6.2f} s  {row['ns_per_person_year']:6.0f} ns/person-year  "
              f"process {row['process_wall_seconds']:6.2f} s  peak {row['peak_rss_mib']:7.0f} MiB")
    result = {"machine": {"python": platform.python_version(), "processor": platform.processor(),
                          "cpus": __import__("os").cpu_count()}, "one_draw_10_years": rows}
    path = Path(__file__).with_name("results.json")
    path.write_text(json.dumps(result, indent=2) + "\n")
    print(f"written {path}")


if __name__ == "__main__":
    main()

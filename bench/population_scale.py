"""Chance at the scale of the real population (run by `make bench` through bench_draw.py, and on its own):

1. `sd_table`: across-draw standard deviation of each criterion per region and year with central
   uncertainty (so draws differ by chance alone) at sample fractions 0.01, 0.05, 0.2 and 1.0;
   with the event totals at the population's scale (naerhed.health.hospital_use) the sd should not
   depend on the sample fraction.
2. `sources`: the sampling error of the expectations, by source. The sample's streams (who is
   in the sample and what happens to its composition) are common to every draw of a run
   (naerhed.streams); here one group of them at a time (chronic incidence, demographic events, the
   base population: who is sampled, their municipality, chronic states and frailty) is made to vary
   with the draw, the hospital-use events held at draw 0, so the across-draw sd is what that source
   of the sample's composition would add if it were drawn anew (conditional on the others); `events`:
   the hospital-use events alone (the chance that a run's draws show, at the population's scale).

3. `risk`: the risk figures of whole runs (pipeline, financing, sampling error from 8 replicate
   samples) at each sample fraction against the full population's (the last fraction, 1.0): the
   largest gap of P(criterion met), P(full payout) and the expected repayment in units of the
   combined standard error, and the largest sampling error.

    PYTHONPATH=model python bench/population_scale.py sources 0.01 200 [out.json]
    PYTHONPATH=model python bench/population_scale.py sd 0.01:400,0.05:200,0.2:100,1.0:40 [out.json]
    PYTHONPATH=model python bench/population_scale.py risk 0.01:200,0.05:100,0.2:50,1.0:40 [out.json]
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

from naerhed.constants import N_AGE_GROUPS, N_REGIONS
from naerhed.engine import simulate_draw
from naerhed.financing.criteria import REGISTRY
from naerhed.health.hospital_use import Q
from naerhed.inputs import load_inputs
from naerhed.pipeline import run_dataset
from naerhed.run_spec import RunSpec
from naerhed.scenario import Scenario
from naerhed.streams import SAMPLE_KEY, RandomStreams

BASE_YEAR, END_YEAR = 2019, 2022  # periods 2019, 2020, 2021
MEASURED = [c for c in REGISTRY.values() if c.measured]

#: Stream groups by the decision name's prefix (naerhed.streams): the source of chance each stands for.
SOURCES = {
    "events": ("use:",),
    "chronic_incidence": ("chronic_incidence:",),
    "demography": ("death", "birth", "newborn_death", "migration:", "alignment:", "frailty:new"),
    "base_population": ("synthesis", "municipality", "chronic_initial:", "frailty:base"),
}
SOURCES["whole_sample"] = tuple(p for name in ("chronic_incidence", "demography", "base_population") for p in SOURCES[name])


def region_criteria(hospital: np.ndarray, municipality_region: np.ndarray) -> np.ndarray:
    """Criteria [period, criterion, region] from hospital totals [period, quantity, municipality × age group]."""
    periods, n_q, _ = hospital.shape
    by_mun = hospital.reshape(periods, n_q, -1, N_AGE_GROUPS).sum(axis=3)
    by_region = np.zeros((periods, n_q, N_REGIONS))
    for m, r in enumerate(municipality_region):
        by_region[:, :, r] += by_mun[:, :, m]
    return np.stack([c.value(lambda name: by_region[:, Q[name]]) for c in MEASURED], axis=1)


def criteria_draws(inputs, fraction: float, draws: int, seed: int = 11, varying: str | None = None) -> np.ndarray:
    """Criteria [draw, period, criterion, region] of `draws` central draws; `varying`: only that
    source's streams vary with the draw (the others are those of draw 0)."""
    original = RandomStreams.generator
    current = {"draw": 0}
    if varying is not None:
        prefixes = SOURCES[varying]

        def generator(self, decision, year):
            varies = decision.startswith(prefixes)
            key = current["draw"] if varies else (SAMPLE_KEY if self.draw == SAMPLE_KEY else 0)
            return original(RandomStreams(self.seed, key), decision, year)

        RandomStreams.generator = generator
    try:
        # chance of the sample and the events only: no year shocks (they do not depend on the sample)
        spec = RunSpec(inputs=inputs, end_year=END_YEAR, sample_fraction=fraction, seed=seed, central=True,
                       shock_scale=0.0)
        mr = inputs.demography.municipality_region
        out = []
        for d in range(draws):
            current["draw"] = d
            out.append(region_criteria(simulate_draw(spec, d).hospital, mr))
        return np.stack(out)
    finally:
        RandomStreams.generator = original


def default_inputs():
    return load_inputs(Scenario.model_validate({"name": "population-scale", "population": {"base_year": BASE_YEAR}}))


def summary(values: np.ndarray) -> dict:
    """Relative sd (sd / mean, %) of the level [period, criterion, region] and sd of the year-to-year
    relative change (%), each with the standard error of an sd from n draws (sd / sqrt(2 (n - 1)))."""
    n = values.shape[0]
    level = values.std(axis=0, ddof=1) / values.mean(axis=0) * 100
    change = (values[:, 1:] / values[:, :-1] - 1).std(axis=0, ddof=1) * 100
    return {"draws": n, "level_cv_pct": level.tolist(), "change_sd_pct": change.tolist(),
            "relative_se_of_sd": 1 / np.sqrt(2 * (n - 1))}


def sources(fraction: float, draws: int) -> dict:
    inputs = default_inputs()
    out = {"sample_fraction": fraction, "years": [BASE_YEAR, END_YEAR - 1],
           "criteria": [c.name for c in MEASURED]}
    for source in (None, *SOURCES):
        t0 = time.perf_counter()
        out[source or "all"] = summary(criteria_draws(inputs, fraction, draws, varying=source))
        print(f"{source or 'all':<18} {time.perf_counter() - t0:6.1f} s", flush=True)
    return out


def sd_table(fractions: list[float], draws: dict[float, int]) -> dict:
    inputs = default_inputs()
    out = {"years": [BASE_YEAR, END_YEAR - 1], "criteria": [c.name for c in MEASURED], "by_fraction": {}}
    for f in fractions:
        t0 = time.perf_counter()
        out["by_fraction"][str(f)] = summary(criteria_draws(inputs, f, draws[f]))
        out["by_fraction"][str(f)]["seconds"] = time.perf_counter() - t0
        print(f"sample fraction {f}: {draws[f]} draws, {time.perf_counter() - t0:6.1f} s", flush=True)
    return out


RISK_FIGURES = ("p_met", "p_full_payout", "expected_repayment_dkk")


def risk_table(fractions: list[float], draws: dict[float, int], seed: int = 11) -> dict:
    """Risk figures [assessed year, region(, criterion)] with their standard errors at each fraction, and
    each fraction's largest gap to the last (full population) in combined standard errors."""
    runs = {}
    for f in fractions:
        scenario = Scenario.model_validate({"name": "population-scale", "population": {"base_year": BASE_YEAR,
                                            "sample_fraction": f, "sample_replicates": 8},
                                            "uncertainty": "central", "draws": draws[f], "seed": seed,
                                            "end_year": END_YEAR})
        t0 = time.perf_counter()
        ds = run_dataset(RunSpec.from_scenario(scenario, load_inputs(scenario)))
        runs[f] = {name: {"value": ds[f"risk_{name}"].values.tolist(), "se": ds[f"risk_{name}_se"].values.tolist(),
                          "sample_se": (ds[f"risk_{name}_sample_se"].values.tolist()
                                        if f"risk_{name}_sample_se" in ds else None)} for name in RISK_FIGURES}
        runs[f]["seconds"] = time.perf_counter() - t0
        print(f"sample fraction {f}: {draws[f]} draws, {runs[f]['seconds']:6.1f} s", flush=True)
    full = runs[fractions[-1]]
    out = {"fractions": fractions, "draws": draws, "runs": {str(f): r for f, r in runs.items()}, "gap_in_se": {}}
    for f in fractions[:-1]:
        out["gap_in_se"][str(f)] = {}
        for name in RISK_FIGURES:
            a, b = np.array(runs[f][name]["value"], float), np.array(full[name]["value"], float)
            se = np.hypot(np.array(runs[f][name]["se"], float), np.array(full[name]["se"], float))
            gap = np.abs(a - b)
            with np.errstate(divide="ignore", invalid="ignore"):
                z = np.where(gap == 0, 0.0, gap / se)
            sampling = runs[f][name]["sample_se"]
            out["gap_in_se"][str(f)][name] = {"largest_gap_in_se": float(np.nanmax(z)),
                                              "largest_gap": float(np.nanmax(gap)),
                                              "largest_sample_se": float(np.nanmax(sampling)) if sampling else 0.0}
    return out


def print_table(result: dict, key: str, rows: list[str]) -> None:
    """Mean over regions of `key` [period, criterion, region] (last period for levels), per row."""
    names = result["criteria"]
    print(f"{'':<18}" + "".join(f"{n[:22]:>24}" for n in names))
    for row in rows:
        entry = result[row] if row in result else result["by_fraction"][row]
        a = np.array(entry[key])[-1]
        print(f"{row:<18}" + "".join(f"{np.mean(a[c]):>12.3f} ({np.min(a[c]):.2f}-{np.max(a[c]):.2f})"
                                        for c in range(len(names))))


if __name__ == "__main__":
    what = sys.argv[1]
    if what == "sources":
        res = sources(float(sys.argv[2]), int(sys.argv[3]))
        for key in ("level_cv_pct", "change_sd_pct"):
            print(key, "(last period; mean over regions, min-max)")
            print_table(res, key, ["all", *SOURCES])
    elif what == "risk":
        pairs = [x.split(":") for x in sys.argv[2].split(",")]
        res = risk_table([float(f) for f, _ in pairs], {float(f): int(n) for f, n in pairs})
        for f, figures in res["gap_in_se"].items():
            print(f"sample fraction {f} against {pairs[-1][0]}: " + "; ".join(
                f"{name}: gap {v['largest_gap']:.3g} = {v['largest_gap_in_se']:.2f} se, sampling se up to {v['largest_sample_se']:.3g}"
                for name, v in figures.items()))
    else:
        pairs = [x.split(":") for x in sys.argv[2].split(",")]
        res = sd_table([float(f) for f, _ in pairs], {float(f): int(n) for f, n in pairs})
        for key in ("level_cv_pct", "change_sd_pct"):
            print(key)
            print_table(res, key, [str(float(f)) for f, _ in pairs])
    if len(sys.argv) > 4 or (what in ("sd", "risk") and len(sys.argv) > 3):  # the JSON file asked for
        Path(sys.argv[-1]).write_text(json.dumps(res, indent=1) + "\n")

"""The run pipeline, the one place where a run's draws become its Dataset: every draw of a run
specification on an executor → labelled Dataset (naerhed.results.to_dataset) → payout and risk under
the rule sets (naerhed.results.add_financing). `naerhed run`, `compare`, the interventions'
leave-one-out contributions and every sweep point go through `run_dataset`.

The run's draws all simulate one sample of the population (naerhed.streams); `run_dataset` also
simulates `spec.sample_replicates` further samples once each (central parameters, expected hospital
use). Their expected criteria adjust the draws' regional criteria (naerhed.results.sample_adjustment:
the samples' mean in place of the one sample's expectation, and the composition's chance at the
population's scale) and give every risk figure its sampling error."""

from __future__ import annotations

from dataclasses import replace
from functools import partial
from typing import Callable

import xarray as xr

from .engine import DrawResult, simulate_draw
from .executors import Executor, SerialExecutor
from .results import add_financing, adjust_for_samples, replicate_criteria, to_dataset
from .run_spec import RunSpec

#: progress(years): called as simulated draw-years are done (years: how many were just finished).
Progress = Callable[[int], None]


def draw_reporting_years(spec: RunSpec, progress: Progress, draw: int) -> DrawResult:
    """One draw that calls progress(1) after each simulated year."""
    return simulate_draw(spec, draw, on_year=lambda year: progress(1))


def run_draws(spec: RunSpec, executor: Executor | None = None, progress: Progress | None = None) -> list[DrawResult]:
    """Every draw of `spec`, in draw order, on `executor` (default: this process). Progress is reported
    after each simulated year where the executor runs tasks in this process, else after each draw."""
    executor = SerialExecutor() if executor is None else executor
    draws = list(range(spec.draws))
    if progress is not None and executor.reports_within_task:
        return executor.map(partial(draw_reporting_years, spec, progress), draws)
    on_done = None if progress is None else (lambda k: progress(spec.n_years))
    return executor.map(partial(simulate_draw, spec), draws, on_done)


def sample_draw(spec: RunSpec) -> DrawResult:
    """The one draw of a replicate sample's run specification."""
    return simulate_draw(spec, 0)


def replicate_specs(spec: RunSpec) -> list[RunSpec]:
    """The run's own sample (first) and its replicate samples, one central draw each with the expected
    hospital use and no year shocks; none when the run asks for no replicates."""
    return [replace(spec, sample=r, central=True, chance=False, shock_scale=0.0, draws=1, sample_replicates=0)
            for r in range(spec.samples)]


def run_dataset(spec: RunSpec, executor: Executor | None = None, progress: Progress | None = None) -> xr.Dataset:
    """The run's Dataset with financing: its draws (run_draws), stacked and labelled, with payout and
    risk metrics under its rule sets, each with its Monte Carlo and sampling error."""
    ds = to_dataset(run_draws(spec, executor, progress), spec)
    samples = replicate_specs(spec)
    perturbations = None
    if samples:
        executor = SerialExecutor() if executor is None else executor
        on_done = None if progress is None else (lambda k: progress(spec.n_years))
        replicates = replicate_criteria(executor.map(sample_draw, samples, on_done), spec)
        ds, perturbations = adjust_for_samples(ds, replicates, spec.sample_fraction)
    return add_financing(ds, spec, perturbations)

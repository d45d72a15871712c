"""The engine: one Monte Carlo draw, and all draws of a run.

A draw synthesizes the base population and projects it year by year; only aggregates are kept per
year (persons by region × sex × age on 1 January and the year's events), so memory stays
O(population) whatever the number of years. Each draw has its own random streams (seed, draw), so
results do not depend on how many draws run or in which order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .constants import N_AGES, N_REGIONS
from .demography import step_year
from .inputs import Inputs
from .population import synthesize
from .streams import RandomStreams

EVENT_NAMES = ("deaths", "births", "immigrants", "emigrants")


@dataclass
class DrawResult:
    """Aggregates of one draw: population [year, region, sex, age] on 1 January of base..end year
    (weighted persons); events name → [period, region, sex] for calendar years base..end-1."""

    population: np.ndarray
    events: dict[str, np.ndarray]


def simulate_draw(inputs: Inputs, end_year: int, sample_fraction: float, seed: int, draw: int,
                  on_year: Callable[[int], None] | None = None) -> DrawResult:
    """Project one draw from the base year to 1 January of `end_year`."""
    streams = RandomStreams(seed, draw)
    demo = inputs.demography
    pop = synthesize(inputs.base_counts, sample_fraction, inputs.base_year, streams,
                     demo.municipality_region, demo.municipality_population)
    n_years = end_year - inputs.base_year + 1
    population = np.zeros((n_years, N_REGIONS, 2, N_AGES))
    events = {name: np.zeros((n_years - 1, N_REGIONS, 2)) for name in EVENT_NAMES}
    population[0] = pop.counts()
    for i in range(1, n_years):
        year_events = step_year(pop, demo, streams)
        for name in EVENT_NAMES:
            events[name][i - 1] = getattr(year_events, name)
        population[i] = pop.counts()
        if on_year is not None:
            on_year(pop.year)
    return DrawResult(population=population, events=events)


def run_draws(inputs: Inputs, end_year: int, sample_fraction: float, seed: int, draws: int,
              on_year: Callable[[int, int], None] | None = None) -> list[DrawResult]:
    """All draws, serially; `on_year(draw, year)` is called after each simulated year (progress)."""
    results = []
    for d in range(draws):
        callback = None if on_year is None else (lambda year, d=d: on_year(d, year))
        results.append(simulate_draw(inputs, end_year, sample_fraction, seed, d, callback))
    return results

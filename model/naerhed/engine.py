"""The engine: one Monte Carlo draw of a run (naerhed.pipeline runs all draws of a run).

A draw samples its uncertain parameters, synthesizes the base population (with chronic states and
frailty), calibrates hospital use to the targets of the calibration year (naerhed.health.calibration:
anchored in that year, on the draw's own projection), and projects year by year:
deaths decided → new chronic cases → hospital use of everybody alive on 1 January (the dying in
their last year of life) → deaths removed, births, ageing, migration → new persons get chronic
states and frailty. Only aggregates are kept per year (persons by region × sex × age, events, and
hospital-use totals by municipality × age group), so memory stays O(population) whatever the
number of years. The simulated sample (who is in it, chronic states, frailty, deaths, births,
migration, intervention participation) comes from the run's sample streams, the same in every draw;
each draw has its own streams (seed, draw) for the chance of hospital events and its parameters
(naerhed.streams), so results do not depend on how many draws run or in which order, and the
spread across draws is that of the modelled world, not of the sample size.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from .constants import N_AGE_GROUPS, N_AGES, N_REGIONS
from .demography.cohort_component import complete_year, death_probability, decide_deaths
from .health.calibration import calibrate_in_year
from .health.chronic import DIABETES_T1, DIABETES_T2, KOL, has_chronic
from .health.hospital_use import QUANTITIES, cell_totals, simulate_use
from .health.year_shocks import cumulative_shocks
from .interventions.mechanism import draw_interventions, year_modifier
from .population import synthesize
from .run_spec import RunSpec
from .streams import RandomStreams

EVENT_NAMES = ("deaths", "births", "immigrants", "emigrants")


@dataclass
class DrawResult:
    """Aggregates of one draw.

    population [year, region, sex, age]: weighted persons on 1 January of base..end year;
    events name → [period, region, sex] for calendar years base..end-1;
    hospital [period, quantity, municipality × age group]: hospital-use totals (QUANTITIES);
    chronic_persons [year, region, condition]: weighted persons with KOL, diabetes type 1, type 2;
    region_scale [measure + price, region]: the calibration multipliers; trend [measure];
    inputs_met: whether each scenario-input criterion (e.g. 5, digital solutions) is met in this draw;
    participants, intervention_cost_dkk [period, intervention, region]: persons covered and cost;
    intervention_effects: the effects sampled for each intervention in this draw;
    calibration_targets [criterion, region]: the base-year criterion levels sampled in this draw;
    year_shocks [period, measure + price, region]: the cumulated year shocks (log multipliers of the
    region scales, naerhed.health.year_shocks) of each calendar year.
    """

    population: np.ndarray
    events: dict[str, np.ndarray]
    hospital: np.ndarray
    chronic_persons: np.ndarray
    region_scale: np.ndarray
    trend: np.ndarray
    inputs_met: dict[str, bool]
    participants: np.ndarray
    intervention_cost_dkk: np.ndarray
    intervention_effects: list[dict]
    calibration_targets: np.ndarray
    year_shocks: np.ndarray


def simulate_draw(spec: RunSpec, draw: int, on_year: Callable[[int], None] | None = None) -> DrawResult:
    """Project draw number `draw` of the run `spec` from the base year to 1 January of its end year;
    `on_year(year)` after each simulated year (year: the 1 January reached)."""
    inputs, end_year, sample_fraction, seed, central = (spec.inputs, spec.end_year, spec.sample_fraction, spec.seed,
                                                        spec.central)
    streams = RandomStreams(seed, draw)  # the draw's chance of hospital events
    sample = RandomStreams.of_sample(seed, spec.sample)  # the sample's composition: the same in every draw
    demo, health = inputs.demography, inputs.health
    parameters = health.draw(seed, draw, central)
    pop = synthesize(inputs.base_counts, sample_fraction, inputs.base_year, sample,
                     demo.municipality_region, demo.municipality_population)
    health.initialise(pop, 0, sample, inputs.base_year, "frailty:base")
    region_scale = calibrate_in_year(health, demo, pop, sample, parameters.targets, parameters.trend,
                                     health.calibration_year)

    n_years = end_year - inputs.base_year + 1
    year_shocks = cumulative_shocks(inputs.year_shocks, seed, draw, health.calibration_year,
                                    range(inputs.base_year, end_year), spec.shock_scale)
    shock_multiplier = np.exp(year_shocks)
    n_municipalities = demo.municipality_region.size
    drawn = draw_interventions(inputs.interventions, seed, draw, central)
    participants = np.zeros((n_years - 1, len(drawn), N_REGIONS))
    costs = np.zeros_like(participants)
    population = np.zeros((n_years, N_REGIONS, 2, N_AGES))
    events = {name: np.zeros((n_years - 1, N_REGIONS, 2)) for name in EVENT_NAMES}
    hospital = np.zeros((n_years - 1, len(QUANTITIES), n_municipalities * N_AGE_GROUPS))
    chronic_persons = np.zeros((n_years, N_REGIONS, 3))
    population[0] = pop.counts()
    chronic_persons[0] = chronic_counts(pop)
    for i in range(1, n_years):
        year = pop.year
        dying_probability = death_probability(pop, demo, health.mortality_multiplier(pop))
        dies = decide_deaths(pop, demo, sample, probability=dying_probability)
        pop.chronic, _ = health.chronic.apply_incidence(pop.chronic, pop.age, pop.sex, pop.id, pop.next_id, sample, year)
        modify = None
        if drawn:
            modify = year_modifier(drawn, pop, health.use, sample, year, participants[i - 1], costs[i - 1])
        use = simulate_use(health.use, pop, dies, region_scale * shock_multiplier[i - 1], parameters.trend, streams,
                           year, modify, dying_probability)
        hospital[i - 1] = cell_totals(pop, dies, has_chronic(pop.chronic), use, n_municipalities,
                                      health.use.repeated_threshold, spec.chance)
        first_new_id = pop.next_id
        year_events = complete_year(pop, demo, sample, dies)
        health.initialise(pop, int(np.searchsorted(pop.id, first_new_id)), sample, year, "frailty:new")
        for name in EVENT_NAMES:
            events[name][i - 1] = getattr(year_events, name)
        population[i] = pop.counts()
        chronic_persons[i] = chronic_counts(pop)
        if on_year is not None:
            on_year(pop.year)
    return DrawResult(population=population, events=events, hospital=hospital, chronic_persons=chronic_persons,
                      region_scale=region_scale, trend=parameters.trend,
                      inputs_met=parameters.inputs_met, participants=participants,
                      intervention_cost_dkk=costs, intervention_effects=[d.effects for d in drawn],
                      calibration_targets=parameters.targets, year_shocks=year_shocks)


def chronic_counts(pop) -> np.ndarray:
    """Weighted persons with each condition (KOL, diabetes type 1, type 2) by region [region, condition]."""
    out = np.zeros((N_REGIONS, 3))
    for c, bit in enumerate((KOL, DIABETES_T1, DIABETES_T2)):
        has = (pop.chronic & bit) > 0
        out[:, c] = np.bincount(pop.region[has], minlength=N_REGIONS) * pop.weight
    return out


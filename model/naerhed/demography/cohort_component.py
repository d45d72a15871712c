"""One projection year of the micro population, cohort-component style.

Order within calendar year y (population on 1 January y → 1 January y+1):
deaths (age on 1 January) → births (women alive, age on 1 January) → ageing by one year →
newborns join at age 0 (infant deaths before 1 January removed) → net migration, or alignment to
the projection, on ages at the end of the year. All decisions use common random numbers keyed by
person id (births and newborn deaths by the mother's id).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..constants import FEMALE, MAX_AGE, N_AGES, N_REGIONS
from ..population import Population
from ..streams import RandomStreams
from .alignment import alignment_change
from .fertility import FertilityModel, birth_probabilities
from .migration import MigrationModel, apply_net_change, regional_split
from .mortality import MortalityModel, death_hazards, newborn_death_probability


@dataclass
class Demography:
    """Everything the yearly demographic step needs. Projection: national persons [year, sex, age]
    on 1 January used for alignment (None: no alignment). fertility_region: multiplier of the
    national fertility rates per region [region] (None: 1 everywhere)."""

    mortality: MortalityModel
    fertility: FertilityModel
    migration: MigrationModel
    birth_share_male: float
    municipality_region: np.ndarray
    municipality_population: np.ndarray
    projection_years: np.ndarray | None = None
    projection: np.ndarray | None = None
    fertility_region: np.ndarray | None = None

    def projection_target(self, year: int) -> np.ndarray:
        """Projected national persons [sex, age] on 1 January of `year`."""
        if self.projection is None or year not in self.projection_years:
            raise ValueError(f"the projection table has no figures for {year}")
        return self.projection[int(np.searchsorted(self.projection_years, year))]


@dataclass
class YearEvents:
    """Events of one calendar year by [region, sex], in weighted persons.

    deaths include children born and dead in the same year; births are live births by the child's
    sex and the mother's region; immigrants/emigrants are the persons added/removed by net migration
    (or by alignment when it is on).
    """

    deaths: np.ndarray
    births: np.ndarray
    immigrants: np.ndarray
    emigrants: np.ndarray


def _by_region_sex(pop: Population, mask: np.ndarray, sex: np.ndarray | None = None) -> np.ndarray:
    """Weighted count of the masked persons by [region, sex]."""
    sex = pop.sex if sex is None else sex
    key = pop.region[mask].astype(np.int64) * 2 + sex[mask]
    return np.bincount(key, minlength=N_REGIONS * 2).reshape(N_REGIONS, 2) * pop.weight


def death_probability(pop: Population, demo: Demography, mortality_multiplier: np.ndarray | None = None) -> np.ndarray:
    """Each person's probability of dying during pop.year: the population hazard of their sex and age,
    times their own multiplier (e.g. excess mortality of chronic disease; None = 1)."""
    hazard = pop.by_sex_age(death_hazards(demo.mortality.rates(pop.year)))
    if mortality_multiplier is not None:
        hazard = hazard * mortality_multiplier
    return -np.expm1(-hazard)


def decide_deaths(pop: Population, demo: Demography, streams: RandomStreams,
                  mortality_multiplier: np.ndarray | None = None, probability: np.ndarray | None = None) -> np.ndarray:
    """Who dies during pop.year (boolean mask over persons; nobody is removed yet). `probability`:
    the persons' death probabilities if already computed (death_probability), else computed here."""
    u = streams.uniform_by_id("death", pop.year, pop.id, pop.next_id)
    return u < (death_probability(pop, demo, mortality_multiplier) if probability is None else probability)


def complete_year(pop: Population, demo: Demography, streams: RandomStreams, dies: np.ndarray) -> YearEvents:
    """Remove the persons who die, then births, ageing and net migration (or alignment); advances
    `pop` to 1 January of the next year, in place."""
    year = pop.year
    rates = demo.mortality.rates(year)
    deaths = _by_region_sex(pop, dies)
    pop.keep(~dies)

    birth_probability = np.zeros((2, N_AGES))
    birth_probability[FEMALE] = birth_probabilities(demo.fertility.rates(year))
    probability = pop.by_sex_age(birth_probability)
    if demo.fertility_region is not None:
        probability = np.minimum(probability * demo.fertility_region[pop.region], 1.0)
    gives_birth = streams.uniform_by_id("birth", year, pop.id, pop.next_id) < probability
    mother_ids = pop.id[gives_birth]
    child_sex = (streams.uniform_by_id("birth_sex", year, mother_ids, pop.next_id) >= demo.birth_share_male).astype(np.uint8)
    child_dies = streams.uniform_by_id("newborn_death", year, mother_ids, pop.next_id) < newborn_death_probability(rates)[child_sex]
    mother_region = pop.region[gives_birth]
    births = np.bincount(mother_region.astype(np.int64) * 2 + child_sex, minlength=N_REGIONS * 2).reshape(N_REGIONS, 2) * pop.weight
    deaths += np.bincount(mother_region[child_dies].astype(np.int64) * 2 + child_sex[child_dies],
                          minlength=N_REGIONS * 2).reshape(N_REGIONS, 2) * pop.weight

    pop.age_one_year(MAX_AGE)
    survives = ~child_dies
    pop.append({
        "age": np.zeros(int(survives.sum()), np.uint8),
        "sex": child_sex[survives],
        "region": mother_region[survives],
        "municipality": pop.municipality[gives_birth][survives],
    })

    counts = pop.counts()
    if demo.projection is not None:
        net = alignment_change(counts, demo.projection_target(year + 1))
        decision = "alignment"
    else:
        net = regional_split(demo.migration.national(year), counts)
        decision = "migration"
    change = apply_net_change(pop, net, streams, decision, year, demo.municipality_region, demo.municipality_population)
    pop.year = year + 1
    return YearEvents(deaths=deaths, births=births, immigrants=change.added, emigrants=change.removed)


def step_year(pop: Population, demo: Demography, streams: RandomStreams) -> YearEvents:
    """Advance `pop` from 1 January of pop.year to 1 January of the next year, in place (demography only)."""
    return complete_year(pop, demo, streams, decide_deaths(pop, demo, streams))

"""Net migration by region, sex and age, and how a net change in persons is applied to the micro population.

The national net migration (UN WPP 2024: totals by year, and a sex × single-age profile for 2023
onward) is distributed to regions in proportion to each region's population in the same sex × age
cell (assumption: no regional migration table was available; regional differences in migration are
left to alignment or to the user's own table). Years before the first profile year use that year's
profile scaled to the year's total.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..constants import N_AGES, N_REGIONS
from ..population import Population, draw_municipality, sample_cell_counts
from ..streams import RandomStreams


@dataclass
class MigrationModel:
    """National net migration: totals [year] (persons) and sex × age profiles [year, sex, age] (persons)."""

    total_years: np.ndarray
    totals: np.ndarray
    profile_years: np.ndarray
    profiles: np.ndarray
    scale: float = 1.0

    def national(self, year: int) -> np.ndarray:
        """Net migration [sex, age] in persons during calendar year `year` (age at the end of the year)."""
        row = int(np.clip(year - self.profile_years[0], 0, self.profile_years.size - 1))
        profile = self.profiles[row]
        if year in self.total_years and year not in self.profile_years:
            total = self.totals[int(np.searchsorted(self.total_years, year))]
            profile = profile * (total / profile.sum())
        return profile * self.scale


def regional_split(national: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Split a national [sex, age] quantity over regions in proportion to `counts` [region, sex, age];
    cells with nobody in them are split by the regions' shares of the total population."""
    cell_total = counts.sum(axis=0)
    fallback = counts.sum(axis=(1, 2)) / counts.sum()
    share = np.where(cell_total > 0, counts / np.where(cell_total > 0, cell_total, 1.0),
                     fallback[:, None, None])
    return share * national[None]


@dataclass
class NetChange:
    """Persons removed and added by one application of a net change, by [region, sex] (weighted)."""

    removed: np.ndarray
    added: np.ndarray


def apply_net_change(pop: Population, net: np.ndarray, streams: RandomStreams, decision: str, year: int,
                     municipality_region: np.ndarray, municipality_population: np.ndarray) -> NetChange:
    """Apply a net change `net` [region, sex, age] in real persons to the population.

    Negative cells remove persons: each person in the cell leaves with probability
    min(1, |net| / cell persons) (common random numbers per person id). Positive cells add
    floor(net/weight) simulated persons plus one with probability of the remainder; the new persons
    get the cell's region, sex and age and a municipality drawn by population share.
    """
    counts = pop.counts()
    cell = pop.cell()
    leave_share = np.where(net < 0, np.minimum(1.0, -net / np.where(counts > 0, counts, 1.0)), 0.0)
    leave = streams.uniform_by_id(decision + ":leave", year, pop.id, pop.next_id) < leave_share.reshape(-1)[cell]
    removed = np.bincount(cell[leave] // N_AGES, minlength=N_REGIONS * 2).reshape(N_REGIONS, 2) * pop.weight
    pop.keep(~leave)

    arriving = np.clip(net, 0.0, None).reshape(-1) / pop.weight
    n_new = sample_cell_counts(arriving, streams.uniform(decision + ":arrive", year, arriving.size))
    new_cells = np.repeat(np.arange(arriving.size), n_new)
    region, rest = np.divmod(new_cells, 2 * N_AGES)
    sex, age = np.divmod(rest, N_AGES)
    ids = np.arange(pop.next_id, pop.next_id + new_cells.size)
    municipality = draw_municipality(region, streams.uniform_by_id(decision + ":municipality", year, ids - pop.next_id,
                                                                   max(ids.size, 1)),
                                     municipality_region, municipality_population)
    pop.append({"age": age, "sex": sex, "region": region, "municipality": municipality})
    added = np.bincount(new_cells // N_AGES, minlength=N_REGIONS * 2).reshape(N_REGIONS, 2) * pop.weight
    return NetChange(removed=removed, added=added)

"""The synthetic individual-level population: a struct of numpy arrays, one element per simulated person.

Each simulated person stands for `weight` real persons (weight = 1 / sample fraction). Arrays are
kept in increasing id order: new persons (births, immigrants) get new, larger ids and are appended.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields

import numpy as np

from .constants import N_AGES, N_REGIONS
from .streams import RandomStreams

ID_DTYPE = np.int64


@dataclass
class Population:
    """Persons alive on 1 January of `year`.

    id: unique person id (never reused); age: completed years 0..MAX_AGE; sex: 0 male, 1 female;
    region: index 0-4 (DST 1081-1085); municipality: index into the scenario's municipality table;
    chronic: bit flags of chronic conditions (naerhed.health.chronic); frailty: persistent
    person-level multiplier of hospital use (mean 1; naerhed.health.frailty).
    weight: real persons represented by each simulated person; next_id: the id the next new person gets.
    """

    id: np.ndarray
    age: np.ndarray
    sex: np.ndarray
    region: np.ndarray
    municipality: np.ndarray
    chronic: np.ndarray
    frailty: np.ndarray
    weight: float
    year: int
    next_id: int
    _cell: tuple | None = field(default=None, repr=False, compare=False)

    @property
    def size(self) -> int:
        """Number of simulated persons."""
        return int(self.id.size)

    def person_arrays(self) -> dict[str, np.ndarray]:
        """The per-person arrays by name (everything of length `size`)."""
        return {f.name: getattr(self, f.name) for f in fields(self) if isinstance(getattr(self, f.name), np.ndarray)}

    def keep(self, mask: np.ndarray) -> None:
        """Remove every person where `mask` is False (deaths, emigration)."""
        for name, values in self.person_arrays().items():
            setattr(self, name, values[mask])
        self._cell = None

    def append(self, new: dict[str, np.ndarray]) -> np.ndarray:
        """Add persons given some of their attributes (arrays of equal length); attributes not given
        start at zero. Returns the new persons' ids."""
        n = len(next(iter(new.values())))
        ids = np.arange(self.next_id, self.next_id + n, dtype=ID_DTYPE)
        self.next_id += n
        new = {**new, "id": ids}
        for name, values in self.person_arrays().items():
            added = new[name].astype(values.dtype, copy=False) if name in new else np.zeros(n, values.dtype)
            setattr(self, name, np.concatenate([values, added]))
        self._cell = None
        return ids

    def cell(self) -> np.ndarray:
        """Each person's flat [region, sex, age] cell, (region * 2 + sex) * N_AGES + age (int64).
        Remembered until the persons or their ages change (keep, append, age_one_year)."""
        key = (self.year, self.size, self.next_id)
        if self._cell is None or self._cell[0] != key:
            self._cell = (key, (self.region.astype(np.int64) * 2 + self.sex) * N_AGES + self.age)
        return self._cell[1]

    def by_sex_age(self, table: np.ndarray) -> np.ndarray:
        """Each person's value of a [sex, age] table: one gather by cell (cheaper than table[sex, age])."""
        return np.tile(np.asarray(table).reshape(-1), N_REGIONS)[self.cell()]

    def age_one_year(self, max_age: int) -> None:
        """Everybody one year older (at most `max_age`), in place."""
        np.minimum(self.age + 1, max_age, out=self.age, casting="unsafe")
        self._cell = None

    def counts(self) -> np.ndarray:
        """Weighted persons by [region, sex, age] (float64)."""
        return np.bincount(self.cell(), minlength=N_REGIONS * 2 * N_AGES).reshape(N_REGIONS, 2, N_AGES) * self.weight


def sample_cell_counts(expected: np.ndarray, uniforms: np.ndarray) -> np.ndarray:
    """Integer counts with the given expectations: floor plus one with probability of the remainder."""
    base = np.floor(expected)
    return (base + (uniforms < expected - base)).astype(np.int64)


def draw_municipality(region: np.ndarray, uniforms: np.ndarray, municipality_region: np.ndarray,
                      municipality_population: np.ndarray) -> np.ndarray:
    """A municipality for each person of the given regions, in proportion to the municipalities'
    populations within the region (the same split for every age and sex: an assumption)."""
    result = np.zeros(region.size, dtype=np.uint16)
    order = np.argsort(municipality_region, kind="stable")
    for r in range(N_REGIONS):  # loop over 5 regions, not persons
        members = order[municipality_region[order] == r]
        share = municipality_population[members] / municipality_population[members].sum()
        edges = np.cumsum(share)
        edges[-1] = 1.0
        in_region = region == r
        pick = np.searchsorted(edges, uniforms[in_region], side="right")
        result[in_region] = members[np.minimum(pick, members.size - 1)]
    return result


def synthesize(counts: np.ndarray, sample_fraction: float, year: int, streams: RandomStreams,
               municipality_region: np.ndarray, municipality_population: np.ndarray) -> Population:
    """Build the base-year population from a [region, sex, age] table of persons (chronic states
    and frailty are set afterwards by naerhed.health).

    At sample fraction 1 every counted person is simulated; below 1 each cell gets floor(count·f)
    persons plus one with probability of the remainder (unbiased), each with weight 1/f.
    """
    if not 0 < sample_fraction <= 1:
        raise ValueError(f"sample_fraction must be in (0, 1], got {sample_fraction}")
    flat = counts.reshape(-1) * sample_fraction
    n_cell = sample_cell_counts(flat, streams.uniform("synthesis", year, flat.size))
    cells = np.repeat(np.arange(flat.size), n_cell)
    region, rest = np.divmod(cells, 2 * N_AGES)
    sex, age = np.divmod(rest, N_AGES)
    n = cells.size
    ids = np.arange(n, dtype=ID_DTYPE)
    municipality = draw_municipality(region, streams.uniform_by_id("municipality", year, ids, n),
                                     municipality_region, municipality_population)
    return Population(
        id=ids,
        age=age.astype(np.uint8),
        sex=sex.astype(np.uint8),
        region=region.astype(np.uint8),
        municipality=municipality,
        chronic=np.zeros(n, dtype=np.uint8),
        frailty=np.ones(n, dtype=np.float32),
        weight=1.0 / sample_fraction,
        year=year,
        next_id=n,
    )

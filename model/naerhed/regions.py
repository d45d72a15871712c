"""The region registry: which regions exist in which year, and which of the simulation's five
regions make up each (data/regions.csv, or the user's own file as a scenario's `data.regions`).

The simulation keeps its persons and municipalities in the five regions of 2007-2026 (the *base
regions*, naerhed.constants.REGION_CODES). A region formed by a reform is the union of whole base
regions (its `predecessors`, followed down to base regions): from 1 January 2027 Region Østdanmark
(Region of Eastern Denmark) = Hovedstaden + Sjælland (sundhedsreform, L 214, 2024-25). The financing
is assessed per region as it exists in each year; every quantity of a region is the sum of its base
regions' totals (persons, events, DKK), so its criteria are computed from summed totals, in every
year (the previous-year comparison of 2027 uses Østdanmark's combined 2026 level).

A run's `region` axis holds every region that exists in some year of the run (`RegionMap.axis`):
the five base regions (both views: history, and the old regions' criteria after a merger) and the
regions formed within the run's years. A territorial quantity summed over the whole axis would count
the merged territory twice: sum over the base regions (`national`) or over the regions of one year.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Mapping, Sequence

import numpy as np

from .constants import REGION_CODES, REGION_NAMES

if TYPE_CHECKING:
    import xarray as xr


@dataclass(frozen=True)
class RegionMap:
    """The regions of the registry in file order. `first_year` / `last_year`: the first and last
    calendar year the region exists (None: open); `members`: the base-region indices (0-4, the
    simulation's regions) whose union it is (a base region: itself)."""

    codes: tuple[int, ...]
    names: tuple[str, ...]
    names_da: tuple[str, ...]
    names_en: tuple[str, ...]
    first_year: tuple[int | None, ...]
    last_year: tuple[int | None, ...]
    members: tuple[tuple[int, ...], ...]

    def index(self, code: int) -> int:
        return self.codes.index(int(code))

    def name(self, code: int) -> str:
        return self.names[self.index(code)]

    def is_base(self, code: int) -> bool:
        """True for one of the simulation's five regions."""
        return int(code) in REGION_CODES

    def exists(self, code: int, year: int) -> bool:
        """Whether the region exists in calendar year `year` (on 1 January and through the year)."""
        i = self.index(code)
        first, last = self.first_year[i], self.last_year[i]
        return (first is None or year >= first) and (last is None or year <= last)

    def in_year(self, year: int) -> list[int]:
        """The codes of the regions that exist in `year`, in file order (they partition the country)."""
        return [code for code in self.codes if self.exists(code, year)]

    def axis(self, first_year: int, last_year: int) -> list[int]:
        """A run's region axis for the calendar years first_year..last_year: the five base regions,
        then every other region that exists in one of those years, in file order."""
        formed = [code for code in self.codes if not self.is_base(code)
                  and any(self.exists(code, y) for y in range(first_year, last_year + 1))]
        return list(REGION_CODES) + formed

    def member_codes(self, code: int) -> list[int]:
        """The base-region codes whose union the region is."""
        return [REGION_CODES[m] for m in self.members[self.index(code)]]

    def combined(self, values: Mapping[int, float], code: int) -> float:
        """A value by base-region code (e.g. a pool share) for region `code`: its own if given, else
        the sum over its base regions."""
        if int(code) in values:
            return float(values[int(code)])
        return float(sum(values[m] for m in self.member_codes(code)))

    def aggregate(self, array: np.ndarray, codes: Sequence[int], axis: int) -> np.ndarray:
        """`array` by base region (size 5 on `axis`) as the regions `codes`: each the sum of its base
        regions (a base region is taken as it is, bit for bit). Unit: as `array` (persons, events, DKK)."""
        parts = []
        for code in codes:
            members = list(self.members[self.index(code)])
            part = np.take(array, members[:1], axis=axis)
            for m in members[1:]:  # summed in base-region order: the order fixes the floating-point result
                part = part + np.take(array, [m], axis=axis)
            parts.append(part)
        return np.concatenate(parts, axis=axis)

    def exists_table(self, codes: Sequence[int], years: Sequence[int]) -> np.ndarray:
        """bool [year, region]: whether each region of `codes` exists in each calendar year."""
        return np.array([[self.exists(code, int(y)) for code in codes] for y in years], dtype=bool)


#: The five regions of 2007-2026 (the registry of a file without reforms).
BASE_REGIONS = RegionMap(codes=REGION_CODES, names=REGION_NAMES, names_da=tuple(f"Region {n}" for n in REGION_NAMES),
                         names_en=REGION_NAMES, first_year=(None,) * 5, last_year=(None,) * 5,
                         members=tuple((i,) for i in range(5)))


def base_codes(ds: xr.Dataset) -> list[int]:
    """The base regions (the simulation's five) on a run Dataset's region axis."""
    return [code for code in ds["region"].values.tolist() if int(code) in REGION_CODES]


def national(values: xr.DataArray) -> xr.DataArray:
    """A territorial quantity (persons, events, DKK by territory) summed over the whole country: over
    the base regions of its region axis (a formed region is their union and would count twice)."""
    codes = [code for code in values["region"].values.tolist() if int(code) in REGION_CODES]
    return values.sel(region=codes).sum("region")


def region_exists(ds: xr.Dataset, years) -> xr.DataArray:
    """bool (year, region) of a run Dataset: whether each region of its axis exists in each calendar
    year of `years` (the coordinate region_first_year / region_last_year, 0 for open; a Dataset
    without them has the five base regions in every year)."""
    import xarray as xr

    years = np.asarray(years)
    codes = ds["region"].values
    if "region_first_year" not in ds.coords:
        table = np.ones((years.size, codes.size), dtype=bool)
    else:
        first = ds["region_first_year"].values
        last = ds["region_last_year"].values
        table = ((first == 0) | (years[:, None] >= first)) & ((last == 0) | (years[:, None] <= last))
    return xr.DataArray(table, dims=("year", "region"), coords={"year": years, "region": codes})


def regions_of_year(ds: xr.Dataset, year: int) -> list[int]:
    """The codes of a run Dataset's region axis that exist in calendar year `year`."""
    exists = region_exists(ds, [year]).isel(year=0).values
    return [code for code, present in zip(ds["region"].values.tolist(), exists) if present]


def every_region_full(share_kept: xr.DataArray) -> np.ndarray:
    """float [draw]: 1 where every region that exists in the year keeps its full share (share_kept of
    one assessed year, (draw, region); NaN for a region that does not exist), else 0."""
    return ((share_kept >= 1 - 1e-9) | share_kept.isnull()).all("region").values.astype(float)

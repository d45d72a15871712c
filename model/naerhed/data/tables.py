"""Loaders of the population and demography tables (population, municipalities, mortality, fertility,
births, net migration, projection); the files and their columns are described in naerhed.data.registry.

Every loader takes an optional `path`: None means the packaged file; otherwise the user's own file in the
same long CSV format (the `status`, `source` and `note` columns are optional in a user's file). Every
problem with a file raises `naerhed.errors.DataError` with a message that names the file, the line and
column, and what is allowed. Parsed files are cached (keyed on path, modification time and size); the
loaders always return fresh copies of the arrays, so callers may modify them.

Array conventions (see naerhed.constants): region index 0-4 in DST order (1081..1085), sex 0 = male,
1 = female, age 0..110 where 110 is "110 and older".
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..constants import MAX_AGE, N_AGES, N_REGIONS, REGION_CODES, REGION_NAMES, SEXES
from ..errors import DataError
from ..limits import MAX_NET_MIGRATION, MAX_PERSONS_PER_REGION
from ..regions import RegionMap
from .files import check_data_file, ranges
from .reader import Table, axis_index, cached_build, frozen
from .registry import MIGRATION_MAX_AGE, SINGLE_AGE_MORTALITY_AGES, TABLES
from .statbank import read_folk1a


# ---------------------------------------------------------------------------------------------
# Result types
# ---------------------------------------------------------------------------------------------
@dataclass
class Municipalities:
    """Municipalities (kommuner, plus Christiansø) on 1 January of `year`, in file order."""

    names: list[str]
    region: np.ndarray  # int8, region index 0-4 of each municipality
    population: np.ndarray  # float64 persons
    year: int = 0


@dataclass
class MortalityAge5:
    """Deaths and person-years by year, sex and 5-year age group (last group open)."""

    years: np.ndarray  # int, (n_years,)
    age_lower: np.ndarray  # int, (n_groups,), e.g. 0, 5, ..., 95
    deaths: np.ndarray  # float64, (n_years, 2, n_groups)
    person_years: np.ndarray  # float64, (n_years, 2, n_groups)


@dataclass
class MortalitySingleAge:
    """Deaths and person-years by year, sex and single age 0..99 (99 = 99 and older)."""

    years: np.ndarray  # int, (n_years,)
    deaths: np.ndarray  # float64, (n_years, 2, 100)
    person_years: np.ndarray  # float64, (n_years, 2, 100)


@dataclass
class Fertility:
    """Age-specific fertility rates (births per woman per year) by year and age group."""

    years: np.ndarray  # int, (n_years,)
    age_lower: np.ndarray  # int, (n_groups,), e.g. 10, 15, ..., 50
    asfr: np.ndarray  # float64, (n_years, n_groups)
    tfr: np.ndarray  # float64, (n_years,)


def _by_year_sex(years: np.ndarray):
    """Labels of missing-row messages: "year 2019, male"."""
    return lambda idx: f"year {years[idx[0]]}, {SEXES[idx[1]]}"


# ---------------------------------------------------------------------------------------------
# Population by region, sex, age
# ---------------------------------------------------------------------------------------------
@cached_build(TABLES["population"], maxsize=16)
def population_by_year(table: Table) -> dict[int, np.ndarray]:
    """Persons [region, sex, age] (float64, read-only) on 1 January of every year of the file."""
    years, year_pos = axis_index(table["year"])
    cells = (year_pos, table["region_code"], table["sex"], table["age"])
    values = np.zeros((years.size, N_REGIONS, 2, N_AGES))
    filled = np.zeros(values.shape, dtype=bool)
    values[cells] = table["population"]
    filled[cells] = True
    for k, year in enumerate(years.tolist()):
        table.check_complete(
            filled[k],
            lambda idx, y=year: f"year {y}, region {REGION_CODES[idx[0]]} {REGION_NAMES[idx[0]]}, {SEXES[idx[1]]}",
            "ages",
        )
    return {year: frozen(values[k].copy()) for k, year in enumerate(years.tolist())}


def _looks_like_package_population(p: Path) -> bool:
    try:
        with open(p, "rb") as f:
            head = f.read(4096)
    except OSError as exc:
        raise DataError(f"{p}: cannot read file ({exc.strerror or exc})") from None
    text = head.decode("utf-8", errors="replace").lstrip("\ufeff")
    first = next((ln for ln in text.splitlines() if ln.strip()), "")
    cols = [c.strip().strip('"').lower() for c in first.split(",")]
    return bool({"region_code", "population", "year"} & set(cols))


def load_population(year: int, path=None) -> np.ndarray:
    """Population on 1 January of `year`: float64 array (5 regions, 2 sexes, 111 ages).

    `path` may be a file in this package's format (population_region_sex_age.csv) or a StatBank FOLK1A
    export (coded or labelled, see naerhed.data.statbank); the format is detected automatically.
    """
    p = population_by_year.file(path)
    check_data_file(p)
    data = population_by_year(path) if path is None or _looks_like_package_population(p) else read_folk1a(p)
    try:
        key = int(year)
    except (TypeError, ValueError):
        raise DataError(f"year must be a whole number, got {year!r}") from None
    if key not in data:
        raise DataError(f"{p}: no population for 1 January {key}; years available: {ranges(list(data))}")
    check_population_counts(data[key], p, key)
    return data[key].copy()


def check_population_counts(counts: np.ndarray, path: Path, year: int) -> None:
    """DataError unless every region has persons and none has more than MAX_PERSONS_PER_REGION
    (counts: persons [region, sex, age] on 1 January of `year`)."""
    totals = counts.sum(axis=(1, 2))
    if not totals.any():
        raise DataError(f"{path}: no persons at all on 1 January {year} (every count is 0)")
    empty = [f"Region {REGION_NAMES[r]}" for r in np.flatnonzero(totals <= 0)]
    if empty:
        raise DataError(f"{path}: no persons in {', '.join(empty)} on 1 January {year} (all its counts are 0); "
                        "every region needs its population")
    large = [f"Region {REGION_NAMES[r]} ({totals[r]:,.0f})" for r in np.flatnonzero(totals > MAX_PERSONS_PER_REGION)]
    if large:
        raise DataError(f"{path}: implausible population on 1 January {year}: {', '.join(large)} persons; at most "
                        f"{MAX_PERSONS_PER_REGION:,} persons a region (naerhed.limits.MAX_PERSONS_PER_REGION; "
                        "are the counts in the right unit?)")


# ---------------------------------------------------------------------------------------------
# Municipalities
# ---------------------------------------------------------------------------------------------
@cached_build(TABLES["municipalities"])
def _municipalities_by_year(table: Table) -> dict[int, tuple]:
    """{year: (names, region index int8, persons float64)} in file order within each year."""
    out = {}
    for year in dict.fromkeys(table["year"].tolist()):
        rows = table["year"] == year
        out[year] = (tuple(table["municipality"][rows].tolist()), frozen(table["region_code"][rows]),
                     frozen(table["population"][rows]))
    return out


def municipality_years(path=None) -> list[int]:
    """The years of the municipality table (packaged: 2022-2024)."""
    return sorted(_municipalities_by_year(path))


def nearest_municipality_year(year: int, path=None) -> int:
    """The municipality table's year closest to `year` (ties: the later year)."""
    return min(municipality_years(path), key=lambda y: (abs(y - int(year)), -y))


def load_municipalities(year: int = 2022, path=None) -> Municipalities:
    """Population of the 98 municipalities (kommuner) and Christiansø on 1 January of `year`."""
    p = _municipalities_by_year.file(path)
    data = _municipalities_by_year(path)
    if int(year) not in data:
        raise DataError(f"{p}: no municipality population for {year}; years available: {ranges(list(data))}")
    names, region, pop = data[int(year)]
    return Municipalities(names=list(names), region=region.copy(), population=pop.copy(), year=int(year))


# ---------------------------------------------------------------------------------------------
# Mortality
# ---------------------------------------------------------------------------------------------
@cached_build(TABLES["mortality_age5"])
def _mortality_age5(table: Table):
    years, year_pos = axis_index(table["year"])
    groups, group_pos = axis_index(table["age_lower"])
    if groups[0] != 0:
        raise DataError(f"{table.path}: column 'age_lower': the first age group must start at 0, found {groups[0]}")
    cells = (year_pos, table["sex"], group_pos)
    deaths = np.zeros((years.size, 2, groups.size))
    person_years = np.zeros_like(deaths)
    filled = np.zeros(deaths.shape, dtype=bool)
    deaths[cells], person_years[cells], filled[cells] = table["deaths"], table["person_years"], True
    table.check_complete(filled, _by_year_sex(years), "age_lower", values=groups)
    return frozen(years, groups, deaths, person_years)


def load_mortality_age5(path=None) -> MortalityAge5:
    """Deaths and person-years by year, sex and 5-year age group (packaged: DODC1/FOLK1A 2008-2022, FOD207 2023-2024)."""
    years, groups, deaths, py = _mortality_age5(path)
    return MortalityAge5(years=years.copy(), age_lower=groups.copy(), deaths=deaths.copy(), person_years=py.copy())


@cached_build(TABLES["mortality_single_age"])
def _mortality_single_age(table: Table):
    years, year_pos = axis_index(table["year"])
    cells = (year_pos, table["sex"], table["age"])
    deaths = np.zeros((years.size, 2, SINGLE_AGE_MORTALITY_AGES))
    person_years = np.zeros_like(deaths)
    filled = np.zeros(deaths.shape, dtype=bool)
    deaths[cells], person_years[cells], filled[cells] = table["deaths"], table["person_years"], True
    table.check_complete(filled, _by_year_sex(years), "ages")
    return frozen(years, deaths, person_years)


def load_mortality_single_age(path=None) -> MortalitySingleAge:
    """Deaths and person-years by year, sex and single age 0..99 (99 = 99+; packaged: Epi M.dk 2003-2012)."""
    years, deaths, py = _mortality_single_age(path)
    return MortalitySingleAge(years=years.copy(), deaths=deaths.copy(), person_years=py.copy())


# ---------------------------------------------------------------------------------------------
# Fertility and births
# ---------------------------------------------------------------------------------------------
@cached_build(TABLES["fertility"])
def _fertility(table: Table):
    years, year_pos = axis_index(table["year"])
    groups, group_pos = axis_index(table["age_lower"])
    asfr = np.zeros((years.size, groups.size))
    filled = np.zeros(asfr.shape, dtype=bool)
    asfr[year_pos, group_pos], filled[year_pos, group_pos] = table["asfr"], True
    if table.has("tfr"):  # one TFR per year, the same on each of its rows
        first_row = np.unique(year_pos, return_index=True)[1]
        tfr = table["tfr"][first_row]
        given = table["tfr"]
        differs = np.abs(tfr[year_pos] - given) > 1e-9 * np.maximum(1.0, given)
        if differs.any():
            i = int(np.argmax(differs))
            raise table.error(int(table.lines[i]), "tfr", f"tfr {given[i].item()} differs from {tfr[year_pos[i]].item()} "
                                                         f"on another row of year {years[year_pos[i]]}")
    table.check_complete(filled, lambda idx: f"year {years[idx[0]]}", "age_lower", values=groups)
    if not table.has("tfr"):
        widths = np.diff(groups, append=groups[-1] + (groups[-1] - groups[-2] if len(groups) > 1 else 5))
        tfr = asfr @ widths.astype(float)
    return frozen(years, groups, asfr, tfr)


def load_fertility(path=None) -> Fertility:
    """Age-specific fertility rates (births per woman per year) and TFR by year (packaged: UN WPP 2024)."""
    years, groups, asfr, tfr = _fertility(path)
    return Fertility(years=years.copy(), age_lower=groups.copy(), asfr=asfr.copy(), tfr=tfr.copy())


@cached_build(TABLES["fertility_region"])
def _fertility_region(table: Table):
    factor = np.zeros(N_REGIONS)
    filled = np.zeros(N_REGIONS, dtype=bool)
    factor[table["region_code"]], filled[table["region_code"]] = table["factor"], True
    table.check_complete(filled, lambda idx: "the regions", "region_code", values=np.array(REGION_CODES))
    return frozen(factor)


def load_fertility_region(path=None) -> np.ndarray:
    """Fertility factor per region (multiplier of the national rates), float64 [region]; packaged:
    published 2021 births by region over those the national rates give (derived)."""
    return _fertility_region(path).copy()


@cached_build(TABLES["births_by_sex"])
def _birth_share_male(table: Table) -> float:
    boys = girls = 0.0
    for male, female in zip(table["births_male"].tolist(), table["births_female"].tolist()):  # summed in file order
        boys += male
        girls += female
    if boys + girls <= 0:
        raise DataError(f"{table.path}: no births in the file (need at least one row with births_male + births_female > 0)")
    return boys / (boys + girls)


def load_birth_share_male(path=None) -> float:
    """Share of boys among live births, pooled over all years of the table (packaged: 2002-2018)."""
    return _birth_share_male(path)


# ---------------------------------------------------------------------------------------------
# Migration and projection
# ---------------------------------------------------------------------------------------------
@cached_build(TABLES["net_migration_total"])
def _net_migration_total(table: Table):
    _check_net_migration(table)
    order = np.argsort(table["year"], kind="stable")
    return frozen(table["year"][order], table["net_migration_persons"][order])


def _check_net_migration(table: Table) -> None:
    """Each net migration (persons a year) within +- MAX_NET_MIGRATION."""
    values = table["net_migration_persons"]
    for i in np.flatnonzero(np.abs(values) > MAX_NET_MIGRATION):
        raise table.error(int(table.lines[i]), "net_migration_persons", (
            f"net migration {values[i]:,.0f} persons a year is implausible; allowed: between {-MAX_NET_MIGRATION:,} "
            f"and {MAX_NET_MIGRATION:,} (naerhed.limits.MAX_NET_MIGRATION)"))


def load_net_migration_total(path=None) -> tuple[np.ndarray, np.ndarray]:
    """Net migration (persons, immigrants minus emigrants) by year: (years, persons)."""
    years, persons = _net_migration_total(path)
    return years.copy(), persons.copy()


def _by_year_sex_age(table: Table, value_column: str, required_max_age: int):
    """(years, values [year, sex, age 0..MAX_AGE]); every year and sex needs ages 0..required_max_age,
    ages above it are zero unless the file gives them."""
    years, year_pos = axis_index(table["year"])
    cells = (year_pos, table["sex"], table["age"])
    values = np.zeros((years.size, 2, N_AGES))
    filled = np.zeros(values.shape, dtype=bool)
    values[cells], filled[cells] = table[value_column], True
    table.check_complete(filled[:, :, : required_max_age + 1], _by_year_sex(years), "ages")
    return frozen(years, values)


@cached_build(TABLES["net_migration_sex_age"])
def _net_migration_sex_age(table: Table):
    return _by_year_sex_age(table, "net_migration_persons", MIGRATION_MAX_AGE)


def load_net_migration_sex_age(path=None) -> tuple[np.ndarray, np.ndarray]:
    """Net migration by year, sex and age: (years, persons (n_years, 2, 111)); ages 0..100 required,
    ages 101..110 are zero unless the file gives them (packaged: UN WPP 2024 projection 2023-2060)."""
    years, values = _net_migration_sex_age(path)
    return years.copy(), values.copy()


@cached_build(TABLES["projection"])
def _projection(table: Table):
    return _by_year_sex_age(table, "population", MAX_AGE)


def load_projection(path=None) -> tuple[np.ndarray, np.ndarray]:
    """National population projection on 1 January: (years, persons (n_years, 2, 111));
    packaged: DST FRDK118 (2018 vintage), 2018-2060."""
    years, values = _projection(path)
    return years.copy(), values.copy()


# ---------------------------------------------------------------------------------------------
# The region registry
# ---------------------------------------------------------------------------------------------
_REGISTRY_YEARS = range(2007, 2101)  # the years in which the regions must partition the country


@cached_build(TABLES["regions"])
def _regions(table: Table) -> RegionMap:
    codes = [int(c) for c in table["region_code"].tolist()]
    lines = [int(line) for line in table.lines.tolist()]

    def year(column: str, i: int) -> int | None:
        text = str(table[column][i]) if table.has(column) else ""
        if not text:
            return None
        if not text.isdigit() or not 2007 <= int(text) <= 2100:
            raise table.error(lines[i], column, f"{text!r} is not a year between 2007 and 2100 (or empty: open)")
        return int(text)

    first = [year("first_year", i) for i in range(len(codes))]
    last = [year("last_year", i) for i in range(len(codes))]
    predecessors: list[list[int]] = []
    for i, code in enumerate(codes):
        words = str(table["predecessors"][i]).replace(",", " ").split() if table.has("predecessors") else []
        if any(not w.isdigit() or int(w) not in codes or int(w) == code for w in words):
            raise table.error(lines[i], "predecessors", f"{' '.join(words)!r}: each predecessor must be the code of "
                              f"another region of the file ({', '.join(map(str, codes))}), separated by spaces")
        if (code in REGION_CODES) == bool(words):
            raise table.error(lines[i], "predecessors", f"region {code}: the five regions the model simulates "
                              f"({', '.join(map(str, REGION_CODES))}) have no predecessors, and every other region "
                              "is formed of predecessors")
        if first[i] is not None and last[i] is not None and last[i] < first[i]:
            raise table.error(lines[i], "last_year", f"{last[i]} is before first_year {first[i]}")
        predecessors.append([int(w) for w in words])
    missing = [c for c in REGION_CODES if c not in codes]
    if missing:
        raise DataError(f"{table.path}: the five regions the model simulates must be in the file; missing: "
                        f"{', '.join(map(str, missing))}")

    def members(i: int, seen: tuple[int, ...] = ()) -> tuple[int, ...]:
        if codes[i] in seen:
            raise table.error(lines[i], "predecessors", f"region {codes[i]} is its own predecessor (a cycle)")
        if codes[i] in REGION_CODES:
            return (REGION_CODES.index(codes[i]),)
        return tuple(sorted(m for p in predecessors[i] for m in members(codes.index(p), seen + (codes[i],))))

    regions = RegionMap(codes=tuple(codes), names=tuple(str(n) for n in table["region"].tolist()),
                        names_da=tuple(str(n) for n in table["name_da"].tolist()),
                        names_en=tuple(str(n) for n in table["name_en"].tolist()),
                        first_year=tuple(first), last_year=tuple(last),
                        members=tuple(members(i) for i in range(len(codes))))
    for y in _REGISTRY_YEARS:
        covered = sorted(m for code in regions.in_year(y) for m in regions.members[regions.index(code)])
        if covered != list(range(len(REGION_CODES))):
            counts = np.bincount(covered, minlength=len(REGION_CODES))
            twice = [REGION_NAMES[m] for m in np.flatnonzero(counts > 1)]
            none = [REGION_NAMES[m] for m in np.flatnonzero(counts == 0)]
            raise DataError(f"{table.path}: the regions of {y} ({', '.join(map(str, regions.in_year(y)))}) must cover "
                            "each of the five simulated regions exactly once (check first_year and last_year); "
                            + "; ".join(filter(None, [f"twice: {', '.join(twice)}" if twice else "",
                                                      f"not covered: {', '.join(none)}" if none else ""])))
    return regions


def load_regions(path=None) -> RegionMap:
    """The region registry (naerhed.regions.RegionMap): the regions, the years they exist and the
    simulated regions each is formed of (packaged: the five regions to 2026, four from 2027)."""
    return _regions(path)

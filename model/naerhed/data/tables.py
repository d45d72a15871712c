"""Loaders for the packaged reference tables (CSV files in this folder).

Every loader takes an optional `path`: None means the packaged file; otherwise the user's own file in the
same long CSV format (the `status`, `source` and `note` columns are optional in a user's file). Every
problem with a file raises `naerhed.errors.DataError` with a message that names the file, the line and
column, and what is allowed. Parsed files are cached (keyed on path, modification time and size); the
loaders always return fresh copies of the arrays, so callers may modify them.

Array conventions (see naerhed.constants): region index 0-4 in DST order (1081..1085), sex 0 = male,
1 = female, age 0..110 where 110 is "110 and older".
"""

from __future__ import annotations

import csv
import hashlib
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..constants import MAX_AGE, N_AGES, N_REGIONS, REGION_CODES, REGION_NAMES, SEXES, region_index
from ..errors import DataError


DATA_DIR: Path = Path(__file__).resolve().parent

POPULATION_FILE = "population_region_sex_age.csv"
MUNICIPALITY_FILE = "municipality_population.csv"
MORTALITY_AGE5_FILE = "mortality_sex_age5.csv"
MORTALITY_SINGLE_AGE_FILE = "mortality_sex_age_epi.csv"
FERTILITY_FILE = "fertility_asfr.csv"
BIRTHS_FILE = "births_by_sex.csv"
NET_MIGRATION_TOTAL_FILE = "net_migration_total.csv"
NET_MIGRATION_SEX_AGE_FILE = "net_migration_sex_age.csv"
PROJECTION_FILE = "projection_frdk118.csv"
VALIDATION_FILE = "validation_targets.csv"
REGIONS_FILE = "regions.csv"

SINGLE_AGE_MORTALITY_AGES = 100  # ages 0..99, 99 = 99 and older
MIGRATION_MAX_AGE = 100  # the UN file has single ages 0..100


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


@dataclass(frozen=True)
class ValidationTarget:
    """A published figure the model's output can be compared with.

    `tolerance_unit` is "absolute" (tolerance in the value's own unit) or "relative" (fraction of value).
    """

    id: str
    quantity: str
    year: int
    value: float
    unit: str
    tolerance: float
    tolerance_unit: str
    source: str
    sex: str | None = None
    region_code: int | None = None
    status: str = ""
    note: str = field(default="", compare=False)

    def allowed_deviation(self) -> float:
        return self.tolerance * abs(self.value) if self.tolerance_unit == "relative" else self.tolerance

    def within(self, x: float) -> bool:
        """True if `x` is within the tolerance of the target value."""
        return abs(float(x) - self.value) <= self.allowed_deviation() + 1e-12 * max(1.0, abs(self.value))


# ---------------------------------------------------------------------------------------------
# Generic CSV reading with precise error messages
# ---------------------------------------------------------------------------------------------
def package_files() -> list[Path]:
    """All packaged CSV tables, sorted by name."""
    return sorted(DATA_DIR.glob("*.csv"))


def file_sha256(path) -> str:
    """Hex SHA-256 of a file's bytes (to record which data a run used)."""
    p = Path(path)
    h = hashlib.sha256()
    try:
        with open(p, "rb") as f:
            for chunk in iter(lambda: f.read(1 << 20), b""):
                h.update(chunk)
    except OSError as exc:
        raise DataError(f"{p}: cannot read file ({exc.strerror or exc})") from None
    return h.hexdigest()


def _resolve(path, default_name: str) -> Path:
    p = DATA_DIR / default_name if path is None else Path(path)
    if not p.is_file():
        what = "packaged data file" if path is None else "data file"
        problem = "is a directory, not a file" if p.is_dir() else "not found"
        raise DataError(f"{p}: {what} {problem}")
    return p


def _stamp(p: Path) -> tuple[str, int, int]:
    st = p.stat()
    return (str(p.resolve()), st.st_mtime_ns, st.st_size)


class _Table:
    """A CSV file read as text: header plus rows, each with its line number in the file."""

    def __init__(self, path: Path, required: tuple[str, ...]):
        self.path = path
        try:
            with open(path, newline="", encoding="utf-8-sig") as f:
                reader = csv.reader(f)
                rows = []
                header = None
                for record in reader:
                    if header is None:
                        if not record or all(not c.strip() for c in record):
                            continue
                        header = [c.strip() for c in record]
                        continue
                    if not record or all(not c.strip() for c in record):
                        continue
                    rows.append((reader.line_num, record))
        except UnicodeDecodeError as exc:
            raise DataError(f"{path}: not valid UTF-8 text ({exc.reason} at byte {exc.start}); save the file as UTF-8 CSV") from None
        except csv.Error as exc:
            raise DataError(f"{path}: malformed CSV ({exc})") from None
        except OSError as exc:
            raise DataError(f"{path}: cannot read file ({exc.strerror or exc})") from None
        if header is None:
            raise DataError(f"{path}: file is empty; expected a header line with columns {', '.join(required)}")
        self.header = header
        self.col = {name: i for i, name in enumerate(header)}
        missing = [c for c in required if c not in self.col]
        if missing:
            raise DataError(
                f"{path}: missing column(s) {', '.join(repr(c) for c in missing)}; required columns: "
                f"{', '.join(required)}; found: {', '.join(header)}"
            )
        width = len(header)
        for line, record in rows:
            if len(record) != width:
                raise DataError(f"{path}: line {line}: has {len(record)} fields but the header has {width}")
        self.rows = rows

    def has(self, column: str) -> bool:
        return column in self.col

    def error(self, line: int, column: str | None, problem: str) -> DataError:
        where = f"line {line}" + (f", column '{column}'" if column else "")
        return DataError(f"{self.path}: {where}: {problem}")

    def text(self, line, record, column) -> str:
        return record[self.col[column]].strip()

    def new_id(self, line, record, seen, column="id") -> str:
        """The row's id: not empty and not already in `seen`."""
        value = self.text(line, record, column)
        if not value:
            raise self.error(line, column, "empty id")
        if value in seen:
            raise self.error(line, column, f"duplicate id {value!r}")
        return value

    def integer(self, line, record, column, lo=None, hi=None) -> int:
        raw = self.text(line, record, column)
        try:
            value = int(raw)
        except ValueError:
            try:
                f = float(raw)
            except ValueError:
                f = math.nan
            if not math.isfinite(f) or f != int(f):
                raise self.error(line, column, f"{raw!r} is not a whole number") from None
            value = int(f)
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            rng = f"{lo}..{hi}" if lo is not None and hi is not None else (f">= {lo}" if lo is not None else f"<= {hi}")
            raise self.error(line, column, f"{value} is out of range; allowed: {rng}")
        return value

    def number(self, line, record, column, nonneg=False, positive=False, hi=None, what="value") -> float:
        raw = self.text(line, record, column)
        try:
            value = float(raw)
        except ValueError:
            raise self.error(line, column, f"{raw!r} is not a number") from None
        if not math.isfinite(value):
            raise self.error(line, column, f"{raw!r} is not a finite number")
        if positive and value <= 0:
            raise self.error(line, column, f"{what} must be > 0, got {raw}")
        if nonneg and value < 0:
            raise self.error(line, column, f"negative {what} {raw}; allowed: >= 0")
        if hi is not None and value > hi:
            raise self.error(line, column, f"{what} {raw} is too large; allowed: <= {hi}")
        return value

    def sex(self, line, record, column="sex") -> int:
        raw = self.text(line, record, column)
        key = raw.lower()
        if key not in SEXES:
            raise self.error(line, column, f"unknown sex {raw!r}; allowed: {', '.join(SEXES)}")
        return SEXES.index(key)

    def region(self, line, record, column="region_code") -> int:
        raw = self.text(line, record, column)
        try:
            idx = region_index(raw)
        except KeyError:
            raise self.error(
                line, column, f"unknown region {raw!r}; allowed: {', '.join(str(c) for c in REGION_CODES)}"
            ) from None
        if self.has("region"):
            name = self.text(line, record, "region")
            if name:
                try:
                    by_name = region_index(name)
                except KeyError:
                    raise self.error(
                        line, "region", f"unknown region name {name!r}; allowed: {', '.join(REGION_NAMES)}"
                    ) from None
                if by_name != idx:
                    raise self.error(
                        line, "region", f"region name {name!r} does not match region_code {raw} ({REGION_NAMES[idx]})"
                    )
        return idx


def _ranges(values) -> str:  # also used by statbank
    """[1, 2, 3, 7] -> '1-3, 7'."""
    values = sorted(values)
    out, start, prev = [], None, None
    for v in values:
        if start is None:
            start = prev = v
        elif v == prev + 1:
            prev = v
        else:
            out.append(f"{start}-{prev}" if prev != start else f"{start}")
            start = prev = v
    if start is not None:
        out.append(f"{start}-{prev}" if prev != start else f"{start}")
    return ", ".join(out)


def _check_complete(table: _Table, filled: np.ndarray, labels, what: str, values=None, limit: int = 12) -> None:
    """Raise if any cell of `filled` (bool, last axis = age or group) is False.

    `labels(idx)` describes a leading index tuple (e.g. 'year 2019, region 1081 Nordjylland, male');
    `values` maps positions on the last axis to what the file calls them (default: the position = age).
    """
    if filled.all():
        return
    lead_shape = filled.shape[:-1]
    problems = []
    for idx in np.ndindex(*lead_shape):
        missing = np.flatnonzero(~filled[idx])
        if missing.size:
            shown = missing if values is None else np.asarray(values)[missing]
            problems.append(f"{labels(idx)}: {what} {_ranges(shown.tolist()) if values is None else ', '.join(str(v) for v in shown)}")
    shown = "; ".join(problems[:limit])
    more = f"; ... and {len(problems) - limit} more" if len(problems) > limit else ""
    raise DataError(f"{table.path}: missing rows: {shown}{more}")


def _years_index(years_seen) -> tuple[np.ndarray, dict[int, int]]:
    years = np.array(sorted(years_seen), dtype=np.int64)
    return years, {int(y): i for i, y in enumerate(years)}


def _frozen(*arrays):
    for a in arrays:
        a.setflags(write=False)
    return arrays if len(arrays) > 1 else arrays[0]


# ---------------------------------------------------------------------------------------------
# Population by region, sex, age
# ---------------------------------------------------------------------------------------------
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


@lru_cache(maxsize=16)
def _parse_population(stamp) -> dict[int, np.ndarray]:
    p = Path(stamp[0])
    t = _Table(p, ("year", "region_code", "sex", "age", "population"))
    by_year: dict[int, np.ndarray] = {}
    filled: dict[int, np.ndarray] = {}
    for line, rec in t.rows:
        year = t.integer(line, rec, "year", 1900, 2200)
        r = t.region(line, rec)
        s = t.sex(line, rec)
        a = t.integer(line, rec, "age", 0, MAX_AGE)
        v = t.number(line, rec, "population", nonneg=True, what="population")
        if year not in by_year:
            by_year[year] = np.zeros((N_REGIONS, 2, N_AGES))
            filled[year] = np.zeros((N_REGIONS, 2, N_AGES), dtype=bool)
        if filled[year][r, s, a]:
            raise t.error(line, None, f"duplicate row for year {year}, region {REGION_CODES[r]}, {SEXES[s]}, age {a}")
        by_year[year][r, s, a] = v
        filled[year][r, s, a] = True
    if not by_year:
        raise DataError(f"{p}: no data rows")
    for year in sorted(by_year):
        _check_complete(
            t, filled[year],
            lambda idx, y=year: f"year {y}, region {REGION_CODES[idx[0]]} {REGION_NAMES[idx[0]]}, {SEXES[idx[1]]}",
            "ages",
        )
    return {y: _frozen(a) for y, a in sorted(by_year.items())}


def _population_years(path) -> dict[int, np.ndarray]:
    p = _resolve(path, POPULATION_FILE)
    if path is None or _looks_like_package_population(p):
        return _parse_population(_stamp(p))
    from .statbank import _read_folk1a_cached

    return _read_folk1a_cached(_stamp(p))


def load_population(year: int, path=None) -> np.ndarray:
    """Population on 1 January of `year`: float64 array (5 regions, 2 sexes, 111 ages).

    `path` may be a file in this package's format (population_region_sex_age.csv) or a StatBank FOLK1A
    export (coded or labelled, see naerhed.data.statbank); the format is detected automatically.
    """
    data = _population_years(path)
    try:
        key = int(year)
    except (TypeError, ValueError):
        raise DataError(f"year must be a whole number, got {year!r}") from None
    if key not in data:
        p = _resolve(path, POPULATION_FILE)
        raise DataError(
            f"{p}: no population for 1 January {key}; years available: {_ranges(list(data))}"
        )
    return data[key].copy()


# ---------------------------------------------------------------------------------------------
# Municipalities
# ---------------------------------------------------------------------------------------------
@lru_cache(maxsize=8)
def _parse_municipalities(stamp) -> dict[int, tuple]:
    p = Path(stamp[0])
    t = _Table(p, ("year", "region_code", "municipality", "population"))
    out: dict[int, tuple[list, list, list]] = {}
    for line, rec in t.rows:
        year = t.integer(line, rec, "year", 1900, 2200)
        r = t.region(line, rec)
        name = t.text(line, rec, "municipality")
        if not name:
            raise t.error(line, "municipality", "empty municipality name")
        v = t.number(line, rec, "population", nonneg=True, what="population")
        names, regions, pops = out.setdefault(year, ([], [], []))
        if name in names:
            raise t.error(line, "municipality", f"duplicate municipality {name!r} for year {year}")
        names.append(name)
        regions.append(r)
        pops.append(v)
    if not out:
        raise DataError(f"{p}: no data rows")
    return {
        y: (tuple(n), _frozen(np.array(r, dtype=np.int8)), _frozen(np.array(v, dtype=np.float64)))
        for y, (n, r, v) in out.items()
    }


def load_municipalities(year: int = 2022, path=None) -> Municipalities:
    """Population of the 98 municipalities (kommuner) and Christiansø on 1 January of `year`."""
    p = _resolve(path, MUNICIPALITY_FILE)
    data = _parse_municipalities(_stamp(p))
    if int(year) not in data:
        raise DataError(f"{p}: no municipality population for {year}; years available: {_ranges(list(data))}")
    names, region, pop = data[int(year)]
    return Municipalities(names=list(names), region=region.copy(), population=pop.copy(), year=int(year))


# ---------------------------------------------------------------------------------------------
# Mortality
# ---------------------------------------------------------------------------------------------
@lru_cache(maxsize=8)
def _parse_mortality_age5(stamp):
    p = Path(stamp[0])
    t = _Table(p, ("year", "sex", "age_lower", "deaths", "person_years"))
    recs = []
    for line, rec in t.rows:
        recs.append((
            line,
            t.integer(line, rec, "year", 1900, 2200),
            t.sex(line, rec),
            t.integer(line, rec, "age_lower", 0, MAX_AGE),
            t.number(line, rec, "deaths", nonneg=True, what="deaths"),
            t.number(line, rec, "person_years", positive=True, what="person_years"),
        ))
    if not recs:
        raise DataError(f"{p}: no data rows")
    years, yi = _years_index({r[1] for r in recs})
    groups = np.array(sorted({r[3] for r in recs}), dtype=np.int64)
    if groups[0] != 0:
        raise DataError(f"{p}: column 'age_lower': the first age group must start at 0, found {groups[0]}")
    gi = {int(g): i for i, g in enumerate(groups)}
    deaths = np.zeros((len(years), 2, len(groups)))
    py = np.zeros_like(deaths)
    filled = np.zeros(deaths.shape, dtype=bool)
    for line, y, s, g, d, e in recs:
        k = (yi[y], s, gi[g])
        if filled[k]:
            raise t.error(line, None, f"duplicate row for year {y}, {SEXES[s]}, age_lower {g}")
        deaths[k], py[k], filled[k] = d, e, True
    _check_complete(t, filled, lambda idx: f"year {years[idx[0]]}, {SEXES[idx[1]]}", "age_lower", values=groups)
    return _frozen(years, groups, deaths, py)


def load_mortality_age5(path=None) -> MortalityAge5:
    """Deaths and person-years by year, sex and 5-year age group (packaged: DODC1/FOLK1A, 2008-2022)."""
    years, groups, deaths, py = _parse_mortality_age5(_stamp(_resolve(path, MORTALITY_AGE5_FILE)))
    return MortalityAge5(years=years.copy(), age_lower=groups.copy(), deaths=deaths.copy(), person_years=py.copy())


@lru_cache(maxsize=8)
def _parse_mortality_single(stamp):
    p = Path(stamp[0])
    t = _Table(p, ("year", "sex", "age", "deaths", "person_years"))
    n = SINGLE_AGE_MORTALITY_AGES
    recs = []
    for line, rec in t.rows:
        recs.append((
            line,
            t.integer(line, rec, "year", 1900, 2200),
            t.sex(line, rec),
            t.integer(line, rec, "age", 0, n - 1),
            t.number(line, rec, "deaths", nonneg=True, what="deaths"),
            t.number(line, rec, "person_years", positive=True, what="person_years"),
        ))
    if not recs:
        raise DataError(f"{p}: no data rows")
    years, yi = _years_index({r[1] for r in recs})
    deaths = np.zeros((len(years), 2, n))
    py = np.zeros_like(deaths)
    filled = np.zeros(deaths.shape, dtype=bool)
    for line, y, s, a, d, e in recs:
        k = (yi[y], s, a)
        if filled[k]:
            raise t.error(line, None, f"duplicate row for year {y}, {SEXES[s]}, age {a}")
        deaths[k], py[k], filled[k] = d, e, True
    _check_complete(t, filled, lambda idx: f"year {years[idx[0]]}, {SEXES[idx[1]]}", "ages")
    return _frozen(years, deaths, py)


def load_mortality_single_age(path=None) -> MortalitySingleAge:
    """Deaths and person-years by year, sex and single age 0..99 (99 = 99+; packaged: Epi M.dk 2003-2012)."""
    years, deaths, py = _parse_mortality_single(_stamp(_resolve(path, MORTALITY_SINGLE_AGE_FILE)))
    return MortalitySingleAge(years=years.copy(), deaths=deaths.copy(), person_years=py.copy())


# ---------------------------------------------------------------------------------------------
# Fertility and births
# ---------------------------------------------------------------------------------------------
@lru_cache(maxsize=8)
def _parse_fertility(stamp):
    p = Path(stamp[0])
    t = _Table(p, ("year", "age_lower", "asfr"))
    has_tfr = t.has("tfr")
    recs = []
    for line, rec in t.rows:
        recs.append((
            line,
            t.integer(line, rec, "year", 1900, 2200),
            t.integer(line, rec, "age_lower", 0, MAX_AGE),
            t.number(line, rec, "asfr", nonneg=True, hi=1.0, what="asfr (births per woman per year)"),
            t.number(line, rec, "tfr", nonneg=True, hi=20.0, what="tfr") if has_tfr else None,
        ))
    if not recs:
        raise DataError(f"{p}: no data rows")
    years, yi = _years_index({r[1] for r in recs})
    groups = np.array(sorted({r[2] for r in recs}), dtype=np.int64)
    gi = {int(g): i for i, g in enumerate(groups)}
    asfr = np.zeros((len(years), len(groups)))
    filled = np.zeros(asfr.shape, dtype=bool)
    tfr = np.full(len(years), np.nan)
    for line, y, g, f, total in recs:
        k = (yi[y], gi[g])
        if filled[k]:
            raise t.error(line, None, f"duplicate row for year {y}, age_lower {g}")
        asfr[k], filled[k] = f, True
        if total is not None:
            if np.isnan(tfr[yi[y]]):
                tfr[yi[y]] = total
            elif abs(tfr[yi[y]] - total) > 1e-9 * max(1.0, total):
                raise t.error(line, "tfr", f"tfr {total} differs from {tfr[yi[y]]} on another row of year {y}")
    _check_complete(t, filled, lambda idx: f"year {years[idx[0]]}", "age_lower", values=groups)
    if not has_tfr:
        widths = np.diff(groups, append=groups[-1] + (groups[-1] - groups[-2] if len(groups) > 1 else 5))
        tfr = asfr @ widths.astype(float)
    return _frozen(years, groups, asfr, tfr)


def load_fertility(path=None) -> Fertility:
    """Age-specific fertility rates (births per woman per year) and TFR by year (packaged: UN WPP 2024)."""
    years, groups, asfr, tfr = _parse_fertility(_stamp(_resolve(path, FERTILITY_FILE)))
    return Fertility(years=years.copy(), age_lower=groups.copy(), asfr=asfr.copy(), tfr=tfr.copy())


@lru_cache(maxsize=8)
def _parse_births(stamp) -> float:
    p = Path(stamp[0])
    t = _Table(p, ("year", "births_male", "births_female"))
    boys = girls = 0.0
    seen = set()
    for line, rec in t.rows:
        y = t.integer(line, rec, "year", 1800, 2200)
        if y in seen:
            raise t.error(line, "year", f"duplicate year {y}")
        seen.add(y)
        boys += t.number(line, rec, "births_male", nonneg=True, what="births")
        girls += t.number(line, rec, "births_female", nonneg=True, what="births")
    if boys + girls <= 0:
        raise DataError(f"{p}: no births in the file (need at least one row with births_male + births_female > 0)")
    return boys / (boys + girls)


def load_birth_share_male(path=None) -> float:
    """Share of boys among live births, pooled over all years of the table (packaged: 2002-2018)."""
    return _parse_births(_stamp(_resolve(path, BIRTHS_FILE)))


# ---------------------------------------------------------------------------------------------
# Migration and projection
# ---------------------------------------------------------------------------------------------
@lru_cache(maxsize=8)
def _parse_net_migration_total(stamp):
    p = Path(stamp[0])
    t = _Table(p, ("year", "net_migration_persons"))
    values: dict[int, float] = {}
    for line, rec in t.rows:
        y = t.integer(line, rec, "year", 1900, 2200)
        if y in values:
            raise t.error(line, "year", f"duplicate year {y}")
        values[y] = t.number(line, rec, "net_migration_persons", what="net migration")
    if not values:
        raise DataError(f"{p}: no data rows")
    years = np.array(sorted(values), dtype=np.int64)
    return _frozen(years, np.array([values[int(y)] for y in years], dtype=np.float64))


def load_net_migration_total(path=None) -> tuple[np.ndarray, np.ndarray]:
    """Net migration (persons, immigrants minus emigrants) by year: (years, persons)."""
    years, persons = _parse_net_migration_total(_stamp(_resolve(path, NET_MIGRATION_TOTAL_FILE)))
    return years.copy(), persons.copy()


def _parse_year_sex_age(stamp, value_col: str, required_max_age: int, nonneg: bool, what: str):
    p = Path(stamp[0])
    t = _Table(p, ("year", "sex", "age", value_col))
    recs = []
    for line, rec in t.rows:
        recs.append((
            line,
            t.integer(line, rec, "year", 1900, 2200),
            t.sex(line, rec),
            t.integer(line, rec, "age", 0, MAX_AGE),
            t.number(line, rec, value_col, nonneg=nonneg, what=what),
        ))
    if not recs:
        raise DataError(f"{p}: no data rows")
    years, yi = _years_index({r[1] for r in recs})
    values = np.zeros((len(years), 2, N_AGES))
    filled = np.zeros(values.shape, dtype=bool)
    for line, y, s, a, v in recs:
        k = (yi[y], s, a)
        if filled[k]:
            raise t.error(line, None, f"duplicate row for year {y}, {SEXES[s]}, age {a}")
        values[k], filled[k] = v, True
    _check_complete(t, filled[:, :, : required_max_age + 1], lambda idx: f"year {years[idx[0]]}, {SEXES[idx[1]]}",
                    "ages")
    return _frozen(years, values)


@lru_cache(maxsize=8)
def _parse_net_migration_sex_age(stamp):
    return _parse_year_sex_age(stamp, "net_migration_persons", MIGRATION_MAX_AGE, nonneg=False, what="net migration")


def load_net_migration_sex_age(path=None) -> tuple[np.ndarray, np.ndarray]:
    """Net migration by year, sex and age: (years, persons (n_years, 2, 111)); ages 0..100 required,
    ages 101..110 are zero unless the file gives them (packaged: UN WPP 2024 projection 2023-2060)."""
    years, values = _parse_net_migration_sex_age(_stamp(_resolve(path, NET_MIGRATION_SEX_AGE_FILE)))
    return years.copy(), values.copy()


@lru_cache(maxsize=8)
def _parse_projection(stamp):
    return _parse_year_sex_age(stamp, "population", MAX_AGE, nonneg=True, what="population")


def load_projection(path=None) -> tuple[np.ndarray, np.ndarray]:
    """National population projection on 1 January: (years, persons (n_years, 2, 111));
    packaged: DST FRDK118 (2018 vintage), 2018-2060."""
    years, values = _parse_projection(_stamp(_resolve(path, PROJECTION_FILE)))
    return years.copy(), values.copy()


# ---------------------------------------------------------------------------------------------
# Validation targets
# ---------------------------------------------------------------------------------------------
TOLERANCE_UNITS = ("absolute", "relative")


@lru_cache(maxsize=8)
def _parse_validation_targets(stamp) -> dict[str, ValidationTarget]:
    p = Path(stamp[0])
    t = _Table(p, ("id", "quantity", "year", "value", "unit", "tolerance", "tolerance_unit", "source"))
    out: dict[str, ValidationTarget] = {}
    for line, rec in t.rows:
        tid = t.new_id(line, rec, out)
        unit_tol = t.text(line, rec, "tolerance_unit")
        if unit_tol not in TOLERANCE_UNITS:
            raise t.error(line, "tolerance_unit", f"{unit_tol!r} not allowed; allowed: {', '.join(TOLERANCE_UNITS)}")
        sex = t.text(line, rec, "sex") if t.has("sex") else ""
        if sex and sex not in SEXES:
            raise t.error(line, "sex", f"unknown sex {sex!r}; allowed: {', '.join(SEXES)} or empty")
        region_code = None
        if t.has("region_code") and t.text(line, rec, "region_code"):
            region_code = REGION_CODES[t.region(line, rec)]
        source = t.text(line, rec, "source")
        if not source:
            raise t.error(line, "source", "empty source; every target needs the URL or reference it came from")
        out[tid] = ValidationTarget(
            id=tid,
            quantity=t.text(line, rec, "quantity"),
            year=t.integer(line, rec, "year", 1900, 2200),
            value=t.number(line, rec, "value"),
            unit=t.text(line, rec, "unit"),
            tolerance=t.number(line, rec, "tolerance", nonneg=True, what="tolerance"),
            tolerance_unit=unit_tol,
            source=source,
            sex=sex or None,
            region_code=region_code,
            status=t.text(line, rec, "status") if t.has("status") else "",
            note=t.text(line, rec, "note") if t.has("note") else "",
        )
    return out


def load_validation_targets(path=None) -> dict[str, ValidationTarget]:
    """Published figures to validate the model against, keyed by id."""
    return dict(_parse_validation_targets(_stamp(_resolve(path, VALIDATION_FILE))))

"""The one CSV reader: reads a table's file, checks it against its `TableSpec` and returns typed columns.

    table = read_table(TABLES["population"], path)
    table["age"]          # int64 array, one value per data row
    table.lines           # the line of each row in the file (for messages)

Every problem raises `naerhed.errors.DataError` naming the file, the line and column, and what is
allowed: a missing required column, a row with the wrong number of fields, a cell that is not of
the column's type or outside its range, a word not allowed, and two rows with the same key columns
(naming both lines). Blank lines are skipped; a UTF-8 byte order mark is allowed; columns the spec
does not know are ignored. Rows are checked in file order, each row's cells in the spec's column
order, so the first problem of the file is reported.

A loader is a builder (a function of the checked `Table` that assembles the arrays the model uses)
wrapped by `cached_build`: the result is cached per file (path, modification time and size), so a
builder must return read-only arrays (`frozen`) and its loader returns fresh copies.

Hand-written rather than pandera or frictionless: neither is a dependency of naerhed, and both
report problems by column and row index of a data frame rather than by the file's line, with their
own wording; the messages here are the ones users and tests rely on.
"""

from __future__ import annotations

import csv
import math
from functools import lru_cache, update_wrapper
from pathlib import Path
from typing import Callable, Generic, TypeVar

import numpy as np

from ..constants import REGION_CODES, REGION_NAMES, SEXES, region_index
from ..errors import DataError
from .files import check_data_file, file_stamp, ranges, resolve_file
from .registry import Column, TableSpec

T = TypeVar("T")

_DTYPES = {"int": np.int64, "float": np.float64, "sex": np.int8, "region": np.int8, "text": object, "choice": object}
_MISSING = {"int": 0, "float": math.nan, "sex": -1, "region": -1, "text": "", "choice": ""}


class Table:
    """A CSV file checked against its spec: `table[name]` is the typed column (numpy array, one
    value per data row; a column missing from the file reads as empty), `lines` the line of each row
    in the file, `has(name)` whether the file has the column."""

    def __init__(self, spec: TableSpec, path: Path, header: list[str], lines: np.ndarray,
                 columns: dict[str, np.ndarray], raw: dict[str, list[str]]):
        self.spec = spec
        self.path = path
        self.header = header
        self.lines = lines
        self._columns = columns
        self._raw = raw

    def __len__(self) -> int:
        return self.lines.size

    def __getitem__(self, name: str) -> np.ndarray:
        return self._columns[name]

    def has(self, name: str) -> bool:
        """True if the file has the column (optional columns may be absent)."""
        return name in self._raw

    def error(self, line: int | None, column: str | None, problem: str) -> DataError:
        """DataError '<file>: line <line>, column '<column>': <problem>' (line None: about the file)."""
        return _error(self.path, line, column, problem)

    def check(self, column: str, rows: np.ndarray, *, positive: bool = False, nonneg: bool = False,
              hi: float | None = None, what: str | None = None) -> None:
        """Check the numbers of `column` on the rows where `rows` (bool) is True against bounds that
        depend on the row (beyond the spec's bounds for every row), in the reader's words (the noun is
        `what`, else the spec's). Raises at the first such row in file order."""
        spec = self.spec.column(column)
        nouns = self._columns[spec.what_column] if spec.what_column is not None else None
        for i in np.flatnonzero(rows):
            raw = self._raw[column][i]
            noun = what or (str(nouns[i]) if nouns is not None else spec.what or spec.name)
            problem = _bound_problem(float(self._columns[column][i]), raw, positive, nonneg, hi, noun)
            if problem:
                raise self.error(int(self.lines[i]), column, problem)

    def check_complete(self, filled: np.ndarray, labels: Callable[[tuple], str], what: str, values=None,
                       limit: int = 12) -> None:
        """Raise if any cell of `filled` (bool, last axis = age or group) is False.

        `labels(idx)` describes a leading index tuple (e.g. 'year 2019, region 1081 Nordjylland, male');
        `values` maps positions on the last axis to what the file calls them (default: the position = age).
        """
        if filled.all():
            return
        problems = []
        for idx in np.ndindex(*filled.shape[:-1]):
            missing = np.flatnonzero(~filled[idx])
            if missing.size:
                shown = ranges(missing.tolist()) if values is None else ", ".join(str(v) for v in np.asarray(values)[missing])
                problems.append(f"{labels(idx)}: {what} {shown}")
        more = f"; ... and {len(problems) - limit} more" if len(problems) > limit else ""
        raise DataError(f"{self.path}: missing rows: {'; '.join(problems[:limit])}{more}")


def _error(path: Path, line: int | None, column: str | None, problem: str) -> DataError:
    if line is None:
        return DataError(f"{path}: {problem}")
    where = f"line {line}" + (f", column '{column}'" if column else "")
    return DataError(f"{path}: {where}: {problem}")


def frozen(*arrays: np.ndarray):
    """Make arrays read-only (results of cached builders); returns them (one array alone)."""
    for a in arrays:
        a.setflags(write=False)
    return arrays if len(arrays) > 1 else arrays[0]


def axis_index(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The sorted distinct values of a column and each row's position among them."""
    distinct, position = np.unique(values, return_inverse=True)
    return distinct, position.reshape(-1)


# ---------------------------------------------------------------------------------------------
# Reading
# ---------------------------------------------------------------------------------------------
def _records(path: Path, required: tuple[str, ...]) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """Header and the non-blank records with their line numbers."""
    check_data_file(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            reader = csv.reader(f)
            rows = []
            header = None
            for record in reader:
                if not record or all(not c.strip() for c in record):
                    continue
                if header is None:
                    header = [c.strip() for c in record]
                else:
                    rows.append((reader.line_num, record))
    except UnicodeDecodeError as exc:
        raise DataError(f"{path}: not valid UTF-8 text ({exc.reason} at byte {exc.start}); save the file as UTF-8 CSV") from None
    except csv.Error as exc:
        raise DataError(f"{path}: malformed CSV ({exc})") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot read file ({exc.strerror or exc})") from None
    if header is None:
        raise DataError(f"{path}: file is empty; expected a header line with columns {', '.join(required)}")
    if len(header) == 1 and ";" in header[0]:
        raise DataError(f"{path}: line 1: the columns are separated by semicolons (;), as in a Danish spreadsheet's "
                        "CSV export; save the file with commas (,) between the columns and a point (.) as the "
                        f"decimal mark, with the columns {', '.join(required)}")
    return header, rows


def _noun(column: Column, row: dict) -> str:
    """The noun of a number's range messages: the row's value of `what_column`, else `what` or the name."""
    if column.what_column is not None:
        return str(row[column.what_column])
    return column.what or column.name


def _bound_problem(value: float, raw: str, positive: bool, nonneg: bool, hi: float | None, what: str) -> str | None:
    if positive and value <= 0:
        return f"{what} must be > 0, got {raw}"
    if nonneg and value < 0:
        return f"negative {what} {raw}; allowed: >= 0"
    if hi is not None and value > hi:
        return f"{what} {raw} is too large; allowed: <= {hi}"
    return None


class _Cells:
    """Parses the cells of one row at a time (`line`, `record`); errors name the line and column."""

    def __init__(self, path: Path, region_name: int | None):
        self.path = path
        self.region_name = region_name  # position of the 'region' (name) column in the file, if any
        self.line = 0
        self.record: list[str] = []
        self.parsers = {"int": self.integer, "float": self.number, "text": self.text, "choice": self.choice,
                        "sex": self.sex, "region": self.region}

    def fail(self, column: str, problem: str) -> DataError:
        return _error(self.path, self.line, column, problem)

    def parse(self, column: Column, raw: str, row: dict):
        """The typed value of the cell `raw` (stripped); `row`: the row's values parsed so far."""
        if raw == "" and column.empty_ok:
            return _MISSING[column.kind]
        return self.parsers[column.kind](column, raw, row)

    def integer(self, column: Column, raw: str, row: dict) -> int:
        try:
            value = int(raw)
        except ValueError:
            try:
                f = float(raw)
            except ValueError:
                f = math.nan
            if not math.isfinite(f) or f != int(f):
                raise self.fail(column.name, f"{raw!r} is not a whole number") from None
            value = int(f)
        lo = row[column.lo] if isinstance(column.lo, str) else column.lo
        hi = column.hi
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            rng = f"{lo}..{hi}" if lo is not None and hi is not None else (f">= {lo}" if lo is not None else f"<= {hi}")
            raise self.fail(column.name, f"{value} is out of range; allowed: {rng}")
        return value

    def number(self, column: Column, raw: str, row: dict) -> float:
        try:
            value = float(raw)
        except ValueError:
            raise self.fail(column.name, f"{raw!r} is not a number") from None
        if not math.isfinite(value):
            raise self.fail(column.name, f"{raw!r} is not a finite number")
        problem = _bound_problem(value, raw, column.positive, column.nonneg, column.hi, _noun(column, row))
        if problem:
            raise self.fail(column.name, problem)
        return value

    def text(self, column: Column, raw: str, row: dict) -> str:
        if not raw and column.if_empty is not None:
            raise self.fail(column.name, column.if_empty)
        return raw

    def choice(self, column: Column, raw: str, row: dict) -> str:
        if not column.allows(raw):
            problem = f"unknown {column.noun} {raw!r}" if column.noun else f"{raw!r} not allowed"
            raise self.fail(column.name, f"{problem}; allowed: {', '.join(column.allowed_values())}")
        return raw

    def sex(self, column: Column, raw: str, row: dict) -> int:
        key = raw.lower()
        if key not in SEXES:
            empty = " or empty" if column.empty_ok else ""
            raise self.fail(column.name, f"unknown sex {raw!r}; allowed: {', '.join(SEXES)}{empty}")
        return SEXES.index(key)

    def region(self, column: Column, raw: str, row: dict) -> int:
        try:
            idx = region_index(raw)
        except KeyError:
            raise self.fail(column.name, f"unknown region {raw!r}; allowed: {', '.join(str(c) for c in REGION_CODES)}") from None
        name = self.record[self.region_name].strip() if self.region_name is not None else ""
        if name:
            try:
                by_name = region_index(name)
            except KeyError:
                raise self.fail("region", f"unknown region name {name!r}; allowed: {', '.join(REGION_NAMES)}") from None
            if by_name != idx:
                raise self.fail("region", f"region name {name!r} does not match {column.name} {raw} ({REGION_NAMES[idx]})")
        return idx


def _describe_key(spec: TableSpec, names: tuple[str, ...], values: tuple) -> str:
    parts = []
    for name, value in zip(names, values):
        kind = spec.column(name).kind
        if kind == "sex":
            parts.append(SEXES[value])
        elif kind == "region":
            parts.append(f"region {REGION_CODES[value]}")
        elif value != "":
            parts.append(f"{name} {value!r}" if kind == "text" else f"{name} {value}")
    return ", ".join(parts)


def read_table(spec: TableSpec, path: Path) -> Table:
    """Read the CSV file `path` and check it against `spec` (see the module docstring)."""
    header, records = _records(path, spec.required)
    position = {name: i for i, name in enumerate(header)}
    missing = [c for c in spec.required if c not in position]
    if missing:
        raise DataError(
            f"{path}: missing column(s) {', '.join(repr(c) for c in missing)}; required columns: "
            f"{', '.join(spec.required)}; found: {', '.join(header)}"
        )
    width = len(header)
    for line, record in records:
        if len(record) != width:
            raise DataError(f"{path}: line {line}: has {len(record)} fields but the header has {width}")
    present = [(c, position[c.name]) for c in spec.columns if c.name in position]
    raw: dict[str, list[str]] = {c.name: [] for c, _ in present}
    parsed: dict[str, list] = {c.name: [] for c, _ in present}
    cells = _Cells(path, position.get("region"))
    for line, record in records:
        cells.line, cells.record = line, record
        row: dict = {}
        for column, i in present:
            text = record[i].strip()
            row[column.name] = value = cells.parse(column, text, row)
            raw[column.name].append(text)
            parsed[column.name].append(value)
    if not records:
        raise DataError(f"{path}: no data rows")
    columns = {}
    for column in spec.columns:
        dtype = _DTYPES[column.kind]
        if column.name not in parsed:
            columns[column.name] = np.full(len(records), _MISSING[column.kind], dtype=dtype)
        elif dtype is object:
            columns[column.name] = _objects(parsed[column.name])
        else:
            columns[column.name] = np.array(parsed[column.name], dtype=dtype)
    table = Table(spec, path, header, np.array([line for line, _ in records], dtype=np.int64), columns, raw)
    if spec.key_columns:
        _check_keys(table)
    return table


def _objects(values: list) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def _check_keys(table: Table) -> None:
    spec = table.spec
    names = spec.key_columns
    first: dict[tuple, int] = {}
    for i, key in enumerate(zip(*(table[name].tolist() for name in names))):
        line = int(table.lines[i])
        if key in first:
            if len(names) == 1:
                raise table.error(line, names[0], f"duplicate {_describe_key(spec, names, key)} (first on line {first[key]})")
            raise table.error(line, None, f"duplicate row for {_describe_key(spec, names, key)} (first on line {first[key]})")
        first[key] = line


# ---------------------------------------------------------------------------------------------
# Cached builders
# ---------------------------------------------------------------------------------------------
class CachedBuild(Generic[T]):
    """`build(table)` for a table's file, cached per file (path, modification time, size).

    Call with the user's file or None (the packaged file); `cache_info()` and `cache_clear()` as
    for functools.lru_cache. The cached result is shared: builders return read-only arrays.
    """

    def __init__(self, spec: TableSpec, build: Callable[[Table], T], maxsize: int):
        self.spec = spec
        self._build = build
        self._cached = lru_cache(maxsize=maxsize)(self._read_and_build)
        update_wrapper(self, build)

    def _read_and_build(self, stamp: tuple[str, int, int]) -> T:
        return self._build(read_table(self.spec, Path(stamp[0])))

    def file(self, path=None) -> Path:
        """The file that is read: `path`, or the packaged file if None (DataError if it does not exist)."""
        return resolve_file(path, self.spec.file)

    def __call__(self, path=None) -> T:
        return self._cached(file_stamp(self.file(path)))

    def cache_info(self):
        return self._cached.cache_info()

    def cache_clear(self) -> None:
        self._cached.cache_clear()


def cached_build(spec: TableSpec, maxsize: int = 8) -> Callable[[Callable[[Table], T]], CachedBuild[T]]:
    """Decorator: the builder of `spec`'s table, called with a file path (None: the packaged file)."""

    def wrap(build: Callable[[Table], T]) -> CachedBuild[T]:
        return CachedBuild(spec, build, maxsize)

    return wrap

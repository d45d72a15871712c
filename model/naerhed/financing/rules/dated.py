"""Values of a rule set given by year, as policyengine-core parameters give a value history.

Any value of a rule file (every setting that is not a section, except name, description, years
and provenance) may be written plainly, ``pool_dkk: 1.5e9``, or by year::

    settlement_applied:
      values:
        2022: false                  # its provenance: the key's entry under `provenance`
        2024:
          value: false               # with its own provenance, in force with the value
          provenance: {status: assumption, source: NOT FOUND, note: why}

A value keyed by year applies from that year until the next key. Keys before the first year of
the rule set are allowed (the latest of them applies in the first year: a file that extends another
and starts later inherits the value then in force); keys after its last year never apply; the
first key must not be after the first year. An entry's own provenance is the value's provenance in
the years the entry applies (the rule set's provenance[key path] then); an entry without one uses
the key's entry under `provenance`. In a file that extends another, `values` merge year by year
with the other file's; a plain value replaces a value given by year whole, and the other way round.

The years in which a rule set's values are constant are its periods: the first year and each
later key year within its years. The rule set is validated as a whole once per period, with the
values of the period written in place (`DatedReader`); problems are reported where the value was
written (e.g. settlement_applied.values.2024.value).
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass
from typing import Any, Optional

from pydantic import ValidationError

from naerhed.yaml_models import Problem, SourceMap, YamlSpec, problems_from_validation

from .schema import DatedForm, value_positions

__all__ = ["DatedEntry", "DatedReader", "DatedValue", "key_path_text"]

KeyPath = tuple

_FORM_SPEC = YamlSpec(
    model=DatedForm,
    noun="rule file",
    allow_extends=False,
    expect_overrides={
        "values": "a mapping of calendar year to value, e.g. {2022: false, 2024: true}",
        "values.*.value": "the value from that year on",
    },
)


def key_path_text(path: KeyPath) -> str:
    """('split', 'shares', '1081') -> 'split.shares.1081'; list items as [i] ('years[0]')."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else ("." if text else "") + str(part)
    return text


@dataclass(frozen=True)
class DatedEntry:
    """One value of a value given by year: its year, where its value is written and where its
    own provenance is written (None: the key's entry under provenance applies)."""

    year: int
    value_at: KeyPath
    provenance_at: Optional[KeyPath]


@dataclass(frozen=True)
class DatedValue:
    """A value given by year: its key path and its entries in year order."""

    key_path: KeyPath
    entries: tuple[DatedEntry, ...]

    def entry_in(self, year: int) -> DatedEntry:
        """The entry in force in the calendar year (the first one for a year before it)."""
        earlier = [entry for entry in self.entries if entry.year <= year]
        return earlier[-1] if earlier else self.entries[0]

    def starts(self, first_year: int, last_year: Optional[int]) -> tuple[int, ...]:
        """The first years of the periods of [first_year, last_year] in which an entry applies."""
        return (first_year,) + tuple(
            entry.year for entry in self.entries
            if entry.year > first_year and (last_year is None or entry.year <= last_year))


def _get(data: Any, path: KeyPath) -> Any:
    for part in path:
        data = data[part]
    return data


def _set(data: dict, path: KeyPath, value: Any) -> None:
    _get(data, path[:-1])[path[-1]] = value


def _below(path: KeyPath, prefix: KeyPath) -> bool:
    return path[:len(prefix)] == prefix


def _years(data: dict) -> tuple[Optional[int], Optional[int]]:
    """(first, last) of the file's `years` as written, (None, None) if they are not two years."""
    years = data.get("years")
    if not isinstance(years, (list, tuple)) or len(years) != 2:
        return None, None
    first, last = years
    if isinstance(first, bool) or not isinstance(first, int):
        return None, None
    return first, last if isinstance(last, int) and not isinstance(last, bool) else None


def _newest_form(data: dict, source_map: SourceMap, position: KeyPath, form_keys: tuple[str, ...]) -> None:
    """Keep only the newest form of a mapping that extends merged from two forms (a value given by
    year over a plain mapping, e.g. split.shares, or the other way round; an entry with its own
    provenance over a plain one): the keys not written by the file that wrote the position last
    are dropped (in place), so a file that extends another replaces such a value whole."""
    written = _get(data, position)
    if not isinstance(written, dict) or not any(key in written for key in form_keys):
        return
    if all(key in form_keys for key in written) or position not in source_map:
        return
    newest = source_map[position].file
    for key in [k for k in written if source_map.get(position + (k,)) and source_map[position + (k,)].file != newest]:
        del written[key]
        for path in [p for p in source_map if _below(p, position + (key,))]:
            del source_map[path]


def _is_long_form(entry: Any) -> bool:
    return isinstance(entry, dict) and ("value" in entry or "provenance" in entry)


class DatedReader:
    """Finds the values given by year in merged rule-file data and writes in those of a period.

    `prepare(data, source_map)` is the `prepare` hook of `naerhed.yaml_models.load_yaml_document`:
    it keeps the data as written, checks the form of every value given by year (problems in
    `problems`) and writes in the values of the first year. Then `later_periods`, `resolved(year)`
    (data and source map of another period) and `rename(problem, renames)` (a problem's key path as
    written) serve the validation of the other periods; `dated_keys()` lists the values given by
    year with the first years of their periods."""

    def __init__(self) -> None:
        self.data: Optional[dict] = None
        self.source_map: SourceMap = {}
        self.values: list[DatedValue] = []
        self.problems: list[Problem] = []
        self.first_year: Optional[int] = None
        self.last_year: Optional[int] = None
        self.first_renames: dict[str, str] = {}
        self.unusable: set[str] = set()

    def prepare(self, data: dict, source_map: SourceMap) -> None:
        """Keep the data as written and write in the values of the first year (in place)."""
        for position in value_positions(data):
            _newest_form(data, source_map, position, ("values",))
            written = _get(data, position)
            if isinstance(written, dict) and isinstance(written.get("values"), dict):
                for key in written["values"]:
                    _newest_form(data, source_map, position + ("values", key), ("value", "provenance"))
        self.data = copy.deepcopy(data)
        self.source_map = dict(source_map)
        self.first_year, self.last_year = _years(data)
        self.values = [value for value in map(self._read, value_positions(self.data)) if value is not None]
        year = self.first_year
        if year is None:  # the years are invalid (reported by the validation): any period will do
            year = min((value.entries[0].year for value in self.values if value.entries), default=0)
        self.first_renames = self._write_in(data, source_map, year)

    @property
    def later_periods(self) -> list[int]:
        """The first years of the periods after the first one (empty if no value is given by year
        within the years, or the years are invalid)."""
        if self.first_year is None:
            return []
        return sorted({start for value in self.values for start in value.starts(self.first_year, self.last_year)}
                      - {self.first_year})

    def dated_keys(self) -> dict[str, tuple[int, ...]]:
        """Key path -> the first years of the periods in which each of its values applies."""
        if self.first_year is None:
            return {}
        return {key_path_text(value.key_path): value.starts(self.first_year, self.last_year) for value in self.values}

    def resolved(self, year: int) -> tuple[dict, SourceMap, dict[str, str]]:
        """The data with the values in force in `year` written in, its source map (each value at its
        plain key path, located where it is written) and the renames (plain -> written key path)."""
        assert self.data is not None
        data, source_map = copy.deepcopy(self.data), dict(self.source_map)
        return data, source_map, self._write_in(data, source_map, year)

    def rename(self, problem: Problem, renames: dict[str, str]) -> Optional[Problem]:
        """The problem with its key path as written (e.g. settlement_applied ->
        settlement_applied.values.2024.value); None for a problem caused only by a value whose form
        is already reported."""
        if problem.key_path in self.unusable and problem.message.startswith("required key is missing"):
            return None
        for plain in sorted(renames, key=len, reverse=True):
            key = problem.key_path
            if key == plain or key.startswith((plain + ".", plain + "[")):
                rest = key[len(plain):]
                if rest.startswith(".values"):  # already where it is written
                    return problem
                return dataclasses.replace(problem, key_path=renames[plain] + rest)
        return problem

    # ---- reading --------------------------------------------------------------------------------

    def _read(self, position: KeyPath) -> Optional[DatedValue]:
        """The value given by year at a position (problems of its form added), or None if the value
        there is plain."""
        written = _get(self.data, position)
        if not (isinstance(written, dict) and "values" in written):
            return None
        form = dict(written)
        sub_map = {path[len(position):]: origin for path, origin in self.source_map.items() if _below(path, position)}
        if isinstance(written["values"], dict):
            form["values"] = {}
            for key, entry in written["values"].items():
                form["values"][key] = entry if _is_long_form(entry) else {"value": entry}
                if not _is_long_form(entry):
                    sub_map[("values", key, "value")] = sub_map[("values", key)]
        try:
            DatedForm.model_validate(form)
        except ValidationError as exc:
            for problem in problems_from_validation(_FORM_SPEC, exc, sub_map):
                below = f".{problem.key_path}" if problem.key_path else ""
                message = problem.message
                if message.startswith("invalid key"):
                    message = "each key of values must be a calendar year between 2000 and 2100"
                self.problems.append(dataclasses.replace(
                    problem, key_path=key_path_text(position) + below, message=message))
        entries: list[DatedEntry] = []
        for key, entry in (written["values"].items() if isinstance(written["values"], dict) else ()):
            year = int(key) if str(key).isdigit() else None
            if year is None or not 2000 <= year <= 2100 or (_is_long_form(entry) and "value" not in entry):
                continue
            at = position + ("values", key)
            long_form = _is_long_form(entry)
            entries.append(DatedEntry(year, at + (("value",) if long_form else ()),
                                      at + ("provenance",) if long_form and entry.get("provenance") is not None else None))
        entries.sort(key=lambda entry: entry.year)
        if not entries:
            self.unusable.add(key_path_text(position))
            return DatedValue(position, ())
        if self.first_year is not None and entries[0].year > self.first_year:
            origin = self.source_map[entries[0].value_at[:len(position) + 2]]
            self.problems.append(Problem(
                origin.file, origin.line, key_path_text(entries[0].value_at[:len(position) + 2]),
                f"the first value is for {entries[0].year}, after the first year of the rule set "
                f"({self.first_year}); give the value in force in {self.first_year} (a year "
                f"{self.first_year} or earlier)"))
        return DatedValue(position, tuple(entries))

    def _write_in(self, data: dict, source_map: SourceMap, year: int) -> dict[str, str]:
        """Write the values in force in `year` into data (and the source map) in place."""
        renames: dict[str, str] = {}
        for value in self.values:
            position = value.key_path
            for path in [p for p in source_map if _below(p, position)]:
                del source_map[path]
            if not value.entries:  # no usable entry: reported; left out of the validation
                del _get(data, position[:-1])[position[-1]]
                continue
            entry = value.entry_in(year)
            _set(data, position, copy.deepcopy(_get(self.data, entry.value_at)))
            for path, origin in self.source_map.items():
                if _below(path, entry.value_at):
                    source_map[position + path[len(entry.value_at):]] = origin
            renames[key_path_text(position)] = key_path_text(entry.value_at)
            if entry.provenance_at is None:
                continue
            if data.get("provenance") is None:
                data["provenance"] = {}
                source_map[("provenance",)] = self.source_map[entry.provenance_at]
            if not isinstance(data["provenance"], dict):
                continue  # reported by the validation
            key = key_path_text(position)
            data["provenance"][key] = copy.deepcopy(_get(self.data, entry.provenance_at))
            for path in [p for p in source_map if _below(p, ("provenance", key))]:
                del source_map[path]
            for path, origin in self.source_map.items():
                if _below(path, entry.provenance_at):
                    source_map[("provenance", key) + path[len(entry.provenance_at):]] = origin
            renames[key_path_text(("provenance", key))] = key_path_text(entry.provenance_at)
        return renames

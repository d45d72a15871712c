"""Read a user's own StatBank (Statistikbanken) FOLK1A export into region x sex x age arrays.

FOLK1A is Danmarks Statistik's table "Befolkningen den 1. i kvartalet" (population on the first day of
the quarter). Two export styles are understood, both semicolon-separated and in long format (one row per
cell):

(a) the coded API export, header ``OMRÅDE;KØN;ALDER;TID;INDHOLD`` with codes: OMRÅDE 081-085 (or
    1081-1085) for the regions, 000 for the whole country, 101-860 for municipalities; KØN 1 (men) / 2
    (women) / TOT; ALDER 0..125 or IALT; TID such as 2019K1; INDHOLD the number of persons.
(b) the labelled export, with texts such as "Region Nordjylland", "Hele landet", "Mænd"/"Kvinder",
    "I alt", "0 år", "100 år", "Alder i alt", "2019K1".

The file may be UTF-8 (with or without BOM) or latin-1/cp1252; a title line before the header is
skipped, and a file without a header line is read positionally (area; sex; age; [civil status;] time;
value). An optional CIVILSTAND column is allowed: its total row is used if present, otherwise the
categories are summed.

Rows for the whole country and for municipalities are ignored, as are totals over sex or age. Ages 111-125
are added into 110 ("110 and older"); an age above 125 is an error. Only first-quarter periods (K1 = 1 January)
are returned.
"""

from __future__ import annotations

import csv
import io
import re
from functools import lru_cache
from pathlib import Path

import numpy as np

from ..constants import MAX_AGE, N_AGES, N_REGIONS, REGION_NAMES, SEXES, region_index
from ..errors import DataError
from .files import check_data_file, file_stamp, ranges

__all__ = ["read_folk1a"]

# column roles, matched against a normalised header (upper case, ÆØÅ folded, non-letters removed)
_ROLE_NAMES = {
    "area": {"OMRADE", "OMRAADE", "REGION", "AREA"},
    "sex": {"KON", "KOEN", "SEX"},
    "age": {"ALDER", "AGE"},
    "civil": {"CIVILSTAND", "MARITALSTATUS"},
    "time": {"TID", "TIME", "PERIOD"},
    "value": {"INDHOLD", "VALUE", "CONTENT", "OBSVALUE"},
}
_REQUIRED = ("area", "sex", "age", "time", "value")
_HEADER_TEXT = "OMRÅDE;KØN;ALDER;TID;INDHOLD"
#: Oldest single age of a FOLK1A export (StatBank's ALDER runs 0..125).
MAX_EXPORT_AGE = 125

_COUNTRY = {"000", "0", "hele landet", "danmark", "denmark", "all denmark", "whole country", "i alt", "total"}
_SEX = {
    "1": 0, "m": 0, "mænd": 0, "maend": 0, "mand": 0, "men": 0, "male": 0, "males": 0,
    "2": 1, "k": 1, "kvinder": 1, "kvinde": 1, "women": 1, "female": 1, "females": 1, "f": 1,
}
_SEX_TOTAL = {"tot", "total", "i alt", "ialt", "køn i alt", "koen i alt", "kon i alt", "both sexes", "all"}
_AGE_TOTAL = {"ialt", "i alt", "tot", "total", "alder i alt", "age, total", "all ages"}
_CIVIL_TOTAL = {"tot", "total", "i alt", "ialt", "civilstand i alt"}
_AGE_RE = re.compile(r"^(\d{1,3})\s*(?:år|aar|year|years)?\s*(?:og derover|and over|\+)?$")
_TIME_RE = re.compile(r"^(\d{4})\s*[KkQq]([1-4])$")


def _fold(text: str) -> str:
    t = text.upper().replace("Æ", "AE").replace("Ø", "O").replace("Å", "A")
    return re.sub(r"[^A-Z]", "", t)


def _decode(path: Path) -> str:
    check_data_file(path)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise DataError(f"{path}: file not found") from None
    except OSError as exc:
        raise DataError(f"{path}: cannot read file ({exc.strerror or exc})") from None
    for encoding in ("utf-8-sig", "cp1252", "latin-1"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise DataError(f"{path}: cannot decode the file as UTF-8 or latin-1")  # pragma: no cover (latin-1 never fails)


def _detect_delimiter(lines: list[str]) -> str:
    sample = "\n".join(lines[:20])
    for d in (";", "\t", ","):
        if d in sample:
            return d
    return ";"


def _clean(cell: str) -> str:
    return cell.strip().strip('"').strip()


class _Folk1aReader:
    def __init__(self, path: Path):
        self.path = path

    def error(self, line: int | None, column: str | None, problem: str) -> DataError:
        where = ""
        if line is not None:
            where = f"line {line}" + (f", column {column}" if column else "") + ": "
        return DataError(f"{self.path}: {where}{problem}")

    # --- structure ---------------------------------------------------------------------------
    def find_layout(self, records: list[tuple[int, list[str]]]):
        """Return (index of the first data record, {role: column index}, column names for messages)."""
        for k, (line, rec) in enumerate(records[:20]):
            folded = [_fold(c) for c in rec]
            if any(f in _ROLE_NAMES["value"] for f in folded) or sum(
                any(f in names for names in _ROLE_NAMES.values()) for f in folded
            ) >= 3:
                roles: dict[str, int] = {}
                for i, f in enumerate(folded):
                    role = next((r for r, names in _ROLE_NAMES.items() if f in names), None)
                    if role is None:
                        raise self.error(
                            line, None,
                            f"unexpected column {rec[i]!r} in the header; a FOLK1A export has the columns "
                            f"{_HEADER_TEXT} (optionally CIVILSTAND)",
                        )
                    if role in roles:
                        raise self.error(line, None, f"column {rec[i]!r} appears twice in the header")
                    roles[role] = i
                missing = [r for r in _REQUIRED if r not in roles]
                if missing:
                    names = {"area": "OMRÅDE", "sex": "KØN", "age": "ALDER", "time": "TID", "value": "INDHOLD"}
                    raise self.error(
                        line, None,
                        f"missing column(s) {', '.join(names[m] for m in missing)}; a FOLK1A export needs "
                        f"{_HEADER_TEXT}",
                    )
                labels = {role: rec[i].strip() for role, i in roles.items()}
                return k + 1, roles, labels
        # no header: positional, recognised by a period such as 2019K1 in the next-to-last column
        for k, (line, rec) in enumerate(records[:20]):
            cells = [_clean(c) for c in rec]
            if len(cells) in (5, 6) and _TIME_RE.match(cells[-2]):
                if len(cells) == 5:
                    roles = {"area": 0, "sex": 1, "age": 2, "time": 3, "value": 4}
                else:
                    roles = {"area": 0, "sex": 1, "age": 2, "civil": 3, "time": 4, "value": 5}
                labels = {"area": "OMRÅDE", "sex": "KØN", "age": "ALDER", "civil": "CIVILSTAND", "time": "TID",
                          "value": "INDHOLD"}
                return k, roles, labels
        raise self.error(
            None, None,
            f"not recognised as a StatBank FOLK1A export: no header line ({_HEADER_TEXT}) and no rows like "
            "'Region Nordjylland;Mænd;0 år;2019K1;3012' (semicolon-separated; area; sex; age; period; persons)",
        )

    # --- cell parsers ------------------------------------------------------------------------
    def area(self, line, col, raw: str):
        """Region index 0-4, or None for rows to ignore (whole country, municipalities, landsdele)."""
        text = raw.strip()
        low = text.lower()
        if not text:
            raise self.error(line, col, "empty area; allowed: region codes 081-085/1081-1085 or names")
        if low in _COUNTRY:
            return None
        if text.isdigit():
            code = int(text)
            if code == 0:
                return None
            if 81 <= code <= 85 or 1081 <= code <= 1085:
                return region_index(code)
            if 101 <= code <= 999:  # municipality (kommune) codes, incl. Christiansø 411
                return None
            raise self.error(
                line, col,
                f"unknown region code {text!r}; allowed: 081-085 or 1081-1085 (000 = whole country and "
                "municipality codes 101-860 are ignored)",
            )
        if low.startswith("landsdel") or low.startswith("province"):
            return None
        try:
            return region_index(text)
        except KeyError:
            pass
        if low.startswith("region"):
            raise self.error(
                line, col,
                f"unknown region {text!r}; allowed: " + ", ".join(f"Region {n}" for n in REGION_NAMES),
            )
        return None  # a municipality name (København, Aarhus, ..., Christiansø)

    def sex(self, line, col, raw: str):
        low = raw.strip().lower()
        if low in _SEX:
            return _SEX[low]
        if low in _SEX_TOTAL:
            return None
        raise self.error(line, col, f"unknown sex {raw.strip()!r}; allowed: 1/2, Mænd/Kvinder (TOT/I alt ignored)")

    def age(self, line, col, raw: str):
        low = raw.strip().lower()
        if low in _AGE_TOTAL:
            return None
        m = _AGE_RE.match(low)
        if not m:
            raise self.error(
                line, col,
                f"age {raw.strip()!r} is not a single year of age; allowed: 0..125 such as '37' or '37 år' "
                "(IALT/'Alder i alt' ignored)",
            )
        age = int(m.group(1))
        if age > MAX_EXPORT_AGE:
            raise self.error(line, col, f"age {age} is out of range; allowed: an age between 0 and {MAX_EXPORT_AGE} "
                             f"(years; ages above {MAX_AGE} are counted in {MAX_AGE}, '{MAX_AGE} and older')")
        return age

    def time(self, line, col, raw: str):
        text = raw.strip()
        m = _TIME_RE.match(text)
        if not m:
            raise self.error(line, col, f"period {text!r} not understood; allowed: quarters such as 2019K1")
        return int(m.group(1)), int(m.group(2))

    def value(self, line, col, raw: str) -> float:
        text = raw.strip().replace("\u00a0", "").replace(" ", "")
        if text in ("", "..", ".", "-"):
            raise self.error(line, col, f"missing value {raw.strip()!r}; every cell needs a number of persons")
        try:
            v = float(text)
        except ValueError:
            raise self.error(line, col, f"{raw.strip()!r} is not a number of persons") from None
        if not np.isfinite(v):
            raise self.error(line, col, f"{raw.strip()!r} is not a finite number")
        if v < 0:
            raise self.error(line, col, f"negative number of persons {raw.strip()}; allowed: >= 0")
        if v != int(v):
            raise self.error(
                line, col, f"{raw.strip()!r} is not a whole number of persons (no decimal or thousands separators)"
            )
        return v

    # --- main --------------------------------------------------------------------------------
    def read(self) -> dict[int, np.ndarray]:
        text = _decode(self.path)
        nonblank = [ln for ln in text.splitlines() if ln.strip()]
        if not nonblank:
            raise self.error(None, None, "file is empty")
        delimiter = _detect_delimiter(nonblank)
        records = []
        reader = csv.reader(io.StringIO(text), delimiter=delimiter)
        try:
            for rec in reader:
                if rec and any(c.strip() for c in rec):
                    records.append((reader.line_num, rec))
        except csv.Error as exc:
            raise self.error(None, None, f"malformed CSV ({exc})") from None
        start, roles, labels = self.find_layout(records)
        width = max(roles.values()) + 1

        # (year, civil key) -> values and filled flags; civil key None = total/no civil status column
        values: dict[tuple, np.ndarray] = {}
        filled: dict[tuple, np.ndarray] = {}
        seen: set[tuple] = set()
        n_region_rows = 0
        years_other_quarters: set[int] = set()
        for line, rec in records[start:]:
            if len(rec) < width:
                raise self.error(line, None, f"has {len(rec)} fields, expected {width} ({delimiter!r}-separated)")
            cell = {role: _clean(rec[i]) for role, i in roles.items()}
            r = self.area(line, labels["area"], cell["area"])
            if r is None:
                continue
            s = self.sex(line, labels["sex"], cell["sex"])
            if s is None:
                continue
            a = self.age(line, labels["age"], cell["age"])
            if a is None:
                continue
            civ = None
            if "civil" in roles:
                c = cell["civil"]
                civ = None if c.lower() in _CIVIL_TOTAL else c
            year, quarter = self.time(line, labels["time"], cell["time"])
            v = self.value(line, labels["value"], cell["value"])
            n_region_rows += 1
            if quarter != 1:
                years_other_quarters.add(year)
                continue
            key = (year, civ, r, s, a)
            if key in seen:
                raise self.error(
                    line, None,
                    f"duplicate row for {year}K1, {REGION_NAMES[r]}, {SEXES[s]}, age {a}"
                    + (f", CIVILSTAND {civ}" if civ else ""),
                )
            seen.add(key)
            k = (year, civ)
            if k not in values:
                values[k] = np.zeros((N_REGIONS, 2, N_AGES))
                filled[k] = np.zeros((N_REGIONS, 2, N_AGES), dtype=bool)
            values[k][r, s, min(a, MAX_AGE)] += v
            filled[k][r, s, min(a, MAX_AGE)] = True

        if n_region_rows == 0:
            raise self.error(
                None, None,
                "no rows for the five regions (OMRÅDE 081-085 / 'Region Nordjylland' ...); the file has only "
                "the whole country, municipalities or totals",
            )
        years = sorted({y for (y, _civ) in values})
        if not years:
            raise self.error(
                None, None,
                "no first-quarter (K1 = 1 January) periods; found only other quarters of "
                + ", ".join(str(y) for y in sorted(years_other_quarters)),
            )
        out: dict[int, np.ndarray] = {}
        for year in years:
            if (year, None) in values:
                arr, ok = values[(year, None)], filled[(year, None)]
            else:
                keys = sorted(k for k in values if k[0] == year)
                arr = sum(values[k] for k in keys)
                ok = np.logical_and.reduce([filled[k] for k in keys])
            if not ok.all():
                problems = []
                for r in range(N_REGIONS):
                    for s in range(2):
                        miss = np.flatnonzero(~ok[r, s])
                        if miss.size:
                            problems.append(f"{REGION_NAMES[r]} {SEXES[s]} ages {ranges(miss.tolist())}")
                shown = "; ".join(problems[:12]) + (f"; ... and {len(problems) - 12} more" if len(problems) > 12 else "")
                raise self.error(
                    None, None,
                    f"missing region x sex x age cells for {year}K1 (1 January {year}): {shown} "
                    "(age 110 means 110 and older; every region, sex and single age 0-110 is needed)",
                )
            out[year] = arr
        return out


@lru_cache(maxsize=8)
def _read_folk1a_cached(stamp) -> dict[int, np.ndarray]:
    result = _Folk1aReader(Path(stamp[0])).read()
    for arr in result.values():
        arr.setflags(write=False)
    return result


def read_folk1a(path) -> dict[int, np.ndarray]:
    """Read a StatBank FOLK1A export: {year: float64 array (5 regions, 2 sexes, 111 ages)} for 1 January.

    Raises DataError (naming the file, line and column) for anything it cannot interpret, and if any
    region x sex x age cell is missing for a year.
    """
    p = Path(path)
    if not p.is_file():
        raise DataError(f"{p}: file not found" if not p.exists() else f"{p}: is a directory, not a file")
    cached = _read_folk1a_cached(file_stamp(p))
    return {year: arr.copy() for year, arr in cached.items()}

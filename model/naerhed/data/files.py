"""Where the data files are and how a file is identified: the package's data folder, the file behind
a table (packaged or the user's own), the cache key of a file, its SHA-256, and the compact way error
messages list whole numbers. Shared by the CSV reader (naerhed.data.reader) and the StatBank reader
(naerhed.data.statbank); imports nothing else of naerhed.data.
"""

from __future__ import annotations

import hashlib
import os
import stat
from pathlib import Path

from ..errors import DataError
from ..limits import MAX_CSV_BYTES
from ..text_files import wide_encoding

#: The folder of the packaged tables (CSV files, SOURCES.md, rules/).
DATA_DIR: Path = Path(__file__).resolve().parent


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


def check_data_file(path) -> None:
    """DataError unless `path` is a regular file of at most MAX_CSV_BYTES in an 8-bit encoding (a
    UTF-16 or UTF-32 file, recognised by its byte order mark or its NUL bytes, is named as such)."""
    p = Path(path)
    try:
        info = os.stat(p)
    except FileNotFoundError:
        raise DataError(f"{p}: data file not found") from None
    except OSError as exc:
        raise DataError(f"{p}: cannot read file ({exc.strerror or exc})") from None
    if stat.S_ISDIR(info.st_mode):
        raise DataError(f"{p}: is a folder, not a data file")
    if not stat.S_ISREG(info.st_mode):
        raise DataError(f"{p}: is not a regular file (a device, pipe or socket), not a data file")
    if info.st_size > MAX_CSV_BYTES:
        raise DataError(f"{p}: the file is {info.st_size / (1 << 20):.0f} MiB, larger than the limit of "
                        f"{MAX_CSV_BYTES >> 20} MiB for a data file (naerhed.limits.MAX_CSV_BYTES)")
    try:
        with open(p, "rb") as handle:
            head = handle.read(64)
    except OSError as exc:
        raise DataError(f"{p}: cannot read file ({exc.strerror or exc})") from None
    wide = wide_encoding(head)
    if wide:
        raise DataError(f"{p}: the file is encoded as {wide}; save it as UTF-8 CSV")


def resolve_file(path, packaged_name: str) -> Path:
    """The file to read: the packaged `packaged_name` if `path` is None, else `path`; DataError if it
    is not an existing file."""
    p = DATA_DIR / packaged_name if path is None else Path(path)
    if not p.is_file():
        what = "packaged data file" if path is None else "data file"
        problem = ("is a directory, not a file" if p.is_dir() else
                   "is not a regular file (a device, pipe or socket)" if p.exists() else "not found")
        raise DataError(f"{p}: {what} {problem}")
    return p


def file_stamp(path: Path) -> tuple[str, int, int]:
    """Cache key of a file's current contents: (absolute path, modification time in ns, size in bytes)."""
    st = path.stat()
    return (str(path.resolve()), st.st_mtime_ns, st.st_size)


def ranges(values) -> str:
    """Whole numbers as compact ranges: [1, 2, 3, 7] -> '1-3, 7'."""
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

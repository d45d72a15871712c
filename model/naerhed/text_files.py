"""Recognising text files in an encoding naerhed does not read (shared by the YAML and CSV readers)."""

from __future__ import annotations

__all__ = ["wide_encoding"]


def wide_encoding(head: bytes) -> str | None:
    """'UTF-16' / 'UTF-32' if the first bytes of a file look like it (a byte order mark, or a NUL byte
    in every other position of the first characters), else None."""
    if head.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        return "UTF-32"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "UTF-16"
    head = head[:64]
    if len(head) >= 8 and (head[1:4] == b"\x00\x00\x00" or head[:3] == b"\x00\x00\x00"):
        return "UTF-32"
    if len(head) >= 4 and (all(b == 0 for b in head[1::2]) or all(b == 0 for b in head[0::2])):
        return "UTF-16"
    return None

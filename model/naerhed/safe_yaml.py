"""The one way naerhed reads YAML: bounded, safe, and with a located message for every failure.

Every YAML text naerhed reads (scenario and rule files, sweep parameter files, the intervention
catalogue, ``--set`` values) is read by `read_text` (files) and `compose` / `load` (texts) here, within
the limits of `naerhed.limits`:

* the file must be a regular file of at most MAX_YAML_BYTES, in UTF-8 (a UTF-16 or UTF-32 file, or
  one in another 8-bit encoding, is named as such);
* no control characters (other than tab and line breaks), each reported with its line and column;
* at most MAX_YAML_NODES values, counting every use of an alias as the full copy it stands for (the
  "billion laughs" bomb is refused while it is composed, in milliseconds), at most MAX_YAML_ALIASES
  aliases, nesting at most MAX_YAML_DEPTH deep, no alias that contains itself;
* integers of at most MAX_INT_DIGITS digits; only YAML's own plain types (SafeLoader: no tag runs code).

Failures raise `YamlInputError` (a NaerhedError) with the place (file as shown, line) and the problem.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import Any, Optional

import yaml

from naerhed.errors import NaerhedError
from naerhed.text_files import wide_encoding
from naerhed.limits import MAX_INT_DIGITS, MAX_YAML_ALIASES, MAX_YAML_BYTES, MAX_YAML_DEPTH, MAX_YAML_NODES

__all__ = ["YamlInputError", "compose", "load", "load_file", "read_text", "Loader"]


class YamlInputError(NaerhedError):
    """A YAML file or text cannot be read safely: `where` (file as shown, or '--set ...'), `line`
    (1-based or None) and `problem` (plain words)."""

    def __init__(self, where: str, line: Optional[int], problem: str):
        self.where, self.line, self.problem = where, line, problem
        place = f"{where}:{line}" if line else where
        super().__init__(f"{place}: {problem}")


def _size_words(n: int) -> str:
    return f"{n / (1 << 20):.1f} MiB" if n >= 1 << 20 else f"{n / 1024:.0f} KiB"


def read_text(path: Path, where: str, noun: str = "file") -> str:
    """The text of a YAML file: a regular file of at most MAX_YAML_BYTES in UTF-8 (a byte order mark is
    allowed). Every failure (missing, a folder or device, too large, unreadable, wrong encoding) is a
    YamlInputError; `where` is the file as shown in messages, `noun` what it is ('scenario file')."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise YamlInputError(where, None, f"{noun} not found") from None
    except OSError as exc:
        raise YamlInputError(where, None, f"cannot read the file: {exc.strerror or exc}") from None
    if stat.S_ISDIR(info.st_mode):
        raise YamlInputError(where, None, f"is a folder, not a {noun}")
    if not stat.S_ISREG(info.st_mode):
        raise YamlInputError(where, None, f"is not a regular file (a device, pipe or socket), not a {noun}")
    if info.st_size > MAX_YAML_BYTES:
        raise YamlInputError(where, None, f"the file is {_size_words(info.st_size)}, larger than the limit of "
                             f"{_size_words(MAX_YAML_BYTES)} for a YAML file (naerhed.limits.MAX_YAML_BYTES)")
    try:
        with open(path, "rb") as handle:
            data = handle.read(MAX_YAML_BYTES + 1)
    except OSError as exc:
        raise YamlInputError(where, None, f"cannot read the file: {exc.strerror or exc}") from None
    if len(data) > MAX_YAML_BYTES:
        raise YamlInputError(where, None, f"the file is larger than the limit of {_size_words(MAX_YAML_BYTES)} "
                             "for a YAML file (naerhed.limits.MAX_YAML_BYTES)")
    return decode(data, where)


def decode(data: bytes, where: str) -> str:
    """UTF-8 text of a file's bytes (a UTF-8 byte order mark is dropped); YamlInputError naming the
    encoding if it is UTF-16 / UTF-32 or not UTF-8."""
    wide = wide_encoding(data[:64])
    if wide:
        raise YamlInputError(where, None, f"the file is encoded as {wide}; save it as UTF-8 text")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise YamlInputError(where, line, f"is not a UTF-8 text file (byte 0x{data[exc.start]:02x} is not UTF-8; "
                             "e.g. a file saved as latin-1 or Windows-1252); save it as UTF-8") from None
    return text[1:] if text.startswith("\ufeff") else text


#: Characters YAML does not allow (the complement of YAML 1.1's printable set).
_NOT_PRINTABLE = re.compile("[^\t\n\r\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _check_printable(text: str, where: str) -> None:
    """YamlInputError at the first character YAML does not allow (a control character or NUL)."""
    found = _NOT_PRINTABLE.search(text)
    if found is None:
        return
    index, code = found.start(), ord(found.group())
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    name = "NUL character" if code == 0 else "control character"
    raise YamlInputError(where, line, f"column {column}: {name} U+{code:04X}; YAML allows no control "
                         "characters other than tab and line breaks (was the file saved as text?)")


class Loader(yaml.SafeLoader):
    """SafeLoader that counts while it composes: values (each alias counted as the copy it stands for),
    aliases and depth, within naerhed.limits; and refuses integers of more than MAX_INT_DIGITS digits."""

    def __init__(self, text: str, where: str):
        super().__init__(text)
        self.where = where
        self.nodes = 0
        self.aliases = 0
        self.depth = 0
        self._sizes: dict[int, tuple[int, int]] = {}

    def _fail(self, mark: Any, problem: str) -> None:
        raise YamlInputError(self.where, mark.line + 1 if mark is not None else None, problem)

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if self.check_event(yaml.AliasEvent):
            self.aliases += 1
            if self.aliases > MAX_YAML_ALIASES:
                self._fail(event.start_mark, f"more than {MAX_YAML_ALIASES} aliases (*name) "
                           "(naerhed.limits.MAX_YAML_ALIASES)")
            anchor = event.anchor
            if anchor in self.anchors:
                node = self.anchors[anchor]
                size = self._size(node, event.start_mark)
                self._count(size, event.start_mark)
        else:
            self._count(1, event.start_mark)
        self.depth += 1
        if self.depth > MAX_YAML_DEPTH:
            self._fail(event.start_mark, f"values nested more than {MAX_YAML_DEPTH} deep "
                       "(naerhed.limits.MAX_YAML_DEPTH)")
        try:
            return super().compose_node(parent, index)
        finally:
            self.depth -= 1

    def _count(self, size: int, mark: Any) -> None:
        self.nodes += size
        if self.nodes > MAX_YAML_NODES:
            self._fail(mark, f"the document has more than {MAX_YAML_NODES:,} values (items of lists and mappings; "
                       "each use of an alias (*name) counts as a copy of what it names, so aliases that expand "
                       "into many values are refused) (naerhed.limits.MAX_YAML_NODES)")

    def _size(self, node: Any, mark: Any, active: frozenset = frozenset()) -> int:
        """Values in `node` with every alias expanded (YamlInputError for an alias inside itself, or
        values nested deeper than MAX_YAML_DEPTH once the aliases are expanded)."""
        return self._measure(node, mark, active)[0]

    def _measure(self, node: Any, mark: Any, active: frozenset) -> tuple[int, int]:
        key = id(node)
        if key in self._sizes:
            return self._sizes[key]
        if key in active or getattr(node, "end_mark", None) is None:
            self._fail(mark, "recursive alias: an alias (*name) is used inside the value it names")
        if isinstance(node, yaml.ScalarNode):
            return 1, 1
        children = node.value if isinstance(node, yaml.SequenceNode) else [n for pair in node.value for n in pair]
        total, depth = 1, 1
        for child in children:
            size, child_depth = self._measure(child, mark, active | {key})
            total, depth = total + size, max(depth, child_depth + 1)
            if total > MAX_YAML_NODES:
                break
        if depth > MAX_YAML_DEPTH:
            self._fail(mark, f"values nested more than {MAX_YAML_DEPTH} deep once the aliases (*name) are expanded "
                       "(naerhed.limits.MAX_YAML_DEPTH)")
        self._sizes[key] = (total, depth)
        return total, depth

    def construct_yaml_int(self, node: Any) -> int:
        digits = sum(ch.isdigit() for ch in str(node.value))
        if digits > MAX_INT_DIGITS:
            self._fail(node.start_mark, f"an integer of {digits:,} digits; at most {MAX_INT_DIGITS} digits "
                       "(naerhed.limits.MAX_INT_DIGITS)")
        return super().construct_yaml_int(node)


Loader.add_constructor("tag:yaml.org,2002:int", Loader.construct_yaml_int)


def compose(text: str, where: str) -> tuple[Optional[yaml.Node], Loader]:
    """The node tree of a YAML text (None if it is empty) and its loader (for constructing values;
    call `loader.dispose()` when done). Raises YamlInputError for a text beyond the limits and
    yaml.YAMLError for a syntax error."""
    _check_printable(text, where)
    loader = Loader(text, where)
    try:
        node = loader.get_single_node()
    except BaseException:
        loader.dispose()
        raise
    if node is not None:
        loader._size(node, node.start_mark)  # an alias inside itself that composing let through
    return node, loader


def load(text: str, where: str) -> Any:
    """The value of a YAML text (None if empty), within the limits. Raises YamlInputError (limits) or
    yaml.YAMLError (syntax, a tag it does not know)."""
    node, loader = compose(text, where)
    try:
        return None if node is None else loader.construct_document(node)
    finally:
        loader.dispose()


def load_file(path: Path, where: Optional[str] = None, noun: str = "file") -> Any:
    """The value of a YAML file, within the limits; every failure (reading, limits, syntax) is a
    YamlInputError naming the file and line."""
    where = where or str(path)
    text = read_text(path, where, noun)
    try:
        return load(text, where)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        what = getattr(exc, "problem", None) or str(exc)
        raise YamlInputError(where, mark.line + 1 if mark is not None else None, f"invalid YAML: {what}") from None

"""Pydantic models read from YAML files, with every problem reported at once and located.

Any pydantic model can be read from a YAML file with `load_yaml_model` (or `load_yaml_document`,
which also returns the files read and where each value was written). Every problem found (YAML
syntax, unknown keys, wrong types, values out of range, the model's own consistency checks) is
reported together, each with the file, line and key path where the offending value was written,
in plain words::

    scenarios/bad.yaml:7: demography.mortality.improvment: unknown key; did you mean 'improvement'?
    Allowed keys: base_period, improvement, trend_period

A file may build on another one with ``extends: other.yaml`` (resolved relative to the file; the
child is deep-merged over the parent: mappings merge key by key, any other value replaces the
parent's). Single values can be overridden with ``key.path=value`` strings (``--set``).

How a kind of file is read and described (its noun in messages, the hint for an empty file, how
`extends` is resolved, plain-words descriptions of particular settings) is a `YamlSpec`.

The models' own validators report problems with `own_error(message, at=..., related=...,
nested=...)`: `at` points below the validated value (e.g. at one key of a mapping), `related`
names a setting the rule relates to (pointed at when the value itself was not written), `nested`
carries the problems of another file the value refers to (listed after this one).
"""

from __future__ import annotations

import copy
import dataclasses
import difflib
import os
import re
import types
import typing
from dataclasses import dataclass, field as dataclass_field
from pathlib import Path
from typing import Annotated, Any, Callable, Literal, Mapping, Optional, Sequence, Union

import yaml
from pydantic import BaseModel, Field, PrivateAttr, ValidationError
from pydantic_core import PydanticCustomError

from naerhed import safe_yaml
from naerhed.errors import ScenarioError

__all__ = [
    "INVALID",
    "NAME_PATTERN",
    "OVERRIDE_SOURCE",
    "OWN_ERROR",
    "LoadedDocument",
    "Origin",
    "Problem",
    "SourceMap",
    "YamlSpec",
    "did_you_mean",
    "expand_user",
    "field",
    "invalid_value",
    "load_yaml_document",
    "load_yaml_model",
    "model_field_info",
    "own_error",
    "problems_from_validation",
]

#: `Problem.file` of a problem caused by a command-line ``--set`` override.
OVERRIDE_SOURCE = "--set"

#: A name that becomes a file or folder name or an output label: letters, digits, '_', '.', '-'.
NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
#: Plain words for the patterns of text settings (in messages about a value that does not match).
PATTERN_WORDS = {
    NAME_PATTERN: "letters a-z and A-Z (no æ, ø, å or other letters), digits, '_', '.' and '-', starting with a "
    f"letter or digit (the pattern {NAME_PATTERN})",
}

#: Error type of the models' own validators; its message is shown to the user as written.
OWN_ERROR = "naerhed"
#: Error type meaning "the value is invalid": the message is derived from the field's description.
INVALID = "naerhed_invalid"


def field(default: Any = ..., *, description: str, unit: str, **kwargs: Any) -> Any:
    """`Field` with a description and a unit (both shown in the JSON Schema)."""
    extra = {"unit": unit}
    if "default_factory" in kwargs:
        return Field(description=description, json_schema_extra=extra, **kwargs)
    return Field(default, description=description, json_schema_extra=extra, **kwargs)


def own_error(
    message: str,
    *,
    related: Optional[str] = None,
    at: Sequence[Any] = (),
    nested: Sequence["Problem"] = (),
) -> PydanticCustomError:
    """An error of a model's own validator, shown as written.

    related: dotted path (sibling of the validated value) of a setting the rule relates to; if the
    value itself was not written, the problem points at that setting instead. at: key path below the
    validated value where the problem is (str keys, int list indices). nested: problems of another
    file that the value refers to, reported after this one."""
    context: dict[str, Any] = {"message": message}
    if related:
        context["related"] = related
    if at:
        context["at"] = tuple(at)
    if nested:
        context["nested"] = tuple(nested)
    return PydanticCustomError(OWN_ERROR, "{message}", context)


def invalid_value() -> PydanticCustomError:
    """'The value is invalid': the message says what the setting must be (from its type)."""
    return PydanticCustomError(INVALID, "invalid value")


# --------------------------------------------------------------------------------------------
# Problems
# --------------------------------------------------------------------------------------------


class FromFiles(BaseModel):
    """A model read from YAML files, which may extend other files: it remembers them."""

    _source_files: tuple[Path, ...] = PrivateAttr(default=())

    def attach_files(self, files: Sequence) -> None:
        """Record the files read, the file itself first (then the files it extends)."""
        self._source_files = tuple(Path(f) for f in files)

    @property
    def source_path(self) -> Optional[Path]:
        """The file this was read from (absolute), or None."""
        return self._source_files[0] if self._source_files else None

    @property
    def source_files(self) -> tuple[Path, ...]:
        """The file and the files it extends, the file itself first (absolute paths)."""
        return self._source_files


@dataclass(frozen=True)
class Problem:
    """One problem in a YAML file: where it is (file, line, key path) and what is wrong.

    `file` is the file as shown to the user, or OVERRIDE_SOURCE ('--set') for a command-line
    override (None if the problem is not in a file); `line` is 1-based (None if unknown);
    `key_path` is dotted (list items as [i])."""

    file: Optional[str]
    line: Optional[int]
    key_path: str
    message: str

    def __str__(self) -> str:
        if self.file == OVERRIDE_SOURCE:
            where = f"{OVERRIDE_SOURCE} {self.key_path}" if self.key_path else OVERRIDE_SOURCE
            return f"{where}: {self.message}"
        parts = []
        if self.file:
            parts.append(f"{self.file}:{self.line}" if self.line else self.file)
        if self.key_path:
            parts.append(self.key_path)
        parts.append(self.message)
        return ": ".join(parts)


@dataclass(frozen=True)
class Origin:
    """Where a value was written: file as shown (or '--set'), line, folder for relative paths."""

    file: str
    line: Optional[int]
    base_dir: Path


KeyPath = tuple  # str keys and int list indices
SourceMap = dict  # KeyPath -> Origin


class _Fatal(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems


# --------------------------------------------------------------------------------------------
# What kind of file
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class YamlSpec:
    """How one kind of YAML file is read and described in messages.

    model: the root pydantic model. noun: what the file is called in messages ('scenario file').
    empty_hint: said after 'the file is empty; '. allow_extends: whether `extends:` is allowed.
    extends_help: what `extends` must be (shown when it is not text). resolve_extends: optional
    function (target text, folder of the file) -> Path or None, tried before the relative path (e.g.
    names of packaged files). expect_overrides: plain-words descriptions of particular settings by
    dotted path (mapping keys as '*'), used instead of the one derived from the type. union_tags:
    prefixes of the tags of callable-discriminated unions, dropped from error locations.
    override_example: an example ``key.path=value`` for messages about overrides."""

    model: type[BaseModel]
    noun: str = "file"
    empty_hint: str = "it needs at least the required keys"
    allow_extends: bool = True
    extends_help: str = ""
    resolve_extends: Optional[Callable[[str, Path], Optional[Path]]] = None
    expect_overrides: Mapping[str, str] = dataclass_field(default_factory=dict)
    union_tags: tuple[str, ...] = ()
    override_example: tuple[str, str] = ("demography.migration.scale", "0.5")

    def extends_message(self) -> str:
        return self.extends_help or (
            f"must be the path of another {self.noun} (relative to this file), e.g. extends: base.yaml"
        )


@dataclass(frozen=True)
class LoadedDocument:
    """A validated model and where it came from.

    files: the file and the files it extends, the file itself first (absolute paths); overrides:
    the ``key.path=value`` overrides applied, in order; lines: dotted key path -> (file as shown,
    line) of every value written in a file."""

    model: BaseModel
    files: tuple[Path, ...]
    overrides: tuple[str, ...]
    lines: dict[str, tuple[str, Optional[int]]]


# --------------------------------------------------------------------------------------------
# Introspection of the models (for messages and field listings)
# --------------------------------------------------------------------------------------------


def _as_model(annotation: Any) -> Optional[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _union_args(annotation: Any) -> Optional[tuple]:
    origin = typing.get_origin(annotation)
    if origin is Union or origin is types.UnionType:
        return typing.get_args(annotation)
    return None


def _unwrap(annotation: Any, metadata: Sequence[Any] = ()) -> tuple[Any, list]:
    """(bare type, constraint metadata) of a possibly `Annotated` type."""
    metadata = list(metadata)
    while typing.get_origin(annotation) is Annotated:
        args = typing.get_args(annotation)
        annotation = args[0]
        for extra in args[1:]:
            metadata.extend(getattr(extra, "metadata", [extra]))
    return annotation, metadata


def _container(annotation: Any) -> Optional[tuple]:
    """('dict', key type, value type), ('list', item type) or ('tuple', item types) of a type that is
    (or, in a union, has a member that is) a container; else None."""
    bare, _ = _unwrap(annotation)
    origin = typing.get_origin(bare)
    if origin is dict:
        key, value = typing.get_args(bare) or (Any, Any)
        return ("dict", key, value)
    if origin is list:
        (item,) = typing.get_args(bare) or (Any,)
        return ("list", item)
    if origin is tuple:
        return ("tuple", typing.get_args(bare))
    for member in _union_args(bare) or ():
        found = _container(member)
        if found is not None:
            return found
    return None


def _number(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


def _range_words(metadata: Sequence[Any]) -> str:
    lo = hi = None
    lo_excl = hi_excl = False
    for item in metadata:
        if getattr(item, "ge", None) is not None:
            lo = item.ge
        if getattr(item, "gt", None) is not None:
            lo, lo_excl = item.gt, True
        if getattr(item, "le", None) is not None:
            hi = item.le
        if getattr(item, "lt", None) is not None:
            hi, hi_excl = item.lt, True
    if lo is not None and hi is not None:
        return (
            f" between {_number(lo)}{' (exclusive)' if lo_excl else ''}"
            f" and {_number(hi)}{' (exclusive)' if hi_excl else ''}"
        )
    if lo is not None:
        return f" {'greater than' if lo_excl else 'at least'} {_number(lo)}"
    if hi is not None:
        return f" {'less than' if hi_excl else 'at most'} {_number(hi)}"
    return ""


def _expect(annotation: Any, metadata: Sequence[Any] = (), unit: str = "") -> str:
    """Plain-words description of the values allowed for a type."""
    annotation, metadata = _unwrap(annotation, metadata)
    members = _union_args(annotation)
    if members is not None:
        others = [m for m in members if m is not type(None)]
        words = " or ".join(_expect(m) for m in others)
        if len(others) < len(members):
            words += ", or empty (null)"
        return f"either {words}" if len(others) > 1 else words
    if typing.get_origin(annotation) is Literal:
        choices = typing.get_args(annotation)
        if len(choices) == 1:
            return repr(choices[0])
        return "one of: " + ", ".join(str(c) for c in choices)
    model = _as_model(annotation)
    if model is not None:
        return "a section with the keys: " + ", ".join(sorted(model.model_fields))
    origin = typing.get_origin(annotation)
    if origin is tuple:
        items = typing.get_args(annotation)
        count = {2: "two"}.get(len(items), str(len(items)))
        if re.search(r"\bages?\b", unit):
            item_words = _expect(items[0], unit="age") if items else "a value"
            return f"a list of {count} ages [youngest, oldest], each {item_words}"
        item_words = _expect(items[0], unit="year") if items else "a value"
        return f"a list of {count} years [first, last], each {item_words}"
    if origin is list:
        (item,) = typing.get_args(annotation) or (Any,)
        return f"a list, each item {_expect(item)}"
    if origin is dict:
        key, value = typing.get_args(annotation) or (Any, Any)
        return f"a mapping (key: value) with keys {_expect(key)} and values {_expect(value)}"
    if annotation is bool:
        return "true or false"
    if annotation is int:
        if re.search(r"\bages?\b", unit):
            return "an age" + _range_words(metadata) + " (years)"
        noun = "a year" if "year" in unit or "year" in str(metadata) else "a whole number"
        return noun + _range_words(metadata)
    if annotation is float:
        return "a number" + _range_words(metadata)
    if annotation is str:
        pattern = next((m.pattern for m in metadata if getattr(m, "pattern", None)), None)
        longest = next((m.max_length for m in metadata if getattr(m, "max_length", None)), None)
        words = "text" if pattern is None else f"text made of {PATTERN_WORDS.get(pattern, f'characters matching {pattern}')}"
        return words + (f", at most {longest} characters" if longest else "")
    if annotation is Path:
        return "the path of an existing file"
    return str(annotation)


def _member_model(annotation: Any) -> Optional[type[BaseModel]]:
    """The section model of a setting, also when it is one member of a union."""
    bare, _ = _unwrap(annotation)
    model = _as_model(bare)
    if model is not None:
        return model
    for member in _union_args(bare) or ():
        model = _member_model(member)
        if model is not None:
            return model
    return None


def _tagged_member(annotation: Any, tag: str) -> Any:
    """The member of a tagged union (also inside Optional or Annotated) whose pydantic Tag is `tag`,
    or None."""
    bare, metadata = _unwrap(annotation)
    if any(getattr(item, "tag", None) == tag for item in metadata):
        return annotation
    for member in _union_args(bare) or ():
        found = _tagged_member(member, tag)
        if found is not None:
            return found
    return None


def _unit_of(info: Any) -> str:
    extra = info.json_schema_extra
    return str(extra.get("unit", "")) if isinstance(extra, dict) else ""


def _field_at(root: type[BaseModel], loc: Sequence[Any]) -> Optional[tuple[Any, list, str, str]]:
    """(annotation, metadata, unit, dotted path) of the setting at a validation location, or None.

    Keys of mappings are written '*' in the dotted path; '[key]' (pydantic's location of an invalid
    mapping key) gives the key's type. A key or index that carries a union tag (`_strip_union_tags`)
    leads into that member of the union when the member is a section."""
    model: Optional[type[BaseModel]] = root
    annotation: Any = None
    metadata: list = []
    unit = ""
    names: list[str] = []
    key_type: Any = None
    for part in loc:
        container = _container(annotation) if annotation is not None else None
        if part == "[key]" and key_type is not None:
            annotation, metadata = _unwrap(key_type)
            model, key_type = None, None
            names.append("[key]")
        elif container is not None and container[0] == "dict" and not isinstance(part, int):
            key_type = container[1]
            annotation, metadata = _unwrap(container[2])
            model = _member_model(annotation)
            names.append("*")
        elif isinstance(part, str) and model is not None and part in model.model_fields:
            info = model.model_fields[part]
            annotation, metadata = info.annotation, list(info.metadata)
            unit = _unit_of(info)
            model = _member_model(annotation)
            names.append(part)
            key_type = None
        elif isinstance(part, int) and container is not None and container[0] in ("tuple", "list"):
            if container[0] == "tuple":
                items = container[1]
                annotation, metadata = _unwrap(items[min(part, len(items) - 1)])
                unit = "age" if re.search(r"\bages?\b", unit) else ("year" if "year" in unit else unit)
            else:
                annotation, metadata = _unwrap(container[1])
            model = _member_model(annotation)
            names.append(f"[{part}]")
            key_type = None
        else:
            return None
        member = _tagged_member(annotation, part.union_tag) if hasattr(part, "union_tag") else None
        if member is not None and _member_model(member) is not None:
            annotation, metadata = _unwrap(member)
            model = _member_model(annotation)
    return annotation, metadata, unit, ".".join(names).replace(".[", "[")


def model_field_info(root: type[BaseModel]) -> dict[str, dict[str, str]]:
    """Every setting (leaf of the tree of sections) by dotted key path: its description and unit."""
    result: dict[str, dict[str, str]] = {}

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, info in model.model_fields.items():
            sub = _as_model(info.annotation)
            path = f"{prefix}{name}"
            if sub is not None:
                walk(sub, path + ".")
            else:
                result[path] = {"description": info.description or "", "unit": _unit_of(info)}

    walk(root, "")
    return result


def _section_paths(root: type[BaseModel]) -> set[str]:
    result: set[str] = set()

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, info in model.model_fields.items():
            sub = _as_model(info.annotation)
            if sub is not None:
                result.add(prefix + name)
                walk(sub, prefix + name + ".")

    walk(root, "")
    return result


def _format_path(path: Sequence[Any]) -> str:
    text = ""
    for part in path:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + str(part)
    return text


def _show(value: Any) -> str:
    """A value as the user would have written it in YAML."""
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        text = repr(value)
    elif isinstance(value, dict):
        text = "a section with the keys: " + ", ".join(str(k) for k in value)
    elif isinstance(value, (list, tuple)):
        text = "[" + ", ".join(_show(v) for v in value) + "]"
    else:
        text = str(value)
    return text if len(text) <= 80 else text[:77] + "..."


def did_you_mean(word: str, allowed: Sequence[str]) -> Optional[str]:
    """The allowed word closest to `word` (case-insensitive), or None if none is close."""
    lowered = {str(name).lower(): str(name) for name in allowed}
    close = difflib.get_close_matches(str(word).lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[close[0]] if close else None


def _unknown_key_message(spec: YamlSpec, loc: KeyPath, allowed: Optional[Sequence[str]] = None) -> str:
    if allowed is None:
        parent = _field_at(spec.model, loc[:-1]) if loc[:-1] else (spec.model, [], "", "")
        model = _member_model(parent[0]) if parent else None
        if model is None:
            return "unknown key"
        allowed = sorted(model.model_fields)
        if model is spec.model and spec.allow_extends:
            allowed = sorted(allowed + ["extends"])
    else:
        allowed = [str(a) for a in allowed]
    key = str(loc[-1])
    close = did_you_mean(key, allowed)
    if close:
        hint = f"; did you mean '{close}'?"
    else:
        here = _format_path(loc)
        elsewhere = sorted(
            path
            for path in set(model_field_info(spec.model)) | _section_paths(spec.model)
            if path.split(".")[-1] == key and path != here
        )
        if elsewhere:
            hint = " here; did you mean " + " or ".join(f"'{p}'" for p in elsewhere) + "?"
        else:
            hint = "."
    return f"unknown key{hint} Allowed keys: {', '.join(allowed)}"


def _expect_at(spec: YamlSpec, loc: KeyPath) -> str:
    found = _field_at(spec.model, loc)
    if found is None:
        return "a valid value"
    annotation, metadata, unit, dotted = found
    if dotted in spec.expect_overrides:
        return spec.expect_overrides[dotted]
    return _expect(annotation, metadata, unit)


# --------------------------------------------------------------------------------------------
# Reading YAML with line numbers
# --------------------------------------------------------------------------------------------


def expand_user(text: str) -> str:
    """`text` with a leading ~ or ~user replaced by that user's home folder (os.path.expanduser);
    ValueError saying so if ~user names no user of this computer."""
    expanded = os.path.expanduser(text)
    if expanded.startswith("~"):
        user = expanded[1:].split("/", 1)[0].split(os.sep, 1)[0]
        raise ValueError(f"there is no user {user!r} on this computer, so '~{user}' in {text!r} names no "
                         "home folder; write the path without ~ (or ~/ for your own home folder)")
    return expanded


def _display(path: Union[str, os.PathLike]) -> str:
    return os.path.normpath(os.path.expanduser(os.fspath(path)))


def _yaml_problem(display: str, exc: yaml.YAMLError) -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = mark.line + 1 if mark is not None else None
    what = getattr(exc, "problem", None) or str(exc)
    message = f"invalid YAML: {what}"
    context, context_mark = getattr(exc, "context", None), getattr(exc, "context_mark", None)
    if context and context_mark is not None and context_mark.line + 1 != line:
        message += f" ({context} that starts on line {context_mark.line + 1})"
    elif context:
        message += f" ({context})"
    if "\\t" in what or "\t" in what:
        message += "; YAML does not allow tabs for indentation, use spaces"
    elif "mapping values are not allowed" in what:
        message += "; check the indentation and that a space follows each ':'"
    return Problem(display, line, "", message)


def _read_yaml(display: str, spec: YamlSpec) -> tuple[dict, SourceMap, list[Problem]]:
    """Read one file. Returns (data, source map, non-fatal problems); raises _Fatal if the file
    cannot be used at all."""
    path = Path(display)
    try:
        text = safe_yaml.read_text(path, display, spec.noun)
    except safe_yaml.YamlInputError as exc:
        raise _Fatal([Problem(display, exc.line, "", exc.problem)]) from None

    base_dir = path.resolve().parent
    problems: list[Problem] = []
    source_map: SourceMap = {(): Origin(display, None, base_dir)}
    try:
        node, loader = safe_yaml.compose(text, display)
    except safe_yaml.YamlInputError as exc:
        raise _Fatal([Problem(display, exc.line, "", exc.problem)]) from None
    except yaml.YAMLError as exc:
        raise _Fatal([_yaml_problem(display, exc)]) from None
    try:
        if node is None or (isinstance(node, yaml.ScalarNode) and node.tag.endswith(":null")):
            raise _Fatal([Problem(display, None, "", f"the file is empty; {spec.empty_hint}")])
        if not isinstance(node, yaml.MappingNode):
            kind = "a list" if isinstance(node, yaml.SequenceNode) else f"the value {node.value!r}"
            raise _Fatal(
                [
                    Problem(
                        display,
                        node.start_mark.line + 1,
                        "",
                        f"the top level must be a mapping of keys (key: value), but it is {kind}",
                    )
                ]
            )
        data = _convert(node, (), loader, display, base_dir, source_map, problems, set())
    finally:
        loader.dispose()
    return data, source_map, problems


#: The tags of plain mappings and lists (any other tag on them is refused, never constructed).
_PLAIN_TAGS = ("tag:yaml.org,2002:map", "tag:yaml.org,2002:seq")


def _convert(
    node: yaml.Node,
    path: KeyPath,
    loader: safe_yaml.Loader,
    display: str,
    base_dir: Path,
    source_map: SourceMap,
    problems: list[Problem],
    active: set,
) -> Any:
    if id(node) in active:
        problems.append(
            Problem(display, node.start_mark.line + 1, _format_path(path), "recursive YAML alias")
        )
        return None
    if not isinstance(node, yaml.ScalarNode) and node.tag not in _PLAIN_TAGS:
        problems.append(Problem(display, node.start_mark.line + 1, _format_path(path),
                                f"the YAML tag {node.tag} is not allowed; write plain values (no !! tags)"))
        return None
    if isinstance(node, yaml.MappingNode):
        active = active | {id(node)}
        result: dict = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if key_node.tag == "tag:yaml.org,2002:merge":
                problems.append(
                    Problem(
                        display,
                        line,
                        _format_path(path),
                        "YAML merge keys ('<<') are not supported; use 'extends: other.yaml'",
                    )
                )
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(
                    Problem(display, line, _format_path(path), "a key must be a plain word")
                )
                continue
            key = str(key_node.value)
            key_path = path + (key,)
            if key in result:
                first = source_map[key_path].line
                problems.append(
                    Problem(
                        display,
                        line,
                        _format_path(key_path),
                        f"duplicate key; it is already set on line {first}",
                    )
                )
                continue
            source_map[key_path] = Origin(display, line, base_dir)
            result[key] = _convert(
                value_node, key_path, loader, display, base_dir, source_map, problems, active
            )
        return result
    if isinstance(node, yaml.SequenceNode):
        active = active | {id(node)}
        items = []
        for index, item in enumerate(node.value):
            item_path = path + (index,)
            source_map[item_path] = Origin(display, item.start_mark.line + 1, base_dir)
            items.append(
                _convert(item, item_path, loader, display, base_dir, source_map, problems, active)
            )
        return items
    try:
        return loader.construct_object(node, deep=True)
    except safe_yaml.YamlInputError as exc:
        problems.append(Problem(display, exc.line, _format_path(path), exc.problem))
        return None
    except yaml.YAMLError as exc:
        problem = _yaml_problem(display, exc)
        problems.append(Problem(display, problem.line, _format_path(path), problem.message))
        return node.value


# --------------------------------------------------------------------------------------------
# extends, merging and overrides
# --------------------------------------------------------------------------------------------

_MISSING = object()


def _get(data: Any, path: KeyPath) -> Any:
    for part in path:
        if isinstance(data, dict) and part in data:
            data = data[part]
        elif isinstance(data, list) and isinstance(part, int) and 0 <= part < len(data):
            data = data[part]
        else:
            return _MISSING
    return data


def _deep_merge(base: Any, over: Any) -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        result = dict(base)
        for key, value in over.items():
            result[key] = _deep_merge(base[key], value) if key in base else copy.deepcopy(value)
        return result
    return copy.deepcopy(over)


def _merge_layer(
    base: dict, base_map: SourceMap, over: dict, over_map: SourceMap
) -> tuple[dict, SourceMap]:
    """Deep-merge `over` on `base`, keeping track of where each value was written."""

    def replaced(path: KeyPath) -> bool:
        for length in range(len(path)):
            prefix = path[:length]
            if prefix in over_map and not (
                isinstance(_get(base, prefix), dict) and isinstance(_get(over, prefix), dict)
            ):
                return True
        return False

    merged_map = {path: origin for path, origin in base_map.items() if not replaced(path)}
    merged_map.update(over_map)
    return _deep_merge(base, over), merged_map


def _load_chain(
    display: str, spec: YamlSpec, stack: tuple[Path, ...]
) -> list[tuple[dict, SourceMap, list[Problem], Path]]:
    """Layers (data, source map, problems, file) of a file and the files it extends, root first."""
    real = Path(display).resolve()
    data, source_map, problems = _read_yaml(display, spec)
    layers: list = []
    if "extends" in data and spec.allow_extends:
        origin = source_map.pop(("extends",))
        target = data.pop("extends")
        for path in [p for p in source_map if p[:1] == ("extends",)]:
            del source_map[path]
        if not isinstance(target, str) or not target.strip():
            raise _Fatal(
                [Problem(display, origin.line, "extends", f"{spec.extends_message()}; got {_show(target)}")]
            )
        special = spec.resolve_extends(target.strip(), real.parent) if spec.resolve_extends else None
        if special is not None:
            parent = _display(special)
        else:
            try:
                expanded = expand_user(target.strip())
            except ValueError as exc:
                raise _Fatal([Problem(display, origin.line, "extends", str(exc))]) from None
            parent = _display(os.path.join(os.path.dirname(display), expanded))
        parent_real = Path(parent).resolve()
        chain = stack + (real,)
        if parent_real in chain:
            cycle = [str(p.name) for p in chain[chain.index(parent_real):]] + [parent_real.name]
            raise _Fatal(
                [
                    Problem(
                        display,
                        origin.line,
                        "extends",
                        f"{spec.noun}s extend each other in a cycle: " + " -> ".join(cycle),
                    )
                ]
            )
        if not parent_real.is_file():
            raise _Fatal(
                [
                    Problem(
                        display,
                        origin.line,
                        "extends",
                        f"cannot find the {spec.noun} it extends: {parent}"
                        + ("" if os.path.isabs(target) else f" (looked in {parent_real.parent})"),
                    )
                ]
            )
        layers = _load_chain(parent, spec, chain)
    return layers + [(data, source_map, problems, real)]


def _parse_override(text: str, spec: YamlSpec, problems: list[Problem]) -> Optional[tuple[KeyPath, Any]]:
    example_key, example_value = spec.override_example
    if "=" not in text:
        problems.append(
            Problem(
                OVERRIDE_SOURCE,
                None,
                text,
                f"must have the form key.path=value, e.g. {example_key}={example_value}",
            )
        )
        return None
    key_text, value_text = text.split("=", 1)
    key_text = key_text.strip()
    path = _split_key_path(key_text)
    if path is None:
        problems.append(
            Problem(
                OVERRIDE_SOURCE,
                None,
                key_text,
                f"the key path must be key names separated by '.', with [n] for the n-th item of a list "
                f"(counting from 0), e.g. {example_key}",
            )
        )
        return None
    try:
        value = safe_yaml.load(value_text, f"{OVERRIDE_SOURCE} {key_text}") if value_text.strip() else None
    except safe_yaml.YamlInputError as exc:
        problems.append(Problem(OVERRIDE_SOURCE, None, key_text, f"cannot read the value: {exc.problem}"))
        return None
    except yaml.YAMLError as exc:
        what = getattr(exc, "problem", None) or str(exc)
        problems.append(
            Problem(
                OVERRIDE_SOURCE,
                None,
                key_text,
                f"cannot read the value {value_text!r} ({what}); write a single YAML value, "
                "e.g. 0.5, trend or [2016, 2018]",
            )
        )
        return None
    return path, value


def _split_key_path(text: str) -> Optional[KeyPath]:
    """'a.b[2].c' -> ('a', 'b', 2, 'c'); None if malformed."""
    import re

    if not text:
        return None
    path: list[Any] = []
    for part in text.split("."):
        match = re.fullmatch(r"\s*([^\[\]\s]+)\s*((?:\[\d+\])*)\s*", part)
        if match is None:
            return None
        path.append(match.group(1))
        path.extend(int(i) for i in re.findall(r"\[(\d+)\]", match.group(2)))
    return tuple(path)


def _set_in(data: dict, path: KeyPath, value: Any) -> dict:
    """A copy of `data` with the value at `path` replaced (sections created as needed; list items
    must exist, see _check_override_path)."""
    result = copy.deepcopy(data)
    current: Any = result
    for part in path[:-1]:
        if isinstance(part, int):
            current = current[part]
        else:
            if not isinstance(current.get(part), (dict, list)):
                current[part] = {}
            current = current[part]
    current[path[-1]] = value
    return result


def _check_override_path(spec: YamlSpec, path: KeyPath, data: dict) -> Optional[str]:
    """Why `path` cannot be set (it goes through a value that is not a section, or a list item that
    does not exist), or None."""
    current: Any = data
    for depth, part in enumerate(path):
        if not isinstance(part, int):
            if isinstance(current, dict):
                current = current.get(part)
            elif depth and isinstance(path[depth - 1], int):  # into a list item that is not a section
                here = _format_path(path[:depth])
                return f"'{here}' is {_show(current)}, not a section with keys, so it has no key '{part}'"
            else:
                current = None
            continue
        here = _format_path(path[:depth])
        if not isinstance(current, list):
            return f"'{here}' is not a list in the scenario, so it has no item [{part}]"
        if part >= len(current):
            return f"'{here}' has {len(current)} item(s), numbered from 0; there is no item [{part}]"
        current = current[part]
    if any(isinstance(part, int) for part in path):
        return None
    model: Optional[type[BaseModel]] = spec.model
    current = data
    for depth, part in enumerate(path[:-1]):
        here = _format_path(path[: depth + 1])
        if model is not None and part in model.model_fields:
            annotation = model.model_fields[part].annotation
            model = _as_model(annotation)
            if model is None and (_container(annotation) or ("",))[0] != "dict":
                return f"'{here}' is a single value, not a section with keys; use --set {here}=VALUE"
        else:
            model = None
        if isinstance(current, dict) and part in current:
            current = current[part]
            if current is not None and not isinstance(current, dict):
                return f"'{here}' is {_show(current)}, not a section with keys"
        else:
            current = None
    return None


def _nest(path: KeyPath, value: Any) -> dict:
    for part in reversed(path):
        value = {part: value}
    return value


def _override_map(path: KeyPath, value: Any, origin: Origin) -> SourceMap:
    result: SourceMap = {path: origin}
    if isinstance(value, dict):
        for key, sub in value.items():
            result.update(_override_map(path + (str(key),), sub, origin))
    elif isinstance(value, list):
        for index, sub in enumerate(value):
            result.update(_override_map(path + (index,), sub, origin))
    return result


# --------------------------------------------------------------------------------------------
# Validation errors -> problems
# --------------------------------------------------------------------------------------------


def _nearest_origin(loc: KeyPath, source_map: SourceMap) -> Origin:
    for length in range(len(loc), -1, -1):
        if loc[:length] in source_map:
            return source_map[loc[:length]]
    raise AssertionError("the source map has no root")  # pragma: no cover


class _TaggedKey(str):
    """A key of a location, with the tag of the union member that the value at it was read as."""

    union_tag: str


class _TaggedIndex(int):
    """A list index of a location, with the tag of the union member that the item was read as."""

    union_tag: str


def _strip_union_tags(spec: YamlSpec, loc: Sequence[Any]) -> tuple:
    """Drop the tags pydantic inserts into locations inside a tagged union; each tag stays attached
    to the key or index before it (equal to the plain one), so `_field_at` can follow the member."""
    if not spec.union_tags:
        return tuple(loc)
    parts: list[Any] = []
    for part in loc:
        if isinstance(part, str) and part.startswith(spec.union_tags):
            if parts:
                tagged = (_TaggedIndex if isinstance(parts[-1], int) else _TaggedKey)(parts[-1])
                tagged.union_tag = part
                parts[-1] = tagged
        else:
            parts.append(part)
    return tuple(parts)


def _literal_choices(annotation: Any) -> Optional[tuple]:
    bare, _ = _unwrap(annotation)
    if typing.get_origin(bare) is Literal:
        return typing.get_args(bare)
    return None


def problems_from_validation(
    spec: YamlSpec, error: ValidationError, source_map: SourceMap
) -> list[Problem]:
    """The problems of a pydantic ValidationError, located with the source map."""
    problems: list[Problem] = []
    nested_problems: list[Problem] = []
    seen: set[tuple] = set()
    root = spec.model
    for item in error.errors(include_url=False):
        loc: KeyPath = _strip_union_tags(spec, item["loc"])
        kind = item["type"]
        ctx = item.get("ctx") or {}
        value = item.get("input", _MISSING)
        key_error = bool(loc) and loc[-1] == "[key]"
        key_annotation = None
        if key_error:
            found = _field_at(root, loc)
            key_annotation = found[0] if found else None
            loc = loc[:-1]
        if kind == OWN_ERROR and ctx.get("at"):
            loc = loc + tuple(ctx["at"])
        elif kind != "extra_forbidden" and not key_error and loc and _field_at(root, loc) is None:
            # a location inside a setting (e.g. a union member's tag): report the setting itself
            while loc and _field_at(root, loc) is None:
                loc = loc[:-1]
            value = _MISSING
        if kind in ("missing", "too_short", "too_long") and loc and isinstance(loc[-1], int):
            loc = loc[:-1]  # a list with the wrong number of items: report the list
            kind = "invalid_list"
        origin_loc = loc
        if kind == OWN_ERROR:
            message = str(ctx.get("message", item["msg"]))
            if ctx.get("related"):
                # a rule relating two settings: if this one was not written, point at the other
                related = loc[:-1] + tuple(str(ctx["related"]).split("."))
                if loc not in source_map and related in source_map:
                    origin_loc = related
                    message += f" ({_format_path(loc)} is not set, so its default applies)"
            nested_problems.extend(ctx.get("nested", ()))
        elif kind == "extra_forbidden":
            message = _unknown_key_message(spec, loc)
        elif key_error:
            choices = _literal_choices(key_annotation)
            if choices is not None:
                message = _unknown_key_message(spec, loc, allowed=[str(c) for c in choices])
            else:
                words = _expect(key_annotation) if key_annotation is not None else "a valid key"
                message = f"invalid key; each key here must be {words}"
        elif kind == "missing":
            message = f"required key is missing; it must be {_expect_at(spec, loc)}"
        elif kind == "too_long" and "max_length" in ctx:
            message = f"has {ctx.get('actual_length', 'too many')} items; at most {ctx['max_length']} items"
        else:
            message = f"must be {_expect_at(spec, loc)}"
            if value is not _MISSING:
                message += f"; got {_show(value)}"
        origin = _nearest_origin(origin_loc, source_map)
        problem = Problem(origin.file, origin.line, _format_path(loc), message)
        if (problem.key_path, problem.message) not in seen:
            seen.add((problem.key_path, problem.message))
            problems.append(problem)
    return problems + [p for p in nested_problems if p not in problems]


# --------------------------------------------------------------------------------------------
# The loader
# --------------------------------------------------------------------------------------------


def load_yaml_document(
    path: Union[str, os.PathLike],
    spec: YamlSpec,
    overrides: Sequence[str] = (),
    *,
    prepare: Optional[Callable[[dict, SourceMap], None]] = None,
    error: type[Exception] = ScenarioError,
    context: Optional[dict] = None,
) -> LoadedDocument:
    """Read a YAML file (following `extends` if the spec allows it), apply ``key.path=value``
    overrides and validate it as `spec.model`.

    prepare(data, source map) may adjust the merged data before validation (e.g. make relative
    paths absolute; `SourceMap` values have `base_dir`, the folder of the file that wrote the value).
    Raises `error(problems)` listing every problem found, each with file, line and key path."""
    if isinstance(overrides, str):
        overrides = [overrides]
    display = _display(path)
    try:
        layers = _load_chain(display, spec, ())
    except _Fatal as fatal:
        raise error(fatal.problems) from None

    problems: list[Problem] = []
    data: dict = {}
    source_map: SourceMap = {}
    for layer_data, layer_map, layer_problems, _ in layers:
        problems.extend(layer_problems)
        data, source_map = _merge_layer(data, source_map, layer_data, layer_map)

    applied: list[str] = []
    given: dict[KeyPath, tuple[str, Any]] = {}  # key path -> (override text, value) of the last override
    shadowed: list[tuple[str, KeyPath, Any]] = []  # overrides replaced by a later one of the same key
    cwd = Path.cwd()
    for text in overrides:
        parsed = _parse_override(str(text), spec, problems)
        if parsed is None:
            continue
        key_path, value = parsed
        blocked = _check_override_path(spec, key_path, data)
        if blocked:
            problems.append(Problem(OVERRIDE_SOURCE, None, _format_path(key_path), blocked))
            continue
        if key_path in given:
            shadowed.append((given[key_path][0], key_path, given[key_path][1]))
        given[key_path] = (str(text), value)
        data, source_map = _apply_override(data, source_map, key_path, value, cwd)
        applied.append(str(text))

    for text, key_path, value in shadowed:  # an invalid value is reported, even if set again later
        problems.extend(_shadowed_problems(spec, data, source_map, text, key_path, value, cwd, prepare, context))

    if prepare is not None:
        prepare(data, source_map)
    model: Optional[BaseModel] = None
    try:
        model = spec.model.model_validate(data, context=context)
    except ValidationError as exc:
        problems.extend(problems_from_validation(spec, exc, source_map))

    if problems:
        order = {layer[3]: i for i, layer in enumerate(reversed(layers))}

        def sort_key(problem: Problem) -> tuple:
            if problem.file == OVERRIDE_SOURCE:
                return (len(order) + 1, 0)
            rank = order.get(Path(problem.file).resolve(), len(order)) if problem.file else 0
            return (rank, problem.line or 0)

        raise error(sorted(problems, key=sort_key))
    assert model is not None
    lines = {
        _format_path(key): (origin.file, origin.line) for key, origin in source_map.items() if key
    }
    return LoadedDocument(
        model=model,
        files=tuple(layer[3] for layer in reversed(layers)),
        overrides=tuple(applied),
        lines=lines,
    )


def _apply_override(data: dict, source_map: SourceMap, key_path: KeyPath, value: Any,
                    cwd: Path) -> tuple[dict, SourceMap]:
    """The data and source map with one ``key.path=value`` override applied (its path checked)."""
    origin = Origin(OVERRIDE_SOURCE, None, cwd)
    layer_map = _override_map(key_path, value, origin)
    for length in range(1, len(key_path)):  # sections the override creates
        existing = _get(data, key_path[:length])
        if existing is _MISSING or existing is None:
            layer_map[key_path[:length]] = origin
    if any(isinstance(part, int) for part in key_path):  # into an existing list item
        return _set_in(data, key_path, value), {**source_map, **layer_map}
    return _merge_layer(data, source_map, _nest(key_path, value), layer_map)


def _shadowed_problems(spec: YamlSpec, data: dict, source_map: SourceMap, text: str, key_path: KeyPath,
                       value: Any, cwd: Path, prepare: Optional[Callable], context: Optional[dict]) -> list[Problem]:
    """The problems of an override that a later override of the same key replaced: the data validated
    with its value instead, problems at its key path only."""
    trial, trial_map = _apply_override(copy.deepcopy(data), dict(source_map), key_path, value, cwd)
    if prepare is not None:
        prepare(trial, trial_map)
    try:
        spec.model.model_validate(trial, context=context)
    except ValidationError as exc:
        here = _format_path(key_path)
        return [
            dataclasses.replace(p, message=f"{p.message} (in --set {text}, which a later --set of the same key "
                                f"replaces: give each setting once)")
            for p in problems_from_validation(spec, exc, trial_map)
            if p.file == OVERRIDE_SOURCE and (p.key_path == here or p.key_path.startswith((here + ".", here + "[")))
        ]
    return []


def load_yaml_model(
    path: Union[str, os.PathLike],
    model_cls: type[BaseModel],
    overrides: Sequence[str] = (),
    allow_extends: bool = True,
    *,
    noun: str = "file",
    error: type[Exception] = ScenarioError,
) -> BaseModel:
    """Read a YAML file as `model_cls`, reporting every problem with file, line and key path
    (raises `error(problems)`, by default ScenarioError). See `load_yaml_document` and `YamlSpec`
    for the finer controls."""
    spec = YamlSpec(model=model_cls, noun=noun, allow_extends=allow_extends)
    return load_yaml_document(path, spec, overrides, error=error).model


def json_schema_with_extends(model: type[BaseModel], extends_description: str, extends_unit: str) -> dict:
    """JSON Schema (draft 2020-12) of a YAML file of `model`, with the `extends:` key described first."""
    schema = model.model_json_schema()
    properties = {"extends": {"type": "string", "description": extends_description, "unit": extends_unit}}
    properties.update(schema.get("properties", {}))
    schema["properties"] = properties
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}

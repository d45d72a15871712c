"""Reading rule sets: the packaged ones (naerhed/data/rules/*.yaml), the packaged examples
(naerhed/data/rules/examples/*.yaml: named like a packaged one, never used by default) and a user's
own rule files.

A rule set is named by a packaged name (its file name without .yaml, e.g. in
`financing.rule_sets`) or by the path of a YAML file. A file may build on another with
``extends:`` (a packaged name, or a path relative to the file): it is deep-merged over the other,
so mappings merge key by key (a provenance entry the file writes should give status, source and
note, or it keeps the rest of the other's entry), any other value replaces the other's, and a
criterion set to null (~) is removed. Values may be given by year (`naerhed.financing.rules.dated`).
Every problem of a file is reported at once, with file, line and key path (`RuleSetError`).

The packaged rule sets are read from the folder: `packaged_rule_sets()` lists them in the order of
their first years, and that list is what a scenario uses unless it names its own rule sets. A rule
set for later years is one more file in the folder, e.g. ``extends: nf2022plus`` with
``years: [2027, null]``: an open-ended rule set ends where a later one begins
(`naerhed.financing.rules.coverage`).
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Iterable, Optional, Union

from pydantic import ValidationError

from naerhed.errors import RuleSetError
from naerhed.yaml_models import Problem, YamlSpec, did_you_mean, load_yaml_document, problems_from_validation

from .coverage import coverage_problems
from .dated import DatedReader, key_path_text
from .schema import RuleSet

__all__ = [
    "EXAMPLES_DIR",
    "RULES_DIR",
    "example_rule_files",
    "is_rule_file_path",
    "load_rule_set",
    "load_rule_sets",
    "packaged_rule_files",
    "packaged_rule_sets",
    "rule_set_path",
]

#: Folder of the packaged rule files.
RULES_DIR = Path(__file__).resolve().parents[2] / "data" / "rules"
#: Folder of the packaged example rule sets (e.g. a hypothetical successor scheme): loaded by name
#: like the packaged ones, but never used unless a scenario names them.
EXAMPLES_DIR = RULES_DIR / "examples"


def packaged_rule_files() -> dict[str, Path]:
    """The files of the packaged rule sets (read nothing): name -> file, by name."""
    return {path.stem: path for path in sorted(RULES_DIR.glob("*.yaml"))}


def example_rule_files() -> dict[str, Path]:
    """The files of the packaged example rule sets (read nothing): name -> file, by name."""
    return {path.stem: path for path in sorted(EXAMPLES_DIR.glob("*.yaml"))}


def _named_rule_files() -> dict[str, Path]:
    """Every rule file a name may refer to: the examples, then the packaged rule sets (which win)."""
    return {**example_rule_files(), **packaged_rule_files()}


def packaged_rule_sets() -> dict[str, Path]:
    """The packaged rule sets, name -> file, in the order of their first years: the rule sets a
    scenario uses unless it names its own."""
    files = packaged_rule_files()
    first_years = {name: load_rule_set(path).first_year for name, path in files.items()}
    return {name: files[name] for name in sorted(files, key=lambda name: (first_years[name], name))}


def is_rule_file_path(text: str) -> bool:
    """Whether a rule-set reference is a file path (ends in .yaml/.yml or has a folder in it)
    rather than the name of a packaged rule set."""
    text = str(text).strip()
    return text.lower().endswith((".yaml", ".yml")) or "/" in text or os.sep in text


def _packaged_extends(target: str, base_dir: Path) -> Optional[Path]:
    if not is_rule_file_path(target):
        return _named_rule_files().get(target)
    return None


_SPEC = YamlSpec(
    model=RuleSet,
    noun="rule file",
    empty_hint="a rule set needs name, years, pool_dkk, split, criteria, payout, settlement_applied "
    "and provenance",
    allow_extends=True,
    extends_help="must be the name of a packaged rule set (`naerhed rules` lists them) or the path of "
    "another rule file (relative to this file)",
    resolve_extends=_packaged_extends,
    expect_overrides={
        "years": "a list [first, last] of calendar years between 2000 and 2100; last may be empty "
        "(null) for every year from first on",
        "split.shares": "a mapping of region code to share of the pool, for all five regions, e.g. "
        "{1081: 0.104238, 1082: 0.213098, 1083: 0.214011, 1084: 0.31545, 1085: 0.153203}",
        "criteria.*.min_improvement": "a number, or a mapping of region code to number for all five "
        "regions",
        "payout.steps": "a mapping of number of criteria met to share kept, e.g. {0: 0, 1: 0.33, 2: 0.66, 3: 1, 4: 1}",
        "payout.weights": "a mapping of criterion name to weight, e.g. {stays_per_citizen: 0.25, ...}",
    },
    override_example=("pool_dkk", "1.5e9"),
)

_CACHE: dict[Path, tuple[tuple, RuleSet]] = {}


def _stamp(files: Iterable[Path]) -> tuple:
    stamps = []
    for file in files:
        try:
            stat = file.stat()
            stamps.append((str(file), stat.st_mtime_ns, stat.st_size))
        except OSError:
            stamps.append((str(file), None, None))
    return tuple(stamps)


def _unknown_name(name: str) -> RuleSetError:
    packaged, examples = packaged_rule_files(), example_rule_files()
    close = did_you_mean(name, list(packaged) + list(examples))
    hint = f"; did you mean '{close}'?" if close else "."
    listed = f"; packaged examples: {', '.join(examples)}" if examples else ""
    return RuleSetError([Problem(None, None, "", (
        f"unknown rule set {name!r}{hint} Packaged rule sets: {', '.join(packaged)}{listed}; "
        "or give the path of a rule file (ending in .yaml)"))])


def rule_set_path(name_or_path: Union[str, os.PathLike]) -> Path:
    """The file of a packaged rule set name or of a path (absolute; relative paths from the
    current folder). Raises RuleSetError for an unknown name."""
    text = os.fspath(name_or_path)
    if isinstance(name_or_path, str) and not is_rule_file_path(text):
        named = _named_rule_files()
        if text.strip() not in named:
            raise _unknown_name(text.strip())
        return named[text.strip()]
    return Path(os.path.abspath(os.path.expanduser(text)))


def _in_order(problems: list[Problem], display: str) -> list[Problem]:
    """Each problem once, those of the file itself first, then by file and line."""
    unique = list(dict.fromkeys(problems))
    return sorted(unique, key=lambda p: (p.file != display, p.file or "", p.line or 0))


def load_rule_set(name_or_path: Union[str, os.PathLike]) -> RuleSet:
    """Read a rule set: a packaged name (e.g. one of `packaged_rule_sets()`) or the path of a YAML
    rule file (ends in .yaml/.yml or contains a folder; relative to the current folder).

    The rule set is validated once for each period of its values given by year (see
    naerhed.financing.rules.dated). Raises RuleSetError listing every problem, each with file, line
    and key path."""
    text = os.fspath(name_or_path)
    path = rule_set_path(name_or_path)
    display = str(path) if isinstance(name_or_path, str) and not is_rule_file_path(text) else text
    cached = _CACHE.get(path)
    if cached is not None and _stamp(Path(stamp[0]) for stamp in cached[0]) == cached[0]:
        return cached[1]
    reader = DatedReader()
    problems: list[Problem] = []
    document = None
    try:
        document = load_yaml_document(display, _SPEC, prepare=reader.prepare, error=RuleSetError)
    except RuleSetError as exc:
        problems.extend(p for p in (reader.rename(p, reader.first_renames) for p in exc.problems) if p is not None)
    problems.extend(reader.problems)
    periods: dict[int, tuple[RuleSet, dict]] = {}
    seen = {(p.file, p.line, p.key_path, p.message) for p in problems}
    for year in reader.later_periods:
        data, source_map, renames = reader.resolved(year)
        try:
            periods[year] = (RuleSet.model_validate(data), source_map)
        except ValidationError as exc:
            for problem in problems_from_validation(_SPEC, exc, source_map):
                renamed = reader.rename(problem, renames)
                if renamed is None or (renamed.file, renamed.line, renamed.key_path, renamed.message) in seen:
                    continue
                seen.add((renamed.file, renamed.line, renamed.key_path, renamed.message))
                problems.append(dataclasses.replace(
                    renamed, message=f"{renamed.message} (with the values in force from {year})"))
    if problems:
        raise RuleSetError(_in_order(problems, display))
    assert document is not None
    rule = document.model
    assert isinstance(rule, RuleSet)
    by_period = {rule.first_year: rule, **{year: period for year, (period, _) in periods.items()}}
    dated_keys = reader.dated_keys()
    rule.attach(document.files, document.lines, by_period, dated_keys)
    for period, source_map in periods.values():
        lines = {key_path_text(key): (origin.file, origin.line) for key, origin in source_map.items() if key}
        period.attach(document.files, lines, by_period, dated_keys)
    _CACHE[path] = (_stamp(document.files), rule)
    return rule


def load_rule_sets(names_or_paths: Iterable[Union[str, os.PathLike]]) -> list[RuleSet]:
    """Several rule sets (see `load_rule_set`); every problem of every file is reported together,
    and so are overlaps and gaps between them (`coverage_problems`)."""
    rule_sets: list[RuleSet] = []
    problems: list[Problem] = []
    for item in names_or_paths:
        try:
            rule_sets.append(load_rule_set(item))
        except RuleSetError as exc:
            problems.extend(exc.problems)
    if not problems:
        problems = [Problem(None, None, "", message) for message in coverage_problems(rule_sets)]
    if problems:
        raise RuleSetError(problems)
    return rule_sets

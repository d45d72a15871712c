"""Which rule set applies to a year, among the rule sets a scenario uses.

Each year has exactly one rule set: the one whose years include it. An open-ended rule set (years
[first, null]) applies from its first year until the year before the first year of the next rule
set used with it (the latest rule set whose first year is at most the year), so a rule set for
later years ends an open-ended one without editing it. It does not resume after a later rule set
with a last year: the years after that need a rule set of their own. Two rule sets with the same
first year, or a rule set whose last year reaches into the next one's years, overlap: an error.
Years before the earliest rule set have no scheme.
"""

from __future__ import annotations

import math
from typing import Iterable, Optional, Sequence

from naerhed.errors import RuleSetError
from naerhed.yaml_models import Problem

from .schema import RuleSet

__all__ = ["applies", "coverage_problems", "rule_set_for_year"]


def _ranges(years: Sequence[int]) -> str:
    """'2019-2021, 2024' for [2019, 2020, 2021, 2024]."""
    out: list[str] = []
    years = sorted(years)
    start = prev = None
    for y in years + [None]:  # type: ignore[operator]
        if start is None:
            start = prev = y
        elif y is not None and y == prev + 1:
            prev = y
        else:
            out.append(str(start) if start == prev else f"{start}-{prev}")
            start = prev = y
    return ", ".join(out)


def applies(rule: RuleSet, year: int, rule_sets: Sequence[RuleSet]) -> bool:
    """Whether `rule` applies to the calendar year among `rule_sets`: the year is within its years,
    and, if it is open-ended, no rule set of `rule_sets` begins after it and no later than the year."""
    year = int(year)
    if not rule.covers(year):
        return False
    return rule.last_year is not None or not any(rule.first_year < other.first_year <= year for other in rule_sets)


def coverage_problems(
    rule_sets: Sequence[RuleSet], years: Optional[Iterable[int]] = None, *, between: bool = True
) -> list[str]:
    """Why the rule sets do not give exactly one rule set for each year (empty list: they do).

    Checked (if `between`): no two rule sets share a year (an open-ended rule set ends where a later
    one begins); no year is left out between the first year of the earliest and the last year of the
    latest. If `years` is given: each of those years from the earliest first year on is covered
    (years before the earliest rule set are years without the scheme)."""
    messages: list[str] = []
    ordered = sorted(rule_sets, key=lambda r: r.first_year)
    for i, a in enumerate(ordered if between else ()):
        for b in ordered[i + 1:]:
            if a.last_year is None and a.first_year < b.first_year:
                continue  # b ends the open-ended a
            a_last = a.last_year if a.last_year is not None else math.inf
            if b.first_year <= a_last:
                both_last = min(a_last, b.last_year if b.last_year is not None else math.inf)
                span = str(b.first_year) if both_last == b.first_year else (
                    f"{b.first_year}-{int(both_last)}" if both_last != math.inf else f"{b.first_year} onwards")
                messages.append(
                    f"the rule sets {a.name} ({a.years_text()}, {a.where('years')}) and {b.name} "
                    f"({b.years_text()}, {b.where('years')}) overlap in {span}: exactly one rule set "
                    "must apply to each year"
                )
    if not ordered:
        return ["no rule set given"]
    first = ordered[0].first_year
    finite_lasts = [r.last_year for r in ordered if r.last_year is not None]
    open_ended = any(r.last_year is None for r in ordered)
    last = max(finite_lasts) if finite_lasts else first
    if open_ended:
        last = max(last, max(r.first_year for r in ordered))
    gaps = [y for y in range(first, last + 1) if not any(applies(r, y, ordered) for r in ordered)]
    if gaps and between:
        messages.append(
            f"no rule set covers {_ranges(gaps)} (between the rule sets "
            + ", ".join(f"{r.name} {r.years_text()}" for r in ordered)
            + "); exactly one rule set must apply to each year"
        )
    if years is not None:
        wanted = sorted({int(y) for y in years if int(y) >= first})
        uncovered = [y for y in wanted if not any(applies(r, y, ordered) for r in ordered) and y not in gaps]
        if uncovered:
            what = "a year" if len(uncovered) == 1 else "years"
            messages.append(
                f"no rule set covers {_ranges(uncovered)} ({what} of the projection; the rule sets: "
                + ", ".join(f"{r.name} {r.years_text()}" for r in ordered)
                + "); add a rule set for it, or one open-ended (years: [first, null])"
            )
    return messages


def rule_set_for_year(rule_sets: Sequence[RuleSet], year: int) -> RuleSet:
    """The rules in force in the calendar year: the one rule set that applies to it, with the
    values in force in that year (`RuleSet.in_year`). Raises RuleSetError if no rule set or more
    than one applies (naming the rule sets, their years and the file lines where the years are set)."""
    year = int(year)
    matches = [r for r in rule_sets if applies(r, year, rule_sets)]
    if len(matches) == 1:
        return matches[0].in_year(year)
    if not matches:
        covered = ", ".join(f"{r.name} {r.years_text()}" for r in sorted(rule_sets, key=lambda r: r.first_year))
        raise RuleSetError([Problem(None, None, "", (
            f"no rule set covers {year} (the rule sets: {covered or 'none'}); exactly one rule set must "
            "apply to each year"))])
    first = matches[0]
    file, line = first.line_of("years")
    others = ", ".join(f"{r.name} ({r.years_text()}, {r.where('years')})" for r in matches[1:])
    every = "both" if len(matches) == 2 else "all"
    raise RuleSetError([Problem(file, line, "years", (
        f"the rule sets {first.name} ({first.years_text()}) and {others} {every} apply to {year}; exactly one "
        "rule set must apply to each year"))])

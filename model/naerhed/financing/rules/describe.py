"""A rule set in plain words for people (``naerhed rules NAME``): every value as resolved (also
those inherited through ``extends``), a value given by year with its years, and the source or
assumption behind each."""

from __future__ import annotations

from typing import Callable, Optional

from naerhed.constants import REGION_CODES, REGION_NAMES
from naerhed.financing.criteria import REGISTRY

from .schema import RuleSet
from .sections import ProvenanceEntry

__all__ = ["describe_rule_set", "legal_note", "rules_label"]


def _share(value: float) -> str:
    return f"{100 * value:.4g} %"


def _dkk(value: float) -> str:
    if value >= 1e9:
        return f"{value / 1e9:g} bn DKK"
    if value >= 1e6:
        return f"{value / 1e6:g} mio. DKK"
    return f"{value:,.0f} DKK"


def _tag(rule: RuleSet, key_path: str) -> str:
    entry = rule.provenance_of(key_path)
    return "" if entry is None else f"  [{entry.status}]"


def _period_text(rule: RuleSet, starts: list[int], index: int) -> str:
    """'2022', '2022-2023' or '2024 onwards' for the period starting at starts[index]."""
    start = starts[index]
    end: Optional[int] = starts[index + 1] - 1 if index + 1 < len(starts) else rule.last_year
    if end is None:
        return f"{start} onwards"
    return str(start) if start == end else f"{start}-{end}"


def _starts(rule: RuleSet, key_path: str) -> list[int]:
    """The first years of the periods in which the values at or below a key path change."""
    starts = {rule.first_year}
    for key, years in rule.dated_keys.items():
        if key == key_path or key.startswith(key_path + "."):
            starts.update(years)
    return sorted(starts)


def _by_period(rule: RuleSet, key_path: str, render: Callable[[RuleSet], str]) -> str:
    """render(rules in force) for each period of the values at or below key_path ('2022-2023: ...;
    2024 onwards: ...'; periods that read the same are joined), or once if none is given by year."""
    starts = _starts(rule, key_path)
    texts = [render(rule.in_year(start)) for start in starts]
    groups: list[tuple[int, int]] = []  # (first index, last index) of periods that read the same
    for i, text in enumerate(texts):
        if groups and texts[groups[-1][0]] == text:
            groups[-1] = (groups[-1][0], i)
        else:
            groups.append((i, i))
    if len(groups) == 1:
        return texts[0]
    merged = [s for i, s in enumerate(starts) if any(i == g[0] for g in groups)]
    return "; ".join(f"{_period_text(rule, merged, n)}: {texts[g[0]]}" for n, g in enumerate(groups))


def _split(rule: RuleSet) -> str:
    split = rule.split
    if split.key == "block_grant":
        shares = ", ".join(f"{REGION_NAMES[REGION_CODES.index(c)]} {_share(s)}" for c, s in split.shares.items())
        return f"fixed shares: {shares}{_tag(rule, 'split.shares')}"
    if split.key == "population":
        return f"by population on 1 January{_tag(rule, 'split')}"
    return (f"block grant formula: {_dkk(split.base_dkk_per_region)} per region, the rest "
            f"{_share(split.need_share)} by expenditure need and {_share(split.socioeconomic_share)} "
            f"by the socio-economic index{_tag(rule, 'split')}")


def _criterion(name: str) -> Callable[[RuleSet], str]:
    def render(rule: RuleSet) -> str:
        crit = rule.criteria[name]
        if not REGISTRY[name].measured:
            how, tag_path = "met or not met as the scenario says", f"criteria.{name}"
        else:
            better = "lower" if REGISTRY[name].good_direction < 0 else "higher"
            reference = "the previous year" if crit.compare_with == "previous_year" else str(crit.base_year)
            unit = "%" if crit.threshold_type == "relative" else "percentage points"
            scale = 100 if crit.threshold_type == "relative" else 1
            if isinstance(crit.min_improvement, dict):
                amount = ", ".join(f"{c}: {scale * v:g}" for c, v in crit.min_improvement.items())
                threshold = f"by more than ({amount}) {unit}"
            elif crit.min_improvement == 0:
                threshold = "by any amount"
            else:
                threshold = f"by more than {scale * crit.min_improvement:g} {unit}"
            how, tag_path = f"met if {better} than in {reference} {threshold}", f"criteria.{name}.min_improvement"
        counts = "" if crit.counts else " (does not count)"
        return f"{how}{counts}{_tag(rule, tag_path)}"
    return render


def _payout(rule: RuleSet) -> str:
    payout = rule.payout
    if payout.formula == "step":
        steps = ", ".join(f"{k} met: {_share(v)}" for k, v in payout.steps.items())
        return f"share of its part a region keeps by criteria met: {steps}{_tag(rule, 'payout')}"
    weights = ", ".join(f"{name} {_share(w)}" for name, w in payout.weights.items())
    partial = ("an improvement short of the threshold counts pro rata" if payout.partial
               else "a criterion counts only if met")
    return f"weighted: {weights}; {partial}{_tag(rule, 'payout')}"


def rules_label(rule: RuleSet) -> str:
    """The rule set's years as results name its rules: '2022+' (open-ended), '2021' or '2019-2021'."""
    return f"{rule.first_year}+" if rule.last_year is None else rule.years_text()


def legal_note(rule: RuleSet) -> str:
    """What results say of a year under `rule` (the rules in force in that year) about its legal
    status, without the year: '' where the rules are in force, e.g. 'the scheme no longer exists;
    figures show what the 2022+ rules would give' (status 'abolished'). Results put the years before
    it ('2027: ...'; payout.legal_lines)."""
    would_give = f"figures show what the {rules_label(rule)} rules would give"
    if rule.legal_status == "hypothesis":
        return f"no published rules were found; {would_give}"
    if rule.legal_status == "abolished":
        return f"the scheme no longer exists; {would_give}"
    if rule.legal_status == "successor":
        return (f"nærhedsfinansiering no longer exists; figures show a hypothetical successor scheme, "
                f"{rule.name} (an assumption, not enacted)")
    return ""


def _legal_status(rule: RuleSet) -> str:
    if rule.legal_status == "in_force":
        return f"in force (set by a published instrument){_tag(rule, 'legal_status')}"
    return f"{rule.legal_status} ({legal_note(rule)}){_tag(rule, 'legal_status')}"


def _settlement(rule: RuleSet) -> str:
    applied = "yes" if rule.settlement_applied else "no (the formal rule is still computed)"
    return f"{applied}{_tag(rule, 'settlement_applied')}"


def _sources(rule: RuleSet) -> list[str]:
    """'key: status, source - note' for each provenance entry (by period where it changes);
    an entry equal to an earlier one is named by that one's key."""
    starts = sorted({rule.first_year, *(year for years in rule.dated_keys.values() for year in years)})
    keys = list(dict.fromkeys(key for start in starts for key in rule.in_year(start).provenance))
    lines: list[str] = []
    first_of: dict[ProvenanceEntry, str] = {}
    for key in keys:
        entries = [rule.in_year(start).provenance.get(key) for start in starts]
        groups = [i for i, entry in enumerate(entries) if i == 0 or entry != entries[i - 1]]
        for n, i in enumerate(groups):
            entry = entries[i]
            if entry is None:
                continue
            period = "" if len(groups) == 1 else f" ({_period_text(rule, [starts[g] for g in groups], n)})"
            label = f"{key}{period}"
            if entry in first_of:
                lines.append(f"    {label}: as {first_of[entry]}")
                continue
            first_of[entry] = label
            note = f" - {entry.note}" if entry.note else ""
            lines.append(f"    {label}: {entry.status}, {entry.source}{note}")
    return lines


def describe_rule_set(rule: RuleSet) -> list[str]:
    """The rule set in plain lines for people (no markup), e.g. for ``naerhed rules NAME``: every
    value as resolved, a value given by year once for each period in which it differs."""
    lines = [f"{rule.name}: {rule.description}" if rule.description else rule.name]
    if rule.source_path is not None:
        lines.append(f"  file: {rule.source_path}")
    if len(rule.source_files) > 1:
        lines.append(f"  extends: {' -> '.join(str(path) for path in rule.source_files[1:])}")
    lines.append(f"  years: {rule.years_text()}")
    lines.append(f"  pool: {_by_period(rule, 'pool_dkk', lambda r: _dkk(r.pool_dkk) + ' a year for the five regions together' + _tag(r, 'pool_dkk'))}")
    lines.append(f"  split between the regions: {_by_period(rule, 'split', _split)}")
    counted = _by_period(rule, "criteria", lambda r: f"{len(r.counted_criteria)} count")
    lines.append(f"  criteria ({counted}):")
    for name in rule.criteria:
        label = REGISTRY[name].label if name in REGISTRY else name
        lines.append(f"    {label}: {_by_period(rule, f'criteria.{name}', _criterion(name))}")
    lines.append(f"  payout: {_by_period(rule, 'payout', _payout)}")
    lines.append(f"  settlement (efterregulering) applied: {_by_period(rule, 'settlement_applied', _settlement)}")
    lines.append(f"  legal status: {_by_period(rule, 'legal_status', _legal_status)}")
    lines.append("  sources:")
    lines.extend(_sources(rule))
    return lines

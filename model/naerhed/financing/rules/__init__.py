"""Nærhedsfinansiering rule sets: the rules that turn criterion values into payouts, as data.

Each year's rules are set by a circular or an order, and successor schemes will be similar, so the
rules are YAML files, never code. A rule set says which years it covers, the size of the pool, how
the pool is split between the regions, how each criterion is judged (compared with which year, by
how much it must improve), how the number or weight of the criteria met becomes the share of its
part of the pool a region keeps, whether settlement (efterregulering) actually took place, and
where every value comes from (published, with its URL, or an assumption).

The packaged rule sets are the files in naerhed/data/rules (`packaged_rule_sets()`, in the order of
their first years; the rule sets a scenario uses by default); each builds on the one before with
``extends:`` and states only what changed. A user's own file is read the same way
(`load_rule_set("my_rules.yaml")`). Any value may be given by year, each with its own provenance.
Every problem in a file is reported at once with file, line and key path (`RuleSetError`).

The package, by job:
- `sections`: the sections of a rule file (split, criterion, payout, provenance) and their checks;
- `schema`: the whole rule set and the checks across its sections, key paths, the JSON Schema;
- `dated`: values given by year (``values: {2022: ..., 2024: ...}``) and the periods they make;
- `loading`: reading packaged and user rule files (``extends:``), the list of packaged rule sets;
- `coverage`: which rule set applies to a year (an open end ends where a later rule set begins);
- `arithmetic`: judging a criterion and the share of the pool a region keeps;
- `describe`: a rule set in plain words (``naerhed rules NAME``).
"""

from .arithmetic import met_and_fulfilment, share_kept
from .coverage import coverage_problems, rule_set_for_year
from .describe import describe_rule_set, legal_note, rules_label
from .loading import (
    EXAMPLES_DIR,
    RULES_DIR,
    example_rule_files,
    is_rule_file_path,
    load_rule_set,
    load_rule_sets,
    packaged_rule_files,
    packaged_rule_sets,
    rule_set_path,
)
from .schema import PROVENANCE_REQUIRED, RuleSet, rule_set_field_info, rule_set_json_schema
from .sections import CriterionRule, PayoutRule, ProvenanceEntry, SplitRule

__all__ = [
    "CriterionRule",
    "EXAMPLES_DIR",
    "PROVENANCE_REQUIRED",
    "PayoutRule",
    "ProvenanceEntry",
    "RULES_DIR",
    "RuleSet",
    "SplitRule",
    "coverage_problems",
    "describe_rule_set",
    "example_rule_files",
    "is_rule_file_path",
    "legal_note",
    "load_rule_set",
    "load_rule_sets",
    "met_and_fulfilment",
    "packaged_rule_files",
    "packaged_rule_sets",
    "rule_set_field_info",
    "rule_set_for_year",
    "rule_set_json_schema",
    "rule_set_path",
    "rules_label",
    "share_kept",
]

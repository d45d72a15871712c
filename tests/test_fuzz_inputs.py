"""Property-based tests of the input readers: whatever a user's file or --set value holds, reading it
either succeeds or raises one of naerhed's own errors (a NaerhedError, which the command line prints as
a message with exit status 2); never another exception, never a hang.

Targets: the scenario loader (random YAML trees and random text), --set parsing, the rule-set loader
and the CSV readers (the registry's reader and the StatBank FOLK1A reader). Profiles: 'ci' (default,
100 examples per target; `make test`) and 'fuzz' (10,000 examples per target; `make fuzz`, which also
prints the number of examples run per target). Choose with NAERHED_HYPOTHESIS_PROFILE.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from naerhed.errors import NaerhedError  # noqa: E402

settings.register_profile("ci", max_examples=100, deadline=None, derandomize=True, database=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.register_profile("fuzz", max_examples=10_000, deadline=None, database=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
settings.load_profile(os.environ.get("NAERHED_HYPOTHESIS_PROFILE", "ci"))

#: Examples run per target in this session (printed by `make fuzz`).
COUNTS: dict[str, int] = {}


def _count(target: str) -> None:
    COUNTS[target] = COUNTS.get(target, 0) + 1


# --------------------------------------------------------------------------------------------
# Strategies
# --------------------------------------------------------------------------------------------
SCENARIO_KEYS = ["name", "description", "seed", "draws", "population", "base_year", "sample_fraction",
                 "end_year", "demography", "mortality", "improvement", "base_period", "health", "trends",
                 "acute_admissions", "distribution", "mean", "sd", "low", "mode", "high", "data", "calibration",
                 "population", "financing", "rule_sets", "interventions", "type", "effects", "target", "age",
                 "start_year", "regions", "municipalities", "extends", "uncertainty", "x", "æ"]

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=-10**60, max_value=10**60),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=30),
    st.sampled_from(["trend", "normal", "triangular", "virtual_follow_up", "nf2019", "2019", "1e39", "-.inf",
                     "~nosuchuser/x.csv", "/dev/zero", ".", "baseline.yaml", "ærø", "[2017, 2018]"]),
)
trees = st.recursive(
    scalars,
    lambda children: st.one_of(st.lists(children, max_size=5),
                               st.dictionaries(st.sampled_from(SCENARIO_KEYS), children, max_size=6)),
    max_leaves=30,
)
documents = st.dictionaries(st.sampled_from(SCENARIO_KEYS), trees, max_size=8)


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# --------------------------------------------------------------------------------------------
# Targets
# --------------------------------------------------------------------------------------------
@given(document=documents)
def test_scenario_loader_random_trees(tmp_path_factory, document):
    from naerhed.scenario import load_scenario

    _count("scenario loader (YAML trees)")
    folder = tmp_path_factory.mktemp("tree")
    path = _write(folder, "s.yaml", yaml.safe_dump(document, allow_unicode=True).encode("utf-8"))
    try:
        load_scenario(path)
    except NaerhedError:
        pass


@given(text=st.one_of(st.text(max_size=300), st.binary(max_size=300).map(lambda b: b.decode("latin-1")),
                      st.sampled_from(["name: a\n", "&a [*a]", "name: x\ndescription: &a [*a, *a]\n",
                                       "name: x\nseed: " + "9" * 200])))
def test_scenario_loader_random_text(tmp_path_factory, text):
    from naerhed.scenario import load_scenario

    _count("scenario loader (text)")
    folder = tmp_path_factory.mktemp("text")
    for encoding in ("utf-8", "utf-16"):
        path = _write(folder, "s.yaml", ("name: fuzz\n" + text).encode(encoding, errors="replace"))
        try:
            load_scenario(path)
        except NaerhedError:
            pass


@given(key=st.one_of(st.sampled_from(["seed", "draws", "description", "interventions[0].name", "interventions[3]",
                                      "population.sample_fraction", "health.trends.acute_admissions", "name.x",
                                      "data.population", "a..b", "[0]", ""]), st.text(max_size=20)),
       value=st.one_of(st.text(max_size=60), st.sampled_from(["&a [*a]", "[&a [1,2], *a, *a]", "!!python/none x",
                                                              "9" * 5000, "{distribution: normal}", "1e39"])),
       repeat=st.booleans())
def test_set_parsing(tmp_path_factory, key, value, repeat):
    from naerhed.scenario import load_scenario

    _count("--set parsing")
    folder = tmp_path_factory.mktemp("set")
    path = _write(folder, "s.yaml", b"name: fuzz\ninterventions: [1]\n")
    overrides = [f"{key}={value}"] + ([f"{key}=1"] if repeat else [])
    try:
        load_scenario(path, overrides)
    except NaerhedError:
        pass


RULE_KEYS = ["name", "description", "first_year", "last_year", "extends", "criteria", "weights", "steps",
             "shares", "legal_status", "provenance", "value", "source", "by_year", "stays_per_citizen", "2019"]
rule_documents = st.dictionaries(st.sampled_from(RULE_KEYS), st.recursive(
    scalars, lambda children: st.one_of(st.lists(children, max_size=4),
                                        st.dictionaries(st.sampled_from(RULE_KEYS), children, max_size=5)),
    max_leaves=25), max_size=8)


@given(document=rule_documents, extends_packaged=st.booleans())
def test_rule_set_loader(tmp_path_factory, document, extends_packaged):
    from naerhed.financing.rules import load_rule_set

    _count("rule-set loader")
    if extends_packaged:
        document = {"extends": "nf2022plus", **document}
    folder = tmp_path_factory.mktemp("rules")
    path = _write(folder, "r.yaml", yaml.safe_dump(document, allow_unicode=True).encode("utf-8"))
    try:
        load_rule_set(str(path))
    except NaerhedError:
        pass


DATA = Path(__file__).resolve().parents[1] / "model" / "naerhed" / "data"
CSV_TABLES = ["calibration", "hospital_use_trends", "net_migration_total", "municipalities", "fertility"]


def _packaged_lines(key: str) -> list[str]:
    from naerhed.data.registry import TABLES

    return (DATA / TABLES[key].file).read_text(encoding="utf-8").splitlines()[:40]


cells = st.one_of(st.text(max_size=12), st.sampled_from(["", "1e308", "-1", "nan", "inf", "999", "1081", "male",
                                                          "2019", "0", "1,5", "\x00", '"', "stays_per_citizen",
                                                          "triangular", "9" * 400]))


@given(table=st.sampled_from(CSV_TABLES), row=st.integers(min_value=0, max_value=39),
       column=st.integers(min_value=0, max_value=12), cell=cells, separator=st.sampled_from([",", ";"]),
       encoding=st.sampled_from(["utf-8", "utf-8", "latin-1", "utf-16"]))
def test_csv_readers(tmp_path_factory, table, row, column, cell, separator, encoding):
    """A packaged table with one cell replaced, maybe another separator or encoding."""
    from naerhed.data.reader import read_table
    from naerhed.data.registry import TABLES

    _count("CSV reader (registry tables)")
    lines = _packaged_lines(table)
    row = min(row, len(lines) - 1)
    fields = lines[row].split(",")
    if column < len(fields):
        fields[column] = cell
    lines[row] = separator.join(fields)
    folder = tmp_path_factory.mktemp("csv")
    path = _write(folder, "t.csv", "\n".join(lines).encode(encoding, errors="replace"))
    try:
        read_table(TABLES[table], path)
    except NaerhedError:
        pass


@given(rows=st.lists(st.tuples(st.sampled_from(["081", "1082", "000", "101", "Region Sjælland", "x", "9999", ""]),
                               st.sampled_from(["1", "2", "TOT", "Mænd", "k", "3"]),
                               st.one_of(st.integers(min_value=-5, max_value=2000).map(str),
                                         st.sampled_from(["IALT", "99 år", "110 år og derover", "abc"])),
                               st.sampled_from(["2019K1", "2019K2", "2019", "K1"]),
                               st.one_of(st.integers(min_value=-10, max_value=10**15).map(str),
                                         st.sampled_from(["..", "1.5", "1e308", "nan", ""]))),
                     min_size=0, max_size=30),
       header=st.booleans(), encoding=st.sampled_from(["utf-8", "cp1252", "utf-16"]))
def test_folk1a_reader(tmp_path_factory, rows, header, encoding):
    from naerhed.data import read_folk1a

    _count("FOLK1A reader")
    text = ("OMRÅDE;KØN;ALDER;TID;INDHOLD\n" if header else "") + "".join(";".join(r) + "\n" for r in rows)
    folder = tmp_path_factory.mktemp("folk1a")
    path = _write(folder, "f.csv", text.encode(encoding, errors="replace"))
    try:
        read_folk1a(path)
    except NaerhedError:
        pass


def test_print_counts():
    """Last in the file: the number of examples run per target (shown with -s, as `make fuzz` does)."""
    print()
    for target, count in sorted(COUNTS.items()):
        print(f"fuzz: {target}: {count} examples")

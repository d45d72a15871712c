"""The table registry and the one CSV reader: every packaged table is declared once and read through
its declaration; the scenario's data section and a run's manifest come from the registry; the reader's
messages name file, line, column and what is allowed; the data layer has no import cycle and imports
no private names."""

import ast
from pathlib import Path

import numpy as np
import pytest

from naerhed.data import DATA_DIR, TABLES, package_files, run_tables, scenario_tables
from naerhed.data.reader import read_table
from naerhed.data.registry import Choice, Float, Int, Region, Sex, TableSpec, Text
from naerhed.errors import DataError
from naerhed.inputs import data_files_used
from naerhed.scenario import DataFiles, Scenario, scenario_field_info

PACKAGE = Path(__file__).resolve().parents[2] / "model" / "naerhed"


# --- the registry ---------------------------------------------------------------------------
def test_every_packaged_table_has_exactly_one_spec():
    files = [spec.file for spec in TABLES.values()]
    assert len(files) == len(set(files))
    assert sorted(files) == [p.name for p in package_files()]
    assert all(key == spec.key for key, spec in TABLES.items())


@pytest.mark.parametrize("key", list(TABLES))
def test_every_packaged_table_reads_cleanly_and_declares_every_column(key):
    spec = TABLES[key]
    table = read_table(spec, spec.path)
    assert len(table) > 0
    undeclared = [c for c in table.header if not spec.has_column(c)]
    assert undeclared == [], f"{spec.file}: columns not in the registry: {undeclared}"
    for column in spec.columns:
        assert table[column.name].shape == (len(table),)
    assert table.lines[0] == 2 and np.all(np.diff(table.lines) > 0)


def test_scenario_data_section_comes_from_the_registry():
    keys = [spec.key for spec in scenario_tables()]
    assert list(DataFiles.model_fields) == keys
    info = scenario_field_info()
    for spec in scenario_tables():
        assert spec.description in info[f"data.{spec.key}"]["description"]
    assert set(Scenario(name="x").resolved()["data"]) == set(keys)


def test_manifest_lists_every_table_a_run_reads():
    used = data_files_used(DataFiles())
    assert list(used) == [spec.key for spec in run_tables()]
    assert used["births_by_sex"] == DATA_DIR / "births_by_sex.csv"
    assert set(used) > {spec.key for spec in scenario_tables()}
    assert not {"validation_targets", "model_checks"} & set(used)
    assert used["regions"] == DATA_DIR / "regions.csv"  # the region registry: which regions exist in which year


def test_users_file_replaces_the_packaged_one_in_the_manifest(tmp_path):
    own = tmp_path / "calibration.csv"
    own.write_text("region_code,criterion,year,value\n", encoding="utf-8")
    assert data_files_used(DataFiles(calibration=str(own)))["calibration"] == own


def test_a_spec_refuses_forward_references_and_unknown_key_columns():
    with pytest.raises(ValueError, match="must come before"):
        TableSpec("t", "t.csv", "test", (Int("age_upper", "age_lower", 110), Int("age_lower", 0, 110)))
    with pytest.raises(ValueError, match="key column"):
        TableSpec("t", "t.csv", "test", (Int("year"),), key_columns=("age",))


# --- the reader -----------------------------------------------------------------------------
SPEC = TableSpec(
    "test", "test.csv", "a table to test the reader",
    (Int("year", 1900, 2200), Region(), Text("region", required=False), Sex(), Int("age_lower", 0, 110),
     Int("age_upper", "age_lower", 110), Choice("measure", ("a", "b"), noun="measure"),
     Choice("kind", ("x", "y"), required=False, empty_ok=True), Float("value", nonneg=True, what_column="measure"),
     Float("sd", positive=True, required=False, empty_ok=True)),
    key_columns=("year", "region_code", "sex", "age_lower", "measure"),
)
HEADER = "year,region_code,region,sex,age_lower,age_upper,measure,kind,value,sd"


def write(tmp_path, *rows, header=HEADER):
    path = tmp_path / "table.csv"
    path.write_text("\n".join((header,) + rows) + "\n", encoding="utf-8")
    return path


def test_reader_returns_typed_columns_with_lines(tmp_path):
    path = write(tmp_path, "2019,1081,Nordjylland,male,0,4,a,x,1.5,0.1", "", "2019,1085,,Female,5,110,b,,2,")
    table = read_table(SPEC, path)
    assert table["year"].dtype == np.int64 and table["value"].dtype == np.float64
    assert table["sex"].tolist() == [0, 1] and table["sex"].dtype == np.int8
    assert table["region_code"].tolist() == [0, 4]
    assert table["measure"].tolist() == ["a", "b"] and table["kind"].tolist() == ["x", ""]
    assert table["sd"][0] == 0.1 and np.isnan(table["sd"][1])
    assert table.lines.tolist() == [2, 4]  # the blank line is skipped, lines count from the header
    assert table["status"].tolist() == ["", ""] and not table.has("status")


def test_optional_columns_may_be_left_out(tmp_path):
    path = write(tmp_path, "2019,1081,male,0,110,a,1", header="year,region_code,sex,age_lower,age_upper,measure,value")
    table = read_table(SPEC, path)
    assert np.isnan(table["sd"][0]) and table["kind"][0] == "" and not table.has("sd")


@pytest.mark.parametrize("row,message", [
    ("2019,1081,,male,0,4,a,,abc,", r"line 2, column 'value': 'abc' is not a number"),
    ("2019,1081,,male,0,4,a,,inf,", r"line 2, column 'value': 'inf' is not a finite number"),
    ("2019,1081,,male,0,4,b,,-2,", r"line 2, column 'value': negative b -2; allowed: >= 0"),
    ("2019,1081,,male,0,4,a,,1,0", r"line 2, column 'sd': sd must be > 0, got 0"),
    ("1800,1081,,male,0,4,a,,1,", r"line 2, column 'year': 1800 is out of range; allowed: 1900..2200"),
    ("2019.5,1081,,male,0,4,a,,1,", r"line 2, column 'year': '2019.5' is not a whole number"),
    ("2019,1081,,male,5,4,a,,1,", r"line 2, column 'age_upper': 4 is out of range; allowed: 5..110"),
    ("2019,1081,,male,0,4,c,,1,", r"line 2, column 'measure': unknown measure 'c'; allowed: a, b"),
    ("2019,1081,,male,0,4,a,z,1,", r"line 2, column 'kind': 'z' not allowed; allowed: x, y"),
    ("2019,1081,,boy,0,4,a,,1,", r"line 2, column 'sex': unknown sex 'boy'; allowed: male, female"),
    ("2019,1086,,male,0,4,a,,1,", r"line 2, column 'region_code': unknown region '1086'; allowed: 1081, 1082"),
    ("2019,1081,Sjælland,male,0,4,a,,1,", r"line 2, column 'region': region name 'Sjælland' does not match "
                                          r"region_code 1081 \(Nordjylland\)"),
    ("2019,1081,,male,0,4,a,1,", r"line 2: has 9 fields but the header has 10"),
])
def test_reader_messages_name_file_line_column_and_what_is_allowed(tmp_path, row, message):
    path = write(tmp_path, row)
    with pytest.raises(DataError, match=str(path).replace(".", r"\.") + ": " + message):
        read_table(SPEC, path)


def test_duplicate_keys_name_both_lines(tmp_path):
    path = write(tmp_path, "2019,1081,,male,0,4,a,,1,", "2019,1081,,male,5,9,a,,1,", "2019,1081,,male,0,4,a,,2,")
    with pytest.raises(DataError, match=r"line 4: duplicate row for year 2019, region 1081, male, age_lower 0, "
                                        r"measure a \(first on line 2\)"):
        read_table(SPEC, path)
    births = tmp_path / "births.csv"
    births.write_text("year,births_male,births_female\n2019,1,1\n2020,1,1\n2019,2,2\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"births\.csv: line 4, column 'year': duplicate year 2019 \(first on line 2\)"):
        read_table(TABLES["births_by_sex"], births)


def test_missing_column_header_only_and_empty_file(tmp_path):
    path = write(tmp_path, "2019,1081,male,0,4,a,1", header="year,region_code,sex,age_lower,age_upper,measure,valu")
    with pytest.raises(DataError, match=r"missing column\(s\) 'value'; required columns: year, region_code, sex, "
                                        r"age_lower, age_upper, measure, value; found: .*valu$"):
        read_table(SPEC, path)
    with pytest.raises(DataError, match=r"table\.csv: no data rows"):
        read_table(SPEC, write(tmp_path))
    empty = tmp_path / "empty.csv"
    empty.write_text("\n\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"empty\.csv: file is empty; expected a header line with columns year, "):
        read_table(SPEC, empty)


def test_builders_check_row_dependent_bounds_with_the_readers_words(tmp_path):
    from naerhed.data.health_tables import load_calibration_targets, load_hospital_use

    lines = ["region_code,criterion,year,value"]
    for code in (1081, 1082, 1083, 1084, 1085):
        lines += [f"{code},stays_per_citizen,2019,1.8", f"{code},activity_per_chronic_dkk,2019,40000",
                  f"{code},readmission_share,2019,0.12", f"{code},virtual_share,2019,0.2"]
    lines[4] = "1081,virtual_share,2019,2.5"
    path = tmp_path / "calibration.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"line 5, column 'value': virtual_share 2\.5 is too large; allowed: <= 0\.99"):
        load_calibration_targets(path)
    rates = (DATA_DIR / "hospital_use_rates.csv").read_text(encoding="utf-8").splitlines()
    i = next(k for k, line in enumerate(rates) if line.startswith("readmission_probability,"))
    cells = rates[i].split(",")
    cells[4] = "1.2"
    rates[i] = ",".join(cells)
    path = tmp_path / "rates.csv"
    path.write_text("\n".join(rates) + "\n", encoding="utf-8")
    with pytest.raises(DataError, match=rf"line {i + 1}, column 'value': readmission_probability 1\.2 is too large"):
        load_hospital_use(rates_path=path)


# --- structure of the data layer ------------------------------------------------------------
def _imports(path: Path):
    """(module named by a relative or absolute import, imported names) of every import in a file."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            yield node.level, node.module or "", [a.name for a in node.names]


@pytest.mark.parametrize("path", sorted((PACKAGE / "data").glob("*.py")) + sorted((PACKAGE / "health").glob("*.py"))
                         + [PACKAGE / "validation.py", PACKAGE / "inputs.py"], ids=lambda p: p.name)
def test_no_private_names_are_imported(path):
    private = [(module, name) for level, module, names in _imports(path) for name in names
               if name.startswith("_") and name != "__future__" and module != "__future__"]
    assert private == []


def test_data_modules_do_not_import_each_other_in_a_cycle():
    modules = {p.stem: p for p in (PACKAGE / "data").glob("*.py") if p.stem != "__init__"}
    graph = {name: {m for level, module, _ in _imports(path) if level == 1 and (m := module.split(".")[0]) in modules}
             for name, path in modules.items()}

    def reaches(start, goal, seen=()):
        return any(n == goal or (n not in seen and reaches(n, goal, seen + (n,))) for n in graph[start])

    assert [name for name in graph if reaches(name, name)] == []
    assert "tables" not in graph["statbank"]

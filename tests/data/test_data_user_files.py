"""User-supplied files: StatBank FOLK1A exports (coded and labelled) and malformed files of every kind."""

import csv
from pathlib import Path

import numpy as np
import pytest

from naerhed.constants import REGION_CODES, REGION_NAMES
from naerhed.data import (
    DATA_DIR,
    load_fertility,
    load_mortality_age5,
    load_net_migration_sex_age,
    load_population,
    load_validation_targets,
    read_folk1a,
)
from naerhed.errors import DataError

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "data"
SEX_CODES = ("1", "2")
SEX_LABELS = ("Mænd", "Kvinder")


# --- writers for the two StatBank styles, built from the packaged table ----------------------
def coded_rows(pop_by_year, region_digits=3, split_110=True, extras=True):
    """Rows of a coded FOLK1A API export (OMRÅDE;KØN;ALDER;TID;INDHOLD)."""
    rows = []
    for year, pop in pop_by_year.items():
        if extras:  # rows the reader must ignore
            rows.append(["000", "1", "0", f"{year}K1", str(int(pop[:, 0, 0].sum()))])
            rows.append(["101", "1", "0", f"{year}K1", "5120"])
            rows.append(["411", "2", "80", f"{year}K1", "1"])
        for r, code in enumerate(REGION_CODES):
            area = f"{code - 1000:03d}" if region_digits == 3 else str(code)
            for s in range(2):
                for a in range(111):
                    v = int(pop[r, s, a])
                    if a == 110 and split_110 and v >= 1:  # spread "110+" over single ages 110 and 112
                        rows.append([area, SEX_CODES[s], "110", f"{year}K1", str(v - 1)])
                        rows.append([area, SEX_CODES[s], "112", f"{year}K1", "1"])
                        rows.append([area, SEX_CODES[s], "125", f"{year}K1", "0"])
                    else:
                        rows.append([area, SEX_CODES[s], str(a), f"{year}K1", str(v)])
                if extras:
                    rows.append([area, SEX_CODES[s], "IALT", f"{year}K1", str(int(pop[r, s].sum()))])
                    rows.append([area, SEX_CODES[s], "5", f"{year}K2", "999"])  # 1 April: ignored
            if extras:
                rows.append([area, "TOT", "0", f"{year}K1", str(int(pop[r, :, 0].sum()))])
    return rows


def labelled_rows(pop_by_year):
    rows = []
    for year, pop in pop_by_year.items():
        rows.append(["Hele landet", "Mænd", "0 år", f"{year}K1", str(int(pop[:, 0, 0].sum()))])
        rows.append(["København", "Kvinder", "30 år", f"{year}K1", "7000"])
        rows.append(["Christiansø", "Kvinder", "30 år", f"{year}K1", "1"])
        for r, name in enumerate(REGION_NAMES):
            for s in range(2):
                for a in range(111):
                    rows.append([f"Region {name}", SEX_LABELS[s], f"{a} år", f"{year}K1", str(int(pop[r, s, a]))])
                rows.append([f"Region {name}", SEX_LABELS[s], "Alder i alt", f"{year}K1", str(int(pop[r, s].sum()))])
            rows.append([f"Region {name}", "I alt", "0 år", f"{year}K1", str(int(pop[r, :, 0].sum()))])
    return rows


def write(path, header, rows, encoding="utf-8", title=None, delimiter=";"):
    with open(path, "w", newline="", encoding=encoding) as f:
        if title:
            f.write(title + "\r\n")
        w = csv.writer(f, delimiter=delimiter, lineterminator="\r\n")
        if header:
            w.writerow(header)
        w.writerows(rows)
    return path


HEADER = ["OMRÅDE", "KØN", "ALDER", "TID", "INDHOLD"]


@pytest.fixture(scope="module")
def pops():
    return {2019: load_population(2019), 2020: load_population(2020)}


# --- round trips ----------------------------------------------------------------------------------
def test_coded_export_round_trip(tmp_path, pops):
    path = write(tmp_path / "folk1a_coded.csv", HEADER, coded_rows(pops))
    data = read_folk1a(path)
    assert sorted(data) == [2019, 2020]
    for year, pop in pops.items():
        np.testing.assert_array_equal(data[year], pop)
        np.testing.assert_array_equal(load_population(year, path=path), pop)


def test_coded_export_with_four_digit_region_codes_and_bom(tmp_path, pops):
    path = write(tmp_path / "folk1a_coded_bom.csv", HEADER, coded_rows({2019: pops[2019]}, region_digits=4),
                 encoding="utf-8-sig")
    np.testing.assert_array_equal(read_folk1a(path)[2019], pops[2019])


def test_labelled_export_latin1_with_title_line(tmp_path, pops):
    path = write(
        tmp_path / "folk1a_labelled.csv", HEADER, labelled_rows(pops), encoding="cp1252",
        title="Befolkningen den 1. i kvartalet efter område, køn, alder og tid",
    )
    assert "Mænd".encode("cp1252") in path.read_bytes()  # really not UTF-8
    data = read_folk1a(path)
    for year, pop in pops.items():
        np.testing.assert_array_equal(data[year], pop)
        np.testing.assert_array_equal(load_population(year, path=path), pop)


def test_labelled_export_utf8_without_header(tmp_path, pops):
    path = write(tmp_path / "folk1a_noheader.csv", None, labelled_rows({2019: pops[2019]}))
    np.testing.assert_array_equal(read_folk1a(path)[2019], pops[2019])


def test_export_with_civil_status_is_summed(tmp_path, pops):
    pop = pops[2019]
    rows = []
    for r, code in enumerate(REGION_CODES):
        for s in range(2):
            for a in range(111):
                v = int(pop[r, s, a])
                rows.append([f"{code - 1000:03d}", SEX_CODES[s], str(a), "U", "2019K1", str(v - v // 2)])
                rows.append([f"{code - 1000:03d}", SEX_CODES[s], str(a), "G", "2019K1", str(v // 2)])
    path = write(tmp_path / "folk1a_civil.csv", ["OMRÅDE", "KØN", "ALDER", "CIVILSTAND", "TID", "INDHOLD"], rows)
    np.testing.assert_array_equal(read_folk1a(path)[2019], pop)


def test_package_format_substitution(tmp_path):
    src = DATA_DIR / "population_region_sex_age.csv"
    lines = src.read_text(encoding="utf-8").splitlines()
    header = lines[0].split(",")
    out = [lines[0]]
    for ln in lines[1:]:
        if ln.startswith("2019,1081,Nordjylland,female,50,"):
            cells = ln.split(",")
            cells[header.index("population")] = "12345"
            ln = ",".join(cells)
        out.append(ln)
    path = tmp_path / "my_population.csv"
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    mine = load_population(2019, path=path)
    assert mine[0, 1, 50] == 12345
    ref = load_population(2019)
    ref[0, 1, 50] = 12345
    np.testing.assert_array_equal(mine, ref)


def test_changed_file_is_reread(tmp_path, pops):
    path = write(tmp_path / "folk1a.csv", HEADER, coded_rows({2019: pops[2019]}, extras=False))
    assert read_folk1a(path)[2019][0, 0, 0] == pops[2019][0, 0, 0]
    rows = coded_rows({2019: pops[2019]}, extras=False)
    rows[0][-1] = "123456789"
    write(path, HEADER, rows)
    assert read_folk1a(path)[2019][0, 0, 0] == 123456789


# --- malformed StatBank exports ----------------------------------------------------------------
def test_statbank_fixture_with_missing_cells(tmp_path):
    path = FIXTURES / "folk1a_coded_incomplete.csv"
    with pytest.raises(DataError) as exc:
        read_folk1a(path)
    msg = str(exc.value)
    assert "folk1a_coded_incomplete.csv" in msg and "2019K1" in msg
    assert "Nordjylland male ages 2-110" in msg and "Midtjylland female ages 0-110" in msg


def test_statbank_missing_column(tmp_path, pops):
    rows = [r[:4] for r in coded_rows({2019: pops[2019]})]
    path = write(tmp_path / "no_value.csv", HEADER[:4], rows)
    with pytest.raises(DataError, match=r"no_value\.csv.*missing column\(s\) INDHOLD"):
        read_folk1a(path)


def test_statbank_non_numeric_count(tmp_path, pops):
    rows = coded_rows({2019: pops[2019]}, extras=False)
    rows[7][-1] = "abc"
    path = write(tmp_path / "bad_value.csv", HEADER, rows)
    with pytest.raises(DataError, match=r"bad_value\.csv: line 9, column INDHOLD: 'abc' is not a number"):
        read_folk1a(path)
    rows[7][-1] = ".."
    write(path, HEADER, rows)
    with pytest.raises(DataError, match=r"line 9.*missing value"):
        load_population(2019, path=path)


def test_statbank_negative_count(tmp_path, pops):
    rows = coded_rows({2019: pops[2019]}, extras=False)
    rows[3][-1] = "-5"
    path = write(tmp_path / "negative.csv", HEADER, rows)
    with pytest.raises(DataError, match=r"negative\.csv: line 5.*negative number of persons"):
        read_folk1a(path)


def test_statbank_unknown_region(tmp_path, pops):
    rows = coded_rows({2019: pops[2019]}, extras=False)
    rows.append(["086", "1", "0", "2019K1", "10"])
    path = write(tmp_path / "bad_region.csv", HEADER, rows)
    with pytest.raises(DataError, match=r"bad_region\.csv: line \d+, column OMRÅDE: unknown region code '086'"):
        read_folk1a(path)
    rows = labelled_rows({2019: pops[2019]})
    rows.append(["Region Midt", "Mænd", "0 år", "2019K1", "10"])
    path = write(tmp_path / "bad_region_label.csv", HEADER, rows)
    with pytest.raises(DataError, match=r"bad_region_label\.csv.*unknown region 'Region Midt'"):
        read_folk1a(path)


def test_statbank_unknown_sex_and_age(tmp_path, pops):
    rows = labelled_rows({2019: pops[2019]})
    rows[5][1] = "Drenge"
    path = write(tmp_path / "bad_sex.csv", HEADER, rows)
    with pytest.raises(DataError, match=r"bad_sex\.csv: line 7, column KØN: unknown sex 'Drenge'"):
        read_folk1a(path)
    rows = labelled_rows({2019: pops[2019]})
    rows[5][2] = "0-4 år"
    path = write(tmp_path / "bad_age.csv", HEADER, rows)
    with pytest.raises(DataError, match=r"bad_age\.csv: line 7, column ALDER: age '0-4 år' is not a single year"):
        read_folk1a(path)


def test_statbank_missing_age(tmp_path, pops):
    rows = [r for r in coded_rows({2019: pops[2019]}) if not (r[0] == "083" and r[1] == "2" and r[2] == "38")]
    path = write(tmp_path / "no_age38.csv", HEADER, rows)
    with pytest.raises(DataError, match=r"no_age38\.csv: missing region x sex x age cells for 2019K1.*"
                                        r"Syddanmark female ages 38\b"):
        load_population(2019, path=path)


def test_statbank_only_other_quarters(tmp_path):
    path = write(tmp_path / "q2.csv", HEADER, [["081", "1", "0", "2019K2", "10"]])
    with pytest.raises(DataError, match=r"q2\.csv.*no first-quarter"):
        read_folk1a(path)


def test_statbank_unrecognised_file(tmp_path):
    path = tmp_path / "random.csv"
    path.write_text("a;b\n1;2\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"random\.csv: not recognised as a StatBank FOLK1A export"):
        read_folk1a(path)


def test_statbank_year_not_in_file(tmp_path, pops):
    path = write(tmp_path / "folk1a.csv", HEADER, coded_rows({2019: pops[2019]}, extras=False))
    with pytest.raises(DataError, match=r"folk1a\.csv: no population for 1 January 2021; years available: 2019"):
        load_population(2021, path=path)


# --- malformed files in the package format ------------------------------------------------------
def package_population_lines():
    return (DATA_DIR / "population_region_sex_age.csv").read_text(encoding="utf-8").splitlines()


def write_lines(path, lines):
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_missing_file():
    with pytest.raises(DataError, match=r"nowhere\.csv: data file not found"):
        load_population(2019, path="/nonexistent/nowhere.csv")
    with pytest.raises(DataError, match=r"nowhere\.csv: data file not found"):
        load_mortality_age5(path="/nonexistent/nowhere.csv")


def test_package_format_missing_column(tmp_path):
    lines = [",".join(c for i, c in enumerate(ln.split(",")) if i != 4) for ln in package_population_lines()[:50]]
    # dropping 'age' leaves a header with region_code and population: still our format, so the column is named
    path = write_lines(tmp_path / "pop_no_age.csv", lines)
    with pytest.raises(DataError, match=r"pop_no_age\.csv: missing column\(s\) 'age'; required columns: year, region_code, sex, age, population"):
        load_population(2019, path=path)


def test_package_format_non_numeric_count(tmp_path):
    lines = package_population_lines()
    cells = lines[10].split(",")
    cells[5] = "many"
    lines[10] = ",".join(cells)
    path = write_lines(tmp_path / "pop_text.csv", lines)
    with pytest.raises(DataError, match=r"pop_text\.csv: line 11, column 'population': 'many' is not a number"):
        load_population(2018, path=path)


def test_package_format_negative_count(tmp_path):
    lines = package_population_lines()
    cells = lines[3].split(",")
    cells[5] = "-3"
    lines[3] = ",".join(cells)
    path = write_lines(tmp_path / "pop_negative.csv", lines)
    with pytest.raises(DataError, match=r"pop_negative\.csv: line 4, column 'population': negative population -3"):
        load_population(2018, path=path)


def test_package_format_unknown_region():
    path = FIXTURES / "population_unknown_region.csv"
    with pytest.raises(DataError, match=r"population_unknown_region\.csv: line 3, column 'region_code': "
                                        r"unknown region '1086'; allowed: 1081, 1082, 1083, 1084, 1085"):
        load_population(2019, path=path)


def test_package_format_unknown_sex(tmp_path):
    lines = package_population_lines()
    lines[2] = lines[2].replace(",male,", ",boys,", 1)
    path = write_lines(tmp_path / "pop_sex.csv", lines)
    with pytest.raises(DataError, match=r"pop_sex\.csv: line 3, column 'sex': unknown sex 'boys'; allowed: male, female"):
        load_population(2018, path=path)


def test_package_format_missing_age(tmp_path):
    lines = [ln for ln in package_population_lines() if not ln.startswith("2019,1082,Midtjylland,male,38,")]
    path = write_lines(tmp_path / "pop_gap.csv", lines)
    with pytest.raises(DataError, match=r"pop_gap\.csv: missing rows: year 2019, region 1082 Midtjylland, male: ages 38$"):
        load_population(2019, path=path)


def test_package_format_duplicate_row(tmp_path):
    lines = package_population_lines()
    lines.append(lines[1])
    path = write_lines(tmp_path / "pop_dup.csv", lines)
    with pytest.raises(DataError, match=r"pop_dup\.csv: line \d+: duplicate row for year 2018, region 1081, male, age 0"):
        load_population(2018, path=path)


def test_other_loaders_report_bad_files(tmp_path):
    text = (DATA_DIR / "fertility_asfr.csv").read_text(encoding="utf-8").splitlines()
    cells = next(csv.reader([text[5]]))
    cells[3] = "120.5"  # per 1,000 women by mistake
    bad = tmp_path / "asfr_per_1000.csv"
    with open(bad, "w", newline="", encoding="utf-8") as f:
        f.write(text[0] + "\n")
        csv.writer(f, lineterminator="\n").writerow(cells)
    with pytest.raises(DataError, match=r"asfr_per_1000\.csv: line 2, column 'asfr': asfr .* too large; allowed: <= 1"):
        load_fertility(path=bad)

    lines = [ln for ln in (DATA_DIR / "mortality_sex_age5.csv").read_text(encoding="utf-8").splitlines()
             if not ln.startswith("2015,female,85-89,")]
    path = write_lines(tmp_path / "mort_gap.csv", lines)
    with pytest.raises(DataError, match=r"mort_gap\.csv: missing rows: year 2015, female: age_lower 85"):
        load_mortality_age5(path=path)

    lines = [ln for ln in (DATA_DIR / "net_migration_sex_age.csv").read_text(encoding="utf-8").splitlines()
             if not ln.startswith("2040,male,7,")]
    path = write_lines(tmp_path / "mig_gap.csv", lines)
    with pytest.raises(DataError, match=r"mig_gap\.csv: missing rows: year 2040, male: ages 7$"):
        load_net_migration_sex_age(path=path)

    lines = (DATA_DIR / "validation_targets.csv").read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace(",absolute,", ",percent,", 1)
    path = write_lines(tmp_path / "targets.csv", lines)
    with pytest.raises(DataError, match=r"targets\.csv: line 2, column 'tolerance_unit': 'percent' not allowed"):
        load_validation_targets(path=path)


def test_empty_and_non_utf8_files(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(DataError, match=r"empty\.csv: file is empty"):
        load_mortality_age5(path=empty)
    latin = tmp_path / "latin.csv"
    latin.write_bytes("year,sex,age_lower,deaths,person_years\n2019,kvinde,0,1,2\n".encode("utf-8")
                      .replace(b"kvinde", "kvindé".encode("cp1252")))
    with pytest.raises(DataError, match=r"latin\.csv: not valid UTF-8"):
        load_mortality_age5(path=latin)

"""The packaged reference tables: contents, provenance columns and loaders."""

import csv
from pathlib import Path

import numpy as np
import pytest

from naerhed.constants import N_AGES, REGION_CODES
from naerhed.data import (
    DATA_DIR,
    Fertility,
    MortalityAge5,
    MortalitySingleAge,
    Municipalities,
    ValidationTarget,
    file_sha256,
    load_birth_share_male,
    load_fertility,
    load_mortality_age5,
    load_mortality_single_age,
    load_municipalities,
    load_net_migration_sex_age,
    load_net_migration_total,
    load_population,
    load_projection,
    load_validation_targets,
    package_files,
)

from ..conftest import data_raw_script

REPO = Path(__file__).resolve().parents[2]
EXPECTED_FILES = {
    "population_region_sex_age.csv",
    "municipality_population.csv",
    "mortality_sex_age5.csv",
    "mortality_sex_age_epi.csv",
    "fertility_asfr.csv",
    "fertility_region.csv",
    "births_by_sex.csv",
    "net_migration_total.csv",
    "net_migration_sex_age.csv",
    "projection_frdk118.csv",
    "validation_targets.csv",
    "regions.csv",
}
STATUSES = {"published", "derived", "imputed", "assumption"}
REGION_TOTALS_2019 = {1081: 589_755, 1082: 1_320_678, 1083: 1_223_348, 1084: 1_835_562, 1085: 836_738}


def read_rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.DictReader(f)
        return reader.fieldnames, list(reader)


# --- provenance --------------------------------------------------------------------------------
def test_package_files_lists_all_tables():
    names = {p.name for p in package_files()}
    assert EXPECTED_FILES <= names
    assert all(p.parent == DATA_DIR for p in package_files())
    assert (DATA_DIR / "SOURCES.md").is_file()


@pytest.mark.parametrize("name", sorted(EXPECTED_FILES))
def test_every_table_has_source_and_status(name):
    header, rows = read_rows(DATA_DIR / name)
    assert "source" in header and "status" in header, name
    assert rows, name
    for i, row in enumerate(rows, start=2):
        assert row["source"].strip(), f"{name} line {i}: empty source"
        assert row["status"] in STATUSES, f"{name} line {i}: status {row['status']!r}"
        if row["status"] != "published":
            assert "note" in header and row["note"].strip(), f"{name} line {i}: {row['status']} row without note"


def test_every_packaged_table_is_documented_in_sources_md():
    text = (DATA_DIR / "SOURCES.md").read_text(encoding="utf-8")
    for p in package_files():
        assert p.name in text, p.name


def test_package_does_not_read_shared_folder():
    for p in (REPO / "model" / "naerhed").rglob("*.py"):
        assert "/work/shared" not in p.read_text(encoding="utf-8"), p


def test_imputed_population_rows_are_flagged():
    _, rows = read_rows(DATA_DIR / "population_region_sex_age.csv")
    rows = [row for row in rows if int(row["year"]) <= 2020]  # 2021 on: derived (test_population_derived.py)
    assert len(rows) == 3 * 5 * 2 * N_AGES
    for row in rows:
        age = int(row["age"])
        if age == 38 or age > 100:
            assert row["status"] == "imputed", row
            assert "share" in row["note"] and "national" in row["note"], row
        else:
            assert row["status"] == "published", row
            assert row["note"] == ""


# --- population ----------------------------------------------------------------------------------
def test_population_2019_matches_published_region_totals_exactly():
    pop = load_population(2019)
    assert pop.shape == (5, 2, N_AGES) and pop.dtype == np.float64
    totals = pop.sum(axis=(1, 2))
    for i, code in enumerate(REGION_CODES):
        assert totals[i] == REGION_TOTALS_2019[code], code
    assert pop.sum() == 5_806_081


def test_population_years_and_national_totals():
    # national FOLK1A 1 January totals (the imputation keeps them exactly)
    assert load_population(2018).sum() == 5_781_190
    assert load_population(2020).sum() == 5_822_763
    pop = load_population(2019)
    assert pop[:, :, 38].sum() == 68_520  # national age 38, 1 Jan 2019
    assert pop[:, :, 101:].sum() == 645  # national 101+, 1 Jan 2019
    assert (pop >= 0).all()
    assert (pop == np.round(pop)).all()
    # 80+ on 1 January 2020 equals the base of DST's 2020 projection
    assert load_population(2020)[:, :, 80:].sum() == 272_326


def test_population_is_smooth_around_imputed_age_38():
    pop = load_population(2019)
    for r in range(5):
        for s in range(2):
            mid = (pop[r, s, 37] + pop[r, s, 39]) / 2
            assert abs(pop[r, s, 38] - mid) < 0.1 * mid


def test_loaders_return_copies():
    a = load_population(2019)
    a[:] = -1
    assert load_population(2019).min() >= 0
    m = load_mortality_age5()
    m.deaths[:] = 0
    assert load_mortality_age5().deaths.sum() > 0


def test_population_file_is_parsed_once_for_all_years():
    from naerhed.data.tables import population_by_year

    population_by_year.cache_clear()
    years = [load_population(year) for year in (2018, 2019, 2020)]
    assert population_by_year.cache_info().misses == 1  # one parse of the file serves every year
    assert not np.array_equal(years[0], years[2])


def test_unknown_year_is_a_data_error():
    from naerhed.errors import DataError

    with pytest.raises(DataError, match=r"population_region_sex_age\.csv.*2031.*2018-2026"):
        load_population(2031)


# --- municipalities ------------------------------------------------------------------------------
def test_municipalities():
    for year, national in ((2022, 5_873_420), (2023, 5_932_654), (2024, 5_961_249), (2025, 5_992_734),
                           (2026, 6_025_603)):
        m = load_municipalities(year)
        assert isinstance(m, Municipalities)
        assert len(m.names) == 99 and m.region.dtype == np.int8 and m.population.dtype == np.float64
        assert m.population.sum() == national
        assert "Christiansø" in m.names and m.region[m.names.index("Christiansø")] == 3
    counts = np.bincount(load_municipalities(2022).region, minlength=5)
    assert counts.tolist() == [11, 19, 22, 30, 17]  # 29 kommuner + Christiansø in Hovedstaden
    m = load_municipalities(2024)
    assert np.bincount(m.region, weights=m.population).tolist() == [593_135, 1_365_688, 1_238_406, 1_911_067, 852_953]
    assert load_municipalities().names == load_municipalities(2022).names
    # 2025-2026 (FOLK1A by municipality code, joined to the FOLK1AM names): same areas, regions and order
    for year in (2025, 2026):
        later = load_municipalities(year)
        assert later.names == m.names and (later.region == m.region).all()


# --- mortality, fertility, births, migration, projection ------------------------------------
def test_mortality_age5():
    m = load_mortality_age5()
    assert isinstance(m, MortalityAge5)
    assert m.years.tolist() == list(range(2008, 2025))
    assert m.age_lower.tolist() == list(range(0, 100, 5))
    assert m.deaths.shape == m.person_years.shape == (17, 2, 20)
    totals = dict(zip(m.years.tolist(), m.deaths.sum(axis=(1, 2)).tolist()))
    assert totals[2019] == 53_959
    assert totals[2022] == 59_397
    assert totals[2010] == 54_368
    assert totals[2023] == 58_384 and totals[2024] == 57_071  # FOD207
    # 2023-2024 person-years: mean of two 1 January populations (national sums of the population table)
    k = m.years.tolist().index(2024)
    mean_population = (load_population(2024).sum() + load_population(2025).sum()) / 2
    assert m.person_years[k].sum() == pytest.approx(mean_population, rel=1e-12)


def test_life_expectancy_from_packaged_mortality_matches_dst():
    """An abridged period life table from the 2017-2018 rates reproduces DST's 79.0 / 82.9 years."""
    m = load_mortality_age5()
    targets = load_validation_targets()
    idx = [m.years.tolist().index(y) for y in (2017, 2018)]
    for s, sex in enumerate(("male", "female")):
        rate = m.deaths[idx, s].sum(0) / m.person_years[idx, s].sum(0)
        alive, e0 = 1.0, 0.0
        for g in range(len(rate) - 1):
            q = 1 - np.exp(-5 * rate[g])
            e0 += alive * q / rate[g]
            alive *= 1 - q
        e0 += alive / rate[-1]
        assert targets[f"life_expectancy_{sex}_2017_2018"].within(e0), (sex, e0)


def test_mortality_single_age():
    m = load_mortality_single_age()
    assert isinstance(m, MortalitySingleAge)
    assert m.years.tolist() == list(range(2003, 2013))
    assert m.deaths.shape == m.person_years.shape == (10, 2, 100)
    totals = dict(zip(m.years.tolist(), m.deaths.sum(axis=(1, 2)).tolist()))
    assert totals[2010] == 54_368 and totals[2011] == 52_516 and totals[2012] == 52_325
    assert (m.person_years > 0).all()


def test_fertility():
    f = load_fertility()
    assert isinstance(f, Fertility)
    assert f.years.tolist() == list(range(2008, 2061))
    assert f.age_lower.tolist() == list(range(10, 55, 5))
    assert f.asfr.shape == (53, 9)
    np.testing.assert_allclose(5 * f.asfr.sum(axis=1), f.tfr, rtol=1e-5)
    assert f.tfr[f.years.tolist().index(2023)] == pytest.approx(1.511, abs=5e-4)
    assert (f.asfr < 0.2).all()


def test_birth_share_male():
    share = load_birth_share_male()
    assert 0.512 < share < 0.515


def test_net_migration():
    years, persons = load_net_migration_total()
    assert years.tolist() == list(range(2008, 2061))
    assert persons[years.tolist().index(2022)] == 60_219
    years, by_age = load_net_migration_sex_age()
    assert years.tolist() == list(range(2023, 2061))
    assert by_age.shape == (38, 2, N_AGES)
    assert not by_age[:, :, 101:].any()
    assert by_age[0].sum() == 31_003  # UN sex x age 2023 (the annual total file says 31,006)


def test_projection():
    years, pop = load_projection()
    assert years.tolist() == list(range(2018, 2061))
    assert pop.shape == (43, 2, N_AGES)
    totals = dict(zip(years.tolist(), pop.sum(axis=(1, 2)).tolist()))
    assert totals[2018] == 5_781_190  # the actual 1 January 2018 population
    assert totals[2030] == 6_109_086 and totals[2060] == 6_598_181
    np.testing.assert_array_equal(pop[0].sum(axis=0)[:100], load_population(2018).sum(axis=(0, 1))[:100])


def test_validation_targets():
    t = load_validation_targets()
    assert all(isinstance(v, ValidationTarget) for v in t.values())
    le_m = t["life_expectancy_male_2017_2018"]
    assert (le_m.value, le_m.tolerance, le_m.tolerance_unit, le_m.unit) == (79.0, 0.3, "absolute", "years")
    assert t["life_expectancy_female_2017_2018"].value == 82.9
    p80 = t["persons_80plus_2030_dst2020"]
    assert (p80.value, p80.tolerance, p80.tolerance_unit) == (433_511, 0.03, "relative")
    assert p80.within(433_511 * 1.029) and not p80.within(433_511 * 1.031)
    assert t["population_total_2030_dst2020"].value == 6_040_000
    assert t["persons_80plus_2020_dst2020"].value == 272_326
    for code, total in REGION_TOTALS_2019.items():
        target = t[f"population_region_{code}_2019"]
        assert target.value == total and target.region_code == code and target.year == 2019
    assert t["population_total_2019"].value == 5_806_081
    assert all(v.source.startswith("http") for v in t.values())


def test_file_sha256():
    import hashlib

    p = DATA_DIR / "regions.csv"
    assert file_sha256(p) == hashlib.sha256(p.read_bytes()).hexdigest()


# --- the build script reproduces the packaged files byte for byte ---------------------------
def test_build_script_reproduces_packaged_tables(tmp_path, monkeypatch, capsys):
    build = data_raw_script("build_data.py")
    monkeypatch.setattr(build, "OUT", tmp_path)
    build.main()
    built = sorted(p.name for p in tmp_path.glob("*.csv"))
    assert set(built) == EXPECTED_FILES
    for name in built:
        assert (tmp_path / name).read_bytes() == (DATA_DIR / name).read_bytes(), f"{name} is out of date: rerun data-raw/build_data.py"

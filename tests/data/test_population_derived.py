"""The derived population 2021-2026 (IPF from the previous year, see SOURCES.md) and the regional
fertility factors: margins kept exactly, the derivation's measured error as documented, and the
factors reproducing the published 2021 births by region."""

import csv

import numpy as np
import pytest

from naerhed.constants import N_AGES, REGION_CODES
from naerhed.data import DATA_DIR, load_fertility, load_fertility_region, load_municipalities, load_population
from naerhed.demography.fertility import birth_probabilities, build_fertility
from naerhed.errors import DataError

from ..conftest import data_raw_script

NATIONAL_TOTALS = {2021: 5_840_045, 2022: 5_873_420, 2023: 5_932_654, 2024: 5_961_249, 2025: 5_992_734,
                   2026: 6_025_603}
HOVEDSTADEN, SJAELLAND = REGION_CODES.index(1084), REGION_CODES.index(1085)


@pytest.fixture(scope="module")
def build():
    return data_raw_script("build_data.py", "build_data_derived")


def test_derived_years_are_flagged_and_keep_the_published_totals():
    with open(DATA_DIR / "population_region_sex_age.csv", newline="", encoding="utf-8") as f:
        rows = [r for r in csv.DictReader(f) if int(r["year"]) >= 2021]
    assert len(rows) == 6 * 5 * 2 * N_AGES
    assert {r["status"] for r in rows} == {"derived"}
    assert all("IPF" in r["note"] and r["source"] for r in rows)
    for year, total in NATIONAL_TOTALS.items():
        pop = load_population(year)
        assert pop.sum() == total
        assert (pop >= 0).all() and (pop == np.round(pop)).all()
    # 2021: the published totals of Hovedstaden and Sjælland
    assert load_population(2021)[HOVEDSTADEN].sum() == 1_855_084
    assert load_population(2021)[SJAELLAND].sum() == 838_840
    # 2022-2026: the region totals are those of the municipality table
    for year in (2022, 2023, 2024, 2025, 2026):
        munis = load_municipalities(year)
        by_region = np.bincount(munis.region, weights=munis.population, minlength=5)
        np.testing.assert_array_equal(load_population(year).sum(axis=(1, 2)), by_region)


def test_derived_years_keep_the_published_margins(build):
    """Region x 7 age groups exact from 2020 on; national sex x single age exact 2021-2022; national
    sex x 5-year groups within the rounding (1 person) 2023-2025."""
    for year in range(2020, 2027):
        pop = load_population(year)
        by_group = np.stack([np.bincount(build.GROUP7, weights=pop[r].sum(axis=0), minlength=7) for r in range(5)])
        np.testing.assert_array_equal(by_group, build.region_groups_of_year(year))
    for year in (2021, 2022):
        np.testing.assert_array_equal(load_population(year).sum(axis=0), build.national_single(year))
    for year in (2023, 2024, 2025):
        pop = load_population(year).sum(axis=0)
        grouped = np.stack([np.bincount(build.AGE5_GROUP, weights=pop[s], minlength=18) for s in range(2)])
        assert np.abs(grouped - build.national_age5(year)).max() <= 1


def test_derivation_error_is_as_documented(build):
    """2020 derived from 2019 against the 2020 table: the figures SOURCES.md states."""
    full = {year: load_population(year).astype(np.int64) for year in (2019, 2020)}
    errors = build.measure_derivation(full)
    text = (DATA_DIR / "SOURCES.md").read_text(encoding="utf-8")
    assert errors["single"]["cells"] == 1000
    assert f"(the 2021-2022 method): {build.describe_error(errors['single'])};" in text
    assert f"(the 2023-2025 method): {build.describe_error(errors['age5'])};" in text
    assert f"(the 2026 method): {build.describe_error(errors['none'])}." in text
    # a derivation error well below the regional differences it is used for
    assert max(e["mae_share"] for e in errors.values()) < 0.01


def test_ipf_reproduces_a_table_whose_margins_it_is_given(build):
    """Seeded with the aged-on table of a population that only aged (no deaths, no migration),
    the derivation returns that population exactly."""
    rng = np.random.default_rng(1)
    prev = rng.integers(0, 500, size=(5, 2, N_AGES))
    target = build.age_on(prev).astype(np.int64)
    region_groups = np.stack([np.bincount(build.GROUP7, weights=target[r].sum(axis=0), minlength=7) for r in range(5)])
    out = build.derive_year(prev, np.ones((2, N_AGES)), region_groups.astype(np.int64),
                            (np.arange(N_AGES), target.sum(axis=0)))
    np.testing.assert_array_equal(out, target)


def test_fertility_factors_reproduce_the_published_2021_births():
    """National 2021 rates x factor on the 1 January 2021 women: Hovedstaden 22,954 and Sjælland
    7,492 (published), the other three together 33,027 (national 63,473 minus those), up to the
    national ratio published/expected (1.0005) the factors leave with the fertility table."""
    factor = load_fertility_region()
    assert factor.shape == (5,)
    assert factor[HOVEDSTADEN] < 1 < factor[SJAELLAND]
    women = load_population(2021)[:, 1, :]
    expected = women @ birth_probabilities(build_fertility(load_fertility()).rates(2021))
    births = factor * expected
    level = 63_473 / expected.sum()
    assert abs(level - 1) < 0.001
    assert births[HOVEDSTADEN] * level == pytest.approx(22_954, rel=1e-9)
    assert births[SJAELLAND] * level == pytest.approx(7_492, rel=1e-9)
    assert births[:3].sum() * level == pytest.approx(33_027, rel=1e-9)
    assert births.sum() == pytest.approx(expected.sum(), rel=1e-9)  # the national level is the table's


def test_fertility_region_file_must_name_every_region(tmp_path):
    path = tmp_path / "fertility_region.csv"
    path.write_text("region_code,factor\n1081,1.0\n1082,1.0\n1083,1.0\n1084,0.9\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"fertility_region.csv: missing rows: the regions: region_code 1085"):
        load_fertility_region(path)
    path.write_text("region_code,factor\n1081,1.0\n1082,-1\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"line 3, column 'factor'"):
        load_fertility_region(path)


def test_a_base_year_takes_the_municipality_table_of_the_nearest_year(tmp_path):
    from naerhed.data import nearest_municipality_year
    from naerhed.inputs import load_inputs

    from ..conftest import make_scenario

    assert [nearest_municipality_year(y) for y in (2018, 2019, 2022, 2023, 2024, 2025, 2026)] == [
        2022, 2022, 2022, 2023, 2024, 2025, 2026]
    calibration = tmp_path / "calibration_2025.csv"
    calibration.write_text("region_code,criterion,year,value\n" + "".join(
        f"{code},{name},2025,{value}\n" for code in REGION_CODES for name, value in
        (("stays_per_citizen", 1.8), ("activity_per_chronic_dkk", 40000), ("readmission_share", 0.12),
         ("virtual_share", 0.2))))
    inputs = load_inputs(make_scenario(population={"base_year": 2025, "sample_fraction": 0.01},
                                       data={"calibration": str(calibration)}))
    np.testing.assert_array_equal(inputs.demography.municipality_population, load_municipalities(2025).population)
    np.testing.assert_array_equal(inputs.base_counts, load_population(2025))

"""Chronic disease (KOL, diabetes type 1 and 2): base-year calibration, exclusivity of the diabetes
types, 2050 calibration of the cell projection, incidence, excess mortality, common random numbers
and the loaders' error messages."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from naerhed.constants import N_AGES
from naerhed.data import DATA_DIR, load_population
from naerhed.errors import DataError
from naerhed.health.chronic import (
    CONDITIONS,
    DIABETES_T1,
    DIABETES_T2,
    KOL,
    TARGET_USES,
    ChronicModel,
    build_chronic_model,
    cell_mortality_scale,
    condition_counts,
    has_chronic,
    has_condition,
    load_chronic_parameters,
    load_chronic_prevalence,
    load_chronic_targets,
    relative_risk_table,
    scaled_death_probability,
)
from naerhed.streams import RandomStreams

from ..conftest import data_raw_script

REPO = Path(__file__).resolve().parents[2]
FIXTURES = REPO / "tests" / "fixtures" / "data"
CHRONIC_FILES = ("chronic_prevalence.csv", "chronic_targets.csv", "chronic_parameters.csv")
STATUSES = {"published", "derived", "imputed", "assumption"}
SEED = 20190101


@pytest.fixture(scope="module")
def counts_2019():
    return load_population(2019)


@pytest.fixture(scope="module")
def model(counts_2019) -> ChronicModel:
    return build_chronic_model(counts_2019, 2019)


@pytest.fixture(scope="module")
def projection(model):
    """The offline cell projection the incidence trends are calibrated with (data-raw/chronic_projection.py)."""
    return data_raw_script("chronic_projection.py").reference_projection(model, 2050)


def synthetic_persons(counts, fraction):
    """Persons of a [region, sex, age] table at a sample fraction (cell sizes rounded): age, sex, ids."""
    national = counts.sum(axis=0).reshape(-1)
    n_cell = np.rint(national * fraction).astype(np.int64)
    cells = np.repeat(np.arange(national.size), n_cell)
    sex, age = np.divmod(cells, N_AGES)
    ids = np.arange(cells.size, dtype=np.int64)
    return age.astype(np.uint8), sex.astype(np.uint8), ids


@pytest.fixture(scope="module")
def sample(counts_2019):
    return synthetic_persons(counts_2019, 0.05)


# --- packaged tables -------------------------------------------------------------------------
@pytest.mark.parametrize("name", CHRONIC_FILES)
def test_chronic_tables_have_source_status_and_note(name):
    with open(DATA_DIR / name, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows
    for i, row in enumerate(rows, start=2):
        assert row["source"].strip(), f"{name} line {i}: empty source"
        assert row["status"] in STATUSES, f"{name} line {i}: status {row['status']!r}"
        if row["status"] != "published":
            assert row["note"].strip(), f"{name} line {i}: {row['status']} row without note"
    assert name in (DATA_DIR / "SOURCES.md").read_text(encoding="utf-8")


def test_targets_mark_calibration_and_validation():
    targets = load_chronic_targets()
    assert {t.use for t in targets.values()} == set(TARGET_USES)
    anchors = {t.condition: t for t in targets.values() if t.use == "base_anchor"}
    assert set(anchors) == set(CONDITIONS)
    assert (anchors["kol"].persons, anchors["kol"].year) == (155_000, 2018)
    assert (anchors["diabetes_t2"].persons, anchors["diabetes_t2"].year) == (244_000, 2018)
    assert (anchors["diabetes_t1"].persons, anchors["diabetes_t1"].year) == (27_614, 2017)
    calibration = {t.condition: t.persons for t in targets.values() if t.use == "trend_calibration" and t.year == 2050}
    assert calibration == {"kol": 240_000, "diabetes_t2": 368_000}
    published = {(t.condition, t.year): t.persons for t in targets.values()}
    assert published[("kol", 2015)] == 175_500
    assert published[("diabetes_t2", 2015)] == 220_500
    assert published[("diabetes_all", 2017)] == 280_130
    assert published[("diabetes_t2", 2017)] == 252_516


def test_packaged_parameters_are_reproduced_by_the_calibration_script(capsys):
    assert data_raw_script("calibrate_chronic.py").main(["--check"]) == 0, capsys.readouterr().out


# --- base year ----------------------------------------------------------------------------
@pytest.mark.parametrize("year", [2018, 2019, 2020])
def test_base_year_expected_counts_equal_targets(year):
    counts = load_population(year)
    m = build_chronic_model(counts, year)
    expected = m.expected_base_counts(counts)
    np.testing.assert_allclose(expected, m.base_persons, rtol=1e-12)
    packaged = load_chronic_parameters().base_persons[year]
    np.testing.assert_array_equal(m.base_persons, packaged)
    # the packaged counts are the anchors carried at base_growth (rounded to whole persons)
    parameters = load_chronic_parameters()
    for c, name in enumerate(CONDITIONS):
        anchor = next(t for t in load_chronic_targets().values() if t.condition == name and t.use == "base_anchor")
        derived = anchor.persons * (1 + parameters.base_growth[c]) ** (year - anchor.year)
        assert abs(packaged[c] - derived) <= 0.5
        if year == anchor.year:
            assert packaged[c] == anchor.persons


def test_base_year_without_packaged_count_is_derived_from_the_anchor(counts_2019):
    m = build_chronic_model(counts_2019, 2022)  # no base_persons_2022 rows: carried from the anchors
    parameters = load_chronic_parameters()
    targets = load_chronic_targets()
    for c, name in enumerate(CONDITIONS):
        anchor = next(t for t in targets.values() if t.condition == name and t.use == "base_anchor")
        assert m.base_persons[c] == pytest.approx(anchor.persons * (1 + parameters.base_growth[c]) ** (2022 - anchor.year))
    np.testing.assert_allclose(m.expected_base_counts(counts_2019), m.base_persons, rtol=1e-12)


def test_synthetic_sample_within_binomial_tolerance(model, sample):
    age, sex, ids = sample
    chronic = model.initial_states(age, sex, ids, ids.size, RandomStreams(SEED, 0), 2019)
    simulated = condition_counts(chronic)
    cell = sex.astype(np.int64) * N_AGES + age
    for c, name in enumerate(CONDITIONS):
        p = model.prevalence[c].reshape(-1)[cell]
        expected, sd = p.sum(), np.sqrt((p * (1 - p)).sum())
        assert abs(simulated[c] - expected) <= 4 * sd, f"{name}: {simulated[c]} vs {expected:.0f} ± {sd:.0f}"
        # and the sample's expectation is the target at the sample fraction (cell rounding only)
        assert expected == pytest.approx(model.base_persons[c] * 0.05, rel=2e-3)


def test_type_1_and_type_2_never_together(model, sample):
    age, sex, ids = sample
    streams = RandomStreams(SEED, 0)
    chronic = model.initial_states(age, sex, ids, ids.size, streams, 2019)
    assert not np.any((chronic & DIABETES_T1) & ((chronic & DIABETES_T2) >> 1))
    stressed = ChronicModel(prevalence=model.prevalence, incidence=np.full_like(model.incidence, 0.4),
                            incidence_trend=np.zeros(3), mortality_rr=model.mortality_rr,
                            mortality_scale=model.mortality_scale, base_year=2019)
    for year in range(2019, 2025):
        chronic, _ = stressed.apply_incidence(chronic, age, sex, ids, ids.size, streams, year)
        both = has_condition(chronic, "diabetes_t1") & has_condition(chronic, "diabetes_t2")
        assert not both.any(), year
    assert chronic.dtype == np.uint8
    assert chronic.max() <= KOL | DIABETES_T1 | DIABETES_T2


# --- projection ---------------------------------------------------------------------------
def test_cell_projection_reaches_2050_smile_figures(model, projection):
    for target in load_chronic_targets().values():
        if target.use != "trend_calibration":
            continue
        value = projection.at(target.year)[CONDITIONS.index(target.condition)]
        assert target.within(value), f"{target.id}: {value:,.0f} vs {target.persons:,.0f} ± {target.tolerance:.0%}"


def test_cell_projection_starts_at_the_base_counts_and_grows(model, projection):
    np.testing.assert_allclose(projection.at(2019), model.base_persons, rtol=1e-12)
    kol, t2 = projection.persons[:, 0], projection.persons[:, 2]
    assert np.all(np.diff(kol) > 0) and np.all(np.diff(t2) > 0)
    assert projection.states.min() >= 0


# --- incidence ----------------------------------------------------------------------------
@pytest.mark.parametrize("year", [2019, 2030, 2050, 2100])
def test_incidence_probabilities_in_unit_interval(model, year):
    rates = model.incidence_probability(year)
    assert rates.shape == (3, 2, N_AGES)
    assert np.all(rates >= 0) and np.all(rates <= 1)
    extreme = model.incidence_probability(year, incidence_trend=np.array([0.49, 0.49, 0.49]))
    assert np.all(extreme >= 0) and np.all(extreme <= 1)


def test_incidence_is_zero_where_prevalence_stays_zero(model):
    inc, prev = model.incidence, model.prevalence
    next_zero = np.concatenate([prev[:, :, 1:], prev[:, :, -1:]], axis=2) == 0
    assert np.all(inc[next_zero] == 0)
    assert np.all(inc[0, :, :29] == 0) and np.all(inc[0, :, 30:90] > 0)  # KOL: nobody below 30
    assert np.all(inc[2, :, :19] == 0) and np.all(inc[2, :, 20:70] > 0)  # type 2: nobody below 20
    # type 1: most new cases before 30
    persons = load_population(2019).sum(axis=0) * (1 - prev[1] - prev[2])
    cases = persons * inc[1]
    assert cases[:, :30].sum() / cases.sum() > 0.6


def test_apply_incidence_counts_new_cases_and_matches_the_rates(model, sample):
    age, sex, ids = sample
    streams = RandomStreams(SEED, 0)
    chronic = model.initial_states(age, sex, ids, ids.size, streams, 2019)
    updated, new_cases = model.apply_incidence(chronic, age, sex, ids, ids.size, streams, 2019)
    assert np.all((updated & chronic) == chronic)  # nobody recovers
    for c, flag in enumerate((KOL, DIABETES_T1, DIABETES_T2)):
        gained = ((updated & flag) != 0) & ((chronic & flag) == 0)
        assert gained.sum() == new_cases[c]
    rates = model.incidence_probability(2019)
    cell = sex.astype(np.int64) * N_AGES + age
    at_risk = [(chronic & KOL) == 0, (chronic & (DIABETES_T1 | DIABETES_T2)) == 0]
    p = [rates[0].reshape(-1)[cell] * at_risk[0], rates[1].reshape(-1)[cell] * at_risk[1],
         (1 - rates[1].reshape(-1)[cell]) * rates[2].reshape(-1)[cell] * at_risk[1]]
    for c in range(3):
        expected, sd = p[c].sum(), np.sqrt((p[c] * (1 - p[c])).sum())
        assert abs(new_cases[c] - expected) <= 4 * sd + 1, (CONDITIONS[c], new_cases[c], expected)


# --- mortality ----------------------------------------------------------------------------
def test_scale_times_relative_risk_averages_to_one_in_every_cell(model):
    pk, p1, p2 = model.prevalence
    rk, r1, r2 = model.mortality_rr
    shares = {0: (1 - pk) * (1 - p1 - p2), KOL: pk * (1 - p1 - p2), DIABETES_T1: (1 - pk) * p1,
              DIABETES_T2: (1 - pk) * p2, KOL | DIABETES_T1: pk * p1, KOL | DIABETES_T2: pk * p2}
    table = relative_risk_table(model.mortality_rr)
    mean = sum(share * model.mortality_scale * table[code] for code, share in shares.items())
    np.testing.assert_allclose(mean, 1.0, rtol=1e-12)
    np.testing.assert_allclose(sum(shares.values()), 1.0, rtol=1e-12)
    assert table[KOL | DIABETES_T2] == pytest.approx(rk * r2)
    assert table[KOL | DIABETES_T1] == pytest.approx(rk * r1)
    np.testing.assert_allclose(model.mortality_scale, cell_mortality_scale(model.prevalence, model.mortality_rr))


def test_sample_death_factor_averages_to_one(model, sample):
    age, sex, ids = sample
    chronic = model.initial_states(age, sex, ids, ids.size, RandomStreams(SEED, 0), 2019)
    factor = model.death_factor(chronic, age, sex)
    old = age >= 60
    assert factor[old].mean() == pytest.approx(1.0, abs=0.01)
    rr = model.relative_risk(chronic)
    assert rr.dtype == np.float32
    np.testing.assert_allclose(rr[chronic == 0], 1.0)
    np.testing.assert_allclose(rr[chronic == KOL], model.mortality_rr[0], rtol=1e-6)
    q = np.array([0.0, 0.01, 0.5, 1.0])
    np.testing.assert_allclose(scaled_death_probability(q, 1.0), q, atol=1e-15)
    np.testing.assert_allclose(scaled_death_probability(0.1, 2.0), 1 - 0.9 ** 2)


def test_relative_risks_are_in_the_literature_range():
    rr = dict(zip(CONDITIONS, load_chronic_parameters().mortality_rr))
    assert 2.0 <= rr["kol"] <= 2.5
    assert 1.4 <= rr["diabetes_t2"] <= 1.8
    assert 1.8 <= rr["diabetes_t1"] <= 3.0


# --- age profile --------------------------------------------------------------------------
@pytest.mark.parametrize("condition", ["kol", "diabetes_t2"])
def test_prevalence_rises_with_age_above_40(model, condition):
    prev = model.prevalence[CONDITIONS.index(condition)]
    for s in range(2):
        assert np.all(np.diff(prev[s, 40:80]) >= 0), (condition, s)
        assert prev[s, 70:85].mean() > 3 * prev[s, 40:55].mean()


def test_type_1_prevalence_is_flat_through_adult_life(model):
    t1 = model.prevalence[1]
    adult = t1[:, 23:58]  # ages between the 15-19 and 60-64 group mid-points' interpolation
    assert adult.max() / adult.min() == pytest.approx(1.0, abs=1e-9)
    assert 0.003 < adult.mean() < 0.007


def test_has_chronic_is_kol_or_diabetes():
    codes = np.arange(8, dtype=np.uint8)
    np.testing.assert_array_equal(has_chronic(codes), codes != 0)
    np.testing.assert_array_equal(has_condition(codes, "kol"), (codes & 1) != 0)
    np.testing.assert_array_equal(condition_counts(codes), [4, 4, 4])


# --- common random numbers ----------------------------------------------------------------
def test_same_ids_and_seed_give_the_same_states(model, sample):
    age, sex, ids = sample
    a = model.initial_states(age, sex, ids, ids.size, RandomStreams(SEED, 3), 2019)
    b = model.initial_states(age, sex, ids, ids.size, RandomStreams(SEED, 3), 2019)
    c = model.initial_states(age, sex, ids, ids.size, RandomStreams(SEED, 4), 2019)
    np.testing.assert_array_equal(a, b)
    assert np.any(a != c)
    ia, na = model.apply_incidence(a, age, sex, ids, ids.size, RandomStreams(SEED, 3), 2021)
    ib, nb = model.apply_incidence(b, age, sex, ids, ids.size, RandomStreams(SEED, 3), 2021)
    np.testing.assert_array_equal(ia, ib)
    np.testing.assert_array_equal(na, nb)


def test_a_persons_state_is_unchanged_by_adding_other_persons(model, sample):
    age, sex, ids = sample
    streams = RandomStreams(SEED, 0)
    rng = np.random.default_rng(1)
    extra = 10_000
    more_age = np.concatenate([age, rng.integers(0, 100, extra).astype(np.uint8)])
    more_sex = np.concatenate([sex, rng.integers(0, 2, extra).astype(np.uint8)])
    more_ids = np.arange(ids.size + extra, dtype=np.int64)
    alone = model.initial_states(age, sex, ids, ids.size, streams, 2019)
    crowd = model.initial_states(more_age, more_sex, more_ids, more_ids.size, streams, 2019)
    np.testing.assert_array_equal(crowd[: ids.size], alone)
    # the same persons in another order and within a subset
    subset = ids[::7][::-1]
    part = model.initial_states(age[subset], sex[subset], subset, ids.size, streams, 2019)
    np.testing.assert_array_equal(part, alone[subset])
    after_alone, _ = model.apply_incidence(alone, age, sex, ids, ids.size, streams, 2020)
    after_crowd, _ = model.apply_incidence(crowd, more_age, more_sex, more_ids, more_ids.size, streams, 2020)
    np.testing.assert_array_equal(after_crowd[: ids.size], after_alone)


# --- loaders ------------------------------------------------------------------------------
@pytest.mark.parametrize("loader,fixture,column", [
    (load_chronic_prevalence, "chronic_prevalence_unknown_condition.csv", "column 'condition'"),
    (load_chronic_prevalence, "chronic_prevalence_share_above_one.csv", "column 'prevalence_share'"),
    (load_chronic_prevalence, "chronic_prevalence_missing_ages.csv", "'age_lower'"),
    (load_chronic_prevalence, "chronic_prevalence_overlap.csv", "column 'age_lower'"),
    (load_chronic_parameters, "chronic_parameters_negative_rr.csv", "column 'value'"),
    (load_chronic_parameters, "chronic_parameters_unknown_parameter.csv", "column 'parameter'"),
    (load_chronic_parameters, "chronic_parameters_missing_rows.csv", "'parameter'"),
    (load_chronic_targets, "chronic_targets_bad_use.csv", "column 'use'"),
    (load_chronic_targets, "chronic_targets_missing_column.csv", "'use'"),
])
def test_loaders_reject_broken_files_naming_file_and_column(loader, fixture, column):
    path = FIXTURES / fixture
    with pytest.raises(DataError) as info:
        loader(path)
    message = str(info.value)
    assert str(path) in message and column in message, message


def test_loader_error_names_the_line(tmp_path):
    path = tmp_path / "prevalence.csv"
    path.write_text("condition,sex,age_lower,age_upper,prevalence_share\nkol,male,0,110,abc\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"line 2, column 'prevalence_share': 'abc' is not a number"):
        load_chronic_prevalence(path)


def test_missing_file_and_anchor_are_reported(tmp_path, counts_2019):
    with pytest.raises(DataError, match="not found"):
        load_chronic_targets(tmp_path / "nope.csv")
    targets = tmp_path / "targets.csv"
    targets.write_text("id,condition,year,persons,use,tolerance\nk,kol,2018,155000,validation,0\n", encoding="utf-8")
    with pytest.raises(DataError, match="no base_anchor row"):
        build_chronic_model(counts_2019, 2023, targets_path=targets)


def test_users_own_files_are_used(tmp_path, counts_2019):
    prevalence = tmp_path / "prevalence.csv"
    lines = ["condition,sex,age_lower,age_upper,prevalence_share"]
    for condition in CONDITIONS:
        for sex in ("male", "female"):
            lines += [f"{condition},{sex},0,49,0", f"{condition},{sex},50,110,0.1"]
    prevalence.write_text("\n".join(lines) + "\n", encoding="utf-8")
    m = build_chronic_model(counts_2019, 2019, prevalence_path=prevalence)
    assert np.all(m.prevalence[:, :, :50] == 0)
    np.testing.assert_allclose(m.expected_base_counts(counts_2019), m.base_persons, rtol=1e-12)

"""The calibration is anchored in the year of the calibration file (issue 12): the simulated criteria
of that year equal the targets whatever the base year; a year that is not simulated is refused with
the file, the year and what is allowed; a file with only some regions is filled from the package."""

import numpy as np
import pytest

from naerhed.data.health_tables import load_calibration_targets
from naerhed.engine import simulate_draw
from naerhed.errors import DataError, NaerhedError
from naerhed.health.hospital_use import Q
from naerhed.inputs import load_inputs
from naerhed.run_spec import RunSpec

from ..conftest import make_scenario
from .test_hospital_use import _criteria

REGIONS = (1081, 1082, 1083, 1084, 1085)
TARGETS = {"stays_per_citizen": 1.8, "activity_per_chronic_dkk": 40000, "readmission_share": 0.12, "virtual_share": 0.2}


def _file(tmp_path, year, regions=REGIONS, criteria=TARGETS):
    lines = ["region_code,criterion,year,value"]
    lines += [f"{code},{name},{year},{value}" for code in regions for name, value in criteria.items()]
    path = tmp_path / f"calibration_{year}.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


def _region_criteria(totals, mun_region):
    """Criteria [criterion, region] and their sd from the chance of events (as in
    test_hospital_use.test_calibration_reproduces_the_base_year_targets; weight 20 at f = 0.05)."""
    groups = totals.shape[1] // mun_region.size
    weight = 20.0
    out, sds = [], []
    target = np.array(list(TARGETS.values()))
    for r in range(5):
        t = totals[:, np.repeat(mun_region == r, groups)].sum(axis=1)
        admissions = (t[Q["acute_admissions"]] + t[Q["planned_admissions"]]) / weight
        stays = admissions + t[Q["outpatient_stays"]] / weight
        citizens = t[Q["citizens"]] / weight
        out.append(_criteria(t[:, None]))
        sds.append([np.sqrt(stays) / citizens, 3.0 * target[1] / np.sqrt(t[Q["chronic_persons"]] / weight),
                    np.sqrt(target[2] * (1 - target[2]) / admissions),
                    np.sqrt(target[3] * (1 - target[3]) / (stays + t[Q["virtual_courses"]] / weight))])
    return np.array(out).T, np.array(sds).T


def test_calibration_is_anchored_in_the_year_of_the_file(tmp_path):
    """Targets for 2021 with base year 2019: the simulated 2021 criteria equal them within 4 sd of the
    chance of events; 2019 uses the same multipliers, so the virtual share (central trend +8 % a
    year) is lower there by about the trend."""
    inputs = load_inputs(make_scenario(data={"calibration": str(_file(tmp_path, 2021))}, end_year=2022))
    assert inputs.health.calibration_year == 2021
    result = simulate_draw(RunSpec(inputs=inputs, end_year=2022, sample_fraction=0.05, seed=8, central=True), 0)
    mun_region = inputs.demography.municipality_region
    simulated, sd = _region_criteria(result.hospital[2], mun_region)  # period 2021
    target = np.array(list(TARGETS.values()))[:, None]
    assert np.all(np.abs(simulated - target) <= 4 * sd), (simulated, target)
    virtual_2019 = _criteria(result.hospital[0])[3]
    assert virtual_2019 < 0.2 / 1.08 * 1.03  # two years of the +8 % trend before 2021 (1.08^2), with room for chance


def test_calibration_in_the_base_year_is_unchanged(default_inputs):
    """A file for the base year gives the same multipliers as before (no projection needed)."""
    assert default_inputs.health.calibration_year == default_inputs.base_year == 2019


@pytest.mark.parametrize("year, side", [(2018, "before population.base_year"),
                                        (2022, "after the last simulated year")])
def test_a_year_that_is_not_simulated_is_refused(tmp_path, year, side):
    path = _file(tmp_path, year)
    with pytest.raises(NaerhedError) as error:
        load_inputs(make_scenario(data={"calibration": str(path)}, end_year=2022))
    message = str(error.value)
    assert str(path) in message and f"for {year}, {side}" in message and "allowed: a year from 2019 to 2021" in message


def test_rows_for_several_years_are_refused(tmp_path):
    path = _file(tmp_path, 2019)
    path.write_text(path.read_text().replace("1085,virtual_share,2019", "1085,virtual_share,2020"))
    with pytest.raises(DataError, match=r"line 21, column 'year': every row must be for the same year"):
        load_calibration_targets(path)


def test_a_file_with_only_the_users_region_is_filled_from_the_package(tmp_path):
    own = load_calibration_targets(_file(tmp_path, 2019, regions=(1083,)))
    packaged = load_calibration_targets()
    np.testing.assert_array_equal(own.value[:, 2], list(TARGETS.values()))
    others = [0, 1, 3, 4]
    np.testing.assert_array_equal(own.value[:, others], packaged.value[:, others])
    np.testing.assert_array_equal(own.sd[:, others], packaged.sd[:, others])
    assert own.filled == ("Nordjylland", "Midtjylland", "Hovedstaden", "Sjælland")
    assert own.year == 2019


def test_a_region_with_only_some_criteria_is_refused(tmp_path):
    path = _file(tmp_path, 2019, regions=(1083,), criteria={"stays_per_citizen": 1.8, "virtual_share": 0.2})
    with pytest.raises(DataError, match=r"no target for activity_per_chronic_dkk for Syddanmark; "
                                        r"readmission_share for Syddanmark; a region in the file needs all of"):
        load_calibration_targets(path)


def test_validate_model_compares_the_calibration_year(tmp_path):
    """validate-model checks the calibrated criteria in the year of the file (the packaged levels,
    given for 2021), each within its tolerance (4 sd of the chance of events)."""
    from naerhed.data.registry import TABLES
    from naerhed.validation import run_checks

    path = tmp_path / "packaged_2021.csv"
    path.write_text(TABLES["calibration"].path.read_text(encoding="utf-8").replace(",2019,", ",2021,"), encoding="utf-8")
    checks = run_checks(make_scenario(data={"calibration": str(path)}), sample_fraction=0.05)
    calibrated = [c for c in checks if c.id.startswith(tuple(TARGETS))]
    assert len(calibrated) == 20 and all(c.year == 2021 and c.id.endswith("_2021") for c in calibrated)
    assert all(c.ok for c in calibrated), [c for c in calibrated if not c.ok]


def test_the_years_new_chronic_cases_are_in_the_calibration(default_inputs):
    """The draw draws the year's new chronic cases before its hospital use, so the calibration counts
    them too: over 6 central draws of the base year (f = 0.05), the national stays per citizen match
    the targets on average within 4 standard errors of the mean (from the spread of the draws).
    Leaving the new cases out biased it by about +0.5 % (some 7 standard errors)."""
    mun_region = default_inputs.demography.municipality_region
    spec = RunSpec(inputs=default_inputs, end_year=default_inputs.base_year + 1, sample_fraction=0.05, seed=11,
                   central=True)
    deviations = []
    for draw in range(6):
        totals = simulate_draw(spec, draw).hospital[0]
        groups = totals.shape[1] // mun_region.size
        region = np.array([totals[:, np.repeat(mun_region == r, groups)].sum(axis=1) for r in range(5)])
        stays = region[:, Q["acute_admissions"]] + region[:, Q["planned_admissions"]] + region[:, Q["outpatient_stays"]]
        expected = (default_inputs.health.targets[0] * region[:, Q["citizens"]]).sum()
        deviations.append(stays.sum() / expected - 1.0)
    deviations = np.array(deviations)
    standard_error = deviations.std(ddof=1) / np.sqrt(deviations.size)
    assert abs(deviations.mean()) <= 4 * standard_error, (deviations, standard_error)

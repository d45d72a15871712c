"""The present-day calibration (calibration_targets_2025.csv): rebuilt byte for byte by its script,
one year (2025), every region and calibrated criterion, each row with its status and source, and
anchored in 2025 by the baseline."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from naerhed.constants import N_REGIONS
from naerhed.data import DATA_DIR, TABLES
from naerhed.data.health_tables import load_calibration_targets
from naerhed.data.reader import read_table
from naerhed.financing.criteria import names as criterion_names

from ..conftest import data_raw_script

REPO = Path(__file__).resolve().parents[2]


def _build_module():
    return data_raw_script("build_calibration_2025.py")


def test_the_script_rebuilds_the_packaged_file_byte_for_byte():
    assert _build_module().build() == (DATA_DIR / "calibration_targets_2025.csv").read_text(encoding="utf-8")


def test_one_year_every_region_and_criterion_with_status_and_source():
    path = DATA_DIR / "calibration_targets_2025.csv"
    targets = load_calibration_targets(path)
    assert targets.year == 2025 and targets.filled == ()
    assert targets.value.shape == (len(criterion_names(calibrated=True)), N_REGIONS)
    assert np.all(targets.sd > 0)
    table = read_table(TABLES["calibration_2025"], path)
    assert set(table["status"]) <= {"derived", "assumption"}
    assert all(source.strip() for source in table["source"]) and all(note.strip() for note in table["note"])


def test_stays_per_citizen_is_the_2021_level_moved_by_ageing_and_trend():
    """2025 stays per citizen lie above the 2021 levels (ageing and the outpatient trend), by less than
    the trend priors and ageing allow together (about 1.6 + 2 % a year at most)."""
    old = load_calibration_targets()  # the 2019 file holds the 2021 stays levels
    new = load_calibration_targets(DATA_DIR / "calibration_targets_2025.csv")
    stays = criterion_names(calibrated=True).index("stays_per_citizen")
    ratio = new.value[stays] / old.value[stays]
    assert np.all(ratio > 1.0) and np.all(ratio < 1.036 ** 4)


def test_the_baseline_is_anchored_in_2025():
    from naerhed.scenario import load_scenario

    scenario = load_scenario(REPO / "scenarios" / "baseline.yaml")
    assert Path(scenario.data.calibration).resolve() == (DATA_DIR / "calibration_targets_2025.csv").resolve()
    assert load_calibration_targets(scenario.data.calibration).year == scenario.population.base_year == 2025

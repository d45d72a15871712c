"""The health part of a run: chronic disease, frailty and hospital use, built once from the
scenario's tables and shared by all draws; plus what varies per draw (sampled trends, criterion 5)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from scipy.special import ndtri

from ..data.health_tables import (RATE_MEASURES, CalibrationTargets, load_calibration_targets,
                                  load_hospital_use, load_trend_priors)
from ..data.registry import TABLES
from ..errors import DataError
from ..financing.criteria import names as criterion_names
from ..demography.mortality import MortalityModel, death_probabilities
from ..population import Population
from ..streams import RandomStreams
from ..uncertainty import as_prior, draw_value
from .calibration import calibration_year_problem
from .chronic import DIABETES_T2, KOL, ChronicModel, build_chronic_model
from .frailty import calibrate_shape, draw_frailty
from .hospital_use import ACUTE, OUTPATIENT, PLANNED, READMISSION, HospitalUseModel

COMBINATION_BITS = np.array([0, KOL, DIABETES_T2, KOL | DIABETES_T2])  # none, KOL, diabetes, both


@dataclass
class DrawHealth:
    """What one draw samples: trend [measure] (annual relative change), whether each scenario-input
    criterion is met (name → bool), and the calibration targets [criterion, region] (the base-year
    levels are uncertain too)."""

    trend: np.ndarray
    inputs_met: dict[str, bool]
    targets: np.ndarray


@dataclass
class Health:
    chronic: ChronicModel
    use: HospitalUseModel
    targets: np.ndarray            # [criterion, region], see data/calibration_targets.csv
    target_sd: np.ndarray          # [criterion, region]: uncertainty of the targets (one sd)
    trends: dict                   # measure -> number or Prior
    input_met_probability: dict[str, float]  # scenario-input criterion → probability that it is met
    repeated_share_target: float   # share of acute inpatients with 2+ acute admissions (calibrated)
    repeated_admissions_target: float  # share of acute admissions made by them (validation)
    calibration: CalibrationTargets  # the targets as read: year (the calibration is anchored in it), file, filled regions

    @property
    def calibration_year(self) -> int:
        """The calendar year the calibration targets describe; the calibration is anchored in it."""
        return self.calibration.year

    def draw(self, seed: int, draw: int, central: bool) -> DrawHealth:
        """Sample the per-draw parameters (common random numbers: keyed by seed, draw and name)."""
        trend = np.array([draw_value(self.trends[m], "trend:" + m, seed, draw, central) for m in RATE_MEASURES])
        streams = RandomStreams(seed, draw)
        met = {name: bool(p >= 1.0 or (p > 0 and streams.uniform(name, 0, 1)[0] < p))
               for name, p in self.input_met_probability.items()}
        targets = self.targets.copy()
        if not central:
            z = ndtri(streams.uniform("calibration_targets", 0, self.targets.size)).reshape(self.targets.shape)
            targets = np.clip(self.targets + z * self.target_sd, 0.05 * self.targets, None)
        return DrawHealth(trend=trend, inputs_met=met, targets=targets)

    def initialise(self, pop: Population, first: int, streams: RandomStreams, year: int, decision: str) -> None:
        """Set chronic states and frailty of the persons from position `first` on (new persons)."""
        ids = pop.id[first:]
        pop.chronic[first:] = self.chronic.initial_states(pop.age[first:], pop.sex[first:], ids, pop.next_id, streams, year)
        pop.frailty[first:] = draw_frailty(ids, self.use.frailty_shape, self.use.frailty_cap, streams, year, decision)

    def mortality_multiplier(self, pop: Population) -> np.ndarray:
        """Each person's death-rate multiplier from chronic disease (1 on average in each sex-age cell
        at the base year)."""
        return pop.by_sex_age(self.chronic.mortality_scale) * self.chronic.relative_risk(pop.chronic)


def calibration_note(health: Health) -> dict:
    """The calibration of a run for its manifest: the file, the year the calibration is anchored in,
    and the regions a partial file left out (taken from the packaged file, named too)."""
    note = {"file": health.calibration.path, "year": health.calibration.year,
            "regions_from_packaged_file": list(health.calibration.filled)}
    if health.calibration.filled:
        note["packaged_file"] = str(TABLES["calibration"].path)
        note["message"] = health.calibration.completion_text()
    return note


def _path(value) -> Path | None:
    return None if value is None else Path(value)


def frailty_shape_for_population(tables, chronic: ChronicModel, base_counts: np.ndarray, death_probability: np.ndarray,
                                 targets: np.ndarray) -> float:
    """Gamma shape of the frailty that gives the published share of repeated acute inpatients at the
    base year, computed over cells region × sex × age × chronic combination × dies-this-year, with
    the rates scaled to the national stays and readmission targets."""
    use = HospitalUseModel.from_tables(tables, death_probability, 1.0, "healthy_ageing", 0)
    kol = chronic.prevalence[0]
    diabetes = chronic.prevalence[1] + chronic.prevalence[2]
    combination = np.stack([(1 - kol) * (1 - diabetes), kol * (1 - diabetes), (1 - kol) * diabetes, kol * diabetes], axis=-1)
    q = death_probability[..., None, None] * np.array([0.0, 1.0]) + (1 - death_probability[..., None, None]) * np.array([1.0, 0.0])
    # the rates do not depend on the region before calibration: one cell per sex × age × ..., weighted
    # by the national counts (5 times fewer cells than by region, the same sums)
    national = base_counts.sum(axis=0, keepdims=True)
    weight = national[:, :, :, None, None] * combination[None, :, :, :, None] * q[None, :, :, :, :]

    def rate(m):
        lyl = np.array([1.0, use.last_year_multiplier[m]])
        return use.rates[m][None, :, :, None, None] * use.chronic_multiplier[m][COMBINATION_BITS][None, None, None, :, None] * lyl

    first, planned, outpatient, readmission = rate(ACUTE), rate(PLANNED), rate(OUTPATIENT), rate(READMISSION)
    share = np.average(targets[criterion_names(calibrated=True).index("readmission_share")], weights=base_counts.sum(axis=(1, 2)))
    s_readmission = share * (weight * (first + planned)).sum() / ((1 - share) * (weight * readmission * (first + planned)).sum())
    readmission = readmission * s_readmission
    stays_target = np.average(targets[criterion_names(calibrated=True).index("stays_per_citizen")], weights=base_counts.sum(axis=(1, 2)))
    stays = (weight * (first + planned + outpatient + readmission * (first + planned))).sum()
    s_stays = stays_target * base_counts.sum() / stays
    shape = weight.shape
    cells = [np.broadcast_to(a, shape).ravel() for a in (s_stays * first, s_stays * planned, readmission)]
    exponents = tuple(float(use.frailty_exponent[m]) for m in (ACUTE, PLANNED, READMISSION))
    return calibrate_shape(*cells, weight.ravel(), tables.repeated_share_inpatients, tables.repeated_threshold, exponents,
                           tables.frailty_cap)


def build_health(scenario, base_counts: np.ndarray, mortality: MortalityModel) -> Health:
    """Read the health tables the scenario names and set up the models (see the module docstring)."""
    files = scenario.data
    base_year = scenario.population.base_year
    base_death_probability = death_probabilities(mortality.rates(base_year))
    chronic = build_chronic_model(base_counts, base_year, prevalence_path=_path(files.chronic_prevalence),
                                  parameters_path=_path(files.chronic_parameters), targets_path=_path(files.chronic_targets),
                                  death_probability=base_death_probability)
    tables = load_hospital_use(_path(files.hospital_use_rates), _path(files.hospital_use_parameters))
    calibration = load_calibration_targets(_path(files.calibration))
    problem = calibration_year_problem(calibration.year, base_year, scenario.end_year, calibration.path)
    if problem:
        raise DataError(problem)
    priors = load_trend_priors(_path(files.hospital_use_trends))
    trends = {m: as_prior(getattr(scenario.health.trends, m)) if getattr(scenario.health.trends, m) is not None else priors[m]
              for m in RATE_MEASURES}
    shape = frailty_shape_for_population(tables, chronic, base_counts, base_death_probability, calibration.value)
    use = HospitalUseModel.from_tables(tables, base_death_probability, shape, scenario.health.cost_ageing, base_year)
    return Health(chronic=chronic, use=use, targets=calibration.value, target_sd=calibration.sd, trends=trends,
                  input_met_probability={name: getattr(scenario.health, f"{name}_met")
                                         for name in criterion_names(kind="input")},
                  repeated_share_target=tables.repeated_share_inpatients,
                  repeated_admissions_target=tables.repeated_share_admissions,
                  calibration=calibration)


__all__ = ["Health", "DrawHealth", "build_health", "calibration_note", "frailty_shape_for_population"]

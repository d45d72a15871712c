"""Loaders for the hospital-use tables: age profiles and prices (hospital_use_rates.csv), the
multipliers (hospital_use_parameters.csv) and the regions' base-year criterion levels
(calibration_targets.csv). Same conventions and error messages as tables.py."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..constants import MAX_AGE, N_AGES, N_REGIONS, REGION_NAMES, SEXES
from ..errors import DataError
from ..financing.criteria import REGISTRY, names as criterion_names
from .tables import _Table, _ranges, _resolve, _stamp

HOSPITAL_USE_RATES_FILE = "hospital_use_rates.csv"
HOSPITAL_USE_PARAMETERS_FILE = "hospital_use_parameters.csv"
CALIBRATION_TARGETS_FILE = "calibration_targets.csv"

#: Counted kinds of hospital use, in this order wherever an array has a `measure` axis.
COUNT_MEASURES = ("acute_admissions", "planned_admissions", "outpatient_stays", "virtual_courses")
RATE_MEASURES = COUNT_MEASURES + ("readmission_probability",)
PRICE_MEASURES = ("price_acute_admission_dkk", "price_planned_admission_dkk", "price_outpatient_dkk", "price_virtual_dkk")
CONDITION_GROUPS = ("kol", "diabetes")


@dataclass
class HospitalUseTables:
    """rates[measure] and prices[measure]: arrays [sex, age] (events per person-year, probabilities,
    DKK per event); chronic_rr [measure, condition group]; last_year_multiplier, frailty_exponent
    [measure]; repeated_share_inpatients and repeated_share_admissions: the concentration figures."""

    rates: dict[str, np.ndarray]
    prices: dict[str, np.ndarray]
    chronic_rr: np.ndarray
    last_year_multiplier: np.ndarray
    frailty_exponent: np.ndarray
    repeated_share_inpatients: float
    repeated_share_admissions: float
    repeated_threshold: int
    frailty_cap: float


@lru_cache(maxsize=8)
def _parse_rates(stamp):
    table = _Table(_resolve(stamp[0], HOSPITAL_USE_RATES_FILE), ("measure", "sex", "age_lower", "age_upper", "value"))
    allowed = RATE_MEASURES + PRICE_MEASURES
    values = {m: np.full((2, N_AGES), np.nan) for m in allowed}
    for line, record in table.rows:
        measure = table.text(line, record, "measure")
        if measure not in allowed:
            raise table.error(line, "measure", f"unknown measure {measure!r}; allowed: {', '.join(allowed)}")
        sex = table.sex(line, record)
        lo = table.integer(line, record, "age_lower", 0, MAX_AGE)
        hi = table.integer(line, record, "age_upper", lo, MAX_AGE)
        upper = 1.0 if measure == "readmission_probability" else None
        values[measure][sex, lo : hi + 1] = table.number(line, record, "value", nonneg=True, hi=upper, what=measure)
    for measure, array in values.items():
        for s in range(2):
            missing = np.flatnonzero(np.isnan(array[s]))
            if missing.size:
                raise DataError(f"{table.path}: {measure}, {SEXES[s]}: no value for ages {_ranges(missing.tolist())}; "
                                f"every measure needs both sexes and ages 0-{MAX_AGE}")
    return values


@lru_cache(maxsize=8)
def _parse_parameters(stamp):
    table = _Table(_resolve(stamp[0], HOSPITAL_USE_PARAMETERS_FILE), ("parameter", "measure", "condition", "value"))
    chronic_rr = np.full((len(RATE_MEASURES), len(CONDITION_GROUPS)), np.nan)
    per_measure = {"last_year_of_life_multiplier": np.full(len(RATE_MEASURES), np.nan),
                   "frailty_exponent": np.full(len(RATE_MEASURES), np.nan)}
    shares = {}
    for line, record in table.rows:
        parameter = table.text(line, record, "parameter")
        measure = table.text(line, record, "measure")
        if measure not in RATE_MEASURES:
            raise table.error(line, "measure", f"unknown measure {measure!r}; allowed: {', '.join(RATE_MEASURES)}")
        m = RATE_MEASURES.index(measure)
        value = table.number(line, record, "value", nonneg=True, what=parameter)
        if parameter == "chronic_relative_rate":
            condition = table.text(line, record, "condition")
            if condition not in CONDITION_GROUPS:
                raise table.error(line, "condition", f"unknown condition {condition!r}; allowed: {', '.join(CONDITION_GROUPS)}")
            chronic_rr[m, CONDITION_GROUPS.index(condition)] = value
        elif parameter in per_measure:
            per_measure[parameter][m] = value
        elif parameter == "frailty_cap":
            if value <= 1:
                raise table.error(line, "value", f"frailty_cap must be above 1, got {value}")
            shares[parameter] = value
        elif parameter == "repeated_acute_threshold":
            if value < 2 or value != int(value):
                raise table.error(line, "value", f"repeated_acute_threshold must be a whole number >= 2, got {value}")
            shares[parameter] = int(value)
        elif parameter in ("repeated_acute_share_of_inpatients", "repeated_acute_share_of_admissions"):
            if not 0 < value < 1:
                raise table.error(line, "value", f"{parameter} must be a share between 0 and 1, got {value}")
            shares[parameter] = value
        else:
            raise table.error(line, "parameter", f"unknown parameter {parameter!r}; allowed: chronic_relative_rate, "
                              "last_year_of_life_multiplier, frailty_exponent, frailty_cap, repeated_acute_threshold, "
                              "repeated_acute_share_of_inpatients, repeated_acute_share_of_admissions")
    problems = [f"chronic_relative_rate for {RATE_MEASURES[m]} / {CONDITION_GROUPS[c]}"
                for m, c in zip(*np.nonzero(np.isnan(chronic_rr)))]
    problems += [f"{name} for {RATE_MEASURES[m]}" for name, arr in per_measure.items() for m in np.flatnonzero(np.isnan(arr))]
    problems += [name for name in ("frailty_cap", "repeated_acute_threshold", "repeated_acute_share_of_inpatients",
                                   "repeated_acute_share_of_admissions") if name not in shares]
    if problems:
        raise DataError(f"{table.path}: missing parameter(s): {'; '.join(problems)}")
    return chronic_rr, per_measure["last_year_of_life_multiplier"], per_measure["frailty_exponent"], shares


def load_hospital_use(rates_path=None, parameters_path=None) -> HospitalUseTables:
    """The hospital-use age profiles, prices and multipliers (packaged or the user's own files)."""
    rates = _parse_rates(_stamp(_resolve(rates_path, HOSPITAL_USE_RATES_FILE)))
    chronic_rr, last_year, exponent, shares = _parse_parameters(_stamp(_resolve(parameters_path, HOSPITAL_USE_PARAMETERS_FILE)))
    return HospitalUseTables(
        rates={m: rates[m].copy() for m in RATE_MEASURES},
        prices={m: rates[m].copy() for m in PRICE_MEASURES},
        chronic_rr=chronic_rr.copy(),
        last_year_multiplier=last_year.copy(),
        frailty_exponent=exponent.copy(),
        repeated_share_inpatients=shares["repeated_acute_share_of_inpatients"],
        repeated_share_admissions=shares["repeated_acute_share_of_admissions"],
        repeated_threshold=shares["repeated_acute_threshold"],
        frailty_cap=shares["frailty_cap"],
    )


@lru_cache(maxsize=8)
def _parse_calibration(stamp):
    table = _Table(_resolve(stamp[0], CALIBRATION_TARGETS_FILE), ("region_code", "criterion", "year", "value"))
    calibrated = criterion_names(calibrated=True)  # the criteria the base-year calibration solves for
    targets = np.full((len(calibrated), N_REGIONS), np.nan)
    sd = np.zeros((len(calibrated), N_REGIONS))
    years = set()
    for line, record in table.rows:
        region = table.region(line, record)
        criterion = table.text(line, record, "criterion")
        if criterion not in calibrated:
            raise table.error(line, "criterion", f"unknown criterion {criterion!r}; allowed: {', '.join(calibrated)}")
        share = REGISTRY[criterion].share
        value = table.number(line, record, "value", positive=True, hi=0.99 if share else None, what=criterion)
        targets[calibrated.index(criterion), region] = value
        if table.has("sd") and table.text(line, record, "sd"):
            sd[calibrated.index(criterion), region] = table.number(line, record, "sd", nonneg=True, what="sd")
        years.add(table.integer(line, record, "year", 1990, 2100))
    missing = [f"{calibrated[c]} for {REGION_NAMES[r]}" for c, r in zip(*np.nonzero(np.isnan(targets)))]
    if missing:
        raise DataError(f"{table.path}: no target for {'; '.join(missing)}; every region needs all of: {', '.join(calibrated)}")
    return targets, sd, tuple(sorted(years))


@dataclass
class CalibrationTargets:
    """Base-year level of each criterion per region, value and sd [criterion, region] (units in
    calibration_targets.csv; sd: one standard deviation of its uncertainty, 0 if the file has none),
    and the years the figures describe."""

    value: np.ndarray
    sd: np.ndarray
    years: tuple[int, ...]


def load_calibration_targets(path=None) -> CalibrationTargets:
    """The regions' base-year criterion levels (packaged or the user's own file; an `sd` column is optional)."""
    targets, sd, years = _parse_calibration(_stamp(_resolve(path, CALIBRATION_TARGETS_FILE)))
    return CalibrationTargets(targets.copy(), sd.copy(), years)


HOSPITAL_USE_TRENDS_FILE = "hospital_use_trends.csv"


@lru_cache(maxsize=8)
def _parse_trends(stamp):
    from ..uncertainty import Prior

    table = _Table(_resolve(stamp[0], HOSPITAL_USE_TRENDS_FILE), ("measure", "distribution"))
    needed = {"normal": ("mean", "sd"), "uniform": ("low", "high"), "triangular": ("low", "mode", "high")}
    priors = {}
    for line, record in table.rows:
        measure = table.text(line, record, "measure")
        if measure not in RATE_MEASURES:
            raise table.error(line, "measure", f"unknown measure {measure!r}; allowed: {', '.join(RATE_MEASURES)}")
        kind = table.text(line, record, "distribution")
        if kind not in needed:
            raise table.error(line, "distribution", f"unknown distribution {kind!r}; allowed: {', '.join(needed)}")
        values = {}
        for column in needed[kind]:
            if not table.has(column):
                raise table.error(line, None, f"a {kind} distribution needs the column {column!r}")
            values[column] = table.number(line, record, column, nonneg=column == "sd", what=column)
        priors[measure] = Prior(kind, **values)
    missing = [m for m in RATE_MEASURES if m not in priors]
    if missing:
        raise DataError(f"{table.path}: no trend for {', '.join(missing)}; every measure needs one row")
    return priors


def load_trend_priors(path=None) -> dict:
    """Prior distribution (naerhed.uncertainty.Prior) of the annual relative change of each measure."""
    return dict(_parse_trends(_stamp(_resolve(path, HOSPITAL_USE_TRENDS_FILE))))

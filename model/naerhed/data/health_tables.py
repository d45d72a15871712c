"""Loaders of the hospital-use tables: age profiles and prices (hospital_use_rates.csv), the
multipliers (hospital_use_parameters.csv), the priors of the secular trends (hospital_use_trends.csv)
and the regions' base-year criterion levels (calibration_targets.csv). Columns and allowed values are
in naerhed.data.registry; conventions and error messages as in naerhed.data.tables."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..constants import MAX_AGE, N_AGES, N_REGIONS, REGION_NAMES, SEXES
from ..errors import DataError
from ..limits import CALIBRATION_FACTOR, MAX_CALIBRATION_SD_SHARE, TREND_RANGE
from ..financing.criteria import REGISTRY, names as criterion_names
from ..uncertainty import Prior
from .files import DATA_DIR, ranges
from .reader import Table, cached_build, frozen
from .registry import (CONDITION_GROUPS, COUNT_MEASURES, DISTRIBUTION_COLUMNS, PRICE_MEASURES, RATE_MEASURES,
                       TABLES)

__all__ = ["COUNT_MEASURES", "RATE_MEASURES", "PRICE_MEASURES", "CONDITION_GROUPS", "HospitalUseTables",
           "CalibrationTargets", "load_hospital_use", "load_calibration_targets", "load_trend_priors"]


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


@cached_build(TABLES["hospital_use_rates"])
def _rates(table: Table) -> dict[str, np.ndarray]:
    """{measure: values [sex, age]} for every rate and price measure (read-only)."""
    table.check("value", table["measure"] == "readmission_probability", hi=1.0)
    values = {m: np.full((2, N_AGES), np.nan) for m in RATE_MEASURES + PRICE_MEASURES}
    for measure, sex, lo, hi, value in zip(table["measure"], table["sex"], table["age_lower"], table["age_upper"],
                                           table["value"]):  # in file order: a later row overrides
        values[measure][sex, lo : hi + 1] = value
    for measure, array in values.items():
        for s in range(2):
            missing = np.flatnonzero(np.isnan(array[s]))
            if missing.size:
                raise DataError(f"{table.path}: {measure}, {SEXES[s]}: no value for ages {ranges(missing.tolist())}; "
                                f"every measure needs both sexes and ages 0-{MAX_AGE}")
    return {m: frozen(a) for m, a in values.items()}


#: Checks of the single-valued parameters: (rule the value must meet, message if it does not).
_PARAMETER_RULES = {
    "frailty_cap": (lambda v: v > 1, "frailty_cap must be above 1, got {}"),
    "repeated_acute_threshold": (lambda v: v >= 2 and v == int(v),
                                 "repeated_acute_threshold must be a whole number >= 2, got {}"),
    "repeated_acute_share_of_inpatients": (lambda v: 0 < v < 1,
                                           "repeated_acute_share_of_inpatients must be a share between 0 and 1, got {}"),
    "repeated_acute_share_of_admissions": (lambda v: 0 < v < 1,
                                           "repeated_acute_share_of_admissions must be a share between 0 and 1, got {}"),
}


@cached_build(TABLES["hospital_use_parameters"])
def _parameters(table: Table):
    """(chronic_rr [measure, condition group], last-year multiplier [measure], frailty exponent
    [measure], {single-valued parameter: value})."""
    parameter, condition = table["parameter"], table["condition"]
    measure = np.array([RATE_MEASURES.index(m) for m in table["measure"]], dtype=np.int64)
    chronic = parameter == "chronic_relative_rate"
    no_condition = chronic & (condition == "")
    if no_condition.any():
        i = int(np.argmax(no_condition))
        raise table.error(int(table.lines[i]), "condition", f"unknown condition ''; allowed: {', '.join(CONDITION_GROUPS)}")
    chronic_rr = np.full((len(RATE_MEASURES), len(CONDITION_GROUPS)), np.nan)
    group = np.array([CONDITION_GROUPS.index(c) for c in condition[chronic]], dtype=np.int64)
    chronic_rr[measure[chronic], group] = table["value"][chronic]
    per_measure = {}
    for name in ("last_year_of_life_multiplier", "frailty_exponent"):
        per_measure[name] = np.full(len(RATE_MEASURES), np.nan)
        rows = parameter == name
        per_measure[name][measure[rows]] = table["value"][rows]
    shares = {}
    for line, name, value in zip(table.lines.tolist(), parameter, table["value"].tolist()):
        if name in _PARAMETER_RULES:
            rule, message = _PARAMETER_RULES[name]
            if not rule(value):
                raise table.error(line, "value", message.format(value))
            shares[name] = int(value) if name == "repeated_acute_threshold" else value
    problems = [f"chronic_relative_rate for {RATE_MEASURES[m]} / {CONDITION_GROUPS[c]}"
                for m, c in zip(*np.nonzero(np.isnan(chronic_rr)))]
    problems += [f"{name} for {RATE_MEASURES[m]}" for name, arr in per_measure.items() for m in np.flatnonzero(np.isnan(arr))]
    problems += [name for name in _PARAMETER_RULES if name not in shares]
    if problems:
        raise DataError(f"{table.path}: missing parameter(s): {'; '.join(problems)}")
    return (frozen(chronic_rr), frozen(per_measure["last_year_of_life_multiplier"]),
            frozen(per_measure["frailty_exponent"]), shares)


def load_hospital_use(rates_path=None, parameters_path=None) -> HospitalUseTables:
    """The hospital-use age profiles, prices and multipliers (packaged or the user's own files)."""
    rates = _rates(rates_path)
    chronic_rr, last_year, exponent, shares = _parameters(parameters_path)
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


@dataclass
class CalibrationTargets:
    """Level of each criterion per region in the calibration year, value and sd [criterion, region]
    (units in calibration_targets.csv; sd: one standard deviation of its uncertainty, 0 if the file
    has none); `year`: the calendar year the levels describe (one per file); `path`: the file read;
    `filled`: the regions (names) a user's partial file left out, taken from the packaged file."""

    value: np.ndarray
    sd: np.ndarray
    year: int
    path: str
    filled: tuple[str, ...] = ()

    @property
    def years(self) -> tuple[int, ...]:
        """The calendar years the figures describe (one)."""
        return (self.year,)

    def completion_text(self) -> str:
        """What a partial file was completed with, in words ('' for a complete file)."""
        if not self.filled:
            return ""
        given = [name for name in REGION_NAMES if name not in self.filled]
        return (f"calibration: {self.path} ({self.year}) gives {', '.join(given)}; {', '.join(self.filled)} from the "
                f"packaged calibration_targets.csv (their levels used for {self.year})")


@cached_build(TABLES["calibration"])
def _calibration(table: Table):
    """(targets, sd [criterion, region], NaN and 0 for a region the file leaves out, year, path); a
    region in the file needs every calibrated criterion; every row is for one year."""
    calibrated = criterion_names(calibrated=True)  # the criteria the calibration solves for
    table.check("value", np.array([REGISTRY[c].share for c in table["criterion"]], dtype=bool), hi=0.99)
    years = table["year"]
    if len(table) and np.any(years != years[0]):
        other = int(np.flatnonzero(years != years[0])[0])
        raise table.error(int(table.lines[other]), "year", (
            f"every row must be for the same year (the year the levels describe; the calibration is anchored "
            f"in it); the first row is for {int(years[0])}, this one for {int(years[other])}"))
    _check_calibration_values(table)
    criterion = np.array([calibrated.index(c) for c in table["criterion"]], dtype=np.int64)
    cells = (criterion, table["region_code"])
    targets = np.full((len(calibrated), N_REGIONS), np.nan)
    sd = np.zeros((len(calibrated), N_REGIONS))
    targets[cells] = table["value"]
    sd[cells] = np.where(np.isnan(table["sd"]), 0.0, table["sd"])  # an empty or missing sd is 0
    given = ~np.all(np.isnan(targets), axis=0)
    missing = [f"{calibrated[c]} for {REGION_NAMES[r]}" for c, r in zip(*np.nonzero(np.isnan(targets))) if given[r]]
    if missing:
        raise DataError(f"{table.path}: no target for {'; '.join(missing)}; a region in the file needs all of: "
                        f"{', '.join(calibrated)} (regions left out are taken from the packaged file)")
    if not given.any():
        raise DataError(f"{table.path}: no rows; give the criteria of at least one region")
    return frozen(targets), frozen(sd), int(years[0]), str(table.path)


def _check_calibration_values(table: Table) -> None:
    """Each level above 0 and within CALIBRATION_FACTOR of the packaged national level of its criterion
    (a user's file; the packaged file is the reference); each sd at most MAX_CALIBRATION_SD_SHARE of
    its level."""
    packaged = None
    if Path(table.path).resolve() != (DATA_DIR / TABLES["calibration"].file).resolve():
        packaged_targets = _calibration(None)[0]
        packaged = dict(zip(criterion_names(calibrated=True), np.nanmean(packaged_targets, axis=1)))
    sds = table["sd"]
    for i, (name, value) in enumerate(zip(table["criterion"], table["value"])):
        line = int(table.lines[i])
        unit = REGISTRY[name].unit
        if value <= 0:
            raise table.error(line, "value", f"{name} {value:g} must be above 0 ({unit})")
        if packaged is not None and name in packaged:
            low, high = packaged[name] / CALIBRATION_FACTOR, packaged[name] * CALIBRATION_FACTOR
            if REGISTRY[name].share:
                high = min(high, 0.99)
            if not low <= value <= high:
                raise table.error(line, "value", (
                    f"{name} {value:g} is implausible; allowed: between {low:.4g} and {high:.4g} ({unit}; "
                    f"within a factor {CALIBRATION_FACTOR:g} of the packaged national level {packaged[name]:.4g}, "
                    "naerhed.limits.CALIBRATION_FACTOR)"))
        if not np.isnan(sds[i]) and sds[i] > MAX_CALIBRATION_SD_SHARE * value:
            raise table.error(line, "sd", (
                f"sd {sds[i]:g} is too large for the level {value:g} of {name}; allowed: at most "
                f"{MAX_CALIBRATION_SD_SHARE:g} x the level ({MAX_CALIBRATION_SD_SHARE * value:.4g}; a larger sd makes "
                "the sampled level negative in more than 2 % of draws, naerhed.limits.MAX_CALIBRATION_SD_SHARE)"))


def load_calibration_targets(path=None) -> CalibrationTargets:
    """The regions' criterion levels in the calibration year (packaged or the user's own file; an
    `sd` column is optional). A user's file may give only some regions (all criteria of each): the
    packaged rows fill the others, as levels of the user's year (`filled` names them)."""
    targets, sd, year, where = _calibration(path)
    targets, sd = targets.copy(), sd.copy()
    absent = np.all(np.isnan(targets), axis=0)
    if path is not None and absent.any():
        packaged, packaged_sd, _, _ = _calibration(None)
        targets[:, absent], sd[:, absent] = packaged[:, absent], packaged_sd[:, absent]
    if np.isnan(targets).any():
        raise DataError(f"{where}: no target for {', '.join(REGION_NAMES[r] for r in np.flatnonzero(absent))}; "
                        "the packaged file needs every region")
    return CalibrationTargets(targets, sd, year, where, tuple(REGION_NAMES[r] for r in np.flatnonzero(absent)))


@cached_build(TABLES["hospital_use_trends"])
def _trend_priors(table: Table) -> dict[str, Prior]:
    priors = {}
    for i, (measure, kind) in enumerate(zip(table["measure"], table["distribution"])):
        line = int(table.lines[i])
        values = {}
        for column in DISTRIBUTION_COLUMNS[kind]:
            if not table.has(column):
                raise table.error(line, None, f"a {kind} distribution needs the column {column!r}")
            if np.isnan(table[column][i]):
                raise table.error(line, column, f"a {kind} distribution needs a number in column {column!r}")
            values[column] = float(table[column][i])
        _check_prior(table, line, kind, values)
        priors[measure] = Prior(kind, **values)
    missing = [m for m in RATE_MEASURES if m not in priors]
    if missing:
        raise DataError(f"{table.path}: no trend for {', '.join(missing)}; every measure needs one row")
    return priors


def _check_prior(table: Table, line: int, kind: str, values: dict[str, float]) -> None:
    """A trend prior's parameters (relative change per year) in TREND_RANGE and in order: uniform
    low < high, triangular low <= mode <= high with low < high; a normal sd at most the range's width."""
    low, high = TREND_RANGE
    for column, value in values.items():
        if column != "sd" and not low <= value <= high:
            raise table.error(line, column, f"{value:g} is out of range for a trend (relative change per year); "
                              f"allowed: between {low:g} and {high:g} (naerhed.limits.TREND_RANGE)")
    if "sd" in values and values["sd"] > high - low:
        raise table.error(line, "sd", f"sd {values['sd']:g} is larger than the whole range of a trend; allowed: "
                          f"at most {high - low:g}")
    if kind in ("uniform", "triangular"):
        mode = values.get("mode", values["low"])
        if not (values["low"] <= mode <= values["high"] and values["low"] < values["high"]):
            order = "low < high and low <= mode <= high" if kind == "triangular" else "low < high"
            shown = ", ".join(f"{c} {values[c]:g}" for c in DISTRIBUTION_COLUMNS[kind])
            raise table.error(line, None, f"a {kind} distribution needs {order}; got {shown}")


def load_trend_priors(path=None) -> dict:
    """Prior distribution (naerhed.uncertainty.Prior) of the annual relative change of each measure."""
    return dict(_trend_priors(path))

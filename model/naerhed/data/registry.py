"""The table registry: one declarative `TableSpec` per packaged CSV table.

A spec names the table's key (in a scenario's ``data:`` section and in a run's manifest), its packaged
file, what it holds, its columns (type, range or allowed values, required or optional) and its key
columns (no two rows may share them). Everything about a table's file comes from here: the CSV reader
(`naerhed.data.reader.read_table`) checks a file against its spec, the loaders build arrays from the
typed columns, the scenario's ``data:`` section has one key per `scenario_tables()` entry (with the
spec's description), and `run_tables()` are the files a run records (manifest and fingerprint).

Adding a table: its spec in `TABLES` below, its builder and loader in a naerhed.data module (see
naerhed.data.reader.cached_build), and the call that uses it (plus its section in SOURCES.md, which the
tests require for every packaged file).

Column types (the parsed values' numpy dtype in brackets): ``int`` whole numbers [int64], ``float``
finite numbers [float64], ``text`` [object, stripped str], ``choice`` one of the allowed words [object],
``sex`` male/female [int8, 0/1], ``region`` DST region code 1081-1085 [int8, region index 0-4; a
``region`` column with the region's name, if present, must match]. An optional column missing from a
file reads as all empty; an empty cell where `empty_ok` reads as NaN (float), -1 (sex, region) or "".
Every table also has the optional provenance columns ``status``, ``source`` and ``note`` (text).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Literal, Union

from ..constants import MAX_AGE
from ..financing.criteria import criteria, names as criterion_names
from .files import DATA_DIR

# ---------------------------------------------------------------------------------------------
# Classifications used by the tables (the allowed values of their columns)
# ---------------------------------------------------------------------------------------------
#: Chronic conditions, in this order wherever an array has a `condition` axis.
CONDITIONS = ("kol", "diabetes_t1", "diabetes_t2")
#: Target rows may also be about both diabetes types together.
TARGET_CONDITIONS = CONDITIONS + ("diabetes_all",)
#: How a chronic target row is used: the anchor of the base-year count, the 2050 calibration of the
#: incidence trend (both calibration targets), or validation only.
TARGET_USES = ("base_anchor", "trend_calibration", "validation")
#: Parameters of chronic_parameters.csv; base_persons_<year> is the national count in that year.
CHRONIC_PARAMETERS = ("mortality_rr", "incidence_trend", "base_growth", "base_persons_<year>")

#: Counted kinds of hospital use, in this order wherever an array has a `measure` axis.
COUNT_MEASURES = ("acute_admissions", "planned_admissions", "outpatient_stays", "virtual_courses")
RATE_MEASURES = COUNT_MEASURES + ("readmission_probability",)
PRICE_MEASURES = ("price_acute_admission_dkk", "price_planned_admission_dkk", "price_outpatient_dkk", "price_virtual_dkk")
#: Condition groups of the hospital-use multipliers.
CONDITION_GROUPS = ("kol", "diabetes")
HOSPITAL_PARAMETERS = ("chronic_relative_rate", "last_year_of_life_multiplier", "frailty_exponent", "frailty_cap",
                       "repeated_acute_threshold", "repeated_acute_share_of_inpatients",
                       "repeated_acute_share_of_admissions")


def SHOCK_SERIES() -> tuple[str, ...]:
    """Series a year shock can be about: a measure of hospital use or a measured criterion of all ages
    (a shock acts on a region's hospital use at every age; a criterion of some ages only, such as
    elderly_acute_admissions, is not a series)."""
    return RATE_MEASURES + tuple(c.name for c in criteria() if c.measured and not c.min_age)


#: How a year shock's size was set: a local-level model of one yearly series, the regions' changes
#: pooled (random walk per region), or an explicit prior.
SHOCK_METHODS = ("local_level", "pooled_random_walk", "prior")
#: Prior distributions of the secular trends and the columns each needs.
DISTRIBUTION_COLUMNS = {"normal": ("mean", "sd"), "uniform": ("low", "high"), "triangular": ("low", "mode", "high")}

TOLERANCE_UNITS = ("absolute", "relative")
#: model_checks.csv may also ask for a minimum ('at_least': the value is a lower bound).
CHECK_TOLERANCE_UNITS = TOLERANCE_UNITS + ("at_least",)
CHECK_KINDS = ("calibrated", "validation")

#: Single ages of mortality_sex_age_epi.csv: 0..99, 99 = 99 and older.
SINGLE_AGE_MORTALITY_AGES = 100
#: Net migration by sex and age must give ages 0..100 (the UN file's single ages).
MIGRATION_MAX_AGE = 100
#: Calendar years a table may hold.
YEARS = (1900, 2200)

ColumnKind = Literal["int", "float", "text", "choice", "sex", "region"]
TableUse = Literal["scenario", "run", "validation", "reference"]


# ---------------------------------------------------------------------------------------------
# Columns and tables
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Column:
    """One column of a table. Build columns with Int, Float, Text, Choice, Sex and Region.

    lo, hi: range of an int (lo may name an earlier int column: at least that column's value on the
    row) or upper bound of a float; nonneg / positive: a float >= 0 / > 0; what: the noun of a float's
    range messages (default the column name), what_column: take the noun from this column of the row;
    allowed: the words of a choice (a callable for a list that is only known when the file is read;
    'prefix_<year>' allows prefix followed by digits); noun: a choice's messages say "unknown <noun>
    'x'" instead of "'x' not allowed"; if_empty: a text column's message for an empty cell (None:
    empty allowed); required: the file must have the column; empty_ok: a cell may be empty.
    """

    name: str
    kind: ColumnKind
    required: bool = True
    empty_ok: bool = False
    lo: Union[int, str, None] = None
    hi: Union[float, None] = None
    nonneg: bool = False
    positive: bool = False
    what: Union[str, None] = None
    what_column: Union[str, None] = None
    allowed: Union[tuple[str, ...], Callable[[], tuple[str, ...]]] = ()
    noun: Union[str, None] = None
    if_empty: Union[str, None] = None

    def allowed_values(self) -> tuple[str, ...]:
        """The allowed words of a choice column."""
        return tuple(self.allowed()) if callable(self.allowed) else self.allowed

    def allows(self, word: str) -> bool:
        """True if `word` is one of the allowed words of a choice column (templates included)."""
        for allowed in self.allowed_values():
            if "<year>" in allowed:
                prefix, suffix = allowed.split("<year>")
                if re.fullmatch(re.escape(prefix) + r"\d+" + re.escape(suffix), word):
                    return True
            elif word == allowed:
                return True
        return False


def Int(name: str, lo: Union[int, str, None] = None, hi: Union[int, None] = None, *, required: bool = True) -> Column:
    """A whole-number column with the range lo..hi (lo may name an earlier int column of the row)."""
    return Column(name, "int", required=required, lo=lo, hi=hi)


def Float(name: str, *, nonneg: bool = False, positive: bool = False, hi: Union[float, None] = None,
          what: Union[str, None] = None, what_column: Union[str, None] = None, required: bool = True,
          empty_ok: bool = False) -> Column:
    """A column of finite numbers."""
    return Column(name, "float", required=required, empty_ok=empty_ok, hi=hi, nonneg=nonneg, positive=positive,
                  what=what, what_column=what_column)


def Text(name: str, *, if_empty: Union[str, None] = None, required: bool = True) -> Column:
    """A text column (stripped); `if_empty` is the message for an empty cell (None: empty allowed)."""
    return Column(name, "text", required=required, if_empty=if_empty)


def Choice(name: str, allowed, *, noun: Union[str, None] = None, required: bool = True, empty_ok: bool = False) -> Column:
    """A column whose cells are one of the `allowed` words."""
    return Column(name, "choice", required=required, empty_ok=empty_ok, allowed=allowed, noun=noun)


def Sex(name: str = "sex", *, required: bool = True, empty_ok: bool = False) -> Column:
    """male or female (read as 0 / 1)."""
    return Column(name, "sex", required=required, empty_ok=empty_ok)


def Region(name: str = "region_code", *, required: bool = True, empty_ok: bool = False) -> Column:
    """A DST region code 1081-1085 (read as the region index 0-4)."""
    return Column(name, "region", required=required, empty_ok=empty_ok)


#: Provenance columns every table may have (optional in a user's file).
PROVENANCE = (Text("status", required=False), Text("source", required=False), Text("note", required=False))


@dataclass(frozen=True)
class TableSpec:
    """One table. key: its key in a scenario's ``data:`` section and a run's manifest; file: the
    packaged file in naerhed/data; description: what it holds (shown in the scenario's JSON Schema);
    columns: in the order they are checked on each row (the provenance columns are added unless
    declared); key_columns: no two rows may have the same values in them; use: 'scenario' (read by
    every run, the scenario may name the user's own file), 'run' (read by every run, packaged only),
    'validation' (read by naerhed validate-model) or 'reference' (documentation, read by no model code)."""

    key: str
    file: str
    description: str
    columns: tuple[Column, ...]
    key_columns: tuple[str, ...] = ()
    use: TableUse = "scenario"
    _by_name: dict = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        declared = {c.name for c in self.columns}
        columns = self.columns + tuple(c for c in PROVENANCE if c.name not in declared)
        object.__setattr__(self, "columns", columns)
        object.__setattr__(self, "_by_name", {c.name: c for c in columns})
        if len(self._by_name) != len(columns):
            raise ValueError(f"{self.key}: a column is declared twice")
        missing = [k for k in self.key_columns if k not in self._by_name]
        if missing:
            raise ValueError(f"{self.key}: key column(s) {missing} are not columns of the table")
        seen: set[str] = set()
        for c in columns:
            for ref in (c.lo if isinstance(c.lo, str) else None, c.what_column):
                if ref is not None and ref not in seen:
                    raise ValueError(f"{self.key}: column {c.name!r} refers to {ref!r}, which must come before it")
            seen.add(c.name)

    @property
    def path(self) -> Path:
        """The packaged file."""
        return DATA_DIR / self.file

    @property
    def required(self) -> tuple[str, ...]:
        """Names of the columns every file of this table must have."""
        return tuple(c.name for c in self.columns if c.required)

    def column(self, name: str) -> Column:
        return self._by_name[name]

    def has_column(self, name: str) -> bool:
        return name in self._by_name


#: The columns of a calibration-targets table (the packaged 2019 and 2025 files and a user's own).
CALIBRATION_COLUMNS = (
    Region(), Text("region", required=False),
    Choice("criterion", lambda: criterion_names(calibrated=True), noun="criterion"),
    Int("year", 1990, 2100), Float("value", positive=True, what_column="criterion"),
    Text("unit", required=False), Float("sd", nonneg=True, required=False, empty_ok=True))


def _year(name: str = "year", lo: int = YEARS[0], hi: int = YEARS[1]) -> Column:
    return Int(name, lo, hi)


# ---------------------------------------------------------------------------------------------
# The tables
# ---------------------------------------------------------------------------------------------
_SPECS = (
    # --- population and demography (naerhed.data.tables) ---
    TableSpec(
        "population", "population_region_sex_age.csv",
        "the population on 1 January by region, sex and single age (this package's format, or your own "
        "StatBank FOLK1A export saved as CSV)",
        (_year(), Region(), Text("region", required=False), Sex(), Int("age", 0, MAX_AGE),
         Float("population", nonneg=True)),
        key_columns=("year", "region_code", "sex", "age"),
    ),
    TableSpec(
        "municipalities", "municipality_population.csv",
        "the municipalities, the region each belongs to and their population on 1 January",
        (_year(), Text("date", required=False), Region(), Text("region", required=False),
         Text("municipality", if_empty="empty municipality name"), Float("population", nonneg=True)),
        key_columns=("year", "municipality"),
    ),
    TableSpec(
        "mortality_age5", "mortality_sex_age5.csv",
        "deaths and person-years (death rates) by year, sex and 5-year age group",
        (_year(), Sex(), Text("age_group", required=False), Int("age_lower", 0, MAX_AGE),
         Float("deaths", nonneg=True), Float("person_years", positive=True),
         Float("death_rate", nonneg=True, required=False)),
        key_columns=("year", "sex", "age_lower"),
    ),
    TableSpec(
        "mortality_single_age", "mortality_sex_age_epi.csv",
        "deaths and person-years (death rates) by year, sex and single year of age 0-99 (99 = 99 and older)",
        (_year(), Sex(), Int("age", 0, SINGLE_AGE_MORTALITY_AGES - 1), Float("deaths", nonneg=True),
         Float("person_years", positive=True)),
        key_columns=("year", "sex", "age"),
    ),
    TableSpec(
        "fertility", "fertility_asfr.csv",
        "fertility rates (births per woman per year) by year and age group of the mother",
        (_year(), Text("age_group", required=False), Int("age_lower", 0, MAX_AGE),
         Float("asfr", nonneg=True, hi=1.0, what="asfr (births per woman per year)"),
         Float("tfr", nonneg=True, hi=20.0, required=False), Text("variant", required=False)),
        key_columns=("year", "age_lower"),
    ),
    TableSpec(
        "fertility_region", "fertility_region.csv",
        "a fertility factor per region (multiplies the national fertility rates of the region's women)",
        (Region(), Text("region", required=False), Int("year", 1990, 2100, required=False),
         Float("factor", positive=True, hi=5.0, what="factor (multiplier of the national fertility rates)"),
         Float("births_published", nonneg=True, required=False, empty_ok=True),
         Float("births_expected_national_rates", nonneg=True, required=False, empty_ok=True)),
        key_columns=("region_code",),
    ),
    TableSpec(
        "births_by_sex", "births_by_sex.csv",
        "live births of boys and girls by year (the share of boys among births)",
        (_year(lo=1800), Float("births_male", nonneg=True, what="births"),
         Float("births_female", nonneg=True, what="births")),
        key_columns=("year",),
        use="run",
    ),
    TableSpec(
        "net_migration_total", "net_migration_total.csv",
        "total net migration (immigrants minus emigrants) by year",
        (_year(), Float("net_migration_persons", what="net migration"), Text("variant", required=False)),
        key_columns=("year",),
    ),
    TableSpec(
        "net_migration_sex_age", "net_migration_sex_age.csv",
        "net migration by year, sex and single age (how net migration is distributed by sex and age)",
        (_year(), Sex(), Int("age", 0, MAX_AGE), Float("net_migration_persons", what="net migration")),
        key_columns=("year", "sex", "age"),
    ),
    TableSpec(
        "projection", "projection_frdk118.csv",
        "the national population projection on 1 January by year, sex and age (the alignment target)",
        (_year(), Sex(), Int("age", 0, MAX_AGE), Float("population", nonneg=True)),
        key_columns=("year", "sex", "age"),
    ),
    # --- health (naerhed.data.health_tables, naerhed.data.chronic_tables) ---
    TableSpec(
        "calibration", "calibration_targets.csv",
        "the base-year level of each criterion per region (calibration targets; e.g. your region's own "
        "eSundhed figures; also `naerhed run --calibration FILE`)",
        CALIBRATION_COLUMNS,
        key_columns=("region_code", "criterion"),
    ),
    TableSpec(
        "calibration_2025", "calibration_targets_2025.csv",
        "the level of each criterion per region in 2025, the calibration year of the present-day baseline "
        "(scenarios/baseline.yaml names it as data.calibration; built by data-raw/build_calibration_2025.py; "
        "format of calibration_targets.csv)",
        CALIBRATION_COLUMNS,
        key_columns=("region_code", "criterion"),
        use="reference",
    ),
    TableSpec(
        "hospital_use_rates", "hospital_use_rates.csv",
        "hospital use (events per person-year, readmission probability) and DRG-like prices (DKK per "
        "event) by measure, sex and age group",
        (Choice("measure", RATE_MEASURES + PRICE_MEASURES, noun="measure"), Sex(), Int("age_lower", 0, MAX_AGE),
         Int("age_upper", "age_lower", MAX_AGE), Float("value", nonneg=True, what_column="measure"),
         Text("unit", required=False)),
        key_columns=("measure", "sex", "age_lower"),
    ),
    TableSpec(
        "hospital_use_parameters", "hospital_use_parameters.csv",
        "the multipliers of hospital use (chronic disease, last year of life, frailty) and the "
        "concentration of acute admissions",
        (Choice("parameter", HOSPITAL_PARAMETERS, noun="parameter"), Choice("measure", RATE_MEASURES, noun="measure"),
         Choice("condition", CONDITION_GROUPS, noun="condition", empty_ok=True),
         Float("value", nonneg=True, what_column="parameter"), Text("unit", required=False)),
        key_columns=("parameter", "measure", "condition"),
    ),
    TableSpec(
        "hospital_use_trends", "hospital_use_trends.csv",
        "the prior distributions of the secular trends of hospital use (annual relative change per measure)",
        (Choice("measure", RATE_MEASURES, noun="measure"), Choice("distribution", tuple(DISTRIBUTION_COLUMNS), noun="distribution"),
         Float("mean", required=False, empty_ok=True), Float("sd", nonneg=True, required=False, empty_ok=True),
         Float("low", required=False, empty_ok=True), Float("mode", required=False, empty_ok=True),
         Float("high", required=False, empty_ok=True), Text("unit", required=False)),
        key_columns=("measure",),
    ),
    TableSpec(
        "chronic_prevalence", "chronic_prevalence.csv",
        "the prevalence shapes of KOL and diabetes (type 1, type 2) by sex and age group",
        (Choice("condition", CONDITIONS, noun="condition"), Sex(), Int("age_lower", 0, MAX_AGE),
         Int("age_upper", "age_lower", MAX_AGE), Float("prevalence_share", nonneg=True, hi=1.0)),
    ),
    TableSpec(
        "chronic_parameters", "chronic_parameters.csv",
        "chronic disease parameters per condition (excess mortality, incidence trends, growth rates, "
        "base-year counts)",
        (Choice("parameter", CHRONIC_PARAMETERS, noun="parameter"), Choice("condition", CONDITIONS, noun="condition"),
         Float("value")),
        key_columns=("parameter", "condition"),
    ),
    TableSpec(
        "chronic_targets", "chronic_targets.csv",
        "published counts of persons with KOL and diabetes (anchors of the base-year counts, calibration "
        "and validation targets)",
        (Text("id", if_empty="empty id"), Choice("condition", TARGET_CONDITIONS, noun="condition"), _year(),
         Float("persons", positive=True), Choice("use", TARGET_USES),
         Float("tolerance", nonneg=True, hi=1.0, what="tolerance (relative)")),
        key_columns=("id",),
    ),
    # --- validation (naerhed.data.validation_tables) ---
    TableSpec(
        "validation_targets", "validation_targets.csv",
        "published demographic figures the model's output is compared with (naerhed validate-model, tests)",
        (Text("id", if_empty="empty id"), Text("quantity"), Sex(required=False, empty_ok=True),
         Region(required=False, empty_ok=True), _year(), Float("value"), Text("unit"),
         Float("tolerance", nonneg=True), Choice("tolerance_unit", TOLERANCE_UNITS),
         Text("source", if_empty="empty source; every target needs the URL or reference it came from")),
        key_columns=("id",),
        use="validation",
    ),
    TableSpec(
        "model_checks", "model_checks.csv",
        "published figures of deaths, hospital use and population the simulation is compared with "
        "(naerhed validate-model)",
        (Text("id", if_empty="empty id"), Text("quantity"), Region(required=False, empty_ok=True),
         Int("year", 1990, 2100), Float("value"), Text("unit", required=False), Float("tolerance", nonneg=True),
         Choice("tolerance_unit", CHECK_TOLERANCE_UNITS),
         Choice("kind", CHECK_KINDS, required=False, empty_ok=True)),
        key_columns=("id",),
        use="validation",
    ),
    # --- year-to-year shocks (naerhed.analysis.shocks fits them, naerhed.health.year_shocks applies them) ---
    TableSpec(
        "shock_history", "hospital_history.csv",
        "historical yearly values of hospital use per region (empty region_code: the whole country), "
        "the series year shocks and trends are fitted to (naerhed fit-shocks; also a region's own "
        "eSundhed series in this format)",
        (Region(empty_ok=True), Text("region", required=False), Choice("series", SHOCK_SERIES, noun="series"),
         Text("group", required=False), _year(), Float("value", positive=True, what_column="series"),
         Text("unit", required=False)),
        key_columns=("region_code", "series", "group", "year"),
        use="reference",
    ),
    TableSpec(
        "year_shocks", "year_shocks.csv",
        "the size of the year-to-year shocks of hospital use per series and region (sd of the yearly change "
        "on the log scale, its standard error, the correlation with the national shock; empty region_code: "
        "every region), fitted by naerhed fit-shocks (e.g. to your region's eSundhed series) or an explicit prior",
        (Choice("series", SHOCK_SERIES, noun="series"), Region(empty_ok=True), Text("region", required=False),
         Float("sd", nonneg=True, hi=1.0, what="sd (log scale, per year)"),
         Float("sd_se", nonneg=True, required=False, empty_ok=True),
         Float("national_correlation", nonneg=True, hi=1.0),
         Float("trend", required=False, empty_ok=True), Float("trend_se", nonneg=True, required=False, empty_ok=True),
         Int("n_changes", 0, 10_000, required=False),
         Choice("method", SHOCK_METHODS, noun="method")),
        key_columns=("series", "region_code"),
    ),
    TableSpec(
        "validation_known_outside", "validation_known_outside.csv",
        "the validation figures (ids of validation_targets.csv, model_checks.csv and chronic_targets.csv) "
        "the model is known to miss, each with the reason (naerhed validate-model, tests)",
        (Text("id", if_empty="empty id"),
         Text("reason", if_empty="empty reason; say why the model misses the figure")),
        key_columns=("id",),
        use="validation",
    ),
    TableSpec(
        "regions", "regions.csv",
        "the regions and the years they exist (the region registry): DST code, short name, official Danish "
        "and English names, first and last year (empty: open), and for a region formed by a reform the "
        "regions it is formed of (predecessors, codes separated by spaces); the five regions of 2007-2026 "
        "are the simulation's (naerhed.constants.REGION_CODES) and have no predecessors (naerhed.regions)",
        (Int("region_code", 1000, 9999), Text("region", if_empty="empty region name"), Text("name_da"),
         Text("name_en"), Text("first_year", required=False), Text("last_year", required=False),
         Text("predecessors", required=False)),
        key_columns=("region_code",),
    ),
)

#: Every table by key, in this order in the scenario's data section and in the manifest.
TABLES: dict[str, TableSpec] = {spec.key: spec for spec in _SPECS}


def scenario_tables() -> tuple[TableSpec, ...]:
    """The tables a scenario's ``data:`` section may replace with the user's own file."""
    return tuple(spec for spec in TABLES.values() if spec.use == "scenario")


def run_tables() -> tuple[TableSpec, ...]:
    """The tables every run reads (recorded in its manifest and fingerprint)."""
    return tuple(spec for spec in TABLES.values() if spec.use in ("scenario", "run"))

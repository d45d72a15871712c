"""Reference data of the model: packaged tables (CSV, documented in SOURCES.md) and their loaders.

    >>> from naerhed.data import load_population
    >>> pop = load_population(2019)          # (5 regions, 2 sexes, 111 ages), persons on 1 January 2019

Every table is described once in `naerhed.data.registry` (`TABLES`: key, file, columns, key columns);
`naerhed.data.reader.read_table` reads and checks a file against its description, and the loaders in
tables (population and demography), health_tables (hospital use, calibration targets), chronic_tables
(KOL and diabetes) and validation_tables build the model's arrays from the checked columns.
`naerhed.data.statbank` reads a StatBank FOLK1A export; `naerhed.data.files` locates files.

Every loader accepts `path=` to use the user's own file in the same format instead of the packaged one
(`load_population` also reads a StatBank FOLK1A export). Problems raise `naerhed.errors.DataError`.
"""

from .files import DATA_DIR, file_sha256, package_files
from .registry import TABLES, TableSpec, run_tables, scenario_tables
from .statbank import read_folk1a
from .tables import (
    Fertility,
    MortalityAge5,
    MortalitySingleAge,
    Municipalities,
    load_birth_share_male,
    load_fertility,
    load_fertility_region,
    load_regions,
    load_mortality_age5,
    load_mortality_single_age,
    load_municipalities,
    municipality_years,
    nearest_municipality_year,
    load_net_migration_sex_age,
    load_net_migration_total,
    load_population,
    load_projection,
)
from .validation_tables import ValidationTarget, load_validation_targets

__all__ = [
    "DATA_DIR",
    "TABLES",
    "TableSpec",
    "run_tables",
    "scenario_tables",
    "package_files",
    "file_sha256",
    "load_population",
    "load_municipalities",
    "municipality_years",
    "nearest_municipality_year",
    "load_mortality_age5",
    "load_mortality_single_age",
    "load_fertility",
    "load_fertility_region",
    "load_regions",
    "load_birth_share_male",
    "load_net_migration_total",
    "load_net_migration_sex_age",
    "load_projection",
    "load_validation_targets",
    "read_folk1a",
    "Municipalities",
    "MortalityAge5",
    "MortalitySingleAge",
    "Fertility",
    "ValidationTarget",
]

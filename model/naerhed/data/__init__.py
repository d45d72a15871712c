"""Reference data of the model: packaged tables (CSV, documented in SOURCES.md) and their loaders.

    >>> from naerhed.data import load_population
    >>> pop = load_population(2019)          # (5 regions, 2 sexes, 111 ages), persons on 1 January 2019

Every loader accepts `path=` to use the user's own file in the same format instead of the packaged one
(`load_population` also reads a StatBank FOLK1A export). Problems raise `naerhed.errors.DataError`.
"""

from .statbank import read_folk1a
from .tables import (
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

__all__ = [
    "DATA_DIR",
    "package_files",
    "file_sha256",
    "load_population",
    "load_municipalities",
    "load_mortality_age5",
    "load_mortality_single_age",
    "load_fertility",
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

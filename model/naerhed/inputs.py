"""Inputs of a run: the reference tables a scenario names (packaged defaults or the user's own
files), turned into the model's rate objects. Built once per run and shared by all draws."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from . import data
from .demography import Demography
from .demography.fertility import build_fertility
from .demography.migration import MigrationModel
from .demography.mortality import build_mortality
from .errors import DataError
from .health.model import Health, build_health
from .interventions.catalogue import CATALOGUE_FILE, load_catalogue, resolve


@dataclass
class Inputs:
    """base_counts: persons [region, sex, age] on 1 January of the base year;
    municipality_names: labels of the municipality index; files: every data file used (for hashes)."""

    base_year: int
    base_counts: np.ndarray
    municipality_names: list[str]
    demography: Demography
    health: Health
    files: dict[str, Path]
    interventions: list = field(default_factory=list)


def _path(value) -> Path | None:
    return None if value is None else Path(value)


def data_files_used(files) -> dict[str, Path]:
    """The file behind each table a run reads (naerhed.data.run_tables), by table key: the user's path
    where the scenario's data section gives one, else the packaged file."""
    return {spec.key: Path(getattr(files, spec.key, None) or spec.path) for spec in data.run_tables()}


def load_inputs(scenario) -> Inputs:
    """Read and check every table the scenario needs; raise DataError naming the file on problems."""
    files = scenario.data
    base_year = scenario.population.base_year
    base_counts = data.load_population(base_year, path=_path(files.population))
    municipalities = data.load_municipalities(path=_path(files.municipalities))
    settings = scenario.demography
    mortality_age5 = data.load_mortality_age5(path=_path(files.mortality_age5))
    for label, (first, last) in (("base_period", settings.mortality.base_period),
                                 ("trend_period", settings.mortality.trend_period)):
        if first < mortality_age5.years.min() or last > mortality_age5.years.max():
            raise DataError(
                f"demography.mortality.{label} {first}-{last} is outside the mortality table "
                f"({mortality_age5.years.min()}-{mortality_age5.years.max()})")
    mortality = build_mortality(
        mortality_age5,
        data.load_mortality_single_age(path=_path(files.mortality_single_age)),
        base_period=tuple(settings.mortality.base_period),
        trend_period=tuple(settings.mortality.trend_period),
        improvement=0.0 if scenario.health.cost_ageing == "constant_mortality" else settings.mortality.improvement,
    )
    fertility = build_fertility(data.load_fertility(path=_path(files.fertility)), settings.fertility.tfr)
    total_years, totals = data.load_net_migration_total(path=_path(files.net_migration_total))
    profile_years, profiles = data.load_net_migration_sex_age(path=_path(files.net_migration_sex_age))
    migration = MigrationModel(total_years, totals, profile_years, profiles, scale=settings.migration.scale)

    projection_years = projection = None
    if settings.alignment.target == "projection":
        projection_years, projection = data.load_projection(path=_path(files.projection))
        missing = sorted(set(range(base_year + 1, scenario.end_year + 1)) - set(projection_years.tolist()))
        if missing:
            raise DataError(f"alignment needs the projection for {missing[0]}-{missing[-1]}, "
                            f"but the projection table covers {projection_years.min()}-{projection_years.max()}")

    demography = Demography(
        mortality=mortality,
        fertility=fertility,
        migration=migration,
        birth_share_male=data.load_birth_share_male(),
        municipality_region=municipalities.region,
        municipality_population=municipalities.population,
        projection_years=projection_years,
        projection=projection,
    )
    health = build_health(scenario, base_counts, mortality)
    catalogue = load_catalogue()
    interventions = [resolve(block, list(municipalities.names), municipalities.region, catalogue)
                     for block in scenario.interventions]
    used = data_files_used(files)
    if interventions:
        used["intervention_catalogue"] = CATALOGUE_FILE
    return Inputs(base_year=base_year, base_counts=base_counts, municipality_names=list(municipalities.names),
                  demography=demography, health=health, files=used, interventions=interventions)

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
from .data.health_tables import load_calibration_targets
from .data.chronic_tables import load_chronic_prevalence
from .data.registry import CONDITIONS
from .constants import REGION_NAMES, SEXES
from .errors import DataError, ScenarioError
from .health.calibration import calibration_year_problem
from .health.model import Health, build_health
from .health.year_shocks import ShockPlan, load_shock_plan
from .regions import BASE_REGIONS, RegionMap
from .interventions.catalogue import CATALOGUE_FILE, load_catalogue, resolve
from .limits import MIN_PERSONS_PER_REGION
from .yaml_models import Problem


@dataclass
class Inputs:
    """base_counts: persons [region, sex, age] on 1 January of the base year;
    municipality_names: labels of the municipality index; files: every data file used (for hashes);
    year_shocks: the sizes of the year shocks of hospital use (naerhed.health.year_shocks);
    regions: the region registry (which regions exist in which year, naerhed.regions)."""

    base_year: int
    base_counts: np.ndarray
    municipality_names: list[str]
    demography: Demography
    health: Health
    files: dict[str, Path]
    year_shocks: ShockPlan
    interventions: list = field(default_factory=list)
    regions: RegionMap = BASE_REGIONS


def _path(value) -> Path | None:
    return None if value is None else Path(value)


def data_files_used(files) -> dict[str, Path]:
    """The file behind each table a run reads (naerhed.data.run_tables), by table key: the user's path
    where the scenario's data section gives one, else the packaged file."""
    return {spec.key: Path(getattr(files, spec.key, None) or spec.path) for spec in data.run_tables()}


def year_problems(scenario) -> list[Problem]:
    """Every year the scenario asks for that its data do not cover, each with the scenario's file,
    line and key path: the population on 1 January of population.base_year, the mortality table's
    years for demography.mortality.base_period and trend_period, the projection's years up to
    end_year when aligned to it, and the calibration year (naerhed.health.calibration: from the
    base year to end_year - 1). A table that cannot be read (or a year-shock table that does not give
    every rate measure a size for every region) is a problem at its data.* key.
    Fertility and migration tables are clamped to their nearest year by design (not a problem)."""
    files, settings = scenario.data, scenario.demography
    base_year, end_year = scenario.population.base_year, scenario.end_year
    problems: list[Problem] = []

    def add(key_path: str, message: str) -> None:
        problems.append(Problem(*scenario.line_of(key_path), key_path, message))

    def read(key: str, load):
        try:
            return load()
        except DataError as exc:
            add(f"data.{key}", str(exc))
            return None

    try:
        counts = data.load_population(base_year, path=_path(files.population))
    except DataError as exc:
        if "no population for 1 January" in str(exc):
            add("population.base_year", f"{base_year} is not in the population data: {exc}")
        else:
            add("data.population", str(exc))
    else:
        smallest = int(np.argmin(counts.sum(axis=(1, 2))))
        persons = float(counts[smallest].sum())
        fraction = scenario.population.sample_fraction
        if persons * fraction < MIN_PERSONS_PER_REGION:
            floor = MIN_PERSONS_PER_REGION / persons
            add("population.sample_fraction", (
                f"{fraction:g} is too small: Region {REGION_NAMES[smallest]} ({persons:,.0f} persons on 1 January "
                f"{base_year}) would have {persons * fraction:,.1f} simulated persons, too few for its criteria "
                f"(ratios of their hospital use) to be defined in every draw; allowed: at least {floor:.2g} "
                f"({MIN_PERSONS_PER_REGION} simulated persons in the smallest region, naerhed.limits.MIN_PERSONS_PER_REGION)"))
    mortality_age5 = read("mortality_age5", lambda: data.load_mortality_age5(path=_path(files.mortality_age5)))
    if mortality_age5 is not None:
        low, high = int(mortality_age5.years.min()), int(mortality_age5.years.max())
        for label in ("base_period", "trend_period"):
            first, last = getattr(settings.mortality, label)
            if first < low or last > high:
                add(f"demography.mortality.{label}",
                    f"{first}-{last} is outside the mortality table ({low}-{high}); allowed: years within {low}-{high}")
    if settings.alignment.target == "projection":
        projection = read("projection", lambda: data.load_projection(path=_path(files.projection)))
        if projection is not None:
            years = projection[0]
            missing = sorted(set(range(base_year + 1, end_year + 1)) - set(years.tolist()))
            if missing:
                add("end_year", f"alignment to the projection (demography.alignment.target) needs it for "
                    f"{missing[0]}-{missing[-1]}, but the projection table covers {years.min()}-{years.max()}; "
                    f"allowed: end_year up to {years.max()}, a projection file (data.projection) covering "
                    f"{missing[0]}-{missing[-1]}, or demography.alignment.target: none")
    calibration = read("calibration", lambda: load_calibration_targets(_path(files.calibration)))
    if calibration is not None:
        problem = calibration_year_problem(calibration.year, base_year, end_year, calibration.path)
        if problem:
            add("data.calibration", problem)
    read("year_shocks", lambda: load_shock_plan(_path(files.year_shocks)))
    read("regions", lambda: data.load_regions(path=_path(files.regions)))
    return problems


def empty_target_problems(scenario, interventions: list, base_counts: np.ndarray) -> list[Problem]:
    """An intervention whose target group has no person in the base population: nobody of its ages and
    sex in its regions (base_counts: persons [region, sex, age]), or nobody there with its chronic
    conditions (their prevalence is 0 at those ages in data.chronic_prevalence). Such an intervention
    would run with 0 participants."""
    problems = []
    prevalence = None
    for index, iv in enumerate(interventions):
        target = iv.target
        youngest, oldest = target.age
        sexes = [0, 1] if target.sex == "both" else [SEXES.index(target.sex)]
        persons = base_counts[list(iv.regions)][:, sexes, youngest : oldest + 1]
        what = f"aged {youngest}-{oldest}" + ("" if target.sex == "both" else f", {target.sex}")
        if target.chronic:
            if prevalence is None:
                prevalence = load_chronic_prevalence(_path(scenario.data.chronic_prevalence))
            conditions = [c for c in CONDITIONS if "any" in target.chronic or c in target.chronic]
            has = (prevalence[[CONDITIONS.index(c) for c in conditions]] > 0).any(axis=0)  # [sex, age]
            persons = persons * has[sexes, youngest : oldest + 1][None]
            what += f", with {' or '.join(conditions)}"
        if not persons.sum() > 0:
            key = f"interventions[{index}].target"
            regions = ", ".join(REGION_NAMES[r] for r in iv.regions)
            problems.append(Problem(*scenario.line_of(key), key, (
                f"the target group of intervention {iv.name} is empty: nobody {what} in {regions} on 1 January "
                f"{scenario.population.base_year}, so it would have no participants; widen its ages, sex or "
                "conditions")))
    return problems


def input_problems(scenario) -> list[Problem]:
    """Everything `load_inputs` would reject, as problems located in the scenario: the years the data
    must cover (`year_problems`), then the contents of every data file it reads (a problem in a file
    is reported at the file's data.* key, or at the scenario itself for a packaged file) and the
    interventions' municipalities. `naerhed validate` reports these, so it rejects what `run` would."""
    problems = year_problems(scenario)
    if problems:
        return problems
    try:
        load_inputs(scenario)
    except ScenarioError as exc:
        return list(exc.problems)
    except DataError as exc:
        message = str(exc)
        keys = [key for key, path in data_files_used(scenario.data).items()
                if getattr(scenario.data, key, None) is not None and str(path) in message]
        where = f"data.{keys[0]}" if keys else ("interventions" if message.startswith("intervention ") else "")
        return [Problem(*scenario.line_of(where), where, message)]
    return []


def load_inputs(scenario) -> Inputs:
    """Read and check every table the scenario needs; raise ScenarioError listing every year the
    data do not cover (`year_problems`), DataError naming the file on other problems."""
    problems = year_problems(scenario)
    if problems:
        raise ScenarioError(problems)
    files = scenario.data
    base_year = scenario.population.base_year
    base_counts = data.load_population(base_year, path=_path(files.population))
    municipalities = data.load_municipalities(  # the municipal split within regions nearest the base year
        data.nearest_municipality_year(base_year, path=_path(files.municipalities)), path=_path(files.municipalities))
    settings = scenario.demography
    mortality_age5 = data.load_mortality_age5(path=_path(files.mortality_age5))  # its years: year_problems
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
        projection_years, projection = data.load_projection(path=_path(files.projection))  # its years: year_problems

    demography = Demography(
        mortality=mortality,
        fertility=fertility,
        migration=migration,
        birth_share_male=data.load_birth_share_male(),
        municipality_region=municipalities.region,
        municipality_population=municipalities.population,
        projection_years=projection_years,
        projection=projection,
        fertility_region=data.load_fertility_region(path=_path(files.fertility_region)),
    )
    health = build_health(scenario, base_counts, mortality)
    catalogue = load_catalogue()
    interventions = [resolve(block, list(municipalities.names), municipalities.region, catalogue)
                     for block in scenario.interventions]
    problems = empty_target_problems(scenario, interventions, base_counts)
    if problems:
        raise ScenarioError(problems)
    used = data_files_used(files)
    if interventions:
        used["intervention_catalogue"] = CATALOGUE_FILE
    return Inputs(base_year=base_year, base_counts=base_counts, municipality_names=list(municipalities.names),
                  demography=demography, health=health, files=used,
                  year_shocks=load_shock_plan(_path(files.year_shocks)), interventions=interventions,
                  regions=data.load_regions(path=_path(files.regions)))

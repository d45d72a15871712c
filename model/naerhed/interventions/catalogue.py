"""The intervention catalogue (data/intervention_catalogue.yaml): for each intervention type its
default target group, coverage, effects (numbers or distributions) and cost, each with provenance.
A scenario's intervention block overrides any of these; `resolve` merges the two."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

from ..constants import REGION_CODES
from ..data import DATA_DIR
from ..errors import DataError
from ..safe_yaml import YamlInputError, load_file
from ..sections import Distribution
from ..uncertainty import Prior, as_prior
from .base import InterventionSettings, TargetGroup
from .types import registered

CATALOGUE_FILE = DATA_DIR / "intervention_catalogue.yaml"


@dataclass(frozen=True)
class CatalogueEntry:
    """Defaults of one intervention type (see the catalogue file for the evidence)."""

    type: str
    label: str
    changes: str
    target: TargetGroup
    max_coverage: float
    effects: dict[str, Any]          # effect name -> float or Prior
    cost_per_participant_dkk: float
    provenance: dict[str, dict]


def load_catalogue(path: Optional[Path] = None) -> dict[str, CatalogueEntry]:
    """The catalogue (default: CATALOGUE_FILE), checked: an entry for every registered intervention
    type and none for another, only effects the type accepts, a provenance entry for the effects,
    coverage and cost of each. In the order of the file."""
    return _load_catalogue(Path(path if path is not None else CATALOGUE_FILE), tuple(registered()))


@lru_cache(maxsize=4)
def _load_catalogue(path: Path, kinds: tuple[str, ...]) -> dict[str, CatalogueEntry]:
    types = registered()
    try:
        raw = load_file(Path(path), str(path), "intervention catalogue")
    except YamlInputError as exc:
        raise DataError(f"cannot read the intervention catalogue: {exc}") from None
    if not isinstance(raw, dict):
        raise DataError(f"{path}: the intervention catalogue must be a mapping of intervention types")
    for kind in kinds:
        if kind not in raw:
            raise DataError(f"{path}: no entry for intervention type {kind!r}")
    entries = {}
    for kind, item in raw.items():
        if kind not in types:
            raise DataError(f"{path}: {kind}: no such intervention type (a module in naerhed/interventions/types/); "
                            f"known types: {', '.join(kinds)}")
        allowed = types[kind].effect_names()
        try:
            effects = {}
            for name, value in (item.get("effects") or {}).items():
                if name not in allowed:
                    raise DataError(f"{path}: {kind}.effects.{name}: unknown effect; allowed: {', '.join(allowed)}")
                effects[name] = as_prior(Distribution.model_validate(value)) if isinstance(value, dict) else float(value)
            provenance = item["provenance"]
            for key in ("effects", "max_coverage", "cost_per_participant_dkk"):
                if key not in provenance:
                    raise DataError(f"{path}: {kind}.provenance has no entry for {key}")
            entries[kind] = CatalogueEntry(kind, item["label"], item["changes"], TargetGroup.model_validate(item["target"]),
                                           float(item["max_coverage"]), effects, float(item["cost_per_participant_dkk"]),
                                           provenance)
        except (KeyError, TypeError, ValueError) as exc:
            raise DataError(f"{path}: {kind}: {exc}") from None
    return entries


@dataclass(frozen=True)
class Intervention:
    """One intervention of a scenario, with the catalogue defaults filled in.

    regions: region indices 0-4; municipalities: municipality indices (None: all in the regions);
    effects: effect name -> float or Prior (sampled per draw); costs in DKK; settings: the block as
    written, an instance of its type's class (which also holds the type's behaviour)."""

    name: str
    type: str
    regions: tuple[int, ...]
    municipalities: Optional[tuple[int, ...]]
    target: TargetGroup
    start_year: int
    ramp_years: int
    max_coverage: float
    effects: dict[str, Any]
    cost_per_participant_dkk: float
    fixed_cost_dkk_per_year: float
    settings: InterventionSettings

    def coverage(self, year: int) -> float:
        """Share of the target group covered in `year` (linear ramp from the start year)."""
        if year < self.start_year:
            return 0.0
        if self.ramp_years == 0:
            return self.max_coverage
        return self.max_coverage * min(1.0, (year - self.start_year + 1) / self.ramp_years)

    def adjust_year(self, effects: dict[str, float], covered, pop, rates, mods, participants) -> None:
        """The type's own change of the year's modifiers (see InterventionSettings.adjust_year)."""
        self.settings.adjust_year(self, effects, covered, pop, rates, mods, participants)

    def write_outputs(self, dataset, folder: Path) -> None:
        """The type's extra outputs of a run, written into `folder` (see InterventionSettings.write_outputs)."""
        self.settings.write_outputs(self, dataset, folder)


def resolve(settings: InterventionSettings, municipality_names: list[str], municipality_region,
            catalogue: dict[str, CatalogueEntry]) -> Intervention:
    """Merge a scenario's intervention block over the catalogue defaults; unknown municipality
    names (or ones outside the intervention's regions) are a DataError naming the allowed ones."""
    entry = catalogue[settings.type]
    regions = tuple(REGION_CODES.index(code) for code in settings.regions)
    municipalities = None
    if settings.municipalities:
        lookup = {name.lower(): i for i, name in enumerate(municipality_names)}
        chosen = []
        for name in settings.municipalities:
            index = lookup.get(name.strip().lower())
            if index is None or int(municipality_region[index]) not in regions:
                allowed = sorted(n for i, n in enumerate(municipality_names) if int(municipality_region[i]) in regions)
                raise DataError(f"intervention {settings.name}: unknown municipality {name!r} in its regions; "
                                f"allowed: {', '.join(allowed)}")
            chosen.append(index)
        municipalities = tuple(chosen)
    effects = dict(entry.effects)
    for name in settings.effect_names():
        value = getattr(settings.effects, name)
        if value is not None:
            effects[name] = as_prior(value)
    return Intervention(
        name=settings.name, type=settings.type, regions=regions, municipalities=municipalities,
        target=settings.target if settings.target is not None else entry.target,
        start_year=settings.start_year, ramp_years=settings.ramp_years,
        max_coverage=settings.max_coverage if settings.max_coverage is not None else entry.max_coverage,
        effects=effects,
        cost_per_participant_dkk=(settings.cost_per_participant_dkk if settings.cost_per_participant_dkk is not None
                                  else entry.cost_per_participant_dkk),
        fixed_cost_dkk_per_year=settings.fixed_cost_dkk_per_year, settings=settings)


__all__ = ["CatalogueEntry", "Intervention", "load_catalogue", "resolve", "Prior"]

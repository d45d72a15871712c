"""The intervention catalogue (data/intervention_catalogue.yaml): for each intervention type its
default target group, coverage, effects (numbers or distributions) and cost, each with provenance.
A scenario's intervention block overrides any of these; `resolve` merges the two."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any, Optional

import yaml

from ..constants import REGION_CODES
from ..data import DATA_DIR
from ..errors import DataError
from ..scenario import INTERVENTION_TYPES, Distribution, InterventionEffects, TargetGroup
from ..uncertainty import Prior, as_prior

CATALOGUE_FILE = DATA_DIR / "intervention_catalogue.yaml"
EFFECTS = tuple(InterventionEffects.model_fields)


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


@lru_cache(maxsize=2)
def load_catalogue(path: Path = CATALOGUE_FILE) -> dict[str, CatalogueEntry]:
    """The catalogue, checked: every type present, known effects only, a provenance entry for the
    effects, coverage and cost of each."""
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise DataError(f"{path}: cannot read the intervention catalogue ({exc})") from None
    entries = {}
    for kind in INTERVENTION_TYPES:
        if kind not in raw:
            raise DataError(f"{path}: no entry for intervention type {kind!r}")
        item = raw[kind]
        try:
            effects = {}
            for name, value in (item.get("effects") or {}).items():
                if name not in EFFECTS:
                    raise DataError(f"{path}: {kind}.effects.{name}: unknown effect; allowed: {', '.join(EFFECTS)}")
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
    effects: effect name -> float or Prior (sampled per draw); costs in DKK."""

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
    slots_per_day: Optional[int]

    def coverage(self, year: int) -> float:
        """Share of the target group covered in `year` (linear ramp from the start year)."""
        if year < self.start_year:
            return 0.0
        if self.ramp_years == 0:
            return self.max_coverage
        return self.max_coverage * min(1.0, (year - self.start_year + 1) / self.ramp_years)


def resolve(settings, municipality_names: list[str], municipality_region, catalogue: dict[str, CatalogueEntry]) -> Intervention:
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
    for name in EFFECTS:
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
        fixed_cost_dkk_per_year=settings.fixed_cost_dkk_per_year, slots_per_day=settings.slots_per_day)


__all__ = ["CatalogueEntry", "Intervention", "load_catalogue", "resolve", "EFFECTS", "Prior"]

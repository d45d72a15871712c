"""Same day under the same roof (samme dag under samme tag): several outpatient visits on different
days become one stay (effect outpatient_stays, a relative change). It has no settings or effects of
its own: the shared ones (naerhed.interventions.mechanism) do it all."""

from __future__ import annotations

from typing import Literal

from ..base import InterventionSettings, register, type_field


@register
class SameDaySameRoof(InterventionSettings):
    """Same day under the same roof (the shared settings and effects; defaults in the catalogue)."""

    type: Literal["same_day_same_roof"] = type_field()

"""Stable KOL and type 2 diabetes follow-up moved to general practice (PLO agreement 2018): fewer
hospital controls and planned admissions (effects outpatient_stays and planned_admissions, relative
changes). It has no settings or effects of its own: the shared ones
(naerhed.interventions.mechanism) do it all."""

from __future__ import annotations

from typing import Literal

from ..base import InterventionSettings, register, type_field


@register
class GpTransfer(InterventionSettings):
    """Follow-up moved to general practice (the shared settings and effects; defaults in the
    catalogue)."""

    type: Literal["gp_transfer"] = type_field()

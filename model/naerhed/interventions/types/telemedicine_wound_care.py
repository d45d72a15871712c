"""Telemedicine wound assessment: fewer outpatient visits for wound control (diabetic foot ulcers,
elderly), some of them become virtual (effects outpatient_stays and outpatient_to_virtual). It has
no settings or effects of its own: the shared ones (naerhed.interventions.mechanism) do it all."""

from __future__ import annotations

from typing import Literal

from ..base import InterventionSettings, register, type_field


@register
class TelemedicineWoundCare(InterventionSettings):
    """Telemedicine wound assessment (the shared settings and effects; defaults in the catalogue)."""

    type: Literal["telemedicine_wound_care"] = type_field()

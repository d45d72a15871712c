"""Correct registration of telemedicine activity: phone and video contacts that already happen are
registered as virtual courses, so the measured virtual share rises with no change in care or
activity (effect registered_virtual, extra registered courses per outpatient stay). It has no
settings or effects of its own: the shared ones (naerhed.interventions.mechanism) do it all."""

from __future__ import annotations

from typing import Literal

from ..base import InterventionSettings, register, type_field


@register
class TelemedicineRegistration(InterventionSettings):
    """Correct registration of telemedicine activity (the shared settings and effects; defaults in the
    catalogue)."""

    type: Literal["telemedicine_registration"] = type_field()

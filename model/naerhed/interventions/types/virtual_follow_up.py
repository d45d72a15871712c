"""Virtual follow-up (video, phone, PRO) of chronic patients: physical outpatient controls become
virtual courses (effect outpatient_to_virtual, a share); the number of controls does not fall
(outpatient_stays, around 0). It has no settings or effects of its own: the shared ones
(naerhed.interventions.mechanism) do it all."""

from __future__ import annotations

from typing import Literal

from ..base import InterventionSettings, register, type_field


@register
class VirtualFollowUp(InterventionSettings):
    """Virtual follow-up of chronic patients (the shared settings and effects; defaults in the
    catalogue)."""

    type: Literal["virtual_follow_up"] = type_field()

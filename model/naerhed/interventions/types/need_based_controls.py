"""Need-based (patient-initiated, PRO-based) outpatient controls: stable patients are seen when their
PRO answers say so, so they have fewer planned outpatient controls (effect outpatient_stays, a
relative change). It has no settings or effects of its own: the shared ones
(naerhed.interventions.mechanism) do it all."""

from __future__ import annotations

from typing import Literal

from ..base import InterventionSettings, register, type_field


@register
class NeedBasedControls(InterventionSettings):
    """Need-based (patient-initiated) outpatient controls (the shared settings and effects; defaults in
    the catalogue)."""

    type: Literal["need_based_controls"] = type_field()

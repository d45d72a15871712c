"""Municipal acute teams / acute functions for frail elderly: fewer preventable acute admissions of the
frailest elderly (effect acute_admissions, a relative change; target group by frailty quantile). It
has no settings or effects of its own: the shared ones (naerhed.interventions.mechanism) do it all."""

from __future__ import annotations

from typing import Literal

from ..base import InterventionSettings, register, type_field


@register
class MunicipalAcuteTeam(InterventionSettings):
    """Municipal acute teams for frail elderly (the shared settings and effects; defaults in the
    catalogue)."""

    type: Literal["municipal_acute_team"] = type_field()

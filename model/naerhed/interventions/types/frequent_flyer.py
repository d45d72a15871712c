"""Frequent-flyer programme / outreach team for the costliest citizens ('VIP for the 50 most
expensive'): fewer acute admissions and readmissions in a small, heavy group (effects
acute_admissions and readmission_probability; target group the N costliest per region). It has no
settings or effects of its own: the shared ones (naerhed.interventions.mechanism) do it all."""

from __future__ import annotations

from typing import Literal

from ..base import InterventionSettings, register, type_field


@register
class FrequentFlyer(InterventionSettings):
    """Frequent-flyer programme for the costliest citizens (the shared settings and effects; defaults
    in the catalogue)."""

    type: Literal["frequent_flyer"] = type_field()

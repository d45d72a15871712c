"""Acute and sub-acute outpatient slots (*akut/subakut ambulatorium*): an eligible acute admission
becomes a same-day outpatient stay, if one of the region's places is free.

Settings of its own: `slots_per_day`, the same-day places of each region's clinics. Effect of its
own: `acute_diversion_share`, the share of the covered persons' acute admissions that could be
handled the same day. Each year and region, the eligible referrals per day (expected acute
admissions of the covered persons x the eligible share / 365) go through the clinic's capacity
model (naerhed.interventions.capacity, interpolated on a grid of demands), which says what share
of them gets a place; that share of the eligible admissions becomes outpatient stays, combined
with other interventions' diversion as independent chances. Its participants are the expected
acute admissions diverted. Extra output of a run: the capacity curve of each block,
figures/acute_slots_<name>.png.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal, Optional

import numpy as np
from pydantic import Field, model_validator

from ...sections import Uncertain
from ...yaml_models import field, own_error
from ..base import Effects, InterventionSettings, effect, effects_field, register, type_field
from ..capacity import diverted_fraction as clinic_diverted_fraction
from ..capacity import plot_diverted_curve

DAYS_PER_YEAR = 365.0
DEMAND_GRID_STEP = 0.05  # the clinic model is run at demands 5 % apart and interpolated in between
CLINIC_DAYS = 364  # one simulated year per grid point: at 50+ referrals a day the standard error is about 0.4 points


class AcuteSlotsEffects(Effects):
    """The shared effects, and the share of acute admissions the slots could take."""

    acute_diversion_share: Optional[Uncertain] = effect(
        "Share of acute admissions that could be handled the same day in an acute outpatient slot "
        "(how many are actually diverted depends on the slots per day).", "share (0-1)")


def diverted_fraction(places: int, eligible_per_day: float) -> float:
    """Share of eligible acute referrals an acute outpatient clinic with `places` same-day places
    diverts from admission: the simpy model (cached) at the two neighbouring points of a grid of
    demands 5 % apart, interpolated on log demand, so a run needs only a few clinic simulations."""
    if places <= 0 or eligible_per_day <= 0:
        return 0.0
    position = np.log(eligible_per_day) / DEMAND_GRID_STEP
    low = np.floor(position)
    weight = position - low
    def at(k: float) -> float:
        return clinic_diverted_fraction(int(places), float(np.exp(k * DEMAND_GRID_STEP)), days=CLINIC_DAYS)

    return float((1 - weight) * at(low) + weight * at(low + 1))


@register
class AcuteSlots(InterventionSettings):
    """Acute and sub-acute outpatient slots: the shared settings and effects, the places per region
    and the share of acute admissions the slots could take."""

    type: Literal["acute_slots"] = type_field()
    effects: AcuteSlotsEffects = effects_field(AcuteSlotsEffects)
    slots_per_day: Optional[Annotated[int, Field(ge=0, le=1000)]] = field(
        None, description="Places in the acute outpatient clinics of each region "
        "(parallel same-day places, open on weekdays).", unit="places per region")

    @model_validator(mode="after")
    def _needs_slots(self) -> "AcuteSlots":
        if self.slots_per_day is None:
            raise own_error("an acute_slots intervention needs slots_per_day (places per region)",
                            at=("slots_per_day",))
        return self

    def adjust_year(self, intervention, effects, covered, pop, rates, mods, participants) -> None:
        """Divert the eligible acute admissions of the covered persons that get a place, region by
        region; participants [region] become the expected acute admissions diverted."""
        # the rates layer pulls in scipy: imported when a draw runs, so that reading a scenario stays quick
        from ...health.hospital_use import ACUTE

        eligible_share = float(np.clip(effects.get("acute_diversion_share", 0.0), 0.0, 1.0))
        for r in intervention.regions:
            in_region = covered[pop.region[covered] == r]
            expected_admissions = float(rates[ACUTE, in_region].sum())
            eligible_per_day = expected_admissions * pop.weight * eligible_share / DAYS_PER_YEAR
            fraction = diverted_fraction(self.slots_per_day, eligible_per_day) if eligible_per_day > 0 else 0.0
            share = np.float32(eligible_share * fraction)
            mods.acute_to_outpatient[in_region] = 1 - (1 - mods.acute_to_outpatient[in_region]) * (1 - share)
            participants[r] = expected_admissions * float(share)

    def write_outputs(self, intervention, dataset, folder: Path) -> None:
        """figures/acute_slots_<name>.png: share of eligible referrals diverted against places per
        region, at the demand of its regions in its start year (mean over draws)."""
        year = min(max(intervention.start_year, int(dataset["period"][0])), int(dataset["period"][-1]))
        codes = [int(dataset["region"][r]) for r in intervention.regions]
        totals = dataset["hospital_totals"].sel(period=year, quantity="acute_admissions").sum("age_group").mean("draw")
        admissions = float(totals.where(dataset["municipality_region"].isin(codes), 0).sum())
        share = intervention.effects.get("acute_diversion_share", 0.0)  # a number or a Prior
        share = share.central() if hasattr(share, "central") else float(share)
        demand = admissions * share / DAYS_PER_YEAR / len(codes)
        places_max = max(12, 2 * int(self.slots_per_day or 0))
        plot_diverted_curve(Path(folder) / f"acute_slots_{intervention.name}.png", round(demand, 1),
                            places_max=places_max, days=182)  # half a year per point: a figure

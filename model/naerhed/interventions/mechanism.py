"""How interventions change each covered person's hospital use in a year.

Coverage: a person is covered by an intervention in a year if they are in its regions (and
municipalities), in its target group, and their own uniform number for that intervention (drawn
once per person and intervention name, the same in every year and every scenario: common random
numbers) is below the year's coverage share. As the uptake ramps up, the covered group only grows,
and two scenarios with the same intervention cover the same persons.

Combination (documented rule): relative effects on the same rate multiply,
rate × Π (1 + effect_i); shares combine as independent chances, 1 − Π (1 − share_i)
(outpatient_to_virtual, acute diversion); registered virtual courses add up.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from ..constants import N_REGIONS
from ..health.chronic import DIABETES_T1, DIABETES_T2, KOL
from ..health.hospital_use import ACUTE, N_MEASURES, OUTPATIENT, PLANNED, READMISSION, VIRTUAL
from ..population import Population
from ..streams import RandomStreams
from ..uncertainty import draw_value
from .catalogue import Intervention

RATE_EFFECTS = {"acute_admissions": ACUTE, "planned_admissions": PLANNED, "outpatient_stays": OUTPATIENT,
                "virtual_courses": VIRTUAL, "readmission_probability": READMISSION}
CHRONIC_BITS = {"kol": KOL, "diabetes_t1": DIABETES_T1, "diabetes_t2": DIABETES_T2,
                "any": KOL | DIABETES_T1 | DIABETES_T2}
DAYS_PER_YEAR = 365.0


@dataclass
class PersonModifiers:
    """Per-person changes to the year's expected use (all float32 arrays over persons).

    rate [measure, person]: multipliers; outpatient_to_virtual: share of outpatient stays that become
    virtual; acute_to_outpatient: share of acute admissions handled the same day as outpatient
    stays; registered_virtual: extra registered virtual courses per outpatient stay; price: multiplier
    of the DKK value of each course."""

    rate: np.ndarray
    outpatient_to_virtual: np.ndarray
    acute_to_outpatient: np.ndarray
    registered_virtual: np.ndarray
    price: np.ndarray

    @classmethod
    def neutral(cls, n: int) -> "PersonModifiers":
        return cls(np.ones((N_MEASURES, n), np.float32), np.zeros(n, np.float32), np.zeros(n, np.float32),
                   np.zeros(n, np.float32), np.ones(n, np.float32))


@dataclass
class DrawnIntervention:
    """An intervention with its effects sampled for one draw (effect name -> number)."""

    spec: Intervention
    effects: dict[str, float]


def draw_interventions(interventions: list[Intervention], seed: int, draw: int, central: bool) -> list[DrawnIntervention]:
    """Sample every intervention's effects for a draw (stream per intervention name and effect)."""
    return [DrawnIntervention(iv, {name: draw_value(value, f"effect:{iv.name}:{name}", seed, draw, central)
                                   for name, value in iv.effects.items()})
            for iv in interventions]


def frailty_threshold(quantile: float, shape: float, cap: float) -> float:
    """Frailty at a quantile of its distribution (min(Gamma(shape, 1/shape), cap))."""
    return float(min(stats.gamma.ppf(quantile, shape, scale=1.0 / shape), cap))


def target_mask(iv: Intervention, pop: Population, expected_activity: np.ndarray | None,
                frailty_shape: float, frailty_cap: float) -> np.ndarray:
    """Persons in the intervention's area and target group this year (before coverage)."""
    t = iv.target
    in_region = np.zeros(N_REGIONS, dtype=bool)
    in_region[list(iv.regions)] = True
    mask = in_region[pop.region]  # a lookup table per person: cheaper than np.isin
    if iv.municipalities is not None:
        in_municipality = np.zeros(int(pop.municipality.max()) + 1, dtype=bool)
        chosen = [m for m in iv.municipalities if m < in_municipality.size]
        in_municipality[chosen] = True
        mask &= in_municipality[pop.municipality]
    in_ages = np.zeros(256, dtype=bool)
    in_ages[t.age[0] : t.age[1] + 1] = True
    mask &= in_ages[pop.age]
    if t.sex != "both":
        mask &= pop.sex == (0 if t.sex == "male" else 1)
    if t.chronic:
        bits = 0
        for name in t.chronic:
            bits |= CHRONIC_BITS[name]
        mask &= (pop.chronic & bits) > 0
    if t.min_frailty_quantile is not None:
        mask &= pop.frailty >= frailty_threshold(t.min_frailty_quantile, frailty_shape, frailty_cap)
    if t.costliest is not None:
        mask &= costliest(pop, expected_activity, t.costliest, mask)
    return mask


def costliest(pop: Population, expected_activity: np.ndarray, n_real: int, eligible: np.ndarray) -> np.ndarray:
    """The `n_real` citizens per region (in real persons; n_real / weight simulated persons, at least
    one) with the highest expected activity among the eligible."""
    chosen = np.zeros(pop.size, dtype=bool)
    n_sim = max(1, int(round(n_real / pop.weight)))
    for r in range(N_REGIONS):  # five regions
        idx = np.flatnonzero(eligible & (pop.region == r))
        if idx.size == 0:
            continue
        k = min(n_sim, idx.size)
        top = idx[np.argpartition(-expected_activity[idx], k - 1)[:k]]
        chosen[top] = True
    return chosen


def coverage_uniforms(streams: RandomStreams, name: str, pop: Population) -> np.ndarray:
    """Each person's uniform number for an intervention (the same in every year): the stream of ids
    is generated once per draw and intervention and regrown only when new ids appear (a stream's
    first n numbers do not depend on how many are drawn, so the numbers are the same as drawing anew)."""
    cache = streams.__dict__.setdefault("_coverage_cache", {})
    values = cache.get(name)
    if values is None or values.size < pop.next_id:  # with headroom, so births do not regrow it every year
        size = int(pop.next_id * 1.25) + 1024
        values = streams.generator(f"coverage:{name}", 0).random(size, dtype=np.float32)
        cache[name] = values
    return values[pop.id]


def year_modifiers(drawn: list[DrawnIntervention], pop: Population, rates: np.ndarray, year: int,
                   streams: RandomStreams, frailty_shape: float, frailty_cap: float, expected_activity,
                   diverted_fraction) -> tuple[PersonModifiers | None, np.ndarray]:
    """Modifiers of the persons' expected use in `year` and the participants of each intervention by
    region [intervention, region] (simulated persons covered; for acute slots the expected acute
    admissions diverted; multiply by the weight for real persons).

    rates: the year's expected rates without interventions [measure, person]; expected_activity():
    expected DKK per person (called only if a target group asks for the costliest);
    diverted_fraction(places, eligible_per_day): the capacity model of acute slots."""
    participants = np.zeros((len(drawn), N_REGIONS))
    active = [(i, d) for i, d in enumerate(drawn) if d.spec.coverage(year) > 0]
    if not active:
        return None, participants
    mods = PersonModifiers.neutral(pop.size)
    activity = None
    for i, d in active:
        iv = d.spec
        if iv.target.costliest is not None and activity is None:
            activity = expected_activity()
        u = coverage_uniforms(streams, iv.name, pop)
        covered = target_mask(iv, pop, activity, frailty_shape, frailty_cap) & (u < iv.coverage(year))
        idx = np.flatnonzero(covered)  # the covered persons: index once, then work on them only
        participants[i] = np.bincount(pop.region[idx], minlength=N_REGIONS)
        for name, m in RATE_EFFECTS.items():
            if name in d.effects and d.effects[name] != 0.0:
                mods.rate[m, idx] *= np.float32(max(0.0, 1.0 + d.effects[name]))
        if d.effects.get("outpatient_to_virtual", 0.0) > 0:
            share = np.float32(np.clip(d.effects["outpatient_to_virtual"], 0.0, 1.0))
            mods.outpatient_to_virtual[idx] = 1 - (1 - mods.outpatient_to_virtual[idx]) * (1 - share)
        if d.effects.get("registered_virtual", 0.0) > 0:
            mods.registered_virtual[idx] += np.float32(d.effects["registered_virtual"])
        if "activity_price" in d.effects and d.effects["activity_price"] != 0.0:
            mods.price[idx] *= np.float32(max(0.0, 1.0 + d.effects["activity_price"]))
        if iv.type == "acute_slots":
            # participants of acute slots: the expected acute admissions diverted to same-day care
            eligible_share = float(np.clip(d.effects.get("acute_diversion_share", 0.0), 0.0, 1.0))
            for r in iv.regions:
                in_region = idx[pop.region[idx] == r]
                expected_admissions = float(rates[ACUTE, in_region].sum())
                eligible_per_day = expected_admissions * pop.weight * eligible_share / DAYS_PER_YEAR
                fraction = diverted_fraction(iv.slots_per_day, eligible_per_day) if eligible_per_day > 0 else 0.0
                share = np.float32(eligible_share * fraction)
                mods.acute_to_outpatient[in_region] = 1 - (1 - mods.acute_to_outpatient[in_region]) * (1 - share)
                participants[i, r] = expected_admissions * float(share)
    return mods, participants

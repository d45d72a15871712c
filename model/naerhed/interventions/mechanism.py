"""How interventions change each covered person's hospital use in a year.

Coverage: a person is covered by an intervention in a year if they are in its regions (and
municipalities), in its target group, and their own uniform number for that intervention (drawn
once per person and intervention name, the same in every year and every scenario: common random
numbers) is below the year's coverage share. As the uptake ramps up, the covered group only grows,
and two scenarios with the same intervention cover the same persons.

Combination (documented rule): relative effects on the same rate multiply,
rate × Π (1 + effect_i); shares combine as independent chances, 1 − Π (1 − share_i)
(outpatient_to_virtual, and a type's own diversion, e.g. acute slots); registered virtual courses
add up. The shared effects are applied here for every type; a type's own effect on the rates is its
`adjust_year` (naerhed.interventions.base), applied right after.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.special import gammaincinv

from ..constants import N_AGES, N_REGIONS
from ..health.chronic import DIABETES_T1, DIABETES_T2, KOL
from ..health.hospital_use import (ACUTE, N_MEASURES, OUTPATIENT, PLANNED, READMISSION, VIRTUAL,
                                   activity_of_rates)
from ..population import Population
from ..streams import RandomStreams
from ..uncertainty import draw_value
from .catalogue import Intervention

RATE_EFFECTS = {"acute_admissions": ACUTE, "planned_admissions": PLANNED, "outpatient_stays": OUTPATIENT,
                "virtual_courses": VIRTUAL, "readmission_probability": READMISSION}
CHRONIC_BITS = {"kol": KOL, "diabetes_t1": DIABETES_T1, "diabetes_t2": DIABETES_T2,
                "any": KOL | DIABETES_T1 | DIABETES_T2}


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
    return float(min(gammaincinv(shape, quantile) / shape, cap))


def _cell_filter(iv: Intervention) -> np.ndarray | None:
    """Which [region, sex, age] cells (flat, as Population.cell) the intervention's regions, sex and
    ages allow; None when it allows every cell (no filtering needed)."""
    t = iv.target
    allowed = np.zeros((N_REGIONS, 2, N_AGES), dtype=bool)
    sexes = [0, 1] if t.sex == "both" else [0 if t.sex == "male" else 1]
    allowed[np.ix_(list(iv.regions), sexes, np.arange(N_AGES))] = True
    allowed[:, :, : t.age[0]] = False
    allowed[:, :, t.age[1] + 1:] = False
    return None if allowed.all() else allowed.reshape(-1)


def chronic_bits(names) -> int:
    """The chronic-state bit mask of condition names (0: no condition asked for)."""
    bits = 0
    for name in names:
        bits |= CHRONIC_BITS[name]
    return bits


def target_key(iv: Intervention) -> tuple:
    """What decides an intervention's target group: interventions with the same key share it."""
    t = iv.target
    return (iv.regions, iv.municipalities, tuple(t.age), t.sex, chronic_bits(t.chronic), t.min_frailty_quantile,
            t.costliest)


def target_group(iv: Intervention, pop: Population, expected_activity, frailty_shape: float,
                 frailty_cap: float) -> np.ndarray:
    """Indices of the persons in the intervention's area and target group this year (before
    coverage). The most selective condition (chronic disease) goes first and each condition
    narrows the candidates, so later conditions look at few persons.
    expected_activity(idx): expected DKK of the persons idx (called only for the costliest)."""
    t = iv.target
    idx = None  # None: everybody so far

    def narrow(keep_of) -> np.ndarray:
        """The candidates (all persons if idx is None) where keep_of(positions) is True."""
        if idx is None:
            return np.flatnonzero(keep_of(slice(None)))
        return idx[keep_of(idx)]

    bits = chronic_bits(t.chronic)
    if bits:
        idx = narrow(lambda at: (pop.chronic[at] & bits) > 0)
    cells = _cell_filter(iv)
    if cells is not None:
        idx = narrow(lambda at: cells[pop.cell()[at]])
    if iv.municipalities is not None:
        in_municipality = np.zeros(max(int(pop.municipality.max()), max(iv.municipalities)) + 1, dtype=bool)
        in_municipality[list(iv.municipalities)] = True
        idx = narrow(lambda at: in_municipality[pop.municipality[at]])
    if t.min_frailty_quantile is not None:
        threshold = frailty_threshold(t.min_frailty_quantile, frailty_shape, frailty_cap)
        idx = narrow(lambda at: pop.frailty[at] >= threshold)
    if idx is None:
        idx = np.arange(pop.size)
    if t.costliest is not None:
        idx = costliest(pop, expected_activity(idx), t.costliest, idx)
    return idx


def costliest(pop: Population, activity: np.ndarray, n_real: int, idx: np.ndarray) -> np.ndarray:
    """Of the persons `idx` with expected activity `activity` (DKK, one per person of idx), the
    `n_real` per region (in real persons; n_real / weight simulated persons, at least one) with the
    highest expected activity, as sorted indices."""
    chosen = []
    n_sim = max(1, int(round(n_real / pop.weight)))
    region = pop.region[idx]
    for r in range(N_REGIONS):  # five regions
        members = np.flatnonzero(region == r)
        if members.size == 0:
            continue
        k = min(n_sim, members.size)
        chosen.append(members[np.argpartition(-activity[members], k - 1)[:k]])
    return idx[np.sort(np.concatenate(chosen))] if chosen else idx[:0]


def coverage_uniforms(streams: RandomStreams, name: str, pop: Population, idx: np.ndarray) -> np.ndarray:
    """The uniform numbers of the persons `idx` for an intervention (the same in every year): the stream of ids
    is generated once per draw and intervention and regrown only when new ids appear (a stream's
    first n numbers do not depend on how many are drawn, so the numbers are the same as drawing anew)."""
    cache = streams.__dict__.setdefault("_coverage_cache", {})
    values = cache.get(name)
    if values is None or values.size < pop.next_id:  # with headroom, so births do not regrow it every year
        size = int(pop.next_id * 1.25) + 1024
        values = streams.generator(f"coverage:{name}", 0).random(size, dtype=np.float32)
        cache[name] = values
    return values[pop.id[idx]]


def year_modifiers(drawn: list[DrawnIntervention], pop: Population, rates: np.ndarray, year: int,
                   streams: RandomStreams, frailty_shape: float, frailty_cap: float,
                   expected_activity) -> tuple[PersonModifiers | None, np.ndarray]:
    """Modifiers of the persons' expected use in `year` and the participants of each intervention by
    region [intervention, region] (simulated persons covered, unless the type counts them otherwise,
    e.g. acute slots: the expected acute admissions diverted; multiply by the weight for real persons).

    rates: the year's expected rates without interventions [measure, person]; expected_activity(idx):
    expected DKK of the persons idx (called only if a target group asks for the costliest). Each
    intervention applies the shared effects to its covered persons, then its type's own
    (Intervention.adjust_year), in the order of the scenario."""
    participants = np.zeros((len(drawn), N_REGIONS))
    active = [(i, d) for i, d in enumerate(drawn) if d.spec.coverage(year) > 0]
    if not active:
        return None, participants
    mods = PersonModifiers.neutral(pop.size)
    groups: dict[tuple, np.ndarray] = {}  # target groups of this year, shared by interventions with the same
    for i, d in active:
        iv = d.spec
        key = target_key(iv)
        if key not in groups:
            groups[key] = target_group(iv, pop, expected_activity, frailty_shape, frailty_cap)
        group = groups[key]
        idx = group[coverage_uniforms(streams, iv.name, pop, group) < iv.coverage(year)]  # the covered persons
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
        iv.adjust_year(d.effects, idx, pop, rates, mods, participants[i])
    return mods, participants


def year_modifier(drawn: list[DrawnIntervention], pop: Population, use_model, streams: RandomStreams, year: int,
                  participants: np.ndarray, costs: np.ndarray):
    """The `modify(rates, prices)` step of a year with interventions (for simulate_use): it returns
    the persons' modifiers and fills in the year's participants (persons) and costs (DKK)
    [intervention, region]. use_model: the HospitalUseModel (frailty distribution)."""
    def modify(rates: np.ndarray, prices: np.ndarray):
        mods, covered = year_modifiers(drawn, pop, rates, year, streams, use_model.frailty_shape,
                                       use_model.frailty_cap, lambda idx: activity_of_rates(rates, prices)[idx])
        participants[:] = covered * pop.weight
        for j, d in enumerate(drawn):
            running = np.isin(np.arange(N_REGIONS), d.spec.regions) & (d.spec.coverage(year) > 0)
            costs[j] = participants[j] * d.spec.cost_per_participant_dkk + running * d.spec.fixed_cost_dkk_per_year
        return mods

    return modify

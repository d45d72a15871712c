"""Hospital use per person and year: acute and planned admissions, 30-day acute readmissions,
physical outpatient stays, virtual courses, and hospital activity in DKK.

A person's expected number of events of each kind in a calendar year is
    base rate[sex, age] × region calibration scale × trend factor
    × chronic-disease multiplier × frailty^exponent / E[frailty^exponent] × last-year-of-life multiplier,
and the count is drawn by inverse CDF from the person's own uniform number (common random
numbers). Readmissions: each admission is followed by an acute readmission within 30 days with the
person's readmission probability (built the same way); readmissions are acute admissions
themselves but are not followed by further readmissions (a simplification).

Chance at the scale of the real population: each simulated person stands for 1/f real persons
(f: the sample fraction), so a total of the sample's drawn events, weighted by 1/f, would vary
1/sqrt(f) times as much as the real population's total. `cell_totals` therefore reports each event
total (admissions, readmissions, stays, virtual courses, activity) of a municipality × age group
cell as  expected + sqrt(f) × (realised − expected),  weighted by 1/f, where `expected` is the sum of
the persons' expected counts over the events and over whether each dies in the year (after the
intervention modifiers; readmissions: capped probability × expected first acute and planned
admissions; activity: expected counts × prices × price modifier).
The deviation from expectation then has the variance of the whole population's (a sum of
independent person deviations; totals of any grouping of cells are sums of cell totals, so the same
holds for regions), the same uniforms are used (common random numbers), and an intervention without
effect leaves both parts, hence the total, exactly unchanged. What the sample still adds is the
sampling error of the expectations (who is in the sample, their frailty and chronic states; see
the README, "Chance at the scale of the population"). Persons counts (citizens, decedents, chronic
persons, inpatients) are counted as drawn.

Cost ageing (DREAM's variants): 'healthy_ageing' applies the last-year-of-life multiplier to the
persons who die during the year, so lower mortality postpones the costly last year;
'constant_standards' gives everybody the base year's average multiplier of their sex and age, so
use by age stays at the base year's level however mortality changes. ('constant_mortality' is
healthy ageing with death rates fixed at their base level, set up in naerhed.inputs.)
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..constants import AGE_GROUP_BOUNDS, N_AGE_GROUPS, N_AGES
from ..crn_counts import binomial_from_uniform, poisson_from_uniform
from ..data.health_tables import PRICE_MEASURES, RATE_MEASURES, HospitalUseTables
from ..population import Population
from ..streams import RandomStreams
from .chronic import DIABETES_T1, DIABETES_T2, KOL
from .frailty import gamma_moment

ACUTE, PLANNED, OUTPATIENT, VIRTUAL, READMISSION = range(len(RATE_MEASURES))
N_MEASURES = len(RATE_MEASURES)
PRICE = N_MEASURES  # row of the price scale in a region-scale array [N_MEASURES + 1, region]

#: Totals kept per (municipality, age group) cell and year, all in weighted persons or events or DKK.
QUANTITIES = (
    "citizens",                   # persons alive on 1 January
    "decedents",                  # of whom died during the year
    "chronic_persons",            # with KOL and/or diabetes (after the year's new cases)
    "acute_admissions",           # including readmissions
    "planned_admissions",
    "readmissions",               # acute readmissions within 30 days of an admission
    "outpatient_stays",           # physical outpatient and emergency stays (not admissions)
    "virtual_courses",
    "activity_dkk",               # DRG-like value of all the above
    "chronic_activity_dkk",       # activity of the chronic persons
    "acute_inpatients",           # persons with at least one acute admission
    "repeated_acute_inpatients",  # persons with repeated acute admissions (>= the model's threshold)
    "repeated_acute_admissions",  # acute admissions of those persons
)
Q = {name: i for i, name in enumerate(QUANTITIES)}


def age_group_of_age() -> np.ndarray:
    """Age group index (see constants.AGE_GROUP_BOUNDS) of every single age."""
    groups = np.zeros(N_AGES, dtype=np.int64)
    for g, (lo, hi) in enumerate(AGE_GROUP_BOUNDS):
        groups[lo : hi + 1] = g
    return groups


def chronic_combination_multipliers(chronic_rr: np.ndarray) -> np.ndarray:
    """Multiplier [measure, chronic bit pattern 0-7] from the relative rates [measure, (kol, diabetes)]:
    the product of the rates of the person's conditions (T1 and T2 both count as diabetes)."""
    bits = np.arange(8)
    kol = (bits & KOL) > 0
    diabetes = (bits & (DIABETES_T1 | DIABETES_T2)) > 0
    return np.where(kol, chronic_rr[:, [0]], 1.0) * np.where(diabetes, chronic_rr[:, [1]], 1.0)


@dataclass
class HospitalUseModel:
    """rates [measure, sex, age] and prices [price measure, sex, age] at the base year (before the
    regional calibration scales); chronic_multiplier [measure, chronic bits]; last_year_multiplier,
    frailty_exponent [measure]; base_death_probability [sex, age] of the base year (for constant
    standards); frailty_shape: gamma shape k of the person-level frailty (variance 1/k);
    repeated_threshold: acute admissions in a year that count as repeated admissions."""

    rates: np.ndarray
    prices: np.ndarray
    chronic_multiplier: np.ndarray
    last_year_multiplier: np.ndarray
    frailty_exponent: np.ndarray
    base_death_probability: np.ndarray
    frailty_shape: float
    cost_ageing: str
    base_year: int
    repeated_threshold: int = 3
    frailty_cap: float = np.inf

    @classmethod
    def from_tables(cls, tables: HospitalUseTables, base_death_probability: np.ndarray, frailty_shape: float,
                    cost_ageing: str, base_year: int) -> "HospitalUseModel":
        return cls(
            rates=np.stack([tables.rates[m] for m in RATE_MEASURES]),
            prices=np.stack([tables.prices[m] for m in PRICE_MEASURES]),
            chronic_multiplier=chronic_combination_multipliers(tables.chronic_rr),
            last_year_multiplier=tables.last_year_multiplier,
            frailty_exponent=tables.frailty_exponent,
            base_death_probability=base_death_probability,
            frailty_shape=frailty_shape,
            cost_ageing=cost_ageing,
            base_year=base_year,
            repeated_threshold=tables.repeated_threshold,
            frailty_cap=tables.frailty_cap,
        )

    def rate_tables(self, region_scale: np.ndarray, trend: np.ndarray, year: int) -> np.ndarray:
        """Rates [measure, region, sex, age] in `year` for a person without chronic disease, with
        frailty 1, not in the last year of life (constant standards: the base year's average)."""
        factor = (1.0 + trend) ** (year - self.base_year)
        tables = self.rates[:, None] * (region_scale[:N_MEASURES] * factor[:, None])[:, :, None, None]
        if self.cost_ageing == "constant_standards":
            tables = tables * (1.0 + self.base_death_probability * (self.last_year_multiplier[:, None, None] - 1.0))[:, None]
        return tables

    def expected_rates(self, pop: Population, region_scale: np.ndarray, trend: np.ndarray, year: int,
                       dies: np.ndarray) -> np.ndarray:
        """Expected events per person [measure, person] (float32), given who dies during the year
        (`dies`, boolean per person). The readmission row is the probability before it is capped at 1
        (the cap is applied where it is used)."""
        n_states = self.chronic_multiplier.shape[1]
        key = pop.cell() * n_states + pop.chronic  # [region, sex, age, chronic bits] of each person
        tables = (self.rate_tables(region_scale, trend, year).reshape(N_MEASURES, -1, 1)
                  * self.chronic_multiplier[:, None, :]).reshape(N_MEASURES, -1).astype(np.float32)
        powers = {e: frailty_power(pop.frailty, e) / np.float32(gamma_moment(self.frailty_shape, e, self.frailty_cap))
                  for e in np.unique(self.frailty_exponent)}
        dying = np.flatnonzero(dies) if self.cost_ageing != "constant_standards" else None
        out = np.empty((N_MEASURES, pop.size), dtype=np.float32)
        for m in range(N_MEASURES):  # five measures, each vectorised over persons
            np.take(tables[m], key, out=out[m])
            out[m] *= powers[self.frailty_exponent[m]]
            if dying is not None:
                out[m, dying] *= np.float32(self.last_year_multiplier[m])
        return out

    def price_tables(self, region_scale: np.ndarray) -> np.ndarray:
        """DKK per event [price measure, region, sex, age] after the regional price scale."""
        return self.prices[:, None] * region_scale[PRICE][None, :, None, None]


def frailty_power(frailty: np.ndarray, exponent: float) -> np.ndarray:
    """frailty ** exponent (float32), with the cheap special cases 1 and 0.5 (sqrt)."""
    if exponent == 1.0:
        return frailty.astype(np.float32)
    if exponent == 0.5:
        return np.sqrt(frailty, dtype=np.float32)
    return np.power(frailty, np.float32(exponent), dtype=np.float32)


def activity_of_rates(rates: np.ndarray, prices: np.ndarray) -> np.ndarray:
    """Expected DKK of activity from expected rates [measure, ...] and prices [price measure, ...]
    (broadcastable): readmissions (probability capped at 1) are acute admissions at the acute price."""
    readmissions = np.minimum(rates[READMISSION], 1.0) * (rates[ACUTE] + rates[PLANNED])
    return ((rates[ACUTE] + readmissions) * prices[0] + rates[PLANNED] * prices[1]
            + rates[OUTPATIENT] * prices[2] + rates[VIRTUAL] * prices[3])


def person_prices(model: HospitalUseModel, pop: Population, region_scale: np.ndarray, dtype=np.float64) -> np.ndarray:
    """DKK per event of each person [price measure, person] after the regional price scale."""
    return model.price_tables(region_scale).reshape(len(PRICE_MEASURES), -1).astype(dtype)[:, pop.cell()]


def expected_activity_dkk(model: HospitalUseModel, pop: Population, death_probability: np.ndarray,
                          region_scale: np.ndarray, trend: np.ndarray, year: int) -> float:
    """Expected hospital activity (DKK, weighted) of the population in `year`, over the events and
    over who dies (each person dies with `death_probability`): free of the chance of events, so
    it isolates how the use model responds to the population (e.g. the cost-ageing variants)."""
    q = death_probability.astype(np.float64)
    prices = person_prices(model, pop, region_scale)
    total = 0.0
    for dies, weight in ((np.zeros(pop.size, bool), 1.0 - q), (np.ones(pop.size, bool), q)):
        rates = model.expected_rates(pop, region_scale, trend, year, dies).astype(np.float64)
        total += float((weight * activity_of_rates(rates, prices)).sum())
    return total * pop.weight


#: The event totals of QUANTITIES that are reported at the scale of the real population (see the
#: module docstring), each with the row of `PersonUse.expected` that holds its expectation.
EXPECTED_ROW = {"acute_admissions": 0, "planned_admissions": 1, "readmissions": 2, "outpatient_stays": 3,
                "virtual_courses": 4, "activity_dkk": 5, "chronic_activity_dkk": 5}


@dataclass
class PersonUse:
    """Counts per person in one year (int16): acute (incl. readmissions), planned, readmissions,
    outpatient, virtual; activity in DKK (float32); expected [row, person] (float32): each person's
    expected acute (incl. readmissions), planned, readmissions, outpatient, virtual (events) and
    activity (DKK), the rows of EXPECTED_ROW."""

    acute: np.ndarray
    planned: np.ndarray
    readmissions: np.ndarray
    outpatient: np.ndarray
    virtual: np.ndarray
    activity_dkk: np.ndarray
    expected: np.ndarray | None = None


def apply_modifiers(rates: np.ndarray, mods) -> np.ndarray:
    """Apply intervention modifiers (naerhed.interventions.mechanism.PersonModifiers) to expected rates
    [measure, person] in place; returns the expected extra *registered* virtual courses per person
    (a registration effect: counted as virtual courses, no care and no activity)."""
    rates *= mods.rate
    moved = rates[OUTPATIENT] * mods.outpatient_to_virtual
    rates[OUTPATIENT] -= moved
    rates[VIRTUAL] += moved
    diverted = rates[ACUTE] * mods.acute_to_outpatient  # handled the same day: an outpatient stay instead
    rates[ACUTE] -= diverted
    rates[OUTPATIENT] += diverted
    return rates[OUTPATIENT] * mods.registered_virtual


def expected_counts(rates: np.ndarray, prices: np.ndarray, mods=None, readmissions: np.ndarray | None = None) -> np.ndarray:
    """Expected counts [EXPECTED_ROW row, person] (float32) from expected rates [measure, person]
    after the intervention modifiers and the persons' prices [price measure, person]: acute admissions
    (readmissions included), planned, readmissions (probability capped at 1 × expected first acute
    and planned admissions, unless given as `readmissions`), outpatient, virtual (events) and activity
    (DKK, × the price modifier)."""
    out = np.empty((6, rates.shape[1]), dtype=np.float32)
    if readmissions is None:
        np.minimum(rates[READMISSION], np.float32(1.0), out=out[2])
        out[2] *= rates[ACUTE] + rates[PLANNED]
    else:
        out[2] = readmissions
    np.add(rates[ACUTE], out[2], out=out[0])
    out[1], out[3], out[4] = rates[PLANNED], rates[OUTPATIENT], rates[VIRTUAL]
    np.multiply(out[0], prices[0], out=out[5])
    for row, price in ((1, 1), (3, 2), (4, 3)):
        out[5] += out[row] * prices[price]
    if mods is not None:
        out[5] *= mods.price
    return out


def expected_over_dying(alive: np.ndarray, death_probability: np.ndarray, last_year: np.ndarray, prices: np.ndarray,
                        mods=None) -> np.ndarray:
    """Expected counts [EXPECTED_ROW row, person] over the events and over whether each person dies
    in the year: (1 - q) × the counts if surviving + q × the counts if dying (rates × the last year of
    life's multipliers `last_year` [measure, 1]), the modifiers `mods` as drawn. `alive`: the rates
    [measure, person] if surviving, before the modifiers (overwritten). The modifiers are linear in
    the rates, so the rows linear in them take the probability-weighted rates; the readmissions (capped
    probability × admissions) are weighted after the cap. The modifiers scale the acute, planned
    and readmission rates alone (they move acute admissions out, never in), so those rates if dying
    are the surviving ones × the multipliers."""
    q = death_probability.astype(np.float32)
    weighted = alive * (np.float32(1.0) + q * (last_year - np.float32(1.0)))
    registered = None
    if mods is not None:
        registered = apply_modifiers(weighted, mods)
        apply_modifiers(alive, mods)
    acute, planned, readmission = alive[ACUTE], alive[PLANNED], alive[READMISSION]
    lyl = last_year[:, 0]
    if_surviving = np.minimum(readmission, np.float32(1.0)) * (acute + planned)
    if_dying = (np.minimum(readmission * lyl[READMISSION], np.float32(1.0))
                * (acute * lyl[ACUTE] + planned * lyl[PLANNED]))
    out = expected_counts(weighted, prices, mods, readmissions=if_surviving + q * (if_dying - if_surviving))
    if mods is not None:
        out[4] += registered
    return out


def simulate_use(model: HospitalUseModel, pop: Population, dies: np.ndarray, region_scale: np.ndarray,
                 trend: np.ndarray, streams: RandomStreams, year: int, modify=None,
                 death_probability: np.ndarray | None = None) -> PersonUse:
    """Draw every person's hospital use in `year` (persons alive on 1 January; `dies`: dies this year).
    `modify(rates, prices)`, if given, returns intervention modifiers (or None) for the expected
    rates [measure, person], given the persons' prices [price measure, person] (DKK per event).
    The expected counts (PersonUse.expected) are over the events given who dies or, when each
    person's `death_probability` this year is given, also over whether the person dies (the last
    year of life's multipliers weighted by it), the modifiers held as drawn."""
    alive = model.expected_rates(pop, region_scale, trend, year, dies=np.zeros(pop.size, bool))
    rates = alive.copy()
    dying = np.flatnonzero(dies) if model.cost_ageing != "constant_standards" else np.empty(0, np.int64)
    last_year = np.asarray(model.last_year_multiplier, dtype=np.float32)[:, None]
    rates[:, dying] *= last_year
    prices = person_prices(model, pop, region_scale, np.float32)
    mods = modify(rates, prices) if modify is not None else None
    registered_rate = apply_modifiers(rates, mods) if mods is not None else None
    draw = lambda name: streams.uniform_by_id("use:" + name, year, pop.id, pop.next_id)  # noqa: E731
    first_acute = poisson_from_uniform(rates[ACUTE], draw("acute"))
    planned = poisson_from_uniform(rates[PLANNED], draw("planned"))
    outpatient = poisson_from_uniform(rates[OUTPATIENT], draw("outpatient"))
    virtual = poisson_from_uniform(rates[VIRTUAL], draw("virtual"))
    readmissions = binomial_from_uniform(first_acute + planned, rates[READMISSION], draw("readmission"))
    acute = first_acute + readmissions
    activity = acute * prices[0] + planned * prices[1] + outpatient * prices[2] + virtual * prices[3]
    if death_probability is None or model.cost_ageing == "constant_standards":
        expected = expected_counts(rates, prices, mods)
        if mods is not None:
            expected[4] += registered_rate
    else:
        expected = expected_over_dying(alive, death_probability, last_year, prices, mods)
    if mods is not None:
        activity *= mods.price
        registering = np.flatnonzero(registered_rate)  # the persons an intervention registers for (few)
        u = draw("registered_virtual")
        virtual[registering] += poisson_from_uniform(registered_rate[registering], u[registering])
    return PersonUse(acute=acute, planned=planned, readmissions=readmissions, outpatient=outpatient,
                     virtual=virtual, activity_dkk=activity, expected=expected)


def cell_totals(pop: Population, dies: np.ndarray, chronic: np.ndarray, use: PersonUse,
                n_municipalities: int, repeated_threshold: int, chance: bool = True) -> np.ndarray:
    """Totals [quantity, municipality × age group] of one year, in weighted persons, events or DKK.
    The event totals of EXPECTED_ROW are at the scale of the real population when `use.expected` is
    given: expected + sqrt(f) × (realised − expected) (see the module docstring); without `chance`,
    their expectation (the sample's expected totals).
    Sums over few persons (decedents, inpatients, chronic patients) run over their indices only."""
    key = pop.municipality.astype(np.int64) * N_AGE_GROUPS + age_group_of_age()[pop.age]
    n_cells = n_municipalities * N_AGE_GROUPS
    totals = np.zeros((len(QUANTITIES), n_cells))
    shrink = np.sqrt(1.0 / pop.weight) if chance else 0.0  # sqrt(f): the chance deviation at the population's scale
    scaled = use.expected is not None and shrink != 1.0

    def persons(name, idx=None):
        totals[Q[name]] = np.bincount(key if idx is None else key[idx], minlength=n_cells)

    def events(name, values, idx=None):
        keys = key if idx is None else key[idx]  # everybody: cheaper than finding the persons with events
        totals[Q[name]] = np.bincount(keys, weights=values if idx is None else values[idx], minlength=n_cells)
        if scaled and name in EXPECTED_ROW:
            expected = use.expected[EXPECTED_ROW[name]]
            expected = np.bincount(keys, weights=expected if idx is None else expected[idx], minlength=n_cells)
            totals[Q[name]] = expected + shrink * (totals[Q[name]] - expected)

    persons("citizens")
    persons("decedents", np.flatnonzero(dies))
    with_chronic = np.flatnonzero(chronic)
    persons("chronic_persons", with_chronic)
    inpatient = np.flatnonzero(use.acute)
    events("acute_admissions", use.acute)
    events("planned_admissions", use.planned)
    events("readmissions", use.readmissions)
    events("outpatient_stays", use.outpatient)
    events("virtual_courses", use.virtual)
    events("activity_dkk", use.activity_dkk)
    events("chronic_activity_dkk", use.activity_dkk, with_chronic)
    persons("acute_inpatients", inpatient)
    repeated = inpatient[use.acute[inpatient] >= repeated_threshold]
    persons("repeated_acute_inpatients", repeated)
    events("repeated_acute_admissions", use.acute, repeated)
    return totals * pop.weight

"""Interventions: zero coverage equals the baseline exactly, coverage hits the target group only,
each intervention moves the criteria it should in the right direction, and bad blocks are rejected."""

import numpy as np
import pytest

from naerhed.engine import simulate_draw
from naerhed.run_spec import RunSpec
from naerhed.errors import DataError, ScenarioError
from naerhed.health.chronic import KOL
from naerhed.inputs import load_inputs
from naerhed.interventions.mechanism import draw_interventions, year_modifiers
from naerhed.population import synthesize
from naerhed.scenario import load_scenario
from naerhed.streams import RandomStreams

from ..conftest import make_scenario

Q_STAYS, Q_ACTIVITY, Q_READMISSION, Q_VIRTUAL = range(4)


def criteria_2021(inputs, seed=4):
    """National criteria 1-4 in 2021 (one central draw, sample fraction 0.02)."""
    from naerhed.health.hospital_use import Q

    spec = RunSpec(inputs=inputs, end_year=2022, sample_fraction=0.02, seed=seed, central=True)
    t = simulate_draw(spec, 0).hospital[2].sum(axis=1)
    admissions = t[Q["acute_admissions"]] + t[Q["planned_admissions"]]
    stays = admissions + t[Q["outpatient_stays"]]
    return np.array([stays / t[Q["citizens"]], t[Q["chronic_activity_dkk"]] / t[Q["chronic_persons"]],
                     t[Q["readmissions"]] / admissions, t[Q["virtual_courses"]] / (t[Q["virtual_courses"]] + stays)])


@pytest.fixture(scope="module")
def baseline_2021():
    return criteria_2021(load_inputs(make_scenario(end_year=2022)))


def with_intervention(**block):
    settings = {"name": "iv", "start_year": 2020, "ramp_years": 0, "max_coverage": 1.0, **block}
    return criteria_2021(load_inputs(make_scenario(end_year=2022, interventions=[settings])))


def test_zero_coverage_equals_baseline_exactly(baseline_2021):
    for kind in ("need_based_controls", "frequent_flyer", "telemedicine_registration"):
        np.testing.assert_array_equal(with_intervention(type=kind, max_coverage=0.0), baseline_2021)
    np.testing.assert_array_equal(with_intervention(type="acute_slots", slots_per_day=0), baseline_2021)


# expected sign of the change of each criterion (1 stays, 2 activity per chronic, 3 readmission, 4 virtual);
# 0 means exactly unchanged; None means not asserted
EXPECTED = {
    "telemedicine_registration": ({}, (0, 0, 0, +1)),
    "virtual_follow_up": ({}, (-1, -1, 0, +1)),
    "need_based_controls": ({}, (-1, -1, 0, +1)),
    "frequent_flyer": ({}, (-1, -1, -1, None)),
    "municipal_acute_team": ({}, (-1, None, None, None)),
    "gp_transfer": ({}, (-1, -1, None, +1)),
    "same_day_same_roof": ({}, (-1, -1, 0, +1)),
    "telemedicine_wound_care": ({}, (-1, -1, 0, +1)),
    "acute_slots": ({"slots_per_day": 20}, (None, -1, None, None)),
}


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_each_intervention_moves_its_criteria_and_leaves_the_others(kind, baseline_2021):
    extra, signs = EXPECTED[kind]
    effects = {"telemedicine_wound_care": {"outpatient_stays": -0.3, "outpatient_to_virtual": 0.2},
               "gp_transfer": {"outpatient_stays": -0.3, "planned_admissions": -0.1},
               "same_day_same_roof": {"outpatient_stays": -0.2},
               "municipal_acute_team": {"acute_admissions": -0.2}}.get(kind, {})
    changed = with_intervention(type=kind, effects=effects, **extra) - baseline_2021
    for criterion, sign in enumerate(signs):
        if sign is None:
            continue
        if sign == 0:
            assert changed[criterion] == 0.0, (kind, criterion, changed)
        else:
            assert np.sign(changed[criterion]) == sign, (kind, criterion, changed)


def test_coverage_hits_the_target_group_only():
    inputs = load_inputs(make_scenario(interventions=[{
        "name": "kol65", "type": "need_based_controls", "start_year": 2019, "ramp_years": 0, "max_coverage": 0.5,
        "regions": [1082], "target": {"age": [65, 110], "chronic": ["kol"]}}]))
    demo, health = inputs.demography, inputs.health
    streams = RandomStreams(2, 0)
    pop = synthesize(inputs.base_counts, 0.05, 2019, streams, demo.municipality_region, demo.municipality_population)
    health.initialise(pop, 0, streams, 2019, "frailty:base")
    drawn = draw_interventions(inputs.interventions, 2, 0, central=True)
    rates = np.ones((5, pop.size), np.float32)
    mods, participants = year_modifiers(drawn, pop, rates, 2019, streams, health.use.frailty_shape,
                                        health.use.frailty_cap, None)
    touched = mods.rate[2] != 1.0
    target = (pop.region == 1) & (pop.age >= 65) & ((pop.chronic & KOL) > 0)
    assert np.all(target[touched])
    n = target.sum()
    assert abs(touched.sum() - 0.5 * n) < 4 * np.sqrt(0.25 * n)
    assert participants[0].sum() == touched.sum() and participants[0, 1] == touched.sum()


def test_same_persons_are_covered_in_every_scenario_and_year():
    """Coverage uses one uniform per person and intervention name: a higher coverage share covers a
    superset, and the covered persons do not depend on other interventions."""
    def covered(coverage, extra=()):
        blocks = [{"name": "pro", "type": "need_based_controls", "start_year": 2019, "ramp_years": 0,
                   "max_coverage": coverage}] + list(extra)
        inputs = load_inputs(make_scenario(interventions=blocks))
        streams = RandomStreams(2, 0)
        demo, health = inputs.demography, inputs.health
        pop = synthesize(inputs.base_counts, 0.02, 2019, streams, demo.municipality_region, demo.municipality_population)
        health.initialise(pop, 0, streams, 2019, "frailty:base")
        drawn = draw_interventions(inputs.interventions, 2, 0, central=True)
        mods, _ = year_modifiers(drawn, pop, np.ones((5, pop.size), np.float32), 2019, streams,
                                 health.use.frailty_shape, health.use.frailty_cap, lambda idx: np.ones(idx.size))
        return mods.rate[2] != 1.0
    low, high = covered(0.2), covered(0.6)
    assert np.all(high[low]) and high.sum() > low.sum()
    other = [{"name": "vip", "type": "frequent_flyer", "start_year": 2030}]
    np.testing.assert_array_equal(covered(0.2, other), low)


def test_invalid_blocks_get_clear_errors(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text(
        "name: bad\n"
        "interventions:\n"
        "  - name: a\n"
        "    type: acute_slots\n"
        "    start_year: 2025\n"
        "  - name: a\n"
        "    type: frequent_flier\n"
        "    start_year: 2025\n"
        "    effects: {acute_admission: -0.2}\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    text = str(info.value)
    assert "interventions[0].slots_per_day" in text and "needs slots_per_day" in text
    assert "interventions[1].type" in text and "frequent_flyer" in text
    assert "did you mean 'acute_admissions'" in text
    munis = make_scenario(interventions=[{"name": "x", "type": "virtual_follow_up", "start_year": 2025,
                                          "regions": [1081], "municipalities": ["Aalborg", "Odense"]}])
    with pytest.raises(DataError, match="unknown municipality 'Odense'.*allowed: .*Aalborg"):
        load_inputs(munis)

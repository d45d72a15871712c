"""Intervention types are plug-ins: one module per type in naerhed/interventions/types/, registered
from the modules, each with its catalogue entry and scenario file; nothing outside the package names
a type; and a tenth type (one class registered here, one catalogue entry) loads from a scenario
file, is checked like the others and changes the rates through the engine."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal, Optional

import numpy as np
import pytest
import yaml

import naerhed
from naerhed.engine import simulate_draw
from naerhed.errors import ScenarioError
from naerhed.health.hospital_use import PLANNED, Q
from naerhed.inputs import load_inputs
from naerhed.interventions import catalogue
from naerhed.interventions.base import (Effects, InterventionSettings, effect, effects_field, register, type_field,
                                        unregister)
from naerhed.interventions.types import registered
from naerhed.run_spec import RunSpec
from naerhed.runner import run_scenario
from naerhed.scenario import load_scenario, refresh_intervention_types, scenario_json_schema
from naerhed.sections import Uncertain
from naerhed.yaml_models import field

PACKAGE = Path(naerhed.__file__).parent
TYPE_MODULES = PACKAGE / "interventions" / "types"


def test_every_type_is_a_module_with_a_catalogue_entry():
    modules = sorted(p.stem for p in TYPE_MODULES.glob("*.py") if p.stem != "__init__")
    assert sorted(registered()) == modules
    assert list(catalogue.load_catalogue()) == [k for k in yaml.safe_load(catalogue.CATALOGUE_FILE.read_text())]
    assert set(catalogue.load_catalogue()) == set(modules)
    for name, kind in registered().items():
        assert kind.__module__ == f"naerhed.interventions.types.{name}"
        assert kind.type_name() == name


def test_no_module_outside_the_interventions_package_names_a_type():
    names = re.compile(r"\b(" + "|".join(registered()) + r")\b")
    for path in PACKAGE.rglob("*.py"):
        if "interventions" not in path.relative_to(PACKAGE).parts:
            assert not names.search(path.read_text(encoding="utf-8")), path


def test_effects_and_settings_of_another_type_name_the_allowed_ones(tmp_path):
    path = tmp_path / "wrong.yaml"
    path.write_text("name: wrong\ninterventions:\n"
                    "  - {name: v, type: virtual_follow_up, start_year: 2025, effects: {acute_diversion_share: 0.2}}\n"
                    "  - {name: w, type: need_based_controls, start_year: 2025, slots_per_day: 3}\n", encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    text = str(info.value)
    assert ("wrong.yaml:3: interventions[0].effects.acute_diversion_share: acute_diversion_share is only for "
            "acute_slots interventions. Allowed keys: activity_price, acute_admissions,") in text
    assert "wrong.yaml:4: interventions[1].slots_per_day: slots_per_day is only for acute_slots interventions" in text


def test_json_schema_describes_each_type():
    schema = scenario_json_schema()
    items = schema["properties"]["interventions"]["items"]["oneOf"]
    assert len(items) == len(registered())
    for ref, name in zip(items, registered()):
        definition = schema["$defs"][ref["$ref"].split("/")[-1]]
        assert definition["properties"]["type"]["const"] == name
        assert definition["description"]
    acute = schema["$defs"]["AcuteSlots"]
    assert "slots_per_day" in acute["properties"]
    assert "acute_diversion_share" in schema["$defs"]["AcuteSlotsEffects"]["properties"]
    assert "slots_per_day" not in schema["$defs"]["VirtualFollowUp"]["properties"]


# --------------------------------------------------------------------------------------------
# A tenth type, defined here as a type module would define it


class HospitalAtHomeEffects(Effects):
    """The shared effects, and the share of planned admissions treated at home."""

    admissions_at_home: Optional[Uncertain] = effect("Share of planned admissions treated at home instead.",
                                                     "share (0-1)")


class HospitalAtHome(InterventionSettings):
    """Hospital at home: a share of the covered persons' planned admissions become home treatment."""

    type: Literal["hospital_at_home"] = type_field()
    effects: HospitalAtHomeEffects = effects_field(HospitalAtHomeEffects)
    teams_per_region: int = field(1, ge=1, le=100, description="Home hospital teams per region.", unit="teams")

    def adjust_year(self, intervention, effects, covered, pop, rates, mods, participants) -> None:
        share = float(np.clip(effects.get("admissions_at_home", 0.0), 0.0, 1.0))
        mods.rate[PLANNED, covered] *= np.float32(1.0 - share)

    def write_outputs(self, intervention, dataset, folder: Path) -> None:
        (Path(folder) / f"hospital_at_home_{intervention.name}.txt").write_text(
            f"{self.teams_per_region} teams\n", encoding="utf-8")


CATALOGUE_ENTRY = {
    "label": "Hospital at home",
    "changes": "planned admissions become home treatment",
    "target": {"age": [65, 110]},
    "max_coverage": 0.5,
    "effects": {"admissions_at_home": {"distribution": "uniform", "low": 0.2, "high": 0.4}},
    "cost_per_participant_dkk": 1000,
    "provenance": {key: {"status": "assumption", "source": "NOT FOUND", "note": "test"}
                   for key in ("effects", "max_coverage", "cost_per_participant_dkk")},
}


@pytest.fixture
def tenth_type(tmp_path, monkeypatch):
    """HospitalAtHome registered, with its catalogue entry, for one test; removed afterwards."""
    entries = yaml.safe_load(catalogue.CATALOGUE_FILE.read_text(encoding="utf-8"))
    path = tmp_path / "intervention_catalogue.yaml"
    path.write_text(yaml.safe_dump({**entries, "hospital_at_home": CATALOGUE_ENTRY}, sort_keys=False),
                    encoding="utf-8")
    monkeypatch.setattr(catalogue, "CATALOGUE_FILE", path)
    register(HospitalAtHome)
    refresh_intervention_types()
    yield HospitalAtHome
    unregister("hospital_at_home")
    refresh_intervention_types()


def scenario_file(folder: Path, **block) -> Path:
    block = {"name": "home", "type": "hospital_at_home", "start_year": 2020, "ramp_years": 0, "regions": [1082],
             **block}
    path = folder / f"home_{len(list(folder.glob('home_*.yaml')))}.yaml"
    path.write_text(yaml.safe_dump({"name": "home", "end_year": 2022, "interventions": [block]}), encoding="utf-8")
    return path


def planned_admissions_2021(scenario) -> float:
    draw = simulate_draw(RunSpec(inputs=load_inputs(scenario), end_year=2022, sample_fraction=0.02, seed=4, central=True), 0)
    return float(draw.hospital[2, Q["planned_admissions"]].sum())


def test_a_tenth_type_loads_and_changes_the_rates(tenth_type, tmp_path):
    scenario = load_scenario(scenario_file(tmp_path, teams_per_region=3))
    (block,) = scenario.interventions
    assert isinstance(block, tenth_type) and block.teams_per_region == 3
    (resolved,) = load_inputs(scenario).interventions
    assert resolved.effects["admissions_at_home"].distribution == "uniform"  # the catalogue's default
    assert resolved.max_coverage == 0.5

    baseline = planned_admissions_2021(load_scenario(scenario_file(tmp_path, max_coverage=0.0)))
    assert planned_admissions_2021(scenario) < baseline
    stronger = load_scenario(scenario_file(tmp_path, effects={"admissions_at_home": 0.9}))
    assert planned_admissions_2021(stronger) < planned_admissions_2021(scenario)

    schema = scenario_json_schema()
    assert "teams_per_region" in schema["$defs"]["HospitalAtHome"]["properties"]


def test_a_tenth_type_is_checked_like_the_others(tenth_type, tmp_path):
    with pytest.raises(ScenarioError) as info:
        load_scenario(scenario_file(tmp_path, teams_per_regoin=2, effects={"admissions_at_hom": 0.1}))
    text = str(info.value)
    assert "interventions[0].teams_per_regoin: unknown key; did you mean 'teams_per_region'?" in text
    assert "interventions[0].effects.admissions_at_hom: unknown key; did you mean 'admissions_at_home'?" in text
    with pytest.raises(ScenarioError, match=r"teams_per_region is only for hospital_at_home interventions"):
        load_scenario(scenario_file(tmp_path, type="gp_transfer", teams_per_region=2))


def test_a_tenth_type_writes_its_own_outputs(tenth_type, tmp_path):
    scenario = load_scenario(scenario_file(tmp_path, teams_per_region=2), overrides=[
        "population.sample_fraction=0.003", "end_year=2021", "intervention_contributions=false"])
    folder = run_scenario(scenario, out_root=tmp_path / "out", progress=False)
    assert (folder / "figures" / "hospital_at_home_home.txt").read_text(encoding="utf-8") == "2 teams\n"


def test_the_tenth_type_is_gone_after_the_test(tmp_path):
    assert "hospital_at_home" not in registered()
    with pytest.raises(ScenarioError, match=r"interventions\[0\]\.type: must be one of: acute_slots"):
        load_scenario(scenario_file(tmp_path))

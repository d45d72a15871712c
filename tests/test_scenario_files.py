"""The scenario files shipped in scenarios/: every one validates, each intervention file holds one
intervention of its type, and the combined plan runs and covers persons."""

from pathlib import Path

import pytest
import xarray as xr

from naerhed.interventions.types import registered
from naerhed.runner import run_scenario
from naerhed.scenario import load_scenario

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
FILES = sorted(SCENARIOS.glob("*.yaml"))
INTERVENTION_TYPES = tuple(registered())


def test_there_is_a_file_per_intervention_type():
    names = {f.stem for f in FILES}
    assert set(INTERVENTION_TYPES) <= names, sorted(set(INTERVENTION_TYPES) - names)
    assert {"baseline", "combined"} <= names


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_scenario_file_validates(path):
    scenario = load_scenario(path)
    assert scenario.name == path.stem


@pytest.mark.parametrize("kind", INTERVENTION_TYPES)
def test_intervention_file_has_one_intervention_of_its_type(kind):
    scenario = load_scenario(SCENARIOS / f"{kind}.yaml")
    assert [iv.type for iv in scenario.interventions] == [kind]
    assert scenario.description.strip() and scenario.interventions[0].description.strip()


def test_combined_has_several_uniquely_named_interventions():
    scenario = load_scenario(SCENARIOS / "combined.yaml")
    names = [iv.name for iv in scenario.interventions]
    assert len(names) >= 4
    assert len(set(names)) == len(names)


def test_combined_runs_and_covers_persons(tmp_path):
    scenario = load_scenario(SCENARIOS / "combined.yaml", overrides=[
        "population.sample_fraction=0.003", "draws=2", "end_year=2027", "intervention_contributions=false"])
    folder = run_scenario(scenario, out_root=tmp_path, progress=False)
    with xr.open_dataset(folder / "results.nc", engine="h5netcdf") as ds:
        participants = ds["intervention_participants"].load()
    assert participants.sizes["intervention"] == len(scenario.interventions)
    assert float(participants.sum()) > 0
    by_intervention = participants.sum(("draw", "period", "region"))
    assert (by_intervention > 0).all(), by_intervention.to_series().to_dict()
    # nobody is covered before the first start year, nor outside the plan's regions
    first = min(iv.start_year for iv in scenario.interventions)
    assert float(participants.sel(period=slice(None, first - 1)).sum()) == 0
    regions = sorted({r for iv in scenario.interventions for r in iv.regions})
    assert float(participants.drop_sel(region=regions).sum()) == 0

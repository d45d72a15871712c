"""The run specification and the pipeline: a scenario becomes one frozen RunSpec, and run_dataset turns
it into the run's Dataset with payout and risk."""

import dataclasses

import pytest

from naerhed.executors import SerialExecutor
from naerhed.inputs import load_inputs
from naerhed.pipeline import run_dataset
from naerhed.run_spec import RunSpec

from .conftest import make_scenario


@pytest.fixture(scope="module")
def scenario():
    rules = {"rule_sets": ["nf2019", "nf2020", "nf2021", "nf2022plus"], "settlement": "as_applied"}
    return make_scenario(population={"sample_fraction": 0.002}, end_year=2021, draws=2, seed=7, uncertainty="central",
                         financing=rules,
                         interventions=[{"name": "pro", "type": "need_based_controls", "start_year": 2020},
                                        {"name": "vip", "type": "frequent_flyer", "start_year": 2020}])


@pytest.fixture(scope="module")
def spec(scenario):
    return RunSpec.from_scenario(scenario, load_inputs(scenario))


def test_a_spec_holds_what_the_scenario_says(scenario, spec):
    assert (spec.end_year, spec.sample_fraction, spec.seed, spec.draws) == (2021, 0.002, 7, 2)
    assert spec.central and spec.settlement == "as_applied"
    assert [r.name for r in spec.rule_sets] == ["nf2019", "nf2020", "nf2021", "nf2022plus"]
    assert spec.n_years == 2021 - spec.inputs.base_year
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.draws = 3


def test_without_leaves_out_one_intervention_only(spec):
    reduced = spec.without("pro")
    assert [iv.name for iv in reduced.inputs.interventions] == ["vip"]
    assert [iv.name for iv in spec.inputs.interventions] == ["pro", "vip"]
    assert (reduced.seed, reduced.draws, reduced.rule_sets) == (spec.seed, spec.draws, spec.rule_sets)


def test_run_dataset_gives_draws_payout_and_progress_of_every_year(spec):
    ticks = []
    ds = run_dataset(spec, SerialExecutor(), ticks.append)
    assert sum(ticks) == (spec.draws + spec.samples) * spec.n_years  # the draws and the samples of the sampling error
    assert spec.samples == spec.sample_replicates + 1 > 1
    assert ds.sizes["draw"] == 2 and ds["year"].values.tolist() == [2019, 2020, 2021]
    assert ds["assessed_year"].values.tolist() == [2020] and "payout_dkk" in ds and "risk_p_full_payout" in ds
    assert ds["intervention"].values.tolist() == ["pro", "vip"]

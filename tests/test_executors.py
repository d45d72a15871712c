"""Executors: one protocol (`map(fn, items, on_done)`, results in item order); serial, local processes
and a dask LocalCluster give bit-identical draws, and a draw whose worker dies is retried."""

import os
from dataclasses import replace
from functools import partial

import numpy as np
import pytest

from naerhed.engine import simulate_draw
from naerhed.executors import DaskExecutor, ProcessExecutor, SerialExecutor
from naerhed.inputs import load_inputs
from naerhed.pipeline import run_draws
from naerhed.run_spec import RunSpec

from .conftest import make_scenario


@pytest.fixture(scope="module")
def spec():
    inputs = load_inputs(make_scenario(end_year=2024, interventions=[
        {"name": "pro", "type": "need_based_controls", "start_year": 2021},
        {"name": "vip", "type": "frequent_flyer", "start_year": 2022}]))
    return RunSpec(inputs=inputs, end_year=2024, sample_fraction=0.005, seed=17, draws=4)


@pytest.fixture(scope="module")
def dask():
    executor = DaskExecutor(workers=2)
    yield executor
    executor.close()


def identical(a, b) -> bool:
    return all(np.array_equal(x.population, y.population) and np.array_equal(x.hospital, y.hospital)
               and np.array_equal(x.participants, y.participants) and np.array_equal(x.trend, y.trend)
               for x, y in zip(a, b, strict=True))


def square(x: int) -> int:
    return x * x


def test_every_executor_maps_in_item_order_and_reports_each_item(dask):
    for executor in (SerialExecutor(), ProcessExecutor(2), dask):
        done = []
        assert executor.map(square, [3, 1, 4, 1, 5], done.append) == [9, 1, 16, 1, 25], executor.name
        assert sorted(done) == [0, 1, 2, 3, 4], executor.name


def test_serial_processes_and_dask_are_bit_identical(spec, dask):
    serial = run_draws(spec, SerialExecutor())
    processes = run_draws(spec, ProcessExecutor(2))
    on_cluster = run_draws(spec, dask)
    assert identical(serial, processes)
    assert identical(serial, on_cluster)
    # and a draw does not depend on how many draws run
    assert identical(serial[:2], run_draws(replace(spec, draws=2)))


def test_progress_counts_every_simulated_year_on_every_executor(spec):
    short = replace(spec, draws=2)
    for executor, calls in ((SerialExecutor(), [1] * 2 * short.n_years), (ProcessExecutor(2), [short.n_years] * 2)):
        ticks = []
        run_draws(short, executor, ticks.append)
        assert ticks == calls, executor.name


def _dies_once(marker, spec, draw):
    """Kill the worker process the first time draw 1 runs (the marker file records that it did)."""
    if draw == 1 and not os.path.exists(marker):
        open(marker, "w").close()
        os._exit(1)
    return simulate_draw(spec, draw)


def test_a_draw_whose_worker_dies_is_retried(spec, tmp_path):
    marker = str(tmp_path / "died")
    short = replace(spec, draws=3)
    results = ProcessExecutor(2).map(partial(_dies_once, marker, short), [0, 1, 2])
    assert os.path.exists(marker)  # the worker did die once
    assert identical(results, run_draws(short))


def test_workers_must_be_positive():
    with pytest.raises(ValueError, match="at least 1"):
        ProcessExecutor(0)


def test_cli_workers_give_the_same_numbers_as_serial(tmp_path):
    import xarray as xr

    from naerhed.cli import main

    scenario = tmp_path / "s.yaml"
    scenario.write_text("name: s\npopulation: {sample_fraction: 0.003}\nend_year: 2022\ndraws: 3\n", encoding="utf-8")
    assert main(["run", str(scenario), "--out", str(tmp_path / "serial"), "--quiet"]) == 0
    assert main(["run", str(scenario), "--out", str(tmp_path / "parallel"), "--quiet", "--workers", "2"]) == 0
    (serial,) = (tmp_path / "serial" / "s").iterdir()
    (parallel,) = (tmp_path / "parallel" / "s").iterdir()
    with xr.open_dataset(serial / "results.nc") as a, xr.open_dataset(parallel / "results.nc") as b:
        for name in ("population", "criteria", "repayment_dkk"):
            np.testing.assert_array_equal(a[name].values, b[name].values)

"""Executors: serial, local processes and a dask LocalCluster give bit-identical draws, and a draw
whose worker dies is retried."""

import os
from functools import partial

import numpy as np
import pytest

from naerhed.engine import run_draws
from naerhed.executors import DaskExecutor, ProcessExecutor, SerialExecutor, _one_draw
from naerhed.inputs import load_inputs

from .conftest import make_scenario


@pytest.fixture(scope="module")
def small_inputs():
    return load_inputs(make_scenario(end_year=2024, interventions=[
        {"name": "pro", "type": "need_based_controls", "start_year": 2021},
        {"name": "vip", "type": "frequent_flyer", "start_year": 2022}]))


def identical(a, b) -> bool:
    return all(np.array_equal(x.population, y.population) and np.array_equal(x.hospital, y.hospital)
               and np.array_equal(x.participants, y.participants) and np.array_equal(x.trend, y.trend)
               for x, y in zip(a, b, strict=True))


def test_serial_processes_and_dask_are_bit_identical(small_inputs):
    args = (small_inputs, 2024, 0.005, 17, 4)
    serial = run_draws(*args, executor=SerialExecutor())
    processes = run_draws(*args, executor=ProcessExecutor(2))
    dask = DaskExecutor(workers=2)
    try:
        on_cluster = run_draws(*args, executor=dask)
    finally:
        dask.close()
    assert identical(serial, processes)
    assert identical(serial, on_cluster)
    # and a draw does not depend on how many draws run
    assert identical(serial[:2], run_draws(small_inputs, 2024, 0.005, 17, 2))


def _dies_once(draw, marker, **kwargs):
    """Kill the worker process the first time draw 1 runs (the marker file records that it did)."""
    if draw == 1 and not os.path.exists(marker):
        open(marker, "w").close()
        os._exit(1)
    return _one_draw(draw, **kwargs)


class FlakyExecutor(ProcessExecutor):
    def __init__(self, workers, marker):
        super().__init__(workers)
        self.marker = marker

    def task(self, inputs, end_year, sample_fraction, seed, central):
        return partial(_dies_once, marker=self.marker, inputs=inputs, end_year=end_year,
                       sample_fraction=sample_fraction, seed=seed, central=central)


def test_a_draw_whose_worker_dies_is_retried(small_inputs, tmp_path):
    marker = str(tmp_path / "died")
    results = run_draws(small_inputs, 2024, 0.005, 17, 3, executor=FlakyExecutor(2, marker))
    assert os.path.exists(marker)  # the worker did die once
    assert identical(results, run_draws(small_inputs, 2024, 0.005, 17, 3))


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

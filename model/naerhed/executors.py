"""Where the draws and sweep points run: in this process (default), in local worker processes, or on a
dask.distributed cluster (a LocalCluster started for the run, or an existing scheduler, e.g. one a
region's IT runs). One interface: `map(fn, items, on_done)` runs fn on every item and returns the
results in item order; `run(...)` runs the draws of a scenario with it.

Every draw is a pure function of (inputs, seed, draw number): it has its own random streams, so the
numbers are identical to the last digit whichever executor runs it and in whatever order. A task
whose worker fails is retried (up to RETRIES times) before the run gives up.
"""

from __future__ import annotations

from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
import uuid
from functools import partial
from typing import Callable

from .engine import DrawResult, simulate_draw

RETRIES = 2


def _one_draw(draw: int, inputs, end_year: int, sample_fraction: float, seed: int, central: bool) -> DrawResult:
    return simulate_draw(inputs, end_year, sample_fraction, seed, draw, central=central)


class SerialExecutor:
    """Tasks one after another in this process; draws report progress after every simulated year."""

    name = "serial"

    def map(self, fn: Callable, items: list, on_done: Callable[[int], None] | None = None) -> list:
        """fn(item) for every item, in order; on_done(index) after each."""
        results = []
        for k, item in enumerate(items):
            results.append(fn(item))
            if on_done is not None:
                on_done(k)
        return results

    def run(self, inputs, end_year, sample_fraction, seed, draws, central, on_year=None, on_draw=None) -> list[DrawResult]:
        def draw(d: int) -> DrawResult:
            callback = None if on_year is None else (lambda year: on_year(d, year))
            return simulate_draw(inputs, end_year, sample_fraction, seed, d, callback, central)

        return self.map(draw, list(range(draws)), on_draw)

    def close(self) -> None:
        pass


class ProcessExecutor:
    """Tasks in `workers` local processes; a task whose process dies is retried in a new pool."""

    def __init__(self, workers: int):
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        self.workers = workers
        self.name = f"{workers} local processes"

    def task(self, inputs, end_year, sample_fraction, seed, central) -> Callable[[int], DrawResult]:
        """The picklable function of a draw number that a worker runs."""
        return partial(_one_draw, inputs=inputs, end_year=end_year, sample_fraction=sample_fraction, seed=seed,
                       central=central)

    def map(self, fn: Callable, items: list, on_done: Callable[[int], None] | None = None) -> list:
        """fn(item) for every item (fn and items picklable), results in item order; on_done(index)
        as each finishes."""
        results: dict[int, object] = {}
        pending = list(range(len(items)))
        for attempt in range(RETRIES + 1):
            failed = []
            try:
                with ProcessPoolExecutor(max_workers=self.workers) as pool:
                    futures = {pool.submit(fn, items[k]): k for k in pending}
                    for future in as_completed(futures):
                        k = futures[future]
                        try:
                            results[k] = future.result()
                        except BrokenProcessPool:
                            failed.append(k)
                            continue
                        if on_done is not None:
                            on_done(k)
            except BrokenProcessPool:
                failed = [k for k in pending if k not in results]
            pending = sorted(set(failed))
            if not pending:
                break
        if pending:
            raise RuntimeError(f"tasks {pending} failed {RETRIES + 1} times in worker processes")
        return [results[k] for k in range(len(items))]

    def run(self, inputs, end_year, sample_fraction, seed, draws, central, on_year=None, on_draw=None) -> list[DrawResult]:
        return self.map(self.task(inputs, end_year, sample_fraction, seed, central), list(range(draws)), on_draw)

    def close(self) -> None:
        pass


class DaskExecutor:
    """Tasks on a dask.distributed cluster: an existing scheduler (`address`) or a LocalCluster
    with `workers` single-threaded worker processes started for this executor."""

    def __init__(self, workers: int | None = None, address: str | None = None):
        from dask.distributed import Client, LocalCluster

        self._cluster = None
        if address:
            self.client = Client(address)
            self.name = f"dask scheduler {address}"
        else:
            self._cluster = LocalCluster(n_workers=workers or 2, threads_per_worker=1, processes=True,
                                         dashboard_address=None, silence_logs=40)
            self.client = Client(self._cluster)
            self.name = f"dask LocalCluster, {workers or 2} workers"

    def map(self, fn: Callable, items: list, on_done: Callable[[int], None] | None = None, *shared) -> list:
        """fn(item, *shared) for every item, results in item order; on_done(index) as each finishes.
        `shared` values (e.g. futures of scattered inputs) are passed to every task."""
        from dask.distributed import as_completed as dask_completed

        futures = [self.client.submit(fn, item, *shared, pure=False, retries=RETRIES,
                                      key=f"naerhed-task-{k}-{uuid.uuid4().hex}")
                   for k, item in enumerate(items)]
        index = {f.key: k for k, f in enumerate(futures)}
        results: dict[int, object] = {}
        for future in dask_completed(futures):
            k = index[future.key]
            results[k] = future.result()
            if on_done is not None:
                on_done(k)
        return [results[k] for k in range(len(items))]

    def run(self, inputs, end_year, sample_fraction, seed, draws, central, on_year=None, on_draw=None) -> list[DrawResult]:
        shared = self.client.scatter(inputs, broadcast=True)  # sent to each worker once, not with every draw
        return self.map(_one_draw, list(range(draws)), on_draw, shared, end_year, sample_fraction, seed, central)

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()


def make_executor(workers: int | None = None, scheduler: str | None = None, dask: bool = False):
    """The executor for a run: a dask scheduler address, a dask LocalCluster (`dask=True`), local
    processes (`workers` > 1) or this process."""
    if scheduler:
        return DaskExecutor(address=scheduler)
    if dask:
        return DaskExecutor(workers=workers)
    if workers and workers > 1:
        return ProcessExecutor(workers)
    return SerialExecutor()


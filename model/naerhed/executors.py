"""Where the draws run: in this process (default), in local worker processes, or on a dask.distributed
cluster (a LocalCluster started for the run, or an existing scheduler, e.g. one a region's IT runs).

Every draw is a pure function of (inputs, seed, draw number): it has its own random streams, so the
numbers are identical to the last digit whichever executor runs it and in whatever order. A draw
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
    """Draws one after another in this process; progress after every simulated year."""

    name = "serial"

    def run(self, inputs, end_year, sample_fraction, seed, draws, central, on_year=None, on_draw=None) -> list[DrawResult]:
        results = []
        for d in range(draws):
            callback = None if on_year is None else (lambda year, d=d: on_year(d, year))
            results.append(simulate_draw(inputs, end_year, sample_fraction, seed, d, callback, central))
            if on_draw is not None:
                on_draw(d)
        return results

    def close(self) -> None:
        pass


class ProcessExecutor:
    """Draws in `workers` local processes (the inputs are sent to each process once per draw)."""

    def __init__(self, workers: int):
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        self.workers = workers
        self.name = f"{workers} local processes"

    def task(self, inputs, end_year, sample_fraction, seed, central) -> Callable[[int], DrawResult]:
        """The picklable function of a draw number that a worker runs."""
        return partial(_one_draw, inputs=inputs, end_year=end_year, sample_fraction=sample_fraction, seed=seed,
                       central=central)

    def run(self, inputs, end_year, sample_fraction, seed, draws, central, on_year=None, on_draw=None) -> list[DrawResult]:
        task = self.task(inputs, end_year, sample_fraction, seed, central)
        results: dict[int, DrawResult] = {}
        pending = list(range(draws))
        for attempt in range(RETRIES + 1):
            failed = []
            try:
                with ProcessPoolExecutor(max_workers=self.workers) as pool:
                    futures = {pool.submit(task, d): d for d in pending}
                    for future in as_completed(futures):
                        d = futures[future]
                        try:
                            results[d] = future.result()
                        except BrokenProcessPool:
                            failed.append(d)
                            continue
                        if on_draw is not None:
                            on_draw(d)
            except BrokenProcessPool:
                failed = [d for d in pending if d not in results]
            pending = sorted(set(failed))
            if not pending:
                break
        if pending:
            raise RuntimeError(f"draws {pending} failed {RETRIES + 1} times in worker processes")
        return [results[d] for d in range(draws)]

    def close(self) -> None:
        pass


class DaskExecutor:
    """Draws on a dask.distributed cluster: an existing scheduler (`address`) or a LocalCluster
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

    def run(self, inputs, end_year, sample_fraction, seed, draws, central, on_year=None, on_draw=None) -> list[DrawResult]:
        from dask.distributed import as_completed as dask_completed

        shared = self.client.scatter(inputs, broadcast=True)
        futures = [self.client.submit(_one_draw, d, shared, end_year, sample_fraction, seed, central, pure=False,
                                      retries=RETRIES, key=f"naerhed-draw-{d}-{uuid.uuid4().hex}")
                   for d in range(draws)]
        index = {f.key: d for d, f in enumerate(futures)}
        results: dict[int, DrawResult] = {}
        for future in dask_completed(futures):
            d = index[future.key]
            results[d] = future.result()
            if on_draw is not None:
                on_draw(d)
        return [results[d] for d in range(draws)]

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


"""Where tasks (the draws of a run, the points of a sweep) run: in this process (default), in local
worker processes, or on a dask.distributed cluster (a LocalCluster started for the run, or an
existing scheduler, e.g. one a region's IT runs). Every executor has the same protocol (`Executor`):
`map(fn, items, on_done)` runs fn on every item and returns the results in item order.

A draw is a pure function of (run specification, draw number): it has its own random streams, so the
numbers are identical to the last digit whichever executor runs it and in whatever order. A task
whose worker fails is retried (up to RETRIES times) before the run gives up.
"""

from __future__ import annotations

import uuid
from concurrent.futures import ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from typing import Callable, Protocol

RETRIES = 2


class Executor(Protocol):
    """What the pipeline and the sweep need of an executor.

    name: shown in the run's manifest; reports_within_task: tasks run in this process, so a callback
    that a task calls while it runs (e.g. after each simulated year) reaches the caller."""

    name: str
    reports_within_task: bool

    def map(self, fn: Callable, items: list, on_done: Callable[[int], None] | None = None) -> list:
        """fn(item) for every item, results in item order; on_done(index) as each item finishes."""

    def close(self) -> None:
        """Release the workers."""


class SerialExecutor:
    """Tasks one after another in this process."""

    name = "serial"
    reports_within_task = True

    def map(self, fn: Callable, items: list, on_done: Callable[[int], None] | None = None) -> list:
        """fn(item) for every item, in order; on_done(index) after each."""
        results = []
        for k, item in enumerate(items):
            results.append(fn(item))
            if on_done is not None:
                on_done(k)
        return results

    def close(self) -> None:
        pass


class ProcessExecutor:
    """Tasks in `workers` local processes; a task whose process dies is retried in a new pool."""

    reports_within_task = False

    def __init__(self, workers: int):
        if workers < 1:
            raise ValueError(f"workers must be at least 1, got {workers}")
        self.workers = workers
        self.name = f"{workers} local processes"

    def map(self, fn: Callable, items: list, on_done: Callable[[int], None] | None = None) -> list:
        """fn(item) for every item (fn and items picklable), results in item order; on_done(index)
        as each finishes."""
        results: dict[int, object] = {}
        pending = list(range(len(items)))
        for _ in range(RETRIES + 1):
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

    def close(self) -> None:
        pass


def run_task(fn: Callable, item):
    """fn(item): the task a dask worker runs, with fn scattered to the workers once."""
    return fn(item)


class DaskExecutor:
    """Tasks on a dask.distributed cluster: an existing scheduler (`address`) or a LocalCluster
    with `workers` single-threaded worker processes started for this executor."""

    reports_within_task = False

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

    def map(self, fn: Callable, items: list, on_done: Callable[[int], None] | None = None) -> list:
        """fn(item) for every item (fn and items picklable), results in item order; on_done(index) as
        each finishes. fn (e.g. a draw bound to the run's inputs) is sent to each worker once, not with
        every task."""
        from dask.distributed import as_completed as dask_completed

        shared = self.client.scatter(fn, broadcast=True, hash=False)
        futures = [self.client.submit(run_task, shared, item, pure=False, retries=RETRIES,
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

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()


def make_executor(workers: int | None = None, scheduler: str | None = None, dask: bool = False) -> Executor:
    """The executor for a run: a dask scheduler address, a dask LocalCluster (`dask=True`), local
    processes (`workers` > 1) or this process."""
    if scheduler:
        return DaskExecutor(address=scheduler)
    if dask:
        return DaskExecutor(workers=workers)
    if workers and workers > 1:
        return ProcessExecutor(workers)
    return SerialExecutor()

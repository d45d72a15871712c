"""`naerhed run`: one scenario → a complete run folder outputs/<scenario>/<run-id>/.

The folder is written under a temporary name and renamed into place only when every file is
complete, so an interrupted or failed run leaves nothing half-written behind.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import time
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn

from . import __version__
from .analysis.contributions import contribution_rows
from .data import file_sha256
from .executors import Executor, SerialExecutor
from .health.model import calibration_note
from .inputs import load_inputs
from .pipeline import run_dataset
from .report import RunResults, write_outputs
from .run_spec import RunSpec

VERSIONED_PACKAGES = ("numpy", "scipy", "xarray", "h5netcdf", "pydantic", "pyyaml", "matplotlib", "rich", "simpy")


def package_versions() -> dict[str, str]:
    """Versions of Python, naerhed and the libraries that shape the numbers."""
    versions = {"python": platform.python_version(), "naerhed": __version__}
    for name in VERSIONED_PACKAGES:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def git_state() -> dict[str, str | bool | None]:
    """Commit of the source tree the package runs from, and whether it had uncommitted changes."""
    here = Path(__file__).resolve().parent
    try:
        commit = subprocess.run(["git", "-C", str(here), "rev-parse", "HEAD"], capture_output=True, text=True,
                                timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(here), "status", "--porcelain"], capture_output=True, text=True,
                               timeout=10, check=True).stdout.strip() != ""
        return {"commit": commit, "uncommitted_changes": dirty}
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "uncommitted_changes": None}


def new_run_id(folder: Path, seed: int) -> str:
    """A run id that sorts by time and is unique within the scenario's folder."""
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    run_id, n = f"{stamp}-seed{seed}", 1
    while (folder / run_id).exists():
        n += 1
        run_id = f"{stamp}-seed{seed}-{n}"
    return run_id


def rule_set_files(scenario) -> dict[str, Path]:
    """Every file of the scenario's rule sets (including files they extend), by a readable key."""
    files = {}
    for rule in scenario.financing.load_rule_sets():
        for i, path in enumerate(rule.source_files):
            files[f"rule_set:{rule.name}" + (f":{i}" if i else "")] = Path(path)
    return files


def scenario_fingerprint(scenario, files: dict[str, Path]) -> str:
    """A hash of everything that determines a run's numbers: the resolved scenario, the data and
    rule files' contents and the model version (and commit). Same fingerprint, same numbers."""
    files = {**files, **rule_set_files(scenario)}
    payload = {
        "scenario": scenario.resolved(),
        "data": {key: file_sha256(path) for key, path in sorted(files.items())},
        "naerhed": __version__,
        "commit": git_state()["commit"],
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode("utf-8")).hexdigest()


def find_run(out_root: Path, scenario_name: str, fingerprint: str) -> Path | None:
    """The newest complete run folder of the scenario with this fingerprint, if any."""
    folder = Path(out_root) / scenario_name
    if not folder.is_dir():
        return None
    for run in sorted((p for p in folder.iterdir() if not p.name.startswith(".")), reverse=True):
        manifest = run / "manifest.json"
        try:
            if json.loads(manifest.read_text(encoding="utf-8")).get("fingerprint") == fingerprint and (run / "results.nc").is_file():
                return run
        except (OSError, ValueError):
            continue
    return None


def run_or_reuse(scenario, out_root: Path = Path("outputs"), progress: bool = True,
                 executor: Executor | None = None) -> tuple[Path, bool]:
    """The run folder of `scenario`: an existing identical run if there is one, else a new run.
    Returns (folder, reused)."""
    inputs = load_inputs(scenario)
    existing = find_run(out_root, scenario.name, scenario_fingerprint(scenario, inputs.files))
    if existing is not None:
        return existing, True
    return run_scenario(scenario, out_root, progress, inputs=inputs, executor=executor), False


def run_scenario(scenario, out_root: Path = Path("outputs"), progress: bool = True, inputs=None,
                 executor: Executor | None = None) -> Path:
    """Run `scenario` through the pipeline (naerhed.pipeline.run_dataset, on `executor`; default: this
    process), with each intervention's contribution where the scenario asks for it, and write its run
    folder (the files of naerhed.report.OUTPUTS and manifest.json); returns the folder's path."""
    started = time.time()
    inputs = load_inputs(scenario) if inputs is None else inputs
    spec = RunSpec.from_scenario(scenario, inputs)
    executor = SerialExecutor() if executor is None else executor
    scenario_folder = Path(out_root) / scenario.name
    scenario_folder.mkdir(parents=True, exist_ok=True)
    run_id = new_run_id(scenario_folder, scenario.seed)
    final = scenario_folder / run_id
    tmp = scenario_folder / f".tmp-{run_id}-{os.getpid()}"
    tmp.mkdir()
    try:
        columns = [TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("years"), TimeElapsedColumn(), TextColumn("left"), TimeRemainingColumn()]
        contributions = bool(inputs.interventions) and scenario.intervention_contributions
        runs = 1 + (len(inputs.interventions) if contributions else 0)
        with Progress(*columns, disable=not progress, transient=False) as bar:
            label = f"{scenario.name}: {spec.draws} draw(s)"
            if spec.samples:
                label += f" + {spec.samples} samples (sampling error)"
            label += f" × {spec.n_years} years"
            if runs > 1:
                label += f" × {runs} runs (each intervention left out once)"
            task = bar.add_task(label, total=(spec.draws + spec.samples) * spec.n_years * runs)
            advance = lambda years: bar.advance(task, years)  # noqa: E731
            dataset = run_dataset(spec, executor, advance)
            dataset.attrs = {"scenario": scenario.name, "seed": spec.seed, "run_id": run_id,
                             "sample_fraction": spec.sample_fraction, "naerhed_version": __version__, **dataset.attrs}
            rows = contribution_rows(spec, dataset, executor, advance) if contributions else []
        write_outputs(RunResults(dataset, rows, tuple(inputs.interventions)), tmp)
        manifest = {
            "run_id": run_id,
            "scenario_file": str(getattr(scenario, "source_path", "") or ""),
            "scenario": scenario.resolved(),
            "seed": scenario.seed,
            "draws": scenario.draws,
            "command": sys.argv,
            "versions": package_versions(),
            "git": git_state(),
            "data_files": {key: {"path": str(path), "sha256": file_sha256(path)}
                           for key, path in {**inputs.files, **rule_set_files(scenario)}.items()},
            "fingerprint": scenario_fingerprint(scenario, inputs.files),
            "calibration": calibration_note(inputs.health),
            "year_shocks": {"scale": spec.shock_scale, "file": str(inputs.year_shocks.path),
                            "sha256": file_sha256(inputs.year_shocks.path)},
            "executor": executor.name,
            "started_utc": datetime.fromtimestamp(started, timezone.utc).isoformat(),
            "wall_seconds": round(time.time() - started, 2),
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False, default=str) + "\n",
                                           encoding="utf-8")
        tmp.rename(final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return final

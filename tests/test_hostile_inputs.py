"""The hostile-input corpus: every case in tests/fixtures/hostile/inputs/ runs the command line in
process and must end with its expected exit status and a message holding its phrase, with no
traceback, within its time limit, and with nothing written.

A case is a folder with `case.yaml` and its input files:

    note: what the case is about (and what happened before it was fixed)
    args: [run, "{dir}/scenario.yaml", --out, "{out}"]   # {dir}: the case folder; {out}: a fresh empty folder
    exit: 2                                               # the expected exit status
    phrase: "aliases"                                     # text the message (stdout + stderr) must contain
    max_seconds: 2                                        # optional: the command must end within this time
    generate: {file: x.yaml, head: "...", append: "...", times: N}
                                                          # optional: a large file made at test time: the
                                                          # case's file (if any), head, then append N times
                                                          # (in a copy of the case in a temporary folder)

The command runs with the current folder inside {out}, so anything it writes by a relative path is
caught by the "nothing written" check too. For every case whose `run` is rejected, `validate` with the
same scenario and settings must reject it as well (`naerhed validate` checks everything `run` would).
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
import yaml

from naerhed.cli import main

CORPUS = Path(__file__).resolve().parent / "fixtures" / "hostile" / "inputs"
CASES = sorted(p.name for p in CORPUS.iterdir() if (p / "case.yaml").is_file())
#: Options of `run` that `validate` does not take (they change nothing `validate` checks).
_RUN_ONLY = {"--out": 1, "--quiet": 0, "--seed": 1, "--draws": 1, "--year": 1, "--precision": 1, "--workers": 1}


def load_case(name: str) -> dict:
    """The case's settings (case.yaml)."""
    case = yaml.safe_load((CORPUS / name / "case.yaml").read_text(encoding="utf-8"))
    assert set(case) <= {"note", "args", "exit", "phrase", "max_seconds", "generate"}, name
    return case


def prepare(name: str, tmp_path: Path) -> tuple[dict, Path, Path]:
    """(case, case folder, empty output folder): the case copied to tmp_path when it generates a file."""
    case = load_case(name)
    folder = CORPUS / name
    if "generate" in case:
        spec = case["generate"]
        folder = tmp_path / "case"
        shutil.copytree(CORPUS / name, folder)
        target = folder / spec["file"]
        existing = target.read_text(encoding="utf-8") if target.is_file() else ""
        target.write_text(existing + spec.get("head", ""), encoding="utf-8")
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(spec["append"] * int(spec["times"]))
    out = tmp_path / "out"
    out.mkdir()
    return case, folder, out


def command(args: list, folder: Path, out: Path) -> list[str]:
    return [str(a).replace("{dir}", str(folder)).replace("{out}", str(out)) for a in args]


def run_cli(argv: list[str], out: Path, monkeypatch, capsys) -> tuple[int, str, float]:
    """Exit status, stdout + stderr and seconds taken of `naerhed argv`, run in process in `out`."""
    monkeypatch.chdir(out)
    capsys.readouterr()
    start = time.perf_counter()
    status = main(argv)
    seconds = time.perf_counter() - start
    captured = capsys.readouterr()
    return status, captured.out + captured.err, seconds


@pytest.mark.parametrize("name", CASES)
def test_hostile_input(name, tmp_path, monkeypatch, capsys):
    case, folder, out = prepare(name, tmp_path)
    status, text, seconds = run_cli(command(case["args"], folder, out), out, monkeypatch, capsys)
    assert status == case["exit"], f"{name}: exit {status}, expected {case['exit']}\n{text}"
    assert str(case["phrase"]) in text, f"{name}: the message lacks {case['phrase']!r}:\n{text}"
    assert "Traceback" not in text, text
    if "max_seconds" in case:
        assert seconds < case["max_seconds"], f"{name}: took {seconds:.2f} s"
    if case["exit"] != 0:
        assert sorted(p.name for p in out.iterdir()) == [], f"{name}: wrote {list(out.iterdir())}"


def validate_args(args: list) -> list | None:
    """The `validate` command line of a `run` command line (None if the case is not a run)."""
    if not args or args[0] != "run":
        return None
    result, skip = ["validate"], 0
    for arg in args[1:]:
        if skip:
            skip -= 1
        elif arg in _RUN_ONLY:
            skip = _RUN_ONLY[arg]
        else:
            result.append(arg)
    return result


@pytest.mark.parametrize("name", [n for n in CASES if validate_args(load_case(n)["args"]) and load_case(n)["exit"] == 2])
def test_validate_rejects_what_run_rejects(name, tmp_path, monkeypatch, capsys):
    case, folder, out = prepare(name, tmp_path)
    argv = command(validate_args(case["args"]), folder, out)
    status, text, _ = run_cli(argv, out, monkeypatch, capsys)
    assert status == 2, f"{name}: validate said OK to what run rejects\n{text}"
    assert str(case["phrase"]) in text, f"{name}: validate's message lacks {case['phrase']!r}:\n{text}"
    assert "Traceback" not in text, text


def test_alias_bomb_fails_in_milliseconds():
    """The billion laughs bomb (10^9 values once expanded) is refused while it is composed."""
    from naerhed.safe_yaml import YamlInputError, load

    text = (CORPUS / "billion_laughs_scenario" / "scenario.yaml").read_text(encoding="utf-8")
    start = time.perf_counter()
    with pytest.raises(YamlInputError, match="more than 20,000 values"):
        load(text, "bomb.yaml")
    assert time.perf_counter() - start < 0.5


def test_packaged_yaml_files_are_well_within_the_limits():
    """Every YAML file of the package, the scenarios and the tests' fixtures (other than the hostile
    corpus) uses at most a tenth of the value budget and the size limit (naerhed.limits)."""
    from naerhed.limits import MAX_YAML_BYTES, MAX_YAML_NODES
    from naerhed.safe_yaml import compose

    root = Path(__file__).resolve().parents[1]
    files = [p for pattern in ("model/naerhed/**/*.yaml", "scenarios/**/*.yaml") for p in root.glob(pattern)]
    assert len(files) > 20
    for path in files:
        assert path.stat().st_size < MAX_YAML_BYTES / 10, path
        node, loader = compose(path.read_text(encoding="utf-8"), str(path))
        loader.dispose()
        assert loader.nodes < MAX_YAML_NODES / 10, (path, loader.nodes)

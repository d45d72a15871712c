"""Command line: ``naerhed run | compare | sweep | interventions | rules | validate | validate-model | fit-shocks | schema``.

Errors caused by the user's input (scenario, data, command line) are printed as ``error: ...``
without a traceback and give exit status 2; an interrupted run gives 130.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path
from typing import Any, Optional, Sequence

from naerhed import __version__
from naerhed.errors import EXIT_USER_ERROR, NaerhedError, ProblemsError

EXIT_INTERRUPTED = 130


# --------------------------------------------------------------------------------------------
# Output helpers (colour only on a terminal; plain text otherwise)
# --------------------------------------------------------------------------------------------


def _is_tty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _print_error(lines: Sequence[str]) -> None:
    """Print an error message (first line 'error: ...', then details) to stderr."""
    if _is_tty(sys.stderr):
        from rich.console import Console
        from rich.markup import escape

        console = Console(file=sys.stderr, highlight=False, soft_wrap=True)
        head, *rest = lines
        console.print(f"[bold red]error:[/] {escape(head)}")
        for line in rest:
            console.print(f"  {escape(line)}", style="yellow")
    else:
        head, *rest = lines
        print(f"error: {head}", file=sys.stderr)
        for line in rest:
            print(f"  {line}", file=sys.stderr)
    sys.stderr.flush()


def _report(exc: NaerhedError, scenario_file: Optional[str]) -> None:
    if isinstance(exc, ProblemsError):
        count = len(exc.problems)
        noun = "problem" if count == 1 else "problems"
        where = f" in {scenario_file}" if scenario_file else ""
        _print_error([f"{count} {noun}{where}:"] + [str(p) for p in exc.problems])
    else:
        _print_error(str(exc).splitlines() or [type(exc).__name__])


# --------------------------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------------------------


def _load(args: argparse.Namespace, extra: Sequence[str] = ()):
    from naerhed.scenario import load_scenario

    if args.scenario is None:  # validate-model without a file: the package defaults
        return load_scenario(Path(__file__).parent / "default_scenario.yaml", list(args.set or []) + list(extra))
    return load_scenario(args.scenario, list(args.set or []) + list(extra))


def _executor(args: argparse.Namespace):
    from naerhed.executors import make_executor

    if args.workers is not None and args.workers < 1:
        raise NaerhedError(f"--workers must be at least 1, got {args.workers}")
    try:
        return make_executor(args.workers, args.scheduler, args.dask)
    except OSError as exc:
        raise NaerhedError(f"cannot reach the dask scheduler {args.scheduler}: {exc}") from None


def _add_executor(parser: argparse.ArgumentParser, what: str = "draws") -> None:
    parser.add_argument("--workers", type=int, metavar="N",
                        help=f"run the {what} in N local worker processes (identical numbers to a serial run)")
    parser.add_argument("--dask", action="store_true",
                        help=f"run the {what} on a dask LocalCluster with --workers workers (default 2)")
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help=f"run the {what} on an existing dask.distributed cluster, e.g. tcp://10.0.0.5:8786")


def _today() -> date:
    """Today's date (a function, so that tests can fix it)."""
    return date.today()


def _summary_blocks(path: Path) -> dict[int, list[str]]:
    """risk_summary.txt by assessed year: its heading line and the indented lines under it."""
    blocks: dict[int, list[str]] = {}
    current: list[str] | None = None
    for line in path.read_text(encoding="utf-8").splitlines():
        head = line.split(" ", 1)[0]
        if not line.startswith(" ") and head.isdigit():
            current = blocks.setdefault(int(head), [])
        if current is not None and line.strip():
            current.append(line)
    return blocks


def headline_years(assessed: Sequence[int], year: Optional[int] = None, today: Optional[date] = None) -> list[int]:
    """The assessed years `naerhed run` prints: `year` if given; else the current and next calendar
    year where assessed; else the last two assessed years."""
    if year is not None:
        return [year] if year in assessed else []
    current = (today or _today()).year
    shown = [y for y in (current, current + 1) if y in assessed]
    return shown or sorted(assessed)[-2:]


def _assessable_years(scenario) -> list[int]:
    """Calendar years a run of the scenario can assess: after the base year (each year is compared
    with an earlier one), before end_year, from the first year of its earliest rule set on."""
    first_rule_year = min(rule.first_year for rule in scenario.financing.load_rule_sets())
    return list(range(max(scenario.population.base_year + 1, first_rule_year), scenario.end_year))


def _cmd_run(args: argparse.Namespace) -> int:
    extra = []
    if args.seed is not None:
        extra.append(f"seed={args.seed}")
    if args.draws is not None:
        extra.append(f"draws={args.draws}")
    if args.calibration is not None:
        extra.append(f"data.calibration={args.calibration}")
    if args.precision is not None:
        extra.append(f"financing.precision={args.precision}")
    scenario = _load(args, extra)
    if args.year is not None:
        allowed = _assessable_years(scenario)
        if args.year not in allowed:
            span = f"{allowed[0]}-{allowed[-1]}" if allowed else "none"
            raise NaerhedError(
                f"--year {args.year} is not assessed by this run; allowed: {span} (the years after "
                f"population.base_year {scenario.population.base_year} and before end_year {scenario.end_year}, "
                "from the first year of the rule sets on)")
    for line in _calibration_lines(scenario):
        print(line)
    from naerhed.runner import run_scenario

    executor = _executor(args)
    try:
        run_dir = run_scenario(scenario, out_root=Path(args.out or "outputs"), progress=not args.quiet,
                               executor=executor)
    finally:
        executor.close()
    summary = run_dir / "risk_summary.txt"
    if summary.is_file():
        blocks = _summary_blocks(summary)
        for year in headline_years(sorted(blocks), args.year):
            print("\n".join(blocks[year]))
        print(f"(every assessed year: {summary})")
    _print_precision_warnings(summary)
    print(run_dir)
    return 0


def _print_precision_warnings(summary: Path) -> None:
    """The risk summary's precision warnings (a Monte Carlo error above the stated precision, with the
    draws needed), to stderr."""
    if summary.is_file():
        for line in summary.read_text(encoding="utf-8").splitlines():
            if line.startswith("Warning: "):
                print(line, file=sys.stderr)


def _flatten(value: Any, prefix: str = "") -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        rows: list[tuple[str, Any]] = []
        for key, sub in value.items():
            rows.extend(_flatten(sub, f"{prefix}{key}."))
        return rows
    return [(prefix[:-1], value)]


def _calibration_lines(scenario) -> list[str]:
    """What a user's partial calibration file is completed with (nothing for a complete file)."""
    from naerhed.data.health_tables import load_calibration_targets

    if scenario.data.calibration is None:
        return []
    text = load_calibration_targets(Path(scenario.data.calibration)).completion_text()
    return [text] if text else []


def _cmd_validate(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    from naerhed.errors import ScenarioError
    from naerhed.inputs import input_problems
    from naerhed.scenario import scenario_field_info

    extra = [f"data.calibration={args.calibration}"] if args.calibration else []
    scenario = _load(args, extra)
    problems = input_problems(scenario)  # the data must cover its years and be readable, as for run
    if problems:
        raise ScenarioError(problems)
    print(f"OK: {args.scenario} ({scenario.name})")
    for line in _calibration_lines(scenario):
        print(line)
    info = scenario_field_info()
    table = Table(show_header=True, header_style="bold", box=None, pad_edge=False)
    table.add_column("setting")
    table.add_column("value", overflow="fold")
    table.add_column("unit")
    defaults = []
    for key, value in _flatten(scenario.resolved()):
        if key == "description":
            continue
        if value is None and key.startswith("data."):
            defaults.append(key[len("data.") :])
            continue
        if value is None and key == "demography.fertility.tfr":
            shown = "(UN World Population Prospects 2024, by year)"
        elif value is None:
            shown = "(none)"
        elif isinstance(value, list):
            shown = "[" + ", ".join(str(v) for v in value) + "]"
        else:
            shown = str(value)
        table.add_row(escape(key), escape(shown), escape(info.get(key, {}).get("unit", "")))
    if defaults:
        n_files = sum(1 for key in info if key.startswith("data."))
        label = "data.*" if len(defaults) == n_files else "data (the others)"
        table.add_row(label, "(packaged defaults)", "")
    if len(scenario.source_files) > 1:
        table.add_row("(extends)", " -> ".join(str(p) for p in scenario.source_files[1:]), "")
    for override in scenario.overrides:
        table.add_row("(--set)", override, "")
    tty = _is_tty(sys.stdout)
    console = Console(file=sys.stdout, highlight=False, width=None if tty else 120)
    console.print(table)
    return 0


def _cmd_validate_model(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from naerhed.validation import run_checks, write_checks_csv

    extra = [f"data.calibration={args.calibration}"] if args.calibration else []
    scenario = _load(args, extra)
    checks = run_checks(scenario, sample_fraction=args.sample_fraction)
    table = Table(title=f"naerhed {scenario.name}: calibration and validation (sample fraction {args.sample_fraction})",
                  header_style="bold", show_lines=False)
    for column in ("figure", "kind", "published / target", "simulated", "difference", "tolerance", ""):
        table.add_column(column, justify="left" if column in ("figure", "kind", "") else "right", overflow="fold")

    def fmt(value: float) -> str:
        if abs(value) >= 1000:
            return f"{value:,.0f}"
        if abs(value) >= 10:
            return f"{value:,.1f}"
        return f"{value:.4g}"

    for c in checks:
        tolerance = "at least" if c.at_least else "± " + fmt(c.tolerance)
        rel = f" ({100 * c.relative_difference:+.1f} %)" if c.published else ""
        table.add_row(c.description, c.kind, fmt(c.published), fmt(c.simulated), fmt(c.difference) + rel, tolerance,
                      "ok" if c.ok else ("outside (known)" if c.known_outside else "OUTSIDE"))
    tty = _is_tty(sys.stdout)
    Console(file=sys.stdout, highlight=False, width=None if tty else 160).print(table)
    failed = [c for c in checks if not c.ok]
    print(f"{len(checks) - len(failed)} of {len(checks)} figures within tolerance")
    known = [c for c in failed if c.known_outside]
    if known:
        print(f"{len(known)} outside are known and explained in validation_known_outside.csv: "
              + ", ".join(c.id for c in known))
    if args.csv:
        write_checks_csv(checks, Path(args.csv))
        print(f"wrote {args.csv}")
    return 0


def _cmd_compare(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    from naerhed.analysis.comparison_report import compare_scenarios
    from naerhed.scenario import load_scenario

    if len(args.scenarios) < 2:
        raise NaerhedError("compare needs at least two scenario files (the first is the reference)")
    extra = list(args.set or [])
    scenarios = [load_scenario(path, extra) for path in args.scenarios]
    seed = args.seed if args.seed is not None else scenarios[0].seed
    draws = args.draws if args.draws is not None else scenarios[0].draws
    scenarios = [load_scenario(path, extra + [f"seed={seed}", f"draws={draws}"]) for path in args.scenarios]
    executor = _executor(args)
    try:
        folder, datasets, year, rows = compare_scenarios(scenarios, Path(args.out or "outputs"),
                                                         progress=not args.quiet, year=args.year, executor=executor)
    finally:
        executor.close()
    console = Console(file=sys.stdout, highlight=False, width=None if _is_tty(sys.stdout) else 160)
    names = list(datasets)
    for name in names[1:]:
        table = Table(title=f"{name} minus {names[0]}, {year} (paired over {draws} draws, seed {seed})",
                      header_style="bold")
        for column in ("region", "metric", names[0], name, "difference", "95 % interval"):
            table.add_column(column, justify="left" if column in ("region", "metric") else "right")
        for row in rows:
            if name not in row:
                continue
            money = row["metric"].endswith("_dkk")
            fmt = (lambda v: f"{v / 1e6:,.1f} mio") if money else (lambda v: f"{v:.3f}")
            table.add_row(row["region"], row["metric"], fmt(row[names[0]]), fmt(row[name]), fmt(row["difference"]),
                          f"[{fmt(row['difference_ci95_low'])}, {fmt(row['difference_ci95_high'])}]")
        console.print(table)
    print(folder)
    return 0


def _cmd_rules(args: argparse.Namespace) -> int:
    from naerhed.financing.rules import describe_rule_set, example_rule_files, load_rule_set, packaged_rule_sets

    def show(names) -> None:
        for name in names:
            rule = load_rule_set(name)
            notes = [f"extends {load_rule_set(rule.source_files[1]).name}"] if len(rule.source_files) > 1 else []
            notes += [f"{key} by year" for key in rule.dated_keys]
            extra = f"  [{'; '.join(notes)}]" if notes else ""
            print(f"  {name:<12} {rule.years_text()}: {rule.description}{extra}")

    if args.rule_set is None:
        print("Packaged rule sets, by first year (the default of financing.rule_sets; use their names, "
              "or write your own YAML file):")
        show(packaged_rule_sets())
        examples = example_rule_files()
        if examples:
            print("Packaged examples (never used by default; name them in financing.rule_sets after the "
                  "rule sets they follow):")
            show(examples)
        return 0
    rule = load_rule_set(args.rule_set)
    print(f"OK: {args.rule_set}")
    print("\n".join(describe_rule_set(rule)))
    return 0


def _cmd_interventions(args: argparse.Namespace) -> int:
    from naerhed.interventions.catalogue import load_catalogue
    from naerhed.uncertainty import Prior

    def show(value) -> str:
        if isinstance(value, Prior):
            if value.distribution == "normal":
                return f"normal(mean {value.mean:g}, sd {value.sd:g})"
            if value.distribution == "uniform":
                return f"uniform({value.low:g} to {value.high:g})"
            return f"triangular({value.low:g}, mode {value.mode:g}, {value.high:g})"
        return f"{value:g}"

    catalogue = load_catalogue()
    kinds = [args.type] if args.type else list(catalogue)
    for kind in kinds:
        if kind not in catalogue:
            raise NaerhedError(f"unknown intervention type {kind!r}; allowed: {', '.join(catalogue)}")
        entry = catalogue[kind]
        print(f"{kind}: {entry.label}")
        print(f"  changes: {entry.changes}")
        target = entry.target.model_dump(exclude_defaults=True)
        print(f"  default target: {target or 'everybody'}; coverage {entry.max_coverage:.0%}; "
              f"cost {entry.cost_per_participant_dkk:,.0f} DKK per participant per year")
        for name, value in entry.effects.items():
            print(f"  effect {name}: {show(value)}")
        if args.type:
            for key, prov in entry.provenance.items():
                print(f"  {key}: {prov.get('status')}, {prov.get('source')} - {prov.get('note', '')}")
    return 0


def _cmd_sweep(args: argparse.Namespace) -> int:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

    from naerhed.analysis.sweep import parse_parameters, run_sweep

    parameters = parse_parameters(args.params)
    _load(args)  # the scenario itself must be valid first
    columns = [TextColumn("[bold]sweep"), BarColumn(), MofNCompleteColumn(), TextColumn("points"), TimeRemainingColumn()]
    executor = _executor(args)
    try:
        with Progress(*columns, disable=args.quiet) as bar:
            task = bar.add_task("sweep", total=None)
            folder = run_sweep(args.scenario, args.method, parameters, args.n, list(args.set or []),
                               Path(args.out or "outputs"), executor=executor, year=args.year,
                               progress=lambda done, total: bar.update(task, completed=done, total=total),
                               region_years=lambda assessed: headline_years(assessed, args.year))
    finally:
        executor.close()
    print(folder)
    return 0


def _cmd_fit_shocks(args: argparse.Namespace) -> int:
    from naerhed.analysis.shocks import backtest_pooled, fit_shocks, shocks_csv, trend_estimates, write_text_atomic
    from naerhed.data.files import DATA_DIR

    priors = Path(args.priors) if args.priors else DATA_DIR / "year_shocks.csv"
    rows = fit_shocks(Path(args.series), priors)
    text = shocks_csv(rows)
    for row in rows:
        where = "every region" if row.region < 0 else row.cells()["region"]
        se = "" if row.sd_se != row.sd_se else f" (se {row.sd_se:.4f})"
        print(f"{row.series:24s} {where:12s} sd {row.sd:.4f}{se}, national correlation {row.national_correlation:.2f}, "
              f"{row.method} [{row.status}]")
    for t in trend_estimates(Path(args.series), rows):
        print(f"trend {t.series:18s} {t.group} {t.year0}-{t.year1}: {t.trend:+.4f} a year (se {t.se:.4f}; {t.basis})")
    if args.backtest is not None:
        for p in backtest_pooled(Path(args.series), args.backtest):
            print(f"backtest {p.series}: {p.what}: observed {p.observed:+.3f}, predicted 0 +- {p.sd:.3f} "
                  f"(in 80 %: {p.inside(0.8)}, in 95 %: {p.inside(0.95)})")
    if args.out:
        write_text_atomic(Path(args.out), text)
        print(f"wrote {args.out}")
    else:
        sys.stdout.write(text)
    return 0


def _cmd_schema(args: argparse.Namespace) -> int:
    from naerhed.scenario import scenario_json_schema

    text = json.dumps(scenario_json_schema(), indent=2, ensure_ascii=False) + "\n"
    if args.out:
        out = Path(args.out)
        try:
            out.parent.mkdir(parents=True, exist_ok=True)
            out.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise NaerhedError(f"cannot write {out}: {exc.strerror or exc}") from None
        print(f"wrote the scenario JSON Schema to {out}")
    else:
        sys.stdout.write(text)
    return 0


# --------------------------------------------------------------------------------------------
# Parser and entry point
# --------------------------------------------------------------------------------------------


def _add_set(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY.PATH=VALUE",
        help="override a setting of the scenario file, e.g. --set demography.migration.scale=0.5 "
        "or --set demography.mortality.base_period=[2016,2018] (repeatable)",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="naerhed",
        description="Microsimulation of the Danish regions' proximity funding (naerhedsfinansiering).",
    )
    parser.add_argument("--version", action="version", version=f"naerhed {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    run = commands.add_parser("run", help="run a scenario and write its results")
    run.add_argument("scenario", metavar="SCENARIO.yaml", help="scenario file")
    run.add_argument("--seed", type=int, help="random seed (shorthand for --set seed=N)")
    run.add_argument("--draws", type=int, help="Monte Carlo draws (shorthand for --set draws=N)")
    _add_set(run)
    run.add_argument("--calibration", metavar="FILE",
                     help="your own base-year criterion levels per region (CSV in the format of "
                     "calibration_targets.csv; shorthand for --set data.calibration=FILE)")
    run.add_argument("--precision", type=float, metavar="P",
                     help="largest acceptable Monte Carlo standard error of a probability in the risk figures "
                     "(default 0.05); a larger one gives a warning with the draws needed (shorthand for "
                     "--set financing.precision=P)")
    run.add_argument("--out", metavar="DIR", help="folder for the run folders (default: outputs)")
    run.add_argument("--year", type=int, metavar="Y",
                     help="assessed year shown after the run (default: this year and next, else the last assessed years)")
    run.add_argument("--quiet", action="store_true", help="do not show the progress bar")
    _add_executor(run)
    run.set_defaults(func=_cmd_run)

    validate = commands.add_parser("validate", help="check a scenario file and the data it reads (as run would) "
                                   "and show its settings")
    validate.add_argument("scenario", metavar="SCENARIO.yaml", help="scenario file")
    _add_set(validate)
    validate.add_argument("--calibration", metavar="FILE",
                          help="check your own calibration targets with the scenario (shorthand for "
                          "--set data.calibration=FILE)")
    validate.set_defaults(func=_cmd_validate)

    compare = commands.add_parser("compare", help="run scenarios with the same seeds and compare them (paired)")
    compare.add_argument("scenarios", metavar="SCENARIO.yaml", nargs="+", help="two or more scenario files; the first is the reference")
    compare.add_argument("--seed", type=int, help="seed for every scenario (default: the first scenario's)")
    compare.add_argument("--draws", type=int, help="draws for every scenario (default: the first scenario's)")
    compare.add_argument("--year", type=int, help="assessed year shown in the table and figures (default: the last)")
    _add_set(compare)
    compare.add_argument("--out", metavar="DIR", help="folder for run and comparison folders (default: outputs)")
    compare.add_argument("--quiet", action="store_true", help="do not show progress")
    _add_executor(compare)
    compare.set_defaults(func=_cmd_compare)

    check = commands.add_parser("validate-model",
                                help="compare the model with every figure it is calibrated or validated against")
    check.add_argument("scenario", metavar="SCENARIO.yaml", nargs="?", default=None,
                       help="scenario file (default: the package defaults)")
    check.add_argument("--calibration", metavar="FILE", help="your own calibration targets (CSV)")
    check.add_argument("--sample-fraction", type=float, default=0.05, metavar="F",
                       help="share of persons simulated (default 0.05)")
    check.add_argument("--csv", metavar="FILE", help="also write the table as CSV")
    _add_set(check)
    check.set_defaults(func=_cmd_validate_model)

    rules = commands.add_parser("rules", help="list the packaged rule sets, or check and describe one (name or YAML file)")
    rules.add_argument("rule_set", metavar="NAME_OR_FILE", nargs="?", default=None,
                       help="a packaged rule set (listed by `naerhed rules`) or your own rule file")
    rules.set_defaults(func=_cmd_rules)

    sweep = commands.add_parser("sweep", help="sensitivity sweep over scenario values (one at a time, Morris, Sobol, grid)")
    sweep.add_argument("scenario", metavar="SCENARIO.yaml", help="scenario file")
    sweep.add_argument("--method", choices=("oat", "morris", "sobol", "grid"), default="oat",
                       help="design and analysis (default oat; grid: --n evenly spaced values of each parameter)")
    sweep.add_argument("--params", required=True, metavar="FILE_OR_LIST",
                       help="YAML file with parameters: [{key, low, high}] or an inline list "
                       "'health.trends.acute_admissions=-0.03:0.01,demography.migration.scale=0.5:1.5'")
    sweep.add_argument("--n", type=int, default=16, help="Morris trajectories, Sobol base samples (power of 2) or grid "
                       "values per parameter; default 16")
    sweep.add_argument("--year", type=int, help="assessed year of the outputs (default: the last; runs_by_region.csv: "
                       "the current and next calendar year)")
    _add_executor(sweep, "points")
    _add_set(sweep)
    sweep.add_argument("--out", metavar="DIR", help="folder for the sweep folder (default: outputs)")
    sweep.add_argument("--quiet", action="store_true", help="do not show progress")
    sweep.set_defaults(func=_cmd_sweep)

    catalogue = commands.add_parser("interventions", help="list the intervention catalogue (defaults and evidence)")
    catalogue.add_argument("type", nargs="?", default=None, help="one intervention type: show its evidence too")
    catalogue.set_defaults(func=_cmd_interventions)

    shocks = commands.add_parser(
        "fit-shocks", help="fit the year-to-year shock sizes (and trends) to historical series per region",
        description="Fit the size of the year-to-year shocks per series and region to a CSV of yearly values "
        "(columns region_code, series, year, value; optional group, unit; region_code empty for the whole "
        "country; series a measure or criterion name) and write a table in the format of year_shocks.csv "
        "(rows the series cannot pin down are taken from the priors).")
    shocks.add_argument("series", metavar="SERIES.csv", help="yearly values per region (hospital_history.csv format)")
    shocks.add_argument("--out", metavar="FILE", help="write the table to FILE (default: print it)")
    shocks.add_argument("--priors", metavar="FILE", help="priors for what cannot be fitted (default: the packaged year_shocks.csv)")
    shocks.add_argument("--backtest", type=int, metavar="YEAR",
                        help="also fit on the changes ending by YEAR and check the later changes against the intervals")
    shocks.set_defaults(func=_cmd_fit_shocks)

    schema = commands.add_parser("schema", help="print the JSON Schema of scenario files")
    schema.add_argument("--out", metavar="FILE", help="write the schema to FILE instead")
    schema.set_defaults(func=_cmd_schema)
    return parser


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the command line; returns the exit status (0 ok, 2 user error, 130 interrupted)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors (status 2)
        code = exc.code
        return code if isinstance(code, int) else (0 if code is None else EXIT_USER_ERROR)
    if getattr(args, "func", None) is None:
        parser.print_usage(sys.stderr)
        print("naerhed: error: a command is required (run, compare, sweep, interventions, rules, validate, validate-model, fit-shocks or schema)", file=sys.stderr)
        return EXIT_USER_ERROR
    try:
        return args.func(args)
    except NaerhedError as exc:
        _report(exc, getattr(args, "scenario", None) or getattr(args, "rule_set", None))
        return EXIT_USER_ERROR
    except KeyboardInterrupt:
        _print_error(["interrupted"])
        return EXIT_INTERRUPTED


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

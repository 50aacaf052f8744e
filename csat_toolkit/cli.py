"""Command line: ``csat-toolkit run | validate | init-config | sample-data | notebooks | plan |
rake | reliability | history``.

Exit codes: 0 success, 1 a notebook failed or ran over its time limit (or a run's history
record could not be made), 2 bad input or usage (the message says what to do; no
traceback), 3 an alert rule fired and ``run --fail-on-alert`` was given.
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .errors import CsatToolkitError
from .report import history_cli

__all__ = ["main", "build_parser"]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="csat-toolkit",
        description="Customer-experience analytics: metrics, notebooks and HTML reports.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    run = sub.add_parser("run", help="run the notebooks and write HTML reports with an index")
    run.add_argument("--config", help="YAML config: data paths, column mapping, parameters")
    run.add_argument("--out", default="reports/latest", help="output folder (default: reports/latest)")
    run.add_argument("--only", nargs="+", metavar="NAME",
                     help="run only these notebooks (e.g. metrics); into a folder with an earlier "
                          "run, the index keeps the other reports")
    run.add_argument("-p", "--param", action="append", default=[], metavar="KEY=VALUE",
                     help="set a notebook parameter (value read as YAML); repeatable")
    run.add_argument("--notebooks", help="folder of notebooks (default: the package's notebooks/)")
    run.add_argument("--timeout", type=_seconds, metavar="SECONDS",
                     help="time limit of each notebook (default: the config's 'timeout', else "
                          "1800); a notebook over it is stopped and reported; 0: no limit")
    run.add_argument("--quiet", action="store_true", help="no progress bar")
    history_cli.add_run_arguments(run)

    validate = sub.add_parser("validate", help="load a responses file and print the row accounting")
    validate.add_argument("file", help="CSV, Parquet or Excel file of survey responses")
    _add_loading_options(validate)
    validate.add_argument("--strict", action="store_true", help="fail if any row is rejected")
    validate.add_argument("--rejected", metavar="CSV", help="write the rejected rows to this CSV")

    init = sub.add_parser("init-config", help="write a starting config for a file (a vendor's "
                                              "export is recognised), to edit")
    init.add_argument("file", help="the responses (or vendor export) file")
    init.add_argument("--out", help="where to write the YAML (default: print it)")
    init.add_argument("--timezone", help="the account's time zone, for files without offsets")

    sample = sub.add_parser("sample-data", help="regenerate the bundled sample data")
    sample.add_argument("--out", default="data/sample", help="folder (default: data/sample)")
    sample.add_argument("--seed", type=int, default=2024, help="random seed (default: 2024)")

    notebooks = sub.add_parser("notebooks", help="list the notebooks and their parameters")
    notebooks.add_argument("--notebooks", help="folder of notebooks")

    plan = sub.add_parser(
        "plan", help="how many answers a survey needs, or what a number of answers can detect",
        description="Answers needed for a margin of error (--margin), the margin of --n "
                    "answers, the smallest change --n answers per group detect (--n --detect), "
                    "the answers per group to detect a --change, or the power of --n with "
                    "--change. Shares and NPS in points, means on the scale.")
    plan.add_argument("--metric", default="csat",
                      help="csat, csat_mean, nps, ces, ces_easy or pmf (default: csat)")
    plan.add_argument("--margin", type=float, help="margin of error wanted (+- points)")
    plan.add_argument("--n", type=int, help="answers (per group when comparing)")
    plan.add_argument("--n2", type=int, help="answers in the second group (default: as --n)")
    plan.add_argument("--change", type=float, help="change between two groups or periods")
    plan.add_argument("--detect", action="store_true",
                      help="with --n: the smallest change that many answers detect")
    plan.add_argument("--population", type=float,
                      help="customers the survey goes to (finite population correction)")
    plan.add_argument("--conf", type=float, default=0.95, help="confidence level (default 0.95)")
    plan.add_argument("--power", type=float, default=0.8, help="power of a comparison (default 0.8)")
    plan.add_argument("--one-sided", action="store_true", help="a one-sided test")
    plan.add_argument("--ratio", type=float, default=1.0,
                      help="with --change: answers in the second group per answer in the first")
    plan.add_argument("--expected", type=float, default=50.0,
                      help="expected share in %% for csat/ces_easy/pmf (default 50, the widest)")
    plan.add_argument("--promoters", type=float, default=50.0, help="expected %% promoters (nps)")
    plan.add_argument("--detractors", type=float, default=50.0, help="expected %% detractors (nps)")
    plan.add_argument("--sd", type=float, help="standard deviation of the scores (csat_mean, ces)")
    history_cli.add_history_parser(sub)

    rake = sub.add_parser(
        "rake", help="reweight the answers to known population margins (raking)",
        description="Load the answers as validate does, rake their weights to the margins "
                    "(iterative proportional fitting) and write the answers with the raked "
                    "'weight' column, which every report then uses.")
    rake.add_argument("file", help="the responses file")
    rake.add_argument("--margins", required=True, metavar="YAML",
                      help="{column: {level: population count or share}}, one entry per margin")
    _add_loading_options(rake)
    rake.add_argument("--design-weight", metavar="COLUMN", help="column of starting weights")
    rake.add_argument("--cap", type=float, help="trim weights at this multiple of the mean")
    rake.add_argument("--floor", type=float, help="raise weights to this multiple of the mean")
    rake.add_argument("--out", metavar="CSV",
                      help="where to write the raked answers (default: FILE_raked.csv)")

    reliability = sub.add_parser(
        "reliability", help="Cronbach's alpha of several items, and their index",
        description="Cronbach's alpha with Feldt's interval, item-total correlations, alpha "
                    "if an item is dropped, and the items' index (their mean) with its "
                    "interval.")
    reliability.add_argument("file", help="CSV, Parquet or Excel file, one row per respondent")
    reliability.add_argument("--items", nargs="+", required=True, metavar="COLUMN",
                             help="the item columns (at least two)")
    reliability.add_argument("--scale", nargs=2, type=float, metavar=("LOW", "HIGH"),
                             help="the items' scale, to show the index on 0-100")
    reliability.add_argument("--conf", type=float, default=0.95, help="confidence level")
    reliability.add_argument("--pairwise", action="store_true",
                             help="keep respondents who skipped an item (pairwise covariances)")
    return parser


def _add_loading_options(command: argparse.ArgumentParser) -> None:
    """``--config`` and ``-p``: how a command that loads answers reads them."""
    command.add_argument("--config", help="YAML config whose parameters give the loading options")
    command.add_argument("-p", "--param", action="append", default=[], metavar="KEY=VALUE",
                         help="loading option, e.g. -p survey=csat -p encoding=latin-1")


def _seconds(text: str) -> float:
    """``--timeout`` value: a number of seconds, 0 or more."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not (value >= 0 and value != float("inf")):
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a number of seconds; give e.g. --timeout 1800 (0: no limit)")
    return value


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``csat-toolkit`` console script."""
    args = build_parser().parse_args(argv)
    try:
        return {"run": _run, "validate": _validate, "init-config": _init_config,
                "sample-data": _sample, "notebooks": _notebooks, "plan": _plan, "rake": _rake,
                "reliability": _reliability, "history": history_cli.main_history}[args.command](args)
    except CsatToolkitError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2


def _params(items: list[str]) -> dict:
    from .report.runner import parse_assignment

    return dict(parse_assignment(item) for item in items)


def _run(args) -> int:
    import logging

    from .report.runner import NOTEBOOKS_DIR, run_reports

    # The runner reports every failure and time-out itself; papermill's own log lines
    # ("Timeout waiting for execute reply (1s)") would only repeat them, less clearly.
    logging.getLogger("papermill").setLevel(logging.CRITICAL)
    status = history_cli.main_run(args, _params(args.param))  # a run kept in a history
    if status is not None:
        return status

    result = run_reports(
        config=args.config, out=args.out, only=args.only, parameters=_params(args.param),
        notebooks_dir=args.notebooks or NOTEBOOKS_DIR, progress=not args.quiet,
        timeout=args.timeout,
    )
    for run in result.runs:
        line = f"{run.status:>9}  {run.name}  ({run.seconds:.1f} s)"
        print(line + (f"  {run.error}" if run.error else ""))
    print(result.summary())
    print(f"Report index: {result.index}")
    return 0 if result.ok else 1


def _validate(args) -> int:
    from .io.responses import load_responses_from_params, read_config
    from .io.vendors import detect_vendor, vendor_module
    from .report.runner import check_config, config_parameters, route_reading_options

    config = read_config(args.config) if args.config else {}
    check_config(config, f"the config {args.config}")
    params = config_parameters(config)
    params.update(_params(args.param))
    if params.get("source") is None and not (params.get("load_options") or {}).get("vendor"):
        found = detect_vendor(args.file)
        if found is not None:
            print(f"Recognised a {found[0]} export ({found[1]}): reading it with "
                  f"source: {found[0]}.")
            params["source"] = found[0]
    if params.get("source") and "responses" not in vendor_module(params["source"]).KINDS:
        return _validate_tickets(args, params)
    # The reading shorthands (source, labels, decimal, thousands, sheet) go into
    # load_options, as the runner does for the notebooks.
    params = route_reading_options(params, {"load_options": {}}, where="validate")
    params["responses_path"] = args.file
    params["strict"] = args.strict or params.get("strict", False)
    loaded = load_responses_from_params(params)
    _print_load(loaded, args.rejected)
    return 0


def _validate_tickets(args, params: dict) -> int:
    """A helpdesk vendor's ticket export: the ticket loader's accounting."""
    from .io.tables import load_tickets

    options = dict(params.get("ticket_options") or {})
    loaded = load_tickets(args.file, vendor=params["source"], timezone=params.get("timezone"),
                          **options)
    _print_load(loaded, args.rejected)
    return 0


def _print_load(loaded, rejected_path) -> None:
    from .core.followup import to_safe_csv

    print(loaded.summary())
    print(loaded.report().to_string(index=False))
    for vendor_column, column in (loaded.options.get("mapping") or {}).items():
        print(f"maps: {vendor_column} -> {column}")
    for note in loaded.notes:
        print(f"note: {note}")
    if rejected_path:
        path = to_safe_csv(loaded.rejected_export(), Path(rejected_path))
        print(f"Rejected rows written to {path}")


def _init_config(args) -> int:
    import yaml

    from .io.exports import starting_config

    config = starting_config(args.file, timezone=args.timezone)
    text = ("# A starting config written by csat-toolkit init-config: check it, then run\n"
            "# csat-toolkit validate FILE --config THIS and csat-toolkit run --config THIS.\n"
            + yaml.safe_dump(config, sort_keys=False, allow_unicode=True))
    if args.out:
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"Config written to {args.out}; paths in it are relative to that file.")
    else:
        print(text, end="")
    return 0


def _sample(args) -> int:
    from .io.sample import write_sample

    paths = write_sample(args.out, seed=args.seed)
    for name, path in paths.items():
        print(f"{name:>10}: {path}")
    return 0


def _notebooks(args) -> int:
    from .report.runner import NOTEBOOKS_DIR, discover_notebooks, notebook_parameters

    for notebook in discover_notebooks(args.notebooks or NOTEBOOKS_DIR):
        print(notebook.stem)
        for name, info in notebook_parameters(notebook).items():
            print(f"  {name} = {info['default']!r}  # {info['comment']}")
    return 0


def _plan(args) -> int:
    from .core.planning import plan

    result = plan(args.metric, margin=args.margin, n=args.n, n2=args.n2, change=args.change,
                  detect=args.detect, conf=args.conf, power=args.power,
                  sides=1 if args.one_sided else 2, ratio=args.ratio, expected=args.expected,
                  promoters=args.promoters, detractors=args.detractors, sd=args.sd,
                  population=args.population)
    print(result.sentence())
    return 0


def _rake(args) -> int:
    from .core.followup import to_safe_csv
    from .core.pii import mask_columns
    from .core.weighting import rake
    from .io.responses import load_responses_from_params, read_config
    from .report.runner import check_config, config_parameters, route_reading_options

    config = read_config(args.config) if args.config else {}
    check_config(config, f"the config {args.config}")
    params = config_parameters(config) | _params(args.param)
    params = route_reading_options(params, {"load_options": {}}, where="rake")
    loaded = load_responses_from_params({**params, "responses_path": args.file})
    print(loaded.summary())
    raked = rake(loaded.data, _margins(args.margins), design_weight=args.design_weight,
                 cap=args.cap, floor=args.floor)
    print(raked.summary())
    print(raked.margins.round(2).to_string(index=False))
    out = Path(args.out) if args.out else Path(args.file).with_name(
        Path(args.file).stem + "_raked.csv")
    to_safe_csv(mask_columns(raked.data.dropna(axis=1, how="all")), out)  # no empty date column
    print(f"Raked answers written to {out}: point responses_path at it; every report "
          "weights by its 'weight' column.")
    if len(raked.rejected):
        aside = to_safe_csv(mask_columns(raked.rejected),
                            out.with_name(out.stem + "_set_aside.csv"))
        print(f"{len(raked.rejected):,} answers set aside, with the reason: {aside}")
    return 0


def _margins(path: str) -> dict:
    from .errors import ParameterError
    from .io.responses import read_config

    margins = read_config(path)
    if not isinstance(margins, dict) or not all(isinstance(v, dict) for v in margins.values()):
        raise ParameterError(
            f"{path} must map each margin column to its levels' population counts or "
            "shares, e.g. region: {EU: 4200, US: 3100}.")
    return margins


def _reliability(args) -> int:
    from .core.reliability import cronbach_alpha, index_score
    from .io.reading import _read_source

    data, _, _ = _read_source(args.file, encoding="utf-8-sig", sep=None, sheet=None)
    check = cronbach_alpha(data, args.items, conf=args.conf,
                           missing="pairwise" if args.pairwise else "listwise")
    print(check.summary())
    print(check.items.round(3).to_string(index=False))
    scale = tuple(args.scale) if args.scale else None
    print(index_score(data, args.items, scale=scale, conf=args.conf).summary())
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

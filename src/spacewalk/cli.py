"""The ``spacewalk`` command: run, validate, scenarios, report, history, catalogue, campaign,
console."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from .scenario import ScenarioError
from .version import __version__


def _cmd_run(args) -> int:
    from .results.runio import RunFolderError
    from .results.simulation import simulate
    from .scenario import load_scenario

    scenario = load_scenario(args.scenario)
    _advise(scenario)
    compile_notice()
    out = Path(args.out) if args.out else Path("runs") / scenario.scenario.name
    from .sim import warm

    helper = warm.start(scenario)  # a first run: a second process compiles kernels too
    try:
        result = simulate(scenario)
    finally:
        if warm.still_compiling(helper):
            print("(a helper process goes on compiling the engine's fast path for later runs,"
                  " about 20 s)", file=sys.stderr)  # fmt: skip
    try:
        result.write(out)
    except RunFolderError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(result.text())
    print(f"\nwrote {out}/: " + ", ".join(p.name for p in sorted(out.iterdir())))
    return 0 if result.summary["status"] == "ok" else 2


def _cmd_validate(args) -> int:
    from .scenario import load_scenario

    bad = 0
    for name in args.files:
        try:
            sc = load_scenario(name)
        except ScenarioError as exc:
            print(exc, file=sys.stderr)
            bad += 1
        else:
            print(f"{name}: ok ({sc.scenario.name}, {len(sc.crew)} crew)")
            _advise(sc)
    return 1 if bad else 0


def _progress(done: int, total: int, name: str) -> None:
    """One line per step of a long check, on stderr (the table stays on stdout)."""
    print(f"[{done + 1}/{total}] {name}", file=sys.stderr, flush=True)


def compile_notice(workers: bool = False) -> None:
    """Say so on the terminal before an engine kernel compiles (the first runs after an
    install): as it happens in this process, or at once for kernels that ``workers``
    (other processes) will compile."""
    from .physics import jit

    jit.on_compile(lambda text: print(text, file=sys.stderr, flush=True))
    if workers:
        from .sim import (
            engine,  # noqa: F401  (imports, and so registers, every kernel)
            stretch,
        )

        for text in jit.to_compile():
            if text != stretch.NOTICE:  # (never compiled on a run's way)
                print(text, file=sys.stderr, flush=True)


def _advise(scenario) -> None:
    """What the models say about the scenario before it runs (warnings, not errors)."""
    from .sim.advice import advisories

    for line in advisories(scenario):
        print(f"warning: {scenario.scenario.name}: {line}", file=sys.stderr)


def _cmd_scenarios(args) -> int:
    from .scenario import ALIASES, library_names, load_scenario

    aliases = {v: k for k, v in ALIASES.items()}
    for name in library_names():
        sc = load_scenario(name)
        alias = f" (alias {aliases[name]})" if name in aliases else ""
        print(f"{name:<22} {sc.scenario.date:<11} {sc.scenario.title}{alias}")
    return 0


def _cmd_report(args) -> int:
    from .results.report import render_report
    from .results.runio import RunFolderError, read_run, write_text

    folder = Path(args.folder)
    try:
        run = read_run(folder)
    except RunFolderError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    try:
        page = render_report(run.scenario, run.telemetry, run.events, run.summary)
    except (KeyError, TypeError, ValueError) as exc:  # an edited file the checks let through
        print(
            f"error: {folder}: a run file does not hold what the report needs "
            f"({type(exc).__name__}: {exc}); re-run the scenario to write it again",
            file=sys.stderr,
        )
        return 1
    write_text(folder / "report.html", page)
    print(f"wrote {folder / 'report.html'}")
    return 0


def _cmd_history_validate(args) -> int:
    from .results.history import format_table
    from .results.validate import validate

    compile_notice(workers=True)
    rows = validate(args.names or None, progress=_progress)
    print(format_table(rows, args.format))
    return 0 if all(r.ok for r in rows) else 1


def _cmd_models_validate(args) -> int:
    from .results.history import format_table
    from .results.models import validate

    compile_notice()
    rows = validate(progress=_progress)
    print(format_table(rows, args.format, first="model"))
    return 0 if all(r.ok for r in rows) else 1


def _number(lo: float, hi: float):
    """An argparse type: a finite number in [lo, hi], or a message that says so."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not lo <= value <= hi:  # also refuses nan
            raise argparse.ArgumentTypeError(f"{text} is outside {lo:g} to {hi:g}")
        return value

    return parse


def _cmd_prebreathe(args) -> int:
    from .results import prebreathe as pb
    from .scenario import load_scenario
    from .scenario.presets import WORKLOADS_W
    from .scenario.protocols import PROTOCOLS, with_break

    if args.list:
        for p in PROTOCOLS.values():
            print(
                f"{p.name:<18} {p.duration_min:>6.0f} min  {p.title}\n{'':<18} source: {p.source}"
            )
        return 0
    unknown = [n for n in args.protocol if n not in PROTOCOLS]
    if unknown or (args.break_protocol and args.break_protocol not in PROTOCOLS):
        bad = ", ".join(unknown or [args.break_protocol])
        print(
            f"error: unknown protocol {bad}; `spacewalk prebreathe --list` shows the library",
            file=sys.stderr,
        )
        return 1
    override = {
        "cabin_psi": args.cabin_psi,
        "cabin_o2": args.cabin_o2,
        "suit_psi": args.suit_psi,
        "eva_min": None if args.eva_h is None else args.eva_h * 60.0,
        "metabolic_W": args.metabolic_W or (WORKLOADS_W[args.workload] if args.workload else None),
        "protocols": tuple(args.protocol) or None,
    }
    if args.scenario:
        q = pb.question_from_scenario(load_scenario(args.scenario), **override)
    else:
        q = pb.Question(**{k: v for k, v in override.items() if v is not None})
    if args.break_min is not None:
        base = PROTOCOLS[args.break_protocol or "in-suit-4h"]
        try:
            extra = with_break(base, args.break_at or 0.0, args.break_min)
        except ValueError as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 1
        q = pb.Question(**{**q.__dict__, "extra": (extra,)})
    compile_notice()
    table = pb.answer(q)
    print(pb.format_text(q, table))
    if args.html:
        out = Path(args.html)
        from .results.runio import write_text

        write_text(out, pb.render_html(q, table))
        print(f"\nwrote {out}")
    return 0


def _cmd_compile(args) -> int:
    """Compile every kernel now, into Numba's cache: the engine's, its compiled stretch and
    the free flight's. For a machine that should not compile on a first run (a container
    image, a CI job) and for Python sessions that call ``simulate``, which never start the
    warm-up helper that compiles the stretch after a first ``spacewalk run``."""
    import time

    from .physics import jit
    from .results.simulation import simulate
    from .scenario import load_scenario
    from .sim import stretch, warm
    from .sim.plan import compile_plan

    if not jit.to_compile():
        print("every kernel is compiled (in Numba's cache); nothing to do")
        return 0
    print("compiling every kernel (about a minute on two cores, once) ...", file=sys.stderr)
    t0 = time.perf_counter()
    scenario = load_scenario("polaris-dawn")
    plan = compile_plan(scenario)
    warm.warm(plan)  # the engine's kernels
    simulate(scenario)  # and those it uses first (the timeline's, held crew's motion)
    warm.warm_stretch(plan)
    simulate(load_scenario("gemini-4-1965"))  # the free flight: a body on a tether
    left = jit.to_compile()
    if left:  # (a kernel registered with a notice that none of these runs reaches)
        print(f"error: still not compiled: {', '.join(left)}", file=sys.stderr)
        return 1
    ready = "ready" if stretch.ready() else "not ready"
    print(f"compiled every kernel in {time.perf_counter() - t0:.0f} s (the stretch {ready})")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="spacewalk", description="Simulate, plan and replay spacewalks (EVA)."
    )
    parser.add_argument("--version", action="version", version=f"spacewalk {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("run", help="simulate a scenario and write its run folder")
    p.add_argument(
        "scenario", help="a built-in scenario name (see `spacewalk scenarios`) or a .toml file"
    )
    p.add_argument("--out", help="output folder (default runs/NAME)")
    p.set_defaults(func=_cmd_run)
    p = sub.add_parser(
        "compile",
        help="compile every kernel now (a container image, or before `simulate` from Python)",
    )
    p.set_defaults(func=_cmd_compile)
    p = sub.add_parser("validate", help="check scenario files; every problem, then exit 1")
    p.add_argument("files", nargs="+", help="scenario files (or built-in names)")
    p.set_defaults(func=_cmd_validate)
    p = sub.add_parser("scenarios", help="list the built-in scenario library")
    p.set_defaults(func=_cmd_scenarios)
    p = sub.add_parser("report", help="rebuild report.html of a finished run folder")
    p.add_argument("folder", help="a run folder written by `spacewalk run` (e.g. runs/pd)")
    p.set_defaults(func=_cmd_report)
    p = sub.add_parser("history", help="the historic library against the record")
    hsub = p.add_subparsers(dest="history_command", required=True)
    h = hsub.add_parser(
        "validate",
        help="simulate the library and print documented against simulated figures; "
        "exit 1 if any fails",
    )
    h.add_argument("names", nargs="*", help="scenario names or files (default: the library)")
    h.add_argument("--format", choices=("text", "markdown"), default="text")
    h.set_defaults(func=_cmd_history_validate)
    p = sub.add_parser("models", help="the models against published data they were not set from")
    msub = p.add_subparsers(dest="models_command", required=True)
    m = msub.add_parser(
        "validate",
        help="model predictions against published figures, with each row's basis; "
        "exit 1 if any fails",
    )
    m.add_argument("--format", choices=("text", "markdown"), default="text")
    m.set_defaults(func=_cmd_models_validate)
    p = sub.add_parser(
        "prebreathe",
        help="what prebreathe does this cabin need: every protocol through the engine, "
        "the risk of each and the shortest that meets the NASA limit",
    )
    p.add_argument(
        "scenario", nargs="?", help="take the cabin, suit and EVA from this scenario (optional)"
    )
    p.add_argument("--cabin-psi", type=_number(3.0, 15.0), help="cabin pressure (default 14.7)")
    p.add_argument("--cabin-o2", type=_number(0.1, 1.0), help="cabin O2 fraction (default 0.21)")
    p.add_argument("--suit-psi", type=_number(2.0, 15.0), help="suit pressure (default 4.3)")
    p.add_argument("--eva-h", type=_number(0.05, 24.0), help="EVA length [h] (default 6.5)")
    work = p.add_mutually_exclusive_group()
    work.add_argument(
        "--workload",
        choices=("rest", "light", "moderate", "heavy", "very-heavy", "extreme"),
        help="work during the EVA (default moderate)",
    )
    work.add_argument("--metabolic-W", type=_number(50.0, 2000.0), help="work during the EVA [W]")
    p.add_argument(
        "--protocol", action="append", default=[], help="compare only these (repeatable)"
    )
    p.add_argument(
        "--break-min",
        type=_number(0.1, 600.0),
        help="add a candidate with an air break of this many minutes (the break rule)",
    )
    p.add_argument("--break-at", type=_number(0.0, 10000.0), help="minutes into the protocol")
    p.add_argument("--break-protocol", help="the protocol the break is in (default in-suit-4h)")
    p.add_argument("--html", help="also write a small report page to this file")
    p.add_argument("--list", action="store_true", help="list the protocol library and exit")
    p.set_defaults(func=_cmd_prebreathe)
    from .campaign.cli import add_parser as add_campaign
    from .catalogue.cli import add_parser as add_catalogue
    from .console.cli import add_parser as add_console

    add_catalogue(sub)
    add_campaign(sub)
    add_console(sub)
    args = parser.parse_args(argv)
    try:
        code = args.func(args)
        sys.stdout.flush()  # a closed pipe shows here, not at exit
        return code
    except BrokenPipeError:  # `spacewalk ... | head`: the reader has all it wanted
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, as a shell reports a writer killed by the pipe
    except ScenarioError as exc:
        print(exc, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except OSError as exc:  # a full disk, a read-only folder, a lost connection
        from .results.runio import os_error_text

        print(f"error: {os_error_text(exc)}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())

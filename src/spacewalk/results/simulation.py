"""The Python API: ``load_scenario``, ``simulate`` and the result of a run."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from ..scenario import Scenario, load_scenario
from ..scenario.channels import CHANNELS
from ..sim.engine import run_engine
from ..sim.plan import MOTION_MODES, compile_plan
from ..sim.subsystems.physiology import CONDITIONS
from .columns import BOOL_CHANNELS, Telemetry, dtype_of, event_records, events_frame
from .frames import to_xarray
from .summary import build_summaries, format_summary

if TYPE_CHECKING:
    import pandas as pd


class SimulationResult:
    """What a simulation returns.

    ``telemetry`` has one row per recorded time, run and crew member and one column per
    channel, with each column's unit in ``telemetry.attrs["units"]`` (see
    :data:`spacewalk.CHANNELS`); ``to_xarray()`` gives it as a Dataset over (run, time, crew).
    ``events`` is the event log with its ``run`` column. ``summaries`` holds every run's
    summary in run order and ``summary`` is run 0's; ``runs_frame()`` and ``crew_frame()`` are
    the summaries as tables with a ``run`` column.

    The engine's output is kept as columns (:mod:`spacewalk.results.columns`) and the two
    pandas frames are built when first asked for: writing a run folder needs neither.
    """

    def __init__(self, scenario: Scenario, telemetry, events, summaries: list | None = None):
        self.scenario = scenario
        self._telemetry = telemetry  # a Telemetry, or a DataFrame
        self._events = events  # the engine's records, or a DataFrame
        self.summaries = summaries if summaries is not None else []

    def __repr__(self) -> str:
        return (
            f"SimulationResult({self.scenario.scenario.name!r}, {len(self.summaries)} run(s), "
            f"{len(self._telemetry)} telemetry rows, {len(self._events)} events)"
        )

    @property
    def telemetry(self) -> pd.DataFrame:
        if isinstance(self._telemetry, Telemetry):
            self._telemetry = self._telemetry.frame()
        return self._telemetry

    @telemetry.setter
    def telemetry(self, frame: pd.DataFrame) -> None:
        self._telemetry = frame

    @property
    def events(self) -> pd.DataFrame:
        if isinstance(self._events, list):
            self._events = events_frame(event_records(self._events))
        return self._events

    @events.setter
    def events(self, frame: pd.DataFrame) -> None:
        self._events = frame

    @property
    def telemetry_source(self):
        """The telemetry as it is held: :class:`~spacewalk.results.columns.Telemetry` until
        ``telemetry`` is first asked for, the frame after."""
        return self._telemetry

    @property
    def events_source(self):
        """The event log as it is held: the engine's records, or the frame."""
        return self._events

    @property
    def summary(self) -> dict:
        return self.summaries[0]

    def runs_frame(self) -> pd.DataFrame:
        """One row per run: outcome, condition, status, durations and the worst peaks."""
        import pandas as pd

        return pd.DataFrame(
            [
                {
                    "run": sm["run"],
                    "outcome": sm["outcome"],
                    "condition": sm["condition"],
                    "status": sm["status"],
                    "sim_duration_min": sm["sim_duration_min"],
                    "eva_clock_min": sm["eva_clock_min"],
                    "alarms": len(sm["alarms"]),
                    **{f"peak_{k}": v for k, v in sm["peaks"].items()},
                }
                for sm in self.summaries
            ]
        )

    def to_xarray(self):
        """The telemetry as an ``xarray.Dataset`` with dimensions (run, time, crew) and each
        channel's unit and description as attributes (needs the ``xarray`` extra)."""
        return to_xarray(self.telemetry)

    def crew_frame(self) -> pd.DataFrame:
        """The summaries as a table: one row per run and crew member (outcome, time
        outside, limiting consumable, alarms, peaks)."""
        import pandas as pd

        rows = []
        for sm in self.summaries:
            for cid, c in sm["crew"].items():
                lim = c["limiting_consumable"] or {}
                rows.append(
                    {
                        "run": sm["run"],
                        "crew": cid,
                        "role": c["role"],
                        "outcome": c["outcome"],
                        "time_outside_min": c["time_outside_min"],
                        "limiting_consumable": lim.get("name"),
                        "limiting_time_left_min": lim.get("time_left_min"),
                        "alarms": c["alarms"],
                        **{f"peak_{k}": v for k, v in c["peaks"].items()},
                    }
                )
        return pd.DataFrame(rows)

    def consumables_frame(self) -> pd.DataFrame:
        """Every consumable at the end: one row per run, crew member and consumable."""
        import pandas as pd

        rows = [
            {"run": sm["run"], "crew": cid, "consumable": name, **item}
            for sm in self.summaries
            for cid, c in sm["crew"].items()
            for name, item in c["consumables"].items()
        ]
        return pd.DataFrame(rows)

    def text(self, run: int = 0) -> str:
        return format_summary(self.summaries[run])

    def write(self, folder: str | Path, *, report: bool = True) -> Path:
        from .runio import write_run

        return write_run(self, Path(folder), report=report)


def _telemetry(out) -> Telemetry:
    """The recorder's frames as columns, text channels as their names."""
    rec = out.recorder
    plan = out.plan
    names = ["run", "t_s", "crew", *[c.name for c in CHANNELS]]
    if rec is None or not rec.times:
        return Telemetry({n: np.zeros(0, dtype=dtype_of(n)) for n in names}, plan.crew_ids)
    n_t = len(rec.times)
    R, C = plan.runs, len(plan.crew_ids)
    t = np.repeat(np.asarray(rec.times), R * C)
    run = np.tile(np.repeat(np.arange(R), C), n_t)
    crew_idx = np.tile(np.arange(C), n_t * R)
    cols: dict[str, np.ndarray] = {"run": run.astype(np.int32), "t_s": t, "crew": crew_idx}
    labels = plan.labels
    width = max(len(x) for x in labels)
    table = np.array([row + [""] * (width - len(row)) for row in labels], dtype=object)
    frames = rec.frames(plan)
    for ch in CHANNELS:
        data = np.asarray(frames[ch.name]).reshape(-1)
        if ch.name == "activity":
            codes = data.astype(np.int64)
            data = np.where(codes < 0, "done", table[crew_idx, np.maximum(codes, 0)])
        elif ch.name == "location":
            data = np.asarray(plan.locations, dtype=object)[data.astype(np.int64)]
        elif ch.name == "condition":
            data = np.asarray(CONDITIONS, dtype=object)[data.astype(np.int64)]
        elif ch.name == "motion":
            data = np.asarray(MOTION_MODES, dtype=object)[data.astype(np.int64)]
        elif ch.name in BOOL_CHANNELS or ch.name == "alarms":
            data = data.astype(dtype_of(ch.name))
        else:
            data = data.astype(np.float64)
            data[~np.isfinite(data)] = np.nan
        cols[ch.name] = data
    return Telemetry(cols, plan.crew_ids)


def simulate(
    scenario: Scenario | str | Path, *, runs: int = 1, record: bool = True
) -> SimulationResult:
    """Simulate a scenario (an object, a built-in name or a TOML path).

    ``runs`` copies of the scenario go through the engine together as one batch (the Monte
    Carlo layer varies their parameters); ``record=False`` keeps only events and summaries.
    """
    if not isinstance(scenario, Scenario):
        scenario = load_scenario(scenario)
    if runs < 1:
        raise ValueError(f"runs must be at least 1, got {runs}")
    plan = compile_plan(scenario, runs)
    return result_of(scenario, run_engine(plan, record=record))


def result_of(scenario: Scenario, out, summaries: bool = True) -> SimulationResult:
    """Package an engine output as a :class:`SimulationResult` (without its summaries: an
    output taken before the end, whose telemetry and events alone are wanted)."""
    return SimulationResult(
        scenario=scenario,
        telemetry=_telemetry(out),
        events=list(out.events),
        summaries=build_summaries(out) if summaries else [],
    )

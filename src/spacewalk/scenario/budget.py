"""The resource budget of a run: what a scenario may ask of the machine.

A scenario is data anyone can write or upload, so its cost is bounded before it runs: the
engine steps of one run and the telemetry values it records (samples x crew x channels x
runs), each against the longest the run may last (``engine.max_duration_h``). A scenario over
the budget is refused at validation with the settings that bring it back in.
"""

from __future__ import annotations

from .channels import CHANNELS
from .model import Issue, Scenario

MAX_STEPS = 500_000  # engine steps of one run (about 4 min of CPU at ~0.5 ms a step)
MAX_RECORDED_VALUES = 20_000_000  # telemetry values held at once (~0.3 GB in a DataFrame)
BYTES_PER_VALUE = 16  # a float64 column value plus the frame's share of index and text


def recorded_values(scenario: Scenario, record_every_s: float | None = None, runs: int = 1) -> int:
    """Telemetry values a run may record: samples x crew x channels x runs."""
    every = record_every_s or scenario.engine.record_every_s
    samples = int(scenario.engine.max_duration_h * 3600.0 / every) + 1
    return samples * len(scenario.crew) * len(CHANNELS) * runs


def check(scenario: Scenario, record_every_s: float | None = None, runs: int = 1) -> list[Issue]:
    """The budget's problems, each naming the setting that fixes it (empty: within budget)."""
    eng = scenario.engine
    issues = []
    steps = eng.max_duration_h * 3600.0 / eng.dt_s
    if steps > MAX_STEPS:
        issues.append(
            Issue(
                "engine.dt_s",
                f"{steps:,.0f} steps of {eng.dt_s:g} s over max_duration_h = "
                f"{eng.max_duration_h:g} is over the budget of {MAX_STEPS:,} steps a run",
                f"set dt_s to at least {eng.max_duration_h * 3600.0 / MAX_STEPS:.3g} or lower "
                "engine.max_duration_h",
            )
        )
    values = recorded_values(scenario, record_every_s, runs)
    if values > MAX_RECORDED_VALUES:
        every = record_every_s or eng.record_every_s
        need = every * values / MAX_RECORDED_VALUES
        where = (
            "record_every_s" if record_every_s is None else "dt_s (the console records every step)"
        )
        issues.append(
            Issue(
                f"engine.{where.split(' ')[0]}",
                f"recording every {every:g} s for up to {eng.max_duration_h:g} h would hold "
                f"{values:,} telemetry values (~{values * BYTES_PER_VALUE / 1e9:.1f} GB), over "
                f"the budget of {MAX_RECORDED_VALUES:,}",
                f"set {where} to at least {need:.3g} s or lower engine.max_duration_h",
            )
        )
    return issues

"""Monte Carlo campaigns: dispersed runs in batches, a crash-proof Parquet store, risk.

::

    from spacewalk.campaign import run_campaign, load_runs, outcome_table, drivers
    run_campaign("sts-102-2001", "camp/", runs=10_000)
    runs = load_runs("camp/")                 # one row per run (pandas)
    outcome_table(runs)                       # P(outcome) with Wilson 95 % intervals
    drivers(runs, "consumable_limited")       # what drives it

See docs/campaigns.md.
"""

from .risk import drivers, event_table, margins, outcome_table, wilson_interval
from .store import CampaignError, load_runs, open_campaign

# running campaigns needs the engine (Numba kernels): loaded on first use
_LAZY = ("rerun", "resume_campaign", "run_campaign", "write_rerun")


def __getattr__(name: str):
    if name in _LAZY:
        from . import run

        value = getattr(run, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'spacewalk.campaign' has no attribute {name!r}")


__all__ = [
    "CampaignError",
    "drivers",
    "event_table",
    "load_runs",
    "margins",
    "open_campaign",
    "outcome_table",
    "rerun",
    "resume_campaign",
    "run_campaign",
    "wilson_interval",
    "write_rerun",
]

"""Monte Carlo campaigns: dispersed runs in batches, a crash-proof Parquet store, risk.

::

    from spacewalk.campaign import run_campaign, load_runs, outcome_table, drivers
    run_campaign("sts-102-2001", "camp/", runs=10_000)
    runs = load_runs("camp/")                 # one row per run (pandas)
    outcome_table(runs)                       # P(outcome) with Wilson 95 % intervals
    drivers(runs, "consumable_limited")       # what drives it

See docs/campaigns.md.
"""

# each name from its module on first use: the command line imports ``campaign.cli`` for its
# parser on every command, and a run must not pay for pandas' risk tables and the store
_LAZY = {
    "drivers": "risk",
    "event_table": "risk",
    "margins": "risk",
    "outcome_table": "risk",
    "wilson_interval": "risk",
    "CampaignError": "store",
    "load_runs": "store",
    "open_campaign": "store",
    "rerun": "run",
    "resume_campaign": "run",
    "run_campaign": "run",
    "write_rerun": "run",
}


def __getattr__(name: str):
    if name in _LAZY:
        from importlib import import_module

        value = getattr(import_module(f".{_LAZY[name]}", __name__), name)
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

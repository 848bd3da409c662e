"""Scenarios: the typed model of a spacewalk, its presets, checks and the built-in library.

No physics here: a scenario is data, parsed (never evaluated), validated and resolved.
``model`` (the pydantic model and its cross-checks), ``load`` (files, the library, plain
data back), ``presets`` (suits and workloads with sources), ``rules`` (the standard flight
rules), ``channels`` (the telemetry channel table), ``dispersions`` (campaign targets,
resolved and drawn).
"""

from .channels import CHANNEL_BY_NAME, CHANNELS, Channel
from .load import (
    ALIASES,
    library_dir,
    library_names,
    load_scenario,
    parse_toml,
    scenario_from_mapping,
    scenario_to_mapping,
)
from .model import (
    ACTIVITIES,
    DEFAULT_WORKLOAD,
    EVENT_ACTIVITIES,
    FAULT_KINDS,
    METRIC_PARAMS,
    Activity,
    CampaignSettings,
    CrewMember,
    Documented,
    Fault,
    FlightRule,
    Issue,
    Scenario,
    ScenarioError,
    Suit,
    utc_seconds,
)

__all__ = [
    "ACTIVITIES",
    "ALIASES",
    "CHANNELS",
    "CHANNEL_BY_NAME",
    "DEFAULT_WORKLOAD",
    "EVENT_ACTIVITIES",
    "FAULT_KINDS",
    "METRIC_PARAMS",
    "Activity",
    "CampaignSettings",
    "Channel",
    "CrewMember",
    "Documented",
    "Fault",
    "FlightRule",
    "Issue",
    "Scenario",
    "ScenarioError",
    "Suit",
    "library_dir",
    "library_names",
    "load_scenario",
    "parse_toml",
    "scenario_from_mapping",
    "scenario_to_mapping",
    "utc_seconds",
]

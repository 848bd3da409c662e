"""spacewalk: simulate, plan and replay spacewalks (EVA).

The public API is small::

    from spacewalk import load_scenario, simulate
    result = simulate(load_scenario("polaris-dawn"))
    result.telemetry      # pandas DataFrame, one row per time and crew member
    result.events         # the event log
    result.summary        # outcome, phases, consumables, limiting consumable, peaks, alarms
    result.write("runs/pd")

See ``CHANNELS`` for the telemetry channels and their units.
"""

from .scenario import Issue as Issue  # noqa: E402
from .scenario import Scenario as Scenario  # noqa: E402
from .scenario import ScenarioError as ScenarioError  # noqa: E402
from .scenario import library_names as library_names  # noqa: E402
from .scenario import load_scenario as load_scenario  # noqa: E402
from .scenario import parse_toml as parse_toml  # noqa: E402
from .scenario.channels import CHANNELS as CHANNELS  # noqa: E402
from .scenario.channels import Channel as Channel  # noqa: E402
from .scenario.presets import SUITS as SUITS  # noqa: E402
from .scenario.presets import WORKLOADS_W as WORKLOADS_W  # noqa: E402
from .version import __version__ as __version__

__all__ = [
    "CHANNELS",
    "Channel",
    "Issue",
    "SUITS",
    "Scenario",
    "ScenarioError",
    "SimulationResult",
    "WORKLOADS_W",
    "library_names",
    "load_scenario",
    "parse_toml",
    "read_run",
    "simulate",
]

# The engine (NumPy kernels compiled by Numba) loads on first use, so that commands which do
# not simulate (the catalogue, validate) start at once.
_LAZY = {
    "read_run": "results.runio",
    "SimulationResult": "results.simulation",
    "simulate": "results.simulation",
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'spacewalk' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))

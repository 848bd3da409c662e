"""The engine's subsystems, one module each, stepped in this order by
:func:`spacewalk.sim.engine.run_engine`:

``faults`` -> ``timeline`` -> motion (:mod:`spacewalk.sim.crewmotion`) -> ``vessels`` ->
``suitgas`` (pressure and O2) -> ``co2`` -> ``thermal`` (heat and water) -> ``power`` ->
``tissue`` (nitrogen, at its own rate) -> ``physiology`` -> ``rules``.

Each module has a typed state (a dataclass of arrays shaped (runs, crew, ...)), an ``init``
from the compiled plan and a ``step`` that takes the state, the plan, what it needs from
the other subsystems this step, and the time, and returns the state with the events it
emitted (:class:`spacewalk.sim.events.Emit`). Steps update the state's arrays in place and
return it; a test can build a state by hand and step a subsystem alone.
"""

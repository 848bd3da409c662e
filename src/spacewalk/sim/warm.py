"""A first run compiles the engine's kernels (Numba, cached on disk after); on a machine with
two cores or more a helper process compiles them from the last the engine uses to the first
while the command compiles them from the first (Polaris Dawn's first run: 6.6 s instead of
9.5 s on two cores). Each kernel the helper has cached when the command reaches it is
loaded, not compiled again. Then the helper compiles the engine's compiled stretch
(:mod:`spacewalk.sim.stretch`, 12-15 s), which no run waits for: it goes on after the
command has finished, and later runs use it.

Best effort: the helper calls the kernels with arrays of the engine's types and shapes
(their values are not a simulation's), writes nothing but Numba's cache and prints nothing.
It starts only when a kernel is not in the cache, and one runs at a time (a lock file)."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile

try:
    import fcntl
except ImportError:  # not on a POSIX system: no helper (the engine steps in Python)
    fcntl = None

import numpy as np

from ..physics import jit
from . import body, stretch
from .engine import Engine, StepGas
from .plan import Plan
from .stretch import all_over
from .subsystems import physiology, rules, timeline, vessels
from .subsystems.timeline import TimelineNow

_LOCK = os.path.join(tempfile.gettempdir(), f"spacewalk-warm-{getattr(os, 'getuid', int)()}.lock")


def _now(eng: Engine) -> TimelineNow:
    """A timeline step of the engine's types (every crew member in slot 0)."""
    shape = (eng.R, eng.C)
    i, f, b = np.zeros(shape, np.int64), np.zeros(shape), np.zeros(shape, np.bool_)
    return TimelineNow(
        slot=i, kind=i.copy(), ready=b, is_return=b.copy(), dur_s=f, flat_r=i.copy(),
        target_Pa=f.copy(), at_hatch=b.copy(), envelope_m=f.copy(), recharged=b.copy(),
        doffed=b.copy(), hatch_v=i.copy(), equalise_to=np.full(shape, -1, np.int64),
    )  # fmt: skip


def warm(plan: Plan) -> None:
    """Compile (or load) the engine's kernels for ``plan``, the last used first (the step's
    end, tallies, rules and a terminate's jump, physiology, tissues, value channels, gas and
    body subsystems, vessels, and the timeline's check before a hatch closes)."""
    eng = Engine(plan, record=False, events=False)
    now, tl, b = _now(eng), eng.tl, eng.body
    water = eng.vbuf[0]  # (any (R, C) row: the types are what counts)
    all_over(tl.done, tl.lost, tl.incapacitated, tl.adrift, tl.loc, eng.pio2, eng.ppco2,
             water, water, eng.busy.copy())  # fmt: skip
    vloc = timeline.vessel_of(tl, plan)
    p_ves = vessels.pressure_Pa(eng.ves, plan)
    g = StepGas(tl.suited, p_ves)
    eng.tally.add(eng.vbuf, b.live, b.outside, g.suited, 0.0, eng.dt, 0.0)
    # also with no flight rules (their table is empty, of the same types): a kernel left
    # uncompiled would start this helper again on every later run
    fires = np.empty(eng.rs.fired.shape, np.bool_)
    rules.check(eng.rs, eng.rt, plan, eng.vbuf, tl.suited, b.outside, b.live, fires)
    nobody = np.zeros(tl.act.shape, np.bool_)  # a terminate's jump, moving nobody
    timeline._jump(tl, plan, nobody, tl.act, tl.act, 0.0, timeline.TERMINATED)
    timeline._someone_out(tl, timeline.hatch_vessel(tl, plan), plan)  # before a hatch closes
    physiology.calm(eng.ph, eng.pio2, eng.ppco2, eng.pio2, eng.ppco2, b.live)
    eng._tissue()
    eng._values(now, g)
    body.step(eng, now, vloc, p_ves, 0.0, 0.0)
    vessels.step(eng.ves, plan, vloc, now.depress, now.repress, now.target_Pa, tl.hatch_open,
                 eng.dt, now.equalise_to)  # fmt: skip
    # the motion and the timeline come first in a run: the command compiles them


def warm_stretch(plan: Plan) -> None:
    """Compile (or load) the engine's compiled stretch (:mod:`spacewalk.sim.stretch`) for
    ``plan``'s types: called for no step, it changes nothing."""
    eng = Engine(plan, record=True, events=False)
    stretch._run(*stretch.arguments(eng, eng.step_index - 1))


def start(scenario) -> subprocess.Popen | None:
    """Start the helper for ``scenario`` if an engine kernel or the compiled stretch is not
    in the cache and the process may use two cores; None otherwise."""
    todo = jit.to_compile()
    if fcntl is None or (jit.ENGINE_NOTICE not in todo and stretch.NOTICE not in todo):
        return None
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    if cores < 2:
        return None
    import tomli_w

    from ..scenario.load import scenario_to_mapping

    text = tomli_w.dumps(scenario_to_mapping(scenario))
    proc = subprocess.Popen(
        [sys.executable, "-c", "import sys; from spacewalk.sim.warm import main; main()"],
        stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        proc.stdin.write(text.encode())
        proc.stdin.close()
    except OSError:
        proc.kill()
        return None
    return proc


def still_compiling(proc: subprocess.Popen | None) -> bool:
    """Whether the helper goes on after the command: it compiles the stretch, which the
    command never waits for. The process the command started hands the work to a detached
    one at once (:func:`main`) and is reaped here; the lock says whether that one works."""
    if proc is None:
        return False
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
        return False
    try:
        lock = open(_LOCK, "a")  # noqa: SIM115 (closed below; a failed open is not an error)
    except OSError:  # no lock file (a read-only temp folder): no helper to tell of
        return False
    with lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return True
        fcntl.flock(lock, fcntl.LOCK_UN)
    return False


def main() -> None:
    """The helper: a scenario's TOML on stdin. One at a time per user (a lock file): a
    second command while the first's helper compiles leaves it to that one. The process
    the command started forks the one that works, holding the lock, and ends: the worker
    goes on after the command, and nobody waits for it."""
    from ..scenario import parse_toml
    from .plan import compile_plan

    text = sys.stdin.read()
    with open(_LOCK, "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            return
        if os.fork() > 0:  # (the lock stays held: the child has the same open file)
            os._exit(0)
        os.setsid()  # no longer the command's: its terminal's signals do not reach it
        plan = compile_plan(parse_toml(text, "warm-up"))
        warm(plan)
        warm_stretch(plan)

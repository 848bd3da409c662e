"""Issue 21: the engine's compiled stretch (sim/stretch.py) is the engine's Python step,
number for number. Each case runs twice, with stretches and with the Python step alone, and
the telemetry, events and summaries must be the same to the last bit: nominal EVAs, the
faults that stop a stretch at each of its phases (a subsystem's event, a crew member exposed,
a rule firing, a terminate), a batch of dispersed runs, and the console's clock."""

import json

import numpy as np
import pandas as pd
import pytest

from spacewalk import load_scenario, simulate
from spacewalk.scenario import Fault
from spacewalk.sim import engine, stretch, warm
from spacewalk.sim.plan import compile_plan

from .helpers import edited


@pytest.fixture(scope="module", autouse=True)
def compiled():
    """The stretch compiled (12-15 s the first time; the warm-up helper's job after a
    first run)."""
    warm.warm_stretch(compile_plan(load_scenario("polaris-dawn")))
    assert stretch.ready()


def _both(monkeypatch, run):
    """``run()`` with stretches (counting the steps they take) and without."""
    taken = []
    real = stretch._run

    def counting(*args):
        out = real(*args)
        taken.append(out[0])
        return out

    with monkeypatch.context() as m:
        m.setattr(stretch, "_run", counting)
        fast = run()
    with monkeypatch.context() as m:
        m.setattr(engine.Engine, "_stretch_ok", lambda self: False)
        slow = run()
    return fast, slow, sum(taken)


def _text(x) -> str:
    return json.dumps(x, sort_keys=True, default=repr)


def _same(a, b):
    pd.testing.assert_frame_equal(a.telemetry, b.telemetry, check_exact=True)
    assert _text(a.events) == _text(b.events)
    assert _text(a.summary) == _text(b.summary)


EMU_FAULTS = [
    [],  # nominal, 8 h
    [{"kind": "regulator-failure", "crew": "ev1", "at_min": 120}],  # flags, rules, abort
    [{"kind": "suit-leak", "crew": "ev2", "at_min": 90, "hole_diameter_mm": 3.0}],  # exposed
    [{"kind": "fan-failure", "crew": "ev1", "at_min": 100}],  # CO2: physiology, rules
    [{"kind": "scrubber-exhausted", "crew": "ev2", "at_min": 60}],
    [{"kind": "water-intrusion", "crew": "ev1", "at_min": 45, "rate_mL_min": 30}],
]


@pytest.mark.parametrize("faults", EMU_FAULTS, ids=lambda f: f[0]["kind"] if f else "nominal")
def test_a_stretch_is_the_python_step(monkeypatch, emu_toml, faults):
    def edit(d):
        d["faults"] = faults

    sc = edited(emu_toml, edit)
    fast, slow, taken = _both(monkeypatch, lambda: simulate(sc))
    _same(fast, slow)
    steps = len(fast.telemetry) // 2 * 3  # records every 30 s of 10-s steps, two crew
    assert taken > 0.8 * steps  # most steps were compiled stretches


def test_a_timeline_is_compiled_but_a_hatch_opening(monkeypatch, emu_toml):
    """In a stretch the timeline starts the activities of held bodies (a suit-up, a depress,
    a translation, a task, a doff), ends moves through hatches, a hatch close (held while a
    partner is still outside) and the return, and passes sunrises and sunsets (the events
    the same as the Python step's: the tests above); the engine's Python takes the step
    that opens the hatch."""
    calls = []
    real = engine.Engine._timeline

    def counting(self, t):
        calls.append(t)
        return real(self, t)

    monkeypatch.setattr(engine.Engine, "_timeline", counting)
    res = simulate(edited(emu_toml, lambda d: None))
    told = res.events.code.value_counts()
    assert told["activity-start"] > 20 and told["sunrise"] + told["sunset"] >= 6
    assert told["egress"] == told["ingress"] == 2 and told["hatch-closed"] == 1
    assert res.events.t_s[res.events.code == "hatch-open"].tolist() == calls


@pytest.mark.parametrize("name", ["polaris-dawn", "sts-61-1993", "mir-1997", "sts-88-1998"])
def test_the_library_is_the_same_with_stretches(monkeypatch, name):
    fast, slow, taken = _both(monkeypatch, lambda: simulate(name))
    _same(fast, slow)
    assert taken > 0


def test_a_batch_and_a_lost_crew_member_are_the_same(monkeypatch):
    """A dispersed batch (runs stopping stretches at different steps) and STS-61 with a
    30-mm hole 2 h into the second EVA: Akers dies outside, Thornton comes in alone."""
    from spacewalk.campaign.execute import _scenario, simulate_runs
    from spacewalk.campaign.rows import rows_from_output
    from spacewalk.scenario.load import library_dir

    text = (library_dir() / "sts-102-2001.toml").read_text()
    sc, groups = _scenario(text)
    runs = np.arange(40)

    def batch():
        out, values = simulate_runs(sc, groups, 2001, runs, events=True)
        return rows_from_output(out, runs, 2001, values, []), out.events

    (fast, fast_log), (slow, slow_log), taken = _both(monkeypatch, batch)
    pd.testing.assert_frame_equal(fast, slow, check_exact=True)
    # the activities the stretches start, logged in the order the Python step logs them
    assert _text(fast_log) == _text(slow_log)
    assert sum(e["code"] == "activity-start" for e in fast_log) > 40 * 20
    assert taken > 0
    leak = load_scenario("sts-61-1993").model_copy(
        update={"faults": [Fault(kind="suit-leak", crew="akers", at_min=1594, hole_diameter_mm=30)]}
    )
    fast, slow, taken = _both(monkeypatch, lambda: simulate(leak))
    _same(fast, slow)
    assert fast.summary["crew"]["akers"]["outcome"] == "loss-of-crew"
    # the dead need nobody: Thornton's way in and the others' wait run in stretches (3,382
    # steps); the mission then stands down, its later EVAs not begun
    assert taken > 3_000
    assert fast.summary["crew"]["thornton"]["outcome"] == "terminated"
    assert set(fast.events.crew[fast.events.code == "stand-down"]) == {
        "musgrave", "hoffman", "thornton"
    }  # fmt: skip


def test_the_consoles_clock_stops_a_stretch_where_it_says(monkeypatch):
    """``Engine.run(until_s)`` (the live console) ends at the step that starts at
    ``until_s``, with or without stretches, and goes on from there the same."""

    def run():
        eng = engine.Engine(compile_plan(load_scenario("polaris-dawn")))
        marks = []
        for until in (600.0, 605.0, 3333.0, 7200.0):
            eng.run(until_s=until)
            marks.append((eng.step_index, eng.t))
        eng.run()
        return marks, eng.output()

    (marks_a, a), (marks_b, b), _ = _both(monkeypatch, run)
    dt = load_scenario("polaris-dawn").engine.dt_s
    assert dt == 5.0
    assert marks_a == marks_b
    # the last step taken starts at until_s (600 s and 605 s), or just before it (3333 s)
    assert marks_a[:3] == [(121, 600.0), (122, 605.0), (667, 3330.0)]
    for k in a.recorder.raw:
        np.testing.assert_array_equal(
            np.concatenate(a.recorder.raw[k]), np.concatenate(b.recorder.raw[k])
        )
    assert _text(a.events) == _text(b.events)


def test_a_depress_held_for_someone_unsuited_is_the_same(monkeypatch, emu_toml):
    """The stretch's own check before a vessel vents (sim/stretch.py ``_depress``): a third
    crew member, unsuited, stays in the airlock, so the depress is held (said once) and the
    held crew wait; the same with and without stretches."""

    def edit(d):
        d["crew"].append({"id": "iv", "role": "inside"})
        d["timeline"]["iv"] = [{"activity": "enter-airlock", "duration_min": 5}]
        d["engine"]["max_duration_h"] = 2.0

    sc = edited(emu_toml, edit)
    fast, slow, taken = _both(monkeypatch, lambda: simulate(sc))
    _same(fast, slow)
    assert (fast.events.code == "depress-held").sum() == 2 and taken > 500

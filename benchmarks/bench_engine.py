"""Engine speed: an 8-hour two-crew EMU EVA, alone and as a batch of 1,000 runs, side by
side with Basilisk (``bsk`` from PyPI) propagating one spacecraft for the same 8 hours at the
same 10 s step, in the same process.

Basilisk has no EVA life support, so the reference is its cheapest comparable workload: a
spacecraft hub under point-mass gravity with a state recorder, the core loop of
``scenarioBasicOrbit``. The ratio says how our whole EVA step (timeline, gas, suits, DCS,
rules, telemetry) compares with Basilisk's bare dynamics step.

    python benchmarks/bench_engine.py           # prints the figures
"""

from __future__ import annotations

import statistics
import time
import tomllib
from pathlib import Path

import tomli_w

from spacewalk import parse_toml, simulate

HERE = Path(__file__).resolve().parent
EIGHT_HOURS_S = 8 * 3600.0


def eight_hour_eva():
    data = tomllib.loads((HERE.parent / "tests" / "data" / "emu-nominal.toml").read_text())
    for cid in ("ev1", "ev2"):
        for act in data["timeline"][cid]:
            if act.get("label") == "worksite tasks":
                act["duration_min"] = 374  # the EVA clock comes to ~8 h
    data["engine"]["max_duration_h"] = 9.0
    return parse_toml(tomli_w.dumps(data), "8-hour EVA")


def best_of(fn, repeat):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times), statistics.median(times)


def basilisk_8h(dt_s=10.0):
    from Basilisk.simulation import spacecraft
    from Basilisk.utilities import SimulationBaseClass, macros, orbitalMotion, simIncludeGravBody

    sim = SimulationBaseClass.SimBaseClass()
    proc = sim.CreateNewProcess("dyn")
    proc.addTask(sim.CreateNewTask("task", macros.sec2nano(dt_s)))
    sc = spacecraft.Spacecraft()
    sim.AddModelToTask("task", sc)
    grav = simIncludeGravBody.gravBodyFactory()
    earth = grav.createEarth()
    earth.isCentralBody = True
    grav.addBodiesTo(sc)
    oe = orbitalMotion.ClassicElements()
    oe.a, oe.e, oe.i = 6778e3, 0.0005, 51.6 * macros.D2R
    oe.Omega, oe.omega, oe.f = 0.0, 0.0, 0.0
    r, v = orbitalMotion.elem2rv(earth.mu, oe)
    sc.hub.r_CN_NInit, sc.hub.v_CN_NInit = r, v
    rec = sc.scStateOutMsg.recorder(macros.sec2nano(30.0))
    sim.AddModelToTask("task", rec)
    sim.InitializeSimulation()
    sim.ConfigureStopTime(macros.sec2nano(EIGHT_HOURS_S))
    sim.ExecuteSimulation()


def main():
    scenario = eight_hour_eva()
    res = simulate(scenario)
    sim_h = res.summary["sim_duration_min"] / 60
    print(
        f"scenario: 8-hour two-crew EMU EVA ({sim_h:.2f} h simulated, dt {scenario.engine.dt_s:g} s)"
    )
    one, one_med = best_of(lambda: simulate(scenario), 5)
    print(f"spacewalk, 1 run with telemetry:      {one:7.3f} s (median {one_med:.3f})")
    batch, _ = best_of(lambda: simulate(scenario, runs=1000, record=False), 1)
    print(
        f"spacewalk, 1,000 runs as one batch:   {batch:7.3f} s ({batch / 1000 * 1e3:.2f} ms per run)"
    )
    try:
        bsk, bsk_med = best_of(basilisk_8h, 5)
    except ImportError as exc:
        print(f"Basilisk not importable ({exc}); install it with `pip install bsk` for the ratios")
        return
    print(f"Basilisk, 1 spacecraft, 8 h, dt 10 s: {bsk:7.3f} s (median {bsk_med:.3f})")
    print(f"ratio, 1 run (spacewalk / Basilisk):        {one / bsk:6.2f}")
    print(f"ratio, per run in the batch of 1,000:       {batch / 1000 / bsk:6.4f}")


if __name__ == "__main__":
    main()

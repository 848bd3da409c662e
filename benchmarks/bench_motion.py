"""Motion speed: one free-flying crew member with an MMU for one hour at 10 Hz, side by side
with Basilisk (``bsk`` from PyPI) in the same process, then the batched path.

Both tools integrate a 6-DOF rigid body (crew member + EMU + MMU mass and inertia from
``spacewalk.physics.maneuvering``) under orbital gravity with the MMU's 24 thrusters (same geometry,
7.5 N each) at a 0.1 s step with RK4:

* spacewalk: Clohessy-Wiltshire relative motion, and its own pulsed-thruster controller
  flying a 98 m out-and-back with attitude hold (the controller is part of the measured work);
* Basilisk: a ``Spacecraft`` hub under point-mass Earth gravity with a
  ``ThrusterDynamicEffector`` of the same 24 thrusters, fed a fixed on-time command (no
  flight software: Basilisk does less work per step than spacewalk here).

    python benchmarks/bench_motion.py           # prints the figures
"""

from __future__ import annotations

import numpy as np

from bench_engine import best_of  # the same timing helper (benchmarks/ is on sys.path)
from spacewalk.physics.maneuvering import UNITS, suited_mass_properties
from spacewalk.physics.motion import Bodies
from spacewalk.physics.orbit import MU_EARTH_M3_S2, R_EARTH_M

DT_S = 0.1
HOUR_STEPS = 36_000
N_MEAN = float(np.sqrt(MU_EARTH_M3_S2 / (R_EARTH_M + 420e3) ** 3))
UNIT = UNITS["mmu"]
MASS_KG, INERTIA = suited_mass_properties(75.0, 124.7, UNIT)


def crew_bodies(n: int) -> Bodies:
    b = Bodies(n, units=[UNIT])
    b.set_circular(N_MEAN)
    b.free[:] = b.tctl[:] = b.actl[:] = True
    b.unit[:] = 0
    b.mass[:] = MASS_KG
    b.inertia[:] = np.diag(INERTIA)
    b.prop[:] = UNIT.propellant_kg
    b.a_brake[:] = 0.5 * UNIT.translation_accel_m_s2(MASS_KG)
    b.y[:, 12] = N_MEAN
    b.p_tgt[:] = [0.0, 98.0, 0.0]
    # spread the runs a little, as a Monte Carlo batch would
    b.y[:, 0:3] = np.random.default_rng(1).normal(0.0, 0.5, (n, 3))
    return b


def spacewalk_hour(n: int = 1) -> None:
    b = crew_bodies(n)
    for leg in range(2):  # out to 98 m, then home: 18,000 steps each
        b.p_tgt[:] = [0.0, 98.0, 0.0] if leg == 0 else [0.0, 0.0, 0.0]
        b.arrived[:] = False  # a new target, as the engine sets one
        b.advance(HOUR_STEPS // 2, DT_S)


def basilisk_sim():
    """Basilisk's free-flyer: a hub with the MMU's 24 thrusters under point-mass gravity."""
    from Basilisk.architecture import messaging
    from Basilisk.simulation import spacecraft, thrusterDynamicEffector
    from Basilisk.utilities import (
        SimulationBaseClass,
        macros,
        orbitalMotion,
        simIncludeGravBody,
        simIncludeThruster,
    )

    sim = SimulationBaseClass.SimBaseClass()
    proc = sim.CreateNewProcess("dyn")
    proc.addTask(sim.CreateNewTask("task", macros.sec2nano(DT_S)))
    sc = spacecraft.Spacecraft()
    sc.hub.mHub = MASS_KG
    sc.hub.IHubPntBc_B = np.diag(INERTIA).tolist()
    sim.AddModelToTask("task", sc)
    grav = simIncludeGravBody.gravBodyFactory()
    earth = grav.createEarth()
    earth.isCentralBody = True
    grav.addBodiesTo(sc)
    oe = orbitalMotion.ClassicElements()
    oe.a, oe.e, oe.i = R_EARTH_M + 420e3, 0.0001, 51.6 * macros.D2R
    oe.Omega, oe.omega, oe.f = 0.0, 0.0, 0.0
    r, v = orbitalMotion.elem2rv(earth.mu, oe)
    sc.hub.r_CN_NInit, sc.hub.v_CN_NInit = r, v
    factory = simIncludeThruster.thrusterFactory()
    for pos, d in zip(UNIT.positions_m, UNIT.directions, strict=True):
        factory.create("MOOG_Monarc_1", pos.tolist(), (-d).tolist(), MaxThrust=UNIT.thrust_N)
    thr = thrusterDynamicEffector.ThrusterDynamicEffector()
    factory.addToSpacecraft("mmu", thr, sc)
    sim.AddModelToTask("task", thr)
    on = [0.0] * len(UNIT.positions_m)
    for k in range(4):  # a translation pulse train on four thrusters
        on[k] = 0.1
    cmd = messaging.THRArrayOnTimeCmdMsg().write(
        messaging.THRArrayOnTimeCmdMsgPayload(OnTimeRequest=on)
    )
    thr.cmdsInMsg.subscribeTo(cmd)
    sim.keep = [sc, thr, cmd, grav, factory]  # Python references the C++ side needs alive
    return sim


def basilisk_execute(sim) -> None:
    from Basilisk.utilities import macros

    sim.InitializeSimulation()
    sim.ConfigureStopTime(macros.sec2nano(HOUR_STEPS * DT_S))
    sim.ExecuteSimulation()


def basilisk_hour() -> None:
    from Basilisk.utilities import macros

    sim = basilisk_sim()
    rec = sim.keep[0].scStateOutMsg.recorder(macros.sec2nano(10.0))
    sim.AddModelToTask("task", rec)
    basilisk_execute(sim)


def main():
    spacewalk_hour(1)  # compile (numba caches the machine code on disk)
    spacewalk_hour(64)
    one, one_med = best_of(lambda: spacewalk_hour(1), 5)
    print(f"workload: 1 h of a free-flying crew member with an MMU at 10 Hz ({HOUR_STEPS} steps)")
    print(
        f"spacewalk, 1 run:                 {one:7.4f} s (median {one_med:.4f}), "
        f"{HOUR_STEPS / one:,.0f} steps/s"
    )
    try:
        bsk, bsk_med = best_of(basilisk_hour, 3)
    except ImportError:
        bsk = bsk_med = float("nan")
        print("Basilisk (bsk) is not installed: pip install bsk")
    print(
        f"Basilisk, 1 run:                  {bsk:7.4f} s (median {bsk_med:.4f}), "
        f"{HOUR_STEPS / bsk:,.0f} steps/s"
    )
    print(f"ratio, 1 run (Basilisk time / spacewalk time): {bsk / one:8.1f}")
    for n in (1000, 4000):
        runs_t, _ = best_of(lambda n=n: spacewalk_hour(n), 2)
        rate = n * HOUR_STEPS / runs_t
        print(
            f"spacewalk, {n:,} runs as one batch: {runs_t:7.3f} s, {rate / 1e6:6.1f} M run-steps/s"
        )


if __name__ == "__main__":
    main()

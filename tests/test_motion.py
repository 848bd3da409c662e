"""Motion near the vehicle against closed forms, conservation laws and published figures."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import solve_ivp
from scipy.spatial.transform import Rotation

from spacewalk.physics.maneuvering import UNITS, suited_mass_properties
from spacewalk.physics.motion import Bodies
from spacewalk.physics.orbit import MU_EARTH_M3_S2, R_EARTH_M
from spacewalk.units import G0

R0_M = R_EARTH_M + 420e3  # a 420 km circular reference orbit
N_420 = np.sqrt(MU_EARTH_M3_S2 / R0_M**3)
PERIOD_420_S = 2 * np.pi / N_420


def cw_closed_form(r0, v0, n, t):
    """Clohessy and Wiltshire (1960), J. Aerospace Sci. 27(9); Vallado, *Fundamentals of
    Astrodynamics and Applications*, 4th ed., algorithm 48 (HILLSR). x radial, y along-track."""
    x0, y0, z0 = r0
    u0, v0_, w0 = v0
    c, s, nt = np.cos(n * t), np.sin(n * t), n * t
    x = (4 - 3 * c) * x0 + s / n * u0 + 2 / n * (1 - c) * v0_
    y = 6 * (s - nt) * x0 + y0 - 2 / n * (1 - c) * u0 + (4 * s - 3 * nt) / n * v0_
    z = c * z0 + s / n * w0
    u = 3 * n * s * x0 + c * u0 + 2 * s * v0_
    v = 6 * n * (c - 1) * x0 - 2 * s * u0 + (4 * c - 3) * v0_
    w = -n * s * z0 + c * w0
    return np.array([x, y, z]), np.array([u, v, w])


def drift(bodies: Bodies, seconds: float, dt: float = 0.1) -> None:
    bodies.free[:] = True
    bodies.advance(round(seconds / dt), dt)


def test_free_drift_matches_clohessy_wiltshire_over_an_orbit():
    r0, v0 = np.array([3.0, -20.0, 1.5]), np.array([0.02, -0.01, 0.015])
    b = Bodies(1)
    b.set_circular(N_420)
    b.y[0, 0:3], b.y[0, 3:6] = r0, v0
    drift(b, PERIOD_420_S)
    r_ref, v_ref = cw_closed_form(r0, v0, N_420, round(PERIOD_420_S / 0.1) * 0.1)
    assert np.abs(b.r[0] - r_ref).max() < 1e-3  # 1 mm after 92.6 min
    assert np.abs(b.v[0] - v_ref).max() < 1e-6


def inertial_truth(rel_r, rel_v, t_end):
    """Relative motion from two independent inertial two-body integrations (DOP853)."""
    n = N_420

    def rhs(_t, s):
        r = s[:3]
        return np.concatenate([s[3:], -MU_EARTH_M3_S2 * r / np.linalg.norm(r) ** 3])

    rc0 = np.array([R0_M, 0, 0])
    vc0 = np.array([0, R0_M * n, 0])
    omega = np.array([0, 0, n])
    rd0 = rc0 + rel_r
    vd0 = vc0 + rel_v + np.cross(omega, rel_r)
    kw = dict(method="DOP853", rtol=1e-13, atol=1e-7)
    d = solve_ivp(rhs, (0, t_end), np.concatenate([rd0, vd0]), **kw).y[:, -1]
    c = solve_ivp(rhs, (0, t_end), np.concatenate([rc0, vc0]), **kw).y[:, -1]
    xh = c[:3] / np.linalg.norm(c[:3])
    zh = np.cross(c[:3], c[3:])
    zh /= np.linalg.norm(zh)
    yh = np.cross(zh, xh)
    return np.array([xh, yh, zh]) @ (d[:3] - c[:3])


@pytest.mark.parametrize("scale, cw_close", [(1.0, True), (2000.0, False)])
def test_nonlinear_and_linear_agree_near_and_part_far(scale, cw_close):
    r0 = np.array([1.0, 4.0, -0.5]) * scale / 4.0
    v0 = np.array([0.0, -2 * N_420 * r0[0], 0.3 * N_420 * r0[2]])  # near a CW-periodic start
    t_end = round(PERIOD_420_S / 0.1) * 0.1
    runs = {}
    for model in ("cw", "nonlinear"):
        b = Bodies(1)
        if model == "cw":
            b.set_circular(N_420)
        else:
            b.set_chief(R0_M, 0.0, R0_M**2 * N_420, N_420)
        b.y[0, 0:3], b.y[0, 3:6] = r0, v0
        drift(b, t_end)
        runs[model] = b.r[0].copy()
    truth = inertial_truth(r0, v0, t_end)
    # the exact relative equations match two-body truth at any range (1 cm)
    assert np.abs(runs["nonlinear"] - truth).max() < 0.01
    gap = np.abs(runs["cw"] - runs["nonlinear"]).max()
    if cw_close:
        assert gap < 1e-3  # 4 m apart: linearisation error below a millimetre
    else:
        assert gap > 10.0  # 2 km apart: the linear model is off by tens of metres


def test_torque_free_tumbling_conserves_energy_and_momentum():
    b = Bodies(1)
    b.set_circular(N_420)
    inertia = np.array([96.8, 118.0, 54.7])  # crew member with an MMU (maneuvering.py)
    b.inertia[0] = np.diag(inertia)
    b.y[0, 10:13] = [0.05, 0.4, 0.08]  # near the unstable intermediate axis: it flips
    w0 = b.w[0].copy()
    drift(b, 3600.0)
    w1 = b.w[0]

    def energy(w):
        return 0.5 * np.sum(inertia * w**2)

    def momentum(w):
        return np.linalg.norm(inertia * w)

    assert abs(energy(w1) / energy(w0) - 1) < 1e-7
    assert abs(momentum(w1) / momentum(w0) - 1) < 1e-7
    assert abs(np.linalg.norm(b.q[0]) - 1) < 1e-12


def test_symmetric_body_precesses_at_the_analytic_rate():
    """Euler's equations for I1 = I2: the transverse rate turns at (I3 - I1) / I1 * w3."""
    b = Bodies(1)
    b.inertia[0] = np.diag([10.0, 10.0, 16.0])
    b.y[0, 10:13] = [0.1, 0.0, 0.5]
    t = 60.0
    drift(b, t)
    omega = (16.0 - 10.0) / 10.0 * 0.5
    angle = np.arctan2(b.w[0, 1], b.w[0, 0])
    expected = (omega * t + np.pi) % (2 * np.pi) - np.pi
    assert abs(angle - expected) < 1e-6
    assert abs(np.hypot(b.w[0, 0], b.w[0, 1]) - 0.1) < 1e-9


def test_products_of_inertia_precess_as_the_principal_axes_do():
    """The same symmetric body with its tensor written in turned axes (products of inertia,
    as a stack with a captured satellite has): the rate precesses about the turned symmetry
    axis at (I3 - I1) / I1 * w3, the closed form of Euler's equations."""
    turn = Rotation.from_euler("zyx", [30.0, 40.0, 25.0], degrees=True).as_matrix()
    b = Bodies(1)
    b.inertia[0] = turn @ np.diag([10.0, 10.0, 16.0]) @ turn.T
    b.y[0, 10:13] = turn @ np.array([0.1, 0.0, 0.5])
    t = 60.0
    drift(b, t)
    omega = (16.0 - 10.0) / 10.0 * 0.5
    expected = turn @ np.array([0.1 * np.cos(omega * t), 0.1 * np.sin(omega * t), 0.5])
    np.testing.assert_allclose(b.w[0], expected, atol=1e-8)


def mmu_body(n_mean=N_420):
    unit = UNITS["mmu"]
    m, inertia = suited_mass_properties(75.0, 127.0, unit)
    b = Bodies(1, units=[unit])
    b.set_circular(n_mean)
    b.unit[:], b.mass[:], b.inertia[:], b.prop[:] = 0, m, np.diag(inertia), unit.propellant_kg
    b.y[0, 12] = n_mean  # held in the vehicle frame: turning with it
    b.a_brake[:] = 0.5 * unit.translation_accel_m_s2(m)
    return unit, m, b


def test_burn_to_depletion_follows_the_rocket_equation():
    unit, m0, b = mmu_body(n_mean=0.0)
    b.tctl[:] = True
    b.v_cruise[:] = 1e3
    b.p_tgt[0] = [1e6, 0, 0]
    drift(b, 400.0)
    assert b.prop[0] == 0.0
    dv = unit.isp_s * G0 * np.log(m0 / (m0 - unit.propellant_kg))  # Tsiolkovsky
    assert abs(np.linalg.norm(b.v[0]) - dv) < 0.005 * dv
    assert abs(b.mass[0] - (m0 - unit.propellant_kg)) < 1e-9


def test_mmu_delta_v_in_the_published_range():
    """80 ft/s (24.4 m/s, Wikipedia) and ~25 m/s (MMU User's Guide via it.wikipedia)."""
    unit = UNITS["mmu"]
    m, _ = suited_mass_properties(75.0, 127.0, unit)
    assert 20.0 <= unit.delta_v_m_s(m) <= 25.0
    safer = UNITS["safer"]
    m, _ = suited_mass_properties(75.0, 127.0, safer)
    assert 2.7 <= safer.delta_v_m_s(m) <= 3.3  # ~10 ft/s, 3.0 m/s (New Scientist 1994)


def test_tether_stops_a_drifting_body_with_the_energy_peak_tension():
    b = Bodies(1)
    b.set_circular(N_420)
    m, k, length, v0 = 202.0, 2000.0, 5.35, 0.5  # Leonov's 5.35 m tether
    b.mass[0] = m
    b.length[0, 0], b.k[0, 0] = length, k
    b.y[0, 0:3] = [0, 0, 1.0]
    b.y[0, 3:6] = [0, 0, v0]
    reach = 0.0
    for _ in range(200):
        drift(b, 0.1, dt=0.1)
        reach = max(reach, np.linalg.norm(b.r[0]))
    stretch = v0 * np.sqrt(m / k)  # 1/2 m v^2 = 1/2 k x^2
    assert length < reach <= length + 1.01 * stretch
    assert b.peak_tension[0, 0] == pytest.approx(v0 * np.sqrt(k * m), rel=0.02)
    assert b.v[0, 2] < 0  # it bounces back


def test_mmu_flight_to_98_m_returns_with_the_budgeted_propellant():
    """McCandless's 98 m (320 ft) excursion (STS-41-B): out along V-bar, stop, return.

    Budget: 4 x cruise speed to start and stop twice, plus holding a straight line against
    the Coriolis acceleration 2 n v over the 196 m flown (Clohessy-Wiltshire)."""
    unit, m0, b = mmu_body()
    b.tctl[:], b.actl[:] = True, True
    b.v_cruise[:] = 0.3
    b.free[:] = True
    for target in ([0.0, 98.0, 0.0], [0.0, 0.0, 0.0]):
        b.p_tgt[0] = target
        b.arrived[:] = False
        for _ in range(2000):
            b.advance(10, 0.1)
            if b.arrived[0]:
                break
        assert b.arrived[0]
        assert np.linalg.norm(b.r[0] - target) < b.tol_pos[0]
    dv_budget = 4 * 0.3 + 2 * N_420 * 196.0
    predicted = m0 * (1 - np.exp(-dv_budget / (unit.isp_s * G0)))
    used = unit.propellant_kg - b.prop[0]
    assert used == pytest.approx(predicted, rel=0.10)
    assert b.prop[0] > 0.9 * unit.propellant_kg  # propellant to spare


def test_small_batches_run_the_kernel_on_one_thread():
    """A parallel launch for a few bodies only waits on the other threads (issue: 7 ms a
    step on a loaded machine against 4 us on one): small batches use one thread, large ones
    the cores allowed, never more than the caller's numba setting."""
    import numba

    from spacewalk.physics.motion import PARALLEL_MIN_BODIES, threads_for

    assert threads_for(2) == 1 and threads_for(PARALLEL_MIN_BODIES - 1) == 1
    outer = numba.get_num_threads()
    try:
        numba.set_num_threads(1)
        assert threads_for(10 * PARALLEL_MIN_BODIES) == 1  # a campaign worker's setting
    finally:
        numba.set_num_threads(outer)
    assert 1 <= threads_for(10 * PARALLEL_MIN_BODIES) <= outer
    b = Bodies(4, 1)
    b.advance(1, 0.1)
    assert numba.get_num_threads() == outer  # the caller's setting is left as it was


def test_held_bodies_move_alike_whether_or_not_another_floats_free():
    """Issue 21: with nobody free the small held-crew kernel runs (a quick start compiles only
    it); a held body moves the same through it and through the free-flight kernel, and as
    the closed form says: straight at its cruise speed, there after d / v."""
    runs = []
    for with_free in (False, True):
        b = Bodies(2, 1)
        b.set_circular(N_420)
        b.p_tgt[0] = (3.0, 4.0, 0.0)  # 5 m away
        b.v_cruise[0] = 0.25
        b.free[1] = with_free  # body 1 floats free in the second run, far from body 0
        b.y[1, 0:3] = (50.0, 0.0, 0.0)
        track = []
        for _ in range(25):  # 25 steps of 1 s (10 substeps)
            b.advance(10, 0.1)
            track.append(b.y[0, 0:3].copy())
        runs.append(np.array(track))
    held_only, mixed = runs
    np.testing.assert_array_equal(held_only, mixed)
    t = np.arange(1, 26)[:, None]
    expected = np.minimum(0.25 * t, 5.0) * np.array([0.6, 0.8, 0.0])
    np.testing.assert_allclose(held_only, expected, atol=1e-12)

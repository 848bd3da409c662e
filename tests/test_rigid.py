"""Docking joins two rigid bodies (:mod:`spacewalk.physics.rigid`): checked against textbook
closed forms of perfectly inelastic collisions and the parallel-axis theorem, and in the
engine on STS-51-A's capture of Palapa B2."""

import numpy as np
import pytest

from spacewalk import load_scenario
from spacewalk.physics import rigid
from spacewalk.sim.engine import Engine
from spacewalk.sim.plan import compile_plan

E = np.eye(3)
ZERO = np.zeros(3)


def _rod(mass, length):
    """A thin rod along y: I = m L^2 / 12 about x and z."""
    i = mass * length**2 / 12.0
    return np.diag([i, 1e-9, i])


def test_a_particle_that_sticks_to_the_end_of_a_free_rod_spins_it_as_the_textbook_says():
    """A mass m at speed v (along x) sticks to the end of a free rod (M, L, along y), no frame
    rotation: omega = mu v (L/2) / (M L^2/12 + mu L^2/4), mu = m M / (m + M) (e.g. Kleppner
    and Kolenkow, An Introduction to Mechanics, ch. 7); momentum m v, energy lost."""
    m, M, L, v = 2.0, 10.0, 3.0, 0.5
    particle = (m, 1e-9 * E, E, np.array([0.0, L / 2, 0.0]), np.array([v, 0.0, 0.0]), ZERO)
    rod = (M, _rod(M, L), E, ZERO, ZERO, ZERO)
    stack = rigid.join(rod, particle, ZERO)
    mu = m * M / (m + M)
    omega = mu * v * (L / 2) / (M * L**2 / 12 + mu * L**2 / 4)
    # the particle at +y moving +x turns the stack about -z
    np.testing.assert_allclose(stack.w_B, [0.0, 0.0, -omega], atol=1e-9)
    np.testing.assert_allclose(stack.v_H * (m + M), [m * v, 0.0, 0.0], atol=1e-12)
    e_before = 0.5 * m * v**2
    e_after = 0.5 * (m + M) * stack.v_H @ stack.v_H + 0.5 * stack.w_B @ stack.inertia_B @ stack.w_B
    assert e_after < e_before


def test_the_stack_inertia_has_the_parallel_axis_terms_and_products():
    """Two small spheres 1.35 m apart on a line turned in the captor's frame: the transverse
    inertia is the reduced mass times the square of the distance (parallel-axis theorem), and
    the turned line gives products of inertia."""
    m1, m2, d = 300.0, 545.0, 1.35
    direction = np.array([1.0, 1.0, 0.0]) / np.sqrt(2)
    small = 1e-6 * E
    stack = rigid.join(
        (m1, small, E, ZERO, ZERO, ZERO), (m2, small, E, d * direction, ZERO, ZERO), ZERO
    )
    mu = m1 * m2 / (m1 + m2)
    expected = mu * d**2 * (E - np.outer(direction, direction))
    np.testing.assert_allclose(stack.inertia_B, expected + 2e-6 * E, atol=1e-9)
    assert stack.inertia_B[0, 1] == pytest.approx(-mu * d**2 / 2)
    np.testing.assert_allclose(stack.captor_B, -m2 / (m1 + m2) * d * direction)


def test_two_bodies_at_rest_in_the_orbiting_frame_make_a_stack_at_rest_in_it():
    """Bodies fixed in the Hill frame turn with it at the orbital rate n; so does the stack
    (the frame's rotation is in the momentum of their relative positions)."""
    n = 1.13e-3
    w_frame = np.array([0.0, 0.0, n])
    crew = (300.0, np.diag([96.8, 118.0, 54.7]), E, np.array([0.0, 14.0, -1.35]), ZERO, w_frame)
    sat = (545.0, np.diag([484.0, 484.0, 309.0]), E, np.array([0.0, 14.0, 0.0]), ZERO, w_frame)
    stack = rigid.join(crew, sat, w_frame)
    np.testing.assert_allclose(stack.w_B, w_frame, atol=1e-15)


def test_a_capture_on_the_spin_axis_shares_the_spin_by_the_axial_inertias():
    """Captor at rest docking on the spin axis of a satellite spinning at w: no moment arm, so
    w' = I_t w / (I_t + I_c) about the axis (conservation of angular momentum)."""
    w = 2 * np.pi / 60.0  # 1 rpm
    crew = (300.0, np.diag([96.8, 118.0, 54.7]), E, np.array([0.0, 0.0, -1.35]), ZERO, ZERO)
    sat = (545.0, np.diag([484.0, 484.0, 309.0]), E, ZERO, ZERO, np.array([0.0, 0.0, w]))
    stack = rigid.join(crew, sat, ZERO)
    np.testing.assert_allclose(stack.w_B, [0.0, 0.0, 309.0 * w / (309.0 + 54.7)], atol=1e-12)


def test_sts_51a_capture_keeps_the_crew_member_where_he_docked():
    """In the engine the body becomes the stack's centre: the crew member's reported position
    does not move at the capture, the satellite stays where it was (its capture point 1.35 m
    from its centre), and the momentum of the pair is kept."""
    plan = compile_plan(load_scenario("sts-51a-1984"))
    eng = Engine(plan, record=False)
    motion, b = eng.motion, eng.motion.b
    seen = []
    dock = motion._dock

    def watched(r, c, j, t):
        i, k = int(motion.cb[r, c]), int(motion.tb[r, j])
        at = motion.in_H()[0][r, c].copy()  # the recorded x_m, y_m, z_m
        momentum = b.mass[i] * b.y[i, 3:6] + b.mass[k] * b.y[k, 3:6]
        dock(r, c, j, t)
        after = motion.in_H()[0][r, c].copy()
        seen.append((at, after, b.y[k, 0:3].copy(), momentum, b.mass[i] * b.y[i, 3:6]))

    motion._dock = watched
    eng.run()
    assert len(seen) == 2  # Palapa on EVA 1, Westar on EVA 2
    for at, after, target, momentum_before, momentum_after in seen:
        np.testing.assert_allclose(after, at, atol=1e-9)
        # docked within the capture tolerance (0.3 m) of the point 1.35 m from the centre
        assert np.linalg.norm(target - at) == pytest.approx(1.35, abs=0.3)
        np.testing.assert_allclose(momentum_after, momentum_before, atol=1e-9)

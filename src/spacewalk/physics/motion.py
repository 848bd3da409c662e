"""Motion of free bodies near the vehicle: relative orbit, 6-DOF attitude, tethers, thrusters.

Frame H is the vehicle's Hill frame (local vertical, local horizontal), origin at the
vehicle's centre of mass: **x** radial, away from the Earth; **y** along-track, in the
direction of motion; **z** along the orbit normal (x cross y). The vehicle is taken as flying
fixed in H (as the ISS, Shuttle and Dragon did for EVAs), so H is also the vehicle's frame.
Frame B is a body's frame (for a crew member: x forward out of the chest, y to the left,
z up from the feet to the head). ``q`` (scalar first) rotates B vectors into H;
``w`` is the body's angular velocity relative to inertial space, in B.

Translational dynamics, selectable per run:

* ``cw``: Clohessy-Wiltshire (Hill) equations for a circular reference orbit of mean
  motion n: x'' = 3n^2 x + 2n y' + a_x; y'' = -2n x' + a_y; z'' = -n^2 z + a_z.
* ``nonlinear``: the exact relative two-body equations in the rotating frame of an
  eccentric chief (Schaub and Junkins, *Analytical Mechanics of Space Systems*, eq. 14.14),
  with the chief's radius r_c and rate integrated alongside (theta' = h / r_c^2).

Rotational dynamics: Euler's equations with the full inertia tensor in B (a crew member's is
diagonal; a stack with a captured target has products of inertia) and the quaternion kinematics
q' = 1/2 q (x) (0, w_BH), with w_BH = w - w_HN the rate relative to the rotating frame.
Integration: classical RK4 on the whole state (renormalising q each step), substepped while a
tether is taut so its oscillation is resolved; while no tether can go taut within a step and
the model is ``cw``, the translation uses the exact CW transition matrix (with the thrust
held constant in H) and RK4 runs on the attitude alone. Forces are held over a step as a
digital controller holds its outputs.

Every body is independent inside a call (tethers anchor to the vehicle, a captured target is
merged into its captor between calls), so the loop over bodies runs in parallel.
"""

from __future__ import annotations

import os

import numba
import numpy as np
from numba import njit, prange

from . import jit
from .maneuvering import N_CMD, unit_tables
from .orbit import MU_EARTH_M3_S2

NY = 15  # state: r(3) v(3) q(4) w(3) r_chief r_chief_dot
CW, NONLINEAR = 0, 1
K_HOLD = 0.3  # station-keeping gain [1/s]: 1 cm/s per 3 cm outside the hold box
# below this many bodies the kernel runs on one thread: a parallel launch for a few bodies
# waits on the other threads (7 ms a step on a loaded 2-core machine against 4 us on one)
# and gains nothing. Measured with benchmarks/bench_threads.py on 2 cores: idle, two threads
# gain from 64 bodies (1.7x; 16 bodies 0.97x); loaded, they gain at no size.
PARALLEL_MIN_BODIES = 64
CHUNK = 16  # free bodies stepped together by one thread (_advance_body's SIMD lanes)
# what the terminal says before the free-flight kernel's first compile (2-core machine); the
# held-crew kernel compiles with the engine's others (jit.ENGINE_NOTICE)
FREE_NOTICE = "compiling the free-flight motion kernel once (about 20 s; later runs reuse it) ..."


def threads_for(n_bodies: int) -> int:
    """Threads for a kernel launch over ``n_bodies``: one for small batches, else the cores
    this process may use (CPU affinity), never more than ``NUMBA_NUM_THREADS`` or the
    caller's ``numba.set_num_threads`` (a campaign's workers set one)."""
    if n_bodies < PARALLEL_MIN_BODIES:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(numba.get_num_threads(), cores or 1))


@njit(cache=True, inline="always", error_model="numpy")
def _rot(q0, q1, q2, q3):
    """Rotation matrix (B to H) of a unit quaternion, scalar first."""
    return (
        1 - 2 * (q2 * q2 + q3 * q3),
        2 * (q1 * q2 - q0 * q3),
        2 * (q1 * q3 + q0 * q2),
        2 * (q1 * q2 + q0 * q3),
        1 - 2 * (q1 * q1 + q3 * q3),
        2 * (q2 * q3 - q0 * q1),
        2 * (q1 * q3 - q0 * q2),
        2 * (q2 * q3 + q0 * q1),
        1 - 2 * (q1 * q1 + q2 * q2),
    )


@njit(cache=True, error_model="numpy", fastmath=True, inline="always")
def _deriv(
    y,
    out,
    model,
    n_mean,
    h_chief,
    m,
    Ib,
    Ibi,
    f_H,
    tau_B,
    anchor,
    attach,
    length,
    k_t,
    c_t,
    tension,
):
    """Right-hand side of the 15-state ODE; writes tether tensions into ``tension``. ``Ib``
    is the inertia tensor in B (products of inertia included), ``Ibi`` its inverse (9-tuples,
    row by row)."""
    x, yy, z = y[0], y[1], y[2]
    vx, vy, vz = y[3], y[4], y[5]
    q0, q1, q2, q3 = y[6], y[7], y[8], y[9]
    wx, wy, wz = y[10], y[11], y[12]
    rc, rcd = y[13], y[14]
    R = _rot(q0, q1, q2, q3)
    if model == CW:
        fd = n_mean
        fdd = 0.0
    else:
        fd = h_chief / (rc * rc)
        fdd = -2.0 * rcd * fd / rc
    # frame rate of H in B: w_HN = fd * z_H
    whx = R[6] * fd
    why = R[7] * fd
    whz = R[8] * fd
    # body rate relative to H, in B
    rx, ry, rz = wx - whx, wy - why, wz - whz
    fx, fy, fz = f_H[0], f_H[1], f_H[2]
    tx, ty, tz = tau_B[0], tau_B[1], tau_B[2]
    for j in range(length.shape[0]):
        tension[j] = 0.0
        if k_t[j] <= 0.0:
            continue
        ax_, ay_, az_ = attach[j, 0], attach[j, 1], attach[j, 2]
        px = x + R[0] * ax_ + R[1] * ay_ + R[2] * az_ - anchor[j, 0]
        py = yy + R[3] * ax_ + R[4] * ay_ + R[5] * az_ - anchor[j, 1]
        pz = z + R[6] * ax_ + R[7] * ay_ + R[8] * az_ - anchor[j, 2]
        dist = np.sqrt(px * px + py * py + pz * pz)
        if dist <= length[j] or dist == 0.0:
            continue
        # velocity of the attach point in H: v + R (w_BH x attach)
        cx = ry * az_ - rz * ay_
        cy = rz * ax_ - rx * az_
        cz = rx * ay_ - ry * ax_
        ux = vx + R[0] * cx + R[1] * cy + R[2] * cz
        uy = vy + R[3] * cx + R[4] * cy + R[5] * cz
        uz = vz + R[6] * cx + R[7] * cy + R[8] * cz
        sdot = (px * ux + py * uy + pz * uz) / dist
        T = k_t[j] * (dist - length[j]) + c_t[j] * sdot
        if T <= 0.0:
            continue
        tension[j] = T
        gx, gy, gz = -T * px / dist, -T * py / dist, -T * pz / dist
        fx += gx
        fy += gy
        fz += gz
        # force in B, torque attach x F
        bx = R[0] * gx + R[3] * gy + R[6] * gz
        by = R[1] * gx + R[4] * gy + R[7] * gz
        bz = R[2] * gx + R[5] * gy + R[8] * gz
        tx += ay_ * bz - az_ * by
        ty += az_ * bx - ax_ * bz
        tz += ax_ * by - ay_ * bx
    out[0], out[1], out[2] = vx, vy, vz
    if model == CW:
        out[3] = 3.0 * fd * fd * x + 2.0 * fd * vy + fx / m
        out[4] = -2.0 * fd * vx + fy / m
        out[5] = -fd * fd * z + fz / m
        out[13] = 0.0
        out[14] = 0.0
    else:
        rd = np.sqrt((rc + x) ** 2 + yy * yy + z * z)
        mu_rd3 = MU_EARTH_M3_S2 / (rd * rd * rd)
        out[3] = (
            2.0 * fd * vy
            + fdd * yy
            + fd * fd * x
            - mu_rd3 * (rc + x)
            + MU_EARTH_M3_S2 / (rc * rc)
            + fx / m
        )
        out[4] = -2.0 * fd * vx - fdd * x + fd * fd * yy - mu_rd3 * yy + fy / m
        out[5] = -mu_rd3 * z + fz / m
        out[13] = rcd
        out[14] = rc * fd * fd - MU_EARTH_M3_S2 / (rc * rc)
    # q' = 1/2 q (x) (0, w_BH)
    out[6] = 0.5 * (-q1 * rx - q2 * ry - q3 * rz)
    out[7] = 0.5 * (q0 * rx + q2 * rz - q3 * ry)
    out[8] = 0.5 * (q0 * ry + q3 * rx - q1 * rz)
    out[9] = 0.5 * (q0 * rz + q1 * ry - q2 * rx)
    out[10], out[11], out[12] = _euler(wx, wy, wz, tx, ty, tz, Ib, Ibi)


@njit(cache=True, error_model="numpy", fastmath=True, inline="always")
def _euler(wx, wy, wz, tx, ty, tz, I, Ii):
    """Euler's equations with a full inertia tensor: w' = I^-1 (tau - w x I w). ``I`` and
    its inverse ``Ii`` are 9-tuples, row by row: the integrators' helpers take and give
    scalars, since a helper given arrays in a step loop costs an atomic reference count per
    array and call. No branch, so that a loop over bodies vectorises (a body on its
    principal axes has zero products: the same sums)."""
    hx = I[0] * wx + I[1] * wy + I[2] * wz
    hy = I[3] * wx + I[4] * wy + I[5] * wz
    hz = I[6] * wx + I[7] * wy + I[8] * wz
    gx = tx - (wy * hz - wz * hy)
    gy = ty - (wz * hx - wx * hz)
    gz = tz - (wx * hy - wy * hx)
    return (
        Ii[0] * gx + Ii[1] * gy + Ii[2] * gz,
        Ii[3] * gx + Ii[4] * gy + Ii[5] * gz,
        Ii[6] * gx + Ii[7] * gy + Ii[8] * gz,
    )


@njit(cache=True, error_model="numpy", inline="always")
def _inv3(a, out):
    """Inverse of a 3x3 matrix by cofactors (an inertia tensor: symmetric, positive)."""
    c00 = a[1, 1] * a[2, 2] - a[1, 2] * a[2, 1]
    c01 = a[1, 2] * a[2, 0] - a[1, 0] * a[2, 2]
    c02 = a[1, 0] * a[2, 1] - a[1, 1] * a[2, 0]
    det = a[0, 0] * c00 + a[0, 1] * c01 + a[0, 2] * c02
    out[0, 0] = c00 / det
    out[1, 0] = c01 / det
    out[2, 0] = c02 / det
    out[0, 1] = (a[0, 2] * a[2, 1] - a[0, 1] * a[2, 2]) / det
    out[1, 1] = (a[0, 0] * a[2, 2] - a[0, 2] * a[2, 0]) / det
    out[2, 1] = (a[0, 1] * a[2, 0] - a[0, 0] * a[2, 1]) / det
    out[0, 2] = (a[0, 1] * a[1, 2] - a[0, 2] * a[1, 1]) / det
    out[1, 2] = (a[0, 2] * a[1, 0] - a[0, 0] * a[1, 2]) / det
    out[2, 2] = (a[0, 0] * a[1, 1] - a[0, 1] * a[1, 0]) / det


@njit(cache=True, error_model="numpy", inline="always")
def _trigger(f, e, band):
    """A Schmitt trigger: off (0) until the error ``e`` passes +-``band``, then on (+-1,
    the error's sign) until it falls back within a quarter of the band."""
    if f == 0:
        if e > band:
            return 1
        if e < -band:
            return -1
        return 0
    if e * f < 0.25 * band:
        return 0
    return f


@njit(cache=True, error_model="numpy", fastmath=True, inline="always")
def _control(y, t_now, w_frame, tctl, actl, ctl, fire, q_ref, arrived):
    """Pulsed thruster logic (Schmitt triggers on velocity and attitude errors). ``ctl`` is
    the body's (target point, target velocity, cruise speed, braking acceleration, position
    and velocity tolerances, velocity, attitude and rate dead bands), ``fire`` the six axes'
    commands (-1, 0, 1: x, y, z translation, then rotation), ``q_ref`` the attitude held.
    Returns the new commands, the new reference and whether the body has arrived."""
    px, py, pz, vtx, vty, vtz, v_cruise, a_brake, tol_pos, tol_vel, db_v, db_att, db_rate = ctl
    f0, f1, f2, f3, f4, f5 = fire
    q0, q1, q2, q3 = y[6], y[7], y[8], y[9]
    R = _rot(q0, q1, q2, q3)
    if tctl:
        ex = px + vtx * t_now - y[0]
        ey = py + vty * t_now - y[1]
        ez = pz + vtz * t_now - y[2]
        d = np.sqrt(ex * ex + ey * ey + ez * ez)
        rel = np.sqrt((y[3] - vtx) ** 2 + (y[4] - vty) ** 2 + (y[5] - vtz) ** 2)
        if d < tol_pos and rel < tol_vel:
            arrived = True
        # speed toward the point: the braking curve sqrt(2 a x), capped at the cruise speed.
        # Once arrived, station-keeping is proportional (gain K_HOLD): the braking curve's
        # infinite gain at its end would make a limit cycle of opposed pulses there, which
        # emptied the tanks of some bodies holding at a point.
        x = max(d - 0.5 * tol_pos, 0.0)
        go = min(v_cruise, np.sqrt(2.0 * a_brake * x))
        if arrived:
            go = min(go, K_HOLD * x)
        sc = go / d if d > 1e-9 else 0.0
        dvx = vtx + ex * sc - y[3]
        dvy = vty + ey * sc - y[4]
        dvz = vtz + ez * sc - y[5]
        # velocity error in B
        f0 = _trigger(f0, R[0] * dvx + R[3] * dvy + R[6] * dvz, db_v)
        f1 = _trigger(f1, R[1] * dvx + R[4] * dvy + R[7] * dvz, db_v)
        f2 = _trigger(f2, R[2] * dvx + R[5] * dvy + R[8] * dvz, db_v)
    else:
        f0, f1, f2 = 0, 0, 0
    if actl:
        # rate error: w - w_HN (hold attitude in the vehicle frame)
        r0 = y[10] - R[6] * w_frame
        r1 = y[11] - R[7] * w_frame
        r2 = y[12] - R[8] * w_frame
        rate = np.sqrt(r0 * r0 + r1 * r1 + r2 * r2)
        if rate > db_rate:
            # rate damping; the hold reference follows the body until it is slow
            q_ref = (q0, q1, q2, q3)
            e0, e1, e2 = r0, r1, r2
            band = 0.2 * db_rate
        else:
            # attitude error: q_ref* (x) q, small-angle vector
            a0, a1, a2, a3 = q_ref[0], -q_ref[1], -q_ref[2], -q_ref[3]
            c0 = a0 * q0 - a1 * q1 - a2 * q2 - a3 * q3
            c1 = a0 * q1 + a1 * q0 + a2 * q3 - a3 * q2
            c2 = a0 * q2 - a1 * q3 + a2 * q0 + a3 * q1
            c3 = a0 * q3 + a1 * q2 - a2 * q1 + a3 * q0
            sg = 2.0 if c0 >= 0 else -2.0
            lead = db_att / max(db_rate, 1e-9)
            e0 = sg * c1 + lead * r0
            e1 = sg * c2 + lead * r1
            e2 = sg * c3 + lead * r2
            band = db_att
        # torque against the error: the trigger on its negative
        f3 = _trigger(f3, -e0, band)
        f4 = _trigger(f4, -e1, band)
        f5 = _trigger(f5, -e2, band)
    else:
        f3, f4, f5 = 0, 0, 0
    return (f0, f1, f2, f3, f4, f5), q_ref, arrived


@njit(cache=True, error_model="numpy", fastmath=True)
def _cw_stm(n, tau, out):
    """Clohessy-Wiltshire transition over ``tau``: out[:, :6] = Phi, out[:, 6:] = Gamma, so
    that [r; v](tau) = Phi [r; v](0) + Gamma a for an acceleration a held constant in H
    (Vallado, *Fundamentals of Astrodynamics*, sec. 6.8; Gamma integrates Phi's v columns)."""
    out[:, :] = 0.0
    if n * tau < 1e-9:  # free space: straight lines
        for i in range(3):
            out[i, i] = 1.0
            out[i, 3 + i] = tau
            out[3 + i, 3 + i] = 1.0
            out[i, 6 + i] = 0.5 * tau * tau
            out[3 + i, 6 + i] = tau
        return
    c, s, nt = np.cos(n * tau), np.sin(n * tau), n * tau
    # position rows
    out[0, 0], out[0, 3], out[0, 4] = 4 - 3 * c, s / n, 2 * (1 - c) / n
    out[1, 0], out[1, 1], out[1, 3], out[1, 4] = (
        6 * (s - nt),
        1.0,
        -2 * (1 - c) / n,
        (4 * s - 3 * nt) / n,
    )
    out[2, 2], out[2, 5] = c, s / n
    # velocity rows
    out[3, 0], out[3, 3], out[3, 4] = 3 * n * s, c, 2 * s
    out[4, 0], out[4, 3], out[4, 4] = 6 * n * (c - 1), -2 * s, 4 * c - 3
    out[5, 2], out[5, 5] = -n * s, c
    # Gamma: position rows integrate Phi_rv, velocity rows integrate Phi_vv
    n2 = n * n
    out[0, 6], out[0, 7] = (1 - c) / n2, 2 * (nt - s) / n2
    out[1, 6], out[1, 7] = -2 * (nt - s) / n2, 4 * (1 - c) / n2 - 1.5 * tau * tau
    out[2, 8] = (1 - c) / n2
    out[3, 6], out[3, 7] = s / n, 2 * (1 - c) / n
    out[4, 6], out[4, 7] = -2 * (1 - c) / n, (4 * s - 3 * nt) / n
    out[5, 8] = s / n


@njit(cache=True, error_model="numpy", fastmath=True, inline="always")
def _att_deriv(q0, q1, q2, q3, wx, wy, wz, fd, Ib, Ibi, tx, ty, tz):
    """Attitude-only right-hand side (q', w') for a body with no taut tether."""
    rx = wx - 2 * (q1 * q3 - q0 * q2) * fd
    ry = wy - 2 * (q2 * q3 + q0 * q1) * fd
    rz = wz - (1 - 2 * (q1 * q1 + q2 * q2)) * fd
    dwx, dwy, dwz = _euler(wx, wy, wz, tx, ty, tz, Ib, Ibi)
    return (
        0.5 * (-q1 * rx - q2 * ry - q3 * rz),
        0.5 * (q0 * rx + q2 * rz - q3 * ry),
        0.5 * (q0 * ry + q3 * rx - q1 * rz),
        0.5 * (q0 * rz + q1 * ry - q2 * rx),
        dwx,
        dwy,
        dwz,
    )


@njit(cache=True, error_model="numpy", fastmath=True, inline="always")
def _att_rk4(q0, q1, q2, q3, wx, wy, wz, dt, fd, Ib, Ibi, tx, ty, tz):
    """One RK4 step of the attitude (q, w): the new (q0, q1, q2, q3, wx, wy, wz), q
    renormalised."""
    h = 0.5 * dt
    a = _att_deriv(q0, q1, q2, q3, wx, wy, wz, fd, Ib, Ibi, tx, ty, tz)
    b = _att_deriv(
        q0 + h * a[0], q1 + h * a[1], q2 + h * a[2], q3 + h * a[3],
        wx + h * a[4], wy + h * a[5], wz + h * a[6], fd, Ib, Ibi, tx, ty, tz,
    )  # fmt: skip
    c = _att_deriv(
        q0 + h * b[0], q1 + h * b[1], q2 + h * b[2], q3 + h * b[3],
        wx + h * b[4], wy + h * b[5], wz + h * b[6], fd, Ib, Ibi, tx, ty, tz,
    )  # fmt: skip
    d = _att_deriv(
        q0 + dt * c[0], q1 + dt * c[1], q2 + dt * c[2], q3 + dt * c[3],
        wx + dt * c[4], wy + dt * c[5], wz + dt * c[6], fd, Ib, Ibi, tx, ty, tz,
    )  # fmt: skip
    k = dt / 6.0
    q0 += k * (a[0] + 2.0 * b[0] + 2.0 * c[0] + d[0])
    q1 += k * (a[1] + 2.0 * b[1] + 2.0 * c[1] + d[1])
    q2 += k * (a[2] + 2.0 * b[2] + 2.0 * c[2] + d[2])
    q3 += k * (a[3] + 2.0 * b[3] + 2.0 * c[3] + d[3])
    wx += k * (a[4] + 2.0 * b[4] + 2.0 * c[4] + d[4])
    wy += k * (a[5] + 2.0 * b[5] + 2.0 * c[5] + d[5])
    wz += k * (a[6] + 2.0 * b[6] + 2.0 * c[6] + d[6])
    qn = np.sqrt(q0**2 + q1**2 + q2**2 + q3**2)
    return q0 / qn, q1 / qn, q2 / qn, q3 / qn, wx, wy, wz


@njit(cache=True, error_model="numpy", fastmath=jit.ARCP)
def _chief_after(n_steps, dt, r0, v0, h_chief):
    """The chief's radius and radial speed after ``n_steps`` (RK4 on r'' = r f'^2 - mu / r^2,
    f' = h / r^2): the same for every body of a vehicle, so a caller may compute it once."""
    for _ in range(n_steps):
        a1 = h_chief * h_chief / r0**3 - MU_EARTH_M3_S2 / r0**2
        r1, v1 = r0 + 0.5 * dt * v0, v0 + 0.5 * dt * a1
        a2 = h_chief * h_chief / r1**3 - MU_EARTH_M3_S2 / r1**2
        r2, v2 = r0 + 0.5 * dt * v1, v0 + 0.5 * dt * a2
        a3 = h_chief * h_chief / r2**3 - MU_EARTH_M3_S2 / r2**2
        r3, v3 = r0 + dt * v2, v0 + dt * a3
        a4 = h_chief * h_chief / r3**3 - MU_EARTH_M3_S2 / r3**2
        r0, v0 = (
            r0 + dt / 6.0 * (v0 + 2 * v1 + 2 * v2 + v3),
            v0 + dt / 6.0 * (a1 + 2 * a2 + 2 * a3 + a4),
        )
    return r0, v0


@njit(cache=True, error_model="numpy", fastmath=jit.ARCP, inline="always")
def _held_path(x, y, z, px, py, pz, v, T):
    """A held body (handrail, foot restraint, arm, ladder) moved for ``T`` at speed ``v``
    straight toward (px, py, pz), or onto it: the new position and velocity, and whether it
    is there."""
    ex, ey, ez = px - x, py - y, pz - z
    d = np.sqrt(ex * ex + ey * ey + ez * ez)
    reach = v * T
    if d <= reach or d == 0.0:
        return px, py, pz, 0.0, 0.0, 0.0, True
    f, sp = reach / d, v / d
    return x + ex * f, y + ey * f, z + ez * f, ex * sp, ey * sp, ez * sp, False


@njit(cache=True, error_model="numpy", fastmath=jit.ARCP, inline="always")
def _home_distance(x, y, z, q0, q1, q2, q3, ox, oy, oz, hx, hy, hz):
    """Distance of the crew member (the body's centre (x, y, z) plus the offset (ox, oy, oz)
    turned into H by the attitude q) from the body's home point (hx, hy, hz), the hatch.
    Scalars in and out: a helper given arrays in a loop over bodies costs an atomic
    reference count per array and body, more than its arithmetic."""
    if ox == 0.0 and oy == 0.0 and oz == 0.0:
        return np.sqrt((x - hx) ** 2 + (y - hy) ** 2 + (z - hz) ** 2)
    R = _rot(q0, q1, q2, q3)
    dx = x + R[0] * ox + R[1] * oy + R[2] * oz - hx
    dy = y + R[3] * ox + R[4] * oy + R[5] * oz - hy
    dz = z + R[6] * ox + R[7] * oy + R[8] * oz - hz
    return np.sqrt(dx * dx + dy * dy + dz * dz)


@njit(cache=True, error_model="numpy", fastmath=True)
def _advance_body(
    bs, n_steps, dt, y_all, free, tctl, actl, mass, inertia, model, n_mean, h_chief, anchor,
    attach, length, k_t, c_t, tension, peak_tension, unit, combo_f, combo_t, combo_mdot, prop,
    p_tgt, v_tgt, v_cruise, a_brake, tol_pos, tol_vel, q_ref, fire, db_v, db_att, db_rate,
    arrived, stats, reach, offset,
):  # fmt: skip
    """Free bodies ``bs`` (their indices, up to CHUNK) stepped ``n_steps`` together. Each
    step: each body's thrusters and, where no tether can go taut, its exact
    Clohessy-Wiltshire step; then every body's attitude RK4 in one loop over the bodies, the
    state held as an array per component (structure of arrays) with no branch, which LLVM
    vectorises (about 10 ns a body and step against 40 body by body; the diagonals alone
    when every body is on its principal axes, few arrays being what lets it); then the
    bodies whose tether may go taut, RK4 on the whole state in substeps from their state at
    the step's start. The loops call helpers with numbers only (see :func:`_home_distance`)."""
    L, K = bs.shape[0], length.shape[1]
    Y = np.empty((NY, L))  # the state, a row per component: Y[k] is contiguous over bodies
    for ln in range(L):
        for k in range(NY):
            Y[k, ln] = y_all[bs[ln], k]
    q0, q1, q2, q3, wx, wy, wz = Y[6], Y[7], Y[8], Y[9], Y[10], Y[11], Y[12]
    Ib, Ii = np.empty((9, L)), np.empty((9, L))  # inertia and its inverse, row by row
    I3i = np.empty((3, 3))
    fd, dm = np.empty(L), np.zeros(L)
    slack = np.empty(L, dtype=np.bool_)
    n_sub = np.ones(L, dtype=np.int64)
    kmax = np.zeros(L)
    Pc = np.zeros((L, 26))  # the CW transition's nonzero entries (_cw_stm), per body
    stm = np.zeros((6, 9))
    cmd = np.empty((L, 6), dtype=np.int64)  # the six axes' commands
    q_hold = np.empty((L, 4))
    peak = np.empty(L)
    for ln in range(L):
        b = bs[ln]
        fd[ln] = n_mean[b]
        if model == CW:
            _cw_stm(n_mean[b], dt, stm)
            Pc[ln] = (
                stm[0, 0], stm[0, 3], stm[0, 4], stm[0, 6], stm[0, 7],
                stm[1, 0], stm[1, 3], stm[1, 4], stm[1, 6], stm[1, 7],
                stm[2, 2], stm[2, 5], stm[2, 8],
                stm[3, 0], stm[3, 3], stm[3, 4], stm[3, 6], stm[3, 7],
                stm[4, 0], stm[4, 3], stm[4, 4], stm[4, 6], stm[4, 7],
                stm[5, 2], stm[5, 5], stm[5, 8],
            )  # fmt: skip
        for j in range(K):
            kmax[ln] = max(kmax[ln], k_t[b, j])
        if kmax[ln] > 0.0:  # resolve a taut tether's oscillation (omega dt <= 0.25 a substep)
            n_sub[ln] = min(64, max(1, int(np.ceil(np.sqrt(kmax[ln] / mass[b]) * dt / 0.25))))
        _inv3(inertia[b], I3i)
        for r in range(3):
            for c in range(3):
                Ib[3 * r + c, ln] = inertia[b, r, c]
                Ii[3 * r + c, ln] = I3i[r, c]
        for k in range(6):
            cmd[ln, k] = fire[b, k]
        for k in range(4):
            q_hold[ln, k] = q_ref[b, k]
        peak[ln] = stats[b, 8]
    # one array per component (separate arrays: LLVM vectorises a loop over few of them,
    # each needing a check that it does not overlap the others)
    I0, I1, I2, I3, I4 = Ib[0].copy(), Ib[1].copy(), Ib[2].copy(), Ib[3].copy(), Ib[4].copy()
    I5, I6, I7, I8 = Ib[5].copy(), Ib[6].copy(), Ib[7].copy(), Ib[8].copy()
    J0, J1, J2, J3, J4 = Ii[0].copy(), Ii[1].copy(), Ii[2].copy(), Ii[3].copy(), Ii[4].copy()
    J5, J6, J7, J8 = Ii[5].copy(), Ii[6].copy(), Ii[7].copy(), Ii[8].copy()
    # every body on its principal axes (no products of inertia): the attitude loop reads the
    # diagonals alone
    principal = True
    for ln in range(L):
        for k in (1, 2, 3, 5, 6, 7):
            principal = principal and Ib[k, ln] == 0.0
    zero = np.zeros(L)
    tx, ty, tz = np.zeros(L), np.zeros(L), np.zeros(L)
    Ytaut, Ftaut = np.empty((L, NY)), np.empty((L, 3))  # a taut-tether body's step start
    y1, tmp = np.empty(NY), np.empty(NY)
    k1, k2, k3, k4 = np.empty(NY), np.empty(NY), np.empty(NY), np.empty(NY)
    ten = np.zeros(K)
    for s in range(n_steps):
        for ln in range(L):  # each body's thrusters, and its CW step where it may take it
            b = bs[ln]
            m = mass[b]
            ox, oy, oz = offset[b, 0], offset[b, 1], offset[b, 2]
            # the farthest from home, every step (the end-of-call distance alone misses a
            # tether's rebound in between)
            home = _home_distance(
                Y[0, ln], Y[1, ln], Y[2, ln], q0[ln], q1[ln], q2[ln], q3[ln], ox, oy, oz,
                stats[b, 4], stats[b, 5], stats[b, 6],
            )  # fmt: skip
            peak[ln] = max(peak[ln], home)
            w_frame = n_mean[b] if model == CW else h_chief[b] / (Y[13, ln] * Y[13, ln])
            u = unit[b]
            mdot = 0.0
            fbx = fby = fbz = bx = by = bz = 0.0
            if u >= 0 and (tctl[b] or actl[b]):
                yt = (
                    Y[0, ln], Y[1, ln], Y[2, ln], Y[3, ln], Y[4, ln], Y[5, ln],
                    q0[ln], q1[ln], q2[ln], q3[ln], wx[ln], wy[ln], wz[ln],
                )  # fmt: skip
                ctl = (
                    p_tgt[b, 0], p_tgt[b, 1], p_tgt[b, 2], v_tgt[b, 0], v_tgt[b, 1],
                    v_tgt[b, 2], v_cruise[b], a_brake[b], tol_pos[b], tol_vel[b], db_v[b],
                    db_att[b], db_rate[b],
                )  # fmt: skip
                c0 = (cmd[ln, 0], cmd[ln, 1], cmd[ln, 2], cmd[ln, 3], cmd[ln, 4], cmd[ln, 5])
                h0 = (q_hold[ln, 0], q_hold[ln, 1], q_hold[ln, 2], q_hold[ln, 3])
                c1, h1, there = _control(
                    yt, s * dt, w_frame, tctl[b], actl[b], ctl, c0, h0, arrived[b]
                )
                arrived[b] = there
                f0, f1, f2, f3, f4, f5 = c1
                cmd[ln, 0], cmd[ln, 1], cmd[ln, 2] = f0, f1, f2
                cmd[ln, 3], cmd[ln, 4], cmd[ln, 5] = f3, f4, f5
                q_hold[ln, 0], q_hold[ln, 1], q_hold[ln, 2], q_hold[ln, 3] = h1
                if prop[b] > 0.0:  # the nozzles' summed force, torque and flow
                    idx = (
                        (((((f5 + 1) * 3 + f4 + 1) * 3 + f3 + 1) * 3 + f2 + 1) * 3 + f1 + 1)
                        * 3 + f0 + 1
                    )  # fmt: skip
                    fbx, fby, fbz = combo_f[u, idx, 0], combo_f[u, idx, 1], combo_f[u, idx, 2]
                    bx, by, bz = combo_t[u, idx, 0], combo_t[u, idx, 1], combo_t[u, idx, 2]
                    mdot = combo_mdot[u, idx]
            fhx = fhy = fhz = 0.0
            dm[ln] = 0.0
            if mdot > 0.0:
                # the nozzles' torques are about the crew member's own centre of mass; a
                # captured target moves the centre by -offset: add offset x F
                bx += oy * fbz - oz * fby
                by += oz * fbx - ox * fbz
                bz += ox * fby - oy * fbx
                d = min(mdot * dt, prop[b])
                scale = d / (mdot * dt)
                R = _rot(q0[ln], q1[ln], q2[ln], q3[ln])
                fhx = scale * (R[0] * fbx + R[1] * fby + R[2] * fbz)
                fhy = scale * (R[3] * fbx + R[4] * fby + R[5] * fbz)
                fhz = scale * (R[6] * fbx + R[7] * fby + R[8] * fbz)
                bx, by, bz = bx * scale, by * scale, bz * scale
                dm[ln] = d
                stats[b, 0] += scale * np.sqrt(fbx**2 + fby**2 + fbz**2) * dt
            tx[ln], ty[ln], tz[ln] = bx, by, bz
            # exact CW and the attitude alone where no tether can go taut within this step
            sl = model == CW
            if sl and kmax[ln] > 0.0:  # a tether: can it go taut?
                vx, vy, vz = Y[3, ln], Y[4, ln], Y[5, ln]
                sp = np.sqrt(vx * vx + vy * vy + vz * vz) * dt
                for j in range(K):
                    if k_t[b, j] > 0.0:
                        dx = Y[0, ln] - anchor[b, j, 0]
                        dy = Y[1, ln] - anchor[b, j, 1]
                        dz = Y[2, ln] - anchor[b, j, 2]
                        a2 = attach[b, j, 0] ** 2 + attach[b, j, 1] ** 2 + attach[b, j, 2] ** 2
                        if (
                            np.sqrt(dx * dx + dy * dy + dz * dz) + np.sqrt(a2) + sp + 0.05
                            >= length[b, j]
                        ):
                            sl = False
            slack[ln] = sl
            if sl:
                # the transition's nonzero entries only: in-plane (x, y) and out-of-plane
                # (z) motion decouple, and nothing depends on y (see _cw_stm)
                x0, y0, z0, u0, v0, w0 = Y[0, ln], Y[1, ln], Y[2, ln], Y[3, ln], Y[4, ln], Y[5, ln]
                ax, ay, az = fhx / m, fhy / m, fhz / m
                P = Pc[ln]
                Y[0, ln] = P[0] * x0 + P[1] * u0 + P[2] * v0 + P[3] * ax + P[4] * ay
                Y[1, ln] = P[5] * x0 + y0 + P[6] * u0 + P[7] * v0 + P[8] * ax + P[9] * ay
                Y[2, ln] = P[10] * z0 + P[11] * w0 + P[12] * az
                Y[3, ln] = P[13] * x0 + P[14] * u0 + P[15] * v0 + P[16] * ax + P[17] * ay
                Y[4, ln] = P[18] * x0 + P[19] * u0 + P[20] * v0 + P[21] * ax + P[22] * ay
                Y[5, ln] = P[23] * z0 + P[24] * w0 + P[25] * az
                continue
            # a tether may go taut: the whole state's RK4, after the attitudes (below)
            for k in range(NY):
                Ytaut[ln, k] = Y[k, ln]
            Ftaut[ln, 0], Ftaut[ln, 1], Ftaut[ln, 2] = fhx, fhy, fhz
        # every body's attitude, one loop over the bodies with no branch (a store under a
        # condition keeps LLVM from vectorising it: the bodies whose tether may go taut are
        # stepped again below, from their state kept above). The full tensor for all: a
        # principal body's products are zeros, the same sums
        if principal:
            for ln in range(L):
                a = _att_rk4(
                    q0[ln], q1[ln], q2[ln], q3[ln], wx[ln], wy[ln], wz[ln], dt, fd[ln],
                    (I0[ln], zero[ln], zero[ln], zero[ln], I4[ln], zero[ln], zero[ln],
                     zero[ln], I8[ln]),
                    (J0[ln], zero[ln], zero[ln], zero[ln], J4[ln], zero[ln], zero[ln],
                     zero[ln], J8[ln]),
                    tx[ln], ty[ln], tz[ln],
                )  # fmt: skip
                q0[ln], q1[ln], q2[ln], q3[ln], wx[ln], wy[ln], wz[ln] = a
        else:
            for ln in range(L):
                a = _att_rk4(
                    q0[ln], q1[ln], q2[ln], q3[ln], wx[ln], wy[ln], wz[ln], dt, fd[ln],
                    (I0[ln], I1[ln], I2[ln], I3[ln], I4[ln], I5[ln], I6[ln], I7[ln], I8[ln]),
                    (J0[ln], J1[ln], J2[ln], J3[ln], J4[ln], J5[ln], J6[ln], J7[ln], J8[ln]),
                    tx[ln], ty[ln], tz[ln],
                )  # fmt: skip
                q0[ln], q1[ln], q2[ln], q3[ln], wx[ln], wy[ln], wz[ln] = a
        for ln in range(L):  # the bodies whose tether may go taut: RK4 in substeps
            if slack[ln]:
                continue
            b = bs[ln]
            m = mass[b]
            for k in range(NY):
                y1[k] = Ytaut[ln, k]
            Ibt = (I0[ln], I1[ln], I2[ln], I3[ln], I4[ln], I5[ln], I6[ln], I7[ln], I8[ln])
            Iit = (J0[ln], J1[ln], J2[ln], J3[ln], J4[ln], J5[ln], J6[ln], J7[ln], J8[ln])
            f_H, tau_B = (Ftaut[ln, 0], Ftaut[ln, 1], Ftaut[ln, 2]), (tx[ln], ty[ln], tz[ln])
            h = dt / n_sub[ln]
            for _ in range(n_sub[ln]):
                _deriv(y1, k1, model, n_mean[b], h_chief[b], m, Ibt, Iit, f_H,
                       tau_B, anchor[b], attach[b], length[b], k_t[b], c_t[b], ten)  # fmt: skip
                for j in range(K):
                    peak_tension[b, j] = max(peak_tension[b, j], ten[j])
                for k in range(NY):
                    tmp[k] = y1[k] + 0.5 * h * k1[k]
                _deriv(tmp, k2, model, n_mean[b], h_chief[b], m, Ibt, Iit, f_H,
                       tau_B, anchor[b], attach[b], length[b], k_t[b], c_t[b], ten)  # fmt: skip
                for k in range(NY):
                    tmp[k] = y1[k] + 0.5 * h * k2[k]
                _deriv(tmp, k3, model, n_mean[b], h_chief[b], m, Ibt, Iit, f_H,
                       tau_B, anchor[b], attach[b], length[b], k_t[b], c_t[b], ten)  # fmt: skip
                for k in range(NY):
                    tmp[k] = y1[k] + h * k3[k]
                _deriv(tmp, k4, model, n_mean[b], h_chief[b], m, Ibt, Iit, f_H,
                       tau_B, anchor[b], attach[b], length[b], k_t[b], c_t[b], ten)  # fmt: skip
                for k in range(NY):
                    y1[k] += h / 6.0 * (k1[k] + 2.0 * k2[k] + 2.0 * k3[k] + k4[k])
                qn = np.sqrt(y1[6] ** 2 + y1[7] ** 2 + y1[8] ** 2 + y1[9] ** 2)
                for k in range(6, 10):
                    y1[k] /= qn
            for k in range(NY):
                Y[k, ln] = y1[k]
        for ln in range(L):
            prop[bs[ln]] -= dm[ln]
            mass[bs[ln]] -= dm[ln]
    for ln in range(L):
        b = bs[ln]
        for k in range(6):
            fire[b, k] = cmd[ln, k]
        for k in range(4):
            q_ref[b, k] = q_hold[ln, k]
        stats[b, 8] = peak[ln]
        for k in range(NY):
            y1[k] = Y[k, ln]
        # tensions at the end of the call (geometry only)
        Ibt = (I0[ln], I1[ln], I2[ln], I3[ln], I4[ln], I5[ln], I6[ln], I7[ln], I8[ln])
        Iit = (J0[ln], J1[ln], J2[ln], J3[ln], J4[ln], J5[ln], J6[ln], J7[ln], J8[ln])
        _deriv(y1, k1, model, n_mean[b], h_chief[b], mass[b], Ibt, Iit,
               (0.0, 0.0, 0.0), (0.0, 0.0, 0.0), anchor[b], attach[b], length[b], k_t[b],
               c_t[b], ten)  # fmt: skip
        for j in range(K):
            reach[b, j] = 0.0
            tension[b, j] = ten[j]
            peak_tension[b, j] = max(peak_tension[b, j], ten[j])
        # rotation relative to the vehicle frame, speed, and their peaks
        R = _rot(y1[6], y1[7], y1[8], y1[9])
        f = n_mean[b] if model == CW else h_chief[b] / (y1[13] * y1[13])
        rel = np.sqrt(
            (y1[10] - R[6] * f) ** 2 + (y1[11] - R[7] * f) ** 2 + (y1[12] - R[8] * f) ** 2
        )
        speed = np.sqrt(y1[3] * y1[3] + y1[4] * y1[4] + y1[5] * y1[5])
        stats[b, 1] = rel
        stats[b, 2] = max(stats[b, 2], rel)
        stats[b, 3] = max(stats[b, 3], speed)
        home = _home_distance(
            y1[0], y1[1], y1[2], y1[6], y1[7], y1[8], y1[9], offset[b, 0], offset[b, 1],
            offset[b, 2], stats[b, 4], stats[b, 5], stats[b, 6],
        )  # fmt: skip
        stats[b, 7] = home
        stats[b, 8] = max(stats[b, 8], home)
        for k in range(NY):
            y_all[b, k] = y1[k]


@njit(cache=True, error_model="numpy", fastmath=jit.ARCP)
def _advance_all_held(
    b0, b1, n_steps, dt, y, p_tgt, v_cruise, arrived, model, n_mean, h_chief, anchor, length,
    k_t, tension, reach, stats, offset,
):  # fmt: skip
    """Bodies ``b0`` to ``b1 - 1``, held: moved along their paths at ``v_cruise``, keeping
    their attitude in H (turning with the frame); no integration. Called for every body when
    none is free: it compiles in a fraction of the free-flight kernel's time, so a scenario
    in which nobody ever floats free (the README's quick start) never waits for that one.
    Its loop calls helpers with scalars only (see :func:`_home_distance`)."""
    T = n_steps * dt
    chief = (0.0, 0.0)
    last = (np.nan, np.nan, np.nan)  # the chief (r, r', h) it was computed for: shared
    for b in range(b0, b1):
        x, yy, z, vx, vy, vz, there = _held_path(
            y[b, 0], y[b, 1], y[b, 2], p_tgt[b, 0], p_tgt[b, 1], p_tgt[b, 2], v_cruise[b], T
        )
        y[b, 0], y[b, 1], y[b, 2] = x, yy, z
        y[b, 3], y[b, 4], y[b, 5] = vx, vy, vz
        if there:
            arrived[b] = True
        if model == NONLINEAR:  # the chief's radius goes on
            if (y[b, 13], y[b, 14], h_chief[b]) != last:
                last = (y[b, 13], y[b, 14], h_chief[b])
                chief = _chief_after(n_steps, dt, y[b, 13], y[b, 14], h_chief[b])
            y[b, 13], y[b, 14] = chief[0], chief[1]
            fd = h_chief[b] / (y[b, 13] * y[b, 13])
        else:
            fd = n_mean[b]
        q0, q1, q2, q3 = y[b, 6], y[b, 7], y[b, 8], y[b, 9]
        R = _rot(q0, q1, q2, q3)
        y[b, 10], y[b, 11], y[b, 12] = R[6] * fd, R[7] * fd, R[8] * fd
        for j in range(length.shape[1]):
            tension[b, j] = 0.0  # a held body's hands take the loads
            reach[b, j] = 0.0
            if k_t[b, j] > 0.0:  # how far the path goes beyond the tether
                dx = x - anchor[b, j, 0]
                dy = yy - anchor[b, j, 1]
                dz = z - anchor[b, j, 2]
                reach[b, j] = max(np.sqrt(dx * dx + dy * dy + dz * dz) - length[b, j], 0.0)
        stats[b, 1] = 0.0
        stats[b, 3] = max(stats[b, 3], np.sqrt(vx * vx + vy * vy + vz * vz))
        home = _home_distance(
            x, yy, z, q0, q1, q2, q3, offset[b, 0], offset[b, 1], offset[b, 2],
            stats[b, 4], stats[b, 5], stats[b, 6],
        )  # fmt: skip
        stats[b, 7] = home
        stats[b, 8] = max(stats[b, 8], home)


@njit(cache=True, parallel=True, error_model="numpy")
def _advance(
    n_steps,
    dt,
    y,
    free,
    tctl,
    actl,
    mass,
    inertia,
    model,
    n_mean,
    h_chief,
    anchor,
    attach,
    length,
    k_t,
    c_t,
    tension,
    peak_tension,
    unit,
    combo_f,
    combo_t,
    combo_mdot,
    prop,
    p_tgt,
    v_tgt,
    v_cruise,
    a_brake,
    tol_pos,
    tol_vel,
    q_ref,
    fire,
    db_v,
    db_att,
    db_rate,
    arrived,
    stats,
    reach,
    offset,
):
    # bodies in chunks of CHUNK: the free of a chunk are stepped together (_advance_body)
    n = y.shape[0]
    for i in prange((n + CHUNK - 1) // CHUNK):
        # one integer type for the body index: a prange index is uint64 after the parfor
        # pass and int64 before it, and each would compile the body kernels once more
        b0 = CHUNK * np.int64(i)
        bs = np.empty(CHUNK, dtype=np.int64)
        nf = 0
        for b in range(b0, min(b0 + CHUNK, n)):
            if free[b]:
                bs[nf] = b
                nf += 1
            else:
                _advance_all_held(
                    b, b + 1, n_steps, dt, y, p_tgt, v_cruise, arrived, model, n_mean,
                    h_chief, anchor, length, k_t, tension, reach, stats, offset,
                )  # fmt: skip
        if nf == 0:
            continue
        _advance_body(
            bs[:nf], n_steps, dt, y, free, tctl, actl, mass, inertia, model, n_mean, h_chief,
            anchor, attach, length, k_t, c_t, tension, peak_tension, unit, combo_f, combo_t,
            combo_mdot, prop, p_tgt, v_tgt, v_cruise, a_brake, tol_pos, tol_vel, q_ref, fire,
            db_v, db_att, db_rate, arrived, stats, reach, offset,
        )  # fmt: skip


def _combo_tables(f_tab, t_tab, mdot_tab, sel):
    """Force, torque and flow (U, 729, ...) of every combination of the six axes' commands.

    Combination ``sum((fire[k] + 1) * 3**k)`` over the translation axes x, y, z (k = 0-2)
    and the rotation axes (k = 3-5), each -1, 0 or +1. The nozzles fired are the union of
    the active commands' nozzle sets, so a nozzle shared by two commands counts once.
    """
    digits = (np.arange(3**6)[:, None] // 3 ** np.arange(6)) % 3 - 1  # (729, 6)
    active = np.zeros((3**6, N_CMD), dtype=np.int64)
    for k in range(6):
        base = 2 * k  # +axis command; the -axis command follows it
        active[:, base] = digits[:, k] > 0
        active[:, base + 1] = digits[:, k] < 0
    fired = (np.einsum("ic,uct->uit", active, sel.astype(np.int64)) > 0).astype(float)
    return (
        np.einsum("uit,utj->uij", fired, f_tab),
        np.einsum("uit,utj->uij", fired, t_tab),
        np.einsum("uit,ut->ui", fired, mdot_tab),
    )


class Bodies:
    """The state of N free or held bodies (flattened runs x bodies) and their parameters.

    Arrays are public and shaped with the body axis first; ``advance`` integrates the free
    bodies in place for ``n_steps`` steps of ``dt`` seconds.
    """

    def __init__(self, n: int, n_tethers: int = 1, units=None, model: int = CW):
        K = max(n_tethers, 1)
        self.model = model
        self.threads = threads_for(n)
        self.y = np.zeros((n, NY))
        self.y[:, 6] = 1.0
        self.free = np.zeros(n, dtype=np.bool_)
        self.tctl = np.zeros(n, dtype=np.bool_)
        self.actl = np.zeros(n, dtype=np.bool_)
        self.mass = np.full(n, 200.0)
        self.inertia = np.tile(np.eye(3) * 20.0, (n, 1, 1))  # tensor in B [kg m^2]
        self.n_mean = np.zeros(n)
        self.h_chief = np.zeros(n)
        self.anchor = np.zeros((n, K, 3))
        self.attach = np.zeros((n, K, 3))
        self.length = np.zeros((n, K))
        self.k = np.zeros((n, K))
        self.c = np.zeros((n, K))
        self.tension = np.zeros((n, K))
        self.peak_tension = np.zeros((n, K))
        self.unit = np.full(n, -1, dtype=np.int64)
        self.combo_f, self.combo_t, self.combo_mdot = _combo_tables(*unit_tables(list(units or [])))
        self.prop = np.zeros(n)
        self.p_tgt = np.zeros((n, 3))
        self.v_tgt = np.zeros((n, 3))
        self.v_cruise = np.full(n, 0.3)
        self.a_brake = np.full(n, 0.03)
        self.tol_pos = np.full(n, 0.5)
        self.tol_vel = np.full(n, 0.03)
        self.q_ref = np.zeros((n, 4))
        self.q_ref[:, 0] = 1.0
        self.fire = np.zeros((n, 6), dtype=np.int64)
        self.db_v = np.full(n, 0.01)
        self.db_att = np.full(n, np.radians(2.0))
        self.db_rate = np.full(n, np.radians(1.0))
        self.arrived = np.zeros(n, dtype=np.bool_)
        # impulse [N s], rate vs H, peak rate, peak speed, home point (3) [m], distance from
        # it, and the farthest from it since the engine last read it (every substep)
        self.stats = np.zeros((n, 9))
        self.reach = np.zeros((n, K))  # held bodies: distance beyond each tether's length
        # the crew member's own centre of mass from the body's [m, B]: nonzero while a
        # captured target makes the body a stack (the state r, v is the stack's centre)
        self.offset = np.zeros((n, 3))

    @property
    def r(self) -> np.ndarray:
        return self.y[:, 0:3]

    @property
    def v(self) -> np.ndarray:
        return self.y[:, 3:6]

    @property
    def q(self) -> np.ndarray:
        return self.y[:, 6:10]

    @property
    def w(self) -> np.ndarray:
        return self.y[:, 10:13]

    def set_circular(self, n_mean_rad_s: float) -> None:
        self.model = CW
        self.n_mean[:] = n_mean_rad_s

    def set_chief(self, r_m: float, r_dot_m_s: float, h_m2_s: float, n_mean_rad_s: float) -> None:
        """Nonlinear relative motion about a chief at radius r with angular momentum h."""
        self.model = NONLINEAR
        self.y[:, 13] = r_m
        self.y[:, 14] = r_dot_m_s
        self.h_chief[:] = h_m2_s
        self.n_mean[:] = n_mean_rad_s

    def advance(self, n_steps: int, dt: float) -> None:
        if not self.free.any():  # held bodies only: the small kernel (compiled on its own)
            jit.about_to_run(_advance_all_held, jit.ENGINE_NOTICE)
            _advance_all_held(
                0, self.y.shape[0], n_steps, float(dt), self.y, self.p_tgt, self.v_cruise,
                self.arrived, self.model, self.n_mean, self.h_chief, self.anchor, self.length,
                self.k, self.tension, self.reach, self.stats, self.offset,
            )  # fmt: skip
            return
        # One kernel for any number of bodies: the prange loop also lets LLVM treat the body
        # arrays as unaliased, which makes the step twice as fast as a plain loop would.
        jit.about_to_run(_advance, FREE_NOTICE)
        outer = numba.get_num_threads()
        numba.set_num_threads(self.threads)
        _advance(
            n_steps,
            float(dt),
            self.y,
            self.free,
            self.tctl,
            self.actl,
            self.mass,
            self.inertia,
            self.model,
            self.n_mean,
            self.h_chief,
            self.anchor,
            self.attach,
            self.length,
            self.k,
            self.c,
            self.tension,
            self.peak_tension,
            self.unit,
            self.combo_f,
            self.combo_t,
            self.combo_mdot,
            self.prop,
            self.p_tgt,
            self.v_tgt,
            self.v_cruise,
            self.a_brake,
            self.tol_pos,
            self.tol_vel,
            self.q_ref,
            self.fire,
            self.db_v,
            self.db_att,
            self.db_rate,
            self.arrived,
            self.stats,
            self.reach,
            self.offset,
        )
        numba.set_num_threads(outer)  # leave the caller's setting as it was

    def frame_rate_rad_s(self) -> np.ndarray:
        """Rate of the H frame about its z axis (the chief's true-anomaly rate)."""
        if self.model == CW:
            return self.n_mean.copy()
        return self.h_chief / self.y[:, 13] ** 2

    def held_rates(self) -> np.ndarray:
        """Body rates (B) of a body fixed in H: the frame's own rotation."""
        R = quat_to_matrix(self.q)
        return R[:, 2, :] * self.frame_rate_rad_s()[:, None]


def quat_to_matrix(q: np.ndarray) -> np.ndarray:
    """Rotation matrices (N, 3, 3), B to H, of scalar-first unit quaternions (N, 4)."""
    q0, q1, q2, q3 = q[:, 0], q[:, 1], q[:, 2], q[:, 3]
    return np.stack(
        [
            np.stack(
                [1 - 2 * (q2**2 + q3**2), 2 * (q1 * q2 - q0 * q3), 2 * (q1 * q3 + q0 * q2)], -1
            ),
            np.stack(
                [2 * (q1 * q2 + q0 * q3), 1 - 2 * (q1**2 + q3**2), 2 * (q2 * q3 - q0 * q1)], -1
            ),
            np.stack(
                [2 * (q1 * q3 - q0 * q2), 2 * (q2 * q3 + q0 * q1), 1 - 2 * (q1**2 + q2**2)], -1
            ),
        ],
        axis=1,
    )


jit.register(_advance_all_held, jit.ENGINE_NOTICE)
jit.register(_advance, FREE_NOTICE)

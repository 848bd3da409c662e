"""Two rigid bodies joined into one (a crew member docking with a satellite): the stack's mass,
centre, full inertia tensor and motion, with linear and angular momentum conserved.

The stack is described in the first body's frame B (the captor's: its thrusters and attitude
hold stay in its own axes), about the stack's centre of mass. The inertia tensor is the sum
of both bodies' tensors turned into B and their parallel-axis terms m (|d|^2 E - d d^T)
(products of inertia included, not only the diagonal). Angular momentum about the stack's
centre is the bodies' spin I w plus the moment of their motion relative to the centre,
m d x (v - v_cm + w_H x d), the last term the frame's own rotation (velocities are relative
to the rotating Hill frame H). Docking is a perfectly inelastic collision: kinetic energy is
lost, momentum is not.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def parallel_axis(m: float, d: np.ndarray) -> np.ndarray:
    """The inertia [kg m^2] of a point mass ``m`` at ``d`` about the origin."""
    d = np.asarray(d, dtype=float)
    return m * (d @ d * np.eye(3) - np.outer(d, d))


@dataclass(frozen=True)
class Stack:
    mass_kg: float
    inertia_B: np.ndarray  # (3, 3) about the stack's centre, in the captor's frame B
    r_H: np.ndarray  # stack centre [m, H]
    v_H: np.ndarray  # its velocity [m/s, H]
    w_B: np.ndarray  # inertial angular velocity [rad/s, B]
    captor_B: np.ndarray  # the captor's own centre from the stack's [m, B]
    target_B: np.ndarray  # the target's centre from the stack's [m, B]


def join(captor, target, w_frame_H) -> Stack:
    """Join two bodies, each given as (mass, inertia tensor in its frame, rotation matrix of
    its frame into H, r [m, H], v [m/s, H], inertial w [rad/s, its frame]); ``w_frame_H`` is
    the Hill frame's inertial rate in H."""
    m1, I1, R1, r1, v1, w1 = captor
    m2, I2, R2, r2, v2, w2 = target
    m = m1 + m2
    r = (m1 * np.asarray(r1) + m2 * np.asarray(r2)) / m
    v = (m1 * np.asarray(v1) + m2 * np.asarray(v2)) / m
    h_H = angular_momentum_H((captor, target), r, v, w_frame_H)
    d1_B, d2_B = R1.T @ (np.asarray(r1) - r), R1.T @ (np.asarray(r2) - r)
    C21 = R1.T @ R2  # target frame to captor frame
    inertia = I1 + C21 @ I2 @ C21.T + parallel_axis(m1, d1_B) + parallel_axis(m2, d2_B)
    w = np.linalg.solve(inertia, R1.T @ h_H)
    return Stack(m, inertia, r, v, w, d1_B, d2_B)


def angular_momentum_H(bodies, about_H, v_about_H, w_frame_H) -> np.ndarray:
    """Total angular momentum [kg m^2/s, H] of bodies (as :func:`join` takes them) about a
    point moving with ``v_about_H``: spin plus the moment of their relative motion."""
    h = np.zeros(3)
    for mi, Ii, Ri, ri, vi, wi in bodies:
        d = np.asarray(ri) - about_H
        h += Ri @ (Ii @ wi) + mi * np.cross(d, np.asarray(vi) - v_about_H + np.cross(w_frame_H, d))
    return h

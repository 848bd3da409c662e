"""The engine's motion subsystem: every crew member and target as a body near the vehicle.

The engine calls it once per step. Activity starts set each crew member's motion mode:
held (moved along straight lines at the activity's speed, attitude fixed in the vehicle
frame) or free (the 6-DOF dynamics of :mod:`spacewalk.motion`, drifting on tethers or flown
by a maneuvering unit's controller). Captures, releases and tether breaks are applied
between steps; the kernel then advances all bodies ``dt / motion_dt`` substeps.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from ..physics import jit, rigid, structure
from ..physics.motion import Bodies, quat_to_matrix
from ..units import G0
from .events import Emit
from .plan import (
    DEFAULT_ARM_SPEED_M_S,
    DEFAULT_FLY_SPEED_M_S,
    KIND,
    LOC_OUTSIDE,
    MODE,
    RETURN,
    Plan,
)
from .routes import Routes, length

DEFAULT_RESTRAINT = {
    KIND["translate"]: "handrail",
    KIND["task"]: "foot-restraint",
    KIND["egress"]: "handrail",
    KIND["ride"]: "arm",
}
CAPTURE_SPEED_M_S = 0.1  # docking is allowed below this relative speed
CAPTURE_TOL_M = 0.3
# A free body can take hold again only within reach of the structure: a suited arm's reach
# (about 0.7 m) plus the spacing of handholds (NF: assumption): a handrail path, a site, a
# hatch or the crew member's own worksites. A flight's arrival tolerance (0.5 m,
# physics/motion.py) is inside it.
GRAB_REACH_M = 1.0
# A hand on a rail stops a body only below a speed and a tumble (NF: assumptions; a suited
# crew member's grip and arm stroke): faster, the rail is passed. The momentum and spin a
# grab takes go into the vehicle (hundreds of tonnes: its own motion is not changed).
GRAB_SPEED_MAX_M_S = 1.0
GRAB_TUMBLE_MAX_DEG_S = 30.0
DESPUN_RAD_S = np.radians(0.5)
ABORT_FLY_SPEED_M_S = 0.5
FREE_KINDS = {KIND[k] for k in ("free-float", "fly", "hold", "capture", "release")}
FREE_LUT = np.zeros(RETURN + 1, dtype=bool)  # the kinds above, as a lookup by kind code
FREE_LUT[sorted(FREE_KINDS)] = True
# the motion mode of a held activity outside, by activity kind (handrail unless listed)
RESTRAINT_MODE = np.full(max(KIND.values()) + 2, MODE["handrail"])
for _kind, _mode in DEFAULT_RESTRAINT.items():
    RESTRAINT_MODE[_kind] = MODE[_mode]


def _diag(principal: np.ndarray) -> np.ndarray:
    """Inertia tensors (..., 3, 3) of principal moments (..., 3) in the body axes."""
    return principal[..., None] * np.eye(3)


def _quat_mul(p: np.ndarray, q: np.ndarray) -> np.ndarray:
    """Hamilton product p (x) q of scalar-first quaternions."""
    p0, p1, p2, p3 = p
    q0, q1, q2, q3 = q
    return np.array(
        [
            p0 * q0 - p1 * q1 - p2 * q2 - p3 * q3,
            p0 * q1 + p1 * q0 + p2 * q3 - p3 * q2,
            p0 * q2 - p1 * q3 + p2 * q0 + p3 * q1,
            p0 * q3 + p1 * q2 - p2 * q1 + p3 * q0,
        ]
    )


def _quat_conj(q: np.ndarray) -> np.ndarray:
    return np.array([q[0], -q[1], -q[2], -q[3]])


def _facing(direction: np.ndarray) -> np.ndarray:
    """Quaternion (B to H) turning the body's x axis onto ``direction`` by the shortest arc."""
    n = np.linalg.norm(direction)
    if n < 1e-9:
        return np.array([1.0, 0.0, 0.0, 0.0])
    d = direction / n
    x = np.array([1.0, 0.0, 0.0])
    if d @ x < -0.999999:  # opposite: half a turn about z
        return np.array([0.0, 0.0, 0.0, 1.0])
    q = np.concatenate([[1.0 + d @ x], np.cross(x, d)])
    return q / np.linalg.norm(q)


class CrewMotion:
    def __init__(self, plan: Plan, log):
        mp = plan.motion
        self.plan, self.mp, self.log = plan, mp, log
        R, C, T = plan.runs, len(plan.crew_ids), len(mp.target_ids)
        self.R, self.C, self.T = R, C, T
        NB = C + T
        self.cb = np.arange(R)[:, None] * NB + np.arange(C)[None, :]
        self.tb = np.arange(R)[:, None] * NB + C + np.arange(T)[None, :]
        K = mp.length_m.shape[-1]
        b = Bodies(R * NB, K, units=mp.units)
        n = mp.orbit.mean_motion_rad_s
        if mp.nonlinear:
            rc, rcd, h = mp.orbit.chief_polar_state()
            b.set_chief(rc, rcd, h, n)
        else:
            b.set_circular(n)
        pc = plan.crew
        cb = self.cb
        home = mp.hatch_m[plan.hatch_of[:, 0]]  # (C, 3) the hatch of each first EVA
        b.y[cb, 0:3] = home
        b.stats[cb, 4:7] = home  # the home point the kernel measures range from
        b.stats[cb, 7] = 0.0
        b.p_tgt[cb] = home
        b.mass[cb] = pc.motion_mass_kg
        b.inertia[cb] = _diag(mp.inertia_kg_m2)[None]
        b.unit[cb] = mp.unit_index[None, :]
        b.prop[cb] = pc.propellant_kg
        b.anchor[cb] = mp.anchor_m[None]
        b.attach[cb] = mp.attach_m[None]
        # tether tables are (crew, K), or (runs, crew, K) where a campaign disperses them
        b.length[cb] = np.broadcast_to(mp.length_m, (R, C, K))
        b.k[cb] = np.broadcast_to(mp.stiffness_N_m, (R, C, K))
        b.c[cb] = np.broadcast_to(mp.damping_N_s_m, (R, C, K))
        for c, u in enumerate(mp.unit_index):
            if u >= 0:
                unit = mp.units[u]
                b.a_brake[cb[:, c]] = 0.5 * unit.translation_accel_m_s2(pc.motion_mass_kg[:, c])
        if T:
            tb = self.tb
            b.y[tb, 0:3] = mp.target_r_m[None]
            b.y[tb, 3:6] = mp.target_v_m_s[None]
            b.mass[tb] = mp.target_mass_kg[None]
            b.inertia[tb] = _diag(mp.target_inertia_kg_m2)[None]
            b.free[tb] = True
        b.y[:, 10:13] = b.held_rates()
        if T:
            b.y[self.tb, 10:13] += mp.target_w_rad_s[None]
        self.b = b
        self.mode = np.zeros((R, C), dtype=np.int64)
        self.has_unit = np.broadcast_to(mp.unit_index >= 0, (R, C))
        self.own_mass0 = pc.motion_mass_kg.copy()
        self.docked = np.full((R, C), -1, dtype=np.int64)
        self.dock_q = np.zeros((R, C, 4))  # a captured target's attitude in the crew's B
        self.dock_target_B = np.zeros((R, C, 3))  # its centre from the stack's [m, B]
        self.despun = np.zeros((R, C), dtype=bool)
        self.chasing = np.full((R, C), -1, dtype=np.int64)  # target a fly/capture goes to
        self.out_of_reach = np.zeros((R, C, K), dtype=bool)
        self.prop_out = np.zeros((R, C), dtype=bool)
        self.no_return = np.zeros((R, C), dtype=bool)
        self.peak_range = np.zeros((R, C))
        self.any_unit = bool((mp.unit_index >= 0).any())
        self.tethered = bool((mp.stiffness_N_m > 0).any())
        self.return_margin = np.full((R, C), np.nan)
        self.flying_rc = np.zeros((R, C), dtype=bool)  # a unit's controller flies them
        self.adrift = np.zeros((R, C), dtype=bool)  # free, out of reach, no way back
        self.min_return_margin = np.full((R, C), np.inf)
        # the outside: held translation follows the handrail graph; free bodies hit solids
        vehicle = plan.scenario.vehicle
        self.routes = Routes(plan.scenario) if vehicle.paths else None
        # each held body's route: its points (padded), how many, the next one, the speed
        self.way_pts = np.zeros((R, C, 0, 3))
        self.way_n = np.zeros((R, C), dtype=np.int64)
        self.way_k = np.zeros((R, C), dtype=np.int64)
        self.way_speed = np.zeros((R, C))
        self.solids = structure.solids(
            [(x.center_m, x.size_m) for x in vehicle.shape.boxes],
            [(x.from_m, x.to_m, x.radius_m) for x in vehicle.shape.cylinders],
        )
        self.solid_ids = [x.id for x in vehicle.shape.boxes] + [
            x.id for x in vehicle.shape.cylinders
        ]
        self.in_contact = np.zeros((R, C), dtype=bool)
        self.hatches = np.unique(mp.hatch_m, axis=0)  # the distinct hatch points

    # ------------------------------------------------------------------ helpers
    def range_m(self) -> np.ndarray:
        """Distance from the hatch (kept by the kernel)."""
        return self.b.stats[self.cb, 7]

    def _tumble_rad_s(self) -> np.ndarray:
        """Rotation rate relative to the vehicle frame (kept by the kernel)."""
        return self.b.stats[self.cb, 1]

    def dv(self) -> tuple[np.ndarray, np.ndarray]:
        """Delta-v spent and left (rocket equation on the crew member's own mass)."""
        pc = self.plan.crew
        prop = self.b.prop[self.cb]
        used = pc.propellant_kg - prop
        m_now = self.own_mass0 - used
        ve = pc.isp_s * G0
        spent = ve * np.log(self.own_mass0 / m_now)
        left = ve * np.log(m_now / np.maximum(m_now - prop, 1e-9))
        return np.where(self.has_unit, spent, np.nan), np.where(self.has_unit, left, np.nan)

    def _target_point(self, r: int, j: int) -> tuple[np.ndarray, np.ndarray]:
        tb = self.tb[r, j]
        y = self.b.y[tb]
        rot = quat_to_matrix(y[None, 6:10])[0]
        return y[0:3] + rot @ self.mp.target_offset_m[j], y[3:6].copy()

    # ------------------------------------------------------------------ events
    def start(self, starting, kind_now, slot, loc, hatch_v, dur_now, ret_speed, t):
        """Set the motion mode of the activities that start this step; ``hatch_v`` (R, C)
        is the vessel whose hatch each crew member goes by (their home point)."""
        b, mp = self.b, self.mp
        # held activities by held bodies: all at once (a batch starts hundreds a step)
        held = starting & ~FREE_LUT[kind_now] & ~b.free[self.cb]
        for r, c in zip(*np.nonzero(starting & ~held), strict=True):
            kind, s, i = int(kind_now[r, c]), int(slot[r, c]), int(self.cb[r, c])
            hatch = mp.hatch_m[hatch_v[r, c]]
            b.stats[i, 4:7] = hatch
            b.arrived[i] = False
            self.chasing[r, c] = -1
            unit = mp.unit_index[c]
            free_flight = kind in FREE_KINDS or (kind == RETURN and b.free[i] and unit >= 0)
            if free_flight:
                # let go: the body keeps the velocity and rates its held path gave it
                b.free[i] = True
                b.tctl[i] = False
                b.actl[i] = False
                if kind == KIND["free-float"]:
                    b.y[i, 3:6] += mp.push_slot[c, s]
                    b.y[i, 10:13] += mp.spin_slot[c, s]
                    self.mode[r, c] = MODE["free"]
                    continue
                if kind == KIND["release"]:
                    self._release(r, c, t)
                has = unit >= 0
                b.tctl[i] = has
                b.actl[i] = has and mp.units[unit].attitude_hold
                self.mode[r, c] = MODE["flying"] if has else MODE["free"]
                b.v_tgt[i] = 0.0
                if kind == KIND["hold"] or kind == KIND["release"]:
                    b.p_tgt[i] = b.y[i, 0:3]
                    continue
                if kind == RETURN:
                    b.p_tgt[i] = hatch
                    b.v_cruise[i] = ABORT_FLY_SPEED_M_S
                    continue
                j = mp.target_slot[c, s]
                if j >= 0:
                    self.chasing[r, c] = j
                    b.p_tgt[i], b.v_tgt[i] = self._target_point(r, j)
                    if kind == KIND["capture"]:
                        b.tol_pos[i] = CAPTURE_TOL_M
                        b.tol_vel[i] = CAPTURE_SPEED_M_S
                else:
                    b.p_tgt[i] = mp.pos_slot[c, s]
                speed = mp.speed_slot[c, s]
                b.v_cruise[i] = DEFAULT_FLY_SPEED_M_S if np.isnan(speed) else speed
                if has and not mp.units[unit].attitude_hold:
                    # a hand-held gun pushes along the body's x axis: face the destination
                    b.y[i, 6:10] = _facing(b.p_tgt[i] - b.y[i, 0:3])
                    rot = quat_to_matrix(b.y[[i], 6:10])[0]
                    b.y[i, 10:13] = rot[2, :] * b.frame_rate_rad_s()[i]
                continue
            # a held activity: a free body first has to take hold (no script pulls it back
            # from out of reach), then goes as the held do
            if not self._can_take_hold(c, i):
                self._set_adrift(r, c, i, t)
                continue
            speed = float(np.linalg.norm(b.y[i, 3:6]))
            spin = float(np.degrees(b.stats[i, 1]))
            self.log.add(
                Emit(
                    "take-hold",
                    t,
                    runs=[r],
                    crew=c,
                    values={"speed_m_s": speed, "tumble_deg_s": spin},
                )
            )
            b.free[i] = False
            b.tctl[i] = False
            b.actl[i] = False
            held[r, c] = True
        self._start_held(held, kind_now, slot, loc, hatch_v, dur_now, ret_speed)
        self.flying_rc = b.tctl[self.cb]
        restraint = self.mp.restraint_slot
        sel = starting & (restraint[np.arange(self.C)[None, :], slot] >= 0)
        sel &= (self.mode != MODE["inside"]) & ~self.b.free[self.cb]
        if np.count_nonzero(sel):
            self.mode = np.where(sel, restraint[np.arange(self.C)[None, :], slot], self.mode)

    def _start_held(self, held, kind_now, slot, loc, hatch_v, dur_now, ret_speed) -> None:
        """The crew in ``held`` start a held activity: straight to its position (along the
        handrails where the vehicle has them) at the speed it implies, all at once."""
        if not np.count_nonzero(held):
            return
        b, mp = self.b, self.mp
        r, c = np.nonzero(held)
        kind, s, i = kind_now[r, c], slot[r, c], self.cb[r, c]
        hatch = mp.hatch_m[hatch_v[r, c]]
        b.stats[i, 4:7] = hatch
        b.arrived[i] = False
        self.chasing[r, c] = -1
        ret = kind == RETURN
        dest = np.where(ret[:, None], hatch, mp.pos_slot[c, s])
        out = loc[r, c] == LOC_OUTSIDE
        lost = np.isnan(dest).any(axis=1)  # no position: stay (outside) or the hatch (inside)
        dest = np.where(lost[:, None], np.where(out[:, None], b.y[i, 0:3], hatch), dest)
        b.p_tgt[i] = dest
        gap = dest - b.y[i, 0:3]  # row norms, summed in order (as np.linalg.norm does)
        dist = np.sqrt(gap[:, 0] * gap[:, 0] + gap[:, 1] * gap[:, 1] + gap[:, 2] * gap[:, 2])
        self.way_n[r, c] = self.way_k[r, c] = 0
        routes = []
        if self.routes:  # outside (or going out, or back) along the handrails, not on the arm
            along = (out | (kind == KIND["egress"]) | ret) & (kind != KIND["ride"]) & (dist > 0)
            for n in np.nonzero(along)[0]:
                pts = self.routes.way(b.y[i[n], 0:3], dest[n])
                dist[n] = length(pts)
                routes.append((n, pts))
        speed = np.where(ret, ret_speed[r, c], mp.speed_slot[c, s])
        own = np.where(
            dur_now[r, c] > 0,
            dist / np.where(dur_now[r, c] > 0, dur_now[r, c], 1.0),
            np.where(kind == KIND["ride"], DEFAULT_ARM_SPEED_M_S, self.plan.crew.speed_m_s[r, c]),
        )
        speed = np.where(~ret & np.isnan(speed), own, speed)
        b.v_cruise[i] = np.where(dist > 0, np.maximum(speed, 1e-6), 1.0)
        for n, pts in routes:
            self._set_way(r[n], c[n], pts[1:], b.v_cruise[i[n]])
        inside = ~out & (kind != KIND["egress"])
        self.mode[r, c] = np.where(inside, MODE["inside"], RESTRAINT_MODE[kind])

    def _can_take_hold(self, c: int, i: int) -> bool:
        """A free body can become held again: on an intact tether it reels itself in hand
        over hand; otherwise only within GRAB_REACH_M of a handrail, a site, a hatch or a
        worksite of its own, and slow enough for a hand to stop it."""
        b, mp = self.b, self.mp
        if ((b.k[i] > 0) & (b.length[i] > 0)).any():
            return True
        too_fast = np.linalg.norm(b.y[i, 3:6]) > GRAB_SPEED_MAX_M_S
        if too_fast or np.degrees(b.stats[i, 1]) > GRAB_TUMBLE_MAX_DEG_S:
            return False
        points = np.concatenate([mp.hatch_m, mp.pos_slot[c]])
        if self.routes:
            points = np.concatenate([points, np.array(list(self.routes.points.values()))])
            gap, _ = structure.nearest_on_segments(b.y[[i], 0:3], self.routes.a, self.routes.b)
            if (gap <= GRAB_REACH_M).any():  # a handrail within reach
                return True
        points = points[np.isfinite(points).all(axis=1)]
        return bool((np.linalg.norm(points - b.y[i, 0:3], axis=1) <= GRAB_REACH_M).any())

    def _set_adrift(self, r: int, c: int, i: int, t: float) -> None:
        """Nothing to hold, no tether, no propellant to fly: the body drifts on."""
        b = self.b
        b.tctl[i] = False
        b.actl[i] = False
        self.mode[r, c] = MODE["free"]
        if not self.adrift[r, c]:
            self.adrift[r, c] = True
            rng = float(np.linalg.norm(b.y[i, 0:3] - b.stats[i, 4:7]))
            speed = float(np.linalg.norm(b.y[i, 3:6]))
            self.log.add(
                Emit(
                    "adrift",
                    t,
                    runs=[r],
                    crew=c,
                    values={"range_m": rng, "speed_m_s": speed},
                )
            )

    def _wait_at_hatch(self, mask) -> None:
        """Keep these crew members at the hatch (their egress waits for it to open)."""
        i = self.cb[mask]
        self.b.y[i, 0:3] = self.b.stats[i, 4:7]
        self.b.y[i, 3:6] = 0.0
        self.b.stats[i, 7] = 0.0

    def _body(self, i: int) -> tuple:
        """Body ``i`` as :func:`spacewalk.physics.rigid.join` takes it."""
        b = self.b
        rot = quat_to_matrix(b.y[[i], 6:10])[0]
        return b.mass[i], b.inertia[i], rot, b.y[i, 0:3], b.y[i, 3:6], b.y[i, 10:13]

    def _dock(self, r, c, j, t):
        """Join the crew member and target ``j`` into one rigid stack (full inertia tensor
        with parallel-axis terms, momentum conserved); the body's state becomes the stack's
        centre, and ``offset`` keeps where the crew member is in it."""
        b = self.b
        i, k = int(self.cb[r, c]), int(self.tb[r, j])
        w_frame = np.array([0.0, 0.0, b.frame_rate_rad_s()[i]])
        stack = rigid.join(self._body(i), self._body(k), w_frame)
        self.dock_q[r, c] = _quat_mul(_quat_conj(b.y[i, 6:10]), b.y[k, 6:10])  # target in B
        self.dock_target_B[r, c] = stack.target_B
        b.y[i, 0:3], b.y[i, 3:6], b.y[i, 10:13] = stack.r_H, stack.v_H, stack.w_B
        b.inertia[i] = stack.inertia_B
        b.mass[i] = stack.mass_kg
        b.offset[i] = stack.captor_B
        b.attach[i] += stack.captor_B  # tether points move with the centre
        b.free[k] = False
        b.v_cruise[k] = 0.0
        b.p_tgt[i] = stack.r_H  # the unit holds the stack where it docked
        self.docked[r, c] = j
        self._follow(r, c)
        self.mode[r, c] = MODE["captured"]
        b.q_ref[i] = b.y[i, 6:10]
        b.stats[i, 1] = np.linalg.norm(b.y[i, 10:13] - b.held_rates()[i])
        rate = np.degrees(b.stats[i, 1])
        self.log.add(
            Emit(
                "capture",
                t,
                runs=[r],
                crew=c,
                subject=self.mp.target_ids[j],
                values={"rate_deg_s": rate},
            )
        )

    def _follow(self, r, c) -> None:
        """Put a captured target where it is in the stack of crew member ``c``."""
        b = self.b
        i, k = int(self.cb[r, c]), int(self.tb[r, self.docked[r, c]])
        rot = quat_to_matrix(b.y[[i], 6:10])[0]
        b.y[k, 0:3] = b.y[i, 0:3] + rot @ self.dock_target_B[r, c]
        b.y[k, 3:6] = b.y[i, 3:6]
        b.p_tgt[k] = b.y[k, 0:3]

    def _release(self, r, c, t):
        j = int(self.docked[r, c])
        if j < 0:
            return
        b = self.b
        i, k = int(self.cb[r, c]), int(self.tb[r, j])
        self._follow(r, c)
        b.y[k, 6:10] = _quat_mul(b.y[i, 6:10], self.dock_q[r, c])
        b.mass[i] -= b.mass[k]
        b.inertia[i] = _diag(self.mp.inertia_kg_m2[c])
        rot = quat_to_matrix(b.y[[i], 6:10])[0]
        b.y[i, 0:3] += rot @ b.offset[i]  # the body is the crew member's own again
        b.attach[i] -= b.offset[i]
        b.offset[i] = 0.0
        b.p_tgt[k] = b.y[k, 0:3]
        b.y[k, 3:6] = 0.0
        b.v_cruise[k] = 0.0
        self.docked[r, c] = -1
        self.log.add(Emit("release", t, runs=[r], crew=c, subject=self.mp.target_ids[j]))

    def let_go(self, mask) -> None:
        """Crew members who can no longer act (incapacitated): a held body stays where it is,
        a free one drifts on with its unit's controller off."""
        b = self.b
        self.way_n[mask] = 0
        i = self.cb[mask]
        held = ~b.free[i]
        b.p_tgt[i[held]] = b.y[i[held], 0:3]
        b.y[i[held], 3:6] = 0.0
        b.tctl[i] = False
        b.actl[i] = False
        self.flying_rc = b.tctl[self.cb]

    def break_tether(self, c: int, k: int, runs) -> None:
        """Tether ``k`` of crew member ``c`` no longer holds, in these runs."""
        self.b.k[self.cb[runs, c], k] = 0.0
        self.b.c[self.cb[runs, c], k] = 0.0

    # ------------------------------------------------------------------ step
    def step(self, t, dt, n_sub, kind_now, ready, live, at_hatch):
        b = self.b
        # flights to a target follow its capture point
        chase = self.chasing >= 0 if self.T else None
        if chase is not None and np.count_nonzero(chase):
            for r, c in zip(*np.nonzero(chase), strict=True):
                i, j = int(self.cb[r, c]), int(self.chasing[r, c])
                if self.docked[r, c] >= 0:
                    continue
                b.p_tgt[i], b.v_tgt[i] = self._target_point(r, j)
        if self.routes and np.count_nonzero(self.way_n):  # (ways exist only on routes)
            self._follow_ways(dt)
        free0 = p0 = None  # the free bodies and where they were: for contacts with solids
        if len(self.solids.kind) and b.free.any():
            free0 = b.free[self.cb] & live
            p0 = b.y[self.cb[free0], 0:3].copy()
        b.advance(n_sub, dt / n_sub)
        return self.step_end(t, kind_now, ready, live, at_hatch, free0, p0)

    def step_end(self, t, kind_now, ready, live, at_hatch, free0=None, p0=None):
        """What :meth:`step` does after the bodies' kernel (``free0`` and ``p0``: the free
        bodies and where they were, for contacts): the routes, contacts, docks and captures,
        propellant, tethers' reach and the range. The engine's compiled stretch
        (:mod:`spacewalk.sim.stretch`) hands a step over here when a tether's reach is passed."""
        b = self.b
        on = self.way_k < self.way_n if self.routes else None  # on the way: not there yet
        if on is not None and np.count_nonzero(on):
            i = self.cb[on]
            b.arrived[i] = False
            ahead = self.way_pts[on, self.way_k[on]] - b.y[i, 0:3]
            gap = np.linalg.norm(ahead, axis=-1, keepdims=True)
            # moving along the rail at its speed (the kernel stopped at the step's aim)
            v = ahead / np.maximum(gap, 1e-12) * self.way_speed[on][:, None]
            b.y[i, 3:6] = np.where(gap > 1e-12, v, b.y[i, 3:6])
        if p0 is not None:
            self._contacts(free0, p0, t)
        if np.count_nonzero(at_hatch):
            self._wait_at_hatch(at_hatch)
        cb = self.cb
        # docked targets ride with their captor
        if self.T and np.count_nonzero(self.docked >= 0):
            for r, c in zip(*np.nonzero(self.docked >= 0), strict=True):
                self._follow(r, c)
        # capture: dock on arrival, then despin
        cap = ready & (kind_now == KIND["capture"]) if self.any_unit else None
        if cap is not None and np.count_nonzero(cap):
            for r, c in zip(*np.nonzero(cap), strict=True):
                i = int(cb[r, c])
                if self.docked[r, c] < 0 and b.arrived[i]:
                    self._dock(r, c, int(self.chasing[r, c]), t)
                    self.chasing[r, c] = -1
            rate = self._tumble_rad_s()
            newly = cap & (self.docked >= 0) & (rate < DESPUN_RAD_S) & ~self.despun
            ids = self.mp.target_ids
            self.log.extend(
                [
                    Emit(
                        "despun",
                        t,
                        newly,
                        subject=lambda r, c: ids[self.docked[r, c]],
                        values={"rate_deg_s": np.degrees(rate)},
                    )
                ]
            )
            self.despun |= newly
        # propellant and the way back
        if self.any_unit:
            free = b.free[cb]
            prop = b.prop[cb]
            out = self.has_unit & (prop <= 0) & ~self.prop_out & live
            self.log.extend([Emit("propellant-exhausted", t, out)])
            self.prop_out |= out
            _, left = self.dv()
            rng = self.range_m()
            speed = np.linalg.norm(b.y[cb, 3:6], axis=-1)
            need = speed + 2 * DEFAULT_FLY_SPEED_M_S + 2 * self.mp.orbit.mean_motion_rad_s * rng
            margin = np.where(free & self.has_unit, left - need, np.nan)
            # a crew member still on an intact tether can pull back along it
            tethered = (b.k[cb] > 0).any(axis=-1) & (b.length[cb] > 0).any(axis=-1)
            stuck = (
                free
                & self.has_unit
                & ~tethered
                & (margin < 0)
                & ~self.no_return
                & live
                & (rng > 1.0)
            )
            self.log.extend(
                [
                    Emit(
                        "cannot-return",
                        t,
                        stuck,
                        values={"dv_left": left, "dv_needed": need, "range_m": rng},
                    )
                ]
            )
            self.no_return |= stuck
            self.return_margin = margin
            self.min_return_margin = np.fmin(self.min_return_margin, margin)
        # held paths that go beyond a tether's reach
        if self.tethered:
            jit.about_to_run(_beyond_reach, jit.ENGINE_NOTICE)
        if self.tethered and _beyond_reach(b.reach, cb, self.out_of_reach):
            over = (b.reach[cb] > 0) & ~self.out_of_reach
            over &= live[..., None]
            for r, c, k in zip(*np.nonzero(over), strict=True):
                self.log.add(
                    Emit(
                        "tether-reach",
                        t,
                        runs=[r],
                        crew=int(c),
                        subject=self.mp.tether_ids[c][k],
                        values={"length_m": float(b.length[cb[r, c], k])},
                    )
                )
            self.out_of_reach |= over
        # the farthest from the hatch at any substep (kept in the kernel's stats[:, 8])
        range_m = np.empty(live.shape)
        jit.about_to_run(_peak_and_range, jit.ENGINE_NOTICE)
        _peak_and_range(b.stats, cb, live, self.peak_range, range_m)
        return range_m

    def _set_way(self, r: int, c: int, pts: np.ndarray, speed: float) -> None:
        """Crew member ``c`` of run ``r`` goes through ``pts`` (held) at ``speed``."""
        if len(pts) > self.way_pts.shape[2]:  # room for a longer route
            grown = np.zeros((self.R, self.C, len(pts), 3))
            grown[:, :, : self.way_pts.shape[2]] = self.way_pts
            self.way_pts = grown
        self.way_pts[r, c, : len(pts)] = pts
        self.way_n[r, c], self.way_k[r, c], self.way_speed[r, c] = len(pts), 0, speed

    def _clear_way(self, r: int, c: int) -> None:
        self.way_n[r, c] = self.way_k[r, c] = 0

    def _follow_ways(self, dt: float) -> None:
        """Held bodies on a route, all at once: aim each step at the point of the route it
        reaches by the step's end, at its speed (the kernel moves straight to it: the corners
        it turns within a step are cut by at most that step's chord)."""
        b = self.b
        on = (self.way_k < self.way_n) & ~b.free[self.cb]
        self.way_n[b.free[self.cb]] = 0  # let go: the route is over
        if not np.count_nonzero(on):
            return
        i = self.cb[on]
        pts, n, k = self.way_pts[on], self.way_n[on], self.way_k[on].copy()
        rows = np.arange(len(i))
        here = b.y[i, 0:3].copy()
        travel = self.way_speed[on] * dt
        for _ in range(pts.shape[1]):  # past every corner reached within the step
            nxt = pts[rows, np.minimum(k, pts.shape[1] - 1)]
            d = np.linalg.norm(nxt - here, axis=-1)
            past = (k < n) & (travel >= d)
            if not past.any():
                break
            here = np.where(past[:, None], nxt, here)
            travel = np.where(past, travel - d, travel)
            k += past
        done = k >= n  # the last point this step: the kernel arrives there
        gap = pts[rows, np.minimum(k, pts.shape[1] - 1)] - here
        unit = gap / np.maximum(np.linalg.norm(gap, axis=-1, keepdims=True), 1e-12)
        aim = np.where(done[:, None], here, here + unit * travel[:, None])
        chord = np.linalg.norm(aim - b.y[i, 0:3], axis=-1)
        b.p_tgt[i] = aim
        b.v_cruise[i] = np.where(done, self.way_speed[on], np.maximum(chord / dt, 1e-9))
        self.way_k[on] = k
        self.way_n[on] = np.where(done, 0, n)

    def _contacts(self, free0, p0, t: float) -> None:
        """Free crew bodies that met a solid this step stop on its surface: the velocity into
        it is lost (no bounce: restitution 0), the rest slides on; a contact event says so."""
        b = self.b
        for k, (r, c) in enumerate(zip(*np.nonzero(free0), strict=True)):
            i = int(self.cb[r, c])
            hit = structure.first_hit(p0[k], b.y[i, 0:3], self.solids)
            if hit is None:
                self.in_contact[r, c] = False
                continue
            v = b.y[i, 3:6]
            vn = float(v @ hit.normal)
            b.y[i, 0:3] = hit.point
            if vn < 0:
                b.y[i, 3:6] = v - vn * hit.normal
            if not self.in_contact[r, c]:
                self.in_contact[r, c] = True
                self.log.add(
                    Emit(
                        "contact",
                        t,
                        runs=[int(r)],
                        crew=int(c),
                        subject=self.solid_ids[hit.solid],
                        values={"speed_m_s": max(-vn, 0.0)},
                    )
                )

    # ------------------------------------------------------------------ a partner's rescue
    def positions(self) -> np.ndarray:
        """(R, C, 3) where each crew member is."""
        return self.b.y[self.cb, 0:3]

    def free_rc(self) -> np.ndarray:
        return self.b.free[self.cb]

    def hatch_of(self, r: int, c: int) -> np.ndarray:
        """The hatch crew member ``c`` goes by (the kernel's home point)."""
        return self.b.stats[self.cb[r, c], 4:7].copy()

    def way_to_hatch(self, r: int, c: int) -> float:
        return float(self.way_back_m()[r, c])

    def go_to(self, r: int, c: int, point, speed: float) -> None:
        """A held crew member sets off for ``point`` at ``speed``, along the rails."""
        b, i = self.b, int(self.cb[r, c])
        dest = np.asarray(point, dtype=float)
        b.p_tgt[i] = dest
        b.arrived[i] = False
        b.v_cruise[i] = max(float(speed), 1e-6)
        self._clear_way(r, c)
        if self.routes and np.linalg.norm(dest - b.y[i, 0:3]) > 0:
            self._set_way(r, c, self.routes.way(b.y[i, 0:3], dest)[1:], b.v_cruise[i])
        self.mode[r, c] = MODE["handrail"]

    def carry(self, r: int, c: int, v: int) -> None:
        """Crew member ``v`` is in tow of ``c``: held by them, where they are."""
        b = self.b
        i, k = int(self.cb[r, c]), int(self.cb[r, v])
        self._clear_way(r, v)
        b.free[k] = False
        b.tctl[k] = False
        b.actl[k] = False
        b.y[k, 0:6] = b.y[i, 0:6]
        b.p_tgt[k] = b.y[i, 0:3]
        b.v_cruise[k] = max(float(b.v_cruise[i]), 1e-6)
        b.stats[k, 7] = np.linalg.norm(b.y[k, 0:3] - b.stats[k, 4:7])
        self.mode[r, v] = MODE["captured"]

    def drop(self, r: int, v: int) -> None:
        """Crew member ``v`` is no longer in tow: they stay, held, where they were left."""
        b, k = self.b, int(self.cb[r, v])
        b.p_tgt[k] = b.y[k, 0:3]
        b.y[k, 3:6] = 0.0
        self.mode[r, v] = MODE["handrail"]

    def way_back_m(self, where=None) -> np.ndarray:
        """Length of each crew member's way back to the hatch they go by (the kernel's home
        point) [m]: along the handrails when the vehicle has them (for the crew in ``where``,
        default all), else the straight range."""
        rng = self.range_m()
        if not self.routes:
            return rng
        out = rng.copy()
        pos, home = self.b.y[self.cb, 0:3], self.b.stats[self.cb, 4:7]
        for h in self.hatches:  # a handful of hatch points: one vectorised call each
            sel = (home == h).all(axis=-1) if where is None else (home == h).all(axis=-1) & where
            if np.count_nonzero(sel):
                out[sel] = self.routes.distance_to(pos[sel], h)
        return out

    def event_done(self, kind_now, act_t, dur_now) -> np.ndarray:
        """Activities that end on an event: fly and ride on arrival, capture when despun."""
        arrived = self.b.arrived[self.cb]
        done = (kind_now == RETURN) & arrived
        # a fly also ends when the unit runs dry: the crew member drifts on (Gemini 4's gun)
        done |= (kind_now == KIND["fly"]) & (arrived | self.prop_out)
        done |= (kind_now == KIND["ride"]) & np.where(dur_now > 0, act_t >= dur_now, arrived)
        done |= (kind_now == KIND["capture"]) & self.despun
        done |= kind_now == KIND["release"]
        return done

    def in_H(self) -> tuple[np.ndarray, np.ndarray]:
        """Each crew member's position and velocity in H (R, C, 3): the body's, or in a
        stack (a captured satellite) the crew member's own point of it."""
        b, cb = self.b, self.cb
        y = b.y[cb]
        r_H, v_H = y[..., 0:3], y[..., 3:6]
        if np.count_nonzero(self.docked >= 0):  # the crew member's place in a stack
            rot = quat_to_matrix(y.reshape(-1, y.shape[-1])[:, 6:10]).reshape(*y.shape[:-1], 3, 3)
            off = b.offset[cb]
            w_rel = y[..., 10:13] - b.held_rates()[cb]  # rate relative to H, in B
            r_H = r_H + np.einsum("...ij,...j->...i", rot, off)
            v_H = v_H + np.einsum("...ij,...j->...i", rot, np.cross(w_rel, off))
        return r_H, v_H

    def summary(self, r: int, c: int) -> dict:
        spent, left = self.dv()
        i = self.cb[r, c]
        out = {
            "max_range_m": round(float(self.peak_range[r, c]), 2),
            "max_speed_m_s": round(float(self.b.stats[i, 3]), 3),
            "max_tether_tension_N": round(float(self.b.peak_tension[i].max()), 1),
            "max_tumble_deg_s": round(float(np.degrees(self.b.stats[i, 2])), 2),
        }
        if self.has_unit[r, c]:
            unit = self.mp.units[self.mp.unit_index[c]]
            out.update(
                {
                    "maneuvering_unit": unit.name,
                    "propellant_used_kg": round(
                        float(self.plan.crew.propellant_kg[r, c] - self.b.prop[self.cb[r, c]]),
                        3,
                    ),
                    "propellant_left_kg": round(float(self.b.prop[self.cb[r, c]]), 3),
                    "delta_v_used_m_s": round(float(spent[r, c]), 2),
                    "delta_v_left_m_s": round(float(left[r, c]), 2),
                    "min_return_margin_m_s": (
                        None
                        if not np.isfinite(self.min_return_margin[r, c])
                        else round(float(self.min_return_margin[r, c]), 2)
                    ),
                }
            )
        return out


@njit(cache=True, error_model="numpy")
def _beyond_reach(reach, cb, out_of_reach) -> bool:
    """Whether a held body's path goes beyond a tether's reach not said before."""
    R, C = cb.shape
    for r in range(R):
        for c in range(C):
            for k in range(reach.shape[1]):
                if reach[cb[r, c], k] > 0 and not out_of_reach[r, c, k]:
                    return True
    return False


@njit(cache=True, error_model="numpy")
def _peak_and_range(stats, cb, live, peak_range, range_m) -> None:
    """The farthest from the hatch so far (the kernel's substep peak in ``stats[:, 8]``,
    counted for the live, then cleared: ``np.maximum`` element for element) and the range
    now (``stats[:, 7]``) of each crew member."""
    R, C = cb.shape
    for r in range(R):
        for c in range(C):
            i = cb[r, c]
            a = peak_range[r, c]
            x = stats[i, 8] * (1.0 if live[r, c] else 0.0)
            peak_range[r, c] = a if (a >= x or a != a) else x
            stats[i, 8] = 0.0
            range_m[r, c] = stats[i, 7]


jit.register(_beyond_reach, jit.ENGINE_NOTICE)
jit.register(_peak_and_range, jit.ENGINE_NOTICE)


MODE_INSIDE, K_EGRESS, K_RIDE = MODE["inside"], KIND["egress"], KIND["ride"]


@njit(cache=True, error_model="numpy")
def _start_held_kernel(
    starting, kind, slot, loc, hatch_v, dur_s, ret_speed, crew_speed, pos_slot, speed_slot,
    hatch_m, restraint_slot, cb, y, stats, arrived, p_tgt, v_cruise, chasing, way_n, way_k,
    mode, free,
):  # fmt: skip
    """:meth:`CrewMotion.start` for held bodies starting held activities with no route
    along handrails (the compiled stretch's starts, :func:`~spacewalk.sim.subsystems.
    timeline._quiet_kernel`): :meth:`CrewMotion._start_held`, then the activity's own
    restraint, number for number."""
    R, C = starting.shape
    for r in range(R):
        for c in range(C):
            if not starting[r, c]:
                continue
            k, s, i, hv = kind[r, c], slot[r, c], cb[r, c], hatch_v[r, c]
            ret = k == RETURN
            out = loc[r, c] == LOC_OUTSIDE
            lost = False
            for q in range(3):
                stats[i, 4 + q] = hatch_m[hv, q]
                lost |= not ret and np.isnan(pos_slot[c, s, q])
            arrived[i] = False
            chasing[r, c] = -1
            d0 = d1 = d2 = 0.0
            for q in range(3):  # no position: stay (outside) or the hatch (inside)
                d = hatch_m[hv, q] if ret else pos_slot[c, s, q]
                if lost:
                    d = y[i, q] if out else hatch_m[hv, q]
                p_tgt[i, q] = d
                g = d - y[i, q]
                if q == 0:
                    d0 = g
                elif q == 1:
                    d1 = g
                else:
                    d2 = g
            dist = np.sqrt(d0 * d0 + d1 * d1 + d2 * d2)
            way_n[r, c] = 0
            way_k[r, c] = 0
            speed = ret_speed[r, c] if ret else speed_slot[c, s]
            if dur_s[r, c] > 0:
                own = dist / dur_s[r, c]
            else:
                own = DEFAULT_ARM_SPEED_M_S if k == K_RIDE else crew_speed[r, c]
            if not ret and np.isnan(speed):
                speed = own
            v_cruise[i] = np.maximum(speed, 1e-6) if dist > 0 else 1.0
            m = MODE_INSIDE if not out and k != K_EGRESS else RESTRAINT_MODE[k]
            if restraint_slot[c, s] >= 0 and m != MODE_INSIDE and not free[i]:
                m = restraint_slot[c, s]
            mode[r, c] = m

"""Maneuvering units (HHMU, MMU, SAFER) and the mass properties of a suited crew member.

Each preset value carries its source and confidence from ``shared/research/reference-data.md``
(sections 1-3): H primary, M one reputable secondary source, L weak, C computed here (the
formula is given), NF not found (the value is an assumption and says so).

Thruster geometry is kept explicit: every nozzle has a position (B frame, metres from the
combined centre of mass) and a force direction. The controller's twelve commands
(+/- translation and +/- rotation about each body axis) select nozzles from the geometry:
a translation fires the nozzles pushing along that axis; a rotation fires the nozzles with
the largest torque about that axis, which in a symmetric layout cancel each other's force.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..units import G0

# controller commands: +x -x +y -y +z -z translation, then the same six for rotation
N_CMD = 12

# Suited crew member (EMU-class suit) used when a scenario gives no figures.
SUIT_HEIGHT_M = 1.9  # NF: envelope of a suited crew member, assumption
SUIT_WIDTH_M = 0.7  # NF
SUIT_DEPTH_M = 0.6  # NF


@dataclass(frozen=True)
class ManeuveringUnit:
    name: str
    title: str
    mass_kg: float  # loaded, including propellant
    propellant_kg: float
    isp_s: float
    thrust_N: float  # per nozzle
    positions_m: np.ndarray  # (T, 3) nozzle positions in B, from the combined CoM
    directions: np.ndarray  # (T, 3) unit force directions in B
    attitude_hold: bool
    size_m: tuple[float, float, float]  # box for the unit's own inertia (x, y, z)
    offset_m: tuple[float, float, float]  # unit's centre from the crew member's centre
    sources: dict[str, str] = field(default_factory=dict)

    @property
    def forces_N(self) -> np.ndarray:
        return self.directions * self.thrust_N

    @property
    def torques_Nm(self) -> np.ndarray:
        return np.cross(self.positions_m, self.forces_N)

    @property
    def mdot_kg_s(self) -> np.ndarray:
        """Propellant flow of each nozzle when firing: F / (Isp g0)."""
        return np.full(len(self.positions_m), self.thrust_N / (self.isp_s * G0))

    def selection(self) -> np.ndarray:
        """(12, T) nozzles fired by each command: +x -x +y -y +z -z, then rotations."""
        sel = np.zeros((N_CMD, len(self.positions_m)), dtype=bool)
        tq = self.torques_Nm
        for k in range(3):
            for s, sign in enumerate((1.0, -1.0)):
                sel[2 * k + s] = sign * self.directions[:, k] > 0.99
                if self.attitude_hold:
                    lever = sign * tq[:, k]
                    if lever.max() > 0:
                        sel[6 + 2 * k + s] = lever >= 0.99 * lever.max()
        return sel

    def translation_accel_m_s2(self, total_mass_kg: float) -> float:
        """Smallest acceleration of the six translation commands that have nozzles."""
        sel = self.selection()[:6]
        forces = [np.linalg.norm(self.forces_N[row].sum(axis=0)) for row in sel if row.any()]
        return min(forces) / total_mass_kg if forces else 0.0

    def delta_v_m_s(self, total_mass_kg: float, propellant_kg: float | None = None) -> float:
        """Ideal delta-v (Tsiolkovsky): Isp g0 ln(m0 / (m0 - m_propellant))."""
        mp = self.propellant_kg if propellant_kg is None else propellant_kg
        return self.isp_s * G0 * np.log(total_mass_kg / (total_mass_kg - mp))


def corner_layout(half_x: float, half_y: float, half_z: float) -> tuple[np.ndarray, np.ndarray]:
    """24 nozzles, three on each corner of a box, each pushing inward along one axis."""
    pos, dirs = [], []
    for sx in (1, -1):
        for sy in (1, -1):
            for sz in (1, -1):
                corner = np.array([sx * half_x, sy * half_y, sz * half_z])
                for k, s in enumerate((sx, sy, sz)):
                    d = np.zeros(3)
                    d[k] = -s
                    pos.append(corner)
                    dirs.append(d)
    return np.array(pos), np.array(dirs)


def box_inertia(mass_kg: float, size_m) -> np.ndarray:
    """Principal inertias of a uniform box: I_x = m (b^2 + c^2) / 12, and so on."""
    a, b, c = size_m
    return mass_kg / 12.0 * np.array([b * b + c * c, a * a + c * c, a * a + b * b])


def combined_inertia(
    parts: list[tuple[float, np.ndarray, np.ndarray]],
) -> tuple[float, np.ndarray, np.ndarray]:
    """Mass, centre and principal-axis inertia (diagonal, products neglected) of rigid parts.

    Each part is (mass, inertia about its own centre (3,), centre position (3,)); the parallel
    axis theorem moves each inertia to the common centre of mass.
    """
    m = sum(p[0] for p in parts)
    c = sum(p[0] * np.asarray(p[2], dtype=float) for p in parts) / m
    inertia = np.zeros(3)
    for mi, ii, ri in parts:
        d = np.asarray(ri, dtype=float) - c
        inertia += np.asarray(ii, dtype=float) + mi * np.array(
            [d[1] ** 2 + d[2] ** 2, d[0] ** 2 + d[2] ** 2, d[0] ** 2 + d[1] ** 2]
        )
    return m, c, inertia


def _mmu() -> ManeuveringUnit:
    pos, dirs = corner_layout(0.35, 0.42, 0.55)
    return ManeuveringUnit(
        name="mmu",
        title="Manned Maneuvering Unit (STS-41-B, STS-41-C, STS-51-A)",
        mass_kg=148.0,
        propellant_kg=11.8,
        isp_s=68.0,
        thrust_N=7.5,
        positions_m=pos,
        directions=dirs,
        attitude_hold=True,
        size_m=(0.7, 0.83, 1.25),
        offset_m=(-0.55, 0.0, 0.0),
        sources={
            "mass_kg": "M: 148 kg loaded (Wikipedia); 142 kg without propellant (bookrags) "
            "conflicts; the loaded figure is used",
            "propellant_kg": "M: two GN2 tanks of 5.9 kg (Wikipedia copies; NASA text)",
            "isp_s": "C: 0.85 x the ideal 79.6 s of GN2 at 293 K (reference-data 2: "
            "realistic steady 65-72 s)",
            "thrust_N": "L: 1.7 lbf derived in a teaching doc from 0.3 ft/s^2 (NF primary); "
            "4 nozzles x 7.5 N over ~350 kg gives 0.086 m/s^2",
            "nozzles": "M: 24 nozzles, three on each of 8 corners (Wikipedia); corner "
            "positions NF, assumed +/-0.35 x +/-0.42 x +/-0.55 m about the combined CoM",
            "attitude_hold": "M-H: automatic attitude hold (MMU User's Guide, AAH)",
            "size_m": "M: 1.25 x 0.83 x 1.2 m with arms out (bookrags); 0.7 m deep without",
        },
    )


def _safer() -> ManeuveringUnit:
    pos, dirs = corner_layout(0.25, 0.33, 0.45)
    return ManeuveringUnit(
        name="safer",
        title="Simplified Aid For EVA Rescue",
        mass_kg=38.6,
        propellant_kg=1.36,
        isp_s=55.0,
        thrust_N=3.6,
        positions_m=pos,
        directions=dirs,
        attitude_hold=True,
        size_m=(0.35, 0.66, 0.25),
        offset_m=(-0.45, 0.0, -0.3),
        sources={
            "mass_kg": "M: 85 lb (Wikipedia); 38.5 kg with 1.4 kg gas (cosmos-indirekt)",
            "propellant_kg": "M: 3 lb (1.36 kg) GN2 (Wikipedia)",
            "isp_s": "C: effective Isp = dv m / (m_p g0) = 3.05 x 241 / (1.36 x 9.81) = 55 s "
            "(reference-data 3 gives 45-60 s)",
            "thrust_N": "M: 3.6 N per thruster (summitproducts, NASA supplier)",
            "nozzles": "M: 24 fixed GN2 thrusters; positions NF, assumed on the corners of "
            "the 35 x 66 cm box extended by the towers",
            "attitude_hold": "M: one-button AAH on all rotational axes (VDM model of the "
            "NASA Langley spec, overturetool/overture)",
        },
    )


def _hhmu() -> ManeuveringUnit:
    # one pusher behind the grip, two tractors on extenders either side of it; the gun is
    # held in the right hand ahead of the chest, so its thrust line misses the CoM
    grip = np.array([0.45, -0.25, 0.25])
    pos = np.array([grip, grip + [0.0, 0.3, 0.0], grip + [0.0, -0.3, 0.0]])
    dirs = np.array([[1.0, 0, 0], [-1.0, 0, 0], [-1.0, 0, 0]])
    return ManeuveringUnit(
        name="hhmu",
        title="Gemini hand-held maneuvering unit (oxygen gun)",
        mass_kg=3.1,
        propellant_kg=0.35,
        isp_s=60.0,
        thrust_N=8.9,
        positions_m=pos,
        directions=dirs,
        attitude_hold=False,
        size_m=(0.3, 0.6, 0.2),
        offset_m=(0.45, -0.25, 0.25),
        sources={
            "mass_kg": "L/NF: 6.8 lb in a secondary teaching doc, unverified",
            "propellant_kg": "NF: two O2 bottles at 3,400 psi (NASM), volume not found; 0.35 "
            "kg is chosen so the gun gives ~23 s of thrust, used in bursts over the ~3 "
            "minutes it lasted (APOD 2015-06-06)",
            "isp_s": "C: 0.8 x the ideal 74 s of cold O2 at 293 K (pulsed use)",
            "thrust_N": "NF: the commonly quoted ~2 lbf has no traceable source",
            "nozzles": "H: one pusher and two tractor nozzles on extenders (NASM); grip "
            "position ahead of the chest is an assumption",
            "attitude_hold": "none: the astronaut aimed the gun by hand",
        },
    )


UNITS: dict[str, ManeuveringUnit] = {u.name: u for u in (_mmu(), _safer(), _hhmu())}


def suited_mass_properties(
    crew_kg: float, suit_kg: float, unit: ManeuveringUnit | None = None
) -> tuple[float, np.ndarray]:
    """Mass and principal inertias (B axes) of a suited crew member, with a unit if any.

    Computed: the suited body is a uniform box of SUIT_DEPTH x SUIT_WIDTH x SUIT_HEIGHT;
    the unit is a box of its own size whose centre sits at ``offset_m``.
    """
    body = (
        crew_kg + suit_kg,
        box_inertia(crew_kg + suit_kg, (SUIT_DEPTH_M, SUIT_WIDTH_M, SUIT_HEIGHT_M)),
        np.zeros(3),
    )
    parts = [body]
    if unit is not None:
        parts.append(
            (unit.mass_kg, box_inertia(unit.mass_kg, unit.size_m), np.array(unit.offset_m))
        )
    m, _, inertia = combined_inertia(parts)
    return m, inertia


def unit_tables(units: list[ManeuveringUnit]):
    """Padded arrays for the motion kernel: force, torque, flow (U, T) and selection (U, 12, T)."""
    T = max((len(u.positions_m) for u in units), default=1)
    U = max(len(units), 1)
    f = np.zeros((U, T, 3))
    tq = np.zeros((U, T, 3))
    mdot = np.zeros((U, T))
    sel = np.zeros((U, N_CMD, T), dtype=np.bool_)
    for i, u in enumerate(units):
        n = len(u.positions_m)
        f[i, :n] = u.forces_N
        tq[i, :n] = u.torques_Nm
        mdot[i, :n] = u.mdot_kg_s
        sel[i, :, :n] = u.selection()
    return f, tq, mdot, sel

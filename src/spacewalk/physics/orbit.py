"""The vehicle's orbit: mean elements or a two-line element set propagated by SGP4, the Sun's
direction from the IAU SOFA ephemeris (ERFA), and the Earth's shadow.

Everything is offline: ``sgp4`` is the reference implementation of Vallado et al. (2006),
``erfa`` carries the SOFA routines (``epv00`` is the VSOP2000-fitted Earth ephemeris, good to
a few kilometres, plus the leap-second table). No ephemeris file is read or downloaded.

Frames: positions are in TEME (SGP4's true-equator, mean-equinox frame). The Sun is rotated
from GCRS to the true equator and equinox of date (``pnm06a``); TEME and true-of-date differ
by the equation of the equinoxes (at most 1.2 arcsec), which is ignored here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import erfa
import numpy as np
from sgp4.api import WGS72, Satrec, jday

MU_EARTH_M3_S2 = 3.986004418e14  # [m^3/s^2] EGM96/WGS84 gravitational parameter
R_EARTH_M = 6378137.0  # [m] WGS84 equatorial radius
R_SUN_M = 6.957e8  # [m] nominal solar radius (IAU 2015 B3)
AU_M = 1.495978707e11  # [m] IAU 2012 B2
SGP4_EPOCH0_JD = 2433281.5  # 1949 Dec 31 00:00 UT, the epoch origin of sgp4init


class OrbitError(ValueError):
    """An orbit that SGP4 cannot propagate (decayed, or a malformed TLE)."""


def semi_major_axis_m(perigee_km: float, apogee_km: float) -> float:
    """Semi-major axis from perigee and apogee altitudes above the equatorial radius."""
    return R_EARTH_M + 500.0 * (perigee_km + apogee_km)


def eccentricity(perigee_km: float, apogee_km: float) -> float:
    rp = R_EARTH_M + 1000.0 * perigee_km
    ra = R_EARTH_M + 1000.0 * apogee_km
    return (ra - rp) / (ra + rp)


def period_s(a_m):
    """Keplerian period T = 2 pi sqrt(a^3 / mu)."""
    return 2.0 * np.pi * np.sqrt(np.asarray(a_m, dtype=float) ** 3 / MU_EARTH_M3_S2)


def julian_date(utc: str) -> tuple[float, float]:
    """Two-part Julian date (UTC) of an ISO 8601 instant such as ``2024-09-12T10:12:00Z``."""
    dt = datetime.fromisoformat(utc.replace("Z", "+00:00"))
    sec = dt.second + dt.microsecond * 1e-6
    return jday(dt.year, dt.month, dt.day, dt.hour, dt.minute, sec)


@dataclass(frozen=True)
class OrbitModel:
    """A propagated orbit; ``t_s`` arguments are seconds after the simulation start."""

    satrec: Satrec
    start_jd: tuple[float, float]  # UTC two-part Julian date of t = 0

    @property
    def mean_motion_rad_s(self) -> float:
        return self.satrec.no_kozai / 60.0

    @property
    def semi_major_axis_m(self) -> float:
        return float(np.cbrt(MU_EARTH_M3_S2 / self.mean_motion_rad_s**2))

    @property
    def period_s(self) -> float:
        return 2.0 * np.pi / self.mean_motion_rad_s

    @property
    def eccentricity(self) -> float:
        return float(self.satrec.ecco)

    def state(self, t_s) -> tuple[np.ndarray, np.ndarray]:
        """TEME position [m] and velocity [m/s], shaped (n, 3)."""
        t = np.atleast_1d(np.asarray(t_s, dtype=float))
        jd = np.full(t.shape, self.start_jd[0])
        fr = self.start_jd[1] + t / 86400.0
        err, r, v = self.satrec.sgp4_array(jd, fr)
        if np.any(err):
            code = int(err[np.nonzero(err)[0][0]])
            raise OrbitError(
                f"SGP4 cannot propagate this orbit (error {code}: "
                f"{'decayed' if code == 6 else 'elements out of range'})"
            )
        return r * 1000.0, v * 1000.0

    def sun_direction(self, t_s) -> np.ndarray:
        """Unit vector from the Earth's centre to the Sun (TEME), shaped (n, 3)."""
        s = sun_position_m(self.start_jd, t_s)
        return s / np.linalg.norm(s, axis=1, keepdims=True)

    def sunlit_fraction(self, t_s) -> np.ndarray:
        """Fraction of the solar disc seen by the vehicle: 1 in sunlight, 0 in umbra.

        Over many times (an engine's steps) SGP4 and the Sun are evaluated every
        ``ORBIT_GRID_S`` and the shadow model there; between two nodes both well inside the
        light or the umbra (farther from the shadow's edges than the vehicle turns in the
        interval) so is every time, and elsewhere the position is interpolated (cubic Hermite
        on SGP4's position and velocity: within 5 cm in low orbit, where the shadow's edge
        moves 7 km a second) and the shadow model evaluated at each time.
        """
        t = np.atleast_1d(np.asarray(t_s, dtype=float))
        if t.size <= 2.0 * (np.ptp(t) / ORBIT_GRID_S + 2.0):  # (few times a node: each)
            r, _ = self.state(t)
            return shadow_fraction(r, sun_position_m(self.start_jd, t))
        nodes = _nodes(t, ORBIT_GRID_S)
        r_n, v_n = self.state(nodes)
        sun = _SunTable(self.start_jd, nodes)
        a, b, c = _shadow_angles(r_n, sun.at(nodes))
        # how far the vehicle's direction from the Earth turns in an interval, with room
        turn = (
            1.5 * ORBIT_GRID_S * np.max(np.linalg.norm(v_n, axis=1) / np.linalg.norm(r_n, axis=1))
        )
        clear = np.minimum(np.abs(c - (a + b)), np.abs(c - (b - a))) > turn + 2.0 * a
        lit = c >= a + b
        k, s = _cell(t, nodes)
        dense = ~(clear[k] & clear[k + 1] & (lit[k] == lit[k + 1]))
        nu = np.where(lit[k], 1.0, 0.0)
        if np.count_nonzero(dense):
            r = _hermite(k[dense], s[dense], ORBIT_GRID_S, r_n, v_n)
            nu[dense] = shadow_fraction(r, sun.at(t[dense]))
        return nu

    def beta_deg(self, t_s) -> np.ndarray:
        """Solar beta angle: the Sun's elevation above the orbit plane."""
        r, v = self.state(t_s)
        h = np.cross(r, v)
        h /= np.linalg.norm(h, axis=1, keepdims=True)
        s = self.sun_direction(t_s)
        return np.degrees(np.arcsin(np.clip(np.sum(h * s, axis=1), -1.0, 1.0)))

    def chief_polar_state(self) -> tuple[float, float, float]:
        """(r, r_dot, h) of the vehicle at t = 0, for the nonlinear relative motion."""
        r, v = self.state(0.0)
        rn = float(np.linalg.norm(r[0]))
        return rn, float(r[0] @ v[0]) / rn, float(np.linalg.norm(np.cross(r[0], v[0])))


SUN_GRID_S = 10800.0  # [s] ERFA's nodes for the Sun, interpolated between (below)
ORBIT_GRID_S = 30.0  # [s] SGP4's nodes for a dense run of times (sunlit_fraction)


def sun_position_m(start_jd: tuple[float, float], t_s) -> np.ndarray:
    """Geocentric Sun position [m] in the true equator and equinox of date, shaped (n, 3).

    Over more than four times ERFA is evaluated every three hours and interpolated
    (:class:`_SunTable`): within 0.1 km of ERFA (``tests/test_orbit.py``), a billionth of the
    distance.
    """
    t = np.atleast_1d(np.asarray(t_s, dtype=float))
    if t.size <= 4:
        return _sun_exact_m(start_jd, t)
    return _SunTable(start_jd, t).at(t)


class _SunTable:
    """ERFA's Sun every ``SUN_GRID_S`` over the times ``t``, interpolated by a cubic Hermite
    on the position and its rate (the Earth's orbital velocity, and the turn of the equator
    of date by nutation from the nodes' differences)."""

    def __init__(self, start_jd: tuple[float, float], t: np.ndarray):
        self.nodes = _nodes(t, SUN_GRID_S)
        p, v, npb = _sun_gcrs_m(start_jd, self.nodes)
        turn = np.gradient(npb, SUN_GRID_S, axis=0)  # [1/s] the rotation's rate at each node
        self.p = np.einsum("nij,nj->ni", npb, p)
        self.v = np.einsum("nij,nj->ni", npb, v) + np.einsum("nij,nj->ni", turn, p)

    def at(self, t: np.ndarray) -> np.ndarray:
        """The Sun [m] at times ``t`` within the table's span."""
        return _hermite(*_cell(t, self.nodes), SUN_GRID_S, self.p, self.v)


def _nodes(t: np.ndarray, step_s: float) -> np.ndarray:
    """Nodes every ``step_s`` from at or before ``t.min()`` to at or after ``t.max()``."""
    lo = np.floor(t.min() / step_s) * step_s
    return lo + step_s * np.arange(max(2, int(np.ceil((t.max() - lo) / step_s)) + 1))


def _cell(t: np.ndarray, nodes: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For each of ``t``, the interval of the evenly spaced ``nodes`` it falls in and where in
    it (0 to 1), shaped (n,) and (n, 1)."""
    h = nodes[1] - nodes[0]
    k = np.clip(((t - nodes[0]) // h).astype(np.int64), 0, nodes.size - 2)
    return k, ((t - nodes[k]) / h)[:, None]


def _hermite(k, s, h: float, p: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Cubic Hermite interpolation in the intervals ``k`` at ``s`` (:func:`_cell`) of the
    positions ``p`` (nodes, 3) and their rates ``v`` at nodes ``h`` apart."""
    s2, s3 = s * s, s * s * s
    return (
        (2 * s3 - 3 * s2 + 1) * p[k]
        + (s3 - 2 * s2 + s) * h * v[k]
        + (3 * s2 - 2 * s3) * p[k + 1]
        + (s3 - s2) * h * v[k + 1]
    )


def _sun_gcrs_m(start_jd: tuple[float, float], t: np.ndarray):
    """ERFA's Sun at ``t``: its geocentric position [m] and velocity [m/s] in GCRS and the
    rotation to the true equator and equinox of date (``pnm06a``)."""
    utc1 = np.full(t.shape, start_jd[0])
    utc2 = start_jd[1] + t / 86400.0
    tai1, tai2 = erfa.utctai(utc1, utc2)
    tt1, tt2 = erfa.taitt(tai1, tai2)
    pvh, _ = erfa.epv00(tt1, tt2)  # Earth's heliocentric position and velocity [au, au/d]
    return -pvh["p"] * AU_M, -pvh["v"] * (AU_M / 86400.0), erfa.pnm06a(tt1, tt2)


def _sun_exact_m(start_jd: tuple[float, float], t: np.ndarray) -> np.ndarray:
    """ERFA's Sun at each of ``t`` (true equator and equinox of date) [m]."""
    p, _, npb = _sun_gcrs_m(start_jd, t)
    return np.einsum("nij,nj->ni", npb, p)


def shadow_fraction(r_sat_m: np.ndarray, r_sun_m: np.ndarray) -> np.ndarray:
    """Conical Earth-shadow model (Montenbruck and Gill, *Satellite Orbits*, 2000, sec. 3.4.2).

    Returns the visible fraction of the solar disc: 1 lit, 0 umbra, in between penumbra.
    """
    a, b, c = _shadow_angles(r_sat_m, r_sun_m)
    nu = np.ones(c.shape)
    umbra = c < b - a
    partial = ~umbra & (c < a + b)
    nu[umbra] = 0.0
    if np.any(partial):
        ap, bp, cp = a[partial], b[partial], c[partial]
        x = (cp**2 + ap**2 - bp**2) / (2.0 * cp)
        y = np.sqrt(np.maximum(ap**2 - x**2, 0.0))
        area = (
            ap**2 * np.arccos(np.clip(x / ap, -1, 1))
            + bp**2 * np.arccos(np.clip((cp - x) / bp, -1, 1))
            - cp * y
        )
        nu[partial] = 1.0 - area / (np.pi * ap**2)
    return nu


def from_elements(
    start_utc: str,
    a_m: float,
    ecc: float,
    inclination_deg: float,
    raan_deg: float = 0.0,
    arg_perigee_deg: float = 0.0,
    mean_anomaly_deg: float = 0.0,
    epoch_utc: str | None = None,
) -> OrbitModel:
    """An orbit from mean elements at ``epoch_utc`` (default: the simulation start)."""
    ep = julian_date(epoch_utc or start_utc)
    sat = Satrec()
    n_rad_min = np.sqrt(MU_EARTH_M3_S2 / a_m**3) * 60.0
    sat.sgp4init(
        WGS72,
        "i",
        1,
        (ep[0] - SGP4_EPOCH0_JD) + ep[1],
        0.0,  # B*: drag is not modelled over an EVA
        0.0,
        0.0,
        ecc,
        np.radians(arg_perigee_deg),
        np.radians(inclination_deg),
        np.radians(mean_anomaly_deg),
        n_rad_min,
        np.radians(raan_deg),
    )
    return OrbitModel(sat, julian_date(start_utc))


def from_tle(start_utc: str, line1: str, line2: str) -> OrbitModel:
    """An orbit from a two-line element set; raises OrbitError if SGP4 rejects it."""
    for number, line in ((1, line1), (2, line2)):
        problem = tle_line_problem(number, line)
        if problem:
            raise OrbitError(f"not a valid two-line element set: line {number} {problem}")
    try:
        sat = Satrec.twoline2rv(line1, line2)
    except (ValueError, IndexError) as exc:
        raise OrbitError(f"not a valid two-line element set: {exc}") from None
    if sat.error:
        raise OrbitError(f"SGP4 rejects this element set (error {sat.error})")
    return OrbitModel(sat, julian_date(start_utc))


def tle_line_problem(number: int, line: str) -> str:
    """What is wrong with one TLE line (empty if nothing): length, line number, checksum."""
    line = line.rstrip()
    if len(line) != 69:
        return f"has {len(line)} characters, expected 69"
    if line[0] != str(number) or line[1] != " ":
        return f"must start with '{number} '"
    total = sum(int(ch) if ch.isdigit() else (1 if ch == "-" else 0) for ch in line[:68])
    if str(total % 10) != line[68]:
        return f"fails its checksum (last digit should be {total % 10})"
    return ""


def _shadow_angles(r_sat_m: np.ndarray, r_sun_m: np.ndarray):
    """Seen from the vehicle: the Sun's apparent radius, the Earth's, and the angle between
    their centres [rad] (:func:`shadow_fraction`)."""
    r = np.atleast_2d(r_sat_m)
    d = np.atleast_2d(r_sun_m) - r
    rn = np.linalg.norm(r, axis=1)
    dn = np.linalg.norm(d, axis=1)
    a = np.arcsin(R_SUN_M / dn)  # apparent radius of the Sun
    b = np.arcsin(R_EARTH_M / rn)  # apparent radius of the Earth
    c = np.arccos(np.clip(-np.sum(r * d, axis=1) / (rn * dn), -1.0, 1.0))  # separation
    return a, b, c


def day_night_changes(t_s: np.ndarray, sunlit: np.ndarray) -> list[tuple[float, str]]:
    """Sunset and sunrise times: where the lit fraction crosses one half."""
    lit = sunlit >= 0.5
    out = []
    for i in np.nonzero(lit[1:] != lit[:-1])[0]:
        f0, f1 = sunlit[i] - 0.5, sunlit[i + 1] - 0.5
        t = t_s[i] + (t_s[i + 1] - t_s[i]) * f0 / (f0 - f1)
        out.append((float(t), "sunrise" if lit[i + 1] else "sunset"))
    return out

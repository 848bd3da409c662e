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
        """Fraction of the solar disc seen by the vehicle: 1 in sunlight, 0 in umbra."""
        r, _ = self.state(t_s)
        return shadow_fraction(r, sun_position_m(self.start_jd, t_s))

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


SUN_GRID_S = 1800.0  # [s] the Sun moves 0.02 deg in this time: interpolate between nodes


def sun_position_m(start_jd: tuple[float, float], t_s) -> np.ndarray:
    """Geocentric Sun position [m] in the true equator and equinox of date, shaped (n, 3).

    ERFA is evaluated on a 30-minute grid and interpolated linearly (the chord error is
    below 2e-8 of the distance, about 2.4 km, a millionth of a degree in direction).
    """
    t = np.atleast_1d(np.asarray(t_s, dtype=float))
    if t.size > 4:
        lo = np.floor(t.min() / SUN_GRID_S) * SUN_GRID_S
        nodes = np.arange(lo, t.max() + 2 * SUN_GRID_S, SUN_GRID_S)
        at = _sun_exact_m(start_jd, nodes)
        return np.stack([np.interp(t, nodes, at[:, k]) for k in range(3)], axis=1)
    return _sun_exact_m(start_jd, t)


def _sun_exact_m(start_jd: tuple[float, float], t: np.ndarray) -> np.ndarray:
    utc1 = np.full(t.shape, start_jd[0])
    utc2 = start_jd[1] + t / 86400.0
    tai1, tai2 = erfa.utctai(utc1, utc2)
    tt1, tt2 = erfa.taitt(tai1, tai2)
    pvh, _ = erfa.epv00(tt1, tt2)  # Earth's heliocentric position and velocity [au, au/d]
    sun_gcrs = -pvh["p"] * AU_M
    npb = erfa.pnm06a(tt1, tt2)  # GCRS -> true equator and equinox of date
    return np.einsum("nij,nj->ni", npb, sun_gcrs)


def shadow_fraction(r_sat_m: np.ndarray, r_sun_m: np.ndarray) -> np.ndarray:
    """Conical Earth-shadow model (Montenbruck and Gill, *Satellite Orbits*, 2000, sec. 3.4.2).

    Returns the visible fraction of the solar disc: 1 lit, 0 umbra, in between penumbra.
    """
    r = np.atleast_2d(r_sat_m)
    d = np.atleast_2d(r_sun_m) - r
    rn = np.linalg.norm(r, axis=1)
    dn = np.linalg.norm(d, axis=1)
    a = np.arcsin(R_SUN_M / dn)  # apparent radius of the Sun
    b = np.arcsin(R_EARTH_M / rn)  # apparent radius of the Earth
    c = np.arccos(np.clip(-np.sum(r * d, axis=1) / (rn * dn), -1.0, 1.0))  # separation
    nu = np.ones(rn.shape)
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


def day_night_changes(t_s: np.ndarray, sunlit: np.ndarray) -> list[tuple[float, str]]:
    """Sunset and sunrise times: where the lit fraction crosses one half."""
    lit = sunlit >= 0.5
    out = []
    for i in np.nonzero(lit[1:] != lit[:-1])[0]:
        f0, f1 = sunlit[i] - 0.5, sunlit[i + 1] - 0.5
        t = t_s[i] + (t_s[i + 1] - t_s[i]) * f0 / (f0 - f1)
        out.append((float(t), "sunrise" if lit[i + 1] else "sunset"))
    return out

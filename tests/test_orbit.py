"""The orbit environment against Kepler's third law and the geometric eclipse formula."""

from __future__ import annotations

import numpy as np
import pytest

from spacewalk.physics import orbit


def test_polaris_dawn_orbit_period():
    """190 x 737 km: ~93.7 min computed in reference-data.md section 7 (T = 2 pi sqrt(a^3/mu));
    the "106 minutes" of some sources is the EVA's length, not the period."""
    a = orbit.semi_major_axis_m(190, 737)
    model = orbit.from_elements("2024-09-12T10:12:00Z", a, orbit.eccentricity(190, 737), 51.7)
    assert model.period_s / 60 == pytest.approx(93.8, abs=0.2)
    r, _ = model.state(np.linspace(0, model.period_s, 2000))
    alt_km = (np.linalg.norm(r, axis=1) - orbit.R_EARTH_M) / 1000
    assert alt_km.min() == pytest.approx(190, abs=25)  # SGP4's WGS72 radius and J2
    assert alt_km.max() == pytest.approx(737, abs=25)


@pytest.mark.parametrize("raan_deg", [30.0, 120.0])
def test_eclipse_of_a_420_km_orbit_matches_the_beta_angle_formula(raan_deg):
    """Cylindrical-shadow eclipse time T/pi * acos(sqrt(h^2 + 2 R h) / (r cos beta))
    (Wertz, *Space Mission Analysis and Design*, 3rd ed., eq. 5-5); the conical model
    with the half-lit criterion agrees within the penumbra's few seconds."""
    model = orbit.from_elements(
        "2024-03-20T00:00:00Z", orbit.R_EARTH_M + 420e3, 0.0, 51.6, raan_deg=raan_deg
    )
    t = np.arange(0.0, 2.2 * model.period_s, 1.0)
    changes = orbit.day_night_changes(t, model.sunlit_fraction(t))
    sunset = next(i for i, (_, kind) in enumerate(changes) if kind == "sunset")
    t_set, t_rise = changes[sunset][0], changes[sunset + 1][0]
    beta = np.radians(model.beta_deg(0.5 * (t_set + t_rise))[0])
    h, r = 420e3, orbit.R_EARTH_M + 420e3
    expected = (
        model.period_s
        / np.pi
        * np.arccos(np.sqrt(h * h + 2 * orbit.R_EARTH_M * h) / (r * np.cos(beta)))
    )
    assert t_rise - t_set == pytest.approx(expected, abs=10.0)


def test_sun_direction_at_the_march_equinox():
    """At the 2024 March equinox (20 Mar 03:06 UTC) the Sun crosses the equator at RA 0."""
    model = orbit.from_elements("2024-03-20T03:06:00Z", orbit.R_EARTH_M + 420e3, 0.0, 51.6)
    s = model.sun_direction(0.0)[0]
    assert np.degrees(np.arcsin(s[2])) == pytest.approx(0.0, abs=0.01)
    assert np.degrees(np.arctan2(s[1], s[0])) == pytest.approx(0.0, abs=0.02)


def test_a_tle_propagates_and_a_bad_one_is_refused():
    # an ISS-like element set written for this test (15.5 revolutions a day), valid checksums
    l1 = "1 25544U 98067A   24256.50000000  .00016717  00000-0  30000-3 0  9992"
    l2 = "2 25544  51.6400 200.0000 0006000  90.0000 270.0000 15.50000000470006"
    model = orbit.from_tle("2024-09-12T12:00:00Z", l1, l2)
    assert model.period_s / 60 == pytest.approx(1440 / 15.5, abs=0.05)
    with pytest.raises(orbit.OrbitError, match="two-line"):
        orbit.from_tle("2024-09-12T12:00:00Z", "1 garbage", "2 garbage")
    with pytest.raises(orbit.OrbitError, match="checksum"):
        orbit.from_tle("2024-09-12T12:00:00Z", l1[:68] + "0", l2)


@pytest.mark.parametrize("start", ["2024-01-03T05:00:00Z", "2024-03-20T03:06:00Z"])
def test_the_interpolated_sun_is_erfas(start):
    """Over many times ERFA's Sun is taken every three hours and interpolated: within 100 m
    of ERFA at every 10-s step of three days (a billionth of the distance)."""
    model = orbit.from_elements(start, orbit.R_EARTH_M + 420e3, 0.0005, 51.6)
    t = np.arange(3 * 8640) * 10.0
    exact = orbit._sun_exact_m(model.start_jd, t)
    gap_m = np.linalg.norm(orbit.sun_position_m(model.start_jd, t) - exact, axis=1)
    assert gap_m.max() < 100.0


@pytest.mark.parametrize(
    ("alt_km", "ecc", "inc_deg", "tol"),
    [(420, 0.0005, 51.6, 1e-5), (200, 0.0, 28.5, 1e-5), (1500, 0.0, 98.0, 1e-5),
     (2000, 0.1, 65.0, 1e-4)],
)  # fmt: skip
def test_the_sunlit_fraction_of_an_engines_steps_is_the_shadow_model_at_each(
    alt_km, ecc, inc_deg, tol
):
    """An engine's 10-s steps: SGP4 and the Sun on nodes, the shadow model exact wherever
    the vehicle is near the shadow's edges (Montenbruck and Gill's conical model at SGP4's
    own position each step, to a fraction ``tol`` of the disc: the interpolated position is
    within 5 cm in low orbit, 1.5 m at an eccentric orbit's perigee), 1 or 0 elsewhere,
    at every orbit plane from the Sun's to edge-on (24 ascending nodes; the Sun as the test
    above holds it to ERFA)."""
    worst = 0.0
    for raan in range(0, 360, 15):
        model = orbit.from_elements(
            "2024-06-21T00:00:00Z", orbit.R_EARTH_M + alt_km * 1e3, ecc, inc_deg, raan
        )
        t = np.arange(8640) * 10.0
        r, _ = model.state(t)
        exact = orbit.shadow_fraction(r, orbit.sun_position_m(model.start_jd, t))
        worst = max(worst, np.abs(model.sunlit_fraction(t) - exact).max())
    assert worst < tol

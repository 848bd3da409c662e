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

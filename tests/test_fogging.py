"""Visor fogging: the helmet gas's dew point against the visor's temperature
(``physics/lifesupport.py``; docs/models.md, "Visor fogging")."""

import numpy as np
import pytest

from spacewalk import SUITS, simulate
from spacewalk.physics import lifesupport
from spacewalk.physics.metabolism import o2_energy_equivalent_J_per_L
from spacewalk.units import PA_PER_MMHG, SKIN_T_K, p_sat_water_Pa

from .helpers import edited


def test_saturation_pressure_matches_the_steam_tables_and_the_lungs():
    # 47 mmHg at 37 C, the water term of the alveolar gas equation (physiology texts, H);
    # 1.4497 kPa at 12.5 C and 5.628 kPa at 35 C (IAPWS steam tables, via the CRC Handbook)
    assert p_sat_water_Pa(310.15) / PA_PER_MMHG == pytest.approx(47.0, abs=0.3)
    assert p_sat_water_Pa(285.65) == pytest.approx(1449.7, rel=0.005)
    assert p_sat_water_Pa(SKIN_T_K) == pytest.approx(5628.0, rel=0.005)


@pytest.mark.parametrize("humidity", [0.3, 0.5])
def test_the_breath_loses_300_to_400_mL_a_day_at_rest_in_room_air(humidity):
    # insensible water loss from the respiratory tract: 300-400 mL/day (Guyton and Hall,
    # Textbook of Medical Physiology, ch. 25); at rest, 1 MET = 3.5 mL O2/(kg min) for 70 kg
    # (the MET's definition), in indoor air at 22 C and 30-50 % relative humidity
    rest_W = 3.5e-3 * 70.0 / 60.0 * o2_energy_equivalent_J_per_L()
    room = humidity * p_sat_water_Pa(295.15)
    per_day = lifesupport.respired_water_kg_s(rest_W, room) * 86400.0
    assert 0.30 <= per_day <= 0.40


def test_the_stream_goes_from_its_inlet_to_saturation_at_skin_temperature():
    p_in, capacity = p_sat_water_Pa(285.65), 1e-4
    p_skin = p_sat_water_Pa(SKIN_T_K)
    assert lifesupport.helmet_vapour_Pa(p_in, 0.0, capacity) == p_in
    for load in (capacity, 3 * capacity):  # sweat beyond what the stream carries
        assert lifesupport.helmet_vapour_Pa(p_in, load, capacity) == p_skin
    assert lifesupport.helmet_vapour_Pa(p_in, 0.0, 0.0) == p_skin  # a stopped stream
    # half the capacity, against the water's mass balance in the gas: the humidity ratio
    # w = 0.563 p_w / (p - p_w) goes half way, so p_w = p w / (0.563 + w); the model's
    # mixing, linear in vapour pressure, is within the few per cent it says (EMU, 4.3 psia)
    p = 29.65e3
    w_in, w_skin = (0.563 * x / (p - x) for x in (p_in, p_skin))
    w = 0.5 * (w_in + w_skin)
    exact = p * w / (0.563 + w)
    assert lifesupport.helmet_vapour_Pa(p_in, 0.5 * capacity, capacity) == pytest.approx(
        exact, rel=0.05
    )


def test_a_visor_at_the_gas_dew_point_is_at_the_edge_of_fogging():
    # a visor face half way from the skin (35 C) to a sink of -1 C sits at 17 C, where the
    # steam tables give a saturation pressure of 1.9377 kPa (IAPWS, via the CRC Handbook):
    # a helmet gas of that vapour pressure (a 17 C dew point) is at the edge of condensing
    sink, coupling = 272.15, 0.5
    assert lifesupport.visor_temperature_K(sink, coupling) == pytest.approx(290.15)
    at_visor = lifesupport.visor_saturation_Pa(sink, coupling)
    assert lifesupport.fog_index(1937.7, at_visor) == pytest.approx(1.0, rel=0.005)
    # the visor's face lies between the skin and the sink
    assert lifesupport.visor_temperature_K(sink, 0.0) == SKIN_T_K
    assert lifesupport.visor_temperature_K(sink, 1.0) == pytest.approx(sink)


def _emu_outside(res, crew="ev1"):
    tel = res.telemetry
    return tel[(tel.crew == crew) & (tel.location == "outside")]


def test_an_emu_visor_is_colder_and_nearer_fogging_at_night_and_stays_clear(emu_toml):
    out = _emu_outside(simulate(edited(emu_toml, lambda d: None)))
    assert out.sunlit.min() < 0.5 < out.sunlit.max()  # the EVA sees both
    # at the same work, the index is higher in shadow: the visor radiates to a colder sink
    work = out.metabolic_W.round()
    common = work[out.sunlit > 0.5].mode().iloc[0]
    same = out[work == common]
    day = same.fog_index[same.sunlit > 0.5].mean()
    night = same.fog_index[same.sunlit < 0.5].mean()
    assert night > 1.1 * day
    assert out.fog_index.max() < 1.0  # the EMU's visors stay clear (the flight record)


def test_a_closed_loop_that_loses_its_cooling_fogs_the_visor(emu_toml):
    # the sublimator no longer condenses the vent loop's water: the gas goes saturated at
    # skin temperature, above any visor colder than skin
    def edit(d):
        d["faults"] = [
            {"kind": "cooling-failure", "crew": "ev1", "at_min": 90, "remaining_fraction": 0.0}
        ]

    res = simulate(edited(emu_toml, edit))
    out = _emu_outside(res)
    after = out[out.t_s > 90 * 60]
    assert (after.fog_index > 1.0).any()
    assert (out[out.t_s < 90 * 60].fog_index < 1.0).all()
    ev = res.events
    assert ((ev.crew == "ev1") & (ev.subject == "visor-fog")).any()
    assert _emu_outside(res, "ev2").fog_index.max() < 1.0  # the partner's suit is not touched


def test_a_gas_cooled_suit_that_sweats_past_its_stream_fogs_whatever_the_coupling():
    # a stream saturated at skin temperature condenses on any visor colder than skin
    p_skin = p_sat_water_Pa(SKIN_T_K)
    sink = lifesupport.sink_temperature_K(1.0, 0.2, 0.85)
    for coupling in (0.01, SUITS["gemini-g4c"]["visor_coupling"], 0.3):
        visor = lifesupport.visor_saturation_Pa(sink, coupling)
        assert lifesupport.fog_index(p_skin, visor) > 1.0
    assert np.isclose(lifesupport.fog_index(p_skin, p_sat_water_Pa(SKIN_T_K)), 1.0)

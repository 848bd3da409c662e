"""Energy and water are conserved off the nominal path: after water intrusion, a cooling
failure and an empty feedwater tank, every joule and every kilogram is accounted for (the
first law and the mass balance of the tank), and nothing cools or wets the crew member that
has no source."""

import tomllib
from pathlib import Path

import numpy as np
import pytest
import tomli_w

from spacewalk import parse_toml
from spacewalk.sim.engine import Engine
from spacewalk.sim.plan import compile_plan
from spacewalk.sim.subsystems import vessels
from spacewalk.units import C_BODY

EMU = Path(__file__).parent / "data" / "emu-nominal.toml"


def _engine(faults, edit=None):
    data = tomllib.loads(EMU.read_text())
    data["faults"] = faults
    if edit:
        edit(data)
    return Engine(compile_plan(parse_toml(tomli_w.dumps(data))), record=False).run()


def _balances(th, feedwater0):
    """The water's mass balance (the tank, what came in from outside a suit without one,
    and where it went) and the first law, per crew member."""
    water = (
        feedwater0
        + th.refilled_kg
        + th.external_water_kg
        - (th.feedwater_kg + th.sublimated_kg + th.helmet_water_kg + th.helmet_drained_kg)
    )
    energy = th.heat_in_J - th.heat_out_J - th.heat_J
    return water, energy


def test_water_and_energy_balance_close_after_faults():
    def edit(d):
        d["flight_rules"] = []  # no flight rules: the faults run their course
        # ev1's tank (1.5 kg) empties before its water covers the nose and mouth (2 L)
        d["suits"] = {"small-tank": {"base": "emu", "feedwater_kg": 1.5}}
        d["crew"][0]["suit"] = "small-tank"

    eng = _engine(
        [
            {"kind": "water-intrusion", "crew": "ev1", "at_min": 60, "rate_mL_min": 250},
            {"kind": "cooling-failure", "crew": "ev2", "at_min": 90, "remaining_fraction": 0.3},
        ],
        edit,
    )
    th = eng.th
    water, energy = _balances(th, eng.plan.crew.feedwater_kg)
    np.testing.assert_allclose(water, 0.0, atol=1e-9)
    np.testing.assert_allclose(energy, 0.0, atol=1e-3 * np.abs(th.heat_in_J).max())
    # the leak emptied ev1's tank: the helmet never holds more than the tank had
    assert th.feedwater_out_s[0, 0] > 0
    assert th.helmet_water_kg[0, 0] + th.helmet_drained_kg[0, 0] <= eng.plan.crew.feedwater_kg[0, 0]


def test_a_total_cooling_failure_heats_the_body_by_the_first_law():
    """0 % cooling at 220 W (the issue's case): no garment cooling and, on a sublimator suit,
    no evaporation either, so the body stores what comes in; the core rise follows
    Q / (m c) and the crew member is impaired by heat (no green 'completed')."""

    def edit(d):
        d["flight_rules"] = []
        for a in d["timeline"]["ev1"]:
            if a["activity"] == "task":
                a.pop("workload", None)
                a["metabolic_W"] = 220.0

    eng = _engine(
        [{"kind": "cooling-failure", "crew": "ev1", "at_min": 60, "remaining_fraction": 0.0}], edit
    )
    th = eng.th
    _, energy = _balances(th, eng.plan.crew.feedwater_kg)
    assert abs(energy[0, 0]) < 1e-3 * th.heat_in_J[0, 0]
    rise = th.heat_J[0, 0] / (eng.plan.crew.mass_kg[0, 0] * C_BODY)
    assert rise > 2.0  # hours at 220 W and more with nothing taken away
    assert eng.ph.worst[0, 0] >= 1  # impaired (or worse) by heat
    out = eng.output()
    assert out.condition[0, 0] >= 1


def test_helmet_water_is_drained_when_the_helmet_comes_off():
    """3 mL/min from minute 60 until the helmet comes off (doff): that much is in the helmet
    then, and it is taken out, not carried on."""
    eng = _engine(
        [{"kind": "water-intrusion", "crew": "ev1", "at_min": 60, "rate_mL_min": 3}],
        lambda d: d.update(flight_rules=[]),
    )
    th, plan = eng.th, eng.plan
    doff = [a["activity"] for a in _timeline("ev1")].index("doff")
    t_off = eng.tl.act_start_s[0, 0, doff]
    assert th.helmet_water_kg[0, 0] == 0.0
    assert th.helmet_drained_kg[0, 0] == pytest.approx(
        0.003 * (t_off - 3600) / 60, abs=0.003 * plan.scenario.engine.dt_s / 60
    )


def _timeline(crew):
    return tomllib.loads(EMU.read_text())["timeline"][crew]


FAULTS = [
    {"kind": "water-intrusion", "rate_mL_min": 250.0},
    {"kind": "suit-leak", "hole_diameter_mm": 1.0},
    {"kind": "suit-leak", "hole_diameter_mm": 10.0},
    {"kind": "regulator-failure"},
    {"kind": "cooling-failure", "remaining_fraction": 0.0},
    {"kind": "scrubber-exhausted"},
    {"kind": "fan-failure"},
]


@pytest.mark.parametrize(
    "name, crew",
    [("iss-eva-23-2013", "cassidy"), ("polaris-dawn-2024", "gillis"), ("mir-1997", "linenger")],
)
def test_every_fault_on_library_scenarios_runs_clean_and_conserves(name, crew):
    """Each fault kind, 60 min in, on three library scenarios (a backpack EMU, an umbilical
    suit in a vented cabin, an Orlan): the run ends with a status of ok, every final value is
    finite, and the water, energy and vehicle gas accounts close (the gas: what the vessels
    hold is what they held, plus the repress, less what went to space; equalising between
    them moves gas, it makes none)."""
    from spacewalk.scenario.load import library_dir

    base = tomllib.loads((library_dir() / f"{name}.toml").read_text())
    base.pop("documented", None)
    for fault in FAULTS:
        data = dict(base, faults=[{**fault, "crew": crew, "at_min": 60.0}])
        eng = Engine(compile_plan(parse_toml(tomli_w.dumps(data))), record=False).run()
        out = eng.output()
        assert out.status == ["ok"], (fault, out.status)
        assert all(np.isfinite(v).all() for v in out.final.values()), fault
        th = eng.th
        water, energy = _balances(th, eng.plan.crew.feedwater_kg)
        np.testing.assert_allclose(water, 0.0, atol=1e-9)
        assert np.abs(energy).max() <= 1e-3 * max(1.0, np.abs(th.heat_in_J).max()), fault
        ves, m0 = eng.ves, vessels.init(eng.plan).m_kg
        gas = ves.m_kg.sum(axis=1) - (m0 + ves.added_kg - ves.vented_kg).sum(axis=1)
        np.testing.assert_allclose(gas, 0.0, atol=1e-12 * m0.sum(), err_msg=str(fault))

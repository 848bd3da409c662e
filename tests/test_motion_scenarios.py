"""Motion through the whole engine: free flight, tethers and breaks, capture, day and night."""

from __future__ import annotations

import tomllib

import numpy as np
import pytest

from spacewalk import ScenarioError, simulate
from spacewalk.physics.maneuvering import UNITS, suited_mass_properties
from spacewalk.scenario import library_dir

from .helpers import edited


@pytest.fixture(scope="module")
def excursion():
    return simulate("mmu-excursion")


def test_mmu_excursion_reaches_98_m_and_returns_with_propellant_to_spare(excursion):
    """STS-41-B: McCandless flew 320 ft (98 m) from the orbiter (reference-data.md sec. 2).

    The library's sts-41b-1984, through its old name mmu-excursion (an alias)."""
    s = excursion.summary
    mo = s["crew"]["mccandless"]["motion"]
    assert s["outcome"] == "completed"
    assert mo["max_range_m"] == pytest.approx(98.0, abs=1.5)  # from the hatch
    # two hops (45 m and 98 m out and back at 0.1 m/s) and 35 min of station-keeping
    assert mo["propellant_left_kg"] > 0.6 * 11.8
    assert not excursion.events["message"].str.contains("CANNOT RETURN").any()
    # the unit's 6-DOF state is recorded at every step, attitude held within the deadband
    tl = excursion.telemetry
    flying = tl[(tl.crew == "mccandless") & (tl.motion == "flying")]
    assert len(flying) > 50
    q = flying[["q0", "q1", "q2", "q3"]].to_numpy()
    assert np.allclose(np.linalg.norm(q, axis=1), 1.0, atol=1e-9)
    assert np.degrees(2 * np.arccos(np.clip(q[:, 0], -1, 1))).max() < 5.0
    # delta-v spent and left add up to the full tank's (Tsiolkovsky identity)
    unit = UNITS["mmu"]
    m0, _ = suited_mass_properties(75.0, 124.7, unit)  # crew, EMU, MMU (presets)
    total = unit.delta_v_m_s(m0)
    assert mo["delta_v_used_m_s"] + mo["delta_v_left_m_s"] == pytest.approx(total, abs=0.02)


def test_day_and_night_follow_the_orbit(excursion):
    orbit = excursion.summary["orbit"]
    assert orbit["period_min"] == pytest.approx(90.8, abs=0.3)  # 307 x 317 km
    changes = orbit["day_night"]
    assert [c["event"] for c in changes[:2]] == ["sunset", "sunrise"]
    night = changes[1]["t_min"] - changes[0]["t_min"]
    assert 33.0 < night < 37.5  # a ~310 km orbit at low beta spends ~36 min in shadow
    tl = excursion.telemetry
    lit = tl[tl.crew == "mccandless"].set_index("t_s")["sunlit"]
    assert lit.loc[changes[0]["t_min"] * 60 + 60] == 0.0
    assert lit.loc[changes[1]["t_min"] * 60 + 60] == 1.0
    assert excursion.summary["crew"]["mccandless"]["darkness_outside_min"] > 10.0


def _drift_scenario(emu_toml, fault_min=None, push=0.4):
    def edit(d):
        d["crew"][0]["tether_length_m"] = 8.0
        d["timeline"]["ev1"][4:7] = [
            {
                "activity": "free-float",
                "label": "let go",
                "duration_min": 6,
                "push_m_s": [0.0, 0.0, push],
            },
            {"activity": "translate", "label": "pull back", "duration_min": 5, "range_m": 5},
        ]
        d["timeline"]["ev2"][4:7] = [{"activity": "task", "duration_min": 15}]
        if fault_min is not None:
            d["faults"] = [
                {"kind": "tether-break", "crew": "ev1", "tether": "tether", "at_min": fault_min}
            ]

    return edited(emu_toml, edit)


def test_a_tether_stops_the_drift_and_a_break_sets_the_crew_member_tumbling(emu_toml):
    held = simulate(_drift_scenario(emu_toml))
    mo = held.summary["crew"]["ev1"]["motion"]
    # stops within length + stretch: 8 m from the hatch plus v sqrt(m/k) (sec. tests)
    assert 8.0 < mo["max_range_m"] < 8.0 + 0.4 * np.sqrt(200.0 / 2000.0) + 0.5
    assert mo["max_tether_tension_N"] > 10.0
    # the waist attach point is off the centre of mass: a taut tether twists the body
    assert mo["max_tumble_deg_s"] > 1.0
    t_let_go = next(p for p in held.summary["phases"] if p["activity"] == "let go")
    broke = simulate(_drift_scenario(emu_toml, fault_min=t_let_go["start_min"] + 0.5))
    assert broke.events["message"].str.contains("FAULT tether broke").any()
    gone = broke.summary["crew"]["ev1"]["motion"]
    assert gone["max_range_m"] > 3 * 8.0  # nothing holds the crew member any more
    tl = broke.telemetry
    t_break = (t_let_go["start_min"] + 0.5) * 60
    after = tl[(tl.crew == "ev1") & (tl.t_s > t_break + 10)]
    assert (after["tether_tension_N"] == 0.0).all()
    # a free body keeps its spin: the tumble in the minutes after the break stays (over
    # these minutes the gravity-gradient torque is negligible)
    soon = after[(after.motion == "free") & (after.t_s < t_break + 300)]
    spin = soon["tumble_deg_s"]
    assert spin.max() - spin.min() < 0.05 * spin.max() + 0.1
    # and nothing pulls it back: "pull back" finds no tether and nothing within reach
    assert broke.summary["crew"]["ev1"]["outcome"] == "adrift"


def _capture_scenario(emu_toml, spin_rpm=1.0):
    def edit(d):
        d["crew"][0]["maneuvering_unit"] = "mmu"
        d["targets"] = [
            {
                "id": "palapa",
                "name": "Palapa B2 (HS-376)",
                "mass_kg": 600.0,
                "inertia_kg_m2": [350.0, 350.0, 280.0],
                "position_m": [0.0, -30.0, 0.0],
                "spin_rpm": spin_rpm,
                "spin_axis": [0.0, 0.0, 1.0],
                "capture_offset_m": [0.0, 0.0, -1.2],
            }
        ]
        d["timeline"]["ev1"][4:7] = [
            {"activity": "capture", "to": "palapa", "label": "stinger capture"},
            {"activity": "release", "label": "hand over to the arm"},
            {"activity": "fly", "to": "hatch", "label": "fly home"},
        ]
        d["timeline"]["ev2"][4:7] = [{"activity": "task", "duration_min": 20}]

    return edited(emu_toml, edit)


def test_capture_docks_despins_and_releases_a_spinning_satellite(emu_toml):
    """STS-51-A: fly to the spinning HS-376, dock with the stinger, null the spin
    (reference-data.md sec. 2: residual spin ~1 rpm, 51A press kit)."""
    res = simulate(_capture_scenario(emu_toml))
    msgs = res.events["message"]
    dock = res.events[msgs.str.startswith("CAPTURE")]
    despun = res.events[msgs.str.startswith("DESPUN")]
    assert len(dock) == 1 and len(despun) == 1
    assert msgs.str.startswith("RELEASE").any()
    # momentum shared at docking: the pair turns slower than the satellite did
    rate = float(dock.iloc[0]["message"].split("turns at ")[1].split(" deg/s")[0])
    assert 0.5 < rate < 6.0  # 1 rpm = 6 deg/s before docking
    assert despun.iloc[0]["t_s"] > dock.iloc[0]["t_s"]
    s = res.summary
    assert s["crew"]["ev1"]["outcome"] == "completed"
    assert s["crew"]["ev1"]["motion"]["max_range_m"] > 28.0


@pytest.mark.parametrize(
    "edit, path, words",
    [
        (
            lambda d: d["timeline"]["ev1"].insert(4, {"activity": "fly", "at_m": [0, 5, 0]}),
            "timeline.ev1[4].activity",
            "maneuvering unit",
        ),
        (lambda d: d.pop("orbit"), "orbit", "required"),
        (lambda d: d["orbit"].pop("inclination_deg"), "orbit", "inclination_deg"),
        (
            lambda d: d.setdefault("faults", []).append(
                {"kind": "tether-break", "crew": "ev1", "tether": "umbilical", "at_min": 5}
            ),
            "faults[0].tether",
            "no tether",
        ),
        (
            lambda d: d["timeline"]["ev1"].insert(
                4, {"activity": "free-float", "duration_min": 1, "push_m_s": [0, "fast", 0]}
            ),
            "timeline.ev1[4].push_m_s",
            "",
        ),
        (lambda d: d["engine"].update(motion_dt_s=0.3), "engine", "motion_dt_s"),
    ],
)
def test_bad_motion_input_names_the_key_and_the_fix(emu_toml, edit, path, words):
    with pytest.raises(ScenarioError) as info:
        edited(emu_toml, edit)
    text = str(info.value)
    assert path in text and words in text


def test_polaris_dawn_crew_stand_on_the_ladder_within_their_umbilicals():
    """Polaris Dawn: 12 ft (3.7 m) umbilicals and the Skywalker mobility aid (sec. 7)."""
    text = (library_dir() / "polaris-dawn-2024.toml").read_text()
    data = tomllib.loads(text)
    assert {m["id"]: m.get("umbilical_length_m") for m in data["crew"]}["isaacman"] == 3.7
    res = simulate("polaris-dawn")
    tl = res.telemetry
    out = tl[(tl.crew == "isaacman") & (tl.activity == "suit mobility tests")]
    assert (out["motion"] == "ladder").all()
    assert out["range_m"].max() == pytest.approx(1.2, abs=0.01)
    assert not res.events["message"].str.contains("beyond").any()


def test_arm_ride_moves_the_crew_member_at_the_arm_speed(emu_toml):
    """STS-114: Robinson rode the arm's foot restraint under the orbiter; crew on the end of
    the SSRMS are limited to under 20 cm/s (reference-data.md sec. 8)."""

    def edit(d):
        d["timeline"]["ev1"][5] = {
            "activity": "ride",
            "label": "arm ride",
            "at_m": [-12.0, 0.0, 45.0],
            "restraint": "arm",
        }

    res = simulate(edited(emu_toml, edit))
    ride = next(p for p in res.summary["phases"] if p["activity"] == "arm ride")
    tl = res.telemetry
    rows = tl[(tl.crew == "ev1") & (tl.activity == "arm ride")]
    assert (rows["motion"] == "arm").all()
    start = rows.iloc[0][["x_m", "y_m", "z_m"]].to_numpy(dtype=float)
    distance = np.linalg.norm(np.array([-12.0, 0.0, 45.0]) - start)
    minutes = ride["end_min"] - ride["start_min"]
    assert minutes * 60 == pytest.approx(distance / 0.2, abs=40.0)  # 10 s steps, 30 s records
    assert rows["vx_m_s"].pow(2).add(rows["vz_m_s"].pow(2)).pow(0.5).max() <= 0.2 + 1e-9


def test_a_hand_held_gun_runs_dry_and_the_crew_member_cannot_fly_back(emu_toml):
    """Gemini 4: the oxygen gun "ran out of gas after only 3 minutes" (APOD 2015-06-06)."""

    def edit(d):
        d["crew"][0]["maneuvering_unit"] = "hhmu"
        d["timeline"]["ev1"][5] = {
            "activity": "fly",
            "label": "fly with the gun",
            "at_m": [0.0, 0.0, 400.0],
            "speed_m_s": 2.0,
        }
        d["engine"]["max_duration_h"] = 3.0

    res = simulate(edited(emu_toml, edit))
    msgs = res.events["message"]
    assert msgs.str.contains("propellant exhausted").any()
    assert msgs.str.contains("CANNOT RETURN").any()
    mo = res.summary["crew"]["ev1"]["motion"]
    assert mo["propellant_left_kg"] == 0.0
    assert mo["delta_v_left_m_s"] == 0.0


def test_letting_go_mid_path_keeps_the_path_velocity(emu_toml):
    """A crew member translating at 0.2 m/s who lets go mid-path drifts on at 0.2 m/s
    (before, letting go stopped the body dead relative to the vehicle)."""

    def edit(d):
        d["crew"][0]["tether_length_m"] = 60.0
        d["timeline"]["ev1"][4:7] = [
            {
                "activity": "translate",
                "label": "out",
                "duration_min": 1,
                "range_m": 40,
                "speed_m_s": 0.2,
            },
            {"activity": "free-float", "label": "let go", "duration_min": 2},
            {"activity": "translate", "label": "pull back", "duration_min": 5, "range_m": 5},
        ]
        d["timeline"]["ev2"][4:7] = [{"activity": "task", "duration_min": 15}]

    res = simulate(edited(emu_toml, edit))
    phases = {p["activity"]: p for p in res.summary["phases"] if p["crew"] == "ev1"}
    t0 = phases["let go"]["start_min"] * 60
    tl = res.telemetry[res.telemetry.crew == "ev1"].set_index("t_s")["range_m"]
    # over the first minute of the drift the range grows at the path's speed (CW effects
    # over a minute are below 1 %: n t = 0.07 rad)
    at = np.interp([t0 + 10, t0 + 70], tl.index.to_numpy(), tl.to_numpy())
    assert (at[1] - at[0]) / 60.0 == pytest.approx(0.2, rel=0.05)

"""Telemetry channels: every recorded quantity, declared once with its unit.

The table below is the public dictionary of channels; the Parquet file of a run carries it
in its schema metadata (key ``spacewalk.channels``) and ``spacewalk.CHANNELS`` exposes it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Channel:
    name: str
    unit: str
    description: str

    @property
    def title(self) -> str:
        """A short name for a display: "Helmet water"."""
        return DISPLAY[self.name][0]

    @property
    def digits(self) -> int | None:
        """Decimals worth showing (None for a text channel)."""
        return DISPLAY[self.name][1]


CHANNELS: tuple[Channel, ...] = (
    Channel("activity", "", "current timeline activity (label)"),
    Channel("location", "", "the vessel around the crew member (cabin, airlock, ...) or outside"),
    Channel("suited", "bool", "suit closed and pressurised around the crew member"),
    Channel("condition", "", "well, impaired or incapacitated (hypoxia, CO2, heat, cold, water)"),
    Channel("pio2_mmHg", "mmHg", "inspired O2 partial pressure, humidified at 37 C"),
    Channel(
        "ppo2_kPa",
        "kPa",
        "O2 partial pressure of the dry gas breathed: the suit's when suited, else the vessel's",
    ),
    Channel("metabolic_W", "W", "metabolic rate from the activity's workload"),
    Channel("p_ambient_kPa", "kPa", "pressure around the crew member (0 outside)"),
    Channel("p_cabin_kPa", "kPa", "cabin pressure"),
    Channel(
        "p_airlock_kPa",
        "kPa",
        "pressure of the lock the crew member goes out by (empty when that is the cabin)",
    ),
    Channel("p_suit_kPa", "kPa", "absolute suit pressure (ambient when unsuited)"),
    Channel("dp_suit_kPa", "kPa", "suit pressure above ambient: what balloons the suit"),
    Channel("o2_primary_kg", "kg", "O2 left in the suit's primary store (backpack suits)"),
    Channel("o2_vehicle_kg", "kg", "O2 left in the vehicle store feeding the umbilicals"),
    Channel("o2_secondary_min", "min", "emergency O2 reserve left (EMU SOP, Gemini ELSS)"),
    Channel(
        "o2_secondary_used_min",
        "min",
        "emergency O2 used, as minutes at its design flow: the primary could not hold",
    ),
    Channel("o2_flow_g_min", "g/min", "O2 drawn: metabolism, leaks and open-loop purge"),
    Channel(
        "o2_time_min", "min", "time the O2 supply lasts at the recent rate (primary + reserve)"
    ),
    Channel(
        "time_back_min",
        "min",
        "time to get back in from here: the way to the hatch along the handrails, ingress, "
        "hatch close and repress (0 inside)",
    ),
    Channel("o2_margin_min", "min", "O2 time left minus the time needed to get back in"),
    Channel("ppco2_mmHg", "mmHg", "inspired CO2 partial pressure in the helmet"),
    Channel("ppco2_suit_mmHg", "mmHg", "CO2 partial pressure of the suit's loop, at the scrubber"),
    Channel("scrubber_used_pct", "%", "share of the CO2 scrubber's capacity used"),
    Channel("heat_storage_kJ", "kJ", "heat stored in the body above neutral"),
    Channel("core_temp_rise_C", "C", "core temperature rise implied by the heat storage"),
    Channel("cooling_W", "W", "heat removed by the suit's cooling"),
    Channel("sweat_L", "L", "sweat produced since the start"),
    Channel("fog_index", "", "helmet gas vapour pressure over saturation at the visor (>1 fogs)"),
    Channel("feedwater_kg", "kg", "sublimator feedwater left"),
    Channel("battery_Ah", "Ah", "suit battery charge left"),
    Channel("helmet_water_L", "L", "free water in the helmet"),
    Channel("tissue_n2_kPa", "kPa", "N2 tension in the 360-min half-time tissue"),
    Channel("tissue_ratio", "", "tissue N2 over breathing pressure (NASA TR)"),
    Channel("etr", "", "exercise tissue ratio (NASA/TP-2004-213158)"),
    Channel("p_dcs", "", "probability of DCS so far, every exposure of the run (docs/dcs.md)"),
    Channel(
        "p_dcs_exposure",
        "",
        "probability of DCS in the present exposure (since the tissue was last not "
        "supersaturated): what the NASA acceptance limit is about",
    ),
    Channel("suit_envelope_m", "m", "size of the suited body at the hatch (ballooning)"),
    Channel("ingress_blocked_min", "min", "time spent unable to fit through the hatch"),
    Channel("range_m", "m", "distance from the hatch"),
    Channel(
        "motion",
        "",
        "how the crew member moves: inside, handrail, foot-restraint, ladder, arm, free, flying, captured",
    ),
    Channel(
        "x_m",
        "m",
        "position, Hill frame x (radial, away from the Earth), from the vehicle's centre of mass",
    ),
    Channel("y_m", "m", "position, Hill frame y (along-track, direction of flight)"),
    Channel("z_m", "m", "position, Hill frame z (orbit normal)"),
    Channel("vx_m_s", "m/s", "velocity relative to the vehicle, Hill frame x"),
    Channel("vy_m_s", "m/s", "velocity relative to the vehicle, Hill frame y"),
    Channel("vz_m_s", "m/s", "velocity relative to the vehicle, Hill frame z"),
    Channel("q0", "", "attitude quaternion, scalar part (body to Hill frame)"),
    Channel("q1", "", "attitude quaternion, x part"),
    Channel("q2", "", "attitude quaternion, y part"),
    Channel("q3", "", "attitude quaternion, z part"),
    Channel("wx_deg_s", "deg/s", "body rate about the body x axis (inertial)"),
    Channel("wy_deg_s", "deg/s", "body rate about the body y axis (inertial)"),
    Channel("wz_deg_s", "deg/s", "body rate about the body z axis (inertial)"),
    Channel("tumble_deg_s", "deg/s", "rotation rate relative to the vehicle: tumbling"),
    Channel("tether_tension_N", "N", "largest tension among the crew member's tethers"),
    Channel("tether_taut", "bool", "a tether is taut"),
    Channel("propellant_kg", "kg", "maneuvering-unit propellant left"),
    Channel("dv_used_m_s", "m/s", "delta-v spent (rocket equation on the propellant used)"),
    Channel("dv_left_m_s", "m/s", "delta-v left in the propellant"),
    Channel(
        "return_margin_m_s",
        "m/s",
        "delta-v left minus what flying back to the hatch needs (free flight)",
    ),
    Channel("sunlit", "", "fraction of the Sun's disc seen from the vehicle: 1 day, 0 night"),
    Channel("alarms", "", "caution and warning alarms raised so far"),
)

# title for displays, decimals worth showing (None: text); the units' resolution, not the model's
DISPLAY: dict[str, tuple[str, int | None]] = {
    "activity": ("Activity", None),
    "location": ("Location", None),
    "suited": ("Suited", 0),
    "condition": ("Condition", None),
    "pio2_mmHg": ("Inspired O2", 0),
    "ppo2_kPa": ("O2 partial pressure", 2),
    "metabolic_W": ("Metabolic rate", 0),
    "p_ambient_kPa": ("Ambient pressure", 2),
    "p_cabin_kPa": ("Cabin pressure", 2),
    "p_airlock_kPa": ("Airlock pressure", 2),
    "p_suit_kPa": ("Suit pressure", 2),
    "dp_suit_kPa": ("Suit pressure above ambient", 2),
    "o2_primary_kg": ("Primary O2", 3),
    "o2_vehicle_kg": ("Vehicle O2", 2),
    "o2_secondary_min": ("Secondary O2", 1),
    "o2_secondary_used_min": ("Secondary O2 used", 1),
    "o2_flow_g_min": ("O2 flow", 2),
    "o2_time_min": ("O2 time left", 0),
    "time_back_min": ("Time to get back in", 1),
    "o2_margin_min": ("O2 margin", 0),
    "ppco2_mmHg": ("Inspired CO2", 1),
    "ppco2_suit_mmHg": ("Suit-loop CO2", 1),
    "scrubber_used_pct": ("Scrubber used", 0),
    "heat_storage_kJ": ("Heat storage", 0),
    "core_temp_rise_C": ("Core temperature rise", 2),
    "cooling_W": ("Cooling", 0),
    "sweat_L": ("Sweat", 2),
    "fog_index": ("Fog index", 2),
    "feedwater_kg": ("Feedwater", 2),
    "battery_Ah": ("Battery", 1),
    "helmet_water_L": ("Helmet water", 2),
    "tissue_n2_kPa": ("Tissue N2", 1),
    "tissue_ratio": ("Tissue ratio", 2),
    "etr": ("Exercise tissue ratio", 2),
    "p_dcs": ("P(DCS)", 3),
    "p_dcs_exposure": ("P(DCS) this exposure", 3),
    "suit_envelope_m": ("Suit envelope", 3),
    "ingress_blocked_min": ("Ingress blocked", 1),
    "range_m": ("Range from hatch", 2),
    "motion": ("Motion", None),
    "x_m": ("Position x (radial)", 2),
    "y_m": ("Position y (along-track)", 2),
    "z_m": ("Position z (orbit normal)", 2),
    "vx_m_s": ("Velocity x", 3),
    "vy_m_s": ("Velocity y", 3),
    "vz_m_s": ("Velocity z", 3),
    "q0": ("Attitude q0", 4),
    "q1": ("Attitude q1", 4),
    "q2": ("Attitude q2", 4),
    "q3": ("Attitude q3", 4),
    "wx_deg_s": ("Body rate x", 2),
    "wy_deg_s": ("Body rate y", 2),
    "wz_deg_s": ("Body rate z", 2),
    "tumble_deg_s": ("Tumble rate", 2),
    "tether_tension_N": ("Tether tension", 1),
    "tether_taut": ("Tether taut", 0),
    "propellant_kg": ("Propellant", 2),
    "dv_used_m_s": ("Delta-v used", 2),
    "dv_left_m_s": ("Delta-v left", 2),
    "return_margin_m_s": ("Return margin", 2),
    "sunlit": ("Sunlit", 2),
    "alarms": ("Alarms", 0),
}

CHANNEL_BY_NAME = {c.name: c for c in CHANNELS}


def channel_table() -> list[dict]:
    return [asdict(c) for c in CHANNELS]

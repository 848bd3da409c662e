"""Built-in suit models and workload levels, each value with its source.

Confidence codes follow ``shared/research/reference-data.md``: H primary, M one reputable
secondary source, L weak, C computed here from cited inputs (the derivation is given),
NF not found (the value is an assumption, stated as such). A scenario can start from a
preset and override any field (``[suits.NAME] base = "emu"``).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from ..units import (
    KG_PER_LB,
    M3_PER_FT3,
    PA_PER_ATM,
    PA_PER_PSI,
    R_O2,
    SKIN_T_K,
    VENT_GAS_T_K,
    W_PER_BTU_H,
    W_PER_KCAL_H,
    p_sat_water_Pa,
    water_per_kg_o2,
)

_CP_O2 = 918.0  # [J/(kg K)] specific heat of O2 at 300 K


def vent_moisture_capacity_kg_h(vent_flow_kg_h: float, p_suit_Pa: float, t_inlet_dew_C: float):
    """Water vapour [kg/h] a suit ventilation stream can carry off the skin.

    The gas enters with the dew point ``t_inlet_dew_C`` and can leave saturated at skin
    temperature; the difference in humidity ratio (water per kg of O2, molar ratio 18/32)
    times the gas flow is the most sweat the stream can evaporate.
    """
    w_out = water_per_kg_o2(p_sat_water_Pa(SKIN_T_K), p_suit_Pa)
    w_in = water_per_kg_o2(p_sat_water_Pa(t_inlet_dew_C + 273.15), p_suit_Pa)
    return vent_flow_kg_h * (w_out - w_in)


def _vent_kg_h(flow_cfm: float, p_Pa: float, t_K: float = VENT_GAS_T_K) -> float:
    """Mass flow [kg/h] of O2 ventilation at a volumetric flow [ft^3/min]."""
    return flow_cfm * M3_PER_FT3 * 60.0 * p_Pa / (R_O2 * t_K)


_EMU_P = 4.3 * PA_PER_PSI
_BERKUT_P = 0.40 * PA_PER_ATM
_ORLAN_P = 0.40 * PA_PER_ATM

# Berkut open-loop flow: C, sized so the 45-min backpack (spacefacts, H) lasts 45 min at
# moderate work; the flow is the only heat and moisture sink of the suit.
_BERKUT_PURGE_KG_H = 1.2
# The secondary (emergency) O2 and the regulators' maximum flows are not in reference-data
# (NF). The EMU's SOP is taken to deliver Gemini's 5.1 lb/h emergency purge (ELSS low setting,
# NASM, H) for its 30 minutes (H), 1.16 kg; its primary regulator is taken to deliver the
# same at most. A leak beyond ~2.3 kg/h of O2 (a hole of ~4 mm) then lowers the suit pressure.
_SOP_KG_H = 5.1 * KG_PER_LB

# Gemini gas-cooled suit: 350 kcal/h total with 456 mL/h sweat (M: de.zxc.wiki, Gruender 2001);
# the sweat accounts for 0.456 kg/h * 2.43 MJ/kg = 308 W, leaving ~99 W sensible (C).
_ELSS_SWEAT_KG_H = 0.456
_ELSS_SENSIBLE_W = round(350 * W_PER_KCAL_H - _ELSS_SWEAT_KG_H * 2.43e6 / 3600, 1)
# Suits without a backpack of their own carry no scrubber, feedwater or battery.
_NO_BACKPACK = {
    "co2_removal": "purge",
    "scrubber_capacity_kg": 0.0,
    "o2_primary_kg": 0.0,  # umbilical-fed: O2 comes from the vehicle
    "feedwater_kg": 0.0,
    "battery_Ah": 0.0,
    "battery_draw_A": 0.0,
    "battery_V": 0.0,
    "vent_flow_cfm": 0.0,
    "supply": "umbilical",
}

# Outer layer and insulation (environment heat leak, lifesupport.environment_heat_W). NF for
# every suit: white beta-cloth/ortho-fabric typical values (absorptance 0.2, emittance 0.85)
# and an overall insulation conductance of 1 W/K are assumptions.
_THERMAL = {"absorptance": 0.2, "emittance": 0.85, "insulation_W_K": 1.0}
# The visor's inner face lies this share of the way from skin temperature to the radiative
# sink beyond it (lifesupport.visor_temperature_K). C, an upper bound from the record: Gemini
# 12's visor, treated with anti-fog, did not fog (reference-data 11), which holds up to ~0.10;
# 0.08 is taken. Not a measured conductance: a bare polycarbonate bubble radiating to space
# would be near 0.3 (inside ~3.5 W/m^2K of vent-gas convection and face radiation, outside
# ~1.7 through the bubble and its protective visor: textbook estimates), at which every EMU
# visor would condense at night; the anti-fog film that keeps it clear is folded in here.
_VISOR_COUPLING = 0.08

_SUITS: dict[str, dict] = {
    "emu": {
        "title": "Shuttle/ISS Extravehicular Mobility Unit",
        "pressure_psi": 4.3,  # H: NASA EMU text; ISS book ch. 17
        "cooling": "liquid",
        "cooling_W": 2000
        * W_PER_BTU_H,  # L: EMU Data Book envelope 1,000-2,000 Btu/h (upper bound)
        "sweat_evaporation_kg_h": round(
            vent_moisture_capacity_kg_h(_vent_kg_h(7.0, _EMU_P), _EMU_P, 12.5), 3
        ),  # C: 7 cfm vent flow (EMU Handbook 2.5.2.2) from a 12.5 C dew point (2.1.2)
        "vent_flow_cfm": 7.0,  # M: EMU Handbook 2.5.2.2 via sydneydo PLSS.m
        "purge_flow_kg_h": 0.0,
        "co2_removal": "scrubber",
        "scrubber_capacity_kg": 1.48 * KG_PER_LB,  # M: METOX 1.48 lb, EMU Handbook 2.5.2.3
        "o2_primary_kg": 1.217 * KG_PER_LB,  # M: 1.217 lb usable, EMU Handbook 2.1.3
        "o2_secondary_min": 30.0,  # H: SOP "at least 30 minutes" (Gernhardt, PBS NOVA)
        "secondary_flow_kg_h": _SOP_KG_H,  # NF: see _SOP_KG_H
        "regulator_max_kg_h": _SOP_KG_H,  # NF: primary regulator taken equal to the SOP
        "feedwater_kg": 10 * KG_PER_LB,  # M: 10 lb, EMU Handbook 2.1.4
        "battery_Ah": 45.0,  # H: 20.5 V, 45 Ah silver-zinc, NTRS 20050217305
        "battery_draw_A": 3.8,  # H: the battery's 7-h qualification load, NTRS 20050217305
        "battery_V": 20.5,  # H: same
        "gas_volume_L": 1.75 * M3_PER_FT3 * 1000,  # M: 1.5-2 ft^3, EMU Handbook 1.5.5 (mid)
        "leak_cm3_min": 36.2,  # M: max PGA leak, EMU Handbook fig. 1.8
        # C: fitted to Kim et al. 2020 (reference-data 4) at 1,000 and 3,000 Btu/h; the rest
        # and 2,000 Btu/h figures are predictions (spacewalk models validate)
        "co2_rebreathed_max": 0.130,
        "co2_rebreathed_ve_L_min": 6.26,
        "envelope_m": 0.70,  # NF: passage envelope, unpressurised (assumption)
        "envelope_compliance_m_per_kPa": 0.002,  # NF: assumption (EMU hard upper torso)
        "supply": "backpack",
        "mass_kg": 124.7,  # M: 275 lb flight EMU without SAFER (Wikipedia EMU specifications)
        **_THERMAL,
        "vent_dew_point_C": 12.5,  # M: EMU Handbook 2.1.2 via sydneydo PLSS.m
        "vent_to_helmet_first": True,  # M: the gas enters at the back of the helmet and flows over the face (reference-data 11)
        "visor_coupling": _VISOR_COUPLING,
    },
    "orlan": {
        "title": "Orlan-M semi-rigid suit (Mir, ISS)",
        "pressure_psi": _ORLAN_P / PA_PER_PSI,  # M: 400 hPa (all-andorra; Astronautix)
        "cooling": "liquid",
        "cooling_W": 2000 * W_PER_BTU_H,  # NF: taken equal to the EMU envelope
        "sweat_evaporation_kg_h": round(
            vent_moisture_capacity_kg_h(_vent_kg_h(7.0, _ORLAN_P), _ORLAN_P, 12.5), 3
        ),  # C: as the EMU (vent flow NF, taken equal)
        "vent_flow_cfm": 7.0,  # NF: taken equal to the EMU
        "purge_flow_kg_h": 0.0,
        "co2_removal": "scrubber",
        "scrubber_capacity_kg": 0.65,  # C: LiOH capacity NF; sized for 7 h at 293 W
        "o2_primary_kg": 0.55,  # C: O2 store NF; sized for the 7-h autonomy (de.zxc.wiki) at 293 W
        "o2_secondary_min": 30.0,  # NF: reserve taken equal to the EMU's SOP
        "secondary_flow_kg_h": _SOP_KG_H,  # NF: as the EMU
        "regulator_max_kg_h": _SOP_KG_H,  # NF: as the EMU
        "feedwater_kg": 4.0,  # C: NF; sized for 7 h at the 293 W design rate
        "battery_Ah": 40.0,  # NF: sized for 7 h at the EMU-like 3.8 A load
        "battery_draw_A": 3.8,
        "battery_V": 20.5,
        "gas_volume_L": 60.0,  # NF: assumption
        "leak_cm3_min": 36.2,  # NF: taken equal to the EMU specification
        "co2_rebreathed_max": 0.130,  # NF: the EMU's helmet
        "co2_rebreathed_ve_L_min": 6.26,
        "envelope_m": 0.72,  # NF: assumption (rear-entry hard torso)
        "envelope_compliance_m_per_kPa": 0.002,  # NF: assumption
        "supply": "backpack",
        "mass_kg": 112.0,  # NF: Orlan-M mass not in reference-data; commonly quoted 112 kg
        **_THERMAL,
        "vent_dew_point_C": 12.5,  # NF: taken equal to the EMU
        "vent_to_helmet_first": True,  # NF: taken equal to the EMU
        "visor_coupling": _VISOR_COUPLING,
    },
    "berkut": {
        "title": "Berkut (Voskhod 2), open-loop gas-cooled",
        "pressure_psi": _BERKUT_P / PA_PER_PSI,  # H: 0.40 atm nominal (spacefacts; Abramov 2003)
        "low_pressure_psi": 0.27 * PA_PER_ATM / PA_PER_PSI,  # H: 0.27 atm setting (same)
        "cooling": "gas",
        # C: the only sink is the open-loop O2 stream: m_dot * cp * (35 C - 10 C)
        "cooling_W": round(_BERKUT_PURGE_KG_H / 3600 * _CP_O2 * 25.0, 1),
        "sweat_evaporation_kg_h": round(
            vent_moisture_capacity_kg_h(_BERKUT_PURGE_KG_H, _BERKUT_P, -40.0), 3
        ),  # C: dry bottled O2 (dew point -40 C) leaving saturated at skin temperature
        "vent_flow_cfm": 0.0,
        "purge_flow_kg_h": _BERKUT_PURGE_KG_H,  # C: see above
        "co2_removal": "purge",
        "scrubber_capacity_kg": 0.0,
        "o2_primary_kg": 1.0,  # C: 45 min (spacefacts, H) of 1.2 kg/h purge plus ~0.1 kg/h breathing
        "o2_secondary_min": 0.0,  # H: backup was a hose from airlock cylinders, not a suit reserve
        "regulator_max_kg_h": 2 * _BERKUT_PURGE_KG_H,  # NF: twice the purge it feeds
        "feedwater_kg": 0.0,
        "battery_Ah": 0.0,
        "battery_draw_A": 0.0,
        "battery_V": 0.0,
        "gas_volume_L": 60.0,  # NF: assumption
        "leak_cm3_min": 36.2,  # NF: taken equal to the EMU specification
        "co2_rebreathed_max": 0.130,  # NF: the EMU's helmet
        "co2_rebreathed_ve_L_min": 6.26,
        # C: the envelope and its growth with pressure are set so that Leonov's documented
        # outcome holds: no fit through the 1.0 m Volga at 0.40 atm, a fit at 0.27 atm
        # (Leonov, Air & Space 2005; spacefacts). No measured figure exists.
        "envelope_m": 0.78,
        "envelope_compliance_m_per_kPa": 0.006,
        "supply": "backpack",
        "mass_kg": 41.5,  # NF: suit ~20 kg plus backpack ~21.5 kg, commonly quoted, unverified
        **_THERMAL,
        "vent_dew_point_C": -40.0,  # C: dry bottled O2, as its moisture capacity above
        "vent_to_helmet_first": False,  # NF: the gas is the coolant; taken to pass the body first
        "visor_coupling": _VISOR_COUPLING,
    },
    "gemini-g4c": {
        "title": "Gemini G4C suit with the ELSS chest pack, umbilical-fed",
        "pressure_psi": 3.7,  # NF: G4C pressure not found; Apollo-era 3.7 psid assumed
        "cooling": "gas",
        "cooling_W": _ELSS_SENSIBLE_W,
        "sweat_evaporation_kg_h": _ELSS_SWEAT_KG_H,
        "purge_flow_kg_h": 5.1 * KG_PER_LB,  # H: 5.1 lb/h low setting, NASM chest pack
        "o2_secondary_min": 12.0,  # M: ELSS 12-minute emergency O2 (TIME 1965)
        "secondary_flow_kg_h": 5.1 * KG_PER_LB,  # NF: the ELSS purge low setting (H)
        "regulator_max_kg_h": 2 * 5.1 * KG_PER_LB,  # NF: twice the purge it feeds
        "gas_volume_L": 60.0,  # NF: assumption
        "leak_cm3_min": 36.2,  # NF: taken equal to the EMU specification
        "co2_rebreathed_max": 0.130,  # NF: the EMU's helmet
        "co2_rebreathed_ve_L_min": 6.26,
        **_NO_BACKPACK,
        "envelope_m": 0.70,  # NF: assumption
        "envelope_compliance_m_per_kPa": 0.003,  # NF: assumption (soft suit)
        "mass_kg": 19.0,  # NF: G4C ~15.4 kg (unverified) plus the 3.6 kg ELSS chest pack (NASM, H)
        **_THERMAL,
        "vent_dew_point_C": -40.0,  # C: dry O2 from the spacecraft, dumped overboard (open loop)
        "vent_to_helmet_first": False,  # NF: the gas is the coolant; taken to pass the body first
        "visor_coupling": _VISOR_COUPLING,
    },
    "spacex-eva": {
        "title": "SpaceX EVA suit (Polaris Dawn), umbilical-fed",
        "pressure_psi": 5.1,  # M: 100 % O2 at 5.1 psi (Polaris FD3 update; wikisum)
        "cooling": "gas",
        # NF: "secondary O2 flow for cooling" (Polaris FD3); capacity assumed equal to the
        # Gemini ELSS split (99 W sensible + 456 mL/h sweat)
        "cooling_W": _ELSS_SENSIBLE_W,
        "sweat_evaporation_kg_h": _ELSS_SWEAT_KG_H,
        "purge_flow_kg_h": 2.3,  # NF: assumed equal to Gemini's 5.1 lb/h
        "o2_secondary_min": 0.0,  # NF
        "regulator_max_kg_h": 4.6,  # NF: twice the purge it feeds
        "gas_volume_L": 60.0,  # NF: assumption
        "leak_cm3_min": 36.2,  # NF: taken equal to the EMU specification
        "co2_rebreathed_max": 0.130,  # NF: the EMU's helmet
        "co2_rebreathed_ve_L_min": 6.26,
        **_NO_BACKPACK,
        "envelope_m": 0.62,  # NF: assumption (soft suit, no backpack)
        "envelope_compliance_m_per_kPa": 0.002,  # NF: assumption
        "mass_kg": 25.0,  # NF: SpaceX EVA suit mass not published; assumption
        **_THERMAL,
        "vent_dew_point_C": -40.0,  # NF: dry O2 from the vehicle, open loop
        "vent_to_helmet_first": False,  # NF: the gas is the coolant; taken to pass the body first
        "visor_coupling": _VISOR_COUPLING,
    },
}

# Workload levels [W]. Sources: Skylab/Apollo EVAs 100-500 kcal/h (Waligora & Horrigan);
# suit test workloads 500-3,000 Btu/h (NTRS 20120004279); EMU design average 1,000 Btu/h.
_WORKLOADS_W: dict[str, float] = {
    "rest": round(100 * W_PER_KCAL_H, 1),  # 116 W
    "light": round(150 * W_PER_KCAL_H, 1),  # 174 W: mean simulated-EVA rate, SAE 860921
    "moderate": round(1000 * W_PER_BTU_H, 1),  # 293 W: EMU design average
    "heavy": round(1500 * W_PER_BTU_H, 1),  # 440 W
    "very-heavy": round(2000 * W_PER_BTU_H, 1),  # 586 W
    "extreme": round(3000 * W_PER_BTU_H, 1),  # 879 W: top of the suit-test range
}

# Read-only views: a preset changed by accident would change every later scenario in the
# process. Copy one to change it (``dict(SUITS["emu"])``), or override it in a scenario.
SUITS: Mapping[str, Mapping] = MappingProxyType(
    {name: MappingProxyType(dict(values)) for name, values in _SUITS.items()}
)
WORKLOADS_W: Mapping[str, float] = MappingProxyType(_WORKLOADS_W)

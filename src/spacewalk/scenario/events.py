"""Event codes: every event the engine can log, declared once with its severity, source and
message template. Scenario files name events by code (``[[documented]]`` ``event``), so the
vocabulary lives with the scenario; :mod:`spacewalk.sim.events` logs them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

SEVERITIES = ("info", "caution", "warning", "emergency")


@dataclass(frozen=True)
class EventType:
    code: str
    severity: str
    source: str
    template: str  # str.format over the event's values (and ``subject``)
    description: str


def _t(code, severity, source, template, description) -> EventType:
    return EventType(code, severity, source, template, description)


EVENT_TYPES: tuple[EventType, ...] = (
    # faults
    _t(
        "fault-water-intrusion",
        "warning",
        "faults",
        "FAULT water intrusion into the helmet at {rate_mL_min:.0f} mL/min",
        "water starts to leak into the helmet",
    ),
    _t("fault-suit-leak", "warning", "faults", "FAULT suit leak", "a hole opens in the suit"),
    _t(
        "fault-regulator",
        "warning",
        "faults",
        "FAULT primary O2 regulator failed: the secondary O2, if the suit has one, holds it",
        "the suit's primary O2 regulator fails (the secondary stage has its own)",
    ),
    _t(
        "fault-fan",
        "warning",
        "faults",
        "FAULT suit fan stopped: no ventilation, no cooling water, no water separation",
        "the suit's fan (its fan, pump and water separator share one motor) stops",
    ),
    _t(
        "fault-cooling",
        "warning",
        "faults",
        "FAULT cooling failure, {remaining:.0%} capacity left",
        "the suit cooling fails",
    ),
    _t(
        "fault-scrubber",
        "warning",
        "faults",
        "FAULT CO2 scrubber exhausted",
        "the CO2 scrubber is spent at once",
    ),
    _t(
        "fault-tether-break",
        "warning",
        "faults",
        "FAULT {subject} broke: no longer attached to the vehicle",
        "a tether breaks",
    ),
    # timeline and vehicle
    _t("activity-start", "info", "timeline", "start {subject}", "a timeline activity starts"),
    _t(
        "wait-released",
        "caution",
        "timeline",
        "stops waiting for {subject}, who cannot come (lost, incapacitated, adrift or stood down)",
        "an activity that waited on a partner goes on without them",
    ),
    _t(
        "stand-down",
        "warning",
        "timeline",
        "STAND DOWN: no further EVA after a crew member was lost, incapacitated or adrift",
        "after a crew member is lost, incapacitated or adrift, nobody begins another EVA",
    ),
    _t("egress", "info", "timeline", "EGRESS: outside", "a crew member is outside"),
    _t("ingress", "info", "timeline", "INGRESS: back inside", "a crew member is back inside"),
    _t(
        "ingress-blocked",
        "warning",
        "timeline",
        "INGRESS BLOCKED: ballooned suit {envelope_m:.2f} m does not fit the {hatch_m:.2f} m "
        "hatch at {dp_kPa:.1f} kPa",
        "the ballooned suit does not fit the hatch",
    ),
    _t(
        "inner-hatch-held",
        "warning",
        "timeline",
        "INNER HATCH HELD into the {subject}: {dp_kPa:.1f} kPa across it and a side open to "
        "vacuum; waiting",
        "an inner hatch stays shut: equalising would vent the vehicle",
    ),
    _t(
        "depress-held",
        "warning",
        "timeline",
        "DEPRESS HELD: someone in the {subject} is not suited; waiting",
        "a vessel is not vented while a live crew member in it is not suited",
    ),
    _t(
        "suit-recharged",
        "info",
        "timeline",
        "suit recharged for the next EVA",
        "O2, CO2 cartridge, feedwater and battery renewed between EVAs",
    ),
    _t("hatch-open", "info", "vehicle", "{subject} hatch open", "a vessel's EVA hatch opens"),
    _t("hatch-closed", "info", "vehicle", "{subject} hatch closed", "a vessel's EVA hatch closes"),
    _t("sunrise", "info", "orbit", "SUNRISE: orbital day begins", "the vehicle leaves the shadow"),
    _t("sunset", "info", "orbit", "SUNSET: orbital night begins", "the vehicle enters the shadow"),
    # suit and body
    _t(
        "impaired",
        "warning",
        "physiology",
        "IMPAIRED by {subject} (inspired O2 {pio2_mmHg:.0f}, CO2 {ppco2_mmHg:.0f} mmHg)",
        "a crew member's performance is impaired (hypoxia, CO2, heat, cold, helmet water)",
    ),
    _t(
        "incapacitated",
        "emergency",
        "physiology",
        "INCAPACITATED by {subject}: cannot work or get back alone "
        "(inspired O2 {pio2_mmHg:.0f}, CO2 {ppco2_mmHg:.0f} mmHg)",
        "a crew member can no longer act (useful consciousness lost, CO2 narcosis, ...)",
    ),
    _t(
        "loss-of-crew-hypoxia",
        "emergency",
        "physiology",
        "LOSS OF CREW: without O2 for 4 min after losing consciousness "
        "(inspired O2 {pio2_mmHg:.0f} mmHg)",
        "hypoxia beyond survival",
    ),
    _t(
        "loss-of-crew-drowning",
        "emergency",
        "physiology",
        "LOSS OF CREW: water over the nose and mouth for 4 min after losing consciousness "
        "(helmet water {helmet_water_L:.1f} L)",
        "the helmet's water beyond survival: no gas exchange, as in drowning",
    ),
    _t(
        "loss-of-crew-hyperthermia",
        "emergency",
        "physiology",
        "LOSS OF CREW: the core above 42 C for more than an hour "
        "(core temperature +{core_rise_C:.1f} C)",
        "heat beyond survival: the critical thermal maximum held too long",
    ),
    _t(
        "purge-opened",
        "warning",
        "suit",
        "PURGE VALVE OPEN: open-loop O2 flushes the CO2",
        "the suit's purge valve is opened (CO2 high with a scrubber suit)",
    ),
    _t(
        "o2-primary-exhausted",
        "warning",
        "suit",
        "o2 primary exhausted",
        "the primary O2 store is empty",
    ),
    _t(
        "switched-to-secondary",
        "warning",
        "suit",
        "switched to secondary O2",
        "the suit runs on its secondary O2",
    ),
    _t(
        "o2-secondary-exhausted",
        "emergency",
        "suit",
        "o2 secondary exhausted",
        "the secondary O2 is empty",
    ),
    _t(
        "o2-vehicle-exhausted",
        "warning",
        "vehicle",
        "vehicle O2 store for the umbilicals exhausted",
        "the umbilicals' O2 store is empty",
    ),
    _t(
        "scrubber-breakthrough",
        "caution",
        "suit",
        "CO2 scrubber breakthrough",
        "CO2 starts to pass the scrubber bed",
    ),
    _t(
        "feedwater-exhausted",
        "warning",
        "suit",
        "feedwater exhausted",
        "the sublimator feedwater is empty",
    ),
    _t("battery-exhausted", "warning", "suit", "battery exhausted", "the suit battery is empty"),
    # flight rules
    _t(
        "rule-caution",
        "caution",
        "rules",
        "CAUTION {subject}: {text} ({channel} = {value:.3g}); action: {action}",
        "a caution flight rule fires",
    ),
    _t(
        "rule-warning",
        "warning",
        "rules",
        "WARNING {subject}: {text} ({channel} = {value:.3g}); action: {action}",
        "a warning flight rule fires",
    ),
    _t(
        "suit-pressure-lowered",
        "info",
        "rules",
        "suit pressure lowered to {p_kPa:.1f} kPa",
        "the suit goes to its low pressure setting",
    ),
    _t(
        "terminate",
        "warning",
        "rules",
        "TERMINATE: return to the hatch ({range_m:.0f} m)",
        "a rule terminates the EVA of this crew member",
    ),
    _t(
        "abort",
        "warning",
        "rules",
        "ABORT: return to the hatch ({range_m:.0f} m)",
        "a rule aborts the EVA of this crew member",
    ),
    _t(
        "terminate-with-crew",
        "warning",
        "rules",
        "TERMINATE with the crew: return to the hatch ({range_m:.0f} m)",
        "a partner's terminate or abort ends this crew member's EVA too",
    ),
    # motion
    _t(
        "capture",
        "info",
        "motion",
        "CAPTURE: docked with {subject}; the pair turns at {rate_deg_s:.1f} deg/s",
        "a crew member docks with a target",
    ),
    _t(
        "release",
        "info",
        "motion",
        "RELEASE: {subject} handed to the arm",
        "a captured target is let go",
    ),
    _t(
        "despun",
        "info",
        "motion",
        "DESPUN: {subject} and crew turn at {rate_deg_s:.2f} deg/s",
        "the captured target is despun",
    ),
    _t(
        "propellant-exhausted",
        "warning",
        "motion",
        "maneuvering unit propellant exhausted",
        "the maneuvering unit is empty",
    ),
    _t(
        "cannot-return",
        "emergency",
        "motion",
        "CANNOT RETURN: {dv_left:.2f} m/s of delta-v left, {dv_needed:.2f} m/s needed to get "
        "back from {range_m:.0f} m",
        "the delta-v left cannot bring the crew member back",
    ),
    _t(
        "adrift",
        "emergency",
        "motion",
        "ADRIFT {range_m:.1f} m from the hatch at {speed_m_s:.2f} m/s: no tether, nothing "
        "within reach, no propellant to fly back",
        "a free crew member cannot take hold again and drifts on (no script brings them back)",
    ),
    _t(
        "rescue",
        "warning",
        "rules",
        "RESCUE: goes to {subject}, {range_m:.1f} m away, to bring them in",
        "the nearest able partner outside sets off to rescue a crew member who cannot help themselves",
    ),
    _t(
        "rescue-reached",
        "caution",
        "motion",
        "reached {subject}: tethering them for the way back",
        "the rescuer is at the partner and tethers them",
    ),
    _t(
        "rescued",
        "warning",
        "motion",
        "brought in by {subject}",
        "a crew member in tow is inside with their rescuer",
    ),
    _t(
        "helped-in",
        "warning",
        "timeline",
        "the crew inside come for them: {subject} opens the inner hatch and takes their "
        "suit off; they go where {subject} goes",
        "an incapacitated crew member alone in a repressed airlock is taken in by the crew inside",
    ),
    _t(
        "in-care",
        "warning",
        "timeline",
        "in the care of {subject}: their suit comes off with {subject}'s, and they go where "
        "{subject} goes",
        "an incapacitated crew member inside a vessel is looked after by an able crew member beside them",
    ),
    _t(
        "rescue-late",
        "emergency",
        "motion",
        "{subject} is lost before the rescue: back to the hatch alone",
        "the crew member being rescued dies before they are brought in",
    ),
    _t(
        "rescue-none",
        "emergency",
        "rules",
        "RESCUE NEEDED and no able partner is outside to go",
        "a rescue is ordered and nobody outside can go",
    ),
    _t(
        "take-hold",
        "info",
        "motion",
        "takes hold at {speed_m_s:.2f} m/s and {tumble_deg_s:.1f} deg/s (into the vehicle)",
        "a free crew member grabs the structure: their momentum and spin go into the vehicle",
    ),
    _t(
        "contact",
        "caution",
        "motion",
        "CONTACT with {subject} at {speed_m_s:.2f} m/s",
        "a free crew member meets a solid part of the vehicle and stops on its surface",
    ),
    _t(
        "tether-reach",
        "caution",
        "motion",
        "path goes beyond the {length_m:.1f} m {subject}: tether swap or reel needed",
        "a held path goes beyond a tether's length",
    ),
    # engine
    _t(
        "numerical-error",
        "emergency",
        "engine",
        "run stopped: numbers went non-finite",
        "a run's numbers went non-finite; that run stops, the others go on",
    ),
    _t(
        "time-limit",
        "warning",
        "engine",
        "time limit reached before the timeline finished",
        "engine.max_duration_h ended the run",
    ),
)
EVENTS: Mapping[str, EventType] = {e.code: e for e in EVENT_TYPES}

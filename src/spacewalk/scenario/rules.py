"""Flight rules: caution-and-warning limits on telemetry channels, with their actions.

The standard set below applies when a scenario has no ``[[flight_rules]]`` of its own
(the resolved ``scenario.toml`` of every run lists the rules that were in force). Where a
limit comes from a source it is named; the others are this project's choices, marked NF,
because the real EMU caution-and-warning thresholds were not found (reference-data 13).
"""

from __future__ import annotations

# plain data: the loader makes each a FlightRule (``spacewalk.scenario.model``)
STANDARD_RULES: tuple[dict, ...] = (
    dict(
        id="partner-rescue",
        channel="condition",  # 0 well, 1 impaired, 2 incapacitated
        above=1.5,
        level="warning",
        action="rescue",
        applies="outside",
        message="crew member incapacitated outside: partner rescue",  # the EVA rescue duty
    ),
    dict(
        id="airlock-emergency",
        channel="condition",
        above=1.5,
        level="warning",
        action="abort",
        applies="airlock",  # suited in a vessel: the EVA stops, the airlock is repressed
        message="crew member incapacitated in the airlock: stop and repress",
    ),
    dict(
        id="co2-high",
        channel="ppco2_mmHg",
        above=15.0,
        level="caution",
        action="alarm",
        message="helmet CO2 high",  # NF: above the 14.4 mmHg measured at 3,000 Btu/h (Kim 2020)
    ),
    dict(
        id="co2-critical",
        channel="ppco2_mmHg",
        above=30.0,
        level="warning",
        action="abort",
        message="helmet CO2 critical, abort to ingress",  # NF
    ),
    dict(
        id="suit-pressure-low",
        channel="p_suit_kPa",
        below=20.7,
        level="warning",
        action="abort",
        applies="suited",  # also in a depressing airlock: the EVA stops there, and it repressed
        message="suit pressure below 3.0 psi, abort to ingress",  # NF: margin above 2.5 psi (Gernhardt)
    ),
    dict(
        id="o2-margin",
        channel="o2_margin_min",
        below=30.0,
        level="caution",
        action="terminate",
        applies="suited",  # also in the airlock, waiting for a partner still outside
        message="O2 left is within 30 min of the time needed to get back in",  # NF: SOP is 30 min
    ),
    dict(
        id="helmet-water",
        channel="helmet_water_L",
        above=0.05,
        level="caution",
        action="alarm",
        message="free water in the helmet",  # NF
    ),
    dict(
        id="helmet-water-abort",
        channel="helmet_water_L",
        above=0.3,
        level="warning",
        action="abort",
        applies="outside",
        message="water in the helmet growing, abort to ingress",  # NF
    ),
    dict(
        id="co2-purge",
        channel="ppco2_mmHg",
        above=20.0,
        level="warning",
        action="open-purge",
        applies="suited",
        # NF: the EMU's answer to a spent CO2 cartridge is the purge valve (open loop on the
        # SOP); the 20 mmHg trigger is an assumption between the caution and the abort
        message="helmet CO2 rising: open the purge valve",
    ),
    dict(
        id="secondary-o2",
        channel="o2_secondary_used_min",
        above=0.05,
        level="warning",
        action="abort",
        applies="suited",  # also in the airlock: an EVA that has not begun does not begin
        # H: the EMU SOP is the emergency supply for getting back in, 30 min (Gernhardt,
        # PBS NOVA; NASA EMU text): once it flows, the EVA is over
        message="secondary O2 in use, abort to ingress",
    ),
    dict(
        id="heat-storage",
        channel="heat_storage_kJ",
        above=260.0,
        level="caution",
        action="alarm",
        message="heat storage above 260 kJ (about 1 C core rise)",  # C: 75 kg x 3.49 kJ/(kg K)
    ),
    dict(
        id="heat-storage-terminate",
        channel="heat_storage_kJ",
        above=520.0,
        level="warning",
        action="terminate",
        applies="outside",
        message="heat storage above 520 kJ (about 2 C core rise), terminate",  # NF
    ),
    dict(
        id="visor-fog",
        channel="fog_index",
        above=1.0,
        level="caution",
        action="alarm",
        message="helmet gas above saturation at the visor: visor fogging",  # fog_index > 1: condensing
    ),
    dict(
        id="dcs-risk",
        channel="p_dcs_exposure",  # the limit is for one exposure, not a mission's sum
        above=0.15,
        level="warning",
        action="alarm",
        applies="always",
        # H: NASA accepted a prebreathe protocol at <= 15 % Type I DCS (and <= 20 % grade IV
        # VGE, no Type II) with 95 % confidence (NASA/TP-2004-213158, Results; reference-data 9)
        message="P(DCS) of this exposure above 15 %, the NASA acceptance limit for a "
        "prebreathe protocol",
    ),
)

"""The library of prebreathe protocols (``protocols.toml``: stages from sea-level air, each
with its source) and the published break-in-prebreathe rule.

Plain data: a scenario names a protocol with ``[[prebreathe]] protocol = "NAME"``; the plan
expands it into stages (:func:`stages`); ``spacewalk prebreathe`` compares them all.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources

from ..physics.dcs import VO2_REST_ML_KG_MIN
from ..units import PA_PER_PSI


@dataclass(frozen=True)
class Protocol:
    name: str
    title: str
    source: str
    stages: tuple[dict, ...]

    @property
    def duration_min(self) -> float:
        return sum(s["duration_min"] for s in self.stages)

    @property
    def o2_min(self) -> float:
        """Minutes on O2 (mask or suit): the crew time the protocol costs on the mask."""
        return sum(s["duration_min"] for s in self.stages if s["o2_fraction"] >= 0.99)


def _load() -> tuple[dict[str, Protocol], dict]:
    text = resources.files(__package__).joinpath("protocols.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    table = {
        p["name"]: Protocol(p["name"], p["title"], p["source"], tuple(p["stages"]))
        for p in data["protocol"]
    }
    return table, data["break_rule"]


PROTOCOLS, BREAK_RULE = _load()


def with_break(protocol: Protocol, at_min: float, break_min: float) -> Protocol:
    """The protocol with an air break of ``break_min`` minutes (air at the stage's pressure)
    ``at_min`` minutes into the protocol, in an O2 stage, and what the break rule then prescribes: the
    O2 stage extended by twice the break (payback) for a break of up to 10 min, or the O2
    breathed before the break done again (restart) for a longer one."""
    if at_min < 0 or break_min <= 0:
        raise ValueError("a break needs at_min >= 0 and break_min > 0")
    rule = BREAK_RULE
    out, t, done, o2_run = [], 0.0, False, 0.0  # o2_run: O2 minutes since the last air
    for st in protocol.stages:
        d = st["duration_min"]
        on_o2 = st["o2_fraction"] >= 0.99 and "end_o2_fraction" not in st
        if done or not on_o2 or not (t <= at_min < t + d):
            out.append(st)
            t += d
            o2_run = o2_run + d if on_o2 else 0.0
            continue
        before, after = at_min - t, t + d - at_min
        p = st["pressure_psi"]
        if before > 0:
            out.append({**st, "duration_min": before, "end_pressure_psi": p})
        out.append(
            {
                "label": "air break",
                "duration_min": break_min,
                "pressure_psi": p,
                "o2_fraction": 0.21,
            }
        )
        if break_min <= rule["restart_after_min"]:
            extra = rule["payback_factor"] * break_min
            label = f"{st.get('label', 'O2')} (with the {extra:g}-min payback)"
        else:
            extra = o2_run + before  # the O2 breathed before the break, again
            label = f"{st.get('label', 'O2')} (restarted)"
        out.append({**st, "label": label, "duration_min": after + extra})
        t += d
        done = True
    if not done:
        raise ValueError(f"protocol {protocol.name!r} is not on O2 at {at_min:g} min")
    title = f"{protocol.title}, with a {break_min:g}-min break at {at_min:g} min"
    return Protocol(f"{protocol.name}+break", title, protocol.source, tuple(out))


def stage_tuples(stages) -> list[tuple]:
    """Prebreathe stages (models or the protocol library's dicts) as the tuples of
    :func:`spacewalk.physics.dcs.history`; a named protocol stands for its stages."""
    out = []
    for st in stages:
        d = st if isinstance(st, dict) else st.model_dump()
        if d.get("protocol"):
            out.extend(stage_tuples(PROTOCOLS[d["protocol"]].stages))
            continue
        p0 = d["pressure_psi"] * PA_PER_PSI
        p1 = (d.get("end_pressure_psi") or d["pressure_psi"]) * PA_PER_PSI
        f0 = d["o2_fraction"]
        f1 = d["end_o2_fraction"] if d.get("end_o2_fraction") is not None else f0
        vo2 = d.get("vo2_mL_kg_min") or VO2_REST_ML_KG_MIN
        out.append((d["duration_min"] * 60.0, p0, p1, f0, f1, vo2))
    return out

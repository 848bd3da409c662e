"""The event log: codes from one table, the same log for a run whatever the batch, start
events at the phases' own starts, phases in time order, one alarm count everywhere."""

from __future__ import annotations

import re

import pytest

from spacewalk import load_scenario, simulate
from spacewalk.results.report import render_report
from spacewalk.scenario.events import EVENTS

COLS = ["t_s", "crew", "code", "subject", "severity", "message"]


def test_run_zero_logs_the_same_events_alone_and_in_a_batch():
    """Voskhod 2 logged 24 events alone and 9 inside a batch of 17 (issue: the engine
    dropped start events for batches over 16)."""
    sc = load_scenario("voskhod-2-1965")
    alone = simulate(sc, record=False).events
    batch = simulate(sc, runs=17, record=False).events
    # 24; since the physiology model, Leonov's "impaired"; since grabs are logged, his
    # take-hold on the way back in (free on his tether, then held)
    assert len(alone) == 26
    assert {"impaired", "take-hold"} <= set(alone.code)
    for r in (0, 16):
        mine = batch[batch.run == r][COLS].reset_index(drop=True)
        assert mine.equals(alone[COLS].reset_index(drop=True))


@pytest.mark.parametrize("name", ["sts-88-1998", "iss-eva-23-2013"])
def test_start_events_are_at_the_phase_starts_and_phases_in_time_order(name):
    result = simulate(load_scenario(name), record=False)
    phases = result.summary["phases"]
    starts = {(p["crew"], p["activity"]): p["start_min"] for p in phases}
    ev = result.events[result.events.code == "activity-start"]
    assert len(ev) > 10
    for e in ev.itertuples():
        assert e.t_s / 60 == pytest.approx(starts[(e.crew, e.subject)], abs=0.006)
    assert (result.events.t_s.diff().dropna() >= 0).all()  # the log is in time order
    for crew in result.scenario.crew:
        mine = [p["start_min"] for p in phases if p["crew"] == crew.id]
        assert mine == sorted(mine)


def test_every_event_code_is_declared_and_renders():
    result = simulate(load_scenario("sts-51a-1984"), record=False)
    assert set(result.events.code) <= set(EVENTS)
    assert {"capture", "despun", "activity-start"} <= set(result.events.code)


def test_the_text_summary_and_the_report_count_the_same_alarms():
    result = simulate(load_scenario("iss-eva-23-2013"))
    per_crew = {cid: c["alarms"] for cid, c in result.summary["crew"].items()}
    n = sum(per_crew.values())
    assert n > 0
    text = result.text()
    assert f"alarms: {n} from flight rules" in text
    page = render_report(result.scenario, result.telemetry, result.events, result.summary)
    cells = re.findall(r"<td class=num>(\d+)</td></tr>", page)
    assert sum(int(x) for x in cells[: len(per_crew)]) == n

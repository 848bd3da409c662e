"""The run folder and the CLI, as a user would use them."""

import json
import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pytest

from spacewalk import CHANNELS, load_scenario, simulate
from spacewalk.cli import main

FILES = {"telemetry.parquet", "events.jsonl", "summary.json", "scenario.toml", "report.html"}


@pytest.fixture(scope="module")
def pd_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("runs") / "pd"
    assert main(["run", "polaris-dawn", "--out", str(out)]) == 0
    return out


def test_run_writes_every_file(pd_run):
    assert {p.name for p in pd_run.iterdir()} >= FILES


def test_parquet_declares_every_channel_with_its_unit(pd_run):
    table = pq.read_table(pd_run / "telemetry.parquet")
    declared = json.loads(table.schema.metadata[b"spacewalk.channels"])
    assert [c["name"] for c in declared] == [c.name for c in CHANNELS]
    for ch in CHANNELS:
        field = table.schema.field(ch.name)
        assert field.metadata[b"unit"].decode() == ch.unit
    df = table.to_pandas()
    assert set(df.crew) == {"isaacman", "gillis", "menon", "poteet"}
    # one row per recorded time and crew member
    assert len(df) == df.t_s.nunique() * 4


def test_events_and_summary_are_readable(pd_run):
    lines = (pd_run / "events.jsonl").read_text().splitlines()
    first = json.loads(lines[0])
    assert set(first) == {
        "run",
        "t_s",
        "crew",
        "code",
        "subject",
        "severity",
        "source",
        "message",
        "values",
    }
    # every event has a declared code, and its message is rendered from the code's template
    from spacewalk.scenario.events import EVENTS

    for line in lines:
        e = json.loads(line)
        et = EVENTS[e["code"]]
        assert (e["severity"], e["source"]) == (et.severity, et.source)
        assert e["message"] == et.template.format(subject=e["subject"], **e["values"])
    summary = json.loads((pd_run / "summary.json").read_text())
    for key in ("outcome", "phases", "crew", "peaks", "alarms", "eva_clock_min"):
        assert key in summary
    assert summary["crew"]["isaacman"]["limiting_consumable"]["name"] == "o2_vehicle"


def test_report_is_self_contained(pd_run):
    page = (pd_run / "report.html").read_text()
    assert "<svg" in page and "Consumables and margins" in page
    # nothing fetched: no scripts, stylesheets, images, fonts or frames from anywhere
    assert not re.search(r"<(script|link|img|iframe)\b", page, re.I)
    assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:|//)", page, re.I)
    assert "@import" not in page and not re.search(r"url\(\s*['\"]?https?:", page)


def test_resolved_scenario_repeats_the_run_exactly(pd_run, tmp_path):
    again = tmp_path / "again"
    assert main(["run", str(pd_run / "scenario.toml"), "--out", str(again)]) == 0
    a = pd.read_parquet(pd_run / "telemetry.parquet")
    b = pd.read_parquet(again / "telemetry.parquet")
    pd.testing.assert_frame_equal(a, b)


def test_report_rebuilds_from_the_folder(pd_run):
    """The report of a folder read back (pandas frames) is the report the run wrote (from
    the engine's columns and event records), byte for byte."""
    written = (pd_run / "report.html").read_text()
    (pd_run / "report.html").unlink()
    assert main(["report", str(pd_run)]) == 0
    assert (pd_run / "report.html").read_text() == written
    assert len(written) > 10_000


def test_a_folder_missing_channels_still_gets_its_report(tmp_path):
    """A run folder from a version without some channels (here the location and the suit
    pressure): ``spacewalk report`` leaves out what it cannot draw, with no traceback."""
    out = tmp_path / "g4"
    assert main(["run", "gemini-4-1965", "--out", str(out)]) == 0
    table = pq.read_table(out / "telemetry.parquet").drop_columns(["location", "p_suit_kPa"])
    pq.write_table(table, out / "telemetry.parquet")
    (out / "report.html").unlink()
    assert main(["report", str(out)]) == 0
    page = (out / "report.html").read_text()
    assert "Suit and vessel pressure" in page and "Crew positions outside" not in page


@pytest.mark.parametrize(("field", "value", "what"), [("t_s", "abc", "times"), ("run", 0.5, "run")])
def test_an_event_log_with_bad_numbers_is_a_clear_error(tmp_path, capsys, field, value, what):
    """An edited events.jsonl whose time or run is not a number: ``spacewalk report`` says
    which file and what to do (before, a time given as text was a TypeError traceback)."""
    out = tmp_path / "g4"
    simulate("gemini-4-1965").write(out, report=False)
    lines = (out / "events.jsonl").read_text().splitlines()
    row = json.loads(lines[0])
    row[field] = value
    (out / "events.jsonl").write_text("\n".join([json.dumps(row), *lines[1:]]) + "\n")
    assert main(["report", str(out)]) == 1
    err = capsys.readouterr().err
    assert "events.jsonl" in err and what in err and "re-run" in err and "Traceback" not in err


def test_an_edited_summary_is_a_clear_error_not_a_traceback(tmp_path, capsys):
    """A summary.json without what the report reads (its phases; a crew member's peaks):
    ``spacewalk report`` names the folder and the fix."""
    out = tmp_path / "g4"
    simulate("gemini-4-1965").write(out, report=False)
    summary = json.loads((out / "summary.json").read_text())
    for edit, said in (
        (lambda d: d.pop("phases"), "summary.json has no 'phases'"),
        (lambda d: d["crew"]["white"].pop("peaks"), "KeyError: 'peaks'"),
    ):
        d = json.loads(json.dumps(summary))
        edit(d)
        (out / "summary.json").write_text(json.dumps(d))
        assert main(["report", str(out)]) == 1
        err = capsys.readouterr().err
        assert said in err and "re-run" in err and "Traceback" not in err


def test_the_parquet_columns_are_what_pyarrow_makes_of_the_frame():
    """The run folder's table is built from the engine's arrays (without pandas); pyarrow's
    own conversion of the result's DataFrame gives the same columns, types and nulls."""
    import pyarrow as pa

    result = simulate("gemini-4-1965")
    ours = result.telemetry_source.arrow()
    theirs = pa.Table.from_pandas(result.telemetry, preserve_index=False)
    assert ours.schema.equals(theirs.schema, check_metadata=False)
    assert ours.equals(theirs)
    nulls = {n: ours.column(n).null_count for n in ours.column_names}
    assert nulls == result.telemetry.isna().sum().to_dict() and sum(nulls.values()) > 0


def test_a_run_does_not_import_pandas(tmp_path):
    """pandas costs about 0.3 s of the quick start's second: ``spacewalk run`` writes its
    folder from the engine's arrays; the frames are built when a user asks for them."""
    code = (
        "import sys; from spacewalk.cli import main; "
        f"rc = main(['run', 'polaris-dawn', '--out', {str(tmp_path / 'pd')!r}]); "
        "print('pandas' in sys.modules, rc)"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.stdout.strip().splitlines()[-1] == "False 0", proc.stderr[-2000:]


def test_report_of_a_missing_folder_is_a_clear_error(tmp_path, capsys):
    assert main(["report", str(tmp_path / "nope")]) == 1
    assert "no such run folder" in capsys.readouterr().err


def test_validate_exit_codes(tmp_path, capsys):
    good = tmp_path / "good.toml"
    good.write_text(
        (load_scenario.__globals__["library_dir"]() / "polaris-dawn-2024.toml").read_text()
    )
    assert main(["validate", str(good)]) == 0
    bad = tmp_path / "bad.toml"
    bad.write_text(good.read_text().replace("volume_m3 = 9.3", "volume_m3 = -9.3\nvolum = 1"))
    assert main(["validate", str(bad)]) == 1
    err = capsys.readouterr().err
    assert (
        "bad.toml: 2 problems" in err
        and "vehicle.cabin.volume_m3" in err
        and "vehicle.cabin.volum" in err
    )


def test_scenarios_lists_the_library(capsys):
    assert main(["scenarios"]) == 0
    assert "polaris-dawn-2024" in capsys.readouterr().out


def test_console_script_runs_without_traceback(tmp_path):
    proc = subprocess.run(
        [sys.executable, "-m", "spacewalk", "validate", str(tmp_path / "missing.toml")],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and "file not found" in proc.stderr


def test_batch_runs_equal_the_single_run():
    one = simulate("polaris-dawn")
    many = simulate("polaris-dawn", runs=3)
    for r in range(3):
        tel = many.telemetry[many.telemetry.run == r].drop(columns="run").reset_index(drop=True)
        pd.testing.assert_frame_equal(tel, one.telemetry.drop(columns="run").reset_index(drop=True))
        assert many.summaries[r]["crew"] == one.summary["crew"]


def test_numerical_failure_stops_only_that_run():
    from spacewalk.results.summary import build_summaries
    from spacewalk.sim.engine import run_engine
    from spacewalk.sim.plan import compile_plan

    plan = compile_plan(load_scenario("polaris-dawn"), runs=2)
    plan.crew.gas_volume_m3[1, 0] = np.nan  # run 1 goes wrong
    out = run_engine(plan, record=False)
    s = build_summaries(out)
    assert s[0]["status"] == "ok" and s[0]["outcome"] == "completed"
    assert s[1]["status"].startswith("numerical-error")


def test_one_summarizer_for_summaries_and_campaign_rows():
    """The run summary and the campaign row read the same consumable tables: the row's
    margins are the smallest of the EVA crew's, and the limiting consumable agrees."""
    from spacewalk.campaign.rows import rows_from_output
    from spacewalk.results.summary import build_summaries
    from spacewalk.sim.engine import run_engine
    from spacewalk.sim.plan import compile_plan

    out = run_engine(compile_plan(load_scenario("sts-102-2001"), runs=2), record=False)
    summary = build_summaries(out)[0]
    row = rows_from_output(out, np.arange(2), 0, np.zeros((2, 0)), []).iloc[0]
    for name in ("o2_primary", "scrubber", "feedwater", "battery"):
        lowest = min(c["consumables"][name]["margin_pct"] for c in summary["crew"].values())
        assert row[f"margin_{name}_pct"] == pytest.approx(lowest, abs=0.05)
    limiting = {c["limiting_consumable"]["name"] for c in summary["crew"].values()}
    assert row["limiting_consumable"] in limiting


def test_summaries_as_data_frames():
    result = simulate(load_scenario("polaris-dawn"), record=False)
    crew = result.crew_frame()
    assert len(crew) == 4 and set(crew["crew"]) == set(result.summary["crew"])
    assert crew.set_index("crew").loc["isaacman", "limiting_consumable"] == "o2_vehicle"
    cons = result.consumables_frame()
    assert {"run", "crew", "consumable", "margin_pct", "time_left_min"} <= set(cons.columns)


# ---------------------------------------------------------------- durable writes


def test_a_run_folder_is_replaced_whole_or_not_at_all(tmp_path, monkeypatch):
    """Killed (here: the disk fills) while the report of a new run is written over an old
    run folder: the folder still holds the old run, every file of it, and no debris."""
    from spacewalk.results import report as report_mod

    folder = tmp_path / "eva"
    old = simulate("gemini-4-1965")
    old.write(folder)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(report_mod, "render_report", full_disk)
    with pytest.raises(OSError):
        simulate("voskhod-2-1965").write(folder)
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["eva"]  # no temporary folder left
    monkeypatch.undo()
    simulate("voskhod-2-1965").write(folder)
    assert "voskhod" in (folder / "scenario.toml").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["eva"]


def test_a_folder_with_other_files_is_never_replaced(tmp_path, capsys):
    mine = tmp_path / "notes"
    mine.mkdir()
    (mine / "thesis.tex").write_text("months of work")
    assert main(["run", "gemini-4-1965", "--out", str(mine)]) == 1
    err = capsys.readouterr().err
    assert "holds other files (thesis.tex)" in err
    assert (mine / "thesis.tex").read_text() == "months of work"


def test_os_errors_are_messages_that_say_what_to_do(tmp_path, monkeypatch, capsys):
    from spacewalk.results import runio

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device", str(tmp_path / "eva" / "telemetry.parquet"))

    monkeypatch.setattr(runio, "_write_files", full_disk)
    assert main(["run", "gemini-4-1965", "--out", str(tmp_path / "eva")]) == 1
    err = capsys.readouterr().err
    assert "No space left on device" in err and "free some disk space" in err
    assert "telemetry.parquet" in err and "Traceback" not in err


def test_a_run_cut_short_still_writes_its_report(tmp_path):
    """Polaris Dawn cut to its first 3 minutes: nobody has gone out, so its documented
    motion figures have no value; the report says "not reached" instead of failing after
    four of the five files were written."""
    sc = load_scenario("polaris-dawn-2024")
    short = sc.model_copy(update={"engine": sc.engine.model_copy(update={"max_duration_h": 0.05})})
    folder = simulate(short).write(tmp_path / "short")
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["events.jsonl", "report.html", "scenario.toml", "summary.json", "telemetry.parquet"]
    )
    assert "not reached" in (folder / "report.html").read_text()


def test_the_report_opens_with_the_alarms_and_marks_them_on_the_plots(tmp_path):
    """Issue 20's front matter: every caution, warning and emergency with its time and crew
    member under the outcome, and the same times as dotted lines on the timeline and plots;
    no line at zero for a store a suit does not have."""
    from spacewalk.results.report import render_report

    res = simulate("iss-eva-23-2013")
    page = render_report(res.scenario, res.telemetry, res.events, res.summary)
    alarms = page[page.index("<h2>Alarms</h2>") : page.index("<h2>Crew</h2>")]
    assert "ABORT: return to the hatch" in alarms and "FAULT water intrusion" in alarms
    assert alarms.count("<tr class=") == len(res.events[res.events.severity != "info"])
    # the abort's time as a dotted vertical line on every time plot
    assert page.count('stroke="#d45500" stroke-width="0.8" stroke-dasharray="1.5,2.5"') > 10
    quiet = simulate("sts-41b-1984")
    quiet_page = render_report(quiet.scenario, quiet.telemetry, quiet.events, quiet.summary)
    assert ("No alarms" in quiet_page) == quiet.events[quiet.events.severity != "info"].empty
    # Polaris Dawn's suits run on umbilicals: no battery of their own, so no battery plot
    pd = simulate("polaris-dawn-2024")
    pd_page = render_report(pd.scenario, pd.telemetry, pd.events, pd.summary)
    assert "<title>Battery</title>" in page  # EVA 23's EMUs have one (the chart's title)
    assert "<title>Battery</title>" not in pd_page


def test_legends_never_cover_data():
    """Issue 20: a legend 'best' placed over a busy plot hid data (EVA 23's suit pressure);
    every report legend sits outside the axes, as wide as its longest label needs."""
    import re

    from spacewalk.results.svgchart import Chart

    chart = Chart(520, 270, legend_px=None)
    t = np.linspace(0, 150, 300)
    for k in range(4):  # lines everywhere: no empty corner for a legend inside
        chart.line(
            t, np.sin(t / 10 + k) * 50 + 50, colour="#000", label=f"parmitano p_suit_kPa {k}"
        )
    text = chart.svg()
    x0, y0, x1, y1 = chart.box
    legend_x = [
        float(x) for x in re.findall(r'<text x="([0-9.]+)"[^>]*font-size="8"><title>', text)
    ]
    assert len(legend_x) == 4 and min(legend_x) > x1  # wholly to the right of the plot area
    assert "parmitano p_suit_kPa 3</text>" in text  # the whole label, not cut short
    assert max(legend_x) + 22 * 8 * 0.56 <= 520 + 1  # and still on the chart


# ------------------------------------------------------------- the Python API's shapes


def test_a_batch_says_which_summary_is_which_and_reads_back_whole(tmp_path):
    """Issue 20: summaries in run order with a run column as tables; read_run gives back
    what write wrote (every run's summary, the same text, write again)."""
    from spacewalk import read_run

    res = simulate("gemini-4-1965", runs=3)
    runs = res.runs_frame()
    assert list(runs.run) == [0, 1, 2] and res.summary is res.summaries[0]
    assert set(res.crew_frame().run) == {0, 1, 2}
    res.write(tmp_path / "g4")
    back = read_run(str(tmp_path / "g4"))
    assert [s["run"] for s in back.summaries] == [0, 1, 2]
    assert back.text() == res.text() and back.text(2) == res.text(2)
    again = back.write(tmp_path / "g4-again")
    assert json.loads((again / "summary.json").read_text()) == json.loads(
        (tmp_path / "g4" / "summary.json").read_text()
    )


def test_telemetry_carries_its_units_and_converts_to_xarray():
    pytest.importorskip("xarray")
    res = simulate("gemini-4-1965")
    units = res.telemetry.attrs["units"]
    assert units["p_suit_kPa"] == "kPa" and units["t_s"] == "s"
    ds = res.to_xarray()
    assert set(ds.sizes) == {"run", "time", "crew"}
    assert ds.sizes["crew"] == 2 and ds.sizes["time"] == res.telemetry.t_s.nunique()
    assert ds["p_suit_kPa"].attrs["units"] == "kPa" and ds["time"].attrs["units"] == "s"
    white = res.telemetry[res.telemetry.crew == "white"].p_suit_kPa.to_numpy()
    assert np.array_equal(
        ds["p_suit_kPa"].sel(run=0, crew="white").to_numpy(), white, equal_nan=True
    )


def test_presets_cannot_be_changed_by_accident():
    from spacewalk import SUITS, WORKLOADS_W

    with pytest.raises(TypeError):
        SUITS["emu"]["pressure_psi"] = 3.0
    with pytest.raises(TypeError):
        WORKLOADS_W["rest"] = 1.0
    assert dict(SUITS["emu"])["pressure_psi"] == 4.3  # a copy is a plain dict to change


def test_the_timeline_has_a_legend_and_every_activity_by_its_full_name():
    """Issue 20: bars coloured by kind with a legend, labels only where they fit (never
    clipped), and every activity's full name in the table under the chart."""
    import html

    from spacewalk.results.report import render_report

    res = simulate("iss-eva-23-2013")
    page = render_report(res.scenario, res.telemetry, res.events, res.summary)
    chart = page[page.index("<h2>Timeline</h2>") : page.index("<h2>Life support</h2>")]
    assert chart.count("<svg") == 1
    for kind in {p["kind"] for p in res.summary["phases"]}:
        assert f"<td>{kind}</td>" in chart
    assert f"Every activity ({len(res.summary['phases'])})" in chart
    for p in res.summary["phases"]:
        assert f"<td>{html.escape(p['activity'])}</td>" in chart


@pytest.mark.skipif(
    not __import__("pathlib").Path("/usr/bin/chromium").exists(),
    reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)",
)
def test_the_report_in_a_real_browser(tmp_path):
    """Issue 20: the report of EVA 23 in chromium opens with its alarms (each with time and
    crew), marks them on the timeline and the plots (dotted lines), lists every activity by
    name, fetches nothing, and is screenshotted."""
    sync_api = pytest.importorskip("playwright.sync_api")
    res = simulate("iss-eva-23-2013")
    folder = res.write(tmp_path / "e23")
    alarms = res.events[res.events.severity.isin(["caution", "warning", "emergency"])]
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1200, "height": 1400})
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto((folder / "report.html").as_uri())
        rows = page.locator("h2:has-text('Alarms') + table tr")
        assert rows.count() == len(alarms) + 1
        assert "helmet-water-abort" in page.inner_text("h2:has-text('Alarms') + table")
        timeline = page.locator("h2:has-text('Timeline') ~ svg").first.inner_html()
        assert "stroke-dasharray" in timeline  # the alarm markers
        page.click("text=Every activity")
        assert page.locator("details table tr").count() == len(res.summary["phases"]) + 1
        shot = tmp_path / "report.png"
        page.screenshot(path=str(shot), full_page=True)
        browser.close()
    assert shot.stat().st_size > 50_000
    assert all(u.startswith("file:") for u in requests)

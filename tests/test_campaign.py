"""Monte Carlo campaigns: dispersions, streams, store, resume after kill -9, Dask, risk."""

from __future__ import annotations

import contextlib
import math
import os
import signal
import subprocess
import sys
import time
import tomllib
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import tomli_w

from spacewalk import ScenarioError, parse_toml
from spacewalk.campaign import (
    CampaignError,
    drivers,
    event_table,
    load_runs,
    outcome_table,
    rerun,
    resume_campaign,
    run_campaign,
    store,
    wilson_interval,
)
from spacewalk.campaign.execute import simulate_runs
from spacewalk.campaign.rows import rows_from_output
from spacewalk.scenario import dispersions as disp
from spacewalk.scenario import library_dir
from spacewalk.scenario.load import scenario_to_mapping
from spacewalk.sim import dispersions as dispersed
from spacewalk.sim.engine import OUTCOMES
from spacewalk.sim.plan import compile_plan

PARMITANO = tomllib.loads((library_dir() / "iss-eva-23-2013.toml").read_text(encoding="utf-8"))


def with_campaign(dispersions: list[dict], base: dict = PARMITANO, **settings):
    data = dict(base)
    data["campaign"] = {"seed": 11, **settings, "dispersions": dispersions}
    return parse_toml(tomli_w.dumps(data), "test campaign")


# a dispersion on every kind of target, as a planner writes them
EVERY_KIND = [
    {"target": "crew.*.metabolic_factor", "distribution": "normal", "mean": 1.1, "sd": 0.1},
    {"target": "crew.parmitano.mass_kg", "distribution": "uniform", "low": 70, "high": 80},
    {
        "target": "crew.cassidy.translation_speed_m_s",
        "distribution": "uniform",
        "low": 0.1,
        "high": 0.2,
    },
    {
        "target": "crew.*.suit.o2_primary_kg",
        "distribution": "uniform",
        "low": 0.95,
        "high": 1.0,
        "relative": True,
    },
    {
        "target": "crew.*.suit.leak_cm3_min",
        "distribution": "lognormal",
        "median": 1.0,
        "sigma": 0.4,
        "relative": True,
    },
    {
        "target": "crew.*.suit.visor_coupling",
        "distribution": "uniform",
        "low": 0.04,
        "high": 0.2,
    },
    {
        "target": "crew.cassidy.suit.insulation_W_K",
        "distribution": "uniform",
        "low": 0.3,
        "high": 2,
    },
    {"target": "crew.*.tether.*.length_m", "distribution": "uniform", "low": 20, "high": 30},
    {
        "target": "timeline.cassidy.experiment retrieval and cable routing.duration_min",
        "distribution": "truncnormal",
        "mean": 60,
        "sd": 10,
        "low": 30,
    },
    {
        "target": "timeline.parmitano.cable routing and camera work.metabolic_W",
        "distribution": "choice",
        "values": [200, 300],
        "weights": [3, 1],
    },
    {"target": "vehicle.airlock.vent_diameter_cm", "distribution": "uniform", "low": 1, "high": 2},
    {"target": "vehicle.hatch_diameter_m", "distribution": "uniform", "low": 0.9, "high": 1.1},
    {"target": "faults[0].at_min", "distribution": "exponential", "rate_per_h": 0.5, "low": 40},
    {"target": "faults[0].rate_mL_min", "distribution": "uniform", "low": 10, "high": 40},
]


# ----------------------------------------------------------------- every dispersion is applied


def _arrays(plan) -> dict[str, np.ndarray]:
    out = {f"crew.{k}": v.copy() for k, v in vars(plan.crew).items()}
    out |= {f"vessel.{k}": v.copy() for k, v in vars(plan.vessel).items()}
    out |= {
        "dur_s": plan.dur_s.copy(),
        "met_W": plan.met_W.copy(),
        "o2_store": plan.o2_store_kg.copy(),
        "tether_length": np.broadcast_to(
            plan.motion.length_m, (plan.runs, *plan.motion.length_m.shape[-2:])
        ).copy(),
    }
    for k, f in enumerate(plan.faults):
        out[f"fault{k}.at"] = f.at_s.copy()
        out[f"fault{k}.value"] = f.value.copy()
    return out


@pytest.mark.parametrize("spec", EVERY_KIND, ids=[d["target"] for d in EVERY_KIND])
def test_each_dispersion_changes_its_parameter(spec):
    """Basilisk issue 1164 (dispersions silently not applied) must never happen here: each
    target moves the plan array it names, to the drawn value in the engine's units."""
    sc = with_campaign([spec])
    groups, issues = disp.resolve(sc)
    assert not issues and groups[0]
    runs = np.arange(8)
    values = disp.draw(sc, groups, 11, runs)
    nominal = compile_plan(sc, 8)
    plan = compile_plan(sc, 8)
    dispersed.apply(plan, groups, values)
    before, after = _arrays(nominal), _arrays(plan)
    changed = [k for k in before if not np.array_equal(before[k], after[k])]
    assert changed, f"{spec['target']} changed nothing in the plan"
    assert np.ptp(values, axis=0).min() > 0  # and it differs from run to run


def test_applied_values_land_in_engine_units():
    sc = with_campaign(
        [
            {
                "target": "crew.parmitano.suit.o2_secondary_min",
                "distribution": "uniform",
                "low": 20,
                "high": 40,
            },
            {
                "target": "crew.parmitano.suit.leak_cm3_min",
                "distribution": "uniform",
                "low": 10,
                "high": 90,
            },
            {"target": "faults[0].at_min", "distribution": "uniform", "low": 50, "high": 60},
            {"target": "faults[0].rate_mL_min", "distribution": "uniform", "low": 10, "high": 40},
            {
                "target": "vehicle.airlock.pressure_psi",
                "distribution": "uniform",
                "low": 10,
                "high": 11,
            },
        ]
    )
    groups, _ = disp.resolve(sc)
    values = disp.draw(sc, groups, 11, np.arange(5))
    plan = compile_plan(sc, 5)
    dispersed.apply(plan, groups, values)
    np.testing.assert_allclose(plan.crew.o2_secondary_s[:, 0], 60 * values[:, 0])
    np.testing.assert_allclose(plan.crew.leak_m3_s[:, 0], values[:, 1] * 1e-6 / 60)
    np.testing.assert_allclose(plan.faults[0].at_s, 60 * values[:, 2])
    np.testing.assert_allclose(plan.faults[0].value, values[:, 3] / 6e4)  # kg/s of water
    np.testing.assert_allclose(plan.vessel.p0_Pa[:, 1], values[:, 4] * 6894.757, rtol=1e-6)


def test_a_dispersed_fault_time_moves_the_fault_in_the_engine():
    """The water-intrusion caution comes when the dispersed fault time says, run by run."""
    sc = with_campaign(
        [{"target": "faults[0].at_min", "distribution": "uniform", "low": 50, "high": 70}]
    )
    groups, _ = disp.resolve(sc)
    out, values = simulate_runs(sc, groups, 11, np.arange(4))
    for r in range(4):
        ev = [e for e in out.events if e["run"] == r and e["source"] == "faults"]
        assert ev, f"run {r}: no fault"
        dt = sc.engine.dt_s
        assert 0 <= ev[0]["t_s"] - 60 * values[r, 0] < dt  # the first step at or after it


def test_higher_metabolic_rate_uses_more_oxygen():
    """O2 use follows the Weir relation: a run at 1.3 x the metabolic rate uses more O2."""
    sc = with_campaign(
        [{"target": "crew.*.metabolic_factor", "distribution": "choice", "values": [1.0, 1.3]}]
    )
    groups, _ = disp.resolve(sc)
    out, values = simulate_runs(sc, groups, 11, np.arange(12))
    used = out.plan.crew.o2_primary_kg[:, 1] - out.final["o2_primary_kg"][:, 1]  # Cassidy
    hi, lo = values[:, 1] == 1.3, values[:, 1] == 1.0
    assert hi.any() and lo.any()
    assert used[hi].min() > used[lo].max()


# ----------------------------------------------------------------- validation at load


@pytest.mark.parametrize(
    ("spec", "path", "words"),
    [
        (
            {"target": "crew.*.metabolic_factr", "distribution": "normal", "mean": 1, "sd": 0.1},
            "campaign.dispersions[0].target",
            "metabolic_factor",
        ),
        (
            {"target": "crew.luca.mass_kg", "distribution": "normal", "mean": 70, "sd": 1},
            "campaign.dispersions[0].target",
            "parmitano",
        ),
        (
            {"target": "crew.*.suit.o2_primry_kg", "distribution": "normal", "mean": 1, "sd": 0.01},
            "campaign.dispersions[0].target",
            "o2_primary_kg",
        ),
        (
            {
                "target": "timeline.cassidy.experiment.duration_min",
                "distribution": "normal",
                "mean": 60,
                "sd": 1,
            },
            "campaign.dispersions[0].target",
            "experiment retrieval",
        ),
        (
            {"target": "faults[3].at_min", "distribution": "normal", "mean": 60, "sd": 1},
            "campaign.dispersions[0].target",
            "1 fault",
        ),
        (
            {
                "target": "crew.*.suit.o2_primary_kg",
                "distribution": "normal",
                "mean": 0.5,
                "sd": 0.2,
            },
            "campaign.dispersions[0]",
            "truncnormal",
        ),
        (
            {"target": "crew.*.mass_kg", "distribution": "exponential", "rate_per_h": 1},
            "campaign.dispersions[0].distribution",
            "faults[K].at_min",
        ),
        (
            {"target": "crew.*.mass_kg", "distribution": "normal", "mean": 70},
            "campaign.dispersions[0]",
            "needs ['sd']",
        ),
        (
            {"target": "crew.*.mass_kg", "distribution": "uniform", "low": 70, "high": 60},
            "campaign.dispersions[0]",
            "below high",
        ),
        (
            {
                "target": "vehicle.cabin.vent_diameter_mm",
                "distribution": "uniform",
                "low": 1,
                "high": 2,
            },
            "campaign.dispersions[0].target",
            "vent_diameter_cm",
        ),
        (
            {
                "target": "suits.emu.o2_primary_kg",
                "distribution": "uniform",
                "low": 0.5,
                "high": 0.6,
            },
            "campaign.dispersions[0].target",
            "crew.",
        ),
    ],
)
def test_bad_dispersions_are_refused_when_the_file_loads(spec, path, words):
    with pytest.raises(ScenarioError) as err:
        with_campaign([spec])
    text = str(err.value)
    assert path in text and words in text, text
    assert "fix:" in text


def test_a_parameter_dispersed_twice_is_refused():
    spec = {"target": "crew.*.metabolic_factor", "distribution": "normal", "mean": 1, "sd": 0.1}
    one = dict(spec, target="crew.cassidy.metabolic_factor")
    with pytest.raises(ScenarioError, match="already dispersed"):
        with_campaign([spec, one])


def test_campaign_keys_are_checked_like_any_other():
    with pytest.raises(ScenarioError, match="unknown key `runz`"):
        with_campaign([], runz=3)


# ----------------------------------------------------------------- distributions


def _draws(spec, n=4000):
    sc = with_campaign([spec])
    groups, _ = disp.resolve(sc)
    return disp.draw(sc, groups, 5, np.arange(n))[:, 0]


def test_distributions_match_their_definitions():
    """Sample moments against the closed forms (4,000 draws; tolerances ~4 standard errors)."""
    x = _draws({"target": "crew.parmitano.mass_kg", "distribution": "normal", "mean": 75, "sd": 3})
    assert abs(x.mean() - 75) < 4 * 3 / math.sqrt(x.size) and abs(x.std() - 3) < 0.15
    x = _draws(
        {"target": "crew.parmitano.mass_kg", "distribution": "uniform", "low": 60, "high": 90}
    )
    assert x.min() >= 60 and x.max() <= 90 and abs(x.mean() - 75) < 0.6
    x = _draws(
        {
            "target": "crew.parmitano.mass_kg",
            "distribution": "lognormal",
            "median": 75,
            "sigma": 0.05,
        }
    )
    assert abs(np.median(x) - 75) < 0.3 and abs(np.log(x).std() - 0.05) < 0.003
    # truncated normal on [mean, inf): the half-normal, mean = mu + sd * sqrt(2/pi)
    x = _draws(
        {
            "target": "crew.parmitano.mass_kg",
            "distribution": "truncnormal",
            "mean": 70,
            "sd": 5,
            "low": 70,
        }
    )
    assert x.min() >= 70 and abs(x.mean() - (70 + 5 * math.sqrt(2 / math.pi))) < 0.25
    x = _draws(
        {
            "target": "crew.parmitano.mass_kg",
            "distribution": "choice",
            "values": [60, 80],
            "weights": [1, 3],
        }
    )
    assert set(np.unique(x)) == {60.0, 80.0} and abs((x == 80).mean() - 0.75) < 0.03
    # a fault at a constant rate: exponential waiting time, mean 1/rate after `low`
    x = _draws(
        {"target": "faults[0].at_min", "distribution": "exponential", "rate_per_h": 2, "low": 40}
    )
    assert x.min() >= 40 and abs(x.mean() - 40 - 30) < 2.0


def test_shared_draws_one_value_for_the_crew():
    sc = with_campaign(
        [
            {
                "target": "crew.*.metabolic_factor",
                "distribution": "normal",
                "mean": 1,
                "sd": 0.1,
                "shared": True,
            }
        ]
    )
    groups, _ = disp.resolve(sc)
    v = disp.draw(sc, groups, 3, np.arange(10))
    assert np.array_equal(v[:, 0], v[:, 1]) and np.ptp(v[:, 0]) > 0


# ----------------------------------------------------------------- streams, batches, workers


SMALL = [
    {"target": "crew.*.metabolic_factor", "distribution": "normal", "mean": 1.3, "sd": 0.15},
    {"target": "faults[0].rate_mL_min", "distribution": "uniform", "low": 5, "high": 40},
    {
        "target": "crew.*.suit.o2_primary_kg",
        "distribution": "uniform",
        "low": 0.9,
        "high": 1.0,
        "relative": True,
    },
]


def _frame(folder):
    return load_runs(folder).drop(columns=[]).reset_index(drop=True)


def test_results_do_not_depend_on_batch_size_or_workers(tmp_path):
    sc = with_campaign(SMALL)
    a = run_campaign(sc, tmp_path / "a", runs=16, batch_size=7, workers=1)
    b = run_campaign(sc, tmp_path / "b", runs=16, batch_size=16, workers=1)
    c = run_campaign(sc, tmp_path / "c", runs=16, batch_size=3, workers=2)
    fa, fb, fc = _frame(a), _frame(b), _frame(c)
    assert len(fa) == 16
    pd.testing.assert_frame_equal(fa, fb)
    pd.testing.assert_frame_equal(fa, fc)
    assert fa["crew.parmitano.metabolic_factor"].nunique() == 16


def _per_run(out, r: int) -> dict:
    """Every array of an engine's output that has the runs first, for run ``r``."""
    R, rows = out.plan.runs, {}
    for key, value in vars(out).items():
        items = value.items() if isinstance(value, dict) else [("", value)]
        for sub, x in items:
            if isinstance(x, np.ndarray) and x.ndim and x.shape[0] == R:
                rows[f"{key}.{sub}"] = x[r]
    return rows


def test_a_run_over_stays_as_it_ended_while_its_batch_goes_on():
    """A batch steps until its last run ends; a run that is over before then is not stepped
    on (``stretch.all_over`` marks it): everything it reports is what it reports alone.
    Before, STS-102's shortest run of four went on breathing cabin air in a batch of four,
    and its tissue ratio at the end rose from 0.265 to 0.297; and with a crew member lost
    outside (a 10-mm hole), their time outside and suited went on counting in a batch."""
    from spacewalk.campaign.execute import _scenario

    text = (library_dir() / "sts-102-2001.toml").read_text(encoding="utf-8")
    data = tomllib.loads(text)
    data["faults"] = [
        {"kind": "suit-leak", "hole_diameter_mm": 10.0, "crew": "voss", "at_min": 200}
    ]
    data["campaign"]["dispersions"].append(
        {"target": "faults[0].at_min", "distribution": "uniform", "low": 60, "high": 500}
    )
    lost = tomli_w.dumps(data)
    for toml in (text, lost):
        sc, groups = _scenario(toml)
        out, _ = simulate_runs(sc, groups, 3, np.arange(4), events=False)
        ends = np.nanmax(out.act_end_s, axis=(1, 2))
        assert ends.max() - ends.min() > 1800  # the runs end half an hour and more apart
        for r in range(4):
            alone, _ = simulate_runs(sc, groups, 3, np.array([r]), events=False)
            batch, one = _per_run(out, r), _per_run(alone, 0)
            assert batch.keys() == one.keys()
            for key in batch:
                np.testing.assert_array_equal(batch[key], one[key], err_msg=key)
    assert (out.outcome[:, 0] == OUTCOMES.index("loss-of-crew")).all()  # Voss, lost outside


def test_rerun_recreates_the_recorded_run(tmp_path):
    sc = with_campaign(SMALL)
    folder = run_campaign(sc, tmp_path / "camp", runs=20, batch_size=8, workers=1)
    rows = load_runs(folder)
    result, values = rerun(folder, 13)
    stored = rows[rows["run"] == 13].iloc[0]
    for name, v in values.items():
        assert stored[name] == v
    # the re-created run gives the same row as the campaign recorded
    groups, _ = disp.resolve(store.open_campaign(folder)[1])
    out, vals = simulate_runs(store.open_campaign(folder)[1], groups, 11, np.array([13]))
    again = rows_from_output(out, np.array([13]), 11, vals, disp.slot_names(groups)).iloc[0]
    pd.testing.assert_series_equal(again, stored, check_names=False)
    assert result.summary["outcome"] in ("completed", "terminated", "aborted")
    assert not result.telemetry.empty


def test_a_run_that_fails_becomes_a_row_with_its_reason(tmp_path, monkeypatch):
    """A numerical failure (non-finite suit state) and an exception each cost one run."""
    import spacewalk.campaign.execute as ex

    real = dispersed.apply

    def poisoned(plan, groups, values):
        real(plan, groups, values)
        if plan.runs > 1:
            plan.crew.gas_volume_m3[2, 0] = np.nan  # run 2 of each batch goes non-finite
        elif values[0, 0] > 1.5:
            raise FloatingPointError("synthetic failure")

    monkeypatch.setattr(ex.dispersed, "apply", poisoned)
    sc = with_campaign(SMALL)
    folder = run_campaign(sc, tmp_path / "camp", runs=12, batch_size=6, workers=1)
    rows = load_runs(folder)
    assert len(rows) == 12
    bad = rows[rows["status"] != "ok"]
    assert set(bad["run"]) == {2, 8}
    assert bad["status"].str.startswith("numerical-error").all()
    assert (bad["outcome"] == "error").all()
    assert (rows.loc[rows["status"] == "ok", "outcome"] != "error").all()
    # a stopped run keeps its dispersed values, not its results: blank text, no numbers
    numerical = bad[bad["status"].str.startswith("numerical-error")].iloc[0]
    assert numerical["limiting_consumable"] == "" and numerical["condition"] == ""
    assert np.isnan(numerical["o2_margin_min"]) and np.isnan(numerical["alarms"])
    assert not numerical["consumable_exhausted"]
    assert (
        numerical["crew.parmitano.metabolic_factor"] == numerical["crew.parmitano.metabolic_factor"]
    )


# ----------------------------------------------------------------- the store


def test_the_store_refuses_to_overwrite_and_reads_with_duckdb(tmp_path):
    duckdb = pytest.importorskip("duckdb")
    sc = with_campaign(SMALL)
    folder = run_campaign(sc, tmp_path / "camp", runs=10, batch_size=4, workers=1)
    with pytest.raises(CampaignError, match="resume"):
        run_campaign(sc, folder, runs=10)
    con = duckdb.connect()
    n, p = con.execute(
        f"SELECT count(*), avg(CAST(consumable_limited AS DOUBLE)) FROM "
        f"read_parquet('{folder}/runs/*.parquet', union_by_name=true)"
    ).fetchone()
    rows = load_runs(folder)
    assert n == 10 and p == pytest.approx(rows["consumable_limited"].mean())
    with pytest.raises(CampaignError, match="not a campaign folder"):
        load_runs(tmp_path)


def _campaign_command(tmp_path, runs: int, workers: int) -> tuple[list[str], Path]:
    """`spacewalk campaign run` of EVA 23 with the SMALL dispersions, and its folder."""
    text = tomli_w.dumps({**PARMITANO, "campaign": {"seed": 11, "dispersions": SMALL}})
    scen = tmp_path / "camp.toml"
    scen.write_text(text)
    folder = tmp_path / "killed"
    cmd = [sys.executable, "-m", "spacewalk", "campaign", "run", str(scen), "--runs", str(runs)]
    cmd += ["--batch-size", "4", "--workers", str(workers), "--out", str(folder), "--quiet"]
    return cmd, folder


def test_kill_9_loses_only_batches_in_flight_and_resume_completes(tmp_path):
    """A real SIGKILL in the middle of a campaign; resume runs only the missing batches."""
    cmd, folder = _campaign_command(tmp_path, runs=32, workers=1)
    text = (tmp_path / "camp.toml").read_text()
    log = tmp_path / "stderr.txt"
    with open(log, "wb") as err:
        proc = subprocess.Popen(cmd, start_new_session=True, stdout=subprocess.DEVNULL, stderr=err)
    deadline = time.time() + 240
    while time.time() < deadline and proc.poll() is None:
        if (folder / "runs").exists() and len(list((folder / "runs").glob("batch-*.parquet"))) >= 3:
            break
        time.sleep(0.02)
    assert proc.poll() is None, f"the campaign ended before the kill: {log.read_text()}"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()
    manifest, _ = store.open_campaign(folder)
    done = store.done_batches(folder, manifest)
    assert 3 <= len(done) < manifest.n_batches
    for b in done:  # every batch on disk is whole
        assert len(pd.read_parquet(store.batch_path(folder, b))) == len(manifest.batch_runs(b))
    stamps = {b: store.batch_path(folder, b).stat().st_mtime_ns for b in done}
    resume_campaign(folder, workers=1)
    assert store.missing_batches(folder, manifest) == []
    for b, stamp in stamps.items():  # nothing redone
        assert store.batch_path(folder, b).stat().st_mtime_ns == stamp
    whole = run_campaign(parse_toml(text), tmp_path / "whole", runs=32, batch_size=4, workers=1)
    pd.testing.assert_frame_equal(_frame(folder), _frame(whole))


def test_truncated_empty_or_altered_batches_are_redone(tmp_path, capsys):
    """A batch file cut short, emptied or changed after writing is not counted as done:
    resume redoes exactly those, and the report and load_runs never read them."""
    from spacewalk.cli import main

    sc = with_campaign(SMALL)
    folder = run_campaign(sc, tmp_path / "camp", runs=12, batch_size=4, workers=1)
    manifest, _ = store.open_campaign(folder)
    whole = _frame(folder)
    p0, p1, p2 = (store.batch_path(folder, b) for b in range(3))
    p0.write_bytes(p0.read_bytes()[: p0.stat().st_size // 2])  # cut short
    p1.write_bytes(b"")  # emptied
    data = bytearray(p2.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one byte flipped: the footer still reads
    p2.write_bytes(bytes(data))
    assert store.missing_batches(folder, manifest) == [0, 1, 2]
    with pytest.raises(CampaignError, match="no finished batches"):
        load_runs(folder)
    assert main(["campaign", "resume", str(folder), "--workers", "1", "--quiet"]) == 0
    assert "3 of 3 batches to run" in capsys.readouterr().out
    pd.testing.assert_frame_equal(_frame(folder), whole)


def _children(pid: int) -> set[int]:
    """Every descendant of a process, from /proc."""
    kids: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        kids.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    out, todo = set(), [pid]
    while todo:
        for k in kids.get(todo.pop(), []):
            out.add(k)
            todo.append(k)
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_workers_die_with_a_killed_campaign(tmp_path):
    """kill -9 of `campaign run` alone (not its process group): its workers exit too,
    instead of waiting on a pipe forever."""
    cmd, folder = _campaign_command(tmp_path, runs=400, workers=2)
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: set[int] = set()
    try:
        deadline = time.time() + 240
        while time.time() < deadline and not list((folder / "runs").glob("batch-*.parquet")):
            assert proc.poll() is None
            time.sleep(0.05)
        workers = _children(proc.pid)
        assert len(workers) >= 2
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
        deadline = time.time() + 20
        while time.time() < deadline and any(_alive(w) for w in workers):
            time.sleep(0.1)
        assert not [w for w in workers if _alive(w)]
    finally:  # never leave a worker behind, even when the test fails
        for w in workers | _children(proc.pid):
            with contextlib.suppress(OSError):
                os.kill(w, signal.SIGKILL)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")
def test_ctrl_c_keeps_the_finished_batches_and_ends_the_workers(tmp_path, capsys):
    """Ctrl-C (SIGINT to the command alone) in the middle of a campaign on two workers: the
    command says where the finished batches are and how to finish, exits 130, and leaves
    no worker behind; resume completes the campaign. Before the campaign's folder exists,
    it says that nothing was saved."""
    # 30 batches: the first is saved about 1.5 s in, the last some 4 s later
    cmd, folder = _campaign_command(tmp_path, runs=120, workers=2)
    # a command started while SIGINT is ignored keeps it ignored (as under nohup), and a test
    # run before this one in the same pytest worker can leave it so (a CI run finished the
    # campaign, exit 0): the command is started with Python's own handler, reset at its exec
    ignored = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    finally:
        signal.signal(signal.SIGINT, ignored)
    workers: set[int] = set()
    try:
        deadline = time.time() + 240
        while time.time() < deadline and not list(folder.glob("runs/batch-*.parquet")):
            assert proc.poll() is None
            time.sleep(0.02)
        workers = _children(proc.pid)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 130
        assert f"spacewalk campaign resume {folder}" in err and "Traceback" not in err
        deadline = time.time() + 20
        while time.time() < deadline and any(_alive(w) for w in workers):
            time.sleep(0.1)
        assert not [w for w in workers if _alive(w)]
    finally:
        for w in workers:
            with contextlib.suppress(OSError):
                os.kill(w, signal.SIGKILL)
    resume_campaign(folder, workers=1)
    assert len(load_runs(folder)) == 120
    from spacewalk.campaign.cli import _interrupted

    assert _interrupted(tmp_path / "never-made") == 130
    assert "nothing was saved" in capsys.readouterr().err


def test_workers_started_early_are_taken_or_ended():
    """``campaign run`` starts its workers before its own imports (``campaign.pool``): the
    pool that runs the batches is that one, and one no batch took is ended with its
    processes (a one-batch campaign, an error), not left importing."""
    from spacewalk.campaign import pool

    pool.start(2)
    early = pool._early[1]
    assert pool.take(2) is early and pool._early is None
    early.shutdown(wait=True)
    pool.start(2)
    processes = list(pool._early[1]._processes.values())
    pool.discard()
    assert pool._early is None
    assert not [p for p in processes if p.is_alive()]


def test_a_lost_dask_scheduler_is_a_message_and_resume_finishes(tmp_path, monkeypatch):
    """The cluster goes away after the first batch is saved: a CampaignError naming the
    scheduler and the resume command (not a FutureCancelledError traceback); resuming on
    local cores finishes the campaign with the rows a local run gives."""
    distributed = pytest.importorskip("distributed")
    sc = with_campaign(SMALL)
    cluster = distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=False, dashboard_address=None
    )
    client = distributed.Client(cluster)
    write = store.write_batch

    def write_then_lose_the_cluster(folder, b, rows):
        out = write(folder, b, rows)
        if cluster.status.name != "closed":
            cluster.close()
        return out

    monkeypatch.setattr(store, "write_batch", write_then_lose_the_cluster)
    folder = tmp_path / "camp"
    try:
        with pytest.raises(CampaignError, match="Dask cluster at .* failed.*campaign resume"):
            run_campaign(sc, folder, runs=12, batch_size=4, dask=client)
    finally:
        client.close()
        cluster.close()
    monkeypatch.undo()
    manifest, _ = store.open_campaign(folder)
    assert 1 <= len(store.done_batches(folder, manifest)) < manifest.n_batches
    resume_campaign(folder, workers=1)
    local = run_campaign(sc, tmp_path / "local", runs=12, batch_size=4, workers=1)
    pd.testing.assert_frame_equal(_frame(folder), _frame(local))


def test_the_campaign_report_shows_markup_as_text(tmp_path):
    """A scenario title with markup, and a campaign.json whose seed was edited into markup:
    the first is escaped in the report, the second refused as an unreadable manifest."""
    import html
    import json

    from spacewalk.campaign.report import render

    xss = '<img src=x onerror="alert(1)">'
    hostile = {**PARMITANO, "scenario": {**PARMITANO["scenario"], "title": "T" + xss}}
    sc = with_campaign(SMALL, base=hostile)
    folder = run_campaign(sc, tmp_path / "camp", runs=4, batch_size=2, workers=1)
    manifest, scenario = store.open_campaign(folder)
    page = render(load_runs(folder), manifest, scenario)
    assert xss not in page and html.escape("T" + xss) in page
    data = json.loads((folder / "campaign.json").read_text())
    data["seed"] = xss
    (folder / "campaign.json").write_text(json.dumps(data))
    with pytest.raises(CampaignError, match="seed must be a whole number"):
        store.open_campaign(folder)


def test_cli_refuses_bad_counts_and_reports_os_errors(tmp_path, capsys, monkeypatch):
    from spacewalk.campaign import execute
    from spacewalk.cli import main

    monkeypatch.setattr(execute, "DASK_CONNECT_S", 1)  # nothing listens there: say so soon

    scen = tmp_path / "camp.toml"
    scen.write_text(tomli_w.dumps({**PARMITANO, "campaign": {"seed": 11, "dispersions": SMALL}}))
    for flag, value in [
        ("--workers", "0"),
        ("--workers", "-3"),
        ("--runs", "0"),
        ("--batch-size", "x"),
    ]:
        with pytest.raises(SystemExit):
            main(["campaign", "run", str(scen), flag, value, "--out", str(tmp_path / "c")])
        assert "at least 1" in capsys.readouterr().err
    # no Dask scheduler at the address: a message naming it, not a traceback
    pytest.importorskip("distributed")
    folder = tmp_path / "camp"
    code = main(
        [
            "campaign",
            "run",
            str(scen),
            "--runs",
            "4",
            "--out",
            str(folder),
            "--quiet",
            "--dask",
            "tcp://127.0.0.1:9",
        ]
    )
    err = capsys.readouterr().err
    assert code == 1 and "tcp://127.0.0.1:9" in err and "Traceback" not in err
    assert "campaign resume" in err


def test_dask_cluster_gives_the_local_results(tmp_path):
    distributed = pytest.importorskip("distributed")
    sc = with_campaign(SMALL)
    local = run_campaign(sc, tmp_path / "local", runs=16, batch_size=5, workers=1)
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        remote = run_campaign(sc, tmp_path / "dask", runs=16, batch_size=5, dask=client)
    pd.testing.assert_frame_equal(_frame(local), _frame(remote))


# ----------------------------------------------------------------- risk


def test_wilson_interval_against_published_values():
    """Newcombe (1998), Stat Med 17:857, Table II, method 3 (Wilson score): 81/263 gives
    0.2553-0.3662, 15/148 gives 0.0624-0.1605, 0/20 gives 0-0.1611."""
    for k, n, lo, hi in (
        (81, 263, 0.2553, 0.3662),
        (15, 148, 0.0624, 0.1605),
        (0, 20, 0.0, 0.1611),
    ):
        a, b = wilson_interval(k, n)
        assert abs(a - lo) < 1e-4 and abs(b - hi) < 1e-4


def test_wilson_interval_matches_scipy():
    stats = pytest.importorskip("scipy.stats")
    for k, n in ((0, 50), (3, 1000), (500, 1000), (999, 1000)):
        ci = stats.binomtest(k, n).proportion_ci(confidence_level=0.95, method="wilson")
        a, b = wilson_interval(k, n)
        assert a == pytest.approx(ci.low, abs=1e-12) and b == pytest.approx(ci.high, abs=1e-12)


def test_drivers_rank_the_parameter_that_drives_failures(tmp_path):
    """Water intrusion aborts the EVA when the helmet fills before the crew is back: a high
    intrusion rate drives the abort, the unrelated O2 fill barely does. Spearman's rho is
    checked against scipy."""
    stats = pytest.importorskip("scipy.stats")
    slow_leak = dict(SMALL[1], low=0.5, high=4)  # some helmets fill before the EVA's end
    sc = with_campaign([SMALL[0], slow_leak, SMALL[2]])
    folder = run_campaign(sc, tmp_path / "camp", runs=60, batch_size=30, workers=1)
    runs = load_runs(folder)
    event = "rule:helmet-water-abort"
    assert 0 < runs[event].sum() < len(runs)
    d = drivers(runs, event)
    assert d.iloc[0]["parameter"] == "faults[0].rate_mL_min"
    assert d.iloc[0]["spearman"] > 0.5 and d.iloc[0]["significant"]
    rho = stats.spearmanr(runs["faults[0].rate_mL_min"], runs[event].astype(float)).statistic
    assert d.iloc[0]["spearman"] == pytest.approx(rho, abs=1e-12)
    table = outcome_table(runs)
    assert table["runs"].sum() == len(runs)
    ev = event_table(runs)
    row = ev[ev["event"] == event].iloc[0]
    assert row["ci_low"] <= row["probability"] <= row["ci_high"]


# ----------------------------------------------------------------- the command line


def test_cli_run_report_rerun_and_errors(tmp_path, capsys):
    from spacewalk.cli import main

    scen = tmp_path / "camp.toml"
    scen.write_text(tomli_w.dumps({**PARMITANO, "campaign": {"seed": 11, "dispersions": SMALL}}))
    folder = tmp_path / "camp"
    args = ["campaign", "run", str(scen), "--runs", "8", "--batch-size", "4", "--workers", "1"]
    assert main([*args, "--out", str(folder), "--quiet"]) == 0
    out = capsys.readouterr().out
    assert "8 runs in" in out and "95 % Wilson interval" in out
    assert main(["campaign", "report", str(folder)]) == 0
    page = (folder / "report.html").read_text()
    assert "Wilson" in page and "<script" not in page and "<link" not in page
    assert 'src="http' not in page and 'href="http' not in page  # nothing fetched
    assert main(["campaign", "rerun", str(folder), "5"]) == 0
    assert (folder / "run-000005" / "telemetry.parquet").exists()
    assert "values" in (folder / "run-000005" / "dispersed.toml").read_text()
    capsys.readouterr()
    # errors: a second run into the same folder, a run number out of range, no campaign here
    assert main([*args, "--out", str(folder), "--quiet"]) == 1
    assert "already holds a campaign" in capsys.readouterr().err
    assert main(["campaign", "rerun", str(folder), "99"]) == 1
    assert "runs 0 to 7" in capsys.readouterr().err
    assert main(["campaign", "resume", str(tmp_path)]) == 1
    assert "not a campaign folder" in capsys.readouterr().err
    bad = tmp_path / "bad.toml"
    bad.write_text(
        tomli_w.dumps(
            {**PARMITANO, "campaign": {"dispersions": [dict(SMALL[0], target="crew.*.metabolic")]}}
        )
    )
    assert main(["campaign", "run", str(bad), "--out", str(tmp_path / "x")]) == 1
    err = capsys.readouterr().err
    assert "campaign.dispersions[0].target" in err and "metabolic_factor" in err
    assert not (tmp_path / "x").exists()  # nothing started for a refused file


def test_rows_say_which_runs_left_a_crew_member_impaired(tmp_path):
    """EVA 23 with the helmet leak's rate dispersed: the runs with the most water leave
    Parmitano impaired by it (1 L, MIB); the rows carry the condition and its cause, and the
    event table gives P(impaired) with its interval."""
    sc = with_campaign(
        [{"target": "faults[0].rate_mL_min", "distribution": "uniform", "low": 1, "high": 60}]
    )
    rows = load_runs(run_campaign(sc, tmp_path / "camp", runs=12, batch_size=12, workers=1))
    hit = rows[rows.crew_impaired]
    assert 0 < len(hit) < len(rows)
    assert set(hit.condition_cause) == {"helmet-water"}
    assert (
        hit["faults[0].rate_mL_min"].min()
        > rows[~rows.crew_impaired]["faults[0].rate_mL_min"].min()
    )
    assert "crew_impaired" in set(event_table(rows)["event"])


def test_a_crew_member_incapacitated_inside_is_the_runs_outcome_in_rows_and_summary():
    """Polaris Dawn, Menon's regulator failing while the cabin is vented: he is helpless from
    his CO2 after the repress, in a crew mate's care. The EVA crew complete their EVA, but
    the run is not a completed one: the summary and the campaign's row both say
    incapacitated (before, only loss of crew counted beyond the EVA crew)."""
    from spacewalk.results.simulation import simulate

    data = tomllib.loads((library_dir() / "polaris-dawn-2024.toml").read_text(encoding="utf-8"))
    data.pop("documented")
    data["faults"] = [{"kind": "regulator-failure", "crew": "menon", "at_min": 63.0}]
    sc = parse_toml(tomli_w.dumps(data), "menon")
    summary = simulate(sc, record=False).summary
    assert summary["crew"]["isaacman"]["outcome"] == "completed"
    assert summary["crew"]["menon"]["outcome"] == "incapacitated"
    assert summary["outcome"] == "incapacitated"
    out, values = simulate_runs(sc, [], 1, np.arange(1))
    rows = rows_from_output(out, np.arange(1), 1, values, [])
    assert list(rows.outcome) == ["incapacitated"]


def test_unset_batch_size_gives_every_local_worker_a_batch(tmp_path):
    """Issue 20: a campaign that does not set its batch size is cut so that all local workers
    have work (12 runs on 4 workers: 4 batches of 3, not one batch of 12); one that sets it
    keeps it."""
    sc = with_campaign(SMALL)
    folder = run_campaign(sc, tmp_path / "auto", runs=12, workers=4)
    manifest, _ = store.open_campaign(folder)
    assert manifest.batch_size == 3 and len(load_runs(folder)) == 12
    folder = run_campaign(with_campaign(SMALL, batch_size=12), tmp_path / "set", runs=12, workers=4)
    assert store.open_campaign(folder)[0].batch_size == 12


def test_a_campaign_without_dispersions_says_its_runs_are_identical(tmp_path, capsys):
    from spacewalk.cli import main

    f = tmp_path / "plain.toml"
    data = dict(PARMITANO)
    data["campaign"] = {"seed": 1}
    f.write_text(tomli_w.dumps(data))
    assert (
        main(["campaign", "run", str(f), "--out", str(tmp_path / "c"), "--runs", "3", "--quiet"])
        == 0
    )
    assert "all 3 runs are identical" in capsys.readouterr().out


def test_the_report_opens_with_a_headline_in_words():
    """Issue 20: one line that says how many end early, what limits and what drives it, with
    readable names; driver tables only where enough runs had the event."""
    from spacewalk.campaign.report import MIN_EVENT_RUNS, headline, readable, render

    rng = np.random.default_rng(3)
    n = 200
    factor = rng.normal(1.0, 0.15, n)
    limited = factor + rng.normal(0, 0.05, n) > 1.1
    runs = pd.DataFrame(
        {
            "run": np.arange(n),
            "status": "ok",
            "outcome": np.where(limited, "terminated", "completed"),
            "limiting_consumable": np.where(limited, "o2_primary", "feedwater"),
            "consumable_limited": limited,
            "rule:co2-high": np.arange(n) < 3,  # too rare to rank
            "crew.ev1.metabolic_factor": factor,
            "margin_o2_primary_pct": rng.uniform(0, 30, n),
        }
    )
    runs.attrs["dispersed"] = ["crew.ev1.metabolic_factor"]
    line = headline(runs)
    assert line.startswith(f"{100 * limited.mean():.0f} % end early")
    assert f"feedwater limits in {100 * (~limited).mean():.0f} %" in line
    assert "driven by ev1: metabolic rate (factor)" in line
    assert readable("margin_o2_primary_pct") == "primary O2 left at the end [%]"
    assert readable("crew.voss.suit.o2_primary_kg") == "voss: primary O2 [kg]"
    runs.attrs["dispersed"] = []
    assert "every run identical" in headline(runs)
    runs.attrs["dispersed"] = ["crew.ev1.metabolic_factor"]
    sc = with_campaign(SMALL)
    manifest = type("M", (), {"runs": n, "seed": 1, "batch_size": n})()
    page = render(runs, manifest, sc)
    assert f"<p class=headline><b>{line}</b></p>" in page
    assert f"Too few runs with it to rank its drivers (fewer than {MIN_EVENT_RUNS})" in page


def test_a_first_campaign_gives_the_same_rows(tmp_path):
    """Issue 21: in a first campaign (nothing in Numba's cache) one worker compiles the
    engine's kernels from the last it uses while the others' batches compile them from the
    first (``execute._warm``); the rows are those of a campaign in this process."""
    sc = with_campaign(SMALL)
    here = _frame(run_campaign(sc, tmp_path / "here", runs=8, batch_size=4, workers=1))
    (tmp_path / "sc.toml").write_text(tomli_w.dumps(scenario_to_mapping(sc)))
    code = (
        "import sys; from spacewalk import load_scenario; from spacewalk.campaign import "
        "run_campaign; from spacewalk.campaign.execute import _first_compile\n"
        "assert _first_compile()\n"
        "run_campaign(load_scenario(sys.argv[1]), sys.argv[2], runs=8, batch_size=4, workers=2)"
    )
    env = {**os.environ, "NUMBA_CACHE_DIR": str(tmp_path / "cache")}
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "sc.toml"), str(tmp_path / "first")],
        capture_output=True, text=True, env=env, timeout=600,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-800:]
    pd.testing.assert_frame_equal(here, _frame(tmp_path / "first"))


def test_the_warm_up_of_a_first_campaign_is_best_effort():
    from spacewalk.campaign.execute import _warm

    assert _warm("this is not a scenario") is None  # says nothing, raises nothing

"""Console speed: realtime delivery to many WebSocket clients, and a historical query.

1. ``spacewalk console`` runs in its own process, as a user starts it; a live 8-hour two-crew
   EVA (``sts-102-2001``, one sample every 10 s of mission time) plays at 100x, so every
   channel gets a new sample ten times a second. 20 WebSocket clients each subscribe to
   every channel of both crew members. A point's delivery latency is the wall time it
   arrives at a client minus the wall time the session clock reached its timestamp (from the
   clock anchor the server publishes in its state).
2. A finished 8-hour run (``sts-102-2001`` recorded every 10 s) is replayed and one channel's
   whole history is fetched over HTTP, in full and decimated to 1,000 points.

Basilisk has no telemetry server (its Vizard viewer is a separate program), so these are
absolute figures against the issue's targets.

    python benchmarks/bench_console.py [--clients 20] [--seconds 20]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

from spacewalk import load_scenario, simulate

SCENARIO = "sts-102-2001"


def start_console(runs: Path):
    proc = subprocess.Popen(
        [sys.executable, "-m", "spacewalk", "console", "--port", "0", "--runs", str(runs)],
        stdout=subprocess.PIPE,
        text=True,
    )
    url = re.search(r"(http://\S+)/", proc.stdout.readline()).group(1)
    return proc, url


async def client(
    url: str, ids: list[str], until: float, epoch_ms: float, anchor, out: list, style: str
):
    async with aiohttp.ClientSession() as http, http.ws_connect(url + "/api/realtime") as ws:
        if style == "openmct":  # the Open MCT tutorial's way: one text message per channel
            for i in ids:
                await ws.send_str(f"subscribe {i}")
        else:
            await ws.send_str(json.dumps({"subscribe": ids}))
        subscribed = time.time()  # the current values sent on subscribing are not deliveries
        while time.time() < until:
            try:
                msg = await ws.receive(timeout=max(until - time.time(), 0.01))
            except TimeoutError:
                break
            if msg.type != aiohttp.WSMsgType.TEXT:
                break
            now = time.time()
            data = json.loads(msg.data)
            if not isinstance(data, list):
                continue
            t0, wall0, speed = anchor["t0_s"], anchor["wall_unix_s"], anchor["speed"]
            for p in data:
                due = wall0 + ((p["timestamp"] - epoch_ms) / 1000.0 - t0) / speed
                if due >= subscribed:
                    out.append(now - due)


async def realtime(url: str, n_clients: int, seconds: float, style: str) -> dict:
    async with aiohttp.ClientSession() as http:
        r = await http.post(url + "/api/live", json={"scenario": SCENARIO, "speed": 100})
        r.raise_for_status()
        d = await (await http.get(url + "/api/dictionary")).json()
        st = await (await http.get(url + "/api/state")).json()
    ids = [ch["id"] for c in d["crew"] for ch in c["channels"]]
    lat: list[float] = []
    until = time.time() + seconds
    await asyncio.gather(
        *(client(url, ids, until, d["epoch_ms"], st["clock"], lat, style) for _ in range(n_clients))
    )
    lat.sort()
    return {
        "ids": len(ids),
        "points": len(lat),
        "median_ms": 1000 * statistics.median(lat),
        "p95_ms": 1000 * lat[int(0.95 * len(lat))],
        "max_ms": 1000 * lat[-1],
        "rate": len(lat) / seconds,
    }


async def history(url: str, folder: str, repeat: int = 30) -> dict:
    async with aiohttp.ClientSession() as http:
        (await http.post(url + "/api/replay", json={"folder": folder})).raise_for_status()
        await http.post(url + "/api/control", json={"action": "seek", "t_s": 1e9})
        d = await (await http.get(url + "/api/dictionary")).json()
        pid = f"{d['crew'][0]['id']}.o2_time_min"
        out = {}
        for label, query in (("full", ""), ("decimated to 1,000", "?decimate=1000")):
            times, n = [], 0
            for _ in range(repeat):
                t0 = time.perf_counter()
                pts = await (await http.get(f"{url}/api/history/{pid}{query}")).json()
                times.append(time.perf_counter() - t0)
                n = len(pts)
            out[label] = (statistics.median(times) * 1000, max(times) * 1000, n)
        return out


def injection(repeat: int = 5) -> dict[str, float]:
    """A fault injected 4 hours into the 8-hour EVA, as the server does it: the fault added
    to the live engine and the next ``INJECT_HORIZON_S`` run and shown at once (what the
    display waits for), then the rest of the future run and spliced in; against the whole
    future at once (the way before) and the whole run simulated again (the way before that)."""
    from spacewalk.console.server import INJECT_HORIZON_S, _simulate
    from spacewalk.console.session import Session

    now = 4 * 3600.0
    fault = {"kind": "cooling-failure", "crew": "voss"}
    times: dict[str, list[float]] = {"near": [], "rest": [], "whole_future": [], "again": []}
    for _ in range(repeat):
        sessions = []
        for _ in range(2):
            sc, result, engine = asyncio.run(_simulate(load_scenario(SCENARIO)))
            s = Session("live", sc, result.telemetry, result.events, result.summary, "b", engine)
            s.follow(now)
            sessions.append(s)
        split, whole = sessions
        faulted = split.faulted_scenario(fault)
        t0 = time.perf_counter()
        split.inject(faulted, now, INJECT_HORIZON_S)
        t1 = time.perf_counter()
        split.show_future(split.run_future())
        t2 = time.perf_counter()
        whole.inject(whole.faulted_scenario(fault), now)
        t3 = time.perf_counter()
        again = faulted.model_copy(
            update={"faults": [f.model_copy(update={"at_min": now / 60}) for f in faulted.faults]}
        )
        simulate(again)
        t4 = time.perf_counter()
        for key, dt in zip(times, (t1 - t0, t2 - t1, t3 - t2, t4 - t3), strict=True):
            times[key].append(dt)
    return {k: statistics.median(v) for k, v in times.items()} | {"horizon_s": INJECT_HORIZON_S}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20.0)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")
    with tempfile.TemporaryDirectory(prefix="console-bench-") as tmp:
        runs = Path(tmp)
        sc = load_scenario(SCENARIO)
        sc = sc.model_copy(update={"engine": sc.engine.model_copy(update={"record_every_s": 10.0})})
        simulate(sc).write(runs / "sts102", report=False)
        proc, url = start_console(runs)
        try:
            for style, how in (
                ("json", 'one {"subscribe": [ids]} message each'),
                ("openmct", "Open MCT-style: 'subscribe ID' for each channel"),
            ):
                rt = asyncio.run(realtime(url, args.clients, args.seconds, style))
                print(
                    f"1. realtime: {args.clients} WebSocket clients x {rt['ids']} channels "
                    f"(every channel of both crew), samples due at 10 Hz, {args.seconds:g} s; "
                    f"{how}"
                )
                print(f"   points delivered:        {rt['points']:,} ({rt['rate']:,.0f}/s)")
                print(f"   delivery latency median: {rt['median_ms']:6.1f} ms   (target < 100 ms)")
                print(f"   delivery latency p95:    {rt['p95_ms']:6.1f} ms")
                print(f"   delivery latency max:    {rt['max_ms']:6.1f} ms")
            hist = asyncio.run(history(url, "sts102"))
            print("2. historical query, one channel over the whole 8-hour run (HTTP, median of 30)")
            for label, (med, worst, n) in hist.items():
                print(
                    f"   {label:<19} {n:5d} points: {med:6.1f} ms (max {worst:.1f} ms)"
                    "   (target < 200 ms)"
                )
        finally:
            proc.terminate()
            proc.wait(10)
    inj = injection()
    print("3. a fault injected 4 h into the 8-hour EVA (median of 5)")
    print(
        f"   takes effect: in the live engine, the next {inj['horizon_s'] / 60:g} min run and "
        f"shown: {1000 * inj['near']:6.1f} ms   (target < 50 ms)"
    )
    print(f"   the rest of the future, run after and spliced in: {inj['rest']:6.2f} s")
    print(f"   the whole future at once (the way before):        {inj['whole_future']:6.2f} s")
    print(f"   the whole run simulated again (before that):      {inj['again']:6.2f} s")


if __name__ == "__main__":
    main()

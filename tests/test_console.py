"""The mission-control console: API, live fault injection, security, and a real browser.

API and security tests run the aiohttp application in-process; the browser test starts
``spacewalk console`` as a user would and drives Debian's chromium with Playwright (never a
browser of Playwright's own). Without /usr/bin/chromium that one test is skipped, and the
skip says why.
"""

from __future__ import annotations

import asyncio
import io
import json
import math
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

pytest.importorskip("aiohttp")
from aiohttp.test_utils import TestClient, TestServer  # noqa: E402

from spacewalk import load_scenario, simulate  # noqa: E402
from spacewalk.console.server import MAX_WS_MESSAGE, is_loopback, make_app  # noqa: E402
from spacewalk.console.session import Session  # noqa: E402

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def runs_dir(tmp_path_factory) -> Path:
    """A runs folder with one recorded run (Parmitano's EVA), as `spacewalk run` writes it."""
    root = tmp_path_factory.mktemp("runs")
    simulate("iss-eva-23-2013").write(root / "eva23", report=False)
    return root


def serve(runs_dir: Path, token: str | None = None):
    return TestClient(TestServer(make_app(runs_dir, token)))


def run(coro):
    return asyncio.run(coro)


async def _wait_for(predicate, timeout_s: float = 60.0):  # a loaded CI machine lags
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout_s:
        value = await predicate()
        if value:
            return value
        await asyncio.sleep(0.05)
    raise AssertionError("timed out")


# ---------------------------------------------------------------------- the API


def test_dictionary_history_and_realtime_points(runs_dir):
    async def go():
        async with serve(runs_dir) as c:
            r = await c.post("/api/live", json={"scenario": "iss-eva-23-2013", "speed": 1000})
            assert r.status == 200
            st = await r.json()
            assert st["mode"] == "live" and not st["paused"] and st["t_end_s"] > 5000
            d = await (await c.get("/api/dictionary")).json()
            assert [x["id"] for x in d["crew"]] == ["parmitano", "cassidy"]
            chans = {ch["channel"]: ch for ch in d["crew"][0]["channels"]}
            water = chans["helmet_water_L"]
            assert water["id"] == "parmitano.helmet_water_L" and water["unit"] == "L"
            # limits are the scenario's flight rules on that channel
            rules = load_scenario("iss-eva-23-2013").flight_rules
            assert {(lim["rule"], lim["level"], lim["above"]) for lim in water["limits"]} == {
                (r.id, r.level, r.above) for r in rules if r.channel == "helmet_water_L"
            }
            assert len(water["limits"]) >= 2
            assert chans["activity"]["format"] == "string"

            ws = await c.ws_connect("/api/realtime")
            await ws.send_str(json.dumps({"subscribe": ["parmitano.helmet_water_L"]}))
            await ws.send_str("subscribe cassidy.range_m")  # Open MCT tutorial's form
            seen: dict[str, list] = {}
            t0 = time.monotonic()
            while time.monotonic() - t0 < 2.0:
                msg = json.loads((await ws.receive(timeout=2)).data)
                if isinstance(msg, list):
                    for p in msg:
                        assert set(p) == {"id", "timestamp", "value"}
                        seen.setdefault(p["id"], []).append(p)
            assert set(seen) == {"parmitano.helmet_water_L", "cassidy.range_m"}
            ts = [p["timestamp"] for p in seen["cassidy.range_m"]]
            assert ts == sorted(ts) and len(set(ts)) == len(ts)  # in order, none twice
            # timestamps are epoch ms from the scenario's start_utc (2013-07-16)
            assert 1.373e12 < ts[0] < 1.374e12

            # history: never past the clock, Open MCT's shape
            h = await (await c.get("/api/history/parmitano.helmet_water_L")).json()
            now_ms = (await (await c.get("/api/state")).json())["timestamp"]
            assert h and all(p["timestamp"] <= now_ms for p in h)
            many = await (
                await c.get("/api/history?ids=parmitano.o2_time_min,cassidy.o2_time_min")
            ).json()
            assert set(many) == {"parmitano.o2_time_min", "cassidy.o2_time_min"}
            bad = await c.get("/api/history?ids=nobody.o2")
            assert bad.status == 404 and "dictionary" in (await bad.json())["error"]
            bad = await c.get("/api/history/parmitano.o2_time_min?start=yesterday")
            assert bad.status == 400

    run(go())


def test_decimated_history_keeps_the_peaks(runs_dir):
    async def go():
        async with serve(runs_dir) as c:
            assert (await c.post("/api/replay", json={"folder": "eva23"})).status == 200
            await c.post("/api/control", json={"action": "seek", "t_s": 1e9})
            full = await (await c.get("/api/history/parmitano.helmet_water_L")).json()
            dec = await (await c.get("/api/history/parmitano.helmet_water_L?decimate=50")).json()
            assert len(dec) <= 50 < len(full)
            values = [p["value"] for p in full if p["value"] is not None]
            dvalues = [p["value"] for p in dec if p["value"] is not None]
            assert max(dvalues) == max(values) and min(dvalues) == min(values)
            start, end = full[10]["timestamp"], full[20]["timestamp"]
            part = await (
                await c.get(f"/api/history/parmitano.helmet_water_L?start={start}&end={end}")
            ).json()
            assert [p["timestamp"] for p in part] == [p["timestamp"] for p in full[10:21]]

    run(go())


def test_injected_fault_leaves_the_past_and_the_rules_act(runs_dir):
    """Water into Isaacman's helmet while he is outside: caution at 0.05 L, abort at 0.3 L."""

    async def go():
        async with serve(runs_dir) as c:
            await c.post("/api/live", json={"scenario": "polaris-dawn-2024", "speed": 1000})

            async def outside():
                h = await (await c.get("/api/history/isaacman.location")).json()
                return h and h[-1]["value"] == "outside"

            await _wait_for(outside)
            st = await (await c.post("/api/control", json={"action": "pause"})).json()
            before = await (await c.get("/api/history/isaacman.o2_flow_g_min")).json()
            fault = {"kind": "water-intrusion", "crew": "isaacman", "rate_mL_min": 300}
            r = await c.post("/api/control", json={"action": "inject", "fault": fault})
            assert r.status == 200
            after = await r.json()
            assert after["injected"][0]["kind"] == "water-intrusion"
            # it acts from the first engine step the live engine has not taken yet
            at_s = after["injected"][0]["at_min"] * 60
            assert st["t_s"] - 1e-6 <= at_s <= st["t_s"] + 10.0 + 1e-6
            again = await (await c.get("/api/history/isaacman.o2_flow_g_min")).json()
            assert again == before  # the past is what was already shown
            await c.post("/api/control", json={"action": "speed", "value": 1000})
            await c.post("/api/control", json={"action": "resume"})

            async def aborted():
                evs = await (await c.get("/api/events")).json()
                return [e for e in evs if e["t_s"] >= st["t_s"] and "ABORT" in e["message"]]

            abort = await _wait_for(aborted)
            evs = await (await c.get("/api/events")).json()
            rules = [
                e["message"]
                for e in evs
                if e["crew"] == "isaacman" and "helmet-water" in e["message"]
            ]
            assert any(m.startswith("CAUTION helmet-water:") for m in rules)
            assert any(m.startswith("WARNING helmet-water-abort:") for m in rules)
            # 300 mL/min reaches 0.3 L within about a minute and a step or two
            assert abort[0]["t_s"] - st["t_s"] < 120
            bad = await c.post(
                "/api/control", json={"action": "inject", "fault": {"kind": "water-intrusion"}}
            )
            body = await bad.json()
            assert bad.status == 400 and body["issues"][0]["path"].startswith("faults[")

    run(go())


def test_controls_and_their_errors(runs_dir):
    async def go():
        async with serve(runs_dir) as c:
            r = await c.post("/api/control", json={"action": "pause"})
            assert r.status == 409 and "POST /api/live" in (await r.json())["error"]
            await c.post("/api/live", json={"scenario": "iss-eva-23-2013", "speed": 10})
            for body, status in [
                ({"action": "speed", "value": 5000}, 409),
                ({"action": "speed", "value": "fast"}, 409),
                ({"action": "seek", "t_s": 100}, 409),  # live runs cannot jump in time
                ({"action": "fly"}, 409),
                ({"action": "ack", "index": 10_000}, 409),
                ({"action": "pause"}, 200),
                ({"action": "speed", "value": 1000}, 200),
                ({"action": "resume"}, 200),
            ]:
                r = await c.post("/api/control", json=body)
                assert r.status == status, (body, await r.text())
            st = await (await c.get("/api/state")).json()
            assert st["speed"] == 1000 and not st["paused"]
            r = await c.post(
                "/api/live", data=b"not json", headers={"Content-Type": "application/json"}
            )
            assert r.status == 409
            r = await c.post("/api/live", json={"scenario": "apollo-11"})
            assert r.status == 409 and "GET /api/scenarios" in (await r.json())["error"]
            assert (await c.post("/api/control", json={"action": "stop"})).status == 200
            assert await (await c.get("/api/state")).json() is None

    run(go())


def test_uploaded_scenarios_are_validated_never_run_as_code(runs_dir, emu_toml):
    async def go():
        async with serve(runs_dir) as c:
            r = await c.post("/api/live", json={"toml": emu_toml, "filename": "mine.toml"})
            assert r.status == 200 and (await r.json())["source"] == "mine.toml"
            broken = (
                emu_toml.replace("dt_s = ", "dt_s = -", 1)
                if "dt_s = " in emu_toml
                else (emu_toml + "\n[engine]\ndt_s = -1\n")
            )
            r = await c.post("/api/live", json={"toml": broken, "filename": "broken.toml"})
            body = await r.json()
            assert r.status == 400 and body["error"].startswith("broken.toml")
            assert body["issues"] and all(
                {"path", "problem", "fix"} <= set(i) for i in body["issues"]
            )
            # a file that would run code if anything evaluated it is just a bad value
            evil = emu_toml + "\n[evil]\nx = \"__import__('os').system('touch /tmp/pwned')\"\n"
            r = await c.post("/api/live", json={"toml": evil})
            assert r.status == 400 and "evil" in json.dumps(await r.json())
            big = io.BytesIO(json.dumps({"toml": "x" * (2 << 20)}).encode())
            r = await c.post("/api/live", data=big, headers={"Content-Type": "application/json"})
            assert r.status == 413  # over the 1 MiB upload limit

    run(go())


# ---------------------------------------------------------------------- security


def test_token_on_every_http_and_websocket_request(runs_dir):
    async def go():
        async with serve(runs_dir, token="s3cret") as c:
            assert (await c.get("/")).status == 401
            assert (await c.get("/api/scenarios")).status == 401
            assert (await c.get("/static/console.js")).status == 401
            assert (await c.get("/api/scenarios?token=wrong")).status == 401
            assert (await c.get("/api/scenarios?token=s3cret")).status == 200
            ok = await c.get("/api/scenarios", headers={"Authorization": "Bearer s3cret"})
            assert ok.status == 200
            with pytest.raises(Exception, match="401"):
                await c.ws_connect("/api/realtime")
            ws = await c.ws_connect("/api/realtime?token=s3cret")
            await ws.close()

    run(go())
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")


def test_requests_from_other_sites_are_refused(runs_dir):
    async def go():
        async with serve(runs_dir) as c:
            r = await c.post(
                "/api/control", json={"action": "stop"}, headers={"Origin": "http://evil.example"}
            )
            assert r.status == 403

    run(go())


def test_another_origin_named_with_allow_origin_gets_cors_and_its_websocket(runs_dir, capsys):
    """--allow-origin: CORS headers and preflights for that origin, its WebSocket accepted;
    any other origin refused, and said once on the terminal (a refused socket is silent)."""
    mct = "http://mct.example:8080"

    async def go():
        app = make_app(runs_dir, token="t0k", allow_origins=(mct + "/",))
        async with TestClient(TestServer(app)) as c:
            pre = await c.options(
                "/api/dictionary",
                headers={"Origin": mct, "Access-Control-Request-Headers": "authorization"},
            )
            assert pre.status == 204  # the preflight carries no token
            assert pre.headers["Access-Control-Allow-Origin"] == mct
            assert "Authorization" in pre.headers["Access-Control-Allow-Headers"]
            auth = {"Origin": mct, "Authorization": "Bearer t0k"}
            r = await c.get("/api/dictionary", headers=auth)
            assert r.status == 200 and r.headers["Access-Control-Allow-Origin"] == mct
            r = await c.get("/api/history/nobody.x", headers={"Origin": mct})
            assert r.status == 401 and r.headers["Access-Control-Allow-Origin"] == mct
            ws = await c.ws_connect("/api/realtime?token=t0k", headers={"Origin": mct})
            await ws.close()
            for _ in range(2):
                evil = {"Origin": "http://evil.example"}
                r = await c.get("/api/realtime?token=t0k", headers=evil)
                assert r.status == 403 and "--allow-origin" in (await r.json())["error"]

    run(go())
    said = capsys.readouterr().err
    assert said.count("refused GET /api/realtime from origin http://evil.example") == 1
    assert "start it with --allow-origin http://evil.example" in said
    with pytest.raises(ValueError, match="scheme, host and port"):
        make_app(runs_dir, allow_origins=("mct.example/path",))


def test_open_mct_routes_and_requests_before_and_during_a_run(runs_dir, tmp_path):
    from spacewalk.console.server import openmct_dist

    async def go():
        async with serve(runs_dir) as c:
            # before any run: an empty dictionary and no history, not an error
            d = await (await c.get("/api/dictionary")).json()
            assert d["crew"] == [] and d["session"] is None
            assert await (await c.get("/api/history/parmitano.p_suit_kPa")).json() == []
            # the plugin is always served; the page only with --openmct, else how to
            plugin = await c.get("/openmct/spacewalk-plugin.js")
            assert plugin.status == 200 and "SpacewalkPlugin" in await plugin.text()
            page = await c.get("/openmct/")
            assert page.status == 404 and "--openmct" in (await page.json())["error"]

            await c.post("/api/replay", json={"folder": "eva23"})
            d = await (await c.get("/api/dictionary")).json()
            chans = {ch["channel"]: ch for ch in d["crew"][0]["channels"]}
            assert chans["helmet_water_L"]["name"] == "Helmet water"
            assert chans["helmet_water_L"]["format"] == "number"
            assert chans["helmet_water_L"]["formatString"] == "%.2f"
            assert chans["activity"]["format"] == "string"
            loc = chans["location"]
            assert loc["format"] == "enum"
            assert [e["string"] for e in loc["enumerations"]] == ["cabin", "airlock", "outside"]
            assert chans["suited"]["format"] == "enum" and chans["suited"]["unit"] == ""
            assert d["t_end_ms"] > d["epoch_ms"] > 1.37e12
            base = "/api/history/parmitano.helmet_water_L"
            whole = await (await c.get(base)).json()
            last = await (await c.get(base + "?strategy=latest&size=3")).json()
            assert last == whole[-3:]
            mm = await (await c.get(base + "?strategy=minmax&size=100")).json()
            assert len(mm) <= 100 and max(p["value"] for p in mm) == max(p["value"] for p in whole)
            bad = await c.get(base + "?strategy=mean")
            assert bad.status == 400 and "latest or minmax" in (await bad.json())["error"]

    run(go())
    with pytest.raises(ValueError, match="npm install openmct"):
        openmct_dist(tmp_path)
    (tmp_path / "node_modules" / "openmct" / "dist").mkdir(parents=True)
    (tmp_path / "node_modules" / "openmct" / "dist" / "openmct.js").write_text("")
    assert openmct_dist(tmp_path) == (tmp_path / "node_modules/openmct/dist").resolve()


def test_the_page_opened_with_its_token_loads_its_assets_by_cookie(runs_dir):
    """On 0.0.0.0 the page's own <script> and <link> requests carry no token in the URL:
    opening the page with ?token= sets an HttpOnly, SameSite=Strict cookie they do carry."""

    async def go():
        async with serve(runs_dir, token="s3cret") as c:
            r = await c.get("/?token=s3cret")
            assert r.status == 200
            cookie = r.headers["Set-Cookie"]
            assert "spacewalk_token=s3cret" in cookie
            assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
            c.session.cookie_jar.clear()  # send it by hand below
            jar = {"Cookie": "spacewalk_token=s3cret"}
            for path in ["/static/console.js", "/static/console.css", "/api/scenarios"]:
                assert (await c.get(path, headers=jar)).status == 200, path
            bad = {"Cookie": "spacewalk_token=guess"}
            assert (await c.get("/static/console.js", headers=bad)).status == 401
            ws = await c.ws_connect("/api/realtime", headers=jar)
            await ws.close()

    run(go())


def test_dns_rebinding_pages_are_refused_by_host_name(runs_dir):
    """A page from attacker.example that resolves to 127.0.0.1 sends Host: attacker.example;
    without a token only the loopback names (and --allow-host ones) are answered."""

    async def go():
        async with serve(runs_dir) as c:
            port = c.port
            for host, status in [
                (f"attacker.example:{port}", 403),
                ("attacker.example", 403),
                (f"localhost:{port}", 200),
                (f"127.0.0.1:{port}", 200),
                (f"[::1]:{port}", 200),
            ]:
                r = await c.get("/api/scenarios", headers={"Host": host})
                assert r.status == status, host
            r = await c.post(
                "/api/live",
                data=b'{"scenario": "gemini-4-1965"}',
                headers={"Host": "attacker.example", "Content-Type": "text/plain"},
            )
            assert r.status == 403
            with pytest.raises(Exception, match="403"):
                await c.ws_connect("/api/realtime", headers={"Host": "attacker.example"})
        async with TestClient(TestServer(make_app(runs_dir, None, ("console.lab",)))) as c:
            assert (await c.get("/api/scenarios", headers={"Host": "console.lab"})).status == 200
            assert (await c.get("/api/scenarios", headers={"Host": "evil.lab"})).status == 403

    run(go())


def test_state_changes_need_json_from_the_consoles_own_origin(runs_dir):
    """A cross-site form or text/plain fetch needs no CORS preflight: it is refused (415);
    an Origin that differs in scheme, host or port is refused (403)."""

    async def go():
        async with serve(runs_dir) as c:
            own = f"http://127.0.0.1:{c.port}"
            for body, headers, status in [
                (b'{"action": "stop"}', {"Content-Type": "text/plain"}, 415),
                (b"action=stop", {"Content-Type": "application/x-www-form-urlencoded"}, 415),
                (
                    b'{"action": "stop"}',
                    {"Content-Type": "application/json", "Origin": f"https://127.0.0.1:{c.port}"},
                    403,
                ),
                (
                    b'{"action": "stop"}',
                    {"Content-Type": "application/json", "Origin": "http://127.0.0.1:1"},
                    403,
                ),
                (
                    b'{"action": "stop"}',
                    {"Content-Type": "application/json", "Origin": "null"},
                    403,
                ),
                (b'{"action": "stop"}', {"Content-Type": "application/json", "Origin": own}, 200),
            ]:
                r = await c.post("/api/control", data=body, headers=headers)
                assert r.status == status, headers

    run(go())


def test_malformed_requests_get_a_4xx_never_a_500(runs_dir, tmp_path):
    """Each of these answered 500 before, or put NaN into the state every client reads."""
    bad = tmp_path / "runs"
    bad.mkdir()
    simulate("gemini-4-1965").write(bad / "good", report=False)
    for name in ("badscenario", "nocolumn", "badseverity"):
        shutil.copytree(bad / "good", bad / name)
    (bad / "badscenario" / "scenario.toml").write_text("[scenario]\nname = 3\n")
    tel = bad / "nocolumn" / "telemetry.parquet"
    pd.read_parquet(tel).drop(columns=["crew"]).to_parquet(tel)
    ev = bad / "badseverity" / "events.jsonl"
    lines = ev.read_text().splitlines()
    first = json.loads(lines[0])
    first["severity"] = "<img src=x onerror=alert(1)>"
    ev.write_text("\n".join([json.dumps(first), *lines[1:]]) + "\n")

    async def go():
        async with serve(bad) as c:
            for name in ("badscenario", "nocolumn", "badseverity"):
                r = await c.post("/api/replay", json={"folder": name})
                assert r.status == 422, (name, await r.text())
                assert "re-run" in (await r.json())["error"]
            r = await c.post("/api/replay", json={"folder": "a" * 5000})
            assert r.status == 400
            for body in [
                {"scenario": "gemini-4-1965", "speed": "fast"},
                {"scenario": "gemini-4-1965", "speed": None},
                {"scenario": "gemini-4-1965", "speed": 1e6},
            ]:
                assert (await c.post("/api/live", json=body)).status == 409, body
            deep = b"[" * 100_000 + b"]" * 100_000
            r = await c.post("/api/live", data=deep, headers={"Content-Type": "application/json"})
            assert r.status == 409
            for raw in [b'{"action": "seek", "t_s": NaN}', b'{"action": "speed", "value": 1e999}']:
                r = await c.post(
                    "/api/control", data=raw, headers={"Content-Type": "application/json"}
                )
                assert r.status == 409, raw
            assert (await c.post("/api/replay", json={"folder": "good"})).status == 200
            r = await c.post("/api/control", json={"action": "seek", "t_s": 1e308})
            assert r.status == 200
            assert math.isfinite((await r.json())["t_s"])
            for query in ["decimate=nan", "decimate=0", "decimate=inf", "start=nan", "end=1e999"]:
                r = await c.get(f"/api/history/grissom.o2_time_min?{query}")
                assert r.status == 400, query
            text = await (await c.get("/api/state")).text()
            assert "NaN" not in text and "Infinity" not in text

    run(go())


def test_no_path_outside_the_runs_folder_can_be_read(runs_dir, tmp_path):
    outside = tmp_path / "secret-run"
    simulate("gemini-4-1965").write(outside, report=False)
    link = runs_dir / "escape"
    if not link.exists():
        link.symlink_to(outside, target_is_directory=True)

    async def go():
        async with serve(runs_dir) as c:
            for name in [
                "../secret-run",
                "..",
                str(outside),
                "eva23/../../secret-run",
                "escape",  # a symlink out of the runs folder
                "%2e%2e",
                "",
                None,
                42,
            ]:
                r = await c.post("/api/replay", json={"folder": name})
                assert r.status in (400, 403, 404), name
                assert str(tmp_path) not in await r.text()
            for path in [
                "/static/../server.py",
                "/static/%2e%2e/server.py",
                "/static/..%2fserver.py",
                "/static/vendor/../../session.py",
                "/static//etc/passwd",
            ]:
                r = await c.get(path)
                assert r.status in (400, 403, 404), path
            runs = await (await c.get("/api/runs")).json()
            assert "eva23" in [r["name"] for r in runs]

    run(go())


def test_bad_websocket_messages_get_an_error_and_others_are_undisturbed(runs_dir):
    async def go():
        async with serve(runs_dir) as c:
            await c.post("/api/live", json={"scenario": "iss-eva-23-2013", "speed": 1000})
            good = await c.ws_connect("/api/realtime")
            await good.send_str(json.dumps({"subscribe": ["parmitano.o2_time_min"]}))
            bad = await c.ws_connect("/api/realtime")
            for text in [
                "{not json",
                "[1, 2]",
                json.dumps({"subscribe": "parmitano.o2_time_min"}),
                json.dumps({"subscribe": ["nobody.nothing"]}),
                "x" * (MAX_WS_MESSAGE + 1),
            ]:
                await bad.send_str(text)
                while True:
                    msg = json.loads((await bad.receive(timeout=2)).data)
                    if isinstance(msg, dict) and msg.get("type") == "error":
                        break
            await bad.send_bytes(b"\x00\x01")
            while True:
                msg = json.loads((await bad.receive(timeout=2)).data)
                if isinstance(msg, dict) and msg.get("type") == "error":
                    break
            closer = await c.ws_connect("/api/realtime")
            await closer.send_str(json.dumps({"subscribe": ["cassidy.o2_time_min"]}))
            await closer.close()
            await bad.close()
            # the first client still gets its points
            got = 0
            t0 = time.monotonic()
            while got < 20 and time.monotonic() - t0 < 5:
                msg = json.loads((await good.receive(timeout=2)).data)
                if isinstance(msg, list):
                    got += len(msg)
            assert got >= 20

    run(go())


# ---------------------------------------------------------------------- the command


def _start_console(runs: Path, *extra: str):
    proc = subprocess.Popen(
        [sys.executable, "-m", "spacewalk", "console", "--port", "0", "--runs", str(runs), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines = []
    for _ in range(5):
        line = proc.stdout.readline()
        lines.append(line)
        m = re.search(r"(http://\S+)", line)
        if m:
            return proc, m.group(1), lines
    proc.kill()
    proc.wait(10)
    proc.stdout.close()
    raise AssertionError("".join(lines))


def _stop(proc) -> None:
    proc.terminate()
    proc.wait(10)
    proc.stdout.close()


def test_console_on_a_public_address_generates_and_prints_a_token(tmp_path):
    proc, url, lines = _start_console(tmp_path, "--host", "0.0.0.0")
    try:
        assert "?token=" in url
        token = url.split("?token=")[1]
        assert len(token) >= 24
        more = [proc.stdout.readline() for _ in range(3)]
        assert any(f"token (generated): {token}" in x for x in [*lines, *more])
        assert any("listening on 0.0.0.0:" in x for x in more)
    finally:
        _stop(proc)


def test_a_connection_that_never_finishes_its_request_is_closed(tmp_path):
    """Half-open connections (slowloris) are not held forever."""
    import socket

    proc, url, _ = _start_console(tmp_path, "--idle-timeout", "1")
    try:
        host, port = url.split("/")[2].split(":")
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            sock.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\n")  # never the blank line
            t0 = time.monotonic()
            assert sock.recv(1024) == b""  # closed by the server
            assert time.monotonic() - t0 < 8
    finally:
        _stop(proc)


def test_a_session_with_no_start_time_counts_from_the_epoch(runs_dir):
    res = simulate("gemini-4-1965")
    sc = res.scenario.model_copy(
        update={"scenario": res.scenario.scenario.model_copy(update={"start_utc": ""})}
    )
    s = Session("replay", sc, res.telemetry, res.events, res.summary, "x")
    assert s.epoch_ms == 0.0 and s.ms(12.5) == 12_500.0


# ---------------------------------------------------------------------- the browser


@pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="browser test skipped: /usr/bin/chromium is not installed "
    "(apt-get install chromium; .ci/run does this)",
)
def test_console_in_a_real_browser(runs_dir, tmp_path):
    """Polaris Dawn at 300x: charts and helmet displays update; water into Isaacman's
    helmet while he is outside raises the alarm and the abort; then a recorded run replays."""
    sync_api = pytest.importorskip("playwright.sync_api")
    proc, url, _ = _start_console(runs_dir)
    shot = Path(os.environ.get("SPACEWALK_SCREENSHOT", tmp_path / "console.png"))
    try:
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1100})
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            requests: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            page.goto(url)
            page.wait_for_function(
                "document.querySelectorAll('#scenario-select option').length > 5"
            )
            # idle: the page says what to do, and no red badge when nothing is wrong
            assert "press Run" in page.inner_text("#idle") and page.is_visible("#idle")
            assert "zero" in page.get_attribute("#cw-count", "class")
            page.select_option("#scenario-select", "polaris-dawn-2024")
            page.select_option("#speed", "300")
            page.click("#btn-run")
            page.wait_for_selector("#idle", state="hidden")
            page.wait_for_selector('.helmet[data-crew="isaacman"] [data-ch="location"]')
            # helmet displays fill in and charts gather points
            page.wait_for_function(
                "document.querySelector('.helmet[data-crew=isaacman] dd[data-ch=p_suit_kPa]')"
                "?.textContent.includes('kPa')"
            )
            # the charts draw on their own frame: wait for the first (a loaded machine lags)
            page.wait_for_function(
                "document.querySelector('.chart[data-channel=helmet_water_L]')?.dataset.points"
            )
            n0 = int(page.get_attribute('.chart[data-channel="helmet_water_L"]', "data-points"))
            page.wait_for_function(
                f"+document.querySelector('.chart[data-channel=helmet_water_L]').dataset.points > {n0 + 5}"
            )
            # wait until Isaacman is outside, then inject water into his helmet
            page.wait_for_function(
                "document.querySelector('.helmet[data-crew=isaacman] [data-ch=location]')"
                ".textContent === 'outside'",
                timeout=60_000,
            )
            page.click("#btn-pause")
            page.select_option("#inj-crew", "isaacman")
            page.select_option("#inj-kind", "water-intrusion")
            page.fill("#inj-param", "300")
            page.click("#btn-inject")
            page.wait_for_function(
                "document.querySelector('#inj-hint').textContent.startsWith('injected')"
            )
            assert "water-intrusion for isaacman" in page.inner_text("#inj-hint")
            page.click("#btn-resume")
            page.wait_for_function(
                "[...document.querySelectorAll('#cw li')].some(li => li.textContent.includes('helmet-water-abort'))",
                timeout=30_000,
            )
            cw = page.inner_text("#cw")
            assert "free water in the helmet" in cw and "abort to ingress" in cw
            assert page.locator("#cw li.unack").count() > 0
            cls = page.get_attribute(
                '.helmet[data-crew="isaacman"] dd[data-ch="helmet_water_L"]', "class"
            )
            assert "warning" in cls or "caution" in cls
            assert "ABORT" in page.inner_text("#log")
            # acknowledge one alarm: it stops blinking
            index = page.locator("#cw button.ack").first.get_attribute("data-index")
            page.click(f'#cw button.ack[data-index="{index}"]')
            page.wait_for_function(
                f"!document.querySelector('#cw li[data-index=\"{index}\"]').classList.contains('unack')"
            )
            # the crew cards show feedwater and the CO2 scrubber; chart ticks are h:mm
            card = page.inner_text('.helmet[data-crew="isaacman"]')
            assert "feedwater" in card and "scrubber used" in card
            ticks = page.evaluate("S.charts[0].plot.axes[0]._values || []")
            assert ticks and all(len(t) <= 5 and ":" in t for t in ticks), ticks
            # add a chart of another channel
            page.select_option("#chart-channel", "ppco2_mmHg")
            page.click("#btn-chart")
            page.wait_for_function(
                "+document.querySelector('.chart[data-channel=ppco2_mmHg]')?.dataset.points > 10"
            )
            page.screenshot(path=str(shot), full_page=True)
            # replay the recorded run and move its time slider
            page.select_option("#run-select", "eva23")
            page.click("#btn-replay")
            page.wait_for_function(
                "document.querySelector('#status').textContent.startsWith('REPLAY')"
            )
            page.eval_on_selector(
                "#slider",
                "el => { el.value = String(Math.round(el.max * 0.8)); el.dispatchEvent(new Event('input')); }",
            )
            page.wait_for_function("document.querySelector('#clock').textContent !== 'T+00:00:00'")
            page.wait_for_function(
                "+document.querySelector('.chart[data-channel=helmet_water_L]').dataset.points > 100"
            )
            page.wait_for_function(
                "document.querySelector('.helmet[data-crew=parmitano] dd[data-ch=helmet_water_L]')"
                ".className.includes('warning')"
            )
            browser.close()
        assert not errors, errors
        host = url.split("/")[2]
        assert all(r.split("/")[2] == host for r in requests if r.startswith("http")), requests
        assert shot.stat().st_size > 10_000
    finally:
        _stop(proc)


XSS = '<img src=x onerror="window.__pwned=(window.__pwned||0)+1">'


def _hostile_run(runs: Path) -> dict:
    """A run folder with markup in every text a user can write or a file can carry."""
    from spacewalk.scenario import scenario_from_mapping, scenario_to_mapping

    m = scenario_to_mapping(load_scenario("gemini-4-1965"))
    m["scenario"]["title"] = "T" + XSS
    m["scenario"]["description"] = "D" + XSS
    for c in m["crew"]:
        c["name"] = c["id"] + XSS
    m["crew"][0]["tethers"] = [{"id": "t" + XSS, "length_m": 7.6}]
    m["suits"]["gemini-g4c"]["title"] = "S" + XSS
    result = simulate(scenario_from_mapping(m, "hostile"))
    folder = result.write(runs / "hostile", report=False)
    ev = folder / "events.jsonl"
    rows = [json.loads(x) for x in ev.read_text().splitlines()]
    for r in rows:
        r["message"] = "M" + XSS
        r["source"] = "R" + XSS
    ev.write_text("".join(json.dumps(r) + "\n" for r in rows))
    summary = json.loads((folder / "summary.json").read_text())
    summary["outcome"] = "O" + XSS
    (folder / "summary.json").write_text(json.dumps(summary))
    return {"result": result, "summary": summary}


@pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)",
)
def test_markup_from_scenarios_and_run_files_never_runs_in_the_browser(tmp_path):
    """Stored XSS: markup in a scenario's texts, a tether id, event texts and a summary's
    outcome is shown as text by the console and by the run report, and never executes."""
    sync_api = pytest.importorskip("playwright.sync_api")
    from spacewalk.results.report import render_report

    runs = tmp_path / "runs"
    runs.mkdir()
    hostile = _hostile_run(runs)
    summary = hostile["summary"]
    for c in summary["crew"].values():
        c["role"] = "eva" + XSS
        for item in c["consumables"].values():
            item["unit"] = "kg" + XSS
    res = hostile["result"]
    report = tmp_path / "report.html"
    report.write_text(render_report(res.scenario, res.telemetry, res.events, summary))
    proc, url, _ = _start_console(runs)
    try:
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page()
            dialogs: list[str] = []
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(url)
            page.wait_for_function("document.querySelectorAll('#run-select option').length > 0")
            page.select_option("#run-select", "hostile")
            page.click("#btn-replay")
            page.wait_for_function(
                "document.querySelector('#status').textContent.startsWith('REPLAY')"
            )
            page.eval_on_selector(
                "#slider",
                "el => { el.value = el.max; el.dispatchEvent(new Event('input')); }",
            )
            page.wait_for_function("document.querySelector('#log tbody tr')")
            page.wait_for_function("document.querySelector('.helmet h3')")
            page.select_option("#inj-kind", "tether-break")
            page.wait_for_timeout(500)
            shown = page.inner_text("body")
            assert "M" + XSS in shown and "white" + XSS in shown
            assert "t" + XSS in page.locator("#inj-tether option").all_inner_texts()
            assert page.evaluate("window.__pwned") is None
            page.goto(report.as_uri())
            page.wait_for_timeout(300)
            text = page.inner_text("body")
            assert "T" + XSS in text and "kg" + XSS in text and "eva" + XSS in text
            assert page.evaluate("window.__pwned") is None
            assert not page.locator("img[src=x]").count()
            browser.close()
        assert not dialogs
    finally:
        _stop(proc)


@pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="needs Debian's chromium at /usr/bin/chromium (apt-get install chromium)",
)
def test_the_page_works_on_a_public_address_with_its_token(tmp_path):
    """On --host 0.0.0.0 the page opened from the printed address loads its script and
    styles (by the cookie), lists the scenarios and opens its socket: no 401 anywhere."""
    sync_api = pytest.importorskip("playwright.sync_api")
    proc, url, _ = _start_console(tmp_path, "--host", "0.0.0.0")
    try:
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page()
            statuses: list[tuple[int, str]] = []
            page.on("response", lambda r: statuses.append((r.status, r.url)))
            page.goto(url)
            page.wait_for_function(
                "document.querySelectorAll('#scenario-select option').length > 5"
            )
            assert page.evaluate("typeof uPlot") == "function"
            browser.close()
        assert not [s for s in statuses if s[0] >= 400], statuses
    finally:
        _stop(proc)


def test_every_route_is_documented(runs_dir):
    text = (Path(__file__).parents[1] / "docs" / "console.md").read_text(encoding="utf-8")
    app = make_app(runs_dir)
    for route in app.router.routes():
        path = route.resource.canonical
        if path.startswith("/static"):
            path = "/static/"
        assert f"{route.method} {path}" in text or route.method == "HEAD", (route.method, path)


def test_a_finished_live_run_is_saved_and_can_be_replayed(tmp_path):
    async def go():
        async with serve(tmp_path) as c:
            r = await c.post("/api/live", json={"scenario": "gemini-4-1965", "speed": 1000})
            assert r.status == 200

            async def saved():
                st = await (await c.get("/api/state")).json()
                return st["saved_to"] and st

            st = await _wait_for(saved, 30)
            assert st["finished"] and st["outcome"] == "completed" and st["condition"] == "well"
            folder = tmp_path / st["saved_to"]
            assert {p.name for p in folder.iterdir()} >= {
                "telemetry.parquet",
                "events.jsonl",
                "summary.json",
                "scenario.toml",
            }
            runs = [r["name"] for r in await (await c.get("/api/runs")).json()]
            assert st["saved_to"] in runs
            r = await c.post("/api/replay", json={"folder": st["saved_to"]})
            assert r.status == 200 and (await r.json())["mode"] == "replay"

    run(go())


def test_a_live_session_injects_from_the_engine_state_without_simulating_the_past(monkeypatch):
    """The live engine follows the clock; a fault is added to it at the present step and
    only the future is run (the whole-run entry points are never called again)."""
    import asyncio

    import pandas as pd

    import spacewalk.results.simulation as simulation
    import spacewalk.sim.engine as engine_mod
    from spacewalk import load_scenario
    from spacewalk.console.server import _simulate
    from spacewalk.console.session import Session

    scenario, result, engine = asyncio.run(_simulate(load_scenario("iss-eva-23-2013")))
    session = Session(
        "live", scenario, result.telemetry, result.events, result.summary, "test", engine
    )
    now = 3000.0  # 50 min, both outside
    session.follow(now)
    assert engine.step_index == int(now / scenario.engine.dt_s) + 1
    shown = session.telemetry[session.telemetry.t_s <= now].reset_index(drop=True)
    first_events = [e for e in session.events if e["t_s"] <= now]

    def refuse(*args, **kwargs):
        raise AssertionError("the run was simulated again from t = 0")

    monkeypatch.setattr(simulation, "simulate", refuse)
    monkeypatch.setattr(engine_mod, "run_engine", refuse)
    faulted = session.faulted_scenario({"kind": "cooling-failure", "crew": "cassidy"})
    applied = session.inject(faulted, now)
    assert applied["at_min"] * 60 == pytest.approx(now + scenario.engine.dt_s)
    past = session.telemetry[session.telemetry.t_s <= now].reset_index(drop=True)
    pd.testing.assert_frame_equal(past, shown)
    assert [e for e in session.events if e["t_s"] <= now] == first_events
    fault = [e for e in session.events if e["code"] == "fault-cooling"]
    assert len(fault) == 1 and fault[0]["t_s"] == pytest.approx(now + scenario.engine.dt_s)
    # cooling gone: Cassidy's heat storage climbs from the fault on
    tel = session.telemetry[session.telemetry.crew == "cassidy"].set_index("t_s")
    assert tel.heat_storage_kJ.loc[now + 600] > tel.heat_storage_kJ.loc[now] + 50
    assert engine.step_index == int(now / scenario.engine.dt_s) + 1  # the live engine waits


def test_bad_openmct_and_origin_options_say_how_to_fix_them(tmp_path, capsys):
    from spacewalk.cli import main

    assert main(["console", "--openmct", str(tmp_path), "--runs", str(tmp_path)]) == 2
    assert "npm install openmct@4.2.0" in capsys.readouterr().err
    assert main(["console", "--allow-origin", "mct.example/x", "--runs", str(tmp_path)]) == 2
    assert "scheme, host and port" in capsys.readouterr().err


def test_an_injected_fault_shows_the_near_future_at_once_and_the_same_whole_run_after():
    """The server shows the first minutes after a fault at once and runs the rest in a
    thread: while it runs the run is not finished (no outcome, the clock stops at what is
    run); spliced, it is exactly the future a one-shot injection gives. A later fault's
    future replaces an earlier one still running."""
    import asyncio

    import numpy as np
    import pandas as pd

    from spacewalk import load_scenario
    from spacewalk.console.server import INJECT_HORIZON_S, _simulate
    from spacewalk.console.session import Session

    def live():
        scenario, result, engine = asyncio.run(_simulate(load_scenario("iss-eva-23-2013")))
        return Session(
            "live", scenario, result.telemetry, result.events, result.summary, "t", engine
        )

    now, fault = 3000.0, {"kind": "suit-leak", "crew": "cassidy", "hole_diameter_mm": 4}
    whole, split = live(), live()
    whole.inject(whole.faulted_scenario(fault), now)
    split.inject(split.faulted_scenario(fault), now, INJECT_HORIZON_S)
    dt = split.scenario.engine.dt_s
    assert split.pending is not None
    assert split.t_end_s == pytest.approx(now + dt + INJECT_HORIZON_S)
    assert not split.finished(split.t_end_s) and split.clock.t_end_s == split.t_end_s
    near_events = list(split.events)
    st = split.state()
    assert st["predicting"] and st["outcome"] is None and not st["finished"]
    split.show_future(split.run_future())
    assert split.pending is None and not split.state()["predicting"]
    pd.testing.assert_frame_equal(split.telemetry, whole.telemetry)
    assert split.summary == whole.summary

    def plain(events):
        return [{k: v for k, v in e.items() if k != "index"} for e in events]

    assert plain(split.events) == plain(whole.events)
    # an event keeps its index through both loads: the past ones, the near ones
    shown = {e["index"]: e for e in near_events}
    assert all(shown[e["index"]] == e for e in split.events if e["index"] in shown)
    assert len({e["index"] for e in split.events}) == len(split.events)
    for k, stream in whole.streams.items():
        assert np.array_equal(split.streams[k].t_s, stream.t_s)
        assert np.array_equal(split.streams[k].values, stream.values, equal_nan=not stream.text)
    # two faults in quick succession: the first one's future, finished late, is dropped
    again = live()
    again.inject(again.faulted_scenario(fault), now, INJECT_HORIZON_S)
    first = again.pending
    later = {"kind": "cooling-failure", "crew": "parmitano"}
    again.inject(again.faulted_scenario(later), now + 60, INJECT_HORIZON_S)
    end = again.t_end_s
    again.show_future(again.run_future(first))
    assert again.t_end_s == end and again.pending is not None
    second = again.pending
    # a third, its whole future at once: neither earlier future may replace it afterwards
    third = {"kind": "scrubber-exhausted", "crew": "cassidy"}
    again.inject(again.faulted_scenario(third), now + 120)
    shown = list(again.events)
    for stale in (first, second):
        again.show_future(again.run_future(stale))
    assert again.pending is None and again.events == shown
    kinds = ["suit-leak", "cooling-failure", "scrubber-exhausted"]
    assert [f["kind"] for f in again.injected] == kinds
    assert {"fault-suit-leak", "fault-cooling", "fault-scrubber"} <= {e["code"] for e in shown}

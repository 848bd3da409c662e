"""NASA Open MCT against the console, in a real browser: the plugin the console ships, the
page it serves with ``--openmct``, and the Open MCT build from the npm registry.

Open MCT (pinned below) is installed with npm into ``.cache/openmct`` beside the project
(``.ci/run`` does it first; this module does it when the folder is missing), never fetched
by the page. Debian's chromium is driven by Playwright. The test skips, saying why, only
when npm or chromium is missing or the npm registry cannot be reached.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest

from tests.test_console import CHROMIUM, CHROMIUM_ARGS, _start_console, _stop

OPENMCT_VERSION = "4.2.0"
CACHE = Path(__file__).parents[1] / ".cache" / "openmct"


def _openmct_dist() -> Path:
    """The Open MCT build: $SPACEWALK_OPENMCT, or npm's install in .cache/openmct."""
    given = os.environ.get("SPACEWALK_OPENMCT")
    if given:
        return Path(given)
    dist = CACHE / "node_modules" / "openmct" / "dist"
    if (dist / "openmct.js").is_file():
        return dist
    npm = shutil.which("npm")
    if npm is None:
        pytest.skip("Open MCT test skipped: npm is not installed (apt-get install npm)")
    done = subprocess.run(
        [npm, "install", "--no-audit", "--no-fund", "--prefix", str(CACHE),
         f"openmct@{OPENMCT_VERSION}"],
        capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    if done.returncode != 0 or not (dist / "openmct.js").is_file():
        pytest.skip(f"Open MCT test skipped: npm could not install it: {done.stderr[-400:]}")
    return dist


def _post(url: str, path: str, body: dict) -> dict:
    req = urllib.request.Request(
        url + path, data=json.dumps(body).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.loads(r.read())


def _get(url: str, path: str):
    with urllib.request.urlopen(url + path, timeout=30) as r:
        return json.loads(r.read())


@pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="Open MCT test skipped: /usr/bin/chromium is not installed "
    "(apt-get install chromium; .ci/run does this)",
)
def test_open_mct_follows_a_live_spacewalk_with_zero_glue(tmp_path):
    sync_api = pytest.importorskip("playwright.sync_api")
    dist = _openmct_dist()
    proc, url, _ = _start_console(tmp_path, "--openmct", str(dist))
    url = url.rstrip("/")
    try:
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            foreign: list[str] = []
            page.on("request", lambda r: r.url.startswith(url) or foreign.append(r.url))
            history: list[str] = []
            page.on("response", lambda r: "/api/history/" in r.url and history.append(r.url))

            # a slow socket: the upgrade is held 2 s, so every view subscribes before it opens
            frames: list[str] = []

            def slow_socket(ws):
                time.sleep(2.0)
                server = ws.connect_to_server()

                def relay(message):
                    frames.append(message)
                    ws.send(message)

                server.on_message(relay)

            page.route_web_socket(re.compile(r".*/api/realtime.*"), slow_socket)

            # before any run: the root is there and empty, and nothing throws
            page.goto(f"{url}/openmct/")
            root = page.locator(".c-tree__item", has_text="Spacewalk")
            root.wait_for(timeout=30_000)
            # a run starts: the tree follows without a reload (the socket's state says so)
            st = _post(url, "/api/live", {"scenario": "iss-eva-23-2013", "speed": 100})
            epoch = _get(url, "/api/dictionary")["epoch_ms"]
            root.locator(".c-tree__item__view-control").click()
            page.wait_for_selector(".c-tree__item:has-text('Luca Parmitano (eva)')")
            page.wait_for_selector(".c-tree__item:has-text('Chris Cassidy (eva)')")

            # realtime: a plot of Parmitano's helmet water, the flight-rule limits as lines
            water = "spacewalk:eva/spacewalk:crew:parmitano/spacewalk:parmitano.helmet_water_L"
            page.goto(f"{url}/openmct/#/browse/{water}?view=plot-single")
            page.reload()  # a page opened on a live run starts in realtime mode
            page.wait_for_selector(".js-limit-line", timeout=30_000)
            assert page.evaluate("openmct.time.isRealTime()")
            assert page.evaluate("openmct.time.getClock().key") == "spacewalk"
            w1, t1 = time.monotonic(), page.evaluate("openmct.time.getBounds().end")
            page.wait_for_timeout(3000)
            t2, w2 = page.evaluate("openmct.time.getBounds().end"), time.monotonic()
            # the window scrolls with the session clock: 100 s of the run per second of wall
            # time (the clock ticks every 0.1 s of wall time, hence the tolerance)
            assert 0.5 * 100_000 * (w2 - w1) < t2 - t1 <= 1.05 * 100_000 * (w2 - w1), (t1, t2)
            assert epoch < t1 < epoch + 1000 * st["t_end_s"]
            assert "Helmet water [L]" in page.inner_text(".gl-plot-axis-area.gl-plot-y")
            # the plot's subscription, made while the socket was still connecting, was sent
            live = [f for f in frames if f.startswith("[") and "parmitano.helmet_water_L" in f]
            assert live, frames[:5]

            # a table of a text channel shows the words
            where = "spacewalk:eva/spacewalk:crew:parmitano/spacewalk:parmitano.location"
            page.goto(f"{url}/openmct/#/browse/{where}?view=table")
            page.wait_for_selector("td:has-text('airlock'), td:has-text('cabin')", timeout=20_000)

            # fixed mode on the run's own span: history with Open MCT's minmax strategy
            end = epoch + 1000 * 3600
            history.clear()
            page.goto(
                f"{url}/openmct/#/browse/{water}?view=plot-single&tc.mode=fixed"
                f"&tc.startBound={int(epoch)}&tc.endBound={int(end)}&tc.timeSystem=utc"
            )
            page.reload()
            page.wait_for_selector(".js-limit-line", timeout=30_000)
            assert not page.evaluate("openmct.time.isRealTime()")
            assert page.evaluate("openmct.time.getBounds()") == {"start": epoch, "end": end}
            assert any("strategy=minmax" in h and "size=" in h for h in history), history
            assert "Helmet water [L]" in page.inner_text(".gl-plot-axis-area.gl-plot-y")

            # a new run: the tree follows without a reload
            _post(url, "/api/live", {"scenario": "polaris-dawn-2024", "speed": 100})
            page.wait_for_selector(".c-tree__item:has-text('Jared Isaacman')", timeout=20_000)
            assert page.locator(".c-tree__item", has_text="Luca Parmitano").count() == 0
            browser.close()
        assert not errors, errors
        assert not foreign, foreign  # nothing fetched from anywhere but the console
    finally:
        _stop(proc)


NGINX = Path("/usr/sbin/nginx")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _nginx(tmp: Path, location: str, listen: int, console_port: int) -> subprocess.Popen:
    """nginx in the foreground with the docs' location block, proxying to the console."""
    for d in ("logs", "tmp"):
        (tmp / d).mkdir(parents=True, exist_ok=True)
    body = location.replace("127.0.0.1:8765", f"127.0.0.1:{console_port}")
    (tmp / "nginx.conf").write_text(
        f"daemon off; pid {tmp}/nginx.pid; error_log {tmp}/logs/error.log;\n"
        "events {}\n"
        f"http {{ access_log off; client_body_temp_path {tmp}/tmp; proxy_temp_path {tmp}/tmp;\n"
        f"  fastcgi_temp_path {tmp}/tmp; uwsgi_temp_path {tmp}/tmp; scgi_temp_path {tmp}/tmp;\n"
        f"  server {{ listen 127.0.0.1:{listen};\n{body}\n  }}\n}}\n"
    )
    proc = subprocess.Popen([str(NGINX), "-p", str(tmp), "-c", str(tmp / "nginx.conf")])
    for _ in range(100):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{listen}/api/state", timeout=1)
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise AssertionError((tmp / "logs" / "error.log").read_text())


@pytest.mark.skipif(
    not NGINX.exists(),
    reason="proxy test skipped: nginx is not installed "
    "(apt-get install nginx-light; .ci/run does this)",
)
def test_the_documented_nginx_recipe_carries_the_websocket(tmp_path):
    """docs/console.md's nginx block, as written, passes the socket through; nginx's default
    Host rewrite gets it refused, and the console says how to fix it on its terminal."""
    import asyncio

    import aiohttp

    text = (Path(__file__).parents[1] / "docs" / "console.md").read_text(encoding="utf-8")
    recipe = re.search(r"```nginx\n(.*?)```", text, re.S).group(1)
    assert "proxy_set_header Host $http_host;" in recipe
    proc, url, _ = _start_console(tmp_path / "runs")
    console_port = int(url.rstrip("/").rsplit(":", 1)[1])

    async def socket_via(port: int):
        base = f"http://127.0.0.1:{port}"
        async with aiohttp.ClientSession() as http:
            try:
                ws = await http.ws_connect(base + "/api/realtime", origin=base)
            except aiohttp.WSServerHandshakeError as exc:
                return exc.status
            await ws.send_str(json.dumps({"subscribe": ["white.range_m"]}))
            for _ in range(20):
                msg = json.loads((await ws.receive(timeout=10)).data)
                if isinstance(msg, list) and msg and msg[0]["id"] == "white.range_m":
                    await ws.close()
                    return 101
            return None

    good, bad = _free_port(), _free_port()
    rewrite = recipe.replace("$http_host", "$proxy_host")  # nginx's default
    proxies = []
    try:
        _post(url.rstrip("/"), "/api/live", {"scenario": "gemini-4-1965", "speed": 100})
        proxies.append(_nginx(tmp_path / "good", recipe, good, console_port))
        proxies.append(_nginx(tmp_path / "bad", rewrite, bad, console_port))
        assert asyncio.run(socket_via(good)) == 101
        assert asyncio.run(socket_via(bad)) == 403
    finally:
        for p in proxies:
            p.terminate()
            p.wait(10)
        proc.terminate()
        said = proc.stdout.read()  # the console's terminal
        proc.wait(10)
        proc.stdout.close()
    assert f"from origin http://127.0.0.1:{bad}" in said and "pass the Host header" in said

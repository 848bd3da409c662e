"""The console's HTTP and WebSocket server (aiohttp): the API, the page and the clock.

Every route is listed in ``docs/console.md``; what it defends against is in
``docs/security.md``. The server holds one session at a time (a flight control room watches
one spacewalk); any number of browsers watch it. On an address other than the loopback every
request needs the token, as ``Authorization: Bearer TOKEN``, ``?token=TOKEN`` or the cookie
the page gets when it is opened with its token. Without a token only loopback host names are
answered (a DNS-rebinding page cannot reach the console under its own name); state-changing
requests must be JSON from the console's own origin.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import ipaddress
import json
import math
import re
import sys
import time
import weakref
from datetime import UTC, datetime
from pathlib import Path

from aiohttp import WSMsgType, web

from ..scenario import ScenarioError, budget, library_names, load_scenario, parse_toml
from ..scenario.events import SEVERITIES
from .session import Session, SessionError, check_speed, empty_dictionary

STATIC = Path(__file__).with_name("static")
OPENMCT_STATIC = Path(__file__).with_name("openmct")  # the plugin and the page around it
MAX_UPLOAD_BYTES = 1 << 20  # a scenario file is a few kB; 1 MiB is generous
MAX_WS_MESSAGE = 16 << 10  # a subscribe message for every channel of four crew is ~5 kB
WS_HARD_LIMIT = 4 << 20  # beyond this aiohttp closes that one connection
TICK_S = 0.1  # the longest the clock waits between deliveries
# an injected fault's future is shown this far ahead at once (at 1000x, 0.3 s of wall
# time); the rest is run in a thread and spliced in, the clock never passing what is run
INJECT_HORIZON_S = 300.0
RUN_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
COOKIE = "spacewalk_token"
HEADER_TIMEOUT_S = 20.0  # a connection that has not sent its request head by then is closed


class Hub:
    """What the running server holds: the session, its watchers, the runs folder, the token."""

    def __init__(
        self,
        runs: Path,
        token: str,
        allowed_hosts: frozenset[str] | None,
        allowed_origins: frozenset[str] = frozenset(),
        openmct: Path | None = None,
    ):
        self.runs, self.token, self.allowed_hosts = runs, token, allowed_hosts
        self.allowed_origins = allowed_origins  # other sites that may call (CORS)
        self.openmct = openmct  # an Open MCT build's dist folder, served at /openmct/
        self.refused: set[str] = set()  # origins refused so far (each logged once)
        self.session: Session | None = None
        self.clients: weakref.WeakSet = weakref.WeakSet()
        self.lock = asyncio.Lock()
        self.ticker: asyncio.Task | None = None


HUB = web.AppKey("hub", Hub)


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _error(status: int, message: str, headers: dict | None = None, **extra) -> web.Response:
    return web.json_response({"error": message, **extra}, status=status, headers=headers)


def _scenario_error(message: str, exc: ScenarioError) -> web.Response:
    """400 with every problem of a scenario as ``{path, problem, fix}``."""
    issues = [{"path": i.path, "problem": i.problem, "fix": i.fix} for i in exc.issues]
    return _error(400, message, issues=issues)


# ------------------------------------------------------------------------ security


def host_name(host: str) -> str:
    """The name in a Host header, without its port: ``[::1]:8765`` -> ``::1``."""
    host = host.strip().lower()
    if host.startswith("["):
        return host[1 : host.find("]")] if "]" in host else host
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def allowed_hosts(token: str | None, extra: tuple[str, ...] = ()) -> frozenset[str] | None:
    """Host names the console answers to: the loopback names and ``--allow-host`` ones.

    With a token and no ``--allow-host`` any name is answered: the token (which a rebinding
    page cannot know) is then the defence, and a console on 0.0.0.0 works under whatever
    name the machine is reached by.
    """
    if token and not extra:
        return None
    return LOOPBACK_NAMES | {host_name(h) for h in extra}


def _given_token(request: web.Request) -> str:
    auth = request.headers.get("Authorization", "")
    if auth.startswith("Bearer "):
        return auth[7:]
    return request.query.get("token") or request.cookies.get(COOKIE, "")


def _own_origins(request: web.Request) -> set[str]:
    """The console's own origin as the browser names it (a TLS proxy in front: https)."""
    schemes = {request.scheme}
    if request.headers.get("X-Forwarded-Proto", "").lower() == "https":
        schemes.add("https")
    return {f"{s}://{request.host.lower()}" for s in schemes}


def origin_of(text: str) -> str:
    """``--allow-origin`` as a browser sends it: scheme://host[:port], lower case, no path."""
    text = text.strip().rstrip("/").lower()
    if not re.match(r"^https?://[^/\s]+$", text):
        raise ValueError(
            f"--allow-origin takes an origin such as http://mct.example:8080 "
            f"(scheme, host and port, no path), got {text!r}"
        )
    return text


def _cors(origin: str) -> dict[str, str]:
    return {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Credentials": "true",
        "Access-Control-Allow-Headers": "Authorization, Content-Type",
        "Access-Control-Allow-Methods": "GET, POST, OPTIONS",
        "Access-Control-Max-Age": "600",
        "Vary": "Origin",
    }


def _refuse_origin(hub: Hub, request: web.Request, origin: str) -> web.Response:
    """403, and a line on the console's terminal once per origin: a refused WebSocket is
    otherwise silent in the browser."""
    if origin not in hub.refused and len(hub.refused) < 100:
        hub.refused.add(origin)
        print(
            f"refused {request.method} {request.path} from origin {origin} (this console is "
            f"{request.scheme}://{request.host}): start it with --allow-origin {origin}, or have "
            "the proxy pass the Host header through (docs/console.md)",
            file=sys.stderr,
            flush=True,
        )
    return _error(
        403,
        f"requests from {origin} are refused; open the console itself, or start it with "
        f"--allow-origin {origin}",
    )


@web.middleware
async def _guard(request: web.Request, handler):
    hub = request.app[HUB]
    name = host_name(request.host)
    if hub.allowed_hosts is not None and name not in hub.allowed_hosts:
        return _error(
            403,
            f"this console does not answer to the host name {name!r}; if that is how you "
            f"reach it, start it with --allow-host {name}",
        )
    # a page on another site must not drive this console through the user's browser,
    # unless that site is named with --allow-origin (then it gets CORS headers)
    origin = request.headers.get("Origin")
    cors: dict[str, str] = {}
    if origin is not None and origin.lower() not in _own_origins(request):
        if origin.lower() not in hub.allowed_origins:
            return _refuse_origin(hub, request, origin)
        cors = _cors(origin)
        if request.method == "OPTIONS":  # the preflight carries no token
            return web.Response(status=204, headers=cors)
    if hub.token:
        given = _given_token(request)
        if not hmac.compare_digest(given.encode(), hub.token.encode()):
            return _error(
                401, "this console needs its token: add ?token=TOKEN to the address", headers=cors
            )
    # a form or a text/plain fetch from another site needs no CORS preflight; JSON does
    if request.method not in ("GET", "HEAD", "OPTIONS") and (
        request.content_type != "application/json"
    ):
        return _error(415, "send the request body as JSON (Content-Type: application/json)")
    try:
        response = await handler(request)
    except SessionError as exc:
        response = _error(409, str(exc))
    except web.HTTPException as exc:
        if not cors:
            raise
        exc.headers.update(cors)
        raise
    except RecursionError:
        response = _error(400, "the request is nested too deeply")
    if cors and not isinstance(response, web.WebSocketResponse):
        response.headers.update(cors)
    if hub.token and request.path in ("/", "/openmct/") and request.query.get("token"):
        # the page's own scripts, styles and socket then carry the token as a cookie
        response.set_cookie(COOKIE, hub.token, httponly=True, samesite="Strict", path="/")
    return response


# ------------------------------------------------------------------------ the clock


class Client:
    def __init__(self, ws: web.WebSocketResponse):
        self.ws = ws
        self.ids: set[str] = set()
        self.session: Session | None = None
        self.sent_s = 0.0  # samples and events up to this session time have been sent


async def _send(client: Client, payload) -> None:
    if client.ws.closed:
        return
    with contextlib.suppress(ConnectionError, RuntimeError):  # that browser went away
        await client.ws.send_str(payload if isinstance(payload, str) else json.dumps(payload))


def _attach(client: Client, session: Session, now: float) -> None:
    """A client joins a session at the present: the past comes from the history API."""
    if client.session is not session:
        client.session, client.sent_s = session, now


async def _deliver(client: Client, now: float, session: Session) -> None:
    _attach(client, session, now)
    if now <= client.sent_s:
        client.sent_s = min(client.sent_s, now)
        return
    pts = session.points(sorted(client.ids), client.sent_s, now)
    evs = session.events_between(client.sent_s, now)
    client.sent_s = now
    if pts:
        await _send(client, pts)
    if evs:
        await _send(client, {"type": "events", "events": evs})


async def _ticker(app: web.Application) -> None:
    last_state = 0.0
    while True:
        session: Session | None = app[HUB].session
        wait = TICK_S
        if session is not None:
            now = session.clock.now()
            if session.engine is not None and not session.engine.finished:
                async with app[HUB].lock:  # not while a fault is being injected
                    session.follow(now)
            for client in list(app[HUB].clients):
                await _deliver(client, now, session)
            wall = time.monotonic()
            if wall - last_state >= 0.5:
                last_state = wall
                state = json.dumps({"type": "state", **session.state()})
                for client in list(app[HUB].clients):
                    await _send(client, state)
            if session.finished(now) and session.mode == "live" and session.saved_to is None:
                session.saved_to = ""  # once
                asyncio.get_running_loop().create_task(_save(app, session))
            wait = _next_due(session, now)
        await asyncio.sleep(wait)


def _next_due(session: Session, now: float) -> float:
    """Wake when the next sample falls due (at most TICK_S), so points go out on time."""
    if session.clock.paused or now >= session.t_end_s:
        return TICK_S
    # every stream of a run shares the sample times: the first one tells
    t_s = next(iter(session.streams.values())).t_s
    i = t_s.searchsorted(now, side="right")
    if i >= len(t_s):
        return TICK_S
    nxt = t_s[i]
    return min(TICK_S, max((nxt - now) / session.clock.speed, 0.001))


async def _finish_future(app: web.Application, session: Session) -> None:
    """Run the rest of an injected fault's future in a thread and show it; a later
    injection's future replaces it (:meth:`Session.show_future` drops the stale one)."""
    future = session.pending
    shown = await asyncio.get_running_loop().run_in_executor(None, session.run_future, future)
    async with app[HUB].lock:
        session.show_future(shown)


async def _save(app: web.Application, session: Session) -> None:
    """A finished live run is written to the runs folder, ready to replay."""
    from ..results.simulation import SimulationResult

    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    folder = app[HUB].runs / f"{session.scenario.scenario.name}-{stamp}"
    result = SimulationResult(
        session.scenario, session.telemetry, session.events_frame, [session.summary]
    )
    await asyncio.get_running_loop().run_in_executor(None, result.write, folder)
    session.saved_to = folder.name


# ------------------------------------------------------------------------ routes


async def index(request: web.Request) -> web.Response:
    return web.FileResponse(STATIC / "index.html", headers={"Cache-Control": "no-cache"})


async def scenarios(request: web.Request) -> web.Response:
    out = []
    for name in library_names():
        sc = load_scenario(name)
        out.append({"name": name, "title": sc.scenario.title, "date": sc.scenario.date})
    return web.json_response(out)


def _runs_root(request: web.Request) -> Path:
    return request.app[HUB].runs


async def runs(request: web.Request) -> web.Response:
    root = _runs_root(request)
    out = []
    if root.is_dir():
        for p in sorted(root.iterdir()):
            if p.is_dir() and (p / "summary.json").is_file() and RUN_NAME.match(p.name):
                out.append({"name": p.name, "modified": p.stat().st_mtime})
    return web.json_response(out)


def _session(request: web.Request) -> Session:
    session = request.app[HUB].session
    if session is None:
        raise SessionError("no run yet: POST /api/live or /api/replay first")
    return session


async def state(request: web.Request) -> web.Response:
    session = request.app[HUB].session
    return web.json_response(None if session is None else session.state())


async def dictionary(request: web.Request) -> web.Response:
    session = request.app[HUB].session
    return web.json_response(empty_dictionary() if session is None else session.dictionary())


def _bad_request(message: str) -> web.HTTPBadRequest:
    return web.HTTPBadRequest(text=json.dumps({"error": message}), content_type="application/json")


def _float_arg(request: web.Request, key: str) -> float | None:
    text = request.query.get(key)
    if text is None or text == "":
        return None
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise _bad_request(f"{key} must be a finite number (ms since the epoch), got {text!r}")
    return value


def _history_args(request: web.Request) -> dict:
    """start, end, decimate, and Open MCT's request options: strategy (``latest``,
    ``minmax``) with size (how many points the view can use)."""
    dec = _float_arg(request, "decimate")
    size = _float_arg(request, "size")
    strategy = request.query.get("strategy", "")
    if strategy not in ("", "latest", "minmax"):
        raise _bad_request(f"strategy must be latest or minmax (or left out), got {strategy!r}")
    for key, value in (("decimate", dec), ("size", size)):
        if value is not None and not (1 <= value <= 1_000_000):
            raise _bad_request(f"{key} must be a number of points from 1 to 1000000, got {value:g}")
    if strategy == "minmax" and size is not None and dec is None:
        dec = max(size, 2)
    return {
        "start_ms": _float_arg(request, "start"),
        "end_ms": _float_arg(request, "end"),
        "decimate": None if dec is None else int(dec),
        "latest": (int(size or 1) if strategy == "latest" else None),
    }


def _number(body: dict, key: str, what: str) -> float:
    """A finite number from a JSON body, or a 409 naming the key."""
    value = body.get(key)
    if not isinstance(value, (int, float)) or isinstance(value, bool) or not math.isfinite(value):
        raise SessionError(f'{what} needs "{key}": a finite number, got {json.dumps(value)}')
    return float(value)


async def history_one(request: web.Request) -> web.Response:
    """Open MCT's historical shape: GET /api/history/ID?start=&end= -> [points]."""
    session = request.app[HUB].session
    pid = request.match_info["id"]
    if session is None:  # no run yet: nothing to show, which is not an error
        return web.json_response([])
    return web.json_response(session.history(pid, **_history_args(request)))


async def history_many(request: web.Request) -> web.Response:
    """GET /api/history?ids=A,B&start=&end=&decimate= -> {id: [points]}."""
    session = _session(request)
    ids = [i for i in request.query.get("ids", "").split(",") if i]
    if not ids:
        return _error(400, "give ids=ID[,ID...]; GET /api/dictionary lists them")
    unknown = session.check_ids(ids)
    if unknown:
        return _error(404, f"unknown ids {unknown}; GET /api/dictionary lists them")
    args = _history_args(request)
    return web.json_response({i: session.history(i, **args) for i in ids})


async def events(request: web.Request) -> web.Response:
    session = _session(request)
    sev = request.query.get("severity")
    out = session.events_until(session.clock.now())
    if sev:
        if sev not in SEVERITIES:
            return _error(400, f"severity must be one of {', '.join(SEVERITIES)}")
        out = [e for e in out if e["severity"] == sev]
    return web.json_response(out)


def _no_constant(name: str):
    raise ValueError(f"{name} is not a number JSON allows")


async def _json_body(request: web.Request) -> dict:
    try:
        body = json.loads(await request.text(), parse_constant=_no_constant)
    except (ValueError, UnicodeDecodeError):
        raise SessionError("the request body must be a JSON object") from None
    except RecursionError:
        raise SessionError("the request body is nested too deeply") from None
    if not isinstance(body, dict):
        raise SessionError("the request body must be a JSON object")
    return body


async def _simulate(scenario):
    """The run as far as it can be told now, and the engine that will step with the clock."""
    from ..results.simulation import simulate
    from ..sim.engine import Engine
    from ..sim.plan import compile_plan

    # finer samples than a report needs: the console shows every engine step
    live = scenario.model_copy(
        update={
            "engine": scenario.engine.model_copy(update={"record_every_s": scenario.engine.dt_s})
        }
    )
    result = await asyncio.get_running_loop().run_in_executor(None, simulate, live)
    return live, result, Engine(compile_plan(live, 1), record=False)


async def start_live(request: web.Request) -> web.Response:
    """POST /api/live {"scenario": NAME} or {"toml": TEXT}; optional "speed"."""
    body = await _json_body(request)
    # a bad speed is refused before anything runs
    speed = check_speed(_number(body, "speed", "a run")) if "speed" in body else 10.0
    try:
        if "toml" in body:
            if not isinstance(body["toml"], str):
                raise SessionError('"toml" must be the text of a scenario file')
            scenario = parse_toml(body["toml"], str(body.get("filename") or "uploaded file"))
        elif isinstance(body.get("scenario"), str):
            if body["scenario"] not in library_names():
                raise SessionError(
                    f"no built-in scenario {body['scenario']!r}; GET /api/scenarios lists them"
                )
            scenario = load_scenario(body["scenario"])
        else:
            raise SessionError('give "scenario" (a library name) or "toml" (a file\'s text)')
        over = budget.check(scenario, record_every_s=scenario.engine.dt_s)
        if over:
            raise ScenarioError(str(body.get("filename") or "the scenario"), over)
    except ScenarioError as exc:
        return _scenario_error(f"{exc.source}: the scenario has {len(exc.issues)} problem(s)", exc)
    async with request.app[HUB].lock:
        scenario, result, engine = await _simulate(scenario)
        source = body.get("filename") or body.get("scenario") or "upload"
        session = Session(
            "live", scenario, result.telemetry, result.events, result.summary, str(source), engine
        )
        session.clock.set_speed(speed)
        session.clock.resume()
        request.app[HUB].session = session
    return web.json_response(session.state())


async def start_replay(request: web.Request) -> web.Response:
    """POST /api/replay {"folder": NAME}: a run folder directly inside the runs folder."""
    from ..results.runio import RunFolderError, read_run

    body = await _json_body(request)
    name = body.get("folder")
    root = _runs_root(request).resolve()
    if not isinstance(name, str) or not RUN_NAME.match(name):
        return _error(400, "folder must be the name of a run folder listed by GET /api/runs")
    folder = (root / name).resolve()
    if folder.parent != root:
        return _error(403, "only run folders inside the console's runs folder can be opened")
    try:
        run = await asyncio.get_running_loop().run_in_executor(None, read_run, folder)
        session = Session("replay", run.scenario, run.telemetry, run.events, run.summary, name)
    except RunFolderError as exc:
        status = 404 if not folder.is_dir() else 422
        return _error(status, str(exc).replace(str(root), "runs"))
    except (KeyError, ValueError, TypeError) as exc:
        return _error(422, f"runs/{name} cannot be replayed: {exc!r}; re-run its scenario")
    async with request.app[HUB].lock:
        request.app[HUB].session = session
    return web.json_response(session.state())


async def control(request: web.Request) -> web.Response:
    """POST /api/control {"action": pause|resume|speed|seek|inject|stop|ack, ...}."""
    body = await _json_body(request)
    action = body.get("action")
    app = request.app
    if action == "stop":
        app[HUB].session = None
        for c in list(app[HUB].clients):
            await _send(c, {"type": "state", "mode": None})
        return web.json_response({"stopped": True})
    session = _session(request)
    if action == "pause":
        session.clock.pause()
    elif action == "resume":
        session.clock.resume()
    elif action == "speed":
        session.clock.set_speed(_number(body, "value", "speed"))
    elif action == "seek":
        if session.mode != "replay":
            raise SessionError("a live run cannot be moved in time; replay a run folder")
        session.clock.seek(_number(body, "t_s", "seek"))
        session.serial += 1  # pages fetch the history again
        for c in list(app[HUB].clients):
            c.sent_s = session.clock.now()
    elif action == "ack":
        index = body.get("index")
        if not isinstance(index, int) or isinstance(index, bool):
            raise SessionError('ack needs "index": the event\'s index')
        session.acknowledge(index)
        for c in list(app[HUB].clients):
            await _send(c, {"type": "ack", "index": index})
    elif action == "inject":
        fault = body.get("fault")
        try:
            scenario = session.faulted_scenario(fault)
        except ScenarioError as exc:
            return _scenario_error("the fault is not valid", exc)
        loop = asyncio.get_running_loop()
        async with app[HUB].lock:
            was_paused = session.clock.paused
            session.clock.pause()  # the display waits while the near future is run
            now = session.clock.now()
            await loop.run_in_executor(None, session.inject, scenario, now, INJECT_HORIZON_S)
            if not was_paused:
                session.clock.resume()
        if session.pending is not None:  # the rest of the future, off the event loop
            loop.create_task(_finish_future(app, session))
    else:
        raise SessionError(
            f"action must be one of pause, resume, speed, seek, inject, stop, ack; got {action!r}"
        )
    return web.json_response(session.state())


# ------------------------------------------------------------------------ realtime


async def realtime(request: web.Request) -> web.WebSocketResponse:
    """Subscribe with {"subscribe": [ids]} or Open MCT's "subscribe ID"; likewise unsubscribe."""
    ws = web.WebSocketResponse(max_msg_size=WS_HARD_LIMIT, heartbeat=30)
    await ws.prepare(request)
    client = Client(ws)
    request.app[HUB].clients.add(client)
    session = request.app[HUB].session
    if session is not None:
        await _send(client, {"type": "state", **session.state()})
    try:
        async for msg in ws:
            if msg.type != WSMsgType.TEXT:
                await _send(client, {"type": "error", "error": "send text messages (JSON)"})
                continue
            await _handle(request.app, client, msg.data)
    finally:
        request.app[HUB].clients.discard(client)
    return ws


async def _handle(app: web.Application, client: Client, text: str) -> None:
    if len(text) > MAX_WS_MESSAGE:
        await _send(
            client,
            {"type": "error", "error": f"message too long ({len(text)} > {MAX_WS_MESSAGE} bytes)"},
        )
        return
    words = text.split()
    if len(words) == 2 and words[0] in ("subscribe", "unsubscribe"):  # Open MCT's tutorial
        msg = {words[0]: [words[1]]}
    else:
        try:
            msg = json.loads(text)
        except ValueError:
            msg = None
    if not isinstance(msg, dict) or not ({"subscribe", "unsubscribe"} & msg.keys()):
        await _send(
            client,
            {
                "type": "error",
                "error": 'expected {"subscribe": [ids]} or {"unsubscribe": [ids]} '
                "(or the text 'subscribe ID')",
            },
        )
        return
    session: Session | None = app[HUB].session
    for key in ("subscribe", "unsubscribe"):
        ids = msg.get(key, [])
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            await _send(client, {"type": "error", "error": f"{key} takes a list of id strings"})
            return
        unknown = session.check_ids(ids) if session is not None and key == "subscribe" else []
        if unknown:
            await _send(client, {"type": "error", "error": f"unknown ids {unknown[:10]}"})
        ids = [i for i in ids if i not in unknown]
        if key == "subscribe":
            new = set(ids) - client.ids
            client.ids |= set(ids)
            if session is not None and new:
                # the current value of each new channel, so a display is never blank
                _attach(client, session, session.clock.now())
                latest = [p for pid in sorted(new) for p in session.latest(pid, client.sent_s)]
                if latest:
                    await _send(client, latest)
        else:
            client.ids -= set(ids)


# ------------------------------------------------------------------------ the app


def openmct_dist(path: Path) -> Path:
    """The folder holding ``openmct.js``: PATH itself, PATH/dist (the npm package) or
    PATH/node_modules/openmct/dist (the folder npm was run in)."""
    for folder in (path, path / "dist", path / "node_modules" / "openmct" / "dist"):
        if (folder / "openmct.js").is_file():
            return folder.resolve()
    raise ValueError(
        f"--openmct {path}: no openmct.js there, in dist/ or in node_modules/openmct/dist/; "
        "install Open MCT with `npm install openmct@4.2.0` and give that folder"
    )


async def openmct_page(request: web.Request) -> web.StreamResponse:
    """Open MCT with the spacewalk plugin, a clock and a time system, on this origin."""
    if request.app[HUB].openmct is None:
        return _error(
            404,
            "this console serves no Open MCT: install it (npm install openmct@4.2.0) and start "
            "the console with --openmct node_modules/openmct/dist",
        )
    return web.FileResponse(OPENMCT_STATIC / "index.html", headers={"Cache-Control": "no-cache"})


async def suits_file(request: web.Request) -> web.Response:
    """The SUITS telemetry stream server's files (``suits.py``), from the session now."""
    from . import suits

    name, team = request.match_info["name"], request.match_info.get("team")
    make = (suits.TEAM_FILES if team is not None else suits.FILES).get(name)
    if make is None or (team is not None and not (team.isdigit() and int(team) < suits.TEAMS)):
        files = ", ".join([*suits.FILES, *(f"teams/N/{f}" for f in suits.TEAM_FILES)])
        return _error(404, f"no SUITS file {request.path}; served: {files} (N from 0 to 10)")
    return web.json_response(make(request.app[HUB].session))


async def openmct_slash(request: web.Request) -> web.Response:
    raise web.HTTPFound(request.rel_url.with_path("/openmct/"))


async def openmct_plugin(request: web.Request) -> web.StreamResponse:
    return web.FileResponse(
        OPENMCT_STATIC / "spacewalk-plugin.js", headers={"Cache-Control": "no-cache"}
    )


def make_app(
    runs_dir: Path,
    token: str | None = None,
    allow_hosts: tuple[str, ...] = (),
    allow_origins: tuple[str, ...] = (),
    openmct: Path | None = None,
) -> web.Application:
    """The console application; serve it with ``keepalive_timeout=HEADER_TIMEOUT_S``.

    ``allow_origins`` are other sites whose pages may call the API (CORS) and open the
    WebSocket; ``openmct`` is an Open MCT build (see :func:`openmct_dist`) served with the
    spacewalk plugin at ``/openmct/``."""
    app = web.Application(middlewares=[_guard], client_max_size=MAX_UPLOAD_BYTES + 4096)
    dist = None if openmct is None else openmct_dist(Path(openmct))
    origins = frozenset(origin_of(o) for o in allow_origins)
    app[HUB] = Hub(Path(runs_dir), token or "", allowed_hosts(token, allow_hosts), origins, dist)
    app.router.add_get("/", index)
    app.router.add_get("/api/scenarios", scenarios)
    app.router.add_get("/api/runs", runs)
    app.router.add_get("/api/state", state)
    app.router.add_get("/api/dictionary", dictionary)
    app.router.add_get("/api/history", history_many)
    app.router.add_get("/api/history/{id}", history_one)
    app.router.add_get("/api/events", events)
    app.router.add_post("/api/live", start_live)
    app.router.add_post("/api/replay", start_replay)
    app.router.add_post("/api/control", control)
    app.router.add_get("/api/realtime", realtime)
    app.router.add_static("/static/", STATIC, follow_symlinks=False)
    app.router.add_get("/json_data/{name}", suits_file)
    app.router.add_get("/json_data/teams/{team}/{name}", suits_file)
    app.router.add_get("/openmct/", openmct_page)
    app.router.add_get("/openmct", openmct_slash)
    app.router.add_get("/openmct/spacewalk-plugin.js", openmct_plugin)
    if dist is not None:
        app.router.add_static("/openmct/dist/", dist, follow_symlinks=False)

    async def start_ticker(app):
        app[HUB].ticker = asyncio.get_running_loop().create_task(_ticker(app))

    async def stop_ticker(app):
        app[HUB].ticker.cancel()
        for c in list(app[HUB].clients):
            await c.ws.close()

    app.on_startup.append(start_ticker)
    app.on_shutdown.append(stop_ticker)
    return app

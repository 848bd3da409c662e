"""``spacewalk console``: serve the mission-control console."""

from __future__ import annotations

import secrets
import sys
from pathlib import Path


def add_parser(sub) -> None:
    p = sub.add_parser(
        "console",
        help="the mission-control console in the browser: live runs, replays, fault injection",
    )
    p.add_argument("--host", default="127.0.0.1", help="address to serve on (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8765, help="port (default 8765; 0 picks a free one)")
    p.add_argument(
        "--token",
        help="token every request must carry on a non-loopback address "
        "(default: one is generated and printed)",
    )
    p.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="a host name the console answers to besides the loopback names "
        "(repeat for several; needed without a token behind a proxy that keeps the Host)",
    )
    p.add_argument(
        "--allow-origin",
        action="append",
        default=[],
        metavar="ORIGIN",
        help="another site whose pages may use this console (CORS and WebSocket), such as an "
        "Open MCT served elsewhere: http://mct.example:8080 (repeat for several)",
    )
    p.add_argument(
        "--openmct",
        metavar="PATH",
        help="an Open MCT build (npm install openmct@4.2.0; PATH is node_modules/openmct/dist): "
        "served with the spacewalk plugin, a clock and a time system at /openmct/",
    )
    p.add_argument(
        "--idle-timeout",
        type=float,
        default=None,
        metavar="S",
        help="close a connection that sends no complete request for S seconds (default 20)",
    )
    p.add_argument(
        "--runs",
        default="runs",
        help="folder of run folders to replay; finished live runs are saved here (default runs)",
    )
    p.set_defaults(func=_cmd_console)


def _cmd_console(args) -> int:
    try:
        from aiohttp import web
    except ImportError:
        print(
            "error: the console needs the 'console' extra: "
            'python3 -m pip install -e ".[console]"  (or pip install "spacewalk[console]")',
            file=sys.stderr,
        )
        return 1
    from .server import HEADER_TIMEOUT_S, is_loopback, make_app, openmct_dist, origin_of

    token = args.token
    if not is_loopback(args.host):
        token = token or secrets.token_urlsafe(24)
    elif token:
        print("note: --token given; every request on the loopback needs it too", file=sys.stderr)
    idle = HEADER_TIMEOUT_S if args.idle_timeout is None else args.idle_timeout
    if not 0 < idle < 86400:
        print("error: --idle-timeout must be a number of seconds above 0", file=sys.stderr)
        return 2
    try:
        origins = tuple(origin_of(o) for o in args.allow_origin)
        dist = None if args.openmct is None else openmct_dist(Path(args.openmct))
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    runs = Path(args.runs)
    runs.mkdir(parents=True, exist_ok=True)
    app = make_app(runs, token, tuple(args.allow_host), origins, dist)
    shown = "127.0.0.1" if args.host in ("0.0.0.0", "::") else args.host

    def ready(port: int) -> None:
        query = f"/?token={token}" if token else "/"
        print(f"spacewalk console on http://{shown}:{port}{query}", flush=True)
        if shown != args.host:
            print(
                f"listening on {args.host}:{port}: from other machines use this one's address",
                flush=True,
            )
        if dist is not None:
            print(f"Open MCT on http://{shown}:{port}/openmct/{query[1:]}", flush=True)
        if token and not args.token:
            print(f"token (generated): {token}", flush=True)
        print(f"run folders: {runs.resolve()}    (Ctrl-C to stop)", flush=True)

    import asyncio

    async def serve() -> None:
        runner = web.AppRunner(app, handle_signals=False, keepalive_timeout=idle)
        await runner.setup()
        site = web.TCPSite(runner, args.host, args.port)
        await site.start()
        ready(site._server.sockets[0].getsockname()[1])
        try:
            await asyncio.Event().wait()
        finally:
            await runner.cleanup()

    try:
        asyncio.run(serve())
    except OSError as exc:
        print(
            f"error: cannot serve on {args.host}:{args.port}: {exc.strerror}; try another --port",
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        return 0
    return 0

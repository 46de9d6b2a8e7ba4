"""Application assembly and the server loop (bind, write --port-file, run until signal)."""

import asyncio
import os
import signal

from aiohttp import web

from . import auth, control, desk
from .faults import sim_middleware


def build_app(state, quiet=False):
    # client_max_size: control-API fixtures can be large; Zoho calls are tiny anyway.
    app = web.Application(middlewares=[sim_middleware], client_max_size=64 * 1024 * 1024)
    app["state"] = state
    app["quiet"] = quiet
    app.router.add_post("/oauth/v2/token", auth.token_endpoint, name="token")
    desk.add_routes(app)
    control.add_routes(app)
    return app


def _write_port_file(path, port):
    # Write-then-rename so a polling test never reads a half-written file.
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w") as handle:
        handle.write("%d\n" % port)
    os.replace(tmp, path)


async def serve(state, host, port, port_file=None, quiet=False, announce=print):
    app = build_app(state, quiet)
    runner = web.AppRunner(app, access_log=None, handle_signals=False)
    await runner.setup()
    # A deep backlog keeps a burst of hundreds of connects from hitting SYN retries.
    site = web.TCPSite(runner, host, port, backlog=4096, shutdown_timeout=1.0)
    await site.start()
    bound = site._server.sockets[0].getsockname()[1]
    if port_file:
        _write_port_file(port_file, bound)
    announce("deskbridge-zoho-sim listening on http://%s:%d" % (host, bound))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await runner.cleanup()

"""Test-only control API under /_sim/ (no auth): counts, reset, knobs, data mutations."""

import json

from aiohttp import web

from . import render
from .config import ConfigError
from .util import FixtureError
from .util import json_response, now_utc


async def _json_body(request, default=None):
    if not request.body_exists:
        return default if default is not None else {}
    try:
        body = await request.json()
    except (json.JSONDecodeError, UnicodeDecodeError):
        body = None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text='{"error":"body must be a JSON object"}',
                                 content_type="application/json")
    return body


def _bad(message):
    return json_response({"error": message}, 400)


def _ticket_or_404(state, request):
    ticket = state.store.tickets.get(request.match_info["ticket_id"])
    if ticket is None:
        raise web.HTTPNotFound(text='{"error":"no such ticket"}', content_type="application/json")
    return ticket


async def counts(request):
    return json_response(request.app["state"].counts_body())


async def reset(request):
    body = await _json_body(request)
    everything = bool(body.get("all"))
    request.app["state"].reset(knobs=everything or bool(body.get("config")),
                               data=everything or bool(body.get("data")),
                               tokens=everything or bool(body.get("tokens")))
    return json_response({"ok": True})


async def get_config(request):
    return json_response(request.app["state"].knobs)


async def set_config(request):
    state = request.app["state"]
    try:
        state.configure(await _json_body(request))
    except ConfigError as exc:
        return _bad(str(exc))
    return json_response(state.knobs)


async def expire_tokens(request):
    request.app["state"].tokens.expire_all()
    return json_response({"ok": True})


async def add_ticket(request):
    state = request.app["state"]
    raw = await _json_body(request)
    raw.setdefault("id", str(state.store.allocate_id()))
    try:
        ticket = state.store.add_ticket(raw)
    except (FixtureError, ValueError, TypeError) as exc:
        return _bad(str(exc))
    return json_response(render.ticket_body(ticket, ("departments",)), 201)


async def patch_ticket(request):
    state = request.app["state"]
    ticket = _ticket_or_404(state, request)
    try:
        ticket.update(await _json_body(request))
    except (FixtureError, ValueError, TypeError) as exc:
        return _bad(str(exc))
    return json_response(render.ticket_body(ticket, ("departments",)))


async def delete_ticket(request):
    state = request.app["state"]
    _ticket_or_404(state, request)
    state.store.delete_ticket(request.match_info["ticket_id"])
    return json_response({"ok": True})


async def add_thread(request):
    """Append a thread; bumps the ticket's modifiedTime like a new message would."""
    state = request.app["state"]
    ticket = _ticket_or_404(state, request)
    raw = await _json_body(request)
    try:
        thread = ticket.add_thread(raw, state.store.allocate_id(), now_utc())
    except (FixtureError, ValueError, TypeError) as exc:
        return _bad(str(exc))
    ticket.touch(max(now_utc(), thread.created))
    return json_response(render.thread_summary(thread), 201)


async def add_attachment(request):
    state = request.app["state"]
    ticket = _ticket_or_404(state, request)
    try:
        att = ticket.add_attachment(await _json_body(request), state.store.allocate_id())
    except (FixtureError, ValueError, TypeError) as exc:
        return _bad(str(exc))
    ticket.touch()
    base = "%s://%s" % (request.scheme, request.host)
    return json_response(render.ticket_attachment(base, ticket, att), 201)


async def health(request):
    return json_response({"ok": True, "tickets": len(request.app["state"].store.tickets)})


def add_routes(app):
    r = app.router
    r.add_get("/_sim/health", health)
    r.add_get("/_sim/counts", counts)
    r.add_post("/_sim/reset", reset)
    r.add_get("/_sim/config", get_config)
    r.add_post("/_sim/config", set_config)
    r.add_post("/_sim/expire-tokens", expire_tokens)
    r.add_post("/_sim/tickets", add_ticket)
    r.add_patch("/_sim/tickets/{ticket_id}", patch_ticket)
    r.add_delete("/_sim/tickets/{ticket_id}", delete_ticket)
    r.add_post("/_sim/tickets/{ticket_id}/threads", add_thread)
    r.add_post("/_sim/tickets/{ticket_id}/attachments", add_attachment)

"""The middleware that makes the simulator Zoho-like and unreliable on demand: request
logging, counts, latency, concurrency cap, fault injection, auth/org checks, API credits
and rate-limit headers. Order matters and mirrors what a client would observe."""

import asyncio
import datetime as dt
import sys
import time

from aiohttp import web

from . import desk
from .auth import check_api_auth
from .download import AttachmentStream
from .util import ApiError, not_found, now_utc, zoho_error


def _kind(request):
    route = request.match_info.route
    name = getattr(route, "name", None)
    if request.match_info.http_exception is not None or name is None:
        return "unknown"
    return desk.KIND_OF.get(name, name)


def _log(request, status, started, kind, note):
    if request.app["quiet"]:
        return
    ms = (time.monotonic() - started) * 1000.0
    wall = time.time()
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(wall)) + ".%03dZ" % (
        int(wall * 1000) % 1000)
    # The token call may carry the client secret in its query string; keep it out of logs.
    target = request.path if kind == "token" else request.path_qs
    line = "%s %s %s %s %s %s %.1fms%s\n" % (
        stamp, request.remote, request.method, target, status, kind, ms,
        (" " + note) if note else "")
    sys.stderr.write(line)


async def _delay(state):
    knobs = state.knobs
    total = knobs["latency_ms"] + (state.rng.uniform(0, knobs["jitter_ms"])
                                   if knobs["jitter_ms"] else 0.0)
    if total > 0:
        await asyncio.sleep(total / 1000.0)


def _roll_fault(state, request, is_token):
    """Pick at most one fault for this request: 'hang', 'error', 'malformed' or None."""
    knobs = state.knobs
    if is_token and not knobs["token_faults"]:
        return None
    if knobs["fault_path"] and knobs["fault_path"] not in request.path:
        return None
    roll = state.rng.random()
    for name, share in (("hang", knobs["hang_rate"]), ("error", knobs["error_rate"]),
                        ("malformed", knobs["malformed_rate"])):
        if roll < share:
            return name
        roll -= share
    return None


def _malform(response):
    """200 with a body cut short: JSON that cannot parse, or fewer bytes than advertised."""
    if isinstance(response, AttachmentStream):
        response.truncate()
        return response
    body = response.body if isinstance(response.body, (bytes, bytearray)) else b""
    if not body:
        body = b'{"data":[{"id":"'
    cut = body[:max(1, len(body) // 2)]
    return web.Response(status=200, body=cut, content_type=response.content_type or
                        "application/json", charset=response.charset)


def _seconds_to_utc_midnight():
    now = now_utc()
    tomorrow = (now + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    return max(1, int((tomorrow - now).total_seconds()))


def _rate_headers(response, state, charged):
    response.headers["X-Rate-Limit-Remaining-v3"] = str(state.credits_remaining)
    response.headers["X-Rate-Limit-Request-Weight-v3"] = str(charged)


class ClientGone(Exception):
    """A hung request's client disconnected; nothing is left to answer."""


async def _hang(state, request):
    state.counts.faults["hang"] += 1
    # aiohttp 3.8 does not cancel handlers on disconnect, so watch the transport; the
    # request keeps its in-flight slot until then, as a stuck upstream call would.
    while request.transport is not None and not request.transport.is_closing():
        await asyncio.sleep(0.05)
    raise ClientGone()


_CACHE_LIMIT = 20000


async def _render(request, handler, state, kind):
    """Run the handler, reusing the body of an identical earlier call: JSON encoding was the
    largest share of CPU in the 500-connection benchmark. Attachment bytes are not kept."""
    # orgId is part of the key: the organisations a token reaches do not share tickets.
    key = (request.scheme, request.host, request.path_qs, request.headers.get("orgId"))
    hit = state.body_cache.get(key)
    if hit is not None:
        status, body, content_type, charset = hit
        if body is None:
            return web.Response(status=status)
        return web.Response(status=status, body=body, content_type=content_type,
                            charset=charset)
    try:
        response = await handler(request)
    except ApiError as err:
        return err.response
    if (kind != "attachment_content" and isinstance(response, web.Response)
            and response.status in (200, 204)):
        if len(state.body_cache) >= _CACHE_LIMIT:
            state.body_cache.clear()
        state.body_cache[key] = (response.status, response.body, response.content_type,
                                 response.charset)
    return response


async def _api_call(request, handler, state, kind):
    """Everything after the concurrency gate for /api/v1 requests."""
    await _delay(state)
    fault = _roll_fault(state, request, False)
    if fault == "hang":
        await _hang(state, request)
    if fault == "error":
        state.counts.faults["error"] += 1
        return zoho_error(500, "INTERNAL_SERVER_ERROR", "Internal Server Error"), 0
    # Auth comes before routing: unauthenticated probes of any Desk path get 401 (doc 2).
    error = check_api_auth(request, state, needs_org=kind != "organizations")
    if error is not None:
        return error, 0
    exc = request.match_info.http_exception
    if exc is not None:
        if exc.status == 405:
            return zoho_error(405, "METHOD_NOT_ALLOWED",
                              "The requested HTTP method is not allowed for this URL."), 0
        return not_found(), 0
    if desk.missing_scope(kind, state.knobs["scopes"]) is not None:
        return zoho_error(403, "SCOPE_MISMATCH",
                          "The OAuth token does not have the scope this operation needs."), 0
    if state.credits_remaining <= 0:
        state.counts.rejected["credits"] += 1
        # API notes §7: reports differ on whether Zoho sends Retry-After here.
        headers = ({"Retry-After": str(_seconds_to_utc_midnight())}
                   if state.knobs["credits_retry_after"] else {})
        return zoho_error(429, "THRESHOLD_EXCEEDED",
                          "The API credits allotted for the day have been exhausted.",
                          headers), 0
    cost = desk.weight(kind)
    state.credits_used += cost
    response = await _render(request, handler, state, kind)
    if fault == "malformed" and response.status < 300:
        state.counts.faults["malformed"] += 1
        response = _malform(response)
    return response, cost


async def _token_call(request, handler, state):
    fault = _roll_fault(state, request, True)
    if state.knobs["token_faults"]:
        await _delay(state)
    if fault == "hang":
        await _hang(state, request)
    if fault == "error":
        state.counts.faults["error"] += 1
        return web.Response(status=500, text="Internal Server Error")
    response = await handler(request)
    if fault == "malformed" and response.status < 300:
        state.counts.faults["malformed"] += 1
        response = _malform(response)
    return response


@web.middleware
async def sim_middleware(request, handler):
    state = request.app["state"]
    started = time.monotonic()
    path = request.path
    if path.startswith("/_sim/"):
        response = await handler(request)
        if request.method != "GET":
            state.body_cache.clear()
        _log(request, response.status, started, "control", "")
        return response
    kind = "token" if path == "/oauth/v2/token" else _kind(request)
    state.counts.calls[kind] += 1
    status, note = "-", ""
    try:
        if kind == "token":
            response = await _token_call(request, handler, state)
        elif not path.startswith("/api/v1/"):
            response = not_found()
        else:
            response = await _gated_api_call(request, handler, state, kind)
        status = response.status
        note = getattr(response, "note", "")
        state.counts.record(kind, status)
        return response
    except web.HTTPException as exc:  # e.g. GET on the token path (405)
        status = exc.status
        state.counts.record(kind, status)
        raise
    except ClientGone:
        note = "hang ended: client gone"
        return web.Response(status=499)  # never reaches anyone; keeps aiohttp quiet
    except asyncio.CancelledError:
        note = "cancelled"
        raise
    finally:
        _log(request, status, started, kind, note)


async def _gated_api_call(request, handler, state, kind):
    limit = state.knobs["max_concurrent"]
    if limit and state.in_flight >= limit:
        state.counts.rejected["concurrency"] += 1
        await _delay(state)
        headers = {}
        if state.knobs["retry_after"] is not None:
            headers["Retry-After"] = str(state.knobs["retry_after"])
        response = zoho_error(429, "TOO_MANY_REQUESTS", "The maximum number of Concurrent API "
                              "Calls that can be made has been exceeded.", headers)
        _rate_headers(response, state, 0)
        return response
    state.in_flight += 1
    state.counts.max_in_flight = max(state.counts.max_in_flight, state.in_flight)
    try:
        response, cost = await _api_call(request, handler, state, kind)
        _rate_headers(response, state, cost)
        if isinstance(response, AttachmentStream):
            # Written here rather than by aiohttp after the middleware returns, so that a
            # download keeps its slot until its last byte, as a slow upstream call would.
            await response.send(request)
    finally:
        state.in_flight -= 1
    return response

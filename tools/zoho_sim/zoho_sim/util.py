"""Small helpers shared by the simulator modules: time, ids, text, bytes, JSON errors."""

import datetime as dt
import hashlib
import html
import json
import re

from aiohttp import web

UTC = dt.timezone.utc
# Used when a fixture gives no times at all; fixed so output is reproducible.
DEFAULT_EPOCH = dt.datetime(2026, 1, 5, 12, 0, 0, tzinfo=UTC)


def parse_time(value):
    """Accept ISO-8601 (Z or offset), 'YYYY-MM-DD HH:MM:SS' (taken as UTC) or epoch ms."""
    if isinstance(value, dt.datetime):
        return value.astimezone(UTC)
    if isinstance(value, (int, float)):
        return dt.datetime.fromtimestamp(value / 1000.0, tz=UTC)
    text = str(value).strip()
    if text.isdigit():
        return dt.datetime.fromtimestamp(int(text) / 1000.0, tz=UTC)
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    parsed = dt.datetime.fromisoformat(text.replace(" ", "T", 1))
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def iso_ms(moment):
    """Zoho's wire format: UTC, milliseconds, trailing Z."""
    moment = moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (moment.microsecond // 1000)


def now_utc():
    return dt.datetime.now(tz=UTC)


def norm_time(value):
    return None if value is None else iso_ms(parse_time(value))


_TAG = re.compile(r"<[^>]*>")
_BREAK = re.compile(r"<\s*(br\s*/?|/p|/div|/li|/tr|/h\d)\s*>", re.IGNORECASE)
_SPACES = re.compile(r"[ \t\r\f\v]+")


def html_to_text(markup):
    """Rough text rendering, good enough for `summary` and `plainText`."""
    text = _BREAK.sub("\n", markup or "")
    text = html.unescape(_TAG.sub("", text))
    lines = [_SPACES.sub(" ", line).strip() for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def summarize(markup, limit=100):
    return " ".join(html_to_text(markup).split())[:limit].rstrip()


BLOCK = 4096


def attachment_block(attachment_id):
    """The unit of every attachment payload: the concatenation of
    sha256(f"{attachment_id}:{k}") for k = 0..127 (BLOCK bytes). A file of any size is this
    block repeated and cut to length, so tests can recompute it from the id."""
    return b"".join(hashlib.sha256(("%s:%d" % (attachment_id, k)).encode()).digest()
                    for k in range(BLOCK // 32))


def dumps(obj):
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":"))


def json_response(obj, status=200, headers=None):
    return web.Response(body=dumps(obj).encode("utf-8"), status=status, headers=headers,
                        content_type="application/json", charset="UTF-8")


def zoho_error(status, code, message, headers=None):
    return json_response({"errorCode": code, "message": message}, status, headers)


def not_found():
    return zoho_error(404, "URL_NOT_FOUND", "The URL you requested could not be found.")


def unprocessable(message):
    return zoho_error(422, "UNPROCESSABLE_ENTITY", message)


class FixtureError(ValueError):
    """Fixture or control-API data the simulator cannot model."""


class ApiError(Exception):
    """Raised by handlers; the middleware turns it into a Zoho error body."""

    def __init__(self, response):
        super().__init__(response.status)
        self.response = response

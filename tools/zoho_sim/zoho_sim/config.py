"""Runtime knobs. One table drives the CLI flags, POST /_sim/config and the docs."""

import copy


def _rate(value):
    value = float(value)
    if not 0.0 <= value <= 1.0:
        raise ValueError("must be within [0, 1]")
    return value


def _non_negative(kind):
    def convert(value):
        value = kind(value)
        if value < 0:
            raise ValueError("must be >= 0")
        return value
    return convert


def _bool(value):
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off"):
        return False
    raise ValueError("must be a boolean")


def _optional_int(value):
    return None if value is None or value == "" else _non_negative(int)(value)


def _paging_base(value):
    value = int(value)
    if value not in (0, 1):
        raise ValueError("must be 0 or 1")
    return value


def _http_status(value):
    value = int(value)
    if not 100 <= value <= 599:
        raise ValueError("must be an HTTP status")
    return value


# name -> (converter, default, help)
KNOBS = {
    "latency_ms": (_non_negative(float), 0.0, "fixed delay added to every Zoho call"),
    "jitter_ms": (_non_negative(float), 0.0, "extra uniform random delay in [0, jitter]"),
    "max_concurrent": (_non_negative(int), 0,
                       "in-flight /api/v1 calls allowed before 429 TOO_MANY_REQUESTS (0 = off)"),
    "retry_after": (_optional_int, None, "Retry-After seconds on TOO_MANY_REQUESTS (unset = none)"),
    "credits": (_non_negative(int), 100000,
                "daily API credit budget; setting it at runtime restarts the day"),
    "credits_retry_after": (_bool, True,
                            "Retry-After (seconds to 00:00 UTC) on THRESHOLD_EXCEEDED; 0 = absent"),
    "error_rate": (_rate, 0.0, "share of calls answered 500 INTERNAL_SERVER_ERROR"),
    "hang_rate": (_rate, 0.0, "share of calls never answered (until the client hangs up)"),
    "malformed_rate": (_rate, 0.0, "share of calls answered 200 with a truncated body"),
    "fault_path": (str, "", "faults only hit paths containing this substring ('' = all)"),
    "token_faults": (_bool, False, "also inject faults/latency into POST /oauth/v2/token"),
    "token_lifetime": (_non_negative(int), 3600, "access token lifetime in seconds"),
    "token_throttle_limit": (_non_negative(int), 10,
                             "token grants allowed per throttle window (0 = unlimited)"),
    "token_throttle_window": (_non_negative(float), 600.0, "throttle window in seconds"),
    "max_active_tokens": (_non_negative(int), 10,
                          "live tokens per refresh token; the oldest is revoked past it (0 = off)"),
    "token_error_status": (_http_status, 200, "HTTP status of invalid_code/invalid_client bodies"),
    "scopes": (str, "Desk.tickets.READ,Desk.search.READ,Desk.basic.READ",
               "scopes of the refresh token (comma-separated); a call outside them gets 403 "
               "SCOPE_MISMATCH"),
    "refresh_token_revoked": (_bool, False,
                              "the refresh token is revoked: grants get invalid_code and the "
                              "access tokens it issued stop working"),
    "paging_base": (_paging_base, 0, "index of the first row for `from` on threads/attachments"),
    "thread_limit_max": (_non_negative(int), 100, "largest `limit` accepted on /threads"),
    "ticket_attachments_include_threads": (
        _bool, False, "list thread attachments in GET /tickets/{id}/attachments too"),
    "download_rate": (_non_negative(int), 0,
                      "attachment bodies are paced to this many bytes per second (0 = unlimited)"),
    "download_chunked": (_bool, False,
                         "attachment bodies are sent chunked, without Content-Length"),
    "download_cut_after": (_non_negative(int), 0,
                           "attachment bodies stop after this many bytes and the connection "
                           "is closed (0 = off)"),
    "seed": (_optional_int, None, "random seed for latency jitter and faults"),
}


def defaults():
    return {name: spec[1] for name, spec in KNOBS.items()}


class ConfigError(ValueError):
    pass


def apply(config, changes):
    """Validate and merge; returns the merged copy. Unknown keys are errors so typos show."""
    merged = copy.deepcopy(config)
    for name, value in changes.items():
        if name not in KNOBS:
            raise ConfigError("unknown knob '%s'" % name)
        try:
            merged[name] = KNOBS[name][0](value)
        except (TypeError, ValueError) as exc:
            raise ConfigError("knob '%s': %s" % (name, exc)) from None
    return merged


def add_arguments(parser):
    for name, (conv, default, text) in KNOBS.items():
        extra = {"nargs": "?", "const": True} if conv is _bool else {}
        parser.add_argument("--" + name.replace("_", "-"), dest="knob_" + name, default=None,
                            metavar="V", help="%s (default %s)" % (text, default), **extra)


def from_args(args):
    given = {name: getattr(args, "knob_" + name) for name in KNOBS
             if getattr(args, "knob_" + name) is not None}
    return apply(defaults(), given)

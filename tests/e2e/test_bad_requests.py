"""A table of hostile and broken requests: each gets its exact status and message, and the server
answers a health check right after, proving it still serves.

One server per engine runs the whole table. It trusts 127.0.0.1 as a proxy and every case
claims its own X-Forwarded-For address, so that the table's failed logins never add up to a
login throttle (test_login_throttle.py covers that). Contract strings are used where the spec
defines them; the others are the service's documented choices (README).
"""

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass, field

import pytest

from conftest import Service, import_seed, stop_and_check
from e2e_helpers import AUTH, DETAILS, exchange, parse_json_response
from e2e_seed import EXPECTED_TICKETS, PASSWORDS

# Contract strings.
METHOD = "Method not allowed"
QUERY = "This endpoint only accepts JSON body (no URL parameters)"
AUTH_REQUIRED = "auth is required"
INVALID_AUTH = "invalid auth"
INVALID_CREDENTIALS = "Invalid credentials"
NO_ID = "Provide ticket_number, zoho_id or chamado_id"
NOT_FOUND = "Ticket not found"
# The service's own strings (README "Choices the contract leaves open").
MALFORMED = "Malformed HTTP request"
NOT_OBJECT = "Request body must be a JSON object"
TOO_LARGE = "Request body too large (limit 65536 bytes)"
HEADERS_TOO_LARGE = "Request headers too large"
TOO_DEEP = "Request body is nested too deeply (limit 16 levels)"
TOO_LONG = "Request body has a string longer than 4096 characters"
NO_ROUTE = "Not found"
BAD_REFRESH = 'refresh must be 0 or 1 (or "0", "1", false, true)'
CHAMADO_NOT_INT = "chamado_id must be a non-negative integer"
TEN_MB = 10 * 1024 * 1024


def not_str_or_int(name):
    return f"{name} must be a string or a non-negative integer"


# ---------------------------------------------------------------------------------------------
# What a case sends


@dataclass
class Ctx:
    """Per-server facts the cases need: the server, its tokens and its signing key."""
    svc: Service
    tokens: dict = field(default_factory=dict)

    def token(self, login):
        if login not in self.tokens:
            self.tokens[login] = self.svc.login(login)
        return self.tokens[login]

    def claims(self, login):
        """(user id, credential version) from a real token of `login`."""
        parts = base64.b64decode(self.token(login)).decode().split(".")
        return int(parts[1]), int(parts[2])

    def sign(self, payload, secret=None):
        """A token for `payload` with a MAC under the server's key (or another one)."""
        key = (secret or self.svc.secret).encode()
        mac = hmac.new(key, payload.encode(), hashlib.sha256).hexdigest()
        return base64.b64encode(f"{payload}.{mac}".encode()).decode()


def raw(data):
    """Bytes written straight to a socket."""
    def send(ctx, address):
        payload = data(ctx) if callable(data) else data
        status, _, body = parse_json_response(exchange(ctx.svc.port, payload))
        return status, body
    return send


def http(method, path, body=None):
    """One request through http.client; `body` may be a function of the context."""
    def send(ctx, address):
        payload = body(ctx) if callable(body) else body
        status, _, reply = ctx.svc.request(method, path, payload,
                                           headers={"X-Forwarded-For": address})
        return status, reply
    return send


def details(**fields):
    """ticket_details with acme's token and these fields (values may be functions of ctx)."""
    return details_as("acme", **fields)


def details_as(login, **fields):
    def body(ctx):
        return {"auth": ctx.token(login),
                **{k: v(ctx) if callable(v) else v for k, v in fields.items()}}
    return http("GET", DETAILS, body)


def with_token(make):
    """ticket_details for ticket 99 with the token `make(ctx)` builds."""
    return http("GET", DETAILS, lambda ctx: {"auth": make(ctx), "chamado_id": 99})


def login(login_value, password="some-wrong-password", method="POST"):
    return http(method, AUTH, {"login": login_value, "password": password})


def nested(depth):
    return "[" * depth + "]" * depth


def request_head(path, extra=""):
    return f"GET {path} HTTP/1.1\r\nHost: e2e\r\nConnection: close\r\n{extra}".encode()


# ---------------------------------------------------------------------------------------------
# The table: (case id, sender, status, message)

CASES = [
    # Malformed HTTP on raw sockets ----------------------------------------------------------
    ("http: request line without version", raw(b"GET /healthz\r\n\r\n"), 400, MALFORMED),
    ("http: space in header name",
     raw(b"GET /healthz HTTP/1.1\r\nBad Header: x\r\n\r\n"), 400, MALFORMED),
    ("http: negative content-length",
     raw(request_head(DETAILS, "Content-Length: -5\r\n\r\n")), 400, MALFORMED),
    ("http: content-length overflow",
     raw(request_head(DETAILS, "Content-Length: 99999999999999999999999\r\n\r\n")), 400,
     MALFORMED),
    ("http: NUL in target", raw(b"GET /heal\x00thz HTTP/1.1\r\nHost: e2e\r\n\r\n"), 400,
     MALFORMED),
    ("http: NUL in header value",
     raw(b"GET /healthz HTTP/1.1\r\nHost: e2e\r\nX-A: a\x00b\r\n\r\n"), 400, MALFORMED),
    ("http: bad character in method", raw(b"G(T /healthz HTTP/1.1\r\nHost: e2e\r\n\r\n"), 400,
     MALFORMED),
    ("http: TLS hello on plain port",
     raw(b"\x16\x03\x01\x00\xa5\x01\x00\x00\xa1\x03\x03" + bytes(range(32)) + b"\r\n\r\n"),
     400, MALFORMED),
    ("http: chunk size overflow",
     raw(request_head(DETAILS, "Transfer-Encoding: chunked\r\n\r\n") +
         b"fffffffffffffffffffff\r\n"), 400, MALFORMED),
    ("http: chunk without terminator",
     raw(request_head(DETAILS, "Transfer-Encoding: chunked\r\n\r\n") + b"2\r\n{}XX1\r\n"),
     400, MALFORMED),
    ("http: 20 KB request target",
     raw(b"GET /" + b"a" * 20000 + b" HTTP/1.1\r\nHost: e2e\r\n\r\n"), 431, HEADERS_TOO_LARGE),
    ("http: 2000 small headers",
     raw(b"GET /healthz HTTP/1.1\r\n" + b"".join(b"X-%d: v\r\n" % i for i in range(2000)) +
         b"\r\n"), 431, HEADERS_TOO_LARGE),
    ("http: 10 MB body sent",
     raw(request_head(DETAILS, f"Content-Length: {TEN_MB}\r\n\r\n") + b"{" * TEN_MB), 413,
     TOO_LARGE),
    ("http: 10 MB chunked body sent",
     raw(request_head(AUTH, "Transfer-Encoding: chunked\r\n\r\n") +
         b"".join([b"100000\r\n" + b"[" * 0x100000 + b"\r\n"] * 10) + b"0\r\n\r\n"), 413,
     TOO_LARGE),
    ("http: 10 MB JSON string",
     raw(request_head(DETAILS, f"Content-Length: {TEN_MB + 11}\r\n\r\n") +
         b'{"auth":"' + b"a" * TEN_MB + b'"}'), 413, TOO_LARGE),
    ("http: 10 MB password",
     raw(request_head(AUTH, f"Content-Length: {TEN_MB + 30}\r\n\r\n").replace(b"GET", b"POST")
         + b'{"login":"acme","password":"' + b"p" * TEN_MB + b'"}'), 413, TOO_LARGE),

    # Wrong methods and paths ------------------------------------------------------------------
    ("method: TRACE details", http("TRACE", DETAILS), 405, METHOD),
    ("method: custom verb details", http("FROB", DETAILS, {}), 405, METHOD),
    ("method: lower-case get details", http("get", DETAILS, {}), 405, METHOD),
    ("method: OPTIONS auth", http("OPTIONS", AUTH), 405, METHOD),
    ("method: TRACE auth", http("TRACE", AUTH), 405, METHOD),
    ("method: PROPFIND auth", http("PROPFIND", AUTH, {"login": "acme"}), 405, METHOD),
    ("method: PUT healthz", http("PUT", "/healthz", {}), 405, METHOD),
    ("method: DELETE healthz", http("DELETE", "/healthz"), 405, METHOD),
    ("path: webhook without a configured secret", http("POST", "/api/zoho/webhook/guess", {}),
     404, NO_ROUTE),
    ("path: encoded slash", http("GET", "/api/get%2Fticket_details", {}), 404, NO_ROUTE),
    ("path: dot segments", http("GET", "/api/get/../get/ticket_details", {}), 404, NO_ROUTE),
    ("path: double slash", http("GET", "//api/get/ticket_details", {}), 404, NO_ROUTE),

    # Query strings ------------------------------------------------------------------------------
    ("query: bare ? on auth", http("POST", AUTH + "?", {"login": "a", "password": "b"}), 400,
     QUERY),
    ("query: credentials in URL", http("GET", AUTH + "?login=acme&password=acme-password-1"),
     400, QUERY),
    ("query: NUL escape on details", http("GET", DETAILS + "?%00", {}), 400, QUERY),
    ("query: identifiers in URL, no body", http("GET", DETAILS + "?auth=x&chamado_id=99"), 400,
     QUERY),
    ("query: SQL in URL", http("GET", DETAILS + "?ticket_number=1'%20OR%20'1'='1", {}), 400,
     QUERY),

    # Bodies that are not a JSON object ----------------------------------------------------------
    ("body: form encoding on auth", http("POST", AUTH, "login=acme&password=x"), 400,
     NOT_OBJECT),
    ("body: XML on auth", http("POST", AUTH, "<login>acme</login>"), 400, NOT_OBJECT),
    ("body: single quotes", http("POST", AUTH, "{'login': 'acme', 'password': 'x'}"), 400,
     NOT_OBJECT),
    ("body: trailing comma", http("GET", DETAILS, '{"auth": "x",}'), 400, NOT_OBJECT),
    ("body: NaN", http("GET", DETAILS, '{"auth": "x", "chamado_id": NaN}'), 400, NOT_OBJECT),
    ("body: Infinity", http("GET", DETAILS, '{"chamado_id": Infinity}'), 400, NOT_OBJECT),
    ("body: comment", http("GET", DETAILS, '/* c */ {"auth": "x"}'), 400, NOT_OBJECT),
    ("body: byte order mark", http("GET", DETAILS, b'\xef\xbb\xbf{"auth": "x"}'), 400,
     NOT_OBJECT),
    ("body: two objects", http("POST", AUTH, '{"login":"a","password":"b"}{}'), 400,
     NOT_OBJECT),
    ("body: only whitespace", http("GET", DETAILS, " \n\t "), 400, NOT_OBJECT),
    ("body: unterminated string", http("POST", AUTH, '{"login":"acme'), 400, NOT_OBJECT),
    ("body: bare word", http("GET", DETAILS, "nul"), 400, NOT_OBJECT),
    ("body: raw NUL byte", http("GET", DETAILS, b'{"auth": "a\x00b"}'), 400, NOT_OBJECT),
    ("body: raw control character", http("GET", DETAILS, b'{"auth": "a\x01b"}'), 400,
     NOT_OBJECT),

    # Invalid UTF-8 ------------------------------------------------------------------------------
    ("utf8: 0xFF in value", http("GET", DETAILS, b'{"auth": "x", "ticket_number": "1\xff"}'),
     400, NOT_OBJECT),
    ("utf8: 0xFF in key", http("GET", DETAILS, b'{"au\xffth": "x"}'), 400, NOT_OBJECT),
    ("utf8: overlong slash", http("POST", AUTH, b'{"login": "\xc0\xaf", "password": "x"}'),
     400, NOT_OBJECT),
    ("utf8: truncated sequence", http("POST", AUTH, b'{"login": "acme\xc3", "password": "x"}'),
     400, NOT_OBJECT),
    ("utf8: encoded surrogate", http("GET", DETAILS, b'{"auth": "\xed\xa0\x80"}'), 400,
     NOT_OBJECT),
    ("utf8: lone surrogate escape", http("GET", DETAILS, '{"auth": "\\ud800"}'), 400,
     NOT_OBJECT),

    # Nesting and sizes --------------------------------------------------------------------------
    ("depth: 17 levels", http("GET", DETAILS, nested(17)), 400, TOO_DEEP),
    ("depth: 10000 levels", http("GET", DETAILS, nested(10000)), 400, TOO_DEEP),
    ("depth: 17 levels inside a field",
     http("GET", DETAILS, '{"auth": "x", "extra": ' + nested(16) + "}"), 400, TOO_DEEP),
    ("size: 4097-character unknown field",
     http("GET", DETAILS, {"auth": "x", "note": "n" * 4097}), 400, TOO_LONG),
    ("size: 4097-character key", http("GET", DETAILS, {"k" * 4097: 1}), 400, TOO_LONG),
    ("size: 4097-character ticket_number", details(ticket_number="9" * 4097), 400, TOO_LONG),
    ("size: 4096-character ticket_number", details(ticket_number="9" * 4096), 404, NOT_FOUND),
    ("size: 3000 keys", http("GET", DETAILS, {f"k{i}": i for i in range(3000)}), 401,
     AUTH_REQUIRED),

    # auth endpoint: every wrong type per field ----------------------------------------------
    ("login: number", http("POST", AUTH, {"login": 5, "password": "x"}), 400,
     "login must be a string"),
    ("login: true", http("POST", AUTH, {"login": True, "password": "x"}), 400,
     "login must be a string"),
    ("login: false", http("POST", AUTH, {"login": False, "password": "x"}), 400,
     "login must be a string"),
    ("login: array", http("POST", AUTH, {"login": ["acme"], "password": "x"}), 400,
     "login must be a string"),
    ("login: object", http("POST", AUTH, {"login": {"name": "acme"}, "password": "x"}), 400,
     "login must be a string"),
    ("login: float", http("POST", AUTH, {"login": 1.5, "password": "x"}), 400,
     "login must be a string"),
    ("login: huge number", http("POST", AUTH, '{"login": 1e400, "password": "x"}'), 400,
     "login must be a string"),
    ("login: null", http("POST", AUTH, {"login": None, "password": "x"}), 400,
     "login is required"),
    ("password: true", http("POST", AUTH, {"login": "acme", "password": True}), 400,
     "password must be a string"),
    ("password: array", http("POST", AUTH, {"login": "acme", "password": ["x"]}), 400,
     "password must be a string"),
    ("password: object", http("POST", AUTH, {"login": "acme", "password": {}}), 400,
     "password must be a string"),
    ("password: zero", http("POST", AUTH, {"login": "acme", "password": 0}), 400,
     "password must be a string"),
    ("password: null", http("POST", AUTH, {"login": "acme", "password": None}), 400,
     "password is required"),
    ("password: empty", http("POST", AUTH, {"login": "acme", "password": ""}), 400,
     "password is required"),
    ("login: wrong type wins over missing password", http("POST", AUTH, {"login": 7}), 400,
     "login must be a string"),

    # ticket_details: every wrong type per field ---------------------------------------------
    ("auth: true", http("GET", DETAILS, {"auth": True, "chamado_id": 99}), 401, INVALID_AUTH),
    ("auth: false", http("GET", DETAILS, {"auth": False, "chamado_id": 99}), 401, INVALID_AUTH),
    ("auth: array", http("GET", DETAILS, {"auth": ["x"], "chamado_id": 99}), 401, INVALID_AUTH),
    ("auth: float", http("GET", DETAILS, {"auth": 1.5, "chamado_id": 99}), 401, INVALID_AUTH),
    ("auth: zero", http("GET", DETAILS, {"auth": 0, "chamado_id": 99}), 401, INVALID_AUTH),
    ("ticket_number: object", details(ticket_number={}), 400, not_str_or_int("ticket_number")),
    ("ticket_number: false", details(ticket_number=False), 400, not_str_or_int("ticket_number")),
    ("ticket_number: 1e3", http("GET", DETAILS, lambda c: f'{{"auth": "{c.token("acme")}", '
                                                          f'"ticket_number": 1e3}}'),
     400, not_str_or_int("ticket_number")),
    ("ticket_number: -0", details(ticket_number=-0.0), 400, not_str_or_int("ticket_number")),
    ("zoho_id: true", details(zoho_id=True), 400, not_str_or_int("zoho_id")),
    ("zoho_id: array", details(zoho_id=["123456789012345678"]), 400, not_str_or_int("zoho_id")),
    ("zoho_id: negative", details(zoho_id=-5), 400, not_str_or_int("zoho_id")),
    ("zoho_id: float", details(zoho_id=1.5), 400, not_str_or_int("zoho_id")),
    ("chamado_id: array", details(chamado_id=[99]), 400, not_str_or_int("chamado_id")),
    ("chamado_id: object", details(chamado_id={"id": 99}), 400, not_str_or_int("chamado_id")),
    ("chamado_id: true", details(chamado_id=True), 400, not_str_or_int("chamado_id")),
    ("chamado_id: exponent string", details(chamado_id="1e3"), 400, CHAMADO_NOT_INT),
    ("chamado_id: hex string", details(chamado_id="0x10"), 400, CHAMADO_NOT_INT),
    ("chamado_id: plus sign", details(chamado_id="+99"), 400, CHAMADO_NOT_INT),
    ("chamado_id: decimal string", details(chamado_id="99.0"), 400, CHAMADO_NOT_INT),
    ("refresh: string 01", details(chamado_id=99, refresh="01"), 400, BAD_REFRESH),
    ("refresh: TRUE", details(chamado_id=99, refresh="TRUE"), 400, BAD_REFRESH),
    ("refresh: 1.0", details(chamado_id=99, refresh=1.0), 400, BAD_REFRESH),
    ("refresh: huge", http("GET", DETAILS, lambda c: f'{{"auth": "{c.token("acme")}", '
                                                     f'"chamado_id": 99, "refresh": 1e308}}'),
     400, BAD_REFRESH),
    ("refresh: bad, no identifier", details(refresh=[1]), 400, BAD_REFRESH),

    # Huge numbers -------------------------------------------------------------------------------
    ("huge: chamado_id beyond uint64",
     http("GET", DETAILS, lambda c: f'{{"auth": "{c.token("acme")}", '
                                    f'"chamado_id": 99999999999999999999}}'),
     400, not_str_or_int("chamado_id")),
    ("huge: chamado_id uint64 max", details(chamado_id=18446744073709551615), 400,
     CHAMADO_NOT_INT),
    ("huge: chamado_id int64 max", details(chamado_id=9223372036854775807), 404, NOT_FOUND),
    ("huge: chamado_id string beyond int64", details(chamado_id="99999999999999999999"), 400,
     CHAMADO_NOT_INT),
    ("huge: zoho_id uint64 max", details(zoho_id=18446744073709551615), 404, NOT_FOUND),
    ("huge: ticket_number 1e400",
     http("GET", DETAILS, lambda c: f'{{"auth": "{c.token("acme")}", "ticket_number": 1e400}}'),
     400, not_str_or_int("ticket_number")),
    ("huge: ticket_number 400 digits", details(ticket_number="9" * 400), 404, NOT_FOUND),

    # NUL bytes inside JSON strings ------------------------------------------------------------
    # PostgreSQL cut these at the NUL and found ticket 12345, SQLite found nothing: now a 400.
    ("nul: in ticket_number", details(ticket_number="123\u000045"), 400,
     "ticket_number must not contain NUL characters"),
    ("nul: whole zoho_id", details(zoho_id="\u0000"), 400,
     "zoho_id must not contain NUL characters"),
    ("nul: in chamado_id", details(chamado_id="9\u00009"), 400,
     "chamado_id must not contain NUL characters"),
    ("nul: after a real ticket_number", details(ticket_number="12345\u0000"), 400,
     "ticket_number must not contain NUL characters"),
    ("nul: after a real zoho_id", details(zoho_id="123456789012345678\u0000"), 400,
     "zoho_id must not contain NUL characters"),
    ("nul: in login", login("acme\u0000"), 400, "login must not contain NUL characters"),
    ("nul: after a real login, right password", login("acme\u0000", PASSWORDS["acme"]), 400,
     "login must not contain NUL characters"),
    ("nul: after the right password", login("acme", PASSWORDS["acme"] + "\u0000"), 401,
     INVALID_CREDENTIALS),
    ("nul: in token", with_token(lambda c: c.token("acme") + "\u0000"), 401, INVALID_AUTH),
    ("nul: key prefix", http("GET", DETAILS, {"\u0000auth": "x", "chamado_id": 99}), 401,
     AUTH_REQUIRED),

    # Tokens: forged, truncated, expired -------------------------------------------------------
    ("token: signed with another key",
     with_token(lambda c: c.sign("v1.%d.%d.9999999999" % c.claims("acme"), "k" * 48)), 401,
     INVALID_AUTH),
    ("token: MAC of zeros",
     with_token(lambda c: base64.b64encode(b"v1.1.1.9999999999." + b"0" * 64).decode()), 401,
     INVALID_AUTH),
    ("token: upper-case MAC",
     with_token(lambda c: base64.b64encode(
         base64.b64decode(c.sign("v1.%d.%d.9999999999" % c.claims("acme")))
         .upper().replace(b"V1.", b"v1.")).decode()), 401, INVALID_AUTH),
    ("token: expired a second ago",
     with_token(lambda c: c.sign("v1.%d.%d.%d" % (*c.claims("acme"), int(time.time()) - 1))),
     401, INVALID_AUTH),
    ("token: expiry zero", with_token(lambda c: c.sign("v1.%d.%d.0" % c.claims("acme"))), 401,
     INVALID_AUTH),
    ("token: negative expiry", with_token(lambda c: c.sign("v1.%d.%d.-5" % c.claims("acme"))),
     401, INVALID_AUTH),
    ("token: truncated by one character", with_token(lambda c: c.token("acme")[:-1]), 401,
     INVALID_AUTH),
    ("token: truncated payload", with_token(lambda c: base64.b64encode(
        base64.b64decode(c.token("acme"))[:40]).decode()), 401, INVALID_AUTH),
    ("token: only the MAC dropped", with_token(lambda c: base64.b64encode(
        base64.b64decode(c.token("acme")).rsplit(b".", 1)[0]).decode()), 401, INVALID_AUTH),
    ("token: negative user id", with_token(lambda c: c.sign("v1.-1.1.9999999999")), 401,
     INVALID_AUTH),
    ("token: version v2", with_token(lambda c: c.sign("v2.%d.%d.9999999999" % c.claims("acme"))),
     401, INVALID_AUTH),
    ("token: extra field",
     with_token(lambda c: c.sign("v1.%d.%d.9999999999.x" % c.claims("acme"))), 401,
     INVALID_AUTH),
    ("token: missing field",
     with_token(lambda c: c.sign("v1.%d.9999999999" % c.claims("acme")[:1])), 401, INVALID_AUTH),
    ("token: trailing newline", with_token(lambda c: c.token("acme") + "\n"), 401, INVALID_AUTH),
    ("token: space inside", with_token(lambda c: c.token("acme")[:8] + " " + c.token("acme")[8:]),
     401, INVALID_AUTH),
    ("token: unknown user, well signed",
     with_token(lambda c: c.sign("v1.987654.1.9999999999")), 401, INVALID_CREDENTIALS),
    ("token: stale credential version, well signed",
     with_token(lambda c: c.sign("v1.%d.%d.9999999999" % (c.claims("acme")[0],
                                                           c.claims("acme")[1] + 1))),
     401, INVALID_CREDENTIALS),
    ("token: 4097 characters", with_token(lambda c: "A" * 4097), 400, TOO_LONG),

    # Another customer's tickets ---------------------------------------------------------------
    ("tenancy: globex ticket by chamado_id", details(chamado_id=101), 404, NOT_FOUND),
    ("tenancy: globex ticket by ticket_number", details(ticket_number="20001"), 404, NOT_FOUND),
    ("tenancy: globex ticket by numeric zoho_id", details(zoho_id=123456789012345999), 404,
     NOT_FOUND),
    ("tenancy: blocked client's ticket", details(chamado_id=102), 404, NOT_FOUND),
    ("tenancy: ticket without client", details(ticket_number="60001"), 404, NOT_FOUND),
    ("tenancy: acme ticket seen by globex", details_as("globex", chamado_id=99), 404, NOT_FOUND),
    ("tenancy: own number, foreign zoho_id",
     details(ticket_number="12345", zoho_id="123456789012345999"), 404, NOT_FOUND),

    # SQL metacharacters in every identifier ---------------------------------------------------
    ("sql: ticket_number OR true", details(ticket_number="' OR '1'='1"), 404, NOT_FOUND),
    ("sql: ticket_number comment", details(ticket_number="12345' --"), 404, NOT_FOUND),
    ("sql: ticket_number stacked DROP",
     details(ticket_number="1; DROP TABLE tickets; --"), 404, NOT_FOUND),
    ("sql: ticket_number LIKE wildcard", details(ticket_number="%"), 404, NOT_FOUND),
    ("sql: ticket_number underscores", details(ticket_number="1234_"), 404, NOT_FOUND),
    ("sql: ticket_number backslash quote", details(ticket_number="12345\\'"), 404, NOT_FOUND),
    ("sql: ticket_number double quotes", details(ticket_number='12345" OR ""="'), 404, NOT_FOUND),
    ("sql: ticket_number placeholder", details(ticket_number="$1"), 404, NOT_FOUND),
    ("sql: zoho_id OR true", details(zoho_id="' OR 1=1 --"), 404, NOT_FOUND),
    ("sql: zoho_id UNION", details(zoho_id="0' UNION SELECT password_hash FROM api_users --"),
     404, NOT_FOUND),
    ("sql: zoho_id wildcard", details(zoho_id="1234567890123456%"), 404, NOT_FOUND),
    ("sql: chamado_id OR true", details(chamado_id="99 OR 1=1"), 400, CHAMADO_NOT_INT),
    ("sql: chamado_id stacked", details(chamado_id="99; DELETE FROM tickets"), 400,
     CHAMADO_NOT_INT),
    ("sql: chamado_id quote", details(chamado_id="99'"), 400, CHAMADO_NOT_INT),
    ("sql: login OR true", login("' OR '1'='1"), 401, INVALID_CREDENTIALS),
    ("sql: login comment", login("acme'--"), 401, INVALID_CREDENTIALS),
    ("sql: login wildcard", login("%"), 401, INVALID_CREDENTIALS),
    ("sql: login wildcard prefix", login("acm%"), 401, INVALID_CREDENTIALS),
    ("sql: password OR true", login("acme", "' OR ''='"), 401, INVALID_CREDENTIALS),
    ("sql: webhook path", http("POST", "/api/zoho/webhook/'%20OR%201=1%20--", {}), 404, NO_ROUTE),
]

CASE_IDS = [case[0] for case in CASES]
assert len(set(CASE_IDS)) == len(CASE_IDS), "case ids must be unique"
assert len(CASES) >= 100


@pytest.fixture(scope="module")
def ctx(module_db_url, tmp_path_factory):
    workdir = tmp_path_factory.mktemp("bad-requests")
    import_seed(workdir, module_db_url)
    svc = Service(module_db_url, workdir, extra_args=["--trusted-proxy", "127.0.0.1"]).start()
    yield Ctx(svc)
    stop_and_check(svc)


@pytest.mark.parametrize("index", range(len(CASES)), ids=CASE_IDS)
def test_bad_request(ctx, index):
    _, send, status, message = CASES[index]
    # Each case its own client address (documentation range), so logins never add up.
    got = send(ctx, f"2001:db8::{index:x}")
    assert got == (status, {"success": False, "error": message})
    assert ctx.svc.request("GET", "/healthz")[::2] == (200, {"status": "ok"})


def test_data_is_intact_after_the_table(ctx):
    # Runs after every case (pytest keeps file order): nothing was dropped or changed.
    for login_name, ticket_id in (("acme", 99), ("globex", 101), ("ops", 102)):
        status, _, body = ctx.svc.details(ctx.token(login_name), chamado_id=ticket_id)
        assert (status, body["ticket"]) == (200, EXPECTED_TICKETS[ticket_id])
    assert ctx.svc.request("POST", AUTH, {"login": "acme", "password": PASSWORDS["acme"]})[0] == 200

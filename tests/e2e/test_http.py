"""HTTP-level behaviour: keep-alive, size limits, bad input, routing, request ids, shutdown."""

import json
import re
import socket
import time

import pytest

from e2e_helpers import (DETAILS, JSON_CONTENT_TYPE, assert_error, assert_json_headers,
                         assert_ticket, exchange, parse_json_response, read_until_closed)
from e2e_seed import EXPECTED_TICKETS

BODY_LIMIT = 64 * 1024
TOO_LARGE = f"Request body too large (limit {BODY_LIMIT} bytes)"
GENERATED_ID = re.compile(r"^[0-9a-f]{16}$")


def request_head(length_header, path=DETAILS):
    return (f"GET {path} HTTP/1.1\r\nHost: e2e\r\nContent-Type: application/json\r\n"
            f"{length_header}\r\n\r\n").encode()


# Keep-alive ----------------------------------------------------------------------------------


def test_keep_alive_serves_several_requests_on_one_connection(service):
    acme = service.login("acme")
    conn = service.connect()
    conn.connect()
    sock = conn.sock
    steps = [
        ("GET", "/healthz", None, 200),
        ("GET", DETAILS, {"auth": acme, "chamado_id": 99}, 200),
        ("GET", DETAILS, {"auth": "bad"}, 401),
        ("GET", "/no/such/path", None, 404),
        ("PUT", DETAILS, None, 405),
        ("GET", DETAILS, {"auth": acme, "ticket_number": "12347"}, 200),
    ]
    try:
        for method, path, body, status in steps:
            conn.request(method, path, body=json.dumps(body) if body else None)
            res = conn.getresponse()
            res.read()
            assert (res.status, res.will_close) == (status, False)
            assert conn.sock is sock, "the server closed a keep-alive connection"
    finally:
        conn.close()


def test_head_answer_has_no_body(service):
    # Two pipelined requests: bytes after the HEAD answer's header block would be taken for the
    # start of the next response (http.client cannot see this: it drops its buffer).
    raw = exchange(service.port, b"HEAD /healthz HTTP/1.1\r\nHost: e2e\r\n\r\n"
                                 b"GET /healthz HTTP/1.1\r\nHost: e2e\r\nConnection: close\r\n\r\n")
    head, _, rest = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200 ")
    assert rest.startswith(b"HTTP/1.1 200 "), f"HEAD answer carried a body: {rest[:40]!r}"
    assert parse_json_response(rest)[2] == {"status": "ok"}


def test_connection_close_is_honoured(service):
    raw = exchange(service.port, b"GET /healthz HTTP/1.1\r\nHost: e2e\r\nConnection: close\r\n\r\n")
    status, headers, body = parse_json_response(raw)
    assert (status, body) == (200, {"status": "ok"})
    assert headers.get("connection", "").lower() == "close"


# Body size -----------------------------------------------------------------------------------


def test_body_over_64_kib_is_413(service):
    raw = exchange(service.port, request_head(f"Content-Length: {BODY_LIMIT + 1}"))
    status, headers, body = parse_json_response(raw)
    assert (status, body) == (413, {"success": False, "error": TOO_LARGE})
    assert headers.get("content-type") == JSON_CONTENT_TYPE


def test_chunked_body_over_64_kib_is_413(service):
    data = request_head("Transfer-Encoding: chunked") + f"{BODY_LIMIT + 1:x}\r\n".encode()
    status, _, body = parse_json_response(exchange(service.port, data + b"{" * 100))
    assert (status, body) == (413, {"success": False, "error": TOO_LARGE})


def test_body_of_exactly_64_kib_is_read(service):
    body = b'{"auth":"x"}'
    body += b" " * (BODY_LIMIT - len(body))
    assert_error(service.request("GET", DETAILS, body), 401, "invalid auth")


def test_chunked_body_is_read(service):
    body = json.dumps({"auth": service.login("acme"), "chamado_id": 99}).encode()
    chunks = b"".join(b"%x\r\n%s\r\n" % (len(part), part)
                      for part in (body[:7], body[7:40], body[40:]))
    data = request_head("Transfer-Encoding: chunked\r\nConnection: close") + chunks + b"0\r\n\r\n"
    status, _, reply = parse_json_response(exchange(service.port, data))
    assert (status, reply["ticket"]) == (200, EXPECTED_TICKETS[99])


def test_server_still_serves_after_413(service):
    exchange(service.port, request_head(f"Content-Length: {10 * 1024 * 1024}"))
    assert_ticket(service.details(service.login("acme"), chamado_id=99), EXPECTED_TICKETS[99])


# Malformed HTTP ------------------------------------------------------------------------------


MALFORMED = {
    "garbage request line": b"GARBAGE\r\n\r\n",
    "header without colon": b"GET /healthz HTTP/1.1\r\nHost e2e\r\n\r\n",
    "bad content-length": b"GET /healthz HTTP/1.1\r\nHost: e2e\r\nContent-Length: abc\r\n\r\n",
    "two content-lengths": (b"GET /healthz HTTP/1.1\r\nHost: e2e\r\nContent-Length: 1\r\n"
                            b"Content-Length: 2\r\n\r\nab"),
    "bad chunk size": (b"GET /healthz HTTP/1.1\r\nHost: e2e\r\nTransfer-Encoding: chunked"
                       b"\r\n\r\nZZ\r\n"),
}


@pytest.mark.parametrize("case", list(MALFORMED))
def test_malformed_http_is_400(service, case):
    status, headers, body = parse_json_response(exchange(service.port, MALFORMED[case]))
    assert (status, body) == (400, {"success": False, "error": "Malformed HTTP request"})
    assert headers.get("content-type") == JSON_CONTENT_TYPE
    assert service.request("GET", "/healthz")[0] == 200


def test_headers_over_16_kib_are_431(service):
    data = b"GET /healthz HTTP/1.1\r\nHost: e2e\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n"
    status, _, body = parse_json_response(exchange(service.port, data))
    assert (status, body) == (431, {"success": False, "error": "Request headers too large"})


SERVER_LEVEL_ERRORS = {
    "413": request_head(f"Content-Length: {BODY_LIMIT + 1}"),
    "400": MALFORMED["garbage request line"],
    "431": b"GET /healthz HTTP/1.1\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n",
}


@pytest.mark.parametrize("case", list(SERVER_LEVEL_ERRORS))
def test_errors_raised_before_routing_carry_a_request_id(service, case):
    _, headers, _ = parse_json_response(exchange(service.port, SERVER_LEVEL_ERRORS[case]))
    assert headers.get("x-request-id"), "every response must carry an X-Request-Id"


# Routing -------------------------------------------------------------------------------------


@pytest.mark.parametrize("method, path", [
    ("GET", "/"),
    ("GET", "/api/get/tickets"),
    ("POST", "/api/get/other"),
    ("GET", "/api/get/ticket_details/"),
    ("GET", "/API/GET/TICKET_DETAILS"),
])
def test_unknown_path_is_404_json(service, method, path):
    assert_error(service.request(method, path), 404, "Not found")


def test_healthz(service):
    status, headers, body = service.request("GET", "/healthz")
    assert (status, body) == (200, {"status": "ok"})
    assert_json_headers(headers)


def test_healthz_refuses_post(service):
    reply = service.request("POST", "/healthz", {})
    assert_error(reply, 405, "Method not allowed")
    assert reply[1].get("Allow") == "GET, HEAD"


# Request ids ---------------------------------------------------------------------------------


@pytest.mark.parametrize("given", ["e2e-1", "Abc_DEF.123:xyz-9", "r" * 64])
def test_plain_request_id_is_echoed(service, given):
    headers = service.request("GET", DETAILS, {}, headers={"X-Request-Id": given})[1]
    assert headers.get("X-Request-Id") == given


@pytest.mark.parametrize("given", ["r" * 65, "has space", "semi;colon", "quote\"d", "é"])
def test_unplain_request_id_is_replaced(service, given):
    headers = service.request("GET", "/healthz",
                              headers={"X-Request-Id": given.encode("utf-8")})[1]
    assert GENERATED_ID.match(headers.get("X-Request-Id"))


def test_generated_request_ids_are_unique(service):
    ids = {service.request("GET", "/healthz")[1].get("X-Request-Id") for _ in range(20)}
    assert len(ids) == 20 and all(GENERATED_ID.match(i) for i in ids)


def test_access_log_line_names_the_request(service):
    service.request("GET", DETAILS, {"auth": "bad"}, headers={"X-Request-Id": "e2e-log-line"})
    lines = [json.loads(line) for line in service.log_text().splitlines() if line.strip()]
    mine = [line for line in lines if line.get("request_id") == "e2e-log-line"]
    assert len(mine) == 1
    assert {k: mine[0].get(k) for k in ("event", "method", "endpoint", "status")} == {
        "event": "request", "method": "GET", "endpoint": "ticket_details", "status": 401}


# Shutdown ------------------------------------------------------------------------------------


def test_sigterm_with_an_idle_keep_alive_connection(service, start_service):
    svc = start_service(service.db_url, secret=service.secret)
    conn = svc.connect()
    try:
        conn.request("GET", "/healthz")
        assert conn.getresponse().read() == b'{"status":"ok"}'
        started = time.monotonic()
        assert svc.stop() == 0
        assert time.monotonic() - started < 5
        conn.sock.settimeout(5)
        assert read_until_closed(conn.sock) == b"", "the idle connection should be closed"
    finally:
        conn.close()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", svc.port), timeout=2).close()

"""Assertions and raw-socket helpers shared by the test modules."""

import json
import socket

JSON_CONTENT_TYPE = "application/json; charset=utf-8"
DETAILS = "/api/get/ticket_details"
AUTH = "/api/get/auth"


def assert_json_headers(headers):
    assert headers.get("Content-Type") == JSON_CONTENT_TYPE
    assert headers.get("X-Request-Id"), "every response must carry an X-Request-Id"


def assert_error(reply, status, message):
    """The reply is exactly the contract's error shape with this status and message."""
    got_status, headers, body = reply
    assert (got_status, body) == (status, {"success": False, "error": message})
    assert_json_headers(headers)


def assert_ticket(reply, expected_ticket):
    status, headers, body = reply
    assert status == 200, body
    assert body["success"] is True
    assert body["ticket"] == expected_ticket
    assert_json_headers(headers)


def read_until_closed(sock):
    """Every byte until the peer closes; a reset after an early answer counts as a close."""
    chunks = []
    while True:
        try:
            chunk = sock.recv(65536)
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def exchange(port, data, timeout=10):
    """Sends raw bytes on a new connection and returns every byte until the server closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        try:
            sock.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer and close before it has read everything
        return read_until_closed(sock)


def parse_response(raw):
    """(status, {lower-case header: value}, body bytes) of one raw HTTP/1.1 response."""
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, body


def parse_json_response(raw):
    status, headers, body = parse_response(raw)
    return status, headers, json.loads(body)

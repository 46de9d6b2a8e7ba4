"""Every error status and string of /api/get/ticket_details, and the order the checks run in."""

import base64
import json
import sqlite3

import pytest

from conftest import import_file, write_json
from e2e_helpers import DETAILS, assert_error, assert_json_headers

NOT_OBJECT = "Request body must be a JSON object"
QUERY = "This endpoint only accepts JSON body (no URL parameters)"
NO_ID = "Provide ticket_number, zoho_id or chamado_id"
BAD_REFRESH = 'refresh must be 0 or 1 (or "0", "1", false, true)'


@pytest.fixture(scope="module")
def acme(service):
    return service.login("acme")


@pytest.fixture(scope="module")
def disabled_token(service):
    """A well-signed token whose user has been disabled since."""
    token = service.login("retired")
    assert service.cli("user", "disable", "retired").returncode == 0
    return token


@pytest.fixture(scope="module")
def blocked_token(service):
    """A token of a user whose client (INITECH, blocked in the seed) is blocked."""
    assert service.cli("client", "unblock", "300").returncode == 0
    token = service.login("initech")
    assert service.cli("client", "block", "300").returncode == 0
    return token


# 405 ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["PUT", "DELETE", "POST", "PATCH", "HEAD", "OPTIONS"])
def test_other_methods_get_405_with_allow_get(service, acme, method):
    status, headers, raw = service.request_raw(method, DETAILS,
                                               {"auth": acme, "chamado_id": 99})
    assert status == 405
    assert headers.get("Allow") == "GET"
    if method != "HEAD":  # a HEAD answer has no body by definition
        assert raw == b'{"success":false,"error":"Method not allowed"}'


def test_405_wins_over_query_string_and_bad_body(service):
    reply = service.request("POST", DETAILS + "?ticket_number=12345", "[not json")
    assert_error(reply, 405, "Method not allowed")
    assert reply[1].get("Allow") == "GET"


# Query string ------------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["?ticket_number=12345", "?", "?auth=x&chamado_id=99"])
def test_query_string_refused_even_with_a_valid_body(service, acme, query):
    reply = service.request("GET", DETAILS + query, {"auth": acme, "chamado_id": 99})
    assert_error(reply, 400, QUERY)


def test_query_string_wins_over_bad_body(service):
    assert_error(service.request("GET", DETAILS + "?x=1", "not json"), 400, QUERY)


# Body ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("body", [None, "", " ", "[]", "null", '"text"', "42", "true",
                                  "{bad json", '{"auth":', '{"a":1} trailing',
                                  '[{"auth":"x","chamado_id":99}]'])
def test_body_that_is_not_a_json_object(service, body):
    assert_error(service.request("GET", DETAILS, body), 400, NOT_OBJECT)


# 401 auth is required ----------------------------------------------------------------------


@pytest.mark.parametrize("body", [{}, {"chamado_id": 99}, {"auth": ""}, {"auth": None},
                                  {"ticket_number": "12345", "refresh": 7}])
def test_auth_is_required(service, body):
    assert_error(service.request("GET", DETAILS, body), 401, "auth is required")


# 401 invalid auth ----------------------------------------------------------------------------


def flip_char(text, index):
    return text[:index] + ("A" if text[index] != "A" else "B") + text[index + 1:]


def invalid_tokens(good):
    return {
        "not base64": "not base64 at all!",
        "base64 of junk": base64.b64encode(b"hello world").decode(),
        "tampered middle": flip_char(good, len(good) // 2),
        "tampered start": flip_char(good, 0),
        "truncated": good[:-8],
        "extended": good + "AAAA",
        "url-safe alphabet": good.replace("+", "-").replace("/", "_") + "-_",
        "huge": "A" * 4000,
        "number": 12345,
        "object": {"token": good},
    }


INVALID_TOKEN_KINDS = list(invalid_tokens("x" * 40))


@pytest.mark.parametrize("kind", INVALID_TOKEN_KINDS)
def test_invalid_auth(service, acme, kind):
    token = invalid_tokens(acme)[kind]
    assert_error(service.details(token, chamado_id=99), 401, "invalid auth")


def test_invalid_auth_wins_over_missing_identifier(service):
    assert_error(service.details("garbage", refresh=9), 401, "invalid auth")


# 401 Invalid credentials -------------------------------------------------------------------


def test_token_of_disabled_user_is_invalid_credentials(service, disabled_token):
    assert_error(service.details(disabled_token, chamado_id=99), 401, "Invalid credentials")


def test_invalid_credentials_wins_over_missing_identifier(service, disabled_token):
    assert_error(service.details(disabled_token), 401, "Invalid credentials")


# 403 -----------------------------------------------------------------------------------------


def test_blocked_client(service, blocked_token):
    assert_error(service.details(blocked_token, chamado_id=102), 403, "Client blocked")


def test_blocked_wins_over_missing_or_bad_identifier(service, blocked_token):
    assert_error(service.details(blocked_token), 403, "Client blocked")
    assert_error(service.details(blocked_token, chamado_id="x"), 403, "Client blocked")


# 400 identifiers -----------------------------------------------------------------------------


@pytest.mark.parametrize("fields", [
    {},
    {"ticket_number": "", "zoho_id": "", "chamado_id": ""},
    {"ticket_number": None, "zoho_id": None, "chamado_id": None},
    {"refresh": 1},
    {"unknown_field": "12345"},
])
def test_no_identifier(service, acme, fields):
    assert_error(service.details(acme, **fields), 400, NO_ID)


def must_be_string_or_int(name):
    return f"{name} must be a string or a non-negative integer"


@pytest.mark.parametrize("fields, message", [
    ({"ticket_number": True}, must_be_string_or_int("ticket_number")),
    ({"ticket_number": 12.5}, must_be_string_or_int("ticket_number")),
    ({"ticket_number": -1}, must_be_string_or_int("ticket_number")),
    ({"ticket_number": ["12345"]}, must_be_string_or_int("ticket_number")),
    ({"zoho_id": {"id": "1"}}, must_be_string_or_int("zoho_id")),
    ({"zoho_id": False}, must_be_string_or_int("zoho_id")),
    ({"chamado_id": 99.0}, must_be_string_or_int("chamado_id")),
    ({"chamado_id": -99}, must_be_string_or_int("chamado_id")),
    ({"chamado_id": "abc"}, "chamado_id must be a non-negative integer"),
    ({"chamado_id": "99x"}, "chamado_id must be a non-negative integer"),
    ({"chamado_id": " 99"}, "chamado_id must be a non-negative integer"),
    ({"chamado_id": "-99"}, "chamado_id must be a non-negative integer"),
    # A valid identifier next to a bad one does not excuse the bad one.
    ({"ticket_number": "12345", "chamado_id": "x"}, "chamado_id must be a non-negative integer"),
])
def test_bad_identifier_type(service, acme, fields, message):
    assert_error(service.details(acme, **fields), 400, message)


@pytest.mark.parametrize("refresh", [2, -1, "yes", "true", "2", "", [], {}, 0.5])
def test_bad_refresh(service, acme, refresh):
    assert_error(service.details(acme, chamado_id=99, refresh=refresh), 400, BAD_REFRESH)


@pytest.mark.parametrize("refresh", [0, 1, "0", "1", False, True, None])
def test_accepted_refresh_values(service, acme, refresh):
    status, _, body = service.details(acme, chamado_id=99, refresh=refresh)
    assert (status, body["ticket"]["id"]) == (200, 99)


# 404 -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("fields", [
    {"chamado_id": 999999},
    {"ticket_number": "99999"},
    {"zoho_id": "000000000000000000"},
    {"ticket_number": "12345 "},
    {"ticket_number": "012345"},
])
def test_ticket_not_found(service, acme, fields):
    assert_error(service.details(acme, **fields), 404, "Ticket not found")


# The order as a whole -------------------------------------------------------------------------


def test_each_check_wins_over_every_later_one(service, disabled_token, blocked_token, acme):
    # Each request breaks its own rule and every rule checked after it.
    steps = [
        ("PUT", DETAILS + "?q=1", "[", 405, "Method not allowed"),
        ("GET", DETAILS + "?q=1", "[", 400, QUERY),
        ("GET", DETAILS, "[", 400, NOT_OBJECT),
        ("GET", DETAILS, {"refresh": 5, "chamado_id": "x"}, 401, "auth is required"),
        ("GET", DETAILS, {"auth": "x", "refresh": 5, "chamado_id": "x"}, 401, "invalid auth"),
        ("GET", DETAILS, {"auth": disabled_token, "chamado_id": "x"}, 401,
         "Invalid credentials"),
        ("GET", DETAILS, {"auth": blocked_token, "chamado_id": "x"}, 403, "Client blocked"),
        ("GET", DETAILS, {"auth": acme}, 400, NO_ID),
        ("GET", DETAILS, {"auth": acme, "chamado_id": 101}, 404, "Ticket not found"),
    ]
    got = [service.request(m, p, b)[::2] for m, p, b, _, _ in steps]
    want = [(s, {"success": False, "error": e}) for _, _, _, s, e in steps]
    assert got == want


# 500 -----------------------------------------------------------------------------------------


def break_schema(db_url):
    """Makes ticket queries fail underneath a running server."""
    if not db_url.startswith("sqlite:"):
        pytest.skip("breaking the schema is only scripted for SQLite")
    with sqlite3.connect(db_url[len("sqlite:"):]) as db:
        db.execute("ALTER TABLE requesters RENAME TO requesters_gone")


@pytest.fixture
def broken_service(db_url, tmp_path, start_service):
    """A server whose database lost a table after a staff user logged in; and that token."""
    users = {"clients": [{"id": 1, "apelido": "C"}],
             "api_users": [{"login": "boss", "password": "boss-password", "staff": True}]}
    assert import_file(write_json(tmp_path / "users.json", users), db_url).returncode == 0
    svc = start_service(db_url)
    token = svc.login("boss", "boss-password")
    break_schema(db_url)
    return svc, token


def test_database_failure_is_500_without_its_detail(broken_service):
    svc, token = broken_service
    status, headers, body = svc.details(token, chamado_id=1)
    assert status == 500
    assert body["success"] is False and body["error"].startswith("Internal error: ")
    for leak in ("requesters", "no such table", "sqlite", "SELECT"):
        assert leak not in body["error"]
    assert_json_headers(headers)


def test_error_log_line_names_the_request(broken_service):
    # House rule (STYLE.md): a request id on every log line, so an error can be traced.
    svc, token = broken_service
    svc.request("GET", DETAILS, {"auth": token, "chamado_id": 1},
                headers={"X-Request-Id": "e2e-broken-1"})
    lines = [json.loads(line) for line in svc.log_text().splitlines() if line.strip()]
    errors = [line for line in lines if line.get("level") == "error"]
    assert errors and all(line.get("request_id") == "e2e-broken-1" for line in errors)

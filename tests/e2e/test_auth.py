"""/api/get/auth and the life of a token: blocking, disabling, password changes, secrets."""

import base64
import datetime
import re
import time

import pytest

from e2e_helpers import AUTH, assert_error, assert_json_headers, assert_ticket
from e2e_seed import EXPECTED_TICKETS, PASSWORDS

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
DAY_S = 24 * 3600


def seconds_until(expires_at):
    assert ISO_UTC.match(expires_at), expires_at
    moment = datetime.datetime.strptime(expires_at, "%Y-%m-%dT%H:%M:%SZ")
    return moment.replace(tzinfo=datetime.timezone.utc).timestamp() - time.time()


def login_reply(service, login, password, method="POST"):
    return service.request(method, AUTH, {"login": login, "password": password})


# Login -------------------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["POST", "GET"])
def test_login_success(service, method):
    status, headers, body = login_reply(service, "acme", PASSWORDS["acme"], method)
    assert status == 200
    assert set(body) == {"success", "auth", "expires_at"} and body["success"] is True
    base64.b64decode(body["auth"], validate=True)
    assert abs(seconds_until(body["expires_at"]) - DAY_S) < 60
    assert_json_headers(headers)
    assert_ticket(service.details(body["auth"], chamado_id=99), EXPECTED_TICKETS[99])


def test_staff_login_with_non_ascii_password(service):
    assert login_reply(service, "ops", PASSWORDS["ops"])[0] == 200


@pytest.mark.parametrize("login, password", [
    ("acme", "wrong-password"),
    ("acme", PASSWORDS["acme"].upper()),
    ("acme", PASSWORDS["acme"] + " "),
    ("nobody", "whatever"),
    ("acme", PASSWORDS["acme2"]),
])
def test_bad_login_is_invalid_credentials(service, login, password):
    assert_error(login_reply(service, login, password), 401, "Invalid credentials")


def test_blocked_client_login_is_403_only_with_the_right_password(service):
    assert_error(login_reply(service, "initech", PASSWORDS["initech"]), 403, "Client blocked")
    assert_error(login_reply(service, "initech", "wrong"), 401, "Invalid credentials")


@pytest.mark.parametrize("method", ["PUT", "DELETE", "PATCH"])
def test_auth_other_methods_405(service, method):
    reply = service.request(method, AUTH, {"login": "acme", "password": PASSWORDS["acme"]})
    assert_error(reply, 405, "Method not allowed")
    assert reply[1].get("Allow") == "GET, POST"


@pytest.mark.parametrize("body", ["", "[]", "{", '"acme"'])
def test_auth_body_must_be_object(service, body):
    assert_error(service.request("POST", AUTH, body), 400, "Request body must be a JSON object")


@pytest.mark.parametrize("body, message", [
    ({"password": "x"}, "login is required"),
    ({"login": "", "password": "x"}, "login is required"),
    ({"login": "acme"}, "password is required"),
    ({"login": "acme", "password": 5}, "password must be a string"),
])
def test_auth_missing_fields(service, body, message):
    assert_error(service.request("POST", AUTH, body), 400, message)


def test_auth_refuses_query_string(service):
    reply = service.request("POST", AUTH + "?login=acme",
                            {"login": "acme", "password": PASSWORDS["acme"]})
    assert_error(reply, 400, "This endpoint only accepts JSON body (no URL parameters)")


# Token life ----------------------------------------------------------------------------------


def test_blocking_a_running_servers_client(service):
    token = service.login("acme2", fresh=True)
    assert service.cli("client", "block", "100").returncode == 0
    try:
        assert_error(service.details(token, chamado_id=99), 403, "Client blocked")
        assert_error(login_reply(service, "acme2", PASSWORDS["acme2"]), 403, "Client blocked")
    finally:
        assert service.cli("client", "unblock", "100").returncode == 0
    assert_ticket(service.details(token, chamado_id=99), EXPECTED_TICKETS[99])


def test_disabled_user(service):
    token = service.login("retired", fresh=True)
    assert service.cli("user", "disable", "retired").returncode == 0
    assert_error(service.details(token, chamado_id=99), 401, "Invalid credentials")
    assert_error(login_reply(service, "retired", PASSWORDS["retired"]), 401,
                 "Invalid credentials")


def test_password_change_voids_older_tokens(service):
    old_token = service.login("rotating", fresh=True)
    new_password = "rotating-new-Ção-2"
    result = service.cli("user", "passwd", "rotating", "--password-stdin",
                         stdin=new_password + "\n")
    assert result.returncode == 0, result.stderr

    assert_error(service.details(old_token, chamado_id=101), 401, "Invalid credentials")
    assert_error(login_reply(service, "rotating", PASSWORDS["rotating"]), 401,
                 "Invalid credentials")
    new_token = service.login("rotating", new_password, fresh=True)
    assert_ticket(service.details(new_token, chamado_id=101), EXPECTED_TICKETS[101])


def test_token_signed_with_another_secret_is_invalid(service, start_service):
    other = start_service(service.db_url)  # same users, its own random secret
    foreign_token = other.login("acme")
    assert_error(service.details(foreign_token, chamado_id=99), 401, "invalid auth")
    assert_error(other.details(service.login("acme"), chamado_id=99), 401, "invalid auth")


def test_token_for_a_user_that_does_not_exist_is_invalid_credentials(service, start_service,
                                                                     db_url, cli):
    # Same secret, empty database: the token is well signed but names no user there.
    assert cli("migrate", "--db", db_url).returncode == 0
    empty = start_service(db_url, secret=service.secret)
    assert_error(empty.details(service.login("acme"), chamado_id=99), 401, "Invalid credentials")


def test_token_ttl_sets_expires_at(service, start_service):
    short = start_service(service.db_url, secret=service.secret, extra_args=["--token-ttl", "60"])
    status, _, body = login_reply(short, "acme", PASSWORDS["acme"])
    assert status == 200
    assert 55 <= seconds_until(body["expires_at"]) <= 61
    assert_ticket(service.details(body["auth"], chamado_id=99), EXPECTED_TICKETS[99])


# Secrets stay out of the log ---------------------------------------------------------------


def test_log_holds_no_secret_password_or_token(service):
    token = service.login("acme")
    service.details(token, chamado_id=99)
    log = service.log_text()
    assert '"event":"request"' in log  # the log is being written at all
    for needle in [service.secret, token, *PASSWORDS.values()]:
        assert needle not in log

"""Answers from memory never outlive a change to the database.

On SQLite the service answers a repeated ticket_details from what it read before, for as long as
the database files are untouched (docs: README, "Answers from memory"). Each test here warms that
memory with two identical requests, changes the database from another process (the CLI, the way
an operator would) and checks that the very next request sees the change. On PostgreSQL nothing
is reused, and the same checks hold trivially.
"""

import json

from e2e_helpers import assert_error, assert_ticket
from e2e_seed import EXPECTED_TICKETS


def warm(service, token, **fields):
    first = service.details(token, **fields)
    second = service.details(token, **fields)
    assert first[0] == second[0] == 200, (first, second)
    assert first[2] == second[2]
    return second


def test_blocking_a_client_is_seen_by_the_next_request(service):
    token = service.login("acme2", fresh=True)
    warm(service, token, chamado_id=99)
    assert service.cli("client", "block", "100").returncode == 0
    try:
        assert_error(service.details(token, chamado_id=99), 403, "Client blocked")
    finally:
        assert service.cli("client", "unblock", "100").returncode == 0
    assert_ticket(service.details(token, chamado_id=99), EXPECTED_TICKETS[99])


def test_a_password_change_or_disable_voids_a_remembered_token_at_once(service):
    result = service.cli("user", "add", "memo-user", "--client", "100", "--password-stdin",
                         stdin="memo-password-1\n")
    assert result.returncode == 0, result.stderr
    token = service.login("memo-user", "memo-password-1", fresh=True)
    warm(service, token, chamado_id=99)

    result = service.cli("user", "passwd", "memo-user", "--password-stdin",
                         stdin="memo-password-2\n")
    assert result.returncode == 0, result.stderr
    assert_error(service.details(token, chamado_id=99), 401, "Invalid credentials")

    token = service.login("memo-user", "memo-password-2", fresh=True)
    warm(service, token, chamado_id=99)
    assert service.cli("user", "disable", "memo-user").returncode == 0
    assert_error(service.details(token, chamado_id=99), 401, "Invalid credentials")


def test_an_import_is_seen_by_the_next_request(service, tmp_path):
    token = service.login("acme", fresh=True)
    before = warm(service, token, chamado_id=100)[2]["ticket"]
    assert before == EXPECTED_TICKETS[100]

    changed = {"id": 100, "status": "Memo check", "subject": "changed by an import",
               "client_id": before["cliente"]["id"]}
    path = tmp_path / "change.json"
    path.write_text(json.dumps({"tickets": [changed]}))
    result = service.cli("import", str(path))
    assert result.returncode == 0, result.stderr

    status, _, body = service.details(token, chamado_id=100)
    assert status == 200, body
    assert body["ticket"]["status"] == "Memo check"
    assert body["ticket"]["subject"] == "changed by an import"


def test_another_clients_ticket_stays_hidden_when_remembered(service):
    staff = service.login("ops")
    warm(service, staff, chamado_id=99)
    other = service.login("globex")
    assert_error(service.details(other, chamado_id=99), 404, "Ticket not found")
    assert_error(service.details(other, chamado_id=99), 404, "Ticket not found")

"""The administrative commands: import, migrate, client, user, and serve's start-up checks."""

import copy
import os
from types import SimpleNamespace

import pytest

from conftest import (Service, clean_env, import_file, import_seed, new_database_url, run_cli,
                      stop_and_check, write_json)
from e2e_helpers import assert_error, assert_ticket
from e2e_seed import EXPECTED_TICKETS, SEED

SECRET = "s" * 48


def serve_once(db, *args, env=None):
    """Runs serve expecting it to refuse to start (a server that starts times out instead)."""
    return run_cli(
        "serve", "--listen", "127.0.0.1:0", "--db", db, *args,
        env=env if env is not None else clean_env(DESKBRIDGE_SECRET=SECRET), timeout=10)


# Import: a bad file changes nothing ------------------------------------------------------------


def innocent_changes():
    """Valid edits that a bad file carries along; none of them may land."""
    return {
        "clients": [{"id": 100, "apelido": "RENAMED", "cnpj": "1"},
                    {"id": 900, "apelido": "NOVO CLIENTE"}],
        "requesters": [{"id": 7, "nome": "CHANGED", "email": "x@y.z", "client_id": 100}],
        "tickets": [{"id": 99, "ticket_number": "12345", "subject": "CHANGED",
                     "client_id": 100, "requester_id": 7},
                    {"id": 901, "ticket_number": "90100", "client_id": 900}],
        "api_users": [{"login": "ghost", "password": "ghost-password", "client_id": 100}],
    }


def set_field(section, index, field, value):
    def fault(doc):
        doc[section][index][field] = value
    return fault


def add_record(section, record):
    def fault(doc):
        doc[section].append(record)
    return fault


BAD_FILES = {
    "bad timestamp": (set_field("tickets", 1, "created_at", "2024-02-30 10:00:00"),
                      "tickets[1].created_at: invalid timestamp '2024-02-30 10:00:00'"),
    "word timestamp": (set_field("tickets", 0, "updated_at", "yesterday"),
                       "tickets[0].updated_at: invalid timestamp 'yesterday'"),
    "unknown client of ticket": (set_field("tickets", 1, "client_id", 999),
                                 "tickets[1].client_id: client 999 does not exist"),
    "unknown requester": (set_field("tickets", 1, "requester_id", 555),
                          "tickets[1].requester_id: requester 555 does not exist"),
    # Fails on the last record, after every other row has been written.
    "unknown client of last user": (
        add_record("api_users", {"login": "ghost2", "password": "p", "client_id": 999}),
        "api_users[1].client_id: client 999 does not exist"),
    "unknown field": (set_field("requesters", 0, "telefone", "11 5555-0000"),
                      "requesters[0].telefone: unknown field"),
    "id as string": (set_field("clients", 1, "id", "900"), "clients[1].id: must be an integer"),
    "staff with client": (set_field("api_users", 0, "staff", True),
                          'api_users[0].staff: a user is either staff ("staff": true) '
                          "or has a client_id"),
    "unknown section": (lambda doc: doc.update(usuarios=[]), "usuarios: unknown section"),
    "section not array": (lambda doc: doc.update(tickets={}), "tickets: must be an array"),
}


def assert_seed_untouched(service):
    staff = service.login("ops")
    for ticket_id in (99, 100):
        assert_ticket(service.details(staff, chamado_id=ticket_id), EXPECTED_TICKETS[ticket_id])
    assert_error(service.details(staff, chamado_id=901), 404, "Ticket not found")
    # Asked of the database, not by logging in: eleven failed logins for "ghost" would be
    # throttled (429) long before the last case.
    result = service.cli("user", "enable", "ghost")
    assert result.returncode != 0 and "user 'ghost' does not exist" in result.stderr


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_bad_import_file_changes_nothing(service, tmp_path, case):
    fault, message = BAD_FILES[case]
    doc = innocent_changes()
    fault(doc)
    result = import_file(write_json(tmp_path / "bad.json", doc), service.db_url)

    assert result.returncode != 0
    assert f"deskbridge: {message}" in result.stderr
    assert "imported" not in result.stdout
    assert_seed_untouched(service)


def test_import_of_text_that_is_not_json(service, tmp_path):
    path = tmp_path / "bad.json"
    path.write_text('{"clients": [', encoding="utf-8")
    result = import_file(path, service.db_url)
    assert result.returncode != 0
    assert "deskbridge: not valid JSON" in result.stderr
    assert_seed_untouched(service)


def test_import_of_missing_file(db_url, tmp_path):
    result = import_file(tmp_path / "absent.json", db_url)
    assert result.returncode != 0
    assert f"cannot read {tmp_path / 'absent.json'}" in result.stderr


# Import: a good file ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def reimported(engine, tmp_path_factory, request):
    """A server on a database that got the seed twice, with staff tokens from either side."""
    directory = tmp_path_factory.mktemp("reimport")
    db = new_database_url(engine, directory, "reimport", request)
    first = import_seed(directory, db)
    svc = Service(db, directory).start()
    token_before = svc.login("ops")
    second = import_seed(directory, db)
    yield SimpleNamespace(service=svc, token_before=token_before,
                          token_after=svc.login("ops", fresh=True),  # same password works
                          summaries=(first.stdout, second.stdout))
    stop_and_check(svc)


def test_import_reports_counts(reimported):
    summary = "imported 4 clients, 4 requesters, 8 tickets, 7 users\n"
    assert reimported.summaries == (summary, summary)


@pytest.mark.parametrize("ticket_id", sorted(EXPECTED_TICKETS))
def test_reimport_of_the_same_file_keeps_the_data(reimported, ticket_id):
    reply = reimported.service.details(reimported.token_after, chamado_id=ticket_id)
    assert_ticket(reply, EXPECTED_TICKETS[ticket_id])


def test_reimport_of_the_same_file_keeps_issued_tokens(reimported):
    # Nothing changed for the user, so a re-import must not log everyone out.
    reply = reimported.service.details(reimported.token_before, chamado_id=99)
    assert_ticket(reply, EXPECTED_TICKETS[99])


def test_import_updates_existing_records(service, tmp_path):
    original = {"tickets": [t for t in SEED["tickets"] if t["id"] == 104]}
    changed = copy.deepcopy(original)
    changed["tickets"][0]["status"] = "Closed"
    try:
        result = import_file(write_json(tmp_path / "update.json", changed), service.db_url)
        assert result.returncode == 0, result.stderr
        ticket = service.details(service.login("ops"), chamado_id=104)[2]["ticket"]
        assert ticket == {**EXPECTED_TICKETS[104], "status": "Closed"}
    finally:
        result = import_file(write_json(tmp_path / "restore.json", original), service.db_url)
        assert result.returncode == 0, result.stderr


# migrate -------------------------------------------------------------------------------------


def test_migrate_twice(cli, db_url):
    for _ in range(2):
        result = cli("migrate", "--db", db_url)
        assert (result.returncode, result.stdout) == (0, "schema is up to date\n"), result.stderr


def test_unknown_database_scheme_is_refused(cli, tmp_path):
    result = cli("migrate", "--db", f"mysql://{tmp_path}/x")
    assert result.returncode != 0
    assert result.stderr.startswith("deskbridge: ")


# client and user -----------------------------------------------------------------------------


def test_client_and_user_commands_then_login(cli, db_url, start_service):
    steps = [
        (["client", "add", "500", "--apelido", "CLIENTE NOVO AÇÃO", "--cnpj", "1"], None,
         "client 500 added\n"),
        (["user", "add", "novo", "--client", "500", "--password-stdin"], "senha-nova-ç\n",
         "user novo added\n"),
        (["user", "add", "chefe", "--staff", "--password-stdin"], "senha-chefe\r\n",
         "user chefe added\n"),
        (["client", "block", "500"], None, "client 500 blocked\n"),
        (["client", "unblock", "500"], None, "client 500 unblocked\n"),
    ]
    for args, stdin, stdout in steps:
        result = cli(*args, "--db", db_url, stdin=stdin)
        assert (result.returncode, result.stdout) == (0, stdout), result.stderr

    svc = start_service(db_url)
    svc.login("novo", "senha-nova-ç")
    staff = svc.login("chefe", "senha-chefe")  # the CR of a CRLF line is not the password's
    assert_error(svc.details(staff, chamado_id=1), 404, "Ticket not found")


@pytest.mark.parametrize("args, stdin, message", [
    (["client", "add", "100", "--apelido", "DUP"], None, "client 100 already exists"),
    (["client", "block", "999"], None, "client 999 does not exist"),
    (["client", "unblock", "999"], None, "client 999 does not exist"),
    (["user", "add", "acme", "--client", "100", "--password-stdin"], "x\n",
     "user 'acme' already exists"),
    (["user", "add", "x", "--client", "999", "--password-stdin"], "x\n",
     "client 999 does not exist"),
    (["user", "add", "x", "--password-stdin"], "x\n",
     "give exactly one of --client ID and --staff"),
    (["user", "add", "x", "--staff", "--password-stdin"], "\n",
     "the password must not be empty"),
    (["user", "add", "x", "--staff", "--password-stdin"], "", "no password on stdin"),
    (["user", "passwd", "ghost", "--password-stdin"], "x\n", "user 'ghost' does not exist"),
    (["user", "disable", "ghost"], None, "user 'ghost' does not exist"),
], ids=lambda v: " ".join(v) if isinstance(v, list) else None)
def test_cli_refusals(service, args, stdin, message):
    result = service.cli(*args, stdin=stdin)
    assert result.returncode != 0
    assert f"deskbridge: {message}" in result.stderr
    assert result.stdout == ""


def test_user_add_with_both_client_and_staff_is_refused(cli, db_url):
    result = cli("user", "add", "x", "--client", "1", "--staff", "--password-stdin", "--db",
                 db_url, stdin="x\n")
    assert result.returncode != 0
    assert "--staff" in result.stderr and "--client" in result.stderr


# serve start-up checks -----------------------------------------------------------------------


def test_serve_refuses_to_start_without_a_secret(db_url):
    result = serve_once(db_url, env=clean_env())
    assert result.returncode == 2
    assert ("deskbridge: no token secret: set DESKBRIDGE_SECRET (at least 32 bytes)"
            in result.stderr)


def test_serve_refuses_a_short_secret(db_url):
    result = serve_once(db_url, env=clean_env(DESKBRIDGE_SECRET="s" * 31))
    assert result.returncode == 2
    assert "the token secret must be at least 32 bytes long" in result.stderr


def test_serve_accepts_a_secret_of_exactly_32_bytes(db_url, start_service):
    svc = start_service(db_url, secret="s" * 32)
    assert_error(svc.details("garbage", chamado_id=1), 401, "invalid auth")


def test_serve_refuses_a_missing_secret_file(db_url, tmp_path):
    result = serve_once(db_url, "--secret-file", tmp_path / "absent", env=clean_env())
    assert result.returncode == 2
    assert f"deskbridge: cannot read secret file {tmp_path / 'absent'}" in result.stderr


@pytest.mark.parametrize("url,why", [
    ("oms.example.com", "is not an absolute URL"),
    ("ftp://oms.example.com", "must be http or https"),
    ("https://user:pw@oms.example.com", "must not carry a user or password"),
    ("https://oms.example.com/?x=1", "must not have a query or fragment"),
])
def test_serve_refuses_a_public_url_links_cannot_start_with(db_url, url, why):
    result = serve_once(db_url, "--public-url", url)
    assert result.returncode == 2
    assert f"deskbridge: public URL '{url}' {why}" in result.stderr


@pytest.mark.parametrize("mode", [0o644, 0o640, 0o604, 0o660, 0o700 | 0o004])
def test_secret_file_others_can_access_is_refused(db_url, tmp_path, mode):
    path = tmp_path / "secret"
    path.write_text(SECRET + "\n")
    os.chmod(path, mode)
    result = serve_once(db_url, "--secret-file", path, env=clean_env())
    assert result.returncode == 2
    assert (f"deskbridge: secret file {path} is accessible by group or others; chmod 600 it"
            in result.stderr)


@pytest.mark.parametrize("mode", [0o600, 0o400])
def test_secret_file_only_owner_can_read_is_accepted(db_url, tmp_path, start_service, mode):
    path = tmp_path / "secret"
    path.write_text(SECRET + "\n")
    os.chmod(path, mode)
    svc = start_service(db_url, env=clean_env(), extra_args=["--secret-file", str(path)])
    assert_error(svc.details("garbage", chamado_id=1), 401, "invalid auth")


def test_secret_file_and_environment_secret_sign_alike(service, tmp_path, start_service):
    # The file's trailing newline is not part of the key.
    path = tmp_path / "secret"
    path.write_text(service.secret + "\n")
    os.chmod(path, 0o600)
    from_file = start_service(service.db_url, env=clean_env(),
                              extra_args=["--secret-file", str(path)])
    assert_ticket(from_file.details(service.login("acme"), chamado_id=99), EXPECTED_TICKETS[99])


def test_token_ttl_below_minimum_is_refused(db_url):
    result = serve_once(db_url, "--token-ttl", "59")
    assert result.returncode != 0
    assert "--token-ttl" in result.stderr


def test_password_never_appears_in_cli_output(service):
    result = service.cli("user", "add", "quiet", "--client", "100", "--password-stdin",
                         stdin="very-secret-pw\n")
    assert result.returncode == 0, result.stderr
    assert "very-secret-pw" not in result.stdout + result.stderr
    assert result.stdout == "user quiet added\n"


def test_demo_serves_its_own_data(tmp_path, start_service):
    # TMPDIR keeps the demo's throwaway database inside this test's directory.
    demo = start_service(None, subcommand="demo", env=clean_env(TMPDIR=str(tmp_path)))
    acme = demo.login("acme", "acme-demo-password")
    status, _, body = demo.details(acme, ticket_number="12345")
    assert (status, body["ticket"]["id"], body["ticket"]["created_at"]) == (
        200, 99, "2026-05-10 14:30:00")
    assert_error(demo.details(acme, chamado_id=101), 404, "Ticket not found")

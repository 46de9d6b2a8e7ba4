"""A client user sees its own client's tickets only; staff sees every ticket."""

import pytest

from conftest import import_file, write_json
from e2e_helpers import assert_error, assert_ticket
from e2e_seed import ACME, EXPECTED_TICKETS, GLOBEX, SEED, tickets_not_of, tickets_of

SEED_TICKETS = {t["id"]: t for t in SEED["tickets"]}


def identifier_variants(ticket_id):
    """Every way to name a ticket: each identifier as string and as number, and all at once."""
    seed = SEED_TICKETS[ticket_id]
    variants = [{"chamado_id": ticket_id}, {"chamado_id": str(ticket_id)}]
    for name in ("ticket_number", "zoho_id"):
        if seed.get(name) is not None:
            variants += [{name: str(seed[name])}, {name: int(seed[name])}]
    everything = {name: seed[name] for name in ("ticket_number", "zoho_id") if seed.get(name)}
    variants.append({**everything, "chamado_id": ticket_id})
    return variants


def cases(login, client_id, visible):
    ids = tickets_of(client_id) if visible else tickets_not_of(client_id)
    return [(login, ticket_id, fields) for ticket_id in ids
            for fields in identifier_variants(ticket_id)]


def case_id(case):
    login, ticket_id, fields = case
    return f"{login}-{ticket_id}-" + "-".join(f"{k}:{type(v).__name__}" for k, v in fields.items())


FOREIGN = cases("acme", ACME, False) + cases("globex", GLOBEX, False)
OWN = cases("acme", ACME, True) + cases("globex", GLOBEX, True)


@pytest.mark.parametrize("case", FOREIGN, ids=map(case_id, FOREIGN))
def test_client_user_cannot_see_another_clients_ticket(service, case):
    login, ticket_id, fields = case
    assert_error(service.details(service.login(login), **fields), 404, "Ticket not found")


@pytest.mark.parametrize("case", OWN, ids=map(case_id, OWN))
def test_client_user_sees_own_ticket(service, case):
    login, ticket_id, fields = case
    assert_ticket(service.details(service.login(login), **fields), EXPECTED_TICKETS[ticket_id])


def test_foreign_ticket_answer_equals_missing_ticket_answer(service):
    # Same status, same bytes: nothing tells the caller that ticket 101 exists.
    acme = service.login("acme")
    foreign = service.request_raw("GET", "/api/get/ticket_details",
                                  {"auth": acme, "chamado_id": 101})
    missing = service.request_raw("GET", "/api/get/ticket_details",
                                  {"auth": acme, "chamado_id": 987654})
    assert (foreign[0], foreign[2]) == (missing[0], missing[2]) == (
        404, b'{"success":false,"error":"Ticket not found"}')


def test_own_identifier_combined_with_foreign_one_is_not_found(service):
    acme = service.login("acme")
    reply = service.details(acme, ticket_number="12345", chamado_id=101)
    assert_error(reply, 404, "Ticket not found")


@pytest.mark.parametrize("ticket_id", sorted(EXPECTED_TICKETS))
def test_staff_sees_every_ticket(service, ticket_id):
    # Staff has no client, so a blocked client's ticket (102) is visible too.
    for fields in identifier_variants(ticket_id):
        assert_ticket(service.details(service.login("ops"), **fields),
                      EXPECTED_TICKETS[ticket_id])


def test_same_ticket_number_in_two_clients(db_url, tmp_path, start_service):
    # The client scope must be part of the search, not a filter on whichever row came first.
    doc = {
        "clients": [{"id": 1, "apelido": "UM"}, {"id": 2, "apelido": "DOIS"}],
        "tickets": [{"id": 10, "ticket_number": "777", "subject": "do um", "client_id": 1},
                    {"id": 20, "ticket_number": "777", "subject": "do dois", "client_id": 2}],
        "api_users": [{"login": "um", "password": "um-password", "client_id": 1},
                      {"login": "dois", "password": "dois-password", "client_id": 2}],
    }
    assert import_file(write_json(tmp_path / "dup.json", doc), db_url).returncode == 0
    svc = start_service(db_url)
    for login, ticket_id in (("um", 10), ("dois", 20)):
        token = svc.login(login, f"{login}-password")
        status, _, body = svc.details(token, ticket_number="777")
        assert (status, body["ticket"]["id"]) == (200, ticket_id)

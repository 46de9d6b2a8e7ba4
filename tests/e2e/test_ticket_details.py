"""Successful /api/get/ticket_details lookups: identifiers, fields, types, time zone, text."""

import json
import unicodedata

import pytest

from e2e_helpers import JSON_CONTENT_TYPE, assert_error, assert_ticket
from e2e_seed import EXPECTED_TICKETS, NFD_SUBJECT

TICKET_KEYS = {"id", "ticket_number", "zoho_id", "webUrl", "status", "created_at", "updated_at",
               "subject", "description", "department", "category", "numero_pedido", "numero_nf",
               "cliente", "usuario"}
STRING_KEYS = TICKET_KEYS - {"id", "cliente", "usuario"}


@pytest.fixture(scope="module")
def staff(service):
    return service.login("ops")


@pytest.fixture(scope="module")
def acme(service):
    return service.login("acme")


@pytest.mark.parametrize("ticket_id", sorted(EXPECTED_TICKETS))
def test_whole_ticket_as_staff_sees_it(service, staff, ticket_id):
    status, headers, body = service.details(staff, chamado_id=ticket_id)
    assert status == 200
    assert body == {"success": True, "ticket": EXPECTED_TICKETS[ticket_id], "threads": [],
                    "attachments": [], "sync": body.get("sync")}
    assert isinstance(body["sync"], dict)
    assert headers.get("Content-Type") == JSON_CONTENT_TYPE


@pytest.mark.parametrize("ticket_id", sorted(EXPECTED_TICKETS))
def test_field_set_and_types(service, staff, ticket_id):
    ticket = service.details(staff, chamado_id=ticket_id)[2]["ticket"]
    assert set(ticket) == TICKET_KEYS
    assert type(ticket["id"]) is int
    for key in STRING_KEYS:
        assert ticket[key] is None or type(ticket[key]) is str, key
    # A missing client or requester makes the whole object null (tickets 104 and 106).
    cliente = ticket["cliente"]
    if cliente is not None:
        assert set(cliente) == {"id", "apelido", "cnpj"}
        assert type(cliente["id"]) is int and type(cliente["apelido"]) is str
        assert cliente["cnpj"] is None or type(cliente["cnpj"]) is str
    usuario = ticket["usuario"]
    if usuario is not None:
        assert set(usuario) == {"nome", "email"}
        assert all(v is None or type(v) is str for v in usuario.values())


LOOKUPS_OF_99 = [
    {"ticket_number": "12345"},
    {"ticket_number": 12345},
    {"zoho_id": "123456789012345678"},
    {"zoho_id": 123456789012345678},
    {"chamado_id": 99},
    {"chamado_id": "99"},
    {"ticket_number": "12345", "chamado_id": 99},
    {"ticket_number": 12345, "zoho_id": "123456789012345678"},
    {"ticket_number": "12345", "zoho_id": 123456789012345678, "chamado_id": "99"},
    # Empty strings and nulls count as absent.
    {"ticket_number": "", "chamado_id": 99},
    {"zoho_id": "", "chamado_id": "", "ticket_number": "12345"},
    {"zoho_id": None, "ticket_number": None, "chamado_id": 99},
]


@pytest.mark.parametrize("fields", LOOKUPS_OF_99, ids=json.dumps)
def test_lookup_by_identifiers(service, acme, fields):
    assert_ticket(service.details(acme, **fields), EXPECTED_TICKETS[99])


@pytest.mark.parametrize("fields", [{"ticket_number": "12346"}, {"ticket_number": 12346}],
                         ids=json.dumps)
def test_ticket_number_imported_as_number(service, acme, fields):
    assert_ticket(service.details(acme, **fields), EXPECTED_TICKETS[100])


MISMATCHES = [
    {"ticket_number": "12345", "chamado_id": 105},
    {"ticket_number": "12347", "zoho_id": "123456789012345678"},
    {"zoho_id": "900000000000000001", "chamado_id": 99},
    {"ticket_number": "12345", "zoho_id": "123456789012345678", "chamado_id": 100},
    # Ticket 100 has no zoho_id, so no zoho_id can match it.
    {"chamado_id": 100, "zoho_id": "123456789012345678"},
]


@pytest.mark.parametrize("fields", MISMATCHES, ids=json.dumps)
def test_every_given_identifier_must_match(service, acme, fields):
    assert_error(service.details(acme, **fields), 404, "Ticket not found")


@pytest.mark.parametrize("ticket_id, field, shown", [
    (99, "created_at", "2026-05-10 14:30:00"),   # Z instant, UTC-3
    (102, "created_at", "2026-11-20 10:00:00"),  # -03:00 offset
    (104, "created_at", "2026-03-01 09:00:00"),  # fractional seconds dropped
    (104, "updated_at", "2025-10-20 00:00:00"),  # +0000 offset
    (100, "created_at", "2024-02-11 09:05:00"),  # naive: São Paulo wall clock
    (101, "created_at", "2018-01-15 11:00:00"),  # instant in the old summer time (UTC-2)
    (105, "created_at", "2018-01-15 11:00:00"),  # naive in the old summer time
    (101, "updated_at", "2018-02-17 23:30:00"),  # naive in the hour that repeated
])
def test_time_zone_display(service, staff, ticket_id, field, shown):
    assert service.details(staff, chamado_id=ticket_id)[2]["ticket"][field] == shown


def test_unknown_times_are_null(service, staff):
    ticket = service.details(staff, chamado_id=103)[2]["ticket"]
    assert (ticket["created_at"], ticket["updated_at"]) == (None, None)


def test_accents_round_trip_byte_exact(service, staff):
    status, _, raw = service.request_raw("GET", "/api/get/ticket_details",
                                         {"auth": staff, "chamado_id": 103})
    assert status == 200
    ticket = json.loads(raw.decode("utf-8"))["ticket"]
    assert ticket["subject"].encode("utf-8") == NFD_SUBJECT.encode("utf-8")
    assert not unicodedata.is_normalized("NFC", ticket["subject"])
    assert ticket["cliente"]["apelido"] == "AÇAÍ & CIA — PÃO DE AÇÚCAR"


def test_accents_in_requester_and_client(service, staff):
    ticket = service.details(staff, chamado_id=101)[2]["ticket"]
    assert ticket["usuario"]["nome"].encode("utf-8") == "Maria Conceição".encode("utf-8")
    assert ticket["cliente"]["apelido"] == "GLOBEX LOGÍSTICA S.A."


def test_ticket_without_requester_has_null_usuario(service, staff):
    assert service.details(staff, chamado_id=104)[2]["ticket"]["usuario"] is None


def test_ticket_without_client_has_null_cliente(service, staff):
    ticket = service.details(staff, chamado_id=106)[2]["ticket"]
    assert (ticket["cliente"], ticket["usuario"]) == (None, None)


def test_refresh_without_zoho_still_answers_from_the_database(service, acme):
    status, _, body = service.details(acme, chamado_id=99, refresh=1)
    assert (status, body["ticket"]) == (200, EXPECTED_TICKETS[99])
    assert (body["threads"], body["attachments"]) == ([], [])


def test_no_zoho_block_without_refresh(service, acme):
    assert "zoho" not in service.details(acme, chamado_id=99)[2]

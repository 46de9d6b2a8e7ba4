"""refresh=1: the `zoho` object, writing Zoho's values back to the local ticket, tickets deleted
in Zoho, tickets without a zoho_id and services without Zoho credentials."""

import pytest

import zoho_data as zd
from zoho_fixtures import calls_of, nonzero_calls

pytestmark = pytest.mark.usefixtures("zoho_clean")

ZOHO_KEYS = {"id", "ticketNumber", "subject", "description", "status", "priority", "category",
             "departmentName", "createdTime", "modifiedTime", "webUrl", "cf"}
WEB_URL = "https://desk.zoho.com/support/tpl/ShowHomePage.do#Cases/dv/"


@pytest.fixture(scope="module")
def svc(zoho_service):
    return zoho_service


def test_refresh_returns_the_zoho_ticket(svc):
    n = zd.REFRESH
    before, _ = svc.ok(n)
    assert before["ticket"] == zd.REFRESH_LOCAL_VIEW
    assert "zoho" not in before

    body, _ = svc.ok(n, refresh=1)
    assert body["zoho"] == {
        "id": zd.zid(n), "ticketNumber": "70003", "subject": "Entrega atrasada",
        "description": "<div>O pedido 70003 não chegou.</div>", "status": "Open",
        "priority": "High", "category": "Support", "departmentName": "TECNOLOGIA",
        "createdTime": "2026-03-02T13:00:00.000Z", "modifiedTime": "2026-03-03T10:20:30.000Z",
        "webUrl": WEB_URL + zd.zid(n),
        "cf": {"cf_numero_do_pedido": "70003", "cf_numero_da_nota_fiscal": "67003"}}
    assert set(body["zoho"]) == ZOHO_KEYS  # no other Zoho field, no other custom field
    assert body["sync"]["zoho"] == "ok" and body["sync"]["source"] == "zoho"
    assert [t["id"] for t in body["threads"]] == [zd.thread_id(n, 1), zd.thread_id(n, 2)]

    written = dict(zd.REFRESH_LOCAL_VIEW, webUrl=WEB_URL + zd.zid(n), status="Open",
                   updated_at="2026-03-03 07:20:30", subject="Entrega atrasada",
                   description="<div>O pedido 70003 não chegou.</div>", department="TECNOLOGIA",
                   category="Support", numero_pedido="70003", numero_nf="67003")
    assert body["ticket"] == written
    after, _ = svc.ok(n)
    assert after["ticket"] == written
    assert "zoho" not in after


def test_changes_in_zoho_are_written_back_on_refresh(zoho_sim, svc):
    n = 25
    first, _ = svc.ok(n)
    assert first["ticket"] == zd.local_view(n)
    zoho_sim.patch_ticket(
        zd.zid(n), status="Closed", subject="Assunto alterado no Zoho",
        description="<div>Descrição alterada</div>", department="FINANCEIRO",
        category="Billing", priority="Low", modifiedTime="2026-06-01T15:04:05Z",
        webUrl=WEB_URL + "novo25",
        cf={"cf_numero_do_pedido": "99925", "cf_numero_da_nota_fiscal": "88825"})

    # Without refresh nothing is written back.
    plain, _ = svc.ok(n)
    assert plain["ticket"] == zd.local_view(n)

    zoho_sim.reset()
    body, _ = svc.ok(n, refresh=1)
    assert body["zoho"] == {
        "id": zd.zid(n), "ticketNumber": "70025", "subject": "Assunto alterado no Zoho",
        "description": "<div>Descrição alterada</div>", "status": "Closed", "priority": "Low",
        "category": "Billing", "departmentName": "FINANCEIRO",
        "createdTime": "2026-03-22T11:00:00.000Z", "modifiedTime": "2026-06-01T15:04:05.000Z",
        "webUrl": WEB_URL + "novo25",
        "cf": {"cf_numero_do_pedido": "99925", "cf_numero_da_nota_fiscal": "88825"}}
    assert nonzero_calls(zoho_sim.counts()) == {"ticket": 1, "threads_list": 1,
                                                "attachments_list": 1}
    expected = dict(zd.local_view(n), webUrl=WEB_URL + "novo25", status="Closed",
                    updated_at="2026-06-01 12:04:05", subject="Assunto alterado no Zoho",
                    description="<div>Descrição alterada</div>", department="FINANCEIRO",
                    category="Billing", numero_pedido="99925", numero_nf="88825")
    assert body["ticket"] == expected

    # Stored: the next plain request (and a client user's) shows the new values.
    after, _ = svc.ok(n)
    assert after["ticket"] == expected
    assert "zoho" not in after
    as_client, _ = svc.ok(n, token=svc.client)
    assert as_client["ticket"] == expected


def test_failed_refresh_writes_nothing(zoho_sim, svc):
    n = 28
    warm, _ = svc.ok(n)
    zoho_sim.patch_ticket(zd.zid(n), subject="Nunca gravado")
    zoho_sim.config(error_rate=1.0)
    body, _ = svc.ok(n, refresh=1)
    assert body["sync"]["zoho"] == "stale"
    assert "zoho" not in body
    assert body["ticket"] == zd.local_view(n)
    assert body["threads"] == warm["threads"]
    zoho_sim.config(error_rate=0.0)
    after, _ = svc.ok(n)
    assert after["ticket"] == zd.local_view(n)


def test_ticket_deleted_in_zoho_is_missing_on_refresh(zoho_sim, svc):
    n = zd.DELETED
    first, _ = svc.ok(n)
    assert first["sync"]["zoho"] == "ok"
    zoho_sim.delete_ticket(zd.zid(n))

    body, _ = svc.ok(n, refresh=1)
    assert body["sync"]["zoho"] == "missing"
    assert "zoho" not in body
    assert body["ticket"] == first["ticket"] == zd.local_view(n)
    assert body["threads"] == [] and body["attachments"] == []
    after, _ = svc.ok(n)
    assert after["ticket"] == zd.local_view(n)


@pytest.fixture(scope="module")
def svc_zero(zoho_services):
    """Every request asks Zoho (--zoho-max-age 0)."""
    return zoho_services.start("--zoho-max-age", "0")


@pytest.mark.parametrize("cached", [False, True], ids=["cold", "cached"])
def test_ticket_deleted_in_zoho_is_missing_without_refresh(zoho_sim, svc_zero, cached):
    n = 26 if cached else 27
    if cached:
        first, _ = svc_zero.ok(n)
        assert first["sync"]["zoho"] == "ok"
    zoho_sim.delete_ticket(zd.zid(n))
    body, _ = svc_zero.ok(n)
    assert body["ticket"] == zd.local_view(n)
    assert "zoho" not in body
    assert body["sync"]["zoho"] == "missing", body["sync"]


@pytest.mark.parametrize("refresh", [0, 1])
def test_ticket_without_zoho_id_is_not_linked(zoho_sim, svc, refresh):
    body, _ = svc.ok(chamado_id=zd.UNLINKED_CHAMADO, refresh=refresh)
    assert body["sync"]["zoho"] == "not_linked"
    assert body["sync"].get("calls", 0) == 0
    assert body["threads"] == [] and body["attachments"] == []
    assert "zoho" not in body
    assert body["ticket"]["zoho_id"] is None and body["ticket"]["id"] == zd.UNLINKED_CHAMADO
    assert calls_of(zoho_sim.counts()) == 0


CREDENTIALS = ("DESKBRIDGE_ZOHO_CLIENT_ID", "DESKBRIDGE_ZOHO_CLIENT_SECRET",
               "DESKBRIDGE_ZOHO_REFRESH_TOKEN", "DESKBRIDGE_ZOHO_ORG_ID")


@pytest.mark.parametrize("missing", [CREDENTIALS, ("DESKBRIDGE_ZOHO_REFRESH_TOKEN",)],
                         ids=["none", "no-refresh-token"])
def test_service_without_zoho_credentials_is_not_configured(zoho_sim, zoho_services, missing):
    service = zoho_services.start(**{name: None for name in missing})
    for refresh in (0, 1):
        body, _ = service.ok(zd.REFRESH, refresh=refresh)
        assert body["sync"]["zoho"] == "not_configured"
        assert body["sync"].get("calls", 0) == 0
        assert body["threads"] == [] and body["attachments"] == []
        assert "zoho" not in body
        assert body["ticket"] == zd.REFRESH_LOCAL_VIEW
    unlinked, _ = service.ok(chamado_id=zd.UNLINKED_CHAMADO)
    assert unlinked["sync"]["zoho"] == "not_linked"
    assert calls_of(zoho_sim.counts()) == 0
    zoho_services.stop(service)

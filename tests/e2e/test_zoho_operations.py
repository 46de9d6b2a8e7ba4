"""Operations with Zoho: /readyz's token check (without a Zoho call per probe), the Zoho, cache
and token series of /metrics against the simulator's own counts, the access line's zoho_calls,
and ETags that survive a warm cache and a revalidation but never new data."""

import json
import time

import pytest

import prom_text
import zoho_data as zd
from e2e_helpers import DETAILS
from zoho_fixtures import calls_of

pytestmark = pytest.mark.usefixtures("zoho_clean")


def metrics(service):
    status, _, raw = service.request_raw("GET", "/metrics")
    assert status == 200
    return prom_text.parse(raw.decode("utf-8"))


def delta(before, after, name, **labels):
    return prom_text.value(after, name, **labels) - prom_text.value(before, name, **labels)


def details_raw(service, n, token=None, headers=None, **fields):
    return service.svc.request_raw("GET", DETAILS, {"auth": token or service.staff,
                                                    "chamado_id": zd.chamado(n), **fields},
                                   headers)


# /readyz -----------------------------------------------------------------------------------


def test_readyz_gets_a_token_once_and_then_answers_from_it(zoho_sim, zoho_services):
    service = zoho_services.start()
    for _ in range(4):
        status, _, body = service.request("GET", "/readyz")
        assert status == 200, body
        assert body["checks"]["zoho"] == {"status": "ok"}
    assert calls_of(zoho_sim.counts(), "token") == 1
    assert calls_of(zoho_sim.counts()) == 1, "a probe never calls Zoho Desk"
    zoho_services.stop(service)


def test_readyz_fails_with_a_bad_refresh_token_without_asking_each_time(zoho_sim,
                                                                        zoho_services):
    service = zoho_services.start(DESKBRIDGE_ZOHO_REFRESH_TOKEN="1000.not-the-right-one")
    for _ in range(3):
        status, _, body = service.request("GET", "/readyz")
        assert status == 503
        assert body["status"] == "not_ready"
        assert body["checks"]["zoho"] == {
            "status": "error", "error": "Zoho refused the token grant (invalid_code)"}
        assert body["checks"]["database"] == {"status": "ok"}
    assert calls_of(zoho_sim.counts(), "token") == 1, "one grant per retry interval"
    scraped = metrics(service)
    assert prom_text.value(scraped, "deskbridge_zoho_token_renewals_total", result="failed") == 1
    assert prom_text.value(scraped, "deskbridge_zoho_calls_total", endpoint="token",
                           outcome="client_error") == 1
    zoho_services.stop(service)


# /metrics ----------------------------------------------------------------------------------


def test_zoho_cache_and_token_series_follow_real_calls(zoho_sim, zoho_services):
    service = zoho_services.start()
    before = metrics(service)
    n = 21
    cold, _ = service.ok(n)
    warm, _ = service.ok(n)
    assert cold["sync"]["source"] == "zoho" and warm["sync"]["source"] == "cache"
    counts = zoho_sim.counts()
    after = metrics(service)

    sim = counts["calls"]
    assert delta(before, after, "deskbridge_zoho_calls_total", endpoint="token",
                 outcome="ok") == sim["token"] == 1
    assert delta(before, after, "deskbridge_zoho_calls_total", endpoint="threads_list",
                 outcome="ok") == sim["threads_list"]
    assert delta(before, after, "deskbridge_zoho_calls_total", endpoint="thread_detail",
                 outcome="ok") == sim["thread_detail"]
    assert delta(before, after, "deskbridge_zoho_calls_total", endpoint="attachments_list",
                 outcome="ok") == sim["attachments_list"]
    total = sum(v for (name, _), v in after.items() if name == "deskbridge_zoho_calls_total")
    assert total == calls_of(counts) == cold["sync"]["calls"]
    hist = sum(v for (name, _), v in after.items()
               if name == "deskbridge_zoho_call_duration_seconds_count")
    assert hist == total
    assert delta(before, after, "deskbridge_zoho_token_renewals_total", result="ok") == 1
    assert prom_text.value(after, "deskbridge_zoho_credits_remaining") == \
        counts["credits_remaining"]
    assert delta(before, after, "deskbridge_conversation_cache_requests_total",
                 result="miss") == 1
    assert delta(before, after, "deskbridge_conversation_cache_requests_total",
                 result="memory_hit") == 1

    service.ok(n, refresh=1)
    assert delta(after, metrics(service), "deskbridge_conversation_cache_requests_total",
                 result="bypass") == 1
    zoho_services.stop(service)


def test_429s_are_counted_as_zoho_reports_them(zoho_sim, zoho_services):
    service = zoho_services.start()
    service.ok(zd.SINGLE_THREAD)  # token and first fetch, without throttling
    before = metrics(service)
    zoho_sim.reset()
    zoho_sim.config(max_concurrent=1, latency_ms=50)
    body, _ = service.ok(22, refresh=1)
    assert body["sync"]["zoho"] == "ok"
    rejected = zoho_sim.counts()["rejected"]["concurrency"]
    assert rejected >= 1
    after = metrics(service)
    assert delta(before, after, "deskbridge_zoho_rate_limited_total") == rejected
    limited = sum(v - prom_text.value(before, name, **dict(labels))
                  for (name, labels), v in after.items()
                  if name == "deskbridge_zoho_calls_total"
                  and dict(labels)["outcome"] == "rate_limited")
    assert limited == rejected
    zoho_services.stop(service)


# Logs --------------------------------------------------------------------------------------


def test_access_line_carries_the_zoho_calls_of_the_request(zoho_service):
    n = 23
    status, headers, raw = details_raw(zoho_service, n, headers={"X-Request-Id": "e2e-zcalls"})
    assert status == 200
    calls = json.loads(raw)["sync"]["calls"]
    assert calls >= 3
    lines = [json.loads(line) for line in zoho_service.log_text().splitlines() if line.strip()]
    mine = {line["event"]: line for line in lines if line.get("request_id") == "e2e-zcalls"}
    assert mine["request"]["zoho_calls"] == calls
    assert mine["request"]["ticket"] == zd.chamado(n)
    assert mine["request"]["user"] == zd.STAFF
    assert mine["ticket_read"]["staff"] is True and mine["ticket_read"]["customer"] is None


# ETag --------------------------------------------------------------------------------------


def test_etag_survives_a_warm_cache_and_an_empty_revalidation(zoho_sim, zoho_services):
    service = zoho_services.start("--zoho-max-age", "1")
    n = 24
    status, headers, raw = details_raw(service, n)
    assert status == 200 and json.loads(raw)["sync"]["source"] == "zoho"
    tag = headers["ETag"]

    # Served from the cache: calls and source differ, the data does not.
    status, headers, raw = details_raw(service, n, headers={"If-None-Match": tag})
    assert (status, raw, headers["ETag"]) == (304, b"", tag)
    # Past the freshness window Zoho is asked again (new fetched_at and calls), nothing is new.
    time.sleep(1.1)
    zoho_sim.reset()
    status, headers, raw = details_raw(service, n, headers={"If-None-Match": tag})
    assert (status, raw, headers["ETag"]) == (304, b"", tag)
    assert calls_of(zoho_sim.counts()) == 2, "the revalidation did happen"

    # refresh=1 adds the "zoho" object: another representation, stable between refreshes.
    refreshed = details_raw(service, n, refresh=1)[1]["ETag"]
    assert refreshed != tag
    status, _, raw = details_raw(service, n, headers={"If-None-Match": refreshed}, refresh=1)
    assert (status, raw) == (304, b"")

    # New data never answers 304.
    zoho_sim.add_thread(zd.zid(n), direction="in", content="<div>Mais uma pergunta</div>")
    time.sleep(1.1)
    status, headers, raw = details_raw(service, n, headers={"If-None-Match": tag})
    assert status == 200
    assert json.loads(raw)["threads"][-1]["conteudo"] == "<div>Mais uma pergunta</div>"
    assert headers["ETag"] != tag
    zoho_services.stop(service)


def test_staff_and_client_see_different_tags_for_a_ticket_with_private_notes(zoho_service):
    n = zd.PRIVATE_SMALL
    staff = details_raw(zoho_service, n)[1]["ETag"]
    client = details_raw(zoho_service, n, token=zoho_service.client)[1]["ETag"]
    assert staff != client
    status = details_raw(zoho_service, n, token=zoho_service.client,
                         headers={"If-None-Match": staff})[0]
    assert status == 200

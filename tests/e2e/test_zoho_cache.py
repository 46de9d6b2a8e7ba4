"""The conversation cache: freshness window (--zoho-max-age), webhook invalidation, threads
fetched in detail only once, refresh=1, single flight and stale serving.

Three services share the module's simulator: max-age 1 s, max-age 1 h with the webhook on, and
max-age 0 (every request revalidates). Each test uses its own fixture ticket.
"""

import threading
import time

import pytest

import zoho_data as zd
from zoho_fixtures import calls_of, nonzero_calls

pytestmark = pytest.mark.usefixtures("zoho_clean")

SECRET = "e2e-webhook-Secret_0123456789"
REVALIDATION = {"threads_list": 1, "attachments_list": 1}


def warm_token(service):
    body, _ = service.ok(zd.PAGED)
    assert body["sync"]["zoho"] == "ok"
    return service


@pytest.fixture(scope="module")
def svc_window(zoho_services):
    return warm_token(zoho_services.start("--zoho-max-age", "1"))


@pytest.fixture(scope="module")
def svc_hook(zoho_services):
    return warm_token(zoho_services.start("--zoho-max-age", "3600",
                                          "--zoho-webhook-secret", SECRET))


@pytest.fixture(scope="module")
def svc_zero(zoho_services):
    return warm_token(zoho_services.start("--zoho-max-age", "0"))


def ids(body):
    return [t["id"] for t in body["threads"]]


def new_thread(sim, n, text):
    row = sim.add_thread(zd.zid(n), direction="in", content=f"<div>{text}</div>")
    return row["id"]


def thread_added_event(n):
    return {"eventType": "Ticket_Thread_Add", "payload": {"ticketId": zd.zid(n)}}


# ---------------------------------------------------------------------------------------------
# Freshness and invalidation


def test_new_thread_appears_once_the_window_has_passed(zoho_sim, svc_window):
    n = 18
    first, _ = svc_window.ok(n)
    assert first["sync"]["source"] == "zoho"
    assert ids(first) == zd.small_expected_thread_ids(n)

    added = new_thread(zoho_sim, n, "Alguma novidade?")
    time.sleep(1.1)
    zoho_sim.reset()
    body, _ = svc_window.ok(n)
    assert body["sync"]["source"] == "zoho" and body["sync"]["zoho"] == "ok"
    assert ids(body) == zd.small_expected_thread_ids(n) + [added]
    assert body["threads"][-1]["conteudo"] == "<div>Alguma novidade?</div>"
    assert body["threads"][:2] == first["threads"]
    # Revalidation: both lists, and a detail for the new thread only.
    assert nonzero_calls(zoho_sim.counts()) == dict(REVALIDATION, thread_detail=1)
    assert body["sync"]["calls"] == 3


def test_webhook_makes_the_next_request_revalidate(zoho_sim, svc_hook):
    n = 19
    first, _ = svc_hook.ok(n)
    added = new_thread(zoho_sim, n, "Mensagem depois do cache")
    zoho_sim.reset()

    # Inside the window: the cached copy, no Zoho call, no new thread yet.
    cached, _ = svc_hook.ok(n)
    assert cached["sync"] == {"zoho": "ok", "calls": 0, "source": "cache",
                              "fetched_at": first["sync"]["fetched_at"]}
    assert cached["threads"] == first["threads"]
    assert calls_of(zoho_sim.counts()) == 0

    status, _, answer = svc_hook.webhook(SECRET, [thread_added_event(n)])
    assert (status, answer) == (200, {"success": True, "tickets": 1, "marked_stale": 1})
    assert calls_of(zoho_sim.counts()) == 0  # the webhook itself asks Zoho nothing

    body, _ = svc_hook.ok(n)
    assert body["sync"]["source"] == "zoho"
    assert ids(body) == zd.small_expected_thread_ids(n) + [added]
    assert nonzero_calls(zoho_sim.counts()) == dict(REVALIDATION, thread_detail=1)
    assert body["sync"]["calls"] == 3

    # Fresh again: the next request is served from the cache.
    zoho_sim.reset()
    again, _ = svc_hook.ok(n)
    assert again["sync"]["source"] == "cache" and again["sync"]["calls"] == 0
    assert again["threads"] == body["threads"]
    assert calls_of(zoho_sim.counts()) == 0


def test_refresh_revalidates_inside_the_window(zoho_sim, svc_hook):
    n = 22
    svc_hook.ok(n)
    added = new_thread(zoho_sim, n, "Pedido de atualização")
    zoho_sim.reset()
    body, _ = svc_hook.ok(n, refresh=1)
    assert body["sync"]["source"] == "zoho" and body["sync"]["zoho"] == "ok"
    assert ids(body) == zd.small_expected_thread_ids(n) + [added]
    assert body["zoho"]["id"] == zd.zid(n)
    # Both lists, the ticket itself, and the new thread only.
    assert nonzero_calls(zoho_sim.counts()) == dict(REVALIDATION, ticket=1, thread_detail=1)
    assert body["sync"]["calls"] == 4

    # refresh=1 renewed the cache: a plain request is served from it.
    zoho_sim.reset()
    plain, _ = svc_hook.ok(n)
    assert plain["sync"]["source"] == "cache"
    assert plain["threads"] == body["threads"]
    assert calls_of(zoho_sim.counts()) == 0


# ---------------------------------------------------------------------------------------------
# Content is fetched once


def test_thread_content_is_never_fetched_twice(zoho_sim, svc_zero):
    n = 23
    first, _ = svc_zero.ok(n)
    assert first["sync"]["calls"] == 4
    for _ in range(3):
        zoho_sim.reset()
        body, _ = svc_zero.ok(n)
        assert body["sync"]["source"] == "zoho"
        assert nonzero_calls(zoho_sim.counts()) == REVALIDATION
        assert body["threads"] == first["threads"]
        assert body["attachments"] == first["attachments"]

    added = new_thread(zoho_sim, n, "Terceira mensagem")
    zoho_sim.reset()
    body, _ = svc_zero.ok(n)
    assert ids(body) == zd.small_expected_thread_ids(n) + [added]
    assert nonzero_calls(zoho_sim.counts()) == dict(REVALIDATION, thread_detail=1)

    zoho_sim.reset()
    body, _ = svc_zero.ok(n)
    assert ids(body) == zd.small_expected_thread_ids(n) + [added]
    assert nonzero_calls(zoho_sim.counts()) == REVALIDATION


def test_big_conversation_revalidates_without_any_detail(zoho_sim, svc_zero):
    cold, _ = svc_zero.ok(zd.BIG)
    counts = zoho_sim.counts()
    assert counts["calls"]["thread_detail"] == zd.BIG_MESSAGES
    assert counts["calls"]["thread_full_content"] == zd.BIG_TRUNCATED

    zoho_sim.reset()
    warm, _ = svc_zero.ok(zd.BIG)
    # Two pages of the thread list and the attachment list; no detail, no fullContent.
    assert nonzero_calls(zoho_sim.counts()) == {"threads_list": 2, "attachments_list": 1}
    assert warm["sync"]["calls"] == 3 and warm["sync"]["source"] == "zoho"
    assert warm["threads"] == cold["threads"]
    assert warm["attachments"] == cold["attachments"]


# ---------------------------------------------------------------------------------------------
# Single flight


def test_webhook_during_a_fetch_leaves_the_copy_stale(zoho_sim, svc_hook):
    # The thread arrives, and its webhook with it, while a fetch is on its way: that fetch may
    # have missed it, so the next request must ask Zoho again instead of trusting the copy.
    n = 27
    zoho_sim.config(latency_ms=600)
    answer = {}
    asking = threading.Thread(target=lambda: answer.update(first=svc_hook.ok(n)[0]))
    asking.start()
    time.sleep(0.3)  # the thread list is on its way, not back yet
    added = new_thread(zoho_sim, n, "Chegou durante a busca")
    status, _, hook = svc_hook.webhook(SECRET, [thread_added_event(n)])
    assert status == 200 and hook["tickets"] == 1
    asking.join(30)
    zoho_sim.config(latency_ms=0)

    first = answer["first"]
    assert first["sync"]["source"] == "zoho"

    # Whether or not that fetch happened to see the thread, the copy is not trusted.
    body, _ = svc_hook.ok(n)
    assert body["sync"]["source"] == "zoho" and body["sync"]["calls"] >= 2
    assert ids(body) == zd.small_expected_thread_ids(n) + [added]


def test_concurrent_identical_requests_share_one_fetch(zoho_sim, svc_hook):
    n = 20
    zoho_sim.config(latency_ms=300)
    count = 50
    barrier = threading.Barrier(count)
    answers = [None] * count

    def ask(i):
        barrier.wait()
        answers[i] = svc_hook.ask(n)

    workers = [threading.Thread(target=ask, args=(i,)) for i in range(count)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(30)

    assert all(a is not None and a[0] == 200 for a in answers), answers
    counts = zoho_sim.counts()
    # One set of calls: both lists, then one detail per thread.
    assert nonzero_calls(counts) == dict(REVALIDATION, thread_detail=2)
    bodies = [a[1] for a in answers]
    assert sum(b["sync"]["calls"] for b in bodies) == calls_of(counts) == 4
    for b in bodies:
        assert b["sync"]["zoho"] == "ok" and b["sync"]["source"] == "zoho"
    # Identical answers (the calls were made for one of them and shared by the others).
    stripped = [dict(b, sync=dict(b["sync"], calls=None)) for b in bodies]
    assert all(s == stripped[0] for s in stripped)
    assert ids(bodies[0]) == zd.small_expected_thread_ids(n)


# ---------------------------------------------------------------------------------------------
# Stale serving


def test_cached_copy_served_as_stale_when_zoho_fails(zoho_sim, svc_zero):
    n = 21
    warm, _ = svc_zero.ok(n)
    assert warm["sync"]["zoho"] == "ok"
    zoho_sim.config(error_rate=1.0)
    zoho_sim.reset(config=False)

    body, _ = svc_zero.ok(n)
    sync = body["sync"]
    assert sync["zoho"] == "stale" and sync["source"] == "cache"
    assert sync["fetched_at"] == warm["sync"]["fetched_at"]
    assert "500" in sync["error"]
    assert sync["calls"] == calls_of(zoho_sim.counts()) > 2
    assert body["threads"] == warm["threads"]
    assert body["attachments"] == warm["attachments"]
    assert body["ticket"] == warm["ticket"] == zd.local_view(n)

    zoho_sim.config(error_rate=0.0)
    body, _ = svc_zero.ok(n)
    assert body["sync"]["zoho"] == "ok" and body["sync"]["source"] == "zoho"
    assert body["sync"]["fetched_at"] >= warm["sync"]["fetched_at"]


# ---------------------------------------------------------------------------------------------
# The webhook endpoint


def test_webhook_with_a_wrong_secret_is_not_found(svc_hook):
    for secret in ("wrong-secret", SECRET + "x", SECRET[:-1], ""):
        status, _, body = svc_hook.webhook(secret, [thread_added_event(19)])
        assert status == 404 and body["success"] is False, secret
        status, _, body = svc_hook.webhook(secret, None, method="GET")
        assert status == 404, secret


def test_webhook_url_validation_get(svc_hook):
    status, _, body = svc_hook.webhook(SECRET, None, method="GET")
    assert (status, body) == (200, {"success": True})


def test_webhook_for_an_unknown_ticket_marks_nothing(zoho_sim, svc_hook):
    status, _, body = svc_hook.webhook(SECRET, [{"eventType": "Ticket_Thread_Add",
                                                 "payload": {"ticketId": zd.UNKNOWN_ZID}}])
    assert (status, body) == (200, {"success": True, "tickets": 1, "marked_stale": 0})
    assert calls_of(zoho_sim.counts()) == 0


def test_webhook_counts_tickets_and_marked_ones(zoho_sim, svc_hook):
    n = 24
    svc_hook.ok(n)  # cached
    events = [thread_added_event(n),
              {"eventType": "Ticket_Thread_Add", "payload": {"ticketId": zd.UNKNOWN_ZID}}]
    status, _, body = svc_hook.webhook(SECRET, events)
    assert (status, body) == (200, {"success": True, "tickets": 2, "marked_stale": 1})
    zoho_sim.reset()
    again, _ = svc_hook.ok(n)
    assert again["sync"]["source"] == "zoho"
    assert nonzero_calls(zoho_sim.counts()) == REVALIDATION


def test_no_webhook_without_a_secret(svc_window):
    for secret in ("", "anything", SECRET):
        status, _, _ = svc_window.webhook(secret, [thread_added_event(18)])
        assert status == 404, secret

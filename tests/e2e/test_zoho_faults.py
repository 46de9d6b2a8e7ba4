"""Zoho Desk failures seen through ticket_details: expiring tokens, 429s, 500s, hangs,
malformed bodies and a wrong refresh token. Whatever Zoho does, deskbridge answers 200 with the
local ticket within its deadline; the Zoho half says what happened in `sync`.

The module's service runs with --zoho-deadline 3 --zoho-max-age 0 (every request asks Zoho);
tests that need other flags start their own. Each test uses its own fixture ticket.
"""

import time

import pytest

import zoho_data as zd
from zoho_fixtures import calls_of, nonzero_calls

pytestmark = pytest.mark.usefixtures("zoho_clean")

DEADLINE = 3


@pytest.fixture(scope="module")
def svc(zoho_services):
    service = zoho_services.start("--zoho-deadline", str(DEADLINE), "--zoho-max-age", "0")
    # Take the first token now, so that no test below pays (or counts) the first grant.
    service.ok(zd.PAGED)
    return service


def thread_ids(body):
    return [t["id"] for t in body["threads"]]


def desk_calls(counts):
    return calls_of(counts) - calls_of(counts, "token")


def assert_error_answer(body, n, fragment):
    """200 with the local ticket, an error in sync, and no Zoho data at all."""
    assert body["ticket"] == zd.local_view(n)
    assert body["sync"]["zoho"] == "error"
    assert fragment in body["sync"]["error"]
    assert body["threads"] == [] and body["attachments"] == []
    assert "zoho" not in body


# ---------------------------------------------------------------------------------------------
# Tokens


def test_token_renewed_before_it_expires(zoho_sim, zoho_services):
    zoho_sim.config(token_lifetime=2)
    service = zoho_services.start("--zoho-max-age", "0")
    n = 12
    answers = []
    start = time.monotonic()
    while time.monotonic() - start < 5:
        body, _ = service.ok(n)
        answers.append(body["sync"]["zoho"])
        time.sleep(0.03)
    elapsed = time.monotonic() - start
    counts = zoho_sim.counts()
    zoho_services.stop(service)

    assert answers == ["ok"] * len(answers)
    assert len(answers) >= 30
    # A 2 s token is renewed about once a second: some 5-7 grants, not one per request, and
    # never so late that Zoho refuses a call.
    grants = calls_of(counts, "token")
    assert 4 <= grants <= int(elapsed) + 3, (grants, elapsed)
    assert counts["status"].get("401", 0) == 0
    assert counts["calls"]["threads_list"] == len(answers)


def test_expired_token_is_renewed_once_and_the_call_retried(zoho_sim, svc):
    n = 11
    first, _ = svc.ok(n)
    assert first["sync"]["zoho"] == "ok"
    zoho_sim.reset()
    zoho_sim.expire_tokens()

    body, _ = svc.ok(n)
    counts = zoho_sim.counts()
    assert body["sync"]["zoho"] == "ok" and body["sync"]["source"] == "zoho"
    assert thread_ids(body) == zd.small_expected_thread_ids(n)
    assert calls_of(counts, "token") == 1
    # Both list calls were refused once (401 INVALID_OAUTH), then succeeded with the new token
    # (the ticket has no ticket-level files: its attachment list is an empty 204).
    assert counts["by_kind"]["threads_list"] == {"401": 1, "200": 1}
    assert counts["by_kind"]["attachments_list"] == {"401": 1, "204": 1}
    # Four Desk calls plus the grant this request triggered.
    assert body["sync"]["calls"] == 5

    zoho_sim.reset()
    again, _ = svc.ok(n)
    assert again["sync"] == dict(again["sync"], zoho="ok", calls=2, source="zoho")
    assert calls_of(zoho_sim.counts(), "token") == 0


def test_wrong_refresh_token_is_an_error_naming_invalid_code(zoho_sim, zoho_services):
    service = zoho_services.start(DESKBRIDGE_ZOHO_REFRESH_TOKEN="1000.not-the-right-one")
    n = 14
    body, seconds = service.ok(n)
    assert_error_answer(body, n, "invalid_code")
    counts = zoho_sim.counts()
    assert calls_of(counts, "token") >= 1
    assert desk_calls(counts) == 0
    # The same when Accounts sends the error with a 400.
    zoho_sim.config(token_error_status=400)
    body, _ = service.ok(n)
    assert_error_answer(body, n, "invalid_code")
    zoho_services.stop(service)


# ---------------------------------------------------------------------------------------------
# Throttling and server errors


def test_too_many_requests_waits_for_retry_after(zoho_sim, svc):
    n = zd.SINGLE_THREAD
    # One call at a time: of the two list calls that start together, one gets 429 with
    # Retry-After: 1 and must wait a second before trying again.
    zoho_sim.config(max_concurrent=1, retry_after=1, latency_ms=100)
    body, seconds = svc.ok(n)
    counts = zoho_sim.counts()
    assert body["sync"]["zoho"] == "ok"
    assert thread_ids(body) == zd.small_expected_thread_ids(n)
    assert [f["id"] for f in body["attachments"]] == [zd.file_id(n, 1)]
    assert counts["rejected"]["concurrency"] == 1
    assert counts["status"] == {"200": 2, "204": 1, "429": 1}
    assert body["sync"]["calls"] == 4  # 2 lists, the retry, 1 detail
    # Retry-After honoured (a plain backoff would retry after 0.1-0.2 s), deadline kept.
    assert 1.0 <= seconds < DEADLINE


def test_retry_after_beyond_the_deadline_fails_at_once(zoho_sim, svc):
    n = 29
    zoho_sim.config(max_concurrent=1, retry_after=10, latency_ms=50)
    body, seconds = svc.ok(n)
    # Waiting 10 s cannot fit in a 3 s deadline: no wait, no retry, an error now.
    assert_error_answer(body, n, "429")
    assert seconds < 1.0
    counts = zoho_sim.counts()
    assert counts["rejected"]["concurrency"] >= 1
    # Neither list was tried twice.
    assert (counts["calls"]["threads_list"], counts["calls"]["attachments_list"]) == (1, 1)


@pytest.mark.parametrize("retry_after", [False, True], ids=["no-retry-after", "retry-after"])
def test_spent_daily_credits_end_at_once_without_a_retry(zoho_sim, svc, retry_after):
    n = 18
    svc.ok(n)  # cached, so that the spent credits are seen on a revalidation too
    zoho_sim.config(credits=0, credits_retry_after=retry_after)
    zoho_sim.reset(config=False)
    body, seconds = svc.ok(n)
    # The day's credits come back at Zoho's midnight, whatever Retry-After says (when it is
    # there at all): one try per list, the cached copy, and no waiting.
    assert body["sync"]["zoho"] == "stale"
    assert "429 THRESHOLD_EXCEEDED" in body["sync"]["error"]
    assert thread_ids(body) == zd.small_expected_thread_ids(n)
    assert seconds < 1.0
    counts = zoho_sim.counts()
    assert nonzero_calls(counts) == {"threads_list": 1, "attachments_list": 1}
    assert counts["rejected"]["credits"] == 2


def test_max_in_flight_caps_concurrent_zoho_calls(zoho_sim, zoho_services):
    service = zoho_services.start("--zoho-max-in-flight", "2")
    # Zoho would refuse a third concurrent call; 50 thread details are waiting to be fetched.
    zoho_sim.config(max_concurrent=2, latency_ms=20)
    body, _ = service.ok(zd.PAGED)
    counts = zoho_sim.counts()
    zoho_services.stop(service)
    assert body["sync"]["zoho"] == "ok"
    assert len(body["threads"]) == zd.PAGED_THREADS
    assert counts["rejected"]["concurrency"] == 0
    assert counts["max_in_flight"] == 2
    assert nonzero_calls(counts) == {"token": 1, "threads_list": 2, "thread_detail": 50,
                                     "attachments_list": 2}


def test_server_errors_end_in_an_error_within_the_deadline(zoho_sim, svc):
    n = 7
    zoho_sim.config(error_rate=1.0)
    body, seconds = svc.ok(n)
    counts = zoho_sim.counts()
    assert_error_answer(body, n, "500")
    assert seconds < DEADLINE + 0.5
    # Retried: each list call was tried more than once, and nothing else was called.
    assert counts["calls"]["threads_list"] >= 2 and counts["calls"]["attachments_list"] >= 2
    assert set(nonzero_calls(counts)) == {"threads_list", "attachments_list"}
    assert counts["status"] == {"500": desk_calls(counts)}
    assert body["sync"]["calls"] == desk_calls(counts)

    # The service still serves: other tickets meanwhile, this one once Zoho is back.
    unlinked, _ = svc.ok(chamado_id=zd.UNLINKED_CHAMADO)
    assert unlinked["sync"]["zoho"] == "not_linked"
    zoho_sim.config(error_rate=0.0)
    zoho_sim.reset(config=False)
    body, _ = svc.ok(n)
    assert body["sync"]["zoho"] == "ok"
    assert thread_ids(body) == zd.small_expected_thread_ids(n)
    assert nonzero_calls(zoho_sim.counts()) == {"threads_list": 1, "thread_detail": 2,
                                                "attachments_list": 1}


def test_occasional_server_errors_are_retried_away(zoho_sim, svc):
    n = 13
    svc.ok(n)  # cached, so that a request that still fails is served stale
    zoho_sim.reset()
    zoho_sim.config(error_rate=0.3, seed=20261203)
    states, calls, retried_ok = [], 0, 0
    for _ in range(20):
        body, seconds = svc.ok(n)
        assert seconds < DEADLINE + 0.5
        state, made = body["sync"]["zoho"], body["sync"]["calls"]
        states.append(state)
        calls += made
        retried_ok += state == "ok" and made > 2
        # A request that still failed had tried one call four times.
        assert state == "ok" or made >= 5, body["sync"]
        assert thread_ids(body) == zd.small_expected_thread_ids(n)
    counts = zoho_sim.counts()
    assert counts["faults"]["error"] > 10
    # Without retries, about half of the requests (0.7 * 0.7 ok) would fail.
    assert states.count("ok") >= 16, states
    assert retried_ok >= 5
    assert set(states) <= {"ok", "stale"}
    assert calls == desk_calls(counts)


def test_other_client_errors_are_not_retried(zoho_sim, svc):
    n = 17
    zoho_sim.delete_ticket(zd.zid(n))
    zoho_sim.reset(config=False)
    body, _ = svc.ok(n)
    counts = zoho_sim.counts()
    assert body["ticket"] == zd.local_view(n)
    assert body["sync"]["zoho"] in ("missing", "error")
    assert body["threads"] == [] and body["attachments"] == []
    # 404 is final: one call per list, no retry.
    assert nonzero_calls(counts) == {"threads_list": 1, "attachments_list": 1}
    assert counts["status"] == {"404": 2}


# ---------------------------------------------------------------------------------------------
# Hangs


@pytest.fixture(scope="module")
def svc_2s(zoho_services):
    service = zoho_services.start("--zoho-deadline", "2", "--zoho-max-age", "0")
    service.ok(zd.PAGED)  # first token
    return service


def test_hanging_zoho_times_out_at_the_deadline(zoho_sim, svc_2s):
    n = 8
    zoho_sim.config(hang_rate=1.0)
    hung, seconds = svc_2s.ok(n)
    assert seconds < 3
    assert seconds >= 1.9
    assert_error_answer(hung, n, "timed out")

    zoho_sim.config(hang_rate=0.0)
    body, seconds = svc_2s.ok(n)
    assert body["sync"]["zoho"] == "ok" and seconds < 1
    assert thread_ids(body) == zd.small_expected_thread_ids(n)
    assert hung["sync"]["error"] == "Zoho Desk timed out after 2 s"


def test_hanging_zoho_serves_the_cached_copy_as_stale(zoho_sim, svc_2s):
    n = 15
    warm, _ = svc_2s.ok(n)
    assert warm["sync"]["zoho"] == "ok"
    zoho_sim.config(hang_rate=1.0)
    body, seconds = svc_2s.ok(n)
    assert seconds < 3
    sync = body["sync"]
    assert (sync["zoho"], sync["source"]) == ("stale", "cache")
    assert sync["fetched_at"] == warm["sync"]["fetched_at"]
    assert sync["calls"] == 2
    assert body["threads"] == warm["threads"]
    assert body["attachments"] == warm["attachments"]
    assert body["ticket"] == warm["ticket"]
    assert sync == {"zoho": "stale", "calls": 2, "source": "cache",
                    "fetched_at": warm["sync"]["fetched_at"],
                    "error": "Zoho Desk timed out after 2 s"}


def test_fractional_deadline(zoho_sim, zoho_services):
    service = zoho_services.start("--zoho-deadline", "1.5")
    n = 16
    service.ok(zd.PAGED)  # first token
    zoho_sim.config(hang_rate=1.0)
    body, seconds = service.ok(n)
    assert 1.4 <= seconds < 2.5
    assert_error_answer(body, n, "timed out")
    assert body["sync"]["error"] == "Zoho Desk timed out after 1.5 s"
    zoho_services.stop(service)


# ---------------------------------------------------------------------------------------------
# Malformed answers


def test_malformed_json_is_an_error_with_no_half_data(zoho_sim, svc):
    n = 9
    zoho_sim.config(malformed_rate=1.0)
    body, seconds = svc.ok(n)
    assert_error_answer(body, n, "malformed")
    assert seconds < DEADLINE + 0.5
    assert zoho_sim.counts()["faults"]["malformed"] >= 2


def test_malformed_thread_details_leave_nothing_behind(zoho_sim, svc):
    n = 10
    # The lists are fine, every thread detail is cut in half.
    zoho_sim.config(malformed_rate=1.0, fault_path="/threads/")
    body, _ = svc.ok(n)
    assert_error_answer(body, n, "malformed")
    assert zoho_sim.counts()["calls"]["threads_list"] == 1

    # Nothing of the failed fetch was kept: the next one fetches every thread again.
    zoho_sim.reset(config=True)
    body, _ = svc.ok(n)
    assert body["sync"]["zoho"] == "ok"
    assert thread_ids(body) == zd.small_expected_thread_ids(n)
    assert nonzero_calls(zoho_sim.counts()) == {"threads_list": 1, "thread_detail": 2,
                                                "attachments_list": 1}

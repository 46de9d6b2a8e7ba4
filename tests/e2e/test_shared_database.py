"""Two instances on one database, on each engine (a SQLite file both open, or PostgreSQL), and
one Zoho simulator: what they share through the database (docs/deployment.md).

One token grant for both; the conversation cache shared; one set of Zoho calls when both are
asked for the same cold ticket at once (the fetch lease); one grant when both see the shared
token revoked. test_multi_instance.py runs the same layout behind nginx with three instances.
"""

import threading

import pytest

import zoho_data as zd
from zoho_fixtures import calls_of, nonzero_calls, zoho_env

SECRET = "shared-database-secret-0123456789-abcdefgh"


@pytest.fixture(scope="module")
def pair(zoho_sim, zoho_services):
    db = zoho_services.new_database()
    zoho_sim.reset(config=True, tokens=True)
    env = zoho_env(zoho_sim, SECRET)
    return [zoho_services.start(env=dict(env), db=db) for _ in range(2)]


def ticket_through(instance, n):
    body, _ = instance.ok(n)
    assert body["sync"]["zoho"] == "ok", body["sync"]
    assert [t["id"] for t in body["threads"]] == zd.small_expected_thread_ids(n)
    return body["sync"]


def at_once(jobs):
    """Runs ticket_through(instance, n) for every (instance, n) at the same moment."""
    barrier = threading.Barrier(len(jobs))
    syncs = [None] * len(jobs)

    def ask(k, instance, n):
        barrier.wait()
        syncs[k] = ticket_through(instance, n)

    threads = [threading.Thread(target=ask, args=(k, *job)) for k, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert all(s is not None for s in syncs), syncs
    return syncs


def test_both_instances_use_one_token_grant(zoho_sim, pair):
    a, b = pair
    ticket_through(a, 8)
    ticket_through(b, 9)
    ticket_through(a, 10)
    assert calls_of(zoho_sim.counts(), "token") == 1, nonzero_calls(zoho_sim.counts())


def test_a_ticket_fetched_by_one_instance_is_served_from_cache_by_the_other(zoho_sim, pair):
    a, b = pair
    n = 11
    first = ticket_through(a, n)
    assert first["source"] == "zoho" and first["calls"] > 0
    before = zoho_sim.counts()

    sync = ticket_through(b, n)
    assert (sync["source"], sync["calls"]) == ("cache", 0), sync
    assert nonzero_calls(zoho_sim.counts()) == nonzero_calls(before), "no Zoho call at all"


def test_both_asked_for_one_cold_ticket_make_one_set_of_calls(zoho_sim, pair):
    a, b = pair
    n = 12
    # Every call slow enough that the second instance asks while the first is fetching.
    zoho_sim.config(latency_ms=300)
    try:
        before = calls_of(zoho_sim.counts())
        syncs = at_once([(a, n), (b, n)])
    finally:
        zoho_sim.config(latency_ms=0)

    made = calls_of(zoho_sim.counts()) - before
    assert sorted(s["source"] for s in syncs) == ["cache", "zoho"], syncs
    leader = next(s for s in syncs if s["source"] == "zoho")
    assert made == leader["calls"] > 0, (syncs, made)


def test_both_seeing_the_token_revoked_cause_one_grant(zoho_sim, pair):
    a, b = pair
    ticket_through(a, 13)  # the shared token exists and both have used it
    ticket_through(b, 14)
    before = calls_of(zoho_sim.counts(), "token")
    zoho_sim.expire_tokens()

    syncs = at_once([(a, 15), (a, 16), (b, 17), (b, 18)])
    assert all(s["source"] == "zoho" for s in syncs), syncs
    assert calls_of(zoho_sim.counts(), "token") - before == 1, nonzero_calls(zoho_sim.counts())

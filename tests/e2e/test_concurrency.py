"""Many simultaneous requests, each on its own connection, each answered correctly."""

import itertools
import json
import threading
from concurrent.futures import ThreadPoolExecutor

from e2e_helpers import AUTH, DETAILS
from e2e_seed import EXPECTED_TICKETS, PASSWORDS, SEED, TICKET_CLIENT, USER_CLIENT

REQUESTS = 100
SEED_TICKETS = {t["id"]: t for t in SEED["tickets"]}
NOT_FOUND = {"success": False, "error": "Ticket not found"}


def lookup(ticket_id, kind):
    if kind == "ticket_number":
        return {"ticket_number": str(SEED_TICKETS[ticket_id]["ticket_number"])}
    if kind == "ticket_number_int":
        return {"ticket_number": int(SEED_TICKETS[ticket_id]["ticket_number"])}
    if kind == "chamado_id_str":
        return {"chamado_id": str(ticket_id)}
    return {"chamado_id": ticket_id}


def expected_answer(login, ticket_id):
    if USER_CLIENT[login] in (None, TICKET_CLIENT[ticket_id]):
        return 200, EXPECTED_TICKETS[ticket_id]
    return 404, NOT_FOUND


def plan():
    """REQUESTS cases cycling through users, tickets and identifier kinds."""
    users = itertools.cycle(["ops", "acme", "globex"])
    tickets = itertools.cycle(sorted(EXPECTED_TICKETS))
    kinds = itertools.cycle(["chamado_id", "ticket_number", "ticket_number_int",
                             "chamado_id_str"])
    return [(f"conc-{i}", next(users), next(tickets), next(kinds)) for i in range(REQUESTS)]


def fire_all(service, cases, tokens):
    # The barrier makes the requests leave together instead of trickling out one by one.
    barrier = threading.Barrier(len(cases), timeout=30)

    def one(case):
        request_id, login, ticket_id, kind = case
        conn = service.connect(timeout=30)
        try:
            conn.connect()
            barrier.wait()
            body = json.dumps({"auth": tokens[login], **lookup(ticket_id, kind)})
            conn.request("GET", DETAILS, body=body, headers={"X-Request-Id": request_id})
            res = conn.getresponse()
            return res.status, res.headers.get("X-Request-Id"), json.loads(res.read())
        finally:
            conn.close()

    with ThreadPoolExecutor(max_workers=len(cases)) as pool:
        return list(pool.map(one, cases))


def test_hundred_concurrent_lookups(service):
    tokens = {login: service.login(login) for login in ("ops", "acme", "globex")}
    cases = plan()
    answers = fire_all(service, cases, tokens)

    wrong = []
    for case, (status, echoed_id, body) in zip(cases, answers):
        request_id, login, ticket_id, _ = case
        want_status, want = expected_answer(login, ticket_id)
        got = body.get("ticket") if status == 200 else body
        if (status, echoed_id, got) != (want_status, request_id, want):
            wrong.append((case, status, echoed_id, body))
    assert wrong == []
    assert {status for status, _, _ in answers} == {200, 404}


def test_concurrent_logins(service):
    logins = ["ops", "acme", "globex", "acme2"] * 3

    def login(name):
        status, _, body = service.request("POST", AUTH,
                                          {"login": name, "password": PASSWORDS[name]})
        return status, service.details(body["auth"], chamado_id=99)[0] if status == 200 else None

    with ThreadPoolExecutor(max_workers=len(logins)) as pool:
        results = list(pool.map(login, logins))
    want = [(200, 200 if USER_CLIENT[n] in (None, TICKET_CLIENT[99]) else 404) for n in logins]
    assert results == want

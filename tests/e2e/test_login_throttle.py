"""Failed logins are throttled per login and per client address, and throttling ends.

The server trusts 127.0.0.1 as a reverse proxy, so each test picks its client address with
X-Forwarded-For and the tests do not share one address's allowance. Limits are the defaults
of core::Limits: 5 free failures per login, 20 per address, blocks from 1 s doubling.
"""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from conftest import Service, stop_and_check
from e2e_helpers import AUTH, assert_error
from e2e_seed import PASSWORDS

THROTTLED = "Too many failed logins, retry later"
FREE_PER_LOGIN = 5
FREE_PER_ADDRESS = 20
WORKERS = 2


@pytest.fixture(scope="module", params=["sqlite"])
def engine(request):
    """The throttle keeps nothing in the database: one engine is enough (and saves Argon2 time)."""
    return request.param


@pytest.fixture(scope="module")
def proxied(service, tmp_path_factory):
    """A server on the seeded database behind a "proxy" at 127.0.0.1."""
    svc = Service(service.db_url, tmp_path_factory.mktemp("proxied"), secret=service.secret,
                  extra_args=["--trusted-proxy", "127.0.0.1", "--db-workers", str(WORKERS)]).start()
    yield svc
    stop_and_check(svc)


def attempt(svc, login, password, address=None, method="POST"):
    headers = {"X-Forwarded-For": f"198.51.100.77, {address}"} if address else {}
    return svc.request(method, AUTH, {"login": login, "password": password}, headers=headers)


def assert_throttled(reply, max_wait=300):
    assert_error(reply, 429, THROTTLED)
    retry_after = int(reply[1].get("Retry-After"))
    assert 1 <= retry_after <= max_wait
    return retry_after


def test_a_login_is_throttled_from_every_address_then_recovers(proxied):
    for i in range(FREE_PER_LOGIN + 1):
        assert_error(attempt(proxied, "acme", f"wrong-{i}", "203.0.113.1"), 401,
                     "Invalid credentials")
    wait = assert_throttled(attempt(proxied, "acme", "wrong-again", "203.0.113.1"), max_wait=1)
    # The right password does not get through a block, from any address, by GET or POST.
    assert_throttled(attempt(proxied, "acme", PASSWORDS["acme"], "203.0.113.2"), max_wait=1)
    assert_throttled(attempt(proxied, "acme", PASSWORDS["acme"], "203.0.113.3", "GET"), max_wait=1)
    # Other logins are not affected.
    assert attempt(proxied, "acme2", PASSWORDS["acme2"], "203.0.113.1")[0] == 200

    time.sleep(wait + 0.1)
    status, _, body = attempt(proxied, "acme", PASSWORDS["acme"], "203.0.113.1")
    assert status == 200 and body["success"] is True


def test_blocks_double_while_failures_continue(proxied):
    for i in range(FREE_PER_LOGIN + 1):
        attempt(proxied, "globex", f"wrong-{i}", "203.0.113.20")
    first = assert_throttled(attempt(proxied, "globex", "x-wrong", "203.0.113.20"))
    time.sleep(first + 0.1)
    assert_error(attempt(proxied, "globex", "wrong-7", "203.0.113.20"), 401,
                 "Invalid credentials")
    second = assert_throttled(attempt(proxied, "globex", "x-wrong", "203.0.113.20"))
    assert second == 2 * first


def test_an_address_is_throttled_for_every_login_and_a_success_clears_it(proxied):
    address = "2001:db8::30"
    for i in range(FREE_PER_ADDRESS + 1):
        assert_error(attempt(proxied, f"nobody-{i}", "some-guess", address), 401,
                     "Invalid credentials")
    wait = assert_throttled(attempt(proxied, "ops", PASSWORDS["ops"], address), max_wait=1)
    assert attempt(proxied, "ops", PASSWORDS["ops"], "2001:db8::31")[0] == 200

    time.sleep(wait + 0.1)
    assert attempt(proxied, "ops", PASSWORDS["ops"], address)[0] == 200
    # The success cleared the address: a failure now is an ordinary 401, not a block.
    assert_error(attempt(proxied, "nobody-x", "some-guess", address), 401, "Invalid credentials")
    assert attempt(proxied, "nobody-y", "some-guess", address)[0] == 401


def test_blocked_client_and_bad_requests_do_not_count(proxied):
    # Right password of a blocked client's user, and 400s: none of them is a guess.
    for _ in range(FREE_PER_LOGIN + 3):
        assert_error(attempt(proxied, "initech", PASSWORDS["initech"], "203.0.113.40"), 403,
                     "Client blocked")
        assert proxied.request("POST", AUTH, {"login": "initech"})[0] == 400
    assert_error(attempt(proxied, "initech", PASSWORDS["initech"], "203.0.113.40"), 403,
                 "Client blocked")


def test_a_burst_sent_at_once_gets_no_more_guesses(proxied):
    # 30 guesses arrive before the first is checked: all pass the check at the door, but each
    # is checked again when a worker takes it, so only those already running add up.
    burst = 30
    with ThreadPoolExecutor(burst) as pool:
        replies = list(pool.map(
            lambda i: attempt(proxied, "rotating", f"burst-{i}", f"203.0.113.{100 + i}"),
            range(burst)))
    statuses = [r[0] for r in replies]
    assert set(statuses) <= {401, 429}
    assert statuses.count(401) <= FREE_PER_LOGIN + 1 + WORKERS, statuses


def test_forwarded_for_is_ignored_without_a_trusted_proxy(service, start_service):
    # Each attempt claims another address; the server counts them all against 127.0.0.1.
    plain = start_service(service.db_url, secret=service.secret)
    for i in range(FREE_PER_ADDRESS + 1):
        assert attempt(plain, f"nobody-{i}", "some-guess", f"192.0.2.{i}")[0] == 401
    assert_throttled(attempt(plain, "ops", PASSWORDS["ops"], "192.0.2.99"), max_wait=1)


def test_throttling_is_logged_without_the_password(proxied):
    for i in range(FREE_PER_LOGIN + 2):
        attempt(proxied, "acme2", f"log-check-wrong-{i}", "203.0.113.50")
    log = proxied.log_text()
    assert '"event":"login_throttled"' in log and '"client":"203.0.113.50"' in log
    assert "log-check-wrong" not in log

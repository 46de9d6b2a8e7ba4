"""`deskbridge zoho check` against the simulator: the success case and each usual mistake, each
with its diagnosis, its exit status and no secret in the output.

The check makes no database call, so these tests run once, not once per engine. A second
simulator that does not know the client plays the servers of another data centre.
"""

import re

import pytest

import zoho_data as zd
from conftest import run_cli
from zoho_fixtures import ZohoSim, zoho_env

OTHER_ORG = "70000000002"
# The simulator's access tokens: "1000.<32 hex>.<32 hex>".
ACCESS_TOKEN = re.compile(r"1000\.[0-9a-f]{32}\.[0-9a-f]{32}")


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    fixture = zd.sim_fixture()
    fixture["organizations"] = [{"id": OTHER_ORG, "companyName": "Outra Empresa",
                                 "portalName": "outra"}]
    sim = ZohoSim(tmp_path_factory.mktemp("zoho_check_sim"), fixture).start()
    yield sim
    sim.stop()


@pytest.fixture(scope="module")
def other_dc(tmp_path_factory):
    """Zoho as another data centre sees it: same paths, but it has never heard of our client."""
    sim = ZohoSim(tmp_path_factory.mktemp("zoho_check_other_dc"), {}).start()
    yield sim
    sim.stop()


@pytest.fixture(autouse=True)
def clean(sim):
    sim.reset(config=True, tokens=True)
    yield
    sim.reset(config=True, tokens=True)


def check(sim, *args, **overrides):
    env = zoho_env(sim, "k" * 48, **overrides)
    env.pop("DESKBRIDGE_SECRET")
    result = run_cli("zoho", "check", *args, env=env, timeout=60)
    output = result.stdout + result.stderr
    for secret in (zd.CLIENT_SECRET, zd.REFRESH_TOKEN):
        assert secret not in output
    assert not ACCESS_TOKEN.search(output), output
    return result


def assert_failed(result, *phrases):
    assert result.returncode == 1, result.stdout + result.stderr
    for phrase in phrases:
        assert phrase in result.stdout, result.stdout
    assert "all checks passed" not in result.stdout


def test_all_checks_pass(sim):
    result = check(sim, "--ticket", zd.BIG_ZID, "--zoho-max-in-flight", "7")
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert "ok    token" in out
    assert (f'ok    organisations  2 reachable: {zd.ORG_ID} "TPL Logística" (tpl), '
            f'{OTHER_ORG} "Outra Empresa" (outra)') in out
    assert f"ok    org id         {zd.ORG_ID} is among them" in out
    assert f"ok    ticket         {zd.BIG_ZID} read: #{zd.number(zd.BIG)}, status Open" in out
    assert "concurrency   7 Zoho calls at once" in out
    assert f"not a Zoho host (accounts {sim.url}, desk {sim.url})" in out
    # The credits line is the header of the last answer: what the simulator has left now.
    left = sim.counts()["credits_remaining"]
    assert f"credits       {left} remaining today (X-Rate-Limit-Remaining-v3)" in out
    assert out.rstrip().endswith("all checks passed")
    assert sim.counts()["calls"]["token"] == 1


def test_credentials_from_files(sim, tmp_path):
    files = {}
    for name, value in (("secret", zd.CLIENT_SECRET), ("refresh", zd.REFRESH_TOKEN)):
        files[name] = tmp_path / name
        files[name].write_text(value + "\n")
        files[name].chmod(0o600)
    result = check(sim, DESKBRIDGE_ZOHO_CLIENT_SECRET=None, DESKBRIDGE_ZOHO_REFRESH_TOKEN=None,
                   DESKBRIDGE_ZOHO_CLIENT_SECRET_FILE=str(files["secret"]),
                   DESKBRIDGE_ZOHO_REFRESH_TOKEN_FILE=str(files["refresh"]))
    assert result.returncode == 0, result.stdout + result.stderr


def test_wrong_data_centre_at_accounts(sim, other_dc):
    result = check(sim, DESKBRIDGE_ZOHO_ACCOUNTS_URL=other_dc.url)
    assert_failed(result, "FAIL  token", "invalid_client",
                  f"wrong data centre: Zoho Accounts at {other_dc.url} does not know this "
                  "client id")
    assert "organisations" not in result.stdout  # nothing else can be tried without a token


def test_wrong_data_centre_at_desk(sim, other_dc):
    result = check(sim, DESKBRIDGE_ZOHO_DESK_URL=other_dc.url)
    assert_failed(result, "FAIL  organisations  Zoho Desk answered HTTP 401 INVALID_OAUTH",
                  f"wrong data centre: Zoho Desk at {other_dc.url} refuses a token that Zoho "
                  f"Accounts at {sim.url} has just issued")


def test_wrong_org_id(sim):
    result = check(sim, "--ticket", zd.BIG_ZID, DESKBRIDGE_ZOHO_ORG_ID="60099999999")
    assert_failed(result, "FAIL  org id         60099999999 is not among them",
                  f"wrong org id: set --zoho-org-id to one of: {zd.ORG_ID}",
                  "FAIL  ticket         Zoho Desk answered HTTP 403 OAUTH_ORG_MISMATCH",
                  "wrong org id: the token is not valid for organisation 60099999999;")
    assert "2 checks failed" in result.stdout


def test_missing_scope_for_organisations(sim):
    sim.config(scopes="Desk.tickets.READ")
    result = check(sim, "--ticket", zd.BIG_ZID)
    assert_failed(result, "FAIL  organisations  Zoho Desk answered HTTP 403 SCOPE_MISMATCH",
                  "missing scope: the refresh token was made without Desk.basic.READ",
                  f"ok    ticket         {zd.BIG_ZID} read")
    assert "1 check failed" in result.stdout


def test_missing_scope_for_tickets(sim):
    sim.config(scopes="Desk.basic.READ")
    result = check(sim, "--ticket", zd.BIG_ZID)
    assert_failed(result, "ok    organisations", "FAIL  ticket",
                  "missing scope: the refresh token was made without Desk.tickets.READ")


def test_revoked_refresh_token(sim):
    sim.config(refresh_token_revoked=True)
    result = check(sim)
    assert_failed(result, "FAIL  token", "(invalid_code)", "revoked refresh token")


def test_wrong_client_secret(sim):
    result = check(sim, DESKBRIDGE_ZOHO_CLIENT_SECRET="not-the-secret")
    assert_failed(result, "invalid_client_secret",
                  "the client secret does not belong to this client id")
    assert "not-the-secret" not in result.stdout + result.stderr


def test_unknown_ticket(sim):
    result = check(sim, "--ticket", "188000000000009999")
    assert_failed(result, "FAIL  ticket         Zoho Desk answered HTTP 404 URL_NOT_FOUND",
                  f"organisation {zd.ORG_ID} has no ticket 188000000000009999")
    bad = check(sim, "--ticket", "12 34")
    assert_failed(bad, "'12 34' is not a Zoho ticket id")


def test_not_configured(sim):
    result = check(sim, DESKBRIDGE_ZOHO_REFRESH_TOKEN=None, DESKBRIDGE_ZOHO_ORG_ID=None)
    assert result.returncode == 2
    assert "not configured: --zoho-refresh-token, --zoho-org-id" in result.stdout
    assert sim.counts()["calls"]["token"] == 0


def test_unreachable_accounts(sim):
    result = check(sim, DESKBRIDGE_ZOHO_ACCOUNTS_URL="http://127.0.0.1:9",
                   DESKBRIDGE_ZOHO_DEADLINE="2")
    assert_failed(result, "FAIL  token", "cannot reach http://127.0.0.1:9")


def test_credentials_from_config_file(sim, tmp_path):
    config = tmp_path / "deskbridge.toml"
    config.write_text(f"""
[zoho]
desk_url = "{sim.url}"
accounts_url = "{sim.url}"
client_id = "{zd.CLIENT_ID}"
client_secret = "{zd.CLIENT_SECRET}"
refresh_token = "{zd.REFRESH_TOKEN}"
org_id = "60099999999"
max_in_flight = 4
""", encoding="utf-8")
    config.chmod(0o600)
    # The org id from the environment wins over the file's; everything else is the file's.
    result = check(sim, "--config", config, DESKBRIDGE_ZOHO_CLIENT_SECRET=None,
                   DESKBRIDGE_ZOHO_REFRESH_TOKEN=None, DESKBRIDGE_ZOHO_DESK_URL=None,
                   DESKBRIDGE_ZOHO_ACCOUNTS_URL=None)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"ok    org id         {zd.ORG_ID} is among them" in result.stdout
    assert "concurrency   4 Zoho calls at once" in result.stdout

"""Settings from a TOML file (--config): `config show` (masked), flag > environment > file, the
file's own errors, and a service started from a config file actually serving."""

import calendar
import signal
import subprocess
import time
import tomllib

import e2e_seed
from conftest import BINARY, Service, clean_env, free_port, import_seed, run_cli

CLIENT_SECRET = "file-client-secret-%&="
REFRESH_TOKEN = "1000.file-refresh-token"
WEBHOOK_SECRET = "file-webhook-secret"
TOKEN_KEY = "t" * 48


def write_config(path, text, mode=0o600):
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def show(*args, env=None):
    result = run_cli("config", "show", *args, env=env if env is not None else clean_env())
    assert result.returncode == 0, result.stderr
    return result.stdout


def lines_of(output):
    """{"section.key": (value text, source)} from config show's output."""
    found, section = {}, None
    for line in output.splitlines():
        if line.startswith("["):
            section = line.strip("[]")
        elif line and not line.startswith("#"):
            assignment, _, source = line.partition("  # ")
            key, _, value = assignment.partition(" = ")
            found[f"{section}.{key}"] = (value, source)
    return found


FULL = f"""
[server]
listen = "127.0.0.1:9001"
threads = 3
token_ttl = 3600
log_level = "warn"

[database]
url = "postgresql://deskbridge:db-password@localhost:5432/oms"

[zoho]
dc = "eu"
client_id = "1000.FILECLIENT"
client_secret = "{CLIENT_SECRET}"
refresh_token = "{REFRESH_TOKEN}"
org_id = "60012345678"
webhook_secret = "{WEBHOOK_SECRET}"
deadline = 2.5
max_in_flight = 5
"""


def test_show_masks_secrets_and_is_valid_toml(tmp_path):
    config = write_config(tmp_path / "deskbridge.toml", FULL)
    out = show("--config", config, env=clean_env(DESKBRIDGE_SECRET=TOKEN_KEY))
    for secret in (CLIENT_SECRET, REFRESH_TOKEN, WEBHOOK_SECRET, "db-password", TOKEN_KEY):
        assert secret not in out
    settings = tomllib.loads(out)  # an operator can start a file from it
    assert settings["server"]["listen"] == "127.0.0.1:9001"
    assert settings["server"]["threads"] == 3
    assert settings["server"]["log_level"] == "warn"
    assert settings["database"]["url"] == "postgresql://deskbridge:****@localhost:5432/oms"
    assert settings["zoho"]["client_id"] == "1000.FILECLIENT"
    assert settings["zoho"]["org_id"] == "60012345678"
    assert settings["zoho"]["deadline"] == 2.5 and settings["zoho"]["max_in_flight"] == 5
    for key in ("client_secret", "refresh_token", "webhook_secret"):
        assert settings["zoho"][key] == "****"
    assert settings["zoho"]["client_secret_file"] == ""
    assert "# token signing key (DESKBRIDGE_SECRET): set" in out
    found = lines_of(out)
    assert found["server.listen"][1] == f"file {config}"
    assert found["server.time_zone"] == ('"America/Sao_Paulo"', "default")


def test_unset_secrets_show_empty(tmp_path):
    out = show()
    settings = tomllib.loads(out)
    assert settings["zoho"]["client_secret"] == ""
    assert "# token signing key (DESKBRIDGE_SECRET): unset" in out


def test_flag_over_environment_over_file(tmp_path):
    config = write_config(tmp_path / "d.toml", '[server]\nlisten = "127.0.0.1:1001"\n'
                                               '[zoho]\nmax_age = 30\n')
    env = clean_env(DESKBRIDGE_LISTEN="127.0.0.1:1002", DESKBRIDGE_CONFIG=str(config))

    found = lines_of(show("--listen", "127.0.0.1:1003", env=env))
    assert found["server.listen"] == ('"127.0.0.1:1003"', "flag")
    found = lines_of(show(env=env))
    assert found["server.listen"] == ('"127.0.0.1:1002"', "environment DESKBRIDGE_LISTEN")
    found = lines_of(show("--config", config))
    assert found["server.listen"] == ('"127.0.0.1:1001"', f"file {config}")
    assert found["zoho.max_age"] == ("30", f"file {config}")
    # --config also works before the subcommand.
    result = run_cli("--config", config, "config", "show")
    assert lines_of(result.stdout)["zoho.max_age"] == ("30", f"file {config}")


def test_credential_twins_keep_precedence(tmp_path):
    """A credential given as a file in the environment beats its inline form in the file."""
    secret_file = write_config(tmp_path / "secret", "from-file\n")
    config = write_config(tmp_path / "d.toml", f'[zoho]\nclient_secret = "{CLIENT_SECRET}"\n')
    found = lines_of(show("--config", config, env=clean_env(
        DESKBRIDGE_ZOHO_CLIENT_SECRET_FILE=str(secret_file))))
    assert found["zoho.client_secret"] == ('""', "default")
    assert found["zoho.client_secret_file"] == (
        f'"{secret_file}"', "environment DESKBRIDGE_ZOHO_CLIENT_SECRET_FILE")


def test_inline_secret_needs_a_private_file(tmp_path):
    config = write_config(tmp_path / "d.toml", f'[zoho]\nclient_secret = "{CLIENT_SECRET}"\n',
                          mode=0o644)
    result = run_cli("config", "show", "--config", config)
    assert result.returncode == 2
    assert (f"config {config} holds zoho.client_secret but secret file {config} is accessible "
            "by group or others; chmod 600 it, or name a file instead "
            "(zoho.client_secret_file)") in result.stderr
    assert CLIENT_SECRET not in result.stdout + result.stderr
    # A database password counts as a secret too.
    config = write_config(tmp_path / "full.toml", FULL, mode=0o640)
    result = run_cli("serve", "--config", config)
    assert result.returncode == 2
    assert f"config {config} holds database.url but" in result.stderr
    assert "db-password" not in result.stdout + result.stderr
    # Naming files instead keeps the config file shareable.
    referenced = write_config(tmp_path / "r.toml", '[zoho]\nclient_secret_file = "/etc/x"\n'
                                                   'refresh_token_file = "/etc/y"\n', mode=0o644)
    settings = tomllib.loads(show("--config", referenced))
    assert settings["zoho"]["client_secret_file"] == "/etc/x"


BAD_FILES = {
    "unknown key": ('[zoho]\nclientid = "x"\n', ":2: unknown key 'zoho.clientid'"),
    "unknown section": ('[limits]\nthreads = 2\n', ":2: unknown key 'limits.threads'"),
    "key outside a section": ('listen = "x"\n', ":1: unknown key 'listen' (settings go in "
                                                 "[server], [database] or [zoho])"),
    "string for an integer": ('[server]\nthreads = "4"\n',
                              ":2: server.threads must be an integer, not a string"),
    "integer for a string": ('[server]\nlisten = 8080\n',
                             ":2: server.listen must be a string, not an integer"),
    "float for an integer": ('[zoho]\nmax_in_flight = 2.5\n',
                             ":2: zoho.max_in_flight must be an integer, not a float"),
    "out of range": ('[server]\ntoken_ttl = 5\n', ": server.token_ttl: --token-ttl: Value 5 "
                                                   "not in range 60 to 2592000"),
    "syntax": ('[server\n', ":1:8: Error while parsing table header"),
}


def test_bad_files_are_refused_with_the_key(tmp_path):
    for name, (text, message) in BAD_FILES.items():
        config = write_config(tmp_path / "bad.toml", text)
        result = run_cli("config", "show", "--config", config)
        assert result.returncode == 2, name
        assert f"deskbridge: config {config}{message}" in result.stderr, (name, result.stderr)
    missing = run_cli("serve", "--config", tmp_path / "nope.toml")
    assert missing.returncode == 2
    assert f"config {tmp_path / 'nope.toml'}: File could not be opened" in missing.stderr


def test_service_started_from_config_file(db_url, tmp_path):
    import_seed(tmp_path, db_url)
    key_file = write_config(tmp_path / "token-key", TOKEN_KEY + "\n")
    port = free_port()
    config = write_config(tmp_path / "deskbridge.toml", f"""
[server]
listen = "127.0.0.1:{port}"
secret_file = "{key_file}"
token_ttl = 600
log_level = "warn"

[database]
url = "{db_url}"
""")
    stderr = tmp_path / "serve.stderr"
    with open(stderr, "wb") as err:
        process = subprocess.Popen([str(BINARY), "serve", "--config", str(config)],
                                   env=clean_env(), stdout=subprocess.DEVNULL, stderr=err)
    service = Service(db_url, tmp_path)
    service.port, service.process = port, process
    try:
        deadline = time.monotonic() + 10
        while True:
            assert process.poll() is None, stderr.read_text()
            try:
                if service.request("GET", "/healthz")[0] == 200:
                    break
            except OSError:
                assert time.monotonic() < deadline, stderr.read_text()
                time.sleep(0.05)
        before = time.time()
        status, _, body = service.request("POST", "/api/get/auth",
                                          {"login": "acme", "password": e2e_seed.PASSWORDS["acme"]})
        after = time.time()
        assert status == 200, body
        # token_ttl from the file: the token expires in 10 minutes, not 24 hours.
        expires = calendar.timegm(time.strptime(body["expires_at"], "%Y-%m-%dT%H:%M:%SZ"))
        assert before + 600 - 2 <= expires <= after + 600 + 2, body["expires_at"]
        status, _, body = service.details(body["auth"], ticket_number="12345")
        assert status == 200 and body["success"] is True
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=10) == 0
    # log_level = "warn" from the file: no info lines such as "listening".
    assert '"listening"' not in stderr.read_text()

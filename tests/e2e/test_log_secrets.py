"""The end-of-session secret scan (log_secrets.py) must be able to fail: planted secrets."""

import json

import log_secrets

LINE = '{"level":"info","event":"request","request_id":"r1","endpoint":"/api/get/auth"}\n'


def write_log(directory, name, *lines):
    (directory / name).write_text("".join(lines), encoding="utf-8")


def test_clean_logs_have_no_leaks(tmp_path):
    write_log(tmp_path, "server-a.stderr", LINE * 3)
    assert log_secrets.find_leaks(tmp_path, {"s3cret-password": "password"}) == []


def test_planted_secrets_are_found_raw_escaped_and_by_shape(tmp_path):
    token = "djEuMS4xLjE4MDAwMDAwMDAuYWJj"
    password = "pässword/with\"quote"
    access = "1000." + "a" * 32 + "." + "b" * 32
    write_log(tmp_path, "server-a.stderr", LINE, LINE.replace("r1", token))
    write_log(tmp_path, "server-b.stderr",
              '{"event":"x","detail":' + json.dumps(password) + "}\n",
              LINE, '{"event":"zoho","header":"Zoho-oauthtoken ' + access + '"}\n')
    leaks = log_secrets.find_leaks(tmp_path, {token: "issued token", password: "password"})
    assert sorted(leaks) == [("server-a.stderr", 2, "issued token"),
                             ("server-b.stderr", 1, "password"),
                             ("server-b.stderr", 3, "zoho access token")]


def test_recorded_secrets_round_trip_and_short_values_are_ignored(tmp_path, monkeypatch):
    monkeypatch.setattr(log_secrets, "_log_dir", None)
    log_secrets.use_directory(tmp_path)
    log_secrets.record("password", "x", "bad", None, "long-enough-password")
    assert log_secrets.recorded(tmp_path) == {"long-enough-password": "password"}
    write_log(tmp_path, "server-c.stderr", LINE, "login long-enough-password\n")
    assert log_secrets.find_leaks(tmp_path) == [("server-c.stderr", 2, "password")]

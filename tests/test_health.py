"""/healthz and /readyz, including a real server pointed at a dead database."""

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def test_healthz_answers_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_readyz_answers_ok_when_the_database_answers(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


@pytest.mark.parametrize(
    "database_url",
    [
        "postgres://postgres@127.0.0.1:1/netra_nowhere",  # nothing listens on port 1
        "sqlite:////nonexistent-dir/netra.sqlite3",  # a database file that cannot be opened
    ],
    ids=["postgresql-unreachable", "sqlite-unopenable"],
)
def test_readyz_answers_503_in_the_api_error_shape_when_the_database_is_dead(database_url, tmp_path):
    env = {**os.environ, "DATABASE_URL": database_url, "NETRA_VAR_DIR": str(tmp_path), "DB_CONNECT_TIMEOUT": "2"}
    body = _readyz_of_a_real_server(env)
    assert "database" in body["error"]["fields"]


def test_readyz_answers_503_when_the_shared_cache_is_dead(tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'netra.sqlite3'}",
        "CACHE_URL": "redis://127.0.0.1:1/0",  # nothing listens on port 1
        "NETRA_VAR_DIR": str(tmp_path),
    }
    body = _readyz_of_a_real_server(env)
    assert body["error"]["fields"] == {"cache": ["ConnectionError"]}


def _readyz_of_a_real_server(env: dict) -> dict:
    """Start gunicorn with ``env``; check it lives (/healthz 200) and answers /readyz 503; that body."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "netra.wsgi", "-b", f"127.0.0.1:{port}", "-w", "1"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                status, body = _get(f"http://127.0.0.1:{port}/healthz")
                break
            except (ConnectionError, urllib.error.URLError):
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.2)
        assert (status, body) == (200, {"status": "ok"})  # the process lives on without a database

        status, body = _get(f"http://127.0.0.1:{port}/readyz")
        assert status == 503
        assert body["error"]["code"] == "unavailable"
        assert body["error"]["message"]
        return body
    finally:
        server.terminate()
        server.wait(timeout=10)

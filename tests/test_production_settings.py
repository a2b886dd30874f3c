"""Production start-up (issue #10, finding 10): refuse settings that break rate limits and lockouts,
and a production configuration passes ``manage.py check --deploy`` with nothing to report.

Each case starts a real ``manage.py check`` process with only the given environment.
"""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

PRODUCTION = {
    "NETRA_ENV": "production",
    "SECRET_KEY": "k9Vt2!pQ7x#Lm4zR8wN1&bY6cF3^hJ5sD0gA-eU+oI7tE2yW9qZ4vB8nM1xC6",  # test only
    "ALLOWED_HOSTS": "netra.katingankab.go.id",
    "DATABASE_URL": "postgres://netra@127.0.0.1:5432/netra",  # `check` does not connect
    "CACHE_URL": "redis://127.0.0.1:6379/1",  # nor does it reach the cache
    "NETRA_TRUSTED_PROXIES": "10.0.0.2",
}


def check(tmp_path, *args: str, **changes: str | None) -> subprocess.CompletedProcess:
    env = {"PATH": os.environ.get("PATH", ""), "HOME": str(tmp_path), "NETRA_VAR_DIR": str(tmp_path)}
    env |= PRODUCTION
    for name, value in changes.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return subprocess.run(
        [sys.executable, "manage.py", "check", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_production_configuration_passes_check_deploy_with_nothing_to_report(tmp_path):
    done = check(tmp_path, "--deploy", "--fail-level", "WARNING")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "System check identified no issues" in done.stdout
    assert "WARNING" not in done.stderr and "ERROR" not in done.stderr


def test_served_directly_with_no_proxy_also_passes_check_deploy(tmp_path):
    done = check(tmp_path, "--deploy", "--fail-level", "WARNING", NETRA_TRUSTED_PROXIES=None, NETRA_NO_PROXY="1")
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("changes", "said"),
    [
        ({"CACHE_URL": None}, "CACHE_URL (or REDIS_URL) must point at a shared cache"),
        ({"CACHE_URL": "locmemcache://"}, "CACHE_URL (or REDIS_URL) must point at a shared cache"),
        ({"NETRA_TRUSTED_PROXIES": None}, "NETRA_TRUSTED_PROXIES must list the reverse proxy"),
        ({"NETRA_NO_PROXY": "1"}, "contradict each other"),
        ({"NETRA_TRUSTED_PROXIES": "proxy.local"}, "is not an address or network"),
    ],
    ids=["no-cache", "per-process-cache", "no-proxy-setting", "both-proxy-settings", "bad-proxy-address"],
)
def test_production_refuses_to_start_without_a_shared_cache_or_a_proxy_decision(tmp_path, changes, said):
    done = check(tmp_path, **changes)
    assert done.returncode != 0
    assert "Refusing to start in production" in done.stderr and said in done.stderr

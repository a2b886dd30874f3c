"""Backup → restore round trips through the real commands, on real SQLite and PostgreSQL databases.

Each test builds a source installation in its own database and evidence folder (migrate, demo
cases, evidence files), backs it up, and restores into a fresh empty database and folder: every
case, every evidence file's hash and the audit chain must verify there. Subprocesses, not the
test database: restore needs an empty database of its own.
"""

import io
import json
import os
import subprocess
import sys
import tarfile
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[3]
KEY = "ops-backup-test-secret-key-0123456789012345678901"

ADD_EVIDENCE = """
import hashlib
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from netra.cases.models import Case, Evidence
for i, case in enumerate(Case.objects.order_by("pk")[:3]):
    data = b"evidence-%d-" % i + bytes(range(256)) * 40
    name = default_storage.save(f"evidence/rt-{case.pk}.bin", ContentFile(data))
    sha = hashlib.sha256(data).hexdigest()
    Evidence.objects.create(case=case, file=name, content_type="application/octet-stream", size=len(data),
                            sha256_received=sha, sha256_stored=sha, uploaded_by="staff")
"""

FACTS = """
import hashlib, json
from django.core.files.storage import default_storage
from netra.cases.models import Case, Evidence
print(json.dumps({
    "cases": sorted(Case.objects.values_list("number", flat=True)),
    "files": {e.file.name: hashlib.sha256(default_storage.open(e.file.name).read()).hexdigest() for e in Evidence.objects.all()},
}))
"""


def manage(env: dict, *args: str, stdin: str | None = None, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if check and proc.returncode != 0:
        raise AssertionError(f"manage.py {' '.join(args)} failed:\n{proc.stdout}\n{proc.stderr}")
    return proc


def installation(tmp_path: Path, label: str, database_url: str) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "MEDIA_ROOT")}
    env |= {
        "NETRA_ENV": "test",
        "SECRET_KEY": KEY,
        "NETRA_VAR_DIR": str(tmp_path / f"var-{label}"),
        "MEDIA_ROOT": str(tmp_path / f"media-{label}"),
        "DATABASE_URL": database_url,
    }
    return env


def facts(env: dict) -> dict:
    return json.loads(manage(env, "shell", "-v", "0", "-c", FACTS).stdout.strip().splitlines()[-1])


def round_trip(tmp_path: Path, source: dict, target: dict) -> None:
    manage(source, "migrate", "-v", "0")
    manage(source, "load_demo", "--cases", "6", "--history", "0")
    manage(source, "shell", "-v", "0", "-c", ADD_EVIDENCE)
    before = facts(source)
    assert len(before["cases"]) == 6 and len(before["files"]) == 3
    archive = tmp_path / "netra.tar"
    manage(source, "backup", str(archive))

    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())  # type: ignore[union-attr]
    assert manifest["counts"]["cases.Case"] == 6
    assert sorted(f["name"] for f in manifest["files"]) == sorted(before["files"])

    out = manage(target, "restore", str(archive)).stdout
    assert "6 kasus, 3 berkas" in out
    assert facts(target) == before
    assert "Rantai log audit utuh" in manage(target, "verify_audit").stdout
    # A second restore into the now full database is refused, nothing overwritten.
    again = manage(target, "restore", str(archive), check=False)
    assert again.returncode != 0 and "tidak kosong" in again.stderr


def test_round_trip_sqlite(tmp_path):
    source = installation(tmp_path, "src", f"sqlite:///{tmp_path}/src.sqlite3")
    target = installation(tmp_path, "dst", f"sqlite:///{tmp_path}/dst.sqlite3")
    round_trip(tmp_path, source, target)


def test_damaged_archive_and_wrong_key_are_refused(tmp_path):
    source = installation(tmp_path, "src", f"sqlite:///{tmp_path}/src.sqlite3")
    manage(source, "migrate", "-v", "0")
    manage(source, "load_demo", "--cases", "2", "--history", "0")
    manage(source, "shell", "-v", "0", "-c", ADD_EVIDENCE)
    archive = tmp_path / "netra.tar"
    manage(source, "backup", str(archive))

    wrong_key = installation(tmp_path, "k", f"sqlite:///{tmp_path}/k.sqlite3") | {"SECRET_KEY": "x" * 50}
    refused = manage(wrong_key, "restore", str(archive), check=False)
    assert refused.returncode != 0 and "kunci audit" in refused.stderr

    # One evidence file's bytes changed inside the archive: refused before anything is written.
    damaged = tmp_path / "damaged.tar"
    changed = 0
    with tarfile.open(archive) as src, tarfile.open(damaged, "w") as dst:
        for member in src.getmembers():
            data = src.extractfile(member).read()  # type: ignore[union-attr]
            if member.name.startswith("files/") and not changed:
                data, changed = b"X" + data[1:], 1
            dst.addfile(member, io.BytesIO(data))
    assert changed
    target = installation(tmp_path, "dst", f"sqlite:///{tmp_path}/dst.sqlite3")
    bad = manage(target, "restore", str(damaged), check=False)
    assert bad.returncode != 0 and "rusak" in bad.stderr
    assert not (tmp_path / "media-dst").exists() or not any((tmp_path / "media-dst").rglob("*.bin"))


@pytest.mark.skipif(
    not os.environ.get("NETRA_TEST_POSTGRES"), reason="PostgreSQL round trip: set NETRA_TEST_POSTGRES=1"
)
def test_round_trip_postgresql(tmp_path):
    url = urlsplit(os.environ["DATABASE_URL"])
    base = url.path.lstrip("/") or "netra"
    names = {label: f"{base}_bk_{label}" for label in ("src", "dst")}
    admin = ["psql", "-h", url.hostname or "127.0.0.1", "-p", str(url.port or 5432), "-U", url.username or "postgres"]
    for name in names.values():
        subprocess.run([*admin, "-qc", f"DROP DATABASE IF EXISTS {name}", "-c", f"CREATE DATABASE {name}"], check=True)
    try:
        netloc = url.netloc
        source = installation(tmp_path, "src", f"postgres://{netloc}/{names['src']}")
        target = installation(tmp_path, "dst", f"postgres://{netloc}/{names['dst']}")
        round_trip(tmp_path, source, target)
    finally:
        for name in names.values():
            subprocess.run([*admin, "-qc", f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=False)

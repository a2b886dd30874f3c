"""Backup and restore of the database and the evidence files, consistent with each other.

One archive (``.tar``) holds ``manifest.json``, the database and every file a row of that database
refers to (every ``FileField`` of every model: evidence, signed decisions), each with its SHA-256.

Consistency: the file list is read from the same snapshot as the database copy, so every file
the restored rows name is in the archive. Files are write-once under random names (evidence is
never edited in place), so a file copied a moment after the snapshot holds the same bytes.

- SQLite: the online backup API copies the live database page by page into a temporary file
  (writers keep writing meanwhile); the file list and counts are read from that copy.
- PostgreSQL: a ``REPEATABLE READ`` transaction exports its snapshot (``pg_export_snapshot()``),
  ``pg_dump --snapshot`` dumps exactly that snapshot, and the file list and counts are read in
  the same transaction.

Restore goes into an empty database only (a fresh ``createdb`` or a missing SQLite file) and an
evidence storage that does not hold other bytes under the same names. It checks every file's hash
against the manifest before storing it, then verifies: the row counts, every evidence file's
SHA-256 against ``Evidence.sha256_stored`` read back from storage, and the audit hash chain
(``verify()``, which needs the same ``NETRA_AUDIT_KEY``/``SECRET_KEY`` as the source: the
manifest carries a key check so a wrong key is said as such, not as a broken chain).

Storage goes through ``default_storage``: the same code path for local files and S3.
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, models
from django.utils import timezone

FORMAT = "netra-backup"
VERSION = 1
KEY_CHECK_PURPOSE = "backup-key-check"
COUNTED = ["cases.Case", "cases.Report", "cases.Evidence", "cases.Transition", "audit.AuditEvent", "orgs.Agency"]


class BackupError(Exception):
    """A backup or restore that cannot go on; the message says why (Indonesian, for operators)."""


@dataclass
class RestoreResult:
    files: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    audit_checked: int = 0
    audit_head: tuple[int, str] = (0, "")


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _file_columns() -> list[tuple[str, str]]:
    """(table, column) of every FileField of every installed model."""
    columns = []
    for model in apps.get_models():
        for f in model._meta.concrete_fields:
            if isinstance(f, models.FileField):
                columns.append((model._meta.db_table, str(f.column)))
    return columns


def _table(label: str) -> str:
    return apps.get_model(label)._meta.db_table


def _snapshot_facts(cursor) -> tuple[list[str], dict[str, int], tuple[int, str]]:
    """File names, row counts and the audit chain head, read through ``cursor`` (one snapshot)."""
    names: set[str] = set()
    for table, column in _file_columns():
        cursor.execute(f'SELECT "{column}" FROM "{table}" WHERE "{column}" IS NOT NULL AND "{column}" <> \'\'')  # noqa: S608 (model names)
        names.update(row[0] for row in cursor.fetchall())
    counts = {}
    for label in COUNTED:
        cursor.execute(f'SELECT COUNT(*) FROM "{_table(label)}"')  # noqa: S608 (model names)
        counts[label] = cursor.fetchone()[0]
    cursor.execute(f'SELECT seq, hash FROM "{_table("audit.ChainHead")}" WHERE id = 1')  # noqa: S608 (model name)
    head = cursor.fetchone()
    return sorted(names), counts, (head[0], head[1]) if head else (0, "")


def _key_check() -> str:
    from netra.audit.keys import sign

    return sign(KEY_CHECK_PURPOSE, b"netra-backup")


def _tool(name: str) -> str:
    path = shutil.which(name)
    if not path:
        raise BackupError(f"{name} tidak ditemukan: pasang postgresql-client versi server")
    return path


def _pg_env() -> tuple[list[str], dict[str, str]]:
    db = settings.DATABASES["default"]
    args = ["--dbname", db["NAME"]]
    if db.get("HOST"):
        args += ["--host", str(db["HOST"])]
    if db.get("PORT"):
        args += ["--port", str(db["PORT"])]
    if db.get("USER"):
        args += ["--username", str(db["USER"])]
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return args, env


def _dump_postgresql(target: Path) -> tuple[list[str], dict[str, int], tuple[int, str]]:
    import psycopg

    args, env = _pg_env()
    db = settings.DATABASES["default"]
    params = {"dbname": db["NAME"], "host": db.get("HOST") or None, "port": db.get("PORT") or None}
    params |= {"user": db.get("USER") or None, "password": db.get("PASSWORD") or None}
    with psycopg.connect(**{k: v for k, v in params.items() if v}) as conn:
        conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = conn.execute("SELECT pg_export_snapshot()").fetchone()[0]  # type: ignore[index]
        with conn.cursor() as cursor:
            facts = _snapshot_facts(cursor)
        # The snapshot lives while this transaction stays open: pg_dump runs meanwhile.
        command = [_tool("pg_dump"), "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}"]
        proc = subprocess.run(  # noqa: S603 - pg_dump from PATH, arguments from settings
            [*command, "--file", str(target), *args],
            env=env,
            capture_output=True,
            text=True,
        )
        conn.rollback()
    if proc.returncode != 0:
        raise BackupError(f"pg_dump gagal: {proc.stderr.strip()}")
    return facts


def _dump_sqlite(target: Path) -> tuple[list[str], dict[str, int], tuple[int, str]]:
    source = sqlite3.connect(settings.DATABASES["default"]["NAME"], timeout=30)
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        return _snapshot_facts(copy.cursor())
    finally:
        copy.close()
        source.close()


def create_backup(output: Path) -> dict:
    """Write the archive to ``output`` (atomically: a temporary file renamed); return its manifest."""
    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise BackupError(f"basis data {vendor} tidak didukung")
    output = Path(output)
    with tempfile.TemporaryDirectory(prefix="netra-backup-") as tmp:
        db_name = "database.sqlite3" if vendor == "sqlite" else "database.pgdump"
        db_path = Path(tmp) / db_name
        names, counts, head = (_dump_sqlite if vendor == "sqlite" else _dump_postgresql)(db_path)
        manifest: dict = {
            "format": FORMAT,
            "version": VERSION,
            "engine": vendor,
            "created_at": timezone.now().isoformat(),
            "database": {"name": db_name, "sha256": _sha256_file(db_path), "size": db_path.stat().st_size},
            "counts": counts,
            "audit_head": {"seq": head[0], "hash": head[1]},
            "key_check": _key_check(),
            "files": [],
        }
        partial = output.with_name(output.name + ".partial")
        with tarfile.open(partial, "w") as tar:
            tar.add(db_path, arcname=db_name)
            for name in names:
                if not default_storage.exists(name):
                    raise BackupError(f"berkas {name} dirujuk basis data tetapi tidak ada di penyimpanan")
                with default_storage.open(name, "rb") as handle:
                    data = handle.read()
                manifest["files"].append({"name": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)})
                info = tarfile.TarInfo(f"files/{name}")
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
            body = json.dumps(manifest, indent=2, sort_keys=True).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(body)
            tar.addfile(info, io.BytesIO(body))
        partial.replace(output)
    return manifest


def read_manifest(tar: tarfile.TarFile) -> dict:
    try:
        member = tar.extractfile("manifest.json")
    except KeyError:
        raise BackupError("arsip tidak memuat manifest.json") from None
    if member is None:
        raise BackupError("manifest.json tidak terbaca")
    manifest = json.loads(member.read())
    if manifest.get("format") != FORMAT or manifest.get("version") != VERSION:
        raise BackupError("arsip ini bukan cadangan Netra versi yang dikenal")
    return manifest


def _database_is_empty() -> bool:
    return not connection.introspection.table_names()


def _restore_sqlite(db_file: Path) -> None:
    target = Path(settings.DATABASES["default"]["NAME"])
    connection.close()
    source = sqlite3.connect(db_file)
    dest = sqlite3.connect(target)
    try:
        source.backup(dest)
    finally:
        dest.close()
        source.close()


def _restore_postgresql(db_file: Path) -> None:
    args, env = _pg_env()
    connection.close()
    proc = subprocess.run(  # noqa: S603 - pg_restore from PATH, arguments from settings
        [
            _tool("pg_restore"),
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            "--single-transaction",
            *args,
            str(db_file),
        ],
        env=env,
        capture_output=True,
        text=True,
    )
    if proc.returncode != 0:
        raise BackupError(f"pg_restore gagal: {proc.stderr.strip()}")


def restore_backup(archive: Path) -> RestoreResult:
    """Restore ``archive`` into the (empty) configured database and storage, then verify it."""
    from netra.audit.chain import verify
    from netra.audit.keys import check

    with tarfile.open(archive, "r") as tar, tempfile.TemporaryDirectory(prefix="netra-restore-") as tmp:
        manifest = read_manifest(tar)
        if manifest["engine"] != connection.vendor:
            raise BackupError(
                f"cadangan dari {manifest['engine']} tidak dapat dipulihkan ke {connection.vendor} (pakai basis data yang sama)"
            )
        if not check(KEY_CHECK_PURPOSE, b"netra-backup", manifest["key_check"]):
            raise BackupError(
                "kunci audit (NETRA_AUDIT_KEY, atau SECRET_KEY bila kosong) berbeda dengan instalasi asal: "
                "rantai audit tidak akan dapat diperiksa; pasang kunci yang sama (atau NETRA_AUDIT_OLD_KEYS)"
            )
        if not _database_is_empty():
            raise BackupError("basis data tujuan tidak kosong: pulihkan ke basis data baru yang kosong")
        # Every file is checked against the manifest before anything is written.
        files = []
        for entry in manifest["files"]:
            member = tar.extractfile(f"files/{entry['name']}")
            data = member.read() if member else b""
            if hashlib.sha256(data).hexdigest() != entry["sha256"]:
                raise BackupError(f"berkas {entry['name']} di arsip rusak (SHA-256 tidak cocok dengan manifest)")
            files.append((entry["name"], data))
        db_member = tar.extractfile(manifest["database"]["name"])
        if db_member is None:
            raise BackupError("arsip tidak memuat basis data")
        db_file = Path(tmp) / manifest["database"]["name"]
        with open(db_file, "wb") as out:
            shutil.copyfileobj(db_member, out)
        if _sha256_file(db_file) != manifest["database"]["sha256"]:
            raise BackupError("salinan basis data di arsip rusak (SHA-256 tidak cocok dengan manifest)")

        for name, data in files:
            if default_storage.exists(name):
                with default_storage.open(name, "rb") as handle:
                    if hashlib.sha256(handle.read()).hexdigest() != hashlib.sha256(data).hexdigest():
                        raise BackupError(f"penyimpanan tujuan sudah memuat berkas lain bernama {name}")
                continue
            saved = default_storage.save(name, ContentFile(data))
            if saved != name:
                raise BackupError(f"penyimpanan menyimpan {name} dengan nama lain ({saved})")
        (_restore_sqlite if manifest["engine"] == "sqlite" else _restore_postgresql)(db_file)

    result = RestoreResult(files=len(files))
    with connection.cursor() as cursor:
        _names, counts, _head = _snapshot_facts(cursor)
    if counts != manifest["counts"]:
        raise BackupError(f"jumlah baris setelah pemulihan berbeda: {counts} ≠ {manifest['counts']}")
    result.counts = counts
    Evidence = apps.get_model("cases", "Evidence")
    for name, sha in Evidence.objects.values_list("file", "sha256_stored").iterator():
        with default_storage.open(name, "rb") as handle:
            if hashlib.sha256(handle.read()).hexdigest() != sha:
                raise BackupError(f"bukti {name}: SHA-256 berbeda dengan yang tercatat")
    verification = verify()
    if not verification.ok:
        raise BackupError(f"rantai log audit rusak setelah pemulihan: {verification.problem}")
    expected_head = (manifest["audit_head"]["seq"], manifest["audit_head"]["hash"])
    if (verification.head_seq, verification.head_hash) != expected_head and expected_head != (0, ""):
        raise BackupError("ujung rantai audit berbeda dengan yang tercatat di manifest")
    result.audit_checked = verification.checked
    result.audit_head = (verification.head_seq, verification.head_hash)
    return result

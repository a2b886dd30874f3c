"""Evidence files a reporter already chose, kept across a form error so nothing is lost.

A file that passes the evidence checks is written to storage under ``staging/`` and the page
carries a signed token for it; the next submit attaches it. Nothing about the file but its size
and the name the reporter's own browser gave it travels in the token (never stored in the DB).
Stale files are removed by ``manage.py clean_staging``.
"""

import secrets
from dataclasses import dataclass

from django.core import signing
from django.core.files import File
from django.core.files.storage import default_storage

from netra.cases import intake

_SALT = "netra.portal.staging"
MAX_AGE = 60 * 60 * 6
PREFIX = "staging/"


@dataclass(frozen=True)
class StagedFile:
    storage_name: str
    display_name: str
    size: int

    @property
    def token(self) -> str:
        return signing.dumps([self.storage_name, self.display_name, self.size], salt=_SALT)

    def open(self) -> File:
        return File(default_storage.open(self.storage_name, "rb"), name=self.display_name)


def from_tokens(tokens: list[str]) -> list[StagedFile]:
    staged = []
    for token in tokens[: intake.max_evidence_files()]:
        try:
            storage_name, display_name, size = signing.loads(token, salt=_SALT, max_age=MAX_AGE)
        except (signing.BadSignature, ValueError):
            continue
        if storage_name.startswith(PREFIX) and default_storage.exists(storage_name):
            staged.append(StagedFile(storage_name, display_name, size))
    return staged


def accept(files) -> tuple[list[StagedFile], list[str]]:
    """Stage the files that pass the evidence checks; return them and the errors of the rest."""
    staged, errors = [], []
    for upload in files:
        problems = intake.evidence_problems(upload)
        if problems:
            errors += problems
            continue
        upload.seek(0)
        name = default_storage.save(f"{PREFIX}{secrets.token_hex(16)}", upload)
        staged.append(StagedFile(name, (upload.name or "")[-120:], upload.size or 0))
    return staged, errors


def discard(staged: list[StagedFile]) -> None:
    for item in staged:
        default_storage.delete(item.storage_name)

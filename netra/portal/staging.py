"""Evidence files a reporter already chose, kept across a form error so nothing is lost.

A chosen file goes through the full evidence cleaning (``netra.cases.evidence.clean``: type by
content, decoding limits, metadata stripped) before anything is written: only the cleaned bytes
are staged under ``staging/``, a refused file never is. The page carries a signed token for each
staged file; the next submit attaches it without cleaning it again (the token carries the hash of
the received bytes for the chain of custody and the hash of the staged bytes, checked on reading).
Nothing about the file but its size and the name the reporter's own browser gave it travels to the
page (never stored in the DB).

At most ``NETRA_EVIDENCE_MAX_FILES`` files are staged per form, counting those already staged;
beyond that the reporter is told, and nothing more is written. A staged file lives
``NETRA_STAGING_MAX_AGE_SECONDS`` (2 hours by default): ``manage.py clean_staging`` (run by the
scheduler every few minutes) deletes it after that, and its token then reads "expired, attach
it again" on the form.
"""

import hashlib
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils.translation import gettext as _

from netra.cases import evidence, intake

_SALT = "netra.portal.staging.v2"
PREFIX = "staging/"


def max_age() -> int:
    return settings.NETRA_STAGING_MAX_AGE_SECONDS


@dataclass(frozen=True)
class StagedFile:
    storage_name: str
    display_name: str
    size: int
    content_type: str
    sha256_received: str
    sha256_stored: str
    decoded_pixels: int = 0  # what cleaning it decoded (for the rate limit); not part of the token

    @property
    def token(self) -> str:
        return signing.dumps(
            [
                self.storage_name,
                self.display_name,
                self.size,
                self.content_type,
                self.sha256_received,
                self.sha256_stored,
            ],
            salt=_SALT,
        )

    def open(self) -> evidence.CleanedUpload:
        """The staged (already cleaned) bytes, handed to intake as they are."""
        handle = default_storage.open(self.storage_name, "rb")
        data = handle.read()
        handle.seek(0)
        if hashlib.sha256(data).hexdigest() != self.sha256_stored:
            handle.close()
            raise FileNotFoundError(self.storage_name)  # changed on disk: not the file the reporter chose
        cleaned = evidence.CleanFile(
            data=data,
            content_type=self.content_type,
            sha256_received=self.sha256_received,
            sha256_stored=self.sha256_stored,
            metadata_removed=True,
        )
        return evidence.CleanedUpload(handle, cleaned, name=self.display_name)


def _load(token: str, *, max_age: int | None):
    try:
        fields = signing.loads(token, salt=_SALT, max_age=max_age)
    except (signing.BadSignature, ValueError):
        return None
    if not isinstance(fields, list) or len(fields) != 6 or not str(fields[0]).startswith(PREFIX):
        return None
    return StagedFile(*fields)


def from_tokens(tokens: list[str]) -> list[StagedFile]:
    """The staged files the tokens name that are still there (at most the per-report file limit)."""
    staged = []
    for token in dict.fromkeys(tokens[: intake.max_evidence_files()]):  # the same file once
        item = _load(token, max_age=max_age())
        if item is not None and default_storage.exists(item.storage_name):
            staged.append(item)
    return staged


def expired(tokens: list[str]) -> list[str]:
    """One message per token whose file is gone (too old, or cleaned up): the reporter must attach it again."""
    messages = []
    for token in dict.fromkeys(tokens[: intake.max_evidence_files()]):
        item = _load(token, max_age=None)  # a genuine token, whatever its age
        if item is None:
            continue
        if _load(token, max_age=max_age()) is None or not default_storage.exists(item.storage_name):
            messages.append(
                _("Berkas «%(file)s» sudah kedaluwarsa dan tidak tersimpan lagi. Silakan lampirkan lagi.")
                % {"file": item.display_name[:80] or _("berkas")}
            )
    return messages


def accept(files, *, already: int = 0) -> tuple[list[StagedFile], list[str]]:
    """Clean and stage the files that pass the evidence checks; return them and the errors of the rest.

    ``already`` is the number of files this form has staged before: together they stay within
    the per-report limit, and the files past it are neither read nor written.
    """
    files = list(files)
    room = max(0, intake.max_evidence_files() - already)
    errors = []
    if len(files) > room:
        errors.append(
            _(
                "Terlalu banyak berkas: paling banyak %(max)d bukti per laporan. "
                "%(dropped)d berkas terakhir tidak dilampirkan; pilih yang terpenting."
            )
            % {"max": intake.max_evidence_files(), "dropped": len(files) - room}
        )
        files = files[:room]
    staged = []
    for upload in files:
        try:
            cleaned = evidence.clean(upload)
        except evidence.FileRejected as rejected:
            errors.append(rejected.message)
            continue
        name = default_storage.save(f"{PREFIX}{secrets.token_hex(16)}", ContentFile(cleaned.data))
        staged.append(
            StagedFile(
                storage_name=name,
                display_name=(upload.name or "")[-120:],
                size=cleaned.size,
                content_type=cleaned.content_type,
                sha256_received=cleaned.sha256_received,
                sha256_stored=cleaned.sha256_stored,
                decoded_pixels=cleaned.decoded_pixels,
            )
        )
    return staged, errors


def discard(staged: list[StagedFile]) -> None:
    for item in staged:
        default_storage.delete(item.storage_name)

"""Secrets the application must read back (webhook signing secrets), encrypted at rest.

A database dump or a backup alone does not reveal them: the key comes from the environment
(``NETRA_SECRETS_KEY``, any string; a SHA-256 of it makes the Fernet key), never from the
database. Empty, it is derived from ``SECRET_KEY`` with its own salt, and ``SECRET_KEY_FALLBACKS``
still decrypt (so rotating ``SECRET_KEY`` keeps working); give it its own key in production.
Rotation: the new key in ``NETRA_SECRETS_KEY``, the old ones in ``NETRA_SECRETS_OLD_KEYS``;
values are re-encrypted with the current key whenever they are saved.

Stored form: ``fernet:<token>`` (AES-128-CBC + HMAC-SHA256, cryptography's Fernet). A value
without the prefix is a plaintext left from before encryption and is read as it is; the
migration that introduced the field encrypted all of them.
"""

import base64
import hashlib
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import models

PREFIX = "fernet:"
_SALT = b"netra.secrets-at-rest.v1:"


def _masters() -> tuple[str, ...]:
    if key := getattr(settings, "NETRA_SECRETS_KEY", ""):
        return (key, *getattr(settings, "NETRA_SECRETS_OLD_KEYS", ()))
    return (settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", ()))


@lru_cache(maxsize=8)
def _fernet(masters: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(base64.urlsafe_b64encode(hashlib.sha256(_SALT + m.encode()).digest())) for m in masters])


def encrypt(plain: str) -> str:
    return PREFIX + _fernet(_masters()).encrypt(plain.encode()).decode()


def decrypt(stored: str) -> str:
    if not stored.startswith(PREFIX):
        return stored  # plaintext from before encryption
    try:
        return _fernet(_masters()).decrypt(stored[len(PREFIX) :].encode()).decode()
    except InvalidToken:
        raise ImproperlyConfigured(
            "An encrypted secret cannot be decrypted: NETRA_SECRETS_KEY (or SECRET_KEY) differs from the key it was "
            "encrypted with; put the old key in NETRA_SECRETS_OLD_KEYS (or SECRET_KEY_FALLBACKS)"
        ) from None


def is_encrypted(stored: str | None) -> bool:
    return bool(stored) and str(stored).startswith(PREFIX)


class EncryptedTextField(models.TextField):
    """A text column holding ``encrypt(value)``; Python code sees the plaintext."""

    def from_db_value(self, value, expression, connection):
        return None if value is None else decrypt(value)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None or value == "" or is_encrypted(value):
            return value
        return encrypt(value)

"""Verification codes of signatures: short, unambiguous, unguessable.

13 characters from a 30-letter alphabet without look-alikes (no 0/O, 1/I/L, no U): 30**13 ≈ 2**63.8,
so a code cannot be guessed, and the public page is rate-limited on top of that.
"""

import secrets

ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 13


def new_verification_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))


def normalize_code(value: str) -> str:
    """What a person typed or scanned: case, spaces and dashes do not matter."""
    return "".join((value or "").split()).replace("-", "").upper()


def display_code(code: str) -> str:
    """Grouped for reading aloud and copying: XXXX-XXXX-XXXXX."""
    return "-".join([code[:4], code[4:8], code[8:]]) if len(code) == LENGTH else code

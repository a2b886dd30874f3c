"""NIP checks live in ``netra.catalog.nip`` (pure, below every domain app, used by triage too).

This module re-exports them so intake, forms, models and migrations keep their imports.
"""

from netra.catalog.nip import (
    EASTERNMOST_ZONE,
    MIN_CPNS_AGE,
    nip_errors,
    normalize_nip,
    today_easternmost,
    validate_nip,
)

__all__ = ["EASTERNMOST_ZONE", "MIN_CPNS_AGE", "nip_errors", "normalize_nip", "today_easternmost", "validate_nip"]

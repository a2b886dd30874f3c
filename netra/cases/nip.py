"""Re-export: the pure NIP checks live in ``netra.catalog.nip`` so the rosters (``netra.pacts``,
below ``cases``) validate NIPs exactly as intake does."""

from netra.catalog.nip import (  # noqa: F401
    EASTERNMOST_ZONE,
    MIN_CPNS_AGE,
    nip_errors,
    normalize_nip,
    today_easternmost,
    validate_nip,
)

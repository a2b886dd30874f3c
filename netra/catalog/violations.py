def load_sanctions() -> int:
    """Load netra/catalog/data/sanctions.json (stub: filled in by the catalogue work)."""
    return 0


def load_violations() -> int:
    """Load netra/catalog/data/violations.json (stub: filled in by the catalogue work)."""
    return 0

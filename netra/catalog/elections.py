def load_elections() -> int:
    """Load netra/catalog/data/elections.json (stub: filled in by the elections work)."""
    return 0

def load_regions() -> int:
    """Load netra/catalog/data/regions.csv (stub: filled in by the regions work)."""
    return 0

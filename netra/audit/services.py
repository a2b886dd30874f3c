def record(actor, action: str, obj=None, **payload):
    """Append one event to the audit log (stub: the audit work replaces this)."""
    return None

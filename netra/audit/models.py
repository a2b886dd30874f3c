# Filled in by the audit work: the append-only, hash-chained event log.

"""What every line adapter raises for a record it cannot map (core/logs.py quarantines it)."""


class AdapterReject(ValueError):
    """A quarantine reason and detail (field names and types only, never values: they may hold PII)."""

    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail

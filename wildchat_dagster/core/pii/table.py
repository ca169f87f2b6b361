"""The scrubbed stage over an Arrow table: conversations → scrubbed (DESIGN §5)."""

from __future__ import annotations

from .scrubber import PiiScrubber


def scrub_table(conversations, scrubber: PiiScrubber):
    """conversations → scrubbed (DESIGN §5): ``content`` scrubbed, ``redacted`` and ``pii_types``
    added; the frequency rule counts users by IP (the conversation where the IP is missing); a
    value redacted in one message is redacted in every message of its conversation."""
    import pyarrow as pa

    from ..schema import SCRUBBED

    contents = conversations.column("content").to_pylist()
    ips = conversations.column("ip").to_pylist()
    conversation_ids = conversations.column("conversation_id").to_pylist()
    users = [
        f"ip:{ip}" if ip else f"conversation:{cid}" for ip, cid in zip(ips, conversation_ids, strict=True)
    ]
    result = scrubber.scrub(contents, users, conversation_ids)
    table = conversations.set_column(
        conversations.schema.get_field_index("content"), "content", pa.array(result.texts, pa.string())
    )
    for name in ("redacted", "pii_types"):
        if name in table.column_names:
            table = table.drop_columns([name])
    table = table.append_column("redacted", pa.array(result.redacted, pa.bool_()))
    table = table.append_column("pii_types", pa.array(result.pii_types, pa.list_(pa.string())))
    return table.select(SCRUBBED.names).cast(SCRUBBED), result.stats

"""The text kept beside a message's content: system prompt, tool-call arguments, tool results.

They come from real API logs (core/message_shapes.py) and may hold PII like any prompt (a
system prompt with the customer's name, a tool call with an e-mail address, a tool result
with a phone number), so ``scrubbed`` runs them through the same ``PiiScrubber`` as the
content (``scrub_extras``), and the residue check scans them too (``extra_texts``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pyarrow as pa

from .schema import TOOL_CALLS, TOOL_RESULTS

EXTRA_COLUMNS = ("system_prompt", "tool_calls", "tool_results")
# (column, the text field of each list item)
_TOOL_TEXT = (("tool_calls", "arguments", TOOL_CALLS), ("tool_results", "content", TOOL_RESULTS))


@dataclass
class ExtrasStats:
    texts: int = 0  # extra texts scrubbed (system prompts, arguments, results)
    redacted: int = 0  # of which something was replaced
    by_field: Counter = field(default_factory=Counter)  # redacted per field
    entities: Counter = field(default_factory=Counter)  # types replaced, never values
    kept_hashes: Counter = field(default_factory=Counter)  # deliberate keeps (keyed hashes), as ScrubStats

    def as_dict(self) -> dict:
        return {"texts": self.texts, "redacted": self.redacted, "by_field": dict(self.by_field),
                "entities": dict(self.entities)}


def has_extras(table: pa.Table) -> bool:
    return any(name in table.column_names and table.column(name).null_count < table.num_rows
               for name in EXTRA_COLUMNS)


def extra_texts(table: pa.Table) -> list[str | None]:
    """Per row: its system prompt, tool arguments and tool results joined (None when none), so
    a scan over content can cover them with the same row ids."""
    n = table.num_rows
    out: list[list[str]] = [[] for _ in range(n)]
    if "system_prompt" in table.column_names:
        for i, text in enumerate(table.column("system_prompt").to_pylist()):
            if text:
                out[i].append(text)
    for column, key, _ in _TOOL_TEXT:
        if column in table.column_names and table.column(column).null_count < n:
            for i, items in enumerate(table.column(column).to_pylist()):
                out[i] += [item[key] for item in items or () if item.get(key)]
    return ["\n".join(parts) if parts else None for parts in out]


def scrub_extras(table: pa.Table, scrubber, users: list[str]) -> tuple[pa.Table, ExtrasStats]:
    """``table`` with its extra text fields scrubbed by ``scrubber`` (``PiiScrubber.scrub``);
    ``users`` per row feed the scrubber's frequency rule, as for the content."""
    stats = ExtrasStats()
    if not has_extras(table):
        return table, stats
    texts: list[str] = []
    owners: list[str] = []
    places: list[tuple[str, int, int]] = []  # (column, row, item index; -1 for the system prompt)
    system = table.column("system_prompt").to_pylist()
    for row, text in enumerate(system):
        if text:
            texts.append(text)
            owners.append(users[row])
            places.append(("system_prompt", row, -1))
    lists = {}
    for column, key, _ in _TOOL_TEXT:
        lists[column] = table.column(column).to_pylist()
        for row, items in enumerate(lists[column]):
            for k, item in enumerate(items or ()):
                if item.get(key):
                    texts.append(item[key])
                    owners.append(users[row])
                    places.append((column, row, k))
    result = scrubber.scrub(texts, owners)
    stats.kept_hashes = result.stats.kept_hashes  # the deliberate keeps, recorded like the content's
    for (column, row, k), new, redacted, types in zip(places, result.texts, result.redacted, result.pii_types,
                                                      strict=True):
        stats.texts += 1
        if redacted:
            stats.redacted += 1
            stats.by_field[column] += 1
            stats.entities.update(types or ())
        if column == "system_prompt":
            system[row] = new
        else:
            key = "arguments" if column == "tool_calls" else "content"
            lists[column][row][k][key] = new
    table = table.set_column(table.schema.get_field_index("system_prompt"), "system_prompt",
                             pa.array(system, pa.string()))
    for column, _, typ in _TOOL_TEXT:
        table = table.set_column(table.schema.get_field_index(column), column, pa.array(lists[column], typ))
    return table, stats

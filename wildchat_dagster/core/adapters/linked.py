"""Already-linked conversations → the audit's message-level table, plus a quarantine.

Accepted shapes (docs/adapters.md):

* ``wildchat``: WildChat-1M rows, as the dataset's Parquet files or as JSONL: ``conversation``
  (a list of ``{role, content, ...}``), ``conversation_hash``, ``model``, ``timestamp``,
  ``language``, ``country``, ``state``, ``toxic``, ``redacted``; messages may carry
  ``hashed_ip`` (used as the user for the scrubber's frequency rule). LMSYS-Chat-1M rows
  (``conversation_id`` + ``conversation``) read the same way.
* ``sharegpt``: a JSON array (or JSONL) of ``{id, conversations: [{from, value}]}``; the
  OpenAI-style ``messages: [{role, content}]`` variant too. ``from`` is mapped: human/user →
  user, gpt/assistant/chatgpt/bing/bard/model → assistant, system → system.

These skip linking and geo: each row already is a conversation. Its own ids, hashes and
metadata are kept (``conversation_hash`` as published; ``conversation_id`` is the row's own id,
suffixed ``~2``, ``~3`` where the published one repeats, as WildChat's hash does).

Every input row ends in exactly one place: a conversation of the table, or the quarantine with
its row number and a reason (``invalid_json``, ``not_an_object``, ``missing_field``,
``wrong_type``, ``empty_conversation``, ``unknown_role``); ``rows == conversations +
quarantined`` is checked before returning. A file that cannot be read at all (missing, not
Parquet, corrupt gzip) raises ``LinkedReject`` with a clear message: there are no rows to count.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass, field

import orjson
import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from ..schema import QUARANTINE, TIMESTAMP

FORMATS = ("wildchat", "sharegpt")
QUARANTINE_HEAD_CHARS = 2_000

# One row per message of an accepted conversation; conversation-level fields repeat.
AUDIT_INPUT = pa.schema(
    [
        ("conversation_id", pa.string()),  # the row's own id (unique here)
        ("conversation_hash", pa.string()),  # as published (WildChat's is not unique); null if none
        ("source_file", pa.string()),
        ("source_format", pa.string()),  # "wildchat/jsonl", "wildchat/parquet", "sharegpt/json", ...
        ("record_index", pa.int64()),  # 0-based row of the input: how the re-scrubbed copy is rebuilt
        ("message_index", pa.int32()),
        ("role", pa.string()),
        ("content", pa.string()),
        ("model", pa.string()),
        ("timestamp", TIMESTAMP),
        (
            "user_key",
            pa.string(),
        ),  # hashed_ip where published, else the conversation: the frequency rule's user
        # the input's own labels, as published (never recomputed here)
        ("input_language", pa.string()),
        ("input_country", pa.string()),
        ("input_state", pa.string()),
        ("input_toxic", pa.bool_()),
        ("input_redacted", pa.bool_()),
    ]
)

SHAREGPT_ROLES = {
    "human": "user",
    "user": "user",
    "gpt": "assistant",
    "assistant": "assistant",
    "chatgpt": "assistant",
    "bing": "assistant",
    "bard": "assistant",
    "model": "assistant",
    "system": "system",
}
WILDCHAT_ROLES = {"user": "user", "assistant": "assistant", "system": "system"}


class LinkedReject(ValueError):
    def __init__(self, reason: str, detail: str):
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


@dataclass
class LinkedRecords:
    """An input file's rows as the user wrote them (dicts), in order, plus the rows that were
    not even parseable (row number, raw bytes, reason, detail)."""

    source: str
    container: str  # jsonl | json | parquet
    rows: list = field(default_factory=list)  # (row_number, dict | other, raw bytes | None)
    unreadable: list = field(default_factory=list)  # (row_number, raw bytes, reason, detail)
    arrow_schema: pa.Schema | None = None  # Parquet input: its schema, kept for the re-scrubbed copy

    @property
    def count(self) -> int:
        return len(self.rows) + len(self.unreadable)


@dataclass
class LinkedInput:
    source: str
    format: str
    container: str
    messages: pa.Table
    quarantine: pa.Table
    rows: int
    conversations: int

    @property
    def quarantined(self) -> int:
        return self.quarantine.num_rows


def _filesystem(path: str) -> tuple[pafs.FileSystem, str]:
    if "://" in path:
        return pafs.FileSystem.from_uri(path)
    return pafs.LocalFileSystem(), os.path.abspath(path)


def container_of(path: str) -> str:
    name = path.lower().removesuffix(".gz")
    if name.endswith(".parquet"):
        return "parquet"
    if name.endswith(".jsonl") or name.endswith(".ndjson"):
        return "jsonl"
    if name.endswith(".json"):
        return "json"
    raise LinkedReject("unknown_container", f"{os.path.basename(path)}: expected .jsonl, .json or .parquet")


def read_records(path: str) -> LinkedRecords:
    """Every row of ``path`` (local path or URI), keeping row numbers (1-based: JSONL lines,
    array positions, Parquet rows)."""
    container = container_of(path)
    fs, full = _filesystem(path)
    out = LinkedRecords(source=path if "://" in path else full, container=container)
    if fs.get_file_info(full).type != pafs.FileType.File:
        raise LinkedReject("missing_file", f"{path} is not a file")
    if container == "parquet":
        try:
            with fs.open_input_file(full) as f:
                table = pq.read_table(f)
        except (pa.ArrowInvalid, OSError) as exc:  # not Parquet, truncated: the audit cannot start
            raise LinkedReject("unreadable_file", f"{os.path.basename(path)}: {exc}"[:300]) from None
        out.arrow_schema = table.schema
        number = 0
        for batch in table.to_batches(max_chunksize=10_000):
            for row in batch.to_pylist():
                number += 1
                out.rows.append((number, row, None))
        return out
    compression = "gzip" if full.endswith(".gz") else None
    try:
        with fs.open_input_stream(full, compression=compression) as stream:
            data = stream.read()
    except (OSError, EOFError) as exc:  # a corrupt gzip
        raise LinkedReject("unreadable_file", f"{os.path.basename(path)}: {exc}"[:300]) from None
    if container == "jsonl":
        for number, raw in enumerate(data.split(b"\n"), start=1):
            raw = raw.rstrip(b"\r")
            if not raw.strip():
                continue
            try:
                out.rows.append((number, orjson.loads(raw), raw))
            except orjson.JSONDecodeError as exc:
                out.unreadable.append((number, raw, "invalid_json", str(exc).split(":")[0]))
        return out
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        out.unreadable.append((0, data, "invalid_json", str(exc).split(":")[0]))
        return out
    if isinstance(doc, dict):  # {"data": [...]} wrappers; a lone conversation otherwise
        lists = [v for v in doc.values() if isinstance(v, list) and v and isinstance(v[0], dict)]
        doc = (
            lists[0]
            if len(lists) == 1 and not {"conversations", "conversation", "messages"} & set(doc)
            else [doc]
        )
    if not isinstance(doc, list):
        out.unreadable.append((0, data, "not_an_object", f"the file holds a {type(doc).__name__}"))
        return out
    for number, row in enumerate(doc, start=1):
        out.rows.append((number, row, None))
    return out


def detect_format(records: LinkedRecords) -> str:
    for _, row, _ in records.rows:
        if isinstance(row, dict):
            if "conversation" in row:
                return "wildchat"
            if "conversations" in row or "messages" in row:
                return "sharegpt"
    raise LinkedReject(
        "unknown_format", "no row has `conversation` (WildChat) or `conversations`/`messages` (ShareGPT)"
    )


def _text(value, what: str) -> str:
    if not isinstance(value, str):
        raise LinkedReject("wrong_type", f"{what} is {type(value).__name__}, not a string")
    return value


def _opt_str(value) -> str | None:
    return value if isinstance(value, str) else None


def _timestamp(value) -> dt.datetime | None:
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    if isinstance(value, str) and value.strip():
        try:
            ts = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise LinkedReject("wrong_type", "timestamp is not ISO 8601") from None
        return ts if ts.tzinfo else ts.replace(tzinfo=dt.UTC)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return dt.datetime.fromtimestamp(value, dt.UTC)
    return None


def _messages(row: dict, fmt: str) -> list[tuple[str, str, str | None]]:
    """(role, content, hashed_ip) per message; raises LinkedReject."""
    if fmt == "wildchat":
        key = "conversation"
    else:
        key = "conversations" if "conversations" in row else "messages"
    turns = row.get(key)
    if turns is None:
        raise LinkedReject("missing_field", f"{key} is required")
    if not isinstance(turns, list):
        raise LinkedReject("wrong_type", f"{key} is {type(turns).__name__}, not a list")
    if not turns:
        raise LinkedReject("empty_conversation", f"{key} is an empty list")
    out = []
    for i, turn in enumerate(turns):
        if not isinstance(turn, dict):
            raise LinkedReject("wrong_type", f"{key}[{i}] is {type(turn).__name__}, not an object")
        if "from" in turn or "value" in turn:
            speaker, content, roles = turn.get("from"), turn.get("value"), SHAREGPT_ROLES
        else:
            speaker = turn.get("role")
            content = turn.get("content")
            roles = WILDCHAT_ROLES if fmt == "wildchat" else SHAREGPT_ROLES
        if speaker is None:
            raise LinkedReject("missing_field", f"{key}[{i}] has no role")
        role = roles.get(str(speaker).strip().lower())
        if role is None:
            raise LinkedReject("unknown_role", f"{key}[{i}] role {str(speaker)[:40]!r} is not known")
        if content is None:
            raise LinkedReject("missing_field", f"{key}[{i}] has no content")
        out.append((role, _text(content, f"{key}[{i}].content"), _opt_str(turn.get("hashed_ip"))))
    return out


def _conversation_fields(row: dict, fmt: str) -> dict:
    if fmt == "wildchat":
        own_id = row.get("conversation_hash") or row.get("conversation_id")
        return {
            "own_id": _opt_str(own_id),
            "conversation_hash": _opt_str(row.get("conversation_hash")),
            "model": _opt_str(row.get("model")),
            "timestamp": _timestamp(row.get("timestamp")),
            "input_language": _opt_str(row.get("language")),
            "input_country": _opt_str(row.get("country")),
            "input_state": _opt_str(row.get("state")),
            "input_toxic": row.get("toxic") if isinstance(row.get("toxic"), bool) else None,
            "input_redacted": row.get("redacted") if isinstance(row.get("redacted"), bool) else None,
        }
    own_id = row.get("id")
    return {
        "own_id": None if own_id is None else str(own_id),
        "conversation_hash": None,
        "model": _opt_str(row.get("model")),
        "timestamp": _timestamp(row.get("timestamp")),
        "input_language": _opt_str(row.get("lang") or row.get("language")),
        "input_country": None,
        "input_state": None,
        "input_toxic": None,
        "input_redacted": None,
    }


def _raw_of(row, raw: bytes | None) -> bytes:
    if raw is not None:
        return raw
    try:
        return orjson.dumps(row, default=str)
    except TypeError:
        return repr(row).encode()


def adapt_records(records: LinkedRecords, fmt: str = "auto") -> LinkedInput:
    """Rows → the message table and the quarantine; every row accounted for."""
    if fmt == "auto":
        fmt = detect_format(records)
    if fmt not in FORMATS:
        raise LinkedReject("unknown_format", f"{fmt!r} is not one of {', '.join(FORMATS)}")
    cols: dict[str, list] = {f.name: [] for f in AUDIT_INPUT}
    quarantine: dict[str, list] = {f.name: [] for f in QUARANTINE}

    def reject(number: int, raw: bytes, reason: str, detail: str) -> None:
        quarantine["source_file"].append(records.source)
        quarantine["source_line"].append(number)
        quarantine["reason"].append(reason)
        quarantine["detail"].append(detail[:500])
        quarantine["line_bytes"].append(len(raw))
        quarantine["line_sha256"].append(hashlib.sha256(raw).hexdigest())
        quarantine["line_head"].append(raw[:QUARANTINE_HEAD_CHARS].decode("utf-8", errors="replace"))

    for number, raw, reason, detail in records.unreadable:
        reject(number, raw, reason, detail)
    seen: dict[str, int] = {}
    conversations = 0
    source_format = f"{fmt}/{records.container}"
    for index, (number, row, raw) in enumerate(records.rows):
        if not isinstance(row, dict):
            reject(number, _raw_of(row, raw), "not_an_object", type(row).__name__)
            continue
        try:
            turns = _messages(row, fmt)
            meta = _conversation_fields(row, fmt)
        except LinkedReject as exc:
            reject(number, _raw_of(row, raw), exc.reason, exc.detail)
            continue
        own = meta.pop("own_id") or f"row-{number}"
        seen[own] = seen.get(own, 0) + 1
        conversation_id = own if seen[own] == 1 else f"{own}~{seen[own]}"
        conversations += 1
        for i, (role, content, hashed_ip) in enumerate(turns):
            cols["conversation_id"].append(conversation_id)
            cols["source_file"].append(records.source)
            cols["source_format"].append(source_format)
            cols["record_index"].append(index)
            cols["message_index"].append(i)
            cols["role"].append(role)
            cols["content"].append(content)
            cols["user_key"].append(f"ip:{hashed_ip}" if hashed_ip else f"conversation:{conversation_id}")
            for name, value in meta.items():
                cols[name].append(value)
    result = LinkedInput(
        source=records.source,
        format=fmt,
        container=records.container,
        messages=pa.Table.from_pydict(cols, schema=AUDIT_INPUT),
        quarantine=pa.Table.from_pydict(quarantine, schema=QUARANTINE),
        rows=records.count,
        conversations=conversations,
    )
    if result.conversations + result.quarantined != result.rows:
        raise AssertionError(
            f"linked input reconciliation failed: {result.rows} rows != {result.conversations} "
            f"conversations + {result.quarantined} quarantined"
        )
    return result


def read_linked(path: str, fmt: str = "auto") -> LinkedInput:
    """Read and adapt one file of already-linked conversations."""
    return adapt_records(read_records(path), fmt)

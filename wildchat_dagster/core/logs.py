"""Raw log drops → a typed table of accepted calls, plus a quarantine of rejected lines.

The input contract is DESIGN §3. Every line ends up in exactly one bucket:
accepted, quarantined (with file, line number and a reason) or no-consent (dropped,
counted). ``lines == accepted + quarantined + no_consent`` is checked before returning.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import orjson
import pyarrow as pa
from pydantic import BaseModel, ConfigDict, StrictBool, StrictFloat, StrictInt, StrictStr, ValidationError

from .adapters import AdapterReject, UnknownFormatError, line_adapter_for
from .schema import MESSAGE, QUARANTINE, RAW_LOGS

# A single message larger than this is quarantined: real prompts stay far below it and
# a megabyte of text would dominate every later stage's cost (configurable per run).
DEFAULT_MAX_MESSAGE_CHARS = 200_000
QUARANTINE_HEAD_CHARS = 2_000


class Message(BaseModel):
    model_config = ConfigDict(extra="ignore")
    role: Literal["user", "assistant"]
    content: StrictStr


class Headers(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)
    user_agent: StrictStr | None = None
    accept_language: StrictStr | None = None


class Usage(BaseModel):
    model_config = ConfigDict(extra="ignore")
    prompt_tokens: StrictInt | None = None
    completion_tokens: StrictInt | None = None


class RawCall(BaseModel):
    """One chatbot API call as the contract defines it; unknown fields are ignored."""

    model_config = ConfigDict(extra="ignore")
    id: StrictInt
    timestamp: dt.datetime
    model: StrictStr
    ip: StrictStr
    consent: StrictBool
    headers: dict[str, StrictStr | None] = {}
    messages: list[Message]
    response: StrictStr
    openai_id: StrictStr | None = None
    temperature: StrictFloat | StrictInt | None = None
    top_p: StrictFloat | StrictInt | None = None
    usage: Usage | None = None


def history_hash(pairs: Iterable[tuple[str, str]]) -> str:
    """SHA-256 hex of the canonical JSON of a role/content list (DESIGN §4's H)."""
    return hashlib.sha256(orjson.dumps([[r, c] for r, c in pairs])).hexdigest()


# Accepted rows are moved from Python lists into Arrow every this many rows, so a day's
# Python objects stay bounded (a day of full histories as Python dicts is several times the
# drop's size); the Arrow batches are concatenated once at the end.
ACCEPTED_BATCH_ROWS = 2_000


@dataclass
class ParsedDay:
    """What one partition's drop files produced."""

    accepted: dict[str, list] = field(default_factory=lambda: {f.name: [] for f in RAW_LOGS})
    quarantine: dict[str, list] = field(default_factory=lambda: {f.name: [] for f in QUARANTINE})
    lines: int = 0
    no_consent: int = 0
    files: int = 0
    reasons: Counter = field(default_factory=Counter)
    accepted_batches: list[pa.RecordBatch] = field(default_factory=list)  # rows already in Arrow
    flushed: int = 0  # rows in accepted_batches
    # The pending rows' histories, flat (``accepted["messages"]``, ``["prompt"]`` and
    # ``["history_len"]`` stay empty: all three are built from these). Building the list<struct>
    # column from flat lists is several times faster than from per-message dicts.
    history_lengths: list[int] = field(default_factory=list)
    history_roles: list[str] = field(default_factory=list)
    history_contents: list[str] = field(default_factory=list)

    @property
    def accepted_count(self) -> int:
        return self.flushed + len(self.accepted["id"])

    @property
    def quarantined_count(self) -> int:
        return len(self.quarantine["reason"])

    def flush(self) -> None:
        """Move the pending accepted rows into an Arrow batch (order kept)."""
        pending = len(self.accepted["id"])
        if pending:
            ends = np.cumsum(self.history_lengths, dtype=np.int64)
            offsets = pa.array(np.concatenate([[0], ends]), pa.int32())
            contents = pa.array(self.history_contents, pa.string())
            derived = {
                "messages": pa.ListArray.from_arrays(offsets, pa.StructArray.from_arrays(
                    [pa.array(self.history_roles, pa.string()), contents], fields=list(MESSAGE))),
                "prompt": contents.take(pa.array(ends - 1)),  # each history's last (user) message
                "history_len": pa.array(self.history_lengths, pa.int32()),
            }
            columns = [derived[f.name] if f.name in derived else pa.array(self.accepted[f.name], f.type)
                       for f in RAW_LOGS]
            self.accepted_batches.append(pa.RecordBatch.from_arrays(columns, schema=RAW_LOGS))
            self.flushed += pending
            for values in (*self.accepted.values(), self.history_lengths, self.history_roles,
                           self.history_contents):
                values.clear()

    def accepted_table(self) -> pa.Table:
        self.flush()
        if not self.accepted_batches:
            return RAW_LOGS.empty_table()
        return pa.Table.from_batches(self.accepted_batches, schema=RAW_LOGS)

    def quarantine_table(self) -> pa.Table:
        return pa.Table.from_pydict(self.quarantine, schema=QUARANTINE)

    def check_reconciliation(self) -> None:
        total = self.accepted_count + self.quarantined_count + self.no_consent
        if total != self.lines:
            raise AssertionError(
                f"raw log reconciliation failed: {self.lines} lines != {self.accepted_count} accepted"
                f" + {self.quarantined_count} quarantined + {self.no_consent} no-consent"
            )


class LogParser:
    """Validates drop lines for one UTC day, accumulating accepted rows and quarantine."""

    def __init__(self, day: dt.date, max_message_chars: int = DEFAULT_MAX_MESSAGE_CHARS):
        self.day = day
        self.max_message_chars = max_message_chars
        self.result = ParsedDay()
        self._seen_ids: set[int] = set()
        self.adapter = None  # the current file's line adapter (core/adapters), None: the contract

    def quarantine(self, source: str, line_no: int, raw: bytes, reason: str, detail: str = "") -> None:
        q = self.result.quarantine
        q["source_file"].append(source)
        q["source_line"].append(line_no)
        q["reason"].append(reason)
        q["detail"].append(detail[:500])
        q["line_bytes"].append(len(raw))
        q["line_sha256"].append(hashlib.sha256(raw).hexdigest())
        q["line_head"].append(raw[:QUARANTINE_HEAD_CHARS].decode("utf-8", errors="replace"))
        self.result.reasons[reason] += 1

    def file_error(self, source: str, reason: str, detail: str) -> None:
        """A whole file could not be read (corrupt gzip, ...): one quarantine row, line 0."""
        self.result.lines += 1
        self.quarantine(source, 0, b"", reason, detail)

    def feed(self, source: str, lines: Iterable[bytes]) -> None:
        self.result.files += 1
        for line_no, raw in enumerate(lines, start=1):
            raw = raw.rstrip(b"\r\n")
            if not raw.strip():
                continue  # blank lines (a trailing newline) are not records
            self.result.lines += 1
            self._feed_line(source, line_no, raw)

    def _feed_line(self, source: str, line_no: int, raw: bytes) -> None:
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            return self.quarantine(source, line_no, raw, "invalid_utf8", f"byte offset {exc.start}")
        try:
            obj = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            return self.quarantine(source, line_no, raw, "invalid_json", str(exc).split(":")[0])
        if not isinstance(obj, dict):
            return self.quarantine(source, line_no, raw, "not_an_object", type(obj).__name__)
        if self.adapter is not None:  # another log shape → the contract's dict (docs/adapters.md)
            try:
                obj = self.adapter(obj)
            except AdapterReject as exc:
                return self.quarantine(source, line_no, raw, exc.reason, exc.detail)
        # Consent first: a row the user did not consent to is dropped, not kept in quarantine.
        if obj.get("consent") is not True:
            self.result.no_consent += 1
            return None
        headers = obj.get("headers")
        if isinstance(headers, dict):
            obj["headers"] = {k.lower(): v for k, v in headers.items() if isinstance(k, str)}
        try:
            call = RawCall.model_validate(obj)
        except ValidationError as exc:
            return self.quarantine(source, line_no, raw, *_describe_validation_error(exc))
        problem = self._check_semantics(call)
        if problem:
            return self.quarantine(source, line_no, raw, *problem)
        self._seen_ids.add(call.id)
        self._accept(call, source, line_no)
        return None

    def _check_semantics(self, call: RawCall) -> tuple[str, str] | None:
        msgs = call.messages
        if not msgs:
            return "empty_messages", "messages is an empty list"
        for i, m in enumerate(msgs):
            expected = "user" if i % 2 == 0 else "assistant"
            if m.role != expected:
                return "non_alternating_roles", f"messages[{i}].role is {m.role}, expected {expected}"
        if msgs[-1].role != "user":
            return "non_alternating_roles", "history does not end with a user message"
        for i, m in enumerate(msgs):
            if not m.content.strip():
                return "empty_content", f"messages[{i}].content is empty"
            if len(m.content) > self.max_message_chars:
                return "message_too_large", f"messages[{i}] has {len(m.content)} chars"
        if not call.response.strip():
            return "empty_content", "response is empty"
        if len(call.response) > self.max_message_chars:
            return "message_too_large", f"response has {len(call.response)} chars"
        if call.timestamp.tzinfo is None:
            return "wrong_type", "timestamp has no timezone"
        ts = call.timestamp.astimezone(dt.UTC)
        if ts.date() != self.day:
            return "timestamp_outside_partition", f"timestamp day {ts.date()} in drop for {self.day}"
        if not call.model.strip():
            return "empty_content", "model is empty"
        if call.id in self._seen_ids:
            return "duplicate_id", f"id {call.id} already accepted for this day"
        return None

    def _accept(self, call: RawCall, source: str, line_no: int) -> None:
        a = self.result.accepted
        pairs = [(m.role, m.content) for m in call.messages]
        a["id"].append(call.id)
        a["timestamp"].append(call.timestamp.astimezone(dt.UTC))
        a["model"].append(call.model)
        a["ip"].append(call.ip.strip())
        a["user_agent"].append(call.headers.get("user-agent"))
        a["accept_language"].append(call.headers.get("accept-language"))
        self.result.history_lengths.append(len(pairs))
        for r, c in pairs:
            self.result.history_roles.append(r)
            self.result.history_contents.append(c)
        a["response"].append(call.response)
        a["openai_id"].append(call.openai_id)
        a["temperature"].append(None if call.temperature is None else float(call.temperature))
        a["top_p"].append(None if call.top_p is None else float(call.top_p))
        a["prompt_tokens"].append(call.usage.prompt_tokens if call.usage else None)
        a["completion_tokens"].append(call.usage.completion_tokens if call.usage else None)
        a["turn_hash"].append(history_hash([*pairs, ("assistant", call.response)]))
        a["parent_hash"].append(history_hash(pairs[:-1]))
        a["source_file"].append(source)
        a["source_line"].append(line_no)
        if len(a["id"]) >= ACCEPTED_BATCH_ROWS:
            self.result.flush()


def _describe_validation_error(exc: ValidationError) -> tuple[str, str]:
    """Reason and field path of the first error; never the offending value (may be PII)."""
    err = exc.errors(include_input=False, include_url=False)[0]
    loc = ".".join(str(p) for p in err["loc"])
    if err["type"] == "missing":
        return "missing_field", f"{loc} is required"
    return "wrong_type", f"{loc}: {err['type']}"


DROP_DIR = "raw_logs_drop"
DROP_SUFFIXES = (".jsonl", ".jsonl.gz")


def _iter_lines(stream, chunk_size: int = 1 << 20) -> Iterable[bytes]:
    """Lines of a binary stream in constant memory (plus the longest line)."""
    pending = b""
    while True:
        chunk = stream.read(chunk_size)
        if not chunk:
            break
        pending += chunk
        *lines, pending = pending.split(b"\n")
        yield from lines
    if pending:
        yield pending


def parse_drops(storage, day: dt.date, max_message_chars: int = DEFAULT_MAX_MESSAGE_CHARS) -> ParsedDay:
    """Parse every drop file of one day (``<base>/raw_logs_drop/dt=DAY/``), streaming."""
    parser = LogParser(day, max_message_chars)
    for info in storage.list_files(f"{DROP_DIR}/dt={day.isoformat()}", DROP_SUFFIXES):
        try:  # hook: a format=<name>/ folder picks an input adapter (core/adapters)
            parser.adapter = line_adapter_for(info.path)
        except UnknownFormatError as exc:
            parser.file_error(info.path, "unknown_format", str(exc))
            continue
        compression = "gzip" if info.path.endswith(".gz") else None
        try:
            with storage.fs.open_input_stream(storage.full(info.path), compression=compression) as stream:
                parser.feed(info.path, _iter_lines(stream))
        except (OSError, EOFError) as exc:
            # The store failing (outage, access denied) must fail the run, never be
            # mistaken for a bad file: quarantining it would silently lose its lines.
            failure = storage.store_failure("read", info.path, exc)
            if failure is not None:
                raise failure from exc
            # A corrupt or truncated file: lines read so far stay; the rest is flagged.
            parser.file_error(info.path, "unreadable_file", f"{type(exc).__name__}: {exc}"[:300])
    parser.result.check_reconciliation()
    return parser.result

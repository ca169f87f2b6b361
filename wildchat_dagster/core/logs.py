"""Raw log drops → a typed table of accepted calls, plus a quarantine of rejected lines.

The input contract is DESIGN §3 (README "Input contract"). Every line ends up in exactly
one bucket: accepted, quarantined (with file, line number and a reason) or no-consent
(``consent: false``; dropped, counted). ``lines == accepted + quarantined + no_consent`` is
checked before returning, and so is the file accounting: every file under the drop prefix
that concerns the day is read, or listed in the quarantine (``unsupported_file``,
``misplaced_file``), or skipped as hidden and counted (core/drop_files.py).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import orjson
import pyarrow as pa
from pydantic import BaseModel, ConfigDict, StrictFloat, StrictInt, StrictStr, ValidationError

from .adapters import AdapterReject, UnknownFormatError, line_adapter_for
from .drop_files import DROP_DIR, HINT, READ_SUFFIXES, DayFiles, DropLines, list_day_files, suffix_of
from .message_shapes import ShapedCall, ShapeError, shape_call
from .schema import MESSAGE, QUARANTINE, RAW_LOGS, TOOL_CALLS, TOOL_RESULTS

DROP_SUFFIXES = READ_SUFFIXES  # the name other modules import
__all__ = ["DROP_DIR", "DROP_SUFFIXES", "READ_SUFFIXES", "LogParser", "ParsedDay", "history_hash",
           "parse_drops"]

# A single message larger than this is quarantined: real prompts stay far below it and
# a megabyte of text would dominate every later stage's cost (configurable per run).
DEFAULT_MAX_MESSAGE_CHARS = 200_000
QUARANTINE_HEAD_CHARS = 2_000
# Quarantine rows about a whole file rather than a line: not counted as lines.
FILE_REASONS = ("unsupported_file", "misplaced_file")
# Inline media never reaches the quarantine's line head either (data: URLs, long base64 runs).
_MEDIA = re.compile(rb"data:[\w/+.-]{1,80};base64,[A-Za-z0-9+/=]+|[A-Za-z0-9+/]{200,}={0,2}")


class Usage(BaseModel):
    model_config = ConfigDict(extra="ignore")
    prompt_tokens: StrictInt | None = None
    completion_tokens: StrictInt | None = None


class RawCall(BaseModel):
    """One chatbot API call as the contract defines it; unknown fields are ignored. The
    history's shapes (system, multimodal, tool messages) are read by core/message_shapes."""

    model_config = ConfigDict(extra="ignore")
    id: StrictInt
    timestamp: dt.datetime
    model: StrictStr
    ip: StrictStr
    headers: dict[str, StrictStr | None] = {}
    messages: list[Any]
    response: StrictStr | list[Any]
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
    files: int = 0  # files read
    files_unsupported: int = 0
    files_misplaced: int = 0
    files_hidden: int = 0
    files_listed: int | None = None  # set by parse_drops; None when lines are fed directly
    hidden_names: list[str] = field(default_factory=list)
    boms: int = 0  # files that started with a UTF-8 byte order mark (removed)
    reasons: Counter = field(default_factory=Counter)
    # Message shapes seen in accepted calls: system prompts, tool turns, placeholders by kind.
    shapes: Counter = field(default_factory=Counter)
    accepted_batches: list[pa.RecordBatch] = field(default_factory=list)  # rows already in Arrow
    flushed: int = 0  # rows in accepted_batches
    # The pending rows' histories, flat (``accepted["messages"]``, ``["prompt"]`` and
    # ``["history_len"]`` stay empty: all three are built from these). Building the list<struct>
    # column from flat lists is several times faster than from per-message dicts.
    history_lengths: list[int] = field(default_factory=list)
    history_roles: list[str] = field(default_factory=list)
    history_contents: list[str] = field(default_factory=list)
    history_tool_calls: list[list | None] = field(default_factory=list)
    history_tool_results: list[list | None] = field(default_factory=list)
    pending_tools: bool = False  # a pending history message has tool activity

    @property
    def accepted_count(self) -> int:
        return self.flushed + len(self.accepted["id"])

    @property
    def quarantined_files(self) -> int:
        return self.files_unsupported + self.files_misplaced

    @property
    def quarantined_count(self) -> int:
        """Quarantined lines (file-level rows for unsupported/misplaced files not included)."""
        return len(self.quarantine["reason"]) - self.quarantined_files

    def flush(self) -> None:
        """Move the pending accepted rows into an Arrow batch (order kept)."""
        pending = len(self.accepted["id"])
        if pending:
            ends = np.cumsum(self.history_lengths, dtype=np.int64)
            offsets = pa.array(np.concatenate([[0], ends]), pa.int32())
            contents = pa.array(self.history_contents, pa.string())
            n = len(self.history_roles)
            if self.pending_tools:
                calls = pa.array(self.history_tool_calls, TOOL_CALLS)
                results = pa.array(self.history_tool_results, TOOL_RESULTS)
            else:  # the common case: no tools anywhere in the batch
                calls, results = pa.nulls(n, TOOL_CALLS), pa.nulls(n, TOOL_RESULTS)
            derived = {
                "messages": pa.ListArray.from_arrays(offsets, pa.StructArray.from_arrays(
                    [pa.array(self.history_roles, pa.string()), contents, calls, results],
                    fields=list(MESSAGE))),
                "prompt": contents.take(pa.array(ends - 1)),  # each history's last (user) message
                "history_len": pa.array(self.history_lengths, pa.int32()),
            }
            columns = [derived[f.name] if f.name in derived else pa.array(self.accepted[f.name], f.type)
                       for f in RAW_LOGS]
            self.accepted_batches.append(pa.RecordBatch.from_arrays(columns, schema=RAW_LOGS))
            self.flushed += pending
            for values in (*self.accepted.values(), self.history_lengths, self.history_roles,
                           self.history_contents, self.history_tool_calls, self.history_tool_results):
                values.clear()
            self.pending_tools = False

    def accepted_table(self) -> pa.Table:
        self.flush()
        if not self.accepted_batches:
            return RAW_LOGS.empty_table()
        return pa.Table.from_batches(self.accepted_batches, schema=RAW_LOGS)

    def quarantine_table(self) -> pa.Table:
        return pa.Table.from_pydict(self.quarantine, schema=QUARANTINE)

    def counts(self) -> dict[str, int]:
        """The day's accounting, as metadata and logs show it (counts only, never values)."""
        return {
            "files": self.files,
            "files_listed": self.files if self.files_listed is None else self.files_listed,
            "files_unsupported": self.files_unsupported,
            "files_misplaced": self.files_misplaced,
            "files_hidden": self.files_hidden,
            "lines": self.lines,
            "accepted": self.accepted_count,
            "quarantined": self.quarantined_count,
            "quarantined_files": self.quarantined_files,
            "no_consent": self.no_consent,
            "boms_removed": self.boms,
            **{f"calls_with_{k}": v for k, v in sorted(self.shapes.items()) if not k.startswith("part_")},
            **{f"placeholders_{k[5:]}": v for k, v in sorted(self.shapes.items()) if k.startswith("part_")},
        }

    def check_reconciliation(self) -> None:
        total = self.accepted_count + self.quarantined_count + self.no_consent
        if total != self.lines:
            raise AssertionError(
                f"raw log reconciliation failed: {self.lines} lines != {self.accepted_count} accepted"
                f" + {self.quarantined_count} quarantined + {self.no_consent} no-consent"
            )
        files = self.files + self.files_unsupported + self.files_misplaced + self.files_hidden
        if self.files_listed is not None and files != self.files_listed:
            raise AssertionError(f"raw log file accounting failed: {self.files_listed} files listed != "
                                 f"{self.files} read + {self.quarantined_files} quarantined + "
                                 f"{self.files_hidden} hidden")


class LogParser:
    """Validates drop lines for one UTC day, accumulating accepted rows and quarantine."""

    def __init__(self, day: dt.date, max_message_chars: int = DEFAULT_MAX_MESSAGE_CHARS):
        self.day = day
        self.max_message_chars = max_message_chars
        self.result = ParsedDay()
        self._seen_ids: set[int] = set()
        self.adapter = None  # the current file's line adapter (core/adapters), None: the contract

    def quarantine(self, source: str, line_no: int, raw: bytes, reason: str, detail: str = "",
                   keep_head: bool = True) -> None:
        q = self.result.quarantine
        q["source_file"].append(source)
        q["source_line"].append(line_no)
        q["reason"].append(reason)
        q["detail"].append(detail[:500])
        q["line_bytes"].append(len(raw))
        q["line_sha256"].append(hashlib.sha256(raw).hexdigest())
        head = _MEDIA.sub(b"<media omitted>", raw[: QUARANTINE_HEAD_CHARS * 4])[:QUARANTINE_HEAD_CHARS]
        q["line_head"].append(head.decode("utf-8", errors="replace") if keep_head else None)
        self.result.reasons[reason] += 1

    def file_error(self, source: str, reason: str, detail: str, line_no: int = 0, tail: bytes = b"") -> None:
        """The rest of a file could not be read (corrupt or truncated gzip, ...): one quarantine
        row, counted as one line; the lines read before it stay."""
        self.result.lines += 1
        self.quarantine(source, line_no, tail, reason, detail)

    def file_listed(self, source: str, size: int, reason: str, detail: str) -> None:
        """A file that is not read (unsupported suffix, misplaced): one row, not a line."""
        q = self.result.quarantine
        for name, value in (("source_file", source), ("source_line", 0), ("reason", reason),
                            ("detail", detail[:500]), ("line_bytes", size), ("line_sha256", None),
                            ("line_head", None)):
            q[name].append(value)
        self.result.reasons[reason] += 1

    def feed(self, source: str, lines: Iterable[bytes]) -> int:
        """Parse one file's lines; returns the number of the last line seen."""
        self.result.files += 1
        line_no = 0
        for line_no, raw in enumerate(lines, start=1):
            if line_no == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]  # a UTF-8 byte order mark (DropLines removes it from files already)
            raw = raw.rstrip(b"\r\n")
            if not raw.strip():
                continue  # blank lines (a trailing newline) are not records
            self.result.lines += 1
            self._feed_line(source, line_no, raw)
        return line_no

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
        # Consent first: only the boolean true consents; false is a refusal, dropped and
        # counted, its text kept nowhere. Anything else ("true", 1, null, missing) is not a
        # refusal but a producer bug: quarantined without its text, so it is seen and fixed.
        consent = obj.get("consent", _MISSING)
        if consent is False:
            self.result.no_consent += 1
            return None
        if consent is not True:
            detail = ("consent is missing" if consent is _MISSING
                      else f"consent is {_json_type(consent)}, expected the boolean true or false")
            return self.quarantine(source, line_no, raw, "invalid_consent", detail, keep_head=False)
        headers = obj.get("headers")
        if isinstance(headers, dict):
            obj["headers"] = {k.lower(): v for k, v in headers.items() if isinstance(k, str)}
        try:
            call = RawCall.model_validate(obj)
        except ValidationError as exc:
            return self.quarantine(source, line_no, raw, *_describe_validation_error(exc))
        try:
            shaped = shape_call(call.messages, call.response)
        except ShapeError as exc:
            return self.quarantine(source, line_no, raw, exc.reason, exc.detail)
        problem = self._check_semantics(call, shaped)
        if problem:
            return self.quarantine(source, line_no, raw, *problem)
        self._seen_ids.add(call.id)
        self._accept(call, shaped, source, line_no)
        return None

    def _check_semantics(self, call: RawCall, shaped: ShapedCall) -> tuple[str, str] | None:
        if shaped.history_tools is None:  # (a tool turn's emptiness is checked by shape_call)
            for i, (_, content) in enumerate(shaped.pairs):
                if not content.strip():
                    return "empty_content", f"messages[{i}].content is empty"
        if not shaped.response.strip():
            return "empty_content", "response is empty"
        too_long = shaped.first_too_long(self.max_message_chars)
        if too_long:
            return "message_too_large", f"{too_long[0]} has {too_long[1]} chars"
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

    def _accept(self, call: RawCall, shaped: ShapedCall, source: str, line_no: int) -> None:
        result = self.result
        a = result.accepted
        pairs = shaped.pairs
        a["id"].append(call.id)
        a["timestamp"].append(call.timestamp.astimezone(dt.UTC))
        a["model"].append(call.model)
        a["ip"].append(call.ip.strip())
        a["user_agent"].append(call.headers.get("user-agent"))
        a["accept_language"].append(call.headers.get("accept-language"))
        result.history_lengths.append(len(pairs))
        for role, content in pairs:
            result.history_roles.append(role)
            result.history_contents.append(content)
        if shaped.history_tools is None:
            result.history_tool_calls += [None] * len(pairs)
            result.history_tool_results += [None] * len(pairs)
        else:
            result.pending_tools = True
            for calls, results in shaped.history_tools:
                result.history_tool_calls.append(calls or None)
                result.history_tool_results.append(results or None)
        a["response"].append(shaped.response)
        a["system_prompt"].append(shaped.system_prompt)
        a["turn_tool_calls"].append(shaped.turn_tool_calls or None)
        a["turn_tool_results"].append(shaped.turn_tool_results or None)
        a["openai_id"].append(call.openai_id)
        a["temperature"].append(None if call.temperature is None else float(call.temperature))
        a["top_p"].append(None if call.top_p is None else float(call.top_p))
        a["prompt_tokens"].append(call.usage.prompt_tokens if call.usage else None)
        a["completion_tokens"].append(call.usage.completion_tokens if call.usage else None)
        # Linking keys over user/assistant text only: a system prompt that changes between calls
        # (a date, a per-call instruction) or a tool round-trip never breaks the chain.
        a["turn_hash"].append(history_hash([*pairs, ("assistant", shaped.response)]))
        a["parent_hash"].append(history_hash(pairs[:-1]))
        a["source_file"].append(source)
        a["source_line"].append(line_no)
        shapes = result.shapes
        if shaped.system_prompt is not None:
            shapes["system_prompt"] += 1
        if shaped.uses_tools:
            shapes["tool_calls"] += 1
        if shaped.placeholders:
            shapes["multimodal_content"] += 1
            for kind, count in shaped.placeholders.items():
                shapes[f"part_{kind}"] += count
        if len(a["id"]) >= ACCEPTED_BATCH_ROWS:
            result.flush()


_MISSING = object()


def _json_type(value: Any) -> str:
    return {str: "a string", int: "a number", float: "a number", list: "a list", dict: "an object",
            type(None): "null"}.get(type(value), type(value).__name__)


def _describe_validation_error(exc: ValidationError) -> tuple[str, str]:
    """Reason and field path of the first error; never the offending value (may be PII)."""
    err = exc.errors(include_input=False, include_url=False)[0]
    loc = ".".join(str(p) for p in err["loc"])
    if err["type"] == "missing":
        return "missing_field", f"{loc} is required"
    return "wrong_type", f"{loc}: {err['type']}"


def _account_unread(parser: LogParser, files: DayFiles) -> None:
    result = parser.result
    for info in files.unsupported:
        suffix = suffix_of(info.path)
        hint = HINT.get(suffix, f"only {', '.join(READ_SUFFIXES)} are read (any case)")
        parser.file_listed(info.path, info.size, "unsupported_file", f"suffix {suffix} is not read: {hint}")
    for info in files.misplaced:
        parser.file_listed(info.path, info.size, "misplaced_file",
                           "not directly in a raw_logs_drop/dt=YYYY-MM-DD/ folder: not read; move it into "
                           "its day's folder")
    result.files_unsupported = len(files.unsupported)
    result.files_misplaced = len(files.misplaced)
    result.files_hidden = len(files.hidden)
    result.hidden_names = [f.path for f in files.hidden]
    result.files_listed = files.listed


def parse_drops(storage, day: dt.date, max_message_chars: int = DEFAULT_MAX_MESSAGE_CHARS) -> ParsedDay:
    """Parse every drop file of one day (``<base>/raw_logs_drop/dt=DAY/``), streaming, and
    account for every other file that concerns the day (core/drop_files.py)."""
    parser = LogParser(day, max_message_chars)
    files = list_day_files(storage, day)
    for info in files.read:
        try:  # hook: a format=<name>/ folder picks an input adapter (core/adapters)
            parser.adapter = line_adapter_for(info.path)
        except UnknownFormatError as exc:
            parser.file_error(info.path, "unknown_format", str(exc))
            continue
        gzipped = info.path.lower().endswith(".gz")
        last_line = 0
        try:
            with storage.fs.open_input_stream(storage.full(info.path), compression=None) as stream:
                reader = DropLines(stream, gzipped)
                last_line = parser.feed(info.path, reader)
        except (OSError, EOFError) as exc:
            # The store failing (outage, access denied) must fail the run, never be
            # mistaken for a bad file: quarantining it would silently lose its lines.
            failure = storage.store_failure("read", info.path, exc)
            if failure is not None:
                raise failure from exc
            parser.file_error(info.path, "unreadable_file", f"{type(exc).__name__}: {exc}"[:300])
            continue
        parser.result.boms += reader.had_bom
        if reader.problem is not None:  # a cut or corrupt gzip: the lines before it stay
            problem = reader.problem
            detail = f"{problem.detail}; {len(problem.tail)} bytes of an incomplete line quarantined"
            parser.file_error(info.path, problem.reason, detail, last_line + 1, problem.tail)
    _account_unread(parser, files)
    parser.result.check_reconciliation()
    return parser.result

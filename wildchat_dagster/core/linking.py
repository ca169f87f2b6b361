"""Link API calls into conversations (DESIGN §4), the way WildChat's link_conversations did.

Each call carries its whole history, so a call's parent is an earlier call whose
``turn_hash = H(messages + [response])`` equals this call's ``parent_hash = H(messages[:-1])``,
from the same device fingerprint (user agent + accept-language) and model, the most
recent one, preferring the same IP. Unlike WildChat, a parent that already has a child
(the user regenerated or edited a turn) does not lose the second child: it starts a
branch that copies the shared prefix. A call whose parent is missing becomes an orphan
conversation, its history recovered from the call itself.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .logs import history_hash
from .schema import CONVERSATIONS, TOOL_CALLS, TOOL_RESULTS

# A message of a conversation: which call produced it and which part of that call it is.
# part: "u" (the call's last user message), "a" (its response) or an int index into the
# call's history (recovered history of an orphan).
USER, ASSISTANT = "u", "a"
TIMESTAMP_US = pa.timestamp("us", tz="UTC")
EPOCH = dt.date(1970, 1, 1)
US_PER_DAY = 86_400_000_000

# The raw_logs columns that conversations[D] needs from each day of its window. A conversation
# emitted for D starts on D, so its messages all come from calls made on or after D:
# - a D-1 call only matters as a parent (it makes a D call a continuation, not a new
#   conversation), so only the linking keys are read;
# - a D+1 call adds its prompt and response, never its history;
# - only a D call can start an orphan, whose history is recovered from the call itself.
# At 100k turns a day this cuts the window from about 1.6 GB of Arrow to about 0.7 GB.
LINK_KEYS = ("id", "timestamp", "model", "ip", "user_agent", "accept_language", "history_len",
             "turn_hash", "parent_hash")
# The extras beside the text (system prompt, the call's own tool turn) follow the response.
CALL_EXTRAS = ("system_prompt", "turn_tool_calls", "turn_tool_results")
WINDOW_COLUMNS = {
    "before": list(LINK_KEYS),
    "same": [*LINK_KEYS, "prompt", "response", *CALL_EXTRAS, "messages"],
    "after": [*LINK_KEYS, "prompt", "response", *CALL_EXTRAS],
}


@dataclass(slots=True)
class _Message:
    row: int
    part: str | int
    copied: bool = False


@dataclass(slots=True)
class _Conversation:
    messages: list[_Message] = field(default_factory=list)
    tip: int = -1  # row whose response ends the conversation
    branch_of: _Conversation | None = None
    orphan: bool = False
    rows: list[int] = field(default_factory=list)  # rows owned (not copied)
    conversation_id: str = ""

    def append_call(self, row: int) -> None:
        self.messages += [_Message(row, USER), _Message(row, ASSISTANT)]
        self.rows.append(row)
        self.tip = row


@dataclass
class LinkStats:
    calls_in_window: int = 0
    conversations: int = 0
    messages: int = 0
    turns: int = 0
    branches: int = 0
    orphans: int = 0
    calls_linked: int = 0  # calls owned by an emitted conversation

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def link_conversations(raw: pa.Table, day: dt.date | None = None) -> tuple[pa.Table, LinkStats]:
    """Link the calls in ``raw`` (typically days D-1..D+1) and return the conversations
    whose first turn is on ``day`` (all conversations when day is None), message level."""
    stats = LinkStats(calls_in_window=raw.num_rows)
    if raw.num_rows == 0:
        return CONVERSATIONS.empty_table(), stats
    # Per call, compact keys: equal codes <=> equal values (None equals None, as in a tuple
    # comparison), so the linking below compares small ints instead of strings. The histories
    # (``messages``, quadratic in a conversation's length) and responses stay in Arrow: only
    # the messages that end up in the output are ever copied out of them (see _Texts).
    ts = pc.cast(raw.column("timestamp").cast(TIMESTAMP_US), pa.int64()).to_numpy()
    ids = raw.column("id").to_pylist()
    cols = {
        "timestamp": ts.tolist(),
        "id": ids,
        "fingerprint": _codes(raw, ("user_agent", "accept_language", "model")),
        "ip": _codes(raw, ("ip",)),
    }
    turn_codes, parent_codes = _hash_codes(raw.column("turn_hash"), raw.column("parent_hash"))
    history_lens = raw.column("history_len").to_numpy().tolist()
    order = sorted(range(raw.num_rows), key=lambda i: (cols["timestamp"][i], ids[i]))

    by_turn_hash: dict[int, list[int]] = defaultdict(list)
    owner: dict[int, _Conversation] = {}
    conversations: list[_Conversation] = []

    for row in order:
        history_len = history_lens[row]
        parent = None
        if history_len > 1:
            parent = _find_parent(row, cols, by_turn_hash.get(parent_codes[row], ()))
        if parent is None:
            conv = _Conversation(orphan=history_len > 1)
            # An orphan keeps the history that the call itself carries.
            conv.messages += [_Message(row, i) for i in range(history_len - 1)]
            conversations.append(conv)
        else:
            parent_conv = owner[parent]
            if parent_conv.tip == parent:
                conv = parent_conv
            else:  # the parent was already continued: regenerate/edit → a branch
                cut = _end_of_call(parent_conv, parent)
                conv = _Conversation(
                    messages=[_Message(m.row, m.part, True) for m in parent_conv.messages[:cut]],
                    branch_of=parent_conv,
                    orphan=parent_conv.orphan,
                )
                conversations.append(conv)
        conv.append_call(row)
        owner[row] = conv
        by_turn_hash[turn_codes[row]].append(row)

    if day is None:
        emitted = list(conversations)
    else:
        first_us = (day - EPOCH).days * US_PER_DAY
        emitted = [c for c in conversations if first_us <= _start(c, cols) < first_us + US_PER_DAY]
    for conv in conversations:
        call_ids = ",".join(str(ids[r]) for r in conv.rows)
        conv.conversation_id = hashlib.sha256(f"conv:{call_ids}".encode()).hexdigest()[:32]
    emitted.sort(key=lambda c: (_start(c, cols), c.conversation_id))
    for container in (owner, by_turn_hash, cols, turn_codes, parent_codes, order, history_lens):
        container.clear()  # free the linking state before the output is built
    table = _to_table(emitted, raw)
    stats.conversations = len(emitted)
    stats.messages = table.num_rows
    stats.turns = table.num_rows // 2
    stats.branches = sum(1 for c in emitted if c.branch_of is not None)
    stats.orphans = sum(1 for c in emitted if c.orphan and c.branch_of is None)
    stats.calls_linked = sum(len(c.rows) for c in emitted)
    return table, stats


def _find_parent(row: int, cols: dict, candidates) -> int | None:
    """Most recent earlier call with the same fingerprint and model, same IP first."""
    fingerprint, ip = cols["fingerprint"], cols["ip"]
    any_ip = None
    for cand in reversed(candidates):  # candidates are in time order
        if fingerprint[cand] != fingerprint[row]:
            continue
        if ip[cand] == ip[row]:
            return cand
        if any_ip is None:
            any_ip = cand
    return any_ip


def _codes(raw: pa.Table, names: tuple[str, ...]) -> list[int]:
    """One int per row; equal ints exactly where the rows' values of ``names`` are all equal."""
    combined = np.zeros(raw.num_rows, np.int64)
    for name in names:
        encoded = pc.dictionary_encode(raw.column(name).combine_chunks(), null_encoding="encode")
        combined = combined * (len(encoded.dictionary) + 1) + encoded.indices.to_numpy(zero_copy_only=False)
        combined = np.unique(combined, return_inverse=True)[1].astype(np.int64)  # stays < rows
    return combined.tolist()


def _hash_codes(turn_hash: pa.ChunkedArray, parent_hash: pa.ChunkedArray) -> tuple[list[int], list[int]]:
    """turn_hash and parent_hash as ints of one shared dictionary (equal strings, equal ints)."""
    both = pa.chunked_array(turn_hash.chunks + parent_hash.chunks, pa.string()).combine_chunks()
    codes = pc.dictionary_encode(both, null_encoding="encode").indices.to_numpy(zero_copy_only=False)
    n = len(turn_hash)
    return codes[:n].tolist(), codes[n:].tolist()


def _end_of_call(conv: _Conversation, row: int) -> int:
    """Index just past the response of ``row`` inside ``conv``."""
    for i, m in enumerate(conv.messages):
        if m.row == row and m.part == ASSISTANT:
            return i + 1
    raise AssertionError("parent call is not part of its owning conversation")


def _start(conv: _Conversation, cols: dict) -> int:
    """The conversation's first message's time, microseconds since the epoch (UTC)."""
    return cols["timestamp"][conv.messages[0].row]


class _Chunks:
    """One column's Arrow chunks, addressed by table row without combining them (a combined
    copy of a window's texts would cost hundreds of MB)."""

    def __init__(self, column: pa.ChunkedArray):
        self.chunks = column.chunks
        self.starts = np.cumsum([0] + [len(c) for c in self.chunks])

    def split(self, rows: np.ndarray):
        """(chunk, positions in ``rows``, rows local to the chunk) for each chunk hit."""
        chunk_of = np.searchsorted(self.starts, rows, side="right") - 1
        for c in np.unique(chunk_of):
            hit = np.nonzero(chunk_of == c)[0]
            yield self.chunks[c], hit, rows[hit] - self.starts[c]


class _Texts:
    """Role and content of chosen messages, gathered straight from the raw table's Arrow
    chunks: a call's history message ``i``, its last (user) message, or its response. The
    window may lack a column for some days (WINDOW_COLUMNS); a message that needs one of
    those is a bug in the window, reported as such rather than read as another row's text."""

    def __init__(self, raw: pa.Table):
        self.responses = _Chunks(raw.column("response"))
        self.prompts = _Chunks(raw.column("prompt"))
        self.history = _Chunks(raw.column("messages")) if "messages" in raw.column_names else None
        self.ids = raw.column("id")
        self.raw = raw

    def tools(self, rows: np.ndarray, parts: np.ndarray) -> tuple[pa.Array, pa.Array]:
        """(tool_calls, tool_results) of the same messages as ``gather``: a response carries its
        call's own tool turn, a history message its own, a prompt none."""
        n = len(rows)
        names = ("turn_tool_calls", "turn_tool_results")
        types = (TOOL_CALLS, TOOL_RESULTS)
        history_tools = False
        if self.history is not None and self.history.chunks:
            fields = {f.name for f in self.history.chunks[0].type.value_type}
            history_tools = {"tool_calls", "tool_results"} <= fields
        if not any(name in self.raw.column_names for name in names):
            return pa.nulls(n, TOOL_CALLS), pa.nulls(n, TOOL_RESULTS)
        out = []
        for name, field_name, typ in zip(names, ("tool_calls", "tool_results"), types, strict=True):
            pieces: list[tuple[np.ndarray, pa.Array]] = []
            responses = np.nonzero(parts == -2)[0]
            if name in self.raw.column_names and len(responses):
                for chunk, hit, local in _Chunks(self.raw.column(name)).split(rows[responses]):
                    pieces.append((responses[hit], chunk.take(pa.array(local)).cast(typ)))
            from_history = np.nonzero(parts >= 0)[0]
            if history_tools and len(from_history):
                for chunk, hit, local in self.history.split(rows[from_history]):
                    offsets = chunk.offsets.to_numpy()
                    flat = chunk.flatten()
                    take = pa.array(offsets[local] + parts[from_history[hit]] - offsets[0])
                    pieces.append((from_history[hit], pc.struct_field(flat, field_name).take(take).cast(typ)))
            rest = np.setdiff1d(np.arange(n), np.concatenate([p for p, _ in pieces]) if pieces else [])
            pieces.append((rest, pa.nulls(len(rest), typ)))
            inverse = np.empty(n, np.int64)
            inverse[np.concatenate([p for p, _ in pieces])] = np.arange(n)
            out.append(pa.concat_arrays([v for _, v in pieces]).take(pa.array(inverse)))
        return out[0], out[1]

    def gather(self, rows: np.ndarray, parts: np.ndarray) -> tuple[pa.Array, pa.Array]:
        """(roles, contents) of message ``parts[k]`` of call ``rows[k]``: part >= 0 is a history
        index, -1 the call's prompt (its last user message), -2 the response."""
        pieces: list[tuple[np.ndarray, pa.Array, pa.Array]] = []  # positions, roles, contents

        def constant(role: str, n: int) -> pa.Array:
            return pa.array([role] * n, pa.string())

        for where, source, role in ((parts == -2, self.responses, "assistant"),
                                    (parts == -1, self.prompts, "user")):
            selected = np.nonzero(where)[0]
            for chunk, hit, local in source.split(rows[selected]) if len(selected) else ():
                pieces.append((selected[hit], constant(role, len(hit)), chunk.take(pa.array(local))))
        from_history = np.nonzero(parts >= 0)[0]
        if len(from_history):
            if self.history is None:
                raise ValueError("linking needs the messages column for orphans' histories")
            for chunk, hit, local in self.history.split(rows[from_history]):
                if chunk.null_count and pc.any(pc.is_null(chunk).take(pa.array(local))).as_py():
                    raise ValueError("conversations window: a history was needed from a call read "
                                     "without one (see linking.WINDOW_COLUMNS)")
                offsets = chunk.offsets.to_numpy()
                flat = chunk.flatten()  # respects the chunk's slice; starts at offsets[0]
                take = pa.array(offsets[local] + parts[from_history[hit]] - offsets[0])
                pieces.append((from_history[hit], pc.struct_field(flat, "role").take(take),
                               pc.struct_field(flat, "content").take(take)))
        inverse = np.empty(len(rows), np.int64)
        inverse[np.concatenate([p for p, _, _ in pieces])] = np.arange(len(rows))
        take = pa.array(inverse)
        role_values = pa.concat_arrays([r for _, r, _ in pieces]).take(take)
        grouped = pa.concat_arrays([c for _, _, c in pieces])
        pieces.clear()  # at most two copies of the output's text at once
        contents = grouped.take(take)
        del grouped
        if contents.null_count:
            bad = rows[np.nonzero(pc.is_null(contents).to_numpy(zero_copy_only=False))[0][0]]
            raise ValueError(f"conversations window: call {self.ids[int(bad)]} was read without the "
                             "text this conversation needs (see linking.WINDOW_COLUMNS)")
        return role_values, contents


def _conversation_hashes(roles: pa.Array, contents: pa.Array, starts: list[int], ends: list[int],
                         block: int = 20_000) -> list[str]:
    """history_hash[:32] of each conversation's messages, copying the texts into Python a block
    of conversations at a time (a day's text as Python strings at once is hundreds of MB)."""
    out: list[str] = []
    for first in range(0, len(starts), block):
        lo, hi = starts[first], ends[min(first + block, len(starts)) - 1]
        role_list = roles.slice(lo, hi - lo).to_pylist()
        content_list = contents.slice(lo, hi - lo).to_pylist()
        for s, e in zip(starts[first:first + block], ends[first:first + block], strict=True):
            pairs = zip(role_list[s - lo : e - lo], content_list[s - lo : e - lo], strict=True)
            out.append(history_hash(pairs)[:32])
    return out


def _to_table(conversations: list[_Conversation], raw: pa.Table) -> pa.Table:
    if not conversations:
        return CONVERSATIONS.empty_table()
    rows: list[int] = []
    parts: list[int] = []
    copied: list[bool] = []
    lengths: list[int] = []
    for conv in conversations:
        lengths.append(len(conv.messages))
        for m in conv.messages:
            rows.append(m.row)
            parts.append(-1 if m.part == USER else -2 if m.part == ASSISTANT else m.part)
            copied.append(m.copied)
    row_index = np.asarray(rows, np.int64)
    part_index = np.asarray(parts, np.int64)
    texts = _Texts(raw)
    roles, contents = texts.gather(row_index, part_index)
    tool_calls, tool_results = texts.tools(row_index, part_index)
    del texts

    # Per conversation: WildChat's hash over the role/content list, its start and end.
    n_conv = len(conversations)
    length = np.asarray(lengths, np.int64)
    ends = np.cumsum(length)
    starts = ends - length
    conversation_hash = _conversation_hashes(roles, contents, starts.tolist(), ends.tolist())
    first_row = pa.array(row_index[starts])
    tip_row = pa.array(np.asarray([c.tip for c in conversations], np.int64))
    per_conv = {
        "conversation_id": pa.array([c.conversation_id for c in conversations], pa.string()),
        "conversation_hash": pa.array(conversation_hash, pa.string()),
        "turn_count": pa.array(length // 2, pa.int32()),
        "conversation_start": raw.column("timestamp").take(first_row),
        "conversation_end": raw.column("timestamp").take(tip_row),
        "branch_of": pa.array(
            [c.branch_of.conversation_id if c.branch_of else None for c in conversations], pa.string()
        ),
        "orphan": pa.array([c.orphan for c in conversations], pa.bool_()),
    }
    of_conv = pa.array(np.repeat(np.arange(n_conv), length))
    message_index = np.arange(len(rows)) - np.repeat(starts, length)
    take_row = pa.array(row_index)
    ids = raw.column("id").take(take_row)
    columns = {
        **{name: values.take(of_conv) for name, values in per_conv.items()},
        "message_index": pa.array(message_index, pa.int32()),
        "turn": pa.array(message_index // 2 + 1, pa.int32()),
        "role": roles,
        "content": contents,
        "turn_identifier": pc.if_else(pa.array(part_index >= 0), pa.nulls(len(rows), pa.int64()), ids),
        "copied_prefix": pa.array(copied, pa.bool_()),
        "tool_calls": tool_calls,
        "tool_results": tool_results,
    }
    for name in ("timestamp", "model", "ip", "user_agent", "accept_language"):
        columns[name] = raw.column(name).take(take_row)
    # The system prompt of the call each message came from (its own text never enters the
    # conversation nor the hashes: a changed system prompt does not break the chain).
    columns["system_prompt"] = (raw.column("system_prompt").take(take_row)
                                if "system_prompt" in raw.column_names else pa.nulls(len(rows), pa.string()))
    arrays = [columns[f.name] for f in CONVERSATIONS]
    arrays = [a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a for a in arrays]
    return pa.Table.from_arrays([a.cast(f.type) for a, f in zip(arrays, CONVERSATIONS, strict=True)],
                                schema=CONVERSATIONS)

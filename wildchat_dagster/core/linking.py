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

import pyarrow as pa

from .logs import history_hash
from .schema import CONVERSATIONS

# A message of a conversation: which call produced it and which part of that call it is.
# part: "u" (the call's last user message), "a" (its response) or an int index into the
# call's history (recovered history of an orphan).
USER, ASSISTANT = "u", "a"


@dataclass
class _Message:
    row: int
    part: str | int
    copied: bool = False


@dataclass
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
    cols = {name: raw.column(name).to_pylist() for name in (
        "id", "timestamp", "model", "ip", "user_agent", "accept_language", "messages",
        "response", "turn_hash", "parent_hash")}
    order = sorted(range(raw.num_rows), key=lambda i: (cols["timestamp"][i], cols["id"][i]))

    by_turn_hash: dict[str, list[int]] = defaultdict(list)
    owner: dict[int, _Conversation] = {}
    conversations: list[_Conversation] = []

    for row in order:
        history_len = len(cols["messages"][row])
        parent = None
        if history_len > 1:
            parent = _find_parent(row, cols, by_turn_hash.get(cols["parent_hash"][row], ()))
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
        by_turn_hash[cols["turn_hash"][row]].append(row)

    emitted = [c for c in conversations if day is None or _start(c, cols).date() == day]
    for conv in conversations:
        ids = ",".join(str(cols["id"][r]) for r in conv.rows)
        conv.conversation_id = hashlib.sha256(f"conv:{ids}".encode()).hexdigest()[:32]
    emitted.sort(key=lambda c: (_start(c, cols), c.conversation_id))
    table = _to_table(emitted, cols)
    stats.conversations = len(emitted)
    stats.messages = table.num_rows
    stats.turns = table.num_rows // 2
    stats.branches = sum(1 for c in emitted if c.branch_of is not None)
    stats.orphans = sum(1 for c in emitted if c.orphan and c.branch_of is None)
    stats.calls_linked = sum(len(c.rows) for c in emitted)
    return table, stats


def _find_parent(row: int, cols: dict, candidates) -> int | None:
    """Most recent earlier call with the same fingerprint and model, same IP first."""
    fingerprint = (cols["user_agent"][row], cols["accept_language"][row], cols["model"][row])
    any_ip = None
    for cand in reversed(candidates):  # candidates are in time order
        if (cols["user_agent"][cand], cols["accept_language"][cand], cols["model"][cand]) != fingerprint:
            continue
        if cols["ip"][cand] == cols["ip"][row]:
            return cand
        if any_ip is None:
            any_ip = cand
    return any_ip


def _end_of_call(conv: _Conversation, row: int) -> int:
    """Index just past the response of ``row`` inside ``conv``."""
    for i, m in enumerate(conv.messages):
        if m.row == row and m.part == ASSISTANT:
            return i + 1
    raise AssertionError("parent call is not part of its owning conversation")


def _start(conv: _Conversation, cols: dict) -> dt.datetime:
    return cols["timestamp"][conv.messages[0].row]


def _to_table(conversations: list[_Conversation], cols: dict) -> pa.Table:
    out: dict[str, list] = {f.name: [] for f in CONVERSATIONS}
    for conv in conversations:
        pairs = [_role_content(m, cols) for m in conv.messages]
        conversation_hash = history_hash(pairs)[:32]
        start = _start(conv, cols)
        end = cols["timestamp"][conv.tip]
        turn_count = len(pairs) // 2
        branch_of = conv.branch_of.conversation_id if conv.branch_of else None
        for index, (m, (role, content)) in enumerate(zip(conv.messages, pairs, strict=True)):
            row = m.row
            out["conversation_id"].append(conv.conversation_id)
            out["conversation_hash"].append(conversation_hash)
            out["message_index"].append(index)
            out["turn"].append(index // 2 + 1)
            out["turn_count"].append(turn_count)
            out["role"].append(role)
            out["content"].append(content)
            out["timestamp"].append(cols["timestamp"][row])
            out["turn_identifier"].append(None if isinstance(m.part, int) else cols["id"][row])
            out["model"].append(cols["model"][row])
            out["ip"].append(cols["ip"][row])
            out["user_agent"].append(cols["user_agent"][row])
            out["accept_language"].append(cols["accept_language"][row])
            out["conversation_start"].append(start)
            out["conversation_end"].append(end)
            out["copied_prefix"].append(m.copied)
            out["branch_of"].append(branch_of)
            out["orphan"].append(conv.orphan)
    return pa.Table.from_pydict(out, schema=CONVERSATIONS)


def _role_content(m: _Message, cols: dict) -> tuple[str, str]:
    if m.part == USER:
        last = cols["messages"][m.row][-1]
        return last["role"], last["content"]
    if m.part == ASSISTANT:
        return "assistant", cols["response"][m.row]
    msg = cols["messages"][m.row][m.part]
    return msg["role"], msg["content"]

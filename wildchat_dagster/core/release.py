"""The release (DESIGN §8): message-level ``classified`` rows nested into WildChat-1M's
per-conversation layout, takedowns applied, split into ``full`` and ``nontoxic``, plus an
OpenAI-chat JSONL export for instruction tuning.

Everything is built column-wise with pyarrow/numpy over the message table sorted by
(conversation_id, message_index): conversation boundaries come from a run-end encoding of
``conversation_id``, nested columns from ``ListArray.from_arrays`` over those offsets, and
per-conversation flags from ``numpy.ufunc.reduceat`` over the message flags. The only
per-conversation Python is hashing (SHA-256 cannot be vectorised) and JSON serialisation,
both a block of conversations at a time.

Memory (docs/release.md): the release's columns are zero-copy slices of the input where they
can be (the asset holds its input anyway). An input in several chunks is nested a chunk at a
time (``_pieces``) rather than combined into a copy of the day.
"""

from __future__ import annotations

import csv
import io
import itertools
import os
import re
from dataclasses import asdict, dataclass, field

import numpy as np
import orjson
import pyarrow as pa
import pyarrow.compute as pc

from .logs import history_hash
from .release_policy import PolicyReport, ReleasePolicy, apply_policy
from .schema import (
    CLASSIFIED,
    DETOXIFY_LABELS,
    DETOXIFY_MODERATION,
    HEADER,
    RELEASE,
    RELEASE_MESSAGE,
    RELEASE_MODERATION_CATEGORIES,
    RELEASE_OPENAI_MODERATION,
)
from .storage import Storage
from .toxicity import DEFAULT_EMBEDDED_THRESHOLD
from .toxicity import WILDCHAT_DETOXIFY_THRESHOLD as DEFAULT_DETOXIFY_THRESHOLD

SPLITS = ("full", "nontoxic")
# Backend names as they appear in the release's `toxicity_backends` / `flagged_by` columns.
BACKENDS = ("openai_moderation", "detoxify", "embedded")
# build_release's default thresholds: WildChat's Detoxify 0.1, the embedded backend's default.

DEFAULT_TAKEDOWNS = "takedowns/takedowns.txt"  # relative to the storage base
TAKEDOWNS_ENV = "WILDCHAT_TAKEDOWNS"


# ----------------------------------------------------------------------------------------
# Takedowns
# ----------------------------------------------------------------------------------------
class TakedownError(RuntimeError):
    """A configured takedown list could not be read: nothing may be released without it."""


_HEX32 = re.compile(r"^[0-9a-f]{32}$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_CONVERSATION_KINDS = {"conversation_hash", "conversation_id", "conversation", "hash"}
_IP_KINDS = {"hashed_ip", "ip_hash", "ip"}
_TURN_KINDS = {"turn_identifier", "turn"}
_TURN_ID = re.compile(r"^\d{1,19}$")  # WildChat's turn_identifier: the raw call's integer id


@dataclass(frozen=True)
class Takedowns:
    """Conversation hashes (or ids), turn identifiers and hashed IPs whose conversations must
    not be released.

    The list is either one value per line (a 32-hex value is a conversation hash or id, a
    64-hex value a hashed IP, an integer a turn_identifier; ``#`` starts a comment) or a CSV
    whose header has a ``kind`` column (conversation_hash | conversation_id | turn_identifier |
    hashed_ip) and a ``value`` column.
    """

    conversations: frozenset[str] = frozenset()
    hashed_ips: frozenset[str] = frozenset()
    invalid_entries: int = 0
    location: str = "none"
    turn_identifiers: frozenset[int] = frozenset()

    def __len__(self) -> int:
        return len(self.conversations) + len(self.hashed_ips) + len(self.turn_identifiers)

    @classmethod
    def parse(cls, data: bytes, location: str = "inline") -> Takedowns:
        text = data.decode("utf-8-sig")
        lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
        convs: set[str] = set()
        ips: set[str] = set()
        turns: set[int] = set()
        invalid = 0
        header = next(csv.reader([lines[0]])) if lines else []
        header = [h.strip().lower() for h in header]
        if "kind" in header:
            if "value" not in header:
                raise TakedownError(f"takedown CSV at {location} has a 'kind' column but no 'value' column")
            ki, vi = header.index("kind"), header.index("value")
            for row in csv.reader(io.StringIO("\n".join(lines[1:]))):
                if len(row) <= max(ki, vi):
                    invalid += 1
                    continue
                kind, value = row[ki].strip().lower(), row[vi].strip().lower()
                if kind in _CONVERSATION_KINDS and _HEX32.match(value):
                    convs.add(value)
                elif kind in _IP_KINDS and _HEX64.match(value):
                    ips.add(value)
                elif kind in _TURN_KINDS and _TURN_ID.match(value):
                    turns.add(int(value))
                else:
                    invalid += 1
        else:
            for line in lines:
                value = line.split("#", 1)[0].strip().strip(",").lower()
                if _HEX32.match(value):
                    convs.add(value)
                elif _HEX64.match(value):
                    ips.add(value)
                elif _TURN_ID.match(value):
                    turns.add(int(value))
                elif value:
                    invalid += 1
        return cls(frozenset(convs), frozenset(ips), invalid, location, frozenset(turns))


def _split_location(location: str) -> tuple[Storage, str]:
    """A file path or ``s3://bucket/key`` → (Storage of its folder, file name)."""
    if location.startswith("s3://"):
        parent, _, name = location.rstrip("/").rpartition("/")
        if parent in ("s3:/", "s3:") or not name:
            raise TakedownError(f"takedown location {location!r} names no object")
        return Storage(parent), name
    path = os.path.abspath(location)
    return Storage(os.path.dirname(path)), os.path.basename(path)


def load_takedowns(storage: Storage, location: str | None = None) -> Takedowns:
    """Read the takedown list (through Storage, so a local file or an S3 object).

    ``location`` (config, else $WILDCHAT_TAKEDOWNS) is a path or s3:// URI and must exist;
    without one, ``<storage>/takedowns/takedowns.txt`` is used when present.
    """
    location = location or os.environ.get(TAKEDOWNS_ENV) or None
    if location is None:
        if not storage.exists(DEFAULT_TAKEDOWNS):
            return Takedowns()
        return Takedowns.parse(storage.read_bytes(DEFAULT_TAKEDOWNS), storage.uri(DEFAULT_TAKEDOWNS))
    where, name = _split_location(location)
    try:
        if not where.exists(name):
            raise TakedownError(f"takedown list {location} does not exist; refusing to release without it")
        return Takedowns.parse(where.read_bytes(name), where.uri(name))
    except TakedownError:
        raise
    except Exception as exc:  # any read failure stops the release
        raise TakedownError(f"takedown list {location} could not be read: {exc}") from exc


# ----------------------------------------------------------------------------------------
# Building the release
# ----------------------------------------------------------------------------------------
@dataclass
class ReleaseStats:
    conversations_in: int = 0
    messages_in: int = 0
    takedown_entries: int = 0
    takedown_conversations: int = 0  # removed by any takedown entry
    takedown_by_hash: int = 0  # the conversation's hash or id, or those of a prefix (before a late turn)
    takedown_by_turn: int = 0  # any of its turn_identifiers
    takedown_by_ip: int = 0
    review_dropped: int = 0  # a reviewer's `drop` decision (core/review.py), not taken down
    sexual_minors_removed: int = 0
    withheld_conversations: int = 0  # PII residue pending review (pii_review), not removed otherwise
    full_conversations: int = 0
    full_turns: int = 0
    full_messages: int = 0
    nontoxic_conversations: int = 0
    toxic_conversations: int = 0  # in full
    unclassified_conversations: int = 0  # in full, toxic unknown: never put in nontoxic
    hash_recomputed: int = 0  # released hash differs from upstream's (content was scrubbed)

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass
class ReleaseResult:
    full: pa.Table
    nontoxic: pa.Table
    stats: ReleaseStats = field(default_factory=ReleaseStats)
    disclosure: PolicyReport | None = None  # k-anonymity before/after the release policy, if one ran

    def splits(self) -> dict[str, pa.Table]:
        """The IO manager's dict output: one sub-directory per split."""
        return {"split=full": self.full, "split=nontoxic": self.nontoxic}


def _conform(table: pa.Table) -> pa.Table:
    """Add any CLASSIFIED column the input lacks as nulls."""
    for f in CLASSIFIED:
        if f.name not in table.column_names:
            table = table.append_column(f, pa.nulls(table.num_rows, f.type))
    return table


def _array(column: pa.ChunkedArray) -> pa.Array:
    return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()


def _np_bool(arr: pa.Array, fill: bool = False) -> np.ndarray:
    return arr.fill_null(fill).to_numpy(zero_copy_only=False).astype(bool)


def _np_valid(arr: pa.Array) -> np.ndarray:
    return np.asarray(arr.is_valid()).astype(bool)


class _Segments:
    """Conversation boundaries over the sorted message table."""

    def __init__(self, conversation_id: pa.Array):
        ends = np.asarray(pc.run_end_encode(conversation_id).run_ends, dtype=np.int64)
        self.ends = ends
        self.starts = np.concatenate([[0], ends[:-1]]).astype(np.int64)
        self.lengths = ends - self.starts
        self.count = len(ends)
        self.offsets = pa.array(np.concatenate([[0], ends]), pa.int32())
        self.index = np.repeat(np.arange(self.count), self.lengths)  # conversation of each message

    def any(self, mask: np.ndarray) -> np.ndarray:
        return np.logical_or.reduceat(mask, self.starts) if self.count else np.zeros(0, bool)

    def any_nullable(self, arr: pa.Array) -> pa.Array:
        """Any true among the valid values; null where every value is null."""
        valid = self.any(_np_valid(arr))
        return pa.array(self.any(_np_bool(arr)), pa.bool_(), mask=~valid)

    def sum(self, values: np.ndarray) -> np.ndarray:
        return np.add.reduceat(values, self.starts) if self.count else np.zeros(0, np.int64)

    def nested(self, values: pa.Array, keep: np.ndarray, list_type: pa.DataType) -> pa.ListArray:
        """Per-conversation lists of ``values``; conversations where ``keep`` is false get []."""
        if keep.all():  # no copy of the values (a filter copies even when it keeps every row)
            return pa.ListArray.from_arrays(self.offsets, values, type=list_type)
        row_keep = np.repeat(keep, self.lengths)
        lens = np.where(keep, self.lengths, 0)
        offsets = pa.array(np.concatenate([[0], np.cumsum(lens)]), pa.int32())
        return pa.ListArray.from_arrays(offsets, values.filter(pa.array(row_keep)), type=list_type)


def _as(arr: pa.Array, typ: pa.DataType) -> pa.Array:
    """Cast only when needed: an identity cast of a nested column still copies it."""
    return arr if arr.type == typ else arr.cast(typ)


def _grouped_in_order(seg: _Segments, table: pa.Table) -> bool:
    """Each conversation's messages are one contiguous run, numbered 0, 1, 2, ... in order."""
    if seg.count != pc.count_distinct(table.column("conversation_id")).as_py():
        return False
    index = table.column("message_index").combine_chunks()
    if index.null_count:
        return False
    expected = np.arange(table.num_rows) - np.repeat(seg.starts, seg.lengths)
    return bool(np.array_equal(index.to_numpy(), expected))


def _child(struct: pa.Array, name: str, typ: pa.DataType) -> pa.Array:
    """A struct child with the parent's nulls applied; nulls if the field does not exist."""
    if name not in [f.name for f in struct.type]:
        return pa.nulls(len(struct), typ)
    return _as(pc.struct_field(struct, name), typ)


def _normalise(category: str) -> str:
    return category.replace("/", "_").replace("-", "_")


def _openai_release(src: pa.Array) -> pa.StructArray:
    """Classified's moderation structs → WildChat-1M's (18 categories, '/' names and '_' aliases).

    A message the backend did not score becomes a struct of nulls (WildChat's empty dict)."""
    cats, scores = pc.struct_field(src, "categories"), pc.struct_field(src, "category_scores")
    by_norm = {_normalise(f.name): f.name for f in cats.type}
    by_norm_scores = {_normalise(f.name): f.name for f in scores.type}
    cat_children, score_children = [], []
    for name in RELEASE_MODERATION_CATEGORIES:
        norm = _normalise(name)
        cat_children.append(_child(cats, by_norm.get(norm, name), pa.bool_()))
        score_children.append(_child(scores, by_norm_scores.get(norm, name), pa.float64()))
    fields = list(RELEASE_OPENAI_MODERATION)
    return pa.StructArray.from_arrays(
        [
            pa.StructArray.from_arrays(cat_children, fields=list(fields[0].type)),
            pa.StructArray.from_arrays(score_children, fields=list(fields[1].type)),
            _child(src, "flagged", pa.bool_()),
        ],
        fields=fields,
    )


def _detoxify_release(src: pa.Array) -> pa.StructArray:
    return pa.StructArray.from_arrays(
        [_child(src, label, pa.float64()) for label in DETOXIFY_LABELS], fields=list(DETOXIFY_MODERATION)
    )


def _name_lists(masks: list[np.ndarray], names: tuple[str, ...]) -> pa.ListArray:
    """Per conversation, the names whose mask is true (vectorised)."""
    if not masks or len(masks[0]) == 0:
        return pa.array([], pa.list_(pa.string()))
    m = np.stack(masks, axis=1)
    values = np.tile(np.array(names, dtype=object), len(m))[m.ravel()]
    offsets = np.concatenate([[0], np.cumsum(m.sum(axis=1))])
    return pa.ListArray.from_arrays(pa.array(offsets, pa.int32()), pa.array(values, pa.string()))


def _distinct_user_ips(seg: _Segments, hashed_ip: pa.Array, is_user: np.ndarray) -> pa.ListArray:
    """Per conversation, its user messages' distinct hashed IPs in order of first use."""
    rows = np.nonzero(is_user & _np_valid(hashed_ip))[0]
    t = pa.table({"conv": seg.index[rows], "ip": hashed_ip.take(pa.array(rows)), "row": rows})
    firsts = t.group_by(["conv", "ip"], use_threads=False).aggregate([("row", "min")])
    firsts = firsts.sort_by([("conv", "ascending"), ("row_min", "ascending")])
    counts = np.bincount(np.asarray(firsts["conv"]), minlength=seg.count) if firsts.num_rows else (
        np.zeros(seg.count, np.int64))
    offsets = pa.array(np.concatenate([[0], np.cumsum(counts)]), pa.int32())
    return pa.ListArray.from_arrays(offsets, firsts["ip"].combine_chunks().cast(pa.string()))


# Conversations whose texts are copied into Python at once (hashing, SFT lines): a day's text
# as Python strings or dicts at once is several times its Arrow size.
HASH_BLOCK = 2_000
SFT_BLOCK = 2_000


def _conversation_hashes(
    seg: _Segments, role: pa.Array, content: pa.Array, block: int = HASH_BLOCK
) -> list[str]:
    """WildChat's hash over the *released* role/content list (32 hex of history_hash).

    Recomputed here because scrubbing changes content: a hash of the pre-redaction text
    would let anyone confirm a guess of what was redacted."""
    starts, ends = seg.starts.tolist(), seg.ends.tolist()
    out: list[str] = []
    for first in range(0, seg.count, block):
        lo, hi = starts[first], ends[min(first + block, seg.count) - 1]
        roles, contents = role.slice(lo, hi - lo).to_pylist(), content.slice(lo, hi - lo).to_pylist()
        out.extend(
            history_hash(zip(roles[s - lo : e - lo], contents[s - lo : e - lo], strict=True))[:32]
            for s, e in zip(starts[first : first + block], ends[first : first + block], strict=True)
        )
    return out


# Pieces of fewer messages than this are merged with neighbouring small pieces (copied); each
# piece costs a few vectorised passes, so many tiny chunks must not become many tiny pieces.
PIECE_MIN_ROWS = 10_000


def _pieces(seg: _Segments, table: pa.Table) -> list[tuple[int, int]]:
    """Conversation ranges [c0, c1) to nest one at a time, each inside one chunk of every column
    where possible, so that its columns are zero-copy slices of the input rather than a combined
    copy of the whole day (a Parquet read gives a chunk per row group, or per 128Ki rows with
    pq.read_table; the caller holds the input anyway). A conversation straddling a chunk
    boundary is a small piece of its own."""
    bounds: set[int] = set()
    for column in table.columns:
        if column.num_chunks > 1:
            bounds.update(np.cumsum([len(c) for c in column.chunks])[:-1].tolist())
    cuts = {0, seg.count}
    for b in bounds:
        if 0 < b < table.num_rows:
            i = int(np.searchsorted(seg.ends, b, side="right"))  # the conversation holding row b
            cuts.update((i, i + 1) if seg.starts[i] < b else (i,))
    ordered = sorted(cuts)
    pieces: list[list[int]] = []
    small_last = False
    for c0, c1 in itertools.pairwise(ordered):
        small = int(seg.ends[c1 - 1] - seg.starts[c0]) < PIECE_MIN_ROWS
        if small and small_last:
            pieces[-1][1] = c1
        else:
            pieces.append([c0, c1])
        small_last = small
    return [(c0, c1) for c0, c1 in pieces]


@dataclass
class _Nested:
    """One piece of the release before takedowns and splits, with its per-conversation flags."""

    table: pa.Table
    by_hash: np.ndarray
    by_ip: np.ndarray
    minors: np.ndarray
    hash_recomputed: int
    by_turn: np.ndarray
    dropped: np.ndarray


def build_release(
    classified: pa.Table,
    takedowns: Takedowns | None = None,
    detoxify_threshold: float = DEFAULT_DETOXIFY_THRESHOLD,
    embedded_threshold: float = DEFAULT_EMBEDDED_THRESHOLD,
    *,  # the later filters by name: a positional policy once landed in ``withheld``
    withheld: frozenset[str] | set[str] = frozenset(),
    drops: Takedowns | None = None,
    policy: ReleasePolicy | None = None,
) -> ReleaseResult:
    """Nest a day's classified messages into WildChat-1M rows, apply takedowns and the release
    policy (quasi-identifiers; None: the fields as they come), split.

    ``withheld``: conversation ids held back for PII review (core/review.py); ``drops``: the
    reviewers' ``drop`` decisions, matched like takedowns. Every classified conversation ends up
    in exactly one of: full, taken down, dropped, sexual/minors, withheld."""
    takedowns = takedowns or Takedowns()
    drops = drops or Takedowns()
    stats = ReleaseStats(messages_in=classified.num_rows, takedown_entries=len(takedowns))
    if classified.num_rows == 0:
        return ReleaseResult(RELEASE.empty_table(), RELEASE.empty_table(), stats)
    t = _conform(classified)
    seg = _Segments(t.column("conversation_id").combine_chunks())
    if not _grouped_in_order(seg, t):  # upstream keeps each conversation contiguous and in order
        t = t.sort_by([("conversation_id", "ascending"), ("message_index", "ascending")]).combine_chunks()
        seg = _Segments(t.column("conversation_id").combine_chunks())
    stats.conversations_in = seg.count
    parts = []
    for c0, c1 in _pieces(seg, t):
        lo, hi = int(seg.starts[c0]), int(seg.ends[c1 - 1])
        parts.append(_nest(t.slice(lo, hi - lo).combine_chunks(), takedowns, detoxify_threshold,
                           embedded_threshold, drops))
    del t, seg
    table = parts[0].table if len(parts) == 1 else pa.concat_tables([p.table for p in parts])
    by_hash, by_ip, by_turn, minors, dropped = (
        np.concatenate([getattr(p, name) for p in parts])
        for name in ("by_hash", "by_ip", "by_turn", "minors", "dropped"))
    stats.hash_recomputed = sum(p.hash_recomputed for p in parts)
    del parts

    # -- takedowns first, then reviewers' drops, sexual/minors (any backend), PII withheld for
    # review; then the nontoxic split. Each removed conversation is counted under the first.
    taken_down = by_hash | by_ip | by_turn
    dropped &= ~taken_down
    minors = minors & ~taken_down & ~dropped
    held = np.zeros(table.num_rows, bool)
    if withheld:
        held = _np_bool(pc.is_in(table["conversation_id"], value_set=pa.array(sorted(withheld), pa.string())))
    held &= ~taken_down & ~dropped & ~minors
    keep = ~taken_down & ~dropped & ~minors & ~held
    full = table if keep.all() else table.filter(pa.array(keep))  # upstream order: first turn's time
    disclosure = None
    if policy is not None:  # on the released rows only, before nontoxic is taken from them
        full, disclosure = apply_policy(full, policy)
    nontoxic = full.filter(pc.equal(full["toxic"], False))  # null (unclassified) is not "nontoxic"

    stats.takedown_conversations = int(taken_down.sum())
    stats.takedown_by_hash = int(by_hash.sum())
    stats.takedown_by_ip = int(by_ip.sum())
    stats.takedown_by_turn = int(by_turn.sum())
    stats.review_dropped = int(dropped.sum())
    stats.sexual_minors_removed = int(minors.sum())
    stats.withheld_conversations = int(held.sum())
    stats.full_conversations = full.num_rows
    stats.full_turns = int(pc.sum(full["turn"]).as_py() or 0)
    stats.full_messages = int(pc.sum(pc.list_value_length(full["conversation"])).as_py() or 0)
    stats.nontoxic_conversations = nontoxic.num_rows
    stats.toxic_conversations = int(pc.sum(pc.cast(full["toxic"].fill_null(False), pa.int64())).as_py() or 0)
    stats.unclassified_conversations = full["toxic"].null_count
    return ReleaseResult(full, nontoxic, stats, disclosure)


def _extras(seg: _Segments, col: dict[str, pa.Array], user: pa.Array) -> dict[str, pa.ListArray]:
    """The per-message extras beside WildChat's conversation (docs/release.md): the system prompt
    at user messages, tool calls and results at assistant messages; [] for a conversation with none."""
    system = pc.if_else(user, col["system_prompt"], pa.nulls(len(user), pa.string()))
    out = {}
    for name, values in (("system_prompts", system), ("tool_calls", col["tool_calls"]),
                         ("tool_results", col["tool_results"])):
        typ = RELEASE.field(name).type
        out[name] = seg.nested(_as(values, typ.value_type), seg.any(_np_valid(values)), typ)
    return out


def _nest(
    t: pa.Table, takedowns: Takedowns, detoxify_threshold: float, embedded_threshold: float,
    drops: Takedowns | None = None,
) -> _Nested:
    """Release rows of whole conversations (``t``: their messages, contiguous and in order, one
    chunk) and which of them takedowns and the sexual/minors rule remove."""
    seg = _Segments(t.column("conversation_id").combine_chunks())
    col = {name: _array(t.column(name)) for name in t.column_names}
    n = t.num_rows
    first = pa.array(seg.starts)
    last = pa.array(seg.ends - 1)

    # -- the conversation list: one struct per message, geo/IP/header on user messages only.
    is_user = _np_bool(pc.equal(col["role"], "user"))
    user = pa.array(is_user)
    nulls = {name: pa.nulls(n, col[name].type) for name in ("country", "hashed_ip", "state")}
    header_msg = pa.StructArray.from_arrays(
        [col["accept_language"], col["user_agent"]], fields=list(HEADER), mask=pa.array(~is_user)
    )
    message_children = {
        "content": col["content"],
        "country": pc.if_else(user, col["country"], nulls["country"]),
        "hashed_ip": pc.if_else(user, col["hashed_ip"], nulls["hashed_ip"]),
        "header": header_msg,
        "language": col["language"],
        "redacted": col["redacted"],
        "role": col["role"],
        "state": pc.if_else(user, col["state"], nulls["state"]),
        "timestamp": col["timestamp"],
        "toxic": col["toxic"],
        "turn_identifier": col["turn_identifier"],
    }
    messages = pa.StructArray.from_arrays(
        [_as(message_children[f.name], f.type) for f in RELEASE_MESSAGE], fields=list(RELEASE_MESSAGE)
    )
    conversation = pa.ListArray.from_arrays(seg.offsets, messages, type=pa.list_(RELEASE_MESSAGE))

    # -- per-backend lists: [] where the backend scored none of the conversation's messages.
    openai_src, detox_src = col["openai_moderation"], col["detoxify_moderation"]
    emb_src = col["embedded_toxicity"]
    has = {
        "openai_moderation": seg.any(_np_valid(openai_src)),
        "detoxify": seg.any(_np_valid(detox_src)),
        "embedded": seg.any(_np_valid(emb_src)),
    }
    typ = {name: RELEASE.field(name).type for name in ("openai_moderation", "detoxify_moderation")}
    openai = seg.nested(_openai_release(openai_src), has["openai_moderation"], typ["openai_moderation"])
    detoxify = seg.nested(_detoxify_release(detox_src), has["detoxify"], typ["detoxify_moderation"])
    embedded = seg.nested(emb_src.cast(pa.float64()), has["embedded"], pa.list_(pa.float64()))
    flagged = {
        "openai_moderation": seg.any(_np_bool(pc.struct_field(openai_src, "flagged"))),
        "detoxify": seg.any(_np_bool(pc.greater(pc.struct_field(detox_src, "toxicity"), detoxify_threshold))),
        "embedded": seg.any(_np_bool(pc.greater(emb_src, embedded_threshold))),
    }
    backends = _name_lists([has[b] for b in BACKENDS], BACKENDS)
    flagged_by = _name_lists([flagged[b] for b in BACKENDS], BACKENDS)

    # -- conversation-level values.
    firsts = {name: col[name].take(first) for name in (
        "conversation_id", "conversation_hash", "turn_count", "conversation_end", "conversation_language",
        "conversation_language_code", "conversation_toxic", "conversation_sexual_minors",
        "conversation_state", "conversation_country", "conversation_hashed_ip", "accept_language",
        "user_agent", "branch_of", "orphan")}
    ts_int = col["timestamp"].cast(pa.int64()).fill_null(np.iinfo(np.int64).min).to_numpy()
    last_ts = pa.array(np.maximum.reduceat(ts_int, seg.starts)).cast(pa.timestamp("us", tz="UTC"))
    timestamp = pc.coalesce(firsts["conversation_end"], last_ts)
    turns = pc.coalesce(firsts["turn_count"].cast(pa.int64()), pa.array(seg.sum(is_user.astype(np.int64))))
    toxic = pc.coalesce(firsts["conversation_toxic"], seg.any_nullable(col["toxic"]))
    hashes = _conversation_hashes(seg, col["role"], col["content"])
    hash_recomputed = int(np.sum(np.array(hashes, dtype=object) != np.array(
        firsts["conversation_hash"].to_pylist(), dtype=object)))
    header = pa.StructArray.from_arrays(
        [firsts["accept_language"], firsts["user_agent"]], fields=list(HEADER)
    )
    columns = {
        "conversation_hash": pa.array(hashes, pa.string()),
        "model": col["model"].take(last),
        "timestamp": timestamp,
        "conversation": conversation,
        "turn": turns,
        "language": firsts["conversation_language"],
        "openai_moderation": openai,
        "detoxify_moderation": detoxify,
        "toxic": toxic,
        "redacted": seg.any_nullable(col["redacted"]),
        "state": firsts["conversation_state"],
        "country": firsts["conversation_country"],
        "hashed_ip": firsts["conversation_hashed_ip"],
        "header": header,
        "conversation_id": firsts["conversation_id"],
        "language_code": firsts["conversation_language_code"],
        "branch_of": firsts["branch_of"],
        "orphan": firsts["orphan"],
        "hashed_ips": _distinct_user_ips(seg, col["hashed_ip"], is_user),
        "toxicity_backends": backends,
        "flagged_by": flagged_by,
        "embedded_toxicity": embedded,
        **_extras(seg, col, user),
    }
    table = pa.Table.from_arrays([_as(columns[f.name], f.type) for f in RELEASE], schema=RELEASE)

    by_hash, by_turn = _match_conversations(seg, col, table, takedowns)
    by_ip = np.zeros(seg.count, bool)
    if takedowns.hashed_ips:
        ips = pa.array(sorted(takedowns.hashed_ips), pa.string())
        by_ip = seg.any(_np_bool(pc.is_in(col["hashed_ip"], value_set=ips))) | _np_bool(
            pc.is_in(table["hashed_ip"], value_set=ips))
    drop_hash, drop_turn = _match_conversations(seg, col, table, drops or Takedowns())
    openai_minors = _child(pc.struct_field(openai_src, "categories"), "sexual/minors", pa.bool_())
    minors = (
        _np_bool(firsts["conversation_sexual_minors"])
        | seg.any(_np_bool(col["sexual_minors"]))
        | seg.any(_np_bool(openai_minors))
    )
    return _Nested(table, by_hash, by_ip, minors, hash_recomputed, by_turn, drop_hash | drop_turn)


def _prefix_keys(seg: _Segments, col: dict, wanted: frozenset[str], block: int = HASH_BLOCK) -> np.ndarray:
    """Conversations one of whose turn prefixes has a listed hash or id: what the conversation
    was published as before a late turn extended it (re-linking changes both its
    ``conversation_hash`` and its ``conversation_id``). Hashes are over the released text
    (``history_hash`` a turn at a time, incrementally); ids over the owned calls' ids, as
    linking computes them. Python a block of conversations at a time, as for the hashes."""
    import hashlib

    out = np.zeros(seg.count, bool)
    several = np.nonzero(seg.lengths > 2)[0]  # a one-turn conversation has no shorter prefix
    for first in range(0, len(several), block):
        convs = several[first : first + block]
        lo, hi = int(seg.starts[convs[0]]), int(seg.ends[convs[-1]])
        r, x, ids, copied = (col[name].slice(lo, hi - lo).to_pylist()
                             for name in ("role", "content", "turn_identifier", "copied_prefix"))
        for c in convs.tolist():
            s, e = int(seg.starts[c]) - lo, int(seg.ends[c]) - lo
            h = hashlib.sha256(b"[")
            calls: list[str] = []
            for k in range(s, e - 1):
                h.update((b"," if k > s else b"") + orjson.dumps([r[k], x[k]]))
                if r[k] == "user" and not copied[k] and ids[k] is not None:
                    calls.append(str(ids[k]))
                if (k - s) % 2 == 1:  # the end of a turn that is not the last
                    prefix = h.copy()
                    prefix.update(b"]")
                    conv_id = hashlib.sha256(f"conv:{','.join(calls)}".encode()).hexdigest()[:32]
                    if prefix.hexdigest()[:32] in wanted or (calls and conv_id in wanted):
                        out[c] = True
                        break
    return out


def _match_conversations(
    seg: _Segments, col: dict, table: pa.Table, listed: Takedowns
) -> tuple[np.ndarray, np.ndarray]:
    """(by hash or id, by turn_identifier): conversations a takedown-style list names, by their
    hash or id (or a prefix's, see ``_prefix_keys``) and by any of their turn identifiers (the
    raw calls' ids: stable across re-linking)."""
    by_hash = np.zeros(seg.count, bool)
    by_turn = np.zeros(seg.count, bool)
    if listed.conversations:
        ids = pa.array(sorted(listed.conversations), pa.string())
        by_hash = _np_bool(pc.is_in(table["conversation_hash"], value_set=ids)) | _np_bool(
            pc.is_in(table["conversation_id"], value_set=ids)) | _np_bool(
            pc.is_in(col["conversation_hash"].take(pa.array(seg.starts)), value_set=ids))
        by_hash |= _prefix_keys(seg, col, listed.conversations)
    if listed.turn_identifiers:
        turns = pa.array(sorted(listed.turn_identifiers), pa.int64())
        by_turn = seg.any(_np_bool(pc.is_in(col["turn_identifier"].cast(pa.int64()), value_set=turns)))
    return by_hash, by_turn


# ----------------------------------------------------------------------------------------
# Instruction-tuning export
# ----------------------------------------------------------------------------------------
@dataclass
class SftStats:
    conversations: int = 0
    written: int = 0
    duplicates: int = 0
    messages: int = 0

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


def _write_chat_lines(conv: pa.ListArray, out: io.BytesIO) -> int:
    """One JSONL line per conversation (role and content only) into ``out``; the messages'
    count. Line by line: joining a block's lines first holds them twice."""
    values = conv.flatten()
    lengths = pc.list_value_length(conv).to_numpy()
    chat = pa.ListArray.from_arrays(
        pa.array(np.concatenate([[0], np.cumsum(lengths)]), pa.int32()),
        pa.StructArray.from_arrays(
            [pc.struct_field(values, "role"), pc.struct_field(values, "content")], names=["role", "content"]
        ),
    )
    for msgs in chat.to_pylist():
        out.write(orjson.dumps({"messages": msgs}, option=orjson.OPT_APPEND_NEWLINE))
    return len(values)


def _take(column: pa.ChunkedArray, rows: np.ndarray) -> pa.Array:
    """``column[rows]`` from each chunk separately: Arrow's take on a chunked list column first
    concatenates all of its chunks, a copy of the whole column for every block."""
    if column.num_chunks == 1:
        return column.chunk(0).take(pa.array(rows))
    starts = np.cumsum([0] + [len(c) for c in column.chunks])
    chunk = np.searchsorted(starts, rows, side="right") - 1
    by_chunk = np.argsort(chunk, kind="stable")
    parts = [column.chunk(k).take(pa.array(rows[by_chunk][chunk[by_chunk] == k] - starts[k]))
             for k in np.unique(chunk)]
    return pa.concat_arrays(parts).take(pa.array(np.argsort(by_chunk)))


# What sft_jsonl reads of the nontoxic split (release_sft reads only these from storage).
SFT_COLUMNS = ("conversation_hash", "timestamp", "conversation_id", "conversation")


def sft_jsonl(nontoxic: pa.Table, block: int = SFT_BLOCK) -> tuple[bytes, SftStats]:
    """OpenAI-chat JSONL (``{"messages": [{"role", "content"}, ...]}``), one line per distinct
    conversation_hash (the earliest conversation with that content wins). ``nontoxic`` needs
    only the SFT_COLUMNS."""
    stats = SftStats(conversations=nontoxic.num_rows)
    if nontoxic.num_rows == 0:
        return b"", stats
    # Which rows, in which order, from the small key columns; the conversations are then taken
    # and serialised a block at a time into one buffer, never all as Python objects at once.
    keys = nontoxic.select(["conversation_hash", "timestamp", "conversation_id"])
    order = pc.sort_indices(keys, sort_keys=[("timestamp", "ascending"), ("conversation_id", "ascending")])
    ranked = pa.table({"conversation_hash": keys["conversation_hash"].take(order),
                       "row": pa.array(np.arange(keys.num_rows))})
    keep = ranked.group_by("conversation_hash", use_threads=False).aggregate([("row", "min")])["row_min"]
    rows = np.asarray(order.take(pa.array(np.sort(np.asarray(keep))))).astype(np.int64)
    del keys, ranked, keep
    out = io.BytesIO()
    conversation = nontoxic["conversation"]
    for lo in range(0, len(rows), block):
        stats.messages += _write_chat_lines(_take(conversation, rows[lo : lo + block]), out)
    stats.written = len(rows)
    stats.duplicates = stats.conversations - stats.written
    return out.getvalue(), stats

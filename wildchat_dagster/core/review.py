"""The PII review queue: residue withholds conversations, reviewers decide, re-runs apply.

The residue scan (``core/residue.py``) re-reads scrubbed text. A finding is

- *kept by rule* when the scrubber kept that value on purpose (``core/keeps.py``: the
  frequency rule, placeholder e-mails, non-global IPs) — not residue, reported apart;
- *released by review* when a reviewer decided ``release`` for its value hash;
- otherwise *pending*: its conversation is withheld from the day's release and the finding
  becomes a row of the restricted ``pii_review`` asset (ids, kind, span, masked context,
  value hash — never the value).

Reviewers answer in a versioned CSV beside the takedowns (``<storage>/review/decisions.csv``,
``$WILDCHAT_REVIEW_DECISIONS`` or the assets' config)::

    turn_identifier,conversation_hash,value_hash,decision,reviewer,date,note
    1029384756,,9c1e...,redact,alice,2026-12-06,private phone in a CV

- ``redact``: the value is PII. ``scrubbed`` replaces it (``apply_forced_redactions``)
  wherever the residue scan finds it, from the next materialization on.
- ``release``: the value is not PII (a public hotline). Residue scans let it through.
- ``drop``: the conversation (by ``turn_identifier`` or ``conversation_hash``, as a takedown)
  is not released.

``redact``/``release`` are about a value (any conversation holding it); the last line for a
value hash wins (the file is a log: append a new line to change a decision).
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import os
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pyarrow as pa

from .extra_text import extra_texts, has_extras
from .keeps import KeptValues
from .release import Takedowns, _split_location
from .residue import Finding, pii_findings
from .storage import Storage

DEFAULT_DECISIONS = "review/decisions.csv"  # relative to the storage base
DECISIONS_ENV = "WILDCHAT_REVIEW_DECISIONS"
DECISIONS = ("redact", "release", "drop")
REQUIRED_COLUMNS = ("value_hash", "decision", "reviewer", "date")
ID_COLUMNS = ("turn_identifier", "conversation_hash")

CONTEXT_CHARS = 24  # scrubbed text shown either side of a finding (masked)
MASK = "•"

PII_REVIEW = pa.schema(
    [
        ("conversation_id", pa.string()),
        ("conversation_hash", pa.string()),  # upstream (pre-release) hash of the conversation
        ("turn_identifier", pa.int64()),  # the raw call of the message: stable across re-links
        ("message_index", pa.int32()),
        ("role", pa.string()),
        ("field", pa.string()),  # "content", or "extras": its system prompt, tool arguments and results
        ("kind", pa.string()),  # email | phone | card | secret
        ("subkind", pa.string()),  # e.g. aws_access_key; never the value
        ("span_start", pa.int32()),  # in the scrubbed message text (extras: in core/extra_text's join)
        ("span_end", pa.int32()),
        ("masked_context", pa.string()),  # "…call me at 07•••••••31 tomorrow…"
        ("value_hash", pa.string()),  # core/keeps.ValueHasher: what a decision names
        ("scrubber_rule", pa.string()),  # a non-honoured rule the scrubber kept the value by, if any
    ]
)
REVIEW_COLUMNS = (
    "conversation_id", "conversation_hash", "turn_identifier", "message_index", "role", "content"
)

_HEX32 = re.compile(r"^[0-9a-f]{32}$")
_TURN = re.compile(r"^\d{1,19}$")


# ----------------------------------------------------------------------------------------
# Decisions
# ----------------------------------------------------------------------------------------
class ReviewDecisionsError(ValueError):
    """The decisions file is missing (when configured), unreadable or invalid."""


@dataclass(frozen=True)
class ReviewDecisions:
    redact: frozenset[str] = frozenset()  # value hashes
    release: frozenset[str] = frozenset()
    drops: Takedowns = field(default_factory=Takedowns)  # conversations, matched as takedowns are
    entries: int = 0
    location: str = "none"
    version: str = "none"  # sha256 of the file (first 16 hex): which decisions a run applied

    def summary(self) -> dict:
        return {
            "location": self.location,
            "version": self.version,
            "entries": self.entries,
            "redact": len(self.redact),
            "release": len(self.release),
            "drop": len(self.drops),
        }

    @classmethod
    def parse(cls, data: bytes, location: str = "inline") -> ReviewDecisions:
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise ReviewDecisionsError(f"review decisions {location}: not UTF-8 ({exc})") from exc
        rows = list(csv.reader(io.StringIO(text)))
        lines = [(n, r) for n, r in enumerate(rows, 1)
                 if any(c.strip() for c in r) and not r[0].lstrip().startswith("#")]
        version = hashlib.sha256(data).hexdigest()[:16]
        if not lines:
            return cls(location=location, version=version)
        header_line, header = lines[0]
        header = [h.strip().lower() for h in header]
        missing = [c for c in REQUIRED_COLUMNS if c not in header]
        if missing or not any(c in header for c in ID_COLUMNS):
            if not any(c in header for c in ID_COLUMNS):
                missing.append("turn_identifier or conversation_hash")
            need = ", ".join(missing)
            raise ReviewDecisionsError(
                f"review decisions {location} line {header_line}: the header must name "
                f"{', '.join(REQUIRED_COLUMNS)} and turn_identifier and/or conversation_hash; missing: {need}"
            )
        col = {name: header.index(name) for name in header if name}
        errors: list[str] = []
        by_value: dict[str, str] = {}
        turns: set[int] = set()
        hashes: set[str] = set()
        for n, row in lines[1:]:
            def get(name: str, row=row) -> str:
                i = col.get(name)
                return row[i].strip() if i is not None and i < len(row) else ""

            decision = get("decision").lower()
            value_hash = get("value_hash").lower()
            turn, conv_hash = get("turn_identifier"), get("conversation_hash").lower()
            problems = []
            if decision not in DECISIONS:
                problems.append(f"decision {decision!r} is not one of {', '.join(DECISIONS)}")
            if decision in ("redact", "release") and not _HEX32.match(value_hash):
                problems.append("redact/release need the finding's value_hash (32 hex, from pii_review)")
            elif value_hash and not _HEX32.match(value_hash):
                problems.append("value_hash is not 32 hex")
            if not turn and not conv_hash:
                problems.append("turn_identifier or conversation_hash is required")
            if turn and not _TURN.match(turn):
                problems.append(f"turn_identifier {turn!r} is not an integer")
            if conv_hash and not _HEX32.match(conv_hash):
                problems.append("conversation_hash is not 32 hex")
            if not get("reviewer"):
                problems.append("reviewer is empty")
            try:
                dt.date.fromisoformat(get("date"))
            except ValueError:
                problems.append(f"date {get('date')!r} is not YYYY-MM-DD")
            if problems:
                errors.append(f"line {n}: " + "; ".join(problems))
                continue
            if decision == "drop":
                if turn:
                    turns.add(int(turn))
                if conv_hash:
                    hashes.add(conv_hash)
            else:
                by_value[value_hash] = decision  # the last line for a value wins
        if errors:
            shown = "\n  ".join(errors[:20])
            more = f"\n  ... and {len(errors) - 20} more" if len(errors) > 20 else ""
            raise ReviewDecisionsError(
                f"review decisions {location}: {len(errors)} invalid line(s); fix them (nothing was "
                f"applied):\n  {shown}{more}"
            )
        return cls(
            redact=frozenset(h for h, d in by_value.items() if d == "redact"),
            release=frozenset(h for h, d in by_value.items() if d == "release"),
            drops=Takedowns(conversations=frozenset(hashes), turn_identifiers=frozenset(turns),
                            location=location),
            entries=len(lines) - 1,
            location=location,
            version=version,
        )


def load_decisions(storage: Storage, location: str | None = None) -> ReviewDecisions:
    """The review decisions: ``location`` (config, else $WILDCHAT_REVIEW_DECISIONS; a path or
    s3:// URI, must exist), else ``<storage>/review/decisions.csv`` when present, else none."""
    location = location or os.environ.get(DECISIONS_ENV) or None
    if location is None:
        if not storage.exists(DEFAULT_DECISIONS):
            return ReviewDecisions()
        return ReviewDecisions.parse(storage.read_bytes(DEFAULT_DECISIONS), storage.uri(DEFAULT_DECISIONS))
    try:
        where, name = _split_location(location)
        if not where.exists(name):
            raise ReviewDecisionsError(
                f"review decisions {location} do not exist; refusing to run without them")
        data = where.read_bytes(name)
    except ReviewDecisionsError:
        raise
    except Exception as exc:
        raise ReviewDecisionsError(f"review decisions {location} could not be read: {exc}") from exc
    return ReviewDecisions.parse(data, where.uri(name))


# ----------------------------------------------------------------------------------------
# Masking
# ----------------------------------------------------------------------------------------
def mask_value(value: str) -> str:
    """Enough to recognise a value among the message's others, not to read it: first and last
    two characters of 8 or more (one of shorter values), the rest as •."""
    keep = 2 if len(value) >= 8 else 1 if len(value) >= 4 else 0
    if keep == 0:
        return MASK * len(value)
    return value[:keep] + MASK * (len(value) - 2 * keep) + value[-keep:]


def masked_context(text: str, finding: Finding, others: list[Finding], chars: int = CONTEXT_CHARS) -> str:
    """The finding masked with ``chars`` of context either side; other findings in the window
    masked completely; whitespace runs shown as one space."""
    lo, hi = max(0, finding.start - chars), min(len(text), finding.end + chars)
    spans = [(finding.start, finding.end, True)] + [
        (max(f.start, lo), min(f.end, hi), False)
        for f in others
        if f.end > lo and f.start < hi and (f.end <= finding.start or f.start >= finding.end)
    ]
    pieces, at = [], lo
    for start, end, main in sorted(spans):
        start = max(start, at)  # overlapping other findings: mask what is left of them
        if end <= start:
            continue
        pieces.append(text[at:start])
        pieces.append(mask_value(text[start:end]) if main else MASK * (end - start))
        at = end
    pieces.append(text[at:hi])
    body = " ".join("".join(pieces).split())
    return ("…" if lo > 0 else "") + body + ("…" if hi < len(text) else "")


# ----------------------------------------------------------------------------------------
# The scan
# ----------------------------------------------------------------------------------------
Hasher = Callable[[str, str], str]


@dataclass
class ResidueScan:
    review: pa.Table  # PII_REVIEW rows: the pending findings
    withheld: frozenset[str]  # conversation ids holding a pending finding
    masks: dict[str, np.ndarray]  # per residue kind, messages with a pending finding of that kind
    findings: Counter = field(default_factory=Counter)  # every finding, per kind
    pending: Counter = field(default_factory=Counter)  # per kind
    kept_by_rule: Counter = field(default_factory=Counter)  # honoured: frequent, placeholder, ...
    released_by_review: int = 0
    dropped_by_review: int = 0  # findings in conversations a reviewer dropped (the release drops them)

    def summary(self) -> dict:
        return {
            "residue_findings": sum(self.findings.values()),
            "residue_pending": sum(self.pending.values()),
            "residue_kept_by_rule": sum(self.kept_by_rule.values()),
            "residue_released_by_review": self.released_by_review,
            "residue_in_dropped_conversations": self.dropped_by_review,
            "withheld_conversations": len(self.withheld),
            "withheld_messages": len(set(zip(self.review["conversation_id"].to_pylist(),
                                                 self.review["message_index"].to_pylist(), strict=True))),
        }


def _column(table: pa.Table, name: str) -> list:
    if name in table.column_names:
        return table.column(name).to_pylist()
    return [None] * table.num_rows


def scan_residue(
    table: pa.Table, hasher: Hasher, keeps: KeptValues | None = None, decisions: ReviewDecisions | None = None
) -> ResidueScan:
    """The residue scan over a message table (``content`` + ids), honouring the scrubber's keeps
    and the reviewers' ``release`` decisions. Values never leave this function: only hashes,
    spans and masked context."""
    from .residue import PII_KINDS

    keeps = keeps or KeptValues()
    decisions = decisions or ReviewDecisions()
    n = table.num_rows
    masks = {kind: np.zeros(n, dtype=bool) for kind in PII_KINDS}
    scan = ResidueScan(PII_REVIEW.empty_table(), frozenset(), masks)
    rows: dict[str, list] = {f.name: [] for f in PII_REVIEW}
    hits: list[tuple[int, Finding, str, str | None, str, str]] = []
    sources = [("content", table.column("content"))]
    if n and has_extras(table):  # system prompts, tool-call arguments, tool results (issue 16)
        sources.append(("extras", pa.array(extra_texts(table), pa.string())))
    for where, texts in sources:
        for i, text, found in pii_findings(texts):
            for f in sorted(found, key=lambda f: (f.start, f.end)):
                scan.findings[f.kind] += 1
                value_hash = hasher(f.kind, text[f.start:f.end])
                rule = keeps.honoured_rule(value_hash)
                if rule is not None:
                    scan.kept_by_rule[rule] += 1
                    continue
                if value_hash in decisions.release:
                    scan.released_by_review += 1
                    continue
                scan.pending[f.kind] += 1
                masks[f.kind][i] = True
                context = masked_context(text, f, found)
                hits.append((i, f, value_hash, keeps.any_rule(value_hash), context, where))
    if not hits:
        return scan
    ids = {name: _column(table, name) for name in REVIEW_COLUMNS if name != "content"}
    dropped = _dropped_conversations(ids, decisions.drops)
    for i, f, value_hash, rule, context, where in hits:
        if ids["conversation_id"][i] in dropped:
            scan.dropped_by_review += 1
            scan.pending[f.kind] -= 1
            masks[f.kind][i] = False
            continue
        for name in ("conversation_id", "conversation_hash", "turn_identifier", "message_index", "role"):
            rows[name].append(ids[name][i])
        rows["field"].append(where)
        rows["kind"].append(f.kind)
        rows["subkind"].append(f.subkind)
        rows["span_start"].append(f.start)
        rows["span_end"].append(f.end)
        rows["masked_context"].append(context)
        rows["value_hash"].append(value_hash)
        rows["scrubber_rule"].append(rule)
    scan.pending = +scan.pending  # drop zero counts
    scan.review = pa.table(rows, schema=PII_REVIEW)
    scan.withheld = frozenset(c for c in rows["conversation_id"] if c is not None)
    return scan


def _dropped_conversations(ids: dict[str, list], drops: Takedowns) -> set:
    """Conversation ids a reviewer's ``drop`` names, by any of their turn identifiers or their hash."""
    if not drops.turn_identifiers and not drops.conversations:
        return set()
    columns = (ids["conversation_id"], ids["turn_identifier"], ids["conversation_hash"])
    turns, hashes = drops.turn_identifiers, drops.conversations
    return {c for c, t, h in zip(*columns, strict=True) if t in turns or h in hashes}


# ----------------------------------------------------------------------------------------
# Forced redactions (reviewers' ``redact``)
# ----------------------------------------------------------------------------------------
_ENTITY_OF_KIND = {"email": "EMAIL_ADDRESS", "phone": "PHONE_NUMBER", "card": "CREDIT_CARD"}
PII_PLACEHOLDER = "<PRESIDIO_ANONYMIZED_{}>"  # core/pii's formats (not imported: Presidio-free)
SECRET_PLACEHOLDER = "<SECRET_REDACTED_{}>"


def _replacement(f: Finding) -> tuple[str, str]:
    """(placeholder, pii_types entry) for a residue finding, in the scrubber's formats."""
    if f.kind == "secret":
        kind = f.subkind.upper()
        return SECRET_PLACEHOLDER.format(kind), f"SECRET_{kind}"
    entity = _ENTITY_OF_KIND.get(f.kind, f.kind.upper())
    return PII_PLACEHOLDER.format(entity), entity


def apply_forced_redactions(
    table: pa.Table, hasher: Hasher, redact: frozenset[str]
) -> tuple[pa.Table, Counter]:
    """Replace every residue finding whose value hash a reviewer marked ``redact`` (scrubbed's
    ``content``; ``redacted``/``pii_types`` updated). Returns the table and counts per entity."""
    counts: Counter = Counter()
    if not redact or table.num_rows == 0:
        return table, counts
    changed: dict[int, tuple[str, list[str]]] = {}
    for i, text, found in pii_findings(table.column("content")):
        chosen = [f for f in found if hasher(f.kind, text[f.start:f.end]) in redact]
        if not chosen:
            continue
        out, at, types = [], 0, []
        for f in sorted(chosen, key=lambda f: f.start):
            if f.start < at:  # overlapping findings: the first one covers it
                continue
            placeholder, entity = _replacement(f)
            out += [text[at:f.start], placeholder]
            at = f.end
            types.append(entity)
            counts[entity] += 1
        out.append(text[at:])
        changed[i] = ("".join(out), types)
    if not changed:
        return table, counts
    content = table.column("content").to_pylist()
    redacted = table.column("redacted").to_pylist()
    pii_types = table.column("pii_types").to_pylist()
    for i, (text, types) in changed.items():
        content[i] = text
        redacted[i] = True
        pii_types[i] = sorted(set(pii_types[i] or []) | set(types))
    for name, values in (("content", content), ("redacted", redacted), ("pii_types", pii_types)):
        idx = table.schema.get_field_index(name)
        table = table.set_column(idx, table.schema.field(idx), pa.array(values, table.schema.field(idx).type))
    return table, counts

"""Auditing an already-published dataset: what our scrubber still finds in it.

The ``audit`` asset group runs already-linked conversations (``core/adapters/linked.py``)
through the same scrubber as the pipeline, then language and toxicity, and reports:

* per finding: the conversation, message, role, entity type and a *masked* context
  (``…call me at 07•••••••31 tomorrow…``: the value keeps its first and last two characters,
  other findings in the window are masked too). Never the raw value.
* counts per entity type and context (user prompt or model reply; language), the
  conversations and messages affected, and how many of those the input already marked
  ``redacted``.
* a re-scrubbed copy in the input's own schema (same rows, same columns; message text
  scrubbed, ``redacted`` set where we replaced something).

Counts come from the scrubber's own spans (``ScrubResult.spans``), so they equal a direct
``PiiScrubber.scrub`` of the same rows (tests/test_audit.py).
"""

from __future__ import annotations

import copy
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

import orjson
import pyarrow as pa

from .pii import SECRET_PREFIX, PiiScrubber, ScrubStats
from .residue import PII_KINDS, pii_residue_masks

MASK = "•"
CONTEXT_CHARS = 30  # characters of context each side of a finding in the report
MIN_ECHO_CHARS = 3  # found values this long are also masked where they recur in the conversation

FINDING = pa.struct(
    [
        ("entity", pa.string()),  # Presidio entity type, or SECRET_<KIND>
        ("start", pa.int32()),  # span in the original (unscrubbed) message
        ("end", pa.int32()),
        ("score", pa.float64()),
        ("masked_context", pa.string()),
    ]
)
AUDIT_SCRUBBED_ADDS = pa.schema(
    [
        ("redacted", pa.bool_()),
        ("pii_types", pa.list_(pa.string())),
        ("findings", pa.list_(FINDING)),
        # values found elsewhere in the same conversation that this scrubbed message still holds
        ("echoes", pa.int32()),
        # the independent residue scan (core/residue.py) on the scrubbed text: kinds it still sees
        ("residue", pa.list_(pa.string())),
    ]
)

# audit_findings: one row per replaced span (no raw values).
AUDIT_FINDINGS = pa.schema(
    [
        ("conversation_id", pa.string()),
        ("conversation_hash", pa.string()),
        ("record_index", pa.int64()),
        ("message_index", pa.int32()),
        ("role", pa.string()),
        ("category", pa.string()),  # pii | secret
        ("entity", pa.string()),
        ("language", pa.string()),  # lid.176's language of the message (ours)
        ("input_language", pa.string()),  # the dataset's own conversation language
        ("toxic", pa.bool_()),  # our toxicity flag of the message
        ("input_redacted", pa.bool_()),  # the dataset already marked this conversation redacted
        ("score", pa.float64()),
        ("masked_context", pa.string()),
    ]
)


def mask_value(value: str) -> str:
    """``0712345631`` → ``07••••••31``: first/last two characters kept (one for 5-7 characters,
    none below), the rest bullets, so a reader can judge the finding but not recover it."""
    n = len(value)
    keep = 2 if n >= 8 else 1 if n >= 5 else 0
    if keep == 0:
        return MASK * n
    return value[:keep] + MASK * (n - 2 * keep) + value[-keep:]


_SPACE = re.compile(r"\s+")


def masked_context(
    text: str, start: int, end: int, spans: list[tuple[int, int]], width: int = CONTEXT_CHARS
) -> str:
    """The finding with ``width`` characters each side; every span touching the window masked
    whole first (masks keep the length), so a span cut by the window shows none of its middle;
    a character any span masks stays masked where spans overlap."""
    lo, hi = max(0, start - width), min(len(text), end + width)
    chars = list(text[lo:hi])
    for s, e in spans:
        if e <= lo or s >= hi:
            continue
        masked = mask_value(text[s:e])
        for k in range(max(s, lo), min(e, hi)):
            if masked[k - s] == MASK:
                chars[k - lo] = MASK
    body = _SPACE.sub(" ", "".join(chars))
    return ("…" if lo > 0 else "") + body + ("…" if hi < len(text) else "")


def _occurrences(text: str, values: set[str]) -> list[tuple[int, int]]:
    out = []
    for value in values:
        at = text.find(value)
        while at >= 0:
            out.append((at, at + len(value)))
            at = text.find(value, at + 1)
    return out


def scrub_messages(table: pa.Table, scrubber: PiiScrubber) -> tuple[pa.Table, ScrubStats]:
    """audit_input → audit_scrubbed: ``content`` scrubbed; ``redacted``, ``pii_types`` and the
    masked ``findings`` added. The frequency rule counts users by ``user_key``."""
    contents = table.column("content").to_pylist()
    conversations = table.column("conversation_id").to_pylist()
    # Grouped by conversation as the pipeline scrubs: a value redacted in one message is redacted
    # wherever it reappears in its conversation (core/pii_consistency.py).
    result = scrubber.scrub(contents, table.column("user_key").to_pylist(), conversations)
    # A value found anywhere in a conversation is masked wherever it shows in that conversation's
    # contexts, even where the scrubber did not flag it again (a name repeated in a later message).
    found: dict[str, set[str]] = defaultdict(set)
    for text, conv, spans in zip(contents, conversations, result.spans, strict=True):
        found[conv].update(v for f in spans if len(v := text[f.start : f.end].strip()) >= MIN_ECHO_CHARS)
    findings = []
    for text, conv, spans in zip(contents, conversations, result.spans, strict=True):
        if not spans:
            findings.append([])
            continue
        bounds = [(f.start, f.end) for f in spans] + _occurrences(text, found[conv])
        findings.append(
            [
                {
                    "entity": f.entity,
                    "start": f.start,
                    "end": f.end,
                    "score": float(f.score),
                    "masked_context": masked_context(text, f.start, f.end, bounds),
                }
                for f in spans
            ]
        )
    echoes = [
        sum(text.count(v) for v in found[conv]) if text and found.get(conv) else 0
        for text, conv in zip(result.texts, conversations, strict=True)
    ]
    masks = pii_residue_masks(result.texts)
    residue = [[kind for kind in PII_KINDS if masks[kind][i]] for i in range(len(result.texts))]
    out = table.set_column(
        table.schema.get_field_index("content"), "content", pa.array(result.texts, pa.string())
    )
    out = out.append_column("redacted", pa.array(result.redacted, pa.bool_()))
    out = out.append_column("pii_types", pa.array(result.pii_types, pa.list_(pa.string())))
    out = out.append_column("findings", pa.array(findings, pa.list_(FINDING)))
    out = out.append_column("echoes", pa.array(echoes, pa.int32()))
    out = out.append_column("residue", pa.array(residue, pa.list_(pa.string())))
    return out, result.stats


def findings_table(classified: pa.Table) -> pa.Table:
    """One row per finding of an audit_classified table (schema AUDIT_FINDINGS)."""
    cols: dict[str, list] = {f.name: [] for f in AUDIT_FINDINGS}
    names = [
        "conversation_id",
        "conversation_hash",
        "record_index",
        "message_index",
        "role",
        "language",
        "input_language",
        "toxic",
        "input_redacted",
        "findings",
    ]
    present = [n for n in names if n in classified.column_names]
    for row in classified.select(present).to_pylist():
        for f in row["findings"] or []:
            for name in names[:-1]:  # the message's ids, one row per finding
                cols[name].append(row.get(name))
            cols["category"].append("secret" if f["entity"].startswith(SECRET_PREFIX) else "pii")
            cols["entity"].append(f["entity"])
            cols["score"].append(f["score"])
            cols["masked_context"].append(f["masked_context"])
    return pa.Table.from_pydict(cols, schema=AUDIT_FINDINGS)


@dataclass
class AuditSummary:
    conversations: int = 0
    messages: int = 0
    findings: int = 0
    conversations_affected: int = 0
    messages_affected: int = 0
    affected_already_redacted: int = 0  # affected conversations the input marked redacted
    echoes: int = 0  # occurrences of found values the scrubbed text still holds (same conversation)
    echo_messages: int = 0
    residue_messages: Counter = field(default_factory=Counter)  # residue kind → scrubbed messages
    by_entity: Counter = field(default_factory=Counter)
    by_entity_role: Counter = field(default_factory=Counter)  # (entity, role)
    by_entity_language: Counter = field(default_factory=Counter)  # (entity, language)
    conversations_by_entity: Counter = field(default_factory=Counter)

    def as_dict(self) -> dict:
        return {
            "conversations": self.conversations,
            "messages": self.messages,
            "findings": self.findings,
            "conversations_affected": self.conversations_affected,
            "messages_affected": self.messages_affected,
            "affected_already_redacted": self.affected_already_redacted,
            "echoes": self.echoes,
            "echo_messages": self.echo_messages,
            "residue_messages": dict(sorted(self.residue_messages.items())),
            "by_entity": dict(self.by_entity.most_common()),
            "conversations_by_entity": dict(self.conversations_by_entity.most_common()),
            "by_entity_role": {f"{e}|{r}": n for (e, r), n in sorted(self.by_entity_role.items())},
            "by_entity_language": {
                f"{e}|{lang}": n for (e, lang), n in sorted(self.by_entity_language.items())
            },
        }


def summarize(classified: pa.Table, findings: pa.Table) -> AuditSummary:
    s = AuditSummary(
        conversations=len(set(classified.column("conversation_id").to_pylist())),
        messages=classified.num_rows,
        findings=findings.num_rows,
    )
    if "echoes" in classified.column_names:
        echoes = [n or 0 for n in classified.column("echoes").to_pylist()]
        s.echoes, s.echo_messages = sum(echoes), sum(1 for n in echoes if n)
    if "residue" in classified.column_names:
        for kinds in classified.column("residue").to_pylist():
            s.residue_messages.update(kinds or [])
    convs: dict[str, set] = defaultdict(set)
    messages = set()
    already = {}
    for row in findings.to_pylist():
        s.by_entity[row["entity"]] += 1
        s.by_entity_role[(row["entity"], row["role"])] += 1
        s.by_entity_language[(row["entity"], row["language"] or "unknown")] += 1
        convs[row["conversation_id"]].add(row["entity"])
        messages.add((row["conversation_id"], row["message_index"]))
        already[row["conversation_id"]] = bool(row["input_redacted"])
    for entities in convs.values():
        s.conversations_by_entity.update(entities)
    s.conversations_affected = len(convs)
    s.messages_affected = len(messages)
    s.affected_already_redacted = sum(already.values())
    return s


def format_findings(summary: AuditSummary, top_languages: int = 4) -> str:
    """The findings table as Markdown (the CLI prints it; metadata shows it)."""
    langs_counter: Counter = Counter()
    for (_, lang), n in summary.by_entity_language.items():
        langs_counter[lang] += n
    langs = [lang for lang, _ in langs_counter.most_common(top_languages)]
    head = ["entity", "findings", "conversations", "in user prompts", "in model replies", *langs]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for entity, n in summary.by_entity.most_common():
        cells = [
            entity,
            n,
            summary.conversations_by_entity[entity],
            summary.by_entity_role[(entity, "user")],
            summary.by_entity_role[(entity, "assistant")],
            *(summary.by_entity_language[(entity, lang)] for lang in langs),
        ]
        lines.append("| " + " | ".join(str(c) for c in cells) + " |")
    total = [
        "**total**",
        summary.findings,
        summary.conversations_affected,
        sum(n for (_, r), n in summary.by_entity_role.items() if r == "user"),
        sum(n for (_, r), n in summary.by_entity_role.items() if r == "assistant"),
        *(langs_counter[lang] for lang in langs),
    ]
    lines.append("| " + " | ".join(str(c) for c in total) + " |")
    lines.append("")
    lines.append(
        f"{summary.conversations_affected} of {summary.conversations} conversations "
        f"({summary.messages_affected} of {summary.messages} messages) hold at least one finding; "
        f"{summary.affected_already_redacted} of those conversations were already marked redacted "
        f"by the input."
    )
    lines.append(
        f"After our scrub: {summary.echoes} occurrence(s) of a found value remain in "
        f"{summary.echo_messages} message(s) of the same conversation where the scrubber did not flag "
        f"them again; the independent residue scan still sees "
        + (
            ", ".join(f"{k} in {n} message(s)" for k, n in sorted(summary.residue_messages.items()))
            or "nothing"
        )
        + "."
    )
    return "\n".join(lines)


# --- the re-scrubbed copy, in the input's own schema ------------------------------------------


def _message_list_key(row: dict) -> str:
    for key in ("conversation", "conversations", "messages"):
        if isinstance(row.get(key), list):
            return key
    raise KeyError("no message list")


def rescrub_rows(rows: list[tuple[int, dict]], scrubbed: pa.Table) -> list[dict]:
    """The input's rows (``(record_index, row)`` of accepted conversations) with each message's
    text replaced by its scrubbed text; ``redacted`` (per message where the input has it, and
    per conversation) becomes true where we replaced something. Other fields untouched."""
    texts: dict[int, dict[int, tuple[str, bool]]] = defaultdict(dict)
    cols = scrubbed.select(["record_index", "message_index", "content", "redacted"]).to_pydict()
    for rec, i, text, red in zip(
        cols["record_index"], cols["message_index"], cols["content"], cols["redacted"], strict=True
    ):
        texts[rec][i] = (text, bool(red))
    out = []
    for index, row in rows:
        new = copy.copy(row)
        key = _message_list_key(row)
        messages = []
        any_redacted = False
        got = texts.get(index, {})
        if len(got) != len(row[key]):
            raise ValueError(
                f"row {index}: {len(row[key])} messages in the input, {len(got)} scrubbed "
                f"(the input changed since audit_input ran)"
            )
        for i, message in enumerate(row[key]):
            text, red = got[i]
            message = dict(message)
            message["value" if "value" in message and "content" not in message else "content"] = text
            if "redacted" in message:
                message["redacted"] = bool(message["redacted"]) or red
            any_redacted |= red
            messages.append(message)
        new[key] = messages
        if "redacted" in row:
            new["redacted"] = bool(row["redacted"]) or any_redacted
        out.append(new)
    return out


def rows_to_jsonl(rows: list[dict]) -> bytes:
    return b"".join(orjson.dumps(r, default=str) + b"\n" for r in rows)


def rows_to_json(rows: list[dict]) -> bytes:
    return orjson.dumps(rows, default=str, option=orjson.OPT_INDENT_2)

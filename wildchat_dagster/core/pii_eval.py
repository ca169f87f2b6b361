"""Precision and recall of the scrubber against labelled spans (presidio-research's format).

Records are ``{"full_text": str, "spans": [{"entity_type", "start_position", "end_position"}]}``
(end exclusive), as in ``synth_dataset_v2.json``. Every record is scrubbed as one message of
one partition, each by its own user (so the frequency rule only sees real repeats).

Span level, by overlap: a labelled span of type T is *found* when a replaced span of type T
overlaps it (recall = found / labelled); a replaced span of type T is *correct* when it
overlaps a labelled span of type T (precision = correct / replaced). ``any_type_recall``
counts a labelled span as protected when any replacement overlaps it, whatever its type.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .pii import PiiConfig, PiiScrubber

EVAL_ENTITIES = (
    "EMAIL_ADDRESS",
    "PHONE_NUMBER",
    "CREDIT_CARD",
    "IP_ADDRESS",
    "PERSON",
    "IBAN_CODE",
    "US_SSN",
    "ADDRESS",
)
# dataset labels under the name the scrubber uses
LABEL_ALIASES = {"STREET_ADDRESS": "ADDRESS"}


@dataclass
class EntityScore:
    entity: str
    labelled: int
    found: int
    replaced: int
    correct: int
    any_type_found: int

    @property
    def recall(self) -> float:
        return self.found / self.labelled if self.labelled else float("nan")

    @property
    def precision(self) -> float:
        return self.correct / self.replaced if self.replaced else float("nan")

    @property
    def any_type_recall(self) -> float:
        return self.any_type_found / self.labelled if self.labelled else float("nan")


def load_records(path: str | Path) -> list[dict]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def _overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    return a_start < b_end and b_start < a_end


def evaluate(
    records: list[dict],
    config: PiiConfig | None = None,
    scrubber: PiiScrubber | None = None,
    entities: tuple[str, ...] = EVAL_ENTITIES,
) -> tuple[dict[str, EntityScore], dict]:
    """Scores per entity type, and run facts (messages, seconds, stats)."""
    scrubber = scrubber or PiiScrubber(config or PiiConfig())
    texts = [r["full_text"] for r in records]
    started = time.perf_counter()
    result = scrubber.scrub(texts, users=[f"record-{i}" for i in range(len(texts))])
    seconds = time.perf_counter() - started
    counts = {e: Counter() for e in entities}
    for record, replaced in zip(records, result.spans, strict=True):
        gold = [
            (LABEL_ALIASES.get(s["entity_type"], s["entity_type"]), s["start_position"], s["end_position"])
            for s in record["spans"]
            if LABEL_ALIASES.get(s["entity_type"], s["entity_type"]) in counts
        ]
        for entity, start, end in gold:
            c = counts[entity]
            c["labelled"] += 1
            c["found"] += any(f.entity == entity and _overlaps(start, end, f.start, f.end) for f in replaced)
            c["any_type_found"] += any(_overlaps(start, end, f.start, f.end) for f in replaced)
        for f in replaced:
            if f.entity in counts:
                c = counts[f.entity]
                c["replaced"] += 1
                c["correct"] += any(e == f.entity and _overlaps(s, t, f.start, f.end) for e, s, t in gold)
    scores = {
        e: EntityScore(e, c["labelled"], c["found"], c["replaced"], c["correct"], c["any_type_found"])
        for e, c in counts.items()
    }
    return scores, {"messages": len(texts), "seconds": seconds, "stats": result.stats.as_dict()}


def format_table(scores: dict[str, EntityScore], title: str = "") -> str:
    lines = [title] if title else []
    lines.append(
        f"{'entity':<15}{'labelled':>9}{'replaced':>9}{'precision':>10}{'recall':>8}{'any-type rec':>13}"
    )
    for s in scores.values():
        lines.append(
            f"{s.entity:<15}{s.labelled:>9}{s.replaced:>9}{s.precision:>10.3f}{s.recall:>8.3f}{s.any_type_recall:>13.3f}"
        )
    return "\n".join(lines)

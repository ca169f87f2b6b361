"""What scrubbing returns: findings per text, the scrubbed texts, and counts per type
(never a removed value).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from .config import SECRET_PREFIX


@dataclass(frozen=True)
class Finding:
    """One span to replace. ``entity`` is a Presidio entity type or ``SECRET_<KIND>``."""

    entity: str
    start: int
    end: int
    score: float

    @property
    def is_secret(self) -> bool:
        return self.entity.startswith(SECRET_PREFIX)


@dataclass
class TextAnalysis:
    """Per distinct text: what to replace (before the partition-level frequency rule)."""

    findings: list[Finding]
    kept: Counter  # "<TYPE>:<rule>" → occurrences kept by a per-text rule
    ner: bool = False  # spaCy NER ran on this text
    # strict person_policy: names without a cue, redacted unless the conversation is fiction or
    # the name is public elsewhere in it; the names kept as public here (in memory only)
    third: list[Finding] = field(default_factory=list)
    public: set[str] = field(default_factory=set)
    patterns: bool = False  # the pattern recognizers ran on this text
    # (entity, rule, start, end) of each kept detection: offsets only, hashed by the caller (review)
    kept_spans: list[tuple[str, str, int, int]] = field(default_factory=list)


@dataclass
class ScrubResult:
    texts: list[str]
    redacted: list[bool]
    pii_types: list[list[str]]
    stats: ScrubStats
    # per message, the replaced findings in original coordinates (in memory only: evaluation)
    spans: list[list[Finding]] = field(default_factory=list)


@dataclass
class ScrubStats:
    messages: int = 0
    distinct_texts: int = 0
    pattern_texts: int = 0  # distinct texts the pattern recognizers ran on
    ner_texts: int = 0  # distinct texts spaCy NER ran on
    messages_redacted: int = 0
    entities: Counter = field(default_factory=Counter)  # replaced spans per entity type (all messages)
    secrets: Counter = field(default_factory=Counter)  # replaced spans per secret kind (all messages)
    kept: Counter = field(default_factory=Counter)  # detections kept by a rule, "<TYPE>:<rule>"
    # (entity, rule, keyed value hash) → occurrences, when the scrubber has a ``value_hasher``:
    # what the residue scan must not flag (core/keeps.py). Hashes only, never values.
    kept_hashes: Counter = field(default_factory=Counter)
    propagated: int = 0  # replacements of a value redacted elsewhere in the same conversation
    workers: int = 1
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {
            "messages": self.messages,
            "distinct_texts": self.distinct_texts,
            "pattern_texts": self.pattern_texts,
            "ner_texts": self.ner_texts,
            "messages_redacted": self.messages_redacted,
            "entities": dict(sorted(self.entities.items())),
            "secrets": dict(sorted(self.secrets.items())),
            "kept_by_rule": dict(sorted(self.kept.items())),
            "propagated": self.propagated,
            "workers": self.workers,
            "seconds": round(self.seconds, 3),
        }

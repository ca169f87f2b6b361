"""What a generator run counts, per day and in total (returned by ``generate_drops`` and written
to ``ground_truth/summary.json``)."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class DayStats:
    """Counters for one UTC day.

    Line-level counters (lines, rows, malformed, no-consent, branches, models, planted)
    count what is in that day's file; conversation-level ones (conversations, turns,
    languages, crossings, pairs, toxic, pii) count conversations that start that day.
    """

    day: dt.date
    lines: int = 0
    rows: int = 0
    no_consent_rows: int = 0
    regenerations: int = 0
    edits: int = 0
    dropped_after_window: int = 0
    conversations: int = 0
    turns: int = 0
    midnight_crossings: int = 0
    canned_pairs: int = 0
    toxic_conversations: int = 0
    pii_conversations: int = 0
    malformed: Counter = field(default_factory=Counter)
    languages: Counter = field(default_factory=Counter)
    models: Counter = field(default_factory=Counter)
    planted: Counter = field(default_factory=Counter)

    @property
    def malformed_lines(self) -> int:
        return sum(self.malformed.values())

    @property
    def branches(self) -> int:
        return self.regenerations + self.edits

    def to_dict(self) -> dict:
        counters = ("malformed", "languages", "models", "planted")
        out = {name: getattr(self, name) for name in self.__dataclass_fields__ if name not in counters}
        out["day"] = self.day.isoformat()
        out["malformed_lines"] = self.malformed_lines
        out["branches"] = self.branches
        for name in counters:
            out[name] = dict(sorted(getattr(self, name).items()))
        return out


@dataclass
class GenerationStats:
    """What a run wrote; ``summary.json`` holds ``to_dict()`` (no timings, so it is stable)."""

    out_dir: Path
    start: dt.date
    seed: int
    conversations_per_day: int
    days: list[DayStats]
    elapsed_s: float = 0.0

    def total(self, counter: str) -> int:
        return sum(getattr(day, counter) for day in self.days)

    @property
    def rows(self) -> int:
        return self.total("rows")

    @property
    def lines(self) -> int:
        return self.total("lines")

    @property
    def malformed_lines(self) -> int:
        return self.total("malformed_lines")

    @property
    def conversations(self) -> int:
        return self.total("conversations")

    @property
    def mean_turns(self) -> float:
        return self.total("turns") / max(1, self.conversations)

    @property
    def lines_per_second(self) -> float:
        return self.lines / self.elapsed_s if self.elapsed_s else 0.0

    def to_dict(self) -> dict:
        totals: dict = {}
        for day in self.days:
            for key, value in day.to_dict().items():
                if isinstance(value, int):
                    totals[key] = totals.get(key, 0) + value
                elif isinstance(value, dict):
                    merged = totals.setdefault(key, Counter())
                    merged.update(value)
        totals = {k: dict(sorted(v.items())) if isinstance(v, Counter) else v for k, v in totals.items()}
        totals["mean_turns"] = round(self.mean_turns, 4)
        return {
            "seed": self.seed,
            "start": self.start.isoformat(),
            "days": len(self.days),
            "conversations_per_day": self.conversations_per_day,
            "totals": totals,
            "per_day": {day.day.isoformat(): day.to_dict() for day in self.days},
        }

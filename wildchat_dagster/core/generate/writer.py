"""Writing: rows released in time order into drop files, malformed lines, ground-truth sidecars."""

from __future__ import annotations

import datetime as dt
import gzip as gzip_lib
import heapq
import itertools
import json
import math
import os
import random
from pathlib import Path

from .rows import Conversation, PendingRow
from .settings import (
    DROP_FOLDER,
    GROUND_TRUTH_FOLDER,
    ID_EPOCH,
    IDS_PER_DAY,
    OVERSIZED_CHARS,
    PART_STEM,
    SECONDS_PER_DAY,
    UNIX_EPOCH,
)
from .stats import DayStats, GenerationStats


def drop_path(out_dir: str | Path, day: dt.date, gzip: bool = False) -> Path:
    """Where the drop file for ``day`` goes (the layout the sensor and raw_logs read)."""
    name = PART_STEM + (".gz" if gzip else "")
    return Path(out_dir) / DROP_FOLDER / f"dt={day.isoformat()}" / name


class RowsInTimeOrder:
    """Holds rows of open conversations; releases them in timestamp order."""

    def __init__(self, sink: DropWriter):
        self._heap: list[tuple[float, int, PendingRow]] = []
        self._order = itertools.count()
        self._sink = sink

    def add(self, conversation: Conversation) -> None:
        conversation.pending = len(conversation.rows)
        for row in conversation.rows:
            heapq.heappush(self._heap, (row.time, next(self._order), row))

    def release_before(self, moment: float) -> None:
        heap = self._heap
        while heap and heap[0][0] < moment:
            self._sink.write(heapq.heappop(heap)[2])

    def release_all(self) -> None:
        self.release_before(math.inf)


class AtomicFile:
    """Binary file written under a hidden temporary name and renamed when closed."""

    def __init__(self, path: Path, compress: bool = False):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._tmp = path.with_name(f".{path.name}.tmp")
        self._raw = open(self._tmp, "wb", buffering=1 << 20)  # closed in close()
        # mtime=0 and no file name in the gzip header keep compressed output byte-identical.
        self._out = (
            gzip_lib.GzipFile(filename="", mode="wb", fileobj=self._raw, compresslevel=6, mtime=0)
            if compress
            else self._raw
        )
        self.write = self._out.write

    def close(self) -> None:
        if self._out is not self._raw:
            self._out.close()
        self._raw.close()
        os.replace(self._tmp, self.path)

    def discard(self) -> None:
        self._raw.close()
        self._tmp.unlink(missing_ok=True)


class DropWriter:
    """Writes rows into per-day drop files, adds malformed lines, records ground truth."""

    def __init__(self, out: Path, stats: GenerationStats, seed: int, malformed_share: float, gzip: bool):
        self._out = out
        self._stats = stats
        self._seed = seed
        self._gzip = gzip
        self._first_epoch_day = (stats.start - UNIX_EPOCH).days
        # An extra line after a row with this chance gives malformed / lines = share.
        self._malformed_per_row = malformed_share / (1.0 - malformed_share)
        self._position = -1
        self._day: DayStats | None = None
        self._drop: AtomicFile | None = None
        self._planted: AtomicFile | None = None
        self._malformed: _MalformedLines | None = None
        self._next_line = 0
        self._conversations = AtomicFile(out / GROUND_TRUTH_FOLDER / "conversations.jsonl")

    def __enter__(self) -> DropWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        files = [f for f in (self._drop, self._planted, self._conversations) if f is not None]
        if exc_type is not None:
            for f in files:
                f.discard()
            return
        self._advance_to(len(self._stats.days) - 1)  # empty files for days nobody wrote to
        self._close_day()
        self._conversations.close()

    def write(self, row: PendingRow) -> None:
        position = int(row.time // SECONDS_PER_DAY) - self._first_epoch_day
        conversation = row.conversation
        if position >= len(self._stats.days):
            self._stats.days[-1].dropped_after_window += 1
        else:
            self._advance_to(position)
            self._write_row(row)
        conversation.pending -= 1
        if conversation.pending == 0:
            self._finish(conversation)

    def _write_row(self, row: PendingRow) -> None:
        day, conversation = self._day, row.conversation
        row.row_id = self._take_id()
        line = row.json_line(row.row_id)
        self._drop.write(line.encode("utf-8") + b"\n")
        day.lines += 1
        day.rows += 1
        day.models[conversation.model] += 1
        if not conversation.consent:
            day.no_consent_rows += 1
        if row.kind == "regeneration":
            day.regenerations += 1
        elif row.kind == "edit":
            day.edits += 1
        for message, kind, value in row.planted:
            record = {
                "row_id": row.row_id,
                "message": message,
                "kind": kind,
                "value": value,
                "language": conversation.pack.code,
            }
            self._planted.write(_json_bytes(record))
            day.planted[kind] += 1
        if self._malformed.rng.random() < self._malformed_per_row:
            kind, text = self._malformed.make(line, self._take_id())
            self._drop.write(text + b"\n")
            day.lines += 1
            day.malformed[kind] += 1

    def _finish(self, conversation: Conversation) -> None:
        record = conversation.record()
        self._conversations.write(_json_bytes(record))
        starts = conversation.day_stats
        starts.turns += record["turns"]
        starts.midnight_crossings += record["crosses_midnight"]

    def _take_id(self) -> int:
        self._next_line += 1
        return ((self._day.day - ID_EPOCH).days * IDS_PER_DAY) + self._next_line

    def _advance_to(self, position: int) -> None:
        while self._position < position:
            self._close_day()
            self._position += 1
            self._open_day(self._stats.days[self._position])

    def _open_day(self, day: DayStats) -> None:
        target = drop_path(self._out, day.day, self._gzip)
        # A previous run with the other compression would leave a second, stale part file.
        drop_path(self._out, day.day, not self._gzip).unlink(missing_ok=True)
        self._day = day
        self._next_line = 0
        self._drop = AtomicFile(target, compress=self._gzip)
        truth = self._out / GROUND_TRUTH_FOLDER / f"dt={day.day.isoformat()}" / "planted.jsonl"
        self._planted = AtomicFile(truth)
        self._malformed = _MalformedLines(random.Random(f"{self._seed}:{day.day.isoformat()}:malformed"))

    def _close_day(self) -> None:
        if self._drop is not None:
            self._drop.close()
            self._planted.close()
            self._drop = self._planted = None


def _json_bytes(obj: dict) -> bytes:
    return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"


class _MalformedLines:
    """Turns a copy of a good row into a line that breaks the contract in one way.

    Kinds are dealt from a shuffled weighted deck, so every kind shows up once enough
    malformed lines are written; at most one ~1 MB line per day keeps drops small.
    Copies get a fresh id and ``consent: true`` so that a parser checking consent first
    still has to reject them for the planted reason.
    """

    _DECK = (
        ("truncated_json",) * 3
        + ("id_not_int", "messages_not_list", "missing_field", "roles_not_alternating") * 2
        + ("empty_content", "invalid_utf8") * 2
        + ("oversized_message",)
    )

    def __init__(self, rng: random.Random):
        self.rng = rng
        self._deck: list[str] = []
        self._oversized_written = False

    def make(self, good_line: str, new_id: int) -> tuple[str, bytes]:
        kind = self._deal()
        obj = json.loads(good_line)
        obj["id"] = new_id
        obj["consent"] = True
        return kind, getattr(self, f"_{kind}")(obj)

    def _deal(self) -> str:
        while True:
            if not self._deck:
                self._deck = list(self._DECK)
                self.rng.shuffle(self._deck)
            kind = self._deck.pop()
            if kind != "oversized_message" or not self._oversized_written:
                self._oversized_written |= kind == "oversized_message"
                return kind

    @staticmethod
    def _dump(obj) -> bytes:
        return json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    def _truncated_json(self, obj: dict) -> bytes:
        text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
        return text[: self.rng.randint(len(text) // 4, len(text) - 2)].encode("utf-8")

    def _id_not_int(self, obj: dict) -> bytes:
        obj["id"] = str(obj["id"])
        return self._dump(obj)

    def _messages_not_list(self, obj: dict) -> bytes:
        obj["messages"] = "\n".join(m["content"] for m in obj["messages"])
        return self._dump(obj)

    def _missing_field(self, obj: dict) -> bytes:
        del obj[self.rng.choice(("id", "timestamp", "model", "ip", "messages", "response"))]
        return self._dump(obj)

    def _roles_not_alternating(self, obj: dict) -> bytes:
        messages = obj["messages"]
        if len(messages) >= 3:
            del messages[1]  # two user messages in a row
        else:
            messages.insert(0, {"role": "assistant", "content": obj["response"]})
        return self._dump(obj)

    def _empty_content(self, obj: dict) -> bytes:
        obj["messages"][-1]["content"] = ""
        return self._dump(obj)

    def _invalid_utf8(self, obj: dict) -> bytes:
        # A lone continuation byte and a truncated sequence: not decodable as UTF-8.
        return self._dump(obj).replace(b'"response":"', b'"response":"\x80\xc3(', 1)

    def _oversized_message(self, obj: dict) -> bytes:
        content = obj["messages"][-1]["content"] + "\n"
        obj["messages"][-1]["content"] = (content * (OVERSIZED_CHARS // len(content) + 1))[:OVERSIZED_CHARS]
        return self._dump(obj)

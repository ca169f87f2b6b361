"""Which files under ``raw_logs_drop/`` belong to a day, and reading them line by line.

Every file under the drop prefix is accounted for (DESIGN §3):

- ``read``: directly in ``raw_logs_drop/dt=YYYY-MM-DD/`` with a supported suffix
  (``.jsonl``, ``.ndjson``, each optionally ``.gz``; case-insensitive);
- ``unsupported``: directly in the day's folder with any other suffix (``.json``, ``.csv``,
  ``.zst`` ...): listed in the day's quarantine as ``unsupported_file`` with name and size;
- ``misplaced``: anywhere else (directly under ``raw_logs_drop/``, one folder deeper than
  ``dt=…/``, a folder not named ``dt=YYYY-MM-DD``): listed as ``misplaced_file`` in the
  quarantine of the day the path names (the first valid ``YYYY-MM-DD`` in it), or else the
  UTC day the file was last modified;
- ``hidden``: names starting with ``.`` or ``_`` (upload temp files, ``_SUCCESS`` markers)
  are skipped by convention, but counted and named in the run's log.

Gzip files are decompressed here, not by the file system, so a truncated or corrupt
stream keeps every complete line before the break and reports exactly what was lost.
"""

from __future__ import annotations

import datetime as dt
import re
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from .adapters import LINE_ADAPTERS
from .storage import FileInfo

DROP_DIR = "raw_logs_drop"
READ_SUFFIXES = (".jsonl", ".jsonl.gz", ".ndjson", ".ndjson.gz")
HINT = {
    ".json": "rename it .jsonl if it holds one JSON object per line (a JSON array is not read)",
    ".json.gz": "rename it .jsonl.gz if it holds one JSON object per line",
}
_DATE = re.compile(r"(\d{4}-\d{2}-\d{2})")
_DAY_DIR = re.compile(r"^dt=(\d{4}-\d{2}-\d{2})$")
BOM = b"\xef\xbb\xbf"
CHUNK = 1 << 20


def is_hidden(path: str) -> bool:
    return any(part.startswith((".", "_")) for part in path.split("/"))


def is_readable_name(name: str) -> bool:
    return name.lower().endswith(READ_SUFFIXES)


def suffix_of(name: str) -> str:
    lower = name.rsplit("/", 1)[-1].lower()
    if "." not in lower.lstrip("."):
        return "(none)"
    parts = lower.split(".")
    return "." + ".".join(parts[-2:]) if parts[-1] == "gz" and len(parts) > 2 else "." + parts[-1]


def valid_day(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def misplaced_day(info: FileInfo) -> dt.date:
    """The day a misplaced file is reported under: a date its path names, else its mtime day."""
    for match in _DATE.finditer(info.path):
        day = valid_day(match.group(1))
        if day is not None:
            return day
    return dt.datetime.fromtimestamp(info.mtime_ns / 1e9, dt.UTC).date()


@dataclass
class DayFiles:
    read: list[FileInfo] = field(default_factory=list)
    unsupported: list[FileInfo] = field(default_factory=list)
    misplaced: list[FileInfo] = field(default_factory=list)
    hidden: list[FileInfo] = field(default_factory=list)

    @property
    def listed(self) -> int:
        return len(self.read) + len(self.unsupported) + len(self.misplaced) + len(self.hidden)


def classify_drop_files(files: Iterable[FileInfo], day: dt.date) -> DayFiles:
    """Sort every listed drop file (paths relative to the storage base) into the buckets
    that concern ``day``; files of other days are left out."""
    out = DayFiles()
    day_dir = f"{DROP_DIR}/dt={day.isoformat()}/"
    for info in files:
        rel = info.path[len(DROP_DIR) + 1:] if info.path.startswith(DROP_DIR + "/") else info.path
        parts = rel.split("/")
        in_day_folder = len(parts) >= 2 and _DAY_DIR.match(parts[0]) and valid_day(parts[0][3:])
        # dt=D/<file>, or dt=D/format=<name>/<file> (another log shape, core/adapters)
        nested = len(parts) == 3 and parts[1].startswith("format=")
        if in_day_folder and (len(parts) == 2 or nested):
            if not info.path.startswith(day_dir):
                continue  # another day's file
            known = not nested or parts[1][len("format="):] in LINE_ADAPTERS
            bucket = out.hidden if is_hidden(parts[-1]) else (
                out.read if known and is_readable_name(parts[-1]) else out.unsupported)
            bucket.append(info)
            continue
        if is_hidden(rel):
            if in_day_folder and info.path.startswith(day_dir):
                out.hidden.append(info)
            continue
        target = valid_day(parts[0][3:]) if in_day_folder else misplaced_day(info)
        if target == day:
            out.misplaced.append(info)
    return out


def list_day_files(storage, day: dt.date) -> DayFiles:
    """List what concerns ``day``: its own folder recursively, the files directly under the
    drop prefix, and folders there that are not ``dt=YYYY-MM-DD`` (other days' folders are
    never listed, so the cost stays one day's)."""
    import pyarrow.fs as pafs

    files: list[FileInfo] = []
    files += storage.list_files(f"{DROP_DIR}/dt={day.isoformat()}", hidden=True)
    selector = pafs.FileSelector(storage.full(DROP_DIR), recursive=False, allow_not_found=True)
    try:
        top = storage.fs.get_file_info(selector)
    except Exception as exc:  # the store failing: named, never read as "no files"
        raise storage._wrap("listing", DROP_DIR, exc) from exc
    for entry in top:
        name = entry.path.rsplit("/", 1)[-1]
        rel = f"{DROP_DIR}/{name}"
        if entry.type == pafs.FileType.File:
            mtime = entry.mtime_ns or 0
            files.append(FileInfo(rel, entry.size or 0, mtime, f"{entry.size}-{mtime}"))
        elif entry.type == pafs.FileType.Directory and not (_DAY_DIR.match(name) and valid_day(name[3:])):
            files += storage.list_files(rel, hidden=True)
    return classify_drop_files(files, day)


@dataclass
class ReadProblem:
    reason: str  # truncated_file | unreadable_file
    detail: str
    tail: bytes  # the incomplete last line read before the break


class DropLines:
    """The lines of one drop file (``\\n``-separated, a leading UTF-8 BOM removed). After
    iteration ``problem`` tells how a gzip stream ended early: every complete line before
    the break was yielded; the incomplete tail and the byte counts are in the problem."""

    def __init__(self, stream, gzipped: bool, chunk_size: int = CHUNK):
        self.stream = stream
        self.gzipped = gzipped
        self.chunk_size = chunk_size
        self.problem: ReadProblem | None = None
        self.had_bom = False
        self.compressed_read = 0

    def _raw_chunks(self) -> Iterator[bytes]:
        while chunk := self.stream.read(self.chunk_size):
            self.compressed_read += len(chunk)
            yield chunk

    def _chunks(self) -> Iterator[bytes]:
        if not self.gzipped:
            yield from self._raw_chunks()
            return
        inflater = zlib.decompressobj(wbits=31)
        started = False
        for chunk in self._raw_chunks():
            data = chunk
            while data:
                if inflater.eof:  # a further gzip member (concatenated gzip files are valid)
                    if not data.startswith(b"\x1f\x8b"):
                        if data.strip(b"\x00"):
                            self.problem = ReadProblem(
                                "unreadable_file", f"data that is not gzip after byte "
                                f"{self.compressed_read - len(data)}", b"")
                            return
                        break  # zero padding after the last member
                    inflater = zlib.decompressobj(wbits=31)
                try:
                    out = inflater.decompress(data)
                except zlib.error as exc:
                    where = "not a gzip stream" if not started else "corrupt gzip data"
                    self.problem = ReadProblem(
                        "unreadable_file", f"{where} ({exc}) in compressed bytes "
                        f"{self.compressed_read - len(chunk)}..{self.compressed_read}", b"")
                    return
                started = True
                data = inflater.unused_data if inflater.eof else b""
                if out:
                    yield out
        if not started:
            return  # an empty file: no lines
        if not inflater.eof:
            self.problem = ReadProblem(
                "truncated_file", f"gzip stream ends early after {self.compressed_read} compressed bytes "
                "(no end marker); the text after the last complete line is lost", b"")

    def __iter__(self) -> Iterator[bytes]:
        pending = b""
        first = True
        for chunk in self._chunks():
            if first:
                first = False
                if chunk.startswith(BOM):
                    chunk, self.had_bom = chunk[len(BOM):], True
            pending += chunk
            *lines, pending = pending.split(b"\n")
            yield from lines
        if self.problem is not None:
            self.problem.tail = pending
            return
        if pending:
            yield pending

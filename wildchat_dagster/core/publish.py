"""All-at-once publication of a partition made of several files (the release: splits + manifest).

A day of the release is several files; writing them in place one by one would let a reader (dbt,
the card, a loader) or a crash between two writes see a new manifest beside an old split. So each
publication writes a new *version* directory, and only then switches a small pointer, one file
written atomically (temp + rename locally, a single PUT on S3)::

    release/dt=2023-04-10/_current.json                              the pointer (switched last)
    release/dt=2023-04-10/v20261206T050102Z-1a2b3c4d/manifest.json
    release/dt=2023-04-10/v20261206T050102Z-1a2b3c4d/split=full/part-00000.parquet
    release/dt=2023-04-10/v20261206T050102Z-1a2b3c4d/split=nontoxic/part-00000.parquet

Readers resolve the pointer (``current``) and read exactly the files it names, so they see the
old version or the new one, never a mix. The version segment has no ``=``, so Hive readers
(DuckDB ``hive_partitioning``, pyarrow, pandas) given those files still get ``dt`` and ``split``
columns and nothing else; the pointer's leading ``_`` hides it from Hive readers and listings.

After the switch, versions other than the current one and the ``keep - 1`` before it are deleted,
with whatever a killed writer left (a version it never pointed at, local temp files of dead
processes), so leftovers live only until the next publication of that partition. Partitions
written before versioning (files directly under ``dt=D/``, no pointer) are read as they are and
replaced by the first publication. Runs of one day must not publish at once (the deployment
limits runs per partition to one); a writer whose version was pruned under it fails instead of
pointing at missing files.
"""

from __future__ import annotations

import datetime as dt
import os
import uuid
from dataclasses import dataclass, field

import orjson
import pyarrow as pa

from .storage import PART_NAME, Storage, StorageError, remove_dead_temp_files

POINTER_NAME = "_current.json"
DEFAULT_KEEP_VERSIONS = 3
VERSION_PREFIX = "v"


def keep_versions_from_env() -> int:
    """``WILDCHAT_RELEASE_KEEP_VERSIONS``: versions kept per partition, the current one included
    (default 3, at least 1)."""
    try:
        return max(1, int(os.environ.get("WILDCHAT_RELEASE_KEEP_VERSIONS", DEFAULT_KEEP_VERSIONS)))
    except ValueError:
        return DEFAULT_KEEP_VERSIONS


@dataclass(frozen=True)
class Published:
    """One partition's current version: its files by name (``"split=full/part-00000.parquet"``,
    ``"manifest.json"``) → path relative to the storage base."""

    part_dir: str
    version: str  # "" for a partition written before versioning
    files: dict[str, str]
    previous: list[str] = field(default_factory=list)
    published_at: str = ""

    def under(self, sub: str) -> list[str]:
        """Paths of the files under ``sub`` (e.g. ``"split=full"``), sorted."""
        return sorted(path for name, path in self.files.items() if name.startswith(f"{sub}/"))

    def file(self, name: str) -> str | None:
        return self.files.get(name)


def new_version(now: dt.datetime | None = None) -> str:
    """A version name that sorts by publication time: ``v<UTC time>-<random>``."""
    now = now or dt.datetime.now(dt.UTC)
    return f"{VERSION_PREFIX}{now.strftime('%Y%m%dT%H%M%S%fZ')}-{uuid.uuid4().hex[:8]}"


def _is_version(segment: str) -> bool:
    return segment.startswith(VERSION_PREFIX) and "=" not in segment and "-" in segment


def current(storage: Storage, part_dir: str) -> Published | None:
    """The partition's published files, through its pointer; a pre-versioning partition's
    files as listed; None when nothing was published."""
    pointer = f"{part_dir}/{POINTER_NAME}"
    try:
        data = storage.read_bytes(pointer)
    except StorageError as exc:
        if exc.kind != "not_found":
            raise
        data = None
    if data is not None:
        doc = orjson.loads(data)
        files = {name: f"{part_dir}/{rel}" for name, rel in doc["files"].items()}
        return Published(part_dir, doc["version"], files, list(doc.get("previous", [])),
                         doc.get("published_at", ""))
    legacy = {f.path[len(part_dir) + 1:]: f.path for f in storage.list_files(part_dir)
              if not _is_version(f.path[len(part_dir) + 1:].split("/", 1)[0])}
    return Published(part_dir, "", legacy) if legacy else None


def read_published_table(storage: Storage, part_dir: str, sub: str, schema: pa.Schema | None = None,
                         columns: list[str] | None = None) -> pa.Table | None:
    """The current version's Parquet files under ``sub`` (e.g. ``"split=nontoxic"``) as one table;
    None when nothing is published there."""
    published = current(storage, part_dir)
    paths = [p for p in published.under(sub) if p.endswith(".parquet")] if published else []
    return storage.read_parts(paths, schema, columns)


def read_published_bytes(storage: Storage, part_dir: str, name: str) -> bytes | None:
    """The current version's file ``name`` (e.g. ``"manifest.json"``); None when absent."""
    published = current(storage, part_dir)
    path = published.file(name) if published else None
    return storage.read_bytes(path) if path else None


def current_days(storage: Storage, asset_dir: str) -> dict[str, Published]:
    """``{day: Published}`` for every published ``<asset_dir>/dt=D`` partition."""
    days = set()
    for info in storage.list_files(asset_dir, hidden=True):
        first = info.path[len(asset_dir) + 1:].split("/", 1)[0]
        if first.startswith("dt="):
            days.add(first[3:])
    out = {}
    for day in sorted(days):
        published = current(storage, f"{asset_dir}/dt={day}")
        if published is not None:
            out[day] = published
    return out


def publish(storage: Storage, part_dir: str, files: dict[str, bytes], keep: int | None = None,
            version: str | None = None) -> Published:
    """Write ``files`` (name → bytes) as a new version of ``part_dir``, switch the pointer to it,
    then prune old and abandoned versions (``keep`` versions stay, the current one included)."""
    keep = keep or keep_versions_from_env()
    before = current(storage, part_dir)
    version = version or new_version()
    names = sorted(files)
    for name in names:  # splits first, manifest last: the order does not matter to readers
        rel = f"{part_dir}/{version}/{name}"
        storage.write_bytes(rel, files[name])
    # A concurrent publication of the same day could have pruned this version meanwhile.
    present = {f.path for f in storage.list_files(f"{part_dir}/{version}")}
    lost = [n for n in names if f"{part_dir}/{version}/{n}" not in present]
    if lost:
        raise StorageError(f"{storage.uri(part_dir)}: version {version} lost {lost} before it was "
                           "published (another run of this day pruned it); run it again",
                           uri=storage.uri(part_dir))
    history = [before.version, *before.previous] if before is not None and before.version else []
    previous = history[: keep - 1]
    now = dt.datetime.now(dt.UTC).isoformat()
    doc = {"version": version, "files": {n: f"{version}/{n}" for n in names}, "previous": previous,
           "published_at": now}
    pointer = f"{part_dir}/{POINTER_NAME}"
    storage.write_bytes(pointer, orjson.dumps(doc, option=orjson.OPT_INDENT_2))
    prune(storage, part_dir, {version, *previous})
    return Published(part_dir, version, {n: f"{part_dir}/{version}/{n}" for n in names}, previous, now)


def publish_output(storage: Storage, part_dir: str, output: dict,
                   keep: int | None = None) -> tuple[Published, int]:
    """Publish an asset's dict output as one version: a table as ``<key>/part-00000.parquet``,
    bytes as the file ``<key>`` (``keep`` as in ``publish``). Returns the publication and the
    tables' row count."""
    files: dict[str, bytes] = {}
    rows = 0
    for name, value in output.items():
        if isinstance(value, pa.Table):
            files[f"{name}/{PART_NAME}"] = storage.parquet_bytes(value)
            rows += value.num_rows
        else:
            files[name] = bytes(value)
    return publish(storage, part_dir, files, keep=keep), rows


def prune(storage: Storage, part_dir: str, kept: set[str]) -> list[str]:
    """Delete every file of ``part_dir`` outside the ``kept`` versions and the pointer: older
    versions, versions a killed run never published, pre-versioning files, and local temp files
    of dead processes. Returns what was deleted."""
    deleted = remove_dead_temp_files(storage, part_dir)
    for info in storage.list_files(part_dir, hidden=True):
        rel = info.path[len(part_dir) + 1:]
        first = rel.split("/", 1)[0]
        if rel == POINTER_NAME or first in kept or first.startswith(".tmp-"):
            continue
        storage.delete(info.path)
        deleted.append(info.path)
    return deleted

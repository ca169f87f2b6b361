"""One storage seam for a local directory or an S3 prefix, over pyarrow.fs.

Layout (DESIGN §9, §15): ``<base>/<asset>/dt=YYYY-MM-DD/part-00000.parquet`` and drops
under ``<base>/raw_logs_drop/dt=YYYY-MM-DD/*.jsonl[.gz]``. Writes never leave a half file
visible: locally a temp file is renamed into place, on S3 an object appears only when its
single PUT (or multipart upload) completes.
"""

from __future__ import annotations

import io
import os
import uuid
from dataclasses import dataclass
from urllib.parse import urlparse

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

PART_NAME = "part-00000.parquet"


class StorageError(RuntimeError):
    """A storage operation failed; the message names the location, never the data."""


@dataclass(frozen=True)
class FileInfo:
    path: str  # relative to the storage base, '/'-separated
    size: int
    mtime_ns: int  # local mtime, or S3 LastModified
    version: str  # what changes when the file changes: mtime+size locally, size+mtime on S3


def _s3_filesystem() -> pafs.S3FileSystem:
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    kwargs: dict = {}
    if endpoint:
        parsed = urlparse(endpoint)
        kwargs["endpoint_override"] = parsed.netloc or parsed.path
        kwargs["scheme"] = parsed.scheme or "https"
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if region:
        kwargs["region"] = region
    # Transient errors (throttling, 5xx, resets) are retried by the client itself.
    kwargs["retry_strategy"] = pafs.AwsStandardS3RetryStrategy(max_attempts=5)
    return pafs.S3FileSystem(**kwargs)


class Storage:
    """A base location (local directory or ``s3://bucket/prefix``) and its file system."""

    def __init__(self, base: str):
        self.base_uri = base
        if base.startswith("s3://"):
            self.is_s3 = True
            self.fs: pafs.FileSystem = _s3_filesystem()
            self.root = base[len("s3://") :].rstrip("/")
        else:
            self.is_s3 = False
            self.fs = pafs.LocalFileSystem()
            self.root = os.path.abspath(base)

    # -- paths -------------------------------------------------------------------------
    def full(self, rel: str) -> str:
        return f"{self.root}/{rel}".rstrip("/") if rel else self.root

    def uri(self, rel: str = "") -> str:
        return f"s3://{self.full(rel)}" if self.is_s3 else self.full(rel)

    def _wrap(self, action: str, rel: str, exc: Exception) -> StorageError:
        return StorageError(f"storage {action} failed at {self.uri(rel)}: {type(exc).__name__}: {exc}")

    # -- reading -----------------------------------------------------------------------
    def list_files(self, rel_dir: str, suffixes: tuple[str, ...] = ()) -> list[FileInfo]:
        """Files directly or recursively under rel_dir, sorted by path; [] if it is absent."""
        selector = pafs.FileSelector(self.full(rel_dir), recursive=True, allow_not_found=True)
        try:
            infos = self.fs.get_file_info(selector)
        except Exception as exc:
            raise self._wrap("listing", rel_dir, exc) from exc
        out = []
        for info in infos:
            if info.type != pafs.FileType.File:
                continue
            rel = info.path[len(self.root) + 1 :]
            name = rel.rsplit("/", 1)[-1]
            if name.startswith((".", "_")) or (suffixes and not name.endswith(suffixes)):
                continue
            mtime_ns = info.mtime_ns or 0
            out.append(FileInfo(rel, info.size or 0, mtime_ns, f"{info.size}-{mtime_ns}"))
        return sorted(out, key=lambda f: f.path)

    def exists(self, rel: str) -> bool:
        try:
            return self.fs.get_file_info(self.full(rel)).type != pafs.FileType.NotFound
        except Exception as exc:
            raise self._wrap("stat", rel, exc) from exc

    def read_bytes(self, rel: str) -> bytes:
        try:
            with self.fs.open_input_stream(self.full(rel)) as stream:
                return stream.read()
        except Exception as exc:
            raise self._wrap("read", rel, exc) from exc

    # -- writing -----------------------------------------------------------------------
    def write_bytes(self, rel: str, data: bytes) -> None:
        """Write a whole file so that readers see the old file or the new one, never half."""
        target = self.full(rel)
        try:
            if self.is_s3:
                with self.fs.open_output_stream(target) as out:
                    out.write(data)
                return
            os.makedirs(os.path.dirname(target), exist_ok=True)
            tmp = f"{os.path.dirname(target)}/.tmp-{uuid.uuid4().hex}"
            with open(tmp, "wb") as out:
                out.write(data)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, target)
        except Exception as exc:
            raise self._wrap("write", rel, exc) from exc

    def delete(self, rel: str) -> None:
        try:
            self.fs.delete_file(self.full(rel))
        except FileNotFoundError:
            pass
        except Exception as exc:
            raise self._wrap("delete", rel, exc) from exc

    # -- Parquet partitions -----------------------------------------------------------
    @staticmethod
    def partition_dir(asset: str, day: str) -> str:
        return f"{asset}/dt={day}"

    def write_table(self, rel_dir: str, table: pa.Table) -> str:
        """Replace the Parquet data of one directory with ``table``; returns the file path.

        The new part is written first (atomically), then stale parts are removed, so a
        crash leaves either the old data or the new data plus leftovers, never half a file.
        """
        buf = io.BytesIO()
        pq.write_table(table, buf, compression="zstd", write_statistics=True)
        rel = f"{rel_dir}/{PART_NAME}"
        self.write_bytes(rel, buf.getvalue())
        for stale in self.list_files(rel_dir, (".parquet",)):
            if stale.path != rel and "/" not in stale.path[len(rel_dir) + 1 :]:
                self.delete(stale.path)
        return self.uri(rel)

    def read_table(self, rel_dir: str, schema: pa.Schema | None = None) -> pa.Table | None:
        """All parts directly in ``rel_dir`` as one table; None when nothing is there."""
        parts = [
            f for f in self.list_files(rel_dir, (".parquet",)) if "/" not in f.path[len(rel_dir) + 1 :]
        ]
        if not parts:
            return None
        tables = [pq.read_table(io.BytesIO(self.read_bytes(p.path))) for p in parts]
        table = pa.concat_tables(tables) if len(tables) > 1 else tables[0]
        return table.cast(schema) if schema is not None and table.schema != schema else table

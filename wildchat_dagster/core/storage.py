"""One storage seam for a local directory or an S3 prefix, over pyarrow.fs.

Layout (DESIGN §9, §15): ``<base>/<asset>/dt=YYYY-MM-DD/part-00000.parquet`` and drops
under ``<base>/raw_logs_drop/dt=YYYY-MM-DD/*.jsonl[.gz]``.

S3 (``s3://bucket/prefix``): ``pyarrow.fs.S3FileSystem`` with the endpoint from the
standard ``AWS_ENDPOINT_URL_S3`` / ``AWS_ENDPOINT_URL`` (MinIO, moto, any S3-compatible
store), the region from ``AWS_REGION`` / ``AWS_DEFAULT_REGION`` and credentials from the
usual AWS chain (``AWS_ACCESS_KEY_ID``/``AWS_SECRET_ACCESS_KEY``/``AWS_SESSION_TOKEN``,
``~/.aws``, instance roles). Transient errors (connection resets, throttling, 5xx) are
retried by the client with the AWS "standard" strategy, ``AWS_MAX_ATTEMPTS`` attempts
(default 5). Permanent ones (missing bucket, access denied) raise a ``StorageError`` that
names the bucket and key and says what to fix.

Writes never leave a half file visible: locally a temp file is renamed into place; on S3
an object appears only when its single PUT (small files) or its multipart upload
completes, and a failed part aborts the completion (an incomplete upload is invisible;
a lifecycle rule cleans such leftovers, see docs/s3.md). Parquet is written
deterministically, so re-materializing unchanged data gives byte-identical objects.
"""

from __future__ import annotations

import io
import os
import re
import uuid
from dataclasses import dataclass
from urllib.parse import urlparse

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

PART_NAME = "part-00000.parquet"
DEFAULT_MAX_ATTEMPTS = 5

# What went wrong, as far as a caller needs to know: only "transient" is worth retrying.
MISSING_BUCKET, ACCESS_DENIED, NOT_FOUND, TRANSIENT, OTHER = (
    "missing_bucket", "access_denied", "not_found", "transient", "error"
)
_HINTS = {
    MISSING_BUCKET: "the bucket does not exist (create it, or fix WILDCHAT_STORAGE / AWS_ENDPOINT_URL)",
    ACCESS_DENIED: "access denied (check the AWS credentials and the bucket policy for this key)",
    NOT_FOUND: "no such file",
    TRANSIENT: "the store is unreachable or overloaded; gave up after retrying",
    OTHER: "unexpected error",
}
# pyarrow reports the AWS SDK's error enum ("AWS Error NO_SUCH_BUCKET during ...") and,
# for bodiless responses such as HEAD, only the HTTP status.
_AWS_CODES = {
    "NO_SUCH_BUCKET": MISSING_BUCKET,
    "ACCESS_DENIED": ACCESS_DENIED,
    "INVALID_ACCESS_KEY_ID": ACCESS_DENIED,
    "SIGNATURE_DOES_NOT_MATCH": ACCESS_DENIED,
    "MISSING_AUTHENTICATION_TOKEN": ACCESS_DENIED,
    "INVALID_CLIENT_TOKEN_ID": ACCESS_DENIED,
    "EXPIRED_TOKEN": ACCESS_DENIED,
    "NETWORK_CONNECTION": TRANSIENT,
    "SLOW_DOWN": TRANSIENT,
    "THROTTLING": TRANSIENT,
    "SERVICE_UNAVAILABLE": TRANSIENT,
    "INTERNAL_FAILURE": TRANSIENT,
    "REQUEST_TIMEOUT": TRANSIENT,
    "REQUEST_EXPIRED": TRANSIENT,
}
# botocore's error codes (ClientError.response["Error"]["Code"]).
_BOTO_CODES = {
    "NoSuchBucket": MISSING_BUCKET,
    "AccessDenied": ACCESS_DENIED,
    "AllAccessDisabled": ACCESS_DENIED,
    "InvalidAccessKeyId": ACCESS_DENIED,
    "SignatureDoesNotMatch": ACCESS_DENIED,
    "ExpiredToken": ACCESS_DENIED,
    "403": ACCESS_DENIED,
    "NoSuchKey": NOT_FOUND,
    "404": NOT_FOUND,
    "SlowDown": TRANSIENT,
    "Throttling": TRANSIENT,
    "ServiceUnavailable": TRANSIENT,
    "InternalError": TRANSIENT,
    "RequestTimeout": TRANSIENT,
}


class StorageError(RuntimeError):
    """A storage operation failed; the message names the location (bucket and key on S3),
    never the data. ``kind`` is one of missing_bucket, access_denied, not_found, transient,
    error; ``transient`` says whether trying again later may help."""

    def __init__(self, message: str, *, uri: str = "", bucket: str | None = None,
                 key: str | None = None, kind: str = OTHER):
        super().__init__(message)
        self.uri, self.bucket, self.key, self.kind = uri, bucket, key, kind

    @property
    def transient(self) -> bool:
        return self.kind == TRANSIENT


def classify_error(exc: BaseException) -> str:
    """Map a pyarrow / botocore / OS exception to a StorageError kind."""
    if isinstance(exc, StorageError):
        return exc.kind
    if isinstance(exc, FileNotFoundError):
        return NOT_FOUND
    if isinstance(exc, PermissionError):
        return ACCESS_DENIED
    response = getattr(exc, "response", None)
    if isinstance(response, dict):  # botocore ClientError
        code = str(response.get("Error", {}).get("Code", ""))
        status = int(response.get("ResponseMetadata", {}).get("HTTPStatusCode") or 0)
        if code in _BOTO_CODES:
            return _BOTO_CODES[code]
        if status == 429 or status >= 500:
            return TRANSIENT
        return ACCESS_DENIED if status == 403 else OTHER
    module = type(exc).__module__ or ""
    if module.startswith(("botocore", "urllib3")) and any(
        base.__name__ in ("ConnectionError", "HTTPClientError") for base in type(exc).__mro__
    ):
        return TRANSIENT
    text = str(exc)
    match = re.search(r"AWS Error ([A-Z_]+)", text)
    if match and match.group(1) in _AWS_CODES:
        return _AWS_CODES[match.group(1)]
    status_match = re.search(r"HTTP status (\d{3})", text)
    if status_match:
        status = int(status_match.group(1))
        if status == 403:
            return ACCESS_DENIED
        if status == 429 or status >= 500:
            return TRANSIENT
    if isinstance(exc, ConnectionError | TimeoutError):
        return TRANSIENT
    return OTHER


def max_attempts_from_env() -> int:
    """``AWS_MAX_ATTEMPTS`` (the variable boto3 reads too), default 5, at least 1."""
    try:
        return max(1, int(os.environ.get("AWS_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS)))
    except ValueError:
        return DEFAULT_MAX_ATTEMPTS


@dataclass(frozen=True)
class FileInfo:
    path: str  # relative to the storage base, '/'-separated
    size: int
    mtime_ns: int  # local mtime, or S3 LastModified
    version: str  # what changes when the file changes: size-mtime_ns, or the S3 ETag (list_objects)


def _s3_filesystem(bucket: str) -> pafs.S3FileSystem:
    endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
    kwargs: dict = {}
    if endpoint:
        parsed = urlparse(endpoint)
        kwargs["endpoint_override"] = parsed.netloc or parsed.path
        kwargs["scheme"] = parsed.scheme or "https"
    region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
    if not region and not endpoint and bucket:
        try:  # real AWS without a configured region: ask where the bucket lives
            region = pafs.resolve_s3_region(bucket)
        except Exception:  # the SDK default applies; errors surface on use
            region = None
    if region:
        kwargs["region"] = region
    # Transient errors (throttling, 5xx, connection resets) are retried by the client itself.
    kwargs["retry_strategy"] = pafs.AwsStandardS3RetryStrategy(max_attempts=max_attempts_from_env())
    # Small files become one PutObject (atomic); larger ones a multipart upload, visible only
    # once CompleteMultipartUpload succeeds.
    kwargs["allow_delayed_open"] = True
    return pafs.S3FileSystem(**kwargs)


class Storage:
    """A base location (local directory or ``s3://bucket/prefix``) and its file system."""

    def __init__(self, base: str):
        self.base_uri = base
        if base.startswith("s3://"):
            self.is_s3 = True
            self.root = base[len("s3://") :].strip("/")
            self.bucket = self.root.split("/", 1)[0]
            if not self.bucket:
                raise StorageError(f"storage base {base!r} names no bucket", uri=base, kind=OTHER)
            self.fs: pafs.FileSystem = _s3_filesystem(self.bucket)
        else:
            self.is_s3 = False
            self.bucket = None
            self.fs = pafs.LocalFileSystem()
            self.root = os.path.abspath(base)
        self._bucket_checked = False
        self._client = None

    # -- paths -------------------------------------------------------------------------
    def full(self, rel: str) -> str:
        return f"{self.root}/{rel}".rstrip("/") if rel else self.root

    def uri(self, rel: str = "") -> str:
        return f"s3://{self.full(rel)}" if self.is_s3 else self.full(rel)

    def key(self, rel: str) -> str:
        """The S3 object key (or key prefix) of ``rel``: the full path without the bucket."""
        full = self.full(rel)
        return full.split("/", 1)[1] if "/" in full else ""

    def _wrap(self, action: str, rel: str, exc: BaseException, kind: str | None = None) -> StorageError:
        kind = kind or classify_error(exc)
        if self.is_s3 and kind == NOT_FOUND and self._bucket_missing():
            kind = MISSING_BUCKET
        detail = f"{type(exc).__name__}: {exc}"[:600]
        if self.is_s3:
            where = f"bucket {self.bucket!r}, key {self.key(rel)!r}"
            endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
            if kind == TRANSIENT:
                where += f", endpoint {endpoint or 'AWS default'}, {max_attempts_from_env()} attempts"
            message = f"S3 {action} failed for {self.uri(rel)} ({where}): {_HINTS[kind]}. {detail}"
            return StorageError(message, uri=self.uri(rel), bucket=self.bucket, key=self.key(rel), kind=kind)
        message = f"storage {action} failed at {self.uri(rel)}: {_HINTS[kind]}. {detail}"
        return StorageError(message, uri=self.uri(rel), kind=kind)

    def store_failure(self, action: str, rel: str, exc: BaseException) -> StorageError | None:
        """``exc`` as a StorageError when the store itself failed (unreachable, throttled,
        access denied, missing bucket), None when it is about the file's content (a corrupt
        gzip stream, say). Readers that tolerate bad files must still re-raise these."""
        kind = classify_error(exc)
        if kind in (TRANSIENT, ACCESS_DENIED, MISSING_BUCKET):
            return self._wrap(action, rel, exc, kind)
        return None

    def _bucket_missing(self) -> bool:
        """True when the bucket itself is absent (an empty listing or a 404 is ambiguous)."""
        try:
            return self.fs.get_file_info(self.bucket).type == pafs.FileType.NotFound
        except Exception:  # the caller reports its own error
            return False

    def check_bucket(self, rel: str = "") -> None:
        """Raise a StorageError unless the S3 bucket exists (once per instance); no-op locally."""
        if not self.is_s3 or self._bucket_checked:
            return
        try:
            missing = self.fs.get_file_info(self.bucket).type == pafs.FileType.NotFound
        except Exception as exc:  # re-raised with the location named
            raise self._wrap("bucket check", rel, exc) from exc
        if missing:
            raise self._wrap("access", rel, FileNotFoundError(f"bucket {self.bucket!r} not found"),
                             MISSING_BUCKET)
        self._bucket_checked = True

    # -- reading -----------------------------------------------------------------------
    def list_files(self, rel_dir: str, suffixes: tuple[str, ...] = (),
                   include_hidden: bool = False) -> list[FileInfo]:
        """Files directly or recursively under rel_dir, sorted by path; [] if it is absent
        (but a missing S3 bucket is an error, not an empty listing). Names starting with
        ``.`` or ``_`` are left out unless ``include_hidden``."""
        selector = pafs.FileSelector(self.full(rel_dir), recursive=True, allow_not_found=True)
        try:
            infos = self.fs.get_file_info(selector)
        except Exception as exc:  # re-raised with the location named
            raise self._wrap("listing", rel_dir, exc) from exc
        if not infos:
            self.check_bucket(rel_dir)
        out = []
        for info in infos:
            if info.type != pafs.FileType.File:
                continue
            rel = info.path[len(self.root) + 1 :]
            name = rel.rsplit("/", 1)[-1]
            if (name.startswith((".", "_")) and not include_hidden) or (
                    suffixes and not name.endswith(suffixes)):
                continue
            mtime_ns = info.mtime_ns or 0
            out.append(FileInfo(rel, info.size or 0, mtime_ns, f"{info.size}-{mtime_ns}"))
        return sorted(out, key=lambda f: f.path)

    def list_objects(self, client, rel_dir: str, suffixes: tuple[str, ...] = ()) -> list[FileInfo]:
        """Like list_files, through a boto3 S3 client, with the ETag as version (S3 only).

        An ETag changes with the content even when size and second-resolution LastModified
        do not, so an overwritten drop is always noticed.
        """
        if not self.is_s3:
            raise ValueError("list_objects needs an s3:// storage base")
        prefix = self.key(rel_dir)
        prefix = f"{prefix}/" if prefix else ""
        out = []
        try:
            for page in client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=prefix):
                for obj in page.get("Contents", []):
                    key = obj["Key"]
                    name = key.rsplit("/", 1)[-1]
                    if key.endswith("/") or name.startswith((".", "_")):
                        continue
                    if suffixes and not name.endswith(suffixes):
                        continue
                    rel = key[len(self.key("")) + 1 :] if self.key("") else key
                    mtime_ns = int(obj["LastModified"].timestamp() * 1e9)
                    etag = str(obj.get("ETag", "")).strip('"')
                    size = int(obj.get("Size", 0))
                    out.append(FileInfo(rel, size, mtime_ns, etag or f"{size}-{mtime_ns}"))
        except Exception as exc:  # re-raised with the location named
            raise self._wrap("listing", rel_dir, exc) from exc
        return sorted(out, key=lambda f: f.path)

    def exists(self, rel: str) -> bool:
        try:
            found = self.fs.get_file_info(self.full(rel)).type != pafs.FileType.NotFound
        except Exception as exc:
            raise self._wrap("stat", rel, exc) from exc
        if not found:
            self.check_bucket(rel)
        return found

    def read_bytes(self, rel: str) -> bytes:
        try:
            with self.fs.open_input_stream(self.full(rel)) as stream:
                return stream.read()
        except Exception as exc:
            raise self._wrap("read", rel, exc) from exc

    def open_input_stream(self, rel: str, compression: str | None = None):
        """A binary stream over one file (``compression="gzip"`` decompresses)."""
        try:
            return self.fs.open_input_stream(self.full(rel), compression=compression)
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
            try:
                with open(tmp, "wb") as out:
                    out.write(data)
                    out.flush()
                    os.fsync(out.fileno())
                os.replace(tmp, target)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
        except Exception as exc:
            raise self._wrap("write", rel, exc) from exc

    def delete(self, rel: str) -> None:
        """Remove one file; absent is fine. On S3 through boto3: pyarrow's delete_file would
        leave a zero-byte ``folder/`` marker object behind."""
        try:
            if self.is_s3:
                self.s3_client().delete_object(Bucket=self.bucket, Key=self.key(rel))
            else:
                self.fs.delete_file(self.full(rel))
        except FileNotFoundError:
            pass
        except Exception as exc:
            raise self._wrap("delete", rel, exc) from exc

    def s3_client(self):
        """A boto3 S3 client with the same endpoint, region, credentials and retries."""
        if self._client is None:
            import boto3
            from botocore.config import Config

            region = os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION")
            self._client = boto3.client(  # endpoint: AWS_ENDPOINT_URL(_S3), read by botocore
                "s3", region_name=region,
                config=Config(retries={"mode": "standard", "max_attempts": max_attempts_from_env()}),
            )
        return self._client

    # -- Parquet partitions -----------------------------------------------------------
    @staticmethod
    def partition_dir(asset: str, day: str) -> str:
        return f"{asset}/dt={day}"

    @staticmethod
    def parquet_bytes(table: pa.Table) -> bytes:
        """The table as Parquet bytes; the same table always gives the same bytes."""
        buf = io.BytesIO()
        pq.write_table(table, buf, compression="zstd", write_statistics=True)
        return buf.getvalue()

    def write_table(self, rel_dir: str, table: pa.Table) -> str:
        """Replace the Parquet data of one directory with ``table``; returns the file path.

        The new part is written first (atomically), then stale parts are removed, so a
        crash leaves either the old data or the new data plus leftovers, never half a file.
        """
        rel = f"{rel_dir}/{PART_NAME}"
        self.write_bytes(rel, self.parquet_bytes(table))
        for stale in self.list_files(rel_dir, (".parquet",)):
            if stale.path != rel and "/" not in stale.path[len(rel_dir) + 1 :]:
                self.delete(stale.path)
        return self.uri(rel)

    def read_table(self, rel_dir: str, schema: pa.Schema | None = None,
                   columns: list[str] | None = None) -> pa.Table | None:
        """All parts directly in ``rel_dir`` as one table; None when nothing is there.
        ``columns`` reads only those columns: the file is opened for random access, so the
        other column chunks are never fetched (S3 range requests) nor decoded."""
        parts = [
            f for f in self.list_files(rel_dir, (".parquet",)) if "/" not in f.path[len(rel_dir) + 1 :]
        ]
        if not parts:
            return None
        if schema is not None and columns is not None:
            schema = pa.schema([schema.field(name) for name in columns])
        tables = [self._read_part(part.path, columns) for part in parts]
        table = pa.concat_tables(tables) if len(tables) > 1 else tables[0]
        return table.cast(schema) if schema is not None and table.schema != schema else table

    def read_partitions(self, asset: str, keys: list[str | None], schema: pa.Schema | None,
                        columns: list[list[str] | None] | None = None) -> pa.Table | None:
        """Partitions ``keys`` of ``asset`` as one table (None as a key: the unpartitioned
        asset); ``columns[i]`` is what to read of ``keys[i]`` (None: all). A missing partition
        adds no rows; a column one partition did not read comes back as nulls, in the
        schema's column order. None when nothing is there and no schema is known."""
        tables = []
        for i, key in enumerate(keys):
            wanted = columns[i] if columns is not None else None
            table = self.read_table(self.partition_dir(asset, key) if key else asset, schema, wanted)
            if table is None and schema is not None:
                fields = schema if wanted is None else [schema.field(c) for c in wanted]
                table = pa.schema(fields).empty_table()
            if table is not None:
                tables.append(table)
        if not tables:
            return None
        if len(tables) == 1:
            return tables[0]
        table = pa.concat_tables(tables, promote_options="default")
        if schema is not None:
            table = table.select([f.name for f in schema if f.name in table.column_names])
        return table

    def _read_part(self, rel: str, columns: list[str] | None) -> pa.Table:
        try:
            with self.fs.open_input_file(self.full(rel)) as source:
                parquet = pq.ParquetFile(source)
                missing = sorted(set(columns or ()) - set(parquet.schema_arrow.names))
                if missing:
                    raise KeyError(f"columns {missing} are not in this file: it was written before "
                                   "they were added; materialize the partition again")
                return parquet.read(columns=columns)
        except Exception as exc:  # the store failing (retried upstream) or a corrupt part, named
            kind = classify_error(exc)
            raise self._wrap("read" if kind != OTHER else "Parquet decode", rel, exc, kind) from exc

"""Retry behaviour shared by the pipeline's assets and jobs (DESIGN §9, docs/s3.md).

Two layers: the S3 clients retry each request (pyarrow's and botocore's "standard"
strategy, ``AWS_MAX_ATTEMPTS`` attempts, seconds apart), and ``PIPELINE_RETRY_POLICY``
re-runs a failed step after a longer pause (20 s, 40 s, 80 s, jittered), which rides out
an endpoint restart or a throttling burst of a few minutes. A permanent storage error
(missing bucket, access denied) should not be retried: wrap storage calls in
``storage_failures()`` to turn it into a ``Failure`` that the policy does not retry.

Usage in an asset module: ``@asset(..., retry_policy=PIPELINE_RETRY_POLICY)``; the
``daily_chain`` job applies it to all its steps (``op_retry_policy``).
"""

from collections.abc import Iterator
from contextlib import contextmanager

from dagster import Backoff, Failure, Jitter, RetryPolicy

from .core.storage import StorageError

PIPELINE_RETRY_POLICY = RetryPolicy(
    max_retries=3, delay=20, backoff=Backoff.EXPONENTIAL, jitter=Jitter.PLUS_MINUS
)

# Run config that turns step retries off (tests, and debugging a failure once).
NO_RETRIES_RUN_CONFIG = {"execution": {"config": {"retries": {"disabled": {}}}}}


@contextmanager
def storage_failures() -> Iterator[None]:
    """Let transient StorageErrors through (retried); make permanent ones final."""
    try:
        yield
    except StorageError as exc:
        if exc.transient:
            raise
        metadata = {"storage_uri": exc.uri, "error_kind": exc.kind}
        if exc.bucket:
            metadata |= {"bucket": exc.bucket, "key": exc.key or ""}
        raise Failure(description=str(exc), metadata=metadata, allow_retries=False) from exc

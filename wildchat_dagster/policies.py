"""Retry behaviour shared by the pipeline's assets and jobs (DESIGN §9, docs/s3.md).

Two layers: the S3 clients retry each request (pyarrow's and botocore's "standard"
strategy, ``AWS_MAX_ATTEMPTS`` attempts, seconds apart), and ``PIPELINE_RETRY_POLICY``
re-runs a failed step after a longer pause (20 s, 40 s, 80 s, jittered), which rides out
an endpoint restart or a throttling burst of a few minutes. Only transient failures are
retried: a permanent storage error (missing bucket, access denied) or a deterministic one (bad
data, a bug) would fail the same way again, so ``storage_failures()`` turns it into a
``Failure`` that the policy does not retry.

Every pipeline asset carries the policy itself, so CLI, UI and backfill runs retry as
``daily_chain`` does::

    @asset(..., retry_policy=PIPELINE_RETRY_POLICY)
    @transient_retries_only
    def my_asset(...): ...

The IO manager wraps its reads and writes in ``storage_failures()`` too; the ``daily_chain``
job also applies the policy to its other steps (the asset checks, ``op_retry_policy``).
"""

import functools
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from dagster import Backoff, DagsterExecutionInterruptedError, Failure, Jitter, RetryPolicy, RetryRequested

from .core.storage import TRANSIENT, StorageError, classify_error

PIPELINE_RETRY_POLICY = RetryPolicy(
    max_retries=3, delay=20, backoff=Backoff.EXPONENTIAL, jitter=Jitter.PLUS_MINUS
)

# Run config that turns step retries off (tests, and debugging a failure once).
NO_RETRIES_RUN_CONFIG = {"execution": {"config": {"retries": {"disabled": {}}}}}


@contextmanager
def storage_failures() -> Iterator[None]:
    """Let transient failures through (the retry policy retries them); make every other one
    final: a permanent StorageError (missing bucket, access denied) or any deterministic error
    (bad data, a bug) becomes a ``Failure`` the policy does not retry, its cause chained."""
    try:
        yield
    except (Failure, RetryRequested, DagsterExecutionInterruptedError, KeyboardInterrupt):
        raise
    except StorageError as exc:
        if exc.transient:
            raise
        metadata = {"storage_uri": exc.uri, "error_kind": exc.kind}
        if exc.bucket:
            metadata |= {"bucket": exc.bucket, "key": exc.key or ""}
        raise Failure(description=str(exc), metadata=metadata, allow_retries=False) from exc
    except Exception as exc:
        if classify_error(exc) == TRANSIENT:  # a connection reset, throttling, a 5xx
            raise
        raise Failure(description=f"{type(exc).__name__}: {exc}"[:2000],
                      metadata={"error_kind": "deterministic", "error_type": type(exc).__name__},
                      allow_retries=False) from exc


def transient_retries_only(fn: Callable) -> Callable:
    """Decorate an asset's compute function (under ``@asset(retry_policy=PIPELINE_RETRY_POLICY)``)
    so that only transient failures are retried (``storage_failures``). Generators too."""
    if inspect.isgeneratorfunction(fn):
        @functools.wraps(fn)
        def generator(*args, **kwargs):
            with storage_failures():
                yield from fn(*args, **kwargs)
        return generator

    @functools.wraps(fn)
    def compute(*args, **kwargs):
        with storage_failures():
            return fn(*args, **kwargs)
    return compute

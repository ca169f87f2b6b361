"""Step retries for every pipeline asset, transient failures only (issue 17, policies.py).

CLI, UI and backfill materializations run the assets outside `daily_chain`, so each asset carries
PIPELINE_RETRY_POLICY itself; `transient_retries_only` makes every deterministic failure final.
"""

from __future__ import annotations

import pytest
from dagster import Failure, RetryPolicy, asset, materialize

from wildchat_dagster.core.storage import TRANSIENT, StorageError
from wildchat_dagster.policies import PIPELINE_RETRY_POLICY, transient_retries_only


def test_every_pipeline_asset_retries_on_its_own():
    from wildchat_dagster.definitions import PIPELINE_ASSETS

    for assets_def in PIPELINE_ASSETS:
        assert assets_def.node_def.retry_policy == PIPELINE_RETRY_POLICY, assets_def.node_def.name


def _flaky(error: Exception, fail_times: int):
    attempts = []

    @asset(retry_policy=RetryPolicy(max_retries=2, delay=0))
    @transient_retries_only
    def flaky() -> int:
        attempts.append(1)
        if len(attempts) <= fail_times:
            raise error
        return len(attempts)

    return flaky, attempts


@pytest.mark.parametrize("error", [
    StorageError("S3 read failed: the store is unreachable", kind=TRANSIENT),
    ConnectionResetError("connection reset by peer"),
    OSError("When reading information for key 'x' in bucket 'b': AWS Error SLOW_DOWN during "
            "GetObject operation: Please reduce your request rate."),
])
def test_a_transient_failure_is_retried(error):
    flaky, attempts = _flaky(error, fail_times=1)
    result = materialize([flaky])
    assert result.success and len(attempts) == 2
    events = [e.event_type_value for e in result.all_events]
    assert "STEP_UP_FOR_RETRY" in events


@pytest.mark.parametrize("error", [
    ValueError("bad data: column conversation_id is missing"),
    StorageError("S3 write failed: access denied", kind="access_denied"),
    KeyError("columns ['x'] are not in this file"),
])
def test_a_deterministic_failure_is_not_retried(error):
    flaky, attempts = _flaky(error, fail_times=1)
    result = materialize([flaky], raise_on_error=False)
    assert not result.success and len(attempts) == 1
    events = [e.event_type_value for e in result.all_events]
    assert "STEP_UP_FOR_RETRY" not in events
    failure = next(e for e in result.all_events if e.event_type_value == "STEP_FAILURE")
    error_info = failure.step_failure_data.error
    assert error_info.cls_name == "Failure"
    assert type(error).__name__ in error_info.message or str(error)[:30] in error_info.message


def test_generators_and_signatures_survive_the_decorator():
    @transient_retries_only
    def outputs(context, storage: str):
        yield 1
        yield 2

    import inspect

    assert list(inspect.signature(outputs).parameters) == ["context", "storage"]
    assert inspect.isgeneratorfunction(outputs) and list(outputs(None, "s")) == [1, 2]

    @transient_retries_only
    def broken():
        yield 1
        raise ValueError("late")

    with pytest.raises(Failure, match="late"):
        list(broken())

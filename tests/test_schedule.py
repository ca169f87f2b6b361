"""The daily close schedule and backfills (issue 6).

The schedule's request is executed for real; the backfill goes through the same GraphQL
mutation the UI's "Materialize → backfill" uses, and the backfill daemon's own iteration
launches its runs, so the test sees exactly the runs a deployment would.
"""

import datetime as dt
import logging
import shutil
import sys
import textwrap

import pytest
from dagster import build_schedule_context, instance_for_test
from rawlog_helpers import call, write_drop

from wildchat_dagster.definitions import build_definitions
from wildchat_dagster.schedules import CLOSE_CRON, day_to_close
from wildchat_dagster.sensors import CLOSE_GRACE, JOB_NAME

D0, D1, D2, D3 = "2023-04-09", "2023-04-10", "2023-04-11", "2023-04-12"
SCHEDULE = "close_yesterday_schedule"


def home(tmp_path) -> str:
    path = tmp_path / "dagster_home"
    path.mkdir(exist_ok=True)
    return str(path)


def evaluate(base, instance, when: dt.datetime):
    defs = build_definitions(str(base))
    with build_schedule_context(instance=instance, scheduled_execution_time=when,  # closed even on errors
                                resources={"storage": defs.resources["storage"]},
                                repository_def=defs.get_repository_def()) as context:
        return defs.resolve_schedule_def(SCHEDULE).evaluate_tick(context)


def test_the_schedule_fires_at_0200_utc_for_the_daily_chain(tmp_path):
    schedule = build_definitions(str(tmp_path)).resolve_schedule_def(SCHEDULE)
    assert schedule.cron_schedule == CLOSE_CRON == "0 2 * * *" and CLOSE_GRACE == dt.timedelta(hours=2)
    assert schedule.execution_timezone == "UTC" and schedule.job_name == JOB_NAME
    assert day_to_close(dt.datetime(2023, 4, 11, 2, 0, tzinfo=dt.UTC)) == dt.date(2023, 4, 10)
    # A tick seen in another zone still closes the UTC day before.
    cest = dt.timezone(dt.timedelta(hours=2))
    assert day_to_close(dt.datetime(2023, 4, 11, 4, 0, tzinfo=cest)) == dt.date(2023, 4, 10)


def test_without_todays_drop_it_closes_yesterday_once(tmp_path, pipeline):
    base = tmp_path / "store"
    pipeline.sample_drops(base, dt.date.fromisoformat(D1), 1, per_day=6, seed=9)
    with instance_for_test(temp_dir=home(tmp_path)) as instance:
        data = evaluate(base, instance, dt.datetime(2023, 4, 11, 2, 0, tzinfo=dt.UTC))
        (request,) = data.run_requests
        assert request.partition_key == D1 and request.run_key == f"close:{D1}"
        assert request.asset_selection is None  # the whole chain, raw_logs included
        assert pipeline.run(base, request.partition_key, None, instance).success

    reference = tmp_path / "reference"
    shutil.copytree(base / "raw_logs_drop", reference / "raw_logs_drop")
    pipeline.run_days(reference, [D1])
    expected, got = pipeline.tables(reference), pipeline.tables(base)
    assert f"release/dt={D1}/split=full/part-00000.parquet" in got
    assert set(got) == set(expected)
    for path, table in expected.items():
        assert got[path].equals(table), path


def test_a_quiet_day_is_closed_as_empty_partitions(tmp_path):
    with instance_for_test(temp_dir=home(tmp_path)) as instance:
        data = evaluate(tmp_path, instance, dt.datetime(2023, 4, 11, 2, 0, tzinfo=dt.UTC))
    assert [r.partition_key for r in data.run_requests] == [D1]


def test_todays_first_drop_leaves_the_close_to_the_sensor(tmp_path):
    write_drop(tmp_path, D2, [call(1, f"{D2}T00:01:00Z", ["hi"], "hello")])
    with instance_for_test(temp_dir=home(tmp_path)) as instance:
        data = evaluate(tmp_path, instance, dt.datetime(2023, 4, 11, 2, 0, tzinfo=dt.UTC))
    assert not data.run_requests
    assert "drop sensor closes 2023-04-10" in data.skip_message


def test_an_unreachable_store_at_0200_still_closes_yesterday(own_moto_server, tmp_path):
    bucket = own_moto_server.new_bucket()
    own_moto_server.stop()
    with instance_for_test(temp_dir=home(tmp_path)) as instance:
        data = evaluate(f"s3://{bucket}/wc", instance, dt.datetime(2023, 4, 11, 2, 0, tzinfo=dt.UTC))
    (request,) = data.run_requests  # the run's step retries ride out the outage, or fail visibly
    assert request.partition_key == D1 and request.tags["wildchat/close_unchecked"] == "true"


def test_a_missing_bucket_fails_the_tick_naming_it(s3_env, tmp_path):
    from wildchat_dagster.core.storage import StorageError

    with instance_for_test(temp_dir=home(tmp_path)) as instance, pytest.raises(Exception) as info:
        evaluate("s3://no-such-close-bucket/wc", instance, dt.datetime(2023, 4, 11, 2, 0, tzinfo=dt.UTC))
    error = info.value  # Dagster wraps it in a ScheduleExecutionError: the tick fails, shown in the UI
    while not isinstance(error, StorageError) and error.__cause__ is not None:
        error = error.__cause__
    assert isinstance(error, StorageError), info.value
    assert error.kind == "missing_bucket" and "bucket 'no-such-close-bucket'" in str(error)


def test_no_close_before_the_first_partition(tmp_path):
    with instance_for_test(temp_dir=home(tmp_path)) as instance:
        data = evaluate(tmp_path, instance, dt.datetime(2023, 4, 1, 2, 0, tzinfo=dt.UTC))
    assert not data.run_requests and "before the first partition" in data.skip_message


# -- backfills -------------------------------------------------------------------------


@pytest.fixture
def backfill_workspace(tmp_path, pipeline):
    """Three days of generated drops and a code location over them, loaded in process."""
    base = tmp_path / "store"
    pipeline.sample_drops(base, dt.date.fromisoformat(D1), 3, per_day=8, seed=12)
    module = tmp_path / "backfill_location.py"
    module.write_text(textwrap.dedent(f"""
        from dagster import Definitions
        from wildchat_dagster.definitions import build_definitions


        def _data_steps():  # the GX checks do not change data and have tests of their own
            full = build_definitions({str(base)!r})
            return Definitions(assets=full.assets, jobs=full.jobs, resources=full.resources)


        defs = _data_steps()
    """))
    return base, module


def test_an_asset_backfill_runs_one_run_per_partition_and_equals_day_by_day(tmp_path, pipeline,
                                                                          backfill_workspace):
    from dagster._core.execution.backfill import BulkActionStatus
    from dagster._core.remote_origin import InProcessCodeLocationOrigin
    from dagster._core.storage.dagster_run import DagsterRunStatus, RunsFilter
    from dagster._core.types.loadable_target_origin import LoadableTargetOrigin
    from dagster._core.workspace.context import WorkspaceProcessContext
    from dagster._core.workspace.load_target import InProcessWorkspaceLoadTarget
    from dagster._daemon.backfill import execute_backfill_iteration
    from dagster_graphql.client.query import LAUNCH_PARTITION_BACKFILL_MUTATION
    from dagster_graphql.test.utils import execute_dagster_graphql

    base, module = backfill_workspace
    keys = ["raw_logs", "raw_logs_quarantine", *(k.to_user_string() for k in pipeline.downstream_keys(
        pipeline.job(base)))]
    overrides = {  # runs execute synchronously in this process when the daemon launches them
        "run_launcher": {"module": "dagster._core.launcher.sync_in_memory_run_launcher",
                         "class": "SyncInMemoryRunLauncher"},
        "run_coordinator": {"module": "dagster._core.run_coordinator", "class": "DefaultRunCoordinator"},
    }
    origin = InProcessCodeLocationOrigin(
        LoadableTargetOrigin(executable_path=sys.executable, python_file=str(module),
                             working_directory=str(tmp_path)),
        location_name="backfill_test",
    )
    with instance_for_test(temp_dir=home(tmp_path), overrides=overrides) as instance, \
            WorkspaceProcessContext(instance, InProcessWorkspaceLoadTarget(origin)) as workspace:
        params = {
            "assetSelection": [{"path": [k]} for k in keys],
            "partitionNames": [D1, D2, D3],
            "runConfigData": {"execution": {"config": {"in_process": {"retries": {"disabled": {}}}}}},
        }
        result = execute_dagster_graphql(
            workspace.create_request_context(), LAUNCH_PARTITION_BACKFILL_MUTATION,
            variables={"backfillParams": params},
        )
        backfill_id = result.data["launchPartitionBackfill"]["backfillId"]
        for _ in range(20):  # the daemon's loop, one iteration at a time
            list(execute_backfill_iteration(workspace, logging.getLogger("backfill_test")))
            if instance.get_backfill(backfill_id).status != BulkActionStatus.REQUESTED:
                break
        assert instance.get_backfill(backfill_id).status == BulkActionStatus.COMPLETED_SUCCESS
        runs = instance.get_runs(filters=RunsFilter(tags={"dagster/backfill": backfill_id}))

    assert all(r.status == DagsterRunStatus.SUCCESS for r in runs)
    partitions = [r.tags.get("dagster/partition") for r in runs]
    assert None not in partitions and not any("dagster/asset_partition_range_start" in r.tags for r in runs)
    selections = [{k.to_user_string() for k in r.asset_selection} for r in runs]
    raw_runs = sorted(p for s, p in zip(selections, partitions, strict=True)
                      if s == {"raw_logs", "raw_logs_quarantine"})
    chain_runs = sorted(p for s, p in zip(selections, partitions, strict=True) if "conversations" in s)
    # raw_logs first, one run per day; then the rest per day once its window is in, including the
    # neighbours whose window reads a backfilled day (D0 and D+1 of the last day: empty).
    assert raw_runs == [D1, D2, D3] and chain_runs == [D0, D1, D2, D3, "2023-04-13"]
    assert len(runs) == len(raw_runs) + len(chain_runs)

    reference = tmp_path / "reference"
    shutil.copytree(base / "raw_logs_drop", reference / "raw_logs_drop")
    pipeline.run_days(reference, [D1, D2, D3])
    expected, got = pipeline.tables(reference), pipeline.tables(base)
    for path, table in expected.items():
        assert got[path].equals(table), path
    extra = set(got) - set(expected)
    assert extra and all("dt=2023-04-09" in p or "dt=2023-04-13" in p for p in extra)
    assert all(got[p].num_rows == 0 for p in extra)

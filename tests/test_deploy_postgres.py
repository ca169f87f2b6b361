"""The production instance for real: PostgreSQL from Debian's packages, dagster-daemon,
dagster-webserver and the user-code gRPC server on deploy/dagster.yaml (issue 9, DESIGN §12, §13).

The stack and the sensor scenario are fixtures in conftest_deploy.py (shared with the browser test).
"""

import json

import pytest
import yaml
from dagster import DagsterEventType

pytest.register_assert_rewrite("conftest_deploy")
from conftest_deploy import (  # noqa: E402
    CANARY_EMAIL,
    CANARY_IP,
    DEPLOY,
    SENSOR_NAME,
    TEST_IP_HASH_KEY,
    environ,
)

pytest_plugins = ["conftest_deploy"]

SIX_ASSETS = ("raw_logs", "conversations", "scrubbed", "geo_tagged", "classified", "release")


def _key(asset: str) -> str:
    return json.dumps([asset])  # how dagster-postgres stores an AssetKey


# ------------------------------------------------------------------------------------------
# The real deploy/dagster.yaml against the test cluster (and S3 compute logs against moto)
# ------------------------------------------------------------------------------------------
def test_deploy_instance_config_loads_against_postgres_and_s3(pg_cluster, s3_env, tmp_path):
    """deploy/dagster.yaml unchanged: every storage in PostgreSQL, the queue with the limits,
    run retries, telemetry off, and step logs uploaded to the S3 bucket named in the env."""
    from dagster import DagsterInstance
    from dagster_aws.s3.compute_log_manager import S3ComputeLogManager
    from dagster_postgres import PostgresEventLogStorage, PostgresRunStorage, PostgresScheduleStorage

    home = tmp_path / "home"
    home.mkdir()
    (home / "dagster.yaml").write_text((DEPLOY / "dagster.yaml").read_text())
    bucket = s3_env.new_bucket("compute-logs")
    env = {**pg_cluster.env(), "DAGSTER_COMPUTE_LOG_BUCKET": bucket, "DAGSTER_COMPUTE_LOG_PREFIX": "logs"}
    # the instance resolves {env: ...} lazily (the compute log manager on first use)
    with environ(env), DagsterInstance.from_config(str(home)) as instance:
        assert isinstance(instance.run_storage, PostgresRunStorage)
        assert isinstance(instance.event_log_storage, PostgresEventLogStorage)
        assert isinstance(instance.schedule_storage, PostgresScheduleStorage)
        assert type(instance.run_coordinator).__name__ == "QueuedRunCoordinator"
        limits = {(d["key"], json.dumps(d.get("value"), sort_keys=True)): d["limit"]
                  for d in instance.run_coordinator.get_run_queue_config().tag_concurrency_limits}
        assert limits[("dagster/backfill", "null")] == 3
        assert limits[("dagster/partition", '{"applyLimitPerUniqueValue": true}')] == 1
        assert instance.run_retries_enabled and instance.run_retries_max_retries == 2
        assert not instance.telemetry_enabled
        # The schema is really there: dagster-postgres created its tables in our database.
        tables = {r[0] for r in pg_cluster.query(
            "select table_name from information_schema.tables where table_schema = 'public'")}
        assert {"runs", "event_logs", "job_ticks", "instigators", "asset_keys"} <= tables

        manager = instance.compute_log_manager
        assert isinstance(manager, S3ComputeLogManager)
        log_key = ["deploy-test", "step"]
        with manager.capture_logs(log_key):
            print("captured by the S3 compute log manager", flush=True)
        objects = s3_env.client().list_objects_v2(Bucket=bucket, Prefix="logs/")
        keys = [o["Key"] for o in objects.get("Contents", [])]
        assert any(k.endswith(".out") for k in keys), keys
        out_key = next(k for k in keys if k.endswith(".out"))
        body = s3_env.client().get_object(Bucket=bucket, Key=out_key)["Body"].read().decode()
        assert "captured by the S3 compute log manager" in body


# ------------------------------------------------------------------------------------------
# The running stack: sensor → runs → PostgreSQL; daemon restart
# ------------------------------------------------------------------------------------------
def test_stack_runs_on_the_production_instance(dagster_stack):
    """The three processes run on the rendered deploy/dagster.yaml: only compute logs differ."""
    rendered = yaml.safe_load((dagster_stack.home / "dagster.yaml").read_text())
    original = yaml.safe_load((DEPLOY / "dagster.yaml").read_text())
    assert rendered["compute_logs"]["class"] == "LocalComputeLogManager"
    assert {k: v for k, v in rendered.items() if k != "compute_logs"} == {
        k: v for k, v in original.items() if k != "compute_logs"}
    data = dagster_stack.graphql("{ instance { runQueuingSupported hasInfo } }")
    assert data["instance"]["runQueuingSupported"] is True
    with dagster_stack.instance() as instance:
        assert type(instance.run_storage).__name__ == "PostgresRunStorage"


def test_sensor_run_completes_and_its_events_are_in_postgres(dagster_stack, sensor_scenario):
    pg, day = dagster_stack.pg, sensor_scenario.day
    run_id = sensor_scenario.first_run_id
    status = pg.query("select status from runs where run_id = %s", (run_id,))
    assert status == [("SUCCESS",)]
    tags = dict(pg.query("select key, value from run_tags where run_id = %s", (run_id,)))
    assert tags["dagster/partition"] == day
    assert tags["wildchat/trigger"] == "drop_sensor"
    assert tags["wildchat/wave"] == "raw_logs"
    assert tags["dagster/sensor_name"] == SENSOR_NAME

    stored = [r[0] for r in pg.query(
        "select dagster_event_type from event_logs where run_id = %s and dagster_event_type is not null "
        "order by id", (run_id,))]
    by_value = {t.value: t for t in DagsterEventType}
    types = [by_value[t] for t in stored]  # run events keep their legacy PIPELINE_* names in the table
    E = DagsterEventType
    # queued (QueuedRunCoordinator), launched by the daemon, ran, succeeded
    for expected in (E.RUN_ENQUEUED, E.RUN_STARTING, E.RUN_START, E.STEP_SUCCESS, E.RUN_SUCCESS):
        assert expected in types, (expected, stored)
    assert (types.index(E.RUN_ENQUEUED) < types.index(E.RUN_STARTING) < types.index(E.RUN_START)
            < types.index(E.RUN_SUCCESS))
    materialized = pg.query(
        "select asset_key, partition from event_logs where run_id = %s "
        "and dagster_event_type = 'ASSET_MATERIALIZATION'", (run_id,))
    assert (_key("raw_logs"), day) in materialized
    # the day's accepted rows are counted in the metadata stored in PostgreSQL
    (body,) = pg.query("select event from event_logs where run_id = %s and asset_key = %s "
                       "and dagster_event_type = 'ASSET_MATERIALIZATION'", (run_id, _key("raw_logs")))[0]
    assert '"accepted"' in body


def test_both_waves_materialize_the_six_assets_for_the_day(dagster_stack, sensor_scenario):
    pg, day = dagster_stack.pg, sensor_scenario.day
    runs = {r.run_id: r.tags.get("wildchat/wave") for r in sensor_scenario.sensor_runs}
    assert sorted(runs.values()) == ["chain", "raw_logs"]
    rows = pg.query("select asset_key, partition, run_id from event_logs "
                    "where dagster_event_type = 'ASSET_MATERIALIZATION'")
    by_asset = {}
    for asset_key, partition, run_id in rows:
        if partition == day:
            by_asset.setdefault(json.loads(asset_key)[0], set()).add(run_id)
    for asset in SIX_ASSETS:
        assert asset in by_asset, (asset, sorted(by_asset))
    assert by_asset["raw_logs"] == {sensor_scenario.first_run_id}
    for asset in SIX_ASSETS[1:]:
        assert by_asset[asset] == {sensor_scenario.chain_run_id}, asset
    # and the Parquet exists where DESIGN §15 says
    release_files = list((dagster_stack.storage / "release" / f"dt={day}").rglob("*.parquet"))
    assert release_files, "no release Parquet written"


def test_daemon_restart_keeps_the_cursor_and_reruns_nothing(sensor_scenario):
    s = sensor_scenario
    before, after = json.loads(s.cursor_before_restart), json.loads(s.cursor_after)
    # Before the restart the cursor knew the day and had its chain waiting for raw_logs.
    assert s.day in before["days"]
    assert s.day in before["pending"]
    # After it, the same files digest (nothing looked new), the wait resolved, same sequence.
    assert after["days"] == before["days"]
    assert after["seq"] == before["seq"]
    assert after["pending"] == {}

    # The ticks before the restart asked for the raw_logs run only.
    requested_before = {rid for t in s.ticks_before_restart for rid in t.run_ids}
    assert requested_before == {s.first_run_id}
    # After the restart: only the chain run, which only the stored cursor knew to start.
    assert s.ticks_after_restart, "the sensor did not tick after the daemon restart"
    requested_after = [rid for t in s.ticks_after_restart for rid in t.run_ids]
    assert requested_after == [s.chain_run_id]
    waves = [r.tags["wildchat/wave"] for r in s.sensor_runs]
    assert waves.count("raw_logs") == 1, waves  # the day's raw_logs did not run again
    assert len(s.sensor_runs) == 2


def test_no_raw_ip_pii_or_key_reaches_the_instance_database(dagster_stack, sensor_scenario):
    """Event logs (log lines, metadata) and sensor state live in PostgreSQL: none of the drop's
    IPs, planted PII or the IP-hash key may be in them (DESIGN: privacy is the product)."""
    pg = dagster_stack.pg
    events = "\n".join(r[0] for r in pg.query("select event from event_logs"))
    state = "\n".join(r[0] for r in pg.query("select instigator_body from instigators"))
    ticks = "\n".join(r[0] for r in pg.query("select tick_body from job_ticks"))
    assert len(events) > 1000
    assert CANARY_IP in sensor_scenario.raw_ips and CANARY_EMAIL in sensor_scenario.planted
    for text in (events, state, ticks):
        leaked = [ip for ip in sensor_scenario.raw_ips if ip in text]
        assert not leaked, leaked
        assert TEST_IP_HASH_KEY not in text
        leaked_pii = [v for v in sensor_scenario.planted if v in text]
        assert not leaked_pii, leaked_pii

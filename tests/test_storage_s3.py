"""Storage on S3 (issue 6): real pyarrow and boto3 clients against moto's S3 server.

The storage seam, then the whole chain: S3 gives the same tables as a local directory,
re-materializing is byte-identical, and an endpoint that dies mid-run fails the run with
a message naming bucket and key, leaves no half object, and a re-run succeeds.
"""

import datetime as dt
import io
import logging
import socket
import threading

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import requests
from dagster import (
    AssetSelection,
    DagsterEventType,
    Definitions,
    define_asset_job,
    logger,
    success_hook,
)

from wildchat_dagster.core.storage import (
    ACCESS_DENIED,
    MISSING_BUCKET,
    TRANSIENT,
    Storage,
    StorageError,
)
from wildchat_dagster.definitions import build_definitions
from wildchat_dagster.partitions import daily_partitions
from wildchat_dagster.policies import NO_RETRIES_RUN_CONFIG, PIPELINE_RETRY_POLICY

START = dt.date(2023, 4, 10)
DAYS = [START.isoformat(), (START + dt.timedelta(days=1)).isoformat()]


def objects(client, bucket: str, prefix: str = "") -> dict[str, dict]:
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix)
    return {o["Key"]: o for page in pages for o in page.get("Contents", [])}


def body(client, bucket: str, key: str) -> bytes:
    return client.get_object(Bucket=bucket, Key=key)["Body"].read()


# -- the storage seam ---------------------------------------------------------------------


def test_pyarrow_s3_uses_endpoint_and_credentials_from_the_environment(s3_env):
    bucket = s3_env.new_bucket()
    store = Storage(f"s3://{bucket}/wc")
    table = pa.table({"a": [1, 2, 3], "b": ["x", "y", "z"]})
    uri = store.write_table("conversations/dt=2023-04-10", table)
    store.write_bytes("raw_logs_drop/dt=2023-04-10/part-00000.jsonl", b'{"id": 1}\n')

    assert uri == f"s3://{bucket}/wc/conversations/dt=2023-04-10/part-00000.parquet"
    client = s3_env.client()  # an independent boto3 client sees what pyarrow wrote
    assert set(objects(client, bucket)) == {
        "wc/conversations/dt=2023-04-10/part-00000.parquet",
        "wc/raw_logs_drop/dt=2023-04-10/part-00000.jsonl",
    }
    assert pq.read_table(io.BytesIO(body(client, bucket, "wc/conversations/dt=2023-04-10/part-00000.parquet"))
                         ).equals(table)
    assert store.read_table("conversations/dt=2023-04-10").equals(table)
    assert [f.path for f in store.list_files("raw_logs_drop", (".jsonl",))] == [
        "raw_logs_drop/dt=2023-04-10/part-00000.jsonl"]
    assert store.read_table("conversations/dt=2023-04-11") is None  # absent partition: None, no error
    assert store.exists("raw_logs_drop/dt=2023-04-10/part-00000.jsonl")
    assert not store.exists("raw_logs_drop/dt=2023-04-10/nothing.jsonl")


def test_boto3_listing_gives_etags_that_change_with_the_content(s3_env):
    bucket = s3_env.new_bucket()
    client = s3_env.client()
    store = Storage(f"s3://{bucket}/wc")
    client.put_object(Bucket=bucket, Key="wc/raw_logs_drop/dt=2023-04-10/a.jsonl", Body=b"one\n")
    client.put_object(Bucket=bucket, Key="wc/raw_logs_drop/dt=2023-04-10/.tmp-upload", Body=b"half")
    client.put_object(Bucket=bucket, Key="wc/raw_logs_drop/dt=2023-04-10/", Body=b"")  # a folder marker
    (first,) = store.list_objects(client, "raw_logs_drop", (".jsonl",))
    client.put_object(Bucket=bucket, Key="wc/raw_logs_drop/dt=2023-04-10/a.jsonl", Body=b"two\n")  # same size
    (second,) = store.list_objects(client, "raw_logs_drop", (".jsonl",))
    assert first.path == second.path == "raw_logs_drop/dt=2023-04-10/a.jsonl"
    assert first.size == second.size == 4
    assert first.version != second.version and len(second.version) == 32  # the MD5 ETag


def test_missing_bucket_is_a_permanent_error_naming_bucket_and_key(s3_env):
    store = Storage("s3://no-such-bucket-wc/prefix")
    client = s3_env.client()
    calls = {
        "list_files": lambda: store.list_files("raw_logs_drop"),  # not an empty listing
        "read_table": lambda: store.read_table("raw_logs/dt=2023-04-10"),
        "exists": lambda: store.exists("raw_logs/dt=2023-04-10/part-00000.parquet"),
        "read_bytes": lambda: store.read_bytes("raw_logs/dt=2023-04-10/part-00000.parquet"),
        "write_table": lambda: store.write_table("raw_logs/dt=2023-04-10", pa.table({"a": [1]})),
        "list_objects": lambda: store.list_objects(client, "raw_logs_drop"),
    }
    for name, call in calls.items():
        with pytest.raises(StorageError) as info:
            call()
        err = info.value
        assert err.kind == MISSING_BUCKET and not err.transient, (name, err.kind, str(err))
        assert err.bucket == "no-such-bucket-wc", name
        assert "bucket 'no-such-bucket-wc'" in str(err), (name, str(err))
        assert "key 'prefix/raw_logs" in str(err), (name, str(err))
        assert "does not exist" in str(err), name


def test_access_denied_is_a_permanent_error_naming_bucket_and_key(s3_env, monkeypatch):
    bucket = s3_env.new_bucket()
    Storage(f"s3://{bucket}/wc").write_table("raw_logs/dt=2023-04-10", pa.table({"a": [1]}))
    import boto3

    iam = boto3.client("iam", endpoint_url=s3_env.endpoint)
    user = f"reader-{bucket[-6:]}"
    iam.create_user(UserName=user)  # a real user without any policy: every S3 call is denied
    key = iam.create_access_key(UserName=user)["AccessKey"]
    previous = requests.post(f"{s3_env.endpoint}/moto-api/reset-auth", data=b"0", timeout=10).json()
    try:
        monkeypatch.setenv("AWS_ACCESS_KEY_ID", key["AccessKeyId"])
        monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", key["SecretAccessKey"])
        store = Storage(f"s3://{bucket}/wc")
        for call in (
            lambda: store.read_table("raw_logs/dt=2023-04-10"),
            lambda: store.read_bytes("raw_logs/dt=2023-04-10/part-00000.parquet"),
            lambda: store.write_bytes("raw_logs/dt=2023-04-11/part-00000.parquet", b"x"),
        ):
            with pytest.raises(StorageError) as info:
                call()
            assert info.value.kind == ACCESS_DENIED and not info.value.transient, str(info.value)
            text = str(info.value)
            assert f"bucket '{bucket}'" in text and "key 'wc/raw_logs/dt=2023-04-1" in text, text
            assert "access denied" in text
    finally:
        requests.post(f"{s3_env.endpoint}/moto-api/reset-auth",
                      data=str(previous["PREVIOUS_INITIAL_NO_AUTH_ACTION_COUNT"]).encode(), timeout=10)
    assert Storage(f"s3://{bucket}/wc").read_table("raw_logs/dt=2023-04-10").num_rows == 1  # auth off again


def test_rewriting_a_partition_replaces_its_parts_with_identical_bytes(s3_env):
    bucket = s3_env.new_bucket()
    client = s3_env.client()
    store = Storage(f"s3://{bucket}/wc")
    part_dir = "scrubbed/dt=2023-04-10"
    # Leftovers of an older layout: a second part, and a split below the partition that is not ours.
    client.put_object(Bucket=bucket, Key=f"wc/{part_dir}/part-00001.parquet", Body=Storage.parquet_bytes(
        pa.table({"a": [99]})))
    client.put_object(Bucket=bucket, Key=f"wc/{part_dir}/split=x/part-00000.parquet", Body=b"keep")
    table = pa.table({"a": list(range(1000)), "s": [f"row {i}" for i in range(1000)]})

    store.write_table(part_dir, table)
    first = objects(client, bucket, f"wc/{part_dir}/")
    first_bytes = body(client, bucket, f"wc/{part_dir}/part-00000.parquet")
    store.write_table(part_dir, table)
    second = objects(client, bucket, f"wc/{part_dir}/")

    part = f"wc/{part_dir}/part-00000.parquet"
    assert set(first) == set(second) == {part, f"wc/{part_dir}/split=x/part-00000.parquet"}
    assert body(client, bucket, part) == first_bytes
    assert first[part]["ETag"] == second[part]["ETag"]
    assert store.read_table(part_dir).equals(table)  # the stale part-00001 rows are gone


class CuttingProxy:
    """A TCP proxy to the S3 endpoint that cuts every connection for good once ``limit``
    bytes went through (request bytes: the endpoint dies in the middle of an upload;
    ``responses=True``: in the middle of a download)."""

    def __init__(self, port: int, limit: int, responses: bool = False):
        self.target, self.limit, self.sent, self.dead = port, limit, 0, False
        self.responses = responses
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.port = self.sock.getsockname()[1]
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while True:
            try:
                client, _ = self.sock.accept()
            except OSError:
                return
            if self.dead:
                client.close()
                continue
            upstream = socket.create_connection(("127.0.0.1", self.target))
            for src, dst, counted in ((client, upstream, not self.responses),
                                      (upstream, client, self.responses)):
                threading.Thread(target=self._pipe, args=(src, dst, counted), daemon=True).start()

    def _pipe(self, src, dst, counted: bool) -> None:
        try:
            while data := src.recv(65536):
                if counted:
                    self.sent += len(data)
                    self.dead = self.dead or self.sent > self.limit
                if self.dead:
                    break
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):  # shutdown first: it also wakes the thread reading the other way
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()

    def close(self) -> None:
        self.sock.close()


def test_an_upload_cut_midway_leaves_the_previous_object_and_no_half_one(s3_env, monkeypatch):
    bucket = s3_env.new_bucket()
    client = s3_env.client()
    key = "wc/release/dt=2023-04-10/split=full/part-00000.parquet"
    Storage(f"s3://{bucket}/wc").write_bytes(key[3:], b"previous complete object")
    big = bytes(range(256)) * (25 * 4096)  # 25 MiB: a multipart upload of 10 MiB parts

    proxy = CuttingProxy(s3_env.port, limit=12 << 20)
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{proxy.port}")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    try:
        with pytest.raises(StorageError) as info:
            Storage(f"s3://{bucket}/wc").write_bytes(key[3:], big)
    finally:
        proxy.close()
    assert info.value.kind == TRANSIENT and info.value.transient
    assert f"bucket '{bucket}', key '{key}'" in str(info.value) and "2 attempts" in str(info.value)
    assert set(objects(client, bucket)) == {key}
    assert body(client, bucket, key) == b"previous complete object"  # readers never saw a half file


def test_a_download_cut_midway_fails_raw_logs_instead_of_quarantining_the_file(s3_env, monkeypatch, pipeline,
                                                                               tmp_path):
    from wildchat_dagster.core.logs import parse_drops

    bucket = s3_env.new_bucket()
    pipeline.sample_drops(tmp_path, START, 1, per_day=150, seed=2)  # ~2 MB
    pipeline.upload_drops(s3_env.client(), tmp_path, bucket, "wc")
    proxy = CuttingProxy(s3_env.port, limit=1 << 20, responses=True)  # the listing fits, the file not
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{proxy.port}")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "2")
    try:
        with pytest.raises(StorageError) as info:  # not a "successful" day with the file quarantined
            parse_drops(Storage(f"s3://{bucket}/wc"), START)
    finally:
        proxy.close()
    assert info.value.transient and f"key 'wc/raw_logs_drop/dt={START}/part-00000.jsonl'" in str(info.value)


def test_an_unreachable_endpoint_is_retried_then_reported_as_transient(own_moto_server):
    bucket = own_moto_server.new_bucket()
    store = Storage(f"s3://{bucket}/wc")
    store.write_bytes("raw_logs/dt=2023-04-10/part-00000.parquet", b"data")
    own_moto_server.stop()
    with pytest.raises(StorageError) as info:
        Storage(f"s3://{bucket}/wc").read_bytes("raw_logs/dt=2023-04-10/part-00000.parquet")
    message = str(info.value)
    assert info.value.transient
    assert f"bucket '{bucket}', key 'wc/raw_logs/dt=2023-04-10/part-00000.parquet'" in message
    assert own_moto_server.endpoint in message and "unreachable" in message
    own_moto_server.start()  # same port: the store is back with its objects
    assert Storage(f"s3://{bucket}/wc").read_bytes("raw_logs/dt=2023-04-10/part-00000.parquet") == b"data"


# -- the whole chain on S3 -------------------------------------------------------------


@pytest.fixture(scope="module")
def drops_dir(tmp_path_factory, pipeline):
    out = tmp_path_factory.mktemp("drops")
    pipeline.sample_drops(out, START, len(DAYS), per_day=15, seed=6)
    return out


@pytest.fixture(scope="module")
def local_reference(drops_dir, tmp_path_factory, pipeline):
    """The chain on a local directory: what S3 must reproduce."""
    import shutil

    base = tmp_path_factory.mktemp("local")
    shutil.copytree(drops_dir / "raw_logs_drop", base / "raw_logs_drop")
    pipeline.run_days(base, DAYS)
    return pipeline.tables(base)


def test_the_chain_on_s3_gives_the_same_tables_as_on_local_storage(s3_env, pipeline, drops_dir,
                                                                   local_reference):
    bucket = s3_env.new_bucket()
    base = f"s3://{bucket}/wildchat"
    pipeline.upload_drops(s3_env.client(), drops_dir, bucket, "wildchat")
    pipeline.run_days(base, DAYS)
    on_s3 = pipeline.tables(base)

    assert set(on_s3) == set(local_reference)
    for day in DAYS:  # every stage that exists, for both days, with data in it
        for stage in ("raw_logs", "conversations", "scrubbed", "geo_tagged", "classified"):
            assert local_reference[f"{stage}/dt={day}/part-00000.parquet"].num_rows > 0, (stage, day)
        assert local_reference[f"release/dt={day}/split=full/part-00000.parquet"].num_rows > 0
    for path, table in local_reference.items():
        assert on_s3[path].equals(table), path


def test_rematerializing_a_day_on_s3_gives_the_same_objects_and_bytes(s3_env, pipeline, drops_dir):
    bucket = s3_env.new_bucket()
    base = f"s3://{bucket}/wildchat"
    client = s3_env.client()
    pipeline.upload_drops(client, drops_dir, bucket, "wildchat")
    pipeline.run_days(base, DAYS)
    before = {k: body(client, bucket, k) for k in objects(client, bucket)}

    day = DAYS[0]
    result = pipeline.run(base, day)  # the whole chain for the day, again
    after = {k: body(client, bucket, k) for k in objects(client, bucket)}

    assert result.success and len(result.get_asset_materialization_events()) >= 7
    # The release publishes a new version of the day beside the old one (core/publish.py): the
    # rest is compared object by object, the release through its pointer.
    release = f"wildchat/release/dt={day}/"
    assert set(after) - {k for k in after if k.startswith(release)} == \
        set(before) - {k for k in before if k.startswith(release)}
    parquet = [k for k in after if k.endswith(".parquet") and not k.startswith(release)]
    assert len([k for k in parquet if f"/dt={day}/" in k]) >= 5
    for key in parquet:
        assert after[key] == before[key], key
    # Only the run manifest, the pointer and the dataset card carry a write time.
    changed = sorted(k for k in after if k in before and after[k] != before[k])
    assert all(k.endswith(("README.md", "_current.json")) for k in changed), changed
    new_version = {k for k in after if k not in before}
    assert new_version and all(k.startswith(release) for k in new_version)
    for name in ("split=full/part-00000.parquet", "split=nontoxic/part-00000.parquet"):
        (old_key,) = [k for k in before if k.startswith(release) and k.endswith(name)]
        (new_key,) = [k for k in new_version if k.endswith(name)]
        assert after[new_key] == before[old_key], name  # same data, byte for byte


def test_an_endpoint_dying_mid_run_fails_cleanly_and_a_rerun_succeeds(own_moto_server, pipeline, drops_dir,
                                                                     local_reference):
    server = own_moto_server
    bucket = server.new_bucket()
    base = f"s3://{bucket}/wildchat"
    client = server.client()
    pipeline.upload_drops(client, drops_dir, bucket, "wildchat")
    day = DAYS[0]
    for d in DAYS:  # the window's raw_logs, then the outage during the chain of the first day
        assert pipeline.run(base, d, "raw").success

    @success_hook(name="endpoint_dies_after_raw_logs")
    def endpoint_dies(context):
        if context.op.name == "raw_logs":
            server.stop()

    defs = build_definitions(base)
    chain = AssetSelection.groups("pipeline").without_checks()  # the data steps (checks: tests of their own)
    job = Definitions(
        assets=defs.assets, asset_checks=defs.asset_checks, resources=defs.resources,
        jobs=[define_asset_job("chain_with_outage", selection=chain, partitions_def=daily_partitions,
                               hooks={endpoint_dies})],
    ).resolve_job_def("chain_with_outage")
    result = job.execute_in_process(partition_key=day, run_config=NO_RETRIES_RUN_CONFIG, raise_on_error=False)

    assert not result.success
    failures = [e for e in result.all_events if e.event_type == DagsterEventType.STEP_FAILURE]
    # raw_logs wrote both of its tables before the outage; the steps after it fail cleanly
    assert sorted(e.step_key for e in failures) == ["conversations", "raw_logs_quarantine"]
    failures = [e for e in failures if e.step_key == "conversations"]
    messages, error = [], failures[0].step_failure_data.error
    while error is not None:
        messages.append(error.message)
        error = error.cause
    text = "\n".join(messages)
    assert "StorageError" in text and f"bucket '{bucket}', key 'wildchat/raw_logs/dt=" in text, text
    assert "unreachable" in text

    server.start()
    # Nothing half-written: every object is a drop or a complete, readable Parquet part, and
    # no stage after raw_logs wrote anything for the day.
    keys = set(objects(client, bucket))
    assert not [k for k in keys if "/dt=" + day in k and k.split("/")[1] not in ("raw_logs_drop", "raw_logs",
                                                                                 "raw_logs_quarantine")]
    for key in keys:
        if key.endswith(".parquet"):
            pq.read_table(io.BytesIO(body(client, bucket, key)))
    assert not client.list_multipart_uploads(Bucket=bucket).get("Uploads")

    assert pipeline.run(base, day, "downstream").success
    on_s3 = pipeline.tables(base, "conversations") | pipeline.tables(base, "release")
    for path, table in on_s3.items():
        if f"dt={day}" in path:
            assert table.equals(local_reference[path]), path
    assert f"release/dt={day}/split=full/part-00000.parquet" in on_s3


def test_the_retry_policy_rides_out_an_outage_between_attempts(own_moto_server, pipeline, tmp_path):
    """The step that hits the outage is retried by the pipeline's RetryPolicy (its pause set
    to 0 here) and succeeds once the endpoint is back; daily_chain carries that policy."""
    server = own_moto_server
    bucket = server.new_bucket()
    base = f"s3://{bucket}/wc"
    pipeline.sample_drops(tmp_path, START, 1, per_day=5, seed=8)
    pipeline.upload_drops(server.client(), tmp_path, bucket, "wc")
    assert build_definitions(base).resolve_job_def("daily_chain").op_retry_policy == PIPELINE_RETRY_POLICY

    @success_hook(name="endpoint_dies_after_raw_logs")
    def endpoint_dies(context):
        if context.op.name == "raw_logs":
            server.stop()

    class BackOnRetry(logging.Handler):  # the endpoint returns while the step waits for its retry
        def emit(self, record):
            event = getattr(record, "dagster_meta", {}).get("dagster_event")
            if event is not None and event.event_type_value == "STEP_UP_FOR_RETRY" and server.server is None:
                server.start()

    @logger
    def endpoint_returns(_):
        log = logging.getLogger(f"endpoint_returns_{bucket}")
        log.setLevel(logging.DEBUG)
        log.addHandler(BackOnRetry())
        return log

    defs = build_definitions(base)
    job = define_asset_job(
        "chain_with_a_short_outage",
        selection=AssetSelection.keys("raw_logs", "raw_logs_quarantine", "conversations").without_checks(),
        partitions_def=daily_partitions, hooks={endpoint_dies},
        op_retry_policy=PIPELINE_RETRY_POLICY._replace(delay=0),
    )
    result = Definitions(
        assets=defs.assets, asset_checks=defs.asset_checks, resources=defs.resources, jobs=[job],
        loggers={"endpoint_returns": endpoint_returns},
    ).resolve_job_def("chain_with_a_short_outage").execute_in_process(
        partition_key=START.isoformat(), run_config={"loggers": {"endpoint_returns": {}}},
        raise_on_error=False,
    )
    events = [e.event_type_value for e in result.all_events if e.step_key == "conversations"]
    assert result.success and "STEP_UP_FOR_RETRY" in events
    assert events[-2:] == ["STEP_SUCCESS", "HOOK_COMPLETED"]
    assert pipeline.tables(base, "conversations")[f"conversations/dt={START}/part-00000.parquet"].num_rows > 0

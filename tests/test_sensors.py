"""The drop sensor (issue 6): cursor, run keys, two waves, late files, S3 listing.

Real sensor evaluations (``build_sensor_context`` with a persistent ``instance_for_test``),
and the requested runs executed for real, so the end state can be compared with
materializing the days one by one.
"""

import datetime as dt
import shutil

import pytest
from dagster import AssetKey, build_sensor_context, instance_for_test
from rawlog_helpers import UA_B, call, write_drop

from wildchat_dagster.core.storage import MISSING_BUCKET, FileInfo, StorageError
from wildchat_dagster.definitions import build_definitions
from wildchat_dagster.sensors import (
    RAW_KEYS,
    DropCursor,
    downstream_keys,
    plan_drop_runs,
)

D1, D2, D3 = "2023-04-10", "2023-04-11", "2023-04-12"
SENSOR = "raw_log_drops_sensor"


def instance_dir(tmp_path) -> str:
    home = tmp_path / "dagster_home"
    home.mkdir(exist_ok=True)
    return str(home)


def tick(base, instance, cursor):
    """One evaluation of the real sensor, as the daemon would run it, in a fresh context."""
    defs = build_definitions(str(base))
    resources = {k: defs.resources[k] for k in ("storage", "s3")}  # the code location's own
    with build_sensor_context(
        instance=instance, cursor=cursor, definitions=defs, resources=resources
    ) as context:  # closed even when the tick raises
        data = defs.resolve_sensor_def(SENSOR).evaluate_tick(context)
    return data.run_requests or [], data.cursor, data.skip_message


def execute(pipeline, base, requests, instance) -> None:
    for request in requests:
        result = pipeline.run(base, request.partition_key, list(request.asset_selection), instance)
        assert result.success, request.run_key


def by_partition(requests) -> dict[str, list]:
    return {r.partition_key: sorted(k.to_user_string() for k in r.asset_selection) for r in requests}


@pytest.fixture
def three_days(tmp_path, pipeline):
    base = tmp_path / "store"
    pipeline.sample_drops(base, dt.date.fromisoformat(D1), 3, per_day=8, seed=3)
    return base


def test_ticks_request_raw_logs_then_the_chain_and_match_day_by_day(three_days, tmp_path, pipeline):
    base = three_days
    chain = [k.to_user_string() for k in pipeline.downstream_keys(pipeline.job(base, checks=True))]
    raw = sorted(k.to_user_string() for k in RAW_KEYS)
    with instance_for_test(temp_dir=instance_dir(tmp_path)) as instance:
        first, cursor, _ = tick(base, instance, None)
        assert by_partition(first) == {D1: raw, D2: raw, D3: raw}
        for request in first:  # the run_key names the file and its version (size-mtime locally)
            assert request.run_key.startswith(f"raw_logs:{request.partition_key}:part-00000.jsonl@")
            assert request.tags["wildchat/wave"] == "raw_logs"

        second, cursor2, skip = tick(base, instance, cursor)
        assert second == [] and "waiting for raw_logs: 2023-04-10, 2023-04-11, 2023-04-12" in skip

        execute(pipeline, base, first, instance)
        third, cursor3, _ = tick(base, instance, cursor2)
        assert by_partition(third) == {D1: chain, D2: chain, D3: chain}  # no neighbours without drops
        assert "release" in chain and "raw_logs" not in chain
        execute(pipeline, base, third, instance)
        fourth, _, skip = tick(base, instance, cursor3)
        assert fourth == [] and "changed days: none" in skip

    reference = tmp_path / "reference"
    shutil.copytree(base / "raw_logs_drop", reference / "raw_logs_drop")
    pipeline.run_days(reference, [D1, D2, D3])
    expected, got = pipeline.tables(reference), pipeline.tables(base)
    assert set(got) == set(expected) and len(expected) >= 3 * 7
    for path, table in expected.items():
        assert got[path].equals(table), path


def test_the_cursor_survives_a_restart(three_days, tmp_path):
    home = instance_dir(tmp_path)
    with instance_for_test(temp_dir=home) as instance:
        first, cursor, _ = tick(three_days, instance, None)
    assert len(first) == 3
    # A new process: a new instance object on the same storage, new definitions, the stored cursor.
    with instance_for_test(temp_dir=home) as instance:
        again, cursor2, skip = tick(three_days, instance, cursor)
        assert again == [] and "changed days: none" in skip
        assert DropCursor.parse(cursor2).days == DropCursor.parse(cursor).days
        rows = [call(9_100_001, f"{D1}T12:00:00Z", ["one more"], "sure")]
        late = write_drop(three_days, D1, rows, "late.jsonl")
        after, _, _ = tick(three_days, instance, cursor2)
        assert [r.partition_key for r in after] == [D1]
        stat = late.stat()
        assert f"late.jsonl@{stat.st_size}-{stat.st_mtime_ns};" in after[0].run_key
        assert "part-00000.jsonl@" in after[0].run_key  # the key lists every file of the day


def test_a_late_file_reruns_its_day_and_neighbours_through_release(three_days, tmp_path, pipeline):
    base = three_days
    # D3 already holds a follow-up whose first turn is missing: linked as an orphan of D3.
    write_drop(base, D3, [call(9_000_002, f"{D3}T00:04:00Z", ["late question", "late answer", "follow up"],
                               "got it", ua=UA_B)], "extra.jsonl")
    with instance_for_test(temp_dir=instance_dir(tmp_path)) as instance:
        first, cursor, _ = tick(base, instance, None)
        execute(pipeline, base, first, instance)
        chain, cursor, _ = tick(base, instance, cursor)
        execute(pipeline, base, chain, instance)
        released = pipeline.tables(base, f"release/dt={D3}")[f"release/dt={D3}/split=full/part-00000.parquet"]
        orphan = [c for c in released.column("conversation").to_pylist()
                  if any(m["content"] == "follow up" for m in c)]
        assert len(orphan) == 1 and orphan[0][0]["content"] == "late question"  # recovered from history

        # The first turn arrives late, in a new file for the already-released D2.
        write_drop(base, D2, [call(9_000_001, f"{D2}T23:58:00Z", ["late question"], "late answer", ua=UA_B)],
                   "late-0.jsonl")
        late, cursor, _ = tick(base, instance, cursor)
        assert by_partition(late) == {D2: sorted(k.to_user_string() for k in RAW_KEYS)}
        assert "late-0.jsonl@" in late[0].run_key and "part-00000.jsonl@" in late[0].run_key
        waiting, cursor, skip = tick(base, instance, cursor)
        assert waiting == [] and f"waiting for raw_logs: {D1}, {D2}, {D3}" in skip
        execute(pipeline, base, late, instance)
        rerun, cursor, _ = tick(base, instance, cursor)
        assert sorted(by_partition(rerun)) == [D1, D2, D3]  # D-1, D, D+1: nothing else
        assert all("release" in keys for keys in by_partition(rerun).values())
        execute(pipeline, base, rerun, instance)
        assert tick(base, instance, cursor)[0] == []

    conversations = pipeline.tables(base, "conversations")
    d2 = conversations[f"conversations/dt={D2}/part-00000.parquet"].to_pylist()
    d3 = conversations[f"conversations/dt={D3}/part-00000.parquet"].to_pylist()
    whole = [m["content"] for m in d2 if m["turn_identifier"] in (9_000_001, 9_000_002)]
    assert whole == ["late question", "late answer", "follow up", "got it"]
    assert not [m for m in d3 if m["turn_identifier"] == 9_000_002]  # no longer an orphan of D3
    full = pipeline.tables(base, f"release/dt={D2}")[f"release/dt={D2}/split=full/part-00000.parquet"]
    assert any(any(m["content"] == "follow up" for m in c) for c in full.column("conversation").to_pylist())

    reference = tmp_path / "reference"  # the same drops, materialized day by day from scratch
    shutil.copytree(base / "raw_logs_drop", reference / "raw_logs_drop")
    pipeline.run_days(reference, [D1, D2, D3])
    expected, got = pipeline.tables(reference), pipeline.tables(base)
    assert set(got) == set(expected)
    for path, table in expected.items():
        assert got[path].equals(table), path


def test_on_s3_the_sensor_lists_through_s3resource_with_etags(s3_env, tmp_path, pipeline):
    bucket = s3_env.new_bucket()
    client = s3_env.client()
    local = tmp_path / "drops"
    pipeline.sample_drops(local, dt.date.fromisoformat(D1), 2, per_day=5, seed=4)
    pipeline.upload_drops(client, local, bucket, "wc")
    base = f"s3://{bucket}/wc"
    with instance_for_test(temp_dir=instance_dir(tmp_path)) as instance:
        first, cursor, _ = tick(base, instance, None)
        assert sorted(r.partition_key for r in first) == [D1, D2]
        etag = client.head_object(Bucket=bucket, Key=f"wc/raw_logs_drop/dt={D1}/part-00000.jsonl")["ETag"]
        key_d1 = next(r.run_key for r in first if r.partition_key == D1)
        assert f"part-00000.jsonl@{etag.strip(chr(34))}:" in key_d1
        assert tick(base, instance, cursor)[0] == []

        key = f"wc/raw_logs_drop/dt={D2}/part-00000.jsonl"
        data = client.get_object(Bucket=bucket, Key=key)["Body"].read()
        changed = data.replace(b"gpt-4-0314", b"gpt-4-0613", 1)
        assert changed != data and len(changed) == len(data)  # same size: only the ETag tells
        client.put_object(Bucket=bucket, Key=key, Body=changed)
        again, _, _ = tick(base, instance, cursor)
        assert [r.partition_key for r in again] == [D2]

        with pytest.raises(StorageError) as info:  # a tick against a missing bucket fails, naming it
            tick("s3://no-such-drop-bucket/wc", instance, cursor)
        assert info.value.kind == MISSING_BUCKET and "no-such-drop-bucket" in str(info.value)


def test_downstream_selection_is_the_pipeline_group_without_raw_logs(tmp_path):
    defs = build_definitions(str(tmp_path))
    context = build_sensor_context(definitions=defs)
    keys = set(downstream_keys(context))
    job_keys = defs.resolve_job_def("daily_chain").asset_layer.asset_graph.get_all_asset_keys()
    assert keys == set(job_keys) - set(RAW_KEYS)
    assert AssetKey("release") in keys and AssetKey("conversations") in keys


# -- the planner, with explicit times ----------------------------------------------------


def drop(day: str, name: str = "a.jsonl", version: str = "v1") -> FileInfo:
    return FileInfo(f"raw_logs_drop/dt={day}/{name}", 10, 0, version)


def at(day: str, hh: int = 12, mm: int = 0) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T{hh:02d}:{mm:02d}:00+00:00")


NEVER = lambda day, since: False  # noqa: E731 - no raw_logs run has finished
ALWAYS = lambda day, since: True  # noqa: E731


def runs(plan) -> list[tuple[str, str]]:
    return [(r.partition, r.wave) for r in plan.runs]


def test_today_stays_open_until_the_next_days_first_drop_or_the_grace_period():
    today, tomorrow = "2023-06-14", "2023-06-15"
    plan = plan_drop_runs([drop(today)], DropCursor(), at(today, 15), NEVER)
    assert runs(plan) == [(today, "raw_logs")] and plan.deferred == [today] and plan.cursor.pending == {}

    # 00:10 the next day: its first drop closes yesterday early.
    plan = plan_drop_runs([drop(today), drop(tomorrow)], plan.cursor, at(tomorrow, 0, 10), NEVER)
    assert runs(plan) == [(tomorrow, "raw_logs")]
    assert plan.cursor.pending[today]["waits"] == [tomorrow] and plan.deferred == [tomorrow]
    plan = plan_drop_runs([drop(today), drop(tomorrow)], plan.cursor, at(tomorrow, 0, 11), ALWAYS)
    assert runs(plan) == [(today, "chain")] and plan.cursor.pending == {}

    # No drop the next day: a change at 01:59 leaves the day to the 02:00 schedule; at 02:00 it is closed.
    seen = DropCursor(days={today: "old"})
    quiet = plan_drop_runs([drop(today, version="v2")], seen, at(tomorrow, 1, 59), NEVER)
    assert quiet.deferred == [today] and quiet.cursor.pending == {}
    late = plan_drop_runs([drop(today, version="v2")], seen, at(tomorrow, 2, 0), NEVER)
    assert late.deferred == [] and late.cursor.pending[today]["waits"] == [today]


def test_each_chain_run_waits_for_every_changed_day_in_its_window():
    now = at("2023-05-01")
    files = [drop(D1), drop(D2), drop(D3)]
    plan = plan_drop_runs(files, DropCursor(), now, NEVER)
    assert {p: e["waits"] for p, e in plan.cursor.pending.items()} == {
        D1: [D1, D2], D2: [D1, D2, D3], D3: [D2, D3],
    }
    done = {D1, D2}  # D3's raw_logs run has not finished (or failed): D2 and D3 keep waiting
    plan = plan_drop_runs(files, plan.cursor, now, lambda day, since: day in done)
    assert runs(plan) == [(D1, "chain")] and sorted(plan.cursor.pending) == [D2, D3]
    plan = plan_drop_runs(files, plan.cursor, now, ALWAYS)
    assert runs(plan) == [(D2, "chain"), (D3, "chain")] and plan.cursor.pending == {}


def test_a_change_while_waiting_restarts_the_wait():
    files = [drop(D1), drop(D2)]
    first = plan_drop_runs(files, DropCursor(), at("2023-05-01", 12), NEVER)
    changed = [drop(D1), drop(D2, version="v2")]
    second = plan_drop_runs(changed, first.cursor, at("2023-05-01", 12, 5), ALWAYS)
    assert runs(second) == [(D2, "raw_logs")]  # D1's wait restarts: it reads D2 too
    assert second.cursor.pending[D1]["since"] > first.cursor.pending[D1]["since"]
    third = plan_drop_runs(changed, second.cursor, at("2023-05-01", 12, 6), ALWAYS)
    assert runs(third) == [(D1, "chain"), (D2, "chain")]


def test_removed_files_and_a_return_to_an_old_version_rerun_the_day():
    now = at("2023-05-01")
    plan = plan_drop_runs([drop(D1), drop(D2)], DropCursor(), now, ALWAYS)
    plan = plan_drop_runs([drop(D1), drop(D2)], plan.cursor, now, ALWAYS)  # chain runs, all done
    removed = plan_drop_runs([drop(D1)], plan.cursor, now, ALWAYS)
    assert runs(removed) == [(D2, "raw_logs")]
    assert removed.runs[0].run_key.startswith(f"raw_logs:{D2}:no-files:")
    assert sorted(removed.cursor.pending) == [D1, D2]  # D2's old conversations must go as well
    keys = {removed.runs[0].run_key}
    back = plan_drop_runs([drop(D1), drop(D2)], removed.cursor, now, ALWAYS)
    assert runs(back)[0] == (D2, "raw_logs") and back.runs[0].run_key not in keys
    keys.add(back.runs[0].run_key)
    again = plan_drop_runs([drop(D1)], back.cursor, now, ALWAYS)  # removed again: a new key, not a duplicate
    assert again.runs[0].run_key not in keys


def test_drops_outside_the_partitions_are_ignored_until_they_become_valid():
    files = [drop("2023-03-31"), FileInfo("raw_logs_drop/dt=2023-13-40/a.jsonl", 1, 0, "v"),
             FileInfo("raw_logs_drop/misplaced.jsonl", 1, 0, "v"), drop("2023-06-16"), drop("2023-06-14")]
    plan = plan_drop_runs(files, DropCursor(), at("2023-06-14"), NEVER)
    assert runs(plan) == [("2023-06-14", "raw_logs")] and len(plan.ignored) == 4
    assert set(plan.cursor.days) == {"2023-06-14"}
    later = plan_drop_runs(files, plan.cursor, at("2023-06-16", 0, 5), NEVER)  # now a partition exists
    assert runs(later) == [("2023-06-16", "raw_logs")]


def test_cursor_round_trip_and_version_guard():
    plan = plan_drop_runs([drop(D1)], DropCursor(), at("2023-05-01"), NEVER)
    assert DropCursor.parse(plan.cursor.dumps()) == plan.cursor
    with pytest.raises(ValueError, match="cursor version"):
        DropCursor.parse('{"v": 99}')

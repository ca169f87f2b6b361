"""Crashes mid-run (issue 17): real processes killed with SIGKILL, then what readers see.

- The release of a day is published as one version behind a pointer (core/publish.py): a run
  killed between any two of its file writes, locally or on S3 (moto's real HTTP server), leaves
  readers the old day or the new day, never a mix, and the next successful run removes what the
  killed one left (temp files, the version it never published).
- ``kill -9`` of a run during ``scrubbed`` takes its scrubber worker processes with it.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import duckdb
import orjson
import pandas as pd
import psutil
import pyarrow as pa
import pytest

from wildchat_dagster.core import publish
from wildchat_dagster.core.analytics import release_files
from wildchat_dagster.core.storage import Storage

REPO = Path(__file__).resolve().parents[1]
DRIVER = Path(__file__).with_name("crash_release_driver.py")
DAY = "2023-04-10"
PART_DIR = f"release/dt={DAY}"


def drive(base: str, state: str, kill_after: int = 0, mode: str = "after") -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "tests")]),
           "CRASH_MODE": mode}
    return subprocess.run([sys.executable, str(DRIVER), base, DAY, state, str(kill_after)],
                          capture_output=True, text=True, env=env, timeout=120)


def what_readers_see(base: str) -> dict:
    """The day as each reader sees it: the pointer's manifest and splits (release_sft, checks,
    the card), DuckDB over the files dbt is given, pandas over the same files."""
    store = Storage(base)
    manifest = publish.read_published_bytes(store, PART_DIR, "manifest.json")
    full = publish.read_published_table(store, PART_DIR, "split=full")
    nontoxic = publish.read_published_table(store, PART_DIR, "split=nontoxic")
    files = release_files(base)
    con = duckdb.connect()
    if base.startswith("s3://"):
        sys.path.insert(0, str(REPO / "dbt" / "plugins"))
        from wildchat_httpfs import httpfs_extension_path, s3_secret_sql

        con.execute(f"LOAD '{httpfs_extension_path()}'")
        con.execute(s3_secret_sql())
    duck = con.execute(
        f"select conversation_hash, dt, split from read_parquet({files!r}, hive_partitioning = true)"
    ).fetchall()
    frame = pd.read_parquet(files if not base.startswith("s3://") else [f[5:] for f in files],
                            filesystem=None if not base.startswith("s3://") else store.fs)
    return {
        "manifest": orjson.loads(manifest),
        "full": sorted(full["conversation_hash"].to_pylist()),
        "nontoxic": sorted(nontoxic["conversation_hash"].to_pylist()),
        "duckdb": sorted(h for h, _, _ in duck),
        "duckdb_partitions": sorted({(d, s) for _, d, s in duck}),
        "pandas": sorted(frame["conversation_hash"].tolist()),
    }


def assert_one_whole_day(seen: dict) -> str:
    """Every reader agrees with the manifest: returns the state ("old" or "new") they all see."""
    from crash_release_driver import HASHES, TAKEN_DOWN

    state = seen["manifest"]["state"]
    want = sorted(HASHES) if state == "old" else sorted(set(HASHES) - set(TAKEN_DOWN))
    assert seen["manifest"]["stats"]["takedown_conversations"] == len(HASHES) - len(want)
    for reader in ("full", "nontoxic", "duckdb", "pandas"):
        assert seen[reader] == want, (reader, state, seen)
    assert seen["duckdb_partitions"] == [(dt.date.fromisoformat(DAY), "full")] or \
        seen["duckdb_partitions"] == [(DAY, "full")], seen["duckdb_partitions"]
    return state


def leftovers(base: str) -> tuple[list[str], set[str]]:
    """Temp files anywhere under the day, and the version directories present."""
    store = Storage(base)
    files = [f.path for f in store.list_files(PART_DIR, hidden=True)]
    temps = [p for p in files if p.rsplit("/", 1)[-1].startswith(".tmp-")]
    versions = {p[len(PART_DIR) + 1:].split("/", 1)[0] for p in files} - {publish.POINTER_NAME}
    return temps, versions


def crash_every_write(base: str, modes: tuple[str, ...]) -> None:
    first = drive(base, "old")
    assert first.returncode == 0, first.stderr
    writes = int(first.stdout.strip())
    assert writes == 4  # two splits, the manifest, the pointer
    assert assert_one_whole_day(what_readers_see(base)) == "old"
    killed_versions = set()
    for mode in modes:
        for k in range(1, writes + 1):
            before = leftovers(base)[1]
            run = drive(base, "new", kill_after=k, mode=mode)
            assert run.returncode == -signal.SIGKILL, (mode, k, run.returncode, run.stderr[-2000:])
            state = assert_one_whole_day(what_readers_see(base))
            # Until the pointer is switched (the last write), readers keep the old day.
            switched = mode == "after" and k == writes
            assert state == ("new" if switched else "old"), (mode, k)
            killed_versions |= leftovers(base)[1] - before
            if switched:  # back to the old day for the next kill point
                assert drive(base, "old").returncode == 0
    temps, versions = leftovers(base)
    if "during" in modes:
        assert temps, "the kills during a write left no temp file: the test lost its point"
    assert killed_versions, "no killed run left a version behind: the test lost its point"

    final = drive(base, "new")
    assert final.returncode == 0, final.stderr
    assert assert_one_whole_day(what_readers_see(base)) == "new"
    temps, versions = leftovers(base)
    assert temps == []
    pointer = publish.current(Storage(base), PART_DIR)
    assert versions == {pointer.version, *pointer.previous}
    assert len(versions) <= publish.keep_versions_from_env()
    assert not (killed_versions & versions) - {pointer.version, *pointer.previous}


@pytest.mark.timeout(600)
def test_a_release_killed_between_writes_leaves_the_old_or_the_new_day_locally(tmp_path):
    crash_every_write(str(tmp_path / "storage"), ("after", "during"))


@pytest.mark.timeout(600)
def test_a_release_killed_between_puts_leaves_the_old_or_the_new_day_on_s3(s3_env):
    bucket = s3_env.new_bucket()
    crash_every_write(f"s3://{bucket}/wc", ("after",))


KILLED_IN_A_WRITE = """
import os, signal, sys
import pyarrow as pa
from wildchat_dagster.core.storage import Storage

def die(src, dst):  # the temp file is complete, the rename never happens
    os.kill(os.getpid(), signal.SIGKILL)

os.replace = die
if sys.argv[2] == "table":
    Storage(sys.argv[1]).write_table("scrubbed/dt=2023-04-10", pa.table({"x": [2, 2]}))
else:
    Storage(sys.argv[1]).write_bytes("release_sft/dt=2023-04-10/sft.jsonl", b"new")
"""


def test_a_temp_file_of_a_killed_write_is_removed_by_the_next_write_of_that_partition(tmp_path):
    base = str(tmp_path / "storage")
    store = Storage(base)
    store.write_table("scrubbed/dt=2023-04-10", pa.table({"x": [1]}))
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    killed = subprocess.run([sys.executable, "-c", KILLED_IN_A_WRITE, base, "table"], env=env, timeout=120,
                            capture_output=True, text=True)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    temps = [f.path for f in store.list_files("scrubbed", hidden=True) if "/.tmp-" in f.path]
    assert len(temps) == 1  # the killed writer's, complete but never renamed
    assert store.read_table("scrubbed/dt=2023-04-10")["x"].to_pylist() == [1]  # readers: the old file
    # a live writer's temp file (this process) is left alone
    live = Path(store.full("scrubbed/dt=2023-04-10")) / f".tmp-{os.getpid()}-abc-{os.uname().nodename}"
    live.write_bytes(b"in progress")
    store.write_table("scrubbed/dt=2023-04-10", pa.table({"x": [3]}))
    left = [f.path for f in store.list_files("scrubbed", hidden=True) if "/.tmp-" in f.path]
    assert left == [f"scrubbed/dt=2023-04-10/{live.name}"]
    assert store.read_table("scrubbed/dt=2023-04-10")["x"].to_pylist() == [3]
    # a single-file write (release_sft, the card): the same, on its next write
    store.write_bytes("release_sft/dt=2023-04-10/sft.jsonl", b"old")
    killed = subprocess.run([sys.executable, "-c", KILLED_IN_A_WRITE, base, "bytes"], env=env, timeout=120,
                            capture_output=True, text=True)
    assert killed.returncode == -signal.SIGKILL, killed.stderr
    assert len([f for f in store.list_files("release_sft", hidden=True) if "/.tmp-" in f.path]) == 1
    assert store.read_bytes("release_sft/dt=2023-04-10/sft.jsonl") == b"old"
    store.write_bytes("release_sft/dt=2023-04-10/sft.jsonl", b"newer")
    remaining = [f.path for f in store.list_files("release_sft", hidden=True)]
    assert remaining == ["release_sft/dt=2023-04-10/sft.jsonl"]


# ------------------------------------------------------------------------------------------------
# kill -9 during scrubbed
# ------------------------------------------------------------------------------------------------
def _gone(proc: psutil.Process) -> bool:
    try:
        return not proc.is_running() or proc.status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@pytest.mark.timeout(600)
def test_kill_9_during_scrubbed_leaves_no_process_of_the_run(tmp_path):
    from wildchat_dagster.core.generate import generate_drops

    storage = tmp_path / "storage"
    generate_drops(str(storage), dt.date.fromisoformat(DAY), 1, 120, seed=3)
    env = {**os.environ, "PYTHONPATH": str(REPO), "WILDCHAT_STORAGE": str(storage),
           "DAGSTER_HOME": str(tmp_path / "home"), "WILDCHAT_PII_WORKERS": "2"}
    (tmp_path / "home").mkdir()
    dagster = str(Path(sys.executable).with_name("dagster"))
    upstream = subprocess.run(
        [dagster, "asset", "materialize", "-m", "wildchat_dagster.definitions",
         "--select", "raw_logs,raw_logs_quarantine,conversations", "--partition", DAY],
        env=env, capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert upstream.returncode == 0, upstream.stderr[-3000:]
    # Every text through the pool (the threshold is for speed, not for behaviour).
    config = {"resources": {"pii": {"config": {"parallel_min_texts": 2}}}}
    log = (tmp_path / "run.log").open("wb")
    run = subprocess.Popen(
        [dagster, "asset", "materialize", "-m", "wildchat_dagster.definitions", "--select", "scrubbed",
         "--partition", DAY, "--config-json", json.dumps(config)],
        env=env, stdout=log, stderr=subprocess.STDOUT, cwd=tmp_path)
    parent = psutil.Process(run.pid)
    try:
        deadline = time.monotonic() + 240
        workers: list[psutil.Process] = []
        while time.monotonic() < deadline and run.poll() is None:
            children = parent.children(recursive=True)
            workers = [c for c in children if "multiprocessing" in " ".join(_cmdline(c))
                       and "resource_tracker" not in " ".join(_cmdline(c))]
            if workers:
                break
            time.sleep(0.05)  # polling the process table, not waiting for an outcome
        assert workers, ("the scrubber's worker processes never started:\n"
                                   + (tmp_path / "run.log").read_text()[-3000:])
        tree = parent.children(recursive=True)
        os.kill(run.pid, signal.SIGKILL)
        run.wait(timeout=30)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and not all(_gone(p) for p in tree):
            time.sleep(0.1)
        alive = [(p.pid, _cmdline(p)[:4]) for p in tree if not _gone(p)]
        assert not alive, f"processes of the killed run still alive 20 s later: {alive}"
    finally:
        if run.poll() is None:
            run.kill()


def _cmdline(proc: psutil.Process) -> list[str]:
    try:
        return proc.cmdline()
    except (psutil.NoSuchProcess, psutil.AccessDenied, psutil.ZombieProcess):
        return []

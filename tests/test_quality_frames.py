"""core/quality.py frames built column-wise (issue 18) give what the per-row code gave.

The reference functions below are the per-row Python the frames used before (kept here, not
in the package): the vectorised frames must agree with them value for value, nulls included,
on tables with the awkward cases (null flags, copied prefixes, calls owned twice or never,
calls outside the window, conversations with mixed null/False/True toxic turns).
"""

import datetime as dt
import random

import numpy as np
import pandas as pd
import pyarrow as pa

from wildchat_dagster.core import quality as q

UTC = dt.UTC


# --------------------------------------------------------------------------- references
def ref_same(a, b):
    return [x == y for x, y in zip(a, b, strict=True)]


def ref_any_per_group(groups, values):
    state: dict = {}
    for g, v in zip(groups, values, strict=True):
        if v is None:
            state.setdefault(g, None)
        else:
            state[g] = bool(state.get(g)) or bool(v)
    return [state[g] for g in groups]


def as_list(series: pd.Series) -> list:
    return [None if v is None else (v.item() if hasattr(v, "item") else v) for v in series.tolist()]


# --------------------------------------------------------------------------- helpers
def test_obj_col_gives_the_python_values_of_to_pylist():
    columns = [
        pa.array(["a", None, "ç", ""], pa.string()),
        pa.array([1, None, -3, 2**40], pa.int64()),
        pa.array([1, 2, 3, 4], pa.int32()),
        pa.array([0.5, None, float("inf"), 1e-9], pa.float64()),
        pa.array([True, None, False, True], pa.bool_()),
        pa.chunked_array([pa.array([1, 2]), pa.array([None, 4])], pa.int64()),
        pa.array([[1], None, [], [2, 3]], pa.list_(pa.int64())),  # the list path
    ]
    for col in columns:
        got = q._obj_col(col)
        assert got.dtype == object
        want = col.to_pylist()
        assert got.tolist() == want
        assert [type(v) for v in got.tolist()] == [type(v) for v in want]


def test_nullable_comparison_and_group_any_match_the_row_by_row_rules():
    rng = random.Random(7)
    for _ in range(200):
        n = rng.randint(0, 30)
        groups = [rng.choice(["c1", "c2", "c3", None]) for _ in range(n)]
        a = [rng.choice([True, False, None]) for _ in range(n)]
        b = [rng.choice([True, False, None]) for _ in range(n)]
        same = q._same_nullable(q._nullable_bools(a), q._nullable_bools(pa.array(b, pa.bool_())))
        assert same.tolist() == ref_same(a, b)
        codes = pd.factorize(np.asarray(groups, dtype=object), use_na_sentinel=False)[0]
        value, valid = q._any_per_group_nullable(codes, q._nullable_bools(a))
        got = [bool(v) if ok else None for v, ok in zip(value, valid, strict=True)]
        assert got == ref_any_per_group(groups, a)


# --------------------------------------------------------------------------- conversations
def _conversations(rows: list[tuple]) -> pa.Table:
    """(conversation_id, message_index, role, copied_prefix, turn_identifier) rows."""
    n = len(rows)
    cols = list(zip(*rows, strict=True)) if rows else [[], [], [], [], []]
    start = dt.datetime(2023, 6, 14, 8, tzinfo=UTC)
    return pa.table({
        "conversation_id": pa.array(cols[0], pa.string()),
        "message_index": pa.array(cols[1], pa.int32()),
        "role": pa.array(cols[2], pa.string()),
        "copied_prefix": pa.array(cols[3], pa.bool_()),
        "turn_identifier": pa.array(cols[4], pa.int64()),
        "turn": pa.array([i // 2 + 1 for i in cols[1]], pa.int32()),
        "turn_count": pa.array([2] * n, pa.int32()),
        "conversation_start": pa.array([start] * n, pa.timestamp("us", tz="UTC")),
    })


def test_conversations_frames_account_raw_calls_as_the_row_loop_did():
    conv = _conversations([
        ("a", 0, "user", False, 1), ("a", 1, "assistant", False, None),
        ("a", 2, "user", None, 2), ("a", 3, "assistant", False, None),
        ("b", 0, "user", True, 1),   # a copied prefix: owns nothing
        ("b", 1, "assistant", True, None),
        ("b", 2, "user", False, 9),  # outside the window
        ("b", 3, "assistant", False, None),
        ("c", 0, "user", False, None),  # no logged call
        ("c", 1, "assistant", False, None),
    ])
    previous = _conversations([("z", 0, "user", False, 2), ("z", 1, "assistant", False, None)])
    ids = pa.array([1, 2, 3], pa.int64())
    raw_day = pa.table({"id": ids, "source_line": ids})
    window = [1, 2, 3, 4]
    frames = q.conversations_frames(conv, previous, raw_day, window, conv.schema)
    rows = frames.frames["conversations"]
    # reference: the row loop
    window_set = set(window)
    known = []
    for role, copied, tid in zip(conv["role"].to_pylist(), conv["copied_prefix"].to_pylist(),
                                 conv["turn_identifier"].to_pylist(), strict=True):
        owned = role == "user" and not (copied or False) and tid is not None
        known.append((tid in window_set) if owned else None)
    assert as_list(rows["turn_identifier_known"]) == known == [True, None, True, None, None, None, False,
                                                                None, None, None]
    owners: dict = {}
    for t in (previous, conv):
        for tid in q.owned_user_turns(t)["turn_identifier"].to_pylist():
            owners[tid] = owners.get(tid, 0) + 1
    accounting = frames.frames["conversations_raw_accounting"]
    assert as_list(accounting["owning_messages"]) == [owners.get(i, 0) for i in [1, 2, 3]] == [1, 2, 0]
    assert as_list(accounting["id"]) == [1, 2, 3]
    assert frames.notes["conversations"] == 3
    assert rows["turn"].dtype == object and as_list(rows["turn"]) == conv["turn"].to_pylist()


def test_conversations_frames_on_an_empty_partition():
    conv = _conversations([])
    frames = q.conversations_frames(conv, None, None, [], conv.schema)
    assert len(frames.frames["conversations"]) == 0
    assert len(frames.frames["conversations_raw_accounting"]) == 0
    assert frames.notes["conversations"] == 0


# --------------------------------------------------------------------------- GeoIP names cache
def test_geoip_country_names_are_kept_between_processes_and_follow_the_file(tmp_path, monkeypatch):
    import os
    import shutil
    from pathlib import Path

    shared = Path(__file__).resolve().parents[1].parent / "shared"
    test_db = shared / "data" / "geoip" / "GeoIP2-City-Test.mmdb"
    db = tmp_path / "City.mmdb"
    shutil.copy(test_db, db)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    q._country_names_cached.cache_clear()
    first = q.geoip_country_names([str(db)])
    assert {"United Kingdom", "Sweden", "United States"} <= first
    files = list((tmp_path / "cache" / "wildchat_dagster").glob("geoip_country_names-*.json"))
    assert len(files) == 1
    # a new process (the in-memory cache cleared) reads the file: plant a marker to prove it
    files[0].write_text('["Only From The Cache"]')
    q._country_names_cached.cache_clear()
    assert q.geoip_country_names([str(db)]) == {"Only From The Cache"}
    # a changed DB (new mtime) is walked again, and a damaged cache file is not trusted
    st = db.stat()
    os.utime(db, ns=(st.st_atime_ns, st.st_mtime_ns + 10**9))
    q._country_names_cached.cache_clear()
    assert q.geoip_country_names([str(db)]) == first
    for f in (tmp_path / "cache" / "wildchat_dagster").glob("*.json"):
        f.write_text("{not json")
    q._country_names_cached.cache_clear()
    assert q.geoip_country_names([str(db)]) == first
    q._country_names_cached.cache_clear()

"""raw_logs and conversations through the real assets: bad input, reconciliation, windows."""

import gzip
import json

import pyarrow.parquet as pq
from dagster import DagsterInstance, materialize
from rawlog_helpers import call, write_drop

from wildchat_dagster.definitions import PIPELINE_ASSETS, build_definitions

DAY = "2023-04-10"


def run(base, selection, day):
    defs = build_definitions(str(base))
    result = materialize(
        PIPELINE_ASSETS, selection=selection, partition_key=day, resources=defs.resources,
        instance=DagsterInstance.ephemeral(),
    )
    assert result.success
    return result


def read(base, asset, day):
    return pq.read_table(base / asset / f"dt={day}" / "part-00000.parquet")


def mat_metadata(result, key):
    (event,) = [e for e in result.get_asset_materialization_events() if e.asset_key.path[-1] == key]
    return {k: v.value for k, v in event.materialization.metadata.items()}


def test_bad_lines_are_quarantined_with_reasons_and_the_run_succeeds(tmp_path):
    good = call(1, f"{DAY}T08:00:00Z", ["hi"], "Hello!")
    wrong_type = dict(call(2, f"{DAY}T08:00:00Z", ["hi"], "x"), id="2")
    missing = call(3, f"{DAY}T08:00:00Z", ["hi"], "x")
    del missing["response"]
    non_alternating = call(4, f"{DAY}T08:00:00Z", ["hi"], "x")
    non_alternating["messages"] = [
        {"role": "assistant", "content": "I start"}, {"role": "user", "content": "hi"},
    ]
    empty = call(5, f"{DAY}T08:00:00Z", ["   "], "x")
    huge = call(6, f"{DAY}T08:00:00Z", ["a" * 1_000_000], "x")
    wrong_day = call(7, "2023-04-12T08:00:00Z", ["hi"], "x")
    no_consent = call(8, f"{DAY}T08:00:00Z", ["my secret life"], "x", consent=False)
    duplicate = call(1, f"{DAY}T09:00:00Z", ["again"], "y")
    lines = [
        good,
        json.dumps(call(9, f"{DAY}T08:00:00Z", ["hi"], "x"))[:40],  # truncated JSON
        wrong_type, missing, non_alternating, empty, huge, wrong_day, no_consent, duplicate,
        b'{"id": 10, "content": "caf\xe9 latin-1 bytes"}',  # invalid UTF-8
        "[1, 2, 3]",
    ]
    write_drop(tmp_path, DAY, lines)
    result = run(tmp_path, ["raw_logs", "raw_logs_quarantine"], DAY)

    accepted = read(tmp_path, "raw_logs", DAY)
    quarantine = read(tmp_path, "raw_logs_quarantine", DAY).to_pylist()
    assert accepted.column("id").to_pylist() == [1]
    reasons = {q["source_line"]: q["reason"] for q in quarantine}
    assert reasons == {
        2: "invalid_json", 3: "wrong_type", 4: "missing_field", 5: "non_alternating_roles",
        6: "empty_content", 7: "message_too_large", 8: "timestamp_outside_partition",
        10: "duplicate_id", 11: "invalid_utf8", 12: "not_an_object",
    }
    assert all(q["source_file"].endswith("part-0.jsonl") and q["detail"] for q in quarantine)
    meta = mat_metadata(result, "raw_logs")
    assert (meta["lines"], meta["accepted"], meta["quarantined"], meta["no_consent"]) == (12, 1, 10, 1)
    # the no-consent row's text is not kept anywhere, not even in quarantine
    assert not any("my secret life" in (q["line_head"] or "") for q in quarantine)
    # a 1 MB line is recorded by size and hash, not stored whole
    big = next(q for q in quarantine if q["reason"] == "message_too_large")
    assert big["line_bytes"] > 1_000_000 and len(big["line_head"]) <= 2_000


def test_gzip_drops_and_a_day_without_drops(tmp_path):
    folder = tmp_path / "raw_logs_drop" / f"dt={DAY}"
    folder.mkdir(parents=True)
    with gzip.open(folder / "a.jsonl.gz", "wt") as f:
        for i in range(5):
            f.write(json.dumps(call(i, f"{DAY}T0{i}:00:00Z", [f"q{i}"], f"a{i}")) + "\n")
    (folder / "broken.jsonl.gz").write_bytes(b"\x1f\x8b\x08 not really gzip")
    run(tmp_path, ["raw_logs", "raw_logs_quarantine"], DAY)
    assert read(tmp_path, "raw_logs", DAY).num_rows == 5
    (q,) = read(tmp_path, "raw_logs_quarantine", DAY).to_pylist()
    assert q["reason"] == "unreadable_file" and q["source_file"].endswith("broken.jsonl.gz")

    run(tmp_path, ["raw_logs", "raw_logs_quarantine"], "2023-04-11")  # no drop folder at all
    assert read(tmp_path, "raw_logs", "2023-04-11").num_rows == 0


def test_conversation_crossing_midnight_is_emitted_once_in_its_first_days_partition(tmp_path):
    write_drop(tmp_path, "2023-04-10", [call(1, "2023-04-10T23:58:00Z", ["night"], "owl")])
    write_drop(tmp_path, "2023-04-11", [
        call(2, "2023-04-11T00:02:00Z", ["night", "owl", "still up"], "yes"),
        call(3, "2023-04-11T10:00:00Z", ["morning"], "sun"),
    ])
    for day in ("2023-04-10", "2023-04-11"):
        run(tmp_path, ["raw_logs", "raw_logs_quarantine"], day)
    for day in ("2023-04-10", "2023-04-11"):  # the neighbour 2023-04-09/12 never existed: empty
        run(tmp_path, ["conversations"], day)
    d10 = read(tmp_path, "conversations", "2023-04-10").to_pylist()
    d11 = read(tmp_path, "conversations", "2023-04-11").to_pylist()
    assert [m["content"] for m in d10] == ["night", "owl", "still up", "yes"]
    assert [m["content"] for m in d11] == ["morning", "sun"]
    owned = [m["turn_identifier"] for m in d10 + d11 if m["role"] == "user" and not m["copied_prefix"]]
    assert sorted(owned) == [1, 2, 3]


def test_projected_window_links_exactly_like_the_full_window(tmp_path):
    """conversations[D] reads D-1 with the linking keys only and D+1 without histories
    (linking.WINDOW_COLUMNS); on generated days with orphans, branches and midnight
    crossings the result must equal linking over the three full raw_logs tables."""
    import datetime as dt

    import pyarrow as pa

    from wildchat_dagster.core.generate import generate_drops
    from wildchat_dagster.core.linking import link_conversations

    days = ["2023-04-10", "2023-04-11", "2023-04-12"]
    generate_drops(tmp_path, dt.date(2023, 4, 10), 3, 120, seed=7)
    for day in days:  # drop some calls of every day so orphans exist in the window
        folder = tmp_path / "raw_logs_drop" / f"dt={day}"
        for path in folder.glob("*.jsonl*"):
            lines = path.read_bytes().splitlines()
            path.write_bytes(b"\n".join(line for i, line in enumerate(lines) if i % 13 != 5) + b"\n")
        run(tmp_path, ["raw_logs", "raw_logs_quarantine"], day)
    run(tmp_path, ["conversations"], days[1])
    through_asset = read(tmp_path, "conversations", days[1])
    full = pa.concat_tables([read(tmp_path, "raw_logs", d) for d in days])
    expected, stats = link_conversations(full, dt.date(2023, 4, 11))
    assert stats.orphans > 0 and stats.branches > 0 and stats.conversations > 50
    assert through_asset.equals(expected.cast(through_asset.schema))


def test_linking_refuses_a_window_read_without_a_needed_history():
    """A window that lacks the history an orphan of D needs fails loudly, naming the
    problem, instead of reading another call's text."""
    import datetime as dt

    import pyarrow as pa
    import pytest
    from rawlog_helpers import parse_rows

    from wildchat_dagster.core.linking import link_conversations

    raw = parse_rows([call(7, "2023-04-10T12:00:00Z", ["hi", "hello", "my name is"], "nice")])
    stripped = raw.set_column(raw.schema.get_field_index("messages"), "messages",
                              pa.nulls(raw.num_rows, raw.schema.field("messages").type))
    with pytest.raises(ValueError, match="without one"):
        link_conversations(stripped, dt.date(2023, 4, 10))
    table, stats = link_conversations(raw, dt.date(2023, 4, 10))
    assert stats.orphans == 1 and table.column("content").to_pylist() == ["hi", "hello", "my name is", "nice"]

"""The 186 real WildChat-1M conversations, turned into raw logs and linked back."""

import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
import pytest
from rawlog_helpers import call

from wildchat_dagster.core.linking import link_conversations
from wildchat_dagster.core.logs import LogParser, history_hash

SAMPLE = Path(__file__).resolve().parents[1].parent / "shared/data/wildchat/wildchat1m_sample_186.jsonl"


def wildchat_rows():
    if not SAMPLE.exists():
        pytest.skip(f"third-party data not found at {SAMPLE}")
    return [json.loads(line) for line in SAMPLE.open()]


def as_raw_calls(conv: dict, index: int) -> list[dict]:
    """One API call per user turn, carrying its whole history, one minute apart."""
    end = dt.datetime.fromisoformat(conv["timestamp"])
    turns = conv["conversation"]
    calls = []
    n_user = sum(1 for t in turns if t["role"] == "user") or 1
    for k in range(0, len(turns), 2):
        history = [t["content"] for t in turns[: k + 1]]
        response = turns[k + 1]["content"] if k + 1 < len(turns) else ""
        ts = end - dt.timedelta(minutes=n_user - k // 2 - 1)
        row = call(index * 1000 + k, ts.strftime("%Y-%m-%dT%H:%M:%SZ"), history, response,
                   ip=f"81.2.{index // 250}.{index % 250 + 1}", ua=f"UA-{index}")
        # keep the real roles: 8 sample conversations do not alternate and must be quarantined
        row["messages"] = [{"role": t["role"], "content": t["content"]} for t in turns[: k + 1]]
        calls.append(row)
    return calls


def test_real_conversations_come_back_whole_with_consistent_hashes():
    convs = wildchat_rows()
    assert len(convs) == 186
    by_day: dict[dt.date, list[dict]] = {}
    for i, conv in enumerate(convs):
        for row in as_raw_calls(conv, i):
            day = dt.datetime.fromisoformat(row["timestamp"].replace("Z", "+00:00")).date()
            by_day.setdefault(day, []).append(row)
    tables, quarantined_ids = [], set()
    for day, rows in by_day.items():
        parser = LogParser(day)
        parser.feed("wildchat.jsonl", [json.dumps(r).encode() for r in rows])
        parser.result.check_reconciliation()
        tables.append(parser.result.accepted_table())
        for q in parser.result.quarantine_table().to_pylist():
            assert q["reason"] == "non_alternating_roles"
            quarantined_ids.add(rows[q["source_line"] - 1]["id"] // 1000)

    linked, stats = link_conversations(pa.concat_tables(tables))
    got: dict[str, list] = {}
    hashes: dict[str, set] = {}
    for m in linked.to_pylist():
        got.setdefault(m["conversation_id"], []).append((m["role"], m["content"]))
        hashes.setdefault(m["conversation_id"], set()).add(m["conversation_hash"])

    alternating = [
        i for i, c in enumerate(convs)
        if [t["role"] for t in c["conversation"]] == ["user", "assistant"] * (len(c["conversation"]) // 2)
        and len(c["conversation"]) % 2 == 0
    ]
    assert len(alternating) == 178
    # every alternating conversation comes back whole, exactly once, unbranched
    assert stats.branches == 0
    for i in alternating:
        pairs = [(t["role"], t["content"]) for t in convs[i]["conversation"]]
        assert sum(1 for v in got.values() if v == pairs) == 1
        assert len(pairs) // 2 == convs[i]["turn_count"]
    # our conversation_hash is the same function of the content for every conversation
    for cid, pairs in got.items():
        assert hashes[cid] == {history_hash(pairs)[:32]}
    # the 8 non-alternating ones were quarantined, never silently lost
    non_alternating = set(range(186)) - set(alternating)
    assert len(non_alternating) == 8 and non_alternating <= quarantined_ids

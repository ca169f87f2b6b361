"""Snapshot of the code location: any change to assets, partitions, deps, checks, jobs,
schedules or sensors shows up in review. Regenerate with UPDATE_SNAPSHOTS=1 after a
deliberate change."""

import json
import os
from pathlib import Path

from dagster import DailyPartitionsDefinition

SNAPSHOT = Path(__file__).parent / "snapshots" / "definitions.json"


def snapshot_of(defs) -> dict:
    graph = defs.resolve_asset_graph()
    assets = {}
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        pdef = node.partitions_def
        assets[key.to_user_string()] = {
            "group": node.group_name,
            "partitions": (
                f"daily from {pdef.start.date().isoformat()} ({pdef.timezone})"
                if isinstance(pdef, DailyPartitionsDefinition) else None
            ),
            "deps": sorted(k.to_user_string() for k in node.parent_keys),
        }
    checks = sorted(
        f"{ck.asset_key.to_user_string()}:{ck.name}" for ck in graph.asset_check_keys
    )
    return {
        "assets": assets,
        "asset_checks": checks,
        "jobs": sorted(j.name for j in defs.resolve_all_job_defs() if not j.name.startswith("__")),
        "schedules": sorted(s.name for s in defs.schedules or []),
        "sensors": sorted(s.name for s in defs.sensors or []),
    }


def test_definitions_load_and_match_snapshot():
    from wildchat_dagster.definitions import defs

    current = snapshot_of(defs)
    if os.environ.get("UPDATE_SNAPSHOTS"):
        SNAPSHOT.write_text(json.dumps(current, indent=2, sort_keys=True) + "\n")
    assert current == json.loads(SNAPSHOT.read_text())


def test_operator_contract_asset_keys_and_partitions():
    from wildchat_dagster.definitions import defs

    snap = snapshot_of(defs)["assets"]
    for key in ("raw_logs", "conversations", "scrubbed", "geo_tagged", "classified", "release"):
        assert snap[key]["partitions"] == "daily from 2023-04-01 (UTC)", key
    assert "raw_logs" in snap["conversations"]["deps"]
    assert snap["scrubbed"]["deps"] == ["conversations"]

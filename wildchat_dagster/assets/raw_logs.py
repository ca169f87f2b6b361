"""raw_logs: a day's drop files validated into a typed table; raw_logs_quarantine: what was not.

Two assets, so ``--select raw_logs`` works alone (DESIGN §15). raw_logs parses the drop once
and writes both tables: its own through the IO manager, the quarantine straight to
``<base>/raw_logs_quarantine/dt=D/`` (the IO manager's layout), so materializing raw_logs
alone never loses a quarantined line. ``raw_logs_quarantine`` sits downstream of it and
publishes that table with its counts (materializing it re-reads, never re-parses).
"""

import datetime as dt

import pyarrow as pa
from dagster import AssetExecutionContext, MetadataValue, Output, asset

from ..core.logs import DEFAULT_MAX_MESSAGE_CHARS, parse_drops
from ..core.schema import QUARANTINE
from ..partitions import daily_partitions
from ..policies import PIPELINE_RETRY_POLICY, transient_retries_only
from ..resources import StorageResource

QUARANTINE_ASSET = "raw_logs_quarantine"
_LISTED_NAMES = 20  # file names named in a log line at most


@asset(
    partitions_def=daily_partitions,
    group_name="pipeline",
    description="Accepted chatbot API calls of one UTC day (consent given). Also writes the day's "
    "quarantine table (raw_logs_quarantine), so this asset can be materialized alone.",
    retry_policy=PIPELINE_RETRY_POLICY,  # transient storage errors only (policies.py)
)
@transient_retries_only
def raw_logs(context: AssetExecutionContext, storage: StorageResource) -> Output[pa.Table]:
    day = dt.date.fromisoformat(context.partition_key)
    store = storage.get()
    parsed = parse_drops(store, day, DEFAULT_MAX_MESSAGE_CHARS)
    quarantine = parsed.quarantine_table()
    uri = store.write_table(store.partition_dir(QUARANTINE_ASSET, context.partition_key), quarantine)
    counts = parsed.counts()
    context.log.info(f"raw_logs[{day}]: " + ", ".join(f"{k}={v}" for k, v in counts.items()))
    for reason in ("unsupported_file", "misplaced_file"):
        rows = [r for r in quarantine.select(["source_file", "reason", "line_bytes"]).to_pylist()
                if r["reason"] == reason]
        if rows:
            named = ", ".join(f"{r['source_file']} ({r['line_bytes']} bytes)" for r in rows[:_LISTED_NAMES])
            context.log.warning(f"raw_logs[{day}]: {len(rows)} drop file(s) not read, listed in the "
                                f"quarantine as {reason}: {named}")
    if parsed.hidden_names:
        context.log.info(f"raw_logs[{day}]: {len(parsed.hidden_names)} hidden file(s) skipped (names "
                         f"starting with '.' or '_'): {', '.join(parsed.hidden_names[:_LISTED_NAMES])}")
    reasons = {f"quarantine_{k}": v for k, v in sorted(parsed.reasons.items())}
    metadata = {**counts, **reasons, "quarantine_uri": MetadataValue.path(uri)}
    return Output(parsed.accepted_table(), metadata=metadata)


@asset(
    name=QUARANTINE_ASSET,
    deps=[raw_logs],
    partitions_def=daily_partitions,
    group_name="pipeline",
    description="Drop lines and files that broke the input contract: file, line, reason, size "
    "(restricted: line heads of bad lines). Written by raw_logs; this step publishes it.",
    retry_policy=PIPELINE_RETRY_POLICY,  # transient storage errors only (policies.py)
)
@transient_retries_only
def raw_logs_quarantine(context: AssetExecutionContext, storage: StorageResource) -> Output[pa.Table]:
    store = storage.get()
    table = store.read_table(store.partition_dir(QUARANTINE_ASSET, context.partition_key), QUARANTINE)
    if table is None:
        context.log.warning(f"raw_logs_quarantine[{context.partition_key}]: raw_logs has not written this "
                            "day yet; an empty quarantine is published (materialize raw_logs first)")
        table = QUARANTINE.empty_table()
    reasons = table.column("reason").value_counts().to_pylist() if table.num_rows else []
    by_reason = {f"quarantine_{r['values']}": r["counts"] for r in sorted(reasons, key=lambda r: r["values"])}
    context.log.info(f"raw_logs_quarantine[{context.partition_key}]: {table.num_rows} rows {by_reason}")
    return Output(table, metadata={"rows": table.num_rows, **by_reason})

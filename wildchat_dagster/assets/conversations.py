"""conversations: calls linked into whole conversations (DESIGN §4)."""


import datetime as dt

import pyarrow as pa
from dagster import AssetExecutionContext, AssetIn, Output, asset

from ..core.linking import WINDOW_COLUMNS, link_conversations
from ..partitions import conversation_window, daily_partitions
from ..policies import PIPELINE_RETRY_POLICY, transient_retries_only


@asset(
    # Each window day is read with only the columns linking needs from it (WINDOW_COLUMNS).
    ins={"raw_logs": AssetIn(partition_mapping=conversation_window, metadata={"columns": WINDOW_COLUMNS})},
    partitions_def=daily_partitions,
    group_name="pipeline",
    description="Message-level conversations whose first turn is on the partition day.",
    retry_policy=PIPELINE_RETRY_POLICY,  # transient storage errors only (policies.py)
)
@transient_retries_only
def conversations(context: AssetExecutionContext, raw_logs: pa.Table) -> Output[pa.Table]:
    day = dt.date.fromisoformat(context.partition_key)
    table, stats = link_conversations(raw_logs, day)
    context.log.info(f"conversations[{day}]: " + ", ".join(f"{k}={v}" for k, v in stats.as_dict().items()))
    return Output(table, metadata=stats.as_dict())

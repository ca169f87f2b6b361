"""raw_logs: a day's drop files validated into a typed table, plus its quarantine."""


import datetime as dt

from dagster import AssetExecutionContext, AssetOut, Output, multi_asset

from ..core.logs import DEFAULT_MAX_MESSAGE_CHARS, parse_drops
from ..partitions import daily_partitions
from ..policies import PIPELINE_RETRY_POLICY, transient_retries_only
from ..resources import StorageResource


@multi_asset(
    outs={
        "raw_logs": AssetOut(description="Accepted chatbot API calls of one UTC day (consent given)."),
        "raw_logs_quarantine": AssetOut(
            description="Drop lines that broke the input contract: file, line, reason (restricted)."
        ),
    },
    partitions_def=daily_partitions,
    group_name="pipeline",
    retry_policy=PIPELINE_RETRY_POLICY,  # transient storage errors only (policies.py)
)
@transient_retries_only
def raw_logs(context: AssetExecutionContext, storage: StorageResource):
    day = dt.date.fromisoformat(context.partition_key)
    parsed = parse_drops(storage.get(), day, DEFAULT_MAX_MESSAGE_CHARS)
    counts = {
        "files": parsed.files,
        "lines": parsed.lines,
        "accepted": parsed.accepted_count,
        "quarantined": parsed.quarantined_count,
        "no_consent": parsed.no_consent,
    }
    context.log.info(f"raw_logs[{day}]: " + ", ".join(f"{k}={v}" for k, v in counts.items()))
    reasons = {f"quarantine_{k}": v for k, v in sorted(parsed.reasons.items())}
    yield Output(parsed.accepted_table(), output_name="raw_logs", metadata={**counts, **reasons})
    yield Output(parsed.quarantine_table(), output_name="raw_logs_quarantine", metadata=counts | reasons)



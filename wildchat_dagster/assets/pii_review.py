"""pii_review: the conversations withheld from the day's release for PII residue (restricted).

The residue scan (core/review.py) over ``scrubbed[D]``, honouring the scrubber's deliberate
keeps and reviewers' ``release`` decisions. Each pending finding is a row: ids (conversation,
turn_identifier, message index), kind, span, masked context and the value's keyed hash, which a
reviewer's decision names (docs/runbook.md §4). ``release`` withholds the same conversations.
"""

import pyarrow as pa
from dagster import AssetExecutionContext, AssetIn, MetadataValue, Output, asset

from ..core.extra_text import EXTRA_COLUMNS
from ..core.keeps import read_keeps
from ..core.review import DEFAULT_DECISIONS, REVIEW_COLUMNS, scan_residue
from ..partitions import daily_partitions
from ..policies import PIPELINE_RETRY_POLICY, transient_retries_only
from ..resources import ReviewResource, StorageResource

PREVIEW_ROWS = 20  # rows shown in the materialization's metadata (masked, as stored)


def _preview(review: pa.Table) -> str:
    header = ("| turn_identifier | message | kind | masked context | value_hash | scrubber rule |\n"
              "|---|---|---|---|---|---|\n")
    lines = []
    for row in review.slice(0, PREVIEW_ROWS).to_pylist():
        context = row["masked_context"].replace("|", "\\|").replace("`", "'")
        lines.append(
            f"| {row['turn_identifier']} | {row['message_index']} | {row['kind']}/{row['subkind']} | "
            f"`{context}` | `{row['value_hash']}` | {row['scrubber_rule'] or ''} |"
        )
    extra = review.num_rows - PREVIEW_ROWS
    more = f"\n\n… {extra} more rows in the Parquet." if extra > 0 else ""
    return header + "\n".join(lines) + more


@asset(
    partitions_def=daily_partitions,
    group_name="pipeline",
    # the extra texts too (system prompts, tool calls): the release's scan covers them
    ins={"scrubbed": AssetIn(metadata={"columns": [*REVIEW_COLUMNS, *EXTRA_COLUMNS]})},
    description="Restricted: PII residue pending review, one row per finding (ids, kind, span, masked "
    "context, value hash); its conversations are withheld from the day's release.",
    retry_policy=PIPELINE_RETRY_POLICY,  # transient storage errors only (policies.py)
)
@transient_retries_only
def pii_review(
    context: AssetExecutionContext, scrubbed: pa.Table, review: ReviewResource, storage: StorageResource
) -> Output[pa.Table]:
    day = context.partition_key
    store = storage.get()
    keeps = read_keeps(store, day)
    decisions = review.get_decisions(store)
    scan = scan_residue(scrubbed, review.get_hasher(context.log), keeps, decisions)
    summary = scan.summary()
    context.log.info(
        f"pii_review[{day}]: {summary['residue_findings']} residue findings: "
        f"{summary['residue_kept_by_rule']} kept by the scrubber's rules {dict(scan.kept_by_rule)}, "
        f"{summary['residue_released_by_review']} released by review, {summary['residue_pending']} pending "
        f"in {summary['withheld_conversations']} withheld conversation(s)"
    )
    metadata = {
        **summary,
        "pending_by_kind": MetadataValue.json(dict(sorted(scan.pending.items()))),
        "kept_by_rule": MetadataValue.json(dict(sorted(scan.kept_by_rule.items()))),
        "keeps_found": keeps.found,
        "review_decisions": MetadataValue.json(decisions.summary()),
        "review_rows": MetadataValue.md(_preview(scan.review)) if scan.review.num_rows else "none",
        "decisions_file": (store.uri(DEFAULT_DECISIONS) if decisions.location == "none"
                           else decisions.location),
    }
    return Output(scan.review, metadata=metadata)

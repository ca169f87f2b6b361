"""scrubbed: PII and secrets removed from every message (DESIGN §5, docs/pii.md)."""

from importlib.metadata import version

import pyarrow as pa
from dagster import AssetExecutionContext, MetadataValue, Output, asset

from ..core.extra_text import scrub_extras
from ..core.pii import scrub_table
from ..partitions import daily_partitions
from ..resources import PiiScrubberResource


@asset(
    partitions_def=daily_partitions,
    group_name="pipeline",
    description="Conversations with PII replaced by <PRESIDIO_ANONYMIZED_*> and secrets by "
    "<SECRET_REDACTED_*>; raw IPs still present (restricted zone).",
)
def scrubbed(
    context: AssetExecutionContext, conversations: pa.Table, pii: PiiScrubberResource
) -> Output[pa.Table]:
    config = pii.get_config()
    with pii.get_scrubber() as scrubber:
        table, stats = scrub_table(conversations, scrubber)
        # System prompts, tool arguments and results: the same scrubber, the same users.
        users = [f"ip:{ip}" if ip else f"conversation:{cid}" for ip, cid in zip(
            table.column("ip").to_pylist(), table.column("conversation_id").to_pylist(), strict=True)]
        table, extras = scrub_extras(table, scrubber, users)
    summary = stats.as_dict()
    # Counts only: the removed values never reach metadata or logs.
    redacted_by_type = {**summary["entities"], **summary["secrets"]}
    context.log.info(
        f"scrubbed[{context.partition_key}]: {summary['messages']} messages, "
        f"{summary['messages_redacted']} redacted, {summary['distinct_texts']} distinct texts "
        f"({summary['ner_texts']} through NER) in {summary['seconds']}s; by type: {redacted_by_type}; "
        f"extra texts (system prompts, tool calls): {extras.texts}, {extras.redacted} redacted"
    )
    metadata = {
        "messages": summary["messages"],
        "messages_redacted": summary["messages_redacted"],
        "distinct_texts": summary["distinct_texts"],
        "pattern_texts": summary["pattern_texts"],
        "ner_texts": summary["ner_texts"],
        "workers": summary["workers"],
        "seconds": summary["seconds"],
        "entities": MetadataValue.json(summary["entities"]),
        "secrets": MetadataValue.json(summary["secrets"]),
        "kept_by_rule": MetadataValue.json(summary["kept_by_rule"]),
        "extra_texts": extras.texts,
        "extra_texts_redacted": extras.redacted,
        "extras": MetadataValue.json(extras.as_dict()),
        "pii_engine": MetadataValue.json(
            {"presidio": version("presidio-analyzer"), "spacy_models": dict(config.models),
             "secrets": f"detect-secrets {version('detect-secrets')}"}  # the installed ones, never stale
        ),
        **{f"redacted_{kind}": count for kind, count in redacted_by_type.items()},
    }
    return Output(table, metadata=metadata)

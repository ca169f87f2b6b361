"""scrubbed: PII and secrets removed from every message (DESIGN §5, docs/pii.md)."""

from importlib.metadata import version

import pyarrow as pa
import pyarrow.compute as pc
from dagster import AssetExecutionContext, MetadataValue, Output, asset

from ..core.extra_text import scrub_extras
from ..core.keeps import keeps_table, write_keeps
from ..core.pii import scrub_table
from ..core.review import apply_forced_redactions
from ..partitions import daily_partitions
from ..policies import PIPELINE_RETRY_POLICY, transient_retries_only
from ..resources import PiiScrubberResource, ReviewResource, StorageResource


@asset(
    partitions_def=daily_partitions,
    group_name="pipeline",
    description="Conversations with PII replaced by <PRESIDIO_ANONYMIZED_*> and secrets by "
    "<SECRET_REDACTED_*>; raw IPs still present (restricted zone). Reviewers' `redact` decisions "
    "applied; the deliberate keeps written beside it as keyed hashes (scrubbed_keeps/dt=D).",
    retry_policy=PIPELINE_RETRY_POLICY,  # transient storage errors only (policies.py)
)
@transient_retries_only
def scrubbed(
    context: AssetExecutionContext,
    conversations: pa.Table,
    pii: PiiScrubberResource,
    review: ReviewResource,
    storage: StorageResource,
) -> Output[pa.Table]:
    day = context.partition_key
    config = pii.get_config()
    store = storage.get()
    decisions = review.get_decisions(store)
    hasher = review.get_hasher(context.log)
    with pii.get_scrubber() as scrubber:
        scrubber.value_hasher = hasher  # records the deliberate keeps as keyed hashes
        table, stats = scrub_table(conversations, scrubber)
        # System prompts, tool arguments and results: the same scrubber, the same users.
        users = [f"ip:{ip}" if ip else f"conversation:{cid}" for ip, cid in zip(
            table.column("ip").to_pylist(), table.column("conversation_id").to_pylist(), strict=True)]
        table, extras = scrub_extras(table, scrubber, users)
        stats.kept_hashes.update(extras.kept_hashes)
    # Reviewers' `redact` decisions: values the scrubber missed, replaced from now on (core/review.py).
    table, forced = apply_forced_redactions(table, hasher, decisions.redact)
    for entity, count in forced.items():
        target = stats.secrets if entity.startswith("SECRET_") else stats.entities
        target[entity.removeprefix("SECRET_")] += count
    stats.messages_redacted = int(pc.sum(table["redacted"].cast(pa.int64())).as_py() or 0)
    keeps_uri = write_keeps(store, day, keeps_table(stats.kept_hashes))  # before the output: its readers
    summary = stats.as_dict()
    # Counts only: the removed values never reach metadata or logs.
    redacted_by_type = {**summary["entities"], **summary["secrets"]}
    context.log.info(
        f"scrubbed[{day}]: {summary['messages']} messages, "
        f"{summary['messages_redacted']} redacted, {summary['distinct_texts']} distinct texts "
        f"({summary['ner_texts']} through NER) in {summary['seconds']}s; by type: {redacted_by_type}; "
        f"{sum(forced.values())} redacted by review decision; {len(stats.kept_hashes)} kept values recorded; "
        f"extra texts (system prompts, tool calls): {extras.texts}, {extras.redacted} redacted"
    )
    metadata = {
        "messages": summary["messages"],
        "messages_redacted": summary["messages_redacted"],
        "distinct_texts": summary["distinct_texts"],
        "pattern_texts": summary["pattern_texts"],
        "ner_texts": summary["ner_texts"],
        "propagated": summary["propagated"],  # reappearances redacted across a conversation
        "workers": summary["workers"],
        "seconds": summary["seconds"],
        "entities": MetadataValue.json(summary["entities"]),
        "secrets": MetadataValue.json(summary["secrets"]),
        "kept_by_rule": MetadataValue.json(summary["kept_by_rule"]),
        "kept_values_recorded": len(stats.kept_hashes),
        "keeps_uri": keeps_uri,
        "redacted_by_review": MetadataValue.json(dict(sorted(forced.items()))),
        "review_decisions": MetadataValue.json(decisions.summary()),
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

"""The audit group: an already-published dataset re-run through our scrubber (docs/audit.md).

audit_input (+ audit_quarantine) → audit_scrubbed → audit_classified → audit_findings, and
audit_scrubbed → audit_rescrubbed. Not partitioned: one audited dataset at a time, chosen by
``audit_input``'s run config (``path``, ``format``) or ``WILDCHAT_AUDIT_INPUT``; its assets are
written under ``<base>/audit_*/``.
"""

import os
import time

import pyarrow as pa
from dagster import AssetExecutionContext, AssetOut, Config, MetadataValue, Output, asset, multi_asset
from pydantic import Field

from ..core.adapters.linked import LinkedReject, read_linked, read_records
from ..core.audit import (
    findings_table,
    format_findings,
    rescrub_rows,
    rows_to_json,
    rows_to_jsonl,
    scrub_messages,
    summarize,
)
from ..core.langid import LanguageStats, add_language_columns
from ..core.toxicity import ToxicityStats, add_toxicity_columns
from ..resources import LanguageIdResource, PiiScrubberResource, StorageResource, ToxicityResource

AUDIT_GROUP = "audit"
ENV_AUDIT_INPUT = "WILDCHAT_AUDIT_INPUT"


class AuditInputConfig(Config):
    path: str = Field(
        default="",
        description="The dataset file: .jsonl, .json or .parquet (local path or "
        f"s3:// URI); empty: ${ENV_AUDIT_INPUT}.",
    )
    format: str = Field(default="auto", description="wildchat, sharegpt or auto (from the rows' fields).")


@multi_asset(
    outs={
        "audit_input": AssetOut(
            description="Already-linked conversations to audit, one row per message, "
            "with the input's own ids, hashes and labels (restricted: raw text)."
        ),
        "audit_quarantine": AssetOut(
            description="Input rows that are not conversations: row, reason (restricted)."
        ),
    },
    group_name=AUDIT_GROUP,
)
def audit_input(context: AssetExecutionContext, config: AuditInputConfig):
    path = config.path or os.environ.get(ENV_AUDIT_INPUT, "")
    if not path:
        raise ValueError(
            f"audit_input needs a dataset: set run config ops.audit_input.config.path "
            f"or {ENV_AUDIT_INPUT} (docs/audit.md)"
        )
    try:
        linked = read_linked(path, config.format)
    except LinkedReject as exc:
        raise ValueError(f"audit_input: cannot read {path}: {exc}") from None
    reasons = {}
    for reason in linked.quarantine.column("reason").to_pylist():
        reasons[f"quarantine_{reason}"] = reasons.get(f"quarantine_{reason}", 0) + 1
    counts = {
        "source": path,
        "format": f"{linked.format}/{linked.container}",
        "rows": linked.rows,
        "conversations": linked.conversations,
        "messages": linked.messages.num_rows,
        "quarantined": linked.quarantined,
        **reasons,
    }
    context.log.info("audit_input: " + ", ".join(f"{k}={v}" for k, v in counts.items()))
    yield Output(linked.messages, output_name="audit_input", metadata=counts)
    yield Output(linked.quarantine, output_name="audit_quarantine", metadata=counts)


@asset(
    group_name=AUDIT_GROUP,
    description="audit_input scrubbed by the pipeline's scrubber; per message the replaced entity types "
    "and masked findings (never the values).",
)
def audit_scrubbed(context: AssetExecutionContext, audit_input: pa.Table, pii: PiiScrubberResource) -> Output:
    with pii.get_scrubber() as scrubber:
        table, stats = scrub_messages(audit_input, scrubber)
    summary = stats.as_dict()
    context.log.info(
        f"audit_scrubbed: {summary['messages']} messages, {summary['messages_redacted']} redacted "
        f"in {summary['seconds']}s; entities {summary['entities']}, secrets {summary['secrets']}"
    )
    return Output(
        table,
        metadata={
            "messages": summary["messages"],
            "messages_redacted": summary["messages_redacted"],
            "seconds": summary["seconds"],
            "entities": MetadataValue.json(summary["entities"]),
            "secrets": MetadataValue.json(summary["secrets"]),
            "kept_by_rule": MetadataValue.json(summary["kept_by_rule"]),
        },
    )


@asset(
    group_name=AUDIT_GROUP,
    description="audit_scrubbed plus lid.176 language and toxicity per message (the pipeline's classifiers).",
)
def audit_classified(
    context: AssetExecutionContext,
    audit_scrubbed: pa.Table,
    langid: LanguageIdResource,
    toxicity: ToxicityResource,
) -> Output:
    t0 = time.perf_counter()
    lang_stats, tox_stats = LanguageStats(), ToxicityStats()
    table = add_language_columns(audit_scrubbed, langid.get_identifier(), lang_stats)
    table = add_toxicity_columns(table, toxicity.get_backends(), tox_stats)
    context.log.info(f"audit_classified: {table.num_rows} messages in {time.perf_counter() - t0:.1f}s")
    return Output(
        table,
        metadata={
            "messages": table.num_rows,
            "toxic_messages": tox_stats.toxic_messages,
            "top_languages": MetadataValue.json(lang_stats.top(langid.top_languages)),
            "models": MetadataValue.json(tox_stats.versions),
        },
    )


@asset(
    group_name=AUDIT_GROUP,
    description="What the scrubber still finds in the input: one row per finding with a masked context; "
    "the findings table (counts per entity type and context) in metadata.",
)
def audit_findings(context: AssetExecutionContext, audit_classified: pa.Table) -> Output:
    findings = findings_table(audit_classified)
    summary = summarize(audit_classified, findings)
    report = format_findings(summary)
    context.log.info(
        f"audit_findings: {summary.findings} findings in {summary.conversations_affected} of "
        f"{summary.conversations} conversations (the table is in this asset's `report` metadata)"
    )
    data = summary.as_dict()
    return Output(
        findings,
        metadata={
            "findings": summary.findings,
            "conversations": summary.conversations,
            "conversations_affected": summary.conversations_affected,
            "messages_affected": summary.messages_affected,
            "affected_already_redacted": summary.affected_already_redacted,
            "echoes_left": summary.echoes,
            "residue_messages": MetadataValue.json(data["residue_messages"]),
            "by_entity": MetadataValue.json(data["by_entity"]),
            "by_entity_role": MetadataValue.json(data["by_entity_role"]),
            "by_entity_language": MetadataValue.json(data["by_entity_language"]),
            "report": MetadataValue.md(report),
        },
    )


def _as_arrow(rows: list[dict], schema: pa.Schema | None) -> pa.Table:
    if schema is not None:  # Parquet input: exactly its schema
        return pa.Table.from_pylist(rows, schema=schema)
    try:
        return pa.Table.from_pylist(rows)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError):
        return pa.table({"record": pa.array([rows_to_jsonl([r]).decode().rstrip("\n") for r in rows])})


@asset(
    group_name=AUDIT_GROUP,
    description="The input's accepted rows re-scrubbed, in the input's own schema (Parquet here; JSON "
    "inputs also get a .rescrubbed.jsonl/.json copy beside it).",
)
def audit_rescrubbed(
    context: AssetExecutionContext, audit_scrubbed: pa.Table, storage: StorageResource
) -> Output:
    sources = sorted(set(audit_scrubbed.column("source_file").to_pylist()))
    if len(sources) > 1:
        raise ValueError(f"audit_scrubbed mixes {len(sources)} input files; audit one at a time")
    if not sources:
        return Output(pa.table({}), metadata={"rows": 0})
    records = read_records(sources[0])
    accepted = set(audit_scrubbed.column("record_index").to_pylist())
    # record_index is the position in records.rows, as audit_input numbered them
    rows = [(i, row) for i, (_, row, _) in enumerate(records.rows) if i in accepted]
    out = rescrub_rows(rows, audit_scrubbed)
    table = _as_arrow(out, records.arrow_schema)
    metadata = {"rows": len(out), "source": sources[0]}
    if records.container in ("jsonl", "json"):
        stem = os.path.basename(sources[0]).split(".")[0]
        rel = f"audit_rescrubbed/{stem}.rescrubbed.{records.container}"
        store = storage.get()
        store.write_bytes(rel, rows_to_jsonl(out) if records.container == "jsonl" else rows_to_json(out))
        metadata["copy"] = store.uri(rel)
    context.log.info(f"audit_rescrubbed: {len(out)} rows in the input's schema")
    return Output(table, metadata=metadata)


AUDIT_ASSETS = [audit_input, audit_scrubbed, audit_classified, audit_findings, audit_rescrubbed]

"""Dagster asset checks: each asset's GX suites, run on every materialized partition.

One ``@multi_asset_check`` per asset reads the partition (through ``Storage``, the same
layout the IO manager writes), builds the frames (``core.quality``), validates them with
GX (``gx_runner``) and yields one ``AssetCheckResult`` per check in ``suites.CHECKS``,
with the GX key figures as metadata: expectations evaluated and failed, unexpected counts
per failed expectation, a sample of bad row ids (never values), the suites and links to
the Data Docs. Blocking checks (PII residue, raw IPs, the release) fail with ERROR
severity and stop the assets downstream of theirs in the same run.
"""

import datetime as dt
import json
import os
import warnings

import numpy as np
import pyarrow as pa
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    AssetRecordsFilter,
    MetadataValue,
    PreviewWarning,
    multi_asset_check,
)

from ..core import quality as q
from ..core.memory import return_freed_memory
from ..core.publish import read_published_bytes, read_published_table
from ..core.schema import CLASSIFIED, CONVERSATIONS, GEO_TAGGED, QUARANTINE, RAW_LOGS, SCRUBBED
from ..core.storage import Storage
from ..partitions import daily_partitions
from ..resources import GeoResource, LanguageIdResource, ReviewResource, StorageResource, ToxicityResource
from .disclosure import release_disclosure
from .resources import QualityResource
from .suites import checks_for


def _specs(asset: str) -> list[AssetCheckSpec]:
    # Partitioned checks (one evaluation per day, shown per partition in the UI, carried by the
    # alert) are a preview feature of dagster 1.13, pinned here; the warning is expected.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PreviewWarning)
        return [
            AssetCheckSpec(
                name=c.name,
                asset=c.asset,
                description=c.description,
                blocking=c.blocking,
                partitions_def=daily_partitions,
                metadata={"severity": c.severity, "blocking": c.blocking},
            )
            for c in checks_for(asset)
        ]


def _latest_metadata(context: AssetCheckExecutionContext, asset: str, day: str) -> dict | None:
    records = context.instance.fetch_materializations(
        AssetRecordsFilter(asset_key=AssetKey(asset), asset_partitions=[day]), limit=1
    ).records
    if not records or records[0].asset_materialization is None:
        return None
    return {k: getattr(v, "value", v) for k, v in records[0].asset_materialization.metadata.items()}


def _shift(day: str, days: int) -> str:
    return (dt.date.fromisoformat(day) + dt.timedelta(days=days)).isoformat()


def _docs_metadata(site) -> dict:
    if site is None:
        return {}
    link = MetadataValue.path if site.local_dir else MetadataValue.url
    return {"data_docs": link(site.index_uri)}


def _evaluate(
    context: AssetCheckExecutionContext,
    asset: str,
    frames: q.Frames,
    params: dict,
    storage: Storage,
    quality: QualityResource,
    extra: dict[str, dict] | None = None,
):
    """``extra``: more metadata for some checks, by check name."""
    from . import gx_runner

    day = context.partition_key
    runs = gx_runner.validate(asset, day, frames, params, quality.sample_size)
    return_freed_memory()  # what validation built (GX's own copies) should not stay for the run
    gx_runner.save_results(storage, runs)
    site = None
    if quality.data_docs:
        try:
            site = gx_runner.build_data_docs(storage, runs, quality.docs_max_partitions)
        except Exception as exc:  # the docs are for people; a rendering problem must not hide a result
            context.log.warning(f"Data Docs not updated: {type(exc).__name__}: {str(exc)[:200]}")
    outcomes = gx_runner.outcomes_by_check(runs, checks_for(asset))
    notes = {k: v for k, v in frames.notes.items() if isinstance(v, int | float | str)}
    for name, outcome in outcomes.items():
        check = outcome.check
        metadata = {
            "gx_expectations": outcome.evaluated,
            "gx_failed_expectations": outcome.failed,
            "gx_suites": ", ".join(outcome.suites),
            "unexpected_counts": MetadataValue.json(outcome.unexpected),
            "sample_bad_row_ids": MetadataValue.json(outcome.samples),
            **_docs_metadata(site),
            **{f"partition_{k}": v for k, v in notes.items()},
            **(extra or {}).get(name, {}),
        }
        if outcome.errors:
            metadata["gx_errors"] = MetadataValue.json(outcome.errors)
        if site is not None:
            pages = [site.pages[s] for s in outcome.suites if s in site.pages]
            if pages:
                link = MetadataValue.path if site.local_dir else MetadataValue.url
                metadata["data_docs_page"] = link(pages[0])
        context.log.info(
            f"{name}[{day}]: {'passed' if outcome.passed else 'FAILED'} "
            f"({outcome.evaluated - outcome.failed}/{outcome.evaluated} expectations)"
        )
        yield AssetCheckResult(
            asset_key=AssetKey(asset),
            check_name=name,
            passed=outcome.passed,
            severity=AssetCheckSeverity.WARN if check.severity == "WARN" else AssetCheckSeverity.ERROR,
            metadata=metadata,
        )


CONSENT_LOOKBACK_DAYS = 7  # the days the no-consent share is compared with


def _read(storage: Storage, asset: str, day: str) -> pa.Table | None:
    return storage.read_table(storage.partition_dir(asset, day))


@multi_asset_check(specs=_specs("raw_logs"), name="raw_logs_quality")
def raw_logs_quality(context: AssetCheckExecutionContext, storage: StorageResource, quality: QualityResource):
    day = context.partition_key
    store = storage.get()
    counts = _latest_metadata(context, "raw_logs", day)
    previous = [_latest_metadata(context, "raw_logs", _shift(day, -k))
                for k in range(1, CONSENT_LOOKBACK_DAYS + 1)]
    frames = q.raw_logs_frames(
        _read(store, "raw_logs", day),
        _read(store, "raw_logs_quarantine", day),
        day,
        counts,
        q.count_drop_lines(store, day),
        RAW_LOGS,
        QUARANTINE,
        q.no_consent_jump(counts, [c for c in previous if c]),
    )
    params = {"partition_days": [day], "max_quarantine_rate": quality.quarantine_rate_max,
              "max_no_consent_jump": quality.no_consent_jump_max}
    yield from _evaluate(context, "raw_logs", frames, params, store, quality)


@multi_asset_check(specs=_specs("conversations"), name="conversations_quality")
def conversations_quality(
    context: AssetCheckExecutionContext, storage: StorageResource, quality: QualityResource
):
    day = context.partition_key
    store = storage.get()
    cols = ["conversation_id", "message_index", "role", "copied_prefix", "turn_identifier"]
    previous = store.read_table(store.partition_dir("conversations", _shift(day, -1)), columns=cols)
    raw_day = store.read_table(store.partition_dir("raw_logs", day), columns=["id", "source_line"])
    next_ids = store.read_table(store.partition_dir("raw_logs", _shift(day, 1)), columns=["id"])
    window_ids = [t["id"].to_numpy() for t in (raw_day, next_ids) if t is not None]  # D and D+1
    window_ids = np.concatenate(window_ids) if window_ids else np.zeros(0, dtype=np.int64)
    frames = q.conversations_frames(
        _read(store, "conversations", day), previous, raw_day, window_ids, CONVERSATIONS
    )
    yield from _evaluate(context, "conversations", frames, {"partition_days": [day]}, store, quality)


def _review_links(store: Storage, day: str) -> dict:
    """Where a reviewer goes next: pii_review's partition in the UI, its Parquet, the decisions file."""
    from ..checks.alerts import DEFAULT_WEBSERVER, WEBSERVER_ENV

    base = (os.environ.get(WEBSERVER_ENV) or DEFAULT_WEBSERVER).rstrip("/")
    rows = store.uri(store.partition_dir("pii_review", day))
    return {
        "pii_review_ui": MetadataValue.url(f"{base}/assets/pii_review?view=partitions&partition={day}"),
        "pii_review_rows": MetadataValue.path(rows) if not store.is_s3 else MetadataValue.url(rows),
    }


@multi_asset_check(specs=_specs("scrubbed"), name="scrubbed_quality")
def scrubbed_quality(
    context: AssetCheckExecutionContext,
    storage: StorageResource,
    quality: QualityResource,
    review: ReviewResource,
):
    from ..core.keeps import read_keeps
    from ..core.review import scan_residue

    day = context.partition_key
    store = storage.get()
    upstream = q.count_rows(store, store.partition_dir("conversations", day))
    table = _read(store, "scrubbed", day)
    decisions = review.get_decisions(store)
    scan = None
    if table is not None and table.num_rows:
        scan = scan_residue(table, review.get_hasher(context.log), read_keeps(store, day), decisions)
    frames = q.scrubbed_frames(table, upstream, SCRUBBED, scan.masks if scan else None)
    extra = {}
    if scan is not None:
        frames.notes.update(scan.summary())
        extra["scrubbed_no_pii_residue"] = {
            "withheld_conversations": len(scan.withheld),
            "pending_by_kind": MetadataValue.json(dict(sorted(scan.pending.items()))),
            "kept_by_rule": MetadataValue.json(dict(sorted(scan.kept_by_rule.items()))),
            "released_by_review": scan.released_by_review,
            "review_decisions": MetadataValue.json(decisions.summary()),
            **_review_links(store, day),
        }
    yield from _evaluate(context, "scrubbed", frames, {}, store, quality, extra)


@multi_asset_check(specs=_specs("geo_tagged"), name="geo_tagged_quality")
def geo_tagged_quality(
    context: AssetCheckExecutionContext, storage: StorageResource, quality: QualityResource, geo: GeoResource
):
    from ..core.geo import discover_snapshots

    day = context.partition_key
    store = storage.get()
    names = q.geoip_country_names(s.path for s in discover_snapshots(geo.geoip_db))
    upstream = q.count_rows(store, store.partition_dir("scrubbed", day))
    frames = q.geo_tagged_frames(_read(store, "geo_tagged", day), upstream, GEO_TAGGED)
    frames.notes["geoip_country_names"] = len(names)
    yield from _evaluate(
        context, "geo_tagged", frames, {"geoip_country_names": sorted(names)}, store, quality
    )


@multi_asset_check(specs=_specs("classified"), name="classified_quality")
def classified_quality(
    context: AssetCheckExecutionContext,
    storage: StorageResource,
    quality: QualityResource,
    langid: LanguageIdResource,
    toxicity: ToxicityResource,
):
    from ..core.langid import packaged_model_path

    day = context.partition_key
    store = storage.get()
    labels = q.lid176_labels(str(langid.model_path or packaged_model_path()))
    upstream = q.count_rows(store, store.partition_dir("geo_tagged", day))
    frames = q.classified_frames(
        _read(store, "classified", day),
        upstream,
        CLASSIFIED,
        list(toxicity.backends),
        toxicity.detoxify_threshold,
        toxicity.embedded_threshold,
    )
    yield from _evaluate(context, "classified", frames, {"lid176_labels": sorted(labels)}, store, quality)


def _release_schema() -> pa.Schema | None:
    from ..core import schema

    return getattr(schema, "RELEASE", None)


def _released_residue(full: pa.Table | None, store: Storage, day: str, review: ReviewResource, log) -> int:
    """Released conversations (full split) holding residue no keep or review decision allows."""
    import pyarrow.compute as pc

    from ..core.keeps import read_keeps
    from ..core.review import scan_residue

    if full is None or full.num_rows == 0:
        return 0
    conv = full["conversation"].combine_chunks()
    parents = pc.list_parent_indices(conv)
    messages = pa.table({
        "content": pc.struct_field(conv.flatten(), "content"),
        "conversation_id": full["conversation_id"].combine_chunks().take(parents),
    })
    scan = scan_residue(messages, review.get_hasher(log), read_keeps(store, day), review.get_decisions(store))
    return len(scan.withheld)


@multi_asset_check(specs=_specs("release"), name="release_quality")
def release_quality(
    context: AssetCheckExecutionContext,
    storage: StorageResource,
    quality: QualityResource,
    review: ReviewResource,
):
    day = context.partition_key
    store = storage.get()
    schema = _release_schema()
    base = store.partition_dir("release", day)
    full = read_published_table(store, base, "split=full")  # the day's current version
    nontoxic = read_published_table(store, base, "split=nontoxic")
    if schema is None:  # before the release schema existed: the split as written is the reference
        schema = full.schema if full is not None else pa.schema([])
    classified = q.read_columns(
        store,
        store.partition_dir("classified", day),
        ["conversation_id", "conversation_sexual_minors", "sexual_minors"],
    )
    listed = store.read_table(store.partition_dir("pii_review", day), columns=["conversation_id"])
    withheld_ids = set(listed["conversation_id"].to_pylist()) if listed is not None else set()
    residue = _released_residue(full, store, day, review, context.log)
    frames = q.release_frames(full, nontoxic, schema, classified, _release_removals(context, store, day),
                              withheld_ids, residue)
    yield from _evaluate(context, "release", frames, {}, store, quality)


def _release_removals(context: AssetCheckExecutionContext, store: Storage, day: str) -> dict | None:
    """Conversations the release removed on purpose, as it reported them: its materialization
    metadata for the day, else its manifest.json."""
    keys = ("takedown_conversations", "sexual_minors_removed")
    later = ("withheld_conversations", "review_dropped")  # 0 in releases written before the review queue
    metadata = _latest_metadata(context, "release", day) or {}
    if all(k in metadata for k in keys):
        return {k: int(metadata.get(k, 0)) for k in (*keys, *later)}
    manifest = read_published_bytes(store, store.partition_dir("release", day), "manifest.json")
    if manifest is not None:
        stats = json.loads(manifest).get("stats", {})
        if all(k in stats for k in keys):
            return {k: int(stats.get(k, 0)) for k in (*keys, *later)}
    return None


ASSET_CHECKS = [
    raw_logs_quality,
    conversations_quality,
    scrubbed_quality,
    geo_tagged_quality,
    classified_quality,
    release_quality,
    release_disclosure,  # k-anonymity of the released quasi-identifiers, WARN only (checks/disclosure.py)
]
